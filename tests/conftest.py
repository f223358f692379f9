"""Shared fixtures: small synthetic layers in a UTM CRS, seeded, plus the bundled sample area."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_main():
    """Put pytest's ``__main__`` back after each test.

    Streamlit's AppTest runs each page as ``sys.modules["__main__"]`` and can leave it there;
    any later test that spawns processes (Dask's LocalCluster, process pools) would then make
    every child re-run that page script and fail to start.
    """
    import sys

    saved = sys.modules.get("__main__")
    yield
    if saved is not None:
        sys.modules["__main__"] = saved
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
