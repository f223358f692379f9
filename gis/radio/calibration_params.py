"""Calibration of the coverage model on measurements: the parameters (section ``calibration``).

A light leaf module (the standard library, numpy and :mod:`gis.errors`), so that the run
parameters and the app import it without numba or scipy. The fit that fills it is
:func:`gis.radio.calibration.fit_calibration`; :func:`gis.radio.calibration.apply_calibration`
applies it to best-server rasters.

The model
---------
For a cell (or a measurement point) served by a transmitter of operator ``o`` at horizontal
distance ``d`` (m), in a cell whose land-cover class is ``c``, the engine's signal ``S`` (dBm;
RSRP for 4G/5G) is corrected to::

    S_cal = S - offset[o, c] - slope[o, c] * log10(max(d, d_min) / d_ref)      [dBm]

``offset`` (dB) is the engine's error at the reference distance ``d_ref`` (positive: the engine
is optimistic there) and ``slope`` (dB per decade of distance) how that error grows with the
distance: a positive slope means the engine's path loss rises too slowly with distance (its
distance exponent is too small by ``slope / 10``). With ``slope = 0`` the correction is a
constant offset, the usual "model tuning" of planning tools on drive tests. The groups are per
operator and land-cover class; a class without a group of its own uses the operator's group for
all classes (``clutter_class = None``), and an operator without a group is not corrected. A
group that did not lower the cross-validated error (``applied = False``) corrects nothing: its
fitted values are kept for the record only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gis.errors import ValidationError

__all__ = ["NO_CLASS", "CalibrationGroup", "CalibrationParams", "FitSettings"]

#: Index of "no land-cover class" (no raster, nodata, or a class without a group of its own) in
#: the lookup tables of :meth:`CalibrationParams.tables`; land-cover codes are 0-255.
NO_CLASS = 256

_TECHS = ("2G", "3G", "4G", "5G")


def _bad(name: str, en: str, vi: str) -> ValidationError:
    return ValidationError(f"calibration.{name}: {en}", f"calibration.{name}: {vi}",
                           fix="Change the value in the calibration section of params.json, or "
                           "fit it again with `python -m gis calibrate`.",
                           fix_vi="Sửa giá trị trong phần calibration của params.json, hoặc "
                           "hiệu chỉnh lại bằng `python -m gis calibrate`.")


def _finite(name: str, value: object) -> None:
    if not (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value)):
        raise _bad(name, f"{value!r} is not a finite number.", f"{value!r} không phải số hữu hạn.")


@dataclass(frozen=True)
class FitSettings:
    """How the calibration was fitted (:func:`gis.radio.calibration.fit_calibration`).

    Attributes
    ----------
    cv_folds
        Folds of the cross-validation, ``k`` (5): every point is predicted once by a fit on the
        other 4/5, the usual bias / variance compromise (Hastie, Tibshirani & Friedman, The
        Elements of Statistical Learning, 2nd ed., section 7.10).
    cv_seed
        Seed of the random fold assignment (numpy ``default_rng``), so that a fit is
        reproducible.
    min_points
        Fewest usable measurements of a group (30). Below it the group gets no correction of its
        own: a land-cover class falls back to its operator's correction for all classes, an
        operator below it is left uncalibrated. With 30 points and the 6-8 dB spread of
        shadow fading the offset is known to about ±2.5 dB (95 %), and 5-fold validation keeps
        6 points per fold.
    huber_k
        Huber's tuning constant, in robust standard deviations (1.345): 95 % efficiency under
        Gaussian errors while residuals beyond 1.345 s count linearly, not squared (Huber 1964;
        Holland & Welsch 1977). Drive tests carry such outliers: indoor or in-car points,
        GPS jumps, a phone camped on a far cell.
    confidence
        Level of the confidence intervals reported (0.95), Student t with n - p degrees of
        freedom on the Huber estimate's standard errors.
    min_distance_span_decades
        The distance slope is fitted only when the group's distances span at least this many
        decades (0.3, a factor 2); otherwise only the offset is fitted (a slope from a narrow
        span is noise).
    """

    cv_folds: int = 5
    cv_seed: int = 20260101
    min_points: int = 30
    huber_k: float = 1.345
    confidence: float = 0.95
    min_distance_span_decades: float = 0.3

    def __post_init__(self) -> None:
        if not (isinstance(self.cv_folds, int) and 2 <= self.cv_folds <= 20):
            raise _bad("fit.cv_folds", f"must be an integer 2-20, got {self.cv_folds!r}.",
                       f"phải là số nguyên 2-20, nhận {self.cv_folds!r}.")
        if not isinstance(self.cv_seed, int) or isinstance(self.cv_seed, bool):
            raise _bad("fit.cv_seed", f"must be an integer, got {self.cv_seed!r}.",
                       f"phải là số nguyên, nhận {self.cv_seed!r}.")
        if not (isinstance(self.min_points, int) and self.min_points >= 2 * self.cv_folds):
            raise _bad("fit.min_points", f"must be an integer >= 2 x cv_folds "
                       f"({2 * self.cv_folds}), got {self.min_points!r}.",
                       f"phải là số nguyên >= 2 x cv_folds ({2 * self.cv_folds}), nhận "
                       f"{self.min_points!r}.")
        _finite("fit.huber_k", self.huber_k)
        if not 0.5 <= self.huber_k <= 10:
            raise _bad("fit.huber_k", f"must be 0.5-10, got {self.huber_k!r}.",
                       f"phải trong 0,5-10, nhận {self.huber_k!r}.")
        _finite("fit.confidence", self.confidence)
        if not 0.5 <= self.confidence < 1:
            raise _bad("fit.confidence", f"must be in [0.5, 1), got {self.confidence!r}.",
                       f"phải trong [0,5; 1), nhận {self.confidence!r}.")
        _finite("fit.min_distance_span_decades", self.min_distance_span_decades)
        if self.min_distance_span_decades < 0:
            raise _bad("fit.min_distance_span_decades", "must be >= 0.", "phải >= 0.")


@dataclass(frozen=True)
class CalibrationGroup:
    """The fitted correction of one operator and land-cover class, with its statistics.

    Attributes
    ----------
    operator
        Canonical operator name (``Viettel``, ``VinaPhone``, ...).
    clutter_class
        ESA WorldCover class code (0-255) of the receiver cell, or ``None``: every class of the
        operator without a group of its own (and every cell when there is no land cover). The
        ``None`` group is fitted on all of the operator's points, so its statistics are those
        of the operator as a whole.
    techs
        Technologies the measurements were of; the correction applies only to them (a fit on
        4G drive tests says nothing of the 5G model at 3.5 GHz). Empty: every technology.
    applied
        Whether the correction is used: True when it lowered the cross-validated RMSE.
    offset_db, slope_db_per_decade
        The correction of the module formula, dB and dB per decade of distance.
    offset_se_db, slope_se_db
        Standard errors of the Huber estimate (the H1 sandwich form, Huber 1981 section 7.6), dB.
    offset_ci_db, slope_ci_db
        Half widths of the confidence intervals at :attr:`FitSettings.confidence`, dB.
    slope_fitted
        False when the distances spanned too little for a slope (only the offset was fitted).
    n_points
        Measurements of the group the fit used.
    rmse_before_db, rmse_after_db
        Root-mean-square error of the prediction (predicted - measured) before calibration and
        after it, the latter cross-validated (each point predicted by the fit without its fold);
        equal when the group is not applied, dB.
    mean_error_before_db, mean_error_after_db
        The mean of predicted - measured, before and after (cross-validated), dB; positive: the
        engine is optimistic.
    """

    operator: str
    clutter_class: int | None = None
    techs: tuple[str, ...] = ()
    applied: bool = True
    offset_db: float = 0.0
    slope_db_per_decade: float = 0.0
    offset_se_db: float = 0.0
    slope_se_db: float = 0.0
    offset_ci_db: float = 0.0
    slope_ci_db: float = 0.0
    slope_fitted: bool = True
    n_points: int = 0
    rmse_before_db: float = 0.0
    rmse_after_db: float = 0.0
    mean_error_before_db: float = 0.0
    mean_error_after_db: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.operator, str) and self.operator.strip()):
            raise _bad("groups.operator", f"must be an operator name, got {self.operator!r}.",
                       f"phải là tên nhà mạng, nhận {self.operator!r}.")
        if self.clutter_class is not None and not (
                isinstance(self.clutter_class, int) and not isinstance(self.clutter_class, bool)
                and 0 <= self.clutter_class <= 255):
            raise _bad("groups.clutter_class", f"must be a land-cover code 0-255 or null, got "
                       f"{self.clutter_class!r}.",
                       f"phải là mã lớp phủ 0-255 hoặc null, nhận {self.clutter_class!r}.")
        techs = tuple(str(t).upper() for t in self.techs)
        bad = [t for t in techs if t not in _TECHS]
        if bad:
            raise _bad("groups.techs", f"{bad} are not technologies; valid: "
                       f"{', '.join(_TECHS)}.",
                       f"{bad} không phải công nghệ; hợp lệ: {', '.join(_TECHS)}.")
        object.__setattr__(self, "techs", tuple(sorted(set(techs))))
        for name in ("offset_db", "slope_db_per_decade", "offset_se_db", "slope_se_db",
                     "offset_ci_db", "slope_ci_db", "rmse_before_db", "rmse_after_db",
                     "mean_error_before_db", "mean_error_after_db"):
            _finite(f"groups.{name}", getattr(self, name))
        if not isinstance(self.n_points, int) or self.n_points < 0:
            raise _bad("groups.n_points", f"must be an integer >= 0, got {self.n_points!r}.",
                       f"phải là số nguyên >= 0, nhận {self.n_points!r}.")

    @property
    def key(self) -> tuple[str, int | None]:
        """``(operator, clutter_class)``."""
        return self.operator, self.clutter_class

    def covers(self, tech: str) -> bool:
        """Whether the group's correction is for technology ``tech``."""
        return not self.techs or str(tech).upper() in self.techs


