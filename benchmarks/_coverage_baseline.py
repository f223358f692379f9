"""The coverage engine as it was before issue 14 (commit abce4ff), kept as the benchmark's baseline.

A verbatim copy of its kernels (``gis/radio/_kernels.py``) and of the serial loop of its
``compute_coverage`` with its median (``RadioParams.median_path_loss_db`` of the time: the model
formulas of :mod:`gis.radio.models`, extrapolated, 20 m floor). Only :mod:`benchmarks.coverage`
uses it; nothing in the package or the tests does.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit

from gis.radio.models import Model, cost231_hata_class_db, path_loss_db
from gis.radio.terrain import pixel_coords, wavelength_m

EARTH_RADIUS_M = 6_371_000.0

METHOD_NONE = 0
METHOD_DEYGOUT = 1
METHOD_BULLINGTON = 2


@njit(cache=True, nogil=True)
def knife_edge_j(v: float) -> float:
    """ITU-R P.526-15 eq. (31): J(v) in dB, 0 for v <= -0.78."""
    if v <= -0.78:
        return 0.0
    t = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


@njit(cache=True, nogil=True)
def _edge_v(px: float, py: float, ax: float, ay: float, bx: float, by: float,
            lam_m: float) -> float:
    """Fresnel-Kirchhoff v of point P for the path A-B (horizontal distances, metres)."""
    d1 = px - ax
    d2 = bx - px
    if d1 <= 0.0 or d2 <= 0.0:
        return -1.0e30
    h = py - (ay + (by - ay) * d1 / (bx - ax))
    return h * math.sqrt(2.0 * (d1 + d2) / (lam_m * d1 * d2))


@njit(cache=True, nogil=True)
def _edge_db(v: float, excess: bool) -> float:
    j = knife_edge_j(v)
    if excess:
        j0 = 6.9 + 20.0 * math.log10(math.sqrt(1.01) - 0.1)  # J(0)
        return max(0.0, j - j0)
    return j


@njit(cache=True, nogil=True)
def _best_edge(hx, hy, k_lo: int, k_hi: int, ax: float, ay: float, bx: float, by: float,
               lam_m: float):
    """Index and v of the vertex in hx[k_lo..k_hi] with the largest v for path A-B."""
    best = -1.0e30
    kb = -1
    for k in range(k_lo, k_hi + 1):
        v = _edge_v(hx[k], hy[k], ax, ay, bx, by, lam_m)
        if v > best:
            best = v
            kb = k
    return kb, best


@njit(cache=True, nogil=True)
def _bullington_db(j: float, d_m: float) -> float:
    """P.526-15 / P.1812 Bullington: L = Luc + (1 - exp(-Luc/6)) (10 + 0.02 d_km)."""
    return j + (1.0 - math.exp(-j / 6.0)) * (10.0 + 0.02 * d_m / 1000.0)


@njit(cache=True, nogil=True)
def hull_edges(hx, hy, t: int, xr: float, yr: float, method: int, out_v) -> None:
    """Frequency-free edge parameters of the path from hull vertex 0 to the receiver (xr, yr).

    Writes into ``out_v`` (3 elements) the values ``v * sqrt(lambda)`` (m^0.5) of the edges the
    method uses, NaN where there is none: Bullington its one equivalent edge in ``out_v[0]``;
    Deygout the principal edge, then the principal edges of the transmitter side and of the
    receiver side. The edge selection does not depend on the frequency (every ``v`` scales with
    ``1 / sqrt(lambda)``), so one sweep serves every carrier at an antenna position.
    ``t == 0`` (line of sight) leaves all three NaN.
    """
    out_v[0] = np.nan
    out_v[1] = np.nan
    out_v[2] = np.nan
    if t <= 0 or method == METHOD_NONE:
        return
    x0 = hx[0]
    y0 = hy[0]
    if method == METHOD_BULLINGTON:
        d = xr - x0
        stim = (hy[1] - y0) / (hx[1] - x0)
        srim = (hy[t] - yr) / (xr - hx[t])
        den = stim + srim
        if den <= 0.0:
            return
        db = (yr - y0 + srim * d) / den
        if db <= 0.0 or db >= d:
            return
        hb = y0 + stim * db
        h = hb - (y0 * (d - db) + yr * db) / d
        out_v[0] = h * math.sqrt(2.0 * d / (db * (d - db)))
        return
    kb, vb = _best_edge(hx, hy, 1, t, x0, y0, xr, yr, 1.0)
    out_v[0] = vb
    if kb > 1:
        _, vl = _best_edge(hx, hy, 1, kb - 1, x0, y0, hx[kb], hy[kb], 1.0)
        out_v[1] = vl
    if kb < t:
        _, vr = _best_edge(hx, hy, kb + 1, t, hx[kb], hy[kb], xr, yr, 1.0)
        out_v[2] = vr


@njit(cache=True, nogil=True)
def edges_loss_db(v0: float, v1: float, v2: float, d_m: float, method: int,
                  excess: bool) -> float:
    """Diffraction loss (dB) from the edges' ``v`` (NaN: no edge) of :func:`hull_edges`."""
    if method == METHOD_NONE or math.isnan(v0):
        return 0.0
    if method == METHOD_BULLINGTON:
        loss = _bullington_db(knife_edge_j(v0), d_m)
        if excess:
            loss -= _bullington_db(knife_edge_j(0.0), d_m)
        return max(0.0, loss)
    loss = _edge_db(v0, excess)
    if not math.isnan(v1) and v1 > -0.78:
        loss += _edge_db(v1, excess)
    if not math.isnan(v2) and v2 > -0.78:
        loss += _edge_db(v2, excess)
    return loss


