"""From public files to a run: `gis import osm` (an openstreetmap.org export with unnamed
facilities), `gis import opencellid`, then `gis run --admin` with a GADM 4.1 layer."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gis.cli import main
from tests.opendata_fixtures import AREA, write_gadm, write_opencellid_csv, write_osm_xml


@pytest.mark.slow
def test_osm_opencellid_gadm_run(tmp_path, capsys):
    osm = write_osm_xml(tmp_path / "map.osm")
    cells = write_opencellid_csv(tmp_path / "cell_towers.csv", broadband=True)
    gadm = write_gadm(tmp_path / "gadm41_VNM.gpkg")
    project = tmp_path / "project"
    assert main(["import", "osm", str(osm), "--area", AREA, "--out", str(project)]) == 0
    assert main(["import", "opencellid", str(cells), "--area", AREA, "--out", str(project)]) == 0
    out = tmp_path / "run"
    assert main(["run", "--project", str(project), "--admin", str(gadm), "--admin-level",
                 "commune", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "4 hamlets; results in" in printed

    hamlets = pd.read_csv(out / "hamlets.csv", encoding="utf-8-sig")
    assert sorted(hamlets["name"]) == ["Hai Bac Village", "Thôn chưa tên osm:n1003",
                                       "Tổ dân phố 3", "Xóm Đông"]
    facilities = pd.read_csv(out / "facilities.csv", encoding="utf-8-sig")
    assert len(facilities) == 5 and facilities["name"].isna().sum() == 4
    for csv in out.glob("*.csv"):                 # no 'nan' text from a gap anywhere
        text = csv.read_text(encoding="utf-8-sig")
        assert ",nan," not in text.lower() and "nan (" not in text, csv.name

    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    admin = run["load_reports"]["admin"]
    assert admin["rows_loaded"] == 3
    assert any("read as GADM" in w for w in admin["warnings"])
    sites = run["load_reports"]["sites"]
    assert sites["rows_read"] == sites["rows_loaded"] + len(sites["rejected"])
    assert sites["extra"]["margin_m"] == 15000.0
    villages = run["load_reports"]["villages"]
    assert villages["rows_read"] == villages["rows_loaded"] + len(villages["rejected"]) == 7

    # hamlets attributed: the GADM polygons (former communes of Hải Hậu) by containment, the
    # 2025 units through the crosswalk, the one outside every polygon by the nearest centre
    h = hamlets.set_index("name")
    assert (h["province"] == "Tỉnh Ninh Bình").all() and (h["former_province"] == "Tỉnh Nam Định").all()
    assert (h["former_district"] == "Huyện Hải Hậu").all()
    assert h.loc["Xóm Đông", ["former_commune", "commune", "unit_source"]].tolist() == \
        ["Xã Hải Đông", "Xã Hải Quang", "polygon"]
    assert h.loc["Hai Bac Village", "unit_source"] == "nearest_centroid"
    assert run["units"]["sources"] == {"names": 0, "polygon": 3, "approximate": 0,
                                       "nearest_centroid": 1, "none": 0}
