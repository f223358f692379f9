"""Expected download speed per cell and per hamlet: an ESTIMATE (ước tính), not a measurement.

The plans' speed targets are i-Speed medians (70 Mbit/s mobile; 95 or 150 Mbit/s fixed, DOMAIN.md
sections 0-1). A map cannot measure them; this module estimates what the planned network should
give, so that a planner sees where the targets are out of reach. Every column and label says
"estimate".

Mobile (4G / 5G), per coverage cell
-----------------------------------
For the best server of an operator and technology (the coverage engine's ``best_dbm`` and
``server``), on its carrier (operator, tech, ``freq_mhz`` of the serving transmitter):

1. **Signal and interference per resource element.** The engine's signal is RSRP (SS-RSRP for
   NR) in dBm **per resource element** (``EIRP - 10 log10 N_sc``, :mod:`gis.radio.linkbudget`).
   ``power_sum_mw[(operator, tech, freq_mhz)]`` is the linear sum, in mW, of the same per-RE
   signal of every transmitter on that carrier, so the others' power is ``P_sum - S`` and

   .. math:: I = \\lambda_I \\, \\max(0, P_{sum} - S)

   with λ_I :attr:`SpeedParams.interference_load`. Different operators (or carriers) never
   interfere: they use different spectrum.
2. **Noise per resource element.** Thermal noise over one subcarrier plus the handset noise
   figure, the same unit as the signal::

       N_RE = -174 dBm/Hz + 10 log10(Δf) + NF
            = -174 + 10 log10(15 000) + 9 = -174 + 41.76 + 9 = -123.24 dBm   (LTE, Δf 15 kHz)
            = -174 + 10 log10(30 000) + 9 = -174 + 44.77 + 9 = -120.23 dBm   (NR, Δf 30 kHz)

   This equals the noise over the whole occupied bandwidth divided by N_sc (-174 + 10 log10(1200
   x 15 kHz) + 9 = -92.45 dBm for 20 MHz LTE, minus 10 log10 1200 = 30.79 dB), so the SINR is the
   same per RE or over the carrier: ``SINR = S / (I + N_RE)`` (linear, mW).
3. **Spectral efficiency** (bit/s/Hz): the attenuated Shannon bound of 3GPP TR 36.942 Annex A.2,
   per MIMO layer, with the rank that gives the most:

   .. math::
       f(x) = \\begin{cases} 0 & x < SINR_{min} \\\\
              \\min(\\alpha \\log_2(1 + x), SE_{max}) & \\text{otherwise} \\end{cases}
       \\qquad SE = \\max_{1 \\le n \\le L} n \\, f(x / n)

   (the power split equally over *n* layers; L :attr:`SpeedParams.mimo_layers`).
4. **Speed** (Mbit/s) ``= SE x B_occupied (MHz) x dl_fraction x load_factor``.

A cell with **no signal** (no server) has speed NaN in the grids; a cell with a signal whose SINR
is below SINR_min has speed 0. In the hamlet medians a cell without signal counts as 0 Mbit/s:
the people there get no service.

Per hamlet (``est_dl_mbps_mobile``)
-----------------------------------
Per operator, each cell's speed is the best of its 4G and 5G speeds (a 5G handset falls back to
4G); the hamlet's speed for that operator is the population-weighted median over its cells
(:attr:`SpeedParams.hamlet_stat`); ``est_dl_mbps_mobile`` is the best operator's.

Fixed (``est_dl_mbps_fixed``)
-----------------------------
For hamlets with FTTH, the share of one GPON's downstream (ITU-T G.984: 2488.32 Mbit/s) that a
busy-hour user gets, capped by the plan speed::

    est = min(cap, R x efficiency / max(1, split x take_up x concurrency))

e.g. 2488.32 x 0.92 / (32 x 0.7 x 0.2) = 2289.25 / 4.48 = 511 -> min(300, 511) = 300 Mbit/s.
NaN for hamlets without FTTH.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.analysis.frames import as_bool
from gis.analysis.hamlets import hamlet_centres
from gis.analysis.indicators import SPEED_INDICATORS, speed_indicator_flags
from gis.analysis.mobile import points_in_polygons
from gis.analysis.speed_params import (
    SPEED_TARGET_PRESETS,
    SPEED_TECHS,
    SpeedParams,
    SpeedTargets,
    speed_targets,
)
from gis.errors import CRSError, ValidationError
from gis.labels import SPEED_COLUMN_LABELS
from gis.radio.coverage import sample_grid

__all__ = [
    "ESTIMATE_LABEL",
    "SPEED_BREAKS_MBPS",
    "SPEED_COLOURS",
    "SPEED_COLUMN_LABELS",
    "SPEED_INDICATORS",
    "SPEED_TARGET_PRESETS",
    "SpeedGrids",
    "SpeedParams",
    "SpeedTargets",
    "fixed_speed_mbps",
    "hamlet_fixed_speed",
    "hamlet_mobile_speed",
    "hamlet_speed_from_samples",
    "mobile_speed_mbps",
    "noise_per_re_dbm",
    "operator_slug",
    "sinr_db",
    "spectral_efficiency",
    "speed_colour",
    "speed_from_coverage",
    "speed_grids",
    "speed_indicator_flags",
    "speed_legend",
    "speed_samples",
    "speed_targets",
]

#: The word that goes with every speed shown to a user.
ESTIMATE_LABEL = {"en": "estimate", "vi": "ước tính"}

# -- radio: SINR and spectral efficiency ---------------------------------------------------------

def noise_per_re_dbm(scs_khz: float, noise_figure_db: float = 9.0, *,
                     thermal_dbm_hz: float = -174.0) -> float:
    """Thermal noise plus the receiver noise figure over one subcarrier, dBm.

    >>> round(noise_per_re_dbm(15), 2), round(noise_per_re_dbm(30), 2)
    (-123.24, -120.23)
    """
    return float(thermal_dbm_hz + 10.0 * math.log10(float(scs_khz) * 1000.0) + noise_figure_db)


def sinr_db(signal_dbm: np.ndarray, power_sum_mw: np.ndarray, noise_dbm: float, *,
            interference_load: float = 1.0) -> np.ndarray:
    """SINR (dB) of a serving signal against the others on its carrier and the noise.

    Parameters
    ----------
    signal_dbm
        Serving signal per resource element, dBm (RSRP).
    power_sum_mw
        Linear sum of every transmitter's signal on the carrier (the server's included), mW.
    noise_dbm
        Noise per resource element, dBm (:func:`noise_per_re_dbm`).
    interference_load
        Share (0-1) of the others' power that interferes.

    Returns
    -------
    numpy.ndarray
        ``10 log10(S / (λ max(0, P_sum - S) + N))``, float64; NaN where the signal is NaN.
    """
    s = np.power(10.0, np.asarray(signal_dbm, dtype=np.float64) / 10.0)
    total = np.asarray(power_sum_mw, dtype=np.float64)
    other = np.maximum(total - s, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 10.0 * np.log10(s / (interference_load * other + 10.0 ** (noise_dbm / 10.0)))


def spectral_efficiency(sinr: np.ndarray, *, alpha: float = 0.6, sinr_min_db: float = -10.0,
                        se_max_bps_hz: float = 4.4, layers: int = 1) -> np.ndarray:
    """Downlink spectral efficiency (bit/s/Hz) from the SINR (dB), 3GPP TR 36.942 Annex A.2.

    ``f(x) = 0`` below ``sinr_min_db``, else ``min(alpha log2(1 + x), se_max)``; with ``layers``
    > 1, ``max over n <= layers of n f(x / n)`` (the SINR split over n layers). NaN stays NaN.

    >>> spectral_efficiency(np.array([-10.5, -10.0, 10.0, 22.05, 30.0])).round(4).tolist()
    [0.0, 0.0825, 2.0757, 4.4, 4.4]
    """
    x_db = np.asarray(sinr, dtype=np.float64)
    out = np.zeros_like(x_db)
    lin = np.power(10.0, x_db / 10.0)
    for n in range(1, int(layers) + 1):
        per_layer = lin / n
        with np.errstate(divide="ignore"):
            ok = 10.0 * np.log10(per_layer) >= sinr_min_db - 1e-9
        se = n * np.minimum(alpha * np.log2(1.0 + per_layer), se_max_bps_hz)
        out = np.maximum(out, np.where(ok, se, 0.0))
    out[np.isnan(x_db)] = np.nan
    return out


def mobile_speed_mbps(sinr: np.ndarray, carrier: dict[str, float], load_factor: float
                      ) -> np.ndarray:
    """Speed (Mbit/s) of one user from the SINR (dB) on a carrier (:meth:`SpeedParams.carrier`).

    ``SE(SINR) x occupied_mhz x dl_fraction x load_factor``.
    """
    se = spectral_efficiency(sinr, alpha=carrier["alpha"], sinr_min_db=carrier["sinr_min_db"],
                             se_max_bps_hz=carrier["se_max_bps_hz"],
                             layers=int(carrier["mimo_layers"]))
    return se * carrier["occupied_mhz"] * carrier["dl_fraction"] * load_factor


# -- grids ---------------------------------------------------------------------------------------

@dataclass
class SpeedGrids:
    """Estimated speed (Mbit/s) and SINR (dB) per operator and technology on one grid.

    Attributes
    ----------
    transform, shape
        The coverage grid.
    mbps, sinr_db
        ``(operator, tech)`` -> float32 arrays; NaN where no transmitter serves.
    """

    transform: Affine
    shape: tuple[int, int]
    mbps: dict[tuple[str, str], np.ndarray]
    sinr_db: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    @property
    def operators(self) -> list[str]:
        """Operators with a speed grid, sorted."""
        return sorted({op for op, _ in self.mbps})

    def operator_best(self, operator: str) -> np.ndarray:
        """Per cell, the best of the operator's 4G and 5G speeds (NaN where none serves)."""
        out = np.full(self.shape, np.nan, np.float32)
        for (op, _), arr in self.mbps.items():
            if op == operator:
                out = np.fmax(out, arr)
        return out

    def best(self) -> np.ndarray:
        """Per cell, the best operator's speed: the map layer (NaN where none serves)."""
        out = np.full(self.shape, np.nan, np.float32)
        for arr in self.mbps.values():
            out = np.fmax(out, arr)
        return out


