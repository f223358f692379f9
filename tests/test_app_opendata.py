"""The Data page's "Import open data" section (AppTest) and the sites' popups with the
OpenCelliD position uncertainty.

Files are written by the tests in the real formats (an Overpass API JSON answer, an OpenCelliD
CSV export, a GeoTIFF); the app runs on the small project folder of ``test_app_support``.
"""

from __future__ import annotations

import json
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from streamlit.testing.v1 import AppTest

from gis.app.opendata import extent_bbox
from gis.project import Project

TIMEOUT_S = 60
OCID_HEADER = ("radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
               "averageSignal")


def _page_script() -> None:
    from gis.app.main import run_page

    run_page("data")


@pytest.fixture(scope="module")
def project_folder(tmp_path_factory):
    """The small project folder; the app opens it (and nothing is run: the Data page only)."""
    from test_app_support import small_app_environment

    with small_app_environment(tmp_path_factory, "od") as (folder, _):
        yield folder


def _lonlat(folder: Path, x_m: float, y_m: float) -> tuple[float, float]:
    """A point of the small area (metres from its south-west corner) in lon/lat degrees."""
    from test_app_support import CRS_UTM, X0, Y0

    to_ll = Transformer.from_crs(CRS_UTM, 4326, always_xy=True)
    lon, lat = to_ll.transform(X0 + x_m, Y0 + y_m)
    return round(float(lon), 6), round(float(lat), 6)


def overpass_json(folder: Path) -> bytes:
    """An Overpass answer (``out body; >; out skel;``): 3 named hamlets, 1 unnamed one, a
    primary road of two nodes and a school, all inside the small area."""
    pts = {1: (300, 300), 2: (1200, 700), 3: (2600, 1600), 4: (2000, 400),
           10: (100, 1000), 11: (2900, 1000), 20: (1700, 1300)}
    ll = {k: _lonlat(folder, *v) for k, v in pts.items()}
    tags = {1: {"place": "hamlet", "name": "Thôn Đông"},
            2: {"place": "hamlet", "name": "Thôn Tây", "population": "640"},
            3: {"place": "village", "name": "Làng Nam"},
            4: {"place": "isolated_dwelling"},
            20: {"amenity": "school", "name": "Trường Tiểu học Gia Hưng"}}
    elements = []
    for nid, (lon, lat) in ll.items():
        e = {"type": "node", "id": nid, "lat": lat, "lon": lon}
        if nid in tags:
            e["tags"] = tags[nid]
        elements.append(e)
    elements.append({"type": "way", "id": 100, "nodes": [10, 11],
                     "tags": {"highway": "primary", "ref": "QL.12B"}})
    return json.dumps({"version": 0.6, "generator": "Overpass API", "elements": elements},
                      ensure_ascii=False).encode("utf-8")


def opencellid_csv(folder: Path) -> bytes:
    """Four cells of MCC 452 MNC 04 (Viettel): three of LTE eNodeB 777 (one site; ranges 800,
    1000, 1200 m) and one GSM cell (range 600 m) 1.5 km away; one cell of MCC 450 (Korea)."""
    a, b, c = _lonlat(folder, 1000, 1000), _lonlat(folder, 1020, 1010), _lonlat(folder, 990, 1030)
    g = _lonlat(folder, 2500, 1000)
    rows = [f"LTE,452,4,10,{777 * 256 + 1},0,{a[0]},{a[1]},800,10,1,1500000000,1600000000,0",
            f"LTE,452,4,10,{777 * 256 + 2},0,{b[0]},{b[1]},1000,10,1,1500000000,1600000000,0",
            f"LTE,452,4,10,{777 * 256 + 3},0,{c[0]},{c[1]},1200,10,1,1500000000,1600000000,0",
            f"GSM,452,4,10,4242,0,{g[0]},{g[1]},600,3,1,1500000000,1600000000,0",
            f"LTE,450,5,10,999,0,{g[0]},{g[1]},600,3,1,1500000000,1600000000,0"]
    return ("\n".join([OCID_HEADER, *rows]) + "\n").encode("utf-8")


def data_page() -> AppTest:
    return AppTest.from_function(_page_script, default_timeout=TIMEOUT_S)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def import_file(at: AppTest, source: str, name: str, data: bytes, mime: str) -> AppTest:
    at.selectbox(key="od_source").set_value(source).run()
    at.file_uploader(key=f"od_files_{source}").set_value((name, data, mime)).run()
    at.button(key="od_import").click().run()
    return no_exception(at)


