"""Sparse link prediction: the signal of chosen transmitter-receiver pairs, never of all of them.

Siting, co-location and consolidation ask "would an antenna at T reach the hamlet H?" for the pairs
that lie within the coverage radius of each other, a small fraction of all candidate x hamlet
combinations (at country scale 367,941 candidates x 23,805 hamlets would be a 65 GiB float64
matrix; the pairs within 10 km are a few tens of millions). This module

- finds those pairs with an STRtree (:func:`pairs_within`, ``dwithin``), in a canonical order
  (receiver, then transmitter) that does not depend on how the points were split or indexed;
- predicts the signal on a list of pairs (:func:`pair_rsrp_dbm`): the same models and terrain
  term as :func:`gis.radio.coverage.point_rsrp_dbm` (the terrain profile of each pair is sampled
  along the exact straight line and its Deygout / Bullington loss computed by the engine's own
  :func:`gis.radio._kernels.profile_loss_db`), equal to it on every pair, with memory
  proportional to the number of pairs.

The received signal of one pair (omni antenna, relative gain 0 dB):

.. math::

    S = \\mathrm{EIRP} + o_\\text{tech} + G_\\text{rx} - L_\\text{median}(d, f, h_\\text{tx})
        - L_\\text{terrain} - L_\\text{body} - L_\\text{penetration} \\quad \\text{(dBm)}

with :math:`o_\\text{tech}` the technology's signal offset (RSRP per resource element for 4G/5G:
:math:`-10 \\log_{10} N_\\text{sc}`), :math:`L_\\text{median}` the band's empirical model
(:meth:`gis.radio.params.RadioParams.median_path_loss_db`, COST-231 Hata / Okumura-Hata) and
:math:`L_\\text{terrain} \\ge 0` the diffraction loss over the profile (ITU-R P.526-15).

Because :math:`L_\\text{terrain} \\ge 0` (J(v) of P.526 eq. 31 is non-negative where it is used,
and the Bullington excess is clamped at 0), the signal without the terrain term is an upper
bound. :func:`pair_rsrp_dbm` uses it when given ``floor_dbm``: pairs whose terrain-free signal is
already below the floor cannot reach it and are not profiled (they get ``-inf``); the pairs that
remain get exactly the full prediction. Siting only asks "at least the threshold?", so the floor
changes no answer while skipping most of the long, weak pairs.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from affine import Affine
from numba import njit

from gis.errors import ValidationError
from gis.radio._kernels import line_profile, profile_loss_db
from gis.radio.coverage import terrain_config_for
from gis.radio.params import RadioParams
from gis.radio.terrain import pixel_coords

__all__ = ["pair_rsrp_dbm", "pairs_within", "prepare_dem"]


def pairs_within(tx_xy: np.ndarray, rx_xy: np.ndarray, radius_m: float, *,
                 tree: shapely.STRtree | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every (transmitter, receiver) pair at most ``radius_m`` apart, sorted by receiver then
    transmitter.

    Parameters
    ----------
    tx_xy, rx_xy
        (n_tx, 2) and (n_rx, 2) point coordinates in one metric CRS, m.
    radius_m
        Largest distance, m (inclusive, as shapely's ``dwithin``).
    tree
        ``shapely.STRtree(shapely.points(tx_xy))`` when the caller queries the same
        transmitters with several blocks of receivers (built here otherwise).

    Returns
    -------
    tx_index, rx_index
        (k,) int64 positions into ``tx_xy`` and ``rx_xy``. Memory grows with ``k``, never with
        ``n_tx * n_rx``: the STRtree of the transmitters is queried with the receivers.
    """
    rxy = np.asarray(rx_xy, dtype=float).reshape(-1, 2)
    if tree is None:
        txy = np.asarray(tx_xy, dtype=float).reshape(-1, 2)
        if len(txy) == 0 or len(rxy) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        tree = shapely.STRtree(shapely.points(txy))
    if len(rxy) == 0 or len(tree) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rx_i, tx_i = tree.query(shapely.points(rxy), predicate="dwithin", distance=float(radius_m))
    order = np.lexsort((tx_i, rx_i))
    return tx_i[order].astype(np.int64), rx_i[order].astype(np.int64)


