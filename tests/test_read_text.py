"""Text in user files: the whole TCVN3 table, mojibake, control characters, counts, and text
that must stay inert (CSV injection) on the way in and on the way out."""

from __future__ import annotations

import csv
import io
import unicodedata

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from gis.export.safe_text import is_formula_like, neutralise, neutralise_frame
from gis.layers.encoding import (
    TCVN3_TABLE,
    clean_text,
    decode_bytes,
    repair_mojibake,
    strip_controls,
    tcvn3_to_unicode,
)
from gis.layers.read import Upload, read_layer

# -- TCVN3 (TCVN 5712:1993), the whole table ------------------------------------------------

_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # none, grave, hook, tilde,
#                                                                    acute, dot below
ALPHABET = sorted({unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in _TONES}
                  | {"đ"})
LETTERS = [c for c in ALPHABET if not c.isascii()] + [c.upper() for c in ALPHABET
                                                      if not c.isascii()]

# Published positions (GNU libiconv tcvn.h / X11 lcUniConv tcvn.h, TCVN-5712): a sample across
# every range of the table, capitals with tones included.
PUBLISHED = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ",
    0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ", 0x86: "Ậ", 0x87: "È",
    0x8F: "Ĩ", 0x90: "Í", 0x9D: "Ù", 0x9F: "Ũ",
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB5: "à", 0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC4: "Ấ", 0xC5: "Ề",
    0xC6: "ặ", 0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
    0xFE: "ỵ", 0xF5: "ừ", 0xE9: "ộ",
}


def test_tcvn3_table_holds_every_vietnamese_letter_once():
    values = [v for v in TCVN3_TABLE.values() if not unicodedata.combining(v)]
    assert sorted(values) == sorted(LETTERS)  # 134: 67 lowercase + 67 capitals
    assert len(values) == len(set(values)) == 134
    marks = sorted(v for v in TCVN3_TABLE.values() if unicodedata.combining(v))
    assert marks == sorted(_TONES[1:])


@pytest.mark.parametrize(("code", "letter"), sorted(PUBLISHED.items()))
def test_tcvn3_published_positions(code, letter):
    assert TCVN3_TABLE[code] == letter
    assert tcvn3_to_unicode(bytes([code])) == letter


@pytest.mark.parametrize("letter", LETTERS)
def test_every_tcvn3_letter_decodes_to_itself_in_a_word(letter):
    code = {v: k for k, v in TCVN3_TABLE.items()}[letter]
    # the letter at the start of a lowercase word keeps its case: toned capitals stay capitals
    assert tcvn3_to_unicode(bytes([code]) + b"p") == letter + "p"
    if letter.isupper():
        assert tcvn3_to_unicode(bytes([code]) + b"p").isupper() is False  # "Ấp", not "ẤP"


def test_tcvn3_capital_words():
    # "Ấp Bắc", "Ủy ban" with the toned capitals of the table; .VnTimeH capitals (lowercase
    # codes) upper-case the word
    assert tcvn3_to_unicode(b"\xc4p B\xbec") == "Ấp Bắc"
    assert tcvn3_to_unicode(b"\x9ey ban") == "Ủy ban"
    assert tcvn3_to_unicode(b"\xa7\xb8 N\xb5ng") == "Đá Nàng"
    assert tcvn3_to_unicode(b"TH\xabN") == "THÔN"


def test_tcvn3_capitals_in_a_csv_are_detected(tmp_path):
    raw = (b"ten_thon,lon,lat\n" + b"\xc4p B\xbec,106.1,20.1\n"
           b"\x9ey ban x\xb7,106.2,20.2\n\xa7\xabng Tr\xad\xeang,106.3,20.3\n")
    assert decode_bytes(raw).encoding == "tcvn3"
    result = read_layer(Upload("thon.csv", raw), "villages")
    assert result.gdf["name"].tolist() == ["Ấp Bắc", "Ủy ban xã", "Đông Trường"]
    assert "TCVN3" in result.report.encoding


# -- mojibake and control characters --------------------------------------------------------

