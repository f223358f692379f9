"""Where new shared towers may stand and whom they serve: candidates, admin units, density.

Candidate locations (:func:`tower_candidates`: along roads, at public facilities and hamlet
centres), the commune and district of points (:func:`admin_of_points`) and the population
density of hamlets (:func:`density_per_km2`, which decides urban rules and the tower class).
The set cover itself is :func:`gis.analysis.sharing.propose_towers`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from gis.analysis.units import assign_units

__all__ = ["POINT_UNIT_COLUMNS", "admin_of_points", "density_per_km2", "tower_candidates",
           "units_of_points"]

#: The 2025 (and former district) unit columns :func:`units_of_points` gives each point.
POINT_UNIT_COLUMNS = ["province_code", "province", "commune_code", "commune",
                      "former_district_code", "former_district"]


def tower_candidates(roads: gpd.GeoDataFrame | None, facilities: gpd.GeoDataFrame | None,
                     spacing_m: float, near_xy: np.ndarray, radius_m: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Candidate new-tower locations: points every ``spacing_m`` along the roads, public
    facilities, and the centres of the hamlets to serve (the cultural house's land), kept only
    within ``radius_m`` of a hamlet to serve. Returns (xy, kind) arrays."""
    parts, kinds = [], []
    if roads is not None and len(roads):
        lines = np.asarray(roads.geometry.values, dtype=object)
        lengths = shapely.length(lines)
        counts = np.floor(lengths / spacing_m).astype(int) + 1
        geom = np.repeat(lines, counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        pts = shapely.line_interpolate_point(geom, offset * spacing_m)
        parts.append(shapely.get_coordinates(pts))
        kinds.append(np.full(len(pts), "road", dtype=object))
    if facilities is not None and len(facilities):
        pts = shapely.point_on_surface(np.asarray(facilities.geometry.values, dtype=object))
        parts.append(shapely.get_coordinates(pts))
        kinds.append(np.full(len(pts), "facility", dtype=object))
    parts.append(near_xy)
    kinds.append(np.full(len(near_xy), "hamlet_centre", dtype=object))
    xy = np.vstack(parts)
    kind = np.concatenate(kinds)
    # One candidate per 50 m cell, then only those within reach of a hamlet to serve.
    _, first = np.unique(np.round(xy / 50.0), axis=0, return_index=True)
    first = np.sort(first)
    xy, kind = xy[first], kind[first]
    if len(near_xy) == 0:
        return xy[:0], kind[:0]
    d, _ = cKDTree(near_xy).query(xy, distance_upper_bound=radius_m)
    keep = np.isfinite(d)
    return xy[keep], kind[keep]


def admin_of_points(points: gpd.GeoSeries, hamlets: pd.DataFrame, hamlet_xy: np.ndarray,
                    villages: gpd.GeoDataFrame | None, admin: gpd.GeoDataFrame | None
                    ) -> pd.DataFrame:
    """Commune and district of each point (metric CRS): the admin polygon it falls in, else its
    nearest hamlet's (``hamlets["commune"]``, ``villages["district"]``)."""
    out = pd.DataFrame(index=range(len(points)), columns=["commune", "district"], dtype=object)
    if len(hamlet_xy):
        _, near = cKDTree(hamlet_xy).query(shapely.get_coordinates(points.values))
        out["commune"] = hamlets["commune"].to_numpy()[near]
        if villages is not None and "district" in villages:
            out["district"] = villages["district"].to_numpy()[near]
    if admin is not None and len(admin):
        joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points.values, crs=admin.crs),
                           admin, how="left", predicate="within")
        joined = joined[~joined.index.duplicated()]
        has = joined["name"].notna().to_numpy()
        out.loc[has, "commune"] = joined["name"].to_numpy()[has]
        if "district" in joined:
            dist = joined["district"].to_numpy()
            ok = has & pd.notna(dist)
            out.loc[ok, "district"] = dist[ok]
    return out


def units_of_points(points: gpd.GeoSeries, hamlets: pd.DataFrame, hamlet_xy: np.ndarray,
                    admin: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """The 2025 units (:data:`POINT_UNIT_COLUMNS`) of each point (metric CRS): from the admin
    polygon containing it when there is one (:func:`gis.analysis.units.assign_units` on the
    points' positions: a former commune polygon gives its new commune, the part nearest the
    point for a split one), else those of its nearest hamlet (``hamlets`` with the unit
    columns of :func:`~gis.analysis.units.assign_units`, centres ``hamlet_xy``).

    Returns one row per point (``range(len(points))`` index); NA where nothing decides.
    """
    cols = [c for c in POINT_UNIT_COLUMNS if c in hamlets]
    out = pd.DataFrame(index=range(len(points)), columns=POINT_UNIT_COLUMNS, dtype=object)
    if len(points) == 0:
        return out
    if len(hamlet_xy):
        _, near = cKDTree(hamlet_xy).query(shapely.get_coordinates(points.values))
        for c in cols:
            out[c] = hamlets[c].to_numpy(dtype=object)[near]
    if admin is not None and len(admin):
        units = assign_units(gpd.GeoDataFrame(geometry=points.values, crs=points.crs),
                             admin=admin)
        placed = (units["unit_source"].isin(["polygon", "approximate"])).to_numpy()
        for c in POINT_UNIT_COLUMNS:
            out.loc[placed, c] = units[c].to_numpy(dtype=object)[placed]
    return out


def density_per_km2(villages: gpd.GeoDataFrame, pop: np.ndarray) -> np.ndarray:
    """People per km² of each hamlet (0 for point hamlets, whose area is unknown)."""
    area_km2 = shapely.area(np.asarray(villages.geometry.values, dtype=object)) / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(area_km2 > 0, pop / np.where(area_km2 > 0, area_km2, 1), 0.0)
