"""``python -m gis export RUN_DIR --format FMT``: re-export a saved run without recomputing.

Reads ``RUN_DIR/results.gpkg`` (written by ``python -m gis run``) and writes one table (by
default the uncovered-hamlet list) in another format or language, the HTML report, the XLSX
workbook (``--table all --format xlsx``) or every table (``--table all``: one file each, or
one GeoPackage).
"""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp", "kml", "kmz", "html")
_SUFFIX = {"shp": "zip"}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help="re-export a saved run (its results.gpkg) in another "
                       "format or language, without recomputing")
    p.add_argument("run_dir", metavar="RUN_DIR", help="output folder of 'python -m gis run' "
                   "(or its results.gpkg)")
    p.add_argument("--format", required=True, choices=FORMATS, dest="fmt",
                   help="csv (UTF-8 with BOM), xlsx, geojson, gpkg, shp (zipped, with "
                   "fields.csv), kml, kmz, html (the report)")
    p.add_argument("--table", default="uncovered_hamlets",
                   help="which result: uncovered_hamlets (default), hamlets, indicators, "
                   "positions, ..., a coverage raster (e.g. coverage_viettel_4g: its polygons "
                   "by tier) or 'all'")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="language of headers, reasons and the report")
    p.add_argument("--out", help="output file (a folder for --table all); default: in RUN_DIR")
    return p


def main(args: argparse.Namespace) -> int:
    from gis.errors import ValidationError
    from gis.export.writers import export_table, write_gpkg
    from gis.report.html import write_html
    from gis.report.results import RunResults
    from gis.report.workbook import write_workbook

    results = RunResults.from_folder(args.run_dir)
    run_dir = Path(args.run_dir)
    base = run_dir.parent if run_dir.suffix.lower() == ".gpkg" else run_dir
    suffix = _SUFFIX.get(args.fmt, args.fmt)
    lang = args.lang
    written: list[Path] = []
    if args.fmt == "html":
        out = Path(args.out) if args.out else base / f"report_{lang}.html"
        written.append(write_html(results, out, lang=lang))
    elif args.table == "all":
        tables = results.ordered_tables(lang)
        if args.fmt == "xlsx":
            out = Path(args.out) if args.out else base / f"report_{lang}.xlsx"
            written.append(write_workbook(results, out, lang=lang))
        elif args.fmt == "gpkg":
            out = Path(args.out) if args.out else base / f"results_{lang}.gpkg"
            written.append(write_gpkg(tables, out))
        else:
            folder = Path(args.out) if args.out else base / f"export_{args.fmt}_{lang}"
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in tables.items():
                written.append(export_table(frame, folder / f"{name}.{suffix}", args.fmt,
                                            lang=lang, layer=name))
    elif args.table in results.rasters:
        from gis.export.kml import kml_color, write_kml
        from gis.export.tiers import TIER_COLORS, tier_polygons
        from gis.labels import TIER_LABELS
        from gis.report.outputs import tiers_for

        tiers = tier_polygons(results.rasters[args.table],
                              tiers_dbm=tiers_for(args.table, results.meta.get("parameters")))
        out = Path(args.out) if args.out else base / f"{args.table}_tiers_{lang}.{suffix}"
        if args.fmt in ("kml", "kmz"):
            written.append(write_kml(
                tiers, out, lang=lang, name=args.table, name_column="tier", style_column="tier",
                colors={k: kml_color(v) for k, v in TIER_COLORS.items()},
                style_labels=TIER_LABELS))
        else:
            written.append(export_table(tiers, out, args.fmt, lang=lang, layer=args.table))
    else:
        tables = results.ordered_tables(lang)
        if args.table not in tables:
            valid = ", ".join([*tables, *results.rasters, "all"])
            raise ValidationError(
                f"The run has no table {args.table!r}; it has: {valid}.",
                f"Lần chạy không có bảng {args.table!r}; các bảng có: {valid}.",
                file=base / "results.gpkg",
                fix="Pick one of the listed tables with --table.",
                fix_vi="Chọn một bảng trong danh sách với --table.",
            )
        out = Path(args.out) if args.out else base / f"{args.table}_{lang}.{suffix}"
        written.append(export_table(tables[args.table], out, args.fmt, lang=lang,
                                    layer=args.table))
    for path in written:
        print(path)
    return 0
