"""Streamlit pages and widgets: thin, they call the API and compute nothing themselves."""
