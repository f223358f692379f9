"""Data page: the status of every layer with its load report, and uploads that go into a layer
for this session only: added to it, replacing only the operators or ids the file contains, or
replacing it, with the layer's row counts before and after and an undo.

Uploads are read by the project's readers (:mod:`gis.layers.read`), which write the bytes only
inside this session's temporary folder and unpack archives safely (:mod:`gis.layers.archive`:
no path traversal, no zip bombs). The coordinate system of a table or a file that does not say
it is chosen here (:func:`crs_choice`, what QGIS offers on import) with the X/Y order; a file
that cannot be used shows its error and changes nothing. Merging is
:func:`gis.layers.merge.merge_layer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import fmt_number, header, no_project, show_error, web_text
from gis.errors import CRSError, GisError, InputFileError
from gis.labels import kind_label
from gis.layers.crs import meridian_for_province
from gis.layers.merge import MergeResult, merge_layer, merge_modes
from gis.layers.read import list_layers, read_any
from gis.layers.schema import RASTER_KINDS, LayerKind

__all__ = ["ACCEPTED_TYPES", "CRS_CHOICES", "MAX_UPLOAD_MB", "CrsChoice", "UploadOutcome",
           "crs_choice", "province_names", "read_upload", "render", "translate_uploader"]

#: File types the uploader accepts: every format the readers take.
ACCEPTED_TYPES = ["shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx", "zip", "gpkg",
                  "geojson", "json", "kml", "kmz", "csv", "txt", "xlsx", "tif", "tiff"]
#: The largest upload accepted, in MB (also ``server.maxUploadSize`` in .streamlit/config.toml,
#: which Streamlit enforces per file; this check applies to the files of one upload together).
MAX_UPLOAD_MB = 200
#: Uploads read and kept for the page's reruns (older reads are dropped: memory).
MAX_READS_KEPT = 3

_AUTO = "__auto__"
_KINDS = [k.value for k in LayerKind] + list(RASTER_KINDS)
_RASTER_SUFFIXES = (".tif", ".tiff")

#: The coordinate systems offered, in order: code -> label key.
CRS_CHOICES = {
    "auto": "crs_auto", "wgs84": "crs_wgs84", "utm48": "crs_utm48", "utm49": "crs_utm49",
    "tm3_province": "crs_tm3_province", "tm3_meridian": "crs_tm3_meridian", "epsg": "crs_epsg",
}
#: X / Y order choices (:data:`gis.layers.coords.AXIS_ORDERS`) -> label key.
AXIS_CHOICES = {"auto": "axis_auto", "yx": "axis_yx", "xy": "axis_xy"}


@dataclass(frozen=True)
class CrsChoice:
    """How to read coordinates a file does not describe: the readers' ``crs`` argument
    (``None``: from the file or the numbers) and ``axis_order``; ``label`` for the page."""

    crs: str | None = None
    axis_order: str = "auto"
    label: str = ""

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.crs, self.axis_order)


@dataclass
class UploadOutcome:
    """The result of reading one upload: what it is, or why it cannot be used."""

    kind: str | None = None
    gdf: Any = None
    raster_path: Path | None = None
    report: Any = None
    error: BaseException | None = None


def read_upload(files: list[Any], kind: str | None, *, workdir: Path, analysis_crs: Any,
                province: str | None = None, crs: str | None = None,
                axis_order: str = "auto", layer: str | None = None) -> UploadOutcome:
    """Read uploaded files (``Upload(name, data)`` objects) with the project's readers.

    ``kind`` is the layer or raster kind, or ``None`` to let the readers guess it from the
    content; ``crs`` / ``axis_order`` say how to read coordinates the file does not describe
    (:func:`gis.layers.read.read_layer`). Every error (including a missing reader) is
    returned, not raised.
    """
    total_mb = sum(len(f.data) for f in files) / 1e6
    if total_mb > MAX_UPLOAD_MB:
        return UploadOutcome(error=InputFileError(
            f"The upload is too large: {total_mb:.1f} MB (at most {MAX_UPLOAD_MB} MB).",
            f"Tệp tải lên quá lớn: {total_mb:.1f} MB (tối đa {MAX_UPLOAD_MB} MB).",
            file=files[0].name if files else None,
            fix="Clip the layer to the planning area, or load it with the command line.",
            fix_vi="Cắt lớp theo khu vực quy hoạch, hoặc nạp bằng dòng lệnh.",
        ))
    source = files[0] if len(files) == 1 else files
    try:
        result = read_any(source, kind=kind, analysis_crs=analysis_crs, province=province,
                          workdir=workdir, crs=crs, axis_order=axis_order, layer=layer)
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


# -- the coordinate system picker ------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def province_names() -> list[str]:
    """The 34 provinces of 2025 and the 63 former ones, as people name them (``Nam Định``),
    sorted, each with a known VN-2000 meridian (:func:`gis.layers.crs.meridian_for_province`)."""
    from gis.analysis.units.data import crosswalk

    cw = crosswalk()
    names = set()
    for name in [*cw.provinces["province"], *cw.former_provinces["former_province"]]:
        short = str(name)
        for prefix in ("Thành phố ", "Tỉnh ", "TP "):
            short = short.removeprefix(prefix)
        try:
            meridian_for_province(short)
        except GisError:
            continue
        names.add(short)
    return sorted(names, key=lambda n: n.lower())


def crs_choice(key: str, lang: str, *, found: str = "", expanded: bool = False) -> CrsChoice:
    """The coordinate system widgets of an upload (WGS84, VN-2000 UTM 48/49, TM-3 by province,
    former or current, or by meridian, an EPSG code) and the X/Y order switch.

    ``found`` is what the file says (pre-filling the automatic choice's caption).
    """
    with st.expander(t("crs_title", lang), expanded=expanded):
        if found:
            st.caption(t("crs_found", lang, crs=found))
        code = st.selectbox(t("crs_choose", lang), list(CRS_CHOICES), key=f"crs_{key}",
                            format_func=lambda c: t(CRS_CHOICES[c], lang))
        crs: str | None = None
        label = t(CRS_CHOICES[code], lang)
        if code == "wgs84":
            crs = "EPSG:4326"
        elif code in ("utm48", "utm49"):
            crs = f"vn2000-utm:{code[-2:]}"
        elif code == "tm3_province":
            c1, c2 = st.columns(2)
            names = province_names()
            province = c1.selectbox(t("crs_province", lang), names, key=f"crs_prov_{key}")
            standard = c2.radio(t("crs_standard", lang), ["tt973", "tt24"],
                                key=f"crs_std_{key}",
                                format_func=lambda s: t(f"crs_{s}", lang))
            lon0 = meridian_for_province(province, standard=standard)
            crs = f"vn2000-tm3:{lon0:g}"
            label = f"VN-2000 / TM-3 {lon0:g}° ({province})"
            st.caption(t("crs_meridian_is", lang, lon0=f"{lon0:g}"))
        elif code == "tm3_meridian":
            lon0 = st.number_input(t("crs_meridian", lang), min_value=102.0, max_value=117.75,
                                   value=105.5, step=0.25, format="%.2f", key=f"crs_lon0_{key}")
            crs = f"vn2000-tm3:{float(lon0):g}"
            label = f"VN-2000 / TM-3 {float(lon0):g}°"
        elif code == "epsg":
            text = st.text_input(t("crs_epsg_code", lang), value="", key=f"crs_epsg_{key}",
                                 placeholder="3405")
            digits = "".join(ch for ch in text if ch.isdigit())
            crs = f"EPSG:{digits}" if digits else None
            label = crs or label
        axis = st.radio(t("axis_title", lang), list(AXIS_CHOICES), key=f"axis_{key}",
                        horizontal=True, format_func=lambda a: t(AXIS_CHOICES[a], lang))
    return CrsChoice(crs=crs, axis_order=axis, label=label)


# -- Streamlit's own words of the uploader -----------------------------------------------------

def translate_uploader(lang: str) -> None:
    """Streamlit's uploader writes its own words in English whatever the page's language
    ("200MB per file", "Upload"; "Drag and drop files here", "Browse files" in older versions)
    and has no option to change them; in Vietnamese this style sheet hides them and shows the
    Vietnamese words instead (the list of file types stays in the label above)."""
    if lang != "vi":
        return
    drop, limit, browse = t("uploader_drop", lang), t("uploader_limit", lang, mb=MAX_UPLOAD_MB), \
        t("uploader_browse", lang)
    st.markdown(
        "<style>"
        "[data-testid='stFileUploaderDropzoneInstructions'] span {display:none}"
        "[data-testid='stFileUploaderDropzoneInstructions'] small {display:none}"
        "[data-testid='stFileUploaderDropzoneInstructions'] > div::before "
        f"{{content:'{drop}'; display:block}}"
        "[data-testid='stFileUploaderDropzoneInstructions'] > div::after "
        f"{{content:'{limit}'; display:block; font-size:0.8em; opacity:.7}}"
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p "
        "{display:none}"
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']::after "
        f"{{content:'{browse}'}}"
        "</style>", unsafe_allow_html=True)


# -- the page ---------------------------------------------------------------------------------

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
            t("rows", lang): fmt_number(len(gdf), lang=lang) if gdf is not None
            else ("✓" if path else "—"),
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
    st.text(web_text(report.summary(lang), lang))
    rejected = getattr(report, "rejected", [])
    if rejected:
        st.markdown(f"**{t('rejected_rows', lang)}**")
        st.dataframe(pd.DataFrame({
            t("rows", lang): [r.row + 1 for r in rejected],
            "": [r.reason_en if lang == "en" else r.reason_vi for r in rejected],
        }), hide_index=True)


def _counts_table(result: MergeResult, lang: str) -> pd.DataFrame:
    keys = list(dict.fromkeys([*result.before, *result.after]))
    return pd.DataFrame({
        t("operator_col", lang): [t("all_rows", lang) if k == "" else k for k in keys],
        t("rows_before", lang): [fmt_number(result.before.get(k, 0), lang=lang) for k in keys],
        t("rows_after", lang): [fmt_number(result.after.get(k, 0), lang=lang) for k in keys],
    })


def _read_cached(uploads: list[Any], sig: str, choice: str, coords: CrsChoice,
                 project: Any, layer: str | None) -> UploadOutcome:
    cache = st.session_state.setdefault("_upload_reads", {})
    key = (sig, choice, coords.key, layer)
    if key not in cache:
        workdir = _state.session_dir() / "uploads" / f"{sig}-{len(cache)}"
        cache[key] = read_upload(uploads, None if choice == _AUTO else choice,
                                 workdir=workdir, analysis_crs=project.crs,
                                 crs=coords.crs, axis_order=coords.axis_order, layer=layer)
        while len(cache) > MAX_READS_KEPT:
            cache.pop(next(iter(cache)))
    return cache[key]


def _layer_picker(uploads: list[Any], sig: str, lang: str) -> str | None:
    """A GeoPackage with several layers, an XLSX with several sheets: which one."""
    names_cache = st.session_state.setdefault("_upload_layers", {})
    if sig not in names_cache:
        try:
            names_cache.clear()
            names_cache[sig] = list_layers(uploads[0] if len(uploads) == 1 else uploads,
                                           workdir=_state.session_dir() / "uploads" / "list")
        except GisError:
            names_cache[sig] = []
    names = names_cache[sig]
    if len(names) < 2:
        return None
    return st.selectbox(t("upload_layer", lang), names, key=f"upload_layer_{sig}")


def _apply_section(project: Any, outcome: UploadOutcome, sig: str, lang: str) -> None:
    kind = outcome.kind
    if outcome.raster_path is not None:
        if st.button(t("upload_apply", lang), key=f"apply_{sig}_{kind}", type="primary"):
            _state.set_override(kind, outcome.raster_path, outcome.report, raster=True,
                                note=kind_label(kind, lang))
            st.session_state["_upload_applied"] = (kind, None)
            st.rerun()
        return
    base = project.layers.get(kind)
    modes = merge_modes(kind, base, outcome.gdf)
    mode = st.radio(t("upload_mode", lang), modes, key=f"mode_{sig}_{kind}",
                    format_func=lambda m: t(f"mode_{m}", lang), horizontal=False)
    result = merge_layer(base, outcome.gdf, mode, kind=kind)
    st.caption(t("upload_counts", lang))
    st.dataframe(_counts_table(result, lang), hide_index=True, key=f"counts_{sig}")
    if result.renamed:
        st.info(t("upload_renamed", lang, n=len(result.renamed),
                  ids=", ".join(f"{a} → {b}" for a, b in list(result.renamed.items())[:5])))
    if result.removed and mode != "add":
        st.warning(t("upload_removes", lang, n=fmt_number(result.removed, lang=lang)))
    if st.button(t("upload_apply", lang), key=f"apply_{sig}_{kind}", type="primary"):
        _state.set_override(kind, result.layer, outcome.report,
                            note=f"{kind_label(kind, lang)}: {t(f'mode_{mode}', lang)}")
        st.session_state["_upload_applied"] = (kind, result)
        st.rerun()


def _upload_section(project: Any, lang: str) -> None:
    from gis.layers.sources import Upload, upload_signature

    st.subheader(t("upload", lang).split("(")[0].strip())
    translate_uploader(lang)
    files = st.file_uploader(t("upload", lang), type=ACCEPTED_TYPES, accept_multiple_files=True,
                             key="uploader")
    if not files:
        return
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    sig = upload_signature(uploads)
    raster = all(Path(u.name).suffix.lower() in _RASTER_SUFFIXES for u in uploads)
    c1, c2 = st.columns(2)
    choice = c1.selectbox(t("upload_kind", lang), [_AUTO, *_KINDS], key=f"upload_kind_{sig}",
                          format_func=lambda k: t("kind_auto", lang) if k == _AUTO
                          else kind_label(k, lang))
    with c2:
        layer = None if raster else _layer_picker(uploads, sig, lang)
    coords = CrsChoice()
    if not raster:
        # first as the file says; the picker shows what was found and can override it
        found = _read_cached(uploads, sig, choice, CrsChoice(), project, layer)
        said = getattr(found.report, "crs_in", "") if found.error is None else ""
        note = getattr(found.report, "crs_note_vi" if lang == "vi" else "crs_note", "") \
            if found.error is None else ""
        coords = crs_choice(sig, lang, found=f"{said} ({note})" if said else "",
                            expanded=isinstance(found.error, CRSError))
    outcome = _read_cached(uploads, sig, choice, coords, project, layer)
    if outcome.error is not None:
        show_error(outcome.error, lang, "upload_error")
        if isinstance(outcome.error, CRSError):
            st.info(t("crs_hint", lang))
        return
    msg = f"{kind_label(outcome.kind, lang)} · {len(outcome.gdf) if outcome.gdf is not None else ''}"
    if outcome.report is not None and getattr(outcome.report, "crs_in", ""):
        msg += f" · {t('crs', lang)}: {outcome.report.crs_in}"
    st.success(msg.rstrip(" ·"))
    if outcome.report is not None:
        with st.expander(t("load_report", lang)):
            _report(outcome.report, lang)
    _apply_section(project, outcome, sig, lang)


def _undo_section(lang: str) -> None:
    past = _state.history()
    if not past:
        return
    last = past[-1][2]
    if st.button(t("undo", lang, what=last), key="undo_layers"):
        note = _state.undo()
        st.session_state["_upload_undone"] = note
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
        kind, result = applied
        text = t("upload_applied", lang, kind=kind_label(kind, lang))
        if result is not None:
            text += " " + t("upload_applied_counts", lang,
                            before=fmt_number(result.before[""], lang=lang),
                            after=fmt_number(result.after[""], lang=lang))
        st.success(text)
    undone = st.session_state.pop("_upload_undone", None)
    if undone:
        st.info(t("undone", lang, what=undone))
    _status_table(sp.project, lang)
    c1, c2 = st.columns(2)
    with c1:
        _undo_section(lang)
    if sp.uploaded and c2.button(t("reset_layers", lang), key="reset_layers"):
        _state.clear_overrides()
        st.rerun()
    _upload_section(sp.project, lang)
    from gis.app.opendata import render_section

    render_section(sp.project, lang)
