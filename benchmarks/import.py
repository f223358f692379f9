"""Benchmark the open-data importers on country-sized synthetic inputs.

1. OSM: a synthetic ``.osm.pbf`` of at least 50 MB over Vietnam (roads as random walks,
   buildings, residential areas, POIs, hamlets, masts; denser around Hà Nội) is written once with
   pyosmium's writer and cached in the temp folder. The import of one district (about 21 x 22 km)
   runs in a fresh subprocess, which reports its wall time and its peak memory
   (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), once per node-location index.
   Targets (issue 9): under 60 s and under 1 GB.
2. OpenCelliD: a synthetic 2-million-row CSV (cached), filtered to a province and clustered.
3. Rasters: nine SRTM 1" tiles (3 x 3 degrees) and a country-sized 3" population GeoTIFF
   (the extent of WorldPop's Vietnam file), clipped to the district: only the windows over the
   district are read, so memory stays far below the size of the inputs.

Run: ``python benchmarks/import.py`` (first run: about two minutes to write the PBF).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TMP = Path(tempfile.gettempdir())
PBF = TMP / "gis-bench-vietnam-synthetic-v2.osm.pbf"
OCID = TMP / "gis-bench-opencellid-452.csv"
MIN_MB = 50.0
DISTRICT = "105.70,20.90,105.90,21.10"
PROVINCE = "105.30,20.50,106.10,21.40"
SEED = 20261122

# Rough boxes covering Vietnam (lon0, lat0, lon1, lat1) and a denser box around Hà Nội.
VN_BOXES = np.array([(102.2, 20.4, 107.9, 23.3), (104.0, 17.5, 107.0, 20.4),
                     (105.5, 14.0, 109.3, 17.5), (104.5, 8.6, 109.2, 14.0)])
CITY = (105.6, 20.8, 106.0, 21.2)
HIGHWAYS = ["trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
            "residential", "track", "service", "path"]
POI = [{"amenity": "restaurant"}, {"shop": "convenience"}, {"amenity": "cafe"},
       {"amenity": "school", "name": "Trường"}, {"amenity": "clinic"},
       {"place": "hamlet", "name": "Thôn"}, {"office": "government"},
       {"man_made": "mast", "tower:type": "communication", "operator": "Viettel"},
       {"highway": "bus_stop"}, {"tourism": "hotel"}]


def _points(rng: np.random.Generator, n: int, city_share: float) -> np.ndarray:
    areas = (VN_BOXES[:, 2] - VN_BOXES[:, 0]) * (VN_BOXES[:, 3] - VN_BOXES[:, 1])
    box = rng.choice(len(VN_BOXES), size=n, p=areas / areas.sum())
    b = VN_BOXES[box]
    in_city = rng.random(n) < city_share
    b[in_city] = CITY
    return np.column_stack([rng.uniform(b[:, 0], b[:, 2]), rng.uniform(b[:, 1], b[:, 3])])


def write_pbf(path: Path, scale: float) -> None:
    """Write the synthetic country (``scale`` = 1 is about 350 000 ways)."""
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    rng = np.random.default_rng(SEED)
    n_ways = int(350_000 * scale)
    n_poi = int(600_000 * scale)
    kind = rng.choice(3, size=n_ways, p=[0.6, 0.35, 0.05])       # highway, building, landuse
    length = np.where(kind == 0, rng.integers(4, 31, n_ways),
                      np.where(kind == 1, 4, rng.integers(6, 21, n_ways)))
    starts = _points(rng, n_ways, 0.05)
    first = np.concatenate([[1], 1 + np.cumsum(length)[:-1]])
    n_nodes = int(length.sum())
    way_of = np.repeat(np.arange(n_ways), length)
    step = rng.normal(0.0, 0.001, size=(n_nodes, 2))             # ~110 m steps
    step[first - 1] = 0.0
    xy = np.cumsum(step, axis=0)
    xy -= np.repeat(xy[first - 1], length, axis=0)
    xy += starts[way_of]
    is_bld = kind[way_of] == 1
    # Buildings: 12 m squares around the start point.
    corner = np.arange(n_nodes) - (first - 1)[way_of]
    sq = np.array([(0, 0), (1, 0), (1, 1), (0, 1)]) * 0.00011
    xy[is_bld] = starts[way_of[is_bld]] + sq[np.clip(corner[is_bld], 0, 3)]
    poi_xy = _points(rng, n_poi, 0.05)
    poi_kind = rng.integers(0, len(POI), n_poi)
    highway = rng.integers(0, len(HIGHWAYS), n_ways)
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        lon, lat = xy[:, 0].tolist(), xy[:, 1].tolist()
        for i in range(n_nodes):
            writer.add_node(Node(id=i + 1, location=(lon[i], lat[i])))
        plon, plat = poi_xy[:, 0].tolist(), poi_xy[:, 1].tolist()
        for j in range(n_poi):
            tags = POI[poi_kind[j]]
            if "name" in tags:
                tags = {**tags, "name": f"{tags['name']} {j}"}
            writer.add_node(Node(id=n_nodes + j + 1, location=(plon[j], plat[j]), tags=tags))
        _write_grid_nodes(writer, Node, n_nodes + n_poi)
        for w in range(n_ways):
            refs = list(range(int(first[w]), int(first[w] + length[w])))
            if kind[w] == 0:
                tags = {"highway": HIGHWAYS[highway[w]]}
                if w % 7 == 0:
                    tags["name"] = f"Đường {w}"
            else:
                refs.append(refs[0])
                tags = {"building": "yes"} if kind[w] == 1 else {"landuse": "residential"}
            writer.add_way(Way(id=w + 1, nodes=refs, tags=tags))
        _write_grid_ways_relations(writer, Way, Relation, n_nodes + n_poi, n_ways)
    finally:
        writer.close()


# The admin grid: communes as 0.1° cells and districts as 0.5° cells over 102-109.5° E,
# 8.5-23.5° N: ~11 700 boundary relations over shared edge ways, like the country's own.
GRID = (102.0, 8.5, 0.1, 75, 150)          # lon0, lat0, step, cells east, cells north


def _grid_ids(node0: int, way0: int):
    _, _, _, nx, ny = GRID

    def node(i: int, j: int) -> int:
        return node0 + 1 + j * (nx + 1) + i

    def hway(i: int, j: int) -> int:          # edge (i, j) -> (i + 1, j)
        return way0 + 1 + j * nx + i

    def vway(i: int, j: int) -> int:          # edge (i, j) -> (i, j + 1)
        return way0 + 1 + (ny + 1) * nx + j * (nx + 1) + i

    return node, hway, vway


def _write_grid_nodes(writer, node_cls, node0: int) -> None:
    lon0, lat0, step, nx, ny = GRID
    node, _, _ = _grid_ids(node0, 0)
    for j in range(ny + 1):
        for i in range(nx + 1):
            writer.add_node(node_cls(id=node(i, j), location=(lon0 + i * step, lat0 + j * step)))


def _write_grid_ways_relations(writer, way_cls, rel_cls, node0: int, way0: int) -> None:
    _, _, _, nx, ny = GRID
    node, hway, vway = _grid_ids(node0, way0)
    for j in range(ny + 1):
        for i in range(nx):
            writer.add_way(way_cls(id=hway(i, j), nodes=[node(i, j), node(i + 1, j)]))
    for j in range(ny):
        for i in range(nx + 1):
            writer.add_way(way_cls(id=vway(i, j), nodes=[node(i, j), node(i, j + 1)]))
    rid = 0
    admin = {"type": "boundary", "boundary": "administrative"}
    for j in range(ny):
        for i in range(nx):
            rid += 1
            members = [("w", hway(i, j), "outer"), ("w", vway(i + 1, j), "outer"),
                       ("w", hway(i, j + 1), "outer"), ("w", vway(i, j), "outer")]
            writer.add_relation(rel_cls(id=rid, members=members, tags={
                **admin, "admin_level": "8", "name": f"Xã {i}-{j}"}))
    for j in range(0, ny, 5):
        for i in range(0, nx, 5):
            rid += 1
            members = ([("w", hway(i + k, j), "outer") for k in range(5)]
                       + [("w", vway(i + 5, j + k), "outer") for k in range(5)]
                       + [("w", hway(i + k, j + 5), "outer") for k in range(5)]
                       + [("w", vway(i, j + k), "outer") for k in range(5)])
            writer.add_relation(rel_cls(id=rid, members=members, tags={
                **admin, "admin_level": "6", "name": f"Huyện {i // 5}-{j // 5}"}))


def ensure_pbf() -> Path:
    """The cached synthetic PBF (>= 50 MB); written on first use, calibrated by a small run."""
    if PBF.is_file() and PBF.stat().st_size >= MIN_MB * 1e6:
        return PBF
    t0 = time.perf_counter()
    # Two small probes give the size per unit of scale without the fixed admin grid.
    sizes = []
    for s in (0.02, 0.04):
        probe = TMP / f"gis-bench-probe-{s}.osm.pbf"
        write_pbf(probe, s)
        sizes.append(probe.stat().st_size)
        probe.unlink()
    per_scale = (sizes[1] - sizes[0]) / 0.02
    scale = (MIN_MB * 1.1e6 - (sizes[0] - 0.02 * per_scale)) / per_scale
    while True:
        print(f"writing {PBF} (scale {scale:.2f}) ...", flush=True)
        write_pbf(PBF, scale)
        size = PBF.stat().st_size
        if size >= MIN_MB * 1e6:
            break
        scale *= 1.05 * MIN_MB * 1e6 / size
    print(f"  {size / 1e6:.1f} MB in {time.perf_counter() - t0:.0f} s", flush=True)
    return PBF


# Peak memory of the child: ``ru_maxrss`` survives exec on Linux (a child forked from a big
# parent starts at the parent's size), so the parent stays small (the data are generated in a
# subprocess of their own) and the children also report ``VmHWM``, which exec resets.
PEAK = """
def peak_mb():
    import resource
    hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return min([rss] + hwm) / 1024
