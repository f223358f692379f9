"""A synthetic DEM that is a pure function of the coordinates: any tile can be made on its own.

The elevation at a point is a sum of hashed value noise (a lattice of pseudo-random values,
smoothly interpolated) evaluated at the point's absolute coordinates in metres, plus a few
designed landforms. Nothing depends on the extent asked for, so a tile of the DEM is exactly
the corresponding window of the whole (the tests assert it), and a province-sized DEM can be
written tile by tile without ever holding it in memory.

The landscape of the district preset (coordinates relative to the district's bounding box,
``u`` west to east, ``v`` south to north, both 0-1):

- east of ``u`` ≈ 0.45 the Red River delta: 1-5 m above sea level;
- west of it limestone hills, ridged noise rising to 300-500 m;
- a closed karst basin (the "hidden valley") near the western edge, floor about 60-75 m,
  ringed by a ridge of 580 m: hamlets in it see no site (trắng sóng);
- a flat valley in the south-west cut by a 330 m high north-south spur: a site on its east
  side reaches the hamlet centres east of the spur but not their outlying clusters behind it
  (lõm sóng).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TerrainSpec", "elevation_at", "grid_centres", "synthetic_dem"]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_F1 = np.uint64(0xFF51AFD7ED558CCD)
_F2 = np.uint64(0xC4CEB9FE1A85EC53)


@dataclass(frozen=True)
class TerrainSpec:
    """The large landforms, in absolute metres of the analysis CRS (EPSG:32648).

    Attributes
    ----------
    hill_edge_x_m
        Easting of the (wavy) foot of the hills; the delta lies east of it.
    edge_wobble_m
        How far the foot of the hills wanders east and west along its length.
    hill_relief_m
        Maximum height of the hills above the delta (ridged noise); about 450 m, the
        height of the limestone ranges around Cúc Phương.
    basin_xy_m, basin_radius_m, basin_floor_m, rim_m
        The closed basin: centre, radius of its flat floor, floor height and rim crest height.
        ``basin_radius_m = 0`` means no basin.
    spur_x_m, spur_y0_m, spur_y1_m, spur_height_m
        The north-south spur across the south-western valley: easting, southern and northern
        ends (northing) and height above the valley floor. ``spur_height_m = 0``: no spur.
    valley_xy_m, valley_radius_m
        Centre and half-width of the flat valley floor (25-35 m) around the spur.
    """

    hill_edge_x_m: float
    edge_wobble_m: float = 2_500.0
    hill_relief_m: float = 450.0
    basin_xy_m: tuple[float, float] = (0.0, 0.0)
    basin_radius_m: float = 0.0
    basin_floor_m: float = 60.0
    rim_m: float = 580.0
    spur_x_m: float = 0.0
    spur_y0_m: float = 0.0
    spur_y1_m: float = 0.0
    spur_height_m: float = 0.0
    valley_xy_m: tuple[float, float] = (0.0, 0.0)
    valley_radius_m: float = 0.0


def _hash01(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    """A pseudo-random value in [0, 1) for each integer lattice point (splitmix-style hash)."""
    s = np.uint64((int(seed) * 0x165667B1 + 0x27D4EB2F) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        h = ix.astype(np.int64).astype(np.uint64) * _M1
        h ^= iy.astype(np.int64).astype(np.uint64) * _M2
        h ^= s * _M3
        h ^= h >> np.uint64(33)
        h *= _F1
        h ^= h >> np.uint64(33)
        h *= _F2
        h ^= h >> np.uint64(33)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _value_noise(x: np.ndarray, y: np.ndarray, wavelength_m: float, seed: int) -> np.ndarray:
    """Smooth value noise in [0, 1] with features about ``wavelength_m`` apart."""
    gx = x / wavelength_m
    gy = y / wavelength_m
    ix = np.floor(gx)
    iy = np.floor(gy)
    fx = gx - ix
    fy = gy - iy
    sx = fx * fx * (3.0 - 2.0 * fx)
    sy = fy * fy * (3.0 - 2.0 * fy)
    v00 = _hash01(ix, iy, seed)
    v10 = _hash01(ix + 1, iy, seed)
    v01 = _hash01(ix, iy + 1, seed)
    v11 = _hash01(ix + 1, iy + 1, seed)
    top = v00 + (v10 - v00) * sx
    bottom = v01 + (v11 - v01) * sx
    return top + (bottom - top) * sy


def _smoothstep(lo: float, hi: float, t: np.ndarray) -> np.ndarray:
    s = np.clip((t - lo) / (hi - lo), 0.0, 1.0)
    return s * s * (3.0 - 2.0 * s)


def elevation_at(x_m: np.ndarray, y_m: np.ndarray, seed: int,
                 terrain: TerrainSpec) -> np.ndarray:
    """Elevation in metres above sea level at points ``x_m, y_m`` (EPSG:32648 metres).

    A pure function of the coordinates, the seed and the terrain spec; any array shape.
    """
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    seed = int(seed)
    # Delta: 1-5 m, gentle.
    delta = 1.0 + 4.0 * (0.65 * _value_noise(x, y, 6_000.0, seed * 7 + 1)
                         + 0.35 * _value_noise(x, y, 1_500.0, seed * 7 + 2))
    # Hills west of a wavy edge; ridged multi-octave noise (karst ranges and towers).
    edge = terrain.hill_edge_x_m + terrain.edge_wobble_m * (
        _value_noise(np.zeros_like(y), y, 7_000.0, seed * 7 + 3) - 0.5)
    d_west = edge - x
    mask = _smoothstep(-1_000.0, 2_500.0, d_west)
    relief = np.zeros_like(x)
    for k, (wl, w) in enumerate(((3_500.0, 0.45), (1_700.0, 0.30), (800.0, 0.15),
                                 (400.0, 0.10))):
        r = 1.0 - np.abs(2.0 * _value_noise(x, y, wl, seed * 7 + 10 + k) - 1.0)
        relief += w * r * r
    rise = np.sqrt(_smoothstep(0.0, 6_000.0, d_west))
    z = delta + mask * (25.0 + terrain.hill_relief_m * relief * (0.35 + 0.65 * rise))
    # The closed basin (hidden valley) and its rim.
    if terrain.basin_radius_m > 0:
        bx, by = terrain.basin_xy_m
        # A wobbly, not circular, basin: the radius varies with low-frequency noise.
        rb = np.hypot(x - bx, y - by) * (0.85 + 0.3 * _value_noise(x, y, 1_800.0, seed * 7 + 22))
        r0 = terrain.basin_radius_m
        floor = terrain.basin_floor_m + 15.0 * _value_noise(x, y, 900.0, seed * 7 + 20)
        w_in = 1.0 - _smoothstep(0.75 * r0, 1.05 * r0, rb)
        z = z * (1.0 - w_in) + floor * w_in
        rim = terrain.rim_m * np.exp(-(((rb - (r0 + 550.0)) / 480.0) ** 2))
        z = np.maximum(z, rim)
    # The valley with a spur across it.
    if terrain.valley_radius_m > 0:
        vx, vy = terrain.valley_xy_m
        rv = np.hypot(x - vx, y - vy)
        w_v = 1.0 - _smoothstep(terrain.valley_radius_m, terrain.valley_radius_m + 900.0, rv)
        vfloor = 25.0 + 10.0 * _value_noise(x, y, 1_200.0, seed * 7 + 21)
        z = z * (1.0 - w_v) + vfloor * w_v
    if terrain.spur_height_m > 0:
        yy = np.clip(y, terrain.spur_y0_m, terrain.spur_y1_m)
        ds = np.hypot(x - terrain.spur_x_m, y - yy)
        crest = 0.8 + 0.4 * _value_noise(x, y, 700.0, seed * 7 + 23)
        z = z + terrain.spur_height_m * crest * np.exp(-((ds / 300.0) ** 2))
    return z


def grid_centres(bounds: tuple[float, float, float, float],
                 res_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell-centre coordinates (1-D ``x`` west to east, ``y`` north to south) of a grid.

    ``bounds`` (left, bottom, right, top) in metres must lie on multiples of ``res_m``; the
    centres are computed from global integer cell indices, so a tile's centres are bit for bit
    those of the same cells in a larger grid.
    """
    left, bottom, right, top = (float(b) for b in bounds)
    i0, i1 = round(left / res_m), round(right / res_m)
    j0, j1 = round(bottom / res_m), round(top / res_m)
    for v, i in ((left, i0), (right, i1), (bottom, j0), (top, j1)):
        if abs(v - i * res_m) > 1e-6 * res_m:
            from gis.errors import ValidationError

            raise ValidationError(
                f"Bounds {bounds} are not on the {res_m} m grid.",
                f"Biên {bounds} không nằm trên lưới {res_m} m.",
                fix=f"Round the bounds to multiples of {res_m} m.",
                fix_vi=f"Làm tròn biên về bội số của {res_m} m.",
            )
    xs = (np.arange(i0, i1, dtype=np.float64) + 0.5) * res_m
    ys = (np.arange(j1 - 1, j0 - 1, -1, dtype=np.float64) + 0.5) * res_m
    return xs, ys


