"""The coverage engine: signal of every transmitter over every DEM cell, best-server rasters.

How a cell's signal is computed (the default combination)
---------------------------------------------------------
For a transmitter (one sector of one technology, a row of
:func:`gis.radio.sectors.expand_sectors`) and a receiver cell at horizontal distance ``d``::

    S = EIRP + Δ_signal + A(φ, θ) + G_rx - L_median(d) - L_terrain - L_clutter - L_body - L_pen

- ``L_median`` is the empirical median of the band's model (:meth:`RadioParams.model_for`:
  Okumura-Hata <= 1500 MHz, COST-231 Hata <= 2200 MHz, 3GPP RMa above), evaluated with
  ``force=True`` from ``min_distance_m`` on (cells nearer than that get its value).
- ``L_terrain`` is the knife-edge diffraction of the DEM profile between the antenna and the
  receiver over an effective earth of radius ``k R`` (:mod:`gis.radio.terrain`), counting only
  edges that obstruct the line of sight, and by default only their **excess over grazing**,
  ``J(v) - J(0)``. This is how the combination avoids double counting, in the spirit of the
  "standard propagation model" of commercial planners (median model + weighted diffraction): the
  Hata/RMa medians were fitted to receivers at 1.5 m on quasi-smooth ground, where the path
  already grazes the local ground and the near obstacles, so the median contains the partial
  Fresnel-zone losses of a line-of-sight path (up to J(0) ≈ 6 dB) but not the shadow of a hill.
  On flat ground the terrain term is therefore exactly 0 (earth curvature only matters beyond
  the radio horizon), and it grows continuously from 0 as a ridge rises into the path.
  ``RadioParams.excess_over_grazing = False`` adds the full P.526 ``J(v)`` of obstructing edges.
- The multi-edge method is ``RadioParams.diffraction``. The engine recommends Bullington (ITU-R
  P.526-15 §4.5, the Recommendation's method for general terrain): it is continuous and
  monotone in the antenna height, so a higher antenna never covers less. Deygout (3 edges) is
  available; its edge selection can jump and, rarely, gives more loss for a higher mast.
- ``L_clutter`` is the receiver cell's land-cover loss (``RadioParams.clutter_loss_db``) when a
  land-cover grid is given.
- **Antenna height for the median model** (``RadioParams.effective_height``): ``"ground"``
  (default) uses the height above the ground at the site, the definition the Hata curves are
  tabulated with for quasi-smooth terrain; the terrain itself enters through ``L_terrain``.
  ``"profile_mean"`` uses the height above the mean ground along the path from the site to the
  receiver (Okumura's effective height, over the path instead of 3-15 km), at least 1 m: it
  credits hill-top sites overlooking valleys but also penalises valley sites twice (median and
  diffraction), which is why it is not the default.

Performance design
------------------
The terrain is swept once per antenna position and height (every sector and every carrier of a
site share it) by a radial sweep (:func:`gis.radio._kernels.radial_sweep`): rays every
``step/R`` radians so that neighbouring rays are one cell apart at the maximum radius, samples
every ``step`` metres (the DEM cell), and the terrain's upper convex hull carried outward along
each ray, so each receiver costs a bisection plus a few hull vertices instead of a profile from
scratch. The sweep stores the edges' frequency-free parameters ``v sqrt(lambda)`` (the edge
selection does not depend on the frequency), so each carrier only evaluates ``J(v)``. Each cell
takes the nearest polar sample (:func:`~gis.radio._kernels.cell_geometry`); the median model is
vectorised numpy per carrier; the antenna pattern and the best-server update are one fused
kernel per transmitter (:func:`~gis.radio._kernels.apply_transmitter`, checked against
:func:`gis.radio.antenna.sector_gain_db`). Positions can be prepared in threads (the kernels
release the GIL). Memory per position: a few float arrays of the cells within its radius.

Tiles
-----
``compute_coverage(..., window=W)`` computes only the cells of ``W`` (a window of the DEM grid)
and skips transmitters farther than their radius from it. The result equals the same cells of
the whole as long as the DEM given covers the window plus the largest radius plus two cells
(ray samples depend only on the DEM between the antenna and the cell).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.windows import Window

from gis.errors import InputFileError, ValidationError
from gis.layers.rasters import write_geotiff
from gis.radio import _kernels as K
from gis.radio.params import RadioParams
from gis.radio.terrain import DiffractionMethod, pixel_coords, wavelength_m

__all__ = [
    "TRANSMITTER_COLUMNS",
    "CoverageResult",
    "compute_coverage",
    "coverage_filename",
    "point_rsrp_dbm",
]

#: Columns :func:`compute_coverage` needs in the transmitter table.
TRANSMITTER_COLUMNS = ("operator", "tech", "x", "y", "height_m", "freq_mhz", "azimuth_deg",
                       "beamwidth_deg", "tilt_deg", "eirp_dbm")

Progress = Callable[[int, int], None]


def coverage_filename(operator: str, tech: str, kind: str = "coverage") -> str:
    """``coverage_<operator>_<tech>.tif`` in lower case, e.g. ``coverage_viettel_4g.tif``."""
    op = re.sub(r"[^0-9a-z]+", "_", str(operator).lower()).strip("_") or "unknown"
    return f"{kind}_{op}_{str(tech).lower()}.tif"


@dataclass
class CoverageResult:
    """Best-server rasters per operator and technology on one grid.

    Attributes
    ----------
    transform, crs, shape
        The grid (north-up, metric analysis CRS) of every array.
    best_dbm
        ``(operator, tech)`` -> float32 array of the strongest signal (dBm; RSRP for 4G/5G,
        RSCP for 3G, RxLev for 2G), NaN where no transmitter reaches.
    server
        ``(operator, tech)`` -> int32 array: row position in :attr:`transmitters` of the best
        server, -1 where none.
    transmitters
        The transmitter table the indices refer to.
    rasters
        ``(operator, tech)`` -> GeoTIFF path, filled by :meth:`write`.
    warnings
        What the engine assumed (DEM gaps filled, transmitters outside the DEM, ...).
    """

    transform: Affine
    crs: CRS
    shape: tuple[int, int]
    best_dbm: dict[tuple[str, str], np.ndarray]
    server: dict[tuple[str, str], np.ndarray]
    transmitters: pd.DataFrame
    rasters: dict[tuple[str, str], Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[tuple[str, str]]:
        """The (operator, tech) pairs with a raster, sorted."""
        return sorted(self.best_dbm)

    def best(self, tech: str, operator: str | None = None) -> np.ndarray:
        """Strongest signal (dBm) of ``tech``: of one operator, or the max over operators.

        All-NaN when no transmitter of that operator/tech exists.
        """
        tech = str(tech).upper()
        if operator is not None:
            arr = self.best_dbm.get((operator, tech))
            return arr if arr is not None else np.full(self.shape, np.nan, np.float32)
        out = np.full(self.shape, np.nan, np.float32)
        for (_, t), arr in self.best_dbm.items():
            if t == tech:
                out = np.fmax(out, arr)
        return out

    def sample(self, xy: np.ndarray, tech: str, operator: str | None = None) -> np.ndarray:
        """Signal (dBm) at points ``xy`` ((n, 2) in :attr:`crs`, metres); NaN outside the grid."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        arr = self.best(tech, operator)
        return sample_grid(arr, self.transform, xy)

    def write(self, out_dir: str | Path, *, server: bool = True) -> dict[tuple[str, str], Path]:
        """Write ``coverage_<operator>_<tech>.tif`` (float32 dBm, nodata NaN) for every pair, and
        ``server_<operator>_<tech>.tif`` (int32 transmitter index, nodata -1) when ``server``.

        The files carry the tags ``operator``, ``tech`` and ``units`` so that :meth:`read` can
        rebuild the result (the transmitter table is not written).
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for op, tech in self.keys:
            tags = {"operator": op, "tech": tech}
            path = out / coverage_filename(op, tech)
            write_geotiff(path, self.best_dbm[op, tech], self.transform, self.crs, nodata=np.nan,
                          tags={**tags, "units": "dBm"},
                          description=f"{tech} {op}: best-server signal, dBm / tín hiệu mạnh "
                                      f"nhất, dBm")
            self.rasters[op, tech] = path
            if server:
                write_geotiff(out / coverage_filename(op, tech, kind="server"),
                              self.server[op, tech], self.transform, self.crs, nodata=-1,
                              tags={**tags, "units": "transmitter index"},
                              description=f"{tech} {op}: best server (transmitter row) / "
                                          f"trạm phục vụ tốt nhất")
        return dict(self.rasters)

    @classmethod
    def read(cls, folder: str | Path) -> CoverageResult:
        """The result written by :meth:`write` into ``folder`` (without the transmitter table)."""
        folder = Path(folder)
        best, server, rasters = {}, {}, {}
        transform = crs = shape = None
        for path in sorted(folder.glob("coverage_*.tif")):
            with rasterio.open(path) as src:
                tags = src.tags()
                if "operator" not in tags or "tech" not in tags:
                    continue
                key = (tags["operator"], tags["tech"])
                best[key] = src.read(1).astype(np.float32)
                transform, crs, shape = src.transform, CRS.from_wkt(src.crs.to_wkt()), \
                    (src.height, src.width)
            rasters[key] = path
            spath = folder / coverage_filename(*key, kind="server")
            if spath.is_file():
                with rasterio.open(spath) as src:
                    server[key] = src.read(1).astype(np.int32)
            else:
                server[key] = np.full(shape, -1, np.int32)
        if not best:
            raise InputFileError(
                f"No coverage_<operator>_<tech>.tif written by the engine in {folder}.",
                f"Không có tệp coverage_<nhà mạng>_<công nghệ>.tif trong {folder}.",
                fix="Give the output folder of 'python -m gis run'.",
                fix_vi="Chọn thư mục kết quả của 'python -m gis run'.",
            )
        return cls(transform=transform, crs=crs, shape=shape, best_dbm=best, server=server,
                   transmitters=pd.DataFrame(), rasters=rasters)


def sample_grid(arr: np.ndarray, transform: Affine, xy: np.ndarray) -> np.ndarray:
    """Values of the cells containing points ``xy`` ((n, 2), grid CRS); NaN outside."""
    cols = np.floor((xy[:, 0] - transform.c) / transform.a).astype(np.int64)
    rows = np.floor((xy[:, 1] - transform.f) / transform.e).astype(np.int64)
    ok = (rows >= 0) & (rows < arr.shape[0]) & (cols >= 0) & (cols < arr.shape[1])
    out = np.full(len(xy), np.nan)
    out[ok] = arr[rows[ok], cols[ok]]
    return out


# -- validation helpers --------------------------------------------------------------------------

def check_transmitters(tx: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in TRANSMITTER_COLUMNS if c not in tx.columns]
    if missing:
        raise ValidationError(
            f"The transmitter table lacks column(s) {', '.join(missing)}.",
            f"Bảng máy phát thiếu cột {', '.join(missing)}.",
            fix="Build it with gis.radio.sectors.expand_sectors(sites, params).",
            fix_vi="Tạo bảng bằng gis.radio.sectors.expand_sectors(sites, params).",
        )
    tx = tx.reset_index(drop=True)
    num = ["x", "y", "height_m", "freq_mhz", "eirp_dbm"]
    bad = ~np.isfinite(tx[num].to_numpy(dtype=float)).all(axis=1)
    bad |= tx["height_m"].to_numpy(dtype=float) <= 0
    bad |= tx["freq_mhz"].to_numpy(dtype=float) <= 0
    if bad.any():
        rows = np.flatnonzero(bad)
        if "row" in tx:  # expand_sectors keeps the site layer's row of every transmitter
            rows = pd.to_numeric(tx["row"], errors="coerce").to_numpy()[rows]
            rows = rows[np.isfinite(rows)].astype(int)
        raise ValidationError(
            "Transmitters need finite x, y, eirp_dbm and positive height_m and freq_mhz "
            "(rows of the sites layer).",
            "Máy phát cần x, y, eirp_dbm hữu hạn và height_m, freq_mhz dương (dòng của lớp "
            "trạm).",
            rows=rows,
            fix="Check these rows of the sites layer (or the defaults in the radio parameters).",
            fix_vi="Kiểm tra các dòng này của lớp trạm (hoặc tham số mặc định vô tuyến).",
        )
    return tx


def _as_window(window, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """(row_off, col_off, height, width) of a window inside a grid of ``shape``."""
    if window is None:
        return 0, 0, shape[0], shape[1]
    if isinstance(window, Window):
        r0, c0, h, w = int(window.row_off), int(window.col_off), int(window.height), \
            int(window.width)
    else:
        r0, c0, h, w = (int(v) for v in window)
    if r0 < 0 or c0 < 0 or h <= 0 or w <= 0 or r0 + h > shape[0] or c0 + w > shape[1]:
        raise ValidationError(
            f"Window (row_off={r0}, col_off={c0}, height={h}, width={w}) is not inside the DEM "
            f"grid of {shape[0]} x {shape[1]} cells.",
            f"Cửa sổ (row_off={r0}, col_off={c0}, height={h}, width={w}) không nằm trong lưới "
            f"DEM {shape[0]} x {shape[1]} ô.",
            fix="Read the DEM over the tile plus the largest coverage radius.",
        )
    return r0, c0, h, w


def _prepare_dem(dem: np.ndarray, warnings: list[str],
                 window: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The DEM as contiguous float64 with NaN cells set to 0 m; warns about gaps in ``window``
    (gaps elsewhere only matter for antennas outside the DEM, warned separately)."""
    z = np.asarray(dem, dtype=np.float64)
    if z.ndim != 2 or z.size == 0:
        raise ValidationError(f"The DEM must be a 2-D array, got shape {z.shape}.",
                              f"DEM phải là mảng 2 chiều, nhận {z.shape}.")
    bad = ~np.isfinite(z)
    if bad.any():
        z = np.where(bad, 0.0, z)
        r0, c0, h, w = window or (0, 0, *z.shape)
        n = int(bad[r0:r0 + h, c0:c0 + w].sum())
        if n:
            warnings.append(
                f"{n} DEM cells of the coverage area without data (nodata, or outside the "
                f"DEM's extent) were taken as sea level (0 m) / {n} ô DEM trong vùng tính "
                f"không có dữ liệu (nodata hoặc ngoài phạm vi DEM) được coi là 0 m.")
    return np.ascontiguousarray(z)


