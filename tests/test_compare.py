"""The yearly report: two small run folders, the earlier one made before the 2025 units."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.analysis.compare import compare_runs
from gis.analysis.units import assign_units, former_district_units
from gis.cli import main
from gis.errors import InputFileError
from gis.report.compare import read_run_folder


def _bom_csv(frame: pd.DataFrame, path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run A (2024, pre-2025 names only) and run B (2025, with the unit columns)."""
    u = former_district_units("Nam Định", "Hải Hậu")
    base = pd.DataFrame({
        "village_id": [f"V{i:02d}" for i in range(len(u))],
        "name": [f"Thôn {i}" for i in range(len(u))],
        "commune": u["former_commune"], "district": "Hải Hậu", "province": "Nam Định",
        "population": 1000, "households": 250, "lon": u["lon"], "lat": u["lat"]})
    dong_tay_quang = base["commune"].isin(["Xã Hải Đông", "Xã Hải Tây", "Xã Hải Quang"])
    a = base.assign(mobile_4g=~dong_tay_quang, mobile_5g=False, ftth=True)
    b = a.copy()
    b.loc[b["commune"].isin(["Xã Hải Đông", "Xã Hải Tây"]), "mobile_4g"] = True   # gained
    b.loc[b["commune"] == "Thị trấn Yên Định", "mobile_4g"] = False               # lost
    b.loc[b["commune"] == "Thị trấn Yên Định", "mobile_5g"] = True
    pts = gpd.GeoSeries(shapely.points(b["lon"], b["lat"]), crs=4326)
    units = assign_units(gpd.GeoDataFrame(b[["commune", "district", "province"]],
                                          geometry=pts.to_numpy(), crs=4326))
    b = pd.concat([b.drop(columns=["commune", "district", "province"]), units], axis=1)
    at = u.set_index("former_commune")
    yd, ht = at.loc["Thị trấn Yên Định"], at.loc["Xã Hải Tây"]
    pos_a = pd.DataFrame({"position_id": ["P1", "P2"], "lon": [yd.lon, ht.lon],
                          "lat": [yd.lat, ht.lat], "n_operators": [2, 1]})
    pos_b = pd.concat([pos_a, pd.DataFrame({"position_id": ["P3"], "lon": [ht.lon + 0.001],
                                            "lat": [ht.lat], "n_operators": [2]})])
    towers_a = pd.DataFrame({"tower_id": ["T1"], "lon": [ht.lon], "lat": [ht.lat]})
    fiber_b = pd.DataFrame({"route_id": ["R1", "R2"], "length_m": [1500.0, 500.0],
                            "village_ids": ["V00", "V00; V01"]})
    ind_b = pd.DataFrame({
        "indicator_id": ["subs_mobile_per100"], "name_vi": ["Thuê bao"], "name_en": ["Subs"],
        "scope_level": ["province"], "scope": ["Tỉnh Ninh Bình"], "unit_code": ["37"],
        "unit_name": ["Tỉnh Ninh Bình"], "value": [88.0], "target": [85.0],
        "direction": [">="], "met": [True], "gap": [0.0], "gap_unit": ["per 100 people"],
        "numerator": [88.0], "denominator": [1.0], "note": [""]})
    folders = {}
    for tag, ham, pos, extra in (("a", a, pos_a, {"proposed_towers": towers_a}),
                                 ("b", b, pos_b, {"fiber_extensions": fiber_b,
                                                  "indicators": ind_b})):
        d = tmp_path_factory.mktemp(f"run_{tag}")
        _bom_csv(ham, d / "hamlets.csv")
        _bom_csv(pos, d / "positions.csv")
        for name, frame in extra.items():
            _bom_csv(frame, d / f"{name}.csv")
        (d / "run.json").write_text(json.dumps({
            "project": {"name": f"Hải Hậu {2024 if tag == 'a' else 2025}"},
            "parameters": {"targets": {"preset": "hai_hau_2025"}}}), encoding="utf-8")
        folders[tag] = d
    return folders


