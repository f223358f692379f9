"""Tiled coverage on Dask (gis.scale): tiles equal the single piece, cell for cell and hamlet for
hamlet; resumption; the grid; the synthetic presets written block by block."""

from __future__ import annotations

import dataclasses
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from gis.errors import ValidationError
from gis.params import RunParams
from gis.pipeline.stages import STAGES, run
from gis.project import Project
from gis.radio.params import RadioParams
from gis.sample.terrain import TerrainSpec, synthetic_dem
from gis.scale.params import ScaleParams
from gis.scale.runner import merge_warnings, run_tiled
from gis.scale.tiles import BLOCK, make_tiles, plan_grid, tile_cells_for

EPSG = 32648
X0, Y0 = 600_000.0, 2_250_000.0          # south-west corner of the hamlets' area
W_M, H_M = 4_200.0, 3_600.0              # the hamlets' area
RES = 30.0


def _write(path, arr, left, top, res, nodata):
    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1],
                       count=1, dtype="float32", crs=f"EPSG:{EPSG}",
                       transform=from_origin(left, top, res, res), nodata=nodata) as dst:
        dst.write(arr.astype(np.float32), 1)
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 4.2 x 3.6 km area: hilly DEM (with a nodata hole), a population raster on its own
    100 m lattice offset from the DEM's, polygon and point hamlets, two operators."""
    d = tmp_path_factory.mktemp("scale_small")
    rng = np.random.default_rng(8)
    dem_b = (X0 - 2_400.0, Y0 - 2_400.0, X0 + W_M + 2_400.0, Y0 + H_M + 2_400.0)
    dem = synthetic_dem(dem_b, RES, 3, TerrainSpec(hill_edge_x_m=X0 + 3_000.0,
                                                   hill_relief_m=250.0))
    dem[120:124, 150:156] = -9999.0  # a hole in the DEM, inside the area
    _write(d / "dem.tif", dem, dem_b[0], dem_b[3], RES, -9999.0)
    # population on a 100 m lattice whose origin is 50 m off the DEM's
    pl, pt = X0 - 350.0, Y0 + H_M + 350.0
    pop = rng.lognormal(1.0, 1.0, (int((H_M + 700) / 100), int((W_M + 700) / 100)))
    pop[rng.random(pop.shape) < 0.15] = 0.0
    # land cover (ESA WorldCover codes) on its own 20 m lattice, 5 m off the DEM's
    lc = rng.choice([10, 30, 40, 50, 80], size=(int((H_M + 1_000) / 20), int((W_M + 1_000) / 20)))
    with rasterio.open(d / "landcover.tif", "w", driver="GTiff", height=lc.shape[0],
                       width=lc.shape[1], count=1, dtype="uint8", crs=f"EPSG:{EPSG}",
                       transform=from_origin(X0 - 495.0, Y0 + H_M + 505.0, 20.0, 20.0),
                       nodata=0) as dst:
        dst.write(lc.astype(np.uint8), 1)
    # hamlets: Voronoi cells of random centres, plus three point hamlets
    pts = np.column_stack([rng.uniform(X0, X0 + W_M, 22), rng.uniform(Y0, Y0 + H_M, 22)])
    clip = shapely.box(X0, Y0, X0 + W_M, Y0 + H_M)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts),
                                                       extend_to=clip, ordered=True))
    polys = [shapely.intersection(c, clip) for c in cells]
    # nobody lives in the hamlet nearest the north-east corner: its share is by area
    ne = int(np.argmin(np.hypot(pts[:, 0] - X0 - W_M, pts[:, 1] - Y0 - H_M)))
    gx, gy = np.meshgrid(pl + 50.0 + 100.0 * np.arange(pop.shape[1]),
                         pt - 50.0 - 100.0 * np.arange(pop.shape[0]))
    pop[shapely.contains_xy(polys[ne], gx, gy)] = 0.0
    _write(d / "population.tif", pop, pl, pt, 100.0, -1.0)
    geoms = [*polys, shapely.Point(X0 + 500.0, Y0 + 700.0),
             shapely.Point(X0 + 3_900.0, Y0 + 3_300.0), shapely.Point(X0 + 2_100.0, Y0 + 1_800.0)]
    villages = gpd.GeoDataFrame({"village_id": [f"T{i:02d}" for i in range(len(geoms))],
                                 "name": [f"Thôn {i}" for i in range(len(geoms))],
                                 "population": 100.0},
                                geometry=geoms, crs=EPSG)
    rows = []
    site_xy = [(X0 + 700, Y0 + 900), (X0 + 2_300, Y0 + 2_500), (X0 + 3_600, Y0 + 800),
               (X0 + 1_200, Y0 + 3_100), (X0 + 3_300, Y0 + 3_000)]
    for i, (x, y) in enumerate(site_xy):
        op = ("Viettel", "MobiFone")[i % 2]
        for az in (0.0, 120.0, 240.0):
            rows.append({"site_id": f"S{i}", "operator": op, "tech": "4G", "freq_mhz": 1800.0,
                         "height_m": 25.0 + 5 * i, "azimuth_deg": az, "beamwidth_deg": 65.0,
                         "tilt_deg": 3.0, "eirp_dbm": 58.0, "geometry": shapely.Point(x, y)})
    # two co-located omni 3G carriers of both operators (ties broken by order)
    for op in ("Viettel", "MobiFone"):
        rows.append({"site_id": f"U-{op}", "operator": op, "tech": "3G", "freq_mhz": 2100.0,
                     "height_m": 30.0, "azimuth_deg": np.nan, "beamwidth_deg": 360.0,
                     "tilt_deg": 2.0, "eirp_dbm": 50.0,
                     "geometry": shapely.Point(X0 + 1_900.0, Y0 + 1_500.0)})
    sites = gpd.GeoDataFrame(rows, geometry="geometry", crs=EPSG)
    project = Project(name="scale test", crs=EPSG)
    project.set_layer("villages", villages)
    project.set_layer("sites", sites)
    project.set_raster("dem", d / "dem.tif")
    project.set_raster("population", d / "population.tif")
    project.set_raster("landcover", d / "landcover.tif")
    radio = RadioParams(techs={"4G": {"max_radius_m": 1_500.0}, "3G": {"max_radius_m": 1_200.0}},
                        area_margin_m=300.0)
    params = RunParams(radio=radio, scale=ScaleParams(tile_above_km2=-1.0))
    return project, params, d


