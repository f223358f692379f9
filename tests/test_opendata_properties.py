"""Property tests (hypothesis): the OSM (Overpass) and OpenCelliD importers and the admin
conventions never raise anything but the project's own error, and account for every row."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis.errors import GisError
from gis.layers.admin_levels import admin_table, find_units
from gis.opendata import read_opencellid, read_osm
from tests.opendata_fixtures import AREA, OCID_HEADER

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

_junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
                  st.text(max_size=6), st.lists(st.integers(), max_size=3),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_lon = st.one_of(st.floats(106.15, 106.35), _junk)
_lat = st.one_of(st.floats(20.05, 20.25), _junk)
_tags = st.one_of(_junk, st.dictionaries(
    st.sampled_from(["place", "amenity", "highway", "name", "man_made", "tower:type", "type",
                     "operator", "landuse", "boundary", "admin_level", "communication"]),
    st.sampled_from(["hamlet", "suburb", "school", "primary", "mast", "communication",
                     "multipolygon", "Viettel", "residential", "administrative", "8", "line",
                     ""]), max_size=4))
_element = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(["node", "way", "relation"]), _junk),
     "id": st.one_of(st.integers(1, 50), _junk)},
    optional={"lat": _lat, "lon": _lon, "tags": _tags,
              "nodes": st.one_of(st.lists(st.integers(1, 50), max_size=5), _junk),
              "center": st.one_of(st.fixed_dictionaries({"lat": _lat, "lon": _lon}), _junk),
              "geometry": st.one_of(st.lists(st.fixed_dictionaries({"lat": _lat, "lon": _lon}),
                                             max_size=5), _junk),
              "members": st.one_of(st.lists(st.fixed_dictionaries(
                  {"type": st.sampled_from(["way", "node", 3]),
                   "ref": st.one_of(st.integers(1, 50), _junk),
                   "role": st.sampled_from(["outer", "inner", ""])}), max_size=3), _junk)})


@SETTINGS
@given(st.lists(st.one_of(_element, _junk), max_size=25))
def test_overpass_answers(elements):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "answer.json"
        path.write_text(json.dumps({"version": 0.6, "generator": "Overpass API",
                                    "elements": elements}), encoding="utf-8")
        try:
            out = read_osm(path, AREA)
        except GisError:
            return
        for _, rep in out.values():
            assert rep.rows_read == rep.rows_loaded + len(rep.rejected)


_cell = st.one_of(st.sampled_from(["GSM", "UMTS", "LTE", "NR", "CDMA", "", "lte"]),
                  st.text(alphabet=string.printable.replace(",", "").replace("\n", "")
                          .replace("\r", "").replace('"', ""), max_size=5))
_num = st.one_of(st.integers(-10, 10**9).map(str), st.floats(allow_nan=True).map(str),
                 st.sampled_from(["452", "460", "310", "4", "1", "", "x"]))
_row = st.tuples(_cell, _num, _num, _num, _num, _num,
                 st.one_of(st.floats(106.1, 106.4).map(str), _num),
                 st.one_of(st.floats(20.0, 20.3).map(str), _num),
                 _num, _num, _num, _num, _num, _num)


@SETTINGS
@given(st.lists(_row, min_size=1, max_size=20), st.booleans())
def test_opencellid_rows(rows, header):
    lines = ([OCID_HEADER] if header else []) + [",".join(r) for r in rows]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "cells.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            _, rep = read_opencellid(path, AREA)
        except GisError:
            return
        assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
        assert rep.extra["rows_in_file"] == rep.rows_read + rep.extra["rows_outside_area"]


@SETTINGS
@given(st.dictionaries(st.sampled_from(["NAME_1", "NAME_2", "NAME_3", "GID_0", "GID_3",
                                        "shapeName", "shapeType", "ADM3_VI", "ADM2_EN",
                                        "ten_xa", "ma_xa", "ten_huyen", "name", "level"]),
                       st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers()),
                                min_size=3, max_size=3), min_size=1, max_size=5),
       st.sampled_from([None, "commune", "district", "province"]), st.text(max_size=6))
def test_admin_conventions(columns, level, unit):
    df = pd.DataFrame(columns)
    try:
        table, _ = admin_table(df, level=level)
        assert len(table) <= len(df)
        find_units(df, unit or "x", level=level)
    except GisError:
        return
