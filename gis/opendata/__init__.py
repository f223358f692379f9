"""Open data importers: OpenStreetMap, OpenCelliD, public DEMs and population rasters.

A planner without official layers builds a first project from open sources, then replaces
layers with official ones. Every importer filters to an area first (a lon/lat bbox or an admin
polygon, :mod:`gis.opendata.area`), reprojects to the project's analysis CRS and adds or
replaces only its own layers in the project, with a load report saying what came from where.
"""

from gis.opendata.area import Area, parse_area
from gis.opendata.dem import import_dem, read_dem
from gis.opendata.opencellid import CellParams, import_opencellid, read_opencellid
from gis.opendata.osm import OsmParams, import_osm, read_osm
from gis.opendata.population import import_population, read_population
from gis.opendata.rasters import RasterParams

__all__ = [
    "Area",
    "CellParams",
    "OsmParams",
    "RasterParams",
    "import_dem",
    "import_opencellid",
    "import_osm",
    "import_population",
    "parse_area",
    "read_dem",
    "read_opencellid",
    "read_osm",
    "read_population",
]
