"""The 2025 crosswalk of Vietnam's administrative units, read from two published data packages.

Since 1 July 2025 Vietnam has 34 provincial units and 3,321 communes (xã, phường, đặc khu) and no
districts (Nghị quyết 202/2025/QH15; DOMAIN.md section 6). This module reads, once and lazily,
the data files of two PyPI packages (pinned in ``pyproject.toml``) straight from where they are
installed; it never imports their code, so nothing here can geocode or touch the network.

``vietnamadminunits`` 1.0.4 (MIT licence, Tran Ngoc Minh Hieu)
    ``vietnamadminunits/data/dataset.db`` (SQLite):

    * table ``admin_units_legacy``, 10,040 rows: the former units before 1 July 2025, 63
      provinces, 696 districts and 10,035 communes, plus 5 island districts that had no commune
      (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo). Fields used: ``province``,
      ``provinceCode``, ``district``, ``districtCode``, ``ward``, ``wardCode``, ``wardLat``,
      ``wardLon`` (the former commune's centre, degrees), ``wardBounds`` (its bounding box,
      ``"lat,lon – lat,lon"``), ``provinceKey``, ``districtKey``, ``wardKey`` (the keys of the
      converter below), ``provinceKeywords``, ``districtKeywords``, ``wardKeywords`` (other
      spellings and former names, as keys without diacritics);
    * table ``admin_units``, 3,321 rows: the new communes. Fields used: ``provinceCode``,
      ``provinceKey``, ``provinceLat``, ``provinceLon``, ``wardCode``, ``ward``, ``wardKey``,
      ``wardLat``, ``wardLon`` (centre, degrees), ``wardAreaKm2`` (area, km²),
      ``provinceKeywords``, ``wardKeywords``.

    ``vietnamadminunits/data/converter_2025.json``: ``DICT_PROVINCE`` (each of the 34 new
    provinces -> the keys of the former provinces it took, 63 in all);
    ``DICT_PROVINCE_WARD_NO_DIVIDED`` (new commune key -> the ``province_district_ward`` keys
    of the 9,569 former communes it took whole); ``DICT_PROVINCE_WARD_DIVIDED`` (the 471 former
    communes split among several new ones -> their 2 to 5 candidates, each with
    ``newWardKey``, ``isDefaultNewWard``, ``newWardLat``, ``newWardLon``, ``newWardAreaKm2``).
    The package's address converter picks a split commune's part by geocoding the address
    through the internet; this module never does: the hamlet's own position decides
    (:mod:`gis.analysis.units.assign`).

``vietnam-provinces`` 2025.10.1 (GPL-3.0-or-later code; the data are the General Statistics
Office's list of units, danhmuchanhchinh.gso.gov.vn, retrieved 2025-10-18)
    ``vietnam_provinces/data/nested-divisions.json``: the 34 provinces (``name``, ``code``,
    ``division_type``) with their 3,321 communes (``name``, ``code``, ``division_type``). These
    are the official codes and names used in every output. They differ from the codes of
    ``vietnamadminunits`` for 123 communes (that package's data predate the GSO's list) and
    spell 40 names differently (tone placement ``Thuỷ`` / ``Thủy``, double spaces); the two are
    joined by province and name (tones compared, not their placement), then by code.
    (vietnam-provinces 2026.x needs Python 3.12; 2025.10.1 already has the 3,321 units.)

Codes are strings with their leading zeros: provinces ``"37"``, former districts ``"348"``,
communes ``"14215"``.

>>> cw = crosswalk()                                   # doctest: +SKIP
>>> len(cw.provinces), len(cw.communes), len(cw.former_provinces)   # doctest: +SKIP
(34, 3321, 63)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from gis.analysis.units.names import normalise_unit_name
from gis.errors import GisError

__all__ = [
    "DATA_PACKAGES",
    "Crosswalk",
    "crosswalk",
    "data_files",
    "former_district_units",
]

#: The data packages read, with the versions pinned in pyproject.toml.
DATA_PACKAGES = {"vietnamadminunits": "1.0.4", "vietnam_provinces": "2025.10.1"}

_KINDS = {"tỉnh": "tinh", "thành phố trung ương": "thanh_pho", "xã": "xa", "phường": "phuong",
          "đặc khu": "dac_khu", "thành phố": "thanh_pho", "quận": "quan", "huyện": "huyen",
          "thị xã": "thi_xa", "thị trấn": "thi_tran"}


class CrosswalkDataError(GisError, RuntimeError):
    """The crosswalk's data package is missing or not the expected one (an installation fault)."""


