"""Per-hamlet coverage statistics computed tile by tile and reduced into the single-piece table.

:func:`gis.analysis.mobile.hamlet_coverage` needs, per hamlet and (operator, tech): the signal at
the hamlet centre, and the covered and total weight of the points standing for its people
(population cells inside the polygon; or the coverage cells inside it when the raster has no
people there; or the centre alone for point hamlets). Each of these is a sum over points, and
each point lies in exactly one tile's core, so a tile computes its partial sums
(:func:`tile_partials`) and the driver adds them up (:class:`HamletReducer`) before dividing:
a hamlet cut by tile edges gets the ratio of the whole sums, the single-piece result. The
centre is sampled by the one tile whose core holds it.

Sums of population weights are float64 sums in a different order than the single-piece path, so
they may differ in the last bit; the table rounds shares to 4 decimals and the covered test has a
1e-12 slack, so the published values are the same (the tests compare them exactly).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.params import HamletRule
from gis.radio.params import RadioParams

__all__ = ["HamletReducer", "HamletSet", "TilePartials", "lattice_in_polygons", "tile_partials"]


@dataclass
class HamletSet:
    """The hamlets one tile needs: global positions, geometries, centres (analysis CRS, m)."""

    index: np.ndarray        # (n,) global positions in the villages layer
    geoms: np.ndarray        # (n,) shapely geometries
    centres: np.ndarray      # (n, 2)

    def __len__(self) -> int:
        return len(self.index)


@dataclass
class TilePartials:
    """One tile's sums, on the hamlets it touches (``hamlet``: global positions).

    ``pop_*``: population points (count, weight, covered weight per key, weight with any
    signal); ``area_*``: coverage cells inside polygons (count, covered count per key, count
    with any signal); ``centre_hamlet`` / ``centre_dbm``: the centres inside the tile's core
    and their signal per key (dBm, NaN where none).
    """

    hamlet: np.ndarray
    pop_n: np.ndarray
    pop_w: np.ndarray
    pop_cov: np.ndarray
    pop_sig: np.ndarray
    area_n: np.ndarray
    area_cov: np.ndarray
    area_sig: np.ndarray
    centre_hamlet: np.ndarray
    centre_dbm: np.ndarray

    def to_npz(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_npz(cls, data) -> TilePartials:
        return cls(**{k: np.asarray(data[k]) for k in cls.__dataclass_fields__})


def _thresholds(keys: list[tuple[str, str]], radio: RadioParams) -> np.ndarray:
    return np.array([radio.tech(t).tiers.edge_dbm for _, t in keys], dtype=float)


def _covered(values: np.ndarray, thr: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return values >= thr[None, :]


def tile_partials(
    hamlets: HamletSet,
    best: list[np.ndarray],
    keys: list[tuple[str, str]],
    grid_transform: Affine,
    grid_shape: tuple[int, int],
    core: tuple[int, int, int, int],
    radio: RadioParams,
    rule: HamletRule,
    *,
    population: tuple[np.ndarray, Affine, np.ndarray, np.ndarray] | None = None,
) -> TilePartials:
    """The sums of one tile.

    Parameters
    ----------
    hamlets
        Hamlets whose polygon or centre may touch the tile (a superset is fine).
    best
        Per key (same order as ``keys``), the tile core's best-server signal, dBm.
    keys
        (operator, tech) pairs of the whole run, sorted.
    grid_transform, grid_shape
        The whole grid (points are placed on it exactly as the single-piece path does).
    core
        ``(row_off, col_off, height, width)`` of the tile in grid cells.
    radio, rule
        Thresholds per tech and the techs that count as "a signal".
    population
        ``(people, transform, rows, cols)``: the population cells this tile owns (values,
        the lattice transform, and their lattice row and column indices), or None.
    """
    r0, c0, th, tw = core
    n = len(hamlets)
    n_keys = len(keys)
    thr = _thresholds(keys, radio)
    sig_keys = np.array([t in rule.signal_techs for _, t in keys], dtype=bool)
    g = grid_transform
    stack = np.stack(best, axis=-1) if best else np.empty((th, tw, 0), np.float32)

    geoms = hamlets.geoms
    is_poly = shapely.get_type_id(geoms) >= 3 if n else np.zeros(0, bool)
    poly = np.flatnonzero(is_poly)
    pop_n = np.zeros(n, np.int64)
    pop_w = np.zeros(n)
    pop_cov = np.zeros((n, n_keys))
    pop_sig = np.zeros(n)
    area_n = np.zeros(n, np.int64)
    area_cov = np.zeros((n, n_keys), np.int64)
    area_sig = np.zeros(n, np.int64)
    if poly.size:
        polys = geoms[poly]
        shapely.prepare(polys)
        if population is not None:
            people, ptr, prow, pcol = population
            ok = np.isfinite(people) & (people > 0)
            if ok.any():
                xs = ptr.c + (pcol + 0.5) * ptr.a
                ys = ptr.f + (prow + 0.5) * ptr.e
                pt, hi = lattice_in_polygons(polys, xs, ys)
                keep = ok.ravel()[pt]
                pt, hi = pt[keep], hi[keep]
                rr, cc = np.divmod(pt, len(pcol))
                xy = np.column_stack([xs[cc], ys[rr]])
                wp = people[rr, cc].astype(float)
                h = poly[hi]
                vals = _sample_clipped(xy, g, grid_shape, core, stack)
                ok_k = _covered(vals, thr)
                pop_n += np.bincount(h, minlength=n)
                pop_w += np.bincount(h, weights=wp, minlength=n)
                for k in range(n_keys):
                    pop_cov[:, k] = np.bincount(h, weights=wp * ok_k[:, k], minlength=n)
                any_sig = ok_k[:, sig_keys].any(axis=1)
                pop_sig += np.bincount(h, weights=wp * any_sig, minlength=n)
        # coverage cells of the core inside polygons (the area basis)
        cx = g.c + (np.arange(c0, c0 + tw) + 0.5) * g.a
        cy = g.f + (np.arange(r0, r0 + th) + 0.5) * g.e
        pi, hi = lattice_in_polygons(polys, cx, cy)
        if pi.size:
            h = poly[hi]
            vals = stack.reshape(-1, n_keys)[pi]
            ok_k = _covered(vals, thr)
            area_n += np.bincount(h, minlength=n)
            for k in range(n_keys):
                area_cov[:, k] = np.bincount(h, weights=ok_k[:, k], minlength=n).astype(
                    np.int64)
            area_sig += np.bincount(h, weights=ok_k[:, sig_keys].any(axis=1),
                                    minlength=n).astype(np.int64)
    # centres in the core
    cxy = hamlets.centres
    if n:
        cols = np.floor((cxy[:, 0] - g.c) / g.a).astype(np.int64)
        rows = np.floor((cxy[:, 1] - g.f) / g.e).astype(np.int64)
        mine = (rows >= r0) & (rows < r0 + th) & (cols >= c0) & (cols < c0 + tw)
        centre_idx = np.flatnonzero(mine)
        centre_dbm = _sample_clipped(cxy[centre_idx], g, grid_shape, core, stack)
    else:
        centre_idx = np.empty(0, np.int64)
        centre_dbm = np.empty((0, n_keys))
    return TilePartials(hamlet=hamlets.index, pop_n=pop_n, pop_w=pop_w, pop_cov=pop_cov,
                        pop_sig=pop_sig, area_n=area_n, area_cov=area_cov, area_sig=area_sig,
                        centre_hamlet=hamlets.index[centre_idx], centre_dbm=centre_dbm)


def lattice_in_polygons(polygons: np.ndarray, xs: np.ndarray, ys: np.ndarray, *,
                        max_pairs: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """The points of a regular lattice that lie inside polygons, without a Point per cell.

    The lattice points are ``(xs[c], ys[r])`` with ``xs`` increasing and ``ys`` decreasing
    (cell centres of a north-up grid, metric CRS); point ``r * len(xs) + c``. Only the points in
    each polygon's bounding box are tested, with :func:`shapely.contains_xy` (the strict
    interior: the same test as ``STRtree.query(points, predicate="within")``, which made one
    Point of every cell of the tile). ``max_pairs`` bounds the candidate (point, polygon) pairs
    tested at once.

    Returns
    -------
    point, polygon
        (k,) int64: flat point index and polygon position of each point inside a polygon,
        sorted by point then polygon (the order of the STRtree query, so that per-hamlet float
        sums add up in the same order).
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    n = len(polygons)
    empty = np.empty(0, np.int64)
    if n == 0 or len(xs) == 0 or len(ys) == 0:
        return empty, empty
    b = shapely.bounds(polygons)
    c0 = np.searchsorted(xs, b[:, 0], side="left")
    c1 = np.searchsorted(xs, b[:, 2], side="right")
    r0 = np.searchsorted(-ys, -b[:, 3], side="left")
    r1 = np.searchsorted(-ys, -b[:, 1], side="right")
    nr = np.maximum(r1 - r0, 0)
    nc = np.maximum(c1 - c0, 0)
    count = (nr * nc).astype(np.int64)
    count[~np.isfinite(b).all(axis=1)] = 0  # empty geometries
    points, owners = [], []
    # polygons in chunks of at most max_pairs candidate points (one huge polygon alone is fine)
    ends = np.cumsum(count)
    start = 0
    while start < n:
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + max_pairs,
                                   side="right"))
        stop = max(stop, start + 1)
        cnt = count[start:stop]
        total = int(cnt.sum())
        if total:
            owner = np.repeat(np.arange(start, stop), cnt)
            k = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            rr = r0[owner] + k // nc[owner]
            cc = c0[owner] + k % nc[owner]
            inside = shapely.contains_xy(polygons[owner], xs[cc], ys[rr])
            points.append(rr[inside] * len(xs) + cc[inside])
            owners.append(owner[inside])
        start = stop
    if not points:
        return empty, empty
    pt = np.concatenate(points).astype(np.int64)
    pg = np.concatenate(owners).astype(np.int64)
    order = np.lexsort((pg, pt))
    return pt[order], pg[order]


