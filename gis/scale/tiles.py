"""The analysis grid cut into tiles with a halo, and the windowed reads of each tile's inputs.

Why the halo is one coverage radius (not two)
---------------------------------------------
A transmitter can change a cell of a tile only if the cell lies within the transmitter's radius
``r``, so the tile's transmitters are those whose antenna position lies within ``r`` of the
tile (the engine's own test, :func:`gis.radio.coverage.compute_coverage`). The terrain term of
such a cell depends only on the ground between the antenna and the cell: the radial sweep
carries the terrain's convex hull outward along the ray, so a sample depends on the samples
before it, never after it, and the ray that serves a cell passes within half a ray spacing
(half a cell at the radius) of the straight segment. That segment lies inside the tile grown
by ``r``; so does the antenna itself. A DEM read of the tile plus ``r`` plus a few cells
(bilinear neighbours, the half-cell of the nearest ray sample, the antenna's half-cell) therefore
gives every cell of the tile exactly the samples it gets from the whole DEM: ``r``, not ``2 r``.
Samples farther along the same rays (beyond the tile, up to ``2 r`` away) are computed but used
by no cell of the tile. The tests check it cell for cell.

The grid is the one :func:`gis.analysis.mobile.coverage_stage` uses (the hamlets' bounding box
plus ``RadioParams.area_margin_m``, on the DEM file's own cells), so a tiled run writes the same
cells as the single-piece run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.windows import Window, from_bounds

from gis.errors import ValidationError
from gis.layers.rasters import read_window

__all__ = [
    "BLOCK",
    "HALO_EXTRA_CELLS",
    "Grid",
    "PopLattice",
    "Tile",
    "make_tiles",
    "plan_grid",
    "pop_lattice",
    "read_cells",
    "tile_cells_for",
]

#: Cells added to the halo beyond the largest radius: the bilinear neighbours of the farthest
#: ray sample, its half step beyond the cell, and the antenna's own cell (3 = 1 + 1 + 1).
HALO_EXTRA_CELLS = 3

#: Block size (cells) of the tiled GeoTIFFs; tiles larger than a block are whole blocks, so
#: the assembled raster is written block by block without rewriting compressed blocks.
BLOCK = 256


@dataclass(frozen=True)
class Grid:
    """The analysis grid and how it sits in the DEM file.

    Attributes
    ----------
    transform, shape
        North-up grid of the coverage rasters (metric CRS), ``(rows, cols)``.
    crs_wkt
        The analysis CRS as WKT (picklable).
    dem_path
        The DEM file, or None for flat terrain (zeros).
    dem_offset
        ``(row, col)`` of the grid's first cell in the DEM file's pixels when the DEM is read
        on its own cells (same CRS, no resampling); None when it is warped.
    resolution_m
        Cell size, m.
    """

    transform: Affine
    shape: tuple[int, int]
    crs_wkt: str
    dem_path: str | None
    dem_offset: tuple[int, int] | None
    resolution_m: float

    @property
    def crs(self) -> CRS:
        return CRS.from_wkt(self.crs_wkt)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top), m."""
        t = self.transform
        return (t.c, t.f + t.e * self.shape[0], t.c + t.a * self.shape[1], t.f)

    @property
    def area_km2(self) -> float:
        return self.shape[0] * self.shape[1] * self.resolution_m ** 2 / 1e6

    def window_bounds(self, r0: int, c0: int, h: int, w: int) -> tuple[float, float, float,
                                                                         float]:
        """(left, bottom, right, top) of grid cells ``[r0, r0 + h) x [c0, c0 + w)``."""
        t = self.transform
        return (t.c + c0 * t.a, t.f + (r0 + h) * t.e, t.c + (c0 + w) * t.a, t.f + r0 * t.e)


@dataclass(frozen=True)
class Tile:
    """One tile: grid cells ``[row_off, row_off + height) x [col_off, col_off + width)``.

    ``halo`` is the number of cells read around it (the largest radius plus
    :data:`HALO_EXTRA_CELLS`).
    """

    row: int
    col: int
    row_off: int
    col_off: int
    height: int
    width: int
    halo: int

    @property
    def name(self) -> str:
        """``r003_c012``: the tile's folder name."""
        return f"r{self.row:03d}_c{self.col:03d}"


