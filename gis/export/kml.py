"""KML and KMZ that open in Google Earth, written with :mod:`xml.etree` (the GDAL driver writes
no styles): one style per status (red no signal, orange weak spot, yellow no FTTH, green
covered), placemarks in one folder per status, the attributes in one ``Schema`` with their
labels (Google Earth shows them in the balloon, GIS tools read them as fields); KMZ is the same
document zipped as ``doc.kml``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.analysis.frames import points_frame
from gis.analysis.status import STATUS_COLORS
from gis.atomic import write_atomic
from gis.export.frames import cell_value, file_safe
from gis.labels import (
    STATUS_LABELS,
    check_lang,
    column_label,
)
from gis.locale import readable

__all__ = [
    "KML_STATUS_COLORS",
    "kml_color",
    "write_kml",
]


def kml_color(hex_rgb: str, alpha: str = "ff") -> str:
    """KML colours are aabbggrr."""
    h = hex_rgb.lstrip("#")
    return (alpha + h[4:6] + h[2:4] + h[0:2]).lower()


#: Hamlet status -> KML colour (aabbggrr).
KML_STATUS_COLORS = {k: kml_color(v) for k, v in STATUS_COLORS.items()}



_KML_NS = "http://www.opengis.net/kml/2.2"


def _coords(seq: np.ndarray) -> str:
    """``x,y x,y ...`` with 7 decimals (1 cm in degrees), one ``%`` formatting for the ring."""
    xy = np.asarray(seq, dtype=float)[:, :2]
    return " ".join(["%.7f,%.7f"] * len(xy)) % tuple(xy.ravel().tolist())


def _kml_geometry(parent: ET.Element, geom: object) -> None:
    if geom is None or shapely.is_empty(geom):
        return
    kind = shapely.get_type_id(geom)
    if kind == 0:  # Point
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords(
            shapely.get_coordinates(geom))
    elif kind in (1, 2):  # LineString, LinearRing
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(shapely.get_coordinates(geom))
    elif kind == 3:  # Polygon
        poly = ET.SubElement(parent, "Polygon")
        ET.SubElement(poly, "tessellate").text = "1"
        outer = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = _coords(
            shapely.get_coordinates(geom.exterior))
        for ring in geom.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _coords(shapely.get_coordinates(ring))
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            _kml_geometry(multi, part)


def _kml_text(v: object) -> str:
    v = cell_value(v)
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _kml_tree(gdf: gpd.GeoDataFrame, *, lang: str, name: str, name_column: str | None,
              style_column: str | None, colors: Mapping[str, str],
              style_labels: Mapping[str, tuple[str, str]]) -> ET.ElementTree:
    ET.register_namespace("", _KML_NS)
    kml = ET.Element("kml", xmlns=_KML_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = name
    ET.SubElement(doc, "open").text = "1"
    li = 0 if lang == "vi" else 1
    for key, color in colors.items():
        style = ET.SubElement(doc, "Style", id=f"status_{key}")
        icon = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon, "color").text = color
        ET.SubElement(icon, "scale").text = "1.1"
        ET.SubElement(ET.SubElement(icon, "Icon"), "href").text = (
            "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")
        line = ET.SubElement(style, "LineStyle")
        ET.SubElement(line, "color").text = color
        ET.SubElement(line, "width").text = "3"
        poly = ET.SubElement(style, "PolyStyle")
        ET.SubElement(poly, "color").text = "80" + color[2:]
    # The balloon shows the values as people read them (gis.locale.readable: Có / Không,
    # codes as words, 8.378 and 81,8 % in Vietnamese); the styles and folders use the codes.
    shown = readable(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), lang, text=True)
    cols = list(shown.columns)
    # One Schema declares the fields with their labels; placemarks carry SchemaData values.
    # Google Earth shows them as the balloon table (with the labels), GIS tools as attributes.
    schema = ET.SubElement(doc, "Schema", name="fields", id="fields")
    for c in cols:
        sf = ET.SubElement(schema, "SimpleField", name=str(c), type="string")
        ET.SubElement(sf, "displayName").text = column_label(c, lang)
    texts = {c: [_kml_text(v) for v in shown[c].tolist()] for c in cols}
    geoms = gdf.geometry.to_numpy()
    names = ([_kml_text(v) for v in gdf[name_column].tolist()] if name_column in gdf
             else None) if name_column else None
    keys = (gdf[style_column].astype(object).where(gdf[style_column].notna(), "unknown")
            if style_column and style_column in gdf else pd.Series("", index=gdf.index))
    keys_arr = keys.to_numpy()
    order = [k for k in colors if (keys_arr == k).any()] + sorted(
        set(keys_arr) - set(colors), key=str)
    for key in order:
        pos = np.flatnonzero(keys_arr == key)
        folder = ET.SubElement(doc, "Folder")
        title = style_labels.get(key, (key, key))[li] if key else name
        ET.SubElement(folder, "name").text = f"{title} ({len(pos)})"
        for i in pos:
            pm = ET.SubElement(folder, "Placemark", id=f"pm_{gdf.index[i]}")
            ET.SubElement(pm, "name").text = names[i] if names is not None else str(gdf.index[i])
            if key in colors:
                ET.SubElement(pm, "styleUrl").text = f"#status_{key}"
            data = ET.SubElement(ET.SubElement(pm, "ExtendedData"), "SchemaData",
                                 schemaUrl="#fields")
            for c in cols:
                if texts[c][i] != "":
                    ET.SubElement(data, "SimpleData", name=str(c)).text = texts[c][i]
            _kml_geometry(pm, geoms[i])
    ET.indent(kml)
    return ET.ElementTree(kml)


def write_kml(frame: pd.DataFrame, path: str | Path, *, lang: str = "en", kmz: bool | None = None,
              name: str | None = None, name_column: str | None = "name",
              style_column: str | None = "status",
              colors: Mapping[str, str] | None = None,
              style_labels: Mapping[str, tuple[str, str]] | None = None) -> Path:
    """KML (or KMZ: zipped ``doc.kml``) that opens in Google Earth, styled by status.

    Parameters
    ----------
    frame
        Rows to write; geometry (any type) or ``lon``/``lat`` degrees.
    lang
        Language of the balloon table headers and folder names.
    kmz
        Zip into a KMZ; default: when ``path`` ends in ``.kmz``.
    name_column
        Column giving each placemark's name (default ``name``; the index when absent).
    style_column, colors, style_labels
        Column whose value picks the style and folder; value -> KML colour (aabbggrr) and
        value -> (vi, en) folder label. Defaults: the hamlet ``status`` with
        :data:`KML_STATUS_COLORS` and :data:`gis.labels.STATUS_LABELS`.
    """
    check_lang(lang)
    path = Path(path)
    kmz = path.suffix.lower() == ".kmz" if kmz is None else kmz
    gdf = file_safe(points_frame(frame))
    tree = _kml_tree(gdf, lang=lang, name=name or path.stem,
                     name_column=name_column if name_column in gdf else None,
                     style_column=style_column, colors=colors or KML_STATUS_COLORS,
                     style_labels=style_labels or STATUS_LABELS)
    buf = io.BytesIO()
    tree.write(buf, encoding="utf-8", xml_declaration=True)
    def write(tmp: Path) -> None:
        if kmz:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("doc.kml", buf.getvalue())
        else:
            tmp.write_bytes(buf.getvalue())

    return write_atomic(path, write)
