"""Calibrate the coverage model of a project on measurements: ``gis.calibrate``.

Reads the measurements (any format of :func:`gis.layers.read.read_layer`, kind
``measurements``), takes the best-server rasters of the project (the ``coverage`` stage, run
here with the calibration switched off, or ``state.coverage`` of a run already made), predicts
the signal at each point (:func:`gis.radio.calibration.predict_at_points`), reads the land-cover
class of each point's cell when the project has a land-cover raster, and fits the correction
(:func:`gis.radio.calibration.fit_calibration`). The result carries the run parameters with the
new ``calibration`` section; writing them and the residual layer is
:func:`gis.report.calibration.write_calibration`.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from gis.errors import ValidationError
from gis.labels import Note
from gis.layers.rasters import read_window
from gis.layers.read import read_layer
from gis.layers.report import LoadReport
from gis.layers.sources import display_name
from gis.params import RunParams
from gis.pipeline.context import RunContext
from gis.pipeline.stages import STAGES, run
from gis.radio.calibration import (
    REASONS,
    CalibrationFit,
    clutter_at,
    fit_calibration,
    predict_at_points,
)
from gis.radio.calibration_params import CalibrationParams, FitSettings
from gis.radio.coverage import CoverageResult

__all__ = ["CalibrationResult", "calibrate", "landcover_on_grid"]


@dataclass
class CalibrationResult:
    """What :func:`calibrate` gives.

    Attributes
    ----------
    fit
        Groups, per-point errors and messages (:class:`~gis.radio.calibration.CalibrationFit`).
    params
        The run parameters given (or the project's) with the fitted ``calibration`` section.
    measurements
        The measurement layer as read (analysis CRS), row for row with ``fit.points``.
    report
        Its load report (``None`` when a layer was given).
    warnings
        Bilingual notes: the coverage run's warnings, unused points, the fit's messages.
    """

    fit: CalibrationFit
    params: RunParams
    measurements: gpd.GeoDataFrame
    report: LoadReport | None = None
    warnings: list[Note] = field(default_factory=list)


def landcover_on_grid(path: str | Path | None, coverage: CoverageResult) -> np.ndarray | None:
    """The land-cover raster on the coverage grid (nearest class, NaN outside), or ``None``."""
    if path is None:
        return None
    tr, (h, w) = coverage.transform, coverage.shape
    bounds = (tr.c, tr.f + tr.e * h, tr.c + tr.a * w, tr.f)
    lc, _ = read_window(path, bounds, crs=coverage.crs, resolution_m=float(tr.a),
                        resampling="nearest")
    out = np.full((h, w), np.nan, np.float32)
    hh, ww = min(h, lc.shape[0]), min(w, lc.shape[1])
    out[:hh, :ww] = lc[:hh, :ww]
    return out


def _read(measurements: Any, project: Any, params: RunParams,
          crs: object) -> tuple[gpd.GeoDataFrame, LoadReport | None, str]:
    if isinstance(measurements, gpd.GeoDataFrame):
        gdf = measurements.to_crs(project.crs) if measurements.crs is not None else measurements
        for col in ("operator", "tech", "rsrp_dbm"):
            if col not in gdf:
                raise ValidationError(
                    f"The measurement layer lacks the {col} column.",
                    f"Lớp số liệu đo thiếu cột {col}.",
                    fix="Read it with gis.read_layer(path, 'measurements').",
                    fix_vi="Đọc lớp bằng gis.read_layer(path, 'measurements').")
        return gdf.reset_index(drop=True), None, "measurements"
    result = read_layer(measurements, "measurements", crs=crs,
                        province=params.load.province or None, analysis_crs=project.crs,
                        meridian_standard=params.load.meridian_standard)
    return result.gdf.reset_index(drop=True), result.report, display_name(measurements)


def _coverage(project: Any, params: RunParams, ctx: RunContext | None, workdir: Path,
              warnings: list[Note]) -> tuple[CoverageResult, Any]:
    """The uncalibrated best-server rasters of the project and their transmitter table."""
    if ctx is not None and ctx.state.coverage is not None and not ctx.params.calibration.active:
        return ctx.state.coverage, ctx.state.transmitters
    missing = [k for k in ("villages", "sites") if project.layers.get(k) is None
               or not len(project.layers[k])]
    if missing:
        raise ValidationError(
            f"Calibration compares measurements with the project's coverage, which needs its "
            f"{' and '.join(missing)} layer(s).",
            f"Hiệu chỉnh so số liệu đo với vùng phủ của dự án, cần lớp {' và '.join(missing)}.",
            fix="Open a project with hamlets and BTS sites (python -m gis calibrate MEAS "
            "--project DIR).",
            fix_vi="Mở một dự án có lớp thôn và trạm BTS (python -m gis calibrate MEAS "
            "--project DIR).")
    stage = [s for s in STAGES if s.name == "coverage"]
    base = params.replace(calibration=CalibrationParams())  # the engine as it predicts
    rctx = run(project, base, out_dir=workdir, stages=stage)
    warnings.extend(rctx.warnings)
    return rctx.state.coverage, rctx.state.transmitters


def calibrate(project: Any, measurements: Any, params: RunParams | None = None, *,
              ctx: RunContext | None = None, settings: FitSettings | None = None,
              crs: object = None) -> CalibrationResult:
    """Fit the calibration of ``project``'s coverage model on ``measurements``.

    Parameters
    ----------
    project
        The planning area (:class:`gis.project.Project`) with hamlets, sites (and DEM, land
        cover).
    measurements
        A file (path or :class:`~gis.layers.sources.Upload`) of measurements, or a layer read
        with ``gis.read_layer(path, "measurements")``.
    params
        Run parameters (the project's when not given): the radio parameters of the prediction;
        the result's ``params`` is these with the new ``calibration``.
    ctx
        A run of ``project`` with ``params`` already made (e.g. the app's cached run): its
        ``state.coverage`` is used instead of computing the coverage again, unless that run was
        itself calibrated.
    settings
        Folds, seed, minimum points ... (:class:`FitSettings`; the defaults when not given).
    crs
        CRS of a measurement file that does not say (see :func:`gis.layers.read.read_layer`).

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ValidationError, InputFileError, CRSError
        Bad measurement file (no RSRP column, RSRP out of range, unknown operator ...); a
        project without hamlets or sites.
    """
    params = params or project.params
    settings = settings or params.calibration.fit
    warnings: list[Note] = []
    gdf, report, name = _read(measurements, project, params, crs)
    cal0 = CalibrationParams()
    with tempfile.TemporaryDirectory(prefix="gis-calibrate-") as tmp:
        coverage, transmitters = _coverage(project, params, ctx, Path(tmp), warnings)
        xy = np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])
        pred = predict_at_points(coverage, xy, gdf["operator"].to_numpy(dtype=object),
                                 gdf["tech"].to_numpy(dtype=object), transmitters=transmitters)
        landcover = landcover_on_grid(project.rasters.get("landcover"), coverage)
        table = gdf[["operator", "tech"]].copy()
        table["measured_dbm"] = gdf["rsrp_dbm"].to_numpy(dtype=float)
        table["predicted_dbm"] = pred["predicted_dbm"].to_numpy()
        table["distance_m"] = pred["distance_m"].to_numpy()
        table["server"] = pred["server"].to_numpy()
        table["clutter_class"] = clutter_at(landcover, coverage.transform, xy)
        resolution = float(coverage.transform.a)
    fit = fit_calibration(table, settings=settings,
                          reference_distance_m=cal0.reference_distance_m,
                          min_distance_m=cal0.min_distance_m)
    fit.params = replace(fit.params, fitted_on=_dt.date.today().isoformat(), measurements=name,
                         grid_resolution_m=resolution)
    counts = fit.points.loc[~fit.points["used"], "reason"].value_counts()
    for code, n in counts.items():
        en, vi = REASONS[str(code)]
        warnings.append(Note(f"{n} measurement(s) not used: {en}.",
                             f"{n} điểm đo không được dùng: {vi}."))
    warnings.extend(Note(en, vi) for en, vi in fit.messages)
    if landcover is None:
        warnings.append(Note(
            "No land-cover raster: one correction per operator (no clutter classes).",
            "Không có raster lớp phủ: mỗi nhà mạng một hiệu chỉnh (không chia theo lớp phủ)."))
    if not fit.params.groups:
        warnings.append(Note("No group could be calibrated: the calibration corrects nothing.",
                             "Không nhóm nào hiệu chỉnh được: phần hiệu chỉnh không sửa gì."))
    return CalibrationResult(fit=fit, params=params.replace(calibration=fit.params), measurements=gdf, report=report,
                             warnings=warnings)
