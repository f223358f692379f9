"""Throughput of the empirical models, the antenna pattern and the sector expansion.

Prints ns per evaluation for one million horizontal distances per model (what the coverage engine
asks for one 10 km sector on a 30 m DEM: ~350 000 cells), and the time to expand 20 000 site rows.
Run: ``python benchmarks/radio_models.py``.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely

from gis.radio.antenna import sector_gain_db
from gis.radio.models import Model, path_loss_db
from gis.radio.params import RadioParams
from gis.radio.sectors import expand_sectors


def _best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    d = rng.uniform(20.0, 10_000.0, n)
    print(f"path loss, {n:,} distances (best of 5):")
    for model in (m for m in Model if not m.needs_profile):   # ITM: benchmarks/itm.py
        freq = 900.0 if model == Model.OKUMURA_HATA else 1800.0 if model == Model.COST231_HATA \
            else 3500.0
        s = _best_of(lambda m=model, f=freq: path_loss_db(m, d, f, 36.0, 1.5, force=True))
        print(f"  {model.value:<14} {s * 1e3:7.1f} ms  {s / n * 1e9:6.1f} ns/eval")
    az = rng.uniform(0.0, 360.0, n)
    el = rng.uniform(-10.0, 0.0, n)
    s = _best_of(lambda: sector_gain_db(az, el, azimuth_deg=120.0, tilt_deg=3.0))
    print(f"  {'sector pattern':<14} {s * 1e3:7.1f} ms  {s / n * 1e9:6.1f} ns/eval")

    m = 20_000
    sites = gpd.GeoDataFrame(
        {"operator": rng.choice(["Viettel", "VinaPhone", "MobiFone"], m),
         "tech": rng.choice(["4G", "2G/4G", "3G/4G/5G", None], m),
         "azimuth_deg": np.where(rng.random(m) < 0.5, rng.uniform(0, 360, m), np.nan)},
        geometry=shapely.points(rng.uniform(4e5, 6e5, m), rng.uniform(2.2e6, 2.4e6, m)),
        crs=32648)
    params = RadioParams()
    s = _best_of(lambda: expand_sectors(sites, params), repeat=3)
    tx, _ = expand_sectors(sites, params)
    print(f"expand_sectors: {m:,} site rows -> {len(tx):,} transmitters in {s * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
