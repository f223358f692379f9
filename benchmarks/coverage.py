"""Benchmark of the coverage engine (issues 3 and 14): prints its figures, is not a test.

1. ms per 10 km site on a 30 m DEM (~349,000 cells), warm, one thread, for each terrain method
   and median model, omni sites and 3-sector sites (one terrain sweep shared by the sectors),
   with cells per second; the engine before issue 14 (``benchmarks/_coverage_baseline.py``, its
   default Bullington) on the same sites in the same run, and the speed-up over it
   [target: <= 10 ms per site with the default model];
   ITM (Longley-Rice, ``radio.model_rules`` naming ``itm``) in the same table, measured on the
   same sites in the same run [issue 14's target: <= 50 ms per site with ITM];
2. the numba-parallel path (``threads=2``): wall-clock speed-up on this machine's cores and a
   cell-for-cell equality check with one thread, for the default model and for ITM;
3. the overhead of ``power_sums=True`` [target < 20 %];
4. ITM on a mast with three carriers (900, 1800, 2100 MHz omni): one pass per ray for the three
   (ITM's horizons, delta_h and effective heights do not depend on the frequency) against three
   masts of one carrier each;
5. the sample area end to end: ``python -m gis run --project data/sample`` in a child process,
   with its stage timings (``--skip-e2e`` to leave it out).

Run: ``python benchmarks/coverage.py [--sites N] [--skip-e2e]`` from the repository root. The
machine is shared: the load average is printed with the figures, and CPU time (the process's,
less sensitive to other load than wall time) is reported next to wall time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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
HERE = Path(__file__).resolve().parent
# This file is named like the ``coverage`` package that numba probes for: take its folder off
# the import path so that ``import coverage`` inside numba does not import this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from gis.radio.coverage import compute_coverage  # noqa: E402
from gis.radio.params import RadioParams  # noqa: E402

RES_M = 30.0
RADIUS_M = 10_000.0


def _baseline():
    if "_coverage_baseline" in sys.modules:
        return sys.modules["_coverage_baseline"]
    spec = importlib.util.spec_from_file_location("_coverage_baseline",
                                                  HERE / "_coverage_baseline.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["_coverage_baseline"] = mod  # numba's on-disk cache finds its module by name
    spec.loader.exec_module(mod)
    return mod


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


def site_rows(x: float, y: float, sectors: int, freq_mhz: float = 1800.0) -> list[dict]:
    az = [np.nan] if sectors == 0 else [i * 360.0 / sectors for i in range(sectors)]
    return [{"operator": "Viettel", "tech": "4G", "x": x, "y": y, "height_m": 36.0,
             "freq_mhz": freq_mhz, "azimuth_deg": a, "beamwidth_deg": 360.0 if sectors == 0
             else 65.0, "tilt_deg": 3.0, "eirp_dbm": 61.0, "n_subcarriers": 1200,
             "max_radius_m": RADIUS_M, "vbeamwidth_deg": np.nan if sectors == 0 else 8.0}
            for a in az]


def positions(n: int, transform: Affine, k: int, seed: int = 42) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    margin = RADIUS_M / RES_M
    out = []
    for _ in range(k):
        c, r = rng.uniform(margin, n - margin, 2)
        out.append((transform.c + (c + 0.5) * RES_M, transform.f - (r + 0.5) * RES_M))
    return out


def timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def interleaved(configs: dict, sites: list[tuple[float, float]], sectors: int,
                repeats: int = 2) -> dict:
    """Per config: median over sites of the best of ``repeats`` (wall ms, CPU ms) and cells per
    CPU second. The configs run one after the other on each site, ``repeats`` times, so that a
    change of the machine's load affects them alike."""
    acc = {k: ([], [], []) for k in configs}
    for x, y in sites:
        best = {k: [math.inf, math.inf, 0] for k in configs}
        for _ in range(repeats):
            for k, (run, freq) in configs.items():
                tx = pd.DataFrame(site_rows(x, y, sectors, freq))
                out: list = []
                w, c = timed(lambda tx=tx, out=out, run=run: out.append(run(tx)))
                b = best[k]
                b[0], b[1], b[2] = min(b[0], w), min(b[1], c), out[0]
        for k, (w, c, cells) in best.items():
            acc[k][0].append(w)
            acc[k][1].append(c)
            acc[k][2].append(cells / c)
    return {k: (float(np.median(w) * 1e3), float(np.median(c) * 1e3), float(np.median(cps)))
            for k, (w, c, cps) in acc.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=7, help="sites per configuration")
    ap.add_argument("--skip-e2e", action="store_true", help="leave out the sample area run")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    n = int(2 * RADIUS_M / RES_M) + 200
    dem = synthetic_dem(n)
    transform = Affine(RES_M, 0, 500_000.0, 0, -RES_M, 2_300_000.0)
    base = _baseline()
    params = RadioParams()
    itm = params.replace(model_rules=({"max_freq_mhz": 100_000.0, "model": "itm"},))
    sites = positions(n, transform, args.sites)

    def new(p, threads=1, power_sums=False):
        def run(tx):
            res = compute_coverage(tx, dem, transform, "EPSG:32648", p, threads=threads,
                                   power_sums=power_sums)
            return int(np.isfinite(res.best("4G")).sum())
        return run

    def old(tx):
        best = base.baseline_coverage(tx, dem, transform, params)
        return int(np.isfinite(best["Viettel", "4G"]).sum())

    # JIT warm-up (kernels are cached on disk after the first run)
    warm = pd.DataFrame(site_rows(*sites[0], 3))
    for meth in ("delta_bullington", "bullington", "deygout", "none"):
        new(params.replace(diffraction=meth))(warm)
    new(params, threads=2, power_sums=True)(warm)
    new(itm)(warm)
    new(itm, threads=2)(warm)
    old(warm)
    cells = int(math.pi * (RADIUS_M / RES_M) ** 2)
    print(f"radius {RADIUS_M / 1000:.0f} km on a {RES_M:.0f} m DEM: ~{cells:,} cells per site; "
          f"median of {len(sites)} sites, warm, one thread")
    print(f"{'engine':<44} {'sectors':>7} {'wall ms':>8} {'CPU ms':>8} {'per sector':>10} "
          f"{'M cells/s':>9} {'speed-up':>8}")
    labels = {
        "old": "before issue 14 (bullington, COST-Hata 1800)",
        "d1800": "delta-Bullington (default), COST-Hata 1800",
        "d900": "delta-Bullington (default), Hata 900",
        "d3500": "delta-Bullington (default), RMa 3500",
        "bull": "Bullington, COST-Hata 1800",
        "dey": "Deygout, COST-Hata 1800",
        "none": "no terrain term, COST-Hata 1800",
        "itm1800": "ITM (Longley-Rice 1.2.2), 1800",
        "itm900": "ITM (Longley-Rice 1.2.2), 900",
    }
    configs = {
        "old": (old, 1800.0),
        "d1800": (new(params), 1800.0),
        "d900": (new(params), 900.0),
        "d3500": (new(params), 3500.0),
        "bull": (new(params.replace(diffraction="bullington")), 1800.0),
        "dey": (new(params.replace(diffraction="deygout")), 1800.0),
        "none": (new(params.replace(diffraction="none")), 1800.0),
        "itm1800": (new(itm), 1800.0),
        "itm900": (new(itm), 900.0),
    }
    for sectors in (0, 3):
        k = max(1, sectors)
        res = interleaved(configs, sites, sectors)
        ref = res["old"][1]
        for key, (w, c, cps) in res.items():
            print(f"{labels[key]:<44} {k:>7} {w:8.1f} {c:8.1f} {c / k:10.1f} {cps / 1e6:9.2f} "
                  f"{ref / c:8.2f}")
        print(f"  ITM / default (CPU, COST-Hata 1800): {res['itm1800'][1] / res['d1800'][1]:.1f}x")
    print("(targets: <= 10 ms per site with the default model and <= 50 ms with ITM; the issue "
          "measured the engine before it at 81 ms per site, 27.7 ms per sector, on a quiet "
          "machine)")

    # parallel: wall-clock speed-up and equality
    tx = pd.DataFrame(site_rows(*sites[1], 3))
    one = compute_coverage(tx, dem, transform, "EPSG:32648", params, threads=1)
    two = compute_coverage(tx, dem, transform, "EPSG:32648", params, threads=2)
    same = all(np.array_equal(one.best_dbm[k], two.best_dbm[k], equal_nan=True)
               and np.array_equal(one.server[k], two.server[k]) for k in one.keys)
    res = interleaved({"1": (new(params, threads=1), 1800.0),
                       "2": (new(params, threads=2), 1800.0)}, sites, 3)
    w1, w2 = res["1"][0], res["2"][0]
    print(f"numba-parallel, 3-sector sites: {w1:.1f} ms wall with 1 thread, {w2:.1f} ms with 2: "
          f"{w1 / w2:.2f}x; cell for cell equal: {same}")
    one = compute_coverage(tx, dem, transform, "EPSG:32648", itm, threads=1)
    two = compute_coverage(tx, dem, transform, "EPSG:32648", itm, threads=2)
    same = all(np.array_equal(one.best_dbm[k], two.best_dbm[k], equal_nan=True)
               for k in one.keys) and one.itm_modes == two.itm_modes
    res = interleaved({"1": (new(itm, threads=1), 1800.0),
                       "2": (new(itm, threads=2), 1800.0)}, sites[:3], 3, repeats=1)
    w1, w2 = res["1"][0], res["2"][0]
    print(f"numba-parallel, ITM, 3-sector sites: {w1:.1f} ms wall with 1 thread, {w2:.1f} ms "
          f"with 2: {w1 / w2:.2f}x; cell for cell equal: {same}")

    # power sums
    res = interleaved({"off": (new(params), 1800.0),
                       "on": (new(params, power_sums=True), 1800.0)}, sites, 3)
    c0, c1 = res["off"][1], res["on"][1]
    print(f"power_sums=True, 3-sector sites: {c0:.1f} -> {c1:.1f} ms CPU per site "
          f"(+{100 * (c1 / c0 - 1):.0f} %) [target < 20 %]")

    # ITM on a mast with three carriers: one pass per ray against three single-carrier masts
    def mast(x, y, freqs):
        return pd.DataFrame([{**site_rows(x, y, 0, f)[0], "tech": t}
                             for f, t in zip(freqs, ("2G", "4G", "3G"), strict=False)])

    shared, alone = [], []
    for x, y in sites[:3]:
        tx3 = mast(x, y, (900.0, 1800.0, 2100.0))
        shared.append(timed(lambda tx3=tx3: compute_coverage(tx3, dem, transform,
                                                             "EPSG:32648", itm))[1])
        alone.append(sum(timed(lambda i=i, tx3=tx3: compute_coverage(
            tx3.iloc[i:i + 1], dem, transform, "EPSG:32648", itm))[1] for i in range(3)))
    c3, c1 = float(np.median(shared)) * 1e3, float(np.median(alone)) * 1e3
    print(f"ITM, one mast with 900 + 1800 + 2100 MHz omni carriers: {c3:.0f} ms CPU per site "
          f"against {c1:.0f} ms for three one-carrier masts ({c1 / c3:.2f}x)")

    if not args.skip_e2e:
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
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr)
                raise SystemExit(proc.returncode)
            meta = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in meta["timings_s"].items())
        print(f"sample area end to end: {wall:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s "
              f"CPU [target < 10 s], peak RSS {usage.ru_maxrss / 1024:,.0f} MB; {stages}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
