"""The printable HTML report of a run: one self-contained file, bilingual by ``lang``.

Inline CSS, the overview map embedded as a base64 PNG (no internet, no external files), the
indicator table against the plan's targets (met in green, not met in red), the indicators per
province, 2025 commune (with the former communes it gathers) and former district, the
uncovered-hamlet list, the roads needing shared ducts, the expected speeds (estimates), and what
the run assumed (targets, parameters, warnings). Alerts (sites without any 4G/5G) come first,
under the title. Prints on A4 (``@media print``).
"""

from __future__ import annotations

import base64
import math
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from gis.analysis.indicators import NOT_SHARE_UNITS
from gis.analysis.status import STATUS_COLORS
from gis.atomic import write_atomic
from gis.labels import (
    DUCT_CLASS_LABELS,
    SCOPE_LABELS,
    check_lang,
    column_label,
    indicator_note,
    label,
    text,
)
from gis.report.results import RunResults
from gis.report.staticmap import overview_png

__all__ = ["REPORT_CSS", "fmt_number", "fmt_share", "fmt_value", "param_summary", "render_html",
           "write_html"]

REPORT_CSS = """
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1d1d1d;
       margin: 24px auto; max-width: 1100px; padding: 0 16px; font-size: 13px; }
h1 { font-size: 22px; margin: 0 0 4px; color: #1f4e79; }
h2 { font-size: 17px; color: #1f4e79; border-bottom: 2px solid #1f4e79; padding-bottom: 3px;
     margin-top: 28px; }
.meta { color: #555; margin-bottom: 12px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid #ccd6e0; border-radius: 6px; padding: 8px 14px; min-width: 150px;
        background: #f5f8fb; }
.card b { display: block; font-size: 20px; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid #c8c8c8; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #1f4e79; color: white; font-weight: 600; }
th.small { color: white; font-size: 10.5px; font-weight: 500; }
tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; white-space: nowrap; }
td.met { background: #c6efce !important; color: #006100; font-weight: 600; white-space: nowrap; }
td.notmet { background: #ffc7ce !important; color: #9c0006; font-weight: 600; white-space: nowrap; }
td.na { color: #888; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
       border: 1px solid #333; margin-right: 5px; vertical-align: middle; }
.map { text-align: center; } .map img { max-width: 100%; border: 1px solid #ccc; }
.small { font-size: 11px; color: #555; }
ul.warn li { margin: 2px 0; }
.alert { border: 2px solid #9c0006; background: #ffc7ce; color: #9c0006; padding: 8px 12px;
         border-radius: 6px; margin: 10px 0; font-weight: 600; }
footer { margin-top: 30px; font-size: 11px; color: #777; border-top: 1px solid #ddd;
         padding-top: 6px; }
@media print { body { margin: 0; max-width: none; font-size: 10.5px; }
  h2 { page-break-after: avoid; } table { page-break-inside: auto; }
  tr { page-break-inside: avoid; } .pb { page-break-before: always; } }
@page { size: A4; margin: 14mm; }
"""


def fmt_share(v: object, lang: str) -> str:
    """A share 0-1 as a percentage with one decimal (Vietnamese decimal comma)."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "-"
    s = f"{float(v) * 100:.1f} %"
    return s.replace(".", ",") if lang == "vi" else s


def fmt_number(v: object, lang: str, digits: int = 0) -> str:
    """A number with thousands separators (``.`` in Vietnamese, ``,`` in English)."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "-"
    s = f"{float(v):,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_value(v: object, unit: str, lang: str) -> str:
    """An indicator value: a percentage for shares, a number with its unit for the statistics
    (``per 100 people``, ``Mbit/s``: :data:`NOT_SHARE_UNITS`)."""
    if unit in NOT_SHARE_UNITS:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return "-"
        return f"{fmt_number(v, lang, 1)} {text(f'{unit}_unit', lang)}".strip()
    return fmt_share(v, lang)


def _not_available(note: object, lang: str) -> str:
    return text("not_given" if str(note or "") == "not given" else "not_available", lang)


def _met_cell(met: bool | None, lang: str) -> str:
    if met is True:
        return f"<td class='met'>{escape(text('met', lang))}</td>"
    if met is False:
        return f"<td class='notmet'>{escape(text('not_met', lang))}</td>"
    return f"<td class='na'>{escape(text('no_target', lang))}</td>"


def _is_met(v: object) -> bool | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return bool(v)


def _unit(unit: str, lang: str) -> str:
    return text(f"{unit}_unit", lang) if unit else ""


