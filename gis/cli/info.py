"""``python -m gis info FILE [--kind KIND]``: read and validate one file, print a summary."""

from __future__ import annotations

import argparse

from gis.layers.conventions import IMPORT_OPENCELLID
from gis.layers.schema import RASTER_KINDS, LayerKind


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("info", help="read and validate one file and print what was found")
    p.add_argument("file", help="a layer file (shp, zip, gpkg, geojson, kml, kmz, csv, xlsx, tif) "
                   "or a project folder")
    p.add_argument("--kind", choices=[k.value for k in LayerKind] + list(RASTER_KINDS),
                   help="layer kind (guessed from the content when not given)")
    p.add_argument("--layer", help="layer name inside a GeoPackage or zip, or XLSX sheet")
    p.add_argument("--crs", help="CRS of the coordinates when the file does not say "
                   "(e.g. EPSG:4326, EPSG:3405, vn2000-tm3:105.5)")
    p.add_argument("--province", help="province whose VN-2000 TM-3 meridian applies")
    p.add_argument("--admin-level", choices=["province", "district", "commune"],
                   help="level of an admin file with several (GADM NAME_1..3, OCHA ADM1..3): "
                   "default the finest")
    p.add_argument("--lang", choices=["en", "vi"], default="en")
    return p


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gis.layers.read import read_any
    from gis.project import load_project

    if Path(args.file).is_dir() and (Path(args.file) / "project.json").is_file():
        project = load_project(args.file, {})
        vi = args.lang == "vi"
        print(("Dự án " if vi else "Project ") + f"{project.name}: {project.crs.name}")
        for kind, gdf in project.layers.items():
            print(f"  {kind}: {len(gdf)} " + ("dòng" if vi else "rows"))
        for kind, path in project.rasters.items():
            print(f"  {kind}: {Path(path).name}")
        for kind, report in project.reports.items():
            for w in report.warnings_vi if vi else report.warnings:
                print(("Cảnh báo " if vi else "Warning ") + f"({kind}): {w}")
        return 0

    result = read_any(args.file, kind=args.kind, layer=args.layer, crs=args.crs,
                      province=args.province, admin_level=getattr(args, "admin_level", None))
    vi = args.lang == "vi"
    print(result.report.summary(args.lang))
    if result.raster is not None:
        r, x = result.raster, result.report.extra
        print("Raster: "
              + f"{r.width} x {r.height} {'ô' if vi else 'cells'} {r.res_m:g} m, "
              + (f"giá trị {x.get('min', float('nan')):g}..{x.get('max', float('nan')):g}, "
                 if vi else
                 f"values {x.get('min', float('nan')):g}..{x.get('max', float('nan')):g}, ")
              + f"nodata {x.get('nodata_share', 0.0):.1%}")
    elif result.gdf is not None and len(result.gdf):
        xmin, ymin, xmax, ymax = result.gdf.total_bounds
        print(("Lớp " if vi else "Layer ") + f"{result.kind}: "
              + f"{result.gdf.crs.name}, x {xmin:,.0f}..{xmax:,.0f} m, y {ymin:,.0f}..{ymax:,.0f} m")
    if result.kind == "sites" and result.gdf is not None and {
            "mcc", "net", "cell", "samples"} <= {str(c) for c in result.gdf.columns}:
        print(("Gợi ý: tệp OpenCelliD nên nhập bằng `" if vi else
               "Hint: an OpenCelliD file is imported with `") + IMPORT_OPENCELLID + "`.")
    return 0