def _freq_key(freq_mhz: float) -> float:
    return round(float(freq_mhz), 3)


def speed_grids(
    best_dbm: dict[tuple[str, str], np.ndarray],
    server: dict[tuple[str, str], np.ndarray],
    transmitters: pd.DataFrame,
    power_sum_mw: dict[tuple[str, str, float], np.ndarray],
    params: SpeedParams | None = None,
    *,
    transform: Affine,
) -> SpeedGrids:
    """Estimated speed per cell for every 4G / 5G (operator, tech) of the coverage.

    Parameters
    ----------
    best_dbm, server
        The coverage engine's best-server signal (dBm per RE) and server index per
        ``(operator, tech)`` (:class:`gis.radio.coverage.CoverageResult`).
    transmitters
        The transmitter table the server indices refer to (``freq_mhz``, MHz).
    power_sum_mw
        ``(operator, tech, freq_mhz)`` -> linear sum (mW) of every transmitter's signal on that
        carrier, on the same grid.
    params
        Speed parameters.
    transform
        The grid's transform (metric analysis CRS), kept in the result.

    Returns
    -------
    SpeedGrids
        2G / 3G pairs are skipped (no mobile-broadband speed).
    """
    params = params or SpeedParams()
    freqs = pd.to_numeric(transmitters["freq_mhz"], errors="coerce").to_numpy(dtype=float) \
        if len(transmitters) else np.empty(0)
    sums = {(str(o), str(t).upper(), _freq_key(f)): v for (o, t, f), v in power_sum_mw.items()}
    mbps, sinrs = {}, {}
    shape = next(iter(best_dbm.values())).shape if best_dbm else (0, 0)
    for (op, tech), sig in sorted(best_dbm.items()):
        if tech not in SPEED_TECHS:
            continue
        srv = np.asarray(server[op, tech])
        flat_sig = np.asarray(sig).ravel()
        flat_srv = srv.ravel()
        cells = np.flatnonzero((flat_srv >= 0) & np.isfinite(flat_sig))
        out = np.full(sig.size, np.nan, np.float32)
        out_sinr = np.full(sig.size, np.nan, np.float32)
        if cells.size:
            if flat_srv[cells].max() >= len(freqs):
                raise ValidationError(
                    f"Server indices of {op} {tech} refer to transmitter rows that are not in the "
                    "transmitter table.",
                    f"Chỉ số trạm phục vụ của {op} {tech} trỏ tới dòng không có trong bảng máy phát.",
                    fix="Pass the CoverageResult's own transmitter table.",
                )
            cell_f = np.round(freqs[flat_srv[cells]], 3)
            for f in np.unique(cell_f):
                key = (op, tech, float(f))
                if key not in sums:
                    raise ValidationError(
                        f"No power sum for the carrier {op} {tech} {f:g} MHz: the SINR needs the "
                        "sum of the power of every transmitter on it.",
                        f"Thiếu tổng công suất của sóng mang {op} {tech} {f:g} MHz để tính SINR.",
                        fix="Compute the coverage with power sums per (operator, tech, freq_mhz).",
                    )
                sel = cells[cell_f == f]
                car = params.carrier(op, tech, float(f))
                x = sinr_db(flat_sig[sel], np.asarray(sums[key]).ravel()[sel],
                            car["noise_per_re_dbm"], interference_load=params.interference_load)
                out_sinr[sel] = x
                out[sel] = mobile_speed_mbps(x, car, params.load_factor)
        mbps[op, tech] = out.reshape(sig.shape)
        sinrs[op, tech] = out_sinr.reshape(sig.shape)
    return SpeedGrids(transform=transform, shape=tuple(shape), mbps=mbps, sinr_db=sinrs)


