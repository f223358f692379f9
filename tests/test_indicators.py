"""Indicators on a constructed area of 6 hamlets in 2 communes, 5 BTS positions, 6 facilities.

Every expected value below is computed by hand from the table in :func:`area` and written
literally; the comment next to it shows the arithmetic.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from gis.analysis.indicators import (
    INDICATOR_COLUMNS,
    INDICATORS,
    assign_admin,
    compute_indicators,
)
from gis.analysis.targets import PRESETS, IndicatorParams, Targets, preset_targets
from gis.config import from_dict, to_dict
from gis.errors import ValidationError
from gis.params import RunParams

GH, GT = "Xã Gia Hưng", "Xã Gia Tân"


def area() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hamlets = pd.DataFrame({
        "village_id": ["H1", "H2", "H3", "H4", "H5", "H6"],
        "name": ["Thôn Đồng Tâm", "Thôn Trung", "Thôn Hạ", "Xóm Bãi", "Xóm Chùa", "Xóm Đình"],
        "commune": [GH, GH, GH, GT, GT, GT],
        "population": [1000.0, 800, 600, 500, 400, 700],
        "households": [250.0, 200, 150, 125, 100, 175],
        "lon": [106.00, 106.01, 106.02, 106.10, 106.11, 106.12],
        "lat": [20.0] * 6,
        "mobile_4g": [True, True, False, False, True, False],
        "mobile_5g": [True, False, False, True, False, False],
        "ftth": [True, True, False, True, False, False],
        "hh_share_ftth": [1.0, 0.9, 0.2, 0.8, 0.0, 0.5],
        "pop_share_4g": [1.0, 0.9, 0.3, 0.5, 1.0, 0.0],
        "pop_share_5g": [0.5, 0.0, 0.0, 0.8, 0.0, 0.0],
        "lost_if_2g_off": [False, False, True, False, False, False],
        "lost_if_3g_off": [False, False, True, False, True, False],
    })
    positions = pd.DataFrame({
        "position_id": ["P1", "P2", "P3", "P4", "P5"],
        "lon": [106.001, 106.011, 106.101, 106.111, 106.121],
        "lat": [20.001] * 5,
        "operators": ["Viettel;VinaPhone", "MobiFone", "Viettel;VinaPhone;MobiFone", "Viettel",
                      "VinaPhone"],
        "n_operators": [2, 1, 3, 1, 1],
    })
    facilities = pd.DataFrame({
        "name": ["Trường TH Gia Hưng", "Trường TH Gia Tân", "Trạm y tế Gia Hưng",
                 "UBND xã Gia Hưng", "UBND xã Gia Tân", "KCN Gia Tân"],
        "kind": ["school", "school", "health_station", "commune_office", "commune_office",
                 "industrial_zone"],
        "lon": [106.002, 106.102, 106.012, 106.003, 106.103, 106.115],
        "lat": [20.0] * 6,
        "connected": [True, False, True, True, False, True],
        "mobile_5g": [True, False, False, True, False, True],
    })
    return hamlets, positions, facilities


def pick(table: pd.DataFrame, ind: str, scope: str = "") -> pd.Series:
    rows = table[(table["indicator_id"] == ind) & (table["scope"] == scope)]
    assert len(rows) == 1, (ind, scope, rows)
    return rows.iloc[0]


@pytest.fixture
def table() -> pd.DataFrame:
    h, p, f = area()
    return compute_indicators(h, positions=p, facilities=f,
                              params=IndicatorParams(preset="binh_phuoc_2023_2025"))


def test_columns(table: pd.DataFrame) -> None:
    assert list(table.columns) == INDICATOR_COLUMNS


@pytest.mark.parametrize(("ind", "value", "gap"), [
    ("hamlets_mobile_broadband", 4 / 6, 2),  # H1 H2 H4 H5 (H4 by 5G only); 6 - 4
    ("hamlets_4g", 3 / 6, 3),  # H1 H2 H5
    ("hamlets_ftth", 3 / 6, 3),  # H1 H2 H4
    # (250*1 + 200*.9 + 150*.2 + 125*.8 + 100*0 + 175*.5) / 1000 = 647.5 / 1000; 1000-647.5
    ("households_ftth", 0.6475, 353),
    ("bts_sharing_rate", 2 / 5, 0),  # P1, P3 shared; 0.4 >= 0.25
    ("schools_connected", 1 / 2, 1),
    ("health_stations_connected", 1.0, 0),
    ("commune_offices_connected", 1 / 2, 1),
    ("hamlets_lost_2g_off", 1 / 6, 1),  # H3; maximum 0
    ("hamlets_lost_3g_off", 2 / 6, 2),  # H3 H5
])
def test_area_values_met_and_gap(table: pd.DataFrame, ind: str, value: float, gap: int) -> None:
    row = pick(table, ind)
    assert row["scope_level"] == "area"
    assert row["value"] == pytest.approx(value)
    assert row["gap"] == gap
    assert bool(row["met"]) is (gap == 0)


def test_values_without_target(table: pd.DataFrame) -> None:
    # Bình Phước sets no 5G or population targets: the value is there, met is NA.
    row = pick(table, "population_4g")
    # (1000 + 720 + 180 + 250 + 400 + 0) / 4000
    assert row["value"] == pytest.approx(2550 / 4000)
    assert row["numerator"] == pytest.approx(2550.0) and row["denominator"] == 4000.0
    assert pd.isna(row["met"]) and math.isnan(row["target"]) and math.isnan(row["gap"])
    assert pick(table, "population_5g")["value"] == pytest.approx(900 / 4000)  # 500*.8 + 1000*.5
    assert pick(table, "hamlets_5g")["value"] == pytest.approx(2 / 6)
    assert pick(table, "priority_5g")["value"] == pytest.approx(2 / 3)  # 2 offices + 1 zone
    # tenancy variant: operators on shared positions (2 + 3) / all operators (2+1+3+1+1)
    assert pick(table, "bts_tenancy_sharing_rate")["value"] == pytest.approx(5 / 8)
    assert pick(table, "bts_tenancy_sharing_rate", GH)["value"] == pytest.approx(2 / 3)
    assert pick(table, "bts_tenancy_sharing_rate", GT)["value"] == pytest.approx(3 / 5)


def test_per_commune(table: pd.DataFrame) -> None:
    mb = pick(table, "hamlets_mobile_broadband", GH)
    assert mb["scope_level"] == "commune"
    assert mb["value"] == pytest.approx(2 / 3) and mb["gap"] == 1
    assert pick(table, "hamlets_ftth", GT)["value"] == pytest.approx(1 / 3)  # H4 only
    assert pick(table, "hamlets_ftth", GT)["gap"] == 2
    # Gia Hưng (250 + 180 + 30) / 600; Gia Tân (100 + 0 + 87.5) / 400
    assert pick(table, "households_ftth", GH)["value"] == pytest.approx(460 / 600)
    assert pick(table, "households_ftth", GH)["gap"] == 140
    assert pick(table, "households_ftth", GT)["value"] == pytest.approx(0.46875)
    assert pick(table, "households_ftth", GT)["gap"] == 213  # ceil(400 - 187.5)
    # positions get the commune of their nearest hamlet: P1 P2 -> Gia Hưng, P3-P5 -> Gia Tân
    assert pick(table, "bts_sharing_rate", GH)["value"] == pytest.approx(0.5)
    assert pick(table, "bts_sharing_rate", GT)["value"] == pytest.approx(1 / 3)
    assert pick(table, "schools_connected", GT)["value"] == 0.0
    assert pick(table, "schools_connected", GT)["gap"] == 1
    # no district column: no district rows
    assert not (table["scope_level"] == "district").any()


def test_sharing_gap_and_presets() -> None:
    h, p, f = area()
    # override the sharing target to 50 %: area 0.4 -> ceil(2.5 - 2) = 1 position to share
    params = IndicatorParams(preset="hai_hau_2025", overrides={"bts_sharing_rate": 0.5})
    t = compute_indicators(h, positions=p, facilities=f, params=params)
    assert pick(t, "bts_sharing_rate")["target"] == 0.5
    assert pick(t, "bts_sharing_rate")["gap"] == 1
    assert pick(t, "bts_sharing_rate", GT)["gap"] == 1  # ceil(1.5 - 1)
    assert bool(pick(t, "bts_sharing_rate", GH)["met"]) is True  # 0.5 >= 0.5
    # Xuân Trúc: households 80 % -> gap ceil(800 - 647.5) = 153
    t = compute_indicators(h, positions=p, facilities=f,
                           params=IndicatorParams(preset="xuan_truc"))
    assert pick(t, "households_ftth")["target"] == 0.8
    assert pick(t, "households_ftth")["gap"] == 153
    # national: 5G for 99 % of the population -> gap ceil(3960 - 900) = 3060 people
    t = compute_indicators(h, positions=p, facilities=f, params=IndicatorParams())
    row = pick(t, "population_5g")
    assert row["target"] == 0.99 and row["gap"] == 3060 and row["gap_unit"] == "people"
    assert bool(row["met"]) is False


def test_preset_values_from_the_plans() -> None:
    assert preset_targets("binh_phuoc_2023_2025").bts_sharing_rate == 0.25
    assert preset_targets("hai_hau_2025").bts_sharing_rate == 0.30
    assert preset_targets("xuan_truc").households_ftth == 0.80
    assert preset_targets("national").population_5g == 0.99
    for t in PRESETS.values():
        assert t.hamlets_mobile_broadband == 1.0 and t.hamlets_ftth == 1.0


def test_missing_inputs_are_not_available_not_errors() -> None:
    h, _, _ = area()
    base = h[["village_id", "name", "commune", "population", "households", "lon", "lat"]]
    t = compute_indicators(base)
    area_rows = t[t["scope_level"] == "area"]
    assert len(area_rows) == len(t) == len(INDICATORS) == 17  # one row each, no communes
    assert area_rows["value"].isna().all()
    assert area_rows["note"].str.startswith("not available").all()
    assert "mobile_4g" in pick(t, "hamlets_mobile_broadband")["note"]
    assert "positions" in pick(t, "bts_sharing_rate")["note"]


def test_unknown_values_left_out_with_note() -> None:
    h, _, _ = area()
    h["ftth"] = pd.array([True, True, None, True, False, False], dtype="boolean")
    h.loc[5, "households"] = np.nan
    t = compute_indicators(h)
    row = pick(t, "hamlets_ftth")
    assert row["value"] == pytest.approx(3 / 5) and row["denominator"] == 5.0
    assert "1 of 6 hamlets without a value" in row["note"]
    # households: H6 (175 hh) left out: (647.5 - 87.5) / (1000 - 175)
    assert pick(t, "households_ftth")["value"] == pytest.approx(560 / 825)


def test_only_4g_known() -> None:
    h, _, _ = area()
    t = compute_indicators(h.drop(columns=["mobile_5g"]))
    row = pick(t, "hamlets_mobile_broadband")
    assert row["value"] == pytest.approx(3 / 6) and "only 4G" in row["note"]


def test_per_district() -> None:
    h, p, _ = area()
    h["district"] = ["Huyện A", "Huyện A", "Huyện B", "Huyện B", "Huyện B", "Huyện B"]
    t = compute_indicators(h, positions=p)
    assert pick(t, "hamlets_4g", "Huyện A")["value"] == 1.0  # H1 H2
    assert pick(t, "hamlets_4g", "Huyện B")["value"] == pytest.approx(1 / 4)  # H5
    assert pick(t, "hamlets_4g", "Huyện B")["scope_level"] == "district"
    assert pick(t, "bts_sharing_rate", "Huyện A")["value"] == pytest.approx(0.5)  # P1, P2


def test_assign_admin_keeps_own_commune() -> None:
    h, p, _ = area()
    p["commune"] = ["X", "X", "X", "X", "X"]
    assert (assign_admin(p, h)["commune"] == "X").all()
    got = assign_admin(p.drop(columns="commune"), h)["commune"].tolist()
    assert got == [GH, GH, GT, GT, GT]


def test_targets_validation_and_params_roundtrip() -> None:
    with pytest.raises(ValidationError, match=r"0\.25 for 25"):
        Targets(bts_sharing_rate=25)
    with pytest.raises(ValidationError, match="valid presets"):
        IndicatorParams(preset="ha_noi")
    with pytest.raises(ValidationError, match="Unknown target"):
        IndicatorParams(overrides={"sharing": 0.3})
    params = RunParams()
    assert isinstance(params.targets, IndicatorParams)
    data = to_dict(params)
    data["targets"]["preset"] = "xuan_truc"
    data["targets"]["overrides"] = {"hamlets_5g": 0.5}
    back = from_dict(RunParams, data)
    assert back.targets.targets.hamlets_5g == 0.5
    assert back.targets.targets.households_ftth == 0.8


def test_stage_in_pipeline() -> None:
    from gis.pipeline.stages import STAGES, run
    from gis.project import Project

    assert STAGES[-1].name == "indicators"
    h, _, _ = area()
    villages = gpd.GeoDataFrame(
        h[["village_id", "name", "commune", "population", "households"]],
        geometry=gpd.points_from_xy(h["lon"], h["lat"]), crs=4326).to_crs(32648)
    villages["district"] = "Huyện Hải Hậu"
    project = Project(name="t", crs=CRS.from_epsg(32648), layers={"villages": villages})
    ctx = run(project, stages=[s for s in STAGES if s.name in ("hamlets", "indicators")])
    ind = ctx.tables["indicators"]
    assert pick(ind, "hamlets_4g")["note"].startswith("not available")
    assert any("preset 'national'" in d for d in ctx.defaults)


def test_positions_as_metric_geodataframe() -> None:
    """The sharing stage's positions layer: points in UTM, no lon/lat columns."""
    h, p, _ = area()
    gdf = gpd.GeoDataFrame(p.drop(columns=["lon", "lat"]),
                           geometry=gpd.points_from_xy(p["lon"], p["lat"]), crs=4326)
    gdf = gdf.to_crs(32648)
    got = assign_admin(gdf, h)["commune"].tolist()
    assert got == [GH, GH, GT, GT, GT]
    t = compute_indicators(h, positions=gdf)
    assert pick(t, "bts_sharing_rate", GT)["value"] == pytest.approx(1 / 3)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 40),
       st.floats(0.0, 1.0, allow_nan=False))
