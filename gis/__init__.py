"""gis: GIS planning of passive telecom infrastructure in Vietnam.

Layers of hamlets, BTS sites, fiber, roads and terrain go in; coverage per operator and
technology, per-hamlet mobile broadband and FTTH status, site sharing, proposed towers and
fiber extensions, and the plan's indicators come out.

The modules follow the flow of data: :mod:`gis.layers` (read, validate, reproject, write),
:mod:`gis.radio` (propagation and coverage), :mod:`gis.analysis` (per-hamlet results, sharing,
indicators), :mod:`gis.maps` (folium maps), :mod:`gis.app` (the Streamlit pages) and
:mod:`gis.cli` (``python -m gis``). :class:`gis.project.Project` holds one planning area.
"""

__version__ = "0.1.0"
