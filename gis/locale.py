"""Numbers, shares, yes / no and codes as people read them, in Vietnamese or English.

One module for every human-facing value of the tool (the app, the exports people open, the KML
balloons); the words are :mod:`gis.labels`. Vietnamese writes ``8.378`` (a point groups the
thousands) and ``81,8 %`` (a comma before the decimals, a space before the per cent sign);
English ``8,378`` and ``81.8 %``.

>>> format_number(8378, "vi"), format_number(8378.26, "en", 1), format_percent(0.818, "vi")
('8.378', '8,378.3', '81,8 %')
>>> format_bool(True, "vi"), format_bool(False, "en"), format_bool(True, "vi", met=True)
('Có', 'No', 'Đạt')

:func:`readable` turns a result table into what a person reads: booleans as words, status and
other codes as words, whole counts as integers (``668``, not ``668.0``), one language of the
columns that come in both, redundant code columns dropped. The GIS formats (GeoJSON,
GeoPackage, Shapefile) keep the canonical values and names, which scripts and GIS read back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gis.analysis.facilities import KIND_LABELS as FACILITY_KIND_LABELS
from gis.analysis.targets import NOT_SHARE_UNITS
from gis.labels import (
    BOOLEAN_LABELS,
    CANDIDATE_LABELS,
    FIBER_LEVEL_LABELS,
    FIBER_PLAN_LABELS,
    MET_LABELS,
    OPERATOR_NAMES,
    ROAD_CLASS_LABELS,
    SCOPE_LABELS,
    SHARE_BASIS_LABELS,
    STATUS_LABELS,
    TEXT,
    TIER_LABELS,
    check_lang,
    indicator_note,
)

__all__ = [
    "NOT_SHARE_UNITS",
    "VALUE_WORDS",
    "decimals_for",
    "format_bool",
    "format_number",
    "format_percent",
    "format_value",
    "is_share_column",
    "operator_name",
    "readable",
    "share_rows",
    "value_word",
]

#: Decimal mark and thousands separator per language.
_MARKS = {"vi": (",", "."), "en": (".", ",")}
EMPTY = "—"

#: Column -> code -> (vi, en): the words of the codes result tables hold. A column not here
#: keeps its values (names, ids); the operator columns are spelt by :func:`operator_name`.
VALUE_WORDS: dict[str, Mapping[object, tuple[str, str]]] = {
    "status": STATUS_LABELS,
    "fiber_plan_status": FIBER_PLAN_LABELS,
    "scope_level": SCOPE_LABELS,
    "scope_type": SCOPE_LABELS,
    "candidate_kind": CANDIDATE_LABELS,
    "share_basis": SHARE_BASIS_LABELS,
    "road_class": ROAD_CLASS_LABELS,
    "level": FIBER_LEVEL_LABELS,
    "tier": TIER_LABELS,
    "kind": FACILITY_KIND_LABELS,
    "gap_unit": {k.removesuffix("_unit"): v for k, v in TEXT.items() if k.endswith("_unit")},
    "direction": {">=": ("≥", "≥"), "<=": ("≤", "≤")},
}
#: Columns naming operators (one, or several joined by ``/`` or ``, ``).
OPERATOR_COLUMNS = ("operator", "operators", "host_operators", "fix_colocation_operator",
                    "est_dl_mobile_operator")
#: Code columns left out of a readable table when the column they code is there in words.
REDUNDANT = {"status_label": "status", "reason_code": "reason", "indicator_id": "name_vi"}

_SHARE = re.compile(r"(^|_)(share|rate)(_|$)|^pop_share|^hh_share|^cov_\dg_")


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def format_number(value: object, lang: str = "vi", decimals: int = 0, *,
                  grouping: bool = True, empty: str = EMPTY) -> str:
    """``value`` with ``decimals`` decimals in ``lang`` (``8.378`` / ``8,378``).

    ``grouping=False`` leaves out the thousands separator (for CSV cells, where ``8.378``
    would be read as a decimal by a spreadsheet set to English). Missing values give
    ``empty``; text that is not a number is returned as it is.
    """
    if _missing(value):
        return empty
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    text = f"{v:,.{decimals}f}" if grouping else f"{v:.{decimals}f}"
    if text in ("-0", "-0." + "0" * decimals):
        text = text[1:]
    dec, group = _MARKS[check_lang(lang)]
    return text.replace(",", "\0").replace(".", dec).replace("\0", group)


def format_percent(share: object, lang: str = "vi", decimals: int = 1, *,
                   empty: str = EMPTY) -> str:
    """A share 0-1 as a percentage: ``81,8 %`` (vi), ``81.8 %`` (en)."""
    if _missing(share):
        return empty
    try:
        v = 100.0 * float(share)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(share)
    return f"{format_number(v, lang, decimals, grouping=True)} %"


def format_bool(value: object, lang: str = "vi", *, met: bool = False,
                empty: str = "") -> str:
    """``Có`` / ``Không`` (``Yes`` / ``No``); ``Đạt`` / ``Chưa đạt`` with ``met``."""
    if _missing(value):
        return empty
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            value = low == "true"
        else:
            return value
    words = (MET_LABELS if met else BOOLEAN_LABELS)[bool(value)]
    return words[0] if check_lang(lang) == "vi" else words[1]


def operator_name(value: object) -> object:
    """The one spelling of an operator (``vinaphone`` -> ``VinaPhone``); several joined by
    ``/`` or ``, `` are spelt one by one. Unknown names are kept."""
    if _missing(value) or not isinstance(value, str):
        return value
    parts = re.split(r"(\s*/\s*|,\s*|;\s*)", value)
    return "".join(OPERATOR_NAMES.get(p.strip().lower(), p) for p in parts)


def value_word(column: str, value: object, lang: str = "vi") -> object:
    """The word of code ``value`` in ``column`` (:data:`VALUE_WORDS`), else ``value``; codes
    joined by ``;`` or ``, `` (``polygon_differs;far_from_named``) are worded one by one.

    >>> value_word("status", "weak_spot", "vi"), value_word("fiber_plan_status", "x", "en")
    ('Lõm sóng', 'x')
    """
    table = VALUE_WORDS.get(column)
    if table is None or _missing(value):
        return value
    i = 0 if check_lang(lang) == "vi" else 1
    pair = table.get(value)
    if pair is not None:
        return pair[i]
    if isinstance(value, str) and (";" in value or ", " in value):
        parts = [p.strip() for p in re.split(r";|, ", value) if p.strip()]
        if parts and all(p in table for p in parts):
            return "; ".join(table[p][i] for p in parts)
    return value


def is_share_column(column: str, columns: object = ()) -> bool:
    """Whether ``column`` holds shares 0-1 (shown as percentages): ``pop_share_4g``,
    ``hh_share_ftth``, ``sharing_rate``, ``cov_4g_viettel``, and an indicator table's
    ``value`` / ``target`` (the indicators are all shares)."""
    if column in ("value", "target"):
        return "indicator_id" in columns or "name_vi" in columns or "indicator" in columns
    return bool(_SHARE.search(str(column)))



def share_rows(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Per row, whether ``column`` of ``frame`` holds a share (see :func:`is_share_column`):
    an indicator table's ``value`` / ``target`` are shares except in the rows whose
    ``gap_unit`` is :data:`NOT_SHARE_UNITS`."""
    n = len(frame)
    if not is_share_column(column, list(frame.columns)):
        return np.zeros(n, bool)
    if column in ("value", "target") and "gap_unit" in frame:
        return ~frame["gap_unit"].astype(str).isin(NOT_SHARE_UNITS).to_numpy()
    return np.ones(n, bool)


