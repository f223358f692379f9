"""Antenna patterns: the 3GPP parametric sector pattern (TR 36.814 / TR 38.901) and omni antennas.

Gains here are *relative* to the antenna's maximum gain (0 dB at boresight, negative elsewhere);
the maximum gain itself is part of the EIRP (:mod:`gis.radio.linkbudget`).

Angle conventions (used by the coverage engine too):

- azimuth: degrees clockwise from grid north (0 = north, 90 = east), as site files give sector
  azimuths; :func:`bearing_deg` computes it from analysis-CRS offsets;
- elevation: degrees above the horizontal at the antenna (negative below it);
  :func:`elevation_deg` computes it;
- tilt: downtilt in degrees, positive down (electrical + mechanical, summed).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DEFAULT_BEAMWIDTH_DEG",
    "DEFAULT_FRONT_TO_BACK_DB",
    "DEFAULT_SLA_V_DB",
    "DEFAULT_VBEAMWIDTH_DEG",
    "bearing_deg",
    "elevation_deg",
    "horizontal_gain_db",
    "sector_gain_db",
    "vertical_gain_db",
    "wrap_deg",
]

#: Horizontal half-power beamwidth, degrees: the 65° three-sector panel of TR 36.814 Table
#: A.2.1.1-2 and TR 38.901 Table 7.3-1, the usual macro panel.
DEFAULT_BEAMWIDTH_DEG = 65.0
#: Vertical half-power beamwidth, degrees: TR 36.814 Table A.2.1.1-2 (3D antenna model), close to a
#: 15-18 dBi panel at 0.9-2.1 GHz (7-13°).
DEFAULT_VBEAMWIDTH_DEG = 10.0
#: Front-to-back ratio A_m, dB: TR 36.814 Table A.2.1.1-2 (TR 38.901 uses 30 dB for an element).
DEFAULT_FRONT_TO_BACK_DB = 25.0
#: Vertical side-lobe attenuation SLA_V, dB: TR 36.814 Table A.2.1.1-2 (TR 38.901: 30 dB).
DEFAULT_SLA_V_DB = 20.0


def wrap_deg(angle_deg: np.ndarray | float) -> np.ndarray:
    """Wrap angles to [-180, 180) degrees."""
    return np.mod(np.asarray(angle_deg, dtype=float) + 180.0, 360.0) - 180.0


def bearing_deg(dx_m: np.ndarray | float, dy_m: np.ndarray | float) -> np.ndarray:
    """Azimuth from the antenna to points at offsets (dx east, dy north) in m, degrees in [0, 360).

    >>> bearing_deg([0.0, 1.0, 0.0, -1.0], [1.0, 0.0, -1.0, 0.0]).tolist()
    [0.0, 90.0, 180.0, 270.0]
    """
    return np.mod(np.degrees(np.arctan2(dx_m, dy_m)), 360.0)


def elevation_deg(dz_m: np.ndarray | float, distance_m: np.ndarray | float) -> np.ndarray:
    """Elevation angle from the antenna to a point ``dz_m`` higher at horizontal ``distance_m``.

    Degrees, negative below the horizon (a receiver 34.5 m below the antenna at 1 km: -1.98°).
    """
    return np.degrees(np.arctan2(dz_m, distance_m))


def horizontal_gain_db(
    azimuth_to_rx_deg: np.ndarray | float,
    azimuth_deg: np.ndarray | float,
    *,
    beamwidth_deg: np.ndarray | float = DEFAULT_BEAMWIDTH_DEG,
    front_to_back_db: np.ndarray | float = DEFAULT_FRONT_TO_BACK_DB,
) -> np.ndarray:
    """Horizontal pattern :math:`A_H(\\varphi) = -\\min(12(\\varphi/\\varphi_{3dB})^2, A_m)`, dB.

    TR 36.814 Table A.2.1.1-2; TR 38.901 Table 7.3-1. :math:`\\varphi` is the azimuth of the
    receiver relative to the sector azimuth, wrapped to [-180°, 180°). Omni antennas (azimuth NaN,
    or beamwidth >= 360°) have 0 dB in every direction.

    Parameters
    ----------
    azimuth_to_rx_deg
        Azimuth from the antenna to the receiver, degrees clockwise from north.
    azimuth_deg
        Sector azimuth (boresight), degrees; NaN for an omni antenna.
    beamwidth_deg
        Horizontal half-power beamwidth φ_3dB, degrees.
    front_to_back_db
        Maximum attenuation A_m, dB (> 0).
    """
    az = np.asarray(azimuth_deg, dtype=float)
    bw = np.asarray(beamwidth_deg, dtype=float)
    phi = np.asarray(azimuth_to_rx_deg, dtype=float) - az
    phi = phi - 360.0 * np.rint(phi * (1.0 / 360.0))  # to [-180, 180]; only |phi| matters
    with np.errstate(invalid="ignore"):
        att = np.minimum(12.0 * (phi / bw) ** 2, front_to_back_db)
        omni = np.isnan(az) | (bw >= 360.0)
    return np.where(omni, 0.0, -att)


def vertical_gain_db(
    elevation_to_rx_deg: np.ndarray | float,
    *,
    tilt_deg: np.ndarray | float = 0.0,
    vbeamwidth_deg: np.ndarray | float = DEFAULT_VBEAMWIDTH_DEG,
    sla_v_db: np.ndarray | float = DEFAULT_SLA_V_DB,
) -> np.ndarray:
    """Vertical pattern :math:`A_V(\\theta) = -\\min(12((\\theta - \\theta_{tilt})/\\theta_{3dB})^2,
    SLA_V)`, dB.

    TR 36.814 Table A.2.1.1-2 with :math:`\\theta` the depression angle below the horizon
    (= -elevation) and :math:`\\theta_{tilt}` the downtilt; the maximum is at
    ``elevation = -tilt``. (TR 38.901 writes the same with zenith angles, 90° = horizon.)

    Parameters
    ----------
    elevation_to_rx_deg
        Elevation of the receiver seen from the antenna, degrees (negative below the horizon).
    tilt_deg
        Downtilt, degrees, positive down.
    vbeamwidth_deg
        Vertical half-power beamwidth θ_3dB, degrees; NaN: no vertical pattern (0 dB).
    sla_v_db
        Side-lobe attenuation SLA_V, dB (> 0).
    """
    depression = -np.asarray(elevation_to_rx_deg, dtype=float)
    off = depression - np.asarray(tilt_deg, dtype=float)
    vbw = np.asarray(vbeamwidth_deg, dtype=float)
    with np.errstate(invalid="ignore"):
        att = -np.minimum(12.0 * (off / vbw) ** 2, sla_v_db)
    return np.where(np.isnan(vbw), 0.0, att) + 0.0


def sector_gain_db(
    azimuth_to_rx_deg: np.ndarray | float,
    elevation_to_rx_deg: np.ndarray | float,
    *,
    azimuth_deg: np.ndarray | float,
    beamwidth_deg: np.ndarray | float = DEFAULT_BEAMWIDTH_DEG,
    tilt_deg: np.ndarray | float = 0.0,
    vbeamwidth_deg: np.ndarray | float = DEFAULT_VBEAMWIDTH_DEG,
    front_to_back_db: np.ndarray | float = DEFAULT_FRONT_TO_BACK_DB,
    sla_v_db: np.ndarray | float = DEFAULT_SLA_V_DB,
) -> np.ndarray:
    """Combined 3D pattern relative to the maximum gain, dB (<= 0).

    .. math::
        A(\\varphi, \\theta) = -\\min\\{-(A_H(\\varphi) + A_V(\\theta)), A_m\\}

    (TR 36.814 Table A.2.1.1-2; TR 38.901 Table 7.3-1.) An omni antenna (``azimuth_deg`` NaN or
    beamwidth >= 360°) has no horizontal pattern; ``vbeamwidth_deg`` NaN means no vertical
    pattern, which is what the coverage engine gives an omni antenna whose vertical beamwidth the
    site data does not state (an omni collinear is not a tilted panel: applying a panel's 8-10°
    beam would cost it up to SLA_V = 20 dB under the mast).

    Parameters
    ----------
    azimuth_to_rx_deg, elevation_to_rx_deg
        Direction of the receivers seen from the antenna, degrees (arrays broadcast).
    azimuth_deg, beamwidth_deg, tilt_deg, vbeamwidth_deg, front_to_back_db, sla_v_db
        The antenna, as in :func:`horizontal_gain_db` and :func:`vertical_gain_db`.

    Examples
    --------
    >>> float(sector_gain_db(10.0, -20.0, azimuth_deg=float("nan"), vbeamwidth_deg=float("nan")))
    0.0

    Sectors:

    >>> float(sector_gain_db(120.0, -3.0, azimuth_deg=120.0, tilt_deg=3.0))
    0.0
    >>> round(float(sector_gain_db(152.5, -3.0, azimuth_deg=120.0, tilt_deg=3.0)), 3)
    -3.0
    """
    a_h = horizontal_gain_db(azimuth_to_rx_deg, azimuth_deg, beamwidth_deg=beamwidth_deg,
                             front_to_back_db=front_to_back_db)
    a_v = vertical_gain_db(elevation_to_rx_deg, tilt_deg=tilt_deg, vbeamwidth_deg=vbeamwidth_deg,
                           sla_v_db=sla_v_db)
    return 0.0 - np.minimum(-(a_h + a_v), front_to_back_db) + 0.0  # + 0.0: no -0.0