MOJIBAKE = [
    ("ThÃ´n ÄÃ´ng".replace("ÄÃ", "Ä\x90Ã"), "Thôn Đông"),  # Latin-1 decoder (C1 kept)
    ("Ä�á»™ cao", "Độ cao"),  # cp1252 decoder with errors="replace" (0x90 undefined)
    ("XÃ³m Tráº¡i", "Xóm Trại"),
    ("NgÃ´ ThÃ¬ Nháº\xadm", "Ngô Thì Nhậm"),
    ("Mường KhÆ°Æ¡ng", "Mường Khương"),  # half repaired already
]


@pytest.mark.parametrize(("bad", "good"), MOJIBAKE)
def test_mojibake_is_repaired(bad, good):
    assert repair_mojibake(bad) == good


def test_mojibake_made_by_real_decoders_is_repaired():
    for text in ["Thôn Đông", "Xóm Trại", "Ấp Mới", "Bản Nậm Ơn", "Tổ dân phố Ứng Hoà"]:
        raw = text.encode("utf-8")
        assert repair_mojibake(raw.decode("latin-1")) == text
        assert repair_mojibake(raw.decode("cp1252", errors="replace")) in (text, None)


@pytest.mark.parametrize("text", ["Thôn Đông", "Bảo Thắng", "B¶o Th¾ng", "Tr\xadêng", "Café",
                                  "Ngô", "plain", "á»� x"])
def test_proper_text_and_legacy_glyphs_are_not_touched(text):
    assert repair_mojibake(text) is None


def test_strip_controls():
    assert strip_controls("Th\x00ôn\x07\x1b Đông\ufeff\u200b") == "Thôn Đông"
    assert strip_controls("a\tb\nc\r") == "a\tb\nc\r"
    assert clean_text("Th\x00Ã´n") == ("Thôn", True, True)
    assert clean_text(12.5) == (12.5, False, False)


def _csv_upload(text: str, name="thon.csv") -> Upload:
    return Upload(name, text.encode("utf-8"))


def test_mojibake_and_controls_in_a_csv_are_repaired_and_reported():
    text = ("TÃªn thÃ´n,lon,lat,dan_so\n"
            "ThÃ´n Ä\x90Ã´ng,106.1,20.1,120\n"
            "Thôn Tây,106.2,20.2,80\n"
            "X\x00Ã³m Tráº¡i\x07,106.3,20.3,95\n")
    result = read_layer(_csv_upload(text), "villages")
    rep = result.report
    assert result.gdf["name"].tolist() == ["Thôn Đông", "Thôn Tây", "Xóm Trại"]
    assert rep.column_mapping["name"] == "Tên thôn"
    assert rep.extra["mojibake_rows"] == {"Tên thôn": [0, 2]}
    assert rep.extra["control_rows"] == {"Tên thôn": [2]}
    assert any("row(s) 1, 3" in w and "Latin-1" in w for w in rep.warnings)
    assert any("control characters" in w and "row(s) 3" in w for w in rep.warnings)
    assert any("'TÃªn thÃ´n' -> 'Tên thôn'" in w for w in rep.warnings)
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected)


def test_mojibake_in_xlsx_geojson_kml(tmp_path):
    bad, good = "ThÃ´n Tráº¡i", "Thôn Trại"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["ten_thon", "lon", "lat"])
    ws.append([bad, 106.1, 20.1])
    ws.append(["Xóm", 106.2, 20.2])
    book.save(tmp_path / "thon.xlsx")
    gdf = gpd.GeoDataFrame({"ten_thon": [bad, "Xóm"]},
                           geometry=shapely.points([[106.1, 20.1], [106.2, 20.2]]), crs=4326)
    gdf.to_file(tmp_path / "thon.geojson", driver="GeoJSON")
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml><Document>'
           f'<Placemark><name>{bad}</name><Point><coordinates>106.1,20.1</coordinates></Point>'
           '</Placemark><Placemark><name>Xóm</name><Point><coordinates>106.2,20.2</coordinates>'
           '</Point></Placemark></Document></kml>')
    (tmp_path / "thon.kml").write_text(kml, encoding="utf-8")
    for f in ("thon.xlsx", "thon.geojson", "thon.kml"):
        result = read_layer(tmp_path / f, "villages")
        assert result.gdf["name"].tolist() == [good, "Xóm"], f
        assert result.report.extra["mojibake_rows"], f