STAGE_NAMES = ("hamlets", "coverage", "mobile")


def _run(project, params, out):
    return run(project, params, out_dir=out, stages=[s for s in STAGES if s.name in STAGE_NAMES])


@pytest.fixture(scope="module")
def single(small, tmp_path_factory):
    project, params, _ = small
    return _run(project, params, tmp_path_factory.mktemp("single"))


def _tiled(params, **scale):
    scale = {"tile_km": 0.9, "tile_above_km2": 0.0, **scale}
    return params.replace(scale=dataclasses.replace(params.scale, **scale))


def _assert_same(ref, ctx):
    """Rasters cell for cell and the per-hamlet tables hamlet for hamlet."""
    names = sorted(k for k in ref.rasters if k.startswith("coverage_"))
    assert names and names == sorted(k for k in ctx.rasters if k.startswith("coverage_"))
    pairs = [(ref.rasters[n], ctx.rasters[n]) for n in names]
    pairs += [(a.with_name(a.name.replace("coverage_", "server_", 1)),
               b.with_name(b.name.replace("coverage_", "server_", 1))) for a, b in pairs]
    for pa, pb in pairs:
        name = pb.name
        with rasterio.open(pa) as a, rasterio.open(pb) as b:
            assert a.transform == b.transform and a.shape == b.shape and a.crs == b.crs
            np.testing.assert_array_equal(a.read(1), b.read(1), err_msg=name)
    pd.testing.assert_frame_equal(ref.state.hamlet_coverage,
                                  ctx.state.hamlet_coverage)
    pd.testing.assert_frame_equal(ref.state.hamlet_coverage.attrs["signal_share"],
                                  ctx.state.hamlet_coverage.attrs["signal_share"])
    pd.testing.assert_frame_equal(ref.hamlets, ctx.hamlets[ref.hamlets.columns])


