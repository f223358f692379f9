"""The ``speed`` stage of a run: the fixed estimate always, the mobile one only with the engine's
per-carrier power sums, checked against hand computations on the tiny real-file project.

The coverage engine of this version gives no power sums; a coverage result that has them is
made here the way the engine will (the sum over transmitters of each one's own signal), by
running the public :func:`gis.radio.coverage.compute_coverage` once per transmitter on the same
grid, so that the stage's wiring is tested before the engine lands.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import rasterio
from test_empty_layers import PARAMS, write_files

import gis
from gis.analysis.speed_params import SpeedParams
from gis.pipeline import stages as S
from gis.pipeline.context import RunContext, Stage
from gis.pipeline.radio import coverage_stage
from gis.pipeline.speed import NO_POWER_SUMS
from gis.radio.coverage import compute_coverage


def power_sums(cov, radio) -> dict[tuple[str, str, float], np.ndarray]:
    """Per carrier, the linear sum (mW) of every transmitter's own signal on the coverage grid
    (flat terrain, as the tiny project has no DEM)."""
    tx = cov.transmitters.reset_index(drop=True)
    dem = np.zeros(cov.shape, np.float32)
    sums: dict[tuple[str, str, float], np.ndarray] = {}
    for i in range(len(tx)):
        one = compute_coverage(tx.iloc[[i]], dem, cov.transform, cov.crs, radio)
        row = tx.iloc[i]
        key = (str(row["operator"]), str(row["tech"]).upper(), round(float(row["freq_mhz"]), 3))
        sig = one.best_dbm[key[0], key[1]].astype(np.float64)
        acc = sums.setdefault(key, np.zeros(cov.shape))
        acc += np.where(np.isfinite(sig), 10.0 ** (sig / 10.0), 0.0)
    return sums


def coverage_with_sums(ctx: RunContext) -> None:
    """The coverage stage, then the power sums the engine will give (``power_sum_mw``)."""
    coverage_stage(ctx)
    ctx.state.coverage.power_sum_mw = power_sums(ctx.state.coverage, ctx.params.radio)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    files = write_files(tmp_path_factory.mktemp("tiny_speed"))
    project = gis.load_project(None, files)
    params = PARAMS.replace(speed=dataclasses.replace(SpeedParams(), plan_cap_mbps=1000.0))
    stages = [dataclasses.replace(s, func=coverage_with_sums) if s.name == "coverage" else s
              for s in S.STAGES]
    out = tmp_path_factory.mktemp("with_sums")
    with_sums = gis.run(project, params, stages=stages, out_dir=out)
    without = gis.run(project, params, out_dir=tmp_path_factory.mktemp("without"))
    return with_sums, without


def _hand_speed_mbps(signal_dbm: float, sum_mw: float, car: dict, p: SpeedParams) -> float:
    """TR 36.942 A.2 by hand: SINR = S / (λ (P - S) + N), SE = max_n n min(α log2(1 + x/n),
    SE_max), speed = SE x occupied MHz x downlink share x load factor."""
    s = 10 ** (signal_dbm / 10)
    noise = 10 ** ((-174 + 10 * math.log10(car["scs_khz"] * 1000) + 9) / 10)
    sinr = s / (p.interference_load * max(sum_mw - s, 0.0) + noise)
    if 10 * math.log10(sinr) < car["sinr_min_db"]:
        return 0.0
    se = max(n * min(car["alpha"] * math.log2(1 + sinr / n), car["se_max_bps_hz"])
             for n in range(1, car["mimo_layers"] + 1))
    return se * car["occupied_mhz"] * car["dl_fraction"] * p.load_factor


def test_mobile_speed_of_a_hamlet_by_hand(runs):
    ctx, _ = runs
    h = ctx.hamlets
    cov = ctx.state.coverage
    p = ctx.params.speed
    assert {"est_dl_mbps_mobile", "est_dl_mobile_operator", "est_dl_mbps_viettel",
            "est_dl_mbps_vinaphone"} <= set(h.columns)
    villages = ctx.project.layer("villages")
    x, y = villages.geometry.x.iloc[0], villages.geometry.y.iloc[0]   # V1, a point hamlet
    c = math.floor((x - cov.transform.c) / cov.transform.a)
    r = math.floor((y - cov.transform.f) / cov.transform.e)
    for op, col in (("Viettel", "est_dl_mbps_viettel"), ("VinaPhone", "est_dl_mbps_vinaphone")):
        sig = float(cov.best_dbm[op, "4G"][r, c])
        srv = int(cov.server[op, "4G"][r, c])
        f = round(float(cov.transmitters["freq_mhz"].iloc[srv]), 3)
        total = float(cov.power_sum_mw[op, "4G", f][r, c])
        assert total >= 10 ** (sig / 10) * (1 - 1e-9)   # the best server is part of the sum
        expected = _hand_speed_mbps(sig, total, p.carrier(op, "4G", f), p)
        assert h[col].iloc[0] == pytest.approx(round(expected, 1), abs=0.051), op
    best = max(h["est_dl_mbps_viettel"].iloc[0], h["est_dl_mbps_vinaphone"].iloc[0])
    assert h["est_dl_mbps_mobile"].iloc[0] == best
    # the raster of the best operator, read back
    with rasterio.open(ctx.rasters["est_dl_mbps_best"]) as src:
        grid = src.read(1)
        assert "estimate" in (src.descriptions[0] or "")
    assert grid[r, c] == pytest.approx(max(
        _hand_speed_mbps(float(cov.best_dbm[op, "4G"][r, c]),
                         float(cov.power_sum_mw[op, "4G", round(float(
                             cov.transmitters["freq_mhz"].iloc[int(cov.server[op, "4G"][r, c])]),
                             3)][r, c]),
                         p.carrier(op, "4G", float(cov.transmitters["freq_mhz"].iloc[
                             int(cov.server[op, "4G"][r, c])])), p)
        for op in ("Viettel", "VinaPhone")), rel=1e-4)
    ind = ctx.tables["indicators"].set_index(["indicator_id", "scope_level"])
    row = ind.loc[("hamlets_speed_mobile", "area")]
    expected_share = (h["est_dl_mbps_mobile"] >= 40.0).mean()   # national preset: 40 Mbit/s
    assert row["value"] == pytest.approx(expected_share)


def test_fixed_speed_by_hand_and_mobile_from_the_runs_power_sums(runs):
    _, ctx = runs
    h = ctx.hamlets
    # 2488.32 Mbit/s x 0.92 / (32 x 0.7 x 0.2) = 511.0 Mbit/s (cap raised to 1000 Mbit/s)
    expected = round(2488.32 * 0.92 / (32 * 0.7 * 0.2), 1)
    assert expected == 511.0
    ftth = h["ftth"].astype(bool).to_numpy()
    assert ftth.any()
    np.testing.assert_allclose(h.loc[ftth, "est_dl_mbps_fixed"], expected)
    assert h.loc[~ftth, "est_dl_mbps_fixed"].isna().all()
    # the coverage stage keeps the engine's power sums: the mobile estimate is computed
    assert h["est_dl_mbps_mobile"].notna().any() and "est_dl_mbps_best" in ctx.rasters
    assert NO_POWER_SUMS[0] not in ctx.warnings
    # a coverage without them (an engine asked for none) leaves it out, and the run says so
    from gis.pipeline.speed import power_sums_of

    assert power_sums_of(dataclasses.replace(ctx.state.coverage, power_sum_mw={})) is None


def test_speed_stage_declares_what_it_reads():
    stage = next(s for s in S.STAGES if s.name == "speed")
    assert isinstance(stage, Stage)
    assert set(stage.after) == {"hamlets", "coverage", "ftth"}
    assert "speed" in stage.sections and "population" in stage.rasters
    ducts = next(s for s in S.STAGES if s.name == "ducts")
    assert ducts.needs == ("roads",) and set(ducts.layers) == {"fiber", "admin"}
    assert ducts.after == ("fiber_plan",) and ducts.sections == ("ducts",)
