"""Benchmark of the coverage engine (issue 3): prints its figures, is not a test.

1. ms per sector for a 10 km radius on a 30 m DEM (target: median <= 100 ms, one core, after the
   JIT warm-up), for 3-sector sites (one terrain sweep shared by the sectors of a position) and
   for single-sector positions (the sweep not shared);
2. cells per second (cells within the radius x sectors / seconds);
3. the sample area end to end: ``python -m gis run --project data/sample`` in a child process
   (target: under 60 s on this 2-core machine, peak memory under 2 GB).

Run: ``python benchmarks/coverage.py`` from the repository root (builds data/sample if missing).
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from affine import Affine

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the ``coverage`` package that numba probes for: take its folder off
# the import path so that ``import coverage`` inside numba does not import this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from gis.radio.coverage import compute_coverage  # noqa: E402
from gis.radio.params import RadioParams  # noqa: E402

RES_M = 30.0
RADIUS_M = 10_000.0


def synthetic_dem(n: int, seed: int = 1) -> np.ndarray:
    """Hilly terrain: a few hundred metres of relief plus 30 m-scale roughness."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] / n
    z = np.zeros((n, n))
    for _ in range(12):
        kx, ky, ph = [*rng.uniform(1, 12, 2).tolist(), rng.uniform(0, 2 * math.pi)]
        z += rng.uniform(10, 80) * np.sin(kx * 2 * math.pi * xx + ph) * np.cos(
            ky * 2 * math.pi * yy)
    z += rng.normal(0, 2.0, (n, n))
    return (z - z.min()).astype(np.float32)


def site_rows(x: float, y: float, sectors: int) -> list[dict]:
    az = [np.nan] if sectors == 0 else [i * 360.0 / sectors for i in range(sectors)]
    return [{"operator": "Viettel", "tech": "4G", "x": x, "y": y, "height_m": 36.0,
             "freq_mhz": 1800.0, "azimuth_deg": a, "beamwidth_deg": 65.0, "tilt_deg": 3.0,
             "eirp_dbm": 61.0, "n_subcarriers": 1200, "max_radius_m": RADIUS_M} for a in az]


def per_sector_ms(dem: np.ndarray, transform: Affine, sectors: int, n_sites: int,
                  rng: np.random.Generator) -> tuple[float, float, float]:
    """Median wall ms and CPU ms per sector, and cells per second (wall), one thread."""
    n = dem.shape[0]
    params = RadioParams()
    margin = RADIUS_M / RES_M
    times, cpu, cells = [], [], []
    for _ in range(n_sites):
        c, r = rng.uniform(margin, n - margin, 2)
        x = transform.c + (c + 0.5) * RES_M
        y = transform.f - (r + 0.5) * RES_M
        tx = pd.DataFrame(site_rows(x, y, sectors))
        t0, c0 = time.perf_counter(), time.process_time()
        res = compute_coverage(tx, dem, transform, "EPSG:32648", params, threads=1)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        k = max(1, len(tx))
        times.append(dt / k)
        cpu.append(dc / k)
        cells.append(np.isfinite(res.best("4G")).sum() * k / dt)
    return (float(np.median(times) * 1000.0), float(np.median(cpu) * 1000.0),
            float(np.median(cells)))


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    n = int(2 * RADIUS_M / RES_M) + 200
    dem = synthetic_dem(n)
    transform = Affine(RES_M, 0, 500_000.0, 0, -RES_M, 2_300_000.0)
    rng = np.random.default_rng(42)
    # JIT warm-up (compiled kernels are cached on disk after the first run)
    per_sector_ms(dem, transform, 3, 1, rng)
    ms3, cpu3, cps3 = per_sector_ms(dem, transform, 3, 9, rng)
    ms1, cpu1, cps1 = per_sector_ms(dem, transform, 1, 5, rng)
    cells = int(math.pi * (RADIUS_M / RES_M) ** 2)
    print(f"radius {RADIUS_M / 1000:.0f} km on a {RES_M:.0f} m DEM: ~{cells:,} cells per sector")
    print(f"3-sector sites : {ms3:6.1f} ms wall ({cpu3:5.1f} ms CPU) per sector, median of 9; "
          f"{cps3 / 1e6:5.2f} M cells/s  [target <= 100 ms]")
    print(f"1-sector sites : {ms1:6.1f} ms wall ({cpu1:5.1f} ms CPU) per sector, median of 5; "
          f"{cps1 / 1e6:5.2f} M cells/s  (terrain sweep not shared)")

    sample = ROOT / "data" / "sample"
    if not (sample / "project.json").is_file():
        subprocess.run([sys.executable, "-m", "gis", "sample", "--out", str(sample)],
                       check=True, cwd=ROOT)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gis", "run", "--project", str(sample),
                               "--out", out], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024.0
        cpu_s = usage.ru_utime + usage.ru_stime
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr)
            raise SystemExit(proc.returncode)
        import json

        meta = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in meta["timings_s"].items())
        n_tif = sum(1 for p in Path(out).glob("coverage_*.tif"))
    print(f"sample area end to end: {wall:.1f} s wall, {cpu_s:.1f} s CPU [target < 60 s], peak RSS "
          f"{peak_mb:,.0f} MB [target < 2048 MB]; {n_tif} coverage rasters; {stages}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
