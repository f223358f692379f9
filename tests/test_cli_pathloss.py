"""``python -m gis pathloss`` through gis.cli.main."""

from __future__ import annotations

import json

import pytest

from gis.cli import main

BASE = ["pathloss", "--freq-mhz", "1800", "--tx-height-m", "30", "--rx-height-m", "1.5"]


def test_table_output(capsys):
    code = main([*BASE, "--model", "cost231_hata", "--distance-km", "1,5", "--env", "urban"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().splitlines()
    assert "cost231_hata" in lines[0] and "1800 MHz" in lines[0] and "urban" in lines[0]
    assert lines[1].split() == ["distance_km", "path_loss_db"]
    # 1 km: 46.3 + 110.35375 - 20.41381 - 0.042974 + 0 + 3 = 139.1970; 5 km: 163.8181
    assert lines[2].split() == ["1", "139.20"]
    assert lines[3].split() == ["5", "163.82"]


def test_json_output(capsys):
    code = main([*BASE, "--model", "cost231_hata", "--distance-km", "1, 2", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["distance_km"] for r in rows] == [1.0, 2.0]
    # suburban (C_m = 0) at 1 km: 136.1970; at 2 km + 35.224857 * log 2 = + 10.60376 = 146.8007
    assert rows[0]["path_loss_db"] == pytest.approx(136.197, abs=0.001)
    assert rows[1]["path_loss_db"] == pytest.approx(146.8007, abs=0.001)


def test_3gpp_condition(capsys):
    args = ["pathloss", "--model", "rma", "--freq-mhz", "3500", "--tx-height-m", "35",
            "--rx-height-m", "1.5", "--distance-km", "1", "--json"]
    assert main([*args, "--condition", "los"]) == 0
    los = json.loads(capsys.readouterr().out)[0]["path_loss_db"]
    assert main(args) == 0   # default nlos
    nlos = json.loads(capsys.readouterr().out)[0]["path_loss_db"]
    assert los == pytest.approx(105.4596, abs=0.002)
    assert nlos == pytest.approx(130.4243, abs=0.001)


def test_out_of_range_exits_2_unless_forced(capsys):
    args = [*BASE, "--model", "okumura_hata", "--distance-km", "5", "--json"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "freq_mhz = 1800 MHz" in err and "150-1500" in err and "--force" in err
    assert "Lỗi:" in err
    assert main([*args, "--force"]) == 0
    forced = json.loads(capsys.readouterr().out)[0]["path_loss_db"]
    assert forced > 100.0


def test_bad_distance_list(capsys):
    assert main([*BASE, "--model", "free_space", "--distance-km", "1,,x"]) == 2
    assert "--distance-km" in capsys.readouterr().err


def test_free_space_from_horizontal_distance(capsys):
    # h_tx = h_rx: the 3D distance is the horizontal one; 1800 MHz, 1 km:
    # 32.4478 + 20 log 1800 = 32.4478 + 65.10545 = 97.5533
    assert main(["pathloss", "--model", "free_space", "--freq-mhz", "1800", "--tx-height-m",
                 "10", "--rx-height-m", "10", "--distance-km", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["path_loss_db"] == pytest.approx(97.553,
                                                                                  abs=0.001)


def test_unknown_model_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([*BASE, "--model", "hata", "--distance-km", "1"])
    assert exc.value.code == 2
    assert "okumura_hata" in capsys.readouterr().err
