"""OpenStreetMap tags -> canonical layers: which objects are kept and how they are classified.

The rules follow the OSM conventions used in Vietnam (OSM wiki "WikiProject Vietnam" and the
Vietnamese road-numbering system):

* **Roads.** A road's ``ref`` decides first, because it is the legal class: ``QL``/``AH``/``CT``
  (quốc lộ, Asian highway, cao tốc) -> ``national``; ``ĐT``/``TL`` (đường tỉnh, tỉnh lộ) ->
  ``provincial``; ``ĐH``/``HL`` (đường huyện, huyện lộ) -> ``district``; ``ĐX`` (đường xã) ->
  ``commune``. Without a usable ``ref`` the ``highway`` value decides: ``motorway``/``trunk``
  -> national (Vietnamese mappers tag quốc lộ as trunk); ``primary`` -> provincial (đường tỉnh;
  a primary road that is really a quốc lộ normally carries its ``QL`` ref and is caught above);
  ``secondary`` -> district; ``tertiary`` -> commune (đường liên xã); ``unclassified``,
  ``residential``, ``living_street``, ``service``, ``track``, ``road`` -> village (đường thôn,
  ngõ); footways, paths, cycleways and steps -> ``other``. ``*_link`` ramps take their road's
  class; ``highway=construction|proposed`` become roads with ``planned_works`` set.
* **Hamlets** (``villages``): ``place=hamlet|village|isolated_dwelling|neighbourhood`` nodes and
  areas; name from ``name:vi``, then ``name``, then ``name:en``; ``population`` when tagged.
  Every other ``place`` value (``suburb``, ``plot``, ``town``, ``locality`` ...) is read too and
  set aside with its reason (:data:`PLACE_NOT_HAMLET`), so the load report can say why.
* **Facilities**: ``amenity=school|kindergarten|college|university`` -> school;
  ``amenity=clinic|hospital|doctors`` or ``healthcare=clinic|hospital|doctor|centre`` ->
  health_station; ``office=government`` or ``amenity=townhall`` -> commune_office;
  ``landuse=industrial`` -> industrial_zone.
* **Sites**: ``man_made=mast|tower|communications_tower`` with ``tower:type=communication``,
  ``communication:mobile_phone`` (not ``no``) or ``man_made=communications_tower``; one row per
  operator named in ``operator`` (a shared tower gives several rows with one ``position_id``).
  Other masts and towers (``tower:type=water``, a ``man_made=mast`` without telecom tags) are
  set aside with the reason.
* **Fiber**: ``communication=line`` or ``telecom=line`` ways (OSM wiki "Telecoms"), not those
  with ``telecom:medium=copper|coaxial``; ``operator`` by the fixed-network names,
  ``location=underground|overhead`` -> installation ``underground``/``aerial``; level
  ``backbone`` (no FTTH drop is claimed from an OSM cable).
* **Admin units**: ``type=boundary`` relations with ``boundary=administrative`` and
  ``admin_level`` 4 (tỉnh), 6 (huyện) or 8 (xã/phường); the admin layer holds the finest level
  present, with its parents' names, and each hamlet gets the commune, district and province
  it lies in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from gis.layers.normalise import (
    normalise_fixed_operator,
    normalise_road_class,
    normalise_tech,
)
from gis.layers.schema import header_key
from gis.opendata.mapping import UNKNOWN_OPERATOR, join_techs, normalise_operator, split_operators

__all__ = [
    "ADMIN_LEVELS",
    "CATEGORY_LAYER",
    "HIGHWAY_CLASS",
    "KEPT_TAGS",
    "MARGIN_CATEGORIES",
    "PLACE_NOT_HAMLET",
    "PLACE_VALUES",
    "PREFILTER_TAGS",
    "classify_facilities",
    "classify_fiber",
    "classify_roads",
    "classify_sites",
    "classify_villages",
    "feature_category",
    "parse_number",
    "set_aside_reason",
]

#: ``highway`` value -> road class when the ``ref`` does not decide (see the module text).
HIGHWAY_CLASS: dict[str, str] = {
    "motorway": "national", "trunk": "national",
    "primary": "provincial",
    "secondary": "district",
    "tertiary": "commune",
    "unclassified": "village", "residential": "village", "living_street": "village",
    "service": "village", "track": "village", "road": "village", "busway": "village",
    "pedestrian": "other", "footway": "other", "path": "other", "cycleway": "other",
    "bridleway": "other", "steps": "other",
}
for _k in ("motorway", "trunk", "primary", "secondary", "tertiary"):
    HIGHWAY_CLASS[f"{_k}_link"] = HIGHWAY_CLASS[_k]
#: ``highway`` values of roads not built yet: the road is kept, ``planned_works`` says so.
PLANNED_HIGHWAYS = ("construction", "proposed")

#: ``ref`` prefixes (after removing diacritics, upper case) -> road class.
_REF_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:QL|AH|CT|CAO ?TOC|QUOC ?LO)\b|^QL\d"), "national"),
    (re.compile(r"^(?:DT|TL|DUONG ?TINH|TINH ?LO)\b|^(?:DT|TL)\d"), "provincial"),
    (re.compile(r"^(?:DH|HL|DUONG ?HUYEN|HUYEN ?LO)\b|^(?:DH|HL)\d"), "district"),
    (re.compile(r"^(?:DX|DUONG ?XA)\b|^DX\d"), "commune"),
)

#: ``place`` values that are hamlets or villages (thôn, xóm, ấp, bản, tổ dân phố).
PLACE_VALUES = ("hamlet", "village", "isolated_dwelling", "neighbourhood")

#: Other ``place`` values (OSM wiki "Key:place") and why they are not hamlets (English,
#: Vietnamese). They are read so that the load report counts them with the reason.
PLACE_NOT_HAMLET: dict[str, tuple[str, str]] = {
    "suburb": ("a part of a town (khu phố, phường), not a hamlet",
               "một phần của đô thị (khu phố, phường), không phải thôn"),
    "quarter": ("a part of a town, not a hamlet", "một phần của đô thị, không phải thôn"),
    "city_block": ("a city block, not a hamlet", "một khối phố, không phải thôn"),
    "plot": ("a land parcel, not a settlement", "một thửa đất, không phải điểm dân cư"),
    "town": ("a town (thị trấn, thị xã), not a hamlet", "một đô thị (thị trấn, thị xã), không "
             "phải thôn"),
    "city": ("a city, not a hamlet", "một thành phố, không phải thôn"),
    "borough": ("a city district, not a hamlet", "một quận, không phải thôn"),
    "municipality": ("an administrative unit, not a hamlet", "một đơn vị hành chính, không phải "
                     "thôn"),
    "locality": ("a named place without inhabitants", "một địa danh không có dân cư"),
    "farm": ("a farm, not a hamlet", "một trang trại, không phải thôn"),
    "allotments": ("garden plots, not a settlement", "khu vườn, không phải điểm dân cư"),
    "square": ("a town square", "một quảng trường"),
    "island": ("an island (its hamlets are mapped on their own)", "một hòn đảo (các thôn trên "
               "đảo được vẽ riêng)"),
    "islet": ("an islet", "một đảo nhỏ"),
}
for _v in ("country", "state", "region", "province", "district", "county", "subdistrict",
           "state_district", "archipelago", "sea", "ocean", "continent", "polygon"):
    PLACE_NOT_HAMLET[_v] = ("a large area or an administrative unit, not a hamlet",
                            "một vùng lớn hoặc đơn vị hành chính, không phải thôn")

_SCHOOL = ("school", "kindergarten", "college", "university")
_HEALTH_AMENITY = ("clinic", "hospital", "doctors")
_HEALTH_CARE = ("clinic", "hospital", "doctor", "centre")
_MAST = ("mast", "tower", "communications_tower")

#: Telecom line values (``communication=line``, ``telecom=line``) and the media that are not fibre.
_LINE_KEYS = ("communication", "telecom")
_NOT_FIBRE = ("copper", "coaxial")

#: The (key, value) pairs of which an object needs one to be looked at: the C++ pre-filter of
#: the PBF/XML reader (``osmium.filter.TagFilter``). Restaurants, bus stops, crossings and
#: farmland never reach Python; :func:`feature_category` decides on what passes. Every
#: ``place`` value is let through so that the non-hamlet ones are counted with their reason.
PREFILTER_TAGS: tuple[tuple[str, str], ...] = (
    *(("highway", v) for v in (*HIGHWAY_CLASS, *PLANNED_HIGHWAYS)),
    *(("place", v) for v in (*PLACE_VALUES, *PLACE_NOT_HAMLET)),
    *((k, "line") for k in _LINE_KEYS),
    *(("amenity", v) for v in (*_SCHOOL, *_HEALTH_AMENITY, "townhall")),
    *(("healthcare", v) for v in _HEALTH_CARE),
    ("office", "government"),
    ("landuse", "residential"), ("landuse", "industrial"),
    *(("man_made", v) for v in _MAST),
)

#: The tags kept from each object (the rest is not needed by any layer).
KEPT_TAGS = (
    "name", "name:vi", "name:en", "ref", "highway", "construction", "proposed", "place", "population",
    "amenity", "office", "landuse", "healthcare", "man_made", "tower:type",
    "communication:mobile_phone", "communication:gsm", "communication:umts",
    "communication:lte", "communication:nr", "communication:5g", "operator", "height", "area",
    "type", "boundary", "admin_level", "communication", "telecom", "telecom:medium", "location",
)

#: OSM ``admin_level`` in Vietnam -> canonical admin level (tỉnh / huyện / xã). The district
#: level was abolished on 1/7/2025; OSM may still hold the former districts and communes.
ADMIN_LEVELS = {"4": "province", "6": "district", "8": "commune"}


def feature_category(get: Callable[[str], str | None]) -> str | None:
    """The layer an OSM object belongs to, from a tag getter, or ``None`` when not needed.

    ``get(key)`` returns the tag value or ``None`` (``dict.get`` or pyosmium ``TagList.get``).
    Returns ``"road"``, ``"village"``, ``"residential"``, ``"facility"``, ``"site"``,
    ``"fiber"`` or ``"admin"`` (a ``type=boundary`` relation with ``boundary=administrative``
    and an ``admin_level`` of :data:`ADMIN_LEVELS`), or one of the categories of objects that
    look like a layer's but are set aside with a reason: ``"place_other"`` (a ``place`` value
    of :data:`PLACE_NOT_HAMLET` or unknown), ``"mast_other"`` (a mast or tower without
    telecom tags) and ``"line_other"`` (a copper or coaxial telecom line).
    """
    if (get("boundary") == "administrative" and get("type") == "boundary"
            and get("admin_level") in ADMIN_LEVELS):
        return "admin"
    man_made = get("man_made")
    if man_made in _MAST and (
        get("tower:type") == "communication"
        or get("communication:mobile_phone") not in (None, "no")
        or man_made == "communications_tower"
    ):
        return "site"
    place = get("place")
    if place in PLACE_VALUES:
        return "village"
    amenity = get("amenity")
    if (amenity in _SCHOOL or amenity in _HEALTH_AMENITY or amenity == "townhall"
            or get("office") == "government" or get("healthcare") in _HEALTH_CARE):
        return "facility"
    landuse = get("landuse")
    if landuse == "industrial":
        return "facility"
    if landuse == "residential":
        return "residential"
    highway = get("highway")
    if highway in HIGHWAY_CLASS or highway in PLANNED_HIGHWAYS:
        return "road"
    if any(get(k) == "line" for k in _LINE_KEYS):
        return "line_other" if (get("telecom:medium") or "").lower() in _NOT_FIBRE else "fiber"
    if place is not None:
        return "place_other"
    if man_made in _MAST:
        return "mast_other"
    return None


#: Categories whose objects are kept when they lie in the margin around the area (sites serve
#: hamlets from outside it; roads and cables leave the area and come back).
MARGIN_CATEGORIES = ("road", "site", "mast_other", "fiber", "line_other")

#: The layer whose load report counts each category's objects (used or set aside).
CATEGORY_LAYER = {"road": "roads", "village": "villages", "residential": "villages",
                  "place_other": "villages", "facility": "facilities", "site": "sites",
                  "mast_other": "sites", "fiber": "fiber", "line_other": "fiber",
                  "admin": "admin"}


def set_aside_reason(tags: Callable[[str], str | None], category: str) -> tuple[str, str]:
    """Why an object of a set-aside category (``place_other``, ``mast_other``,
    ``line_other``) is not used, in English and Vietnamese."""
    if category == "place_other":
        value = tags("place") or ""
        en, vi = PLACE_NOT_HAMLET.get(value, ("not a hamlet value", "không phải giá trị thôn"))
        hamlets = "|".join(PLACE_VALUES)
        return (f"place={value} is {en} (hamlets are place={hamlets})",
                f"place={value} là {vi} (thôn là place={hamlets})")
    if category == "mast_other":
        what = f"man_made={tags('man_made')}" + (
            f" tower:type={tags('tower:type')}" if tags("tower:type") else "")
        return (f"{what}: not tagged as a telecom mast (tower:type=communication or "
                "communication:mobile_phone)",
                f"{what}: không được gắn thẻ cột viễn thông (tower:type=communication hoặc "
                "communication:mobile_phone)")
    medium = tags("telecom:medium")
    return (f"telecom:medium={medium}: not a fibre cable",
            f"telecom:medium={medium}: không phải cáp quang")


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key].astype(object).where(frame[key].notna(), None)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def parse_number(values: pd.Series) -> pd.Series:
    """Numbers from OSM texts (``"1200"``, ``"1.200"``, ``"1,200 (2019)"``, ``"30 m"``) or NaN.

    A dot or comma followed by exactly three digits is a thousands separator (Vietnamese and
    English usage); otherwise a dot or comma is the decimal mark.

    >>> parse_number(pd.Series(["1.200", "1,5", "35 m", None, "abc"])).tolist()
    [1200.0, 1.5, 35.0, nan, nan]
    """
    text = values.astype("string").str.strip()
    first = text.str.extract(r"(\d[\d.,]*)", expand=False)
    thousands = first.str.fullmatch(r"\d{1,3}([.,]\d{3})+")
    plain = first.where(~thousands.fillna(False), first.str.replace(r"[.,]", "", regex=True))
    plain = plain.str.replace(",", ".", regex=False)
    return pd.to_numeric(plain, errors="coerce").astype(float)


def _names(frame: pd.DataFrame) -> pd.Series:
    """``name:vi``, else ``name``, else ``name:en`` (some objects carry only ``name:en``)."""
    name = _col(frame, "name:vi")
    for key in ("name", "name:en"):
        name = name.where(name.notna(), _col(frame, key))
    return name


def _ref_class(ref: pd.Series) -> pd.Series:
    """Road class from the first ``ref`` value: the readers' rules
    (:func:`gis.layers.normalise.normalise_road_class`), then :data:`_REF_RULES` (AH, spelled
    out names)."""
    first = ref.map(lambda r: str(r).split(";")[0] if r is not None else None)
    out = first.map(lambda r: normalise_road_class(r) if r is not None else None).astype(object)
    keys = first.map(lambda r: header_key(r).upper().replace("_", " ") if r is not None else "")
    for pattern, klass in _REF_RULES:
        hit = keys.str.contains(pattern) & out.isna()
        out[hit] = klass
    return out


def classify_roads(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical road columns for road features (one row per OSM way, same index).

    Returns ``road_class, name, planned_works, ref, highway, class_source`` where
    ``class_source`` is ``"ref"`` or ``"highway"`` (which tag decided the class).
    """
    highway = _col(frame, "highway")
    planned = highway.isin(PLANNED_HIGHWAYS)
    # A road under construction is classed by what it will be (construction=primary, ...).
    target = highway.where(~planned, _col(frame, "construction").fillna(_col(frame, "proposed")))
    by_highway = target.map(HIGHWAY_CLASS).fillna("other")
    ref = _col(frame, "ref")
    by_ref = _ref_class(ref)
    out = pd.DataFrame(index=frame.index)
    out["road_class"] = by_ref.where(by_ref.notna(), by_highway)
    out["name"] = _names(frame)
    out["planned_works"] = highway.where(planned, None)
    out["ref"] = ref
    out["highway"] = highway
    out["class_source"] = np.where(by_ref.notna(), "ref", "highway")
    return out


