import json

import pytest

from gis.config import from_dict, to_dict
from gis.errors import ValidationError
from gis.params import LoadParams, RunParams


def test_round_trip_through_json(tmp_path):
    params = RunParams(load=LoadParams(province="Nam Định", meridian_standard="tt24"))
    path = tmp_path / "params.json"
    params.to_json(path)
    assert "Nam Định" in path.read_text(encoding="utf-8")
    assert RunParams.from_json(path) == params


def test_partial_file_keeps_defaults(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"load": {"province": "Hà Nội"}}), encoding="utf-8")
    params = RunParams.from_json(path)
    assert params.load.province == "Hà Nội"
    assert params.load.meridian_standard == LoadParams().meridian_standard


def test_unknown_key_lists_valid_keys(tmp_path):
    with pytest.raises(ValidationError, match="meridian_standard") as exc:
        from_dict(RunParams, {"load": {"provnce": "x"}}, source="p.json")
    assert "provnce" in str(exc.value)


def test_bad_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="broken.json"):
        RunParams.from_json(path)


def test_to_dict_is_plain():
    assert to_dict(RunParams())["load"] == {"province": "", "meridian_standard": "tt973"}
