"""Project: the layers, rasters, parameters and load reports of one planning area.

:func:`load_project` opens a project folder and/or reads layer files into a project (every
format of :mod:`gis.layers`), then cross-checks the layers; :class:`Project` holds them.

A project is saved as a folder that can be reopened and shared::

    project.json     name, analysis CRS, layer and raster list, load reports
    layers.gpkg      one GeoPackage layer per vector layer kind, in the analysis CRS
    dem.tif, population.tif, landcover.tif   rasters, as given (any CRS)
    commune_stats.csv   the optional per-commune statistics table (:data:`TABLE_KINDS`)
    params.json      the run parameters (see :mod:`gis.params`)

Besides the vector layers and the rasters a project may hold **tables without geometry**
(:data:`TABLE_KINDS`): ``commune_stats``, the statistics a map cannot compute (subscriptions
per 100 people, smartphone share, i-Speed medians; :mod:`gis.layers.commune_stats`), one row
per commune. It is kept in :attr:`Project.layers` as a plain :class:`pandas.DataFrame`, so
that the stages declare it like a layer and the cache digests its content.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from gis.atomic import write_atomic
from gis.errors import InputFileError, ValidationError
from gis.layers.commune_stats import read_commune_statistics
from gis.layers.crosscheck import check_project
from gis.layers.crs import WGS84, analysis_crs_for_lon
from gis.layers.read import ReadResult, read_layer
from gis.layers.report import LoadReport
from gis.layers.schema import RASTER_KINDS, TABLE_KINDS, LayerKind
from gis.layers.sources import display_name, materialise
from gis.params import LoadParams, RunParams
from gis.text import article

__all__ = ["TABLE_FILES", "TABLE_KINDS", "Project", "load_project", "read_table_kind"]

#: Project inputs that are tables without geometry (:data:`TABLE_KINDS`) -> their file in a
#: project folder.
TABLE_FILES = {"commune_stats": "commune_stats.csv"}

PROJECT_FILE = "project.json"
LAYERS_FILE = "layers.gpkg"
PARAMS_FILE = "params.json"


@dataclass
class Project:
    """One planning area.

    Attributes
    ----------
    name
        A human name for the area.
    crs
        The metric analysis CRS every vector layer is in (a UTM zone; metres).
    layers
        Layer kind (``"villages"``, ``"sites"``, ...) -> canonical GeoDataFrame; a table kind
        (:data:`TABLE_KINDS`: ``"commune_stats"``) -> a DataFrame without geometry.
    rasters
        Raster kind (``"dem"``, ``"population"``, ``"landcover"``) -> path of a GeoTIFF.
    params
        The run parameters.
    reports
        Layer or raster kind -> how it was loaded.
    """

    name: str
    crs: CRS
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    params: RunParams = field(default_factory=RunParams)
    reports: dict[str, LoadReport] = field(default_factory=dict)
    folder: Path | None = None

    def layer(self, kind: str | LayerKind) -> gpd.GeoDataFrame | None:
        """The layer (or table, :data:`TABLE_KINDS`) of that kind, or ``None`` when the project
        has none."""
        if str(kind) in TABLE_KINDS:
            return self.layers.get(str(kind))
        return self.layers.get(str(LayerKind.parse(kind)))

    def require(self, kind: str | LayerKind) -> gpd.GeoDataFrame:
        """The layer of that kind; a :class:`ValidationError` saying how to add it if missing."""
        gdf = self.layer(kind)
        if gdf is None or gdf.empty:
            raise ValidationError(
                f"The project has no {kind} layer, which this analysis needs.",
                f"Dự án chưa có lớp {kind}, cần cho phân tích này.",
                fix=f"Load {article(str(kind))} {kind} file (CLI: "
                f"--{str(kind).replace('_', '-')} FILE).",
                fix_vi=f"Nạp tệp lớp {kind} (CLI: --{str(kind).replace('_', '-')} FILE).",
            )
        return gdf

    def set_layer(self, kind: str | LayerKind, gdf: gpd.GeoDataFrame,
                  report: LoadReport | None = None) -> None:
        """Put a canonical layer into the project (reprojected to the project CRS if needed),
        or a table of a :data:`TABLE_KINDS` kind (as it is)."""
        if str(kind) in TABLE_KINDS:
            self.layers[str(kind)] = gdf
            if report is not None:
                self.reports[str(kind)] = report
            return
        key = str(LayerKind.parse(kind))
        if gdf.crs is not None and not CRS(gdf.crs).equals(self.crs):
            gdf = gdf.to_crs(self.crs)
        self.layers[key] = gdf
        if report is not None:
            self.reports[key] = report

    def set_raster(self, kind: str, path: str | Path, report: LoadReport | None = None) -> None:
        """Register a raster file of kind ``dem``, ``population`` or ``landcover``."""
        if kind not in RASTER_KINDS:
            raise ValidationError(
                f"Unknown raster kind {kind!r}; valid: {', '.join(RASTER_KINDS)}.",
                f"Loại raster {kind!r} không hợp lệ; hợp lệ: {', '.join(RASTER_KINDS)}.",
            )
        self.rasters[kind] = Path(path)
        if report is not None:
            self.reports[kind] = report

    # -- persistence -------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the project to ``folder`` (created if needed); returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        gpkg = folder / LAYERS_FILE
        tmp = folder / ("~" + LAYERS_FILE)
        if tmp.exists():
            tmp.unlink()
        tables = {}
        for kind, gdf in self.layers.items():
            if kind in TABLE_KINDS:
                tables[kind] = TABLE_FILES[kind]
                text = pd.DataFrame(gdf).to_csv(index=False)
                write_atomic(folder / TABLE_FILES[kind],
                             lambda p, text=text: p.write_text(text, encoding="utf-8-sig"))
                continue
            gdf.to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
        if tmp.exists():
            tmp.replace(gpkg)
        rasters = {}
        for kind, path in self.rasters.items():
            target = folder / f"{kind}.tif"
            if Path(path).resolve() != target.resolve():
                shutil.copyfile(path, target)
            rasters[kind] = target.name
        self.params.to_json(folder / PARAMS_FILE)
        meta = {
            "name": self.name,
            "crs": self.crs.to_string(),
            "layers": sorted(k for k in self.layers if k not in TABLE_KINDS),
            "tables": tables,
            "rasters": rasters,
            "reports": {k: r.to_dict() for k, r in self.reports.items()},
            "saved": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
        write_atomic(folder / PROJECT_FILE, lambda p: p.write_text(text, encoding="utf-8"))
        self.folder = folder
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Project:
        """Open a project folder written by :meth:`save` (or by ``python -m gis sample``)."""
        folder = Path(folder)
        meta_path = folder / PROJECT_FILE
        if not meta_path.is_file():
            raise InputFileError(
                f"{folder} is not a project folder: it has no {PROJECT_FILE}.",
                f"{folder} không phải thư mục dự án: thiếu {PROJECT_FILE}.",
                fix="Give a folder written by 'python -m gis sample' or Project.save().",
                fix_vi="Chọn thư mục tạo bởi 'python -m gis sample' hoặc Project.save().",
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        crs = CRS.from_user_input(meta["crs"])
        layers = {}
        gpkg = folder / LAYERS_FILE
        if meta.get("layers"):
            available = {name for name, _ in pyogrio.list_layers(gpkg)}
            for kind in meta["layers"]:
                if kind in available:
                    layers[kind] = gpd.read_file(gpkg, layer=kind, engine="pyogrio")
        for kind, fname in (meta.get("tables") or {}).items():
            if kind in TABLE_KINDS and (folder / fname).is_file():
                layers[kind] = read_table_kind(kind, folder / fname)
        params_path = folder / PARAMS_FILE
        params = RunParams.from_json(params_path) if params_path.is_file() else RunParams()
        return cls(
            name=meta.get("name", folder.name),
            crs=crs,
            layers=layers,
            rasters={k: folder / v for k, v in meta.get("rasters", {}).items()},
            params=params,
            reports={k: LoadReport.from_dict(v) for k, v in meta.get("reports", {}).items()},
            folder=folder,
        )

    def summary(self) -> dict[str, Any]:
        """Counts per layer and the rasters, for ``run.json`` and the app's Data page."""
        return {
            "name": self.name,
            "crs": self.crs.to_string(),
            "layers": {k: len(v) for k, v in self.layers.items()},
            "rasters": {k: str(v) for k, v in self.rasters.items()},
        }


