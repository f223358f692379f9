"""Text decoding: UTF-8, cp1258 and the legacy Vietnamese font encodings TCVN3 (ABC) and VNI.

Old DBF and CSV files from Vietnamese offices were typed with the ``.VnTime`` (TCVN3, ABC) or
``VNI-Times`` (VNI Windows) fonts: the bytes are plain 8-bit Western text whose glyphs the font
draws as Vietnamese letters. Read as Latin text they look like ``"B¶o Th¾ng"`` (TCVN3 for
"Bảo Thắng") or ``"Xin chaøo"`` (VNI for "Xin chào"). This module detects them and converts to
Unicode (NFC).

Tables
------
TCVN3 is the single-byte VN3 layout of TCVN 5712:1993: the 7 capitals Ă Â Ê Ô Ơ Ư Đ at
0xA1-0xA7, the 7 lowercase base letters at 0xA8-0xAE and the 134 lowercase toned vowels between
0xB5 and 0xFE (capitals with a tone mark are drawn by the separate ``.VnTimeH`` font from the
lowercase codes, so they decode to lowercase). VNI Windows writes a base letter followed by one
mark byte (``a`` + ``ø`` = "à", ``a`` + ``ä`` = "ậ"), with single bytes for ơ ư đ and the toned
i / ỵ. Both tables were checked against the X11 ``TCVNtoUCS2`` table, the xvnkb ``vni.h`` table
(Đào Hải Lâm) and the examples of the ``vietnamese-conversion`` package.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Decoded",
    "decode_bytes",
    "decode_values",
    "detect_legacy",
    "fix_legacy_strings",
    "is_text_column",
    "tcvn3_to_unicode",
    "vni_to_unicode",
]

# -- TCVN3 ----------------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tcvn3_table() -> dict[int, str]:
    table = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
             0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ"}
    # lowercase vowel -> the bytes of its grave, hook, tilde, acute, dot-below forms
    rows = {
        "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
        "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
        "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
        "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
        "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
        "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
        "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
        "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
        "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
        "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
        "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
        "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
    }
    for base, codes in rows.items():
        for code, mark in zip(codes, (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT), strict=True):
            table[code] = _nfc(base + mark)
    return table


TCVN3_TABLE: dict[int, str] = _tcvn3_table()
_TCVN3_TRANS = str.maketrans({chr(k): v for k, v in TCVN3_TABLE.items()})


def tcvn3_to_unicode(text: str | bytes) -> str:
    """Convert TCVN3 (ABC) text to Unicode NFC.

    ``text`` is the raw bytes, or a string whose characters are those bytes read as Latin-1
    (what a program that does not know the font shows).

    >>> tcvn3_to_unicode(b"B\\xb6o Th\\xbeng")
    'Bảo Thắng'
    """
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    converted = text.translate(_TCVN3_TRANS)  # one character for one byte: positions align
    if converted != text and any(c.isupper() for c in text):
        converted = _RE_WORD.sub(lambda m: _capitals(text, m), converted)
    return _nfc(converted)


_RE_WORD = re.compile(r"[^\W\d_]+")


def _capitals(original: str, m: re.Match[str]) -> str:
    """Capitals typed with the ``.VnTimeH`` font use the lowercase codes: a word whose plain
    letters are all capitals (at least two, e.g. ``TH«N`` for THÔN) is upper-cased whole."""
    word = m.group(0)
    src = original[m.start():m.end()]
    plain = [c for c in src if c.isascii()]
    if len(plain) >= 2 and all(c.isupper() for c in plain) and src != word:
        return word.upper()
    return word


# -- VNI ------------------------------------------------------------------------------------

# lowercase mark byte -> combining marks it adds to the preceding vowel
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE, "ä": _CIRC + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}
_TONES = "ùøûõï"
# base vowel (VNI character) -> its Unicode letter and the mark bytes it takes
_VNI_BASES = {
    "a": ("a", _TONES + "âáàåãäêéèúüë"),
    "e": ("e", _TONES + "âáàåãä"),
    "o": ("o", _TONES + "âáàåãä"),
    "ô": ("ơ", _TONES),  # the byte 0xF4 alone is ơ
    "u": ("u", _TONES),
    "ö": ("ư", _TONES),  # 0xF6 is ư
    "y": ("y", _TONES),
}
# single-byte letters of VNI (lowercase; the capitals are 0x20 lower)
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
               "î": "ỵ", "ñ": "đ"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for vni, (uni, marks) in _VNI_BASES.items():
        for m in marks:
            table[vni + m] = _nfc(uni + _VNI_MARKS[m])
            table[vni.upper() + m.upper()] = _nfc(uni.upper() + _VNI_MARKS[m])
    for vni, uni in _VNI_SINGLE.items():
        table.setdefault(vni, uni)
        table.setdefault(vni.upper(), uni.upper())
    return table


VNI_TABLE: dict[str, str] = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI_TABLE), key=len, reverse=True)))


def vni_to_unicode(text: str | bytes) -> str:
    """Convert VNI Windows text to Unicode NFC.

    >>> vni_to_unicode("Xin chaøo caùc baïn")
    'Xin chào các bạn'
    """
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    return _nfc(_VNI_RE.sub(lambda m: VNI_TABLE[m.group(0)], text))


# -- detection ------------------------------------------------------------------------------

#: Every precomposed Vietnamese letter (lower and upper case), NFC.
_VIET_LETTERS = frozenset(
    _nfc(b + t) for base in "aăâeêioôơuưy" for b in (base, base.upper())
    for t in ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)
) | {"đ", "Đ"}


_VOWELS = "".join(sorted(c.lower() for c in _VIET_LETTERS if c not in "đĐ"))
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    rf"[{_VOWELS}]{{1,3}}"
    r"(ch|ng|nh|[cmnpt])?"
)
_TONE_MARKS = frozenset((_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT))


def _valid_syllable(word: str) -> bool:
    w = word.lower()
    if not _SYLLABLE.fullmatch(w):
        return False
    tones = sum(1 for c in unicodedata.normalize("NFD", w) if c in _TONE_MARKS)
    return tones <= 1


def _score(text: str) -> float:
    """Vietnamese-ness of a decoded text.

    +1 for each word with non-ASCII letters that is a well-formed Vietnamese syllable (onset,
    1-3 vowels, coda, at most one tone mark), -1 for each such word that is not, and -1 for
    each non-ASCII symbol that Vietnamese text never holds (``¸ µ ¶ ×``...).
    """
    score = 0.0
    for word in re.findall(r"[^\W\d_]+", text):
        if not word.isascii():
            score += 1.0 if _valid_syllable(word) else -1.0
    score -= sum(1 for c in text if ord(c) >= 128 and not c.isspace()
                 and unicodedata.category(c)[0] != "L")
    return score


def _cp1258(raw: bytes) -> str:
    return _nfc(raw.decode("cp1258", errors="replace"))


_DECODERS = {
    "tcvn3": tcvn3_to_unicode,
    "vni": vni_to_unicode,
    "cp1258": _cp1258,
}

_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16 (Excel Unicode text)",
    "ascii": "ASCII",
    "tcvn3": "TCVN3 (ABC), converted to Unicode",
    "vni": "VNI Windows, converted to Unicode",
    "cp1258": "Windows-1258, converted to Unicode",
    "latin-1": "Latin-1 (no Vietnamese letters recognised)",
}


@dataclass(frozen=True)
class Decoded:
    """Result of decoding: the text, the encoding key and a label for the load report."""

    text: str
    encoding: str

    @property
    def label(self) -> str:
        return _LABELS.get(self.encoding, self.encoding)


def detect_legacy(raw: bytes) -> str:
    """The most likely 8-bit encoding of ``raw``: ``"tcvn3"``, ``"vni"``, ``"cp1258"`` or
    ``"latin-1"`` (when none of them yields Vietnamese letters)."""
    best, best_score = "latin-1", 0.0
    base = _score(raw.decode("latin-1"))
    for name, fn in _DECODERS.items():
        s = _score(fn(raw))
        if s > best_score and s > base:
            best, best_score = name, s
    return best


#: Characters of a UTF-8 text looked at to detect legacy-font glyphs in it.
DETECT_CHARS = 100_000


def decode_bytes(raw: bytes, *, declared: str | None = None) -> Decoded:
    """Decode a text file's bytes to Unicode NFC, detecting legacy Vietnamese encodings.

    Order: a UTF-8 BOM or valid UTF-8 wins; otherwise ``declared`` (a shapefile .cpg or a user
    choice) when it is a Vietnamese encoding; otherwise the best of TCVN3, VNI and cp1258 by how
    many Vietnamese letters each produces (Latin-1 when none does).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return Decoded(_nfc(raw[3:].decode("utf-8", errors="replace")), "utf-8-sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return Decoded(_nfc(raw.decode("utf-16", errors="replace")), "utf-16")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if text.isascii():
            return Decoded(text, "ascii")
        # detection on a sample: enough letters to decide, and fast on large files
        _, enc = fix_legacy_strings([text[:DETECT_CHARS]])
        if enc == "utf-8":
            return Decoded(_nfc(text), "utf-8")
        fixed, enc = fix_legacy_strings([text])
        return Decoded(_nfc(str(fixed[0])), enc)
    key = _declared_key(declared)
    if key in _DECODERS:
        return Decoded(_DECODERS[key](raw), key)
    enc = detect_legacy(raw[:DETECT_CHARS])
    if enc == "latin-1":
        return Decoded(raw.decode("cp1252", errors="replace"), "latin-1")
    return Decoded(_DECODERS[enc](raw), enc)


def _declared_key(declared: str | None) -> str | None:
    if not declared:
        return None
    d = re.sub(r"[^0-9a-z]", "", declared.lower())
    if d in ("1258", "cp1258", "windows1258", "ansi1258"):
        return "cp1258"
    if d in ("tcvn3", "tcvn", "abc", "tcvn5712"):
        return "tcvn3"
    if d in ("vni", "vniwin", "vniwindows"):
        return "vni"
    if d in ("utf8", "65001"):
        return "utf-8"
    return d


def fix_legacy_strings(values: Iterable[object]) -> tuple[list[object], str]:
    """Detect legacy-encoded text among already-decoded strings and convert it.

    Strings read as Latin-1 / cp1252 (a DBF without .cpg, or a UTF-8 file typed in the
    ``.VnTime`` font) are re-encoded to their bytes and run through :func:`detect_legacy`.
    Strings that are already Unicode Vietnamese (or plain ASCII) are left alone.

    Returns
    -------
    values, encoding
        The converted values (non-strings untouched) and ``"tcvn3"``, ``"vni"``, ``"cp1258"``
        or ``"utf-8"`` when nothing was converted.
    """
    values = list(values)
    texts = [v for v in values if isinstance(v, str) and not v.isascii()]
    if not texts:
        return values, "utf-8"
    joined = "\n".join(texts)
    if _score(joined) > 0 and not _has_glyph_junk(joined):
        return values, "utf-8"
    try:
        raw = joined.encode("latin-1")
    except UnicodeEncodeError:
        try:
            raw = joined.encode("cp1252")
        except UnicodeEncodeError:
            return values, "utf-8"
    enc = detect_legacy(raw)
    if enc == "latin-1" or _score(_DECODERS[enc](raw)) <= _score(joined):
        return values, "utf-8"
    fn = _DECODERS[enc]
    out: list[object] = []
    for v in values:
        if isinstance(v, str) and not v.isascii() and (_latin(v) or _cp1252(v)):
            conv = fn(v.encode("latin-1") if _latin(v) else v.encode("cp1252"))
            # convert a value only when that makes it more Vietnamese (a proper Unicode
            # "Bát Xát" in the same column stays as it is)
            out.append(conv if _score(conv) > _score(v) or _has_glyph_junk(v) else v)
        else:
            out.append(v)
    return out, enc


def _cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _latin(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _has_glyph_junk(text: str) -> bool:
    """True when the text holds characters that Vietnamese text never has (``¸ µ ¶ ×``...)."""
    return any(ord(c) >= 128 and c not in _VIET_LETTERS and not c.isspace()
               and unicodedata.category(c)[0] != "L" for c in text)


def is_text_column(series: object) -> bool:
    """True for a pandas column of strings (object dtype, or the ``str`` dtype of pandas 3)."""
    import pandas as pd

    dtype = getattr(series, "dtype", None)
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


#: Distinct values looked at to decide the encoding of a column (enough letters to be sure).
DETECT_SAMPLE = 2_000


def decode_values(raw: list[bytes], *, declared: str | None = None) -> tuple[list[str], str]:
    """Decode many byte strings of one file (e.g. a DBF column) with ONE encoding.

    The encoding is decided on up to :data:`DETECT_SAMPLE` of them joined (see
    :func:`decode_bytes`), then every value is decoded with it, so a province-sized DBF costs one
    detection, and a file is never decoded half one way and half another.

    Returns
    -------
    texts, encoding
        The Unicode (NFC) strings and the encoding key (``"utf-8"``, ``"tcvn3"``, ...).
    """
    if not raw:
        return [], "ascii"
    sample = b"\n".join(raw[:DETECT_SAMPLE])
    enc = decode_bytes(sample, declared=declared).encoding
    try:
        sample.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    if enc in ("utf-8", "utf-8-sig", "ascii"):
        return [_nfc(b.decode("utf-8", errors="replace")) for b in raw], enc
    if enc == "latin-1":
        return [b.decode("cp1252", errors="replace") for b in raw], enc
    fn = _DECODERS[enc]
    if utf8:  # UTF-8 text typed in a legacy font: the glyphs are Latin-1 characters
        return [fn(b.decode("utf-8").encode("latin-1", errors="replace")) for b in raw], enc
    return [fn(b) for b in raw], enc
