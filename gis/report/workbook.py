"""The XLSX workbook of a run: a run-information sheet, then one sheet per result."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from gis.export.writers import write_xlsx
from gis.labels import SCOPE_LABELS, check_lang, text
from gis.report.results import RunResults

__all__ = ["readable_indicators", "run_info_frame", "write_workbook"]

_SHEET_TEXT = {"uncovered_hamlets": "uncovered"}


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


def write_workbook(results: RunResults, path: str | Path, *, lang: str = "en") -> Path:
    """``report.xlsx``: sheets run info, indicators, hamlets, uncovered, positions,
    co-location opportunities, proposed towers, fiber extensions, facilities (those that
    exist) and any other result table; headers and sheet names in ``lang``."""
    check_lang(lang)
    sheets = {"run_info": run_info_frame(results, lang), **results.ordered_tables(lang)}
    if "indicators" in sheets:
        sheets["indicators"] = readable_indicators(sheets["indicators"], lang)
    titles = {k: text(_SHEET_TEXT.get(k, k), lang) for k in sheets}
    return write_xlsx(sheets, path, lang=lang, titles=titles)
