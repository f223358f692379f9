"""ITM (Longley-Rice) as a model of the coverage engine: along its radials, cell for cell.

The reference everywhere is the per-path function :func:`gis.radio.itm.itm_p2p` (itself checked
against NTIA's C++ in tests/test_itm.py) on the profile the engine takes for a cell: the ray
of the cell's polar sample, from the ground at the antenna to that sample
(:func:`gis.radio._kernels.ray_profile`).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from affine import Affine

from gis.errors import ValidationError
from gis.radio import _itm as I
from gis.radio import _kernels as K
from gis.radio.coverage import compute_coverage, point_rsrp_dbm
from gis.radio.itm import itm_p2p
from gis.radio.itm_params import ItmParams
from gis.radio.params import RadioParams

RES = 30.0
X0, Y0 = 600_000.0, 2_300_000.0
CRS = "EPSG:32648"
#: RSRP per resource element of a 20 MHz LTE carrier (1200 subcarriers), dB.
RE_OFFSET_DB = -10 * math.log10(1200)
#: Every carrier with ITM.
ITM_ALL = RadioParams(model_rules=[{"max_freq_mhz": 100_000.0, "model": "itm"}])
#: ITM up to 1000 MHz (700/900), the empirical models above.
ITM_LOW = RadioParams(model_rules=[{"max_freq_mhz": 1000.0, "model": "itm"},
                                   {"max_freq_mhz": 2200.0, "model": "cost231_hata"},
                                   {"max_freq_mhz": 100_000.0, "model": "rma"}])


def grid(res: float = RES) -> Affine:
    return Affine(res, 0.0, X0, 0.0, -res, Y0)


def hills(n: int, seed: int, relief: float = 120.0) -> np.ndarray:
    """Smooth hills (m) with ridges high enough to shadow part of a 1-2 km site."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] / n
    z = np.full((n, n), 40.0)
    for _ in range(6):
        kx, ky, ph = rng.uniform(1, 5), rng.uniform(1, 5), rng.uniform(0, 2 * math.pi)
        z += relief / 6 * np.sin(kx * 2 * math.pi * xx + ph) * np.cos(ky * 2 * math.pi * yy)
    return z


def tx_table(rows: list[dict]) -> pd.DataFrame:
    base = {"operator": "Viettel", "tech": "4G", "height_m": 30.0, "freq_mhz": 1800.0,
            "azimuth_deg": np.nan, "beamwidth_deg": 360.0, "tilt_deg": 0.0, "eirp_dbm": 61.0,
            "n_subcarriers": 1200, "vbeamwidth_deg": np.nan}
    return pd.DataFrame([{**base, **r} for r in rows])


def centre(n: int, res: float = RES) -> tuple[float, float, float, float]:
    """(x, y, col, row) of the centre of cell (n//2, n//2), a quarter cell off."""
    col = row = n // 2 + 0.25
    return X0 + (col + 0.5) * res, Y0 - (row + 0.5) * res, col, row


def layout(n: int, col0: float, row0: float, radius: float, res: float = RES,
           step: float = RES) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """The engine's cells within ``radius`` of the antenna and their polar samples:
    (rows, cols, pidx, n_rays, n_steps), from the engine's own kernels."""
    lo, hi, start = (np.empty(n, np.int64) for _ in range(3))
    m = K.cell_rows(0, n, 0, n, col0, row0, res, res, radius, lo, hi, start)
    n_rays = max(8, math.ceil(2 * math.pi * radius / step))
    n_steps = math.ceil(radius * math.sqrt(2) / step) + 2
    need = np.zeros(n_rays * n_steps, np.uint8)
    pidx = np.empty(m, np.int32)
    K.cell_layout(0, n, lo, hi, start, col0, row0, res, res, step, n_rays, n_steps,
                  np.zeros((n, n)), 0.0, 1.5, False, need, pidx, np.empty(1, np.float32),
                  np.empty(1, np.float32))
    rows = np.concatenate([np.full(max(0, hi[i] - lo[i] + 1), i) for i in range(n)])
    cols = np.concatenate([np.arange(lo[i], hi[i] + 1) for i in range(n)])
    return rows, cols, pidx, n_rays, n_steps


