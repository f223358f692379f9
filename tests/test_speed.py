"""Expected download speed (gis.analysis.speed): hand computations of SINR, TR 36.942, GPON."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from gis.analysis.speed import (
    SPEED_INDICATORS,
    SpeedGrids,
    fixed_speed_mbps,
    hamlet_fixed_speed,
    hamlet_mobile_speed,
    hamlet_speed_from_samples,
    noise_per_re_dbm,
    sinr_db,
    spectral_efficiency,
    speed_colour,
    speed_from_coverage,
    speed_grids,
    speed_indicator_flags,
    speed_legend,
    speed_samples,
)
from gis.analysis.speed_params import SpeedParams, SpeedTargets, band_label, speed_targets
from gis.errors import ValidationError

CRS = "EPSG:32648"
X0, Y0 = 500_000.0, 2_300_000.0
TR = Affine(100.0, 0.0, X0, 0.0, -100.0, Y0)  # 100 m cells, top-left corner at (X0, Y0)


def mw(dbm: float) -> float:
    return 10.0 ** (dbm / 10.0)


def shannon(x_db: float, alpha: float = 0.6, lo: float = -10.0, cap: float = 4.4) -> float:
    """TR 36.942 A.2, written out independently of the module."""
    if x_db < lo:
        return 0.0
    return min(alpha * math.log2(1.0 + 10.0 ** (x_db / 10.0)), cap)


def test_tr36942_curve_at_its_breakpoints():
    sinr_max = 10 * math.log10(2 ** (4.4 / 0.6) - 1)  # 22.05 dB
    assert sinr_max == pytest.approx(22.049, abs=1e-3)
    x = np.array([-10.01, -10.0, 0.0, 10.0, sinr_max, sinr_max + 5, np.nan])
    got = spectral_efficiency(x)
    np.testing.assert_allclose(got[:6], [0.0, 0.6 * math.log2(1.1), 0.6, 0.6 * math.log2(11),
                                         4.4, 4.4], rtol=1e-9)
    assert got[1] == pytest.approx(0.0825, abs=1e-4)
    assert np.isnan(got[6])
    # NR (TR 38.803): SINR_max 30 dB, 0.6 log2(1001) = 5.9803, rounded to 5.98 bit/s/Hz
    nr = spectral_efficiency(np.array([25.0, 30.0, 40.0]), se_max_bps_hz=5.98)
    np.testing.assert_allclose(nr, [0.6 * math.log2(1 + 10 ** 2.5), 5.98, 5.98])
    # two layers: the better of 1 x f(x) and 2 x f(x / 2)
    two = spectral_efficiency(np.array([30.0, 0.0, -8.0]), layers=2)
    np.testing.assert_allclose(two, [8.8, 1.2 * math.log2(1.5), 0.6 * math.log2(1 + mw(-8))])


def test_noise_per_resource_element():
    # -174 dBm/Hz + 10 log10(15 kHz) + 9 dB, and the same over 1200 subcarriers minus 30.79 dB
    assert noise_per_re_dbm(15) == pytest.approx(-174 + 41.7609 + 9, abs=1e-4)
    total = -174 + 10 * math.log10(1200 * 15e3) + 9
    assert noise_per_re_dbm(15) == pytest.approx(total - 10 * math.log10(1200))
    assert noise_per_re_dbm(30) == pytest.approx(-120.2288, abs=1e-4)
    assert sinr_db(np.array([-80.0]), np.array([mw(-80.0)]), -120.0)[0] == pytest.approx(40.0)


@pytest.fixture
def toy():
    """A 1 x 4 grid: Viettel 4G 1800 transmitters A and B, VNPT 4G 1800 transmitter C.

    RSRP (dBm):   cell 0   cell 1   cell 2   cell 3
      A (row 0)     -80      -85     -100     none
      B (row 1)     -90      -85      -70     none
      C (row 2)     -75      -75      -75     none
    """
    tx = pd.DataFrame({"operator": ["Viettel", "Viettel", "VNPT"], "tech": ["4G"] * 3,
                       "freq_mhz": [1842.5, 1842.5, 1865.0]})
    a = np.array([[-80.0, -85.0, -100.0, np.nan]])
    b = np.array([[-90.0, -85.0, -70.0, np.nan]])
    c = np.array([[-75.0, -75.0, -75.0, np.nan]])
    best = {("Viettel", "4G"): np.fmax(a, b).astype(np.float32),
            ("VNPT", "4G"): c.astype(np.float32)}
    server = {("Viettel", "4G"): np.array([[0, 0, 1, -1]], np.int32),
              ("VNPT", "4G"): np.array([[2, 2, 2, -1]], np.int32)}
    power = {("Viettel", "4G", 1842.5): np.nan_to_num(10 ** (a / 10) + 10 ** (b / 10)),
             ("VNPT", "4G", 1865.0): np.nan_to_num(10 ** (c / 10))}
    return best, server, tx, power


def test_two_transmitter_sinr_and_speed_by_hand(toy):
    best, server, tx, power = toy
    n = mw(-174 + 10 * math.log10(15e3) + 9)  # 4.745e-13 mW per RE
    params = SpeedParams(interference_load=1.0, load_factor=1.0, mimo_layers={"4G": 1, "5G": 1})
    grids = speed_grids(best, server, tx, power, params, transform=TR)
    # cell 0: S = A = 1e-8 mW, I = B = 1e-9 mW; cell 1: S = I = 10^-8.5; cell 2: S = B, I = A
    sinr = [10 * math.log10(mw(-80) / (mw(-90) + n)), 10 * math.log10(mw(-85) / (mw(-85) + n)),
            10 * math.log10(mw(-70) / (mw(-100) + n))]
    np.testing.assert_allclose(grids.sinr_db["Viettel", "4G"][0, :3], sinr, atol=1e-4)
    assert sinr[0] == pytest.approx(9.998, abs=1e-3) and sinr[2] == pytest.approx(29.98, abs=1e-2)
    # speed = SE x 18 MHz (100 RB x 12 x 15 kHz) x 1 (FDD) x 1 (load)
    expect = [shannon(x) * 18.0 for x in sinr]
    np.testing.assert_allclose(grids.mbps["Viettel", "4G"][0, :3], expect, rtol=1e-5)
    assert expect[2] == pytest.approx(79.2)  # 4.4 bit/s/Hz x 18 MHz
    assert expect[0] == pytest.approx(37.35, abs=0.01)
    # VNPT is alone on its carrier: noise-limited, 48.2 dB, capped at 4.4 bit/s/Hz
    np.testing.assert_allclose(grids.mbps["VNPT", "4G"][0, :3], 79.2, rtol=1e-6)
    # no signal: NaN
    assert np.isnan(grids.mbps["Viettel", "4G"][0, 3]) and np.isnan(grids.best()[0, 3])
    np.testing.assert_allclose(grids.best()[0, :3], [79.2, 79.2, 79.2], rtol=1e-6)


def test_defaults_halve_interference_and_share_the_cell(toy):
    best, server, tx, power = toy
    n = mw(noise_per_re_dbm(15))
    grids = speed_grids(best, server, tx, power, SpeedParams(), transform=TR)
    x = 10 * math.log10(mw(-80) / (0.5 * mw(-90) + n))  # 13.0 dB
    se = max(shannon(x), 2 * shannon(x - 10 * math.log10(2)))  # rank 2 wins
    assert se == pytest.approx(2 * 0.6 * math.log2(1 + mw(x) / 2))
    assert grids.mbps["Viettel", "4G"][0, 0] == pytest.approx(se * 18.0 * 0.5, rel=1e-5)


def test_missing_power_sum_is_a_clear_error(toy):
    best, server, tx, power = toy
    del power["VNPT", "4G", 1865.0]
    with pytest.raises(ValidationError, match="VNPT 4G 1865 MHz"):
        speed_grids(best, server, tx, power, transform=TR)


def test_single_transmitter_from_the_engine_is_noise_limited():
    from gis.radio.coverage import compute_coverage

    dem = np.zeros((40, 40), np.float32)
    tr = Affine(50.0, 0.0, X0, 0.0, -50.0, Y0 + 2000)
    tx = pd.DataFrame([{"operator": "Viettel", "tech": "4G", "x": X0 + 1000, "y": Y0 + 1000,
                        "height_m": 30.0, "freq_mhz": 1842.5, "azimuth_deg": np.nan,
                        "beamwidth_deg": 360.0, "tilt_deg": 0.0, "eirp_dbm": 61.0,
                        "max_radius_m": 1200.0}])
    cov = compute_coverage(tx, dem, tr, CRS)
    s = cov.best_dbm["Viettel", "4G"]
    power = {("Viettel", "4G", 1842.5): np.nan_to_num(10 ** (s.astype(float) / 10))}
    grids = speed_from_coverage(cov, power)
    r, c = 5, 30  # a cell 0.9 km away
    x = float(s[r, c]) - noise_per_re_dbm(15)
    se = max(shannon(x), 2 * shannon(x - 10 * math.log10(2)))
    assert grids.mbps["Viettel", "4G"][r, c] == pytest.approx(se * 18 * 0.5, rel=1e-4)
    assert np.isnan(grids.mbps["Viettel", "4G"][0, 0])  # 1.38 km: beyond the 1.2 km radius


def _grids(speeds: dict[str, list[float]]) -> SpeedGrids:
    """A 1 x 4 grid of 100 m cells with the given 4G speeds per operator (NaN: no signal)."""
    mbps = {(op, "4G"): np.array([v], np.float32) for op, v in speeds.items()}
    return SpeedGrids(transform=TR, shape=(1, 4), mbps=mbps)


def test_hamlet_population_weighted_median_and_best_operator():
    # hamlet 0: a polygon over cells 0-2 with 10, 30 and 60 people; hamlet 1: a point in cell 3
    # (no signal: 0 Mbit/s); hamlet 2: a point outside the grid (NaN)
    villages = gpd.GeoDataFrame(geometry=[
        shapely.box(X0 + 1, Y0 - 99, X0 + 299, Y0 - 1), shapely.Point(X0 + 350, Y0 - 50),
        shapely.Point(X0 + 5000, Y0 - 50)], crs=CRS)
    pop = np.array([[10.0, 30.0, 60.0, 0.0]])
    grids = _grids({"Viettel": [5.0, 50.0, 80.0, np.nan], "VNPT": [90.0, 60.0, 20.0, np.nan]})
    out = hamlet_mobile_speed(villages, grids, population=(pop, TR))
    # Viettel sorted 5 (10 people), 50 (30: 40 < 50), 80 (60: 100 >= 50) -> 80
    # VNPT sorted 20 (60 people >= 50) -> 20; best operator Viettel, 80 Mbit/s
    assert out["est_dl_mbps_viettel"].tolist()[:2] == [80.0, 0.0]
    assert out["est_dl_mbps_vnpt"].iloc[0] == 20.0
    assert out["est_dl_mbps_mobile"].iloc[0] == 80.0
    assert out["est_dl_mobile_operator"].iloc[0] == "Viettel"
    assert out["est_dl_mbps_mobile"].iloc[1] == 0.0
    assert np.isnan(out["est_dl_mbps_mobile"].iloc[2])
    assert pd.isna(out["est_dl_mobile_operator"].iloc[2])
    # 10 / 45 / 45 people: the median is the middle cell
    out = hamlet_mobile_speed(villages, grids, population=(np.array([[10.0, 45, 45, 0]]), TR))
    assert out["est_dl_mbps_viettel"].iloc[0] == 50.0
    # without a population raster: the three cells weigh the same -> 50 (Viettel), 60 (VNPT)
    out = hamlet_mobile_speed(villages, grids)
    assert out["est_dl_mbps_mobile"].iloc[0] == 60.0
    assert out["est_dl_mobile_operator"].iloc[0] == "VNPT"
    # the centre rule reads the cell of the polygon's centre (cell 1)
    out = hamlet_mobile_speed(villages, grids, params=SpeedParams(hamlet_stat="centre"))
    assert out["est_dl_mbps_mobile"].iloc[0] == 60.0


def test_gpon_share_arithmetic():
    # 2488.32 x 0.92 / (32 x 0.7 x 0.2) = 2289.25 / 4.48 = 511.0 Mbit/s, capped at 300
    assert fixed_speed_mbps() == 300.0
    assert fixed_speed_mbps(SpeedParams(plan_cap_mbps=1000.0)) == pytest.approx(
        2488.32 * 0.92 / 4.48)
    # 1:64, every port taken, a quarter active: 2289.25 / 16 = 143.08 Mbit/s
    p = SpeedParams(take_up=1.0, concurrency=0.25)
    assert fixed_speed_mbps(p, split_ratio=64) == pytest.approx(143.078, abs=1e-3)
    # fewer active users than one: the whole PON, capped
    assert fixed_speed_mbps(SpeedParams(concurrency=0.01, plan_cap_mbps=5000.0)) == \
        pytest.approx(2289.2544)
    est = hamlet_fixed_speed(pd.Series([True, False, pd.NA], dtype="boolean"), p, split_ratio=64)
    assert est.iloc[0] == pytest.approx(143.1) and est.iloc[1:].isna().all()
    # flags read back from a CSV
    est = hamlet_fixed_speed(pd.Series(["True", "False", None], dtype=object))
    assert est.iloc[0] == 300.0 and est.iloc[1:].isna().all()


def test_indicator_flags_against_the_preset_targets():
    hamlets = pd.DataFrame({"est_dl_mbps_mobile": [80.0, 69.9, np.nan],
                            "est_dl_mbps_fixed": [300.0, np.nan, np.nan],
                            "ftth": [True, False, None]})
    flags = speed_indicator_flags(hamlets, speed_targets("hai_hau_2025"))
    assert flags["hamlets_speed_mobile"].tolist() == [True, False, pd.NA]
    assert flags["hamlets_speed_fixed"].tolist() == [True, False, pd.NA]
    hamlets.loc[0, "est_dl_mbps_fixed"] = 120.0  # below Hải Hậu's 150, above Bình Phước's 95
    assert not speed_indicator_flags(hamlets, speed_targets("hai_hau_2025"))[
        "hamlets_speed_fixed"].iloc[0]
    assert speed_indicator_flags(hamlets, speed_targets("binh_phuoc_2023_2025"))[
        "hamlets_speed_fixed"].iloc[0]
    assert isinstance(speed_indicator_flags(hamlets, speed_targets("national"))[
        "hamlets_speed_fixed"], str)
    assert [d.indicator_id for d in SPEED_INDICATORS] == ["hamlets_speed_mobile",
                                                          "hamlets_speed_fixed"]
    assert all("estimate" in d.name_en and "ước tính" in d.name_vi for d in SPEED_INDICATORS)


def test_colour_ramp_and_legend():
    colours = speed_colour(np.array([0.0, 9.9, 10.0, 69.9, 70.0, 149.9, 150.0, np.nan]))
    assert colours.tolist() == ["#d73027", "#d73027", "#f46d43", "#fee08b", "#d9ef8b",
                                "#91cf60", "#1a9850", "#bdbdbd"]
    title, rows = speed_legend("vi")
    assert "ước tính" in title and len(rows) == 8 and rows[-1][0] == "#bdbdbd"


def test_parameters_are_validated():
    assert band_label(2550.0) == "2600" and band_label(945.0) == "900"
    p = SpeedParams()
    assert p.carrier("Viettel", "5G", 2550.0)["occupied_mhz"] == pytest.approx(98.28)
    assert p.carrier("VNPT", "4G", 945.0)["occupied_mhz"] == pytest.approx(9.0)  # 50 RB
    with pytest.raises(ValidationError, match="5G"):
        SpeedParams(bandwidth_mhz={"4G": 20.0})
    with pytest.raises(ValidationError, match="bandwidth"):
        SpeedParams(bandwidth_mhz={"4G": 7.0, "5G": 100.0})
    with pytest.raises(ValidationError, match="pop_median, centre"):
        SpeedParams(hamlet_stat="mean")
    with pytest.raises(ValidationError, match="load_factor"):
        SpeedParams(load_factor=0.0)
    with pytest.raises(ValidationError, match="binh_phuoc"):
        speed_targets("nowhere")
    with pytest.raises(ValidationError):
        SpeedTargets(share_target=2.0)


def test_tile_samples_concatenate_to_the_whole():
    # two 1 x 2 tiles of the 1 x 4 grid: the concatenated samples give the one-piece medians
    villages = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 1, Y0 - 99, X0 + 399, Y0 - 1)],
                                crs=CRS)
    pop = np.array([[10.0, 30.0, 60.0, 5.0]])
    whole = _grids({"Viettel": [5.0, 50.0, 80.0, np.nan]})
    expect = hamlet_mobile_speed(villages, whole, population=(pop, TR))
    parts = []
    for c0 in (0, 2):
        tr = TR * Affine.translation(c0, 0)
        tile = SpeedGrids(tr, (1, 2), {k: v[:, c0:c0 + 2] for k, v in whole.mbps.items()})
        parts.append(speed_samples(villages, tile, population=(pop, TR))[0])
    got = hamlet_speed_from_samples(pd.concat(parts, ignore_index=True), ["Viettel"],
                                    villages.index)
    pd.testing.assert_frame_equal(got, expect)
    # sorted: 0 Mbit/s (5 people, no signal), 5 (10), 50 (30): 45 < 105 / 2; 80 (60) -> 80
    assert got["est_dl_mbps_mobile"].iloc[0] == 80.0
