"""``python -m gis run``: load and validate a planning area, run every analysis, write the results."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gis.layers.schema import RASTER_KINDS, TABLE_KINDS, LayerKind

LAYER_OPTIONS = [k.value for k in LayerKind] + list(RASTER_KINDS) + list(TABLE_KINDS)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("run", help="run every analysis on a project or on layer files")
    p.add_argument("--project", help="project folder (layer options below override its layers)")
    for kind in LAYER_OPTIONS:
        p.add_argument(f"--{kind.replace('_', '-')}", dest=kind, metavar="FILE",
                       help="per-commune statistics table (CSV/XLSX: subscriptions per 100 "
                            "people, smartphone share, i-Speed medians)"
                       if kind in TABLE_KINDS else f"{kind} layer file")
    p.add_argument("--params", help="parameters JSON file (overrides the project's)")
    p.add_argument("--crs", help="CRS of layer files that do not say (e.g. vn2000-tm3:105.5)")
    p.add_argument("--province", help="province whose VN-2000 TM-3 meridian applies")
    p.add_argument("--admin-level", choices=["province", "district", "commune"],
                   help="level of an --admin file with several (GADM NAME_1..3, OCHA ADM1..3): "
                   "default the finest (communes)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--lang", choices=["en", "vi"], default="en",
                   help="language of labels in the exports and reports (vi: Vietnamese)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (by default one is shown on stderr for runs "
                   "longer than a second)")
    p.add_argument("--tile-km", type=float, metavar="KM",
                   help="run coverage tile by tile on Dask with tiles of KM km (large areas are "
                        "tiled by themselves; see docs/scale.md)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler for the tiles: processes (default), threads, synchronous "
                        "or a cluster address such as tcp://10.0.0.5:8786")
    p.add_argument("--workers", type=int, metavar="N",
                   help="local Dask workers for the tiles (default: the machine's cores)")
    return p


class StageBar:
    """A tqdm progress bar on stderr, one step per run stage, labelled in ``lang``.

    Shown only after ``delay_s`` seconds (short runs print nothing) and, with ``disable=None``,
    only when stderr is a terminal (no bar in logs and CI).
    """

    def __init__(self, total: int, *, lang: str, disable: bool | None = None,
                 delay_s: float = 1.0) -> None:
        import sys

        from tqdm import tqdm

        import gis

        self.labels = {s.name: s.label(lang) for s in gis.STAGES}
        vi = lang == "vi"
        self.labels.update({"write": "Ghi tệp" if vi else "Writing files",
                            "done": "Xong" if vi else "Done"})
        self.bar = tqdm(total=total, file=sys.stderr, delay=delay_s, disable=disable,
                        unit=" bước" if vi else " stage", leave=True)

    def __call__(self, stage: str, fraction: float) -> None:
        """Move to ``fraction`` (0-1) of the run, now in ``stage``."""
        done = round(fraction * self.bar.total)
        self.bar.set_description(self.labels.get(stage, stage))
        self.bar.update(max(0, done - self.bar.n))

    def close(self) -> None:
        self.bar.close()


def main(args: argparse.Namespace) -> int:
    from gis.errors import ValidationError

    files = {k: getattr(args, k) for k in LAYER_OPTIONS if getattr(args, k, None)}
    if not args.project and "villages" not in files:
        raise ValidationError(
            "Nothing to run on: give --project DIR, or at least --villages FILE and --sites FILE.",
            "Chưa có dữ liệu: dùng --project DIR, hoặc ít nhất --villages FILE và --sites FILE.",
        )
    t0 = time.perf_counter()
    client = _connect_early(getattr(args, "scheduler", None))  # fail fast, before loading
    try:
        return _run(args, files, client, t0)
    finally:
        if client is not None:
            client.close()


def _connect_early(scheduler: str | None):
    """A client of the scheduler address given on the command line (None for the local
    schedulers), so that an address that does not answer stops the run within
    :data:`gis.scale.runner.CONNECT_TIMEOUT_S`, before the project is loaded; the whole run then
    uses this one connection."""
    from gis.scale.params import LOCAL_SCHEDULERS

    if not scheduler or scheduler in LOCAL_SCHEDULERS:
        return None
    from gis.scale.runner import connect

    return connect(scheduler)


def _run(args: argparse.Namespace, files: dict, client, t0: float) -> int:
    import gis

    project = gis.load_project(args.project, files, crs=args.crs, province=args.province,
                               admin_level=getattr(args, "admin_level", None))
    params = gis.RunParams.from_json(args.params) if args.params else project.params
    params = _scale_options(params, args)
    load_s = time.perf_counter() - t0
    stages = gis.STAGES
    # no bar with --no-progress, nor when stderr is not a terminal (logs, CI)
    bar = StageBar(len(stages) + 1, lang=args.lang, disable=True if args.no_progress else None)
    try:
        ctx = gis.run(project, params, out_dir=args.out, client=client,
                      progress=lambda name, f: bar(name, f * len(stages) / (len(stages) + 1)))
        bar("write", len(stages) / (len(stages) + 1))
        inputs = {"project": args.project, **files}
        out = gis.write_run(ctx, args.out, lang=args.lang, inputs=inputs, load_seconds=load_s)
        bar("done", 1.0)
    finally:
        bar.close()
    vi = args.lang == "vi"
    print(f"{len(ctx.hamlets)} " + ("thôn; kết quả trong " if vi else "hamlets; results in ")
          + f"{Path(out)} (" + ("nạp" if vi else "load") + f" {load_s:.1f} s, "
          + ("tổng" if vi else "total") + f" {time.perf_counter() - t0:.1f} s)")
    for w in ctx.warnings:
        print("Cảnh báo:" if vi else "Warning:", w.text(args.lang))
    return 0


def _scale_options(params, args: argparse.Namespace):
    """``--tile-km``, ``--scheduler``, ``--workers`` into ``params.scale`` (any of them asks for
    tiles)."""
    import dataclasses

    from gis.scale.params import ScaleParams

    changes = {}
    if getattr(args, "tile_km", None) is not None:
        changes["tile_km"] = float(args.tile_km)
    if getattr(args, "scheduler", None):
        changes["scheduler"] = str(args.scheduler)
    if getattr(args, "workers", None) is not None:
        changes["workers"] = int(args.workers)
    if not changes:
        return params
    scale: ScaleParams = dataclasses.replace(params.scale, tile_above_km2=0.0, **changes)
    return params.replace(scale=scale)
