"""The plan indicators a map can measure, per commune, district and whole area, against targets.

Each indicator is a ratio ``numerator / denominator`` over one scope (the whole area, a district
or a commune), compared with the target of the plan (:mod:`gis.analysis.targets`):

======================================  ==========================================================
indicator_id                            value
======================================  ==========================================================
hamlets_mobile_broadband                hamlets with 4G or 5G / hamlets
hamlets_4g, hamlets_5g                  hamlets with 4G (5G) / hamlets
hamlets_ftth                            hamlets with FTTH / hamlets
households_ftth                         Σ households × hh_share_ftth / Σ households
population_4g, population_5g            Σ population × pop_share_4g (5g) / Σ population
bts_sharing_rate                        positions with ≥ 2 operators / positions
bts_tenancy_sharing_rate                Σ operators on shared positions / Σ operators
priority_5g                             priority facilities with 5G / priority facilities
schools_connected (health_stations_,    facilities of the kind connected / facilities of the kind
commune_offices_)
hamlets_lost_2g_off, hamlets_lost_3g_off  hamlets losing coverage at the switch-off / hamlets
hamlets_speed_mobile (_fixed)           hamlets whose ESTIMATED download speed (Mbit/s,
                                        :mod:`gis.analysis.speed`) reaches the preset's target /
                                        hamlets with an estimate (no FTTH: not reached)
======================================  ==========================================================

Scopes below the whole area (:data:`SCOPES`): with the 2025 units of
:func:`gis.analysis.units.assign_units` on the hamlets (``province_code``, ``commune_code``,
``former_district_code`` ...), every indicator is computed per ``province``, per new
``commune`` and per ``former_district`` (the history scope, to compare with plans written before
1 July 2025), grouped by the unit codes, which the table carries as ``unit_code`` (with
``unit_name``). Without them, per ``district`` and ``commune`` by the names given, as before.

``met`` is ``value >= target`` (``value <= target`` for the switch-off indicators), decided
as ``gap == 0`` so that the two never disagree, and ``gap``
is what is missing to meet the target, in whole hamlets, households, people, positions or
facilities: for a minimum target *t* over *n* items of which *k* qualify,
``gap = max(0, ceil(t·n - k))``; for a maximum target, ``gap = max(0, k - floor(t·n))``. The
BTS sharing gap counts unshared positions that must gain a second operator.

An indicator whose inputs are missing (the analysis has not run, or the column is absent) is
still listed, once, for the whole area, with ``value`` NaN and a note saying what it needs;
rows whose input value is missing are left out of that indicator's denominator, and the note
says how many.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from gis.analysis.frames import as_bool, with_lonlat
from gis.analysis.speed_params import SPEED_TARGET_PRESETS, SpeedTargets
from gis.analysis.targets import MAX_TARGETS, NOT_SHARE_UNITS, IndicatorParams, Targets
from gis.errors import ValidationError

__all__ = [
    "INDICATORS",
    "INDICATOR_COLUMNS",
    "LEGACY_SCOPES",
    "NOT_SHARE_UNITS",
    "SCOPES",
    "SPEED_INDICATORS",
    "UNIT_SCOPES",
    "IndicatorDef",
    "assign_admin",
    "compute_indicators",
    "default_scopes",
    "speed_indicator_flags",
]

#: Columns of the indicator table, in order. ``scope`` is the unit's name (empty for the area),
#: ``unit_code`` its code when the scope is grouped by code (empty otherwise), ``unit_name`` its
#: name again under the name the 2025 tables use.
INDICATOR_COLUMNS = [
    "indicator_id", "name_vi", "name_en", "scope_level", "scope", "unit_code", "unit_name",
    "value", "target", "direction", "met", "gap", "gap_unit", "numerator", "denominator", "note",
]

#: Scope levels below the area -> (code column or None, name column) of the hamlet table.
SCOPES: dict[str, tuple[str | None, str]] = {
    "province": ("province_code", "province"),
    "commune": ("commune_code", "commune"),
    "former_district": ("former_district_code", "former_district"),
    "former_commune": ("former_commune_code", "former_commune"),
    "district": (None, "district"),
}

#: Default scopes when the hamlets carry the 2025 units (``commune_code``).
UNIT_SCOPES = ("province", "commune", "former_district")

#: Default scopes of a hamlet table without them: by the names given.
LEGACY_SCOPES = ("district", "commune")


#: Scope name for rows whose commune or district is not known.
UNKNOWN_SCOPE = "(không rõ / unknown)"

_EPS = 1e-9


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: its id, names, the table it is measured on and how.

    ``basis`` is ``"hamlets"``, ``"positions"`` or ``"facilities"``; ``weight`` names the
    hamlet column whose values weight the ``column`` shares (households, population), or is
    empty for counts. ``unit`` is the unit of the gap.
    """

    indicator_id: str
    name_vi: str
    name_en: str
    basis: str
    unit: str
    needs: str