def decimals_for(column: str) -> int:
    """Decimals a number of ``column`` is shown with: 6 for degrees (``lon``, ``lat``: about
    0.1 m), 2 for kilometres, 1 otherwise (metres, dB, dBm, VND per metre...)."""
    c = str(column)
    if c in ("lon", "lat") or c.endswith(("_lon", "_lat")):
        return 6
    if c.endswith("_km"):
        return 2
    return 1


def format_value(column: str, value: object, lang: str = "vi", *, grouping: bool = True,
                 whole: bool | None = None, columns: object = ()) -> str:
    """One cell of ``column`` as text in ``lang`` (what :func:`readable` does to a column)."""
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return format_bool(value, lang, met=column == "met")
    if column in VALUE_WORDS:
        return str(value_word(column, value, lang))
    if column in OPERATOR_COLUMNS:
        return str(operator_name(value))
    if isinstance(value, int | float | np.integer | np.floating):
        if is_share_column(column, columns):
            return format_percent(value, lang)
        digits = decimals_for(column)
        if whole is None:   # whole once rounded to the digits shown: 2255.99996 reads 2256
            whole = round(float(value), digits).is_integer()
        if whole and column not in ("lon", "lat"):
            return format_number(value, lang, 0, grouping=grouping)
        return format_number(value, lang, digits, grouping=False
                             if column in ("lon", "lat") else grouping)
    return str(value)


