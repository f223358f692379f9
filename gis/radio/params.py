"""Radio parameters: per-technology defaults, coverage tiers, tower heights, :class:`RadioParams`.

Everything here is a frozen, validated dataclass; ``RunParams.radio`` holds one
:class:`RadioParams`. Tower heights, EIRP and RSRP thresholds are not published for Vietnam
(DOMAIN.md sections 3 and "Not verified"): the defaults below are typical industry values, each
justified where it is defined, and every one can be changed in ``params.json``.

Default propagation combination
-------------------------------
The median loss comes from an empirical model chosen by frequency (:attr:`RadioParams.model_rules`):

- f <= 1500 MHz (700, 900 MHz): Okumura-Hata, the model fitted to Okumura's measurements over
  150-1500 MHz for macro towers of 30-200 m, the rural A2b case;
- 1500 < f <= 2200 MHz (1800, 2100 MHz): COST-231 Hata, its 1500-2000 MHz extension (2100 MHz is
  a 5 % extrapolation, the common practice), with Hata's area classes as in the extended Hata
  model of ITU-R SM.2028 (:attr:`RadioParams.cost231_hata_classes`), so that ``suburban`` is the
  same clutter at 900 and 1800 MHz;
- f > 2200 MHz (2600 MHz, 3.5-3.9 GHz): 3GPP TR 38.901 RMa, the rural-macro model valid over
  0.5-30 GHz, where the Hata family is not defined.

The rule is by frequency, not by technology, so that a band gives the same loss whatever runs on
it (700 MHz is LTE or NR). The environment defaults to ``suburban``: Vietnamese rural hamlets are
houses among bamboo hedges, gardens and trees along roads and canals, Hata's "village with trees
and houses"; ``open`` (Hata: open fields, no tall trees in the path) would be 18-20 dB more
optimistic at 700-1800 MHz and fits only paddy fields, which the clutter term treats separately.
The 3GPP condition defaults to NLOS for the same reason (a 1.5 m receiver among houses and trees
rarely sees the tower), and NLOS = max(LOS, NLOS') is the 3GPP median. The radio-engine adds the
terrain term (earth curvature with ``k_factor``, knife-edge diffraction by ``diffraction``) and
the clutter loss of the receiver's land-cover class. The engine should take the median from
:meth:`RadioParams.median_path_loss_db`, which applies all of the above, with each model's
documented fallback outside its validity range (:data:`gis.radio.models.FALLBACKS`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from gis.config import merged
from gis.errors import ValidationError
from gis.layers.schema import TECHS, header_key
from gis.radio.antenna import DEFAULT_FRONT_TO_BACK_DB, DEFAULT_SLA_V_DB
from gis.radio.itm_params import ItmParams
from gis.radio.linkbudget import SIGNAL_KIND, n_subcarriers, signal_offset_db
from gis.radio.models import (
    Condition,
    Environment,
    Model,
)

__all__ = [
    "BULLINGTON_CORRECTIONS",
    "CLUTTER_CLASSES",
    "DEFAULT_TECHS",
    "POLARIZATIONS",
    "TIER_LABELS",
    "BullingtonCorrection",
    "CoverageTiers",
    "Diffraction",
    "ModelRule",
    "Polarization",
    "RadioParams",
    "TechDefaults",
]


def _invalid(en: str, vi: str) -> ValidationError:
    return ValidationError(en, vi, fix="Change the value in the radio parameters (params.json).",
                           fix_vi="Sửa giá trị trong tham số vô tuyến (params.json).")


class Diffraction(StrEnum):
    """Multi-edge diffraction method of the terrain term (ITU-R P.526-16; see
    :mod:`gis.radio.terrain` for each and the reasons for the default)."""

    DELTA_BULLINGTON = "delta_bullington"
    BULLINGTON = "bullington"
    DEYGOUT = "deygout"
    NONE = "none"


class BullingtonCorrection(StrEnum):
    """Where the Bullington correction ``(1 - exp(-L_uc/6)) (10 + 0.02 d_km)`` applies.

    ``multi_edge`` (default): weighted by how far the equivalent edge rises above the highest
    real edge, 0 on a single knife edge (see :mod:`gis.radio.terrain`); ``p526``: always, as
    P.526-16 §4.5.1 writes it; ``none``: never.
    """

    MULTI_EDGE = "multi_edge"
    P526 = "p526"
    NONE = "none"


class Polarization(StrEnum):
    """Polarisation of the spherical-earth term: ``vertical`` (default: vertical or ±45° slant
    cross-polar base-station antennas; over land above 300 MHz the two differ by less than
    0.1 dB) or ``horizontal``."""

    VERTICAL = "vertical"
    HORIZONTAL = "horizontal"


#: Values of :attr:`RadioParams.bullington_correction`.
BULLINGTON_CORRECTIONS = tuple(c.value for c in BullingtonCorrection)
#: Values of :attr:`RadioParams.polarization`.
POLARIZATIONS = tuple(p.value for p in Polarization)


@dataclass(frozen=True)
class CoverageTiers:
    """Signal thresholds of the coverage tiers, dBm (of the tech's signal, see linkbudget).

    A receiver is *good* at or above ``good_dbm``, *fair* at or above ``fair_dbm``, *edge* at or
    above ``edge_dbm`` and not covered below. "Covered" means at or above ``edge_dbm``.

    The class defaults (-95 / -105 / -110 dBm) are the 4G RSRP values of DOMAIN.md section 3:
    about -105 dBm gives ~10 Mbit/s indoors, -110 dBm with SINR >= 0 dB is the usual cell-edge
    design value; Vietnam publishes no RSRP threshold (QCVN 81:2019 is by throughput), so they are
    settings to validate against i-Speed or drive tests. Each technology has its own
    (:data:`DEFAULT_TECHS`; 5G SS-RSRP: -90 / -100 / -105 dBm).
    """

    good_dbm: float = -95.0
    fair_dbm: float = -105.0
    edge_dbm: float = -110.0

    def __post_init__(self) -> None:
        vals = (self.good_dbm, self.fair_dbm, self.edge_dbm)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in vals):
            raise _invalid(f"Coverage tiers must be numbers (dBm), got {vals}.",
                           f"Ngưỡng phủ sóng phải là số (dBm), nhận được {vals}.")
        if not self.good_dbm >= self.fair_dbm >= self.edge_dbm:
            raise _invalid(
                f"Coverage tiers must be ordered good >= fair >= edge, got good "
                f"{self.good_dbm:g}, fair {self.fair_dbm:g}, edge {self.edge_dbm:g} dBm.",
                f"Ngưỡng phủ sóng phải theo thứ tự tốt >= khá >= biên, nhận được "
                f"{self.good_dbm:g}, {self.fair_dbm:g}, {self.edge_dbm:g} dBm.",
            )

    @property
    def covered_dbm(self) -> float:
        """The "covered" threshold: the edge tier, dBm."""
        return self.edge_dbm

    def classify(self, signal_dbm: np.ndarray | float) -> np.ndarray:
        """Tier codes: 3 good, 2 fair, 1 edge, 0 not covered (NaN signal: 0).

        >>> CoverageTiers().classify([-90.0, -100.0, -108.0, -120.0]).tolist()
        [3, 2, 1, 0]
        """
        s = np.asarray(signal_dbm, dtype=float)
        with np.errstate(invalid="ignore"):
            return ((s >= self.edge_dbm).astype(np.int8) + (s >= self.fair_dbm)
                    + (s >= self.good_dbm)).astype(np.int8)


#: Bilingual tier labels by code (en, vi).
TIER_LABELS: dict[int, tuple[str, str]] = {
    3: ("good", "tốt"),
    2: ("fair", "khá"),
    1: ("edge", "biên"),
    0: ("no signal", "không có sóng"),
}


@dataclass(frozen=True)
class TechDefaults:
    """Defaults of one technology for transmitters whose file does not say.

    Attributes
    ----------
    tech
        ``"2G"``, ``"3G"``, ``"4G"`` or ``"5G"``.
    freq_mhz
        Default carrier frequency, MHz (a site row's ``freq_mhz`` / ``band`` overrides it).
    bandwidth_mhz
        Channel bandwidth, MHz (standard values for 4G/5G; sets N_sc).
    scs_khz
        NR subcarrier spacing, kHz (5G only).
    eirp_dbm
        Total EIRP per sector at the maximum antenna gain, dBm (includes ``gain_dbi``).
    gain_dbi
        Maximum antenna gain, dBi (informative: already in the EIRP).
    beamwidth_deg, vbeamwidth_deg
        Horizontal and vertical half-power beamwidths, degrees.
    tilt_deg
        Total downtilt (electrical + mechanical), degrees, positive down.
    max_radius_m
        Radius, m, beyond which the engine does not compute the sector.
    cpich_fraction_db
        3G only: CPICH share of the carrier power, dB.
    tiers
        Coverage tiers of the tech's signal (:data:`gis.radio.linkbudget.SIGNAL_KIND`).
    """

    tech: str
    freq_mhz: float
    bandwidth_mhz: float
    eirp_dbm: float
    gain_dbi: float
    tilt_deg: float
    max_radius_m: float
    tiers: CoverageTiers = field(default_factory=CoverageTiers)
    beamwidth_deg: float = 65.0
    vbeamwidth_deg: float = 10.0
    scs_khz: int | None = None
    cpich_fraction_db: float = -10.0

    def __post_init__(self) -> None:
        if self.tech not in TECHS:
            raise _invalid(f"Unknown technology {self.tech!r}; valid: {', '.join(TECHS)}.",
                           f"Công nghệ {self.tech!r} không có; hợp lệ: {', '.join(TECHS)}.")
        checks = {
            "freq_mhz": (self.freq_mhz, 30.0, 100_000.0),
            "bandwidth_mhz": (self.bandwidth_mhz, 0.1, 400.0),
            "eirp_dbm": (self.eirp_dbm, -30.0, 100.0),
            "gain_dbi": (self.gain_dbi, -10.0, 40.0),
            "tilt_deg": (self.tilt_deg, -30.0, 30.0),
            "max_radius_m": (self.max_radius_m, 100.0, 100_000.0),
            "beamwidth_deg": (self.beamwidth_deg, 1.0, 360.0),
            "vbeamwidth_deg": (self.vbeamwidth_deg, 0.5, 180.0),
            "cpich_fraction_db": (self.cpich_fraction_db, -30.0, 0.0),
        }
        for name, (value, lo, hi) in checks.items():
            if not (isinstance(value, int | float) and lo <= value <= hi):
                raise _invalid(
                    f"{self.tech} {name} = {value!r} is outside {lo:g}-{hi:g}.",
                    f"{self.tech} {name} = {value!r} nằm ngoài khoảng {lo:g}-{hi:g}.",
                )
        if self.tech in ("4G", "5G"):
            n_subcarriers(self.tech, self.bandwidth_mhz, self.scs_khz)  # raises when unknown

    @property
    def signal(self) -> str:
        """The measured signal: ``rxlev``, ``rscp``, ``rsrp`` or ``ss_rsrp``."""
        return SIGNAL_KIND[self.tech]

    @property
    def n_subcarriers(self) -> int | None:
        """N_sc of a 4G/5G carrier; None for 2G/3G."""
        if self.tech in ("4G", "5G"):
            return n_subcarriers(self.tech, self.bandwidth_mhz, self.scs_khz)
        return None

    @property
    def signal_offset_db(self) -> float:
        """Measured signal relative to the total EIRP, dB (see :mod:`gis.radio.linkbudget`)."""
        return signal_offset_db(self.tech, self.bandwidth_mhz, self.scs_khz,
                                cpich_fraction_db=self.cpich_fraction_db)


#: Per-technology defaults [U: no Vietnamese figures published; typical vendor values].
#:
#: - 2G: GSM 900 (the 2G band of all Vietnamese operators), one 20 W TRX (43 dBm) + 15 dBi
#:   panel (65° × 12°) - 2 dB feeder = 56 dBm per BCCH carrier; 15 km radius (rural GSM cells reach
#:   10-20 km; the timing advance allows 35 km). RxLev tiers -80 / -90 / -100 dBm: the edge keeps
#:   2 dB above the -102 dBm reference sensitivity of a GSM 900 handset (3GPP TS 45.005).
#: - 3G: UMTS 2100 (5 MHz), 20 W (43 dBm) + 17 dBi (65° × 8°) - 2 dB = 58 dBm, CPICH 10 %
#:   (-10 dB); 8 km. RSCP tiers -85 / -95 / -105 dBm, the usual drive-test classes.
#: - 4G: LTE 1800 (B3, the band 4G launched on in Vietnam, DOMAIN.md §3), 20 MHz (100 RB),
#:   40 W (46 dBm) + 17 dBi (65° × 8°) - 2 dB = 61 dBm; 10 km. RSRP tiers -95 / -105 / -110 dBm.
#: - 5G: NR n78 3500 MHz, 100 MHz at 30 kHz (273 RB), a 64T64R active antenna of 200 W (53 dBm)
#:   with 24 dBi beam gain and no feeder = 77 dBm; 6 km. The operators' actual bands are in
#:   :attr:`RadioParams.operator_bands_mhz`. SS-RSRP tiers -90 / -100 / -105 dBm [U], 5 dB above
#:   the 4G RSRP tiers: (1) an NR resource element at 30 kHz SCS collects twice the thermal noise
#:   of an LTE one at 15 kHz (-129.2 against -132.2 dBm, kTB with B the subcarrier spacing), so
#:   the same SINR needs 3 dB more SS-RSRP (3GPP TS 38.215 §5.1.1 defines SS-RSRP per RE of the
#:   SSB); (2) the operators' 5G drive-test classes: SS-RSRP >= -105 dBm (with SS-SINR >= -3 dB)
#:   as the 5G coverage criterion where LTE uses RSRP >= -110 dBm, and published SS-RSRP classes
#:   good > -85 / -90, fair to -100, poor below -100 to -110 dBm (5G NR drive-test guides,
#:   e.g. 5g6gacademy.com/learn/5g-drive-test-guide, hicelltek.com 5G drive-test KPI reference,
#:   2026). No Vietnamese threshold is published (DOMAIN.md §3): validate with drive tests.
DEFAULT_TECHS: dict[str, TechDefaults] = {
    "2G": TechDefaults("2G", 900.0, 0.2, 56.0, 15.0, 2.0, 15_000.0,
                       CoverageTiers(-80.0, -90.0, -100.0), vbeamwidth_deg=12.0),
    "3G": TechDefaults("3G", 2100.0, 5.0, 58.0, 17.0, 3.0, 8_000.0,
                       CoverageTiers(-85.0, -95.0, -105.0), vbeamwidth_deg=8.0),
    "4G": TechDefaults("4G", 1800.0, 20.0, 61.0, 17.0, 3.0, 10_000.0,
                       CoverageTiers(-95.0, -105.0, -110.0), vbeamwidth_deg=8.0),
    "5G": TechDefaults("5G", 3500.0, 100.0, 77.0, 24.0, 4.0, 6_000.0,
                       CoverageTiers(-90.0, -100.0, -105.0), vbeamwidth_deg=8.0, scs_khz=30),
}

#: Default carrier frequency by operator and technology, MHz (DOMAIN.md section 3 [V]): the 5G
#: auction lots B1 2500-2600 MHz (Viettel), C2 3700-3800 MHz (VNPT / VinaPhone),
#: C3 3800-3900 MHz (MobiFone), at their centres.
DEFAULT_OPERATOR_BANDS_MHZ: dict[str, float] = {
    "Viettel 5G": 2550.0,
    "VinaPhone 5G": 3750.0,
    "MobiFone 5G": 3850.0,
}

#: Antenna height above ground by structure (tower class), m [U: DOMAIN.md §2-3 gives only ranges].
#: A1 (non-bulky poles, street furniture, small rooftop masts): 12 m; A2a (bulky, on buildings):
#: 15 m above ground, a 3-4 storey building plus a short mast; A2b (bulky ground towers, the rural
#: type, 92 % of Kiên Giang's towers): 36 m, mid of the usual 30-45 m. Keys are normalised with
#: :func:`gis.layers.schema.header_key` without separators, so "A2b", "a2b" and "A-2b" match.
DEFAULT_STRUCTURE_HEIGHTS_M: dict[str, float] = {
    "a1": 12.0, "a1a": 12.0, "a1b": 12.0,
    "a2a": 15.0, "rooftop": 15.0, "roof": 15.0, "tren_nha": 15.0, "building": 15.0,
    "a2b": 36.0, "tower": 36.0, "ground": 36.0, "greenfield": 36.0, "cot_tu_dung": 36.0,
    "cot_day_co": 36.0,
}

#: ESA WorldCover 10 m class codes and bilingual names.
CLUTTER_CLASSES: dict[int, tuple[str, str]] = {
    10: ("Tree cover", "Rừng, cây che phủ"),
    20: ("Shrubland", "Cây bụi"),
    30: ("Grassland", "Đồng cỏ"),
    40: ("Cropland", "Đất trồng trọt"),
    50: ("Built-up", "Khu dân cư, xây dựng"),
    60: ("Bare / sparse vegetation", "Đất trống"),
    70: ("Snow and ice", "Băng tuyết"),
    80: ("Permanent water bodies", "Mặt nước"),
    90: ("Herbaceous wetland", "Đất ngập nước"),
    95: ("Mangroves", "Rừng ngập mặn"),
    100: ("Moss and lichen", "Rêu, địa y"),
}

#: Extra loss at the receiver's land-cover class, dB, on top of the suburban median [U]: planning
#: tools use clutter offsets of this size (ITU-R P.2108 §3.2 gives terminal clutter losses of a few
#: dB to ~20 dB); the suburban Hata median already contains typical village trees and houses, so
#: only classes denser than that add loss: dense tree cover and mangroves 6 dB, built-up 3 dB,
#: shrubland 2 dB, open classes 0 dB. Calibrate with drive tests.
DEFAULT_CLUTTER_LOSS_DB: dict[int, float] = {
    10: 6.0, 20: 2.0, 30: 0.0, 40: 0.0, 50: 3.0, 60: 0.0, 70: 0.0, 80: 0.0, 90: 0.0, 95: 6.0,
    100: 0.0,
}


def _structure_key(value: object) -> str:
    """``"A-2b"``, ``"A2b"``, ``"a 2 b"`` -> ``"a2b"``; ``"Trên nhà"`` -> ``"trennha"``."""
    return header_key(value).replace("_", "")


@dataclass(frozen=True)
class ModelRule:
    """Use ``model`` for carriers up to ``max_freq_mhz`` (inclusive) not taken by a lower rule."""

    max_freq_mhz: float
    model: Model

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", Model.parse(self.model))


DEFAULT_MODEL_RULES: tuple[ModelRule, ...] = (
    ModelRule(1500.0, Model.OKUMURA_HATA),
    ModelRule(2200.0, Model.COST231_HATA),
    ModelRule(100_000.0, Model.RMA),
)


@dataclass(frozen=True)
class RadioParams:
    """Parameters of the radio coverage (``RunParams.radio``).

    Attributes
    ----------
    techs
        :class:`TechDefaults` per technology ("2G".."5G"). A partial dict (e.g. from
        ``params.json``: ``{"4G": {"eirp_dbm": 58}}``) overrides only what it names; the same
        holds for every dict below (they are merged with their defaults).
    operator_bands_mhz
        Default frequency by ``"<operator> <tech>"``, MHz (beats the tech default, loses to the
        site file).
    model_rules
        Empirical model by frequency; frequencies above the last rule use its model. See the
        module docstring for the default combination and its justification. A rule may name
        ``itm``: the engine then computes that band with ITM (Longley-Rice) along its rays
        instead of median + terrain term (:mod:`gis.radio.coverage`, "ITM carriers"); one
        rule ``{"max_freq_mhz": 100000, "model": "itm"}`` selects ITM for every band.
    env
        Hata-family environment (``suburban``: rural Vietnamese hamlets, see module doc).
    large_city
        Urban only: Okumura-Hata's large-city a(h_m), COST-231's metropolitan C_m = 3 dB.
    cost231_hata_classes
        True (default): COST-231 Hata takes Hata's area classes, as ITU-R SM.2028's extended Hata
        does (:func:`gis.radio.models.cost231_hata_class_db`), so ``env = suburban`` means the
        same village clutter at 900 and at 1800 MHz. False: COST 231's own classes (suburban =
        C_m 0 dB, the ``pathloss`` CLI's meaning), about 12 dB more loss at 1800 MHz than the
        suburban class.
    condition
        3GPP LOS/NLOS (``nlos``: 3GPP median for receivers among houses and trees).
    building_height_m, street_width_m
        RMa h and W, m: the TR 38.901 defaults 5 m and 20 m (single-storey rural houses, roads).
    rx_height_m
        Receiver height above ground, m: 1.5 m, a handset at hand height (Hata's and 3GPP's
        reference).
    rx_gain_dbi
        Handset antenna gain, dBi: 0 (isotropic; handsets are -3..0 dBi).
    body_loss_db
        Body loss, dB: 0, because the tier thresholds are drive-test values (outdoor, no body).
    penetration_loss_db
        Building penetration loss, dB: 0, outdoor coverage (the trắng sóng check is at the
        hamlet's cultural house, outdoors); 10-20 dB for indoor coverage studies.
    k_factor
        Effective earth-radius factor: 4/3, the standard atmosphere (ITU-R P.453/P.834).
    diffraction
        Multi-edge diffraction: ``delta_bullington`` (default; ITU-R P.526-16 §4.5.2, the
        Recommendation's complete method for a general terrestrial path: Bullington over the
        real profile minus Bullington over its smooth surface plus the spherical-earth loss;
        continuous and monotone in the antenna height, so a higher antenna never covers less),
        ``bullington`` (§4.5.1 alone, the previous default), ``deygout`` (up to 3 edges; its
        edge selection can jump and occasionally gives more loss for a higher mast) or ``none``
        (empirical model only). See :mod:`gis.radio.terrain`.
    bullington_correction
        Where the Bullington correction ``(1 - exp(-L_uc/6))(10 + 0.02 d_km)`` applies:
        ``multi_edge`` (default: weighted by how far the equivalent edge rises above the highest
        real edge, so a lone knife edge is P.526 §4.1's J(v) and several edges get the
        correction), ``p526`` (always, as §4.5.1 writes it) or ``none``.
    ground_permittivity, ground_conductivity_s_m
        Ground's relative permittivity and conductivity (S/m) for the spherical-earth term: 15 and
        0.005 S/m, ITU-R P.527 "average ground" (NTIA's ITM recommends the same for average
        ground); Vietnam's deltas are wetter (P.527 "wet ground": 30, 0.01 S/m) - above 300 MHz
        the term barely depends on them.
    polarization
        ``vertical`` (default: vertical or ±45° cross-polar base-station antennas) or
        ``horizontal``; over land above 300 MHz the spherical-earth term differs by < 0.1 dB.
    min_distance_m
        Distance floor of the models in the engine, m (see :mod:`gis.radio.models`).
    front_to_back_db, sla_v_db
        Antenna pattern A_m and SLA_V, dB (TR 36.814: 25 and 20).
    structure_heights_m
        Antenna height by tower class / structure, m (keys normalised like column headers).
    default_height_m
        Height when neither ``height_m`` nor a known structure is given, m: 30 m, a typical macro
        tower when its class is unknown.
    default_tech
        Technology assumed for site rows without one: ``"4G"``, the mobile-broadband tech that
        every operator runs on every site today.
    default_azimuths_deg
        Sectors assumed for a site row without azimuth: three 120° sectors at 0/120/240°.
    low_band_mhz, low_band_max_radius_m
        Carriers at or below ``low_band_mhz`` (700, 900 MHz) are computed to at least
        ``low_band_max_radius_m`` (15 km), whatever their tech's radius: a 5G or 4G carrier at
        700/900 MHz reaches well beyond the 6-10 km of the tech defaults (Viettel quotes 1.8× the
        1800 MHz radius for 700 MHz, DOMAIN.md §3).
    clutter_loss_db
        Extra loss by ESA WorldCover class code, dB (see :data:`DEFAULT_CLUTTER_LOSS_DB`).
    excess_over_grazing
        Coverage engine: the terrain term adds only the loss an empirical median does not
        contain (True, default): with delta-Bullington the terrain's excess over the smooth
        earth, ``max(0, L_ba - L_bs)`` (the medians are smooth-earth models), with Bullington or
        Deygout each obstructing edge's ``J(v) - J(0)``. False adds the whole diffraction loss
        (the complete P.526 method; for a free-space median). See :mod:`gis.radio.terrain`.
    effective_height
        Coverage engine: antenna height given to the median model: ``"ground"`` (height above
        the ground at the site, default) or ``"profile_mean"`` (above the mean ground along the
        path, at least 1 m). See :mod:`gis.radio.coverage`.
    ray_step_m
        Coverage engine: radial sampling step of the terrain sweep, m; ``None``: the DEM cell
        size (finer adds no information, coarser skips terrain).
    grid_resolution_m
        Coverage engine: cell size of the coverage rasters, m; ``None``: the DEM's own cells
        (30 m for SRTM/Copernicus GLO-30), or 30 m on flat terrain without a DEM.
    area_margin_m
        Run stage: the coverage rasters cover the hamlets' bounding box plus this margin, m
        (1000 m: the map shows the surroundings of edge hamlets).
    itm
        Inputs of the ITM (Longley-Rice) terrain model, used where a model rule names ``itm``:
        radio climate, surface refractivity N_0, polarization, ground constants, mode of
        variability and percentages, with defaults for Vietnam
        (:class:`gis.radio.itm_params.ItmParams`).
    """

    techs: dict[str, TechDefaults] = field(default_factory=lambda: dict(DEFAULT_TECHS))
    operator_bands_mhz: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_OPERATOR_BANDS_MHZ))
    model_rules: tuple[ModelRule, ...] = DEFAULT_MODEL_RULES
    env: Environment = Environment.SUBURBAN
    large_city: bool = False
    cost231_hata_classes: bool = True
    condition: Condition = Condition.NLOS
    building_height_m: float = 5.0
    street_width_m: float = 20.0
    rx_height_m: float = 1.5
    rx_gain_dbi: float = 0.0
    body_loss_db: float = 0.0
    penetration_loss_db: float = 0.0
    k_factor: float = 4.0 / 3.0
    diffraction: Diffraction = Diffraction.DELTA_BULLINGTON
    bullington_correction: BullingtonCorrection = BullingtonCorrection.MULTI_EDGE
    ground_permittivity: float = 15.0
    ground_conductivity_s_m: float = 0.005
    polarization: Polarization = Polarization.VERTICAL
    min_distance_m: float = 20.0
    front_to_back_db: float = DEFAULT_FRONT_TO_BACK_DB
    sla_v_db: float = DEFAULT_SLA_V_DB
    structure_heights_m: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_STRUCTURE_HEIGHTS_M))
    default_height_m: float = 30.0
    default_tech: str = "4G"
    default_azimuths_deg: tuple[float, ...] = (0.0, 120.0, 240.0)
    low_band_mhz: float = 1000.0
    low_band_max_radius_m: float = 15_000.0
    clutter_loss_db: dict[int, float] = field(
        default_factory=lambda: dict(DEFAULT_CLUTTER_LOSS_DB))
    # -- coverage-engine fields (radio-engine; gis.radio.coverage) --------------------------
    excess_over_grazing: bool = True
    effective_height: str = "ground"
    ray_step_m: float | None = None
    grid_resolution_m: float | None = None
    area_margin_m: float = 1000.0
    itm: ItmParams = field(default_factory=ItmParams)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.effective_height not in ("ground", "profile_mean"):
            raise _invalid(f"radio.effective_height = {self.effective_height!r}; valid: "
                           "ground, profile_mean.",
                           f"radio.effective_height = {self.effective_height!r}; hợp lệ: "
                           "ground, profile_mean.")
        for name in ("ray_step_m", "grid_resolution_m"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and value > 0):
                raise _invalid(f"radio.{name} must be > 0 m or null, got {value!r}.",
                               f"radio.{name} phải > 0 m hoặc null, nhận {value!r}.")
        if not (isinstance(self.area_margin_m, int | float) and self.area_margin_m >= 0):
            raise _invalid(f"radio.area_margin_m must be >= 0 m, got {self.area_margin_m!r}.",
                           f"radio.area_margin_m phải >= 0 m, nhận {self.area_margin_m!r}.")
        set_(self, "env", Environment.parse(self.env))
        set_(self, "condition", Condition.parse(self.condition))
        try:
            set_(self, "diffraction", Diffraction(str(self.diffraction).lower()))
        except ValueError:
            valid = ", ".join(d.value for d in Diffraction)
            raise _invalid(f"diffraction = {self.diffraction!r}; valid: {valid}.",
                           f"diffraction = {self.diffraction!r}; hợp lệ: {valid}.") from None
        for name, enum_ in (("bullington_correction", BullingtonCorrection),
                            ("polarization", Polarization)):
            value = str(getattr(self, name)).lower()
            valid = ", ".join(e.value for e in enum_)
            if value not in valid.split(", "):
                raise _invalid(f"radio.{name} = {getattr(self, name)!r}; valid: {valid}.",
                               f"radio.{name} = {getattr(self, name)!r}; hợp lệ: {valid}.")
            set_(self, name, enum_(value))
        if not (isinstance(self.ground_permittivity, int | float)
                and 1.0 <= self.ground_permittivity <= 100.0):
            raise _invalid(f"radio.ground_permittivity must be within 1-100, got "
                           f"{self.ground_permittivity!r} (average ground 15, sea water 70-80).",
                           f"radio.ground_permittivity phải trong 1-100, nhận "
                           f"{self.ground_permittivity!r} (đất trung bình 15, nước biển 70-80).")
        if not (isinstance(self.ground_conductivity_s_m, int | float)
                and 1e-5 <= self.ground_conductivity_s_m <= 10.0):
            raise _invalid(f"radio.ground_conductivity_s_m must be within 0.00001-10 S/m, got "
                           f"{self.ground_conductivity_s_m!r} (average ground 0.005, sea 5).",
                           f"radio.ground_conductivity_s_m phải trong 0,00001-10 S/m, nhận "
                           f"{self.ground_conductivity_s_m!r} (đất trung bình 0,005, biển 5).")
        set_(self, "techs", self._techs(self.techs))
        set_(self, "model_rules", self._rules(self.model_rules))
        set_(self, "clutter_loss_db", self._clutter(self.clutter_loss_db))
        heights = {**DEFAULT_STRUCTURE_HEIGHTS_M, **dict(self.structure_heights_m)}
        set_(self, "structure_heights_m", {_structure_key(k): float(v) for k, v in heights.items()})
        bands = {**DEFAULT_OPERATOR_BANDS_MHZ, **dict(self.operator_bands_mhz)}
        set_(self, "operator_bands_mhz", {str(k): float(v) for k, v in bands.items()})
        set_(self, "default_azimuths_deg",
             tuple(float(a) % 360.0 for a in self.default_azimuths_deg))
        positive = {
            "k_factor": self.k_factor, "rx_height_m": self.rx_height_m,
            "min_distance_m": self.min_distance_m, "default_height_m": self.default_height_m,
            "low_band_mhz": self.low_band_mhz, "low_band_max_radius_m": self.low_band_max_radius_m,
            "building_height_m": self.building_height_m, "street_width_m": self.street_width_m,
            "front_to_back_db": self.front_to_back_db, "sla_v_db": self.sla_v_db,
            **{f"structure_heights_m[{k}]": v for k, v in self.structure_heights_m.items()},
            **{f"operator_bands_mhz[{k}]": v for k, v in self.operator_bands_mhz.items()},
        }
        for name, value in positive.items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise _invalid(f"radio.{name} must be a number > 0, got {value!r}.",
                               f"radio.{name} phải là số > 0, nhận được {value!r}.")
        for name in ("body_loss_db", "penetration_loss_db"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value >= 0):
                raise _invalid(f"radio.{name} must be >= 0 dB, got {value!r}.",
                               f"radio.{name} phải >= 0 dB, nhận được {value!r}.")
        if self.default_tech not in self.techs:
            raise _invalid(
                f"radio.default_tech = {self.default_tech!r}; valid: {', '.join(self.techs)}.",
                f"radio.default_tech = {self.default_tech!r}; hợp lệ: {', '.join(self.techs)}.")
        if not self.default_azimuths_deg:
            raise _invalid("radio.default_azimuths_deg is empty; give at least one azimuth.",
                           "radio.default_azimuths_deg trống; cần ít nhất một góc phương vị.")

    @staticmethod
    def _techs(techs: dict[str, Any]) -> dict[str, TechDefaults]:
        out = dict(DEFAULT_TECHS)
        for key, value in dict(techs).items():
            tech = str(key).upper()
            if tech not in TECHS:
                raise _invalid(f"radio.techs: unknown technology {key!r}; valid: "
                               f"{', '.join(TECHS)}.",
                               f"radio.techs: công nghệ {key!r} không có; hợp lệ: "
                               f"{', '.join(TECHS)}.")
            if isinstance(value, TechDefaults):
                out[tech] = value
            elif isinstance(value, dict):
                out[tech] = merged(DEFAULT_TECHS[tech], {**value, "tech": tech},
                                   where=f"radio.techs.{tech}")
            else:
                raise _invalid(f"radio.techs.{key}: expected an object, got {value!r}.",
                               f"radio.techs.{key}: cần một đối tượng, nhận được {value!r}.")
        return out

    @staticmethod
    def _rules(rules: Any) -> tuple[ModelRule, ...]:
        out = []
        for r in rules:
            if isinstance(r, dict):
                r = ModelRule(float(r["max_freq_mhz"]), Model.parse(r["model"]))
            out.append(r)
        if not out:
            raise _invalid("radio.model_rules is empty; give at least one rule.",
                           "radio.model_rules trống; cần ít nhất một quy tắc.")
        freqs = [r.max_freq_mhz for r in out]
        if freqs != sorted(freqs):
            raise _invalid(f"radio.model_rules must be sorted by max_freq_mhz, got {freqs}.",
                           f"radio.model_rules phải xếp tăng dần theo max_freq_mhz: {freqs}.")
        return tuple(out)

    @staticmethod
    def _clutter(clutter: dict[Any, Any]) -> dict[int, float]:
        out = dict(DEFAULT_CLUTTER_LOSS_DB)
        for k, v in dict(clutter).items():
            try:
                out[int(k)] = float(v)
            except (TypeError, ValueError):
                raise _invalid(f"radio.clutter_loss_db: {k!r}: {v!r} is not class code: dB.",
                               f"radio.clutter_loss_db: {k!r}: {v!r} không phải mã lớp: dB.",
                               ) from None
        return out

    def replace(self, **changes: Any) -> RadioParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def tech(self, tech: str) -> TechDefaults:
        """The defaults of ``tech``; a clear error when it is not configured."""
        try:
            return self.techs[str(tech).upper()]
        except KeyError:
            raise _invalid(f"No radio defaults for technology {tech!r}; known: "
                           f"{', '.join(self.techs)}.",
                           f"Không có tham số vô tuyến cho công nghệ {tech!r}; có: "
                           f"{', '.join(self.techs)}.") from None

    def model_for(self, freq_mhz: float) -> Model:
        """The empirical model of a carrier at ``freq_mhz`` (see :attr:`model_rules`).

        >>> [RadioParams().model_for(f).value for f in (700, 900, 1800, 2100, 2600, 3500)]
        ['okumura_hata', 'okumura_hata', 'cost231_hata', 'cost231_hata', 'rma', 'rma']
        """
        for rule in self.model_rules:
            if freq_mhz <= rule.max_freq_mhz:
                return rule.model
        return self.model_rules[-1].model

    def models_for(self, freq_mhz: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`model_for`: an object array of model names (str values)."""
        f = np.asarray(freq_mhz, dtype=float)
        edges = np.array([r.max_freq_mhz for r in self.model_rules])
        idx = np.minimum(np.searchsorted(edges, f, side="left"), len(edges) - 1)
        names = np.array([r.model.value for r in self.model_rules], dtype=object)
        return names[idx]

    def median_path_loss_db(
        self,
        distance_m: np.ndarray | float,
        freq_mhz: float,
        tx_height_m: float | np.ndarray,
        *,
        rx_height_m: float | None = None,
        model: Model | str | None = None,
        counts: np.ndarray | None = None,
    ) -> np.ndarray:
        """Empirical (median) path loss as the coverage engine uses it, dB.

        The model of :meth:`model_for` (or ``model``) with this object's ``env``, ``large_city``,
        (COST-231 Hata: Hata's area classes when :attr:`cost231_hata_classes`, see
        :func:`gis.radio.models.cost231_hata_class_db`), ``condition``, ``building_height_m``,
        ``street_width_m`` and ``rx_height_m``; distances below ``min_distance_m`` evaluated at
        it; outside the model's validity range the documented fallbacks of
        :data:`gis.radio.models.FALLBACKS` (the engine's kernels, :mod:`gis.radio._median`).
        The terrain and clutter terms are not included.

        Parameters
        ----------
        distance_m
            Horizontal distances, m.
        freq_mhz
            Carrier frequency, MHz.
        tx_height_m
            Antenna height above ground, m (scalar or one per distance).
        rx_height_m
            Receiver height above ground, m (default :attr:`rx_height_m`).
        model
            Override the model chosen by frequency.
        counts
            Optional int64 array of :data:`gis.radio._median.N_FB` counters, incremented per
            distance that used a distance fallback.
        """
        from gis.radio import _median as M  # numba: imported when used (params stay light)

        model = Model.parse(model or self.model_for(float(freq_mhz)))
        code = M.MODEL_CODES[model.value]
        if model == Model.COST231_HATA and self.cost231_hata_classes:
            code = M.MODEL_COST231_HATA_CLASS
        d = np.asarray(distance_m, dtype=float)
        h = np.asarray(tx_height_m, dtype=float)
        d, h = np.broadcast_arrays(d, h)
        shape = d.shape
        d = np.ascontiguousarray(d, dtype=float).ravel()
        h = np.ascontiguousarray(h, dtype=float).ravel()
        if d.size and not (np.all(np.isfinite(d)) and np.all(d >= 0)
                           and np.all(np.isfinite(h)) and np.all(h > 0)):
            raise _invalid("Distances must be finite and >= 0 m and antenna heights > 0 m.",
                           "Khoảng cách phải hữu hạn và >= 0 m, độ cao anten > 0 m.")
        if not (math.isfinite(float(freq_mhz)) and float(freq_mhz) > 0):
            raise _invalid(f"freq_mhz = {freq_mhz!r}: must be a number > 0.",
                           f"freq_mhz = {freq_mhz!r}: phải là số > 0.")
        out = np.empty(d.size)
        cnt = np.zeros(M.N_FB, np.int64) if counts is None else counts
        M.engine_median_array(code, d, float(freq_mhz), h,
                              float(self.rx_height_m if rx_height_m is None else rx_height_m),
                              M.ENV_CODES[self.env.value], bool(self.large_city),
                              self.condition.value == "nlos", float(self.building_height_m),
                              float(self.street_width_m), float(self.min_distance_m), out, cnt)
        return out.reshape(shape)

    def clutter_lut(self) -> np.ndarray:
        """Clutter loss by class code as a lookup table, dB: ``lut[code]`` (float32, 256 codes).

        Codes outside 0-255 or not in :attr:`clutter_loss_db` have 0 dB. The engine indexes it
        with the land-cover raster: ``lut[landcover.astype(np.uint8)]``.
        """
        lut = np.zeros(256, dtype=np.float32)
        for code, loss in self.clutter_loss_db.items():
            if 0 <= code < 256:
                lut[code] = loss
        return lut

    def default_freq_mhz(self, operator: str, tech: str) -> float:
        """Default frequency of ``tech`` for ``operator``, MHz."""
        return self.operator_bands_mhz.get(f"{operator} {tech}", self.tech(tech).freq_mhz)

    def height_for(self, structure: object) -> float | None:
        """Antenna height of a structure/tower class, m; None when it is not known."""
        return self.structure_heights_m.get(_structure_key(structure)) if structure else None
