"""ITM along the engine's rays: ms per 10 km site at 30 m, against the per-path baseline.

One omni site on a synthetic hilly DEM (30 m cells, relief about 600 m), 2,100 rays of 334
samples (10 km at 30 m, the sweep of :mod:`gis.radio.coverage`), 1800 MHz, 30 m mast, 1.5 m
receiver, the default :class:`gis.radio.itm_params.ItmParams`. Printed, all measured in this
run, warm (compiled), one core:

- the exact kernel :func:`gis.radio._itm.itm_ray_losses` over every sample of every ray:
  ms per site and samples per second;
- the same kernel with a ``need`` mask keeping one sample per 30 m grid cell
  (:func:`gis.radio._itm.itm_ray_losses_at`), what the engine needs;
- the baseline: the per-path function :func:`gis.radio._itm.itm_p2p_tls` called for each
  sample of a subset of rays (extrapolated to the site), and the speed-up;
- two approximations against the exact values, with ms per site and the error distribution
  (dB): ITM at every m-th sample only, linearly interpolated in between (m = 2-16); and
  exact ITM except delta_h, recomputed every s samples only
  (:func:`gis.radio._itm.itm_ray_losses_approx`, s = 4-32).

Times are per site (2,100 rays; fewer ``--rays`` are scaled up), best of ``--repeat``, as wall
time and as the CPU time of this process (closer to a quiet core when the machine is shared).

Run: ``.venv/bin/python benchmarks/itm.py [--rays 2100] [--baseline-rays 30]``. The target of
issue 14 is 50 ms per site; the output says how far the exact model is from it.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from gis.radio import _itm
from gis.radio.itm_params import ItmParams

STEP_M = 30.0
RADIUS_M = 10_000.0
FREQ_MHZ = 1800.0
H_TX_M = 30.0
H_RX_M = 1.5


def hilly_dem(size: int, seed: int = 7) -> np.ndarray:
    """A smooth synthetic relief (m): sums of sines with random directions and phases."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] * STEP_M
    z = np.full((size, size), 250.0)
    for wavelength, amp in ((9000.0, 180.0), (4000.0, 110.0), (1800.0, 60.0), (700.0, 25.0),
                            (300.0, 8.0)):
        for _ in range(3):
            a = rng.uniform(0, np.pi)
            z += amp / 3 * np.sin((np.cos(a) * xx + np.sin(a) * yy) * 2 * np.pi / wavelength
                                  + rng.uniform(0, 2 * np.pi))
    return z


def ray_profiles(dem: np.ndarray, n_rays: int, n_samples: int) -> tuple[np.ndarray, ...]:
    """Bilinear elevations along ``n_rays`` radials from the DEM centre: (rays, samples)."""
    c0 = r0 = (dem.shape[0] - 1) / 2.0
    az = 2 * np.pi * np.arange(n_rays) / n_rays
    k = np.arange(n_samples)
    cols = c0 + np.outer(np.sin(az), k)
    rows = r0 - np.outer(np.cos(az), k)
    c = np.floor(cols).astype(int)
    r = np.floor(rows).astype(int)
    fc = cols - c
    fr = rows - r
    z = (dem[r, c] * (1 - fc) * (1 - fr) + dem[r, c + 1] * fc * (1 - fr)
         + dem[r + 1, c] * (1 - fc) * fr + dem[r + 1, c + 1] * fc * fr)
    return np.ascontiguousarray(z), cols, rows


