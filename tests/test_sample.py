"""The synthetic sample area: determinism, sizes, schema, terrain, population, network, gaps."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import rasterio.features
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from gis.errors import ValidationError
from gis.layers.schema import (
    FACILITY_KINDS,
    LAYER_SPECS,
    OPERATORS_BY_MNC,
    ROAD_CLASSES,
    TECHS,
    LayerKind,
)
from gis.project import Project
from gis.sample import build_sample, spec_for, synthetic_dem
from gis.sample.terrain import district_terrain

#: Columns the sample adds to the canonical ones (what readers produce, and the design tags).
EXTRA = {"villages": {"centre_x", "centre_y", "sample_design"}}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_sample(7, workdir=tmp_path_factory.mktemp("s7"))


def _read(path: Path) -> tuple[np.ndarray, rasterio.profiles.Profile]:
    with rasterio.open(path) as src:
        return src.read(1), src.profile


# -- determinism ----------------------------------------------------------------------------

def test_same_seed_same_layers_and_rasters(sample: Project, tmp_path: Path) -> None:
    again = build_sample(7, workdir=tmp_path)
    assert sorted(again.layers) == sorted(sample.layers)
    for kind in sample.layers:
        assert_geodataframe_equal(again.layers[kind], sample.layers[kind])
    for kind in ("dem", "population", "landcover"):
        a, _ = _read(sample.rasters[kind])
        b, _ = _read(again.rasters[kind])
        np.testing.assert_array_equal(a, b)


def test_other_seed_other_area(sample: Project, tmp_path: Path) -> None:
    other = build_sample(8, workdir=tmp_path)
    v7, v8 = sample.layers["villages"], other.layers["villages"]
    assert not np.allclose(v7.centre_x.to_numpy()[:50], v8.centre_x.to_numpy()[:50])
    a, _ = _read(sample.rasters["dem"])
    b, _ = _read(other.rasters["dem"])
    assert a.shape == b.shape and not np.array_equal(a, b)


def test_unknown_preset_lists_valid_ones() -> None:
    with pytest.raises(ValidationError, match="district"):
        build_sample(7, preset="planet")
    assert spec_for("District").preset == "district"


# -- sizes, schema --------------------------------------------------------------------------

def test_area_counts_in_range(sample: Project) -> None:
    admin = sample.layers["admin"]
    area_km2 = admin.union_all().area / 1e6
    assert 200 <= area_km2 <= 400
    assert 28 <= len(admin) <= 32 and set(admin["level"]) == {"commune"}
    assert 300 <= len(sample.layers["villages"]) <= 500
    sites = sample.layers["sites"]
    assert set(sites["operator"]) == {"Viettel", "VinaPhone", "MobiFone", "Vietnamobile"}
    assert 100 <= _physical_sites(sites) <= 140
    assert sample.name.startswith("Mẫu: Nho Quan")


# every layer kind but measurements (an input of the calibration, not of the sample area)
@pytest.mark.parametrize("kind", [k.value for k in LayerKind if k is not LayerKind.MEASUREMENTS])
def test_layer_valid_and_in_schema(sample: Project, kind: str) -> None:
    gdf = sample.layers[kind]
    spec = LAYER_SPECS[LayerKind(kind)]
    assert len(gdf) > 0
    assert gdf.crs.to_epsg() == 32648
    assert set(gdf.geom_type) <= set(spec.geometry_types)
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    names = {c.name for c in spec.columns}
    assert {c.name for c in spec.required} <= set(gdf.columns)
    assert set(gdf.columns) - {"geometry"} <= names | EXTRA.get(kind, set())
    if spec.id_column and kind != "sites":  # sites: one row per sector repeats the site id
        assert gdf[spec.id_column].is_unique
    # Inside Vietnam's Ninh Bình area (about 105.5-106.1 E, 20.0-20.5 N).
    lon, lat = _to_wgs(shapely.get_coordinates(gdf.geometry.values))
    assert lon.min() > 105.5 and lon.max() < 106.1 and lat.min() > 20.0 and lat.max() < 20.5


def test_value_domains(sample: Project) -> None:
    assert set(sample.layers["roads"]["road_class"]) - {"other"} == set(ROAD_CLASSES) - {"other"}
    assert set(sample.layers["facilities"]["kind"]) <= set(FACILITY_KINDS)
    sites = sample.layers["sites"]
    assert set(sites["operator"]) <= set(OPERATORS_BY_MNC.values())
    assert {t for v in sites["tech"] for t in v.split("/")} == set(TECHS)
    assert set(sites["freq_mhz"]) <= {900.0, 1800.0, 2100.0, 2600.0, 3700.0, 3800.0}
    fiber = sample.layers["fiber"]
    assert set(fiber["level"]) == {"backbone", "distribution", "access"}
    assert set(fiber["installation"]) <= {"aerial", "underground", "duct"}
    assert set(sample.layers["fiber_nodes"]["kind"]) == {"olt", "cabinet", "splitter"}


def test_hamlets(sample: Project) -> None:
    v = sample.layers["villages"]
    admin = sample.layers["admin"]
    # Hamlets tile their commune exactly.
    per_commune = v.dissolve("commune").area
    by_name = admin.set_index("name").area
    np.testing.assert_allclose(per_commune.sort_index(), by_name.loc[per_commune.index]
                               .sort_index(), rtol=1e-6)
    # The centre lies in its polygon and its lon/lat is its x/y in WGS84 (EPSG:32648 -> 4326).
    pts = shapely.points(v.centre_x, v.centre_y)
    assert shapely.contains(v.geometry.values, pts).all()
    lon, lat = _to_wgs(np.c_[v.centre_x, v.centre_y])
    np.testing.assert_allclose(lon, v.centre_lon, atol=2e-7)
    np.testing.assert_allclose(lat, v.centre_lat, atol=2e-7)
    assert v.groupby("commune")["name"].apply(lambda s: s.is_unique).all()
    assert set(v.province) == {"Ninh Bình"}
    assert set(v.district) == {"Huyện Nho Quan", "Huyện Gia Viễn"}
    assert all(unicodedata.is_normalized("NFC", n) for n in v["name"])
    assert v["name"].str.contains("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỷỹỵ]",
                                  case=False).mean() > 0.5
    assert v["name"].str.startswith(("Thôn ", "Xóm ", "Bản ", "Tổ dân phố ")).all()
    # No word repeated back to back (no "Bản Đồi Đông Đông").
    assert not any(a == b for w in v["name"].str.split() for a, b in itertools.pairwise(w))
    # About 3.8 people per household.
    ratio = v.population.sum() / v.households.sum()
    assert 3.6 < ratio < 4.0
    assert (v.population > 0).all()


def test_communes_are_real_former_communes(sample: Project) -> None:
    """The 30 communes carry the names and codes of the 23 former communes of Nho Quan and 7 of
    Gia Viễn, and the hamlets' attribution agrees with the admin polygons; Xã Gia Tân (split
    in 2025) gives each hamlet the part whose centre is nearer (truth: the crosswalk's own
    centres)."""
    import pandas as pd

    from gis.analysis.units import assign_units, crosswalk, former_district_units
    from gis.analysis.units._geo import haversine_m

    admin = sample.layers["admin"]
    nq = former_district_units("Ninh Bình", "Nho Quan")
    gv = former_district_units("Ninh Bình", "Gia Viễn")
    real = pd.concat([nq, gv]).set_index("former_commune_code")
    assert admin["code"].is_unique and set(nq["former_commune_code"]) <= set(admin["code"])
    assert (admin["code"].isin(gv["former_commune_code"])).sum() == 7
    assert (admin["name"].to_numpy() == real.loc[admin["code"], "former_commune"].to_numpy()).all()
    assert admin["name"].iloc[0] == "Thị trấn Thịnh Vượng"   # the district town
    villages = sample.layers["villages"]
    units = assign_units(villages, admin=admin)
    assert (units["unit_conflict"] == "").all()
    assert (units["former_commune"] == villages["commune"]).all()
    assert units["commune_code"].nunique() == 13
    split = units["former_commune"] == "Xã Gia Tân"
    assert split.sum() >= 4 and (units.loc[split, "unit_source"] == "approximate").all()
    centres = crosswalk().communes.set_index("commune_code").loc[["14533", "14488"]]
    lon, lat = _to_wgs(np.c_[villages["centre_x"], villages["centre_y"]][split.to_numpy()])
    d = np.stack([haversine_m(lon, lat, float(c.lon), float(c.lat))
                  for c in centres.itertuples()])
    expected = np.where(d[0] < d[1], "14533", "14488")
    assert (units.loc[split, "commune_code"].to_numpy() == expected).all()
    assert len(set(expected)) == 2   # both parts get hamlets


def test_denser_in_the_delta(sample: Project) -> None:
    v = sample.layers["villages"]
    east = v.centre_x > v.centre_x.quantile(2 / 3)
    west = v.centre_x < v.centre_x.quantile(1 / 3)
    density = v.population / (v.area / 1e6)
    assert density[east].median() > 1.5 * density[west].median()


# -- rasters --------------------------------------------------------------------------------

def test_dem_flat_delta_and_relief(sample: Project) -> None:
    dem, prof = _read(sample.rasters["dem"])
    assert prof["dtype"] == "float32" and prof["nodata"] is not None
    assert prof["crs"].to_epsg() == 32648 and prof["transform"].a == 30.0
    assert (dem != prof["nodata"]).all()
    flat = (dem >= 0.5) & (dem <= 6.0)
    assert flat.mean() > 0.3                   # the delta part
    assert dem.max() - dem.min() > 200.0       # the hills
    assert 300.0 <= dem.max() <= 650.0


def test_dem_tiles_agree_with_the_whole(sample: Project) -> None:
    dem, prof = _read(sample.rasters["dem"])
    t = prof["transform"]
    left, top = t.c, t.f
    right, bottom = left + 30.0 * dem.shape[1], top - 30.0 * dem.shape[0]
    terrain = district_terrain(spec_for("district"))
    whole = synthetic_dem((left, bottom, right, top), 30.0, 7, terrain)
    np.testing.assert_array_equal(whole, dem)
    # Four uneven tiles, cut at arbitrary cells, give exactly the same values.
    xm, ym = left + 30.0 * 301, bottom + 30.0 * 177
    tiles = [[(left, ym, xm, top), (xm, ym, right, top)],
             [(left, bottom, xm, ym), (xm, bottom, right, ym)]]
    mosaic = np.vstack([np.hstack([synthetic_dem(b, 30.0, 7, terrain) for b in row])
                        for row in tiles])
    np.testing.assert_array_equal(mosaic, whole)
    with pytest.raises(ValidationError, match="grid"):
        synthetic_dem((left + 7.0, bottom, right, top), 30.0, 7, terrain)


def test_population_raster_matches_hamlets(sample: Project) -> None:
    pop, prof = _read(sample.rasters["population"])
    assert prof["dtype"] == "float32" and prof["transform"].a == 100.0
    v = sample.layers["villages"].reset_index(drop=True)
    # GDAL's rasterizer (cell-centre rule) as an independent zonal assignment.
    ids = rasterio.features.rasterize(
        ((g, i + 1) for i, g in enumerate(v.geometry)), out_shape=pop.shape,
        transform=prof["transform"], fill=0, dtype="int32")
    sums = np.bincount(ids.ravel(), weights=pop.ravel().astype(float), minlength=len(v) + 1)
    np.testing.assert_allclose(sums[1:], v.population, rtol=0.03, atol=5.0)
    assert abs(pop.sum() - v.population.sum()) / v.population.sum() < 0.005
    assert sums[0] < 1.0  # nobody outside the hamlets
    # People cluster around the centre: the centre cell is denser than the hamlet's average.
    rows, cols = rasterio.transform.rowcol(prof["transform"], v.centre_x, v.centre_y)
    at_centre = pop[np.asarray(rows), np.asarray(cols)]
    cells = np.bincount(ids.ravel(), minlength=len(v) + 1)[1:]
    assert np.median(at_centre / (v.population / np.maximum(cells, 1))) > 2.0


def test_landcover_on_the_dem_grid_follows_terrain_and_town(sample: Project) -> None:
    lc, prof = _read(sample.rasters["landcover"])
    dem, dprof = _read(sample.rasters["dem"])
    assert prof["dtype"] == "uint8" and prof["nodata"] == 0
    assert lc.shape == dem.shape and prof["transform"] == dprof["transform"]
    # ESA WorldCover codes: tree cover, shrubland, cropland, built-up, permanent water.
    assert set(np.unique(lc).tolist()) == {10, 20, 40, 50, 80}
    assert (lc[dem > 150.0] == 10).all()
    delta = (dem < 6.0) & ~np.isin(lc, (50, 80))
    assert (lc[delta] == 40).all() and delta.mean() > 0.4
    f = sample.layers["facilities"]
    t = prof["transform"]
    for geom in (f[f.kind == "commune_office"].geometry.iloc[0],           # UBND of the town
                 f[f.kind == "industrial_zone"].geometry.iloc[0].centroid):
        r, c = rasterio.transform.rowcol(t, geom.x, geom.y)
        assert lc[r, c] == 50
    # Hamlets sit on farmland in the valleys: the weak-spot centres are cropland.
    v = sample.layers["villages"]
    weak = v[v.sample_design.str.contains("weak_spot")]
    r, c = rasterio.transform.rowcol(t, weak.centre_x, weak.centre_y)
    assert (lc[np.asarray(r), np.asarray(c)] == 40).all()


# -- network --------------------------------------------------------------------------------

def test_roads_connected_except_the_remote_track(sample: Project) -> None:
    roads = sample.layers["roads"]
    v = sample.layers["villages"]
    coords = shapely.get_coordinates(roads.geometry.values)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(roads.geometry.values, k))
                      for k in (0, -1)])
    keys, node = np.unique(np.round(ends, 2), axis=0, return_inverse=True)
    n = len(roads)
    g = coo_matrix((np.ones(n), (node[:n], node[n:])), shape=(len(keys), len(keys)))
    ncomp, label = connected_components(g, directed=False)
    main = np.bincount(label).argmax()
    assert ncomp == 2
    off = label[node[:n]] != main
    assert set(roads.loc[off, "road_class"]) == {"other"}  # the documented forest track
    # Every hamlet centre but the documented remote ones is a node of the main network.
    centre_keys = {tuple(k) for k in np.round(np.c_[v.centre_x, v.centre_y], 2)}
    main_keys = {tuple(k) for k in keys[label == main]}
    on_main = np.array([tuple(k) in main_keys
                        for k in np.round(np.c_[v.centre_x, v.centre_y], 2)])
    no_road = v.sample_design.str.contains("no_road").to_numpy()
    assert (on_main == ~no_road).all() and 1 <= no_road.sum() <= 4
    assert len(centre_keys) == len(v) and len(coords) > 2 * n
    assert roads["planned_works"].notna().sum() >= 3


def test_fiber_on_roads_and_gaps(sample: Project) -> None:
    roads = sample.layers["roads"]
    fiber = sample.layers["fiber"]
    nodes = sample.layers["fiber_nodes"]
    v = sample.layers["villages"]
    # Fiber runs along roads: every fiber line lies on the road network.
    assert shapely.distance(fiber.geometry.values, roads.union_all()).max() < 1e-6
    # One OLT per fiber operator, in the town.
    olt = nodes[nodes.kind == "olt"]
    assert set(olt.operator) == {"Viettel", "VNPT"}
    town = sample.layers["admin"].geometry.iloc[0]  # the district town (Thị trấn Thịnh Vượng)
    assert olt.within(town).all()
    # The no_fiber hamlets: no fiber node within 500 m of the centre along the roads (nodes
    # join the network at their nearest road end, the offset counted); the others: one within.
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(roads.geometry.values, k))
                      for k in (0, -1)])
    keys, node = np.unique(np.round(ends, 2), axis=0, return_inverse=True)
    n, m = len(roads), len(keys)
    off, near = cKDTree(keys).query(shapely.get_coordinates(nodes.geometry.values))
    g = coo_matrix((np.r_[roads.length.to_numpy(), off], (np.r_[node[:n], np.full(len(off), m)],
                    np.r_[node[n:], near])), shape=(m + 1, m + 1))
    dist = dijkstra(g.tocsr(), directed=False, indices=m)
    centre = cKDTree(keys).query(np.c_[v.centre_x, v.centre_y])
    reach = np.where(centre[0] < 0.01, dist[centre[1]], np.inf)
    gap = v.sample_design.str.contains("no_fiber").to_numpy()
    assert (reach[gap] > 500.0).all() and (reach[~gap] <= 500.0).all()
    assert 0.05 < gap.mean() < 0.25


# -- sites ----------------------------------------------------------------------------------

def _physical_sites(sites: gpd.GeoDataFrame, tol_m: float = 10.0) -> int:
    xy = shapely.get_coordinates(sites.geometry.values)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    i, j = np.nonzero(d < tol_m)
    g = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(xy), len(xy)))
    return connected_components(g, directed=False)[0]


def test_sites_rows_and_sharing(sample: Project) -> None:
    s = sample.layers["sites"]
    vt = s[s.operator == "Viettel"]
    per_site = vt.groupby(["site_id", "freq_mhz"]).size()
    assert (per_site == 3).all()                          # one row per sector
    assert vt.beamwidth_deg.eq(65.0).all() and vt.tilt_deg.between(1, 9).all()
    assert (vt.azimuth_deg.round() % 120 == 0).mean() > 0.5
    other = s[s.operator != "Viettel"]
    assert other.azimuth_deg.isna().all()                 # one row per site
    assert s.height_m.isna().any() and s.eirp_dbm.isna().any()
    rural = s[s.structure == "A2b"].height_m.dropna()
    roof = s[s.structure == "A2a"].height_m.dropna()
    assert rural.between(30, 45).all() and roof.between(9, 15).all()
    # Shared positions: sites of different operators within a few metres.
    xy = shapely.get_coordinates(s.geometry.values)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    ops = s.operator.to_numpy()
    pairs = (d < 10.0) & (ops[:, None] != ops[None, :])
    shared_rows = pairs.any(axis=1)
    assert shared_rows.sum() >= 20
    assert (d[pairs] > 0).any()                           # not all at the very same point
    by_id = s.dropna(subset=["position_id"]).groupby("position_id").operator.nunique()
    assert (by_id >= 2).sum() >= 3                        # explicit shared-tower ids
    assert (shared_rows & s.position_id.isna().to_numpy()).any()  # and sharing by distance
    triple = [len(set(ops[pairs[k] | (np.arange(len(s)) == k)])) for k in range(len(s))]
    assert max(triple) >= 3
    assert (s.tech == "2G").any() and (s.tech == "2G/3G").any()


def test_5g_only_near_town_and_industrial_zone(sample: Project) -> None:
    s = sample.layers["sites"]
    f = sample.layers["facilities"]
    town = f[f.kind == "commune_office"].iloc[0].geometry          # UBND of the town
    iz = f[f.kind == "industrial_zone"].geometry.iloc[0]
    g5 = s[s.tech == "5G"]
    assert set(g5.operator) == {"Viettel", "VinaPhone", "MobiFone"}
    assert {(r.operator, r.freq_mhz) for r in g5.itertuples()} == {
        ("Viettel", 2600.0), ("VinaPhone", 3700.0), ("MobiFone", 3800.0)}
    near = (g5.distance(town) < 2_000.0) | (g5.distance(iz) < 1_300.0)
    assert near.all()


def test_facilities_per_commune(sample: Project) -> None:
    f = sample.layers["facilities"]
    communes = set(sample.layers["admin"]["name"])
    for kind in ("commune_office", "health_station", "school"):
        assert set(f[f.kind == kind].commune) == communes
    iz = f[f.kind == "industrial_zone"]
    assert len(iz) == 1 and iz.geom_type.iloc[0] == "Polygon"
    assert 0.8e6 < iz.area.iloc[0] < 1.5e6
    assert f[f.kind == "commune_office"].name.str.startswith("UBND ").all()
    assert f[f.kind == "health_station"].name.str.startswith("Trạm y tế ").all()


# -- the designed coverage gaps, checked with an independent terrain calculation ---------------

def _max_v(dem: np.ndarray, t: rasterio.Affine, tx: np.ndarray, ty: np.ndarray, th_m: float,
           rx: float, ry: float, f_mhz: float, rh_m: float = 1.5, n: int = 400) -> np.ndarray:
    """The largest Fresnel-Kirchhoff parameter v (ITU-R P.526 eq. 26) along the path from each
    transmitter (``tx, ty``, antenna ``th_m`` above ground) to one receiver; terrain from the
    DEM (nearest cell) plus the earth bulge for k = 4/3."""
    tx, ty = np.asarray(tx, float)[:, None], np.asarray(ty, float)[:, None]
    lam = 299.792458 / f_mhz
    dist = np.hypot(rx - tx, ry - ty)
    s = np.linspace(0.0, 1.0, n)[None, 1:-1]
    x, y = tx + s * (rx - tx), ty + s * (ry - ty)

    def z_at(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        col, row = (px - t.c) / t.a, (py - t.f) / t.e
        return dem[np.floor(row).astype(int), np.floor(col).astype(int)].astype(float)

    zt = z_at(tx, ty) + th_m
    zr = z_at(np.array([[rx]]), np.array([[ry]])) + rh_m
    d1 = s * dist
    d2 = dist - d1
    h = z_at(x, y) + d1 * d2 / (2 * 4 / 3 * 6_371_000.0) - (zt + s * (zr - zt))
    return (h * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))).max(axis=1)


def test_no_signal_hamlets_are_deep_in_terrain_shadow(sample: Project) -> None:
    dem, prof = _read(sample.rasters["dem"])
    s = sample.layers["sites"]
    v = sample.layers["villages"]
    gap = v[v.sample_design.str.contains("no_signal")]
    assert 4 <= len(gap) <= 8
    for h in gap.itertuples():
        d = np.hypot(s.geometry.x - h.centre_x, s.geometry.y - h.centre_y)
        assert d.min() > 3_500.0
        vs = _max_v(dem, prof["transform"], s.geometry.x, s.geometry.y, 45.0, h.centre_x,
                    h.centre_y, 900.0)
        # v > 10: a knife-edge loss J(v) above 33 dB even at 900 MHz and 45 m masts.
        assert vs.min() > 10.0, (h.name, vs.min())


def test_weak_spot_hamlets_have_a_covered_centre_and_a_shadowed_cluster(
        sample: Project) -> None:
    dem, prof = _read(sample.rasters["dem"])
    pop, pprof = _read(sample.rasters["population"])
    s = sample.layers["sites"]
    v = sample.layers["villages"]
    weak = v[v.sample_design.str.contains("weak_spot")]
    assert len(weak) >= 2
    t = prof["transform"]
    rows, cols = np.nonzero(pop > 0)
    cx, cy = rasterio.transform.xy(pprof["transform"], rows, cols)
    cx, cy = np.asarray(cx), np.asarray(cy)
    for h in weak.itertuples():
        # The centre: clear line of sight to a site less than 2 km away.
        d = np.hypot(s.geometry.x - h.centre_x, s.geometry.y - h.centre_y)
        near = s[d < 2_000.0]
        assert len(near) and _max_v(dem, t, near.geometry.x, near.geometry.y, 30.0, h.centre_x,
                                    h.centre_y, 1800.0).min() < -0.78
        # At least 30 % of the people live where every site is behind terrain (v > 3).
        inside = shapely.contains_xy(h.geometry, cx, cy)
        w = pop[rows[inside], cols[inside]]
        shadow = np.array([_max_v(dem, t, s.geometry.x, s.geometry.y, 45.0, x, y, 900.0).min()
                           > 3.0 for x, y in zip(cx[inside], cy[inside], strict=True)])
        assert 0.3 <= w[shadow].sum() / w.sum() <= 0.6, (h.name, w[shadow].sum() / w.sum())


def test_max_fresnel_v_single_knife_edge_by_hand() -> None:
    from gis.sample.shadow import max_fresnel_v

    # Flat ground at 0 m, 10 m cells, a 50 m wall 100 m thick (x 4950-5050 m) between a 10 m
    # mast at x = 5 m and a 10 m receiver at x = 9995 m, at 300 MHz (wavelength 0.99931 m).
    # At the wall's edge d1 = 4945 m, d2 = 5045 m: earth bulge (k = 4/3)
    # 4945 * 5045 / (2 * 4/3 * 6 371 000) = 1.4684 m, so h = 50 + 1.4684 - 10 = 41.468 m and
    # v = 41.468 * sqrt(2 / 0.99931 * (1/4945 + 1/5045)) = 1.1740 (ITU-R P.526 eq. 26).
    dem = np.zeros((1, 1000), dtype=np.float32)
    dem[0, 495:505] = 50.0
    v = max_fresnel_v(dem, (0.0, 10.0), 10.0, np.array([5.0]), np.array([5.0]), 10.0, 9995.0,
                      5.0, 300.0, rx_height_m=10.0, n_samples=4000)
    assert v[0] == pytest.approx(1.1740, abs=0.002)
    # No wall: the line of sight clears flat ground by 10 m less the bulge: v < 0.
    flat = np.zeros((1, 1000), dtype=np.float32)
    assert max_fresnel_v(flat, (0.0, 10.0), 10.0, np.array([5.0]), np.array([5.0]), 10.0,
                         9995.0, 5.0, 300.0, rx_height_m=10.0)[0] < 0


def test_spec_rejects_grids_that_break_tiling() -> None:
    from gis.sample.spec import SampleSpec

    with pytest.raises(ValidationError, match="multiple"):
        SampleSpec(grid_m=250.0)
    with pytest.raises(ValidationError, match="positive"):
        SampleSpec(width_m=0.0)


# -- saving ---------------------------------------------------------------------------------

def test_saved_project_small_and_reloads(sample: Project, tmp_path: Path) -> None:
    folder = sample.save(tmp_path / "p")
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    assert size_mb < 20.0
    back = Project.load(folder)
    assert back.name == sample.name and back.crs.to_epsg() == 32648
    assert {k: len(g) for k, g in back.layers.items()} == {
        k: len(g) for k, g in sample.layers.items()}
    assert back.layers["villages"]["name"].tolist() == sample.layers["villages"]["name"].tolist()
    assert set(back.rasters) == {"dem", "population", "landcover"}


def test_cli_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gis.cli import main

    assert main(["sample", "--out", str(tmp_path / "s"), "--seed", "3"]) == 0
    assert (tmp_path / "s" / "project.json").is_file()
    assert "villages" in capsys.readouterr().out


def _to_wgs(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs(32648, 4326, always_xy=True)
    return tr.transform(xy[:, 0], xy[:, 1])
