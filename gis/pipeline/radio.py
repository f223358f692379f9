"""The radio stages: ``coverage`` (in one piece or tile by tile on Dask) and ``mobile``.

``coverage`` expands the sites into sectors, reads the DEM (and land cover) over the hamlets'
area plus the largest coverage radius, and computes the best-server rasters with
:func:`gis.radio.coverage.compute_coverage`; for a large area (or when tiles are asked for,
``RunParams.scale``) it runs :func:`gis.scale.runner.run_tiled` instead, which also reduces the
per-hamlet sums across tiles. Either way it leaves the same things: the
``coverage_<operator>_<tech>.tif`` / ``server_...`` rasters in the run folder and
``state.transmitters``, ``state.coverage``, ``state.terrain`` (and ``state.hamlet_coverage`` when
tiled). A calibration on measurements (``RunParams.calibration``) is subtracted from the
best-server rasters after the sweep (:func:`gis.radio.calibration.apply_calibration`), in one
piece or in each tile. ``mobile`` turns the coverage into the
per-hamlet columns (:mod:`gis.analysis.mobile`).
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
from affine import Affine

from gis.analysis.mobile import hamlet_columns, hamlet_coverage
from gis.export.tiers import TIERS_MAX_CELLS
from gis.layers.broadband import broadband_warning
from gis.layers.rasters import read_window
from gis.pipeline.context import RunContext, TerrainGrid
from gis.radio.calibration import apply_calibration
from gis.radio.calibration_params import CalibrationParams
from gis.radio.coverage import compute_coverage
from gis.radio.sectors import expand_sectors
from gis.scale.runner import run_tiled
from gis.scale.tiles import plan_grid

__all__ = ["DEM_IN_MEMORY_CELLS", "coverage_stage", "mobile_stage"]

#: Largest DEM (cells) kept in memory for the later stages' point predictions (the sharing
#: stage's engine predictor): 64 M cells = 256 MB of float32, a province with its halo.
DEM_IN_MEMORY_CELLS = 64_000_000

_NO_DEM = ("No DEM: coverage computed over flat terrain (no terrain shadowing).",
           "Không có DEM: vùng phủ tính trên địa hình phẳng (không có che khuất địa hình).")
_NO_POPULATION = ("No population raster: hamlet coverage shares are shares of the hamlet area "
                  "(polygons) or of the centre (points).",
                  "Không có raster dân số: tỷ lệ phủ của thôn tính theo diện tích (thôn dạng "
                  "vùng) hoặc theo trung tâm thôn (thôn dạng điểm).")


def _calibrated(cal: CalibrationParams) -> tuple[str, str]:
    """The run's note that its coverage is calibrated, in English and Vietnamese."""
    ops = ", ".join(sorted({g.operator for g in cal.groups if g.applied}))
    when = cal.fitted_on or "?"
    return (f"Coverage calibrated on {cal.n_points} measurements ({cal.measurements or 'file'}, "
            f"{when}) for {ops}: signal minus the fitted offset and distance slope.",
            f"Vùng phủ được hiệu chỉnh theo {cal.n_points} điểm đo ({cal.measurements or 'tệp'}, "
            f"{when}) cho {ops}: tín hiệu trừ độ lệch và độ dốc theo khoảng cách đã khớp.")


def _extent(ctx: RunContext) -> tuple[pd.DataFrame, tuple[float, float, float, float], float]:
    """The sectors, the area (hamlets' bounds plus ``radio.area_margin_m``, m) and the halo of
    DEM read around it (the largest coverage radius plus three cells, m)."""
    radio = ctx.params.radio
    villages = ctx.project.require("villages")
    tx, defaults = expand_sectors(ctx.project.require("sites"), radio)
    for d in defaults:
        ctx.default(d)
    margin = float(radio.area_margin_m)
    left, bottom, right, top = villages.total_bounds
    area = (left - margin, bottom - margin, right + margin, top + margin)
    techs = sorted(set(tx["tech"].astype(str))) or [radio.default_tech]
    rmax = max(radio.tech(t).max_radius_m for t in techs)
    if "max_radius_m" in tx and len(tx):
        rmax = max(rmax, float(np.nanmax(pd.to_numeric(tx["max_radius_m"], errors="coerce")
                                         .to_numpy(float), initial=0.0)))
    has_dem = ctx.project.rasters.get("dem") is not None
    halo = rmax + 3 * float(radio.grid_resolution_m or (100.0 if has_dem else 30.0))
    return tx, area, halo


