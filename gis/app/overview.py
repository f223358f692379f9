"""Overview page: headline numbers and the plan's indicators against their targets, each with
its numerator ("329 / 402 thôn") and a click to the hamlets behind it.

:func:`indicator_hamlets` says which hamlets an indicator counts (from the indicator's
definition, :data:`gis.analysis.indicators.INDICATORS`); the Overview lists those that keep it
from its target, and the Results page can filter on them (:data:`KEY_INDICATOR_FILTER`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis.analysis.frames import as_bool
from gis.analysis.indicators import INDICATORS, SPEED_INDICATORS, speed_indicator_flags
from gis.analysis.speed_params import SPEED_TARGET_PRESETS
from gis.analysis.status import STATUS_COLORS, ftth_status, mobile_status, uncovered_hamlets
from gis.app.i18n import t
from gis.app.widgets import (
    fmt_number,
    fmt_share,
    header,
    localised,
    note_text,
    project_and_run,
    web_text,
)
from gis.labels import TEXT, status_label
from gis.locale import NOT_SHARE_UNITS
from gis.pipeline.write import run_alerts

__all__ = ["KEY_INDICATOR_FILTER", "area_indicators", "indicator_hamlets", "indicator_value",
           "numerator_text", "render", "unit_label"]

#: Session-state key of the indicator whose hamlets the Results page shows (an indicator id).
KEY_INDICATOR_FILTER = "results_indicator"

_DEFS = {d.indicator_id: d for d in INDICATORS}


def area_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """The whole-area rows of the indicator table (``scope_level == "area"``)."""
    if "scope_level" in indicators:
        return indicators[indicators["scope_level"] == "area"]
    return indicators


def unit_label(unit: object, lang: str) -> str:
    """The gap unit of an indicator in ``lang`` (as given when unknown)."""
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        return ""
    pair = TEXT.get(f"{unit}_unit")
    return str(unit) if pair is None else (pair[1] if lang == "en" else pair[0])


def indicator_value(row: pd.Series, lang: str, column: str = "value") -> str:
    """An indicator's value (or target) as people read it: a percentage, or a number with its
    unit for the statistics given per 100 people or in Mbit/s; "not given" when missing."""
    value = row.get(column)
    unit = row.get("gap_unit")
    if str(unit) in NOT_SHARE_UNITS:
        if pd.isna(value):
            return TEXT["not_given"][0 if lang == "vi" else 1] if "not_given" in TEXT else "—"
        return f"{fmt_number(value, 1, lang=lang)} {unit_label(unit, lang)}".strip()
    return fmt_share(value, 0 if column == "target" else 1, lang=lang)


def numerator_text(row: pd.Series, lang: str) -> str:
    """``"329 / 402 thôn"``: what an indicator counts, of how many (empty when unknown)."""
    num, den = row.get("numerator"), row.get("denominator")
    if pd.isna(num) or pd.isna(den) or str(row.get("gap_unit")) in NOT_SHARE_UNITS:
        return ""
    return f"{fmt_number(num, lang=lang)} / {fmt_number(den, lang=lang)} " \
           f"{unit_label(row.get('gap_unit'), lang)}".strip()


#: The expected-speed indicators: counted against the preset's Mbit/s, not a flag column.
SPEED_IDS = frozenset(d.indicator_id for d in SPEED_INDICATORS)


def indicator_hamlets(indicator_id: str, hamlets: pd.DataFrame, *,
                      preset: str = "national") -> pd.Series | None:
    """Per hamlet, whether it counts for the indicator (``True``: in the numerator); ``None``
    for an indicator not measured on hamlets (sharing, facilities) or whose columns the run
    lacks. Weighted indicators (households, population) count a hamlet when all of it is in
    (share 1)."""
    d = _DEFS.get(indicator_id)
    if d is None or d.basis != "hamlets":
        return None
    if indicator_id in SPEED_IDS:   # the estimate against the plan's Mbit/s (``preset``)
        flags = speed_indicator_flags(hamlets, SPEED_TARGET_PRESETS[preset])[indicator_id]
        return None if isinstance(flags, str) else flags.fillna(False).astype(bool)
    if " and " in d.needs:
        share_col = d.needs.split(" and ")[0]
        if share_col not in hamlets:
            return None
        return pd.to_numeric(hamlets[share_col], errors="coerce").fillna(0.0) >= 1.0 - 1e-9
    cols = [c.strip() for c in d.needs.split(" or ")]
    if not all(c in hamlets for c in cols):
        return None
    out = pd.Series(False, index=hamlets.index)
    for c in cols:
        out |= as_bool(hamlets, c).fillna(False).astype(bool)
    return out


def _headline(project, ctx, lang: str) -> None:
    villages = project.layer("villages")
    sites = project.layer("sites")
    admin = project.layer("admin")
    cols = st.columns(5)
    cols[0].metric(t("hamlets", lang),
                   fmt_number(len(villages) if villages is not None else 0, lang=lang))
    pop = villages["population"].sum() if villages is not None and "population" in villages \
        else float("nan")
    hh = villages["households"].sum() if villages is not None and "households" in villages \
        else float("nan")
    cols[1].metric(t("population", lang), fmt_number(pop, lang=lang))
    cols[2].metric(t("households", lang), fmt_number(hh, lang=lang))
    n_sites = (sites["site_id"].nunique() if sites is not None and "site_id" in sites
               else len(sites) if sites is not None else 0)
    cols[3].metric(t("sites", lang), fmt_number(n_sites, lang=lang))
    cols[4].metric(t("communes", lang),
                   fmt_number(len(admin) if admin is not None else 0, lang=lang))


def _status_chart(ctx, lang: str) -> None:
    if ctx is None or ctx.hamlets.empty:
        return
    st.subheader(t("status_counts", lang))
    left, right = st.columns(2)
    for col, codes in ((left, mobile_status(ctx.hamlets)), (right, ftth_status(ctx.hamlets))):
        import altair as alt

        counts = codes.value_counts()
        labels = [status_label(c, lang) for c in counts.index]
        data = pd.DataFrame({"status": labels, "n": counts.to_numpy()})
        colours = alt.Scale(domain=labels, range=[STATUS_COLORS.get(c, "#9e9e9e")
                                                   for c in counts.index])
        chart = alt.Chart(data).mark_bar().encode(
            x=alt.X("n:Q", title=t("hamlets", lang)),
            y=alt.Y("status:N", sort=None, title=None, axis=alt.Axis(labelLimit=250)),
            color=alt.Color("status:N", scale=colours, legend=None),
            tooltip=["status", "n"])
        col.altair_chart(chart.properties(height=36 * len(data) + 40), width="stretch")


def _chart(rows: pd.DataFrame, name_col: str, lang: str) -> None:
    """Each indicator's value as a bar, its target as a black tick (percent)."""
    import altair as alt

    rows = rows[~rows.get("gap_unit", pd.Series("", index=rows.index)).astype(str)
                .isin(NOT_SHARE_UNITS)]
    data = pd.DataFrame({
        "name": rows[name_col].astype(str).to_numpy(),
        "value": (rows["value"].astype(float) * 100).round(1).to_numpy(),
        "target": (pd.to_numeric(rows.get("target"), errors="coerce") * 100).to_numpy()
        if "target" in rows else float("nan"),
        "met": rows["met"].map(lambda m: t("no_target", lang) if pd.isna(m) else
                               t("met" if bool(m) else "not_met", lang)).to_numpy()
        if "met" in rows else t("no_target", lang),
    })
    y = alt.Y("name:N", sort=None, title=None, axis=alt.Axis(labelLimit=420))
    colours = alt.Scale(domain=[t("met", lang), t("not_met", lang), t("no_target", lang)],
                        range=["#1a9641", "#d7191c", "#2c7bb6"])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", title=f"{t('value', lang)} (%)", scale=alt.Scale(domain=[0, 100])),
        y=y, color=alt.Color("met:N", scale=colours, title=t("met", lang)),
        tooltip=["name", "value", "target", "met"])
    ticks = alt.Chart(data.dropna(subset=["target"])).mark_tick(
        color="black", thickness=3, size=18).encode(x="target:Q", y=y)
    st.altair_chart((bars + ticks).properties(height=28 * len(data) + 40), width="stretch")


