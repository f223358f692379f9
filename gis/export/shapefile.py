"""Zipped ESRI Shapefiles with a field-name mapping, and reading them back with the full names.

DBF field names have at most 10 characters, so each column gets a short ASCII name and the zip
carries ``fields.csv`` (short name -> full name -> Vietnamese and English labels) and a ``.cpg``
saying UTF-8, so QGIS and ArcGIS read the diacritics right.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis.analysis.frames import points_frame
from gis.atomic import write_atomic
from gis.errors import InputFileError
from gis.export.frames import file_safe
from gis.labels import (
    column_label,
)
from gis.layers.schema import header_key

__all__ = [
    "read_shapefile_zip",
    "shapefile_field_names",
    "write_shapefile_zip",
]



def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Column -> DBF field name: ASCII, at most 10 characters, unique (case-insensitively).

    >>> shapefile_field_names(["households", "hh_share_ftth", "Tên thôn đầy đủ"])
    {'households': 'households', 'hh_share_ftth': 'hh_share_f', 'Tên thôn đầy đủ': 'ten_thon_d'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = header_key(col)[:10] or "field"
        name, i = base, 1
        while name.lower() in used:
            suffix = str(i)
            name = base[: 10 - len(suffix)] + suffix
            i += 1
        used.add(name.lower())
        out[col] = name
    return out


def write_shapefile_zip(frame: pd.DataFrame, path: str | Path, *, layer: str | None = None
                        ) -> Path:
    """A zipped ESRI Shapefile (.shp .shx .dbf .prj .cpg) plus ``fields.csv``.

    ``fields.csv`` (UTF-8 with BOM) has one row per field: ``short`` (the DBF name),
    ``name`` (the full column name), ``label_vi``, ``label_en``. Text is stored in UTF-8 and
    the ``.cpg`` says so, so QGIS and ArcGIS read the diacritics right.
    """
    path = Path(path)
    layer = layer or path.stem
    gdf = file_safe(points_frame(frame))
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    mapping = shapefile_field_names(cols)
    shp = gdf.rename(columns=mapping)
    fields = pd.DataFrame({
        "short": [mapping[c] for c in cols],
        "name": cols,
        "label_vi": [column_label(c, "vi") for c in cols],
        "label_en": [column_label(c, "en") for c in cols],
    })
    with tempfile.TemporaryDirectory(prefix="gis-shp-") as tmp:
        target = Path(tmp) / f"{layer}.shp"
        shp.to_file(target, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
        cpg = target.with_suffix(".cpg")
        if not cpg.exists():
            cpg.write_text("UTF-8", encoding="ascii")
        buf = io.StringIO()
        fields.to_csv(buf, index=False)

        def write(zip_path: Path) -> None:
            with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(Path(tmp).iterdir()):
                    zf.write(f, f.name)
                zf.writestr("fields.csv", ("\ufeff" + buf.getvalue()).encode("utf-8"))

        write_atomic(path, write)
    return Path(path)


def read_shapefile_zip(path: str | Path) -> gpd.GeoDataFrame:
    """Read a zip written by :func:`write_shapefile_zip`, restoring full column names."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shp = next(n for n in names if n.lower().endswith(".shp"))
            fields = (pd.read_csv(io.BytesIO(zf.read("fields.csv")), encoding="utf-8-sig",
                                  dtype=str) if "fields.csv" in names else None)
    except (OSError, zipfile.BadZipFile, StopIteration) as exc:
        raise InputFileError(
            f"Not a zipped shapefile: {exc or 'no .shp inside'}.",
            f"Không phải shapefile nén: {exc or 'không có .shp'}.",
            file=path,
            fix="Give the .zip written by the export (it holds .shp, .dbf, .shx, .prj).",
            fix_vi="Chọn tệp .zip do chức năng xuất tạo (gồm .shp, .dbf, .shx, .prj).",
        ) from exc
    gdf = gpd.read_file(f"/vsizip/{path.resolve()}/{shp}", engine="pyogrio", encoding="UTF-8")
    if fields is not None:
        gdf = gdf.rename(columns=dict(zip(fields["short"], fields["name"], strict=True)))
    return gdf
