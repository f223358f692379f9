"""Admin layers as they are published: GADM, geoBoundaries, OCHA COD-AB, Vietnamese headers.

Each publisher names the units of each level its own way:

=====================  ==========================================================================
convention             columns (level n: 1 province / tỉnh, 2 district / huyện, 3 commune / xã)
=====================  ==========================================================================
GADM 4.1               ``GID_n`` (code), ``NAME_n`` (Vietnamese name with diacritics),
                       ``VARNAME_n`` (variant spelling), ``NL_NAME_n``, ``TYPE_n`` (``Xã``,
                       ``Phường``, ``Thị trấn`` ...), ``ENGTYPE_n``, ``CC_n``, ``HASC_n``; a
                       level-3 file carries levels 0-3 (gadm.org, "GADM data format" 4.1)
geoBoundaries          ``shapeName``, ``shapeISO``, ``shapeID``, ``shapeGroup`` and
                       ``shapeType`` = ``ADM1`` / ``ADM2`` / ``ADM3``: one level per file
                       (geoboundaries.org, "geoBoundaries technical notes")
OCHA / HDX COD-AB      ``ADMn_VI``, ``ADMn_EN``, ``ADMn_PCODE`` for n = 0..3 (HDX "Common
                       Operational Datasets: administrative boundaries", Viet Nam)
Vietnamese headers     ``ten_tinh`` / ``ma_tinh``, ``ten_huyen`` / ``ma_huyen``, ``ten_xa`` /
                       ``ma_xa`` (with or without diacritics: ``Tên xã``, ``Mã xã``), and the
                       English ``province`` / ``district`` / ``commune`` (``_name``, ``_code``)
=====================  ==========================================================================

:func:`admin_table` turns any of them into the canonical admin layer's columns: **one row per
polygon of the chosen level** (default: the finest level of the file, the communes when they
are there) with ``name``, ``level`` (``province`` | ``district`` | ``commune``), ``code``,
``unit_type`` (GADM ``TYPE_n``) and, when the file has coarser levels, ``province``,
``province_code``, ``district``, ``district_code``; every original column is kept. Choosing a
coarser level (``--admin-level district``) merges the finer polygons of each unit.
:func:`find_units` is the ``--area-name`` lookup over the same columns, whose error lists the
file's real columns and some of its names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.errors import ValidationError
from gis.layers.crs import normalise_name
from gis.layers.schema import header_key
from gis.text import as_text, sorted_text

__all__ = [
    "ADMIN_LEVEL_CHOICES",
    "AdminScheme",
    "LevelColumns",
    "admin_table",
    "check_level",
    "detect_scheme",
    "find_units",
    "unit_key",
]

#: Admin levels, coarsest first (the district tier was abolished on 1/7/2025; files of
#: former units still have it).
ADMIN_LEVEL_CHOICES = ("province", "district", "commune")
_LEVEL_VI = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
_BY_NUMBER = {1: "province", 2: "district", 3: "commune"}


@dataclass(frozen=True)
class LevelColumns:
    """The columns of one level in a file (source header names; ``None`` when absent)."""

    level: str
    name: str
    code: str | None = None
    alt_names: tuple[str, ...] = ()
    unit_type: str | None = None


@dataclass(frozen=True)
class AdminScheme:
    """How a file names its admin units: the publisher's convention and the columns per level."""

    convention: str
    levels: dict[str, LevelColumns] = field(default_factory=dict)

    @property
    def finest(self) -> str:
        """The finest level present (``commune`` before ``district`` before ``province``)."""
        return next(lv for lv in reversed(ADMIN_LEVEL_CHOICES) if lv in self.levels)

    @property
    def present(self) -> list[str]:
        """The levels present, coarsest first."""
        return [lv for lv in ADMIN_LEVEL_CHOICES if lv in self.levels]


