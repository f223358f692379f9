"""gis: GIS planning of passive telecom infrastructure in Vietnam.

Layers of hamlets, BTS sites, fiber, roads and terrain go in; coverage per operator and
technology, per-hamlet mobile broadband and FTTH status, site sharing, proposed towers and
fiber extensions, and the plan's indicators come out. The front door is flat::

    import gis

    project = gis.load_project("data/sample")          # or files: {"villages": "thon.xlsx", ...}
    ctx = gis.run(project)                             # every stage; ctx.hamlets, ctx.tables
    gis.write_run(ctx, "out", lang="vi")               # CSV, XLSX, GeoJSON, KML, report, run.json
    m = gis.build_map(project, ctx)                    # a folium map

Names are imported on first use (PEP 562), so ``import gis`` stays cheap. The packages follow
the flow of data: :mod:`gis.layers` (read, validate, reproject), :mod:`gis.radio` (propagation
and coverage), :mod:`gis.analysis` (per-hamlet results, sharing, indicators), :mod:`gis.scale`
(tiles on Dask), :mod:`gis.pipeline` (the stages of a run, cache, run folder), :mod:`gis.export`
and :mod:`gis.report` (files), :mod:`gis.maps` (folium), :mod:`gis.app` and :mod:`gis.cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

#: Public name -> the module that defines it.
_API: dict[str, str] = {
    "Project": "gis.project",
    "load_project": "gis.project",
    "RunParams": "gis.params",
    "LoadParams": "gis.params",
    "run": "gis.pipeline.stages",
    "STAGES": "gis.pipeline.stages",
    "RunContext": "gis.pipeline.context",
    "write_run": "gis.pipeline.write",
    "results_of": "gis.pipeline.write",
    "run_cached": "gis.pipeline.cache",
    "calibrate": "gis.pipeline.calibrate",
    "RunResults": "gis.report.results",
    "build_map": "gis.maps.build",
    "MapOptions": "gis.maps.build",
    "build_sample": "gis.sample",
    "import_source": "gis.opendata.source",
    "import_osm": "gis.opendata.osm",
    "import_opencellid": "gis.opendata.opencellid",
    "import_dem": "gis.opendata.dem",
    "import_population": "gis.opendata.population",
    "read_layer": "gis.layers.read",
    "uncovered_hamlets": "gis.analysis.status",
    "hamlet_status": "gis.analysis.status",
    "export_table": "gis.export.writers",
    "read_shapefile_zip": "gis.export.shapefile",
    "localise_columns": "gis.labels",
    "IndicatorParams": "gis.analysis.targets",
    "TARGET_PRESETS": "gis.analysis.targets",
    "overview_png": "gis.report.staticmap",
    "write_html": "gis.report.html",
    "compare": "gis.report.compare",
    "GisError": "gis.errors",
}

#: Facade names that differ from the name in their module.
_ALIASES = {"TARGET_PRESETS": "PRESETS"}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'gis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
