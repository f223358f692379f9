"""Text decoding: known byte sequences of TCVN3, VNI, cp1258 and UTF-8."""

from __future__ import annotations

import pytest

from gis.layers.encoding import (
    TCVN3_TABLE,
    decode_bytes,
    detect_legacy,
    fix_legacy_strings,
    tcvn3_to_unicode,
    vni_to_unicode,
)

# Published TCVN3 (ABC) forms of Lào Cai district names and a province name, as legacy
# converters show them (e.g. "B¶o Th¾ng" for Bảo Thắng) - the 0xAD byte (ư) is a soft hyphen.
TCVN3_KNOWN = [
    (b"B\xb6o Th\xbeng", "Bảo Thắng"),
    (b"M\xad\xeang Kh\xad\xacng", "Mường Khương"),
    (b"B\xb8t X\xb8t", "Bát Xát"),
    (b"Ninh B\xd7nh", "Ninh Bình"),
    (b"\xa7\xabng", "Đông"),  # capital Đ (0xA7) + ô (0xAB)
    # capitals typed with the .VnTimeH font reuse the lowercase codes
    (b"TH\xabN \xa7\xabNG", "THÔN ĐÔNG"),
    (b"B\xb6o TH\xbeNG", "Bảo THẮNG"),
]

# VNI Windows: base letter + mark byte ("Xin chaøo caùc baïn" is the vietnamese-conversion
# package's example for "Xin chào các bạn").
VNI_KNOWN = [
    (b"Xin cha\xf8o ca\xf9c ba\xefn", "Xin chào các bạn"),
    (b"Ha\xf8 No\xe4i", "Hà Nội"),
    (b"HA\xd8 NO\xc4I", "HÀ NỘI"),
    (b"Nam \xd1\xf2nh", "Nam Định"),
    (b"Tr\xf6\xf4\xf8ng ho\xefc", "Trường học"),
    (b"Vie\xe4t Nam", "Việt Nam"),
]


@pytest.mark.parametrize(("raw", "text"), TCVN3_KNOWN)
def test_tcvn3_known_words(raw, text):
    assert tcvn3_to_unicode(raw) == text


@pytest.mark.parametrize(("raw", "text"), VNI_KNOWN)
def test_vni_known_words(raw, text):
    assert vni_to_unicode(raw) == text


def test_tcvn3_table_is_complete_and_one_to_one():
    # 134 letters (12 vowels x 6 forms + đ, in both cases: 67 + 67) and 5 combining tone marks,
    # every one at exactly one byte
    assert len(TCVN3_TABLE) == 139
    assert len(set(TCVN3_TABLE.values())) == 139


def test_detection_picks_the_right_encoding():
    tcvn3 = b"Th\xabn \xa7\xabng, Tr\xad\xeang h\xe4c, B\xb6o Th\xbeng"
    vni = b"Tho\xe2n \xd1o\xe2ng, Tr\xf6\xf4\xf8ng ho\xefc, Ha\xf8 No\xe4i"
    cp1258 = b"Th\xf4n \xd0\xf4ng, Tr\xfd\xf5\xccng ho\xf2c"  # ư ơ + combining grave
    assert detect_legacy(tcvn3) == "tcvn3"
    assert detect_legacy(vni) == "vni"
    assert detect_legacy(cp1258) == "cp1258"
    assert decode_bytes(tcvn3).text == "Thôn Đông, Trường học, Bảo Thắng"
    assert decode_bytes(vni).text == "Thôn Đông, Trường học, Hà Nội"
    assert decode_bytes(cp1258).text == "Thôn Đông, Trường học"
    assert "TCVN3" in decode_bytes(tcvn3).label


def test_western_text_is_not_mistaken_for_vietnamese():
    raw = "Crème brûlée, Café Müller".encode("latin-1")
    d = decode_bytes(raw)
    assert d.encoding == "latin-1"
    assert d.text == "Crème brûlée, Café Müller"


def test_utf8_with_and_without_bom():
    text = "Tên thôn,Dân số\nThôn Đông,1.234\n"
    assert decode_bytes(text.encode("utf-8")).encoding == "utf-8"
    d = decode_bytes(text.encode("utf-8-sig"))
    assert d.encoding == "utf-8-sig" and d.text == text


def test_declared_cpg_wins_for_legacy():
    raw = "Thôn Đông".encode("cp1258")
    assert decode_bytes(raw, declared="1258").encoding == "cp1258"


def test_fix_legacy_strings_in_unicode_files():
    # a KML/XLSX typed in the .VnTime font holds the glyphs as Unicode Latin-1 characters
    values, enc = fix_legacy_strings(["B¶o Th¾ng", None, 12, "Bát Xát"])
    # mixed: the proper Unicode value stays, the TCVN3 one is converted
    assert enc == "tcvn3"
    assert values == ["Bảo Thắng", None, 12, "Bát Xát"]
    good, enc2 = fix_legacy_strings(["Thôn Đông", "Hà Nội"])
    assert enc2 == "utf-8" and good == ["Thôn Đông", "Hà Nội"]


def test_legacy_csv_files_are_read_as_layers(tmp_path):
    from gis.layers.read import read_layer

    # Excel "Unicode text": UTF-16 with BOM, tab-separated
    utf16 = tmp_path / "thon.txt"
    utf16.write_bytes("Tên thôn\tKinh độ\tVĩ độ\nThôn Đông\t106.27\t20.14\n".encode("utf-16"))
    r = read_layer(utf16, "villages")
    assert r.gdf["name"].tolist() == ["Thôn Đông"] and "UTF-16" in r.report.encoding
    # Windows-1258 with Excel's "sep=;" line
    cp = tmp_path / "thon_1258.csv"
    cp.write_bytes(b"sep=;\nten_thon;lon;lat\nTh\xf4n \xd0\xf4ng;106,27;20,14\n")
    r = read_layer(cp, "villages")
    assert r.gdf["name"].tolist() == ["Thôn Đông"] and "1258" in r.report.encoding
    # TCVN3 CSV
    tc = tmp_path / "thon_tcvn3.csv"
    tc.write_bytes(b"ten_thon,lon,lat\nB\xb6o Th\xbeng,106.27,20.14\n")
    assert read_layer(tc, "villages").gdf["name"].tolist() == ["Bảo Thắng"]
