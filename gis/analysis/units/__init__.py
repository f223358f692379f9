"""Administrative units of 1 July 2025: the crosswalk, name matching and hamlet attribution.

Since 1 July 2025 Vietnam has 34 provinces and 3,321 communes and no districts (DOMAIN.md
section 6). Hamlet lists, plans and admin layers still name the former 63 provinces, 696
districts and 10,035 communes. This package reads a published crosswalk (the data files of the
PyPI packages ``vietnamadminunits`` and ``vietnam-provinces``, never their code, never the
network: see :mod:`gis.analysis.units.data`) and gives every hamlet its new and former
units.

Modules:

:mod:`~gis.analysis.units.names`
    :func:`normalise_unit_name`: one key for "Xã Hải Đông", "xa hai dong", "P.12", "TP. HCM".
:mod:`~gis.analysis.units.data`
    :func:`crosswalk`: the tables (34 provinces, 3,321 communes, 63 former provinces, 696
    former districts, 10,040 former communes, 471 split communes), loaded lazily and cached;
    :func:`former_district_units`.
:mod:`~gis.analysis.units.match`
    :func:`match_names`, :func:`match_table`: names to units.
:mod:`~gis.analysis.units.admin`
    :func:`match_admin_layer`: is an admin layer former or new, which level, which units.
:mod:`~gis.analysis.units.assign`
    :func:`assign_units`: the per-hamlet units, their source and conflicts.
:mod:`~gis.analysis.units.stats`
    per-commune statistics (subscriptions, smartphones, i-Speed) matched to the units.

Importing this package loads no data; the names below are imported on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "UNIT_COLUMNS",
    "AdminMatch",
    "Crosswalk",
    "UnitName",
    "UnitParams",
    "assign_units",
    "crosswalk",
    "former_district_units",
    "match_admin_layer",
    "match_names",
    "normalise_unit_name",
    "units_summary",
]

_WHERE = {
    "UNIT_COLUMNS": "assign", "assign_units": "assign", "units_summary": "assign",
    "AdminMatch": "admin", "match_admin_layer": "admin",
    "Crosswalk": "data", "crosswalk": "data", "former_district_units": "data",
    "match_names": "match", "UnitName": "names", "normalise_unit_name": "names",
    "UnitParams": "params",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
