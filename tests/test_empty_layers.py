"""Every stage, the report and the exports on a project with an empty or missing layer (issue 13,
item 2): the run says what it could not do (a bilingual warning) or the CLI exits with code 2 and
a message, never a traceback.

A tiny real-shaped project is written as files (CSV, GeoJSON) in the former communes of Nho Quan
(Ninh Bình), read back by the project's readers, and run with coarse coverage rasters; each
test leaves one layer out (or empties it) and checks the outputs a planner would open.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

import gis
from gis.cli import main
from gis.params import RunParams
from gis.radio.params import RadioParams

#: Hamlets in three former communes of Huyện Nho Quan (centres of the crosswalk, nudged).
VILLAGES = pd.DataFrame({
    "village_id": ["V1", "V2", "V3", "V4", "V5"],
    "ten_thon": ["Thôn Đông", "Thôn Tây", "Xóm Chợ", "Thôn Bãi", "Bản Mường"],
    "xa": ["Xã Gia Lâm", "Xã Gia Lâm", "Xã Gia Sơn", "Xã Gia Sơn", "Xã Xích Thổ"],
    "huyen": "Nho Quan", "tinh": "Ninh Bình",
    "dan_so": [520, 610, 480, 300, 260], "so_ho": [130, 150, 120, 80, 70],
    "kinh_do": [105.7735, 105.7790, 105.7850, 105.7905, 105.7880],
    "vi_do": [20.3860, 20.3900, 20.3966, 20.4010, 20.4281],
})

#: Two towers: Viettel 4G by the first hamlets, VinaPhone 2G/4G near Gia Sơn.
SITES = pd.DataFrame({
    "site_id": ["S1", "S2"], "operator": ["Viettel", "VinaPhone"], "tech": ["4G", "2G/4G"],
    "lon": [105.7760, 105.7870], "lat": [20.3880, 20.3990], "height_m": [36.0, 30.0],
})

#: Schools and a commune office.
FACILITIES = pd.DataFrame({
    "kind": ["school", "commune_office", "health_station"],
    "name": ["Trường Tiểu học Gia Lâm", "UBND xã Gia Sơn", "Trạm y tế Xích Thổ"],
    "lon": [105.7745, 105.7860, 105.7890], "lat": [20.3870, 20.3975, 20.4270],
})


def _lines(coords: list[list[tuple[float, float]]], **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[shapely.LineString(c) for c in coords], crs=4326)


def write_files(folder: Path) -> dict[str, Path]:
    """The tiny project as files: hamlets, sites and facilities as CSV; roads, fiber, admin as
    GeoJSON."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, frame in (("villages", VILLAGES), ("sites", SITES), ("facilities", FACILITIES)):
        paths[kind] = folder / f"{kind}.csv"
        frame.to_csv(paths[kind], index=False, encoding="utf-8-sig")
    road = [(105.7700, 20.3850), (105.7800, 20.3920), (105.7900, 20.4000), (105.7890, 20.4290)]
    roads = _lines([road, [(105.7790, 20.3900), (105.7850, 20.3966)]],
                   road_class=["provincial", "commune"], name=["ĐT 477", "Đường xã"],
                   planned_works=["Nâng cấp 2026", ""])
    fiber = _lines([road[:3], road[:2]], operator=["Viettel", "VNPT"])
    lon = np.array([105.760, 105.782, 105.800])
    admin = gpd.GeoDataFrame(
        {"name": ["Xã Gia Lâm", "Xã Gia Sơn", "Xã Xích Thổ"], "level": "commune",
         "code": ["14389", "14392", "14386"]},
        geometry=[shapely.box(lon[0], 20.370, lon[1], 20.3935),
                  shapely.box(lon[1], 20.3935, lon[2], 20.4150),
                  shapely.box(lon[0], 20.4150, lon[2], 20.4400)], crs=4326)
    for kind, gdf in (("roads", roads), ("fiber", fiber), ("admin", admin)):
        paths[kind] = folder / f"{kind}.geojson"
        gdf.to_file(paths[kind], driver="GeoJSON")
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return write_files(tmp_path_factory.mktemp("tiny"))


#: Coarse, short-range coverage so that each run takes about a second.
PARAMS = RunParams(radio=RadioParams(grid_resolution_m=150.0))


