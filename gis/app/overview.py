"""Overview page: headline numbers and the plan's indicators against their targets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis.analysis.status import STATUS_COLORS, ftth_status, mobile_status
from gis.app.i18n import t
from gis.app.widgets import fmt_number, fmt_share, header, project_and_run
from gis.labels import status_label

__all__ = ["area_indicators", "render", "unit_label"]


def area_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """The whole-area rows of the indicator table (``scope_level == "area"``)."""
    if "scope_level" in indicators:
        return indicators[indicators["scope_level"] == "area"]
    return indicators


def _headline(project, ctx, lang: str) -> None:
    villages = project.layer("villages")
    sites = project.layer("sites")
    admin = project.layer("admin")
    cols = st.columns(5)
    cols[0].metric(t("hamlets", lang), fmt_number(len(villages) if villages is not None else 0))
    pop = villages["population"].sum() if villages is not None and "population" in villages \
        else float("nan")
    hh = villages["households"].sum() if villages is not None and "households" in villages \
        else float("nan")
    cols[1].metric(t("population", lang), fmt_number(pop))
    cols[2].metric(t("households", lang), fmt_number(hh))
    n_sites = (sites["site_id"].nunique() if sites is not None and "site_id" in sites
               else len(sites) if sites is not None else 0)
    cols[3].metric(t("sites", lang), fmt_number(n_sites))
    cols[4].metric(t("communes", lang), fmt_number(len(admin) if admin is not None else 0))


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


_UNITS = {"hamlets": ("thôn", "hamlets"), "households": ("hộ", "households"),
          "people": ("người", "people"), "positions": ("vị trí", "positions"),
          "facilities": ("cơ sở", "facilities")}


def unit_label(unit: object, lang: str) -> str:
    """The gap unit of an indicator in ``lang`` (as given when unknown)."""
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        return ""
    pair = _UNITS.get(str(unit))
    return str(unit) if pair is None else (pair[1] if lang == "en" else pair[0])


def _chart(rows: pd.DataFrame, name_col: str, lang: str) -> None:
    """Each indicator's value as a bar, its target as a black tick (percent)."""
    import altair as alt

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


def _indicators(ctx, lang: str) -> None:
    st.subheader(t("indicators", lang))
    table = None if ctx is None else ctx.tables.get("indicators")
    if table is None or len(table) == 0:
        st.info(f"**{t('not_computed', lang)}** — {t('not_computed_long', lang)}")
        return
    area = area_indicators(table).reset_index(drop=True)
    name_col = "name_en" if lang == "en" else "name_vi"
    shown = area[area["value"].notna()] if "value" in area else area
    # headline metric per indicator, four per row
    for start in range(0, len(shown), 4):
        cols = st.columns(4)
        for col, (_, row) in zip(cols, shown.iloc[start:start + 4].iterrows(), strict=False):
            target, met = row.get("target"), row.get("met")
            met = bool(met) if pd.notna(met) else None
            delta = None
            if pd.notna(target) and met is not None:
                direction = "≤" if row.get("direction") == "<=" else "≥"
                delta = (f"{t('target', lang)} {direction} {fmt_share(target, 0)} · "
                         + (t("met", lang) if met else t("not_met", lang)))
            note = row.get("note")
            col.metric(str(row[name_col]), fmt_share(row["value"]), delta=delta,
                       delta_color="normal" if met else "inverse",
                       delta_arrow="off" if delta else "auto",
                       help=str(note) if pd.notna(note) and note else None)
    _chart(shown, name_col, lang)
    view = pd.DataFrame({
        t("indicator", lang): area[name_col],
        t("value", lang): area["value"].map(fmt_share),
        t("target", lang): area["target"].map(fmt_share) if "target" in area else "—",
        t("met", lang): area["met"].map(
            lambda m: "—" if pd.isna(m) else t("met" if bool(m) else "not_met", lang))
        if "met" in area else "—",
        t("gap", lang): [
            "—" if pd.isna(g) else f"{fmt_number(g)} {unit_label(u, lang)}".strip()
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


def render() -> None:
    """The Overview page."""
    lang = header("page_overview", "overview_intro")
    project, ctx = project_and_run(lang)
    st.caption(f"{t('project', lang)}: **{project.name}**")
    _headline(project, ctx, lang)
    _indicators(ctx, lang)
    _status_chart(ctx, lang)
    if ctx is not None and (ctx.warnings or ctx.defaults):
        with st.expander(t("warnings", lang)):
            for w in ctx.warnings:
                st.markdown(f"- {w}")
            if ctx.defaults:
                st.markdown(f"**{t('defaults', lang)}**")
                for d in ctx.defaults:
                    st.markdown(f"- {d}")