def classify_villages(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical village columns for place features: ``name, place, population``.

    ``name`` is ``name:vi``, then ``name``; unnamed places get ``None`` (the caller names them).
    """
    out = pd.DataFrame(index=frame.index)
    out["name"] = _names(frame)
    out["place"] = _col(frame, "place")
    out["population"] = parse_number(_col(frame, "population"))
    return out


def classify_facilities(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical facility columns: ``kind, name, osm_tag`` (the tag that decided the kind)."""
    amenity = _col(frame, "amenity")
    office = _col(frame, "office")
    healthcare = _col(frame, "healthcare")
    landuse = _col(frame, "landuse")
    conditions = [
        amenity.isin(_SCHOOL).to_numpy(),
        (amenity.isin(_HEALTH_AMENITY) | healthcare.isin(_HEALTH_CARE)).to_numpy(),
        ((office == "government") | (amenity == "townhall")).to_numpy(),
        (landuse == "industrial").to_numpy(),
    ]
    kinds = np.select(conditions, ["school", "health_station", "commune_office",
                                   "industrial_zone"], default="other")
    tag = np.select(
        conditions,
        ["amenity=" + amenity.fillna("").astype(str),
         np.where(amenity.isin(_HEALTH_AMENITY), "amenity=" + amenity.fillna("").astype(str),
                  "healthcare=" + healthcare.fillna("").astype(str)),
         np.where(office == "government", "office=government", "amenity=townhall"),
         "landuse=industrial"],
        default="",
    )
    out = pd.DataFrame(index=frame.index)
    out["kind"] = kinds
    out["name"] = _names(frame)
    out["osm_tag"] = tag
    return out


def _techs(row_get: Callable[[str], str | None]) -> str | None:
    """Technologies from ``communication:mobile_phone=gsm;lte`` (the readers' tech rules) and
    ``communication:gsm|umts|lte|nr|5g=yes``."""
    techs: set[str] = set()
    mobile = (row_get("communication:mobile_phone") or "").strip().lower()
    if mobile not in ("", "yes", "no"):
        techs.update((normalise_tech(mobile) or "").split("/"))
    for token, tech in (("gsm", "2G"), ("umts", "3G"), ("lte", "4G"), ("nr", "5G"),
                        ("5g", "5G")):
        if row_get(f"communication:{token}") == "yes":
            techs.add(tech)
    return join_techs(techs - {""}) or None


def _records(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The rows' tags without missing values, as dicts (for :func:`_techs`)."""
    keys = [k for k in frame.columns if k.startswith("communication:")]
    sub = frame[keys].astype(object).where(frame[keys].notna(), None) if keys else None
    if sub is None:
        return [{} for _ in range(len(frame))]
    return [{k: v for k, v in r.items() if v is not None} for r in sub.to_dict("records")]


def classify_sites(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical site rows for telecom masts: one row per operator on the mast.

    Returns a frame indexed by the position in ``frame`` (repeated for shared masts) with
    ``operator, operator_tag, tech, height_m, structure, note``. A mast without an ``operator``
    tag, or with one that is not a known Vietnamese operator, is kept with operator
    ``"unknown"`` and a note (both languages) saying why.
    """
    n = len(frame)
    base = pd.DataFrame({
        "_pos": np.arange(n),
        "operator_tag": _col(frame, "operator").to_numpy(dtype=object),
        "tech": [_techs(lambda k, r=r: r.get(k)) for r in _records(frame)],
        "height_m": parse_number(_col(frame, "height")).to_numpy(),
        "structure": _col(frame, "man_made").to_numpy(dtype=object),
    })
    # One row per operator named in the tag (an untagged mast keeps one row with no part).
    parts = base["operator_tag"].map(split_operators).map(lambda p: p or [None])
    rows = base.assign(_part=parts).explode("_part", ignore_index=True)
    rows["operator"] = rows["_part"].map(normalise_operator)
    known = rows["operator"].notna()
    rows = rows[~known | ~rows.duplicated(["_pos", "operator"])]
    known = rows["operator"].notna()
    part = rows["_part"].astype(object)
    rows["note"] = np.where(
        known, None,
        np.where(part.isna(), "no operator tag / không có thẻ operator",
                 "operator '" + part.fillna("").astype(str) + "' not recognised / không nhận ra "
                 "nhà mạng '" + part.fillna("").astype(str) + "'"))
    rows["operator"] = rows["operator"].fillna(UNKNOWN_OPERATOR)
    out = rows[["_pos", "operator", "operator_tag", "tech", "height_m", "structure",
                "note"]].reset_index(drop=True)
    return out


#: OSM ``location`` of a telecom line -> canonical installation.
_LOCATION_INSTALLATION = {"underground": "underground", "overhead": "aerial",
                          "overground": "aerial", "underwater": "underground"}


def classify_fiber(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical fiber columns for telecom lines: ``operator, level, installation, name,
    operator_tag, location``. ``level`` is ``backbone`` (OSM holds long-distance cables, not
    the access network, so no FTTH is claimed from them). An operator that is not a known
    fixed-network name is kept as tagged."""
    tag = _col(frame, "operator")
    canon = tag.map(lambda v: normalise_fixed_operator(v) if v is not None else None)
    location = _col(frame, "location")
    out = pd.DataFrame(index=frame.index)
    out["operator"] = canon.where(canon.notna(), tag)
    # OSM maps long-distance cables (OSM wiki "Telecoms"), not the access network: taken as
    # backbone, they give no FTTH drop (gis.analysis.ftth.access_points) but root the fiber plan.
    out["level"] = "backbone"
    out["installation"] = location.map(lambda v: _LOCATION_INSTALLATION.get(str(v).lower())
                                       if v is not None else None)
    out["name"] = _names(frame)
    out["operator_tag"] = tag
    out["location"] = location
    return out
