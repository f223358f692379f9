"""``python -m gis compare RUN_A RUN_B --out DIR``: the yearly report, run A (then) vs B (now).

Reads the two output folders of ``python -m gis run``, re-keys a run made before the 2025
administrative units through the crosswalk, and writes ``compare.csv`` (per area, province, new
commune and former district), ``compare_indicators.csv``, ``compare_hamlets.csv``,
``compare.xlsx`` and a printable bilingual ``compare.html``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("compare", help="compare two runs (the yearly report): hamlets newly "
                       "covered and lost, sharing, towers, fiber, indicators per province and "
                       "2025 commune")
    p.add_argument("run_a", metavar="RUN_A", help="output folder of the earlier run")
    p.add_argument("run_b", metavar="RUN_B", help="output folder of the later run")
    p.add_argument("--out", required=True, help="folder to write the comparison into")
    p.add_argument("--year", type=int, help="year of the report (default: the year of RUN_B)")
    p.add_argument("--plan", help="name of the plan (default: RUN_B's project name)")
    p.add_argument("--lang", choices=["en", "vi"], default="vi",
                   help="language of the XLSX headers and messages (the HTML is bilingual)")
    return p


def main(args: argparse.Namespace) -> int:
    import gis

    tables = gis.compare(args.run_a, args.run_b, args.out, year=args.year, plan=args.plan,
                         lang=args.lang)
    for which in tables["compare_units"].attrs.get("rekeyed") or []:
        print((f"Lần chạy {which.upper()} được chuyển sang đơn vị hành chính 2025 theo bảng "
               "chuyển đổi.") if args.lang == "vi" else
              f"Run {which.upper()} was re-keyed to the 2025 units through the crosswalk.")
    for name in ("compare.csv", "compare_indicators.csv", "compare_hamlets.csv", "compare.xlsx",
                 "compare.html"):
        print(Path(args.out) / name)
    return 0
