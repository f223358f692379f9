"""Property tests (hypothesis): random rows, bytes and encodings fed to every reader never raise
anything but the project's own :class:`~gis.errors.GisError`, and when a layer is read, every
row of the file is either loaded or rejected with a reason."""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import rasterio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin

from gis.errors import GisError
from gis.layers.rasters import open_raster
from gis.layers.read import Upload, read_any, read_layer

#: examples per test (GIS_FUZZ_EXAMPLES=500 for a longer hunt by hand)
FAST = settings(max_examples=int(os.environ.get("GIS_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

KINDS = ["villages", "sites", "roads", "admin", "facilities", "fiber"]


def _check(source, kind, tmp_path):
    """Read; only a GisError may come out; a result keeps the row count invariant."""
    try:
        result = (read_layer(source, kind, workdir=tmp_path / "w") if kind
                  else read_any(source, workdir=tmp_path / "w"))
    except GisError as exc:
        assert exc.en and exc.vi  # a message in both languages
        return None
    rep = result.report
    if result.gdf is not None:
        assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
        assert len({r.row for r in rep.rejected}) == len(rep.rejected)
        assert len(result.gdf) == rep.rows_loaded
    return result


# -- random bytes under every extension -----------------------------------------------------

EXTENSIONS = [".csv", ".txt", ".xlsx", ".geojson", ".json", ".kml", ".kmz", ".zip", ".gpkg",
              ".shp", ".tif", ".xls", ".dbf", ""]


@FAST
@given(data=st.binary(max_size=600), ext=st.sampled_from(EXTENSIONS),
       kind=st.sampled_from([None, *KINDS]))
def test_random_bytes(tmp_path, data, ext, kind):
    _check(Upload("f" + ext, data), kind, tmp_path)


# -- random rows in random encodings --------------------------------------------------------

CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "Thôn Đông", "Ấp Mới", "=1+1", "\t=1+1", "'=1+1", "-5", "1.234",
                     "1,5", "NaN", "inf", "-inf", "1e400", "105°48'30\"E", "20 độ 17,3′ B",
                     "ThÃ´n", "\x00", "Viettel", "4G", "106.27", "20.14", "580012", "2228456",
                     "abc", "None", "TRUE"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-10**12, 10**12).map(str),
)
HEADERS = ["ten_thon", "lon", "lat", "dan_so", "so_ho", "nha_mang", "X", "Y", "kinh_do",
           "vi_do", "cong_nghe", "do_cao", "ma_tram", "WKT", "toa_do", "x y", "", "ten_thon"]


@st.composite
def tables(draw):
    cols = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELL, min_size=len(cols), max_size=len(cols)), max_size=8))
    return cols, rows


ENCODINGS = ["utf-8", "utf-8-sig", "cp1258", "latin-1", "utf-16", "cp1252"]


@FAST
@given(table=tables(), enc=st.sampled_from(ENCODINGS), sep=st.sampled_from([",", ";", "\t"]),
       kind=st.sampled_from([None, *KINDS]))
def test_random_csv(tmp_path, table, enc, sep, kind):
    cols, rows = table
    lines = [sep.join(cols)] + [sep.join(r) for r in rows]
    data = "\n".join(lines).encode(enc, errors="replace")
    _check(Upload("t.csv", data), kind, tmp_path)


@FAST
@given(table=tables(), kind=st.sampled_from(KINDS))
def test_random_xlsx(tmp_path, table, kind):
    cols, rows = table
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(cols)
    for r in rows:
        ws.append([_cell(v) for v in r])
    buf = io.BytesIO()
    book.save(buf)
    _check(Upload("t.xlsx", buf.getvalue()), kind, tmp_path)


def _cell(v: str):
    v = "".join(c for c in v if c.isprintable())  # openpyxl refuses control characters
    try:
        return float(v) if v.strip() and np.isfinite(float(v)) else v
    except ValueError:
        return v


COORD = st.one_of(st.floats(-200, 200), st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([106.27, 20.14, 105.5, 21.0]))


