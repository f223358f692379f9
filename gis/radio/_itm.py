"""Numba kernels of the ITS Irregular Terrain Model (Longley-Rice), point-to-point mode.

This is our own implementation of ITM version 1.2.2 as NTIA publishes it (C++ reference
github.com/NTIA/itm, v1.4, "functionally identical to version 1.2.2 of the FORTRAN source"),
written from its source files ``itm_p2p.cpp``, ``ValidateInputs.cpp``,
``InitializePointToPoint.cpp``, ``QuickPfl.cpp``, ``FindHorizons.cpp``, ``ComputeDeltaH.cpp``,
``LinearLeastSquaresFit.cpp``, ``LongleyRice.cpp``, ``DiffractionLoss.cpp``,
``KnifeEdgeDiffraction.cpp``, ``SmoothEarthDiffraction.cpp``, ``FresnelIntegral.cpp``,
``LineOfSightLoss.cpp``, ``TroposcatterLoss.cpp``, ``H0Function.cpp``, ``Variability.cpp`` and
``InverseComplementaryCumulativeDistributionFunction.cpp``. The equation numbers in the comments
are NTIA's: [TN101] Rice et al., NBS Technical Note 101 (1967); [ERL 79-ITS 67] Longley & Rice
(1968); [Algorithm] Hufford, "The ITS Irregular Terrain Model, version 1.2.2, the Algorithm"
(1995); [Vogler 1964] Vogler, "Calculation of groundwave attenuation in the far diffraction
region", Radio Science 68D(7).

Every kernel takes plain arrays and scalars (``@njit(cache=True, nogil=True)``; they also run as
plain Python under ``NUMBA_DISABLE_JIT=1``). ``error_model="numpy"`` gives IEEE semantics (a
division by zero is an infinity, as in the C++ reference) and drops the per-division checks.
The public wrappers, validation with bilingual messages and the documentation of inputs and
outputs live in :mod:`gis.radio.itm`.

Terrain profiles
----------------
NTIA's ``pfl`` array is ``[np, xi, z_0, ..., z_np]``. Here the same profile is passed as the
elevation array ``z`` (``np + 1`` values, m, transmitter at ``z[0]``) and the step ``xi_m``. Sample
``i`` is at ``i * xi_m``; NTIA accumulates ``xi`` in a loop, which differs in the last bit only.

Results array
-------------
:func:`itm_p2p_tls` writes ``out`` (``N_OUT`` float64), indexed by the ``OUT_*`` constants:
basic transmission loss A (dB), warning flags, propagation mode, the horizon angles (rad) and
distances (m), the effective heights (m), N_s (N-units), delta_h (m), A_ref (dB), the free-space
loss (dB) and the path length (km): NTIA's ``IntermediateValues``.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit, prange

from gis.radio import _kernels as K

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

PI = 3.1415926535897932384
A_0_M = 6370e3        # actual earth radius in the Vogler 3-radii method, m
A_9000_M = 9000e3     # 9000 km "effective earth" of the variability distance, m
SQRT2 = math.sqrt(2.0)

MODE_P2P = 0

# propagation modes (NTIA Enums.h)
MODE_NOT_SET = 0
MODE_LINE_OF_SIGHT = 1
MODE_DIFFRACTION = 2
MODE_TROPOSCATTER = 3

# modes of variability
MDVAR_SINGLE_MESSAGE = 0
MDVAR_ACCIDENTAL = 1
MDVAR_MOBILE = 2
MDVAR_BROADCAST = 3

POL_HORIZONTAL = 0
POL_VERTICAL = 1

# return codes (NTIA Errors.h)
SUCCESS = 0
ERROR_TX_TERMINAL_HEIGHT = 1000
ERROR_RX_TERMINAL_HEIGHT = 1001
ERROR_INVALID_RADIO_CLIMATE = 1002
ERROR_INVALID_TIME = 1003
ERROR_INVALID_LOCATION = 1004
ERROR_INVALID_SITUATION = 1005
ERROR_REFRACTIVITY = 1008
ERROR_FREQUENCY = 1009
ERROR_POLARIZATION = 1010
ERROR_EPSILON = 1011
ERROR_SIGMA = 1012
ERROR_GROUND_IMPEDANCE = 1013
ERROR_MDVAR = 1014
ERROR_EFFECTIVE_EARTH = 1016
ERROR_SURFACE_REFRACTIVITY_SMALL = 1021
ERROR_SURFACE_REFRACTIVITY_LARGE = 1022
# this project's codes (not NTIA's): the kernels refuse what NTIA's code would silently turn
# into garbage, and the ray kernel must never index with NaN
ERROR_PROFILE_NOT_FINITE = 1101     # an elevation is NaN or infinite (DEM nodata)
ERROR_PROFILE_STEP = 1102           # the step is not a finite number > 0

# warning flags (NTIA Warnings.h)
WARN_TX_TERMINAL_HEIGHT = 0x0001
WARN_RX_TERMINAL_HEIGHT = 0x0002
WARN_FREQUENCY = 0x0004
WARN_PATH_DISTANCE_TOO_BIG_1 = 0x0008
WARN_PATH_DISTANCE_TOO_BIG_2 = 0x0010
WARN_PATH_DISTANCE_TOO_SMALL_1 = 0x0020
WARN_PATH_DISTANCE_TOO_SMALL_2 = 0x0040
WARN_TX_HORIZON_ANGLE = 0x0080
WARN_RX_HORIZON_ANGLE = 0x0100
WARN_TX_HORIZON_DISTANCE_1 = 0x0200
WARN_RX_HORIZON_DISTANCE_1 = 0x0400
WARN_TX_HORIZON_DISTANCE_2 = 0x0800
WARN_RX_HORIZON_DISTANCE_2 = 0x1000
WARN_EXTREME_VARIABILITIES = 0x2000
WARN_SURFACE_REFRACTIVITY = 0x4000

# layout of the results array of itm_p2p_tls
OUT_A_DB = 0
OUT_WARNINGS = 1
OUT_MODE = 2
OUT_THETA_HZN_TX = 3
OUT_THETA_HZN_RX = 4
OUT_D_HZN_TX_M = 5
OUT_D_HZN_RX_M = 6
OUT_H_E_TX_M = 7
OUT_H_E_RX_M = 8
OUT_N_S = 9
OUT_DELTA_H_M = 10
OUT_A_REF_DB = 11
OUT_A_FS_DB = 12
OUT_D_KM = 13
N_OUT = 14

#: Size of the scratch buffers of :func:`compute_delta_h` (at most 245 resampled points).
DELTA_H_BUFFER = 247

# Variability constants [TN101 Fig. 10.13, TN101v2 eq. III.69-70; Algorithm Table 5.1], by
# climate 1..7 (index 0..6).
_ALL_YEAR = np.array([
    [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
    [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
    [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.e3],
    [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
    [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
])
_BSM1 = np.array([2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51])
_BSM2 = np.array([159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8])
_XSM1 = np.array([762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3])
_XSM2 = np.array([123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3])
_XSM3 = np.array([94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3])
_BSP1 = np.array([2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43])
_BSP2 = np.array([102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19])
_XSP1 = np.array([636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3])
_XSP2 = np.array([134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3])
_XSP3 = np.array([95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3])
_C_D = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_Z_D = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_BFM1 = np.array([1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0])
_BFM2 = np.array([0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0])
_BFM3 = np.array([0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0])
_BFP1 = np.array([1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0])
_BFP2 = np.array([0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0])
_BFP3 = np.array([0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0])

# H0 curves [Algorithm 6.13]
_H0_A = np.array([25.0, 80.0, 177.0, 395.0, 705.0])
_H0_B = np.array([24.0, 45.0, 68.0, 80.0, 105.0])


# ----------------------------------------------------------------------------- small helpers

@njit(**_JIT)
def _fdim(x: float, y: float) -> float:
    """C's fdim: x - y when x > y, else 0."""
    return x - y if x > y else 0.0


@njit(**_JIT)
def iccdf(q: float) -> float:
    """Inverse complementary cumulative normal distribution, Q^-1(q) (Abramowitz & Stegun
    26.2.23, |error| < 4.5e-4), as ITM computes it."""
    c0 = 2.515516
    c1 = 0.802853
    c2 = 0.010328
    d1 = 1.432788
    d2 = 0.189269
    d3 = 0.001308
    x = q
    if q > 0.5:
        x = 1.0 - x
    t_x = math.sqrt(-2.0 * math.log(x))
    zeta_x = ((c2 * t_x + c1) * t_x + c0) / (((d3 * t_x + d2) * t_x + d1) * t_x + 1.0)
    q_q = t_x - zeta_x
    if q > 0.5:
        q_q = -q_q
    return q_q


@njit(**_JIT)
def validate_inputs(h_tx_m: float, h_rx_m: float, climate: int, time_pct: float,
                    location_pct: float, situation_pct: float, n_0: float, f_mhz: float,
                    pol: int, epsilon: float, sigma: float, mdvar: int):
    """NTIA's ValidateInputs: ``(return code, warning flags)``, in NTIA's order of checks."""
    warnings = 0
    if h_tx_m < 1.0 or h_tx_m > 1000.0:
        warnings |= WARN_TX_TERMINAL_HEIGHT
    if h_tx_m < 0.5 or h_tx_m > 3000.0:
        return ERROR_TX_TERMINAL_HEIGHT, warnings
    if h_rx_m < 1.0 or h_rx_m > 1000.0:
        warnings |= WARN_RX_TERMINAL_HEIGHT
    if h_rx_m < 0.5 or h_rx_m > 3000.0:
        return ERROR_RX_TERMINAL_HEIGHT, warnings
    if climate < 1 or climate > 7:
        return ERROR_INVALID_RADIO_CLIMATE, warnings
    if n_0 < 250.0 or n_0 > 400.0:
        return ERROR_REFRACTIVITY, warnings
    if f_mhz < 40.0 or f_mhz > 10000.0:
        warnings |= WARN_FREQUENCY
    if f_mhz < 20.0 or f_mhz > 20000.0:
        return ERROR_FREQUENCY, warnings
    if pol != POL_HORIZONTAL and pol != POL_VERTICAL:
        return ERROR_POLARIZATION, warnings
    if epsilon < 1.0:
        return ERROR_EPSILON, warnings
    if sigma <= 0.0:
        return ERROR_SIGMA, warnings
    if (mdvar < 0 or (3 < mdvar < 10) or (13 < mdvar < 20) or (23 < mdvar < 30)
            or mdvar > 33):
        return ERROR_MDVAR, warnings
    if situation_pct <= 0.0 or situation_pct >= 100.0:
        return ERROR_INVALID_SITUATION, warnings
    if time_pct <= 0.0 or time_pct >= 100.0:
        return ERROR_INVALID_TIME, warnings
    if location_pct <= 0.0 or location_pct >= 100.0:
        return ERROR_INVALID_LOCATION, warnings
    return SUCCESS, warnings


