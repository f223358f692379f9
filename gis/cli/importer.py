"""``python -m gis import SOURCE ...``: build or extend a project from open data.

``import osm FILE --area AREA --out PROJECT``, ``import opencellid FILE --area AREA --out
PROJECT``, ``import dem FILES... --out PROJECT [--area AREA]`` and ``import population FILES...
--out PROJECT [--area AREA]``. ``AREA`` is ``"minlon,minlat,maxlon,maxlat"`` (degrees) or an
admin polygon file (``--area-name`` picks one unit of a file of several, ``--admin-level`` the
level its names are looked up at). ``osm`` and ``opencellid`` keep masts, roads and cables
within ``--margin`` metres of the area (default: the largest coverage radius of the radio
parameters), since a tower outside a commune serves hamlets inside it. Importing into an
existing project folder adds or replaces only the imported layers, so ``osm`` then
``opencellid`` then ``dem`` build one project.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gis.layers.admin_levels import ADMIN_LEVEL_CHOICES
from gis.opendata.osm import OSM_LAYERS


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("import", help="build or extend a project from OpenStreetMap, OpenCelliD, "
                       "DEM tiles or population rasters")
    kinds = p.add_subparsers(dest="source", required=True, metavar="SOURCE")

    def common(q: argparse.ArgumentParser, *, area_required: bool) -> None:
        q.add_argument("--area", required=area_required,
                       help="'minlon,minlat,maxlon,maxlat' in degrees, or an admin polygon file"
                       + ("" if area_required else " (default: the project's extent)"))
        q.add_argument("--area-name", metavar="NAME",
                       help="with an admin file of several units: the unit to use "
                       "(e.g. 'Xã Hải Hà', or a district or province name of the file; "
                       "diacritics and case ignored)")
        q.add_argument("--admin-level", choices=list(ADMIN_LEVEL_CHOICES),
                       help="with --area-name: the level whose names are searched (default: "
                       "the finest level that has the name)")
        q.add_argument("--out", required=True,
                       help="project folder (created, or extended when it exists)")
        q.add_argument("--lang", choices=["en", "vi"], default="en")

    margin_help = ("metres around the area within which {what} are kept (default: the largest "
                   "coverage radius of the radio parameters, 15000): a tower outside the area "
                   "serves hamlets inside it")
    q = kinds.add_parser("osm", help="roads, hamlets, facilities, masts, fiber and admin units "
                         "from .osm.pbf, .osm XML or Overpass JSON")
    q.add_argument("file", help="OSM file (.osm.pbf, .osm, .osm.gz, .json)")
    common(q, area_required=True)
    q.add_argument("--layers", default=",".join(OSM_LAYERS),
                   help="comma-separated layers to import (default: all six: "
                   + ", ".join(OSM_LAYERS) + ")")
    q.add_argument("--margin", type=float, metavar="M",
                   help=margin_help.format(what="masts, roads and cables"))
    q.add_argument("--location-index", default="auto",
                   help="node-location index: auto (default; file-backed above 200 MB), "
                   "flex_mem, sparse_file_array")
    q.add_argument("--unnamed-residential", action="store_true",
                   help="make residential areas without a place name hamlets too")

    q = kinds.add_parser("opencellid", help="estimated BTS sites from an OpenCelliD CSV")
    q.add_argument("file", help="OpenCelliD CSV or .csv.gz")
    common(q, area_required=True)
    q.add_argument("--cluster-radius", type=float, default=300.0, metavar="M",
                   help="radius (m) grouping GSM/UMTS cells into sites (default 300)")
    q.add_argument("--margin", type=float, metavar="M", help=margin_help.format(what="cells"))

    for name, what in (("dem", "SRTM .hgt tiles or GeoTIFF DEMs (or folders of them)"),
                       ("population", "WorldPop / HRSL population GeoTIFF(s)")):
        q = kinds.add_parser(name, help=f"{what}, mosaicked and clipped to the area")
        q.add_argument("files", nargs="+", help=what)
        common(q, area_required=False)
        q.add_argument("--resolution", type=float, metavar="M",
                       help="output cell size in metres (default: the source's)")
        q.add_argument("--margin", type=float, default=5000.0, metavar="M",
                       help="metres added around the area (default 5000)")
    p.set_defaults(lang="en")
    return p


def main(args: argparse.Namespace) -> int:
    from gis.opendata import CellParams, OsmParams, RasterParams
    from gis.opendata.area import parse_area
    from gis.opendata.source import import_source

    t0 = time.perf_counter()
    out = Path(args.out)
    area = (parse_area(args.area, unit=args.area_name, level=args.admin_level) if args.area
            else None)
    if args.source == "osm":
        layers = tuple(s.strip() for s in args.layers.split(",") if s.strip())
        project, kinds = import_source(
            "osm", args.file, area, out,
            osm=OsmParams(layers=layers, location_index=args.location_index,
                          unnamed_residential=args.unnamed_residential, margin_m=args.margin))
    elif args.source == "opencellid":
        project, kinds = import_source(
            "opencellid", args.file, area, out,
            cells=CellParams(cluster_radius_m=args.cluster_radius, margin_m=args.margin))
    else:
        project, kinds = import_source(
            args.source, args.files, area, out,
            rasters=RasterParams(margin_m=args.margin, resolution_m=args.resolution),
            out_dir=out)
    project.save(out)
    vi = args.lang == "vi"
    for kind in kinds:
        report = project.reports.get(kind)
        if report is not None and report.extra.get("no_broadband"):
            # The one finding that changes what the project can be used for: first, framed.
            print("!" * 72 + "\n" + (report.warnings_vi if vi else report.warnings)[0] + "\n"
                  + "!" * 72)
    for kind in kinds:
        report = project.reports.get(kind)
        if report is not None:
            print(report.summary(args.lang))
    counts = ", ".join(f"{k}: {len(v)}" for k, v in sorted(project.layers.items()))
    rasters = ", ".join(sorted(project.rasters)) or "-"
    print(("Dự án" if args.lang == "vi" else "Project") + f" {out}: {counts or '-'}; "
          f"rasters: {rasters} ({time.perf_counter() - t0:.1f} s)")
    return 0
