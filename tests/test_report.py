"""The workbook, the HTML report, write_run's files and ``python -m gis export``.

The run is a real :func:`gis.pipeline.stages.run` on a constructed project; the stages of the radio,
fiber and sharing helpers are stood in for by one stage that adds their documented columns
and tables with known values (so the expected indicator values are known by hand).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import openpyxl
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.transform import from_origin
from shapely.geometry import LineString, box

from gis.cli import main as cli
from gis.pipeline.context import RunContext, Stage
from gis.pipeline.stages import STAGES, run
from gis.pipeline.write import write_run
from gis.project import Project
from gis.report.html import fmt_number, fmt_share, render_html
from gis.report.results import RunResults
from gis.report.staticmap import overview_png
from gis.report.workbook import write_workbook

NAMES = ["Thôn Đồng Tâm", "Thôn Trung", "Xóm Hạ", "Xóm Bãi", "Thôn Đông", "Xóm Mới"]


def _analyses(ctx: RunContext) -> None:
    """Stand-in for the radio, fiber and sharing stages (their documented outputs)."""
    h = ctx.hamlets
    h["mobile_4g"] = [True, False, False, True, True, True]
    h["mobile_5g"] = [True, False, False, False, False, False]
    h["pop_share_4g"] = [1.0, 0.0, 0.4, 0.9, 1.0, 0.85]
    h["pop_share_5g"] = [0.7, 0.0, 0.0, 0.0, 0.0, 0.0]
    h["no_signal"] = [False, True, False, False, False, False]
    h["weak_spot"] = [False, False, True, False, False, False]
    h["ftth"] = [True, True, False, False, True, True]
    h["hh_share_ftth"] = [1.0, 0.9, 0.1, 0.3, 1.0, 0.95]
    h["lost_if_2g_off"] = [False, False, False, False, False, False]
    h["lost_if_3g_off"] = [False, False, False, True, False, False]
    lon, lat = h["lon"].to_numpy(), h["lat"].to_numpy()
    ctx.tables["positions"] = pd.DataFrame({
        "position_id": ["P1", "P2", "P3", "P4"], "lon": lon[[0, 2, 3, 5]] + 0.002,
        "lat": lat[[0, 2, 3, 5]], "operators": ["Viettel;VinaPhone", "MobiFone", "Viettel",
                                               "Viettel;MobiFone;VinaPhone"],
        "n_operators": [2, 1, 1, 3], "shared": [True, False, False, True]})
    ctx.tables["colocation_opportunities"] = pd.DataFrame({
        "operator": ["VinaPhone"], "host_position_id": ["P2"], "host_operators": ["MobiFone"],
        "hamlets_gained": [1], "population_gained": [600]})
    ctx.tables["proposed_towers"] = pd.DataFrame({
        "tower_id": ["T1"], "lon": [lon[1] + 0.003], "lat": [lat[1]],
        "operators": ["Viettel;VinaPhone"], "hamlets_served": ["V2"], "population_served": [800],
        "tower_class": ["A2b"]})
    ctx.tables["fiber_extensions"] = gpd.GeoDataFrame(
        {"route_id": ["R1"], "length_m": [2100.0], "cost_vnd": [105_000_000.0],
         "hamlets_served": [2], "households_served": [275], "cost_per_household_vnd": [381818.0]},
        geometry=[LineString([(lon[2], lat[2] + 0.004), (lon[3], lat[3] + 0.004)])], crs=4326)
    ctx.tables["facilities"] = pd.DataFrame({
        "name": ["Trường TH Gia Hưng", "UBND xã Gia Hưng"], "kind": ["school", "commune_office"],
        "lon": lon[[0, 1]], "lat": lat[[0, 1]], "connected": [True, False],
        "mobile_5g": [True, False]})
    # a coverage raster: best RSRP (dBm) over the area, west half strong
    path = ctx.workdir / "coverage_viettel_4g.tif"
    data = np.full((20, 30), -100.0, dtype="float32")
    data[:, :10] = -85.0
    data[:, 25:] = -125.0
    with rasterio.open(path, "w", driver="GTiff", width=30, height=20, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=from_origin(105.99, 20.02, 0.004, 0.002)) as dst:
        dst.write(data, 1)
    ctx.rasters["coverage_viettel_4g"] = path


def project() -> Project:
    villages = gpd.GeoDataFrame({
        "village_id": ["V1", "V2", "V3", "V4", "V5", "V6"],
        "name": NAMES,
        "commune": ["Xã Gia Hưng"] * 3 + ["Xã Gia Tân"] * 3,
        "population": [1000.0, 800, 600, 500, 400, 700],
        "households": [250.0, 200, 150, 125, 100, 175],
    }, geometry=gpd.points_from_xy([106.0, 106.02, 106.04, 106.06, 106.08, 106.1], [20.0] * 6),
        crs=4326).to_crs(32648)
    admin = gpd.GeoDataFrame({"name": ["Xã Gia Hưng", "Xã Gia Tân"], "level": ["commune"] * 2},
                             geometry=[box(105.99, 19.98, 106.05, 20.02),
                                       box(106.05, 19.98, 106.11, 20.02)], crs=4326)
    return Project(name="Hải Hậu (thử)", crs=CRS.from_epsg(32648),
                   layers={"villages": villages, "admin": admin.to_crs(32648)})


# the base table, the stand-in analyses, then the indicators (the real analysis stages are
# left out: the project has no sites, roads or rasters for them)
STAGES_UNDER_TEST = [next(s for s in STAGES if s.name == "hamlets"), Stage("analyses", _analyses),
                     next(s for s in STAGES if s.name == "indicators")]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    ctx = run(project(), out_dir=out, stages=STAGES_UNDER_TEST)
    write_run(ctx, out, lang="vi")
    return out


@pytest.fixture(scope="module")
def results(run_dir: Path) -> RunResults:
    return RunResults.from_folder(run_dir)


def test_write_run_writes_every_file(run_dir: Path) -> None:
    for name in ("indicators.csv", "uncovered_hamlets.csv", "uncovered_hamlets.xlsx",
                 "uncovered_hamlets.geojson", "uncovered_hamlets.kml", "report.xlsx",
                 "report.html", "results.gpkg", "hamlets.csv", "run.json",
                 "coverage_tiers.gpkg", "coverage_viettel_4g_tiers.kml"):
        assert (run_dir / name).is_file(), name
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert "report.html" in meta["outputs"] and meta["lang"] == "vi"
    ind = pd.read_csv(run_dir / "indicators.csv", encoding="utf-8-sig")
    assert list(ind.columns[:3]) == ["indicator_id", "name_vi", "name_en"]
    assert {"scope", "value", "target", "met"} <= set(ind.columns)
    row = ind[(ind["indicator_id"] == "hamlets_mobile_broadband") & ind["scope"].isna()]
    assert row["value"].item() == pytest.approx(4 / 6)  # V1 V4 V5 V6
    assert row["met"].item() == False  # noqa: E712  (national target 100 %)
    # the uncovered list in Vietnamese: V2 (no signal), V3 (weak spot, no FTTH), V4 (no FTTH)
    unc = pd.read_csv(run_dir / "uncovered_hamlets.csv", encoding="utf-8-sig")
    assert unc["Tên"].tolist() == ["Thôn Trung", "Xóm Hạ", "Xóm Bãi"]
    assert unc["Lý do"].tolist() == ["trắng sóng", "lõm sóng; không có FTTH",
                                     "không có FTTH"]
    assert unc["Cột mới đề xuất"].tolist()[0] == "T1"
    tiers = gpd.read_file(run_dir / "coverage_tiers.gpkg", layer="coverage_viettel_4g")
    assert tiers["tier"].tolist() == ["good", "fair"]  # -85 and -100 dBm; -125 is below edge
    # 10 and 15 columns of 20 cells of 0.004° x 0.002°
    np.testing.assert_allclose(shapely.area(tiers.geometry.to_numpy()), [200 * 8e-6, 300 * 8e-6],
                               rtol=1e-9)


def test_admin_boundaries_kept_for_maps(results: RunResults) -> None:
    assert results.context["admin"]["name"].tolist() == ["Xã Gia Hưng", "Xã Gia Tân"]
    assert "admin_boundaries" not in results.tables  # not a result: no sheet for it
    np.testing.assert_allclose(results.context["admin"].total_bounds,
                               [105.99, 19.98, 106.11, 20.02], atol=1e-6)


def test_workbook(results: RunResults, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_workbook(results, tmp_path / "r.xlsx", lang="vi"))
    assert wb.sheetnames == ["Thông tin lần chạy", "Chỉ tiêu", "Thôn", "Thôn chưa phủ",
                             "Vị trí BTS", "Cơ hội dùng chung", "Cột đề xuất",
                             "Tuyến cáp kéo mới", "Cơ sở công cộng"]
    ws = wb["Thôn"]
    assert [c.value for c in ws[1]][:2] == ["Mã thôn", "Tên"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 8)] == NAMES
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    unc = wb["Thôn chưa phủ"]
    assert unc.max_row == 4
    ind = wb["Chỉ tiêu"]
    # a person's table: the indicator's name in the language, levels and met in words
    assert [c.value for c in ind[1]][:3] == ["Chỉ tiêu", "Cấp", "Phạm vi"]
    assert [c.value for c in ind[2]][1:3] == ["Toàn vùng", "Toàn vùng"]
    assert ind.cell(row=2, column=1).value == "Tỷ lệ thôn được phủ sóng di động băng rộng"
    en = openpyxl.load_workbook(write_workbook(results, tmp_path / "e.xlsx", lang="en"))
    assert en.sheetnames[:4] == ["Run", "Indicators", "Hamlets", "Uncovered hamlets"]


def test_html_report(results: RunResults) -> None:
    html = render_html(results, lang="vi")
    assert html.startswith("<!DOCTYPE html>") and "<html lang='vi'>" in html
    for s in ("Hải Hậu (thử)", "Thôn Trung", "Xã Gia Hưng", "Tỷ lệ dùng chung vị trí BTS",
              "Chưa đạt", "lõm sóng; không có FTTH", "Quốc gia (36/QĐ-TTg, 1132/QĐ-TTg)"):
        assert s in html, s
    # self-contained: no external resource, the map inline
    assert not re.search(r"(src|href)=['\"]https?:", html)
    m = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    img = mpimg.imread(io.BytesIO(base64.b64decode(m.group(1))), format="png")
    assert img.shape[0] > 300 and img.shape[1] > 600
    # hamlets with 4G or 5G: 4/6 = 66.7 %, not met; BTS sharing 2/4 = 50 %, no national target
    assert "66,7 %" in html
    cells = re.findall(r"<td class='(met|notmet|na)'>", html)
    assert "notmet" in cells
    en = render_html(results, lang="en")
    assert "Not met" in en and "66.7 %" in en and "weak spot; no FTTH" in en


def test_number_formats() -> None:
    assert fmt_share(0.6475, "vi") == "64,8 %" and fmt_share(0.6475, "en") == "64.8 %"
    assert fmt_number(1234567.5, "vi", 1) == "1.234.567,5"
    assert fmt_number(1234567, "en") == "1,234,567"
    assert fmt_share(float("nan"), "en") == "-"


def test_overview_png_without_results() -> None:
    h = pd.DataFrame({"name": ["A"], "lon": [105.5], "lat": [21.0]})
    png = overview_png(h)
    assert png.startswith(b"\x89PNG")


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", "csv"), ("xlsx", "xlsx"),
                                             ("geojson", "geojson"), ("gpkg", "gpkg"),
                                             ("shp", "zip"), ("kml", "kml"), ("kmz", "kmz")])
def test_cli_export_formats(run_dir: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    out = tmp_path / f"u.{suffix}"
    assert cli(["export", str(run_dir), "--format", fmt, "--lang", "en", "--out", str(out)]) == 0
    if fmt == "csv":
        back = pd.read_csv(out, encoding="utf-8-sig")
        assert back["Reason"].tolist() == ["no signal", "weak spot; no FTTH", "no FTTH"]
    elif fmt == "xlsx":
        ws = openpyxl.load_workbook(out).active
        assert [ws.cell(row=r, column=2).value for r in (2, 3, 4)] == NAMES[1:4]
    elif fmt in ("geojson", "gpkg"):
        assert gpd.read_file(out)["name"].tolist() == NAMES[1:4]
    elif fmt == "shp":
        from gis.export.shapefile import read_shapefile_zip

        back = read_shapefile_zip(out)
        assert back["fix_colocation_position_id"].tolist()[1] == "P2"
        assert back["name"].tolist() == NAMES[1:4]
    else:
        data = zipfile.ZipFile(out).read("doc.kml") if fmt == "kmz" else out.read_bytes()
        root = ET.fromstring(data)
        names = [e.text for e in root.iter("{http://www.opengis.net/kml/2.2}name")]
        assert set(NAMES[1:4]) <= set(names)


def test_cli_export_all_and_html(run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["export", str(run_dir), "--format", "html", "--lang", "en",
                "--out", str(tmp_path / "r.html")]) == 0
    assert "Digital infrastructure report" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert cli(["export", str(run_dir), "--format", "xlsx", "--table", "all",
                "--out", str(tmp_path / "all.xlsx")]) == 0
    assert "Indicators" in openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames
    assert cli(["export", str(run_dir), "--format", "shp", "--table", "all",
                "--out", str(tmp_path / "all_shp")]) == 0
    zips = sorted(p.name for p in (tmp_path / "all_shp").iterdir())
    assert "uncovered_hamlets.zip" in zips and "fiber_extensions.zip" in zips
    assert cli(["export", str(run_dir), "--format", "csv", "--table", "indicators",
                "--out", str(tmp_path / "i.csv")]) == 0
    assert pd.read_csv(tmp_path / "i.csv", encoding="utf-8-sig")["Indicator"].iloc[0] == (
        "Hamlets with mobile broadband (4G or 5G)")
    assert cli(["export", str(run_dir), "--format", "kmz", "--table", "coverage_viettel_4g",
                "--out", str(tmp_path / "tiers.kmz")]) == 0
    root = ET.fromstring(zipfile.ZipFile(tmp_path / "tiers.kmz").read("doc.kml"))
    kml = "{http://www.opengis.net/kml/2.2}"
    assert [p.find(f"{kml}styleUrl").text for p in root.iter(f"{kml}Placemark")] == [
        "#status_good", "#status_fair"]
    assert len(list(root.iter(f"{kml}Polygon"))) >= 2
    assert cli(["export", str(run_dir), "--format", "csv", "--table", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert cli(["export", str(tmp_path), "--format", "csv"]) == 2


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium installed")
def test_html_renders_in_chromium(run_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--window-size=1200,1600", f"--screenshot={shot}",
                    (run_dir / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=90)
    img = mpimg.imread(shot)
    assert img.shape[:2] == (1600, 1200)
    assert img[..., :3].std() > 0.05  # not a blank page


def test_tiers_follow_the_radio_parameters() -> None:
    from gis.config import to_dict
    from gis.params import RunParams
    from gis.report.outputs import tiers_for

    params = to_dict(RunParams())
    params["radio"]["techs"]["5G"]["tiers"] = {"good_dbm": -90, "fair_dbm": -100,
                                               "edge_dbm": -108}
    assert tiers_for("coverage_viettel_5g", params) == (("good", -90.0), ("fair", -100.0),
                                                        ("edge", -108.0))
    assert tiers_for("coverage_viettel_4g", params)[2] == ("edge", -110.0)
    assert tiers_for("coverage_x_4g", None)[2] == ("edge", -110.0)


def test_param_summary_keeps_it_short() -> None:
    from gis.config import to_dict
    from gis.params import RunParams
    from gis.report.html import param_summary

    rows = dict(param_summary(to_dict(RunParams())))
    assert rows["targets.preset"] == "national"
    assert rows["targets.priority_kinds"].startswith("commune_office, industrial_zone")
    assert "radio.techs" not in rows  # the per-technology table is left to run.json
    # the issue-16 sections by their headline settings only (costs, carrier tables in run.json)
    assert rows["speed.load_factor"] == "0.5" and "speed.bandwidth_mhz" not in rows
    assert "ducts.buffer_m" in rows and "ducts.trench_vnd_per_m" not in rows
    assert len(rows) < 75  # radio engine (issue 14), calibration, units, ducts, speed (16)


def test_cli_run_writes_the_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m gis run`` on a saved project of hamlets and communes only."""
    folder = project().save(tmp_path / "proj")
    out = tmp_path / "out"
    assert cli(["run", "--project", str(folder), "--out", str(out), "--lang", "vi",
                "--no-progress"]) == 0
    assert "6 thôn" in capsys.readouterr().out
    for name in ("indicators.csv", "uncovered_hamlets.csv", "uncovered_hamlets.xlsx",
                 "uncovered_hamlets.geojson", "uncovered_hamlets.kml", "report.xlsx",
                 "report.html", "results.gpkg"):
        assert (out / name).is_file(), name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Hải Hậu (thử)" in html and "Không có dữ liệu" in html  # analyses not run
    ind = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")
    # no sites: the radio indicators are not available (the FTTH stage may run on hamlets alone)
    radio = ind[ind["indicator_id"].isin(["hamlets_mobile_broadband", "hamlets_4g",
                                          "population_4g"])]
    assert len(radio) == 3 and radio["value"].isna().all()
    assert radio["note"].str.startswith("not available").all()


def test_stage_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    from gis.cli.run import StageBar

    bar = StageBar(4, lang="vi", disable=False, delay_s=0)
    bar("hamlets", 0.0)
    bar("indicators", 0.75)
    bar("done", 1.0)
    bar.close()
    err = capsys.readouterr().err
    assert "Chỉ tiêu" in err and "4/4" in err and "Xong" in err
    assert bar.bar.n == 4


def test_rasters_copied_when_the_run_used_a_temporary_folder(tmp_path: Path) -> None:
    ctx = run(project(), stages=STAGES_UNDER_TEST)  # rasters in a temporary folder
    assert ctx.workdir != tmp_path
    out = write_run(ctx, tmp_path / "out", lang="en")
    assert (out / "coverage_viettel_4g.tif").is_file()
    with rasterio.open(out / "coverage_viettel_4g.tif") as src:
        assert src.read(1)[0, 0] == pytest.approx(-85.0)
    assert (out / "coverage_viettel_4g_tiers.kml").is_file()
