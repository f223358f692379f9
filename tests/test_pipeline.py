"""The package's structure and the run's contracts.

No import cycle between modules; reading parameters and projects stays light; the flat facade
runs a project; a stage reads only what it declares; the cache recomputes exactly the stages
whose declared inputs changed; one hamlet status rule everywhere.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.params import RunParams
from gis.pipeline.cache import run_cached, stage_inputs
from gis.pipeline.context import RunContext, Stage, UndeclaredInputError
from gis.pipeline.stages import STAGES, run
from gis.project import Project
from gis.radio.calibration_params import CalibrationGroup

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gis"


# -- structure ------------------------------------------------------------------------------

def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere (module level, in functions, and under
    TYPE_CHECKING), with the packages each import runs (``a.b.c`` runs ``a.b``)."""
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                           for a in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] != "gis":
                    continue
                found = resolve(target)
                if found and found != mod:
                    graph[mod].add(found)
                    parts = found.split(".")
                    for i in range(1, len(parts)):  # importing a.b.c runs a and a.b
                        parent = ".".join(parts[:i])
                        if parent != mod and not mod.startswith(parent + "."):
                            graph[mod].add(parent)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_modules():
    graph = _import_graph()
    assert len(graph) > 100
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_analysis_radio_and_scale_never_import_the_pipeline_or_the_faces():
    graph = _import_graph()
    inner = ("gis.analysis", "gis.radio", "gis.scale", "gis.layers", "gis.export",
             "gis.report", "gis.maps", "gis.opendata")
    outer = ("gis.pipeline", "gis.app", "gis.cli")
    bad = [(m, t) for m, targets in graph.items() if m.startswith(inner)
           for t in targets if t.startswith(outer)]
    assert bad == []
    # only the app imports Streamlit
    streamlit = [m for m, p in _modules().items() if not m.startswith("gis.app")
                 and "import streamlit" in p.read_text(encoding="utf-8")]
    assert streamlit == []


def test_no_import_guards_around_the_projects_own_modules():
    guarded = []
    for mod, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Try) and any(
                    isinstance(h.type, ast.Name) and h.type.id in ("ImportError",
                                                                  "ModuleNotFoundError")
                    for h in node.handlers):
                for sub in ast.walk(ast.Module(body=node.body, type_ignores=[])):
                    if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("gis"):
                        guarded.append(mod)
    assert guarded == []


