"""The per-hamlet table every analysis adds its columns to, and hamlet centre points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from gis.layers.crs import WGS84

__all__ = ["hamlet_centres", "hamlet_table"]


def hamlet_centres(villages: gpd.GeoDataFrame) -> np.ndarray:
    """Centre points (the cultural house, nhà văn hóa) of the hamlets, as an (n, 2) array of x, y.

    Coordinates are in the layer's (metric, analysis) CRS. The centre is, in order of preference:
    the ``centre_x``/``centre_y`` columns set by the reader from a centre lon/lat in the file; the
    point itself for point hamlets; a point guaranteed inside the polygon
    (:func:`shapely.point_on_surface`) for polygon hamlets.
    """
    geoms = villages.geometry.values
    pts = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    xy = shapely.get_coordinates(pts).reshape(-1, 2) if len(pts) else np.empty((0, 2))
    if "centre_x" in villages and "centre_y" in villages:
        cx = villages["centre_x"].to_numpy(dtype=float)
        cy = villages["centre_y"].to_numpy(dtype=float)
        ok = np.isfinite(cx) & np.isfinite(cy)
        xy[ok, 0] = cx[ok]
        xy[ok, 1] = cy[ok]
    return xy


def hamlet_table(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """The base per-hamlet table, one row per input village in input order.

    Columns: ``village_id, name, commune, population, households, lon, lat`` (centre in WGS84
    degrees). Later analyses add their columns on the same index.
    """
    xy = hamlet_centres(villages)
    to_wgs = Transformer.from_crs(villages.crs, WGS84, always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1]) if len(xy) else (np.array([]), np.array([]))
    out = pd.DataFrame(index=villages.index)
    for col in ("village_id", "name", "commune"):
        out[col] = villages.get(col, pd.NA)
    for col in ("population", "households"):
        out[col] = villages.get(col, np.nan)
    out["lon"] = np.round(lon, 6)
    out["lat"] = np.round(lat, 6)
    return out
