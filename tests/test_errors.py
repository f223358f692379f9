import pytest

from gis.errors import (
    CRSError,
    GisError,
    InputFileError,
    ValidationError,
    format_rows,
    invalid_choice,
    missing_file,
)
from gis.layers.read import read_layer
from gis.opendata.area import parse_area
from gis.opendata.dem import read_dem
from gis.opendata.opencellid import read_opencellid
from gis.opendata.osm import read_osm
from gis.opendata.population import read_population


def test_format_rows_is_one_based_and_truncates():
    assert format_rows([0, 4, 8]) == "1, 5, 9"
    assert format_rows(range(13), limit=3) == "1, 2, 3 (+10 more)"


def test_message_names_file_rows_and_fix_in_both_languages():
    err = ValidationError("Population is negative.", "Dân số âm.", file="/tmp/x/thon.csv",
                          rows=[2, 6], fix="Correct the values.", fix_vi="Sửa giá trị.")
    assert err.message("en") == ("File thon.csv: row(s) 3, 7: Population is negative. "
                                 "Fix: Correct the values.")
    assert err.message("vi") == "Tệp thon.csv: dòng 3, 7: Dân số âm. Cách sửa: Sửa giá trị."
    assert "Dân số âm" in str(err) and "Population is negative" in str(err)


@pytest.mark.parametrize("cls, builtin", [(ValidationError, ValueError), (CRSError, ValueError),
                                          (InputFileError, OSError)])
def test_errors_are_also_builtin_exceptions(cls, builtin):
    with pytest.raises(builtin):
        raise cls("x")
    assert issubclass(cls, GisError)


@pytest.mark.parametrize("kind_en, kind_vi, en, vi", [
    ("OSM", "OSM", "The OSM file /d/x.pbf does not exist.", "Không có tệp OSM /d/x.pbf."),
    ("", "", "The file /d/x.pbf does not exist.", "Không có tệp /d/x.pbf."),
])
def test_missing_file_names_the_kind_of_file(kind_en, kind_vi, en, vi):
    err = missing_file("/d/x.pbf", kind_en, kind_vi, fix="Give it.", fix_vi="Chọn nó.")
    assert isinstance(err, InputFileError)
    assert err.message("en") == f"File x.pbf: {en} Fix: Give it."
    assert err.message("vi") == f"Tệp x.pbf: {vi} Cách sửa: Chọn nó."


def test_invalid_choice_lists_the_choices_in_both_languages():
    err = invalid_choice("condition", "lost", ["los", "nlos"], file="/d/p.json")
    assert isinstance(err, ValidationError)
    assert err.en == "condition = 'lost' is not valid; choose one of: los, nlos."
    assert err.vi == "condition = 'lost' không hợp lệ; chọn một trong: los, nlos."
    assert err.file == "/d/p.json"


_AREA = "105.80,21.00,105.90,21.10"


@pytest.mark.parametrize(("read", "kind_en", "kind_vi"), [
    pytest.param(lambda p, out: read_osm(p, _AREA), "OSM", "OSM", id="osm"),
    pytest.param(lambda p, out: read_opencellid(p, _AREA), "OpenCelliD", "OpenCelliD",
                 id="opencellid"),
    pytest.param(lambda p, out: read_dem([p], _AREA, 32648, out), "DEM", "DEM", id="dem"),
    pytest.param(lambda p, out: read_population([p], _AREA, 32648, out), "population",
                 "population", id="population"),
    pytest.param(lambda p, out: parse_area(p), "area", "vùng", id="area"),
    pytest.param(lambda p, out: read_layer(p, "villages"), "", "", id="layer"),
])
def test_every_reader_names_the_missing_file(tmp_path, read, kind_en, kind_vi):
    missing = tmp_path / "none.dat"
    with pytest.raises(InputFileError) as exc:
        read(missing, tmp_path / "out.tif")
    expected = missing_file(missing, kind_en, kind_vi, fix="-", fix_vi="-")
    assert (exc.value.en, exc.value.vi) == (expected.en, expected.vi)
    assert exc.value.fix and exc.value.fix_vi
