"""Comparing two runs (the yearly report): what changed per province and new commune.

A provincial letter of October 2025 asks departments and communes to report each year, before
8 December, what the digital infrastructure gained (DOMAIN.md section 6). :func:`compare_runs`
takes two runs' tables (:class:`RunFolderData`, read from their output folders by
:func:`gis.report.compare.read_run_folder`) and returns:

``compare_units``
    per area, province, new commune and former district: hamlets, population and households
    in each run; hamlets with 4G, 5G and FTTH in each run, hamlets **newly covered** and
    **lost** (a hamlet present in both runs that gained / lost the service); the BTS
    site-sharing rate; BTS positions and the towers added (positions of B minus A); proposed
    towers; proposed fiber extensions (km).
``compare_indicators``
    every indicator then (A) and now (B) against the targets of B, per the same scopes.
``compare_hamlets``
    one row per hamlet of either run: its units, its status in A and B, and the change.

A run made before the 2025 units existed (its ``hamlets.csv`` lacks ``commune_code``) is
re-keyed through the crosswalk (:func:`gis.analysis.units.assign_units` on its names and
positions), so that both sides use the same units. Hamlets are matched by ``village_id`` when
both runs have unique ids, else by name and position (rounded to 1e-4 degrees, about 11 m).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.analysis.frames import as_bool
from gis.analysis.indicators import UNIT_SCOPES, compute_indicators
from gis.analysis.targets import IndicatorParams
from gis.analysis.units import UNIT_COLUMNS, assign_units

__all__ = ["SERVICES", "RunFolderData", "compare_runs", "rekey_hamlets"]

#: Services compared: column of hamlets.csv -> label (vi, en).
SERVICES = {"mobile_4g": ("4G", "4G"), "mobile_5g": ("5G", "5G"), "ftth": ("FTTH", "FTTH")}

#: Scope levels of the comparison tables (the area first).
LEVELS = ("area", *UNIT_SCOPES)

_CODE = {"area": None, "province": "province_code", "commune": "commune_code",
         "former_district": "former_district_code"}
_NAME = {"area": None, "province": "province", "commune": "commune",
         "former_district": "former_district"}


@dataclass
class RunFolderData:
    """The tables of one run folder.

    Attributes
    ----------
    name
        The project (plan area) name.
    created
        When the run was made (ISO date), or ``""``.
    hamlets
        ``hamlets.csv``: one row per hamlet, ``lon``/``lat`` degrees, the service flags.
    indicators, positions, proposed_towers, fiber_extensions, facilities
        The run's tables of those names, or ``None`` when the run has none.
    meta
        ``run.json``.
    path
        The folder.
    """

    name: str
    hamlets: pd.DataFrame
    created: str = ""
    indicators: pd.DataFrame | None = None
    positions: pd.DataFrame | None = None
    proposed_towers: pd.DataFrame | None = None
    fiber_extensions: pd.DataFrame | None = None
    facilities: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    @property
    def targets_preset(self) -> str | None:
        """The targets preset the run used (from its parameters), if known."""
        t = (self.meta.get("parameters") or {}).get("targets") or {}
        return t.get("preset") if isinstance(t, dict) else None


def _has_units(hamlets: pd.DataFrame) -> bool:
    return "commune_code" in hamlets and hamlets["commune_code"].notna().any()


def rekey_hamlets(hamlets: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``hamlets`` with the 2025 unit columns; re-keyed through the crosswalk when it lacks them.

    Returns the table and whether it was re-keyed. Codes are normalised to text.
    """
    if _has_units(hamlets):
        out = hamlets.copy()
        for col in ("province_code", "commune_code", "former_district_code",
                    "former_commune_code", "former_province_code"):
            if col in out:
                width = 2 if "province" in col else 3 if "district" in col else 5
                out[col] = out[col].map(lambda v, w=width: None if pd.isna(v) else
                                        str(v).split(".")[0].zfill(w)).astype(object)
        return out, False
    lon = pd.to_numeric(hamlets.get("lon"), errors="coerce")
    lat = pd.to_numeric(hamlets.get("lat"), errors="coerce")
    geom = shapely.points(lon.to_numpy(dtype=float), lat.to_numpy(dtype=float))
    frame = gpd.GeoDataFrame(
        {c: hamlets[c] for c in ("commune", "district", "province") if c in hamlets},
        geometry=geom, crs=4326, index=hamlets.index)
    units = assign_units(frame)
    keep = hamlets.drop(columns=[c for c in ("commune", "district", "province", *UNIT_COLUMNS)
                                 if c in hamlets])
    return pd.concat([keep, units], axis=1), True


