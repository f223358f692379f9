"""Mobile coverage per hamlet (thôn trắng sóng / lõm sóng), from the coverage rasters.

Per hamlet, operator and technology (from a :class:`gis.radio.coverage.CoverageResult`):

- ``centre_rsrp_dbm``: the signal at the hamlet centre (nhà văn hóa; see
  :func:`gis.analysis.hamlets.hamlet_centres`), dBm (RSRP for 4G/5G, RSCP 3G, RxLev 2G);
- ``centre_covered``: that signal is at or above the tech's "covered" threshold
  (``RadioParams.techs[tech].tiers.edge_dbm``);
- ``pop_share``: the share (0-1) of the hamlet's population living in cells at or above the
  threshold. With a population raster: every population cell whose centre lies inside the
  hamlet polygon, weighted by its people. Without one (or for a polygon with no people in the
  raster): the share of the hamlet's area (coverage cells inside the polygon). Point hamlets:
  the centre alone (1 or 0).
- ``covered``: the :class:`HamletRule` (default: centre covered and ``pop_share >= 0.8``).

Hamlet-level columns (``ctx.hamlets``): ``mobile_4g``, ``mobile_5g`` (covered by at least one
operator), ``pop_share_4g``, ``pop_share_5g`` (best operator), ``no_signal`` (trắng sóng: no
operator has a signal of :attr:`HamletRule.signal_techs` (3G/4G/5G) at the centre), ``weak_spot``
(lõm sóng: there is signal at the centre, but the population share with signal from some
operator is below :attr:`HamletRule.min_pop_share`), and ``cov_<tech>_<operator>`` (population
share per operator and technology, e.g. ``cov_4g_viettel``).

Công văn 1603/BTTTT-CVT (DOMAIN.md §1, [P]): trắng sóng = no mobile signal at the hamlet's
cultural house or centre; lõm sóng = residential clusters outside the centre without signal.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.hamlets import hamlet_centres
from gis.analysis.params import HamletRule
from gis.errors import CRSError
from gis.radio.coverage import CoverageResult, sample_grid
from gis.radio.params import RadioParams

__all__ = [
    "finalise_sums",
    "hamlet_columns",
    "hamlet_coverage",
    "hamlet_sums",
    "points_in_polygons",
    "reduce_sums",
]


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


TOTAL = ("*", "total")  #: pseudo key of the per-hamlet totals in :func:`hamlet_sums`
SIGNAL = ("*", "signal")  #: pseudo key of "any signal of HamletRule.signal_techs"


def _cell_centres_in(coverage: CoverageResult, xy: np.ndarray) -> np.ndarray:
    """Whether points fall in a cell of the coverage grid (each point in exactly one tile)."""
    tr = coverage.transform
    col = np.floor((xy[:, 0] - tr.c) / tr.a)
    row = np.floor((xy[:, 1] - tr.f) / tr.e)
    return (col >= 0) & (col < coverage.shape[1]) & (row >= 0) & (row < coverage.shape[0])


def points_in_polygons(tree: shapely.STRtree, poly: np.ndarray, bounds, cx: np.ndarray,
                        cy: np.ndarray, values: np.ndarray | None):
    """Grid points (cx x cy, optional weights ``values``) inside the polygons:
    (xy, weight, hamlet position)."""
    left, bottom, right, top = bounds
    cs = np.flatnonzero((cx >= left) & (cx <= right))
    rs = np.flatnonzero((cy >= bottom) & (cy <= top))
    if values is None:
        gx, gy = np.meshgrid(cx[cs], cy[rs])
        xy = np.column_stack([gx.ravel(), gy.ravel()])
        w = np.ones(len(xy))
    else:
        sub = values[np.ix_(rs, cs)]
        rr, cc = np.nonzero(np.isfinite(sub) & (sub > 0))
        xy = np.column_stack([cx[cs[cc]], cy[rs[rr]]])
        w = sub[rr, cc].astype(float)
    pi, hi = tree.query(shapely.points(xy), predicate="within")
    return xy[pi], w[pi], poly[hi]


def hamlet_sums(
    villages: gpd.GeoDataFrame,
    coverage: CoverageResult,
    radio: RadioParams | None = None,
    rule: HamletRule | None = None,
    *,
    population: tuple[np.ndarray, Affine] | None = None,
) -> pd.DataFrame:
    """Tile-additive coverage sums per hamlet and (operator, tech), for one coverage grid.

    Only sample points (population cells, coverage cells) that fall in this grid count, and a
    hamlet centre only in the grid that contains it, so the sums of the tiles of an area
    (:func:`reduce_sums`) equal the sums of the whole: a hamlet on a tile edge gets exactly its
    one-piece result (issue 8). :func:`finalise_sums` turns them into the long table.

    Returns
    -------
    pandas.DataFrame
        Columns ``hamlet``, ``operator``, ``tech``, ``pop_w``, ``area_w`` (people / cells
        inside the hamlet with the signal at or above the tech's threshold; for the
        :data:`TOTAL` key all of them, for :data:`SIGNAL` those with any signal of
        ``rule.signal_techs``), ``centre_in`` (the centre is in this grid), ``centre_dbm``
        (signal at the centre, NaN elsewhere), ``centre_ok``.
    """
    radio = radio or RadioParams()
    rule = rule or HamletRule()
    if villages.crs is not None and not coverage.crs.equals(villages.crs):
        raise CRSError(
            f"The hamlets are in {villages.crs.name}, the coverage in {coverage.crs.name}.",
            f"Lớp thôn ở hệ {villages.crs.name}, vùng phủ ở hệ {coverage.crs.name}.",
            fix="Reproject the hamlets to the analysis CRS (villages.to_crs(coverage.crs)).",
            fix_vi="Chuyển lớp thôn sang hệ tọa độ phân tích.",
        )
    n = len(villages)
    geoms = np.asarray(villages.geometry.values, dtype=object)
    poly = np.flatnonzero(shapely.get_type_id(geoms) >= 3)  # Polygon (3) / MultiPolygon (6)
    empty = (np.empty((0, 2)), np.empty(0), np.empty(0, np.int64))
    pop_pts = area_pts = empty
    if poly.size:
        tree = shapely.STRtree(geoms[poly])
        bounds = shapely.total_bounds(geoms[poly])
        tr = coverage.transform
        area_pts = points_in_polygons(
            tree, poly, bounds, tr.c + (np.arange(coverage.shape[1]) + 0.5) * tr.a,
            tr.f + (np.arange(coverage.shape[0]) + 0.5) * tr.e, None)
        if population is not None:
            pop, ptr = population
            pts = points_in_polygons(
                tree, poly, bounds, ptr.c + (np.arange(pop.shape[1]) + 0.5) * ptr.a,
                ptr.f + (np.arange(pop.shape[0]) + 0.5) * ptr.e, pop)
            keep = _cell_centres_in(coverage, pts[0])
            pop_pts = (pts[0][keep], pts[1][keep], pts[2][keep])
    centres = hamlet_centres(villages)
    centre_in = _cell_centres_in(coverage, centres)

    def sums(ok_pop: np.ndarray, ok_area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.bincount(pop_pts[2], weights=pop_pts[1] * ok_pop, minlength=n),
                np.bincount(area_pts[2], weights=area_pts[1] * ok_area, minlength=n))

    rows = []
    pw, aw = sums(np.ones(len(pop_pts[0])), np.ones(len(area_pts[0])))
    rows.append((*TOTAL, pw, aw, np.full(n, np.nan), np.zeros(n, bool)))
    any_pop = np.zeros(len(pop_pts[0]), bool)
    any_area = np.zeros(len(area_pts[0]), bool)
    any_centre = np.zeros(n, bool)
    for op, tech in coverage.keys:
        arr = coverage.best(tech, op)
        thr = radio.tech(tech).tiers.edge_dbm
        centre = np.where(centre_in, sample_grid(arr, coverage.transform, centres), np.nan)
        with np.errstate(invalid="ignore"):
            ok_c = centre >= thr
            ok_p = sample_grid(arr, coverage.transform, pop_pts[0]) >= thr
            ok_a = sample_grid(arr, coverage.transform, area_pts[0]) >= thr
        pw, aw = sums(ok_p, ok_a)
        rows.append((op, tech, pw, aw, centre, ok_c))
        if tech in rule.signal_techs:
            any_pop |= ok_p
            any_area |= ok_a
            any_centre |= ok_c
    pw, aw = sums(any_pop, any_area)
    rows.append((*SIGNAL, pw, aw, np.full(n, np.nan), any_centre))
    return pd.concat([pd.DataFrame({
        "hamlet": np.arange(n), "operator": op, "tech": tech, "pop_w": p, "area_w": a,
        "centre_in": centre_in, "centre_dbm": c, "centre_ok": ok,
    }) for op, tech, p, a, c, ok in rows], ignore_index=True)


def reduce_sums(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Add up the :func:`hamlet_sums` of the tiles of an area (same hamlets, same order)."""
    allp = pd.concat(parts, ignore_index=True)
    return allp.groupby(["hamlet", "operator", "tech"], sort=False, as_index=False).agg(
        pop_w=("pop_w", "sum"), area_w=("area_w", "sum"), centre_in=("centre_in", "any"),
        centre_dbm=("centre_dbm", "max"), centre_ok=("centre_ok", "any"))