def check_level(level: str | None) -> str | None:
    """``level`` normalised (``"xa"``/``"Xã"`` -> ``"commune"`` ...), ``None`` kept; the error
    lists the valid values."""
    if level is None or str(level).strip() == "":
        return None
    key = header_key(level)
    words = {"province": "province", "tinh": "province", "district": "district",
             "huyen": "district", "commune": "commune", "xa": "commune", "ward": "commune"}
    if key in words:
        return words[key]
    raise ValidationError(
        f"Unknown admin level {level!r}; valid: {', '.join(ADMIN_LEVEL_CHOICES)}.",
        f"Cấp hành chính {level!r} không hợp lệ; hợp lệ: {', '.join(ADMIN_LEVEL_CHOICES)} "
        "(tỉnh, huyện, xã).",
        fix="Give --admin-level province, district or commune.",
        fix_vi="Dùng --admin-level province, district hoặc commune.",
    )


def _keys(columns: list[str]) -> dict[str, str]:
    """header_key -> column (first wins)."""
    out: dict[str, str] = {}
    for c in columns:
        out.setdefault(header_key(c), c)
    return out


def _gadm(keys: dict[str, str]) -> AdminScheme | None:
    levels = {}
    for n, level in _BY_NUMBER.items():
        name = keys.get(f"name_{n}")
        if name is None:
            continue
        alts = tuple(keys[k] for k in (f"varname_{n}", f"nl_name_{n}") if k in keys)
        levels[level] = LevelColumns(level, name, keys.get(f"gid_{n}"), alts,
                                     keys.get(f"type_{n}"))
    if not levels or not ({f"gid_{n}" for n in range(4)} & set(keys)):
        return None
    return AdminScheme("GADM", levels)


def _ocha(keys: dict[str, str]) -> AdminScheme | None:
    levels = {}
    for n, level in _BY_NUMBER.items():
        vi, en = keys.get(f"adm{n}_vi"), keys.get(f"adm{n}_en")
        if vi is None and en is None:
            continue
        name = vi or en
        alts = (en,) if vi and en else ()
        levels[level] = LevelColumns(level, name, keys.get(f"adm{n}_pcode"), alts)  # type: ignore[arg-type]
    return AdminScheme("OCHA COD-AB", levels) if levels else None


def _geoboundaries(keys: dict[str, str], df: pd.DataFrame) -> AdminScheme | None:
    if "shapename" not in keys:
        return None
    level = "commune"
    if "shapetype" in keys:
        kinds = as_text(df[keys["shapetype"]])
        found = [int(m.group(1)) for m in map(re.compile(r"ADM(\d)", re.I).search, kinds) if m]
        if found:
            level = _BY_NUMBER.get(int(pd.Series(found).mode().iloc[0]), "commune")
    code = keys.get("shapeid") or keys.get("shapeiso")
    alts = ()
    return AdminScheme("geoBoundaries", {level: LevelColumns(level, keys["shapename"], code,
                                                             alts)})


#: Vietnamese and English headers of each level: (name keys, code keys).
_HEADERS = {
    "province": (("ten_tinh", "tinh", "ten_tinh_thanh", "tinh_thanh", "province",
                  "province_name", "ten_tinh_tp"), ("ma_tinh", "province_code", "ma_tinh_tp")),
    "district": (("ten_huyen", "huyen", "quan_huyen", "ten_quan_huyen", "district",
                  "district_name"), ("ma_huyen", "district_code", "ma_quan_huyen")),
    "commune": (("ten_xa", "xa", "xa_phuong", "phuong_xa", "ten_phuong_xa", "ten_xa_phuong",
                 "commune", "commune_name", "ward"),
                ("ma_xa", "commune_code", "ma_phuong_xa", "ma_xa_phuong")),
}
#: Headers of a unit's own name (the level then comes from a ``level`` column or the others).
_OWN_NAME = ("name", "ten", "ten_don_vi", "ten_dvhc", "admin_name", "name_vi")
_OWN_CODE = ("code", "ma", "ma_dvhc", "admin_code")
_LEVEL_COLUMN = ("level", "cap", "cap_hanh_chinh", "admin_level")


