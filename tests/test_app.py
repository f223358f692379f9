"""The app's pages driven with Streamlit's AppTest on a real project folder.

The analysis runs once per test session (``app_env``) into the app's disk cache, so every page
opens from the cache, as it does after the first ``make run``. Assertions compare what the pages
show with what the API computes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gis.pipeline import cache as runcache
from gis.pipeline.cache import DiskStore, run_cached
from gis.project import Project

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120


def _page_script(page: str) -> None:
    from gis.app.main import run_page

    run_page(page)


@pytest.fixture(scope="session")
def app_env(tmp_path_factory):
    """A small project folder, the app's cache with its run, and the API's run to compare."""
    from test_app_support import small_app_environment

    with small_app_environment(tmp_path_factory, "app") as (folder, cache):
        project = Project.load(folder)
        ctx, _ = run_cached(project, project.params, store=DiskStore(cache))
        yield folder, ctx


@pytest.fixture
def runs(monkeypatch):
    """Counts pipeline runs (and their stages) made by the app."""
    calls: list[list[str]] = []
    real = runcache.run

    def counting(project, params, **kw):
        calls.append([s.name for s in kw.get("stages") or []])
        return real(project, params, **kw)

    monkeypatch.setattr(runcache, "run", counting)
    return calls


def page(name: str) -> AppTest:
    return AppTest.from_function(_page_script, kwargs={"page": name},
                                 default_timeout=TIMEOUT_S)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_app_opens_on_overview_in_vietnamese(app_env, runs):
    folder, _ctx = app_env
    at = no_exception(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run())
    assert at.title[0].value == "Tổng quan"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Thôn/xóm"] == "24"
    villages = Project.load(folder).layers["villages"]
    # Vietnamese writes 13.015 (a point groups the thousands)
    assert metrics["Dân số"] == f"{villages['population'].sum():,.0f}".replace(",", ".")
    assert runs == []            # opened from the cache: nothing recomputed


def test_language_switch_changes_labels(app_env):
    at = no_exception(page("overview").run())
    assert at.title[0].value == "Tổng quan"
    at.radio(key="_lang_radio").set_value("en").run()
    no_exception(at)
    assert at.title[0].value == "Overview"
    assert "Hamlets" in {m.label for m in at.metric}
    at.radio(key="_lang_radio").set_value("vi").run()
    assert at.title[0].value == "Tổng quan"


def test_overview_indicators_equal_the_api(app_env):
    _folder, ctx = app_env
    at = no_exception(page("overview").run())
    table = ctx.tables.get("indicators")
    if table is None:
        # indicators not in this version: the page says so instead of failing
        assert any("Chưa tính" in i.value for i in at.info)
        return
    from gis.app.overview import area_indicators
    from gis.app.widgets import fmt_share

    area = area_indicators(table)
    shown = {m.label: m.value for m in at.metric}
    for _, row in area[area["value"].notna()].iterrows():
        assert shown[row["name_vi"]] == fmt_share(row["value"], lang="vi")
    # each with its numerator: "20 / 24 thôn"
    row = area[area["indicator_id"] == "hamlets_4g"].iloc[0]
    captions = [c.value for c in at.caption]
    assert f"{int(row['numerator'])} / {int(row['denominator'])} thôn" in captions


def test_map_page_and_map_only_change_never_recompute(app_env, runs):
    _folder, ctx = app_env
    at = no_exception(page("map").run())
    assert at.title[0].value == "Bản đồ"
    assert at.radio(key="map_colour_by_vi").value == "mobile"
    choices = at.selectbox(key="map_coverage").options
    # none, the coverage rasters, the expected-speed rasters (best and per operator)
    assert len(choices) == 1 + sum(1 for k in ctx.rasters
                                   if k.startswith(("coverage_", "est_dl_mbps_")))
    at.radio(key="map_colour_by_vi").set_value("ftth").run()
    at.selectbox(key="map_basemap").set_value("plain").run()
    at.selectbox(key="map_coverage").set_value(sorted(
        k for k in ctx.rasters if k.startswith("coverage_"))[0]).run()
    no_exception(at)
    # the language switch keeps the map options
    at.radio(key="_lang_radio").set_value("en").run()
    assert at.title[0].value == "Map"
    assert at.radio(key="map_colour_by_en").value == "ftth"
    assert runs == []


def test_parameter_change_recomputes_only_what_depends_on_it(app_env, runs):
    at = no_exception(page("parameters").run())
    # the hamlet rule: the coverage stage is reused, only the per-hamlet stage runs again
    key = "param.mobile.min_pop_share"
    assert at.number_input(key=key).value == pytest.approx(0.8)
    at.number_input(key=key).set_value(0.5)
    at.button(key="run_top").click().run()      # the form's "Chạy lại phân tích"
    no_exception(at)
    assert len(runs) == 1
    assert any("coverage" in s.value for s in at.success)       # cache hit of the stage
    # the FTTH drop length: every radio stage is reused, the fiber stages run again
    at.number_input(key="param.fiber.drop_max_m").set_value(250.0)
    at.button(key="run_top").click().run()
    no_exception(at)
    assert len(runs) == 2
    hits = " ".join(s.value for s in at.success)
    assert all(name in hits for name in ("coverage", "mobile", "sharing"))
    assert "ftth" not in hits and "fiber_plan" not in hits
    # a radio parameter: the coverage stage runs again
    at.number_input(key="param.radio.rx_height_m").set_value(3.0)
    at.button(key="run_top").click().run()
    no_exception(at)
    assert len(runs) == 3
    assert not any("coverage" in s.value for s in at.success)


def test_invalid_parameter_shows_error_and_keeps_params(app_env, runs):
    at = no_exception(page("parameters").run())
    at.number_input(key="param.mobile.min_pop_share").set_value(1.7)
    at.button(key="run_top").click().run()
    assert at.error, "an out-of-range share must be refused"
    assert "params" not in at.session_state
    assert runs == []


def test_bad_upload_shows_error_and_keeps_session_data(app_env):
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(
        ("thon_loi.csv", "tên thôn;ghi chú\nThôn A;x\n".encode(), "text/csv")).run()
    no_exception(at)
    assert at.error and "thon_loi.csv" in at.error[0].value
    assert "layer_overrides" not in at.session_state


def test_upload_replaces_a_layer_for_this_session_only(app_env):
    csv = ("ten_thon,xa,dan_so,kinh_do,vi_do\n"
           "Thôn Mới 1,Xã Gia Hưng,500,105.840,20.250\n"
           "Thôn Mới 2,Xã Gia Hưng,300,105.845,20.255\n"
           "Thôn Mới 3,Xã Gia Phong,200,105.850,20.258\n").encode()
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(("thon_moi.csv", csv, "text/csv")).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert any("Thôn/xóm/ấp/bản · 3" in s.value for s in at.success)   # the guessed kind
    at.radio(key=next(r.key for r in at.radio if str(r.key).startswith("mode_"))) \
        .set_value("replace_all").run()
    apply = [b for b in at.button if b.label == "Dùng lớp này"]
    apply[0].click().run()
    no_exception(at)
    over = at.session_state["layer_overrides"]
    assert list(over) == ["villages"] and len(over["villages"][0]) == 3
    status = at.dataframe[0].value                  # this session's layer table
    row = status[status.iloc[:, 0] == "Thôn/xóm/ấp/bản"].iloc[0]
    assert row.iloc[1] == "3" and row.iloc[-1] == "⬆"
    other = no_exception(page("overview").run())              # another session: unchanged
    assert {m.label: m.value for m in other.metric}["Thôn/xóm"] == "24"


def test_results_page_filters_and_search(app_env):
    _folder, ctx = app_env
    at = no_exception(page("results").run())
    assert "24" in at.caption[0].value or any("24" in c.value for c in at.caption)
    at.multiselect(key="filter_commune").set_value(["Xã Gia Hưng"]).run()
    assert any(c.value.startswith("12 ") for c in at.caption)
    at.text_input(key="search_hamlets").set_value("dong 1").run()
    # "Thôn Đồng 1" in Gia Hưng (columns 0-2 of each row): hamlets 1, 13 -> contains "dong 1"
    expected = ctx.hamlets[(ctx.hamlets["commune"] == "Xã Gia Hưng")
                           & ctx.hamlets["name"].str.contains("Đồng 1")]
    assert any(c.value.startswith(f"{len(expected)} ") for c in at.caption)


def test_results_uncovered_list_has_the_right_rows(app_env):
    _folder, ctx = app_env
    from gis.app.results import uncovered

    expected = uncovered(ctx, "vi")
    at = no_exception(page("results").run())
    if expected is None:
        pytest.skip("gis.export.writers (issue 6) is not in this version yet")
    frames = [df.value for df in at.dataframe]
    assert any(len(f) == len(expected) for f in frames)


def test_export_page_offers_every_download(app_env):
    _folder, ctx = app_env
    at = no_exception(page("export").run())
    labels = [b.proto.label for b in at.get("download_button")]
    # every table says how many rows it has
    assert f"Các thôn · {len(ctx.hamlets)} dòng" in labels
    for name in ctx.rasters:
        assert f"{name}.tif" in labels
    assert "Toàn bộ dự án (zip)" in labels


def test_search_ignores_case_and_diacritics():
    from gis.app.results import search

    frame = pd.DataFrame({"name": ["Thôn Đồng Tâm", "Xóm Trại", "Bản Mường"],
                          "population": [1, 2, 3]})
    assert search(frame, "dong tam")["name"].tolist() == ["Thôn Đồng Tâm"]
    assert search(frame, "MƯỜNG")["name"].tolist() == ["Bản Mường"]
    assert len(search(frame, "")) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "kml", "kmz", "shp", "gpkg"])
def test_uncovered_downloads_hold_the_uncovered_rows(app_env, tmp_path, fmt):
    _folder, ctx = app_env
    from gis.app.export import UNCOVERED_FORMATS, uncovered_file
    from gis.app.results import uncovered

    expected = uncovered(ctx, "vi")
    if expected is None:
        pytest.skip("gis.export.writers (issue 6) is not in this version yet")
    data = uncovered_file(ctx, fmt, "vi", scratch=lambda: tmp_path)()
    path = tmp_path / f"download{UNCOVERED_FORMATS[fmt][0]}"
    path.write_bytes(data)
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")                  # UTF-8 BOM for Excel
        assert len(pd.read_csv(path, encoding="utf-8-sig")) == len(expected)
    elif fmt == "xlsx":
        import openpyxl

        assert openpyxl.load_workbook(path).active.max_row == len(expected) + 1
    elif fmt in ("kml", "kmz"):
        import zipfile

        text = (zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0])
                if fmt == "kmz" else data).decode("utf-8")
        assert text.count("<Placemark") == len(expected)
    elif fmt == "shp":
        from gis.export.shapefile import read_shapefile_zip

        assert len(read_shapefile_zip(path)) == len(expected)
    else:
        import geopandas as gpd

        assert len(gpd.read_file(path)) == len(expected)


def test_project_zip_reopens_as_the_same_project(app_env, tmp_path):
    import zipfile

    from gis.app.export import zip_folder

    folder, _ctx = app_env
    project = Project.load(folder)
    project.save(tmp_path / "saved")
    data = zip_folder(tmp_path / "saved")
    zipfile.ZipFile(__import__("io").BytesIO(data)).extractall(tmp_path / "unzipped")
    again = Project.load(tmp_path / "unzipped")
    assert sorted(again.layers) == sorted(project.layers)
    assert again.layers["villages"]["name"].tolist() == project.layers["villages"]["name"].tolist()
    assert sorted(again.rasters) == sorted(project.rasters)


def test_zip_with_path_traversal_is_refused_and_nothing_escapes(app_env, tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.txt", "x")
        zf.writestr("thon.csv", "ten_thon,kinh_do,vi_do\nThôn A,105.84,20.25\n")
    import tempfile

    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(("thon.zip", buf.getvalue(),
                                                "application/zip")).run()
    no_exception(at)
    assert at.error and "thon.zip" in at.error[0].value
    session = at.session_state["_session_dir"].path
    assert not (Path(tempfile.gettempdir()) / "evil.txt").exists()
    assert not list(session.rglob("evil.txt"))
    assert "layer_overrides" not in at.session_state


def test_clicked_hamlet_is_the_feature_clicked_never_the_nearest(app_env):
    """Issue 15 item 3: a click on a commune, a site or the background selects no hamlet."""
    _folder, ctx = app_env
    from gis.app.map_page import selected_hamlet

    h = ctx.hamlets
    row = h[h["village_id"] == "V007"].iloc[0]
    lon, lat = float(row["lon"]), float(row["lat"])
    square = {"type": "Polygon", "coordinates": [[[lon - 0.002, lat - 0.002],
                                                  [lon + 0.002, lat - 0.002],
                                                  [lon + 0.002, lat + 0.002],
                                                  [lon - 0.002, lat + 0.002],
                                                  [lon - 0.002, lat - 0.002]]]}
    feature = {"properties": {"village_id": "V007"}, "geometry": square}
    inside = {"last_active_drawing": feature,
              "last_object_clicked": {"lat": lat + 1e-4, "lng": lon - 1e-4}}
    assert selected_hamlet(inside, h)["name"] == "Thôn Đồng 7"
    assert selected_hamlet({"last_active_drawing": feature}, h)["name"] == "Thôn Đồng 7"
    # then a click on a site far from it: the panel no longer shows the hamlet
    later = {"last_active_drawing": feature,
             "last_object_clicked": {"lat": lat + 0.01, "lng": lon + 0.01}}
    assert selected_hamlet(later, h) is None
    # a commune or a site feature (no village_id), a click without a feature: nothing
    site = {"last_active_drawing": {"properties": {"site_id": "VT01"}},
            "last_object_clicked": {"lat": lat, "lng": lon}}
    assert selected_hamlet(site, h) is None
    assert selected_hamlet({"last_object_clicked": {"lat": lat, "lng": lon}}, h) is None
    assert selected_hamlet(None, h) is None


def test_session_folder_is_removed_with_the_session():
    import gc

    from gis.app._state import SessionDir

    holder = SessionDir()
    path = holder.path
    (path / "upload.csv").write_text("x")
    assert path.is_dir()
    del holder
    gc.collect()
    assert not path.exists()


def test_raster_upload_replaces_the_dem_for_this_session(app_env):
    folder, _ctx = app_env
    data = (folder / "dem.tif").read_bytes()
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(("dem.tif", data, "image/tiff")).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    next(b for b in at.button if b.label == "Dùng lớp này").click().run()
    no_exception(at)
    over = at.session_state["raster_overrides"]
    path, _report = over["dem"]
    session = at.session_state["_session_dir"].path
    assert Path(path).is_relative_to(session)            # written only in the session folder
    assert Path(path).read_bytes() == data


def test_every_parameter_has_words_in_both_languages(app_env):
    """Issue 15 item 7: every key with a label and a help text in both languages."""
    import dataclasses

    from gis.app.param_words import PARAM_WORDS
    from gis.config import attribute_docs
    from gis.params import RunParams

    def paths(obj, prefix=""):
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            value = getattr(obj, f.name)
            yield f"{prefix}{f.name}", type(obj), f.name
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                yield from paths(value, f"{prefix}{f.name}.")

    from gis.app.param_words import SECTION_WORDS
    from gis.app.parameters import FITTED_SECTIONS

    sections = {f.name for f in dataclasses.fields(RunParams)}
    assert sections <= set(SECTION_WORDS), sections - set(SECTION_WORDS)
    missing, no_doc = [], []
    for path, cls, name in paths(RunParams()):
        if path in sections or path.split(".")[0] in FITTED_SECTIONS:
            continue  # a fitted section (calibration) has its own page section, not a form
        words = PARAM_WORDS.get(path)
        if words is None or not all(words):
            missing.append(path)
        if not attribute_docs(cls).get(name):
            no_doc.append(path)          # the English help is the field's documentation
    assert not missing, missing
    assert not no_doc, no_doc
    for path in PARAM_WORDS:           # a renamed field would leave dead words
        obj = RunParams()
        for part in path.split("."):
            assert hasattr(obj, part), path
            obj = getattr(obj, part)
    at = no_exception(page("parameters").run())
    box = at.number_input(key="param.radio.rx_height_m")
    assert box.label.startswith("Độ cao máy thu") and "máy điện thoại" in box.help
    at.radio(key="_lang_radio").set_value("en").run()
    box = at.number_input(key="param.radio.rx_height_m")
    assert box.label == "Receiver height (m) (rx_height_m)" and "handset" in box.help
    # the calibration is fitted on measurements in its own section of the page (issue 14)
    assert any(e.label.startswith("Model calibration on measurements") for e in at.expander)
    assert any(u.label for u in at.get("file_uploader"))


def test_targets_are_an_editable_table(app_env, runs):
    """Issue 15 item 7: targets as a table (indicator, target, unit, source), not JSON."""
    from gis.analysis.targets import IndicatorParams
    from gis.app.parameters import targets_overrides, targets_table

    params = IndicatorParams(preset="xuan_truc")
    table = targets_table(params, "vi")
    assert list(table.columns) == ["indicator", "target", "unit", "comparison", "source"]
    row = table.loc["bts_sharing_rate"]
    assert row["target"] == 25.0 and row["comparison"] == "≥" and "Xuân Trúc" in row["source"]
    assert table.loc["hamlets_lost_2g_off", "comparison"] == "≤"
    assert pd.isna(table.loc["hamlets_5g", "target"])            # the plan sets none
    edited = table.copy()
    edited.loc["bts_sharing_rate", "target"] = 40.0
    edited.loc["households_ftth", "target"] = None
    assert targets_overrides(edited, "xuan_truc") == {"bts_sharing_rate": 0.4,
                                                       "households_ftth": None}
    assert targets_overrides(table, "xuan_truc") == {}
    # on the page: the table, edited, then a re-run with the new target
    at = no_exception(page("parameters").run())
    assert not [a for a in at.text_area if a.key == "param.targets.overrides"]   # no JSON
    at.session_state["targets_table"] = {"edited_rows": {
        str(list(targets_table(IndicatorParams(), "vi").index).index("bts_sharing_rate")):
        {"target": 35.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="run_top").click().run()
    no_exception(at)
    params = at.session_state["params"]
    assert params.targets.overrides == {"bts_sharing_rate": 0.35}
    ind = run_cached(Project.load(app_env[0]), params, store={})[0].tables["indicators"]
    area = ind[(ind["scope_level"] == "area") & (ind["indicator_id"] == "bts_sharing_rate")]
    assert area["target"].iloc[0] == pytest.approx(0.35)


def test_loose_shapefile_set_upload_is_read_as_one_layer(app_env, tmp_path):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"ten_thon": ["Thôn Đồng Tâm", "Xóm Trại"], "dan_so": [420, 310]},
                           geometry=shapely.points([105.84, 105.85], [20.25, 20.26]), crs=4326)
    gdf.to_file(tmp_path / "thon.shp", encoding="utf-8")
    files = [(p.name, p.read_bytes(), "application/octet-stream")
             for p in sorted(tmp_path.glob("thon.*"))]
    assert {n.rsplit(".", 1)[1] for n, _, _ in files} >= {"shp", "shx", "dbf", "prj"}
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(files).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    at.radio(key=next(r.key for r in at.radio if str(r.key).startswith("mode_"))) \
        .set_value("replace_all").run()
    next(b for b in at.button if b.label == "Dùng lớp này").click().run()
    layer = at.session_state["layer_overrides"]["villages"][0]
    assert layer["name"].tolist() == ["Thôn Đồng Tâm", "Xóm Trại"]
    assert layer.crs == Project.load(app_env[0]).crs        # in the project's CRS


# -- issue 15: uploads into a layer (modes, counts, undo), the coordinate system picker -------

SITES_CSV = (b"ma_tram,nha_mang,cong_nghe,do_cao,kinh_do,vi_do\n"
             b"VT10,Viettel,4G,30,105.840,20.250\n"
             b"VT11,Viettel,4G/5G,35,105.850,20.255\n")


def _mode(at: AppTest):
    return next(r for r in at.radio if str(r.key).startswith("mode_"))


def _counts(at: AppTest) -> dict[str, tuple[str, str]]:
    frame = next(d.value for d in at.dataframe if "Trước" in d.value.columns)
    return {r.iloc[0]: (r.iloc[1], r.iloc[2]) for _, r in frame.iterrows()}


def _apply(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Dùng lớp này").click().run()
    return no_exception(at)


def test_upload_modes_counts_and_undo(app_env):
    """Five Viettel sites must not wipe the other operators: add (the default), replace only
    the operators or ids of the file, replace all; counts before / after; undo per session."""
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(("tram_vt.csv", SITES_CSV, "text/csv")).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert _mode(at).value == "add"                         # the least destructive first
    assert _mode(at).options == ["Thêm vào lớp (giữ mọi dòng hiện có)",
                                 "Chỉ thay các nhà mạng có trong tệp",
                                 "Chỉ thay các mã (trạm, thôn...) có trong tệp",
                                 "Thay toàn bộ lớp"]
    # the small area: Viettel 4 sector rows (VT01 x 3, VT02), VinaPhone 2
    assert _counts(at) == {"Tổng": ("6", "8"), "Viettel": ("4", "6"), "VinaPhone": ("2", "2")}
    _apply(at)
    sites = at.session_state["layer_overrides"]["sites"][0]
    assert len(sites) == 8 and sorted(set(sites["operator"])) == ["Viettel", "VinaPhone"]
    assert any("6 → 8" in s.value for s in at.success)
    # the same file again, replacing Viettel only: VinaPhone's rows stay
    _mode(at).set_value("replace_operators").run()
    assert _counts(at) == {"Tổng": ("8", "4"), "Viettel": ("6", "2"), "VinaPhone": ("2", "2")}
    _apply(at)
    assert len(at.session_state["layer_overrides"]["sites"][0]) == 4
    # replacing the ids it names (VT10, VT11): the same four rows
    _mode(at).set_value("replace_ids").run()
    assert _counts(at)["Tổng"] == ("4", "4")
    _mode(at).set_value("replace_all").run()
    assert _counts(at) == {"Tổng": ("4", "2"), "Viettel": ("2", "2"), "VinaPhone": ("2", "0")}
    # undo, twice: the layer as before each change, then the project's own
    undo = next(b for b in at.button if b.key == "undo_layers")
    undo.click().run()
    no_exception(at)
    assert len(at.session_state["layer_overrides"]["sites"][0]) == 8
    next(b for b in at.button if b.key == "undo_layers").click().run()
    no_exception(at)
    assert "sites" not in at.session_state["layer_overrides"] \
        if "layer_overrides" in at.session_state else True
    assert not [b for b in at.button if b.key == "undo_layers"]
    other = no_exception(page("data").run())                  # another session: untouched
    assert "layer_overrides" not in other.session_state


def test_crs_picker_reads_vn2000_tm3_metres_of_a_province(app_env):
    from pyproj import Transformer

    from gis.layers.crs import vn2000_tm3

    # VN-2000 TM-3 of Ninh Bình (meridian 105°, TT 973) in the Vietnamese order X = north
    to_tm3 = Transformer.from_crs("EPSG:4326", vn2000_tm3(105.0), always_xy=True)
    east, north = to_tm3.transform(105.840, 20.250)
    csv = f"ten_thon,dan_so,X,Y\nThôn Mét,420,{north:.2f},{east:.2f}\n".encode()
    at = no_exception(page("data").run())
    assert any("Kéo và thả tệp vào đây" in m.value for m in at.markdown)  # Streamlit's words
    at.file_uploader(key="uploader").set_value(("thon_vn2000.csv", csv, "text/csv")).run()
    no_exception(at)
    # metres without a CRS: an error that names the web page's box, not a command-line flag
    assert at.error and "--" not in at.error[0].value
    assert "Hệ toạ độ" in at.error[0].value or any("Hệ toạ độ" in i.value for i in at.info)
    crs = next(s for s in at.selectbox if str(s.key).startswith("crs_"))
    assert len(crs.options) == 7 and crs.options[1] == "WGS84 kinh độ / vĩ độ (EPSG:4326)"
    crs.set_value("tm3_province").run()
    no_exception(at)
    next(s for s in at.selectbox if str(s.key).startswith("crs_prov_")).set_value(
        "Ninh Bình").run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert any("TM-3 105°" in s.value for s in at.success)
    # told X is the easting, the point would be 2 200 km east: refused
    def axis():
        return next(r for r in at.radio if str(r.key).startswith("axis_"))

    axis().set_value("xy").run()
    assert at.error
    axis().set_value("yx").run()
    no_exception(at)
    assert not at.error
    _mode(at).set_value("replace_all").run()
    _apply(at)
    layer = at.session_state["layer_overrides"]["villages"][0]
    lon, lat = Transformer.from_crs(layer.crs, 4326, always_xy=True).transform(
        layer.geometry.iloc[0].x, layer.geometry.iloc[0].y)
    assert abs(lon - 105.840) < 1e-5 and abs(lat - 20.250) < 1e-5    # about a metre


def test_crs_picker_is_prefilled_from_the_file(app_env, tmp_path):
    import geopandas as gpd
    import shapely

    # as QGIS writes it: VN-2000 / UTM zone 48N (EPSG:3405) in the .prj
    gdf = gpd.GeoDataFrame({"ten_thon": ["Thôn Prj"], "dan_so": [300]},
                           geometry=shapely.points([105.845], [20.252]), crs=4326).to_crs(3405)
    gdf.to_file(tmp_path / "thon.shp", encoding="utf-8")
    files = [(p.name, p.read_bytes(), "application/octet-stream")
             for p in sorted(tmp_path.glob("thon.*"))]
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(files).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    # the .prj said it: the picker says what the file gives
    captions = [c.value for c in at.caption]
    assert any("VN-2000" in c and "48N" in c and "đọc từ tệp" in c for c in captions), captions


# -- issue 15 items 9 and 10: the what-if page and the terrain profile -----------------------

def test_whatif_page_recomputes_one_site_and_keeps_or_drops_it(app_env):
    _folder, ctx = app_env
    from gis.app.whatif_page import scenario_from_run
    from gis.whatif import SiteEdit, run_whatif

    project = Project.load(_folder)
    expected = run_whatif(scenario_from_run(project, ctx), SiteEdit("remove", "VT02"))
    lost = int((expected.changes["change"] == "lost").sum())
    at = no_exception(page("whatif").run())
    assert at.title[0].value == "Thử nghiệm trạm"
    at.radio(key="whatif_action").set_value("remove").run()
    at.selectbox(key="whatif_site").set_value("VT02").run()
    at.button(key="whatif_go").click().run()
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Thôn mất sóng"] == str(lost)
    assert any("Đã tính lại trong" in s.value for s in at.success)
    at.button(key="whatif_keep").click().run()
    no_exception(at)
    _run_key, scn, edits = at.session_state["_whatif_scenario"]
    assert [e.site_id for e in edits] == ["VT02"] and "VT02" not in set(scn.sites["site_id"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tải lớp trạm đã sửa (GeoPackage)" in labels
    # another edit, dropped: the kept scenario stays as it was
    at.radio(key="whatif_action").set_value("change").run()
    at.selectbox(key="whatif_site").set_value("VT01").run()
    next(n for n in at.number_input if str(n.key).startswith("whatif_h_")).set_value(60.0)
    at.button(key="whatif_go").click().run()
    no_exception(at)
    at.button(key="whatif_drop").click().run()
    no_exception(at)
    assert len(at.session_state["_whatif_scenario"][2]) == 1
    # the terrain profile: a chart and the path loss of every model, ITM included
    assert at.get("imgs") or at.get("pyplot") or any("Mặt cắt" in s.value for s in at.subheader)
    losses = next(d.value for d in at.dataframe if "Suy hao đường truyền" in d.value.columns)
    models = set(losses.iloc[:, 0])
    assert {"Không gian tự do", "Okumura-Hata", "ITM (Longley-Rice) theo mặt cắt"} <= models
    other = no_exception(page("overview").run())          # the run itself is unchanged
    assert "_whatif_scenario" not in other.session_state


def test_vietnamese_dbf_field_names_cut_mid_letter_upload_in_the_app(app_env, tmp_path):
    """Issue 15 item 4 through the web page: the .cpg applies to the field names, and names
    cut at 10 bytes in the middle of a letter still match their aliases."""
    from test_read_dbf_names import cut10, shapefile

    fields = [(cut10("Mã trạm"), "C", 10), (cut10("Nhà mạng"), "C", 12),
              (cut10("Độ cao"), "N", 6, 1)]
    records = [[b"BTS01", b"Viettel", b"36.5"], [b"BTS02", b"VNPT", b"30.0"]]
    shp = shapefile(tmp_path, fields, records)
    files = [(p.name, p.read_bytes(), "application/octet-stream")
             for p in sorted(shp.parent.glob("lop.*"))]
    at = no_exception(page("data").run())
    at.file_uploader(key="uploader").set_value(files).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    next(s for s in at.selectbox if str(s.key).startswith("upload_kind_")).set_value(
        "sites").run()
    _mode(at).set_value("replace_all").run()
    _apply(at)
    layer = at.session_state["layer_overrides"]["sites"][0]
    assert layer["height_m"].tolist() == [36.5, 30.0]
    assert layer["operator"].tolist() == ["Viettel", "VinaPhone"]     # one spelling
    assert not [c for c in layer.columns if "Ä" in c or "Ã" in c]


def test_no_command_line_hint_reaches_the_page():
    """Issue 15 item 5: messages of the readers and importers name the page's boxes."""
    from gis.app.widgets import web_text

    for text in ("Layer kind guessed from the columns and geometry: sites (give --kind to "
                 "choose).",
                 "Give the CRS, e.g. EPSG:4326, or the province (--province 'Nam Định').",
                 "Rename them X and Y and give the CRS (e.g. --crs vn2000-tm3:105.5).",
                 "Choose a layer (CLI: --layer NAME), or zip one layer per file.",
                 "Give --area 'minlon,minlat,maxlon,maxlat' or an admin file.",
                 "or import it with the CLI: python -m gis import osm FILE --area ... --out P.",
                 "use gis import opencellid FILE --area AREA --out PROJECT"):
        for lang in ("vi", "en"):
            out = web_text(text, lang)
            assert "--" not in out and "python -m" not in out, (lang, out)