@njit(**_JIT)
def ground_impedance(f_mhz: float, pol: int, epsilon: float, sigma: float) -> complex:
    """Complex ground impedance Z_g (InitializePointToPoint)."""
    ep_r = complex(epsilon, 18000.0 * sigma / f_mhz)
    z_g = cmath.sqrt(ep_r - 1.0)              # horizontal polarization
    if pol == POL_VERTICAL:
        z_g = z_g / ep_r
    return z_g


@njit(**_JIT)
def surface_refractivity(h_sys_m: float, n_0: float):
    """``(N_s, gamma_e)``: N_s = N_0 exp(-h_sys / 9460) [TN101 eq. 4.3] and the curvature of the
    effective earth gamma_e = gamma_a (1 - 0.04665 exp(N_s / 179.3)) [TN101 eq. 4.4], 1/m."""
    gamma_a = 157e-9
    n_s = n_0 if h_sys_m == 0.0 else n_0 * math.exp(-h_sys_m / 9460.0)
    gamma_e = gamma_a * (1.0 - 0.04665 * math.exp(n_s / 179.3))
    return n_s, gamma_e


@njit(**_JIT)
def lsq_fit(z, np_: int, xi: float, d_start: float, d_end: float):
    """Linear least-squares fit of ``z`` between ``d_start`` and ``d_end`` (m), as NTIA's
    LinearLeastSquaresFit: ``(fit at distance 0, fit at the far end)``, m."""
    i_start = int(_fdim(d_start / xi, 0.0))
    i_end = np_ - int(_fdim(float(np_), d_end / xi))
    if i_end <= i_start:
        i_start = int(_fdim(float(i_start), 1.0))
        i_end = np_ - int(_fdim(float(np_), i_end + 1.0))
    x_length = float(i_end - i_start)
    if x_length == 0.0:
        return math.nan, math.nan          # the C++ divides 0 by 0 here
    mid_shifted_index = -0.5 * x_length
    mid_shifted_end = i_end + mid_shifted_index
    sum_y = 0.5 * (z[i_start] + z[i_end])
    scaled_sum_y = 0.5 * (z[i_start] - z[i_end]) * mid_shifted_index
    i = i_start
    for _ in range(2, int(x_length) + 1):
        i += 1
        mid_shifted_index += 1.0
        sum_y += z[i]
        scaled_sum_y += z[i] * mid_shifted_index
    sum_y = sum_y / x_length
    scaled_sum_y = scaled_sum_y * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return (sum_y - scaled_sum_y * mid_shifted_end,
            sum_y + scaled_sum_y * (np_ - mid_shifted_end))


@njit(**_JIT)
def _select(a, lo: int, hi: int, k: int) -> float:
    """The value of rank ``k`` (0-based, ascending) of ``a[lo..hi]``, partitioning in place:
    quickselect with Hoare's partition and a median-of-three pivot. Afterwards
    ``a[lo..k] <= a[k] <= a[k..hi]``."""
    while hi > lo:
        mid = (lo + hi) >> 1
        x = a[lo]
        y = a[mid]
        w = a[hi]
        if x > y:
            x, y = y, x
        if y > w:
            y = w
        if x > y:
            y = x
        pivot = y
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


@njit(**_JIT)
def _delta_h_resample(z, np_: int, xi: float, d_start: float, d_end: float, s_buf):
    """The first half of NTIA's ComputeDeltaH: resample the profile between ``d_start`` and
    ``d_end`` (m) at n = 10 p10 - 5 points (35..245) into ``s_buf`` and fit a line to them (the
    sums of LinearLeastSquaresFit over ``s_buf[:n]``, index step 1, accumulated in the same
    pass). Returns ``(n, p10, fit at 0, fit slope per index)``; n = 0 when the segment spans
    less than two steps (then delta_h = 0)."""
    x_start = d_start / xi
    x_end = d_end / xi
    if x_end - x_start < 2.0:
        return 0, 0, 0.0, 0.0
    p10 = int(0.1 * (x_end - x_start + 8.0))
    p10 = min(max(4, p10), 25)
    n = 10 * p10 - 5
    np_s = float(n - 1)
    x_step = (x_end - x_start) / np_s
    # NTIA walks the position with x += step and steps the index while the fraction is > 0;
    # the same points computed directly (no data-dependent loop), equal to the walk to the
    # rounding of the accumulated position (the interpolation is continuous across indices)
    last = np_ - 1
    sum_y = 0.0
    sum_jy = 0.0
    for j in range(n):
        t = x_start + j * x_step
        i = min(int(t), last)
        v = z[i] + (z[i + 1] - z[i]) * (t - i)
        s_buf[j] = v
        sum_y += v
        sum_jy += j * v
    # LinearLeastSquaresFit(s, 0, n - 1): trapezoid weights, x_length = n - 1, centre L / 2
    x_length = np_s
    half = 0.5 * x_length
    sum_y -= 0.5 * (s_buf[0] + s_buf[n - 1])
    scaled = sum_jy - half * (sum_y + 0.5 * (s_buf[0] + s_buf[n - 1])) \
        - 0.5 * (s_buf[n - 1] * half - s_buf[0] * half)
    sum_y = sum_y / x_length
    scaled = scaled * 12.0 / ((x_length * x_length + 2.0) * x_length)
    fit_y1 = sum_y - scaled * half
    fit_y2 = sum_y + scaled * (x_length - half)
    return n, p10, fit_y1, (fit_y2 - fit_y1) / np_s


@njit(**_JIT)
def _delta_h_from_quantiles(q10: float, q90: float, d_start: float, d_end: float) -> float:
    """delta_h = (q10 - q90) / (1 - 0.8 exp(-(d_end - d_start) / 50 km)) [ERL 79-ITS 67
    eq. 3, inverted], m."""
    return (q10 - q90) / (1.0 - 0.8 * math.exp(-(d_end - d_start) / 50e3))


@njit(**_JIT)
def compute_delta_h(z, np_: int, xi: float, d_start: float, d_end: float, s_buf,
                    diff_buf) -> float:
    """Terrain irregularity delta_h (m) of the profile between ``d_start`` and ``d_end`` (m):
    NTIA's ComputeDeltaH. The profile is resampled at n = 10 p10 - 5 points (35..245), a line
    is fitted, and delta_h_d = q10 - q90 of the residuals becomes
    delta_h = delta_h_d / (1 - 0.8 exp(-(d_end - d_start) / 50 km)) [ERL 79-ITS 67 eq. 3].
    ``s_buf`` and ``diff_buf`` are caller-allocated scratch arrays of
    :data:`DELTA_H_BUFFER` float64."""
    n, p10, fit, slope = _delta_h_resample(z, np_, xi, d_start, d_end, s_buf)
    if n == 0:
        return 0.0
    for j in range(n):
        diff_buf[j] = s_buf[j] - fit
        fit += slope
    # order statistics, independent of the selection algorithm: NTIA's nth_element in
    # descending order gives q10 = the p10-th largest and q90 = diffs[p90] = the p10-th smallest
    q10 = _select(diff_buf, 0, n - 1, n - p10)
    q90 = _select(diff_buf, 0, n - p10 - 1, p10 - 1)   # a[:n - p10] holds the smaller values
    return _delta_h_from_quantiles(q10, q90, d_start, d_end)


@njit(**_JIT)
def delta_h_along(z, np_: int, xi: float, d_start: float, d_end: float, s_buf, diff_buf,
                  cand, state) -> float:
    """:func:`compute_delta_h` for the next sample of a ray, with the quantiles of the
    previous sample as guesses: the residuals of neighbouring paths have nearly the same
    10 % / 90 % quantiles, so a band around each previous value usually holds the new one. The
    residual pass then also counts the values below and inside both bands, a second pass
    gathers the few values inside, and a small select finishes; where a band misses, a
    quickselect over all values. Exact (the bands only filter candidates; ranks are counted
    over all n values), so it returns :func:`compute_delta_h`'s value. ``state`` (float64[4]:
    previous q10, q90, the two band half-widths, m) is carried by the caller, NaN at the start
    of a ray; ``cand`` is scratch of :data:`DELTA_H_BUFFER` float64."""
    n, p10, fit, slope = _delta_h_resample(z, np_, xi, d_start, d_end, s_buf)
    if n == 0:
        return 0.0
    lo10 = state[0] - state[2]
    hi10 = state[0] + state[2]
    lo90 = state[1] - state[3]
    hi90 = state[1] + state[3]
    below10 = 0
    in10 = 0
    below90 = 0
    in90 = 0
    for j in range(n):
        v = s_buf[j] - fit
        diff_buf[j] = v
        fit += slope
        below10 += 1 if v <= lo10 else 0
        in10 += 1 if (v > lo10 and v <= hi10) else 0
        below90 += 1 if v <= lo90 else 0
        in90 += 1 if (v > lo90 and v <= hi90) else 0
    r10 = n - p10          # ascending rank of the p10-th largest
    r90 = p10 - 1          # ascending rank of the p10-th smallest
    ok10 = below10 <= r10 < below10 + in10
    ok90 = below90 <= r90 < below90 + in90
    m10 = 0
    m90 = DELTA_H_BUFFER - 1
    if ok10 or ok90:
        for j in range(n):
            v = diff_buf[j]
            if ok10 and v > lo10 and v <= hi10:
                cand[m10] = v
                m10 += 1
            if ok90 and v > lo90 and v <= hi90:
                cand[m90] = v
                m90 -= 1
    if ok10:
        q10 = _select(cand, 0, m10 - 1, r10 - below10)
        state[2] = max(0.8 * state[2], 1e-4)
    else:
        q10 = _select(diff_buf, 0, n - 1, r10)
        state[2] = 3.0 * state[2]
    if ok90:
        q90 = _select(cand, m90 + 1, DELTA_H_BUFFER - 1, m90 + 1 + r90 - below90)
        state[3] = max(0.8 * state[3], 1e-4)
    else:
        q90 = _select(diff_buf, 0, n - 1, r90)
        state[3] = 3.0 * state[3]
    state[0] = q10
    state[1] = q90
    return _delta_h_from_quantiles(q10, q90, d_start, d_end)


