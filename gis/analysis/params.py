"""Parameters of the per-hamlet analyses: mobile rule, FTTH and fiber plan, sharing.

The dataclasses that :class:`gis.params.RunParams` holds as sections ``mobile``, ``fiber`` and
``sharing`` (the indicator targets are :class:`gis.analysis.targets.IndicatorParams`). They live
apart from the analyses so that reading or writing parameters never imports numba or scipy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from gis.analysis.costs import CostParams, GponParams
from gis.errors import ValidationError
from gis.layers.schema import TECHS

__all__ = ["AccessFromCables", "FiberParams", "HamletRule", "SharingParams"]


@dataclass(frozen=True)
class HamletRule:
    """When a hamlet counts as covered by mobile broadband (``RunParams.mobile``).

    Attributes
    ----------
    centre_required
        The hamlet centre (nhà văn hóa) must be covered: True, the trắng sóng test of
        Công văn 1603/BTTTT-CVT (DOMAIN.md §1).
    min_pop_share
        Minimum share (0-1) of the hamlet's population in covered cells: 0.8, the lõm sóng test;
        DOMAIN.md suggests "≥ 80 %" as the default of its household rules [U], editable.
    signal_techs
        Technologies that count as "a mobile signal" for the trắng sóng / lõm sóng flags:
        3G, 4G and 5G. The official wording is "no mobile signal" (sóng di động), but service
        to 2G-only handsets ended on 16/10/2024 and the 2G network closes in 9/2026 (DOMAIN.md
        §5), so a hamlet reached only by GSM has no usable mobile service for a plan made now;
        add ``"2G"`` for the literal reading, or keep ``["4G", "5G"]`` for broadband only.
    """

    centre_required: bool = True
    min_pop_share: float = 0.8
    signal_techs: tuple[str, ...] = ("3G", "4G", "5G")

    def __post_init__(self) -> None:
        if not (isinstance(self.min_pop_share, int | float) and 0.0 <= self.min_pop_share <= 1.0):
            raise ValidationError(
                f"mobile.min_pop_share must be between 0 and 1, got {self.min_pop_share!r}.",
                f"mobile.min_pop_share phải từ 0 đến 1, nhận {self.min_pop_share!r}.",
                fix="Give a share, e.g. 0.8 for 80 %.", fix_vi="Nhập tỷ lệ, ví dụ 0.8 cho 80 %.",
            )
        techs = tuple(str(t).upper() for t in self.signal_techs)
        bad = [t for t in techs if t not in TECHS]
        if bad or not techs:
            raise ValidationError(
                f"mobile.signal_techs: {bad or 'empty'}; valid: {', '.join(TECHS)}.",
                f"mobile.signal_techs: {bad or 'rỗng'}; hợp lệ: {', '.join(TECHS)}.",
            )
        object.__setattr__(self, "signal_techs", techs)

    def covered(self, centre_covered: np.ndarray, pop_share: np.ndarray) -> np.ndarray:
        """The rule on arrays: (centre covered, if required) and share >= the minimum."""
        ok = np.asarray(pop_share, float) >= self.min_pop_share - 1e-12
        if self.centre_required:
            ok &= np.asarray(centre_covered, bool)
        return ok


class AccessFromCables(StrEnum):
    """When points of access/distribution cables count as access points (drop taps)."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True)
