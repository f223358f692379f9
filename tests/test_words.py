"""Words users read: articles before layer names, advice that fits the case."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from gis.errors import ValidationError
from gis.layers.read import read_layer
from gis.opendata import parse_area
from gis.project import Project
from gis.text import article

ROOT = Path(__file__).resolve().parents[1]


def test_no_article_before_a_vowel_in_the_package():
    """'a admin layer', 'a operator', 'a OpenCelliD file': none left in any message."""
    bad = re.compile(r"\b[Aa] (admin|operator|OSM|OpenCelliD|OpenStreetMap|own|area|estimated|"
                     r"existing|empty|unknown|unnamed|input|output|upload)\b")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "gis").rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if bad.search(line)]
    assert hits == []


def test_missing_column_of_the_admin_layer(tmp_path):
    path = tmp_path / "ranh_gioi.geojson"
    gpd.GeoDataFrame({"dien_tich": [1.0]}, geometry=[box(106.2, 20.1, 106.3, 20.2)],
                     crs=4326).to_file(path)
    with pytest.raises(ValidationError) as exc:
        read_layer(path, "admin")
    assert "not found for the admin layer" in str(exc.value)


def test_require_says_an_admin_file():
    with pytest.raises(ValidationError) as exc:
        Project(name="x", crs="EPSG:32648").require("admin")
    assert "Load an admin file (CLI: --admin FILE)" in exc.value.message("en")
    with pytest.raises(ValidationError) as exc:
        Project(name="x", crs="EPSG:32648").require("fiber_nodes")
    assert "Load a fiber_nodes file (CLI: --fiber-nodes FILE)" in exc.value.message("en")


def test_longitudes_first_only_when_they_were_not():
    with pytest.raises(ValidationError) as exc:
        parse_area("21.0,105.8,21.1,105.9")
    assert "swapped" in str(exc.value)
    assert "Give longitudes first: '105.8,21,105.9,21.1'" in exc.value.message("en")
    # Longitudes first, but in Thailand: the advice is about the place, not the order.
    with pytest.raises(ValidationError) as exc:
        parse_area("100.4,13.6,100.7,13.9")
    text = exc.value.message("en")
    assert "outside Vietnam (longitudes 102-117.9° E, latitudes 8-23.5° N)" in text
    assert "longitudes first" not in text and "swapped" not in text
    assert "kinh độ trước" not in exc.value.message("vi")


def test_article():
    assert [article(w) for w in ("admin", "operator", "sites", "OSM", "DEM", "unit", "MNC",
                                 "hour", "")] == ["an", "an", "a", "an", "a", "a", "an", "an",
                                                  "a"]
