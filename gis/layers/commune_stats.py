"""Reading the per-commune statistics table: subscriptions, smartphones, i-Speed medians.

Some indicators of the plans cannot be computed from a map (DOMAIN.md sections 0 and 1):
subscriptions per 100 people (mobile and fixed broadband), the smartphone share and the i-Speed
median download speeds (mobile and fixed). A planner gives them as a CSV or XLSX with one row
per commune, keyed by commune code or name (former or 2025 units; a district and province
column help). :func:`read_commune_statistics` reads it; the matching to the crosswalk and the
indicators are :mod:`gis.analysis.units.stats`.

A blank cell, ``-``, ``n/a``, ``không có`` or ``chưa có`` is a value **not given** (NaN, shown as
"not given"), never 0. A smartphone share written in percent (any value above 1, or a ``%``
sign) is divided by 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gis.errors import ValidationError, format_rows
from gis.layers.formats import read_table
from gis.layers.normalise import parse_number
from gis.layers.schema import header_key

__all__ = ["KEY_COLUMNS", "STAT_COLUMNS", "CommuneStats", "read_commune_statistics",
           "statistics_frame"]

#: The statistics, canonical column -> (Vietnamese, English, unit).
STAT_COLUMNS: dict[str, tuple[str, str, str]] = {
    "subs_mobile_per100": ("Thuê bao băng rộng di động / 100 dân",
                           "Mobile broadband subscriptions per 100 people", "per 100 people"),
    "subs_fixed_per100": ("Thuê bao băng rộng cố định / 100 dân",
                          "Fixed broadband subscriptions per 100 people", "per 100 people"),
    "smartphone_share": ("Tỷ lệ người dùng điện thoại thông minh", "Smartphone share",
                         "share"),
    "ispeed_mobile_mbps": ("Tốc độ tải xuống di động (i-Speed, trung vị)",
                           "Mobile download speed (i-Speed median)", "Mbit/s"),
    "ispeed_fixed_mbps": ("Tốc độ tải xuống cố định (i-Speed, trung vị)",
                          "Fixed download speed (i-Speed median)", "Mbit/s"),
}

#: Columns that say which commune a row is.
KEY_COLUMNS = ("commune_code", "commune", "district", "province", "population")

_ALIASES: dict[str, tuple[str, ...]] = {
    "commune_code": ("commune_code", "ma_xa", "ma", "code", "ma_dvhc", "ma_don_vi", "ma_so",
                     "ma_xa_phuong", "ward_code", "adm3_pcode"),
    "commune": ("commune", "xa", "ten_xa", "ten", "ten_don_vi", "don_vi", "phuong_xa",
                "xa_phuong", "ten_xa_phuong", "ward", "name", "adm3_vi", "adm3_en"),
    "district": ("district", "huyen", "ten_huyen", "quan_huyen", "huyen_cu"),
    "province": ("province", "tinh", "ten_tinh", "tinh_thanh", "tinh_thanh_pho"),
    "population": ("population", "dan_so", "so_dan", "tong_dan_so", "dan_so_nguoi"),
}

_NOT_GIVEN = {"", "-", "–", "—", "n/a", "na", "nan", "none", "null", "khong co", "chua co",
              "khong", "kxd", "?", "..."}


def _stat_of(key: str) -> str | None:
    """The statistic a header names, by its words (``thue_bao_di_dong_100_dan``, ...)."""
    words = set(key.split("_"))
    if key in STAT_COLUMNS:
        return key
    mobile = bool(words & {"di", "mobile", "dd"}) and ("dong" in words or "mobile" in words
                                                        or "dd" in words)
    fixed = ("co" in words and "dinh" in words) or bool(words & {"fixed", "cd", "ftth"})
    speed = bool(words & {"speed", "ispeed", "mbps", "mbit"}) or "toc_do" in key
    if "smartphone" in words or "thong_minh" in key:
        return "smartphone_share"
    if speed and mobile:
        return "ispeed_mobile_mbps"
    if speed and fixed:
        return "ispeed_fixed_mbps"
    per100 = "100" in words or "tram" in words or "per100" in words
    subs = bool(words & {"thue", "subscriptions", "subs", "subscribers", "tb"})
    if (per100 or subs) and mobile:
        return "subs_mobile_per100"
    if (per100 or subs) and fixed:
        return "subs_fixed_per100"
    return None


def _columns(headers: list[str]) -> dict[str, str]:
    """Header -> canonical column, the first header that fits each column."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    keys = {h: header_key(h) for h in headers}
    for canon, aliases in _ALIASES.items():
        for h in headers:
            if h not in out and keys[h] in aliases and canon not in taken:
                out[h] = canon
                taken.add(canon)
    for h in headers:
        if h in out:
            continue
        stat = _stat_of(keys[h])
        if stat and stat not in taken:
            out[h] = stat
            taken.add(stat)
    return out