def _vietnamese(keys: dict[str, str], df: pd.DataFrame) -> AdminScheme | None:
    levels = {}
    for level, (names, codes) in _HEADERS.items():
        name = next((keys[k] for k in names if k in keys), None)
        if name is not None:
            levels[level] = LevelColumns(level, name, next((keys[k] for k in codes if k in keys),
                                                           None))
    own = next((keys[k] for k in _OWN_NAME if k in keys), None)
    if own is not None and "commune" not in levels:
        # A file with its own name column (the project's canonical layer, a generic export):
        # the units are of the level its level column says, else one finer than the others.
        level = _level_from_column(df, keys)
        if level is None:
            coarser = [lv for lv in ADMIN_LEVEL_CHOICES if lv in levels]
            level = ("commune" if not coarser else
                     ADMIN_LEVEL_CHOICES[min(ADMIN_LEVEL_CHOICES.index(coarser[-1]) + 1, 2)])
        levels = {lv: c for lv, c in levels.items()
                  if ADMIN_LEVEL_CHOICES.index(lv) < ADMIN_LEVEL_CHOICES.index(level)}
        levels[level] = LevelColumns(level, own, next((keys[k] for k in _OWN_CODE if k in keys),
                                                      None))
        return AdminScheme("generic", levels)
    return AdminScheme("Vietnamese headers", levels) if levels else None


def _level_from_column(df: pd.DataFrame, keys: dict[str, str]) -> str | None:
    col = next((keys[k] for k in _LEVEL_COLUMN if k in keys), None)
    if col is None:
        return None
    values = [v for v in (_level_word(x) for x in as_text(df[col])) if v]
    return pd.Series(values).mode().iloc[0] if values else None


def _level_word(value: str) -> str | None:
    key = header_key(value)
    if key in ("commune", "xa", "phuong", "thi_tran", "ward", "8", "x", "p", "tt"):
        return "commune"
    if key in ("district", "huyen", "quan", "thi_xa", "6"):
        return "district"
    if key in ("province", "tinh", "4"):
        return "province"
    return None


def detect_scheme(columns: list[str], df: pd.DataFrame | None = None) -> AdminScheme | None:
    """The admin convention of a file from its headers (and values: geoBoundaries'
    ``shapeType``), or ``None`` when no unit-name column is found."""
    keys = _keys([str(c) for c in columns if str(c) != "geometry"])
    frame = df if df is not None else pd.DataFrame(columns=columns)
    for found in (_gadm(keys), _ocha(keys), _geoboundaries(keys, frame),
                  _vietnamese(keys, frame)):
        if found is not None and found.levels:
            return found
    return None


def _describe(scheme: AdminScheme) -> str:
    return ", ".join(f"{lv} = {scheme.levels[lv].name}" for lv in scheme.present)