@njit(**_JIT)
def find_horizons(z, np_: int, xi: float, a_e: float, h_tx: float, h_rx: float):
    """Horizon angles (rad) and distances (m) of both terminals: NTIA's FindHorizons
    [TN101 eq. 6.15]. Returns ``(theta_tx, theta_rx, d_hzn_tx, d_hzn_rx)``."""
    d = np_ * xi
    z_tx = z[0] + h_tx
    z_rx = z[np_] + h_rx
    theta_0 = (z_rx - z_tx) / d - d / (2.0 * a_e)
    theta_1 = -(z_rx - z_tx) / d - d / (2.0 * a_e)
    d_0 = d
    d_1 = d
    for i in range(1, np_):
        d_tx = i * xi
        d_rx = d - d_tx
        theta_tx = (z[i] - z_tx) / d_tx - d_tx / (2.0 * a_e)
        theta_rx = -(z_rx - z[i]) / d_rx - d_rx / (2.0 * a_e)
        if theta_tx > theta_0:
            theta_0 = theta_tx
            d_0 = d_tx
        if theta_rx > theta_1:
            theta_1 = theta_rx
            d_1 = d_rx
    return theta_0, theta_1, d_0, d_1


# ----------------------------------------------------------------------------- loss terms

@njit(**_JIT)
def _terrain_roughness(d_m: float, delta_h_m: float) -> float:
    """delta_h(d) = delta_h (1 - 0.8 exp(-d / 50 km)) [ERL 79-ITS 67 eq. 3], m."""
    return delta_h_m * (1.0 - 0.8 * math.exp(-d_m / 50e3))


@njit(**_JIT)
def _sigma_h(delta_h_m: float) -> float:
    """RMS terrain deviation in the first Fresnel zone [ERL 79-ITS 67 eq. 3.6a], m."""
    return 0.78 * delta_h_m * math.exp(-0.5 * math.sqrt(math.sqrt(delta_h_m)))


@njit(**_JIT)
def _fresnel_integral(v2: float) -> float:
    """Knife-edge loss A(v, 0) from v^2 [TN101v2 eq. III.24b-c], dB."""
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(v2) - 1.27 * v2
    return 12.953 + 10.0 * math.log10(v2)


@njit(**_JIT)
def _knife_edge(d: float, f_mhz: float, a_e: float, theta_los: float, d_hzn0: float,
                d_hzn1: float) -> float:
    """Double knife-edge diffraction loss [TN101 eq. I.1, I.7], dB."""
    d_ml = d_hzn0 + d_hzn1
    theta_nlos = d / a_e - theta_los
    d_nlos = d - d_ml
    t = 0.0795775 * (f_mhz / 47.7) * theta_nlos * theta_nlos
    v_1 = t * d_hzn0 * d_nlos / (d_nlos + d_hzn0)
    v_2 = t * d_hzn1 * d_nlos / (d_nlos + d_hzn1)
    return _fresnel_integral(v_1) + _fresnel_integral(v_2)


@njit(**_JIT)
def _height_function(x_km: float, k: float) -> float:
    """Height-gain function F(x, K) of the smooth-earth diffraction, dB."""
    if x_km < 200.0:
        w = -math.log(k)
        if k < 1e-5 or x_km * w * w * w > 5495.0:
            result = -117.0
            if x_km > 1.0:
                result = 17.372 * math.log(x_km) + result
        else:
            result = 2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
    else:
        result = 0.05751 * x_km - 4.343 * math.log(x_km)
        if x_km < 2000.0:
            w = 0.0134 * x_km * math.exp(-0.005 * x_km)
            result = (1.0 - w) * result + w * (17.372 * math.log(x_km) - 117.0)
    return result


@njit(**_JIT)
def _smooth_earth_terminals(f_mhz: float, d_hzn0: float, d_hzn1: float, h_e0: float,
                            h_e1: float, abs_z_g: float):
    """The terminal terms of Vogler's 3-radii method, which do not depend on the distance:
    ``(x1, x2, F(x1, K1), F(x2, K2), f^1/3, f^-1/3)`` [Vogler 1964 eq. 2, 6a/7a]."""
    a1 = 0.5 * d_hzn0 * d_hzn0 / h_e0     # radius of the effective earth at terminal 1, m
    a2 = 0.5 * d_hzn1 * d_hzn1 / h_e1
    dk1 = d_hzn0 / 1000.0
    dk2 = d_hzn1 / 1000.0
    f_third = np.cbrt(f_mhz)
    f_mthird = 1.0 / f_third
    c1 = np.cbrt((4.0 / 3.0) * A_0_M / a1)
    c2 = np.cbrt((4.0 / 3.0) * A_0_M / a2)
    k1 = 0.017778 * c1 * f_mthird / abs_z_g
    k2 = 0.017778 * c2 * f_mthird / abs_z_g
    x1 = (1.607 - k1) * c1 * c1 * f_third * dk1
    x2 = (1.607 - k2) * c2 * c2 * f_third * dk2
    return x1, x2, _height_function(x1, k1), _height_function(x2, k2), f_third, f_mthird


@njit(**_JIT)
def _smooth_earth(d: float, a_e: float, theta_los: float, d_ml: float, abs_z_g: float,
                  x1: float, x2: float, f_1: float, f_2: float, f_third: float,
                  f_mthird: float) -> float:
    """Smooth-earth diffraction loss at distance ``d`` (m) by Vogler's 3-radii method
    [Vogler 1964; Algorithm 4.20], dB, with the terminal terms of
    :func:`_smooth_earth_terminals`."""
    theta_nlos = d / a_e - theta_los
    a0 = (d - d_ml) / (d / a_e - theta_los)
    dk0 = (a0 * theta_nlos) / 1000.0
    c0 = np.cbrt((4.0 / 3.0) * A_0_M / a0)
    k0 = 0.017778 * c0 * f_mthird / abs_z_g
    x0 = (1.607 - k0) * c0 * c0 * f_third * dk0 + x1 + x2
    g_x = 0.05751 * x0 - 10.0 * math.log10(x0)
    return g_x - f_1 - f_2 - 20.0


@njit(**_JIT)
def _diffraction_line(d_3: float, d_4: float, d_hzn0: float, d_hzn1: float, h_e0: float,
                      h_e1: float, abs_z_g: float, a_e: float, delta_h: float, h0: float,
                      h1: float, mode: int, theta_los: float, d_sml: float, f_mhz: float):
    """NTIA's DiffractionLoss at the two distances ``d_3`` and ``d_4`` (m) of the diffraction
    line, dB: weighted knife-edge and smooth-earth terms plus the clutter factor
    [ERL 79-ITS 67 eq. 3.23, 3.38c]. The terms that do not depend on the distance are computed
    once for both."""
    d_ml = d_hzn0 + d_hzn1
    x1, x2, f_1, f_2, f_third, f_mthird = _smooth_earth_terminals(f_mhz, d_hzn0, d_hzn1, h_e0,
                                                                  h_e1, abs_z_g)
    sigma_h_d = _sigma_h(_terrain_roughness(d_sml, delta_h))
    a_fo = min(15.0, 5.0 * math.log10(1.0 + 1e-5 * h0 * h1 * f_mhz * sigma_h_d))
    q = h0 * h1
    qk = h_e0 * h_e1 - q
    if mode == MODE_P2P:
        q += 10.0
    term1 = math.sqrt(1.0 + qk / q)
    a_3 = 0.0
    a_4 = 0.0
    for which in range(2):
        d = d_3 if which == 0 else d_4
        a_k = _knife_edge(d, f_mhz, a_e, theta_los, d_hzn0, d_hzn1)
        a_se = _smooth_earth(d, a_e, theta_los, d_ml, abs_z_g, x1, x2, f_1, f_2, f_third,
                             f_mthird)
        delta_h_d = _terrain_roughness(d, delta_h)
        qd = (term1 + (-theta_los * a_e + d_ml) / d) * min(delta_h_d * f_mhz / 47.7, 6283.2)
        w = 25.1 / (25.1 + math.sqrt(qd))
        a_d = w * a_se + (1.0 - w) * a_k + a_fo
        if which == 0:
            a_3 = a_d
        else:
            a_4 = a_d
    return a_3, a_4


@njit(**_JIT)
def _line_of_sight_loss(d: float, h_e0: float, h_e1: float, z_g: complex, delta_h: float,
                        m_d: float, a_d0: float, d_sml: float, f_mhz: float) -> float:
    """Line-of-sight loss: two-ray with a rough-earth reflection, blended with the extended
    diffraction line [Algorithm eq. 4.46-4.50], dB."""
    sigma_h_d = _sigma_h(_terrain_roughness(d, delta_h))
    wn = f_mhz / 47.7
    hh = h_e0 + h_e1
    sin_psi = hh / math.sqrt(d * d + hh * hh)
    r_e = (sin_psi - z_g) / (sin_psi + z_g) * math.exp(-min(10.0, wn * sigma_h_d * sin_psi))
    q = r_e.real * r_e.real + r_e.imag * r_e.imag
    if q < 0.25 or q < sin_psi:
        r_e = r_e * math.sqrt(sin_psi / q)
    delta_phi = wn * 2.0 * h_e0 * h_e1 / d
    if delta_phi > PI / 2.0:
        delta_phi = PI - (PI / 2.0) * (PI / 2.0) / delta_phi
    rr = complex(math.cos(delta_phi), -math.sin(delta_phi)) + r_e
    a_t = -10.0 * math.log10(rr.real * rr.real + rr.imag * rr.imag)
    a_d = m_d * d + a_d0
    w = 1.0 / (1.0 + f_mhz * delta_h / max(10e3, d_sml))
    return w * a_t + (1.0 - w) * a_d


