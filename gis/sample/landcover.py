"""A land-cover raster for the sample in ESA WorldCover classes, on the DEM's 30 m grid.

The classes follow the terrain and the settlements: rice paddies (cropland, 40) on the delta
and the valley and basin floors, shrubland (20) on the lower hill slopes above 80 m, tree cover
(10) on the limestone ranges above 150 m, built-up (50) in the district town and the
industrial zone, and a meandering river (permanent water, 80) across the delta, like the Hoàng
Long river. The radio engine turns classes into clutter losses
(``RadioParams.clutter_loss_db``).
"""

from __future__ import annotations

import numpy as np
import shapely

from gis.sample.terrain import grid_centres

__all__ = [
    "BUILT_UP",
    "CROPLAND",
    "LANDCOVER_NODATA",
    "SHRUBLAND",
    "TREE_COVER",
    "WATER",
    "landcover_grid",
    "river_line",
]

TREE_COVER = 10
SHRUBLAND = 20
CROPLAND = 40
BUILT_UP = 50
WATER = 80

#: Land-cover nodata (WorldCover uses 0 for "no data").
LANDCOVER_NODATA = 0

#: Elevations (m) above which hill slopes are shrubland, then tree cover.
SHRUB_ABOVE_M = 80.0
TREE_ABOVE_M = 150.0
#: Radius of the town's built-up core (m) and width of the river (m).
TOWN_RADIUS_M = 900.0
RIVER_WIDTH_M = 120.0


def landcover_grid(dem: np.ndarray, bounds: tuple[float, float, float, float], res_m: float,
                   town_xy: np.ndarray, industrial_zone: shapely.Geometry,
                   river: shapely.LineString) -> np.ndarray:
    """WorldCover class codes (uint8) on the DEM's grid (same shape, row 0 to the north).

    Parameters
    ----------
    dem
        The DEM on that grid, metres.
    bounds, res_m
        The grid (left, bottom, right, top) and cell size, metres (EPSG:32648).
    town_xy
        Centre of the district town, metres.
    industrial_zone
        Its polygon.
    river
        Centre line of the river, metres.
    """
    xs, ys = grid_centres(bounds, res_m)
    xx, yy = np.meshgrid(xs, ys)
    lc = np.full(dem.shape, CROPLAND, dtype=np.uint8)
    lc[dem > SHRUB_ABOVE_M] = SHRUBLAND
    lc[dem > TREE_ABOVE_M] = TREE_COVER
    pts = shapely.points(xx.ravel(), yy.ravel())
    near_river = shapely.dwithin(river, pts, RIVER_WIDTH_M / 2).reshape(dem.shape)
    lc[near_river & (dem < 10.0)] = WATER
    lc[np.hypot(xx - town_xy[0], yy - town_xy[1]) < TOWN_RADIUS_M] = BUILT_UP
    lc[shapely.contains_xy(industrial_zone, xx, yy)] = BUILT_UP
    return lc


def river_line(bounds: tuple[float, float, float, float], hill_edge_x_m: float,
               rng: np.random.Generator) -> shapely.LineString:
    """A meandering river from the foot of the hills to the eastern edge of the area."""
    _, bottom, right, top = bounds
    x = np.linspace(hill_edge_x_m + 500.0, right, 120)
    phase = rng.uniform(0, 2 * np.pi)
    y0 = bottom + (top - bottom) * rng.uniform(0.3, 0.4)
    y = y0 + 900.0 * np.sin((x - x[0]) / 2_300.0 + phase) + 0.12 * (x - x[0])
    return shapely.LineString(np.column_stack([x, y]))