def speed_from_coverage(coverage, power_sum_mw: dict[tuple[str, str, float], np.ndarray],
                        params: SpeedParams | None = None) -> SpeedGrids:
    """:func:`speed_grids` on a :class:`gis.radio.coverage.CoverageResult` (with its transmitters).
    """
    if len(coverage.transmitters) == 0 and any(
            (s >= 0).any() for (_, t), s in coverage.server.items() if t in SPEED_TECHS):
        raise ValidationError(
            "The coverage has no transmitter table (read back from GeoTIFFs): the serving "
            "carriers are unknown.",
            "Kết quả vùng phủ không có bảng máy phát (đọc lại từ GeoTIFF): không biết sóng mang "
            "phục vụ.",
            fix="Estimate the speed in the run that computes the coverage.",
        )
    grids = speed_grids(coverage.best_dbm, coverage.server, coverage.transmitters, power_sum_mw,
                        params, transform=coverage.transform)
    grids.shape = tuple(coverage.shape)  # also when it has no 4G / 5G at all
    return grids


# -- per hamlet ----------------------------------------------------------------------------------

def speed_samples(
    villages: gpd.GeoDataFrame,
    grids: SpeedGrids,
    *,
    population: tuple[np.ndarray, Affine] | None = None,
    stat: str = "pop_median",
) -> tuple[pd.DataFrame, list[str]]:
    """The points at which each hamlet's speed is read, their weights and speeds per operator.

    With ``stat="pop_median"``: the population cells inside a polygon hamlet (weight: people);
    for a polygon without people in the raster (or without a raster), the coverage cells inside
    it (weight 1); for a point hamlet, or a polygon containing no cell centre, its centre
    (weight 1). With ``stat="centre"``: every hamlet's centre. Points outside the grid are
    dropped; inside it, a cell without signal reads 0 Mbit/s.

    Concatenating the samples of the tiles of an area gives the samples of the whole, which is
    how a tiled run can reduce them (each point falls in exactly one tile's grid).

    Returns
    -------
    samples, operators
        ``hamlet`` (position), ``weight`` and one column per operator (Mbit/s), and the
        operator names in column order.
    """
    ops = grids.operators
    n = len(villages)
    tr = grids.transform
    h, w = grids.shape
    pts_xy, pts_w, pts_h = [np.empty((0, 2))], [np.empty(0)], [np.empty(0, np.int64)]
    has = np.zeros(n, dtype=bool)
    if stat == "pop_median" and n and h and w:
        geoms = np.asarray(villages.geometry.values, dtype=object)
        poly = np.flatnonzero(shapely.get_type_id(geoms) >= 3)
        if poly.size and population is not None:
            pop, ptr = population
            xy, wt, hi = points_in_polygons(
                shapely.STRtree(geoms[poly]), poly, shapely.total_bounds(geoms[poly]),
                ptr.c + (np.arange(pop.shape[1]) + 0.5) * ptr.a,
                ptr.f + (np.arange(pop.shape[0]) + 0.5) * ptr.e, pop)
            pts_xy.append(xy)
            pts_w.append(wt)
            pts_h.append(hi)
            has[hi] = True
        poly = poly[~has[poly]]  # polygons without people: their coverage cells, equal weights
        if poly.size:
            xy, wt, hi = points_in_polygons(
                shapely.STRtree(geoms[poly]), poly, shapely.total_bounds(geoms[poly]),
                tr.c + (np.arange(w) + 0.5) * tr.a, tr.f + (np.arange(h) + 0.5) * tr.e, None)
            pts_xy.append(xy)
            pts_w.append(wt)
            pts_h.append(hi)
            has[hi] = True
    rest = np.flatnonzero(~has)
    if rest.size:
        pts_xy.append(hamlet_centres(villages)[rest])
        pts_w.append(np.ones(rest.size))
        pts_h.append(rest)
    xy = np.concatenate(pts_xy)
    col = np.floor((xy[:, 0] - tr.c) / tr.a)
    row = np.floor((xy[:, 1] - tr.f) / tr.e)
    inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)
    xy = xy[inside]
    samples = pd.DataFrame({"hamlet": np.concatenate(pts_h)[inside],
                            "weight": np.concatenate(pts_w)[inside]})
    for op in ops:
        v = sample_grid(grids.operator_best(op), tr, xy) if len(xy) else np.empty(0)
        samples[op] = np.nan_to_num(v, nan=0.0)
    return samples, ops