def synthetic_dem(bounds: tuple[float, float, float, float], res_m: float, seed: int,
                  terrain: TerrainSpec | None = None) -> np.ndarray:
    """The synthetic DEM over ``bounds`` at ``res_m``: float32 metres, row 0 to the north.

    Parameters
    ----------
    bounds
        (left, bottom, right, top) in EPSG:32648 metres, on multiples of ``res_m``.
    res_m
        Cell size in metres (30 for the sample area).
    seed
        The sample's seed; the same seed always gives the same elevations.
    terrain
        The landforms; the district preset's when not given.

    Returns
    -------
    numpy.ndarray
        Shape ``(rows, cols)``, float32, elevation in metres at the cell centres.
    """
    if terrain is None:
        from gis.sample.spec import SampleSpec

        terrain = district_terrain(SampleSpec())
    xs, ys = grid_centres(bounds, res_m)
    xx, yy = np.meshgrid(xs, ys)
    return elevation_at(xx, yy, seed, terrain).astype(np.float32)


def district_terrain(spec) -> TerrainSpec:
    """The landforms of the district preset, placed relative to its bounding box."""
    from gis.sample.frame import Frame

    f = Frame.from_spec(spec)
    bx, by = f.xy(0.14, 0.55)
    sx, sy0 = f.xy(0.30, 0.155)
    _, sy1 = f.xy(0.30, 0.325)
    vx, vy = f.xy(0.315, 0.24)
    return TerrainSpec(
        hill_edge_x_m=f.xy(0.45, 0.0)[0],
        basin_xy_m=(bx, by),
        basin_radius_m=2_100.0,
        spur_x_m=sx,
        spur_y0_m=sy0,
        spur_y1_m=sy1,
        spur_height_m=330.0,
        valley_xy_m=(vx, vy),
        valley_radius_m=1_500.0,
    )
