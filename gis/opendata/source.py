"""One entry point for every open-data import, used by the CLI (``python -m gis import``) and the
app's Data page alike: :func:`import_source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gis.errors import InputFileError
from gis.opendata.area import Area
from gis.opendata.dem import import_dem
from gis.opendata.opencellid import CellParams, import_opencellid
from gis.opendata.osm import OsmParams, import_osm
from gis.opendata.population import import_population
from gis.opendata.rasters import RasterParams
from gis.opendata.target import ProjectLike
from gis.project import Project

__all__ = ["SOURCE_KINDS", "import_source"]

#: Open-data source -> the layer or raster kinds it can produce.
SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "osm": ("roads", "villages", "facilities", "sites", "admin"),
    "opencellid": ("sites",),
    "dem": ("dem",),
    "population": ("population",),
}


def import_source(source: str, files: str | Path | Sequence[str | Path],
                  area: Area | str | None, project: ProjectLike = None, *,
                  osm: OsmParams | None = None, cells: CellParams | None = None,
                  rasters: RasterParams | None = None,
                  out_dir: str | Path | None = None) -> tuple[Project, list[str]]:
    """Import ``files`` of an open-data ``source`` into ``project``.

    Parameters
    ----------
    source
        ``"osm"``, ``"opencellid"``, ``"dem"`` or ``"population"`` (:data:`SOURCE_KINDS`).
    files
        The file (OSM, OpenCelliD) or files (DEM tiles, population rasters) on disk.
    area
        The import area (a bbox ``"minlon,minlat,maxlon,maxlat"``, an :class:`Area`); the
        rasters default to the project's extent when ``None``.
    project
        A project, a project folder (opened, or new when empty) or ``None`` (a new project).
    osm, cells, rasters
        The parameters of the OSM, OpenCelliD and raster importers.
    out_dir
        Where the rasters are written (the project folder by default).

    Returns
    -------
    (project, kinds)
        The project with the imported layers added or replaced, and the kinds imported.
    """
    if source not in SOURCE_KINDS:
        raise InputFileError(
            f"Unknown open-data source {source!r}; choose one of: {', '.join(SOURCE_KINDS)}.",
            f"Nguồn dữ liệu mở không hợp lệ {source!r}; chọn một trong: "
            f"{', '.join(SOURCE_KINDS)}.")
    paths = [files] if isinstance(files, str | Path) else list(files)
    if source == "osm":
        params = osm or OsmParams()
        result = import_osm(paths[0], area, project, params=params)
        return result, [k for k in params.layers if k in result.reports]
    if source == "opencellid":
        return import_opencellid(paths[0], area, project, params=cells), ["sites"]
    func = import_dem if source == "dem" else import_population
    return func(paths, area, project, params=rasters, out_dir=out_dir), [source]
