"""The terrain term against hand calculations from ITU-R P.526-16 and an independent reference."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis.errors import ValidationError
from gis.radio import _kernels as K
from gis.radio.params import RadioParams
from gis.radio.terrain import (
    diffraction_loss_db,
    diffraction_parts,
    earth_bulge_m,
    fresnel_v,
    knife_edge_loss_db,
    line_of_sight,
    terrain_config,
    terrain_profile,
)

FLAT_K = 1e12  # an effective earth so large that curvature vanishes (hand calculations)
A_EFF = 4.0 / 3.0 * 6_371_000.0  # the median effective earth radius, m


def J(v: float) -> float:
    """P.526-16 eq. (31), written out again."""
    return 0.0 if v <= -0.78 else 6.9 + 20 * math.log10(math.sqrt((v - 0.1) ** 2 + 1) + v - 0.1)


# -- J(v), ITU-R P.526-16 eq. (31) ----------------------------------------------------------

def test_j_of_v_hand_values():
    # J(0) = 6.9 + 20 log10(sqrt(0.01 + 1) - 0.1) = 6.9 + 20 log10(0.9049876) = 6.0329
    j0 = 6.9 + 20 * math.log10(math.sqrt(0.01 + 1) - 0.1)
    assert j0 == pytest.approx(6.0329, abs=1e-3)
    # J(1) = 6.9 + 20 log10(sqrt(0.81 + 1) + 0.9) = 6.9 + 20 log10(2.2453624) = 13.9258
    j1 = 6.9 + 20 * math.log10(math.sqrt(0.81 + 1) + 0.9)
    assert j1 == pytest.approx(13.9258, abs=1e-3)
    got = knife_edge_loss_db([0.0, 1.0, -0.78, -1.0, -0.7799])
    assert got[0] == pytest.approx(j0, abs=1e-9)
    assert got[1] == pytest.approx(j1, abs=1e-9)
    assert got[2] == 0.0 and got[3] == 0.0  # v <= -0.78: no loss
    assert got[4] == pytest.approx(0.0, abs=0.01)  # continuous at the threshold
    for v in (-0.5, 0.0, 0.3, 1.0, 2.5):
        assert K.knife_edge_j(v) == pytest.approx(float(knife_edge_loss_db(v)), abs=1e-12)


def test_j_of_v_against_p526_figure():
    # Values read from ITU-R P.526 Figure 9 (J(v) against v): ~6 dB at grazing,
    # ~14 dB at v = 1, ~19 dB at v = 2, and the large-v approximation 13 + 20 log10 v.
    assert knife_edge_loss_db(0.0) == pytest.approx(6.0, abs=0.1)
    assert knife_edge_loss_db(1.0) == pytest.approx(14.0, abs=0.2)
    assert knife_edge_loss_db(2.0) == pytest.approx(19.0, abs=0.2)
    for v in (3.0, 5.0, 10.0):
        assert knife_edge_loss_db(v) == pytest.approx(13 + 20 * math.log10(v), abs=0.2)


def test_fresnel_v_hand_geometry():
    # 900 MHz: lambda = 299.792458 / 900 = 0.3331027 m; edge 10 m above the line, 1 km each way:
    # v = 10 * sqrt(2 / 0.3331027 * (1/1000 + 1/1000)) = 10 * sqrt(0.01200831) = 1.095824
    assert float(fresnel_v(10.0, 1000.0, 1000.0, 900.0)) == pytest.approx(1.095824, rel=1e-5)


def test_earth_bulge_hand_value():
    # 5 km from each end, k = 4/3: 5000 * 5000 / (2 * 4/3 * 6371000) = 1.471513 m
    assert float(earth_bulge_m(5000.0, 5000.0)) == pytest.approx(1.471513, rel=1e-5)
    assert float(earth_bulge_m(5000.0, 5000.0, k_factor=1.0)) == pytest.approx(
        1.471513 * 4 / 3, rel=1e-5)
    with pytest.raises(ValidationError):
        earth_bulge_m(1.0, 1.0, k_factor=0.0)


def test_line_of_sight_radio_horizon():
    # Flat sea-level ground, 30 m mast, 1.5 m receiver, k = 4/3: the radio horizon is
    # sqrt(2 k R h1) + sqrt(2 k R h2) = sqrt(2*8494667*30) + sqrt(2*8494667*1.5) = 22577 + 5048 m
    for d, expected in ((10_000, True), (27_000, True), (28_500, False), (40_000, False)):
        x = np.linspace(0, d, 401)
        assert line_of_sight(x, np.zeros_like(x), 30.0, 1.5) is expected, d


# -- the spherical-earth term, P.526-16 §3.1.1.2 and §3.2 ------------------------------------

def _first_term_by_hand(d_m, h1, h2, a_m, f_mhz, eps=15.0, sigma=0.005):
    """P.526-16 eqs. (11)-(18), vertical polarisation, every unit as the Recommendation has it."""
    a_km, d_km = a_m / 1000, d_m / 1000
    k_h = 0.36 * (a_km * f_mhz) ** (-1 / 3) * ((eps - 1) ** 2 + (18000 * sigma / f_mhz) ** 2) ** -0.25
    k = k_h * math.sqrt(eps ** 2 + (18000 * sigma / f_mhz) ** 2)  # eq. (11b), vertical
    beta = (1 + 1.6 * k ** 2 + 0.67 * k ** 4) / (1 + 4.5 * k ** 2 + 1.53 * k ** 4)  # eq. (12)
    x = 2.188 * beta * f_mhz ** (1 / 3) * a_km ** (-2 / 3) * d_km  # eq. (14a)
    f_x = 11 + 10 * math.log10(x) - 17.6 * x if x >= 1.6 else \
        -20 * math.log10(x) - 5.6488 * x ** 1.425  # eq. (17)

    def g(h):
        y = 9.575e-3 * beta * f_mhz ** (2 / 3) * a_km ** (-1 / 3) * h  # eq. (15a)
        b = beta * y  # eq. (18b)
        gy = 17.6 * math.sqrt(b - 1.1) - 5 * math.log10(b - 1.1) - 8 if b > 2 else \
            20 * math.log10(b + 0.1 * b ** 3)  # eq. (18), (18a)
        return max(gy, 2 + 20 * math.log10(k))

    return -(f_x + g(h1) + g(h2))  # eq. (13): 20 log(E/E0) = F(X) + G(Y1) + G(Y2)


def _spherical_by_hand(d, h1, h2, a, f_mhz):
    """P.526-16 §3.2 eqs. (21)-(25)."""
    lam = 299.792458 / f_mhz
    if d >= math.sqrt(2 * a) * (math.sqrt(h1) + math.sqrt(h2)):  # eq. (21)
        return max(0.0, _first_term_by_hand(d, h1, h2, a, f_mhz))
    c = (h1 - h2) / (h1 + h2)  # eq. (22d)
    m = d ** 2 / (4 * a * (h1 + h2))  # eq. (22e)
    b = 2 * math.sqrt((m + 1) / (3 * m)) * math.cos(
        math.pi / 3 + math.acos(1.5 * c * math.sqrt(3 * m / (m + 1) ** 3)) / 3)  # eq. (22c)
    d1 = d / 2 * (1 + b)
    d2 = d - d1
    h = ((h1 - d1 ** 2 / (2 * a)) * d2 + (h2 - d2 ** 2 / (2 * a)) * d1) / d  # eq. (22)
    hreq = 0.552 * math.sqrt(d1 * d2 * lam / d)  # eq. (23)
    if h > hreq:
        return 0.0
    aem = 0.5 * (d / (math.sqrt(h1) + math.sqrt(h2))) ** 2  # eq. (24)
    ah = _first_term_by_hand(d, h1, h2, aem, f_mhz)
    return 0.0 if ah < 0 else (1 - h / hreq) * ah  # eq. (25)


def test_spherical_earth_kernel_equals_p526_by_hand():
    for d, h1, h2, f in ((40_000.0, 30.0, 1.5, 900.0), (10_000.0, 30.0, 1.5, 1800.0),
                         (3000.0, 12.0, 1.5, 3500.0), (60_000.0, 100.0, 10.0, 700.0)):
        got = K.spherical_earth_db(d, h1, h2, A_EFF, f, 15.0, 0.005, True)
        assert got == pytest.approx(_spherical_by_hand(d, h1, h2, A_EFF, f), abs=1e-9)
    # 40 km over a smooth earth, 30 m and 1.5 m, 900 MHz: beyond the 27.6 km horizon the
    # first term alone. K_H = 0.36 (8494.67 * 900)^(-1/3) (196 + 0.0001)^(-1/4)
    # = 0.36 * 0.0050762 * 0.26726 = 0.00048839, K_V = 15 K_H = 0.0073261, beta = 0.99984;
    # X = 2.188 beta 900^(1/3) 8494.67^(-2/3) 40 = 2.188 * 0.99984 * 9.6549 * 0.0024020 * 40
    # = 2.0293 -> F(X) = 11 + 10 log10(2.0293) - 17.6 * 2.0293 = -21.643 dB;
    # B(30 m) = beta * 9.575e-3 beta 900^(2/3) 8494.67^(-1/3) * 30 = 1.3119 -> G = 20 log10(1.3119
    # + 0.1 * 1.3119^3) = 3.737 dB; B(1.5 m) = 0.065596 -> G = -23.659 dB (above the floor
    # 2 + 20 log10 K_V = -40.70 dB): loss = 21.643 - 3.737 + 23.659 = 41.564 dB
    got = K.spherical_earth_db(40_000.0, 30.0, 1.5, A_EFF, 900.0, 15.0, 0.005, True)
    assert got == pytest.approx(21.643 - 3.737 + 23.659, abs=2e-3)


# -- delta-Bullington by hand ----------------------------------------------------------------

def test_lone_knife_edge_is_j_of_v():
    # Flat ground, mast 30 m at 0, receiver 1.5 m at 2 km, an edge of 25.75 m at 1 km, 900 MHz,
    # k = 4/3. Bulge at the edge: 1000 * 1000 / (2 * 8494667) = 0.058860 m; the line passes at
    # 30 + (1.5 - 30) / 2 = 15.75 m, so h = 25.75 + 0.05886 - 15.75 = 10.05886 m and
    # v = h sqrt(2 d / (lambda d1 d2)) = 10.05886 * sqrt(4000 / (0.3331027 * 1e6)) = 1.102274.
    x = np.arange(0, 2001, 10.0)
    z = np.zeros_like(x)
    z[100] = 25.75
    lam = 299.792458 / 900
    h = 25.75 + 1000 * 1000 / (2 * A_EFF) - 15.75
    v = h * math.sqrt(2 * 2000 / (lam * 1000 * 1000))
    assert v == pytest.approx(1.102274, abs=1e-6)
    parts = diffraction_parts(x, z, 30.0, 1.5, 900.0)
    # both horizons on the edge: the Bullington point is the edge, L_ba = J(v) (P.526 §4.1)
    assert parts["v_b"] == pytest.approx(v, abs=1e-9)
    assert parts["v_p"] == parts["v_b"]
    assert parts["l_ba_db"] == pytest.approx(J(v), abs=1e-9)
    # smooth surface: v1 = 10 (25.75 + 25.75) = 515, v2 = 10*25.75*(2*1000 + 990)
    # + 10*25.75*(1010 + 2*1000) = 1,545,000; h_st = (2 v1 d - v2) / d^2 = 0.12875 m, capped at
    # the ground 0 m (and h_sr likewise): h'_ts = 30 m, h'_rs = 1.5 m, line of sight over the
    # smooth earth with the receiver's horizon at 10 m from the mast: v = -23.2, L_bs = 0
    assert parts["h_ts_m"] == 30.0 and parts["h_rs_m"] == 1.5
    assert parts["l_bs_db"] == 0.0
    lsph = _spherical_by_hand(2000.0, 30.0, 1.5, A_EFF, 900.0)
    assert parts["l_sph_db"] == pytest.approx(lsph, abs=1e-9)
    assert parts["loss_db"] == pytest.approx(J(v) + lsph, abs=1e-9)  # L_ba + max(L_sph - L_bs, 0)
    # what the engine adds to an empirical median: the excess over the smooth earth, J(v)
    assert diffraction_loss_db(x, z, 30.0, 1.5, 900.0, excess_over_grazing=True) == \
        pytest.approx(J(v), abs=1e-9)
    # P.526 §4.5.1 as written applies the correction even here: J + (1 - e^(-J/6)) (10 + 0.04)
    p526 = diffraction_parts(x, z, 30.0, 1.5, 900.0, correction="p526")
    assert p526["l_ba_db"] == pytest.approx(J(v) + (1 - math.exp(-J(v) / 6)) * 10.04, abs=1e-9)
    assert diffraction_parts(x, z, 30.0, 1.5, 900.0, correction="none")["l_ba_db"] == \
        pytest.approx(J(v), abs=1e-9)


def test_two_edges_bullington_by_hand():
    # Mast 30 m at 0, receiver 1.5 m at 3 km, edges 40 m at 1 km and 35 m at 2 km (flat ground),
    # 900 MHz, k = 4/3. Both edges have d1 d2 = 2e6 m^2: bulge 2e6 / (2 * 8494667) = 0.117721 m.
    b = 2e6 / (2 * A_EFF)
    # P.526 eq. (47) S_tim = max (h_i + bulge - h_ts) / d_i = max(10.1177/1000, 5.1177/2000)
    stim = (40 + b - 30) / 1000
    # eq. (49) S_rim = max (h_i + bulge - h_rs) / (d - d_i) = max(38.6177/2000, 33.6177/1000)
    srim = (35 + b - 1.5) / 1000
    assert stim > (1.5 - 30) / 3000  # eq. (48) S_tr: the path is obstructed
    # eq. (50) Bullington point: d_b = (h_rs - h_ts + S_rim d) / (S_tim + S_rim) = 1654.337 m
    db = (1.5 - 30 + srim * 3000) / (stim + srim)
    assert db == pytest.approx(1654.337, abs=1e-3)
    # eq. (51) v_b = (h_ts + S_tim d_b - (h_ts (d - d_b) + h_rs d_b) / d) sqrt(2 d / (lambda d_b
    # (d - d_b))) = 32.4543 * sqrt(6000 / (0.3331027 * 1654.337 * 1345.663)) = 2.919301
    lam = 299.792458 / 900
    vb = (30 + stim * db - (30 * (3000 - db) + 1.5 * db) / 3000) * math.sqrt(
        2 * 3000 / (lam * db * (3000 - db)))
    assert vb == pytest.approx(2.919301, abs=1e-6)
    # the principal real edge: the second (24 + 0.1177 m above the line against 19.5 + 0.1177)
    v2 = (35 + b - (30 - 28.5 * 2 / 3)) * math.sqrt(2 * 3000 / (lam * 2e6))
    assert v2 == pytest.approx(2.288800, abs=1e-6)
    # J(v_b) = 22.1846, J(v_p) = 20.1461 dB; P.526's correction (1 - e^(-22.1846/6)) (10 + 0.06)
    # = 9.8106 dB, weighted by w = 1 - e^(-(22.1846 - 20.1461)/6) = 0.28805: L_ba = 25.0105 dB
    w = 1 - math.exp(-(J(vb) - J(v2)) / 6)
    corr = (1 - math.exp(-J(vb) / 6)) * (10 + 0.02 * 3)
    x = np.arange(0, 3001, 10.0)
    z = np.zeros_like(x)
    z[100], z[200] = 40.0, 35.0
    parts = diffraction_parts(x, z, 30.0, 1.5, 900.0)
    assert parts["v_b"] == pytest.approx(vb, abs=1e-9)
    assert parts["v_p"] == pytest.approx(v2, abs=1e-9)
    assert parts["l_ba_db"] == pytest.approx(J(vb) + w * corr, abs=1e-9)
    assert parts["l_ba_db"] == pytest.approx(25.0105, abs=1e-4)
    p526 = diffraction_parts(x, z, 30.0, 1.5, 900.0, correction="p526")
    assert p526["l_ba_db"] == pytest.approx(J(vb) + corr, abs=1e-9)  # 31.9952 dB
    # two edges lose more than the principal one alone, less than Deygout's sum plus correction
    assert J(v2) < parts["l_ba_db"] < p526["l_ba_db"]


def test_flat_earth_is_the_spherical_earth_term_only():
    # 40 km over the sea: the real profile is its own smooth surface (L_ba = L_bs), so
    # L = L_ba + max(L_sph - L_bs, 0) = L_sph, here the first term beyond the radio horizon
    x = np.linspace(0, 40_000, 801)
    z = np.zeros_like(x)
    parts = diffraction_parts(x, z, 30.0, 1.5, 900.0)
    assert parts["l_ba_db"] == pytest.approx(parts["l_bs_db"], abs=1e-9)
    assert parts["loss_db"] == pytest.approx(parts["l_sph_db"], abs=1e-9)
    assert parts["loss_db"] == pytest.approx(_spherical_by_hand(40_000.0, 30.0, 1.5, A_EFF, 900.0),
                                             abs=1e-9)
    # and the excess over the smooth earth (what the engine adds to a median) is 0 at any range
    for d in (2000.0, 10_000.0, 40_000.0):
        xs = np.linspace(0, d, int(d / 50) + 1)
        assert diffraction_loss_db(xs, np.zeros_like(xs), 30.0, 1.5, 1800.0,
                                   excess_over_grazing=True) == pytest.approx(0.0, abs=1e-9)
    # a flat plateau 200 m above sea level is the same smooth earth
    assert diffraction_loss_db(x, z + 200.0, 30.0, 1.5, 900.0) == pytest.approx(
        parts["loss_db"], abs=1e-6)


def test_curvature_turns_flat_path_into_diffraction():
    # 40 km over the sea with 30 m / 1.5 m antennas is beyond the radio horizon at k = 4/3
    x = np.linspace(0, 40_000, 801)
    z = np.zeros_like(x)
    for method in ("deygout", "bullington"):
        assert diffraction_loss_db(x, z, 30.0, 1.5, 900.0, method=method) > 6.0
        assert diffraction_loss_db(x, z, 30.0, 1.5, 900.0, method=method, k_factor=FLAT_K) == 0.0
    # delta-Bullington: on a plane earth the smooth-earth term is the ground reflection of a
    # 1.5 m receiver (27 dB at 40 km), less than with the earth's curvature (41.6 dB)
    curved = diffraction_parts(x, z, 30.0, 1.5, 900.0)
    plane = diffraction_parts(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K)
    assert plane["l_ba_db"] == 0.0 and 20.0 < plane["loss_db"] < curved["loss_db"] - 10.0


# -- an independent reference of the kernels' delta-Bullington -------------------------------

def _ref_bullington(x, hc, y0, yr, lam, corr, smooth=False):
    """P.526-16 §4.5.1 over every point: ``hc`` heights in the curvature-corrected frame."""
    d = x[-1]
    xi, hi = x[1:-1], hc[1:-1]
    stim_all = (hi - y0) / xi
    srim_all = (hi - yr) / (d - xi)
    line = y0 + (yr - y0) * xi / d
    nu = (hi - line) * np.sqrt(2 * d / (lam * xi * (d - xi)))
    if stim_all.max() * d <= yr - y0:  # line of sight: the receiver's horizon point
        vb = vp = nu[int(np.argmax(srim_all))]
    else:
        stim, srim = stim_all.max(), srim_all.max()
        db = (yr - y0 + srim * d) / (stim + srim)
        vb = (y0 + stim * db - (y0 * (d - db) + yr * db) / d) * math.sqrt(
            2 * d / (lam * db * (d - db)))
        vp = min(nu.max(), vb)
    j = J(vb)
    c = (1 - math.exp(-j / 6)) * (10 + 0.02 * d / 1000)
    w = {"p526": 1.0, "none": 0.0, "multi_edge": 1 - math.exp(-(j - J(vp)) / 6)}[corr]
    return j + w * c


def _ref_delta(x, z, htx, hrx, f_mhz, k=4 / 3, corr="multi_edge", excess=False):
    lam = 299.792458 / f_mhz
    a = k * 6_371_000.0
    d = x[-1]
    hc = z - x ** 2 / (2 * a)
    lba = _ref_bullington(x, hc, z[0] + htx, hc[-1] + hrx, lam, corr)
    dd = np.diff(x)
    v1 = np.sum(dd * (z[1:] + z[:-1]))  # P.526 §4.5.2, least-squares smooth surface
    v2 = np.sum(dd * (z[1:] * (2 * x[1:] + x[:-1]) + z[:-1] * (x[1:] + 2 * x[:-1])))
    hst = min((2 * v1 * d - v2) / d ** 2, z[0])
    hsr = min((v2 - v1 * d) / d ** 2, z[-1])
    ht, hr = z[0] + htx - hst, z[-1] + hrx - hsr
    hs = -x ** 2 / (2 * a)
    lbs = _ref_bullington(x, hs, ht, hs[-1] + hr, lam, corr)
    if excess:
        return max(0.0, lba - lbs)
    return lba + max(_spherical_by_hand(d, ht, hr, a, f_mhz) - lbs, 0.0)


def _random_profile(rng):
    n = int(rng.integers(3, 500))
    x = np.arange(n) * 30.0
    kind = rng.integers(0, 3)
    if kind == 0:
        z = np.cumsum(rng.normal(0, rng.uniform(0.5, 8), n))
    elif kind == 1:
        z = rng.uniform(0, 80) * np.sin(x / rng.uniform(200, 3000)) + rng.normal(0, 1, n)
    else:
        z = np.zeros(n)
        z[rng.integers(0, n, 3)] = rng.uniform(0, 80, 3)
    return x, z + 150.0


def test_kernels_equal_the_reference_on_random_profiles():
    rng = np.random.default_rng(12)
    for _ in range(80):
        x, z = _random_profile(rng)
        htx, hrx = float(rng.uniform(5, 80)), float(rng.uniform(1.5, 5))
        f = float(rng.choice([700.0, 900.0, 1800.0, 2600.0, 3500.0]))
        for corr, excess in (("multi_edge", False), ("p526", False), ("multi_edge", True)):
            got = diffraction_loss_db(x, z, htx, hrx, f, correction=corr,
                                      excess_over_grazing=excess)
            assert got == pytest.approx(_ref_delta(x, z, htx, hrx, f, corr=corr, excess=excess),
                                        abs=1e-6), (len(x), htx, f, corr, excess)


# -- monotone in mast height -----------------------------------------------------------------

profiles = st.tuples(
    st.integers(3, 400), st.sampled_from([10.0, 30.0, 90.0]), st.integers(0, 2 ** 32 - 1),
    st.sampled_from([700.0, 900.0, 1800.0, 3500.0]), st.floats(1.0, 10.0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_delta_bullington_monotone_in_mast_height(case):
    n, step, seed, f, hrx = case
    rng = np.random.default_rng(seed)
    x = np.arange(n) * step
    z = np.cumsum(rng.normal(0, rng.uniform(0.5, 10), n)) + 100
    if rng.random() < 0.3:  # a few isolated ridges instead
        z = np.full(n, 100.0)
        z[rng.integers(0, n, 3)] += rng.uniform(0, 100, 3)
    heights = np.sort(rng.uniform(1, 200, 12))
    # the default reading; P.526's correction applied everywhere ("p526") is not monotone with
    # the line-of-sight reading (10% of random profiles, up to 1.1 dB: see gis.radio.terrain)
    losses = [diffraction_loss_db(x, z, h, hrx, f) for h in heights]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(losses)), losses


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_engine_combination_monotone_in_mast_height(case):
    """Median (Hata / COST-231 Hata beyond 200 m) + the excess over the smooth earth: a higher
    mast never loses (the RMa median itself is not monotone within 165 m of the mast)."""
    n, step, seed, f, _ = case
    rng = np.random.default_rng(seed)
    x = np.arange(max(n, int(200 / step) + 2)) * step
    z = np.cumsum(rng.normal(0, rng.uniform(0.5, 10), x.size)) + 100
    params = RadioParams()
    f = min(f, 2000.0)
    heights = np.sort(rng.uniform(10, 150, 10))
    total = [float(params.median_path_loss_db(x[-1], f, h))
             + diffraction_loss_db(x, z, h, 1.5, f, excess_over_grazing=True) for h in heights]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(total)), total


def test_higher_mast_never_more_loss_bullington():
    # Bullington alone is monotone too (the tx horizon slope only drops). Deygout is not (its
    # edge selection jumps: seed 3 has 43 -> 49 dB from 10 to 20 m), the reason it is not used.
    rng = np.random.default_rng(3)
    jumps = 0
    for _ in range(30):
        x = np.arange(200) * 30.0
        z = np.cumsum(rng.normal(0, 5, 200))
        for excess in (False, True):
            losses = [diffraction_loss_db(x, z, h, 1.5, 900.0, method="bullington",
                                          excess_over_grazing=excess) for h in (10, 20, 40, 80)]
            assert all(a >= b - 1e-9 for a, b in itertools.pairwise(losses))
        dey = [diffraction_loss_db(x, z, h, 1.5, 900.0, method="deygout") for h in (10, 20, 40)]
        jumps += any(b > a + 1e-9 for a, b in itertools.pairwise(dey))
    assert jumps > 0


# -- the previous methods ----------------------------------------------------------------------

def test_single_knife_edge_deygout_and_bullington():
    # flat earth (k huge), the edge of test_lone_knife_edge: v = 10 sqrt(2*2000/(lambda 1e6))
    x = np.arange(0, 2001, 10.0)
    z = np.zeros_like(x)
    z[100] = 25.75
    v = 10 * math.sqrt(2 * 2000 / (0.3331027 * 1000 * 1000))
    got = diffraction_loss_db(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K, method="deygout")
    assert got == pytest.approx(J(v), abs=1e-3)
    bull = diffraction_loss_db(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K, method="bullington")
    assert bull == pytest.approx(J(v) + (1 - math.exp(-J(v) / 6)) * (10 + 0.02 * 2.0), abs=1e-3)
    exc = diffraction_loss_db(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K, method="deygout",
                              excess_over_grazing=True)
    assert exc == pytest.approx(J(v) - 6.0329, abs=1e-3)
    assert diffraction_loss_db(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K, method="none") == 0.0


def test_two_edges_deygout_hand_calculation():
    # Mast 30 m at 0, receiver 1.5 m at 3000, edges 40 m at 1000 and 35 m at 2000 (flat earth).
    # Line: 30 - 28.5 x / 3000. Edge 1 clearance 40 - 20.5 = 19.5; edge 2: 35 - 11 = 24.
    # Both have d1 d2 = 2e6 m^2, so edge 2 is the principal edge:
    lam = 299.792458 / 900
    v_main = 24 * math.sqrt(2 * 3000 / (lam * 2000 * 1000))
    # left side tx -> edge 2 (2000, 35): line at 1000 = 30 + 5 / 2 = 32.5, clearance 7.5 m
    v_left = 7.5 * math.sqrt(2 * 2000 / (lam * 1000 * 1000))
    x = np.arange(0, 3001, 10.0)
    z = np.zeros_like(x)
    z[100], z[200] = 40.0, 35.0
    assert diffraction_loss_db(x, z, 30.0, 1.5, 900.0, k_factor=FLAT_K, method="deygout") == \
        pytest.approx(J(v_main) + J(v_left), abs=1e-3)


def _brute_deygout(x, z, htx, hrx, lam, k):
    """Independent Deygout (3 edges, v > 0 only) scanning every profile point."""
    d = x[-1]
    zc = z - x * x / (2 * k * 6_371_000.0)
    ya, yb = zc[0] + htx, zc[-1] + hrx

    def best(i0, i1, xa, ya_, xb, yb_):
        idx = np.arange(i0, i1)
        if idx.size == 0:
            return -1, -np.inf
        d1, d2 = x[idx] - xa, xb - x[idx]
        h = zc[idx] - (ya_ + (yb_ - ya_) * d1 / (xb - xa))
        v = h * np.sqrt(2 * (d1 + d2) / (lam * d1 * d2))
        k_ = int(np.argmax(v))
        return int(idx[k_]), float(v[k_])

    n = x.size
    kb, vb = best(1, n - 1, 0.0, ya, d, yb)
    if vb <= 0:
        return 0.0
    loss = float(knife_edge_loss_db(vb))
    _, vl = best(1, kb, 0.0, ya, x[kb], zc[kb])
    _, vr = best(kb + 1, n - 1, x[kb], zc[kb], d, yb)
    for v in (vl, vr):
        if v > 0:
            loss += float(knife_edge_loss_db(v))
    return loss


def test_hull_deygout_equals_brute_force_on_random_terrain():
    rng = np.random.default_rng(7)
    lam = 299.792458 / 1800
    for _ in range(60):
        n = int(rng.integers(20, 300))
        x = np.arange(n) * 30.0
        z = np.cumsum(rng.normal(0, 4, n)) + rng.uniform(0, 50)
        htx, hrx = float(rng.uniform(10, 60)), 1.5
        got = diffraction_loss_db(x, z, htx, hrx, 1800.0, method="deygout")
        assert got == pytest.approx(_brute_deygout(x, z, htx, hrx, lam, 4 / 3), abs=1e-6)


# -- profiles and bad input --------------------------------------------------------------------

def test_profile_sampling_bilinear():
    # A plane z = 2 x + 100 (x in m east of the grid origin), 10 m cells: bilinear is exact
    transform = Affine(10.0, 0, 0.0, 0, -10.0, 1000.0)
    cols = np.arange(100) * 10.0 + 5.0
    dem = np.tile(2 * cols + 100, (100, 1)).astype("float32")
    dist, elev = terrain_profile(dem, transform, (105.0, 500.0), (605.0, 500.0), step_m=50.0)
    assert dist[0] == 0 and dist[-1] == pytest.approx(500.0)
    np.testing.assert_allclose(elev, 2 * (105.0 + dist) + 100, atol=1e-3)
    with pytest.raises(ValidationError):
        terrain_profile(dem, Affine(10.0, 1.0, 0, 0, -10.0, 0), (0, 0), (1, 1))


def test_bad_profiles_are_errors():
    with pytest.raises(ValidationError, match="at least 2"):
        diffraction_loss_db([0], [1], 10, 1.5, 900)
    with pytest.raises(ValidationError, match="increase"):
        diffraction_loss_db([0, 0], [1, 1], 10, 1.5, 900)
    with pytest.raises(ValidationError, match="increase"):
        diffraction_loss_db([0, 20, 10], [1, 1, 1], 10, 1.5, 900)
    with pytest.raises(ValidationError, match=">= 0"):
        diffraction_loss_db([-10, 0, 10], [1, 1, 1], 10, 1.5, 900)
    with pytest.raises(ValidationError, match="NaN") as err:
        diffraction_loss_db([0, 10, 20], [1, np.nan, 1], 10, 1.5, 900)
    assert "NaN" in err.value.vi
    with pytest.raises(ValidationError, match="equally spaced"):
        diffraction_loss_db([0, 10, 30, 40], [1, 1, 1, 1], 10, 1.5, 900)
    with pytest.raises(ValidationError, match="delta_bullington"):
        diffraction_loss_db([0, 10, 20], [1, 1, 1], 10, 1.5, 900, method="epstein")
    with pytest.raises(ValidationError, match="multi_edge"):
        diffraction_loss_db([0, 10, 20], [1, 1, 1], 10, 1.5, 900, correction="sometimes")
    with pytest.raises(ValidationError):
        terrain_config(ground_permittivity=0.5)