def run_and_write(files: dict[str, Path], out: Path, *, drop: tuple[str, ...] = (),
                  lang: str = "vi", change=None):
    project = gis.load_project(None, {k: v for k, v in files.items() if k not in drop})
    if change is not None:
        change(project)
    ctx = gis.run(project, PARAMS, out_dir=out)
    gis.write_run(ctx, out, lang=lang)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    html = (out / "report.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    return ctx, meta, html, book


def _warned(ctx, words: str) -> bool:
    return any(words in str(w) for w in ctx.warnings)


def test_the_whole_tiny_project_runs(files, tmp_path):
    ctx, meta, html, book = run_and_write(files, tmp_path)
    h = ctx.hamlets
    # attributed from the names; the admin polygons agree (no conflict)
    assert h["former_commune"].tolist() == VILLAGES["xa"].tolist()
    assert set(h["commune"]) == {"Xã Gia Lâm"}   # the three former communes merged in 2025
    assert (h["unit_conflict"] == "").all()
    assert meta["alerts"] == [] and "class='alert'" not in html
    for name in ("hamlets.csv", "shared_duct_roads.csv", "shared_duct_roads.kml",
                 "indicators.csv", "report.html", "results.gpkg"):
        assert (tmp_path / name).is_file(), name
    # positions and sharing rates by the 2025 units: both towers stand in former communes of
    # today's Xã Gia Lâm (14389), in former district Nho Quan (372)
    pos = ctx.tables["positions"]
    assert pos["commune_code"].tolist() == ["14389", "14389"]
    assert set(pos["former_district_code"]) == {"372"} and "district" not in pos
    rates = ctx.tables["sharing_rates"].set_index("scope_type")
    assert set(rates.index) == {"area", "province", "commune", "former_district"}
    assert rates.loc["commune", "unit_code"] == "14389" and rates.loc["commune", "positions"] == 2
    # the report's unit table: the 2025 commune with the former communes it gathers, once
    assert html.count("gồm các xã cũ: Xã Gia Lâm, Xã Gia Sơn, Xã Xích Thổ") == 1
    # shared ducts, by hand: only ĐT 477 has planned works (none is urban); it is cut into
    # 6 pieces of at most 1 km; on the first both operators' cables run its whole length, so
    # one shared duct saves 2 L (t + d) - (L (f t + D) + 2 L s) = 157,500 VND/m x L (t 125,000,
    # d 25,000, D 60,000, s 10,000 VND/m, f 0.5 with the works)
    ducts = ctx.tables["shared_duct_roads"]
    roads = gpd.read_file(files["roads"]).to_crs(ctx.project.crs)
    assert (ducts["name"] == "ĐT 477").all() and (ducts["works_year"] == 2026).all()
    assert ducts["length_m"].sum() == pytest.approx(roads.length.iloc[0], abs=0.5)
    top = ducts.iloc[0]
    assert (top["segment_id"], top["operators"], top["duct_class"]) == ("R1-1", "VNPT, Viettel",
                                                                        "shared")
    assert top["saving_vnd"] == pytest.approx(157_500 * top["length_m"], rel=1e-4)
    assert "R1-1" in (tmp_path / "shared_duct_roads.kml").read_text(encoding="utf-8")
    assert "Đường cần cống bể dùng chung (6)" in html
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "results.gpkg")}
    assert "shared_duct_roads" in layers
    # expected speed: fixed where FTTH; mobile from the engine's power sums where served
    assert h["est_dl_mbps_fixed"].notna().sum() == h["ftth"].astype(bool).sum()
    assert h["est_dl_mbps_mobile"].notna().any()
    assert not _warned(ctx, "Expected mobile speed not computed")
    assert "Đường cần cống bể dùng chung" in book.sheetnames   # 28 of Excel's 31 characters


def test_facilities_but_no_hamlets(files, tmp_path):
    ctx, meta, html, _book = run_and_write(files, tmp_path, drop=("villages",))
    assert ctx.hamlets.empty
    for stage in ("hamlets", "coverage", "mobile", "sharing", "ftth", "speed", "indicators"):
        assert _warned(ctx, f"Stage '{stage}' skipped: no villages layer"), stage
    assert len(ctx.tables["facilities"]) == 3   # the facilities stage still ran
    assert "shared_duct_roads" in ctx.tables
    assert "report.xlsx" in meta["outputs"] and "<h1>" in html
    assert pd.read_csv(tmp_path / "hamlets.csv", encoding="utf-8-sig").empty
    vi = [w for w in meta["warnings_vi"] if "Bỏ qua bước" in w]
    assert vi, "the skipped stages are said in Vietnamese too"


def test_no_sites(files, tmp_path):
    ctx, meta, _html, _ = run_and_write(files, tmp_path, drop=("sites",))
    assert _warned(ctx, "Stage 'coverage' skipped: no sites layer")
    assert "mobile_4g" not in ctx.hamlets
    assert ctx.hamlets["ftth"].notna().all()          # FTTH does not need sites
    ind = ctx.tables["indicators"].set_index("indicator_id")
    assert ind.loc["hamlets_4g", "note"].startswith("not available")
    assert "uncovered_hamlets.csv" in meta["outputs"]