@njit(**_JIT)
def _h0_curve(j: int, r: float) -> float:
    """H0 curve j [Algorithm 6.13], dB."""
    ir = 1.0 / r
    ir2 = ir * ir
    return 10.0 * math.log10(1.0 + _H0_A[j] * ir2 * ir2 + _H0_B[j] * ir2)


@njit(**_JIT)
def _h0_function(r: float, eta_s: float) -> float:
    """Frequency gain function H0(r, eta_s), interpolated between the curves, dB."""
    eta_s = min(max(eta_s, 1.0), 5.0)
    i = int(eta_s)
    q = eta_s - i
    result = _h0_curve(i - 1, r)
    if q != 0.0:
        result = (1.0 - q) * result + q * _h0_curve(i, r)
    return result


@njit(**_JIT)
def _f_function(td: float) -> float:
    """Attenuation function F(theta d) [Algorithm 6.9], dB."""
    if td <= 10e3:
        return 133.4 + 0.332e-3 * td + -10.0 * math.log10(td)
    if td <= 70e3:
        return 104.6 + 0.212e-3 * td + -2.5 * math.log10(td)
    return 71.8 + 0.157e-3 * td + 5.0 * math.log10(td)


@njit(**_JIT)
def _troposcatter_loss(d: float, theta_hzn0: float, theta_hzn1: float, d_hzn0: float,
                       d_hzn1: float, h_e0: float, h_e1: float, a_e: float, n_s: float,
                       f_mhz: float, theta_los: float, h0_state: float):
    """Troposcatter loss [Algorithm 4.63-4.67; TN101 eq. 9.3-9.5]: ``(loss dB, new h0 state)``.
    The h0 state carries H_0 from the first call to the second, as NTIA's ``*h0`` does."""
    wn = f_mhz / 47.7
    if h0_state > 15.0:
        h_0 = h0_state
    else:
        ad = d_hzn0 - d_hzn1
        rr = h_e1 / h_e0
        if ad < 0.0:
            ad = -ad
            rr = 1.0 / rr
        theta = theta_hzn0 + theta_hzn1 + d / a_e
        r_1 = 2.0 * wn * theta * h_e0
        r_2 = 2.0 * wn * theta * h_e1
        if r_1 < 0.2 and r_2 < 0.2:
            return 1001.0, h0_state
        s = (d - ad) / (d + ad)
        q = min(max(0.1, rr / s), 10.0)
        s = max(0.1, s)
        h_0_m = (d - ad) * (d + ad) * theta * 0.25 / d
        z_0 = 1.7556e3
        z_1 = 8.0e3
        eta_s = (h_0_m / z_0) * (1.0 + (0.031 - n_s * 2.32e-3 + n_s * n_s * 5.67e-6)
                                 * math.exp(-min(1.7, h_0_m / z_1) ** 6))
        h_00 = (_h0_function(r_1, eta_s) + _h0_function(r_2, eta_s)) / 2.0
        delta_h_0 = min(h_00, 6.0 * (0.6 - math.log10(max(eta_s, 1.0))) * math.log10(s)
                        * math.log10(q))
        h_0 = h_00 + delta_h_0
        h_0 = max(h_0, 0.0)
        if eta_s < 1.0:
            t = (1.0 + SQRT2 / r_1) * (1.0 + SQRT2 / r_2)
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10.0 * math.log10(
                t * t * (r_1 + r_2) / (r_1 + r_2 + 2.0 * SQRT2))
        if h_0 > 15.0 and h0_state >= 0.0:
            h_0 = h0_state
    th = d / a_e - theta_los
    return (_f_function(th * d) + 10.0 * math.log10(wn * 47.7 * th ** 4)
            - 0.1 * (n_s - 301.0) * math.exp(-th * d / 40e3) + h_0), h_0


@njit(**_JIT)
def longley_rice(theta_hzn0: float, theta_hzn1: float, f_mhz: float, z_g: complex,
                 d_hzn0: float, d_hzn1: float, h_e0: float, h_e1: float, gamma_e: float,
                 n_s: float, delta_h: float, h0: float, h1: float, d: float, mode: int):
    """Reference attenuation A_ref (dB) relative to free space: NTIA's LongleyRice.

    Returns ``(return code, A_ref dB, warning flags, propagation mode)``.
    """
    warnings = 0
    a_e = 1.0 / gamma_e
    d_hzn_s0 = math.sqrt(2.0 * h_e0 * a_e)
    d_hzn_s1 = math.sqrt(2.0 * h_e1 * a_e)
    d_sml = d_hzn_s0 + d_hzn_s1
    d_ml = d_hzn0 + d_hzn1
    theta_los = -max(theta_hzn0 + theta_hzn1, -d_ml / a_e)
    if abs(theta_hzn0) > 200e-3:
        warnings |= WARN_TX_HORIZON_ANGLE
    if abs(theta_hzn1) > 200e-3:
        warnings |= WARN_RX_HORIZON_ANGLE
    if d_hzn0 < 0.1 * d_hzn_s0:
        warnings |= WARN_TX_HORIZON_DISTANCE_1
    if d_hzn1 < 0.1 * d_hzn_s1:
        warnings |= WARN_RX_HORIZON_DISTANCE_1
    if d_hzn0 > 3.0 * d_hzn_s0:
        warnings |= WARN_TX_HORIZON_DISTANCE_2
    if d_hzn1 > 3.0 * d_hzn_s1:
        warnings |= WARN_RX_HORIZON_DISTANCE_2
    if n_s < 150.0:
        return ERROR_SURFACE_REFRACTIVITY_SMALL, math.nan, warnings, MODE_NOT_SET
    if n_s > 400.0:
        return ERROR_SURFACE_REFRACTIVITY_LARGE, math.nan, warnings, MODE_NOT_SET
    if n_s < 250.0:
        warnings |= WARN_SURFACE_REFRACTIVITY
    if a_e < 4000000.0 or a_e > 13333333.0:
        return ERROR_EFFECTIVE_EARTH, math.nan, warnings, MODE_NOT_SET
    if z_g.real <= abs(z_g.imag):
        return ERROR_GROUND_IMPEDANCE, math.nan, warnings, MODE_NOT_SET
    abs_z_g = abs(z_g)

    scale = np.cbrt(a_e * a_e / f_mhz)
    d_3 = max(d_sml, d_ml + 5.0 * scale)
    d_4 = d_3 + 10.0 * scale
    a_3, a_4 = _diffraction_line(d_3, d_4, d_hzn0, d_hzn1, h_e0, h_e1, abs_z_g, a_e, delta_h,
                                 h0, h1, mode, theta_los, d_sml, f_mhz)
    m_d = (a_4 - a_3) / (d_4 - d_3)
    a_d0 = a_3 - m_d * d_3

    d_min = abs(h_e0 - h_e1) / 200e-3
    if d < d_min:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_1
    if d < 1e3:
        warnings |= WARN_PATH_DISTANCE_TOO_SMALL_2
    if d > 1000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_1
    if d > 2000e3:
        warnings |= WARN_PATH_DISTANCE_TOO_BIG_2

    if d < d_sml:
        a_sml = d_sml * m_d + a_d0
        d_0 = 0.04 * f_mhz * h_e0 * h_e1          # [ERL 79-ITS 67 eq. 3.16a]
        if a_d0 >= 0.0:
            d_0 = min(d_0, 0.5 * d_ml)
            d_1 = d_0 + 0.25 * (d_ml - d_0)       # [ERL 79-ITS 67 eq. 3.16d]
        else:
            d_1 = max(-a_d0 / m_d, 0.25 * d_ml)
        a_1 = _line_of_sight_loss(d_1, h_e0, h_e1, z_g, delta_h, m_d, a_d0, d_sml, f_mhz)
        flag = False
        k_hat_1 = 0.0
        k_hat_2 = 0.0
        if d_0 < d_1:
            a_0 = _line_of_sight_loss(d_0, h_e0, h_e1, z_g, delta_h, m_d, a_d0, d_sml, f_mhz)
            q = math.log(d_sml / d_0)
            k_hat_2 = max(0.0, ((d_sml - d_0) * (a_1 - a_0) - (d_1 - d_0) * (a_sml - a_0))
                          / ((d_sml - d_0) * math.log(d_1 / d_0) - (d_1 - d_0) * q))  # eq. 3.20
            flag = a_d0 > 0.0 or k_hat_2 > 0.0
            if flag:
                k_hat_1 = (a_sml - a_0 - k_hat_2 * q) / (d_sml - d_0)        # eq. 3.21
                if k_hat_1 < 0.0:
                    k_hat_1 = 0.0
                    k_hat_2 = _fdim(a_sml, a_0) / q
                    if k_hat_2 == 0.0:
                        k_hat_1 = m_d
        if not flag:
            k_hat_1 = _fdim(a_sml, a_1) / (d_sml - d_1)
            k_hat_2 = 0.0
            if k_hat_1 == 0.0:
                k_hat_1 = m_d
        a_o = a_sml - k_hat_1 * d_sml - k_hat_2 * math.log(d_sml)
        a_ref = a_o + k_hat_1 * d + k_hat_2 * math.log(d)                   # eq. 3.19
        propmode = MODE_LINE_OF_SIGHT
    else:
        d_5 = d_ml + 200e3
        d_6 = d_ml + 400e3
        h0_state = -1.0
        a_6, h0_state = _troposcatter_loss(d_6, theta_hzn0, theta_hzn1, d_hzn0, d_hzn1, h_e0,
                                           h_e1, a_e, n_s, f_mhz, theta_los, h0_state)
        a_5, h0_state = _troposcatter_loss(d_5, theta_hzn0, theta_hzn1, d_hzn0, d_hzn1, h_e0,
                                           h_e1, a_e, n_s, f_mhz, theta_los, h0_state)
        if a_5 < 1000.0:
            m_s = (a_6 - a_5) / 200e3
            d_x = max(max(d_sml, d_ml + 1.088 * scale * math.log(f_mhz)),
                      (a_5 - a_d0 - m_s * d_5) / (m_d - m_s))
            a_s0 = (m_d - m_s) * d_x + a_d0
        else:
            m_s = m_d
            a_s0 = a_d0
            d_x = 10e6
        if d > d_x:
            a_ref = m_s * d + a_s0
            propmode = MODE_TROPOSCATTER
        else:
            a_ref = m_d * d + a_d0
            propmode = MODE_DIFFRACTION
    a_ref = max(a_ref, 0.0)
    return SUCCESS, a_ref, warnings, propmode


