"""The yearly report: two run folders read, compared and written (CSV, XLSX, printable HTML).

:func:`read_run_folder` reads the tables a run wrote (``hamlets.csv``, ``indicators.csv``,
``positions.csv``, ``proposed_towers.csv``, ``fiber_extensions.csv``, ``facilities.csv``,
``run.json``) with the project's CSV reader (UTF-8 with BOM or any other encoding it detects);
:func:`gis.analysis.compare.compare_runs` compares them; :func:`write_compare` writes
``compare.csv`` (per area, province, new commune and former district), ``compare_indicators.csv``,
``compare_hamlets.csv``, ``compare.xlsx`` (the three as sheets) and ``compare.html``, a printable
A4 report in Vietnamese and English with the year and the plan's name.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from html import escape
from pathlib import Path

import pandas as pd

from gis.analysis.compare import SERVICES, RunFolderData, compare_runs
from gis.analysis.units.data import DATA_PACKAGES
from gis.atomic import write_atomic
from gis.errors import InputFileError
from gis.export.writers import write_csv, write_xlsx
from gis.layers.formats import read_table
from gis.report.html import REPORT_CSS, fmt_number, fmt_share

__all__ = ["compare", "read_run_folder", "render_compare_html", "write_compare"]

_TABLES = ("indicators", "positions", "proposed_towers", "fiber_extensions", "facilities")
_TEXT_COLUMNS = ("village_id", "name", "commune", "district", "province", "note", "operators",
                 "scope", "unit_name", "hamlets_served", "village_ids")


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells as numbers where a whole column is numeric; codes and names stay text."""
    out = df.copy()
    for c in out.columns:
        if c in _TEXT_COLUMNS or c.endswith(("_code", "_id", "_vi", "_en")):
            continue
        num = pd.to_numeric(out[c], errors="coerce")
        if num.notna().sum() == out[c].notna().sum() and out[c].notna().any():
            out[c] = num
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    return _typed(pd.DataFrame(read_table([path], display=path.name).df))


def _created(meta: dict) -> str:
    """The run's date (``YYYY-MM-DD``) from ``run.json``'s ``created`` (``2025-11-30 08:15
    UTC``), or ``""`` when it has none."""
    value = str(meta.get("created") or "").strip()
    return value[:10] if len(value) >= 10 and value[:4].isdigit() else ""


