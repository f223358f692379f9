"""Benchmark of tiled runs (issues 8, 17): a preset end to end (wall, CPU, peak memory, per-stage
times, per-partition CPU), the speed-up from 1 to 2 workers of a local Dask cluster, the
per-tile throughput, and the projected time of the country preset on a 64-core cluster.

Usage::

    python benchmarks/scale.py [--preset province|country] [--provinces N] [--work DIR]
                               [--project DIR] [--tiles N] [--skip-e2e] [--skip-speedup]

The default (the province preset) takes a few minutes on two cores; ``--preset country`` about
an hour. The synthetic presets name one province; ``--provinces N`` (default 34 for the
country, none for the province) gives their hamlets N provinces of 2025 in bands of latitude
with equal numbers of hamlets (a ``--villages`` file beside the project), so that the stages
after the coverage run as N partitions, as a real national run would.

Prints its figures; not a test. The machine's load is printed with them: timings taken while
other jobs share the cores are pessimistic (CPU seconds per tile are not: they count only the
time the tile's thread ran).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _tree_hwm_kb(pid: int) -> int:
    """Sum of the peak resident sizes (VmHWM, kB) of a process and its children."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return total


def timed(cmd: list[str]) -> tuple[float, float, int, float]:
    """Run ``cmd``; (wall seconds, peak resident memory of its process tree in GB, exit code,
    CPU seconds of the process tree)."""
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak = [0]

    def watch() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_hwm_kb(proc.pid))
            time.sleep(0.5)

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    out, _ = proc.communicate()
    th.join()
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if proc.returncode:
        print(out[-3000:])
    return wall, peak[0] / 1e6, proc.returncode, cpu


def load_note() -> str:
    la = os.getloadavg()
    return (f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
            f"load average {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f}")


def tile_stats(out: Path) -> list[dict]:
    stats = []
    for marker in sorted((out / "tiles").glob("*/done.json")):
        stats.append(json.loads(marker.read_text(encoding="utf-8")))
    return stats


def partition_stats(out: Path) -> dict[str, list[dict]]:
    """The markers of the partitions a run wrote, per stage."""
    stats: dict[str, list[dict]] = {}
    for marker in sorted((out / "partitions").glob("*/*/done.json")):
        meta = json.loads(marker.read_text(encoding="utf-8"))
        stats.setdefault(meta["stage"], []).append(meta)
    return stats


def banded_villages(project: Path, n: int, out_file: Path) -> Path:
    """The project's villages with ``province`` set to the first ``n`` 2025 provinces (by code)
    in bands of latitude, north to south, with equal numbers of hamlets; written as GPKG."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from gis.analysis.units import crosswalk

    v = gpd.read_file(project / "layers.gpkg", layer="villages", engine="pyogrio")
    y = shapely.get_y(shapely.centroid(np.asarray(v.geometry.values, dtype=object)))
    band = np.argsort(np.argsort(-y)) * n // max(len(v), 1)
    names = crosswalk().provinces["province"].str.replace(r"^(Tỉnh|Thành phố) ", "",
                                                          regex=True).to_numpy()
    v["province"] = names[band]
    v.to_file(out_file, layer="villages", driver="GPKG", engine="pyogrio")
    return out_file


def reduce_seconds(run_dir: Path, project) -> float:
    """Seconds the driver takes to add up the province's per-tile hamlet sums (one core)."""
    import numpy as np
    import shapely

    from gis.analysis.params import HamletRule
    from gis.radio.params import RadioParams
    from gis.scale.reduce import HamletReducer, TilePartials

    parts = []
    for f in sorted((run_dir / "tiles").glob("*/partials.npz")):
        with np.load(f) as data:
            parts.append(TilePartials.from_npz(data))
    villages = project.require("villages")
    keys = [(f"op{k}", "4G") for k in range(parts[0].pop_cov.shape[1])] if parts else []
    t0 = time.perf_counter()
    red = HamletReducer(len(villages), keys,
                        shapely.get_type_id(np.asarray(villages.geometry.values)) >= 3,
                        villages["village_id"].to_numpy())
    for p in parts:
        red.add(p)
    red.table(RadioParams(), HamletRule())
    return time.perf_counter() - t0


