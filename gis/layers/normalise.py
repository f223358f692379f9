"""Column and value normalisation: header aliases, operators, technologies, classes, numbers, ids.

Every function here reports what it did into a :class:`~gis.layers.report.LoadReport`; values it
does not recognise are kept as given and named in a warning, never silently altered.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from gis.errors import format_rows
from gis.layers.report import LoadReport
from gis.layers.schema import OPERATORS_BY_MNC, LayerSpec, header_key

__all__ = [
    "ID_PREFIX",
    "map_columns",
    "map_unique",
    "name_unnamed",
    "normalise_facility_kind",
    "normalise_fixed_operator",
    "normalise_installation",
    "normalise_level",
    "normalise_operator",
    "normalise_road_class",
    "normalise_tech",
    "normalise_values",
    "parse_number",
    "parse_numbers",
]

#: Prefix of generated ids per layer kind ("V0001", ...).
ID_PREFIX = {"villages": "V", "sites": "S", "fiber_nodes": "N", "facilities": "F", "admin": "A"}


_UNIT = re.compile(r"_(m|met|km|mhz|ghz|deg|do|dbm|db|nguoi|ho|w|dbi)$")


def _variants(key: str) -> set[str]:
    """A header key and its forms without a trailing unit (``do_cao_m`` -> ``do_cao``)."""
    out = {key}
    while (stripped := _UNIT.sub("", key)) != key and stripped:
        out.add(stripped)
        key = stripped
    # DBF headers are cut to 10 characters and often lose their separators: TENTHON, DANSO
    return out | {k.replace("_", "") for k in out}


def map_columns(columns: list[str], spec: LayerSpec) -> dict[str, str]:
    """Canonical column -> source header, by alias after :func:`header_key`.

    An exact canonical name wins over an alias; each source header feeds at most one canonical
    column, and the first matching header (left to right) wins among aliases.
    """
    keys = {c: _variants(header_key(c)) for c in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for col in spec.columns:
            if col.name in mapping:
                continue
            wanted = {header_key(col.name)} if exact else col.keys()
            if not exact:
                wanted = wanted | {k.replace("_", "") for k in wanted}
            for src in columns:
                if src not in used and keys[src] & wanted:
                    mapping[col.name] = src
                    used.add(src)
                    break
    return mapping


# -- numbers --------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,\s]\d{3})+$")


def parse_number(value: object, *, count: bool = False) -> float:
    """Parse a number written the Vietnamese or the English way; NaN when it is not one.

    ``count=True`` is for counts (population, households): ``"1.234"`` and ``"1,234"`` are both
    1234 (a dot or comma between groups of three digits separates thousands). Otherwise the
    last of ``.``/``,`` is the decimal mark (``"35,5"`` = 35.5, ``"1.234,5"`` = 1234.5).

    >>> parse_number("1.234", count=True), parse_number("35,5"), parse_number("1.234,5")
    (1234.0, 35.5, 1234.5)
    """
    if value is None:
        return float("nan")
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s*(m|mhz|dbm|db|°|deg|do|nguoi|ho)$", "", text, flags=re.I).strip()
    if not text:
        return float("nan")
    if count and _THOUSANDS.match(text):
        return float(re.sub(r"[.,\s]", "", text))
    text = text.replace(" ", "")
    if "," in text and "." in text:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if dec == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", "") if text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _plain_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def map_unique(values: object, fn: Callable[[object], object]) -> np.ndarray:
    """``fn`` applied to each distinct value only (columns repeat few values), as an array."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None)
    return mapped[codes]


