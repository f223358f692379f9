"""Large synthetic rasters written block by block, never whole in memory (province, country).

:func:`gis.sample.terrain.synthetic_dem` is a pure function of the cell coordinates, so a DEM of
any size is written as a sequence of windows, each computed on its own: the file holds exactly
the values of the one-piece function (the tests compare them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

from gis.sample.frame import ANALYSIS_EPSG
from gis.sample.terrain import TerrainSpec, synthetic_dem

__all__ = ["WRITE_BLOCK", "write_dem_blocks"]

#: Cells per side of the window computed at once (1,024² cells: about 200 MB of float64 work
#: arrays in :func:`gis.sample.terrain.elevation_at`), a multiple of the 256-cell file block.
WRITE_BLOCK = 1024


def write_dem_blocks(path: str | Path, bounds: tuple[float, float, float, float], res_m: float,
                     seed: int, terrain: TerrainSpec, nodata: float,
                     block: int = WRITE_BLOCK) -> Path:
    """Write the synthetic DEM over ``bounds`` (multiples of ``res_m``) window by window.

    The GeoTIFF has the sample's profile (float32, EPSG:32648, tiled 256, deflate, predictor 3).

    Parameters
    ----------
    path
        Output GeoTIFF.
    bounds
        (left, bottom, right, top), m, on multiples of ``res_m``.
    res_m
        Cell size, m.
    seed, terrain
        As for :func:`gis.sample.terrain.synthetic_dem`.
    nodata
        The file's nodata value (no cell takes it).
    block
        Window side in cells (a multiple of 256).
    """
    left, bottom, right, top = (float(b) for b in bounds)
    width = round((right - left) / res_m)
    height = round((top - bottom) / res_m)
    profile = {
        "driver": "GTiff", "height": height, "width": width, "count": 1, "dtype": "float32",
        "crs": f"EPSG:{ANALYSIS_EPSG}", "transform": from_origin(left, top, res_m, res_m),
        "nodata": nodata, "tiled": True, "blockxsize": 256, "blockysize": 256,
        "compress": "deflate", "predictor": 3, "BIGTIFF": "IF_SAFER",
    }
    path = Path(path)
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, height, block):
            h = min(block, height - r0)
            for c0 in range(0, width, block):
                w = min(block, width - c0)
                win_b = (left + c0 * res_m, top - (r0 + h) * res_m, left + (c0 + w) * res_m,
                         top - r0 * res_m)
                arr = synthetic_dem(win_b, res_m, seed, terrain)
                dst.write(arr.astype(np.float32), 1, window=Window(c0, r0, w, h))
    return path