def finalise_sums(sums: pd.DataFrame, villages: gpd.GeoDataFrame,
                  rule: HamletRule | None = None) -> pd.DataFrame:
    """The long table of :func:`hamlet_coverage` from (reduced) :func:`hamlet_sums`."""
    rule = rule or HamletRule()
    n = len(villages)
    ids = villages["village_id"].to_numpy() if "village_id" in villages else np.arange(n)
    key = list(zip(sums["operator"], sums["tech"], strict=True))
    is_total = np.array([k == TOTAL for k in key], bool)
    tot = sums[is_total].set_index("hamlet").reindex(np.arange(n))
    pop_tot = tot["pop_w"].fillna(0).to_numpy(float)
    area_tot = tot["area_w"].fillna(0).to_numpy(float)
    kind = np.where(pop_tot > 0, 2, np.where(area_tot > 0, 1, 0))
    basis = np.array(["centre", "area", "population"], dtype=object)[kind]

    def share(rows: pd.DataFrame) -> np.ndarray:
        h = rows["hamlet"].to_numpy()
        num = np.where(kind[h] == 2, rows["pop_w"], rows["area_w"]).astype(float)
        den = np.where(kind[h] == 2, pop_tot[h], area_tot[h])
        centre = rows["centre_ok"].to_numpy(bool).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(kind[h] > 0, num / np.where(den > 0, den, 1.0), centre)

    data = sums[~is_total & np.array([k != SIGNAL for k in key], bool)].copy()
    h = data["hamlet"].to_numpy()
    s = share(data)
    centre_ok = data["centre_ok"].to_numpy(bool)
    long = pd.DataFrame({
        "hamlet": h, "village_id": ids[h], "operator": data["operator"].to_numpy(),
        "tech": data["tech"].to_numpy(), "centre_rsrp_dbm": np.round(
            data["centre_dbm"].to_numpy(float), 2),
        "centre_covered": centre_ok, "pop_share": np.round(s, 4),
        "covered": rule.covered(centre_ok, s), "share_basis": basis[h],
    })
    sig = sums[np.array([k == SIGNAL for k in key], bool)].set_index("hamlet")
    sig = sig.reindex(np.arange(n))
    sig_rows = sig.reset_index()
    sig_rows["centre_ok"] = sig_rows["centre_ok"].fillna(False).astype(bool)
    sig_rows[["pop_w", "area_w"]] = sig_rows[["pop_w", "area_w"]].fillna(0.0)
    long.attrs["signal_share"] = pd.DataFrame({
        "centre_signal": sig_rows["centre_ok"].to_numpy(bool),
        "signal_share": share(sig_rows),
    })
    return long