def test_sites_without_any_4g_are_an_alert_at_the_top(files, tmp_path):
    def only_2g(project):
        sites = project.layers["sites"].copy()
        sites["tech"] = "2G"
        project.layers["sites"] = sites

    ctx, meta, html, book = run_and_write(files, tmp_path, change=only_2g)
    assert list(meta)[:2] == ["alerts", "alerts_vi"]
    assert meta["alerts"][0].startswith("NO 4G/5G IN THE SITES")
    assert meta["alerts_vi"][0].startswith("KHÔNG CÓ 4G/5G")
    assert meta["alerts"][0] in meta["warnings"]
    # report.html: the alert box right under the title, before the summary
    assert html.index("class='alert'") < html.index("class='meta'")
    assert "KHÔNG CÓ 4G/5G" in html
    # report.xlsx: the alert is the first row of the first sheet
    first = next(iter(book.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True)))
    assert str(first[1]).startswith("KHÔNG CÓ 4G/5G")
    assert not ctx.hamlets["mobile_4g"].any()


def test_no_roads(files, tmp_path):
    ctx, meta, _html, _ = run_and_write(files, tmp_path, drop=("roads",))
    assert _warned(ctx, "Stage 'fiber_plan' skipped: no roads layer")
    assert _warned(ctx, "Stage 'ducts' skipped: no roads layer")
    assert _warned(ctx, "FTTH: no roads layer")
    assert "shared_duct_roads" not in ctx.tables and "shared_duct_roads.csv" not in meta["outputs"]
    assert ctx.hamlets["ftth"].notna().all()


def test_no_fiber(files, tmp_path):
    ctx, _meta, _html, _ = run_and_write(files, tmp_path, drop=("fiber",))
    assert _warned(ctx, "FTTH: the project has no fiber")
    assert not ctx.hamlets["ftth"].any()
    assert np.isnan(ctx.hamlets["est_dl_mbps_fixed"]).all()  # no FTTH, no fixed speed
    ducts = ctx.tables["shared_duct_roads"]
    assert (ducts["n_operators"] == 0).all()          # roads listed, no cable along them


def test_empty_admin_layer_in_the_project(files, tmp_path):
    def empty_admin(project):
        project.layers["admin"] = project.layers["admin"].iloc[:0]

    ctx, meta, _html, _ = run_and_write(files, tmp_path, change=empty_admin)
    h = ctx.hamlets
    assert (h["unit_source"] == "names").all()       # the names decide without polygons
    assert set(h["commune"]) == {"Xã Gia Lâm"}
    assert "report.html" in meta["outputs"]


def test_an_empty_admin_file_exits_2_with_a_message(files, tmp_path, capsys):
    empty = tmp_path / "admin_empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    code = main(["run", "--villages", str(files["villages"]), "--admin", str(empty),
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "admin_empty.geojson" in err and "Traceback" not in err


def test_a_hamlet_whose_names_contradict_its_polygon_is_reported(files, tmp_path):
    """Issue 13 item 4: the hamlets get their units from the names and the admin layer by
    containment, and a disagreement is reported per hamlet, not silently re-keyed."""
    from gis.pipeline.stages import STAGES

    wrong = VILLAGES.assign(xa=VILLAGES["xa"].where(VILLAGES["village_id"] != "V5",
                                                    "Xã Gia Lâm"))
    path = tmp_path / "villages_wrong.csv"
    wrong.to_csv(path, index=False, encoding="utf-8-sig")
    project = gis.load_project(None, {**files, "villages": path})
    ctx = gis.run(project, out_dir=tmp_path / "out",
                  stages=[s for s in STAGES if s.name == "hamlets"])
    h = ctx.hamlets.set_index("village_id")
    assert h.at["V5", "unit_conflict"] == "polygon_differs"
    assert "Xã Xích Thổ" in h.at["V5", "unit_conflict_en"]      # the polygon it lies in
    assert h.at["V5", "former_commune"] == "Xã Gia Lâm"          # the names were kept
    assert (h.drop(index="V5")["unit_conflict"] == "").all()
    assert _warned(ctx, "1 names differ from the polygon")
    gis.write_run(ctx, tmp_path / "out")
    csv = pd.read_csv(tmp_path / "out" / "hamlets.csv", encoding="utf-8-sig")
    assert csv.loc[csv["village_id"] == "V5", "unit_conflict"].item() == "polygon_differs"