# -- counts ---------------------------------------------------------------------------------

def test_populations_not_whole_or_too_large_are_warned_with_rows():
    text = ("ten_thon,lon,lat,dan_so,so_ho\nA,106.1,20.1,12.5,3\nB,106.2,20.2,250000,7.5\n"
            "C,106.3,20.3,1200,300\nD,106.4,20.4,100000,20\n")
    rep = read_layer(_csv_upload(text), "villages").report
    assert rep.extra["not_whole"] == {"population": [0], "households": [1]}
    assert rep.extra["population_above_max"] == [1]  # 100,000 itself is allowed
    assert any("above 100,000" in w and "row(s) 2" in w for w in rep.warnings)
    assert any("not whole numbers in row(s) 1" in w for w in rep.warnings)


# -- text stays text; formulas are neutralised on the way out -------------------------------

INERT = ["\t=1+1", "'=1+1", "=1+1", "+84 912 345 678", "-5", "@SUM(A1:A9)", "=HYPERLINK(\"x\")"]


def test_csv_reader_keeps_text_as_text():
    rows = "".join(f'"{t}",106.{i + 1},20.{i + 1},{i + 10}\n'.replace('"=HYPERLINK("x")"',
                                                                    '"=HYPERLINK(""x"")"')
                   for i, t in enumerate(INERT))
    result = read_layer(_csv_upload("ten_thon,lon,lat,dan_so\n" + rows), "villages")
    assert result.gdf["name"].tolist() == INERT  # nothing stripped, unquoted or evaluated
    assert result.gdf["population"].tolist() == [10.0 + i for i in range(len(INERT))]


def test_xlsx_reader_keeps_text_as_text(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["ten_thon", "lon", "lat"])
    for i, t in enumerate(INERT):
        ws.append([None, 106.1 + i / 10, 20.1])
        cell = ws.cell(row=i + 2, column=1)
        cell.value = t
        cell.data_type = "s"  # typed as text in Excel (e.g. with a leading quote)
    book.save(tmp_path / "thon.xlsx")
    result = read_layer(tmp_path / "thon.xlsx", "villages")
    assert result.gdf["name"].tolist() == INERT


def test_neutralise_follows_owasp():
    for t in INERT:
        assert is_formula_like(t) == (not t.startswith("'"))
        assert neutralise(t) == (t if t.startswith("'") else "'" + t)
    assert neutralise("\r=1") == "'\r=1"
    assert neutralise(" =1") == "' =1"
    assert neutralise("Thôn Đông") == "Thôn Đông"
    for v in (-5, -5.5, 0, np.float64(-1.0), None, True):
        assert neutralise(v) is v


def test_neutralised_frame_writes_no_formula(tmp_path):
    df = pd.DataFrame({"ten_thon": INERT, "dan_so": [-5, 1, 2, 3, 4, 5, 6],
                       "=danger": np.arange(7.0)})
    safe = neutralise_frame(df)
    assert df["ten_thon"].tolist() == INERT  # the input frame is not changed
    assert safe["dan_so"].dtype == df["dan_so"].dtype and safe["dan_so"].iloc[0] == -5
    assert list(safe.columns) == ["ten_thon", "dan_so", "'=danger"]
    path = tmp_path / "out.xlsx"
    safe.to_excel(path, index=False)
    ws = openpyxl.load_workbook(path).active
    kinds = {c.data_type for row in ws.iter_rows() for c in row}
    assert "f" not in kinds  # no cell is a formula
    assert ws["B2"].value == -5 and ws["B2"].data_type == "n"  # a negative number stays one
    buf = io.StringIO()
    safe.to_csv(buf, index=False)
    cells = [c for row in csv.reader(io.StringIO(buf.getvalue())) for c in row]
    assert not any(is_formula_like(c) for c in cells if not c.lstrip("-").replace(".", "")
                   .isdigit())
