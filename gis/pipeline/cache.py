"""Runs cached on the content of their inputs, each stage on the inputs it declares it reads.

The app must never recompute when only a map option changes, and should recompute only what a
change affects. Here:

* :class:`InputDigest` hashes each input separately: every vector layer (attributes and
  geometry), every raster file's bytes, and every section of the run parameters.
* :func:`run_cached` looks a whole run up by the digest of everything; on a miss it runs the
  pipeline with every stage memoised on what it reads: the layers, rasters and parameter
  sections its :class:`~gis.pipeline.context.Stage` declares, and those of the stages it runs after
  (:func:`stage_inputs`). Changing the FTTH drop length re-runs the fiber stages and the
  indicators but reuses the coverage rasters. The declarations are enforced while a stage runs,
  so a key cannot miss an input.
* A stage's effect on the :class:`~gis.pipeline.context.RunContext` is captured as a
  :class:`StageDelta` (columns added to ``hamlets``, tables, rasters, state fields, warnings,
  defaults) and replayed on a hit.

Stores are plain mutable mappings (a session's dict) or a :class:`DiskStore` (pickles under a
folder, for runs on the bundled sample area so that a cold start of the app is fast).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis.config import to_dict
from gis.params import RunParams
from gis.pipeline.context import RunContext, RunState, Stage
from gis.pipeline.stages import STAGES, run, upstream

__all__ = [
    "DiskStore",
    "InputDigest",
    "MemoryFirst",
    "StageDelta",
    "default_cache_dir",
    "digest_project",
    "file_digest",
    "layer_digest",
    "run_cached",
    "stage_inputs",
]

def stage_inputs(stage: Stage, stages: Iterable[Stage]
                 ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(layers, rasters, parameter sections) the results of ``stage`` depend on: what it
    declares it reads and what the stages it runs after read, transitively."""
    stages = list(stages)
    by_name = {s.name: s for s in stages}
    chain = [stage] + [by_name[n] for n in upstream(stage, stages) if n in by_name]
    layers = sorted({x for s in chain for x in s.reads_layers})
    rasters = sorted({x for s in chain for x in s.rasters})
    sections = sorted({x for s in chain for x in s.sections})
    return tuple(layers), tuple(rasters), tuple(sections)


