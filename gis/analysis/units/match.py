"""Matching names of provinces, districts and communes (former or new) to the crosswalk.

:func:`match_names` looks one (province, district, commune) triple up, as written in a hamlet
list, an admin layer or a statistics table, and returns every unit it can mean: former communes
(rows of :attr:`Crosswalk.former_communes`) and new communes (codes). Names are compared by
their :func:`~gis.analysis.units.names.normalise_unit_name` key; when several units share a key
within the scope, the prefix's kind (Xã / Phường / Thị trấn) and then the tones narrow them down.
Other spellings and former names that the data package lists as keywords match too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from gis.analysis.units.data import crosswalk
from gis.analysis.units.names import UnitName, normalise_unit_name

__all__ = ["NameMatch", "TableMatch", "match_names", "match_table"]


@dataclass(frozen=True)
class NameMatch:
    """The units a (province, district, commune) triple can mean.

    Attributes
    ----------
    former_rows
        Rows of :attr:`Crosswalk.former_communes` the commune name matches (within the
        district and province when given).
    new_codes
        New commune codes the commune name matches (within the province when given).
    province_codes
        New provinces the province name means: itself when it is a new province, the one that
        took it when it is a former one.
    former_province_codes
        Former provinces the province name matches.
    district_codes
        Former districts the district name matches.
    given
        Which of ``province``, ``district``, ``commune`` were given (not blank).
    former_exact, new_exact
        Whether the commune name matched with its tones too (or was written without
        diacritics); ``False`` when it matched only without them (``"Văn Lang"`` for the
        former ``"Văn Lăng"``).
    """

    former_rows: tuple[int, ...] = ()
    new_codes: tuple[str, ...] = ()
    province_codes: tuple[str, ...] = ()
    former_province_codes: tuple[str, ...] = ()
    district_codes: tuple[str, ...] = ()
    given: frozenset[str] = frozenset()
    former_exact: bool = False
    new_exact: bool = False


class _Index:
    """Dictionaries from keys to units, built once from the crosswalk."""

    def __init__(self) -> None:
        cw = crosswalk()
        al = cw.aliases
        alias = {lvl: list(zip(g["code"], g["key"], strict=True)) for lvl, g in al.groupby("level")}

        def keyed(pairs: Iterable[tuple[object, str]]) -> dict[str, set]:
            out: dict[str, set] = defaultdict(set)
            for code, key in pairs:
                if key:
                    out[key].add(code)
            return out

        p, fp, fd = cw.provinces, cw.former_provinces, cw.former_districts
        self.prov_new = keyed([*zip(p["province_code"], p["key"], strict=True),
                               *alias.get("province", [])])
        self.prov_former = keyed([*zip(fp["former_province_code"], fp["key"], strict=True),
                                  *alias.get("former_province", [])])
        self.new_of_former_prov = dict(zip(fp["former_province_code"], fp["province_code"],
                                           strict=True))
        self.former_provs_of_new: dict[str, set[str]] = defaultdict(set)
        for f, n in self.new_of_former_prov.items():
            self.former_provs_of_new[n].add(f)
        d_pairs = [*zip(fd["former_district_code"], fd["key"], strict=True),
                   *alias.get("former_district", [])]
        prov_of_d = dict(zip(fd["former_district_code"], fd["former_province_code"], strict=True))
        self.dist: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.dist_any = keyed(d_pairs)
        for code, key in d_pairs:
            self.dist[(prov_of_d[code], key)].add(code)
        self.district_kind = dict(zip(fd["former_district_code"], fd["kind"], strict=True))
        self.district_toned = dict(zip(fd["former_district_code"], fd["toned"], strict=True))

        fc = cw.former_communes
        self.fc_kind = fc["kind"].tolist()
        self.fc_toned = fc["toned"].tolist()
        fc_d, fc_p, fc_np = fc["former_district_code"].tolist(), \
            fc["former_province_code"].tolist(), fc["province_code"].tolist()
        fc_pairs = [*((i, k) for i, k in enumerate(fc["key"]) if isinstance(k, str)),
                    *alias.get("former_commune", [])]
        self.fc_by_d: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.fc_by_p: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.fc_by_np: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.fc_any: dict[str, set[int]] = defaultdict(set)
        for i, key in fc_pairs:
            i = int(i)
            self.fc_by_d[(fc_d[i], key)].add(i)
            self.fc_by_p[(fc_p[i], key)].add(i)
            self.fc_by_np[(fc_np[i], key)].add(i)
            self.fc_any[key].add(i)
        c = cw.communes
        self.nc_kind = dict(zip(c["commune_code"], c["kind"], strict=True))
        self.nc_toned = dict(zip(c["commune_code"], c["toned"], strict=True))
        nc_prov = dict(zip(c["commune_code"], c["province_code"], strict=True))
        nc_pairs = [*zip(c["commune_code"], c["key"], strict=True), *alias.get("commune", [])]
        self.nc_by_p: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.nc_any: dict[str, set[str]] = defaultdict(set)
        for code, key in nc_pairs:
            self.nc_by_p[(nc_prov[code], key)].add(code)
            self.nc_any[key].add(code)


@cache
def _index() -> _Index:
    return _Index()


def _keys(name: UnitName) -> list[str]:
    return [name.key] + ([name.alt_key] if name.alt_key else [])


def _narrow(cands: set, name: UnitName, kind_of, toned_of) -> tuple:
    """Candidates narrowed by the kind of the prefix, then by the tones (when that leaves any)."""
    out = sorted(cands)
    if len(out) > 1 and name.kind:
        same = [c for c in out if kind_of(c) == name.kind]
        out = same or out
    if len(out) > 1 and name.toned:
        same = [c for c in out if toned_of(c) == name.toned]
        out = same or out
    return tuple(out)


def _lookup(name: UnitName | None, table: dict, scopes: Iterable[object] | None) -> set:
    """Units of ``table`` for ``name`` (within ``scopes`` when given), key then alt key."""
    if name is None:
        return set()
    for key in _keys(name):
        if scopes is None:
            found = set(table.get(key, ()))
        else:
            found = set()
            for s in scopes:
                found |= table.get((s, key), set())
        if found:
            return found
    return set()


def _lookup_in_scope(name: UnitName, scoped: Iterable[tuple[set, dict]],
                     unscoped: dict | None) -> set:
    """Units for ``name`` (:func:`_lookup`) in the table of the narrowest known scope.

    ``scoped`` holds (scope, table) pairs, narrowest first; the first non-empty scope is
    searched. When none is, ``unscoped`` is (the whole country), or nothing when it is None.
    """
    for scope, table in scoped:
        if scope:
            return _lookup(name, table, scope)
    return _lookup(name, unscoped, None) if unscoped is not None else set()


@cache
def _match(p: UnitName | None, d: UnitName | None, c: UnitName | None) -> NameMatch:
    ix = _index()
    new_p = _lookup(p, ix.prov_new, None)
    former_p = _lookup(p, ix.prov_former, None)
    provinces = new_p | {ix.new_of_former_prov[f] for f in former_p}
    if d is not None:
        if former_p:
            d_scope: set[str] | None = set(former_p)
        elif new_p:
            d_scope = set().union(*(ix.former_provs_of_new[n] for n in new_p))
        else:
            d_scope = None
        districts = _lookup(d, ix.dist_any if d_scope is None else ix.dist, d_scope)
        districts = set(_narrow(districts, d, ix.district_kind.get, ix.district_toned.get))
    else:
        districts = set()
    former_rows: tuple[int, ...] = ()
    new_codes: tuple[str, ...] = ()
    if c is not None:
        # the narrowest scope that is known; the whole country only when no province was given
        rows = _lookup_in_scope(c, ((districts, ix.fc_by_d), (former_p, ix.fc_by_p),
                                    (new_p, ix.fc_by_np)), ix.fc_any if p is None else None)
        former_rows = _narrow(rows, c, ix.fc_kind.__getitem__, ix.fc_toned.__getitem__)
        codes = _lookup_in_scope(c, ((provinces, ix.nc_by_p),), ix.nc_any if p is None else None)
        new_codes = _narrow(codes, c, ix.nc_kind.get, ix.nc_toned.get)
    given = frozenset(k for k, v in (("province", p), ("district", d), ("commune", c))
                      if v is not None)
    toned = c.toned if c is not None else None
    former_exact = bool(former_rows) and (toned is None or any(
        ix.fc_toned[r] == toned for r in former_rows))
    new_exact = bool(new_codes) and (toned is None or any(
        ix.nc_toned.get(x) == toned for x in new_codes))
    return NameMatch(former_rows, new_codes, tuple(sorted(provinces)), tuple(sorted(former_p)),
                     tuple(sorted(districts)), given, former_exact, new_exact)


def match_names(province: object = None, district: object = None,
                commune: object = None) -> NameMatch:
    """Every unit a (province, district, commune) triple can mean (see :class:`NameMatch`).

    Any of the three may be missing. The province may be a former (63) or a new (34) one; the
    district is a former one (districts ended on 1 July 2025); the commune may be former or
    new. A district or province that is given but not found leaves the commune unmatched
    rather than matched somewhere else in the country.

    Examples
    --------
    >>> m = match_names("Nam Định", "Hải Hậu", "Xã Hải Đông")        # doctest: +SKIP
    >>> len(m.former_rows), m.province_codes                          # doctest: +SKIP
    (1, ('37',))
    """
    return _match(normalise_unit_name(province), normalise_unit_name(district),
                  normalise_unit_name(commune))


@dataclass(frozen=True)
class TableMatch:
    """The names of a whole table matched: which vintage they are, and each row's match.

    Attributes
    ----------
    vintage
        ``"former"`` when the table names units as before 1 July 2025 (it has districts, or
        more of its communes are former than new), ``"new"`` when it names 2025 units,
        ``None`` when no commune name matched at all.
    matches
        One :class:`NameMatch` per row.
    use
        Per row, which of the row's matches counts: ``"former"``, ``"new"`` or ``""`` (no
        commune given, or none found). The table's vintage wins; a row falls back to the other
        when it has no match of the table's vintage, or only one without its tones while the
        other matches exactly.
    """

    vintage: str | None
    matches: list[NameMatch]
    use: list[str]


def _column(values: object, n: int) -> list[object]:
    if values is None:
        return [None] * n
    return list(values)


def match_table(province: object = None, district: object = None,
                commune: object = None) -> TableMatch:
    """Match the (province, district, commune) names of every row of a table.

    Parameters
    ----------
    province, district, commune
        Sequences of equal length (a column each), or ``None`` for a column the table lacks.
        Each distinct triple is looked up once.
    """
    cols = [c for c in (province, district, commune) if c is not None]
    n = len(cols[0]) if cols else 0
    p, d, c = _column(province, n), _column(district, n), _column(commune, n)
    cache: dict[tuple, NameMatch] = {}
    matches = []
    for triple in zip(p, d, c, strict=True):
        key = tuple(None if v is None or (isinstance(v, float) and v != v) else str(v)
                    for v in triple)
        m = cache.get(key)
        if m is None:
            m = cache[key] = match_names(*key)
        matches.append(m)
    has_district = any(m.district_codes or "district" in m.given for m in cache.values())
    former_only = new_only = 0
    former_province_only = False
    for m in matches:
        f = bool(m.former_rows) and (not m.new_codes or (m.former_exact and not m.new_exact))
        w = bool(m.new_codes) and (not m.former_rows or (m.new_exact and not m.former_exact))
        former_only += f
        new_only += w
        former_province_only |= bool(m.former_province_codes) and not _is_new_province(m)
    any_match = any(m.former_rows or m.new_codes for m in cache.values())
    if not any_match:
        vintage = None
    elif has_district or former_only > new_only:
        vintage = "former"
    elif new_only > former_only:
        vintage = "new"
    else:
        vintage = "former" if former_province_only else "new"
    use = []
    for m in matches:
        first, other = ("former", "new") if vintage != "new" else ("new", "former")
        have = {"former": bool(m.former_rows), "new": bool(m.new_codes)}
        exact = {"former": m.former_exact, "new": m.new_exact}
        if have[first] and not (have[other] and exact[other] and not exact[first]):
            use.append(first)
        elif have[other]:
            use.append(other)
        else:
            use.append("")
    return TableMatch(vintage, matches, use)


def _is_new_province(m: NameMatch) -> bool:
    """Whether the province named is (also) one of the 34 new provinces by that name."""
    ix = _index()
    return any(ix.new_of_former_prov.get(f) == f for f in m.former_province_codes)
