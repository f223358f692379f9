"""Empirical propagation models: free space, Okumura-Hata, COST-231 Hata, TR 38.901 RMa/UMa/UMi.

:class:`Model` also names ``itm`` (Longley-Rice, :mod:`gis.radio.itm`), a terrain model: it needs
the path profile, so :func:`path_loss_db` refuses it and the coverage engine computes it along
its rays (:func:`gis.radio._itm.itm_ray_losses`).

Every model is a vectorised function of the distance, the frequency and the antenna heights; all
array arguments broadcast against each other (numpy rules) and the result is a float64 array of
basic transmission loss in dB (median, no shadow fading).

Distances
---------
``distance_m`` is the **horizontal (2D, ground) distance** in metres for every model except
:func:`free_space_db`, which takes the straight-line (3D) distance between the antennas. The
dispatcher :func:`path_loss_db` always takes the horizontal distance, and for free space derives
:math:`d_{3D} = \\sqrt{d_{2D}^2 + (h_{tx} - h_{rx})^2}` as the 3GPP models do.

Validity and extrapolation
--------------------------
Each model has a validity range (:data:`VALIDITY`: frequency, distance, heights, with the source).
Outside it a :class:`gis.errors.ValidationError` names the parameter, the value and the range.
With ``force=True`` the same closed-form expression is evaluated outside the range, unchanged (no
clamping of the inputs), which is the usual engineering extrapolation; only the distance has a
floor: distances below ``clip_distance_m`` of :func:`path_loss_db` are evaluated at that distance
(Hata's ``log10(d)`` tends to minus infinity at the site).

The coverage engine does not extrapolate blindly: outside the range each model has a documented
fallback (:data:`FALLBACKS`), applied by :meth:`gis.radio.params.RadioParams.median_path_loss_db`
and the engine's kernels (:mod:`gis.radio._median`), and the cells that used one are counted
(:attr:`gis.radio.coverage.CoverageResult.fallback_cells`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from gis.errors import ValidationError, invalid_choice

__all__ = [
    "FALLBACKS",
    "MIN_ENGINE_DISTANCE_M",
    "SPEED_OF_LIGHT_M_S",
    "VALIDITY",
    "Condition",
    "Environment",
    "Model",
    "Validity",
    "check_validity",
    "cost231_hata_class_db",
    "cost231_hata_db",
    "free_space_db",
    "okumura_hata_db",
    "path_loss_db",
    "rma_db",
    "uma_db",
    "umi_db",
]

#: Speed of light in vacuum, m/s (exact, SI).
SPEED_OF_LIGHT_M_S = 299_792_458.0

#: Distance floor the coverage engine uses with ``force=True``: 20 m, twice the 10 m lower bound of
#: TR 38.901 Table 7.4.1-1; closer cells are inside the site compound and are evaluated at 20 m.
MIN_ENGINE_DISTANCE_M = 20.0

ArrayLike = float | np.ndarray


class Model(StrEnum):
    """Propagation models (the ``--model`` values of ``python -m gis pathloss``)."""

    FREE_SPACE = "free_space"
    OKUMURA_HATA = "okumura_hata"
    COST231_HATA = "cost231_hata"
    RMA = "rma"
    UMA = "uma"
    UMI = "umi"
    ITM = "itm"

    @property
    def needs_profile(self) -> bool:
        """True for terrain models (ITM), which need the path profile, not just a distance."""
        return self is Model.ITM

    @classmethod
    def parse(cls, value: object) -> Model:
        """The model named by ``value``; the error lists the valid names."""
        return _parse_enum(cls, value, "model")


class Environment(StrEnum):
    """Environment correction of the Hata family.

    Okumura-Hata: ``urban`` is the classic urban formula (small/medium city, or large city with
    ``large_city=True``), ``suburban`` and ``open`` are Hata's suburban and open-area corrections.
    COST-231 Hata: ``urban`` is the metropolitan-centre correction C_m = 3 dB, ``suburban`` the
    medium-city / suburban-centre C_m = 0 dB, and ``open`` is C_m = 0 dB plus Hata's open-area
    correction (an extension: COST 231 itself defines no open-area variant).
    """

    URBAN = "urban"
    SUBURBAN = "suburban"
    OPEN = "open"

    @classmethod
    def parse(cls, value: object) -> Environment:
        return _parse_enum(cls, value, "env")


class Condition(StrEnum):
    """Line-of-sight condition of the 3GPP models (LOS, or NLOS = max(LOS, NLOS'))."""

    LOS = "los"
    NLOS = "nlos"

    @classmethod
    def parse(cls, value: object) -> Condition:
        return _parse_enum(cls, value, "condition")


def _parse_enum(cls, value, name):
    if isinstance(value, cls):
        return value
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        raise invalid_choice(name, value, (m.value for m in cls)) from None


@dataclass(frozen=True)
class Validity:
    """Validity range of a model (closed intervals, the units in the names).

    ``distance_m`` is the horizontal distance (the 3D distance for free space);
    ``distance_nlos_m`` overrides it for the NLOS condition (3GPP RMa).
    """

    freq_mhz: tuple[float, float]
    distance_m: tuple[float, float]
    tx_height_m: tuple[float, float]
    rx_height_m: tuple[float, float]
    source: str
    distance_nlos_m: tuple[float, float] | None = None


_INF = float("inf")

#: Validity ranges per model, with their sources.
VALIDITY: dict[Model, Validity] = {
    Model.FREE_SPACE: Validity(
        (0.0, _INF), (0.0, _INF), (0.0, _INF), (0.0, _INF),
        "Friis; ITU-R P.525-4 eq. (4): any frequency and distance in the far field",
    ),
    Model.OKUMURA_HATA: Validity(
        (150.0, 1500.0), (1000.0, 20000.0), (30.0, 200.0), (1.0, 10.0),
        "Hata (1980), IEEE Trans. VT-29(3); COST 231 final report ch. 4.4.1",
    ),
    Model.COST231_HATA: Validity(
        (1500.0, 2000.0), (1000.0, 20000.0), (30.0, 200.0), (1.0, 10.0),
        "COST 231 final report (1999) ch. 4.4.1 (COST-Hata-Model)",
    ),
    Model.RMA: Validity(
        (500.0, 30000.0), (10.0, 10000.0), (10.0, 150.0), (1.0, 10.0),
        "3GPP TR 38.901 V17.0.0 Table 7.4.1-1 (RMa; NLOS to 5 km)",
        distance_nlos_m=(10.0, 5000.0),
    ),
    Model.UMA: Validity(
        (500.0, 100000.0), (10.0, 5000.0), (10.0, 50.0), (1.5, 22.5),
        "3GPP TR 38.901 V17.0.0 Table 7.4.1-1 (UMa; the table fixes h_BS = 25 m, "
        "10-50 m accepted as ns-3 does, since h_BS enters through d'_BP only)",
    ),
    Model.UMI: Validity(
        (500.0, 100000.0), (10.0, 5000.0), (5.0, 25.0), (1.5, 22.5),
        "3GPP TR 38.901 V17.0.0 Table 7.4.1-1 (UMi-Street Canyon; the table fixes h_BS = 10 m, "
        "5-25 m accepted, below rooftops)",
    ),
    Model.ITM: Validity(
        (20.0, 20000.0), (1000.0, 2000e3), (0.5, 3000.0), (0.5, 3000.0),
        "NTIA ITM 1.2.2 (github.com/NTIA/itm ValidateInputs): f 20-20000 MHz and heights "
        "0.5-3000 m are hard limits; paths under 1 km or over 1000 km, f outside 40-10000 MHz "
        "and heights outside 1-1000 m are flagged by ITM's warnings",
    ),
}

#: What the coverage engine does outside each model's validity range (:data:`VALIDITY`). The
#: counters of :attr:`gis.radio.coverage.CoverageResult.fallback_cells` are named in brackets.
FALLBACKS: dict[Model, str] = {
    Model.FREE_SPACE: "No range: free space holds at any distance in the far field.",
    Model.OKUMURA_HATA: (
        "Below 1 km [short_range]: ITU-R SM.2028 extended Hata: free space (3-D distance) up to "
        "40 m, linear in log10(d) from free space at 40 m to the formula at 100 m, the formula "
        "from 100 m to 1 km, never below free space. Beyond 20 km [beyond_max_distance], base "
        "heights outside 30-200 m [tx_height_outside] and frequencies outside 150-1500 MHz "
        "[frequency_outside]: the formula extrapolated."),
    Model.COST231_HATA: (
        "As Okumura-Hata (SM.2028's short-range rule below 1 km, extrapolation beyond 20 km and "
        "outside 30-200 m). Frequency: 1500-2000 MHz (COST 231); with Hata's area classes "
        "(RadioParams.cost231_hata_classes, the engine's default) 1500-3000 MHz, SM.2028 extended "
        "Hata's range for the COST-231 form; outside [frequency_outside] extrapolated."),
    Model.RMA: (
        "NLOS beyond 5 km [nlos_beyond_range]: the 5 km NLOS value continued with the LOS "
        "formula's distance law, PL(d) = PL_NLOS(5 km) + PL_LOS(d) - PL_LOS(5 km) (continuous, "
        "only the valid LOS part of TR 38.901 used; LOS holds to 10 km). Beyond 10 km "
        "[beyond_max_distance], h_BS outside 10-150 m [tx_height_outside], outside 0.5-30 GHz "
        "[frequency_outside]: extrapolated."),
    Model.UMA: ("Beyond 5 km [beyond_max_distance], h_BS outside 10-50 m [tx_height_outside]: "
                "extrapolated."),
    Model.UMI: ("Beyond 5 km [beyond_max_distance], h_BS outside 5-25 m [tx_height_outside]: "
                "extrapolated."),
    Model.ITM: (
        "No fallback formula: inside NTIA's hard limits (20-20000 MHz, antenna heights "
        "0.5-3000 m) ITM computes every path itself, also under 1 km, beyond 1000 km, outside "
        "40-10000 MHz or 1-1000 m, and flags those cells with its warnings, counted per carrier "
        "in CoverageResult.itm_warnings (path_distance_too_small_2 within 1 km of the mast, "
        "frequency, tx/rx_terminal_height, horizon angle and distance flags, ...) beside the "
        "propagation mode counts (itm_modes). Outside the hard limits the engine refuses the "
        "run with a ValidationError naming the parameter and its range. A path ITM cannot "
        "compute (NTIA errors 1021/1022: surface refractivity of the path outside 150-400 "
        "N-units) gets no signal from that antenna, is counted as mode not_set and warned."),
}

_NAMES = {
    "freq_mhz": ("frequency", "tần số", "MHz", 1.0),
    "distance_m": ("distance", "khoảng cách", "m", 1.0),
    "tx_height_m": ("transmitter height", "độ cao anten phát", "m", 1.0),
    "rx_height_m": ("receiver height", "độ cao anten thu", "m", 1.0),
}


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_validity(model: Model | str, *, condition: Condition | str = Condition.NLOS,
                   **values: ArrayLike) -> None:
    """Raise :class:`ValidationError` when a value is outside ``model``'s validity range.

    Parameters
    ----------
    model
        The model whose :data:`VALIDITY` applies.
    condition
        For RMa, NLOS has a shorter distance range than LOS.
    **values
        Any of ``freq_mhz``, ``distance_m``, ``tx_height_m``, ``rx_height_m`` (arrays allowed).
    """
    model = Model.parse(model)
    val = VALIDITY[model]
    for key, arr in values.items():
        lo, hi = getattr(val, key)
        if key == "distance_m" and Condition.parse(condition) == Condition.NLOS \
                and val.distance_nlos_m is not None:
            lo, hi = val.distance_nlos_m
        a = np.asarray(arr, dtype=float)
        if a.size == 0:
            continue
        bad = ~((a >= lo * (1 - 1e-9)) & (a <= hi * (1 + 1e-9)))
        if not bad.any():
            continue
        first = float(a[bad].flat[0])
        en_name, vi_name, unit, _ = _NAMES[key]
        n_bad = int(bad.sum())
        more = f" ({n_bad} values outside)" if n_bad > 1 else ""
        if key == "distance_m":
            more = f" (= {_fmt(first / 1000.0)} km)" + more
        raise ValidationError(
            f"{model.value}: {key} = {_fmt(first)} {unit}{more} is outside the model's validity "
            f"range {_fmt(lo)}-{_fmt(hi)} {unit} ({en_name}; {val.source}).",
            f"{model.value}: {key} = {_fmt(first)} {unit}{more} nằm ngoài phạm vi áp dụng "
            f"{_fmt(lo)}-{_fmt(hi)} {unit} của mô hình ({vi_name}; {val.source}).",
            fix="Use a value inside the range, another model, or force=True / --force to "
            "extrapolate the formula.",
            fix_vi="Dùng giá trị trong phạm vi, mô hình khác, hoặc force=True / --force để ngoại "
            "suy công thức.",
        )


def _check_positive(**values: ArrayLike) -> None:
    """Even with ``force=True``, frequencies, heights and distances must be > 0 (logarithms)."""
    for key, arr in values.items():
        a = np.asarray(arr, dtype=float)
        if a.size and not (np.all(a > 0) and np.all(np.isfinite(a))):
            bad = a[~((a > 0) & np.isfinite(a))].flat[0]
            raise ValidationError(
                f"{key} = {bad!r}: must be a finite number > 0.",
                f"{key} = {bad!r}: phải là số hữu hạn > 0.",
                fix="Give positive frequencies, heights and distances.",
                fix_vi="Nhập tần số, độ cao và khoảng cách dương.",
            )


def free_space_db(distance_m: ArrayLike, freq_mhz: ArrayLike) -> np.ndarray:
    """Free-space basic transmission loss (Friis), in dB.

    .. math::
        L_{fs} = 20\\log_{10}\\left(\\frac{4\\pi d f}{c}\\right)
               = 32.45 + 20\\log_{10} f_{MHz} + 20\\log_{10} d_{km}

    (ITU-R P.525-4 eq. (4); the constant is 20 log10(4π·10⁹/c) = 32.448 dB.)

    Parameters
    ----------
    distance_m
        Straight-line (3D) distance between the antennas, m (> 0).
    freq_mhz
        Frequency, MHz (> 0).

    Returns
    -------
    numpy.ndarray
        Loss in dB.

    Examples
    --------
    >>> round(float(free_space_db(1000.0, 900.0)), 2)
    91.53
    """
    _check_positive(distance_m=distance_m, freq_mhz=freq_mhz)
    d = np.asarray(distance_m, dtype=float)
    f_hz = np.asarray(freq_mhz, dtype=float) * 1e6
    return 20.0 * np.log10(4.0 * np.pi * d * f_hz / SPEED_OF_LIGHT_M_S)


def _a_hm_medium(freq_mhz: np.ndarray, rx_height_m: np.ndarray) -> np.ndarray:
    """Mobile-antenna correction a(h_m) of Hata for a small/medium city, dB."""
    lf = np.log10(freq_mhz)
    return (1.1 * lf - 0.7) * rx_height_m - (1.56 * lf - 0.8)


def _a_hm_large(freq_mhz: np.ndarray, rx_height_m: np.ndarray) -> np.ndarray:
    """a(h_m) of Hata for a large city, dB (8.29 form below 300 MHz, 3.2 form above)."""
    low = 8.29 * np.log10(1.54 * rx_height_m) ** 2 - 1.1
    high = 3.2 * np.log10(11.75 * rx_height_m) ** 2 - 4.97
    return np.where(freq_mhz < 300.0, low, high)


def _open_correction_db(freq_mhz: np.ndarray) -> np.ndarray:
    """Hata's open-area correction (added to the urban loss; negative), dB."""
    lf = np.log10(freq_mhz)
    return -4.78 * lf**2 + 18.33 * lf - 40.94


def _hata_inputs(model: Model, distance_m: ArrayLike, freq_mhz: ArrayLike,
                 tx_height_m: ArrayLike, rx_height_m: ArrayLike,
                 force: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked float arrays (f MHz, h_b m, h_m m, d km) of a Hata-family model's inputs.

    Values must be > 0 always, and inside the model's validity range unless ``force``.
    """
    _check_positive(distance_m=distance_m, freq_mhz=freq_mhz, tx_height_m=tx_height_m,
                    rx_height_m=rx_height_m)
    if not force:
        check_validity(model, freq_mhz=freq_mhz, distance_m=distance_m,
                       tx_height_m=tx_height_m, rx_height_m=rx_height_m)
    return (np.asarray(freq_mhz, dtype=float), np.asarray(tx_height_m, dtype=float),
            np.asarray(rx_height_m, dtype=float), np.asarray(distance_m, dtype=float) / 1000.0)


def okumura_hata_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    env: Environment | str = Environment.SUBURBAN,
    large_city: bool = False,
    force: bool = False,
) -> np.ndarray:
    """Okumura-Hata median path loss, dB (Hata 1980; COST 231 final report ch. 4.4.1).

    .. math::
        L_u = 69.55 + 26.16\\log f - 13.82\\log h_b - a(h_m)
              + (44.9 - 6.55\\log h_b)\\log d_{km}

    with, for a small/medium city,
    :math:`a(h_m) = (1.1\\log f - 0.7)h_m - (1.56\\log f - 0.8)`, and for a large city
    :math:`a(h_m) = 8.29(\\log 1.54h_m)^2 - 1.1` (f < 300 MHz; Hata gives f <= 200) or
    :math:`3.2(\\log 11.75h_m)^2 - 4.97` (f >= 300 MHz; Hata gives f >= 400). Corrections:

    .. math::
        L_{su} = L_u - 2(\\log(f/28))^2 - 5.4, \\qquad
        L_o = L_u - 4.78(\\log f)^2 + 18.33\\log f - 40.94

    Validity: f 150-1500 MHz, d 1-20 km, h_b 30-200 m, h_m 1-10 m.

    Parameters
    ----------
    distance_m
        Horizontal distance, m (the formula uses km).
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        Base-station and mobile antenna heights above ground, m.
    env
        ``urban``, ``suburban`` or ``open``.
    large_city
        Use the large-city a(h_m) in L_u (it then also underlies the suburban/open variants).
    force
        Evaluate the formula outside the validity range instead of raising.
    """
    env = Environment.parse(env)
    f, hb, hm, d_km = _hata_inputs(Model.OKUMURA_HATA, distance_m, freq_mhz, tx_height_m, rx_height_m,
                                   force)
    a_hm = _a_hm_large(f, hm) if large_city else _a_hm_medium(f, hm)
    loss = (69.55 + 26.16 * np.log10(f) - 13.82 * np.log10(hb) - a_hm
            + (44.9 - 6.55 * np.log10(hb)) * np.log10(d_km))
    if env == Environment.SUBURBAN:
        loss = loss - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    elif env == Environment.OPEN:
        loss = loss + _open_correction_db(f)
    return loss


def cost231_hata_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    env: Environment | str = Environment.SUBURBAN,
    force: bool = False,
) -> np.ndarray:
    """COST-231 Hata median path loss, dB (COST 231 final report, 1999, ch. 4.4.1).

    .. math::
        L = 46.3 + 33.9\\log f - 13.82\\log h_b - a(h_m)
            + (44.9 - 6.55\\log h_b)\\log d_{km} + C_m

    with the small/medium-city :math:`a(h_m) = (1.1\\log f - 0.7)h_m - (1.56\\log f - 0.8)`,
    :math:`C_m = 3` dB for ``urban`` (metropolitan centres) and 0 dB for ``suburban`` (medium
    sized city and suburban centres). ``open`` is our extension: C_m = 0 plus Hata's open-area
    correction :math:`-4.78(\\log f)^2 + 18.33\\log f - 40.94` (about -31.9 dB at 1800 MHz).

    Validity: f 1500-2000 MHz, d 1-20 km, h_b 30-200 m, h_m 1-10 m. 2100 MHz (3G/4G B1) and
    2600 MHz are outside: extrapolate with ``force=True`` (the engine does).

    Parameters
    ----------
    distance_m
        Horizontal distance, m.
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        Base-station and mobile antenna heights above ground, m.
    env
        ``urban`` (C_m 3 dB), ``suburban`` (C_m 0 dB) or ``open``.
    force
        Evaluate the formula outside the validity range instead of raising.
    """
    env = Environment.parse(env)
    f, hb, hm, d_km = _hata_inputs(Model.COST231_HATA, distance_m, freq_mhz, tx_height_m, rx_height_m,
                                   force)
    loss = (46.3 + 33.9 * np.log10(f) - 13.82 * np.log10(hb) - _a_hm_medium(f, hm)
            + (44.9 - 6.55 * np.log10(hb)) * np.log10(d_km))
    if env == Environment.URBAN:
        loss = loss + 3.0
    elif env == Environment.OPEN:
        loss = loss + _open_correction_db(f)
    return loss


def cost231_hata_class_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    env: Environment | str = Environment.SUBURBAN,
    large_city: bool = False,
    force: bool = False,
) -> np.ndarray:
    """COST-231 Hata with Hata's area classes, as the extended Hata model of ITU-R SM.2028, dB.

    :func:`cost231_hata_db` follows COST 231's own classes (``suburban`` = C_m 0 dB, the medium
    city), which differ from Okumura-Hata's ``suburban`` by Hata's suburban correction (about
    -12 dB at 1800 MHz). This variant uses the *same* classes as :func:`okumura_hata_db`, so a
    run with one environment gives a continuous loss across 1500 MHz where the two models meet
    (within 1.3 dB at 1500 MHz instead of about 13 dB):

    .. math::
        L_{urban} = L_{COST}(C_m), \\quad C_m = 0 \\text{ (medium city) or } 3
        \\text{ dB (large\\_city: metropolitan centre)}

        L_{suburban} = L_{COST}(0) - 2(\\log(f'/28))^2 - 5.4, \\qquad
        L_{open} = L_{COST}(0) - 4.78(\\log f')^2 + 18.33\\log f' - 40.94

    with :math:`f' = \\min(\\max(150, f), 2000)` MHz, as the extended Hata model of ITU-R
    SM.2028 (from CEPT ERC Report 68) writes the corrections. The coverage engine uses it through
    :meth:`gis.radio.params.RadioParams.median_path_loss_db`. Validity as COST-231 Hata.

    Parameters
    ----------
    distance_m, freq_mhz, tx_height_m, rx_height_m
        As :func:`cost231_hata_db`.
    env
        Hata area class: ``urban``, ``suburban`` or ``open``.
    large_city
        Urban only: the metropolitan-centre C_m = 3 dB.
    force
        Evaluate outside the validity range instead of raising.
    """
    env = Environment.parse(env)
    c_m_env = Environment.URBAN if (env == Environment.URBAN and large_city) else \
        Environment.SUBURBAN
    loss = cost231_hata_db(distance_m, freq_mhz, tx_height_m, rx_height_m, env=c_m_env,
                           force=force)
    f = np.clip(np.asarray(freq_mhz, dtype=float), 150.0, 2000.0)
    if env == Environment.SUBURBAN:
        loss = loss - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    elif env == Environment.OPEN:
        loss = loss + _open_correction_db(f)
    return loss


def _d3d(d2d: np.ndarray, hbs: np.ndarray, hut: np.ndarray) -> np.ndarray:
    return np.sqrt(d2d**2 + (hbs - hut) ** 2)


def _check_3gpp(model: Model, condition: Condition, distance_m, freq_mhz, tx_height_m,
                rx_height_m, force: bool, extra: dict[str, tuple[ArrayLike, float, float]]):
    _check_positive(distance_m=distance_m, freq_mhz=freq_mhz, tx_height_m=tx_height_m,
                    rx_height_m=rx_height_m, **{k: v[0] for k, v in extra.items()})
    if force:
        return
    check_validity(model, condition=condition, freq_mhz=freq_mhz, distance_m=distance_m,
                   tx_height_m=tx_height_m, rx_height_m=rx_height_m)
    for key, (value, lo, hi) in extra.items():
        a = np.asarray(value, dtype=float)
        if np.any((a < lo) | (a > hi)):
            raise ValidationError(
                f"{model.value}: {key} = {_fmt(float(a.flat[0]))} m is outside the model's "
                f"validity range {_fmt(lo)}-{_fmt(hi)} m ({VALIDITY[model].source}).",
                f"{model.value}: {key} = {_fmt(float(a.flat[0]))} m nằm ngoài phạm vi áp dụng "
                f"{_fmt(lo)}-{_fmt(hi)} m.",
                fix="Use a value inside the range or force=True / --force to extrapolate.",
                fix_vi="Dùng giá trị trong phạm vi hoặc force=True / --force để ngoại suy.",
            )


def _rma_los(d2d, d3d, log_d3d, fc_ghz, hbs, hut, h):
    """RMa LOS (TR 38.901 Table 7.4.1-1), all arrays broadcast; one log10 per distance."""
    d_bp = 2.0 * np.pi * hbs * hut * fc_ghz * 1e9 / SPEED_OF_LIGHT_M_S
    a = np.minimum(0.03 * h**1.72, 10.0)
    const = (20.0 * np.log10(40.0 * np.pi * fc_ghz / 3.0) - np.minimum(0.044 * h**1.72, 14.77))
    c = 0.002 * np.log10(h)

    # PL1(d) = 20 log(40 pi d f_c / 3) + a log d - b + c d = (20 + a) log d + const + c d
    def pl1(log_d, d):
        return (20.0 + a) * log_d + const + c * d

    log_bp = np.log10(d_bp)
    pl2 = pl1(log_bp, d_bp) + 40.0 * (log_d3d - log_bp)
    return np.where(d2d <= d_bp, pl1(log_d3d, d3d), pl2)


def rma_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    condition: Condition | str = Condition.NLOS,
    building_height_m: ArrayLike = 5.0,
    street_width_m: ArrayLike = 20.0,
    force: bool = False,
) -> np.ndarray:
    """3GPP TR 38.901 (V17.0.0) Table 7.4.1-1 Rural Macro (RMa) path loss, dB.

    With :math:`f_c` in GHz, :math:`d_{3D} = \\sqrt{d_{2D}^2 + (h_{BS}-h_{UT})^2}` in m and the
    breakpoint :math:`d_{BP} = 2\\pi h_{BS} h_{UT} f_c / c` (f_c in Hz):

    .. math::
        PL_1 = 20\\log(40\\pi d_{3D} f_c/3) + \\min(0.03h^{1.72}, 10)\\log d_{3D}
               - \\min(0.044h^{1.72}, 14.77) + 0.002\\log(h)\\, d_{3D}

        PL_{LOS} = PL_1 \\; (d_{2D} \\le d_{BP}), \\quad
        PL_1(d_{BP}) + 40\\log(d_{3D}/d_{BP}) \\; (d_{BP} < d_{2D} \\le 10\\,km)

        PL'_{NLOS} = 161.04 - 7.1\\log W + 7.5\\log h - (24.37 - 3.7(h/h_{BS})^2)\\log h_{BS}
                     + (43.42 - 3.1\\log h_{BS})(\\log d_{3D} - 3) + 20\\log f_c
                     - (3.2(\\log 11.75h_{UT})^2 - 4.97)

        PL_{NLOS} = \\max(PL_{LOS}, PL'_{NLOS}) \\quad (10\\,m \\le d_{2D} \\le 5\\,km)

    :math:`PL_1(d_{BP})` is the formula evaluated at distance :math:`d_{BP}`, as the table writes.
    Within about 165 m of the tower the NLOS loss grows slightly with h_BS (the 3D path is
    longer); beyond, a higher antenna always loses less.
    Validity: f_c 0.5-30 GHz, h_BS 10-150 m, h_UT 1-10 m, h 5-50 m, W 5-50 m.

    Parameters
    ----------
    distance_m
        Horizontal (2D) distance, m.
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        h_BS and h_UT, m.
    condition
        ``los`` or ``nlos``.
    building_height_m
        Average building height h, m (default 5 m, the table's default).
    street_width_m
        Average street width W, m (default 20 m, the table's default).
    force
        Evaluate outside the validity range instead of raising.
    """
    condition = Condition.parse(condition)
    _check_3gpp(Model.RMA, condition, distance_m, freq_mhz, tx_height_m, rx_height_m, force,
                {"building_height_m": (building_height_m, 5.0, 50.0),
                 "street_width_m": (street_width_m, 5.0, 50.0)})
    d2d = np.asarray(distance_m, dtype=float)
    fc = np.asarray(freq_mhz, dtype=float) / 1000.0
    hbs = np.asarray(tx_height_m, dtype=float)
    hut = np.asarray(rx_height_m, dtype=float)
    h = np.asarray(building_height_m, dtype=float)
    w = np.asarray(street_width_m, dtype=float)
    d3d = _d3d(d2d, hbs, hut)
    log_d3d = np.log10(d3d)
    los = _rma_los(d2d, d3d, log_d3d, fc, hbs, hut, h)
    if condition == Condition.LOS:
        return los
    nlos = (161.04 - 7.1 * np.log10(w) + 7.5 * np.log10(h)
            - (24.37 - 3.7 * (h / hbs) ** 2) * np.log10(hbs)
            + (43.42 - 3.1 * np.log10(hbs)) * (log_d3d - 3.0)
            + 20.0 * np.log10(fc) - (3.2 * np.log10(11.75 * hut) ** 2 - 4.97))
    return np.maximum(los, nlos)


def _d_bp_prime(hbs, hut, fc_ghz, h_e=1.0):
    """d'_BP = 4 h'_BS h'_UT f_c / c with h' = h - h_E (h_E = 1 m), f_c in Hz, m."""
    return 4.0 * (hbs - h_e) * (hut - h_e) * fc_ghz * 1e9 / SPEED_OF_LIGHT_M_S

def _street_db(model: Model, condition: Condition | str, distance_m: ArrayLike,
               freq_mhz: ArrayLike, tx_height_m: ArrayLike, rx_height_m: ArrayLike,
               force: bool, *, los: tuple[float, float, float],
               nlos: Callable[..., np.ndarray]) -> np.ndarray:
    """TR 38.901's UMa / UMi path loss, dB: the dual-slope LOS formula with ``los = (A, B,
    C)``, ``PL_1 = A + B log d_3D + 20 log f_c`` up to d'_BP and ``PL_2 = A + 40 log d_3D +
    20 log f_c - C log(d'^2_BP + (h_BS - h_UT)^2)`` beyond; NLOS is ``max(PL_LOS,
    nlos(log d_3D, log f_c, h_UT))``."""
    condition = Condition.parse(condition)
    _check_3gpp(model, condition, distance_m, freq_mhz, tx_height_m, rx_height_m, force, {})
    d2d = np.asarray(distance_m, dtype=float)
    fc = np.asarray(freq_mhz, dtype=float) / 1000.0
    hbs = np.asarray(tx_height_m, dtype=float)
    hut = np.asarray(rx_height_m, dtype=float)
    d_bp = _d_bp_prime(hbs, hut, fc)
    log_d3d, log_fc = np.log10(_d3d(d2d, hbs, hut)), np.log10(fc)
    a, b, c = los
    pl1 = a + b * log_d3d + 20.0 * log_fc
    pl2 = a + 40.0 * log_d3d + 20.0 * log_fc - c * np.log10(d_bp**2 + (hbs - hut) ** 2)
    pl_los = np.where(d2d <= d_bp, pl1, pl2)
    if condition == Condition.LOS:
        return pl_los
    return np.maximum(pl_los, nlos(log_d3d, log_fc, hut))



def uma_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    condition: Condition | str = Condition.NLOS,
    force: bool = False,
) -> np.ndarray:
    """3GPP TR 38.901 (V17.0.0) Table 7.4.1-1 Urban Macro (UMa) path loss, dB.

    With :math:`f_c` in GHz, :math:`d'_{BP} = 4 h'_{BS} h'_{UT} f_c/c`,
    :math:`h' = h - h_E`, :math:`h_E = 1` m:

    .. math::
        PL_1 = 28.0 + 22\\log d_{3D} + 20\\log f_c \\quad (10\\,m \\le d_{2D} \\le d'_{BP})

        PL_2 = 28.0 + 40\\log d_{3D} + 20\\log f_c - 9\\log(d'^2_{BP} + (h_{BS}-h_{UT})^2)
               \\quad (d'_{BP} < d_{2D} \\le 5\\,km)

        PL'_{NLOS} = 13.54 + 39.08\\log d_{3D} + 20\\log f_c - 0.6(h_{UT} - 1.5)

        PL_{NLOS} = \\max(PL_{LOS}, PL'_{NLOS})

    h_E = 1 m is the table's value when there is no blocking (probability 1/(1+C)); we use it
    always. Validity: f_c 0.5-100 GHz, d_2D 10 m-5 km, h_UT 1.5-22.5 m; the table fixes
    h_BS = 25 m (10-50 m accepted, see :data:`VALIDITY`).

    Parameters
    ----------
    distance_m
        Horizontal (2D) distance, m.
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        h_BS and h_UT, m.
    condition
        ``los`` or ``nlos``.
    force
        Evaluate outside the validity range instead of raising.
    """
    return _street_db(Model.UMA, condition, distance_m, freq_mhz, tx_height_m, rx_height_m,
                      force, los=(28.0, 22.0, 9.0),
                      nlos=lambda log_d3d, log_fc, hut: 13.54 + 39.08 * log_d3d
                      + 20.0 * log_fc - 0.6 * (hut - 1.5))


def umi_db(
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    condition: Condition | str = Condition.NLOS,
    force: bool = False,
) -> np.ndarray:
    """3GPP TR 38.901 (V17.0.0) Table 7.4.1-1 Urban Micro Street Canyon (UMi) path loss, dB.

    With :math:`f_c` in GHz and :math:`d'_{BP}` as for UMa (h_E = 1 m):

    .. math::
        PL_1 = 32.4 + 21\\log d_{3D} + 20\\log f_c \\quad (10\\,m \\le d_{2D} \\le d'_{BP})

        PL_2 = 32.4 + 40\\log d_{3D} + 20\\log f_c - 9.5\\log(d'^2_{BP} + (h_{BS}-h_{UT})^2)
               \\quad (d'_{BP} < d_{2D} \\le 5\\,km)

        PL'_{NLOS} = 35.3\\log d_{3D} + 22.4 + 21.3\\log f_c - 0.3(h_{UT} - 1.5)

        PL_{NLOS} = \\max(PL_{LOS}, PL'_{NLOS})

    Validity: f_c 0.5-100 GHz, d_2D 10 m-5 km, h_UT 1.5-22.5 m; the table fixes h_BS = 10 m
    (5-25 m accepted, see :data:`VALIDITY`).

    Parameters
    ----------
    distance_m
        Horizontal (2D) distance, m.
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        h_BS and h_UT, m.
    condition
        ``los`` or ``nlos``.
    force
        Evaluate outside the validity range instead of raising.
    """
    return _street_db(Model.UMI, condition, distance_m, freq_mhz, tx_height_m, rx_height_m,
                      force, los=(32.4, 21.0, 9.5),
                      nlos=lambda log_d3d, log_fc, hut: 35.3 * log_d3d + 22.4
                      + 21.3 * log_fc - 0.3 * (hut - 1.5))


def path_loss_db(
    model: Model | str,
    distance_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    *,
    env: Environment | str = Environment.SUBURBAN,
    condition: Condition | str = Condition.NLOS,
    large_city: bool = False,
    building_height_m: ArrayLike = 5.0,
    street_width_m: ArrayLike = 20.0,
    clip_distance_m: float | None = None,
    force: bool = False,
) -> np.ndarray:
    """Path loss of any model from the HORIZONTAL distance, dB.

    Parameters
    ----------
    model
        One of :class:`Model` (or its string value).
    distance_m
        Horizontal (2D) distance, m. For ``free_space`` the 3D distance
        :math:`\\sqrt{d^2 + (h_{tx}-h_{rx})^2}` is used.
    freq_mhz
        Frequency, MHz.
    tx_height_m, rx_height_m
        Antenna heights above ground, m.
    env
        Hata-family environment (ignored by the other models).
    condition
        3GPP LOS/NLOS (ignored by the other models).
    large_city
        Okumura-Hata large-city a(h_m).
    building_height_m, street_width_m
        RMa h and W, m.
    clip_distance_m
        When given, distances below it are evaluated at it (the engine passes
        :data:`MIN_ENGINE_DISTANCE_M` with ``force=True``); the validity check sees the clipped
        distances.
    force
        Extrapolate outside the validity range instead of raising.

    Examples
    --------
    >>> round(float(path_loss_db("cost231_hata", 5000.0, 1800.0, 30.0, 1.5, env="urban")), 2)
    163.82
    """
    model = Model.parse(model)
    if model.needs_profile:
        raise ValidationError(
            f"{model.value} is a terrain model: it needs the path profile, not only a distance.",
            f"{model.value} là mô hình địa hình: cần mặt cắt địa hình của tuyến, không chỉ "
            "khoảng cách.",
            fix="Use gis.radio.itm.itm_p2p with the profile, or python -m gis pathloss --model "
            "itm --profile PROFILE.csv.",
            fix_vi="Dùng gis.radio.itm.itm_p2p với mặt cắt, hoặc python -m gis pathloss --model "
            "itm --profile PROFILE.csv.",
        )
    d = np.asarray(distance_m, dtype=float)
    if clip_distance_m is not None:
        d = np.maximum(d, float(clip_distance_m))
    if model == Model.FREE_SPACE:
        _check_positive(tx_height_m=tx_height_m, rx_height_m=rx_height_m)
        d3 = _d3d(d, np.asarray(tx_height_m, dtype=float), np.asarray(rx_height_m, dtype=float))
        return free_space_db(d3, freq_mhz)
    if model == Model.OKUMURA_HATA:
        return okumura_hata_db(d, freq_mhz, tx_height_m, rx_height_m, env=env,
                               large_city=large_city, force=force)
    if model == Model.COST231_HATA:
        return cost231_hata_db(d, freq_mhz, tx_height_m, rx_height_m, env=env, force=force)
    if model == Model.RMA:
        return rma_db(d, freq_mhz, tx_height_m, rx_height_m, condition=condition,
                      building_height_m=building_height_m, street_width_m=street_width_m,
                      force=force)
    if model == Model.UMA:
        return uma_db(d, freq_mhz, tx_height_m, rx_height_m, condition=condition, force=force)
    return umi_db(d, freq_mhz, tx_height_m, rx_height_m, condition=condition, force=force)
