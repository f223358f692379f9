"""Text decoding: UTF-8, cp1258 and the legacy Vietnamese font encodings TCVN3 (ABC) and VNI.

Old DBF and CSV files from Vietnamese offices were typed with the ``.VnTime`` (TCVN3, ABC) or
``VNI-Times`` (VNI Windows) fonts: the bytes are plain 8-bit Western text whose glyphs the font
draws as Vietnamese letters. Read as Latin text they look like ``"B¶o Th¾ng"`` (TCVN3 for
"Bảo Thắng") or ``"Xin chaøo"`` (VNI for "Xin chào"). This module detects them and converts to
Unicode (NFC).

Tables
------
TCVN3 is TCVN 5712:1993 (the "ABC" fonts): :data:`TCVN3_TABLE` maps all 134 Vietnamese letters
(67 lowercase, 67 capitals) and the 5 combining tone marks, one byte each: the capitals with a
tone sit at 0x80-0x9F, 0xAF, 0xBA-0xC5, 0xCD, 0xD9-0xDB, 0xE0, 0xF0, 0xFF and in the C0 range
(0x01 Ú, 0x02 Ụ, 0x04-0x06 Ừ Ử Ữ, 0x11-0x17 Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ); Ă Â Ê Ô Ơ Ư Đ at 0xA1-0xA7, their
lowercase at 0xA8-0xAE. The table is the TCVN-5712 table of GNU libiconv (``lib/tcvn.h``, Bruno
Haible; the same table is X11's ``lcUniConv/tcvn.h``), whose 0x80-0xFF half agrees with the
XFree86 X-TrueType ``TCVNtoUCS2.c`` table. Many files were typed with the ``.VnTimeH`` font,
which draws capitals from the LOWERCASE codes: a word whose plain letters are all capitals is
therefore upper-cased whole (``TH«N`` -> THÔN). VNI Windows writes a base letter followed by
one mark byte (``a`` + ``ø`` = "à", ``a`` + ``ä`` = "ậ"), with single bytes for ơ ư đ and the
toned i / ỵ; that table was checked against the xvnkb ``vni.h`` table (Đào Hải Lâm) and the
examples of the ``vietnamese-conversion`` package.

UTF-8 text that went through a Latin-1 / cp1252 decoder (``ThÃ´n`` for "Thôn", ``Ä�á»™ cao``
for "Độ cao") is recognised by :func:`repair_mojibake`, and :func:`strip_controls`
removes NUL and other control characters; :func:`clean_text` does both, and the readers report
the rows.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "TCVN3_TABLE",
    "VNI_TABLE",
    "Decoded",
    "clean_text",
    "decode_bytes",
    "decode_values",
    "detect_legacy",
    "fix_legacy_strings",
    "is_text_column",
    "repair_mojibake",
    "strip_controls",
    "tcvn3_to_unicode",
    "vni_to_unicode",
]

# -- TCVN3 ----------------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tcvn3_table() -> dict[int, str]:
    """TCVN 5712:1993 byte -> Unicode (NFC), from GNU libiconv ``tcvn.h`` (see the module doc)."""
    low = {0x01: 0x00DA, 0x02: 0x1EE4, 0x04: 0x1EEA, 0x05: 0x1EEC, 0x06: 0x1EEE, 0x11: 0x1EE8,
           0x12: 0x1EF0, 0x13: 0x1EF2, 0x14: 0x1EF6, 0x15: 0x1EF8, 0x16: 0x00DD, 0x17: 0x1EF4}
    high = (  # 0x80 .. 0xFF; 0xA0 is the no-break space
        0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8,
        0x1EBA, 0x1EBC, 0x00C9, 0x1EB8, 0x1EC6, 0x00CC, 0x1EC8, 0x0128,
        0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8,
        0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA, 0x1EE2, 0x00D9, 0x1EE6, 0x0168,
        0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,
        0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,
        0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3,
        0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4,
        0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,
        0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD,
        0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,
        0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,
        0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,
        0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,
        0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
        0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
    )
    table = {k: chr(v) for k, v in low.items()}
    table.update({0x80 + i: chr(v) for i, v in enumerate(high) if v != 0x00A0})
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


# -- UTF-8 read as Latin-1 / cp1252, control characters ---------------------------------------

#: The character a Latin-1 or cp1252 decoder gives for each byte (cp1252 where it defines one:
#: 0x80 "€", 0x99 "™"...; Latin-1's C1 control otherwise), and back.
_BYTE_OF: dict[str, int] = {chr(b): b for b in range(256)}
for _b in range(0x80, 0xA0):
    with contextlib.suppress(UnicodeDecodeError):
        _BYTE_OF[bytes([_b]).decode("cp1252")] = _b
#: bytes cp1252 leaves undefined: a cp1252 decoder with errors="replace" shows them as U+FFFD
_UNDEFINED_1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_MOJI_CHARS = "".join(sorted(re.escape(c) for c in _BYTE_OF if ord(c) >= 0x80)) + "\ufffd"
_MOJI_RUN = re.compile(f"[{_MOJI_CHARS}]{{2,}}")
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: what a repaired sequence may decode to: Vietnamese letters and the typographic signs of
#: Vietnamese text (a TCVN3 byte pair that happens to form UTF-8 decodes to something else)
_REPAIRABLE = frozenset("–—‘’“”…°·€«»×²³½¼¾ ") | set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýăĂđĐĩĨũŨơƠưƯ")


def _viet(c: str) -> bool:
    return c in _VIET_LETTERS or c in _REPAIRABLE


def repair_mojibake(text: str) -> str | None:
    """UTF-8 text that was decoded as Latin-1 or cp1252, repaired; ``None`` when there is none.

    Each run of characters a Latin-1 / cp1252 decoder produces is turned back into its bytes,
    and every well-formed UTF-8 sequence in them that decodes to a Vietnamese letter (or a
    typographic sign) replaces its characters; the rest of the text is left as it is, so a
    proper "Thôn" or a TCVN3 glyph is never touched. A U+FFFD left by cp1252's undefined bytes
    (0x81 0x8D 0x8F 0x90 0x9D) is resolved when exactly one of them gives a Vietnamese letter
    (``Ä�`` -> Đ).

    >>> repair_mojibake("ThÃ´n Ä\\x90Ã´ng"), repair_mojibake("Ä�á»™ cao"), repair_mojibake("Thôn")
    ('Thôn Đông', 'Độ cao', None)
    """
    if text.isascii():
        return None
    changed = False

    def fix_run(m: re.Match[str]) -> str:
        nonlocal changed
        run = m.group(0)
        out: list[str] = []
        i = 0
        while i < len(run):
            hit = None
            for n in (2, 3, 4):
                piece = run[i:i + n]
                if len(piece) < n:
                    break
                for raw in _candidates(piece):
                    if _UTF8_SEQ.fullmatch(raw):
                        c = raw.decode("utf-8")
                        if _viet(c):
                            hit = (n, c) if hit is None or hit[1] == c else (n, None)
                if hit is not None:
                    break
            if hit is not None and hit[1] is not None:
                out.append(hit[1])
                i += hit[0]
                changed = True
            else:
                out.append(run[i])
                i += 1
        return "".join(out)

    repaired = _MOJI_RUN.sub(fix_run, text)
    return unicodedata.normalize("NFC", repaired) if changed else None


def _candidates(piece: str) -> list[bytes]:
    """The byte strings ``piece`` may have come from (U+FFFD stands for any undefined byte)."""
    if any(c not in _BYTE_OF and c != "\ufffd" for c in piece):
        return []
    options: list[bytes] = [b""]
    for c in piece:
        nxt = [bytes([b]) for b in _UNDEFINED_1252] if c == "\ufffd" else [bytes([_BYTE_OF[c]])]
        options = [o + n for o in options for n in nxt]
    return options


#: NUL, the C0 controls but tab / line feed / carriage return, DEL, the C1 controls, and the
#: invisible byte-order mark / zero-width characters that pasting leaves in cells.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u200b\u200c\u200d\u2060]")


def strip_controls(text: str) -> str:
    """``text`` without NUL, control and zero-width characters (tab and line breaks stay).

    >>> strip_controls("Th\\x00ôn\\x1f Đông\\ufeff")
    'Thôn Đông'
    """
    return _CONTROLS.sub("", text)


def clean_text(text: object) -> tuple[object, bool, bool]:
    """One cell cleaned: mojibake repaired, then control characters removed.

    Returns
    -------
    value, repaired, stripped
        The cleaned value (non-strings unchanged) and whether each repair was made.
    """
    if not isinstance(text, str) or (text.isascii() and text.isprintable()):
        return text, False, False
    fixed = repair_mojibake(text)
    repaired = fixed is not None
    value = fixed if repaired else text
    stripped_value = strip_controls(value)
    return stripped_value, repaired, stripped_value != value


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
    # UTF-8 read as Latin-1 ("ThÃ´n") is not a legacy font: clean_text repairs and reports it
    texts = [v for v in values if isinstance(v, str) and not v.isascii()
             and repair_mojibake(v) is None]
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
        if isinstance(v, str) and not v.isascii() and (_fits(v, "latin-1") or _fits(v, "cp1252")) \
                and repair_mojibake(v) is None:
            conv = fn(v.encode("latin-1") if _fits(v, "latin-1") else v.encode("cp1252"))
            # convert a value only when that makes it more Vietnamese (a proper Unicode
            # "Bát Xát" in the same column stays as it is)
            out.append(conv if _score(conv) > _score(v) or _has_glyph_junk(v) else v)
        else:
            out.append(v)
    return out, enc


def _fits(text: str, codec: str) -> bool:
    """True when ``codec`` (``"latin-1"``, ``"cp1252"``) can encode every character of ``text``."""
    try:
        text.encode(codec)
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
