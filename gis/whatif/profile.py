"""The terrain profile of one link (a site and a hamlet): ground, line of sight, first Fresnel
zone, obstruction, and the path loss of each model.

Along the straight line from the antenna to the receiver, the ground is sampled from the DEM
(:func:`gis.radio.terrain.terrain_profile`, bilinear, one sample per DEM cell) and raised by the
bulge of the effective earth, ``d1 d2 / (2 k R)`` (:func:`gis.radio.terrain.earth_bulge_m`), so
that the line of sight is a straight line on the chart. The first Fresnel zone's radius at a
point is (ITU-R P.530-18 eq. 2)

.. math:: r_1 = \\sqrt{\\frac{\\lambda d_1 d_2}{d_1 + d_2}}

and the obstruction is the largest height of the ground above the line of sight (negative: the
smallest clearance); the Fresnel clearance is the smallest ``(line - ground) / r_1`` (ITU-R
P.530 asks for 0.6 of the first zone clear for a line-of-sight path).

The path losses: free space (3D distance), the empirical medians the engine uses (Okumura-Hata,
COST-231 Hata, 3GPP RMa at the link's horizontal distance, extrapolated outside their ranges
with a flag), the engine's own combination (the band's model plus the terrain's knife-edge
diffraction beyond grazing, :func:`gis.radio.terrain.diffraction_loss_db`), and ITM (Longley-
Rice) point to point over this profile (:func:`gis.radio.itm.itm_p2p`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from affine import Affine

from gis.errors import GisError, ValidationError
from gis.radio.itm import itm_p2p, uniform_profile
from gis.radio.models import Model, check_validity, path_loss_db
from gis.radio.params import RadioParams
from gis.radio.terrain import (
    diffraction_loss_db,
    earth_bulge_m,
    line_of_sight,
    terrain_profile,
    wavelength_m,
)

__all__ = ["PROFILE_MODELS", "LinkProfile", "link_profile"]

#: The empirical models compared, in order (the engine's band model is marked).
PROFILE_MODELS = (Model.FREE_SPACE, Model.OKUMURA_HATA, Model.COST231_HATA, Model.RMA)


@dataclass
class LinkProfile:
    """One link's profile and path losses.

    Attributes
    ----------
    distance_m, ground_m, bulge_m
        Horizontal distance from the antenna (m), ground elevation (m) and the effective
        earth's bulge at each sample (m); ``ground_m + bulge_m`` is what the chart draws.
    los_m, fresnel_m
        The line of sight's height (m) and the first Fresnel zone's radius (m) at each sample.
    line_of_sight
        Whether the line clears the ground everywhere.
    obstruction_m, obstruction_at_m
        The largest height of the ground above the line (negative: the smallest clearance), m,
        and where (distance from the antenna, m).
    fresnel_clearance
        The smallest clearance of the line as a fraction of the first zone's radius (1: the
        zone is clear; 0: grazing; negative: obstructed).
    freq_mhz, tx_height_m, rx_height_m
        The link.
    losses_db
        Model name -> path loss (dB); ``engine`` is the coverage engine's combination, ``itm``
        ITM over the profile.
    outside
        Model names evaluated outside their published range (extrapolated).
    engine_model
        The empirical model the engine uses at this frequency.
    notes
        What could not be computed, and why.
    """

    distance_m: np.ndarray
    ground_m: np.ndarray
    bulge_m: np.ndarray
    los_m: np.ndarray
    fresnel_m: np.ndarray
    line_of_sight: bool
    obstruction_m: float
    obstruction_at_m: float
    fresnel_clearance: float
    freq_mhz: float
    tx_height_m: float
    rx_height_m: float
    losses_db: dict[str, float] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    engine_model: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def length_m(self) -> float:
        """The link's horizontal length, m."""
        return float(self.distance_m[-1])