def plan_grid(area: tuple[float, float, float, float], crs: CRS | str, *,
              dem_path: str | Path | None, halo_m: float,
              resolution_m: float | None = None) -> Grid:
    """The grid the single-piece coverage stage would compute on, without reading the DEM.

    Mirrors :func:`gis.analysis.mobile.coverage_stage`: the DEM would be read (by
    :func:`gis.layers.rasters.read_window`) over ``area`` grown by ``halo_m``, and the grid is the
    window of that read covering ``area``. Only the file's header is opened.

    Parameters
    ----------
    area
        (left, bottom, right, top) of the analysis area in ``crs``, m.
    crs
        The analysis CRS (metric).
    dem_path
        The DEM; None: flat terrain at ``resolution_m`` (30 m when None).
    halo_m
        What the stage adds around the area for its DEM read, m (largest radius + 3 cells).
    resolution_m
        ``RadioParams.grid_resolution_m`` (None: the DEM's own cells).
    """
    crs = CRS.from_user_input(crs)
    big = (area[0] - halo_m, area[1] - halo_m, area[2] + halo_m, area[3] + halo_m)
    offset: tuple[int, int] | None = None
    if dem_path is None:
        res = float(resolution_m or 30.0)
        width = math.ceil((big[2] - big[0]) / res)
        height = math.ceil((big[3] - big[1]) / res)
        transform = Affine(res, 0.0, big[0], 0.0, -res, big[3])
        shape = (height, width)
    else:
        with rasterio.open(dem_path) as src:
            src_crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
            same = src_crs is not None and src_crs.equals(crs) and resolution_m is None
            if same:
                win = from_bounds(*big, transform=src.transform)
                win = win.round_offsets(op="floor").round_lengths(op="ceil")
                win = Window(win.col_off, win.row_off, max(1, win.width), max(1, win.height))
                transform = src.window_transform(win)
                shape = (int(win.height), int(win.width))
                offset = (int(win.row_off), int(win.col_off))
            else:
                # read_window's warped grid: origin at the bounds, its resolution
                _, transform = read_window(dem_path, (big[0], big[3] - 1.0, big[0] + 1.0,
                                                          big[3]),
                                               crs=crs, resolution_m=resolution_m)
                res = float(transform.a)
                shape = (max(1, math.ceil((big[3] - big[1]) / res)),
                         max(1, math.ceil((big[2] - big[0]) / res)))
                transform = Affine(res, 0.0, big[0], 0.0, -res, big[3])
    res = float(transform.a)
    c0 = max(0, math.floor((area[0] - transform.c) / res))
    r0 = max(0, math.floor((transform.f - area[3]) / res))
    c1 = min(shape[1], math.ceil((area[2] - transform.c) / res))
    r1 = min(shape[0], math.ceil((transform.f - area[1]) / -transform.e))
    if r1 <= r0 or c1 <= c0:
        raise ValidationError(
            f"The analysis area {area} is empty on the {res} m grid.",
            f"Vùng phân tích {area} rỗng trên lưới {res} m.",
            fix="Check the hamlets layer: it must cover at least one cell.",
            fix_vi="Kiểm tra lớp thôn: phải phủ ít nhất một ô.",
        )
    grid_transform = transform * Affine.translation(c0, r0)
    if offset is not None:
        offset = (offset[0] + r0, offset[1] + c0)
    return Grid(transform=grid_transform, shape=(r1 - r0, c1 - c0), crs_wkt=crs.to_wkt(),
                dem_path=None if dem_path is None else str(dem_path), dem_offset=offset,
                resolution_m=res)


def tile_cells_for(tile_km: float, resolution_m: float) -> int:
    """Tile side in cells for ``tile_km``: a multiple of :data:`BLOCK` once it is a block or
    more (so the assembled GeoTIFF is written block by block), else the plain cell count."""
    if not (isinstance(tile_km, int | float) and tile_km > 0):
        raise ValidationError(f"scale.tile_km must be > 0, got {tile_km!r}.",
                              f"scale.tile_km phải > 0, nhận {tile_km!r}.")
    n = max(1, round(tile_km * 1000.0 / resolution_m))
    if n >= BLOCK:
        n = max(1, round(n / BLOCK)) * BLOCK
    return n


def make_tiles(grid: Grid, tile_cells: int, halo_m: float) -> list[Tile]:
    """The grid cut into ``tile_cells``-square tiles (the last row and column smaller),
    each with a halo of ``ceil(halo_m / cell) + HALO_EXTRA_CELLS`` cells."""
    halo = math.ceil(halo_m / grid.resolution_m) + HALO_EXTRA_CELLS
    rows, cols = grid.shape
    tiles = []
    for i, r0 in enumerate(range(0, rows, tile_cells)):
        for j, c0 in enumerate(range(0, cols, tile_cells)):
            tiles.append(Tile(i, j, r0, c0, min(tile_cells, rows - r0),
                              min(tile_cells, cols - c0), halo))
    return tiles


def read_cells(path: str | Path, row_off: int, col_off: int, height: int,
               width: int) -> np.ndarray:
    """Cells ``[row_off, +height) x [col_off, +width)`` of a raster file's own grid as float32,
    NaN for nodata and outside the file (the same values :func:`read_window` gives)."""
    with rasterio.open(path) as src:
        win = Window(col_off, row_off, width, height)
        data = src.read(1, window=win, boundless=True, masked=True,
                        fill_value=src.nodata if src.nodata is not None else 0)
        out = np.ma.filled(data.astype("float32"), np.nan)
        rows = np.arange(height) + row_off
        cols = np.arange(width) + col_off
        out[(rows < 0) | (rows >= src.height), :] = np.nan
        out[:, (cols < 0) | (cols >= src.width)] = np.nan
    return out


