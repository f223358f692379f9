"""OpenCelliD importer: crowd-sourced cell records -> estimated BTS sites per operator.

OpenCelliD's CSV export has one row per cell::

    radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal

(the per-country downloads, e.g. ``452.csv.gz``, and the full dumps have the same columns without
the header). Its positions are estimates from phones' measurements, often hundreds of metres off
the mast. The importer keeps MCC 452 (Vietnam) in the area grown by ``CellParams.margin_m``
(default: the largest coverage radius of the radio parameters: towers outside the area serve
hamlets inside it), maps MNC to operators (:data:`gis.layers.schema.OPERATORS_BY_MNC`) and
``radio`` to technologies, keeps the most recent record of a cell listed twice, then clusters
cells into sites per operator:

1. **LTE** cells of one eNodeB share a site: the E-UTRAN cell identity is
   ``eNB id * 256 + local cell id`` (28 bits, 3GPP TS 36.413), so ``eNB = cell // 256``.
2. **NR** cells of one gNodeB share a site: the 36-bit NR cell identity is the gNB id (22 to 32
   bits, chosen by the operator, TS 38.413) followed by the local cell id. The default
   ``nr_gnb_id_bits = 22`` (shift by 14 bits) never splits a gNB whatever length the operator
   chose; it may join gNBs whose ids differ only in their last bits, which step 3 separates
   when they are far apart.
3. Cells of one eNB/gNB farther apart than ``node_split_radius_m`` (single linkage) are split:
   those are data errors or re-used ids, not one mast.
4. **GSM/UMTS** cells (their ids say nothing about the site) join the nearest LTE/NR site of the
   same operator within ``cluster_radius_m``; the rest are grouped by leader clustering: the
   cell with most samples starts a site that takes every unassigned cell within
   ``cluster_radius_m`` of it (no chaining across a town, unlike single linkage).

A site's position is the sample-weighted mean of its cells (weights ``max(samples, 1)``). Its
``position_uncertainty_m`` is ``max(spread_m, range_fraction * range_median_m)`` where
``spread_m`` is the largest distance of a member cell from the site position and
``range_median_m`` the median OpenCelliD ``range`` (the radius over which the cell was heard).
Cells with ``changeable = 0`` have an exact position from a knowledgeable source rather than an
estimate from measurements (the OpenCelliD / Mozilla Location Service exchange format,
``mozilla/ichnaea`` ``docs/import_export.rst``); a site made only of such cells has
``exact_position`` true and its uncertainty is its spread alone.

**What the load report counts.** ``rows_read`` is the rows of the area (with its margin) and
the rows whose position cannot be read; each one not used is in ``rejected`` with its reason
(another country's MCC, a defunct MNC, a radio that is not GSM/UMTS/LTE/NR, a duplicate, no
coordinates), so ``rows_read == rows_loaded + len(rejected)``. The rest of the file (the world
or the country outside the area) is counted in ``extra["rows_in_file"]`` and
``extra["rows_outside_area"]``, not listed row by row: for a country file those are millions.
When no imported cell is 4G or 5G the report says so first
(:func:`gis.layers.broadband.broadband_warning`).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numba import njit
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from gis.errors import InputFileError, ValidationError, missing_file
from gis.layers.broadband import broadband_warning, tech_counts
from gis.layers.crs import WGS84
from gis.layers.report import LoadReport
from gis.layers.schema import OCID_COLUMNS
from gis.layers.sources import Upload
from gis.opendata.area import Area, check_margin, parse_area
from gis.opendata.mapping import RADIO_TECH, country_of_mcc, join_techs, operator_for_mnc
from gis.opendata.target import ProjectLike, local_paths, target_project
from gis.project import Project

__all__ = [
    "OCID_COLUMNS",
    "CellParams",
    "cluster_cells",
    "import_opencellid",
    "read_opencellid",
    "sites_from_cells",
]

_VN_MCC = 452
# Operators are kept apart in one KD-tree by shifting their x by this many metres.
_OPERATOR_OFFSET_M = 1.0e8


@dataclass(frozen=True)
class CellParams:
    """How OpenCelliD cells become sites.

    Attributes
    ----------
    cluster_radius_m
        Radius (m) within which GSM/UMTS cells join an LTE/NR site of their operator or a
        leader cell. 300 m: a rural mast's cells are estimated within a few hundred metres of
        each other, while two masts of one operator are rarely closer than 500 m outside
        towns.
    node_split_radius_m
        Cells of one eNB/gNB id farther apart than this (m, single linkage) are split into
        separate sites. 2 000 m: beyond any plausible estimation error for one mast.
    lte_cells_per_enb
        The divisor of the E-UTRAN cell identity giving the eNB id: 256 (8-bit local cell id,
        3GPP TS 36.413).
    nr_gnb_id_bits
        Length of the gNB id in the 36-bit NR cell identity; 22 (the minimum of TS 38.413)
        never splits one gNB, see the module text.
    attach_legacy
        Attach GSM/UMTS cells to the nearest LTE/NR site of the same operator within
        ``cluster_radius_m`` (operators co-site their 2G/3G/4G radios on one mast).
    range_fraction
        Share of the median cell ``range`` taken as the position uncertainty of a site whose
        cells agree with each other; 0.5: OpenCelliD positions are the centroid of where the
        cell was heard, which is pulled towards the served area, typically by a fraction of
        the range.
    chunksize
        CSV rows read at a time (the worldwide file has tens of millions of rows); 250 000
        rows are about 60 MB in pandas.
    margin_m
        Metres around the area within which cells are kept (``None``:
        :func:`~gis.opendata.area.default_margin_m`, the largest coverage radius of the radio
        parameters, 15 km): a tower outside the area serves hamlets inside it.
    """

    cluster_radius_m: float = 300.0
    node_split_radius_m: float = 2000.0
    lte_cells_per_enb: int = 256
    nr_gnb_id_bits: int = 22
    attach_legacy: bool = True
    range_fraction: float = 0.5
    chunksize: int = 250_000
    margin_m: float | None = None

    @property
    def margin(self) -> float:
        """The margin in metres (the default resolved)."""
        return check_margin(self.margin_m)

    def __post_init__(self) -> None:
        if not (self.cluster_radius_m > 0 and self.node_split_radius_m > 0):
            raise ValidationError("Cluster radii must be > 0 m.", "Bán kính gom cụm phải > 0 m.")
        if not 22 <= self.nr_gnb_id_bits <= 32:
            raise ValidationError("nr_gnb_id_bits must be 22..32 (3GPP TS 38.413).",
                                  "nr_gnb_id_bits phải từ 22 đến 32 (3GPP TS 38.413).")
        if self.margin_m is not None:
            check_margin(self.margin_m)


# -- reading --------------------------------------------------------------------------------------


def _first_line(path: Path) -> str:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            return fh.readline().strip()
    except OSError as exc:
        raise InputFileError(
            f"Cannot read the OpenCelliD file: {exc}.",
            f"Không đọc được tệp OpenCelliD: {exc}.",
            file=path,
            fix="Give the CSV (or .csv.gz) downloaded from opencellid.org.",
            fix_vi="Chọn tệp CSV (hoặc .csv.gz) tải từ opencellid.org.",
        ) from exc


def _check_format(path: Path) -> bool:
    """True when the file has the header line; an error when it is not OpenCelliD at all."""
    if not path.is_file():
        raise missing_file(
            path, "OpenCelliD", "OpenCelliD",
            fix="Give the CSV (or .csv.gz) downloaded from opencellid.org, e.g. 452.csv.gz.",
            fix_vi="Chọn tệp CSV (hoặc .csv.gz) tải từ opencellid.org, ví dụ 452.csv.gz.")
    line = _first_line(path)
    fields = [f.strip().strip('"') for f in line.split(",")]
    if fields[: len(OCID_COLUMNS) - 1] == list(OCID_COLUMNS[:-1]):
        return True
    if len(fields) >= 13 and fields[0].upper() in (*RADIO_TECH, "CDMA"):
        return False
    raise InputFileError(
        f"The file is not an OpenCelliD export: its first line is {line[:80]!r}.",
        f"Tệp không phải dữ liệu OpenCelliD: dòng đầu là {line[:80]!r}.",
        file=path,
        fix="OpenCelliD files have the columns " + ",".join(OCID_COLUMNS) + ".",
        fix_vi="Tệp OpenCelliD có các cột " + ",".join(OCID_COLUMNS) + ".",
    )


def read_opencellid(path: str | Path, area: Area | str | tuple[float, float, float, float],
                    *, params: CellParams | None = None) -> tuple[pd.DataFrame, LoadReport]:
    """The Vietnamese cells of an OpenCelliD CSV inside ``area`` (and its margin), one per cell.

    Parameters
    ----------
    path
        OpenCelliD CSV or ``.csv.gz``, with or without the header line.
    area
        Bbox text ``"minlon,minlat,maxlon,maxlat"`` (degrees), admin polygon file or
        :class:`~gis.opendata.area.Area`.
    params
        :class:`CellParams` (``chunksize``, ``margin_m``).

    Returns
    -------
    cells, report
        ``cells`` has ``operator, tech, radio, mnc, area, cell, lon, lat, range_m, samples,
        created, updated, row, in_area`` (``row``: 0-based data row in the file; ``in_area``:
        inside the area itself, not only its margin); the report counts the rows of the file
        outside the area and lists every row of the area not used, with the reason (see the
        module text).
    """
    params = params or CellParams()
    path = Path(path)
    area = parse_area(area)
    margin = params.margin
    wide = area.grown(margin)
    has_header = _check_format(path)
    report = LoadReport(source=path.name, kind="sites", crs_in="EPSG:4326 (WGS 84)",
                        crs_note="OpenCelliD positions are WGS 84 lon/lat",
                        crs_note_vi="vị trí OpenCelliD là kinh/vĩ độ WGS 84", encoding="UTF-8")
    report.column_mapping = {"operator": "mcc, net", "tech": "radio", "geometry": "lon, lat"}
    kept: list[pd.DataFrame] = []
    n_rows = other_mcc = outside = 0
    reasons: dict[str, int] = {}
    foreign_inside: dict[int, int] = {}
    try:
        reader = pd.read_csv(
            path, header=0 if has_header else None, names=list(OCID_COLUMNS),
            usecols=range(14) if not has_header else None, chunksize=params.chunksize,
            dtype={"radio": str}, low_memory=False, on_bad_lines="error",
        )
        for chunk in reader:
            start = n_rows
            n_rows += len(chunk)
            rows = np.arange(start, n_rows)
            mcc = _whole(pd.to_numeric(chunk["mcc"], errors="coerce"), 999).to_numpy(float)
            other_mcc += int((np.isfinite(mcc) & (mcc != _VN_MCC)).sum())
            lon = pd.to_numeric(chunk["lon"], errors="coerce").to_numpy(float)
            lat = pd.to_numeric(chunk["lat"], errors="coerce").to_numpy(float)
            finite = np.isfinite(lon) & np.isfinite(lat)
            inside = np.zeros(len(chunk), dtype=bool)
            inside[finite] = wide.contains_lonlat(lon[finite], lat[finite])
            far = finite & ~inside
            outside += int(far.sum())
            # The rows of the area (with margin) and those that cannot be placed are read.
            _reject(report, rows[~finite], "lon/lat missing or not numbers",
                    "lon/lat thiếu hoặc không phải số", reasons)
            bad_mcc = inside & ~np.isfinite(mcc)
            _reject(report, rows[bad_mcc], "mcc is not a whole number 0-999",
                    "mcc không phải số nguyên 0-999", reasons)
            foreign = inside & np.isfinite(mcc) & (mcc != _VN_MCC)
            for code in np.unique(mcc[foreign]).astype(int):
                sel = foreign & (mcc == code)
                country, country_vi = country_of_mcc(int(code))
                _reject(report, rows[sel],
                        f"MCC {code} ({country}) is not Vietnam's 452: a foreign network",
                        f"MCC {code} ({country_vi}) không phải 452 của Việt Nam: mạng nước "
                        "ngoài", reasons)
                foreign_inside[int(code)] = foreign_inside.get(int(code), 0) + int(sel.sum())
            vn = inside & (mcc == _VN_MCC)
            sub = chunk[vn].copy()
            sub["row"] = rows[vn]
            if len(sub):
                kept.append(sub)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"The OpenCelliD file cannot be parsed: {exc}.",
            f"Không phân tích được tệp OpenCelliD: {exc}.",
            file=path,
            fix="Give the file as downloaded from opencellid.org (comma-separated, 14 columns).",
            fix_vi="Dùng tệp như khi tải từ opencellid.org (phân cách bằng dấu phẩy, 14 cột).",
        ) from exc
    cells = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(
        columns=[*OCID_COLUMNS, "row"])
    cells, _ = _normalise_cells(cells, report, reasons)
    cells, n_dup = _drop_duplicates(cells, report, reasons)
    if len(cells):
        cells["in_area"] = area.contains_lonlat(cells["lon"].to_numpy(float),
                                                cells["lat"].to_numpy(float))
    else:
        cells["in_area"] = pd.Series(dtype=bool)
    report.rejected.sort(key=lambda r: r.row)
    report.rows_read = n_rows - outside
    report.rows_loaded = len(cells)
    in_margin = int((~cells["in_area"].astype(bool)).sum()) if len(cells) else 0
    report.extra = {
        "source_kind": "OpenCelliD", "area": area.source, "margin_m": margin,
        "rows_in_file": n_rows, "rows_outside_area": outside,
        "rows_other_countries": other_mcc, "rows_other_countries_in_area": foreign_inside,
        "rows_rejected": len(report.rejected), "rejected_reasons": reasons,
        "duplicates": n_dup, "cells_in_margin": in_margin,
        "cells_by_operator": (cells.groupby("operator").size().to_dict() if len(cells) else {}),
        "cells_by_tech": (cells.groupby("tech").size().to_dict() if len(cells) else {}),
    }
    report.warn(
        f"{n_rows} cell rows in the file: {outside} outside the area and its {margin:g} m margin "
        f"were not read ({other_mcc} rows of the file are of other countries, MCC ≠ 452); of the "
        f"{report.rows_read} rows read, {len(report.rejected)} were rejected (each listed with "
        "its reason).",
        f"Tệp có {n_rows} dòng cell: {outside} dòng ngoài vùng và lề {margin:g} m không đọc "
        f"({other_mcc} dòng của tệp thuộc nước khác, MCC ≠ 452); trong {report.rows_read} dòng "
        f"đã đọc, loại {len(report.rejected)} dòng (liệt kê từng dòng với lý do).",
    )
    if in_margin:
        report.warn(f"{in_margin} cells outside the area, within the {margin:g} m margin, were "
                    "kept: their towers can serve hamlets inside it.",
                    f"Giữ {in_margin} cell ngoài vùng, trong lề {margin:g} m: trạm của chúng có "
                    "thể phủ sóng cho thôn trong vùng.")
    return cells, report


def _reject(report: LoadReport, rows: np.ndarray, en: str, vi: str,
            reasons: dict[str, int]) -> None:
    if len(rows) == 0:
        return
    reasons[en] = reasons.get(en, 0) + len(rows)
    for r in rows:
        report.reject(int(r), en, vi)


def _drop_duplicates(cells: pd.DataFrame, report: LoadReport,
                     reasons: dict[str, int]) -> tuple[pd.DataFrame, int]:
    """One row per cell (radio, MNC, area, cell id): the most recent record (``updated``),
    then the one with most samples; the others are rejected naming the row kept."""
    if cells.empty:
        return cells, 0
    key = ["radio", "mnc", "area", "cell"]
    order = cells.sort_values(["updated", "samples", "row"], ascending=[False, False, True],
                              na_position="last", kind="stable")
    dup = order.duplicated(key, keep="first")
    if not dup.any():
        return cells, 0
    kept_row = order.groupby(key, dropna=False, sort=False)["row"].transform("first")
    for r, kept in zip(order[dup].to_dict("records"), kept_row[dup], strict=True):
        lac = "?" if pd.isna(r["area"]) else f"{r['area']:g}"
        what = f"{r['radio']} 452-{int(r['mnc']):02d} area {lac} cell {int(r['cell'])}"
        what_vi = f"{r['radio']} 452-{int(r['mnc']):02d} vùng {lac} cell {int(r['cell'])}"
        en = (f"duplicate of row {int(kept) + 1} (the same cell {what}): the most recent record "
              "is kept")
        vi = f"trùng dòng {int(kept) + 1} (cùng cell {what_vi}): giữ bản ghi mới nhất"
        reasons["duplicate cell"] = reasons.get("duplicate cell", 0) + 1
        report.reject(int(r["row"]), en, vi)
    out = cells[~cells.index.isin(order.index[dup])].reset_index(drop=True)
    return out, int(dup.sum())


def _whole(values: pd.Series, high: float) -> pd.Series:
    """``values`` where they are whole numbers in 0..``high``, NaN elsewhere (``4.5`` is no MNC
    and must not become 4)."""
    v = values.astype(float)
    return v.where((v == np.floor(v)) & (v >= 0) & (v <= high))


def _normalise_cells(cells: pd.DataFrame, report: LoadReport,
                     reasons: dict[str, int]) -> tuple[pd.DataFrame, int]:
    """Operator, tech and numeric columns; rows that cannot be used are rejected with a reason."""
    if cells.empty:
        return pd.DataFrame(columns=["operator", "tech", "radio", "mnc", "area", "cell", "lon",
                                     "lat", "range_m", "samples", "changeable", "created",
                                     "updated", "row"]), 0
    radio = cells["radio"].astype(str).str.strip().str.upper()
    tech = radio.map(RADIO_TECH)
    mnc = _whole(pd.to_numeric(cells["net"], errors="coerce"), 999)
    cell = _whole(pd.to_numeric(cells["cell"], errors="coerce"), 2**40)
    op = pd.Series(operator_for_mnc(np.full(len(cells), _VN_MCC), mnc.fillna(-1).to_numpy()),
                   index=cells.index)
    bad_tech = tech.isna()
    bad_op = op.isna() & ~bad_tech
    bad_cell = (cell.isna() | (cell < 0)) & ~bad_tech & ~bad_op
    rows = cells["row"].to_numpy()
    _reject(report, rows[bad_tech.to_numpy()], "radio is not GSM, UMTS, LTE or NR",
            "radio không phải GSM, UMTS, LTE hay NR", reasons)
    for code in sorted(mnc[bad_op].dropna().astype(int).unique()):
        sel = (bad_op & (mnc == code)).to_numpy()
        _reject(report, rows[sel],
                f"MNC 452-{code:02d} is not a current Vietnamese operator",
                f"MNC 452-{code:02d} không phải nhà mạng Việt Nam hiện nay", reasons)
    _reject(report, rows[(bad_op & mnc.isna()).to_numpy()],
            "net (MNC) is not a whole number 0-999", "net (MNC) không phải số nguyên 0-999",
            reasons)
    _reject(report, rows[bad_cell.to_numpy()], "cell id missing, negative or not a whole number",
            "mã cell thiếu, âm hoặc không phải số nguyên", reasons)
    ok = ~(bad_tech | bad_op | bad_cell)
    out = pd.DataFrame({
        "operator": op[ok],
        "tech": tech[ok],
        "radio": radio[ok],
        "mnc": mnc[ok].astype(int),
        "area": pd.to_numeric(cells["area"][ok], errors="coerce"),
        "cell": cell[ok].astype(np.int64),
        "lon": pd.to_numeric(cells["lon"][ok]).astype(float),
        "lat": pd.to_numeric(cells["lat"][ok]).astype(float),
        "range_m": pd.to_numeric(cells["range"][ok], errors="coerce").astype(float),
        "samples": pd.to_numeric(cells["samples"][ok], errors="coerce").fillna(1).astype(float),
        "changeable": pd.to_numeric(cells["changeable"][ok], errors="coerce").fillna(1),
        "created": pd.to_numeric(cells["created"][ok], errors="coerce"),
        "updated": pd.to_numeric(cells["updated"][ok], errors="coerce"),
        "row": cells["row"][ok].astype(np.int64),
    }).reset_index(drop=True)
    return out, int((~ok).sum())


# -- clustering -----------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _leader_kernel(order: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                   labels: np.ndarray, first_label: int) -> int:
    """Leader clustering: each unassigned point in ``order`` takes its unassigned neighbours.

    ``indptr``/``indices`` are the CSR neighbour lists (within the radius); ``labels`` (-1 =
    unassigned) is written in place. Returns the next free label.
    """
    k = first_label
    for i in order:
        if labels[i] != -1:
            continue
        labels[i] = k
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if labels[j] == -1:
                labels[j] = k
        k += 1
    return k


def _neighbours(xy: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    tree = cKDTree(xy)
    pairs = tree.query_pairs(radius_m, output_type="ndarray")
    n = len(xy)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    mat = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    return mat.indptr.astype(np.int64), mat.indices.astype(np.int64)


def _shifted_xy(x: np.ndarray, y: np.ndarray, operator: np.ndarray) -> np.ndarray:
    codes = pd.factorize(pd.Series(operator))[0].astype(float)
    return np.column_stack([x + codes * _OPERATOR_OFFSET_M, y])


def cluster_cells(operator: np.ndarray, radio: np.ndarray, cell: np.ndarray, x_m: np.ndarray,
                  y_m: np.ndarray, samples: np.ndarray, params: CellParams | None = None,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Site labels of cells (the numeric core of :func:`sites_from_cells`).

    Parameters
    ----------
    operator, radio, cell
        Canonical operator name, OpenCelliD radio (``GSM``/``UMTS``/``LTE``/``NR``) and cell
        identity of each cell.
    x_m, y_m
        Cell positions in a metric CRS (m).
    samples
        OpenCelliD sample counts (the leader order: most samples first).
    params
        :class:`CellParams`.

    Returns
    -------
    labels, node_id
        ``labels``: site number of each cell (0..n_sites-1). ``node_id``: eNB/gNB id of
        LTE/NR cells, -1 for GSM/UMTS.
    """
    params = params or CellParams()
    n = len(cell)
    operator = np.asarray(operator, dtype=object)
    radio = np.asarray(radio, dtype=object)
    cell = np.asarray(cell, dtype=np.int64)
    labels = np.full(n, -1, dtype=np.int64)
    node = np.full(n, -1, dtype=np.int64)
    is_lte = radio == "LTE"
    is_nr = radio == "NR"
    node[is_lte] = cell[is_lte] // params.lte_cells_per_enb
    node[is_nr] = cell[is_nr] >> (36 - params.nr_gnb_id_bits)
    has_node = is_lte | is_nr
    xy = _shifted_xy(np.asarray(x_m, float), np.asarray(y_m, float), operator)
    next_label = 0
    idx = np.flatnonzero(has_node)
    if len(idx):
        # One group per (operator, radio, node id), split where members are far apart.
        op_code = pd.factorize(pd.Series(operator[idx]))[0].astype(np.int64)
        key = ((op_code * 2 + is_nr[idx]) << 36) | node[idx]   # node ids < 2**36
        group = pd.factorize(key)[0]
        tree = cKDTree(xy[idx])
        pairs = tree.query_pairs(params.node_split_radius_m, output_type="ndarray")
        same = group[pairs[:, 0]] == group[pairs[:, 1]]
        pairs = pairs[same]
        m = len(idx)
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        n_comp, comp = connected_components(graph, directed=False)
        labels[idx] = comp
        next_label = n_comp
    rest = np.flatnonzero(~has_node)
    if len(rest) and next_label and params.attach_legacy:
        w = np.maximum(np.asarray(samples, float)[idx], 1.0)
        sx = np.bincount(labels[idx], weights=w * xy[idx, 0], minlength=next_label)
        sy = np.bincount(labels[idx], weights=w * xy[idx, 1], minlength=next_label)
        sw = np.bincount(labels[idx], weights=w, minlength=next_label)
        centres = np.column_stack([sx / sw, sy / sw])
        dist, near = cKDTree(centres).query(xy[rest], distance_upper_bound=params.cluster_radius_m)
        hit = np.isfinite(dist)
        labels[rest[hit]] = near[hit]
        rest = rest[~hit]
    if len(rest):
        indptr, indices = _neighbours(xy[rest], params.cluster_radius_m)
        order = np.argsort(-np.asarray(samples, float)[rest], kind="stable").astype(np.int64)
        sub = np.full(len(rest), -1, dtype=np.int64)
        _leader_kernel(order, indptr, indices, sub, 0)
        labels[rest] = sub + next_label
    return labels, node


