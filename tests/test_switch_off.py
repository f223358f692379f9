import pandas as pd

from gis.analysis.switch_off import switch_off_impact, switch_off_table


def test_switch_off_by_hand():
    # h1: Viettel 2G only                      -> lost at 2G off (and so at 3G off)
    # h2: Viettel 2G + MobiFone 3G             -> kept at 2G off, lost at 3G off
    # h3: Viettel 2G + VinaPhone 4G            -> never lost overall; Viettel alone loses it
    # h4: nothing                              -> not "lost": it never had service
    long = pd.DataFrame([
        ("h1", "Viettel", "2G", True), ("h1", "Viettel", "4G", False),
        ("h2", "Viettel", "2G", True), ("h2", "MobiFone", "3G", True),
        ("h3", "Viettel", "2G", True), ("h3", "VinaPhone", "4G", True),
        ("h4", "Viettel", "2G", False),
    ], columns=["hamlet", "operator", "tech", "covered"])
    index = pd.Index(["h1", "h2", "h3", "h4"])
    flags = switch_off_impact(long, index)
    assert list(flags["lost_if_2g_off"]) == [True, False, False, False]
    assert list(flags["lost_if_3g_off"]) == [True, True, False, False]
    assert list(flags["lost_if_2g_off_viettel"]) == [True, True, True, False]
    assert list(flags["lost_if_3g_off_mobifone"]) == [False, True, False, False]

    table = switch_off_table(flags, pd.Series([100, 200, 300, 400], index=index))
    overall = table[table["operator"] == "all"].set_index("switch_off")
    assert overall.loc["2G", "hamlets_lost"] == 1 and overall.loc["2G", "population_lost"] == 100
    assert overall.loc["3G", "hamlets_lost"] == 2 and overall.loc["3G", "population_lost"] == 300
    viettel = table[(table["operator"] == "viettel") & (table["switch_off"] == "2G")].iloc[0]
    assert viettel["population_lost"] == 600