def load_project(project_dir: str | Path | None, files: Mapping[str, object] | None = None, *,
                 crs: object = None, province: str | None = None, name: str | None = None,
                 workdir: str | Path | None = None, admin_level: str | None = None) -> Project:
    """Open a project folder and/or read layer files into a project, then cross-check layers.

    Parameters
    ----------
    project_dir
        A folder written by :meth:`Project.save` (or ``python -m gis sample``), or ``None`` for
        a new project.
    files
        Layer or raster kind -> source (path, shapefile set, upload). Each replaces the
        project's layer of that kind.
    crs, province
        For files without a CRS (see :func:`read_layer`). ``province`` defaults to the
        project's ``params.load.province``.
    name
        Name of a new project (default: the villages file's name).
    admin_level
        The level of an admin file with several (``province``, ``district``, ``commune``;
        default the finest); see :func:`gis.layers.read.read_layer`.

    Raises
    ------
    CRSError
        Villages fall hundreds of metres outside the commune they name (a VN-2000 file read
        with the wrong central meridian); the message names the rows and the meridian that
        fits.
    """
    files = dict(files or {})
    tables = {k: files.pop(k) for k in list(files) if k in TABLE_KINDS}
    unknown = [k for k in files if k not in RASTER_KINDS and k not in {x.value for x in LayerKind}]
    if unknown:
        valid = ", ".join([k.value for k in LayerKind] + list(RASTER_KINDS) + list(TABLE_KINDS))
        raise ValidationError(f"Unknown layer kind(s) {', '.join(unknown)}; valid: {valid}.",
                              f"Loại lớp không hợp lệ: {', '.join(unknown)}; hợp lệ: {valid}.")
    project = Project.load(project_dir) if project_dir else None
    if project is None and not files and tables:
        raise ValidationError(
            "A statistics table alone is not a project: give a project folder or layer files "
            "too.",
            "Chỉ có bảng số liệu thì chưa thành dự án: chọn thêm thư mục dự án hoặc tệp dữ liệu.",
            fix="Add --project DIR or --villages FILE.",
            fix_vi="Thêm --project DIR hoặc --villages FILE.")
    params = project.params if project is not None else RunParams()
    province = province or params.load.province or None
    standard = params.load.meridian_standard
    order = ["villages", "admin", "sites", "roads", "fiber", "fiber_nodes", "facilities", "zones",
             "measurements", *RASTER_KINDS]
    results: dict[str, ReadResult] = {}
    for kind in sorted(files, key=order.index):
        target = project.crs if project is not None else None
        result = read_layer(files[kind], kind, crs=crs, province=province,
                            analysis_crs=target, workdir=workdir, meridian_standard=standard,
                            admin_level=admin_level)
        results[kind] = result
        if project is None and result.gdf is not None:
            project = Project(name=name or Path(display_name(files[kind])).stem,
                              crs=CRS.from_user_input(result.gdf.crs),
                              params=RunParams(load=LoadParams(province=province or "",
                                                               meridian_standard=standard)))
        if project is not None:
            _store(project, kind, result)
    if project is None:
        # only rasters were given: analysis CRS from the first raster's centre
        first = next(iter(results.values()), None)
        if first is None or first.raster is None:
            raise ValidationError("Nothing to load: give a project folder or layer files.",
                                  "Không có gì để nạp: chọn thư mục dự án hoặc tệp dữ liệu.")
        lon0, _, lon1, _ = first.raster.bounds_in(WGS84)
        project = Project(name=name or "project", crs=analysis_crs_for_lon((lon0 + lon1) / 2))
        for kind, result in results.items():
            _store(project, kind, result)
    for kind, source in tables.items():
        table, report = _read_table_source(kind, source, workdir)
        project.set_layer(kind, table, report)
    check_project(project, standard=standard, province=province)
    return project