def test_reference_is_not_trivial(single):
    """The area is worth tiling: signal and gaps, all share bases, several servers."""
    long = single.state.hamlet_coverage
    assert set(long["share_basis"]) == {"population", "area", "centre"}
    assert 0 < long["covered"].mean() < 1
    with rasterio.open(single.workdir / "server_viettel_4g.tif") as src:
        assert len(np.unique(src.read(1))) >= 5
        assert src.shape == (140, 160)  # (3.6 + 0.6) km / 30 m, (4.2 + 0.6) km / 30 m
    assert any("without data" in w for w in single.warnings)


def test_tiles_equal_single_piece_synchronous_and_threads(small, single, tmp_path):
    project, params, _ = small
    ctx = _run(project, _tiled(params, scheduler="synchronous"), tmp_path / "sync")
    res = ctx.state.tiled
    assert len(res.tiles) == 6 * 5 and len(res.computed) >= 25  # 160 x 140 cells / 30
    _assert_same(single, ctx)
    # threads (2 workers) give the same rasters, here assembled as VRTs
    ctx2 = _run(project, _tiled(params, scheduler="threads", workers=2, assemble="vrt",
                                tile_km=1.5), tmp_path / "threads")
    assert ctx2.rasters["coverage_viettel_4g"].suffix == ".vrt"
    _assert_same(single, ctx2)
    assert any("without data" in w for w in ctx.warnings)


def test_a_calibrated_tiled_run_equals_the_calibrated_run_in_one_piece(small, tmp_path):
    """The calibration is subtracted in every tile as in one piece (each cell's land-cover
    class, a distance slope), and the cells counted by model fallback sum to the same."""
    from gis.radio.calibration_params import CalibrationGroup, CalibrationParams

    project, params, _ = small
    cal = CalibrationParams(groups=(
        CalibrationGroup("Viettel", None, ("4G",), offset_db=4.0, slope_db_per_decade=6.0),
        CalibrationGroup("Viettel", 50, ("4G",), offset_db=7.0),
        CalibrationGroup("MobiFone", None, ("3G", "4G"), offset_db=-2.5)))
    params = params.replace(calibration=cal)
    ref = _run(project, params, tmp_path / "one")
    ctx = _run(project, _tiled(params, scheduler="synchronous"), tmp_path / "tiles")
    _assert_same(ref, ctx)
    assert not any("not applied to tiled" in w for w in ctx.warnings)
    plain = _run(project, params.replace(calibration=CalibrationParams()), tmp_path / "plain")
    with rasterio.open(ref.rasters["coverage_mobifone_4g"]) as a, \
            rasterio.open(plain.rasters["coverage_mobifone_4g"]) as b:
        diff = b.read(1) - a.read(1)
    assert np.nanmax(np.abs(diff - 2.5 * -1)) < 1e-4       # the offset is in the files
    fallbacks = ref.state.coverage.fallback_cells
    assert fallbacks["cost231_hata"]["short_range"] > 0       # cells within 1 km of a mast
    assert ctx.state.coverage.fallback_cells == fallbacks


@pytest.mark.slow
def test_tiles_equal_single_piece_on_a_local_cluster(small, single, tmp_path):
    distributed = pytest.importorskip("distributed")
    import gis

    project, params, _ = small
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        ctx = gis.run(project, _tiled(params, tile_km=1.5), out_dir=tmp_path, client=client,
                      stages=[s for s in STAGES if s.name in STAGE_NAMES])
        served = client.run(lambda: 1)
    assert len(served) == 2
    _assert_same(single, ctx)


