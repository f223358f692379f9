"""notebooks/walkthrough.ipynb runs top to bottom on the sample area, in the venv's Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def _kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec that starts *this* interpreter (the venv's), whatever is on PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "gis-venv"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gis (venv)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "gis-venv"


@pytest.mark.slow
def test_walkthrough_runs(sample_dir: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    out = tmp_path / "out"
    params.source = (f"from pathlib import Path\n\nSAMPLE = Path({str(sample_dir)!r})\n"
                     f"OUT = Path({str(out)!r})\nLANG = 'vi'\nGRID_M = 150\n")
    client = NotebookClient(nb, timeout=240, kernel_name=_kernel(tmp_path, monkeypatch),
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    outputs = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in outputs
    for name in ("indicators.csv", "uncovered_hamlets.csv", "uncovered_hamlets.kml",
                 "report.xlsx", "report.html", "results.gpkg", "uncovered_hamlets.zip",
                 "uncovered_hamlets.kmz", "report_en.html"):
        assert (out / name).is_file(), name
    # the static map cell produced an image
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))
