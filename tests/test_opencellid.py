"""OpenCelliD importer: operators, technologies, eNB/gNB grouping and spatial clustering."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from gis.errors import InputFileError, ValidationError
from gis.opendata import CellParams, import_opencellid, read_opencellid
from gis.opendata.opencellid import OCID_COLUMNS, cluster_cells

AREA = "105.70,20.90,106.00,21.10"
HEADER = ",".join(OCID_COLUMNS)
GEOD = Geod(ellps="WGS84")
# 100 m east / north in degrees at 21° N (WGS84): 1° lon = 103 950 m, 1° lat = 110 720 m.
DLON_100 = 100 / 103_950.0
DLAT_100 = 100 / 110_720.0


def row(radio, mcc, net, cell, lon, lat, rng=1000, samples=10, area=10):
    return (f"{radio},{mcc},{net},{area},{cell},0,{lon:.7f},{lat:.7f},{rng},{samples},1,"
            f"1500000000,1600000000,0")


def cells_csv(path: Path, rows: list[str], *, header: bool = True) -> Path:
    text = "\n".join(([HEADER] if header else []) + rows) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ENB = 100
ROWS = [
    # One Viettel eNodeB (cells 25600..25602 = eNB 100), samples 10/30/10.
    row("LTE", 452, 4, ENB * 256 + 0, 105.800, 21.000, samples=10),
    row("LTE", 452, 4, ENB * 256 + 1, 105.801, 21.000, samples=30),
    row("LTE", 452, 4, ENB * 256 + 2, 105.800, 21.001, samples=10),
    # A Viettel GSM cell 50 m from that site: joins it. A MobiFone one at the same spot: not.
    row("GSM", 452, 4, 7001, 105.8006 + DLON_100 / 2, 21.0002, samples=5),
    row("GSM", 452, 1, 7001, 105.8006 + DLON_100 / 2, 21.0002, samples=5),
    # MobiFone UMTS cells in a line 0, 250, 500 m east: leader clustering, not chaining.
    row("UMTS", 452, 1, 9001, 105.900, 21.050, samples=50),
    row("UMTS", 452, 1, 9002, 105.900 + 2.5 * DLON_100, 21.050, samples=5),
    row("UMTS", 452, 1, 9003, 105.900 + 5.0 * DLON_100, 21.050, samples=5),
    # A VinaPhone gNodeB: gNB id 12345 with 22-bit ids, local cells 1 and 2.
    row("NR", 452, 2, (12345 << 14) | 1, 105.950, 21.000, samples=4),
    row("NR", 452, 2, (12345 << 14) | 2, 105.950 + DLON_100, 21.000, samples=4),
    # Same Viettel eNB id 5 km away from the first: a different mast (split).
    row("LTE", 452, 4, 200 * 256 + 1, 105.750, 21.080),
    row("LTE", 452, 4, 200 * 256 + 2, 105.750 + 50 * DLON_100, 21.080),
    # Not used: other country, outside the area, defunct MNC, CDMA, bad coordinates.
    row("LTE", 310, 4, 25600, 105.800, 21.000),
    row("LTE", 452, 4, 25600, 107.000, 16.000),
    row("LTE", 452, 3, 25600, 105.800, 21.000),
    row("CDMA", 452, 4, 25600, 105.800, 21.000),
    "LTE,452,4,10,25600,0,,21.0,1000,10,1,1500000000,1600000000,0",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = cells_csv(tmp_path_factory.mktemp("ocid") / "cells.csv", ROWS)
    return import_opencellid(path, AREA)


def _sites(project):
    return project.layers["sites"].to_crs(4326)


def test_counts_and_rejections(project):
    rep = project.reports["sites"]
    # Row 13 (Huế, 107 E 16 N) lies outside the area and its 15 km margin: not read.
    assert rep.extra["rows_in_file"] == len(ROWS)
    assert rep.extra["rows_outside_area"] == 1
    assert rep.rows_read == len(ROWS) - 1
    assert rep.rows_loaded == 12
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
    assert rep.extra["rows_other_countries"] == 1
    assert rep.extra["rows_rejected"] == 4
    rejected = {r.row: r.reason_en for r in rep.rejected}
    assert rejected == {12: "MCC 310 (USA) is not Vietnam's 452: a foreign network",
                        14: "MNC 452-03 is not a current Vietnamese operator",
                        15: "radio is not GSM, UMTS, LTE or NR",
                        16: "lon/lat missing or not numbers"}
    assert rep.extra["cells_by_operator"] == {"MobiFone": 4, "VinaPhone": 2, "Viettel": 6}


def test_enodeb_is_one_site_with_weighted_position(project):
    sites = _sites(project)
    enb = sites[sites["site_id"] == "ocid:Viettel:LTE:100"]
    assert len(enb) == 1
    s = enb.iloc[0]
    assert s["operator"] == "Viettel"        # MNC 04
    assert s["tech"] == "2G/4G"              # the GSM cell 50 m away joined it
    assert s["n_cells"] == 4
    assert s["node_ids"] == "100"
    # Sample-weighted mean of the four cells (weights 10, 30, 10, 5), by hand:
    lon = (105.800 * 10 + 105.801 * 30 + 105.800 * 10 + (105.8006 + DLON_100 / 2) * 5) / 55
    lat = (21.000 * 10 + 21.000 * 30 + 21.001 * 10 + 21.0002 * 5) / 55
    assert (s.geometry.x, s.geometry.y) == pytest.approx((lon, lat), abs=2e-7)
    # Spread: farthest member from the position, geodesic metres (UTM scale < 0.05 % here).
    lons = np.array([105.800, 105.801, 105.800, 105.8006 + DLON_100 / 2])
    lats = np.array([21.000, 21.000, 21.001, 21.0002])
    _, _, dist = GEOD.inv(np.full(4, lon), np.full(4, lat), lons, lats)
    assert s["spread_m"] == pytest.approx(dist.max(), rel=2e-3)
    assert s["range_median_m"] == 1000.0
    assert s["position_uncertainty_m"] == 500.0   # max(spread ~ 84 m, 0.5 * 1000 m)


def test_operators_stay_apart_and_leader_clustering(project):
    sites = _sites(project)
    mobi = sites[sites["operator"] == "MobiFone"].sort_values("n_cells", ascending=False)
    # The GSM cell at the Viettel site, the UMTS pair (0 m, 250 m), the UMTS cell at 500 m.
    assert sorted(mobi["n_cells"].tolist()) == [1, 1, 2]
    pair = mobi.iloc[0]
    assert pair["tech"] == "3G"
    # Weighted 50:5 between 0 and 250 m east -> 22.7 m east of the leader.
    assert pair.geometry.x == pytest.approx(105.900 + 2.5 * DLON_100 * 5 / 55, abs=2e-7)
    # Spread is the 250 m cell's distance from the position: 227 m.
    assert pair["spread_m"] == pytest.approx(250 * 50 / 55, rel=5e-3)


def test_gnodeb_and_split_enodeb(project):
    sites = _sites(project)
    nr = sites[sites["operator"] == "VinaPhone"]
    assert len(nr) == 1
    assert nr.iloc[0]["tech"] == "5G"
    assert nr.iloc[0]["node_ids"] == "12345"
    split = sites[sites["site_id"].str.startswith("ocid:Viettel:LTE:200")]
    assert sorted(split["site_id"]) == ["ocid:Viettel:LTE:200", "ocid:Viettel:LTE:200-1"]
    assert (split["n_cells"] == 1).all()
    assert len(sites) == 7


def test_uncertainty_from_spread_when_ranges_are_small(tmp_path):
    rows = [row("LTE", 452, 5, 300 * 256 + i, 105.8 + i * 3 * DLON_100, 21.0, rng=100)
            for i in range(2)]
    sites = import_opencellid(cells_csv(tmp_path / "c.csv", rows), AREA).layers["sites"]
    s = sites.iloc[0]
    assert s["operator"] == "Vietnamobile"
    assert s["position_uncertainty_m"] == pytest.approx(150.0, rel=5e-3)  # half of 300 m


def test_headerless_gzip(tmp_path):
    path = cells_csv(tmp_path / "452.csv.gz", ROWS[:3], header=False)
    cells, report = read_opencellid(path, AREA)
    assert len(cells) == 3
    assert (cells["operator"] == "Viettel").all()
    assert (cells["tech"] == "4G").all()
    assert report.rows_read == 3


def test_cluster_cells_core():
    # Three GSM cells 0, 250, 500 m apart, same operator; the middle one has most samples:
    # it leads and takes both neighbours (single site).
    labels, node = cluster_cells(np.array(["Viettel"] * 3), np.array(["GSM"] * 3),
                                 np.array([1, 2, 3]), np.array([0.0, 250.0, 500.0]),
                                 np.zeros(3), np.array([1, 9, 1]))
    assert labels.tolist() == [0, 0, 0]
    assert node.tolist() == [-1, -1, -1]
    labels, _ = cluster_cells(np.array(["Viettel"] * 3), np.array(["GSM"] * 3),
                              np.array([1, 2, 3]), np.array([0.0, 250.0, 500.0]),
                              np.zeros(3), np.array([9, 1, 1]))
    assert labels.tolist() == [0, 0, 1]
    labels, node = cluster_cells(np.array(["Viettel"] * 2), np.array(["NR"] * 2),
                                 np.array([(7 << 12) | 1, (7 << 12) | 2]), np.zeros(2),
                                 np.zeros(2), np.ones(2), CellParams(nr_gnb_id_bits=24))
    assert node.tolist() == [7, 7]
    assert labels.tolist() == [0, 0]


def test_errors(tmp_path):
    bad = tmp_path / "not.csv"
    bad.write_text("name,lat,lon\nA,21,105\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not an OpenCelliD export"):
        read_opencellid(bad, AREA)
    only_us = cells_csv(tmp_path / "us.csv", [row("LTE", 310, 4, 1, 105.8, 21.0)])
    with pytest.raises(ValidationError, match="MCC 452") as exc:
        import_opencellid(only_us, AREA)
    assert "Việt Nam" in exc.value.message("vi")
    with pytest.raises(ValidationError):
        CellParams(nr_gnb_id_bits=40)


def test_exact_positions_have_no_range_term(tmp_path):
    # changeable = 0: positions entered from a knowledgeable source, not estimated.
    rows = [row("LTE", 452, 7, 400 * 256 + i, 105.8 + i * 2 * DLON_100, 21.0, rng=3000)
            .replace(",1,1500000000", ",0,1500000000") for i in range(2)]
    rows.append(row("LTE", 452, 8, 500 * 256, 105.9, 21.0, rng=3000))
    sites = import_opencellid(cells_csv(tmp_path / "c.csv", rows), AREA).layers["sites"]
    by_op = sites.set_index("operator")
    assert by_op.loc["Gmobile", "exact_position"]
    assert by_op.loc["Gmobile", "position_uncertainty_m"] == pytest.approx(100.0, rel=5e-3)
    assert not by_op.loc["iTel", "exact_position"]
    assert by_op.loc["iTel", "position_uncertainty_m"] == 1500.0


def test_small_chunks_give_the_same_result(tmp_path):
    """Rows read 4 at a time: same cells, same sites, same rejected row numbers."""
    path = cells_csv(tmp_path / "cells.csv", ROWS)
    small = import_opencellid(path, AREA, params=CellParams(chunksize=4))
    whole = import_opencellid(path, AREA)
    a, b = small.layers["sites"], whole.layers["sites"]
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-6).all()
    assert ({r.row for r in small.reports["sites"].rejected}
            == {r.row for r in whole.reports["sites"].rejected} == {12, 14, 15, 16})