"""

CHILD_OSM = PEAK + """
import json, resource, sys, time
t0 = time.perf_counter()
from gis.opendata.osm import OsmParams, read_osm
base_mb = peak_mb()
t1 = time.perf_counter()
out = read_osm(sys.argv[1], sys.argv[2], params=OsmParams(location_index=sys.argv[3]))
t2 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": t2 - t1, "seconds_with_imports": t2 - t0,
                  "cpu_seconds": ru.ru_utime + ru.ru_stime,
                  "maxrss_mb": peak_mb(),
                  "maxrss_after_imports_mb": base_mb,
                  "counts": {k: len(g) for k, (g, _) in out.items()}}))
"""

SRTM_DIR = TMP / "gis-bench-srtm1"
POP = TMP / "gis-bench-worldpop-vnm-3s.tif"

CHILD_RASTERS = PEAK + """
import json, resource, sys, tempfile, time
from gis.opendata.dem import read_dem
from gis.opendata.population import read_population
out = tempfile.mkdtemp()
t1 = time.perf_counter()
read_dem([sys.argv[1]], sys.argv[3], "EPSG:32648", out + "/dem.tif")
t2 = time.perf_counter()
read_population([sys.argv[2]], sys.argv[3], "EPSG:32648", out + "/pop.tif")
t3 = time.perf_counter()
print(json.dumps({"dem_seconds": t2 - t1, "pop_seconds": t3 - t2, "maxrss_mb": peak_mb()}))
"""


def ensure_rasters() -> tuple[Path, Path]:
    """Nine 1" SRTM tiles N20-22 E104-106 and a 3" population GeoTIFF over Vietnam (cached)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    SRTM_DIR.mkdir(exist_ok=True)
    n = 3601
    rows, cols = np.mgrid[0:n, 0:n]
    for lat in (20, 21, 22):
        for lon in (104, 105, 106):
            tile = SRTM_DIR / f"N{lat}E{lon}.hgt"
            if not tile.is_file():
                z = 200 + ((rows * 7 + cols * 3 + lat * 11 + lon) % 1500)
                z.astype(">i2").tofile(tile)
    if not POP.is_file():
        res = 3 / 3600
        width, height = int(8.0 / res), int(15.5 / res)        # 102-110 E, 8-23.5 N
        with rasterio.open(POP, "w", driver="GTiff", width=width, height=height, count=1,
                           dtype="float32", crs="EPSG:4326", nodata=-99999.0,
                           transform=from_origin(102.0, 23.5, res, res), tiled=True,
                           blockxsize=512, blockysize=512, compress="deflate") as ds:
            block = np.full((512 * 8, width), 3.5, dtype="float32")
            for r0 in range(0, height, block.shape[0]):
                h = min(block.shape[0], height - r0)
                ds.write(block[:h], 1, window=Window(0, r0, width, h))
    return SRTM_DIR, POP


