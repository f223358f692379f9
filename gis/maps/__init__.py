"""Folium map builders used by the app and notebooks."""