def read_table_kind(kind: str, path: str | Path) -> pd.DataFrame:
    """A table of a :data:`TABLE_KINDS` kind saved in a project folder (codes stay text)."""
    return pd.read_csv(path, encoding="utf-8-sig",
                       dtype={"commune_code": str, "commune": str, "district": str,
                              "province": str})


def _read_table_source(kind: str, source: object, workdir: str | Path | None
                       ) -> tuple[pd.DataFrame, LoadReport]:
    """Read a table input (``commune_stats``: a CSV/XLSX path or upload, or a frame)."""
    if isinstance(source, pd.DataFrame):
        table, notes, name = source.reset_index(drop=True), [], "table"
    else:
        paths, _ = materialise(source, workdir)
        stats = read_commune_statistics(paths[0])
        table, notes, name = stats.table, stats.notes, display_name(source)
    report = LoadReport(source=name, kind=kind, rows_read=len(table), rows_loaded=len(table),
                        column_mapping={c: c for c in table.columns})
    for en, vi in notes:
        report.warn(en, vi)
    return table, report


def _store(project: Project, kind: str, result: ReadResult) -> None:
    if result.raster is not None:
        project.set_raster(kind, result.raster.path, result.report)
    elif result.gdf is not None:
        project.set_layer(kind, result.gdf, result.report)