def test_export_compares_with_an_earlier_run(app_env, tmp_path):
    """Issue 16's comparison section: an earlier run's zip against this run."""
    _folder, ctx = app_env
    from gis.app.export import zip_folder
    from gis.pipeline.write import write_run

    data = zip_folder(write_run(ctx, tmp_path / "earlier", lang="vi"))
    at = no_exception(page("export").run())
    at.file_uploader(key="compare_zip").set_value(("lan_truoc.zip", data,
                                                   "application/zip")).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    n4g = int(ctx.hamlets["mobile_4g"].sum())
    assert metrics["Thôn có 4G (mới / mất)"] == str(n4g)      # the same run: nothing new
    labels = [b.proto.label for b in at.get("download_button")]
    assert "compare.xlsx" in labels and "compare.html" in labels


def test_overview_puts_the_no_broadband_alert_first(tmp_path, monkeypatch):
    """Issue 13 item 8 in the app: sites with no 4G/5G at all (a 2G-only crowd-sourced export)
    make every figure misleading; the Overview says so above them."""
    from test_app_support import build_small_project

    folder = build_small_project(tmp_path / "p2g")
    project = Project.load(folder)
    project.set_layer("sites", project.layers["sites"].assign(tech="2G"))
    project.save(folder)
    monkeypatch.setenv("GIS_PROJECT", str(folder))
    monkeypatch.setenv("GIS_APP_CACHE", str(tmp_path / "cache"))
    at = no_exception(page("overview").run())
    assert at.error and "4G" in at.error[0].value and "2G" in at.error[0].value
