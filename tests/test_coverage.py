"""The coverage engine on constructed terrains."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine

from gis.errors import InputFileError, ValidationError
from gis.radio.coverage import (
    CoverageResult,
    compute_coverage,
    coverage_filename,
    point_rsrp_dbm,
)
from gis.radio.models import path_loss_db
from gis.radio.params import RadioParams

RES = 30.0
X0, Y0 = 600_000.0, 2_300_000.0
CRS = "EPSG:32648"
# 20 MHz LTE: RSRP = EIRP - 10 log10(1200) = EIRP - 30.7918 dB (per resource element)
RE_OFFSET_DB = -10 * math.log10(1200)


def grid(n: int) -> Affine:
    return Affine(RES, 0.0, X0, 0.0, -RES, Y0)


#: Hata's suburban correction at 1800 MHz, 2 (log10(1800/28))^2 + 5.4 = 11.938556 dB, which the
#: default median applies to COST-231 Hata (RadioParams.cost231_hata_classes).
SUBURBAN_1800_DB = 2 * math.log10(1800 / 28) ** 2 + 5.4


def centres(n: int) -> tuple[np.ndarray, np.ndarray]:
    c = np.arange(n)
    return np.meshgrid(X0 + (c + 0.5) * RES, Y0 - (c + 0.5) * RES)


def tx_table(rows: list[dict]) -> pd.DataFrame:
    """Omni antennas without vertical pattern unless a row says otherwise."""
    base = {"operator": "Viettel", "tech": "4G", "height_m": 30.0, "freq_mhz": 1800.0,
            "azimuth_deg": np.nan, "beamwidth_deg": 360.0, "tilt_deg": 0.0, "eirp_dbm": 61.0,
            "n_subcarriers": 1200, "vbeamwidth_deg": np.nan}
    return pd.DataFrame([{**base, **r} for r in rows])


def centre_xy(n: int) -> tuple[float, float]:
    # the centre of cell (n//2, n//2)
    return X0 + (n // 2 + 0.5) * RES, Y0 - (n // 2 + 0.5) * RES


def test_flat_ground_is_exactly_the_model():
    n = 161
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}])
    res = compute_coverage(tx, np.zeros((n, n), np.float32), grid(n), CRS, RadioParams())
    gx, gy = centres(n)
    d = np.hypot(gx - x, gy - y)
    # 1800 MHz -> COST-231 Hata, C_m = 0, with Hata's suburban class (ITU-R SM.2028 extended
    # Hata), evaluated directly from 1 km on; the omni antenna has no pattern at all
    far = d >= 1000
    pl = path_loss_db("cost231_hata", d[far], 1800.0, 30.0, 1.5, env="suburban",
                      force=True) - SUBURBAN_1800_DB
    got = res.best("4G", "Viettel")
    np.testing.assert_allclose(got[far], 61.0 + RE_OFFSET_DB - pl, atol=2e-3)
    # below 1 km the documented fallback (SM.2028 short range), as RadioParams applies it
    near = ~far
    med = RadioParams().median_path_loss_db(d[near], 1800.0, 30.0)
    np.testing.assert_allclose(got[near], 61.0 + RE_OFFSET_DB - med, atol=2e-3)
    # hand check at one cell: 1500 m east. COST-231 Hata (C_m = 0), suburban class:
    # 46.3 + 33.9 log10(1800) - 13.82 log10(30) - a(hm) + (44.9 - 6.55 log10 30) log10(1.5)
    #   - 2 (log10(1800/28))^2 - 5.4
    # a(hm) = (1.1 log10 f - 0.7) hm - (1.56 log10 f - 0.8)
    a_hm = (1.1 * math.log10(1800) - 0.7) * 1.5 - (1.56 * math.log10(1800) - 0.8)
    pl_hand = (46.3 + 33.9 * math.log10(1800) - 13.82 * math.log10(30) - a_hm
               + (44.9 - 6.55 * math.log10(30)) * math.log10(1.5)
               - 2 * math.log10(1800 / 28) ** 2 - 5.4)
    assert got[n // 2, n // 2 + 50] == pytest.approx(61.0 - 30.7918 - pl_hand, abs=0.01)
    assert res.server["Viettel", "4G"][n // 2, n // 2 + 50] == 0
    # the whole grid is within 10 km: every cell covered by the server 0
    assert (res.server["Viettel", "4G"] == 0).all()
    # the cells nearer than 1 km used COST-231 Hata's short-range fallback, and only those
    assert res.fallback_cells == {"cost231_hata": {"short_range": int(near.sum())}}


def test_omni_has_no_vertical_pattern_unless_given():
    n = 61
    x, y = centre_xy(n)
    flat = np.zeros((n, n), np.float32)
    plain = compute_coverage(tx_table([{"x": x, "y": y}]), flat, grid(n), CRS).best("4G")
    # an 8-degree vertical pattern given for the omni antenna: -min(12 (depression/8)^2, 20) dB
    given = compute_coverage(tx_table([{"x": x, "y": y, "vbeamwidth_deg": 8.0}]), flat,
                             grid(n), CRS).best("4G")
    gx, gy = centres(n)
    d = np.hypot(gx - x, gy - y)
    depression = np.degrees(np.arctan2(28.5, np.maximum(d, 1e-6)))
    np.testing.assert_allclose(given - plain, -np.minimum(12 * (depression / 8) ** 2, 20.0),
                               atol=2e-3)
    # 90 m from the mast the panel pattern costs SLA_V = 20 dB (depression 17.6 degrees), 600 m
    # away 12 (2.719 / 8)^2 = 1.387 dB; without it nothing
    assert (given - plain)[n // 2, n // 2 + 3] == pytest.approx(-20.0, abs=2e-3)
    assert (given - plain)[n // 2, n // 2 + 20] == pytest.approx(
        -12 * (math.degrees(math.atan2(28.5, 600.0)) / 8) ** 2, abs=2e-3)


def ridge_dem(n: int, col: int, height: float) -> np.ndarray:
    dem = np.zeros((n, n), np.float32)
    dem[:, col - 1:col + 2] = height
    return dem


def test_ridge_shadows_behind_not_in_front():
    n = 201
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}])
    flat = compute_coverage(tx, np.zeros((n, n), np.float32), grid(n), CRS).best("4G")
    ridge_col = n // 2 + 40  # 1.2 km east of the mast, 80 m high
    hilly = compute_coverage(tx, ridge_dem(n, ridge_col, 80.0), grid(n), CRS).best("4G")
    row = n // 2
    front = slice(n // 2 + 1, ridge_col - 3)
    behind = slice(ridge_col + 10, n)
    west = slice(0, n // 2)
    np.testing.assert_allclose(hilly[row, front], flat[row, front], atol=1e-4)
    np.testing.assert_allclose(hilly[row, west], flat[row, west], atol=1e-4)
    # behind an 80 m ridge 1.2 km away, more than 15 dB of diffraction loss
    assert np.all(hilly[row, behind] < flat[row, behind] - 15.0)
    # Deygout shadows too
    dey = compute_coverage(tx, ridge_dem(n, ridge_col, 80.0), grid(n), CRS,
                           RadioParams(diffraction="deygout")).best("4G")
    assert np.all(dey[row, behind] < flat[row, behind] - 15.0)
    np.testing.assert_allclose(dey[row, front], flat[row, front], atol=1e-4)


def smooth_terrain(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] / n
    z = np.zeros((n, n))
    for _ in range(6):
        kx, ky, ph = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.28)
        z += rng.uniform(10, 60) * np.sin(kx * 6.28 * xx + ph) * np.cos(ky * 6.28 * yy)
    return (z - z.min()).astype(np.float32)


def test_higher_antenna_never_covers_less():
    n = 181
    dem = smooth_terrain(n, 11)
    x, y = centre_xy(n)
    covered = []
    # Omni antennas (no vertical pattern): a tilted sector raised at the same tilt covers less
    # right under the mast (it overshoots; the vertical pattern is right to say so), so the
    # terrain + median property is tested without that effect.
    for h in (15.0, 30.0, 45.0):
        rows = [{"x": x, "y": y, "height_m": h}]
        best = compute_coverage(tx_table(rows), dem, grid(n), CRS).best("4G")
        covered.append(best >= -110.0)
    for low, high in itertools.pairwise(covered):
        assert not np.any(low & ~high)
        assert high.sum() >= low.sum()
    assert covered[0].sum() < covered[-1].sum()  # and the terrain matters here


def test_sector_points_where_its_azimuth_says():
    n = 161
    x, y = centre_xy(n)
    flat = np.zeros((n, n), np.float32)
    omni = compute_coverage(tx_table([{"x": x, "y": y, "vbeamwidth_deg": 8.0}]), flat, grid(n),
                            CRS).best("4G")
    for az in (0.0, 90.0, 215.0):
        tx = tx_table([{"x": x, "y": y, "azimuth_deg": az, "beamwidth_deg": 65.0,
                        "vbeamwidth_deg": 8.0}])
        # the sector minus the omni antenna: its horizontal pattern alone
        best = compute_coverage(tx, flat, grid(n), CRS).best("4G") - omni
        gx, gy = centres(n)
        d = np.hypot(gx - x, gy - y)
        ring = (d > 1900) & (d < 2100)
        bearing = np.degrees(np.arctan2(gx - x, gy - y)) % 360
        strongest = bearing[ring][np.argmax(best[ring])]
        assert abs((strongest - az + 180) % 360 - 180) < 3.0
        # -3 dB at half the beamwidth (32.5 degrees off boresight)
        off = np.abs((bearing[ring] - az - 32.5 + 180) % 360 - 180)
        assert best[ring][np.argmin(off)] == pytest.approx(-3.0, abs=0.3)
        # front-to-back: boresight vs the back at the same distance, A_m = 25 dB (TR 36.814)
        front = best[ring][np.argmin(np.abs((bearing[ring] - az + 180) % 360 - 180))]
        back = best[ring][np.argmin(np.abs((bearing[ring] - az) % 360 - 180))]
        assert front - back == pytest.approx(25.0, abs=0.5)


def _many_sites(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(6):
        x = X0 + rng.uniform(0, n * RES)
        y = Y0 - rng.uniform(0, n * RES)
        op = ("Viettel", "MobiFone")[i % 2]
        for a in (0.0, 120.0, 240.0):
            rows.append({"x": x, "y": y, "operator": op, "azimuth_deg": a, "beamwidth_deg": 65.0,
                         "tilt_deg": 3.0, "height_m": float(rng.uniform(20, 45)),
                         "max_radius_m": 2000.0})
    return tx_table(rows)


def test_tiles_equal_the_whole():
    n = 140
    dem = smooth_terrain(n, 2)
    tx = _many_sites(n)
    whole = compute_coverage(tx, dem, grid(n), CRS, power_sums=True)
    threaded = compute_coverage(tx, dem, grid(n), CRS, threads=2, power_sums=True)
    for key in whole.keys:
        np.testing.assert_array_equal(threaded.best_dbm[key], whole.best_dbm[key])
        np.testing.assert_array_equal(threaded.server[key], whole.server[key])
    assert threaded.power_sum_mw.keys() == whole.power_sum_mw.keys()
    for key in whole.power_sum_mw:
        np.testing.assert_array_equal(threaded.power_sum_mw[key], whole.power_sum_mw[key])
    assert threaded.fallback_cells == whole.fallback_cells
    halo = math.ceil(2000.0 / RES) + 2
    tiles_fallbacks: dict[str, dict[str, int]] = {}
    for r0 in (0, 70):
        for c0 in (0, 50, 100):
            h, w = 70, min(50, n - c0)
            tile = compute_coverage(tx, dem, grid(n), CRS, window=(r0, c0, h, w),
                                    power_sums=True)
            # the same with only the tile + halo of the DEM in memory
            a0, b0 = max(0, r0 - halo), max(0, c0 - halo)
            a1, b1 = min(n, r0 + h + halo), min(n, c0 + w + halo)
            sub_tr = grid(n) * Affine.translation(b0, a0)
            cut = compute_coverage(tx, dem[a0:a1, b0:b1], sub_tr, CRS,
                                   window=(r0 - a0, c0 - b0, h, w), power_sums=True)
            assert tile.transform == whole.transform * Affine.translation(c0, r0)
            assert cut.transform == tile.transform
            for key in whole.keys:
                ref = whole.best_dbm[key][r0:r0 + h, c0:c0 + w]
                np.testing.assert_array_equal(tile.best_dbm[key], ref)
                np.testing.assert_array_equal(cut.best_dbm[key], ref)
                np.testing.assert_array_equal(tile.server[key],
                                              whole.server[key][r0:r0 + h, c0:c0 + w])
            for key, arr in whole.power_sum_mw.items():
                np.testing.assert_array_equal(tile.power_sum_mw[key], arr[r0:r0 + h, c0:c0 + w])
                np.testing.assert_array_equal(cut.power_sum_mw[key], arr[r0:r0 + h, c0:c0 + w])
            assert cut.fallback_cells == tile.fallback_cells
            for model, counts in tile.fallback_cells.items():
                acc = tiles_fallbacks.setdefault(model, {})
                for name, c in counts.items():
                    acc[name] = acc.get(name, 0) + c
    # the tiles partition the grid: their fallback counts add up to the whole's
    assert tiles_fallbacks == whole.fallback_cells


def test_power_sums_hand_value():
    """Two omni transmitters of one operator on one carrier, 600 m apart on flat ground."""
    n = 161
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}, {"x": x + 600.0, "y": y, "eirp_dbm": 58.0},
                   {"x": x, "y": y, "operator": "MobiFone", "freq_mhz": 2100.0}])
    res = compute_coverage(tx, np.zeros((n, n), np.float32), grid(n), CRS, power_sums=True)
    assert sorted(res.power_sum_mw) == [("MobiFone", "4G", 2100.0), ("Viettel", "4G", 1800.0)]
    # a cell 1500 m west of the first mast (2100 m from the second): both beyond 1 km, so
    # S_i = EIRP_i - 30.7918 - L(d_i) with COST-231 Hata (suburban class) of test 1
    r, c = n // 2, n // 2 - 50
    med = RadioParams().median_path_loss_db(np.array([1500.0, 2100.0]), 1800.0, 30.0)
    s1, s2 = 61.0 + RE_OFFSET_DB - med[0], 58.0 + RE_OFFSET_DB - med[1]
    assert res.best_dbm["Viettel", "4G"][r, c] == pytest.approx(s1, abs=2e-3)
    psum = res.power_sum_mw["Viettel", "4G", 1800.0][r, c]
    assert psum == pytest.approx(10 ** (s1 / 10) + 10 ** (s2 / 10), rel=1e-5)
    # SINR of the best server with a noise floor, as the module doc writes it
    noise_mw = 10 ** (-125.2 / 10)  # thermal noise per 15 kHz RE + 7 dB noise figure
    sinr_db = 10 * math.log10(10 ** (s1 / 10) / (psum - 10 ** (s1 / 10) + noise_mw))
    assert sinr_db == pytest.approx(10 * math.log10(10 ** (s1 / 10)
                                                    / (10 ** (s2 / 10) + noise_mw)), abs=1e-3)
    # without power_sums nothing is accumulated
    assert compute_coverage(tx, np.zeros((n, n), np.float32), grid(n), CRS).power_sum_mw == {}


def test_geotiffs_and_sampling(tmp_path):
    n = 101
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}, {"x": x, "y": y, "operator": "VinaPhone",
                                       "eirp_dbm": 55.0, "max_radius_m": 600.0}])
    res = compute_coverage(tx, np.zeros((n, n), np.float32), grid(n), CRS)
    paths = res.write(tmp_path)
    assert sorted(p.name for p in paths.values()) == ["coverage_viettel_4g.tif",
                                                      "coverage_vinaphone_4g.tif"]
    assert coverage_filename("Viettel", "4G") == "coverage_viettel_4g.tif"
    with rasterio.open(tmp_path / "coverage_vinaphone_4g.tif") as src:
        assert src.crs.to_epsg() == 32648 and src.dtypes[0] == "float32"
        assert src.transform == grid(n) and np.isnan(src.nodata)
        arr = src.read(1)
    np.testing.assert_array_equal(arr, res.best_dbm["VinaPhone", "4G"])
    assert np.isnan(arr[0, 0]) and np.isfinite(arr[n // 2, n // 2])  # 600 m radius
    with rasterio.open(tmp_path / "server_vinaphone_4g.tif") as src:
        assert src.dtypes[0] == "int32" and src.nodata == -1 and src.read(1)[0, 0] == -1
    # read back: same keys (canonical operator names from the tags), arrays and grid
    back = CoverageResult.read(tmp_path)
    assert back.keys == res.keys and back.transform == res.transform
    for key in res.keys:
        np.testing.assert_array_equal(back.best_dbm[key], res.best_dbm[key])
        np.testing.assert_array_equal(back.server[key], res.server[key])
    with pytest.raises(InputFileError):
        CoverageResult.read(tmp_path / "nothing")
    # best over operators is the max; sample() reads cells, NaN outside the grid
    both = res.best("4G")
    np.testing.assert_array_equal(both, np.fmax(res.best("4G", "Viettel"),
                                                res.best("4G", "VinaPhone")))
    s = res.sample(np.array([[x, y], [X0 - 100, Y0 + 100]]), "4G", "Viettel")
    assert s[0] == res.best_dbm["Viettel", "4G"][n // 2, n // 2] and np.isnan(s[1])
    assert np.isnan(res.best("5G")).all()


def test_point_rsrp_matches_model_and_terrain():
    n = 201
    x, y = centre_xy(n)
    rx = np.array([[x + 900.0, y], [x + 3000.0, y], [x - 3000.0, y], [x + 20_000.0, y]])
    flat = point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, rx, None, None)
    pl = path_loss_db("cost231_hata", np.array([900.0, 3000.0, 3000.0]), 1800.0, 30.0, 1.5,
                      env="suburban", force=True) - SUBURBAN_1800_DB
    np.testing.assert_allclose(flat[0, :3], 61.0 + RE_OFFSET_DB - pl, atol=1e-9)
    assert np.isnan(flat[0, 3])  # beyond the 10 km 4G radius
    ridge = point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, rx, ridge_dem(n, n // 2 + 40, 80.0),
                           grid(n))
    assert ridge[0, 0] == pytest.approx(flat[0, 0], abs=1e-9)  # in front of the ridge
    assert ridge[0, 2] == pytest.approx(flat[0, 2], abs=1e-9)  # west, no ridge
    assert ridge[0, 1] < flat[0, 1] - 15.0  # behind it
    # agrees with the engine's omni cell (polar approximation) within a dB
    tx = tx_table([{"x": x, "y": y}])
    eng = compute_coverage(tx, ridge_dem(n, n // 2 + 40, 80.0), grid(n), CRS)
    cell = eng.sample(rx[1:2], "4G")[0]
    assert cell == pytest.approx(ridge[0, 1], abs=1.0)
    # every method gives the engine and the profile the same terrain term (nearly: polar grid)
    for method in ("bullington", "deygout", "none"):
        p = RadioParams(diffraction=method)
        one = point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, rx[1:2], ridge_dem(n, n // 2 + 40, 80.0),
                             grid(n), p)[0, 0]
        eng = compute_coverage(tx, ridge_dem(n, n // 2 + 40, 80.0), grid(n), CRS, p)
        assert eng.sample(rx[1:2], "4G")[0] == pytest.approx(one, abs=1.0)


def test_bad_inputs_are_clear_errors():
    n = 20
    tx = tx_table([{"x": X0 + 300, "y": Y0 - 300}])
    with pytest.raises(ValidationError, match="eirp_dbm"):
        compute_coverage(tx.drop(columns="eirp_dbm"), np.zeros((n, n)), grid(n), CRS)
    with pytest.raises(ValidationError, match="Window"):
        compute_coverage(tx, np.zeros((n, n)), grid(n), CRS, window=(10, 10, 20, 20))
    bad = tx.assign(height_m=-5.0)
    with pytest.raises(ValidationError) as err:
        compute_coverage(bad, np.zeros((n, n)), grid(n), CRS)
    assert err.value.rows == [0]
    dem = np.zeros((n, n), np.float32)
    dem[3, 3] = np.nan
    res = compute_coverage(tx, dem, grid(n), CRS)
    assert any("sea level" in w for w in res.warnings)


def test_kernels_without_jit_agree(tmp_path):
    """The numba kernels also run as plain Python (NUMBA_DISABLE_JIT=1) with the same result."""
    n = 41
    dem = smooth_terrain(n, 4)
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y, "azimuth_deg": 45.0, "beamwidth_deg": 65.0,
                    "max_radius_m": 500.0}])
    jit = compute_coverage(tx, dem, grid(n), CRS).best("4G")
    np.save(tmp_path / "dem.npy", dem)
    tx.to_json(tmp_path / "tx.json")
    par = compute_coverage(tx, dem, grid(n), CRS, threads=2, power_sums=True)
    code = (
        "import numpy as np, pandas as pd, json, sys\n"
        "from affine import Affine\n"
        "from gis.radio.coverage import compute_coverage\n"
        f"dem = np.load(r'{tmp_path / 'dem.npy'}')\n"
        f"tx = pd.read_json(r'{tmp_path / 'tx.json'}')\n"
        f"tr = Affine({RES}, 0, {X0}, 0, -{RES}, {Y0})\n"
        "r = compute_coverage(tx, dem, tr, 'EPSG:32648', power_sums=True)\n"
        "b = r.best('4G')\n"
        "q = compute_coverage(tx, dem, tr, 'EPSG:32648', threads=2).best('4G')\n"
        f"np.save(r'{tmp_path / 'out.npy'}', b)\n"
        f"np.save(r'{tmp_path / 'par.npy'}', q)\n"
        f"np.save(r'{tmp_path / 'psum.npy'}', next(iter(r.power_sum_mw.values())))\n"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root)
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), jit, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(np.load(tmp_path / "par.npy"), jit, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(np.load(tmp_path / "psum.npy"),
                               next(iter(par.power_sum_mw.values())), rtol=1e-4)


def test_pattern_kernel_equals_antenna_module():
    """The engine's fused pattern is gis.radio.antenna.sector_gain_db, angle for angle."""
    from gis.radio import _kernels as K
    from gis.radio.antenna import sector_gain_db

    rng = np.random.default_rng(9)
    n = 2000
    az = rng.uniform(0, 360, n)
    elev = rng.uniform(-60, 10, n)
    for azimuth, bw, tilt, vbw in ((30.0, 65.0, 4.0, 8.0), (np.nan, 360.0, 2.0, 10.0),
                                   (300.0, 90.0, -2.0, 12.0), (np.nan, 360.0, 0.0, np.nan),
                                   (45.0, 65.0, 3.0, np.nan)):
        got = np.array([K.pattern_gain_db(a, e, azimuth, bw, tilt, vbw, 25.0, 20.0)
                        for a, e in zip(az, elev, strict=True)])
        ref = sector_gain_db(az, elev, azimuth_deg=azimuth, beamwidth_deg=bw, tilt_deg=tilt,
                             vbeamwidth_deg=vbw, front_to_back_db=25.0, sla_v_db=20.0)
        np.testing.assert_allclose(got, ref, atol=1e-9)
    assert np.all(sector_gain_db(az, elev, azimuth_deg=np.nan, vbeamwidth_deg=np.nan) == 0.0)