def _weighted_median(group: np.ndarray, value: np.ndarray, weight: np.ndarray,
                     n_groups: int) -> np.ndarray:
    """Lower weighted median of ``value`` per group: the smallest value whose cumulative weight
    reaches half of the group's weight. NaN for a group without weight."""
    ok = np.isfinite(value) & (weight > 0)
    g, v, wt = group[ok], value[ok], weight[ok]
    out = np.full(n_groups, np.nan)
    if g.size == 0:
        return out
    order = np.lexsort((v, g))
    g, v, wt = g[order], v[order], wt[order]
    cw = np.cumsum(wt)
    total = np.bincount(g, weights=wt, minlength=n_groups)
    start = np.searchsorted(g, np.arange(n_groups))
    base = np.where(start > 0, cw[np.maximum(start - 1, 0)], 0.0)
    target = base + 0.5 * total - 1e-9 * np.maximum(total, 1.0)
    idx = np.searchsorted(cw, target, side="left")
    present = total > 0
    out[present] = v[np.minimum(idx[present], v.size - 1)]
    return out


def operator_slug(text: str) -> str:
    """The operator's part of the column and raster names ``est_dl_mbps_<slug>``.

    >>> operator_slug("VinaPhone (VNPT)")
    'vinaphone_vnpt'
    """
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


