"""Export page: a download button for every export of a run.

Files are made only when their button is pressed (Streamlit calls the ``data`` function then),
by the project's writers (:mod:`gis.export.writers`, :func:`gis.pipeline.write.write_run`), inside
this session's temporary folder.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from gis.analysis.status import uncovered_hamlets
from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import header, project_and_run
from gis.export.writers import export_table, write_csv
from gis.pipeline.write import write_run

__all__ = ["UNCOVERED_FORMATS", "render", "uncovered_file", "zip_folder"]

#: Uncovered-list format -> (file suffix, MIME type).
UNCOVERED_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "geojson": (".geojson", "application/geo+json"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "kmz": (".kmz", "application/vnd.google-earth.kmz"),
    "shp": (".zip", "application/zip"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
}


def zip_folder(folder: str | Path) -> bytes:
    """The files under ``folder`` as the bytes of a zip (paths relative to the folder)."""
    folder = Path(folder)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def _scratch() -> Path:
    """A new folder inside this session's temporary folder."""
    return Path(tempfile.mkdtemp(prefix="export-", dir=_state.session_dir()))


def uncovered_file(ctx: Any, fmt: str, lang: str, *,
                   scratch: Callable[[], Path] = _scratch) -> Callable[[], bytes]:
    """A function making the uncovered-hamlet list in ``fmt`` (a key of
    :data:`UNCOVERED_FORMATS`) with the project's writers; returns the file's bytes."""
    def make() -> bytes:
        frame = uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang)
        suffix = UNCOVERED_FORMATS[fmt][0]
        path = export_table(frame, scratch() / f"uncovered_hamlets{suffix}", fmt, lang=lang,
                            layer="uncovered_hamlets")
        return Path(path).read_bytes()

    return make


def _run_folder(ctx: Any, lang: str) -> Path:
    """The files of :func:`gis.pipeline.write.write_run` for this run and language, written once per
    session into its temporary folder."""
    made = st.session_state.setdefault("_run_folders", {})
    key = (st.session_state.get(_state.KEY_LAST_RUN, ""), lang)
    folder = made.get(key)
    if folder is None or not Path(folder).is_dir():
        folder = write_run(ctx, _scratch() / "run", lang=lang)
        made[key] = folder
    return Path(folder)


def _table_csv(table: Any, name: str, *,
               scratch: Callable[[], Path] = _scratch) -> Callable[[], bytes]:
    def make() -> bytes:
        return write_csv(table, scratch() / f"{name}.csv").read_bytes()

    return make


def _project_zip(project: Any) -> Callable[[], bytes]:
    def make() -> bytes:
        folder = _scratch() / "project"
        project.save(folder)
        return zip_folder(folder)

    return make


def _report_file(ctx: Any, name: str, lang: str) -> Callable[[], bytes]:
    def make() -> bytes:
        return (_run_folder(ctx, lang) / name).read_bytes()

    return make


def render() -> None:
    """The Export page."""
    lang = header("page_export", "export_intro")
    project, ctx = project_and_run(lang)
    if ctx is None:
        st.info(t("not_computed_long", lang))
        return
    key = st.session_state.get(_state.KEY_LAST_RUN, "run")[:12]

    st.subheader(t("export_uncovered", lang))
    cols = st.columns(len(UNCOVERED_FORMATS))
    for col, (fmt, (suffix, mime)) in zip(cols, UNCOVERED_FORMATS.items(), strict=True):
        col.download_button(fmt.upper(), data=uncovered_file(ctx, fmt, lang),
                            file_name=f"thon_chua_phu_{lang}{suffix}" if lang == "vi"
                            else f"uncovered_hamlets{suffix}", mime=mime,
                            key=f"dl_unc_{fmt}_{lang}_{key}", on_click="ignore")

    st.subheader(t("export_report", lang))
    c1, c2 = st.columns(2)
    c1.download_button("report.xlsx", data=_report_file(ctx, "report.xlsx", lang),
                       file_name="report.xlsx", key=f"dl_report_xlsx_{lang}_{key}",
                       on_click="ignore")
    c2.download_button("report.html", data=_report_file(ctx, "report.html", lang),
                       file_name="report.html", mime="text/html",
                       key=f"dl_report_html_{lang}_{key}", on_click="ignore")

    st.subheader(t("export_tables", lang))
    tables = {"hamlets": ctx.hamlets, **ctx.tables}
    cols = st.columns(4)
    for i, (name, table) in enumerate(tables.items()):
        cols[i % 4].download_button(f"{name}.csv", data=_table_csv(table, name),
                                    file_name=f"{name}.csv", mime="text/csv",
                                    key=f"dl_table_{name}_{key}", on_click="ignore")

    st.subheader(t("export_rasters", lang))
    if ctx.rasters:
        cols = st.columns(4)
        for i, (name, path) in enumerate(sorted(ctx.rasters.items())):
            cols[i % 4].download_button(f"{name}.tif", data=Path(path).read_bytes,
                                        file_name=f"{name}.tif", mime="image/tiff",
                                        key=f"dl_raster_{name}_{key}", on_click="ignore")
    else:
        st.caption(t("not_computed", lang))

    st.subheader(t("export_project", lang))
    c1, c2 = st.columns(2)
    c1.download_button(t("export_project", lang), data=_project_zip(project),
                       file_name="project.zip", mime="application/zip",
                       key=f"dl_project_{key}", on_click="ignore")
    c2.download_button(t("export_run", lang), data=lambda: zip_folder(_run_folder(ctx, lang)),
                       file_name="run.zip", mime="application/zip", key=f"dl_run_{lang}_{key}",
                       on_click="ignore")
