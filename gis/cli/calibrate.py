"""``python -m gis calibrate MEAS --project DIR [--out params.json]``: calibrate the coverage
model on measurements.

Reads the measurements (drive test, speed-test export, OpenCelliD; CSV, XLSX, GeoJSON,
GeoPackage, KML, Shapefile), computes the project's coverage, fits an offset and a distance
slope per operator and land-cover class (:func:`gis.calibrate`), prints the table of groups and
writes the calibrated parameters, the group table, the residual layer and histogram
(:func:`gis.report.calibration.write_calibration`).
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("calibrate", help="calibrate the coverage model on signal measurements "
                       "(drive tests, speed tests, OpenCelliD): offset and distance slope per "
                       "operator and land-cover class")
    p.add_argument("measurements", metavar="MEAS", help="measurement file (lon/lat or X/Y, "
                   "operator, tech or band or freq_mhz, rsrp_dbm)")
    p.add_argument("--project", required=True, help="project folder whose coverage is "
                   "calibrated")
    p.add_argument("--params", help="run parameters (default: the project's params.json)")
    p.add_argument("--out", default="calibration/params.json",
                   help="calibrated parameters file to write (default %(default)s); the group "
                   "table, residual GeoJSON and histogram PNG are written beside it")
    p.add_argument("--partial", action="store_true",
                   help="write only the calibration section (default: the project's whole "
                   "parameters with it, ready for `gis run --params`)")
    p.add_argument("--crs", help="CRS of a measurement file that does not say")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="language of the table, the messages and the outputs' headers")
    return p


def main(args: argparse.Namespace) -> int:
    import gis
    from gis.report.calibration import format_groups, write_calibration

    project = gis.load_project(args.project)
    params = gis.RunParams.from_json(args.params) if args.params else project.params
    result = gis.calibrate(project, args.measurements, params, crs=args.crs)
    vi = args.lang == "vi"
    report = result.report
    if report is not None:
        print((f"{report.rows_loaded} / {report.rows_read} dòng đo được đọc từ {report.source}"
               if vi else f"{report.rows_loaded} of {report.rows_read} measurement rows read "
               f"from {report.source}") + (f" ({len(report.rejected)} " +
                                           ("dòng bị loại" if vi else "rejected") + ")"
                                           if report.rejected else ""))
    if len(result.fit.groups):
        print(format_groups(result.fit, args.lang))
    for w in result.warnings:
        print("Lưu ý:" if vi else "Note:", w.text(args.lang))
    for path in write_calibration(result, args.out, lang=args.lang, partial=args.partial):
        print(path)
    return 0
