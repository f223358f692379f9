"""Every file a run hands on, written from its :class:`~gis.report.results.RunResults`.

``indicators.csv``; ``uncovered_hamlets.csv`` / ``.xlsx`` / ``.geojson`` / ``.kml``;
``report.xlsx``; ``report.html``; ``results.gpkg``; ``shared_duct_roads.kml`` (the roads
needing shared ducts, coloured by duct class); and, for each coverage raster of the run,
its tier polygons in ``coverage_tiers.gpkg`` (one layer per raster) and
``<raster>_tiers.kml``; for a run over several provinces, ``provinces/<code>_<name>/`` with
each province's ``uncovered_hamlets.csv`` and ``indicators.csv``; the rasters themselves (GeoTIFF) are copied in when the run wrote them
elsewhere. Used by :func:`gis.pipeline.write.write_run` and ``python -m gis export``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gis.analysis.ducts import DUCT_CLASS_COLOURS
from gis.analysis.indicators import INDICATOR_COLUMNS
from gis.export.kml import kml_color, write_kml
from gis.export.tiers import DEFAULT_TIERS_DBM, TIER_COLORS, TIERS_MAX_CELLS, tier_polygons
from gis.export.writers import copy_raster, write_csv, write_geojson, write_gpkg, write_xlsx
from gis.labels import DUCT_CLASS_LABELS, TIER_LABELS, check_lang
from gis.report.by_province import write_by_province
from gis.report.html import write_html
from gis.report.results import RESULTS_FILE, RunResults
from gis.report.workbook import write_workbook

__all__ = ["TIER_THREADS", "raster_cells", "tiers_for", "write_coverage_tiers", "write_outputs"]

#: Threads that make the tier polygons of a run's rasters (at most 4: each holds a raster as
#: float64, 73 MB for a province's 9.1 M cells).
TIER_THREADS = min(4, os.cpu_count() or 1)


def raster_cells(path: str | Path) -> int:
    """Cells of a raster (height x width), read from its header."""
    import rasterio

    with rasterio.open(path) as src:
        return int(src.height) * int(src.width)


def tiers_for(raster_name: str, parameters: dict | None) -> tuple[tuple[str, float], ...]:
    """The coverage tiers (name, minimum dBm) of raster ``coverage_<operator>_<tech>``: the
    run's ``radio.techs[TECH].tiers`` when the parameters have them, else the defaults."""
    tech = raster_name.rsplit("_", 1)[-1].upper()
    try:
        t = (parameters or {})["radio"]["techs"][tech]["tiers"]
        return (("good", float(t["good_dbm"])), ("fair", float(t["fair_dbm"])),
                ("edge", float(t["edge_dbm"])))
    except (KeyError, TypeError, ValueError):
        return DEFAULT_TIERS_DBM


def write_coverage_tiers(results: RunResults, out_dir: str | Path, *,
                         lang: str = "en") -> list[Path]:
    """Tier polygons of every ``coverage_*`` raster: ``coverage_tiers.gpkg`` and one KML each.

    The tiers of each raster are its technology's (:func:`tiers_for`). Rasters above
    :data:`gis.export.tiers.TIERS_MAX_CELLS` cells (national ones) get none. The polygons of
    the rasters are made in a pool of threads (:data:`TIER_THREADS`: reading, polygonising and
    simplifying run in GDAL and GEOS, which release the GIL, beside another raster's KML being
    written); each file is written by one task, so the outputs do not depend on the pool."""
    out = Path(out_dir)
    written: list[Path] = []
    colors = {k: kml_color(v, "ff") for k, v in TIER_COLORS.items()}
    todo = [(name, raster) for name, raster in sorted(results.rasters.items())
            if Path(raster).name.startswith("coverage") and Path(raster).is_file()
            # national rasters get none: the run's warnings say so (gis.pipeline.radio)
            and raster_cells(raster) <= TIERS_MAX_CELLS]
    parameters = results.meta.get("parameters")

    def polygons(item: tuple[str, Path]):
        name, raster = item
        gdf = tier_polygons(raster, tiers_dbm=tiers_for(name, parameters))
        gdf.insert(0, "layer", name)
        return gdf, write_kml(gdf, out / f"{name}_tiers.kml", lang=lang, name=name,
                              name_column="tier", style_column="tier", colors=colors,
                              style_labels=TIER_LABELS)

    with ThreadPoolExecutor(max_workers=max(1, min(TIER_THREADS, len(todo)))) as pool:
        done = list(pool.map(polygons, todo))
    layers = {name: gdf for (name, _), (gdf, _) in zip(todo, done, strict=True)}
    written += [kml for _, kml in done]
    if layers:
        written.append(write_gpkg(layers, out / "coverage_tiers.gpkg"))
    return written


def write_outputs(results: RunResults, out_dir: str | Path, *, lang: str = "en") -> list[Path]:
    """Write every hand-on file of a run into ``out_dir``; returns the paths written.

    Rasters are copied into ``out_dir`` when they are elsewhere, and ``results.rasters`` then
    points at the copies. The uncovered list's CSV has Vietnamese headers when ``lang`` is ``"vi"`` (canonical
    names otherwise); ``indicators.csv`` always has the canonical columns
    (``indicator_id, name_vi, name_en, scope_level, scope, value, target, ..., met, ...``).
    """
    check_lang(lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    ind = results.indicators
    if ind is not None:
        cols = [c for c in INDICATOR_COLUMNS if c in ind] + [
            c for c in ind.columns if c not in INDICATOR_COLUMNS]
        written.append(write_csv(ind[cols], out / "indicators.csv"))
    unc = results.uncovered(lang)
    written += [
        write_csv(unc, out / "uncovered_hamlets.csv", lang=lang if lang == "vi" else None),
        write_xlsx({"uncovered_hamlets": unc}, out / "uncovered_hamlets.xlsx", lang=lang,
                   titles={"uncovered_hamlets": "uncovered" if lang == "en" else "chua_phu"}),
        write_geojson(unc, out / "uncovered_hamlets.geojson"),
        write_kml(unc, out / "uncovered_hamlets.kml", lang=lang,
                  name="Thôn chưa phủ" if lang == "vi" else "Uncovered hamlets"),
        write_workbook(results, out / "report.xlsx", lang=lang),
        write_html(results, out / "report.html", lang=lang),
        results.save_gpkg(out / RESULTS_FILE, lang=lang),
    ]
    ducts = results.tables.get("shared_duct_roads")
    if ducts is not None and "duct_class" in ducts:
        written.append(write_kml(
            ducts, out / "shared_duct_roads.kml", lang=lang, name_column="segment_id",
            name="Đường cần cống bể dùng chung" if lang == "vi" else "Roads needing shared ducts",
            style_column="duct_class",
            colors={k: kml_color(v) for k, v in DUCT_CLASS_COLOURS.items()},
            style_labels=DUCT_CLASS_LABELS))
    # the run's rasters (coverage_*, server_*, GeoTIFF) go with the results when the run
    # computed them elsewhere (a temporary folder)
    for name, raster in sorted(results.rasters.items()):
        # (a national run's rasters are VRTs in out_dir: a VRT copied under a .tif name would
        # be an XML file the GIS cannot open)
        target = out / f"{name}{Path(raster).suffix or '.tif'}"
        if Path(raster).is_file() and Path(raster).resolve() != target.resolve():
            written.append(copy_raster(raster, target))
            results.rasters[name] = target
    written += write_coverage_tiers(results, out, lang=lang)
    written += write_by_province(results, out, lang=lang)
    return written
