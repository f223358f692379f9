"""The tiled branch of the run's coverage stage, and a run with a Dask client.

:func:`gis.analysis.mobile.coverage_stage` hands over to :func:`tiled_coverage_stage` when the
run asks for tiles (``RunParams.scale``: ``--tile-km`` on the CLI, or an area larger than
``tile_above_km2``). The tiled stage leaves the same things in the run context as the
single-piece stages: the ``coverage_<operator>_<tech>.tif`` / ``server_...`` rasters in the run
folder, ``ctx.results["coverage"]`` (a :class:`CoverageResult` whose arrays are read from those
files on demand), ``ctx.results["transmitters"]``, and ``ctx.results["hamlet_coverage"]``, the
long per-hamlet table reduced across tiles, which the mobile stage then turns into the
``hamlets.csv`` columns.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from gis.scale.params import ScaleParams

__all__ = ["DEM_IN_MEMORY_CELLS", "run_project", "tiled_coverage_stage"]

#: Largest DEM (cells) kept in memory for the later stages' point predictions (the sharing
#: stage's engine predictor): 64 M cells = 256 MB of float32, a province with its halo.
DEM_IN_MEMORY_CELLS = 64_000_000


def _area(villages, margin_m: float) -> tuple[float, float, float, float]:
    left, bottom, right, top = villages.total_bounds
    return left - margin_m, bottom - margin_m, right + margin_m, top + margin_m


def tiled_coverage_stage(ctx, *, client=None, force: bool = False) -> bool:
    """Run the coverage stage tile by tile when the run asks for it; False when it does not.

    Parameters
    ----------
    ctx
        The :class:`gis.pipeline.RunContext`.
    client
        Optional ``dask.distributed.Client`` to run the tiles on.
    force
        Tile whatever the area's size.
    """
    from gis.layers.rasters import read_window
    from gis.radio.sectors import expand_sectors
    from gis.scale.runner import run_tiled
    from gis.scale.tiles import plan_grid

    scale: ScaleParams = ctx.params.scale
    radio = ctx.params.radio
    villages = ctx.project.require("villages")
    area = _area(villages, float(radio.area_margin_m))
    area_km2 = (area[2] - area[0]) * (area[3] - area[1]) / 1e6
    if not (force or client is not None or scale.tiles_area(area_km2)):
        return False
    sites = ctx.project.require("sites")
    crs = ctx.project.crs
    tx, defaults = expand_sectors(sites, radio)
    for d in defaults:
        ctx.default(d)
    ctx.results["transmitters"] = tx
    # The same DEM read margin as the single-piece stage, so the grid is the same.
    techs = sorted(set(tx["tech"].astype(str))) or [radio.default_tech]
    rmax = max(radio.tech(t).max_radius_m for t in techs)
    if "max_radius_m" in tx and len(tx):
        rmax = max(rmax, float(np.nanmax(pd.to_numeric(tx["max_radius_m"], errors="coerce")
                                         .to_numpy(float), initial=0.0)))
    res_param = radio.grid_resolution_m
    dem_path = ctx.project.rasters.get("dem")
    halo = rmax + 3 * float(res_param or (100.0 if dem_path is not None else 30.0))
    grid = plan_grid(area, crs, dem_path=dem_path, halo_m=halo, resolution_m=res_param)
    if dem_path is None:
        ctx.warn("No DEM: coverage computed over flat terrain (no terrain shadowing) / "
                 "Không có DEM: vùng phủ tính trên địa hình phẳng (không có che khuất địa hình).")
    pop_path = ctx.project.rasters.get("population")
    if pop_path is None:
        ctx.default("No population raster: hamlet coverage shares are shares of the hamlet "
                    "area (polygons) or of the centre (points).")
    result = run_tiled(tx, villages, grid, Path(ctx.workdir), radio=radio,
                       rule=ctx.params.mobile, population=pop_path,
                       landcover=ctx.project.rasters.get("landcover"), scale=scale,
                       client=client, progress=True)
    for w in result.warnings:
        ctx.warn(w)
    for path in result.rasters.values():  # server_*.tif lie next to them, as single-piece
        ctx.rasters[path.stem] = path
    coverage = result.coverage()
    ctx.results["coverage"] = coverage
    ctx.results["hamlet_coverage"] = result.hamlet_coverage
    ctx.results["scale"] = result
    # The DEM around the area for later point predictions, when it fits in memory.
    big = (area[0] - halo, area[1] - halo, area[2] + halo, area[3] + halo)
    cells = (big[2] - big[0]) * (big[3] - big[1]) / grid.resolution_m ** 2
    if dem_path is not None and cells <= DEM_IN_MEMORY_CELLS:
        ctx.results["dem"] = read_window(dem_path, big, crs=crs, resolution_m=res_param)
    elif dem_path is not None:
        ctx.warn(f"The DEM around the area ({cells / 1e6:.0f} M cells) is too large to keep "
                 "in memory: later point predictions (co-location) use flat terrain / DEM quá "
                 "lớn để giữ trong bộ nhớ: các dự báo điểm sau đó dùng địa hình phẳng.")
    tiles_done = len(result.computed) + len(result.resumed)
    ctx.default(f"Coverage computed in {tiles_done} tiles of {scale.tile_km:g} km "
                f"({len(result.resumed)} reused from an earlier run) on Dask "
                f"'{'client' if client is not None else scale.scheduler}'.")
    return True


def run_project(project, params=None, *, out_dir: str | Path | None = None, client=None,
                tile_km: float | None = None):
    """:func:`gis.pipeline.run` with the coverage stage on a Dask cluster.

    Parameters
    ----------
    project, params, out_dir
        As for :func:`gis.pipeline.run`; ``out_dir`` must be reachable by the workers.
    client
        A ``dask.distributed.Client`` (e.g. ``Client("tcp://scheduler:8786")``); None: the
        scheduler of ``params.scale``.
    tile_km
        Tile size (km); overrides ``params.scale.tile_km`` and forces tiling.

    Returns
    -------
    gis.pipeline.RunContext
    """
    import dataclasses

    from gis.analysis.mobile import coverage_stage
    from gis.pipeline import STAGES, Stage, run

    params = params or project.params
    if tile_km is not None:
        params = params.replace(scale=dataclasses.replace(params.scale, tile_km=float(tile_km),
                                                          tile_above_km2=0.0))

    def _coverage(ctx, _client=client):
        if not tiled_coverage_stage(ctx, client=_client, force=True):
            coverage_stage(ctx)

    stages = [Stage(s.name, functools.partial(_coverage), s.needs, s.label_vi, s.label_en)
              if s.name == "coverage" else s for s in STAGES]
    return run(project, params, out_dir=out_dir, stages=stages)