def _unit(units, level, code=""):
    r = units[(units["scope_level"] == level) & (units["unit_code"] == code)]
    assert len(r) == 1
    return r.iloc[0]


def test_compare_rekeys_the_pre_2025_run(two_runs):
    a, b = read_run_folder(two_runs["a"]), read_run_folder(two_runs["b"])
    assert a.hamlets["village_id"].iloc[0] == "V00" and b.hamlets["commune_code"].iloc[0] == "14215"
    t = compare_runs(a, b)
    units = t["compare_units"]
    assert units.attrs["rekeyed"] == ["a"]
    area = _unit(units, "area")
    assert (area["hamlets_a"], area["hamlets_b"], area["population_b"]) == (24, 24, 24000)
    # 4G: 21 of 24 then; +2 (Hải Đông, Hải Tây), -1 (Yên Định) -> 22
    assert (area["4g_a"], area["4g_b"], area["4g_newly_covered"], area["4g_lost"]) == (
        21, 22, 2, 1)
    assert (area["5g_a"], area["5g_b"], area["5g_newly_covered"]) == (0, 1, 1)
    quang = _unit(units, "commune", "14287")  # Xã Hải Quang: Hải Quang + Hải Đông + Hải Tây
    assert (quang["unit_name"], quang["hamlets_b"], quang["4g_a"], quang["4g_b"],
            quang["4g_newly_covered"]) == ("Xã Hải Quang", 3, 0, 2, 2)
    assert quang["province_code"] == "37"
    hau = _unit(units, "commune", "14215")  # Xã Hải Hậu: Yên Định, Hải Trung, Hải Long
    assert (hau["4g_a"], hau["4g_b"], hau["4g_lost"]) == (3, 2, 1)
    # positions: 1 of 2 shared then, 2 of 3 now; the new one is in Hải Quang
    assert (area["sharing_rate_a"], area["sharing_rate_b"]) == pytest.approx((0.5, 2 / 3))
    assert (area["towers_added"], quang["towers_added"], hau["towers_added"]) == (1, 1, 0)
    assert (area["proposed_towers_a"], area["proposed_towers_b"]) == (1, 0)
    assert area["fiber_extension_km_b"] == pytest.approx(2.0)
    assert hau["fiber_extension_km_b"] == pytest.approx(2.0)  # both routes start at V00
    prov = _unit(units, "province", "37")
    fd = _unit(units, "former_district", "366")
    assert prov["4g_b"] == fd["4g_b"] == 22
    ind = t["compare_indicators"]
    row = ind[(ind["indicator_id"] == "hamlets_4g") & (ind["scope_level"] == "commune")
              & (ind["unit_code"] == "14287")].iloc[0]
    assert (row["value_a"], row["value_b"], row["target"]) == pytest.approx((0.0, 2 / 3, 1.0))
    assert (bool(row["met_a"]), bool(row["met_b"])) == (False, False)
    sh = ind[(ind["indicator_id"] == "bts_sharing_rate") & (ind["scope_level"] == "area")].iloc[0]
    assert (sh["value_a"], sh["value_b"], sh["target"]) == pytest.approx((0.5, 2 / 3, 0.30))
    subs = ind[ind["indicator_id"] == "subs_mobile_per100"].iloc[0]  # carried from B
    assert (subs["unit_code"], subs["value_b"]) == ("37", 88.0) and pd.isna(subs["value_a"])
    ham = t["compare_hamlets"].set_index("village_id")
    assert ham.at["V00", "mobile_4g_change"] == "lost"
    assert ham.at["V00", "former_commune"] == "Thị trấn Yên Định"
    assert (ham["mobile_4g_change"] == "gained").sum() == 2