def parse_numbers(series: pd.Series, *, count: bool = False,
                  parser: Callable[[object], float] | None = None,
                  ) -> tuple[np.ndarray, list[int], list[int]]:
    """Parse a column into floats (vectorised for plain numbers, per distinct value otherwise).

    Parameters
    ----------
    series
        The column, numbers or text.
    count
        Counts (population, households): ``"1.234"`` is 1234; see :func:`parse_number`.
    parser
        The per-value parser for text that is not a plain number (default
        :func:`parse_number`).

    Returns
    -------
    values, text_rows, bad_rows
        The floats (NaN where empty or unparseable), the 0-based positions whose value was
        text that had to be parsed (e.g. ``"1.234"``), and the positions that are not numbers.
    """
    raw = pd.Series(series.to_numpy(dtype=object), dtype=object)
    is_text = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool) if len(raw) else \
        np.zeros(0, dtype=bool)
    text = raw.where(is_text, None).astype("string").str.strip()
    empty = (raw.isna() | (text == "").fillna(False)).to_numpy(dtype=bool)
    # plain numbers (Python numbers, or text like "12" / "12.5"): vectorised
    plain = np.array(pd.to_numeric(raw.where(~is_text, text), errors="coerce"), dtype="float64")
    if count:
        grouped = text.str.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+").fillna(False).to_numpy(bool)
        plain[grouped] = np.nan  # "1.234" is a thousand-two-hundred-and-thirty-four people
    # decimal commas ("106,2712"): vectorised too
    comma = (~empty & ~np.isfinite(plain)
             & text.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).to_numpy(bool))
    if count:
        comma &= ~grouped
    if comma.any():
        plain[comma] = np.array(pd.to_numeric(text[comma].str.replace(",", ".", regex=False),
                                              errors="coerce"), dtype="float64")
    values = plain.copy()
    slow = ~empty & ~np.isfinite(plain)
    if slow.any():
        fn = parser or (lambda v: parse_number(v, count=count))
        values[slow] = map_unique(raw[slow].to_numpy(), fn).astype("float64")
    text_rows = np.flatnonzero(is_text & (slow | comma) & np.isfinite(values)).tolist()
    bad_rows = np.flatnonzero(~empty & ~np.isfinite(values)).tolist()
    return values, text_rows, bad_rows


# -- categorical values ---------------------------------------------------------------------

_OPERATOR_WORDS = {
    "Viettel": ("viettel", "vietel", "vtl", "viettel_telecom", "viettel_mobile", "vt"),
    "VinaPhone": ("vinaphone", "vina", "vnpt", "gpc", "vnpt_vinaphone", "vina_phone", "vnp"),
    "MobiFone": ("mobifone", "mobi", "mobiphone", "vms", "mobi_fone", "mbf", "mobifone_vms"),
    "Vietnamobile": ("vietnamobile", "vnmobile", "vietnam_mobile", "ht_mobile", "htmobile",
                     "vnm", "vietnamobi"),
    "Gmobile": ("gmobile", "g_mobile", "beeline", "gtel", "gtel_mobile", "gtelmobile"),
    "iTel": ("itel", "indochina_telecom", "dong_duong_telecom"),
    "Wintel": ("wintel", "reddi"),
}
_OPERATOR_LOOKUP = {w: name for name, words in _OPERATOR_WORDS.items() for w in words}
_MCC_MNC = re.compile(r"^452[\s_-]?0?(\d{1,2})$")


_FIXED_WORDS = {
    "Viettel": ("viettel", "vietel", "vtl", "viettel_telecom", "vt"),
    "VNPT": ("vnpt", "vinaphone", "vina", "vnpt_vinaphone", "vnpt_net", "vnp", "buu_dien"),
    "FPT Telecom": ("fpt", "fpt_telecom", "fpt_telecome"),
    "CMC Telecom": ("cmc", "cmc_telecom", "cmc_ti"),
    "SCTV": ("sctv",),
    "MobiFone": ("mobifone", "mobi", "vms", "mbf"),
    "EVNTelecom": ("evn", "evntelecom", "evn_telecom", "dien_luc"),
}
_FIXED_LOOKUP = {w: name for name, words in _FIXED_WORDS.items() for w in words}


def _lookup_name(lookup: dict[str, str], value: object, *, min_word: int) -> str | None:
    """The canonical name ``lookup`` (spelling -> name) gives ``value``; None if none or several.

    The whole header key is looked up first; else the one name one of whose spellings (at
    least ``min_word`` characters long) stands as a word of the key.
    """
    key = header_key(value)
    if key in lookup:
        return lookup[key]
    found = {name for w, name in lookup.items()
             if len(w) >= min_word and re.search(rf"(^|_){w}(_|$)", key)}
    return found.pop() if len(found) == 1 else None


def normalise_fixed_operator(value: object) -> str | None:
    """Canonical name of a fixed-network (fiber) operator; None if unknown.

    Fiber belongs to the fixed networks, where VNPT (not its mobile arm VinaPhone) is the
    name users know: ``"VNPT-Net"`` and ``"Vinaphone"`` become ``"VNPT"``.

    >>> normalise_fixed_operator("vnpt"), normalise_fixed_operator("FPT Telecom")
    ('VNPT', 'FPT Telecom')
    """
    if value is None:
        return None
    return _lookup_name(_FIXED_LOOKUP, value, min_word=3)