def sites_from_cells(cells: pd.DataFrame, crs: CRS,
                     params: CellParams | None = None) -> gpd.GeoDataFrame:
    """Estimated sites from cells (see the module text), as a canonical sites layer in ``crs``.

    Columns: ``operator, site_id, tech, n_cells, node_ids, samples, position_uncertainty_m,
    exact_position, spread_m, range_median_m, first_seen, last_seen, source, note`` and Point
    geometry.
    """
    params = params or CellParams()
    to_m = Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = to_m.transform(cells["lon"].to_numpy(float), cells["lat"].to_numpy(float))
    labels, node = cluster_cells(cells["operator"].to_numpy(), cells["radio"].to_numpy(),
                                 cells["cell"].to_numpy(), x, y, cells["samples"].to_numpy(),
                                 params)
    w = np.maximum(cells["samples"].to_numpy(float), 1.0)
    n_sites = int(labels.max()) + 1 if len(labels) else 0
    sw = np.bincount(labels, weights=w, minlength=n_sites)
    sx = np.bincount(labels, weights=w * x, minlength=n_sites) / sw
    sy = np.bincount(labels, weights=w * y, minlength=n_sites) / sw
    dist = np.hypot(x - sx[labels], y - sy[labels])
    spread = np.zeros(n_sites)
    np.maximum.at(spread, labels, dist)
    frame = cells.assign(_site=labels, _node=node)
    grouped = frame.groupby("_site", sort=True)
    range_median = grouped["range_m"].median().reindex(range(n_sites)).to_numpy(float)
    techs = grouped["tech"].agg(lambda t: join_techs(set(t))).reindex(range(n_sites))
    operator = grouped["operator"].first().reindex(range(n_sites))
    nodes = grouped["_node"].agg(
        lambda v: ";".join(str(int(i)) for i in sorted(set(v)) if i >= 0) or None)
    radios = grouped["radio"].agg(lambda r: "LTE" if "LTE" in set(r) else
                                  "NR" if "NR" in set(r) else "C")
    node_first = grouped["_node"].max()
    site_id = np.where(
        node_first.to_numpy() >= 0,
        "ocid:" + operator.to_numpy(dtype=str) + ":" + radios.to_numpy(dtype=str) + ":"
        + nodes.fillna("").astype(str).str.split(";").str[0].to_numpy(dtype=str),
        "ocid:" + operator.to_numpy(dtype=str) + ":C" + np.arange(n_sites).astype(str),
    )
    # Node ids split by distance give duplicate ids: number the later pieces.
    dup = pd.Series(site_id).groupby(site_id).cumcount().to_numpy()
    site_id = np.where(dup > 0, np.char.add(np.char.add(site_id.astype(str), "-"),
                                            dup.astype(str)), site_id)
    rng = np.nan_to_num(range_median, nan=0.0)
    if "changeable" in frame:
        exact = (grouped["changeable"].max() == 0).reindex(range(n_sites)).to_numpy(bool)
    else:
        exact = np.zeros(n_sites, dtype=bool)
    uncertainty = np.where(exact, spread, np.maximum(spread, params.range_fraction * rng))
    gdf = gpd.GeoDataFrame({
        "operator": operator.to_numpy(dtype=object),
        "site_id": site_id,
        "tech": techs.to_numpy(dtype=object),
        "n_cells": np.bincount(labels, minlength=n_sites),
        "node_ids": nodes.reindex(range(n_sites)).to_numpy(dtype=object),
        "samples": np.bincount(labels, weights=cells["samples"].to_numpy(float),
                               minlength=n_sites).astype(np.int64),
        "position_uncertainty_m": np.round(uncertainty, 1),
        "exact_position": exact,
        "spread_m": np.round(spread, 1),
        "range_median_m": range_median,
        "first_seen": pd.to_datetime(grouped["created"].min().reindex(range(n_sites)),
                                     unit="s", errors="coerce").dt.strftime("%Y-%m-%d").to_numpy(),
        "last_seen": pd.to_datetime(grouped["updated"].max().reindex(range(n_sites)),
                                    unit="s", errors="coerce").dt.strftime("%Y-%m-%d").to_numpy(),
        "source": "OpenCelliD",
        "note": "estimated position (OpenCelliD) / vị trí ước tính (OpenCelliD)",
    }, geometry=gpd.points_from_xy(sx, sy), crs=crs)
    return gdf


