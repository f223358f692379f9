"""Calibration of the coverage model on measurements (issue 14 item 3).

The fit is checked on measurements drawn from a known model (offset and distance slope) plus
Gaussian shadow fading and 10 % gross outliers; the Huber solution against scipy's
``least_squares(loss="huber")`` at the same scale; the confidence intervals by their coverage
over many draws; the readers on the real headers of G-NetTrack logs, TEMS-like exports,
speed-test open data and OpenCelliD; the CLI end to end on the small project of
``test_app_support`` with measurements made from its own coverage minus a known offset.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from affine import Affine
from pyproj import CRS, Transformer
from scipy.optimize import least_squares

from gis.cli import main
from gis.errors import ValidationError
from gis.layers.read import read_layer
from gis.params import RunParams
from gis.radio.calibration import apply_calibration, fit_calibration, predict_at_points
from gis.radio.calibration_params import CalibrationGroup, CalibrationParams, FitSettings
from gis.radio.coverage import CoverageResult
from gis.radio.robust import fold_ids, huber_fit

OFFSET, SLOPE, SIGMA = 8.0, 12.0, 6.0     # the known model: dB, dB/decade, dB of fading


def draw(rng: np.random.Generator, n: int, *, offset: float = OFFSET, slope: float = SLOPE,
         outliers: float = 0.1, one_sided: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Distances 150 m - 4 km (log-uniform) and errors offset + slope log10(d / 1 km) + N(0,
    SIGMA), with a share of gross outliers of 20-40 dB (either sign, or all negative: indoor
    points measured far below the street-level prediction)."""
    d = 10 ** rng.uniform(np.log10(150), np.log10(4000), n)
    e = offset + slope * np.log10(d / 1000) + rng.normal(0, SIGMA, n)
    bad = rng.random(n) < outliers
    sign = -np.ones(bad.sum()) if one_sided else rng.choice([-1.0, 1.0], bad.sum())
    e[bad] += sign * rng.uniform(20, 40, bad.sum())
    return d, e


def table(op: str, d: np.ndarray, e: np.ndarray, *, clutter: np.ndarray | None = None,
          tech: str = "4G", seed: int = 0) -> pd.DataFrame:
    """Points of one operator: measured drawn around -95 dBm, predicted = measured + e."""
    meas = np.random.default_rng(seed).uniform(-115, -70, len(d))
    return pd.DataFrame({"operator": op, "tech": tech, "measured_dbm": meas,
                         "predicted_dbm": meas + e, "distance_m": d,
                         "clutter_class": np.full(len(d), np.nan) if clutter is None
                         else clutter})


# -- the robust fit ---------------------------------------------------------------------------

