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

from gis.analysis.targets import PRESETS
from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import header, no_project, show_error
from gis.config import attribute_docs, from_dict, to_dict
from gis.params import RunParams

__all__ = ["SECTION_LABELS", "field_choices", "render", "widget_kind"]

#: Section name -> (Vietnamese, English) heading, in the order shown; unknown sections come last
#: and show their name.
SECTION_LABELS: dict[str, tuple[str, str]] = {
    "targets": ("Mục tiêu của kế hoạch", "Plan targets"),
    "mobile": ("Quy tắc phủ sóng thôn", "Hamlet coverage rule"),
    "radio": ("Vô tuyến (vùng phủ di động)", "Radio (mobile coverage)"),
    "fiber": ("Cáp quang FTTH và chi phí", "FTTH fiber and costs"),
    "sharing": ("Dùng chung hạ tầng", "Infrastructure sharing"),
    "load": ("Đọc dữ liệu", "Reading inputs"),
}
#: Field path -> (Vietnamese, English) label of the parameters planners change most; the others
#: show their code name (with their documentation in the help tooltip).
PARAM_LABELS: dict[str, tuple[str, str]] = {
    "targets.preset": ("Bộ mục tiêu (kế hoạch)", "Targets preset (plan)"),
    "targets.overrides": ("Mục tiêu sửa riêng (0-1)", "Targets changed (0-1)"),
    "mobile.centre_required": ("Bắt buộc có sóng tại trung tâm thôn",
                               "Hamlet centre must be covered"),
    "mobile.min_pop_share": ("Tỷ lệ dân tối thiểu được phủ (0-1)",
                             "Minimum population share covered (0-1)"),
    "radio.techs": ("Công nghệ: tần số, công suất, ngưỡng RSRP",
                    "Technologies: bands, power, RSRP thresholds"),
    "radio.env": ("Môi trường truyền sóng", "Propagation environment"),
    "radio.model_rules": ("Mô hình truyền sóng theo băng tần", "Propagation model per band"),
    "radio.rx_height_m": ("Độ cao máy thu (m)", "Receiver height (m)"),
    "radio.diffraction": ("Nhiễu xạ địa hình", "Terrain diffraction"),
    "radio.default_height_m": ("Độ cao cột mặc định (m)", "Default tower height (m)"),
    "radio.structure_heights_m": ("Độ cao theo loại cột (m)", "Height per structure type (m)"),
    "radio.low_band_max_radius_m": ("Bán kính tính tối đa, băng thấp (m)",
                                    "Maximum radius, low bands (m)"),
    "fiber.drop_max_m": ("Chiều dài cáp thuê bao tối đa (m)", "Maximum drop length (m)"),
    "fiber.hh_share_min": ("Tỷ lệ hộ tối thiểu với FTTH (0-1)",
                           "Minimum household share with FTTH (0-1)"),
    "fiber.costs.aerial_vnd_per_m": ("Chi phí cáp treo (VND/m)", "Aerial cable cost (VND/m)"),
    "fiber.costs.underground_vnd_per_m": ("Chi phí cáp ngầm (VND/m)",
                                          "Underground cable cost (VND/m)"),
    "fiber.prefer_planned_works": ("Ưu tiên đường có công trình dự kiến",
                                   "Prefer roads with planned works"),
    "sharing.colocation_distance_m": ("Khoảng cách coi là cùng vị trí (m)",
                                      "Co-location distance (m)"),
    "sharing.new_tower_height_m": ("Độ cao cột mới (m)", "New tower height (m)"),
}

#: Sections open when the page opens (the others are one click away).
EXPANDED = ("targets", "mobile")


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
    help_text = (doc + "\n\n" if doc else "") + f"{t('default', lang)}: {_fmt_default(default)}"
    pair = PARAM_LABELS.get(f"{prefix}{f.name}")
    label = (f"{pair[1] if lang == 'en' else pair[0]} ({f.name})" if pair else f.name) \
        + (" ✱" if value != default else "")
    if kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=help_text)
    if kind in ("int", "float"):
        if value is None and optional:
            raw = st.text_input(label, value="", key=key, help=help_text)
            return None if not raw.strip() else (int(raw) if kind == "int" else float(raw))
        if kind == "int":
            return int(st.number_input(label, value=int(value), step=1, key=key,
                                       help=help_text))
        return float(st.number_input(label, value=float(value), key=key, help=help_text,
                                     format="%g"))
    if kind == "enum":
        members = [m.value for m in base_tp]
        current = value.value if isinstance(value, enum.Enum) else value
        return st.selectbox(label, members, index=members.index(current) if current in members
                            else 0, key=key, help=help_text)
    if kind == "str":
        choices = field_choices(section, f.name)
        if choices:
            return st.selectbox(label, choices, index=choices.index(value) if value in choices
                                else 0, key=key, help=help_text)
        return st.text_input(label, value=value or "", key=key, help=help_text)
    raw = st.text_area(label, value=json.dumps(to_dict(value), ensure_ascii=False), key=key,
                       help=help_text, height=80)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{prefix}{f.name}: {exc}") from exc


def _section_widgets(obj: Any, default: Any, section: str, prefix: str, lang: str) -> dict:
    hints = typing.get_type_hints(type(obj))
    docs = attribute_docs(type(obj))
    out: dict[str, Any] = {}
    simple = [f for f in dataclasses.fields(obj)
              if f.init and widget_kind(hints[f.name]) != "dataclass"]
    nested = [f for f in dataclasses.fields(obj)
              if f.init and widget_kind(hints[f.name]) == "dataclass"]
    cols = st.columns(3)
    for i, f in enumerate(simple):
        with cols[i % 3]:
            out[f.name] = _widget(prefix, section, f, hints[f.name], getattr(obj, f.name),
                                  getattr(default, f.name), docs.get(f.name, ""), lang)
    for f in nested:
        st.markdown(f"**{f.name}**" + (f" — {docs[f.name]}" if docs.get(f.name) else ""))
        out[f.name] = _section_widgets(getattr(obj, f.name), getattr(default, f.name), section,
                                       f"{prefix}{f.name}.", lang)
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
            pair = SECTION_LABELS.get(f.name, (f.name, f.name))
            with st.expander(f"{pair[1] if lang == 'en' else pair[0]} (`{f.name}`)",
                             expanded=f.name in EXPANDED):
                try:
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
    changes = _changed(to_dict(params), to_dict(defaults))
    if changes:
        st.caption(t("params_changed", lang))
        st.dataframe(pd.DataFrame(changes, columns=["", t("default", lang), t("value", lang)])
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
