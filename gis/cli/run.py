"""``python -m gis run``: load and validate a planning area, run every analysis, write the results."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gis.layers.schema import RASTER_KINDS, LayerKind

LAYER_OPTIONS = [k.value for k in LayerKind] + list(RASTER_KINDS)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("run", help="run every analysis on a project or on layer files")
    p.add_argument("--project", help="project folder (layer options below override its layers)")
    for kind in LAYER_OPTIONS:
        p.add_argument(f"--{kind.replace('_', '-')}", dest=kind, metavar="FILE",
                       help=f"{kind} layer file")
    p.add_argument("--params", help="parameters JSON file (overrides the project's)")
    p.add_argument("--crs", help="CRS of layer files that do not say (e.g. vn2000-tm3:105.5)")
    p.add_argument("--province", help="province whose VN-2000 TM-3 meridian applies")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="language of labels in the exports and reports (vi: Vietnamese)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (by default one is shown on stderr for runs "
                   "longer than a second)")
    return p


class _StageBar:
    """A tqdm progress bar on stderr, one step per run stage (shown after 1 s)."""

    def __init__(self, total: int, *, lang: str, disable: bool) -> None:
        import sys

        from tqdm import tqdm

        self.lang = lang
        self.bar = tqdm(total=total, file=sys.stderr, delay=1.0, disable=disable,
                        unit=" stage" if lang == "en" else " bước", leave=True)
        self.last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        from gis.pipeline import STAGES

        labels = {s.name: (s.label_vi if self.lang == "vi" else s.label_en) or s.name
                  for s in STAGES}
        done = round(fraction * self.bar.total)
        self.bar.update(max(0, done - self.bar.n))
        self.bar.set_description(labels.get(stage, stage))

    def close(self) -> None:
        self.bar.close()


def main(args: argparse.Namespace) -> int:
    from gis.errors import ValidationError
    from gis.layers.read import load_project
    from gis.params import RunParams
    from gis.pipeline import run, write_run

    files = {k: getattr(args, k) for k in LAYER_OPTIONS if getattr(args, k, None)}
    if not args.project and "villages" not in files:
        raise ValidationError(
            "Nothing to run on: give --project DIR, or at least --villages FILE and --sites FILE.",
            "Chưa có dữ liệu: dùng --project DIR, hoặc ít nhất --villages FILE và --sites FILE.",
        )
    t0 = time.perf_counter()
    project = load_project(args.project, files, crs=args.crs, province=args.province)
    params = RunParams.from_json(args.params) if args.params else project.params
    load_s = time.perf_counter() - t0
    from gis.pipeline import STAGES

    bar = _StageBar(len(STAGES) + 1, lang=args.lang, disable=args.no_progress)
    try:
        ctx = run(project, params, out_dir=args.out,
                  progress=lambda name, f: bar(name, f * len(STAGES) / (len(STAGES) + 1)))
        bar("write" if args.lang == "en" else "ghi tệp", len(STAGES) / (len(STAGES) + 1))
        inputs = {"project": args.project, **files}
        out = write_run(ctx, args.out, lang=args.lang, inputs=inputs, load_seconds=load_s)
        bar("done", 1.0)
    finally:
        bar.close()
    vi = args.lang == "vi"
    print(f"{len(ctx.hamlets)} " + ("thôn; kết quả trong " if vi else "hamlets; results in ")
          + f"{Path(out)} (" + ("nạp" if vi else "load") + f" {load_s:.1f} s, "
          + ("tổng" if vi else "total") + f" {time.perf_counter() - t0:.1f} s)")
    for w in ctx.warnings:
        print("Cảnh báo:" if vi else "Warning:", w)
    return 0