@njit(cache=True, nogil=True, inline='always')
def _pair_distance(tx_col: float, tx_row: float, rx_col: float, rx_row: float, px_w_m: float,
                   px_h_m: float) -> float:
    """Horizontal distance (m) from a transmitter to a receiver, both in pixel coordinates of
    a grid of ``px_w_m`` x ``px_h_m`` m cells; the one formula of both pair kernels."""
    dxm = (rx_col - tx_col) * px_w_m
    dym = (tx_row - rx_row) * px_h_m
    return math.sqrt(dxm * dxm + dym * dym)


@njit(cache=True, nogil=True)
def _pair_list_losses(dem, tx_col, tx_row, tx_h, f_mhz, rx_col, rx_row, tx_index, rx_index,
                      rx_h: float, px_w_m: float, px_h_m: float, step_m: float, cfg,
                      max_radius_m: float, todo, out_dist, out_loss) -> None:
    """Terrain loss of the pairs ``(tx_index[p], rx_index[p])`` where ``todo[p]``.

    The same profile, sample for sample, as :func:`gis.radio._kernels.pair_terrain_losses`
    (which walks the whole n_tx x n_rx product): pairs farther apart than ``max_radius_m`` get
    distance NaN; the others their distance (m) and terrain loss (dB). ``f_mhz`` (carrier, MHz)
    and ``tx_*`` are per transmitter, ``rx_*`` per receiver; ``cfg`` is the terrain
    configuration (:func:`gis.radio.coverage.terrain_config_for`); the outputs are per pair,
    allocated by the caller.
    """
    max_n = int(max_radius_m / step_m) + 3
    xs = np.empty(max_n)
    zs = np.empty(max_n)
    hx = np.empty(max_n)
    hy = np.empty(max_n)
    for p in range(tx_index.shape[0]):
        a = tx_index[p]
        b = rx_index[p]
        d = _pair_distance(tx_col[a], tx_row[a], rx_col[b], rx_row[b], px_w_m, px_h_m)
        if d > max_radius_m:
            out_dist[p] = np.nan
            out_loss[p] = np.nan
            continue
        out_dist[p] = d
        if not todo[p]:
            out_loss[p] = np.nan
            continue
        n = line_profile(dem, tx_col[a], tx_row[a], rx_col[b], rx_row[b], d, step_m, xs, zs)
        out_loss[p] = profile_loss_db(xs[:n], zs[:n], tx_h[a], rx_h, f_mhz[a], cfg, hx, hy)


@njit(cache=True, nogil=True)
def _pair_distances(tx_col, tx_row, rx_col, rx_row, tx_index, rx_index, px_w_m: float,
                    px_h_m: float, max_radius_m: float, out_dist) -> None:
    """Horizontal distance (m) of each pair, NaN beyond ``max_radius_m``; the arithmetic of
    :func:`_pair_list_losses`, so the two agree to the bit."""
    for p in range(tx_index.shape[0]):
        d = _pair_distance(tx_col[tx_index[p]], tx_row[tx_index[p]], rx_col[rx_index[p]],
                           rx_row[rx_index[p]], px_w_m, px_h_m)
        out_dist[p] = np.nan if d > max_radius_m else d