def read_tile_dem(grid: Grid, tile: Tile) -> tuple[np.ndarray, Affine]:
    """The DEM over the tile plus its halo, on the grid's cells (zeros without a DEM)."""
    h, w = tile.height + 2 * tile.halo, tile.width + 2 * tile.halo
    r0, c0 = tile.row_off - tile.halo, tile.col_off - tile.halo
    transform = grid.transform * Affine.translation(c0, r0)
    if grid.dem_path is None:
        return np.zeros((h, w), np.float32), transform
    if grid.dem_offset is not None:
        return read_cells(grid.dem_path, grid.dem_offset[0] + r0, grid.dem_offset[1] + c0,
                          h, w), transform
    dem, _ = read_window(grid.dem_path, grid.window_bounds(r0, c0, h, w), crs=grid.crs,
                         resolution_m=grid.resolution_m)
    return _fit(dem, (h, w)), transform


def read_tile_landcover(path: str | Path, grid: Grid, tile: Tile) -> np.ndarray:
    """Land-cover classes over the tile plus halo, nearest cell, as the coverage stage reads."""
    h, w = tile.height + 2 * tile.halo, tile.width + 2 * tile.halo
    r0, c0 = tile.row_off - tile.halo, tile.col_off - tile.halo
    lc, _ = read_window(path, grid.window_bounds(r0, c0, h, w), crs=grid.crs,
                        resolution_m=grid.resolution_m, resampling="nearest")
    return _fit(lc, (h, w))


def _fit(arr: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.full(shape, np.nan, np.float32)
    h, w = min(arr.shape[0], shape[0]), min(arr.shape[1], shape[1])
    out[:h, :w] = arr[:h, :w]
    return out


@dataclass(frozen=True)
class PopLattice:
    """The population cells the single-piece stage reads (over the grid's bounds), and which
    tile owns each of them.

    A population cell belongs to the tile whose core holds the coverage cell under its centre
    (clipped to the grid for edge cells whose centre lies outside it), so every cell is
    counted once and the per-tile sums add up to the single-piece sums.

    Attributes
    ----------
    path
        The population raster.
    transform, shape
        Its cells as :func:`read_window` returns them for the grid's bounds.
    offset
        ``(row, col)`` of the first cell in the file's own pixels; None when warped.
    resolution_m
        Cell size of the warped lattice (None when read on the file's cells).
    """

    path: str
    transform: Affine
    shape: tuple[int, int]
    offset: tuple[int, int] | None
    resolution_m: float | None
    crs_wkt: str = ""

    def owner_ranges(self, grid: Grid, tile_cells: int) -> tuple[np.ndarray, np.ndarray]:
        """Per population row and column: the tile row / column index that owns it."""
        g = grid.transform
        cx = self.transform.c + (np.arange(self.shape[1]) + 0.5) * self.transform.a
        cy = self.transform.f + (np.arange(self.shape[0]) + 0.5) * self.transform.e
        gc = np.clip(np.floor((cx - g.c) / g.a).astype(np.int64), 0, grid.shape[1] - 1)
        gr = np.clip(np.floor((cy - g.f) / g.e).astype(np.int64), 0, grid.shape[0] - 1)
        return gr // tile_cells, gc // tile_cells

    def read(self, r0: int, c0: int, h: int, w: int) -> np.ndarray:
        """Lattice cells ``[r0, +h) x [c0, +w)`` as float32 (NaN nodata)."""
        if self.offset is not None:
            return read_cells(self.path, self.offset[0] + r0, self.offset[1] + c0, h, w)
        t = self.transform
        bounds = (t.c + c0 * t.a, t.f + (r0 + h) * t.e, t.c + (c0 + w) * t.a, t.f + r0 * t.e)
        arr, _ = read_window(self.path, bounds, crs=CRS.from_wkt(self.crs_wkt),
                             resolution_m=self.resolution_m, resampling="nearest")
        return _fit(arr, (h, w))


def pop_lattice(path: str | Path, grid: Grid) -> PopLattice:
    """The population cells :func:`gis.analysis.mobile.mobile_stage` reads for ``grid``."""
    crs = grid.crs
    bounds = grid.bounds
    with rasterio.open(path) as src:
        src_crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
        if src_crs is not None and src_crs.equals(crs):
            win = from_bounds(*bounds, transform=src.transform)
            win = win.round_offsets(op="floor").round_lengths(op="ceil")
            win = Window(win.col_off, win.row_off, max(1, win.width), max(1, win.height))
            return PopLattice(str(path), src.window_transform(win),
                              (int(win.height), int(win.width)),
                              (int(win.row_off), int(win.col_off)), None)
    _, tr = read_window(path, (bounds[0], bounds[3] - 1.0, bounds[0] + 1.0, bounds[3]),
                            crs=crs, resampling="nearest")
    res = float(tr.a)
    shape = (max(1, math.ceil((bounds[3] - bounds[1]) / res)),
             max(1, math.ceil((bounds[2] - bounds[0]) / res)))
    return PopLattice(str(path), Affine(res, 0.0, bounds[0], 0.0, -res, bounds[3]), shape,
                      None, res, crs.to_wkt())