def hamlet_coverage(
    villages: gpd.GeoDataFrame,
    coverage: CoverageResult,
    radio: RadioParams | None = None,
    rule: HamletRule | None = None,
    *,
    population: tuple[np.ndarray, Affine] | None = None,
) -> pd.DataFrame:
    """The long table: one row per hamlet × operator × technology of the coverage result.

    Parameters
    ----------
    villages
        Hamlets (points or polygons) in the coverage's CRS (metres).
    coverage
        Best-server rasters from :func:`gis.radio.coverage.compute_coverage`.
    radio
        Radio parameters (the "covered" threshold per technology).
    rule
        The hamlet rule.
    population
        Optional population grid (people per cell) and its transform, in the same CRS.

    Returns
    -------
    pandas.DataFrame
        Columns ``hamlet`` (position in ``villages``), ``village_id``, ``operator``, ``tech``,
        ``centre_rsrp_dbm``, ``centre_covered``, ``pop_share``, ``covered``, ``share_basis``
        (``population`` / ``area`` / ``centre``). ``attrs["signal_share"]`` holds, per
        hamlet, ``centre_signal`` and ``signal_share`` (any operator, any of
        ``rule.signal_techs``) for the trắng sóng / lõm sóng flags.
    """
    rule = rule or HamletRule()
    return finalise_sums(hamlet_sums(villages, coverage, radio, rule, population=population),
                         villages, rule)


