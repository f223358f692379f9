"""The fiber stages: FTTH coverage, the extension plan, facilities' connectivity.

Each stage reads the project from the :class:`~gis.pipeline.context.RunContext`, calls the numeric
cores of :mod:`gis.analysis.ftth`, :mod:`gis.analysis.fiber_plan` and
:mod:`gis.analysis.facilities`, and adds to the context:

* ``ftth``: columns ``ftth``, ``ftth_centre``, ``hh_share_ftth``, ``ftth_distance_m``,
  ``households_ftth`` of the hamlet table; ``state.ftth`` (:class:`FtthResult`),
  ``state.road_graph`` and ``state.fiber_access_xy``;
* ``fiber_plan``: table ``fiber_extensions`` (routes, EPSG:4326) and hamlet columns
  ``fiber_plan_status`` (``has_ftth``; ``needs_access_points``: fiber at the centre but too few
  households in reach; ``needs_splitter``: a cable passes the centre but no access point;
  ``planned``: on a new route; ``unreachable``: no road leads there from the network;
  ``no_existing_fiber``), ``fiber_route_id``, ``olt_to_home_km``, ``gpon_ok``;
* ``facilities``: table ``facilities`` (EPSG:4326 points).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.analysis.facilities import facility_labels, facility_status, radio_thresholds
from gis.analysis.fiber_plan import plan_extensions
from gis.analysis.ftth import (
    FtthResult,
    Households,
    access_points,
    cable_points,
    ftth_coverage,
    household_points,
)
from gis.analysis.hamlets import hamlet_centres
from gis.analysis.params import FiberParams
from gis.analysis.roads import RoadGraph, build_road_graph
from gis.layers.crs import WGS84
from gis.pipeline.context import RunContext
from gis.pipeline.partitions import partitions_for
from gis.scale.partition import (
    Partition,
    PartitionRun,
    assign_points,
    digest,
    run_partitions,
)
from gis.text import as_text, label_or

__all__ = ["facilities_stage", "fiber_plan_stage", "ftth_stage", "road_graph"]


def road_graph(ctx: RunContext) -> RoadGraph | None:
    """The project's road graph, built once per run; ``None`` when there is no roads layer."""
    if ctx.state.road_graph is not None:
        return ctx.state.road_graph
    roads = ctx.project.layer("roads")
    graph = None
    if roads is not None and len(roads):
        p = ctx.params.fiber
        graph = build_road_graph(roads, snap_tolerance_m=p.snap_tolerance_m, costs=p.costs,
                                 prefer_planned_works=p.prefer_planned_works,
                                 source=ctx.project.reports.get("roads").source
                                 if ctx.project.reports.get("roads") else "roads")
        for w in graph.warnings:
            ctx.warn(w)
    ctx.state.road_graph = graph
    return graph


def ftth_stage(ctx: RunContext) -> None:
    """FTTH coverage per hamlet (DOMAIN.md section 7 rule), distances along the roads."""
    p = ctx.params.fiber
    villages = ctx.project.require("villages")
    centres = hamlet_centres(villages)
    graph = road_graph(ctx)
    if graph is None or graph.n_edges == 0:
        ctx.warn("FTTH: no roads layer, so drop distances are straight lines (optimistic).",
                 "FTTH: không có lớp đường, khoảng cách thuê bao tính theo đường thẳng (lạc quan).")
    fiber, nodes = ctx.project.layer("fiber"), ctx.project.layer("fiber_nodes")
    access_xy, notes = access_points(fiber, nodes, p)
    for note in notes:
        ctx.default(note)
    if len(access_xy) == 0:
        ctx.warn("FTTH: the project has no fiber or fiber nodes, so no hamlet has FTTH.",
                 "FTTH: dự án không có tuyến cáp hoặc nút quang, nên không thôn nào có FTTH.")
    pop_path = ctx.project.rasters.get("population")
    parts = partitions_for(ctx)
    if parts is None:
        res = ftth_core(villages, centres, access_xy, graph, pop_path, p)
    else:
        res = _ftth_partitioned(ctx, parts, villages, centres, access_xy, graph, pop_path)
    households = res.households
    counts = pd.Series(households.method).value_counts()
    labels = {"raster": "population raster cells", "area": "points spread over the polygon",
              "centre": "all households at the centre"}
    labels_vi = {"raster": "ô raster dân số", "area": "điểm rải đều trong ranh thôn",
                 "centre": "mọi hộ tại trung tâm thôn"}
    for method, count in counts.items():
        ctx.default(f"FTTH households of {count} hamlet(s): {labels[method]}.", f"Hộ gia đình của "
                    f"{count} thôn: {labels_vi[method]}.")
    ctx.default(f"FTTH rule: access point within {p.drop_max_m:g} m of the centre and of "
                f"≥ {p.hh_share_min:.0%} of households, along roads.", f"Quy tắc FTTH: điểm truy "
                f"nhập trong {p.drop_max_m:g} m từ nhà văn hóa và từ ≥ {p.hh_share_min:.0%} số hộ, "
                "theo đường.")
    for col in ("ftth", "ftth_centre", "hh_share_ftth", "ftth_distance_m", "households_ftth"):
        ctx.hamlets[col] = res.table[col].to_numpy()
    ctx.state.ftth = res
    ctx.state.fiber_access_xy = access_xy


