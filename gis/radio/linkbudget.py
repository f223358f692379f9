"""Link budget: from the transmitter's EIRP to the measured signal at the receiver, per technology.

Each technology is judged on the signal its handsets and drive tests report:

========  =====================  ================================================================
tech      signal                 definition used here
========  =====================  ================================================================
2G GSM    RxLev, dBm             power of the BCCH carrier, which is always sent at full power:
                                 the whole carrier EIRP (``signal_offset_db = 0``)
3G UMTS   CPICH RSCP, dBm        power of the pilot channel: a fixed share of the carrier power,
                                 typically 10 % (``signal_offset_db = -10 dB``)
4G LTE    RSRP, dBm per RE       power of one resource element (15 kHz subcarrier):
                                 ``-10 log10(N_sc)``, N_sc = 12 × N_RB (20 MHz: 100 RB, 1200)
5G NR     SS-RSRP, dBm per RE    the same per subcarrier of the carrier's numerology
                                 (100 MHz at 30 kHz SCS: 273 RB, 3276 subcarriers)
========  =====================  ================================================================

The per-RE figures assume the carrier power is spread evenly over all subcarriers (no reference
signal power boost), the usual planning assumption. Then

.. math::
    S = EIRP_{max} + \\Delta_{signal} + A(\\varphi, \\theta) + G_{rx} - L_{path}
        - L_{body} - L_{penetration} - L_{clutter}

with EIRP the total sector EIRP at the antenna's maximum gain (dBm), Δ the signal offset above,
A the relative pattern gain (<= 0 dB, :mod:`gis.radio.antenna`), G_rx the receive antenna gain
(dBi) and the losses in dB.
"""

from __future__ import annotations

import numpy as np

from gis.errors import ValidationError

__all__ = [
    "LTE_RB",
    "NR_RB",
    "SIGNAL_KIND",
    "SIGNAL_LABELS",
    "eirp_dbm",
    "n_resource_blocks",
    "n_subcarriers",
    "received_signal_dbm",
    "rsrp_dbm",
    "signal_offset_db",
]

#: LTE transmission bandwidth configuration N_RB per channel bandwidth (MHz),
#: 3GPP TS 36.101 Table 5.6-1.
LTE_RB: dict[float, int] = {1.4: 6, 3.0: 15, 5.0: 25, 10.0: 50, 15.0: 75, 20.0: 100}

#: NR FR1 maximum transmission bandwidth N_RB per SCS (kHz) and channel bandwidth (MHz),
#: 3GPP TS 38.101-1 Table 5.3.2-1.
NR_RB: dict[int, dict[float, int]] = {
    15: {5.0: 25, 10.0: 52, 15.0: 79, 20.0: 106, 25.0: 133, 30.0: 160, 40.0: 216, 50.0: 270},
    30: {5.0: 11, 10.0: 24, 15.0: 38, 20.0: 51, 25.0: 65, 30.0: 78, 40.0: 106, 50.0: 133,
         60.0: 162, 70.0: 189, 80.0: 217, 90.0: 245, 100.0: 273},
    60: {10.0: 11, 15.0: 18, 20.0: 24, 25.0: 31, 30.0: 38, 40.0: 51, 50.0: 65, 60.0: 79,
         70.0: 93, 80.0: 107, 90.0: 121, 100.0: 135},
}

#: The signal each technology is judged on.
SIGNAL_KIND: dict[str, str] = {"2G": "rxlev", "3G": "rscp", "4G": "rsrp", "5G": "ss_rsrp"}

#: Bilingual labels of the signals (en, vi).
SIGNAL_LABELS: dict[str, tuple[str, str]] = {
    "rxlev": ("RxLev (BCCH carrier power), dBm", "RxLev (công suất sóng mang BCCH), dBm"),
    "rscp": ("CPICH RSCP, dBm", "RSCP kênh CPICH, dBm"),
    "rsrp": ("RSRP, dBm per resource element", "RSRP, dBm trên mỗi phần tử tài nguyên"),
    "ss_rsrp": ("SS-RSRP, dBm per resource element", "SS-RSRP, dBm trên mỗi phần tử tài nguyên"),
}


def _bad_bandwidth(tech: str, bandwidth_mhz: float, valid) -> ValidationError:
    listed = ", ".join(f"{b:g}" for b in valid)
    return ValidationError(
        f"{tech} bandwidth_mhz = {bandwidth_mhz:g} MHz is not a standard channel bandwidth; "
        f"valid: {listed} MHz.",
        f"Băng thông {tech} = {bandwidth_mhz:g} MHz không phải băng thông kênh chuẩn; "
        f"hợp lệ: {listed} MHz.",
        fix="Give one of the listed bandwidths.",
        fix_vi="Chọn một trong các băng thông trên.",
    )


