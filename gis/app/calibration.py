"""Parameters page section "Calibration on measurements": upload a drive test, fit, apply.

:func:`render_section` is the user interface: the measurements are uploaded (any format the
readers take), :func:`gis.calibrate` fits the correction on the session's project and
parameters (using the page's run when given, so the predictions are the maps' values), the
groups, the messages and the residual histogram are shown, and the "Apply" button returns the
parameters with the new ``calibration`` section for the page to use in its next run. Nothing is
written to the project folder; the uploaded files live only in this session's temporary
folder while they are read.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from gis.app.widgets import localised, show_error
from gis.errors import GisError
from gis.labels import label
from gis.layers.sources import Upload
from gis.params import RunParams
from gis.pipeline.calibrate import CalibrationResult, calibrate
from gis.report.calibration import group_table, histogram_png

__all__ = ["ACCEPTED_TYPES", "KEY_RESULT", "WORDS", "fit_uploads", "render_section", "word"]

#: File types the uploader takes: the readers' vector formats.
ACCEPTED_TYPES = ["csv", "txt", "tsv", "xlsx", "geojson", "json", "gpkg", "kml", "kmz", "zip",
                  "shp", "shx", "dbf", "prj", "cpg"]
#: Session-state key of the last calibration result.
KEY_RESULT = "_calibration_result"

#: The section's words: key -> (Vietnamese, English).
WORDS: dict[str, tuple[str, str]] = {
    "title": ("Hiệu chỉnh mô hình theo số liệu đo", "Calibration on measurements"),
    "intro": (
        "Tải số liệu đo (drive test như G-NetTrack/TEMS, kết quả đo tốc độ, OpenCelliD): cột "
        "toạ độ, nhà mạng, công nghệ (hoặc băng tần, tần số) và RSRP (dBm). Mỗi nhà mạng và lớp "
        "phủ mặt đất được khớp một độ lệch và một độ dốc theo khoảng cách (hồi quy Huber); hiệu "
        "chỉnh chỉ được áp dụng khi làm giảm RMSE kiểm định chéo 5 lần.",
        "Upload measurements (a G-NetTrack / TEMS drive test, a speed-test export, "
        "OpenCelliD): coordinates, operator, technology (or band, frequency) and RSRP (dBm). "
        "Each operator and land-cover class gets an offset and a distance slope (Huber "
        "regression); a correction is applied only where it lowers the 5-fold cross-validated "
        "RMSE."),
    "upload": ("Tệp số liệu đo", "Measurement file"),
    "fit": ("Hiệu chỉnh", "Calibrate"),
    "running": ("Đang tính vùng phủ và khớp hiệu chỉnh…",
                "Computing the coverage and fitting the calibration…"),
    "groups": ("Các nhóm hiệu chỉnh", "Calibration groups"),
    "none": ("Không nhóm nào hiệu chỉnh được với số liệu này.",
             "No group could be calibrated with these measurements."),
    "apply": ("Áp dụng hiệu chỉnh vào tham số", "Apply the calibration to the parameters"),
    "applied": ("Đã áp dụng: lần chạy tiếp theo dùng hiệu chỉnh này.",
                "Applied: the next run uses this calibration."),
    "read": ("{loaded} / {read} dòng đo được đọc từ {source}.",
             "{loaded} of {read} measurement rows read from {source}."),
}


def word(key: str, lang: str, **fmt: object) -> str:
    """A word of this section in ``lang`` (``"vi"`` or ``"en"``)."""
    text = label(key, lang, WORDS)
    return text.format(**fmt) if fmt else text


def fit_uploads(project: Any, params: RunParams, files: list[Any], *,
                ctx: Any = None) -> CalibrationResult:
    """:func:`gis.calibrate` on uploaded files (objects with ``name`` and ``getvalue()``, or
    :class:`~gis.layers.sources.Upload`); the files are read from memory."""
    uploads = [f if isinstance(f, Upload) else Upload(f.name, f.getvalue()) for f in files]
    return calibrate(project, uploads if len(uploads) > 1 else uploads[0], params, ctx=ctx)


def render_section(project: Any, params: RunParams, lang: str, *,
                   ctx: Any = None) -> RunParams | None:
    """The section; returns ``params`` with the fitted calibration when the user applies it.

    Parameters
    ----------
    project
        The session's project.
    params
        The session's current run parameters.
    lang
        ``"vi"`` or ``"en"``.
    ctx
        The page's run of ``project`` with ``params`` (its coverage is reused), or ``None``
        (the coverage is computed for the fit).
    """
    st.subheader(word("title", lang))
    st.caption(word("intro", lang))
    files = st.file_uploader(word("upload", lang), type=ACCEPTED_TYPES,
                             accept_multiple_files=True, key="calib_files")
    if st.button(word("fit", lang), key="calib_fit", disabled=not files):
        try:
            with st.spinner(word("running", lang)):
                st.session_state[KEY_RESULT] = fit_uploads(project, params, list(files),
                                                            ctx=ctx)
        except GisError as exc:
            st.session_state.pop(KEY_RESULT, None)
            show_error(exc, lang)
    result: CalibrationResult | None = st.session_state.get(KEY_RESULT)
    if result is None:
        return None
    report = result.report
    if report is not None:
        st.write(word("read", lang, loaded=report.rows_loaded, read=report.rows_read,
                      source=report.source))
    for note in result.warnings:
        st.info(note.text(lang))
    fit = result.fit
    if not len(fit.groups):
        st.warning(word("none", lang))
        return None
    st.markdown(f"**{word('groups', lang)}**")
    st.dataframe(localised(group_table(fit, lang), lang), hide_index=True)
    st.image(histogram_png(fit, lang))
    if st.button(word("apply", lang), key="calib_apply", disabled=not fit.params.active):
        st.success(word("applied", lang))
        return params.replace(calibration=fit.params)
    return None
