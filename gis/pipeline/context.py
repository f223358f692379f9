"""The run context and the stage declaration: what a run has computed, and what each stage reads.

A run is a list of :class:`Stage` objects; each stage reads the :class:`RunContext` and adds to
it: columns of the per-hamlet table, named result tables, rasters, intermediate results
(:class:`RunState`, typed), warnings and the defaults it applied.

Every stage declares what it reads: the project's layers and rasters, the sections of the run
parameters, and the earlier stages whose results it uses. The declarations are enforced while
the stage runs (:class:`ProjectView`, :class:`ParamsView`, :class:`StateView`: reading anything
undeclared is a bug and raises), so the cache keys built from them (:mod:`gis.pipeline.cache`) can
never forget an input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gis.labels import Note

if TYPE_CHECKING:
    import numpy as np
    from affine import Affine

    from gis.analysis.ftth import FtthResult
    from gis.analysis.roads import RoadGraph
    from gis.params import RunParams
    from gis.project import Project
    from gis.radio.coverage import CoverageResult
    from gis.scale.runner import TiledResult

__all__ = [
    "ParamsView",
    "ProjectView",
    "RunContext",
    "RunState",
    "Stage",
    "StateView",
    "TerrainGrid",
    "UndeclaredInputError",
]


@dataclass(frozen=True)
class TerrainGrid:
    """The DEM around the area as the point-to-point predictions use it.

    Attributes
    ----------
    dem
        Ground elevation (m), float64, C-contiguous, gaps filled with 0 m (the kernels' form).
    transform
        Its north-up transform in the analysis CRS (m).
    """

    dem: np.ndarray
    transform: Affine

    @classmethod
    def of(cls, dem: np.ndarray, transform: Affine) -> TerrainGrid:
        """From a DEM read by :func:`gis.layers.rasters.read_window` (float32, NaN gaps)."""
        import numpy as np

        return cls(np.ascontiguousarray(np.nan_to_num(dem, nan=0.0), dtype=np.float64),
                   transform)


@dataclass
class RunState:
    """The intermediate results later stages (and the app) read, each made by one stage.

    Attributes
    ----------
    units
        The summary of the hamlets' attribution to the 2025 units (``names_vintage``,
        ``admin``, counts per ``unit_source`` and conflict code), from ``hamlets``.
    transmitters
        The sector table of the sites (one row per sector and carrier), from ``coverage``.
    coverage
        Best-server rasters per operator and technology (:class:`CoverageResult`; in a tiled
        run its arrays are read from the assembled GeoTIFFs on demand).
    terrain
        The DEM around the area for point-to-point predictions, ``None`` without a DEM or when
        it is too large to keep in memory.
    hamlet_coverage
        The long per-hamlet, operator and technology table (:func:`gis.analysis.mobile.
        hamlet_coverage`); made by ``coverage`` in a tiled run, by ``mobile`` otherwise.
    tiled
        The tiled run's result (tiles computed and resumed), ``None`` in one piece.
    road_graph, ftth, fiber_access_xy
        The road graph, the FTTH result and the access points (m), from ``ftth``.
    fiber_plan
        The fiber extension plan, from ``fiber_plan``.
    site_position, sharing_rate, sharing_rate_if_taken, colocation_opportunities,
    tower_siting_method
        From ``sharing``: each site row's position, the site-sharing rate of the area now and
        with the top co-location opportunities taken, the opportunities (rows with hamlet
        positions), and the set-cover method used for new towers.
    """

    units: dict[str, Any] | None = field(default=None, metadata={"stage": "hamlets"})
    transmitters: pd.DataFrame | None = field(default=None, metadata={"stage": "coverage"})
    coverage: CoverageResult | None = field(default=None, metadata={"stage": "coverage"})
    terrain: TerrainGrid | None = field(default=None, metadata={"stage": "coverage"})
    tiled: TiledResult | None = field(default=None, metadata={"stage": "coverage"})
    hamlet_coverage: pd.DataFrame | None = field(default=None, metadata={"stage": "mobile"})
    road_graph: RoadGraph | None = field(default=None, metadata={"stage": "ftth"})
    ftth: FtthResult | None = field(default=None, metadata={"stage": "ftth"})
    fiber_access_xy: np.ndarray | None = field(default=None, metadata={"stage": "ftth"})
    fiber_plan: Any = field(default=None, metadata={"stage": "fiber_plan"})
    site_position: np.ndarray | None = field(default=None, metadata={"stage": "sharing"})
    sharing_rate: float | None = field(default=None, metadata={"stage": "sharing"})
    sharing_rate_if_taken: float | None = field(default=None, metadata={"stage": "sharing"})
    colocation_opportunities: pd.DataFrame | None = field(default=None, metadata={"stage": "sharing"})
    tower_siting_method: str | None = field(default=None, metadata={"stage": "sharing"})

    @staticmethod
    def producer(name: str) -> str:
        """The stage that makes the field ``name``."""
        return {f.name: f.metadata["stage"] for f in dataclasses.fields(RunState)}[name]


@dataclass(frozen=True)
class Stage:
    """One step of a run: ``func(ctx)`` adds its results to the context.

    Attributes
    ----------
    name
        The stage's name (``coverage``, ``mobile``, ...).
    func
        ``func(ctx)``; it may read only what the stage declares.
    needs
        Layers without which the stage is skipped, with a warning (they are read too).
    layers, rasters
        The other layers and rasters it reads when present.
    sections
        The sections of :class:`~gis.params.RunParams` it reads (``radio``, ``fiber``, ...),
        or single fields of one (``mobile.signal_techs``).
    after
        The earlier stages whose results (hamlet columns, tables, :class:`RunState` fields) it
        reads. Their inputs are inputs of this stage too.
    label_vi, label_en
        The stage's name for people (progress bars).
    """

    name: str
    func: Callable[[RunContext], None]
    needs: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    rasters: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    label_vi: str = ""
    label_en: str = ""

    @property
    def reads_layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.needs, *self.layers)))

    def label(self, lang: str = "en") -> str:
        return (self.label_vi if lang == "vi" else self.label_en) or self.name


class UndeclaredInputError(RuntimeError):
    """A stage read an input it does not declare: a bug of the stage (its cache key would miss
    that input). Not a user error."""


class ProjectView:
    """The project as one stage may see it: only the layers and rasters it declares."""

    def __init__(self, project: Project, stage: Stage) -> None:
        self._project, self._stage = project, stage
        self._layers = set(stage.reads_layers)
        self._rasters = set(stage.rasters)

    def _check(self, kind: str, allowed: set[str], what: str) -> None:
        if str(kind) not in allowed:
            raise UndeclaredInputError(
                f"Stage '{self._stage.name}' read the {what} '{kind}' it does not declare; "
                f"add it to the stage's declaration in gis/pipeline/stages.py.")

    def layer(self, kind: str) -> Any:
        self._check(str(kind), self._layers, "layer")
        return self._project.layer(kind)

    def require(self, kind: str) -> Any:
        self._check(str(kind), self._layers, "layer")
        return self._project.require(kind)

    @property
    def layers(self) -> dict[str, Any]:
        return {k: v for k, v in self._project.layers.items() if k in self._layers}

    @property
    def rasters(self) -> dict[str, Path]:
        return {k: v for k, v in self._project.rasters.items() if k in self._rasters}

    @property
    def reports(self) -> dict[str, Any]:
        allowed = self._layers | self._rasters
        return {k: v for k, v in self._project.reports.items() if k in allowed}

    def __getattr__(self, name: str) -> Any:  # name, crs, folder, summary()
        if name in ("name", "crs", "folder"):
            return getattr(self._project, name)
        raise AttributeError(name)


class ParamsView:
    """The run parameters as one stage may see them: only the sections it declares.

    A declaration ``"section.field"`` shows the section with that field only, the others at
    their defaults (the coverage stage needs ``mobile.signal_techs`` but not the rest of the
    hamlet rule, so changing the rule's share does not recompute the coverage).
    """

    def __init__(self, params: RunParams, stage: Stage) -> None:
        self._params, self._stage = params, stage

    def __getattr__(self, name: str) -> Any:
        if name in self._stage.sections:
            return getattr(self._params, name)
        fields = [s.split(".", 1)[1] for s in self._stage.sections if s.startswith(name + ".")]
        if not fields:
            raise UndeclaredInputError(
                f"Stage '{self._stage.name}' read the parameter section '{name}' it does not "
                f"declare; add it to the stage's declaration in gis/pipeline/stages.py.")
        real = getattr(self._params, name)
        return dataclasses.replace(type(real)(), **{f: getattr(real, f) for f in fields})


class StateView:
    """The run's :class:`RunState` as one stage may see it: the fields of the stages it runs
    after (or its own)."""

    def __init__(self, state: RunState, stage: Stage, upstream: Iterable[str]) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_stage", stage)
        object.__setattr__(self, "_allowed", {stage.name, *upstream})

    def _check(self, name: str) -> None:
        if name in {f.name for f in dataclasses.fields(RunState)} and \
                RunState.producer(name) not in self._allowed \
                and not (name == "hamlet_coverage" and "coverage" in self._allowed):
            raise UndeclaredInputError(
                f"Stage '{self._stage.name}' read the result '{name}' of stage "
                f"'{RunState.producer(name)}' without declaring it in `after`.")

    def __getattr__(self, name: str) -> Any:
        self._check(name)
        return getattr(self._state, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._state, name, value)


@dataclass
class RunContext:
    """Everything a run has computed so far.

    Attributes
    ----------
    project, params
        The inputs (inside a stage: views that show only what the stage declares).
    workdir
        A folder for the run's files (the output folder, or a temporary one).
    hamlets
        One row per input village, in input order; stages add columns.
    tables
        Named result tables (DataFrame or GeoDataFrame in WGS84), e.g. ``"positions"``.
    rasters
        Named result rasters (GeoTIFF paths), e.g. ``"coverage_viettel_4g"``.
    state
        The typed intermediate results (:class:`RunState`).
    warnings, defaults
        What the run found suspicious or assumed, as :class:`Note` (English text, ``.vi``).
    timings
        Seconds per stage (wall clock).
    cpu_timings
        CPU seconds per stage of this process (the driver: not the Dask workers' CPU), which a
        busy machine inflates less than the wall clock.
    cache_hits
        The stages whose results came from a cache (:func:`gis.pipeline.cache.run_cached`).
    client
        A ``dask.distributed.Client`` for the tiled stages, or ``None``.
    """

    project: Any
    params: Any
    workdir: Path
    hamlets: pd.DataFrame = field(default_factory=pd.DataFrame)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    state: Any = field(default_factory=RunState)
    warnings: list[Note] = field(default_factory=list)
    defaults: list[Note] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
    cache_hits: list[str] = field(default_factory=list)
    client: Any = None

    def warn(self, en: str, vi: str | None = None) -> None:
        """Add a warning (once), in English and Vietnamese."""
        note = en if isinstance(en, Note) and vi is None else Note(en, vi)
        if note not in self.warnings:
            self.warnings.append(note)

    def default(self, en: str, vi: str | None = None) -> None:
        """Add a default the run applied (once), in English and Vietnamese."""
        note = en if isinstance(en, Note) and vi is None else Note(en, vi)
        if note not in self.defaults:
            self.defaults.append(note)

    def for_stage(self, stage: Stage, upstream: Iterable[str]) -> RunContext:
        """This context as ``stage`` may see it (same tables and hamlets, restricted inputs)."""
        view = dataclasses.replace(self, project=ProjectView(self.project, stage),
                                   params=ParamsView(self.params, stage),
                                   state=StateView(self.state, stage, upstream))
        return view

    def absorb(self, view: RunContext) -> None:
        """Take back what a stage did in its view: the hamlet table, which a stage may replace
        (tables, rasters, state and notes are shared with the view)."""
        self.hamlets = view.hamlets
