"""Tiles as a Dask graph: each tile computes its coverage and hamlet sums; the driver reduces.

Each tile is one task (:func:`run_tile`): it reads its DEM (and land cover, population) window
from the input paths, runs :func:`gis.radio.coverage.compute_coverage` on its core with the
transmitters that reach it, writes its best-server GeoTIFFs and its per-hamlet partial sums into
``<out>/tiles/<tile>/`` and, last, an atomic ``done.json`` marker. The driver adds the partial
sums in tile order (:class:`gis.scale.reduce.HamletReducer`) and assembles each raster block by
block into one tiled GeoTIFF of the whole grid. A rerun with the same inputs skips the tiles whose
marker is there (resumption after an interruption).

Where the tasks run: dask's local process pool by default (one tile per core), ``"threads"``,
``"synchronous"``, the address of a running scheduler, or a
``dask.distributed.Client`` given to :func:`run_tiled`. Workers only receive paths, so on a
cluster the inputs and the output folder must be reachable from every worker (a shared file
system; rasterio also opens ``/vsicurl/`` and ``/vsis3/`` paths for the inputs).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import time
import types
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine

try:
    import resource
except ImportError:  # not on Windows: page faults are then not counted
    resource = None

from gis.analysis.hamlets import hamlet_centres
from gis.analysis.params import HamletRule
from gis.atomic import write_atomic
from gis.config import to_dict
from gis.errors import InputFileError
from gis.layers.rasters import cog_copy, write_geotiff
from gis.radio.calibration import apply_calibration
from gis.radio.calibration_params import CalibrationParams
from gis.radio.coverage import (
    CoverageResult,
    check_transmitters,
    compute_coverage,
    coverage_filename,
    transmitter_radius_m,
)
from gis.radio.params import RadioParams
from gis.scale.params import ScaleParams
from gis.scale.reduce import HamletReducer, HamletSet, TilePartials, tile_partials
from gis.scale.tiles import (
    BLOCK,
    Grid,
    PopLattice,
    Tile,
    make_tiles,
    pop_lattice,
    read_tile_dem,
    read_tile_landcover,
    tile_cells_for,
)

__all__ = ["TileTask", "TiledResult", "run_tile", "run_tiled"]

MARKER = "done.json"
PARTIALS = "partials.npz"


@dataclass
class TileTask:
    """Everything one tile needs; small and picklable (paths, not arrays, for the rasters)."""

    tile: Tile
    grid: Grid
    tx: pd.DataFrame
    tx_index: np.ndarray
    keys: list[tuple[str, str]]
    radio: RadioParams
    rule: HamletRule
    hamlets: HamletSet
    landcover_path: str | None
    pop: PopLattice | None
    pop_rows: tuple[int, int]
    pop_cols: tuple[int, int]
    out_dir: str
    fingerprint: str
    calibration: CalibrationParams | None = None


@dataclass
class TileOutput:
    """What a tile returns to the driver (its rasters stay on disk)."""

    name: str
    partials: TilePartials
    warnings: list[str]
    seconds: float
    n_transmitters: int
    has_rasters: bool
    resumed: bool = False
    counts: dict[str, dict] = field(default_factory=dict)


#: glibc ``mallopt`` parameters (malloc.h) and the values :func:`tune_allocator` sets: the
#: ceiling glibc's own dynamic mmap threshold reaches on 64-bit systems
#: (``DEFAULT_MMAP_THRESHOLD_MAX``, 32 MiB) and twice that as the trim threshold, as the dynamic
#: rule keeps them.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES


@functools.cache
def tune_allocator() -> bool:
    """Give glibc's allocator in this process the thresholds it would have reached by itself
    when ``MALLOC_TRIM_THRESHOLD_`` is set; True when it changed them.

    A ``distributed`` nanny starts every worker process with ``MALLOC_TRIM_THRESHOLD_=65536``
    (its ``distributed.nanny.pre-spawn-environ``), which also disables glibc's dynamic mmap
    threshold: every array above 128 KiB is then a fresh ``mmap`` whose pages fault in, zeroed
    by the kernel, each time the engine allocates its per-position work arrays (about 480,000
    minor faults per 10 km tile of the province preset, against 2,000-5,000 with the default
    allocator, and 12-22 % more CPU per tile; ``benchmarks/tile_cost.py``, docs/scale.md).
    Called by each task (once per process); a no-op without the variable or off glibc.
    """
    if not os.environ.get("MALLOC_TRIM_THRESHOLD_") or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    ok &= mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1
    return bool(ok)


def _thread_usage() -> tuple[float, int]:
    """(CPU seconds, minor page faults) of the calling thread so far (Linux; process-wide
    page faults elsewhere)."""
    if resource is None:
        return time.thread_time(), 0
    who = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)
    return time.thread_time(), resource.getrusage(who).ru_minflt


def run_tile(task: TileTask) -> TileOutput:
    """Compute one tile: coverage on its core, GeoTIFFs, hamlet partial sums, done marker.

    The marker records, besides the result's fingerprint, the tile's wall seconds, the CPU
    seconds of its thread (``coverage_cpu_s``: reads, engine and GeoTIFFs; ``hamlets_cpu_s``:
    the partial sums) and per phase (``phases``: wall seconds, CPU seconds and minor page
    faults of ``read``, ``engine``, ``write``, ``hamlets``), the figures that explain where a
    tile's time goes in a worker process (docs/scale.md).
    """
    tuned = tune_allocator()
    t0 = time.perf_counter()
    c0 = time.thread_time()
    phases: dict[str, list[float]] = {}
    mark = [time.perf_counter(), *_thread_usage()]

    def phase(name: str) -> None:
        now = [time.perf_counter(), *_thread_usage()]
        phases[name] = [round(now[0] - mark[0], 4), round(now[1] - mark[1], 4),
                        int(now[2] - mark[2])]
        mark[:] = now

    tile, grid = task.tile, task.grid
    out = Path(task.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shape = (tile.height, tile.width)
    best = {k: np.full(shape, np.nan, np.float32) for k in task.keys}
    warnings: list[str] = []
    counts: dict[str, dict] = {}
    has_rasters = len(task.tx) > 0
    if has_rasters:
        dem, dem_tr = read_tile_dem(grid, tile)
        lc = (read_tile_landcover(task.landcover_path, grid, tile)
              if task.landcover_path else None)
        phase("read")
        res = compute_coverage(task.tx, dem, dem_tr, grid.crs, task.radio, landcover=lc,
                               window=(tile.halo, tile.halo, tile.height, tile.width))
        if task.calibration is not None and task.calibration.active:
            h0 = tile.halo   # the land cover on the core's cells, as in a run in one piece
            res = apply_calibration(res, task.calibration, None if lc is None else
                                    lc[h0:h0 + tile.height, h0:h0 + tile.width])
        del dem, lc
        phase("engine")
        warnings = list(res.warnings)
        counts = {name: getattr(res, name) for name in COUNTS}
        tr = grid.transform * grid.transform.translation(tile.col_off, tile.row_off)
        for key in task.keys:
            if key in res.best_dbm:
                best[key] = res.best_dbm[key]
                srv = res.server[key]
                srv = np.where(srv >= 0, task.tx_index[np.maximum(srv, 0)], -1).astype(np.int32)
            else:
                srv = np.full(shape, -1, np.int32)
            for kind, arr, nodata in (("coverage", best[key], np.nan), ("server", srv, -1)):
                path = out / coverage_filename(*key, kind=kind)
                write_geotiff(path, arr, tr, grid.crs, nodata=nodata,
                              compression=_tile_compression())
        phase("write")
    c1 = time.thread_time()
    population = None
    if task.pop is not None and task.pop_rows[1] > task.pop_rows[0] \
            and task.pop_cols[1] > task.pop_cols[0]:
        (a, b), (c, d) = task.pop_rows, task.pop_cols
        people = task.pop.read(a, c, b - a, d - c)
        population = (people, task.pop.transform, np.arange(a, b), np.arange(c, d))
    core = (tile.row_off, tile.col_off, tile.height, tile.width)
    partials = tile_partials(task.hamlets, [best[k] for k in task.keys], task.keys,
                             grid.transform, grid.shape, core, task.radio, task.rule,
                             population=population)

    def _save(p: Path) -> None:
        with open(p, "wb") as fh:
            np.savez(fh, **partials.to_npz())

    write_atomic(out / PARTIALS, _save)
    phase("hamlets")
    seconds = time.perf_counter() - t0
    # CPU seconds of this thread (the numba kernels run in it): the tile's cost on a core,
    # whatever else the machine is doing
    cpu = {"coverage_cpu_s": round(c1 - c0, 3), "hamlets_cpu_s": round(time.thread_time() - c1,
                                                                          3)}
    marker = {"tile": tile.name, "fingerprint": task.fingerprint, "seconds": round(seconds, 3),
              **cpu, "phases": phases, "pid": os.getpid(), "allocator_tuned": tuned,
              "transmitters": len(task.tx), "cells": tile.height * tile.width,
              "rasters": has_rasters, "warnings": warnings, "counts": counts}
    write_atomic(out / MARKER, lambda p: p.write_text(json.dumps(marker, ensure_ascii=False),
                                                       encoding="utf-8"))
    return TileOutput(tile.name, partials, warnings, seconds, len(task.tx), has_rasters,
                      counts=counts)


#: Compression of the assembled GeoTIFFs: DEFLATE (every GIS reads it) with the TIFF
#: predictor (3, floating point, for the dBm rasters; 2, horizontal differences, for the server
#: indices) at level 1. Measured on the province preset's 2,749 x 3,303 cells: the float raster
#: 0.41 CPU s and 18 MB, against 0.76 CPU s and 27 MB with the plain DEFLATE level 6 of the
#: first version; the values are the same (lossless).
ASSEMBLED_COMPRESSION = {"compress": "deflate", "zlevel": 1}


@functools.cache
def _tile_compression() -> dict[str, Any]:
    """Compression of the per-tile GeoTIFFs: ZSTD level 1 when this GDAL has it (7x faster
    to write than DEFLATE level 6 at the same size for the dBm rasters, and faster to read back
    for the assembly), else DEFLATE level 1."""
    from rasterio.io import MemoryFile

    try:
        with MemoryFile() as mem:
            with mem.open(driver="GTiff", height=1, width=1, count=1, dtype="float32",
                          transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, 1.0),
                          compress="zstd", zstd_level=1) as dst:
                dst.write(np.zeros((1, 1, 1), np.float32))
            with mem.open() as src:
                ok = str(src.profile.get("compress", "")).lower() == "zstd"
    except rasterio.errors.RasterioError:
        ok = False
    return {"compress": "zstd", "zstd_level": 1} if ok else {"compress": "deflate", "zlevel": 1}


def _load_done(folder: Path, fingerprint: str) -> TileOutput | None:
    """The output of a tile already written with the same fingerprint, or None."""
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint:
            return None
        with np.load(folder / PARTIALS) as data:
            part = TilePartials.from_npz(data)
    except (OSError, ValueError, KeyError):
        return None
    return TileOutput(meta["tile"], part, list(meta.get("warnings", [])),
                      float(meta.get("seconds", 0.0)), int(meta.get("transmitters", 0)),
                      bool(meta.get("rasters", False)), resumed=True,
                      counts=dict(meta.get("counts", {})))


class RasterMap(Mapping):
    """``(operator, tech)`` -> array, read from the assembled GeoTIFF on each access, so a
    :class:`CoverageResult` of a province or the country does not sit in memory."""

    def __init__(self, paths: dict[tuple[str, str], Path]) -> None:
        self.paths = dict(paths)

    def __getitem__(self, key: tuple[str, str]) -> np.ndarray:
        with rasterio.open(self.paths[key]) as src:
            return src.read(1)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.paths)

    def sample(self, key: tuple[str, str], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values at cells (``rows``, ``cols`` inside the grid), reading only the window that
        holds them (a province's facilities, not the country's raster)."""
        out = np.full(len(rows), np.nan)
        if not len(rows):
            return out
        r0, c0 = int(rows.min()), int(cols.min())
        win = rasterio.windows.Window(c0, r0, int(cols.max()) - c0 + 1,
                                      int(rows.max()) - r0 + 1)
        with rasterio.open(self.paths[key]) as src:
            arr = src.read(1, window=win)
        return arr[rows - r0, cols - c0].astype(float)

    def __len__(self) -> int:
        return len(self.paths)


