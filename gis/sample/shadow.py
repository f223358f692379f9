"""Terrain shadow between sites and points: the largest Fresnel-Kirchhoff parameter on a path.

Used by the site placement to keep every site out of sight of the designed coverage gaps. For a
path from a transmitter at height ``h_t`` above ground to a receiver at ``h_r``, the terrain
(plus the earth bulge ``d1·d2 / (2·k·R)`` for the effective earth radius ``k·R``) rises ``h``
above the straight line at distances ``d1`` and ``d2`` from the ends; ITU-R P.526 eq. (26) gives

.. math:: v = h \\sqrt{\\frac{2}{\\lambda}\\left(\\frac{1}{d_1} + \\frac{1}{d_2}\\right)}

and its maximum along the path is the main knife edge. ``v > 0`` means the line of sight is
blocked; the single-edge loss J(v) is about 14 dB at v = 1, 27 dB at v = 5, 33 dB at v = 10.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_M", "max_fresnel_v"]

EARTH_RADIUS_M = 6_371_000.0


def max_fresnel_v(dem: np.ndarray, origin_xy_m: tuple[float, float], res_m: float,
                  tx_m: np.ndarray, ty_m: np.ndarray, tx_height_m: float, rx_m: float,
                  ry_m: float, freq_mhz: float, *, rx_height_m: float = 1.5,
                  k_factor: float = 4.0 / 3.0, n_samples: int = 300) -> np.ndarray:
    """The largest Fresnel-Kirchhoff ``v`` on the path from each transmitter to one receiver.

    Parameters
    ----------
    dem
        Elevation grid, metres, row 0 to the north (nearest-cell lookup).
    origin_xy_m
        (left, top) of the grid, metres in the grid's CRS.
    res_m
        Cell size, metres.
    tx_m, ty_m
        Transmitter coordinates, metres (any number of them).
    tx_height_m, rx_height_m
        Antenna heights above ground, metres.
    rx_m, ry_m
        Receiver coordinates, metres.
    freq_mhz
        Frequency, MHz (wavelength 299.79 / f m).
    k_factor
        Effective earth-radius factor (4/3, the standard atmosphere).
    n_samples
        Points along each path (ends excluded).

    Returns
    -------
    numpy.ndarray
        One ``v`` per transmitter (dimensionless).
    """
    tx = np.asarray(tx_m, dtype=float)[:, None]
    ty = np.asarray(ty_m, dtype=float)[:, None]
    lam_m = 299.792458 / float(freq_mhz)
    left, top = origin_xy_m
    rows, cols = dem.shape

    def z_at(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        c = np.clip(np.floor((x - left) / res_m).astype(np.int64), 0, cols - 1)
        r = np.clip(np.floor((top - y) / res_m).astype(np.int64), 0, rows - 1)
        return dem[r, c].astype(float)

    dist = np.maximum(np.hypot(rx_m - tx, ry_m - ty), 1.0)
    s = np.linspace(0.0, 1.0, n_samples + 2)[None, 1:-1]
    x = tx + s * (rx_m - tx)
    y = ty + s * (ry_m - ty)
    zt = z_at(tx, ty) + tx_height_m
    zr = z_at(np.array([[rx_m]]), np.array([[ry_m]])) + rx_height_m
    d1 = s * dist
    d2 = dist - d1
    bulge = d1 * d2 / (2.0 * k_factor * EARTH_RADIUS_M)
    h = z_at(x, y) + bulge - (zt + s * (zr - zt))
    return (h * np.sqrt(2.0 / lam_m * (1.0 / d1 + 1.0 / d2))).max(axis=1)