def test_default_area_is_the_project_extent_rounded_outwards(project_folder):
    # the small area's vertices farthest out: the admin squares' corners and the commune split
    xs, ys = [0, 3000, 0, 3000, 1500, 1500], [0, 0, 2000, 2000, 0, 2000]
    ll = np.array([_lonlat(project_folder, x, y) for x, y in zip(xs, ys, strict=True)])
    want = [np.floor(ll[:, 0].min() * 1e4) / 1e4, np.floor(ll[:, 1].min() * 1e4) / 1e4,
            np.ceil(ll[:, 0].max() * 1e4) / 1e4, np.ceil(ll[:, 1].max() * 1e4) / 1e4]
    got = [float(v) for v in extent_bbox(Project.load(project_folder)).split(",")]
    assert got == pytest.approx(want, abs=1.01e-4)   # _lonlat rounds to 1e-6°
    assert got[0] < 105.84 < got[2] and got[1] < 20.25 < got[3]   # about 105.83 E, 20.25 N


def test_overpass_json_import_replaces_only_the_osm_layers_of_this_session(project_folder):
    base = Project.load(project_folder)
    at = no_exception(data_page().run())
    assert at.radio(key="od_area_mode").value == "extent"     # default: the project's extent
    import_file(at, "osm", "map.json", overpass_json(project_folder), "application/json")
    assert not at.error, [e.value for e in at.error]
    over = at.session_state["layer_overrides"]
    # 4 places (the unnamed dwelling too), 1 road, 1 school; no masts: sites are kept
    assert sorted(over) == ["facilities", "roads", "villages"]
    villages = over["villages"][0]
    assert len(villages) == 4
    assert set(villages["name"]) >= {"Thôn Đông", "Thôn Tây", "Làng Nam"}
    assert villages.loc[villages["name"] == "Thôn Tây", "population"].iloc[0] == 640
    assert len(over["roads"][0]) == 1 and over["roads"][0]["road_class"].iloc[0] == "national"
    assert len(over["facilities"][0]) == 1
    assert villages.crs == base.crs                           # in the project's analysis CRS
    # the page shows what happened and the layer table has the new counts
    assert any("OpenStreetMap" in s.value and extent_bbox(base) in s.value for s in at.success)
    status = at.dataframe[0].value
    rows = dict(zip(status.iloc[:, 0], status.iloc[:, 1], strict=True))
    assert rows["Thôn/xóm/ấp/bản"] == "4" and rows["Trạm BTS"] == "6"
    assert any("map.json" in t.value for t in at.text)         # the load report: its source
    # the project folder on disk and a new session are unchanged
    assert len(Project.load(project_folder).layers["villages"]) == 24
    other = no_exception(data_page().run())
    assert "layer_overrides" not in other.session_state
    status = other.dataframe[0].value
    assert dict(zip(status.iloc[:, 0], status.iloc[:, 1], strict=True))["Thôn/xóm/ấp/bản"] == "24"


def test_opencellid_import_gives_estimated_sites_then_a_bad_file_changes_nothing(project_folder):
    at = no_exception(data_page().run())
    import_file(at, "opencellid", "452.csv", opencellid_csv(project_folder), "text/csv")
    assert not at.error, [e.value for e in at.error]
    over = at.session_state["layer_overrides"]
    assert list(over) == ["sites"]
    sites = over["sites"][0].sort_values("n_cells")
    assert sites["operator"].tolist() == ["Viettel", "Viettel"]       # MNC 04
    assert sites["n_cells"].tolist() == [1, 3]                        # one eNodeB, one site
    # uncertainty = max(spread, 0.5 x median range): GSM 0.5 x 600; eNB 0.5 x 1000 (spread < 40 m)
    assert sites["position_uncertainty_m"].tolist() == [300.0, 500.0]
    assert any("OpenCelliD" in t.value for t in at.text)
    version = at.session_state["upload_version"]

    # a broken Overpass file: a bilingual error, and the session keeps the imported sites
    import_file(at, "osm", "hong.json", b'{"elements": [ {"type": "node", ', "application/json")
    assert at.error and "hong.json" in at.error[0].value
    assert at.session_state["layer_overrides"]["sites"][0] is over["sites"][0]
    assert list(at.session_state["layer_overrides"]) == ["sites"]
    assert at.session_state["upload_version"] == version

    # an OpenCelliD file with no Vietnamese cell in the area: the importer's own error (in Vietnamese)
    bad = (OCID_HEADER + "\nLTE,450,5,10,999,0,105.8,20.25,600,3,1,1500000000,1600000000,0\n")
    import_file(at, "opencellid", "khac.csv", bad.encode(), "text/csv")
    assert at.error and "MCC 452" in at.error[0].value and "Không" in at.error[0].value
    assert at.session_state["upload_version"] == version


