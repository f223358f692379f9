"""The ITS Irregular Terrain Model (ITM, Longley-Rice), version 1.2.2, point-to-point mode.

ITM predicts the basic transmission loss over irregular terrain for 20 MHz-20 GHz: free space
plus a reference attenuation ``A_ref`` from two-ray, knife-edge / smooth-earth diffraction or
troposcatter, chosen by distance against the path's horizons, and a variability in time,
location and situation. This is our numba implementation of NTIA's reference (C++ v1.4 at
github.com/NTIA/itm, "functionally identical to version 1.2.2 of the FORTRAN"): the tests
compare it with NTIA's code built from source, to 1e-3 dB, on NTIA's published examples and
on paths covering line of sight, one and two horizons, troposcatter distances, 150-3500 MHz,
both polarizations, every climate and mode of variability.

.. math::
    A = A_{fs} + V(A_{ref}) ,\\qquad A_{fs} = 32.45 + 20\\log_{10} f_{MHz} + 20\\log_{10} d_{km}

References: G. A. Hufford, *The ITS Irregular Terrain Model, version 1.2.2: the Algorithm*
(NTIA, 1995); A. G. Longley & P. L. Rice, *Prediction of tropospheric radio transmission loss
over irregular terrain*, ESSA Tech. Report ERL 79-ITS 67 (1968); P. L. Rice et al., NBS
Technical Note 101 (1967).

Inputs and ranges
-----------------
The terrain profile has a uniform step (NTIA's PFL format), the transmitter at distance 0.
NTIA's hard limits raise a bilingual :class:`gis.errors.ValidationError` naming the parameter
and its range (frequency 20-20000 MHz, antenna heights 0.5-3000 m, N_0 250-400 N-units,
climate 1-7, epsilon >= 1, sigma > 0, mdvar 0-3 / 10-13 / 20-23 / 30-33, percentages strictly
between 0 and 100). ITM's warnings (path under 1 km, frequency outside 40-10000 MHz, heights
outside 1-1000 m, large horizon angles, odd horizon distances, extreme variabilities, low
surface refractivity) are returned in :attr:`ItmResult.warnings`, never dropped.

Examples
--------
A 10 km path over gentle hills at 900 MHz:

>>> import numpy as np
>>> x = np.arange(101) * 100.0
>>> z = 20.0 + 15.0 * np.sin(x / 1500.0)
>>> r = itm_p2p(z, 100.0, freq_mhz=900.0, tx_height_m=30.0, rx_height_m=1.5)
>>> r.mode, round(r.path_loss_db, 2), round(r.free_space_db, 2), r.warning_names
('line_of_sight', 111.51, 111.53, ())
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis.errors import ValidationError
from gis.radio import _itm
from gis.radio.itm_params import ItmParams, check_itm_inputs

__all__ = [
    "MODES",
    "WARNINGS",
    "ItmResult",
    "error_text",
    "itm_p2p",
    "ray_losses_db",
    "uniform_profile",
    "warning_names",
]

#: Propagation mode code -> name (NTIA Enums.h).
MODES: dict[int, str] = {0: "not_set", 1: "line_of_sight", 2: "diffraction", 3: "troposcatter"}

#: Bilingual names of the modes.
MODE_LABELS: dict[str, tuple[str, str]] = {
    "not_set": ("not computed", "không tính được"),
    "line_of_sight": ("line of sight", "nhìn thẳng"),
    "diffraction": ("diffraction", "nhiễu xạ"),
    "troposcatter": ("troposcatter", "tán xạ tầng đối lưu"),
}

#: Warning flag -> (name, English, Vietnamese), NTIA Warnings.h / ERRORS_AND_WARNINGS.md.
WARNINGS: dict[int, tuple[str, str, str]] = {
    _itm.WARN_TX_TERMINAL_HEIGHT: (
        "tx_terminal_height", "transmitter height is near its limits (outside 1-1000 m)",
        "độ cao anten phát gần giới hạn (ngoài 1-1000 m)"),
    _itm.WARN_RX_TERMINAL_HEIGHT: (
        "rx_terminal_height", "receiver height is near its limits (outside 1-1000 m)",
        "độ cao anten thu gần giới hạn (ngoài 1-1000 m)"),
    _itm.WARN_FREQUENCY: (
        "frequency", "frequency is near its limits (outside 40-10000 MHz)",
        "tần số gần giới hạn (ngoài 40-10000 MHz)"),
    _itm.WARN_PATH_DISTANCE_TOO_BIG_1: (
        "path_distance_too_big_1", "path distance is near its upper limit (over 1000 km)",
        "khoảng cách gần giới hạn trên (trên 1000 km)"),
    _itm.WARN_PATH_DISTANCE_TOO_BIG_2: (
        "path_distance_too_big_2", "path distance is large (over 2000 km): care must be taken",
        "khoảng cách rất lớn (trên 2000 km): cần thận trọng"),
    _itm.WARN_PATH_DISTANCE_TOO_SMALL_1: (
        "path_distance_too_small_1",
        "path distance is near its lower limit (under |h_e,tx - h_e,rx| / 0.2)",
        "khoảng cách gần giới hạn dưới (dưới |h_e,phát - h_e,thu| / 0,2)"),
    _itm.WARN_PATH_DISTANCE_TOO_SMALL_2: (
        "path_distance_too_small_2", "path distance is small (under 1 km): care must be taken",
        "khoảng cách nhỏ (dưới 1 km): cần thận trọng"),
    _itm.WARN_TX_HORIZON_ANGLE: (
        "tx_horizon_angle", "transmitter horizon angle is large (over 0.2 rad): small-angle "
        "approximations could break down",
        "góc chân trời phía phát lớn (trên 0,2 rad): phép xấp xỉ góc nhỏ có thể sai"),
    _itm.WARN_RX_HORIZON_ANGLE: (
        "rx_horizon_angle", "receiver horizon angle is large (over 0.2 rad): small-angle "
        "approximations could break down",
        "góc chân trời phía thu lớn (trên 0,2 rad): phép xấp xỉ góc nhỏ có thể sai"),
    _itm.WARN_TX_HORIZON_DISTANCE_1: (
        "tx_horizon_distance_1",
        "transmitter horizon is closer than 1/10 of the smooth-earth horizon",
        "chân trời phía phát gần hơn 1/10 chân trời mặt đất phẳng"),
    _itm.WARN_RX_HORIZON_DISTANCE_1: (
        "rx_horizon_distance_1",
        "receiver horizon is closer than 1/10 of the smooth-earth horizon",
        "chân trời phía thu gần hơn 1/10 chân trời mặt đất phẳng"),
    _itm.WARN_TX_HORIZON_DISTANCE_2: (
        "tx_horizon_distance_2",
        "transmitter horizon is farther than 3 times the smooth-earth horizon",
        "chân trời phía phát xa hơn 3 lần chân trời mặt đất phẳng"),
    _itm.WARN_RX_HORIZON_DISTANCE_2: (
        "rx_horizon_distance_2",
        "receiver horizon is farther than 3 times the smooth-earth horizon",
        "chân trời phía thu xa hơn 3 lần chân trời mặt đất phẳng"),
    _itm.WARN_EXTREME_VARIABILITIES: (
        "extreme_variabilities",
        "a time, location or situation percentage is far in the tail of its distribution",
        "một phần trăm thời gian, vị trí hoặc tình huống nằm xa ở đuôi phân bố"),
    _itm.WARN_SURFACE_REFRACTIVITY: (
        "surface_refractivity",
        "surface refractivity N_s is small (under 250 N-units): care must be taken",
        "chiết suất bề mặt N_s nhỏ (dưới 250 đơn vị N): cần thận trọng"),
}

#: Bilingual text of the ITM errors that only the computation can meet (the input errors are
#: caught before, with their ranges, by :mod:`gis.radio.itm_params`).
_ERRORS: dict[int, tuple[str, str]] = {
    _itm.ERROR_SURFACE_REFRACTIVITY_SMALL: (
        "the surface refractivity N_s of the path is under 150 N-units (mean path height "
        "too high for N_0)",
        "chiết suất bề mặt N_s của tuyến dưới 150 đơn vị N (độ cao trung bình quá lớn)"),
    _itm.ERROR_SURFACE_REFRACTIVITY_LARGE: (
        "the surface refractivity N_s of the path is over 400 N-units (a path below sea level "
        "with a high N_0)",
        "chiết suất bề mặt N_s của tuyến trên 400 đơn vị N (tuyến dưới mực nước biển với "
        "N_0 lớn)"),
    _itm.ERROR_EFFECTIVE_EARTH: (
        "the effective earth radius is outside 4000-13333 km",
        "bán kính trái đất hiệu dụng ngoài 4000-13333 km"),
    _itm.ERROR_GROUND_IMPEDANCE: (
        "the ground impedance is invalid (imaginary part above the real part)",
        "trở kháng đất không hợp lệ (phần ảo lớn hơn phần thực)"),
    _itm.ERROR_PROFILE_NOT_FINITE: (
        "an elevation of the profile is NaN or infinite",
        "một độ cao của mặt cắt là NaN hoặc vô hạn"),
    _itm.ERROR_PROFILE_STEP: (
        "the profile step is not a number > 0 m", "bước mặt cắt không phải số > 0 m"),
}


def warning_names(flags: int) -> tuple[str, ...]:
    """The names of the warning flags set in ``flags``, in flag order.

    >>> warning_names(0x0040 | 0x0400)
    ('path_distance_too_small_2', 'rx_horizon_distance_1')
    """
    return tuple(WARNINGS[bit][0] for bit in sorted(WARNINGS) if flags & bit)


@dataclass(frozen=True)
class ItmResult:
    """Result of one ITM point-to-point prediction (NTIA's outputs and intermediate values).

    Attributes
    ----------
    path_loss_db
        Basic transmission loss A, dB.
    mode
        ``line_of_sight``, ``diffraction`` or ``troposcatter``.
    warnings
        NTIA's warning flags (bit field); :attr:`warning_names` names them.
    free_space_db
        Free-space basic transmission loss A_fs, dB.
    a_ref_db
        Reference attenuation A_ref (the loss over free space before variability), dB.
    d_km
        Path length, km.
    theta_hzn_rad
        Horizon angles (transmitter, receiver), rad.
    d_hzn_m
        Horizon distances (transmitter, receiver), m.
    h_e_m
        Effective antenna heights (transmitter, receiver), m.
    n_s_n_units
        Surface refractivity N_s of the path, N-units.
    delta_h_m
        Terrain irregularity parameter delta_h, m.
    """

    path_loss_db: float
    mode: str
    warnings: int
    free_space_db: float
    a_ref_db: float
    d_km: float
    theta_hzn_rad: tuple[float, float]
    d_hzn_m: tuple[float, float]
    h_e_m: tuple[float, float]
    n_s_n_units: float
    delta_h_m: float

    @property
    def warning_names(self) -> tuple[str, ...]:
        """Names of the warnings raised (empty when none)."""
        return warning_names(self.warnings)

    def warning_messages(self, lang: str = "en") -> list[str]:
        """The warnings as sentences in ``lang`` (``"en"`` or ``"vi"``)."""
        col = 2 if lang == "vi" else 1
        return [WARNINGS[bit][col] for bit in sorted(WARNINGS) if self.warnings & bit]

    def mode_label(self, lang: str = "en") -> str:
        """The propagation mode in ``lang``."""
        return MODE_LABELS[self.mode][1 if lang == "vi" else 0]


def error_text(code: int) -> tuple[str, str]:
    """(English, Vietnamese) text of an ITM error code that only the computation can meet
    (e.g. 1021: the surface refractivity of the path under 150 N-units).

    >>> error_text(1022)[0].startswith("the surface refractivity N_s of the path is over 400")
    True
    """
    return _ERRORS.get(code, (f"NTIA error {code}", f"lỗi NTIA {code}"))


def _itm_error(code: int) -> ValidationError:
    en, vi = error_text(code)
    return ValidationError(
        f"ITM cannot compute this path: {en} (NTIA error {code}).",
        f"ITM không tính được tuyến này: {vi} (lỗi NTIA {code}).",
        fix="Check the profile elevations (metres above sea level, no nodata values) and the "
        "ITM parameters.",
        fix_vi="Kiểm tra độ cao mặt cắt (mét so với mực nước biển, không có giá trị nodata) "
        "và các tham số ITM.",
    )


def uniform_profile(distance_m: np.ndarray, elevation_m: np.ndarray, *,
                    resample_step_m: float | None = None,
                    rtol: float = 0.01) -> tuple[np.ndarray, float]:
    """A terrain profile as ITM takes it: ``(elevations, step)``, uniform step, m.

    Parameters
    ----------
    distance_m
        Distances from the transmitter, m: start at 0, strictly increasing.
    elevation_m
        Ground elevations above sea level, m, finite (fill DEM nodata first).
    resample_step_m
        When given, the profile is linearly interpolated onto a uniform grid of about this
        step (m; the step is adjusted so that the grid ends exactly at the receiver). When not,
        the steps must be uniform within ``rtol`` (1 %: distances rounded to decimetres in a
        CSV) and the mean step is used; otherwise the error suggests resampling.

    Returns
    -------
    tuple
        ``(z, step_m)``: float64 elevations (m) at ``k * step_m``, the receiver last.

    Examples
    --------
    >>> z, step = uniform_profile([0.0, 50.0, 100.0], [10.0, 12.0, 11.0])
    >>> step, z.tolist()
    (50.0, [10.0, 12.0, 11.0])
    """
    d = np.asarray(distance_m, dtype=float).ravel()
    z = np.asarray(elevation_m, dtype=float).ravel()
    if d.shape != z.shape:
        raise ValidationError(
            f"Profile: {d.size} distances but {z.size} elevations.",
            f"Mặt cắt: {d.size} khoảng cách nhưng {z.size} độ cao.",
        )
    if d.size < 2:
        raise ValidationError(
            f"Profile: {d.size} point(s); ITM needs at least two (transmitter and receiver).",
            f"Mặt cắt: {d.size} điểm; ITM cần ít nhất hai điểm (phát và thu).",
            fix="Give the ground elevation from the transmitter (distance 0) to the receiver.",
            fix_vi="Nhập độ cao mặt đất từ anten phát (khoảng cách 0) đến anten thu.",
        )
    bad = np.flatnonzero(~np.isfinite(d))
    if bad.size:
        raise ValidationError(
            "Profile: distance_m is missing or not a number.",
            "Mặt cắt: distance_m bị thiếu hoặc không phải số.", rows=bad,
            fix="Give a number of metres on every row.",
            fix_vi="Nhập số mét ở mọi dòng.")
    bad = np.flatnonzero(~np.isfinite(z))
    if bad.size:
        raise ValidationError(
            "Profile: elevation_m is missing or not a number (NaN).",
            "Mặt cắt: elevation_m bị thiếu hoặc không phải số (NaN).", rows=bad,
            fix="Fill the DEM nodata (e.g. interpolate from the neighbours) before extracting "
            "the profile.",
            fix_vi="Lấp giá trị nodata của DEM (ví dụ nội suy từ điểm lân cận) trước khi lấy "
            "mặt cắt.")
    bad = np.flatnonzero(d < 0)
    if bad.size:
        raise ValidationError(
            "Profile: distance_m is negative; distances are measured from the transmitter.",
            "Mặt cắt: distance_m âm; khoảng cách tính từ anten phát.", rows=bad,
            fix="Give distances >= 0, the transmitter at 0.",
            fix_vi="Nhập khoảng cách >= 0, anten phát ở 0.")
    steps = np.diff(d)
    bad = np.flatnonzero(steps <= 0) + 1
    if bad.size:
        raise ValidationError(
            "Profile: distance_m must increase strictly from the transmitter to the receiver.",
            "Mặt cắt: distance_m phải tăng dần từ anten phát đến anten thu.", rows=bad,
            fix="Sort the rows by distance and remove repeated distances.",
            fix_vi="Sắp xếp các dòng theo khoảng cách và bỏ khoảng cách trùng.")
    if d[0] != 0.0:
        raise ValidationError(
            f"Profile: the first distance is {d[0]:g} m; the transmitter must be at 0 m.",
            f"Mặt cắt: khoảng cách đầu tiên là {d[0]:g} m; anten phát phải ở 0 m.", rows=[0],
            fix="Start the profile at the transmitter (distance 0).",
            fix_vi="Bắt đầu mặt cắt tại anten phát (khoảng cách 0).")
    if resample_step_m is not None:
        if not (np.isfinite(resample_step_m) and resample_step_m > 0):
            raise ValidationError(
                f"Profile: resample step = {resample_step_m!r} m; it must be > 0 m.",
                f"Mặt cắt: bước nội suy = {resample_step_m!r} m; phải > 0 m.")
        n_int = max(1, round(d[-1] / resample_step_m))
        grid = np.linspace(0.0, d[-1], n_int + 1)
        return np.interp(grid, d, z), float(d[-1] / n_int)
    step = float(d[-1] / (d.size - 1))
    worst = int(np.argmax(np.abs(steps - step)))
    if abs(steps[worst] - step) > rtol * step:
        raise ValidationError(
            f"Profile: the distance step is not uniform (mean {step:g} m, {steps[worst]:g} m "
            f"before row {worst + 2}); ITM takes a profile at a uniform step.",
            f"Mặt cắt: bước khoảng cách không đều (trung bình {step:g} m, {steps[worst]:g} m "
            f"trước dòng {worst + 2}); ITM cần mặt cắt có bước đều.", rows=[worst + 1],
            fix="Resample the profile at a uniform step (the pathloss command: --resample-m "
            "STEP interpolates linearly).",
            fix_vi="Nội suy lại mặt cắt với bước đều (lệnh pathloss: --resample-m BƯỚC nội suy "
            "tuyến tính).")
    return np.ascontiguousarray(z), step


def _kernel_args(z: np.ndarray, step_m: float, freq_mhz: float, tx_height_m: float,
                 rx_height_m: float, params: ItmParams, *, what: tuple[str, str]) -> tuple:
    """Check a terrain profile and the radio inputs; the leading arguments of the kernels.

    ``z`` (elevations, m) must be finite and ``step_m`` > 0; ``what`` names the profile in the
    messages, (English, Vietnamese). Returns ``(z, step, h_tx, h_rx, climate, N_0, f,
    polarization, epsilon, sigma, mdvar, time %, location %, situation %)``, the order of
    :func:`gis.radio._itm.itm_p2p_tls` and :func:`gis.radio._itm.itm_ray_losses`.
    """
    if not np.isfinite(z).all():
        raise ValidationError(
            f"ITM: the {what[0]} has NaN or infinite elevations.",
            f"ITM: {what[1]} có độ cao NaN hoặc vô hạn.", rows=np.flatnonzero(~np.isfinite(z)),
            fix=f"Fill the DEM nodata before extracting the {what[0]}.",
            fix_vi=f"Lấp giá trị nodata của DEM trước khi lấy {what[1]}.")
    if not (np.isfinite(step_m) and step_m > 0):
        raise ValidationError(f"ITM: step_m = {step_m!r}; the {what[0]} step must be > 0 m.",
                              f"ITM: step_m = {step_m!r}; bước {what[1]} phải > 0 m.")
    check_itm_inputs(freq_mhz, tx_height_m, rx_height_m, params.epsilon, params.sigma_s_m,
                     params.polarization)
    return (z, float(step_m), float(tx_height_m), float(rx_height_m), int(params.climate),
            float(params.n0_n_units), float(freq_mhz), params.polarization.code,
            float(params.epsilon), float(params.sigma_s_m), int(params.mdvar),
            float(params.time_pct), float(params.location_pct), float(params.situation_pct))


def itm_p2p(elevation_m: np.ndarray, step_m: float, *, freq_mhz: float, tx_height_m: float,
            rx_height_m: float, params: ItmParams | None = None) -> ItmResult:
    """ITM point-to-point basic transmission loss over one terrain profile.

    Parameters
    ----------
    elevation_m
        Ground elevations above sea level, m, at ``k * step_m`` from the transmitter
        (``elevation_m[0]``) to the receiver (the last value); at least two values.
        :func:`uniform_profile` makes one from distance / elevation pairs.
    step_m
        Distance between samples, m (> 0).
    freq_mhz
        Frequency, MHz (20-20000).
    tx_height_m, rx_height_m
        Antenna heights above the ground, m (0.5-3000).
    params
        Climate, N_0, polarization, ground, variability (default :class:`ItmParams`).

    Returns
    -------
    ItmResult
        The loss, the propagation mode, the warnings and NTIA's intermediate values.

    Raises
    ------
    ValidationError
        An input outside NTIA's range (the message names it and its range), or a path ITM
        cannot compute (surface refractivity out of range).
    """
    params = params or ItmParams()
    z = np.ascontiguousarray(elevation_m, dtype=float).ravel()
    if z.size < 2:
        raise ValidationError(
            f"ITM needs at least two profile points (transmitter and receiver), got {z.size}.",
            f"ITM cần ít nhất hai điểm mặt cắt (phát và thu), nhận {z.size}.")
    common = _kernel_args(z, step_m, freq_mhz, tx_height_m, rx_height_m, params,
                          what=("profile", "mặt cắt"))
    s_buf = np.empty(_itm.DELTA_H_BUFFER)
    d_buf = np.empty(_itm.DELTA_H_BUFFER)
    out = np.empty(_itm.N_OUT)
    code = _itm.itm_p2p_tls(*common, s_buf, d_buf, out)
    if code != _itm.SUCCESS:
        raise _itm_error(int(code))
    return ItmResult(
        path_loss_db=float(out[_itm.OUT_A_DB]),
        mode=MODES[int(out[_itm.OUT_MODE])],
        warnings=int(out[_itm.OUT_WARNINGS]),
        free_space_db=float(out[_itm.OUT_A_FS_DB]),
        a_ref_db=float(out[_itm.OUT_A_REF_DB]),
        d_km=float(out[_itm.OUT_D_KM]),
        theta_hzn_rad=(float(out[_itm.OUT_THETA_HZN_TX]), float(out[_itm.OUT_THETA_HZN_RX])),
        d_hzn_m=(float(out[_itm.OUT_D_HZN_TX_M]), float(out[_itm.OUT_D_HZN_RX_M])),
        h_e_m=(float(out[_itm.OUT_H_E_TX_M]), float(out[_itm.OUT_H_E_RX_M])),
        n_s_n_units=float(out[_itm.OUT_N_S]),
        delta_h_m=float(out[_itm.OUT_DELTA_H_M]),
    )


def ray_losses_db(elevation_m: np.ndarray, step_m: float, *, freq_mhz: float,
                  tx_height_m: float, rx_height_m: float, params: ItmParams | None = None,
                  need: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ITM loss of a receiver at every sample of one radial profile (the engine's ray).

    A wrapper of the kernel :func:`gis.radio._itm.itm_ray_losses` (the engine calls the
    kernel itself, see its contract) that validates the inputs.

    Parameters
    ----------
    elevation_m
        Ground elevations along the ray, m, ``elevation_m[0]`` at the site, step ``step_m``.
    step_m
        Sample step, m.
    freq_mhz, tx_height_m, rx_height_m, params
        As :func:`itm_p2p`.
    need
        Optional bool mask: compute only these samples (the others are NaN).

    Returns
    -------
    tuple
        ``(loss_db float64[n], mode int8[n], warnings int32[n])``; sample 0 is NaN / mode 0.
        Samples ITM cannot compute (see the kernel) are NaN with mode 0.
    """
    params = params or ItmParams()
    z = np.ascontiguousarray(elevation_m, dtype=float).ravel()
    common = _kernel_args(z, step_m, freq_mhz, tx_height_m, rx_height_m, params,
                          what=("ray", "tia"))
    loss = np.empty(z.size)
    mode = np.empty(z.size, dtype=np.int8)
    warn = np.empty(z.size, dtype=np.int32)
    if need is None:
        _itm.itm_ray_losses(*common, loss, mode, warn)
    else:
        mask = np.ascontiguousarray(need, dtype=np.bool_).ravel()
        if mask.size != z.size:
            raise ValidationError(f"ITM: need has {mask.size} values for {z.size} samples.",
                                  f"ITM: need có {mask.size} giá trị cho {z.size} mẫu.")
        _itm.itm_ray_losses_at(*common, mask, loss, mode, warn)
    return loss, mode, warn
