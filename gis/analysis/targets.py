"""Plan targets for the indicators: presets from real plans, editable, and the indicator settings.

Every target is a share between 0 and 1 (``1.0`` = 100 %), or ``None`` when the plan sets none
for that indicator (the indicator is still computed, and shown without a target). The switch-off
indicators are upper limits (share of hamlets that would lose coverage; the target is a maximum);
all other targets are minimums.

Presets (DOMAIN.md sections 0 and 1):

``binh_phuoc_2023_2025``
    Bình Phước province digital-infrastructure plan 2023-2025: 100 % of hamlets with mobile
    broadband and with FTTH, 100 % of households with FTTH access, BTS site sharing 25 %; the
    same plans ask for 4G in every hamlet and broadband for every school, health station and
    government office (set to 100 %).
``hai_hau_2025``
    Hải Hậu district (Nam Định) plan to 2025: as Bình Phước but BTS site sharing 30 % and
    households "able to connect on demand" 100 %.
``national``
    Decision 36/QĐ-TTg (11/01/2024, ICT infrastructure master plan) and 1132/QĐ-TTg
    (09/10/2024, digital infrastructure strategy): fibre to every hamlet, 100 % of households
    able to get fibre (2025), 5G for 99 % of the population (2030), and the national drive to
    cover every hamlet without mobile broadband by 2025. No national BTS-sharing target is
    verified (411/QĐ-TTg is not), so none is set.
``xuan_truc``
    Xuân Trúc commune (Ân Thi, Hưng Yên) plan 2023-2025, the sample targets of Công văn
    3115/BTTTT-CVT: 100 % of hamlets with mobile broadband and with FTTH, BTS sharing 25 %,
    households with fibre 80 %.

All presets set the switch-off indicators to a maximum of 0 %: the plans ask that 4G come
first wherever 2G/3G is switched off (DOMAIN.md section 5), so any hamlet that would lose
coverage is a gap.

>>> preset_targets("hai_hau_2025").bts_sharing_rate
0.3
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from gis.analysis.speed_params import SPEED_TARGET_PRESETS, lookup_preset
from gis.errors import ValidationError

__all__ = [
    "MAX_TARGETS",
    "NOT_SHARE_UNITS",
    "PRESETS",
    "IndicatorParams",
    "Targets",
    "preset_targets",
]


@dataclass(frozen=True)
class Targets:
    """The targets of one plan, as shares 0-1 (``None``: the plan sets no target).

    Attributes
    ----------
    name, source
        A short name of the plan and the document it comes from.
    hamlets_mobile_broadband
        Minimum share of hamlets with mobile broadband (4G or 5G).
    hamlets_4g, hamlets_5g
        Minimum share of hamlets covered by 4G, by 5G.
    hamlets_ftth
        Minimum share of hamlets with fixed broadband (FTTH).
    households_ftth
        Minimum share of households able to get FTTH.
    bts_sharing_rate
        Minimum share of BTS positions used by two or more operators.
    bts_tenancy_sharing_rate
        Minimum share of operator sites (tenancies) that stand on shared positions, the
        tower-count variant of DOMAIN.md section 1 (no plan sets it; none of the presets do).
    population_4g, population_5g
        Minimum share of the population covered by 4G, by 5G.
    priority_5g
        Minimum share of priority places (commune offices, industrial zones, tourist areas)
        covered by 5G.
    schools_connected, health_stations_connected, commune_offices_connected
        Minimum share of facilities of that kind with broadband (FTTH or mobile broadband).
    hamlets_lost_2g_off, hamlets_lost_3g_off
        Maximum share of hamlets that would lose mobile coverage at the 2G, 3G switch-off.
    hamlets_speed_mobile, hamlets_speed_fixed
        Minimum share of hamlets whose ESTIMATED mobile (fixed) download speed reaches the
        plan's Mbit/s target (:data:`gis.analysis.speed_params.SPEED_TARGET_PRESETS`).
    """

    name: str = "custom"
    source: str = ""
    hamlets_mobile_broadband: float | None = None
    hamlets_4g: float | None = None
    hamlets_5g: float | None = None
    hamlets_ftth: float | None = None
    households_ftth: float | None = None
    bts_sharing_rate: float | None = None
    bts_tenancy_sharing_rate: float | None = None
    population_4g: float | None = None
    population_5g: float | None = None
    priority_5g: float | None = None
    schools_connected: float | None = None
    health_stations_connected: float | None = None
    commune_offices_connected: float | None = None
    hamlets_lost_2g_off: float | None = None
    hamlets_lost_3g_off: float | None = None
    hamlets_speed_mobile: float | None = None
    hamlets_speed_fixed: float | None = None

    def __post_init__(self) -> None:
        bad = []
        for f in dataclasses.fields(self):
            if f.name in ("name", "source"):
                continue
            v = getattr(self, f.name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
                bad.append(f"{f.name}={v!r}")
            elif isinstance(v, int):
                object.__setattr__(self, f.name, float(v))
        if bad:
            raise ValidationError(
                f"Targets must be shares between 0 and 1 (1 = 100 %) or null: {', '.join(bad)}.",
                f"Mục tiêu phải là tỷ lệ từ 0 đến 1 (1 = 100 %) hoặc null: {', '.join(bad)}.",
                fix="Write 0.25 for 25 %.",
                fix_vi="Viết 0.25 cho 25 %.",
            )

    def get(self, indicator_id: str) -> float | None:
        """The target of ``indicator_id`` (``None`` when there is none)."""
        value = getattr(self, indicator_id, None)
        return value if isinstance(value, float) else None

    def replace(self, **changes: Any) -> Targets:
        """A copy with some targets changed (validated)."""
        return dataclasses.replace(self, **changes)


#: Indicators whose target is a maximum (value <= target is met); the others are minimums.
#: ``gap_unit`` of the indicators whose ``value`` / ``target`` are numbers, not shares
#: (statistics per 100 people, speeds in Mbit/s): the writers, the report and the app format
#: them as numbers.
NOT_SHARE_UNITS = ("per 100 people", "Mbit/s")

MAX_TARGETS = frozenset({"hamlets_lost_2g_off", "hamlets_lost_3g_off"})

_NO_LOSS = {"hamlets_lost_2g_off": 0.0, "hamlets_lost_3g_off": 0.0}
#: Every hamlet with mobile broadband, 4G and FTTH, every household with FTTH.
_EVERY_HAMLET = {"hamlets_mobile_broadband": 1.0, "hamlets_4g": 1.0, "hamlets_ftth": 1.0,
                 "households_ftth": 1.0}
#: Every school, health station and commune office connected.
_EVERY_FACILITY = {"schools_connected": 1.0, "health_stations_connected": 1.0,
                   "commune_offices_connected": 1.0}


def _speed(preset: str) -> dict[str, float | None]:
    """The speed-indicator targets of a preset: the share of hamlets expected at or above its
    Mbit/s targets (:attr:`SpeedTargets.share_target`, 0.5: the plans' targets are medians),
    none where the plan sets no Mbit/s target."""
    t = SPEED_TARGET_PRESETS[preset]
    return {"hamlets_speed_mobile": t.share_target if t.mobile_mbps is not None else None,
            "hamlets_speed_fixed": t.share_target if t.fixed_mbps is not None else None}


PRESETS: dict[str, Targets] = {
    "binh_phuoc_2023_2025": Targets(
        name="Bình Phước 2023-2025",
        source="Kế hoạch phát triển hạ tầng số tỉnh Bình Phước giai đoạn 2023-2025",
        bts_sharing_rate=0.25, **_EVERY_HAMLET, **_EVERY_FACILITY, **_NO_LOSS,
        **_speed("binh_phuoc_2023_2025"),
    ),
    "hai_hau_2025": Targets(
        name="Hải Hậu đến 2025",
        source="Kế hoạch phát triển hạ tầng số huyện Hải Hậu (Nam Định) đến năm 2025",
        bts_sharing_rate=0.30, **_EVERY_HAMLET, **_EVERY_FACILITY, **_NO_LOSS,
        **_speed("hai_hau_2025"),
    ),
    "national": Targets(
        name="Quốc gia (36/QĐ-TTg, 1132/QĐ-TTg)",
        source="Quyết định 36/QĐ-TTg (11/01/2024); Quyết định 1132/QĐ-TTg (09/10/2024)",
        population_5g=0.99, **_EVERY_HAMLET, **_NO_LOSS, **_speed("national"),
    ),
    "xuan_truc": Targets(
        name="Xuân Trúc 2023-2025",
        source="Kế hoạch phát triển hạ tầng số xã Xuân Trúc giai đoạn 2023-2025 "
               "(theo Công văn 3115/BTTTT-CVT)",
        hamlets_mobile_broadband=1.0, hamlets_ftth=1.0, households_ftth=0.80,
        bts_sharing_rate=0.25, **_NO_LOSS, **_speed("xuan_truc"),
    ),
}


def preset_targets(preset: str) -> Targets:
    """The targets of a preset plan; the error lists the valid presets."""
    return lookup_preset(PRESETS, preset)


@dataclass(frozen=True)
class IndicatorParams:
    """The ``targets`` section of the run parameters: which plan to measure against, and how.

    Attributes
    ----------
    preset
        Name of a preset in :data:`PRESETS`. Default ``"national"``: the national targets apply
        to every area, whereas a provincial preset applies to its own province only.
    overrides
        Targets to change from the preset, e.g. ``{"bts_sharing_rate": 0.2}`` (shares 0-1;
        ``None`` removes a target). Validated like :class:`Targets`.
    priority_kinds
        Facility kinds counted as priority places for 5G (the plans name commune/district
        centres, industrial zones, tourist areas and government offices; the commune office
        stands for the commune centre).
    per_commune, per_district
        Also compute every indicator per commune, and per district where the hamlets have a
        ``district`` column (history before the 2025 reform, DOMAIN.md section 6).
    """

    preset: str = "national"
    overrides: dict[str, float | None] = field(default_factory=dict)
    priority_kinds: tuple[str, ...] = ("commune_office", "industrial_zone", "tourist_area",
                                       "government_office", "district_office")
    per_commune: bool = True
    per_district: bool = True

    def __post_init__(self) -> None:
        preset_targets(self.preset)
        self.targets  # noqa: B018  (validate the overrides now, not at run time)

    @property
    def targets(self) -> Targets:
        """The preset's targets with :attr:`overrides` applied."""
        base = preset_targets(self.preset)
        if not self.overrides:
            return base
        valid = {f.name for f in dataclasses.fields(Targets)} - {"name", "source"}
        unknown = sorted(set(self.overrides) - valid)
        if unknown:
            raise ValidationError(
                f"Unknown target(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}.",
                f"Mục tiêu không có: {', '.join(unknown)}; hợp lệ: {', '.join(sorted(valid))}.",
            )
        return base.replace(name=base.name + " *", **dict(self.overrides))
