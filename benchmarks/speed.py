"""Benchmark of the expected download speed (issue 16): prints its figures, is not a test.

Target: the speed estimate over the sample area's coverage grids costs no more than 20 % of the
coverage stage, both measured here in the same run on the same machine.

1. **Coverage stage (baseline).** What ``coverage_stage`` does on ``data/sample``: the sectors
   (``expand_sectors``), the DEM window with the radius halo, the land cover, and
   :func:`gis.radio.coverage.compute_coverage` with ``threads = min(4, cores)``. Run once to
   load the JIT cache, then timed (median of ``--repeat`` runs).
2. **Power sums.** The same stage with ``compute_coverage(..., power_sums=True)``, as the
   run does since issue 16 was wired: the engine adds each transmitter's signal to its
   carrier's ``power_sum_mw[(operator, tech, freq_mhz)]``. Timed the same way; the overhead
   over (1) is printed, and that the best-server grids are unchanged.
3. **Speed.** Timed (median of ``--repeat``): :func:`gis.analysis.speed.speed_from_coverage`
   (SINR, efficiency and speed of every 4G / 5G cell), :func:`hamlet_mobile_speed` (population
   medians of every hamlet) and :func:`hamlet_fixed_speed`.

Run: ``python benchmarks/speed.py`` from the repository root (builds data/sample if missing).
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from gis.analysis.speed import (  # noqa: E402
    SpeedParams,
    hamlet_fixed_speed,
    hamlet_mobile_speed,
    speed_from_coverage,
)
from gis.layers.rasters import read_window  # noqa: E402
from gis.project import Project  # noqa: E402
from gis.radio.coverage import compute_coverage  # noqa: E402
from gis.radio.sectors import expand_sectors  # noqa: E402


def coverage_inputs(project: Project) -> dict:
    """The inputs the coverage stage builds (same DEM window, halo and land cover)."""
    radio = project.params.radio
    hamlets = project.layers["villages"]
    tx, _ = expand_sectors(project.layers["sites"], radio)
    margin = float(radio.area_margin_m)
    left, bottom, right, top = hamlets.total_bounds
    area = (left - margin, bottom - margin, right + margin, top + margin)
    techs = sorted(set(tx["tech"].astype(str)))
    rmax = max(radio.tech(t).max_radius_m for t in techs)
    res_param = radio.grid_resolution_m
    halo = rmax + 3 * float(res_param or 100.0)
    big = (area[0] - halo, area[1] - halo, area[2] + halo, area[3] + halo)
    dem, transform = read_window(project.rasters["dem"], big, crs=project.crs,
                                 resolution_m=res_param)
    res = float(transform.a)
    c0 = max(0, math.floor((area[0] - transform.c) / res))
    r0 = max(0, math.floor((transform.f - area[3]) / res))
    c1 = min(dem.shape[1], math.ceil((area[2] - transform.c) / res))
    r1 = min(dem.shape[0], math.ceil((transform.f - area[1]) / -transform.e))
    bounds = (transform.c, transform.f + transform.e * dem.shape[0],
              transform.c + res * dem.shape[1], transform.f)
    lc, _ = read_window(project.rasters["landcover"], bounds, crs=project.crs, resolution_m=res,
                        resampling="nearest")
    landcover = np.full(dem.shape, np.nan, np.float32)
    h, w = min(lc.shape[0], dem.shape[0]), min(lc.shape[1], dem.shape[1])
    landcover[:h, :w] = lc[:h, :w]
    return {"transmitters": tx, "dem": dem, "transform": transform, "crs": project.crs,
            "params": radio, "landcover": landcover, "window": (r0, c0, r1 - r0, c1 - c0),
            "threads": min(4, os.cpu_count() or 1)}


def check_sums(result, sums) -> float:
    """Min over served cells of ``10 log10(sum of the serving carrier) - best`` (dB, >= 0)."""
    worst = math.inf
    freqs = result.transmitters["freq_mhz"].astype(float).round(3).to_numpy()
    for (op, tech), best in result.best_dbm.items():
        srv = result.server[op, tech]
        ok = srv >= 0
        if not ok.any():
            continue
        f = freqs[srv[ok]]
        for fk in np.unique(f):
            sel = f == fk
            total = sums[op, tech, float(fk)][ok][sel]
            worst = min(worst, float(np.min(10 * np.log10(total) - best[ok][sel])))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    sample = ROOT / "data" / "sample"
    if not (sample / "project.json").is_file():
        subprocess.run([sys.executable, "-m", "gis", "sample", "--out", str(sample)],
                       check=True, cwd=ROOT)
    project = Project.load(sample)
    inputs = coverage_inputs(project)
    compute_coverage(**inputs)  # JIT cache load
    cov_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = compute_coverage(**inputs)
        cov_times.append(time.perf_counter() - t0)
    t_cov = float(np.median(cov_times))
    n_cells = int(np.prod(result.shape))
    print(f"coverage stage (compute_coverage, {len(inputs['transmitters'])} transmitters, "
          f"{result.shape[0]} x {result.shape[1]} = {n_cells:,} cells, {inputs['threads']} "
          f"threads): {t_cov:.2f} s (median of {args.repeat})")

    sum_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result_p = compute_coverage(**inputs, power_sums=True)
        sum_times.append(time.perf_counter() - t0)
    t_sums = float(np.median(sum_times))
    sums = result_p.power_sum_mw
    same = all(np.array_equal(result.best_dbm[k], result_p.best_dbm[k], equal_nan=True)
               for k in result.best_dbm)
    print(f"coverage stage with power_sums=True: {t_sums:.2f} s (median of {args.repeat}), "
          f"{100 * (t_sums / t_cov - 1):+.1f} % over the stage without, for {len(sums)} "
          f"carriers; best-server grids unchanged: {same}; min over served cells of "
          f"10 log10(sum of the serving carrier) - best = {check_sums(result, sums):+.4f} dB "
          f"(must be >= 0)")
    result = result_p
    t_cov = t_sums

    villages = project.layers["villages"]
    tr = result.transform
    bounds = (tr.c, tr.f + tr.e * result.shape[0], tr.c + tr.a * result.shape[1], tr.f)
    population = read_window(project.rasters["population"], bounds, crs=project.crs,
                             resampling="nearest")
    params = SpeedParams()
    ftth = pd.Series(np.arange(len(villages)) % 2 == 0, index=villages.index)
    speed_times, grid_times = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        grids = speed_from_coverage(result, sums, params)
        t1 = time.perf_counter()
        hamlets = hamlet_mobile_speed(villages, grids, population=population, params=params)
        hamlets["est_dl_mbps_fixed"] = hamlet_fixed_speed(ftth, params)
        t2 = time.perf_counter()
        grid_times.append(t1 - t0)
        speed_times.append(t2 - t0)
    t_speed = float(np.median(speed_times))
    t_grid = float(np.median(grid_times))
    ratio = t_speed / t_cov
    print(f"speed estimate: {t_speed:.3f} s (grids {t_grid:.3f} s over {len(grids.mbps)} "
          f"operator/tech pairs, hamlets {t_speed - t_grid:.3f} s for {len(villages)} hamlets) "
          f"= {100 * ratio:.1f} % of the coverage stage [target <= 20 %]: "
          f"{'OK' if ratio <= 0.20 else 'OVER'}")
    est = hamlets["est_dl_mbps_mobile"]
    q = np.nanpercentile(est, [10, 50, 90])
    print(f"est_dl_mbps_mobile over the sample hamlets: p10 {q[0]:.1f}, median {q[1]:.1f}, "
          f"p90 {q[2]:.1f} Mbit/s; {int((est >= 70).sum())} of {len(est)} at >= 70 Mbit/s; "
          f"best operators {hamlets['est_dl_mobile_operator'].value_counts().to_dict()}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
