"""Results page: the per-hamlet table with filters (province and 2025 commune with their former
units, status, an indicator's hamlets, text search), the uncovered list in a planner's short
version beside the full one, and every result table of the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from gis.analysis.indicators import MAX_TARGETS
from gis.analysis.status import MOBILE_STATUSES, ftth_status, mobile_status, uncovered_hamlets
from gis.app.i18n import t
from gis.app.overview import KEY_INDICATOR_FILTER, indicator_hamlets
from gis.app.widgets import fmt_number, header, localised, project_and_run
from gis.labels import column_label, status_label, table_label
from gis.layers.schema import header_key

__all__ = ["SHORT_COLUMNS", "commune_choices", "filter_hamlets", "render", "search",
           "short_uncovered", "uncovered"]

#: The planner's short uncovered list: name, commune, population, what is missing, the fix.
SHORT_COLUMNS = ("name", "commune", "former_commune", "population", "missing", "proposed_fix")


def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows of ``frame`` where any text cell contains ``text``, ignoring case and diacritics
    (``"dong tam"`` finds ``"Thôn Đồng Tâm"``)."""
    needle = header_key(text)
    if not needle:
        return frame
    cols = [c for c in frame.columns if c != "geometry"
            and (pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c]))]
    if not cols:
        return frame.iloc[0:0]
    text = frame[cols].astype(object)
    hay = text.where(text.notna(), "").astype(str).agg(" ".join, axis=1).map(header_key)
    return frame[hay.str.contains(needle, regex=False).to_numpy()]


def filter_hamlets(hamlets: pd.DataFrame, *, communes: list[str] | None = None,
                   statuses: list[str] | None = None, text: str = "",
                   provinces: list[str] | None = None,
                   indicator: str | None = None, preset: str = "national") -> pd.DataFrame:
    """The hamlets in ``provinces`` and ``communes`` (the 2025 units when the run has them),
    with a mobile status in ``statuses``, that keep ``indicator`` from its target (an
    indicator id; :func:`gis.app.overview.indicator_hamlets`), matching ``text``."""
    out = hamlets
    if provinces and "province" in out:
        out = out[out["province"].astype(str).isin(provinces)]
    if communes:
        out = out[out["commune"].astype(str).isin(communes)]
    if statuses:
        out = out[mobile_status(out).isin(statuses).to_numpy()]
    if indicator:
        counted = indicator_hamlets(indicator, out, preset=preset)
        if counted is not None:
            lacking = counted if indicator in MAX_TARGETS else ~counted
            out = out[lacking.to_numpy()]
    return search(out, text) if text else out


def commune_choices(hamlets: pd.DataFrame, provinces: list[str] | None = None
                    ) -> dict[str, str]:
    """The communes to filter on -> the label shown: with the 2025 units, each new commune
    with the former communes it took (``Xã Nho Quan (cũ: Thị trấn Nho Quan, Xã Phú Bình)``)."""
    h = hamlets
    if provinces and "province" in h:
        h = h[h["province"].astype(str).isin(provinces)]
    if "commune" not in h:
        return {}
    names = sorted(h["commune"].dropna().astype(str).unique())
    if "former_commune" not in h:
        return {n: n for n in names}
    former = (h.dropna(subset=["commune"]).groupby(h["commune"].astype(str))["former_commune"]
              .agg(lambda s: sorted(set(s.dropna().astype(str)) - {""})))
    out = {}
    for n in names:
        old = [f for f in former.get(n, []) if f != n]
        out[n] = f"{n} ({'; '.join(old)})" if old else n
    return out


def uncovered(ctx, lang: str) -> pd.DataFrame:
    """The uncovered-hamlet list of the exports (:func:`gis.analysis.status.uncovered_hamlets`)."""
    return uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang)


def short_uncovered(full: pd.DataFrame) -> pd.DataFrame:
    """The planner's version of the uncovered list: name, commune (and the former commune),
    population, what is missing (``missing``: the reason) and the proposed fix."""
    out = pd.DataFrame(index=full.index)
    for col in SHORT_COLUMNS:
        src = "reason" if col == "missing" else col
        if src in full:
            out[col] = full[src].to_numpy()
    return out.reset_index(drop=True)