def test_transmitter_kernel_applies_the_antenna_module_pattern():
    """apply_transmitter (the pattern's per-transmitter terms taken once per transmitter) gives
    every cell base - common + sector_gain_db, for azimuths beyond 360 and below 0 degrees too
    (the same sector as the azimuth modulo 360)."""
    from gis.radio import _kernels as K
    from gis.radio.antenna import sector_gain_db

    rng = np.random.default_rng(11)
    n = 500
    az = rng.uniform(0, 360, n).astype(np.float32)
    elev = rng.uniform(-40, 5, n).astype(np.float32)
    common = rng.uniform(80, 160, n).astype(np.float32)
    one = np.zeros(1, np.int64)
    for azimuth, same_as, bw, tilt, vbw in ((390.0, 30.0, 65.0, 4.0, 8.0),
                                            (-60.0, 300.0, 90.0, 2.0, np.nan),
                                            (np.nan, np.nan, 360.0, 3.0, 10.0)):
        best = np.full((1, n), np.nan, np.float32)
        server = np.full((1, n), -1, np.int32)
        K.apply_transmitter(0, 1, one, one + n - 1, one, 0.0, 0.0, 1.0, 1.0, 0, 0, az, elev,
                            True, common, 60.0, azimuth, bw, tilt, vbw, 25.0, 20.0, 1e9, 7,
                            best, server, np.zeros((1, 1), np.float32), False)
        gain = sector_gain_db(az.astype(float), elev.astype(float), azimuth_deg=same_as,
                              beamwidth_deg=bw, tilt_deg=tilt, vbeamwidth_deg=vbw,
                              front_to_back_db=25.0, sla_v_db=20.0)
        np.testing.assert_allclose(best[0], 60.0 + gain - common, atol=1e-4)
        assert np.all(server == 7)