@dataclass(frozen=True)
class CalibrationParams:
    """The calibration of the coverage model on measurements (section ``calibration``).

    The formula and the groups are in the module text. No groups (the default): no correction.

    Attributes
    ----------
    reference_distance_m
        ``d_ref`` of the formula (1000 m): the offset is the error at 1 km, the distance the
        Hata models are normalised at (their ``log10(d / 1 km)`` term).
    min_distance_m
        ``d_min`` (100 m): nearer cells get the correction at 100 m. The fit uses no point
        nearer: there a 30 m cell's centre is up to 21 m (0.09 decade) from the point and the
        antenna's vertical pattern changes fast.
    groups
        The fitted groups (:class:`CalibrationGroup`), one per operator and land-cover class.
    fitted_on
        Date of the fit (ISO 8601).
    measurements
        Name of the measurement file(s) the fit used.
    n_points
        Measurements used by the fit, all groups.
    grid_resolution_m
        Cell size of the coverage rasters the measurements were compared with (m): the
        correction belongs to the model at that resolution.
    fit
        How the fit was done (:class:`FitSettings`).
    """

    reference_distance_m: float = 1000.0
    min_distance_m: float = 100.0
    groups: tuple[CalibrationGroup, ...] = ()
    fitted_on: str = ""
    measurements: str = ""
    n_points: int = 0
    grid_resolution_m: float = 0.0
    fit: FitSettings = field(default_factory=FitSettings)

    def __post_init__(self) -> None:
        for name in ("reference_distance_m", "min_distance_m", "grid_resolution_m"):
            _finite(name, getattr(self, name))
        if self.reference_distance_m <= 0 or self.min_distance_m <= 0:
            raise _bad("reference_distance_m", "reference_distance_m and min_distance_m must be "
                       "> 0 m.", "reference_distance_m và min_distance_m phải > 0 m.")
        groups = tuple(self.groups)
        if not all(isinstance(g, CalibrationGroup) for g in groups):
            raise _bad("groups", "must be a list of groups.", "phải là danh sách các nhóm.")
        keys = [g.key for g in groups]
        twice = sorted({str(k) for k in keys if keys.count(k) > 1})
        if twice:
            raise _bad("groups", f"operator and clutter class given twice: {', '.join(twice)}.",
                       f"nhà mạng và lớp phủ bị lặp: {', '.join(twice)}.")
        object.__setattr__(self, "groups", groups)

    @property
    def active(self) -> bool:
        """Whether any group corrects anything."""
        return any(g.applied for g in self.groups)

    def group(self, operator: str, clutter_class: int | None = None) -> CalibrationGroup | None:
        """The group of ``operator`` and ``clutter_class``, or ``None``."""
        return next((g for g in self.groups if g.key == (operator, clutter_class)), None)

    def tables(self, operator: str, tech: str) -> tuple[np.ndarray, np.ndarray]:
        """Offset (dB) and slope (dB/decade) by land-cover code for one operator and technology.

        Arrays of 257 floats: index = class code 0-255, :data:`NO_CLASS` (256) = no class. A
        class with a group of its own takes it (zero when that group is not applied); the others
        take the operator's group for all classes; zero when there is none.
        """
        offset, slope = np.zeros(NO_CLASS + 1), np.zeros(NO_CLASS + 1)
        mine = [g for g in self.groups if g.operator == operator and g.covers(tech)]
        wide = next((g for g in mine if g.clutter_class is None), None)
        if wide is not None and wide.applied:
            offset[:], slope[:] = wide.offset_db, wide.slope_db_per_decade
        for g in mine:
            if g.clutter_class is not None:
                on = g.applied
                offset[g.clutter_class] = g.offset_db if on else 0.0
                slope[g.clutter_class] = g.slope_db_per_decade if on else 0.0
        return offset, slope

    def correction_db(self, operator: str, tech: str, distance_m: np.ndarray,
                      clutter_class: np.ndarray | None = None) -> np.ndarray:
        """``offset + slope log10(max(d, d_min) / d_ref)`` (dB) to subtract from the signal.

        Parameters
        ----------
        operator, tech
            The serving transmitter's operator and technology.
        distance_m
            Horizontal distances to the serving transmitter, m (NaN gives NaN).
        clutter_class
            Land-cover codes of the receiver cells (floats with NaN for none, or ints); ``None``:
            no land cover.
        """
        d = np.asarray(distance_m, dtype=float)
        offset, slope = self.tables(operator, tech)
        if clutter_class is None:
            idx = np.full(d.shape, NO_CLASS, dtype=np.intp)
        else:
            c = np.asarray(clutter_class, dtype=float)
            ok = np.isfinite(c) & (c >= 0) & (c <= 255)
            idx = np.where(ok, np.nan_to_num(c), NO_CLASS).astype(np.intp)
        x = np.log10(np.maximum(d, self.min_distance_m) / self.reference_distance_m)
        return offset[idx] + slope[idx] * x
