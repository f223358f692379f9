"""Roads needing shared telecom ducts: urban roads and roads with planned works, ranked by cables.

Provincial plans ask to "list the roads in urban areas where shared telecom infrastructure must be
built, repaired or upgraded" and to lay ducts together with road, power and lighting works
(DOMAIN.md section 0). :func:`shared_duct_roads` produces that list from the roads layer, the
existing fiber (per operator) and the planned fiber extensions, ready for
``shared_duct_roads.{csv,geojson,kml}``.

How a segment is measured
-------------------------
1. **Segments.** Each road row (MultiLineStrings are split into their parts) is cut into equal
   pieces no longer than :attr:`DuctParams.segment_max_m` (:func:`split_lines`).
2. **Candidates.** A segment is listed when it is urban (:class:`DuctParams` gives the tests: road
   class, admin level phường / thị trấn, population density) or its road has planned works (any
   non-empty ``planned_works`` value other than no / 0; the year is parsed from a ``works_year``
   column or from the first year 19xx / 20xx written in ``planned_works``).
3. **Cables along it.** Every fiber line is clipped to the segment's flat-ended buffer of
   :attr:`DuctParams.buffer_m`; each clipped piece is projected on the segment
   (:func:`shapely.line_locate_point` of its vertices), giving an interval ``[a, b]`` of the
   segment's length that the cable follows. A cable that crosses the road projects on an interval
   of about 0 m, so it never counts. The intervals of one operator are merged; the operator's
   **share** is the merged length over the segment length. The planned fiber extensions are one
   more cable, ``planned``. A cable counts when its share is at least
   :attr:`DuctParams.min_share`.
4. **Lengths.** ``cable_length_m`` is the length followed by at least one counted cable,
   ``shared_length_m`` by at least two (where a shared duct replaces two or more).
5. **Saving.** With ``L_g`` the length followed by counted cable *g*, ``L_1`` the cable length,
   *t* the trench, *d* the single duct, *D* the shared outer duct and *s* the sub-duct costs per
   metre, and *f* the co-deployment factor on roads with planned works (1 elsewhere):

   .. math::
       C_{separate} = \\sum_g L_g (t + d), \\qquad
       C_{shared} = L_1 (f t + D) + \\sum_g L_g s, \\qquad
       saving = \\max(0, C_{separate} - C_{shared})

   and the saving is 0 when fewer than two cables count.
6. **Ranking.** By the number of counted cables, then the shared length, the saving, planned
   works first, the length, and the order of the roads layer.

Everything is vectorised: one STRtree query for all segment buffers against all cables, shapely
array operations for the clipping and projections, and grouped numpy / pandas reductions.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.costs import normalise_road_class, planned_flags
from gis.analysis.duct_params import DuctParams
from gis.errors import CRSError
from gis.labels import DUCT_CLASS_LABELS, DUCT_COLUMN_LABELS
from gis.layers.schema import header_key

__all__ = [
    "DUCT_CLASS_COLOURS",
    "DUCT_CLASS_LABELS",
    "DUCT_COLUMNS",
    "DUCT_COLUMN_LABELS",
    "PLANNED",
    "DuctParams",
    "cable_intervals",
    "duct_class",
    "merged_lengths",
    "parse_works_year",
    "shared_duct_roads",
    "split_lines",
    "urban_shares",
]

#: Cable group name of the planned fiber extensions.
PLANNED = "planned"

#: Operator name given to fiber lines without one.
UNKNOWN_OPERATOR = "(không rõ / unknown)"

#: Columns of the shared-duct road list, in order (``geometry`` last).
DUCT_COLUMNS = [
    "rank", "segment_id", "road_row", "piece", "name", "road_class", "urban", "urban_criteria",
    "planned_works", "has_planned_works", "works_year", "length_m", "n_operators", "operators",
    "operator_shares", "planned_extension", "planned_share", "planned_route_ids", "n_cables",
    "cable_length_m", "shared_length_m", "separate_cost_vnd", "shared_cost_vnd", "saving_vnd",
]

#: Map / KML classes of a listed segment by its counted cables, with colours (hex RGB) and
#: bilingual labels (vi, en): a shared duct replaces 2+ builds, serves one cable, or none yet.
DUCT_CLASS_COLOURS: dict[str, str] = {"shared": "#d7301f", "single": "#fc8d59", "none": "#969696"}
# DUCT_COLUMN_LABELS and DUCT_CLASS_LABELS (bilingual) live in gis.labels with every other word.

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


# -- inputs ---------------------------------------------------------------------------------------

def parse_works_year(planned_works: pd.Series | np.ndarray | list | None,
                     works_year: pd.Series | np.ndarray | list | None = None,
                     n: int | None = None) -> pd.Series:
    """Year of the planned works per road: a ``works_year`` value, else the first year in the text.

    Parameters
    ----------
    planned_works
        Free text of the works (e.g. ``"Nâng cấp mở rộng 2026-2027"``), or ``None``.
    works_year
        A year column, used where it holds a number between 1900 and 2100.
    n
        Number of roads, when both inputs are ``None``.

    Returns
    -------
    pandas.Series
        Nullable integer years (``Int64``), NA where none is given.

    >>> parse_works_year(["Cải tạo 2026-2027", None, "chiếu sáng"]).tolist()
    [2026, <NA>, <NA>]
    """
    if planned_works is None and works_year is None:
        return pd.Series(pd.NA, index=range(n or 0), dtype="Int64")
    size = len(planned_works) if planned_works is not None else len(works_year)
    text = pd.Series(np.asarray(planned_works, dtype=object) if planned_works is not None
                     else np.full(size, None, dtype=object), dtype=object)
    from_text = pd.to_numeric(text.where(text.map(lambda v: isinstance(v, str)))
                              .astype("string").str.extract(_YEAR, expand=False),
                              errors="coerce")
    year = from_text.to_numpy(dtype=float)
    if works_year is not None:
        given = pd.to_numeric(pd.Series(np.asarray(works_year, dtype=object)),
                              errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(given) & (given >= 1900) & (given <= 2100)
        year = np.where(ok, np.floor(given), year)
    return pd.Series(year, dtype="Float64").round().astype("Int64")


def split_lines(lines: np.ndarray, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut LineStrings into equal pieces no longer than ``max_m`` metres (0: no cut).

    Parameters
    ----------
    lines
        LineStrings in a metric CRS (MultiLineStrings must be split into parts first).
    max_m
        Longest piece, metres; a line of length ``L`` gives ``ceil(L / max_m)`` pieces of equal
        length.

    Returns
    -------
    pieces, source, piece_no
        The pieces, the position of the line each comes from, and its number along the line
        (0 at the line's first vertex).
    """
    lines = np.asarray(lines, dtype=object)
    n = len(lines)
    if n == 0 or max_m <= 0:
        return lines.copy(), np.arange(n), np.zeros(n, dtype=np.int64)
    length = shapely.length(lines)
    count = np.maximum(1, np.ceil(length / max_m - 1e-9)).astype(np.int64)
    if (count == 1).all():
        return lines.copy(), np.arange(n), np.zeros(n, dtype=np.int64)
    piece_len = np.where(count > 0, length / count, 0.0)
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    step = np.hypot(*np.diff(xy, axis=0).T) * (idx[1:] == idx[:-1])
    cum = np.concatenate([[0.0], np.cumsum(step)])
    first = np.searchsorted(idx, np.arange(n))
    d = cum - cum[first[idx]]
    vpiece = np.minimum(np.floor(d / np.where(piece_len[idx] > 0, piece_len[idx], 1.0)),
                        count[idx] - 1).astype(np.int64)
    # breakpoints k = 1 .. count-1 of every line, each the end of piece k-1 and the start of k
    bl = np.repeat(np.arange(n), count - 1)
    bk = np.arange(len(bl)) - np.repeat(np.cumsum(count - 1) - (count - 1), count - 1) + 1
    bd = bk * piece_len[bl]
    bxy = shapely.get_coordinates(shapely.line_interpolate_point(lines[bl], bd))
    line = np.concatenate([idx, bl, bl])
    piece = np.concatenate([vpiece, bk - 1, bk])
    dist = np.concatenate([d, bd, bd])
    pts = np.concatenate([xy, bxy, bxy])
    # the end of piece k-1 sorts after its vertices, the start of piece k before them
    tie = np.concatenate([np.ones(len(d)), np.full(len(bd), 2.0), np.zeros(len(bd))])
    order = np.lexsort((tie, dist, piece, line))
    offset = np.cumsum(count) - count
    gid = offset[line[order]] + piece[order]
    pieces = shapely.linestrings(pts[order], indices=gid)
    source = np.repeat(np.arange(n), count)
    piece_no = np.arange(int(count.sum())) - np.repeat(offset, count)
    return pieces, source, piece_no