def test_huber_irls_is_the_minimum_scipy_least_squares_finds_at_the_same_scale():
    rng = np.random.default_rng(3)
    d, e = draw(rng, 400)
    X = np.column_stack([np.ones(len(d)), np.log10(d / 1000)])
    fit = huber_fit(X, e)
    assert fit.converged
    ref = least_squares(lambda b: X @ b - e, x0=np.zeros(2), loss="huber",
                        f_scale=1.345 * fit.scale, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    np.testing.assert_allclose(fit.coef, ref.x, atol=1e-6)
    # outliers weigh less than 1, inliers exactly 1
    assert fit.weights.min() < 0.3 and np.median(fit.weights) == 1.0


def test_known_offset_and_slope_are_recovered_within_their_confidence_intervals():
    rng = np.random.default_rng(11)
    d, e = draw(rng, 500)
    fit = fit_calibration(table("Viettel", d, e))
    g = fit.params.group("Viettel")
    assert g is not None and g.applied and g.slope_fitted and g.n_points == 500
    assert abs(g.offset_db - OFFSET) <= g.offset_ci_db
    assert abs(g.slope_db_per_decade - SLOPE) <= g.slope_ci_db
    # the intervals are those of 500 points at 6 dB (and a 10 % contamination): +-0.6 dB, +-1.7
    assert 0.4 < g.offset_ci_db < 1.0 and 1.0 < g.slope_ci_db < 2.5
    assert g.rmse_after_db < g.rmse_before_db


def test_huber_resists_one_sided_outliers_that_pull_least_squares_off():
    rng = np.random.default_rng(5)
    d, e = draw(rng, 600, one_sided=True)
    X = np.column_stack([np.ones(len(d)), np.log10(d / 1000)])
    ols = np.linalg.lstsq(X, e, rcond=None)[0]
    hub = huber_fit(X, e).coef
    # 10 % of -30 dB on average moves the mean by about -3 dB; Huber's bounded influence keeps
    # well under half of that
    assert ols[0] < OFFSET - 2.0
    assert abs(hub[0] - OFFSET) < 1.0


def test_confidence_intervals_cover_the_true_values_about_95_percent_of_the_time():
    rng = np.random.default_rng(2026)
    hits = np.zeros(2)
    trials = 300
    for _ in range(trials):
        d, e = draw(rng, 200)
        X = np.column_stack([np.ones(len(d)), np.log10(d / 1000)])
        fit = huber_fit(X, e)
        q = 1.9720  # Student t, 198 degrees of freedom, 97.5 %
        hits += np.abs(fit.coef - [OFFSET, SLOPE]) <= q * fit.se
    assert np.all(hits / trials >= 0.91) and np.all(hits / trials <= 0.99), hits / trials


def test_folds_are_seeded_and_balanced():
    a, b = fold_ids(103, 5, seed=7), fold_ids(103, 5, seed=7)
    assert np.array_equal(a, b)
    assert sorted(np.bincount(a).tolist()) == [20, 20, 21, 21, 21]
    assert not np.array_equal(a, fold_ids(103, 5, seed=8))


# -- groups, cross-validation and small groups ----------------------------------------------------

@pytest.fixture(scope="module")
def three_operators() -> pd.DataFrame:
    """Viettel: the known model, +4 dB more in built-up (class 50), 15 points in tree cover
    (class 10); VinaPhone: an unbiased engine; MobiFone: 20 points only."""
    rng = np.random.default_rng(5)
    parts = []
    d, e = draw(rng, 420)
    cls = rng.choice([40.0, 50.0], len(d), p=[0.6, 0.4])
    cls[:15] = 10.0
    e = e + np.where(cls == 50.0, 4.0, 0.0)
    parts.append(table("Viettel", d, e, clutter=cls, seed=1))
    d, e = draw(rng, 400, offset=0.0, slope=0.0)
    parts.append(table("VinaPhone", d, e, clutter=rng.choice([40.0, 50.0], len(d)), seed=2))
    d, e = draw(rng, 20, offset=3.0, slope=0.0)
    parts.append(table("MobiFone", d, e, clutter=np.full(len(d), 40.0), seed=3))
    return pd.concat(parts, ignore_index=True)


def test_cross_validated_rmse_after_is_never_above_before(three_operators):
    fit = fit_calibration(three_operators)
    assert len(fit.groups) == 6   # Viettel and VinaPhone: all classes, 40 and 50
    for _, g in fit.groups.iterrows():
        assert g.rmse_after_db <= g.rmse_before_db, g.calibration_group
        if g.applied:
            assert g.rmse_cv_fit_db < g.rmse_before_db
        else:   # kept for the record, corrects nothing
            assert g.rmse_after_db == g.rmse_before_db
            assert g.mean_error_after_db == g.mean_error_before_db
    viettel = fit.groups.set_index("calibration_group")
    assert viettel.loc["Viettel / 50", "applied"] and viettel.loc["Viettel / 40", "applied"]
    # the built-up class is 4 dB worse than the open one, within the intervals
    diff = viettel.loc["Viettel / 50", "offset_db"] - viettel.loc["Viettel / 40", "offset_db"]
    ci = np.hypot(viettel.loc["Viettel / 50", "offset_ci_db"],
                  viettel.loc["Viettel / 40", "offset_ci_db"])
    assert abs(diff - 4.0) <= ci
    # an unbiased engine: every interval contains 0 for both offset and slope
    for _, g in fit.groups[fit.groups.operator == "VinaPhone"].iterrows():
        assert abs(g.offset_db) <= g.offset_ci_db and abs(g.slope_db_per_decade) <= \
            g.slope_ci_db
    # a point's error changes only where its group is applied
    applied = dict(zip(fit.groups.calibration_group, fit.groups.applied, strict=True))
    pts = fit.points[fit.points.used]
    for label, sub in pts.groupby("calibration_group"):
        if not applied[label]:
            np.testing.assert_allclose(sub.error_after_db, sub.error_before_db)
            np.testing.assert_allclose(sub.cv_error_after_db, sub.error_before_db)
        else:
            assert not np.allclose(sub.error_after_db, sub.error_before_db)


def test_fewer_than_30_points_give_a_message_and_no_correction(three_operators):
    fit = fit_calibration(three_operators)
    en = [m[0] for m in fit.messages]
    vi = [m[1] for m in fit.messages]
    assert ("MobiFone: 20 usable measurement(s), fewer than 30: MobiFone is left uncalibrated "
            "(no correction).") in en
    assert any(m.startswith("MobiFone: 20 điểm đo dùng được, ít hơn 30") for m in vi)
    assert any(m.startswith("Viettel, land cover 10 (Tree cover): 15 measurement(s), fewer "
                            "than 30") for m in en)
    assert any(m.startswith("Viettel, lớp phủ 10 (Rừng, cây che phủ): 15 điểm đo") for m in vi)
    assert fit.params.group("MobiFone") is None
    mobi = fit.points[fit.points.operator == "MobiFone"]
    assert set(mobi["reason"]) == {"few_points"} and not mobi["used"].any()
    # no correction for MobiFone; Viettel's tree-cover cells take its correction for all classes
    cal = fit.params
    assert cal.correction_db("MobiFone", "4G", np.array([1000.0]), np.array([40.0]))[0] == 0.0
    wide = cal.group("Viettel")
    assert cal.correction_db("Viettel", "4G", np.array([1000.0]), np.array([10.0]))[0] == \
        pytest.approx(wide.offset_db)
    c50 = cal.group("Viettel", 50)
    assert cal.correction_db("Viettel", "4G", np.array([1000.0]), np.array([50.0]))[0] == \
        pytest.approx(c50.offset_db)
    # the tree-cover points are fitted in Viettel's all-class group
    trees = fit.points[(fit.points.operator == "Viettel") & (fit.points.clutter_class == 10)]
    assert set(trees["calibration_group"]) == {"Viettel"}


def test_slope_is_not_fitted_when_the_distances_span_too_little():
    rng = np.random.default_rng(9)
    d = rng.uniform(900, 1100, 100)           # 0.09 decade
    e = 5.0 + rng.normal(0, 3, 100)
    fit = fit_calibration(table("Viettel", d, e))
    g = fit.params.group("Viettel")
    assert not g.slope_fitted and g.slope_db_per_decade == 0.0 and g.slope_ci_db == 0.0
    assert abs(g.offset_db - 5.0) <= g.offset_ci_db
    assert any("only the offset was fitted" in m[0] for m in fit.messages)


def test_points_too_near_or_without_prediction_are_not_fitted():
    rng = np.random.default_rng(1)
    d, e = draw(rng, 60)
    t = table("Viettel", d, e)
    t.loc[:4, "distance_m"] = 40.0
    t.loc[5:9, "predicted_dbm"] = np.nan
    fit = fit_calibration(t)
    assert fit.points.loc[:4, "reason"].tolist() == ["near_site"] * 5
    assert fit.points.loc[5:9, "reason"].tolist() == ["no_prediction"] * 5
    assert fit.params.group("Viettel").n_points == 50 == fit.params.n_points


# -- the parameters and the correction -----------------------------------------------------------

def test_correction_formula_by_hand():
    cal = CalibrationParams(groups=(
        CalibrationGroup("Viettel", None, ("4G",), offset_db=4.0, slope_db_per_decade=10.0),
        CalibrationGroup("Viettel", 50, ("4G",), offset_db=7.0, slope_db_per_decade=0.0),
        CalibrationGroup("Viettel", 10, ("4G",), applied=False, offset_db=9.0),
    ))
    d = np.array([2000.0, 2000.0, 2000.0, 50.0, 2000.0])
    cls = np.array([40.0, 50.0, 10.0, 40.0, np.nan])
    got = cal.correction_db("Viettel", "4G", d, cls)
    # 4 + 10 log10(2) = 7.0103; class 50: 7; class 10 has its own group, not applied: 0;
    # 50 m is below d_min = 100 m: 4 + 10 log10(0.1) = -6; no class: the all-class group
    np.testing.assert_allclose(got, [7.0103, 7.0, 0.0, -6.0, 7.0103], atol=1e-4)
    assert not cal.correction_db("Viettel", "5G", d, cls).any()     # fitted on 4G only
    assert not cal.correction_db("VinaPhone", "4G", d, cls).any()


def test_apply_calibration_corrects_the_best_server_rasters():
    tr = Affine(100.0, 0.0, 0.0, 0.0, -100.0, 300.0)       # 3 x 3 cells of 100 m
    tx = pd.DataFrame({"operator": ["Viettel", "Viettel", "VinaPhone"],
                       "tech": ["4G", "5G", "4G"], "x": [-950.0, 150.0, 150.0],
                       "y": [250.0, 250.0, 250.0]})
    best = {("Viettel", "4G"): np.full((3, 3), -90.0, np.float32),
            ("Viettel", "5G"): np.full((3, 3), -95.0, np.float32),
            ("VinaPhone", "4G"): np.full((3, 3), -80.0, np.float32)}
    best["Viettel", "4G"][2, 2] = np.nan
    server = {("Viettel", "4G"): np.zeros((3, 3), np.int32),
              ("Viettel", "5G"): np.ones((3, 3), np.int32),
              ("VinaPhone", "4G"): np.full((3, 3), 2, np.int32)}
    server["Viettel", "4G"][2, 2] = -1
    sums = {("Viettel", "4G", 1800.0): np.full((3, 3), 2e-9, np.float32),
            ("VinaPhone", "4G", 1800.0): np.full((3, 3), 1e-8, np.float32)}
    cov = CoverageResult(transform=tr, crs=CRS.from_epsg(32648), shape=(3, 3), best_dbm=best,
                         server=server, transmitters=tx, power_sum_mw=sums)
    landcover = np.full((3, 3), 40.0, np.float32)
    landcover[0, 1] = 50.0
    cal = CalibrationParams(groups=(
        CalibrationGroup("Viettel", None, ("4G",), offset_db=4.0, slope_db_per_decade=10.0),
        CalibrationGroup("Viettel", 50, ("4G",), offset_db=7.0, slope_db_per_decade=0.0)))
    out = apply_calibration(cov, cal, landcover)
    got = out.best_dbm["Viettel", "4G"]
    # cell (0, 0): centre (50, 250), 1000 m from the server: -90 - 4 - 0 = -94
    assert got[0, 0] == pytest.approx(-94.0)
    # cell (1, 2): centre (250, 150): d = hypot(1200, 100) = 1204.16 m -> 4 + 0.8069
    assert got[1, 2] == pytest.approx(-90.0 - 4.0 - 10 * np.log10(np.hypot(1200, 100) / 1000),
                                      abs=1e-4)
    assert got[0, 1] == pytest.approx(-97.0)                  # built-up: its own group
    assert np.isnan(got[2, 2])                                # no server: left as it was
    assert np.array_equal(out.best_dbm["Viettel", "5G"], best["Viettel", "5G"])
    assert np.array_equal(out.best_dbm["VinaPhone", "4G"], best["VinaPhone", "4G"])
    # the carrier sums of the operator and technology take the same correction (the speed
    # stage's SINR: signal and interference on one footing); others are left as they were
    ratio = out.power_sum_mw["Viettel", "4G", 1800.0] / sums["Viettel", "4G", 1800.0]
    assert ratio[0, 0] == pytest.approx(10 ** (-4.0 / 10), rel=1e-5)
    assert ratio[0, 1] == pytest.approx(10 ** (-7.0 / 10), rel=1e-5)
    assert ratio[2, 2] == 1.0
    assert np.array_equal(out.power_sum_mw["VinaPhone", "4G", 1800.0],
                          sums["VinaPhone", "4G", 1800.0])
    assert best["Viettel", "4G"][0, 0] == -90.0               # the input is not changed
    assert apply_calibration(cov, CalibrationParams(), landcover) is cov


def test_calibration_section_round_trips_through_params_json(tmp_path):
    cal = CalibrationParams(groups=(
        CalibrationGroup("Viettel", None, ("4G", "5G"), offset_db=4.25, slope_ci_db=1.5,
                         n_points=120),
        CalibrationGroup("Viettel", 50, ("4G",), applied=False, offset_db=-1.0)),
        fitted_on="2026-01-05", measurements="drive.csv", n_points=200, grid_resolution_m=30.0,
        fit=FitSettings(cv_folds=10, min_points=40))
    params = RunParams().replace(calibration=cal)
    params.to_json(tmp_path / "params.json")
    assert RunParams.from_json(tmp_path / "params.json") == params
    data = json.loads((tmp_path / "params.json").read_text(encoding="utf-8"))
    assert data["calibration"]["groups"][0]["clutter_class"] is None
    assert data["calibration"]["groups"][1]["clutter_class"] == 50
    (tmp_path / "partial.json").write_text(json.dumps({"calibration": data["calibration"]}))
    assert RunParams.from_json(tmp_path / "partial.json").calibration == cal


@pytest.mark.parametrize(("bad", "words"), [
    ({"groups": [{"operator": "Viettel"}, {"operator": "Viettel"}]}, "given twice"),
    ({"groups": [{"operator": "Viettel", "clutter_class": 300}]}, "0-255"),
    ({"groups": [{"operator": "Viettel", "techs": ["LTE"]}]}, "not technologies"),
    ({"reference_distance_m": 0}, "> 0 m"),
    ({"fit": {"cv_folds": 1}}, "2-20"),
])
def test_invalid_calibration_parameters_are_refused_with_the_valid_values(tmp_path, bad, words):
    (tmp_path / "p.json").write_text(json.dumps({"calibration": bad}))
    with pytest.raises(ValidationError, match=words) as exc:
        RunParams.from_json(tmp_path / "p.json")
    assert "calibration." in exc.value.message("vi")


# -- reading measurements -------------------------------------------------------------------------

def _read_measurements(path: Path, text: str):
    """``text`` written to ``path`` (UTF-8) and read as the measurements layer."""
    path.write_text(text, encoding="utf-8")
    return read_layer(path, "measurements")


def test_gnettrack_log_tab_separated(tmp_path):
    rows = ["Timestamp\tLongitude\tLatitude\tSpeed\tOperatorname\tOperator\tCellID\t"
            "NetworkTech\tNetworkMode\tLevel\tQual\tSNR\tARFCN",
            "2025.06.01_10.00.00\t105.84\t20.25\t30\tViettel\t45204\t678\t4G\tLTE\t-85.2\t"
            "-12\t15\t1850",
            "2025.06.01_10.00.01\t105.841\t20.251\t31\tViettel\t45204\t679\t4G\tLTE\t\t-12\t16\t"
            "1850",
            "2025.06.01_10.00.02\t105.842\t20.252\t30\tVinaphone\t45202\t123\t5G\tNR\t-92\t-10"
            "\t18\t636666",
            "2025.06.01_10.00.03\t105.843\t20.253\t30\tVinaphone\t45202\t124\t2G\tGSM\t-70\t\t"
            "\t70"]
    r = _read_measurements(tmp_path / "gnettrack_2025.txt", "\n".join(rows) + "\n")
    gdf, rep = r.gdf, r.report
    assert rep.column_mapping["rsrp_dbm"] == "Level" and rep.column_mapping["tech"] == \
        "NetworkTech" and rep.column_mapping["operator"] == "Operator"
    assert gdf["operator"].tolist() == ["Viettel", "VinaPhone", "VinaPhone"]   # 452-04, 452-02
    assert gdf["tech"].tolist() == ["4G", "5G", "2G"]
    assert gdf["rsrp_dbm"].tolist() == [-85.2, -92.0, -70.0]
    # EARFCN 1850 (band 3): 1805 + 0.1 (1850 - 1200) = 1870 MHz; NR-ARFCN 636666: 3549.99 MHz
    np.testing.assert_allclose(gdf["freq_mhz"].to_numpy()[:2], [1870.0, 3549.99], atol=0.01)
    assert np.isnan(gdf["freq_mhz"].iloc[2])                     # a GSM ARFCN is not an EARFCN
    assert [x.row for x in rep.rejected] == [1] and "no signal value" in rep.rejected[0].reason_en
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected) == 4


