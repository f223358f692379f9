"""Per-hamlet and result tables as the analyses and the outputs share them.

WGS84 points from ``lon``/``lat`` columns (or lon/lat from a geometry), and flag columns read as
nullable booleans whatever file they came back from.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.layers.crs import WGS84

__all__ = ["as_bool", "points_frame", "with_lonlat"]


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
