"""Per-commune statistics (subscriptions, smartphones, i-Speed) matched to the units, as indicators.

The table read by :func:`gis.layers.commune_stats.read_commune_statistics` names communes by
code or name, former or 2025. :func:`match_statistics` finds each row's unit in the crosswalk;
:func:`hamlet_statistics` gives every hamlet the values of its former commune's row when the
table is per former commune, else of its new commune's row; :func:`statistics_indicators`
turns them into indicator rows (the columns of :data:`gis.analysis.indicators.INDICATOR_COLUMNS`)
per area, province, new commune and former district, against the plan's targets
(:data:`STAT_TARGETS`).

Aggregation: a scope's value is the mean of its hamlets' values weighted by their population
(by hamlet count when a population is missing), so a commune's value is the one given and a
province's is the population-weighted mean over the communes of the run's area. A value not
given is left out, and the note says for how many communes; a scope where none is given has
``value`` NaN and the note ``not given`` (never 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.analysis.units.data import crosswalk
from gis.analysis.units.match import match_table
from gis.analysis.units.names import normalise_unit_name
from gis.errors import ValidationError
from gis.layers.commune_stats import STAT_COLUMNS

__all__ = [
    "NOT_GIVEN",
    "STAT_TARGETS",
    "StatTargets",
    "hamlet_statistics",
    "match_statistics",
    "stat_targets",
    "statistics_indicators",
]

#: How a statistic that is not given reads, (Vietnamese, English).
NOT_GIVEN = ("không có số liệu", "not given")


@dataclass(frozen=True)
class StatTargets:
    """Targets of the per-commune statistics (``None``: the plan sets none).

    Attributes
    ----------
    subs_mobile_per100, subs_fixed_per100
        Minimum mobile / fixed broadband subscriptions per 100 people.
    smartphone_share
        Minimum share (0-1) of people using a smartphone.
    ispeed_mobile_mbps, ispeed_fixed_mbps
        Minimum i-Speed median download speed, Mbit/s.
    """

    name: str = "custom"
    subs_mobile_per100: float | None = None
    subs_fixed_per100: float | None = None
    smartphone_share: float | None = None
    ispeed_mobile_mbps: float | None = None
    ispeed_fixed_mbps: float | None = None

    def __post_init__(self) -> None:
        for col in STAT_COLUMNS:
            v = getattr(self, col)
            if v is None:
                continue
            high = 1.0 if col == "smartphone_share" else math.inf
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= high:
                raise ValidationError(
                    f"Target {col} must be a number >= 0{' and <= 1' if high == 1 else ''} or "
                    f"null, not {v!r}.",
                    f"Mục tiêu {col} phải là số >= 0{' và <= 1' if high == 1 else ''} hoặc "
                    f"null, không phải {v!r}.")
            object.__setattr__(self, col, float(v))


#: Targets by the presets of :data:`gis.analysis.targets.PRESETS` (DOMAIN.md sections 0, 1).
#: ``national``: 4G average download >= 40 Mbit/s (36/QĐ-TTg, 2025); no subscription target is
#: verified. No plan read sets a smartphone-share target.
STAT_TARGETS: dict[str, StatTargets] = {
    "binh_phuoc_2023_2025": StatTargets("Bình Phước 2023-2025", 100.0, 60.0, None, 70.0, 95.0),
    "hai_hau_2025": StatTargets("Hải Hậu đến 2025", 85.0, 25.0, None, 70.0, 150.0),
    "national": StatTargets("Quốc gia (36/QĐ-TTg)", None, None, None, 40.0, None),
    "xuan_truc": StatTargets("Xuân Trúc 2023-2025", 90.0, 22.0, None, 36.0, 91.0),
}


def stat_targets(preset: str) -> StatTargets:
    """The statistics targets of a preset (no target at all for a preset without them)."""
    return STAT_TARGETS.get(preset, StatTargets(name=preset))


def _code(v: object) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    digits = "".join(ch for ch in str(v) if ch.isdigit())
    return digits.zfill(5) if digits and len(digits) <= 5 else None


def match_statistics(stats: pd.DataFrame) -> pd.DataFrame:
    """Each statistics row's unit: ``level`` (``former`` / ``new`` / ``""``) and its code.

    Parameters
    ----------
    stats
        The canonical statistics table (``commune_code`` and/or ``commune``, optional
        ``district``, ``province``, then the statistics).

    Returns
    -------
    pandas.DataFrame
        ``stats`` with ``level``, ``former_commune_code`` and ``commune_code`` (the matched
        units; the given code column is replaced) and ``match_note`` (why a row matched
        nothing). A code decides when the name, if given, agrees with it; else the names.
        ``attrs["vintage"]`` is the table's vintage.
    """
    cw = crosswalk()
    n = len(stats)
    fc = cw.former_communes
    f_pos = {c: i for i, c in enumerate(fc["former_commune_code"]) if isinstance(c, str)}
    f_key = fc["key"].tolist()
    n_key = dict(zip(cw.communes["commune_code"], cw.communes["key"], strict=True))
    col = {c: (stats[c].tolist() if c in stats else [None] * n)
           for c in ("commune_code", "commune", "district", "province")}
    tm = match_table(col["province"] if "province" in stats else None,
                     col["district"] if "district" in stats else None,
                     col["commune"] if "commune" in stats else None) if "commune" in stats \
        else None
    has_district = "district" in stats and stats["district"].notna().any()
    code_f = np.zeros(n, bool)
    code_n = np.zeros(n, bool)
    codes = [_code(v) for v in col["commune_code"]]
    for i, c in enumerate(codes):
        if c is None:
            continue
        name = normalise_unit_name(col["commune"][i])
        code_f[i] = c in f_pos and (name is None or f_key[f_pos[c]] == name.key)
        code_n[i] = c in n_key and (name is None or n_key[c] == name.key)
    only_f, only_n = int((code_f & ~code_n).sum()), int((code_n & ~code_f).sum())
    if tm is not None and tm.vintage is not None and not (only_f or only_n):
        vintage = tm.vintage
    elif has_district or only_f > only_n:
        vintage = "former"
    else:
        vintage = "new"
    level = np.full(n, "", dtype=object)
    f_code = np.full(n, None, dtype=object)
    n_code = np.full(n, None, dtype=object)
    note = np.full(n, "", dtype=object)
    f_codes = fc["former_commune_code"].to_numpy()
    for i in range(n):
        c = codes[i]
        both = code_f[i] and code_n[i]
        if code_f[i] and (not code_n[i] or (both and vintage == "former")):
            level[i], f_code[i] = "former", c
            continue
        if code_n[i]:
            level[i], n_code[i] = "new", c
            continue
        m = tm.matches[i] if tm is not None else None
        use = tm.use[i] if tm is not None else ""
        if use == "former" and len(m.former_rows) == 1:
            level[i], f_code[i] = "former", f_codes[m.former_rows[0]]
        elif use == "new" and len(m.new_codes) == 1:
            level[i], n_code[i] = "new", m.new_codes[0]
        elif use:
            note[i] = "ambiguous name: give the district and province, or the code"
        else:
            note[i] = "no such commune (code or name) in the crosswalk"
    out = stats.drop(columns=["commune_code"], errors="ignore").copy()
    out["level"] = level
    out["former_commune_code"] = f_code
    out["commune_code"] = n_code
    out["match_note"] = note
    out.attrs["vintage"] = vintage
    return out


def hamlet_statistics(units: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    """The statistics of each hamlet's commune (NaN where not given).

    Parameters
    ----------
    units
        Per hamlet, at least ``former_commune_code`` and ``commune_code``
        (:func:`~gis.analysis.units.assign_units`).
    matched
        :func:`match_statistics` output.

    Returns
    -------
    pandas.DataFrame
        On the hamlet index, one column per statistic of :data:`STAT_COLUMNS` present in
        ``matched``: the value of the hamlet's former commune row when there is one and it
        gives the value, else of its new commune row.
    """
    stats = [c for c in STAT_COLUMNS if c in matched]
    out = pd.DataFrame(index=units.index)
    former = matched[matched["level"] == "former"].drop_duplicates("former_commune_code")
    new = matched[matched["level"] == "new"].drop_duplicates("commune_code")
    f_idx = former.set_index("former_commune_code")
    n_idx = new.set_index("commune_code")
    for s in stats:
        v_f = units["former_commune_code"].map(f_idx[s]) if len(f_idx) else np.nan
        v_n = units["commune_code"].map(n_idx[s]) if len(n_idx) else np.nan
        out[s] = pd.to_numeric(pd.Series(v_f, index=units.index), errors="coerce").fillna(
            pd.to_numeric(pd.Series(v_n, index=units.index), errors="coerce")).astype(float)
    return out


def statistics_indicators(hamlets: pd.DataFrame, *, targets: StatTargets | None = None,
                          scopes: tuple[str, ...] = ("province", "commune", "former_district"),
                          ) -> pd.DataFrame:
    """Indicator rows of the statistics, for the area and each unit of ``scopes``.

    Parameters
    ----------
    hamlets
        Per hamlet: the unit columns of :func:`~gis.analysis.units.assign_units`, the
        statistics of :func:`hamlet_statistics`, and ``population`` (people; optional).
    targets
        :class:`StatTargets` (default: none).
    scopes
        Keys of :data:`gis.analysis.indicators.SCOPES` grouped by code.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`gis.analysis.indicators.INDICATOR_COLUMNS`, ``indicator_id`` the
        statistic's column name, ``value`` in its unit (``gap_unit``), ``numerator`` and
        ``denominator`` the weighted sum and the weight, ``note`` ``"not given"`` where no
        commune of the scope gives it.
    """
    from gis.analysis.indicators import INDICATOR_COLUMNS, SCOPES, UNKNOWN_SCOPE

    targets = targets or StatTargets()
    pop = pd.to_numeric(hamlets["population"], errors="coerce") if "population" in hamlets \
        else pd.Series(np.nan, index=hamlets.index)
    by_pop = bool(len(pop)) and bool(pop.notna().all()) and bool((pop > 0).all())
    weight = pop.astype(float) if by_pop else pd.Series(1.0, index=hamlets.index)
    basis = "population" if by_pop else "hamlet count"
    rows: list[dict] = []
    groups: list[tuple[str, pd.Series, pd.Series]] = [
        ("area", pd.Series("", index=hamlets.index), pd.Series("", index=hamlets.index))]
    for level in scopes:
        code_col, name_col = SCOPES[level]
        if code_col is None or code_col not in hamlets:
            continue
        codes = hamlets[code_col].astype(object).where(hamlets[code_col].notna(), "")
        names = hamlets[name_col].astype(object) if name_col in hamlets else codes
        groups.append((level, codes, names))
    communes = hamlets["commune_code"] if "commune_code" in hamlets else \
        pd.Series(hamlets.index, index=hamlets.index)
    for stat, (vi, en, unit) in STAT_COLUMNS.items():
        if stat not in hamlets:
            continue
        value = pd.to_numeric(hamlets[stat], errors="coerce")
        given = value.notna()
        target = getattr(targets, stat)
        for level, codes, names in groups:
            frame = pd.DataFrame({"k": codes, "n": names, "v": value, "w": weight, "g": given,
                                  "c": communes})
            for key, g in frame.groupby("k", sort=True):
                w = g.loc[g["g"], "w"]
                num = float((g.loc[g["g"], "v"] * w).sum())
                den = float(w.sum())
                n_comm = g["c"].nunique()
                missing = g.loc[~g["g"], "c"].nunique()
                if den > 0:
                    val = num / den
                    note = (f"weighted by {basis}" if level != "commune" else "")
                    if missing:
                        note = "; ".join(x for x in (note, f"not given for {missing} of "
                                                     f"{n_comm} communes, left out") if x)
                else:
                    val = float("nan")
                    note = NOT_GIVEN[1]
                met: object = pd.NA
                gap = float("nan")
                if target is not None and not math.isnan(val):
                    gap = max(0.0, target - val)
                    met = gap <= 1e-9
                name = "" if level == "area" else str(g["n"].iloc[0])
                rows.append({
                    "indicator_id": stat, "name_vi": vi, "name_en": en, "scope_level": level,
                    "scope": name, "unit_code": "" if key == UNKNOWN_SCOPE else str(key),
                    "unit_name": name, "value": val,
                    "target": float("nan") if target is None else target, "direction": ">=",
                    "met": met, "gap": gap, "gap_unit": unit, "numerator": num,
                    "denominator": den, "note": note})
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    out["met"] = out["met"].astype("boolean")
    return out
