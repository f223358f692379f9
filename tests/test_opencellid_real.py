"""OpenCelliD as downloaded: foreign MCCs, duplicates, header-less dumps, a 2G-only export,
the coverage margin; and the broadband warning."""

from __future__ import annotations

import pandas as pd
import pytest

from gis.cli import main
from gis.layers.broadband import broadband_warning, tech_counts
from gis.opendata import CellParams, import_opencellid, read_opencellid
from gis.project import Project
from tests.opendata_fixtures import AREA, write_opencellid_csv


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ocid")
    return {"2g": write_opencellid_csv(d / "cell_towers_diff.csv"),
            "dump": write_opencellid_csv(d / "452.csv", header=False),
            "bb": write_opencellid_csv(d / "bb.csv", broadband=True)}


def test_every_row_of_the_area_is_accounted_for(files):
    cells, rep = read_opencellid(files["2g"], AREA)
    assert rep.extra["rows_in_file"] == 11
    # Gmobile 135 km away, the USA row and the Chinese row near Lào Cai: not of the area.
    assert rep.extra["rows_outside_area"] == 3
    assert rep.extra["rows_other_countries"] == 3
    assert rep.rows_read == 8
    assert rep.rows_loaded == len(cells) == 5
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
    why = {r.row: r.reason_en for r in rep.rejected}
    assert why == {
        5: "duplicate of row 1 (the same cell GSM 452-04 area 10 cell 11001): the most recent "
           "record is kept",
        8: "MCC 460 (China) is not Vietnam's 452: a foreign network",
        10: "lon/lat missing or not numbers",
    }
    assert rep.extra["rows_other_countries_in_area"] == {460: 1}
    vi = {r.row: r.reason_vi for r in rep.rejected}
    assert vi[8].startswith("MCC 460 (Trung Quốc) không phải 452")
    # the kept record of cell 11001 is the newer one (row 0, updated 2023)
    assert cells.loc[cells["cell"] == 11001, "row"].tolist() == [0]


def test_header_less_dump_reads_the_same(files):
    with_header, _ = read_opencellid(files["2g"], AREA)
    dump, b = read_opencellid(files["dump"], AREA)
    assert dump.equals(with_header)            # rows are data rows, with or without the header
    assert (b.rows_read, b.rows_loaded, len(b.rejected)) == (8, 5, 3)


def test_margin(files):
    cells, rep = read_opencellid(files["2g"], AREA)
    # The Viettel cell 8 km east of the area is kept: its tower can serve hamlets inside.
    margin_cell = cells[cells["cell"] == 11003]
    assert len(margin_cell) == 1 and not margin_cell["in_area"].iloc[0]
    assert rep.extra["cells_in_margin"] == 1 and rep.extra["margin_m"] == 15000.0
    assert any("within the 15000 m margin" in w for w in rep.warnings)
    none, rep0 = read_opencellid(files["2g"], AREA, params=CellParams(margin_m=0))
    assert 11003 not in set(none["cell"])
    assert rep0.extra["rows_outside_area"] == 4
    assert rep0.rows_read == rep0.rows_loaded + len(rep0.rejected) == 7


def test_2g_only_export_warns_first(files):
    project = import_opencellid(files["2g"], AREA)
    rep = project.reports["sites"]
    assert rep.warnings[0].startswith("NO 4G/5G IN THE SITES: all 4 sites that give a "
                                      "technology are 2G/3G only (2G: 3, 3G: 1).")
    assert rep.warnings_vi[0].startswith("KHÔNG CÓ 4G/5G TRONG DỮ LIỆU TRẠM")
    assert rep.extra["no_broadband"] is True
    assert rep.extra["sites_by_tech"] == {"2G": 3, "3G": 1}
    bb = import_opencellid(files["bb"], AREA)
    assert not any("4G/5G IN THE SITES" in w for w in bb.reports["sites"].warnings)
    assert "no_broadband" not in bb.reports["sites"].extra


def test_broadband_warning_function():
    assert broadband_warning(None) is None
    assert broadband_warning(pd.DataFrame({"tech": []})) is None
    assert broadband_warning(pd.DataFrame({"tech": [None, None]})) is None   # unknown: no claim
    assert broadband_warning(pd.DataFrame({"operator": ["Viettel"]})) is None
    assert broadband_warning(pd.DataFrame({"tech": ["GSM", "2G/3G", None]}))[0].startswith(
        "NO 4G/5G IN THE SITES: all 2 sites that give a technology are 2G/3G only (2G: 2, "
        "3G: 1). 1 more give no technology.")
    assert broadband_warning(pd.DataFrame({"tech": ["2G", "LTE"]})) is None
    assert broadband_warning(pd.DataFrame({"tech": ["5G NR"]})) is None
    assert tech_counts(pd.DataFrame({"tech": ["2G/4G", "4G", None]})) == {
        "2G": 1, "4G": 2, "unknown": 1}


def test_cli_prints_the_warning_and_takes_a_margin(files, tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["import", "opencellid", str(files["2g"]), "--area", AREA, "--out", str(out),
                 "--margin", "0", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert printed.index("KHÔNG CÓ 4G/5G") < printed.index("Gom ")
    project = Project.load(out)
    assert project.reports["sites"].extra["margin_m"] == 0.0
    assert main(["import", "opencellid", str(files["2g"]), "--area", AREA, "--out", str(out),
                 "--margin", "-5"]) == 2
    assert "margin must be 0-200000 m" in capsys.readouterr().err
