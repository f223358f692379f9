"""Parameters of the ITM (Longley-Rice) model: :class:`ItmParams` and NTIA's input ranges.

A light leaf module (standard library only): ``RadioParams.itm`` holds one :class:`ItmParams`,
and the kernels live in :mod:`gis.radio._itm` / :mod:`gis.radio.itm`.

Defaults for Vietnam
--------------------
- **Radio climate 3, maritime subtropical.** ITM's climates are those of NBS Technical Note 101
  (Rice, Longley, Norton & Barsis 1967, section 10) as NTIA's ITM guide lists them (Hufford,
  Longley & Kissick, NTIA Report 82-100, 1982): 1 equatorial (the Congo: monotonously hot and
  wet), 3 maritime subtropical (coastal lands at about 20-40° latitude with monsoon seasons, the
  "west coast of Africa" type). Most Vietnamese planning areas are monsoon coastal lowlands and
  hills of the north and centre (the bundled sample lies at 20.3° N, Ninh Bình / Nam Định); the
  far south (Mekong delta, 8.5-11° N, two seasons, no cool winter) fits climate 1 better: set
  ``climate = 1`` there. At 50 % of time and situations the climate changes the median only by
  ITM's climate curve V_med (under 0.5 dB up to 10 km), so the choice matters mostly for the
  time percentiles.
- **N_0 = 340 N-units.** ITM's N_0 is the minimum monthly mean surface refractivity reduced to
  sea level (NTIA's ITM README, "Inputs"). ITU-R P.453-14 eq. (1)-(2) and (6)-(7),
  N = 77.6 / T (P + 4810 e / T), with Hà Nội's February normals (17 °C, 1020 hPa, 80 %
  relative humidity: e = 15.5 hPa) gives N = 342; the same formula gives about 365 for
  Hồ Chí Minh City's driest month (27 °C, 1010 hPa, 70 %) and 390 for a northern August
  (29 °C, 80 %). 340 is the northern minimum; ITM's climate table in NTIA Report 82-100 lists
  N_s = 370 for a maritime subtropical climate and 360 for an equatorial one (typical, not
  minimum, values), and ITU-R P.453's maps of the sea-level N_0 put all of Vietnam in the
  humid-tropics band above 350. Use 360 in the south.
- **Ground: epsilon 15, sigma 0.005 S/m**, NTIA Report 82-100's "average ground" (poor ground
  4 / 0.001, good ground 25 / 0.020, fresh water 81 / 0.010, sea water 81 / 5.0); the paddy
  land of the deltas is wetter (good ground) but the loss changes by a few tenths of a dB.
- **Vertical polarization**: mobile base-station antennas are ±45° cross-polarized panels, and
  vertical is the usual single-polarization stand-in for them (both ITM ground terms are close
  at these frequencies).
- **mdvar 12 (mobile mode, location variability removed)**: the mode NTIA's own
  point-to-point test set uses (``p2p.csv``); point to point, the terrain of the path is known,
  so ITM's location variability is left to the clutter and fading margins of the link budget.
- **Time, location and situation 50 %**: the median, as the coverage tiers are median values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from gis.errors import ValidationError

__all__ = [
    "CLIMATES",
    "FREQ_RANGE_MHZ",
    "HEIGHT_RANGE_M",
    "MDVAR_VALUES",
    "N0_RANGE",
    "ItmParams",
    "Polarization",
    "check_itm_inputs",
    "mdvar_label",
]

#: Radio climates of ITM (code -> English, Vietnamese), NTIA's Enums.h and Report 82-100.
CLIMATES: dict[int, tuple[str, str]] = {
    1: ("equatorial", "xích đạo"),
    2: ("continental subtropical", "cận nhiệt đới lục địa"),
    3: ("maritime subtropical", "cận nhiệt đới ven biển"),
    4: ("desert", "sa mạc"),
    5: ("continental temperate", "ôn đới lục địa"),
    6: ("maritime temperate over land", "ôn đới hải dương, trên đất liền"),
    7: ("maritime temperate over sea", "ôn đới hải dương, trên biển"),
}

#: Valid modes of variability: 0 single message, 1 accidental, 2 mobile, 3 broadcast; +10 removes
#: the location variability, +20 the direct situation variability (NTIA ValidateInputs).
MDVAR_VALUES: tuple[int, ...] = tuple(b + m for b in (0, 10, 20, 30) for m in range(4))

_MDVAR_NAMES = {0: ("single message", "một bản tin"), 1: ("accidental", "ngẫu nhiên"),
                2: ("mobile", "di động"), 3: ("broadcast", "quảng bá")}

#: NTIA's hard limits (ValidateInputs): outside them ITM returns an error.
FREQ_RANGE_MHZ = (20.0, 20000.0)
HEIGHT_RANGE_M = (0.5, 3000.0)
N0_RANGE = (250.0, 400.0)
#: NTIA's soft limits: inside the hard range but outside these, ITM raises a warning flag.
FREQ_WARN_RANGE_MHZ = (40.0, 10000.0)
HEIGHT_WARN_RANGE_M = (1.0, 1000.0)


def mdvar_label(mdvar: int, lang: str = "en") -> str:
    """``12`` -> ``"mobile, no location variability"`` (or Vietnamese)."""
    vi = lang == "vi"
    base = _MDVAR_NAMES[mdvar % 10][1 if vi else 0]
    extra = []
    if (mdvar // 10) in (1, 3):
        extra.append("bỏ biến động theo vị trí" if vi else "no location variability")
    if mdvar >= 20:
        extra.append("bỏ biến động tình huống trực tiếp" if vi
                     else "no direct situation variability")
    return ", ".join([base, *extra])


class Polarization(StrEnum):
    """Antenna polarization (NTIA: 0 horizontal, 1 vertical)."""

    HORIZONTAL = "horizontal"
    VERTICAL = "vertical"

    @property
    def code(self) -> int:
        """NTIA's integer code."""
        return 1 if self is Polarization.VERTICAL else 0

    @classmethod
    def parse(cls, value: object) -> Polarization:
        """``"vertical"``, ``"V"``, ``1`` -> VERTICAL; the error lists the valid values."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower()
        aliases = {"h": "horizontal", "0": "horizontal", "v": "vertical", "1": "vertical",
                   "ngang": "horizontal", "dọc": "vertical", "doc": "vertical"}
        try:
            return cls(aliases.get(text, text))
        except ValueError:
            raise _range_error("polarization", value, "horizontal (0) or vertical (1)",
                               "ngang (0) hoặc dọc (1)") from None


def _range_error(name: str, value: object, valid_en: str, valid_vi: str) -> ValidationError:
    return ValidationError(
        f"ITM parameter {name} = {value!r} is outside NTIA's valid range: {valid_en}.",
        f"Tham số ITM {name} = {value!r} nằm ngoài phạm vi hợp lệ của NTIA: {valid_vi}.",
        fix=f"Give {name} within {valid_en} (ITM 1.2.2, NTIA ValidateInputs).",
        fix_vi=f"Nhập {name} trong khoảng {valid_vi} (ITM 1.2.2, NTIA ValidateInputs).",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


@dataclass(frozen=True)
class ItmParams:
    """Inputs of ITM other than the path, the antenna heights and the frequency.

    The defaults are for Vietnam; the module docstring gives the sources.

    Attributes
    ----------
    climate
        Radio climate, 1-7 (:data:`CLIMATES`): 3 maritime subtropical (north and centre of
        Vietnam; use 1 equatorial in the far south).
    n0_n_units
        Minimum monthly mean surface refractivity reduced to sea level, N-units, 250-400: 340
        (ITU-R P.453 formula with Hà Nội's February normals; about 360 in the south).
    polarization
        ``vertical`` (mobile base-station antennas) or ``horizontal``.
    epsilon
        Relative permittivity of the ground, >= 1: 15, NTIA's "average ground".
    sigma_s_m
        Ground conductivity, S/m, > 0: 0.005, NTIA's "average ground".
    mdvar
        Mode of variability: 0 single message, 1 accidental, 2 mobile, 3 broadcast, +10 without
        location variability, +20 without direct situation variability: 12 (mobile, location
        variability left to the link budget; NTIA's point-to-point test set).
    time_pct, location_pct, situation_pct
        Time, location and situation percentages, strictly between 0 and 100: 50 (medians).
    """

    climate: int = 3
    n0_n_units: float = 340.0
    polarization: Polarization = Polarization.VERTICAL
    epsilon: float = 15.0
    sigma_s_m: float = 0.005
    mdvar: int = 12
    time_pct: float = 50.0
    location_pct: float = 50.0
    situation_pct: float = 50.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "polarization", Polarization.parse(self.polarization))
        if self._whole("climate") not in CLIMATES:
            valid = ", ".join(f"{k} {v[0]}" for k, v in CLIMATES.items())
            valid_vi = ", ".join(f"{k} {v[1]}" for k, v in CLIMATES.items())
            raise _range_error("climate", self.climate, valid, valid_vi)
        if not (_is_number(self.n0_n_units)
                and N0_RANGE[0] <= self.n0_n_units <= N0_RANGE[1]):
            raise _range_error("n0_n_units", self.n0_n_units, "250-400 N-units",
                               "250-400 đơn vị N")
        if not (_is_number(self.epsilon) and self.epsilon >= 1.0):
            raise _range_error("epsilon", self.epsilon, "epsilon >= 1 (relative permittivity)",
                               "epsilon >= 1 (hằng số điện môi tương đối)")
        if not (_is_number(self.sigma_s_m) and self.sigma_s_m > 0.0):
            raise _range_error("sigma_s_m", self.sigma_s_m, "sigma > 0 S/m", "sigma > 0 S/m")
        if self._whole("mdvar") not in MDVAR_VALUES:
            raise _range_error("mdvar", self.mdvar, "0-3, 10-13, 20-23 or 30-33",
                               "0-3, 10-13, 20-23 hoặc 30-33")
        for name in ("time_pct", "location_pct", "situation_pct"):
            value = getattr(self, name)
            if not (_is_number(value) and 0.0 < value < 100.0):
                raise _range_error(name, value, "0 < % < 100", "0 < % < 100")

    def _whole(self, name: str) -> int | None:
        """The integer field ``name``, or None when it is not an integer (a bool is not).

        A whole float (3.0, as JSON may give it) is stored back as the int.
        """
        value = getattr(self, name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
            object.__setattr__(self, name, value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def climate_label(self) -> tuple[str, str]:
        """(English, Vietnamese) name of the climate."""
        return CLIMATES[self.climate]


def check_itm_inputs(freq_mhz: float, tx_height_m: float, rx_height_m: float,
                     epsilon: float = 15.0, sigma_s_m: float = 0.005,
                     polarization: Polarization | str = Polarization.VERTICAL) -> None:
    """Raise a bilingual :class:`ValidationError` when the frequency or an antenna height is
    outside NTIA's hard range, or when the ground makes ITM's impedance check fail (the
    imaginary part of Z_g at least its real part: a conductivity far too high for the
    frequency). Values between the soft and hard limits are accepted: ITM flags them."""
    checks = (("freq_mhz", freq_mhz, FREQ_RANGE_MHZ, "MHz"),
              ("tx_height_m", tx_height_m, HEIGHT_RANGE_M, "m"),
              ("rx_height_m", rx_height_m, HEIGHT_RANGE_M, "m"))
    for name, value, (lo, hi), unit in checks:
        if not (_is_number(value) and lo <= value <= hi):
            raise _range_error(name, value, f"{lo:g}-{hi:g} {unit}", f"{lo:g}-{hi:g} {unit}")
    import cmath

    ep_r = complex(epsilon, 18000.0 * sigma_s_m / freq_mhz)
    z_g = cmath.sqrt(ep_r - 1.0)
    if Polarization.parse(polarization) is Polarization.VERTICAL:
        z_g = z_g / ep_r
    if z_g.real <= abs(z_g.imag):
        raise ValidationError(
            f"ITM: the ground impedance is invalid for epsilon = {epsilon:g}, sigma = "
            f"{sigma_s_m:g} S/m at {freq_mhz:g} MHz (its imaginary part exceeds its real part; "
            "NTIA error 1013).",
            f"ITM: trở kháng đất không hợp lệ với epsilon = {epsilon:g}, sigma = "
            f"{sigma_s_m:g} S/m ở {freq_mhz:g} MHz (phần ảo lớn hơn phần thực; lỗi NTIA 1013).",
            fix="Use a lower conductivity or a higher permittivity (average ground: 15, "
            "0.005 S/m).",
            fix_vi="Dùng độ dẫn điện nhỏ hơn hoặc hằng số điện môi lớn hơn (đất trung bình: "
            "15, 0,005 S/m).",
        )
