"""National scale: the coverage and per-hamlet stages tile by tile on Dask (issue 8).

- :mod:`gis.scale.tiles`: the analysis grid cut into tiles with a halo, windowed reads;
- :mod:`gis.scale.runner`: the tiles as a Dask graph (local threads/processes or a cluster),
  per-tile GeoTIFFs with done markers (resumption), assembled rasters;
- :mod:`gis.scale.reduce`: per-hamlet sums per tile, reduced to the single-piece table;
- :mod:`gis.scale.stage`: the run stage branch and :func:`run_project` with a Dask client;
- :mod:`gis.scale.synth`: large synthetic rasters written block by block (province, country).

The names below are imported lazily so that ``gis.params`` can import :class:`ScaleParams`
without pulling in the engine.
"""

from __future__ import annotations

from gis.scale.params import ScaleParams

__all__ = ["ScaleParams", "TiledResult", "plan_grid", "run_project", "run_tiled"]


def __getattr__(name: str):
    if name in ("run_tiled", "TiledResult"):
        from gis.scale import runner

        return getattr(runner, name)
    if name == "plan_grid":
        from gis.scale.tiles import plan_grid

        return plan_grid
    if name == "run_project":
        from gis.scale.stage import run_project

        return run_project
    raise AttributeError(name)
