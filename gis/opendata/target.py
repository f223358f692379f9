"""The project an import writes into: an existing one (layers added or replaced) or a new one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np

from gis.errors import ValidationError
from gis.layers.report import LoadReport
from gis.layers.sources import Source, Upload, materialise
from gis.opendata.area import Area, area_from_bounds, parse_area
from gis.opendata.rasters import RasterParams, output_path
from gis.project import PROJECT_FILE, Project

__all__ = ["ProjectLike", "import_raster", "local_paths", "project_area", "target_project"]

ProjectLike = Project | str | Path | None


def target_project(project: ProjectLike, area: Area | None) -> Project:
    """The project to import into.

    Parameters
    ----------
    project
        A :class:`Project` (used as is), a project folder (opened when it holds a
        ``project.json``, else a new project that will be saved there), or ``None`` (new).
    area
        The import area; names a new project and fixes its analysis CRS (the UTM zone of the
        area's centre).
    """
    if isinstance(project, Project):
        return project
    if project is not None and (Path(project) / PROJECT_FILE).is_file():
        return Project.load(project)
    if area is None:
        raise ValidationError(
            "A new project needs an area to fix its analysis CRS.",
            "Dự án mới cần một vùng để chọn hệ toạ độ phân tích.",
            fix="Give --area 'minlon,minlat,maxlon,maxlat' or an admin polygon file, or import "
            "into an existing project folder.",
            fix_vi="Nhập --area 'minlon,minlat,maxlon,maxlat' hoặc tệp ranh giới hành chính, hoặc "
            "nhập vào một thư mục dự án đã có.",
        )
    return Project(name=area.name, crs=area.analysis_crs())


def project_area(project: Project) -> Area | None:
    """The lon/lat extent of a project's vector layers as an :class:`Area`, or ``None``."""
    bounds = [
        gdf.to_crs(4326).total_bounds for gdf in project.layers.values()
        if isinstance(gdf, gpd.GeoDataFrame) and not gdf.empty
    ]
    if not bounds:
        return None
    b = np.vstack(bounds)
    minx, miny = b[:, 0].min(), b[:, 1].min()
    maxx, maxy = b[:, 2].max(), b[:, 3].max()
    if not (maxx > minx and maxy > miny):
        eps = 0.005
        minx, miny, maxx, maxy = minx - eps, miny - eps, maxx + eps, maxy + eps
    return area_from_bounds(minx, miny, maxx, maxy, name=project.name)


def local_paths(source: Source | Path, workdir: str | Path | None = None) -> list[Path]:
    """Files on disk for a path, several paths or app uploads (written inside ``workdir``).

    Paths are returned as given, even when missing, so that each importer reports the missing
    file in its own words.
    """
    items = [source] if isinstance(source, str | Path | Upload) else list(source)
    if not any(isinstance(i, Upload) for i in items):
        return [Path(i) for i in items]  # type: ignore[arg-type]
    return materialise(items, workdir)[0]


def import_raster(kind: str, read: Callable[..., LoadReport], paths: Source,
                  area: Area | str | None, project: ProjectLike, *, params: RasterParams | None,
                  out_dir: str | Path | None, what: str | None = None) -> Project:
    """Import a raster for the area as the project's ``kind`` raster (``"dem"``, ...).

    The steps :func:`gis.opendata.dem.import_dem` and
    :func:`gis.opendata.population.import_population` share: the project (:func:`target_project`),
    the area (``area``, else the extent of the project's layers), ``read(paths, area, crs,
    out_path, params=params)`` into ``{kind}.tif`` (:func:`~gis.opendata.rasters.output_path`),
    and the raster set on the project with its load report. ``what`` names the raster in the
    messages (default ``kind``).
    """
    paths = local_paths(paths)
    area_obj = parse_area(area) if area is not None else None
    proj = target_project(project, area_obj)
    area_obj = area_obj or _area_of(proj, what or kind)
    target = output_path(kind, out_dir, proj.folder)
    report = read(paths, area_obj, proj.crs, target, params=params)
    proj.set_raster(kind, target, report)
    return proj


def _area_of(project: Project, kind: str) -> Area:
    area = project_area(project)
    if area is None:
        raise ValidationError(
            f"No area to clip the {kind} to: the project has no layers yet.",
            f"Chưa có vùng để cắt {kind}: dự án chưa có lớp nào.",
            fix="Give --area 'minlon,minlat,maxlon,maxlat' or an admin file, or import OSM or "
            "OpenCelliD first.",
            fix_vi="Nhập --area 'minlon,minlat,maxlon,maxlat' hoặc tệp ranh giới, hoặc nhập OSM "
            "hay OpenCelliD trước.",
        )
    return area
