"""Benchmark: the sharing analysis (positions, rates, co-location opportunities, consolidation,
new towers, switch-off) on the sample area and on a synthetic province.

The province: 90 km × 80 km (7,200 km²) with a 30 m synthetic DEM (the sample's terrain
function), 5,000 site rows of four operators on about 3,000 towers, 2,000 hamlets and a road grid.
Per-hamlet coverage flags stand in for the coverage stage (a hamlet is covered by an operator's
technology within 3-6 km of one of its sites), since this benchmark times the sharing analysis;
every point-to-point question goes through the radio engine over the DEM.

Run: ``.venv/bin/python benchmarks/sharing.py`` (target: province under 2 minutes).
"""

from __future__ import annotations

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


def main() -> None:
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
    print("synthetic province (7,200 km², 5,000 sites, 2,000 hamlets):")
    ctx = province()
    t0 = time.perf_counter()
    sharing_stage(ctx)
    report(ctx, time.perf_counter() - t0, "province")


if __name__ == "__main__":
    main()