def _package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing (executing) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        dist = name.replace("_", "-")
        raise CrosswalkDataError(
            f"The package {dist} (data of the 2025 administrative units) is not installed.",
            f"Chưa cài gói {dist} (dữ liệu đơn vị hành chính 2025).",
            fix="Reinstall the tool: make install (or pip install -e .).",
            fix_vi="Cài lại công cụ: make install (hoặc pip install -e .).",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def data_files() -> dict[str, Path]:
    """The data files read, by role: ``dataset``, ``converter``, ``official``."""
    vau = _package_dir("vietnamadminunits") / "data"
    vp = _package_dir("vietnam_provinces") / "data"
    files = {"dataset": vau / "dataset.db", "converter": vau / "converter_2025.json",
             "official": vp / "nested-divisions.json"}
    for path in files.values():
        if not path.is_file():
            raise CrosswalkDataError(
                f"The crosswalk data file {path} is missing.",
                f"Thiếu tệp dữ liệu đơn vị hành chính {path}.",
                fix="Reinstall the tool: make install.", fix_vi="Cài lại công cụ: make install.")
    return files


def data_versions() -> dict[str, str]:
    """Installed versions of the data packages (from their metadata, without importing them)."""
    out = {}
    for name in DATA_PACKAGES:
        try:
            out[name] = importlib.metadata.version(name.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            out[name] = ""
    return out


@dataclass(frozen=True)
class Crosswalk:
    """The units before and after 1 July 2025 and how they map (read by :func:`crosswalk`).

    Every table has ``key`` and ``toned`` columns: the name's
    :attr:`~gis.analysis.units.names.UnitName.key` and ``toned`` key, for matching.

    Attributes
    ----------
    provinces
        The 34 provinces: ``province_code``, ``province`` (official name, ``"Tỉnh Ninh
        Bình"``), ``kind``, ``lat``, ``lon`` (centre, degrees).
    communes
        The 3,321 communes: ``commune_code``, ``commune`` (``"Xã Hải Hậu"``), ``kind``
        (``xa``, ``phuong``, ``dac_khu``), ``province_code``, ``province``, ``lat``, ``lon``
        (centre, degrees), ``area_km2``.
    former_provinces
        The 63 former provinces: ``former_province_code``, ``former_province``, ``kind``,
        ``province_code`` (the new province that took it), ``lat``, ``lon``.
    former_districts
        The 696 former districts: ``former_district_code``, ``former_district``, ``kind``,
        ``former_province_code``, ``former_province``, ``province_code``, ``lat``, ``lon``.
    former_communes
        10,040 rows: the 10,035 former communes and the 5 island districts without commune
        (``former_commune_code`` and ``former_commune`` empty): ``former_district_code``,
        ``former_district``, ``former_province_code``, ``former_province``, ``lat``, ``lon``
        (centre), ``lat_min``, ``lat_max``, ``lon_min``, ``lon_max`` (bounding box, degrees),
        ``province_code`` (new), ``commune_code`` (the new commune that took it whole; empty
        when split), ``split`` (bool), ``default_commune_code`` (the new commune it maps to by
        default: its own when not split, the package's default part when split).
    split_candidates
        The candidate parts of the 471 split communes: ``former_commune_code``,
        ``commune_code``, ``is_default``, ``lat``, ``lon`` (the candidate's centre), ``area_km2``.
    aliases
        Other spellings: ``level`` (``province``, ``former_province``, ``former_district``,
        ``former_commune``, ``commune``), ``code`` (of the unit; for former communes the row
        position in ``former_communes``), ``key``.
    versions
        Versions of the data packages read.
    """

    provinces: pd.DataFrame
    communes: pd.DataFrame
    former_provinces: pd.DataFrame
    former_districts: pd.DataFrame
    former_communes: pd.DataFrame
    split_candidates: pd.DataFrame
    aliases: pd.DataFrame
    versions: dict[str, str]


def _keys(names: pd.Series) -> tuple[list[str | None], list[str | None], list[str | None]]:
    parsed = [normalise_unit_name(v) for v in names]
    return ([p.key if p else None for p in parsed], [p.toned if p else None for p in parsed],
            [p.kind if p else None for p in parsed])


def _with_keys(frame: pd.DataFrame, name_col: str) -> pd.DataFrame:
    key, toned, kind = _keys(frame[name_col])
    frame = frame.copy()
    frame["key"], frame["toned"] = key, toned
    if "kind" not in frame:
        frame["kind"] = kind
    return frame


def _bounds(text: object) -> tuple[float, float, float, float]:
    """``"lat,lon – lat,lon"`` -> (lat_min, lat_max, lon_min, lon_max); NaN when absent."""
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", str(text or ""))]
    if len(nums) != 4:
        return (np.nan,) * 4
    la, lo, lb, lob = nums
    return min(la, lb), max(la, lb), min(lo, lob), max(lo, lob)


def _official(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = json.loads(path.read_text(encoding="utf-8"))
    provinces, communes = [], []
    for p in data:
        kind = _KINDS.get(p["division_type"], "tinh")
        name = " ".join(str(p["name"]).split())
        if kind == "tinh" and not name.lower().startswith("tỉnh"):
            name = "Tỉnh " + name
        code = f"{int(p['code']):02d}"
        provinces.append({"province_code": code, "province": name, "kind": kind})
        for w in p["wards"]:
            communes.append({"commune_code": f"{int(w['code']):05d}",
                             "commune": " ".join(str(w["name"]).split()),
                             "kind": _KINDS.get(w["division_type"], "xa"),
                             "province_code": code, "province": name})
    return pd.DataFrame(provinces), pd.DataFrame(communes)


def _json_list(text: object) -> list[str]:
    try:
        value = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


@cache
def crosswalk() -> Crosswalk:
    """The crosswalk, read once from the data packages (about 0.5 s) and cached.

    Raises
    ------
    CrosswalkDataError
        When a data package or file is missing (a broken installation).
    """
    files = data_files()
    uri = f"file:{files['dataset']}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        legacy = pd.read_sql_query(
            "SELECT province, provinceCode, provinceKey, provinceLat, provinceLon, "
            "provinceKeywords, district, districtCode, districtKey, districtLat, districtLon, "
            "districtType, districtKeywords, ward, wardCode, wardKey, wardType, wardLat, "
            "wardLon, wardBounds, wardKeywords FROM admin_units_legacy", conn)
        new = pd.read_sql_query(
            "SELECT province, provinceCode, provinceKey, provinceLat, provinceLon, "
            "provinceKeywords, ward, wardCode, wardKey, wardType, wardLat, wardLon, "
            "wardAreaKm2, wardKeywords FROM admin_units", conn)
    conv = json.loads(files["converter"].read_text(encoding="utf-8"))
    off_prov, off_comm = _official(files["official"])

    # -- new provinces and communes: official codes and names, centres from the dataset ---------
    new["province_code"] = new["provinceCode"].astype(str).str.zfill(2)
    prov_pos = new.groupby("province_code")[["provinceLat", "provinceLon", "provinceKey"]].first()
    provinces = off_prov.join(prov_pos, on="province_code").rename(
        columns={"provinceLat": "lat", "provinceLon": "lon", "provinceKey": "_vkey"})
    new_vau = _with_keys(new.rename(columns={"ward": "_name"}), "_name")
    off = _with_keys(off_comm, "commune")
    match = _join_official(new_vau, off)
    new_vau["commune_code"] = match
    communes = off.merge(
        new_vau[["commune_code", "wardLat", "wardLon", "wardAreaKm2", "provinceKey", "wardKey",
                 "wardKeywords"]], on="commune_code", how="left").rename(
        columns={"wardLat": "lat", "wardLon": "lon", "wardAreaKm2": "area_km2"})
    by_vkey = {(p, w): c for p, w, c in zip(communes["provinceKey"], communes["wardKey"],
                                           communes["commune_code"], strict=True)}

    # -- former units ------------------------------------------------------------------------
    legacy["former_province_code"] = legacy["provinceCode"].astype(str).str.zfill(2)
    legacy["former_district_code"] = legacy["districtCode"].astype(str).str.zfill(3)
    legacy["former_commune_code"] = legacy["wardCode"].map(
        lambda v: None if v is None or v != v else str(v).zfill(5))
    new_prov_of = {old: new_key for new_key, olds in conv["DICT_PROVINCE"].items()
                   for old in olds}
    prov_code_of_vkey = dict(zip(provinces["_vkey"], provinces["province_code"], strict=True))
    legacy["_new_pkey"] = legacy["provinceKey"].map(new_prov_of)
    legacy["province_code"] = legacy["_new_pkey"].map(prov_code_of_vkey)

    whole = {old: (pkey, nkey) for pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
             for nkey, olds in wards.items() for old in olds}
    divided = {old: (pkey, cands) for pkey, d in conv["DICT_PROVINCE_WARD_DIVIDED"].items()
               for old, cands in d.items()}
    conv_key = (legacy["provinceKey"] + "_" + legacy["districtKey"] + "_"
                + legacy["wardKey"].fillna(""))
    commune_code, split, default = [], [], []
    cand_rows = []
    for key, fcode in zip(conv_key, legacy["former_commune_code"], strict=True):
        if key in whole:
            c = by_vkey[whole[key]]
            commune_code.append(c)
            split.append(False)
            default.append(c)
        elif key in divided:
            pkey, cands = divided[key]
            commune_code.append(None)
            split.append(True)
            d = None
            for cand in cands:
                c = by_vkey[(pkey, cand["newWardKey"])]
                cand_rows.append({"former_commune_code": fcode, "commune_code": c,
                                  "is_default": bool(cand["isDefaultNewWard"]),
                                  "lat": float(cand["newWardLat"]),
                                  "lon": float(cand["newWardLon"]),
                                  "area_km2": float(cand["newWardAreaKm2"])})
                if cand["isDefaultNewWard"]:
                    d = c
            default.append(d)
        else:  # pragma: no cover - every former unit of 1.0.4 is in the converter
            commune_code.append(None)
            split.append(False)
            default.append(None)
    bounds = np.array([_bounds(b) for b in legacy["wardBounds"]], dtype=float).reshape(-1, 4)
    former_communes = pd.DataFrame({
        "former_commune_code": legacy["former_commune_code"],
        "former_commune": legacy["ward"],
        "former_district_code": legacy["former_district_code"],
        "former_district": legacy["district"],
        "former_province_code": legacy["former_province_code"],
        "former_province": legacy["province"],
        "kind": legacy["wardType"].map(lambda v: _KINDS.get(str(v).lower()) if v else None),
        "lat": legacy["wardLat"].astype(float), "lon": legacy["wardLon"].astype(float),
        "lat_min": bounds[:, 0], "lat_max": bounds[:, 1],
        "lon_min": bounds[:, 2], "lon_max": bounds[:, 3],
        "province_code": legacy["province_code"],
        "commune_code": commune_code, "split": split, "default_commune_code": default,
    })
    island = former_communes["former_commune_code"].isna()
    # an island district without commune stands for itself: its centre is the district's
    former_communes.loc[island, "lat"] = legacy.loc[island, "districtLat"].astype(float)
    former_communes.loc[island, "lon"] = legacy.loc[island, "districtLon"].astype(float)
    former_communes = _with_keys(former_communes, "former_commune")
    former_districts = legacy.groupby("former_district_code", sort=True).agg(
        former_district=("district", "first"), kind=("districtType", "first"),
        former_province_code=("former_province_code", "first"),
        former_province=("province", "first"), province_code=("province_code", "first"),
        lat=("districtLat", "first"), lon=("districtLon", "first")).reset_index()
    former_districts["kind"] = former_districts["kind"].map(lambda v: _KINDS.get(str(v).lower()))
    former_districts = _with_keys(former_districts, "former_district")
    former_provinces = legacy.groupby("former_province_code", sort=True).agg(
        former_province=("province", "first"), province_code=("province_code", "first"),
        lat=("provinceLat", "first"), lon=("provinceLon", "first")).reset_index()
    former_provinces = _with_keys(former_provinces, "former_province")

    # -- aliases (other spellings, former names) from the keywords ------------------------------
    alias_rows = []

    def add(level: str, codes: pd.Series, keywords: pd.Series) -> None:
        for code, kws in zip(codes, keywords, strict=True):
            for kw in _json_list(kws):
                alias_rows.append((level, code, kw))

    first_legacy = legacy.drop_duplicates("former_province_code")
    add("former_province", first_legacy["former_province_code"],
        first_legacy["provinceKeywords"])
    first_new = new.drop_duplicates("province_code")
    add("province", first_new["province_code"], first_new["provinceKeywords"])
    first_district = legacy.drop_duplicates("former_district_code")
    add("former_district", first_district["former_district_code"],
        first_district["districtKeywords"])
    add("former_commune", pd.Series(range(len(legacy))), legacy["wardKeywords"])
    add("commune", communes["commune_code"], communes["wardKeywords"])
    for level, code, key in _EXTRA_ALIASES:
        alias_rows.append((level, code, key))
    aliases = pd.DataFrame(alias_rows, columns=["level", "code", "key"]).drop_duplicates()

    provinces = _with_keys(provinces.drop(columns="_vkey"), "province")
    communes = communes.drop(columns=["provinceKey", "wardKey", "wardKeywords"])
    return Crosswalk(
        provinces=provinces.reset_index(drop=True),
        communes=communes.reset_index(drop=True),
        former_provinces=former_provinces,
        former_districts=former_districts,
        former_communes=former_communes.reset_index(drop=True),
        split_candidates=pd.DataFrame(cand_rows),
        aliases=aliases.reset_index(drop=True),
        versions=data_versions(),
    )


#: Spellings the packages' keywords lack: (level, code, key).
_EXTRA_ALIASES = (
    ("former_province", "46", "thuathienhue"),
    ("former_province", "79", "tphcm"), ("province", "79", "tphcm"),
    ("former_province", "79", "saigon"), ("province", "79", "saigon"),
    ("former_province", "79", "hcmc"), ("province", "79", "hcmc"),
    ("former_province", "77", "brvt"),
    ("former_province", "01", "tphn"), ("province", "01", "tphn"),
)


def _join_official(vau: pd.DataFrame, off: pd.DataFrame) -> list[str | None]:
    """For each ``vietnamadminunits`` commune, the official (GSO) code of the same commune.

    Matched within the province by name with tones (their placement aside), then by the key
    without diacritics when that is unique, then by code.
    """
    vau_prov = vau["provinceCode"].astype(str).str.zfill(2)
    vau_code = vau["wardCode"].astype(str).str.zfill(5)
    by_toned: dict[tuple, list[str]] = {}
    by_key: dict[tuple, list[str]] = {}
    for p, t, k, kind, c in zip(off["province_code"], off["toned"], off["key"], off["kind"],
                                off["commune_code"], strict=True):
        by_toned.setdefault((p, kind, t), []).append(c)
        by_key.setdefault((p, kind, k), []).append(c)
    codes = set(off["commune_code"])
    used: set[str] = set()
    out: list[str | None] = []
    for p, t, k, kind, c in zip(vau_prov, vau["toned"], vau["key"], vau["kind"], vau_code,
                                strict=True):
        got = by_toned.get((p, kind, t), [])
        if len(got) != 1:
            got = by_key.get((p, kind, k), []) if len(by_key.get((p, kind, k), [])) == 1 else []
        if len(got) != 1:
            got = [c] if c in codes else []
        code = got[0] if got and got[0] not in used else None
        if code is not None:
            used.add(code)
        out.append(code)
    return out


def former_district_units(province: str, district: str) -> pd.DataFrame:
    """The former communes of one former district and the new communes they went to.

    For naming a synthetic sample after a real district, and for tests.

    Parameters
    ----------
    province, district
        The former province and district, spelled any way :func:`normalise_unit_name` reads
        (``"Nam Định"``, ``"Huyện Hải Hậu"``).

    Returns
    -------
    pandas.DataFrame
        One row per former commune: ``former_commune_code``, ``former_commune``,
        ``former_district_code``, ``former_district``, ``former_province_code``,
        ``former_province``, ``lat``, ``lon`` (its centre, degrees), ``split``,
        ``commune_code``, ``commune`` (the new commune; for a split commune its default part),
        ``candidates`` (the codes of all its new parts, ``;``-separated), ``province_code``,
        ``province`` (new).

    Examples
    --------
    >>> units = former_district_units("Nam Định", "Hải Hậu")          # doctest: +SKIP
    >>> len(units), units["commune_code"].nunique()                   # doctest: +SKIP
    (24, 8)
    """
    from gis.errors import ValidationError

    cw = crosswalk()
    pk, dk = normalise_unit_name(province), normalise_unit_name(district)
    fp = cw.former_provinces
    pcodes = set(fp.loc[fp["key"] == (pk.key if pk else None), "former_province_code"])
    fd = cw.former_districts
    sel = fd[(fd["key"] == (dk.key if dk else None)) & fd["former_province_code"].isin(pcodes)]
    if len(sel) != 1:
        raise ValidationError(
            f"No former district {district!r} of {province!r} in the crosswalk.",
            f"Không có huyện cũ {district!r} của {province!r} trong bảng chuyển đổi.",
            fix="Write the names as before 1 July 2025, e.g. 'Hải Hậu', 'Nam Định'.",
            fix_vi="Viết tên như trước 1/7/2025, ví dụ 'Hải Hậu', 'Nam Định'.")
    code = sel["former_district_code"].iloc[0]
    fc = cw.former_communes
    out = fc[fc["former_district_code"] == code].copy()
    cands = cw.split_candidates.groupby("former_commune_code")["commune_code"].agg(";".join)
    out["candidates"] = out["former_commune_code"].map(cands).fillna(out["commune_code"])
    out["commune_code"] = out["default_commune_code"]
    names = cw.communes.set_index("commune_code")
    out["commune"] = out["commune_code"].map(names["commune"])
    out["province"] = out["province_code"].map(
        cw.provinces.set_index("province_code")["province"])
    cols = ["former_commune_code", "former_commune", "former_district_code", "former_district",
            "former_province_code", "former_province", "lat", "lon", "split", "commune_code",
            "commune", "candidates", "province_code", "province"]
    return out[cols].reset_index(drop=True)