#: The expected-speed indicators (:mod:`gis.analysis.speed`; basis hamlets, counts).
SPEED_INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("hamlets_speed_mobile",
                 "Tỷ lệ thôn có tốc độ tải xuống di động ước tính đạt mục tiêu",
                 "Hamlets expected at or above the mobile download target (estimate)",
                 "hamlets", "hamlets", "est_dl_mbps_mobile"),
    IndicatorDef("hamlets_speed_fixed",
                 "Tỷ lệ thôn có tốc độ tải xuống cố định ước tính đạt mục tiêu",
                 "Hamlets expected at or above the fixed download target (estimate)",
                 "hamlets", "hamlets", "est_dl_mbps_fixed"),
)


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("hamlets_mobile_broadband", "Tỷ lệ thôn được phủ sóng di động băng rộng",
                 "Hamlets with mobile broadband (4G or 5G)", "hamlets", "hamlets",
                 "mobile_4g or mobile_5g"),
    IndicatorDef("hamlets_4g", "Tỷ lệ thôn được phủ sóng 4G", "Hamlets with 4G", "hamlets",
                 "hamlets", "mobile_4g"),
    IndicatorDef("hamlets_5g", "Tỷ lệ thôn được phủ sóng 5G", "Hamlets with 5G", "hamlets",
                 "hamlets", "mobile_5g"),
    IndicatorDef("hamlets_ftth", "Tỷ lệ thôn được phủ băng rộng cố định (cáp quang FTTH)",
                 "Hamlets with fixed broadband (FTTH)", "hamlets", "hamlets", "ftth"),
    IndicatorDef("households_ftth", "Tỷ lệ hộ gia đình có thể kết nối cáp quang",
                 "Households able to get FTTH", "hamlets", "households",
                 "hh_share_ftth and households"),
    IndicatorDef("bts_sharing_rate", "Tỷ lệ dùng chung vị trí BTS", "BTS site-sharing rate",
                 "positions", "positions", "positions table (n_operators)"),
    IndicatorDef("bts_tenancy_sharing_rate",
                 "Tỷ lệ trạm của các nhà mạng đặt trên vị trí dùng chung",
                 "Operator sites on shared BTS positions (tenancy variant)", "positions",
                 "tenancies", "positions table (n_operators)"),
    IndicatorDef("population_4g", "Tỷ lệ dân số được phủ sóng 4G", "Population covered by 4G",
                 "hamlets", "people", "pop_share_4g and population"),
    IndicatorDef("population_5g", "Tỷ lệ dân số được phủ sóng 5G", "Population covered by 5G",
                 "hamlets", "people", "pop_share_5g and population"),
    IndicatorDef("priority_5g",
                 "Tỷ lệ khu vực ưu tiên (trung tâm xã, khu công nghiệp, du lịch, cơ quan) có 5G",
                 "Priority places (commune centres, industrial zones, tourist areas, offices) "
                 "with 5G", "facilities", "facilities", "facilities table (kind, mobile_5g)"),
    IndicatorDef("schools_connected", "Tỷ lệ trường học có kết nối băng rộng",
                 "Schools connected to broadband", "facilities", "facilities",
                 "facilities table (kind, connected)"),
    IndicatorDef("health_stations_connected", "Tỷ lệ trạm y tế có kết nối băng rộng",
                 "Health stations connected to broadband", "facilities", "facilities",
                 "facilities table (kind, connected)"),
    IndicatorDef("commune_offices_connected", "Tỷ lệ trụ sở UBND xã có kết nối băng rộng",
                 "Commune offices connected to broadband", "facilities", "facilities",
                 "facilities table (kind, connected)"),
    IndicatorDef("hamlets_lost_2g_off", "Tỷ lệ thôn mất sóng khi tắt 2G",
                 "Hamlets that lose coverage when 2G is switched off", "hamlets", "hamlets",
                 "lost_if_2g_off"),
    IndicatorDef("hamlets_lost_3g_off", "Tỷ lệ thôn mất sóng khi tắt 3G",
                 "Hamlets that lose coverage when 3G is switched off", "hamlets", "hamlets",
                 "lost_if_3g_off"),
    *SPEED_INDICATORS,
)

