"""Session state and cached loaders of the web app.

Everything one user changes (language, uploaded layers, parameters, runs on uploaded data, the
temporary folder) lives in ``st.session_state`` under the keys below, so nothing of one session is
visible to another. The only shared objects are read-only and keyed on content: the project folder
as loaded from disk (:func:`base_project`) and runs on it (a :class:`~gis.pipeline.cache.DiskStore`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from gis.app.i18n import DEFAULT_LANG, t
from gis.errors import GisError
from gis.params import RunParams
from gis.pipeline.cache import (
    DiskStore,
    InputDigest,
    MemoryFirst,
    default_cache_dir,
    digest_project,
    run_cached,
)
from gis.pipeline.context import RunContext
from gis.pipeline.stages import STAGES
from gis.project import Project

__all__ = [
    "KEY_HISTORY",
    "KEY_LANG",
    "KEY_OVERRIDES",
    "KEY_PARAMS",
    "BoundedStore",
    "SessionDir",
    "base_project",
    "current_params",
    "get_run",
    "history",
    "lang",
    "project_dir",
    "session_dir",
    "session_project",
    "set_override",
    "undo",
]

KEY_LANG = "lang"                 # "vi" | "en"
KEY_PARAMS = "params"             # RunParams applied to this session's runs
KEY_OVERRIDES = "layer_overrides"  # kind -> (GeoDataFrame, LoadReport) uploaded in this session
KEY_RASTER_OVERRIDES = "raster_overrides"  # kind -> (Path in the session folder, LoadReport)
KEY_TMP = "_session_dir"          # SessionDir
KEY_RUNS = "_runs"                # this session's store for runs on uploaded data
KEY_LAST_RUN = "last_run_key"     # the digest key of the run the pages show
KEY_UPLOAD_VERSION = "upload_version"  # bumped when the session's layers change
KEY_PROJECT_ERROR = "_project_error"  # why the project folder could not be opened
KEY_HISTORY = "_layer_history"    # [(layer overrides, raster overrides, note)]: the undo stack

#: Changes of the session's layers that can be undone (each keeps references, not copies).
MAX_HISTORY = 10
#: Stage results and runs on uploaded data a session keeps in memory (least recently used
#: dropped first): two runs (each its stages and the run), the one shown and the one before
#: (what an undo goes back to), so that ten uploads in a row do not hold ten runs' rasters
#: (about 100 MB each on the sample: measured by benchmarks/app.py).
MAX_SESSION_RUN_ITEMS = 2 * (len(STAGES) + 1)

#: Where the app finds its project folder when ``$GIS_PROJECT`` is not set.
DEFAULT_PROJECT = Path(__file__).resolve().parents[2] / "data" / "sample"


def lang() -> str:
    """The session's language (``"vi"`` by default)."""
    return st.session_state.get(KEY_LANG, DEFAULT_LANG)


def project_dir() -> Path:
    """The project folder the app opens: ``$GIS_PROJECT`` or the bundled ``data/sample``."""
    return Path(os.environ.get("GIS_PROJECT") or DEFAULT_PROJECT)


class SessionDir:
    """A per-session temporary folder, removed when the session ends (or the process exits)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="gis-app-session-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def cleanup(self) -> None:
        self._finalizer()


def session_dir() -> Path:
    """This session's private temporary folder (uploads and runs on uploaded data go here)."""
    holder = st.session_state.get(KEY_TMP)
    if holder is None or not holder.path.is_dir():
        holder = SessionDir()
        st.session_state[KEY_TMP] = holder
    return holder.path


def _stamp(folder: Path) -> float:
    meta = folder / "project.json"
    return meta.stat().st_mtime if meta.is_file() else -1.0


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_project(folder: str, stamp: float) -> tuple[Project, InputDigest]:
    project = Project.load(folder)
    return project, digest_project(project)


def base_project() -> tuple[Project, InputDigest] | None:
    """The project folder as on disk (shared, read-only) and its digest; ``None`` if missing
    or unreadable (the error is kept under :data:`KEY_PROJECT_ERROR`)."""
    st.session_state.pop(KEY_PROJECT_ERROR, None)
    folder = project_dir()
    if not (folder / "project.json").is_file():
        return None
    try:
        return _load_project(str(folder.resolve()), _stamp(folder))
    except GisError as exc:   # a broken project folder: the pages say what is wrong
        st.session_state[KEY_PROJECT_ERROR] = exc
        return None


@dataclass(frozen=True)
class SessionProject:
    """The project as this session sees it: the base with this session's uploads over it."""

    project: Project
    digest: InputDigest
    uploaded: bool


def session_project() -> SessionProject | None:
    """A new :class:`Project` for this session (the shared base object is never modified)."""
    base = base_project()
    if base is None:
        return None
    project, digest = base
    layers_over = st.session_state.get(KEY_OVERRIDES, {})
    rasters_over = st.session_state.get(KEY_RASTER_OVERRIDES, {})
    if not layers_over and not rasters_over:
        return SessionProject(project, digest, False)
    from gis.pipeline.cache import file_digest, layer_digest

    proj = Project(
        name=project.name, crs=project.crs, layers=dict(project.layers),
        rasters=dict(project.rasters), params=project.params, reports=dict(project.reports),
        folder=None,
    )
    layer_digests, raster_digests = dict(digest.layers), dict(digest.rasters)
    for kind, (gdf, report) in layers_over.items():
        proj.set_layer(kind, gdf, report)
        layer_digests[kind] = layer_digest(proj.layers[kind])
    for kind, (path, report) in rasters_over.items():
        proj.set_raster(kind, path, report)
        raster_digests[kind] = file_digest(path)
    return SessionProject(proj, InputDigest(layer_digests, raster_digests, digest.params), True)


