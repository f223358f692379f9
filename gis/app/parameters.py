"""Parameters page: widgets generated from the :class:`~gis.params.RunParams` dataclasses, with
their defaults and documentation, and the re-run button with a progress bar per stage.

Widgets are generated from each section's dataclass fields (bool -> checkbox, number -> number
input, Enum -> select box, nested dataclass -> its own group, anything else -> JSON), so a section
an analysis adds to ``RunParams`` appears here without app code. Values are validated by the
dataclasses themselves (:func:`gis.params.from_dict`); errors are shown, never applied.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from typing import Any

import pandas as pd
import streamlit as st

from gis.analysis.indicators import INDICATORS
from gis.analysis.targets import MAX_TARGETS, PRESETS, IndicatorParams, Targets, preset_targets
from gis.app import _state
from gis.app.calibration import render_section as render_calibration
from gis.app.i18n import t
from gis.app.param_words import SECTION_WORDS, help_text, param_label
from gis.app.widgets import header, no_project, show_error
from gis.config import attribute_docs, from_dict, to_dict
from gis.labels import label
from gis.params import RunParams

__all__ = ["SECTION_LABELS", "field_choices", "render", "targets_overrides", "targets_table",
           "widget_kind"]

#: Section name -> (Vietnamese, English) heading (:data:`gis.app.param_words.SECTION_WORDS`).
SECTION_LABELS = SECTION_WORDS

#: Sections open when the page opens (the others are one click away).
EXPANDED = ("targets", "mobile")

#: Sections that are not typed in the form: the calibration is fitted on measurements by its
#: own section below the form (:func:`gis.app.calibration.render_section`).
FITTED_SECTIONS = ("calibration",)


def field_choices(section: str, name: str) -> list[str] | None:
    """Fixed choices of a string parameter (e.g. the targets preset), when known."""
    if section == "targets" and name == "preset":
        return list(PRESETS)
    return None


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def widget_kind(tp: Any) -> str:
    """Which widget edits a field of type ``tp``: ``dataclass``, ``bool``, ``int``, ``float``,
    ``enum``, ``str`` or ``json``."""
    tp, _ = _unwrap_optional(tp)
    if dataclasses.is_dataclass(tp):
        return "dataclass"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "enum"
    if tp is str:
        return "str"
    return "json"


def _fmt_default(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False) if not isinstance(value, str) \
        else repr(value)


def _widget(prefix: str, section: str, f: dataclasses.Field, tp: Any, value: Any,
            default: Any, doc: str, lang: str) -> Any:
    """One field's widget; returns the JSON-able value entered."""
    kind = widget_kind(tp)
    base_tp, optional = _unwrap_optional(tp)
    key = f"param.{prefix}{f.name}"
    path = f"{prefix}{f.name}"
    words = help_text(path, lang, doc)
    help_text_ = (words + "\n\n" if words else "") + \
        f"{t('default', lang)}: {_fmt_default(default)}"
    label = f"{param_label(path, lang)} ({f.name})" + (" ✱" if value != default else "")
    if kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=help_text_)
    if kind in ("int", "float"):
        if value is None and optional:
            raw = st.text_input(label, value="", key=key, help=help_text_)
            return None if not raw.strip() else (int(raw) if kind == "int" else float(raw))
        if kind == "int":
            return int(st.number_input(label, value=int(value), step=1, key=key,
                                       help=help_text_))
        return float(st.number_input(label, value=float(value), key=key, help=help_text_,
                                     format="%g"))
    if kind == "enum":
        members = [m.value for m in base_tp]
        current = value.value if isinstance(value, enum.Enum) else value
        return st.selectbox(label, members, index=members.index(current) if current in members
                            else 0, key=key, help=help_text_)
    if kind == "str":
        choices = field_choices(section, f.name)
        if choices:
            return st.selectbox(label, choices, index=choices.index(value) if value in choices
                                else 0, key=key, help=help_text_)
        return st.text_input(label, value=value or "", key=key, help=help_text_)
    raw = st.text_area(label, value=json.dumps(to_dict(value), ensure_ascii=False), key=key,
                       help=help_text_, height=80)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{prefix}{f.name}: {exc}") from exc


