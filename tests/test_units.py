"""The 2025 administrative units: name normalisation, the crosswalk, hamlet attribution.

The truth of every mapping is read in the tests straight from the data files of the
``vietnamadminunits`` package (``converter_2025.json``, ``dataset.db``) with ``json`` and
``sqlite3``, independently of :mod:`gis.analysis.units.data`.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.analysis.units import (
    UNIT_COLUMNS,
    UnitParams,
    assign_units,
    crosswalk,
    former_district_units,
    match_admin_layer,
    match_names,
    normalise_unit_name,
)
from gis.analysis.units.names import unit_key
from gis.errors import ValidationError

UTM48 = 32648


def _vau_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _truth(province_key: str, district_key: str) -> pd.DataFrame:
    """Former communes of one district and their new commune, from the package's own files."""
    data = _vau_dir()
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(data / "dataset.db") as conn:
        rows = conn.execute(
            "SELECT ward, wardCode, wardKey, wardLat, wardLon FROM admin_units_legacy "
            "WHERE provinceKey = ? AND districtKey = ?", (province_key, district_key)).fetchall()
        new = dict(conn.execute("SELECT provinceKey || '|' || wardKey, ward FROM admin_units"))
    out = []
    for ward, code, key, lat, lon in rows:
        old = f"{province_key}_{district_key}_{key}"
        hit = [(p, k) for p, d in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
               for k, olds in d.items() if old in olds]
        assert len(hit) == 1, old
        p, k = hit[0]
        out.append({"former_commune": ward, "former_code": code, "lat": lat, "lon": lon,
                    "new_commune": new[f"{p}|{k}"]})
    return pd.DataFrame(out)


def _points(lon, lat, crs=UTM48) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.points(np.asarray(lon), np.asarray(lat)), crs=4326).to_crs(crs)


def _voronoi_cells(lon, lat) -> list:
    """Real-shaped commune polygons: Voronoi cells of the centres, clipped to their hull + 2 km."""
    pts = _points(lon, lat).to_numpy()
    hull = shapely.buffer(shapely.convex_hull(shapely.multipoints(pts)), 2000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=hull))
    cells = [shapely.intersection(c, hull) for c in cells]
    return [next(c for c in cells if shapely.contains(c, p)) for p in pts]


# -- names --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "kind", "key"), [
    ("Xã Hải Đông", "xa", "haidong"),
    ("xã hải đông", "xa", "haidong"),
    ("XA HAI DONG", "xa", "haidong"),
    ("X. Hải Đông", "xa", "haidong"),
    ("Hải Đông", None, "haidong"),
    ("Thị trấn Yên Định", "thi_tran", "yendinh"),
    ("TT Yên Định", "thi_tran", "yendinh"),
    ("TT. Yên Định", "thi_tran", "yendinh"),
    ("thi tran yen dinh", "thi_tran", "yendinh"),
    ("Phường 12", "phuong", "12"),
    ("P.12", "phuong", "12"),
    ("P12", "phuong", "12"),
    ("p 12", "phuong", "12"),
    ("F.12", "phuong", "12"),
    ("phuong 12", "phuong", "12"),
    ("Phường 012", "phuong", "12"),
    ("Phường 1 Bảo Lộc", "phuong", "1baoloc"),
    ("Quận 1", "quan", "1"),
    ("Q.1", "quan", "1"),
    ("Huyện Hải Hậu", "huyen", "haihau"),
    ("H. Hải Hậu", "huyen", "haihau"),
    ("huyen hai hau", "huyen", "haihau"),
    ("Huyện Quan Hóa", "huyen", "quanhoa"),
    ("Quan Hóa", None, "quanhoa"),  # the syllable "Quan", not the prefix "Quận"
    ("Thị xã Phú Thọ", "thi_xa", "phutho"),
    ("TX Phú Thọ", "thi_xa", "phutho"),
    ("Thành phố Hồ Chí Minh", "thanh_pho", "hochiminh"),
    ("TP. Hồ Chí Minh", "thanh_pho", "hochiminh"),
    ("TP.HCM", "thanh_pho", "hcm"),
    ("Tp Nam Định", "thanh_pho", "namdinh"),
    ("Tỉnh Bà Rịa - Vũng Tàu", "tinh", "bariavungtau"),
    ("Tỉnh Đắk Lắk", "tinh", "daklak"),
    ("Dak Lak", None, "daklak"),
    ("Đặc khu Côn Đảo", "dac_khu", "condao"),
    ("Xã Cư M’ta", "xa", "cumta"),
    ("Xã Ea H'Leo", "xa", "eahleo"),
    ("  Xã   Hoà  Bình ", "xa", "hoabinh"),
    ("Đồng Xoài", None, "dongxoai"),
])
def test_normalise_real_spellings(written, kind, key):
    name = normalise_unit_name(written)
    assert (name.kind, name.key) == (kind, key)