def test_tems_like_export_xlsx_with_mcc_mnc_band_and_several_signal_columns(tmp_path):
    frame = pd.DataFrame({
        "Latitude": [20.25, 20.26, 20.27], "Longitude": [105.84, 105.85, 105.86],
        "MCC": [452, 452, 452], "MNC": [4, 1, 4],
        "Signal Strength": [-60, -61, -62],                       # an RSSI, not the RSRP
        "LTE Serving Cell RSRP (dBm)": [-95.5, -101.0, -88.0],
        "LTE Serving Cell RSRQ (dB)": [-11, -12, -9], "Band": ["B3", "B8", "n78"]})
    path = tmp_path / "tems_export.xlsx"
    frame.to_excel(path, index=False)
    r = read_layer(path, "measurements")
    assert r.report.column_mapping["rsrp_dbm"] == "LTE Serving Cell RSRP (dBm)"
    assert any("not from 'Signal Strength'" in w for w in r.report.warnings)
    assert r.gdf["rsrp_dbm"].tolist() == [-95.5, -101.0, -88.0]
    assert r.gdf["operator"].tolist() == ["Viettel", "MobiFone", "Viettel"]
    assert r.gdf["tech"].tolist() == ["4G", "4G", "5G"]            # from the band names


def test_speed_test_open_data_keeps_mobile_rows_only(tmp_path):
    # RTR-NetTest / NetMetr open-data columns (lat, long, cat_technology, network_mcc_mnc,
    # lte_rsrp); a WLAN test has no mobile operator's signal
    csv = ("open_test_uuid,time,cat_technology,network_type,lat,long,download_kbit,"
           "lte_rsrp,network_mcc_mnc,network_name\n"
           "O1,2025-05-01 00:34,4G,LTE,20.25,105.84,22180,-97,452-04,Viettel\n"
           "O2,2025-05-01 00:35,WLAN,WLAN,20.26,105.85,50000,-40,452-04,Viettel\n"
           "O3,2025-05-01 00:36,4G,LTE,20.27,105.86,15000,-105,452-02,Vinaphone\n")
    r = _read_measurements(tmp_path / "netztest.csv", csv)
    assert r.report.column_mapping["operator"] == "network_mcc_mnc"
    assert r.gdf["operator"].tolist() == ["Viettel", "VinaPhone"]
    assert r.gdf["measurement_id"].tolist() == ["O1", "O3"]
    assert [x.row for x in r.report.rejected] == [1]
    assert "'WLAN' is not a mobile network" in r.report.rejected[0].reason_en


