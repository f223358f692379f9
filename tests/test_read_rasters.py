"""Raster inputs: validation on open and windowed reads (same CRS and reprojected)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from gis.errors import CRSError, ValidationError
from gis.layers.rasters import open_raster, read_window
from gis.layers.sources import Upload


def _write(path, data, *, crs="EPSG:32648", transform=None, nodata=-9999.0):
    transform = transform or from_origin(580_000, 2_240_000, 30, 30)
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=data.dtype, crs=crs, transform=transform,
                       nodata=nodata) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def dem(tmp_path):
    rng = np.random.default_rng(7)
    data = rng.uniform(0, 800, (200, 300)).astype("float32")
    data[:10, :10] = -9999.0  # 100 nodata cells of 60 000
    return _write(tmp_path / "dem.tif", data), data


def test_open_dem_reports_resolution_and_nodata(dem):
    path, _ = dem
    info, report = open_raster(path, "dem")
    assert info.width == 300 and info.height == 200
    assert info.res_m == pytest.approx(30.0)
    assert info.nodata == -9999.0
    assert info.bounds == pytest.approx((580_000, 2_234_000, 589_000, 2_240_000))
    assert report.extra["nodata_share"] == pytest.approx(100 / 60_000, abs=1e-4)
    assert any("nodata" in w for w in report.warnings)
    assert "UTM zone 48N" in report.crs_in


def test_open_upload_is_written_inside_workdir(dem, tmp_path):
    path, _ = dem
    work = tmp_path / "session"
    info, report = open_raster(Upload("../../dem.tif", path.read_bytes()), "dem", workdir=work)
    # kept (analyses read it by windows later) in a fresh folder inside the workdir
    assert work.resolve() in info.path.resolve().parents
    assert report.source == "dem.tif"


def test_read_window_same_crs_reads_exact_cells(dem):
    path, data = dem
    # cells 20..29 (rows) and 40..59 (cols): x 581 200..581 800, y 2 239 100..2 239 400
    arr, transform = read_window(path, (581_200, 2_239_100, 581_800, 2_239_400),
                                 crs="EPSG:32648")
    assert arr.dtype == np.float32
    assert arr.shape == (10, 20)
    np.testing.assert_array_equal(arr, data[20:30, 40:60])
    assert (transform.c, transform.f) == (581_200, 2_239_400)


def test_read_window_nodata_and_outside_are_nan(dem):
    path, _ = dem
    arr, _ = read_window(path, (579_940, 2_239_700, 580_300, 2_240_060), crs="EPSG:32648")
    # 2 columns and 2 rows outside the raster, then the nodata block
    assert np.isnan(arr[:2, :]).all() and np.isnan(arr[:, :2]).all()
    assert np.isnan(arr[2:12, 2:12]).all()
    assert np.isfinite(arr[12:, 12:]).all()


def test_read_window_reprojects_a_linear_field(tmp_path):
    # a WGS84 raster whose value is a linear function of lon/lat: bilinear resampling must
    # reproduce it at any point, so the value at a UTM cell centre is known independently
    res = 0.0005
    lon0, lat0 = 105.70, 20.30
    rows, cols = 400, 400
    lon_c = lon0 + (np.arange(cols) + 0.5) * res
    lat_c = lat0 - (np.arange(rows) + 0.5) * res
    field = (1000.0 * (lon_c[None, :] - 105.0) + 500.0 * (lat_c[:, None] - 20.0))
    path = _write(tmp_path / "geo.tif", field.astype("float64"), crs="EPSG:4326",
                  transform=from_origin(lon0, lat0, res, res), nodata=None)
    x0, y0 = Transformer.from_crs(4326, 32648, always_xy=True).transform(105.75, 20.25)
    arr, transform = read_window(path, (x0, y0, x0 + 1000, y0 + 1000), crs="EPSG:32648",
                                 resolution_m=50)
    assert arr.shape == (20, 20)
    to_geo = Transformer.from_crs(32648, 4326, always_xy=True)
    cx, cy = transform @ (10.5, 5.5)
    lon, lat = to_geo.transform(cx, cy)
    expected = 1000.0 * (lon - 105.0) + 500.0 * (lat - 20.0)
    # 0.05 value units = 5e-5 degrees of longitude, about 5 m; half a cell would be 0.23
    assert arr[5, 10] == pytest.approx(expected, abs=0.05)
    cols, rows = np.meshgrid(np.arange(20) + 0.5, np.arange(20) + 0.5)
    lon, lat = to_geo.transform(*(transform @ (cols, rows)))
    err = arr - (1000.0 * (lon - 105.0) + 500.0 * (lat - 20.0))
    assert abs(err.mean()) < 0.02


def test_missing_crs_is_an_error(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       transform=from_origin(0, 4, 1, 1)) as dst:
        dst.write(np.ones((4, 4), "float32"), 1)
    with pytest.raises(CRSError, match="no coordinate reference system") as exc:
        open_raster(path, "dem")
    assert "Assign" in str(exc.value) and "nocrs.tif" in str(exc.value)


def test_raster_outside_vietnam_is_an_error(tmp_path):
    path = _write(tmp_path / "paris.tif", np.ones((4, 4), "float32"), crs="EPSG:4326",
                  transform=from_origin(2.3, 48.9, 0.01, 0.01))
    with pytest.raises(CRSError, match="outside Vietnam"):
        open_raster(path, "dem")


def test_undeclared_srtm_nodata_is_named(tmp_path):
    data = np.full((10, 10), 12.0, "float32")
    data[0, :] = -32768
    path = _write(tmp_path / "srtm.tif", data, nodata=None)
    with pytest.raises(ValidationError, match="-32768") as exc:
        open_raster(path, "dem")
    assert "10.0%" in str(exc.value)


def test_dem_in_feet_or_garbage_is_an_error(tmp_path):
    data = np.full((10, 10), 100.0, "float32")
    data[5, 5] = 9000.0
    path = _write(tmp_path / "feet.tif", data)
    with pytest.raises(ValidationError, match=r"1\.0% of the cells"):
        open_raster(path, "dem")


def test_negative_population_is_an_error(tmp_path):
    data = np.full((10, 10), 3.0, "float32")
    data[2, :5] = -1.0
    path = _write(tmp_path / "pop.tif", data)
    with pytest.raises(ValidationError, match="negative"):
        open_raster(path, "population")
    data[2, :5] = 0.0
    _, report = open_raster(_write(tmp_path / "pop2.tif", data), "population")
    assert report.extra["population_total_estimate"] == pytest.approx(3.0 * 95)


def test_a_huge_raster_is_never_read_whole(tmp_path):
    # 20 000 x 20 000 cells (1.6 GB as float32): sparse, only one 512 x 512 block holds data
    import time

    from rasterio.windows import Window

    path = tmp_path / "province.tif"
    with rasterio.open(path, "w", driver="GTiff", width=20_000, height=20_000, count=1,
                       dtype="float32", crs="EPSG:32648", nodata=-9999, tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate", SPARSE_OK=True,
                       transform=from_origin(400_000, 2_400_000, 30, 30)) as dst:
        dst.write(np.full((512, 512), 12.5, "float32"), 1, window=Window(10_000, 10_000, 512, 512))
    t0 = time.perf_counter()
    info, report = open_raster(path, "dem")
    arr, _ = read_window(path, (700_000, 2_099_000, 703_000, 2_100_000), crs="EPSG:32648")
    seconds = time.perf_counter() - t0
    assert seconds < 3.0
    assert report.extra["checked_cells"] == 64 * 128 * 128
    assert info.width == 20_000
    assert arr.shape == (34, 100)
    assert np.nanmean(arr) == 12.5


def test_raster_checks_are_parameters(tmp_path):
    from gis.layers.rasters import RasterChecks

    data = np.full((10, 10), 3500.0, "float32")  # a summit above Fansipan: not in Vietnam
    path = _write(tmp_path / "high.tif", data)
    with pytest.raises(ValidationError, match="-100 to 3200 m"):
        open_raster(path, "dem")
    info, _ = open_raster(path, "dem", checks=RasterChecks(dem_range_m=(0.0, 9000.0)))
    assert info.width == 10
    with pytest.raises(ValidationError, match="Invalid raster checks"):
        RasterChecks(dem_range_m=(10.0, 0.0))


def test_zipped_geotiff_upload(dem, tmp_path):
    import zipfile

    path, _ = dem
    zpath = tmp_path / "dem.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "DEM/dem_30m.tif")
    work = tmp_path / "session"
    info, report = open_raster(Upload("dem.zip", zpath.read_bytes()), "dem", workdir=work)
    assert info.width == 300 and work.resolve() in info.path.resolve().parents
    assert report.source == "dem.zip"