def test_resume_runs_only_missing_tiles(small, single, tmp_path):
    project, params, _ = small
    p = _tiled(params, scheduler="synchronous", tile_km=1.5)
    ctx = _run(project, p, tmp_path)  # writes every tile
    res = ctx.state.tiled
    first = list(res.computed)
    assert len(first) == 12
    # an "interrupted" run: drop the markers of some tiles, rerun
    lost = first[3:7]
    for name in lost:
        (tmp_path / "tiles" / name / "done.json").unlink()
    # resumed on the default local scheduler (a pool of 2 processes)
    ctx2 = _run(project, _tiled(params, tile_km=1.5, workers=2), tmp_path)
    res2 = ctx2.state.tiled
    assert sorted(res2.computed) == sorted(lost)
    assert len(res2.resumed) == len(first) - len(lost)
    _assert_same(single, ctx2)
    # other parameters: nothing is reused
    from gis.radio.sectors import expand_sectors

    radio = dataclasses.replace(p.radio, rx_height_m=2.0)
    tx, _ = expand_sectors(project.require("sites"), radio)
    again = run_tiled(tx, project.require("villages"), _grid(project, params), tmp_path,
                      radio=radio, population=project.rasters["population"], scale=p.scale,
                      only=first[:2])
    assert again.resumed == [] and again.computed == first[:2]


def test_partial_run_then_whole(small, single, tmp_path):
    """run_tiled(only=...) writes some tiles; the whole run then computes only the others."""
    project, params, _ = small
    from gis.radio.sectors import expand_sectors

    tx, _ = expand_sectors(project.require("sites"), params.radio)
    assert single.state.tiled is None  # the reference ran in one piece
    grid = _grid(project, params)
    scale = ScaleParams(tile_km=1.5, tile_above_km2=0.0, scheduler="synchronous")
    part = run_tiled(tx, project.require("villages"), grid, tmp_path, radio=params.radio,
                     population=project.rasters["population"],
                     landcover=project.rasters["landcover"], scale=scale,
                     only=["r000_c000", "r002_c003"])
    assert part.computed == ["r000_c000", "r002_c003"] and part.hamlet_coverage is None
    marker = json.loads((tmp_path / "tiles" / "r002_c003" / "done.json").read_text())
    assert marker["tile"] == "r002_c003" and marker["transmitters"] > 0
    whole = run_tiled(tx, project.require("villages"), grid, tmp_path, radio=params.radio,
                      population=project.rasters["population"],
                     landcover=project.rasters["landcover"], scale=scale)
    assert sorted(whole.resumed) == ["r000_c000", "r002_c003"]
    assert "r000_c000" not in whole.computed
    pd.testing.assert_frame_equal(whole.hamlet_coverage, single.state.hamlet_coverage)
    for path in whole.rasters.values():
        with rasterio.open(path) as a, rasterio.open(single.rasters[path.stem]) as b:
            np.testing.assert_array_equal(a.read(1), b.read(1))


def _grid(project, params):
    radio = params.radio
    left, bottom, right, top = project.require("villages").total_bounds
    m = radio.area_margin_m
    return plan_grid((left - m, bottom - m, right + m, top + m), project.crs,
                     dem_path=project.rasters["dem"], halo_m=1_500.0 + 300.0)


def test_grid_is_the_single_piece_grid(small, single):
    project, params, _ = small
    grid = _grid(project, params)
    with rasterio.open(single.rasters["coverage_viettel_4g"]) as src:
        assert grid.transform == src.transform and grid.shape == src.shape
    # the grid sits on the DEM file's cells: offset by whole cells from its origin
    with rasterio.open(project.rasters["dem"]) as src:
        r, c = grid.dem_offset
        assert src.transform * (c, r) == (grid.transform.c, grid.transform.f)


