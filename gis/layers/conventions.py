"""Published file conventions, applied to a raw table before the column mapping.

:func:`prepare_table` is the step :mod:`gis.layers.read` runs between the format reader and
:func:`gis.layers.canonical.canonical_layer`:

* **admin** layers as GADM, geoBoundaries, OCHA COD-AB or with Vietnamese headers publish
  them get their canonical ``name, level, code, province, district ...`` columns for the
  chosen level (:func:`gis.layers.admin_levels.admin_table`);
* **sites** files with an ``mcc`` and an ``mnc`` (or OpenCelliD's ``net``) column and no
  operator column get ``operator`` = ``"452-04"`` ..., which the operator rules turn into
  Viettel ... (DOMAIN.md section 5);
* an **OpenCelliD export** read as a sites layer is recognised and the report says to use
  ``gis import opencellid`` (which groups the cells into sites); a header-less OpenCelliD dump
  (the full downloads have no header line) is refused with that advice, since its first row
  would be taken for headers;
* **measurements** files: of several signal columns the RSRP is taken by
  :data:`MEASUREMENT_SIGNAL_PRIORITY` (an explicit RSRP before G-NetTrack's ``Level`` before a
  generic ``signal``), ``mcc`` + ``mnc`` give the operator, and an OpenCelliD export gives
  ``operator`` from ``mcc`` + ``net``, ``tech`` from ``radio`` and ``rsrp_dbm`` from
  ``averageSignal`` (``source = "OpenCelliD averageSignal"``; see
  :func:`gis.layers.measurements.check_measurements` for why only non-zero values are used).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gis.errors import ValidationError
from gis.layers.admin_levels import admin_table, detect_scheme
from gis.layers.normalise import map_columns
from gis.layers.schema import LAYER_SPECS, OCID_COLUMNS, LayerKind, header_key

if TYPE_CHECKING:
    from gis.layers.formats import RawTable

__all__ = ["IMPORT_OPENCELLID", "MEASUREMENT_SIGNAL_PRIORITY", "OPENCELLID_SIGNAL_SOURCE",
           "is_opencellid_header", "kind_hint", "prepare_table"]

#: The command that reads an OpenCelliD export properly.
IMPORT_OPENCELLID = "gis import opencellid FILE --area AREA --out PROJECT"

_RADIOS = ("GSM", "UMTS", "LTE", "NR", "CDMA")


def is_opencellid_header(columns: list[str]) -> bool:
    """True for the header of an OpenCelliD export (``radio, mcc, net, area, cell ...``)."""
    keys = {header_key(c) for c in columns}
    return {"radio", "mcc", "net", "cell", "lon", "lat"} <= keys and len(
        keys & {header_key(c) for c in OCID_COLUMNS}) >= 10


def _headerless_opencellid(columns: list[str]) -> bool:
    """True when the "headers" are an OpenCelliD data row (a dump without its header line)."""
    if len(columns) < 13:
        return False
    first = [str(c).strip() for c in columns]
    return (first[0].upper() in _RADIOS and first[1].split(".")[0].isdigit()
            and first[2].split(".")[0].isdigit())


def kind_hint(columns: list[str]) -> str | None:
    """The layer kind a published convention makes certain (``"sites"`` for OpenCelliD,
    ``"admin"`` for GADM / geoBoundaries / OCHA), or ``None``."""
    if is_opencellid_header(columns) or _headerless_opencellid(columns):
        return "sites"
    scheme = detect_scheme(columns)
    if scheme is not None and scheme.convention in ("GADM", "geoBoundaries", "OCHA COD-AB"):
        return "admin"
    return None


def prepare_table(raw: RawTable, kind: str, *, admin_level: str | None = None,
                  display: str = "") -> RawTable:
    """``raw`` with the conventions above applied (see the module text); notes go into
    ``raw.notes`` and so into the load report's warnings.

    Raises
    ------
    ValidationError
        A header-less OpenCelliD dump; an ``admin_level`` the admin file does not have.
    """
    df = raw.df
    geom = df.geometry.name if raw.has_geometry else None
    columns = [str(c) for c in df.columns if c != geom]
    notes = list(raw.notes)
    if kind == "measurements":
        return _measurement_table(raw, columns, notes)
    if kind == "admin":
        table, more = admin_table(df, level=admin_level, display=display)
        return dataclasses.replace(raw, df=table, notes=[*notes, *more])
    if kind != "sites":
        return raw
    if _headerless_opencellid(columns):
        first = ",".join("" if c.startswith("Unnamed:") else c for c in columns[:8])
        raise ValidationError(
            f"This is an OpenCelliD dump without its header line (first line {first}...): "
            "one row per cell, not per site.",
            f"Đây là tệp OpenCelliD không có dòng tiêu đề (dòng đầu {first}...): mỗi dòng là "
            "một cell, không phải một trạm.",
            file=display or None,
            fix=f"Import it with `{IMPORT_OPENCELLID}`: it reads dumps with or without the "
            "header, keeps Vietnam's MCC 452 and the area, and groups the cells into sites.",
            fix_vi=f"Nhập bằng `{IMPORT_OPENCELLID}`: lệnh này đọc tệp có hoặc không có tiêu "
            "đề, giữ MCC 452 của Việt Nam và vùng, và gom cell thành trạm.",
        )
    if is_opencellid_header(columns):
        notes.append((
            "This is an OpenCelliD export: one row per cell, at positions estimated from "
            f"phones, of every country. Use `{IMPORT_OPENCELLID}` to keep Vietnam's MCC 452 in "
            "the area and group the cells into sites (eNodeB ids, clustering); read as it is "
            "here, every cell is a site.",
            "Đây là dữ liệu OpenCelliD: mỗi dòng là một cell, vị trí ước tính từ điện thoại, "
            f"của mọi quốc gia. Dùng `{IMPORT_OPENCELLID}` để giữ MCC 452 của Việt Nam trong "
            "vùng và gom cell thành trạm (mã eNodeB, gom cụm); đọc trực tiếp như ở đây thì mỗi "
            "cell là một trạm."))
    spec = LAYER_SPECS[LayerKind.SITES]
    keys = {header_key(c): c for c in columns}
    mapped = map_columns(columns, spec)
    if is_opencellid_header(columns) and "site_id" not in mapped and "site_id" not in columns:
        df = df.copy()
        df["site_id"], repeats = _cell_ids(df, keys)
        if repeats:
            notes.append((f"{repeats} rows repeat a cell listed before (same MCC, net, area and "
                          "cell): their site_id gets /2, /3 ...; gis import opencellid keeps "
                          "the most recent record of each cell instead.",
                          f"{repeats} dòng lặp lại một cell đã có (cùng MCC, net, area, cell): "
                          "site_id của chúng thêm /2, /3 ...; gis import opencellid chỉ giữ bản "
                          "ghi mới nhất của mỗi cell."))
    if "operator" in mapped:
        return dataclasses.replace(raw, df=df, notes=notes)
    mcc_col = keys.get("mcc")
    mnc_col = next((keys[k] for k in ("mnc", "net", "mnc_code") if k in keys), None)
    if mcc_col is None or mnc_col is None or "operator" in columns:
        return dataclasses.replace(raw, notes=notes)
    df = df.copy()
    df["operator"] = _plmn(df[mcc_col], df[mnc_col])
    notes.append((f"operator from {mcc_col} + {mnc_col} (MCC-MNC, e.g. 452-04 = Viettel, 452-01 "
                  "= MobiFone, 452-02 = VinaPhone).",
                  f"Nhà mạng lấy từ {mcc_col} + {mnc_col} (MCC-MNC, ví dụ 452-04 = Viettel, "
                  "452-01 = MobiFone, 452-02 = VinaPhone)."))
    return dataclasses.replace(raw, df=df, notes=notes)


#: Signal columns of measurement files, most specific first: when a file has several (a drive
#: test logging RSRP, RSRQ and RSSI; a speed test with ``signal_strength`` and ``lte_rsrp``),
#: the first of these is the ``rsrp_dbm``, whatever the column order. Keys as
#: :func:`gis.layers.schema.header_key` gives them, without a trailing ``_dbm``.
MEASUREMENT_SIGNAL_PRIORITY = (
    "rsrp", "ss_rsrp", "nr_ss_rsrp", "nr_serving_cell_ss_rsrp", "nr_rsrp", "lte_rsrp",
    "serving_cell_rsrp", "lte_serving_cell_rsrp", "serving_rsrp", "scell_rsrp", "rsrp_serving",
    "level", "signal", "signal_strength", "signal_level", "cuong_do_tin_hieu", "muc_tin_hieu",
    "averagesignal", "average_signal", "rscp", "rxlev", "rx_level",
)
#: ``source`` of measurements taken from an OpenCelliD export's ``averageSignal``.
OPENCELLID_SIGNAL_SOURCE = "OpenCelliD averageSignal"


def _signal_key(header: str) -> str:
    """``"LTE Serving Cell RSRP (dBm)"`` -> ``"lte_serving_cell_rsrp"``."""
    key = header_key(header)
    return key[:-4] if key.endswith("_dbm") else key


def _measurement_table(raw: RawTable, columns: list[str],
                       notes: list[tuple[str, str]]) -> RawTable:
    """The measurement conventions of :func:`prepare_table` (see the module text)."""
    df = raw.df
    keys = {header_key(c): c for c in columns}
    if is_opencellid_header(columns):
        df = df.copy()
        if "operator" not in keys:
            df["operator"] = _plmn(df[keys["mcc"]], df[keys["net"]])
        signal = keys["averagesignal"]
        df = df.rename(columns={signal: "rsrp_dbm"})
        df["source"] = OPENCELLID_SIGNAL_SOURCE
        notes.append((
            "OpenCelliD export: each row is one cell at the position OpenCelliD estimated from "
            "the phones' reports, with averageSignal the mean of their signals (dBm); used as "
            "one measurement at that position where averageSignal is not 0. Such points are "
            "coarse (the position is a centroid of where phones were, the signal an average "
            "over places): prefer drive tests.",
            "Dữ liệu OpenCelliD: mỗi dòng là một cell tại vị trí OpenCelliD ước tính từ báo cáo "
            "của điện thoại, averageSignal là trung bình tín hiệu của chúng (dBm); được dùng "
            "như một điểm đo tại vị trí đó khi averageSignal khác 0. Các điểm này rất thô (vị "
            "trí là tâm của nơi điện thoại đã ở, tín hiệu là trung bình nhiều nơi): nên dùng số "
            "liệu đo kiểm (drive test)."))
        return dataclasses.replace(raw, df=df, notes=notes)
    # the RSRP column by priority: put it first so that the column mapping takes it
    by_key: dict[str, str] = {}
    for c in columns:
        by_key.setdefault(_signal_key(c), c)
    chosen = next((by_key[k] for k in MEASUREMENT_SIGNAL_PRIORITY if k in by_key), None)
    if chosen is not None and "rsrp_dbm" not in keys:
        df = df[[chosen, *[c for c in df.columns if c != chosen]]]
        others = [c for c in columns if c != chosen and _signal_key(c) in
                  MEASUREMENT_SIGNAL_PRIORITY]
        if others:
            notes.append((f"rsrp_dbm read from column {chosen!r}; not from "
                          f"{', '.join(repr(c) for c in others)}.",
                          f"rsrp_dbm đọc từ cột {chosen!r}; không từ "
                          f"{', '.join(repr(c) for c in others)}."))
    mnc = next((keys[k] for k in ("mnc", "mnc_code") if k in keys), None)
    mapped = map_columns(columns, LAYER_SPECS[LayerKind.MEASUREMENTS])
    if "operator" not in mapped and "mcc" in keys and mnc is not None:
        df = df.copy()
        df["operator"] = _plmn(df[keys["mcc"]], df[mnc])
        notes.append((f"operator from {keys['mcc']} + {mnc} (MCC-MNC, e.g. 452-04 = Viettel).",
                      f"Nhà mạng lấy từ {keys['mcc']} + {mnc} (MCC-MNC, ví dụ 452-04 = "
                      "Viettel)."))
    return dataclasses.replace(raw, df=df, notes=notes)


def _cell_ids(df: pd.DataFrame, keys: dict[str, str]) -> tuple[np.ndarray, int]:
    """OpenCelliD global cell ids ``ocid:452-04:10:11001`` (MCC-net, area, cell), with
    ``/2``, ``/3`` ... on rows that repeat a cell; and how many rows did."""
    parts = [df[keys[k]].astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
             .fillna("?") for k in ("mcc", "net", "area", "cell")]
    ids = "ocid:" + parts[0] + "-" + parts[1] + ":" + parts[2] + ":" + parts[3]
    n = ids.groupby(ids).cumcount().to_numpy()
    out = np.where(n > 0, ids.to_numpy(dtype=object) + "/" + (n + 1).astype(str).astype(object),
                   ids.to_numpy(dtype=object))
    return out.astype(object), int((n > 0).sum())


def _plmn(mcc: pd.Series, mnc: pd.Series) -> np.ndarray:
    """``"452-04"`` texts from MCC and MNC columns (numbers or text); ``None`` where either is
    not a number."""
    def part(s: pd.Series) -> pd.Series:
        text = s.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
        return text.where(text.str.fullmatch(r"\d{1,3}").fillna(False))

    a, b = part(mcc), part(mnc)
    ok = (a.notna() & b.notna()).to_numpy(bool)
    out = np.full(len(mcc), None, dtype=object)
    if ok.any():
        out[ok] = [f"{int(x):03d}-{int(y):02d}" for x, y in zip(a[ok], b[ok], strict=True)]
    return out