def _sample_clipped(xy: np.ndarray, g: Affine, grid_shape: tuple[int, int],
                    core: tuple[int, int, int, int], stack: np.ndarray) -> np.ndarray:
    """Values per key at points owned by the tile (population cells, centres), taken at the
    cell of the whole grid that holds them, exactly as the single-piece path samples: NaN where
    the point lies outside the grid (an edge population cell whose centre is outside)."""
    r0, c0, _, _ = core
    cols = np.floor((xy[:, 0] - g.c) / g.a).astype(np.int64)
    rows = np.floor((xy[:, 1] - g.f) / g.e).astype(np.int64)
    inside = (rows >= 0) & (rows < grid_shape[0]) & (cols >= 0) & (cols < grid_shape[1])
    out = np.full((len(xy), stack.shape[-1]), np.nan)
    out[inside] = stack[rows[inside] - r0, cols[inside] - c0]
    return out


class HamletReducer:
    """Adds up :class:`TilePartials` and builds the long per-hamlet table.

    Parameters
    ----------
    n_hamlets
        Hamlets in the villages layer.
    keys
        (operator, tech) pairs, sorted (the order of the single-piece table).
    is_poly
        Per hamlet: polygon (True) or point.
    village_ids
        The ``village_id`` column values (positions when the layer has none).
    """

    def __init__(self, n_hamlets: int, keys: list[tuple[str, str]], is_poly: np.ndarray,
                 village_ids: np.ndarray) -> None:
        n, k = n_hamlets, len(keys)
        self.keys = list(keys)
        self.is_poly = np.asarray(is_poly, bool)
        self.ids = village_ids
        self.pop_n = np.zeros(n, np.int64)
        self.pop_w = np.zeros(n)
        self.pop_cov = np.zeros((n, k))
        self.pop_sig = np.zeros(n)
        self.area_n = np.zeros(n, np.int64)
        self.area_cov = np.zeros((n, k), np.int64)
        self.area_sig = np.zeros(n, np.int64)
        self.centre = np.full((n, k), np.nan)

    def add(self, part: TilePartials) -> None:
        """Add one tile's sums (call in a fixed tile order for reproducible float sums)."""
        h = part.hamlet
        np.add.at(self.pop_n, h, part.pop_n)
        np.add.at(self.pop_w, h, part.pop_w)
        np.add.at(self.pop_cov, h, part.pop_cov)
        np.add.at(self.pop_sig, h, part.pop_sig)
        np.add.at(self.area_n, h, part.area_n)
        np.add.at(self.area_cov, h, part.area_cov)
        np.add.at(self.area_sig, h, part.area_sig)
        if len(part.centre_hamlet):
            self.centre[part.centre_hamlet] = part.centre_dbm

    def table(self, radio: RadioParams, rule: HamletRule) -> pd.DataFrame:
        """The long table of :func:`gis.analysis.mobile.hamlet_coverage`, same columns, same
        rows, same ``attrs["signal_share"]``."""
        n = len(self.pop_n)
        kind = np.zeros(n, np.int8)
        by_pop = self.is_poly & (self.pop_n > 0)
        by_area = self.is_poly & ~by_pop & (self.area_n > 0)
        kind[by_pop] = 2
        kind[by_area] = 1
        tot = np.where(by_pop, self.pop_w, np.where(by_area, self.area_n, 0.0))
        basis = np.array(["centre", "area", "population"], dtype=object)[kind]
        frames = []
        thr = _thresholds(self.keys, radio)
        for k, (op, tech) in enumerate(self.keys):
            centre = self.centre[:, k]
            with np.errstate(invalid="ignore"):
                centre_ok = centre >= thr[k]
            cov = np.where(by_pop, self.pop_cov[:, k],
                           np.where(by_area, self.area_cov[:, k], 0.0))
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(tot > 0, cov / np.where(tot > 0, tot, 1.0),
                                 centre_ok.astype(float))
            frames.append(pd.DataFrame({
                "hamlet": np.arange(n), "village_id": self.ids, "operator": op, "tech": tech,
                "centre_rsrp_dbm": np.round(centre, 2), "centre_covered": centre_ok,
                "pop_share": np.round(share, 4), "covered": rule.covered(centre_ok, share),
                "share_basis": basis,
            }))
        if not frames:
            return pd.DataFrame(columns=["hamlet", "village_id", "operator", "tech",
                                         "centre_rsrp_dbm", "centre_covered", "pop_share",
                                         "covered", "share_basis"])
        long = pd.concat(frames, ignore_index=True)
        sig_keys = [k for k, (_, t) in enumerate(self.keys) if t in rule.signal_techs]
        centre_any = np.zeros(n, bool)
        with np.errstate(invalid="ignore"):
            for k in sig_keys:
                centre_any |= self.centre[:, k] >= thr[k]
        cov = np.where(by_pop, self.pop_sig, np.where(by_area, self.area_sig, 0.0))
        share = np.where(tot > 0, cov / np.where(tot > 0, tot, 1.0), centre_any.astype(float))
        long.attrs["signal_share"] = pd.DataFrame({"centre_signal": centre_any,
                                                   "signal_share": share})
        return long
