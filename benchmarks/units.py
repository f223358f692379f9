"""Timing of the hamlet attribution to the 2025 units (prints figures; not a test).

Hamlets are placed at the centres of real former communes (seeded jitter of about 500 m) with
their former names, for 1, 10 and 50 thousand hamlets; the baseline is the crosswalk load and
index build, measured in the same run. Run: ``.venv/bin/python benchmarks/units.py``.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely


def main() -> None:
    t0 = time.perf_counter()
    from gis.analysis.units import assign_units, crosswalk
    from gis.analysis.units.match import _index

    cw = crosswalk()
    _index()
    load = time.perf_counter() - t0
    print(f"crosswalk load + name index: {load:.2f} s (baseline)")
    fc = cw.former_communes.dropna(subset=["former_commune"]).reset_index(drop=True)
    rng = np.random.default_rng(16)
    for n in (1_000, 10_000, 50_000):
        pick = rng.integers(0, len(fc), n)
        sel = fc.iloc[pick]
        lon = sel["lon"].to_numpy() + rng.normal(0, 0.005, n)
        lat = sel["lat"].to_numpy() + rng.normal(0, 0.005, n)
        truth = assign_units(gpd.GeoDataFrame(
            {"commune": sel["former_commune"].to_numpy(),
             "district": sel["former_district"].to_numpy(),
             "province": sel["former_province"].to_numpy()},
            geometry=shapely.points(sel["lon"], sel["lat"]), crs=4326))["commune_code"].to_numpy()
        hamlets = gpd.GeoDataFrame(
            {"commune": sel["former_commune"].to_numpy(),
             "district": sel["former_district"].to_numpy(),
             "province": sel["former_province"].to_numpy()},
            geometry=shapely.points(lon, lat), crs=4326).to_crs(32648)
        for label, frame in (("names", hamlets), ("position only", hamlets[["geometry"]])):
            t = time.perf_counter()
            out = assign_units(frame)
            dt = time.perf_counter() - t
            ok = (out["former_commune_code"].to_numpy() ==
                  sel["former_commune_code"].to_numpy()).mean()
            new_ok = (out["commune_code"].to_numpy() == truth).mean()
            print(f"{n:>6} hamlets, {label:<13}: {dt:6.2f} s ({dt / load:4.1f}x baseline), "
                  f"former commune right for {ok:.1%}, 2025 commune for {new_ok:.1%}")


if __name__ == "__main__":
    main()
