"""The run folder: every file a run hands on, written atomically, ``run.json`` last.

:func:`results_of` turns a run context into the :class:`~gis.report.results.RunResults` that
reports and exports use, with the one metadata dictionary of a run (:func:`run_metadata`);
:func:`write_run` writes ``hamlets.csv``, every result table (CSV; GeoJSON too when it has
geometry), the hand-on outputs (:func:`gis.report.outputs.write_outputs`) and ``run.json``.

A folder that holds an earlier run is cleared of that run's files before a new run writes into
it (:func:`clear_earlier_run`), and every file is written under a temporary name and renamed
(:mod:`gis.atomic`), so a run killed at any point never leaves a folder that mixes two runs or a
partial file under a final name; ``run.json``, written last, marks a finished run.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

import gis
from gis.atomic import TEMP_PREFIX, write_atomic
from gis.config import to_dict
from gis.export.writers import write_csv, write_geojson
from gis.layers.broadband import broadband_warning
from gis.pipeline.context import RunContext
from gis.report.outputs import write_outputs
from gis.report.results import CONTEXT_LAYERS, RunResults

__all__ = ["RUN_FILE", "clear_earlier_run", "results_of", "run_alerts", "run_metadata",
           "write_run"]

#: The file that marks a finished run (written last).
RUN_FILE = "run.json"

#: The header of ``hamlets.csv`` of a run without hamlets (the villages layer missing).
EMPTY_HAMLETS = ["village_id", "name", "province_code", "province", "commune_code", "commune",
                 "population", "households", "lon", "lat"]

#: What a run folder may keep from an earlier run: the tiles and partitions of a tiled run
#: (resumption).
KEEP = ("tiles", "partitions")


def run_metadata(ctx: RunContext) -> dict[str, Any]:
    """The metadata of a run, one dictionary for ``run.json``, ``results.gpkg`` and the report:
    ``alerts`` / ``alerts_vi`` first (:func:`run_alerts`: what must be read before anything
    else), ``name``, ``created`` (UTC), ``targets``, ``parameters``, ``warnings`` /
    ``warnings_vi``, ``defaults`` / ``defaults_vi``, ``timings_s`` (wall) and ``cpu_s`` (the
    driver process's CPU) per stage, ``cache_hits``,
    ``fallback_cells`` (cells per propagation model computed with its documented fallback,
    outside its range), ``itm_modes`` / ``itm_warnings`` (cells computed with ITM per
    carrier, "1800" MHz, by propagation mode and by ITM warning flag), ``project``,
    ``load_reports``, ``versions``, and ``units`` (how the hamlets got their 2025 units: the
    names' vintage, the admin layer, counts per source and conflict)."""
    params = ctx.params
    alerts = run_alerts(ctx)
    meta: dict[str, Any] = {
        "alerts": [en for en, _ in alerts],
        "alerts_vi": [vi for _, vi in alerts],
        "name": ctx.project.name,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "parameters": to_dict(params),
        "warnings": [str(w) for w in ctx.warnings],
        "warnings_vi": [getattr(w, "vi", str(w)) for w in ctx.warnings],
        "defaults": [str(d) for d in ctx.defaults],
        "defaults_vi": [getattr(d, "vi", str(d)) for d in ctx.defaults],
        "timings_s": dict(ctx.timings),
        "cpu_s": dict(ctx.cpu_timings),
        "cache_hits": list(ctx.cache_hits),
        "fallback_cells": dict(getattr(ctx.state.coverage, "fallback_cells", None) or {}),
        "itm_modes": {f"{f:g}": dict(c) for f, c in
                      (getattr(ctx.state.coverage, "itm_modes", None) or {}).items()},
        "itm_warnings": {f"{f:g}": dict(c) for f, c in
                         (getattr(ctx.state.coverage, "itm_warnings", None) or {}).items()},
        "project": ctx.project.summary(),
        "load_reports": {k: r.to_dict() for k, r in ctx.project.reports.items()},
        "versions": versions(),
    }
    units = getattr(ctx.state, "units", None)
    if units:
        meta["units"] = dict(units)
    targets = params.targets
    meta["targets"] = {"preset": targets.preset, "name": targets.targets.name,
                       "source": targets.targets.source, "overrides": dict(targets.overrides)}
    return meta


def run_alerts(ctx: RunContext) -> list[tuple[str, str]]:
    """The warnings that go at the top of ``run.json``, ``report.html`` and ``report.xlsx``, as
    (English, Vietnamese): today the one of sites that carry no 4G/5G at all
    (:func:`gis.layers.broadband.broadband_warning`, issue 13 item 8), which makes every
    coverage figure and proposed tower of the run misleading."""
    sites = ctx.project.layers.get("sites") if hasattr(ctx.project, "layers") else None
    warning = broadband_warning(sites)
    return [warning] if warning else []


def results_of(ctx: RunContext) -> RunResults:
    """The results of a live run, for reports and exports."""
    context = {}
    for kind in CONTEXT_LAYERS:
        layer = ctx.project.layers.get(kind)
        if layer is not None and len(layer) and layer.crs is not None:
            keep = [c for c in ("name", "level", "code", "district") if c in layer]
            context[kind] = layer[[*keep, layer.geometry.name]].to_crs(4326)
    return RunResults(name=ctx.project.name, hamlets=ctx.hamlets, tables=dict(ctx.tables),
                      meta=run_metadata(ctx), rasters=dict(ctx.rasters), context=context)


def clear_earlier_run(folder: str | Path) -> list[str]:
    """Remove an earlier run's files from ``folder`` (its ``run.json`` first, so the folder
    stops being a finished run at once), and any temporary file a killed run left; the tiles of
    a tiled run stay for resumption. Returns the names removed."""
    folder = Path(folder)
    removed: list[str] = []
    meta_path = folder / RUN_FILE
    names: set[str] = set()
    if meta_path.is_file():
        try:
            names = set(json.loads(meta_path.read_text(encoding="utf-8")).get("outputs", []))
        except (OSError, ValueError):
            names = set()
        meta_path.unlink()
        removed.append(RUN_FILE)
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        if path.name in KEEP:
            continue
        if path.name in names or path.name.startswith(TEMP_PREFIX):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def write_run(ctx: RunContext, out_dir: str | Path, *, lang: str = "en",
              inputs: dict[str, Any] | None = None, load_seconds: float | None = None) -> Path:
    """Write every output of the run into ``out_dir``, ``run.json`` last; returns the folder.

    ``hamlets.csv``, every result table (CSV; GeoJSON too when it has geometry), then
    indicators, the uncovered list in every format, the workbook, the HTML report,
    ``results.gpkg`` and the coverage tiers (:func:`gis.report.outputs.write_outputs`), then
    ``run.json`` (:func:`run_metadata` plus ``inputs``, ``outputs`` and ``lang``; its
    ``timings_s`` gain ``write``, the seconds spent writing everything before it).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if Path(ctx.workdir).resolve() != out.resolve():
        clear_earlier_run(out)  # (a run into ``out`` cleared it when it started)
    else:
        (out / RUN_FILE).unlink(missing_ok=True)  # a re-export of the same run
    hamlets = ctx.hamlets if len(ctx.hamlets.columns) else pd.DataFrame(columns=EMPTY_HAMLETS)
    write_csv(hamlets, out / "hamlets.csv")  # a header even when no hamlet was given
    for name, table in ctx.tables.items():
        write_csv(table, out / f"{name}.csv")
        if isinstance(table, gpd.GeoDataFrame) and "geometry" in table:
            write_geojson(table, out / f"{name}.geojson")
    results = results_of(ctx)
    write_outputs(results, out, lang=lang)
    meta = dict(results.meta)
    if load_seconds is not None:
        meta["timings_s"] = {"load": round(load_seconds, 3), **meta["timings_s"]}
    meta["timings_s"]["write"] = round(time.perf_counter() - t0, 3)  # all but run.json
    meta.setdefault("cpu_s", {})["write"] = round(time.process_time() - c0, 3)
    meta.update(inputs=inputs or {}, lang=lang,
                outputs=sorted(p.name for p in out.iterdir()
                               if p.name != RUN_FILE and not p.name.startswith(TEMP_PREFIX)))
    text = json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n"
    write_atomic(out / RUN_FILE, lambda p: p.write_text(text, encoding="utf-8"))
    return out


def versions() -> dict[str, str]:
    """The versions of the tool and of the libraries its results depend on."""
    import numpy
    import pyproj
    import rasterio
    import shapely

    return {
        "gis": gis.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "geopandas": gpd.__version__,
        "shapely": shapely.__version__,
        "pyproj": pyproj.__version__,
        "rasterio": rasterio.__version__,
    }
