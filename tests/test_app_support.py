"""A small planning area for the app tests, written as a real project folder (GeoPackage + GeoTIFFs).

The app tests run on the bundled sample area when ``gis.sample`` can build it; this small area
(24 hamlets in two communes, two operators' sites, roads, fiber, a DEM and a population raster)
keeps them runnable without it, and gives tests a case whose numbers are known by construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.transform import from_origin

from gis.project import Project

CRS_UTM = CRS.from_epsg(32648)
#: South-west corner of the small area (EPSG:32648 metres; about 105.83 E, 20.25 N).
X0, Y0 = 587_000.0, 2_239_000.0
CELL_M = 500.0          # hamlet squares are 500 m wide
NX, NY = 6, 4           # 24 hamlets


def build_small_project(folder: str | Path, *, seed: int = 7) -> Path:
    """Write the small area to ``folder`` (a project folder) and return the folder."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ix, iy = np.meshgrid(np.arange(NX), np.arange(NY))
    ix, iy = ix.ravel(), iy.ravel()
    x0, y0 = X0 + ix * CELL_M, Y0 + iy * CELL_M
    squares = shapely.box(x0 + 20, y0 + 20, x0 + CELL_M - 20, y0 + CELL_M - 20)
    commune = np.where(ix < NX // 2, "Xã Gia Hưng", "Xã Gia Phong")
    population = rng.integers(150, 900, size=len(ix)).astype(float)
    villages = gpd.GeoDataFrame({
        "village_id": [f"V{i + 1:03d}" for i in range(len(ix))],
        "name": [f"Thôn Đồng {i + 1}" for i in range(len(ix))],
        "commune": commune,
        "district": "Nho Quan",
        "province": "Ninh Bình",
        "population": population,
        "households": np.round(population / 3.8),
        "centre_x": x0 + CELL_M / 2,
        "centre_y": y0 + CELL_M / 2,
    }, geometry=squares, crs=CRS_UTM)
    sites = gpd.GeoDataFrame({
        "site_id": ["VT01", "VT01", "VT01", "VNP01", "VT02", "VNP02"],
        "operator": ["Viettel", "Viettel", "Viettel", "VinaPhone", "Viettel", "VinaPhone"],
        "tech": ["2G/4G", "2G/4G", "2G/4G", "4G", "4G/5G", "2G"],
        "height_m": [36.0, 36.0, 36.0, 30.0, np.nan, 25.0],
        "azimuth_deg": [0.0, 120.0, 240.0, np.nan, np.nan, np.nan],
        "structure": ["A2b", "A2b", "A2b", "A2b", "A2a", "A2b"],
    }, geometry=shapely.points(
        [X0 + 700, X0 + 700, X0 + 700, X0 + 710, X0 + 2300, X0 + 1500],
        [Y0 + 900, Y0 + 900, Y0 + 900, Y0 + 905, Y0 + 1200, Y0 + 1800]), crs=CRS_UTM)
    roads = gpd.GeoDataFrame({
        "road_class": ["national", "commune", "village"],
        "name": ["QL12B", "ĐX01", ""],
    }, geometry=[
        shapely.LineString([(X0, Y0 + 1000), (X0 + NX * CELL_M, Y0 + 1000)]),
        shapely.LineString([(X0 + 1500, Y0), (X0 + 1500, Y0 + NY * CELL_M)]),
        shapely.LineString([(X0 + 2500, Y0 + 1000), (X0 + 2500, Y0 + 1900)]),
    ], crs=CRS_UTM)
    fiber = gpd.GeoDataFrame({"operator": ["VNPT"], "level": ["distribution"],
                              "installation": ["aerial"]},
                             geometry=[shapely.LineString([(X0, Y0 + 1000),
                                                           (X0 + 1500, Y0 + 1000)])],
                             crs=CRS_UTM)
    nodes = gpd.GeoDataFrame({"node_id": ["N1"], "operator": ["VNPT"], "kind": ["splitter"]},
                             geometry=shapely.points([X0 + 800], [Y0 + 1000]), crs=CRS_UTM)
    facilities = gpd.GeoDataFrame({"kind": ["school", "commune_office"],
                                   "name": ["Trường Tiểu học Gia Hưng", "UBND xã Gia Phong"]},
                                  geometry=shapely.points([X0 + 600, X0 + 2200],
                                                          [Y0 + 600, Y0 + 1300]), crs=CRS_UTM)
    admin = gpd.GeoDataFrame({"name": ["Xã Gia Hưng", "Xã Gia Phong"], "level": "commune",
                              "code": ["14500", "14501"]},
                             geometry=[shapely.box(X0, Y0, X0 + 1500, Y0 + 2000),
                                       shapely.box(X0 + 1500, Y0, X0 + 3000, Y0 + 2000)],
                             crs=CRS_UTM)
    # rasters: a 30 m DEM (a gentle slope with a hill) and a 100 m population grid
    margin = 3000.0
    res = 30.0
    w = int((NX * CELL_M + 2 * margin) / res)
    h = int((NY * CELL_M + 2 * margin) / res)
    xs = X0 - margin + res * (np.arange(w) + 0.5)
    ys = Y0 + NY * CELL_M + margin - res * (np.arange(h) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    dem = (5 + 0.002 * (gx - X0) + 120 * np.exp(-((gx - X0 - 2500) ** 2
                                                  + (gy - Y0 - 2600) ** 2) / 4e5))
    dem_path = folder / "_dem_src.tif"
    with rasterio.open(dem_path, "w", driver="GTiff", width=w, height=h, count=1,
                       dtype="float32", crs=CRS_UTM, nodata=-9999.0,
                       transform=from_origin(X0 - margin, Y0 + NY * CELL_M + margin, res,
                                             res)) as dst:
        dst.write(dem.astype(np.float32), 1)
    pw, ph = NX * 5, NY * 5
    pop = np.repeat(np.repeat(population.reshape(NY, NX)[::-1] / 25.0, 5, axis=0), 5, axis=1)
    pop_path = folder / "_pop_src.tif"
    with rasterio.open(pop_path, "w", driver="GTiff", width=pw, height=ph, count=1,
                       dtype="float32", crs=CRS_UTM, nodata=-1.0,
                       transform=from_origin(X0, Y0 + NY * CELL_M, 100.0, 100.0)) as dst:
        dst.write(pop.astype(np.float32), 1)
    project = Project(name="Khu thử nghiệm / Small test area", crs=CRS_UTM)
    for kind, gdf in (("villages", villages), ("sites", sites), ("roads", roads),
                      ("fiber", fiber), ("fiber_nodes", nodes), ("facilities", facilities),
                      ("admin", admin)):
        project.set_layer(kind, gdf)
    project.set_raster("dem", dem_path)
    project.set_raster("population", pop_path)
    project.save(folder)
    dem_path.unlink()
    pop_path.unlink()
    return folder


@contextmanager
def small_app_environment(tmp_path_factory: pytest.TempPathFactory,
                          prefix: str) -> Iterator[tuple[Path, Path]]:
    """The small project folder and an empty app cache, which the app opens meanwhile.

    Sets ``GIS_PROJECT`` and ``GIS_APP_CACHE`` while the block runs (for a fixture wider than a
    test, which the ``monkeypatch`` fixture cannot serve) and puts them back after.
    """
    folder = build_small_project(tmp_path_factory.mktemp(f"{prefix}-project"))
    cache = tmp_path_factory.mktemp(f"{prefix}-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIS_PROJECT", str(folder))
        mp.setenv("GIS_APP_CACHE", str(cache))
        yield folder, cache


def sample_available() -> bool:
    """Whether the bundled sample area can be built here (``gis.sample`` exists)."""
    try:
        from gis.sample import build_sample  # noqa: F401
    except ImportError:
        return False
    return True


def app_project_folder(tmp: Path) -> Path:
    """The project the app tests open: the bundled sample area (built when missing), or this
    module's small area when the sample builder is not available."""
    root = Path(__file__).resolve().parents[1]
    sample = root / "data" / "sample"
    if (sample / "project.json").is_file():
        return sample
    if sample_available():
        from gis.sample import build_sample

        build_sample().save(sample)
        return sample
    return build_small_project(Path(tmp) / "small")


def test_indicator_hamlets_counts_the_speed_estimate_against_the_preset():
    """The hamlets behind a speed indicator are those below the preset's Mbit/s (a number
    column, not a flag), the same rule as the indicator table's."""
    import pandas as pd

    from gis.analysis.indicators import speed_indicator_flags
    from gis.analysis.speed_params import SPEED_TARGET_PRESETS
    from gis.app.overview import indicator_hamlets

    h = pd.DataFrame({"est_dl_mbps_mobile": [12.0, 70.0, 150.0, float("nan")],
                      "est_dl_mbps_fixed": [95.0, 300.0, float("nan"), 50.0],
                      "ftth": [True, True, False, True]})
    target = SPEED_TARGET_PRESETS["national"].mobile_mbps
    got = indicator_hamlets("hamlets_speed_mobile", h, preset="national")
    assert got.tolist() == [target <= v for v in (12.0, 70.0, 150.0)] + [False]
    want = speed_indicator_flags(h, SPEED_TARGET_PRESETS["national"])["hamlets_speed_mobile"]
    assert got.tolist() == want.fillna(False).tolist()
    if SPEED_TARGET_PRESETS["national"].fixed_mbps is None:   # no fixed target in the plan
        assert indicator_hamlets("hamlets_speed_fixed", h, preset="national") is None
