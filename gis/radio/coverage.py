"""The coverage engine: signal of every transmitter over every DEM cell, best-server rasters.

How a cell's signal is computed (the default combination)
---------------------------------------------------------
For a transmitter (one sector of one technology, a row of
:func:`gis.radio.sectors.expand_sectors`) and a receiver cell at horizontal distance ``d``::

    S = EIRP + Δ_signal + A(φ, θ) + G_rx - L_median(d) - L_terrain - L_clutter - L_body - L_pen

- ``L_median`` is the empirical median of the band's model (:meth:`RadioParams.model_for`:
  Okumura-Hata <= 1500 MHz, COST-231 Hata <= 2200 MHz, 3GPP RMa above), from
  ``min_distance_m`` on, with each model's documented fallback outside its validity range
  (:data:`gis.radio.models.FALLBACKS`: e.g. ITU-R SM.2028's short-range rule for Hata below
  1 km, RMa NLOS beyond 5 km continued with the LOS distance law). The cells that used a fallback
  are counted per model in :attr:`CoverageResult.fallback_cells`.
- ``L_terrain`` is the diffraction of the DEM profile between the antenna and the receiver over an
  effective earth of radius ``k R`` (:mod:`gis.radio.terrain`), by default ITU-R P.526-16's
  delta-Bullington method, of which the engine adds only what the empirical median does not
  contain (``RadioParams.excess_over_grazing``, True): the terrain's excess over the smooth
  earth, ``max(0, L_ba - L_bs)``, exactly 0 on flat ground at any distance and growing
  continuously as terrain rises into the path. With ``excess_over_grazing = False`` the whole
  P.526 loss (for a free-space median). Bullington (one edge) and Deygout (3 edges) stay
  selectable (``RadioParams.diffraction``); their excess is ``J(v) - J(0)`` per obstructing edge.
- ``L_clutter`` is the receiver cell's land-cover loss (``RadioParams.clutter_loss_db``) when a
  land-cover grid is given.
- **ITM carriers.** A carrier whose rule of ``RadioParams.model_rules`` names ``itm`` (one band,
  or every band with a single rule ``{"max_freq_mhz": 100000, "model": "itm"}``) takes ITM's
  basic transmission loss (:mod:`gis.radio.itm`, Longley-Rice 1.2.2 point-to-point with
  ``RadioParams.itm``) along the engine's own ray profile of each cell in place of ``L_median +
  L_terrain``: ITM already contains the terrain's diffraction, so neither the empirical median
  nor the P.526 term is added, and ``diffraction``, ``excess_over_grazing`` and
  ``effective_height`` do not apply to it (ITM derives its own effective heights).
  ``L_clutter`` *is* added: ITM is a median over irregular terrain without buildings or trees
  at the receiver (its ground constants are the only surface it knows), and the land-cover loss
  is the same receiver-site correction the empirical models get, so both kinds of carrier see
  the same clutter. The cells are counted per carrier by ITM propagation mode and warning flag
  (:attr:`CoverageResult.itm_modes`, :attr:`CoverageResult.itm_warnings`). ITM's "line of
  sight" mode is the region of its reference curve short of the smooth-earth horizon distance
  of the effective heights (``sqrt(2 h_e a_e)`` summed over both ends: about 29 km for a 30 m
  mast and a handset), not the geometric visibility of the cell: a cell behind a ridge within
  it keeps the mode with ITM's diffraction blended into the loss.
- ``A(φ, θ)``: the TR 36.814 / 38.901 pattern of a sector; an omni antenna has no pattern at all
  unless a vertical beamwidth is given for it (``vbeamwidth_deg``).
- **Antenna height for the median model** (``RadioParams.effective_height``): ``"ground"``
  (default) uses the height above the ground at the site, the definition the Hata curves are
  tabulated with for quasi-smooth terrain; the terrain itself enters through ``L_terrain``.
  ``"profile_mean"`` uses the height above the mean ground along the path from the site to the
  receiver (Okumura's effective height, over the path instead of 3-15 km), at least 1 m: it
  credits hill-top sites overlooking valleys but also penalises valley sites twice (median and
  diffraction), which is why it is not the default.

Performance design
------------------
Per antenna position (every sector and carrier of a site shares it):

1. :func:`~gis.radio._kernels.cell_rows` and :func:`~gis.radio._kernels.cell_layout`: the cells
   within the radius, row by row, each with its nearest sample of a polar grid (rays every
   ``step/R`` radians so that neighbouring rays are one cell apart at the radius, samples every
   ``step`` metres), marking the samples some cell needs;
2. :func:`~gis.radio._kernels.sweep_losses`: along each ray the terrain's upper convex hull, the
   transmitter's horizon and the least-squares sums are carried outward, and at each *needed*
   sample the frequency-free terms (a hull tangent, a few closed forms) are turned into the terrain
   loss of every carrier (float32); a ray stops at its last needed sample;
3. per carrier, :func:`~gis.radio._kernels.cell_common_loss`: median (numba closed forms of
   :mod:`gis.radio._median`) + the cell's sample loss + clutter, float32;
4. per transmitter, :func:`~gis.radio._kernels.apply_transmitter`: the antenna pattern and the
   best-server update (and the power sum when asked), fused.

Every buffer is allocated once per call and reused across positions. With ``threads > 1`` the
``*_parallel`` kernels run the rays and the grid rows in numba threads (``prange``, scratch per
iteration), with the same numbers cell for cell as one thread.

Per-ray models plug in at step 2 (the hook :func:`~gis.radio._kernels.sweep_ray_model`); ITM
has its own cached driver, :func:`gis.radio._itm.itm_sweep`, which computes every ITM carrier
of the position in one pass over each ray (horizons, delta_h and effective heights do not
depend on the frequency) into the same loss array; step 3 then adds no median and step 4 is
shared. ITM costs about 10x the default model per site (``benchmarks/coverage.py``).

Power sums (SINR)
-----------------
``compute_coverage(..., power_sums=True)`` also accumulates, per ``(operator, tech, freq_mhz)``,
the linear sum of the received power (mW) of every transmitter, float32 grids in
:attr:`CoverageResult.power_sum_mw`, so that for a cell served by ``S_best`` (mW)::

    SINR = S_best / (power_sum_mw[key of the best server] - S_best + noise)

A transmitter contributes within its radius, where it also competes for best server.

Tiles
-----
``compute_coverage(..., window=W)`` computes only the cells of ``W`` (a window of the DEM grid)
and skips transmitters farther than their radius from it. The result (best server, server index,
power sums, fallback counts of the window's cells) equals the same cells of the whole as long as
the DEM given covers the window plus the largest radius plus two cells (ray samples depend only on
the DEM between the antenna and the cell).
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
from collections.abc import Callable
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
from gis.radio import _itm as I
from gis.radio import _kernels as K
from gis.radio import _median as M
from gis.radio.itm import MODES as ITM_MODES
from gis.radio.itm import WARNINGS as ITM_WARNINGS
from gis.radio.itm import error_text as itm_error_text
from gis.radio.itm_params import FREQ_RANGE_MHZ as ITM_FREQ_RANGE_MHZ
from gis.radio.itm_params import HEIGHT_RANGE_M as ITM_HEIGHT_RANGE_M
from gis.radio.itm_params import check_itm_inputs
from gis.radio.models import VALIDITY, Model
from gis.radio.params import RadioParams
from gis.radio.terrain import pixel_coords, terrain_config

__all__ = [
    "TRANSMITTER_COLUMNS",
    "CoverageResult",
    "compute_coverage",
    "coverage_filename",
    "point_rsrp_dbm",
    "terrain_config_for",
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
    power_sum_mw
        With ``compute_coverage(..., power_sums=True)``: ``(operator, tech, freq_mhz)`` -> float32
        array, the sum of the received power (mW) of all that key's transmitters reaching each
        cell (0 where none); empty otherwise. See the module doc (SINR).
    fallback_cells
        Model name -> fallback name (:data:`gis.radio._median.FB_NAMES`) -> number of cell
        evaluations (one per cell, antenna position and carrier) that used the model's
        documented fallback (:data:`gis.radio.models.FALLBACKS`); only non-zero counts.
    itm_modes
        For the carriers computed with ITM (a ``radio.model_rules`` rule naming ``itm``):
        carrier frequency (MHz) -> ITM propagation mode (``line_of_sight``, ``diffraction``,
        ``troposcatter``; ``not_set`` where ITM could not compute the path) -> number of cell
        evaluations (one per cell, antenna position and carrier, as :attr:`fallback_cells`);
        only non-zero counts, empty without ITM carriers.
    itm_warnings
        The same cell evaluations counted by ITM warning flag (names of
        :data:`gis.radio.itm.WARNINGS`, e.g. ``path_distance_too_small_2`` within 1 km of the
        mast); a cell with several flags counts under each.
    """

    transform: Affine
    crs: CRS
    shape: tuple[int, int]
    best_dbm: dict[tuple[str, str], np.ndarray]
    server: dict[tuple[str, str], np.ndarray]
    transmitters: pd.DataFrame
    rasters: dict[tuple[str, str], Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    power_sum_mw: dict[tuple[str, str, float], np.ndarray] = field(default_factory=dict)
    fallback_cells: dict[str, dict[str, int]] = field(default_factory=dict)
    itm_modes: dict[float, dict[str, int]] = field(default_factory=dict)
    itm_warnings: dict[float, dict[str, int]] = field(default_factory=dict)

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
        if hasattr(self.best_dbm, "sample"):  # rasters on disk: read the points' window only
            return self._sample_files(xy, str(tech).upper(), operator)
        arr = self.best(tech, operator)
        return sample_grid(arr, self.transform, xy)

    def _sample_files(self, xy: np.ndarray, tech: str, operator: str | None) -> np.ndarray:
        """:meth:`sample` on rasters read from files (``best_dbm.sample``), the same values
        as :func:`sample_grid` on :meth:`best`: the strongest over the tech's operators."""
        t = self.transform
        cols = np.floor((xy[:, 0] - t.c) / t.a).astype(np.int64)
        rows = np.floor((xy[:, 1] - t.f) / t.e).astype(np.int64)
        ok = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        best = np.full(int(ok.sum()), np.nan, np.float32)
        for key in self.best_dbm:
            if key[1] == tech and (operator is None or key[0] == operator):
                best = np.fmax(best, self.best_dbm.sample(key, rows[ok], cols[ok])
                               .astype(np.float32))
        out = np.full(len(xy), np.nan)
        out[ok] = best
        return out

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
    """Clutter loss (dB) by land-cover code 0-254, float64 (255: no data, and codes without a
    loss: 0 dB)."""
    lut = np.zeros(256, dtype=np.float64)
    for k, v in params.clutter_loss_db.items():
        if 0 <= int(k) < 255:
            lut[int(k)] = float(v)
    return lut


def _landcover_codes(landcover: np.ndarray) -> np.ndarray:
    """The land-cover grid as uint8 codes (the kernels read a byte per cell, not 8): codes are
    truncated to integers; NaN, negative and >= 255 become 255 (no clutter loss)."""
    a = np.asarray(landcover)
    if a.dtype == np.uint8:
        return np.ascontiguousarray(a)
    f = a.astype(np.float64, copy=False)
    ok = np.isfinite(f) & (f >= 0) & (f < 255)
    return np.ascontiguousarray(np.where(ok, np.floor(np.where(ok, f, 0)), 255).astype(np.uint8))


def terrain_config_for(params: RadioParams) -> np.ndarray:
    """The kernels' terrain configuration (:func:`gis.radio.terrain.terrain_config`) of a run."""
    return terrain_config(params.diffraction, excess_over_grazing=params.excess_over_grazing,
                          k_factor=params.k_factor, correction=params.bullington_correction,
                          ground_permittivity=params.ground_permittivity,
                          ground_conductivity_s_m=params.ground_conductivity_s_m,
                          polarization=params.polarization)


@dataclass(frozen=True)
class _MedianSpec:
    """A carrier's median model as the kernels take it."""

    name: str
    code: int
    env: int
    large_city: bool
    nlos: bool
    freq_ok: bool
    tx_height_range: tuple[float, float]


def _median_spec(params: RadioParams, freq_mhz: float) -> _MedianSpec:
    """The carrier's model for the kernels; ITM (a per-ray model, no median) has code -1."""
    model = Model(params.model_for(float(freq_mhz)))
    name = model.value
    if model == Model.ITM:
        return _MedianSpec(name=name, code=-1, env=M.ENV_CODES[params.env.value],
                           large_city=bool(params.large_city), nlos=True, freq_ok=True,
                           tx_height_range=VALIDITY[model].tx_height_m)
    code = M.MODEL_CODES[name]
    val = VALIDITY[model]
    f_lo, f_hi = val.freq_mhz
    if model == Model.COST231_HATA and params.cost231_hata_classes:
        code = M.MODEL_COST231_HATA_CLASS
        f_hi = 3000.0  # ITU-R SM.2028 extended Hata: the COST-231 form up to 3 GHz
    return _MedianSpec(name=name, code=code, env=M.ENV_CODES[params.env.value],
                       large_city=bool(params.large_city),
                       nlos=params.condition.value == "nlos",
                       freq_ok=bool(f_lo <= freq_mhz <= f_hi),
                       tx_height_range=val.tx_height_m)


def _median_loss_db(params: RadioParams, freq_mhz: float, d_m: np.ndarray,
                    tx_height_m: np.ndarray | float) -> np.ndarray:
    """The band's empirical median path loss (dB) at horizontal distances ``d_m``:
    :meth:`RadioParams.median_path_loss_db` (model, environment, floor and fallbacks)."""
    return params.median_path_loss_db(d_m, freq_mhz, tx_height_m)


def _itm_args(params: RadioParams) -> tuple:
    """ITM's inputs other than the path, heights and frequency, as the kernels take them:
    ``(climate, n_0, polarization code, epsilon, sigma, mdvar, time %, location %,
    situation %)`` of ``params.itm``."""
    p = params.itm
    return (int(p.climate), float(p.n0_n_units), int(p.polarization.code), float(p.epsilon),
            float(p.sigma_s_m), int(p.mdvar), float(p.time_pct), float(p.location_pct),
            float(p.situation_pct))


def _check_itm(freq_mhz: np.ndarray, height_m: np.ndarray, params: RadioParams,
               rows: np.ndarray | None = None) -> None:
    """Refuse ITM carriers outside NTIA's hard limits (bilingual, naming the parameter, its
    range and the rows): the frequency (20-20000 MHz), the antenna heights (0.5-3000 m) and
    the ground (NTIA error 1013). ``freq_mhz`` and ``height_m`` are those of the transmitters
    computed with ITM; ``rows`` their rows in the sites layer when known."""
    if not len(freq_mhz):
        return
    f_lo, f_hi = ITM_FREQ_RANGE_MHZ
    h_lo, h_hi = ITM_HEIGHT_RANGE_M
    where = np.arange(len(freq_mhz)) if rows is None else np.asarray(rows, dtype=float)

    def rows_of(bad: np.ndarray) -> np.ndarray:
        r = where[bad]
        return r[np.isfinite(r)].astype(int)

    bad = ~((freq_mhz >= f_lo) & (freq_mhz <= f_hi))
    if bad.any():
        f = float(freq_mhz[bad][0])
        raise ValidationError(
            f"radio.model_rules gives the {f:g} MHz carrier to ITM, whose valid range is "
            f"{f_lo:g}-{f_hi:g} MHz (NTIA ITM 1.2.2, freq_mhz).",
            f"radio.model_rules gán sóng mang {f:g} MHz cho ITM, mà phạm vi hợp lệ là "
            f"{f_lo:g}-{f_hi:g} MHz (NTIA ITM 1.2.2, freq_mhz).",
            rows=rows_of(bad),
            fix="Give this band another model (a model rule ending below it, e.g. rma).",
            fix_vi="Dùng mô hình khác cho băng tần này (một quy tắc mô hình, ví dụ rma).")
    bad = ~((height_m >= h_lo) & (height_m <= h_hi))
    if bad.any():
        raise ValidationError(
            f"ITM takes antenna heights of {h_lo:g}-{h_hi:g} m above the ground (NTIA ITM "
            f"1.2.2, tx_height_m); {int(bad.sum())} transmitter(s) outside it, e.g. "
            f"{float(height_m[bad][0]):g} m.",
            f"ITM nhận độ cao anten {h_lo:g}-{h_hi:g} m so với mặt đất (NTIA ITM 1.2.2, "
            f"tx_height_m); {int(bad.sum())} máy phát ngoài phạm vi, ví dụ "
            f"{float(height_m[bad][0]):g} m.",
            rows=rows_of(bad),
            fix="Correct height_m in these rows of the sites layer.",
            fix_vi="Sửa height_m ở các dòng này của lớp trạm.")
    p = params.itm
    for f in np.unique(freq_mhz):
        # the receiver height and the ground at each carrier (the heights were checked above)
        check_itm_inputs(float(f), 1.0, float(params.rx_height_m), p.epsilon, p.sigma_s_m,
                         p.polarization)


def _itm_error_text(codes: set[int]) -> tuple[str, str]:
    """English and Vietnamese text of the ITM errors met on some paths."""
    en = "; ".join(f"{itm_error_text(c)[0]} (NTIA error {c})" for c in sorted(codes))
    vi = "; ".join(f"{itm_error_text(c)[1]} (lỗi NTIA {c})" for c in sorted(codes))
    return en, vi


def _count_names(counts: dict[float, np.ndarray], names: dict[int, str]) -> dict[float,
                                                                                  dict[str, int]]:
    """``{carrier: counts}`` -> ``{carrier: {name: count}}`` for the non-zero counts."""
    return {f: {names[i]: int(c[i]) for i in range(len(c)) if c[i] and i in names}
            for f, c in sorted(counts.items()) if c.any()}


#: ITM warning bit index -> name (bit ``b`` is the flag ``1 << b`` of :data:`ITM_WARNINGS`).
_ITM_WARNING_BITS = {int(flag).bit_length() - 1: v[0] for flag, v in ITM_WARNINGS.items()}
_ITM_N_BITS = 16


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
    """Vertical beamwidth per transmitter, degrees; NaN: no vertical pattern.

    A sector without one takes its technology's default; an omni antenna (azimuth NaN or
    beamwidth >= 360°) has no vertical pattern unless the table gives one.
    """
    omni = _omni(tx)
    default = np.array([params.tech(t).vbeamwidth_deg for t in tx["tech"]], dtype=float)
    default[omni] = np.nan
    if "vbeamwidth_deg" in tx:
        v = pd.to_numeric(tx["vbeamwidth_deg"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isfinite(v) & (v > 0), v, default)
    return default


def _cells_within(lo: np.ndarray, hi: np.ndarray, sr0: int, nr: int, col0: float, row0: float,
                  px_w: float, px_h: float, radius_m: float) -> int:
    """Number of the position's cells (rows ``lo..hi``) within ``radius_m``, vectorised."""
    rows = sr0 + np.arange(nr)
    dy = (row0 - rows) * px_h
    rem = radius_m * radius_m - dy * dy
    ok = (rem >= 0) & (hi >= lo)
    half = np.sqrt(np.where(ok, rem, 0.0)) / px_w
    a = np.maximum(lo, np.ceil(col0 - half))
    b = np.minimum(hi, np.floor(col0 + half))
    return int(np.where(ok & (b >= a), b - a + 1, 0).sum())


def _omni(tx: pd.DataFrame) -> np.ndarray:
    az = tx["azimuth_deg"].to_numpy(float)
    bw = tx["beamwidth_deg"].to_numpy(float)
    return ~np.isfinite(az) | ~(bw < 360.0)


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

#: Serialises the parallel kernels: numba's default (workqueue) threading layer must not be
#: entered from two Python threads at once.
_PARALLEL_LOCK = threading.Lock()


@contextlib.contextmanager
def _numba_threads(n_threads: int):
    """numba's thread count set to ``n_threads`` for the block, one block at a time (numba's
    setting is per process), restored after it."""
    import numba

    with _PARALLEL_LOCK:
        before = numba.get_num_threads()
        numba.set_num_threads(n_threads)
        try:
            yield
        finally:
            numba.set_num_threads(before)


class _Buffers:
    """Work arrays reused across antenna positions (grown when a position needs more)."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, size: int, dtype) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None or arr.size < size or arr.dtype != np.dtype(dtype):
            arr = np.empty(max(size, 1), dtype)
            self._arrays[name] = arr
        return arr[:size]


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
    power_sums: bool = False,
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
        Numba threads for the rays and grid rows of each position (``parallel=True`` kernels);
        the result does not depend on it. Keep 1 inside Dask workers that already run one tile
        per core.
    power_sums
        Also accumulate :attr:`CoverageResult.power_sum_mw` (see the module doc).

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
    use_lc = landcover is not None
    lc = _landcover_codes(landcover) if use_lc else np.zeros((1, 1), np.uint8)
    lut = _clutter_lut(params)
    px_w, px_h = float(transform.a), float(-transform.e)
    pixel_coords(transform, 0.0, 0.0)  # validates north-up
    out_transform = transform * Affine.translation(c0, r0)
    step = float(params.ray_step_m or px_w)
    cfg = terrain_config_for(params)
    use_zmean = str(params.effective_height) == "profile_mean"
    parallel = int(threads) > 1
    if parallel:
        import numba

        n_threads = max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS))
    sweep = K.sweep_losses_parallel if parallel else K.sweep_losses
    layout = K.cell_layout_parallel if parallel else K.cell_layout
    common_k = K.cell_common_loss_parallel if parallel else K.cell_common_loss
    apply_k = K.apply_transmitter_parallel if parallel else K.apply_transmitter

    keys = sorted({(str(o), str(t).upper()) for o, t in zip(tx["operator"], tx["tech"],
                                                             strict=True)})
    best = {k: np.full((wh, ww), np.nan, np.float32) for k in keys}
    server = {k: np.full((wh, ww), -1, np.int32) for k in keys}

    cols, rows = pixel_coords(transform, tx["x"].to_numpy(float), tx["y"].to_numpy(float))
    outside = (cols < -0.5) | (cols > z.shape[1] - 0.5) | (rows < -0.5) | (rows > z.shape[0] - 0.5)
    radius = transmitter_radius_m(tx, params)
    offsets = _signal_offsets_db(tx, params)
    vbw = _vbeamwidth_deg(tx, params)
    omni = _omni(tx)
    tx_keys = list(zip(tx["operator"].astype(str), tx["tech"].astype(str).str.upper(),
                       strict=True))
    freqs = tx["freq_mhz"].to_numpy(float)
    psums: dict[tuple[str, str, float], np.ndarray] = {}
    if power_sums:
        for (op, tech), f in zip(tx_keys, freqs, strict=True):
            psums.setdefault((op, tech, float(f)), np.zeros((wh, ww), np.float32))
    dummy_psum = np.zeros((1, 1), np.float32)
    # window rectangle in pixel coordinates (cell centres)
    wr0, wr1, wc0, wc1 = r0, r0 + wh - 1, c0, c0 + ww - 1

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
    specs = {float(f): _median_spec(params, float(f)) for f in np.unique(freqs)}
    uses_itm = np.array([specs[float(f)].code < 0 for f in freqs], dtype=bool)
    _check_itm(freqs[uses_itm], heights[uses_itm], params,
               pd.to_numeric(tx["row"], errors="coerce").to_numpy()[uses_itm]
               if "row" in tx else None)
    itm_args = _itm_args(params)
    itm_sweep = I.itm_sweep_parallel if parallel else I.itm_sweep
    counts_by_model: dict[str, np.ndarray] = {}
    itm_mode_counts: dict[float, np.ndarray] = {}
    itm_warn_counts: dict[float, np.ndarray] = {}
    itm_errors: set[int] = set()
    buf = _Buffers()

    def position(idx: np.ndarray) -> int:
        i0 = int(idx[0])
        col0, row0 = float(cols[i0]), float(rows[i0])
        rad = float(radius[idx].max())
        # distance (m) from the antenna to the nearest cell centre of the window
        dxc = max(wc0 - col0, 0.0, col0 - wc1) * px_w
        dyr = max(wr0 - row0, 0.0, row0 - wr1) * px_h
        if math.hypot(dxc, dyr) > rad:
            return 0
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
        nr, nc = sr1 - sr0 + 1, sc1 - sc0 + 1
        lo = buf.get("lo", nr, np.int64)
        hi = buf.get("hi", nr, np.int64)
        start = buf.get("start", nr, np.int64)
        m = K.cell_rows(sr0, nr, sc0, nc, col0, row0, px_w, px_h, rad, lo, hi, start)
        if m == 0:
            return 0
        want_angles = bool((~omni[idx]).any() or np.isfinite(vbw[idx]).any())
        need = buf.get("need", n_rays * n_steps, np.uint8)
        need[:] = 0
        pidx = buf.get("pidx", m, np.int32)
        az = buf.get("az", m if want_angles else 1, np.float32)
        elev = buf.get("elev", m if want_angles else 1, np.float32)
        # antenna altitude for the elevation angles
        z_ant = float(K.bilinear(z, col0, row0)) + h_tx
        layout(sr0, nr, lo, hi, start, col0, row0, px_w, px_h, step, n_rays, n_steps, z,
               z_ant, rx_h, want_angles, need, pidx, az, elev)
        carriers = np.unique(freqs[idx])
        # the terrain sweep's carriers first, then the per-ray model's (ITM)
        itm_car = np.array([specs[float(f)].code < 0 for f in carriers], dtype=bool)
        carriers = np.concatenate([carriers[~itm_car], carriers[itm_car]])
        n_terr = int((~itm_car).sum())
        n_itm = carriers.size - n_terr
        # each carrier only as far as its transmitters reach (2G 900 MHz 15 km, 3G 8 km ...)
        r_car = np.array([float(radius[idx][freqs[idx] == f].max()) for f in carriers])
        loss = buf.get("loss", carriers.size * n_rays * n_steps, np.float32).reshape(
            carriers.size, n_rays * n_steps)
        zmean = buf.get("zmean", n_rays * n_steps if use_zmean else 1, np.float32)
        ray0, n_sweep = _ray_range(col0, row0, sr0, sr1, sc0, sc1, px_w, px_h, n_rays)
        if n_terr:
            z0 = sweep(z, col0, row0, px_w, px_h, h_tx, rx_h, step, cfg, ray0, n_sweep,
                       n_rays, need, carriers[:n_terr].astype(np.float64),
                       r_car[:n_terr] + step, loss, zmean, use_zmean)
        else:
            z0 = K.bilinear(z, col0, row0)
        if n_itm:
            # ITM replaces the median and the terrain term: the loss of each needed sample
            # over the ray's own profile, all ITM carriers of the position in one pass
            itm_mode = buf.get("itm_mode", n_itm * n_rays * n_steps, np.int8).reshape(
                n_itm, n_rays * n_steps)
            itm_warn = buf.get("itm_warn", n_itm * n_rays * n_steps, np.int32).reshape(
                n_itm, n_rays * n_steps)
            err = itm_sweep(z, col0, row0, px_w, px_h, h_tx, rx_h, step, ray0, n_sweep,
                            n_rays, need, r_car[n_terr:] + step, itm_args[0], itm_args[1],
                            carriers[n_terr:].astype(np.float64), *itm_args[2:], n_terr, loss,
                            itm_mode, itm_warn)
            if err:
                itm_errors.add(int(err))
        common = buf.get("common", m, np.float32)
        for ci, freq in enumerate(carriers):
            spec = specs[float(freq)]
            counts = np.zeros(M.N_FB, np.int64)
            if ci >= n_terr:
                modes = itm_mode_counts.setdefault(float(freq), np.zeros(4, np.int64))
                flags = itm_warn_counts.setdefault(float(freq), np.zeros(_ITM_N_BITS, np.int64))
                K.cell_flag_counts(sr0, nr, lo, hi, start, col0, row0, px_w, px_h, pidx,
                                   itm_mode[ci - n_terr], itm_warn[ci - n_terr],
                                   float(r_car[ci]), modes, flags)
            common_k(sr0, nr, lo, hi, start, col0, row0, px_w, px_h, loss, ci, pidx,
                     spec.code, float(freq), h_tx, float(z0), zmean, use_zmean, rx_h, spec.env,
                     spec.large_city, spec.nlos, float(params.building_height_m),
                     float(params.street_width_m), float(params.min_distance_m), fixed_db, lc,
                     lut, use_lc, float(r_car[ci]), common, counts)
            h_lo, h_hi = spec.tx_height_range
            m_car = _cells_within(lo, hi, sr0, nr, col0, row0, px_w, px_h, float(r_car[ci]))
            if not (h_lo <= h_tx <= h_hi) and not use_zmean:
                counts[M.FB_TX_HEIGHT] += m_car
            if not spec.freq_ok:
                counts[M.FB_FREQ] += m_car
            acc = counts_by_model.setdefault(spec.name, np.zeros(M.N_FB, np.int64))
            acc += counts
            for t in idx[freqs[idx] == freq]:
                t = int(t)
                key = tx_keys[t]
                ps = psums[(*key, float(freq))] if power_sums else dummy_psum
                apply_k(sr0, nr, lo, hi, start, col0, row0, px_w, px_h, r0, c0, az, elev,
                        want_angles and not (omni[t] and not np.isfinite(vbw[t])), common,
                        float(base[t]), float(azimuths[t]), float(beamwidths[t]),
                        float(tilts[t]), float(vbw[t]), float(params.front_to_back_db),
                        float(params.sla_v_db), float(radius[t]), t, best[key], server[key], ps,
                        power_sums)
        return int(outside[i0])

    n_outside = 0
    with _numba_threads(n_threads) if parallel else contextlib.nullcontext():
        for gi, idx in enumerate(groups):
            n_outside += position(idx)
            if progress:
                progress(gi + 1, len(groups))
    if progress:
        progress(len(groups), len(groups))
    if n_outside:
        warnings.append(
            f"{n_outside} antenna position(s) lie outside the DEM: the terrain beyond its edge "
            f"was taken as the edge value / {n_outside} vị trí ăng ten nằm ngoài DEM.")
    fallback_cells = {
        name: {M.FB_NAMES[i]: int(c[i]) for i in range(M.N_FB) if c[i]}
        for name, c in sorted(counts_by_model.items()) if c.any()}
    itm_modes = _count_names(itm_mode_counts, ITM_MODES)
    if itm_errors:
        n_bad = sum(int(c[0]) for c in itm_mode_counts.values())
        en, vi = _itm_error_text(itm_errors)
        warnings.append(
            f"ITM could not compute {n_bad} cell evaluation(s): {en}; those cells get no "
            f"signal from the antennas concerned / ITM không tính được {n_bad} lượt ô: {vi}; "
            f"các ô này không nhận tín hiệu từ các anten liên quan.")
    return CoverageResult(transform=out_transform, crs=crs, shape=(wh, ww), best_dbm=best,
                          server=server, transmitters=tx, warnings=warnings,
                          power_sum_mw=psums, fallback_cells=fallback_cells,
                          itm_modes=itm_modes,
                          itm_warnings=_count_names(itm_warn_counts, _ITM_WARNING_BITS))


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

    Same models, fallbacks and terrain term as :func:`compute_coverage` (the same kernels),
    along the exact profile of each pair (no polar approximation), with an omni antenna (relative
    gain 0 dB) - the question "would operator X's antenna on tower T cover hamlet H". A carrier
    whose model is ITM (``radio.model_rules``) gets ITM's basic transmission loss
    (:func:`gis.radio._itm.itm_pair_losses`: the straight profile at a uniform step of about
    ``ray_step_m``, pairs nearer than ``min_distance_m`` at that distance) in place of the
    median and the terrain term, as in the rasters.

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
    n_rx = len(rxy)
    itm = np.array([params.model_for(float(fa)) == Model.ITM for fa in f], dtype=bool)
    _check_itm(f[itm], h[itm], params)
    pl = np.full((n_tx, n_rx), np.nan)
    emp = np.flatnonzero(~itm)
    if emp.size:
        dist = np.empty((emp.size, n_rx))
        tloss = np.empty((emp.size, n_rx))
        K.pair_terrain_losses(z, tc[emp], tr[emp], h[emp], rc, rr, float(params.rx_height_m),
                              px_w, px_h, step, f[emp], terrain_config_for(params), rad, dist,
                              tloss)
        for j, a in enumerate(emp):
            ok = np.isfinite(dist[j])
            if ok.any():
                pl[a, ok] = (_median_loss_db(params, float(f[a]), dist[j, ok], float(h[a]))
                             + tloss[j, ok])
    if itm.any():
        ia = np.flatnonzero(itm)
        d = np.hypot((rc[None, :] - tc[ia, None]) * px_w, (tr[ia, None] - rr[None, :]) * px_h)
        a_idx, b_idx = np.nonzero(d <= rad)
        a_idx = ia[a_idx]
        loss = np.empty(a_idx.size)
        I.itm_pair_losses(z, tc[a_idx], tr[a_idx], h[a_idx], f[a_idx], rc[b_idx], rr[b_idx],
                          float(params.rx_height_m), px_w, px_h, step,
                          float(params.min_distance_m), *_itm_args(params), loss,
                          np.empty(a_idx.size, np.int8),
                          np.empty(a_idx.size, np.int32))
        pl[a_idx, b_idx] = loss
    return (e[:, None] + td.signal_offset_db + params.rx_gain_dbi - pl
            - params.body_loss_db - params.penetration_loss_db)