def prepare_dem(dem: np.ndarray) -> np.ndarray:
    """The DEM as the kernel reads it: a contiguous float32 or float64 grid of metres, cells
    without data at 0 m (the coverage engine's rule).

    A float32 DEM stays float32 (half the memory of the engine's float64 copy; the kernel
    widens each value exactly, so the signal is the same to the bit), other types become
    float64. An array already in that form is returned as it is, so a caller predicting many
    blocks of pairs prepares its DEM once.
    """
    z = np.asarray(dem)
    if z.dtype != np.float32:
        z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or z.size == 0:
        raise ValidationError(f"The DEM must be a 2-D array, got shape {z.shape}.",
                              f"DEM phải là mảng 2 chiều, nhận {z.shape}.")
    if not np.isfinite(z).all():
        z = np.where(np.isfinite(z), z, z.dtype.type(0.0))
    return np.ascontiguousarray(z)


def _per_tx(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    arr = arr.reshape(-1)
    if arr.shape[0] != n:
        raise ValidationError(f"{name} has {arr.shape[0]} values for {n} transmitters.",
                              f"{name} có {arr.shape[0]} giá trị cho {n} máy phát.",
                              fix=f"Give one {name} per transmitter, or one for all.",
                              fix_vi=f"Cho một giá trị {name} mỗi máy phát, hoặc một cho tất cả.")
    return arr


def _pair_index(index, n_pairs_default: int | None, n_points: int, name: str) -> np.ndarray:
    if index is None:
        return np.arange(n_pairs_default if n_pairs_default is not None else n_points,
                         dtype=np.int64)
    idx = np.asarray(index).reshape(-1)
    if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0
                     or idx.max() >= n_points):
        raise ValidationError(
            f"{name} must hold integer positions in 0..{n_points - 1}.",
            f"{name} phải là các chỉ số nguyên trong 0..{n_points - 1}.",
            fix="Build the pairs with gis.radio.pairs.pairs_within.",
            fix_vi="Tạo các cặp bằng gis.radio.pairs.pairs_within.")
    return idx.astype(np.int64, copy=False)


