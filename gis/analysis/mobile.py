"""Mobile coverage per hamlet (thôn trắng sóng / lõm sóng) and the run's coverage stages.

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
operator has any signal of :attr:`HamletRule.signal_techs` at the centre), ``weak_spot``
(lõm sóng: there is signal at the centre, but the population share with signal from some
operator is below :attr:`HamletRule.min_pop_share`), and ``cov_<tech>_<operator>`` (population
share per operator and technology, e.g. ``cov_4g_viettel``).

Công văn 1603/BTTTT-CVT (DOMAIN.md §1, [P]): trắng sóng = no mobile signal at the hamlet's
cultural house or centre; lõm sóng = residential clusters outside the centre without signal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.hamlets import hamlet_centres
from gis.errors import ValidationError
from gis.layers.schema import TECHS
from gis.radio.coverage import CoverageResult, compute_coverage, sample_grid
from gis.radio.params import RadioParams

__all__ = [
    "HamletRule",
    "coverage_stage",
    "hamlet_columns",
    "hamlet_coverage",
    "mobile_stage",
]


@dataclass(frozen=True)
class HamletRule:
    """When a hamlet counts as covered by mobile broadband (``RunParams.mobile``).

    Attributes
    ----------
    centre_required
        The hamlet centre (nhà văn hóa) must be covered: True, the trắng sóng test of
        Công văn 1603/BTTTT-CVT (DOMAIN.md §1).
    min_pop_share
        Minimum share (0-1) of the hamlet's population in covered cells: 0.8, the lõm sóng test;
        DOMAIN.md suggests "≥ 80 %" as the default of its household rules [U], editable.
    signal_techs
        Technologies that count as "a mobile signal" for the trắng sóng / lõm sóng flags: all of
        2G-5G, since the official definition says "no mobile signal" (sóng di động), not "no
        broadband". Set ``["4G", "5G"]`` to flag hamlets without broadband instead.
    """

    centre_required: bool = True
    min_pop_share: float = 0.8
    signal_techs: tuple[str, ...] = TECHS

    def __post_init__(self) -> None:
        if not (isinstance(self.min_pop_share, int | float) and 0.0 <= self.min_pop_share <= 1.0):
            raise ValidationError(
                f"mobile.min_pop_share must be between 0 and 1, got {self.min_pop_share!r}.",
                f"mobile.min_pop_share phải từ 0 đến 1, nhận {self.min_pop_share!r}.",
                fix="Give a share, e.g. 0.8 for 80 %.", fix_vi="Nhập tỷ lệ, ví dụ 0.8 cho 80 %.",
            )
        techs = tuple(str(t).upper() for t in self.signal_techs)
        bad = [t for t in techs if t not in TECHS]
        if bad or not techs:
            raise ValidationError(
                f"mobile.signal_techs: {bad or 'empty'}; valid: {', '.join(TECHS)}.",
                f"mobile.signal_techs: {bad or 'rỗng'}; hợp lệ: {', '.join(TECHS)}.",
            )
        object.__setattr__(self, "signal_techs", techs)

    def covered(self, centre_covered: np.ndarray, pop_share: np.ndarray) -> np.ndarray:
        """The rule on arrays: (centre covered, if required) and share >= the minimum."""
        ok = np.asarray(pop_share, float) >= self.min_pop_share - 1e-12
        if self.centre_required:
            ok &= np.asarray(centre_covered, bool)
        return ok


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


def _sample_points(villages: gpd.GeoDataFrame, coverage: CoverageResult,
                   population: tuple[np.ndarray, Affine] | None,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points standing for each polygon hamlet's people: (xy, weight, hamlet position, kind).

    ``kind[h]`` is 2 when hamlet ``h`` is weighted by population, 1 by area, 0 centre only.
    """
    geoms = np.asarray(villages.geometry.values, dtype=object)
    n = len(geoms)
    kind = np.zeros(n, np.int8)
    poly = np.flatnonzero(shapely.get_type_id(geoms) >= 3)  # Polygon (3) / MultiPolygon (6)
    xy_parts, w_parts, h_parts = [], [], []
    if poly.size == 0:
        return np.empty((0, 2)), np.empty(0), np.empty(0, np.int64), kind
    tree = shapely.STRtree(geoms[poly])
    left, bottom, right, top = shapely.total_bounds(geoms[poly])
    todo = poly
    if population is not None:
        pop, ptr = population
        cols = np.arange(pop.shape[1])
        rows = np.arange(pop.shape[0])
        cx = ptr.c + (cols + 0.5) * ptr.a
        cy = ptr.f + (rows + 0.5) * ptr.e
        cs = np.flatnonzero((cx >= left) & (cx <= right))
        rs = np.flatnonzero((cy >= bottom) & (cy <= top))
        sub = pop[np.ix_(rs, cs)]
        rr, cc = np.nonzero(np.isfinite(sub) & (sub > 0))
        pts_xy = np.column_stack([cx[cs[cc]], cy[rs[rr]]])
        weights = sub[rr, cc].astype(float)
        pi, hi = tree.query(shapely.points(pts_xy), predicate="within")
        h = poly[hi]
        has = np.zeros(n, bool)
        has[h] = True
        kind[has] = 2
        xy_parts.append(pts_xy[pi])
        w_parts.append(weights[pi])
        h_parts.append(h)
        todo = poly[~has[poly]]
    if todo.size:
        tr = coverage.transform
        h_, w_ = coverage.shape
        cx = tr.c + (np.arange(w_) + 0.5) * tr.a
        cy = tr.f + (np.arange(h_) + 0.5) * tr.e
        lt, bt, rt, tp = shapely.total_bounds(geoms[todo])
        cs = np.flatnonzero((cx >= lt) & (cx <= rt))
        rs = np.flatnonzero((cy >= bt) & (cy <= tp))
        gx, gy = np.meshgrid(cx[cs], cy[rs])
        pts_xy = np.column_stack([gx.ravel(), gy.ravel()])
        sub_tree = shapely.STRtree(geoms[todo])
        pi, hi = sub_tree.query(shapely.points(pts_xy), predicate="within")
        h = todo[hi]
        kind[np.unique(h)] = 1
        xy_parts.append(pts_xy[pi])
        w_parts.append(np.ones(len(pi)))
        h_parts.append(h)
    return (np.concatenate(xy_parts), np.concatenate(w_parts),
            np.concatenate(h_parts).astype(np.int64), kind)


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
        (``population`` / ``area`` / ``centre``).
    """
    radio = radio or RadioParams()
    rule = rule or HamletRule()
    n = len(villages)
    centres = hamlet_centres(villages)
    xy, w, h, kind = _sample_points(villages, coverage, population)
    tot = np.bincount(h, weights=w, minlength=n)
    basis = np.array(["centre", "area", "population"], dtype=object)[kind]
    ids = villages["village_id"].to_numpy() if "village_id" in villages else np.arange(n)
    frames = []
    for op, tech in coverage.keys:
        arr = coverage.best(tech, op)
        thr = radio.tech(tech).tiers.edge_dbm
        centre = sample_grid(arr, coverage.transform, centres)
        with np.errstate(invalid="ignore"):
            centre_ok = centre >= thr
            pts_ok = sample_grid(arr, coverage.transform, xy) >= thr
        cov = np.bincount(h, weights=w * pts_ok, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(tot > 0, cov / np.where(tot > 0, tot, 1.0), centre_ok.astype(float))
        frames.append(pd.DataFrame({
            "hamlet": np.arange(n), "village_id": ids, "operator": op, "tech": tech,
            "centre_rsrp_dbm": np.round(centre, 2), "centre_covered": centre_ok,
            "pop_share": np.round(share, 4), "covered": rule.covered(centre_ok, share),
            "share_basis": basis,
        }))
    if not frames:
        return pd.DataFrame(columns=["hamlet", "village_id", "operator", "tech",
                                     "centre_rsrp_dbm", "centre_covered", "pop_share",
                                     "covered", "share_basis"])
    long = pd.concat(frames, ignore_index=True)
    long.attrs["signal_share"] = _signal_share(coverage, radio, rule, centres, xy, w, h, tot, n)
    return long


def _signal_share(coverage: CoverageResult, radio: RadioParams, rule: HamletRule,
                  centres: np.ndarray, xy: np.ndarray, w: np.ndarray, h: np.ndarray,
                  tot: np.ndarray, n: int) -> pd.DataFrame:
    """Per hamlet: any signal of ``rule.signal_techs`` at the centre, and the share of
    population (or area) with some signal from some operator (the union)."""
    centre_any = np.zeros(n, bool)
    pts_any = np.zeros(len(xy), bool)
    for op, tech in coverage.keys:
        if tech not in rule.signal_techs:
            continue
        arr = coverage.best(tech, op)
        thr = radio.tech(tech).tiers.edge_dbm
        with np.errstate(invalid="ignore"):
            centre_any |= sample_grid(arr, coverage.transform, centres) >= thr
            pts_any |= sample_grid(arr, coverage.transform, xy) >= thr
    cov = np.bincount(h, weights=w * pts_any, minlength=n)
    share = np.where(tot > 0, cov / np.where(tot > 0, tot, 1.0), centre_any.astype(float))
    return pd.DataFrame({"centre_signal": centre_any, "signal_share": share})


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


# -- run stages ----------------------------------------------------------------------------------

def _area_bounds(villages: gpd.GeoDataFrame, margin_m: float) -> tuple[float, float, float,
                                                                       float]:
    left, bottom, right, top = villages.total_bounds
    return left - margin_m, bottom - margin_m, right + margin_m, top + margin_m


def coverage_stage(ctx) -> None:
    """Run stage "coverage": sectors from the sites, the DEM around the area, the engine.

    Reads the DEM over the hamlets' area plus the largest coverage radius (flat terrain at
    ``RadioParams.grid_resolution_m`` and a warning without a DEM), computes the best-server
    rasters on the area, writes ``coverage_<operator>_<tech>.tif`` (and ``server_...``) into the
    run folder, and keeps the :class:`CoverageResult` in ``ctx.results["coverage"]``.
    """
    from gis.layers.rasters import read_window
    from gis.radio.sectors import expand_sectors

    radio: RadioParams = ctx.params.radio
    villages = ctx.project.require("villages")
    sites = ctx.project.require("sites")
    crs = ctx.project.crs
    tx, defaults = expand_sectors(sites, radio)
    for d in defaults:
        ctx.default(d)
    ctx.results["transmitters"] = tx
    margin = float(radio.area_margin_m)
    area = _area_bounds(villages, margin)
    techs = sorted(set(tx["tech"].astype(str))) or [radio.default_tech]
    rmax = max(radio.tech(t).max_radius_m for t in techs)
    if "max_radius_m" in tx and len(tx):
        rmax = max(rmax, float(np.nanmax(pd.to_numeric(tx["max_radius_m"], errors="coerce")
                                         .to_numpy(float), initial=0.0)))
    res_param = radio.grid_resolution_m
    dem_path = ctx.project.rasters.get("dem")
    if dem_path is not None:
        halo = rmax + 3 * float(res_param or 100.0)
        big = (area[0] - halo, area[1] - halo, area[2] + halo, area[3] + halo)
        dem, transform = read_window(dem_path, big, crs=crs, resolution_m=res_param)
    else:
        res = float(res_param or 30.0)
        halo = rmax + 3 * res
        width = math.ceil((area[2] - area[0] + 2 * halo) / res)
        height = math.ceil((area[3] - area[1] + 2 * halo) / res)
        transform = Affine(res, 0.0, area[0] - halo, 0.0, -res, area[3] + halo)
        dem = np.zeros((height, width), np.float32)
        ctx.warn("No DEM: coverage computed over flat terrain (no terrain shadowing) / "
                 "Không có DEM: vùng phủ tính trên địa hình phẳng (không có che khuất địa hình).")
    res = float(transform.a)
    c0 = max(0, math.floor((area[0] - transform.c) / res))
    r0 = max(0, math.floor((transform.f - area[3]) / res))
    c1 = min(dem.shape[1], math.ceil((area[2] - transform.c) / res))
    r1 = min(dem.shape[0], math.ceil((transform.f - area[1]) / -transform.e))
    window = (r0, c0, r1 - r0, c1 - c0)
    landcover = None
    lc_path = ctx.project.rasters.get("landcover")
    if lc_path is not None:
        bounds = (transform.c, transform.f + transform.e * dem.shape[0],
                  transform.c + res * dem.shape[1], transform.f)
        lc, _ = read_window(lc_path, bounds, crs=crs, resolution_m=res, resampling="nearest")
        landcover = np.full(dem.shape, np.nan, np.float32)
        h, w = min(lc.shape[0], dem.shape[0]), min(lc.shape[1], dem.shape[1])
        landcover[:h, :w] = lc[:h, :w]
    result = compute_coverage(tx, dem, transform, crs, radio, landcover=landcover, window=window)
    for w in result.warnings:
        ctx.warn(w)
    for (_op, _tech), path in result.write(ctx.workdir).items():
        ctx.rasters[path.stem] = path
    ctx.results["coverage"] = result


def mobile_stage(ctx) -> None:
    """Run stage "mobile": per-hamlet coverage columns and ``ctx.results["hamlet_coverage"]``."""
    from gis.layers.rasters import read_window

    result: CoverageResult | None = ctx.results.get("coverage")
    if result is None:
        ctx.warn("Stage 'mobile' skipped: no coverage was computed.")
        return
    villages = ctx.project.require("villages")
    rule: HamletRule = ctx.params.mobile
    population = None
    pop_path = ctx.project.rasters.get("population")
    if pop_path is not None:
        tr = result.transform
        bounds = (tr.c, tr.f + tr.e * result.shape[0], tr.c + tr.a * result.shape[1], tr.f)
        population = read_window(pop_path, bounds, crs=ctx.project.crs, resampling="nearest")
    else:
        ctx.default("No population raster: hamlet coverage shares are shares of the hamlet "
                    "area (polygons) or of the centre (points).")
    long = hamlet_coverage(villages, result, ctx.params.radio, rule, population=population)
    ctx.results["hamlet_coverage"] = long
    ops = sorted(set(result.transmitters["operator"].astype(str)))
    cols = hamlet_columns(long, ctx.hamlets.index, rule, operators=ops)
    for c in cols.columns:
        ctx.hamlets[c] = cols[c].to_numpy()