def test_tone_key_ignores_the_tone_mark_position_but_not_the_tone():
    hoa_new, hoa_old = normalise_unit_name("Xã Hòa Bình"), normalise_unit_name("Xã Hoà Bình")
    assert hoa_new.toned == hoa_old.toned
    assert normalise_unit_name("Thuỷ").toned == normalise_unit_name("Thủy").toned
    lang, lang_breve = normalise_unit_name("Xã Văn Lang"), normalise_unit_name("Xã Văn Lăng")
    assert lang.key == lang_breve.key and lang.toned != lang_breve.toned
    thanh, thanh_dot = normalise_unit_name("Tân Thành"), normalise_unit_name("Tân Thạnh")
    assert thanh.key == thanh_dot.key and thanh.toned != thanh_dot.toned


def test_normalise_blank_and_ascii_prefix():
    for blank in (None, "", "   ", float("nan"), pd.NA):
        assert normalise_unit_name(blank) is None
    assert normalise_unit_name("quan 1").alt_key == "quan1"  # typed without diacritics
    assert normalise_unit_name("Quận 1").alt_key is None
    assert unit_key("Đ") == "d"


# -- the crosswalk ----------------------------------------------------------------------------

def test_crosswalk_counts():
    cw = crosswalk()
    assert len(cw.provinces) == 34
    assert len(cw.communes) == 3321 and cw.communes["commune_code"].is_unique
    assert len(cw.former_provinces) == 63
    assert len(cw.former_districts) == 696
    fc = cw.former_communes
    assert len(fc) == 10040  # 10,035 communes and 5 island districts without commune
    assert fc["former_commune"].notna().sum() == 10035
    assert int(fc["split"].sum()) == 471
    assert cw.split_candidates["former_commune_code"].nunique() == 471
    # every split commune has 2-5 candidates and exactly one default
    per = cw.split_candidates.groupby("former_commune_code")
    assert per.size().between(2, 5).all() and (per["is_default"].sum() == 1).all()
    # every new commune took at least one former unit
    took = set(fc["commune_code"].dropna()) | set(cw.split_candidates["commune_code"])
    assert took == set(cw.communes["commune_code"])
    assert set(cw.former_provinces["province_code"]) == set(cw.provinces["province_code"])


def test_crosswalk_official_codes_and_names_from_vietnam_provinces():
    spec = importlib.util.find_spec("vietnam_provinces")
    data = json.loads((Path(next(iter(spec.submodule_search_locations))) / "data"
                       / "nested-divisions.json").read_text(encoding="utf-8"))
    official = {f"{int(w['code']):05d}": " ".join(w["name"].split())
                for p in data for w in p["wards"]}
    cw = crosswalk()
    assert dict(zip(cw.communes["commune_code"], cw.communes["commune"], strict=True)) == official
    nb = cw.provinces.set_index("province_code").loc["37"]
    assert nb["province"] == "Tỉnh Ninh Bình"
    assert cw.former_provinces.set_index("former_province")["province_code"].to_dict()[
        "Tỉnh Nam Định"] == "37"
    assert cw.former_provinces.set_index("former_province")["province_code"].to_dict()[
        "Tỉnh Bình Phước"] == "75"


def test_former_district_units_hai_hau():
    units = former_district_units("Nam Định", "Huyện Hải Hậu")
    assert len(units) == 24 and units["commune_code"].nunique() == 8
    assert set(units["province"]) == {"Tỉnh Ninh Bình"}
    by = units.set_index("former_commune")["commune"]
    # DOMAIN.md section 6: Hải Đông + Hải Tây -> Hải Quang;
    # Yên Định + Hải Trung + Hải Long -> Hải Hậu
    assert by["Xã Hải Đông"] == by["Xã Hải Tây"] == "Xã Hải Quang"
    assert by["Thị trấn Yên Định"] == by["Xã Hải Trung"] == by["Xã Hải Long"] == "Xã Hải Hậu"
    with pytest.raises(ValidationError, match="No former district"):
        former_district_units("Nam Định", "Nho Quan")


