"""``python -m gis info FILE [--kind KIND]``: read and validate one file, print a summary."""

from __future__ import annotations

import argparse

from gis.layers.schema import RASTER_KINDS, LayerKind


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("info", help="read and validate one file and print what was found")
    p.add_argument("file", help="a layer file (shp, zip, gpkg, geojson, kml, kmz, csv, xlsx, tif)")
    p.add_argument("--kind", choices=[k.value for k in LayerKind] + list(RASTER_KINDS),
                   help="layer kind (guessed from the content when not given)")
    p.add_argument("--layer", help="layer name inside a GeoPackage or KML")
    p.add_argument("--crs", help="CRS of the coordinates when the file does not say "
                   "(e.g. EPSG:4326, EPSG:3405, vn2000-tm3:105.5)")
    p.add_argument("--province", help="province whose VN-2000 TM-3 meridian applies")
    p.add_argument("--lang", choices=["en", "vi"], default="en")
    return p


def main(args: argparse.Namespace) -> int:
    from gis.layers.read import read_any

    result = read_any(args.file, kind=args.kind, layer=args.layer, crs=args.crs,
                      province=args.province)
    print(result.report.summary(args.lang))
    return 0
