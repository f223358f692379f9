"""Property tests (hypothesis): number formats and the legacy encodings, both ways."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from gis.layers.encoding import TCVN3_TABLE, VNI_TABLE, tcvn3_to_unicode, vni_to_unicode
from gis.layers.normalise import parse_number

_TO_TCVN3 = {v: bytes([k]) for k, v in TCVN3_TABLE.items()}
_TO_VNI = {v: k for k, v in VNI_TABLE.items() if len(v) == 1}
_LOWER = sorted(c for c in _TO_TCVN3 if c.islower()) + list("bcdghklmnpqrstvx ")


def _vn_format(value: int, decimals: str) -> str:
    """Vietnamese style: dots between thousands, a decimal comma."""
    groups = f"{value:,}".replace(",", ".")
    return groups + ("," + decimals if decimals else "")


@given(st.integers(min_value=0, max_value=10**9),
       st.text(alphabet="0123456789", min_size=0, max_size=3))
def test_vietnamese_number_format(value, decimals):
    text = _vn_format(value, decimals)
    expected = float(f"{value}.{decimals}" if decimals else value)
    if decimals or value < 1000:
        assert parse_number(text) == expected  # "1.234,5" and "12,5": the comma is decimal
    else:
        # "1.234" alone is ambiguous: a count reads it as thousands
        assert parse_number(text, count=True) == expected


@given(st.integers(min_value=0, max_value=10**7))
def test_counts_with_dot_or_comma_thousands(value):
    assert parse_number(f"{value:,}", count=True) == value
    assert parse_number(f"{value:,}".replace(",", "."), count=True) == value


@settings(max_examples=200)
@given(st.text(alphabet=_LOWER, min_size=1, max_size=30))
def test_tcvn3_round_trip(text):
    raw = b"".join(_TO_TCVN3[c] if c in _TO_TCVN3 else c.encode("ascii") for c in text)
    assert tcvn3_to_unicode(raw) == unicodedata.normalize("NFC", text)


@settings(max_examples=200)
@given(st.text(alphabet=sorted(_TO_VNI) + list("bchklmnpqrstvx "), min_size=1, max_size=30))
def test_vni_round_trip(text):
    raw = "".join(_TO_VNI.get(c, c) for c in text)
    assert vni_to_unicode(raw) == text
