"""Shapefile parts, archives with several layers, sheets, and whole projects (the sample area)."""

from __future__ import annotations

import time
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from pyproj import Transformer

from gis.errors import InputFileError, ValidationError
from gis.layers.read import read_any, read_layer
from gis.project import load_project

LONLAT = np.array([[106.2712, 20.1453], [106.2905, 20.1628]])


def _shp(tmp_path, stem="thon", crs="EPSG:4326"):
    gpd.GeoDataFrame({"ten_thon": ["A", "B"]}, geometry=shapely.points(LONLAT),
                     crs=crs).to_file(tmp_path / f"{stem}.shp", engine="pyogrio")
    return tmp_path / f"{stem}.shp"


def test_shapefile_without_dbf_is_an_error_and_without_shx_is_rebuilt(tmp_path):
    shp = _shp(tmp_path)
    shp.with_suffix(".shx").unlink()
    result = read_layer(shp, "villages")
    assert len(result.gdf) == 2 and any(".shx" in w for w in result.report.warnings)
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(InputFileError, match=r"no \.dbf part") as exc:
        read_layer(shp, "villages")
    assert "thon.shp" in str(exc.value) and ".zip" in str(exc.value)
    with pytest.raises(InputFileError, match=r"no \.shp part"):
        read_layer([tmp_path / "thon.prj", tmp_path / "thon.cpg"], "villages")


def test_zip_with_several_layers(tmp_path):
    _shp(tmp_path, "thon")
    gpd.GeoDataFrame({"nha_mang": ["Viettel"]}, geometry=shapely.points(LONLAT[:1]),
                     crs=4326).to_file(tmp_path / "bts.shp", engine="pyogrio")
    zpath = tmp_path / "du_lieu.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for stem in ("thon", "bts"):
            for s in ("shp", "shx", "dbf", "prj"):
                zf.write(tmp_path / f"{stem}.{s}", f"data/{stem}.{s}")
    assert read_layer(zpath, "sites", workdir=tmp_path / "w1").gdf["operator"].tolist() == \
        ["Viettel"]
    assert len(read_layer(zpath, "villages", workdir=tmp_path / "w2").gdf) == 2
    with pytest.raises(InputFileError, match="several layers: ") as exc:
        read_layer(zpath, "roads", workdir=tmp_path / "w3")
    assert "thon" in str(exc.value) and "bts" in str(exc.value)
    assert len(read_layer(zpath, "villages", layer="thon", workdir=tmp_path / "w4").gdf) == 2