def link_profile(dem: np.ndarray, transform: Affine, tx_xy: tuple[float, float],
                 rx_xy: tuple[float, float], *, tx_height_m: float, freq_mhz: float,
                 rx_height_m: float | None = None, radio: RadioParams | None = None
                 ) -> LinkProfile:
    """The profile and path losses of the link from an antenna to a receiver point.

    Parameters
    ----------
    dem, transform
        The DEM (m; gaps filled) and its transform, metric CRS.
    tx_xy, rx_xy
        Antenna and receiver positions in the DEM's CRS (m).
    tx_height_m
        Antenna height above the ground (m).
    freq_mhz
        Carrier frequency (MHz).
    rx_height_m
        Receiver height above the ground (m); the radio parameters' (1.5 m) by default.
    radio
        Radio parameters (models, environment, k factor, diffraction method, ITM inputs).
    """
    radio = radio or RadioParams()
    rx_h = float(radio.rx_height_m if rx_height_m is None else rx_height_m)
    d, z = terrain_profile(dem, transform, tx_xy, rx_xy)
    if d[-1] < 1.0:
        raise ValidationError("The site and the hamlet are at the same place.",
                              "Trạm và thôn ở cùng một chỗ.")
    z = np.nan_to_num(np.asarray(z, float), nan=0.0)
    k = float(radio.k_factor)
    length = float(d[-1])
    bulge = earth_bulge_m(d, length - d, k_factor=k)
    ya, yb = z[0] + float(tx_height_m), z[-1] + rx_h
    los = ya + (yb - ya) * d / length
    lam = float(wavelength_m(freq_mhz))
    r1 = np.sqrt(lam * d * (length - d) / length)
    inner = slice(1, -1) if len(d) > 2 else slice(0, 0)
    above = (z + bulge - los)[inner]
    if above.size:
        i = int(np.argmax(above))
        obstruction, at = float(above[i]), float(d[inner][i])
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = (los - z - bulge)[inner] / r1[inner]
        clearance = float(np.nanmin(frac)) if np.isfinite(frac).any() else float("inf")
    else:
        obstruction, at, clearance = -float("inf"), 0.0, float("inf")
    out = LinkProfile(distance_m=d, ground_m=z, bulge_m=bulge, los_m=los, fresnel_m=r1,
                      line_of_sight=line_of_sight(d, z, float(tx_height_m), rx_h, k_factor=k)
                      if len(d) > 2 else True,
                      obstruction_m=obstruction, obstruction_at_m=at,
                      fresnel_clearance=clearance, freq_mhz=float(freq_mhz),
                      tx_height_m=float(tx_height_m), rx_height_m=rx_h,
                      engine_model=radio.model_for(float(freq_mhz)).value)
    common = {"env": radio.env, "condition": radio.condition, "large_city": radio.large_city,
              "building_height_m": radio.building_height_m,
              "street_width_m": radio.street_width_m}
    dist = max(length, float(radio.min_distance_m))
    for model in PROFILE_MODELS:
        try:
            out.losses_db[model.value] = float(path_loss_db(
                model, dist, freq_mhz, tx_height_m, rx_h, force=True, **common))
        except GisError as exc:
            out.notes.append(f"{model.value}: {exc}")
            continue
        try:
            check_validity(model, condition=radio.condition, distance_m=dist,
                           freq_mhz=freq_mhz, tx_height_m=tx_height_m, rx_height_m=rx_h)
        except GisError:
            out.outside.append(model.value)
    median = out.losses_db.get(out.engine_model)
    if median is not None and len(d) > 2:
        out.losses_db["engine"] = median + diffraction_loss_db(
            d, z, float(tx_height_m), rx_h, float(freq_mhz), k_factor=k,
            method=radio.diffraction, excess_over_grazing=radio.excess_over_grazing)
    try:
        step = float(d[1] - d[0]) if len(d) > 1 else length
        elev, step = uniform_profile(d, z, resample_step_m=step) if len(d) > 2 else (z, step)
        out.losses_db["itm"] = itm_p2p(np.asarray(elev, float), float(step),
                                       freq_mhz=float(freq_mhz),
                                       tx_height_m=float(tx_height_m), rx_height_m=rx_h,
                                       params=radio.itm).path_loss_db
    except GisError as exc:
        out.notes.append(f"itm: {exc}")
    return out