def test_opencellid_export_uses_non_zero_average_signal_only(tmp_path):
    csv = ("radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
           "averageSignal\n"
           "LTE,452,4,10,199169,0,105.84,20.25,1000,12,1,1500000000,1600000000,-93\n"
           "GSM,452,1,10,4242,0,105.85,20.26,600,3,1,1500000000,1600000000,0\n"
           "UMTS,452,2,10,4243,0,105.86,20.27,600,3,1,1500000000,1600000000,-81\n")
    r = _read_measurements(tmp_path / "cell_towers.csv", csv)
    assert r.gdf["operator"].tolist() == ["Viettel", "VinaPhone"]
    assert r.gdf["tech"].tolist() == ["4G", "3G"]
    assert r.gdf["rsrp_dbm"].tolist() == [-93.0, -81.0]
    assert set(r.gdf["source"]) == {"OpenCelliD averageSignal"}
    assert [x.row for x in r.report.rejected] == [1]
    assert "averageSignal is 0" in r.report.rejected[0].reason_en
    assert any("OpenCelliD export" in w for w in r.report.warnings)


def test_measurements_as_geojson_in_x_y_metres(tmp_path):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"nha_mang": ["Viettel", "MobiFone"], "cong_nghe": ["LTE", "NR"],
                            "rsrp": [-99.0, -104.5]},
                           geometry=shapely.points([587_100.0, 587_200.0],
                                                   [2_239_100.0, 2_239_200.0]), crs=32648)
    gdf.to_file(tmp_path / "do_kiem.geojson", driver="GeoJSON")
    r = read_layer(tmp_path / "do_kiem.geojson", "measurements")
    assert r.gdf["tech"].tolist() == ["4G", "5G"] and r.gdf.crs.to_epsg() == 32648
    np.testing.assert_allclose(r.gdf.geometry.x, [587_100.0, 587_200.0], atol=1e-3)