def ftth_core(villages: gpd.GeoDataFrame, centres: np.ndarray, access_xy: np.ndarray,
              graph: RoadGraph | None, population, p: FiberParams) -> FtthResult:
    """The FTTH coverage of ``villages`` (households, then the rule): the whole stage's
    computation, in one piece or for one partition."""
    households = household_points(villages, centres, population=population, params=p)
    return ftth_coverage(villages, centres, access_xy, graph=graph, households=households,
                         params=p)


def ftth_partition(payload: tuple, graph: RoadGraph | None) -> FtthResult:
    """One partition's FTTH (a Dask task): ``payload`` = (villages, centres, access points,
    population raster path, fiber parameters); ``graph``: the whole road network
    (:data:`gis.scale.partition.FTTH_HALO`)."""
    villages, centres, access_xy, population, p = payload
    return ftth_core(villages, centres, access_xy, graph, population, p)


def _graph_digest(graph: RoadGraph | None) -> str:
    if graph is None:
        return "no roads"
    return digest(graph.node_xy, graph.edge_u, graph.edge_v, graph.length_m, graph.vnd_per_m)


def _ftth_partitioned(ctx: RunContext, parts: list[Partition], villages: gpd.GeoDataFrame,
                      centres: np.ndarray, access_xy: np.ndarray, graph: RoadGraph | None,
                      pop_path) -> FtthResult:
    """The FTTH of every partition on Dask, concatenated back in the hamlets' order."""
    p = ctx.params.fiber
    payloads = [(villages.iloc[part.hamlets], centres[part.hamlets], access_xy,
                 None if pop_path is None else str(pop_path), p) for part in parts]
    run = run_partitions("ftth", parts, payloads, ftth_partition, out_dir=ctx.workdir,
                         scale=ctx.params.scale, client=ctx.client, shared=graph,
                         shared_digest=_graph_digest(graph), inputs=[pop_path], progress=True)
    _note_partitions(ctx, "ftth", run)
    n = len(villages)
    tables, xy, ham, weight, dist = [], [], [], [], []
    method = np.full(n, "centre", dtype=object)
    total = np.full(n, np.nan)
    for part, res in zip(parts, run.results, strict=True):
        tables.append(res.table)
        hh = res.households
        xy.append(hh.xy)
        ham.append(part.hamlets[hh.hamlet])
        weight.append(hh.weight)
        dist.append(res.household_distance_m)
        method[part.hamlets] = hh.method
        total[part.hamlets] = hh.total
    table = pd.concat(tables).reindex(villages.index)
    households = Households(xy=np.vstack(xy), hamlet=np.concatenate(ham).astype(np.int64),
                            weight=np.concatenate(weight), method=method, total=total)
    return FtthResult(table, households, np.concatenate(dist),
                      any(r.network for r in run.results))


def _note_partitions(ctx: RunContext, stage: str, run: PartitionRun) -> None:
    n = len(run.computed) + len(run.resumed)
    ctx.default(f"Stage '{stage}' ran in {n} partition(s) by province ({len(run.resumed)} "
                f"reused from an earlier run).",
                f"Bước '{stage}' chạy theo {n} phân vùng theo tỉnh ({len(run.resumed)} phân "
                "vùng dùng lại từ lần chạy trước).")


def _existing_network_xy(ctx: RunContext, p: FiberParams) -> np.ndarray:
    """Points of the existing fiber network from which new routes may start."""
    parts = []
    fiber = ctx.project.layer("fiber")
    if fiber is not None and len(fiber):
        parts.append(cable_points(np.asarray(fiber.geometry.values, dtype=object),
                                  p.cable_sample_m))
    nodes = ctx.project.layer("fiber_nodes")
    if nodes is not None and len(nodes):
        geoms = np.asarray(nodes.geometry.values, dtype=object)
        parts.append(shapely.get_coordinates(shapely.point_on_surface(geoms)))
    return np.vstack(parts) if parts else np.zeros((0, 2))


def _olt_xy(ctx: RunContext) -> np.ndarray:
    nodes = ctx.project.layer("fiber_nodes")
    if nodes is None or "kind" not in nodes or not len(nodes):
        return np.zeros((0, 2))
    olt = nodes["kind"].astype(str).str.lower().str.startswith("olt").to_numpy()
    geoms = np.asarray(nodes.geometry.values, dtype=object)[olt]
    return shapely.get_coordinates(shapely.point_on_surface(geoms)).reshape(-1, 2)


