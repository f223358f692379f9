"""Why a tile costs more CPU inside a Dask worker process than in the parent (issue 17).

The same tiles of the province preset run ``--repeats`` times in each setting, one tile at a
time, and each tile's marker gives its wall seconds, the CPU seconds of its thread and, per
phase (read, engine, write, hamlets), wall, CPU and minor page faults:

- ``parent``: in a fresh interpreter like the CLI's (dask's synchronous scheduler);
- ``parent + MALLOC_TRIM_THRESHOLD_=65536, untuned``: the same started with the variable a
  ``distributed`` nanny sets for its workers, with :func:`gis.scale.runner.tune_allocator`
  switched off (the first version);
- ``parent + MALLOC_TRIM_THRESHOLD_=65536``: the same with the allocator tuned (this version);
- ``worker, untuned``: one single-threaded worker process of a LocalCluster with the nanny's
  defaults, as ``dask worker`` runs it, allocator not tuned (the first version);
- ``worker``: the same, tuned (this version);
- ``worker, no MALLOC_TRIM_THRESHOLD_``: the nanny told not to set the variable
  (``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null``);
- ``dask processes pool``: the CLI's default local scheduler (no nanny).

The first repeat of each setting includes loading the numba kernels from the cache, so the
table shows it apart. It also prints, for each setting, the thread and allocator variables seen
inside the worker. Usage::

    python benchmarks/tile_cost.py [--project DIR] [--work DIR] [--tiles 2] [--repeats 3]

Run it on a quiet machine: CPU seconds are per thread, but memory bandwidth and caches are shared
with whatever else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENV_KEYS = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "GDAL_CACHEMAX")


def _env() -> dict[str, str | None]:
    import numba

    out = {k: os.environ.get(k) for k in ENV_KEYS}
    out["numba.config.NUMBA_NUM_THREADS"] = str(numba.config.NUMBA_NUM_THREADS)
    out["pid"] = str(os.getpid())
    return out


def _untune() -> None:
    """Switch off the allocator tuning in this process (to measure the first version)."""
    from gis.scale import runner

    runner.tune_allocator = lambda: False


def _setup(project_dir: Path, tile_km: float, n_tiles: int):
    """The province's transmitters, villages, grid and the ``n_tiles`` tiles nearest the
    centre (all with sites and hamlets)."""
    import numpy as np
    from gis.scale.stage import _area

    from gis.layers.read import load_project
    from gis.radio.sectors import expand_sectors
    from gis.scale.tiles import make_tiles, plan_grid, tile_cells_for

    project = load_project(project_dir, {})
    radio = project.params.radio
    villages = project.require("villages")
    tx, _ = expand_sectors(project.require("sites"), radio)
    rmax = float(np.nanmax(tx["max_radius_m"].to_numpy(float)))
    grid = plan_grid(_area(villages, radio.area_margin_m), project.crs,
                     dem_path=project.rasters["dem"], halo_m=rmax + 300.0)
    tiles = make_tiles(grid, tile_cells_for(tile_km, grid.resolution_m), rmax)
    cy, cx = grid.shape[0] / 2, grid.shape[1] / 2
    tiles.sort(key=lambda t: (t.row_off + t.height / 2 - cy) ** 2
               + (t.col_off + t.width / 2 - cx) ** 2)
    return project, tx, villages, grid, [t.name for t in tiles[:n_tiles]]


def _run(project, tx, villages, grid, names, folder: Path, tile_km: float, *, client=None,
         scheduler: str = "synchronous") -> list[dict]:
    """The tiles once each (one at a time); their markers."""
    from gis.scale.params import ScaleParams
    from gis.scale.runner import run_tiled

    shutil.rmtree(folder, ignore_errors=True)
    scale = ScaleParams(tile_km=tile_km, tile_above_km2=0.0, resume=False, keep_tiles=True,
                        scheduler=scheduler, workers=1)
    out = []
    for name in names:
        run_tiled(tx, villages, grid, folder, radio=project.params.radio,
                  population=project.rasters.get("population"),
                  landcover=project.rasters.get("landcover"), scale=scale, client=client,
                  only=[name])
        out.append(json.loads((folder / "tiles" / name / "done.json").read_text("utf-8")))
    return out


def _repeats(run_once, repeats: int) -> list[list[dict]]:
    return [run_once(i) for i in range(repeats)]


def measure(setting: str, project_dir: Path, work: Path, tile_km: float, n_tiles: int,
            repeats: int) -> dict:
    """One setting's markers (list per repeat) and the environment its tiles saw."""
    project, tx, villages, grid, names = _setup(project_dir, tile_km, n_tiles)
    folder = work / setting
    untuned = setting.endswith("_untuned")
    if untuned and not setting.startswith("worker"):
        _untune()
    if setting.startswith("parent"):
        env = _env()
        reps = _repeats(lambda i: _run(project, tx, villages, grid, names, folder / str(i),
                                       tile_km), repeats)
    elif setting == "pool":
        import dask

        env = dask.compute(dask.delayed(_env)(), scheduler="processes", num_workers=1)[0]
        reps = _repeats(lambda i: _run(project, tx, villages, grid, names, folder / str(i),
                                       tile_km, scheduler="processes"), repeats)
    else:
        import dask
        from distributed import Client, LocalCluster

        cfg = ({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
               if setting == "worker_notrim" else {})
        with dask.config.set(cfg), LocalCluster(
                n_workers=1, threads_per_worker=1, processes=True,
                dashboard_address=":0") as cluster, Client(cluster) as client:
            if untuned:
                client.run(_untune)
            env = next(iter(client.run(_env).values()))
            reps = _repeats(lambda i: _run(project, tx, villages, grid, names, folder / str(i),
                                           tile_km, client=client), repeats)
    return {"setting": setting, "env": env, "names": names, "repeats": reps}


LABELS = {"parent": "parent",
          "parent_trim_untuned": "parent + MALLOC_TRIM_THRESHOLD_=65536, untuned",
          "parent_trim": "parent + MALLOC_TRIM_THRESHOLD_=65536, tuned",
          "worker_untuned": "worker (nanny defaults), untuned",
          "worker": "worker (nanny defaults), tuned",
          "worker_notrim": "worker, no MALLOC_TRIM_THRESHOLD_",
          "pool": "dask processes pool (CLI default)"}


def _summary(res: dict) -> str:
    tuned = {m.get("allocator_tuned") for rep in res["repeats"] for m in rep}
    lines = [f"{LABELS[res['setting']]}  (allocator tuned: {'/'.join(map(str, tuned))}; env in "
             "the tile's process: "
             + ", ".join(f"{k}={v}" for k, v in res["env"].items() if k != "pid") + ")"]
    for i, rep in enumerate(res["repeats"]):
        cpu = sum(m["coverage_cpu_s"] + m["hamlets_cpu_s"] for m in rep)
        wall = sum(m["seconds"] for m in rep)
        ph = {}
        for m in rep:
            for name, (w, c, f) in m.get("phases", {}).items():
                acc = ph.setdefault(name, [0.0, 0.0, 0])
                acc[0] += w
                acc[1] += c
                acc[2] += f
        detail = "; ".join(f"{n} {c:.2f} CPU s, {f / 1000:.0f}k faults" for n, (w, c, f)
                           in ph.items())
        lines.append(f"  repeat {i + 1}{' (first: kernels loaded)' if i == 0 else ''}: "
                     f"{wall:.2f} s wall, {cpu:.2f} CPU s; {detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", default="/tmp/gis-bench-scale/province")
    ap.add_argument("--work", default="/tmp/gis-bench-tile-cost")
    ap.add_argument("--tile-km", type=float, default=10.0)
    ap.add_argument("--tiles", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--settings", default=",".join(LABELS))
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the settings this many times, interleaved (load drifts cancel)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    project = Path(args.project)
    if args.child:  # one setting in this fresh interpreter; JSON on stdout
        res = measure(args.child, project, work, args.tile_km, args.tiles, args.repeats)
        print("RESULT " + json.dumps(res))
        return 0
    if not (project / "project.json").is_file():
        subprocess.run([sys.executable, "-m", "gis", "sample", "--preset", "province",
                        "--out", str(project)], check=True, cwd=ROOT)
    la = os.getloadavg()
    print(f"== tile cost by setting: {args.tiles} tiles of {args.tile_km:g} km x "
          f"{args.repeats} repeats; load average {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f} ==")
    results: dict[str, dict] = {}
    for setting in [s for _ in range(args.rounds) for s in args.settings.split(",")]:
        env = dict(os.environ)
        env.pop("MALLOC_TRIM_THRESHOLD_", None)
        if setting.startswith("parent_trim"):
            env["MALLOC_TRIM_THRESHOLD_"] = "65536"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--child", setting, "--project",
                               str(project), "--work", str(work), "--tile-km",
                               str(args.tile_km), "--tiles", str(args.tiles), "--repeats",
                               str(args.repeats)], env=env, cwd=ROOT, capture_output=True,
                              text=True)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(f"{setting}: failed\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
            continue
        res = json.loads(line[len("RESULT "):])
        print(_summary(res) + f"\n  ({time.perf_counter() - t0:.0f} s)", flush=True)
        if setting in results:  # later rounds: more repeats of the same setting
            results[setting]["repeats"] += res["repeats"][1:]
        else:
            results[setting] = res
    (work / "tile_cost.json").write_text(json.dumps(results), encoding="utf-8")
    base = results.get("parent")
    if base:
        def steady(res):  # CPU s of the repeats after the first
            reps = res["repeats"][1:] or res["repeats"]
            return sum(m["coverage_cpu_s"] + m["hamlets_cpu_s"] for r in reps for m in r) / len(
                reps)
        def faults(res):
            reps = res["repeats"][1:] or res["repeats"]
            return sum(sum(p[2] for p in m.get("phases", {}).values()) for r in reps
                       for m in r) / len(reps)

        b = steady(base)
        print("steady-state CPU per repeat (after the first), relative to the parent:")
        for k, v in results.items():
            print(f"  {LABELS[k]:52s} {steady(v):6.2f} CPU s = {steady(v) / b:.2f}x, "
                  f"{faults(v) / 1000:5.0f}k minor faults")
    la = os.getloadavg()
    print(f"load average at the end {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
