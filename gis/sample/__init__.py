"""The bundled synthetic sample area: a district of Ninh Bình with hills, delta and gaps.

:func:`build_sample` returns a :class:`gis.project.Project` with every canonical layer (admin,
villages, roads, fiber, fiber_nodes, sites, facilities) in EPSG:32648 and three rasters (a 30 m
DEM, a 100 m population raster and a 30 m land-cover raster) written as GeoTIFFs to a
temporary folder (:meth:`Project.save` copies them into the project folder). Everything is a
deterministic function of the seed. The data are SYNTHETIC: see ``data/README.md`` for what is in them and
for the deliberate coverage and fiber gaps, which the villages layer also names in its
``sample_design`` column (``no_signal``, ``weak_spot``, ``no_fiber``, ``no_road``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from gis.layers.report import LoadReport
from gis.project import Project
from gis.sample.blocks import (
    dem_in_blocks,
    landcover_in_blocks,
    write_dem_blocks,
    write_population_blocks,
)
from gis.sample.facilities import build_facilities, industrial_zone
from gis.sample.frame import ANALYSIS_EPSG, Frame
from gis.sample.landcover import LANDCOVER_NODATA, river_line
from gis.sample.names import DISTRICT, PROVINCE, commune_names, hamlet_names
from gis.sample.network import build_network
from gis.sample.places import NO_FIBER, NO_ROAD, NO_SIGNAL, WEAK_SPOT, build_places
from gis.sample.rasters import DEM_NODATA, POP_NODATA, population_grid, write_sample_raster
from gis.sample.sites import build_sites
from gis.sample.spec import PRESETS, SampleSpec, spec_for
from gis.sample.terrain import TerrainSpec, district_terrain, synthetic_dem
from gis.sample.units import name_communes

__all__ = [
    "NO_FIBER",
    "NO_ROAD",
    "NO_SIGNAL",
    "PRESETS",
    "SAMPLE_NAME",
    "WEAK_SPOT",
    "SampleSpec",
    "TerrainSpec",
    "build_sample",
    "district_terrain",
    "spec_for",
    "synthetic_dem",
]

#: The sample project's name, in both languages.
SAMPLE_NAME = ("Mẫu: Nho Quan và một phần Gia Viễn, Ninh Bình (tổng hợp) / "
               "Sample: Nho Quan and part of Gia Viễn, Ninh Bình (synthetic)")

#: Median hamlet population by zone: a tổ dân phố of the town, a delta thôn, an upland bản
#: (with the hamlet densities of :class:`SampleSpec`: about 870 people per km² in the delta
#: and 310 in the hills; the district has about 800 per km² overall, near the Red River
#: delta's rural average).
MEAN_POPULATION = {"town": 520.0, "delta": 560.0, "hills": 330.0}

#: Share of a weak-spot hamlet's people living in its outlying cluster behind the spur.
SATELLITE_SHARE = 0.4

#: Population grids larger than this (cells) are written window by window (the country preset:
#: 42 M cells at 100 m; the province's 0.9 M are made in one piece).
POP_BLOCKS_ABOVE_CELLS = 4_000_000

#: DEMs larger than this (cells) are never made whole in memory: the country's 30 m DEM (470 M
#: cells) is written window by window, and the site placement and land cover use it at
#: ``grid_m`` (300 m). The province's 10.6 M cells stay in memory.
DEM_IN_MEMORY_CELLS = 50_000_000


def build_sample(seed: int = 7, *, preset: str = "district",
                 workdir: str | Path | None = None) -> Project:
    """Build the synthetic sample area as a project (deterministic for a seed).

    Parameters
    ----------
    seed
        Random seed; the same seed gives the same layers and rasters, value for value.
    preset
        Size preset, see :data:`gis.sample.spec.PRESETS` (``"district"``: about 270 km²,
        30 communes, about 400 hamlets, about 120 physical BTS sites).
    workdir
        Folder for the three GeoTIFFs; a new temporary folder when not given.

    Returns
    -------
    gis.project.Project
        Layers in EPSG:32648; rasters ``dem`` (30 m, metres), ``population`` (100 m,
        people per cell) and ``landcover`` (30 m, ESA WorldCover class codes).
    """
    spec = spec_for(preset)
    frame = Frame.from_spec(spec)
    terrain = district_terrain(spec)
    rng = np.random.default_rng([int(seed), 2])
    places = build_places(spec, frame, terrain, int(seed), rng)

    # Names and people. The district sample is named after real former communes of Ninh Bình
    # (gis.sample.units: the crosswalk of gis.analysis.units); larger presets stay synthetic.
    crs = CRS.from_epsg(ANALYSIS_EPSG)
    to_wgs = Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_wgs.transform(places.hamlet_xy[:, 0], places.hamlet_xy[:, 1])
    c_names = commune_names(len(places.commune_xy), np.random.default_rng([int(seed), 3]))
    codes = [f"14{500 + 4 * c:03d}" for c in range(len(c_names))]
    c_district = np.full(len(c_names), DISTRICT, dtype=object)
    if spec.preset == "district":
        real = name_communes(lon, lat, places.hamlet_commune, len(c_names))
        c_names = real["former_commune"].tolist()
        codes = real["former_commune_code"].tolist()
        c_district = real["former_district"].to_numpy(dtype=object)
    name_rng = np.random.default_rng([int(seed), 4])
    h_names = np.empty(len(places.hamlet_xy), dtype=object)
    h_ids = np.empty(len(places.hamlet_xy), dtype=object)
    for c in range(len(c_names)):
        idx = np.flatnonzero(places.hamlet_commune == c)
        kind = "town" if c == 0 else ("hills" if places.commune_hilly[c] else "delta")
        h_names[idx] = hamlet_names(len(idx), kind, name_rng)
        h_ids[idx] = [f"{codes[c]}-{k + 1:02d}" for k in range(len(idx))]
    pop_rng = np.random.default_rng([int(seed), 5])
    mean = pd.Series(places.hamlet_zone).map(MEAN_POPULATION).to_numpy()
    pop = np.round(mean * pop_rng.lognormal(0.0, 0.35, len(mean)))
    basin = np.array([NO_SIGNAL in t for t in places.tags])
    pop[basin] = np.round(pop_rng.uniform(160, 340, basin.sum()))
    weak = np.array([WEAK_SPOT in t for t in places.tags])
    pop[weak] = np.round(pop_rng.uniform(550, 800, weak.sum()))
    households = np.round(pop / pop_rng.uniform(3.5, 4.1, len(pop)))

    network = build_network(places, np.random.default_rng([int(seed), 6]))
    iz = industrial_zone(places, network.east_end_xy)
    dem_bounds = frame.expanded(spec.dem_margin_m, spec.grid_m)
    # The DEM in memory for the site placement and the land cover; for the country (hundreds
    # of millions of cells) a 300 m version of it, and the 30 m file is written by windows.
    dem_cells = (dem_bounds[2] - dem_bounds[0]) * (dem_bounds[3] - dem_bounds[1]) \
        / spec.dem_res_m ** 2
    dem_coarse = dem_cells > DEM_IN_MEMORY_CELLS
    dem_res = spec.grid_m if dem_coarse else spec.dem_res_m
    dem = dem_in_blocks(dem_bounds, dem_res, int(seed), terrain)  # = synthetic_dem, less memory
    sites = build_sites(spec, places, pop, terrain.hill_edge_x_m, tuple(iz.centroid.coords[0]),
                        (dem, (dem_bounds[0], dem_bounds[3]), dem_res),
                        np.random.default_rng([int(seed), 7]))
    facilities = build_facilities(places, c_names, list(h_names), iz,
                                  np.random.default_rng([int(seed), 8]),
                                  town_district=str(c_district[0]).replace("Huyện ", ""))

    # Rasters.
    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="gis-sample-"))
    folder.mkdir(parents=True, exist_ok=True)
    if dem_coarse:  # the country: the 30 m DEM written window by window (gis.sample.blocks)
        dem_path = write_dem_blocks(folder / "dem.tif", dem_bounds, spec.dem_res_m, int(seed),
                                    terrain, DEM_NODATA)
    else:
        dem_path = write_sample_raster(folder / "dem.tif", dem, dem_bounds, spec.dem_res_m,
                                 DEM_NODATA)
    pop_bounds = (frame.left, frame.bottom, frame.right, frame.top)
    sigma = np.where(places.hamlet_zone == "hills", 150.0, 180.0)
    pop_cells = (frame.width / spec.pop_res_m) * (frame.height / spec.pop_res_m)
    if pop_cells > POP_BLOCKS_ABOVE_CELLS:  # the country: window by window (gis.sample.blocks)
        pop_path = write_population_blocks(folder / "population.tif", pop_bounds,
                                           spec.pop_res_m, places.hamlet_polys,
                                           places.hamlet_xy, pop, places.satellite_xy,
                                           SATELLITE_SHARE, sigma, POP_NODATA)
    else:
        pop_grid = population_grid(pop_bounds, spec.pop_res_m, places.hamlet_polys,
                                   places.hamlet_xy, pop, places.satellite_xy, SATELLITE_SHARE,
                                   sigma)
        pop_path = write_sample_raster(folder / "population.tif", pop_grid, pop_bounds,
                                 spec.pop_res_m, POP_NODATA)
    river = river_line(pop_bounds, terrain.hill_edge_x_m, np.random.default_rng([int(seed), 9]))
    lc = landcover_in_blocks(dem, dem_bounds, dem_res, places.commune_xy[0], iz, river)
    lc_path = write_sample_raster(folder / "landcover.tif", lc, dem_bounds, dem_res,
                            LANDCOVER_NODATA, dtype="uint8")

    # Layers.
    c_of = places.hamlet_commune
    villages = gpd.GeoDataFrame({
        "village_id": h_ids,
        "name": h_names,
        "commune": np.asarray(c_names, dtype=object)[c_of],
        "district": c_district[c_of],
        "province": PROVINCE,
        "population": pop,
        "households": households,
        "centre_lon": np.round(lon, 7),
        "centre_lat": np.round(lat, 7),
        "centre_x": np.round(places.hamlet_xy[:, 0], 2),
        "centre_y": np.round(places.hamlet_xy[:, 1], 2),
        "sample_design": [";".join(sorted(t)) for t in places.tags],
    }, geometry=list(places.hamlet_polys), crs=crs)
    admin = gpd.GeoDataFrame({
        "name": c_names,
        "level": "commune",
        "code": codes,
        "district": c_district,
        "province": PROVINCE,
    }, geometry=list(places.commune_polys), crs=crs)
    roads = gpd.GeoDataFrame({
        "road_class": network.road_class.astype(object),
        "name": network.road_name,
        "planned_works": network.planned,
    }, geometry=list(network.geoms), crs=crs)
    fiber = gpd.GeoDataFrame(network.fiber_rows, geometry="geometry", crs=crs)
    fiber_nodes = gpd.GeoDataFrame(network.fiber_nodes, geometry="geometry", crs=crs)
    site_cols = ["site_id", "operator", "tech", "band", "freq_mhz", "height_m", "azimuth_deg",
                 "beamwidth_deg", "tilt_deg", "eirp_dbm", "structure", "owner", "position_id",
                 "geometry"]
    sites_gdf = gpd.GeoDataFrame(pd.DataFrame(sites)[site_cols], geometry="geometry", crs=crs)
    fac = gpd.GeoDataFrame(facilities, geometry="geometry", crs=crs)
    # Tower zoning (DOMAIN.md section 2): non-bulky A1 towers only within 400 m of the town
    # centre, and no new tower on a heritage site in the delta (away from the designed gaps).
    town = shapely.Point(places.commune_xy[0])
    heritage = shapely.Point(places.commune_xy[3] + np.array([800.0, 0.0]))
    zones = gpd.GeoDataFrame({
        "name": ["Trung tâm thị trấn (tổng hợp) / Town centre (synthetic)",
                 "Khu di tích (tổng hợp) / Heritage site (synthetic)"],
        "rule": ["a1_only", "no_new_tower"],
    }, geometry=[town.buffer(400.0), heritage.buffer(300.0)], crs=crs)

    project = Project(name=SAMPLE_NAME, crs=crs)
    source = f"gis.sample (synthetic, preset {spec.preset}, seed {int(seed)})"
    for kind, gdf in (("admin", admin), ("villages", villages), ("roads", roads),
                      ("fiber", fiber), ("fiber_nodes", fiber_nodes), ("sites", sites_gdf),
                      ("facilities", fac), ("zones", zones)):
        project.set_layer(kind, gdf, _report(source, kind, len(gdf)))
    project.set_raster("dem", dem_path, _report(source, "dem", 1))
    project.set_raster("population", pop_path, _report(source, "population", 1))
    project.set_raster("landcover", lc_path, _report(source, "landcover", 1))
    return project


def _report(source: str, kind: str, n: int) -> LoadReport:
    return LoadReport(source=source, kind=kind, rows_read=n, rows_loaded=n,
                      crs_in=f"EPSG:{ANALYSIS_EPSG}",
                      crs_note="generated in the analysis CRS / tạo sẵn trong hệ tọa độ phân tích",
                      encoding="utf-8")


