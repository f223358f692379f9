"""RadioParams, TechDefaults and CoverageTiers: defaults, validation, params.json round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gis.config import from_dict, to_dict
from gis.errors import ValidationError
from gis.params import RunParams
from gis.radio.models import Environment, Model, path_loss_db
from gis.radio.params import CoverageTiers, Diffraction, RadioParams, TechDefaults


def test_tiers_classify_and_order():
    tiers = CoverageTiers(-95.0, -105.0, -110.0)
    codes = tiers.classify([-80.0, -95.0, -100.0, -105.0, -109.9, -110.0, -110.1, np.nan])
    assert codes.tolist() == [3, 3, 2, 2, 1, 1, 0, 0]
    assert tiers.covered_dbm == -110.0
    with pytest.raises(ValidationError, match="good >= fair >= edge"):
        CoverageTiers(-110.0, -105.0, -95.0)


def test_default_tiers_per_tech():
    p = RadioParams()
    assert p.tech("4G").tiers == CoverageTiers(-95.0, -105.0, -110.0)
    # 5G SS-RSRP tiers of their own: 5 dB above 4G's (per-RE noise of 30 kHz SCS + the
    # operators' SS-RSRP >= -105 dBm coverage criterion, see DEFAULT_TECHS)
    assert p.tech("5G").tiers == CoverageTiers(-90.0, -100.0, -105.0)
    assert p.tech("3G").tiers.edge_dbm == -105.0
    assert p.tech("2G").tiers.edge_dbm == -100.0
    assert [p.tech(t).signal for t in ("2G", "3G", "4G", "5G")] == \
        ["rxlev", "rscp", "rsrp", "ss_rsrp"]


def test_tech_defaults_subcarriers_and_offsets():
    p = RadioParams()
    assert p.tech("4G").n_subcarriers == 1200
    assert p.tech("5G").n_subcarriers == 3276
    assert p.tech("3G").n_subcarriers is None
    assert p.tech("3G").signal_offset_db == -10.0
    # 4G RSRP at boresight per RE: 61 - 30.791812 = 30.208188 dBm
    assert p.tech("4G").eirp_dbm + p.tech("4G").signal_offset_db == pytest.approx(30.208188,
                                                                                 abs=1e-6)


def test_tech_defaults_validation():
    with pytest.raises(ValidationError, match="tilt_deg"):
        TechDefaults("4G", 1800.0, 20.0, 61.0, 17.0, 45.0, 10_000.0)
    with pytest.raises(ValidationError, match="bandwidth"):
        TechDefaults("4G", 1800.0, 12.0, 61.0, 17.0, 3.0, 10_000.0)
    with pytest.raises(ValidationError, match="6G"):
        TechDefaults("6G", 1800.0, 20.0, 61.0, 17.0, 3.0, 10_000.0)


def test_model_by_frequency():
    p = RadioParams()
    assert [p.model_for(f) for f in (700, 900, 1500, 1800, 2100, 2600, 3500, 3850)] == [
        Model.OKUMURA_HATA, Model.OKUMURA_HATA, Model.OKUMURA_HATA, Model.COST231_HATA,
        Model.COST231_HATA, Model.RMA, Model.RMA, Model.RMA]
    assert p.models_for(np.array([900.0, 1800.0, 3500.0, 1e9])).tolist() == \
        ["okumura_hata", "cost231_hata", "rma", "rma"]


def test_median_path_loss_uses_the_params():
    p = RadioParams()
    # COST 231's medium city (C_m = 0) from 1 km on ...
    c_m0 = float(path_loss_db("cost231_hata", 2000.0, 1800.0, 36.0, 1.5, env="suburban",
                              force=True))
    # ... minus Hata's suburban correction 2 (log(1800/28))^2 + 5.4 = 2 * 1.808114^2 + 5.4
    #   = 11.938556 dB (ITU-R SM.2028 extended Hata)
    assert float(p.median_path_loss_db(2000.0, 1800.0, 36.0)) == pytest.approx(
        c_m0 - 11.938556, abs=1e-5)
    # urban medium city: C_m = 0; large city: the metropolitan C_m = 3 dB
    urban = p.replace(env=Environment.URBAN)
    assert float(urban.median_path_loss_db(2000.0, 1800.0, 36.0)) == pytest.approx(c_m0)
    metro = urban.replace(large_city=True).median_path_loss_db(2000.0, 1800.0, 36.0)
    assert float(metro) == pytest.approx(c_m0 + 3.0)
    # COST 231's own classes when asked (the pathloss CLI's meaning)
    own = p.replace(cost231_hata_classes=False).median_path_loss_db(2000.0, 1800.0, 36.0)
    assert float(own) == pytest.approx(c_m0)
    # Okumura-Hata at 900 MHz, 5 km: the params' env
    assert float(p.median_path_loss_db(5000.0, 900.0, 30.0)) == pytest.approx(
        float(path_loss_db("okumura_hata", 5000.0, 900.0, 30.0, 1.5, env="suburban", force=True)))


def test_median_fallbacks_outside_the_validity_range():
    """FALLBACKS: SM.2028's short range for Hata below 1 km, RMa NLOS beyond 5 km."""
    p = RadioParams()
    fs = float(path_loss_db("free_space", 40.0, 1800.0, 36.0, 1.5))  # 3-D: sqrt(40^2 + 34.5^2)
    # 0 and 10 m are raised to the 20 m floor, then free space (3-D distance) up to 40 m:
    # 20 log10(4 pi sqrt(20^2 + 34.5^2) 1.8e9 / c) = 20 log10(4 pi * 39.878 * 6.00415) = 69.568 dB
    near = p.median_path_loss_db(np.array([0.0, 10.0, 40.0]), 1800.0, 36.0)
    fs20 = 20 * math.log10(4 * math.pi * math.hypot(20.0, 34.5) * 1800e6 / 299_792_458.0)
    assert fs20 == pytest.approx(69.568, abs=1e-3)
    np.testing.assert_allclose(near, [fs20, fs20, fs], atol=1e-9)
    # between 40 and 100 m: linear in log10(d) from free space at 40 m to the formula at 100 m
    f100 = float(path_loss_db("cost231_hata", 100.0, 1800.0, 36.0, 1.5, env="suburban",
                              force=True)) - 11.938556
    t = (math.log10(70) - math.log10(40)) / (2 - math.log10(40))
    assert float(p.median_path_loss_db(70.0, 1800.0, 36.0)) == pytest.approx(
        fs + t * (f100 - fs), abs=1e-5)
    # from 100 m the formula, never below free space (the open class would be, at 300 m)
    f300 = float(path_loss_db("cost231_hata", 300.0, 1800.0, 36.0, 1.5, env="suburban",
                              force=True)) - 11.938556
    assert float(p.median_path_loss_db(300.0, 1800.0, 36.0)) == pytest.approx(f300, abs=1e-5)
    open_ = p.replace(env="open").median_path_loss_db(300.0, 1800.0, 36.0)
    assert float(open_) == pytest.approx(float(path_loss_db("free_space", 300.0, 1800.0, 36.0,
                                                            1.5)), abs=1e-9)
    # RMa NLOS beyond 5 km: the 5 km NLOS value plus the LOS formula's increase from 5 km
    nlos5 = float(path_loss_db("rma", 5000.0, 3500.0, 36.0, 1.5, force=True))
    los5 = float(path_loss_db("rma", 5000.0, 3500.0, 36.0, 1.5, condition="los"))
    los6 = float(path_loss_db("rma", 6000.0, 3500.0, 36.0, 1.5, condition="los"))
    counts = np.zeros(5, np.int64)
    got = p.median_path_loss_db(np.array([4000.0, 6000.0]), 3500.0, 36.0, counts=counts)
    assert got[0] == pytest.approx(float(path_loss_db("rma", 4000.0, 3500.0, 36.0, 1.5)))
    assert got[1] == pytest.approx(nlos5 + los6 - los5, abs=1e-9)
    # (0.1 dB above the extrapolated NLOS formula: LOS's 40 dB/decade against NLOS's 38.6)
    assert got[1] - float(path_loss_db("rma", 6000.0, 3500.0, 36.0, 1.5, force=True)) == \
        pytest.approx(0.111, abs=1e-3)
    assert counts.tolist() == [0, 0, 1, 0, 0]  # one cell used the NLOS-beyond-range fallback
    # continuous at 5 km
    assert float(p.median_path_loss_db(5000.0 + 1e-6, 3500.0, 36.0)) == pytest.approx(nlos5,
                                                                                       abs=1e-6)


