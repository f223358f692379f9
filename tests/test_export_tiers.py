"""Coverage tier polygons: simplified outlines that stay valid, keep each tier's area within
0.5 % of its cells and hold every cell centre of the tier away from the edges; made in a pool
of threads with the same files as one by one."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from scipy import ndimage

from gis.export import tiers as tiers_mod
from gis.export.tiers import AREA_TOLERANCE, cell_polygons, simplify_tier, tier_polygons
from gis.report import outputs
from gis.report.results import RunResults

TIERS = (("good", -95.0), ("fair", -105.0), ("edge", -110.0))
CELL_M = 30.0
ORIGIN = (600_000.0, 2_280_000.0)  # UTM 48N, Ninh Bình


def rsrp_field(seed: int, shape: tuple[int, int] = (240, 300), *, grain: float = 6.0,
               noise_db: float = 4.0) -> np.ndarray:
    """A smooth signal field (dBm) falling from two masts, plus cell noise: ``noise_db`` large
    gives fragmented tiers (islands of one or two cells), small gives large smooth tiers."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices(shape)
    best = np.full(shape, -200.0)
    for r0, c0 in ((60, 80), (170, 220)):
        d_km = np.hypot(rows - r0, cols - c0) * CELL_M / 1000 + 0.05
        best = np.maximum(best, -95 - 45 * np.log10(d_km))
    noise = ndimage.gaussian_filter(rng.normal(0, 1, shape), grain) * grain * 2
    field = best + noise + rng.normal(0, noise_db, shape)
    field[:5, :5] = np.nan  # a corner without data
    return field.astype("float32")


def write_raster(path: Path, data: np.ndarray) -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype="float32", crs="EPSG:32648", nodata=np.nan,
                       transform=from_origin(*ORIGIN, CELL_M, CELL_M)) as dst:
        dst.write(data, 1)
    return path


def tier_codes(data: np.ndarray) -> np.ndarray:
    """The tier of each cell by the rule (1 good, 2 fair, 3 edge, 0 none), written out here
    independently of the module: the first tier whose minimum the cell reaches."""
    codes = np.zeros(data.shape, np.int16)
    ok = np.isfinite(data)
    codes[ok & (data >= -110)] = 3
    codes[ok & (data >= -105)] = 2
    codes[ok & (data >= -95)] = 1
    return codes


@pytest.mark.parametrize("noise_db", [0.5, 2.0])
def test_simplified_tiers_are_valid_keep_their_area_and_hold_their_cells(tmp_path, noise_db):
    data = rsrp_field(3, noise_db=noise_db)
    raster = write_raster(tmp_path / "coverage_x_4g.tif", data)
    exact = tier_polygons(raster, tiers_dbm=TIERS, simplify_cells=0).to_crs(32648)
    simple = tier_polygons(raster, tiers_dbm=TIERS).to_crs(32648)
    codes = tier_codes(data)
    assert simple["tier"].tolist() == ["good", "fair", "edge"]
    # area_km2: the cells counted, 900 m² each
    counts = np.array([(codes == c).sum() for c in (1, 2, 3)])
    np.testing.assert_allclose(simple["area_km2"], counts * CELL_M**2 / 1e6, atol=1e-4)
    assert shapely.is_valid(simple.geometry.to_numpy()).all()
    np.testing.assert_allclose(shapely.area(exact.geometry.to_numpy()), counts * CELL_M**2,
                               rtol=1e-6)
    np.testing.assert_allclose(shapely.area(simple.geometry.to_numpy()), counts * CELL_M**2,
                               rtol=AREA_TOLERANCE)
    # fewer vertices than the cell outlines
    assert (shapely.get_num_coordinates(simple.geometry.to_numpy())
            < shapely.get_num_coordinates(exact.geometry.to_numpy())).all()
    # a cell whose 3 x 3 neighbourhood is all one tier is inside that tier's polygon: its
    # centre is 1.5 cells from the cells' edge, the simplification moves edges by 1 cell
    rows, cols = np.indices(codes.shape)
    xs = ORIGIN[0] + (cols + 0.5) * CELL_M
    ys = ORIGIN[1] - (rows + 0.5) * CELL_M
    for i, code in enumerate((1, 2, 3)):
        inner = ndimage.binary_erosion(codes == code, np.ones((3, 3), bool), border_value=0)
        assert inner.sum() > 10
        poly = simple.geometry.iloc[i]
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, xs[inner], ys[inner])
        assert inside.all(), f"{(~inside).sum()} inner cells of tier {code} outside"
        # and in no other tier's polygon
        for j in range(3):
            if j != i:
                assert not shapely.contains_xy(simple.geometry.iloc[j], xs[inner],
                                               ys[inner]).any()