def test_fast_atan2_equals_math():
    from gis.radio import _kernels as K

    rng = np.random.default_rng(4)
    for y, x in rng.normal(0, 1, (5000, 2)) * rng.choice([1e-3, 1.0, 1e4], (5000, 1)):
        assert K.atan2_fast(y, x) == pytest.approx(math.atan2(y, x), abs=3e-9)
    for y, x in ((0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 0.0), (1.0, 1.0)):
        assert K.atan2_fast(y, x) == pytest.approx(math.atan2(y, x), abs=3e-9)


def test_per_ray_model_hook():
    """A per-ray model (ITM's shape) through the engine's sweep: free space along every ray."""
    from gis.radio import _kernels as K

    n = 41
    dem = smooth_terrain(n, 6).astype(np.float64)
    col0 = row0 = n // 2 + 0.25
    rad, step = 500.0, RES
    n_rays = math.ceil(2 * math.pi * rad / step)
    n_steps = math.ceil(rad / step) + 1
    lo, hi, start = (np.empty(n, np.int64) for _ in range(3))
    m = K.cell_rows(0, n, 0, n, col0, row0, RES, RES, rad, lo, hi, start)
    need = np.zeros(n_rays * n_steps, np.uint8)
    pidx = np.empty(m, np.int32)
    K.cell_layout(0, n, lo, hi, start, col0, row0, RES, RES, step, n_rays, n_steps, dem, 0.0, 1.5,
                  False, need, pidx, np.empty(1, np.float32), np.empty(1, np.float32))
    loss = np.full((1, n_rays * n_steps), np.nan, np.float32)
    K.sweep_ray_model(K.free_space_ray_losses, dem, col0, row0, RES, RES, 30.0, 1.5, step, 0,
                      n_rays, n_rays, need, np.array([1800.0]), 0, loss)
    common = np.empty(m, np.float32)
    K.cell_common_loss(0, n, lo, hi, start, col0, row0, RES, RES, loss, 0, pidx, -1, 1800.0, 30.0,
                       0.0, np.empty(1, np.float32), False, 1.5, 1, False, True, 5.0, 20.0, 20.0,
                       0.0, np.zeros((1, 1), np.uint8), np.zeros(256), False, rad, common,
                       np.zeros(5, np.int64))
    # every cell got the model's loss of its sample: free space over the sample's 3-D distance
    z = np.empty(n_steps + 1)
    for k in (0, m // 3, m - 1):
        s, a = divmod(int(pidx[k]), n_rays)
        K.ray_profile(dem, a, n_rays, col0, row0, RES, RES, step, s + 1, z)
        d3 = math.hypot((s + 1) * step, z[0] + 30.0 - z[s + 1] - 1.5)
        fs = 20 * math.log10(4 * math.pi * d3 * 1800e6 / 299_792_458.0)
        assert common[k] == pytest.approx(fs, abs=1e-4)
    assert np.isfinite(common).all()


def test_clutter_loss_and_effective_height():
    n = 121
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}])
    flat = np.zeros((n, n), np.float32)
    ref = compute_coverage(tx, flat, grid(n), CRS).best("4G")
    # ESA WorldCover: west half tree cover (10: +6 dB by default), east half cropland (40: 0 dB),
    # one unknown class (99: 0 dB) and one NaN cell (0 dB)
    lc = np.full((n, n), 40.0)
    lc[:, : n // 2] = 10.0
    lc[0, -1], lc[-1, -1] = 99.0, np.nan
    got = compute_coverage(tx, flat, grid(n), CRS, landcover=lc).best("4G")
    np.testing.assert_allclose(got[:, : n // 2], ref[:, : n // 2] - 6.0, atol=1e-4)
    np.testing.assert_allclose(got[:, n // 2:], ref[:, n // 2:], atol=1e-4)
    with pytest.raises(ValidationError, match="not aligned"):
        compute_coverage(tx, flat, grid(n), CRS, landcover=lc[:-1])
    # effective height: on flat ground the profile mean is the site's ground, same result;
    # a mast on a 60 m plateau above a plain gains on the plain with "profile_mean"
    same = compute_coverage(tx, flat, grid(n), CRS,
                            RadioParams(effective_height="profile_mean")).best("4G")
    np.testing.assert_allclose(same, ref, atol=1e-4)
    plateau = flat.copy()
    plateau[n // 2 - 3:n // 2 + 4, n // 2 - 3:n // 2 + 4] = 60.0
    ground = compute_coverage(tx, plateau, grid(n), CRS).best("4G")
    mean = compute_coverage(tx, plateau, grid(n), CRS,
                            RadioParams(effective_height="profile_mean")).best("4G")
    far = (slice(n // 2, n // 2 + 1), slice(n // 2 + 40, n))
    assert np.all(mean[far] > ground[far] + 3.0)
    with pytest.raises(ValidationError):
        RadioParams(effective_height="okumura")


def test_engine_agrees_with_exact_profiles_on_hilly_terrain():
    """The polar sweep (nearest ray sample) against one exact DEM profile per cell."""
    n = 161
    dem = smooth_terrain(n, 21)
    x, y = centre_xy(n)
    tx = tx_table([{"x": x, "y": y}])
    eng = compute_coverage(tx, dem, grid(n), CRS)
    rng = np.random.default_rng(8)
    rc = rng.integers(0, n, (300, 2))
    pts = np.column_stack([X0 + (rc[:, 1] + 0.5) * RES, Y0 - (rc[:, 0] + 0.5) * RES])
    d = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
    keep = d > 300
    pts, d = pts[keep], d[keep]
    exact = point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, pts, dem, grid(n))[0]
    got = eng.sample(pts, "4G")
    diff = np.abs(got - exact)
    assert (exact < -100).any()  # the terrain shadows part of the area
    assert np.median(diff) < 0.3 and np.percentile(diff, 90) < 2.0


def test_carriers_of_one_position_each_to_its_own_radius():
    """A 2G 900 MHz (2 km) and a 3G 2100 MHz (1 km) antenna on one mast: each carrier is
    computed only to its own radius, with the same values as on its own over the same polar grid
    (the grid follows the position's largest radius), and counts fallbacks over its own cells."""
    n = 161
    dem = smooth_terrain(n, 9)
    x, y = centre_xy(n)
    rows = [{"x": x, "y": y, "tech": "2G", "freq_mhz": 900.0, "max_radius_m": 2000.0,
             "n_subcarriers": np.nan, "eirp_dbm": 56.0},
            {"x": x, "y": y, "tech": "3G", "freq_mhz": 2100.0, "max_radius_m": 1000.0,
             "n_subcarriers": np.nan, "eirp_dbm": 58.0}]
    both = compute_coverage(tx_table(rows), dem, grid(n), CRS)
    alone_2g = compute_coverage(tx_table(rows[:1]), dem, grid(n), CRS)
    np.testing.assert_array_equal(both.best_dbm["Viettel", "2G"], alone_2g.best_dbm["Viettel", "2G"])
    # the 3G antenna alone with a 2 km radius has the same polar grid: equal within 1 km
    wide_3g = compute_coverage(tx_table([{**rows[1], "max_radius_m": 2000.0}]), dem, grid(n), CRS)
    gx, gy = centres(n)
    inside = np.hypot(gx - x, gy - y) <= 1000.0
    got = both.best_dbm["Viettel", "3G"]
    np.testing.assert_array_equal(got[inside], wide_3g.best_dbm["Viettel", "3G"][inside])
    assert np.isnan(got[~inside]).all()
    alone_3g = compute_coverage(tx_table(rows[1:]), dem, grid(n), CRS)
    # both carriers' cells are all within 1 km or 2 km (Hata's short range below 1 km)
    merged = {m: dict(c) for m, c in alone_2g.fallback_cells.items()}
    for m, c in alone_3g.fallback_cells.items():
        for k, v in c.items():
            merged.setdefault(m, {})[k] = merged.get(m, {}).get(k, 0) + v
    assert both.fallback_cells == merged