def test_reading_parameters_and_projects_loads_neither_numba_nor_scipy():
    code = ("import sys, gis.params, gis.project, gis.config\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'scipy'))\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_import_gis_is_cheap_and_the_facade_resolves_every_name():
    out = subprocess.run([sys.executable, "-c", "import sys, gis; print(len([m for m in "
                          "sys.modules if m.startswith('gis.')]), 'pandas' in sys.modules)"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["0", "False"]
    import gis

    for name in gis.__all__:
        assert getattr(gis, name) is not None, name
    assert callable(gis.run) and callable(gis.load_project)


# -- the facade on a real project -----------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Project:
    """The app tests' small area, with a tower-zoning layer (a no-new-tower zone)."""
    from test_app_support import build_small_project

    folder = build_small_project(tmp_path_factory.mktemp("pipeline"))
    project = Project.load(folder)
    villages = project.layers["villages"]
    x0, y0, _, _ = villages.total_bounds
    zones = gpd.GeoDataFrame({"name": ["Di tích"], "rule": ["no_new_tower"]},
                             geometry=[shapely.box(x0, y0, x0 + 400, y0 + 400)],
                             crs=project.crs)
    project.set_layer("zones", zones)
    return project


def test_facade_loads_runs_and_writes(small, tmp_path):
    import gis

    folder = small.save(tmp_path / "project")
    project = gis.load_project(folder)
    ctx = gis.run(project, out_dir=tmp_path / "out")
    out = gis.write_run(ctx, tmp_path / "out", lang="vi")
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["outputs"][-1] != "run.json" and "hamlets.csv" in meta["outputs"]
    assert len(meta["warnings"]) == len(meta["warnings_vi"])
    results = gis.RunResults.from_folder(out)
    assert len(results.hamlets) == len(project.layers["villages"])
    assert isinstance(gis.build_map(project, ctx), object)
    assert not [p for p in out.iterdir() if p.name.startswith(".~")]  # no temporary file left


def test_a_stage_reading_an_undeclared_input_raises(small, tmp_path):
    def reads_roads(ctx: RunContext) -> None:
        ctx.project.layer("roads")

    def reads_radio(ctx: RunContext) -> None:
        assert ctx.params.mobile.min_pop_share >= 0  # declared
        ctx.params.radio  # noqa: B018  (not declared)

    def reads_coverage(ctx: RunContext) -> None:
        ctx.state.coverage  # noqa: B018

    for func, message in ((reads_roads, "layer 'roads'"), (reads_radio, "section 'radio'"),
                          (reads_coverage, "result 'coverage'")):
        stage = Stage("x", func, needs=("villages",), sections=("mobile",))
        with pytest.raises(UndeclaredInputError, match=message):
            run(small, RunParams(), out_dir=tmp_path, stages=[stage])


def test_a_field_declaration_shows_only_that_field():
    seen = {}

    def stage(ctx: RunContext) -> None:
        seen["rule"] = ctx.params.mobile

    params = RunParams().replace(mobile=dataclasses.replace(
        RunParams().mobile, min_pop_share=0.3, signal_techs=("4G",)))
    ctx = RunContext(project=Project(name="x", crs="EPSG:32648"), params=params,
                     workdir=Path("."))
    st = Stage("x", stage, sections=("mobile.signal_techs",))
    st.func(ctx.for_stage(st, []))
    assert seen["rule"].signal_techs == ("4G",) and seen["rule"].min_pop_share == 0.8


# Every input of the small project, changed in turn, and the stages that must recompute:
# H hamlets, C coverage, M mobile, S sharing, F ftth, P fiber_plan, V speed, D ducts,
# A facilities, I indicators.
NAMES = {"H": "hamlets", "C": "coverage", "M": "mobile", "S": "sharing", "F": "ftth",
         "P": "fiber_plan", "V": "speed", "D": "ducts", "A": "facilities", "I": "indicators"}
EXPECTED = {
    "layer villages": "HCMSFPVDAI",
    "layer sites": "CMSVAI",
    "layer roads": "SFPVDAI",
    "layer fiber": "FPVDAI",
    "layer fiber_nodes": "FPVDAI",
    "layer facilities": "SAI",
    "layer admin": "HMSFPVDAI",   # the hamlets' 2025 units, and the ducts' urban test
    "layer zones": "SI",          # the tower zoning: the sharing stage's new towers
    "raster dem": "CMSVAI",
    "raster population": "CMSFPVDAI",
    "params radio": "CMSVAI",
    "params mobile.min_pop_share": "MSI",   # the coverage is reused
    "params mobile.signal_techs": "CMSVAI",
    "params fiber": "FPVDAI",
    "params sharing": "SI",
    "params targets": "I",
    "params scale": "CMSFPVDAI",   # FTTH and facilities partition by province when tiled
    "params load": "",
    "params calibration": "CMSVAI",   # the calibrated coverage
    "params units": "HMSFPVDAI",
    "params ducts": "D",
    "params speed": "VI",
}


def _changed(project: Project, params: RunParams, what: str, tmp: Path
             ) -> tuple[Project, RunParams]:
    kind, name = what.split(" ")
    copy = Project(name=project.name, crs=project.crs, layers=dict(project.layers),
                   rasters=dict(project.rasters), params=project.params,
                   reports=dict(project.reports))
    if kind == "layer":
        gdf = project.layers[name].copy()
        gdf.geometry = gdf.geometry.translate(1.0, 0.0)
        copy.layers[name] = gdf
    elif kind == "raster":
        path = tmp / f"{name}.tif"
        path.write_bytes(project.rasters[name].read_bytes() + b"\0")
        copy.rasters[name] = path
    else:
        section, _, field = name.partition(".")
        changes = {
            "radio": {"rx_height_m": 1.6}, "fiber": {"drop_max_m": 250.0},
            "sharing": {"candidate_spacing_m": 400.0}, "targets": {"preset": "hai_hau_2025"},
            "scale": {"tile_km": 25.0}, "load": {"province": "Ninh Bình"},
            "calibration": {"groups": (CalibrationGroup("Viettel", offset_db=3.0),)},
            "units": {"far_margin_m": 4000.0}, "ducts": {"buffer_m": 25.0},
            "speed": {"load_factor": 0.6},
            "mobile.min_pop_share": {"min_pop_share": 0.6},
            "mobile.signal_techs": {"signal_techs": ("4G", "5G")},
        }[name if field else section]
        params = params.replace(**{section: dataclasses.replace(getattr(params, section),
                                                                **changes)})
    return copy, params


@pytest.mark.slow
def test_each_input_recomputes_exactly_the_stages_that_read_it(small, tmp_path):
    store: dict = {}
    params = RunParams()
    base, hit = run_cached(small, params, store=store)
    assert not hit and base.cache_hits == []
    assert set(base.timings) == set(NAMES.values())  # every stage ran on the small project
    for what, letters in EXPECTED.items():
        project, changed = _changed(small, params, what, tmp_path)
        ctx, hit = run_cached(project, changed, store=store)
        recomputed = set() if hit else {s for s in ctx.timings if s not in ctx.cache_hits}
        assert recomputed == {NAMES[c] for c in letters}, what
    # the declarations themselves: what each stage's key is built from
    layers, rasters, sections = stage_inputs(STAGES[1], STAGES)
    assert (layers, rasters, sections) == (("sites", "villages"),
                                           ("dem", "landcover", "population"),
                                           ("calibration", "mobile.signal_techs", "radio",
                                            "scale"))


def test_changing_the_zones_changes_the_proposed_towers_in_a_cached_run(small):
    """The bug the declarations fixed: the sharing stage read the zones without a key."""
    store: dict = {}
    ctx, _ = run_cached(small, RunParams(), store=store)
    whole = gpd.GeoDataFrame({"rule": ["no_new_tower"]},
                             geometry=[shapely.box(*small.layers["villages"].total_bounds)
                                       .buffer(10_000)], crs=small.crs)
    blocked = Project(name=small.name, crs=small.crs, layers={**small.layers, "zones": whole},
                      rasters=dict(small.rasters), params=small.params)
    ctx2, _ = run_cached(blocked, RunParams(), store=store)
    assert "sharing" not in ctx2.cache_hits
    assert len(ctx2.tables["proposed_towers"]) == 0
    fresh = run(blocked, RunParams())
    assert len(fresh.tables["proposed_towers"]) == 0
    pd.testing.assert_frame_equal(pd.DataFrame(ctx2.tables["proposed_towers"]),
                                  pd.DataFrame(fresh.tables["proposed_towers"]))
    assert len(ctx.tables["proposed_towers"]) >= 0


# -- one status rule ------------------------------------------------------------------------

@pytest.mark.slow
def test_one_status_rule_on_the_sample(sample_dir, sample_run_dir):
    """Map, Overview, exports, KML folders and report give the same counts; the uncovered
    list's status always agrees with its flags."""
    from gis.analysis.status import hamlet_status, mobile_status
    from gis.maps.layers import hamlet_frame
    from gis.report.results import RunResults

    hamlets = pd.read_csv(sample_run_dir / "hamlets.csv", encoding="utf-8-sig")
    results = RunResults.from_folder(sample_run_dir)
    project = Project.load(sample_dir)
    counts = hamlet_status(hamlets).value_counts().to_dict()
    # the Overview's chart and the map's hamlet colours (mobile part of the rule)
    overview = mobile_status(results.hamlets).value_counts().to_dict()
    frame = hamlet_frame(project.layers["villages"], results.hamlets.set_index(
        project.layers["villages"].index), lang="en")
    assert frame["mobile_code"].value_counts().to_dict() == overview
    for code in ("no_signal", "weak_spot", "no_broadband"):
        assert overview.get(code, 0) == counts.get(code, 0), code
    # the exports: the uncovered list
    unc = pd.read_csv(sample_run_dir / "uncovered_hamlets.csv", encoding="utf-8-sig")
    listed = unc["status"].value_counts().to_dict()
    assert listed == {k: v for k, v in counts.items() if k not in ("ok", "unknown")}
    assert (unc["status"] == "no_signal").tolist() == unc["no_signal"].astype(bool).tolist()
    weak = unc["weak_spot"].astype(bool) & ~unc["no_signal"].astype(bool)
    assert (unc["status"] == "weak_spot").tolist() == weak.tolist()
    broadband = unc["mobile_4g"].astype(bool) | unc["mobile_5g"].astype(bool)
    assert not (broadband & unc["status"].isin(["no_broadband"])).any()
    # the KML folders: one per status, with its count in the name
    root = ET.parse(sample_run_dir / "uncovered_hamlets.kml").getroot()
    ns = "{http://www.opengis.net/kml/2.2}"
    folders = {f.find(f"{ns}name").text: len(f.findall(f"{ns}Placemark"))
               for f in root.iter(f"{ns}Folder")}
    assert sorted(folders.values()) == sorted(listed.values())
    # the report: its uncovered table has the same rows
    assert len(results.uncovered("en")) == len(unc)
    html = (sample_run_dir / "report.html").read_text(encoding="utf-8")
    assert f"({len(unc)})" in html or str(len(unc)) in html


def test_the_notebook_uses_only_the_facade():
    nb = json.loads((ROOT / "notebooks" / "walkthrough.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    imports = {line.strip() for line in code.splitlines()
               if line.strip().startswith(("import gis", "from gis"))}
    assert imports == {"import gis"}
