"""Calibration of the coverage model on measurements: predictions at the points, the fit, and
the correction of best-server rasters.

The model and the parameters are in :mod:`gis.radio.calibration_params`. Three pure steps:

1. :func:`predict_at_points`: the engine's signal at each measurement point, from the
   best-server rasters of a run (:class:`~gis.radio.coverage.CoverageResult`), of the point's
   operator and technology, with the serving transmitter and its distance. It is the value of
   the raster cell the point falls in, i.e. what the maps show.
2. :func:`fit_calibration`: per operator and land-cover class, Huber regression of the error
   ``e = predicted - measured`` (dB) on ``x = log10(d / d_ref)``::

       e = offset + slope x + ε

   with the standard errors and confidence intervals of :func:`gis.radio.robust.huber_fit`,
   and 5-fold cross-validated RMSE and mean error before and after. A group whose correction
   does not lower the cross-validated RMSE is kept with ``applied = False`` and corrects
   nothing, so that calibration never makes the cross-validated error worse. A land-cover
   class with fewer than ``min_points`` measurements is pooled with the operator's other
   classes (it takes the operator's correction for all classes): its few points still count
   in the operator's fit, and the operator's error is a better guess for it than none. An
   operator with fewer points in all is left uncalibrated. Each case gives a bilingual
   message.
3. :func:`apply_calibration`: subtracts the correction from best-server rasters after the sweep.

The resolution effect
---------------------
A point is compared with the value of its raster cell: the engine computes a cell at its
nearest polar sample, so the prediction is that of a point up to half a cell diagonal away
(21 m at 30 m cells) and of the cell's land-cover class. Far from the site this is nothing
(0.01 decade at 2 km); near it the distance is poorly resolved and the antenna's vertical
pattern changes fast, which is why the fit leaves out points nearer than
``CalibrationParams.min_distance_m`` (100 m). Small-scale fading averages out only over many
points: a drive test's 1 s samples at 40 km/h are 11 m apart, so neighbouring points of one
cell are not independent and the confidence intervals are somewhat optimistic; averaging the
points of a cell (or thinning them to one per cell) before the fit is the remedy when the file
is that dense. A correction fitted at one resolution belongs to that resolution
(``CalibrationParams.grid_resolution_m``).

Censoring
---------
A phone reports an RSRP only where it holds a cell, down to about -125 to -140 dBm; "no
service" rows have none and are rejected by the reader. Where the true signal is near that
floor only the luckier (stronger) samples remain, so at the edge of coverage the measured values
are biased upwards and the engine looks pessimistic there. The fit does not model this
truncation: calibrate on areas of service, and read a negative slope fitted mostly on edge
points with that in mind.

The hook in the engine
----------------------
:func:`apply_calibration` corrects the best server's signal only, after the sweep. That is
exact for the offset, which is the same for every transmitter of one operator in one cell (it
depends on the operator and the cell's class), so it never changes which one is best. The slope
term depends on each transmitter's distance, so after correcting, a nearer second server could
be stronger than the corrected best one (with a positive slope, far servers lose more): the
corrected raster is then lower than the true calibrated best server by at most the difference
of the two slope terms. The exact hook belongs in the kernel: in
``gis.radio._kernels.apply_transmitter``, for transmitter ``t`` (operator ``o``) at cell
``(r, c)`` with distance ``d`` and class ``k = landcover[r, c]`` (:data:`~gis.radio.
calibration_params.NO_CLASS` when none), compute ``S -= off[o][k] + slope[o][k] *
log10(max(d, d_min) / d_ref)`` *before* the best-server comparison, with the tables of
:meth:`CalibrationParams.tables` per operator and technology passed in as plain arrays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from affine import Affine
from scipy.special import stdtrit

from gis.radio.calibration_params import CalibrationGroup, CalibrationParams, FitSettings
from gis.radio.coverage import CoverageResult, sample_grid
from gis.radio.params import CLUTTER_CLASSES
from gis.radio.robust import fold_ids, huber_fit

__all__ = [
    "POINT_COLUMNS",
    "REASONS",
    "CalibrationFit",
    "apply_calibration",
    "clutter_at",
    "fit_calibration",
    "predict_at_points",
]

#: Columns :func:`fit_calibration` reads in its point table.
POINT_COLUMNS = ("operator", "tech", "measured_dbm", "predicted_dbm", "distance_m",
                 "clutter_class")

#: Why a point is not in the fit: code -> (English, Vietnamese).
REASONS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "no_prediction": ("no predicted signal of its operator and technology there (outside the "
                      "computed area or every cell's radius)",
                      "không có tín hiệu dự báo của nhà mạng và công nghệ đó tại đây (ngoài "
                      "vùng tính hoặc ngoài bán kính mọi cell)"),
    "near_site": ("nearer the serving site than the minimum distance",
                  "gần trạm phục vụ hơn khoảng cách tối thiểu"),
    "few_points": ("its operator has too few measurements to calibrate",
                   "nhà mạng của điểm có quá ít điểm đo để hiệu chỉnh"),
}


@dataclass
class CalibrationFit:
    """What :func:`fit_calibration` found.

    Attributes
    ----------
    params
        The calibration (section ``calibration`` of the run parameters).
    groups
        One row per group fitted (``operator, clutter_class, calibration_group, techs,
        n_points, applied, offset_db, offset_se_db, offset_ci_db, slope_db_per_decade,
        slope_se_db, slope_ci_db, slope_fitted, rmse_before_db, rmse_after_db,
        mean_error_before_db, mean_error_after_db, rmse_cv_fit_db``).
    points
        The input points with ``used`` (bool), ``reason`` (a :data:`REASONS` code),
        ``calibration_group`` (``"Viettel"``, ``"Viettel / 40"``), ``error_before_db``
        (predicted - measured), ``error_after_db`` (the calibrated prediction - measured, with
        the applied correction) and ``cv_error_after_db`` (the same from the fit without the
        point's fold).
    messages
        ``(English, Vietnamese)`` notes: groups too small, slopes not fitted, groups whose
        correction did not help.
    """

    params: CalibrationParams
    groups: pd.DataFrame
    points: pd.DataFrame
    messages: list[tuple[str, str]] = field(default_factory=list)


# -- 1. predictions ---------------------------------------------------------------------------

def clutter_at(landcover: np.ndarray | None, transform: Affine, xy: np.ndarray) -> np.ndarray:
    """Land-cover code of the cells containing points ``xy`` ((n, 2), m); NaN outside / none."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if landcover is None:
        return np.full(len(xy), np.nan)
    return sample_grid(landcover, transform, xy)


def predict_at_points(coverage: CoverageResult, xy: np.ndarray, operator: np.ndarray,
                      tech: np.ndarray, *, transmitters: pd.DataFrame | None = None,
                      ) -> pd.DataFrame:
    """The engine's best-server signal of each point's operator and technology.

    Parameters
    ----------
    coverage
        Best-server rasters of a run (``state.coverage``), in the analysis CRS.
    xy
        Point positions ``(n, 2)`` in ``coverage.crs``, m.
    operator, tech
        Each point's canonical operator and technology (``"4G"``...).
    transmitters
        The transmitter table the server rasters index (``coverage.transmitters`` when not
        given, e.g. for a result read back from GeoTIFFs).

    Returns
    -------
    DataFrame
        ``predicted_dbm`` (NaN where the raster has no signal or the point is outside it),
        ``server`` (row of the transmitter table, -1 when none), ``distance_m`` (horizontal
        distance from the server, m; NaN when none), on ``range(n)``.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    operator = np.asarray(operator, dtype=object)
    tech = np.asarray(tech, dtype=object)
    n = len(xy)
    tx = coverage.transmitters if transmitters is None else transmitters
    txy = (tx[["x", "y"]].to_numpy(dtype=float) if tx is not None and len(tx)
           else np.zeros((0, 2)))
    pred = np.full(n, np.nan)
    server = np.full(n, -1, dtype=np.int64)
    keys = pd.MultiIndex.from_arrays([operator.astype(str), tech.astype(str)])
    codes, uniques = keys.factorize()
    for i, (op, t) in enumerate(uniques):
        if (op, t) not in coverage.best_dbm:
            continue
        idx = np.flatnonzero(codes == i)
        pred[idx] = sample_grid(coverage.best_dbm[op, t], coverage.transform, xy[idx])
        srv = sample_grid(coverage.server[op, t], coverage.transform, xy[idx])
        server[idx] = np.where(np.isfinite(srv), srv, -1).astype(np.int64)
    ok = (server >= 0) & (server < len(txy))
    dist = np.full(n, np.nan)
    dist[ok] = np.hypot(*(xy[ok] - txy[server[ok]]).T)
    pred[server < 0] = np.nan
    return pd.DataFrame({"predicted_dbm": pred, "server": server, "distance_m": dist})


# -- 2. the fit --------------------------------------------------------------------------------

def _design(x: np.ndarray, slope: bool) -> np.ndarray:
    return np.column_stack([np.ones_like(x), x]) if slope else np.ones((len(x), 1))


def _coef(x: np.ndarray, e: np.ndarray, settings: FitSettings) -> tuple[np.ndarray, bool]:
    """(offset, slope) fitted on points ``x, e``, and whether the slope was fitted."""
    slope = bool(np.ptp(x) >= settings.min_distance_span_decades) if len(x) else False
    fit = huber_fit(_design(x, slope), e, k=settings.huber_k)
    return (fit.coef if slope else np.array([fit.coef[0], 0.0])), slope


def _fit_group(x: np.ndarray, e: np.ndarray, settings: FitSettings) -> dict:
    """The full fit of one group and its cross-validated errors."""
    n = len(x)
    slope = bool(np.ptp(x) >= settings.min_distance_span_decades)
    fit = huber_fit(_design(x, slope), e, k=settings.huber_k)
    p = 2 if slope else 1
    q = float(stdtrit(max(n - p, 1), 0.5 + settings.confidence / 2.0))  # Student t quantile
    se = fit.se
    folds = fold_ids(n, settings.cv_folds, settings.cv_seed)
    cv = np.empty(n)
    for f in range(settings.cv_folds):
        test = folds == f
        coef, _ = _coef(x[~test], e[~test], settings)
        cv[test] = e[test] - (coef[0] + coef[1] * x[test])
    rmse_before = float(np.sqrt(np.mean(e ** 2)))
    rmse_cv = float(np.sqrt(np.mean(cv ** 2)))
    applied = rmse_cv < rmse_before
    return {
        "offset_db": float(fit.coef[0]),
        "slope_db_per_decade": float(fit.coef[1]) if slope else 0.0,
        "offset_se_db": float(se[0]), "slope_se_db": float(se[1]) if slope else 0.0,
        "offset_ci_db": q * float(se[0]), "slope_ci_db": q * float(se[1]) if slope else 0.0,
        "slope_fitted": slope, "n_points": n, "applied": bool(applied),
        "rmse_before_db": rmse_before,
        "rmse_after_db": rmse_cv if applied else rmse_before,
        "mean_error_before_db": float(np.mean(e)),
        "mean_error_after_db": float(np.mean(cv)) if applied else float(np.mean(e)),
        "rmse_cv_fit_db": rmse_cv, "cv": cv,
    }


def fit_calibration(points: pd.DataFrame, *, settings: FitSettings | None = None,
                    reference_distance_m: float = 1000.0, min_distance_m: float = 100.0,
                    ) -> CalibrationFit:
    """Fit the calibration groups on a table of points (see the module text).

    Parameters
    ----------
    points
        One row per measurement with :data:`POINT_COLUMNS`: ``operator``, ``tech``,
        ``measured_dbm`` and ``predicted_dbm`` (dBm), ``distance_m`` to the serving
        transmitter (m), ``clutter_class`` (land-cover code, NaN without land cover).
    settings
        Folds, seed, minimum points, Huber constant, confidence (:class:`FitSettings`).
    reference_distance_m, min_distance_m
        ``d_ref`` and ``d_min`` of the model, m; points nearer than ``d_min`` are not fitted.

    Returns
    -------
    CalibrationFit
    """
    settings = settings or FitSettings()
    missing = [c for c in POINT_COLUMNS if c not in points]
    if missing:
        raise KeyError(f"points lack column(s) {missing}")
    pts = points.reset_index(drop=True).copy()
    meas = pts["measured_dbm"].to_numpy(dtype=float)
    pred = pts["predicted_dbm"].to_numpy(dtype=float)
    dist = pts["distance_m"].to_numpy(dtype=float)
    cls = pts["clutter_class"].to_numpy(dtype=float)
    ops = pts["operator"].astype(str).to_numpy()
    e = pred - meas
    x = np.log10(np.maximum(dist, min_distance_m) / reference_distance_m)
    reason = np.full(len(pts), "", dtype=object)
    reason[~(np.isfinite(pred) & np.isfinite(meas) & np.isfinite(dist))] = "no_prediction"
    reason[(reason == "") & (dist < min_distance_m)] = "near_site"
    group_label = np.full(len(pts), "", dtype=object)
    cv_after = np.full(len(pts), np.nan)
    rows: list[dict] = []
    groups: list[CalibrationGroup] = []
    messages: list[tuple[str, str]] = []
    mp = settings.min_points
    for op in sorted(set(ops)):
        mine = (ops == op) & (reason == "")
        n_op = int(mine.sum())
        if n_op < mp:
            reason[mine] = "few_points"
            messages.append((
                f"{op}: {n_op} usable measurement(s), fewer than {mp}: {op} is left "
                "uncalibrated (no correction).",
                f"{op}: {n_op} điểm đo dùng được, ít hơn {mp}: {op} không được hiệu chỉnh "
                "(không hiệu chỉnh)."))
            continue
        techs = tuple(sorted(set(pts.loc[mine, "tech"].astype(str))))
        candidates: list[tuple[int | None, np.ndarray]] = [(None, mine)]
        classes = cls[mine]
        present = np.unique(classes[np.isfinite(classes)]).astype(int)
        for c in present:
            in_c = mine & (cls == c)
            n_c = int(in_c.sum())
            if n_c == n_op:
                continue  # every point in one class: the operator's group is that class's
            if n_c >= mp:
                candidates.append((int(c), in_c))
            else:
                en, vi = CLUTTER_CLASSES.get(int(c), (str(c), str(c)))
                messages.append((
                    f"{op}, land cover {c} ({en}): {n_c} measurement(s), fewer than {mp}: no "
                    f"correction of its own; its cells take {op}'s correction for all classes "
                    "(its points count in that fit).",
                    f"{op}, lớp phủ {c} ({vi}): {n_c} điểm đo, ít hơn {mp}: không có hiệu chỉnh "
                    f"riêng; các ô của lớp này dùng hiệu chỉnh chung của {op} (các điểm của "
                    "lớp vẫn được dùng trong phép khớp đó)."))
        for c, sel in candidates:
            res = _fit_group(x[sel], e[sel], settings)
            label = op if c is None else f"{op} / {c}"
            if c is None:
                own = np.isin(cls, [cc for cc, _ in candidates if cc is not None])
                assign = sel & ~own
            else:
                assign = sel
            group_label[assign] = label
            cv_after[assign] = res["cv"][assign[sel]]
            if not res["slope_fitted"]:
                messages.append((
                    f"{label}: the distances span less than "
                    f"{settings.min_distance_span_decades:g} decade; only the offset was "
                    "fitted.",
                    f"{label}: khoảng cách trải dưới {settings.min_distance_span_decades:g} "
                    "decade; chỉ khớp độ lệch."))
            if not res["applied"]:
                messages.append((
                    f"{label}: the correction does not lower the cross-validated RMSE "
                    f"({res['rmse_cv_fit_db']:.2f} dB against {res['rmse_before_db']:.2f} dB "
                    "before): not applied.",
                    f"{label}: hiệu chỉnh không làm giảm RMSE kiểm định chéo "
                    f"({res['rmse_cv_fit_db']:.2f} dB so với {res['rmse_before_db']:.2f} dB "
                    "trước đó): không áp dụng."))
            kept = {k: v for k, v in res.items() if k not in ("cv", "rmse_cv_fit_db")}
            groups.append(CalibrationGroup(operator=op, clutter_class=c, techs=techs, **kept))
            rows.append({"operator": op, "clutter_class": c, "techs": "/".join(techs),
                         "calibration_group": label, **kept,
                         "rmse_cv_fit_db": res["rmse_cv_fit_db"]})
    used = reason == ""
    params = CalibrationParams(reference_distance_m=reference_distance_m,
                               min_distance_m=min_distance_m, groups=tuple(groups),
                               n_points=int(used.sum()), fit=settings)
    after = np.full(len(pts), np.nan)
    for (op, t), idx in pd.Series(range(len(pts))).groupby(
            [pts["operator"].astype(str), pts["tech"].astype(str)]).groups.items():
        idx = np.asarray(idx)
        corr = params.correction_db(op, t, dist[idx], cls[idx])
        after[idx] = e[idx] - corr
    applied_cv = np.where(np.isfinite(cv_after), cv_after, e)
    for g in groups:  # points of groups not applied keep their error
        if not g.applied:
            label = g.operator if g.clutter_class is None else f"{g.operator} / {g.clutter_class}"
            applied_cv[group_label == label] = e[group_label == label]
    pts["used"] = used
    pts["reason"] = reason
    pts["calibration_group"] = group_label
    pts["error_before_db"] = e
    pts["error_after_db"] = np.where(np.isfinite(e), after, np.nan)
    pts["cv_error_after_db"] = np.where(used, applied_cv, np.nan)
    table = pd.DataFrame(rows, columns=[
        "operator", "clutter_class", "calibration_group", "techs", "n_points", "applied",
        "offset_db", "offset_se_db", "offset_ci_db", "slope_db_per_decade", "slope_se_db", "slope_ci_db",
        "slope_fitted", "rmse_before_db", "rmse_after_db", "mean_error_before_db",
        "mean_error_after_db", "rmse_cv_fit_db"])
    return CalibrationFit(params=params, groups=table, points=pts, messages=messages)


# -- 3. the correction of the rasters -------------------------------------------------------------

def apply_calibration(coverage_result: CoverageResult, calibration: CalibrationParams,
                      landcover: np.ndarray | None = None,
                      transmitters: pd.DataFrame | None = None) -> CoverageResult:
    """Best-server rasters with the calibration subtracted (a new result; the input is kept).

    For every ``(operator, tech)`` raster with a group covering it, every cell with a server
    gets ``S - offset[o, c] - slope[o, c] log10(max(d, d_min) / d_ref)``, with ``d`` the
    distance from the cell centre to its serving transmitter and ``c`` the cell's land-cover
    class (:mod:`gis.radio.calibration_params`). Exact for the best server's signal; the best
    server itself may change under a slope (see "The hook in the engine" in the module text).

    Parameters
    ----------
    coverage_result
        The sweep's best-server rasters.
    calibration
        The groups (``RunParams.calibration``); no applied group: the input is returned.
    landcover
        Land-cover codes on the coverage grid (float, NaN for none), or ``None``.
    transmitters
        The transmitter table the server rasters index; ``coverage_result.transmitters`` when
        not given.

    Returns
    -------
    CoverageResult
        The same grid, servers and transmitters with corrected ``best_dbm`` (float32) and
        ``power_sum_mw`` (each carrier sum of an operator and technology scaled by the cell's
        correction, so that the speed stage's SINR sees the signal and its interference on
        one footing: exact for an offset, for a slope the interferers take the best server's
        distance); the ``rasters`` paths are dropped (the files hold the uncorrected signal).
    """
    if not calibration.active:
        return coverage_result
    tx = coverage_result.transmitters if transmitters is None else transmitters
    txy = tx[["x", "y"]].to_numpy(dtype=float) if tx is not None and len(tx) else np.zeros((0, 2))
    tr = coverage_result.transform
    best: dict[tuple[str, str], np.ndarray] = {}
    sums = dict(coverage_result.power_sum_mw)
    for key in coverage_result.keys:
        op, tech = key
        arr = coverage_result.best_dbm[key]
        offset, slope = calibration.tables(op, tech)
        if not (offset.any() or slope.any()):
            best[key] = arr
            continue
        srv = coverage_result.server[key]
        rows, cols = np.nonzero((srv >= 0) & (srv < len(txy)) & np.isfinite(arr))
        s = srv[rows, cols]
        cx = tr.c + (cols + 0.5) * tr.a
        cy = tr.f + (rows + 0.5) * tr.e
        d = np.hypot(cx - txy[s, 0], cy - txy[s, 1])
        cls = landcover[rows, cols] if landcover is not None else None
        corr = calibration.correction_db(op, tech, d, cls).astype(np.float32)
        out = np.array(arr, dtype=np.float32, copy=True)
        out[rows, cols] -= corr
        best[key] = out
        for pkey, total in coverage_result.power_sum_mw.items():
            if pkey[:2] == key:   # the carrier sums of this operator and technology
                scaled = np.array(total, dtype=np.float32, copy=True)
                scaled[rows, cols] *= np.power(10.0, -corr / 10.0).astype(np.float32)
                sums[pkey] = scaled
    return dataclasses.replace(coverage_result, best_dbm=best, power_sum_mw=sums, rasters={})
