"""Streamlit entry point: page set-up and navigation only; the pages live in gis/app/."""

import streamlit as st

st.set_page_config(page_title="Hạ tầng số / Digital infrastructure", page_icon="📡", layout="wide")
st.title("Quy hoạch hạ tầng viễn thông thụ động / Passive telecom infrastructure planning")
st.write("The web app is being built; run `python -m gis run --project data/sample --out out`.")