@njit(**_JIT)
def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, d_e: float) -> float:
    """ITM's climate curve of the variability [TN101v2 eq. III.69-70]."""
    r = d_e / x1
    r2 = r * r
    t = (d_e - x2) / x3
    return (c1 + c2 / (1.0 + t * t)) * r2 / (1.0 + r2)


@njit(**_JIT)
def variability(z_t: float, z_l: float, z_s: float, h_e0: float, h_e1: float,
                delta_h: float, f_mhz: float, d: float, a_ref: float, climate: int,
                mdvar: int):
    """Variability [Algorithm section 5]: ``(attenuation dB, warning flags)`` for the standard
    normal deviates ``z_t, z_l, z_s`` of the time, location and situation percentages."""
    warnings = 0
    c = climate - 1
    wn = f_mhz / 47.7
    d_ex = (math.sqrt(2.0 * A_9000_M * h_e0) + math.sqrt(2.0 * A_9000_M * h_e1)
            + np.cbrt(575.7e12 / wn))                                      # eq. 5.3
    d_e = 130e3 * d / d_ex if d < d_ex else 130e3 + d - d_ex
    md = mdvar
    plus20 = md >= 20
    if plus20:
        md -= 20
    sigma_s = 0.0 if plus20 else 5.0 + 3.0 * math.exp(-d_e / 100e3)         # eq. 5.10
    plus10 = md >= 10
    if plus10:
        md -= 10
    v_med = _curve(_ALL_YEAR[0, c], _ALL_YEAR[1, c], _ALL_YEAR[2, c], _ALL_YEAR[3, c],
                   _ALL_YEAR[4, c], d_e)
    if md == MDVAR_SINGLE_MESSAGE:
        z_t = z_s
        z_l = z_s
    elif md == MDVAR_ACCIDENTAL:
        z_l = z_s
    elif md == MDVAR_MOBILE:
        z_l = z_t
    if abs(z_t) > 3.10 or abs(z_l) > 3.10 or abs(z_s) > 3.10:
        warnings |= WARN_EXTREME_VARIABILITIES
    if plus10:
        sigma_l = 0.0
    else:
        delta_h_d = _terrain_roughness(d, delta_h)
        sigma_l = 10.0 * wn * delta_h_d / (wn * delta_h_d + 13.0)         # eq. 5.9
    y_l = sigma_l * z_l
    q = math.log(0.133 * wn)
    gm = _BFM3[c] * q
    gp = _BFP3[c] * q
    g_minus = _BFM1[c] + _BFM2[c] / (gm * gm + 1.0)
    g_plus = _BFP1[c] + _BFP2[c] / (gp * gp + 1.0)
    sigma_t_minus = _curve(_BSM1[c], _BSM2[c], _XSM1[c], _XSM2[c], _XSM3[c], d_e) * g_minus
    sigma_t_plus = _curve(_BSP1[c], _BSP2[c], _XSP1[c], _XSP2[c], _XSP3[c], d_e) * g_plus
    sigma_td = _C_D[c] * sigma_t_plus
    tgtd = (sigma_t_plus - sigma_td) * _Z_D[c]
    if z_t < 0.0:
        sigma_t = sigma_t_minus
    elif z_t <= _Z_D[c]:
        sigma_t = sigma_t_plus
    else:
        sigma_t = sigma_td + tgtd / z_t
    y_t = sigma_t * z_t
    y_s_temp = (sigma_s * sigma_s + y_t * y_t / (7.8 + z_s * z_s)
                + y_l * y_l / (24.0 + z_s * z_s))                           # eq. 5.11
    if md == MDVAR_SINGLE_MESSAGE:
        y_r = 0.0
        y_s = math.sqrt(sigma_t * sigma_t + sigma_l * sigma_l + y_s_temp) * z_s
    elif md == MDVAR_ACCIDENTAL:
        y_r = y_t
        y_s = math.sqrt(sigma_l * sigma_l + y_s_temp) * z_s
    elif md == MDVAR_MOBILE:
        y_r = math.sqrt(sigma_t * sigma_t + sigma_l * sigma_l) * z_t
        y_s = math.sqrt(y_s_temp) * z_s
    else:
        y_r = y_t + y_l
        y_s = math.sqrt(y_s_temp) * z_s
    result = a_ref - v_med - y_r - y_s
    if result < 0.0:
        result = result * (29.0 - result) / (29.0 - 10.0 * result)
    return result, warnings


@njit(**_JIT)
def _effective_heights(z, np_: int, xi: float, a_e: float, h_tx: float, h_rx: float,
                       theta_0: float, theta_1: float, d_0: float, d_1: float, delta_h: float,
                       fit_los_tx: float, fit_los_rx: float, fit_tx: float, fit_rx: float):
    """The end of NTIA's QuickPfl once the fits are known: ``(h_e0, h_e1, theta_0, theta_1,
    d_hzn0, d_hzn1)``. ``fit_los_*`` are the fits over [d_start, d_end] (line-of-sight branch),
    ``fit_tx``/``fit_rx`` those over the transmitter / receiver horizon segments."""
    d = np_ * xi
    if d_0 + d_1 > 1.5 * d:
        h_e0 = h_tx + _fdim(z[0], fit_los_tx)
        h_e1 = h_rx + _fdim(z[np_], fit_los_rx)
        d_0 = math.sqrt(2.0 * h_e0 * a_e) * math.exp(-0.07 * math.sqrt(delta_h / max(h_e0, 5.0)))
        d_1 = math.sqrt(2.0 * h_e1 * a_e) * math.exp(-0.07 * math.sqrt(delta_h / max(h_e1, 5.0)))
        combined = d_0 + d_1
        if combined <= d:
            q = d / combined
            q = q * q
            h_e0 = h_e0 * q
            h_e1 = h_e1 * q
            d_0 = (math.sqrt(2.0 * h_e0 * a_e)
                   * math.exp(-0.07 * math.sqrt(delta_h / max(h_e0, 5.0))))
            d_1 = (math.sqrt(2.0 * h_e1 * a_e)
                   * math.exp(-0.07 * math.sqrt(delta_h / max(h_e1, 5.0))))
        q = math.sqrt(2.0 * h_e0 * a_e)
        theta_0 = (0.65 * delta_h * (q / d_0 - 1.0) - 2.0 * h_e0) / q
        q = math.sqrt(2.0 * h_e1 * a_e)
        theta_1 = (0.65 * delta_h * (q / d_1 - 1.0) - 2.0 * h_e1) / q
    else:
        h_e0 = h_tx + _fdim(z[0], fit_tx)
        h_e1 = h_rx + _fdim(z[np_], fit_rx)
    return h_e0, h_e1, theta_0, theta_1, d_0, d_1


@njit(**_JIT)
def _check_profile(z, xi: float) -> int:
    """:data:`ERROR_PROFILE_STEP` or :data:`ERROR_PROFILE_NOT_FINITE` for a profile the model
    cannot take (at least two points are checked by the callers), else 0."""
    if not (xi > 0.0 and xi < math.inf):
        return ERROR_PROFILE_STEP
    for i in range(z.shape[0]):
        if not math.isfinite(z[i]):
            return ERROR_PROFILE_NOT_FINITE
    return SUCCESS


