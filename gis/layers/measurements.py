"""Signal measurements (drive tests, speed tests, OpenCelliD): checks and the technology of each.

:func:`check_measurements` is the last step :func:`gis.layers.canonical.canonical_layer` runs on
a ``measurements`` layer, after the columns were mapped (:mod:`gis.layers.conventions` chose the
RSRP column), the coordinates located in Vietnam and the operator and technology names
normalised. It decides each row's technology and carrier frequency, and checks the values the
calibration (:mod:`gis.radio.calibration`) relies on:

* **rsrp_dbm** in :data:`RSRP_RANGE_DBM`; outside it the file holds another quantity (an ASU
  index, RSRQ, a SINR, mW): a :class:`~gis.errors.ValidationError` naming the column, the rows
  and the likely conversion, never a silent change. Empty cells (a drive test's "no service"
  rows) are rejected rows with the reason. OpenCelliD's ``averageSignal`` is 0 where no phone
  reported a signal (OpenCelliD and Mozilla's export format: "Zero means unpublished"; 0 dBm
  is 1 mW at the phone, which no base station gives a handset): those rows are rejected with
  that reason, the others used.
* **operator**: one of Vietnam's operators (names or MCC-MNC 452-xx); an unknown or foreign
  one (a roaming log, a typo) is an error that lists the values and rows, since its
  measurements cannot be compared with any operator's coverage. An empty operator rejects the
  row.
* **tech**: from ``tech`` (``LTE`` -> 4G ...), else from ``band`` (``B3`` -> 4G, ``n78`` ->
  5G), else from the channel number (a column named EARFCN -> 4G, NR-ARFCN -> 5G), else from
  ``freq_mhz`` (3300 MHz and above -> 5G: no LTE carrier in Vietnam is there), else 4G with a
  warning (RSRP is an LTE / NR quantity). Rows whose technology is not a mobile one (WLAN,
  CDMA) are rejected with the reason.

2G and 3G rows are kept: their ``rsrp_dbm`` is the RxLev / RSCP a drive test logs for them
(G-NetTrack's ``Level``), the quantity the engine maps for those technologies.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import ValidationError, format_rows
from gis.layers.conventions import OPENCELLID_SIGNAL_SOURCE
from gis.layers.report import LoadReport
from gis.layers.schema import OPERATORS_BY_MNC, TECHS, header_key

__all__ = [
    "EARFCN_BANDS",
    "RSRP_RANGE_DBM",
    "check_measurements",
    "earfcn_mhz",
    "nr_arfcn_mhz",
    "tech_of_band",
]

#: Plausible RSRP of a phone's report, dBm. 3GPP TS 38.133 (Table 10.1.6.1-1) reports SS-RSRP
#: from -156 to -31 dBm and TS 36.133 (Table 9.1.4-1, with the Rel-13 extension) LTE RSRP over
#: about the same span; no handset decodes a cell below about -150 dBm (the 3GPP reference
#: sensitivity of a 1.4 MHz LTE carrier is -102 dBm of total power, -123 dBm per resource
#: element) and -30 dBm is metres from an antenna. Outside this range the column holds another
#: quantity.
RSRP_RANGE_DBM = (-150.0, -30.0)

#: LTE downlink bands of Vietnam's carriers (DOMAIN.md section 3) and their neighbours:
#: band -> (F_DL_low MHz, N_Offs-DL, first EARFCN, last EARFCN), 3GPP TS 36.101 Table 5.7.3-1.
#: ``F_DL = F_DL_low + 0.1 (N_DL - N_Offs-DL)`` MHz (TS 36.101 section 5.7.3).
EARFCN_BANDS: dict[str, tuple[float, int, int, int]] = {
    "B1": (2110.0, 0, 0, 599),
    "B3": (1805.0, 1200, 1200, 1949),
    "B5": (869.0, 2400, 2400, 2649),
    "B7": (2620.0, 2750, 2750, 3449),
    "B8": (925.0, 3450, 3450, 3799),
    "B20": (791.0, 6150, 6150, 6449),
    "B28": (758.0, 9210, 9210, 9659),
    "B38": (2570.0, 37750, 37750, 38249),
    "B40": (2300.0, 38650, 38650, 39649),
    "B41": (2496.0, 39650, 39650, 41589),
}

#: Header keys of a channel-number column that name the technology (a bare ``arfcn`` or
#: ``channel`` names none: G-NetTrack's ARFCN is the ARFCN, UARFCN or EARFCN of the row's RAT).
_LTE_CHANNEL_KEYS = ("earfcn", "dl_earfcn", "earfcn_dl")
_NR_CHANNEL_KEYS = ("nr_arfcn", "nrarfcn", "ssb_arfcn")


def earfcn_mhz(earfcn: np.ndarray) -> np.ndarray:
    """Downlink carrier frequency (MHz) of LTE EARFCNs in :data:`EARFCN_BANDS`; NaN for others.

    >>> earfcn_mhz(np.array([1850.0, 3500.0, 99.0, 5000.0])).round(1).tolist()
    [1870.0, 930.0, 2119.9, nan]
    """
    n = np.asarray(earfcn, dtype=float)
    out = np.full(n.shape, np.nan)
    for f_low, offs, first, last in EARFCN_BANDS.values():
        inside = (n >= first) & (n <= last)
        out[inside] = f_low + 0.1 * (n[inside] - offs)
    return out


def nr_arfcn_mhz(arfcn: np.ndarray) -> np.ndarray:
    """Frequency (MHz) of NR-ARFCNs of the 0-24.25 GHz global raster, 3GPP TS 38.104 Table
    5.4.2.1-1: ``F = 0.005 N`` below N = 600,000, ``3000 + 0.015 (N - 600,000)`` up to
    N = 2,016,666; NaN outside.

    >>> nr_arfcn_mhz(np.array([636666.0, 152600.0])).round(2).tolist()
    [3549.99, 763.0]
    """
    n = np.asarray(arfcn, dtype=float)
    out = np.where(n < 600_000, 0.005 * n, 3000.0 + 0.015 * (n - 600_000))
    return np.where((n >= 0) & (n <= 2_016_666), out, np.nan)


def tech_of_band(value: object) -> str | None:
    """``"4G"`` or ``"5G"`` from a band name: ``n78`` / ``NR3500`` -> 5G; ``B3``, ``Band 3``,
    ``L1800``, ``LTE1800`` -> 4G; ``None`` when the name does not say (``"1800"``).

    >>> [tech_of_band(v) for v in ("n78", "B3", "Band 3", "L1800", "NR 3500", "1800", None)]
    ['5G', '4G', '4G', '4G', '5G', None, None]
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = re.sub(r"[\s_-]+", "", str(value).lower())
    if re.fullmatch(r"(n|nr|5g|5gnr)\d+", text):
        return "5G"
    if re.fullmatch(r"(b|band|l|lte|4g|e)\d+", text):
        return "4G"
    return None