def one_sample_per_cell(cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Mask keeping, for each grid cell crossed, the ray sample nearest to its centre."""
    ci = np.rint(cols).astype(np.int64)
    ri = np.rint(rows).astype(np.int64)
    dist = (cols - ci) ** 2 + (rows - ri) ** 2
    cell = ri * 100_000 + ci
    order = np.lexsort((dist.ravel(), cell.ravel()))
    first = np.ones(order.size, dtype=bool)
    first[1:] = cell.ravel()[order][1:] != cell.ravel()[order][:-1]
    need = np.zeros(cell.size, dtype=bool)
    need[order[first]] = True
    need = need.reshape(cell.shape)
    need[:, 0] = False
    return need


def _args(p: ItmParams) -> tuple:
    return (H_TX_M, H_RX_M, p.climate, p.n0_n_units, FREQ_MHZ, p.polarization.code, p.epsilon,
            p.sigma_s_m, p.mdvar, p.time_pct, p.location_pct, p.situation_pct)


def run_exact(z: np.ndarray, p: ItmParams, need: np.ndarray | None = None):
    n_rays, n = z.shape
    loss = np.empty((n_rays, n))
    mode = np.empty((n_rays, n), dtype=np.int8)
    warn = np.empty((n_rays, n), dtype=np.int32)
    a = _args(p)
    for i in range(n_rays):
        if need is None:
            _itm.itm_ray_losses(z[i], STEP_M, *a, loss[i], mode[i], warn[i])
        else:
            _itm.itm_ray_losses_at(z[i], STEP_M, *a, need[i], loss[i], mode[i], warn[i])
    return loss, mode


def run_decimated(z: np.ndarray, p: ItmParams, m: int) -> np.ndarray:
    """ITM at samples 1, 1 + m, 1 + 2m, ... and the last one, linear in between."""
    n_rays, n = z.shape
    need = np.zeros(n, dtype=bool)
    need[1::m] = True
    need[-1] = True
    ks = np.flatnonzero(need)
    kk = np.arange(1, n)
    out = np.full((n_rays, n), np.nan)
    loss = np.empty(n)
    mode = np.empty(n, dtype=np.int8)
    warn = np.empty(n, dtype=np.int32)
    a = _args(p)
    for i in range(n_rays):
        _itm.itm_ray_losses_at(z[i], STEP_M, *a, need, loss, mode, warn)
        out[i, 1:] = np.interp(kk, ks, loss[ks])
    return out


def run_delta_h_stride(z: np.ndarray, p: ItmParams, stride: int) -> np.ndarray:
    n_rays, n = z.shape
    out = np.empty((n_rays, n))
    mode = np.empty(n, dtype=np.int8)
    warn = np.empty(n, dtype=np.int32)
    need = np.empty(0, dtype=np.bool_)
    a = _args(p)
    for i in range(n_rays):
        _itm.itm_ray_losses_approx(z[i], STEP_M, *a, need, stride, out[i], mode, warn)
    return out


def run_per_path(z: np.ndarray, p: ItmParams) -> np.ndarray:
    n_rays, n = z.shape
    out = np.full((n_rays, n), np.nan)
    s_buf = np.empty(_itm.DELTA_H_BUFFER)
    d_buf = np.empty(_itm.DELTA_H_BUFFER)
    res = np.empty(_itm.N_OUT)
    a = _args(p)
    for i in range(n_rays):
        for k in range(1, n):
            _itm.itm_p2p_tls(z[i, :k + 1], STEP_M, *a, s_buf, d_buf, res)
            out[i, k] = res[_itm.OUT_A_DB]
    return out


SITE_RAYS = 2100


def _best(fn, repeat: int, scale: float) -> tuple[float, float, object]:
    """(best wall s, best CPU s, result), times scaled to a whole site."""
    best = cpu = np.inf
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return best * scale, cpu * scale, result


def _ms(wall: float, cpu: float) -> str:
    return f"{wall * 1e3:8.1f} ms/site (CPU {cpu * 1e3:7.1f})"


def _err_line(err: np.ndarray) -> str:
    return (f"median {np.median(err):5.2f}  p95 {np.percentile(err, 95):5.2f}  "
            f"p99 {np.percentile(err, 99):6.2f}  max {err.max():6.2f}  "
            f"<=1 dB {np.mean(err <= 1) * 100:5.1f} %  <=3 dB {np.mean(err <= 3) * 100:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rays", type=int, default=2100)
    ap.add_argument("--baseline-rays", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    p = ItmParams()
    n = int(RADIUS_M / STEP_M) + 1
    dem = hilly_dem(2 * n + 8)
    z, cols, rows = ray_profiles(dem, args.rays, n)
    n_cells = args.rays * (n - 1)
    print(f"ITM along rays: {args.rays} rays x {n - 1} samples ({n_cells:,} receivers), "
          f"{STEP_M:g} m, {FREQ_MHZ:g} MHz, h_tx {H_TX_M:g} m; relief "
          f"{np.ptp(z):.0f} m; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    scale = SITE_RAYS / args.rays
    run_exact(z[:2], p)                    # compile / load the cache
    run_decimated(z[:2], p, 4)
    run_delta_h_stride(z[:2], p, 4)
    run_per_path(z[:1, :20], p)
    t_exact, c_exact, (exact, mode) = _best(lambda: run_exact(z, p), args.repeat, scale)
    print(f"  exact, every sample       {_ms(t_exact, c_exact)}  "
          f"{n_cells * scale / c_exact / 1e6:6.3f} M samples/CPU s  modes "
          f"{np.bincount(mode[:, 1:].ravel(), minlength=4)[1:].tolist()} (LOS/diff/tropo)")
    need = one_sample_per_cell(cols, rows)
    t_need, c_need, _ = _best(lambda: run_exact(z, p, need), args.repeat, scale)
    print(f"  exact, one per grid cell  {_ms(t_need, c_need)}  "
          f"({int(need.sum()):,} of {n_cells:,} samples, "
          f"{need.sum() * scale / c_need / 1e6:.3f} M cells/CPU s)")

    nb = min(args.baseline_rays, args.rays)
    sel = np.linspace(0, args.rays - 1, nb).astype(int)
    t_base, c_base, base = _best(lambda: run_per_path(z[sel], p), 1, SITE_RAYS / nb)
    worst = float(np.nanmax(np.abs(base[:, 1:] - exact[sel, 1:])))
    print(f"  baseline, per path        {_ms(t_base, c_base)}  (measured on {nb} rays); "
          f"kernel speed-up x{c_base / c_exact:.1f}; max |kernel - per path| {worst:.1e} dB")

    target_ms = 50.0
    print(f"  target {target_ms:g} ms/site on one core: the exact kernel needs "
          f"x{c_exact * 1e3 / target_ms:.1f} that on every sample, "
          f"x{c_need * 1e3 / target_ms:.1f} at one sample per cell (CPU time)")
    ok = np.isfinite(exact[:, 1:])
    print("  approximation A: ITM every m-th sample, linear in between (error vs exact, dB):")
    for m in (2, 4, 8, 16):
        t_m, c_m, approx = _best(lambda m=m: run_decimated(z, p, m), args.repeat, scale)
        print(f"    m = {m:2d}  {_ms(t_m, c_m)}  "
              f"{_err_line(np.abs(approx[:, 1:] - exact[:, 1:])[ok])}")
    print("  approximation B: exact ITM but delta_h every s samples (error vs exact, dB):")
    for stride in (4, 8, 16, 32):
        t_s, c_s, approx = _best(lambda s=stride: run_delta_h_stride(z, p, s), args.repeat,
                                 scale)
        print(f"    s = {stride:2d}  {_ms(t_s, c_s)}  "
              f"{_err_line(np.abs(approx[:, 1:] - exact[:, 1:])[ok])}")


if __name__ == "__main__":
    main()