def _section_widgets(obj: Any, default: Any, section: str, prefix: str, lang: str, *,
                     skip: tuple[str, ...] = ()) -> dict:
    hints = typing.get_type_hints(type(obj))
    docs = attribute_docs(type(obj))
    out: dict[str, Any] = {}
    simple = [f for f in dataclasses.fields(obj)
              if f.init and widget_kind(hints[f.name]) != "dataclass" and f.name not in skip]
    nested = [f for f in dataclasses.fields(obj)
              if f.init and widget_kind(hints[f.name]) == "dataclass"]
    cols = st.columns(3)
    for i, f in enumerate(simple):
        with cols[i % 3]:
            out[f.name] = _widget(prefix, section, f, hints[f.name], getattr(obj, f.name),
                                  getattr(default, f.name), docs.get(f.name, ""), lang)
    for f in nested:
        path = f"{prefix}{f.name}"
        st.markdown(f"**{param_label(path, lang)}** — {help_text(path, lang, docs.get(f.name, ''))}")
        out[f.name] = _section_widgets(getattr(obj, f.name), getattr(default, f.name), section,
                                       f"{prefix}{f.name}.", lang)
    return out


# -- the targets as a table ----------------------------------------------------------------

_NAMES = {d.indicator_id: (d.name_vi, d.name_en) for d in INDICATORS}
_TARGET_FIELDS = [f.name for f in dataclasses.fields(Targets) if f.name not in ("name", "source")]


def targets_table(params: IndicatorParams, lang: str) -> pd.DataFrame:
    """The targets of ``params`` as a table a planner edits: one row per indicator (index: its
    id) with ``indicator`` (its name), ``target`` (percent, empty when the plan sets none),
    ``unit``, ``comparison`` (≥ a minimum, ≤ a maximum) and ``source`` (the preset's plan, or
    "changed" when the target differs from it)."""
    preset = preset_targets(params.preset)
    current = params.targets
    rows = []
    for ind in _TARGET_FIELDS:
        value, base = current.get(ind), preset.get(ind)
        names = _NAMES.get(ind)
        name = (names[0] if lang == "vi" else names[1]) if names else label(ind, lang)
        if ind in params.overrides:
            source = t("target_changed", lang)
        elif base is not None:
            source = preset.source or preset.name
        else:
            source = "—"
        rows.append({"id": ind, "indicator": name,
                     "target": None if value is None else round(100.0 * value, 3),
                     "unit": "%", "comparison": "≤" if ind in MAX_TARGETS else "≥",
                     "source": source})
    return pd.DataFrame(rows).set_index("id")


def targets_overrides(edited: pd.DataFrame, preset: str) -> dict[str, float | None]:
    """The overrides of the targets table as edited (percent) against ``preset``: each target
    that differs from the preset's, as a share 0-1 (``None``: the target removed)."""
    base = preset_targets(preset)
    out: dict[str, float | None] = {}
    for ind, row in edited.iterrows():
        v = row.get("target")
        value = None if v is None or pd.isna(v) else round(float(v) / 100.0, 6)
        ref = base.get(str(ind))
        if (value is None) != (ref is None) or (value is not None and abs(value - ref) > 1e-9):
            out[str(ind)] = value
    return out


def _targets_section(params: IndicatorParams, default: IndicatorParams, lang: str) -> dict:
    """The targets section: the preset, the targets table, then the other fields."""
    docs = attribute_docs(IndicatorParams)
    preset = st.selectbox(
        f"{param_label('targets.preset', lang)} (preset)", list(PRESETS),
        index=list(PRESETS).index(params.preset), key="param.targets.preset",
        format_func=lambda k: f"{PRESETS[k].name} — {k}",
        help=help_text("targets.preset", lang, docs.get("preset", "")))
    st.caption(t("targets_table_help", lang))
    table = targets_table(params, lang)
    edited = st.data_editor(
        table, key="targets_table", width="stretch", hide_index=True, num_rows="fixed",
        disabled=["indicator", "unit", "comparison", "source"],
        column_config={
            "indicator": st.column_config.TextColumn(t("indicator", lang)),
            "target": st.column_config.NumberColumn(t("target", lang), min_value=0.0,
                                                    max_value=100.0, step=0.1, format="%.1f"),
            "unit": st.column_config.TextColumn(t("unit", lang)),
            "comparison": st.column_config.TextColumn(t("comparison", lang)),
            "source": st.column_config.TextColumn(t("source", lang)),
        })
    # a new preset brings its own targets: edits of the old one's table are not carried over
    overrides = {} if preset != params.preset else targets_overrides(edited, preset)
    out = {"preset": preset, "overrides": overrides}
    rest = _section_widgets(params, default, "targets", "targets.", lang,
                            skip=("preset", "overrides"))
    out.update(rest)
    return out