def hamlet_columns(long: pd.DataFrame, index: pd.Index, rule: HamletRule | None = None,
                   *, operators: list[str] | None = None) -> pd.DataFrame:
    """The per-hamlet columns of ``hamlets.csv`` from the long table, on ``index``.

    ``mobile_4g``, ``mobile_5g``, ``pop_share_4g``, ``pop_share_5g``, ``no_signal``,
    ``weak_spot`` and ``cov_<tech>_<operator>`` for every operator × {4G, 5G} (and 2G/3G pairs
    present in the table).
    """
    rule = rule or HamletRule()
    n = len(index)
    out = pd.DataFrame(index=index)
    pos = long["hamlet"].to_numpy() if len(long) else np.empty(0, int)
    for tech in ("4G", "5G"):
        sel = (long["tech"] == tech).to_numpy() if len(long) else np.empty(0, bool)
        covered = np.zeros(n, bool)
        share = np.zeros(n)
        np.logical_or.at(covered, pos[sel], long["covered"].to_numpy(bool)[sel])
        np.maximum.at(share, pos[sel], long["pop_share"].to_numpy(float)[sel])
        out[f"mobile_{tech.lower()}"] = covered
        out[f"pop_share_{tech.lower()}"] = np.round(share, 4)
    sig = long.attrs.get("signal_share")
    if sig is not None and len(sig) == n:
        centre_any = sig["centre_signal"].to_numpy(bool)
        share_any = sig["signal_share"].to_numpy(float)
    else:
        centre_any = np.zeros(n, bool)
        share_any = np.zeros(n)
    out["no_signal"] = ~centre_any
    out["weak_spot"] = centre_any & (share_any < rule.min_pop_share - 1e-12)
    ops = sorted(set(operators or []) | set(long["operator"] if len(long) else []))
    pairs = {(t, o) for t in ("4G", "5G") for o in ops}
    if len(long):
        pairs |= set(zip(long["tech"], long["operator"], strict=True))
    for tech, op in sorted(pairs):
        col = np.zeros(n)
        if len(long):
            sel = ((long["tech"] == tech) & (long["operator"] == op)).to_numpy()
            col[pos[sel]] = long["pop_share"].to_numpy(float)[sel]
        out[f"cov_{tech.lower()}_{_slug(op)}"] = np.round(col, 4)
    return out