def test_halo_of_one_radius_is_enough_and_less_is_not(small, single):
    """A tile's DEM window of the tile + 1 radius (+3 cells) gives the whole's cells; a halo of
    half the radius changes some cells (the test can fail)."""
    from gis.radio.coverage import compute_coverage
    from gis.radio.sectors import expand_sectors
    from gis.scale.tiles import Tile, read_tile_dem, read_tile_landcover

    project, params, _ = small
    tx, _ = expand_sectors(project.require("sites"), params.radio)
    grid = _grid(project, params)
    with rasterio.open(single.rasters["coverage_viettel_4g"]) as src:
        ref = src.read(1)
    core = (60, 60, 40, 40)
    out = {}
    for halo_cells in (math.ceil(1_500.0 / RES) + 3, math.ceil(750.0 / RES)):
        tile = Tile(0, 0, *core, halo=halo_cells)
        dem, tr = read_tile_dem(grid, tile)
        lc = read_tile_landcover(project.rasters["landcover"], grid, tile)
        res = compute_coverage(tx, dem, tr, project.crs, params.radio, landcover=lc,
                               window=(halo_cells, halo_cells, 40, 40))
        out[halo_cells] = res.best_dbm[("Viettel", "4G")]
    full, half = out.values()
    np.testing.assert_array_equal(full, ref[60:100, 60:100])
    assert not np.array_equal(half, ref[60:100, 60:100], equal_nan=True)


def test_tile_sizes_and_cutting():
    assert tile_cells_for(20.0, 30.0) == 3 * BLOCK          # 667 cells -> 768
    assert tile_cells_for(0.9, 30.0) == 30
    assert tile_cells_for(5.0, 100.0) == 50
    grid = plan_grid((0.0, 0.0, 3000.0, 2100.0), EPSG, dem_path=None, halo_m=0.0,
                     resolution_m=30.0)
    tiles = make_tiles(grid, 40, 1000.0)
    assert [(t.height, t.width) for t in tiles[:3]] == [(40, 40), (40, 40), (40, 20)]
    assert len(tiles) == 2 * 3 and tiles[-1].name == "r001_c002"
    assert tiles[0].halo == math.ceil(1000.0 / 30.0) + 3
    assert sum(t.height * t.width for t in tiles) == 70 * 100
    with pytest.raises(ValidationError):
        ScaleParams(tile_km=0.0)
    with pytest.raises(ValidationError):
        ScaleParams(scheduler="")


def test_merge_warnings_sums_counts():
    a = ["12 DEM cells as sea level (0 m) / 12 ô DEM (0 m)", "odd 1 and 2"]
    b = ["30 DEM cells as sea level (0 m) / 30 ô DEM (0 m)", "odd 1 and 2"]
    assert merge_warnings([a, b, []]) == ["42 DEM cells as sea level (0 m) / 42 ô DEM (0 m)",
                                          "odd 1 and 2"]


def test_swept_ray_fan_gives_the_all_rays_result(small, monkeypatch):
    """The engine sweeps only the rays that reach the window (gis.radio.coverage._ray_range);
    windows on every side of the antennas, including due north (azimuths wrapping through 0),
    give exactly the result of sweeping every ray."""
    import gis.radio.coverage as cov

    project, params, _ = small
    from gis.radio.sectors import expand_sectors

    tx, _ = expand_sectors(project.require("sites"), params.radio)
    grid = _grid(project, params)
    from gis.scale.tiles import Tile, read_tile_dem

    tile = Tile(0, 0, 0, 0, grid.shape[0], grid.shape[1], halo=60)
    dem, tr = read_tile_dem(grid, tile)
    windows = [(60, 60, 20, 160), (180, 60, 20, 160), (60, 60, 140, 15), (60, 205, 140, 15),
               (110, 100, 12, 12)]
    ranged = [cov.compute_coverage(tx, dem, tr, project.crs, params.radio, window=w)
              for w in windows]
    fan = cov._ray_range
    # antenna at pixel (col 10, row 50); window rows 10-14, cols 8-12: due north, 1.1-1.2 km
    # away, azimuths about -0.05 to +0.05 rad; rays are 2 pi / 314 = 0.02 rad apart
    ray0, n = fan(10.0, 50.0, 10, 14, 8, 12, 30.0, 30.0, 314)
    assert ray0 > 300 and n <= 10 and (ray0 + n) % 314 <= 6
    assert fan(10.0, 12.0, 10, 14, 8, 12, 30.0, 30.0, 314) == (0, 314)  # antenna inside
    n_calls = []

    def all_rays(*args):
        n_calls.append(args[-1])
        return 0, args[-1]

    monkeypatch.setattr(cov, "_ray_range", all_rays)
    for w, res in zip(windows, ranged, strict=True):
        full = cov.compute_coverage(tx, dem, tr, project.crs, params.radio, window=w)
        for key in full.keys:
            np.testing.assert_array_equal(res.best_dbm[key], full.best_dbm[key])
            np.testing.assert_array_equal(res.server[key], full.server[key])
    assert n_calls