def _remember(note: str) -> None:
    """Push the session's layers as they are now onto the undo history (:func:`undo`)."""
    history = list(st.session_state.get(KEY_HISTORY, []))
    history.append((dict(st.session_state.get(KEY_OVERRIDES, {})),
                    dict(st.session_state.get(KEY_RASTER_OVERRIDES, {})), note))
    st.session_state[KEY_HISTORY] = history[-MAX_HISTORY:]


def _bump() -> None:
    st.session_state[KEY_UPLOAD_VERSION] = st.session_state.get(KEY_UPLOAD_VERSION, 0) + 1


def set_override(kind: str, value: Any, report: Any, *, raster: bool = False,
                 note: str = "") -> None:
    """Replace the ``kind`` layer (or raster path) for this session only; the layers as they
    were go onto the undo history (``note`` says what changed, for the undo button)."""
    _remember(note or kind)
    key = KEY_RASTER_OVERRIDES if raster else KEY_OVERRIDES
    over = dict(st.session_state.get(key, {}))
    over[kind] = (value, report)
    st.session_state[key] = over
    _bump()


def history() -> list[tuple[dict, dict, str]]:
    """The undo history of this session's layers, oldest first: (layers, rasters, note)."""
    return list(st.session_state.get(KEY_HISTORY, []))


def undo() -> str | None:
    """Put the session's layers back as they were before the last change; returns its note
    (``None`` when there is nothing to undo)."""
    past = history()
    if not past:
        return None
    layers, rasters, note = past.pop()
    st.session_state[KEY_HISTORY] = past
    for key, value in ((KEY_OVERRIDES, layers), (KEY_RASTER_OVERRIDES, rasters)):
        if value:
            st.session_state[key] = value
        else:
            st.session_state.pop(key, None)
    _bump()
    return note


def clear_overrides() -> None:
    """Back to the project's own layers (undoable too)."""
    _remember("reset")
    st.session_state.pop(KEY_OVERRIDES, None)
    st.session_state.pop(KEY_RASTER_OVERRIDES, None)
    _bump()


def current_params() -> RunParams:
    """The parameters of this session's runs (the project's own until the user changes them)."""
    params = st.session_state.get(KEY_PARAMS)
    if params is None:
        base = base_project()
        params = base[0].params if base else RunParams()
    return params


@st.cache_resource(show_spinner=False)
def _shared_memory(folder: str) -> dict[str, Any]:
    """Runs on project folders recently used by any session (read-only, keyed on content)."""
    return {}


def _disk_store() -> MemoryFirst:
    folder = default_cache_dir()
    return MemoryFirst(DiskStore(folder), _shared_memory(str(folder)), max_items=4)


class BoundedStore(MutableMapping[str, Any]):
    """A mapping that keeps at most ``max_items`` entries, the least recently used dropped
    first (the session's store of runs and stage results on uploaded data)."""

    def __init__(self, max_items: int = MAX_SESSION_RUN_ITEMS) -> None:
        self.max_items = int(max_items)
        self._items: OrderedDict[str, Any] = OrderedDict()

    def __getitem__(self, key: str) -> Any:
        value = self._items[key]
        self._items.move_to_end(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def _session_store() -> dict[str, Any]:
    store = st.session_state.get(KEY_RUNS)
    if not isinstance(store, BoundedStore):
        store = BoundedStore()
        st.session_state[KEY_RUNS] = store
    return store


def stage_label(name: str, language: str) -> str:
    """The bilingual label of a pipeline stage (its name when it has none)."""
    for stage in STAGES:
        if stage.name == name:
            return (stage.label_en if language == "en" else stage.label_vi) or name
    return t("done", language) if name == "done" else name


def get_run(*, force_progress: bool = False) -> RunContext | None:
    """The run of this session's project and parameters: cached, or computed now with a
    progress bar per stage. Errors of the analysis are shown with ``st.error``; returns
    ``None`` then (and when there is no project).
    """
    sp = session_project()
    if sp is None:
        return None
    params = current_params()
    language = lang()
    bar = None

    def progress(stage: str, fraction: float) -> None:
        nonlocal bar
        if bar is None:
            bar = st.progress(0.0, text=t("running", language))
        bar.progress(min(max(fraction, 0.0), 1.0),
                     text=f"{t('stage', language)}: {stage_label(stage, language)}")

    if sp.uploaded:   # runs on uploaded data stay in this session and its folder
        store: Any = _session_store()
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=session_dir()))
    else:
        store, workdir = _disk_store(), None
    try:
        ctx, hit = run_cached(sp.project, params, store=store, digest=sp.digest,
                              workdir=workdir, progress=progress)
    except Exception as exc:
        msg = exc.message(language) if isinstance(exc, GisError) else f"{type(exc).__name__}: {exc}"
        st.error(f"{t('run_failed', language)}: {msg}")
        return None
    finally:
        if bar is not None:
            bar.empty()
    if workdir is not None and hit:
        shutil.rmtree(workdir, ignore_errors=True)
    st.session_state[KEY_LAST_RUN] = sp.digest.with_params(params).key()
    return ctx
