"""Parameters of the expected download speed (:mod:`gis.analysis.speed`): a light leaf module.

Imports only the standard library, :mod:`gis.errors` and :mod:`gis.radio.linkbudget` (numpy
only), so that the run parameters and the app can import it without numba or scipy.

Every speed the tool computes from these is an **estimate** (ước tính): a planning figure from
the coverage model and typical network settings, not a measurement; i-Speed measures.

Carrier settings are looked up by key, most specific first: ``"<operator> <tech> <band>"``, then
``"<operator> <tech>"``, ``"<tech> <band>"`` and ``"<tech>"`` (e.g. ``"Viettel 4G 1800"``,
``"Viettel 5G"``, ``"4G 900"``, ``"4G"``), where the band is the label of :data:`BANDS_MHZ`
containing the carrier frequency. Every mapping must have the ``"4G"`` and ``"5G"`` keys.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gis.errors import ValidationError
from gis.radio.linkbudget import n_resource_blocks

__all__ = [
    "BANDS_MHZ",
    "SPEED_TARGET_PRESETS",
    "SPEED_TECHS",
    "SpeedParams",
    "SpeedTargets",
    "band_label",
    "carrier_value",
    "lookup_preset",
    "speed_targets",
]

#: Technologies with a speed estimate (mobile broadband).
SPEED_TECHS = ("4G", "5G")

#: Band labels and their downlink frequency ranges, MHz (3GPP TS 36.101 / 38.101-1 band table):
#: 700 = B28 / n28 (758-803), 900 = B8 (925-960), 1800 = B3 (1805-1880), 2100 = B1 (2110-2170),
#: 2600 = B7 / B38 / B41 / n41 (2496-2690), 3500 = n77 / n78 (3300-4200). Vietnam's carriers sit in
#: these (DOMAIN.md section 3); the ranges are widened to the uplink halves so that a site file
#: giving the uplink or the band centre still finds its band.
BANDS_MHZ: dict[str, tuple[float, float]] = {
    "700": (694.0, 803.0),
    "900": (880.0, 960.0),
    "1800": (1710.0, 1880.0),
    "2100": (1920.0, 2170.0),
    "2600": (2496.0, 2690.0),
    "3500": (3300.0, 4200.0),
}


def band_label(freq_mhz: float) -> str | None:
    """The :data:`BANDS_MHZ` label of a carrier frequency, or ``None``.

    >>> band_label(1842.5), band_label(2550), band_label(3850), band_label(450)
    ('1800', '2600', '3500', None)
    """
    f = float(freq_mhz)
    for label, (lo, hi) in BANDS_MHZ.items():
        if lo <= f <= hi:
            return label
    return None


def carrier_value(mapping: dict[str, float], operator: str, tech: str, freq_mhz: float) -> float:
    """The most specific value of ``mapping`` for a carrier (see the module doc for the order).

    >>> carrier_value({"4G": 20.0, "4G 900": 10.0}, "VNPT", "4G", 945.0)
    10.0
    """
    band = band_label(freq_mhz)
    tech = str(tech).upper()
    keys = [f"{operator} {tech} {band}", f"{operator} {tech}", f"{tech} {band}", tech] \
        if band else [f"{operator} {tech}", tech]
    for k in keys:
        if k in mapping:
            return mapping[k]
    raise ValidationError(
        f"No value for {tech} in {sorted(mapping)}; the keys {', '.join(SPEED_TECHS)} are needed.",
        f"Không có giá trị cho {tech} trong {sorted(mapping)}; cần các khóa "
        f"{', '.join(SPEED_TECHS)}.",
    )


def _tech_of(key: str) -> str | None:
    for part in key.split():
        if part.upper() in SPEED_TECHS:
            return part.upper()
    return None


def _num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bad(name: str, detail_en: str, detail_vi: str) -> ValidationError:
    return ValidationError(f"speed.{name}: {detail_en}", f"speed.{name}: {detail_vi}")


@dataclass(frozen=True)
class SpeedParams:
    """How the expected download speed is estimated (section ``speed``); every output is an estimate.

    Mobile, per coverage cell and carrier (:func:`gis.analysis.speed.mobile_speed_mbps`)::

        speed = SE(SINR) x B_occupied x dl_fraction x load_factor      [Mbit/s]

    with SE the attenuated Shannon bound of 3GPP TR 36.942 Annex A.2 (per MIMO layer, best rank)
    and B_occupied = N_RB x 12 x subcarrier spacing (18 MHz of a 20 MHz LTE carrier, 98.28 MHz of
    a 100 MHz NR carrier at 30 kHz). Fixed (FTTH): the share of a GPON's downstream capacity one
    busy-hour user gets, capped by the plan speed.

    Attributes
    ----------
    bandwidth_mhz
        Downlink channel bandwidth per carrier key, MHz (a standard 3GPP value). Defaults:
        ``"4G"`` 20 MHz, LTE 1800 (B3), the band 4G launched on in Vietnam, as Viettel runs it
        [P]; ``"4G 700"``, ``"4G 900"``, ``"4G 2100"`` 10 MHz [U] (700 MHz lot B2-B2' and the
        900 / 2100 carriers shared with 2G / 3G); ``"5G"`` 100 MHz, and ``"Viettel 5G"``,
        ``"VinaPhone 5G"``, ``"MobiFone 5G"`` 100 MHz: the auctioned lots B1 2500-2600 MHz,
        C2 3700-3800 MHz and C3 3800-3900 MHz are 100 MHz wide (DOMAIN.md section 3 [V]).
    scs_khz
        Subcarrier spacing per key, kHz: 15 for LTE (fixed), 30 for NR FR1 (the radio
        parameters' default, :data:`gis.radio.params.DEFAULT_TECHS`). It sets the noise per
        resource element and must equal the spacing the coverage engine's RSRP assumes.
    dl_fraction
        Share of time or spectrum carrying downlink: 1.0 for FDD LTE; 0.74 for TDD NR [U]: the
        common n41 / n78 pattern DDDSU with a 10:2:2 special slot, (3 + 10/14) / 5 = 0.743 (the
        Vietnamese networks' patterns are not published).
    mimo_layers
        Maximum downlink MIMO layers: 2 for LTE (2x2, every LTE handset) [U]; 4 for NR: 3GPP TS
        38.101-1 requires four receive antennas in n41 / n77 / n78 handsets [P]. The rank is chosen
        per cell as the one that gives the most (``n x SE(SINR / n)``), so extra layers only help
        at high SINR.
    alpha, sinr_min_db, se_max_bps_hz
        The attenuated Shannon bound ``SE = 0`` below ``sinr_min_db``, ``min(alpha log2(1 +
        SINR), se_max)`` above. LTE downlink (``"4G"``): alpha 0.6, -10 dB, 4.4 bit/s/Hz, 3GPP TR
        36.942 Annex A.2, Table A.2-1 [V]; it reaches 4.4 at SINR_max = 22.05 dB. NR downlink
        (``"5G"``): alpha 0.6, -10 dB and SINR_max 30 dB, 3GPP TR 38.803 section 5.2.7 [P], so
        se_max = 0.6 log2(1 + 10^3) = 5.9803, rounded to 5.98 bit/s/Hz.
    noise_figure_db
        Handset noise figure, dB: 9 dB, the UE value of the 3GPP evaluation assumptions (TR 36.814
        Table A.2.1.1-1; TR 36.942) [P].
    thermal_noise_dbm_hz
        Thermal noise density kT at 290 K: -174 dBm/Hz.
    interference_load
        Share (0-1) of the other transmitters' power on the same carrier that interferes: their
        data resource elements are sent only when they carry traffic. Default 0.5 [U], the same
        busy-hour utilisation as :attr:`load_factor`; 1.0 is the fully loaded worst case.
    load_factor
        Share (0-1) of the serving cell's resources one user gets. Default 0.5 [U]: with elastic
        traffic a cell behaves as a processor-sharing queue, whose flows get ``(1 - rho)`` of the
        peak rate at utilisation rho (Bonald & Proutière); rho = 0.5 is a busy-hour value of a
        rural macro cell.
    hamlet_stat
        ``"pop_median"`` (default): per operator, the population-weighted median of the speed over
        the hamlet's cells (i-Speed reports medians, DOMAIN.md section 1); cells without signal
        count as 0 Mbit/s; hamlets without population cells use the area of their cells, point
        hamlets their centre. ``"centre"``: the speed at the hamlet centre (nhà văn hóa).
    pon_downstream_mbps
        GPON downstream line rate: 2488.32 Mbit/s (ITU-T G.984.2).
    gpon_efficiency
        Share of the line rate left after the GTC framing and GEM headers: 0.92 [P], about
        2.29 Gbit/s of payload.
    split_ratio
        Users per PON port (1:N). ``None`` (default): the fiber plan's split,
        ``prod(FiberParams.gpon.splits)`` (1:32 by default; DOMAIN.md section 7 allows up to 1:64).
    take_up
        Share (0-1] of the split's ports with a subscriber. Default 0.7 [U].
    concurrency
        Share (0-1] of those subscribers downloading at the same moment in the busy hour. Default
        0.2 [U].
    plan_cap_mbps
        The operator's plan speed, Mbit/s: the most one line can get. Default 300 Mbit/s [U], the
        entry FTTH plans of Viettel and VNPT in 2025.
    """

    bandwidth_mhz: dict[str, float] = field(default_factory=lambda: {
        "4G": 20.0, "4G 700": 10.0, "4G 900": 10.0, "4G 2100": 10.0, "5G": 100.0,
        "Viettel 5G": 100.0, "VinaPhone 5G": 100.0, "MobiFone 5G": 100.0})
    scs_khz: dict[str, int] = field(default_factory=lambda: {"4G": 15, "5G": 30})
    dl_fraction: dict[str, float] = field(default_factory=lambda: {"4G": 1.0, "5G": 0.74})
    mimo_layers: dict[str, int] = field(default_factory=lambda: {"4G": 2, "5G": 4})
    alpha: dict[str, float] = field(default_factory=lambda: {"4G": 0.6, "5G": 0.6})
    sinr_min_db: dict[str, float] = field(default_factory=lambda: {"4G": -10.0, "5G": -10.0})
    se_max_bps_hz: dict[str, float] = field(default_factory=lambda: {"4G": 4.4, "5G": 5.98})
    noise_figure_db: float = 9.0
    thermal_noise_dbm_hz: float = -174.0
    interference_load: float = 0.5
    load_factor: float = 0.5
    hamlet_stat: str = "pop_median"
    pon_downstream_mbps: float = 2488.32
    gpon_efficiency: float = 0.92
    split_ratio: int | None = None
    take_up: float = 0.7
    concurrency: float = 0.2
    plan_cap_mbps: float = 300.0

    def __post_init__(self) -> None:
        maps = ("bandwidth_mhz", "scs_khz", "dl_fraction", "mimo_layers", "alpha", "sinr_min_db",
                "se_max_bps_hz")
        for name in maps:
            mapping = getattr(self, name)
            if not isinstance(mapping, dict) or any(t not in mapping for t in SPEED_TECHS):
                raise _bad(name, f"needs the keys {', '.join(SPEED_TECHS)}, got {mapping!r}.",
                           f"cần các khóa {', '.join(SPEED_TECHS)}, nhận {mapping!r}.")
            for key, value in mapping.items():
                if _tech_of(str(key)) is None:
                    raise _bad(name, f"key {key!r} names no technology ({', '.join(SPEED_TECHS)}).",
                               f"khóa {key!r} không nêu công nghệ ({', '.join(SPEED_TECHS)}).")
                if not _num(value):
                    raise _bad(name, f"{key!r} = {value!r} is not a number.",
                               f"{key!r} = {value!r} không phải là số.")
        self._check_range("dl_fraction", 0.0, 1.0, open_low=True)
        self._check_range("alpha", 0.0, 1.0, open_low=True)
        self._check_range("se_max_bps_hz", 0.0, 30.0, open_low=True)
        self._check_range("sinr_min_db", -30.0, 30.0)
        self._check_range("mimo_layers", 1, 8)
        for key, layers in self.mimo_layers.items():
            if int(layers) != layers:
                raise _bad("mimo_layers", f"{key!r} = {layers!r} is not a whole number of layers.",
                           f"{key!r} = {layers!r} không phải số lớp nguyên.")
        for key, scs in self.scs_khz.items():
            tech = _tech_of(key)
            if (tech == "4G" and scs != 15) or (tech == "5G" and scs not in (15, 30, 60)):
                raise _bad("scs_khz", f"{key!r} = {scs!r}: LTE uses 15 kHz, NR FR1 15, 30 or 60.",
                           f"{key!r} = {scs!r}: LTE dùng 15 kHz, NR FR1 dùng 15, 30 hoặc 60.")
        for key, bw in self.bandwidth_mhz.items():
            tech = _tech_of(key)
            n_resource_blocks(tech, float(bw), int(self.scs_khz["5G"]) if tech == "5G" else None)
        for name, lo, hi in (("noise_figure_db", 0.0, 20.0), ("interference_load", 0.0, 1.0),
                             ("load_factor", 0.0, 1.0), ("gpon_efficiency", 0.0, 1.0),
                             ("take_up", 0.0, 1.0), ("concurrency", 0.0, 1.0),
                             ("thermal_noise_dbm_hz", -200.0, -150.0)):
            v = getattr(self, name)
            low_ok = v >= lo if name in ("noise_figure_db", "interference_load",
                                         "thermal_noise_dbm_hz") else v > lo
            if not (_num(v) and low_ok and v <= hi):
                raise _bad(name, f"{v!r} is outside {lo:g}-{hi:g}.",
                           f"{v!r} nằm ngoài khoảng {lo:g}-{hi:g}.")
        for name in ("pon_downstream_mbps", "plan_cap_mbps"):
            v = getattr(self, name)
            if not (_num(v) and v > 0):
                raise _bad(name, f"must be > 0 Mbit/s, got {v!r}.",
                           f"phải > 0 Mbit/s, nhận {v!r}.")
        if self.split_ratio is not None and not (
                isinstance(self.split_ratio, int) and not isinstance(self.split_ratio, bool)
                and 1 <= self.split_ratio <= 128):
            raise _bad("split_ratio", f"must be null or 1-128 users per PON, got "
                       f"{self.split_ratio!r}.",
                       f"phải là null hoặc 1-128 thuê bao mỗi cổng PON, nhận {self.split_ratio!r}.")
        if self.hamlet_stat not in ("pop_median", "centre"):
            raise _bad("hamlet_stat", f"{self.hamlet_stat!r} is not valid; valid: pop_median, "
                       "centre.", f"{self.hamlet_stat!r} không hợp lệ; hợp lệ: pop_median, centre.")

    def _check_range(self, name: str, lo: float, hi: float, *, open_low: bool = False) -> None:
        for key, v in getattr(self, name).items():
            if (v <= lo if open_low else v < lo) or v > hi:
                raise _bad(name, f"{key!r} = {v!r} is outside {'(' if open_low else '['}"
                           f"{lo:g}, {hi:g}].",
                           f"{key!r} = {v!r} nằm ngoài khoảng {lo:g}-{hi:g}.")

    def carrier(self, operator: str, tech: str, freq_mhz: float) -> dict[str, float]:
        """All settings of one carrier (operator, ``"4G"`` / ``"5G"``, MHz) as a dict."""
        tech = str(tech).upper()

        def get(name: str) -> float:
            return carrier_value(getattr(self, name), operator, tech, freq_mhz)

        bw = float(get("bandwidth_mhz"))
        scs = int(get("scs_khz"))
        n_rb = n_resource_blocks(tech, bw, scs if tech == "5G" else None)
        return {
            "bandwidth_mhz": bw,
            "scs_khz": scs,
            "occupied_mhz": n_rb * 12 * scs / 1000.0,
            "dl_fraction": float(get("dl_fraction")),
            "mimo_layers": int(get("mimo_layers")),
            "alpha": float(get("alpha")),
            "sinr_min_db": float(get("sinr_min_db")),
            "se_max_bps_hz": float(get("se_max_bps_hz")),
            "noise_per_re_dbm": self.thermal_noise_dbm_hz + 10.0 * math.log10(scs * 1000.0)
            + self.noise_figure_db,
        }


@dataclass(frozen=True)
class SpeedTargets:
    """The download-speed targets of a plan (Mbit/s) and the share of hamlets to reach them.

    Attributes
    ----------
    mobile_mbps, fixed_mbps
        i-Speed download targets, Mbit/s (``None``: the plan sets none).
    share_target
        Target share (0-1) of hamlets expected at or above the speed target, for the indicators
        ``hamlets_speed_mobile`` / ``hamlets_speed_fixed``. Default 0.5: the plans' targets are
        i-Speed medians (DOMAIN.md section 1), and a median reaches the target exactly when at
        least half of the measurements do, so half of the hamlets is the map's counterpart.
    """

    mobile_mbps: float | None = 70.0
    fixed_mbps: float | None = 95.0
    share_target: float | None = 0.5

    def __post_init__(self) -> None:
        for name in ("mobile_mbps", "fixed_mbps"):
            v = getattr(self, name)
            if v is not None and not (_num(v) and v > 0):
                raise _bad(f"targets.{name}", f"must be null or > 0 Mbit/s, got {v!r}.",
                           f"phải là null hoặc > 0 Mbit/s, nhận {v!r}.")
        s = self.share_target
        if s is not None and not (_num(s) and 0 <= s <= 1):
            raise _bad("targets.share_target", f"must be null or a share 0-1, got {s!r}.",
                       f"phải là null hoặc tỷ lệ 0-1, nhận {s!r}.")


#: Speed targets by the presets of :data:`gis.analysis.targets.PRESETS` (DOMAIN.md sections 0-1):
#: Bình Phước 70 / 95 Mbit/s and Hải Hậu 70 / 150 Mbit/s (mobile / fixed, i-Speed); the national
#: 36/QĐ-TTg average 4G download of 40 Mbit/s by 2025 (it sets no fixed figure); Xuân Trúc 36 / 91
#: Mbit/s (the sample targets of Công văn 3115/BTTTT-CVT).
SPEED_TARGET_PRESETS: dict[str, SpeedTargets] = {
    "binh_phuoc_2023_2025": SpeedTargets(70.0, 95.0),
    "hai_hau_2025": SpeedTargets(70.0, 150.0),
    "national": SpeedTargets(40.0, None),
    "xuan_truc": SpeedTargets(36.0, 91.0),
}


def speed_targets(preset: str) -> SpeedTargets:
    """The speed targets of a preset plan; the error lists the valid presets.

    >>> speed_targets("hai_hau_2025").fixed_mbps
    150.0
    """
    return lookup_preset(SPEED_TARGET_PRESETS, preset)


def lookup_preset(presets: Mapping[str, Any], preset: str) -> Any:
    """``presets[preset]``, or a bilingual error listing the valid preset names.

    One lookup for the preset tables of the targets (:data:`SPEED_TARGET_PRESETS` here,
    ``gis.analysis.targets.PRESETS``), so that a wrong name reads the same everywhere.
    """
    try:
        return presets[preset]
    except KeyError:
        valid = ", ".join(presets)
        raise ValidationError(
            f"Unknown targets preset {preset!r}; valid presets: {valid}.",
            f"Bộ mục tiêu {preset!r} không có; các bộ có sẵn: {valid}.",
        ) from None