@FAST
@given(pts=st.lists(st.tuples(COORD, COORD), max_size=6),
       names=st.lists(CELL, min_size=6, max_size=6), kind=st.sampled_from(KINDS),
       geojson=st.booleans())
def test_random_geojson_and_kml(tmp_path, pts, names, kind, geojson):
    if geojson:
        feats = ",".join(
            f'{{"type":"Feature","properties":{{"ten_thon":{_json(names[i])}}},'
            f'"geometry":{{"type":"Point","coordinates":[{_num(x)},{_num(y)}]}}}}'
            for i, (x, y) in enumerate(pts))
        data = f'{{"type":"FeatureCollection","features":[{feats}]}}'.encode()
        _check(Upload("t.geojson", data), kind, tmp_path)
    else:
        marks = "".join(f"<Placemark><name>{_xml(names[i])}</name><Point><coordinates>"
                        f"{_num(x)},{_num(y)}</coordinates></Point></Placemark>"
                        for i, (x, y) in enumerate(pts))
        data = f'<?xml version="1.0" encoding="UTF-8"?><kml><Document>{marks}</Document></kml>'
        _check(Upload("t.kml", data.encode()), kind, tmp_path)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("doc.kml", data)
        _check(Upload("t.kmz", buf.getvalue()), kind, tmp_path)


def _num(v: float) -> str:
    return repr(float(v)) if np.isfinite(v) else "null" if np.isnan(v) else "1e999"


def _json(s: str) -> str:
    import json

    return json.dumps(s)


def _xml(s: str) -> str:
    from xml.sax.saxutils import escape

    return escape("".join(c for c in s if c.isprintable()))


# -- shapefile parts and zips ---------------------------------------------------------------

@pytest.fixture(scope="module")
def shp_parts(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("shp")
    gpd.GeoDataFrame({"ten_thon": ["Thôn Đông", "Xóm Trại"], "dan_so": [120, 80]},
                     geometry=shapely.points([[106.27, 20.14], [106.29, 20.16]]),
                     crs=4326).to_file(folder / "thon.shp", engine="pyogrio")
    return {p.suffix: p.read_bytes() for p in folder.iterdir()}


@FAST
@given(part=st.sampled_from([".shp", ".shx", ".dbf", ".prj", ".cpg"]),
       cut=st.floats(0, 1), noise=st.binary(max_size=64), zipped=st.booleans())
def test_damaged_shapefile_parts(tmp_path, shp_parts, part, cut, noise, zipped):
    parts = dict(shp_parts)
    raw = parts[part]
    at = int(len(raw) * cut)
    parts[part] = raw[:at] + noise + raw[at + len(noise):]
    if zipped:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for s, b in parts.items():
                zf.writestr("thon" + s, b)
        _check(Upload("thon.zip", buf.getvalue()), "villages", tmp_path)
    else:
        _check([Upload("thon" + s, b) for s, b in parts.items()], "villages", tmp_path)


# -- GeoTIFF bytes --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tif_bytes(tmp_path_factory) -> bytes:
    path = Path(tmp_path_factory.mktemp("tif")) / "dem.tif"
    data = (np.arange(32 * 32, dtype="float32").reshape(32, 32) % 50) + 5
    with rasterio.open(path, "w", driver="GTiff", width=32, height=32, count=1,
                       dtype="float32", crs="EPSG:32648", nodata=-9999, compress="deflate",
                       transform=from_origin(580_000, 2_240_000, 30, 30)) as dst:
        dst.write(data, 1)
    return path.read_bytes()


@FAST
@given(cut=st.floats(0, 1), noise=st.binary(min_size=1, max_size=32),
       kind=st.sampled_from(["dem", "population", "landcover"]))
def test_damaged_geotiff_bytes(tmp_path, tif_bytes, cut, noise, kind):
    at = int(len(tif_bytes) * cut)
    data = tif_bytes[:at] + noise + tif_bytes[at + len(noise):]
    with contextlib.suppress(GisError):
        open_raster(Upload("dem.tif", data), kind, workdir=tmp_path / "w")