def p2p_of_sample(dem, col0, row0, p, n_rays, step, freq, h_tx=30.0, params=ITM_ALL):
    """itm_p2p on the engine's profile of polar sample ``p`` (flat index s * n_rays + a)."""
    s, a = divmod(int(p), n_rays)
    z = np.empty(s + 2)
    K.ray_profile(np.ascontiguousarray(dem, dtype=float), a, n_rays, col0, row0, RES, RES, step,
                  s + 1, z)
    return itm_p2p(z, step, freq_mhz=freq, tx_height_m=h_tx, rx_height_m=1.5,
                   params=params.itm)


def test_every_cell_is_itm_p2p_on_the_engines_profile():
    n = 81
    dem = hills(n, 3)
    x, y, col0, row0 = centre(n)
    rad = 1100.0
    rows, cols, pidx, n_rays, n_steps = layout(n, col0, row0, rad)
    # the driver alone, float64: every needed sample equals the per-path function to 1e-6 dB
    need = np.zeros(n_rays * n_steps, np.uint8)
    need[pidx] = 1
    loss = np.full((1, need.size), np.nan)
    mode = np.zeros((1, need.size), np.int8)
    warn = np.zeros((1, need.size), np.int32)
    code = I.itm_sweep(dem, col0, row0, RES, RES, 30.0, 1.5, RES, 0, n_rays, n_rays, need,
                       np.array([rad + RES]), 3, 340.0, np.array([1800.0]), 1, 15.0, 0.005, 12,
                       50.0, 50.0, 50.0, 0, loss, mode, warn)
    assert code == 0
    rng = np.random.default_rng(1)
    some = rng.choice(np.unique(pidx), 120, replace=False)
    for p in some:
        ref = p2p_of_sample(dem, col0, row0, p, n_rays, RES, 1800.0)
        assert loss[0, p] == pytest.approx(ref.path_loss_db, abs=1e-6)
        assert mode[0, p] == {"line_of_sight": 1, "diffraction": 2, "troposcatter": 3}[ref.mode]
        assert warn[0, p] == ref.warnings
    # the raster: RSRP = EIRP + RE offset - ITM (float32), no median, no terrain term added
    tx = tx_table([{"x": x, "y": y, "max_radius_m": rad}])
    res = compute_coverage(tx, dem, grid(), CRS, ITM_ALL)
    got = res.best("4G")
    assert np.isfinite(got[rows, cols]).all()
    for k in rng.choice(len(pidx), 150, replace=False):
        ref = p2p_of_sample(dem, col0, row0, pidx[k], n_rays, RES, 1800.0)
        assert got[rows[k], cols[k]] == pytest.approx(61.0 + RE_OFFSET_DB - ref.path_loss_db,
                                                      abs=1e-4)
    # the hills shadow part of the area: ITM's losses there are well above free space
    fs = 20 * np.log10(4 * np.pi * 1000.0 * 1800e6 / 299_792_458.0)
    assert (61.0 + RE_OFFSET_DB - got[rows, cols] > fs + 30).any()
    # counts: one per cell; ITM flags every path under 1 km (0x40), hand-counted here
    assert sum(res.itm_modes[1800.0].values()) == len(pidx)
    sample_m = (pidx // n_rays + 1) * RES
    assert res.itm_warnings[1800.0]["path_distance_too_small_2"] == int((sample_m < 1000).sum())
    assert res.fallback_cells == {}


def test_itm_modes_on_flat_ground_hand_values():
    """ITM's mode is the region of its reference curve: line of sight short of the smooth-earth
    horizon distance d_sML = sqrt(2 h_e0 a_e) + sqrt(2 h_e1 a_e) (Hufford 1995; on flat ground
    h_e = h), diffraction beyond it, troposcatter beyond d_x. N_s = N_0 = 340 on ground at 0 m,
    gamma_e = 157e-9 (1 - 0.04665 exp(340 / 179.3)) = 1.0821e-7 / m, a_e = 9,240.9 km:
    d_sML = sqrt(2 * 10 * 9,240,879) + sqrt(2 * 1.5 * 9,240,879) = 13,595 + 5,265 = 18,860 m
    for a 10 m mast and a 1.5 m receiver."""
    res_m = 500.0
    n = 291
    gamma = 157e-9 * (1 - 0.04665 * math.exp(340 / 179.3))
    d_sml = math.sqrt(2 * 10 / gamma) + math.sqrt(2 * 1.5 / gamma)
    assert d_sml == pytest.approx(18_860.0, abs=1.0)
    x, y, col0, row0 = centre(n, res_m)
    rad = 70_000.0
    tx = tx_table([{"x": x, "y": y, "height_m": 10.0, "freq_mhz": 900.0, "tech": "4G",
                    "max_radius_m": rad}])
    dem = np.zeros((n, n))
    res = compute_coverage(tx, dem, grid(res_m), CRS, ITM_ALL)
    _, _, pidx, n_rays, _ = layout(n, col0, row0, rad, res_m, res_m)
    sample_m = (pidx // n_rays + 1) * res_m
    # per distinct sample distance, the per-path mode; cells counted like the engine
    modes = {}
    for s in np.unique(pidx // n_rays):
        r = itm_p2p(np.zeros(s + 2), res_m, freq_mhz=900.0, tx_height_m=10.0, rx_height_m=1.5,
                    params=ITM_ALL.itm)
        modes[int(s)] = r.mode
    per_cell = np.array([modes[int(s)] for s in pidx // n_rays])
    assert set(per_cell[sample_m < 0.98 * d_sml]) == {"line_of_sight"}
    assert set(per_cell[(sample_m > 1.02 * d_sml) & (sample_m < 50_000)]) == {"diffraction"}
    assert set(per_cell[sample_m > 56_000]) == {"troposcatter"}
    expected = {m: int((per_cell == m).sum()) for m in ("line_of_sight", "diffraction",
                                                        "troposcatter")}
    assert res.itm_modes == {900.0: expected}
    assert min(expected.values()) > 1000


def test_a_ridge_adds_itms_diffraction_inside_its_line_of_sight_region():
    """Behind a ridge 1.2 km from a 30 m mast the loss rises by tens of dB although ITM still
    names the mode line of sight: its 'line of sight' region reaches the smooth-earth horizon
    of the effective heights (about 29 km here), and inside it ITM blends the diffraction line
    into the loss (Hufford 1995, A_los). The effective heights only grow with terrain
    (h_e = h + fdim(ground, fit)), so no ridge brings the diffraction mode nearer."""
    n = 161
    x, y, _, _ = centre(n)
    tx = tx_table([{"x": x, "y": y, "max_radius_m": 2300.0}])
    flat = np.zeros((n, n))
    ridge = flat.copy()
    ridge[:, n // 2 + 40:n // 2 + 43] = 80.0
    a = compute_coverage(tx, flat, grid(), CRS, ITM_ALL)
    b = compute_coverage(tx, ridge, grid(), CRS, ITM_ALL)
    behind = (n // 2, slice(n // 2 + 48, n // 2 + 70))
    west = (n // 2, slice(n // 2 - 70, n // 2 - 48))
    assert np.all(b.best("4G")[behind] < a.best("4G")[behind] - 20.0)
    np.testing.assert_array_equal(b.best("4G")[west], a.best("4G")[west])
    assert set(b.itm_modes[1800.0]) == {"line_of_sight"}


def test_mixed_models_on_one_mast_and_point_predictions():
    """A mast with a 900 MHz ITM carrier and an 1800 MHz COST-Hata carrier: each raster is what
    its model gives alone; point_rsrp_dbm gives the same ITM values at points (exact on its own
    uniform profile, and the raster's within the polar sampling of the hilly-terrain test of
    the empirical models)."""
    n = 121
    dem = hills(n, 5)
    x, y, col0, row0 = centre(n)
    rows = [{"x": x, "y": y, "tech": "4G", "freq_mhz": 1800.0, "max_radius_m": 1500.0},
            {"x": x, "y": y, "tech": "2G", "freq_mhz": 900.0, "max_radius_m": 1500.0,
             "operator": "Viettel"}]
    tx = tx_table(rows)
    mixed = compute_coverage(tx, dem, grid(), CRS, ITM_LOW)
    emp = compute_coverage(tx.iloc[:1], dem, grid(), CRS, RadioParams())
    itm = compute_coverage(tx.iloc[1:], dem, grid(), CRS, ITM_ALL)
    np.testing.assert_array_equal(mixed.best("4G"), emp.best("4G"))
    np.testing.assert_array_equal(mixed.best("2G"), itm.best("2G"))
    assert set(mixed.itm_modes) == {900.0}
    assert mixed.itm_modes == itm.itm_modes and mixed.itm_warnings == itm.itm_warnings
    assert "cost231_hata" in mixed.fallback_cells and "itm" not in mixed.fallback_cells
    # points: the uniform profile of each pair, ITM on it (2G: RxLev, no per-RE offset)
    rng = np.random.default_rng(2)
    rc = rng.integers(n // 2 - 45, n // 2 + 45, (200, 2))
    pts = np.column_stack([X0 + (rc[:, 1] + 0.5) * RES, Y0 - (rc[:, 0] + 0.5) * RES])
    d = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
    pts, d = pts[(d > 300) & (d < 1450)], d[(d > 300) & (d < 1450)]
    point = point_rsrp_dbm([[x, y]], 30.0, 900.0, 61.0, pts, dem, grid(), ITM_LOW, tech="2G",
                           max_radius_m=1500.0)[0]
    for k in range(0, len(pts), 17):
        n_int = max(1, round(d[k] / RES))
        f = np.arange(n_int + 1) / n_int
        c1, r1 = (pts[k, 0] - X0) / RES - 0.5, (Y0 - pts[k, 1]) / RES - 0.5
        z = np.array([K.bilinear(dem, col0 + t * (c1 - col0), row0 + t * (r1 - row0))
                      for t in f])
        ref = itm_p2p(z, d[k] / n_int, freq_mhz=900.0, tx_height_m=30.0, rx_height_m=1.5,
                      params=ITM_LOW.itm)
        assert point[k] == pytest.approx(61.0 - ref.path_loss_db, abs=1e-9)
    # the raster's cells against the points: the polar tolerance of the empirical models'
    # hilly-terrain test (90 % within 2 dB), with a median of 0.5 dB instead of 0.3: ITM moves
    # about twice as much as median + delta-Bullington with the ray sample a cell takes
    # (measured on this DEM: median 0.34 / 0.16 dB, 90 % 1.6 / 0.9 dB, ITM / Okumura-Hata)
    diff = np.abs(mixed.sample(pts, "2G") - point)
    assert np.median(diff) < 0.5 and np.percentile(diff, 90) < 2.0
    # the empirical carrier of point_rsrp_dbm is unchanged by an ITM rule for another band
    np.testing.assert_array_equal(
        point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, pts, dem, grid(), ITM_LOW),
        point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, pts, dem, grid(), RadioParams()))


def _sites(n: int) -> pd.DataFrame:
    """test_coverage's six 3-sector sites, Viettel's at 900 MHz (ITM with ITM_LOW) and
    MobiFone's at 1800 MHz, plus a 900 MHz 2G omni antenna on every mast."""
    from test_coverage import _many_sites

    tx = _many_sites(n)
    tx["freq_mhz"] = np.where(tx["operator"] == "Viettel", 900.0, 1800.0)
    tx["max_radius_m"] = 900.0
    masts = tx.drop_duplicates(["x", "y"]).assign(tech="2G", freq_mhz=900.0, azimuth_deg=np.nan,
                                                  beamwidth_deg=360.0, vbeamwidth_deg=np.nan,
                                                  max_radius_m=1000.0)
    return pd.concat([tx, masts], ignore_index=True)


def test_itm_tiles_and_threads_equal_the_whole():
    n = 90
    dem = hills(n, 8)
    tx = _sites(n)
    whole = compute_coverage(tx, dem, grid(), CRS, ITM_LOW, power_sums=True)
    assert set(whole.itm_modes) == {900.0}
    threaded = compute_coverage(tx, dem, grid(), CRS, ITM_LOW, threads=2, power_sums=True)
    for key in whole.keys:
        np.testing.assert_array_equal(threaded.best_dbm[key], whole.best_dbm[key])
        np.testing.assert_array_equal(threaded.server[key], whole.server[key])
    assert threaded.itm_modes == whole.itm_modes
    assert threaded.itm_warnings == whole.itm_warnings
    acc_modes: dict[str, int] = {}
    acc_warn: dict[str, int] = {}
    for r0, c0, h, w in ((0, 0, 45, 50), (0, 50, 45, 40), (45, 0, 45, 30), (45, 30, 45, 60)):
        tile = compute_coverage(tx, dem, grid(), CRS, ITM_LOW, window=(r0, c0, h, w),
                                power_sums=True)
        for key in whole.keys:
            np.testing.assert_array_equal(tile.best_dbm[key],
                                          whole.best_dbm[key][r0:r0 + h, c0:c0 + w])
            np.testing.assert_array_equal(tile.server[key],
                                          whole.server[key][r0:r0 + h, c0:c0 + w])
        for key, arr in whole.power_sum_mw.items():
            np.testing.assert_array_equal(tile.power_sum_mw[key], arr[r0:r0 + h, c0:c0 + w])
        for name, c in tile.itm_modes.get(900.0, {}).items():
            acc_modes[name] = acc_modes.get(name, 0) + c
        for name, c in tile.itm_warnings.get(900.0, {}).items():
            acc_warn[name] = acc_warn.get(name, 0) + c
    # the tiles partition the grid: their counts add up to the whole's
    assert acc_modes == whole.itm_modes[900.0]
    assert acc_warn == whole.itm_warnings[900.0]


def test_itm_kernels_without_jit_agree(tmp_path):
    """The ITM drivers also run as plain Python (NUMBA_DISABLE_JIT=1), same result."""
    n = 25
    dem = hills(n, 4)
    x, y, _, _ = centre(n)
    tx = tx_table([{"x": x, "y": y, "max_radius_m": 240.0}])
    jit = compute_coverage(tx, dem, grid(), CRS, ITM_ALL)
    pts = np.array([[x + 200.0, y - 50.0], [x - 90.0, y + 150.0]])
    point = point_rsrp_dbm([[x, y]], 30.0, 1800.0, 61.0, pts, dem, grid(), ITM_ALL)
    np.save(tmp_path / "dem.npy", dem)
    tx.to_json(tmp_path / "tx.json")
    code = (
        "import numpy as np, pandas as pd, json\n"
        "from affine import Affine\n"
        "from gis.radio.coverage import compute_coverage, point_rsrp_dbm\n"
        "from gis.radio.params import RadioParams\n"
        "p = RadioParams(model_rules=[{'max_freq_mhz': 100000.0, 'model': 'itm'}])\n"
        f"dem = np.load(r'{tmp_path / 'dem.npy'}')\n"
        f"tx = pd.read_json(r'{tmp_path / 'tx.json'}')\n"
        f"tr = Affine({RES}, 0, {X0}, 0, -{RES}, {Y0})\n"
        "r = compute_coverage(tx, dem, tr, 'EPSG:32648', p)\n"
        "q = compute_coverage(tx, dem, tr, 'EPSG:32648', p, threads=2)\n"
        f"pts = np.array({pts.tolist()})\n"
        f"pt = point_rsrp_dbm([[{x}, {y}]], 30.0, 1800.0, 61.0, pts, dem, tr, p)\n"
        f"np.save(r'{tmp_path / 'out.npy'}', r.best('4G'))\n"
        f"np.save(r'{tmp_path / 'par.npy'}', q.best('4G'))\n"
        f"np.save(r'{tmp_path / 'pt.npy'}', pt)\n"
        f"open(r'{tmp_path / 'modes.json'}', 'w').write(json.dumps([r.itm_modes[1800.0], "
        "r.itm_warnings[1800.0]]))\n"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root)
    best = jit.best("4G")
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), best, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(np.load(tmp_path / "par.npy"), best, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(np.load(tmp_path / "pt.npy"), point, atol=1e-9)
    modes, warns = json.loads((tmp_path / "modes.json").read_text())
    assert modes == jit.itm_modes[1800.0] and warns == jit.itm_warnings[1800.0]


def test_itm_bad_inputs_and_paths_it_cannot_compute():
    n = 41
    x, y, _, _ = centre(n)
    dem = np.zeros((n, n))
    tx = tx_table([{"x": x, "y": y, "max_radius_m": 400.0}])
    with pytest.raises(ValidationError, match="20-20000 MHz") as err:
        compute_coverage(tx.assign(freq_mhz=26_000.0), dem, grid(), CRS, ITM_ALL)
    assert "ITM" in err.value.vi and "rma" in err.value.fix
    with pytest.raises(ValidationError, match="0.5-3000 m") as err:
        compute_coverage(tx.assign(height_m=0.3, row=7), dem, grid(), CRS, ITM_ALL)
    assert err.value.rows == [7]
    with pytest.raises(ValidationError, match="0.5-3000 m"):
        point_rsrp_dbm([[x, y]], 0.3, 1800.0, 61.0, [[x + 100, y]], dem, grid(), ITM_ALL)
    with pytest.raises(ValidationError, match="rx_height_m"):
        compute_coverage(tx, dem, grid(), CRS, ITM_ALL.replace(rx_height_m=0.2))
    # ground 50 m below sea level with N_0 = 400: N_s = 400 exp(50 / 9460) = 402 > 400, NTIA
    # error 1022 on every path: no signal from that antenna, counted and warned; another
    # antenna's signal on the same cells is kept (an uncomputable loss never overwrites it)
    low = np.full((n, n), -50.0)
    p = ITM_LOW.replace(itm=ItmParams(n0_n_units=400.0))
    both = tx_table([{"x": x, "y": y, "max_radius_m": 400.0, "freq_mhz": 900.0},
                     {"x": x, "y": y, "max_radius_m": 400.0, "freq_mhz": 1800.0}])
    res = compute_coverage(both, low, grid(), CRS, p)
    alone = compute_coverage(both.iloc[1:], low, grid(), CRS, p)
    np.testing.assert_array_equal(res.best("4G"), alone.best("4G"))
    assert (res.server[("Viettel", "4G")][np.isfinite(alone.best("4G"))] == 1).all()
    n_cells = int(np.isfinite(alone.best("4G")).sum())
    assert res.itm_modes == {900.0: {"not_set": n_cells}}
    assert any("1022" in w and "ITM" in w for w in res.warnings)
    assert np.isnan(point_rsrp_dbm([[x, y]], 30.0, 900.0, 61.0, [[x + 200, y]], low, grid(),
                                   p)).all()


def test_a_run_with_itm_writes_its_counts_to_run_json(tmp_path):
    """radio.model_rules naming ITM for every band: the run computes its rasters with ITM and
    run.json carries the cells per carrier by ITM mode and warning, beside fallback_cells."""
    from test_app_support import build_small_project

    import gis
    from gis.config import merged

    project = gis.load_project(build_small_project(tmp_path / "project"))
    params = merged(project.params, {"radio": {"model_rules": [
        {"max_freq_mhz": 100_000.0, "model": "itm"}]}})
    ctx = gis.run(project, params, out_dir=tmp_path / "out")
    out = gis.write_run(ctx, tmp_path / "out")
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    cov = ctx.state.coverage
    freqs = sorted(float(f) for f in ctx.state.transmitters["freq_mhz"].unique())
    assert sorted(cov.itm_modes) == freqs
    assert meta["itm_modes"] == {f"{f:g}": cov.itm_modes[f] for f in freqs}
    assert meta["itm_warnings"] == {f"{f:g}": cov.itm_warnings[f] for f in freqs}
    assert all(m["line_of_sight"] > 0 for m in meta["itm_modes"].values())
    assert meta["fallback_cells"] == {}
    assert meta["parameters"]["radio"]["model_rules"] == [
        {"max_freq_mhz": 100_000.0, "model": "itm"}]