def _check_crs(layers: dict[str, gpd.GeoDataFrame | None], crs: object) -> None:
    for name, gdf in layers.items():
        if gdf is None or len(gdf) == 0 or gdf.crs is None or crs is None:
            continue
        if not gdf.crs.equals(crs):
            raise CRSError(
                f"The {name} layer is in {gdf.crs.name}, the roads in {crs.name}.",
                f"Lớp {name} ở hệ {gdf.crs.name}, lớp đường ở hệ {crs.name}.",
                fix="Reproject every layer to the analysis CRS before listing the ducts.",
                fix_vi="Chuyển mọi lớp sang hệ tọa độ phân tích trước.",
            )
    if crs is not None and not crs.is_projected:
        raise CRSError(
            f"The roads are in {crs.name}, not a metric CRS: lengths would be in degrees.",
            f"Lớp đường ở hệ {crs.name}, không phải hệ mét: độ dài sẽ tính bằng độ.",
            fix="Reproject to the analysis CRS (VN-2000 / UTM, metres).",
            fix_vi="Chuyển sang hệ tọa độ phân tích (VN-2000 / UTM, mét).",
        )


def _lines(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The LineString parts of a layer's geometries and the row position of each part."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    parts, row = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
    keep &= shapely.length(parts) > 0
    return parts[keep], row[keep]


# -- cables along segments ------------------------------------------------------------------------

def cable_intervals(segments: np.ndarray, cables: np.ndarray, cable_group: np.ndarray,
                    buffer_m: float) -> pd.DataFrame:
    """Intervals of each segment's length that each cable follows within ``buffer_m``.

    Parameters
    ----------
    segments
        Road segments (LineStrings, metric CRS).
    cables
        Cable lines (LineStrings, same CRS).
    cable_group
        Group (operator) of each cable.
    buffer_m
        Half-width of the corridor around a segment, metres (flat ends: a cable beyond the
        segment's ends is not counted).

    Returns
    -------
    pandas.DataFrame
        ``segment`` (position), ``group``, ``start_m``, ``end_m`` (distances along the segment,
        ``0 <= start_m <= end_m <= length``), one row per clipped cable piece.
    """
    empty = pd.DataFrame({"segment": np.empty(0, np.int64), "group": np.empty(0, object),
                          "start_m": np.empty(0), "end_m": np.empty(0)})
    if len(segments) == 0 or len(cables) == 0:
        return empty
    corridor = shapely.buffer(segments, buffer_m, cap_style="flat")
    seg_i, cab_j = shapely.STRtree(cables).query(corridor, predicate="intersects")
    if seg_i.size == 0:
        return empty
    clipped = shapely.intersection(cables[cab_j], corridor[seg_i])
    parts, pair = shapely.get_parts(clipped, return_index=True)
    lines = shapely.get_type_id(parts) == 1
    parts, pair = parts[lines], pair[lines]
    if parts.size == 0:
        return empty
    xy, pidx = shapely.get_coordinates(parts, return_index=True)
    seg_of_vertex = seg_i[pair[pidx]]
    along = shapely.line_locate_point(segments[seg_of_vertex], shapely.points(xy))
    start = np.full(parts.size, np.inf)
    end = np.full(parts.size, -np.inf)
    np.minimum.at(start, pidx, along)
    np.maximum.at(end, pidx, along)
    return pd.DataFrame({"segment": seg_i[pair], "group": np.asarray(cable_group,
                                                                     dtype=object)[cab_j[pair]],
                         "start_m": start, "end_m": end})


def _merge(intervals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Disjoint intervals per ``keys`` (overlapping or touching intervals joined)."""
    if len(intervals) == 0:
        return intervals[[*keys, "start_m", "end_m"]].copy()
    iv = intervals.sort_values([*keys, "start_m", "end_m"], kind="mergesort").reset_index(drop=True)
    grp = iv.groupby(keys, sort=False)
    prev_end = grp["end_m"].cummax().groupby([iv[k] for k in keys], sort=False).shift()
    new = prev_end.isna() | (iv["start_m"] > prev_end)
    block = new.cumsum()
    out = iv.groupby(block, sort=False).agg(
        **{k: (k, "first") for k in keys}, start_m=("start_m", "min"), end_m=("end_m", "max"))
    return out.reset_index(drop=True)


def merged_lengths(intervals: pd.DataFrame) -> pd.DataFrame:
    """Length (m) of the union of each (segment, group)'s intervals.

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``group``, ``length_m``.
    """
    blocks = _merge(intervals, ["segment", "group"])
    blocks["length_m"] = blocks["end_m"] - blocks["start_m"]
    return blocks.groupby(["segment", "group"], as_index=False, sort=True)["length_m"].sum()


def _overlap_lengths(blocks: pd.DataFrame, n_segments: int) -> tuple[np.ndarray, np.ndarray]:
    """Length of each segment covered by at least one and by at least two groups' blocks.

    ``blocks`` must be disjoint within each (segment, group): a sweep over the segment adds +1 at
    each block start and -1 at each end.
    """
    one = np.zeros(n_segments)
    two = np.zeros(n_segments)
    if len(blocks) == 0:
        return one, two
    seg = np.concatenate([blocks["segment"].to_numpy(), blocks["segment"].to_numpy()])
    pos = np.concatenate([blocks["start_m"].to_numpy(), blocks["end_m"].to_numpy()])
    delta = np.concatenate([np.ones(len(blocks)), -np.ones(len(blocks))])
    order = np.lexsort((delta, pos, seg))  # ends before starts at the same position
    seg, pos, delta = seg[order], pos[order], delta[order]
    count = np.cumsum(delta)  # every segment's events sum to 0, so the count restarts at 0
    gap = np.diff(pos, append=pos[-1:]) * (np.append(seg[1:] == seg[:-1], False))
    np.add.at(one, seg, gap * (count >= 1))
    np.add.at(two, seg, gap * (count >= 2))
    return one, two


# -- urban tests ----------------------------------------------------------------------------------

def _sample_points(segments: np.ndarray, step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points at the middles of equal steps of about ``step_m`` along each segment."""
    length = shapely.length(segments)
    count = np.maximum(1, np.round(length / step_m)).astype(np.int64)
    seg = np.repeat(np.arange(len(segments)), count)
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    frac = (k + 0.5) / count[seg]
    return shapely.line_interpolate_point(segments[seg], frac, normalized=True), seg


def _urban_units(admin: gpd.GeoDataFrame, levels: tuple[str, ...]) -> np.ndarray:
    """Polygons of the admin units whose level or name says phường / thị trấn (``levels``).

    A level matches when it equals one of ``levels`` (without diacritics, snake case) or starts
    with it (``"phuong"`` matches ``"Phường"``); a name when it starts with one of them
    (``"Phường 12"``, ``"Thị trấn Yên Định"``, ``"TT. Nho Quan"``). Both are tested: a layer
    whose ``level`` is the tier (``"commune"``, cấp xã) still names its townships.
    """
    keys = {header_key(v) for v in levels}

    def urban(value: object) -> bool:
        if not isinstance(value, str):
            return False
        k = header_key(value)
        return any(k == u or k.startswith(u + "_") for u in keys)

    flag = np.zeros(len(admin), dtype=bool)
    for col in ("level", "name"):
        if col in admin:
            flag |= admin[col].map(urban).to_numpy(dtype=bool)
    geoms = np.asarray(admin.geometry.values, dtype=object)
    return geoms[flag & (shapely.get_type_id(geoms) >= 3)]


def _window_density(points: np.ndarray, population: tuple[np.ndarray, Affine],
                    window_m: float) -> np.ndarray:
    """People per km² over a square window of side ``window_m`` centred on each point.

    A summed-area table of the raster (NaN as 0 people) gives each window's sum in O(1); windows
    are clipped to the raster, and the density is over the clipped area.
    """
    pop, tr = population
    pop = np.nan_to_num(np.asarray(pop, dtype=float), nan=0.0)
    pop = np.where(pop > 0, pop, 0.0)
    h, w = pop.shape
    sat = np.zeros((h + 1, w + 1))
    sat[1:, 1:] = pop.cumsum(axis=0).cumsum(axis=1)
    xy = shapely.get_coordinates(points)
    col = np.floor((xy[:, 0] - tr.c) / tr.a).astype(np.int64)
    row = np.floor((xy[:, 1] - tr.f) / tr.e).astype(np.int64)
    half_c = max(0, round(window_m / abs(tr.a) / 2 - 0.5))
    half_r = max(0, round(window_m / abs(tr.e) / 2 - 0.5))
    r0, r1 = np.clip(row - half_r, 0, h), np.clip(row + half_r + 1, 0, h)
    c0, c1 = np.clip(col - half_c, 0, w), np.clip(col + half_c + 1, 0, w)
    people = sat[r1, c1] - sat[r0, c1] - sat[r1, c0] + sat[r0, c0]
    area_km2 = (r1 - r0) * (c1 - c0) * abs(tr.a * tr.e) / 1e6
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area_km2 > 0, people / area_km2, np.nan)


def urban_shares(segments: np.ndarray, road_class: np.ndarray, params: DuctParams, *,
                 admin: gpd.GeoDataFrame | None = None,
                 population: tuple[np.ndarray, Affine] | None = None) -> pd.DataFrame:
    """Share (0-1) of each segment's sample points passing each urban test, and the verdict.

    Parameters
    ----------
    segments
        Road segments (metric CRS).
    road_class
        Canonical road class per segment.
    params
        The tests' settings.
    admin
        Admin units (polygons with ``level`` and/or ``name``), same CRS, or ``None``.
    population
        ``(people per cell, transform)`` in the same CRS, or ``None``.

    Returns
    -------
    pandas.DataFrame
        ``road_class``, ``admin``, ``density`` (shares, NaN for a test without its input),
        ``any`` (share of points passing at least one test) and ``urban`` (``any`` at least
        :attr:`DuctParams.urban_min_share`), one row per segment.
    """
    n = len(segments)
    cls_ok = np.isin(np.asarray(road_class, dtype=object),
                     np.asarray(params.urban_road_classes, dtype=object))
    pts, seg = _sample_points(segments, params.sample_m)
    count = np.bincount(seg, minlength=n).astype(float)
    per_point = np.repeat(cls_ok, np.bincount(seg, minlength=n))
    out = pd.DataFrame({"road_class": cls_ok.astype(float), "admin": np.nan, "density": np.nan})
    if admin is not None and len(admin):
        units = _urban_units(admin, params.urban_admin_levels)
        inside = np.zeros(len(pts), dtype=bool)
        if len(units):
            p, _ = shapely.STRtree(units).query(pts, predicate="within")
            inside[p] = True
        out["admin"] = np.bincount(seg, weights=inside, minlength=n) / count
        per_point = per_point | inside
    if population is not None and params.urban_density_per_km2 is not None:
        dens = _window_density(pts, population, params.density_window_m)
        dense = np.nan_to_num(dens, nan=0.0) >= params.urban_density_per_km2
        out["density"] = np.bincount(seg, weights=dense, minlength=n) / count
        per_point = per_point | dense
    out["any"] = np.bincount(seg, weights=per_point, minlength=n) / count
    out["urban"] = out["any"] >= params.urban_min_share - 1e-12
    return out


def duct_class(frame: pd.DataFrame) -> pd.Series:
    """``shared`` (2+ counted cables), ``single`` or ``none`` per listed segment, for styling.

    >>> duct_class(pd.DataFrame({"n_cables": [3, 1, 0]})).tolist()
    ['shared', 'single', 'none']
    """
    n = pd.to_numeric(frame["n_cables"], errors="coerce").fillna(0).to_numpy()
    return pd.Series(np.where(n >= 2, "shared", np.where(n >= 1, "single", "none")),
                     index=frame.index, name="duct_class", dtype=object)


# -- the list -------------------------------------------------------------------------------------

def _empty(crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in DUCT_COLUMNS}, geometry=[], crs=crs)


