"""Frames ready to write: WGS84 points from lon/lat, flags as booleans, values every format stores.

Shared by the writers (:mod:`gis.layers.writers` and the format modules) and the uncovered list.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.layers.crs import WGS84

__all__ = [
    "as_bool",
    "cell_value",
    "file_safe",
    "flatten_value",
    "plain",
    "points_frame",
    "with_lonlat",
]


def points_frame(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """``table`` as a GeoDataFrame in EPSG:4326.

    A GeoDataFrame is reprojected; a plain table gets Point geometries from its ``lon``/``lat``
    columns (degrees); a table without either gets empty geometries (kept, never dropped).
    """
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        return table if table.crs is None else table.to_crs(WGS84)
    frame = pd.DataFrame(table).copy()
    if {"lon", "lat"} <= set(frame):
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
        geom = shapely.points(lon, lat)
        geom[~(np.isfinite(lon) & np.isfinite(lat))] = None
    else:
        geom = np.full(len(frame), None, dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geom, index=frame.index), crs=WGS84)


def with_lonlat(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``lon``/``lat`` columns (degrees), derived from its geometry if needed.

    For non-point geometries the point is :func:`shapely.point_on_surface`. A table with
    neither gets NaN coordinates.
    """
    if {"lon", "lat"} <= set(table):
        return table
    out = table.copy()
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        geom = table.geometry if table.crs is None else table.geometry.to_crs(WGS84)
        pts = shapely.point_on_surface(geom.to_numpy())
        out["lon"] = shapely.get_x(pts)
        out["lat"] = shapely.get_y(pts)
    else:
        out["lon"] = np.nan
        out["lat"] = np.nan
    return out


def as_bool(frame: pd.DataFrame, column: str) -> pd.Series | None:
    """Column as nullable booleans (NA where unknown), or ``None`` when absent.

    Text such as ``"True"``, ``"1"``, ``"yes"``, ``"có"``, ``"x"`` counts as true, so flags read
    back from CSV or a GeoPackage (where booleans may come back as 0/1) keep their meaning.
    """
    if column not in frame:
        return None
    s = frame[column]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        s = s.map(lambda v: pd.NA if v is None or (isinstance(v, float) and math.isnan(v))
                  else str(v).strip().lower() in ("true", "1", "1.0", "yes", "có", "x"))
    return s.astype("boolean")



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
