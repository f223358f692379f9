"""Open data importers: OpenStreetMap, OpenCelliD, public DEMs and population rasters.

A planner without official layers builds a first project from open sources, then replaces
layers with official ones. Every importer filters to an area first (a lon/lat bbox or an admin
polygon, :mod:`gis.opendata.area`; masts, roads and cables within a margin of the largest
coverage radius around it), reprojects to the project's analysis CRS and adds or replaces only
its own layers in the project, with a load report saying what came from where and listing
every object of the area it did not use, with the reason.

Example (the CLI does the same with ``python -m gis import osm|opencellid|dem|population``)::

    from gis.opendata import import_dem, import_opencellid, import_osm, import_population

    area = "105.70,20.90,105.90,21.10"            # or an admin file (parse_area(f, unit=...))
    p = import_osm("vietnam-latest.osm.pbf", area)  # roads, villages, facilities, sites, fiber
    p = import_opencellid("452.csv.gz", area, p)    # sites replaced by estimated BTS sites
    p = import_dem(["srtm/"], area, p, out_dir="proj")
    p = import_population("vnm_ppp_2020.tif", area, p, out_dir="proj")
    p.save("proj")                                  # python -m gis run --project proj
"""

from gis.opendata.area import Area, default_margin_m, parse_area
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
    "default_margin_m",
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
