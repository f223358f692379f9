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

from gis.app.i18n import t
from gis.app.widgets import localised, show_error
from gis.errors import GisError
from gis.layers.sources import Upload
from gis.params import RunParams
from gis.pipeline.calibrate import CalibrationResult, calibrate
from gis.report.calibration import group_table, histogram_png

__all__ = ["ACCEPTED_TYPES", "KEY_RESULT", "fit_uploads", "render_section"]

#: File types the uploader takes: the readers' vector formats.
ACCEPTED_TYPES = ["csv", "txt", "tsv", "xlsx", "geojson", "json", "gpkg", "kml", "kmz", "zip",
                  "shp", "shx", "dbf", "prj", "cpg"]
#: Session-state key of the last calibration result.
KEY_RESULT = "_calibration_result"



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
    st.subheader(t("calib_title", lang))
    st.caption(t("calib_intro", lang))
    files = st.file_uploader(t("calib_upload", lang), type=ACCEPTED_TYPES,
                             accept_multiple_files=True, key="calib_files")
    if st.button(t("calib_fit", lang), key="calib_fit", disabled=not files):
        try:
            with st.spinner(t("calib_running", lang)):
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
        st.write(t("calib_read", lang, loaded=report.rows_loaded, read=report.rows_read,
                      source=report.source))
    for note in result.warnings:
        st.info(note.text(lang))
    fit = result.fit
    if not len(fit.groups):
        st.warning(t("calib_none", lang))
        return None
    st.markdown(f"**{t('calib_groups', lang)}**")
    st.dataframe(localised(group_table(fit, lang), lang), hide_index=True)
    st.image(histogram_png(fit, lang))
    if st.button(t("calib_apply", lang), key="calib_apply", disabled=not fit.params.active):
        st.success(t("calib_applied", lang))
        return params.replace(calibration=fit.params)
    return None