def test_presets_and_block_written_rasters(tmp_path):
    """Province and country presets; the DEM written window by window is the one-piece DEM,
    value for value; the population written in two passes is the one-piece grid."""
    from gis.sample.blocks import dem_in_blocks, write_dem_blocks, write_population_blocks
    from gis.sample.rasters import population_grid
    from gis.sample.spec import spec_for

    prov, country = spec_for("province"), spec_for("country")
    assert 6_500 < math.pi / 4 * prov.width_m * prov.height_m / 1e6 < 7_500  # km², the oval
    assert 320_000 < math.pi / 4 * country.width_m * country.height_m / 1e6 < 340_000
    assert sum(n for _, n in country.sites) > 15 * sum(n for _, n in prov.sites)
    with pytest.raises(ValidationError):
        spec_for("continent")
    terrain = TerrainSpec(hill_edge_x_m=X0 + 6_000.0)
    b = (X0, Y0, X0 + 300 * RES, Y0 + 200 * RES)
    write_dem_blocks(tmp_path / "dem.tif", b, RES, 5, terrain, -9999.0, block=256)
    one_piece = synthetic_dem(b, RES, 5, terrain)
    with rasterio.open(tmp_path / "dem.tif") as src:
        np.testing.assert_array_equal(src.read(1), one_piece)
        assert src.block_shapes[0] == (256, 256)
    np.testing.assert_array_equal(dem_in_blocks(b, RES, 5, terrain, block=128), one_piece)
    from gis.sample.blocks import landcover_in_blocks
    from gis.sample.landcover import landcover_grid

    river = shapely.LineString([(X0, Y0 + 3_000.0), (X0 + 9_000.0, Y0 + 2_000.0)])
    iz = shapely.box(X0 + 500, Y0 + 500, X0 + 1_500, Y0 + 1_200)
    town = np.array([X0 + 6_000.0, Y0 + 4_000.0])
    np.testing.assert_array_equal(
        landcover_in_blocks(one_piece, b, RES, town, iz, river, block=100),
        landcover_grid(one_piece, b, RES, town, iz, river))
    rng = np.random.default_rng(3)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(
        rng.uniform([X0, Y0], [X0 + 3_000, Y0 + 2_000], (12, 2))), extend_to=shapely.box(*b)))
    polys = np.array([shapely.intersection(c, shapely.box(X0, Y0, X0 + 3_000, Y0 + 2_000))
                      for c in cells] + [shapely.box(X0 + 3_010, Y0 + 10, X0 + 3_030, Y0 + 30)],
                     dtype=object)  # the last holds no cell centre
    xy = shapely.get_coordinates(shapely.point_on_surface(polys))
    people = rng.uniform(100, 900, len(polys))
    sat = np.full_like(xy, np.nan)
    sat[2] = xy[2] + 150.0
    sigma = np.full(len(polys), 200.0)
    pb = (X0, Y0, X0 + 3_100.0, Y0 + 2_100.0)
    ref = population_grid(pb, 100.0, polys, xy, people, sat, 0.4, sigma)
    write_population_blocks(tmp_path / "pop.tif", pb, 100.0, polys, xy, people, sat, 0.4,
                            sigma, -1.0, block=7)
    with rasterio.open(tmp_path / "pop.tif") as src:
        got = src.read(1)
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6)
    assert got.sum() == pytest.approx(people.sum(), rel=1e-6)


