"""Uploads merged into a layer: add, replace the operators or the ids the file contains, replace all."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis.errors import CRSError, ValidationError
from gis.layers.merge import MERGE_MODES, merge_layer, merge_modes, row_counts

UTM = "EPSG:32648"


def _sites(ids, ops, x0=580_000.0):
    return gpd.GeoDataFrame({"site_id": ids, "operator": ops, "tech": "4G"},
                            geometry=shapely.points([x0 + 100 * i for i in range(len(ids))],
                                                    [2_240_000.0] * len(ids)), crs=UTM)


@pytest.fixture
def base():
    # 4 operators, 10 sector rows; VT01 has three sectors
    return _sites(["VT01", "VT01", "VT01", "VT02", "VNP1", "VNP2", "MBF1", "MBF2", "VNM1",
                   "VNM2"],
                  ["Viettel"] * 4 + ["VinaPhone"] * 2 + ["MobiFone"] * 2 + ["Vietnamobile"] * 2)


@pytest.fixture
def upload():
    # five Viettel sites from an engineer: VT02 again (moved), four new ones, one id in use
    return _sites(["VT02", "VT10", "VT11", "VT12", "VT01"], ["Viettel"] * 5, x0=590_000.0)


def test_add_keeps_every_row_and_renames_ids_in_use(base, upload):
    r = merge_layer(base, upload, "add", kind="sites")
    assert (r.before[""], r.after[""]) == (10, 15) and r.removed == 0 and r.added == 5
    assert r.before["Viettel"] == 4 and r.after["Viettel"] == 9
    assert r.after["MobiFone"] == 2 and r.after["VinaPhone"] == 2      # untouched
    assert r.renamed == {"VT02": "VT02-2", "VT01": "VT01-2"}
    assert r.layer["site_id"].tolist()[-5:] == ["VT02-2", "VT10", "VT11", "VT12", "VT01-2"]
    assert len(base) == 10 and base["site_id"].tolist()[3] == "VT02"   # inputs unchanged


def test_replace_operators_replaces_only_viettel(base, upload):
    r = merge_layer(base, upload, "replace_operators", kind="sites")
    assert r.keys == ["Viettel"] and r.removed == 4 and r.after[""] == 6 + 5
    assert r.after["Viettel"] == 5 and r.after["Vietnamobile"] == 2
    assert r.layer.crs == base.crs and list(r.layer.index) == list(range(11))


def test_replace_ids_replaces_the_sites_named(base, upload):
    r = merge_layer(base, upload, "replace_ids", kind="sites")
    # VT01 (3 sector rows) and VT02 (1) are replaced by the upload's rows of those ids
    assert r.removed == 4 and r.after[""] == 10 - 4 + 5
    assert sorted(r.keys) == ["VT01", "VT02", "VT10", "VT11", "VT12"]
    moved = r.layer[r.layer["site_id"] == "VT02"]
    assert len(moved) == 1 and moved.geometry.iloc[0].x == 590_000.0


def test_replace_all_and_no_layer_yet(base, upload):
    r = merge_layer(base, upload, "replace_all", kind="sites")
    assert r.after == {"": 5, "Viettel": 5} and r.removed == 10
    first = merge_layer(None, upload, "add", kind="sites")
    assert first.mode == "replace_all" and len(first.layer) == 5
    assert merge_modes("sites", None, upload) == ["replace_all"]
    assert merge_modes("sites", base, upload) == list(MERGE_MODES)
    roads = gpd.GeoDataFrame({"road_class": ["national"]},
                             geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=UTM)
    assert merge_modes("roads", roads, roads) == ["add", "replace_all"]


def test_refusals(base, upload):
    with pytest.raises(ValidationError, match="choose one of"):
        merge_layer(base, upload, "merge", kind="sites")
    with pytest.raises(CRSError):
        merge_layer(base, upload.to_crs(4326), "add", kind="sites")
    roads = gpd.GeoDataFrame({"road_class": ["national"]},
                             geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=UTM)
    with pytest.raises(ValidationError):
        merge_layer(roads, roads, "replace_operators", kind="roads")
    assert row_counts(None) == {"": 0} and row_counts(roads) == {"": 1}


def test_a_table_without_geometry_can_only_be_replaced():
    import pandas as pd

    stats = pd.DataFrame({"commune": ["Xã A"], "subs_mobile_per100": [92.0]})
    assert merge_modes("villages", stats, stats) == ["replace_all"]