def test_default_classes_continuous_where_the_hata_models_meet():
    # at the 1500 MHz switch the suburban loss jumps by only ~1.3 dB (Hata vs COST-231 fit),
    # not by the ~13 dB of mixing Hata's suburban with COST 231's medium city
    p = RadioParams()
    below = p.median_path_loss_db(5000.0, 1500.0, 36.0)
    above = p.median_path_loss_db(5000.0, 1500.001, 36.0)
    assert 0.0 < float(above - below) < 1.5


def test_operator_bands_and_heights():
    p = RadioParams()
    assert p.default_freq_mhz("Viettel", "5G") == 2550.0
    assert p.default_freq_mhz("VinaPhone", "5G") == 3750.0
    assert p.default_freq_mhz("Vietnamobile", "5G") == 3500.0
    assert p.default_freq_mhz("Viettel", "4G") == 1800.0
    assert p.height_for("A2b") == 36.0
    assert p.height_for("A-2a") == 15.0
    assert p.height_for("A1") == 12.0
    assert p.height_for("Trên nhà") == 15.0
    assert p.height_for("spaceship") is None
    custom = RadioParams(structure_heights_m={"A2b": 42.0, "A3": 60.0})
    assert custom.height_for("a2b") == 42.0 and custom.height_for("A3") == 60.0
    assert custom.height_for("A1") == 12.0
    assert p.height_for(None) is None


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        (dict(k_factor=0.0), "k_factor"),
        (dict(rx_height_m=-1.0), "rx_height_m"),
        (dict(penetration_loss_db=-3.0), "penetration_loss_db"),
        (dict(diffraction="fresnel"), "delta_bullington, bullington, deygout, none"),
        (dict(bullington_correction="often"), "multi_edge, p526, none"),
        (dict(polarization="circular"), "vertical, horizontal"),
        (dict(ground_permittivity=0.5), "ground_permittivity"),
        (dict(ground_conductivity_s_m=0.0), "ground_conductivity_s_m"),
        (dict(default_tech="6G"), "default_tech"),
        (dict(env="rural"), "urban, suburban, open"),
        (dict(techs={"7G": {}}), "7G"),
        (dict(clutter_loss_db={"forest": "x"}), "clutter_loss_db"),
        (dict(default_azimuths_deg=()), "default_azimuths_deg"),
    ],
)
def test_radio_params_validation(changes, match):
    with pytest.raises(ValidationError, match=match):
        RadioParams(**changes)


