"""Coverage rasters (best signal, dBm) as polygons by coverage tier.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from gis.errors import InputFileError
from gis.layers.crs import WGS84, analysis_crs_for_lon

__all__ = [
    "DEFAULT_TIERS_DBM",
    "TIERS_MAX_CELLS",
    "TIER_COLORS",
    "tier_polygons",
]



#: Default coverage tiers (name, minimum signal in dBm): the 4G/5G defaults of
#: ``gis.radio.params.CoverageTiers`` (DOMAIN.md section 3 industry values: good ≥ -95 dBm,
#: fair ≥ -105 dBm, edge ≥ -110 dBm). Runs pass their own per-technology tiers.
DEFAULT_TIERS_DBM: tuple[tuple[str, float], ...] = (("good", -95.0), ("fair", -105.0),
                                                     ("edge", -110.0))

TIER_COLORS = {"good": "#1a9850", "fair": "#fee08b", "edge": "#fc8d59"}

#: Rasters larger than this (cells) get no tier polygons: 100 M cells is 90,000 km² at 30 m,
#: more than any 2025 province. The polygons of the country's 470 M-cell rasters would take
#: tens of GB (the raster as float64, then millions of polygons as Python objects) and hours;
#: at that size the COG / VRT rasters themselves, styled in QGIS, are the map.
TIERS_MAX_CELLS = 100_000_000


def tier_polygons(raster: str | Path, *,
                  tiers_dbm: tuple[tuple[str, float], ...] = DEFAULT_TIERS_DBM,
                  simplify_cells: float = 1.0) -> gpd.GeoDataFrame:
    """Polygons of a best-RSRP raster (dBm) by coverage tier, dissolved per tier, in EPSG:4326.

    Each cell goes to the first tier (strongest first) whose minimum it reaches; cells below
    the last tier or without data get none. Uses :func:`rasterio.features.shapes` on the tier
    raster (one band, int16), so the polygons follow cell edges; the outlines are then
    simplified (Douglas-Peucker, topology preserved) by ``simplify_cells`` cells (default one
    cell, e.g. 30 m: well below what a plan reads, and it drops about three quarters of the
    staircase vertices, which keeps the KML light for Google Earth). ``0`` keeps cell edges.
    ``area_km2`` is always the exact area of the cells.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``tier``, ``rsrp_min_dbm``, ``area_km2`` and geometry; one row per tier present.
    """
    import rasterio
    from rasterio import features

    tiers = sorted(tiers_dbm, key=lambda t: -t[1])
    try:
        with rasterio.open(raster) as src:
            rsrp = src.read(1, masked=True).astype("float64").filled(np.nan)
            transform, crs = src.transform, src.crs
    except rasterio.errors.RasterioIOError as exc:
        raise InputFileError(f"Cannot read the raster: {exc}.", f"Không đọc được raster: {exc}.",
                             file=raster) from exc
    codes = np.zeros(rsrp.shape, dtype=np.int16)
    for i, (_, lo) in reversed(list(enumerate(tiers, start=1))):
        codes[np.isfinite(rsrp) & (rsrp >= lo)] = i
    pieces = list(features.shapes(codes, mask=codes > 0, transform=transform))
    if not pieces:
        return gpd.GeoDataFrame({"tier": [], "rsrp_min_dbm": [], "area_km2": []},
                                geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    geoms = np.array([shapely.geometry.shape(g) for g, _ in pieces], dtype=object)
    values = np.array([int(v) for _, v in pieces])
    # The pieces of one tier never overlap (each cell is in one piece), so a MultiPolygon of
    # them is the dissolved tier without a costly union.
    present = np.unique(values)
    merged = gpd.GeoSeries([shapely.multipolygons(geoms[values == c]) for c in present],
                           crs=crs)
    metric = merged
    if crs is None or not CRS(crs).is_projected:
        cx = float(np.mean(shapely.bounds(merged.to_crs(WGS84).to_numpy())[:, [0, 2]]))
        metric = merged.to_crs(analysis_crs_for_lon(cx))
    geometry = merged.to_numpy()
    if simplify_cells > 0:
        cell = min(abs(transform.a), abs(transform.e))
        geometry = shapely.simplify(geometry, simplify_cells * cell, preserve_topology=True)
    out = gpd.GeoDataFrame({
        "tier": [tiers[c - 1][0] for c in present],
        "rsrp_min_dbm": [tiers[c - 1][1] for c in present],
        "area_km2": np.round(shapely.area(metric.to_numpy()) / 1e6, 4),
    }, geometry=geometry, crs=crs)
    return out.to_crs(WGS84).reset_index(drop=True)
