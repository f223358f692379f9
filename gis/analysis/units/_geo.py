"""Positions and distances for the unit attribution: WGS84 points, haversine, nearest pick."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8


def lonlat(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude and latitude (degrees) of each row: a point, or a point on the surface of
    a polygon; ``lon``/``lat`` columns for a plain table; NaN where unknown."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame and len(frame):
        geom = frame.geometry.to_numpy()
        pts = shapely.point_on_surface(geom)
        if frame.crs is not None and not frame.crs.is_geographic:
            pts = gpd.GeoSeries(pts, crs=frame.crs).to_crs(4326).to_numpy()
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if {"lon", "lat"} <= set(frame.columns):
        return (pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float),
                pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float))
    nan = np.full(len(frame), np.nan)
    return nan, nan.copy()


def haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                lat2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres between points given in degrees (haversine formula)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_to_box_m(lon: np.ndarray, lat: np.ndarray, lon_min: np.ndarray,
                      lon_max: np.ndarray, lat_min: np.ndarray,
                      lat_max: np.ndarray) -> np.ndarray:
    """Distance in metres from each point to a lon/lat box (0 inside; NaN for a NaN box)."""
    cx = np.clip(lon, lon_min, lon_max)
    cy = np.clip(lat, lat_min, lat_max)
    return haversine_m(lon, lat, cx, cy)


def pick_nearest(row: np.ndarray, cand: np.ndarray, cand_lon: np.ndarray, cand_lat: np.ndarray,
                 lon: np.ndarray, lat: np.ndarray) -> dict[int, object]:
    """For pairs (row, candidate at cand_lon/cand_lat), the candidate nearest each row's point.

    Rows whose point is unknown get their first candidate. Returns ``{row: candidate}``.
    """
    if len(row) == 0:
        return {}
    d = haversine_m(lon[row], lat[row], cand_lon, cand_lat)
    d = np.where(np.isfinite(d), d, np.inf)
    order = np.lexsort((d, row))  # by row, then distance: the first of each row is the nearest
    r, c = row[order], cand[order]
    first = np.r_[True, r[1:] != r[:-1]]
    return dict(zip(r[first].tolist(), c[first].tolist(), strict=True))
