"""Results page: the per-hamlet table with filters and search, the uncovered list, and every
result table of the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from gis.analysis.status import MOBILE_STATUSES, ftth_status, mobile_status, uncovered_hamlets
from gis.app.i18n import t
from gis.app.widgets import header, localised, project_and_run
from gis.labels import column_label, status_label, table_label
from gis.layers.schema import header_key

__all__ = ["filter_hamlets", "render", "search", "uncovered"]


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
                   statuses: list[str] | None = None, text: str = "") -> pd.DataFrame:
    """The hamlets in ``communes`` with a mobile status in ``statuses`` matching ``text``."""
    out = hamlets
    if communes:
        out = out[out["commune"].astype(str).isin(communes)]
    if statuses:
        out = out[mobile_status(out).isin(statuses).to_numpy()]
    return search(out, text) if text else out


def uncovered(ctx, lang: str) -> pd.DataFrame:
    """The uncovered-hamlet list of the exports (:func:`gis.analysis.status.uncovered_hamlets`)."""
    return uncovered_hamlets(ctx.hamlets, ctx.tables, lang=lang)


def _table(frame: pd.DataFrame, lang: str, key: str) -> None:
    text = st.text_input(t("search", lang), key=f"search_{key}")
    shown = search(frame, text) if text else frame
    st.caption(t("rows_shown", lang, n=len(shown), total=len(frame)))
    st.dataframe(localised(shown, lang), hide_index=True, width="stretch", key=f"table_{key}")


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
        h = ctx.hamlets
        c1, c2, c3 = st.columns([2, 2, 2])
        communes = c1.multiselect(t("filter_commune", lang),
                                  sorted(h["commune"].dropna().astype(str).unique())
                                  if "commune" in h else [], key="filter_commune")
        statuses = c2.multiselect(t("filter_status", lang), list(MOBILE_STATUSES),
                                  key="filter_status",
                                  format_func=lambda c: status_label(c, lang))
        text = c3.text_input(t("search", lang), key="search_hamlets")
        shown = filter_hamlets(h, communes=communes, statuses=statuses, text=text)
        view = shown.copy()
        view.insert(2, "mobile_status", mobile_status(shown).map(
            lambda c: status_label(c, lang)).to_numpy())
        view.insert(3, "ftth_status", ftth_status(shown).map(
            lambda c: status_label(c, lang)).to_numpy())
        st.caption(t("rows_shown", lang, n=len(shown), total=len(h)))
        shares = {c: st.column_config.ProgressColumn(
            column_label(str(c), lang), min_value=0.0, max_value=1.0, format="percent")
            for c in view.columns if str(c).startswith(("pop_share", "hh_share", "cov_"))
            and np.issubdtype(view[c].dtype, np.number)}
        loc = localised(view, lang)
        config = {loc.columns[list(view.columns).index(c)]: cfg for c, cfg in shares.items()}
        st.dataframe(loc, hide_index=True, width="stretch", key="table_hamlets",
                     column_config=config)
    with tabs[1]:
        _table(uncovered(ctx, lang), lang, "uncovered")
    for (name, _label), tab in zip(names[2:], tabs[2:], strict=True):
        with tab:
            _table(ctx.tables[name], lang, name)