@njit(cache=True, nogil=True)
def hull_loss_db(hx, hy, t: int, xr: float, yr: float, lam_m: float, method: int,
                 excess: bool) -> float:
    """Diffraction loss (dB) of the path from hull vertex 0 (transmitter) to receiver (xr, yr).

    ``hx[0..t]``, ``hy[0..t]`` are the hull vertices from the transmitter to the receiver's
    horizon vertex ``t``; ``t == 0`` means line of sight (loss 0).
    """
    v = np.empty(3)
    hull_edges(hx, hy, t, xr, yr, method, v)
    s = 1.0 / math.sqrt(lam_m)
    return edges_loss_db(v[0] * s, v[1] * s, v[2] * s, xr - hx[0], method, excess)


@njit(cache=True, nogil=True)
def hull_tangent(hx, hy, m: int, xr: float, yr: float) -> int:
    """Index of the hull vertex the receiver (xr, yr) sees as its horizon (0: line of sight).

    ``hx[0..m-1]`` is an upper hull, x increasing, all left of ``xr``. The height at ``xr`` of
    the line through edge k is non-increasing in k, so the first edge whose line passes at or
    below the receiver is found by bisection.
    """
    lo = 0
    hi = m - 1  # answer in [0, m-1]; m-1 when no edge qualifies
    while lo < hi:
        k = (lo + hi) // 2
        line = hy[k] + (hy[k + 1] - hy[k]) * (xr - hx[k]) / (hx[k + 1] - hx[k])
        if yr >= line:
            hi = k
        else:
            lo = k + 1
    return lo


@njit(cache=True, nogil=True)
def hull_push(hx, hy, m: int, x: float, y: float) -> int:
    """Append (x, y) to the upper hull hx[0..m-1]; returns the new vertex count."""
    while m >= 2:
        cross = ((hx[m - 1] - hx[m - 2]) * (y - hy[m - 2])
                 - (hy[m - 1] - hy[m - 2]) * (x - hx[m - 2]))
        if cross >= 0.0:
            m -= 1
        else:
            break
    hx[m] = x
    hy[m] = y
    return m + 1


@njit(cache=True, nogil=True)
def bilinear(dem, col: float, row: float) -> float:
    """DEM value at fractional pixel position (pixel centres at integers), edges clamped."""
    ny, nx = dem.shape
    if col < 0.0:
        col = 0.0
    elif col > nx - 1:
        col = nx - 1.0
    if row < 0.0:
        row = 0.0
    elif row > ny - 1:
        row = ny - 1.0
    c0 = math.floor(col)
    r0 = math.floor(row)
    c1 = min(c0 + 1, nx - 1)
    r1 = min(r0 + 1, ny - 1)
    fc = col - c0
    fr = row - r0
    top = dem[r0, c0] * (1.0 - fc) + dem[r0, c1] * fc
    bot = dem[r1, c0] * (1.0 - fc) + dem[r1, c1] * fc
    return top * (1.0 - fr) + bot * fr


