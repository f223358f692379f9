"""Numba kernels of the terrain term and the coverage engine.

Kernels take only arrays and scalars and write into outputs the caller allocated; the public
wrappers live in :mod:`gis.radio.terrain` and :mod:`gis.radio.coverage`. Every kernel is
``@njit(cache=True, nogil=True)`` so that tiles can run in threads (issue 8) and the JIT cost is
paid once per machine. They also run as plain Python under ``NUMBA_DISABLE_JIT=1``.

Geometry conventions
--------------------
Profiles are handled in a *curvature-corrected flat frame*: a ground point at horizontal
distance ``x`` from the transmitter with elevation ``z`` gets the height
``z - x**2 / (2 k R)``. The clearance of any point above the straight line between two
terminals is then exactly the clearance over an effective earth of radius ``k R`` with the
classical bulge ``d1 d2 / (2 k R)`` added (see :func:`gis.radio.terrain.earth_bulge_m`), so the
geometry below can use straight lines.

Obstructions are found on the *upper convex hull* of the transmitter point and the ground points
(maintained incrementally by Andrew's monotone chain while sweeping outward). The receiver's
horizon is the tangent from the receiver to that hull (binary search). Every hull vertex between
the transmitter and that tangent lies above the transmitter-receiver line; the edge of largest
Fresnel-Kirchhoff parameter ``v`` among all profile points with ``v > 0`` is always a hull
vertex, because for positive clearance ``v(x) = h(x) sqrt(2 d / (lambda x (d - x)))`` is a
positive affine function divided by a concave one, hence quasi-convex between two hull vertices.
So Deygout's edge selection over the hull equals the selection over the whole profile for all
line-of-sight-obstructing edges, at the cost of a few hull vertices instead of every sample.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Mean earth radius (m) used by ITU-R P.452 / P.526 / P.1812.
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
    n_rays, n_steps, _ = out_v.shape
    z0 = bilinear(dem, col0, row0)
    inv2kr = 1.0 / (2.0 * k_factor * EARTH_RADIUS_M)
    hx = np.empty(n_steps + 2)
    hy = np.empty(n_steps + 2)
    v = np.empty(3)
    for a in range(n_rays):
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


@njit(cache=True, nogil=True)
def profile_loss_db(x_m, z_m, tx_height_m: float, rx_height_m: float, lam_m: float,
                    k_factor: float, method: int, excess: bool, hx, hy) -> float:
    """Diffraction loss (dB) over one profile: ``x_m[0] = 0`` transmitter, ``x_m[-1]`` receiver.

    ``hx``, ``hy`` are scratch arrays of at least ``len(x_m)`` elements.
    """
    n = x_m.shape[0]
    inv2kr = 1.0 / (2.0 * k_factor * EARTH_RADIUS_M)
    hx[0] = 0.0
    hy[0] = z_m[0] + tx_height_m
    m = 1
    for i in range(1, n - 1):
        x = x_m[i] - x_m[0]
        m = hull_push(hx, hy, m, x, z_m[i] - x * x * inv2kr)
    xr = x_m[n - 1] - x_m[0]
    yr = z_m[n - 1] - xr * xr * inv2kr + rx_height_m
    t = hull_tangent(hx, hy, m, xr, yr)
    return hull_loss_db(hx, hy, t, xr, yr, lam_m, method, excess)


@njit(cache=True, nogil=True)
def pair_losses(dem, tx_col, tx_row, tx_h, rx_col, rx_row, rx_h: float, px_w_m: float,
                px_h_m: float, step_m: float, lam_m, k_factor: float, method: int,
                excess: bool, max_radius_m: float, out_dist, out_loss) -> None:
    """Terrain loss of every transmitter-receiver pair along its own DEM profile.

    Pairs farther apart than ``max_radius_m`` get distance NaN and are not computed. ``lam_m``
    holds one wavelength (m) per transmitter.
    """
    n_tx = tx_col.shape[0]
    n_rx = rx_col.shape[0]
    max_n = int(max_radius_m / step_m) + 3
    xs = np.empty(max_n)
    zs = np.empty(max_n)
    hx = np.empty(max_n)
    hy = np.empty(max_n)
    for a in range(n_tx):
        for b in range(n_rx):
            dxm = (rx_col[b] - tx_col[a]) * px_w_m
            dym = (tx_row[a] - rx_row[b]) * px_h_m
            d = math.sqrt(dxm * dxm + dym * dym)
            if d > max_radius_m:
                out_dist[a, b] = np.nan
                out_loss[a, b] = np.nan
                continue
            out_dist[a, b] = d
            n_mid = math.ceil(d / step_m) - 1
            if n_mid < 0:
                n_mid = 0
            n = n_mid + 2
            for i in range(n):
                f = 1.0 if i == n - 1 else (i * step_m / d if d > 0.0 else 0.0)
                xs[i] = f * d
                zs[i] = bilinear(dem, tx_col[a] + f * (rx_col[b] - tx_col[a]),
                                 tx_row[a] + f * (rx_row[b] - tx_row[a]))
            out_loss[a, b] = profile_loss_db(xs[:n], zs[:n], tx_h[a], rx_h, lam_m[a],
                                             k_factor, method, excess, hx, hy)
