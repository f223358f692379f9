"""Small widgets shared by the pages: the page header, the run they show, errors, numbers."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gis.app import _state
from gis.app.i18n import t
from gis.errors import GisError
from gis.labels import column_label
from gis.locale import format_number, format_percent, readable
from gis.pipeline.context import RunContext

__all__ = [
    "fmt_number",
    "fmt_share",
    "header",
    "localised",
    "no_project",
    "note_text",
    "project_and_computed_run",
    "project_and_run",
    "show_error",
    "web_text",
]


def header(title_key: str, intro_key: str | None = None) -> str:
    """The page title (and intro) in the session's language; returns the language."""
    lang = _state.lang()
    st.title(t(title_key, lang))
    if intro_key:
        st.caption(t(intro_key, lang))
    return lang


#: Command-line hints in messages of the readers and importers -> what the web page offers
#: instead: (pattern, Vietnamese, English). Issue 15: no "use --kind" in the web page.
_CLI_HINTS: tuple[tuple[str, str, str], ...] = (
    (r"\((?:give|dùng|CLI:)?\s*--kind[^)]*\)", "(chọn « Loại lớp » ở trên)",
     "(choose the 'Layer kind' above)"),
    (r"--crs\s+vn2000-tm3:\{?([0-9.]+|X)\}?", "hệ toạ độ VN-2000 / TM-3 \\1° (mục « Hệ toạ độ »)",
     "the coordinate system VN-2000 / TM-3 \\1° ('Coordinate system')"),
    (r"--crs\s+\S+", "mục « Hệ toạ độ »", "'Coordinate system'"),
    (r"--province\s+'[^']*'", "tỉnh trong mục « Hệ toạ độ »",
     "the province in 'Coordinate system'"),
    (r"--meridian\s+([0-9.]+)", "kinh tuyến \\1° trong mục « Hệ toạ độ »",
     "meridian \\1° in 'Coordinate system'"),
    (r"\(CLI:\s*--layer[^)]*\)", "(chọn « Lớp / trang tính » ở trên)",
     "(choose the 'Layer / sheet' above)"),
    (r"--admin-level\s+[a-z]+(?:,\s*[a-z]+)*(?:\s+(?:or|hoặc)\s+[a-z]+)?",
     "tệp chỉ một cấp hành chính", "a file of one administrative level"),
    (r"--admin-level", "một cấp hành chính", "one administrative level"),
    (r"`?gis import opencellid[^`.;)]*`?", "mục « Nhập dữ liệu mở » (OpenCelliD) bên dưới",
     "the 'Import open data' section (OpenCelliD) below"),
    (r"--area\s+'[^']*'", "khu vực trong mục « Khu vực » ở trên", "the 'Area' above"),
    (r"--margin\b", "lề", "the margin"),
    (r"'python -m gis [^']*'", "dòng lệnh", "the command line"),
    (r"(?:the CLI: |dòng lệnh: )?python -m gis [^'\n]*", "dòng lệnh.", "the command line."),
)


def web_text(text: str, lang: str) -> str:
    """``text`` with the command-line hints it gives (``--kind``, ``--crs ...``,
    ``--province '...'``) replaced by the page's own widgets, in ``lang``."""
    import re

    out = str(text)
    for pattern, vi, en in _CLI_HINTS:
        out = re.sub(pattern, vi if lang == "vi" else en, out)
    return out


def note_text(note: object, lang: str) -> str:
    """A run's warning or default (:class:`gis.pipeline.context.Note`) in ``lang``."""
    text = getattr(note, "text", None)
    return text(lang) if callable(text) else str(note)


def show_error(exc: BaseException, lang: str, prefix_key: str | None = None) -> None:
    """An error box: the bilingual message of a :class:`GisError` in ``lang``, else the text;
    command-line hints become the page's words (:func:`web_text`)."""
    msg = exc.message(lang) if isinstance(exc, GisError) else f"{type(exc).__name__}: {exc}"
    msg = web_text(msg, lang)
    st.error(f"{t(prefix_key, lang)}: {msg}" if prefix_key else msg)


def project_and_run(lang: str) -> tuple[Any, RunContext | None]:
    """The session's project and its (cached or freshly computed) run; stops the page with a
    message when there is no project."""
    sp = _state.session_project()
    if sp is None:
        no_project(lang)
        st.stop()
    return sp.project, _state.get_run()


def project_and_computed_run(lang: str) -> tuple[Any, RunContext]:
    """:func:`project_and_run` for a page that needs the results: without a run yet, the page
    says so and stops."""
    project, ctx = project_and_run(lang)
    if ctx is None:
        st.info(t("not_computed_long", lang))
        st.stop()
    return project, ctx


def no_project(lang: str) -> None:
    """Say that there is no project to show, and why when the folder could not be opened."""
    error = st.session_state.get(_state.KEY_PROJECT_ERROR)
    if error is not None:
        show_error(error, lang)
    st.warning(t("no_project", lang))


def fmt_number(value: Any, decimals: int = 0, *, lang: str = "vi") -> str:
    """A number as ``lang`` writes it (``8.378`` / ``8,378``); an em dash when missing
    (:func:`gis.locale.format_number`)."""
    return format_number(value, lang, decimals)


def fmt_share(value: Any, decimals: int = 1, *, lang: str = "vi") -> str:
    """A share 0-1 as a percentage (``81,8 %`` / ``81.8 %``); an em dash when missing."""
    return format_percent(value, lang, decimals)


def localised(frame: pd.DataFrame, lang: str, *,
              keep_numbers: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` as a person reads it in ``lang`` (:func:`gis.locale.readable`: words for
    flags and codes, numbers as ``lang`` writes them) without geometry, with its column
    headers in ``lang``; the ``keep_numbers`` columns stay numbers (progress bars)."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    kept = {c: out[c].to_numpy() for c in keep_numbers if c in out}
    out = readable(out, lang, text=True)
    for c, values in kept.items():
        if c in out:
            out[c] = values
    mapping, used = {}, set()
    for col in out.columns:
        label = column_label(str(col), lang)
        if label in used:
            label = f"{label} ({col})"
        used.add(label)
        mapping[col] = label
    return out.rename(columns=mapping)