def n_resource_blocks(tech: str, bandwidth_mhz: float, scs_khz: int | None = None) -> int:
    """Number of resource blocks of a 4G or 5G carrier.

    Parameters
    ----------
    tech
        ``"4G"`` (LTE, 15 kHz) or ``"5G"`` (NR FR1).
    bandwidth_mhz
        Channel bandwidth, MHz (a standard value).
    scs_khz
        NR subcarrier spacing, kHz (15, 30 or 60; default 30). Ignored for LTE.

    >>> n_resource_blocks("4G", 20), n_resource_blocks("5G", 100, 30)
    (100, 273)
    """
    bw = float(bandwidth_mhz)
    if tech == "4G":
        if bw not in LTE_RB:
            raise _bad_bandwidth(tech, bw, LTE_RB)
        return LTE_RB[bw]
    if tech == "5G":
        scs = int(scs_khz or 30)
        if scs not in NR_RB:
            raise ValidationError(
                f"5G scs_khz = {scs_khz} kHz is not an FR1 numerology; valid: 15, 30, 60 kHz.",
                f"Khoảng cách sóng mang con 5G = {scs_khz} kHz không hợp lệ; chọn 15, 30, 60 kHz.",
            )
        if bw not in NR_RB[scs]:
            raise _bad_bandwidth(f"5G ({scs} kHz)", bw, NR_RB[scs])
        return NR_RB[scs][bw]
    raise ValidationError(
        f"Resource blocks exist for 4G and 5G only, not {tech!r}.",
        f"Khối tài nguyên chỉ có ở 4G và 5G, không phải {tech!r}.",
    )


def n_subcarriers(tech: str, bandwidth_mhz: float, scs_khz: int | None = None) -> int:
    """Number of subcarriers N_sc = 12 × N_RB of a 4G or 5G carrier.

    >>> n_subcarriers("4G", 20), n_subcarriers("5G", 100, 30)
    (1200, 3276)
    """
    return 12 * n_resource_blocks(tech, bandwidth_mhz, scs_khz)


def signal_offset_db(tech: str, bandwidth_mhz: float, scs_khz: int | None = None, *,
                     cpich_fraction_db: float = -10.0) -> float:
    """Power of the measured signal relative to the total carrier EIRP, dB (<= 0).

    2G: 0 (RxLev is the BCCH carrier power); 3G: ``cpich_fraction_db`` (CPICH share, default
    -10 dB = 10 % of the carrier power); 4G/5G: ``-10 log10(N_sc)``.

    >>> round(signal_offset_db("4G", 20), 2)
    -30.79
    """
    if tech == "2G":
        return 0.0
    if tech == "3G":
        return float(cpich_fraction_db)
    return -10.0 * float(np.log10(n_subcarriers(tech, bandwidth_mhz, scs_khz)))


def eirp_dbm(tx_power_dbm: np.ndarray | float, gain_dbi: np.ndarray | float,
             feeder_loss_db: np.ndarray | float = 0.0) -> np.ndarray:
    """EIRP (dBm) = transmit power (dBm) + maximum antenna gain (dBi) - feeder/cable losses (dB).

    >>> float(eirp_dbm(46.0, 17.0, 2.0))
    61.0
    """
    return (np.asarray(tx_power_dbm, dtype=float) + np.asarray(gain_dbi, dtype=float)
            - np.asarray(feeder_loss_db, dtype=float))


def received_signal_dbm(
    eirp_dbm: np.ndarray | float,
    path_loss_db: np.ndarray | float,
    *,
    signal_offset_db: np.ndarray | float = 0.0,
    antenna_gain_db: np.ndarray | float = 0.0,
    rx_gain_dbi: float = 0.0,
    losses_db: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The measured signal at the receiver, dBm (RxLev, RSCP, RSRP per RE, see module doc).

    With ``signal_offset_db = 0`` this is the total received power of the sector.

    Parameters
    ----------
    eirp_dbm
        Total sector EIRP at the antenna's maximum gain, dBm.
    path_loss_db
        Path loss (empirical model + terrain term), dB.
    signal_offset_db
        Share of the EIRP in the measured signal, dB (:func:`signal_offset_db`).
    antenna_gain_db
        Relative pattern gain towards the receiver, dB (<= 0).
    rx_gain_dbi
        Receive antenna gain, dBi.
    losses_db
        Body, penetration and clutter losses, dB (>= 0, summed by the caller).
    """
    return (np.asarray(eirp_dbm, dtype=float) + signal_offset_db + antenna_gain_db + rx_gain_dbi
            - np.asarray(path_loss_db, dtype=float) - losses_db)


def rsrp_dbm(
    eirp_dbm: np.ndarray | float,
    n_subcarriers: np.ndarray | int,
    path_loss_db: np.ndarray | float,
    *,
    antenna_gain_db: np.ndarray | float = 0.0,
    rx_gain_dbi: float = 0.0,
    body_loss_db: float = 0.0,
    penetration_loss_db: float = 0.0,
    clutter_loss_db: np.ndarray | float = 0.0,
) -> np.ndarray:
    """4G/5G RSRP per resource element, dBm.

    .. math::
        RSRP = EIRP - 10\\log_{10} N_{sc} + A + G_{rx} - L_{path} - L_{body} - L_{pen}
               - L_{clutter}

    Examples
    --------
    20 MHz LTE, 61 dBm EIRP, 130 dB path loss, boresight:
    61 - 10 log10(1200) - 130 = -99.79 dBm.

    >>> round(float(rsrp_dbm(61.0, 1200, 130.0)), 2)
    -99.79
    """
    offset = -10.0 * np.log10(np.asarray(n_subcarriers, dtype=float))
    return received_signal_dbm(eirp_dbm, path_loss_db, signal_offset_db=offset,
                               antenna_gain_db=antenna_gain_db, rx_gain_dbi=rx_gain_dbi,
                               losses_db=body_loss_db + penetration_loss_db
                               + np.asarray(clutter_loss_db, dtype=float))