@njit(cache=True, nogil=True)
def radial_sweep(dem, col0: float, row0: float, px_w_m: float, px_h_m: float,
                 tx_height_m: float, rx_height_m: float, step_m: float, k_factor: float,
                 method: int, out_v, out_zmean) -> float:
    """Frequency-free terrain edges on a polar grid around one antenna position.

    Parameters
    ----------
    dem
        2-D elevation array (m), north-up.
    col0, row0
        Antenna position in fractional pixel coordinates (pixel centres at integers).
    px_w_m, px_h_m
        Cell width and height (m, positive).
    tx_height_m, rx_height_m
        Antenna heights above ground (m).
    step_m
        Radial sampling step (m); sample ``s`` is at ``(s + 1) * step_m``.
    k_factor
        Effective earth-radius factor.
    method
        Diffraction method code.
    out_v
        (n_rays, n_steps, 3) float32 output: the edges of a receiver at each sample, as
        ``v * sqrt(lambda)`` (see :func:`hull_edges`; NaN: none). Ray ``a`` has azimuth
        ``360 a / n_rays`` degrees clockwise from grid north.
    out_zmean
        (n_rays, n_steps) float32 output: mean ground elevation (m) along the ray from the
        first sample to each sample.

    Returns
    -------
    float
        Ground elevation (m) at the antenna position.
    """
    return radial_sweep_rays(dem, col0, row0, px_w_m, px_h_m, tx_height_m, rx_height_m, step_m,
                             k_factor, method, 0, out_v.shape[0], out_v, out_zmean)


@njit(cache=True, nogil=True)
def radial_sweep_rays(dem, col0: float, row0: float, px_w_m: float, px_h_m: float,
                      tx_height_m: float, rx_height_m: float, step_m: float, k_factor: float,
                      method: int, ray0: int, n_sweep: int, out_v, out_zmean) -> float:
    """:func:`radial_sweep` over rays ``ray0, ray0 + 1, ..., ray0 + n_sweep - 1`` only (modulo
    the number of rays), e.g. those that reach a tile (issue 8); the other rows of the outputs
    are left as they are. Each ray is computed on its own, so its values do not depend on the
    range."""
    n_rays, n_steps, _ = out_v.shape
    z0 = bilinear(dem, col0, row0)
    inv2kr = 1.0 / (2.0 * k_factor * EARTH_RADIUS_M)
    hx = np.empty(n_steps + 2)
    hy = np.empty(n_steps + 2)
    v = np.empty(3)
    for k in range(min(n_sweep, n_rays)):
        a = (ray0 + k) % n_rays
        az = 2.0 * math.pi * a / n_rays
        dc = math.sin(az) * step_m / px_w_m
        dr = -math.cos(az) * step_m / px_h_m
        hx[0] = 0.0
        hy[0] = z0 + tx_height_m
        m = 1
        zsum = 0.0
        for s in range(n_steps):
            x = (s + 1) * step_m
            z = bilinear(dem, col0 + (s + 1) * dc, row0 + (s + 1) * dr)
            zsum += z
            out_zmean[a, s] = zsum / (s + 1)
            zc = z - x * x * inv2kr
            yr = zc + rx_height_m
            t = hull_tangent(hx, hy, m, x, yr)
            hull_edges(hx, hy, t, x, yr, method, v)
            out_v[a, s, 0] = v[0]
            out_v[a, s, 1] = v[1]
            out_v[a, s, 2] = v[2]
            m = hull_push(hx, hy, m, x, zc)
    return z0


@njit(cache=True, nogil=True)
def cell_loss(v_geo, pidx, n: int, lam_m: float, step_m: float, method: int, excess: bool,
              out_loss) -> None:
    """Diffraction loss (dB) of ``n`` cells from their polar samples ``pidx``, one wavelength."""
    n_steps = v_geo.shape[1]
    vflat = v_geo.reshape(-1, 3)
    s_ = 1.0 / math.sqrt(lam_m)
    for k in range(n):
        p = pidx[k]
        v0 = vflat[p, 0]
        if math.isnan(v0):
            out_loss[k] = 0.0
            continue
        out_loss[k] = edges_loss_db(v0 * s_, vflat[p, 1] * s_, vflat[p, 2] * s_,
                                    (p % n_steps + 1) * step_m, method, excess)


