"""Compact GeoJSON for web maps: simplified, rounded to about a metre, only the needed properties.

A web map does not need survey precision: 5 decimal places of a degree are about 1.1 m at the
equator, far below what a screen shows at district zoom, and a polygon simplified with a 5 m
tolerance looks the same. Both keep the map HTML small (issue 7 targets < 5 MB on the sample area).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = [
    "COORD_DECIMALS",
    "SIMPLIFY_M",
    "cached",
    "compact_geojson",
    "points_frame",
    "to_wgs84",
]

#: Decimal places of degrees kept (1e-5 degree is about 1.1 m).
COORD_DECIMALS = 5
#: Simplification tolerance in metres for polygons and lines (below one screen pixel at zoom 14).
SIMPLIFY_M = 5.0


def to_wgs84(gdf: gpd.GeoDataFrame, *, simplify_m: float | None = SIMPLIFY_M,
             decimals: int = COORD_DECIMALS) -> gpd.GeoDataFrame:
    """``gdf`` simplified in its metric CRS by ``simplify_m`` metres, in EPSG:4326, rounded.

    Points are never simplified. Geometries of a frame without a CRS are assumed to be WGS84
    already. The input is not modified.
    """
    out = gdf.copy()
    geoms = out.geometry.values
    crs = out.crs
    if simplify_m and crs is not None and crs.is_projected:
        non_point = ~np.isin(shapely.get_type_id(np.asarray(geoms)), (0, 4))
        arr = np.asarray(geoms).copy()
        arr[non_point] = shapely.simplify(arr[non_point], simplify_m, preserve_topology=True)
        out = out.set_geometry(gpd.GeoSeries(arr, index=out.index, crs=crs))
    if crs is not None and not crs.equals("EPSG:4326"):
        out = out.to_crs(4326)
    rounded = shapely.transform(np.asarray(out.geometry.values),
                                lambda xy: np.round(xy, decimals))
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=4326))


def cached(cache: dict | None, key: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, memoised in ``cache`` under ``key`` when a cache is given.

    The app keeps one cache per run and language, so that a map-only change (colours, base map,
    layers shown) reassembles the map from GeoJSON already prepared instead of reprojecting and
    simplifying every layer again.
    """
    if cache is None:
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _jsonable(frame: pd.DataFrame) -> pd.DataFrame:
    """Property columns as JSON-safe Python values (NaN -> None, numpy scalars -> Python).

    Text is HTML-escaped: Leaflet popups and tooltips insert properties as HTML, and names,
    notes and communes come from the user's files, so they must show as text, never run as markup.
    """
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
            out[col] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.round(3).astype(object).where(s.notna(), None)
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.astype(object)
        else:
            out[col] = s.astype(object).where(s.notna(), None).map(
                lambda v: v if v is None or isinstance(v, bool | int | float)
                else html.escape(str(v)))
    return out


def compact_geojson(gdf: gpd.GeoDataFrame, properties: Sequence[str] = (), *,
                    simplify_m: float | None = SIMPLIFY_M,
                    decimals: int = COORD_DECIMALS) -> dict:
    """A GeoJSON FeatureCollection (a dict) of ``gdf`` with only ``properties`` kept.

    Parameters
    ----------
    gdf
        Any layer; reprojected to WGS84 (EPSG:4326) and rounded to ``decimals`` places.
    properties
        The columns to keep as feature properties (missing ones are skipped).
    simplify_m
        Simplification tolerance in metres applied in the layer's metric CRS; ``None`` for none.
    """
    keep = [c for c in properties if c in gdf.columns and c != "geometry"]
    small = to_wgs84(gdf[[*keep, gdf.geometry.name]], simplify_m=simplify_m, decimals=decimals)
    small = small[~(small.geometry.isna() | small.geometry.is_empty)]
    props = _jsonable(pd.DataFrame(small[keep])).to_dict(orient="records")
    geoms = shapely.to_geojson(np.asarray(small.geometry.values))   # vectorised, in C
    body = ",".join(
        f'{{"type":"Feature","properties":{json.dumps(p, ensure_ascii=False)},'
        f'"geometry":{g}}}'
        for p, g in zip(props, geoms, strict=True)
    )
    return json.loads(f'{{"type":"FeatureCollection","features":[{body}]}}')


def points_frame(table: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """A result table as a point layer: its own geometry, or its ``lon``/``lat`` columns (WGS84).

    Returns ``None`` when the table has neither.
    """
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        return table
    if {"lon", "lat"} <= set(table.columns):
        return gpd.GeoDataFrame(table.copy(), geometry=gpd.points_from_xy(table["lon"],
                                                                          table["lat"]), crs=4326)
    return None
