import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import CRS
from rasterio.transform import from_origin
from shapely.geometry import Point

from gis.errors import InputFileError, ValidationError
from gis.layers.report import LoadReport
from gis.pipeline.context import Stage
from gis.pipeline.stages import run
from gis.pipeline.write import write_run
from gis.project import Project

UTM48 = CRS.from_epsg(32648)


@pytest.fixture
def project(tmp_path):
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2"], "name": ["Thôn Đông", "Xóm Trại"],
         "commune": ["Xã Gia Hưng", "Xã Gia Hưng"], "population": [820.0, 455.0],
         "households": [210.0, 118.0]},
        geometry=[Point(600_000, 2_250_000), Point(601_000, 2_251_000)], crs=UTM48)
    dem = tmp_path / "dem_in.tif"
    with rasterio.open(dem, "w", driver="GTiff", width=4, height=3, count=1, dtype="float32",
                       crs=UTM48, transform=from_origin(599_000, 2_252_000, 30, 30),
                       nodata=-9999) as ds:
        ds.write(np.arange(12, dtype="float32").reshape(1, 3, 4))
    p = Project(name="Thử nghiệm", crs=UTM48)
    p.set_layer("villages", villages, LoadReport(source="thon.csv", kind="villages",
                                                 rows_read=2, rows_loaded=2))
    p.set_raster("dem", dem)
    return p


def test_save_and_load_round_trip(project, tmp_path):
    folder = project.save(tmp_path / "proj")
    assert {p.name for p in folder.iterdir()} >= {"project.json", "layers.gpkg", "params.json",
                                                 "dem.tif"}
    back = Project.load(folder)
    assert back.name == "Thử nghiệm"
    assert back.crs.equals(UTM48)
    v = back.layer("villages")
    assert list(v["name"]) == ["Thôn Đông", "Xóm Trại"]
    assert v.geometry.iloc[1].equals(Point(601_000, 2_251_000))
    assert back.reports["villages"].rows_loaded == 2
    with rasterio.open(back.rasters["dem"]) as ds:
        assert ds.read(1)[2, 3] == 11


def test_set_layer_reprojects_to_project_crs(project):
    wgs = project.layer("villages").to_crs(4326)
    project.set_layer("villages", wgs)
    assert CRS(project.layer("villages").crs).equals(UTM48)
    assert project.layer("villages").geometry.iloc[0].distance(Point(600_000, 2_250_000)) < 1e-3


def test_missing_layer_and_folder_errors(project, tmp_path):
    with pytest.raises(ValidationError, match="--sites"):
        project.require("sites")
    with pytest.raises(InputFileError, match="project.json"):
        Project.load(tmp_path)
    with pytest.raises(ValidationError, match="landcover"):
        project.set_raster("slope", "x.tif")


def test_pipeline_base_table_and_run_files(project, tmp_path):
    seen = []
    ctx = run(project, progress=lambda name, f: seen.append((name, f)))
    assert list(ctx.hamlets["village_id"]) == ["V1", "V2"]
    assert ctx.hamlets["lon"].between(105, 106).all()
    assert seen[0] == ("hamlets", 0.0) and seen[-1] == ("done", 1.0)
    out = write_run(ctx, tmp_path / "out")
    raw = (out / "hamlets.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # the base columns first, with the 2025 units; analysis stages that need only villages
    # (FTTH) add theirs after
    assert raw.decode("utf-8-sig").splitlines()[0].startswith(
        "village_id,name,province_code,province,commune_code,commune,")
    assert ",population,households,lon,lat," in raw.decode("utf-8-sig").splitlines()[0]
    assert "Xóm Trại" in raw.decode("utf-8-sig")
    assert (out / "run.json").is_file()


def test_stage_skipped_without_its_layer(project):
    calls = []
    ctx = run(project, stages=[Stage("x", lambda c: calls.append(1), ("sites",))])
    assert calls == []
    assert "skipped" in ctx.warnings[0]
