"""``python -m gis run`` on the sample area: hamlets.csv and run.json (the foundation contract)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gis.cli import main
from gis.project import Project

COLUMNS = ["village_id", "name", "province_code", "province", "commune_code", "commune",
           "former_province_code", "former_province", "former_district_code",
           "former_district", "former_commune_code", "former_commune", "population",
           "households", "lon", "lat"]

try:  # the readers' load_project, which the CLI's run calls
    import gis.layers.read  # noqa: F401

    HAVE_READ = True
except ImportError:  # pragma: no cover - before the readers landed
    HAVE_READ = False

needs_read = pytest.mark.skipif(not HAVE_READ, reason="gis.layers.read (load_project) is not "
                                "available yet; the CLI's run cannot load a project without it")


def _check_hamlets_csv(path: Path, villages: pd.DataFrame) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                     # UTF-8 BOM for Excel
    table = pd.read_csv(path, encoding="utf-8-sig", dtype={"village_id": str,
                                                           "commune_code": str})
    assert list(table.columns[:len(COLUMNS)]) == COLUMNS
    # Every village, in input order, with its Vietnamese name intact.
    assert table["village_id"].tolist() == villages["village_id"].tolist()
    assert table["name"].tolist() == villages["name"].tolist()
    # the names the file gave are the former communes; ``commune`` is the 2025 one
    assert table["former_commune"].tolist() == villages["commune"].tolist()
    nho_quan = table["former_commune"] == "Thị trấn Nho Quan"
    assert nho_quan.any() and (table.loc[nho_quan, "commune"] == "Xã Nho Quan").all()
    assert (table.loc[nho_quan, "commune_code"] == "14428").all()
    assert table["population"].sum() == pytest.approx(villages["population"].sum())
    # lon/lat are the hamlet centres in WGS84 degrees (6 decimals, about 0.1 m).
    assert (table["lon"] - villages["centre_lon"]).abs().max() < 2e-6
    assert (table["lat"] - villages["centre_lat"]).abs().max() < 2e-6
    return table


def test_foundation_run_writes_hamlets_and_run_json(sample_dir: Path, tmp_path: Path) -> None:
    from gis.pipeline.stages import STAGES, run
    from gis.pipeline.write import write_run

    project = Project.load(sample_dir)
    ctx = run(project, out_dir=tmp_path, stages=[s for s in STAGES if s.name == "hamlets"])
    out = write_run(ctx, tmp_path, inputs={"project": str(sample_dir)}, load_seconds=0.1)
    _check_hamlets_csv(out / "hamlets.csv", project.layers["villages"])
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["project"]["layers"]["villages"] == len(project.layers["villages"])
    assert "hamlets.csv" in meta["outputs"] and meta["timings_s"]["load"] == 0.1


@needs_read
@pytest.mark.slow
def test_cli_run_on_the_sample(sample_dir: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    # Coarse coverage rasters (300 m) keep the whole run short; the contract checked here is
    # the foundation's, not the radio results.
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"radio": {"grid_resolution_m": 300.0}}), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", "--project", str(sample_dir), "--params", str(params), "--out",
                 str(out)])
    assert code == 0, capsys.readouterr().err
    villages = Project.load(sample_dir).layers["villages"]
    _check_hamlets_csv(out / "hamlets.csv", villages)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for key in ("inputs", "load_reports", "warnings", "parameters", "defaults",
                "timings_s", "versions"):
        assert key in meta
    assert meta["inputs"]["project"] == str(sample_dir)
    assert meta["parameters"]["radio"]["grid_resolution_m"] == 300.0
    assert "load" in meta["timings_s"] and "hamlets" in meta["timings_s"]
    # CPU seconds per stage beside the wall seconds, for every stage and the writing
    assert set(meta["cpu_s"]) == set(meta["timings_s"]) - {"load"}
    assert all(v >= 0 for v in meta["cpu_s"].values())
    assert f"{len(villages)} hamlets" in capsys.readouterr().out


@needs_read
def test_cli_run_bad_project_exits_2_with_a_message(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--project", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Error:" in err and "Lỗi:" in err and "Traceback" not in err


def test_cli_run_needs_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--out", str(tmp_path / "o")]) == 2
    assert "--project" in capsys.readouterr().err
