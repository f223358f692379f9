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