def _table(frame: pd.DataFrame, lang: str, key: str) -> None:
    text = st.text_input(t("search", lang), key=f"search_{key}")
    shown = search(frame, text) if text else frame
    st.caption(t("rows_shown", lang, n=fmt_number(len(shown), lang=lang),
                 total=fmt_number(len(frame), lang=lang)))
    st.dataframe(localised(shown, lang), hide_index=True, width="stretch", key=f"table_{key}")


def _hamlets_tab(ctx, lang: str) -> None:
    h = ctx.hamlets
    indicator = st.session_state.get(KEY_INDICATOR_FILTER)
    if indicator:
        table = ctx.tables.get("indicators")
        name_col = "name_en" if lang == "en" else "name_vi"
        names = (dict(zip(table["indicator_id"], table[name_col], strict=False))
                 if table is not None else {})
        c1, c2 = st.columns([4, 1])
        c1.info(t("filter_indicator", lang, name=names.get(indicator, indicator)))
        if c2.button(t("filter_clear", lang), key="filter_indicator_clear"):
            st.session_state.pop(KEY_INDICATOR_FILTER, None)
            indicator = None
    cols = st.columns(4 if "province" in h else 3)
    provinces = None
    if "province" in h:
        provinces = cols[0].multiselect(t("filter_province", lang),
                                        sorted(h["province"].dropna().astype(str).unique()),
                                        key="filter_province")
    rest = cols[1:] if "province" in h else cols
    choices = commune_choices(h, provinces)
    communes = rest[0].multiselect(t("filter_commune", lang), list(choices),
                                   key="filter_commune", format_func=choices.__getitem__)
    statuses = rest[1].multiselect(t("filter_status", lang), list(MOBILE_STATUSES),
                                   key="filter_status",
                                   format_func=lambda c: status_label(c, lang))
    text = rest[2].text_input(t("search", lang), key="search_hamlets")
    shown = filter_hamlets(h, communes=communes, statuses=statuses, text=text,
                           provinces=provinces, indicator=indicator,
                           preset=ctx.params.targets.preset)
    view = shown.copy()
    view.insert(2, "mobile_status", mobile_status(shown).map(
        lambda c: status_label(c, lang)).to_numpy())
    view.insert(3, "ftth_status", ftth_status(shown).map(
        lambda c: status_label(c, lang)).to_numpy())
    st.caption(t("rows_shown", lang, n=fmt_number(len(shown), lang=lang),
                 total=fmt_number(len(h), lang=lang)))
    shares = {c: st.column_config.ProgressColumn(
        column_label(str(c), lang), min_value=0.0, max_value=1.0, format="percent")
        for c in view.columns if str(c).startswith(("pop_share", "hh_share", "cov_"))
        and np.issubdtype(view[c].dtype, np.number)}
    loc = localised(view, lang, keep_numbers=list(shares))
    config = {loc.columns[list(view.columns).index(c)]: cfg for c, cfg in shares.items()}
    st.dataframe(loc, hide_index=True, width="stretch", key="table_hamlets",
                 column_config=config)


def render() -> None:
    """The Results page."""
    lang = header("page_results", "results_intro")
    _project, ctx = project_and_run(lang)
    if ctx is None or ctx.hamlets.empty:
        st.info(t("not_computed_long", lang))
        return
    names = [("hamlets", t("table_hamlets", lang)), ("uncovered", t("export_uncovered", lang))]
    names += [(n, table_label(n, lang)) for n in ctx.tables]
    tabs = st.tabs([label for _, label in names])
    with tabs[0]:
        _hamlets_tab(ctx, lang)
    with tabs[1]:
        full = uncovered(ctx, lang)
        short = st.toggle(t("uncovered_short", lang), value=True, key="uncovered_short")
        _table(short_uncovered(full) if short else full, lang, "uncovered")
    for (name, _label), tab in zip(names[2:], tabs[2:], strict=True):
        with tab:
            _table(ctx.tables[name], lang, name)