def _indicator_table(ind: pd.DataFrame, lang: str) -> str:
    rows = ind[ind["scope_level"] == "area"]
    name_col = "name_vi" if lang == "vi" else "name_en"
    head = [label("indicator", lang), column_label("value", lang), column_label("target", lang),
            column_label("met", lang), column_label("gap", lang), column_label("note", lang)]
    out = ["<table class='indicators'><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
           + "</tr>"]
    for r in rows.itertuples(index=False):
        target = "-" if pd.isna(r.target) else (
            ("≤ " if r.direction == "<=" else "≥ ") + fmt_value(r.target, r.gap_unit, lang))
        met = _is_met(r.met)
        numbers = r.gap_unit in NOT_SHARE_UNITS
        gap = "" if pd.isna(r.gap) else (
            fmt_value(r.gap, r.gap_unit, lang) if numbers
            else f"{fmt_number(r.gap, lang)} {_unit(r.gap_unit, lang)}")
        detail = ""
        if not numbers and not pd.isna(r.numerator) and not pd.isna(r.denominator):
            digits = 1 if r.gap_unit in ("households", "people") else 0
            detail = (f"<div class='small'>{fmt_number(r.numerator, lang, digits)} / "
                      f"{fmt_number(r.denominator, lang)}</div>")
        value = (f"<td class='na'>{escape(_not_available(r.note, lang))}</td>"
                 if pd.isna(r.value)
                 else f"<td class='num'>{fmt_value(r.value, r.gap_unit, lang)}{detail}</td>")
        out.append(
            f"<tr><td>{escape(str(getattr(r, name_col)))}</td>{value}"
            f"<td class='num'>{target}</td>"
            + ("<td class='na'>-</td>" if pd.isna(r.value) else _met_cell(met, lang))
            + f"<td class='num'>{escape(gap)}</td><td class='small'>"
            f"{escape(str(indicator_note(r.note, lang) or ''))}</td>"
            "</tr>")
    out.append("</table>")
    return "".join(out)


def _former_of(hamlets: pd.DataFrame) -> dict[str, str]:
    """2025 commune code -> the former communes it gathers (from the hamlets), ``", "``."""
    if not {"commune_code", "former_commune"} <= set(hamlets.columns):
        return {}
    pairs = hamlets[["commune_code", "former_commune"]].dropna().astype(str)
    return {k: ", ".join(sorted(set(g))) for k, g in pairs.groupby("commune_code")
            ["former_commune"]}