@dataclass
class TiledResult:
    """The outcome of :func:`run_tiled`.

    Attributes
    ----------
    grid, tiles
        The whole grid and its tiles.
    keys
        (operator, tech) pairs, sorted.
    transmitters
        The run's transmitter table (server rasters index its rows).
    rasters, servers
        Assembled GeoTIFFs per key: best signal (dBm) and best server (row of
        :attr:`transmitters`); empty when only some tiles were asked for.
    hamlet_coverage
        The long per-hamlet table of :func:`gis.analysis.mobile.hamlet_coverage` (None when
        only some tiles were asked for).
    computed, resumed
        Names of the tiles computed now and of those taken from an earlier run.
    tile_seconds
        Seconds per computed tile.
    warnings
        The tiles' warnings, merged.
    """

    grid: Grid
    tiles: list[Tile]
    keys: list[tuple[str, str]]
    transmitters: pd.DataFrame
    rasters: dict[tuple[str, str], Path] = field(default_factory=dict)
    servers: dict[tuple[str, str], Path] = field(default_factory=dict)
    hamlet_coverage: pd.DataFrame | None = None
    computed: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    tile_seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, dict] = field(default_factory=dict)

    def coverage(self) -> CoverageResult:
        """A :class:`CoverageResult` over the whole grid whose arrays are read from the
        assembled GeoTIFFs when asked for."""
        res = CoverageResult(transform=self.grid.transform, crs=self.grid.crs,
                             shape=self.grid.shape, best_dbm=RasterMap(self.rasters),
                             server=RasterMap(self.servers), transmitters=self.transmitters,
                             warnings=list(self.warnings),
                             **{name: self.counts.get(name, {}) for name in COUNTS})
        res.rasters = dict(self.rasters)
        return res


