import numpy as np
import pytest
from pyproj import Transformer

from gis.errors import CRSError
from gis.layers.crs import (
    analysis_crs_for_lon,
    meridian_for_province,
    normalise_name,
    vn2000_tm3,
    vn2000_utm,
)


@pytest.mark.parametrize("name, standard, lon0", [
    ("Nam Định", "tt973", 105.5),        # former province keeps its own meridian
    ("nam dinh", "tt24", 105.0),         # merged into Ninh Bình (TT24 105)
    ("Tỉnh Bình Phước", "tt973", 106.25),
    ("TP Hồ Chí Minh", "tt24", 105.75),
    ("Thừa Thiên Huế", "tt973", 107.0),
    ("Lai Châu", "tt973", 103.0),
    ("Lai Châu", "tt24", 104.75),
])
def test_meridian_for_province(name, standard, lon0):
    assert meridian_for_province(name, standard=standard) == lon0


def test_unknown_province_error_gives_the_fix():
    with pytest.raises(CRSError, match="meridian"):
        meridian_for_province("Atlantis")


def test_normalise_name():
    assert normalise_name("Đắk Lắk") == "dak lak"


def test_tm3_false_easting_and_scale_at_central_meridian():
    # On the central meridian the easting is the false easting (500 000 m); the datum shift moves
    # the point by only ~ 200-300 m, so the easting stays within that of 500 km.
    to_tm3 = Transformer.from_crs(4326, vn2000_tm3(105.5), always_xy=True)
    e, n = to_tm3.transform(105.5, 20.4)
    assert abs(e - 500_000) < 400
    assert 2_250_000 < n < 2_260_000


def test_vn2000_utm_differs_from_wgs84_utm_by_the_datum_shift():
    # DOMAIN.md: without the towgs84 shift, VN-2000 coordinates are off by about 225 m.
    lon, lat = 105.85, 21.03
    e1, n1 = Transformer.from_crs(4326, vn2000_utm(48), always_xy=True).transform(lon, lat)
    e2, n2 = Transformer.from_crs(4326, 32648, always_xy=True).transform(lon, lat)
    shift = np.hypot(e1 - e2, n1 - n2)
    assert 150 < shift < 300


def test_analysis_crs_zone():
    assert analysis_crs_for_lon(105.9).to_epsg() == 32648
    assert analysis_crs_for_lon(108.2).to_epsg() == 32649


def test_bad_meridian_and_zone():
    with pytest.raises(CRSError):
        vn2000_tm3(95)
    with pytest.raises(CRSError):
        vn2000_utm(47)
