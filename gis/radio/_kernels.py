"""Numba kernels of the terrain term and the coverage engine.

Kernels take only arrays and scalars and write into outputs the caller allocated; the public
wrappers live in :mod:`gis.radio.terrain` and :mod:`gis.radio.coverage`. Every kernel is
``@njit(cache=True, nogil=True)`` so that tiles can run in threads and the JIT cost is paid once
per machine; the ``*_parallel`` drivers are the same loops with ``prange`` (one ray or one grid row
per iteration, every scratch array allocated inside the iteration), so they give the same numbers
as the serial ones, cell for cell. They also run as plain Python under ``NUMBA_DISABLE_JIT=1``.

Geometry conventions
--------------------
Profiles are handled in a *curvature-corrected flat frame*: a ground point at horizontal distance
``x`` from the transmitter with elevation ``z`` gets the height ``zc = z - x**2 / (2 a)``,
``a = k R``. The clearance of any point above the straight line between two terminals is then
exactly its clearance over an effective earth of radius ``a`` with the bulge ``d1 d2 / (2 a)``
added (ITU-R P.526's ``h_i + 500 C_e d_i (d - d_i)``): the slopes ``S_tim``, ``S_rim``, ``S_tr``
of P.526 §4.5.1 are those of this frame shifted by the same constant, so the Bullington point and
every ``v`` are the same.

The intermediate ground points of a profile are kept on their *upper convex hull* (Andrew's
monotone chain, updated as the receiver moves outward along a ray). The transmitter's horizon (the
point of largest ``S_tim``) is a running maximum; the receiver's horizon (largest ``S_rim``) is the
tangent from the receiver to the hull (bisection). On an obstructed path every point of largest
Fresnel-Kirchhoff ``v`` is a hull vertex between the two horizons, because for positive clearance
``v(x) = h(x) sqrt(2 d / (lambda x (d - x)))`` is quasi-convex between two hull vertices.

Per receiver the sweep stores nothing frequency-dependent: every ``v`` is computed as
``v sqrt(lambda)`` and each carrier only scales it and evaluates ``J(v)``.

The delta-Bullington terrain term (the default; see :mod:`gis.radio.terrain` for the method and
the reasons)
----------------------------------------------------------------------------------------------
For a receiver the kernel evaluates (:func:`receiver_terms`):

- the Bullington construction over the real profile: on an obstructed path the Bullington point's
  ``v_b`` and the principal edge's ``v_p`` (largest ``v`` of a profile point); on a line-of-sight
  path the ``v`` of the receiver's horizon point (the point of largest elevation angle seen from
  the receiver, where the path passes closest to the terrain), for both;
- the smooth surface of P.526 §4.5.2 (the least-squares straight line through the profile,
  ``h_st``, ``h_sr`` at its ends, at most the terminals' ground) and the antenna heights above it,
  ``h'_ts``, ``h'_rs``;
- the same Bullington quantities over that smooth surface, in closed form (the curved smooth
  earth is strictly concave: its horizon points are the samples next to ``sqrt(2 a h')`` and its
  largest ``v`` the samples next to the minimum of a convex function, found by Newton's method).

Each carrier then takes ``L_ba`` and ``L_bs`` (:func:`bullington_db`) and, for the complete
method, the spherical-earth loss ``L_sph`` of P.526 §3.2 (:func:`spherical_earth_db`).

The hook for per-ray models (ITM)
---------------------------------
A model that computes the loss of every sample of a radial profile at once (ITM,
``itm_ray_losses(z, step_m, h_tx_m, h_rx_m, ..., out)``) plugs in through
:func:`sweep_ray_model`: it extracts each ray's profile ``z[0] = ground at the antenna, z[s + 1] =
sample s`` (:func:`ray_profile`, the same bilinear samples as the terrain sweep) and calls
``model(z, step_m, h_tx_m, h_rx_m, model_params, out)``, a ``@njit`` function that must write
``out[s]`` = basic transmission loss (dB) of a receiver at sample ``s`` (distance ``(s + 1)
step_m``), for ``s = 0 .. len(z) - 2``; ``model_params`` is a float64 array the model defines
(frequency, ITM's ground, climate and variability inputs). The losses land in the same
``(n_carriers, n_rays * n_steps)`` float32 array as the terrain sweep's, so the cell kernels
(:func:`cell_common_loss` with ``median_model = -1``: no median added), the antenna pattern, the
power sums, tiles and parallelism are shared. :func:`free_space_ray_losses` is the reference
example the tests use. ITM itself goes through :func:`gis.radio._itm.itm_sweep`, the same
contract with a cached driver (this hook takes the model as an argument, so it is compiled in
every process) that also returns each sample's ITM mode and warnings and shares ITM's
frequency-free work between the carriers of a position; :func:`cell_flag_counts` counts them
per cell.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from gis.radio import _median as M

#: Mean earth radius (m) used by ITU-R P.452 / P.526 / P.1812.
EARTH_RADIUS_M = 6_371_000.0
SPEED_OF_LIGHT_M_S = 299_792_458.0

METHOD_NONE = 0
METHOD_DEYGOUT = 1
METHOD_BULLINGTON = 2
METHOD_DELTA_BULLINGTON = 3

#: How the Bullington correction ``(1 - exp(-L_uc/6)) (10 + 0.02 d_km)`` is applied.
CORR_MULTI_EDGE = 0  # weighted by how far the Bullington edge exceeds the principal edge
CORR_P526 = 1        # always, as P.526-16 eq. of §4.5.1 writes it
CORR_NONE = 2

# -- terrain configuration vector (``cfg`` of the kernels) ----------------------------------------
CFG_METHOD = 0
CFG_EXCESS = 1        # 1: the excess the empirical medians do not contain (see terrain.py)
CFG_K_FACTOR = 2
CFG_CORRECTION = 3
CFG_EPSILON = 4       # relative permittivity of the ground (spherical-earth term)
CFG_SIGMA = 5         # conductivity of the ground, S/m
CFG_POLARIZATION = 6  # 0 horizontal, 1 vertical
CFG_SIZE = 7

# -- frequency-free terms of one receiver (``receiver_terms``) ------------------------------------
T_VA = 0    # real profile: Bullington v sqrt(lambda) (v of the receiver's horizon point on LOS)
T_VAP = 1   # real profile: principal edge v sqrt(lambda) (== T_VA on LOS and single edges)
T_VS = 2    # smooth surface: the same
T_VSP = 3
T_HTS = 4   # antenna heights above the smooth surface h'_ts, h'_rs (m)
T_HRS = 5
T_D = 6     # path length (m)
T_OLD0 = 7  # old methods: Deygout's 3 edges or Bullington's one, v sqrt(lambda), NaN: none
T_SIZE = 10

_J0 = 6.9 + 20.0 * math.log10(math.sqrt(1.01) - 0.1)  # J(0) = 6.0329 dB


def default_cfg(method: int, excess: bool, k_factor: float, *, correction: int = CORR_MULTI_EDGE,
                epsilon: float = 15.0, sigma_s_m: float = 0.005,
                polarization: int = 1) -> np.ndarray:
    """The terrain configuration vector of the kernels (see the ``CFG_*`` indices)."""
    cfg = np.empty(CFG_SIZE)
    cfg[CFG_METHOD] = method
    cfg[CFG_EXCESS] = 1.0 if excess else 0.0
    cfg[CFG_K_FACTOR] = k_factor
    cfg[CFG_CORRECTION] = correction
    cfg[CFG_EPSILON] = epsilon
    cfg[CFG_SIGMA] = sigma_s_m
    cfg[CFG_POLARIZATION] = polarization
    return cfg


# -- knife edge, Bullington, spherical earth ------------------------------------------------------

@njit(cache=True, nogil=True, inline='always')
def knife_edge_j(v: float) -> float:
    """ITU-R P.526-16 eq. (31): J(v) in dB, 0 for v <= -0.78."""
    if v <= -0.78:
        return 0.0
    t = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


#: J(v) and exp(-J(v)/6) tabulated for the sweep (linear interpolation, step 1/200 in v from
#: -0.78 to 40; the error is below 2e-5 dB, beyond 40 the formula): the raster's terrain loss per
#: carrier costs a few table reads instead of two logarithms and two exponentials. The profile
#: functions (point-to-point, :mod:`gis.radio.terrain`) use the formula.
J_TABLE_V0 = -0.78
J_TABLE_STEP = 1.0 / 200.0
J_TABLE_V1 = 40.0


def _j_tables() -> tuple[np.ndarray, np.ndarray]:
    v = J_TABLE_V0 + np.arange(round((J_TABLE_V1 - J_TABLE_V0) / J_TABLE_STEP) + 2) \
        * J_TABLE_STEP
    t = v - 0.1
    j = 6.9 + 20.0 * np.log10(np.sqrt(t * t + 1.0) + t)
    return j, np.exp(-j / 6.0)


_J_TAB, _E_TAB = _j_tables()


@njit(cache=True, nogil=True, inline='always')
def _je_fast(v: float) -> tuple[float, float]:
    """``(J(v), exp(-J(v)/6))`` from the tables (0 and 1 for v <= -0.78)."""
    if v <= -0.78:
        return 0.0, 1.0
    if v >= J_TABLE_V1:
        j = knife_edge_j(v)
        return j, math.exp(-j / 6.0)
    u = (v - J_TABLE_V0) * (1.0 / J_TABLE_STEP)
    i = int(u)
    f = u - i
    j = _J_TAB[i] + f * (_J_TAB[i + 1] - _J_TAB[i])
    e = _E_TAB[i] + f * (_E_TAB[i + 1] - _E_TAB[i])
    return j, e


@njit(cache=True, nogil=True, inline='always')
def bullington_db_fast(v: float, v_p: float, d_m: float, correction: int) -> float:
    """:func:`bullington_db` with tabulated J(v) (the sweep's; within 2e-5 dB of it)."""
    j, e = _je_fast(v)
    if j == 0.0 or correction == CORR_NONE:
        return j
    if correction == CORR_MULTI_EDGE and not v_p < v:
        return j
    c = (1.0 - e) * (10.0 + 0.00002 * d_m)
    if correction == CORR_P526:
        return j + c
    _, ep = _je_fast(v_p)
    return j + (1.0 - e / ep) * c


@njit(cache=True, nogil=True, inline='always')
def bullington_db(v: float, v_p: float, d_m: float, correction: int) -> float:
    """Bullington loss (dB) of P.526-16 §4.5.1 from the edge's ``v`` and the principal ``v_p``.

    ``L_uc = J(v)`` and ``L_b = L_uc + w (1 - exp(-L_uc/6)) (10 + 0.02 d_km)`` with ``w = 1``
    (``CORR_P526``), ``w = 0`` (``CORR_NONE``) or (``CORR_MULTI_EDGE``)
    ``w = 1 - exp(-(J(v) - J(v_p))/6)``: 0 when the Bullington edge is a profile point (a single
    knife edge, P.526 §4.1: J(v) alone), tending to 1 as the edge the construction stands for rises
    above every real edge (several obstacles, where P.526 applies the correction).
    """
    j = knife_edge_j(v)
    if j == 0.0 or correction == CORR_NONE:
        return j
    if correction == CORR_MULTI_EDGE and not v_p < v:
        return j
    e = math.exp(-j / 6.0)
    c = (1.0 - e) * (10.0 + 0.00002 * d_m)
    if correction == CORR_P526:
        return j + c
    # 1 - exp(-(J - Jp)/6) = 1 - e / exp(-Jp/6)
    return j + (1.0 - e / math.exp(-knife_edge_j(v_p) / 6.0)) * c


@njit(cache=True, nogil=True)
def _g_height(b: float, k: float) -> float:
    """P.526-16 eq. (18): height-gain G(Y) (dB) from B = beta Y, floored at 2 + 20 log10 K."""
    if b > 2.0:
        g = 17.6 * math.sqrt(b - 1.1) - 5.0 * math.log10(b - 1.1) - 8.0
    elif b > 0.0:
        g = 20.0 * math.log10(b + 0.1 * b * b * b)
    else:
        g = -1e30
    return max(g, 2.0 + 20.0 * math.log10(k))


@njit(cache=True, nogil=True)
def first_term_db(d_m: float, h1_m: float, h2_m: float, a_m: float, f_mhz: float,
                  epsilon: float, sigma: float, vertical: bool) -> float:
    """First-term spherical-earth diffraction loss (dB), P.526-16 §3.1.1.2 eqs. (11)-(18).

    ``K_H = 0.36 (a f)^(-1/3) ((eps-1)^2 + (18000 sigma/f)^2)^(-1/4)`` (a in km, f in MHz),
    ``K_V = K_H (eps^2 + (18000 sigma/f)^2)^(1/2)``, ``beta = (1 + 1.6 K^2 + 0.67 K^4) / (1 +
    4.5 K^2 + 1.53 K^4)``, ``X = 2.188 beta f^(1/3) a^(-2/3) d`` (d km), ``Y = 9.575e-3 beta
    f^(2/3) a^(-1/3) h`` (h m), ``F(X) = 11 + 10 log X - 17.6 X`` (X >= 1.6) or ``-20 log X -
    5.6488 X^1.425``, ``G(Y)`` of B = beta Y; the loss is ``-(F(X) + G(Y1) + G(Y2))``.
    """
    a_km = a_m / 1000.0
    q = 18000.0 * sigma / f_mhz
    k = 0.36 * (a_km * f_mhz) ** (-1.0 / 3.0) * ((epsilon - 1.0) ** 2 + q * q) ** -0.25
    if vertical:
        k *= math.sqrt(epsilon * epsilon + q * q)
    k2 = k * k
    beta = (1.0 + 1.6 * k2 + 0.67 * k2 * k2) / (1.0 + 4.5 * k2 + 1.53 * k2 * k2)
    x = 2.188 * beta * f_mhz ** (1.0 / 3.0) * a_km ** (-2.0 / 3.0) * d_m / 1000.0
    cy = 9.575e-3 * beta * f_mhz ** (2.0 / 3.0) * a_km ** (-1.0 / 3.0)
    if x >= 1.6:
        fx = 11.0 + 10.0 * math.log10(x) - 17.6 * x
    else:
        fx = -20.0 * math.log10(x) - 5.6488 * x ** 1.425
    return -(fx + _g_height(beta * cy * h1_m, k) + _g_height(beta * cy * h2_m, k))


@njit(cache=True, nogil=True)
def spherical_earth_db(d_m: float, h1_m: float, h2_m: float, a_m: float, f_mhz: float,
                       epsilon: float, sigma: float, vertical: bool) -> float:
    """Spherical-earth diffraction loss for any distance (dB), P.526-16 §3.2 eqs. (21)-(25).

    Beyond the marginal line-of-sight distance ``d_los = sqrt(2a) (sqrt(h1) + sqrt(h2))`` the
    first-term loss; nearer, 0 when the smallest clearance ``h`` of the ray over the earth exceeds
    ``h_req = 0.552 sqrt(d1 d2 lambda / d)``, else ``(1 - h / h_req) A_h`` with ``A_h`` the
    first-term loss over the modified radius ``a_em = 0.5 (d / (sqrt(h1) + sqrt(h2)))^2``
    (never negative). All lengths in m.
    """
    h1 = max(h1_m, 1e-3)
    h2 = max(h2_m, 1e-3)
    s = math.sqrt(h1) + math.sqrt(h2)
    if d_m >= math.sqrt(2.0 * a_m) * s:
        return max(0.0, first_term_db(d_m, h1, h2, a_m, f_mhz, epsilon, sigma, vertical))
    c = (h1 - h2) / (h1 + h2)
    m = d_m * d_m / (4.0 * a_m * (h1 + h2))
    arg = 1.5 * c * math.sqrt(3.0 * m / ((m + 1.0) ** 3))
    arg = min(1.0, max(-1.0, arg))
    b = 2.0 * math.sqrt((m + 1.0) / (3.0 * m)) * math.cos(math.pi / 3.0 + math.acos(arg) / 3.0)
    d1 = d_m / 2.0 * (1.0 + b)
    d2 = d_m - d1
    h = ((h1 - d1 * d1 / (2.0 * a_m)) * d2 + (h2 - d2 * d2 / (2.0 * a_m)) * d1) / d_m
    lam = SPEED_OF_LIGHT_M_S / (f_mhz * 1e6)
    hreq = 0.552 * math.sqrt(max(d1 * d2, 0.0) * lam / d_m)
    if h > hreq:
        return 0.0
    aem = 0.5 * (d_m / s) ** 2
    ah = first_term_db(d_m, h1, h2, aem, f_mhz, epsilon, sigma, vertical)
    if ah < 0.0:
        return 0.0
    return (1.0 - h / hreq) * ah


# -- hull -----------------------------------------------------------------------------------------

@njit(cache=True, nogil=True, inline='always')
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


@njit(cache=True, nogil=True, inline='always')
def hull_tangent(hx, hy, m: int, xr: float, yr: float) -> int:
    """Index of the hull vertex of largest elevation angle seen from (xr, yr), right of the hull.

    The height at ``xr`` of the line through edge k is non-increasing in k, so the first edge
    whose line passes at or below the point is found by bisection.
    """
    lo = 0
    hi = m - 1
    while lo < hi:
        k = (lo + hi) // 2
        # yr at or above the line through edge k (hx[k + 1] > hx[k]: no division)
        if (yr - hy[k]) * (hx[k + 1] - hx[k]) >= (hy[k + 1] - hy[k]) * (xr - hx[k]):
            hi = k
        else:
            lo = k + 1
    return lo


@njit(cache=True, nogil=True, inline='always')
def hull_tangent_from(hx, hy, m: int, xr: float, yr: float, k0: int) -> int:
    """:func:`hull_tangent` by a walk from a guess ``k0`` (the previous receiver's tangent on a
    ray: usually the same vertex or a neighbour), the same index."""
    if k0 < 0:
        return hull_tangent(hx, hy, m, xr, yr)
    k = min(k0, m - 1)
    # predicate P(k): the receiver is at or above the line through edge k (monotone in k);
    # the tangent is the first k with P(k) (m - 1 when none). Walk at most 4 vertices, else
    # bisect.
    for _ in range(4):
        if k > 0 and ((yr - hy[k - 1]) * (hx[k] - hx[k - 1])
                      >= (hy[k] - hy[k - 1]) * (xr - hx[k - 1])):
            k -= 1
        elif k < m - 1 and not ((yr - hy[k]) * (hx[k + 1] - hx[k])
                                >= (hy[k + 1] - hy[k]) * (xr - hx[k])):
            k += 1
        else:
            return k
    return hull_tangent(hx, hy, m, xr, yr)


@njit(cache=True, nogil=True, inline='always')
def hull_tangent_left(hx, hy, m: int, x0: float, y0: float) -> int:
    """Index of the hull vertex of largest slope seen from (x0, y0), left of the hull."""
    lo = 0
    hi = m - 1
    while lo < hi:
        k = (lo + hi) // 2
        # the edge k -> k+1 rises more steeply than the view to k: k+1 is seen higher
        if (hy[k + 1] - y0) * (hx[k] - x0) > (hy[k] - y0) * (hx[k + 1] - x0):
            lo = k + 1
        else:
            hi = k
    return lo


@njit(cache=True, nogil=True, inline='always')
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
    c0 = int(col)
    r0 = int(row)
    c1 = min(c0 + 1, nx - 1)
    r1 = min(r0 + 1, ny - 1)
    fc = col - c0
    fr = row - r0
    top = dem[r0, c0] * (1.0 - fc) + dem[r0, c1] * fc
    bot = dem[r1, c0] * (1.0 - fc) + dem[r1, c1] * fc
    return top * (1.0 - fr) + bot * fr


_TAN_PI_8 = 0.41421356237309503


@njit(cache=True, nogil=True)
def atan2_fast(y: float, x: float) -> float:
    """``math.atan2(y, x)`` to 3e-9 rad: octant reduction, ``atan(t) = pi/4 + atan((t - 1) /
    (t + 1))`` above tan(pi/8), then the Taylor series to u^17 (|u| <= tan(pi/8))."""
    ax = abs(x)
    ay = abs(y)
    mx = max(ax, ay)
    if mx == 0.0:
        return 0.0
    t = min(ax, ay) / mx
    off = 0.0
    if t > _TAN_PI_8:
        t = (t - 1.0) / (t + 1.0)
        off = math.pi / 4.0
    u2 = t * t
    p = 1.0 / 17.0
    p = 1.0 / 15.0 - u2 * p
    p = 1.0 / 13.0 - u2 * p
    p = 1.0 / 11.0 - u2 * p
    p = 1.0 / 9.0 - u2 * p
    p = 1.0 / 7.0 - u2 * p
    p = 1.0 / 5.0 - u2 * p
    p = 1.0 / 3.0 - u2 * p
    p = 1.0 - u2 * p
    a = off + t * p
    if ay > ax:
        a = math.pi / 2.0 - a
    if x < 0.0:
        a = math.pi - a
    if y < 0.0:
        a = -a
    return a


# -- one receiver: the frequency-free terms ------------------------------------------------------

@njit(cache=True, nogil=True, inline='always')
def _v_of(px: float, py: float, y0: float, xr: float, yr: float, vcut: float = -1e300) -> float:
    """``v sqrt(lambda)`` of point (px, py) for the path (0, y0) - (xr, yr); ``-1e30`` when it
    is at most ``vcut`` (<= 0; J(v) = 0 at every carrier, decided without a square root)."""
    d2 = xr - px
    if px <= 0.0 or d2 <= 0.0:
        return -1.0e30
    h = py - (y0 + (yr - y0) * px / xr)
    q = px * d2
    if h <= 0.0 and h * h * 2.0 * xr >= vcut * vcut * q:
        return -1.0e30
    return h * math.sqrt(2.0 * xr / q)


@njit(cache=True, nogil=True, inline='always')
def _best_v(hx, hy, k_lo: int, k_hi: int, ax: float, ay: float, bx: float, by: float):
    """Index and ``v sqrt(lambda)`` of the vertex in hx[k_lo..k_hi] of largest v for path A-B."""
    best = -1.0e30
    kb = -1
    for k in range(k_lo, k_hi + 1):
        d1 = hx[k] - ax
        d2 = bx - hx[k]
        if d1 <= 0.0 or d2 <= 0.0:
            continue
        h = hy[k] - (ay + (by - ay) * d1 / (bx - ax))
        v = h * math.sqrt(2.0 * (d1 + d2) / (d1 * d2))
        if v > best:
            best = v
            kb = k
    return kb, best


@njit(cache=True, nogil=True, inline='always')
def _smooth_v_at(k: int, step: float, inv2a: float, ht: float, yr: float, d: float) -> float:
    x = k * step
    return _v_of(x, -x * x * inv2a, ht, d, yr)


@njit(cache=True, nogil=True, inline='always')
def _clamp(k: int, lo: int, hi: int) -> int:
    return lo if k < lo else (hi if k > hi else k)


@njit(cache=True, nogil=True)
def smooth_terms(ht: float, hr: float, d: float, step: float, n_mid: int, inv2a: float,
                 vcut: float = -1e300) -> tuple[float, float]:
    """``(v, v_p)`` (``v sqrt(lambda)``) of the Bullington construction over the smooth curved
    earth (all heights 0 before the curvature), the antennas ``ht`` and ``hr`` (m) above it,
    intermediate samples at ``k step``, k = 1..n_mid (``vcut``: see :func:`_v_of`).

    ``S_tim(x) = -x/(2a) - ht/x`` is concave with its maximum at ``x = sqrt(2 a ht)`` and
    ``S_rim`` concave with its maximum at ``d - x = sqrt(2 a hr)``: the discrete maxima are at the
    samples next to these (compared cross-multiplied). The largest ``v`` is where ``g(phi) = ht
    cot(phi) + hr tan(phi) - (d^2 / 4a) sin(2 phi)`` (``x = d sin^2 phi``, ``v sqrt(lambda) =
    -g sqrt(2/d)``) is least; ``g`` is convex, found by a safeguarded Newton iteration, then the
    samples next to it.
    """
    yr = -d * d * inv2a + hr
    two_a = 1.0 / inv2a
    x_last = n_mid * step
    # (no square root when the optimum is at or beyond the last sample)
    k0 = n_mid if two_a * ht >= x_last * x_last else math.floor(math.sqrt(two_a * ht) / step)
    xa = _clamp(k0, 1, n_mid) * step
    xb = _clamp(k0 + 1, 1, n_mid) * step
    na = -xa * xa * inv2a - ht
    nb = -xb * xb * inv2a - ht
    if nb * xa > na * xb:  # slope nb / xb larger
        na = nb
        xa = xb
    # (none either when the optimum is at or before the first sample)
    k1 = 1 if two_a * hr >= (d - step) * (d - step) else \
        math.floor((d - math.sqrt(two_a * hr)) / step)
    xr_a = _clamp(k1, 1, n_mid) * step
    xr_b = _clamp(k1 + 1, 1, n_mid) * step
    ma = -xr_a * xr_a * inv2a - yr
    mb = -xr_b * xr_b * inv2a - yr
    if mb * (d - xr_a) > ma * (d - xr_b):
        ma = mb
        xr_a = xr_b
    if na * d <= (yr - ht) * xa:  # line of sight over the smooth earth
        v = _v_of(xr_a, -xr_a * xr_a * inv2a, ht, d, yr, vcut)
        return v, v
    stim = na / xa
    srim = ma / (d - xr_a)
    db = (yr - ht + srim * d) / (stim + srim)
    hb = ht + stim * db
    h = hb - (ht * (d - db) + yr * db) / d
    vb = h * math.sqrt(2.0 * d / (db * (d - db)))
    c = d * d * inv2a / 2.0
    lo = 1e-9
    hi = math.pi / 2.0 - 1e-9
    phi = math.atan(math.sqrt(ht / hr))
    for _ in range(60):
        s_ = math.sin(phi)
        co = math.cos(phi)
        g1 = -ht / (s_ * s_) + hr / (co * co) - 2.0 * c * math.cos(2.0 * phi)
        if g1 > 0.0:
            hi = phi
        else:
            lo = phi
        g2 = (2.0 * ht * co / (s_ * s_ * s_) + 2.0 * hr * s_ / (co * co * co)
              + 4.0 * c * math.sin(2.0 * phi))
        nxt = phi - g1 / g2
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        if abs(nxt - phi) < 1e-13:
            break
        phi = nxt
    k2 = math.floor(d * math.sin(phi) ** 2 / step)
    vp = -1.0e30
    for k in range(_clamp(k2 - 1, 1, n_mid), _clamp(k2 + 2, 1, n_mid) + 1):
        v = _smooth_v_at(k, step, inv2a, ht, yr, d)
        if v > vp:
            vp = v
    return vb, min(vp, vb)


@njit(cache=True, nogil=True, inline='always')
def _principal_v(hx, hy, k_lo: int, k_hi: int, y0: float, xr: float, yr: float,
                 slope: float) -> float:
    """``v sqrt(lambda)`` of the vertex of largest v in hx[k_lo..k_hi] for the path (0, y0) -
    (xr, yr) of slope ``slope``, over the vertices above the line; compared as
    ``h^2 / (x (d - x))`` without square roots or divisions."""
    bh = 0.0
    bq = 1.0
    for k in range(k_lo, k_hi + 1):
        h = hy[k] - (y0 + slope * hx[k])
        if h <= 0.0:
            continue
        q = hx[k] * (xr - hx[k])
        if h * h * bq > bh * bh * q:
            bh = h
            bq = q
    if bh <= 0.0:
        return -1.0e30
    return bh * math.sqrt(2.0 * xr / bq)


@njit(cache=True, nogil=True)
def hull_terms(hx, hy, m: int, kt: int, y0: float, xr: float, yr: float, method: int,
               k_guess: int = -1, vcut: float = -1e300, stim: float = np.nan):
    """The real profile's frequency-free terms of a receiver at (xr, yr) from the hull of the
    intermediate points (``kt``: index of the transmitter's horizon vertex).

    Returns ``(obstructed, v_a, v_ap, o0, o1, o2, kr)`` (``v sqrt(lambda)``): delta-Bullington's
    Bullington ``v`` and principal-edge ``v`` (both the receiver's horizon point's on a
    line-of-sight path); the old methods' edges ``o0..o2`` (Bullington: its one edge; Deygout:
    the principal edge and each side's; NaN where none, and all NaN on line of sight); ``kr`` the
    receiver's horizon vertex (``k_guess``: the previous one on a ray, -1: none); ``stim``: the
    transmitter horizon's slope when the caller has it.
    """
    nan = np.nan
    d = xr
    obstructed = (hy[kt] - y0) * d > (yr - y0) * hx[kt]  # S_tim > S_tr
    kr = hull_tangent_from(hx, hy, m, xr, yr, k_guess)
    if method == METHOD_DELTA_BULLINGTON:
        if not obstructed:
            v = _v_of(hx[kr], hy[kr], y0, xr, yr, vcut)
            return False, v, v, nan, nan, nan, kr
        if math.isnan(stim):
            stim = (hy[kt] - y0) / hx[kt]
        s_tr = (yr - y0) / d
        srim = (hy[kr] - yr) / (d - hx[kr])
        db = (yr - y0 + srim * d) / (stim + srim)
        # the Bullington point's clearance over the line is db (S_tim - S_tr), so
        # v sqrt(lambda) = (S_tim - S_tr) sqrt(2 d db / (d - db))
        vb = (stim - s_tr) * math.sqrt(2.0 * d * db / (d - db))
        if kr == kt:  # both horizons on one point: a single knife edge
            return True, vb, vb, nan, nan, nan, kr
        return True, vb, min(_principal_v(hx, hy, kt, kr, y0, xr, yr, s_tr), vb), nan, nan, \
            nan, kr
    if not obstructed or method == METHOD_NONE:
        return obstructed, -1.0e30, -1.0e30, nan, nan, nan, kr
    if method == METHOD_BULLINGTON:
        stim = (hy[kt] - y0) / hx[kt]
        srim = (hy[kr] - yr) / (xr - hx[kr])
        den = stim + srim
        if den <= 0.0:
            return True, -1.0e30, -1.0e30, nan, nan, nan, kr
        db = (yr - y0 + srim * d) / den
        if db <= 0.0 or db >= d:
            return True, -1.0e30, -1.0e30, nan, nan, nan, kr
        hb = y0 + stim * db
        h = hb - (y0 * (d - db) + yr * db) / d
        return True, -1.0e30, -1.0e30, h * math.sqrt(2.0 * d / (db * (d - db))), nan, nan, kr
    kb, vb = _best_v(hx, hy, kt, kr, 0.0, y0, xr, yr)
    vl = nan
    vr = nan
    if kb > kt:
        _, vl = _best_v(hx, hy, kt, kb - 1, 0.0, y0, hx[kb], hy[kb])
    if kb < kr:
        _, vr = _best_v(hx, hy, kb + 1, kr, hx[kb], hy[kb], xr, yr)
    return True, -1.0e30, -1.0e30, vb, vl, vr, kr


@njit(cache=True, nogil=True, inline='always')
def smooth_heights(v1: float, v2: float, d: float, z0: float, zr: float, h_tx: float,
                   h_rx: float) -> tuple[float, float]:
    """P.526-16 §4.5.2: antenna heights (m) above the least-squares smooth surface, whose ends
    ``h_st = (2 v1 d - v2) / d^2``, ``h_sr = (v2 - v1 d) / d^2`` are at most the ground."""
    inv_d2 = 1.0 / (d * d)
    hst = min((2.0 * v1 * d - v2) * inv_d2, z0)
    hsr = min((v2 - v1 * d) * inv_d2, zr)
    return z0 + h_tx - hst, zr + h_rx - hsr


@njit(cache=True, nogil=True)
def receiver_terms(hx, hy, m: int, kt: int, y0: float, z0: float, h_tx: float, xr: float,
                   zr: float, zcr: float, h_rx: float, v1: float, v2: float, step: float,
                   n_mid: int, inv2a: float, method: int, out) -> None:
    """Frequency-free terrain terms of a receiver at distance ``xr`` (m) into ``out`` (``T_*``).

    ``hx, hy, m``: the upper hull of the ``n_mid`` intermediate points (curvature-corrected
    frame); ``kt``: the hull index of the transmitter's horizon (largest slope from the antenna
    ``(0, y0)``, ``y0 = z0 + h_tx``); ``zr``/``zcr``: the receiver's ground, raw and corrected;
    ``v1``, ``v2``: P.526's least-squares sums over the profile including the receiver (m^2,
    m^3); ``step``: spacing of the intermediate points (the smooth earth's samples at ``k
    step``). The sweep calls :func:`hull_terms`, :func:`smooth_heights` and
    :func:`smooth_terms` directly.
    """
    for i in range(T_SIZE):
        out[i] = np.nan
    out[T_D] = xr
    if n_mid < 1 or method == METHOD_NONE:
        out[T_VA] = -1.0e30
        out[T_VAP] = -1.0e30
        out[T_VS] = -1.0e30
        out[T_VSP] = -1.0e30
        out[T_HTS] = h_tx
        out[T_HRS] = h_rx
        return
    _, va, vap, o0, o1, o2, _ = hull_terms(hx, hy, m, kt, y0, xr, zcr + h_rx, method, -1)
    out[T_VA] = va
    out[T_VAP] = vap
    out[T_OLD0] = o0
    out[T_OLD0 + 1] = o1
    out[T_OLD0 + 2] = o2
    if method == METHOD_DELTA_BULLINGTON:
        ht, hr = smooth_heights(v1, v2, xr, z0, zr, h_tx, h_rx)
        out[T_HTS] = ht
        out[T_HRS] = hr
        vs, vsp = smooth_terms(ht, hr, xr, step, n_mid, inv2a)
        out[T_VS] = vs
        out[T_VSP] = vsp


@njit(cache=True, nogil=True, inline='always')
def push_point(hx, hy, m: int, kt: int, y0: float, x: float, zc: float) -> tuple[int, int]:
    """Add an intermediate point to the hull; returns the new vertex count and the index of the
    transmitter's horizon (the vertex of largest slope from (0, y0); a steeper or equally steep
    new point takes it, and it is never popped by a point that is not)."""
    steeper = kt < 0 or (zc - y0) * hx[kt] >= (hy[kt] - y0) * x
    m = hull_push(hx, hy, m, x, zc)
    if steeper or kt > m - 1:  # (the second: exact collinearity with the ray, never in practice)
        kt = m - 1
    return m, kt


@njit(cache=True, nogil=True, inline='always')
def _edge_db(v: float, excess: bool) -> float:
    j = knife_edge_j(v)
    if excess:
        return max(0.0, j - _J0)
    return j


@njit(cache=True, nogil=True)
def delta_loss_db(va: float, vap: float, vs: float, vsp: float, hts: float, hrs: float,
                  d: float, inv_sqrt_lam: float, f_mhz: float, excess: bool, correction: int,
                  a_m: float, epsilon: float, sigma: float, vertical: bool,
                  fast: bool = False) -> float:
    """Delta-Bullington loss (dB) of one carrier: ``L_ba + max(L_sph - L_bs, 0)``, or with
    ``excess`` the excess over the smooth earth ``max(0, L_ba - L_bs)``; ``fast``: tabulated
    J(v) (the sweep)."""
    if fast:
        lba = bullington_db_fast(va * inv_sqrt_lam, vap * inv_sqrt_lam, d, correction)
        lbs = bullington_db_fast(vs * inv_sqrt_lam, vsp * inv_sqrt_lam, d, correction)
    else:
        lba = bullington_db(va * inv_sqrt_lam, vap * inv_sqrt_lam, d, correction)
        lbs = bullington_db(vs * inv_sqrt_lam, vsp * inv_sqrt_lam, d, correction)
    if excess:
        return max(0.0, lba - lbs)
    lsph = spherical_earth_db(d, hts, hrs, a_m, f_mhz, epsilon, sigma, vertical)
    return lba + max(lsph - lbs, 0.0)


@njit(cache=True, nogil=True)
def old_loss_db(o0: float, o1: float, o2: float, d: float, inv_sqrt_lam: float, method: int,
                excess: bool) -> float:
    """Loss (dB) of the previous methods from :func:`hull_terms`'s edges (NaN: none)."""
    if method == METHOD_NONE or math.isnan(o0):
        return 0.0
    v0 = o0 * inv_sqrt_lam
    if method == METHOD_BULLINGTON:
        loss = bullington_db(v0, v0, d, CORR_P526)
        if excess:
            loss -= bullington_db(0.0, 0.0, d, CORR_P526)
        return max(0.0, loss)
    loss = _edge_db(v0, excess)
    if not math.isnan(o1) and o1 * inv_sqrt_lam > -0.78:
        loss += _edge_db(o1 * inv_sqrt_lam, excess)
    if not math.isnan(o2) and o2 * inv_sqrt_lam > -0.78:
        loss += _edge_db(o2 * inv_sqrt_lam, excess)
    return loss


@njit(cache=True, nogil=True)
def terms_loss_db(t, inv_sqrt_lam: float, f_mhz: float, cfg) -> float:
    """Terrain loss (dB) of one carrier from the terms of :func:`receiver_terms`."""
    method = int(cfg[CFG_METHOD])
    excess = cfg[CFG_EXCESS] > 0.5
    if method == METHOD_DELTA_BULLINGTON:
        return delta_loss_db(t[T_VA], t[T_VAP], t[T_VS], t[T_VSP], t[T_HTS], t[T_HRS], t[T_D],
                             inv_sqrt_lam, f_mhz, excess, int(cfg[CFG_CORRECTION]),
                             cfg[CFG_K_FACTOR] * EARTH_RADIUS_M, cfg[CFG_EPSILON],
                             cfg[CFG_SIGMA], cfg[CFG_POLARIZATION] > 0.5)
    return old_loss_db(t[T_OLD0], t[T_OLD0 + 1], t[T_OLD0 + 2], t[T_D], inv_sqrt_lam, method,
                       excess)


# -- one profile (point-to-point) ----------------------------------------------------------------

@njit(cache=True, nogil=True)
def profile_terms(x_m, z_m, tx_height_m: float, rx_height_m: float, k_factor: float,
                  method: int, hx, hy, out) -> None:
    """:func:`receiver_terms` of one profile: ``x_m[0] = 0`` transmitter, ``x_m[-1]`` receiver.

    The intermediate points must be equally spaced (``x_m[i] = i x_m[1]``; the receiver may be
    nearer than one step beyond the last). ``hx``, ``hy``: scratch of ``len(x_m)`` elements.
    """
    n = x_m.shape[0]
    inv2a = 1.0 / (2.0 * k_factor * EARTH_RADIUS_M)
    z0 = z_m[0]
    y0 = z0 + tx_height_m
    m = 0
    kt = -1
    v1 = 0.0
    v2 = 0.0
    for i in range(1, n):
        xa = x_m[i - 1] - x_m[0]
        xb = x_m[i] - x_m[0]
        dd = xb - xa
        v1 += dd * (z_m[i] + z_m[i - 1])
        v2 += dd * (z_m[i] * (2.0 * xb + xa) + z_m[i - 1] * (xb + 2.0 * xa))
        if i < n - 1:
            m, kt = push_point(hx, hy, m, kt, y0, xb, z_m[i] - xb * xb * inv2a)
    xr = x_m[n - 1] - x_m[0]
    step = x_m[1] - x_m[0] if n > 2 else xr
    receiver_terms(hx, hy, m, kt, y0, z0, tx_height_m, xr, z_m[n - 1],
                   z_m[n - 1] - xr * xr * inv2a, rx_height_m, v1, v2, step, n - 2, inv2a,
                   method, out)


@njit(cache=True, nogil=True)
def profile_loss_db(x_m, z_m, tx_height_m: float, rx_height_m: float, f_mhz: float, cfg,
                    hx, hy) -> float:
    """Terrain loss (dB) over one profile (see :func:`profile_terms`), one carrier."""
    t = np.empty(T_SIZE)
    profile_terms(x_m, z_m, tx_height_m, rx_height_m, cfg[CFG_K_FACTOR], int(cfg[CFG_METHOD]),
                  hx, hy, t)
    lam = SPEED_OF_LIGHT_M_S / (f_mhz * 1e6)
    return terms_loss_db(t, 1.0 / math.sqrt(lam), f_mhz, cfg)


@njit(cache=True, nogil=True)
def line_profile(dem, c0: float, r0: float, c1: float, r1: float, d: float, step_m: float,
                 xs, zs) -> int:
    """The straight DEM profile from pixel (c0, r0) to (c1, r1), ``d`` metres long, into
    ``xs`` (distance from the start, m) and ``zs`` (bilinear DEM height, m): a sample every
    ``step_m`` from the start, the end point last. Returns the number of samples."""
    n_mid = math.ceil(d / step_m) - 1
    if n_mid < 0:
        n_mid = 0
    n = n_mid + 2
    for i in range(n):
        f = 1.0 if i == n - 1 else (i * step_m / d if d > 0.0 else 0.0)
        xs[i] = f * d
        zs[i] = bilinear(dem, c0 + f * (c1 - c0), r0 + f * (r1 - r0))
    return n


@njit(cache=True, nogil=True)
def pair_terrain_losses(dem, tx_col, tx_row, tx_h, rx_col, rx_row, rx_h: float, px_w_m: float,
                        px_h_m: float, step_m: float, f_mhz, cfg, max_radius_m: float,
                        out_dist, out_loss) -> None:
    """Terrain loss of every transmitter-receiver pair along its own DEM profile.

    Profile samples every ``step_m`` from the transmitter (bilinear DEM), the receiver last.
    Pairs farther apart than ``max_radius_m`` get distance and loss NaN. ``f_mhz`` holds one
    carrier (MHz) per transmitter.
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
            n = line_profile(dem, tx_col[a], tx_row[a], rx_col[b], rx_row[b], d, step_m, xs, zs)
            if d <= 0.0:
                out_loss[a, b] = 0.0
                continue
            out_loss[a, b] = profile_loss_db(xs[:n], zs[:n], tx_h[a], rx_h, f_mhz[a], cfg,
                                             hx, hy)


@njit(cache=True, nogil=True)
def pair_losses(dem, tx_col, tx_row, tx_h, rx_col, rx_row, rx_h: float, px_w_m: float,
                px_h_m: float, step_m: float, lam_m, k_factor: float, method: int,
                excess: bool, max_radius_m: float, out_dist, out_loss) -> None:
    """:func:`pair_terrain_losses` with the previous signature (wavelengths in m, the default
    correction and ground of :func:`default_cfg`); kept for callers of the earlier engine."""
    cfg = np.empty(CFG_SIZE)
    cfg[CFG_METHOD] = method
    cfg[CFG_EXCESS] = 1.0 if excess else 0.0
    cfg[CFG_K_FACTOR] = k_factor
    cfg[CFG_CORRECTION] = CORR_MULTI_EDGE
    cfg[CFG_EPSILON] = 15.0
    cfg[CFG_SIGMA] = 0.005
    cfg[CFG_POLARIZATION] = 1.0
    f = np.empty(lam_m.shape[0])
    for i in range(lam_m.shape[0]):
        f[i] = SPEED_OF_LIGHT_M_S / lam_m[i] / 1e6
    pair_terrain_losses(dem, tx_col, tx_row, tx_h, rx_col, rx_row, rx_h, px_w_m, px_h_m,
                        step_m, f, cfg, max_radius_m, out_dist, out_loss)


# -- the radial sweep ----------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _sweep_ray(dem, a: int, n_rays: int, col0: float, row0: float, z0: float,
               px_w_m: float, px_h_m: float, h_tx: float, h_rx: float, step: float,
               cfg, need, inv_sqrt_lam, f_mhz, r_car, out_loss, out_zmean, want_zmean: bool,
               hx, hy) -> None:
    """One ray of :func:`sweep_losses`; ``hx``, ``hy`` are its scratch (the hull)."""
    n_steps = need.shape[0] // n_rays
    n_car = inv_sqrt_lam.shape[0]
    inv2a = 1.0 / (2.0 * cfg[CFG_K_FACTOR] * EARTH_RADIUS_M)
    method = int(cfg[CFG_METHOD])
    az = 2.0 * math.pi * a / n_rays
    dc = math.sin(az) * step / px_w_m
    dr = -math.cos(az) * step / px_h_m
    # flat index of sample s: s * n_rays + a (sample-major: the cells of a grid row, on
    # neighbouring rays at similar distances, read neighbouring memory)
    # the last sample some cell needs: nothing beyond it is computed
    last = -1
    for s in range(n_steps - 1, -1, -1):
        if need[s * n_rays + a]:
            last = s
            break
    if last < 0:
        return
    y0 = z0 + h_tx
    m = 0
    kt = -1  # hull index of the transmitter's horizon
    kr = -1  # the previous receiver's horizon (a guess for the next)
    stim = np.nan  # slope of the transmitter's horizon
    v1 = 0.0
    v2 = 0.0
    xa = 0.0
    za = z0
    zsum = 0.0
    delta = method == METHOD_DELTA_BULLINGTON
    excess = cfg[CFG_EXCESS] > 0.5
    corr = int(cfg[CFG_CORRECTION])
    a_m = cfg[CFG_K_FACTOR] * EARTH_RADIUS_M
    eps = cfg[CFG_EPSILON]
    sig = cfg[CFG_SIGMA]
    vert = cfg[CFG_POLARIZATION] > 0.5
    # below this v sqrt(lambda) J(v) = 0 at every carrier (the longest wavelength decides); on a
    # line-of-sight path the exact value is not needed then (the complete method needs it for
    # nothing either: L_sph does not use it)
    vcut = -0.78 / inv_sqrt_lam.min()
    for s in range(last + 1):
        x = (s + 1) * step
        z = bilinear(dem, col0 + (s + 1) * dc, row0 + (s + 1) * dr)
        zc = z - x * x * inv2a
        if delta:
            v1 += step * (z + za)
            v2 += step * (z * (2.0 * x + xa) + za * (x + 2.0 * xa))
        if want_zmean:
            zsum += z
        p = s * n_rays + a
        if need[p]:
            if want_zmean:
                out_zmean[p] = zsum / (s + 1)
            if s == 0 or method == METHOD_NONE:
                for c in range(n_car):
                    out_loss[c, p] = 0.0
            elif delta:
                obstructed, va, vap, _, _, _, kr = hull_terms(hx, hy, m, kt, y0, x, zc + h_rx,
                                                              method, kr, vcut, stim)
                if excess and not obstructed and va <= -1.0e29:
                    # L_ba = 0 at every carrier, so is the excess max(0, L_ba - L_bs)
                    for c in range(n_car):
                        out_loss[c, p] = 0.0
                else:
                    ht, hr = smooth_heights(v1, v2, x, z0, z, h_tx, h_rx)
                    vs, vsp = smooth_terms(ht, hr, x, step, s, inv2a, vcut)
                    for c in range(n_car):
                        if x > r_car[c]:
                            continue
                        out_loss[c, p] = delta_loss_db(va, vap, vs, vsp, ht, hr, x,
                                                       inv_sqrt_lam[c], f_mhz[c], excess, corr,
                                                       a_m, eps, sig, vert, True)
            else:
                _, _, _, o0, o1, o2, kr = hull_terms(hx, hy, m, kt, y0, x, zc + h_rx, method,
                                                     kr)
                for c in range(n_car):
                    if x <= r_car[c]:
                        out_loss[c, p] = old_loss_db(o0, o1, o2, x, inv_sqrt_lam[c], method,
                                                     excess)
        # the receiver becomes an intermediate point of the next receivers
        kt_before = kt
        m, kt = push_point(hx, hy, m, kt, y0, x, zc)
        if kt != kt_before or kt == m - 1:
            stim = (hy[kt] - y0) / hx[kt]
        xa = x
        za = z


@njit(cache=True, nogil=True)
def sweep_losses(dem, col0: float, row0: float, px_w_m: float, px_h_m: float, h_tx: float,
                 h_rx: float, step: float, cfg, ray0: int, n_sweep: int, n_rays: int, need,
                 f_mhz, r_car, out_loss, out_zmean, want_zmean: bool) -> float:
    """Terrain loss of every needed sample of a polar grid around one antenna, per carrier.

    Parameters
    ----------
    dem
        2-D elevation array (m), north-up.
    col0, row0
        Antenna position in fractional pixel coordinates (pixel centres at integers).
    px_w_m, px_h_m
        Cell width and height (m).
    h_tx, h_rx
        Antenna heights above ground (m).
    step
        Radial sampling step (m); sample ``s`` of ray ``a`` (azimuth ``360 a / n_rays`` degrees
        clockwise from grid north) is at ``(s + 1) step`` and has flat index
        ``s * n_rays + a`` (sample-major, so that neighbouring cells of a grid row, on
        neighbouring rays, read neighbouring memory).
    cfg
        Terrain configuration (``CFG_*``).
    ray0, n_sweep
        Rays ``ray0 .. ray0 + n_sweep - 1`` (modulo ``n_rays``) are swept, e.g. those that reach
        a tile; each ray is computed on its own, so its values do not depend on the range.
    need
        uint8 ``(n_rays * n_steps,)``: 1 where a cell takes the sample (:func:`cell_layout`);
        only those are evaluated (a ray stops at its last needed sample).
    f_mhz, r_car
        The carriers (MHz) and the distance (m) up to which each is needed (its transmitters'
        largest radius plus one step: a cell takes the sample nearest to it).
    out_loss
        float32 ``(n_carriers, n_rays * n_steps)``: the terrain loss (dB) at needed samples.
    out_zmean, want_zmean
        float32 ``(n_rays * n_steps,)``: when ``want_zmean``, the mean ground elevation (m) from
        the first sample to each needed sample.

    Returns
    -------
    float
        Ground elevation (m) at the antenna.
    """
    z0 = bilinear(dem, col0, row0)
    n_steps = need.shape[0] // n_rays
    inv = np.empty(f_mhz.shape[0])
    for c in range(f_mhz.shape[0]):
        inv[c] = 1.0 / math.sqrt(SPEED_OF_LIGHT_M_S / (f_mhz[c] * 1e6))
    hx = np.empty(n_steps + 2)
    hy = np.empty(n_steps + 2)
    for k in range(min(n_sweep, n_rays)):
        _sweep_ray(dem, (ray0 + k) % n_rays, n_rays, col0, row0, z0, px_w_m, px_h_m, h_tx,
                   h_rx, step, cfg, need, inv, f_mhz, r_car, out_loss, out_zmean, want_zmean,
                   hx, hy)
    return z0


@njit(cache=True, nogil=True, parallel=True)
def sweep_losses_parallel(dem, col0: float, row0: float, px_w_m: float, px_h_m: float,
                          h_tx: float, h_rx: float, step: float, cfg, ray0: int, n_sweep: int,
                          n_rays: int, need, f_mhz, r_car, out_loss, out_zmean,
                          want_zmean: bool) -> float:
    """:func:`sweep_losses` with the rays in parallel threads (same numbers)."""
    z0 = bilinear(dem, col0, row0)
    n_steps = need.shape[0] // n_rays
    inv = np.empty(f_mhz.shape[0])
    for c in range(f_mhz.shape[0]):
        inv[c] = 1.0 / math.sqrt(SPEED_OF_LIGHT_M_S / (f_mhz[c] * 1e6))
    for k in prange(min(n_sweep, n_rays)):
        hx = np.empty(n_steps + 2)
        hy = np.empty(n_steps + 2)
        _sweep_ray(dem, (ray0 + k) % n_rays, n_rays, col0, row0, z0, px_w_m, px_h_m, h_tx,
                   h_rx, step, cfg, need, inv, f_mhz, r_car, out_loss, out_zmean, want_zmean,
                   hx, hy)
    return z0


# -- per-ray models (ITM hook) -------------------------------------------------------------------

@njit(cache=True, nogil=True)
def ray_profile(dem, a: int, n_rays: int, col0: float, row0: float, px_w_m: float,
                px_h_m: float, step: float, n: int, z_out) -> None:
    """Ground profile of ray ``a``: ``z_out[0]`` at the antenna, ``z_out[s + 1]`` at sample
    ``s`` (distance ``(s + 1) step``), ``s < n``; the samples of :func:`sweep_losses`."""
    az = 2.0 * math.pi * a / n_rays
    dc = math.sin(az) * step / px_w_m
    dr = -math.cos(az) * step / px_h_m
    z_out[0] = bilinear(dem, col0, row0)
    for s in range(n):
        z_out[s + 1] = bilinear(dem, col0 + (s + 1) * dc, row0 + (s + 1) * dr)


@njit(cache=True, nogil=True)
def free_space_ray_losses(z, step_m: float, h_tx_m: float, h_rx_m: float, model_params,
                          out) -> None:
    """The reference per-ray model of the hook: free space (3-D distance) at
    ``model_params[0]`` MHz for every sample of the profile ``z``."""
    f = model_params[0]
    for s in range(z.shape[0] - 1):
        d = (s + 1) * step_m
        dz = (z[0] + h_tx_m) - (z[s + 1] + h_rx_m)
        out[s] = M.free_space_3d_db(math.sqrt(d * d + dz * dz), f)


@njit(nogil=True)
def sweep_ray_model(model, dem, col0: float, row0: float, px_w_m: float, px_h_m: float,
                    h_tx: float, h_rx: float, step: float, ray0: int, n_sweep: int,
                    n_rays: int, need, model_params, carrier: int, out_loss) -> None:
    """Fill ``out_loss[carrier, s * n_rays + a]`` with ``model``'s loss along every swept ray.

    ``model(z, step_m, h_tx_m, h_rx_m, model_params, out)`` is a ``@njit`` per-ray model (see
    the module doc); the profile of each ray reaches its last needed sample. Not cached on disk
    (the model is an argument); the model itself is.
    """
    n_steps = need.shape[0] // n_rays
    z = np.empty(n_steps + 1)
    o = np.empty(n_steps)
    for k in range(min(n_sweep, n_rays)):
        a = (ray0 + k) % n_rays
        last = -1
        for s in range(n_steps - 1, -1, -1):
            if need[s * n_rays + a]:
                last = s
                break
        if last < 0:
            continue
        ray_profile(dem, a, n_rays, col0, row0, px_w_m, px_h_m, step, last + 1, z)
        model(z[:last + 2], step, h_tx, h_rx, model_params, o)
        for s in range(last + 1):
            if need[s * n_rays + a]:
                out_loss[carrier, s * n_rays + a] = o[s]


# -- cells ---------------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def cell_rows(sr0: int, n_rows: int, sc0: int, n_cols: int, col0: float, row0: float,
              px_w_m: float, px_h_m: float, radius_m: float, out_lo, out_hi, out_start) -> int:
    """Cells of a sub-window within ``radius_m`` of an antenna, row by row.

    Row ``i`` (DEM row ``sr0 + i``) holds the columns ``out_lo[i] .. out_hi[i]`` (DEM columns,
    empty when ``lo > hi``), the cells with ``dx^2 + dy^2 <= radius^2`` (cell centres); their flat
    cell indices start at ``out_start[i]``. Returns the number of cells. Every cell kernel visits
    the cells in this order.
    """
    r2 = radius_m * radius_m
    k = 0
    c_end = sc0 + n_cols - 1
    for i in range(n_rows):
        dy = (row0 - (sr0 + i)) * px_h_m
        out_start[i] = k
        rem = r2 - dy * dy
        if rem < 0.0:
            out_lo[i] = 1
            out_hi[i] = 0
            continue
        half = math.sqrt(rem) / px_w_m
        lo = math.ceil(col0 - half)
        hi = math.floor(col0 + half)
        # exact predicate at the ends
        while lo <= hi and ((lo - col0) * px_w_m) ** 2 + dy * dy > r2:
            lo += 1
        while ((lo - 1 - col0) * px_w_m) ** 2 + dy * dy <= r2:
            lo -= 1
        while hi >= lo and ((hi - col0) * px_w_m) ** 2 + dy * dy > r2:
            hi -= 1
        while ((hi + 1 - col0) * px_w_m) ** 2 + dy * dy <= r2:
            hi += 1
        lo = max(lo, sc0)
        hi = min(hi, c_end)
        out_lo[i] = lo
        out_hi[i] = hi
        if hi >= lo:
            k += hi - lo + 1
    return k


@njit(cache=True, nogil=True, inline='always')
def _row_span(lo: int, hi: int, dy: float, col0: float, px_w_m: float,
              radius_m: float) -> tuple[int, int]:
    """Columns of ``lo..hi`` within ``radius_m`` (``dx^2 + dy^2 <= r^2``) of the antenna."""
    r2 = radius_m * radius_m
    rem = r2 - dy * dy
    if rem < 0.0 or hi < lo:
        return 1, 0
    half = math.sqrt(rem) / px_w_m
    a = max(lo, math.ceil(col0 - half) - 1)
    b = min(hi, math.floor(col0 + half) + 1)
    while a <= b and ((a - col0) * px_w_m) ** 2 + dy * dy > r2:
        a += 1
    while b >= a and ((b - col0) * px_w_m) ** 2 + dy * dy > r2:
        b -= 1
    return a, b


@njit(cache=True, nogil=True)
def _layout_row(i: int, sr0: int, lo, hi, start, col0: float, row0: float, px_w_m: float,
                px_h_m: float, step: float, n_rays: int, n_steps: int, dem, antenna_z: float,
                rx_height_m: float, want_angles: bool, need, out_pidx, out_az,
                out_elev) -> None:
    r = sr0 + i
    dy = (row0 - r) * px_h_m
    inv_dtheta = n_rays / (2.0 * math.pi)
    k = start[i]
    for c in range(lo[i], hi[i] + 1):
        dx = (c - col0) * px_w_m
        d = math.sqrt(dx * dx + dy * dy)
        az = atan2_fast(dx, dy)
        if az < 0.0:
            az += 2.0 * math.pi
        a = int(az * inv_dtheta + 0.5)
        if a >= n_rays:
            a -= n_rays
        s = int(d / step + 0.5) - 1
        if s < 0:
            s = 0
        elif s >= n_steps:
            s = n_steps - 1
        p = s * n_rays + a
        out_pidx[k] = p
        need[p] = 1
        if want_angles:
            out_az[k] = az * (180.0 / math.pi)
            dz = dem[r, c] + rx_height_m - antenna_z
            out_elev[k] = atan2_fast(dz, max(d, 1e-6)) * (180.0 / math.pi)
        k += 1


@njit(cache=True, nogil=True)
def cell_layout(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float, px_w_m: float,
                px_h_m: float, step: float, n_rays: int, n_steps: int, dem, antenna_z: float,
                rx_height_m: float, want_angles: bool, need, out_pidx, out_az,
                out_elev) -> None:
    """Per cell (:func:`cell_rows` order): the nearest polar sample ``out_pidx`` (flat index
    ``s * n_rays + a``; and ``need[p] = 1``), and when ``want_angles`` its azimuth (degrees clockwise from grid north)
    and the elevation angle of a receiver ``rx_height_m`` above it seen from the antenna at
    absolute height ``antenna_z`` (degrees, negative below), float32."""
    for i in range(n_rows):
        _layout_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, step, n_rays, n_steps,
                    dem, antenna_z, rx_height_m, want_angles, need, out_pidx, out_az, out_elev)


@njit(cache=True, nogil=True)
def _common_row(i: int, sr0: int, lo, hi, start, col0: float, row0: float, px_w_m: float,
                px_h_m: float, loss, carrier: int, pidx, mc, median_model: int, f_mhz: float,
                h_tx: float, z_antenna: float, zmean, use_zmean: bool, rx_h: float, env: int,
                large_city: bool, nlos: bool, bld_h: float, street_w: float, d_min: float,
                fixed_db: float, landcover, lut, use_lc: bool, radius_m: float, out,
                counts) -> None:
    r = sr0 + i
    dy = (row0 - r) * px_h_m
    c_lo, c_hi = _row_span(lo[i], hi[i], dy, col0, px_w_m, radius_m)
    k = start[i] + (c_lo - lo[i])
    n_short = 0
    n_long = 0
    n_nlos = 0
    local = np.zeros(M.N_FB, np.int64)  # the profile_mean path's counters
    for c in range(c_lo, c_hi + 1):
        p = pidx[k]
        v = loss[carrier, p] + fixed_db
        if median_model >= 0:
            dx = (c - col0) * px_w_m
            d = math.sqrt(dx * dx + dy * dy)
            if use_zmean:
                h = max(h_tx + z_antenna - zmean[p], 1.0)
                med = M.engine_median_db(median_model, d, f_mhz, h, rx_h, env, large_city,
                                         nlos, bld_h, street_w, d_min, local)
                bits = 0
            else:
                med, bits = M.median_from_consts(mc, d)
            v += med
            if bits:
                n_short += bits & 1
                n_long += (bits >> 1) & 1
                n_nlos += (bits >> 2) & 1
        if use_lc:
            v += lut[landcover[r, c]]  # uint8 codes, a 256-entry table
        out[k] = v
        k += 1
    counts[M.FB_SHORT] += n_short + local[M.FB_SHORT]
    counts[M.FB_LONG] += n_long + local[M.FB_LONG]
    counts[M.FB_NLOS_RANGE] += n_nlos + local[M.FB_NLOS_RANGE]


@njit(cache=True, nogil=True)
def cell_common_loss(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                     px_w_m: float, px_h_m: float, loss, carrier: int, pidx, median_model: int,
                     f_mhz: float, h_tx: float, z_antenna: float, zmean, use_zmean: bool,
                     rx_h: float, env: int, large_city: bool, nlos: bool, bld_h: float,
                     street_w: float, d_min: float, fixed_db: float, landcover, lut,
                     use_lc: bool, radius_m: float, out, counts) -> None:
    """Per cell within ``radius_m`` (the carrier's transmitters' largest radius):
    ``median(d) + terrain[pidx] + clutter + fixed_db`` (dB) into ``out`` (float32; the other
    cells are not written).

    ``landcover`` holds uint8 codes, ``lut`` 256 losses (dB).
    ``median_model`` is a :mod:`gis.radio._median` model code (``-1``: none, the sample losses
    are a per-ray model's total loss); ``counts`` (int64, ``N_FB``) counts the cells that used a
    median fallback. ``use_zmean``: the median's antenna height is above the mean ground along the
    path (``RadioParams.effective_height = "profile_mean"``), at least 1 m.
    """
    mc = np.empty(M.MC_SIZE)
    if median_model >= 0:
        M.median_consts(median_model, f_mhz, h_tx, rx_h, env, large_city, nlos, bld_h,
                        street_w, d_min, mc)
    for i in range(n_rows):
        _common_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, loss, carrier, pidx, mc,
                    median_model, f_mhz, h_tx, z_antenna, zmean, use_zmean, rx_h, env,
                    large_city, nlos, bld_h, street_w, d_min, fixed_db, landcover, lut, use_lc,
                    radius_m, out, counts)


@njit(cache=True, nogil=True)
def cell_flag_counts(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                     px_w_m: float, px_h_m: float, pidx, codes, flags, radius_m: float,
                     out_code_counts, out_flag_counts) -> None:
    """Per cell within ``radius_m`` (:func:`cell_rows` order, as :func:`cell_common_loss`
    visits them): ``out_code_counts[codes[p]] += 1`` and ``out_flag_counts[b] += 1`` for every
    bit ``b`` set in ``flags[p]``, ``p = pidx[k]`` the cell's polar sample. A per-ray model's
    per-sample outcome counted per cell (ITM's propagation mode and warning flags)."""
    n_codes = out_code_counts.shape[0]
    n_bits = out_flag_counts.shape[0]
    for i in range(n_rows):
        dy = (row0 - (sr0 + i)) * px_h_m
        c_lo, c_hi = _row_span(lo[i], hi[i], dy, col0, px_w_m, radius_m)
        k = start[i] + (c_lo - lo[i])
        for _ in range(c_lo, c_hi + 1):
            p = pidx[k]
            code = codes[p]
            if 0 <= code < n_codes:
                out_code_counts[code] += 1
            f = flags[p]
            b = 0
            while f != 0 and b < n_bits:
                if f & 1:
                    out_flag_counts[b] += 1
                f >>= 1
                b += 1
            k += 1


@njit(cache=True, nogil=True)
def pattern_gain_db(az_deg: float, elev_deg: float, azimuth_deg: float, beamwidth_deg: float,
                    tilt_deg: float, vbeamwidth_deg: float, front_to_back_db: float,
                    sla_v_db: float) -> float:
    """TR 36.814 / 38.901 pattern relative to the maximum, dB: ``-min(-(A_H + A_V), A_m)``.

    ``A_H = -min(12 (phi/phi3dB)^2, A_m)``, 0 for omni (azimuth NaN or beamwidth >= 360);
    ``A_V = -min(12 ((depression - tilt)/theta3dB)^2, SLA_V)``, 0 when ``vbeamwidth_deg`` is NaN
    (no vertical pattern). The formulas of :func:`gis.radio.antenna.sector_gain_db` (a test
    checks).
    """
    h_omni, az_mod, bw2, v_none, vbw2 = _pattern_consts(azimuth_deg, beamwidth_deg,
                                                        vbeamwidth_deg)
    return _pattern_gain(az_deg, elev_deg, h_omni, az_mod, bw2, tilt_deg, v_none, vbw2,
                         front_to_back_db, sla_v_db)


@njit(cache=True, nogil=True, inline='always')
def _pattern_consts(azimuth_deg: float, beamwidth_deg: float,
                    vbeamwidth_deg: float) -> tuple[bool, float, float, bool, float]:
    """The per-transmitter part of :func:`pattern_gain_db`, computed once per transmitter
    instead of per cell (the same numbers): omni in azimuth, the azimuth modulo 360 degrees,
    the squared beamwidths (degrees^2), no vertical pattern."""
    h_omni = math.isnan(azimuth_deg) or beamwidth_deg >= 360.0
    az_mod = 0.0 if h_omni else azimuth_deg % 360.0
    return (h_omni, az_mod, beamwidth_deg * beamwidth_deg, math.isnan(vbeamwidth_deg),
            vbeamwidth_deg * vbeamwidth_deg)


@njit(cache=True, nogil=True, inline='always')
def _pattern_gain(az_deg: float, elev_deg: float, h_omni: bool, az_mod: float, bw2: float,
                  tilt_deg: float, v_none: bool, vbw2: float, front_to_back_db: float,
                  sla_v_db: float) -> float:
    """:func:`pattern_gain_db` from :func:`_pattern_consts` (the cell's part)."""
    if h_omni:
        a_h = 0.0
    else:
        phi = az_deg - az_mod  # both in [0, 360): wrap to [-180, 180)
        if phi >= 180.0:
            phi -= 360.0
        elif phi < -180.0:
            phi += 360.0
        a_h = -min(12.0 * phi * phi / bw2, front_to_back_db)
    if v_none:
        a_v = 0.0
    else:
        off = -elev_deg - tilt_deg
        a_v = -min(12.0 * off * off / vbw2, sla_v_db)
    return -min(-(a_h + a_v), front_to_back_db)


@njit(cache=True, nogil=True)
def _apply_row(i: int, sr0: int, lo, hi, start, col0: float, row0: float, px_w_m: float,
               px_h_m: float, win_r0: int, win_c0: int, az, elev, want_angles: bool, common,
               base_dbm: float, azimuth_deg: float, beamwidth_deg: float, tilt_deg: float,
               vbeamwidth_deg: float, front_to_back_db: float, sla_v_db: float,
               radius_m: float, tx_index: int, best, server, psum, want_psum: bool) -> None:
    r = sr0 + i
    dy = (row0 - r) * px_h_m
    rr = r - win_r0
    c_lo, c_hi = _row_span(lo[i], hi[i], dy, col0, px_w_m, radius_m)
    k = start[i] + (c_lo - lo[i])
    flat = not want_angles
    h_omni, az_mod, bw2, v_none, vbw2 = _pattern_consts(azimuth_deg, beamwidth_deg,
                                                        vbeamwidth_deg)
    for c in range(c_lo, c_hi + 1):
        if flat:
            gain = 0.0
        else:
            gain = _pattern_gain(az[k], elev[k], h_omni, az_mod, bw2, tilt_deg, v_none, vbw2,
                                 front_to_back_db, sla_v_db)
        sig = np.float32(base_dbm + gain - common[k])
        cc = c - win_c0
        if sig != sig:  # a loss the model could not compute (ITM): no signal here
            k += 1
            continue
        if not sig <= best[rr, cc]:
            best[rr, cc] = sig
            server[rr, cc] = tx_index
        if want_psum:
            psum[rr, cc] += np.float32(math.exp(sig * 0.23025850929940458))
        k += 1


@njit(cache=True, nogil=True)
def apply_transmitter(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                      px_w_m: float, px_h_m: float, win_r0: int, win_c0: int, az, elev,
                      want_angles: bool, common, base_dbm: float, azimuth_deg: float,
                      beamwidth_deg: float, tilt_deg: float, vbeamwidth_deg: float,
                      front_to_back_db: float, sla_v_db: float, radius_m: float, tx_index: int,
                      best, server, psum, want_psum: bool) -> None:
    """Signal of one transmitter on its cells, kept where it beats the current best server.

    ``signal = base_dbm + A(phi, theta) - common`` (:func:`pattern_gain_db`; 0 dB everywhere when
    ``want_angles`` is False, an omni antenna without vertical pattern). ``best`` (float32 dBm)
    and ``server`` (int32) are updated in place, on the output window whose origin is DEM pixel
    (``win_r0``, ``win_c0``); with ``want_psum`` the received power (mW) is added to ``psum``.
    """
    for i in range(n_rows):
        _apply_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, win_r0, win_c0, az, elev,
                   want_angles, common, base_dbm, azimuth_deg, beamwidth_deg, tilt_deg,
                   vbeamwidth_deg, front_to_back_db, sla_v_db, radius_m, tx_index, best,
                   server, psum, want_psum)


@njit(cache=True, nogil=True, parallel=True)
def cell_layout_parallel(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                         px_w_m: float, px_h_m: float, step: float, n_rays: int, n_steps: int,
                         dem, antenna_z: float, rx_height_m: float, want_angles: bool, need,
                         out_pidx, out_az, out_elev) -> None:
    """:func:`cell_layout` with the rows in parallel threads."""
    for i in prange(n_rows):
        _layout_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, step, n_rays, n_steps,
                    dem, antenna_z, rx_height_m, want_angles, need, out_pidx, out_az, out_elev)


@njit(cache=True, nogil=True, parallel=True)
def cell_common_loss_parallel(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                              px_w_m: float, px_h_m: float, loss, carrier: int, pidx,
                              median_model: int, f_mhz: float, h_tx: float, z_antenna: float,
                              zmean, use_zmean: bool, rx_h: float, env: int, large_city: bool,
                              nlos: bool, bld_h: float, street_w: float, d_min: float,
                              fixed_db: float, landcover, lut, use_lc: bool, radius_m: float,
                              out, counts) -> None:
    """:func:`cell_common_loss` with the rows in parallel threads (per-row counters summed)."""
    per_row = np.zeros((n_rows, counts.shape[0]), np.int64)
    mc = np.empty(M.MC_SIZE)
    if median_model >= 0:
        M.median_consts(median_model, f_mhz, h_tx, rx_h, env, large_city, nlos, bld_h,
                        street_w, d_min, mc)
    for i in prange(n_rows):
        _common_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, loss, carrier, pidx, mc,
                    median_model, f_mhz, h_tx, z_antenna, zmean, use_zmean, rx_h, env,
                    large_city, nlos, bld_h, street_w, d_min, fixed_db, landcover, lut, use_lc,
                    radius_m, out, per_row[i])
    for i in range(n_rows):
        for j in range(counts.shape[0]):
            counts[j] += per_row[i, j]


@njit(cache=True, nogil=True, parallel=True)
def apply_transmitter_parallel(sr0: int, n_rows: int, lo, hi, start, col0: float, row0: float,
                               px_w_m: float, px_h_m: float, win_r0: int, win_c0: int, az, elev,
                               want_angles: bool, common, base_dbm: float, azimuth_deg: float,
                               beamwidth_deg: float, tilt_deg: float, vbeamwidth_deg: float,
                               front_to_back_db: float, sla_v_db: float, radius_m: float,
                               tx_index: int, best, server, psum, want_psum: bool) -> None:
    """:func:`apply_transmitter` with the rows in parallel threads (each row owns its cells)."""
    for i in prange(n_rows):
        _apply_row(i, sr0, lo, hi, start, col0, row0, px_w_m, px_h_m, win_r0, win_c0, az, elev,
                   want_angles, common, base_dbm, azimuth_deg, beamwidth_deg, tilt_deg,
                   vbeamwidth_deg, front_to_back_db, sla_v_db, radius_m, tx_index, best,
                   server, psum, want_psum)
