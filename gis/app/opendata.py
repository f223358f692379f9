"""Data page section "Import open data": OpenStreetMap, OpenCelliD, DEM tiles and population
rasters imported with :mod:`gis.opendata` into this session's project only.

The import runs on a copy of the session's project (the base project on disk is never written,
nor is anything of another session); the uploaded files and the rasters the importers write go
only into this session's temporary folder. Only the layers the importer produced replace the
session's layers (as session overrides, like an upload); on any error the session's data is
left exactly as it was and the error is shown in the session's language.

:func:`run_import` does the work without Streamlit (tested on its own); :func:`render_section`
is the page's thin user interface.
"""

from __future__ import annotations

import math
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from gis.app import _state
from gis.app.i18n import t
from gis.errors import GisError, InputFileError, ValidationError
from gis.labels import kind_label
from gis.layers.sources import Upload, materialise, upload_signature
from gis.opendata import OsmParams
from gis.opendata.osm import OSM_LAYERS
from gis.opendata.source import import_source
from gis.opendata.target import project_area
from gis.project import Project

__all__ = [
    "KEY_DONE",
    "MAX_IMPORT_MB",
    "SOURCES",
    "ImportOutcome",
    "OpenSource",
    "extent_bbox",
    "render_section",
    "run_import",
]

#: The largest set of files one import takes together, in MB. Streamlit's own per-file limit
#: (``server.maxUploadSize``) applies first; a province's OSM extract is a few tens of MB, a
#: whole-country extract belongs in the CLI (``python -m gis import osm``), which streams it.
MAX_IMPORT_MB = 400
#: Session-state key of the last successful import, shown once after the page reruns.
KEY_DONE = "_opendata_done"


@dataclass(frozen=True)
class OpenSource:
    """One open-data source the section offers."""

    key: str
    label_vi: str
    label_en: str
    types: tuple[str, ...]    # file extensions the uploader accepts (no dot)
    multiple: bool            # several files at once (tiles)

    def label(self, lang: str) -> str:
        """The source's name in ``lang``."""
        return self.label_en if lang == "en" else self.label_vi


#: The sources, in the order shown.
SOURCES: dict[str, OpenSource] = {s.key: s for s in (
    OpenSource("osm", "OpenStreetMap (.osm.pbf, .osm, Overpass JSON)",
               "OpenStreetMap (.osm.pbf, .osm, Overpass JSON)",
               ("pbf", "osm", "json", "gz", "bz2"), False),
    OpenSource("opencellid", "OpenCelliD (CSV, .csv.gz): trạm BTS ước tính",
               "OpenCelliD (CSV, .csv.gz): estimated BTS sites", ("csv", "gz"), False),
    OpenSource("dem", "Mô hình độ cao: ô SRTM .hgt / GeoTIFF (Copernicus GLO-30)",
               "Elevation model: SRTM .hgt / GeoTIFF tiles (Copernicus GLO-30)",
               ("hgt", "zip", "tif", "tiff"), True),
    OpenSource("population", "Dân số: GeoTIFF WorldPop / HRSL",
               "Population: WorldPop / HRSL GeoTIFF", ("tif", "tiff"), True),
)}



@dataclass
class ImportOutcome:
    """What one import produced for the session, or why it failed.

    ``layers`` maps a layer kind to ``(GeoDataFrame, LoadReport)`` and ``rasters`` a raster kind
    to ``(GeoTIFF path in the session folder, LoadReport)``: exactly the layers the importer
    added or replaced. ``error`` is set (and both are empty) when the import failed.
    """

    source: str
    area: str | None = None
    layers: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    rasters: dict[str, tuple[Path, Any]] = field(default_factory=dict)
    error: BaseException | None = None

    @property
    def kinds(self) -> list[str]:
        """The imported layer and raster kinds."""
        return [*self.layers, *self.rasters]


def extent_bbox(project: Project) -> str | None:
    """The lon/lat extent of the project's layers as ``"minlon,minlat,maxlon,maxlat"``.

    Rounded outwards to 1e-4° (about 11 m), so that the box still holds every feature;
    ``None`` when the project has no vector layer.
    """
    area = project_area(project)
    if area is None:
        return None
    minx, miny, maxx, maxy = area.bounds
    q = 1e4
    return ",".join(f"{v:.4f}" for v in (math.floor(minx * q) / q, math.floor(miny * q) / q,
                                          math.ceil(maxx * q) / q, math.ceil(maxy * q) / q))