def test_match_names_within_province_and_district():
    cw = crosswalk()
    fc = cw.former_communes
    m = match_names("nam dinh", "H. Hai Hau", "hai dong")
    assert [fc.at[r, "former_commune"] for r in m.former_rows] == ["Xã Hải Đông"]
    assert m.province_codes == ("37",)
    # "Phường 12" is in 7 former districts of Hồ Chí Minh City; the district decides
    assert len(match_names("TP.HCM", None, "P.12").former_rows) == 7
    m = match_names("TP.HCM", "Quận Gò Vấp", "P.12")
    assert [fc.at[r, "former_district"] for r in m.former_rows] == ["Quận Gò Vấp"]
    # a tone tells apart two new communes of Thái Nguyên
    names = cw.communes.set_index("commune_code")["commune"]
    assert [names[c] for c in match_names("Thái Nguyên", None, "Xã Văn Lăng").new_codes] == [
        "Xã Văn Lăng"]
    assert len(match_names("Thai Nguyen", None, "Van Lang").new_codes) == 2
    assert match_names("Thừa Thiên Huế").province_codes == ("46",)


# -- hamlet attribution ----------------------------------------------------------------------

def _hamlets(truth: pd.DataFrame, **cols) -> gpd.GeoDataFrame:
    """Two hamlets per former commune, 300-400 m from its centre."""
    t = pd.concat([truth, truth], ignore_index=True)
    dlon = np.r_[np.full(len(truth), 0.003), np.full(len(truth), -0.002)]
    dlat = np.r_[np.full(len(truth), 0.001), np.full(len(truth), -0.003)]
    data = {"name": [f"Thôn {i + 1}" for i in range(len(t))], "commune": t["former_commune"]}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=_points(t["lon"] + dlon, t["lat"] + dlat).to_numpy(),
                            crs=UTM48), t


@pytest.mark.parametrize(("pkey", "dkey", "district", "province", "new_province", "n_new"), [
    ("tinhnamdinh", "huyenhaihau", "Hải Hậu", "Nam Định", "Tỉnh Ninh Bình", 8),
    ("tinhbinhphuoc", "huyenbudang", "Huyện Bù Đăng", "Tỉnh Bình Phước", "Tỉnh Đồng Nai", 6),
])
def test_two_real_former_districts_map_to_their_new_communes(pkey, dkey, district, province,
                                                              new_province, n_new):
    truth = _truth(pkey, dkey)
    hamlets, t = _hamlets(truth, district=district, province=province)
    out = assign_units(hamlets)
    assert list(out.columns) == UNIT_COLUMNS and out.index.equals(hamlets.index)
    assert (out["commune"].map(unit_key) == t["new_commune"].map(unit_key)).all()
    assert out["commune_code"].nunique() == n_new
    assert set(out["province"]) == {new_province}
    assert (out["unit_source"] == "names").all() and (out["unit_conflict"] == "").all()
    # the former names are kept as given, their codes derived
    assert (out["former_commune"] == t["former_commune"]).all()
    assert set(out["former_district"]) == {district}
    assert set(out["former_province"]) == {province}
    assert (out["former_commune_code"] == t["former_code"]).all()
    assert out.attrs["units"]["names_vintage"] == "former"


def test_new_commune_names_are_read_as_2025_units():
    truth = _truth("tinhnamdinh", "huyenhaihau")
    new_names = truth["new_commune"].str.replace("Xã ", "xa ", regex=False)
    hamlets = gpd.GeoDataFrame({"commune": new_names, "province": "Ninh Bình"},
                               geometry=_points(truth["lon"], truth["lat"]).to_numpy(), crs=UTM48)
    out = assign_units(hamlets)
    assert out.attrs["units"]["names_vintage"] == "new"
    assert (out["commune"].map(unit_key) == truth["new_commune"].map(unit_key)).all()
    assert (out["unit_source"] == "names").all()
    # the former commune is derived from the position: the nearest of those that went in
    assert (out["former_source"] == "approximate").all()
    assert (out["former_commune_code"] == truth["former_code"]).all()
    assert set(out["former_district"]) == {"Huyện Hải Hậu"}