def hamlet_mobile_speed(
    villages: gpd.GeoDataFrame,
    grids: SpeedGrids,
    *,
    population: tuple[np.ndarray, Affine] | None = None,
    params: SpeedParams | None = None,
    crs: object = None,
) -> pd.DataFrame:
    """``est_dl_mbps_mobile`` per hamlet: the best operator's speed (Mbit/s, an estimate).

    Parameters
    ----------
    villages
        Hamlets (points or polygons) in the grid's CRS.
    grids
        From :func:`speed_grids`.
    population
        ``(people per cell, transform)`` in the same CRS, for the population weights.
    params
        ``hamlet_stat`` chooses the population-weighted median or the centre.
    crs
        The grid's CRS, checked against the hamlets' when given.

    Returns
    -------
    pandas.DataFrame
        On ``villages.index``: ``est_dl_mbps_mobile`` (NaN for a hamlet outside the grid or when
        no operator has 4G / 5G), ``est_dl_mobile_operator`` and ``est_dl_mbps_<operator>``
        per operator (rounded to 0.1 Mbit/s).
    """
    params = params or SpeedParams()
    if crs is not None and villages.crs is not None and not villages.crs.equals(crs):
        raise CRSError(
            f"The hamlets are in {villages.crs.name}, the speed grid in {crs}.",
            f"Lớp thôn ở hệ {villages.crs.name}, lưới tốc độ ở hệ {crs}.",
            fix="Reproject the hamlets to the analysis CRS.",
            fix_vi="Chuyển lớp thôn sang hệ tọa độ phân tích.",
        )
    samples, ops = speed_samples(villages, grids, population=population,
                                 stat=params.hamlet_stat)
    return hamlet_speed_from_samples(samples, ops, villages.index)


