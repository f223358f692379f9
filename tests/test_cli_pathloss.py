"""``python -m gis pathloss`` through gis.cli.main."""

from __future__ import annotations

import json

import numpy as np
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


def test_unknown_model_exits_2_with_the_valid_names_in_both_languages(capsys):
    assert main([*BASE, "--model", "hata", "--distance-km", "1"]) == 2
    err = capsys.readouterr().err
    assert "model = 'hata' is not valid" in err and "okumura_hata" in err and "itm" in err
    assert "không hợp lệ" in err


def test_empirical_model_needs_distances(capsys):
    assert main([*BASE, "--model", "cost231_hata"]) == 2
    assert "--distance-km" in capsys.readouterr().err


# ------------------------------------------------------------------------------ ITM

#: The issue's command line (issue 14), on the profile of :func:`_ridge_csv`.
ITM_ISSUE = ["pathloss", "--model", "itm", "--freq-mhz", "900", "--tx-height-m", "30",
             "--rx-height-m", "1.5", "--epsilon", "15", "--sigma-s-m", "0.005", "--n0", "301",
             "--polarization", "vertical", "--climate", "5", "--time-pct", "50",
             "--location-pct", "50", "--situation-pct", "50", "--mdvar", "12"]


def _ridge_csv(tmp_path, *, sep=",", header="distance_m,elevation_m", decimal="."):
    """A 20 km path at 100 m over one 260 m ridge, elevations written to 3 decimals."""
    x = np.arange(201) * 100.0
    z = np.round(20.0 + 260.0 * np.exp(-(((x - 8000.0) / 1500.0) ** 2))
                 + 6.0 * np.sin(x / 900.0), 3)
    lines = [header.replace(",", sep)]
    lines += [f"{a:g}{sep}{b:.3f}".replace(".", decimal) for a, b in zip(x, z, strict=True)]
    path = tmp_path / "profile.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write(tmp_path, rows, name="p.csv"):
    path = tmp_path / name
    path.write_text("distance_m,elevation_m\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_itm_issue_command_json_equals_ntia(tmp_path, capsys):
    profile = _ridge_csv(tmp_path)
    assert main([*ITM_ISSUE, "--profile", str(profile), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # NTIA's C++ (ITM_P2P_TLS) on the same 201 elevations: 177.388291 dB, line of sight, 0
    assert out["path_loss_db"] == pytest.approx(177.388291, abs=1e-3)
    assert out["mode"] == "line_of_sight" and out["warnings"] == [] and out["warning_flags"] == 0
    assert out["distance_km"] == 20.0 and out["points"] == 201 and out["step_m"] == 100.0
    assert out["params"]["climate"] == 5 and out["params"]["n0_n_units"] == 301.0
    assert out["free_space_db"] == pytest.approx(117.5548, abs=1e-3)  # 32.45+59.0849+26.0206


def test_itm_defaults_and_text_output(tmp_path, capsys):
    profile = _ridge_csv(tmp_path)
    args = ["pathloss", "--model", "itm", "--profile", str(profile), "--freq-mhz", "900",
            "--tx-height-m", "30", "--rx-height-m", "1.5"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Longley-Rice 1.2.2" in text and "climate 3 (maritime subtropical)" in text
    # NTIA's C++ with the project defaults (climate 3, N_0 340, mdvar 12): 177.125102 dB
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("path_loss_db"))
    assert line.split()[-1] == "177.13"
    assert "ITM warnings  none" in text
    assert main([*args, "--lang", "vi"]) == 0
    text = capsys.readouterr().out
    assert "nhìn thẳng" in text and "cận nhiệt đới ven biển" in text and "phân cực dọc" in text


def test_itm_warnings_are_passed_on(tmp_path, capsys):
    x = np.arange(21) * 30.0
    z = np.round(12.0 + 2.0 * np.sin(x / 90.0), 3)
    path = _write(tmp_path, [f"{a:g},{b:.3f}" for a, b in zip(x, z, strict=True)])
    args = ["pathloss", "--model", "itm", "--profile", str(path), "--freq-mhz", "1800",
            "--tx-height-m", "30", "--rx-height-m", "1.5"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # NTIA's C++: 93.118341 dB, flag 0x0040 (path under 1 km)
    assert out["path_loss_db"] == pytest.approx(93.118341, abs=1e-3)
    assert out["warnings"] == ["path_distance_too_small_2"] and out["warning_flags"] == 0x40
    assert main([*args, "--lang", "vi"]) == 0
    assert "khoảng cách nhỏ (dưới 1 km)" in capsys.readouterr().out


def test_itm_reads_semicolons_decimal_commas_and_vietnamese_headers(tmp_path, capsys):
    ref = _ridge_csv(tmp_path)
    assert main([*ITM_ISSUE, "--profile", str(ref), "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["path_loss_db"]
    (tmp_path / "vi").mkdir()
    vi = _ridge_csv(tmp_path / "vi", sep=";", header="Khoảng cách (m),Độ cao (m)", decimal=",")
    assert main([*ITM_ISSUE, "--profile", str(vi), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path_loss_db"] == expected


@pytest.mark.parametrize(("rows", "text"), [
    (["0,10", "200,11", "100,12"], "increase strictly"),
    (["0,10", "-100,11"], "negative"),
    (["0,10"], "at least two"),
    (["0,10", "100,", "200,12"], "elevation_m is empty or not a number"),
    (["0,10", "100,nan", "200,12"], "elevation_m is empty or not a number"),
    (["0,10", "100,11", "300,12"], "--resample-m"),
    (["50,10", "150,11"], "transmitter must be at 0 m"),
])
def test_itm_bad_profiles_exit_2_in_both_languages(tmp_path, capsys, rows, text):
    path = _write(tmp_path, rows)
    assert main([*ITM_ISSUE, "--profile", str(path)]) == 2
    err = capsys.readouterr().err
    assert text in err and "p.csv" in err and "Lỗi:" in err


def test_itm_resample_interpolates_an_uneven_profile(tmp_path, capsys):
    path = _write(tmp_path, ["0,10", "100,11", "300,13", "400,14"])
    assert main([*ITM_ISSUE, "--profile", str(path), "--resample-m", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["points"] == 5 and out["step_m"] == 100.0 and out["distance_km"] == 0.4
    assert "path_distance_too_small_2" in out["warnings"]


@pytest.mark.parametrize(("option", "value", "name", "valid"), [
    ("--n0", "200", "n0_n_units", "250-400 N-units"),
    ("--climate", "9", "climate", "1 equatorial"),
    ("--mdvar", "5", "mdvar", "0-3, 10-13, 20-23 or 30-33"),
    ("--time-pct", "100", "time_pct", "0 < % < 100"),
    ("--location-pct", "0", "location_pct", "0 < % < 100"),
    ("--situation-pct", "-5", "situation_pct", "0 < % < 100"),
    ("--epsilon", "0.5", "epsilon", "epsilon >= 1"),
    ("--sigma-s-m", "0", "sigma_s_m", "sigma > 0 S/m"),
    ("--polarization", "circular", "polarization", "horizontal (0) or vertical (1)"),
    ("--freq-mhz", "10", "freq_mhz", "20-20000 MHz"),
    ("--tx-height-m", "0.2", "tx_height_m", "0.5-3000 m"),
    ("--rx-height-m", "5000", "rx_height_m", "0.5-3000 m"),
])
def test_itm_parameters_outside_ntias_ranges_exit_2(tmp_path, capsys, option, value, name,
                                                     valid):
    profile = _ridge_csv(tmp_path)
    args = list(ITM_ISSUE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    assert main([*args, "--profile", str(profile)]) == 2
    err = capsys.readouterr().err
    assert name in err and valid in err
    assert "nằm ngoài phạm vi hợp lệ của NTIA" in err


def test_itm_needs_a_readable_profile(tmp_path, capsys):
    assert main(ITM_ISSUE) == 2
    assert "--profile PROFILE.csv" in capsys.readouterr().err
    assert main([*ITM_ISSUE, "--profile", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Cannot read the profile file" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n0,1\n", encoding="utf-8")
    assert main([*ITM_ISSUE, "--profile", str(bad)]) == 2
    assert "no distance_m and elevation_m column" in capsys.readouterr().err
    assert main([*ITM_ISSUE, "--profile", str(bad), "--distance-km", "1"]) == 2
    assert "--distance-km is for the empirical models" in capsys.readouterr().err