def admin_table(df: pd.DataFrame, *, level: str | None = None, display: str = "",
                ) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The canonical admin columns of a published admin table (see the module text).

    Parameters
    ----------
    df
        The table as read (a GeoDataFrame for polygon formats), original headers.
    level
        ``province``, ``district`` or ``commune`` (Vietnamese words too); ``None``: the finest
        level of the file.
    display
        The file name for messages.

    Returns
    -------
    table, notes
        The table with ``name, level, code, unit_type, province, province_code, district,
        district_code`` first (those the file has) and every original column after them (an
        original column of one of those names is renamed ``<name>_in_file``), one row per unit
        of ``level``; and the (English, Vietnamese) notes for the load report. A table whose
        headers name no admin level is returned unchanged with no note.

    Raises
    ------
    ValidationError
        ``level`` is not one of the file's levels (the message lists those it has).
    """
    wanted = check_level(level)
    scheme = detect_scheme([str(c) for c in df.columns], df)
    if scheme is None:
        return df, []
    chosen = wanted or scheme.finest
    if chosen not in scheme.levels:
        have = ", ".join(scheme.present)
        raise ValidationError(
            f"The admin layer has no {chosen} level: it has {have} ({_describe(scheme)}).",
            f"Lớp hành chính không có cấp {_LEVEL_VI[chosen]}: chỉ có "
            f"{', '.join(_LEVEL_VI[lv] for lv in scheme.present)} ({_describe(scheme)}).",
            file=display or None,
            fix=f"Give --admin-level {' or '.join(scheme.present)}.",
            fix_vi=f"Dùng --admin-level {' hoặc '.join(scheme.present)}.",
        )
    cols = scheme.levels[chosen]
    coarser = [lv for lv in scheme.present
               if ADMIN_LEVEL_CHOICES.index(lv) < ADMIN_LEVEL_CHOICES.index(chosen)]
    canon = pd.DataFrame(index=df.index)
    canon["name"] = df[cols.name].to_numpy(dtype=object)
    canon["level"] = chosen
    if cols.code:
        canon["code"] = as_text(df[cols.code], missing=None)  # type: ignore[arg-type]
    if cols.unit_type:
        canon["unit_type"] = df[cols.unit_type].to_numpy(dtype=object)
    for lv in coarser:
        c = scheme.levels[lv]
        canon[lv] = df[c.name].to_numpy(dtype=object)
        if c.code:
            canon[f"{lv}_code"] = as_text(df[c.code], missing=None)  # type: ignore[arg-type]
    notes = [(f"Admin layer read as {scheme.convention} ({_describe(scheme)}): one row per "
              f"{chosen} polygon, named from {cols.name}"
              + (f", coded from {cols.code}" if cols.code else "")
              + (f"; the coarser levels ({', '.join(coarser)}) are kept as columns"
                 if coarser else "") + ".",
              f"Lớp hành chính đọc theo {scheme.convention} ({_describe(scheme)}): mỗi đa giác "
              f"một {_LEVEL_VI[chosen]}, tên lấy từ {cols.name}"
              + (f", mã từ {cols.code}" if cols.code else "")
              + (f"; các cấp lớn hơn ({', '.join(_LEVEL_VI[lv] for lv in coarser)}) giữ thành "
                 "cột" if coarser else "") + ".")]
    finer = [lv for lv in scheme.present
             if ADMIN_LEVEL_CHOICES.index(lv) > ADMIN_LEVEL_CHOICES.index(chosen)]
    if len(scheme.present) > 1 and not finer:
        notes.append((f"The file has several levels ({', '.join(scheme.present)}): the finest "
                      f"({chosen}) is used; --admin-level chooses another.",
                      f"Tệp có nhiều cấp ({', '.join(_LEVEL_VI[lv] for lv in scheme.present)}):"
                      f" dùng cấp nhỏ nhất ({_LEVEL_VI[chosen]}); --admin-level để chọn cấp "
                      "khác."))
    # Original columns after the canonical ones; one holding the same values under the same
    # name is not repeated, one of a canonical name with other values is kept as <name>_in_file.
    geom = df.geometry.name if hasattr(df, "geometry") else None
    sources = {"name": cols.name, "code": cols.code, "unit_type": cols.unit_type,
               **{lv: scheme.levels[lv].name for lv in coarser},
               **{f"{lv}_code": scheme.levels[lv].code for lv in coarser}}
    drop = [c for c in df.columns if c in canon.columns and sources.get(c) == c]
    if "level" in df.columns and all(_level_word(v) == chosen for v in as_text(df["level"])):
        drop.append("level")
    original = df.drop(columns=drop).rename(columns={
        c: f"{c}_in_file" for c in df.columns if c in canon.columns and c not in drop
        and c != geom})
    table = pd.concat([canon, original], axis=1)
    if geom is not None:
        import geopandas as gpd

        table = gpd.GeoDataFrame(table, geometry=geom, crs=df.crs)
    if finer:
        table, merged = _merge_units(table, chosen, coarser, cols)
        notes.append((f"{len(df)} {finer[-1]} polygons were merged into {merged} {chosen} units "
                      f"(--admin-level {chosen}).",
                      f"Gộp {len(df)} đa giác cấp {_LEVEL_VI[finer[-1]]} thành {merged} đơn vị "
                      f"cấp {_LEVEL_VI[chosen]} (--admin-level {chosen})."))
    return table, notes


def _merge_units(table: pd.DataFrame, chosen: str, coarser: list[str],
                 cols: LevelColumns) -> tuple[pd.DataFrame, int]:
    """One row per unit of ``chosen`` (by code, else by name within its coarser units): the
    union of its polygons; the columns constant within every unit are kept."""
    keys = ["code"] if cols.code else ["name", *coarser]
    key = pd.MultiIndex.from_frame(table[keys].astype(object).where(table[keys].notna(), ""))
    group = pd.Series(key.factorize()[0], index=table.index)
    data = table.drop(columns=[table.geometry.name]) if hasattr(table, "geometry") else table
    constant = [c for c in data.columns
                if (data.assign(_g=group.to_numpy()).groupby("_g")[c]
                    .nunique(dropna=False) <= 1).all()]
    first = data.loc[~group.duplicated().to_numpy(), constant]
    if hasattr(table, "geometry"):
        import geopandas as gpd
        import shapely

        geoms = np.asarray(table.geometry.values, dtype=object)
        merged = [shapely.union_all(geoms[(group == g).to_numpy()])
                  for g in range(int(group.max()) + 1)]
        out = gpd.GeoDataFrame(first.reset_index(drop=True), geometry=merged,
                               crs=table.crs)
        return out, len(out)
    return first.reset_index(drop=True), len(first)


# -- --area-name ----------------------------------------------------------------------------

_UNIT_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt|huyen|quan|thi xa|tx|thanh pho|tp|tinh)\s+")


def unit_key(text: object) -> str:
    """A unit name for matching: no diacritics, case, ``Xã``/``Huyện``/``Tỉnh``... prefix.

    >>> unit_key("Thị trấn Yên Định"), unit_key("HUYỆN HẢI HẬU"), unit_key("Tỉnh Nam Định")
    ('yen dinh', 'hai hau', 'nam dinh')
    """
    key = normalise_name(str(text))
    return _UNIT_PREFIX.sub("", key)


def find_units(df: pd.DataFrame, unit: str, *, level: str | None = None, display: str = "",
               ) -> tuple[np.ndarray, str, str]:
    """The rows of an admin table that make up the unit named ``unit``.

    The name is looked up in the name columns (and variant spellings) of each level of the
    file's convention, the finest level first (or only ``level``): first as written (with its
    ``Xã``/``Huyện`` prefix, diacritics and case ignored), then without the prefix. A
    district or province name selects all its polygons.

    Returns
    -------
    mask, level, column
        Boolean row mask, the level matched and the column it matched in.

    Raises
    ------
    ValidationError
        No unit has that name: the message lists the file's columns and some of its names.
    """
    wanted = check_level(level)
    scheme = detect_scheme([str(c) for c in df.columns], df)
    levels = ([] if scheme is None else
              [wanted] if wanted else list(reversed(scheme.present)))
    if scheme is not None and wanted and wanted not in scheme.levels:
        levels = []
    full = normalise_name(unit)
    short = unit_key(unit)
    for strip in (False, True):
        for lv in levels:
            lc = scheme.levels[lv]  # type: ignore[union-attr]
            for col in (lc.name, *lc.alt_names):
                texts = as_text(df[col])
                keys = (np.array([unit_key(t) for t in texts], dtype=object) if strip else
                        np.array([normalise_name(t) for t in texts], dtype=object))
                hit = keys == (short if strip else full)
                if hit.any():
                    return hit, lv, col
    columns = [str(c) for c in df.columns if str(c) != "geometry"]
    names: list[str] = []
    if scheme is not None:
        for lv in reversed(scheme.present):
            names += sorted_text(df[scheme.levels[lv].name])[:8]
    where = (f" at the {wanted} level" if wanted else "")
    raise ValidationError(
        f"No unit named {unit!r}{where} in the area file. Its columns: {', '.join(columns)}; "
        f"some of its names: {', '.join(names[:15]) or '(no name column found)'}.",
        f"Không có đơn vị tên {unit!r} trong tệp vùng. Các cột: {', '.join(columns)}; một số "
        f"tên: {', '.join(names[:15]) or '(không tìm thấy cột tên)'}.",
        file=display or None,
        fix="Give the name as written in the file (diacritics, case and the Xã/Huyện prefix do "
        "not matter), or --admin-level to search another level.",
        fix_vi="Nhập tên như trong tệp (không phân biệt dấu, chữ hoa và tiền tố Xã/Huyện), hoặc "
        "dùng --admin-level để tìm ở cấp khác.",
    )