def _metrics(shown: pd.DataFrame, name_col: str, lang: str) -> None:
    """A headline metric per indicator, four per row, with its numerator under it."""
    for start in range(0, len(shown), 4):
        cols = st.columns(4)
        for col, (_, row) in zip(cols, shown.iloc[start:start + 4].iterrows(), strict=False):
            target, met = row.get("target"), row.get("met")
            met = bool(met) if pd.notna(met) else None
            delta = None
            if pd.notna(target) and met is not None:
                direction = "≤" if row.get("direction") == "<=" else "≥"
                delta = (f"{t('target', lang)} {direction} {indicator_value(row, lang, 'target')}"
                         f" · " + (t("met", lang) if met else t("not_met", lang)))
            note = row.get("note")
            col.metric(str(row[name_col]), indicator_value(row, lang), delta=delta,
                       delta_color="normal" if met else "inverse",
                       delta_arrow="off" if delta else "auto",
                       help=str(note) if pd.notna(note) and note else None)
            counted = numerator_text(row, lang)
            if counted:
                col.caption(counted)


def _behind(ctx, area: pd.DataFrame, name_col: str, lang: str) -> None:
    """The hamlets behind an indicator: those that keep it from its target."""
    preset = ctx.params.targets.preset
    hamlet_based = [r for _, r in area.iterrows()
                    if indicator_hamlets(str(r["indicator_id"]), ctx.hamlets,
                                         preset=preset) is not None]
    if not hamlet_based:
        return
    st.subheader(t("behind_title", lang))
    names = {str(r["indicator_id"]): str(r[name_col]) for r in hamlet_based}
    chosen = st.selectbox(t("behind_choose", lang), list(names), key="behind_indicator",
                          format_func=names.__getitem__)
    row = next(r for r in hamlet_based if str(r["indicator_id"]) == chosen)
    counted = indicator_hamlets(chosen, ctx.hamlets, preset=preset)
    bad_when_counted = row.get("direction") == "<="
    lacking = counted if bad_when_counted else ~counted
    rows = ctx.hamlets[lacking.to_numpy()]
    st.caption(t("behind_count", lang, n=fmt_number(len(rows), lang=lang),
                 total=fmt_number(len(ctx.hamlets), lang=lang)))
    if len(rows):
        unc = uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang)
        view = pd.DataFrame(rows[[c for c in ("village_id", "name", "commune", "population")
                                  if c in rows]])
        view["reason"] = unc["reason"].reindex(rows.index).fillna("").to_numpy()
        view["proposed_fix"] = unc["proposed_fix"].reindex(rows.index).fillna("").to_numpy()
        st.dataframe(localised(view, lang), hide_index=True, width="stretch",
                     key="behind_table")
    if st.button(t("behind_open", lang), key="behind_open"):
        st.session_state[KEY_INDICATOR_FILTER] = chosen
        from gis.app.main import switch_to

        switch_to("results")


