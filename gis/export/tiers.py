"""Coverage rasters (best signal, dBm) as polygons by coverage tier.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from gis.errors import InputFileError
from gis.layers.crs import WGS84, analysis_crs_for_lon

__all__ = [
    "AREA_TOLERANCE",
    "DEFAULT_TIERS_DBM",
    "TIERS_MAX_CELLS",
    "TIER_COLORS",
    "cell_polygons",
    "simplify_tier",
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


#: The simplified outline of a tier is kept when its area is within this fraction of the exact
#: cells' area (0.5 %); otherwise the tier keeps its cell outline (:func:`simplify_tier`).
AREA_TOLERANCE = 0.005


def cell_polygons(pieces: list[tuple[dict, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Polygons and values of :func:`rasterio.features.shapes` output, built as arrays.

    The same polygons as ``shapely.geometry.shape`` of each piece (shell first, then holes),
    from one coordinate array: :func:`shapely.linearrings` and :func:`shapely.polygons` with
    ``indices``, instead of a Python object per ring."""
    rings = [ring for g, _ in pieces for ring in g["coordinates"]]
    n_rings = np.fromiter((len(g["coordinates"]) for g, _ in pieces), np.int64, len(pieces))
    lengths = np.fromiter((len(r) for r in rings), np.int64, len(rings))
    xy = np.fromiter((c for r in rings for xy in r for c in xy), np.float64,
                     2 * int(lengths.sum())).reshape(-1, 2)
    lr = shapely.linearrings(xy, indices=np.repeat(np.arange(len(rings)), lengths))
    polys = shapely.polygons(lr, indices=np.repeat(np.arange(len(pieces)), n_rings))
    values = np.fromiter((v for _, v in pieces), np.int64, len(pieces))
    return polys, values


def simplify_tier(tiers: np.ndarray, cell_m: float, simplify_cells: float, *,
                  project: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Simplified outlines of dissolved tiers (MultiPolygons of raster cells), each valid and
    within :data:`AREA_TOLERANCE` of its cells' area.

    Douglas-Peucker by ``simplify_cells`` cells without topology preservation (GEOS'
    ``simplify``: 5-20x faster than the topology-preserving variant on these outlines, with
    fewer vertices); a tier whose result is invalid, empty or off by more than 0.5 % in area
    (fragmented coverage: pieces of one or two cells vanish under a one-cell tolerance) takes
    the half-cell simplification instead, which only drops vertices of runs of steps and keeps
    the cells' area; and if that too fails the checks, the cell outline itself. Boundaries move
    by at most ``simplify_cells`` cells (Douglas-Peucker's Hausdorff bound), so a cell whose
    neighbours within that distance share its tier stays inside its tier's polygon.

    Parameters
    ----------
    tiers
        MultiPolygons, one per tier, in the raster's CRS.
    cell_m
        Cell size in the raster's CRS units (metres for projected rasters).
    simplify_cells
        Tolerance in cells; ``0`` keeps the cell outlines.
    project
        Geometries in the raster's CRS -> the output CRS (default: none). Validity is judged
        after it: rings that touch in the raster's CRS can cross by a rounding error once
        reprojected.

    Returns
    -------
    numpy.ndarray
        The tiers' outlines, in the output CRS.
    """
    tiers = np.asarray(tiers, dtype=object)
    project = project or (lambda g: g)
    if simplify_cells <= 0 or not tiers.size:
        return project(tiers)
    exact = shapely.area(tiers)

    def checked(g: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = project(g)
        return out, (shapely.is_valid(out) & ~shapely.is_empty(g)
                     & (np.abs(shapely.area(g) - area) <= AREA_TOLERANCE * area))

    out, ok = checked(shapely.simplify(tiers, simplify_cells * cell_m, preserve_topology=False),
                      exact)
    redo = np.flatnonzero(~ok)          # only the tiers that failed: the fallbacks cost
    if redo.size:
        half, half_ok = checked(shapely.simplify(tiers[redo], min(0.5, simplify_cells) * cell_m,
                                                 preserve_topology=False), exact[redo])
        out[redo] = half
        raw = redo[~half_ok]
        if raw.size:
            out[raw] = project(tiers[raw])
    return out


def tier_polygons(raster: str | Path, *,
                  tiers_dbm: tuple[tuple[str, float], ...] = DEFAULT_TIERS_DBM,
                  simplify_cells: float = 1.0) -> gpd.GeoDataFrame:
    """Polygons of a best-RSRP raster (dBm) by coverage tier, dissolved per tier, in EPSG:4326.

    Each cell goes to the first tier (strongest first) whose minimum it reaches; cells below
    the last tier or without data get none. Uses :func:`rasterio.features.shapes` on the tier
    raster (one band, int16), so the polygons follow cell edges; the outlines are then
    simplified by ``simplify_cells`` cells (default one cell, e.g. 30 m: well below what a plan
    reads, and it drops most of the staircase vertices, which keeps the KML light for Google
    Earth) as long as each tier stays valid and within 0.5 % of its cells' area
    (:func:`simplify_tier`). ``0`` keeps cell edges. ``area_km2`` is always the exact area of
    the cells.

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
    finite = np.isfinite(rsrp)
    for i, (_, lo) in reversed(list(enumerate(tiers, start=1))):
        codes[finite & (rsrp >= lo)] = i
    del rsrp, finite
    pieces = list(features.shapes(codes, mask=codes > 0, transform=transform))
    if not pieces:
        return gpd.GeoDataFrame({"tier": [], "rsrp_min_dbm": [], "area_km2": []},
                                geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    geoms, values = cell_polygons(pieces)
    del pieces
    # The pieces of one tier never overlap (each cell is in one piece), so a MultiPolygon of
    # them is the dissolved tier without a costly union.
    present = np.unique(values)
    merged = gpd.GeoSeries([shapely.multipolygons(geoms[values == c]) for c in present],
                           crs=crs)
    metric = merged
    if crs is None or not CRS(crs).is_projected:
        cx = float(np.mean(shapely.bounds(merged.to_crs(WGS84).to_numpy())[:, [0, 2]]))
        metric = merged.to_crs(analysis_crs_for_lon(cx))
    cell = min(abs(transform.a), abs(transform.e))

    def to_wgs84(g: np.ndarray) -> np.ndarray:
        return gpd.GeoSeries(g, crs=crs).to_crs(WGS84).to_numpy()

    geometry = simplify_tier(merged.to_numpy(), cell, simplify_cells, project=to_wgs84)
    return gpd.GeoDataFrame({
        "tier": [tiers[c - 1][0] for c in present],
        "rsrp_min_dbm": [tiers[c - 1][1] for c in present],
        "area_km2": np.round(shapely.area(metric.to_numpy()) / 1e6, 4),
    }, geometry=geometry, crs=WGS84)
