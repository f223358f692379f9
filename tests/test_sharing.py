"""Sharing analyses on hand-built cases, with a small geometric link model.

The model: free-space loss (32.45 + 20 log10 f_MHz + 20 log10 d_km) when the straight line from the
antenna to the receiver (1.5 m) clears a wall at x = 1000 m that is 40 m high; no signal otherwise.
So a tower west of the wall reaches a hamlet east of it only when it is tall enough, which the
tests compute by hand with similar triangles.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from gis.analysis.positions import site_positions
from gis.analysis.sharing import (
    Antenna,
    colocation_opportunities,
    consolidation_candidates,
    propose_towers,
    sharing_rate_if_taken,
)

WALL_X, WALL_H, RX_H = 1000.0, 40.0, 1.5
ANT = Antenna(freq_mhz=1000.0, eirp_dbm=40.0, threshold_dbm=-72.45, max_radius_m=20_000)
# FSPL(1000 MHz, d) = 92.45 + 20 log10(d_km): the threshold is met out to exactly 10 km.


def wall_model(tx_xy, tx_h, rx_xy, antenna):
    tx_xy, rx_xy, tx_h = np.asarray(tx_xy, float), np.asarray(rx_xy, float), np.asarray(tx_h)
    d = np.hypot(*(tx_xy - rx_xy).T)
    fspl = 32.45 + 20 * np.log10(antenna.freq_mhz) + 20 * np.log10(np.maximum(d, 1) / 1000)
    x0, x1 = tx_xy[:, 0], rx_xy[:, 0]
    crosses = (x0 - WALL_X) * (x1 - WALL_X) < 0
    t = np.where(crosses, (WALL_X - x0) / np.where(x1 != x0, x1 - x0, 1), 0)
    ray_h = tx_h + t * (RX_H - tx_h)
    blocked = crosses & (ray_h <= WALL_H)
    return np.where(blocked, -np.inf, antenna.eirp_dbm - fspl)


def test_wall_model_by_hand():
    # A 45 m tower at x=0 and a receiver at x=2000: the ray is at 45 + 0.5 (1.5 - 45) = 23.25 m
    # over the wall: blocked. An 81 m tower: 81 + 0.5 (1.5 - 81) = 41.25 m: clear.
    tx = np.array([[0.0, 0.0], [0.0, 0.0]])
    rx = np.array([[2000.0, 0.0], [2000.0, 0.0]])
    out = wall_model(tx, np.array([45.0, 81.0]), rx, ANT)
    assert out[0] == -np.inf
    assert out[1] == pytest.approx(40 - (92.45 + 20 * np.log10(2.0)))


def _positions(rows):
    sites = gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "xy"} for r in rows],
                             geometry=[Point(*r["xy"]) for r in rows], crs=32648)
    return site_positions(sites)[0]


def test_opportunity_exists_only_because_the_host_is_tall_enough():
    # Hamlets east of the wall at x = 2000; Viettel does not cover them, MobiFone does.
    positions = _positions([
        {"xy": (0, 0), "operator": "MobiFone", "height_m": 81.0},      # tall: clears the wall
        {"xy": (0, 3000), "operator": "VinaPhone", "height_m": 45.0},  # short: blocked
        {"xy": (500, 0), "operator": "Viettel", "height_m": 30.0},
    ])
    hamlets = np.array([[2000.0, 0.0], [2000.0, 3000.0]])
    pop = np.array([500.0, 300.0])
    covered = pd.DataFrame({"Viettel": [False, False], "MobiFone": [True, True],
                            "VinaPhone": [False, True]})
    opp = colocation_opportunities(positions, hamlets, pop, covered,
                                   {"Viettel": ANT, "VinaPhone": ANT}, wall_model)
    viettel = opp[opp["operator"] == "Viettel"]
    # Only the tall MobiFone tower helps Viettel; from (0, 0) at 81 m the hamlet at (2000, 3000)
    # is 3.6 km away and the ray meets the wall at 81 + 0.5 (1.5 - 81) = 41.25 m: clear too.
    assert list(viettel["host_position_id"]) == ["P00001"]
    assert viettel["population_gained"].iloc[0] == 800.0
    # VinaPhone needs hamlet 0: the MobiFone tower serves it; Viettel's own 30 m tower cannot.
    vina = opp[opp["operator"] == "VinaPhone"]
    assert list(vina["host_position_id"]) == ["P00001"]
    assert list(vina["hamlet_index"].iloc[0]) == [0]

    rate, taken = sharing_rate_if_taken(positions, opp, top=5)
    # Taking both puts Viettel and VinaPhone on P00001: 1 shared position of 3.
    assert rate == pytest.approx(1 / 3)
    assert len(taken) == 2


def test_consolidation_keeps_the_tower_that_serves_everyone():
    positions = _positions([
        {"xy": (0, 0), "operator": "Viettel", "height_m": 81.0},
        {"xy": (300, 0), "operator": "MobiFone", "height_m": 30.0},
        {"xy": (5000, 5000), "operator": "VinaPhone", "height_m": 30.0},
    ])
    # Hamlets west of the wall only: both towers reach them; the 81 m tower can carry MobiFone.
    hamlets = np.array([[-2000.0, 0.0], [500.0, 500.0]])
    out = consolidation_candidates(positions, hamlets, {"Viettel": ANT, "MobiFone": ANT},
                                   wall_model, urban=np.zeros(3, bool))
    assert len(out) == 1
    assert out["keep_position_id"].iloc[0] == "P00001"
    assert out["remove_position_ids"].iloc[0] == "P00002"
    # In town the limit is 100 m: the 300 m pair is not a group.
    assert consolidation_candidates(positions, hamlets, {"Viettel": ANT, "MobiFone": ANT},
                                    wall_model, urban=np.ones(3, bool)).empty


def test_consolidation_refused_when_a_hamlet_would_be_lost():
    # MobiFone's 81 m tower reaches the hamlet east of the wall, Viettel's 30 m tower does not:
    # keeping the short tower would lose the hamlet, so only the tall one can be the keeper.
    positions = _positions([
        {"xy": (0, 0), "operator": "Viettel", "height_m": 30.0},
        {"xy": (200, 0), "operator": "MobiFone", "height_m": 81.0},
    ])
    hamlets = np.array([[2500.0, 0.0]])
    out = consolidation_candidates(positions, hamlets, {"Viettel": ANT, "MobiFone": ANT},
                                   wall_model, urban=np.zeros(2, bool))
    assert out["keep_position_id"].tolist() == ["P00002"]


def test_new_towers_fewest_cover_and_unreachable_reported():
    # Candidates along y = 0 every 5 km, 10 km reach: the hamlet at -9 km needs the tower at 0,
    # and the one at 14 km needs a second tower. A hamlet 50 km away cannot be reached.
    candidates = np.array([[x, 0.0] for x in (0, 5000, 10000, 15000)])
    hamlets = np.array([[-9000.0, 0.0], [9000.0, 0.0], [14000.0, 0.0], [50000.0, 0.0]])
    pop = np.array([100.0, 200.0, 300.0, 50.0])
    chosen, assign, uncoverable, method = propose_towers(
        candidates, hamlets, pop, ANT, wall_model, height_m=100.0)
    assert method == "exact"
    assert len(chosen) == 2 and 0 in chosen        # only the tower at 0 reaches x = -9 km
    assert list(uncoverable) == [3]
    assert (assign[:3] >= 0).all() and assign[3] == -1
    # With one tower allowed, the best is the one covering the most people.
    chosen1, *_ = propose_towers(candidates, hamlets, pop, ANT, wall_model, height_m=100.0,
                                 max_towers=1)
    # Towers at 5, 10 or 15 km each reach the hamlets at 9 and 14 km (500 people); the one at
    # 0 km reaches -9 and 9 km (300 people).
    assert len(chosen1) == 1 and chosen1[0] in (1, 2, 3)


def test_zoning_excludes_candidates_and_marks_a1_zones():
    from shapely.geometry import box

    from gis.analysis.sharing import apply_zoning

    zones = gpd.GeoDataFrame({"rule": ["no_new_tower", "a1_only"]},
                             geometry=[box(-100, -100, 100, 100), box(900, -100, 1100, 100)],
                             crs=32648)
    cand = np.array([[0.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
    allowed, a1 = apply_zoning(cand, zones)
    assert list(allowed) == [False, True, True]
    assert list(a1) == [False, True, False]
    allowed, a1 = apply_zoning(cand, None)
    assert allowed.all() and not a1.any()


def test_zone_rules_read_from_vietnamese_values(tmp_path):
    from shapely.geometry import box

    from gis.layers.read import read_layer

    path = tmp_path / "vung_han_che.geojson"
    gpd.GeoDataFrame({"Tên vùng": ["Khu di tích", "Phố đi bộ"],
                      "Quy định": ["Cấm xây dựng cột mới", "Chỉ cột A1 (không cồng kềnh)"]},
                     geometry=[box(105.80, 20.28, 105.81, 20.29), box(105.82, 20.28, 105.83, 20.29)],
                     crs=4326).to_file(path, driver="GeoJSON")
    zones = read_layer(path, "zones").gdf
    assert list(zones["rule"]) == ["no_new_tower", "a1_only"]
    assert list(zones["name"]) == ["Khu di tích", "Phố đi bộ"]


# -- sparse neighbourhoods (issue 17) --------------------------------------------------------

def _dense_reach(tx_xy, tx_h, rx_xy, antenna):
    """Reference: every transmitter x receiver pair through the model, then the threshold."""
    t, r = np.meshgrid(np.arange(len(tx_xy)), np.arange(len(rx_xy)), indexing="ij")
    t, r = t.ravel(), r.ravel()
    d = np.hypot(*(tx_xy[t] - rx_xy[r]).T)
    ok = (d <= antenna.max_radius_m) & (wall_model(tx_xy[t], tx_h[t], rx_xy[r], antenna)
                                        >= antenna.threshold_dbm)
    return t[ok], r[ok]


@pytest.mark.parametrize("block", [1, 7, 512])
def test_reach_pairs_equal_the_dense_reference_whatever_the_block(block):
    from gis.analysis.sharing import reach_pairs

    rng = np.random.default_rng(4)
    tx = np.column_stack([rng.uniform(-15e3, 5e3, 40), rng.uniform(-8e3, 8e3, 40)])
    rx = np.column_stack([rng.uniform(-15e3, 15e3, 70), rng.uniform(-8e3, 8e3, 70)])
    h = rng.uniform(20, 90, 40)
    got = reach_pairs(wall_model, tx, h, rx, ANT, rx_block=block)
    want_t, want_r = _dense_reach(tx, h, rx, ANT)
    order = np.lexsort((want_t, want_r))  # canonical: receiver, then transmitter
    np.testing.assert_array_equal(got.tx, want_t[order])
    np.testing.assert_array_equal(got.rx, want_r[order])
    np.testing.assert_allclose(got.rsrp_dbm, wall_model(tx[got.tx], h[got.tx], rx[got.rx], ANT))
    assert 0 < len(got) < len(tx) * len(rx)  # the wall blocks some pairs, the radius others


def test_opportunities_equal_a_dense_reference_and_ties_follow_position_order():
    rng = np.random.default_rng(9)
    n_pos = 30
    xy = np.column_stack([rng.uniform(-6e3, 900, n_pos), rng.uniform(-5e3, 5e3, n_pos)])
    # Two far-away MobiFone towers, each reaching one hamlet of 500 people: a tie.
    xy[7], xy[21] = (-40_000.0, 0.0), (-40_000.0, 30_000.0)
    ops = rng.choice(["MobiFone", "VinaPhone", "Vietnamobile"], n_pos)
    ops[7] = ops[21] = "MobiFone"
    positions = _positions([{"xy": tuple(p), "operator": o, "height_m": 50.0}
                            for p, o in zip(xy, ops, strict=True)])
    twins = [int(np.flatnonzero(np.isclose(positions.geometry.x, -40_000.0)
                                & np.isclose(positions.geometry.y, y))[0]) for y in (0, 30_000)]
    hamlets = np.column_stack([rng.uniform(-20e3, 3e3, 80), rng.uniform(-6e3, 6e3, 80)])
    hamlets = np.vstack([hamlets, [[-41_000.0, 0.0], [-41_000.0, 30_000.0]]])
    pop = np.r_[rng.integers(50, 900, 80), 500, 500].astype(float)
    covered = pd.DataFrame({"Viettel": np.r_[rng.random(80) < 0.3, False, False],
                            "VinaPhone": np.r_[rng.random(80) < 0.5, True, True]})
    antennas = {"Viettel": ANT, "VinaPhone": ANT}
    got = colocation_opportunities(positions, hamlets, pop, covered, antennas, wall_model,
                                   default_height_m=30.0)
    # reference: per operator, the dense host x hamlet matrix
    pxy = np.column_stack([positions.geometry.x, positions.geometry.y])
    ph = positions["height_m"].to_numpy(float)
    rows = []
    for op, ant in antennas.items():
        hosts = np.flatnonzero([op not in s.split("/") for s in positions["operators"]])
        need = np.flatnonzero(~covered[op].to_numpy())
        t, r = _dense_reach(pxy[hosts], ph[hosts], hamlets[need], ant)
        for host in np.unique(hosts[t]):
            idx = np.sort(need[r[hosts[t] == host]])
            rows.append((op, int(host), idx.tolist(), float(pop[idx].sum())))
    rows.sort(key=lambda x: (-x[3], -len(x[2]), list(antennas).index(x[0]), x[1]))
    assert [(r.operator, r.host_index, r.hamlet_index, r.population_gained)
            for r in got.itertuples()] == rows
    tie = got[got["host_index"].isin(twins) & (got["operator"] == "Viettel")]
    assert list(tie["host_index"]) == sorted(twins)                   # position order
    assert list(tie["population_gained"]) == [500.0, 500.0]
    assert list(tie["hamlet_index"]) == [[80], [81]]


@pytest.mark.slow
def test_siting_memory_grows_with_the_pairs_not_with_candidates_times_hamlets():
    import tracemalloc

    # 40,000 candidates and 10,000 hamlets over 300 km x 300 km, 3 km reach: about 130,000
    # pairs. A dense float64 candidates x hamlets matrix would be 3.2 GB.
    rng = np.random.default_rng(2)
    hamlets = np.column_stack([g.ravel() for g in np.meshgrid(np.arange(100) * 3000.0,
                                                              np.arange(100) * 3000.0)])
    cand = rng.uniform(0, 300_000.0, (40_000, 2))
    ant = Antenna(freq_mhz=1000.0, eirp_dbm=40.0, threshold_dbm=-90.0, max_radius_m=3000.0)

    def free_space(tx_xy, tx_h, rx_xy, antenna):
        d = np.maximum(np.hypot(*(np.asarray(tx_xy) - np.asarray(rx_xy)).T), 1.0)
        return antenna.eirp_dbm - (32.45 + 20 * np.log10(antenna.freq_mhz * d / 1000))

    tracemalloc.start()
    chosen, assign, uncoverable, method = propose_towers(
        cand, hamlets, np.ones(len(hamlets)), ant, free_space, height_m=36.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert method == "greedy"
    # 40 - (92.45 + 20 log10 d_km) >= -90 holds out to 10^(37.55 / 20) = 75 km: the 3 km radius
    # alone decides, so a hamlet is coverable exactly when a candidate lies within 3 km.
    d = np.hypot(*(cand[chosen][assign[assign >= 0]] - hamlets[assign >= 0]).T)
    assert (d <= 3000.0).all()
    far = _nearest_m(cand, hamlets) > 3000.0
    np.testing.assert_array_equal(np.sort(uncoverable), np.flatnonzero(far))
    assert (assign[~far] >= 0).all()
    assert peak < 60e6, f"peak {peak / 1e6:.0f} MB: a dense matrix crept back in"


def _nearest_m(tx, rx):
    from scipy.spatial import cKDTree

    return cKDTree(tx).query(rx)[0]


def test_terrain_predictor_answers_as_the_dense_engine_predictor():
    from rasterio.transform import from_origin

    from gis.analysis.sharing import terrain_link_predictor
    from gis.radio.coverage import point_rsrp_dbm
    from gis.radio.params import RadioParams
    from gis.sample.terrain import synthetic_dem

    x0, y0, size = 560_010.0, 2_200_020.0, 19_980.0
    dem = synthetic_dem((x0, y0, x0 + size, y0 + size), 30.0, 5).astype(np.float32)
    tr = from_origin(x0, y0 + size, 30.0, 30.0)
    rng = np.random.default_rng(1)
    tx = np.column_stack([x0 + rng.random(300) * size, y0 + rng.random(300) * size])
    rx = np.clip(tx + rng.uniform(-6000, 6000, (300, 2)), [x0, y0], [x0 + size, y0 + size])
    h = rng.uniform(20, 50, 300)
    radio = RadioParams()
    ant = Antenna(freq_mhz=1800.0, eirp_dbm=61.0, threshold_dbm=-110.0, max_radius_m=10_000.0)
    # the dense engine predictor of the first version, pair by pair from the full matrix
    dense = point_rsrp_dbm(tx, h, ant.freq_mhz, ant.eirp_dbm, rx, dem, tr, radio,
                           max_radius_m=ant.max_radius_m)
    old = np.diagonal(dense).copy()
    old[~np.isfinite(old)] = -np.inf
    new = terrain_link_predictor(dem, tr, radio)(tx, h, rx, ant)
    reach = old >= ant.threshold_dbm
    assert 10 < reach.sum() < 280
    np.testing.assert_array_equal(new >= ant.threshold_dbm, reach)
    np.testing.assert_allclose(new[reach], old[reach], rtol=0, atol=1e-9)
