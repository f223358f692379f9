"""Benchmark: road graph build and network distances for all hamlets, synthetic and sample area.

Prints the time to build the routable graph from a roads layer and to compute the network
distance from every hamlet centre and household point to its nearest access point (one
multi-source search), on

1. a synthetic road network of >= 100,000 edges (a jittered 225 x 225 street grid, one line per
   block side, with 1,000 hamlets x 20 household points and 300 access points); target < 10 s;
2. the bundled sample area (``data/sample``, built when missing): the whole fiber run
   (FTTH, extension plan, facilities).

Run: ``python benchmarks/fiber.py`` (``make bench``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.analysis.fiber_plan import plan_extensions  # noqa: E402
from gis.analysis.ftth import distance_to_sources_m  # noqa: E402
from gis.analysis.roads import build_road_graph  # noqa: E402


def synthetic_roads(n: int = 225, spacing_m: float = 200.0, seed: int = 1) -> gpd.GeoDataFrame:
    """A jittered n x n street grid: 2 n (n - 1) lines (100,800 for n = 225), EPSG:32648."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(n) * spacing_m, np.arange(n) * spacing_m)
    xy = np.stack([gx.ravel(), gy.ravel()], axis=1) + rng.normal(0, 20, (n * n, 2))
    xy += [500_000.0, 2_200_000.0]
    idx = np.arange(n * n).reshape(n, n)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    classes = rng.choice(["village", "commune", "district", "provincial"], a.size,
                         p=[0.6, 0.25, 0.1, 0.05])
    return gpd.GeoDataFrame({"road_class": classes},
                            geometry=shapely.linestrings(np.stack([xy[a], xy[b]], axis=1)),
                            crs="EPSG:32648")


def bench_synthetic() -> None:
    rng = np.random.default_rng(2)
    roads = synthetic_roads()
    lo, hi = roads.total_bounds[:2], roads.total_bounds[2:]
    centres = rng.uniform(lo, hi, (1000, 2))
    households = (np.repeat(centres, 20, axis=0) + rng.normal(0, 150, (20_000, 2)))
    access = rng.uniform(lo, hi, (300, 2))
    c0, t0 = time.process_time(), time.perf_counter()
    graph = build_road_graph(roads)
    c1, t1 = time.process_time(), time.perf_counter()
    d = distance_to_sources_m(graph, access, np.vstack([centres, households]))
    c2, t2 = time.process_time(), time.perf_counter()
    print(f"synthetic: {len(roads):,} road lines -> {graph.n_nodes:,} nodes, "
          f"{graph.n_edges:,} edges")
    print(f"  build graph            {t1 - t0:6.2f} s  (CPU {c1 - c0:.2f} s)")
    print(f"  distances, {len(d):,} points from {len(access)} access points "
          f"{t2 - t1:6.2f} s  (CPU {c2 - c1:.2f} s)")
    print(f"  total                  {t2 - t0:6.2f} s  (CPU {c2 - c0:.2f} s; target < 10 s)")
    print(f"  median centre distance {np.median(d[:1000]):.0f} m; "
          f"{np.mean(d[1000:] <= 400):.1%} of household points within 400 m")
    # extension plan for the 100 farthest hamlets from 300 network points
    far = np.argsort(-d[:1000])[:100]
    t3 = time.perf_counter()
    plan = plan_extensions(graph, access, centres[far], names=far.astype(str),
                           village_ids=far, households=np.full(100, 100.0), crs=roads.crs)
    t4 = time.perf_counter()
    print(f"  extension plan, 100 hamlets: {len(plan.routes)} routes, "
          f"{plan.total_length_m / 1000:.1f} km, {plan.total_cost_vnd / 1e9:.2f} bn VND "
          f"in {t4 - t3:.2f} s")


def bench_sample() -> None:
    from gis.pipeline.stages import STAGES, run
    from gis.project import Project

    folder = ROOT / "data" / "sample"
    if not (folder / "project.json").is_file():
        from gis.sample import build_sample

        build_sample().save(folder)
    project = Project.load(folder)
    roads = project.layer("roads")
    t0 = time.perf_counter()
    graph = build_road_graph(roads)
    t1 = time.perf_counter()
    stages = [s for s in STAGES if s.name in ("hamlets", "ftth", "fiber_plan", "facilities")]
    ctx = run(project, stages=stages)
    t2 = time.perf_counter()
    h = ctx.hamlets
    routes = ctx.tables["fiber_extensions"]
    print(f"sample area: {len(roads)} roads -> {graph.n_nodes:,} nodes, {graph.n_edges:,} edges;"
          f" {len(h)} hamlets")
    print(f"  build graph            {t1 - t0:6.2f} s")
    print(f"  fiber stages           {t2 - t1:6.2f} s  {ctx.timings}")
    print(f"  FTTH hamlets {int(h['ftth'].sum())}/{len(h)}; centre reached "
          f"{int(h['ftth_centre'].sum())}; {len(routes)} extension routes, "
          f"{routes['length_m'].sum() / 1000:.1f} km, {routes['cost_vnd'].sum() / 1e9:.2f} bn VND")


if __name__ == "__main__":
    bench_synthetic()
    bench_sample()
