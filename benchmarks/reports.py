"""Benchmark of the indicators, the uncovered list and the writers on a synthetic province.

Prints seconds for: the indicators (whole area, 25 districts, 1,000 communes) of 20,000
hamlets, 5,000 BTS positions and 3,000 facilities; the uncovered-hamlet list with the nearest
fixes (2,000 proposed towers, 3,000 co-location opportunities, 1,500 fiber routes); and each
export format of that list. Not a test: run by hand, ``python benchmarks/reports.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gis.analysis.indicators import compute_indicators
from gis.analysis.status import uncovered_hamlets
from gis.export.writers import export_table
from gis.report.html import render_html
from gis.report.results import RunResults

N_HAMLETS, N_POS, N_FAC = 20_000, 5_000, 3_000


def province(seed: int = 1) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(105.0, 106.5, N_HAMLETS)
    lat = rng.uniform(20.0, 21.5, N_HAMLETS)
    commune = (np.floor((lon - 105.0) / 1.5 * 40).astype(int) * 25
               + np.floor((lat - 20.0) / 1.5 * 25).astype(int))
    pop = rng.integers(150, 2500, N_HAMLETS).astype(float)
    hamlets = pd.DataFrame({
        "village_id": [f"H{i:05d}" for i in range(N_HAMLETS)],
        "name": [f"Thôn {i}" for i in range(N_HAMLETS)],
        "commune": [f"Xã {c}" for c in commune],
        "district": [f"Huyện {c // 40}" for c in commune],
        "population": pop, "households": np.round(pop / 3.8),
        "lon": lon, "lat": lat,
        "mobile_4g": rng.random(N_HAMLETS) < 0.9, "mobile_5g": rng.random(N_HAMLETS) < 0.2,
        "weak_spot": rng.random(N_HAMLETS) < 0.03, "ftth": rng.random(N_HAMLETS) < 0.8,
        "hh_share_ftth": rng.random(N_HAMLETS), "pop_share_4g": rng.random(N_HAMLETS),
        "pop_share_5g": rng.random(N_HAMLETS) * 0.3,
        "lost_if_2g_off": rng.random(N_HAMLETS) < 0.02,
        "lost_if_3g_off": rng.random(N_HAMLETS) < 0.05,
    })
    positions = pd.DataFrame({
        "position_id": [f"P{i}" for i in range(N_POS)],
        "lon": rng.uniform(105.0, 106.5, N_POS), "lat": rng.uniform(20.0, 21.5, N_POS),
        "n_operators": rng.integers(1, 4, N_POS)})
    facilities = pd.DataFrame({
        "kind": rng.choice(["school", "health_station", "commune_office", "industrial_zone"],
                           N_FAC),
        "lon": rng.uniform(105.0, 106.5, N_FAC), "lat": rng.uniform(20.0, 21.5, N_FAC),
        "connected": rng.random(N_FAC) < 0.9, "mobile_5g": rng.random(N_FAC) < 0.3})
    towers = pd.DataFrame({"tower_id": [f"T{i}" for i in range(2000)],
                           "lon": rng.uniform(105.0, 106.5, 2000),
                           "lat": rng.uniform(20.0, 21.5, 2000)})
    opps = pd.DataFrame({"operator": "Viettel",
                         "host_position_id": rng.choice(positions["position_id"], 3000)})
    x0 = rng.uniform(105.0, 106.5, 1500)
    y0 = rng.uniform(20.0, 21.5, 1500)
    routes = gpd.GeoDataFrame({"route_id": [f"R{i}" for i in range(1500)]},
                              geometry=shapely.linestrings(np.stack(
                                  [np.c_[x0, y0], np.c_[x0 + 0.01, y0 + 0.005]], axis=1)),
                              crs=4326)
    return hamlets, {"positions": positions, "facilities": facilities,
                     "proposed_towers": towers, "colocation_opportunities": opps,
                     "fiber_extensions": routes}


def main() -> None:
    hamlets, tables = province()
    t0 = time.perf_counter()
    ind = compute_indicators(hamlets, positions=tables["positions"],
                             facilities=tables["facilities"])
    t1 = time.perf_counter()
    print(f"indicators: {len(ind)} rows for {N_HAMLETS} hamlets, {N_POS} positions, "
          f"{N_FAC} facilities: {t1 - t0:.2f} s")
    unc = uncovered_hamlets(hamlets, tables, lang="vi")
    t2 = time.perf_counter()
    print(f"uncovered list with nearest fixes: {len(unc)} rows: {t2 - t1:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, suffix in (("csv", "csv"), ("xlsx", "xlsx"), ("geojson", "geojson"),
                            ("gpkg", "gpkg"), ("shp", "zip"), ("kml", "kml"), ("kmz", "kmz")):
            t = time.perf_counter()
            path = export_table(unc, Path(tmp) / f"u.{suffix}", fmt, lang="vi")
            print(f"  {fmt:8s} {time.perf_counter() - t:6.2f} s  "
                  f"{path.stat().st_size / 1e6:6.2f} MB")
        tables["indicators"] = ind
        t = time.perf_counter()
        html = render_html(RunResults(name="Tỉnh tổng hợp", hamlets=hamlets, tables=tables),
                           lang="vi")
        print(f"HTML report: {time.perf_counter() - t:.2f} s, {len(html) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
