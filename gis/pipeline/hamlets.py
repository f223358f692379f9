"""The stage ``hamlets``: the per-hamlet table, with every hamlet's 2025 and former units.

The table is :func:`gis.analysis.hamlets.hamlet_table` (ids, name, population, households,
centre lon/lat) with the units of :func:`gis.analysis.units.assign_units` (the names the file
gives, then containment in the project's admin layer when there is one, then the position):

``village_id, name, province_code, province, commune_code, commune, former_province_code,
former_province, former_district_code, former_district, former_commune_code, former_commune,
population, households, lon, lat, unit_source, former_source, unit_conflict, unit_conflict_en,
unit_conflict_vi``

``commune`` and ``province`` are the 2025 units (Nghị quyết 202/2025/QH15); the names the file
gave are kept as the ``former_*`` units (or, when the file already names 2025 units, derived
from them). A hamlet whose names contradict its position keeps its names and is reported in
``unit_conflict`` (issue 13, item 4), and the run's warnings say how many.
"""

from __future__ import annotations

import pandas as pd

from gis.analysis.hamlets import hamlet_table
from gis.analysis.units import UNIT_COLUMNS, assign_units, units_summary
from gis.pipeline.context import RunContext

__all__ = ["HAMLET_UNIT_ORDER", "hamlets_stage", "with_units"]

#: The unit columns placed right after ``village_id, name`` (names and codes); the others of
#: :data:`~gis.analysis.units.UNIT_COLUMNS` (source, conflicts) go after ``lon, lat``.
HAMLET_UNIT_ORDER = [c for c in UNIT_COLUMNS if c.endswith(("_code", "province", "district",
                                                            "commune"))]


def with_units(base: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The hamlet table ``base`` with the columns of ``units`` (same index) in their places:
    names and codes after ``village_id, name``, sources and conflicts at the end. ``base``'s
    own ``commune`` (the name given) is replaced by the 2025 commune."""
    head = [c for c in ("village_id", "name") if c in base]
    rest = [c for c in base.columns if c not in head and c not in units.columns]
    tail = [c for c in units.columns if c not in HAMLET_UNIT_ORDER]
    return pd.concat([base[head], units[HAMLET_UNIT_ORDER], base[rest], units[tail]], axis=1)


def hamlets_stage(ctx: RunContext) -> None:
    """Stage ``hamlets``: ``ctx.hamlets`` with the 2025 units (reads villages, admin, units)."""
    villages = ctx.project.require("villages")
    admin = ctx.project.layer("admin")
    units = assign_units(villages, admin=admin if admin is not None and len(admin) else None,
                         params=ctx.params.units)
    ctx.hamlets = with_units(hamlet_table(villages), units)
    ctx.state.units = dict(units.attrs.get("units") or {})
    for en, vi in units_summary(units):
        ctx.warn(en, vi)
