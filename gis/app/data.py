"""Data page: the status of every layer with its load report, and uploads that replace a layer
for this session only.

Uploads are read by the project's readers (:mod:`gis.layers.read`), which write the bytes only
inside this session's temporary folder and unpack archives safely (:mod:`gis.layers.archive`:
no path traversal, no zip bombs). A file that cannot be used shows its error and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import fmt_number, header, no_project, show_error
from gis.errors import GisError, InputFileError
from gis.labels import kind_label
from gis.layers.read import read_any
from gis.layers.schema import RASTER_KINDS, LayerKind

__all__ = ["ACCEPTED_TYPES", "MAX_UPLOAD_MB", "UploadOutcome", "read_upload", "render"]

#: File types the uploader accepts: every format the readers take.
ACCEPTED_TYPES = ["shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx", "zip", "gpkg",
                  "geojson", "json", "kml", "kmz", "csv", "txt", "xlsx", "tif", "tiff"]
#: The largest upload accepted, in MB (also ``server.maxUploadSize`` in .streamlit/config.toml,
#: which Streamlit enforces per file; this check applies to the files of one upload together).
MAX_UPLOAD_MB = 200

_AUTO = "__auto__"
_KINDS = [k.value for k in LayerKind] + list(RASTER_KINDS)
@dataclass
class UploadOutcome:
    """The result of reading one upload: what it is, or why it cannot be used."""

    kind: str | None = None
    gdf: Any = None
    raster_path: Path | None = None
    report: Any = None
    error: BaseException | None = None


def _signature(files: list[Any]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode("utf-8"))
        h.update(hashlib.sha256(f.data).digest())
    return h.hexdigest()[:16]


def read_upload(files: list[Any], kind: str | None, *, workdir: Path, analysis_crs: Any,
                province: str | None = None) -> UploadOutcome:
    """Read uploaded files (``Upload(name, data)`` objects) with the project's readers.

    ``kind`` is the layer or raster kind, or ``None`` to let the readers guess it from the
    content. Every error (including a missing reader) is returned, not raised.
    """
    total_mb = sum(len(f.data) for f in files) / 1e6
    if total_mb > MAX_UPLOAD_MB:
        return UploadOutcome(error=InputFileError(
            f"The upload is too large: {total_mb:.1f} MB (at most {MAX_UPLOAD_MB} MB).",
            f"Tệp tải lên quá lớn: {total_mb:.1f} MB (tối đa {MAX_UPLOAD_MB} MB).",
            file=files[0].name if files else None,
            fix="Clip the layer to the planning area, or load it with the CLI.",
            fix_vi="Cắt lớp theo khu vực quy hoạch, hoặc nạp bằng dòng lệnh (CLI).",
        ))
    source = files[0] if len(files) == 1 else files
    try:
        result = read_any(source, kind=kind, analysis_crs=analysis_crs, province=province,
                          workdir=workdir)
    except GisError as exc:
        return UploadOutcome(error=exc)
    except Exception as exc:
        return UploadOutcome(error=InputFileError(
            f"The file could not be read: {exc}.", f"Không đọc được tệp: {exc}.",
            file=files[0].name if files else None,
            fix="Check that the file opens in QGIS or Excel, and that it is one of the "
                "formats listed.",
            fix_vi="Kiểm tra tệp mở được bằng QGIS hoặc Excel và thuộc các định dạng đã nêu.",
        ))
    raster = getattr(result, "raster", None)
    return UploadOutcome(kind=result.kind, gdf=getattr(result, "gdf", None),
                         raster_path=Path(raster.path) if raster is not None else None,
                         report=result.report)


def _status_table(project: Any, lang: str) -> None:
    over = st.session_state.get(_state.KEY_OVERRIDES, {})
    rover = st.session_state.get(_state.KEY_RASTER_OVERRIDES, {})
    rows = []
    for kind in _KINDS:
        gdf = project.layers.get(kind)
        path = project.rasters.get(kind)
        report = project.reports.get(kind)
        present = gdf is not None or path is not None
        rows.append({
            t("layer", lang): kind_label(kind, lang),
            t("rows", lang): fmt_number(len(gdf)) if gdf is not None else ("✓" if path else "—"),
            t("source", lang): (report.source if report is not None else
                                (Path(path).name if path else "—")),
            t("crs", lang): (report.crs_in if report is not None and report.crs_in else
                             (project.crs.name if present else "—")),
            "⬆": "⬆" if kind in over or kind in rover else "",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="layer_status")
    for kind, report in project.reports.items():
        with st.expander(f"{t('load_report', lang)}: {kind_label(kind, lang)}"):
            _report(report, lang)


def _report(report: Any, lang: str) -> None:
    st.text(report.summary(lang))
    rejected = getattr(report, "rejected", [])
    if rejected:
        st.markdown(f"**{t('rejected_rows', lang)}**")
        st.dataframe(pd.DataFrame({
            t("rows", lang): [r.row + 1 for r in rejected],
            "": [r.reason_en if lang == "en" else r.reason_vi for r in rejected],
        }), hide_index=True)


def _upload_section(project: Any, lang: str) -> None:
    from gis.layers.sources import Upload

    st.subheader(t("upload", lang).split("(")[0].strip())
    files = st.file_uploader(t("upload", lang), type=ACCEPTED_TYPES, accept_multiple_files=True,
                             key="uploader")
    if not files:
        return
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    sig = _signature(uploads)
    choice = st.selectbox(t("upload_kind", lang), [_AUTO, *_KINDS], key=f"upload_kind_{sig}",
                          format_func=lambda k: "🔎 auto" if k == _AUTO else kind_label(k, lang))
    cache = st.session_state.setdefault("_upload_reads", {})
    key = (sig, choice)
    if key not in cache:
        workdir = _state.session_dir() / "uploads" / f"{sig}-{choice}"
        province = getattr(getattr(project.params, "load", None), "province", None) or None
        cache[key] = read_upload(uploads, None if choice == _AUTO else choice,
                                 workdir=workdir, analysis_crs=project.crs, province=province)
    outcome: UploadOutcome = cache[key]
    if outcome.error is not None:
        if isinstance(outcome.error, ImportError):
            st.warning(t("readers_missing", lang))
        else:
            show_error(outcome.error, lang, "upload_error")
        return
    st.success(f"{kind_label(outcome.kind, lang)} ({outcome.kind})")
    if outcome.report is not None:
        _report(outcome.report, lang)
    if st.button(t("upload_apply", lang), key=f"apply_{sig}_{choice}", type="primary"):
        if outcome.raster_path is not None:
            _state.set_override(outcome.kind, outcome.raster_path, outcome.report, raster=True)
        else:
            _state.set_override(outcome.kind, outcome.gdf, outcome.report)
        st.session_state["_upload_applied"] = outcome.kind
        st.rerun()


def render() -> None:
    """The Data page."""
    lang = header("page_data", "data_intro")
    sp = _state.session_project()
    if sp is None:
        no_project(lang)
        return
    applied = st.session_state.pop("_upload_applied", None)
    if applied:
        st.success(t("upload_applied", lang, kind=kind_label(applied, lang)))
    _status_table(sp.project, lang)
    if sp.uploaded and st.button(t("reset_layers", lang), key="reset_layers"):
        _state.clear_overrides()
        st.rerun()
    _upload_section(sp.project, lang)
    from gis.app.opendata import render_section

    render_section(sp.project, lang)