def test_met_iff_no_gap(seed: int, n: int, target: float) -> None:
    """For any area and target: met exactly when the gap is zero, and meeting the gap meets it."""
    rng = np.random.default_rng(seed)
    h = pd.DataFrame({
        "commune": rng.choice(["A", "B", "C"], n), "population": rng.integers(1, 900, n) * 1.0,
        "households": rng.integers(1, 200, n) * 1.0, "lon": 105.0 + rng.random(n),
        "lat": 20.0 + rng.random(n), "mobile_4g": rng.random(n) < 0.6,
        "ftth": rng.random(n) < 0.5, "hh_share_ftth": rng.random(n),
        "lost_if_2g_off": rng.random(n) < 0.3})
    params = IndicatorParams(overrides={"hamlets_4g": target, "hamlets_ftth": target,
                                        "households_ftth": target, "hamlets_lost_2g_off": target})
    t = compute_indicators(h, params=params)
    t = t[t["indicator_id"].isin(["hamlets_4g", "hamlets_ftth", "households_ftth",
                                  "hamlets_lost_2g_off"])]
    assert ((t["value"] >= 0) & (t["value"] <= 1)).all()
    assert ((t["gap"] == 0) == t["met"].astype(bool)).all()
    # closing the gap reaches the target, and one less would not (the gap is the smallest)
    for r in t.itertuples():
        sign = -1 if r.direction == "<=" else 1
        closed = (r.numerator + sign * r.gap) / r.denominator
        assert closed >= target - 1e-9 if sign > 0 else closed <= target + 1e-9
        if r.gap > 0:
            short = (r.numerator + sign * (r.gap - 1)) / r.denominator
            assert short < target - 1e-12 if sign > 0 else short > target + 1e-12