def coverage_stage(ctx: RunContext) -> None:
    """Stage ``coverage``: best-server rasters per operator and technology."""
    warning = broadband_warning(ctx.project.require("sites"))
    if warning:  # also at the top of run.json and the reports (gis.pipeline.write.run_alerts)
        ctx.warn(*warning)
    tx, area, halo = _extent(ctx)
    ctx.state.transmitters = tx
    area_km2 = (area[2] - area[0]) * (area[3] - area[1]) / 1e6
    if ctx.client is not None or ctx.params.scale.tiles_area(area_km2):
        _tiled(ctx, tx, area, halo)
    else:
        _one_piece(ctx, tx, area, halo)


def _one_piece(ctx: RunContext, tx: pd.DataFrame, area: tuple[float, float, float, float],
               halo: float) -> None:
    radio = ctx.params.radio
    crs = ctx.project.crs
    res_param = radio.grid_resolution_m
    dem_path = ctx.project.rasters.get("dem")
    if dem_path is not None:
        big = (area[0] - halo, area[1] - halo, area[2] + halo, area[3] + halo)
        dem, transform = read_window(dem_path, big, crs=crs, resolution_m=res_param)
    else:
        res = float(res_param or 30.0)
        width = math.ceil((area[2] - area[0] + 2 * halo) / res)
        height = math.ceil((area[3] - area[1] + 2 * halo) / res)
        transform = Affine(res, 0.0, area[0] - halo, 0.0, -res, area[3] + halo)
        dem = np.zeros((height, width), np.float32)
        ctx.warn(*_NO_DEM)
    res = float(transform.a)
    c0 = max(0, math.floor((area[0] - transform.c) / res))
    r0 = max(0, math.floor((transform.f - area[3]) / res))
    c1 = min(dem.shape[1], math.ceil((area[2] - transform.c) / res))
    r1 = min(dem.shape[0], math.ceil((transform.f - area[1]) / -transform.e))
    window = (r0, c0, r1 - r0, c1 - c0)
    landcover = None
    lc_path = ctx.project.rasters.get("landcover")
    if lc_path is not None:
        bounds = (transform.c, transform.f + transform.e * dem.shape[0],
                  transform.c + res * dem.shape[1], transform.f)
        lc, _ = read_window(lc_path, bounds, crs=crs, resolution_m=res, resampling="nearest")
        landcover = np.full(dem.shape, np.nan, np.float32)
        h, w = min(lc.shape[0], dem.shape[0]), min(lc.shape[1], dem.shape[1])
        landcover[:h, :w] = lc[:h, :w]
    result = compute_coverage(tx, dem, transform, crs, radio, landcover=landcover, window=window,
                              threads=min(4, os.cpu_count() or 1),
                              power_sums=True)   # the speed stage's SINR (issue 16)
    calibration = ctx.params.calibration
    if calibration.active:  # after the sweep until the kernel takes the tables (see the module)
        # the land cover on the result's grid: the engine's window of the DEM grid
        result = apply_calibration(result, calibration, None if landcover is None
                                   else landcover[r0:r1, c0:c1])
        ctx.warn(*_calibrated(calibration))
    # the grid for point-to-point predictions (the sharing stage), flat when there is no DEM
    ctx.state.terrain = TerrainGrid.of(dem, transform)
    for w in result.warnings:
        ctx.warn(w)
    for path in result.write(ctx.workdir).values():
        ctx.rasters[path.stem] = path
    ctx.state.coverage = result