def _indicators(ctx, lang: str) -> None:
    st.subheader(t("indicators", lang))
    table = None if ctx is None else ctx.tables.get("indicators")
    if table is None or len(table) == 0:
        st.info(f"**{t('not_computed', lang)}** — {t('not_computed_long', lang)}")
        return
    area = area_indicators(table).reset_index(drop=True)
    name_col = "name_en" if lang == "en" else "name_vi"
    shown = area[area["value"].notna()] if "value" in area else area
    _metrics(shown, name_col, lang)
    _chart(shown, name_col, lang)
    view = pd.DataFrame({
        t("indicator", lang): area[name_col],
        t("value", lang): [indicator_value(r, lang) for _, r in area.iterrows()],
        t("counted", lang): [numerator_text(r, lang) for _, r in area.iterrows()],
        t("target", lang): [indicator_value(r, lang, "target") for _, r in area.iterrows()],
        t("met", lang): area["met"].map(
            lambda m: "—" if pd.isna(m) else t("met" if bool(m) else "not_met", lang))
        if "met" in area else "—",
        t("gap", lang): [
            "—" if pd.isna(g) else f"{fmt_number(g, lang=lang)} {unit_label(u, lang)}".strip()
            for g, u in zip(area.get("gap", pd.Series(index=area.index, dtype=float)),
                            area.get("gap_unit", pd.Series("", index=area.index)), strict=True)
        ],
    })
    st.dataframe(view, hide_index=True, width="stretch", key="indicator_table")
    if "scope_level" in table and (table["scope_level"] != "area").any():
        with st.expander(f"{t('indicators', lang)} — {t('communes', lang)}"):
            per = table[table["scope_level"] != "area"]
            pivot = per.pivot_table(index="scope", columns=name_col, values="value",
                                    aggfunc="first")
            st.dataframe((pivot * 100).round(1), width="stretch")
    _behind(ctx, area, name_col, lang)


def render() -> None:
    """The Overview page."""
    lang = header("page_overview", "overview_intro")
    project, ctx = project_and_run(lang)
    st.caption(f"{t('project', lang)}: **{project.name}**")
    if ctx is not None:   # what must be read before any figure (e.g. sites without 4G/5G)
        for en, vi in run_alerts(ctx):
            st.error(web_text(vi if lang == "vi" else en, lang), icon="⚠️")
    _headline(project, ctx, lang)
    _indicators(ctx, lang)
    _status_chart(ctx, lang)
    if ctx is not None and (ctx.warnings or ctx.defaults):
        with st.expander(t("warnings", lang)):
            for w in ctx.warnings:
                st.markdown(f"- {web_text(note_text(w, lang), lang)}")
            if ctx.defaults:
                st.markdown(f"**{t('defaults', lang)}**")
                for d in ctx.defaults:
                    st.markdown(f"- {web_text(note_text(d, lang), lang)}")