@njit(**_JIT)
def itm_p2p_tls(z, xi: float, h_tx: float, h_rx: float, climate: int, n_0: float, f_mhz: float,
                pol: int, epsilon: float, sigma: float, mdvar: int, time_pct: float,
                location_pct: float, situation_pct: float, s_buf, diff_buf, out) -> int:
    """ITM point-to-point with time / location / situation variability: NTIA's ITM_P2P_TLS_Ex.

    ``z`` holds the ``np + 1`` elevations (m) at step ``xi`` (m), the transmitter at ``z[0]``.
    Writes the results into ``out`` (see the module docstring) and returns NTIA's return code
    (0, or an error code; the "success with warnings" code 1 is not used: read
    ``out[OUT_WARNINGS]``). On an error ``out`` holds NaN except the warnings so far.
    """
    for i in range(N_OUT):
        out[i] = math.nan
    err, warnings = validate_inputs(h_tx, h_rx, climate, time_pct, location_pct, situation_pct,
                                    n_0, f_mhz, pol, epsilon, sigma, mdvar)
    out[OUT_WARNINGS] = warnings
    if err != SUCCESS:
        return err
    err = _check_profile(z, xi)
    if err != SUCCESS:
        return err
    np_ = z.shape[0] - 1
    d = np_ * xi
    out[OUT_D_KM] = d / 1000.0
    # average path height, ignoring the first and last 10 %
    p10 = int(0.1 * np_)
    h_sys = 0.0
    for i in range(p10, np_ - p10 + 1):
        h_sys += z[i]
    h_sys = h_sys / (np_ - 2 * p10 + 1)
    z_g = ground_impedance(f_mhz, pol, epsilon, sigma)
    n_s, gamma_e = surface_refractivity(h_sys, n_0)
    # QuickPfl
    a_e = 1.0 / gamma_e
    theta_0, theta_1, d_0, d_1 = find_horizons(z, np_, xi, a_e, h_tx, h_rx)
    d_start = min(15.0 * h_tx, 0.1 * d_0)
    d_end = d - min(15.0 * h_rx, 0.1 * d_1)
    delta_h = compute_delta_h(z, np_, xi, d_start, d_end, s_buf, diff_buf)
    if d_0 + d_1 > 1.5 * d:
        fit_los_tx, fit_los_rx = lsq_fit(z, np_, xi, d_start, d_end)
        fit_tx = fit_rx = 0.0
    else:
        fit_los_tx = fit_los_rx = 0.0
        fit_tx, _ = lsq_fit(z, np_, xi, d_start, 0.9 * d_0)
        _, fit_rx = lsq_fit(z, np_, xi, d - 0.9 * d_1, d_end)
    h_e0, h_e1, theta_0, theta_1, d_0, d_1 = _effective_heights(
        z, np_, xi, a_e, h_tx, h_rx, theta_0, theta_1, d_0, d_1, delta_h, fit_los_tx,
        fit_los_rx, fit_tx, fit_rx)
    err, a_ref, w_lr, propmode = longley_rice(theta_0, theta_1, f_mhz, z_g, d_0, d_1, h_e0,
                                              h_e1, gamma_e, n_s, delta_h, h_tx, h_rx, d,
                                              MODE_P2P)
    warnings |= w_lr
    out[OUT_WARNINGS] = warnings
    if err != SUCCESS:
        return err
    a_fs = 32.45 + 20.0 * math.log10(f_mhz) + 20.0 * math.log10(d / 1000.0)
    z_t = iccdf(time_pct / 100.0)
    z_l = iccdf(location_pct / 100.0)
    z_s = iccdf(situation_pct / 100.0)
    a_var, w_var = variability(z_t, z_l, z_s, h_e0, h_e1, delta_h, f_mhz, d, a_ref, climate,
                               mdvar)
    warnings |= w_var
    out[OUT_A_DB] = a_var + a_fs
    out[OUT_WARNINGS] = warnings
    out[OUT_MODE] = propmode
    out[OUT_THETA_HZN_TX] = theta_0
    out[OUT_THETA_HZN_RX] = theta_1
    out[OUT_D_HZN_TX_M] = d_0
    out[OUT_D_HZN_RX_M] = d_1
    out[OUT_H_E_TX_M] = h_e0
    out[OUT_H_E_RX_M] = h_e1
    out[OUT_N_S] = n_s
    out[OUT_DELTA_H_M] = delta_h
    out[OUT_A_REF_DB] = a_ref
    out[OUT_A_FS_DB] = a_fs
    return SUCCESS


# ----------------------------------------------------------------------------- along a ray

@njit(**_JIT)
def _lsq_fit_prefix(s0, s1, z, z_ref: float, np_: int, xi: float, d_start: float,
                    d_end: float):
    """:func:`lsq_fit` in O(1) from the prefix sums ``s0[k] = sum(z[:k] - z_ref)`` and
    ``s1[k] = sum(i * (z[i] - z_ref) for i < k)``: the same index rules, the same trapezoid
    weights, the sums taken as differences of prefix sums (equal to the loop to rounding)."""
    i_start = int(_fdim(d_start / xi, 0.0))
    i_end = np_ - int(_fdim(float(np_), d_end / xi))
    if i_end <= i_start:
        i_start = int(_fdim(float(i_start), 1.0))
        i_end = np_ - int(_fdim(float(np_), i_end + 1.0))
    x_length = float(i_end - i_start)
    if x_length == 0.0:
        return math.nan, math.nan
    mid_shifted_index = -0.5 * x_length
    mid_shifted_end = i_end + mid_shifted_index
    if x_length < 1.0:       # no interior points and no shift invariance: the loop's own terms
        sum_y = 0.5 * (z[i_start] + z[i_end]) / x_length
        scaled_sum_y = 0.5 * (z[i_start] - z[i_end]) * mid_shifted_index
    else:
        za = z[i_start] - z_ref
        zb = z[i_end] - z_ref
        inner0 = s0[i_end] - s0[i_start + 1]
        inner1 = s1[i_end] - s1[i_start + 1]
        sum_y = (0.5 * (za + zb) + inner0) / x_length + z_ref
        scaled_sum_y = (0.5 * (za - zb) * mid_shifted_index
                        + inner1 - (i_start - mid_shifted_index) * inner0)
    scaled_sum_y = scaled_sum_y * 12.0 / ((x_length * x_length + 2.0) * x_length)
    return (sum_y - scaled_sum_y * mid_shifted_end,
            sum_y + scaled_sum_y * (np_ - mid_shifted_end))


@njit(**_JIT)
def _hull_angle(i: int, z, xi: float, z_t: float, d: float, two_a_e: float,
                rx: bool) -> float:
    """Horizon angle (rad) of ground point i seen from the transmitter (``rx`` False, ``z_t``
    its antenna height above sea level, m) or from the receiver at distance ``d`` (m), over an
    earth of radius ``two_a_e / 2`` (m): NTIA's FindHorizons expressions."""
    if rx:
        u = d - i * xi
        return -(z_t - z[i]) / u - u / two_a_e
    x = i * xi
    return (z[i] - z_t) / x - x / two_a_e


@njit(**_JIT)
def _hull_horizon(hull, m: int, z, xi: float, z_t: float, d: float, g_hull: float,
                  two_a_e: float, rx: bool, theta: float, d_hzn: float):
    """The horizon ``(theta, d_hzn)`` of one terminal over the hull vertices ``hull[:m]``
    (built for the curvature ``g_hull`` >= g = 1 / two_a_e, 1/m), starting from the line-of-sight values, with
    NTIA's rule (strictly larger angle wins, the first one on ties).

    With g < g_hull every angle rises by (g_hull - g) times the point's distance from the
    terminal, at most ``(g_hull - g) d``; so only vertices within that margin of the best
    angle at ``g_hull`` can win. Those angles are unimodal along the hull (a tangent from an
    outside point), so a binary search finds the best and a walk to both sides the candidates.
    Few vertices: all are tried."""
    if m <= 16:
        jl = 0
        jr = m - 1
    else:
        two_a_hull = 1.0 / g_hull
        lo = 0
        hi = m - 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if (_hull_angle(hull[mid + 1], z, xi, z_t, d, two_a_hull, rx)
                    > _hull_angle(hull[mid], z, xi, z_t, d, two_a_hull, rx)):
                lo = mid + 1
            else:
                hi = mid
        margin = (g_hull - 1.0 / two_a_e) * d + 1e-12
        best = _hull_angle(hull[lo], z, xi, z_t, d, two_a_hull, rx)
        jl = lo
        while jl > 0:
            a = _hull_angle(hull[jl - 1], z, xi, z_t, d, two_a_hull, rx)
            if a <= best - margin:
                break
            best = max(best, a)
            jl -= 1
        jr = lo
        while jr < m - 1:
            a = _hull_angle(hull[jr + 1], z, xi, z_t, d, two_a_hull, rx)
            if a <= best - margin:
                break
            best = max(best, a)
            jr += 1
    for j in range(jl, jr + 1):
        i = hull[j]
        a = _hull_angle(i, z, xi, z_t, d, two_a_e, rx)
        if a > theta:
            theta = a
            d_hzn = (d - i * xi) if rx else i * xi
    return theta, d_hzn


@njit(**_JIT)
def itm_ray_losses(z, step_m: float, h_tx_m: float, h_rx_m: float, climate: int, n_0: float,
                   f_mhz: float, pol: int, epsilon: float, sigma: float, mdvar: int,
                   time_pct: float, location_pct: float, situation_pct: float, out_loss_db,
                   out_mode, out_warnings) -> int:
    """ITM basic transmission loss at EVERY sample of one radial profile.

    Contract (the coverage engine calls it once per ray):

    - ``z``: float64[n], ground elevation (m) at ``k * step_m`` from the transmitter, ``z[0]``
      the ground at the site; ``step_m`` > 0 (m).
    - ``h_tx_m``, ``h_rx_m``: antenna heights above the ground (m); the other arguments are
      those of :func:`itm_p2p_tls` (NTIA's ranges, polarization 0/1, mdvar code).
    - outputs, caller-allocated, length n: ``out_loss_db`` float64 (or float32) basic
      transmission loss A (dB) of a receiver at sample k over the profile ``z[0..k]``;
      ``out_mode`` integer, the propagation mode (1 line of sight, 2 diffraction,
      3 troposcatter, 0 not computed); ``out_warnings`` integer, NTIA's warning flags.
      Sample 0 (the site itself) is NaN, mode 0.
    - returns 0, or the ITM error code of the inputs (then every sample is NaN, mode 0, and
      the warnings are the input warnings; also this project's 1101 for a NaN or infinite
      elevation and 1102 for a step that is not > 0) or of the first sample ITM could not
      compute (those samples are NaN, mode 0: the surface refractivity of a path with a mean
      height above ~4.8 km, or below sea level with N_0 = 400).

    ``out_loss_db[k]`` equals :func:`itm_p2p_tls` on ``z[:k+1]`` to rounding (the tests
    require 1e-6 dB). What is carried outward along the ray instead of recomputed per sample:
    the prefix sums of ``z`` and ``i z`` (mean path height h_sys and the least-squares fits of
    the effective heights in O(1)), and the upper convex hull of the ground points in a
    curvature-corrected frame. Both terminal horizons of ITM are tangents from the terminal to
    that hull: with y = z - g x^2 (g = 1 / (2 a_e)) the transmitter's horizon angle of point i
    is (y_i - z_tx) / x_i and the receiver's is (y_i - y_rx) / (d - x_i) - 2 g d, so their
    maxima are attained at hull vertices. The effective earth radius a_e changes with k (N_s
    depends on the mean path height), so the hull is built for the largest g of the ray: adding
    curvature keeps hull vertices on the hull, so that hull contains the hull of every smaller
    g, and the exact horizon is the best of its vertices by NTIA's own formulas. delta_h (the
    10 %-90 % range of the resampled profile's residuals) is recomputed per sample, as its
    resampling grid moves with every k, but the previous sample's quantiles seed the selection
    (:func:`delta_h_along`, exact). It is still about two thirds of the cost of a sample;
    :func:`itm_ray_losses_approx` trades it for accuracy.
    """
    return itm_ray_losses_at(z, step_m, h_tx_m, h_rx_m, climate, n_0, f_mhz, pol, epsilon,
                             sigma, mdvar, time_pct, location_pct, situation_pct,
                             np.empty(0, dtype=np.bool_), out_loss_db, out_mode, out_warnings)


