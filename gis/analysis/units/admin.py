"""Which units an admin polygon layer holds (former or new, which level), matched to the crosswalk.

The canonical admin layer (what the admin reader produces from GADM, geoBoundaries, OCHA/HDX or
Vietnamese headers) has one row per polygon of the finest level in the file, with ``name``,
``level`` (``province`` | ``district`` | ``commune``), ``code`` when given, and, when the file
carries coarser levels too, ``province``, ``province_code``, ``district``, ``district_code``.
Its polygons may be former units (GADM 4.1 is pre-2025: 63 provinces, districts, former
communes) or new ones (2025 commune layers). :func:`match_admin_layer` tells which, from its
names and codes, and gives each polygon the crosswalk unit it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.analysis.units._geo import lonlat, pick_nearest
from gis.analysis.units.data import crosswalk
from gis.analysis.units.match import match_table
from gis.analysis.units.names import normalise_unit_name

__all__ = ["ADMIN_LEVELS", "AdminMatch", "match_admin_layer"]

#: Levels of the canonical admin layer, coarsest first.
ADMIN_LEVELS = ("province", "district", "commune")

_LEVEL_WORDS = {"province": "province", "tinh": "province", "1": "province", "adm1": "province",
                "district": "district", "huyen": "district", "2": "district", "adm2": "district",
                "commune": "commune", "xa": "commune", "ward": "commune", "3": "commune",
                "adm3": "commune"}


@dataclass(frozen=True)
class AdminMatch:
    """The crosswalk units of an admin layer's polygons (arrays aligned with its rows).

    Attributes
    ----------
    level
        The layer's level: ``province``, ``district`` or ``commune``.
    vintage
        ``"former"`` (units before 1 July 2025), ``"new"`` (2025 units) or ``None`` when no
        polygon matched.
    former_rows
        Per polygon, its row in :attr:`Crosswalk.former_communes` (-1: none); commune level,
        former vintage.
    commune_codes
        Per polygon, the new commune it is (commune level, new vintage); ``None`` otherwise.
    district_codes
        Per polygon, the former district it is or lies in (``None`` when unknown).
    province_codes
        Per polygon, the new province it is or lies in (``None`` when unknown).
    unmatched
        Names of polygons that matched no unit (at most 10).
    """

    level: str
    vintage: str | None
    former_rows: np.ndarray
    commune_codes: np.ndarray
    district_codes: np.ndarray
    province_codes: np.ndarray
    unmatched: tuple[str, ...] = field(default=())

    @property
    def n_matched(self) -> int:
        """Polygons that matched a unit of the layer's level."""
        if self.level == "commune":
            return int((self.former_rows >= 0).sum() + pd.notna(self.commune_codes).sum())
        codes = self.district_codes if self.level == "district" else self.province_codes
        return int(pd.notna(codes).sum())

    def message(self) -> tuple[str, str]:
        """What was found, (English, Vietnamese)."""
        n = len(self.former_rows)
        lv_en = {"province": "provinces", "district": "districts", "commune": "communes"}[
            self.level]
        lv_vi = {"province": "tỉnh", "district": "huyện", "commune": "xã"}[self.level]
        if self.vintage is None:
            return (f"Admin layer: none of its {n} {lv_en} matched a unit of the crosswalk.",
                    f"Lớp ranh giới: không {lv_vi} nào trong {n} {lv_vi} khớp với bảng đơn vị "
                    "hành chính.")
        v_en = "former (before 1 July 2025)" if self.vintage == "former" else "new (2025)"
        v_vi = "cũ (trước 1/7/2025)" if self.vintage == "former" else "mới (2025)"
        en = f"Admin layer: {n} {lv_en}, {v_en} units; {self.n_matched} matched the crosswalk"
        vi = f"Lớp ranh giới: {n} {lv_vi}, đơn vị {v_vi}; {self.n_matched} khớp bảng chuyển đổi"
        if self.unmatched:
            en += "; not matched: " + ", ".join(self.unmatched)
            vi += "; không khớp: " + ", ".join(self.unmatched)
        return en + ".", vi + "."


def _level(admin: pd.DataFrame) -> str:
    if "level" in admin and admin["level"].notna().any():
        words = admin["level"].dropna().astype(str).str.strip().str.lower().map(_LEVEL_WORDS)
        found = [lv for lv in ADMIN_LEVELS if (words == lv).any()]
        if found:
            return found[-1]  # the finest level present
    return "commune"


def _text(admin: pd.DataFrame, col: str) -> list | None:
    if col not in admin or admin[col].isna().all():
        return None
    return [None if v is None or (isinstance(v, float) and v != v) else str(v)
            for v in admin[col]]


