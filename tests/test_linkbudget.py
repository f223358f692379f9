"""Link budget: subcarrier counts from the 3GPP tables, per-tech signals, RSRP by hand."""

from __future__ import annotations

import pytest

from gis.errors import ValidationError
from gis.radio.linkbudget import (
    eirp_dbm,
    n_resource_blocks,
    n_subcarriers,
    received_signal_dbm,
    rsrp_dbm,
    signal_offset_db,
)


@pytest.mark.parametrize(
    ("tech", "bw", "scs", "n_sc"),
    [
        ("4G", 20.0, None, 1200),   # TS 36.101 Table 5.6-1: 100 RB
        ("4G", 10.0, None, 600),    # 50 RB
        ("4G", 1.4, None, 72),      # 6 RB
        ("5G", 100.0, 30, 3276),    # TS 38.101-1 Table 5.3.2-1: 273 RB
        ("5G", 20.0, 15, 1272),     # 106 RB
        ("5G", 40.0, 30, 1272),     # 106 RB
        ("5G", 100.0, 60, 1620),    # 135 RB
    ],
)
def test_subcarriers_from_the_3gpp_tables(tech, bw, scs, n_sc):
    assert n_subcarriers(tech, bw, scs) == n_sc
    assert n_resource_blocks(tech, bw, scs) * 12 == n_sc


def test_unknown_bandwidth_lists_the_valid_ones():
    with pytest.raises(ValidationError, match=r"1\.4, 3, 5, 10, 15, 20"):
        n_subcarriers("4G", 12.0)
    with pytest.raises(ValidationError, match="15, 30, 60"):
        n_subcarriers("5G", 100.0, 120)
    with pytest.raises(ValidationError):
        n_resource_blocks("3G", 5.0)


def test_signal_offsets_per_tech():
    assert signal_offset_db("2G", 0.2) == 0.0            # RxLev: the whole BCCH carrier
    assert signal_offset_db("3G", 5.0) == -10.0          # CPICH = 10 % of the carrier power
    assert signal_offset_db("3G", 5.0, cpich_fraction_db=-13.0) == -13.0
    # 10 log10(1200) = 30.791812; 10 log10(3276) = 35.153439
    assert signal_offset_db("4G", 20.0) == pytest.approx(-30.791812, abs=1e-6)
    assert signal_offset_db("5G", 100.0, 30) == pytest.approx(-35.153439, abs=1e-6)


def test_eirp():
    # 40 W = 46 dBm, 17 dBi, 2 dB feeder: 61 dBm
    assert float(eirp_dbm(46.0, 17.0, 2.0)) == 61.0


def test_rsrp_by_hand():
    # 61 dBm EIRP over 1200 subcarriers: 61 - 30.791812 = 30.208188 dBm per RE at boresight;
    # -3 dB pattern, 0 dBi rx, 130 dB path, 3 dB body, 10 dB penetration, 6 dB clutter:
    # 30.208188 - 3 - 130 - 3 - 10 - 6 = -121.791812 dBm
    value = rsrp_dbm(61.0, 1200, 130.0, antenna_gain_db=-3.0, body_loss_db=3.0,
                     penetration_loss_db=10.0, clutter_loss_db=6.0)
    assert float(value) == pytest.approx(-121.791812, abs=1e-6)


def test_rsrp_is_received_signal_with_the_4g_offset():
    a = rsrp_dbm(61.0, 1200, [120.0, 140.0], rx_gain_dbi=2.0)
    b = received_signal_dbm(61.0, [120.0, 140.0], signal_offset_db=signal_offset_db("4G", 20.0),
                            rx_gain_dbi=2.0)
    assert a == pytest.approx(b)
    # 61 - 30.791812 + 2 - 120 = -87.791812
    assert a[0] == pytest.approx(-87.791812, abs=1e-6)


def test_rscp_and_rxlev_by_hand():
    # 3G: 58 dBm carrier EIRP, CPICH -10 dB, 140 dB path loss: RSCP = 58 - 10 - 140 = -92 dBm
    assert float(received_signal_dbm(58.0, 140.0, signal_offset_db=-10.0)) == -92.0
    # 2G: 56 dBm BCCH EIRP, 150 dB path loss, -5 dB pattern: RxLev = 56 - 5 - 150 = -99 dBm
    assert float(received_signal_dbm(56.0, 150.0, antenna_gain_db=-5.0)) == -99.0