def normalise_operator(value: object, *, mnc_column: bool = False) -> str | None:
    """Canonical operator name (DOMAIN.md section 5) for a name or MCC-MNC code; None if unknown.

    >>> normalise_operator("VNPT"), normalise_operator("452-04"), normalise_operator("45201")
    ('VinaPhone', 'Viettel', 'MobiFone')
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    m = _MCC_MNC.match(text)
    if m:
        return OPERATORS_BY_MNC.get(f"452-{int(m.group(1)):02d}")
    if mnc_column and re.fullmatch(r"0?\d{1,2}", text):
        return OPERATORS_BY_MNC.get(f"452-{int(text):02d}")
    return _lookup_name(_OPERATOR_LOOKUP, text, min_word=4)


_TECH_PATTERNS = (
    ("2G", r"2g|gsm|dcs|edge|gprs"),
    ("3G", r"3g|umts|wcdma|hspa\+?|hsdpa|hsupa|w_cdma"),
    ("4G", r"4g|lte|lte_a|lte_advanced|lte_adv|4g_lte|4g\+|lte\+"),
    ("5G", r"5g|nr|5g_nr|5gnr"),
)


def normalise_tech(value: object) -> str | None:
    """Technologies as a canonical sorted string, e.g. ``"2G/3G/4G"``; None if none recognised.

    >>> normalise_tech("LTE, GSM"), normalise_tech("5G NR"), normalise_tech("UMTS/LTE-A")
    ('2G/4G', '5G', '3G/4G')
    """
    if value is None:
        return None
    text = str(value).lower().replace("+", "")
    tokens = [t for t in re.split(r"[\s/,;&|]+", text.replace("-", "_")) if t]
    # rejoin pairs like "5g nr", "4g lte", "lte advanced"
    found: set[str] = set()
    for tok in tokens:
        hit = next((name for name, pat in _TECH_PATTERNS if re.fullmatch(pat, tok)), None)
        if hit:
            found.add(hit)
        elif tok not in ("advanced", "adv", "a", "and", "va"):
            return None  # an unknown word: keep the value as given (reported)
    if not found:
        return None
    return "/".join(sorted(found))


def _prefix_map(rules: tuple[tuple[str, str], ...]) -> Callable[[object], str | None]:
    compiled = [(re.compile(p), v) for p, v in rules]

    def fn(value: object) -> str | None:
        if value is None:
            return None
        key = header_key(value)
        for pat, v in compiled:
            if pat.search(key):
                return v
        return None

    return fn


#: Road classes: Vietnamese names and abbreviations (QL = quốc lộ, ĐT = đường tỉnh, ĐH =
#: đường huyện, ĐX = đường xã), English names, and OSM ``highway`` values (the OSM Vietnam
#: tagging: trunk = quốc lộ, primary = tỉnh lộ, secondary = huyện lộ, tertiary = đường xã).
normalise_road_class = _prefix_map((
    (r"^(national|motorway|trunk|ql|quoc_lo|cao_toc|duong_cao_toc|ct)(_|\d|$)", "national"),
    (r"^(provincial|primary|dt|tl|tinh_lo|duong_tinh)(_|\d|$)", "provincial"),
    (r"^(district|secondary|dh|hl|huyen_lo|duong_huyen)(_|\d|$)", "district"),
    (r"^(commune|tertiary|dx|duong_xa|lien_xa|xa_lo|duong_lien_xa)(_|\d|$)", "commune"),
    (r"^(village|unclassified|residential|living_street|service|track|duong_thon|thon|xom|"
     r"ngo|hem|ngach|kiet|duong_lang|lien_thon|duong_xom|duong_noi_dong|noi_dong|"
     r"duong_ngo)(_|\d|$)", "village"),
    (r"^(urban|street|pho|duong_pho|do_thi|duong_do_thi|noi_thi)(_|\d|$)", "urban"),
    (r"^(other|khac|path|footway|cycleway)(_|$)", "other"),
))

#: Facility kinds: Vietnamese, English and OSM ``amenity`` values.
normalise_facility_kind = _prefix_map((
    (r"(^|_)(school|kindergarten|college|university|truong|mam_non|mau_giao|tieu_hoc|"
     r"thcs|thpt|hoc)(_|$)", "school"),
    (r"(^|_)(health|health_station|clinic|hospital|doctors|tram_y_te|tyt|y_te|benh_vien|"
     r"phong_kham)(_|$)", "health_station"),
    (r"(^|_)(commune_office|townhall|town_hall|ubnd|uy_ban|tru_so|tru_so_ubnd|"
     r"government)(_|$)", "commune_office"),
    (r"(^|_)(industrial|industrial_zone|kcn|khu_cong_nghiep|ccn|cum_cong_nghiep|"
     r"khu_che_xuat|kcx)(_|$)", "industrial_zone"),
    (r"^(other|khac)$", "other"),
))

#: Fiber levels: trục (backbone), phân phối (distribution), truy nhập (access).
normalise_level = _prefix_map((
    (r"(^|_)(backbone|core|trunk|truc|truc_chinh|lien_tinh|cap_1)(_|$)", "backbone"),
    (r"(^|_)(distribution|feeder|phan_phoi|cap_2)(_|$)", "distribution"),
    (r"(^|_)(access|drop|truy_nhap|thue_bao|cap_3)(_|$)", "access"),
))

#: Installation: treo / nổi (aerial), ngầm (underground), cống bể (duct).
normalise_installation = _prefix_map((
    (r"(^|_)(aerial|overhead|treo|noi|tren_cot|cap_treo)(_|$)", "aerial"),
    (r"(^|_)(duct|conduit|cong_be|cong|be|ong|ong_ngam)(_|$)", "duct"),
    (r"(^|_)(underground|buried|ngam|chon_ngam|cap_ngam)(_|$)", "underground"),
))

#: Tower zoning rules: no new tower at all (cấm xây dựng cột mới), or non-bulky A1 only (chỉ cột
#: A1 / không cồng kềnh).
normalise_zone_rule = _prefix_map((
    (r"(^|_)(no_new_tower|no_tower|forbidden|prohibited|cam|cam_xay|cam_xay_dung|"
     r"khong_xay|khong_duoc_xay)(_|$)", "no_new_tower"),
    (r"(^|_)(a1_only|a1|only_a1|non_bulky|khong_cong_kenh|chi_a1|cot_a1|nguy_trang)(_|$)",
     "a1_only"),
))

#: Which canonical columns of which kinds get which value normaliser.
VALUE_NORMALISERS: dict[tuple[str, str], Callable[[object], str | None]] = {
    ("sites", "tech"): normalise_tech,
    ("measurements", "tech"): normalise_tech,
    ("roads", "road_class"): normalise_road_class,
    ("facilities", "kind"): normalise_facility_kind,
    ("fiber", "level"): normalise_level,
    ("fiber", "installation"): normalise_installation,
    ("zones", "rule"): normalise_zone_rule,
}


#: Names given to hamlets and admin units whose required name is empty (``{row}`` = the
#: 1-based data row), in the form the OSM importer uses for unnamed places.
UNNAMED = {"villages": "Thôn chưa tên (dòng {row})", "admin": "Đơn vị chưa tên (dòng {row})"}


def name_unnamed(df: pd.DataFrame, kind: str, report: LoadReport) -> None:
    """Fill an empty ``name`` of a hamlet or admin unit with :data:`UNNAMED` and say so.

    The name is required; a row with an empty one is kept (its position and population
    count), labelled by its row so that every table, map and message can name it.
    """
    if kind not in UNNAMED or "name" not in df or not len(df):
        return
    values = df["name"].to_numpy(dtype=object)
    empty = np.array([v is None or (isinstance(v, float) and np.isnan(v))
                      or (isinstance(v, str) and not v.strip()) for v in values], dtype=bool)
    if not empty.any():
        return
    rows = df.index.to_numpy()[empty]
    values = values.copy()
    values[empty] = [UNNAMED[kind].format(row=int(r) + 1) for r in rows]
    df["name"] = values
    example = UNNAMED[kind].format(row=int(rows[0]) + 1)
    report.warn(f"name is empty in row(s) {format_rows(rows)}: named {example!r} and so on "
                "(fill in the names to see them in the results).",
                f"Tên trống ở dòng {format_rows(rows)}: đặt tên {example!r} ... (điền tên để "
                "thấy trong kết quả).")


def normalise_values(df: pd.DataFrame, kind: str, mapping: dict[str, str],
                     report: LoadReport) -> None:
    """Normalise the categorical columns of ``df`` (canonical names) in place and report.

    Unrecognised values are kept as given and named in a warning with their rows. Empty
    names of hamlets and admin units are filled (:func:`name_unnamed`).
    """
    name_unnamed(df, kind, report)
    if "operator" in df and kind in ("sites", "measurements"):
        src_key = header_key(mapping.get("operator", "operator"))
        mnc = src_key in ("mnc", "mcc_mnc", "plmn", "ma_mang")
        _apply(df, "operator", lambda v: normalise_operator(v, mnc_column=mnc), report,
               multi=True)
    elif "operator" in df and kind in ("fiber", "fiber_nodes"):
        _apply(df, "operator", normalise_fixed_operator, report, multi=True)
    for (k, col), fn in VALUE_NORMALISERS.items():
        if k == kind and col in df:
            _apply(df, col, fn, report)


def _apply(df: pd.DataFrame, col: str, fn: Callable[[object], str | None], report: LoadReport,
           *, multi: bool = False) -> None:
    def one(v: object) -> tuple[str, object]:
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            return "empty", None
        norm = fn(v)
        if norm is None and multi:
            parts = [p for p in re.split(r"\s*[,;/+&]\s*", str(v)) if p.strip()]
            names = [fn(p) for p in parts]
            if len(parts) > 1 and all(names):
                norm = "/".join(dict.fromkeys(n for n in names if n))
        if norm is None:
            return "unknown", v
        return ("same" if norm == v else "changed"), norm

    results = map_unique(df[col].to_numpy(dtype=object), one)
    status = np.array([r[0] for r in results], dtype=object)
    df[col] = np.array([r[1] for r in results], dtype=object)
    changed = int((status == "changed").sum())
    rows = df.index.to_numpy()
    if changed:
        report.warn(f"{col}: {changed} value(s) written in other forms were normalised "
                    "(e.g. VNPT -> VinaPhone, LTE -> 4G).",
                    f"{col}: chuẩn hoá {changed} giá trị viết theo cách khác "
                    "(ví dụ VNPT -> VinaPhone, LTE -> 4G).")
    unknown = status == "unknown"
    if unknown.any():
        values = df[col].to_numpy(dtype=object)
        for value in dict.fromkeys(str(v) for v in values[unknown]):
            where = rows[unknown & (df[col].astype(str).to_numpy() == value)]
            report.warn(f"{col}: value {value!r} is not recognised and is kept as given "
                        f"(row(s) {format_rows(where)}).",
                        f"{col}: không nhận ra giá trị {value!r}, giữ nguyên "
                        f"(dòng {format_rows(where)}).")


def _id_text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def generate_ids(df: pd.DataFrame, kind: str, id_col: str, report: LoadReport) -> None:
    """Fill missing ids with stable generated ones and say so.

    A generated id is the prefix of the kind and the 1-based data row of the file (``V0001``
    = row 1; ``df.index`` holds the 0-based file rows), so ids do not change when other rows
    are rejected or the file is re-read.
    """
    prefix = ID_PREFIX.get(kind, "R")
    file_rows = (df.index.to_numpy() + 1).astype(str)
    generated = np.char.add(prefix, np.char.zfill(file_rows, 4)).astype(object)
    if id_col not in df:
        df[id_col] = generated
        report.warn(f"No {id_col} column: ids {prefix}0001... were generated from the row "
                    f"numbers ({prefix}0001 = row 1).",
                    f"Không có cột {id_col}: đã tạo mã {prefix}0001... theo số dòng "
                    f"({prefix}0001 = dòng 1).")
        return
    as_text = map_unique(df[id_col].to_numpy(dtype=object), _id_text)
    missing = np.array([v is None for v in as_text], dtype=bool)
    if missing.any():
        taken = set(as_text[~missing])
        fill = [g if g not in taken else f"{g}_gen" for g in generated[missing]]
        as_text[missing] = fill
        rows = df.index.to_numpy()[missing].tolist()
        report.warn(f"{id_col} was empty in row(s) {format_rows(rows)}: ids were generated "
                    f"from the row number ({prefix}0001 = row 1).",
                    f"{id_col} trống ở dòng {format_rows(rows)}: đã tạo mã theo số dòng "
                    f"({prefix}0001 = dòng 1).")
    df[id_col] = as_text
