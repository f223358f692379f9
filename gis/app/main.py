"""The app's frame: the language switch, the page list and the navigation (called by app.py)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import streamlit as st

from gis.app import _state
from gis.app.i18n import LANGS, t

__all__ = ["PAGES", "language_switch", "navigation", "run_page", "switch_to"]

#: Page id -> (module under gis.app with a render(), title key, icon). The first is the default.
PAGES: dict[str, tuple[str, str, str]] = {
    "overview": ("gis.app.overview", "page_overview", ":material/dashboard:"),
    "map": ("gis.app.map_page", "page_map", ":material/map:"),
    "data": ("gis.app.data", "page_data", ":material/upload_file:"),
    "parameters": ("gis.app.parameters", "page_params", ":material/tune:"),
    "results": ("gis.app.results", "page_results", ":material/table_chart:"),
    "whatif": ("gis.app.whatif_page", "page_whatif", ":material/cell_tower:"),
    "export": ("gis.app.export", "page_export", ":material/download:"),
}


def language_switch() -> str:
    """The sidebar's language switch (Tiếng Việt / English); returns ``"vi"`` or ``"en"``."""
    codes = list(LANGS)
    current = _state.lang()
    choice = st.sidebar.radio(
        "Ngôn ngữ / Language", codes, index=codes.index(current),
        format_func=LANGS.__getitem__, horizontal=True, key="_lang_radio",
    )
    st.session_state[_state.KEY_LANG] = choice
    return choice


def _renderer(page_id: str) -> Callable[[], None]:
    module_name = PAGES[page_id][0]

    def render() -> None:
        import_module(module_name).render()

    render.__name__ = f"page_{page_id}"
    return render


def _sidebar_footer(lang: str) -> None:
    base = _state.base_project()
    if base is not None:
        st.sidebar.caption(f"{t('project', lang)}: **{base[0].name}**")
    over = st.session_state.get(_state.KEY_OVERRIDES, {})
    if over:
        st.sidebar.caption(f"{t('session_layers', lang)}: {', '.join(sorted(over))}")


def navigation() -> None:
    """Build the sidebar and run the selected page (the whole of app.py's work)."""
    lang = language_switch()
    pages = [
        st.Page(_renderer(pid), title=t(title, lang), icon=icon, url_path=pid,
                default=i == 0)
        for i, (pid, (_mod, title, icon)) in enumerate(PAGES.items())
    ]
    _PAGE_OBJECTS.clear()
    _PAGE_OBJECTS.update(zip(PAGES, pages, strict=True))
    nav = st.navigation(pages)
    _sidebar_footer(lang)
    nav.run()


#: The pages of the running navigation (empty when a page runs alone, as in the tests).
_PAGE_OBJECTS: dict[str, object] = {}


def switch_to(page_id: str) -> None:
    """Go to another page (when the app runs with its navigation; else stay)."""
    page = _PAGE_OBJECTS.get(page_id)
    if page is not None:
        st.switch_page(page)


def run_page(page_id: str) -> None:
    """Render one page with the sidebar (used by tests through ``AppTest.from_function``)."""
    lang = language_switch()
    _sidebar_footer(lang)
    import_module(PAGES[page_id][0]).render()