@pytest.mark.parametrize(("lang", "words"), [("vi", "đảo"), ("en", "swapped")])
def test_typed_bbox_outside_vietnam_is_refused(project_folder, lang, words):
    at = data_page()
    at.session_state["lang"] = lang
    no_exception(at.run())
    at.selectbox(key="od_source").set_value("opencellid").run()
    at.file_uploader(key="od_files_opencellid").set_value(
        ("452.csv", opencellid_csv(project_folder), "text/csv")).run()
    at.radio(key="od_area_mode").set_value("bbox").run()
    at.text_input(key="od_bbox").set_value("20.2,105.8,20.3,105.9").run()   # lat/lon swapped
    at.button(key="od_import").click().run()
    no_exception(at)
    assert at.error and words in at.error[0].value   # "latitude and longitude are swapped"
    assert "layer_overrides" not in at.session_state


def test_srtm_tiles_become_this_sessions_dem_and_a_tile_outside_is_skipped(project_folder):
    # two SRTM3 tiles (1201 x 1201 big-endian int16): N20E105 covers the area at 37 m
    # everywhere; N21E106 is outside it
    n20e105 = np.full((1201, 1201), 37, dtype=">i2").tobytes()
    n21e106 = np.full((1201, 1201), 900, dtype=">i2").tobytes()
    at = no_exception(data_page().run())
    at.selectbox(key="od_source").set_value("dem").run()
    at.file_uploader(key="od_files_dem").set_value(
        [("N20E105.hgt", n20e105, "application/octet-stream"),
         ("N21E106.hgt", n21e106, "application/octet-stream")]).run()
    at.button(key="od_import").click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert "layer_overrides" not in at.session_state             # no vector layer touched
    path, report = at.session_state["raster_overrides"]["dem"]
    assert Path(path).is_relative_to(at.session_state["_session_dir"].path)
    assert report.extra["files_used"] == ["N20E105.hgt"]
    assert report.extra["files_skipped_outside_area"] == ["N21E106.hgt"]
    with rasterio.open(path) as src:
        heights = src.read(1, masked=True)
        assert src.crs == Project.load(project_folder).crs
    assert heights.count() > 0 and heights.min() == 37 and heights.max() == 37
    # the project folder's own DEM is still the one on disk
    assert Project.load(project_folder).rasters["dem"].parent == project_folder


def test_population_raster_is_written_in_the_session_folder_only(project_folder, tmp_path):
    from gis.app.opendata import run_import
    from gis.layers.sources import Upload

    project = Project.load(project_folder)
    before = dict(project.rasters)
    # 0.001° cells of 5 people each over the area (lon/lat GeoTIFF, as WorldPop publishes)
    w, s = _lonlat(project_folder, -500, -500)
    e, n = _lonlat(project_folder, 3500, 2500)
    nx, ny = int(np.ceil((e - w) / 0.001)), int(np.ceil((n - s) / 0.001))
    path = tmp_path / "vnm_ppp_2020.tif"
    with rasterio.open(path, "w", driver="GTiff", width=nx, height=ny, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=-99999.0,
                       transform=from_origin(w, n, 0.001, 0.001)) as dst:
        dst.write(np.full((1, ny, nx), 5.0, dtype="float32"))
    workdir = tmp_path / "session" / "opendata" / "x"
    out = run_import("population", [Upload(path.name, path.read_bytes())], project,
                     workdir=workdir)
    assert out.error is None, out.error
    assert list(out.rasters) == ["population"] and not out.layers
    written, report = out.rasters["population"]
    assert Path(written).is_relative_to(workdir) and Path(written).is_file()
    assert project.rasters == before                       # the session's project untouched
    assert report.extra["files_used"] == ["vnm_ppp_2020.tif"]
    assert sorted(p.name for p in workdir.iterdir()) == ["population.tif"]   # upload copy gone