def read_run_folder(path: str | Path) -> RunFolderData:
    """The tables of a run's output folder (``python -m gis run --out DIR``).

    Raises
    ------
    InputFileError
        When the folder has no ``hamlets.csv``.
    """
    folder = Path(path)
    hamlets_csv = folder / "hamlets.csv"
    if not hamlets_csv.is_file():
        raise InputFileError(
            f"{folder} holds no run: hamlets.csv is missing.",
            f"{folder} không phải thư mục kết quả: thiếu hamlets.csv.", file=hamlets_csv,
            fix="Give two output folders of 'python -m gis run --out DIR'.",
            fix_vi="Chọn hai thư mục kết quả của 'python -m gis run --out DIR'.")
    meta: dict = {}
    created = ""
    run_json = folder / "run.json"
    if run_json.is_file():
        try:
            meta = json.loads(run_json.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
        created = _created(meta) or dt.datetime.fromtimestamp(
            run_json.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d")
    tables = {name: _read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file()
              else None for name in _TABLES}
    name = (meta.get("project") or {}).get("name") or folder.name
    return RunFolderData(name=str(name), hamlets=_read_csv(hamlets_csv), created=created,
                         meta=meta, path=str(folder), **tables)


# -- the HTML report --------------------------------------------------------------------------

_W = {  # (vi, en)
    "title": ("Báo cáo hạ tầng số năm {year}", "Digital infrastructure report {year}"),
    "plan": ("Kế hoạch", "Plan"),
    "then": ("Trước", "Then"), "now": ("Nay", "Now"),
    "run": ("Lần chạy", "Run"), "date": ("Ngày", "Date"),
    "rekeyed": ("Lần chạy {which} được lập trước khi có đơn vị hành chính 2025; các thôn được "
                "chuyển sang xã, tỉnh mới theo bảng chuyển đổi.",
                "Run {which} was made before the 2025 units existed; its hamlets were re-keyed "
                "to the new communes and provinces through the crosswalk."),
    "summary": ("Tổng hợp toàn vùng", "Whole area"),
    "provinces": ("Theo tỉnh, thành phố", "By province"),
    "communes": ("Theo xã, phường (đơn vị 2025)", "By commune (2025 units)"),
    "districts": ("Theo huyện cũ (đối chiếu kế hoạch trước 2025)",
                  "By former district (for plans made before 2025)"),
    "indicators": ("Chỉ tiêu: trước và nay so với mục tiêu",
                   "Indicators: then and now against the targets"),
    "lost": ("Thôn mất dịch vụ", "Hamlets that lost a service"),
    "unit": ("Đơn vị", "Unit"), "code": ("Mã", "Code"),
    "hamlets": ("Số thôn", "Hamlets"), "population": ("Dân số", "Population"),
    "households": ("Số hộ", "Households"),
    "newly": ("mới có", "newly covered"), "lost_n": ("mất", "lost"),
    "sharing": ("Tỷ lệ dùng chung BTS", "BTS sharing rate"),
    "towers": ("Vị trí BTS tăng thêm", "BTS positions added"),
    "proposed": ("Trạm đề xuất", "Proposed towers"),
    "fiber": ("Cáp quang đề xuất (km)", "Proposed fiber (km)"),
    "indicator": ("Chỉ tiêu", "Indicator"), "target": ("Mục tiêu", "Target"),
    "change": ("Thay đổi", "Change"), "met": ("Đạt", "Met"), "not_met": ("Chưa đạt", "Not met"),
    "none": ("Không có", "None"),
    "source": ("Nguồn đơn vị hành chính: {src}.", "Administrative units from: {src}."),
}


def _w(key: str, **kw: object) -> str:
    vi, en = _W[key]
    return f"{escape(vi.format(**kw))} <span class='small'>/ {escape(en.format(**kw))}</span>"


def _share(v: object) -> str:
    return fmt_share(v, "vi")


def _num(v: object, digits: int = 0) -> str:
    return fmt_number(v, "vi", digits)


def _arrow(a: object, b: object, fmt=_num) -> str:
    return f"{fmt(a)} → {fmt(b)}"


def _units_rows(t: pd.DataFrame, limit: int = 400) -> str:
    if t.empty:
        return f"<p>{_w('none')}</p>"
    head = [_w("unit"), _w("code"), _w("hamlets"), _w("population")]
    for vi, _en in SERVICES.values():
        head.append(f"{escape(vi)} ({_w('then')} → {_w('now')}; {_w('newly')}, {_w('lost_n')})")
    head += [_w("sharing"), _w("towers"), _w("proposed"), _w("fiber")]
    out = ["<table><tr>" + "".join(f"<th class='small'>{h}</th>" for h in head) + "</tr>"]
    for r in t.head(limit).to_dict("records"):
        cells = [escape(str(r.get("unit_name", ""))), escape(str(r.get("unit_code", ""))),
                 _arrow(r.get("hamlets_a"), r.get("hamlets_b")),
                 _arrow(r.get("population_a"), r.get("population_b"))]
        for s in SERVICES:
            k = s.replace("mobile_", "")
            cells.append(f"{_arrow(r.get(f'{k}_a'), r.get(f'{k}_b'))}; "
                         f"+{_num(r.get(f'{k}_newly_covered'))}, −{_num(r.get(f'{k}_lost'))}")
        cells += [_arrow(r.get("sharing_rate_a"), r.get("sharing_rate_b"), _share),
                  _num(r.get("towers_added")),
                  _arrow(r.get("proposed_towers_a"), r.get("proposed_towers_b")),
                  _arrow(r.get("fiber_extension_km_a"), r.get("fiber_extension_km_b"),
                         lambda v: _num(v, 1))]
        out.append("<tr>" + "".join(f"<td class='num'>{c}</td>" if i > 1 else f"<td>{c}</td>"
                                    for i, c in enumerate(cells)) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _value(v: object, unit: str) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if unit in ("Mbit/s", "per 100 people"):
        return _num(v, 1)
    return _share(v)


def _met(v: object) -> str:
    if v is True:
        return f"<td class='met'>{_w('met')}</td>"
    if v is False:
        return f"<td class='notmet'>{_w('not_met')}</td>"
    return "<td class='na'>-</td>"


def _indicator_rows(ind: pd.DataFrame, levels: tuple[str, ...]) -> str:
    sub = ind[ind["scope_level"].isin(levels)]
    if sub.empty:
        return f"<p>{_w('none')}</p>"
    head = [_w("unit"), _w("indicator"), _w("then"), _w("now"), _w("change"), _w("target"),
            _w("then") + " " + _w("met"), _w("now") + " " + _w("met")]
    out = ["<table><tr>" + "".join(f"<th class='small'>{h}</th>" for h in head) + "</tr>"]
    for r in sub.to_dict("records"):
        unit = str(r.get("gap_unit") or "")
        pct = unit not in ("Mbit/s", "per 100 people")
        target = "-" if pd.isna(r.get("target")) else (
            ("≤ " if r.get("direction") == "<=" else "≥ ") + _value(r["target"], unit))
        change = "-" if pd.isna(r.get("change")) else (
            f"{'+' if r['change'] >= 0 else '−'}"
            + (_share(abs(r["change"])) if pct else _num(abs(r["change"]), 1)))
        name = (f"{escape(str(r.get('name_vi', '')))}<div class='small'>"
                f"{escape(str(r.get('name_en', '')))}</div>")
        scope = escape(str(r.get("unit_name") or "")) or _w("summary")
        met_a = None if pd.isna(r.get("met_a")) else bool(r.get("met_a"))
        met_b = None if pd.isna(r.get("met_b")) else bool(r.get("met_b"))
        out.append(f"<tr><td>{scope}</td><td>{name}</td>"
                   f"<td class='num'>{_value(r.get('value_a'), unit)}</td>"
                   f"<td class='num'>{_value(r.get('value_b'), unit)}</td>"
                   f"<td class='num'>{change}</td><td class='num'>{target}</td>"
                   f"{_met(met_a)}{_met(met_b)}</tr>")
    out.append("</table>")
    return "".join(out)


def render_compare_html(tables: dict[str, pd.DataFrame], a: RunFolderData, b: RunFolderData,
                        *, year: int, plan: str) -> str:
    """The printable comparison report, Vietnamese with English alongside."""
    units = tables["compare_units"]
    ind = tables["compare_indicators"]
    ham = tables["compare_hamlets"]
    area = units[units["scope_level"] == "area"]
    cards = []
    if len(area):
        r = area.iloc[0]
        for s, (vi, _en) in SERVICES.items():
            k = s.replace("mobile_", "")
            cards.append(f"<div class='card'>{escape(vi)}<b>"
                         f"{_arrow(r.get(f'{k}_a'), r.get(f'{k}_b'))}</b>+{_num(r.get(f'{k}_newly_covered'))} {_w('newly')}, "
                         f"−{_num(r.get(f'{k}_lost'))} {_w('lost_n')}</div>")
        if "sharing_rate_b" in r:
            cards.append(f"<div class='card'>{_w('sharing')}<b>"
                         f"{_arrow(r.get('sharing_rate_a'), r.get('sharing_rate_b'), _share)}</b>"
                         "</div>")
    rekeyed = units.attrs.get("rekeyed") or []
    notes = "".join(f"<p class='small'>{_w('rekeyed', which=w.upper())}</p>" for w in rekeyed)
    lost_rows = []
    for s, (vi, _en) in SERVICES.items():
        col = f"{s}_change"
        if col in ham:
            for r in ham[ham[col] == "lost"].head(300).to_dict("records"):
                lost_rows.append(f"<tr><td>{escape(str(r.get('name', '')))}</td>"
                                 f"<td>{escape(str(r.get('commune', '') or ''))}</td>"
                                 f"<td>{escape(str(r.get('province', '') or ''))}</td>"
                                 f"<td>{escape(vi)}</td></tr>")
    lost = ("<table><tr><th>Thôn / Hamlet</th><th>Xã / Commune</th><th>Tỉnh / Province</th>"
            "<th>Dịch vụ / Service</th></tr>" + "".join(lost_rows) + "</table>") if lost_rows \
        else f"<p>{_w('none')}</p>"
    src = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in DATA_PACKAGES.items())
    runs = "".join(
        f"<tr><td>{_w('run')} {tag}</td><td>{escape(r.name)}</td><td>{escape(r.created)}</td>"
        f"<td class='small'>{escape(r.path)}</td></tr>" for tag, r in (("A", a), ("B", b)))
    body = f"""
<h1>{_w('title', year=year)}</h1>
<div class='meta'>{_w('plan')}: {escape(plan)}</div>
<table>{runs}</table>{notes}
<h2>{_w('summary')}</h2><div class='cards'>{''.join(cards)}</div>
{_units_rows(area)}
<h2>{_w('provinces')}</h2>{_units_rows(units[units['scope_level'] == 'province'])}
<h2>{_w('indicators')}</h2>{_indicator_rows(ind, ('area', 'province'))}
<h2 class='pb'>{_w('communes')}</h2>{_units_rows(units[units['scope_level'] == 'commune'])}
{_indicator_rows(ind, ('commune',))}
<h2>{_w('districts')}</h2>{_units_rows(units[units['scope_level'] == 'former_district'])}
<h2>{_w('lost')}</h2>{lost}
<footer>{_w('source', src=src)}</footer>
"""
    title = escape(_W["title"][0].format(year=year))
    return (f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{REPORT_CSS}</style></head><body>{body}</body></html>")


def write_compare(tables: dict[str, pd.DataFrame], out_dir: str | Path, a: RunFolderData,
                  b: RunFolderData, *, year: int | None = None, plan: str | None = None,
                  lang: str = "vi") -> list[Path]:
    """Write the comparison: ``compare.csv`` (units), ``compare_indicators.csv``,
    ``compare_hamlets.csv``, ``compare.xlsx`` and ``compare.html``; returns the paths.

    ``year`` defaults to the year of run B, ``plan`` to run B's project name; ``lang`` is the
    language of the XLSX headers (the HTML is bilingual).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    year = year or int((b.created or dt.date.today().isoformat())[:4])
    plan = plan or b.name
    written = [write_csv(tables["compare_units"], out / "compare.csv"),
               write_csv(tables["compare_indicators"], out / "compare_indicators.csv"),
               write_csv(tables["compare_hamlets"], out / "compare_hamlets.csv"),
               write_xlsx({"compare_units": tables["compare_units"],
                           "compare_indicators": tables["compare_indicators"],
                           "compare_hamlets": tables["compare_hamlets"]},
                          out / "compare.xlsx", lang=lang,
                          titles={"compare_units": "don_vi" if lang == "vi" else "units",
                                  "compare_indicators": "chi_tieu" if lang == "vi"
                                  else "indicators",
                                  "compare_hamlets": "thon" if lang == "vi" else "hamlets"})]
    page = render_compare_html(tables, a, b, year=year, plan=plan)
    written.append(write_atomic(out / "compare.html",
                                lambda tmp: tmp.write_text(page, encoding="utf-8")))
    return written


def compare(run_a: str | Path, run_b: str | Path, out_dir: str | Path | None = None, *,
            year: int | None = None, plan: str | None = None,
            lang: str = "vi") -> dict[str, pd.DataFrame]:
    """The yearly report of two run folders (``python -m gis compare RUN_A RUN_B --out DIR``).

    Parameters
    ----------
    run_a, run_b
        Output folders of ``python -m gis run`` (or :func:`gis.write_run`): A then, B now. A
        run made before the 2025 units (no ``commune_code`` in its ``hamlets.csv``) is
        re-keyed through the crosswalk.
    out_dir
        Where to write ``compare.csv``, ``compare_indicators.csv``, ``compare_hamlets.csv``,
        ``compare.xlsx`` and ``compare.html`` (nothing is written when ``None``).
    year, plan
        The report's year (default: the year run B was made, from its ``run.json``) and the
        plan's name (default: run B's project).
    lang
        Language of the XLSX headers (the HTML is bilingual).

    Returns
    -------
    dict
        ``compare_units``, ``compare_indicators``, ``compare_hamlets``
        (:func:`gis.analysis.compare.compare_runs`).
    """
    a, b = read_run_folder(run_a), read_run_folder(run_b)
    tables = compare_runs(a, b)
    if out_dir is not None:
        write_compare(tables, out_dir, a, b, year=year, plan=plan, lang=lang)
    return tables
