"""The whole run on the bundled sample area: every output, and the designed gaps come out right.

The sample's villages carry a ``sample_design`` tag for the gaps built into it on purpose
(data/README.md): trắng sóng hamlets in a hidden basin, lõm sóng hamlets in a split valley,
hamlets without fiber or without a road.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gis.project import Project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hamlets(sample_run_dir) -> pd.DataFrame:
    return pd.read_csv(sample_run_dir / "hamlets.csv", encoding="utf-8-sig",
                       dtype={"village_id": str})


@pytest.fixture(scope="module")
def design(sample_dir) -> pd.Series:
    villages = Project.load(sample_dir).layer("villages")
    return villages["sample_design"].fillna("").astype(str)


def _tagged(design: pd.Series, tag: str) -> np.ndarray:
    return design.str.split(";").apply(lambda tags: tag in tags).to_numpy()


def test_every_village_once_in_input_order(hamlets, sample_dir):
    villages = Project.load(sample_dir).layer("villages")
    assert list(hamlets["village_id"]) == list(villages["village_id"].astype(str))
    assert hamlets["name"].str.contains("Thôn|Xóm|Bản|Tổ dân phố").all()


def test_the_run_writes_every_output(sample_run_dir):
    names = {p.name for p in sample_run_dir.iterdir()}
    for required in ("hamlets.csv", "run.json", "positions.csv", "colocation_opportunities.csv",
                     "proposed_towers.csv", "proposed_towers.geojson", "consolidation.csv",
                     "switch_off_impact.csv", "fiber_extensions.csv", "fiber_extensions.geojson",
                     "facilities.csv", "coverage_viettel_4g.tif"):
        assert required in names, required
    meta = json.loads((sample_run_dir / "run.json").read_text(encoding="utf-8"))
    assert {"coverage", "mobile", "sharing", "ftth"} <= set(meta["timings_s"])
    assert meta["defaults"], "the sample leaves sectors and heights out on purpose"


def test_designed_no_signal_and_weak_spots(hamlets, design):
    no_signal = _tagged(design, "no_signal")
    weak = _tagged(design, "weak_spot")
    assert no_signal.sum() == 6 and weak.sum() == 3
    assert hamlets.loc[no_signal, "no_signal"].all()
    assert not hamlets.loc[no_signal, "mobile_4g"].any()
    assert hamlets.loc[weak, "weak_spot"].all()
    assert not hamlets.loc[weak, "no_signal"].any()


def test_hamlets_built_without_fiber_are_uncovered_and_get_a_plan(hamlets, design,
                                                                  sample_run_dir):
    no_fiber = _tagged(design, "no_fiber")
    assert not hamlets.loc[no_fiber, "ftth"].any()
    routes = pd.read_csv(sample_run_dir / "fiber_extensions.csv", encoding="utf-8-sig")
    assert len(routes) > 0 and (routes["cost_vnd"] > 0).all()
    planned = hamlets.loc[no_fiber, "fiber_plan_status"].astype(str)
    no_road = _tagged(design, "no_road")[no_fiber]
    # Every no-fiber hamlet with a road gets a route (or only needs a splitter on a passing cable).
    assert planned[~no_road].isin(["planned", "needs_splitter"]).all(), planned.value_counts()


def test_every_hamlet_without_broadband_gets_a_fix_or_a_reason(hamlets, sample_run_dir):
    lacking = ~(hamlets["mobile_4g"] | hamlets["mobile_5g"])
    fix = hamlets["colocation_fix"].fillna("").ne("") | hamlets["proposed_tower_id"].fillna("").ne("")
    unreachable = pd.read_csv(sample_run_dir / "unreachable_hamlets.csv", encoding="utf-8-sig",
                              dtype={"village_id": str})
    reasoned = hamlets["village_id"].isin(unreachable["village_id"])
    assert lacking.sum() > 0
    assert (fix | reasoned)[lacking].all()
    towers = gpd.read_file(sample_run_dir / "proposed_towers.geojson")
    assert set(towers["tower_id"]) == set(hamlets["proposed_tower_id"].dropna()) - {""}


def test_sharing_rate_equals_the_positions_table(sample_run_dir):
    positions = pd.read_csv(sample_run_dir / "positions.csv", encoding="utf-8-sig")
    rates = pd.read_csv(sample_run_dir / "sharing_rates.csv", encoding="utf-8-sig")
    area = rates[rates["scope_type"] == "area"].iloc[0]
    assert area["sharing_rate"] == pytest.approx((positions["n_operators"] >= 2).mean())
    assert positions["shared"].sum() > 0
