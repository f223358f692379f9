"""Runs cached on their inputs' content, each stage memoised on what it declares it reads."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.params import RunParams
from gis.pipeline.cache import (
    DiskStore,
    MemoryFirst,
    StageDelta,
    digest_project,
    layer_digest,
    run_cached,
)
from gis.pipeline.context import RunContext, Stage
from gis.project import Project


def _layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["Thôn A", "Thôn B"], "population": [100.0, 200.0]},
                            geometry=shapely.points([500_000.0, 500_100.0],
                                                    [2_200_000.0, 2_200_000.0]),
                            crs="EPSG:32648")


def test_layer_digest_follows_content_only():
    a = _layer()
    assert layer_digest(a) == layer_digest(a.copy())
    b = a.copy()
    b.loc[1, "population"] = 201.0
    assert layer_digest(b) != layer_digest(a)
    c = a.copy()
    c.geometry = shapely.points([500_000.0, 500_101.0], [2_200_000.0, 2_200_000.0])
    assert layer_digest(c) != layer_digest(a)        # a point moved by 1 m
    assert layer_digest(a.to_crs(4326)) != layer_digest(a)


def test_stage_delta_replays_what_a_stage_added(tmp_path):
    project = Project(name="x", crs=_layer().crs)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path,
                     hamlets=pd.DataFrame({"name": ["A", "B"]}, index=[3, 7]))

    def stage(c: RunContext) -> None:
        c.hamlets["mobile_4g"] = [True, False]
        c.tables["positions"] = pd.DataFrame({"position_id": ["P1"]})
        c.rasters["coverage_viettel_4g"] = tmp_path / "c.tif"
        c.warn("flat terrain")

    delta = StageDelta.capture(ctx, stage)
    assert list(delta.columns.columns) == ["mobile_4g"]
    assert set(delta.tables) == {"positions"} and delta.warnings == ["flat terrain"]
    other = RunContext(project=project, params=RunParams(), workdir=tmp_path,
                       hamlets=pd.DataFrame({"name": ["A", "B"]}, index=[3, 7]))
    delta.apply(other)
    assert other.hamlets["mobile_4g"].tolist() == [True, False]
    assert other.hamlets.index.tolist() == [3, 7]
    assert "positions" in other.tables and other.warnings == ["flat terrain"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from test_app_support import build_small_project

    return Project.load(build_small_project(tmp_path_factory.mktemp("rc")))


def _counting_stages(calls: list[str]) -> list[Stage]:
    def base(ctx: RunContext) -> None:
        calls.append("hamlets")
        ctx.hamlets = pd.DataFrame({"n": range(len(ctx.project.layer("villages")))})

    def coverage(ctx: RunContext) -> None:
        calls.append("coverage")
        ctx.tables["rx"] = pd.DataFrame({"h": [ctx.params.radio.rx_height_m]})

    def mobile(ctx: RunContext) -> None:
        calls.append("mobile")
        ctx.hamlets["covered"] = ctx.tables["rx"]["h"].iat[0] > ctx.params.mobile.min_pop_share

    return [Stage("hamlets", base, needs=("villages",)),
            Stage("coverage", coverage, needs=("sites",), sections=("radio",)),
            Stage("mobile", mobile, sections=("mobile",), after=("hamlets", "coverage"))]


def test_run_cached_reuses_runs_and_the_coverage_stage(small, tmp_path):
    calls: list[str] = []
    stages = _counting_stages(calls)
    store = DiskStore(tmp_path / "cache")
    params = small.params
    ctx, hit = run_cached(small, params, store=store, stages=stages)
    assert not hit and calls == ["hamlets", "coverage", "mobile"]
    # same inputs: the whole run comes from the store
    calls.clear()
    ctx2, hit = run_cached(small, params, store=store, stages=stages)
    assert hit and calls == []
    assert ctx2.hamlets.equals(ctx.hamlets)
    # the hamlet rule changes: the hamlet table and the coverage are replayed
    rule = dataclasses.replace(params.mobile, min_pop_share=0.5)
    ctx3, hit = run_cached(small, params.replace(mobile=rule), store=store, stages=stages)
    assert not hit and calls == ["mobile"]
    assert ctx3.cache_hits == ["hamlets", "coverage"]
    assert ctx3.hamlets.equals(ctx.hamlets)
    # a radio parameter changes: coverage runs again, and the mobile stage after it
    calls.clear()
    radio = dataclasses.replace(params.radio, rx_height_m=3.0)
    run_cached(small, params.replace(radio=radio), store=store, stages=stages)
    assert calls == ["coverage", "mobile"]
    # a moved site changes the coverage key too
    calls.clear()
    moved = Project(name=small.name, crs=small.crs, layers=dict(small.layers),
                    rasters=dict(small.rasters), params=small.params)
    sites = small.layers["sites"].copy()
    sites.geometry = sites.geometry.translate(10.0, 0.0)
    moved.layers["sites"] = sites
    run_cached(moved, params, store=store, stages=stages)
    assert calls == ["coverage", "mobile"]


def test_memory_first_store_keeps_recent_values(tmp_path):
    memory: dict = {}
    store = MemoryFirst(DiskStore(tmp_path), memory, max_items=2)
    for k in "abc":
        store[k] = k.upper()
    assert list(memory) == ["b", "c"] and store["a"] == "A"     # "a" read back from disk
    assert list(memory) == ["c", "a"]


def test_digest_changes_with_a_raster_file(small, tmp_path):
    d1 = digest_project(small)
    dem = tmp_path / "dem.tif"
    dem.write_bytes(small.rasters["dem"].read_bytes() + b"\0")
    other = Project(name=small.name, crs=small.crs, layers=small.layers,
                    rasters={**small.rasters, "dem": dem}, params=small.params)
    d2 = digest_project(other)
    assert d1.rasters["dem"] != d2.rasters["dem"] and d1.layers == d2.layers
    assert d1.key(["sites"], [], ["radio"]) == d2.key(["sites"], [], ["radio"])
    assert d1.key(["sites"], ["dem"], ["radio"]) != d2.key(["sites"], ["dem"], ["radio"])


def test_disk_store_drops_the_least_recently_used_beyond_its_size(tmp_path):
    import os
    import time

    store = DiskStore(tmp_path, max_bytes=2500)
    for i, key in enumerate("abc"):
        store[key] = b"x" * 1000
        os.utime(tmp_path / f"{key}.pkl", (time.time() + i, time.time() + i))
    assert sorted(store) == ["b", "c"]          # "a" (oldest) went when "c" came
    assert store["b"] == b"x" * 1000


def test_keys_depend_on_the_analysis_code(monkeypatch, small):
    from gis.pipeline import cache as runcache

    d = digest_project(small)
    before = d.key()
    monkeypatch.setattr(runcache, "code_digest", lambda: "another version")
    assert d.key() != before
