"""Issue 15 item 4: Vietnamese DBF field names, decoded with the .cpg and matched even when
cut at the 10-byte limit of DBF field names in the middle of a letter.

The DBF files are written byte by byte (dBASE III layout: a 32-byte header, 32-byte field
descriptors with an 11-byte NUL-padded name, 0x0D, the records, 0x1A), because GDAL would
launder or refuse such names.
"""

from __future__ import annotations

import datetime
import struct
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.layers.read import read_layer

LONLAT = [[106.2712, 20.1453], [106.2905, 20.1628]]


def write_dbf(path: Path, fields: list[tuple], records: list[list[bytes]]):
    """A dBASE III file: ``fields`` are (name bytes, type C/N, width[, decimals])."""
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(f[2] for f in fields)
    d = datetime.date(2024, 1, 1)
    out = bytearray(struct.pack("<BBBBIHH20x", 3, d.year - 1900, d.month, d.day, len(records),
                                header_len, record_len))
    for name, kind, width, *dec in fields:
        assert len(name) <= 10
        out += struct.pack("<11sc4xBB14x", name, kind.encode(), width, dec[0] if dec else 0)
    out += b"\r"
    for rec in records:
        out += b" "
        for (_, kind, width, *_), value in zip(fields, rec, strict=True):
            out += (value.rjust(width) if kind == "N" else value.ljust(width))[:width]
    out += b"\x1a"
    path.write_bytes(bytes(out))


def shapefile(folder: Path, fields, records, cpg: str | None = "UTF-8") -> Path:
    gpd.GeoDataFrame({"id": [0, 1]}, geometry=shapely.points(LONLAT), crs=4326).to_file(
        folder / "lop.shp", engine="pyogrio")
    write_dbf(folder / "lop.dbf", fields, records)
    (folder / "lop.cpg").unlink(missing_ok=True)
    if cpg is not None:
        (folder / "lop.cpg").write_text(cpg)
    return folder / "lop.shp"


def cut10(text: str, form: str = "NFC") -> bytes:
    """``text`` in UTF-8 cut at 10 bytes, as a DBF writer does (possibly inside a letter)."""
    return unicodedata.normalize(form, text).encode("utf-8")[:10]


def test_cut_helper_really_cuts_inside_letters():
    assert cut10("Hộ gia đình") == b"H\xe1\xbb\x99 gia \xc4"  # the first byte of "đ"
    assert cut10("Tên thôn", "NFD") == b"Te\xcc\x82n tho\xcc"  # the first byte of U+0302
    assert cut10("Độ cao") == "Độ cao".encode()  # 9 bytes: whole


@pytest.mark.parametrize("cpg", ["UTF-8", "utf8", "65001", None])
def test_villages_field_names_cut_mid_letter(tmp_path, cpg):
    fields = [(cut10("Tên thôn", "NFD"), "C", 30), (cut10("Dân số"), "N", 8),
              (cut10("Hộ gia đình"), "N", 6)]
    records = [["Thôn Đông".encode(), b"1200", b"300"], ["Xóm Trại".encode(), b"800", b"210"]]
    result = read_layer(shapefile(tmp_path, fields, records, cpg), "villages")
    gdf, rep = result.gdf, result.report
    assert rep.column_mapping == {"name": "Tên tho", "population": "Dân số",
                                  "households": "Hộ gia"}
    assert gdf["name"].tolist() == ["Thôn Đông", "Xóm Trại"]
    assert gdf["population"].tolist() == [1200.0, 800.0]
    assert gdf["households"].tolist() == [300.0, 210.0]
    assert "UTF-8" in rep.encoding and "Latin-1" not in rep.encoding
    assert any("cut at the 10-byte limit" in w for w in rep.warnings)
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected) == 2


def test_sites_field_names_do_cao_and_nha_mang(tmp_path):
    fields = [(cut10("Mã trạm"), "C", 10), (cut10("Nhà mạng"), "C", 12), (cut10("Độ cao"), "N", 6, 1),
              (cut10("Phương vị"), "N", 5)]
    records = [[b"BTS01", b"Viettel", b"36.5", b"120"], [b"BTS02", b"VNPT", b"30.0", b"240"]]
    result = read_layer(shapefile(tmp_path, fields, records), "sites")
    gdf, rep = result.gdf, result.report
    assert rep.column_mapping["height_m"] == "Độ cao"  # header_key: do_cao
    assert rep.column_mapping["operator"] == "Nhà mạn"  # cut at 10 bytes: nha_man(g)
    assert rep.column_mapping["site_id"] == "Mã trạm"
    assert gdf["height_m"].tolist() == [36.5, 30.0]
    assert gdf["operator"].tolist() == ["Viettel", "VinaPhone"]
    assert not any("Ä" in c or "Ã" in c for c in gdf.columns)


def test_a_cpg_saying_utf8_decodes_field_names_too(tmp_path):
    # names that fit: no cut, but UTF-8 (once read as "Ä\x90á»\x99 cao")
    fields = [("Tên thôn".encode(), "C", 30), ("Độ cao".encode(), "N", 6)]
    records = [["Thôn Đông".encode(), b"5"], ["Xóm Trại".encode(), b"6"]]
    result = read_layer(shapefile(tmp_path, fields, records), "villages")
    assert "Độ cao" in result.gdf.columns
    assert result.gdf["name"].tolist() == ["Thôn Đông", "Xóm Trại"]
