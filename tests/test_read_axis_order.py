"""The X / Y switch of the app's upload (issue 15 item 2): the user says which column is which."""

from __future__ import annotations

import pytest

from gis.errors import GisError, ValidationError
from gis.layers.coords import CoordColumns, points_from_columns
from gis.layers.read import read_layer


def test_x_northing_as_vietnamese_documents_write_it(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text("ten_thon,X,Y\nThôn A,2240000,580000\n", encoding="utf-8")
    auto = read_layer(path, "villages", crs="vn2000-utm:48", analysis_crs="EPSG:32648")
    yx = read_layer(path, "villages", crs="vn2000-utm:48", analysis_crs="EPSG:32648",
                    axis_order="yx")
    a, b = auto.gdf.geometry.iloc[0], yx.gdf.geometry.iloc[0]
    assert a.distance(b) < 1e-6                              # the numbers said so too
    assert abs(b.y - 2_240_000) < 300 and abs(b.x - 580_000) < 300   # VN-2000 vs WGS84 UTM
    assert any("as chosen" in w for w in yx.report.warnings)
    # told the other way round, the easting would be 2 240 km: not in Vietnam
    with pytest.raises(GisError):
        read_layer(path, "villages", crs="vn2000-utm:48", analysis_crs="EPSG:32648",
                   axis_order="xy")


def test_axis_order_values():
    import pandas as pd

    df = pd.DataFrame({"X": ["580000"], "Y": ["2240000"]})
    pts = points_from_columns(df, CoordColumns("xy", "X", "Y"), display="t.csv", axis_order="xy")
    assert (pts.x[0], pts.y[0]) == (580000.0, 2240000.0)
    with pytest.raises(ValidationError, match="auto, xy, yx"):
        points_from_columns(df, CoordColumns("xy", "X", "Y"), display="t.csv", axis_order="en")
