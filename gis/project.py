"""Project: the layers, rasters, parameters and load reports of one planning area.

A project is saved as a folder that can be reopened and shared::

    project.json     name, analysis CRS, layer and raster list, load reports
    layers.gpkg      one GeoPackage layer per vector layer kind, in the analysis CRS
    dem.tif, population.tif, landcover.tif   rasters, as given (any CRS)
    params.json      the run parameters (see :mod:`gis.params`)
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS

from gis.errors import InputFileError, ValidationError
from gis.layers.report import LoadReport
from gis.layers.schema import RASTER_KINDS, LayerKind
from gis.params import RunParams
from gis.text import article

__all__ = ["Project"]

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
        Layer kind (``"villages"``, ``"sites"``, ...) -> canonical GeoDataFrame.
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
        """The layer of that kind, or ``None`` when the project has none."""
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
        """Put a canonical layer into the project (reprojected to the project CRS if needed)."""
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
        for kind, gdf in self.layers.items():
            gdf.to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
        if self.layers:
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
            "layers": sorted(self.layers),
            "rasters": rasters,
            "reports": {k: r.to_dict() for k, r in self.reports.items()},
            "saved": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (folder / PROJECT_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
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