def _names(villages: gpd.GeoDataFrame) -> np.ndarray:
    ids = villages.get("village_id", "")
    names = villages["name"] if "name" in villages else [None] * len(villages)
    out = label_or(names, ids)
    if "commune" in villages:
        commune = as_text(villages["commune"])
        out = np.where(commune != "", out + " (" + commune + ")", out)
    return out


def fiber_plan_stage(ctx: RunContext) -> None:
    """New fiber routes (Steiner tree along roads) to the hamlet centres without FTTH."""
    p = ctx.params.fiber
    res = ctx.state.ftth
    graph = road_graph(ctx)
    if res is None or graph is None:
        return
    villages = ctx.project.require("villages")
    table = res.table
    need = ~table["ftth_centre"].to_numpy(bool)
    partial = table["ftth_centre"].to_numpy(bool) & ~table["ftth"].to_numpy(bool)
    status = np.where(table["ftth"].to_numpy(bool), "has_ftth", "")
    status = np.where(partial, "needs_access_points", status).astype(object)
    roots = _existing_network_xy(ctx, p)
    olt = _olt_xy(ctx)
    if len(olt) == 0:
        ctx.default(f"Optical budget: no OLT node, so {p.feeder_km_default:g} km of existing "
                    "fiber is assumed from the OLT to where each new route starts.", "Quỹ công suất"
                    f" quang: không có OLT, giả định {p.feeder_km_default:g} km cáp hiện có từ OLT "
                    "tới điểm đầu mỗi tuyến mới.")
    pos = np.flatnonzero(need)
    centres = hamlet_centres(villages)
    names = _names(villages)
    hh = res.households.total
    vid = (villages["village_id"].to_numpy(dtype=object) if "village_id" in villages
           else np.arange(1, len(villages) + 1).astype(object))
    if len(roots) == 0:
        ctx.warn("Fiber plan: no existing fiber to extend from; no routes planned.", "Kế hoạch "
                 "cáp quang: không có mạng cáp hiện có để mở rộng; không lập tuyến.")
    plan = plan_extensions(graph, roots if len(roots) else np.zeros((0, 2)), centres[pos],
                           names=names[pos], village_ids=vid[pos], households=hh[pos],
                           olt_xy=olt, params=p, crs=villages.crs)
    ph = plan.hamlets
    status[pos] = ph["status"].map({"on_network": "needs_splitter"}).fillna(ph["status"]
                                                                          ).to_numpy(dtype=object)
    route = np.full(len(villages), None, dtype=object)
    route[pos] = ph["route_id"].to_numpy(dtype=object)
    km = np.full(len(villages), np.nan)
    km[pos] = ph["olt_to_home_km"].to_numpy(float)
    ok = pd.array([pd.NA] * len(villages), dtype="boolean")
    ok[pos] = ph["gpon_ok"].to_numpy()
    if len(roots) == 0:
        status[pos] = "no_existing_fiber"
    ctx.hamlets["fiber_plan_status"] = status
    ctx.hamlets["fiber_route_id"] = route
    ctx.hamlets["olt_to_home_km"] = km
    ctx.hamlets["gpon_ok"] = ok
    unreachable = pos[ph["status"].to_numpy() == "unreachable"]
    if unreachable.size and len(roots):
        shown = ", ".join(names[unreachable[:10]]) + (" ..." if unreachable.size > 10 else "")
        ctx.warn(f"Fiber plan: {unreachable.size} hamlet(s) cannot be reached along the roads "
                 f"from the existing fiber: {shown}.", f"Kế hoạch cáp quang: {unreachable.size} "
                 f"thôn không tới được theo đường từ mạng cáp hiện có: {shown}.")
    bad = pos[(~ph["gpon_ok"].astype("boolean")).fillna(False).to_numpy(bool)]
    if bad.size:
        shown = ", ".join(names[bad[:10]]) + (" ..." if bad.size > 10 else "")
        ctx.warn(f"Fiber plan: the GPON optical budget ({p.gpon.budget_db:g} dB) fails for "
                 f"{bad.size} hamlet(s): {shown}; a closer OLT or a smaller split is needed.",
                 f"Quỹ công suất GPON ({p.gpon.budget_db:g} dB) không đạt cho {bad.size} thôn: "
                 f"{shown}; cần OLT gần hơn hoặc tỷ lệ chia nhỏ hơn.")
    if partial.any():
        ctx.default(f"Fiber plan: {int(partial.sum())} hamlet(s) have fiber at the centre but "
                    f"fewer than {p.hh_share_min:.0%} of households in reach; they need more "
                    "access points inside the hamlet, not a new route.",
                    f"{int(partial.sum())} thôn có cáp tới trung tâm nhưng chưa đủ "
                    f"{p.hh_share_min:.0%} số hộ trong tầm; cần thêm điểm truy nhập trong thôn.")
    routes = plan.routes
    ctx.tables["fiber_extensions"] = routes.to_crs(WGS84) if routes.crs is not None else routes
    ctx.state.fiber_plan = plan


