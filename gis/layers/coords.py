"""Coordinates: the CRS a user names, coordinate columns of tables, and CRS inference.

Vietnamese survey documents write **X = northing, Y = easting** (the opposite of PROJ's x/y);
:func:`points_from_columns` detects that from the magnitudes (northings in Vietnam are 0.9-2.6
million m, eastings of TM-3 / UTM zones a few hundred thousand m) and swaps before PROJ. A file
without a CRS is read as WGS84 when its numbers are lon/lat inside Vietnam, as VN-2000 TM-3 when
they are metric and a province or meridian is known, and is otherwise an error asking for the CRS.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import CRS

from gis.errors import CRSError, ValidationError
from gis.layers.crs import WGS84, meridian_for_province, vn2000_tm3, vn2000_utm
from gis.layers.normalise import parse_number, parse_numbers
from gis.layers.schema import header_key

__all__ = [
    "AXIS_ORDERS",
    "LAT_RANGE",
    "LON_RANGE",
    "CoordColumns",
    "crs_label",
    "find_coordinate_columns",
    "infer_crs",
    "parse_coordinate",
    "parse_crs",
    "parse_dms",
    "tm_params",
]

#: Vietnam's lon/lat box (degrees), islands included.
LON_RANGE = (102.0, 117.9)
LAT_RANGE = (8.0, 23.5)
#: Metric ranges in Vietnam: northings of TM-3/UTM (m), eastings of TM-3/UTM zones (m).
NORTHING_RANGE = (850_000.0, 2_650_000.0)
EASTING_RANGE = (100_000.0, 900_000.0)

_EXAMPLES = ("EPSG:4326 (WGS84 lon/lat), EPSG:3405 (VN-2000 / UTM 48N), "
             "vn2000-tm3:105.5 (VN-2000 TM-3, meridian 105°30')")


def parse_crs(crs: object, *, meridian: float | None = None) -> tuple[CRS | None, str]:
    """The CRS a user named, and a label for the report.

    Accepts a :class:`pyproj.CRS`, an EPSG code (``4326``, ``"EPSG:3405"``), any PROJ/WKT
    string, ``"vn2000-tm3:105.5"`` (VN-2000 TM-3 with that central meridian, degrees),
    ``"vn2000-utm:48"`` / ``"vn2000-utm:49"``, or ``None`` with ``meridian`` (TM-3).
    """
    if crs is None or (isinstance(crs, str) and not crs.strip()):
        if meridian is not None:
            return vn2000_tm3(float(meridian)), f"VN-2000 / TM-3 {float(meridian):g}°"
        return None, ""
    if isinstance(crs, CRS):
        return crs, crs.name
    text = str(crs).strip()
    m = re.fullmatch(r"(?i)vn[-_ ]?2000[-_ :/]*tm[-_ ]?3[:\s/]*([0-9.]+)", text)
    if m:
        lon0 = float(m.group(1))
        return vn2000_tm3(lon0), f"VN-2000 / TM-3 {lon0:g}°"
    m = re.fullmatch(r"(?i)vn[-_ ]?2000[-_ :/]*utm[-_ :]*(4[89])n?", text)
    if m:
        zone = int(m.group(1))
        return vn2000_utm(zone), f"VN-2000 / UTM {zone}N"
    if re.fullmatch(r"(?i)vn[-_ ]?2000([-_ :/]*tm[-_ ]?3)?", text):
        if meridian is None:
            raise CRSError(
                "VN-2000 TM-3 needs its central meridian.",
                "VN-2000 TM-3 cần kinh tuyến trục.",
                fix="Write vn2000-tm3:105.5, or give the province (--province 'Nam Định').",
                fix_vi="Ghi vn2000-tm3:105.5, hoặc chọn tỉnh (--province 'Nam Định').")
        return vn2000_tm3(float(meridian)), f"VN-2000 / TM-3 {float(meridian):g}°"
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        out = CRS.from_user_input(text)
    except Exception as exc:
        raise CRSError(
            f"Unknown coordinate reference system {text!r}.",
            f"Không nhận ra hệ toạ độ {text!r}.",
            fix=f"Use for example {_EXAMPLES}.",
            fix_vi=f"Dùng ví dụ {_EXAMPLES}.",
        ) from exc
    return out, out.name


def tm_params(crs: CRS) -> dict[str, object]:
    """The PROJ parameters of a Transverse Mercator CRS with a ``+towgs84`` shift (VN-2000
    built by :mod:`gis.layers.crs`); empty for any other CRS."""
    if crs.is_geographic or crs.to_epsg() is not None:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = crs.to_dict()
    return p if p.get("proj") == "tmerc" and "towgs84" in p else {}


def crs_label(crs: CRS) -> str:
    """A short human name of a CRS (VN-2000 TM-3 zones by their meridian)."""
    if crs.is_geographic:
        return crs.name
    p = tm_params(crs)
    if p:
        k = float(p.get("k", p.get("k_0", 0)))
        if abs(k - 0.9999) < 1e-9:
            return f"VN-2000 / TM-3 {float(p['lon_0']):g}°"
        if abs(k - 0.9996) < 1e-9:
            return f"VN-2000 / UTM {48 if float(p['lon_0']) == 105 else 49}N"
    return crs.name


@dataclass(frozen=True)
class CoordColumns:
    """Coordinate columns found in a table: their headers and how to read them.

    ``form`` is ``"lonlat"`` (``a`` = longitude, ``b`` = latitude), ``"xy"`` (``a`` = X,
    ``b`` = Y; which is the northing is decided from the numbers), ``"en"`` (``a`` =
    easting, ``b`` = northing) or ``"pair"`` (one column ``a`` = ``b`` holding
    "lat, lon" text, as copied from Google Maps).
    """

    form: str
    a: str
    b: str


_LON = {"lon", "long", "lng", "longitude", "kinh_do", "kinhdo", "kd", "x_lon", "lon_x",
        "kinh_do_dong", "kinh_do_e", "kinh_do_x", "kinh_do_d", "client_longitude"}
_LAT = {"lat", "latitude", "vi_do", "vido", "vd", "y_lat", "lat_y", "vi_do_bac", "vi_do_n",
        "vi_do_y", "client_latitude"}  # client_*: speed-test exports (the phone, not the server)
_X = {"x", "toa_do_x", "toado_x", "x_coord", "xcoord", "coord_x", "x_toa_do", "tdx"}
_Y = {"y", "toa_do_y", "toado_y", "y_coord", "ycoord", "coord_y", "y_toa_do", "tdy"}
_E = {"easting", "e", "dong", "toa_do_e", "east"}
_N = {"northing", "n", "bac", "toa_do_n", "north"}
_UNIT_SUFFIX = re.compile(r"_(do|deg|degree|degrees|m|met|wgs84|wgs_84|vn2000|vn_2000|dd)$")


def _key(header: str) -> set[str]:
    key = header_key(header)
    keys = {key}
    while True:
        stripped = _UNIT_SUFFIX.sub("", key)
        if stripped == key:
            break
        keys.add(stripped)
        key = stripped
    return keys


def find_coordinate_columns(columns: list[str]) -> CoordColumns | None:
    """Find the coordinate columns of a table by their headers (any language, any case)."""
    keys = {c: _key(c) for c in columns}

    def first(names: set[str]) -> str | None:
        return next((c for c in columns if keys[c] & names), None)

    for form, a_set, b_set in (("lonlat", _LON, _LAT), ("en", _E, _N), ("xy", _X, _Y)):
        a, b = first(a_set), first(b_set)
        if a and b and a != b:
            return CoordColumns(form, a, b)
    pair = first(_PAIR)
    if pair:
        return CoordColumns("pair", pair, pair)
    return None


#: Headers of one column holding both coordinates, e.g. "20.1453, 106.2712" pasted from
#: Google Maps (latitude first).
_PAIR = {"toa_do", "toado", "coordinates", "coordinate", "coords", "vi_tri", "location",
         "latlng", "lat_lng", "lat_lon", "latlon", "lat_long", "gps", "toa_do_gps"}
_PAIR_RE = r"^\s*([+-]?\d+(?:\.\d+)?)\s*[,;/ ]\s*([+-]?\d+(?:\.\d+)?)\s*$"


def _split_pair(series: pd.Series) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """Split "lat, lon" cells; the order is decided from the ranges (Google Maps: lat first)."""
    parts = series.astype("string").str.extract(_PAIR_RE)
    first = np.array(pd.to_numeric(parts[0], errors="coerce"), dtype="float64")
    second = np.array(pd.to_numeric(parts[1], errors="coerce"), dtype="float64")
    ok = np.isfinite(first) & np.isfinite(second)
    lat_first = _in(first, LAT_RANGE) & _in(second, LON_RANGE)
    name = str(series.name)
    if ok.any() and np.all(lat_first[ok]):
        return second, first, [(f"{name} holds 'latitude, longitude' pairs (Google Maps order).",
                                f"{name} chứa cặp 'vĩ độ, kinh độ' (thứ tự của Google Maps).")]
    return first, second, [(f"{name} holds 'longitude, latitude' pairs.",
                            f"{name} chứa cặp 'kinh độ, vĩ độ'.")]


# Degrees-minutes-seconds as Vietnamese and English users write them: "105 độ 48' 30\" Đ",
# "20°17,3′ B" (decimal minutes with a decimal comma), "20°17'18.5\"N", "N 20° 17' 18.5\"",
# "105:48:30", "105d48m30s". Hemispheres: B / Bắc / N / North (north), Nam / S / South (south),
# Đ / D / Đông / E / East (east), T / Tây / W / West (west). A lone "N" is North, as in English:
# Vietnam lies wholly north of the equator, so Nam (south) is only read when written out.
_HEMI = {
    "b": 1, "bac": 1, "n": 1, "north": 1, "nam": -1, "s": -1, "south": -1,
    "d": 1, "dong": 1, "e": 1, "east": 1, "t": -1, "tay": -1, "w": -1, "west": -1,
}
_NUM = r"(\d+(?:[.,]\d+)?)"
_DMS = re.compile(
    rf"^([+-])?\s*{_NUM}\s*(?:°|º|˚|deg|d|:|\s)\s*"
    rf"(?:{_NUM}\s*(?:'|′|’|‘|´|m|min|:|\s)?\s*)?"
    rf"(?:{_NUM}\s*(?:\"|″|”|“|''|′′|’’|s|sec)?)?\s*$")
_DMS_MARK = re.compile(r"[°º˚'′’‘´\"″”“:]|\d\s*d\s*\d")
_WORDS = [(re.compile(r"\bđộ\b|\bdo\b|\bđ\.?\s*(?=\d)"), "°"), (re.compile(r"\bphút\b|\bphut\b"), "'"),
          (re.compile(r"\bgiây\b|\bgiay\b"), '"')]
_HEMI_RE = re.compile(r"^\s*([^\W\d_]+)\.?\s*(?=[+-]?\d)|(?<=[\d\s°º˚'′’‘´\"″”“.])\s*([^\W\d_]+)\.?\s*$")


def _fold(word: str) -> str:
    word = word.replace("đ", "d")
    word = unicodedata.normalize("NFKD", word)
    return "".join(c for c in word if not unicodedata.combining(c))


def parse_dms(text: str) -> float:
    """Degrees-minutes-seconds (or degrees and decimal minutes) to decimal degrees; NaN when
    ``text`` is not one.

    Minutes and seconds must be below 60 and degrees at most 180. A southern or western
    hemisphere gives a negative value (outside Vietnam, so such rows are then rejected with
    their coordinates).

    >>> parse_dms("105 độ 48' 30\\" Đ"), parse_dms("20°17,3′ B"), parse_dms("20°17'18.5\\"N")
    (105.80833333333334, 20.288333333333334, 20.288472222222222)
    """
    t = unicodedata.normalize("NFC", str(text)).strip().lower()
    if not t or len(t) > 64:
        return float("nan")
    t = t.replace("\u00a0", " ").replace("\u202f", " ")
    for pattern, mark in _WORDS:
        t = pattern.sub(mark, t)
    sign = 1
    m = _DMS.match(t) if _DMS_MARK.search(t) else None
    if m is None:
        h = _HEMI_RE.search(t)
        if h is None:
            return float("nan")
        word = _fold(h.group(1) or h.group(2))
        if word not in _HEMI:
            return float("nan")
        sign = _HEMI[word]
        t = (t[:h.start()] + " " + t[h.end():]).strip()
        if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", t):
            return sign * float(t.replace(",", "."))
        m = _DMS.match(t)
    if not m:
        return float("nan")
    neg, deg, mins, secs = m.groups()
    try:
        d = float(deg.replace(",", "."))
        mi = float(mins.replace(",", ".")) if mins else 0.0
        se = float(secs.replace(",", ".")) if secs else 0.0
    except ValueError:
        return float("nan")
    if d > 180 or mi >= 60 or se >= 60 or (secs and mins and "." in mins.replace(",", ".")) \
            or (mins is None and secs is not None):
        return float("nan")
    if neg == "-":
        sign = -sign
    return sign * (d + mi / 60.0 + se / 3600.0)


_HAS_LETTERS_OR_MARKS = re.compile(r"[°º˚'′’‘´\"″”“]|[^\W\d_]")


def parse_coordinate(value: object) -> float:
    """A coordinate in decimal degrees or metres; degrees-minutes-seconds are accepted.

    Decimal numbers may use a decimal comma (``"20,5"``); DMS forms are those of
    :func:`parse_dms`. NaN when the value is none of these.

    >>> parse_coordinate("105°30'36\\"E"), parse_coordinate("20,5"), parse_coordinate(2_300_000)
    (105.51, 20.5, 2300000.0)
    """
    if isinstance(value, str) and _HAS_LETTERS_OR_MARKS.search(value):
        v = parse_dms(value)
        if np.isfinite(v):
            return v
        plain = parse_number(value)  # "105.8 E"-like units are not DMS
        return plain if np.isfinite(plain) and not re.search(r"[°º˚'′’‘´\"″”“]", value) \
            else float("nan")
    v = parse_number(value)
    if not np.isfinite(v) and isinstance(value, str) and ":" in value:
        return parse_dms(value)
    return v if np.isfinite(v) else float("nan")


@dataclass
class Points:
    """Coordinates read from columns: x/y for PROJ (easting/longitude first) and notes."""

    x: np.ndarray
    y: np.ndarray
    bad_rows: list[int]
    notes: list[tuple[str, str]]
    degrees: bool


def _in(v: np.ndarray, lo_hi: tuple[float, float]) -> np.ndarray:
    return (v >= lo_hi[0]) & (v <= lo_hi[1])


#: Values of ``axis_order``: from the numbers, X = easting, X = northing (VN-2000 documents).
AXIS_ORDERS = ("auto", "xy", "yx")


def points_from_columns(df: pd.DataFrame, cols: CoordColumns, *, display: str,
                        axis_order: str = "auto") -> Points:
    """Parse the coordinate columns and put them in PROJ order (x = easting / longitude).

    Lat/lon swapped in every row is repaired and reported loudly; swapped in only some rows is
    a :class:`ValidationError` naming them. X/Y in the Vietnamese convention (X = northing) is
    detected from the magnitudes and swapped, unless the user says which is which for X/Y
    columns: ``axis_order="xy"`` (X = easting or longitude) or ``"yx"`` (X = northing or
    latitude), which the app's X/Y switch gives.
    """
    if axis_order not in AXIS_ORDERS:
        raise ValidationError(
            f"Unknown axis order {axis_order!r}; choose one of: {', '.join(AXIS_ORDERS)}.",
            f"Thứ tự trục {axis_order!r} không hợp lệ; chọn một trong: {', '.join(AXIS_ORDERS)}.")
    notes: list[tuple[str, str]] = []
    if cols.form == "xy" and axis_order != "auto":
        east, north = (cols.a, cols.b) if axis_order == "xy" else (cols.b, cols.a)
        cols = CoordColumns("en", east, north)
        notes.append((f"{east} is the easting and {north} the northing (as chosen).",
                      f"{east} là toạ độ Đông, {north} là toạ độ Bắc (theo lựa chọn)."))
    if cols.form == "pair":
        a, b, notes = _split_pair(df[cols.a])
        cols = CoordColumns("lonlat", cols.a, cols.b)
    else:
        a = parse_numbers(df[cols.a], parser=parse_coordinate)[0]
        b = parse_numbers(df[cols.b], parser=parse_coordinate)[0]
    bad = ~(np.isfinite(a) & np.isfinite(b))
    ok = ~bad
    if not ok.any():
        _no_coordinate_parses(df, cols, display)
    degrees = bool(ok.any() and np.all(np.abs(a[ok]) <= 360) and np.all(np.abs(b[ok]) <= 360))
    if cols.form == "en":
        return Points(a, b, np.flatnonzero(bad).tolist(), notes, degrees)
    if degrees:
        if cols.form == "xy":
            notes.append((f"{cols.a}/{cols.b} hold degrees: read as longitude/latitude.",
                          f"{cols.a}/{cols.b} là độ: đọc là kinh độ/vĩ độ."))
        lon, lat = a, b
        normal = _in(lon, LON_RANGE) & _in(lat, LAT_RANGE)
        swapped = _in(lat, LON_RANGE) & _in(lon, LAT_RANGE)
        if ok.any() and np.all(swapped[ok]):
            notes.append((
                f"LATITUDE AND LONGITUDE ARE SWAPPED in every row: column {cols.a!r} holds "
                f"latitudes and {cols.b!r} longitudes. They were swapped back; check the file.",
                f"VĨ ĐỘ VÀ KINH ĐỘ BỊ ĐẢO ở mọi dòng: cột {cols.a!r} chứa vĩ độ, cột {cols.b!r} "
                "chứa kinh độ. Đã đảo lại; hãy kiểm tra tệp."))
            return Points(b, a, np.flatnonzero(bad).tolist(), notes, True)
        rows_swapped = np.flatnonzero(ok & swapped & ~normal)
        if rows_swapped.size:
            raise ValidationError(
                f"Latitude and longitude are swapped in some rows (longitude {cols.a!r} should "
                f"be {LON_RANGE[0]:g}-{LON_RANGE[1]:g}, latitude {cols.b!r} "
                f"{LAT_RANGE[0]:g}-{LAT_RANGE[1]:g} in Vietnam).",
                f"Vĩ độ và kinh độ bị đảo ở một số dòng (kinh độ {cols.a!r} phải trong "
                f"{LON_RANGE[0]:g}-{LON_RANGE[1]:g}, vĩ độ {cols.b!r} trong "
                f"{LAT_RANGE[0]:g}-{LAT_RANGE[1]:g} ở Việt Nam).",
                file=display, rows=rows_swapped.tolist(),
                fix="Swap the two values in those rows.",
                fix_vi="Đổi chỗ hai giá trị ở các dòng đó.")
        return Points(lon, lat, np.flatnonzero(bad).tolist(), notes, True)
    if cols.form == "lonlat":
        raise ValidationError(
            f"Columns {cols.a!r}/{cols.b!r} are named longitude/latitude but hold metres "
            f"(e.g. {a[ok][0]:g}, {b[ok][0]:g}).",
            f"Cột {cols.a!r}/{cols.b!r} mang tên kinh độ/vĩ độ nhưng chứa số mét "
            f"(ví dụ {a[ok][0]:g}, {b[ok][0]:g}).",
            file=display,
            fix="Rename them X and Y and give the CRS (e.g. --crs vn2000-tm3:105.5).",
            fix_vi="Đổi tên cột thành X và Y và chọn hệ toạ độ (ví dụ --crs vn2000-tm3:105.5).")
    # metric X/Y: which one is the northing?
    x_is_n = _in(a, NORTHING_RANGE) & _in(b, EASTING_RANGE)
    y_is_n = _in(b, NORTHING_RANGE) & _in(a, EASTING_RANGE)
    if ok.any() and np.all(x_is_n[ok]):
        notes.append((
            f"{cols.a} is the northing and {cols.b} the easting (Vietnamese convention, X = "
            "north): swapped before projecting.",
            f"{cols.a} là toạ độ Bắc, {cols.b} là toạ độ Đông (quy ước Việt Nam X = Bắc): "
            "đã đổi chỗ trước khi chuyển đổi."))
        return Points(b, a, np.flatnonzero(bad).tolist(), notes, False)
    if ok.any() and np.all(y_is_n[ok]):
        notes.append((f"{cols.a} is the easting and {cols.b} the northing.",
                      f"{cols.a} là toạ độ Đông, {cols.b} là toạ độ Bắc."))
        return Points(a, b, np.flatnonzero(bad).tolist(), notes, False)
    odd = np.flatnonzero(ok & ~x_is_n & ~y_is_n)
    mixed = np.flatnonzero(ok & (y_is_n if x_is_n.sum() >= y_is_n.sum() else x_is_n))
    rows = odd if odd.size else mixed
    raise ValidationError(
        f"The X/Y values do not look like coordinates in Vietnam in some rows (expected a "
        f"northing of {NORTHING_RANGE[0]:,.0f}-{NORTHING_RANGE[1]:,.0f} m and an easting of "
        f"{EASTING_RANGE[0]:,.0f}-{EASTING_RANGE[1]:,.0f} m, the same way round in every row).",
        f"Giá trị X/Y ở một số dòng không giống toạ độ ở Việt Nam (cần toạ độ Bắc "
        f"{NORTHING_RANGE[0]:,.0f}-{NORTHING_RANGE[1]:,.0f} m và Đông "
        f"{EASTING_RANGE[0]:,.0f}-{EASTING_RANGE[1]:,.0f} m, cùng thứ tự ở mọi dòng).",
        file=display, rows=rows.tolist(),
        fix="Correct those rows (X = northing, Y = easting in VN-2000 documents).",
        fix_vi="Sửa các dòng đó (trong tài liệu VN-2000, X = toạ độ Bắc, Y = toạ độ Đông).")


_FORMS_EN = ("decimal degrees (105.8123 or 105,8123), degrees-minutes-seconds (105°48'30\"E, "
             "105 độ 48' 30\" Đ, 20°17,3′ B) or metres (VN-2000 X/Y)")
_FORMS_VI = ("độ thập phân (105.8123 hoặc 105,8123), độ-phút-giây (105°48'30\"E, "
             "105 độ 48' 30\" Đ, 20°17,3′ B) hoặc mét (X/Y VN-2000)")


def _no_coordinate_parses(df: pd.DataFrame, cols: CoordColumns, display: str) -> None:
    """No row has both coordinates: a :class:`ValidationError` with examples and the forms
    that are read."""
    filled = df[[cols.a, cols.b]].notna().any(axis=1).to_numpy()
    rows = np.flatnonzero(filled)
    if not rows.size:
        raise ValidationError(
            f"The coordinate columns {cols.a!r}/{cols.b!r} are empty in every row.",
            f"Các cột toạ độ {cols.a!r}/{cols.b!r} trống ở mọi dòng.",
            file=display, fix=f"Fill them with {_FORMS_EN}.", fix_vi=f"Điền {_FORMS_VI}.")
    examples = ", ".join(
        repr(f"{df[cols.a].iloc[r]}" + ("" if cols.a == cols.b else f" / {df[cols.b].iloc[r]}"))
        for r in rows[:3])
    names = cols.a if cols.a == cols.b else f"{cols.a}/{cols.b}"
    raise ValidationError(
        f"No row has coordinates that can be read in {names!r} (e.g. {examples}).",
        f"Không dòng nào có toạ độ đọc được trong {names!r} (ví dụ {examples}).",
        file=display, rows=rows.tolist(),
        fix=f"Write the coordinates as {_FORMS_EN}, one value per cell.",
        fix_vi=f"Ghi toạ độ dạng {_FORMS_VI}, mỗi ô một giá trị.")


def infer_crs(x: np.ndarray, y: np.ndarray, *, given: CRS | None, given_label: str,
              province: str | None, meridian: float | None, standard: str,
              display: str) -> tuple[CRS, str, str, str]:
    """Decide the CRS of coordinates ``x`` (easting / lon) and ``y`` (northing / lat).

    Returns
    -------
    crs, label, note, note_vi
        The CRS, its short name, and how it was decided (for the report), in English and
        Vietnamese.
    """
    if given is not None:
        return given, given_label or crs_label(given), "given by the user", "do người dùng chọn"
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return WGS84, WGS84.name, "no coordinates", "không có toạ độ"
    xs, ys = x[ok], y[ok]
    if np.all(np.abs(xs) <= 360) and np.all(np.abs(ys) <= 360):
        inside = _in(xs, LON_RANGE) & _in(ys, LAT_RANGE)
        swapped = _in(ys, LON_RANGE) & _in(xs, LAT_RANGE)
        if inside.mean() >= 0.5 or swapped.all():
            return WGS84, "WGS 84 (lon/lat)", (
                "inferred: the numbers are longitudes and latitudes in Vietnam"), (
                "suy ra: các số là kinh độ và vĩ độ ở Việt Nam")
    metric = np.all(_in(xs, EASTING_RANGE)) and np.all(_in(ys, NORTHING_RANGE))
    if metric and (meridian is not None or province):
        lon0 = float(meridian) if meridian is not None else meridian_for_province(
            str(province), standard=standard)
        why = (f"meridian {lon0:g}° given" if meridian is not None and not province
               else f"meridian {lon0:g}° of province {province} ({standard})")
        why_vi = (f"kinh tuyến trục {lon0:g}° đã chọn" if meridian is not None and not province
                  else f"kinh tuyến trục {lon0:g}° của tỉnh {province} ({standard})")
        return vn2000_tm3(lon0), f"VN-2000 / TM-3 {lon0:g}°", (
            f"inferred: metric coordinates in Vietnam, read as VN-2000 TM-3 ({why})"), (
            f"suy ra: toạ độ mét ở Việt Nam, đọc theo VN-2000 TM-3 ({why_vi})")
    if metric:
        raise CRSError(
            f"The coordinates are metres (e.g. E {xs[0]:,.0f}, N {ys[0]:,.0f}) but the file "
            "does not say in which system: VN-2000 TM-3 (which meridian?), VN-2000 UTM or "
            "WGS84 UTM all give numbers like these.",
            f"Toạ độ tính bằng mét (ví dụ E {xs[0]:,.0f}, N {ys[0]:,.0f}) nhưng tệp không ghi "
            "hệ toạ độ: VN-2000 TM-3 (kinh tuyến trục nào?), VN-2000 UTM hay WGS84 UTM đều "
            "cho số như vậy.",
            file=display,
            fix=f"Give the CRS, e.g. {_EXAMPLES}, or the province (--province 'Nam Định').",
            fix_vi=f"Chọn hệ toạ độ, ví dụ {_EXAMPLES}, hoặc chọn tỉnh (--province 'Nam Định').")
    raise CRSError(
        f"The coordinates (e.g. {xs[0]:g}, {ys[0]:g}) are neither lon/lat in Vietnam nor "
        "VN-2000 / UTM metres, and the file does not give its CRS.",
        f"Toạ độ (ví dụ {xs[0]:g}, {ys[0]:g}) không phải kinh/vĩ độ ở Việt Nam, cũng không "
        "phải mét VN-2000 / UTM, và tệp không ghi hệ toạ độ.",
        file=display,
        fix=f"Check the coordinate columns, and give the CRS, e.g. {_EXAMPLES}.",
        fix_vi=f"Kiểm tra các cột toạ độ và chọn hệ toạ độ, ví dụ {_EXAMPLES}.")