@njit(**_JIT)
def itm_ray_losses_at(z, step_m: float, h_tx_m: float, h_rx_m: float, climate: int,
                      n_0: float, f_mhz: float, pol: int, epsilon: float, sigma: float,
                      mdvar: int, time_pct: float, location_pct: float, situation_pct: float,
                      need, out_loss_db, out_mode, out_warnings) -> int:
    """:func:`itm_ray_losses` at the samples where ``need[k]`` (bool[n]) is True only; the
    other samples are NaN, mode 0. The horizons are still carried over every sample, so each
    computed value equals the full kernel's. The engine passes the samples nearest to a grid
    cell's centre (about half of them on a 10 km site: rays oversample the cells near the
    mast), or every m-th sample for the decimated approximation of ``benchmarks/itm.py``."""
    return _ray_core(z, step_m, h_tx_m, h_rx_m, climate, n_0, f_mhz, pol, epsilon, sigma, mdvar,
                     time_pct, location_pct, situation_pct, need, 1, out_loss_db, out_mode,
                     out_warnings)


@njit(**_JIT)
def itm_ray_losses_approx(z, step_m: float, h_tx_m: float, h_rx_m: float, climate: int,
                          n_0: float, f_mhz: float, pol: int, epsilon: float, sigma: float,
                          mdvar: int, time_pct: float, location_pct: float,
                          situation_pct: float, need, delta_h_stride: int, out_loss_db,
                          out_mode, out_warnings) -> int:
    """NOT exact ITM: :func:`itm_ray_losses_at` recomputing delta_h only when the last one is
    ``delta_h_stride`` or more samples back (and reusing it in between); everything else is
    exact. delta_h costs about half of a sample; ``benchmarks/itm.py`` measures the error this
    makes. ``delta_h_stride = 1`` is the exact kernel; ``need`` may be empty (every sample)."""
    return _ray_core(z, step_m, h_tx_m, h_rx_m, climate, n_0, f_mhz, pol, epsilon, sigma, mdvar,
                     time_pct, location_pct, situation_pct, need, delta_h_stride, out_loss_db,
                     out_mode, out_warnings)


@njit(**_JIT)
def _ray_core(z, step_m: float, h_tx_m: float, h_rx_m: float, climate: int, n_0: float,
              f_mhz: float, pol: int, epsilon: float, sigma: float, mdvar: int,
              time_pct: float, location_pct: float, situation_pct: float, need,
              delta_h_stride: int, out_loss_db, out_mode, out_warnings) -> int:
    """One carrier of :func:`_ray_core_multi` (the 1-D outputs of the public kernels)."""
    n = z.shape[0]
    f = np.empty(1)
    f[0] = f_mhz
    k_max = np.empty(1, np.int64)
    k_max[0] = n - 1
    loss = np.empty((1, n))
    mode = np.empty((1, n), np.int8)
    warn = np.empty((1, n), np.int32)
    err = _ray_core_multi(z, step_m, h_tx_m, h_rx_m, climate, n_0, f, pol, epsilon, sigma,
                          mdvar, time_pct, location_pct, situation_pct, need, k_max,
                          delta_h_stride, loss, mode, warn)
    for k in range(n):
        out_loss_db[k] = loss[0, k]
        out_mode[k] = mode[0, k]
        out_warnings[k] = warn[0, k]
    return err


@njit(**_JIT)
def _ray_core_multi(z, step_m: float, h_tx_m: float, h_rx_m: float, climate: int, n_0: float,
                    f_mhz, pol: int, epsilon: float, sigma: float, mdvar: int,
                    time_pct: float, location_pct: float, situation_pct: float, need, k_max,
                    delta_h_stride: int, out_loss_db, out_mode, out_warnings) -> int:
    """The ray kernel for several carriers ``f_mhz[c]`` (MHz) on one profile: everything ITM
    computes before ``LongleyRice`` (horizons, delta_h, effective heights) does not depend on
    the frequency and is computed once per sample for all of them. Carrier ``c`` is computed
    at the samples ``k <= k_max[c]`` (and where ``need[k]``, when ``need`` is not empty);
    outputs ``[c, k]`` (``n_car x n``), the others NaN / mode 0. Returns the first error code
    (an input error of any carrier: every output NaN, the warnings its input warnings)."""
    use_need = need.shape[0] > 0
    n_car = f_mhz.shape[0]
    delta_h = 0.0
    last_dh = -1
    n = z.shape[0]
    for c in range(n_car):
        for k in range(n):
            out_loss_db[c, k] = math.nan
            out_mode[c, k] = MODE_NOT_SET
            out_warnings[c, k] = 0
    warn_in = np.empty(n_car, np.int64)
    z_g = np.empty(n_car, np.complex128)
    a_fs_f = np.empty(n_car)
    k_last = 0
    for c in range(n_car):
        err, w = validate_inputs(h_tx_m, h_rx_m, climate, time_pct, location_pct,
                                 situation_pct, n_0, f_mhz[c], pol, epsilon, sigma, mdvar)
        warn_in[c] = w
        if err != SUCCESS:
            for cc in range(n_car):
                for k in range(n):
                    out_warnings[cc, k] = w
            return err
        z_g[c] = ground_impedance(f_mhz[c], pol, epsilon, sigma)
        a_fs_f[c] = 32.45 + 20.0 * math.log10(f_mhz[c])
        k_last = max(k_last, min(k_max[c], n - 1))
    if n < 2:
        return SUCCESS
    err = _check_profile(z, step_m)
    if err != SUCCESS:
        for c in range(n_car):
            for k in range(n):
                out_warnings[c, k] = warn_in[c]
        return err
    xi = step_m
    z_t = iccdf(time_pct / 100.0)
    z_l = iccdf(location_pct / 100.0)
    z_s = iccdf(situation_pct / 100.0)
    s_buf = np.empty(DELTA_H_BUFFER)
    diff_buf = np.empty(DELTA_H_BUFFER)
    cand = np.empty(DELTA_H_BUFFER)
    dh_state = np.array([math.nan, math.nan, 1.0, 1.0])

    z_ref = z[0]
    s0 = np.empty(n + 1)
    s1 = np.empty(n + 1)
    s0[0] = 0.0
    s1[0] = 0.0
    for i in range(n):
        zz = z[i] - z_ref
        s0[i + 1] = s0[i] + zz
        s1[i + 1] = s1[i] + i * zz
    n_s_k = np.empty(n)
    gamma_k = np.empty(n)
    g_max = 0.0
    for k in range(1, n):
        p10 = int(0.1 * k)
        h_sys = (s0[k - p10 + 1] - s0[p10]) / (k - 2 * p10 + 1) + z_ref
        n_s, gamma_e = surface_refractivity(h_sys, n_0)
        n_s_k[k] = n_s
        gamma_k[k] = gamma_e
        g_max = max(g_max, 0.5 * gamma_e)
    g_max *= 1.0 + 1e-9

    hull = np.empty(n, dtype=np.int64)
    hy = np.empty(n)
    m = 0
    first_err = SUCCESS
    z_tx = z[0] + h_tx_m
    for k in range(1, k_last + 1):
        if k >= 2:                       # add ground point k - 1 to the hull of 1..k-1
            i_new = k - 1
            x_c = i_new * xi
            y_c = z[i_new] - g_max * x_c * x_c
            while m >= 2:
                ia = hull[m - 2]
                ib = hull[m - 1]
                x_a = ia * xi
                x_b = ib * xi
                h_b = hy[m - 1] - (hy[m - 2] + (y_c - hy[m - 2]) * (x_b - x_a) / (x_c - x_a))
                if h_b < -1e-9:
                    m -= 1
                else:
                    break
            hull[m] = i_new
            hy[m] = y_c
            m += 1
        if use_need and not need[k]:
            continue
        gamma_e = gamma_k[k]
        n_s = n_s_k[k]
        a_e = 1.0 / gamma_e
        d = k * xi
        z_rx = z[k] + h_rx_m
        theta_0 = (z_rx - z_tx) / d - d / (2.0 * a_e)
        theta_1 = -(z_rx - z_tx) / d - d / (2.0 * a_e)
        two_a_e = 2.0 * a_e
        theta_0, d_0 = _hull_horizon(hull, m, z, xi, z_tx, d, g_max, two_a_e, False, theta_0, d)
        theta_1, d_1 = _hull_horizon(hull, m, z, xi, z_rx, d, g_max, two_a_e, True, theta_1, d)
        d_start = min(15.0 * h_tx_m, 0.1 * d_0)
        d_end = d - min(15.0 * h_rx_m, 0.1 * d_1)
        if delta_h_stride <= 1 or last_dh < 0 or k - last_dh >= delta_h_stride:
            delta_h = delta_h_along(z, k, xi, d_start, d_end, s_buf, diff_buf, cand, dh_state)
            last_dh = k
        if d_0 + d_1 > 1.5 * d:
            fit_los_tx, fit_los_rx = _lsq_fit_prefix(s0, s1, z, z_ref, k, xi, d_start, d_end)
            fit_tx = fit_rx = 0.0
        else:
            fit_los_tx = fit_los_rx = 0.0
            fit_tx, _ = _lsq_fit_prefix(s0, s1, z, z_ref, k, xi, d_start, 0.9 * d_0)
            _, fit_rx = _lsq_fit_prefix(s0, s1, z, z_ref, k, xi, d - 0.9 * d_1, d_end)
        h_e0, h_e1, theta_0, theta_1, d_0, d_1 = _effective_heights(
            z, k, xi, a_e, h_tx_m, h_rx_m, theta_0, theta_1, d_0, d_1, delta_h, fit_los_tx,
            fit_los_rx, fit_tx, fit_rx)
        a_fs_d = 20.0 * math.log10(d / 1000.0)
        for c in range(n_car):
            if k > k_max[c]:
                continue
            err, a_ref, w_lr, propmode = longley_rice(theta_0, theta_1, f_mhz[c], z_g[c], d_0,
                                                      d_1, h_e0, h_e1, gamma_e, n_s, delta_h,
                                                      h_tx_m, h_rx_m, d, MODE_P2P)
            if err != SUCCESS:
                out_warnings[c, k] = warn_in[c] | w_lr
                if first_err == SUCCESS:
                    first_err = err
                continue
            a_var, w_var = variability(z_t, z_l, z_s, h_e0, h_e1, delta_h, f_mhz[c], d, a_ref,
                                       climate, mdvar)
            out_loss_db[c, k] = a_var + (a_fs_f[c] + a_fs_d)
            out_mode[c, k] = propmode
            out_warnings[c, k] = warn_in[c] | w_lr | w_var
    return first_err


