"""FTTH coverage per hamlet: which households an access point reaches with a drop cable.

The rule (DOMAIN.md section 7, [U] a suggested rule made configurable): a hamlet has FTTH when an
access point (splitter, box or cabinet) lies within the maximum drop length of the hamlet centre
(the cultural house, nhà văn hóa) AND at least ``hh_share_min`` of its households are within the
drop length, both measured ALONG THE ROADS (drop cables follow roads and paths, not straight
lines). When the project has no roads, straight-line distances are used instead, and the run says so.

Distances for all hamlet centres and household points are computed together with one multi-source
Dijkstra search from every access point (:func:`gis.analysis.roads.multi_source_distance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from gis.analysis.params import FiberParams
from gis.analysis.roads import RoadGraph, attach_points, multi_source_distance
from gis.layers.normalise import normalise_level
from gis.layers.schema import header_key

__all__ = [
    "FtthResult",
    "Households",
    "access_points",
    "cable_points",
    "distance_to_sources_m",
    "fiber_level",
    "ftth_coverage",
    "household_points",
]


# -- access points ------------------------------------------------------------------------------

def fiber_level(values: pd.Series | None, n: int) -> np.ndarray:
    """Canonical cable level (``access``, ``distribution``, ``backbone`` or ``""`` unknown), from
    the readers' table (:func:`gis.layers.normalise.normalise_level`) once per distinct value."""
    if values is None:
        return np.full(n, "", dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    levels = [(normalise_level(v) or "") if isinstance(v, str) else "" for v in uniques]
    return np.asarray([*levels, ""], dtype=object)[codes]


def cable_points(lines: np.ndarray, step_m: float) -> np.ndarray:
    """Points every ``step_m`` metres along each line, both ends included, as (k, 2) x, y."""
    lines = np.asarray(lines, dtype=object)
    parts = shapely.get_parts(lines)
    parts = parts[shapely.get_type_id(parts) == 1]
    if parts.size == 0:
        return np.zeros((0, 2))
    length = shapely.length(parts)
    count = np.floor(length / step_m).astype(np.int64) + 1
    which = np.repeat(np.arange(parts.size), count)
    start = np.repeat(np.cumsum(count) - count, count)
    dist = (np.arange(which.size) - start) * step_m
    pts = shapely.line_interpolate_point(parts[which], dist)
    ends = shapely.get_point(parts, -1)
    return np.vstack([shapely.get_coordinates(pts), shapely.get_coordinates(ends)])


def _is_access_kind(kinds: pd.Series, access_kinds: tuple[str, ...]) -> np.ndarray:
    codes, uniques = pd.factorize(kinds, use_na_sentinel=True)
    keys = [header_key(v) if isinstance(v, str) else "" for v in uniques]
    flags = [k == "" or any(k.startswith(a) for a in access_kinds) for k in keys]
    return np.asarray([*flags, True], dtype=bool)[codes]


def access_points(fiber: gpd.GeoDataFrame | None, nodes: gpd.GeoDataFrame | None,
                  params: FiberParams) -> tuple[np.ndarray, list[str]]:
    """Access points (x, y in metres) from which a drop cable can be taken, and what was assumed.

    Fiber nodes of an access kind; with ``params.access_from_cables`` ``"auto"`` (default) only
    when the project has none, and always with ``"always"``: every point (sampled every
    ``cable_sample_m``) of the access and distribution cables, and of cables of unknown level.
    Backbone cables are not tapped for drops.
    """
    mode = params.access_from_cables
    node_xy, notes = _access_nodes(nodes, params)
    if mode == "never" or (mode == "auto" and len(node_xy)):
        return node_xy, notes
    if mode == "auto" and nodes is not None and len(nodes):
        notes.append("No fiber node is of an access kind; cables are used instead. / "
                     "Không có nút quang loại truy nhập; dùng tuyến cáp thay thế.")
    cable_xy, cable_notes = _access_cables(fiber, params)
    return np.vstack([node_xy, cable_xy]), notes + cable_notes


def _access_nodes(nodes: gpd.GeoDataFrame | None,
                  params: FiberParams) -> tuple[np.ndarray, list[str]]:
    notes: list[str] = []
    if nodes is not None and len(nodes):
        kinds = nodes["kind"] if "kind" in nodes else pd.Series([None] * len(nodes))
        is_access = _is_access_kind(kinds.astype(object), params.access_node_kinds)
        unknown = kinds.isna() | kinds.astype(str).str.strip().eq("")
        if unknown.any():
            notes.append(
                f"{int(unknown.sum())} fiber node(s) without a kind are taken as access points. / "
                f"{int(unknown.sum())} điểm nút quang không rõ loại được coi là điểm truy nhập."
            )
        pts = shapely.get_coordinates(
            shapely.point_on_surface(np.asarray(nodes.geometry.values, dtype=object)[is_access]))
        return pts.reshape(-1, 2), notes
    return np.zeros((0, 2)), notes


def _access_cables(fiber: gpd.GeoDataFrame | None,
                   params: FiberParams) -> tuple[np.ndarray, list[str]]:
    notes: list[str] = []
    if fiber is None or not len(fiber):
        return np.zeros((0, 2)), notes
    level = fiber_level(fiber.get("level"), len(fiber))
    if (level == "").any():
        notes.append(
            f"{int((level == '').sum())} fiber cable(s) of unknown level are taken as distribution"
            f" cables (access points all along). / {int((level == '').sum())} tuyến cáp không rõ "
            "cấp được coi là cáp phân phối (có thể lấy thuê bao dọc tuyến)."
        )
    use = np.isin(level, np.asarray((*params.access_levels, ""), dtype=object))
    notes.append(
        f"Access points: every {params.cable_sample_m:g} m along {int(use.sum())} access/"
        "distribution cable(s) (no access nodes given). / Điểm truy nhập: mỗi "
        f"{params.cable_sample_m:g} m dọc {int(use.sum())} tuyến cáp truy nhập/phân phối "
        "(không có nút truy nhập)."
    )
    return cable_points(np.asarray(fiber.geometry.values, dtype=object)[use],
                        params.cable_sample_m), notes


# -- distances ----------------------------------------------------------------------------------


def distance_to_sources_m(graph: RoadGraph | None, source_xy: np.ndarray,
                          target_xy: np.ndarray) -> np.ndarray:
    """Distance in metres from each target to its nearest source, along the roads.

    Each source and target is attached to its nearest road (edge split at the projection); its
    straight off-road leg is added. One multi-source search serves all targets. Without a road
    graph (``None`` or no edges) the straight-line distance is returned instead.

    Parameters
    ----------
    graph
        The road graph, or ``None``.
    source_xy, target_xy
        (k, 2) coordinates in metres in the graph's CRS.

    Returns
    -------
    numpy.ndarray
        Distances in metres; inf where no source can be reached.
    """
    source_xy = np.asarray(source_xy, float).reshape(-1, 2)
    target_xy = np.asarray(target_xy, float).reshape(-1, 2)
    if len(source_xy) == 0:
        return np.full(len(target_xy), np.inf)
    if graph is None or graph.n_edges == 0:
        out = np.full(len(target_xy), np.inf)
        ok = np.isfinite(target_xy).all(axis=1)
        if ok.any():
            out[ok], _ = cKDTree(source_xy).query(target_xy[ok])
        return out
    att = attach_points(graph, np.vstack([source_xy, target_xy]))
    ns = len(source_xy)
    dist = multi_source_distance(att.graph, att.node[:ns], att.offroad_m[:ns])
    tn = att.node[ns:]
    out = np.full(len(target_xy), np.inf)
    ok = tn >= 0
    out[ok] = dist[tn[ok]] + att.offroad_m[ns:][ok]
    return out


# -- households -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Households:
    """Household points of the hamlets.

    Attributes
    ----------
    xy
        (k, 2) point coordinates in metres.
    hamlet
        Position (0-based row) of the hamlet of each point.
    weight
        Households each point stands for.
    method
        Per hamlet: ``"raster"`` (population raster cells), ``"area"`` (spread evenly over the
        polygon) or ``"centre"`` (all households at the centre).
    total
        Per hamlet: households (from the ``households`` column, else population / people per
        household, else raster people / people per household; NaN when unknown).
    """

    xy: np.ndarray
    hamlet: np.ndarray
    weight: np.ndarray
    method: np.ndarray
    total: np.ndarray


def _hamlet_totals(villages: gpd.GeoDataFrame, pph: float) -> np.ndarray:
    n = len(villages)
    hh = pd.to_numeric(villages.get("households", pd.Series(np.nan, index=villages.index)),
                       errors="coerce").to_numpy(float)
    pop = pd.to_numeric(villages.get("population", pd.Series(np.nan, index=villages.index)),
                        errors="coerce").to_numpy(float)
    out = np.where(np.isfinite(hh) & (hh > 0), hh, pop / pph)
    return out if out.size == n else np.full(n, np.nan)


def _raster_cells(path: str | Path, villages: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centres (x, y) and people of populated raster cells over the hamlets' extent."""
    from gis.layers.rasters import read_window

    minx, miny, maxx, maxy = villages.total_bounds
    data, tr = read_window(path, (minx, miny, maxx, maxy), crs=villages.crs,
                           resampling="nearest")
    rows, cols = np.nonzero(np.isfinite(data) & (data > 0))
    x = tr.c + (cols + 0.5) * tr.a + (rows + 0.5) * tr.b
    y = tr.f + (cols + 0.5) * tr.d + (rows + 0.5) * tr.e
    return np.stack([x, y], axis=1), data[rows, cols].astype(float)


def _spread_points(polys: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """About ``n_points`` grid points inside each polygon: (xy, polygon position)."""
    area = shapely.area(polys)
    b = shapely.bounds(polys)
    step = np.sqrt(np.maximum(area, 1.0) / n_points)
    nx = np.clip(np.ceil((b[:, 2] - b[:, 0]) / step), 1, 4 * n_points).astype(np.int64)
    ny = np.clip(np.ceil((b[:, 3] - b[:, 1]) / step), 1, 4 * n_points).astype(np.int64)
    count = nx * ny
    owner = np.repeat(np.arange(polys.size), count)
    k = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    ix, iy = k % nx[owner], k // nx[owner]
    x = b[owner, 0] + (ix + 0.5) * step[owner]
    y = b[owner, 1] + (iy + 0.5) * step[owner]
    inside = shapely.contains_xy(polys[owner], x, y)
    return np.stack([x[inside], y[inside]], axis=1), owner[inside]


def household_points(villages: gpd.GeoDataFrame, centres_xy: np.ndarray, *,
                     population: str | Path | None, params: FiberParams) -> Households:
    """Household points of every hamlet, by the best method its data allows.

    1. ``raster``: populated cells of the population raster inside the hamlet polygon, weighted
       by their people (scaled so that the hamlet's points sum to its households);
    2. ``area``: polygon hamlets without raster cells: about ``params.household_points`` points
       spread evenly over the polygon, equal weights;
    3. ``centre``: point hamlets: all households at the centre.
    """
    n = len(villages)
    total = _hamlet_totals(villages, params.people_per_household)
    geoms = np.asarray(villages.geometry.values, dtype=object)
    is_poly = np.isin(shapely.get_type_id(geoms), (3, 6))
    method = np.full(n, "centre", dtype=object)
    xy_parts, ham_parts, w_parts = [], [], []
    if population is not None and is_poly.any():
        cells_xy, people = _raster_cells(population, villages)
        if len(cells_xy):
            poly_pos = np.flatnonzero(is_poly)
            tree = shapely.STRtree(geoms[poly_pos])
            ci, pi = tree.query(shapely.points(cells_xy), predicate="within")
            ci, first = np.unique(ci, return_index=True)  # a cell in two polygons: the first
            ham = poly_pos[pi[first]]
            pop = people[ci]
            per_ham = np.bincount(ham, weights=pop, minlength=n)
            raster_total = per_ham / params.people_per_household
            total = np.where(np.isfinite(total), total, np.where(per_ham > 0, raster_total,
                                                                 np.nan))
            scale = np.divide(total, per_ham, out=np.zeros(n), where=per_ham > 0)
            scale = np.where(np.isfinite(scale), scale, 0.0)
            xy_parts.append(cells_xy[ci])
            ham_parts.append(ham)
            w_parts.append(pop * scale[ham])
            method[per_ham > 0] = "raster"
    todo = is_poly & (method == "centre")
    if todo.any():
        pos = np.flatnonzero(todo)
        pxy, owner = _spread_points(geoms[pos], params.household_points)
        ham = pos[owner]
        cnt = np.bincount(ham, minlength=n)
        hh = np.where(np.isfinite(total), total, 1.0)
        xy_parts.append(pxy)
        ham_parts.append(ham)
        w_parts.append(hh[ham] / cnt[ham])
        method[cnt > 0] = np.where(method[cnt > 0] == "centre", "area", method[cnt > 0])
    centre = np.flatnonzero(method == "centre")
    if centre.size:
        xy_parts.append(np.asarray(centres_xy, float)[centre])
        ham_parts.append(centre)
        w_parts.append(np.where(np.isfinite(total[centre]), total[centre], 1.0))
    return Households(
        xy=np.vstack(xy_parts) if xy_parts else np.zeros((0, 2)),
        hamlet=np.concatenate(ham_parts).astype(np.int64) if ham_parts else np.zeros(0, int),
        weight=np.concatenate(w_parts).astype(float) if w_parts else np.zeros(0),
        method=method,
        total=total,
    )


# -- coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FtthResult:
    """FTTH coverage of the hamlets (rows in the villages' order).

    Attributes
    ----------
    table
        Per hamlet: ``ftth_centre`` (bool), ``hh_share_ftth`` (0-1), ``ftth`` (bool),
        ``ftth_distance_m`` (network distance from the centre to the nearest access point,
        metres; NaN when none can be reached), ``households_ftth`` (households reachable),
        ``household_method``.
    households
        The household points used.
    household_distance_m
        Distance from each household point to its nearest access point, metres.
    network
        True when distances are along roads, False for the straight-line fallback.
    """

    table: pd.DataFrame
    households: Households
    household_distance_m: np.ndarray
    network: bool


def ftth_coverage(villages: gpd.GeoDataFrame, centres_xy: np.ndarray, access_xy: np.ndarray, *,
                  graph: RoadGraph | None, households: Households,
                  params: FiberParams) -> FtthResult:
    """FTTH coverage per hamlet by the rule of DOMAIN.md section 7.

    Parameters
    ----------
    villages
        The hamlets (metric CRS), for the index.
    centres_xy
        (n, 2) hamlet centres (cultural houses) in metres.
    access_xy
        (k, 2) access points in metres (see :func:`access_points`).
    graph
        The road graph; ``None`` for straight-line distances.
    households
        Household points (see :func:`household_points`).
    params
        ``drop_max_m`` and ``hh_share_min`` are used.

    Returns
    -------
    FtthResult
    """
    n = len(villages)
    centres_xy = np.asarray(centres_xy, float).reshape(-1, 2)
    d = distance_to_sources_m(graph, access_xy, np.vstack([centres_xy, households.xy]))
    d_centre, d_hh = d[:n], d[n:]
    reach = d_hh <= params.drop_max_m
    w = households.weight
    w_all = np.bincount(households.hamlet, weights=w, minlength=n)
    w_ok = np.bincount(households.hamlet, weights=w * reach, minlength=n)
    share = np.divide(w_ok, w_all, out=np.zeros(n), where=w_all > 0)
    centre_ok = d_centre <= params.drop_max_m
    table = pd.DataFrame(index=villages.index)
    table["ftth"] = centre_ok & (share >= params.hh_share_min - 1e-12)
    table["ftth_centre"] = centre_ok
    table["hh_share_ftth"] = np.round(share, 4)
    table["ftth_distance_m"] = np.where(np.isfinite(d_centre), np.round(d_centre, 1), np.nan)
    hh_total = np.where(np.isfinite(households.total), households.total, np.nan)
    table["households_ftth"] = np.round(share * hh_total, 1)
    table["household_method"] = households.method
    network = graph is not None and graph.n_edges > 0
    return FtthResult(table, households, d_hh, network)