def _tiled(ctx: RunContext, tx: pd.DataFrame, area: tuple[float, float, float, float],
           halo: float) -> None:
    radio, scale = ctx.params.radio, ctx.params.scale
    calibration = ctx.params.calibration
    if calibration.active:
        ctx.warn(*_calibrated(calibration))
    crs = ctx.project.crs
    dem_path = ctx.project.rasters.get("dem")
    grid = plan_grid(area, crs, dem_path=dem_path, halo_m=halo,
                     resolution_m=radio.grid_resolution_m)
    if dem_path is None:
        ctx.warn(*_NO_DEM)
    pop_path = ctx.project.rasters.get("population")
    if pop_path is None:
        ctx.default(*_NO_POPULATION)
    result = run_tiled(tx, ctx.project.require("villages"), grid, ctx.workdir, radio=radio,
                       rule=ctx.params.mobile, population=pop_path,
                       landcover=ctx.project.rasters.get("landcover"), scale=scale,
                       calibration=calibration, client=ctx.client, progress=True)
    for w in result.warnings:
        ctx.warn(w)
    for path in result.rasters.values():  # server_*.tif lie next to them, as in one piece
        ctx.rasters[path.stem] = path
    ctx.state.coverage = result.coverage()
    ctx.state.hamlet_coverage = result.hamlet_coverage
    ctx.state.tiled = result
    big = (area[0] - halo, area[1] - halo, area[2] + halo, area[3] + halo)
    cells = (big[2] - big[0]) * (big[3] - big[1]) / grid.resolution_m ** 2
    if dem_path is not None and cells <= DEM_IN_MEMORY_CELLS:
        ctx.state.terrain = TerrainGrid.of(*read_window(dem_path, big, crs=crs,
                                                        resolution_m=radio.grid_resolution_m))
    elif dem_path is not None:
        ctx.warn(f"The DEM around the area ({cells / 1e6:.0f} M cells) is too large to keep in "
                 "memory: later point predictions (co-location) use flat terrain.",
                 f"DEM quanh khu vực ({cells / 1e6:.0f} triệu ô) quá lớn để giữ trong bộ nhớ: "
                 "các dự báo điểm sau đó (dùng chung cột) dùng địa hình phẳng.")
    cells_grid = grid.shape[0] * grid.shape[1]
    if cells_grid > TIERS_MAX_CELLS:
        ctx.warn(f"The coverage rasters have {cells_grid / 1e6:.0f} M cells: no coverage tier "
                 f"polygons (coverage_tiers.gpkg, *_tiers.kml) are written above "
                 f"{TIERS_MAX_CELLS / 1e6:.0f} M; open the coverage rasters in QGIS instead.",
                 f"Các raster vùng phủ có {cells_grid / 1e6:.0f} triệu ô: không ghi đa giác "
                 f"mức phủ (coverage_tiers.gpkg, *_tiers.kml) khi trên "
                 f"{TIERS_MAX_CELLS / 1e6:.0f} triệu ô; hãy mở raster vùng phủ bằng QGIS.")
    done = len(result.computed) + len(result.resumed)
    where = "client" if ctx.client is not None else scale.scheduler
    ctx.default(f"Coverage computed in {done} tiles of {scale.tile_km:g} km "
                f"({len(result.resumed)} reused from an earlier run) on Dask '{where}'.",
                f"Vùng phủ tính theo {done} ô lưới {scale.tile_km:g} km ({len(result.resumed)} "
                f"ô dùng lại từ lần chạy trước) trên Dask '{where}'.")


def mobile_stage(ctx: RunContext) -> None:
    """Stage ``mobile``: per-hamlet coverage columns (and ``state.hamlet_coverage``)."""
    result = ctx.state.coverage
    if result is None:
        ctx.warn("Stage 'mobile' skipped: no coverage was computed.",
                 "Bỏ qua bước 'mobile': chưa tính vùng phủ.")
        return
    villages = ctx.project.require("villages")
    rule = ctx.params.mobile
    long = ctx.state.hamlet_coverage  # reduced across tiles in a tiled run
    if long is not None:  # the tiles saw the rule's signal technologies only: apply it whole
        long = long.assign(covered=rule.covered(long["centre_covered"].to_numpy(bool),
                                                long["pop_share"].to_numpy(float)))
        long.attrs = dict(ctx.state.hamlet_coverage.attrs)
        ctx.state.hamlet_coverage = long
    else:
        population = None
        pop_path = ctx.project.rasters.get("population")
        if pop_path is not None:
            tr = result.transform
            bounds = (tr.c, tr.f + tr.e * result.shape[0], tr.c + tr.a * result.shape[1], tr.f)
            population = read_window(pop_path, bounds, crs=ctx.project.crs,
                                     resampling="nearest")
        else:
            ctx.default(*_NO_POPULATION)
        long = hamlet_coverage(villages, result, ctx.params.radio, rule, population=population)
        ctx.state.hamlet_coverage = long
    ops = sorted(set(result.transmitters["operator"].astype(str)))
    cols = hamlet_columns(long, ctx.hamlets.index, rule, operators=ops)
    for c in cols.columns:
        ctx.hamlets[c] = cols[c].to_numpy()