#: Bumped when the cached objects' layout changes, so that old pickles are not reused.
CACHE_VERSION = "2"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the analysis code (every module of :mod:`gis` but the app, the maps and the
    CLI), so that results cached by another version of the code are never reused."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("app/", "maps/", "cli/")):
            continue
        h.update(rel.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\x00")
    return h.hexdigest()


def layer_digest(gdf: gpd.GeoDataFrame) -> str:
    """A content hash of a layer: its columns, attribute values, geometry (WKB) and CRS; of a
    table without geometry (:data:`gis.project.TABLE_KINDS`), its columns and values."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        attrs = pd.DataFrame(gdf)
        values = pd.util.hash_pandas_object(attrs.astype(str), index=True).to_numpy().tobytes()
        return _sha(",".join(map(str, attrs.columns)), values, "table")
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name, errors="ignore"))
    values = pd.util.hash_pandas_object(attrs.astype(str), index=True).to_numpy().tobytes() \
        if len(attrs.columns) else b""
    wkb = shapely.to_wkb(gdf.geometry.to_numpy(), hex=False, include_srid=False)
    geom = hashlib.sha256(b"".join(w if w is not None else b"-" for w in wkb)).digest()
    crs = gdf.crs.to_wkt() if gdf.crs is not None else ""
    return _sha(",".join(map(str, attrs.columns)), values, geom, crs)


@lru_cache(maxsize=64)
def _file_digest_cached(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (memoised on its path, size and modification time)."""
    st = os.stat(path)
    return _file_digest_cached(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class InputDigest:
    """Content hashes of a run's inputs, one per layer, raster and parameter section."""

    layers: dict[str, str]
    rasters: dict[str, str]
    params: dict[str, str]

    def key(self, layers: Iterable[str] | None = None, rasters: Iterable[str] | None = None,
            sections: Iterable[str] | None = None, *, tag: str = "") -> str:
        """The hash of the named inputs (all of a kind when ``None``)."""
        def pick(d: dict[str, str], names: Iterable[str] | None) -> list[str]:
            names = sorted(d) if names is None else sorted(names)
            return [f"{n}={d.get(n, '-')}" for n in names]

        return _sha(CACHE_VERSION, code_digest(), tag, *pick(self.layers, layers), "|",
                    *pick(self.rasters, rasters), "|", *pick(self.params, sections))

    def with_params(self, params: RunParams) -> InputDigest:
        """The same layers and rasters with other parameters."""
        return InputDigest(self.layers, self.rasters, params_digest(params))


def params_digest(params: RunParams) -> dict[str, str]:
    """One hash per parameter section (``radio``, ``fiber``, ...) and per field of a section
    (``mobile.signal_techs``), for stages that declare a single field."""
    out = {}
    for name, value in to_dict(params).items():
        out[name] = _sha(json.dumps(value, sort_keys=True, default=str))
        if isinstance(value, dict):
            for key, sub in value.items():
                out[f"{name}.{key}"] = _sha(json.dumps(sub, sort_keys=True, default=str))
    return out


def digest_project(project: Any, params: RunParams | None = None) -> InputDigest:
    """The :class:`InputDigest` of a :class:`~gis.project.Project` with ``params``."""
    return InputDigest(
        layers={k: layer_digest(v) for k, v in project.layers.items()},
        rasters={k: file_digest(p) for k, p in project.rasters.items()},
        params=params_digest(params if params is not None else project.params),
    )


@dataclass
class StageDelta:
    """What one stage added to a run context (replayable onto another context): hamlet columns
    added or changed, tables, rasters, :class:`~gis.pipeline.context.RunState` fields, warnings,
    defaults."""

    columns: pd.DataFrame | None = None
    tables: dict[str, Any] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    seconds: float | None = None

    @classmethod
    def capture(cls, ctx: RunContext, func: Callable[[RunContext], None]) -> StageDelta:
        """Run ``func(ctx)`` and return what it changed."""
        before = ctx.hamlets.copy()
        ids = {name: {k: id(v) for k, v in getattr(ctx, name).items()}
               for name in ("tables", "rasters")}
        state_ids = {k: id(v) for k, v in _state_items(ctx)}
        n_warn, n_def = len(ctx.warnings), len(ctx.defaults)
        func(ctx)

        def changed(name: str) -> dict[str, Any]:
            before = ids[name]
            return {k: v for k, v in getattr(ctx, name).items() if before.get(k) != id(v)}

        new_cols = [c for c in ctx.hamlets.columns
                    if c not in before.columns or not ctx.hamlets[c].equals(before[c])]
        return cls(
            columns=ctx.hamlets[new_cols].copy() if new_cols else None,
            tables=changed("tables"), rasters=changed("rasters"),
            state={k: v for k, v in _state_items(ctx) if state_ids.get(k) != id(v)},
            warnings=ctx.warnings[n_warn:], defaults=ctx.defaults[n_def:],
        )

    def apply(self, ctx: RunContext) -> None:
        """Add this stage's results to ``ctx`` as if the stage had run."""
        if self.columns is not None:
            if len(ctx.hamlets.columns) == 0:  # the stage that makes the hamlet table
                ctx.hamlets = self.columns.copy()
            else:
                for col in self.columns.columns:
                    ctx.hamlets[col] = self.columns[col].reindex(ctx.hamlets.index)
        ctx.tables.update(self.tables)
        ctx.rasters.update(self.rasters)
        for k, v in self.state.items():
            setattr(ctx.state, k, v)
        for w in self.warnings:
            ctx.warn(w)
        for d in self.defaults:
            ctx.default(d)


def _state_items(ctx: RunContext) -> list[tuple[str, Any]]:
    """The fields of a context's state (through a stage's view too)."""
    state = ctx.state
    state = object.__getattribute__(state, "_state") if not isinstance(state, RunState) else state
    return [(f.name, getattr(state, f.name)) for f in dataclasses.fields(RunState)]


class DiskStore(MutableMapping[str, Any]):
    """A mapping whose values are pickles under ``folder`` (``<key>.pkl``).

    Values that cannot be pickled are simply not stored (the run is recomputed next time).
    When the pickles pass ``max_bytes`` (default 2 GB: a dozen runs of the sample area with
    their coverage), the least recently used ones are removed.
    """

    def __init__(self, folder: str | Path, *, max_bytes: int = 2_000_000_000) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def __getitem__(self, key: str) -> Any:
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
            os.utime(path)              # most recently used
            return value
        except FileNotFoundError:
            raise KeyError(key) from None
        except Exception:  # a stale or truncated pickle is a cache miss
            path.unlink(missing_ok=True)
            raise KeyError(key) from None

    def __setitem__(self, key: str, value: Any) -> None:
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self._path(key))
        except Exception:  # an unpicklable result is simply not cached
            tmp.unlink(missing_ok=True)
            return
        self._prune()

    def _prune(self) -> None:
        """Remove the least recently used pickles while they take more than ``max_bytes``."""
        files = sorted(self.folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime_ns)
        total = sum(p.stat().st_size for p in files)
        while files and total > self.max_bytes:
            oldest = files.pop(0)
            total -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)

    def __delitem__(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (p.stem for p in self.folder.glob("*.pkl"))

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*.pkl"))

    def run_dir(self, key: str) -> Path:
        """A folder for the files (rasters) of the run ``key``, kept next to its pickle."""
        path = self.folder / "runs" / key[:24]
        path.mkdir(parents=True, exist_ok=True)
        return path


class MemoryFirst(MutableMapping[str, Any]):
    """A small in-memory layer over another store (e.g. a :class:`DiskStore`): a value read or
    written is kept in ``memory`` (a dict the caller owns; at most ``max_items`` entries,
    oldest dropped first), so that a rerun of the app does not unpickle the run again."""

    def __init__(self, backend: MutableMapping[str, Any], memory: dict[str, Any], *,
                 max_items: int = 6) -> None:
        self.backend, self.memory, self.max_items = backend, memory, max_items

    def _remember(self, key: str, value: Any) -> None:
        self.memory.pop(key, None)
        self.memory[key] = value
        while len(self.memory) > self.max_items:
            self.memory.pop(next(iter(self.memory)))

    def __getitem__(self, key: str) -> Any:
        if key in self.memory:
            return self.memory[key]
        value = self.backend[key]
        self._remember(key, value)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.backend[key] = value
        self._remember(key, value)

    def __delitem__(self, key: str) -> None:
        self.memory.pop(key, None)
        del self.backend[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.backend)

    def __len__(self) -> int:
        return len(self.backend)

    def run_dir(self, key: str) -> Path:
        """The backend's folder for the run ``key`` (a temporary folder when it has none)."""
        if isinstance(self.backend, DiskStore):
            return self.backend.run_dir(key)
        return Path(tempfile.mkdtemp(prefix="gis-app-run-"))


def default_cache_dir() -> Path:
    """Where runs on project folders are cached: ``$GIS_APP_CACHE`` or the user's cache dir."""
    env = os.environ.get("GIS_APP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gis-telecom" / "app"


def _memo(digest: InputDigest, stages: list[Stage], store: MutableMapping[str, Any]
          ) -> Callable[[Stage, RunContext], None]:
    """The pipeline's ``memo`` hook: each stage replayed from ``store`` when the inputs it
    depends on (:func:`stage_inputs`) were seen before, run and stored otherwise."""

    def memo(stage: Stage, view: RunContext) -> None:
        layers, rasters, sections = stage_inputs(stage, stages)
        key = f"stage-{stage.name}-" + digest.key(layers, rasters, sections, tag=stage.name)
        cached = store.get(key)
        if isinstance(cached, StageDelta):
            cached.apply(view)
            view.cache_hits.append(stage.name)
            return
        store[key] = StageDelta.capture(view, stage.func)

    return memo


def run_cached(
    project: Any,
    params: RunParams,
    *,
    store: MutableMapping[str, Any],
    digest: InputDigest | None = None,
    workdir: str | Path | None = None,
    progress: Callable[[str, float], None] | None = None,
    stages: list[Stage] | None = None,
) -> tuple[RunContext, bool]:
    """The run of ``project`` with ``params``, from ``store`` when its inputs were seen before.

    Parameters
    ----------
    project
        The (session's) project.
    params
        The run parameters.
    store
        Where runs and stage results are kept (a dict, or a :class:`DiskStore`).
    digest
        The inputs' digest when already known (its ``params`` part is recomputed from
        ``params``).
    workdir
        The folder for the run's rasters; ``store.run_dir(key)`` for a :class:`DiskStore`, a
        temporary folder otherwise.
    progress
        ``progress(stage_name, fraction)``, as :func:`gis.pipeline.stages.run` calls it.

    Returns
    -------
    (ctx, hit)
        The run context, and whether it came from the store without running anything.
    """
    digest = (digest or digest_project(project, params)).with_params(params)
    stages = list(STAGES if stages is None else stages)
    run_key = "run-" + digest.key(tag=",".join(s.name for s in stages))
    cached = store.get(run_key)
    if isinstance(cached, RunContext):
        if progress:
            progress("done", 1.0)
        return cached, True
    if workdir is None:
        workdir = (store.run_dir(run_key) if isinstance(store, DiskStore | MemoryFirst)
                   else Path(tempfile.mkdtemp(prefix="gis-app-run-")))
    ctx = run(project, params, out_dir=workdir, stages=stages, progress=progress,
              memo=_memo(digest, stages, store))
    store[run_key] = ctx
    return ctx, False
