"""Export page: a download button for every export of a run, each saying how many rows it has,
the planner's short uncovered list beside the full one, and the yearly comparison with an
earlier run (:mod:`gis.analysis.compare`, :mod:`gis.report.compare`).

Files are made only when their button is pressed (Streamlit calls the ``data`` function then),
by the project's writers (:mod:`gis.export.writers`, :func:`gis.pipeline.write.write_run`), inside
this session's temporary folder. What people open is in the page's language
(:func:`gis.locale.readable`); the GIS formats keep the canonical names.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gis.analysis.status import uncovered_hamlets
from gis.app import _state
from gis.app.i18n import t
from gis.app.results import short_uncovered
from gis.app.widgets import fmt_number, header, localised, project_and_computed_run, show_error
from gis.errors import GisError, InputFileError
from gis.export.writers import export_table
from gis.labels import table_label
from gis.pipeline.write import write_run

__all__ = ["UNCOVERED_FORMATS", "compare_with", "find_run_folder", "render", "short_file",
           "uncovered_file", "zip_folder"]

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
#: The largest earlier-run zip the comparison takes, in MB.
MAX_COMPARE_MB = 300


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


def short_file(ctx: Any, fmt: str, lang: str, *,
               scratch: Callable[[], Path] = _scratch) -> Callable[[], bytes]:
    """The planner's short uncovered list (:func:`gis.app.results.short_uncovered`) as CSV or
    XLSX, in ``lang``."""
    def make() -> bytes:
        frame = short_uncovered(uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang))
        path = export_table(frame, scratch() / f"uncovered_short.{fmt}", fmt, lang=lang,
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
        made.clear()        # one run folder per session: the older ones are not shown again
        folder = write_run(ctx, _scratch() / "run", lang=lang)
        made[key] = folder
    return Path(folder)


def _table_file(table: Any, name: str, lang: str, fmt: str = "csv", *,
                scratch: Callable[[], Path] = _scratch) -> Callable[[], bytes]:
    def make() -> bytes:
        return export_table(table, scratch() / f"{name}.{fmt}", fmt, lang=lang,
                            layer=name).read_bytes()

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


def _rows(n: int, lang: str) -> str:
    return t("n_rows", lang, n=fmt_number(n, lang=lang))


# -- the yearly comparison -------------------------------------------------------------------

def find_run_folder(root: Path) -> Path:
    """The folder under ``root`` that holds a run (its ``hamlets.csv``), shallowest first."""
    found = sorted(root.rglob("hamlets.csv"), key=lambda p: len(p.parts))
    if not found:
        raise InputFileError(
            "The zip holds no run: hamlets.csv is missing.",
            "Tệp zip không chứa kết quả lần chạy: thiếu hamlets.csv.",
            fix="Upload the 'All results of the run (zip)' of the earlier run, or a zipped "
                "output folder of a run.",
            fix_vi="Tải lên tệp « Toàn bộ kết quả lần chạy (zip) » của lần chạy trước, hoặc "
                   "thư mục kết quả đã nén.")
    return found[0].parent


def compare_with(earlier: Path, now: Path) -> tuple[dict[str, pd.DataFrame], Any, Any]:
    """The comparison of the run folder ``earlier`` (then) with ``now``: the tables of
    :func:`gis.analysis.compare.compare_runs` and the two runs read."""
    from gis.analysis.compare import compare_runs
    from gis.report.compare import read_run_folder

    a, b = read_run_folder(earlier), read_run_folder(now)
    return compare_runs(a, b), a, b


def _compare_section(ctx: Any, lang: str, key: str) -> None:
    st.subheader(t("compare_title", lang))
    st.caption(t("compare_intro", lang))
    up = st.file_uploader(t("compare_upload", lang), type=["zip"], key="compare_zip")
    if up is None:
        return
    data = up.getvalue()
    if len(data) / 1e6 > MAX_COMPARE_MB:
        st.error(t("upload_too_big", lang, mb=len(data) / 1e6, max_mb=MAX_COMPARE_MB))
        return
    c1, c2 = st.columns(2)
    year = c1.number_input(t("compare_year", lang), min_value=2015, max_value=2100,
                           value=pd.Timestamp.now().year, step=1, key="compare_year")
    plan = c2.text_input(t("compare_plan", lang), value="", key="compare_plan")
    cache = st.session_state.setdefault("_compare", {})
    ck = (hash(data), key, lang)
    if ck not in cache:
        from gis.layers.archive import safe_extract

        cache.clear()
        try:
            work = _scratch()
            (work / "earlier.zip").write_bytes(data)
            safe_extract(work / "earlier.zip", work / "earlier")
            tables, a, b = compare_with(find_run_folder(work / "earlier"),
                                        _run_folder(ctx, lang))
            cache[ck] = (tables, a, b, None)
        except GisError as exc:
            cache[ck] = (None, None, None, exc)
    tables, a, b, error = cache[ck]
    if error is not None:
        show_error(error, lang, "compare_failed")
        return
    units = tables["compare_units"]
    area = units[units["scope_level"] == "area"]
    if len(area):
        row = area.iloc[0]
        cols = st.columns(3)
        for col, short, label in zip(cols, ("4g", "5g", "ftth"), ("4G", "5G", "FTTH"),
                                     strict=True):
            col.metric(t("compare_metric", lang, service=label),
                       fmt_number(row.get(f"{short}_b"), lang=lang),
                       delta=f"+{fmt_number(row.get(f'{short}_newly_covered'), lang=lang)} / "
                             f"-{fmt_number(row.get(f'{short}_lost'), lang=lang)}",
                       delta_arrow="off")
    if units.attrs.get("rekeyed"):
        st.info(t("compare_rekeyed", lang))
    st.dataframe(localised(units, lang), hide_index=True, width="stretch",
                 key="compare_units_table")

    def report(name: str) -> Callable[[], bytes]:
        def make() -> bytes:
            from gis.report.compare import write_compare

            folder = _scratch() / "compare"
            write_compare(tables, folder, a, b, year=int(year), plan=plan or None, lang=lang)
            return (folder / name).read_bytes()

        return make

    c1, c2 = st.columns(2)
    c1.download_button("compare.xlsx", data=report("compare.xlsx"), file_name="compare.xlsx",
                       key=f"dl_compare_xlsx_{key}", on_click="ignore")
    c2.download_button("compare.html", data=report("compare.html"), file_name="compare.html",
                       mime="text/html", key=f"dl_compare_html_{key}", on_click="ignore")


# -- the page ---------------------------------------------------------------------------------

def render() -> None:
    """The Export page."""
    lang = header("page_export", "export_intro")
    project, ctx = project_and_computed_run(lang)
    key = st.session_state.get(_state.KEY_LAST_RUN, "run")[:12]

    st.subheader(t("export_uncovered", lang))
    n_unc = len(uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang))
    st.caption(t("export_uncovered_rows", lang, rows=_rows(n_unc, lang)))
    st.markdown(f"**{t('export_short', lang)}**")
    cols = st.columns(4)
    for col, fmt in zip(cols, ("csv", "xlsx"), strict=False):
        col.download_button(f"{fmt.upper()} · {_rows(n_unc, lang)}",
                            data=short_file(ctx, fmt, lang),
                            file_name=(f"thon_chua_phu_rut_gon.{fmt}" if lang == "vi"
                                       else f"uncovered_short.{fmt}"),
                            key=f"dl_short_{fmt}_{lang}_{key}", on_click="ignore")
    st.markdown(f"**{t('export_full', lang)}**")
    cols = st.columns(len(UNCOVERED_FORMATS))
    for col, (fmt, (suffix, mime)) in zip(cols, UNCOVERED_FORMATS.items(), strict=True):
        col.download_button(fmt.upper(), data=uncovered_file(ctx, fmt, lang),
                            file_name=f"thon_chua_phu_{lang}{suffix}" if lang == "vi"
                            else f"uncovered_hamlets{suffix}", mime=mime,
                            key=f"dl_unc_{fmt}_{lang}_{key}", on_click="ignore",
                            help=_rows(n_unc, lang))

    st.subheader(t("export_report", lang))
    c1, c2 = st.columns(2)
    c1.download_button("report.xlsx", data=_report_file(ctx, "report.xlsx", lang),
                       file_name="report.xlsx", key=f"dl_report_xlsx_{lang}_{key}",
                       on_click="ignore")
    c2.download_button("report.html", data=_report_file(ctx, "report.html", lang),
                       file_name="report.html", mime="text/html",
                       key=f"dl_report_html_{lang}_{key}", on_click="ignore")

    st.subheader(t("export_tables", lang))
    st.caption(t("export_tables_note", lang))
    tables = {"hamlets": ctx.hamlets, **ctx.tables}
    cols = st.columns(3)
    for i, (name, table) in enumerate(tables.items()):
        label = f"{table_label(name, lang)} · {_rows(len(table), lang)}"
        cols[i % 3].download_button(label, data=_table_file(table, name, lang),
                                    file_name=f"{name}.csv", mime="text/csv",
                                    key=f"dl_table_{name}_{lang}_{key}", on_click="ignore")

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
    _compare_section(ctx, lang, key)

