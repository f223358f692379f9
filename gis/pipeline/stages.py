"""The stages of a run, in order, each with what it reads; and :func:`run`.

The CLI's ``run`` command, the app (through :func:`gis.pipeline.cache.run_cached`), notebooks and the
scale path all call :func:`run`, so they get the same results.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gis.pipeline.context import RunContext, Stage
from gis.pipeline.ducts import ducts_stage
from gis.pipeline.fiber import facilities_stage, fiber_plan_stage, ftth_stage
from gis.pipeline.hamlets import hamlets_stage
from gis.pipeline.indicators import indicators_stage
from gis.pipeline.radio import coverage_stage, mobile_stage
from gis.pipeline.sharing import sharing_stage
from gis.pipeline.speed import speed_stage
from gis.pipeline.write import clear_earlier_run

__all__ = ["STAGES", "Progress", "run", "upstream"]

#: ``progress(stage_name, fraction_done)``, called before each stage and at the end.
Progress = Callable[[str, float], None]
#: ``memo(stage, view)`` runs ``stage.func(view)`` or replays it (the cache's hook).
Memo = Callable[[Stage, RunContext], None]


#: The stages of a run, in order, with the layers, rasters and parameter sections each reads
#: and the earlier stages whose results it uses (enforced while it runs: see
#: :class:`gis.pipeline.context.ProjectView`).
STAGES: list[Stage] = [
    Stage("hamlets", hamlets_stage, needs=("villages",), layers=("admin",),
          sections=("units",),
          label_vi="Bảng thôn và đơn vị hành chính", label_en="Hamlets and their units"),
    Stage("coverage", coverage_stage, needs=("villages", "sites"),
          rasters=("dem", "landcover", "population"),
          sections=("radio", "scale", "mobile.signal_techs", "calibration"),
          label_vi="Vùng phủ sóng", label_en="Radio coverage"),
    Stage("mobile", mobile_stage, needs=("villages", "sites"), rasters=("population",),
          sections=("radio", "mobile"), after=("hamlets", "coverage"),
          label_vi="Phủ sóng di động theo thôn", label_en="Mobile coverage per hamlet"),
    Stage("sharing", sharing_stage, needs=("villages", "sites"),
          layers=("roads", "facilities", "admin", "zones"),
          sections=("radio", "sharing", "scale"),
          after=("hamlets", "coverage", "mobile"),
          label_vi="Dùng chung hạ tầng", label_en="Infrastructure sharing"),
    Stage("ftth", ftth_stage, needs=("villages",),
          layers=("roads", "fiber", "fiber_nodes", "admin"), rasters=("population",),
          sections=("fiber", "scale"), after=("hamlets",),
          label_vi="Phủ cáp quang FTTH", label_en="FTTH coverage"),
    Stage("fiber_plan", fiber_plan_stage, needs=("villages", "roads"),
          layers=("fiber", "fiber_nodes"), sections=("fiber",), after=("hamlets", "ftth"),
          label_vi="Kế hoạch mở rộng cáp quang", label_en="Fiber extension plan"),
    Stage("speed", speed_stage, needs=("villages",), rasters=("population",),
          sections=("speed", "fiber.gpon"), after=("hamlets", "coverage", "ftth"),
          label_vi="Tốc độ tải xuống ước tính", label_en="Expected download speed"),
    Stage("ducts", ducts_stage, needs=("roads",), layers=("fiber", "admin"),
          rasters=("population",), sections=("ducts",), after=("fiber_plan",),
          label_vi="Tuyến đường cần cống bể dùng chung", label_en="Roads needing shared ducts"),
    Stage("facilities", facilities_stage, needs=("facilities",),
          layers=("roads", "fiber", "fiber_nodes", "villages", "admin"),
          sections=("fiber", "radio", "scale"),
          after=("coverage", "ftth"),
          label_vi="Kết nối cơ sở công cộng", label_en="Facilities' connectivity"),
    Stage("indicators", indicators_stage, needs=("villages",), layers=("commune_stats",),
          sections=("targets",),
          after=("hamlets", "mobile", "sharing", "ftth", "fiber_plan", "speed", "facilities"),
          label_vi="Chỉ tiêu", label_en="Indicators"),
]


def upstream(stage: Stage, stages: Iterable[Stage]) -> list[str]:
    """The names of the stages ``stage`` reads the results of, directly or through others."""
    by_name = {s.name: s for s in stages}
    seen: list[str] = []
    todo = list(stage.after)
    while todo:
        name = todo.pop()
        if name in seen or name == stage.name:
            continue
        seen.append(name)
        if name in by_name:
            todo.extend(by_name[name].after)
    return sorted(seen)


def run(
    project: Any,
    params: Any = None,
    *,
    out_dir: str | Path | None = None,
    stages: list[Stage] | None = None,
    progress: Progress | None = None,
    client: Any = None,
    memo: Memo | None = None,
) -> RunContext:
    """Run every stage on ``project``; return the context with all results.

    Parameters
    ----------
    project
        The loaded, validated planning area (:class:`gis.project.Project`).
    params
        Run parameters (:class:`gis.params.RunParams`); the project's own when not given.
    out_dir
        Where rasters are written; a temporary folder when not given. An earlier run's files
        there are removed first (:func:`gis.pipeline.write.clear_earlier_run`).
    stages
        The stages to run; all of :data:`STAGES` by default.
    progress
        Called as ``progress(stage_name, fraction_done)`` before each stage and at the end.
    client
        A ``dask.distributed.Client``: the coverage runs tile by tile on it.
    memo
        ``memo(stage, view)`` instead of ``stage.func(view)`` (see :func:`gis.pipeline.cache.run_cached`).
    """
    params = params or project.params
    workdir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="gis-run-"))
    workdir.mkdir(parents=True, exist_ok=True)
    clear_earlier_run(workdir)  # never a folder that mixes two runs
    ctx = RunContext(project=project, params=params, workdir=workdir, client=client)
    stages = STAGES if stages is None else stages
    have = {k for k, v in project.layers.items() if v is not None and len(v)} \
        | set(project.rasters)
    for i, stage in enumerate(stages):
        if progress:
            progress(stage.name, i / len(stages))
        missing = [n for n in stage.needs if n not in have]
        if missing:
            ctx.warn(f"Stage '{stage.name}' skipped: no {', '.join(missing)} layer.",
                     f"Bỏ qua bước '{stage.label('vi')}': thiếu lớp {', '.join(missing)}.")
            continue
        view = ctx.for_stage(stage, upstream(stage, stages))
        t0, c0 = time.perf_counter(), time.process_time()
        (memo or (lambda s, v: s.func(v)))(stage, view)
        ctx.absorb(view)
        ctx.timings[stage.name] = round(time.perf_counter() - t0, 3)
        ctx.cpu_timings[stage.name] = round(time.process_time() - c0, 3)
    if progress:
        progress("done", 1.0)
    return ctx