def test_xlsx_sheet_choice(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chu"
    wb.active.append(["nothing here"])
    ws = wb.create_sheet("Thon")
    ws.append(["Tên thôn", "Kinh độ", "Vĩ độ"])
    ws.append(["A", *LONLAT[0]])
    path = tmp_path / "thon.xlsx"
    wb.save(path)
    assert read_layer(path, "villages", layer="Thon").gdf["name"].tolist() == ["A"]
    with pytest.raises(ValidationError, match="its sheets: Ghi chu, Thon"):
        read_layer(path, "villages", layer="Sheet1")


def test_swapped_shapefile_without_prj(tmp_path):
    gpd.GeoDataFrame({"ten_thon": ["A", "B"]},
                     geometry=shapely.points(LONLAT[:, ::-1])).to_file(tmp_path / "s.shp",
                                                                       engine="pyogrio")
    result = read_layer(tmp_path / "s.shp", "villages")
    assert any("SWAPPED" in w for w in result.report.warnings)
    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(*LONLAT[0])
    np.testing.assert_allclose(shapely.get_coordinates(result.gdf.geometry.values)[0], [x, y],
                               atol=0.01)


def test_sample_area_loads_fast_and_layers_reread_identically(sample_dir, tmp_path):
    t0 = time.perf_counter()
    project = load_project(sample_dir, {})
    seconds = time.perf_counter() - t0
    assert seconds < 5.0, f"loading the sample area took {seconds:.1f} s"
    assert len(project.layers["villages"]) >= 300
    # every layer of the sample, re-read through the readers from its GeoPackage, keeps all rows
    gpkg = sample_dir / "layers.gpkg"
    files = {k: gpkg for k in project.layers}
    files.update({k: p for k, p in project.rasters.items()})
    again = load_project(None, files, name="again")
    for kind, gdf in project.layers.items():
        assert len(again.layers[kind]) == len(gdf), kind
        assert not again.reports[kind].rejected, kind
    a = shapely.get_coordinates(project.layers["sites"].geometry.values)
    b = shapely.get_coordinates(again.layers["sites"].geometry.values)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert set(again.rasters) == set(project.rasters)
    assert again.reports["dem"].kind == "dem"
    # overriding one layer of the project folder with a file
    villages = project.layers["villages"].to_crs(4326).iloc[:10]
    villages.to_file(tmp_path / "ten.geojson", driver="GeoJSON", engine="pyogrio")
    mixed = load_project(sample_dir, {"villages": tmp_path / "ten.geojson"})
    assert len(mixed.layers["villages"]) == 10
    assert len(mixed.layers["sites"]) == len(project.layers["sites"])


def test_read_any_guesses_rasters_by_name(sample_dir):
    result = read_any(sample_dir / "population.tif")
    assert result.kind == "population" and result.raster is not None
    assert result.report.extra["population_total_estimate"] > 0


def test_list_layers(tmp_path):
    from gis.layers.read import list_layers

    gpkg = tmp_path / "a.gpkg"
    for name in ("thon", "tram"):
        gpd.GeoDataFrame({"ten": ["A"]}, geometry=shapely.points(LONLAT[:1]),
                         crs=4326).to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
    assert list_layers(gpkg) == ["thon", "tram"]
    _shp(tmp_path, "xa")
    zpath = tmp_path / "z.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for s in ("shp", "shx", "dbf"):
            zf.write(tmp_path / f"xa.{s}", f"d/xa.{s}")
        zf.write(gpkg, "a.gpkg")
    assert list_layers(zpath) == ["xa", "a"]
    wb = openpyxl.Workbook()
    wb.create_sheet("Tram BTS")
    wb.save(tmp_path / "b.xlsx")
    assert list_layers(tmp_path / "b.xlsx") == ["Sheet", "Tram BTS"]
    assert list_layers(tmp_path / "xa.shp") == []


def test_sample_area_exported_to_every_format_loads_back(sample_dir, tmp_path):
    """A user's folder: villages in XLSX with VN-2000 X/Y, sites in KML, roads as a zipped
    shapefile, fiber in GeoJSON, admin in a GeoPackage, the DEM as GeoTIFF."""
    from gis.layers.crs import vn2000_tm3

    src = load_project(sample_dir, {})
    vil = src.layers["villages"]
    pts = vil.geometry.representative_point()
    tm3 = gpd.GeoSeries(pts, crs=src.crs).to_crs(vn2000_tm3(105.0))  # Ninh Bình, TT 973
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã thôn", "Tên thôn", "Xã", "Dân số", "Số hộ", "X (m)", "Y (m)"])
    for (_, r), p in zip(vil.iterrows(), tm3, strict=True):
        ws.append([r["village_id"], r["name"], r["commune"], f"{r['population']:,.0f}"
                   .replace(",", "."), r["households"], round(p.y, 3), round(p.x, 3)])
    wb.save(tmp_path / "thon.xlsx")
    sites = src.layers["sites"].to_crs(4326)
    sites.rename(columns={"operator": "nha_mang", "tech": "cong_nghe"}).to_file(
        tmp_path / "bts.kml", driver="KML", engine="pyogrio")
    roads_dir = tmp_path / "roads"
    roads_dir.mkdir()
    src.layers["roads"].to_file(roads_dir / "duong.shp", engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "duong.zip", "w") as zf:
        for p in roads_dir.iterdir():
            zf.write(p, f"giao_thong/{p.name}")
    src.layers["fiber"].to_crs(4326).to_file(tmp_path / "cap.geojson", driver="GeoJSON",
                                            engine="pyogrio")
    src.layers["admin"].to_file(tmp_path / "hc.gpkg", layer="ranh_gioi_xa", driver="GPKG",
                                engine="pyogrio")
    files = {"villages": tmp_path / "thon.xlsx", "sites": tmp_path / "bts.kml",
             "roads": tmp_path / "duong.zip", "fiber": tmp_path / "cap.geojson",
             "admin": tmp_path / "hc.gpkg", "dem": sample_dir / "dem.tif"}
    project = load_project(None, files, province="Ninh Bình", workdir=tmp_path / "work")
    for kind in ("villages", "sites", "roads", "fiber", "admin"):
        assert len(project.layers[kind]) == len(src.layers[kind]), kind
    back = project.layers["villages"].geometry.values
    assert shapely.distance(back, pts.values).max() < 0.01
    assert project.layers["villages"]["population"].tolist() == vil["population"].tolist()
    assert project.reports["villages"].crs_in == "VN-2000 / TM-3 105°"
    assert set(project.layers["sites"]["operator"]) == set(src.layers["sites"]["operator"])