def pair_rsrp_dbm(
    tx_xy: np.ndarray,
    tx_height_m: np.ndarray | float,
    freq_mhz: np.ndarray | float,
    eirp_dbm: np.ndarray | float,
    rx_xy: np.ndarray,
    dem: np.ndarray | None,
    transform: Affine | None,
    params: RadioParams | None = None,
    *,
    tx_index: np.ndarray | None = None,
    rx_index: np.ndarray | None = None,
    tech: str = "4G",
    max_radius_m: float | None = None,
    floor_dbm: float | None = None,
) -> np.ndarray:
    """Signal (dBm) of omni antennas at receivers, for a list of pairs.

    Parameters
    ----------
    tx_xy, rx_xy
        (n_tx, 2) and (n_rx, 2) coordinates in the DEM's CRS, m.
    tx_height_m, freq_mhz, eirp_dbm
        Per transmitter (or scalars): antenna height above ground (m), carrier (MHz), total
        EIRP at maximum gain (dBm).
    dem, transform
        Ground elevation grid (m) and its transform; ``None`` for flat terrain. Pass it
        through :func:`prepare_dem` once when predicting many blocks (no copy per call).
    params
        Radio parameters.
    tx_index, rx_index
        (k,) pairs: transmitter ``tx_index[p]`` to receiver ``rx_index[p]``
        (:func:`pairs_within`). Without them the pairs are row-aligned: transmitter ``p`` to
        receiver ``p`` (then ``n_tx == n_rx``).
    tech
        Technology whose signal definition applies (RSRP per RE for 4G/5G, RSCP for 3G, RxLev
        for 2G).
    max_radius_m
        Pairs farther apart get NaN; the tech's ``max_radius_m`` by default.
    floor_dbm
        When given, pairs whose signal without the terrain term is below it may get ``-inf``
        instead of their signal, their profile not being computed (the full signal is lower
        still, see the module note); every pair that reaches the floor gets its exact signal.

    Returns
    -------
    numpy.ndarray
        (k,) signal in dBm: ``point_rsrp_dbm(...)[tx_index, rx_index]`` to rounding (the
        tests hold it within 1e-9 dB), NaN beyond the radius.
    """
    params = params or RadioParams()
    txy = np.asarray(tx_xy, dtype=float).reshape(-1, 2)
    rxy = np.asarray(rx_xy, dtype=float).reshape(-1, 2)
    n_tx, n_rx = len(txy), len(rxy)
    if tx_index is None and rx_index is None and n_tx != n_rx:
        raise ValidationError(
            f"Row-aligned pairs need as many transmitters as receivers ({n_tx} and {n_rx}).",
            f"Các cặp theo hàng cần số máy phát bằng số máy thu ({n_tx} và {n_rx}).",
            fix="Give tx_index and rx_index (gis.radio.pairs.pairs_within).",
            fix_vi="Cho tx_index và rx_index (gis.radio.pairs.pairs_within).")
    ti = _pair_index(tx_index, None if rx_index is None else len(np.asarray(rx_index)), n_tx,
                     "tx_index")
    ri = _pair_index(rx_index, len(ti), n_rx, "rx_index")
    if len(ti) != len(ri):
        raise ValidationError(f"tx_index has {len(ti)} pairs, rx_index {len(ri)}.",
                              f"tx_index có {len(ti)} cặp, rx_index {len(ri)}.",
                              fix="Give both index arrays from one pairs_within call.",
                              fix_vi="Lấy cả hai mảng chỉ số từ cùng một lần pairs_within.")
    k = len(ti)
    h = _per_tx(tx_height_m, n_tx, "tx_height_m")
    f = _per_tx(freq_mhz, n_tx, "freq_mhz")
    e = _per_tx(eirp_dbm, n_tx, "eirp_dbm")
    out = np.full(k, np.nan)
    if k == 0:
        return out
    td = params.tech(tech)
    rad = float(max_radius_m or td.max_radius_m)
    if dem is None:  # flat terrain: any north-up grid gives the same distances
        transform = Affine(30.0, 0.0, 0.0, 0.0, -30.0, 0.0)
        z = np.zeros((2, 2))
    else:
        z = prepare_dem(dem)
    px_w, px_h = float(transform.a), float(-transform.e)
    tc, tr = pixel_coords(transform, txy[:, 0], txy[:, 1])
    rc, rr = pixel_coords(transform, rxy[:, 0], rxy[:, 1])
    dist = np.empty(k)
    _pair_distances(tc, tr, rc, rr, ti, ri, px_w, px_h, rad, dist)
    ok = np.isfinite(dist)
    # Terrain-free signal of each pair within the radius, grouped by carrier (the median model
    # is chosen per band) - the same expression, term by term, as point_rsrp_dbm.
    free = np.full(k, np.nan)
    pl = np.full(k, np.nan)
    pair_f = f[ti]
    base = e + td.signal_offset_db + params.rx_gain_dbi
    for freq in np.unique(pair_f[ok]):
        sel = np.flatnonzero(ok & (pair_f == freq))
        pl[sel] = params.median_path_loss_db(dist[sel], float(freq), h[ti[sel]])
    if dem is None:
        tloss = np.where(ok, 0.0, np.nan)
    else:
        todo = ok.copy()
        if floor_dbm is not None:
            free[ok] = (base[ti[ok]] - pl[ok] - params.body_loss_db
                        - params.penetration_loss_db)
            todo &= free >= float(floor_dbm)
        tloss = np.empty(k)
        step = float(params.ray_step_m or px_w)
        _pair_list_losses(z, tc, tr, h, f, rc, rr, ti, ri, float(params.rx_height_m), px_w,
                          px_h, step, terrain_config_for(params), rad, todo, dist, tloss)
        if floor_dbm is not None:
            out[ok & ~todo] = -np.inf
        ok = todo
    out[ok] = (base[ti[ok]] - (pl[ok] + tloss[ok]) - params.body_loss_db
               - params.penetration_loss_db)
    return out
