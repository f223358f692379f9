"""The XLSX workbook of a run: a run-information sheet, then one sheet per result."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gis.export.writers import write_xlsx
from gis.labels import SCOPE_LABELS, check_lang, text
from gis.locale import format_number
from gis.report.results import RunResults

__all__ = ["XLSX_MAX_CELLS", "readable_indicators", "run_info_frame", "write_workbook"]

_SHEET_TEXT = {"uncovered_hamlets": "uncovered"}

#: A result table with more cells (rows x columns) than this is not copied into
#: ``report.xlsx``; its sheet says which files hold it. openpyxl writes about 10,000 cells per
#: CPU second: the province preset's per-hamlet table (2,048 hamlets x 57 columns, the
#: coverage of each operator and technology) took half of the workbook's 21 CPU s, the
#: country's (68,770 hamlets) would take six minutes. The uncovered list keeps its own
#: ``uncovered_hamlets.xlsx`` in every case.
XLSX_MAX_CELLS = 100_000

#: Where a run folder holds each result table left out of the workbook (besides results.gpkg).
_TABLE_FILES = {"uncovered_hamlets": "uncovered_hamlets.csv, uncovered_hamlets.xlsx"}


def run_info_frame(results: RunResults, lang: str = "en") -> pd.DataFrame:
    """Two columns (item, value): the alerts first (sites without any 4G/5G), then project,
    date, targets, counts, warnings and defaults (in ``lang`` when the run has them so)."""
    meta = results.meta
    targets = meta.get("targets") or {}
    alerts = (meta.get("alerts_vi") if lang == "vi" else None) or meta.get("alerts") or []
    rows = [(text("alerts", lang), a) for a in alerts]  # what must be read first
    rows += [
        (text("project", lang), results.name),
        (text("date", lang), meta.get("created", "")),
        (text("targets_preset", lang), targets.get("name", "")),
        ("source", targets.get("source", "")),
        (text("n_hamlets", lang), len(results.hamlets)),
    ]
    vi = lang == "vi"
    rows += [(text("warnings", lang), w)
             for w in (meta.get("warnings_vi") if vi else None) or meta.get("warnings") or []]
    rows += [(text("warnings", lang), d)
             for d in (meta.get("defaults_vi") if vi else None) or meta.get("defaults") or []]
    if meta.get("parameters"):
        rows.append((text("parameters", lang), json.dumps(meta["parameters"], ensure_ascii=False)))
    return pd.DataFrame(rows, columns=["key", "value"]).astype({"value": str})


def readable_indicators(ind: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The indicator table for reading: scope level in ``lang`` and the area named."""
    i = 0 if lang == "vi" else 1
    out = ind.copy()
    if "scope_level" in out:
        area = out["scope_level"] == "area"
        if "scope" in out:
            out["scope"] = out["scope"].astype(object).where(~area, SCOPE_LABELS["area"][i])
        out["scope_level"] = out["scope_level"].map(
            lambda v: SCOPE_LABELS.get(v, (v, v))[i]).astype(object)
    return out


def left_out_note(key: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The one-row sheet that stands for a table too large for the workbook: its size and the
    files of the run folder that hold it, in ``lang`` (column ``note``: "Ghi chú" in Vietnamese)."""
    files = f"{_TABLE_FILES.get(key, key + '.csv')}, results.gpkg"
    rows, cols = frame.shape
    n_rows, n_max = format_number(rows, lang), format_number(XLSX_MAX_CELLS, lang)
    if lang == "vi":
        return pd.DataFrame({"note": [
            f"Bảng {n_rows} dòng x {cols} cột, quá lớn để chép vào sổ tính này (trên {n_max} "
            f"ô): xem tệp {files} trong thư mục kết quả."]})
    note = (f"{n_rows} rows x {cols} columns, too large to copy into this workbook (above "
            f"{n_max} cells): see {files} in the run folder.")
    return pd.DataFrame({"note": [note]})


def write_workbook(results: RunResults, path: str | Path, *, lang: str = "en") -> Path:
    """``report.xlsx``: sheets run info, indicators, hamlets, uncovered, positions,
    co-location opportunities, proposed towers, fiber extensions, facilities (those that
    exist) and any other result table; headers and sheet names in ``lang``. A table above
    :data:`XLSX_MAX_CELLS` cells keeps its sheet with a note saying which files hold it
    (:func:`left_out_note`)."""
    check_lang(lang)
    sheets = {"run_info": run_info_frame(results, lang), **results.ordered_tables(lang)}
    for key, frame in list(sheets.items()):
        if key != "run_info" and frame.size > XLSX_MAX_CELLS:
            sheets[key] = left_out_note(key, frame, lang)
    if "indicators" in sheets:
        sheets["indicators"] = readable_indicators(sheets["indicators"], lang)
    titles = {k: text(_SHEET_TEXT.get(k, k), lang) for k in sheets}
    return write_xlsx(sheets, path, lang=lang, titles=titles)