def _text(gdf: pd.DataFrame, col: str) -> np.ndarray:
    if col not in gdf:
        return np.full(len(gdf), None, dtype=object)
    return gdf[col].to_numpy(dtype=object)


def _empty(values: np.ndarray) -> np.ndarray:
    return np.array([v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
                     for v in values], dtype=bool)


def check_measurements(gdf: gpd.GeoDataFrame, mapping: dict[str, str], report: LoadReport, *,
                       display: str) -> gpd.GeoDataFrame:
    """The usable rows of a measurements layer, with ``tech`` and ``freq_mhz`` filled.

    Parameters
    ----------
    gdf
        The layer after the column mapping, the position checks and the name normalisation
        (index = 0-based data rows of the file).
    mapping
        Canonical column -> the file's header (to name columns in messages).
    report
        Rejected rows and warnings go here.
    display
        The file name for messages.

    Returns
    -------
    GeoDataFrame
        The rows kept; ``tech`` is one of 2G/3G/4G/5G, ``freq_mhz`` the carrier (MHz) where
        the file gives it or its channel number (EARFCN, NR-ARFCN) does.

    Raises
    ------
    ValidationError
        RSRP outside :data:`RSRP_RANGE_DBM`; an operator that is not Vietnam's.
    """
    rows = gdf.index.to_numpy()
    rsrp_col = mapping.get("rsrp_dbm", "rsrp_dbm")
    rsrp = pd.to_numeric(gdf["rsrp_dbm"], errors="coerce").to_numpy(dtype=float)
    drop = np.zeros(len(gdf), dtype=bool)

    source = _text(gdf, "source").astype(str)
    ocid = (source == OPENCELLID_SIGNAL_SOURCE) | (header_key(rsrp_col) == "averagesignal")
    zero = ocid & (rsrp == 0)
    for r in rows[zero]:
        report.reject(r, "averageSignal is 0: OpenCelliD writes 0 where no phone reported a "
                         "signal", "averageSignal bằng 0: OpenCelliD ghi 0 khi không điện thoại "
                         "nào báo tín hiệu")
    drop |= zero
    missing = ~np.isfinite(rsrp) & ~drop
    for r in rows[missing]:
        report.reject(r, f"no signal value in {rsrp_col} (no service, or not a number)",
                      f"không có giá trị tín hiệu ở {rsrp_col} (mất sóng, hoặc không phải số)")
    drop |= missing
    lo, hi = RSRP_RANGE_DBM
    bad = np.isfinite(rsrp) & ~drop & ((rsrp < lo) | (rsrp > hi))
    if bad.any():
        raise _range_error(rsrp, bad, rows, rsrp_col, display)

    operator = _text(gdf, "operator")
    no_op = _empty(operator) & ~drop
    for r in rows[no_op]:
        report.reject(r, "no operator", "không có nhà mạng")
    drop |= no_op
    known = set(OPERATORS_BY_MNC.values())
    unknown = ~drop & np.array([v not in known for v in operator], dtype=bool)
    if unknown.any():
        raise _operator_error(operator, unknown, rows, mapping.get("operator", "operator"),
                              display, known)

    gdf = gdf.copy()
    tech, freq = _techs(gdf, mapping, report, rows, drop)
    several = ~drop & np.array([isinstance(t, str) and "/" in t for t in tech], dtype=bool)
    for r, t in zip(rows[several], tech[several], strict=True):
        report.reject(r, f"several technologies ({t}) in one measurement",
                      f"nhiều công nghệ ({t}) trong một điểm đo")
    drop |= several
    not_mobile = ~drop & np.array([t not in TECHS for t in tech], dtype=bool)
    for r, t in zip(rows[not_mobile], tech[not_mobile], strict=True):
        report.reject(r, f"technology {t!r} is not a mobile network (2G, 3G, 4G, 5G)",
                      f"công nghệ {t!r} không phải mạng di động (2G, 3G, 4G, 5G)")
    drop |= not_mobile
    gdf["tech"] = tech
    gdf["freq_mhz"] = freq
    gdf["rsrp_dbm"] = rsrp
    return gdf.loc[~drop]


