"""A run killed at any point never leaves a partial file under a final name, nor a folder that
mixes two runs: `gis run` is started as a subprocess and killed (SIGTERM) when a given output
appears in its folder, which held an earlier finished run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import rasterio

from gis.atomic import TEMP_PREFIX, atomic_path, write_atomic
from gis.pipeline.write import RUN_FILE, clear_earlier_run

ROOT = Path(__file__).resolve().parents[1]


def test_atomic_path_renames_on_success_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "a" / "t.csv"
    write_atomic(target, lambda p: p.write_text("x"))
    assert target.read_text() == "x"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("killed")
    assert target.read_text() == "x"  # the old file is untouched
    assert [p.name for p in target.parent.iterdir()] == ["t.csv"]


def test_clear_earlier_run_removes_its_outputs_and_leftovers_but_keeps_tiles(tmp_path):
    (tmp_path / "hamlets.csv").write_text("old")
    (tmp_path / "mine.txt").write_text("the user's own file")
    (tmp_path / f"{TEMP_PREFIX}report.123.xlsx").write_text("partial")
    (tmp_path / "tiles").mkdir()
    (tmp_path / RUN_FILE).write_text(json.dumps({"outputs": ["hamlets.csv", "tiles"]}))
    removed = clear_earlier_run(tmp_path)
    assert sorted(removed) == sorted([RUN_FILE, "hamlets.csv", f"{TEMP_PREFIX}report.123.xlsx"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt", "tiles"]


def _complete(path: Path) -> bool:
    """Whether a finished-looking output file reads back whole."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        pd.read_csv(path, encoding="utf-8-sig")
    elif suffix in (".tif", ".vrt"):
        with rasterio.open(path) as src:
            src.read(1)
    elif suffix == ".gpkg":
        pyogrio.list_layers(path)
    elif suffix == ".xlsx":
        import openpyxl

        openpyxl.load_workbook(path, read_only=True).close()
    elif suffix in (".json", ".geojson"):
        json.loads(path.read_text(encoding="utf-8"))
    return True


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    from test_app_support import build_small_project

    return build_small_project(tmp_path_factory.mktemp("atomic"))


def _run(project: Path, out: Path, lang: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "gis", "run", "--project", str(project),
                             "--out", str(out), "--lang", lang, "--no-progress"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def finished(small_dir, tmp_path_factory) -> Path:
    """A folder holding a finished run of the small project."""
    out = tmp_path_factory.mktemp("finished") / "out"
    assert _run(small_dir, out, "en").wait(timeout=600) == 0
    return out


KILL_AT = ["coverage_viettel_4g.tif", "hamlets.csv", "report.xlsx", "results.gpkg"]


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", KILL_AT)
def test_a_killed_run_leaves_no_partial_file_and_no_mix_of_two_runs(small_dir, finished,
                                                                   tmp_path, kill_at):
    out = tmp_path / "out"
    shutil.copytree(finished, out)
    earlier = {p.name for p in out.iterdir()}
    assert RUN_FILE in earlier and kill_at in earlier
    started = time.time()
    for p in out.iterdir():  # mark the earlier run's files as old
        os.utime(p, (started - 100, started - 100))
    second = _run(small_dir, out, "vi")
    deadline = time.monotonic() + 600
    while second.poll() is None and time.monotonic() < deadline:
        if (out / kill_at).is_file() and (out / kill_at).stat().st_mtime >= started - 1:
            second.send_signal(signal.SIGTERM)
            break
        time.sleep(0.02)
    second.wait(timeout=60)
    if second.returncode == 0:
        pytest.skip(f"the run finished before {kill_at} could be caught")
    assert second.returncode != 0
    left = [p for p in out.iterdir() if not p.name.startswith(TEMP_PREFIX)]
    assert RUN_FILE not in {p.name for p in left}  # the folder is not a finished run
    # nothing of the earlier run remains, and every file under a final name is whole
    old = [p.name for p in left if p.stat().st_mtime < started - 1]
    assert old == []
    for p in left:
        assert _complete(p), p.name
    if kill_at != KILL_AT[-1]:
        return
    # the next run into the folder clears the leftovers and finishes as one run
    third = _run(small_dir, out, "en")
    assert third.wait(timeout=600) == 0
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if n.startswith(TEMP_PREFIX)]
    meta = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    assert set(meta["outputs"]) == names - {RUN_FILE}