_BY_ID = {d.indicator_id: d for d in INDICATORS}

_FACILITY_KIND = {
    "schools_connected": ("school",),
    "health_stations_connected": ("health_station",),
    "commune_offices_connected": ("commune_office",),
}


# -- inputs -----------------------------------------------------------------------------------

def _flag(frame: pd.DataFrame | None, column: str) -> pd.Series | None:
    """Column as nullable booleans (NA where unknown), or ``None`` when absent."""
    if frame is None or column not in frame:
        return None
    s = frame[column]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        s = s.map(lambda v: pd.NA if v is None or (isinstance(v, float) and math.isnan(v))
                  else str(v).strip().lower() in ("true", "1", "yes", "có", "x"))
    return s.astype("boolean")


def _number(frame: pd.DataFrame, column: str) -> pd.Series | None:
    if column not in frame:
        return None
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


@dataclass
class _Measure:
    """Per-row numerator and denominator contributions of one indicator (NaN: row left out)."""

    num: pd.Series
    den: pd.Series
    note: str = ""
    in_basis: pd.Series | None = None


def _count(flags: pd.Series, note: str = "") -> _Measure:
    known = flags.notna()
    num = flags.fillna(False).astype(float).where(known)
    den = pd.Series(1.0, index=flags.index).where(known)
    return _Measure(num, den, note)


def _weighted(share: pd.Series, weight: pd.Series) -> _Measure:
    ok = share.notna() & weight.notna() & (weight >= 0)
    return _Measure((share.clip(0, 1) * weight).where(ok), weight.where(ok), "")


def speed_indicator_flags(hamlets: pd.DataFrame, targets: SpeedTargets
                          ) -> dict[str, pd.Series | str]:
    """Per hamlet, whether its estimated speed reaches the plan's target.

    Parameters
    ----------
    hamlets
        The hamlet table with ``est_dl_mbps_mobile``, ``est_dl_mbps_fixed`` and ``ftth``.
    targets
        The speed targets (Mbit/s).

    Returns
    -------
    dict
        ``indicator_id`` -> nullable boolean Series on ``hamlets.index`` (NA: no estimate, left
        out of the denominator; a hamlet without FTTH counts as not reaching the fixed target),
        or a string saying why the indicator is not available. Feed a Series to the indicator
        table as a count (``_count(flags)`` of :mod:`gis.analysis.indicators`).
    """
    out: dict[str, pd.Series | str] = {}
    for ind, col, target in (("hamlets_speed_mobile", "est_dl_mbps_mobile", targets.mobile_mbps),
                             ("hamlets_speed_fixed", "est_dl_mbps_fixed", targets.fixed_mbps)):
        if target is None:
            out[ind] = "the plan sets no speed target"
            continue
        if col not in hamlets:
            out[ind] = f"needs {col} (speed estimate)"
            continue
        v = pd.to_numeric(hamlets[col], errors="coerce").astype(float)
        flags = (v >= target - 1e-9).astype("boolean").mask(v.isna(), pd.NA)
        ftth = as_bool(hamlets, "ftth") if ind == "hamlets_speed_fixed" else None
        if ftth is not None:
            no_ftth = (~ftth).fillna(False).to_numpy(dtype=bool)  # NA (unknown) stays NA
            flags = flags.mask(no_ftth, False)
        out[ind] = flags
    return out