def test_split_commune_goes_to_the_nearest_candidate():
    # Xã Gia Tân (Gia Viễn, Ninh Bình) was split between Xã Gia Vân and Phường Tây Hoa Lư
    data = _vau_dir()
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    cands = conv["DICT_PROVINCE_WARD_DIVIDED"]["tinhninhbinh"]["tinhninhbinh_huyengiavien_xagiatan"]
    assert len(cands) == 2
    with sqlite3.connect(data / "dataset.db") as conn:
        names = dict(conn.execute(
            "SELECT wardKey, ward FROM admin_units WHERE provinceKey = 'tinhninhbinh'"))
    lon = [c["newWardLon"] + 0.004 for c in cands]
    lat = [c["newWardLat"] - 0.004 for c in cands]
    hamlets = gpd.GeoDataFrame({"commune": ["Xã Gia Tân"] * 2, "district": ["Gia Viễn"] * 2,
                                "province": ["Ninh Bình"] * 2},
                               geometry=_points(lon, lat).to_numpy(), crs=UTM48)
    out = assign_units(hamlets)
    assert list(out["commune"].map(unit_key)) == [unit_key(names[c["newWardKey"]]) for c in cands]
    assert (out["unit_source"] == "approximate").all()
    assert (out["former_commune"] == "Xã Gia Tân").all()
    # a new-commune polygon layer decides instead (the hamlets placed the other way round)
    codes = list(out["commune_code"])
    cells = _points(lon, lat).buffer(1500).to_numpy()
    admin = gpd.GeoDataFrame({"name": [names[c["newWardKey"]] for c in cands][::-1],
                              "level": ["commune"] * 2, "province": ["Ninh Bình"] * 2},
                             geometry=cells, crs=UTM48)
    out2 = assign_units(hamlets, admin)
    assert list(out2["commune_code"]) == codes[::-1]
    assert (out2["unit_source"] == "polygon").all()


@pytest.fixture(scope="module")
def hai_hau():
    truth = _truth("tinhnamdinh", "huyenhaihau")
    cells = _voronoi_cells(truth["lon"], truth["lat"])
    former = gpd.GeoDataFrame({"name": truth["former_commune"].str.replace(
        r"^(Xã|Thị trấn) ", "", regex=True), "level": "commune", "district": "Hải Hậu",
        "province": "Nam Định"}, geometry=cells, crs=UTM48)
    new = gpd.GeoDataFrame({"name": truth["new_commune"], "province": "Ninh Bình"},
                           geometry=cells, crs=UTM48).dissolve("name").reset_index()
    new["level"] = "commune"
    return truth, former, new


def test_admin_layer_vintage_is_detected(hai_hau):
    _, former, new = hai_hau
    m = match_admin_layer(former)
    assert (m.level, m.vintage, m.n_matched) == ("commune", "former", 24)
    m = match_admin_layer(new)
    assert (m.level, m.vintage, m.n_matched) == ("commune", "new", 8)
    names = crosswalk().communes.set_index("commune_code")["commune"]
    assert [names[c] for c in m.commune_codes] == list(new["name"])
    assert "new (2025)" in m.message()[0] and "mới (2025)" in m.message()[1]
    districts = gpd.GeoDataFrame({"name": ["Hải Hậu"], "province": ["Nam Định"],
                                  "level": ["district"]},
                                 geometry=[shapely.union_all(former.geometry.to_numpy())],
                                 crs=UTM48)
    m = match_admin_layer(districts)
    assert (m.level, m.vintage, list(m.district_codes), list(m.province_codes)) == (
        "district", "former", ["366"], ["37"])