def test_run_params_json_round_trip(tmp_path):
    p = RunParams()
    path = tmp_path / "params.json"
    p.to_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["radio"]["techs"]["4G"]["tiers"]["edge_dbm"] == -110.0
    assert data["radio"]["clutter_loss_db"]["10"] == 6.0
    assert RunParams.from_json(path) == p


def test_partial_params_override_only_what_they_name():
    r = from_dict(RunParams, {"radio": {
        "techs": {"4G": {"eirp_dbm": 58, "tiers": {"edge_dbm": -115}}},
        "env": "open", "diffraction": "bullington", "clutter_loss_db": {"10": 9},
        "model_rules": [{"max_freq_mhz": 100000, "model": "rma"}],
    }}).radio
    assert r.techs["4G"].eirp_dbm == 58.0
    assert r.techs["4G"].tiers == CoverageTiers(-95.0, -105.0, -115.0)
    assert r.techs["4G"].freq_mhz == 1800.0           # untouched
    assert r.techs["2G"] == RadioParams().techs["2G"]  # other techs keep their defaults
    assert r.env == Environment.OPEN and r.diffraction == Diffraction.BULLINGTON
    assert r.clutter_loss_db[10] == 9.0 and r.clutter_loss_db[50] == 3.0
    assert r.model_for(900.0) == Model.RMA
    assert to_dict(r)["env"] == "open"


def test_unsorted_model_rules_rejected():
    with pytest.raises(ValidationError, match="sorted"):
        RadioParams(model_rules=({"max_freq_mhz": 3000, "model": "rma"},
                                 {"max_freq_mhz": 1000, "model": "okumura_hata"}))


def test_clutter_lookup_table():
    lut = RadioParams(clutter_loss_db={"10": 8.0, "300": 5.0}).clutter_lut()
    assert lut.shape == (256,) and lut.dtype == np.float32
    classes = np.array([[10, 40], [50, 0]], dtype=np.uint8)
    assert lut[classes].tolist() == [[8.0, 0.0], [3.0, 0.0]]