def _copy(project: Project) -> Project:
    """A new Project holding the same layer objects: the importers only rebind its dicts."""
    return Project(name=project.name, crs=project.crs, layers=dict(project.layers),
                   rasters=dict(project.rasters), params=project.params,
                   reports=dict(project.reports), folder=None)


def _too_big(uploads: list[Upload]) -> InputFileError | None:
    total_mb = sum(len(u.data) for u in uploads) / 1e6
    if total_mb <= MAX_IMPORT_MB:
        return None
    return InputFileError(
        f"The files are too large together: {total_mb:.1f} MB (at most {MAX_IMPORT_MB} MB).",
        f"Các tệp quá lớn: {total_mb:.1f} MB (tối đa {MAX_IMPORT_MB} MB).",
        file=uploads[0].name,
        fix="Cut the extract to the province first (e.g. osmium extract), or import it with the "
            "CLI: python -m gis import osm FILE --area ... --out PROJECT.",
        fix_vi="Cắt dữ liệu theo tỉnh trước (ví dụ osmium extract), hoặc nhập bằng dòng lệnh: "
               "python -m gis import osm FILE --area ... --out PROJECT.",
    )


def run_import(source: str, uploads: list[Upload], project: Project, *, workdir: Path,
               area: str | None = None, osm_layers: tuple[str, ...] | None = None
               ) -> ImportOutcome:
    """Import uploaded open-data files into a copy of ``project``; never raises.

    Parameters
    ----------
    source
        ``"osm"``, ``"opencellid"``, ``"dem"`` or ``"population"`` (:data:`SOURCES`).
    uploads
        The uploaded files (``Upload(name, data)``); written only inside ``workdir``.
    project
        The session's project. It is not modified: the import runs on a copy.
    workdir
        A folder of this session: the uploads are copied into it while they are read (and
        removed after), the rasters are written there; removed whole when the import fails.
    area
        A bbox ``"minlon,minlat,maxlon,maxlat"`` in degrees, or ``None`` for the extent of
        the project's layers.
    osm_layers
        For OpenStreetMap: the layers to produce (default all of
        :data:`gis.opendata.osm.OSM_LAYERS`).

    Returns
    -------
    ImportOutcome
        The layers and rasters the importer added or replaced, or the error (a
        :class:`~gis.errors.GisError`; any other exception is wrapped in an
        :class:`~gis.errors.InputFileError` naming the file).
    """
    out = ImportOutcome(source)
    if source not in SOURCES:
        out.error = InputFileError(f"Unknown open-data source {source!r}.",
                                   f"Nguồn dữ liệu mở không hợp lệ {source!r}.")
        return out
    if not uploads:
        out.error = InputFileError("No file was given.", "Chưa chọn tệp nào.",
                                   fix="Choose the file(s) to import.",
                                   fix_vi="Chọn (các) tệp cần nhập.")
        return out
    out.error = _too_big(uploads)
    if out.error is not None:
        return out
    copy = _copy(project)
    files_dir = workdir / "files"
    try:
        spec = area if area and area.strip() else extent_bbox(project)
        if spec is None:
            raise ValidationError(
                "The area has no layers yet, so the import needs a bounding box.",
                "Khu vực chưa có lớp nào nên cần nhập khung toạ độ.",
                fix="Type the box as 'minlon,minlat,maxlon,maxlat', e.g. '105.8,21.0,105.9,21.1'.",
                fix_vi="Nhập khung 'minlon,minlat,maxlon,maxlat', ví dụ '105.8,21.0,105.9,21.1'.",
            )
        out.area = spec
        paths = materialise(uploads, files_dir)[0]
        osm = OsmParams(layers=tuple(osm_layers)) if osm_layers else None
        import_source(source, paths, spec, copy, osm=osm, out_dir=workdir)
    except GisError as exc:
        out.error = exc
    except Exception as exc:  # a reader library's own error: say which file, and the fix
        out.error = InputFileError(
            f"The file could not be imported: {type(exc).__name__}: {exc}.",
            f"Không nhập được tệp: {type(exc).__name__}: {exc}.",
            file=uploads[0].name,
            fix=f"Check that the file is of the kind chosen ({SOURCES[source].label_en}) and is "
            "complete.",
            fix_vi=f"Kiểm tra tệp đúng loại {SOURCES[source].label_vi} và không bị hỏng.",
        )
    finally:  # the copies of the uploads are read: free the space (an OSM extract is large)
        shutil.rmtree(files_dir, ignore_errors=True)
    if out.error is not None:
        shutil.rmtree(workdir, ignore_errors=True)
        return out
    for kind, gdf in copy.layers.items():
        if project.layers.get(kind) is not gdf:
            out.layers[kind] = (gdf, copy.reports.get(kind))
    for kind, path in copy.rasters.items():
        if project.rasters.get(kind) != path:
            out.rasters[kind] = (path, copy.reports.get(kind))
    return out