def _clutter_lut(params: RadioParams) -> np.ndarray:
    codes = [int(k) for k in params.clutter_loss_db]
    lut = np.zeros(max([*codes, 0]) + 2, dtype=np.float64)
    for k, v in params.clutter_loss_db.items():
        lut[int(k)] = float(v)
    return lut


def _clutter_loss(landcover: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  lut: np.ndarray) -> np.ndarray:
    codes = landcover[rows, cols]
    ok = np.isfinite(codes) & (codes >= 0) & (codes < lut.size - 1)
    idx = np.where(ok, codes, lut.size - 1).astype(np.intp)
    return lut[idx]


def _median_loss_db(params: RadioParams, freq_mhz: float, d_m: np.ndarray,
                    tx_height_m: np.ndarray | float) -> np.ndarray:
    """The band's empirical median path loss (dB) at horizontal distances ``d_m``.

    :meth:`RadioParams.median_path_loss_db`: the band's model with the run's environment,
    condition, receiver height and 20 m floor, extrapolated (COST-231 Hata with Hata's area
    classes, so that ``suburban`` is the same clutter at 900 and 1800 MHz).
    """
    return params.median_path_loss_db(d_m, freq_mhz, tx_height_m)


def _signal_offsets_db(tx: pd.DataFrame, params: RadioParams) -> np.ndarray:
    """Measured-signal offset per transmitter, dB (RSRP per RE: -10 log10 N_sc, ...)."""
    if "signal_offset_db" in tx:
        given = pd.to_numeric(tx["signal_offset_db"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(given).all():
            return given
    out = np.array([params.tech(t).signal_offset_db for t in tx["tech"]], dtype=float)
    if "n_subcarriers" in tx:
        nsc = pd.to_numeric(tx["n_subcarriers"], errors="coerce").to_numpy(dtype=float)
        use = tx["tech"].isin(["4G", "5G"]).to_numpy() & np.isfinite(nsc) & (nsc > 0)
        out[use] = -10.0 * np.log10(nsc[use])
    return out


def transmitter_radius_m(tx: pd.DataFrame, params: RadioParams) -> np.ndarray:
    if "max_radius_m" in tx:
        r = pd.to_numeric(tx["max_radius_m"], errors="coerce").to_numpy(dtype=float)
    else:
        r = np.full(len(tx), np.nan)
    default = np.array([params.tech(t).max_radius_m for t in tx["tech"]], dtype=float)
    return np.where(np.isfinite(r) & (r > 0), r, default)


def _vbeamwidth_deg(tx: pd.DataFrame, params: RadioParams) -> np.ndarray:
    default = np.array([params.tech(t).vbeamwidth_deg for t in tx["tech"]], dtype=float)
    if "vbeamwidth_deg" in tx:
        v = pd.to_numeric(tx["vbeamwidth_deg"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isfinite(v) & (v > 0), v, default)
    return default


def _ray_range(col0: float, row0: float, r0: int, r1: int, c0: int, c1: int, px_w: float,
               px_h: float, n_rays: int) -> tuple[int, int]:
    """First ray and number of rays whose azimuths reach the cells ``[r0, r1] x [c0, c1]``
    (pixel centres) from the antenna at (``col0``, ``row0``): all rays when the antenna is
    inside; else the angular span of the four corner cells (a rectangle seen from outside spans
    the angle between two of its corners), one ray of margin each side. Only these rays are
    swept (a tile far from an antenna needs a narrow fan of its rays, issue 8)."""
    if r0 - 1 <= row0 <= r1 + 1 and c0 - 1 <= col0 <= c1 + 1:
        return 0, n_rays
    dx = (np.array([c0, c1, c0, c1], float) - col0) * px_w
    dy = (row0 - np.array([r0, r0, r1, r1], float)) * px_h
    az = np.arctan2(dx, dy)
    mid = math.atan2(float(dx.mean()), float(dy.mean()))
    rel = (az - mid + math.pi) % (2.0 * math.pi) - math.pi
    dtheta = 2.0 * math.pi / n_rays
    lo = math.floor((mid + float(rel.min())) / dtheta) - 1
    hi = math.ceil((mid + float(rel.max())) / dtheta) + 1
    return lo % n_rays, min(n_rays, hi - lo + 1)


# -- the engine ----------------------------------------------------------------------------------

def compute_coverage(
    transmitters: pd.DataFrame,
    dem: np.ndarray,
    transform: Affine,
    crs: CRS | str,
    params: RadioParams | None = None,
    *,
    landcover: np.ndarray | None = None,
    window: Window | tuple[int, int, int, int] | None = None,
    progress: Progress | None = None,
    threads: int = 1,
) -> CoverageResult:
    """Best-server signal per operator and technology over a DEM grid (or one window of it).

    Parameters
    ----------
    transmitters
        One row per transmitter (:data:`TRANSMITTER_COLUMNS`; ``x``, ``y`` in the DEM's CRS, m;
        ``azimuth_deg`` NaN for omni antennas; optional ``n_subcarriers``, ``max_radius_m``,
        ``vbeamwidth_deg``), e.g. from :func:`gis.radio.sectors.expand_sectors`.
    dem
        2-D ground elevation (m), north-up, metric CRS; NaN cells are taken as 0 m (warned).
    transform
        Affine transform of ``dem`` (cell corners).
    crs
        CRS of ``dem`` and of the transmitter coordinates.
    params
        Radio parameters (models, heights, tiers, terrain method, clutter losses).
    landcover
        Optional land-cover class grid aligned with ``dem`` (ESA WorldCover codes).
    window
        Only compute these cells (a rasterio ``Window`` or ``(row_off, col_off, height,
        width)`` in ``dem`` pixels). See the module doc on tiles.
    progress
        Called as ``progress(done, total)`` after each antenna position.
    threads
        Antenna positions prepared in parallel threads (the numba kernels release the GIL);
        the result does not depend on it. Keep 1 inside Dask workers that already run one
        tile per core.

    Returns
    -------
    CoverageResult
        On the window's grid.
    """
    params = params or RadioParams()
    crs = CRS.from_user_input(crs)
    tx = check_transmitters(transmitters)
    warnings: list[str] = []
    if np.ndim(dem) != 2:
        raise ValidationError(f"The DEM must be a 2-D array, got shape {np.shape(dem)}.",
                              f"DEM phải là mảng 2 chiều, nhận {np.shape(dem)}.")
    r0, c0, wh, ww = _as_window(window, np.shape(dem))
    z = _prepare_dem(dem, warnings, (r0, c0, wh, ww))
    if landcover is not None and np.shape(landcover) != z.shape:
        raise ValidationError(
            f"The land-cover grid {np.shape(landcover)} is not aligned with the DEM {z.shape}.",
            f"Lưới lớp phủ {np.shape(landcover)} không khớp với DEM {z.shape}.",
            fix="Read it with the DEM's bounds and resolution (read_window, nearest).",
        )
    lc = None if landcover is None else np.asarray(landcover, dtype=np.float64)
    lut = _clutter_lut(params)
    px_w, px_h = float(transform.a), float(-transform.e)
    pixel_coords(transform, 0.0, 0.0)  # validates north-up
    out_transform = transform * Affine.translation(c0, r0)
    step = float(params.ray_step_m or px_w)
    method = DiffractionMethod.parse(params.diffraction).code
    excess = bool(params.excess_over_grazing)
    eff_mode = str(params.effective_height)

    keys = sorted({(str(o), str(t).upper()) for o, t in zip(tx["operator"], tx["tech"],
                                                             strict=True)})
    best = {k: np.full((wh, ww), np.nan, np.float32) for k in keys}
    server = {k: np.full((wh, ww), -1, np.int32) for k in keys}

    cols, rows = pixel_coords(transform, tx["x"].to_numpy(float), tx["y"].to_numpy(float))
    outside = (cols < -0.5) | (cols > z.shape[1] - 0.5) | (rows < -0.5) | (rows > z.shape[0] - 0.5)
    radius = transmitter_radius_m(tx, params)
    offsets = _signal_offsets_db(tx, params)
    vbw = _vbeamwidth_deg(tx, params)
    tx_keys = list(zip(tx["operator"].astype(str), tx["tech"].astype(str).str.upper(),
                       strict=True))
    # window rectangle in pixel coordinates (cell centres)
    wr0, wr1, wc0, wc1 = r0, r0 + wh - 1, c0, c0 + ww - 1

    freqs = tx["freq_mhz"].to_numpy(float)
    heights = tx["height_m"].to_numpy(float)
    base = tx["eirp_dbm"].to_numpy(float) + offsets
    azimuths = tx["azimuth_deg"].to_numpy(float)
    beamwidths = tx["beamwidth_deg"].to_numpy(float)
    tilts = tx["tilt_deg"].to_numpy(float)
    fixed_db = (float(params.body_loss_db) + float(params.penetration_loss_db)
                - float(params.rx_gain_dbi))
    groups = [np.asarray(i) for i in
              tx.groupby(["x", "y", "height_m"], sort=False).indices.values()]
    rx_h = float(params.rx_height_m)

    def prepare(idx: np.ndarray) -> tuple | None:
        """Terrain sweep, cell geometry and the per-carrier common loss of one position."""
        i0 = int(idx[0])
        col0, row0 = float(cols[i0]), float(rows[i0])
        rad = float(radius[idx].max())
        # distance (m) from the antenna to the nearest cell centre of the window
        dxc = max(wc0 - col0, 0.0, col0 - wc1) * px_w
        dyr = max(wr0 - row0, 0.0, row0 - wr1) * px_h
        if math.hypot(dxc, dyr) > rad:
            return None
        h_tx = float(heights[i0])
        # sub-window of cells within the radius, clipped to the window
        sr0 = max(wr0, math.floor(row0 - rad / px_h))
        sr1 = min(wr1, math.ceil(row0 + rad / px_h))
        sc0 = max(wc0, math.floor(col0 - rad / px_w))
        sc1 = min(wc1, math.ceil(col0 + rad / px_w))
        far = max(math.hypot((c - col0) * px_w, (r - row0) * px_h)
                  for r in (sr0, sr1) for c in (sc0, sc1))
        # the ray count depends on the radius only (not on the window): tiles equal the whole
        n_rays = max(8, math.ceil(2.0 * math.pi * rad / step))
        n_steps = max(1, math.ceil(min(rad, far) / step) + 1)
        v_geo = np.empty((n_rays, n_steps, 3), np.float32)
        zmean_p = np.empty((n_rays, n_steps), np.float32)
        # only the rays that reach the sub-window (a narrow fan for a far tile, issue 8)
        ray0, n_sweep = _ray_range(col0, row0, sr0, sr1, sc0, sc1, px_w, px_h, n_rays)
        z0 = K.radial_sweep_rays(z, col0, row0, px_w, px_h, h_tx, rx_h, step,
                                 float(params.k_factor), method, ray0, n_sweep, v_geo, zmean_p)
        nr, nc = sr1 - sr0 + 1, sc1 - sc0 + 1
        cr = np.empty(nr * nc, np.int32)
        cc = np.empty(nr * nc, np.int32)
        dist = np.empty(nr * nc)
        az = np.empty(nr * nc)
        elev = np.empty(nr * nc)
        pidx = np.empty(nr * nc, np.int64)
        m = K.cell_geometry(z, sr0, sc0, nr, nc, r0, c0, col0, row0, px_w, px_h, step, n_rays,
                            n_steps, rad, z0 + h_tx, rx_h, cr, cc, dist, az, elev, pidx)
        cr, cc, dist, az, elev, pidx = cr[:m], cc[:m], dist[:m], az[:m], elev[:m], pidx[:m]
        if eff_mode == "profile_mean":
            h_eff = np.maximum(h_tx + z0 - zmean_p.ravel()[pidx], 1.0)
        else:
            h_eff = h_tx
        extra = np.full(m, fixed_db)
        if lc is not None:
            extra += _clutter_loss(lc, cr + r0, cc + c0, lut)
        commons = []
        for freq in np.unique(freqs[idx]):
            tloss = np.empty(m)
            K.cell_loss(v_geo, pidx, m, float(wavelength_m(freq)), step, method, excess, tloss)
            common = _median_loss_db(params, float(freq), dist, h_eff) + tloss
            common += extra
            commons.append((idx[freqs[idx] == freq], common))
        return bool(outside[i0]), (cr, cc, dist, az, elev, m), commons

    def apply(prepared: tuple | None) -> int:
        if prepared is None:
            return 0
        out_of_dem, (cr, cc, dist, az, elev, m), commons = prepared
        for on_f, common in commons:
            for t in on_f:
                t = int(t)
                K.apply_transmitter(cr, cc, dist, az, elev, common, m, float(base[t]),
                                    float(azimuths[t]), float(beamwidths[t]), float(tilts[t]),
                                    float(vbw[t]), float(params.front_to_back_db),
                                    float(params.sla_v_db), float(radius[t]), t,
                                    best[tx_keys[t]], server[tx_keys[t]])
        return int(out_of_dem)

    n_outside = 0
    if threads > 1 and len(groups) > 1:
        # the kernels release the GIL; results are applied in input order (deterministic)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            pending = []
            for gi, idx in enumerate(groups):
                pending.append(pool.submit(prepare, idx))
                if len(pending) > threads:
                    n_outside += apply(pending.pop(0).result())
                    if progress:
                        progress(gi + 1 - len(pending), len(groups))
            for fut in pending:
                n_outside += apply(fut.result())
    else:
        for gi, idx in enumerate(groups):
            n_outside += apply(prepare(idx))
            if progress:
                progress(gi + 1, len(groups))
    if progress:
        progress(len(groups), len(groups))
    if n_outside:
        warnings.append(
            f"{n_outside} antenna position(s) lie outside the DEM: the terrain beyond its edge "
            f"was taken as the edge value / {n_outside} vị trí ăng ten nằm ngoài DEM.")
    return CoverageResult(transform=out_transform, crs=crs, shape=(wh, ww), best_dbm=best,
                          server=server, transmitters=tx, warnings=warnings)


def point_rsrp_dbm(
    tx_xy: np.ndarray,
    tx_height_m: np.ndarray | float,
    freq_mhz: np.ndarray | float,
    eirp_dbm: np.ndarray | float,
    rx_xy: np.ndarray,
    dem: np.ndarray | None,
    transform: Affine | None,
    params: RadioParams | None = None,
    *,
    tech: str = "4G",
    max_radius_m: float | None = None,
) -> np.ndarray:
    """Signal (dBm) of omni antennas at receiver points, terrain profile by profile.

    Same models and terrain term as :func:`compute_coverage`, along the exact profile of each
    pair (no polar approximation), with an omni antenna (relative gain 0 dB) - the question
    "would operator X's antenna on tower T cover hamlet H".

    Parameters
    ----------
    tx_xy, rx_xy
        (n_tx, 2) and (n_rx, 2) coordinates in the DEM's CRS (m).
    tx_height_m, freq_mhz, eirp_dbm
        Per transmitter (or scalars): antenna height above ground (m), carrier (MHz), total
        EIRP at maximum gain (dBm).
    dem, transform
        Ground elevation grid (m) and its transform; ``None`` for flat terrain.
    params
        Radio parameters.
    tech
        Technology whose signal definition applies (RSRP per RE for 4G/5G with the tech's
        default bandwidth, RSCP for 3G, RxLev for 2G).
    max_radius_m
        Pairs farther apart get NaN; the tech's ``max_radius_m`` by default.

    Returns
    -------
    numpy.ndarray
        (n_tx, n_rx) signal in dBm, NaN beyond the radius.
    """
    params = params or RadioParams()
    txy = np.asarray(tx_xy, dtype=float).reshape(-1, 2)
    rxy = np.asarray(rx_xy, dtype=float).reshape(-1, 2)
    n_tx = len(txy)
    h = np.broadcast_to(np.asarray(tx_height_m, dtype=float), (n_tx,)).copy()
    f = np.broadcast_to(np.asarray(freq_mhz, dtype=float), (n_tx,)).copy()
    e = np.broadcast_to(np.asarray(eirp_dbm, dtype=float), (n_tx,)).copy()
    td = params.tech(tech)
    rad = float(max_radius_m or td.max_radius_m)
    if dem is None:  # flat terrain: any north-up grid gives the same distances
        transform = Affine(30.0, 0.0, 0.0, 0.0, -30.0, 0.0)
        z = np.zeros((2, 2))
    else:
        z = _prepare_dem(dem, [])
    px_w, px_h = float(transform.a), float(-transform.e)
    tc, tr = pixel_coords(transform, txy[:, 0], txy[:, 1])
    rc, rr = pixel_coords(transform, rxy[:, 0], rxy[:, 1])
    step = float(params.ray_step_m or px_w)
    dist = np.empty((n_tx, len(rxy)))
    tloss = np.empty((n_tx, len(rxy)))
    method = DiffractionMethod.parse(params.diffraction).code
    K.pair_losses(z, tc, tr, h, rc, rr, float(params.rx_height_m), px_w, px_h, step,
                  wavelength_m(f), float(params.k_factor), method,
                  bool(params.excess_over_grazing), rad, dist, tloss)
    if dem is None:
        tloss[np.isfinite(dist)] = 0.0
    out = np.full((n_tx, len(rxy)), np.nan)
    for a in range(n_tx):
        ok = np.isfinite(dist[a])
        if not ok.any():
            continue
        pl = _median_loss_db(params, float(f[a]), dist[a, ok], float(h[a])) + tloss[a, ok]
        out[a, ok] = (e[a] + td.signal_offset_db + params.rx_gain_dbi - pl
                      - params.body_loss_db - params.penetration_loss_db)
    return out
