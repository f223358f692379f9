"""Time to build, save and load the bundled sample area (issue 2 target: load under 5 s).

Run: ``python benchmarks/load.py [FOLDER]`` (default ``data/sample``; built there if missing).
Prints the median of five timings of :meth:`gis.project.Project.load` and of
:func:`gis.layers.read.load_project` (the readers' validating load that ``run`` uses), the
build time of :func:`gis.sample.build_sample` and the folder's size.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.project import Project  # noqa: E402
from gis.sample import build_sample  # noqa: E402


def _median_s(func, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "sample"
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    t0 = time.perf_counter()
    project = build_sample(7)
    build_s = time.perf_counter() - t0
    if not (folder / "project.json").is_file():
        project.save(folder)
    size_mb = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6
    load_s = _median_s(lambda: Project.load(folder))
    print(f"build_sample(seed=7): {build_s:.2f} s")
    print(f"sample folder {folder}: {size_mb:.1f} MB")
    print(f"Project.load: {load_s:.2f} s median of 5 (target < 5 s)")
    try:
        from gis.project import load_project
    except ImportError:
        print("gis.layers.read.load_project: not available")
        return
    full_s = _median_s(lambda: load_project(folder))
    loaded = Project.load(folder)
    counts = ", ".join(f"{k} {len(v)}" for k, v in loaded.layers.items())
    print(f"load_project (validating, as `run` does): {full_s:.2f} s median of 5 "
          f"(target < 5 s; {counts})")


if __name__ == "__main__":
    main()
