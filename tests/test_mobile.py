"""Coverage per hamlet (trắng sóng / lõm sóng) on constructed cases, and the run stages."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS

from gis.analysis.mobile import (
    finalise_sums,
    hamlet_columns,
    hamlet_coverage,
    hamlet_sums,
    reduce_sums,
)
from gis.analysis.params import HamletRule
from gis.config import from_dict
from gis.errors import CRSError, ValidationError
from gis.params import RunParams
from gis.pipeline.stages import STAGES, run
from gis.project import Project
from gis.radio.coverage import CoverageResult

X0, Y0 = 600_000.0, 2_300_000.0
UTM = CRS.from_epsg(32648)


def box(x0: float, x1: float) -> shapely.Polygon:
    """A hamlet over columns [x0, x1) (m from X0) and the whole 600 m height of the grid."""
    return shapely.box(X0 + x0, Y0 - 600.0, X0 + x1, Y0)


def constructed() -> tuple[gpd.GeoDataFrame, CoverageResult]:
    """10 x 6 cells of 100 m: Viettel 4G covered (-90 dBm) in the west half, -120 dBm in the
    east half; MobiFone 4G nowhere; Viettel 2G everywhere (2G does not count as a signal)."""
    transform = Affine(100.0, 0, X0, 0, -100.0, Y0)
    vt = np.full((6, 10), -120.0, np.float32)
    vt[:, :5] = -90.0
    best = {("Viettel", "4G"): vt, ("MobiFone", "4G"): np.full((6, 10), np.nan, np.float32),
            ("Viettel", "2G"): np.full((6, 10), -60.0, np.float32)}
    server = {k: np.where(np.isfinite(v), 0, -1).astype(np.int32) for k, v in best.items()}
    cov = CoverageResult(transform=transform, crs=UTM, shape=(6, 10), best_dbm=best,
                         server=server, transmitters=pd.DataFrame())
    villages = gpd.GeoDataFrame(
        {"village_id": ["A", "B", "C", "D"], "name": ["covered", "dark", "weak", "point"]},
        geometry=[box(0, 400), box(600, 1000), box(200, 700), shapely.Point(X0 + 50, Y0 - 50)],
        crs=UTM)
    return villages, cov


def test_area_shares_and_flags():
    villages, cov = constructed()
    long = hamlet_coverage(villages, cov)
    vt = long[(long.operator == "Viettel") & (long.tech == "4G")].set_index("village_id")
    # A: 4 of 4 columns covered; B: none; C: columns 2, 3, 4 of 2..6 -> 3/5; D: its centre
    assert vt.pop_share.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.6, "D": 1.0}
    assert vt.share_basis.to_dict() == {"A": "area", "B": "area", "C": "area", "D": "centre"}
    assert vt.centre_covered.to_dict() == {"A": True, "B": False, "C": True, "D": True}
    assert vt.covered.to_dict() == {"A": True, "B": False, "C": False, "D": True}
    assert vt.loc["A", "centre_rsrp_dbm"] == -90.0 and vt.loc["B", "centre_rsrp_dbm"] == -120.0
    mf = long[long.operator == "MobiFone"]
    assert not mf.centre_covered.any() and (mf.pop_share == 0).all()
    cols = hamlet_columns(long, villages.index)
    assert cols.mobile_4g.tolist() == [True, False, False, True]
    assert cols.pop_share_4g.tolist() == [1.0, 0.0, 0.6, 1.0]
    assert cols.mobile_5g.tolist() == [False] * 4
    # B has only 2G at its centre: trắng sóng; C has signal at the centre but 60 % of its area
    assert cols.no_signal.tolist() == [False, True, False, False]
    assert cols.weak_spot.tolist() == [False, False, True, False]
    assert cols.cov_4g_viettel.tolist() == [1.0, 0.0, 0.6, 1.0]
    assert cols.cov_4g_mobifone.tolist() == [0.0] * 4
    assert {"cov_5g_viettel", "cov_5g_mobifone", "cov_2g_viettel"} <= set(cols.columns)


def test_population_weighting_changes_the_weak_spot():
    villages, cov = constructed()
    # 10 people per cell where Viettel covers, 1 person per cell where it does not
    pop = np.where(np.arange(10) < 5, 10.0, 1.0)[None, :].repeat(6, axis=0)
    long = hamlet_coverage(villages, cov, population=(pop, cov.transform))
    vt = long[(long.operator == "Viettel") & (long.tech == "4G")].set_index("village_id")
    # C: per row 3 covered cells x 10 people and 2 uncovered x 1 -> 30 / 32 = 0.9375
    assert vt.loc["C", "pop_share"] == pytest.approx(30 / 32, abs=1e-4)
    assert vt.loc["C", "covered"] and vt.loc["C", "share_basis"] == "population"
    cols = hamlet_columns(long, villages.index)
    assert cols.weak_spot.tolist() == [False, False, False, False]
    # a polygon with no people in the raster falls back to its area
    pop_b0 = pop.copy()
    pop_b0[:, 6:] = 0.0
    long = hamlet_coverage(villages, cov, population=(pop_b0, cov.transform))
    b = long[(long.village_id == "B") & (long.operator == "Viettel") & (long.tech == "4G")]
    assert b.share_basis.iloc[0] == "area" and b.pop_share.iloc[0] == 0.0


def test_rule_is_configurable():
    villages, cov = constructed()
    lenient = HamletRule(centre_required=False, min_pop_share=0.5)
    long = hamlet_coverage(villages, cov, rule=lenient)
    vt = long[(long.operator == "Viettel") & (long.tech == "4G")].set_index("village_id")
    assert vt.covered.to_dict() == {"A": True, "B": False, "C": True, "D": True}
    literal = HamletRule(signal_techs=("2G", "3G", "4G", "5G"))
    cols = hamlet_columns(hamlet_coverage(villages, cov, rule=literal), villages.index, literal)
    assert not cols.no_signal.any()  # 2G reaches every centre
    with pytest.raises(ValidationError):
        HamletRule(min_pop_share=1.5)
    with pytest.raises(ValidationError):
        HamletRule(signal_techs=("6G",))
    # the rule is read from params.json like every section
    rule = from_dict(RunParams, {"mobile": {"min_pop_share": 0.9, "signal_techs": ["4g"]}}).mobile
    assert rule == HamletRule(min_pop_share=0.9, signal_techs=("4G",))


def test_run_stages_on_a_small_flat_project(tmp_path):
    villages = gpd.GeoDataFrame(
        {"village_id": ["N", "F"], "name": ["Thôn Gần", "Thôn Xa"], "population": [300, 200]},
        geometry=[shapely.Point(X0 + 500, Y0 - 500), shapely.Point(X0 + 9_000, Y0 - 500)],
        crs=UTM)
    sites = gpd.GeoDataFrame(
        {"operator": ["Viettel"], "tech": ["4G"], "height_m": [30.0]},
        geometry=[shapely.Point(X0 + 700, Y0 - 700)], crs=UTM)
    project = Project(name="tiny", crs=UTM, layers={"villages": villages, "sites": sites})
    ctx = run(project, RunParams(), out_dir=tmp_path,
              stages=[s for s in STAGES if s.name in ("hamlets", "coverage", "mobile")])
    h = ctx.hamlets
    for col in ("mobile_4g", "mobile_5g", "pop_share_4g", "pop_share_5g", "no_signal",
                "weak_spot", "cov_4g_viettel", "cov_5g_viettel"):
        assert col in h.columns
    assert h.mobile_4g.tolist() == [True, False]  # 300 m from the mast vs 8.3 km
    assert h.no_signal.tolist() == [False, True]
    assert any("flat terrain" in w for w in ctx.warnings)
    assert any("3 sectors" in d for d in ctx.defaults)
    path = ctx.rasters["coverage_viettel_4g"]
    assert path == tmp_path / "coverage_viettel_4g.tif"
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 32648 and src.dtypes[0] == "float32"
    long = ctx.state.hamlet_coverage
    assert set(long.columns) >= {"centre_rsrp_dbm", "centre_covered", "pop_share", "covered"}
    assert ctx.state.coverage.best("4G").dtype == np.float32


@pytest.mark.slow
def test_sample_area_designed_gaps(sample_dir, tmp_path):
    """The sample's trắng sóng hamlets (closed karst basin) come out without signal, and its
    lõm sóng hamlets (centre reached, outlying cluster behind a spur) as weak spots."""
    project = Project.load(sample_dir)
    ctx = run(project, out_dir=tmp_path,
              stages=[s for s in STAGES if s.name in ("hamlets", "coverage", "mobile")])
    design = project.layers["villages"]["sample_design"].fillna("").to_numpy()
    dark = np.array(["no_signal" in d for d in design])
    weak = np.array(["weak_spot" in d for d in design])
    h = ctx.hamlets
    assert dark.sum() >= 3
    assert h.no_signal.to_numpy()[dark].all()
    assert not h.mobile_4g.to_numpy()[dark | weak].any()
    assert weak.sum() >= 2 and h.weak_spot.to_numpy()[weak].all()
    assert not h.no_signal.to_numpy()[weak].any()
    assert (tmp_path / "coverage_viettel_4g.tif").is_file()
    assert 0.3 < h.mobile_4g.mean() < 1.0


def test_crs_mismatch_is_an_error():
    villages, cov = constructed()
    with pytest.raises(CRSError, match="analysis CRS"):
        hamlet_coverage(villages.to_crs(4326), cov)


def _tile(cov: CoverageResult, r0: int, c0: int, h: int, w: int) -> CoverageResult:
    return CoverageResult(
        transform=cov.transform * Affine.translation(c0, r0), crs=cov.crs, shape=(h, w),
        best_dbm={k: v[r0:r0 + h, c0:c0 + w] for k, v in cov.best_dbm.items()},
        server={k: v[r0:r0 + h, c0:c0 + w] for k, v in cov.server.items()},
        transmitters=cov.transmitters)


@pytest.mark.parametrize("with_population", [False, True])
def test_tiles_reduce_to_the_whole(with_population):
    """Hamlets cut by tile edges get exactly their one-piece result (issue 8)."""
    villages, cov = constructed()
    rng = np.random.default_rng(1)
    pop = (rng.uniform(0, 20, (6, 10)), cov.transform) if with_population else None
    whole = hamlet_coverage(villages, cov, population=pop)
    parts = [hamlet_sums(villages, _tile(cov, r0, c0, 3, 5), population=pop)
             for r0 in (0, 3) for c0 in (0, 5)]
    tiled = finalise_sums(reduce_sums(parts), villages)
    key = ["hamlet", "operator", "tech"]
    a = whole.sort_values(key).reset_index(drop=True)
    b = tiled.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pd.testing.assert_frame_equal(whole.attrs["signal_share"], tiled.attrs["signal_share"])
