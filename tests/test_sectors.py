"""Sector expansion: sites layer -> one row per transmitter, with every default reported."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.errors import CRSError, ValidationError
from gis.radio.params import RadioParams
from gis.radio.sectors import TX_COLUMNS, expand_sectors, parse_band_mhz, parse_techs

UTM48 = 32648


def _sites(n: int | None = None, crs=UTM48, **cols) -> gpd.GeoDataFrame:
    n = n if n is not None else len(next(iter(cols.values())))
    x = 500_000.0 + 1000.0 * np.arange(n)
    y = np.full(n, 2_300_000.0)
    return gpd.GeoDataFrame(cols, geometry=shapely.points(x, y), crs=crs)


def test_one_site_row_without_azimuth_becomes_three_sectors():
    tx, defaults = expand_sectors(_sites(operator=["Viettel"], site_id=["VT001"], tech=["4G"],
                                         height_m=[40.0]))
    assert list(tx.columns) == TX_COLUMNS
    assert tx["azimuth_deg"].tolist() == [0.0, 120.0, 240.0]
    assert set(tx["site_id"]) == {"VT001"} and set(tx["tech"]) == {"4G"}
    assert tx["height_m"].tolist() == [40.0] * 3
    assert tx["freq_mhz"].tolist() == [1800.0] * 3
    assert tx["beamwidth_deg"].tolist() == [65.0] * 3
    assert tx["eirp_dbm"].tolist() == [61.0] * 3
    assert tx["n_subcarriers"].tolist() == [1200.0] * 3
    assert tx["model"].tolist() == ["cost231_hata"] * 3
    assert tx[["x", "y"]].iloc[0].tolist() == [500_000.0, 2_300_000.0]
    assert "1 site rows without azimuth: assumed 3 sectors at 0/120/240°." in defaults


def test_rows_with_azimuth_are_the_sectors_of_their_site():
    sites = _sites(operator=["MobiFone"] * 2, site_id=["MF9", "MF9"], tech=["4G", "4G"],
                   azimuth_deg=[30.0, 370.0], tilt_deg=[5.0, np.nan], eirp_dbm=[58.0, np.nan])
    tx, defaults = expand_sectors(sites)
    assert len(tx) == 2
    assert tx["azimuth_deg"].tolist() == [30.0, 10.0]   # 370 wrapped to 10
    assert tx["tilt_deg"].tolist() == [5.0, 3.0]
    assert tx["eirp_dbm"].tolist() == [58.0, 61.0]
    assert tx["row"].tolist() == [0, 1]
    assert "1 site rows without tilt: technology default." in defaults
    assert not any("azimuth" in d for d in defaults)


def test_multi_tech_row_one_transmitter_per_tech_at_its_band():
    tx, defaults = expand_sectors(_sites(operator=["VinaPhone"], tech=["2G/3G/4G"],
                                         azimuth_deg=[90.0], freq_mhz=[1800.0]))
    assert tx["tech"].tolist() == ["2G", "3G", "4G"]
    assert tx["freq_mhz"].tolist() == [900.0, 2100.0, 1800.0]
    assert tx["signal"].tolist() == ["rxlev", "rscp", "rsrp"]
    assert tx["signal_offset_db"].tolist()[:2] == [0.0, -10.0]
    assert tx["model"].tolist() == ["okumura_hata", "cost231_hata", "cost231_hata"]
    assert any("multi-technology" in d for d in defaults)
    assert tx["site_id"].tolist() == ["site_1"] * 3


def test_single_tech_row_frequency_and_band():
    sites = _sites(operator=["Viettel", "Viettel", "Viettel", "MobiFone"],
                   tech=["4G", "4G", "5G", "5G"], azimuth_deg=[0.0] * 4,
                   freq_mhz=[2100.0, np.nan, np.nan, np.nan], band=[None, "B8", None, None])
    tx, _ = expand_sectors(sites)
    # file freq, band B8 = 900 MHz, Viettel's 5G lot (2500-2600 MHz), MobiFone's (3800-3900)
    assert tx["freq_mhz"].tolist() == [2100.0, 900.0, 2550.0, 3850.0]
    assert tx["model"].tolist() == ["cost231_hata", "okumura_hata", "rma", "rma"]
    assert tx["n_subcarriers"].tolist()[2:] == [3276.0, 3276.0]
    # 900 MHz carriers are computed to 15 km, the others to their tech's radius
    assert tx["max_radius_m"].tolist() == [10_000.0, 15_000.0, 6_000.0, 6_000.0]


def test_heights_by_structure_and_default_are_reported():
    sites = _sites(operator=["Viettel"] * 4, azimuth_deg=[0.0] * 4,
                   height_m=[np.nan, np.nan, np.nan, 25.0],
                   structure=["A2b", "A1", "cột lạ", "A2b"])
    tx, defaults = expand_sectors(sites)
    assert tx["height_m"].tolist() == [36.0, 12.0, 30.0, 25.0]
    assert "1 site rows without height: A2b default 36 m." in defaults
    assert "1 site rows without height: A1 default 12 m." in defaults
    assert any("'cột lạ'" in d and "30 m" in d for d in defaults)
    assert "4 site rows without technology: assumed 4G." in defaults


def test_omni_and_position_id_pass_through():
    tx, defaults = expand_sectors(_sites(operator=["Gmobile"], beamwidth_deg=[360.0],
                                         position_id=["P7"]))
    assert len(tx) == 1 and np.isnan(tx["azimuth_deg"].iloc[0])
    assert tx["position_id"].tolist() == ["P7"]
    assert any("omni" in d for d in defaults)


def test_vietnamese_messages():
    _, defaults = expand_sectors(_sites(operator=["Viettel"]), lang="vi")
    assert "1 dòng trạm thiếu góc phương vị: giả định 3 sector ở 0/120/240°." in defaults
    # by default each is English carrying its Vietnamese: a run's defaults_vi and the
    # Vietnamese report read them in Vietnamese
    _, both = expand_sectors(_sites(operator=["Viettel"]))
    assert "1 site rows without azimuth: assumed 3 sectors at 0/120/240°." in both
    assert [d.vi for d in both] == defaults


def test_custom_default_sectors():
    params = RadioParams(default_azimuths_deg=(60.0, 180.0, 300.0, 360.0))
    tx, _ = expand_sectors(_sites(operator=["Viettel"], tech=["4G"]), params)
    assert tx["azimuth_deg"].tolist() == [60.0, 180.0, 300.0, 0.0]


def test_geographic_crs_is_refused():
    with pytest.raises(CRSError, match="metres"):
        expand_sectors(_sites(operator=["Viettel"], crs=4326))


@pytest.mark.parametrize(
    ("cols", "match", "row"),
    [
        (dict(operator=["Viettel", None]), "without operator", "2"),
        (dict(operator=["Viettel", "Viettel"], tech=["4G", "6G"]), "'6G'", "2"),
        (dict(operator=["Viettel", "Viettel"], height_m=[30.0, -5.0]), "height_m", "2"),
        (dict(operator=["Viettel", "Viettel"], tilt_deg=["abc", 2.0]), "not numbers", "1"),
        (dict(operator=["Viettel", "Viettel"], beamwidth_deg=[0.0, 65.0]), "beamwidth", "1"),
    ],
)
def test_bad_rows_are_named(cols, match, row):
    with pytest.raises(ValidationError, match=match) as err:
        expand_sectors(_sites(**cols))
    assert f"row(s) {row}:" in str(err.value)


def test_missing_geometry_and_operator_column():
    sites = _sites(operator=["Viettel", "Viettel"])
    sites.loc[1, "geometry"] = None
    with pytest.raises(ValidationError, match="point geometry") as err:
        expand_sectors(sites)
    assert "row(s) 2:" in str(err.value)
    with pytest.raises(ValidationError, match="operator"):
        expand_sectors(_sites(site_id=["A"]))


def test_nothing_dropped_and_vectorised_on_many_sites():
    rng = np.random.default_rng(7)
    n = 20_000
    techs = rng.choice(["4G", "2G/4G", "3G/4G/5G", None], n)
    az = np.where(rng.random(n) < 0.5, rng.uniform(0, 360, n), np.nan)
    sites = _sites(n, operator=rng.choice(["Viettel", "VinaPhone", "MobiFone"], n),
                   tech=techs, azimuth_deg=az)
    t0 = time.perf_counter()
    tx, _ = expand_sectors(sites)
    elapsed = time.perf_counter() - t0
    n_tech = np.array([1 if t in ("4G", None) else len(t.split("/")) for t in techs])
    expected = (n_tech * np.where(np.isnan(az), 3, 1)).sum()
    assert len(tx) == expected
    assert set(tx["row"]) == set(range(n))
    assert elapsed < 5.0


def test_parsers():
    assert parse_techs("GSM/UMTS/LTE") == ("2G", "3G", "4G")
    assert parse_techs(" 4G , 5G ") == ("4G", "5G")
    assert parse_techs("") is None
    # the readers' canonical strings and the raw values they accept
    assert parse_techs("2G/3G/4G") == ("2G", "3G", "4G")
    assert parse_techs("4G LTE Advanced") == ("4G",)
    assert parse_techs("DCS | W-CDMA") == ("2G", "3G")
    assert parse_techs("5G NR") == ("5G",)
    with pytest.raises(KeyError):
        parse_techs("4G/WiMAX")
    assert parse_band_mhz("U2100") == 2100.0
    assert parse_band_mhz("Band 3") == 1800.0
    assert parse_band_mhz("n41") == 2600.0
    assert parse_band_mhz("700MHz") == 700.0
    assert parse_band_mhz("abc") is None


def test_empty_layer_and_non_range_index():
    sites = _sites(operator=["A", "B"], tech=["4G", "2G/4G"])
    tx, defaults = expand_sectors(sites.iloc[:0])
    assert list(tx.columns) == TX_COLUMNS and len(tx) == 0 and defaults == []
    sites.index = [10, 5]
    tx, _ = expand_sectors(sites)
    assert tx["row"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert tx["site_id"].tolist() == ["site_1"] * 3 + ["site_2"] * 6
    assert tx["tech"].tolist() == ["4G"] * 3 + ["2G"] * 3 + ["4G"] * 3


def test_omni_antennas_get_no_vertical_pattern_unless_given():
    sites = _sites(operator=["Viettel"] * 3, tech=["4G"] * 3, beamwidth_deg=[360.0, 360.0, 65.0],
                   azimuth_deg=[np.nan, np.nan, 90.0], vbeamwidth_deg=[np.nan, 12.0, np.nan])
    tx, _ = expand_sectors(sites)
    vbw = tx["vbeamwidth_deg"].tolist()
    assert np.isnan(vbw[0])  # omni, none given: no vertical pattern
    assert vbw[1:] == [12.0, 8.0]  # omni with one given; a sector takes the 4G default 8 deg
    with pytest.raises(ValidationError, match="vbeamwidth_deg"):
        expand_sectors(_sites(operator=["Viettel"], vbeamwidth_deg=[300.0]))