def facilities_stage(ctx: RunContext) -> None:
    """FTTH reach and 4G/5G coverage of schools, health stations, offices, industrial zones."""
    p = ctx.params.fiber
    facilities = ctx.project.require("facilities")
    access_xy = ctx.state.fiber_access_xy
    if access_xy is None:
        access_xy, _ = access_points(ctx.project.layer("fiber"),
                                     ctx.project.layer("fiber_nodes"), p)
    graph = road_graph(ctx)
    coverage = ctx.state.coverage
    thresholds = radio_thresholds(ctx.params.radio)
    if coverage is None:
        ctx.warn("Facilities: no radio coverage computed, so 4G/5G at facilities is left empty. "
                 "/ Cơ sở công cộng: chưa tính vùng phủ sóng, cột 4G/5G để trống.")
    elif len(thresholds) < 2:
        ctx.default(f"Facilities: {p.facility_rsrp_min_dbm:g} dBm RSRP counts as 4G/5G coverage "
                    f"where the radio parameters give no threshold.", f"Cơ sở công cộng: RSRP ≥ "
                    f"{p.facility_rsrp_min_dbm:g} dBm được coi là có sóng 4G/5G.")
    parts = partitions_for(ctx)
    if parts is None:
        status = facility_status(facilities, access_xy, graph=graph, params=p,
                                 coverage=coverage, thresholds_dbm=thresholds)
    else:
        status = _facilities_partitioned(ctx, parts, facilities, access_xy, graph, coverage,
                                         thresholds)
    geometry = gpd.points_from_xy(status["x"], status["y"], crs=facilities.crs)
    table = gpd.GeoDataFrame(status.drop(columns=["x", "y"]), geometry=geometry,
                             crs=facilities.crs).to_crs(WGS84)
    table.insert(4, "lon", np.round(table.geometry.x, 6))
    table.insert(5, "lat", np.round(table.geometry.y, 6))
    ctx.tables["facilities"] = table
    off = ~status["connected"].to_numpy(bool)
    if off.any():
        names = facility_labels(status)[off]
        shown = ", ".join(names[:10]) + (" ..." if off.sum() > 10 else "")
        ctx.warn(f"Facilities: {int(off.sum())} of {len(status)} not connected: {shown}.",
                 f"Cơ sở công cộng: {int(off.sum())}/{len(status)} chưa có kết nối: {shown}.")


def facilities_partition(payload: tuple, graph: RoadGraph | None) -> pd.DataFrame:
    """One partition's facilities (a Dask task): ``payload`` = (facilities, access points,
    fiber parameters, coverage, thresholds); ``graph``: the whole road network
    (:data:`gis.scale.partition.FACILITIES_HALO`)."""
    facilities, access_xy, p, coverage, thresholds = payload
    return facility_status(facilities, access_xy, graph=graph, params=p, coverage=coverage,
                           thresholds_dbm=thresholds)


def _facilities_partitioned(ctx: RunContext, parts: list[Partition],
                            facilities: gpd.GeoDataFrame, access_xy: np.ndarray,
                            graph: RoadGraph | None, coverage, thresholds) -> pd.DataFrame:
    """Each facility in the partition of its nearest hamlet centre, on Dask; the rows back in
    the facilities' order."""
    pts = shapely.point_on_surface(np.asarray(facilities.geometry.values, dtype=object))
    xy = np.stack([shapely.get_x(pts), shapely.get_y(pts)], axis=1).reshape(-1, 2)
    of = assign_points(xy, hamlet_centres(ctx.project.require("villages")), parts)
    used = [i for i in range(len(parts)) if (of == i).any()]
    mine = [parts[i] for i in used]
    payloads = [(facilities.iloc[np.flatnonzero(of == i)], access_xy, ctx.params.fiber,
                 coverage, thresholds) for i in used]
    rasters = list(getattr(coverage, "rasters", {}).values()) if coverage is not None else []
    run = run_partitions("facilities", mine, payloads, facilities_partition,
                         out_dir=ctx.workdir, scale=ctx.params.scale, client=ctx.client,
                         shared=graph, shared_digest=_graph_digest(graph),
                         inputs=[str(r) for r in rasters], progress=True)
    _note_partitions(ctx, "facilities", run)
    return pd.concat(run.results).reindex(facilities.index)