def hamlet_speed_from_samples(samples: pd.DataFrame, operators: list[str],
                              index: pd.Index) -> pd.DataFrame:
    """The hamlet columns of :func:`hamlet_mobile_speed` from :func:`speed_samples`.

    A tiled run concatenates the samples of its tiles (same operator columns, 0 where a tile
    lacks an operator) and calls this once: the result equals the one-piece run's.

    Parameters
    ----------
    samples, operators
        As returned by :func:`speed_samples` (``hamlet`` is the position in ``index``).
    index
        The hamlet table's index.
    """
    n = len(index)
    ops = list(operators)
    out = pd.DataFrame(index=index)
    per_op = np.full((n, len(ops)), np.nan)
    group = samples["hamlet"].to_numpy(dtype=np.int64)
    weight = samples["weight"].to_numpy(dtype=float)
    for k, op in enumerate(ops):
        per_op[:, k] = _weighted_median(group, samples[op].to_numpy(dtype=float), weight, n)
    if ops:
        filled = np.where(np.isnan(per_op), -np.inf, per_op)
        best_k = np.argmax(filled, axis=1)
        best = per_op[np.arange(n), best_k]
        op_name = np.where(np.isfinite(best), np.asarray(ops, dtype=object)[best_k], None)
    else:
        best = np.full(n, np.nan)
        op_name = np.full(n, None, dtype=object)
    out["est_dl_mbps_mobile"] = np.round(best, 1)
    out["est_dl_mobile_operator"] = op_name
    for k, op in enumerate(ops):
        out[f"est_dl_mbps_{operator_slug(op)}"] = np.round(per_op[:, k], 1)
    return out


def fixed_speed_mbps(params: SpeedParams | None = None, *, split_ratio: int | None = None
                     ) -> float:
    """Estimated FTTH download speed of one busy-hour user, Mbit/s (see the module doc).

    ``split_ratio`` overrides :attr:`SpeedParams.split_ratio`; with neither, 1:32.

    >>> round(fixed_speed_mbps(SpeedParams(plan_cap_mbps=1000.0)), 1)
    511.0
    """
    params = params or SpeedParams()
    split = split_ratio or params.split_ratio or 32
    active = max(1.0, split * params.take_up * params.concurrency)
    share = params.pon_downstream_mbps * params.gpon_efficiency / active
    return float(min(params.plan_cap_mbps, share))


