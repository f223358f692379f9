"""Hostile and messy input: coordinates, lying archives, huge or damaged rasters, upload names.

Every case must end in the project's own :class:`~gis.errors.GisError` naming the file (and the
rows, and the fix), never in a traceback from zipfile, pandas or GDAL.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from gis.errors import InputFileError, ValidationError
from gis.layers.archive import ArchiveLimits, safe_extract
from gis.layers.coords import parse_coordinate, parse_dms
from gis.layers.rasters import RasterChecks, open_raster
from gis.layers.read import Upload, list_layers, read_layer
from gis.layers.sources import MAX_NAME_BYTES, materialise, safe_name

ROOT = Path(__file__).resolve().parents[1]

# -- coordinates ----------------------------------------------------------------------------

# expected values by hand: D + M/60 + S/3600
DMS = [
    ("105 độ 48' 30\" Đ", 105 + 48 / 60 + 30 / 3600),
    ("20°17,3′ B", 20 + 17.3 / 60),
    ("20°17'18.5\"N", 20 + 17 / 60 + 18.5 / 3600),
    ("N 20°17'18.5\"", 20 + 17 / 60 + 18.5 / 3600),
    ("105°48′30″ Đông", 105 + 48 / 60 + 30 / 3600),
    ("20° 17' 18,5\" Bắc", 20 + 17 / 60 + 18.5 / 3600),
    ("106 độ 15 phút 30 giây Đông", 106 + 15 / 60 + 30 / 3600),
    ("20 độ 17,3 phút Bắc", 20 + 17.3 / 60),
    ("105°48’30”E", 105 + 48 / 60 + 30 / 3600),  # Excel's curly quotes
    ("105°48'30''E", 105 + 48 / 60 + 30 / 3600),  # two primes for seconds
    ("105:48:30", 105 + 48 / 60 + 30 / 3600),
    ("105d48m30s", 105 + 48 / 60 + 30 / 3600),
    ("105.5E", 105.5),
    ("20,5 N", 20.5),
    ("20°17'18.5\"S", -(20 + 17 / 60 + 18.5 / 3600)),  # south: then outside Vietnam
    ("105°48'30\"T", -(105 + 48 / 60 + 30 / 3600)),  # Tây (west)
    ("105°48'30\"W", -(105 + 48 / 60 + 30 / 3600)),
]


@pytest.mark.parametrize(("text", "value"), DMS)
def test_vietnamese_and_english_dms(text, value):
    assert parse_coordinate(text) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("text", ["abc", "105°61'", "105°30'75\"", "200°", "Vĩ độ 20",
                                  "inf", "nan", "20°17'18.5\"Q", "", "1e400", "--5"])
def test_not_coordinates_are_nan(text):
    assert np.isnan(parse_coordinate(text))
    assert np.isnan(parse_dms(text))


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dms_columns_read_to_the_metre(tmp_path):
    path = _csv(tmp_path, "thon.csv",
                "ten_thon;kinh_do;vi_do\n"
                "Thôn Đông;106 độ 16' 16,32\" Đ;20°08,718′ B\n"
                "Xóm Trại;106°17'25.8\"E;20°09'46.08\"N\n")
    result = read_layer(path, "villages")
    got = result.gdf.to_crs(4326).geometry
    lon = [106 + 16 / 60 + 16.32 / 3600, 106 + 17 / 60 + 25.8 / 3600]
    lat = [20 + 8.718 / 60, 20 + 9 / 60 + 46.08 / 3600]
    np.testing.assert_allclose(shapely.get_x(got.values), lon, atol=1e-9)
    np.testing.assert_allclose(shapely.get_y(got.values), lat, atol=1e-9)
    assert result.report.rows_read == result.report.rows_loaded + len(result.report.rejected)


def test_no_coordinate_parses_names_file_rows_and_fix(tmp_path):
    path = _csv(tmp_path, "thon.csv", "ten_thon,lon,lat\nA,abc,def\nB,x,y\nC,,\n")
    with pytest.raises(ValidationError) as err:
        read_layer(path, "villages")
    e = err.value
    assert e.file == "thon.csv" and e.rows == [0, 1]
    assert "'abc / def'" in e.en and "105°48'30\"E" in e.fix and e.fix_vi


def test_empty_coordinate_columns(tmp_path):
    path = _csv(tmp_path, "thon.csv", "ten_thon,lon,lat\nA,,\nB,,\n")
    with pytest.raises(ValidationError, match="empty in every row"):
        read_layer(path, "villages")


def test_some_coordinates_bad_are_rejected_with_reason(tmp_path):
    path = _csv(tmp_path, "thon.csv", "ten_thon,lon,lat\nA,106.27,20.14\nB,x,20.1\n"
                "C,106°17'25.8\"E,20°09'46.08\"N\n")
    rep = read_layer(path, "villages").report
    assert [r.row for r in rep.rejected] == [1]
    assert rep.rows_read == 3 and rep.rows_loaded == 2


# -- archives whose headers lie -------------------------------------------------------------

CSV = b"ten_thon,lon,lat\n" + b"".join(b"Thon %d,106.%04d,20.1\n" % (i, i) for i in range(200))


def _zip_bytes(method=zipfile.ZIP_DEFLATED, members=(("thon.csv", CSV),)) -> bytearray:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return bytearray(bio.getvalue())


def _central(b: bytearray) -> int:
    """Offset of the first central-directory entry (APPNOTE 4.3.16: EOCD offset field)."""
    return struct.unpack_from("<I", b, b.rfind(b"PK\x05\x06") + 16)[0]


def _lying(kind: str) -> bytearray:
    if kind == "bad_crc":
        b = _zip_bytes(zipfile.ZIP_STORED)
        b[40] ^= 0xFF  # a data byte of the stored member
    elif kind == "corrupt_deflate":
        b = _zip_bytes()
        b[45] ^= 0xFF
    elif kind == "size_smaller":  # central directory: uncompressed size 100
        b = _zip_bytes(zipfile.ZIP_STORED)
        struct.pack_into("<I", b, _central(b) + 24, 100)
    elif kind == "size_larger":
        b = _zip_bytes(zipfile.ZIP_STORED)
        struct.pack_into("<I", b, _central(b) + 24, len(CSV) + 1000)
    elif kind == "compressed_size_smaller":
        b = _zip_bytes()
        struct.pack_into("<I", b, _central(b) + 20, 10)
    elif kind == "truncated":
        b = _zip_bytes()[:300]
    elif kind == "no_end_record":
        b = _zip_bytes()[:-10]
    elif kind == "unknown_method":
        b = _zip_bytes()
        struct.pack_into("<H", b, _central(b) + 10, 99)
    elif kind == "password":
        b = _zip_bytes()
        struct.pack_into("<H", b, _central(b) + 8, 1)
    else:
        raise AssertionError(kind)
    return b


LYING = ["bad_crc", "corrupt_deflate", "size_smaller", "size_larger", "compressed_size_smaller",
         "truncated", "no_end_record", "unknown_method", "password"]


@pytest.mark.parametrize("kind", LYING)
def test_lying_archives_are_refused_and_leave_nothing(tmp_path, kind):
    path = tmp_path / "thon.zip"
    path.write_bytes(_lying(kind))
    work = tmp_path / "out"
    with pytest.raises(InputFileError) as err:
        safe_extract(path, work)
    assert err.value.file == "thon.zip" and err.value.fix and err.value.fix_vi
    assert not work.exists()


@pytest.mark.parametrize("kind", LYING)
def test_lying_archives_through_every_entry_point(tmp_path, kind):
    data = bytes(_lying(kind))
    with pytest.raises(InputFileError):
        read_layer(Upload("thon.zip", data), "villages", workdir=tmp_path / "s")
    if kind not in ("bad_crc", "corrupt_deflate", "size_smaller", "size_larger",
                    "compressed_size_smaller", "unknown_method", "password"):
        with pytest.raises(InputFileError):
            list_layers(Upload("thon.zip", data), workdir=tmp_path / "s")
    with pytest.raises(InputFileError):
        open_raster(Upload("dem.zip", data), "dem", workdir=tmp_path / "s")
    assert not any(p.is_file() for p in (tmp_path / "s").rglob("*"))


def test_archive_limits_apply_to_the_whole_archive(tmp_path):
    # 40 members of 600 kB of zeros: each stays under the 1 MiB per-member floor, but the
    # archive (~25 kB) expands 900x
    members = [(f"part{i}.csv", b"0" * 600_000) for i in range(40)]
    path = tmp_path / "many.zip"
    path.write_bytes(_zip_bytes(members=members))
    assert path.stat().st_size < 60_000
    with pytest.raises(InputFileError, match="expand .*x its size"):
        safe_extract(path, tmp_path / "w")
    assert not (tmp_path / "w").exists()
    # total bytes over all members, not per member
    small = tmp_path / "small.zip"
    small.write_bytes(_zip_bytes(zipfile.ZIP_STORED, members=[(f"f{i}", b"x" * 100)
                                                              for i in range(5)]))
    with pytest.raises(InputFileError, match="500 bytes uncompressed"):
        safe_extract(small, tmp_path / "w2", limits=ArchiveLimits(max_total_bytes=400))
    safe_extract(small, tmp_path / "w3", limits=ArchiveLimits(max_total_bytes=500))


def test_archive_limits_are_validated():
    with pytest.raises(ValidationError, match="Invalid archive limits"):
        ArchiveLimits(max_ratio=0.5)


def test_duplicate_member_is_refused(tmp_path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("thon.csv", b"a")
        zf.writestr("thon.csv", b"b")
    with pytest.raises(InputFileError, match="appears twice"):
        safe_extract(path, tmp_path / "w")


def test_nothing_is_left_in_tmpdir(tmp_path, monkeypatch):
    tmp = tmp_path / "TMPDIR"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    zpath = tmp_path / "thon.zip"
    zpath.write_bytes(_zip_bytes())
    assert len(read_layer(zpath, "villages").gdf) == 200
    assert len(read_layer(Upload("thon.zip", zpath.read_bytes()), "villages").gdf) == 200
    assert list_layers(zpath) == ["thon"]
    with pytest.raises(InputFileError):
        read_layer(Upload("x.zip", bytes(_lying("bad_crc"))), "villages")
    assert list(tmp.iterdir()) == []


def _dem(path: Path, **kw) -> Path:
    data = (np.arange(64 * 64, dtype="float32").reshape(64, 64) % 100) + 5
    with rasterio.open(path, "w", driver="GTiff", width=64, height=64, count=1,
                       dtype="float32", crs="EPSG:32648", nodata=-9999,
                       transform=from_origin(580_000, 2_240_000, 30, 30), **kw) as dst:
        dst.write(data, 1)
    return path


def test_cli_leaves_nothing_in_tmpdir(tmp_path):
    """``gis info`` on a zipped layer and a zipped raster, in a process of its own whose TMPDIR
    is a fresh folder: that folder is empty once the process has exited."""
    tmp = tmp_path / "TMPDIR"
    tmp.mkdir()
    layer = tmp_path / "thon.zip"
    layer.write_bytes(_zip_bytes())
    dem = tmp_path / "dem.zip"
    with zipfile.ZipFile(dem, "w") as zf:
        zf.write(_dem(tmp_path / "dem.tif"), "dem.tif")
    code = ("import sys; from gis.cli import main; "
            f"sys.exit(main(['info', {str(layer)!r}, '--kind', 'villages']) or "
            f"main(['info', {str(dem)!r}, '--kind', 'dem']))")
    env = {"TMPDIR": str(tmp), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "200 of 200 rows usable" in out.stdout and "64 x 64" in out.stdout
    assert list(tmp.iterdir()) == []


# -- rasters that lie or are damaged --------------------------------------------------------

def _patch_tiff_size(raw: bytes, width: int, height: int) -> bytes:
    """Rewrite ImageWidth (256) and ImageLength (257) of the first IFD of a little-endian TIFF
    as LONG values (TIFF 6.0, section 2: 12-byte IFD entries)."""
    b = bytearray(raw)
    assert b[:4] == b"II*\0"
    ifd = struct.unpack_from("<I", b, 4)[0]
    for i in range(struct.unpack_from("<H", b, ifd)[0]):
        entry = ifd + 2 + 12 * i
        tag = struct.unpack_from("<H", b, entry)[0]
        if tag in (256, 257):
            struct.pack_into("<HHII", b, entry, tag, 4, 1, width if tag == 256 else height)
    return bytes(b)


def test_geotiff_declaring_a_huge_size_is_refused_before_reading(tmp_path):
    raw = _dem(tmp_path / "dem.tif").read_bytes()
    huge = tmp_path / "huge.tif"
    huge.write_bytes(_patch_tiff_size(raw, 1_000_000, 1_000_000))
    with rasterio.open(huge) as src:  # GDAL does open it: the header is all it has read
        assert src.width == 1_000_000
    with pytest.raises(InputFileError, match=r"1,000,000 x 1,000,000 = 1,000,000,000,000 cells"):
        open_raster(huge, "dem")


def test_vrt_declaring_a_huge_size_is_refused(tmp_path):
    vrt = tmp_path / "dem.vrt"
    vrt.write_text('<VRTDataset rasterXSize="1000000" rasterYSize="1000000">'
                   "<SRS>EPSG:32648</SRS><GeoTransform>580000,30,0,2240000,0,-30</GeoTransform>"
                   '<VRTRasterBand dataType="Float32" band="1"/></VRTDataset>')
    with pytest.raises(InputFileError, match="Refused raster"):
        open_raster(vrt, "dem")
    # an uploaded VRT is refused whatever its size: it can name any file of the server
    with pytest.raises(InputFileError, match="VRT cannot be uploaded"):
        open_raster(Upload("dem.vrt", vrt.read_bytes()), "dem", workdir=tmp_path / "s")


def test_raster_size_limits_are_parameters(tmp_path):
    path = _dem(tmp_path / "dem.tif")
    with pytest.raises(InputFileError, match="4,096 cells"):
        open_raster(path, "dem", checks=RasterChecks(max_cells=4_000))
    with pytest.raises(InputFileError, match="16,384 bytes uncompressed"):
        open_raster(path, "dem", checks=RasterChecks(max_bytes=16_000))
    tiled = _dem(tmp_path / "tiled.tif", tiled=True, blockxsize=32, blockysize=32)
    with pytest.raises(InputFileError, match="blocks of 32 x 32"):
        open_raster(tiled, "dem", checks=RasterChecks(max_block_bytes=1_000))
    open_raster(tiled, "dem", checks=RasterChecks(max_block_bytes=4_096))


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_truncated_geotiff(tmp_path, cut):
    raw = _dem(tmp_path / "dem.tif").read_bytes()
    bad = tmp_path / "cut.tif"
    bad.write_bytes(raw[: int(len(raw) * cut)])
    with pytest.raises(InputFileError) as err:
        open_raster(bad, "dem")
    assert err.value.file == "cut.tif" and err.value.fix


def test_garbage_geotiff_bytes(tmp_path):
    raw = bytearray(_dem(tmp_path / "dem.tif", compress="deflate").read_bytes())
    rng = np.random.default_rng(3)
    raw[-2000:] = rng.integers(0, 256, 2000, dtype=np.uint8).tobytes()
    for name, data in [("a.tif", bytes(raw)), ("b.tif", b"II*\0" + b"\xff" * 100),
                       ("c.tif", b"not a tiff")]:
        with pytest.raises(InputFileError):
            open_raster(Upload(name, data), "dem", workdir=tmp_path / "s")


# -- upload names ---------------------------------------------------------------------------

def test_long_upload_names_keep_their_extension():
    for ext in (".geojson", ".shp", ".xlsx", ".kmz"):
        name = safe_name("Danh sách thôn xóm trắng sóng " * 20 + ext)
        assert name.endswith(ext) and len(name.encode()) <= MAX_NAME_BYTES
    assert safe_name("ộ" * 200).encode().decode() == "ộ" * 40  # never cut inside a letter


def test_same_name_uploads_do_not_overwrite(tmp_path):
    a, b = Upload("thon.csv", b"a"), Upload("thon.csv", b"b")
    paths, wd = materialise([a, b], tmp_path)
    assert [p.read_bytes() for p in paths] == [b"a", b"b"]
    assert paths[0] != paths[1] and paths[1].name == "thon_2.csv"
    again, wd2 = materialise(Upload("THON.CSV", b"c"), tmp_path)
    assert wd2 != wd and [p.read_bytes() for p in paths] == [b"a", b"b"]
    assert again[0].read_bytes() == b"c"


def test_two_uploaded_rasters_of_one_name_stay_apart(tmp_path):
    path = _dem(tmp_path / "dem.tif")
    work = tmp_path / "session"
    info1, _ = open_raster(Upload("dem.tif", path.read_bytes()), "dem", workdir=work)
    info2, _ = open_raster(Upload("dem.tif", path.read_bytes()), "dem", workdir=work)
    assert info1.path != info2.path and info1.path.exists() and info2.path.exists()


def test_a_long_upload_name_is_still_read_by_its_extension(tmp_path):
    name = "Danh sách thôn xóm trắng sóng lõm sóng của tỉnh " * 8 + ".geojson"
    data = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            '{"ten_thon":"Thôn Đông"},"geometry":{"type":"Point","coordinates":'
            '[106.2712,20.1453]}}]}').encode()
    result = read_layer(Upload(name, data), "villages", workdir=tmp_path / "s")
    assert result.gdf["name"].tolist() == ["Thôn Đông"]
    assert result.report.source.endswith(".geojson")
    assert len(result.report.source.encode()) <= MAX_NAME_BYTES