class FiberParams:
    """Parameters of FTTH coverage, the fiber extension plan and facilities' connectivity.

    Attributes
    ----------
    drop_max_m
        Maximum drop length from an access point to a home, along roads, in metres. DOMAIN.md
        gives 300-500 m [U] (no Vietnamese rule was found). Default 400 m, the middle: longer than
        the 300 m of dense areas, shorter than the 500 m that needs a long pre-terminated drop.
    hh_share_min
        Share of households (0-1) that must be reachable for the hamlet to count as FTTH; 0.8 as
        in DOMAIN.md section 7.
    snap_tolerance_m
        Road line ends closer than this to another road are joined (metres); 5 m, about a road
        width.
    people_per_household
        Used only when a hamlet has population but no household count: 3.5 persons per household,
        the 2019 census average for Vietnam [P].
    household_points
        Households spread over a polygon hamlet (no population raster): about this many evenly
        spaced points per hamlet, each carrying an equal share of the households.
    cable_sample_m
        When no access nodes are given, access and distribution cables are access points all
        along: they are sampled every this many metres (the error is at most half of it).
    access_node_kinds
        Fiber node kinds (lower case, without diacritics; a kind starting with one of these
        counts) from which a drop can be taken. OLT sites count: their splitters serve the
        neighbourhood of the exchange.
    access_levels
        Fiber cable levels whose every point is an access point (see ``access_from_cables``).
    access_from_cables
        ``"auto"`` (default, the rule of the issue): cables of ``access_levels`` are access points
        only when the project has no access node; ``"always"``: access nodes and those cables
        (a drop box can be added anywhere on an access cable); ``"never"``: nodes only.
    prefer_planned_works
        Route new fiber preferably along roads with planned works (co-deployment), discounted by
        ``costs.planned_works_factor``.
    feeder_km_default
        OLT-to-network distance assumed when the project has no OLT node, in km, for the optical
        budget check [U]: 10 km, a district exchange serving its communes.
    facility_rsrp_min_dbm
        RSRP (dBm) counted as 4G/5G coverage at a facility when the radio parameters give no
        per-tech threshold; -110 dBm, the cell-edge value of DOMAIN.md section 3 [U].
    costs
        Installation costs in VND per metre (:class:`gis.analysis.costs.CostParams`).
    gpon
        GPON optical budget (:class:`gis.analysis.costs.GponParams`).
    """

    drop_max_m: float = 400.0
    hh_share_min: float = 0.8
    snap_tolerance_m: float = 5.0
    people_per_household: float = 3.5
    household_points: int = 30
    cable_sample_m: float = 25.0
    access_node_kinds: tuple[str, ...] = (
        "splitter", "box", "cabinet", "fat", "fdt", "fdh", "odf", "access", "olt",
        "bo_chia", "hop_phoi", "hop_cap", "tu_cap", "tu_phoi", "diem_truy_nhap",
    )
    access_levels: tuple[str, ...] = ("access", "distribution")
    access_from_cables: AccessFromCables = AccessFromCables.AUTO
    prefer_planned_works: bool = False
    feeder_km_default: float = 10.0
    facility_rsrp_min_dbm: float = -110.0
    costs: CostParams = field(default_factory=CostParams)
    gpon: GponParams = field(default_factory=GponParams)

    def __post_init__(self) -> None:
        checks = [
            ("drop_max_m", self.drop_max_m > 0, "> 0 m"),
            ("hh_share_min", 0.0 <= self.hh_share_min <= 1.0, "in [0, 1]"),
            ("snap_tolerance_m", self.snap_tolerance_m >= 0, ">= 0 m"),
            ("people_per_household", self.people_per_household > 0, "> 0"),
            ("household_points", self.household_points >= 1, ">= 1"),
            ("cable_sample_m", self.cable_sample_m > 0, "> 0 m"),
            ("feeder_km_default", self.feeder_km_default >= 0, ">= 0 km"),
        ]
        try:
            object.__setattr__(self, "access_from_cables",
                               AccessFromCables(self.access_from_cables))
        except ValueError:
            valid = ", ".join(m.value for m in AccessFromCables)
            raise ValidationError(
                f"fiber.access_from_cables must be one of {valid}; got "
                f"{self.access_from_cables!r}.",
                f"fiber.access_from_cables phải là một trong {valid}; nhận được "
                f"{self.access_from_cables!r}.",
            ) from None
        for name, ok, want in checks:
            if not ok:
                raise ValidationError(
                    f"fiber.{name} must be {want}, got {getattr(self, name)}.",
                    f"fiber.{name} phải {want}, nhận được {getattr(self, name)}.",
                )


@dataclass(frozen=True)
class SharingParams:
    """Parameters of the sharing analysis.

    Attributes
    ----------
    colocation_distance_m
        Sites closer than this are one physical position, in metres. Default 30 m: operators'
        coordinates of one tower differ by a few to a few tens of metres (GPS at the tower foot,
        different survey dates); separate towers are almost never closer than ~50 m.
    consolidation_distance_urban_m, consolidation_distance_rural_m
        Towers of different operators closer than this may be merged onto one (Hà Nội's QĐ
        5800/QĐ-UBND: 100 m inner city, 500 m outer areas; DOMAIN.md section 2).
    urban_density_per_km2
        Population density above which a place counts as urban for the rules above and for the
        tower class (A1 / A2a in towns, A2b in the countryside). Default 1,000 people/km², the
        usual threshold of urban cores in Vietnam's urban classification.
    new_tower_height_m
        Height of a proposed new shared tower, in metres (rural A2b ground tower; [U] setting).
    candidate_spacing_m
        Spacing of candidate new-tower locations along roads, in metres.
    max_exact_candidates
        Largest number of candidates for the exact set-cover solver (HiGHS via
        scipy.optimize.milp); larger instances use the greedy heuristic.
    top_opportunities
        How many co-location opportunities are assumed taken for the "sharing rate reachable" figure.
    """

    colocation_distance_m: float = 30.0
    consolidation_distance_urban_m: float = 100.0
    consolidation_distance_rural_m: float = 500.0
    urban_density_per_km2: float = 1000.0
    new_tower_height_m: float = 36.0
    candidate_spacing_m: float = 500.0
    max_exact_candidates: int = 5000
    top_opportunities: int = 20

    def __post_init__(self) -> None:
        for name in ("colocation_distance_m", "consolidation_distance_urban_m",
                     "consolidation_distance_rural_m", "new_tower_height_m",
                     "candidate_spacing_m"):
            if not getattr(self, name) > 0:
                raise ValidationError(f"sharing.{name} must be positive.",
                                      f"sharing.{name} phải dương.")