CHILD_OCID = PEAK + """
import json, resource, sys, time
from gis.opendata import import_opencellid
t1 = time.perf_counter()
p = import_opencellid(sys.argv[1], sys.argv[2])
t2 = time.perf_counter()
r = p.reports["sites"]
print(json.dumps({"seconds": t2 - t1, "rows": r.extra["rows_in_file"],
                  "rows_in_area": r.rows_read, "rejected": len(r.rejected),
                  "cells": r.rows_loaded,
                  "sites": len(p.layers["sites"]),
                  "maxrss_mb": peak_mb()}))
"""


def run_child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=False)
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def ensure_ocid(n_rows: int = 2_000_000) -> Path:
    """A cached OpenCelliD-like CSV: 2 M cells, 95 % Vietnam, eNBs of 3 cells."""
    if OCID.is_file():
        return OCID
    import pandas as pd

    rng = np.random.default_rng(SEED)
    n_sites = -(-n_rows // 3)
    site_xy = _points(rng, n_sites, 0.05)
    site = np.repeat(np.arange(n_sites), 3)[:n_rows]
    jitter = rng.normal(0.0, 0.001, size=(n_rows, 2))
    radio = np.where(rng.random(n_sites) < 0.6, "LTE", rng.choice(["GSM", "UMTS", "NR"],
                                                                   n_sites))[site]
    mnc = rng.choice([1, 2, 4, 5, 7, 8], n_sites, p=[0.3, 0.3, 0.3, 0.04, 0.03, 0.03])[site]
    cell = np.where(radio == "LTE", site * 256 + np.arange(n_rows) % 3,
                    np.where(radio == "NR", (site.astype(np.int64) << 14) + np.arange(n_rows) % 3,
                             rng.integers(1, 65535, n_rows)))
    frame = pd.DataFrame({
        "radio": radio, "mcc": np.where(rng.random(n_rows) < 0.95, 452, 310), "net": mnc,
        "area": rng.integers(1, 9999, n_rows), "cell": cell, "unit": 0,
        "lon": np.round(site_xy[site, 0] + jitter[:, 0], 6),
        "lat": np.round(site_xy[site, 1] + jitter[:, 1], 6),
        "range": rng.integers(100, 5000, n_rows), "samples": rng.integers(1, 200, n_rows),
        "changeable": 1, "created": 1_500_000_000, "updated": 1_700_000_000,
        "averageSignal": 0})
    frame.to_csv(OCID, index=False)
    return OCID


def main() -> None:
    # Inputs are written by a child process, so that this one stays small (see PEAK).
    subprocess.run([sys.executable, __file__, "--generate"], check=True, cwd=ROOT)
    pbf = PBF
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} (wall times grow with the "
          "load; CPU times do not)")
    print(f"OSM PBF {pbf.name}: {pbf.stat().st_size / 1e6:.1f} MB; district {DISTRICT}")
    for index in ("auto", "flex_mem", "sparse_file_array"):
        r = run_child(CHILD_OSM, str(pbf), DISTRICT, index)
        ok = "OK" if r["seconds"] < 60 and r["maxrss_mb"] < 1024 else "OVER TARGET"
        print(f"  {index:18s} import {r['seconds']:6.1f} s wall ({r['cpu_seconds']:.1f} s CPU "
              f"incl. imports)  peak memory {r['maxrss_mb']:6.0f} MB "
              f"(after imports {r['maxrss_after_imports_mb']:.0f} MB)  {ok}  {r['counts']}")
    srtm, pop = SRTM_DIR, POP
    tiles_mb = sum(f.stat().st_size for f in srtm.glob("*.hgt")) / 1e6
    r = run_child(CHILD_RASTERS, str(srtm), str(pop), DISTRICT)
    print(f"DEM: 9 SRTM 1\" tiles ({tiles_mb:.0f} MB) -> district at 31 m: "
          f"{r['dem_seconds']:.1f} s; population: 3\" GeoTIFF of all Vietnam "
          f"(9 600 x 18 600 cells) -> district: {r['pop_seconds']:.1f} s; "
          f"peak memory {r['maxrss_mb']:.0f} MB")
    ocid = OCID
    r = run_child(CHILD_OCID, str(ocid), PROVINCE)
    print(f"OpenCelliD {ocid.stat().st_size / 1e6:.0f} MB, {r['rows']} rows ({r['rows_in_area']} "
          f"in {PROVINCE} and its margin, {r['rejected']} of them rejected) -> {r['cells']} "
          f"cells -> {r['sites']} sites: {r['seconds']:.1f} s, peak memory "
          f"{r['maxrss_mb']:.0f} MB")


if __name__ == "__main__":
    if "--generate" in sys.argv:
        ensure_pbf()
        ensure_rasters()
        ensure_ocid()
    else:
        main()