def _changed(current: dict, default: dict, path: str = "") -> list[tuple[str, Any, Any]]:
    rows = []
    for k, v in current.items():
        d = default.get(k) if isinstance(default, dict) else None
        if isinstance(v, dict) and isinstance(d, dict) and v and d:
            rows.extend(_changed(v, d, f"{path}{k}."))
        elif v != d:
            rows.append((f"{path}{k}", d, v))
    return rows


def render() -> None:
    """The Parameters page."""
    lang = header("page_params", "params_intro")
    if _state.base_project() is None:
        no_project(lang)
        return
    params = _state.current_params()
    defaults = RunParams()
    with st.form("params_form", border=False):
        entered: dict[str, Any] = {}
        error: BaseException | None = None
        top = st.form_submit_button(t("run_button", lang), type="primary", key="run_top")
        order = {name: i for i, name in enumerate(SECTION_LABELS)}
        sections = sorted(dataclasses.fields(params), key=lambda f: order.get(f.name, 99))
        for f in sections:
            if f.name in FITTED_SECTIONS:
                entered[f.name] = to_dict(getattr(params, f.name))
                continue
            pair = SECTION_LABELS.get(f.name, (f.name, f.name))
            with st.expander(f"{pair[1] if lang == 'en' else pair[0]} (`{f.name}`)",
                             expanded=f.name in EXPANDED):
                try:
                    if f.name == "targets":
                        entered[f.name] = _targets_section(params.targets, defaults.targets,
                                                           lang)
                    else:
                        entered[f.name] = _section_widgets(getattr(params, f.name),
                                                           getattr(defaults, f.name), f.name,
                                                           f"{f.name}.", lang)
                except ValueError as exc:
                    error = exc
        bottom = st.form_submit_button(t("run_button", lang), type="primary", key="run_bottom")
    if top or bottom:
        try:
            if error is not None:
                raise error
            new = from_dict(RunParams, entered)
        except (ValueError, TypeError) as exc:
            show_error(exc, lang, "params_invalid")
        else:
            st.session_state[_state.KEY_PARAMS] = new
            params = new
            ctx = _state.get_run()
            if ctx is not None:
                hits = ctx.cache_hits
                st.success(t("done", lang) + (f" · cache: {', '.join(hits)}" if hits else ""))
                if ctx.timings:
                    st.caption(t("timings", lang))
                    st.dataframe(pd.DataFrame({t("stage", lang): list(ctx.timings),
                                               "s": list(ctx.timings.values())}),
                                 hide_index=True)
    pair = SECTION_LABELS["calibration"]
    with st.expander(f"{pair[1] if lang == 'en' else pair[0]} (`calibration`)"):
        # the fit computes the coverage it needs: viewing the page must not start a run
        calibrated = render_calibration(_state.session_project().project, params, lang)
    if calibrated is not None:
        st.session_state[_state.KEY_PARAMS] = calibrated
        params = calibrated
    changes = _changed(to_dict(params), to_dict(defaults))
    if changes:
        st.caption(t("params_changed", lang))
        st.dataframe(pd.DataFrame([(param_label(k, lang), d, v) for k, d, v in changes],
                                  columns=["", t("default", lang), t("value", lang)])
                     .astype(str), hide_index=True)
    c1, c2 = st.columns(2)
    if c1.button(t("params_reset", lang), key="params_reset"):
        st.session_state.pop(_state.KEY_PARAMS, None)
        for k in [k for k in st.session_state if str(k).startswith("param.")]:
            del st.session_state[k]
        st.rerun()
    c2.download_button(t("params_json", lang), json.dumps(to_dict(params), indent=2,
                                                          ensure_ascii=False),
                       file_name="params.json", mime="application/json", key="params_download")