def _measure(ind: str, hamlets: pd.DataFrame, positions: pd.DataFrame | None,
             facilities: pd.DataFrame | None, params: IndicatorParams) -> _Measure | str:
    """Row contributions for indicator ``ind``, or a string saying why it is not available."""
    d = _BY_ID[ind]
    if ind in ("hamlets_speed_mobile", "hamlets_speed_fixed"):
        r = speed_indicator_flags(hamlets, SPEED_TARGET_PRESETS[params.preset])[ind]
        return r if isinstance(r, str) else _count(r, "estimate")
    if ind == "hamlets_mobile_broadband":
        f4, f5 = _flag(hamlets, "mobile_4g"), _flag(hamlets, "mobile_5g")
        if f4 is None and f5 is None:
            return "needs mobile_4g / mobile_5g (radio coverage)"
        if f4 is None or f5 is None:
            only = f4 if f4 is not None else f5
            return _count(only, "only " + ("4G" if f4 is not None else "5G") + " known")
        both = (f4.fillna(False) | f5.fillna(False)).astype("boolean")
        both = both.mask(f4.isna() & f5.isna(), pd.NA)
        return _count(both)
    if ind in ("hamlets_4g", "hamlets_5g", "hamlets_ftth", "hamlets_lost_2g_off",
               "hamlets_lost_3g_off"):
        col = d.needs
        flags = _flag(hamlets, col)
        return f"needs {col}" if flags is None else _count(flags)
    if ind in ("households_ftth", "population_4g", "population_5g"):
        share_col, weight_col = d.needs.split(" and ")
        share, weight = _number(hamlets, share_col), _number(hamlets, weight_col)
        if share is None:
            return f"needs {share_col}"
        if weight is None or weight.notna().sum() == 0:
            return f"needs {weight_col} per hamlet"
        return _weighted(share, weight)
    if ind == "bts_tenancy_sharing_rate":
        if positions is None or len(positions) == 0 or "n_operators" not in positions:
            return "needs the positions table with n_operators (site sharing)"
        n = _number(positions, "n_operators")
        return _Measure((n * (n >= 2)).where(n.notna()), n.where(n.notna()))
    if ind == "bts_sharing_rate":
        if positions is None or len(positions) == 0:
            return "needs the positions table (site sharing)"
        if "n_operators" in positions:
            n = _number(positions, "n_operators")
            return _count((n >= 2).astype("boolean").mask(n.isna(), pd.NA))
        shared = _flag(positions, "shared")
        return "needs n_operators or shared in positions" if shared is None else _count(shared)
    # facility indicators
    if facilities is None or len(facilities) == 0 or "kind" not in facilities:
        return "needs the facilities table (kind)"
    kinds = facilities["kind"].astype(str).str.strip().str.lower()
    if ind == "priority_5g":
        sel = kinds.isin(params.priority_kinds)
        flags = _flag(facilities, "mobile_5g")
        if flags is None:
            return "needs mobile_5g in facilities (radio coverage)"
        note = ""
    else:
        sel = kinds.isin(_FACILITY_KIND[ind])
        flags = _flag(facilities, "connected")
        note = ""
        if flags is None:
            parts = [f for f in (_flag(facilities, c) for c in ("ftth", "mobile_4g", "mobile_5g"))
                     if f is not None]
            if not parts:
                return "needs connected (or ftth / mobile_4g) in facilities"
            flags = parts[0].fillna(False)
            for p in parts[1:]:
                flags = flags | p.fillna(False)
            flags = flags.astype("boolean")
            note = "connected = FTTH or 4G/5G"
    if not sel.any():
        return "no facility of this kind in the data"
    m = _count(flags.where(sel, pd.NA).astype("boolean"), note)
    m.in_basis = sel
    return m


# -- scopes -----------------------------------------------------------------------------------

def assign_admin(points: pd.DataFrame, hamlets: pd.DataFrame,
                 columns: tuple[str, ...] = ("commune", "district")) -> pd.DataFrame:
    """Give each point the commune/district of its nearest hamlet (``lon``/``lat`` degrees, or
    the geometry of a GeoDataFrame).

    Used for positions and facilities that carry no commune of their own. Distances are
    equirectangular (longitude scaled by cos(latitude)), which is exact enough to pick the
    nearest hamlet centre within a province. Columns the point table already has are kept.
    """
    out = points.copy()
    need = [c for c in columns if c in hamlets and (c not in out or out[c].isna().all())]
    if not need or len(out) == 0 or len(hamlets) == 0:
        return out
    lonlat = with_lonlat(out)
    lat0 = math.radians(float(np.nanmean(hamlets["lat"].to_numpy(dtype=float))))
    hx = np.c_[hamlets["lon"].to_numpy(dtype=float) * math.cos(lat0),
               hamlets["lat"].to_numpy(dtype=float)]
    px = np.c_[lonlat["lon"].to_numpy(dtype=float) * math.cos(lat0),
               lonlat["lat"].to_numpy(dtype=float)]
    ok = np.isfinite(px).all(axis=1)
    _, idx = cKDTree(hx).query(px[ok])
    for c in need:
        values = pd.Series(pd.NA, index=out.index, dtype=object)
        values[ok] = hamlets[c].to_numpy()[idx]
        out[c] = values
    return out