# -- the CLI on the small project -------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small project folder, its coverage, and a measurement CSV made from that coverage:
    measured = predicted - 5 dB + N(0, 2 dB), Viettel and VinaPhone 4G."""
    from test_app_support import CRS_UTM, X0, Y0, build_small_project

    from gis.pipeline.stages import STAGES, run
    from gis.project import Project

    folder = build_small_project(tmp_path_factory.mktemp("calib-project"))
    project = Project.load(folder)
    ctx = run(project, stages=[s for s in STAGES if s.name == "coverage"],
              out_dir=tmp_path_factory.mktemp("calib-run"))
    cov = ctx.state.coverage
    rng = np.random.default_rng(14)
    n = 240
    xy = np.column_stack([X0 + rng.uniform(-400, 3400, n), Y0 + rng.uniform(-400, 2400, n)])
    op = np.where(np.arange(n) % 2 == 0, "Viettel", "VinaPhone")
    pred = np.array([cov.sample(p[None], "4G", o)[0] for p, o in zip(xy, op, strict=True)])
    keep = np.isfinite(pred) & (pred > -135.0)  # measurable signals only
    meas = pred - 5.0 + rng.normal(0, 2.0, n)
    lon, lat = Transformer.from_crs(CRS_UTM, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    frame = pd.DataFrame({"lon": lon, "lat": lat, "operator": op, "tech": "4G",
                          "rsrp_dbm": np.round(meas, 2)})[keep]
    csv = tmp_path_factory.mktemp("calib-meas") / "drive_test.csv"
    frame.to_csv(csv, index=False)
    return {"folder": folder, "project": project, "ctx": ctx, "csv": csv, "n": int(keep.sum()),
            "xy": xy[keep], "op": op[keep], "pred": pred[keep]}


def test_predictions_are_the_values_of_the_maps(small):
    cov = small["ctx"].state.coverage
    got = predict_at_points(cov, small["xy"], small["op"], np.full(small["n"], "4G"))
    np.testing.assert_array_equal(got["predicted_dbm"].to_numpy(), small["pred"])
    tx = cov.transmitters
    s = got["server"].to_numpy()
    assert (s >= 0).all() and set(tx.loc[s, "operator"]) == {"Viettel", "VinaPhone"}
    assert (tx.loc[s, "tech"] == "4G").all()
    d = np.hypot(small["xy"][:, 0] - tx.loc[s, "x"].to_numpy(),
                 small["xy"][:, 1] - tx.loc[s, "y"].to_numpy())
    np.testing.assert_allclose(got["distance_m"].to_numpy(), d)


def test_cli_calibrates_the_small_project_end_to_end(small, tmp_path, capsys):
    out = tmp_path / "cal" / "params.json"
    code = main(["calibrate", str(small["csv"]), "--project", str(small["folder"]), "--out",
                 str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"{small['n']} of {small['n']} measurement rows read" in printed
    assert "Viettel" in printed and "VinaPhone" in printed and "RMSE before" in printed
    params = RunParams.from_json(out)
    assert params.radio == small["project"].params.radio          # the project's parameters
    for op in ("Viettel", "VinaPhone"):
        g = params.calibration.group(op)
        assert g.applied and g.techs == ("4G",)
        assert abs(g.offset_db - 5.0) <= g.offset_ci_db            # the known offset
        assert abs(g.slope_db_per_decade) <= max(g.slope_ci_db, 0.5)
        assert g.rmse_after_db < 2.5 < g.rmse_before_db             # noise 2 dB, offset 5 dB
    assert params.calibration.measurements == "drive_test.csv"
    assert params.calibration.grid_resolution_m == 30.0
    layer = json.loads((tmp_path / "cal" / "params_residuals.geojson").read_text())
    props = layer["features"][0]["properties"]
    assert {"measured_dbm", "predicted_dbm", "error_before_db", "error_after_db",
            "calibrated_dbm"} <= set(props)
    assert len(layer["features"]) == small["n"]
    used = [f["properties"] for f in layer["features"] if f["properties"]["used"]]
    err = np.array([p["error_after_db"] for p in used])
    assert abs(err.mean()) < 0.5 and np.sqrt((err ** 2).mean()) < 2.5
    assert (tmp_path / "cal" / "params_residuals.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    groups = pd.read_csv(tmp_path / "cal" / "params_groups.csv", encoding="utf-8-sig")
    assert groups["Operator"].tolist() == ["Viettel", "VinaPhone"]


def test_cli_partial_file_in_vietnamese(small, tmp_path, capsys):
    out = tmp_path / "partial.json"
    assert main(["calibrate", str(small["csv"]), "--project", str(small["folder"]), "--out",
                 str(out), "--partial", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert "Độ lệch dB" in printed and "Không có raster lớp phủ" in printed
    assert set(json.loads(out.read_text(encoding="utf-8"))) == {"calibration"}
    groups = pd.read_csv(tmp_path / "partial_groups.csv", encoding="utf-8-sig")
    assert "Nhà mạng" in groups.columns and "Độ lệch (dB)" in groups.columns


def _bad_input(tmp_path: Path, small: dict, text: str, capsys) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["calibrate", str(path), "--project", str(small["folder"]), "--out",
                 str(tmp_path / "p.json")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "Lỗi:" in err and "Error:" in err
    assert not (tmp_path / "p.json").exists()
    return err


def test_cli_bad_input_no_rsrp_column(small, tmp_path, capsys):
    err = _bad_input(tmp_path, small, "lon,lat,operator,tech,rsrq\n105.84,20.25,Viettel,4G,"
                     "-11\n", capsys)
    assert "Required column(s) rsrp_dbm not found for the measurements layer" in err
    assert "Không tìm thấy cột bắt buộc rsrp_dbm" in err and "'rsrq'" in err


def test_cli_bad_input_rsrp_out_of_range(small, tmp_path, capsys):
    rows = "".join(f"105.84{i},20.25,Viettel,4G,{v}\n" for i, v in enumerate((-95, 44, 50, -90)))
    err = _bad_input(tmp_path, small, "lon,lat,operator,tech,RSRP\n" + rows, capsys)
    assert "row(s) 2, 3:" in err and "dòng 2, 3:" in err
    assert "RSRP: 2 value(s) outside -150 to -30 dBm (e.g. 44, 50)" in err
    assert "dBm = value - 140" in err and "dBm = giá trị - 140" in err


def test_cli_bad_input_unknown_operator(small, tmp_path, capsys):
    err = _bad_input(tmp_path, small, "lon,lat,carrier,tech,rsrp_dbm\n"
                     "105.84,20.25,Viettel,4G,-95\n105.85,20.25,NTT DoCoMo,4G,-90\n", capsys)
    assert "carrier: operator(s) 'NTT DoCoMo' are not Vietnam's mobile operators" in err
    assert "row(s) 2:" in err and "nhà mạng 'NTT DoCoMo' không phải" in err
    assert "452-04 = Viettel" in err


def test_facade_calibrate_reuses_a_run(small):
    import gis

    res = gis.calibrate(small["project"], small["csv"], ctx=small["ctx"])
    g = res.params.calibration.group("Viettel")
    assert g.applied and abs(g.offset_db - 5.0) <= g.offset_ci_db
    assert len(res.measurements) == len(res.fit.points) == small["n"]


# -- the Parameters page section -------------------------------------------------------------------

def _section_page(folder: str) -> None:
    import streamlit as st

    from gis.app.calibration import render_section
    from gis.project import Project

    project = Project.load(folder)
    out = render_section(project, project.params, st.session_state.get("lang", "vi"))
    if out is not None:
        st.session_state["applied"] = out


def test_parameters_section_fits_shows_and_applies(small):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_section_page, kwargs={"folder": str(small["folder"])},
                               default_timeout=120)
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Hiệu chỉnh mô hình theo số liệu đo"
    at.file_uploader(key="calib_files").set_value(
        ("drive_test.csv", small["csv"].read_bytes(), "text/csv")).run()
    at.button(key="calib_fit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert "Độ lệch (dB)" in table.columns and table["Nhà mạng"].tolist() == ["Viettel",
                                                                              "VinaPhone"]
    assert "applied" not in at.session_state
    at.button(key="calib_apply").click().run()
    assert not at.exception
    applied = at.session_state["applied"]
    assert isinstance(applied, RunParams)
    g = applied.calibration.group("VinaPhone")
    assert g.applied and abs(g.offset_db - 5.0) <= g.offset_ci_db
    assert at.success[0].value.startswith("Đã áp dụng")


def test_measurement_files_are_recognised_by_their_signal_column():
    from gis.layers.read import guess_kind

    assert guess_kind(["Timestamp", "Longitude", "Latitude", "Operatorname", "Operator",
                       "NetworkTech", "Level", "Qual", "ARFCN"], "Point") == "measurements"
    assert guess_kind(["Latitude", "Longitude", "MCC", "MNC", "LTE Serving Cell RSRP (dBm)",
                       "Band"], "Point") == "measurements"
    assert guess_kind(["lon", "lat", "nha_mang", "cong_nghe", "ma_tram"], "Point") == "sites"


def test_land_cover_classes_get_their_own_corrections_and_calibrated_maps_meet_the_points(
        small, tmp_path):
    """A 10 m land cover (west: cropland 40, east: built-up 50) and an engine 3 dB optimistic
    over cropland, 9 dB over built-up: two class groups per operator, and the calibrated
    rasters at the points agree with the measurements."""
    import dataclasses

    import rasterio
    from rasterio.transform import from_origin
    from test_app_support import CRS_UTM, X0, Y0

    import gis
    from gis.pipeline.calibrate import landcover_on_grid

    res = 10.0
    w, h = int(5000 / res), int(4000 / res)
    lc = np.full((h, w), 40, np.uint8)
    lc[:, w // 2:] = 50                                       # east of X0 + 1500 m
    path = tmp_path / "worldcover.tif"
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype="uint8",
                       crs=CRS_UTM, nodata=0,
                       transform=from_origin(X0 - 1000, Y0 + 3000, res, res)) as dst:
        dst.write(lc, 1)
    project = dataclasses.replace(small["project"], rasters=dict(small["project"].rasters))
    project.set_raster("landcover", path)
    # the coverage of the fixture has no land-cover loss: use it, its numbers are known
    xy, op, pred = small["xy"], small["op"], small["pred"]
    east = xy[:, 0] >= X0 + 1500
    rng = np.random.default_rng(3)
    meas = pred - np.where(east, 9.0, 3.0) + rng.normal(0, 1.5, len(pred))
    lon, lat = Transformer.from_crs(CRS_UTM, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    csv = tmp_path / "lc_drive.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "operator": op, "tech": "4G",
                  "rsrp_dbm": np.round(meas, 2)}).to_csv(csv, index=False)
    result = gis.calibrate(project, csv, ctx=small["ctx"])
    cal = result.params.calibration
    for o in ("Viettel", "VinaPhone"):
        for c, off in ((40, 3.0), (50, 9.0)):
            g = cal.group(o, c)
            assert g is not None and g.applied, (o, c)
            assert abs(g.offset_db - off) <= g.offset_ci_db, (o, c, g.offset_db)
    cov = small["ctx"].state.coverage
    grid = landcover_on_grid(path, cov)
    assert set(np.unique(grid[np.isfinite(grid)])) == {40.0, 50.0}
    fixed = apply_calibration(cov, cal, grid)
    used = result.fit.points["used"].to_numpy()
    after = np.array([fixed.sample(p[None], "4G", o)[0] for p, o in zip(xy, op, strict=True)])
    err = (after - meas)[used]
    assert abs(err.mean()) < 0.4 and np.sqrt(np.mean(err ** 2)) < 2.0
    # a point of the other class group is 6 dB apart before and about 0 after
    before = (pred - meas)[used]
    assert abs(before[east[used]].mean() - before[~east[used]].mean() - 6.0) < 0.6
    # a run with the land cover and the fitted groups corrects each cell by its own class: the
    # land cover cut to the engine's window, not the DEM grid's (an offset of the halo)
    from gis.pipeline.stages import run

    plain = run(project, project.params.replace(calibration=CalibrationParams()),
                out_dir=tmp_path / "plain").state.coverage
    calibrated = run(project, project.params.replace(calibration=cal),
                     out_dir=tmp_path / "calibrated").state.coverage
    want = apply_calibration(plain, cal, landcover_on_grid(path, plain))
    for key, arr in want.best_dbm.items():
        np.testing.assert_allclose(calibrated.best_dbm[key], arr, atol=1e-4)


def test_a_run_with_the_calibration_subtracts_it_and_a_new_fit_uses_the_plain_engine(small,
                                                                                     tmp_path):
    import gis
    from gis.pipeline.stages import STAGES, run

    cal = CalibrationParams(groups=(CalibrationGroup("Viettel", techs=("4G",), offset_db=5.0),),
                            n_points=120, measurements="drive_test.csv")
    params = small["project"].params.replace(calibration=cal)
    ctx = run(small["project"], params, out_dir=tmp_path,
              stages=[s for s in STAGES if s.name == "coverage"])
    plain, fixed = small["ctx"].state.coverage, ctx.state.coverage
    a, b = plain.best_dbm["Viettel", "4G"], fixed.best_dbm["Viettel", "4G"]
    ok = np.isfinite(a)
    np.testing.assert_allclose(b[ok], a[ok] - 5.0, atol=1e-4)     # offset only: exact
    np.testing.assert_array_equal(fixed.best_dbm["VinaPhone", "4G"],
                                  plain.best_dbm["VinaPhone", "4G"])
    np.testing.assert_array_equal(fixed.best_dbm["Viettel", "5G"],
                                  plain.best_dbm["Viettel", "5G"])
    assert any(w.startswith("Coverage calibrated on 120 measurements") for w in ctx.warnings)
    with __import__("rasterio").open(tmp_path / "coverage_viettel_4g.tif") as src:
        np.testing.assert_allclose(src.read(1)[ok], a[ok] - 5.0, atol=1e-4)   # the GeoTIFF too
    # fitting again on the calibrated run still measures the engine's own error (5 dB)
    res = gis.calibrate(small["project"], small["csv"], params, ctx=ctx)
    g = res.params.calibration.group("Viettel")
    assert abs(g.offset_db - 5.0) <= g.offset_ci_db


def test_the_report_lists_the_applied_groups_in_one_row():
    from gis.config import to_dict
    from gis.report.html import param_summary

    cal = CalibrationParams(groups=(
        CalibrationGroup("Viettel", None, ("4G",), offset_db=6.166, slope_db_per_decade=-1.2,
                         n_points=136),
        CalibrationGroup("Viettel", 50, ("4G",), offset_db=9.0, n_points=40),
        CalibrationGroup("VinaPhone", None, ("4G",), applied=False, offset_db=0.4)))
    rows = dict(param_summary(to_dict(RunParams().replace(calibration=cal))))
    assert rows["calibration"] == ("Viettel: +6.17 dB, -1.20 dB/decade (n 136); Viettel / 50: "
                                   "+9.00 dB, +0.00 dB/decade (n 40)")
    assert dict(param_summary(to_dict(RunParams())))["calibration"] == "-"


def test_a_project_holds_measurements_and_calibrates_on_its_own_layer(small, tmp_path):
    import gis
    from gis.project import Project

    project = gis.load_project(small["folder"], {"measurements": small["csv"]})
    assert len(project.layers["measurements"]) == small["n"]
    project.save(tmp_path / "with_meas")
    again = Project.load(tmp_path / "with_meas")
    assert again.layers["measurements"]["rsrp_dbm"].tolist() == \
        project.layers["measurements"]["rsrp_dbm"].tolist()
    res = gis.calibrate(again, again.layers["measurements"], ctx=small["ctx"])
    assert res.report is None and res.params.calibration.group("Viettel").applied