def _match_key(hamlets: pd.DataFrame, by_id: bool) -> pd.Series:
    if by_id:
        return hamlets["village_id"].astype(str)
    lon = pd.to_numeric(hamlets.get("lon"), errors="coerce").round(4).astype(str)
    lat = pd.to_numeric(hamlets.get("lat"), errors="coerce").round(4).astype(str)
    name = hamlets["name"].astype(str) if "name" in hamlets else ""
    return name + "@" + lon + "," + lat


def _hamlet_changes(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    by_id = all("village_id" in h and h["village_id"].notna().all()
                and h["village_id"].astype(str).is_unique for h in (a, b))
    ka, kb = _match_key(a, by_id), _match_key(b, by_id)
    unit_cols = [c for c in ("province_code", "province", "commune_code", "commune",
                             "former_district_code", "former_district", "former_commune")
                 if c in a or c in b]
    cols = ["village_id", "name", *unit_cols, "population", "households"]
    left = a.assign(_key=ka.to_numpy())
    right = b.assign(_key=kb.to_numpy())
    for s in SERVICES:
        for f, tag in ((left, "a"), (right, "b")):
            flag = as_bool(f, s)
            f[f"{s}_{tag}"] = flag if flag is not None else pd.array([pd.NA] * len(f),
                                                                     dtype="boolean")
    merged = right[["_key", *[c for c in cols if c in right], *[f"{s}_b" for s in SERVICES]]] \
        .merge(left[["_key", *[c for c in cols if c in left], *[f"{s}_a" for s in SERVICES]]],
               on="_key", how="outer", suffixes=("", "_in_a"), indicator=True)
    # units and names: B's, else A's (a hamlet that left)
    for c in cols:
        if f"{c}_in_a" in merged:
            merged[c] = merged[c].where(merged[c].notna(), merged[f"{c}_in_a"])
    # the merge's left side is B, its right side A
    merged["in_a"] = merged["_merge"].astype(str).isin(["both", "right_only"])
    merged["in_b"] = merged["_merge"].astype(str).isin(["both", "left_only"])
    for c in ("population", "households"):
        if c in merged:
            merged[f"{c}_b"] = pd.to_numeric(merged[c], errors="coerce").where(merged["in_b"])
            if f"{c}_in_a" in merged:
                merged[f"{c}_a"] = pd.to_numeric(merged[f"{c}_in_a"], errors="coerce").where(
                    merged["in_a"])
            else:
                merged[f"{c}_a"] = merged[f"{c}_b"].where(merged["in_a"])
    for s in SERVICES:
        fa = merged[f"{s}_a"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        fb = merged[f"{s}_b"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        both = (merged["in_a"] & merged["in_b"]).to_numpy(dtype=bool)
        change = np.select([both & ~fa & fb, both & fa & ~fb, both & fa & fb, both],
                           ["gained", "lost", "kept", "still_without"], default="")
        change = pd.Series(change, index=merged.index, dtype=object)
        change[~merged["in_a"]] = "new_hamlet"
        change[~merged["in_b"]] = "removed_hamlet"
        merged[f"{s}_change"] = change
    order = ["village_id", "name", *unit_cols, "in_a", "in_b", "population_a", "population_b",
             "households_a", "households_b"]
    for s in SERVICES:
        order += [f"{s}_a", f"{s}_b", f"{s}_change"]
    return merged[[c for c in order if c in merged]].reset_index(drop=True)


def _nearest_units(points: pd.DataFrame | None, hamlets: pd.DataFrame) -> pd.DataFrame | None:
    """``points`` (lon/lat) with the unit columns of their nearest hamlet of the same run."""
    if points is None or len(points) == 0 or not {"lon", "lat"} <= set(points):
        return points
    from gis.analysis.indicators import assign_admin

    cols = tuple(c for c in ("province_code", "province", "commune_code", "commune",
                             "former_district_code", "former_district") if c in hamlets)
    pts = points.drop(columns=[c for c in cols if c in points])
    return assign_admin(pts, hamlets, columns=cols)


def _fiber_units(fiber: pd.DataFrame | None, hamlets: pd.DataFrame) -> pd.DataFrame | None:
    """Fiber routes with the units of the first hamlet they serve (``village_ids``)."""
    if fiber is None or len(fiber) == 0 or "village_ids" not in fiber \
            or "village_id" not in hamlets:
        return None
    first = fiber["village_ids"].astype(str).str.split(r"[;,]\s*", regex=True).str[0].str.strip()
    units = hamlets.drop_duplicates("village_id").set_index(
        hamlets.drop_duplicates("village_id")["village_id"].astype(str))
    out = fiber.copy()
    for c in ("province_code", "province", "commune_code", "commune", "former_district_code",
              "former_district"):
        if c in units:
            out[c] = first.map(units[c]).to_numpy()
    return out


def _group_sum(frame: pd.DataFrame | None, level: str, values: dict[str, pd.Series]
               ) -> pd.DataFrame:
    """Sums of ``values`` (Series on ``frame``'s index) per unit of ``level``."""
    if frame is None or len(frame) == 0:
        return pd.DataFrame()
    code = _CODE[level]
    key = pd.Series("", index=frame.index) if code is None else \
        frame[code].astype(object).where(frame[code].notna(), "") if code in frame else None
    if key is None:
        return pd.DataFrame()
    return pd.DataFrame(values, index=frame.index).groupby(key.astype(str)).sum(min_count=0)


def _names(frames: list[pd.DataFrame | None], level: str) -> dict[str, str]:
    code, name = _CODE[level], _NAME[level]
    out: dict[str, str] = {}
    if code is None:
        return {"": ""}
    for f in frames:
        if f is not None and code in f and name in f:
            pairs = f[[code, name]].dropna().astype(str).drop_duplicates(code)
            out.update({k: v for k, v in zip(pairs[code], pairs[name], strict=True)
                        if k not in out})
    return out


def _province_of(frames: list[pd.DataFrame | None]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in frames:
        if f is not None and "commune_code" in f and "province_code" in f:
            pairs = f[["commune_code", "province_code"]].dropna().astype(str)
            out.update(dict(zip(pairs["commune_code"], pairs["province_code"], strict=True)))
    return out


def _unit_table(changes: pd.DataFrame, pos: tuple, towers: tuple, fiber: tuple) -> pd.DataFrame:
    rows = []
    for level in LEVELS:
        code = _CODE[level]
        if code is not None and code not in changes:
            continue
        ina, inb = changes["in_a"].astype(float), changes["in_b"].astype(float)
        values = {"hamlets_a": ina, "hamlets_b": inb}
        for c in ("population", "households"):
            if f"{c}_a" in changes:
                values[f"{c}_a"] = changes[f"{c}_a"].fillna(0.0)
                values[f"{c}_b"] = changes[f"{c}_b"].fillna(0.0)
        for s in SERVICES:
            short = s.replace("mobile_", "")
            values[f"{short}_a"] = (changes[f"{s}_a"].fillna(False).astype(float) * ina)
            values[f"{short}_b"] = (changes[f"{s}_b"].fillna(False).astype(float) * inb)
            values[f"{short}_newly_covered"] = (changes[f"{s}_change"] == "gained").astype(float)
            values[f"{short}_lost"] = (changes[f"{s}_change"] == "lost").astype(float)
        table = _group_sum(changes, level, values)
        for tag, p in zip("ab", pos, strict=True):
            if p is not None and len(p):
                n_op = pd.to_numeric(p.get("n_operators"), errors="coerce")
                g = _group_sum(p, level, {f"positions_{tag}": pd.Series(1.0, index=p.index),
                                          f"shared_{tag}": (n_op >= 2).astype(float)})
                table = table.join(g, how="outer")
        for tag, t in zip("ab", towers, strict=True):
            if t is not None and len(t):
                table = table.join(_group_sum(t, level, {
                    f"proposed_towers_{tag}": pd.Series(1.0, index=t.index)}), how="outer")
        for tag, f in zip("ab", fiber, strict=True):
            if f is not None and len(f) and "length_m" in f:
                table = table.join(_group_sum(f, level, {
                    f"fiber_extension_km_{tag}": pd.to_numeric(f["length_m"], errors="coerce")
                    / 1000.0}), how="outer")
        for base in ("positions", "shared", "proposed_towers", "fiber_extension_km"):
            if f"{base}_a" in table or f"{base}_b" in table:  # a table one run lacks: none
                for tag in "ab":
                    if f"{base}_{tag}" not in table:
                        table[f"{base}_{tag}"] = 0.0
        table = table.fillna(0.0)
        for tag in "ab":
            if f"positions_{tag}" in table:
                table[f"sharing_rate_{tag}"] = (table[f"shared_{tag}"]
                                                / table[f"positions_{tag}"].replace(0, np.nan))
        if "positions_a" in table and "positions_b" in table:
            table["towers_added"] = table["positions_b"] - table["positions_a"]
        names = _names([changes, *pos, *towers], level)
        table.insert(0, "unit_name", [names.get(k, k) for k in table.index])
        table.insert(0, "unit_code", table.index.astype(str))
        table.insert(0, "scope_level", level)
        rows.append(table.reset_index(drop=True))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    prov = _province_of([changes])
    out.insert(3, "province_code", [c if lv == "province" else prov.get(c, "")
                                    if lv == "commune" else "" for lv, c in
                                    zip(out["scope_level"], out["unit_code"], strict=True)])
    count_cols = [c for c in out.columns if c.startswith(("hamlets_", "4g_", "5g_", "ftth_",
                                                          "positions_", "shared_",
                                                          "proposed_towers_", "towers_added"))]
    out[count_cols] = out[count_cols].round().astype(int)
    return out


def _indicator_table(ia: pd.DataFrame, ib: pd.DataFrame) -> pd.DataFrame:
    key = ["indicator_id", "scope_level", "unit_code"]
    keep = ["name_vi", "name_en", "unit_name", "target", "direction", "gap_unit"]
    a = ia[[*key, "value", "met", "gap"]].rename(
        columns={"value": "value_a", "met": "met_a", "gap": "gap_a"})
    b = ib[[*key, *keep, "value", "met", "gap"]].rename(
        columns={"value": "value_b", "met": "met_b", "gap": "gap_b"})
    out = b.merge(a, on=key, how="outer")
    miss = out["name_vi"].isna()
    if miss.any():
        fill = ia[[*key, *keep]].drop_duplicates(key)
        out = out.set_index(key)
        out.update(fill.set_index(key), overwrite=False)
        out = out.reset_index()
    out["change"] = out["value_b"] - out["value_a"]
    cols = ["indicator_id", "name_vi", "name_en", "scope_level", "unit_code", "unit_name",
            "value_a", "value_b", "change", "target", "direction", "met_a", "met_b", "gap_a",
            "gap_b", "gap_unit"]
    order = {lv: i for i, lv in enumerate(LEVELS)}
    out = out[cols].assign(_o=out["scope_level"].map(order).fillna(99)).sort_values(
        ["_o", "unit_code", "indicator_id"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def _carried(ind: pd.DataFrame | None, computed: pd.DataFrame) -> pd.DataFrame:
    """Indicators of a run's indicators.csv that are not recomputed here (the per-commune
    statistics), when that table has unit codes."""
    if ind is None or len(ind) == 0 or "unit_code" not in ind:
        return computed
    extra = ind[~ind["indicator_id"].isin(computed["indicator_id"])].copy()
    if not len(extra):
        return computed
    extra["unit_code"] = extra["unit_code"].fillna("").astype(str).str.replace(r"\.0$", "",
                                                                               regex=True)
    return pd.concat([computed, extra[[c for c in computed.columns if c in extra]]],
                     ignore_index=True)


def compare_runs(a: RunFolderData, b: RunFolderData, *,
                 params: IndicatorParams | None = None) -> dict[str, pd.DataFrame]:
    """Compare run ``a`` (then) with run ``b`` (now); see the module docstring.

    Parameters
    ----------
    a, b
        The two runs' tables.
    params
        Indicator settings for both sides; default: the targets preset of run ``b``.

    Returns
    -------
    dict of pandas.DataFrame
        ``compare_units``, ``compare_indicators``, ``compare_hamlets``; ``attrs["rekeyed"]``
        of ``compare_units`` lists the runs re-keyed through the crosswalk (``"a"``, ``"b"``).
    """
    if params is None:
        preset = b.targets_preset or a.targets_preset or "national"
        try:
            params = IndicatorParams(preset=preset)
        except ValueError:
            params = IndicatorParams()
    ha, rekeyed_a = rekey_hamlets(a.hamlets)
    hb, rekeyed_b = rekey_hamlets(b.hamlets)
    changes = _hamlet_changes(ha, hb)
    pos = (_nearest_units(a.positions, ha), _nearest_units(b.positions, hb))
    towers = (_nearest_units(a.proposed_towers, ha), _nearest_units(b.proposed_towers, hb))
    fiber = (_fiber_units(a.fiber_extensions, ha), _fiber_units(b.fiber_extensions, hb))
    units = _unit_table(changes, pos, towers, fiber)
    units.attrs["rekeyed"] = [t for t, r in (("a", rekeyed_a), ("b", rekeyed_b)) if r]
    ia = compute_indicators(ha, positions=a.positions, facilities=a.facilities, params=params,
                            scopes=UNIT_SCOPES)
    ib = compute_indicators(hb, positions=b.positions, facilities=b.facilities, params=params,
                            scopes=UNIT_SCOPES)
    ia = _carried(None if rekeyed_a else a.indicators, ia)
    ib = _carried(None if rekeyed_b else b.indicators, ib)
    return {"compare_units": units, "compare_indicators": _indicator_table(ia, ib),
            "compare_hamlets": changes}
