"""Small widgets shared by the pages: the page header, the run they show, errors, numbers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from gis.app import _state
from gis.app.i18n import t
from gis.errors import GisError
from gis.labels import column_label
from gis.pipeline.context import RunContext

__all__ = [
    "fmt_number",
    "fmt_share",
    "header",
    "localised",
    "no_project",
    "project_and_run",
    "show_error",
]


def header(title_key: str, intro_key: str | None = None) -> str:
    """The page title (and intro) in the session's language; returns the language."""
    lang = _state.lang()
    st.title(t(title_key, lang))
    if intro_key:
        st.caption(t(intro_key, lang))
    return lang


def show_error(exc: BaseException, lang: str, prefix_key: str | None = None) -> None:
    """An error box: the bilingual message of a :class:`GisError` in ``lang``, else the text."""
    msg = exc.message(lang) if isinstance(exc, GisError) else f"{type(exc).__name__}: {exc}"
    st.error(f"{t(prefix_key, lang)}: {msg}" if prefix_key else msg)


def project_and_run(lang: str) -> tuple[Any, RunContext | None]:
    """The session's project and its (cached or freshly computed) run; stops the page with a
    message when there is no project."""
    sp = _state.session_project()
    if sp is None:
        no_project(lang)
        st.stop()
    return sp.project, _state.get_run()


def no_project(lang: str) -> None:
    """Say that there is no project to show, and why when the folder could not be opened."""
    error = st.session_state.get(_state.KEY_PROJECT_ERROR)
    if error is not None:
        show_error(error, lang)
    st.warning(t("no_project", lang))


def fmt_number(value: Any, decimals: int = 0) -> str:
    """A number with thousands separators (``1,234``); an em dash when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    return f"{v:,.{decimals}f}"


def fmt_share(value: Any, decimals: int = 1) -> str:
    """A share 0-1 as a percentage (``87.5 %``); an em dash when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(v) else f"{100 * v:.{decimals}f} %"


def localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` without geometry, with its column headers in ``lang``."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    mapping, used = {}, set()
    for col in out.columns:
        label = column_label(str(col), lang)
        if label in used:
            label = f"{label} ({col})"
        used.add(label)
        mapping[col] = label
    return out.rename(columns=mapping)
