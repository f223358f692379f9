"""Benchmark: the sharing analysis (positions, rates, co-location opportunities, consolidation,
new towers, switch-off) on the sample area and on a synthetic province, and new-tower siting on
a synthetic country-sized case.

The province: 90 km × 80 km (7,200 km²) with a 30 m synthetic DEM (the sample's terrain
function), 5,000 site rows of four operators on about 3,000 towers, 2,000 hamlets and a road grid.
Per-hamlet coverage flags stand in for the coverage stage (a hamlet is covered by an operator's
technology within 3-6 km of one of its sites), since this benchmark times the sharing analysis;
every point-to-point question goes through the radio engine over the DEM.

The country-sized case (issue 17): 300,000 candidate sites and 20,000 hamlets without service
over 434 km x 434 km (about the density of the country preset's 367,941 candidates for 23,805
hamlets: ~500 candidates within 10 km of each hamlet), a synthetic DEM of 90 m cells profiled
every 30 m (the samples per profile of a 30 m DEM), through :func:`propose_towers` with the
terrain predictor. It prints the time, the pairs, the peak memory (numpy allocations traced by
tracemalloc, and the process's peak resident size), and what the dense candidates x hamlets
matrices of the first version would have needed.

Run: ``.venv/bin/python benchmarks/sharing.py [--skip-province] [--skip-country]`` (targets:
province under 2 minutes; country-sized siting in bounded memory, a few GB at most).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from rasterio.transform import from_origin
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.analysis.hamlets import hamlet_table  # noqa: E402
from gis.params import RunParams  # noqa: E402
from gis.pipeline.context import RunContext, TerrainGrid  # noqa: E402
from gis.pipeline.sharing import sharing_stage  # noqa: E402
from gis.pipeline.stages import STAGES, run  # noqa: E402
from gis.project import Project  # noqa: E402
from gis.radio.coverage import CoverageResult  # noqa: E402
from gis.radio.sectors import expand_sectors  # noqa: E402
from gis.sample.terrain import synthetic_dem  # noqa: E402

OPERATORS = ["Viettel", "VinaPhone", "MobiFone", "Vietnamobile"]
RADIUS_M = {"2G": 6000.0, "3G": 3500.0, "4G": 3000.0, "5G": 1200.0}


def province(seed: int = 11) -> RunContext:
    rng = np.random.default_rng(seed)
    crs = CRS.from_epsg(32648)
    x0, y0, w, h, res = 560_010.0, 2_200_020.0, 90_000.0, 79_980.0, 30.0
    t0 = time.perf_counter()
    dem = synthetic_dem((x0, y0, x0 + w, y0 + h), res, seed).astype(np.float32)
    transform = from_origin(x0, y0 + h, res, res)
    print(f"  synthetic DEM {dem.shape[1]} x {dem.shape[0]} cells in "
          f"{time.perf_counter() - t0:.1f} s")
    # ~3,000 towers; 5,000 operator sites on them (shared towers carry 2-3 operators).
    n_towers = 3000
    txy = np.column_stack([x0 + rng.random(n_towers) * w, y0 + rng.random(n_towers) * h])
    tenants = rng.choice([1, 2, 3], size=n_towers, p=[0.55, 0.35, 0.10])
    rows = []
    for t in range(n_towers):
        for op in rng.choice(OPERATORS, size=tenants[t], replace=False):
            rows.append((t, op))
    rows = rows[:5000]
    tower = np.array([r[0] for r in rows])
    ops = np.array([r[1] for r in rows])
    tech = rng.choice(["2G/3G/4G", "4G", "4G/5G", "2G"], size=len(rows), p=[0.6, 0.25, 0.1, 0.05])
    jitter = rng.normal(0, 4, size=(len(rows), 2))
    sites = gpd.GeoDataFrame({
        "site_id": [f"S{i:05d}" for i in range(len(rows))], "operator": ops, "tech": tech,
        "height_m": rng.uniform(25, 45, len(rows)).round(1),
    }, geometry=shapely.points(txy[tower] + jitter), crs=crs)
    hxy = np.column_stack([x0 + rng.random(2000) * w, y0 + rng.random(2000) * h])
    villages = gpd.GeoDataFrame({
        "village_id": [f"H{i:05d}" for i in range(2000)], "name": [f"Thôn {i}" for i in range(2000)],
        "commune": [f"Xã {i // 20}" for i in range(2000)],
        "population": rng.integers(200, 2500, 2000).astype(float),
    }, geometry=shapely.points(hxy), crs=crs)
    grid = [shapely.LineString([(x, y0), (x, y0 + h)]) for x in np.arange(x0, x0 + w, 5000)]
    grid += [shapely.LineString([(x0, y), (x0 + w, y)]) for y in np.arange(y0, y0 + h, 5000)]
    roads = gpd.GeoDataFrame({"road_class": ["commune"] * len(grid)}, geometry=grid, crs=crs)
    project = Project(name="province benchmark", crs=crs)
    project.set_layer("villages", villages)
    project.set_layer("sites", sites)
    project.set_layer("roads", roads)
    params = RunParams()
    tx, _ = expand_sectors(sites, params.radio)
    # Coverage flags: within RADIUS_M of one of the operator's sites with that tech.
    long = []
    for op in OPERATORS:
        for t, r in RADIUS_M.items():
            mine = tx[(tx["operator"] == op) & (tx["tech"] == t)]
            if mine.empty:
                continue
            d, _ = cKDTree(mine[["x", "y"]].to_numpy()).query(hxy)
            long.append(pd.DataFrame({"hamlet": np.arange(2000), "operator": op, "tech": t,
                                      "covered": d < r}))
    ctx = RunContext(project=project, params=params, workdir=Path(tempfile.mkdtemp()))
    ctx.hamlets = hamlet_table(villages)
    ctx.state.hamlet_coverage = pd.concat(long, ignore_index=True)
    ctx.state.coverage = CoverageResult(transform=transform, crs=crs, shape=dem.shape,
                                             best_dbm={}, server={}, transmitters=tx)
    ctx.state.terrain = TerrainGrid.of(dem, transform)
    return ctx


def report(ctx: RunContext, seconds: float, label: str) -> None:
    t = ctx.tables
    print(f"{label}: sharing analysis {seconds:.1f} s; "
          f"{len(t['positions'])} positions, sharing rate {ctx.state.sharing_rate:.1%} "
          f"-> {ctx.state.sharing_rate_if_taken or float('nan'):.1%} with the top "
          f"{ctx.params.sharing.top_opportunities} opportunities; "
          f"{len(t.get('colocation_opportunities', []))} opportunities, "
          f"{len(t.get('consolidation', []))} consolidation groups, "
          f"{len(t.get('proposed_towers', []))} new towers, "
          f"{len(t.get('unreachable_hamlets', []))} unreachable hamlets")


def _status_gb(field: str) -> float:
    """``VmHWM`` (peak resident size since the last reset) or ``VmRSS`` of this process, GB;
    NaN off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return float("nan")


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current resident size (Linux >= 4.0: ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _cached_dem(bounds, res: float, seed: int) -> np.ndarray:
    """:func:`synthetic_dem`, cached in the temporary folder (it takes minutes at this size)."""
    key = hashlib.sha256(repr((bounds, res, seed)).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"gis_bench_dem_{key}.npy"
    if path.is_file():
        return np.load(path)
    dem = synthetic_dem(bounds, res, seed).astype(np.float32)
    np.save(path, dem)
    return dem


def country_like(n_cand: int = 300_000, n_ham: int = 20_000, seed: int = 5) -> None:
    """New-tower siting at country size on sparse pairs; prints time and memory."""
    import tracemalloc

    from gis.analysis.sharing import Antenna, propose_towers, terrain_link_predictor
    from gis.radio.params import RadioParams

    rng = np.random.default_rng(seed)
    side, res = 434_070.0, 90.0  # 4,823 x 4,823 cells
    x0, y0 = 300_060.0, 1_800_000.0
    t0 = time.perf_counter()
    dem = _cached_dem((x0, y0, x0 + side, y0 + side), res, seed)
    transform = from_origin(x0, y0 + side, res, res)
    print(f"  synthetic DEM {dem.shape[1]} x {dem.shape[0]} cells of {res:g} m "
          f"({dem.nbytes / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
    cand = np.column_stack([x0 + rng.random(n_cand) * side, y0 + rng.random(n_cand) * side])
    ham = np.column_stack([x0 + rng.random(n_ham) * side, y0 + rng.random(n_ham) * side])
    pop = rng.integers(150, 2500, n_ham).astype(float)
    radio = RadioParams(ray_step_m=30.0)
    td = radio.tech("4G")
    antenna = Antenna(freq_mhz=td.freq_mhz, eirp_dbm=td.eirp_dbm,
                      threshold_dbm=td.tiers.edge_dbm, max_radius_m=td.max_radius_m)
    predict = terrain_link_predictor(dem, transform, radio)
    calls = {"pairs": 0, "profiled": 0}

    def counting(tx_xy, tx_h, rx_xy, ant):
        out = predict(tx_xy, tx_h, rx_xy, ant)
        calls["pairs"] += len(out)
        return out

    rss0 = _status_gb("VmRSS")
    reset = _reset_peak_rss()
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    chosen, assign, uncoverable, method = propose_towers(
        cand, ham, pop, antenna, counting, height_m=36.0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dense_gb = n_cand * n_ham * 8 / 2**30
    print(f"country-sized siting ({n_cand:,} candidates x {n_ham:,} hamlets, 10 km radius): "
          f"{wall:.1f} s wall, {cpu:.1f} CPU s; {calls['pairs']:,} pairs within the radius "
          f"({calls['pairs'] / n_ham:.0f} per hamlet); {len(chosen):,} towers ({method}), "
          f"{int((assign >= 0).sum()):,} hamlets served, {len(uncoverable):,} unreachable")
    hwm = _status_gb("VmHWM")
    print(f"  peak memory: numpy allocations {peak / 1e6:.0f} MB (tracemalloc); process "
          f"resident {rss0:.2f} GB before siting (with the DEM and the points), "
          + (f"peak {hwm:.2f} GB during it" if reset else f"peak {hwm:.2f} GB (whole run)"))
    print(f"  the dense path (point_rsrp_dbm on candidates x hamlets) would allocate three "
          f"{n_cand:,} x {n_ham:,} float64 matrices (distance, terrain loss, signal): "
          f"{3 * dense_gb:,.0f} GiB ({dense_gb:,.1f} GiB each)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--skip-country", action="store_true")
    args = ap.parse_args(argv)
    sample = ROOT / "data" / "sample"
    if (sample / "project.json").is_file():
        digest = hashlib.sha256(b"".join((sample / f).read_bytes() for f in
                                         ("project.json", "layers.gpkg", "params.json")))
        cache = Path(tempfile.gettempdir()) / f"gis_bench_sample_{digest.hexdigest()[:16]}.pkl"
        if cache.is_file():
            ctx = pickle.loads(cache.read_bytes())
        else:
            print("sample area: computing coverage first (cached for next time) ...")
            ctx = run(Project.load(sample),
                      stages=[s for s in STAGES if s.name in ("hamlets", "coverage", "mobile")])
            cache.write_bytes(pickle.dumps(ctx))
        t0 = time.perf_counter()
        sharing_stage(ctx)
        report(ctx, time.perf_counter() - t0, "sample area")
    if not args.skip_province:
        print("synthetic province (7,200 km², 5,000 sites, 2,000 hamlets):")
        ctx = province()
        t0 = time.perf_counter()
        sharing_stage(ctx)
        report(ctx, time.perf_counter() - t0, "province")
    if not args.skip_country:
        print("synthetic country-sized siting:")
        country_like()


if __name__ == "__main__":
    main()