#: The cell counts of :class:`CoverageResult` a tile reports and the driver sums (fallbacks of
#: the models, ITM modes and warnings): tiles partition the cells, so the sums are the counts
#: of a run in one piece.
COUNTS = ("fallback_cells", "itm_modes", "itm_warnings")


def add_counts(total: dict, part: Mapping) -> dict:
    """``total`` with the nested counts of ``part`` added, key by key (JSON keys: strings)."""
    for key, value in part.items():
        key = str(key)
        if isinstance(value, Mapping):
            add_counts(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + int(value)
    return total


def merge_warnings(lists: Iterable[list[str]]) -> list[str]:
    """One message per kind: messages that differ only in their numbers are merged, the numbers
    that differ between tiles summed (cell counts), the others kept (``"0 m"``)."""
    groups: dict[str, list[tuple[int, ...]]] = {}
    for msgs in lists:
        for m in msgs:
            tpl = re.sub(r"\d+", "{}", m)
            groups.setdefault(tpl, []).append(tuple(int(v) for v in re.findall(r"\d+", m)))
    out = []
    for tpl, nums in groups.items():
        cols = list(zip(*nums, strict=True))
        out.append(tpl.format(*[c[0] if len(set(c)) == 1 else sum(c) for c in cols]))
    return out


def _fingerprint(grid: Grid, tile_cells: int, tx: pd.DataFrame, villages, radio: RadioParams,
                 rule: HamletRule, calibration: CalibrationParams,
                 paths: list[str | None]) -> str:
    h = hashlib.sha256()
    h.update(repr((tuple(grid.transform), grid.shape, grid.crs_wkt, grid.dem_offset,
                   tile_cells)).encode())
    h.update(pd.util.hash_pandas_object(tx.astype(str), index=False).to_numpy().tobytes())
    h.update(b"".join(shapely.to_wkb(np.asarray(villages.geometry.values, dtype=object))))
    h.update(json.dumps([to_dict(radio), to_dict(rule), to_dict(calibration)], sort_keys=True,
                        default=str).encode())
    for p in paths:
        if p is None:
            h.update(b"-")
            continue
        try:
            st = os.stat(p)
            h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
        except OSError:
            h.update(str(p).encode())
    return h.hexdigest()[:32]


def _tile_transmitters(tiles: list[Tile], grid: Grid, tx: pd.DataFrame,
                       radius: np.ndarray) -> list[np.ndarray]:
    """Per tile: positions of the transmitters whose antenna position reaches it.

    Every transmitter at a position (x, y: all heights and carriers, a superset of the engine's
    sweep groups) is kept when one of them reaches the tile, in the table's order, so that the
    engine sweeps each position with the same radius and breaks ties in the same order.
    """
    gid = tx.groupby(["x", "y"], sort=False).ngroup().to_numpy()
    grad = pd.Series(radius).groupby(gid).transform("max").to_numpy()
    x, y = tx["x"].to_numpy(float), tx["y"].to_numpy(float)
    res = grid.resolution_m
    out = []
    for t in tiles:
        left, bottom, right, top = grid.window_bounds(t.row_off, t.col_off, t.height, t.width)
        dx = np.maximum.reduce([left - x, np.zeros_like(x), x - right])
        dy = np.maximum.reduce([bottom - y, np.zeros_like(y), y - top])
        out.append(np.flatnonzero(np.hypot(dx, dy) <= grad + 2 * res))
    return out


def _tile_hamlets(tiles: list[Tile], grid: Grid, villages, centres: np.ndarray,
                  pad_m: float) -> list[np.ndarray]:
    """Per tile: hamlets whose geometry comes within ``pad_m`` of its core, or whose centre lies
    in it (sorted positions)."""
    geoms = np.asarray(villages.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)
    g = grid.transform
    ccol = np.floor((centres[:, 0] - g.c) / g.a).astype(np.int64)
    crow = np.floor((centres[:, 1] - g.f) / g.e).astype(np.int64)
    out = []
    for t in tiles:
        left, bottom, right, top = grid.window_bounds(t.row_off, t.col_off, t.height, t.width)
        box = shapely.box(left - pad_m, bottom - pad_m, right + pad_m, top + pad_m)
        near = tree.query(box)
        mine = np.flatnonzero((crow >= t.row_off) & (crow < t.row_off + t.height)
                              & (ccol >= t.col_off) & (ccol < t.col_off + t.width))
        out.append(np.union1d(near, mine).astype(np.int64))
    return out


def _owned_range(owner: np.ndarray, index: int) -> tuple[int, int]:
    idx = np.flatnonzero(owner == index)
    return (int(idx[0]), int(idx[-1]) + 1) if idx.size else (0, 0)


#: Seconds to wait for a Dask scheduler given by its address before the run fails with a
#: message saying how to start one (the CLI exits with code 2 well within 30 s).
CONNECT_TIMEOUT_S = 10


def connect(address: str):
    """A ``distributed.Client`` of the scheduler at ``address``; an :class:`InputFileError`
    (both languages, with the fix) when it does not answer within :data:`CONNECT_TIMEOUT_S`."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputFileError(
            f"Cannot reach the Dask scheduler {address} (no answer within "
            f"{CONNECT_TIMEOUT_S} s): {exc}.",
            f"Không kết nối được bộ lập lịch Dask {address} (không trả lời trong "
            f"{CONNECT_TIMEOUT_S} giây): {exc}.",
            fix="Start it with `dask scheduler` (and workers with `dask worker ADDRESS`) and "
                "give its tcp://HOST:8786 address, or run locally with --scheduler processes.",
            fix_vi="Khởi động bằng `dask scheduler` (và các worker bằng `dask worker ĐỊA_CHỈ`) "
                   "rồi nhập địa chỉ tcp://HOST:8786, hoặc chạy trên máy này với "
                   "--scheduler processes.",
        ) from exc


def _shared(value: Any) -> Any:
    """The shared inputs of a round of tasks, as a task's result (see :func:`_execute`)."""
    return value


def _execute(tasks: list, scale: ScaleParams, client, progress: bool, *, func=None,
             name=None, desc: str = "tiles / ô lưới", unit: str = "tile",
             retries: int = 0, shared: Any = None) -> list:
    """Run ``func(task)`` (default :func:`run_tile`) for every task on Dask; outputs in task
    order. ``name(task)`` gives each task's key; ``retries``: times a task whose worker died
    or which raised is run again on a cluster (``Client.submit(retries=)``); ``shared``, when
    given, is the second argument of every call (on a cluster, one task whose result the
    workers fetch once each, and which is computed again if its worker dies)."""
    if not tasks:
        return []
    from tqdm import tqdm

    func = func or run_tile
    name = name or (lambda t: f"tile-{t.tile.name}-{t.fingerprint}")
    # on a terminal only (disable=None): no bar lines in logs and CI
    bar = tqdm(total=len(tasks), desc=desc, unit=unit,
               disable=None if progress else True, file=sys.stderr)
    own = None
    try:
        if client is None and not scale.is_local:
            client = own = connect(scale.scheduler)
        if client is not None:
            from distributed import as_completed

            link = getattr(client, "dashboard_link", None)
            if progress and link:
                print(f"Dask dashboard / bảng theo dõi Dask: {link}", file=sys.stderr)
            # the shared inputs as a task of their own, not scattered data: a worker that
            # dies with the only copy of scattered data loses it for good (the tasks that need
            # it are cancelled), whereas a task's result is computed again
            extra = () if shared is None else (client.submit(_shared, shared, pure=False,
                                                             key=f"shared-{uuid.uuid4().hex}"),)
            futures = [client.submit(func, t, *extra, key=name(t), pure=False,
                                     retries=retries) for t in tasks]
            for _ in as_completed(futures):
                bar.update(1)
            return client.gather(futures)
        import dask
        from dask.callbacks import Callback

        class _Progress(Callback):
            def _posttask(self, key, result, dsk, state, worker_id):
                if isinstance(key, str) and key in names:
                    bar.update(1)

        names = {name(t) for t in tasks}
        extra = () if shared is None else (dask.delayed(shared, name="shared-inputs"),)
        work = [dask.delayed(func, pure=False)(t, *extra, dask_key_name=name(t))
                for t in tasks]
        kwargs: dict[str, Any] = {"scheduler": scale.scheduler}
        if scale.workers and scale.scheduler != "synchronous":
            kwargs["num_workers"] = scale.workers
        with _Progress(), _plain_main(scale.scheduler == "processes"):
            return list(dask.compute(*work, **kwargs))
    finally:
        bar.close()
        if own is not None:
            own.close()


@contextmanager
def _plain_main(active: bool) -> Iterator[None]:
    """Start worker processes with an empty ``__main__``.

    Spawned workers re-run the parent's ``__main__`` file so that functions defined there can be
    unpickled. Inside the web app that file is the Streamlit page script (Streamlit and its
    AppTest put each page in ``sys.modules["__main__"]``), which must not run in a worker. The
    tasks only call importable ``gis`` functions, so the workers need no ``__main__`` at all.
    """
    if not active:
        yield
        return
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _assemble(grid: Grid, tiles: list[Tile], has: dict[str, bool], tiles_dir: Path,
              out_dir: Path, key: tuple[str, str], kind: str, cog: bool = True) -> Path:
    """One GeoTIFF of the whole grid from the tiles' files, written tile by tile; then, with
    ``cog``, copied to a Cloud Optimized GeoTIFF with overviews (:func:`cog_copy`)."""
    dtype, nodata = ("float32", np.nan) if kind == "coverage" else ("int32", -1)
    path = out_dir / coverage_filename(*key, kind=kind)
    h, w = grid.shape
    profile = {"driver": "GTiff", "height": h, "width": w, "count": 1, "dtype": dtype,
               "crs": grid.crs_wkt, "transform": grid.transform, "nodata": nodata,
               **ASSEMBLED_COMPRESSION, "predictor": 3 if kind == "coverage" else 2}
    if h >= BLOCK and w >= BLOCK:
        profile.update(tiled=True, blockxsize=BLOCK, blockysize=BLOCK)
    tmp = path.with_name(f".{path.name}.tmp")
    with rasterio.open(tmp, "w", **profile) as dst:
        for t in tiles:
            win = rasterio.windows.Window(t.col_off, t.row_off, t.width, t.height)
            src_path = tiles_dir / t.name / path.name
            if has.get(t.name) and src_path.is_file():
                with rasterio.open(src_path) as src:
                    arr = src.read(1)
            else:
                arr = np.full((t.height, t.width), nodata, dtype)
            dst.write(arr, 1, window=win)
    if cog:
        tmp_cog = path.with_name(f".{path.name}.cog.tmp")
        try:
            cog_copy(tmp, tmp_cog, zlevel=int(ASSEMBLED_COMPRESSION["zlevel"]))
            os.replace(tmp_cog, path)
        finally:
            tmp.unlink(missing_ok=True)
            tmp_cog.unlink(missing_ok=True)
    else:
        os.replace(tmp, path)
    return path


def _write_vrt(grid: Grid, tiles: list[Tile], has: dict[str, bool], tiles_dir: Path,
               out_dir: Path, key: tuple[str, str], kind: str) -> Path:
    """A GDAL VRT of the whole grid over the tiles' files (paths relative to the VRT)."""
    from xml.sax.saxutils import escape

    dtype, nodata = ("Float32", "nan") if kind == "coverage" else ("Int32", "-1")
    name = coverage_filename(*key, kind=kind)
    path = out_dir / name.replace(".tif", ".vrt")
    t = grid.transform
    parts = [f'<VRTDataset rasterXSize="{grid.shape[1]}" rasterYSize="{grid.shape[0]}">',
             f"  <SRS>{escape(grid.crs_wkt)}</SRS>",
             f"  <GeoTransform>{t.c!r}, {t.a!r}, {t.b!r}, {t.f!r}, {t.d!r}, {t.e!r}"
             "</GeoTransform>",
             f'  <VRTRasterBand dataType="{dtype}" band="1">',
             f"    <NoDataValue>{nodata}</NoDataValue>"]
    for tile in tiles:
        src = tiles_dir / tile.name / name
        if not (has.get(tile.name) and src.is_file()):
            continue
        rel = os.path.relpath(src, out_dir)
        parts += ["    <SimpleSource>",
                  f'      <SourceFilename relativeToVRT="1">{escape(rel)}</SourceFilename>',
                  "      <SourceBand>1</SourceBand>",
                  f'      <SrcRect xOff="0" yOff="0" xSize="{tile.width}" '
                  f'ySize="{tile.height}"/>',
                  f'      <DstRect xOff="{tile.col_off}" yOff="{tile.row_off}" '
                  f'xSize="{tile.width}" ySize="{tile.height}"/>',
                  "    </SimpleSource>"]
    parts += ["  </VRTRasterBand>", "</VRTDataset>"]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def run_tiled(
    transmitters: pd.DataFrame,
    villages,
    grid: Grid,
    out_dir: str | Path,
    *,
    radio: RadioParams | None = None,
    rule: HamletRule | None = None,
    population: str | Path | None = None,
    landcover: str | Path | None = None,
    scale: ScaleParams | None = None,
    calibration: CalibrationParams | None = None,
    client=None,
    only: Iterable[str] | None = None,
    progress: bool = False,
) -> TiledResult:
    """Coverage and per-hamlet statistics of ``grid``, tile by tile on Dask.

    Parameters
    ----------
    transmitters
        The run's transmitters (:func:`gis.radio.sectors.expand_sectors`), in the grid's CRS.
    villages
        Hamlets (GeoDataFrame in the grid's CRS).
    grid
        The analysis grid (:func:`gis.scale.tiles.plan_grid`).
    out_dir
        Output folder: assembled ``coverage_<op>_<tech>.tif`` / ``server_...`` and the
        per-tile files under ``tiles/``. Must be writable by every worker.
    radio, rule
        Radio parameters and the hamlet rule.
    population, landcover
        Optional raster paths (people per cell; ESA WorldCover classes).
    scale
        Tile size, scheduler, workers, resumption (:class:`ScaleParams`).
    calibration
        The calibration on measurements (``RunParams.calibration``), subtracted in each tile
        as in a run in one piece (:func:`gis.radio.calibration.apply_calibration`).
    client
        A ``dask.distributed.Client``: the tiles run on its cluster (overrides
        ``scale.scheduler``).
    only
        Run only these tiles (names like ``r000_c001``) and return without reducing or
        assembling (a partial run, e.g. to test resumption).
    progress
        Show a progress bar per tile on stderr (and the dashboard link of a cluster).

    Returns
    -------
    TiledResult
    """
    t0 = time.perf_counter()
    radio = radio or RadioParams()
    rule = rule or HamletRule()
    scale = scale or ScaleParams()
    out = Path(out_dir)
    tiles_dir = out / "tiles"
    tiles_dir.mkdir(parents=True, exist_ok=True)
    tx = check_transmitters(transmitters)
    keys = sorted({(str(o), str(t).upper()) for o, t in zip(tx["operator"], tx["tech"],
                                                             strict=True)})
    radius = transmitter_radius_m(tx, radio)
    halo_m = float(radius.max(initial=0.0))
    tile_cells = tile_cells_for(scale.tile_km, grid.resolution_m)
    tiles = make_tiles(grid, tile_cells, halo_m)
    centres = hamlet_centres(villages)
    geoms = np.asarray(villages.geometry.values, dtype=object)
    is_poly = shapely.get_type_id(geoms) >= 3 if len(geoms) else np.zeros(0, bool)
    lattice = pop_lattice(population, grid) if population is not None else None
    pad = grid.resolution_m + (abs(lattice.transform.a) if lattice is not None else 0.0)
    tile_tx = _tile_transmitters(tiles, grid, tx, radius)
    tile_h = _tile_hamlets(tiles, grid, villages, centres, pad)
    if lattice is not None:
        own_r, own_c = lattice.owner_ranges(grid, tile_cells)
    calibration = calibration or CalibrationParams()
    fp = _fingerprint(grid, tile_cells, tx, villages, radio, rule, calibration,
                      [grid.dem_path, None if population is None else str(population),
                       None if landcover is None else str(landcover)])
    wanted = None if only is None else set(only)
    outputs: dict[str, TileOutput] = {}
    tasks: list[TileTask] = []
    for t, txi, hi in zip(tiles, tile_tx, tile_h, strict=True):
        if wanted is not None and t.name not in wanted:
            continue
        if len(txi) == 0 and len(hi) == 0:
            continue  # nothing reaches it and nothing to count: stays nodata
        folder = tiles_dir / t.name
        if scale.resume:
            done = _load_done(folder, fp)
            if done is not None:
                outputs[t.name] = done
                continue
        tasks.append(TileTask(
            tile=t, grid=grid, tx=tx.iloc[txi].reset_index(drop=True), tx_index=txi,
            keys=keys, radio=radio, rule=rule,
            hamlets=HamletSet(hi, geoms[hi], centres[hi]),
            landcover_path=None if landcover is None else str(landcover), pop=lattice,
            pop_rows=_owned_range(own_r, t.row) if lattice is not None else (0, 0),
            pop_cols=_owned_range(own_c, t.col) if lattice is not None else (0, 0),
            out_dir=str(folder), fingerprint=fp, calibration=calibration))
    for o in _execute(tasks, scale, client, progress, retries=scale.retries):
        outputs[o.name] = o
    result = TiledResult(grid=grid, tiles=tiles, keys=keys, transmitters=tx)
    ordered = [outputs[t.name] for t in tiles if t.name in outputs]
    result.computed = [o.name for o in ordered if not o.resumed]
    result.resumed = [o.name for o in ordered if o.resumed]
    result.tile_seconds = {o.name: o.seconds for o in ordered if not o.resumed}
    result.warnings = merge_warnings(o.warnings for o in ordered)
    for name in COUNTS:
        result.counts[name] = {}
        for o in ordered:
            add_counts(result.counts[name], o.counts.get(name, {}))
    if wanted is not None:
        result.seconds = time.perf_counter() - t0
        return result
    ids = villages["village_id"].to_numpy() if "village_id" in villages else np.arange(
        len(villages))
    reducer = HamletReducer(len(villages), keys, is_poly, ids)
    for o in ordered:
        reducer.add(o.partials)
    result.hamlet_coverage = reducer.table(radio, rule)
    has = {o.name: o.has_rasters for o in ordered}
    vrt = scale.use_vrt(grid.shape[0] * grid.shape[1])
    write = _write_vrt if vrt else functools.partial(_assemble, cog=scale.cog)
    # one raster per thread: GDAL compresses and writes without the GIL
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(key, kind) for key in keys for kind in ("coverage", "server")]
    n_threads = 1 if vrt or scale.scheduler == "synchronous" else (
        scale.workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        paths = list(pool.map(lambda job: write(grid, tiles, has, tiles_dir, out, *job), jobs))
    for (key, kind), path in zip(jobs, paths, strict=True):
        (result.rasters if kind == "coverage" else result.servers)[key] = path
    if not scale.keep_tiles and not vrt:
        import shutil

        shutil.rmtree(tiles_dir, ignore_errors=True)
    result.seconds = time.perf_counter() - t0
    return result
