"""Sector expansion: from the sites layer to one row per transmitter (site × sector × technology).

Rules (each default applied is reported in words, nothing is dropped):

1. Every input row keeps its position: the output column ``row`` is its 0-based row.
2. Technologies: ``tech`` may list several ("2G/3G/4G", "4G, 5G", "LTE+NR"); the row becomes one
   transmitter per technology. GSM, UMTS/WCDMA/HSPA, LTE and NR are read as 2G, 3G, 4G and 5G. No
   tech: :attr:`RadioParams.default_tech` (4G).
3. Frequency: a single-tech row's ``freq_mhz``, else its ``band`` ("1800", "L1800", "B3", "n78",
   "3.5 GHz"), else the operator's band (:attr:`RadioParams.operator_bands_mhz`, e.g. Viettel 5G
   2550 MHz), else the tech default. A multi-tech row's freq/band is ambiguous and not used
   (reported).
4. Sectors: a row with ``azimuth_deg`` is one sector (several rows of one site are its sectors);
   a row without azimuth becomes :attr:`RadioParams.default_azimuths_deg` (three 120° sectors at
   0/120/240°); a row with ``beamwidth_deg >= 360`` is one omni antenna (azimuth NaN). Azimuths
   are wrapped to [0, 360).
5. Radius: the tech's ``max_radius_m``, at least :attr:`RadioParams.low_band_max_radius_m`
   (15 km) for carriers at or below 1000 MHz.
6. Height: ``height_m``, else the height of its ``structure`` (A1 12 m, A2a 15 m, A2b 36 m), else
   :attr:`RadioParams.default_height_m` (30 m).
7. Beamwidth, tilt and EIRP: the row's values (EIRP applies to each tech of a multi-tech row),
   else the tech defaults.
8. Vertical beamwidth (``vbeamwidth_deg``): the row's value, else the tech default for a sector;
   an omni antenna without one has no vertical pattern (NaN): an omni collinear is not a tilted
   panel.

Coordinates ``x``, ``y`` are in the sites' (metric, analysis) CRS, metres.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import CRSError, ValidationError
from gis.labels import Note
from gis.layers.schema import TECHS
from gis.radio.params import RadioParams

__all__ = ["TX_COLUMNS", "expand_sectors", "parse_band_mhz", "parse_techs"]

#: Columns of the transmitter table, in order (``position_id``/``structure`` only when given).
TX_COLUMNS = [
    "tx_id", "site_id", "operator", "tech", "x", "y", "height_m", "freq_mhz", "azimuth_deg",
    "beamwidth_deg", "vbeamwidth_deg", "tilt_deg", "eirp_dbm", "n_subcarriers",
    "signal_offset_db", "signal", "model", "max_radius_m", "row",
]

_TECH_ALIASES = {
    "2G": "2G", "GSM": "2G", "DCS": "2G", "GPRS": "2G", "EDGE": "2G",
    "3G": "3G", "UMTS": "3G", "WCDMA": "3G", "W-CDMA": "3G", "W_CDMA": "3G", "HSPA": "3G",
    "HSPA+": "3G", "HSDPA": "3G", "HSUPA": "3G",
    "4G": "4G", "LTE": "4G", "LTE-A": "4G", "LTE_A": "4G", "LTE+": "4G", "4G+": "4G",
    "LTE-ADVANCED": "4G", "LTE-ADV": "4G",
    "5G": "5G", "NR": "5G", "5GNR": "5G", "5G-NR": "5G", "5G_NR": "5G", "NR5G": "5G",
}
#: Words that may sit between technologies ("4G LTE Advanced", "2G và 4G") and name none.
_TECH_FILLERS = {"ADVANCED", "ADV", "A", "AND", "VA", "VÀ"}

#: Representative carrier frequency of 3GPP band numbers, MHz (LTE "Bn" and NR "nN").
BAND_MHZ: dict[str, float] = {
    "b1": 2100.0, "b3": 1800.0, "b5": 850.0, "b7": 2600.0, "b8": 900.0, "b20": 800.0,
    "b28": 700.0, "b38": 2600.0, "b40": 2300.0, "b41": 2600.0, "b42": 3500.0, "b43": 3700.0,
    "n1": 2100.0, "n3": 1800.0, "n5": 850.0, "n7": 2600.0, "n8": 900.0, "n28": 700.0,
    "n38": 2600.0, "n40": 2300.0, "n41": 2600.0, "n77": 3700.0, "n78": 3500.0, "n79": 4700.0,
}


def parse_techs(value: object) -> tuple[str, ...] | None:
    """The technologies named in a ``tech`` cell, sorted, or None when it names none.

    Raises ``KeyError`` with the unknown token when a token is not a technology.

    >>> parse_techs("2G/4G"), parse_techs("LTE + NR"), parse_techs(None)
    (('2G', '4G'), ('4G', '5G'), None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    tokens = []
    for t in re.split(r"[/,;&|\s]+", str(value).upper()):
        tokens.extend([t] if t in _TECH_ALIASES else [u for u in t.split("+") if u])
    tokens = [t for t in tokens if t not in _TECH_FILLERS]
    if not tokens:
        return None
    out = set()
    for t in tokens:
        if t not in _TECH_ALIASES:
            raise KeyError(t)
        out.add(_TECH_ALIASES[t])
    return tuple(sorted(out))


def parse_band_mhz(value: object) -> float | None:
    """Carrier frequency named by a ``band`` cell, MHz; None when it cannot be read.

    >>> [parse_band_mhz(v) for v in ("1800", "L1800", "B3", "n78", "3.5 GHz", "B3/B1")]
    [1800.0, 1800.0, 1800.0, 3500.0, 3500.0, None]
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = re.sub(r"\s+", "", str(value).lower())
    if text in BAND_MHZ:
        return BAND_MHZ[text]
    if text.startswith("band") and "b" + text[4:] in BAND_MHZ:
        return BAND_MHZ["b" + text[4:]]
    m = re.fullmatch(r"[a-z]*?(\d+(?:\.\d+)?)(mhz|ghz)?", text)
    if not m:
        return None
    number = float(m.group(1))
    if m.group(2) == "ghz" or (m.group(2) is None and number < 10):
        number *= 1000.0
    return number if 30.0 <= number <= 100_000.0 else None


def _msg(lang: str, en: str, vi: str) -> str:
    """The Vietnamese text for ``lang="vi"``; otherwise a :class:`~gis.labels.Note`, the
    English text that carries its Vietnamese (``.vi``) for a run's bilingual defaults."""
    return vi if lang == "vi" else Note(en, vi)


def _rows_error(en: str, vi: str, rows, fix: str, fix_vi: str) -> ValidationError:
    return ValidationError(en, vi, rows=rows, fix=fix, fix_vi=fix_vi)


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    given = frame[col].notna().to_numpy() & ~frame[col].astype(str).str.strip().eq("").to_numpy()
    bad = np.flatnonzero(given & np.isnan(values))
    if bad.size:
        raise _rows_error(
            f"Sites: column {col!r} has values that are not numbers.",
            f"Trạm: cột {col!r} có giá trị không phải số.",
            bad, f"Write {col} as a plain number or leave it empty.",
            f"Ghi {col} là số hoặc để trống.")
    return values


def _check_range(values: np.ndarray, col: str, lo: float, hi: float, unit: str) -> None:
    bad = np.flatnonzero(np.isfinite(values) & ((values < lo) | (values > hi)))
    if bad.size:
        raise _rows_error(
            f"Sites: {col} must be within {lo:g}-{hi:g} {unit}; found {values[bad[0]]:g}.",
            f"Trạm: {col} phải trong khoảng {lo:g}-{hi:g} {unit}; gặp {values[bad[0]]:g}.",
            bad, f"Correct {col} in these rows (or leave it empty for the default).",
            f"Sửa {col} ở các dòng này (hoặc để trống để dùng mặc định).")


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    s = frame[col].astype("string").str.strip()
    s = s.mask(s.eq(""))
    return s.astype(object).where(s.notna(), None)


def expand_sectors(
    sites: gpd.GeoDataFrame, params: RadioParams | None = None, *, lang: str = "en"
) -> tuple[pd.DataFrame, list[str]]:
    """One row per transmitter (site × sector × technology), and the defaults applied in words.

    Parameters
    ----------
    sites
        The sites layer: Point geometries in a projected (metric) CRS, column ``operator`` and any
        of the optional site columns of :data:`gis.layers.schema.LAYER_SPECS`.
    params
        Radio parameters (defaults when not given).
    lang
        Language of the messages (``"en"`` or ``"vi"``).

    Returns
    -------
    transmitters : pandas.DataFrame
        Columns :data:`TX_COLUMNS` (+ ``position_id``, ``structure`` when the sites have them):
        ``x``, ``y`` in m, ``height_m`` antenna height above ground in m, ``freq_mhz``,
        ``azimuth_deg`` (NaN: omni), ``beamwidth_deg``, ``vbeamwidth_deg``, ``tilt_deg`` (down),
        ``eirp_dbm`` (total per sector), ``n_subcarriers`` (4G/5G; NaN for 2G/3G),
        ``signal_offset_db`` (measured signal relative to the EIRP, dB), ``signal`` (rxlev, rscp,
        rsrp, ss_rsrp), ``model`` (empirical model for its frequency), ``max_radius_m``, ``row``.
    defaults : list of str
        What was assumed, e.g. "12 site rows without azimuth: assumed 3 sectors at 0/120/240°":
        in Vietnamese for ``lang="vi"``, else English :class:`~gis.labels.Note` with ``.vi``.

    Raises
    ------
    CRSError
        The sites are not in a projected CRS.
    ValidationError
        Missing operator column or values, non-point or empty geometries, unknown technologies,
        out-of-range numbers; the message names the rows.
    """
    params = params or RadioParams()
    if sites.crs is not None and not sites.crs.is_projected:
        raise CRSError(
            f"Sites are in {sites.crs.name}, a geographic CRS; the sector expansion needs metres.",
            f"Lớp trạm ở hệ {sites.crs.name} (độ); cần hệ tọa độ phẳng (mét).",
            fix="Reproject the sites to the analysis CRS (UTM 48N/49N) first "
            "(gis.layers.crs / the readers do it).",
            fix_vi="Chuyển lớp trạm sang hệ phân tích (UTM 48N/49N) trước.",
        )
    if "operator" not in sites:
        raise ValidationError(
            "Sites have no 'operator' column.", "Lớp trạm thiếu cột 'operator' (nhà mạng).",
            fix="Add the operator (nhà mạng) of every site.",
            fix_vi="Thêm cột nhà mạng cho mỗi trạm.")
    n = len(sites)
    frame = pd.DataFrame(sites.drop(columns=sites.geometry.name)).reset_index(drop=True)
    geoms = np.asarray(sites.geometry.values, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)
                         | (shapely.get_type_id(geoms) != 0))
    if bad.size:
        raise _rows_error("Sites: rows without a point geometry.",
                          "Trạm: các dòng không có tọa độ điểm.", bad,
                          "Give each site a point (longitude/latitude or X/Y).",
                          "Nhập tọa độ điểm cho mỗi trạm.")
    x = shapely.get_x(geoms).astype(float)
    y = shapely.get_y(geoms).astype(float)
    operator = _text(frame, "operator")
    bad = np.flatnonzero(operator.isna().to_numpy())
    if bad.size:
        raise _rows_error("Sites: rows without operator.", "Trạm: các dòng thiếu nhà mạng.", bad,
                          "Fill in the operator (Viettel, VinaPhone, MobiFone, ...).",
                          "Điền nhà mạng (Viettel, VinaPhone, MobiFone, ...).")
    defaults: list[str] = []

    # --- site ids
    site_id = _text(frame, "site_id")
    no_id = site_id.isna().to_numpy()
    if no_id.any():
        site_id = site_id.where(~no_id, pd.Series([f"site_{i + 1}" for i in range(n)]))
        defaults.append(_msg(lang, f"{int(no_id.sum())} site rows without site_id: named "
                                   "site_<row>.",
                             f"{int(no_id.sum())} dòng trạm thiếu mã trạm: đặt tên site_<dòng>."))

    # --- numbers given in the file, validated
    freq_in = _num(frame, "freq_mhz")
    height_in = _num(frame, "height_m")
    az_in = _num(frame, "azimuth_deg")
    bw_in = _num(frame, "beamwidth_deg")
    vbw_in = _num(frame, "vbeamwidth_deg")
    tilt_in = _num(frame, "tilt_deg")
    eirp_in = _num(frame, "eirp_dbm")
    _check_range(freq_in, "freq_mhz", 30.0, 100_000.0, "MHz")
    _check_range(height_in, "height_m", 0.5, 500.0, "m")
    _check_range(bw_in, "beamwidth_deg", 1.0, 360.0, "°")
    _check_range(vbw_in, "vbeamwidth_deg", 0.5, 180.0, "°")
    _check_range(tilt_in, "tilt_deg", -30.0, 30.0, "°")
    _check_range(eirp_in, "eirp_dbm", -30.0, 100.0, "dBm")
    for arr, name in ((x, "x"), (y, "y")):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise _rows_error(f"Sites: non-finite {name} coordinate.",
                              f"Trạm: tọa độ {name} không hợp lệ.", bad,
                              "Correct the coordinates.", "Sửa tọa độ.")

    # --- technologies (parsed per distinct string, then exploded)
    tech_text = _text(frame, "tech")
    parsed: dict[object, tuple[str, ...] | None] = {}
    for value in pd.unique(tech_text.dropna()):
        try:
            parsed[value] = parse_techs(value)
        except KeyError as exc:
            rows = np.flatnonzero(tech_text.eq(value).to_numpy())
            raise _rows_error(
                f"Sites: unknown technology {exc.args[0]!r} in tech {value!r}; known: "
                f"{', '.join(TECHS)} (or GSM, UMTS, LTE, NR).",
                f"Trạm: công nghệ {exc.args[0]!r} trong {value!r} không xác định; hợp lệ: "
                f"{', '.join(TECHS)}.",
                rows, "Write the technologies like 2G/3G/4G.", "Ghi công nghệ dạng 2G/3G/4G.",
            ) from None
    techs = tech_text.map(parsed)
    no_tech = techs.isna().to_numpy()
    if no_tech.any():
        techs = techs.where(~no_tech, pd.Series([(params.default_tech,)] * n))
        defaults.append(_msg(
            lang, f"{int(no_tech.sum())} site rows without technology: assumed "
                  f"{params.default_tech}.",
            f"{int(no_tech.sum())} dòng trạm thiếu công nghệ: giả định {params.default_tech}."))
    n_tech = techs.map(len).to_numpy().astype(np.int64)
    multi = n_tech > 1

    band_text = _text(frame, "band")
    band_mhz = band_text.map({v: parse_band_mhz(v) for v in pd.unique(band_text.dropna())})
    band_mhz = pd.to_numeric(band_mhz, errors="coerce").to_numpy(dtype=float)
    unreadable = band_text.notna().to_numpy() & np.isnan(band_mhz) & ~multi & np.isnan(freq_in)
    if unreadable.any():
        examples = ", ".join(repr(v) for v in pd.unique(band_text[unreadable])[:3])
        defaults.append(_msg(
            lang, f"{int(unreadable.sum())} site rows with an unreadable band ({examples}): "
                  "used the technology's default frequency.",
            f"{int(unreadable.sum())} dòng trạm có băng tần không đọc được ({examples}): dùng tần "
            "số mặc định của công nghệ."))
    row_freq = np.where(np.isfinite(freq_in), freq_in, band_mhz)
    ambiguous = multi & np.isfinite(row_freq)
    if ambiguous.any():
        defaults.append(_msg(
            lang, f"{int(ambiguous.sum())} multi-technology site rows give one frequency/band: "
                  "not used, each technology at its default band.",
            f"{int(ambiguous.sum())} dòng trạm nhiều công nghệ chỉ ghi một tần số: không dùng, "
            "mỗi công nghệ lấy băng tần mặc định."))
    row_freq = np.where(multi, np.nan, row_freq)

    # --- heights
    structure = _text(frame, "structure")
    struct_h = structure.map({v: params.height_for(v) for v in pd.unique(structure.dropna())})
    struct_h = pd.to_numeric(struct_h, errors="coerce").to_numpy(dtype=float)
    no_h = ~np.isfinite(height_in)
    by_struct = no_h & np.isfinite(struct_h)
    height = np.where(no_h, np.where(np.isfinite(struct_h), struct_h, params.default_height_m),
                      height_in)
    if by_struct.any():
        counts = structure[by_struct].value_counts(sort=False)
        for name, count in counts.items():
            h = params.height_for(name)
            defaults.append(_msg(lang, f"{count} site rows without height: {name} default {h:g} m.",
                                 f"{count} dòng trạm thiếu độ cao: {name} mặc định {h:g} m."))
    fallback = no_h & ~np.isfinite(struct_h)
    if fallback.any():
        unknown = pd.unique(structure[fallback].dropna())
        extra = (f" (including unknown structure {', '.join(map(repr, unknown[:5]))})"
                 if len(unknown) else "")
        extra_vi = (f" (có loại cột không xác định {', '.join(map(repr, unknown[:5]))})"
                    if len(unknown) else "")
        defaults.append(_msg(
            lang, f"{int(fallback.sum())} site rows without height{extra}: default "
                  f"{params.default_height_m:g} m.",
            f"{int(fallback.sum())} dòng trạm thiếu độ cao{extra_vi}: mặc định "
            f"{params.default_height_m:g} m."))

    # --- sectors: omni, given azimuth, or the default azimuths
    omni = bw_in >= 360.0
    no_az = ~np.isfinite(az_in) & ~omni
    n_az = len(params.default_azimuths_deg)
    if no_az.any():
        az_list = "/".join(f"{a:g}" for a in params.default_azimuths_deg)
        defaults.append(_msg(
            lang, f"{int(no_az.sum())} site rows without azimuth: assumed {n_az} sectors at "
                  f"{az_list}°.",
            f"{int(no_az.sum())} dòng trạm thiếu góc phương vị: giả định {n_az} sector ở "
            f"{az_list}°."))
    if omni.any():
        defaults.append(_msg(lang, f"{int(omni.sum())} site rows with beamwidth >= 360°: omni "
                                   "antennas.",
                             f"{int(omni.sum())} dòng trạm có độ rộng búp >= 360°: anten vô "
                             "hướng."))

    # Expand rows -> (row, tech) -> (row, tech, sector), all with np.repeat.
    row_t = np.repeat(np.arange(n), n_tech)
    tech_t = techs.explode().to_numpy(dtype=object) if n else np.empty(0, dtype=object)
    n_sec = np.where(no_az, n_az, 1)[row_t]
    row_s = np.repeat(row_t, n_sec)
    tech_s = np.repeat(tech_t, n_sec)
    first = np.repeat(np.cumsum(n_sec) - n_sec, n_sec)
    k = np.arange(len(row_s)) - first  # sector index within its (row, tech)
    default_az = np.asarray(params.default_azimuths_deg, dtype=float)
    az = np.where(no_az[row_s], default_az[np.minimum(k, n_az - 1)], az_in[row_s])
    az = np.where(omni[row_s], np.nan, np.mod(az, 360.0))

    # Per-tech defaults, looked up by tech (4 values) then broadcast.
    tdef = {t: params.tech(t) for t in pd.unique(tech_s)} if len(tech_s) else {}

    tech_series = pd.Series(tech_s, dtype=object)

    def per_tech(attr: str, dtype: type = float) -> np.ndarray:
        lut = {t: getattr(d, attr) for t, d in tdef.items()}
        return tech_series.map(lut).to_numpy(dtype=dtype)

    ops = operator.to_numpy(dtype=object)[row_s]
    keys = pd.Series(ops, dtype=object).astype(str) + " " + tech_series.astype(str)
    default_freq = keys.map(params.operator_bands_mhz).to_numpy(dtype=float)
    default_freq = np.where(np.isfinite(default_freq), default_freq, per_tech("freq_mhz"))
    freq = np.where(np.isfinite(row_freq[row_s]), row_freq[row_s], default_freq)
    bw_def = per_tech("beamwidth_deg")
    beamwidth = np.where(np.isfinite(bw_in[row_s]), bw_in[row_s], bw_def)
    vbw_def = np.where(omni[row_s], np.nan, per_tech("vbeamwidth_deg"))
    vbeamwidth = np.where(np.isfinite(vbw_in[row_s]), vbw_in[row_s], vbw_def)
    tilt = np.where(np.isfinite(tilt_in[row_s]), tilt_in[row_s], per_tech("tilt_deg"))
    eirp = np.where(np.isfinite(eirp_in[row_s]), eirp_in[row_s], per_tech("eirp_dbm"))
    for name, given in (("tilt", tilt_in), ("EIRP", eirp_in)):
        missing = ~np.isfinite(given)
        if missing.any():
            defaults.append(_msg(
                lang, f"{int(missing.sum())} site rows without {name}: technology default.",
                f"{int(missing.sum())} dòng trạm thiếu {name}: dùng mặc định theo công nghệ."))
    n_sc = tech_series.map({t: d.n_subcarriers or np.nan for t, d in tdef.items()})
    n_sc = n_sc.to_numpy(dtype=float)
    models = params.models_for(freq)

    out = pd.DataFrame({
        "tx_id": np.arange(len(row_s), dtype=np.int64),
        "site_id": site_id.to_numpy(dtype=object)[row_s],
        "operator": ops,
        "tech": tech_s,
        "x": x[row_s],
        "y": y[row_s],
        "height_m": height[row_s],
        "freq_mhz": freq,
        "azimuth_deg": az,
        "beamwidth_deg": beamwidth,
        "vbeamwidth_deg": vbeamwidth,
        "tilt_deg": tilt,
        "eirp_dbm": eirp,
        "n_subcarriers": n_sc,
        "signal_offset_db": per_tech("signal_offset_db"),
        "signal": per_tech("signal", object),
        "model": models,
        "max_radius_m": np.where(freq <= params.low_band_mhz,
                                 np.maximum(per_tech("max_radius_m"), params.low_band_max_radius_m),
                                 per_tech("max_radius_m")),
        "row": row_s.astype(np.int64),
    })
    for col in ("position_id", "structure"):
        if col in frame:
            out[col] = _text(frame, col).to_numpy(dtype=object)[row_s]
    return out, defaults
