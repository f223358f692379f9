"""The stage ``ducts``: the roads needing shared telecom ducts (a provincial plan's list).

Calls :func:`gis.analysis.ducts.shared_duct_roads` on the roads layer, the existing fiber (per
operator), the fiber plan's new routes (the ``planned`` cable) and the admin layer (phường /
thị trấn), with the population raster when the density test is asked for
(``ducts.urban_density_per_km2``). Adds the table ``shared_duct_roads`` (EPSG:4326, one
LineString per road segment in rank order) written as ``shared_duct_roads.{csv,geojson,kml}``,
a sheet of ``report.xlsx``, a layer of ``results.gpkg`` and a section of ``report.html``.

In the table the list columns of the analysis are text, so that every format holds them:
``operators``, ``urban_criteria`` and ``planned_route_ids`` joined by ``", "``, and
``operator_shares`` as ``"Viettel 100%, VNPT 40%"``; ``duct_class`` (``shared`` / ``single``
/ ``none``, :func:`gis.analysis.ducts.duct_class`) styles the maps and the KML.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from gis.analysis.ducts import duct_class, shared_duct_roads
from gis.layers.crs import WGS84
from gis.layers.rasters import read_window
from gis.pipeline.context import RunContext

__all__ = ["duct_table", "ducts_stage"]


def _join(values: object) -> str:
    if isinstance(values, list | tuple | set):
        return ", ".join(str(v) for v in values)
    return "" if values is None else str(values)


def _shares(values: object) -> str:
    if not isinstance(values, dict):
        return ""
    return ", ".join(f"{k} {round(100 * float(v)):d}%" for k, v in values.items())


def duct_table(roads_list: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The duct list for the outputs: list columns as text, ``duct_class``, EPSG:4326."""
    out = roads_list.copy()
    for col in ("operators", "urban_criteria", "planned_route_ids"):
        out[col] = out[col].map(_join).astype(object)
    out["operator_shares"] = out["operator_shares"].map(_shares).astype(object)
    out.insert(len(out.columns) - 1, "duct_class", duct_class(out).to_numpy())
    return out.to_crs(WGS84) if out.crs is not None else out


def ducts_stage(ctx: RunContext) -> None:
    """Stage ``ducts``: ``ctx.tables["shared_duct_roads"]`` (needs roads)."""
    p = ctx.params.ducts
    roads = ctx.project.require("roads")
    plan = ctx.state.fiber_plan
    extensions = getattr(plan, "routes", None)
    population = None
    pop_path = ctx.project.rasters.get("population")
    if p.urban_density_per_km2 is not None and pop_path is not None:
        bounds = tuple(shapely.total_bounds(roads.geometry.values))
        population = read_window(pop_path, bounds, crs=ctx.project.crs, resampling="nearest")
    elif p.urban_density_per_km2 is not None:
        ctx.warn("Shared ducts: no population raster, so the density test of urban roads is "
                 "left out.",
                 "Cống bể dùng chung: không có raster dân số, bỏ qua tiêu chí mật độ đô thị.")
    result = shared_duct_roads(roads, ctx.project.layer("fiber"),
                               extensions=extensions if extensions is not None
                               and len(extensions) else None,
                               admin=ctx.project.layer("admin"), population=population,
                               params=p)
    table = duct_table(result)
    ctx.tables["shared_duct_roads"] = table
    shared = int((table["duct_class"] == "shared").sum())
    saving = float(pd.to_numeric(table["saving_vnd"], errors="coerce").fillna(0).sum())
    ctx.default(f"Shared ducts: {len(table)} road segment(s) in urban areas or with planned "
                f"works, {shared} with 2+ cables along them (a shared duct saves "
                f"{saving / 1e6:,.0f} million VND against separate builds).",
                f"Cống bể dùng chung: {len(table)} đoạn đường ở đô thị hoặc có công trình dự "
                f"kiến, {shared} đoạn có từ 2 tuyến cáp (cống bể dùng chung tiết kiệm "
                f"{saving / 1e6:,.0f} triệu đồng so với xây riêng).")
