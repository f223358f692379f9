"""The terrain term: DEM profiles, effective-earth curvature, line of sight, knife-edge diffraction.

The functions here work on one profile at a time (vectorised over points where it makes sense);
the coverage engine (:mod:`gis.radio.coverage`) runs the same mathematics in a radial sweep (see
:mod:`gis.radio._kernels` for the convex-hull formulation shared by both).

Sources
-------
- ITU-R P.526-15 (10/2019) "Propagation by diffraction": eq. (26) Fresnel-Kirchhoff parameter
  ``v``, eq. (31) the single knife-edge loss ``J(v)``, section 4.5 the Bullington construction
  for general terrain, whose "Bullington part" (with the empirical correction
  ``(1 - exp(-Luc/6)) (10 + 0.02 d_km)``) is written out in ITU-R P.452-18 §4.2.1 and
  P.1812 §4.3.1; the spherical-earth "delta" part is not used (the empirical median models the
  smooth-earth loss).
- J. Deygout, "Multiple knife-edge diffraction of microwaves", IEEE Trans. Antennas Propag.
  AP-14 (1966) 480-489: the principal edge, then the principal edge of each side (3 edges).
- ITU-R P.834 / P.452: effective earth radius ``k R`` with ``R = 6371 km`` and median
  ``k = 4/3``; earth bulge ``h = d1 d2 / (2 k R)``.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from affine import Affine

from gis.errors import ValidationError
from gis.radio import _kernels as K

__all__ = [
    "EARTH_RADIUS_M",
    "SPEED_OF_LIGHT_M_S",
    "DiffractionMethod",
    "bilinear_sample",
    "diffraction_loss_db",
    "earth_bulge_m",
    "fresnel_v",
    "knife_edge_loss_db",
    "line_of_sight",
    "pixel_coords",
    "terrain_profile",
    "wavelength_m",
]

EARTH_RADIUS_M = K.EARTH_RADIUS_M
SPEED_OF_LIGHT_M_S = 299_792_458.0


class DiffractionMethod(StrEnum):
    """How the diffraction loss of a terrain profile is computed.

    ``deygout``: up to three knife edges (principal edge, then each side's principal edge);
    ``bullington``: one equivalent edge at the intersection of the two horizon rays (P.526-15
    section 4.5, P.452-18 §4.2.1); ``none``: no terrain term.
    """

    DEYGOUT = "deygout"
    BULLINGTON = "bullington"
    NONE = "none"

    @classmethod
    def parse(cls, value: str | DiffractionMethod) -> DiffractionMethod:
        try:
            return cls(str(value).lower())
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValidationError(
                f"Unknown diffraction method {value!r}; valid: {valid}.",
                f"Phương pháp nhiễu xạ {value!r} không hợp lệ; hợp lệ: {valid}.",
                fix=f"Set radio.diffraction to one of: {valid}.",
                fix_vi=f"Đặt radio.diffraction là một trong: {valid}.",
            ) from None

    @property
    def code(self) -> int:
        return {
            DiffractionMethod.NONE: K.METHOD_NONE,
            DiffractionMethod.DEYGOUT: K.METHOD_DEYGOUT,
            DiffractionMethod.BULLINGTON: K.METHOD_BULLINGTON,
        }[self]


def wavelength_m(freq_mhz: float | np.ndarray) -> np.ndarray:
    """Wavelength (m) of a frequency in MHz: ``c / f``."""
    return SPEED_OF_LIGHT_M_S / (np.asarray(freq_mhz, dtype=float) * 1e6)


def earth_bulge_m(d1_m, d2_m, *, k_factor: float = 4.0 / 3.0) -> np.ndarray:
    """Height (m) of the effective earth's bulge above the chord between two terminals.

    .. math:: h = \\frac{d_1 d_2}{2 k R}, \\quad R = 6371\\ \\mathrm{km}

    Parameters
    ----------
    d1_m, d2_m
        Horizontal distances (m) from the point to each terminal.
    k_factor
        Effective earth-radius factor (median 4/3, ITU-R P.453/P.834).
    """
    if not k_factor > 0:
        raise ValidationError(
            f"k_factor must be > 0, got {k_factor}.", f"k_factor phải > 0, nhận {k_factor}.",
            fix="Use the median 4/3 unless you model sub-refraction (e.g. 2/3).",
        )
    return np.asarray(d1_m, dtype=float) * np.asarray(d2_m, dtype=float) / (
        2.0 * k_factor * EARTH_RADIUS_M)


def fresnel_v(clearance_m, d1_m, d2_m, freq_mhz) -> np.ndarray:
    """Fresnel-Kirchhoff diffraction parameter of an edge (ITU-R P.526-15 eq. 26).

    .. math:: v = h \\sqrt{\\frac{2}{\\lambda}\\left(\\frac{1}{d_1} + \\frac{1}{d_2}\\right)}

    Parameters
    ----------
    clearance_m
        Height (m) of the edge top above the straight line between the terminals (positive:
        the edge obstructs the line of sight).
    d1_m, d2_m
        Horizontal distances (m) from the edge to each terminal (> 0).
    freq_mhz
        Frequency (MHz).
    """
    lam = wavelength_m(freq_mhz)
    d1 = np.asarray(d1_m, dtype=float)
    d2 = np.asarray(d2_m, dtype=float)
    return np.asarray(clearance_m, dtype=float) * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))


def knife_edge_loss_db(v) -> np.ndarray:
    """Single knife-edge diffraction loss J(v) in dB (ITU-R P.526-15 eq. 31).

    .. math:: J(v) = 6.9 + 20 \\log_{10}\\left(\\sqrt{(v - 0.1)^2 + 1} + v - 0.1\\right)

    for ``v > -0.78``, and 0 otherwise. ``J(0) ≈ 6.0 dB`` (grazing incidence); for large ``v``
    ``J(v) ≈ 13 + 20 log10(v)``.
    """
    v = np.asarray(v, dtype=float)
    t = v - 0.1
    with np.errstate(invalid="ignore", divide="ignore"):
        j = 6.9 + 20.0 * np.log10(np.sqrt(t * t + 1.0) + t)
    return np.where(v > -0.78, j, 0.0)


def _check_profile(distance_m: np.ndarray, elevation_m: np.ndarray) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    x = np.ascontiguousarray(distance_m, dtype=float)
    z = np.ascontiguousarray(elevation_m, dtype=float)
    if x.ndim != 1 or x.shape != z.shape or x.size < 2:
        raise ValidationError(
            f"A profile needs two 1-D arrays of the same length >= 2; got shapes {x.shape} and "
            f"{z.shape}.",
            f"Mặt cắt cần hai mảng 1 chiều cùng độ dài >= 2; nhận {x.shape} và {z.shape}.",
        )
    if not (np.all(np.diff(x) > 0) and np.isfinite(z).all()):
        raise ValidationError(
            "Profile distances must increase strictly and elevations be finite.",
            "Khoảng cách của mặt cắt phải tăng dần và độ cao phải hữu hạn.",
            fix="Fill DEM nodata before extracting profiles.",
        )
    return x, z


def line_of_sight(distance_m, elevation_m, tx_height_m: float, rx_height_m: float, *,
                  k_factor: float = 4.0 / 3.0) -> bool:
    """Whether the straight line between the antennas clears every profile point.

    Parameters
    ----------
    distance_m, elevation_m
        The profile: horizontal distance (m) from the transmitter (first point) to the receiver
        (last point) and ground elevation (m).
    tx_height_m, rx_height_m
        Antenna heights above the ground at the end points (m).
    k_factor
        Effective earth-radius factor; the earth bulge ``d1 d2 / (2 k R)`` raises every
        intermediate point.
    """
    x, z = _check_profile(distance_m, elevation_m)
    d = x[-1] - x[0]
    d1 = x[1:-1] - x[0]
    ya = z[0] + tx_height_m
    yb = z[-1] + rx_height_m
    line = ya + (yb - ya) * d1 / d
    ground = z[1:-1] + earth_bulge_m(d1, d - d1, k_factor=k_factor)
    return bool(np.all(ground < line))


def diffraction_loss_db(distance_m, elevation_m, tx_height_m: float, rx_height_m: float,
                        freq_mhz: float, *, k_factor: float = 4.0 / 3.0,
                        method: str | DiffractionMethod = DiffractionMethod.DEYGOUT,
                        excess_over_grazing: bool = False) -> float:
    """Diffraction loss (dB) over one terrain profile.

    Edges are the profile points that obstruct the line of sight over the effective earth
    (``v > 0``); they are found on the upper convex hull of the profile (see
    :mod:`gis.radio._kernels`). Partial obstruction of the first Fresnel zone on a
    line-of-sight path (``-0.78 < v <= 0``, at most 6 dB) is not counted: the empirical median
    models include it.

    Parameters
    ----------
    distance_m, elevation_m
        The profile: horizontal distance (m) from the transmitter (first point) to the receiver
        (last point), and ground elevation (m) at each point.
    tx_height_m, rx_height_m
        Antenna heights above the ground at the end points (m).
    freq_mhz
        Frequency (MHz).
    k_factor
        Effective earth-radius factor.
    method
        ``"deygout"`` (sum of ``J(v)`` of up to 3 edges), ``"bullington"`` (P.526-15 §4.5,
        P.452-18 §4.2.1: ``Luc + (1 - exp(-Luc/6))(10 + 0.02 d_km)``) or ``"none"``.
    excess_over_grazing
        Count only the loss beyond grazing incidence, ``max(0, J(v) - J(0))`` per edge (what the
        coverage engine adds to an empirical median; see :mod:`gis.radio.coverage`).

    Returns
    -------
    float
        Loss in dB (>= 0); 0 on a line-of-sight path.
    """
    x, z = _check_profile(distance_m, elevation_m)
    code = DiffractionMethod.parse(method).code
    scratch_x = np.empty(x.size)
    scratch_y = np.empty(x.size)
    lam = float(wavelength_m(freq_mhz))
    return float(K.profile_loss_db(x, z, float(tx_height_m), float(rx_height_m), lam,
                                   float(k_factor), code, bool(excess_over_grazing),
                                   scratch_x, scratch_y))


def terrain_profile(dem: np.ndarray, transform: Affine, xy_from, xy_to, *,
                    step_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Ground elevation along the straight line between two points (bilinear DEM sampling).

    Parameters
    ----------
    dem
        2-D elevation array (m), north-up, in a metric CRS.
    transform
        Affine transform of ``dem`` (cell corners; metres).
    xy_from, xy_to
        End points (x, y) in the DEM's CRS (m).
    step_m
        Spacing of the samples (m); the DEM cell width by default. The last sample is the end
        point itself.

    Returns
    -------
    distance_m, elevation_m
        Horizontal distance from ``xy_from`` (m) and ground elevation (m) of each sample.
    """
    px_w, _px_h = _pixel_size(transform)
    step = float(step_m or px_w)
    (x0, y0), (x1, y1) = np.asarray(xy_from, float), np.asarray(xy_to, float)
    d = float(np.hypot(x1 - x0, y1 - y0))
    n = max(int(np.ceil(d / step)), 1)
    dist = np.append(np.arange(n) * step, d)
    frac = dist / d if d > 0 else np.zeros_like(dist)
    cols, rows = pixel_coords(transform, x0 + frac * (x1 - x0), y0 + frac * (y1 - y0))
    return dist, bilinear_sample(dem, cols, rows)


def bilinear_sample(dem: np.ndarray, cols, rows) -> np.ndarray:
    """Bilinear DEM values (m) at fractional pixel positions; edges are clamped."""
    ny, nx = dem.shape
    c = np.clip(np.asarray(cols, float), 0, nx - 1)
    r = np.clip(np.asarray(rows, float), 0, ny - 1)
    c0 = np.floor(c).astype(np.intp)
    r0 = np.floor(r).astype(np.intp)
    c1 = np.minimum(c0 + 1, nx - 1)
    r1 = np.minimum(r0 + 1, ny - 1)
    fc = c - c0
    fr = r - r0
    top = dem[r0, c0] * (1 - fc) + dem[r0, c1] * fc
    bot = dem[r1, c0] * (1 - fc) + dem[r1, c1] * fc
    return (top * (1 - fr) + bot * fr).astype(float)


def _pixel_size(transform: Affine) -> tuple[float, float]:
    """Cell width and height (m) of a north-up transform; an error for rotated grids."""
    if transform.b != 0 or transform.d != 0 or transform.a <= 0 or transform.e >= 0:
        raise ValidationError(
            f"The DEM grid must be north-up (no rotation, positive cell width, negative cell "
            f"height); its transform is {tuple(transform)[:6]}.",
            f"Lưới DEM phải hướng bắc lên trên (không xoay); phép biến đổi: "
            f"{tuple(transform)[:6]}.",
            fix="Warp the DEM to the analysis CRS (gdalwarp -t_srs EPSG:32648).",
        )
    return float(transform.a), float(-transform.e)


def pixel_coords(transform: Affine, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Fractional pixel coordinates (col, row) with pixel centres at integers."""
    px_w, px_h = _pixel_size(transform)
    col = (np.asarray(x, float) - transform.c) / px_w - 0.5
    row = (transform.f - np.asarray(y, float)) / px_h - 0.5
    return col, row