def test_contradiction_with_the_polygon_is_reported_not_rekeyed(hai_hau):
    truth, former, new = hai_hau
    hamlets, t = _hamlets(truth, district="Hải Hậu", province="Nam Định")
    # a hamlet in Xã Hải Hòa (the south of the district) whose row names Xã Hải Nam (the north,
    # about 17 km away)
    i = int(t.index[t["former_commune"] == "Xã Hải Hòa"][0])
    hamlets.loc[i, "commune"] = "Xã Hải Nam"
    others = hamlets.index != i
    for admin in (former, new):
        out = assign_units(hamlets, admin)
        row = out.loc[i]
        assert row["unit_conflict"] == "polygon_differs"
        assert row["commune"] == "Xã Hải Hưng"  # the names are used (Hải Nam -> Hải Hưng)...
        assert row["former_commune"] == "Xã Hải Nam"  # ...and kept as given
        assert row["unit_source"] == "names"
        where = "Xã Hải Hòa" if admin is former else "Xã Hải Xuân"
        assert where in row["unit_conflict_en"] and "used the names" in row["unit_conflict_en"]
        assert where in row["unit_conflict_vi"] and "Kiểm tra" in row["unit_conflict_vi"]
        assert (out.loc[others, "unit_conflict"] == "").all()
    # without polygons: the hamlet lies farther than the margin outside Hải Nam's extent
    out = assign_units(hamlets)
    assert out.at[i, "unit_conflict"] == "far_from_named"
    assert out.at[i, "commune"] == "Xã Hải Hưng"
    assert (out.loc[others, "unit_conflict"] == "").all()
    assert out.attrs["units"]["conflicts"]["far_from_named"] == 1
    out = assign_units(hamlets, params=UnitParams(far_margin_m=50_000))
    assert out.at[i, "unit_conflict"] == ""


def test_no_admin_columns_the_position_decides(hai_hau):
    truth, former, new = hai_hau
    hamlets, t = _hamlets(truth)
    hamlets = hamlets[["name", "geometry"]]
    for admin, fsource in ((former, "polygon"), (new, "approximate")):
        out = assign_units(hamlets, admin)
        assert (out["unit_source"] == "polygon").all()
        assert (out["commune"].map(unit_key) == t["new_commune"].map(unit_key)).all()
        assert (out["former_source"] == fsource).all()
        assert (out["former_commune_code"] == t["former_code"]).all()
    # no polygons: the nearest new-commune centre (hamlets at the new communes' centres)
    cw = crosswalk()
    c = cw.communes[cw.communes["commune_code"].isin(out["commune_code"])]
    at = gpd.GeoDataFrame({"name": c["commune"].to_numpy()},
                          geometry=_points(c["lon"] + 0.001, c["lat"]).to_numpy(), crs=UTM48)
    out = assign_units(at)
    assert (out["commune_code"].to_numpy() == c["commune_code"].to_numpy()).all()
    assert (out["unit_source"] == "nearest_centroid").all()
    assert out.attrs["units"]["names_vintage"] is None


def test_unknown_name_and_no_position():
    hamlets = gpd.GeoDataFrame(
        {"commune": ["Xã Không Có", None], "province": ["Nam Định", None]},
        geometry=[shapely.Point(105.95, 20.3), None], crs=4326)
    out = assign_units(hamlets)
    assert out.at[0, "unit_conflict"] == "name_not_found"
    assert out.at[0, "unit_source"] == "nearest_centroid"
    assert out.at[0, "province_code"] == "37"  # within the province named
    assert out.at[1, "unit_source"] == "none" and pd.isna(out.at[1, "commune_code"])


def test_name_without_province_counts_only_near_the_hamlet():
    # two former "Xã Hải Đông" (Móng Cái, Hải Hậu): without province the position picks
    near = gpd.GeoDataFrame({"commune": ["Xã Hải Đông", "Xã Hải Đông"]},
                            geometry=[shapely.Point(106.332, 20.155),  # in Hải Hậu
                                      shapely.Point(105.85, 21.03)],   # in Hà Nội
                            crs=4326)
    out = assign_units(near)
    assert (out.at[0, "former_district"], out.at[0, "commune"], out.at[0, "unit_source"]) == (
        "Huyện Hải Hậu", "Xã Hải Quang", "names")
    assert out.at[1, "unit_conflict"] == "name_not_found"
    assert "no province is given" in out.at[1, "unit_conflict_en"]
    assert (out.at[1, "unit_source"], out.at[1, "province"]) == ("nearest_centroid",
                                                                 "Thành phố Hà Nội")


def test_unit_params_validated():
    with pytest.raises(ValidationError, match="far_margin_m"):
        UnitParams(far_margin_m=0)
