"""``python -m gis import ...``: OSM, then OpenCelliD, then rasters build one project."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

from gis.cli import main
from gis.project import Project
from tests.test_opencellid import AREA as CELL_AREA
from tests.test_opencellid import ROWS, cells_csv
from tests.test_opendata_rasters import write_hgt
from tests.test_osm import AREA, write_osmium


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    pop = d / "worldpop.tif"
    with rasterio.open(pop, "w", driver="GTiff", width=240, height=240, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=-99999.0,
                       transform=from_origin(105.75, 21.15, 3 / 3600, 3 / 3600)) as ds:
        ds.write(np.full((240, 240), 5.0, dtype="float32"), 1)
    srtm = d / "srtm"
    srtm.mkdir()
    write_hgt(srtm, "N21E105.hgt", marks=False)
    write_hgt(srtm, "N20E105.hgt", marks=False)
    return {"osm": write_osmium(d / "map.osm.pbf"), "cells": cells_csv(d / "452.csv", ROWS),
            "srtm": srtm, "pop": pop}


def test_osm_then_opencellid_then_rasters_build_one_project(inputs, tmp_path, capsys):
    out = tmp_path / "project"
    assert main(["import", "osm", str(inputs["osm"]), "--area", AREA, "--out", str(out)]) == 0
    first = Project.load(out)
    assert sorted(first.layers) == ["admin", "facilities", "roads", "sites", "villages"]
    assert first.layers["sites"]["source"].eq("OpenStreetMap").all()
    assert str(first.crs.to_epsg()) == "32648"

    assert main(["import", "opencellid", str(inputs["cells"]), "--area", CELL_AREA,
                 "--out", str(out)]) == 0
    assert main(["import", "dem", str(inputs["srtm"]), "--out", str(out),
                 "--margin", "1000"]) == 0
    assert main(["import", "population", str(inputs["pop"]), "--out", str(out), "--area", AREA,
                 "--resolution", "100", "--lang", "vi"]) == 0
    printed = capsys.readouterr().out
    assert "12 cells grouped into 7 estimated sites" in printed
    assert "Dự án" in printed

    project = Project.load(out)
    assert sorted(project.layers) == ["admin", "facilities", "roads", "sites", "villages"]
    assert len(project.layers["roads"]) == 10           # OSM layers untouched (1 in margin)
    assert len(project.layers["villages"]) == 4
    assert project.layers["sites"]["source"].eq("OpenCelliD").all()   # replaced
    assert len(project.layers["sites"]) == 7
    assert sorted(project.rasters) == ["dem", "population"]
    assert project.reports["roads"].source == "map.osm.pbf"
    assert project.reports["sites"].source == "452.csv"
    assert project.reports["dem"].extra["files_used"] == ["N20E105.hgt", "N21E105.hgt"]
    with rasterio.open(project.rasters["population"]) as ds:
        assert ds.crs.to_epsg() == 32648 and ds.res == (100.0, 100.0)

    # The rasters pass the readers' own checks (CRS, extent in Vietnam, nodata, value range).
    from gis.layers.rasters import open_raster

    for kind in ("dem", "population"):
        info, rep = open_raster(project.rasters[kind], kind)
        assert info.crs.to_epsg() == 32648
        assert not rep.rejected

    # `python -m gis run --project` accepts it: one hamlet row per imported hamlet.
    assert main(["run", "--project", str(out), "--out", str(tmp_path / "run")]) == 0
    hamlets = pd.read_csv(tmp_path / "run" / "hamlets.csv", encoding="utf-8-sig")
    assert sorted(hamlets["name"]) == sorted(["Thôn Đông", "Làng Hạ", "Thôn chưa tên osm:n22",
                                              "Xóm Bãi"])


def test_osm_layers_option_keeps_other_sites(inputs, tmp_path):
    out = tmp_path / "p"
    assert main(["import", "opencellid", str(inputs["cells"]), "--area", AREA,
                 "--out", str(out)]) == 0
    assert main(["import", "osm", str(inputs["osm"]), "--area", AREA, "--out", str(out),
                 "--layers", "roads,villages"]) == 0
    project = Project.load(out)
    assert sorted(project.layers) == ["roads", "sites", "villages"]
    assert project.layers["sites"]["source"].eq("OpenCelliD").all()


def test_bad_input_is_a_bilingual_error(inputs, tmp_path, capsys):
    code = main(["import", "osm", str(inputs["osm"]), "--area", "21.0,105.8,21.1,105.9",
                 "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert "swapped" in err and "bị đảo" in err
    code = main(["import", "opencellid", str(inputs["osm"]), "--area", AREA,
                 "--out", str(tmp_path / "x")])
    assert code == 2
    assert "not an OpenCelliD export" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_help_lists_sources(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = capsys.readouterr().out
    for source in ("osm", "opencellid", "dem", "population"):
        assert source in text


def test_app_uploads(inputs, tmp_path):
    """The app's Data page hands over uploads (name and bytes) instead of paths."""
    from gis.layers.sources import Upload
    from gis.opendata import import_dem, import_opencellid, import_osm

    osm = Upload("../../map.osm.pbf", inputs["osm"].read_bytes())
    project = import_osm(osm, AREA)
    assert project.reports["roads"].source == "map.osm.pbf"
    cells = Upload("452.csv", inputs["cells"].read_bytes())
    project = import_opencellid(cells, CELL_AREA, project)
    tile = Upload("N21E105.hgt", (inputs["srtm"] / "N21E105.hgt").read_bytes())
    project = import_dem([tile], None, project, out_dir=tmp_path)
    assert sorted(project.layers) == ["admin", "facilities", "roads", "sites", "villages"]
    assert project.rasters["dem"] == tmp_path / "dem.tif"


def test_area_name_picks_one_commune(inputs, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    admin = tmp_path / "xa.geojson"
    gpd.GeoDataFrame({"ten_xa": ["Xã Tây", "Xã Đông"]},
                     geometry=[box(105.80, 21.00, 105.85, 21.10),
                               box(105.85, 21.00, 105.90, 21.10)],
                     crs=4326).to_file(admin)
    out = tmp_path / "p"
    assert main(["import", "osm", str(inputs["osm"]), "--area", str(admin),
                 "--area-name", "xa dong", "--out", str(out), "--layers", "villages"]) == 0
    project = Project.load(out)
    assert project.name == "Xã Đông"
    assert sorted(project.layers["villages"]["village_id"]) == ["osm:n22", "osm:w111"]