def test_compare_cli_writes_the_report(two_runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(two_runs["a"]), str(two_runs["b"]), "--out", str(out),
                 "--year", "2025", "--plan", "Kế hoạch hạ tầng số Hải Hậu"]) == 0
    printed = capsys.readouterr().out
    assert "Lần chạy A" in printed
    for name in ("compare.csv", "compare_indicators.csv", "compare_hamlets.csv",
                 "compare.xlsx", "compare.html"):
        assert (out / name).is_file(), name
    assert (out / "compare.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Báo cáo hạ tầng số năm 2025" in html and "Digital infrastructure report 2025" in html
    assert "Kế hoạch hạ tầng số Hải Hậu" in html and "Xã Hải Quang" in html
    assert "vietnamadminunits 1.0.4" in html
    book = pd.read_excel(out / "compare.xlsx", sheet_name=None)
    assert len(book) == 3


def test_compare_cli_bad_folder(tmp_path, capsys):
    assert main(["compare", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "hamlets.csv" in capsys.readouterr().err
    with pytest.raises(InputFileError):
        read_run_folder(tmp_path)


# -- on two real runs of the sample -------------------------------------------------------------

@pytest.mark.slow
def test_compare_two_real_runs_of_the_sample(sample_run_dir, tmp_path, capsys):
    """Run A: the sample run as a pre-2025 run would have written it (no unit columns, the
    former commune as ``commune``, 4G missing in two former communes), dated 2024; run B: the
    sample run itself, dated 2025. The comparison re-keys A and counts the hamlets newly
    covered per 2025 commune as computed here from the two hamlet tables."""
    import shutil

    import gis
    from gis.analysis.units import UNIT_COLUMNS

    a_dir, b_dir = tmp_path / "run_2024", tmp_path / "run_2025"
    shutil.copytree(sample_run_dir, a_dir)
    shutil.copytree(sample_run_dir, b_dir)
    hb = pd.read_csv(b_dir / "hamlets.csv", encoding="utf-8-sig", dtype={"village_id": str,
                                                                          "commune_code": str})
    old = hb.drop(columns=UNIT_COLUMNS).assign(commune=hb["former_commune"])
    lost = old["commune"].isin(["Xã Gia Lâm", "Xã Gia Sơn"])
    old.loc[lost, "mobile_4g"] = False
    _bom_csv(old, a_dir / "hamlets.csv")
    pos = pd.read_csv(a_dir / "positions.csv", encoding="utf-8-sig")
    _bom_csv(pos.drop(columns=[c for c in pos if c.endswith("_code") or c in (
        "province", "commune", "former_district")]), a_dir / "positions.csv")
    for folder, created in ((a_dir, "2024-11-28 09:00 UTC"), (b_dir, "2025-12-01 10:30 UTC")):
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        meta["created"] = created
        (folder / "run.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    out = tmp_path / "compare"
    tables = gis.compare(a_dir, b_dir, out)
    units = tables["compare_units"]
    assert units.attrs["rekeyed"] == ["a"]
    # the truth, from the two hamlet tables: hamlets with 4G in B and not in A, per 2025 commune
    gained = hb.loc[lost & hb["mobile_4g"].astype(bool)]
    expected = gained.groupby("commune_code").size()
    assert len(expected) >= 1 and expected.sum() > 0
    communes = units[units["scope_level"] == "commune"].set_index("unit_code")
    for code, n in expected.items():
        assert communes.loc[code, "4g_newly_covered"] == n, code
    assert communes["4g_newly_covered"].sum() == expected.sum()
    assert (communes["4g_lost"] == 0).all()
    area = units[units["scope_level"] == "area"].iloc[0]
    assert area["hamlets_a"] == area["hamlets_b"] == len(hb)
    # both sides in the same units: every hamlet of A found its 2025 commune by its name
    ch = tables["compare_hamlets"]
    assert ch["commune_code"].notna().all()
    # the year comes from run B's run.json ("created"), not from the files' dates
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Báo cáo hạ tầng số năm 2025" in html
    for name in ("compare.csv", "compare_indicators.csv", "compare_hamlets.csv", "compare.xlsx"):
        assert (out / name).is_file()
    # the CLI does the same
    assert main(["compare", str(a_dir), str(b_dir), "--out", str(tmp_path / "cli"),
                 "--lang", "en"]) == 0
    assert "Run A was re-keyed to the 2025 units" in capsys.readouterr().out
    assert (tmp_path / "cli" / "compare.html").is_file()