def _unit_table(ind: pd.DataFrame, lang: str, hamlets: pd.DataFrame | None = None) -> str:
    """Indicators per unit: one row per scope (province, 2025 commune with the former communes
    it gathers, former district; or district / commune by name), one column per indicator."""
    sub = ind[ind["scope_level"] != "area"].copy()
    if sub.empty:
        return ""
    name_col = "name_vi" if lang == "vi" else "name_en"
    sub["unit_key"] = sub["unit_code"].astype(object).where(
        sub["unit_code"].astype(str).str.strip() != "", sub["scope"]).fillna("").astype(str)
    ids = list(dict.fromkeys(sub["indicator_id"]))
    names = sub.drop_duplicates("indicator_id").set_index("indicator_id")[name_col]
    units = sub.drop_duplicates("indicator_id").set_index("indicator_id")["gap_unit"]
    scope_names = sub.drop_duplicates(["scope_level", "unit_key"]).set_index(
        ["scope_level", "unit_key"])["scope"]
    former = _former_of(hamlets) if hamlets is not None else {}
    out = ["<table class='units'><tr><th>" + escape(column_label("scope", lang)) + "</th>"
           + "".join(f"<th class='small'>{escape(str(names[i]))}</th>" for i in ids) + "</tr>"]
    # one pivot for values and one for met (not one lookup per cell), keyed on the unit code
    rows = pd.MultiIndex.from_frame(sub[["scope_level", "unit_key"]].drop_duplicates())
    values = sub.pivot_table(index=["scope_level", "unit_key"], columns="indicator_id",
                             values="value", aggfunc="first", sort=False, dropna=False)
    met = sub.assign(m=sub["met"].map(_is_met).astype(object)).pivot_table(
        index=["scope_level", "unit_key"], columns="indicator_id", values="m", aggfunc="first",
        sort=False, dropna=False)
    values = values.reindex(index=rows, columns=ids)
    met = met.reindex(index=values.index, columns=ids)
    li = 0 if lang == "vi" else 1
    for (level, key), vrow, mrow in zip(values.index, values.to_numpy(), met.to_numpy(),
                                        strict=True):
        cells = []
        for ind_id, v, m in zip(ids, vrow, mrow, strict=True):
            if pd.isna(v):
                cells.append("<td class='na'>-</td>")
                continue
            cls = "met num" if m is True else "notmet num" if m is False else "num"
            cells.append(f"<td class='{cls}'>{fmt_value(v, str(units[ind_id]), lang)}</td>")
        lvl = SCOPE_LABELS.get(str(level), (level, level))[li]
        scope = str(scope_names.get((level, key), key))
        extra = ""
        if level == "commune" and key in former:
            extra = (f"<div class='small'>{escape(text('former_units', lang))}: "
                     f"{escape(former[key])}</div>")
        code = f" {escape(key)}" if key != scope else ""
        out.append(f"<tr><td>{escape(scope)} <span class='small'>({escape(lvl)}{code})</span>"
                   f"{extra}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)


def _uncovered_table(unc: pd.DataFrame, lang: str, limit: int) -> str:
    if unc.empty:
        return f"<p>{escape(text('uncovered_none', lang))}</p>"
    cols = [c for c in ("village_id", "name", "commune", "former_commune", "population",
                        "households", "reason", "proposed_fix") if c in unc]
    out = ["<table class='uncovered'><tr><th>#</th>"
           + "".join(f"<th>{escape(column_label(c, lang))}</th>" for c in cols) + "</tr>"]
    for n, (_, r) in enumerate(unc.head(limit).iterrows(), start=1):
        cells = []
        for c in cols:
            v = r[c]
            if c in ("population", "households"):
                cells.append(f"<td class='num'>{fmt_number(v, lang)}</td>")
            elif c == "reason":
                color = STATUS_COLORS.get(str(r.get("status", "")), "#999")
                cells.append(f"<td><span class='dot' style='background:{color}'></span>"
                             f"{escape(str(v))}</td>")
            else:
                cells.append(f"<td>{escape('' if pd.isna(v) else str(v))}</td>")
        out.append(f"<tr><td class='num'>{n}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    if len(unc) > limit:
        more = len(unc) - limit
        out.append(f"<p class='small'>+{more} "
                   + ("thôn nữa trong uncovered_hamlets.xlsx" if lang == "vi"
                      else "more in uncovered_hamlets.xlsx") + "</p>")
    return "".join(out)


def _duct_section(ducts: pd.DataFrame | None, lang: str, limit: int = 50) -> str:
    """The roads needing shared ducts: totals and the first ``limit`` segments by rank."""
    if ducts is None:
        return ""
    head = f"<h2>{escape(text('shared_duct_roads', lang))} ({len(ducts)})</h2>"
    if not len(ducts):
        return head + f"<p>{escape(text('shared_duct_roads_none', lang))}</p>"
    saving = pd.to_numeric(ducts["saving_vnd"], errors="coerce").fillna(0).sum()
    length = pd.to_numeric(ducts["length_m"], errors="coerce").fillna(0).sum()
    li = 0 if lang == "vi" else 1
    cols = [c for c in ("rank", "segment_id", "name", "road_class", "length_m", "operators",
                        "n_cables", "planned_works", "works_year", "saving_vnd", "duct_class")
            if c in ducts]
    out = [head, f"<p>{escape(text('saving_total', lang))}: <b>{fmt_number(saving, lang)} "
                 f"{'đồng' if lang == 'vi' else 'VND'}</b> · {fmt_number(length / 1000, lang, 1)}"
                 " km</p>",
           "<table class='ducts'><tr>"
           + "".join(f"<th>{escape(column_label(c, lang))}</th>" for c in cols) + "</tr>"]
    for _, r in ducts.head(limit).iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c in ("length_m", "saving_vnd", "n_cables", "rank"):
                cells.append(f"<td class='num'>{fmt_number(v, lang)}</td>")
            elif c == "duct_class":
                cells.append(f"<td>{escape(DUCT_CLASS_LABELS.get(str(v), (v, v))[li])}</td>")
            elif c == "works_year":
                cells.append(f"<td>{'' if pd.isna(v) else int(v)}</td>")
            else:
                cells.append(f"<td>{escape('' if v is None or pd.isna(v) else str(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    if len(ducts) > limit:
        out.append(f"<p class='small'>+{len(ducts) - limit} "
                   + ("đoạn nữa trong shared_duct_roads.csv" if lang == "vi"
                      else "more in shared_duct_roads.csv") + "</p>")
    return "".join(out)


def _speed_section(hamlets: pd.DataFrame, lang: str) -> str:
    """The expected speeds (estimates): how many hamlets per band, mobile and fixed."""
    cols = [c for c in ("est_dl_mbps_mobile", "est_dl_mbps_fixed") if c in hamlets]
    if not cols:
        return ""
    bands = [(0, 10), (10, 25), (25, 40), (40, 70), (70, 100), (100, 150), (150, math.inf)]
    head = ["Mbit/s"] + [column_label(c, lang) for c in cols]
    out = [f"<h2>{escape(text('speed_section', lang))}</h2>",
           f"<p class='small'>{escape(text('speed_note', lang))}</p>",
           "<table class='speed'><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
           + "</tr>"]
    values = {c: pd.to_numeric(hamlets[c], errors="coerce") for c in cols}
    for lo, hi in bands:
        label_ = f"≥ {lo:g}" if math.isinf(hi) else f"{lo:g} - {hi:g}"
        cells = "".join(f"<td class='num'>{int(((v >= lo) & (v < hi)).sum())}</td>"
                        for v in values.values())
        out.append(f"<tr><td>{label_}</td>{cells}</tr>")
    cells = "".join(f"<td class='num'>{int(v.isna().sum())}</td>" for v in values.values())
    out.append(f"<tr><td>{escape(text('no_estimate', lang))}</td>{cells}</tr></table>")
    return "".join(out)


def _statistics_section(stats: pd.DataFrame | None, lang: str) -> str:
    """The rows of the statistics table that matched no unit (the indicators show the rest)."""
    if stats is None or "match_note" not in stats:
        return ""
    bad = stats[stats["match_note"].astype(str) != ""]
    if not len(bad):
        return ""
    cols = [c for c in ("commune_code", "commune", "district", "province", "match_note")
            if c in bad]
    rows = "".join("<tr>" + "".join(
        f"<td>{escape('' if pd.isna(r[c]) else str(r[c]))}</td>" for c in cols) + "</tr>"
        for _, r in bad.iterrows())
    return (f"<h2>{escape(text('statistics_unmatched', lang))} ({len(bad)})</h2>"
            "<table><tr>" + "".join(f"<th>{escape(column_label(c, lang))}</th>" for c in cols)
            + "</tr>" + rows + "</table>")


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


#: Parameter sections that say how a run executes, not what it computes.
EXECUTION_SECTIONS = ("scale",)

#: Sections of many settings of which the summary shows only the headline ones (the unit
#: costs, per-technology carrier tables and physical constants are left to ``run.json``).
HEADLINE_FIELDS = {
    "ducts": ("buffer_m", "min_share", "segment_max_m", "urban_density_per_km2",
              "co_deployment_factor"),
    "speed": ("load_factor", "interference_load", "hamlet_stat", "plan_cap_mbps", "take_up",
              "concurrency"),
}


def param_summary(parameters: dict[str, Any], *, max_items: int = 8) -> list[tuple[str, str]]:
    """(``section.name``, value) of the parameters a reader checks first.

    Scalars, short lists of scalars and the whole ``targets`` section are shown; long tables
    (per-technology radio defaults, cost tables, ...) are left to ``run.json``, which has all,
    and of the ``ducts`` and ``speed`` sections only :data:`HEADLINE_FIELDS`. How a run was
    executed (the ``scale`` section: tiles, scheduler, workers) does not change its results
    and is left out too.
    """
    rows: list[tuple[str, str]] = []
    for section, values in parameters.items():
        if section in EXECUTION_SECTIONS:
            continue
        if not isinstance(values, dict):
            rows.append((section, str(values)))
            continue
        if section == "calibration":  # the applied groups in one row; their statistics in run.json
            rows.append((section, _calibration_summary(values)))
            continue
        for key, v in values.items():
            name = f"{section}.{key}"
            if section in HEADLINE_FIELDS and key not in HEADLINE_FIELDS[section]:
                continue
            if _is_scalar(v):
                rows.append((name, "" if v is None else str(v)))
            elif isinstance(v, list) and len(v) <= max_items and all(map(_is_scalar, v)):
                rows.append((name, ", ".join(map(str, v))))
            elif isinstance(v, dict) and (section == "targets" or (
                    len(v) <= max_items and all(map(_is_scalar, v.values())))):
                rows.append((name, ", ".join(f"{k}={x}" for k, x in v.items()) or "-"))
    return rows


def _calibration_summary(values: dict[str, Any]) -> str:
    """``"Viettel: +6.17 dB, -1.20 dB/decade (n 136); ..."``: the applied calibration groups
    (:mod:`gis.radio.calibration_params`), ``"-"`` when none."""
    parts = []
    for g in values.get("groups") or []:
        if not g.get("applied"):
            continue
        where = g["operator"] + ("" if g.get("clutter_class") is None else
                                 f" / {g['clutter_class']}")
        parts.append(f"{where}: {g['offset_db']:+.2f} dB, {g['slope_db_per_decade']:+.2f} "
                     f"dB/decade (n {g['n_points']})")
    return "; ".join(parts) or "-"


def render_html(results: RunResults, *, lang: str = "en", max_uncovered_rows: int = 500) -> str:
    """The report as one HTML string (self-contained).

    Parameters
    ----------
    results
        The run's results.
    lang
        ``"vi"`` or ``"en"``.
    max_uncovered_rows
        At most this many rows of the uncovered list are printed (the rest are counted; the
        full list is in the XLSX).
    """
    check_lang(lang)
    ind = results.indicators
    unc = results.uncovered(lang)
    png = overview_png(results.hamlets, results.tables, lang=lang,
                       admin=results.context.get("admin"))
    img = base64.b64encode(png).decode("ascii")
    meta = results.meta
    targets = meta.get("targets") or {}
    n_met = n_with_target = 0
    if ind is not None and len(ind):
        area = ind[ind["scope_level"] == "area"]
        known = area["met"].map(_is_met)
        n_with_target = int(known.notna().sum())
        n_met = int((known == True).sum())  # noqa: E712 (object series of True/False/None)
    title = text("report_title", lang)
    parts = [
        "<!DOCTYPE html>",
        f"<html lang='{lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)} - {escape(results.name)}</title>",
        f"<style>{REPORT_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        *[f"<div class='alert'>{escape(a)}</div>"
          for a in (meta.get("alerts_vi") if lang == "vi" else meta.get("alerts")) or []],
        "<div class='meta'>"
        f"<b>{escape(text('project', lang))}:</b> {escape(results.name)} &nbsp;·&nbsp; "
        f"<b>{escape(text('date', lang))}:</b> {escape(str(meta.get('created', '')))} &nbsp;·&nbsp; "
        f"<b>{escape(text('targets_preset', lang))}:</b> {escape(str(targets.get('name', '-')))}"
        + (f" <span class='small'>({escape(str(targets.get('source')))})</span>"
           if targets.get("source") else "")
        + "</div>",
        "<div class='cards'>",
        f"<div class='card'><b>{fmt_number(len(results.hamlets), lang)}</b>"
        f"{escape(text('n_hamlets', lang))}</div>",
        f"<div class='card'><b>{fmt_number(len(unc), lang)}</b>"
        f"{escape(text('n_uncovered', lang))}</div>",
        f"<div class='card'><b>{n_met} / {n_with_target}</b>{escape(text('n_met', lang))}</div>",
        "</div>",
        f"<h2>{escape(text('overview_map', lang))}</h2>",
        f"<div class='map'><img alt='{escape(text('overview_map', lang))}' "
        f"src='data:image/png;base64,{img}'></div>",
        f"<h2>{escape(text('indicators_area', lang))}</h2>",
    ]
    if ind is not None and len(ind):
        parts.append(_indicator_table(ind, lang))
        units = _unit_table(ind, lang, results.hamlets)
        if units:
            parts += [f"<h2>{escape(text('indicators_units', lang))}</h2>", units]
    else:
        parts.append(f"<p>{escape(text('not_available', lang))}</p>")
    parts += [f"<h2 class='pb'>{escape(text('uncovered', lang))} ({len(unc)})</h2>",
              _uncovered_table(unc, lang, max_uncovered_rows),
              _duct_section(results.tables.get("shared_duct_roads"), lang),
              _speed_section(results.hamlets, lang),
              _statistics_section(results.tables.get("commune_statistics"), lang)]
    vi = lang == "vi"
    notes = list((meta.get("warnings_vi") if vi else None) or meta.get("warnings") or []) \
        + list((meta.get("defaults_vi") if vi else None) or meta.get("defaults") or [])
    parts.append(f"<h2>{escape(text('warnings', lang))}</h2>")
    parts.append("<ul class='warn'>" + "".join(f"<li>{escape(str(w))}</li>" for w in notes)
                 + "</ul>" if notes else "<p>-</p>")
    params = param_summary(meta.get("parameters") or {})
    if params:
        parts.append(f"<h2>{escape(text('parameters', lang))}</h2><table class='params'>"
                     + "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>"
                               for k, v in params) + "</table>"
                     + f"<p class='small'>{escape(text('params_full', lang))}</p>")
    parts.append(f"<footer>{escape(text('generated_by', lang))} · "
                 f"{escape(str(meta.get('created', '')))}</footer></body></html>")
    return "\n".join(parts)


def write_html(results: RunResults, path: str | Path, *, lang: str = "en") -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    path = Path(path)
    page = render_html(results, lang=lang)
    write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return path
