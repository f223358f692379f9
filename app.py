"""Streamlit entry point: page set-up and navigation only; the pages live in gis/app/.

Run with ``make run`` (or ``streamlit run app.py``). The app opens the project folder named by
``$GIS_PROJECT``, by default the bundled sample area in ``data/sample``.
"""

import streamlit as st

from gis.app.main import navigation


def run() -> None:
    st.set_page_config(page_title="Hạ tầng số / Digital infrastructure", page_icon="📡",
                       layout="wide")
    navigation()


run()
