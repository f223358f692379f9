"""Values every output format stores: lists joined, dicts as JSON, NA as empty cells.

Shared by the writers (:mod:`gis.export.writers`, :mod:`gis.export.kml`,
:mod:`gis.export.shapefile`); WGS84 points and flags are :mod:`gis.analysis.frames`.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

__all__ = [
    "cell_value",
    "file_safe",
    "flatten_value",
    "plain",
]


def flatten_value(v: object) -> object:
    """A list, tuple, set or array as ``"a; b"``, a dict as JSON; anything else unchanged."""
    if isinstance(v, list | tuple | set | np.ndarray):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def file_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose values every format can store: lists joined by ``"; "``, dicts as JSON."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry" or out[col].dtype != object:
            continue
        if out[col].map(lambda v: isinstance(v, list | tuple | set | dict | np.ndarray)).any():
            out[col] = out[col].map(flatten_value)
    return out


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a plain DataFrame without its geometry column (``lon``/``lat`` stay)."""
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def cell_value(v: object) -> object:
    """A value as a spreadsheet / XML cell takes it: ``None`` for NA, NaN and NaT, Python
    scalars for numpy ones, lists flattened."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return flatten_value(v)
