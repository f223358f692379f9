"""The stages after the coverage partitioned by province (gis.scale.partition): FTTH, facilities
and the sharing stage's covering pairs. Every table and raster of a two-province area equals
the one-piece run, in one process, on a LocalCluster and on a real ``dask scheduler`` with two
``dask worker`` processes (one of which dies); resumption; faults; national outputs."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

import gis
from gis.errors import InputFileError
from gis.pipeline.stages import run
from gis.scale.params import ScaleParams
from gis.scale.partition import (
    KILL_ONCE_ENV,
    ONE_PARTITION,
    Partition,
    assign_points,
    make_partitions,
    run_partitions,
)


@pytest.fixture(scope="module", autouse=True)
def _sharing_pairs_on_dask():
    """Every round of the sharing stage's covering pairs goes to the partitions (the sample's
    402 hamlets are below the size at which the driver keeps them)."""
    import gis.pipeline.sharing_reach as sharing_reach

    saved = sharing_reach.REACH_IN_PROCESS_BELOW
    sharing_reach.REACH_IN_PROCESS_BELOW = 0
    yield
    sharing_reach.REACH_IN_PROCESS_BELOW = saved


@pytest.fixture(scope="module")
def two_provinces(sample_dir, tmp_path_factory):
    """The sample district with its western hamlets named in Thanh Hóa: the hamlets stage gives
    361 hamlets to Ninh Bình (37) and 41 to Thanh Hóa (38); coverage on a 150 m grid (seconds)
    in 8 km tiles, so that the run is tiled and partitioned."""
    project = gis.load_project(sample_dir)
    v = project.layer("villages").copy()
    x = shapely.get_x(shapely.centroid(np.asarray(v.geometry.values, dtype=object)))
    v.loc[x < np.median(x), "province"] = "Thanh Hóa"
    project.set_layer("villages", v)
    params = project.params
    radio = dataclasses.replace(params.radio, grid_resolution_m=150.0)
    scale = dataclasses.replace(params.scale, tile_above_km2=0.0, tile_km=8.0,
                                scheduler="synchronous")
    return project, params.replace(radio=radio, scale=scale)


def _with(params, **scale):
    return params.replace(scale=dataclasses.replace(params.scale, **scale))


@pytest.fixture(scope="module")
def one_piece(two_provinces, tmp_path_factory):
    """The reference: the same tiled coverage, every later stage in one piece."""
    project, params = two_provinces
    return run(project, _with(params, partition_by="none"),
               out_dir=tmp_path_factory.mktemp("one_piece"))


def _partition_notes(ctx) -> list[str]:
    return [str(d) for d in ctx.defaults if "partition(s) by province" in d]


def assert_same_run(ref, ctx) -> None:
    """Every table row for row, the hamlet table, every raster cell for cell."""
    pd.testing.assert_frame_equal(ref.hamlets, ctx.hamlets)
    assert sorted(ref.tables) == sorted(ctx.tables)
    for name, table in ref.tables.items():
        pd.testing.assert_frame_equal(table, ctx.tables[name], obj=name)
    assert sorted(ref.rasters) == sorted(ctx.rasters)
    for name, path in ref.rasters.items():
        with rasterio.open(path) as a, rasterio.open(ctx.rasters[name]) as b:
            assert a.transform == b.transform and a.shape == b.shape
            np.testing.assert_array_equal(a.read(1), b.read(1), err_msg=name)


def test_partitions_by_province_then_admin_then_one():
    h = pd.DataFrame({"province_code": ["38", "37", None, "37"],
                      "province": ["Tỉnh Thanh Hóa", "Tỉnh Ninh Bình", "Tỉnh Ninh Bình",
                                   "Tỉnh Ninh Bình"]})
    parts = make_partitions(h)
    assert [p.key for p in parts] == ["37", "38", "Tỉnh Ninh Bình"]
    assert [p.hamlets.tolist() for p in parts] == [[1, 3], [0], [2]]
    # no units in the hamlet table: the admin polygon containing the centre, else the nearest
    import geopandas as gpd

    admin = gpd.GeoDataFrame({"province": ["A", "B"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
                             crs=32648)
    xy = np.array([[5.0, 5.0], [15.0, 5.0], [25.0, 5.0], [1.0, 1.0]])
    parts = make_partitions(pd.DataFrame(index=range(4)), admin=admin, centres_xy=xy)
    assert [(p.key, p.hamlets.tolist()) for p in parts] == [("A", [0, 3]), ("B", [1, 2])]
    one = make_partitions(pd.DataFrame(index=range(3)))
    assert len(one) == 1 and one[0].key == ONE_PARTITION and one[0].hamlets.tolist() == [0, 1, 2]
    # a facility goes to the partition of its nearest hamlet centre
    parts = [Partition("A", "A", np.array([0, 3])), Partition("B", "B", np.array([1, 2]))]
    of = assign_points(np.array([[14.0, 5.0], [2.0, 2.0], [np.nan, np.nan]]), xy, parts)
    assert of.tolist() == [1, 0, 0]


def test_partitioned_run_equals_one_piece_in_process(two_provinces, one_piece, tmp_path):
    project, params = two_provinces
    ctx = run(project, params, out_dir=tmp_path)
    notes = _partition_notes(ctx)
    assert notes == ["Stage 'ftth' ran in 2 partition(s) by province (0 reused from an "
                     "earlier run).",
                     "Stage 'facilities' ran in 2 partition(s) by province (0 reused from an "
                     "earlier run)."]
    assert _partition_notes(one_piece) == []
    # the sharing stage's covering pairs: 4 operators' co-location hosts, their consolidation
    # checks, the new-tower candidates
    assert ("Sharing: the covering pairs of 9 round(s) computed in 18 partition task(s) over "
            "2 province(s) (0 reused from an earlier run).") in ctx.defaults
    assert len(ctx.tables["proposed_towers"]) > 3
    assert len(ctx.tables["colocation_opportunities"]) > 100
    assert sorted(ctx.hamlets["province_code"].value_counts().items()) == [("37", 361),
                                                                          ("38", 41)]
    # the reference is not trivial: FTTH and its absence on both sides, facilities sampled
    for code in ("37", "38"):
        ftth = ctx.hamlets.loc[ctx.hamlets["province_code"] == code, "ftth"]
        assert 0 < ftth.mean() < 1
    assert ctx.tables["facilities"]["rsrp_4g_dbm"].notna().sum() > 100
    assert_same_run(one_piece, ctx)
    with rasterio.open(ctx.rasters["coverage_viettel_4g"]) as src:   # assembled from tiles
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    for stage, key in (("ftth", "37"), ("ftth", "38"), ("facilities", "38")):
        assert (tmp_path / "partitions" / stage / key / "done.json").is_file()


def test_rerun_after_an_interruption_computes_only_the_missing_partition(two_provinces,
                                                                         one_piece, tmp_path):
    project, params = two_provinces
    run(project, params, out_dir=tmp_path)
    # as if killed after Ninh Bình's FTTH: Thanh Hóa's marker is missing
    (tmp_path / "partitions" / "ftth" / "38" / "done.json").unlink()
    kept = (tmp_path / "partitions" / "ftth" / "37" / "done.json").stat().st_mtime_ns
    ctx = run(project, params, out_dir=tmp_path)
    assert _partition_notes(ctx)[0] == ("Stage 'ftth' ran in 2 partition(s) by province "
                                        "(1 reused from an earlier run).")
    assert (tmp_path / "partitions" / "ftth" / "37" / "done.json").stat().st_mtime_ns == kept
    assert_same_run(one_piece, ctx)
    # other parameters: nothing is reused
    fiber = dataclasses.replace(params.fiber, drop_max_m=params.fiber.drop_max_m + 50.0)
    ctx = run(project, params.replace(fiber=fiber), out_dir=tmp_path)
    assert "(0 reused" in _partition_notes(ctx)[0]


def _double(payload, shared):
    return payload * 2 + (shared or 0)


def test_a_partition_whose_input_is_missing_says_which(tmp_path):
    parts = [Partition("37", "Tỉnh Ninh Bình", np.arange(2))]
    scale = ScaleParams(scheduler="synchronous")
    with pytest.raises(InputFileError) as err:
        run_partitions("ftth", parts, [1], _double, out_dir=tmp_path, scale=scale,
                       inputs=[tmp_path / "missing_population.tif"])
    for lang in ("en", "vi"):
        msg = err.value.message(lang)
        assert "37" in msg and "missing_population.tif" in msg and "ftth" in msg
    assert "not found" in err.value.message("en")
    assert "không tìm thấy" in err.value.message("vi")
    out = run_partitions("ftth", parts, [1], _double, out_dir=tmp_path, scale=scale, shared=5)
    assert out.results == [7] and out.computed == ["37"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_exits_2_with_both_languages(sample_dir, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"   # nothing listens there
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gis", "run", "--project", str(sample_dir),
                           "--out", str(tmp_path), "--scheduler", address, "--no-progress"],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert elapsed < 30
    assert "Traceback" not in proc.stderr
    assert f"Cannot reach the Dask scheduler {address}" in proc.stderr
    assert f"Không kết nối được bộ lập lịch Dask {address}" in proc.stderr
    assert "dask scheduler" in proc.stderr and "--scheduler processes" in proc.stderr


@pytest.mark.slow
def test_partitioned_run_equals_one_piece_on_a_local_cluster(two_provinces, one_piece,
                                                             tmp_path):
    distributed = pytest.importorskip("distributed")
    project, params = two_provinces
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        ctx = gis.run(project, params, out_dir=tmp_path, client=client)
        assert len(client.run(os.getpid)) == 2
    assert len(_partition_notes(ctx)) == 2
    assert_same_run(one_piece, ctx)


@pytest.fixture
def scheduler_and_workers(tmp_path):
    """A real ``dask scheduler`` and two ``dask worker`` processes (one thread each) on
    loopback, random free ports; the workers kill themselves in the first partition task they
    run (:data:`gis.scale.partition.KILL_ONCE_ENV`), once. Killed in teardown."""
    pytest.importorskip("distributed")
    dask_cli = Path(sys.executable).with_name("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    flag = tmp_path / "killed-once"
    env = {**os.environ, KILL_ONCE_ENV: str(flag), "PYTHONPATH": str(Path(gis.__file__)
                                                                   .parents[1])}
    logs = [open(tmp_path / f"{name}.log", "w") for name in ("scheduler", "workers")]  # noqa: SIM115
    procs = [subprocess.Popen([str(dask_cli), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--dashboard-address", ":0"], env=env,
                              stdout=logs[0], stderr=subprocess.STDOUT)]
    try:
        procs.append(subprocess.Popen([str(dask_cli), "worker", address, "--nthreads", "1",
                                       "--nworkers", "2", "--dashboard-address", ":0",
                                       "--local-directory", str(tmp_path / "dask-worker")],
                                      env=env, stdout=logs[1], stderr=subprocess.STDOUT))
        import distributed

        client = distributed.Client(address, timeout="30s")
        client.wait_for_workers(2, timeout=60)
        # our workers (not another test's cluster on a reused port), with the fault armed
        armed = client.run(lambda: os.environ.get(KILL_ONCE_ENV))
        assert sorted(armed.values()) == [str(flag)] * 2, armed
        yield client, flag
        client.close()
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()


@pytest.mark.slow
def test_partitioned_run_equals_one_piece_on_a_scheduler_whose_worker_dies(
        two_provinces, one_piece, scheduler_and_workers, tmp_path):
    client, flag = scheduler_and_workers
    project, params = two_provinces
    ctx = gis.run(project, params, out_dir=tmp_path / "out", client=client)
    # a worker died in its first partition (its log in tmp_path/workers.log); the task ran
    # again and the run finished with the same results
    assert flag.is_file()
    assert len(_partition_notes(ctx)) == 2
    assert_same_run(one_piece, ctx)


def test_cloud_optimized_geotiff_with_overviews(tmp_path):
    """write_geotiff(cog=True): GDAL's COG layout, overviews until one fits a 256-cell block, the
    full-resolution cells and the tags unchanged (lossless)."""
    from affine import Affine

    from gis.layers.rasters import write_geotiff

    rng = np.random.default_rng(3)
    arr = rng.normal(-90.0, 12.0, (700, 1100)).astype(np.float32)
    arr[:50, :70] = np.nan
    srv = rng.integers(-1, 5000, arr.shape).astype(np.int32)
    tr = Affine(30.0, 0.0, 600_000.0, 0.0, -30.0, 2_300_000.0)
    for a, nodata in ((arr, float("nan")), (srv, -1)):
        path = write_geotiff(tmp_path / f"r_{a.dtype}.tif", a, tr, "EPSG:32648", nodata=nodata,
                             tags={"units": "dBm"}, cog=True)
        with rasterio.open(path) as src:
            assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
            assert src.overviews(1) == [2, 4, 8]  # 1100 -> 550 -> 275 -> 138: one block
            assert src.block_shapes[0] == (256, 256) and src.tags()["units"] == "dBm"
            np.testing.assert_array_equal(src.read(1), a)
            assert src.transform == tr
    assert not list(tmp_path.glob(".*"))   # no temporary file left


def test_uncovered_list_and_indicators_per_province(one_piece, tmp_path):
    from gis.pipeline.write import results_of
    from gis.report.by_province import write_by_province

    results = results_of(one_piece)
    paths = write_by_province(results, tmp_path)
    folders = sorted(p.parent.name for p in paths)
    assert folders == ["37_tinh_ninh_binh"] * 2 + ["38_tinh_thanh_hoa"] * 2
    whole = results.uncovered("en")
    ind = results.indicators
    h = one_piece.hamlets
    seen = 0
    for code, folder in (("37", "37_tinh_ninh_binh"), ("38", "38_tinh_thanh_hoa")):
        unc = pd.read_csv(tmp_path / "provinces" / folder / "uncovered_hamlets.csv",
                          encoding="utf-8-sig", dtype={"province_code": str})
        assert set(unc["province_code"]) == {code}
        assert len(unc) == int((whole["province_code"] == code).sum()) > 0
        seen += len(unc)
        mine = pd.read_csv(tmp_path / "provinces" / folder / "indicators.csv",
                           encoding="utf-8-sig", dtype={"unit_code": str})
        communes = set(h.loc[h["province_code"] == code, "commune_code"].astype(str))
        prov = mine[mine["scope_level"] == "province"]
        assert set(prov["unit_code"]) == {code}
        assert len(prov) == int(((ind["scope_level"] == "province")
                                 & (ind["unit_code"].astype(str) == code)).sum())
        assert set(mine.loc[mine["scope_level"] == "commune", "unit_code"]) == communes
    assert seen == len(whole)
    # one province: nothing more than the whole-area files
    single = dataclasses.replace(results, hamlets=results.hamlets.assign(province_code="37"))
    assert write_by_province(single, tmp_path / "one") == []


def test_no_tier_polygons_above_the_national_size(one_piece, tmp_path, monkeypatch):
    """Rasters above TIERS_MAX_CELLS get no tier polygons (a country raster's would take tens
    of GB); below it they do."""
    import gis.report.outputs as outputs
    from gis.pipeline.write import results_of

    results = results_of(one_piece)
    assert outputs.write_coverage_tiers(results, tmp_path / "all")   # the sample: every raster
    cells = outputs.raster_cells(one_piece.rasters["coverage_viettel_4g"])
    monkeypatch.setattr(outputs, "TIERS_MAX_CELLS", cells - 1)
    assert outputs.write_coverage_tiers(results, tmp_path / "none") == []