def _techs(gdf: gpd.GeoDataFrame, mapping: dict[str, str], report: LoadReport,
           rows: np.ndarray, drop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's technology and carrier frequency (MHz), by the rules of the module text."""
    n = len(gdf)
    tech = _text(gdf, "tech").copy()
    tech[_empty(tech)] = None
    freq = (pd.to_numeric(gdf["freq_mhz"], errors="coerce").to_numpy(dtype=float)
            if "freq_mhz" in gdf else np.full(n, np.nan))
    band_tech = np.array([tech_of_band(v) for v in _text(gdf, "band")], dtype=object)
    channel_key = header_key(mapping.get("earfcn", ""))
    channel = (pd.to_numeric(gdf["earfcn"], errors="coerce").to_numpy(dtype=float)
               if "earfcn" in gdf else np.full(n, np.nan))
    # the channel number's RAT: named by its header, else by the row's technology
    lte = (channel_key in _LTE_CHANNEL_KEYS) | (tech == "4G")
    nr = (channel_key in _NR_CHANNEL_KEYS) | (tech == "5G")
    freq = np.where(np.isfinite(freq), freq,
                    np.where(lte, earfcn_mhz(channel), np.where(nr, nr_arfcn_mhz(channel),
                                                                np.nan)))
    channel_tech = np.where(np.isfinite(channel) & (channel_key in _LTE_CHANNEL_KEYS), "4G",
                            np.where(np.isfinite(channel) & (channel_key in _NR_CHANNEL_KEYS),
                                     "5G", None)).astype(object)
    freq_tech = np.where(np.isfinite(freq), np.where(freq >= 3300.0, "5G", "4G"), None)
    how = np.full(n, "", dtype=object)
    for derived, word in ((band_tech, "band"), (channel_tech, "channel"),
                          (freq_tech.astype(object), "frequency")):
        take = np.array([t is None for t in tech]) & np.array([d is not None for d in derived])
        tech[take] = derived[take]
        how[take] = word
    left = np.array([t is None for t in tech]) & ~drop
    if left.any():
        tech[left] = "4G"
        report.warn(f"No technology, band or channel in row(s) {format_rows(rows[left])}: "
                    "assumed 4G (RSRP is an LTE / NR measurement).",
                    f"Không có công nghệ, băng tần hay kênh ở dòng {format_rows(rows[left])}: "
                    "giả định 4G (RSRP là đại lượng đo của LTE / NR).")
    for word, vi in (("band", "băng tần"), ("channel", "số kênh"), ("frequency", "tần số")):
        took = (how == word) & ~drop
        if took.any():
            report.warn(f"Technology taken from the {word} in {int(took.sum())} row(s).",
                        f"Công nghệ lấy theo {vi} ở {int(took.sum())} dòng.")
    return tech, freq


def _range_error(rsrp: np.ndarray, bad: np.ndarray, rows: np.ndarray, col: str,
                 display: str) -> ValidationError:
    values = rsrp[bad]
    examples = ", ".join(f"{v:g}" for v in values[:3])
    lo, hi = RSRP_RANGE_DBM
    if np.all((values >= 0) & (values <= 97)):
        fix = (f"{col} looks like a reported index or ASU (0-97), not dBm: convert it "
               "(LTE RSRP index: dBm = value - 140, 3GPP TS 36.133; GSM ASU: dBm = 2 x value - "
               "113) or give the RSRP column in dBm.")
        fix_vi = (f"{col} có vẻ là chỉ số báo cáo hoặc ASU (0-97), không phải dBm: hãy đổi "
                  "(chỉ số RSRP LTE: dBm = giá trị - 140, 3GPP TS 36.133; ASU GSM: dBm = 2 x giá "
                  "trị - 113) hoặc dùng cột RSRP tính bằng dBm.")
    elif np.all((values > hi) & (values <= 0)):
        fix = (f"{col} looks like RSRQ or SINR (dB), not RSRP: give the RSRP column "
               "(rsrp_dbm, about -140 to -44 dBm).")
        fix_vi = (f"{col} có vẻ là RSRQ hoặc SINR (dB), không phải RSRP: dùng cột RSRP "
                  "(rsrp_dbm, khoảng -140 đến -44 dBm).")
    else:
        fix = f"Correct {col} in those rows (RSRP in dBm, {lo:g} to {hi:g}) or remove them."
        fix_vi = (f"Sửa {col} ở các dòng đó (RSRP tính bằng dBm, {lo:g} đến {hi:g}) hoặc xoá "
                  "các dòng đó.")
    return ValidationError(
        f"{col}: {int(bad.sum())} value(s) outside {lo:g} to {hi:g} dBm (e.g. {examples}).",
        f"{col}: {int(bad.sum())} giá trị ngoài khoảng {lo:g} đến {hi:g} dBm (ví dụ "
        f"{examples}).",
        file=display, rows=rows[bad].tolist(), fix=fix, fix_vi=fix_vi)


def _operator_error(operator: np.ndarray, unknown: np.ndarray, rows: np.ndarray, col: str,
                    display: str, known: set[str]) -> ValidationError:
    values = list(dict.fromkeys(str(v) for v in operator[unknown]))
    shown = ", ".join(repr(v) for v in values[:5]) + (" ..." if len(values) > 5 else "")
    names = ", ".join(sorted(known))
    codes = ", ".join(f"{k} = {v}" for k, v in OPERATORS_BY_MNC.items())
    return ValidationError(
        f"{col}: operator(s) {shown} are not Vietnam's mobile operators; a measurement is "
        "compared with the coverage of one of them.",
        f"{col}: nhà mạng {shown} không phải nhà mạng di động của Việt Nam; mỗi điểm đo được "
        "so với vùng phủ của một nhà mạng.",
        file=display, rows=rows[unknown].tolist(),
        fix=f"Write one operator per row: {names}, or its MCC-MNC ({codes}); remove rows of "
        "other networks (roaming).",
        fix_vi=f"Ghi một nhà mạng mỗi dòng: {names}, hoặc mã MCC-MNC ({codes}); xoá các dòng "
        "của mạng khác (chuyển vùng quốc tế).")
