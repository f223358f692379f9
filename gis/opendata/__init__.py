"""Open data importers: OpenStreetMap, OpenCelliD, public DEMs and population rasters.

A planner without official layers builds a first project from open sources, then replaces
layers with official ones. Every importer filters to an area first (a lon/lat bbox or an admin
polygon, :mod:`gis.opendata.area`), reprojects to the project's analysis CRS and adds or
replaces only its own layers in the project, with a load report saying what came from where.
"""

from gis.opendata.area import Area, parse_area
from gis.opendata.osm import OsmParams, import_osm, read_osm

__all__ = [
    "Area",
    "OsmParams",
    "import_osm",
    "parse_area",
    "read_osm",
]
