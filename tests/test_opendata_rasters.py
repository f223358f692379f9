"""DEM tiles (SRTM .hgt written as raw big-endian int16) and population rasters, clipped."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import CRS, Transformer
from rasterio.transform import from_origin

from gis.errors import InputFileError, ValidationError
from gis.opendata import RasterParams, import_dem, import_population, parse_area
from gis.opendata.dem import DEM_NODATA, hgt_tile_bounds, read_dem
from gis.opendata.rasters import clip_mosaic, open_sources
from gis.project import Project

N = 1201  # samples per side of a 3 arc-second tile
STEP = 1 / 1200  # degrees between samples


def plane(lon, lat):
    """The test terrain: 100 m + 1 m per sample southwards from 21° N + 2 m per sample east."""
    return 100.0 + (21.0 - lat) / STEP + 2.0 * (lon - 105.0) / STEP


def write_hgt(folder: Path, name: str, *, marks: bool = True) -> Path:
    west, _, _, north = hgt_tile_bounds(name)
    rows, cols = np.mgrid[0:N, 0:N]
    z = plane(west + cols * STEP, north - rows * STEP)
    z = np.rint(z).astype(">i2")
    if marks:
        z[0, 0], z[0, -1], z[-1, 0], z[-1, -1] = 7, 8, 9, 10   # NW, NE, SW, SE corners
        z[600, 600] = -32768                                    # a void in the middle
    path = folder / name
    z.tofile(path)
    return path


@pytest.fixture(scope="module")
def tiles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("srtm")
    write_hgt(folder, "N20E105.hgt")
    write_hgt(folder, "N20E106.hgt", marks=False)
    write_hgt(folder, "N10E105.hgt", marks=False)   # far south: never opened
    return folder


def test_hgt_names():
    assert hgt_tile_bounds("N20E105.hgt") == (105, 20, 106, 21)
    assert hgt_tile_bounds("/x/S08W077.HGT") == (-77, -8, -76, -7)
    with pytest.raises(InputFileError, match="not an SRTM tile name"):
        hgt_tile_bounds("dem_20_105.hgt")


def test_corner_elevations_land_at_the_corners(tiles):
    area = parse_area("105.0,20.0,106.0,21.0")
    datasets = open_sources([tiles / "N20E105.hgt"], "DEM")
    try:
        win = clip_mosaic(datasets, area, margin_m=0.0, nodata=DEM_NODATA, kind="DEM")
    finally:
        for ds in datasets:
            ds.close()
    inv = ~win.transform

    def at(lon, lat):
        col, row = inv @ (lon, lat)
        return win.data[math.floor(row), math.floor(col)]

    assert at(105.0, 21.0) == 7      # the first sample is centred on the NW corner
    assert at(106.0, 21.0) == 8
    assert at(105.0, 20.0) == 9
    assert at(106.0, 20.0) == 10
    assert at(105.5, 20.5) == DEM_NODATA          # the void
    assert at(105.25, 20.75) == pytest.approx(plane(105.25, 20.75))


def test_mosaic_two_tiles_warped_to_utm(tiles, tmp_path):
    # 105.9-106.1° E crosses from N20E105 into N20E106.
    out = tmp_path / "dem.tif"
    report = read_dem([tiles], "105.90,20.40,106.10,20.60", crs="EPSG:32648", out_path=out,
                      params=RasterParams(margin_m=1000.0))
    assert report.extra["files_used"] == ["N20E105.hgt", "N20E106.hgt"]
    assert report.extra["files_skipped_outside_area"] == ["N10E105.hgt"]
    assert report.extra["resolution_m"] == 93.0          # 3" = 92.6 m
    with rasterio.open(out) as ds:
        assert ds.crs.to_epsg() == 32648
        assert ds.res == (93.0, 93.0)
        z = ds.read(1)
        assert (z != DEM_NODATA).all()                    # margin covered, no voids
        rows, cols = np.mgrid[0:ds.height:37, 0:ds.width:29]
        xs, ys = rasterio.transform.xy(ds.transform, rows.ravel(), cols.ravel())
    lon, lat = Transformer.from_crs(32648, 4326, always_xy=True).transform(xs, ys)
    # Bilinear resampling reproduces a plane; the int16 rounding of the samples is +-0.5 m.
    np.testing.assert_allclose(z[rows.ravel(), cols.ravel()], plane(np.array(lon),
                                                                    np.array(lat)), atol=0.6)


def test_geotiff_dem_and_import_into_project(tmp_path):
    # A Copernicus-like GeoTIFF (1 arc-second, float32, EPSG:4326) over 105.7-105.9° E.
    res = 1 / 3600
    tif = tmp_path / "glo30.tif"
    lon0, lat0, n = 105.7, 21.1, 720
    rows, cols = np.mgrid[0:n, 0:n]
    z = (50.0 + 0.1 * rows + 0.05 * cols).astype("float32")
    with rasterio.open(tif, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(lon0, lat0, res, res),
                       nodata=-9999.0) as ds:
        ds.write(z, 1)
    project = import_dem([tif], "105.75,20.95,105.85,21.05", out_dir=tmp_path / "p",
                         params=RasterParams(margin_m=2000.0, resolution_m=30.0))
    dem = project.rasters["dem"]
    assert dem == tmp_path / "p" / "dem.tif"
    with rasterio.open(dem) as ds:
        assert ds.res == (30.0, 30.0)
        x, y = Transformer.from_crs(4326, ds.crs, always_xy=True).transform(105.8, 21.0)
        row, col = ds.index(x, y)
        cx, cy = ds.xy(row, col)
        value = ds.read(1)[row, col]
    clon, clat = Transformer.from_crs(ds.crs, 4326, always_xy=True).transform(cx, cy)
    # Pixel (r, c) of the GeoTIFF has its centre at lon0 + (c + .5) res, lat0 - (r + .5) res.
    expected = 50.0 + 0.1 * ((lat0 - clat) / res - 0.5) + 0.05 * ((clon - lon0) / res - 0.5)
    assert value == pytest.approx(expected, abs=0.01)
    project.save(tmp_path / "p")
    assert (tmp_path / "p" / "dem.tif").is_file()


def test_dem_errors(tiles, tmp_path):
    with pytest.raises(ValidationError, match="None of the 3 DEM tiles"):
        read_dem([tiles], "108.0,15.0,108.1,15.1", crs="EPSG:32649", out_path=tmp_path / "x.tif")
    short = tmp_path / "N20E105.hgt"
    short.write_bytes(b"\x00" * 1000)
    with pytest.raises(InputFileError, match="1000 bytes"):
        read_dem([short], "105.1,20.1,105.2,20.2", crs="EPSG:32648", out_path=tmp_path / "y.tif")
    text = tmp_path / "dem.tif"
    text.write_text("not a raster", encoding="utf-8")
    with pytest.raises(InputFileError, match="not a raster"):
        read_dem([text], "105.1,20.1,105.2,20.2", crs="EPSG:32648", out_path=tmp_path / "z.tif")
    with pytest.raises(ValidationError, match="needs an area"):
        import_dem([tiles], None, None)
    with pytest.raises(ValidationError, match="no layers"):
        import_dem([tiles], None, Project(name="x", crs=CRS.from_epsg(32648)))


def _worldpop(path: Path, people: np.ndarray) -> Path:
    res = 3 / 3600
    with rasterio.open(path, "w", driver="GTiff", width=people.shape[1],
                       height=people.shape[0], count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(105.0, 21.0, res, res), nodata=-99999.0) as ds:
        ds.write(people.astype("float32"), 1)
    return path


def test_population_density_is_kept(tmp_path):
    # 1000 people per km² everywhere: each lon/lat cell holds density x its area on the sphere
    # A = R² Δλ (sin φ_top - sin φ_bottom), R = 6 371 008.8 m.
    n, res = 600, 3 / 3600
    top = 21.0 - np.arange(n) * res
    area_m2 = (6_371_008.8**2 * math.radians(res)
               * (np.sin(np.radians(top)) - np.sin(np.radians(top - res))))
    people = np.repeat((1e-3 * area_m2)[:, None], n, axis=1)
    src = _worldpop(tmp_path / "vnm_ppp_2020.tif", people)
    project = import_population(src, "105.2,20.7,105.3,20.8", out_dir=tmp_path / "p",
                                params=RasterParams(margin_m=1000.0, resolution_m=100.0))
    with rasterio.open(project.rasters["population"]) as ds:
        z = ds.read(1)
    inner = z[2:-2, 2:-2]
    # 1000 / km² on 100 m cells = 10 people per cell.
    np.testing.assert_allclose(inner, 10.0, rtol=2e-3)
    rep = project.reports["population"]
    assert rep.extra["people_written"] == pytest.approx(rep.extra["people_in_grid_source"],
                                                        rel=0.01)


def test_population_point_mass_stays_in_place(tmp_path):
    people = np.zeros((240, 240))
    people[120, 120] = 1000.0        # centre at 105.10042° E, 20.89958° N
    src = _worldpop(tmp_path / "hrsl.tif", people)
    project = import_population(src, "105.08,20.88,105.12,20.92", out_dir=tmp_path / "p",
                                params=RasterParams(margin_m=500.0))
    with rasterio.open(project.rasters["population"]) as ds:
        z = ds.read(1)
        # GDAL's area-weighted average approximates the overlaps: within 1 %.
        assert z[z != ds.nodata].sum() == pytest.approx(1000.0, rel=1e-2)
        row, col = np.unravel_index(np.argmax(z), z.shape)
        x, y = ds.xy(row, col)
    lon, lat = Transformer.from_crs(32648, 4326, always_xy=True).transform(x, y)
    lon0, lat0 = 105.0 + 120.5 * 3 / 3600, 21.0 - 120.5 * 3 / 3600
    assert abs(lon - lon0) * 104_000 < 93 and abs(lat - lat0) * 110_700 < 93


def test_zipped_tiles_as_downloaded(tiles, tmp_path):
    """NASA's SRTMGL1/3 tiles come as N20E105.SRTMGL3.hgt.zip holding N20E105.hgt."""
    import zipfile

    assert hgt_tile_bounds("N20E105.SRTMGL1.hgt.zip") == (105, 20, 106, 21)
    zipped = tmp_path / "N20E105.SRTMGL3.hgt.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(tiles / "N20E105.hgt", "N20E105.hgt")
    area = "105.20,20.20,105.30,20.30"
    a, b = tmp_path / "a.tif", tmp_path / "b.tif"
    rep = read_dem([zipped], area, crs="EPSG:32648", out_path=a)
    read_dem([tiles / "N20E105.hgt"], area, crs="EPSG:32648", out_path=b)
    assert rep.extra["files_used"] == ["N20E105.SRTMGL3.hgt.zip!N20E105.hgt"]
    with rasterio.open(a) as da, rasterio.open(b) as db:
        np.testing.assert_array_equal(da.read(1), db.read(1))
    bad = tmp_path / "empty.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "no dem here")
    with pytest.raises(InputFileError, match="holds no .hgt"):
        read_dem([bad], area, crs="EPSG:32648", out_path=tmp_path / "c.tif")


def test_nan_cells_without_declared_nodata(tmp_path):
    people = np.full((240, 240), 2.0)
    people[:, :120] = np.nan            # west half unknown, and no nodata in the header
    src = tmp_path / "hrsl_nan.tif"
    with rasterio.open(src, "w", driver="GTiff", width=240, height=240, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=from_origin(105.0, 21.0, 3 / 3600, 3 / 3600)) as ds:
        ds.write(people.astype("float32"), 1)
    project = import_population(src, "105.05,20.85,105.15,20.95", out_dir=tmp_path / "p",
                                params=RasterParams(margin_m=0.0))
    rep = project.reports["population"]
    assert np.isfinite(rep.extra["people_written"])
    with rasterio.open(project.rasters["population"]) as ds:
        z = ds.read(1)
        x, y = ds.xy(ds.height // 2, 2)          # a western cell: no data
        lon, _ = Transformer.from_crs(ds.crs, 4326, always_xy=True).transform(x, y)
    assert lon < 105.1
    assert z[ds.height // 2, 2] == ds.nodata
    assert np.isfinite(z).all()