@njit(cache=True, nogil=True)
def cell_geometry(dem, sr0: int, sc0: int, n_rows: int, n_cols: int, win_r0: int,
                  win_c0: int, col0: float, row0: float, px_w_m: float, px_h_m: float,
                  step_m: float, n_rays: int, n_steps: int, max_radius_m: float,
                  antenna_z_m: float, rx_height_m: float, out_r, out_c, out_dist, out_az,
                  out_elev, out_pidx) -> int:
    """Cells of a sub-window within ``max_radius_m`` of an antenna, as flat arrays.

    The sub-window starts at DEM pixel (``sr0``, ``sc0``); ``out_r``/``out_c`` are the cells'
    rows and columns relative to the output window at (``win_r0``, ``win_c0``). Also written:
    horizontal distance (m), azimuth (degrees clockwise from grid north), elevation angle of
    the receiver (``rx_height_m`` above its ground) seen from the antenna at absolute height
    ``antenna_z_m`` (degrees, negative below), and the flat index ``a * n_steps + s`` of the
    nearest polar sample. Returns the number of cells written.
    """
    dtheta = 2.0 * math.pi / n_rays
    k = 0
    for i in range(n_rows):
        r = sr0 + i
        dy = (row0 - r) * px_h_m
        for j in range(n_cols):
            c = sc0 + j
            dx = (c - col0) * px_w_m
            d = math.sqrt(dx * dx + dy * dy)
            if d > max_radius_m:
                continue
            az = math.atan2(dx, dy)
            if az < 0.0:
                az += 2.0 * math.pi
            a = math.floor(az / dtheta + 0.5) % n_rays
            s = math.floor(d / step_m + 0.5) - 1
            if s < 0:
                s = 0
            elif s >= n_steps:
                s = n_steps - 1
            out_r[k] = r - win_r0
            out_c[k] = c - win_c0
            out_dist[k] = d
            out_az[k] = az * 180.0 / math.pi
            dz = dem[r, c] + rx_height_m - antenna_z_m
            out_elev[k] = math.atan2(dz, max(d, 1e-6)) * 180.0 / math.pi
            out_pidx[k] = a * n_steps + s
            k += 1
    return k


@njit(cache=True, nogil=True)
def apply_transmitter(out_r, out_c, dist, az, elev, common_db, n: int, base_dbm: float,
                      azimuth_deg: float, beamwidth_deg: float, tilt_deg: float,
                      vbeamwidth_deg: float, front_to_back_db: float, sla_v_db: float,
                      radius_m: float, tx_index: int, best, server) -> None:
    """Signal of one transmitter on its cells, kept where it beats the current best server.

    ``signal = base_dbm + A(phi, theta) - common_db`` with the TR 36.814 / 38.901 pattern
    ``A = -min(-(A_H + A_V), A_m)``, ``A_H = -min(12 (phi/phi3dB)^2, A_m)`` (0 for omni:
    NaN azimuth or beamwidth >= 360) and ``A_V = -min(12 ((depression - tilt)/theta3dB)^2,
    SLA_V)``; the same formulas as :func:`gis.radio.antenna.sector_gain_db` (a test checks).
    ``best`` (float32 dBm) and ``server`` (int32) are updated in place.
    """
    omni = math.isnan(azimuth_deg) or beamwidth_deg >= 360.0
    boresight = 0.0 if omni else azimuth_deg % 360.0
    kh = 12.0 / (beamwidth_deg * beamwidth_deg)
    kv = 12.0 / (vbeamwidth_deg * vbeamwidth_deg)
    for k in range(n):
        if dist[k] > radius_m:
            continue
        if omni:
            a_h = 0.0
        else:
            phi = az[k] - boresight  # both in [0, 360): wrap to [-180, 180)
            if phi >= 180.0:
                phi -= 360.0
            elif phi < -180.0:
                phi += 360.0
            a_h = -min(kh * phi * phi, front_to_back_db)
        off = -elev[k] - tilt_deg
        a_v = -min(kv * off * off, sla_v_db)
        gain = -min(-(a_h + a_v), front_to_back_db)
        sig = np.float32(base_dbm + gain - common_db[k])
        r = out_r[k]
        c = out_c[k]
        if not sig <= best[r, c]:
            best[r, c] = sig
            server[r, c] = tx_index




def _old_median_db(params, freq_mhz: float, d_m: np.ndarray, tx_height_m) -> np.ndarray:
    model = Model.parse(params.model_for(float(freq_mhz)))
    if model == Model.COST231_HATA and params.cost231_hata_classes:
        d = np.maximum(np.asarray(d_m, dtype=float), params.min_distance_m)
        return cost231_hata_class_db(d, freq_mhz, tx_height_m, params.rx_height_m,
                                     env=params.env, large_city=params.large_city, force=True)
    return path_loss_db(model, d_m, freq_mhz, tx_height_m, params.rx_height_m, env=params.env,
                        condition=params.condition, large_city=params.large_city,
                        building_height_m=params.building_height_m,
                        street_width_m=params.street_width_m,
                        clip_distance_m=params.min_distance_m, force=True)


_METHODS = {"none": METHOD_NONE, "deygout": METHOD_DEYGOUT, "bullington": METHOD_BULLINGTON}


