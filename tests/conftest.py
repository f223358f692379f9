"""Shared fixtures: small synthetic layers in a UTM CRS, seeded, plus the bundled sample area."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample project folder (built by ``make`` when missing)."""
    if not (SAMPLE / "project.json").is_file():
        from gis.sample import build_sample

        build_sample().save(SAMPLE)
    return SAMPLE


@pytest.fixture(scope="session")
def sample_run_dir(sample_dir, tmp_path_factory) -> Path:
    """``python -m gis run --project data/sample --out DIR``, once per test session."""
    from gis.cli import main

    out = tmp_path_factory.mktemp("sample_run")
    assert main(["run", "--project", str(sample_dir), "--out", str(out)]) == 0
    return out
