"""Folium map builders used by the app and notebooks.

:func:`build_map` composes the planning map; the modules below build its parts:
:mod:`~gis.maps.layers` (hamlets, sites, sectors, lines, points), :mod:`~gis.maps.raster`
(coverage rasters as PNG overlays), :mod:`~gis.maps.geojson` (compact GeoJSON) and
:mod:`~gis.maps.style` (colours of operators, roads and fiber). The hamlet statuses and their
colours are :mod:`gis.analysis.status`; the words, :mod:`gis.labels`.
"""

from gis.maps.build import (
    BASEMAPS,
    MapOptions,
    MapParts,
    build_map,
    build_map_parts,
    colour_choices,
    coverage_choices,
    hamlet_at,
    map_html,
    overlay_name,
    speed_choices,
)

__all__ = [
    "BASEMAPS",
    "MapOptions",
    "MapParts",
    "build_map",
    "build_map_parts",
    "colour_choices",
    "coverage_choices",
    "hamlet_at",
    "map_html",
    "overlay_name",
    "speed_choices",
]