def _bool_like(s: pd.Series, name: str = "") -> bool:
    if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
        return True
    if name == "met" and pd.api.types.is_numeric_dtype(s):   # read back from a file as 0 / 1
        vals = s.dropna()
        return bool(len(vals)) and bool(vals.isin([0, 1]).all())
    if s.dtype != object:
        return False
    vals = s.dropna()
    return bool(len(vals)) and bool(vals.map(lambda v: isinstance(v, bool | np.bool_)).all())


def _one_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Keep the ``lang`` version of columns given in both languages: ``name_vi`` /
    ``name_en`` become ``indicator``; ``X_vi`` / ``X_en`` become ``X``; ``X`` (English) with
    ``X_vi`` becomes ``X`` in ``lang``."""
    out = frame
    other = "en" if lang == "vi" else "vi"
    if {"name_vi", "name_en"} <= set(out.columns):
        out = out.drop(columns=f"name_{other}").rename(columns={f"name_{lang}": "indicator"})
    for col in list(out.columns):
        col = str(col)
        if col.endswith("_vi") and f"{col[:-3]}_en" in out:
            base = col[:-3]
            if base in out:  # a code column beside its two texts
                out = out.drop(columns=base)
            out = out.drop(columns=f"{base}_{other}").rename(columns={f"{base}_{lang}": base})
        elif col.endswith("_vi") and col[:-3] in out:
            base = col[:-3]
            if base in VALUE_WORDS:      # codes with their Vietnamese words: the words win
                out = out.drop(columns=col)
            elif lang == "vi":
                out = out.drop(columns=base).rename(columns={col: base})
            else:
                out = out.drop(columns=col)
    return out


def readable(frame: pd.DataFrame, lang: str = "vi", *, text: bool = False,
             grouping: bool = True) -> pd.DataFrame:
    """``frame`` as a person reads it in ``lang``: a new table, the input is not changed.

    * booleans -> ``Có`` / ``Không`` (``met`` -> ``Đạt`` / ``Chưa đạt``), empty when missing;
    * codes -> words (:data:`VALUE_WORDS`), operators spelt one way (:func:`operator_name`);
    * whole-number float columns (counts read with a missing value) -> integers;
    * one language of the columns given in both; the code columns :data:`REDUNDANT` with their
      words dropped; the geometry column dropped.

    With ``text=True`` every number is formatted too (:func:`format_value`: shares as
    percentages, decimals with the language's mark; thousands grouped unless
    ``grouping=False``), for CSV cells, KML balloons and tables on screen. Without it numbers
    stay numbers (XLSX cells, formatted there by number formats).
    """
    check_lang(lang)
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    out = _one_language(out, lang)
    out = out.drop(columns=[c for c, words in REDUNDANT.items()
                            if c in out and (words in out or (words == "name_vi"
                                                              and "indicator" in out))])
    if "scope" in out and "scope_type" in out:      # the area row of the sharing rates
        area = (out["scope_type"] == "area").to_numpy()
        out["scope"] = out["scope"].astype(object).where(~area, SCOPE_LABELS["area"][
            0 if lang == "vi" else 1])
    columns = list(out.columns)
    canonical = out.copy()   # the shares are decided on it: the loop words ``gap_unit``
    for col in columns:
        s = out[col]
        name = str(col)
        if _bool_like(s, name):
            flags = s.astype(object).map(lambda v: v if _missing(v) else bool(v))
            out[col] = flags.map(lambda v, n=name: format_bool(v, lang, met=n == "met"))
        elif name == "note":
            out[col] = s.astype(object).map(lambda v: indicator_note(v, lang))
        elif name in VALUE_WORDS:
            out[col] = s.astype(object).map(lambda v, n=name: value_word(n, v, lang))
        elif name in OPERATOR_COLUMNS:
            out[col] = s.astype(object).map(operator_name)
        elif pd.api.types.is_numeric_dtype(s):
            vals = pd.to_numeric(s, errors="coerce")
            finite = vals[np.isfinite(vals.to_numpy(float, na_value=np.nan))]
            whole = bool(len(finite)) and bool((finite == np.round(finite)).all()) and \
                bool((finite.abs() < 2**53).all())
            share = share_rows(canonical, name)
            if text:   # each whole value without decimals (147, 98,7), so no count reads 147,0
                out[col] = [format_percent(v, lang) if sh and not _missing(v) else
                            format_value(name, v, lang, grouping=grouping, columns=())
                            for v, sh in zip(s.tolist(), share, strict=True)]
            elif whole and not share.any() and name not in ("lon", "lat") and \
                    pd.api.types.is_float_dtype(s):
                out[col] = vals.round().astype("Int64")
        elif text and s.dtype == object:
            out[col] = s.map(lambda v: "" if _missing(v) else v)
    return out
