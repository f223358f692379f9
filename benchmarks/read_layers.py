"""Benchmark of the readers: the sample area, and large synthetic files (not a test).

Run: ``python benchmarks/read_layers.py [N]`` from the repository root. Prints seconds per
step and rows per second; N (default 100 000) is the row count of the large files.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gis.layers.read import read_layer
from gis.project import load_project


def timed(label: str, fn, rows: int | None = None):
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    rate = f", {rows / dt:,.0f} rows/s" if rows else ""
    print(f"{label:<55s} {dt:7.2f} s{rate}")
    return out


def main(n: int = 100_000) -> None:
    root = Path(__file__).resolve().parents[1]
    sample = root / "data" / "sample"
    work = Path(tempfile.mkdtemp(prefix="bench_read_"))
    if not (sample / "project.json").is_file():
        from gis.sample import build_sample

        sample = work / "sample"
        timed("build the sample area", lambda: build_sample().save(sample))
    timed("load_project(sample folder)", lambda: load_project(sample, {}))
    gpkg = sample / "layers.gpkg"
    files = {k: gpkg for k in ("admin", "villages", "roads", "fiber", "fiber_nodes", "sites",
                               "facilities")}
    files.update(dem=sample / "dem.tif", population=sample / "population.tif")
    project = timed("load_project(None, every sample layer re-read + checks)",
                    lambda: load_project(None, files))
    print("   rows:", {k: len(v) for k, v in project.layers.items()})

    rng = np.random.default_rng(1)
    lon = rng.uniform(105.6, 106.4, n)
    lat = rng.uniform(20.0, 20.6, n)
    names = np.array([f"Thôn {i}" for i in range(n)], dtype=object)
    csv = work / "thon.csv"
    with open(csv, "w", encoding="utf-8") as f:
        f.write("Tên thôn;Dân số;Kinh độ;Vĩ độ\n")
        for i in range(n):
            f.write(f"{names[i]};{1000 + i % 900};{lon[i]:.6f};{lat[i]:.6f}\n".replace(".", ",")
                    if i % 2 else f"{names[i]};{1000 + i % 900};{lon[i]:.6f};{lat[i]:.6f}\n")
    timed(f"read_layer(CSV, {n:,} villages, half with decimal commas)",
          lambda: read_layer(csv, "villages"), n)
    shp = work / "tram.shp"
    ops = np.array(["Viettel", "VNPT", "452-01", "Vietnamobile"], dtype=object)
    gpd.GeoDataFrame({"nha_mang": ops[np.arange(n) % 4], "cong_nghe": "2G/3G/4G",
                      "ma_tram": [f"S{i}" for i in range(n)]},
                     geometry=shapely.points(lon, lat), crs=4326).to_file(shp, engine="pyogrio")
    timed(f"read_layer(shapefile, {n:,} sites)", lambda: read_layer(shp, "sites"), n)

    # a province-sized DEM: 20 000 x 20 000 cells of 30 m (600 km x 600 km), tiled, compressed
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    from gis.layers.rasters import open_raster, read_window

    big = work / "province_dem.tif"
    with rasterio.open(big, "w", driver="GTiff", width=20_000, height=20_000, count=1,
                       dtype="float32", crs="EPSG:32648", nodata=-9999, tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate", SPARSE_OK=True,
                       transform=from_origin(300_000, 2_600_000, 30, 30)) as dst:
        for i in range(0, 20_000, 2_000):  # a band of real data through the middle
            dst.write(rng.uniform(0, 1500, (256, 2_000)).astype("float32"), 1,
                      window=Window(i, 9_900, 2_000, 256))
    timed("open_raster(20 000 x 20 000 DEM, checks on a sample)",
          lambda: open_raster(big, "dem"))
    bounds = (500_000, 2_300_000, 520_000, 2_310_000)
    arr, _ = timed("read_window(20 km x 10 km, same CRS, 30 m)",
                   lambda: read_window(big, bounds, crs="EPSG:32648"))
    print("   window shape:", arr.shape)
    timed("read_window(20 km x 10 km, to UTM 49N at 50 m, bilinear)",
          lambda: read_window(big, (0, 2_300_000, 20_000, 2_310_000), crs="EPSG:32649",
                              resolution_m=50))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
