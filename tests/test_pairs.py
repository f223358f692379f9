"""Sparse link prediction (gis.radio.pairs) against the dense reference point_rsrp_dbm.

The reference is :func:`gis.radio.coverage.point_rsrp_dbm`, which computes every transmitter x
receiver combination; the pair predictor must give the same signal on every pair it is asked
about (1e-9 dB), over hilly synthetic terrain, with several heights, carriers and powers.
"""

import numpy as np
import pytest
from rasterio.transform import from_origin

from gis.errors import ValidationError
from gis.radio.coverage import point_rsrp_dbm
from gis.radio.pairs import pair_rsrp_dbm, pairs_within
from gis.radio.params import RadioParams
from gis.sample.terrain import synthetic_dem

X0, Y0, SIZE, RES = 560_010.0, 2_200_020.0, 24_000.0, 30.0


@pytest.fixture(scope="module")
def hills():
    dem = synthetic_dem((X0, Y0, X0 + SIZE, Y0 + SIZE), RES, 7).astype(np.float32)
    assert dem.max() - dem.min() > 200.0  # real relief, so the terrain term matters
    return dem, from_origin(X0, Y0 + SIZE, RES, RES)


def _points(rng, n):
    return np.column_stack([X0 + rng.random(n) * SIZE, Y0 + rng.random(n) * SIZE])


def test_pairs_within_is_the_brute_force_set_in_canonical_order():
    rng = np.random.default_rng(3)
    tx, rx = _points(rng, 60), _points(rng, 90)
    ti, ri = pairs_within(tx, rx, 5_000.0)
    d = np.hypot(tx[:, None, 0] - rx[None, :, 0], tx[:, None, 1] - rx[None, :, 1])
    want_t, want_r = np.nonzero(d <= 5_000.0)
    order = np.lexsort((want_t, want_r))
    np.testing.assert_array_equal(ti, want_t[order])
    np.testing.assert_array_equal(ri, want_r[order])
    assert ti.dtype == np.int64 and ri.dtype == np.int64
    e_t, e_r = pairs_within(tx[:0], rx, 5_000.0)
    assert len(e_t) == len(e_r) == 0


@pytest.mark.parametrize("diffraction", ["bullington", "deygout"])
def test_pair_signal_equals_the_dense_reference_on_every_pair(hills, diffraction):
    dem, tr = hills
    rng = np.random.default_rng(11)
    tx, rx = _points(rng, 25), _points(rng, 120)
    height = rng.uniform(15.0, 60.0, len(tx))
    freq = rng.choice([900.0, 1800.0, 2100.0], len(tx))
    eirp = rng.uniform(55.0, 64.0, len(tx))
    radio = RadioParams(diffraction=diffraction)
    dense = point_rsrp_dbm(tx, height, freq, eirp, rx, dem, tr, radio)
    ti, ri = pairs_within(tx, rx, 10_000.0)
    got = pair_rsrp_dbm(tx, height, freq, eirp, rx, dem, tr, radio, tx_index=ti, rx_index=ri)
    want = dense[ti, ri]
    # every pair of the dense matrix within the radius is one of ours
    assert np.isfinite(want).sum() == np.isfinite(dense).sum()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert np.nanmax(want) - np.nanmin(want) > 60.0  # strong and shadowed pairs both present


def test_flat_terrain_and_row_aligned_pairs():
    rng = np.random.default_rng(5)
    tx, rx = _points(rng, 30), _points(rng, 30)
    dense = point_rsrp_dbm(tx, 36.0, 1800.0, 61.0, rx, None, None)
    got = pair_rsrp_dbm(tx, 36.0, 1800.0, 61.0, rx, None, None)  # pair p = (tx p, rx p)
    np.testing.assert_allclose(got, np.diagonal(dense), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(np.diagonal(dense)))


def test_floor_skips_only_pairs_that_cannot_reach_it(hills):
    dem, tr = hills
    rng = np.random.default_rng(8)
    tx, rx = _points(rng, 30), _points(rng, 200)
    ti, ri = pairs_within(tx, rx, 10_000.0)
    exact = pair_rsrp_dbm(tx, 36.0, 1800.0, 61.0, rx, dem, tr, tx_index=ti, rx_index=ri)
    floored = pair_rsrp_dbm(tx, 36.0, 1800.0, 61.0, rx, dem, tr, tx_index=ti, rx_index=ri,
                            floor_dbm=-110.0)
    reached = exact >= -110.0
    assert 0 < reached.sum() < len(exact)
    # every pair at or above the floor gets exactly its signal; the skipped ones are below it
    np.testing.assert_array_equal(floored[reached], exact[reached])
    skipped = np.isneginf(floored)
    assert skipped.sum() > len(exact) // 2  # most weak pairs are never profiled
    assert (exact[skipped] < -110.0).all()
    assert not (floored[~reached] >= -110.0).any()


def test_beyond_the_radius_is_nan():
    tx = np.array([[X0, Y0]])
    rx = np.array([[X0 + 3_000.0, Y0], [X0 + 12_000.0, Y0]])
    out = pair_rsrp_dbm(tx, 30.0, 1800.0, 61.0, rx, None, None,
                        tx_index=np.array([0, 0]), rx_index=np.array([0, 1]))
    assert np.isfinite(out[0]) and np.isnan(out[1])  # 4G radius 10 km


def test_bad_pair_arrays_are_clear_errors():
    tx, rx = np.zeros((2, 2)), np.zeros((3, 2))
    with pytest.raises(ValidationError, match="Row-aligned"):
        pair_rsrp_dbm(tx, 30.0, 1800.0, 61.0, rx, None, None)
    with pytest.raises(ValidationError, match="rx_index must hold"):
        pair_rsrp_dbm(tx, 30.0, 1800.0, 61.0, rx, None, None, tx_index=np.array([0]),
                      rx_index=np.array([3]))
    with pytest.raises(ValidationError, match="tx_height_m has 3"):
        pair_rsrp_dbm(tx, [30.0, 30.0, 30.0], 1800.0, 61.0, rx, None, None,
                      tx_index=np.array([0]), rx_index=np.array([0]))


def test_float32_dem_and_gaps_give_the_engine_values(hills):
    from gis.radio.pairs import prepare_dem

    dem, tr = hills
    holed = dem.copy()
    holed[300:320, 300:340] = np.nan  # a gap: 0 m, as the coverage engine takes it
    rng = np.random.default_rng(2)
    tx, rx = _points(rng, 12), _points(rng, 60)
    ti, ri = pairs_within(tx, rx, 10_000.0)
    want = point_rsrp_dbm(tx, 30.0, 1800.0, 61.0, rx, holed.astype(np.float64), tr)[ti, ri]
    for grid in (holed, holed.astype(np.float64), prepare_dem(holed)):
        got = pair_rsrp_dbm(tx, 30.0, 1800.0, 61.0, rx, grid, tr, tx_index=ti, rx_index=ri)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert prepare_dem(holed).dtype == np.float32
    ready = prepare_dem(dem)
    assert prepare_dem(ready) is ready  # prepared once, never copied again