def baseline_coverage(tx: pd.DataFrame, dem: np.ndarray, transform, params,
                      method: str = "bullington") -> dict:
    """Best-server dBm per (operator, tech) of the old engine (whole grid, one thread)."""
    z = np.ascontiguousarray(np.nan_to_num(np.asarray(dem, dtype=np.float64), nan=0.0))
    wh, ww = z.shape
    px_w, px_h = float(transform.a), float(-transform.e)
    step = float(params.ray_step_m or px_w)
    code = _METHODS[method]
    excess = bool(params.excess_over_grazing)
    keys = sorted({(str(o), str(t).upper()) for o, t in zip(tx["operator"], tx["tech"],
                                                             strict=True)})
    best = {k: np.full((wh, ww), np.nan, np.float32) for k in keys}
    server = {k: np.full((wh, ww), -1, np.int32) for k in keys}
    cols, rows = pixel_coords(transform, tx["x"].to_numpy(float), tx["y"].to_numpy(float))
    radius = tx["max_radius_m"].to_numpy(float)
    offsets = -10.0 * np.log10(tx["n_subcarriers"].to_numpy(float))
    vbw = np.array([params.tech(t).vbeamwidth_deg for t in tx["tech"]], dtype=float)
    if "vbeamwidth_deg" in tx:  # the old engine: a given value, else the tech default
        given = tx["vbeamwidth_deg"].to_numpy(float)
        vbw = np.where(np.isfinite(given) & (given > 0), given, vbw)
    freqs = tx["freq_mhz"].to_numpy(float)
    heights = tx["height_m"].to_numpy(float)
    base = tx["eirp_dbm"].to_numpy(float) + offsets
    tx_keys = list(zip(tx["operator"].astype(str), tx["tech"].astype(str).str.upper(),
                       strict=True))
    groups = [np.asarray(i) for i in
              tx.groupby(["x", "y", "height_m"], sort=False).indices.values()]
    rx_h = float(params.rx_height_m)
    for idx in groups:
        i0 = int(idx[0])
        col0, row0 = float(cols[i0]), float(rows[i0])
        rad = float(radius[idx].max())
        h_tx = float(heights[i0])
        sr0 = max(0, math.floor(row0 - rad / px_h))
        sr1 = min(wh - 1, math.ceil(row0 + rad / px_h))
        sc0 = max(0, math.floor(col0 - rad / px_w))
        sc1 = min(ww - 1, math.ceil(col0 + rad / px_w))
        far = max(math.hypot((c - col0) * px_w, (r - row0) * px_h)
                  for r in (sr0, sr1) for c in (sc0, sc1))
        n_rays = max(8, math.ceil(2.0 * math.pi * rad / step))
        n_steps = max(1, math.ceil(min(rad, far) / step) + 1)
        v_geo = np.empty((n_rays, n_steps, 3), np.float32)
        zmean_p = np.empty((n_rays, n_steps), np.float32)
        z0 = radial_sweep_rays(z, col0, row0, px_w, px_h, h_tx, rx_h, step,
                               float(params.k_factor), code, 0, n_rays, v_geo, zmean_p)
        nr, nc = sr1 - sr0 + 1, sc1 - sc0 + 1
        cr = np.empty(nr * nc, np.int32)
        cc = np.empty(nr * nc, np.int32)
        dist = np.empty(nr * nc)
        az = np.empty(nr * nc)
        elev = np.empty(nr * nc)
        pidx = np.empty(nr * nc, np.int64)
        m = cell_geometry(z, sr0, sc0, nr, nc, 0, 0, col0, row0, px_w, px_h, step, n_rays,
                          n_steps, rad, z0 + h_tx, rx_h, cr, cc, dist, az, elev, pidx)
        cr, cc, dist, az, elev, pidx = cr[:m], cc[:m], dist[:m], az[:m], elev[:m], pidx[:m]
        fixed = np.full(m, float(params.body_loss_db) + float(params.penetration_loss_db)
                        - float(params.rx_gain_dbi))
        for freq in np.unique(freqs[idx]):
            tloss = np.empty(m)
            cell_loss(v_geo, pidx, m, float(wavelength_m(freq)), step, code, excess, tloss)
            common = _old_median_db(params, float(freq), dist, h_tx) + tloss + fixed
            for t in idx[freqs[idx] == freq]:
                t = int(t)
                apply_transmitter(cr, cc, dist, az, elev, common, m, float(base[t]),
                                  float(tx["azimuth_deg"].iloc[t]),
                                  float(tx["beamwidth_deg"].iloc[t]),
                                  float(tx["tilt_deg"].iloc[t]), float(vbw[t]),
                                  float(params.front_to_back_db), float(params.sla_v_db),
                                  float(radius[t]), t, best[tx_keys[t]], server[tx_keys[t]])
    return best