def _show_outcome(outcome: ImportOutcome, lang: str) -> None:

    label = SOURCES[outcome.source].label(lang).split(" (")[0].split(":")[0]
    kinds = ", ".join(kind_label(k, lang) for k in outcome.kinds)
    st.success(t("od_done", lang, source=label, area=outcome.area, kinds=kinds))
    for kind, (value, report) in {**outcome.layers, **outcome.rasters}.items():
        rows = f" · {len(value):,}" if hasattr(value, "__len__") and not isinstance(
            value, str | Path) else ""
        with st.expander(f"{t('load_report', lang)}: {kind_label(kind, lang)}{rows}",
                         expanded=True):
            if report is not None:
                st.text(report.summary(lang))


def render_section(project: Project, lang: str) -> None:
    """The "Import open data" section of the Data page, for this session's ``project``."""
    st.subheader(t("od_title", lang))
    st.caption(t("od_intro", lang))
    last = st.session_state.pop(KEY_DONE, None)
    if last is not None:
        _show_outcome(last, lang)
    key = st.selectbox(t("od_source", lang), list(SOURCES), key="od_source",
                       format_func=lambda k: SOURCES[k].label(lang))
    src = SOURCES[key]
    files = st.file_uploader(t("od_files", lang), type=list(src.types),
                             accept_multiple_files=src.multiple, key=f"od_files_{key}")
    files = [f for f in (files if isinstance(files, list) else [files]) if f is not None]
    osm_layers = None
    if key == "osm":
        osm_layers = tuple(st.multiselect(t("od_osm_layers", lang), list(OSM_LAYERS),
                                          default=list(OSM_LAYERS), key="od_osm_layers",
                                          format_func=lambda k: kind_label(k, lang)))
    extent = extent_bbox(project)
    modes = ["extent", "bbox"] if extent else ["bbox"]
    mode = st.radio(t("od_area", lang), modes, key="od_area_mode", horizontal=True,
                    format_func=lambda m: t("od_area_extent", lang, bbox=extent) if m == "extent"
                    else t("od_area_bbox", lang))
    area = extent
    if mode == "bbox":
        if not extent:
            st.caption(t("od_no_extent", lang))
        area = st.text_input(t("od_bbox", lang), value=extent or "", key="od_bbox",
                             placeholder="105.80,20.90,105.95,21.05")
    ready = bool(files) and osm_layers != ()
    if not st.button(t("od_button", lang), key="od_import", type="primary", disabled=not ready):
        return
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    workdir = _state.session_dir() / "opendata" / f"{upload_signature(uploads)}-{uuid.uuid4().hex[:8]}"
    with st.spinner(t("od_running", lang)):
        outcome = run_import(key, uploads, project, workdir=workdir, area=area,
                             osm_layers=osm_layers)
    if outcome.error is not None:
        err = outcome.error
        msg = err.message(lang) if isinstance(err, GisError) else f"{type(err).__name__}: {err}"
        from gis.app.widgets import web_text

        st.error(f"{t('od_failed', lang)}: {web_text(msg, lang)}")
        return
    for kind, (gdf, report) in outcome.layers.items():
        _state.set_override(kind, gdf, report)
    for kind, (path, report) in outcome.rasters.items():
        _state.set_override(kind, path, report, raster=True)
    st.session_state[KEY_DONE] = outcome
    st.rerun()
