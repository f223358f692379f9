import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from gis.analysis.params import SharingParams
from gis.analysis.positions import sharing_rates, site_positions
from gis.errors import ValidationError


def _sites(rows):
    return gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("x", "y")} for r in rows],
        geometry=[Point(r["x"], r["y"]) for r in rows], crs=32648)


@pytest.fixture
def sites():
    # Hand-made: 6 rows on 4 towers.
    #   T1 (0, 0):    Viettel (3 sector rows) + VinaPhone 12 m away  -> shared by 2
    #   T2 (1000, 0): MobiFone alone
    #   T3 (2000, 0): Viettel + MobiFone 200 m apart but one explicit position_id "SH-9" -> shared
    #   T4 (3000, 0): VinaPhone alone, 25 m from nothing else
    return _sites([
        {"x": 0, "y": 0, "operator": "Viettel", "height_m": 30.0},
        {"x": 0, "y": 0, "operator": "Viettel", "height_m": 30.0},
        {"x": 0, "y": 0, "operator": "Viettel", "height_m": 30.0},
        {"x": 12, "y": 0, "operator": "VinaPhone", "height_m": 42.0},
        {"x": 1000, "y": 0, "operator": "MobiFone", "height_m": np.nan},
        {"x": 2000, "y": 0, "operator": "Viettel", "position_id": "SH-9"},
        {"x": 2200, "y": 0, "operator": "MobiFone", "position_id": "SH-9"},
        {"x": 3000, "y": 0, "operator": "VinaPhone"},
    ])


def test_positions_by_distance_and_explicit_id(sites):
    positions, member = site_positions(sites, colocation_distance_m=30)
    assert list(member) == [0, 0, 0, 0, 1, 2, 2, 3]
    assert list(positions["operators"]) == ["Viettel/VinaPhone", "MobiFone", "MobiFone/Viettel",
                                            "VinaPhone"]
    assert list(positions["n_operators"]) == [2, 1, 2, 1]
    assert positions["position_id"].iloc[2] == "SH-9"
    assert positions["height_m"].iloc[0] == 42.0          # the tallest known
    assert positions.geometry.iloc[2].x == pytest.approx(2100)


def test_two_different_explicit_ids_never_merge():
    sites = _sites([
        {"x": 0, "y": 0, "operator": "Viettel", "position_id": "A"},
        {"x": 5, "y": 0, "operator": "MobiFone", "position_id": "B"},
    ])
    positions, _ = site_positions(sites, colocation_distance_m=30)
    assert len(positions) == 2


def test_sharing_rate_by_hand(sites):
    positions, _ = site_positions(sites, colocation_distance_m=30)
    rates = sharing_rates(positions).iloc[0]
    # 2 shared positions of 4 -> 50 %; tenancies: 2 + 1 + 2 + 1 = 6, on shared: 4 -> 66.7 %
    assert rates["sharing_rate"] == pytest.approx(0.5)
    assert rates["tenancy_sharing_rate"] == pytest.approx(4 / 6)
    positions["commune"] = ["Xã A", "Xã A", "Xã B", "Xã B"]
    per = sharing_rates(positions, by="commune").set_index("commune")
    assert per.loc["Xã A", "sharing_rate"] == pytest.approx(0.5)
    assert per.loc["Xã B", "shared_positions"] == 1


def test_params_are_validated():
    with pytest.raises(ValidationError):
        SharingParams(colocation_distance_m=0)