def test_run_import_wraps_unknown_errors_and_needs_files(project_folder, tmp_path):
    from gis.app.opendata import run_import
    from gis.errors import GisError
    from gis.layers.sources import Upload

    project = Project.load(project_folder)
    out = run_import("dem", [], project, workdir=tmp_path)
    assert isinstance(out.error, GisError) and not out.kinds
    workdir = tmp_path / "failed"
    out = run_import("dem", [Upload("N20E105.hgt", b"\x00" * 100)], project, workdir=workdir)
    assert isinstance(out.error, GisError) and "N20E105.hgt" in out.error.message("en")
    assert not out.kinds and not workdir.exists()            # nothing left of a failed import
    # a PBF that is not one: the reader's own error becomes a GisError naming the file
    out = run_import("osm", [Upload("hong.osm.pbf", b"not a pbf at all")], project,
                     workdir=workdir)
    assert isinstance(out.error, GisError) and "hong.osm.pbf" in out.error.message("vi")


def _sites(n: int, uncertainty: list[float] | None) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    data = {"site_id": [f"ocid:Viettel:LTE:{i}" for i in range(n)], "operator": "Viettel",
            "tech": "4G"}
    if uncertainty is not None:
        data |= {"position_uncertainty_m": uncertainty, "source": "OpenCelliD",
                 "note": "estimated position (OpenCelliD) / vị trí ước tính (OpenCelliD)"}
    x = 587_000 + rng.uniform(0, 3000, n)
    y = 2_239_000 + rng.uniform(0, 2000, n)
    return gpd.GeoDataFrame(data, geometry=shapely.points(x, y), crs=32648)


@pytest.mark.parametrize("n", [2, 70])          # a GeoJSON popup, and the clustered markers
def test_site_popup_shows_the_position_uncertainty(n):
    from gis.maps.layers import CLUSTER_MIN_SITES, sites_layer

    assert (n > CLUSTER_MIN_SITES) == (n == 70)
    unc = [round(123.4 + i, 1) for i in range(n)]
    for lang, label in (("vi", "Sai số vị trí ước tính (m)"),
                        ("en", "Estimated position uncertainty (m)")):
        m = folium.Map()
        for group in sites_layer(_sites(n, unc), lang=lang):
            group.add_to(m)
        html = m.get_root().render()
        # folium writes the labels as JSON strings (non-ASCII letters escaped)
        assert label in html or json.dumps(label)[1:-1] in html
        # as the language writes it: 123,4 in Vietnamese, 123.4 in English
        last = f"{123.4 + n - 1:.1f}"
        if lang == "vi":
            assert "123,4" in html and last.replace(".", ",") in html
        else:
            assert "123.4" in html and last in html
        assert "OpenCelliD" in html
    m = folium.Map()                              # operator sites: no uncertainty, no label
    for group in sites_layer(_sites(n, None), lang="en"):
        group.add_to(m)
    assert "Estimated position uncertainty" not in m.get_root().render()


def test_site_popup_shows_a_note_as_text_not_markup():
    from gis.maps.layers import sites_layer

    sites = _sites(2, [100.0, 200.0])
    sites["note"] = ["cột <b>mới</b> & <script>alert(1)</script>", None]
    m = folium.Map()
    for group in sites_layer(sites, lang="vi"):
        group.add_to(m)
    html = m.get_root().render()
    # folium writes the properties as JSON, where "<" is \u003c and "&" is \u0026
    plain = html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "<script>alert(1)" not in plain
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in plain
    assert sites["note"].iloc[0].startswith("cột <b>")        # the layer itself is not changed


def test_osm_import_takes_only_the_chosen_layers(project_folder):
    at = no_exception(data_page().run())
    at.selectbox(key="od_source").set_value("osm").run()
    at.file_uploader(key="od_files_osm").set_value(
        ("map.json", overpass_json(project_folder), "application/json")).run()
    at.multiselect(key="od_osm_layers").set_value([]).run()
    assert at.button(key="od_import").disabled                  # nothing chosen: nothing to do
    at.multiselect(key="od_osm_layers").set_value(["roads"]).run()
    at.button(key="od_import").click().run()
    no_exception(at)
    assert list(at.session_state["layer_overrides"]) == ["roads"]   # villages etc. kept
