"""Indicators per 2025 unit (province, new commune, former district) and per-commune statistics."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.analysis.indicators import INDICATOR_COLUMNS, compute_indicators
from gis.analysis.targets import IndicatorParams
from gis.analysis.units import assign_units, former_district_units
from gis.analysis.units.stats import (
    hamlet_statistics,
    match_statistics,
    stat_targets,
    statistics_indicators,
)
from gis.errors import ValidationError
from gis.layers.commune_stats import read_commune_statistics, statistics_frame


@pytest.fixture(scope="module")
def hai_hau_hamlets() -> pd.DataFrame:
    """One hamlet per former commune of Hải Hậu, with units and hand-set results."""
    u = former_district_units("Nam Định", "Hải Hậu")
    pts = gpd.GeoSeries(shapely.points(u["lon"], u["lat"]), crs=4326).to_crs(32648)
    h = gpd.GeoDataFrame({"name": [f"Thôn {i}" for i in range(len(u))],
                          "commune": u["former_commune"], "district": "Hải Hậu",
                          "province": "Nam Định"}, geometry=pts.to_numpy(), crs=32648)
    units = assign_units(h)
    out = pd.concat([pd.DataFrame(h.drop(columns=["geometry", "commune", "district",
                                                  "province"])), units], axis=1)
    # 4G in every hamlet except those of new Xã Hải Quang (its 3 former communes)
    out["mobile_4g"] = out["commune"] != "Xã Hải Quang"
    out["population"] = 1000.0 + 100.0 * np.arange(len(out))
    out["lon"], out["lat"] = u["lon"], u["lat"]
    return out


def _pick(t, ind, level, code):
    r = t[(t["indicator_id"] == ind) & (t["scope_level"] == level) & (t["unit_code"] == code)]
    assert len(r) == 1, (ind, level, code)
    return r.iloc[0]


def test_indicators_per_province_commune_and_former_district(hai_hau_hamlets):
    h = hai_hau_hamlets
    positions = pd.DataFrame({"n_operators": [1, 2, 3], "lon": h["lon"][:3],
                              "lat": h["lat"][:3]})
    t = compute_indicators(h, positions=positions,
                           params=IndicatorParams(preset="hai_hau_2025"))
    assert list(t.columns) == INDICATOR_COLUMNS
    levels = set(t["scope_level"])
    assert levels == {"area", "province", "commune", "former_district"}
    # 24 hamlets, 3 of them (Hải Quang, Hải Đông, Hải Tây -> Xã Hải Quang) without 4G
    assert _pick(t, "hamlets_4g", "area", "")["value"] == pytest.approx(21 / 24)
    prov = _pick(t, "hamlets_4g", "province", "37")
    assert prov["scope"] == prov["unit_name"] == "Tỉnh Ninh Bình"
    assert prov["value"] == pytest.approx(21 / 24) and prov["gap"] == 3
    hq = h.loc[h["commune"] == "Xã Hải Quang", "commune_code"].iloc[0]
    row = _pick(t, "hamlets_4g", "commune", hq)
    assert (row["unit_name"], row["value"], row["denominator"], bool(row["met"])) == (
        "Xã Hải Quang", 0.0, 3.0, False)
    yd = _pick(t, "hamlets_4g", "commune", "14215")  # Xã Hải Hậu: Yên Định, Hải Trung, Hải Long
    assert (yd["unit_name"], yd["value"], yd["denominator"]) == ("Xã Hải Hậu", 1.0, 3.0)
    fd = _pick(t, "hamlets_4g", "former_district", "366")
    assert fd["unit_name"] == "Hải Hậu" and fd["value"] == pytest.approx(21 / 24)
    # 8 new communes, each with its code
    assert (t[(t["indicator_id"] == "hamlets_4g") & (t["scope_level"] == "commune")]
            ["unit_code"].nunique()) == 8
    # positions get the units of their nearest hamlet: all 3 in Xã Hải Hậu / Tiến / Thịnh
    sh = _pick(t, "bts_sharing_rate", "province", "37")
    assert sh["value"] == pytest.approx(2 / 3)
    assert _pick(t, "bts_sharing_rate", "commune", "14215")["value"] == 0.0


def test_scopes_argument_and_legacy_tables(hai_hau_hamlets):
    t = compute_indicators(hai_hau_hamlets, scopes=["province"])
    assert set(t["scope_level"]) == {"area", "province"}
    legacy = pd.DataFrame({"commune": ["A", "A", "B"], "district": ["D", "D", "D"],
                           "mobile_4g": [True, False, True]})
    t = compute_indicators(legacy)
    row = t[(t["indicator_id"] == "hamlets_4g") & (t["scope"] == "A")].iloc[0]
    assert (row["scope_level"], row["unit_code"], row["value"]) == ("commune", "", 0.5)
    with pytest.raises(ValidationError, match="valid: province"):
        compute_indicators(legacy, scopes=["county"])


def test_statistics_table_with_a_missing_value(tmp_path, hai_hau_hamlets):
    csv = tmp_path / "so_lieu_xa.csv"
    csv.write_text(
        "Mã xã;Tên xã;Thuê bao di động/100 dân;Tỷ lệ smartphone (%);Tốc độ di động (Mbps)\n"
        "14215;Xã Hải Hậu;90;75;65,5\n"
        ";Xã Hải Xuân;-;80%;\n"
        ";Xã Không Có;70;;\n", encoding="utf-8-sig")
    stats = read_commune_statistics(csv)
    t = stats.table
    assert t.at[0, "commune_code"] == "14215" and t["commune_code"][1:].isna().all()
    assert np.isnan(t.at[1, "subs_mobile_per100"])  # "-": not given, not 0
    assert list(t["smartphone_share"][:2]) == [0.75, 0.80]
    assert t.at[0, "ispeed_mobile_mbps"] == 65.5
    m = match_statistics(t)
    assert list(m["level"]) == ["new", "new", ""]
    assert m.at[2, "match_note"].startswith("no such commune")
    h = hai_hau_hamlets
    hs = hamlet_statistics(h, m)
    ind = statistics_indicators(pd.concat([h, hs], axis=1),
                                targets=stat_targets("hai_hau_2025"))
    hau = _pick(ind, "subs_mobile_per100", "commune", "14215")
    assert (hau["value"], hau["target"], bool(hau["met"])) == (90.0, 85.0, True)
    xuan = _pick(ind, "subs_mobile_per100", "commune", "14308")
    assert np.isnan(xuan["value"]) and xuan["note"] == "not given"
    # the area: only Xã Hải Hậu's 3 hamlets give it -> 90
    area = _pick(ind, "subs_mobile_per100", "area", "")
    assert area["value"] == 90.0 and "not given for 7 of 8 communes" in area["note"]
    # smartphone share weighted by population: Hải Hậu (rows 0, 4, 8) and Hải Xuân (18, 21, 23)
    pop = h["population"]
    w_hau, w_xuan = pop[[0, 4, 8]].sum(), pop[[18, 21, 23]].sum()
    assert h.loc[[18, 21, 23], "commune"].eq("Xã Hải Xuân").all()
    expected = (0.75 * w_hau + 0.80 * w_xuan) / (w_hau + w_xuan)
    assert _pick(ind, "smartphone_share", "province", "37")["value"] == pytest.approx(expected)
    speed = _pick(ind, "ispeed_mobile_mbps", "commune", "14215")
    assert speed["gap"] == pytest.approx(4.5) and speed["gap_unit"] == "Mbit/s"


def test_statistics_by_former_commune_names():
    raw = pd.DataFrame({"xa": ["Hải Đông", "Hải Tây"], "huyen": ["Hải Hậu", "Hải Hậu"],
                        "tinh": ["Nam Định", "Nam Định"],
                        "toc_do_co_dinh_mbps": ["120", "160"]})
    m = match_statistics(statistics_frame(raw).table)
    assert list(m["level"]) == ["former", "former"]
    assert list(m["former_commune_code"]) == ["14269", "14287"]
    units = pd.DataFrame({"former_commune_code": ["14269", "14287", "14266"],
                          "commune_code": ["14287"] * 3})
    hs = hamlet_statistics(units, m)
    assert hs["ispeed_fixed_mbps"].tolist()[:2] == [120.0, 160.0]
    assert np.isnan(hs["ispeed_fixed_mbps"].iloc[2])  # Hải Quang itself is not given


def test_statistics_table_without_key_or_statistic():
    with pytest.raises(ValidationError, match="no commune code or name"):
        statistics_frame(pd.DataFrame({"foo": ["1"], "toc_do_di_dong": ["3"]}))
    with pytest.raises(ValidationError, match="subscriptions per 100"):
        statistics_frame(pd.DataFrame({"ma_xa": ["14215"], "ghi_chu": ["x"]}))
