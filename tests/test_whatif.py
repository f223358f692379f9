"""What-if for one site (issue 15 item 9) and the terrain profile of a link (item 10).

The what-if recomputes only the edited site (and its neighbours where it was the best server);
every test compares it with the full computation it replaces: the engine over every
transmitter, and the whole pipeline on the edited sites layer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from affine import Affine

from gis.errors import ValidationError
from gis.pipeline.cache import run_cached
from gis.project import Project
from gis.radio.coverage import compute_coverage
from gis.radio.sectors import expand_sectors
from gis.whatif import LinkProfile, SiteEdit, apply_edit, link_profile, run_whatif
from gis.whatif.sites import default_azimuths, edited_sites, hamlet_changes

MOBILE = ("mobile_4g", "mobile_5g", "no_signal", "weak_spot", "pop_share_4g", "pop_share_5g")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from test_app_support import build_small_project

    from gis.app.whatif_page import scenario_from_run

    project = Project.load(build_small_project(tmp_path_factory.mktemp("whatif")))
    ctx, _ = run_cached(project, project.params, store={})
    return project, ctx, scenario_from_run(project, ctx)


def _edits():
    from test_app_support import X0, Y0

    return [SiteEdit("change", "VT02", x_m=X0 + 2600, y_m=Y0 + 1500, height_m=40.0),
            SiteEdit("add", "NEW01", "VinaPhone", x_m=X0 + 400, y_m=Y0 + 300, tech="4G"),
            SiteEdit("remove", "VT01"),
            SiteEdit("change", "VT01", azimuths_deg=(45.0, 200.0), tilt_deg=6.0,
                     tech="4G/5G")]


@pytest.mark.parametrize("i", range(4), ids=["move", "add", "remove", "reorient"])
def test_recomputed_coverage_equals_the_full_computation(small, i):
    _project, _ctx, scn = small
    edit = _edits()[i]
    result = run_whatif(scn, edit)
    tx, _ = expand_sectors(apply_edit(scn.sites, edit)[0], scn.radio)
    r0, c0 = scn.offset
    full = compute_coverage(tx, scn.dem, scn.dem_transform, scn.coverage.crs, scn.radio,
                            landcover=scn.landcover, window=(r0, c0, *scn.coverage.shape))
    got = {k: v for k, v in result.scenario.coverage.best_dbm.items() if np.isfinite(v).any()}
    assert set(got) == set(full.best_dbm)
    for key, want in full.best_dbm.items():
        np.testing.assert_array_equal(np.isnan(got[key]), np.isnan(want), err_msg=str(key))
        np.testing.assert_allclose(got[key][np.isfinite(want)], want[np.isfinite(want)],
                                   atol=1e-4, err_msg=str(key))
    # the server rasters point at active transmitters of the right operator and technology
    for key, srv in result.scenario.coverage.server.items():
        rows = result.scenario.transmitters.iloc[np.unique(srv[srv >= 0])]
        assert rows["active"].all() and (rows["operator"] == key[0]).all()
    # only the edited site was swept, plus neighbours over its orphaned cells
    assert result.transmitters < len(tx) or edit.action != "add"


def test_hamlets_and_indicators_equal_a_full_run_of_the_edited_sites(small):
    """The gained and lost hamlets are what a whole new analysis would find."""
    project, ctx, scn = small
    edit = SiteEdit("remove", "VT02")
    result = run_whatif(scn, edit)
    again = Project(name=project.name, crs=project.crs,
                    layers={**project.layers, "sites": apply_edit(project.layers["sites"],
                                                                  edit)[0]},
                    rasters=dict(project.rasters), params=project.params)
    full, _ = run_cached(again, project.params, store={})
    for col in MOBILE:
        np.testing.assert_allclose(result.scenario.hamlets[col].astype(float).to_numpy(),
                                   full.hamlets[col].astype(float).to_numpy(), atol=1e-9,
                                   err_msg=col)
    changes = hamlet_changes(ctx.hamlets, full.hamlets)
    pd.testing.assert_frame_equal(result.changes.reset_index(drop=True),
                                  changes.reset_index(drop=True))
    ind = full.tables["indicators"]
    area = ind[ind["scope_level"] == "area"].set_index("indicator_id")["value"]
    got = result.indicators_after.set_index("indicator_id")["value"]
    for key in ("hamlets_4g", "hamlets_5g", "hamlets_mobile_broadband", "population_4g"):
        assert got[key] == pytest.approx(area[key], abs=1e-12), key


def test_removing_every_site_loses_every_hamlet(small):
    _project, ctx, scn = small
    result = None
    for sid in ("VT01", "VT02", "VNP01", "VNP02"):
        result = run_whatif(result.scenario if result else scn, SiteEdit("remove", sid))
    h = result.scenario.hamlets
    assert not h["mobile_4g"].any() and h["no_signal"].all()
    covered_before = int((ctx.hamlets["mobile_4g"] | ctx.hamlets["mobile_5g"]).sum())
    assert covered_before > 0


def test_edits_of_the_layer():
    import geopandas as gpd
    import shapely

    sites = gpd.GeoDataFrame({"site_id": ["A", "A", "B"], "operator": ["Viettel"] * 2 + ["MobiFone"],
                              "tech": ["4G", "4G", "2G"], "azimuth_deg": [0.0, 180.0, np.nan],
                              "height_m": [30.0, 30.0, 25.0]},
                             geometry=shapely.points([0.0, 0.0, 500.0], [0.0, 0.0, 0.0]),
                             crs="EPSG:32648")
    layer, old, new = apply_edit(sites, SiteEdit("change", "A", azimuths_deg=(10.0, 130.0, 250.0),
                                                 height_m=45.0, x_m=100.0, y_m=50.0))
    assert old.tolist() == [True, True, False] and len(new) == 3 and len(layer) == 4
    assert new["height_m"].tolist() == [45.0] * 3 and new.geometry.x.tolist() == [100.0] * 3
    assert layer["site_id"].tolist() == ["B", "A", "A", "A"]
    added = edited_sites(sites, [SiteEdit("add", "C", "VinaPhone", x_m=1.0, y_m=2.0),
                                 SiteEdit("remove", "B")])
    assert added["site_id"].tolist() == ["A", "A", "C", "C", "C"]
    assert added.loc[added["site_id"] == "C", "azimuth_deg"].tolist() == [0.0, 120.0, 240.0]
    with pytest.raises(ValidationError):
        apply_edit(sites, SiteEdit("add", "A", "Viettel", x_m=0.0, y_m=0.0))
    with pytest.raises(ValidationError):
        SiteEdit("add", "D", "Viettel")                     # no position
    with pytest.raises(ValidationError):
        SiteEdit("change", "A", height_m=0.2)
    assert default_azimuths(4) == (0.0, 90.0, 180.0, 270.0)


# -- the terrain profile ----------------------------------------------------------------------

def _flat(n=200, z=10.0):
    return np.full((n, n), z), Affine(30.0, 0.0, 0.0, 0.0, -30.0, n * 30.0)


def test_profile_over_flat_ground_is_clear_and_free_space_is_exact():
    dem, tr = _flat()
    prof = link_profile(dem, tr, (300.0, 3000.0), (3300.0, 3000.0), tx_height_m=30.0,
                        freq_mhz=1800.0)
    assert isinstance(prof, LinkProfile) and prof.line_of_sight
    assert prof.length_m == pytest.approx(3000.0)
    # the earth's bulge mid-path: 1500^2 / (2 * 4/3 * 6371 km) = 0.1324 m
    mid = int(np.argmin(np.abs(prof.distance_m - 1500.0)))
    assert prof.bulge_m[mid] == pytest.approx(1500.0 ** 2 / (2 * 4 / 3 * 6_371_000.0), rel=2e-2)
    # first Fresnel zone mid-path at 1800 MHz: sqrt(lambda * 1500 * 1500 / 3000) = 11.17 m
    lam = 299_792_458.0 / 1.8e9
    assert prof.fresnel_m[mid] == pytest.approx(math.sqrt(lam * 750.0), rel=1e-2)
    # free space over the 3D distance: 20 log10(d_km) + 20 log10(f_MHz) + 32.45
    d3 = math.hypot(3000.0, 28.5) / 1000.0
    assert prof.losses_db["free_space"] == pytest.approx(
        20 * math.log10(d3) + 20 * math.log10(1800.0) + 32.45, abs=0.01)
    assert prof.engine_model == "cost231_hata"
    assert prof.losses_db["engine"] == pytest.approx(prof.losses_db["cost231_hata"])
    assert "itm" in prof.losses_db and prof.losses_db["itm"] > prof.losses_db["free_space"] - 1
    # the ground never reaches the line (1.5 m above it at the handset); the tightest part of
    # the first zone is near the handset: at 120 m from it the line is 1.5 + 28.5 * 120 / 3000
    # = 2.64 m up and r1 = sqrt(lambda * 2880 * 120 / 3000) = 4.43 m: 0.60 of the zone
    assert -1.9 < prof.obstruction_m < -1.7
    assert prof.fresnel_clearance == pytest.approx(2.64 / math.sqrt(lam * 2880 * 120 / 3000),
                                                   abs=0.02)


def test_profile_over_a_ridge_is_obstructed():
    dem, tr = _flat()
    dem[:, 95:105] = 120.0            # a 110 m ridge across the middle of the path
    prof = link_profile(dem, tr, (300.0, 3000.0), (5700.0, 3000.0), tx_height_m=30.0,
                        freq_mhz=900.0)
    assert not prof.line_of_sight
    # the line rises from 40 m to 11.5 m; the ridge top (120 m) stands ~95 m above it
    assert 80.0 < prof.obstruction_m < 110.0
    assert 2700.0 < prof.obstruction_at_m < 3300.0
    assert prof.fresnel_clearance < 0
    assert prof.losses_db["engine"] > prof.losses_db["okumura_hata"] + 10.0