def import_opencellid(path: str | Path | Upload,
                      area: Area | str | tuple[float, float, float, float],
                      project: ProjectLike = None, *,
                      params: CellParams | None = None) -> Project:
    """Import OpenCelliD cells of ``area`` as the project's sites layer (estimated positions).

    Parameters
    ----------
    path
        OpenCelliD CSV or ``.csv.gz``.
    area
        Bbox text ``"minlon,minlat,maxlon,maxlat"`` (degrees), admin polygon file or
        :class:`~gis.opendata.area.Area`.
    project
        An open project, a project folder (opened when it exists) or ``None`` (new project).
        Only the sites layer is replaced.
    params
        :class:`CellParams`.

    Raises
    ------
    ValidationError
        No usable Vietnamese cell in the area.
    """
    params = params or CellParams()
    path = local_paths(path)[0]
    area = parse_area(area)
    cells, report = read_opencellid(path, area, params=params)
    if cells.empty:
        raise ValidationError(
            f"No usable OpenCelliD cell of Vietnam (MCC 452) inside the area {area.source}.",
            f"Không có cell OpenCelliD nào của Việt Nam (MCC 452) dùng được trong vùng "
            f"{area.source}.",
            file=path,
            fix="Check the area (lon,lat order) and that the file is the Vietnam (452) export.",
            fix_vi="Kiểm tra vùng (thứ tự kinh độ, vĩ độ) và tệp là dữ liệu Việt Nam (452).",
        )
    proj = target_project(project, area)
    sites = sites_from_cells(cells, proj.crs, params)
    report.rows_loaded = len(cells)
    report.extra.update({
        "sites": len(sites),
        "sites_by_operator": sites.groupby("operator").size().to_dict(),
        "position_uncertainty_m_median": float(sites["position_uncertainty_m"].median()),
        "position_uncertainty_m_p90": float(sites["position_uncertainty_m"].quantile(0.9)),
        "sites_with_exact_positions": int(sites["exact_position"].sum()),
        "clustering": {"cluster_radius_m": params.cluster_radius_m,
                       "node_split_radius_m": params.node_split_radius_m,
                       "lte_cells_per_enb": params.lte_cells_per_enb,
                       "nr_gnb_id_bits": params.nr_gnb_id_bits},
    })
    report.extra["sites_by_tech"] = tech_counts(sites)
    warning = broadband_warning(sites)
    if warning is not None:
        # First, so that it is the first thing the import and the app show.
        report.warnings.insert(0, warning[0])
        report.warnings_vi.insert(0, warning[1])
        report.extra["no_broadband"] = True
    report.warn(
        f"{len(cells)} cells grouped into {len(sites)} estimated sites. OpenCelliD positions are "
        f"estimates: median position uncertainty "
        f"{report.extra['position_uncertainty_m_median']:.0f} m (column position_uncertainty_m).",
        f"Gom {len(cells)} cell thành {len(sites)} trạm ước tính. Vị trí OpenCelliD chỉ là ước "
        f"tính: sai số vị trí trung vị {report.extra['position_uncertainty_m_median']:.0f} m "
        f"(cột position_uncertainty_m).",
    )
    proj.set_layer("sites", sites, report)
    return proj