def _scope_columns(level: str, frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """(code column, name column) of ``level`` in ``frame``; a code column only when filled."""
    code, name = SCOPES[level]
    code = code if code is not None and code in frame and frame[code].notna().any() else None
    name = name if name in frame else None
    return code, name


def _scope_keys(frame: pd.DataFrame | None, levels: Sequence[str]
                ) -> list[tuple[str, pd.Series, dict[str, str]]]:
    """(level, group key per row, key -> unit name) for each scope level present in ``frame``.

    A level with a code column is grouped by code (its name is the first name of the code);
    without one, by name. Rows without a key are grouped under :data:`UNKNOWN_SCOPE`.
    """
    if frame is None:
        return []
    out = []
    for level in levels:
        code, name = _scope_columns(level, frame)
        if code is None and name is None:
            continue
        col = code or name
        keys = frame[col].astype(object).where(frame[col].notna(), UNKNOWN_SCOPE)
        keys = keys.map(lambda v: UNKNOWN_SCOPE if str(v).strip() == "" else str(v))
        names: dict[str, str] = {}
        if code is not None and name is not None:
            pairs = pd.DataFrame({"k": keys, "n": frame[name].astype(object)}).dropna()
            names = pairs.drop_duplicates("k").set_index("k")["n"].astype(str).to_dict()
        out.append((level, keys, names) if code is not None else (f"~{level}", keys, names))
    return out


def default_scopes(hamlets: pd.DataFrame, params: IndicatorParams) -> tuple[str, ...]:
    """The scopes of :func:`compute_indicators` when none are given.

    :data:`UNIT_SCOPES` when the hamlets have ``commune_code`` (the 2025 units), else
    :data:`LEGACY_SCOPES`; ``params.per_commune`` and ``params.per_district`` drop the commune
    and the (former) district levels.
    """
    units = "commune_code" in hamlets and hamlets["commune_code"].notna().any()
    levels = UNIT_SCOPES if units else LEGACY_SCOPES
    if not units and not ("district" in hamlets and hamlets["district"].notna().any()):
        levels = tuple(lv for lv in levels if lv != "district")
    drop = set()
    if not params.per_commune:
        drop |= {"commune", "former_commune"}
    if not params.per_district:
        drop |= {"district", "former_district"}
    return tuple(lv for lv in levels if lv not in drop)


def _check_scopes(scopes: Sequence[str]) -> tuple[str, ...]:
    bad = [s for s in scopes if s not in SCOPES]
    if bad:
        valid = ", ".join(SCOPES)
        raise ValidationError(
            f"Unknown indicator scope(s) {', '.join(map(repr, bad))}; valid: {valid}.",
            f"Phạm vi chỉ tiêu không hợp lệ {', '.join(map(repr, bad))}; hợp lệ: {valid}.")
    return tuple(scopes)


def _with_units(points: pd.DataFrame, hamlets: pd.DataFrame,
                levels: Sequence[str]) -> pd.DataFrame:
    """Points (positions, facilities) with the scope columns of their nearest hamlet.

    Where a scope has a code column in the hamlets and the points lack that code, the code
    and the name both come from the nearest hamlet (so that code and name agree); other
    columns the points have are kept.
    """
    columns: list[str] = []
    replace: list[str] = []
    for level in levels:
        code, name = _scope_columns(level, hamlets)
        if code is not None:
            columns.append(code)
            if name is not None:
                columns.append(name)
                if code not in points or points[code].isna().all():
                    replace.append(name)
        elif name is not None:
            columns.append(name)
    points = points.drop(columns=[c for c in replace if c in points])
    return assign_admin(points, hamlets, columns=tuple(dict.fromkeys(columns)))


def _gap(num: float, den: float, target: float, is_max: bool) -> float:
    if is_max:
        return float(max(0, math.ceil(num - math.floor(target * den + _EPS) - _EPS)))
    return float(max(0, math.ceil(target * den - num - _EPS)))


def _row(d: IndicatorDef, level: str, scope: str, num: float, den: float,
         target: float | None, note: str, code: str = "") -> dict:
    is_max = d.indicator_id in MAX_TARGETS
    value = num / den if den > 0 else float("nan")
    if den <= 0:
        note = "; ".join(x for x in (note, "nothing to measure in this scope") if x)
    met: object = pd.NA
    gap = float("nan")
    if target is not None and not math.isnan(value):
        gap = _gap(num, den, target, is_max)
        met = gap == 0  # one rule for both, so that met and gap never disagree
    return {
        "indicator_id": d.indicator_id, "name_vi": d.name_vi, "name_en": d.name_en,
        "scope_level": level, "scope": scope, "unit_code": code, "unit_name": scope,
        "value": value,
        "target": float("nan") if target is None else target,
        "direction": "<=" if is_max else ">=", "met": met, "gap": gap, "gap_unit": d.unit,
        "numerator": num, "denominator": den, "note": note,
    }


def compute_indicators(
    hamlets: pd.DataFrame,
    *,
    positions: pd.DataFrame | None = None,
    facilities: pd.DataFrame | None = None,
    params: IndicatorParams | None = None,
    targets: Targets | None = None,
    scopes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The indicator table for the whole area and each unit of the scopes.

    Parameters
    ----------
    hamlets
        The per-hamlet table (one row per hamlet; ``commune`` and optional ``district``;
        ``population`` in people and ``households``; the flags and shares the analyses add:
        ``mobile_4g``, ``mobile_5g``, ``ftth``, ``hh_share_ftth`` (0-1), ``pop_share_4g``,
        ``pop_share_5g`` (0-1), ``lost_if_2g_off``, ``lost_if_3g_off``).
    positions
        BTS positions (``n_operators`` or ``shared``; ``commune`` or ``lon``/``lat`` degrees).
    facilities
        Facilities (``kind``, ``connected``, ``mobile_5g``; ``commune`` or ``lon``/``lat``).
    params
        Indicator settings; default :class:`IndicatorParams` (national targets).
    targets
        Targets to use instead of ``params.targets``.
    scopes
        Levels below the area, keys of :data:`SCOPES` (e.g. ``("province", "commune",
        "former_district")``); default :func:`default_scopes`. A level whose columns the
        hamlets lack is skipped. Positions and facilities get the units of their nearest
        hamlet.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDICATOR_COLUMNS`; ``value`` and ``target`` are shares 0-1, ``gap``
        is in ``gap_unit`` (hamlets, households, people, positions, facilities); ``met`` is a
        nullable boolean (NA when there is no target or no value).
    """
    params = params or IndicatorParams()
    targets = targets or params.targets
    levels = default_scopes(hamlets, params) if scopes is None else _check_scopes(scopes)
    positions = _with_units(positions, hamlets, levels) if positions is not None else None
    facilities = _with_units(facilities, hamlets, levels) if facilities is not None else None
    frames = {"hamlets": hamlets, "positions": positions, "facilities": facilities}
    keys_by_basis: dict[str, list[tuple[str, pd.Series]]] = {}
    rows: list[dict] = []
    for d in INDICATORS:
        target = targets.get(d.indicator_id)
        m = _measure(d.indicator_id, hamlets, positions, facilities, params)
        if isinstance(m, str):
            rows.append(_row(d, "area", "", 0.0, 0.0, target, "not available: " + m))
            rows[-1].update(numerator=float("nan"), denominator=float("nan"), met=pd.NA,
                            gap=float("nan"), note="not available: " + m)
            continue
        in_basis = m.in_basis if m.in_basis is not None else pd.Series(True, index=m.den.index)
        missing = int((m.den.isna() & in_basis).sum())
        note = m.note
        if missing:
            note = "; ".join(x for x in (note, f"{missing} of {int(in_basis.sum())} {d.basis} "
                                         "without a value, left out") if x)
        rows.append(_row(d, "area", "", float(m.num.sum(skipna=True)),
                         float(m.den.sum(skipna=True)), target, note))
        if d.basis not in keys_by_basis:
            keys_by_basis[d.basis] = _scope_keys(frames[d.basis], levels)
        for level, keys, names in keys_by_basis[d.basis]:
            # one grouped sum per level (not one selection per scope)
            sums = pd.DataFrame({"num": m.num, "den": m.den}).groupby(keys, sort=True).sum()
            by_code = not level.startswith("~")
            for key, num, den in zip(sums.index, sums["num"], sums["den"], strict=True):
                if den > 0:
                    key = str(key)
                    if by_code:
                        rows.append(_row(d, level, names.get(key, key), float(num), float(den),
                                         target, note, "" if key == UNKNOWN_SCOPE else key))
                    else:
                        rows.append(_row(d, level[1:], key, float(num), float(den), target,
                                         note))
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    out["met"] = out["met"].astype("boolean")
    return out


# -- run stage --------------------------------------------------------------------------------


