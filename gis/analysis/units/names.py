"""Normalising Vietnamese administrative unit names for matching.

Hamlet lists, admin layers and statistics tables spell the same unit in many ways:
``"Xã Hải Đông"``, ``"xa Hai Dong"``, ``"X. Hải Đông"``, ``"Hải Đông"``; ``"Phường 12"``,
``"P.12"``, ``"P12"``, ``"F12"``, ``"phuong 12"``, ``"Phường 012"``; ``"Thành phố Hồ Chí Minh"``,
``"TP. Hồ Chí Minh"``, ``"TP.HCM"``; ``"Huyện Hải Hậu"``, ``"H. Hải Hậu"``; ``"Thị trấn Yên
Định"``, ``"TT Yên Định"``; ``"Hòa"`` and ``"Hoà"`` (old and new tone placement); ``"Đắk Lắk"``
and ``"Dak Lak"``. :func:`normalise_unit_name` turns each into one :class:`UnitName`: the kind
of unit its prefix names, a key without diacritics, spaces or leading zeros (``"haidong"``,
``"12"``) and a key that keeps the tones, independent of where the tone mark sits
(``"Hòa"`` and ``"Hoà"`` give the same), which tells apart units whose names differ only by a
tone (``"Xã Văn Lang"`` and ``"Xã Văn Lăng"`` of Thái Nguyên).

A prefix is recognised only where it is one: with its diacritics (``"Quận"``, not the syllable
``"Quan"`` of ``"Quan Hóa"``), or typed wholly without diacritics (``"quan 1"``), in which case
the key of the whole text is kept as :attr:`UnitName.alt_key` so that a matcher can try both.

>>> normalise_unit_name("P.12").key, normalise_unit_name("phuong 012").key
('12', '12')
>>> normalise_unit_name("TT. Yên Định")
UnitName(kind='thi_tran', key='yendinh', toned='yên0đinh5', alt_key=None, text='Yên Định')
>>> normalise_unit_name("Huyện Quan Hóa").key
'quanhoa'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["KIND_LABELS", "UnitName", "fold", "normalise_unit_name", "unit_key"]

#: Kinds of unit a prefix names -> (Vietnamese, English).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "tinh": ("Tỉnh", "Province"),
    "thanh_pho": ("Thành phố", "City"),
    "quan": ("Quận", "Urban district"),
    "huyen": ("Huyện", "District"),
    "thi_xa": ("Thị xã", "Town"),
    "thi_tran": ("Thị trấn", "Township"),
    "xa": ("Xã", "Commune"),
    "phuong": ("Phường", "Ward"),
    "dac_khu": ("Đặc khu", "Special zone"),
}

# prefixes with their diacritics (lower case, NFC) and abbreviations; longest first
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("thành phố", "thanh_pho"), ("thị trấn", "thi_tran"), ("thị xã", "thi_xa"),
    ("đặc khu", "dac_khu"), ("phường", "phuong"), ("huyện", "huyen"), ("quận", "quan"),
    ("tỉnh", "tinh"), ("xã", "xa"),
)
_ABBREVIATIONS: dict[str, str] = {
    "tp": "thanh_pho", "tt": "thi_tran", "tx": "thi_xa", "dk": "dac_khu",
    "t": "tinh", "q": "quan", "h": "huyen", "x": "xa", "p": "phuong", "f": "phuong",
}
# abbreviations of two letters stand alone or take a dot ("TP Huế", "TP.Huế"); one letter
# needs a dot ("P. Bến Nghé", "H.Hải Hậu") or a number after it ("P12", "Q.1", "F 12")
_ABBREV = re.compile(r"^(tp|tt|tx|dk)(?:\.\s*|\s+)|^([tqhxpf])\.\s*|^([qpf])\s*(?=\d)")
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
_SEPARATORS = re.compile(r"[\s_\-–—,;:/()\[\]\"“”.]+")


def _fold_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0x00C0, 0x1F00):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and ord(base) < 128:
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """``text`` without diacritics, ``đ`` as ``d`` (case kept); one character for one.

    >>> fold("Đắk Lắk, Hoà Bình")
    'Dak Lak, Hoa Binh'
    """
    return text.translate(_FOLD)


def _toned_key(text: str) -> str:
    """Syllables without spaces, each as its letters (quality marks kept) plus a tone digit."""
    out = []
    for syllable in text.split():
        nfd = unicodedata.normalize("NFD", syllable)
        tone = "".join(_TONES.get(c, "") for c in nfd)
        letters = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
        letters = "".join(ch for ch in letters if ch.isalnum())
        if letters:
            out.append(letters + (tone[:1] or "0"))
    return "".join(out)


def _numbers(text: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


@dataclass(frozen=True)
class UnitName:
    """One administrative unit name, normalised.

    Attributes
    ----------
    kind
        The kind its prefix names (a key of :data:`KIND_LABELS`), or ``None`` without prefix.
    key
        The name without its prefix, diacritics, spaces, punctuation and leading zeros of
        numbers, lower case: ``"haidong"``, ``"12"``, ``"1baoloc"``.
    toned
        As ``key`` but each syllable keeps its letters' marks (â, ă, ê, ô, ơ, ư, đ) and ends
        with its tone as a digit (0 ngang, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng), so that the
        place of
        the tone mark does not matter; ``None`` when the text has no diacritics at all.
    alt_key
        The key of the whole text, prefix included, when a prefix was recognised without
        diacritics (``"quan hoa"`` may be Quận Hoa or Quan Hóa): a matcher tries ``key``, then
        ``alt_key``. ``None`` otherwise.
    text
        The name without its prefix, NFC, single spaces (for display).
    """

    kind: str | None
    key: str
    toned: str | None
    alt_key: str | None
    text: str


def normalise_unit_name(value: object) -> UnitName | None:
    """Normalise one province, district or commune name (see the module docstring).

    Parameters
    ----------
    value
        The name as written (any case, with or without diacritics, prefix or abbreviation).

    Returns
    -------
    UnitName or None
        ``None`` for a missing or blank value.

    Examples
    --------
    >>> [normalise_unit_name(s).key for s in ("Phường 12", "P.12", "p12", "F.12", "phuong 12")]
    ['12', '12', '12', '12', '12']
    >>> hcm = normalise_unit_name("Thành phố Hồ Chí Minh")
    >>> hcm.key == normalise_unit_name("TP. HỒ CHÍ MINH").key
    True
    >>> normalise_unit_name("Xã Hoà Bình").toned == normalise_unit_name("xã hòa bình").toned
    True
    """
    try:
        if value is None or bool(value != value):  # None, NaN
            return None
    except TypeError:  # pandas.NA
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    text = " ".join(text.split()).strip(" .,;-")
    if not text or text.lower() in ("nan", "none", "<na>"):
        return None
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise(original: str) -> UnitName | None:
    text = original.lower()
    if len(text) != len(original):  # pragma: no cover - no Vietnamese letter changes length
        original = text
    kind: str | None = None
    start = 0
    ascii_prefix = False
    folded = fold(text)
    for prefix, k in _PREFIXES:
        n = len(prefix)
        after = text[n:n + 1]
        if after and not (after.isspace() or after.isdigit() or after == "."):
            continue
        if text[:n] == prefix:
            kind, start = k, n
            break
        if text.isascii() and folded[:n] == fold(prefix):
            # a prefix typed without diacritics counts only in a text without any
            # ("quan hoa"), never in "Quan Hóa"
            kind, start, ascii_prefix = k, n, True
            break
    if kind is None:
        m = _ABBREV.match(text)
        if m:
            kind = _ABBREVIATIONS[next(g for g in m.groups() if g)]
            start = m.end()
    rest = " ".join(_SEPARATORS.sub(" ", text[start:]).split())
    shown = " ".join(original[start:].strip(" .").split())
    if not rest:  # the text was only a prefix ("Xã"): keep it as the name
        kind, rest, shown, ascii_prefix = None, " ".join(_SEPARATORS.sub(" ", text).split()), \
            original, False
    key = re.sub(r"[^a-z0-9]", "", _numbers(fold(rest)))
    if not key:
        return None
    toned = None if rest.isascii() else _toned_key(_numbers(rest))
    alt = re.sub(r"[^a-z0-9]", "", _numbers(folded)) if ascii_prefix else None
    return UnitName(kind, key, toned, alt, shown)


def unit_key(value: object) -> str | None:
    """Only the :attr:`UnitName.key` of ``value`` (``None`` when blank).

    >>> unit_key("Thị trấn Yên Định"), unit_key("tt yen dinh")
    ('yendinh', 'yendinh')
    """
    name = normalise_unit_name(value)
    return None if name is None else name.key