@dataclass
class CommuneStats:
    """The statistics table as read.

    Attributes
    ----------
    table
        One row per row of the file: the :data:`KEY_COLUMNS` found (text; ``population`` in
        people) and the :data:`STAT_COLUMNS` found (floats, NaN = not given).
    mapping
        File header -> canonical column.
    notes
        What was assumed or not read, (English, Vietnamese) pairs.
    """

    table: pd.DataFrame
    mapping: dict[str, str]
    notes: list[tuple[str, str]] = field(default_factory=list)


def statistics_frame(raw: pd.DataFrame, *, display: str = "statistics") -> CommuneStats:
    """The canonical statistics table from a frame of text cells (see the module docstring).

    Raises
    ------
    ValidationError
        When no column names a commune (code or name), or none holds a statistic.
    """
    headers = [str(c) for c in raw.columns]
    mapping = _columns(headers)
    found = set(mapping.values())
    if not found & {"commune_code", "commune"}:
        raise ValidationError(
            "The statistics table has no commune code or name column; its columns: "
            f"{', '.join(headers)}.",
            "Bảng số liệu không có cột mã xã hoặc tên xã; các cột: " + ", ".join(headers) + ".",
            file=display, fix="Add a column 'ma_xa' (commune code) or 'ten_xa' (commune name).",
            fix_vi="Thêm cột 'ma_xa' (mã xã) hoặc 'ten_xa' (tên xã).")
    if not found & set(STAT_COLUMNS):
        raise ValidationError(
            "The statistics table has no column of subscriptions per 100 people, smartphone "
            f"share or i-Speed speed; its columns: {', '.join(headers)}.",
            "Bảng số liệu không có cột thuê bao/100 dân, tỷ lệ điện thoại thông minh hay tốc "
            "độ i-Speed; các cột: " + ", ".join(headers) + ".",
            file=display,
            fix="Name the columns e.g. subs_mobile_per100, subs_fixed_per100, smartphone_share, "
                "ispeed_mobile_mbps, ispeed_fixed_mbps.",
            fix_vi="Đặt tên cột ví dụ thue_bao_di_dong_100_dan, thue_bao_co_dinh_100_dan, "
                   "ty_le_smartphone, toc_do_di_dong_mbps, toc_do_co_dinh_mbps.")
    out = pd.DataFrame(index=range(len(raw)))
    notes: list[tuple[str, str]] = []
    for header, canon in mapping.items():
        col = raw[header].astype(object).tolist()
        if canon in ("commune_code", "commune", "district", "province"):
            out[canon] = [None if v is None or header_key(v) in _NOT_GIVEN else
                          _code_text(v) if canon == "commune_code" else str(v).strip()
                          for v in col]
            continue
        values = np.full(len(col), np.nan)
        bad, percent_sign = [], False
        for i, v in enumerate(col):
            text = "" if v is None else str(v).strip()
            if header_key(text) in _NOT_GIVEN or (isinstance(v, float) and np.isnan(v)):
                continue
            percent_sign |= text.endswith("%")
            x = parse_number(text.rstrip("% ").strip(), count=canon == "population")
            if np.isfinite(x) and x >= 0:
                values[i] = x
            else:
                bad.append(i)
        if bad:
            notes.append((f"Column {header!r}: rows {format_rows(bad)} are not numbers; read as "
                          "not given.",
                          f"Cột {header!r}: dòng {format_rows(bad)} không phải số; coi như "
                          "không có số liệu."))
        if canon == "smartphone_share" and (percent_sign or np.nanmax(values, initial=0) > 1):
            values = values / 100.0
            notes.append((f"Column {header!r} read as percent (divided by 100).",
                          f"Cột {header!r} được đọc theo phần trăm (chia 100)."))
        out[canon] = values
    notes.insert(0, ("Columns read: " + ", ".join(f"{h} -> {c}" for h, c in mapping.items())
                     + ".",
                     "Các cột đã đọc: " + ", ".join(f"{h} -> {c}" for h, c in mapping.items())
                     + "."))
    return CommuneStats(out, mapping, notes)


def _code_text(v: object) -> str:
    """A commune code as text: ``14215``, ``"014215"`` and ``14215.0`` are ``"14215"``."""
    text = str(v).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return str(int(float(text))).zfill(5)
    return text


def read_commune_statistics(path: str | Path, *, sheet: str | None = None) -> CommuneStats:
    """Read a per-commune statistics CSV or XLSX (see the module docstring).

    Parameters
    ----------
    path
        The file (CSV in any common encoding and delimiter, or XLSX).
    sheet
        The XLSX sheet (default: the first).
    """
    path = Path(path)
    raw = read_table([path], display=path.name, layer=sheet)
    result = statistics_frame(pd.DataFrame(raw.df), display=path.name)
    result.notes = [*raw.notes, *result.notes]
    return result
