"""KML (Google Earth) parsing with :mod:`xml.etree`: every Placemark, its Folder and all its data.

GDAL's LIBKML driver drops ``SimpleData`` fields that the file's ``Schema`` does not declare,
which Google Earth and many exporters write; parsing the XML ourselves keeps every field:
``name``, ``description``, ``ExtendedData/Data`` and ``ExtendedData/SchemaData/SimpleData``
become columns, and the names of the enclosing Folders become the ``folder`` column.
Coordinates in KML are always WGS84 lon, lat[, alt]; altitudes are dropped.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from gis.errors import InputFileError
from gis.layers.crs import WGS84
from gis.layers.encoding import fix_legacy_strings, is_text_column

__all__ = ["description_fields", "read_kml"]

_GEOMS = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track",
          "MultiTrack", "Model")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _coords(text: str | None) -> list[tuple[float, float]]:
    out = []
    text = re.sub(r"\s*,\s*", ",", text or "")  # "106.27, 20.14" as some tools write it
    for token in text.split():
        parts = token.split(",")
        if len(parts) >= 2:
            try:
                x, y = float(parts[0]), float(parts[1])
            except ValueError:
                return []  # not coordinates: the Placemark is rejected as having no geometry
            if not (math.isfinite(x) and math.isfinite(y)):
                return []
            out.append((x, y))
    return out


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _geometry(el: ET.Element) -> shapely.Geometry | None:
    kind = _local(el.tag)
    if kind == "Point":
        c = _coords(_text(_child(el, "coordinates")))
        return shapely.Point(c[0]) if c else None
    if kind in ("LineString", "LinearRing"):
        c = _coords(_text(_child(el, "coordinates")))
        return shapely.LineString(c) if len(c) >= 2 else None
    if kind == "Polygon":
        rings: list[list[tuple[float, float]]] = []
        holes = []
        for b in el:
            ring = next((r for r in b.iter() if _local(r.tag) == "LinearRing"), None)
            if ring is None:
                continue
            c = _coords(_text(_child(ring, "coordinates")))
            (rings if _local(b.tag) == "outerBoundaryIs" else holes).append(c)
        return shapely.Polygon(rings[0], holes) if rings and len(rings[0]) >= 3 else None
    if kind == "MultiGeometry":
        parts = [g for c in el if _local(c.tag) in _GEOMS and (g := _geometry(c)) is not None]
        if not parts:
            return None
        types = {p.geom_type for p in parts}
        if types == {"Point"}:
            return shapely.MultiPoint(parts) if len(parts) > 1 else parts[0]
        if types == {"LineString"}:
            return shapely.MultiLineString(parts) if len(parts) > 1 else parts[0]
        if types == {"Polygon"}:
            return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
        return shapely.GeometryCollection(parts)
    return None


def _text(el: ET.Element | None) -> str | None:
    return el.text.strip() if el is not None and el.text is not None else None


_ROW = re.compile(r"<tr[^>]*>\s*<t[dh][^>]*>(.*?)</t[dh]>\s*<t[dh][^>]*>(.*?)</t[dh]>\s*</tr>",
                  re.I | re.S)
_LINE = re.compile(r"^\s*([^:<>=]{1,40}?)\s*[:=]\s*(.+?)\s*$")


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def description_fields(desc: str) -> dict[str, str]:
    """Attributes that Google Earth / My Maps exports put in the description.

    Two forms: an HTML table of ``<tr><td>name</td><td>value</td></tr>`` rows, or
    ``name: value`` lines (separated by ``<br>`` or new lines; at least two such lines).

    >>> description_fields("<table><tr><td>Nhà mạng</td><td>Viettel</td></tr></table>")
    {'Nhà mạng': 'Viettel'}
    """
    rows = {_strip_tags(k): _strip_tags(v) for k, v in _ROW.findall(desc)}
    rows = {k: v for k, v in rows.items() if k}
    if rows:
        return rows
    lines = re.split(r"<br\s*/?>|\n", desc, flags=re.I)
    pairs = [m.groups() for line in lines if (m := _LINE.match(_strip_tags(line)))]
    return {k: v for k, v in pairs} if len(pairs) >= 2 else {}


def read_kml(path: str | Path, *, display: str | None = None,
             ) -> tuple[gpd.GeoDataFrame, str]:
    """Read every Placemark of a KML file.

    Returns
    -------
    gdf, encoding
        A GeoDataFrame in WGS84 (rows with no usable geometry have ``None`` geometry and are
        rejected later by validation, with the reason) and the text encoding note (KML is
        UTF-8 by rule; names typed in a TCVN3/VNI font are converted and reported).
    """
    display = display or Path(path).name
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise InputFileError(
            f"This KML is not valid XML: {exc}.", f"Tệp KML không phải XML hợp lệ: {exc}.",
            file=display, fix="Re-export it from Google Earth or QGIS.",
            fix_vi="Xuất lại tệp từ Google Earth hoặc QGIS.",
        ) from exc
    records: list[dict[str, object]] = []
    geoms: list[shapely.Geometry | None] = []

    def walk(el: ET.Element, folders: list[str]) -> None:
        for child in el:
            tag = _local(child.tag)
            if tag in ("Folder", "Document"):
                name = _text(_child(child, "name"))
                walk(child, [*folders, name] if tag == "Folder" and name else folders)
            elif tag == "Placemark":
                rec: dict[str, object] = {"name": _text(_child(child, "name"))}
                desc = _text(_child(child, "description"))
                if desc:
                    rec["description"] = desc
                    for key, value in description_fields(desc).items():
                        rec.setdefault(key, value)
                if folders:
                    rec["folder"] = " / ".join(folders)
                ext = _child(child, "ExtendedData")
                if ext is not None:
                    for d in ext.iter():
                        t = _local(d.tag)
                        if t == "Data" and d.get("name"):
                            rec[d.get("name", "")] = _text(_child(d, "value"))
                        elif t == "SimpleData" and d.get("name"):
                            rec[d.get("name", "")] = _text(d)
                geom = None
                for g in child:
                    if _local(g.tag) in _GEOMS:
                        geom = _geometry(g)
                        break
                records.append(rec)
                geoms.append(geom)

    walk(tree.getroot(), [])
    df = pd.DataFrame.from_records(records) if records else pd.DataFrame({"name": []})
    encoding = "utf-8"
    for col in df.columns:
        if is_text_column(df[col]):
            values, enc = fix_legacy_strings(df[col].tolist())
            if enc != "utf-8":
                df[col] = values
                encoding = enc
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84)), encoding