def test_fragmented_tiers_fall_back_to_the_cells_area(tmp_path):
    """Islands of one or two cells vanish under a one-cell Douglas-Peucker: the tier then keeps
    the half-cell outline, whose area is the cells'."""
    data = rsrp_field(11, noise_db=8.0)
    codes = tier_codes(data)
    raster = write_raster(tmp_path / "cov.tif", data)
    exact = tier_polygons(raster, tiers_dbm=TIERS, simplify_cells=0)
    merged = exact.to_crs(32648).geometry.to_numpy()
    one_cell = shapely.simplify(merged, CELL_M, preserve_topology=False)
    cells_area = np.array([(codes == c).sum() for c in (1, 2, 3)]) * CELL_M**2
    off = np.abs(shapely.area(one_cell) / cells_area - 1)
    assert (off > AREA_TOLERANCE).any()  # the case the fallback is for
    got = simplify_tier(merged, CELL_M, 1.0)
    assert shapely.is_valid(got).all()
    np.testing.assert_allclose(shapely.area(got), cells_area, rtol=AREA_TOLERANCE)
    # where the one-cell outline was good it is the one kept
    good = (off <= AREA_TOLERANCE) & shapely.is_valid(one_cell)
    assert shapely.equals_exact(got[good], one_cell[good], 0).all()
    # no simplification asked: the cells themselves
    assert shapely.equals_exact(simplify_tier(merged, CELL_M, 0), merged, 0).all()


def test_cell_polygons_equal_shapely_shape_of_each_piece():
    from rasterio import features

    codes = tier_codes(rsrp_field(5, (80, 90), noise_db=6.0))
    pieces = list(features.shapes(codes, mask=codes > 0,
                                  transform=from_origin(*ORIGIN, CELL_M, CELL_M)))
    assert any(len(g["coordinates"]) > 1 for g, _ in pieces)  # pieces with holes
    geoms, values = cell_polygons(pieces)
    want = [shapely.geometry.shape(g) for g, _ in pieces]
    assert shapely.equals_exact(geoms, np.array(want, dtype=object), 0).all()
    assert values.tolist() == [int(v) for _, v in pieces]


def test_tiers_in_threads_write_the_same_files(tmp_path, monkeypatch):
    rasters = {}
    for i, name in enumerate(["coverage_a_4g", "coverage_b_4g", "coverage_c_2g"]):
        rasters[name] = write_raster(tmp_path / f"{name}.tif", rsrp_field(20 + i))
    results = RunResults(name="t", hamlets=pd.DataFrame(), rasters=rasters)
    monkeypatch.setattr(outputs, "TIER_THREADS", 1)
    one = outputs.write_coverage_tiers(results, tmp_path / "one")
    monkeypatch.setattr(outputs, "TIER_THREADS", 3)
    pool = outputs.write_coverage_tiers(results, tmp_path / "pool")
    assert [p.name for p in one] == [p.name for p in pool]
    for a, b in zip(one, pool, strict=True):
        if a.suffix == ".kml":
            assert a.read_bytes() == b.read_bytes()
    for name in rasters:
        ga = gpd.read_file(tmp_path / "one" / "coverage_tiers.gpkg", layer=name)
        gb = gpd.read_file(tmp_path / "pool" / "coverage_tiers.gpkg", layer=name)
        assert ga.drop(columns="geometry").equals(gb.drop(columns="geometry"))
        assert shapely.equals_exact(ga.geometry.to_numpy(), gb.geometry.to_numpy(), 0).all()
    assert tiers_mod.TIERS_MAX_CELLS > 240 * 300
