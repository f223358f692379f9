"""``python -m gis sample --out DIR [--seed N]``: write the synthetic sample area as a project."""

from __future__ import annotations

import argparse
import time


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("sample", help="write the bundled synthetic sample area as a project folder")
    p.add_argument("--out", required=True, help="project folder to write")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--preset", default="district", choices=["district", "province", "country"],
                   help="size: district (bundled sample, ~300 km²), province (~7,000 km², ~5,000 "
                        "sectors), country (~330,000 km², ~100,000 sectors; slow to build)")
    return p


def main(args: argparse.Namespace) -> int:
    from gis.sample import build_sample

    t0 = time.perf_counter()
    project = build_sample(seed=args.seed, preset=args.preset)
    folder = project.save(args.out)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in project.layers.items())
    print(f"Sample area written to {folder} in {time.perf_counter() - t0:.1f} s ({counts}; "
          f"rasters: {', '.join(project.rasters)})")
    return 0
