"""The run: the project's layers through every analysis stage, and the files a run writes.

A run is a list of stages; each stage reads the :class:`RunContext` and adds to it: columns of the
per-hamlet table, named result tables, rasters, warnings and the defaults it applied. The CLI's
``run`` command, the app and notebooks all call :func:`run`, so they get the same results.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

import gis
from gis.analysis.fiber_stages import facilities_stage, fiber_plan_stage, ftth_stage
from gis.analysis.hamlets import hamlet_table
from gis.analysis.indicators import indicators_stage
from gis.analysis.mobile import coverage_stage, mobile_stage
from gis.analysis.sharing_stage import sharing_stage
from gis.config import to_dict
from gis.params import RunParams
from gis.project import Project
from gis.report.outputs import write_outputs
from gis.report.results import RunResults

__all__ = ["STAGES", "RunContext", "Stage", "run", "write_run"]

Progress = Callable[[str, float], None]


@dataclass
class RunContext:
    """Everything a run has computed so far.

    Attributes
    ----------
    project, params
        The inputs.
    hamlets
        One row per input village, in input order; stages add columns.
    tables
        Named result tables (DataFrame or GeoDataFrame in WGS84), e.g. ``"positions"``.
    rasters
        Named result rasters (GeoTIFF paths), e.g. ``"coverage_viettel_4g"``.
    results
        Any other in-memory result a later stage or the app needs (not written by itself).
    warnings, defaults
        What the run assumed or found suspicious; reported in ``run.json`` and the app.
    timings
        Seconds per stage.
    workdir
        A folder for the run's files (the output folder, or a temporary one).
    """

    project: Project
    params: RunParams
    workdir: Path
    hamlets: pd.DataFrame = field(default_factory=pd.DataFrame)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def default(self, message: str) -> None:
        if message not in self.defaults:
            self.defaults.append(message)


@dataclass(frozen=True)
class Stage:
    """One step of a run: ``func(ctx)`` adds its results to the context.

    ``needs`` names the layers (or rasters) without which the stage is skipped, with a warning.
    """

    name: str
    func: Callable[[RunContext], None]
    needs: tuple[str, ...] = ()
    label_vi: str = ""
    label_en: str = ""


def _base_hamlets(ctx: RunContext) -> None:
    ctx.hamlets = hamlet_table(ctx.project.require("villages"))


#: The stages of a run, in order. Each analysis issue adds its own stage here.
STAGES: list[Stage] = [
    Stage("hamlets", _base_hamlets, ("villages",), "Bảng thôn", "Hamlet table"),
    Stage("coverage", coverage_stage, ("villages", "sites"), "Vùng phủ sóng", "Radio coverage"),
    Stage("mobile", mobile_stage, ("villages", "sites"), "Phủ sóng di động theo thôn",
          "Mobile coverage per hamlet"),
    Stage("sharing", sharing_stage, ("villages", "sites"), "Dùng chung hạ tầng",
          "Infrastructure sharing"),
    Stage("ftth", ftth_stage, ("villages",), "Phủ cáp quang FTTH", "FTTH coverage"),
    Stage("fiber_plan", fiber_plan_stage, ("villages", "roads"), "Kế hoạch mở rộng cáp quang",
          "Fiber extension plan"),
    Stage("facilities", facilities_stage, ("facilities",), "Kết nối cơ sở công cộng",
          "Facilities' connectivity"),
    # last: it reads every other stage's results
    Stage("indicators", indicators_stage, ("villages",), "Chỉ tiêu", "Indicators"),
]


def run(
    project: Project,
    params: RunParams | None = None,
    *,
    out_dir: str | Path | None = None,
    stages: list[Stage] | None = None,
    progress: Progress | None = None,
) -> RunContext:
    """Run every stage on ``project``; return the context with all results.

    Parameters
    ----------
    project
        The loaded, validated planning area.
    params
        Run parameters; the project's own when not given.
    out_dir
        Where rasters are written; a temporary folder when not given.
    stages
        The stages to run; all of :data:`STAGES` by default.
    progress
        Called as ``progress(stage_name, fraction_done)`` before each stage and at the end.
    """
    params = params or project.params
    workdir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="gis-run-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(project=project, params=params, workdir=workdir)
    stages = STAGES if stages is None else stages
    have = set(project.layers) | set(project.rasters)
    for i, stage in enumerate(stages):
        if progress:
            progress(stage.name, i / len(stages))
        missing = [n for n in stage.needs if n not in have]
        if missing:
            ctx.warn(f"Stage '{stage.name}' skipped: no {', '.join(missing)} layer.")
            continue
        t0 = time.perf_counter()
        stage.func(ctx)
        ctx.timings[stage.name] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("done", 1.0)
    return ctx


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV in UTF-8 with a BOM, so that Excel shows Vietnamese diacritics."""
    frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def write_run(ctx: RunContext, out_dir: str | Path, *, lang: str = "en",
              inputs: dict[str, Any] | None = None, load_seconds: float | None = None) -> Path:
    """Write ``hamlets.csv``, every result table (CSV; GeoJSON too when it has geometry) and
    ``run.json`` (inputs, load reports, warnings, parameters, defaults, timings, versions)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _csv(ctx.hamlets, out / "hamlets.csv")
    for name, table in ctx.tables.items():
        _csv(table, out / f"{name}.csv")
        if isinstance(table, gpd.GeoDataFrame) and "geometry" in table:
            table.to_crs(4326).to_file(out / f"{name}.geojson", driver="GeoJSON",
                                       engine="pyogrio")
    # indicators.csv, uncovered_hamlets.*, report.xlsx, report.html, results.gpkg, tiers
    write_outputs(RunResults.from_context(ctx), out, lang=lang)
    timings = dict(ctx.timings)
    if load_seconds is not None:
        timings = {"load": round(load_seconds, 3), **timings}
    meta = {
        "inputs": inputs or {},
        "project": ctx.project.summary(),
        "load_reports": {k: r.to_dict() for k, r in ctx.project.reports.items()},
        "warnings": ctx.warnings,
        "defaults_applied": ctx.defaults,
        "parameters": to_dict(ctx.params),
        "timings_s": timings,
        "outputs": sorted(p.name for p in out.iterdir() if p.name != "run.json"),
        "versions": _versions(),
        "lang": lang,
    }
    (out / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str)
                                  + "\n", encoding="utf-8")
    return out


def _versions() -> dict[str, str]:
    import geopandas
    import numpy
    import pyproj
    import rasterio
    import shapely

    return {
        "gis": gis.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "geopandas": geopandas.__version__,
        "shapely": shapely.__version__,
        "pyproj": pyproj.__version__,
        "rasterio": rasterio.__version__,
    }
