"""The 3GPP parametric antenna pattern (TR 36.814 Table A.2.1.1-2 / TR 38.901 Table 7.3-1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.radio.antenna import (
    bearing_deg,
    elevation_deg,
    horizontal_gain_db,
    sector_gain_db,
    vertical_gain_db,
    wrap_deg,
)


def test_boresight_is_zero_db():
    assert float(sector_gain_db(120.0, -3.0, azimuth_deg=120.0, tilt_deg=3.0)) == 0.0


def test_half_beamwidth_is_minus_3_db():
    # A_H = -12 (32.5/65)^2 = -12 * 0.25 = -3 dB, on both sides of boresight
    g = horizontal_gain_db(np.array([120.0 + 32.5, 120.0 - 32.5]), 120.0, beamwidth_deg=65.0)
    assert g == pytest.approx([-3.0, -3.0])
    # vertical: 5 deg off a 10 deg beam: -12 * 0.25 = -3 dB
    assert float(vertical_gain_db(-8.0, tilt_deg=3.0, vbeamwidth_deg=10.0)) == pytest.approx(-3.0)


def test_hand_values_off_boresight():
    # 40 deg off a 65 deg beam: -12 (40/65)^2 = -12 * 0.378698 = -4.544379 dB
    assert float(horizontal_gain_db(40.0, 0.0)) == pytest.approx(-4.544379, abs=1e-6)
    # 80 deg off: -12 (80/65)^2 = -18.177515 dB (< A_m = 25)
    assert float(horizontal_gain_db(280.0, 0.0)) == pytest.approx(-18.177515, abs=1e-6)


def test_back_lobe_is_front_to_back():
    assert float(horizontal_gain_db(300.0, 120.0, front_to_back_db=25.0)) == -25.0
    assert float(horizontal_gain_db(300.0, 120.0, front_to_back_db=30.0)) == -30.0
    # the combined pattern is capped at A_m even when A_H + A_V is lower
    assert float(sector_gain_db(300.0, -60.0, azimuth_deg=120.0, tilt_deg=0.0)) == -25.0


def test_vertical_side_lobe_floor():
    assert float(vertical_gain_db(-60.0, tilt_deg=0.0, sla_v_db=20.0)) == -20.0


def test_azimuth_wraps_around_north():
    # sector at 350 deg, receiver at 10 deg: 20 deg off, -12 (20/65)^2 = -1.136095 dB
    assert float(horizontal_gain_db(10.0, 350.0)) == pytest.approx(-1.136095, abs=1e-6)
    assert wrap_deg(np.array([190.0, -190.0, 360.0])).tolist() == [-170.0, 170.0, 0.0]


@pytest.mark.parametrize("tilt", [0.0, 3.0, 6.0, 10.0])
def test_tilt_moves_the_vertical_maximum(tilt):
    elev = np.linspace(-30.0, 10.0, 4001)  # 0.01 deg steps
    g = vertical_gain_db(elev, tilt_deg=tilt)
    assert elev[np.argmax(g)] == pytest.approx(-tilt, abs=0.006)
    assert g.max() == 0.0


@pytest.mark.parametrize("azimuth", [0.0, 45.0, 120.0, 240.0, 359.0])
def test_sector_points_where_its_azimuth_says(azimuth):
    directions = np.arange(0.0, 360.0, 0.5)
    g = sector_gain_db(directions, 0.0, azimuth_deg=azimuth, tilt_deg=0.0)
    assert directions[np.argmax(g)] == pytest.approx(azimuth % 360.0, abs=0.26)


def test_omni_is_flat_in_azimuth():
    directions = np.arange(0.0, 360.0, 10.0)
    assert np.all(horizontal_gain_db(directions, np.nan) == 0.0)
    assert np.all(horizontal_gain_db(directions, 90.0, beamwidth_deg=360.0) == 0.0)
    g = sector_gain_db(directions, -2.0, azimuth_deg=np.nan, tilt_deg=2.0)
    assert np.all(g == 0.0)


def test_pattern_arrays_broadcast_per_sector():
    # three sectors (rows) against 4 receivers (columns)
    az = np.array([0.0, 120.0, 240.0])[:, None]
    rx_az = np.array([0.0, 120.0, 240.0, 60.0])[None, :]
    g = sector_gain_db(rx_az, 0.0, azimuth_deg=az)
    assert g.shape == (3, 4)
    assert np.diag(g[:, :3]).tolist() == [0.0, 0.0, 0.0]
    # 60 deg is 60 deg off the 0 and 120 sectors: -12 (60/65)^2 = -10.224852 dB
    assert g[0, 3] == pytest.approx(-10.224852, abs=1e-6)
    assert g[1, 3] == pytest.approx(-10.224852, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 360), st.floats(-90, 90), st.floats(0, 360), st.floats(-10, 15))
def test_gain_is_between_minus_am_and_zero(rx_az, rx_el, az, tilt):
    g = float(sector_gain_db(rx_az, rx_el, azimuth_deg=az, tilt_deg=tilt))
    assert -25.0 <= g <= 0.0


def test_bearing_and_elevation():
    assert bearing_deg([0.0, 1.0, 0.0, -1.0, 1.0], [1.0, 0.0, -1.0, 0.0, 1.0]).tolist() == \
        [0.0, 90.0, 180.0, 270.0, 45.0]
    # 34.5 m below at 1 km: atan(0.0345) = 0.0345 - 0.0345^3/3 = 0.03448631 rad = 1.975921 deg
    assert float(elevation_deg(-34.5, 1000.0)) == pytest.approx(-1.975921, abs=1e-6)