def hamlet_fixed_speed(ftth: pd.Series, params: SpeedParams | None = None, *,
                       split_ratio: int | None = None) -> pd.Series:
    """``est_dl_mbps_fixed`` per hamlet: :func:`fixed_speed_mbps` where ``ftth`` is true, else NaN.

    Parameters
    ----------
    ftth
        The hamlets' FTTH flag (booleans; NA / missing: unknown, NaN speed).
    params, split_ratio
        As :func:`fixed_speed_mbps` (pass ``prod(FiberParams.gpon.splits)``).
    """
    flags = as_bool(pd.DataFrame({"ftth": pd.Series(ftth)}), "ftth")  # "True", 1, "có" too
    value = fixed_speed_mbps(params, split_ratio=split_ratio)
    out = pd.Series(np.where(flags.fillna(False).to_numpy(dtype=bool), round(value, 1), np.nan),
                    index=flags.index, name="est_dl_mbps_fixed")
    return out


# -- indicators ----------------------------------------------------------------------------------

# SPEED_INDICATORS and speed_indicator_flags are defined with every other indicator in
# gis.analysis.indicators (which this module imports), and re-exported here.


# -- map colours ---------------------------------------------------------------------------------

#: Bin edges of the speed colour ramp, Mbit/s: 10 / 25 / 40 (national 4G average, 36/QĐ-TTg) /
#: 70 (the plans' mobile target) / 100 / 150 (the highest fixed target).
SPEED_BREAKS_MBPS: tuple[float, ...] = (10.0, 25.0, 40.0, 70.0, 100.0, 150.0)

#: Colours of the bins below the first edge, between edges and above the last (red to green,
#: ColorBrewer RdYlGn), and ``"nodata"`` for NaN (no estimate).
SPEED_COLOURS: dict[str, str] = {
    "0": "#d73027", "1": "#f46d43", "2": "#fdae61", "3": "#fee08b", "4": "#d9ef8b",
    "5": "#91cf60", "6": "#1a9850", "nodata": "#bdbdbd",
}


def speed_colour(mbps: np.ndarray | float, breaks: tuple[float, ...] = SPEED_BREAKS_MBPS
                 ) -> np.ndarray:
    """Hex colour per speed (Mbit/s) on the ramp; grey where NaN.

    >>> speed_colour(np.array([0.0, 70.0, 69.9, np.nan])).tolist()
    ['#d73027', '#d9ef8b', '#fee08b', '#bdbdbd']
    """
    v = np.asarray(mbps, dtype=float)
    if len(breaks) + 1 > len(SPEED_COLOURS) - 1:
        raise ValidationError(f"At most {len(SPEED_COLOURS) - 2} speed breaks, got {len(breaks)}.",
                              f"Tối đa {len(SPEED_COLOURS) - 2} ngưỡng tốc độ, nhận {len(breaks)}.")
    k = np.digitize(np.nan_to_num(v, nan=0.0), np.asarray(breaks, float), right=False)
    lut = np.array([SPEED_COLOURS[str(i)] for i in range(len(breaks) + 1)], dtype=object)
    return np.where(np.isnan(v), SPEED_COLOURS["nodata"], lut[k])


def speed_legend(lang: str = "vi", breaks: tuple[float, ...] = SPEED_BREAKS_MBPS
                 ) -> tuple[str, list[tuple[str, str]]]:
    """The legend's title (it says "estimate") and its ``(colour, label)`` rows, in ``lang``.

    >>> speed_legend("en")[0]
    'Estimated download speed (Mbit/s)'
    """
    title = ("Tốc độ tải xuống ước tính (Mbit/s)" if lang == "vi"
             else "Estimated download speed (Mbit/s)")
    lo = [0.0, *breaks]
    hi = [*breaks, math.inf]
    rows = []
    for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
        label = f"≥ {a:g}" if math.isinf(b) else f"{a:g}-{b:g}" if a > 0 else f"< {b:g}"
        rows.append((SPEED_COLOURS[str(i)], label))
    rows.append((SPEED_COLOURS["nodata"],
                 "không có ước tính (không có sóng 4G/5G)" if lang == "vi"
                 else "no estimate (no 4G/5G signal)"))
    return title, rows