def _warm() -> None:
    """Import gis and load the cached numba kernels in a worker (one tiny coverage)."""
    import numpy as np
    import pandas as pd
    from affine import Affine

    from gis.radio.coverage import compute_coverage
    from gis.scale import runner  # noqa: F401

    tx = pd.DataFrame([{"operator": "A", "tech": "4G", "x": 300.0, "y": -300.0,
                        "height_m": 30.0, "freq_mhz": 1800.0, "azimuth_deg": 0.0,
                        "beamwidth_deg": 65.0, "tilt_deg": 3.0, "eirp_dbm": 60.0,
                        "max_radius_m": 500.0}])
    compute_coverage(tx, np.zeros((20, 20)), Affine(30.0, 0, 0, 0, -30.0, 0), 32648)


def speedup(project_dir: Path, work: Path, n_tiles: int) -> dict:
    """The same tiles on a LocalCluster of 1, then 2 single-threaded worker processes."""
    import numpy as np
    from distributed import Client, LocalCluster

    from gis.project import load_project
    from gis.radio.sectors import expand_sectors
    from gis.scale.params import ScaleParams
    from gis.scale.runner import run_tiled
    from gis.scale.tiles import make_tiles, plan_grid, tile_cells_for

    project = load_project(project_dir, {})
    params = project.params
    radio = params.radio
    villages = project.require("villages")
    tx, _ = expand_sectors(project.require("sites"), radio)
    left, bottom, right, top = villages.total_bounds
    m = radio.area_margin_m
    area = (left - m, bottom - m, right + m, top + m)
    rmax = float(np.nanmax(tx["max_radius_m"].to_numpy(float)))
    grid = plan_grid(area, project.crs, dem_path=project.rasters["dem"],
                     halo_m=rmax + 300.0)
    scale = ScaleParams(tile_km=10.0, tile_above_km2=0.0, resume=False)
    tiles = make_tiles(grid, tile_cells_for(scale.tile_km, grid.resolution_m), rmax)
    # the n_tiles tiles nearest the centre (all with sites and hamlets)
    cy, cx = grid.shape[0] / 2, grid.shape[1] / 2
    tiles.sort(key=lambda t: (t.row_off + t.height / 2 - cy) ** 2
               + (t.col_off + t.width / 2 - cx) ** 2)
    names = [t.name for t in tiles[:n_tiles]]
    out, driver = {}, {}
    for n in (1, 2):
        folder = work / f"speedup_{n}"
        shutil.rmtree(folder, ignore_errors=True)
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            client.run(_warm)  # imports and compiled kernels loaded in every worker
            t0 = time.perf_counter()
            res = run_tiled(tx, villages, grid, folder, radio=radio,
                            population=project.rasters.get("population"),
                            landcover=project.rasters.get("landcover"), scale=scale,
                            client=client, only=names)
            out[n] = time.perf_counter() - t0
            assert len(res.computed) == len(names)
            # the driver's own part (planning, reading markers): the same run, all resumed
            t0 = time.perf_counter()
            again = run_tiled(tx, villages, grid, folder, radio=radio,
                              population=project.rasters.get("population"),
                              landcover=project.rasters.get("landcover"),
                              scale=ScaleParams(tile_km=10.0, tile_above_km2=0.0),
                              client=client, only=names)
            driver[n] = time.perf_counter() - t0
            assert len(again.resumed) == len(names)
    threads = {}
    for n in (1, 2):
        folder = work / f"threads_{n}"
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        run_tiled(tx, villages, grid, folder, radio=radio,
                  population=project.rasters.get("population"),
                  landcover=project.rasters.get("landcover"),
                  scale=ScaleParams(tile_km=10.0, tile_above_km2=0.0, resume=False,
                                    scheduler="threads", workers=n), only=names)
        threads[n] = time.perf_counter() - t0
    # A LocalCluster of thread workers (one process): the same tiles, the same Client path.
    lc_threads = {}
    for n in (1, 2):
        folder = work / f"lc_threads_{n}"
        shutil.rmtree(folder, ignore_errors=True)
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=False,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            t0 = time.perf_counter()
            run_tiled(tx, villages, grid, folder, radio=radio,
                      population=project.rasters.get("population"),
                      landcover=project.rasters.get("landcover"), scale=scale,
                      client=client, only=names)
            lc_threads[n] = time.perf_counter() - t0
    drv = min(driver.values())
    # per tile, from the markers: CPU seconds of the tile's thread and wall seconds; CPU equal
    # in 1 and 2 workers with wall = CPU means two free cores, wall above CPU means the
    # workers waited for a core (other jobs on the machine)
    per_tile = {}
    for n in (1, 2):
        st = tile_stats(work / f"speedup_{n}")
        per_tile[n] = (sum(t.get("coverage_cpu_s", 0.0) + t.get("hamlets_cpu_s", 0.0)
                           for t in st) / max(len(st), 1),
                       sum(t.get("seconds", 0.0) for t in st) / max(len(st), 1))
    return {"tile_cpu_1_s": per_tile[1][0], "tile_wall_1_s": per_tile[1][1],
            "tile_cpu_2_s": per_tile[2][0], "tile_wall_2_s": per_tile[2][1],
            "lc_threads_1_s": lc_threads[1], "lc_threads_2_s": lc_threads[2],
            "tiles": len(names), "tile_km": scale.tile_km, "t1_s": out[1], "t2_s": out[2],
            "speedup": out[1] / out[2], "driver_s": drv,
            "tile_speedup": (out[1] - drv) / max(out[2] - drv, 1e-9),
            "threads_1_s": threads[1], "threads_2_s": threads[2]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/gis-bench-scale", help="scratch folder")
    ap.add_argument("--preset", choices=["province", "country"], default="province",
                    help="the synthetic preset run end to end (default province: minutes; "
                         "country: about an hour on two cores)")
    ap.add_argument("--provinces", type=int,
                    help="give the hamlets this many 2025 provinces in latitude bands "
                         "(default: 34 for the country, 0 for the province)")
    ap.add_argument("--project", help="an existing project of the preset (else it is built)")
    ap.add_argument("--tiles", type=int, default=12, help="tiles in the speed-up measurement")
    ap.add_argument("--skip-e2e", action="store_true", help="reuse WORK/run from an earlier run")
    ap.add_argument("--skip-speedup", action="store_true",
                    help="reuse the speed-up figures of an earlier run (WORK/speedup.json)")
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    print("== gis.scale benchmark ==")
    print(load_note())

    preset = args.preset
    n_prov = args.provinces if args.provinces is not None else (34 if preset == "country"
                                                                 else 0)
    project = Path(args.project) if args.project else work / preset
    if not (project / "project.json").is_file():
        wall, gb, rc, cpu = timed([py, "-m", "gis", "sample", "--preset", preset, "--out",
                                   str(project)])
        print(f"{preset} sample built: {wall:.1f} s wall, {cpu:.1f} CPU s, peak memory "
              f"{gb:.2f} GB (rc {rc})")
    run_dir = work / f"run_{preset}"
    extra: list[str] = []
    if n_prov:
        villages = banded_villages(project, n_prov, work / f"villages_{preset}_{n_prov}.gpkg")
        extra = ["--villages", str(villages)]
    if not args.skip_e2e:
        shutil.rmtree(run_dir, ignore_errors=True)
        wall, gb, rc, cpu = timed([py, "-m", "gis", "run", "--project", str(project), "--out",
                                   str(run_dir), "--tile-km", "20", "--no-progress", *extra])
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        n_cpu = os.cpu_count() or 1
        print(f"{preset} end to end (python -m gis run --tile-km 20, local processes, all "
              f"cores{f', {n_prov} provinces' if n_prov else ''}): {wall:.1f} s wall, peak "
              f"memory {gb:.2f} GB (sum of the process tree's peaks), rc {rc}; {cpu:.1f} CPU s, "
              f"so about {max(cpu / n_cpu, 1.0):.0f}-{cpu:.0f} s on {n_cpu} idle cores "
              f"(perfectly parallel - serial)")
        print(f"  stages (wall s): {meta['timings_s']}")
        print(f"  {load_note()}")
    for stage, parts in partition_stats(run_dir).items():
        cpus = sorted(p["cpu_s"] for p in parts)
        print(f"  partitions of {stage}: {len(parts)}, {sum(cpus):.1f} CPU s in all, largest "
              f"{cpus[-1]:.1f} CPU s, median {cpus[len(cpus) // 2]:.1f} CPU s")
    stats = tile_stats(run_dir)
    if not stats:
        print(f"no tiles under {run_dir}: run without --skip-e2e first")
        return 1
    from gis.project import load_project
    from gis.radio.sectors import expand_sectors
    from gis.sample.spec import PRESETS

    proj = load_project(project, {})
    tx, _ = expand_sectors(proj.require("sites"), proj.params.radio)
    n_sectors = len(tx)
    cells = sum(s["cells"] for s in stats)
    cov_cpu = sum(s.get("coverage_cpu_s", 0.0) for s in stats)
    ham_cpu = sum(s.get("hamlets_cpu_s", 0.0) for s in stats)
    wall_sum = sum(s["seconds"] for s in stats)
    km2 = cells * 30.0 * 30.0 / 1e6
    print(f"per tile ({len(stats)} tiles of 20 km, {cells / 1e6:.1f} M cells, {km2:,.0f} km², "
          f"{n_sectors} sectors): mean {wall_sum / max(len(stats), 1):.1f} s wall, "
          f"{(cov_cpu + ham_cpu) / max(len(stats), 1):.1f} CPU s; throughput "
          f"{cells / max(cov_cpu + ham_cpu, 1e-9) / 1e6:.2f} M cells per CPU second, "
          f"{km2 / max(cov_cpu + ham_cpu, 1e-9):.1f} km² per CPU second; coverage "
          f"{cov_cpu / n_sectors * 1000:.0f} CPU ms per sector, hamlet sums "
          f"{ham_cpu / km2 * 1000:.1f} CPU ms per km²")

    phases: dict[str, list[float]] = {}
    for st in stats:
        for name, (w, c, f) in st.get("phases", {}).items():
            acc = phases.setdefault(name, [0.0, 0.0, 0.0])
            acc[0] += w
            acc[1] += c
            acc[2] += f
    if phases:
        total = sum(v[1] for v in phases.values()) or 1.0
        print("  tile phases (CPU s, share, minor page faults): " + "; ".join(
            f"{n} {c:.1f} ({c / total:.0%}, {f / 1e6:.2f} M)" for n, (_, c, f) in phases.items())
            + f"; allocator tuned in {sum(bool(s.get('allocator_tuned')) for s in stats)} of "
            f"{len(stats)} tiles")

    sp_file = work / "speedup.json"
    if args.skip_speedup and sp_file.is_file():
        sp = json.loads(sp_file.read_text(encoding="utf-8"))
        print(f"(speed-up figures from {sp_file}, {sp.get('note', '')})")
    else:
        sp = speedup(project, work, args.tiles)
        sp["note"] = load_note()
        sp_file.write_text(json.dumps(sp), encoding="utf-8")
    print(f"speed-up 1 -> 2 workers (LocalCluster, 1 thread each, {sp['tiles']} tiles of "
          f"{sp['tile_km']:g} km): {sp['t1_s']:.1f} s -> {sp['t2_s']:.1f} s = "
          f"{sp['speedup']:.2f}x (target >= 1.7x); tile phase without the driver's "
          f"{sp['driver_s']:.1f} s: {sp['tile_speedup']:.2f}x; {sp['note']}")
    if "tile_cpu_1_s" in sp:
        print(f"  per tile (markers): 1 worker {sp['tile_cpu_1_s']:.2f} CPU s in "
              f"{sp['tile_wall_1_s']:.2f} s wall, 2 workers {sp['tile_cpu_2_s']:.2f} CPU s in "
              f"{sp['tile_wall_2_s']:.2f} s wall (wall / CPU {sp['tile_wall_1_s'] / max(sp['tile_cpu_1_s'], 1e-9):.2f} "
              f"and {sp['tile_wall_2_s'] / max(sp['tile_cpu_2_s'], 1e-9):.2f}: above 1, the "
              "workers waited for a core)")
    if "lc_threads_1_s" in sp:
        print(f"  same tiles on a LocalCluster of thread workers (processes=False): 1 worker "
              f"{sp['lc_threads_1_s']:.1f} s, 2 workers {sp['lc_threads_2_s']:.1f} s = "
              f"{sp['lc_threads_1_s'] / sp['lc_threads_2_s']:.2f}x")
    print(f"  same tiles on dask threads (one process): 1 thread {sp['threads_1_s']:.1f} s, "
          f"2 threads {sp['threads_2_s']:.1f} s = "
          f"{sp['threads_1_s'] / sp['threads_2_s']:.2f}x")

    # Projection: the country preset on 64 cores.
    prov, country = PRESETS[preset], PRESETS["country"]
    site_ratio = sum(n for _, n in country.sites) / sum(n for _, n in prov.sites)
    area_ratio = (country.width_m * country.height_m) / (prov.width_m * prov.height_m)
    core_s = cov_cpu * site_ratio + ham_cpu * area_ratio
    eff_meas = min(1.0, sp["tile_speedup"] / 2.0)
    n_tiles_country = area_ratio * len(stats)
    reduce_s = reduce_seconds(run_dir, proj)
    driver_s = reduce_s * area_ratio  # the reduction is linear in tiles and hamlets
    print(f"driver reduction of the province's tile sums: {reduce_s:.2f} s")
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    parts = partition_stats(run_dir)
    # the driver's stages by their CPU seconds (a busy machine stretches their wall time, and
    # they run alone in the driver of a dedicated cluster), wall seconds for older runs
    driver_times = {**meta["timings_s"], **meta.get("cpu_s", {})}
    other = {k: v for k, v in driver_times.items()
             if k not in ("load", "hamlets", "coverage", "mobile", *parts)}
    ham_ratio = 70_000 / max(len(proj.require("villages")), 1)
    other_s = sum(other.values()) * ham_ratio
    # the partitioned stages: 34 provinces in parallel at most, each at least its largest
    # partition's CPU time (measured, or the province's total / 34 when scaled up)
    part_s = 0.0
    for ps in parts.values():
        cpus = [p["cpu_s"] for p in ps]
        total = sum(cpus) * ham_ratio
        part_s += max(total / min(64, 34), max(cpus) if ham_ratio <= 1.0 else total / 34)
    for eff, label in ((0.9, "90 % parallel efficiency (dedicated cores)"),
                       (eff_meas, f"the efficiency measured here ({eff_meas:.0%})")):
        wall = core_s / (64 * eff) + driver_s
        print(f"projected country preset on 64 cores, {label}: coverage + per-hamlet mobile "
              f"stages (tiled) {wall / 60:.1f} min ({core_s / 3600:.1f} core-hours); "
              f"partitioned stages ({', '.join(parts) or 'none'}) {part_s / 60:.1f} min; "
              f"whole run {(wall + part_s / eff + other_s) / 60:.0f} min")
    print(f"  the other stages and the outputs run in the driver ({', '.join(other)}): "
          f"{sum(other.values()):.0f} CPU s here; linear in hamlets (x{ham_ratio:.1f}): "
          f"{other_s / 60:.0f} min for the country, at best")
    print("  assumptions: coverage work scales with the number of sectors (same technology mix "
          f"and radii; x{site_ratio:.1f} sites), hamlet sums and reads with the area "
          f"(x{area_ratio:.1f}), as does the driver's reduction; CPU seconds per tile as measured here (a dedicated core runs a "
          "tile in its CPU time); inputs and outputs on a shared file system that is not the "
          "bottleneck; rasters assembled as VRTs (the country grid is above 200 M cells); "
          f"~{n_tiles_country:.0f} tiles of 20 km, far more than 64 workers, so the last wave "
          "is short.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