# ----------------------------------------------------------------------------- the engine's drivers

@njit(**_JIT)
def _sweep_one_ray(dem, a: int, n_rays: int, col0: float, row0: float, px_w_m: float,
                   px_h_m: float, h_tx_m: float, h_rx_m: float, step_m: float, need, r_lim,
                   climate: int, n_0: float, f_mhz, pol: int, epsilon: float, sigma: float,
                   mdvar: int, time_pct: float, location_pct: float, situation_pct: float,
                   row_out: int, out_loss, out_mode, out_warnings) -> int:
    """One ray of :func:`itm_sweep` (its scratch allocated here)."""
    n_steps = need.shape[0] // n_rays
    n_car = f_mhz.shape[0]
    s_top = -1
    for c in range(n_car):
        s_top = max(s_top, int(r_lim[c] / step_m) - 1)
    s_top = min(s_top, n_steps - 1)
    last = -1
    for s in range(s_top, -1, -1):
        if need[s * n_rays + a]:
            last = s
            break
    if last < 0:
        return SUCCESS
    n = last + 2
    z = np.empty(n)
    K.ray_profile(dem, a, n_rays, col0, row0, px_w_m, px_h_m, step_m, last + 1, z)
    mask = np.empty(n, np.bool_)
    mask[0] = False
    for s in range(last + 1):
        mask[s + 1] = need[s * n_rays + a] != 0
    k_max = np.empty(n_car, np.int64)
    for c in range(n_car):
        k_max[c] = min(int(r_lim[c] / step_m) - 1, last) + 1   # sample s is profile index s + 1
    loss = np.empty((n_car, n))
    mode = np.empty((n_car, n), np.int8)
    warn = np.empty((n_car, n), np.int32)
    err = _ray_core_multi(z, step_m, h_tx_m, h_rx_m, climate, n_0, f_mhz, pol, epsilon, sigma,
                          mdvar, time_pct, location_pct, situation_pct, mask, k_max, 1, loss,
                          mode, warn)
    for c in range(n_car):
        for k in range(1, k_max[c] + 1):
            if mask[k]:
                p = (k - 1) * n_rays + a
                out_loss[row_out + c, p] = loss[c, k]
                out_mode[c, p] = mode[c, k]
                out_warnings[c, p] = warn[c, k]
    return err


@njit(**_JIT)
def itm_sweep(dem, col0: float, row0: float, px_w_m: float, px_h_m: float, h_tx_m: float,
              h_rx_m: float, step_m: float, ray0: int, n_sweep: int, n_rays: int, need, r_lim,
              climate: int, n_0: float, f_mhz, pol: int, epsilon: float, sigma: float,
              mdvar: int, time_pct: float, location_pct: float, situation_pct: float,
              row_out: int, out_loss, out_mode, out_warnings) -> int:
    """ITM basic transmission loss at every needed sample of the engine's polar grid around one
    antenna, for the carriers ``f_mhz`` (MHz) of that antenna position that use ITM.

    The polar grid, ``need``, ``ray0`` / ``n_sweep`` and the ray profiles are those of
    :func:`gis.radio._kernels.sweep_losses` (:func:`gis.radio._kernels.ray_profile`: ``z[0]``
    the ground at the antenna, sample ``s`` of ray ``a`` at ``(s + 1) step_m``, flat index
    ``s * n_rays + a``). Carrier ``c`` is computed at the needed samples with ``(s + 1) step_m
    <= r_lim[c]`` (m) into ``out_loss[row_out + c, p]`` (dB, the engine's float32 loss array,
    or float64), its propagation mode into ``out_mode[c, p]`` (int8: 1 line of sight,
    2 diffraction, 3 troposcatter, 0 not computed) and NTIA's warning flags into
    ``out_warnings[c, p]`` (int32); other entries are not written. The frequency-free part of
    ITM (horizons, delta_h, effective heights) is computed once per sample for all carriers
    (:func:`_ray_core_multi`); every value equals :func:`itm_p2p_tls` on the ray's profile up to
    that sample. ITM's other inputs as :func:`itm_p2p_tls`, validated by the caller. Returns 0
    or the first ITM error code met (those samples are NaN, mode 0)."""
    first = SUCCESS
    for k in range(min(n_sweep, n_rays)):
        err = _sweep_one_ray(dem, (ray0 + k) % n_rays, n_rays, col0, row0, px_w_m, px_h_m,
                             h_tx_m, h_rx_m, step_m, need, r_lim, climate, n_0, f_mhz, pol,
                             epsilon, sigma, mdvar, time_pct, location_pct, situation_pct,
                             row_out, out_loss, out_mode, out_warnings)
        if first == SUCCESS:
            first = err
    return first


@njit(parallel=True, **_JIT)
def itm_sweep_parallel(dem, col0: float, row0: float, px_w_m: float, px_h_m: float,
                       h_tx_m: float, h_rx_m: float, step_m: float, ray0: int, n_sweep: int,
                       n_rays: int, need, r_lim, climate: int, n_0: float, f_mhz, pol: int,
                       epsilon: float, sigma: float, mdvar: int, time_pct: float,
                       location_pct: float, situation_pct: float, row_out: int, out_loss,
                       out_mode, out_warnings) -> int:
    """:func:`itm_sweep` with the rays in parallel threads (each ray owns its samples and its
    scratch: the same numbers, the same returned code)."""
    n = min(n_sweep, n_rays)
    errs = np.zeros(n, np.int64)
    for k in prange(n):
        errs[k] = _sweep_one_ray(dem, (ray0 + k) % n_rays, n_rays, col0, row0, px_w_m, px_h_m,
                                 h_tx_m, h_rx_m, step_m, need, r_lim, climate, n_0, f_mhz, pol,
                                 epsilon, sigma, mdvar, time_pct, location_pct, situation_pct,
                                 row_out, out_loss, out_mode, out_warnings)
    for k in range(n):
        if errs[k] != SUCCESS:
            return errs[k]
    return SUCCESS


@njit(**_JIT)
def itm_pair_losses(dem, tx_col, tx_row, tx_h_m, f_mhz, rx_col, rx_row, h_rx_m: float,
                    px_w_m: float, px_h_m: float, step_m: float, min_distance_m: float,
                    climate: int, n_0: float, pol: int, epsilon: float, sigma: float,
                    mdvar: int, time_pct: float, location_pct: float, situation_pct: float,
                    out_loss, out_mode, out_warnings) -> int:
    """ITM (:func:`itm_p2p_tls`) of pairs ``j``: transmitter at DEM pixel (``tx_col[j]``,
    ``tx_row[j]``, fractional, pixel centres at integers), antenna ``tx_h_m[j]`` m above the
    ground, carrier ``f_mhz[j]`` MHz, receiver at (``rx_col[j]``, ``rx_row[j]``) ``h_rx_m`` m
    above the ground.

    The profile of a pair is the straight line sampled bilinearly at a uniform step: ``round(d /
    step_m)`` intervals (at least one) over its horizontal length ``d``, so it ends exactly at
    the receiver with a step within half a step of ``step_m``; pairs nearer than
    ``min_distance_m`` are taken at that distance in the same direction (north when they
    coincide). Outputs per pair: basic transmission loss (dB; NaN where ITM fails), mode and
    warning flags. Returns 0 or the first ITM error code met."""
    n = tx_col.shape[0]
    s_buf = np.empty(DELTA_H_BUFFER)
    d_buf = np.empty(DELTA_H_BUFFER)
    res = np.empty(N_OUT)
    z = np.empty(16)
    first = SUCCESS
    for j in range(n):
        dc = rx_col[j] - tx_col[j]
        dr = rx_row[j] - tx_row[j]
        dxm = dc * px_w_m
        dym = dr * px_h_m
        d = math.sqrt(dxm * dxm + dym * dym)
        if d < min_distance_m:
            if d > 0.0:
                dc *= min_distance_m / d
                dr *= min_distance_m / d
            else:
                dc = 0.0
                dr = -min_distance_m / px_h_m
            d = min_distance_m
        n_int = max(1, int(d / step_m + 0.5))
        if z.shape[0] < n_int + 1:
            z = np.empty(2 * (n_int + 1))
        for i in range(n_int + 1):
            f = i / n_int
            z[i] = K.bilinear(dem, tx_col[j] + f * dc, tx_row[j] + f * dr)
        err = itm_p2p_tls(z[:n_int + 1], d / n_int, tx_h_m[j], h_rx_m, climate, n_0, f_mhz[j],
                          pol, epsilon, sigma, mdvar, time_pct, location_pct, situation_pct,
                          s_buf, d_buf, res)
        out_loss[j] = res[OUT_A_DB]
        out_mode[j] = MODE_NOT_SET if err != SUCCESS else int(res[OUT_MODE])
        out_warnings[j] = int(res[OUT_WARNINGS])
        if err != SUCCESS and first == SUCCESS:
            first = err
    return first