def test_cli_options_ask_for_tiles():
    from gis.cli import build_parser
    from gis.cli.run import _scale_options

    args = build_parser().parse_args(["run", "--project", "P", "--out", "O", "--tile-km", "15",
                                      "--scheduler", "tcp://10.0.0.5:8786", "--workers", "3"])
    p = _scale_options(RunParams(), args)
    assert p.scale == ScaleParams(tile_km=15.0, tile_above_km2=0.0,
                                  scheduler="tcp://10.0.0.5:8786", workers=3)
    assert not p.scale.is_local and p.scale.tiles_area(1.0)
    plain = build_parser().parse_args(["run", "--project", "P", "--out", "O"])
    assert _scale_options(RunParams(), plain).scale == ScaleParams()
    assert ScaleParams().tiles_area(7_000.0) and not ScaleParams().tiles_area(500.0)
    args = build_parser().parse_args(["sample", "--out", "O", "--preset", "province"])
    assert args.preset == "province"


@pytest.mark.parametrize("max_pairs", [7, 4_000_000])
def test_lattice_points_in_polygons_equal_the_point_query(max_pairs):
    from gis.scale.reduce import lattice_in_polygons

    # 30 m cell centres; polygons with a hole, a multipolygon, edges exactly through centres
    # (excluded: 'within' is the strict interior), one outside the lattice and an empty one
    xs = 600_015.0 + 30.0 * np.arange(40)
    ys = 2_250_585.0 - 30.0 * np.arange(25)
    ring = shapely.box(600_100.0, 2_250_100.0, 600_700.0, 2_250_500.0)
    polys = np.array([
        ring.difference(shapely.box(600_300.0, 2_250_200.0, 600_400.0, 2_250_300.0)),
        shapely.box(600_015.0, 2_250_465.0, 600_105.0, 2_250_585.0),  # edges on centres
        shapely.MultiPolygon([shapely.box(600_800.0, 2_249_900.0, 601_500.0, 2_250_050.0),
                              shapely.Point(601_000.0, 2_250_400.0).buffer(120.0)]),
        shapely.Point(600_450.0, 2_250_350.0).buffer(200.0),           # overlaps the first
        shapely.box(700_000.0, 2_250_000.0, 700_100.0, 2_250_100.0),
        shapely.Polygon(),
    ], dtype=object)
    gx, gy = np.meshgrid(xs, ys)
    tree = shapely.STRtree(polys)
    want_p, want_g = tree.query(shapely.points(gx.ravel(), gy.ravel()), predicate="within")
    order = np.lexsort((want_g, want_p))
    got_p, got_g = lattice_in_polygons(polys, xs, ys, max_pairs=max_pairs)
    np.testing.assert_array_equal(got_p, want_p[order])
    np.testing.assert_array_equal(got_g, want_g[order])
    assert len(got_p) > 200 and {0, 1, 2, 3} <= set(got_g.tolist())
    # the box with edges on centres holds only the centres strictly inside: 2 x 3
    assert (got_g == 1).sum() == 2 * 3


FAULTS_SCRIPT = """
import resource, sys
import numpy as np
from gis.scale.runner import tune_allocator
if sys.argv[1] == "tune":
    assert tune_allocator()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(1 << 17)  # 1 MiB, once, so that the heap has grown when tuned
f0 = faults()
for _ in range(200):
    a = np.ones(1 << 17)  # 1 MiB filled, then freed
    del a
print(faults() - f0)
"""


@pytest.mark.slow
@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="glibc only")
def test_allocator_tuned_when_the_nanny_variable_disables_glibc_thresholds():
    """With MALLOC_TRIM_THRESHOLD_ set (as a distributed nanny does), each 1 MiB array is a
    fresh mmap: 256 pages fault in every time. Tuned, the freed block is reused."""
    import os
    import subprocess
    import sys

    from gis.scale.runner import tune_allocator

    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = {mode: int(subprocess.run([sys.executable, "-c", FAULTS_SCRIPT, mode], env=env,
                                    capture_output=True, text=True, check=True).stdout)
           for mode in ("plain", "tune")}
    assert out["plain"] >= 200 * 256 * 0.9      # one fault per 4 KiB page, each time
    assert out["tune"] < out["plain"] / 20
    if not os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        assert tune_allocator() is False         # nothing to do in a plain process
