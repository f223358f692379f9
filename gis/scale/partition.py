"""Partitions of the area by province for the stages after the coverage, run on Dask.

A province or the country runs its coverage tile by tile (:mod:`gis.scale.runner`). The stages
after it whose work grows with the hamlets and can be split without changing a result run
**partition by partition**: one partition per province, from the hamlets' 2025
``province_code`` (the ``hamlets`` stage gives every hamlet its 2025 units), else from the admin
layer's ``province`` column (the polygon containing the hamlet's centre), else one partition for
the whole area. A hamlet belongs to exactly one partition, its own province's.

Each partition is one task (:func:`run_partitions`): it receives its hamlets and a **halo** of
the other layers, computes, and writes its result and, last, a ``done.json`` marker under
``<out>/partitions/<stage>/<key>/`` (atomically, :mod:`gis.atomic`), so that a rerun after an
interruption does not compute it again. The driver only concatenates the partitions' rows and
puts them back in the hamlets' (or facilities') order, so the tables are the one-piece run's.

The halo of each partitioned stage, i.e. what a partition sees of the layers beyond its
province (constants below):

* ``ftth`` (:data:`FTTH_HALO`): the whole road network and every FTTH access point. The rule
  only needs the roads within the 150 m drop of the hamlet's households, but the run also
  reports ``ftth_distance_m``, the distance along the roads to the nearest access point
  however far it is, and a path may leave the province and come back: no finite road halo
  gives the one-piece distance. The road graph is built once by the driver and fetched once
  by each worker (one task whose result every partition task reads); what grows with the hamlets and is split
  is their household points, the raster cells they come from, the attachment of those points
  to the roads and the search.
* ``facilities`` (:data:`FACILITIES_HALO`): the same road network and access points, and the
  coverage rasters (read only in the window under the partition's facilities). A facility
  belongs to the partition of its nearest hamlet centre.

* ``sharing`` (:mod:`gis.pipeline.sharing_reach`): the covering pairs "antenna T reaches
  hamlet H" of the partition's hamlets, with every host or candidate within the antenna's
  reach (``max_radius_m``) of their bounding box: a tower serves hamlets across a border. The
  set cover of new towers, the ranking of co-location opportunities and the consolidation
  checks then run once in the driver on all the pairs, so a tower near a border is proposed
  once, as in one piece (a greedy cover per province could choose two where the one-piece
  cover chooses one).

The stages that stay in one piece, and why: ``fiber_plan`` (one Steiner tree over the whole
network: routes are shared across borders), ``ducts`` (per road, a few seconds), ``speed``
(per-hamlet arithmetic on columns) and ``indicators`` (sums of numerators and denominators over
the concatenated hamlet table, which is what the reduction of per-partition sums would give).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gis.atomic import write_atomic
from gis.errors import InputFileError

__all__ = [
    "FACILITIES_HALO",
    "FTTH_HALO",
    "KILL_ONCE_ENV",
    "MARKER",
    "ONE_PARTITION",
    "Partition",
    "PartitionJob",
    "PartitionRun",
    "assign_points",
    "digest",
    "make_partitions",
    "run_partitions",
]

#: What an ``ftth`` partition sees beyond its province: the whole road network (see the module).
FTTH_HALO = "network"
#: What a ``facilities`` partition sees beyond its own facilities: the road network, access
#: points and coverage rasters (see the module).
FACILITIES_HALO = "network"
#: The key of the single partition of an area without provinces.
ONE_PARTITION = "all"
#: The marker a finished partition writes last.
MARKER = "done.json"
RESULT = "result.pkl"
#: Fault injection for the tests: when this environment variable names a file that does not
#: exist, the first partition task to start creates it and kills its own worker process
#: (``os._exit``), as a machine failure would; the retry then finds the file and runs.
KILL_ONCE_ENV = "GIS_KILL_PARTITION_ONCE"


@dataclass(frozen=True)
class Partition:
    """One province of the area and its hamlets.

    Attributes
    ----------
    key
        The 2025 province code (or the province's name when it has no code), or
        :data:`ONE_PARTITION`; also the folder name of its marker.
    label
        The province's name, for progress and messages.
    hamlets
        Positions (0-based rows of the hamlet table), sorted.
    """

    key: str
    label: str
    hamlets: np.ndarray


def _safe(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(key)) or "_"


def _admin_provinces(admin, centres_xy: np.ndarray) -> np.ndarray | None:
    """The ``province`` of the admin polygon containing each centre (the nearest polygon for a
    centre in none); ``None`` without an admin layer that has the column."""
    if admin is None or not len(admin) or "province" not in admin:
        return None
    names = admin["province"].astype(object).to_numpy()
    geoms = np.asarray(admin.geometry.values, dtype=object)
    pts = shapely.points(centres_xy)
    tree = shapely.STRtree(geoms)
    out = np.full(len(pts), None, dtype=object)
    pi, gi = tree.query(pts, predicate="within")
    pi, first = np.unique(pi, return_index=True)   # a centre on a shared edge: the first
    out[pi] = names[gi[first]]
    rest = np.flatnonzero(pd.isna(out))
    if rest.size:
        ri, gi = tree.query_nearest(pts[rest], all_matches=False)
        out[rest[ri]] = names[gi]
    return out


def make_partitions(hamlets: pd.DataFrame, *, admin=None,
                    centres_xy: np.ndarray | None = None) -> list[Partition]:
    """The partitions of the area: one per province, sorted by key.

    Parameters
    ----------
    hamlets
        The hamlet table of the ``hamlets`` stage (``province_code``, ``province`` of 2025).
    admin
        The admin layer, used when the hamlets have no province: the ``province`` of the
        polygon that contains each hamlet centre.
    centres_xy
        (n, 2) hamlet centres in the admin layer's CRS (metres), for that fallback.

    Returns
    -------
    list of Partition
        Every hamlet in exactly one; a single :data:`ONE_PARTITION` when neither source names
        a province (or there are no hamlets).
    """
    n = len(hamlets)
    key = label = None
    if "province_code" in hamlets and hamlets["province_code"].notna().any():
        code = hamlets["province_code"].astype(object)
        name = hamlets["province"].astype(object) if "province" in hamlets else code
        key = code.where(code.notna(), name).where(lambda s: s.notna(), "?").astype(str)
        label = name.where(name.notna(), key).astype(str)
    elif "province" in hamlets and hamlets["province"].notna().any():
        key = hamlets["province"].astype(object).where(hamlets["province"].notna(), "?")
        key = label = key.astype(str)
    elif centres_xy is not None and n:
        prov = _admin_provinces(admin, np.asarray(centres_xy, float).reshape(-1, 2))
        if prov is not None and pd.notna(prov).any():
            key = label = pd.Series(prov, index=hamlets.index).where(pd.notna(prov), "?"
                                                                       ).astype(str)
    if key is None or n == 0:
        return [Partition(ONE_PARTITION, ONE_PARTITION, np.arange(n, dtype=np.int64))]
    keys = key.to_numpy(dtype=object)
    labels = label.to_numpy(dtype=object)
    out = []
    for k in sorted(set(keys)):
        pos = np.flatnonzero(keys == k).astype(np.int64)
        out.append(Partition(str(k), str(labels[pos[0]]), pos))
    return out


def assign_points(xy: np.ndarray, centres_xy: np.ndarray, partitions: Sequence[Partition]
                  ) -> np.ndarray:
    """The partition (index into ``partitions``) of each point: that of its nearest hamlet
    centre (metres; a point without coordinates goes to the first partition)."""
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, float).reshape(-1, 2)
    of_hamlet = np.zeros(len(centres_xy), np.int64)
    for i, p in enumerate(partitions):
        of_hamlet[p.hamlets] = i
    out = np.zeros(len(xy), np.int64)
    ok = np.isfinite(xy).all(axis=1)
    if ok.any() and len(centres_xy):
        _, near = cKDTree(np.asarray(centres_xy, float)).query(xy[ok])
        out[ok] = of_hamlet[near]
    return out


def digest(*parts: Any) -> str:
    """A stable hash of the parts of a partition's inputs (arrays, frames, dataclasses,
    paths with their size and modification time, plain values), for its marker."""
    h = hashlib.sha256()

    def add(obj: Any) -> None:
        if obj is None or isinstance(obj, str | int | float | bool):
            h.update(repr(obj).encode())
        elif isinstance(obj, Path):
            try:
                st = obj.stat()
                h.update(f"{obj}|{st.st_size}|{st.st_mtime_ns}".encode())
            except OSError:
                h.update(str(obj).encode())
        elif isinstance(obj, np.ndarray):
            if obj.dtype == object:
                h.update(pickle.dumps(obj.tolist(), protocol=5))
            else:
                h.update(np.ascontiguousarray(obj).tobytes())
                h.update(str((obj.dtype, obj.shape)).encode())
        elif isinstance(obj, pd.DataFrame):
            geom = obj.geometry.name if hasattr(obj, "geometry") and \
                getattr(obj, "_geometry_column_name", None) in obj else None
            plain = obj.drop(columns=[geom]) if geom else obj
            h.update(pickle.dumps((list(plain.columns), plain.to_numpy(dtype=object).tolist(),
                                   list(obj.index)), protocol=5))
            if geom:
                h.update(b"".join(shapely.to_wkb(np.asarray(obj.geometry.values,
                                                            dtype=object))))
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            h.update(type(obj).__qualname__.encode())
            for f in dataclasses.fields(obj):
                add(getattr(obj, f.name))
        elif isinstance(obj, dict):
            for k in sorted(obj, key=str):
                add(str(k))
                add(obj[k])
        elif isinstance(obj, list | tuple):
            h.update(f"[{len(obj)}".encode())
            for v in obj:
                add(v)
        else:
            h.update(pickle.dumps(obj, protocol=5))

    for p in parts:
        add(p)
    return h.hexdigest()[:32]


@dataclass
class PartitionJob:
    """One partition's task: small and picklable (the shared inputs travel separately).

    Attributes
    ----------
    stage, key, label
        The stage and the partition (:class:`Partition`).
    func
        ``func(payload, shared) -> result``, an importable function (it runs in a worker).
    payload
        The partition's own inputs (its hamlets or facilities and what they need).
    inputs
        Files the partition reads (rasters): checked first, so that a worker that cannot see
        one says which.
    folder
        ``<out>/partitions/<stage>/<key>``: where its result and marker go.
    fingerprint
        The hash of its inputs and parameters; the marker of another run is not reused.
    """

    stage: str
    key: str
    label: str
    func: Callable[[Any, Any], Any]
    payload: Any
    inputs: tuple[str, ...]
    folder: str
    fingerprint: str


def _kill_once() -> None:
    flag = os.environ.get(KILL_ONCE_ENV)
    if not flag:
        return
    try:
        fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(fd)
    os._exit(1)


def run_partition(job: PartitionJob, shared: Any = None) -> Any:
    """Compute one partition and write its result, then its marker (both atomically).

    The marker records the partition's wall and CPU seconds (of its thread), its worker's
    process id and the fingerprint.
    """
    from gis.scale.runner import tune_allocator

    tune_allocator()
    missing = [p for p in job.inputs if p and "://" not in p
               and not p.startswith("/vsi") and not Path(p).exists()]
    if missing:
        import socket

        files = ", ".join(missing)
        raise InputFileError(
            f"Partition {job.key} ({job.label}) of stage '{job.stage}': input file(s) "
            f"{files} not found on the worker {socket.gethostname()}.",
            f"Phân vùng {job.key} ({job.label}) của bước '{job.stage}': không tìm thấy tệp "
            f"đầu vào {files} trên worker {socket.gethostname()}.",
            fix="Put the project's rasters and the output folder on a file system every "
                "worker sees at the same path (docs/scale.md).",
            fix_vi="Đặt raster của dự án và thư mục kết quả trên hệ thống tệp mà mọi worker "
                   "đều thấy ở cùng đường dẫn (docs/scale.md).",
        )
    _kill_once()
    t0, c0 = time.perf_counter(), time.thread_time()
    result = job.func(job.payload, shared)
    seconds, cpu = time.perf_counter() - t0, time.thread_time() - c0
    folder = Path(job.folder)
    folder.mkdir(parents=True, exist_ok=True)

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=5)

    write_atomic(folder / RESULT, save)
    marker = {"stage": job.stage, "partition": job.key, "label": job.label,
              "fingerprint": job.fingerprint, "seconds": round(seconds, 3),
              "cpu_s": round(cpu, 3), "pid": os.getpid()}
    write_atomic(folder / MARKER, lambda p: p.write_text(json.dumps(marker, ensure_ascii=False),
                                                          encoding="utf-8"))
    return result


def _load_done(folder: Path, fingerprint: str) -> tuple[Any, dict] | None:
    try:
        meta = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint:
            return None
        with open(folder / RESULT, "rb") as fh:
            return pickle.load(fh), meta
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError):
        return None


@dataclass
class PartitionRun:
    """The outcome of :func:`run_partitions`.

    Attributes
    ----------
    results
        Per partition, in the order given.
    computed, resumed
        Keys of the partitions computed now and of those taken from an earlier run.
    seconds, cpu_s
        Wall and CPU seconds per partition (from the markers, also for resumed ones).
    """

    results: list[Any]
    computed: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)


def run_partitions(stage: str, partitions: Sequence[Partition], payloads: Sequence[Any],
                   func: Callable[[Any, Any], Any], *, out_dir: str | Path, scale,
                   client=None, shared: Any = None, shared_digest: str = "",
                   inputs: Iterable[str | Path | None] = (), progress: bool = False
                   ) -> PartitionRun:
    """Run ``func(payload, shared)`` for every partition on Dask, with resumption.

    Parameters
    ----------
    stage
        The stage's name (folder ``<out_dir>/partitions/<stage>/``).
    partitions, payloads
        The partitions and each one's inputs (same order).
    func
        An importable function (it runs in the workers).
    out_dir
        The run's output folder, reachable from every worker.
    scale
        :class:`~gis.scale.params.ScaleParams`: scheduler, workers, ``resume``, ``retries``.
    client
        A ``dask.distributed.Client`` (overrides ``scale.scheduler``).
    shared
        Inputs every partition reads (the road graph): sent once per worker on a cluster.
    shared_digest
        Their hash, part of every partition's fingerprint.
    inputs
        Files every partition reads, checked on the worker first.
    progress
        A progress bar per partition on stderr (on a terminal).
    """
    from gis.scale.runner import _execute

    base = Path(out_dir) / "partitions" / _safe(stage)
    files = tuple(str(p) for p in inputs if p is not None)
    run = PartitionRun(results=[None] * len(partitions))
    todo: list[tuple[int, PartitionJob]] = []
    for i, (part, payload) in enumerate(zip(partitions, payloads, strict=True)):
        folder = base / _safe(part.key)
        fp = digest(stage, part.key, payload, shared_digest, [Path(f) for f in files])
        if scale.resume:
            done = _load_done(folder, fp)
            if done is not None:
                run.results[i], meta = done
                run.resumed.append(part.key)
                run.seconds[part.key] = float(meta.get("seconds", 0.0))
                run.cpu_s[part.key] = float(meta.get("cpu_s", 0.0))
                continue
        todo.append((i, PartitionJob(stage, part.key, part.label, func, payload, files,
                                     str(folder), fp)))
    jobs = [j for _, j in todo]
    if client is None and len(jobs) == 1 and scale.is_local:
        # one task: nothing to run in parallel, and a pool of worker processes would cost
        # its start and the shared inputs' pickling (about 5 s for the province preset's FTTH)
        scale = dataclasses.replace(scale, scheduler="synchronous")
    outs = _execute(jobs, scale, client, progress, func=run_partition,
                    name=lambda j: f"partition-{j.stage}-{j.key}-{j.fingerprint}",
                    desc=f"{stage}: provinces / tỉnh", unit="partition",
                    retries=int(getattr(scale, "retries", 0)), shared=shared)
    for (i, job), out in zip(todo, outs, strict=True):
        run.results[i] = out
        run.computed.append(job.key)
        try:
            meta = json.loads((Path(job.folder) / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        run.seconds[job.key] = float(meta.get("seconds", 0.0))
        run.cpu_s[job.key] = float(meta.get("cpu_s", 0.0))
    if progress and jobs:
        done = ", ".join(f"{k} {run.seconds.get(k, 0):.1f} s" for k in run.computed)
        print(f"{stage}: {len(run.computed)} partition(s) computed ({done}), "
              f"{len(run.resumed)} reused / {len(run.computed)} phân vùng đã tính, "
              f"{len(run.resumed)} dùng lại", file=sys.stderr)
    return run
