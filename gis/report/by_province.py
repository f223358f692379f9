"""The uncovered-hamlet list and the indicators of each province, for a run over several.

A national (or multi-province) run's ``uncovered_hamlets.csv`` and ``indicators.csv`` hold the
whole country; a provincial department wants its own. :func:`write_by_province` writes, when the
hamlets are in two or more 2025 provinces, ``provinces/<code>_<name>/uncovered_hamlets.csv``
(the hamlets of that province, the same columns and order as the whole list) and
``indicators.csv`` (the province's row of each indicator, and the rows of its communes and
former districts), in UTF-8 with a BOM. A run over one province writes nothing more: its
whole-area files are the province's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gis.export.writers import write_csv
from gis.report.results import RunResults

__all__ = ["PROVINCES_DIR", "write_by_province"]

#: The folder of the per-province files inside the run folder.
PROVINCES_DIR = "provinces"


def _folder_name(code: str, name: str) -> str:
    """``37_tinh_ninh_binh``: the code and the name without diacritics, ASCII only (every
    file system and zip tool keeps it)."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", f"{code}_{name}".replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "province"


def write_by_province(results: RunResults, out_dir: str | Path, *,
                      lang: str = "en") -> list[Path]:
    """Per-province ``uncovered_hamlets.csv`` and ``indicators.csv``; the paths written."""
    hamlets = results.hamlets
    if "province_code" not in hamlets or hamlets["province_code"].nunique(dropna=True) < 2:
        return []
    unc = results.uncovered(lang)
    ind = results.indicators
    codes = hamlets["province_code"].astype(object)
    names = hamlets.get("province", codes).astype(object)
    # the communes and former districts of each province, to pick their indicator rows
    units = {}
    for level in ("commune", "former_district"):
        col = f"{level}_code"
        if col in hamlets:
            units[level] = hamlets[[col]].assign(p=codes).dropna().drop_duplicates(col)
    out = Path(out_dir) / PROVINCES_DIR
    written: list[Path] = []
    for code in sorted(codes.dropna().unique(), key=str):
        mine = (codes == code).to_numpy()
        folder = out / _folder_name(str(code), str(names[mine].iloc[0]))
        folder.mkdir(parents=True, exist_ok=True)
        rows = unc["province_code"].astype(object).eq(code) if "province_code" in unc \
            else pd.Series(False, index=unc.index)
        written.append(write_csv(unc[rows.to_numpy()], folder / "uncovered_hamlets.csv",
                                 lang=lang if lang == "vi" else None))
        if ind is None:
            continue
        keep = (ind["scope_level"] == "province") & (ind["unit_code"].astype(str) == str(code))
        for level, table in units.items():
            own = table.loc[table["p"] == code, f"{level}_code"].astype(str)
            keep |= (ind["scope_level"] == level) & ind["unit_code"].astype(str).isin(own)
        written.append(write_csv(ind[keep.to_numpy()], folder / "indicators.csv"))
    return written