def _text(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, None, dtype=object)
    arr = values.to_numpy(dtype=object)
    bad = pd.isna(values).to_numpy() | np.array([isinstance(v, str) and not v.strip()
                                                 for v in arr], dtype=bool)
    return np.where(bad, None, arr)


def shared_duct_roads(
    roads: gpd.GeoDataFrame,
    fiber: gpd.GeoDataFrame | None = None,
    *,
    extensions: gpd.GeoDataFrame | None = None,
    admin: gpd.GeoDataFrame | None = None,
    population: tuple[np.ndarray, Affine] | None = None,
    params: DuctParams | None = None,
) -> gpd.GeoDataFrame:
    """The road segments needing shared ducts, ranked by the cables that run along them.

    Parameters
    ----------
    roads
        Roads layer (LineStrings in the metric analysis CRS) with optional ``road_class``,
        ``name``, ``planned_works`` and ``works_year``.
    fiber
        Existing fiber lines (same CRS) with ``operator`` (missing: one "unknown" operator).
    extensions
        Planned fiber extensions (the fiber plan's routes, same CRS, optional ``route_id``).
    admin
        Admin units (polygons, ``level`` and/or ``name``) for the phường / thị trấn test.
    population
        ``(people per cell, transform)`` for the density test (when
        :attr:`DuctParams.urban_density_per_km2` is set).
    params
        Thresholds and unit costs.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per listed segment, columns :data:`DUCT_COLUMNS` (see the module doc), in rank
        order, in the roads' CRS. ``operators`` and ``planned_route_ids`` are lists,
        ``operator_shares`` a dict operator -> share (0-1, of every operator whose cable is
        within the buffer), ``urban_criteria`` the urban tests the segment passes (``road_class``,
        ``admin``, ``density``); lengths in metres, costs in VND. ``road_row`` is the 0-based
        position of the road in ``roads``; ``segment_id`` is ``"R<row+1>"`` or, for a cut road,
        ``"R<row+1>-<piece+1>"``.
    """
    params = params or DuctParams()
    crs = roads.crs
    _check_crs({"fiber": fiber, "fiber extensions": extensions, "admin": admin}, crs)
    if len(roads) == 0:
        return _empty(crs)
    parts, part_row = _lines(roads)
    if parts.size == 0:
        return _empty(crs)
    segments, src, _ = split_lines(parts, params.segment_max_m)
    row = part_row[src]
    # number the pieces along each road row (a MultiLineString's parts follow each other)
    order = np.lexsort((np.arange(len(row)), row))
    rank_in_row = np.empty(len(row), dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(row[order])) + 1]
    run = np.arange(len(row)) - np.repeat(starts, np.diff(np.r_[starts, len(row)]))
    rank_in_row[order] = run
    piece = rank_in_row
    n_pieces = np.bincount(row, minlength=len(roads))[row]
    nr = len(roads)
    rc_raw = roads["road_class"].to_numpy() if "road_class" in roads else None
    road_class = (normalise_road_class(rc_raw) if rc_raw is not None
                  else np.full(nr, "other", dtype=object))[row]
    works_text = _text(roads.get("planned_works"), nr)
    has_works = planned_flags(roads.get("planned_works"), nr)
    year = parse_works_year(works_text, roads.get("works_year"), n=nr).to_numpy()

    urban = urban_shares(segments, road_class, params, admin=admin, population=population)
    cand = urban["urban"].to_numpy() | has_works[row]
    keep = np.flatnonzero(cand)
    if keep.size == 0:
        return _empty(crs)
    segs = segments[keep]
    n = keep.size
    length = shapely.length(segs)

    cables, groups, routes = [], [], []
    if fiber is not None and len(fiber):
        flines, frow = _lines(fiber)
        ops = (fiber["operator"].astype(object).where(fiber["operator"].notna(), UNKNOWN_OPERATOR)
               .to_numpy(dtype=object) if "operator" in fiber
               else np.full(len(fiber), UNKNOWN_OPERATOR, dtype=object))
        cables.append(flines)
        groups.append(ops[frow].astype(str).astype(object))
        routes.append(np.full(len(flines), None, dtype=object))
    if extensions is not None and len(extensions):
        elines, erow = _lines(extensions)
        ids = (extensions["route_id"].astype(object).to_numpy() if "route_id" in extensions
               else np.arange(1, len(extensions) + 1).astype(object))
        cables.append(elines)
        groups.append(np.full(len(elines), PLANNED, dtype=object))
        routes.append(ids[erow])
    all_cables = np.concatenate(cables) if cables else np.empty(0, dtype=object)
    all_groups = np.concatenate(groups) if groups else np.empty(0, dtype=object)
    all_routes = np.concatenate(routes) if routes else np.empty(0, dtype=object)
    iv = cable_intervals(segs, all_cables, np.arange(len(all_cables)), params.buffer_m)
    cable = iv["group"].to_numpy(dtype=np.int64)
    iv["route"] = all_routes[cable]
    iv["group"] = all_groups[cable]
    lens = merged_lengths(iv)
    lens["share"] = lens["length_m"] / length[lens["segment"].to_numpy()]
    lens["counted"] = lens["share"] >= params.min_share - 1e-9
    counted = lens[lens["counted"]]
    blocks = _merge(iv.merge(counted[["segment", "group"]], on=["segment", "group"]),
                    ["segment", "group"])
    cable_len, shared_len = _overlap_lengths(blocks, n)

    existing = counted[counted["group"] != PLANNED]
    n_ops = np.bincount(existing["segment"].to_numpy(), minlength=n)
    n_cables = np.bincount(counted["segment"].to_numpy(), minlength=n)
    sum_len = np.bincount(counted["segment"].to_numpy(),
                          weights=counted["length_m"].to_numpy(), minlength=n)
    op_lists = existing.groupby("segment")["group"].agg(sorted)
    ex_all = lens[lens["group"] != PLANNED]
    share_of = ex_all["share"].round(4).to_numpy()
    shares: dict[int, dict[str, float]] = {}
    for s_, g_, v_ in zip(ex_all["segment"].to_numpy(), ex_all["group"].to_numpy(), share_of,
                          strict=True):
        shares.setdefault(int(s_), {})[str(g_)] = float(v_)
    planned = lens[lens["group"] == PLANNED].set_index("segment")
    planned_share = planned["share"].reindex(range(n)).fillna(0.0).to_numpy()
    planned_on = planned["counted"].reindex(range(n)).fillna(False).to_numpy(dtype=bool)
    on_route = iv[(iv["group"] == PLANNED) & (iv["end_m"] > iv["start_m"])]
    on_route = on_route[planned_on[on_route["segment"].to_numpy()]]
    route_lists = on_route.groupby("segment")["route"].agg(lambda s: sorted({str(v) for v in s}))

    works = has_works[row[keep]]
    f = np.where(works, params.co_deployment_factor, 1.0)
    separate = sum_len * (params.trench_vnd_per_m + params.duct_vnd_per_m)
    shared = (cable_len * (f * params.trench_vnd_per_m + params.shared_duct_vnd_per_m)
              + sum_len * params.subduct_vnd_per_m)
    saving = np.where(n_cables >= 2, np.maximum(0.0, separate - shared), 0.0)

    us = urban.iloc[keep].reset_index(drop=True)
    crit = [[name for name in ("road_class", "admin", "density")
             if us.at[i, "urban"] and np.nan_to_num(us.at[i, name]) > 0] for i in range(n)]
    rrow = row[keep]
    pk = piece[keep]
    multi = n_pieces[keep] > 1
    seg_id = np.where(multi, [f"R{r + 1}-{p + 1}" for r, p in zip(rrow, pk, strict=True)],
                      [f"R{r + 1}" for r in rrow])
    names = _text(roads.get("name"), nr)[rrow]
    out = pd.DataFrame({
        "segment_id": seg_id,
        "road_row": rrow,
        "piece": pk,
        "name": names,
        "road_class": road_class[keep],
        "urban": us["urban"].to_numpy(dtype=bool),
        "urban_criteria": crit,
        "planned_works": works_text[rrow],
        "has_planned_works": works,
        "works_year": pd.array(year[rrow], dtype="Int64"),
        "length_m": np.round(length, 1),
        "n_operators": n_ops,
        "operators": [op_lists.get(i, []) for i in range(n)],
        "operator_shares": [shares.get(i, {}) for i in range(n)],
        "planned_extension": planned_on,
        "planned_share": np.round(planned_share, 4),
        "planned_route_ids": [route_lists.get(i, []) for i in range(n)],
        "n_cables": n_cables,
        "cable_length_m": np.round(cable_len, 1),
        "shared_length_m": np.round(shared_len, 1),
        "separate_cost_vnd": np.round(separate),
        "shared_cost_vnd": np.round(shared),
        "saving_vnd": np.round(saving),
    })
    order = np.lexsort((np.arange(n), -length, ~works, -saving, -shared_len, -n_cables))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, n + 1))
    return gpd.GeoDataFrame(out, geometry=list(segs[order]), crs=crs)

