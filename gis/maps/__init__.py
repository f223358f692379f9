"""Folium map builders used by the app and notebooks.

:func:`build_map` composes the planning map; the modules below build its parts:
:mod:`~gis.maps.layers` (hamlets, sites, sectors, lines, points), :mod:`~gis.maps.raster`
(coverage rasters as PNG overlays), :mod:`~gis.maps.geojson` (compact GeoJSON) and
:mod:`~gis.maps.style` (colours and display statuses).
"""

from gis.maps.build import (
    BASEMAPS,
    MapOptions,
    MapParts,
    build_map,
    build_map_parts,
    coverage_choices,
    hamlet_at,
    map_html,
)
from gis.maps.style import ftth_status, mobile_status

__all__ = [
    "BASEMAPS",
    "MapOptions",
    "MapParts",
    "build_map",
    "build_map_parts",
    "coverage_choices",
    "ftth_status",
    "hamlet_at",
    "map_html",
    "mobile_status",
]