def _by_code(admin: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Former rows and new codes from the ``code`` column where code and name agree."""
    n = len(admin)
    rows = np.full(n, -1)
    new = np.full(n, None, dtype=object)
    if "code" not in admin or level != "commune":
        return rows, new
    cw = crosswalk()
    fc = cw.former_communes
    pos = {c: i for i, c in enumerate(fc["former_commune_code"]) if isinstance(c, str)}
    keys_f = fc["key"].tolist()
    keys_n = dict(zip(cw.communes["commune_code"], cw.communes["key"], strict=True))
    for i, (code, name) in enumerate(zip(admin["code"], admin["name"], strict=True)):
        digits = "".join(ch for ch in str(code) if ch.isdigit()) if code is not None else ""
        if not digits or len(digits) > 5:
            continue
        code5 = digits.zfill(5)
        nm = normalise_unit_name(name)
        if nm is None:
            continue
        if code5 in pos and keys_f[pos[code5]] == nm.key:
            rows[i] = pos[code5]
        if keys_n.get(code5) == nm.key:
            new[i] = code5
    return rows, new


def match_admin_layer(admin: pd.DataFrame) -> AdminMatch:
    """Match an admin layer's polygons to the crosswalk and tell former from new units.

    Parameters
    ----------
    admin
        The canonical admin layer (see the module docstring); a GeoDataFrame in any CRS
        (its polygons' positions pick among units of the same name).

    Returns
    -------
    AdminMatch
    """
    cw = crosswalk()
    n = len(admin)
    level = _level(admin)
    lon, lat = lonlat(admin)
    names = _text(admin, "name")
    former_rows = np.full(n, -1)
    commune_codes = np.full(n, None, dtype=object)
    district_codes = np.full(n, None, dtype=object)
    province_codes = np.full(n, None, dtype=object)
    unmatched: list[str] = []
    if level == "commune":
        tm = match_table(_text(admin, "province"), _text(admin, "district"), names)
        code_rows, code_new = _by_code(admin, level)
        n_code_f, n_code_n = int((code_rows >= 0).sum()), int(pd.notna(code_new).sum())
        vintage = tm.vintage
        if n_code_f != n_code_n and max(n_code_f, n_code_n) >= 0.5 * n:
            vintage = "former" if n_code_f > n_code_n else "new"
        pairs_r, pairs_c, pairs_lon, pairs_lat = [], [], [], []
        fc = cw.former_communes
        nc = cw.communes.set_index("commune_code")
        for i, (m, use) in enumerate(zip(tm.matches, tm.use, strict=True)):
            if vintage == "former" and code_rows[i] >= 0:
                former_rows[i] = code_rows[i]
                continue
            if vintage == "new" and code_new[i] is not None:
                commune_codes[i] = code_new[i]
                continue
            want = "former" if vintage == "former" else "new"
            cands = m.former_rows if want == "former" else m.new_codes
            if not cands:  # a polygon of the other vintage, or not found: leave it
                if use == "" and names is not None and names[i] and len(unmatched) < 10:
                    unmatched.append(names[i])
                continue
            for cnd in cands:
                pairs_r.append(i)
                pairs_c.append(cnd)
                if want == "former":
                    pairs_lon.append(fc.at[cnd, "lon"])
                    pairs_lat.append(fc.at[cnd, "lat"])
                else:
                    pairs_lon.append(nc.at[cnd, "lon"])
                    pairs_lat.append(nc.at[cnd, "lat"])
        chosen = pick_nearest(np.asarray(pairs_r, dtype=int), np.asarray(pairs_c, dtype=object),
                              np.asarray(pairs_lon, dtype=float),
                              np.asarray(pairs_lat, dtype=float), lon, lat)
        for i, cnd in chosen.items():
            if vintage == "former":
                former_rows[i] = int(cnd)
            else:
                commune_codes[i] = cnd
        ok = former_rows >= 0
        district_codes[ok] = fc["former_district_code"].to_numpy()[former_rows[ok]]
        province_codes[ok] = fc["province_code"].to_numpy()[former_rows[ok]]
        okn = pd.notna(commune_codes)
        province_codes[okn] = nc.loc[commune_codes[okn].tolist(), "province_code"].to_numpy()
    elif level == "district":
        vintage = "former"  # districts ended on 1 July 2025: a district layer is former
        tm = match_table(_text(admin, "province"), names, None)
        prov_of = cw.former_districts.set_index("former_district_code")["province_code"]
        for i, m in enumerate(tm.matches):
            if m.district_codes:
                district_codes[i] = m.district_codes[0]
                province_codes[i] = prov_of[m.district_codes[0]]
            elif names and names[i] and len(unmatched) < 10:
                unmatched.append(names[i])
    else:
        new_hits = former_hits = 0
        per: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for i in range(n):
            m = match_table([names[i] if names else None], None, None).matches[0]
            new_p = tuple(c for c in m.province_codes if _is_new_name(names[i], c))
            per.append((new_p, m.province_codes))
            new_hits += bool(new_p)
            former_hits += bool(m.former_province_codes)
        vintage = None if not (new_hits or former_hits) else (
            "former" if former_hits > new_hits or n > 34 else "new")
        for i, (new_p, any_p) in enumerate(per):
            codes = any_p if vintage == "former" else (new_p or any_p)
            if codes:
                province_codes[i] = codes[0]
            elif names and names[i] and len(unmatched) < 10:
                unmatched.append(names[i])
    return AdminMatch(level, vintage, former_rows, commune_codes, district_codes,
                      province_codes, tuple(unmatched))


def _is_new_name(name: object, code: str) -> bool:
    nm = normalise_unit_name(name)
    if nm is None:
        return False
    p = crosswalk().provinces
    return bool(((p["province_code"] == code) & (p["key"] == nm.key)).any())
