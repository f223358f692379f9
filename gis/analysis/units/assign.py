"""Every hamlet's 2025 units (province, commune) and former units, from its names and position.

:func:`assign_units` gives each hamlet the new units (``province_code``, ``province``,
``commune_code``, ``commune``) and keeps the former ones (``former_commune``,
``former_district``, ``former_province``, with their codes), as given or derived, in this order
(issue 16; the same containment step serves issue 13, item 4):

1. **the names given** (columns ``commune``, ``district``, ``province``, former or new,
   normalised by :func:`~gis.analysis.units.names.normalise_unit_name`):
   ``unit_source = names``;
2. **containment in a commune polygon layer**, when one is given, for hamlets whose names do
   not decide: ``polygon``;
3. for a **former commune split** among several new ones (471 in the country), the candidate
   whose polygon contains the hamlet, else whose centre is nearest the hamlet: ``approximate``;
4. with no usable names, the **position** alone: the commune polygon containing the hamlet
   (``polygon``), else the nearest new-commune centre within the province the names or the
   polygons give (else in the whole country): ``nearest_centroid``;
5. no name and no position: ``none``.

A hamlet whose names contradict its position is **reported, never silently re-keyed**: its
names are used, the former names are kept as given, and ``unit_conflict`` says what disagrees
(a code; several are joined by ``;``) with ``unit_conflict_en`` / ``unit_conflict_vi`` saying
which unit the tool used and why. Codes: ``polygon_differs`` (the admin polygon containing the
hamlet is another unit), ``far_from_named`` (without polygons: the hamlet lies more than
:attr:`UnitParams.far_margin_m` outside the commune named), ``name_not_found`` (the commune,
district or province named is not in the crosswalk, or, with no province or district given, no
unit of that name lies near the hamlet: the position decided), ``ambiguous_name`` (the name fits
several units in its province: the nearest was used).

Former units of a hamlet named by its new commune (or placed by position) are derived: from a
former-commune polygon layer when given (``former_source = polygon``), else the former commune,
among those that went into its new commune, whose centre is nearest (``approximate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from gis.analysis.units._geo import distance_to_box_m, haversine_m, lonlat, pick_nearest
from gis.analysis.units.admin import AdminMatch, match_admin_layer
from gis.analysis.units.data import crosswalk
from gis.analysis.units.match import match_table
from gis.analysis.units.params import UnitParams
from gis.labels import CONFLICT_LABELS, UNIT_SOURCE_LABELS

__all__ = ["CONFLICT_CODES", "UNIT_COLUMNS", "UNIT_SOURCES", "assign_units", "units_summary"]

#: Columns of :func:`assign_units`, in order.
UNIT_COLUMNS = [
    "province_code", "province", "commune_code", "commune",
    "former_province_code", "former_province", "former_district_code", "former_district",
    "former_commune_code", "former_commune",
    "unit_source", "former_source", "unit_conflict", "unit_conflict_en", "unit_conflict_vi",
]

#: Values of ``unit_source`` and of ``unit_conflict`` -> (Vietnamese, English) label: in
#: :mod:`gis.labels` with every other word.
UNIT_SOURCES = UNIT_SOURCE_LABELS
CONFLICT_CODES = CONFLICT_LABELS


@dataclass
class _State:
    """Per-hamlet working arrays."""

    n: int
    lon: np.ndarray
    lat: np.ndarray

    def __post_init__(self) -> None:
        n = self.n
        self.fc = np.full(n, -1)                          # former commune row
        self.nc = np.full(n, None, dtype=object)          # new commune code
        self.source = np.full(n, "none", dtype=object)
        self.fsource = np.full(n, "none", dtype=object)
        self.conflict = np.full(n, "", dtype=object)
        self.en = np.full(n, "", dtype=object)
        self.vi = np.full(n, "", dtype=object)

    def report(self, i: int, code: str, en: str, vi: str) -> None:
        """Add a conflict to hamlet ``i`` (several are joined: codes by ``;``)."""
        if self.conflict[i]:
            self.conflict[i] += ";" + code
            self.en[i] += " " + en
            self.vi[i] += " " + vi
        else:
            self.conflict[i], self.en[i], self.vi[i] = code, en, vi


def _given(hamlets: pd.DataFrame, col: str) -> list | None:
    if col not in hamlets:
        return None
    values = [None if v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""
              else str(v).strip() for v in hamlets[col].astype(object)]
    return values if any(v is not None for v in values) else None


def _contain(hamlets: pd.DataFrame, admin: gpd.GeoDataFrame,
             lon: np.ndarray, lat: np.ndarray) -> tuple[AdminMatch, np.ndarray]:
    """The admin match and, per hamlet, the admin row containing it (-1: none)."""
    match = match_admin_layer(admin)
    inside = np.full(len(hamlets), -1)
    if len(admin) == 0:
        return match, inside
    polys = admin.geometry.to_numpy()
    if admin.crs is not None and not admin.crs.is_geographic:
        polys = gpd.GeoSeries(polys, crs=admin.crs).to_crs(4326).to_numpy()
    pts = shapely.points(lon, lat)
    ok = np.isfinite(lon) & np.isfinite(lat)
    tree = shapely.STRtree(polys)
    hi, pi = tree.query(pts[ok], predicate="within")
    idx = np.flatnonzero(ok)
    order = np.lexsort((pi, hi))
    hi, pi = hi[order], pi[order]
    first = np.r_[True, hi[1:] != hi[:-1]] if len(hi) else np.zeros(0, bool)
    inside[idx[hi[first]]] = pi[first]
    return match, inside


def assign_units(hamlets: pd.DataFrame, admin: gpd.GeoDataFrame | None = None, *,
                 params: UnitParams | None = None) -> pd.DataFrame:
    """The 2025 and former administrative units of every hamlet (see the module docstring).

    Parameters
    ----------
    hamlets
        The hamlets: a GeoDataFrame (points or polygons, any CRS; the metric analysis CRS in
        the run) or a table with ``lon``/``lat`` degrees; optional columns ``commune``,
        ``district``, ``province`` holding former or new names (any spelling).
    admin
        The canonical admin layer (:mod:`gis.analysis.units.admin`), former or new units of
        any level, or ``None``.
    params
        :class:`UnitParams`; defaults when ``None``.

    Returns
    -------
    pandas.DataFrame
        On the hamlet index, columns :data:`UNIT_COLUMNS`. ``attrs["units"]`` holds a summary:
        ``names_vintage`` (``former`` / ``new`` / ``None``), ``admin`` (the admin layer's
        level and vintage, or ``None``), counts per ``unit_source`` and of conflicts.
    """
    params = params or UnitParams()
    cw = crosswalk()
    fc = cw.former_communes
    communes = cw.communes.set_index("commune_code")
    n = len(hamlets)
    lon, lat = lonlat(hamlets)
    st = _State(n, lon, lat)
    given = {c: _given(hamlets, c) for c in ("province", "district", "commune")}
    tm = match_table(given["province"], given["district"], given["commune"]) \
        if any(v is not None for v in given.values()) else None

    # -- the admin polygon containing each hamlet -------------------------------------------
    am: AdminMatch | None = None
    inside = np.full(n, -1)
    if admin is not None and len(admin):
        am, inside = _contain(hamlets, admin, lon, lat)
    has = inside >= 0
    p_fc = np.full(n, -1)
    p_nc = np.full(n, None, dtype=object)
    p_fd = np.full(n, None, dtype=object)
    p_prov = np.full(n, None, dtype=object)
    if am is not None:
        p_fc[has] = am.former_rows[inside[has]]
        p_nc[has] = am.commune_codes[inside[has]]
        p_fd[has] = am.district_codes[inside[has]]
        p_prov[has] = am.province_codes[inside[has]]
    commune_polygons = am is not None and am.level == "commune" and am.vintage is not None

    # -- 1. names ------------------------------------------------------------------------------
    restrict_prov = np.full(n, None, dtype=object)   # tuple of new province codes
    restrict_dist = np.full(n, None, dtype=object)   # tuple of former district codes
    f_pairs: list[tuple[int, int]] = []              # ambiguous former names
    n_pairs: list[tuple[int, str]] = []              # ambiguous new names
    wide_f: list[tuple[int, int]] = []               # names looked up in the whole country
    wide_n: list[tuple[int, str]] = []
    if tm is not None:
        for i, (m, use) in enumerate(zip(tm.matches, tm.use, strict=True)):
            if m.province_codes:
                restrict_prov[i] = m.province_codes
            if m.district_codes:
                restrict_dist[i] = m.district_codes
            # without province and district a name alone cannot place a hamlet: only the
            # units of that name near the hamlet count
            wide = not ({"province", "district"} & m.given) and np.isfinite(lon[i]) \
                and np.isfinite(lat[i])
            if use == "former":
                if wide:
                    wide_f += [(i, r) for r in m.former_rows]
                elif len(m.former_rows) == 1:
                    st.fc[i] = m.former_rows[0]
                    st.source[i] = st.fsource[i] = "names"
                else:
                    f_pairs += [(i, r) for r in m.former_rows]
            elif use == "new":
                if wide:
                    wide_n += [(i, c) for c in m.new_codes]
                elif len(m.new_codes) == 1:
                    st.nc[i] = m.new_codes[0]
                    st.source[i] = "names"
                else:
                    n_pairs += [(i, c) for c in m.new_codes]
            else:
                _not_found(st, i, m, given)
    for pairs, is_former in ((wide_f, True), (wide_n, False)):
        kept = _near_pairs(pairs, is_former, st, fc, communes, params, given)
        count: dict[int, int] = {}
        for i, _c in kept:
            count[i] = count.get(i, 0) + 1
        for i, c in kept:
            if count[i] > 1:
                (f_pairs if is_former else n_pairs).append((i, c))
            elif is_former:
                st.fc[i] = int(c)
                st.source[i] = st.fsource[i] = "names"
            else:
                st.nc[i] = c
                st.source[i] = "names"
    _resolve_ambiguous(st, f_pairs, n_pairs, p_fc, p_nc, fc, communes, given)

    # -- 2.-4. hamlets the names did not place: polygon, else position ------------------------
    todo = (st.fc < 0) & pd.isna(st.nc)
    if am is not None:
        pn = todo & pd.notna(p_nc)
        st.nc[pn] = p_nc[pn]
        st.source[pn] = "polygon"
        pf = todo & (p_fc >= 0)
        st.fc[pf] = p_fc[pf]
        st.source[pf] = st.fsource[pf] = "polygon"
        todo = (st.fc < 0) & pd.isna(st.nc)
    _by_position(st, todo, restrict_prov, restrict_dist, p_prov, p_fd, cw)

    # -- former commune -> new commune (split communes: polygon, else nearest part) ---------
    _former_to_new(st, p_nc, fc, cw)

    # -- contradictions between the names and the position ----------------------------------
    named = st.source == "names"
    if tm is not None:
        _check_position(st, named, tm, p_fc, p_nc, has, commune_polygons, am, fc, communes,
                        given, params)

    # -- former units derived for hamlets named by their new commune or placed by position -----
    _derive_former(st, p_fc, cw)

    return _table(hamlets.index, st, tm, given, cw, am)


def _label_given(given: dict, i: int) -> str:
    parts = [given[c][i] for c in ("commune", "district", "province")
             if given[c] is not None and given[c][i]]
    return ", ".join(parts)


def _not_found(st: _State, i: int, m, given: dict) -> None:
    if "commune" not in m.given:
        return
    text = _label_given(given, i)
    st.report(i, "name_not_found",
              f"'{text}' is not a commune of the crosswalk (former or 2025); the units come "
              "from the hamlet's position.",
              f"'{text}' không có trong bảng đơn vị hành chính (cũ hoặc 2025); đơn vị được "
              "xác định theo vị trí của thôn.")


def _extent_distance_m(is_former: bool, rows: np.ndarray, cands: np.ndarray, st: _State,
                       fc: pd.DataFrame, communes: pd.DataFrame) -> np.ndarray:
    """Metres from each hamlet ``rows[k]`` to the extent of unit ``cands[k]``: a former
    commune's bounding box, or the disc of a new commune's area around its centre."""
    if is_former:
        r = cands.astype(int)
        return distance_to_box_m(st.lon[rows], st.lat[rows], fc["lon_min"].to_numpy()[r],
                                 fc["lon_max"].to_numpy()[r], fc["lat_min"].to_numpy()[r],
                                 fc["lat_max"].to_numpy()[r])
    c = communes.loc[cands.tolist()]
    radius = np.sqrt(c["area_km2"].to_numpy(dtype=float) * 1e6 / np.pi)
    d = haversine_m(st.lon[rows], st.lat[rows], c["lon"].to_numpy(dtype=float),
                    c["lat"].to_numpy(dtype=float))
    return np.maximum(d - np.nan_to_num(radius), 0.0)


def _near_pairs(pairs: list, is_former: bool, st: _State, fc: pd.DataFrame,
                communes: pd.DataFrame, params: UnitParams, given: dict) -> list:
    """The (hamlet, unit) pairs whose unit lies within the margin of the hamlet; hamlets with
    none are reported (the name exists only far away) and left to their position."""
    if not pairs:
        return []
    rows = np.array([p[0] for p in pairs], dtype=int)
    cands = np.array([p[1] for p in pairs], dtype=object)
    d = _extent_distance_m(is_former, rows, cands, st, fc, communes)
    near = d <= params.far_margin_m
    kept = [(int(r), c) for r, c, ok in zip(rows, cands, near, strict=True) if ok]
    have = {r for r, _ in kept}
    nearest: dict[int, float] = {}
    for r, dist in zip(rows.tolist(), d.tolist(), strict=True):
        nearest[r] = min(nearest.get(r, np.inf), dist)
    for r in sorted(set(rows.tolist()) - have):
        text = _label_given(given, r)
        km = nearest[r] / 1000
        st.report(r, "name_not_found",
                  f"'{text}' names no commune near the hamlet (the nearest of that name lies "
                  f"{km:.0f} km away, and no province is given); the units come from the "
                  "hamlet's position.",
                  f"Không có xã '{text}' gần thôn (xã cùng tên gần nhất cách {km:.0f} km, và "
                  "không ghi tỉnh); đơn vị được xác định theo vị trí của thôn.")
    return kept


def _resolve_ambiguous(st: _State, f_pairs: list, n_pairs: list, p_fc: np.ndarray,
                       p_nc: np.ndarray, fc: pd.DataFrame, communes: pd.DataFrame,
                       given: dict) -> None:
    """Names that fit several units: the polygon's unit when it is one of them, else nearest."""
    for pairs, is_former in ((f_pairs, True), (n_pairs, False)):
        if not pairs:
            continue
        rows = np.array([p[0] for p in pairs], dtype=int)
        cands = np.array([p[1] for p in pairs], dtype=object)
        if is_former:
            cl = fc["lon"].to_numpy()[cands.astype(int)]
            ca = fc["lat"].to_numpy()[cands.astype(int)]
        else:
            cl = communes.loc[cands.tolist(), "lon"].to_numpy(dtype=float)
            ca = communes.loc[cands.tolist(), "lat"].to_numpy(dtype=float)
        chosen = pick_nearest(rows, cands, cl, ca, st.lon, st.lat)
        by_row: dict[int, list] = {}
        for r, c in pairs:
            by_row.setdefault(r, []).append(c)
        for i, c in chosen.items():
            options = by_row[i]
            poly = p_fc[i] if is_former else p_nc[i]
            if poly is not None and poly != -1 and poly in options:
                c, how = poly, "polygon"
            else:
                how = "approximate"
            if is_former:
                st.fc[i] = int(c)
                st.fsource[i] = "names"
                name = fc.at[int(c), "former_commune"] + ", " + fc.at[int(c), "former_district"]
            else:
                st.nc[i] = c
                name = communes.at[c, "commune"]
            st.source[i] = "names" if how == "polygon" else "approximate"
            if how == "approximate":
                text = _label_given(given, i)
                st.report(i, "ambiguous_name",
                          f"'{text}' fits {len(options)} units; the one nearest the hamlet "
                          f"({name}) was used.",
                          f"'{text}' trùng tên {len(options)} đơn vị; đã dùng đơn vị gần thôn "
                          f"nhất ({name}).")


def _by_position(st: _State, todo: np.ndarray, restrict_prov: np.ndarray,
                 restrict_dist: np.ndarray, p_prov: np.ndarray, p_fd: np.ndarray, cw) -> None:
    """Nearest former commune centre within a known district, else nearest new commune centre
    within a known province, else in the whole country."""
    known = todo & np.isfinite(st.lon) & np.isfinite(st.lat)
    if not known.any():
        return
    fc = cw.former_communes
    dist = _objects([r if r is not None else ((d,) if d is not None else None)
                     for r, d in zip(restrict_dist, p_fd, strict=True)])
    prov = [r if r is not None else ((p,) if p is not None else None)
            for r, p in zip(restrict_prov, p_prov, strict=True)]
    # within a former district: pairs with its former communes (a few dozen each)
    in_d = np.flatnonzero(known & pd.notna(dist))
    if len(in_d):
        by_d = fc.groupby("former_district_code").indices
        pr, pc = [], []
        for i in in_d:
            for d in dist[i]:
                rows = by_d.get(d, ())
                pr += [i] * len(rows)
                pc += list(rows)
        if pr:
            pc_arr = np.asarray(pc, dtype=int)
            chosen = pick_nearest(np.asarray(pr, dtype=int), pc_arr,
                                  fc["lon"].to_numpy()[pc_arr], fc["lat"].to_numpy()[pc_arr],
                                  st.lon, st.lat)
            for i, r in chosen.items():
                st.fc[i] = int(r)
                st.source[i] = "nearest_centroid"
                st.fsource[i] = "approximate"
    rest = known & (st.fc < 0) & pd.isna(st.nc)
    c = cw.communes
    xyz = _xyz(c["lon"].to_numpy(dtype=float), c["lat"].to_numpy(dtype=float))
    keys = np.array([",".join(sorted(p)) if p is not None else "" for p in prov], dtype=object)
    for key in sorted(set(keys[rest])):
        sel = rest & (keys == key)
        mask = c["province_code"].isin(key.split(",")).to_numpy() if key else \
            np.ones(len(c), bool)
        if not mask.any():
            mask = np.ones(len(c), bool)
        tree = cKDTree(xyz[mask])
        _, j = tree.query(_xyz(st.lon[sel], st.lat[sel]))
        st.nc[sel] = c["commune_code"].to_numpy()[mask][j]
        st.source[sel] = "nearest_centroid"


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of ``values`` (tuples stay elements, numpy would make a 2-d array)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Unit-sphere coordinates: chord distance orders points as great-circle distance does."""
    lo, la = np.radians(lon), np.radians(lat)
    return np.c_[np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]


def _former_to_new(st: _State, p_nc: np.ndarray, fc: pd.DataFrame, cw) -> None:
    have = (st.fc >= 0) & pd.isna(st.nc)
    if not have.any():
        return
    rows = st.fc[have]
    whole = fc["commune_code"].to_numpy()[rows]
    idx = np.flatnonzero(have)
    ok = pd.notna(whole)
    st.nc[idx[ok]] = whole[ok]
    split_idx = idx[~ok]
    if not len(split_idx):
        return
    cand = cw.split_candidates
    by_f = cand.groupby("former_commune_code").indices
    codes = fc["former_commune_code"].to_numpy()
    pr, pos = [], []
    for i in split_idx:
        sel = by_f.get(codes[st.fc[i]], ())
        pr += [i] * len(sel)
        pos += list(sel)
    pos_arr = np.asarray(pos, dtype=int)
    chosen = pick_nearest(np.asarray(pr, dtype=int), pos_arr,
                          cand["lon"].to_numpy()[pos_arr], cand["lat"].to_numpy()[pos_arr],
                          st.lon, st.lat)
    cc = cand["commune_code"].to_numpy()
    default = fc["default_commune_code"].to_numpy()
    for i in split_idx:
        options = [cc[p] for p in by_f.get(codes[st.fc[i]], ())]
        if p_nc[i] is not None and p_nc[i] in options:
            st.nc[i] = p_nc[i]
            st.source[i] = "polygon"
        elif np.isfinite(st.lon[i]) and i in chosen:
            st.nc[i] = cc[chosen[i]]
            st.source[i] = "approximate"
        else:
            st.nc[i] = default[st.fc[i]]
            st.source[i] = "approximate"


def _check_position(st: _State, named: np.ndarray, tm, p_fc: np.ndarray, p_nc: np.ndarray,
                    has: np.ndarray, commune_polygons: bool, am: AdminMatch | None,
                    fc: pd.DataFrame, communes: pd.DataFrame, given: dict,
                    params: UnitParams) -> None:
    """Report hamlets whose names contradict the polygon containing them, or lie far away."""
    names_f = fc["former_commune"].to_numpy()
    idx = np.flatnonzero((named | (st.source == "approximate")) & (st.source != "none"))
    if commune_polygons:
        assert am is not None
        for i in idx:
            if not has[i]:
                continue
            text = _label_given(given, i)
            if am.vintage == "former" and p_fc[i] >= 0 and st.fc[i] >= 0 and p_fc[i] != st.fc[i]:
                poly = f"{names_f[p_fc[i]]}, {fc.at[p_fc[i], 'former_district']}"
            elif am.vintage == "new" and p_nc[i] is not None and p_nc[i] != st.nc[i]:
                poly = communes.at[p_nc[i], "commune"]
            else:
                continue
            used = communes.at[st.nc[i], "commune"]
            st.report(i, "polygon_differs",
                      f"The row names '{text}' but the hamlet lies in {poly} of the admin layer; "
                      f"the tool used the names ({used}). Check the commune or the coordinates.",
                      f"Dòng ghi '{text}' nhưng thôn nằm trong {poly} của lớp ranh giới; công "
                      f"cụ dùng tên đã ghi ({used}). Kiểm tra lại tên xã hoặc tọa độ.")
        return
    # without commune polygons: distance to the named unit's extent
    ok = idx[np.isfinite(st.lon[idx]) & np.isfinite(st.lat[idx])]
    if not len(ok):
        return
    dist = np.full(len(ok), np.nan)
    fsel = st.fsource[ok] == "names"
    if fsel.any():
        dist[fsel] = _extent_distance_m(True, ok[fsel], st.fc[ok[fsel]].astype(object), st, fc,
                                        communes)
    nsel = ~fsel
    if nsel.any():
        dist[nsel] = _extent_distance_m(False, ok[nsel], st.nc[ok[nsel]], st, fc, communes)
    far = dist > params.far_margin_m
    for i, d in zip(ok[far], dist[far], strict=True):
        text = _label_given(given, i)
        used = communes.at[st.nc[i], "commune"]
        st.report(i, "far_from_named",
                  f"The hamlet lies {d / 1000:.1f} km outside the commune its row names "
                  f"('{text}'); the tool used the names ({used}). Check the commune or the "
                  "coordinates.",
                  f"Thôn nằm cách xã đã ghi ('{text}') {d / 1000:.1f} km; công cụ dùng tên đã "
                  f"ghi ({used}). Kiểm tra lại tên xã hoặc tọa độ.")


def _derive_former(st: _State, p_fc: np.ndarray, cw) -> None:
    """Former commune of hamlets that have a new commune but none yet."""
    need = (st.fc < 0) & pd.notna(st.nc)
    poly = need & (p_fc >= 0)
    st.fc[poly] = p_fc[poly]
    st.fsource[poly] = "polygon"
    need &= ~poly
    if not need.any():
        return
    fc = cw.former_communes
    into = pd.concat([
        pd.DataFrame({"commune_code": fc["commune_code"], "row": np.arange(len(fc))}).dropna(),
        pd.DataFrame({"commune_code": cw.split_candidates["commune_code"],
                      "row": cw.split_candidates["former_commune_code"].map(
                          {c: i for i, c in enumerate(fc["former_commune_code"])})}),
    ])
    by_new = into.groupby("commune_code")["row"].agg(list)
    pr, pc = [], []
    for i in np.flatnonzero(need):
        rows = by_new.get(st.nc[i], [])
        pr += [i] * len(rows)
        pc += rows
    if not pr:
        return
    pc_arr = np.asarray(pc, dtype=int)
    chosen = pick_nearest(np.asarray(pr, dtype=int), pc_arr, fc["lon"].to_numpy()[pc_arr],
                          fc["lat"].to_numpy()[pc_arr], st.lon, st.lat)
    for i, r in chosen.items():
        st.fc[i] = int(r)
        st.fsource[i] = "approximate"


def _table(index: pd.Index, st: _State, tm, given: dict, cw, am: AdminMatch | None
           ) -> pd.DataFrame:
    fc = cw.former_communes
    communes = cw.communes.set_index("commune_code")
    has_nc = pd.notna(st.nc)
    nc = st.nc.copy()
    out = pd.DataFrame(index=index)
    prov_code = np.full(len(nc), None, dtype=object)
    prov_code[has_nc] = communes.loc[nc[has_nc].tolist(), "province_code"].to_numpy()
    out["province_code"] = prov_code
    provinces = cw.provinces.set_index("province_code")["province"]
    out["province"] = pd.Series(prov_code, index=index).map(provinces).to_numpy()
    out["commune_code"] = nc
    out["commune"] = pd.Series(nc, index=index).map(communes["commune"]).to_numpy()
    has_fc = st.fc >= 0
    for col in ("former_province_code", "former_province", "former_district_code",
                "former_district", "former_commune_code", "former_commune"):
        values = np.full(len(nc), None, dtype=object)
        values[has_fc] = fc[col].to_numpy()[st.fc[has_fc]]
        out[col] = values
    # former names as given where the row names former units
    if tm is not None:
        use_former = np.array([u == "former" for u in tm.use])
        for col, src in (("former_commune", "commune"), ("former_district", "district")):
            if given[src] is not None:
                g = np.array(given[src], dtype=object)
                keep = use_former & pd.notna(g)
                out.loc[keep, col] = g[keep]
        if given["province"] is not None:
            g = np.array(given["province"], dtype=object)
            former_p = np.array([bool(m.former_province_codes) for m in tm.matches])
            keep = use_former & former_p & pd.notna(g)
            out.loc[keep, "former_province"] = g[keep]
    out["unit_source"] = st.source
    out["former_source"] = st.fsource
    out["unit_conflict"] = st.conflict
    out["unit_conflict_en"] = st.en
    out["unit_conflict_vi"] = st.vi
    out = out[UNIT_COLUMNS]
    out.attrs["units"] = {
        "names_vintage": tm.vintage if tm is not None else None,
        "admin": None if am is None else {"level": am.level, "vintage": am.vintage,
                                          "matched": am.n_matched, "polygons": len(am.former_rows),
                                          "message": am.message()},
        "sources": {k: int((st.source == k).sum()) for k in UNIT_SOURCES},
        "conflicts": {k: int(sum(k in c.split(";") for c in st.conflict))
                      for k in CONFLICT_CODES},
    }
    return out


def units_summary(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Messages (English, Vietnamese) for the run's report about an :func:`assign_units` table:
    the vintage of the names, the admin layer, how many hamlets each source placed, conflicts."""
    info = table.attrs.get("units") or {}
    out: list[tuple[str, str]] = []
    n = len(table)
    vintage = info.get("names_vintage")
    if vintage:
        former = vintage == "former"
        out.append(("The hamlets' commune names are "
                    + ("former units (before 1 July 2025)." if former else "2025 units."),
                    "Tên xã của các thôn là "
                    + ("đơn vị cũ (trước 1/7/2025)." if former else "đơn vị mới (2025).")))
    if info.get("admin"):
        out.append(tuple(info["admin"]["message"]))
    counts = info.get("sources") or {}
    parts_en = [f"{v} {UNIT_SOURCES[k][1]}" for k, v in counts.items() if v]
    parts_vi = [f"{v} {UNIT_SOURCES[k][0]}" for k, v in counts.items() if v]
    if parts_en:
        out.append((f"2025 units of the {n} hamlets: " + ", ".join(parts_en) + ".",
                    f"Đơn vị 2025 của {n} thôn: " + ", ".join(parts_vi) + "."))
    conflicts = {k: v for k, v in (info.get("conflicts") or {}).items() if v}
    if conflicts:
        out.append(("Hamlets whose names and position disagree (see unit_conflict): "
                    + ", ".join(f"{v} {CONFLICT_CODES[k][1]}" for k, v in conflicts.items())
                    + ".",
                    "Thôn có tên và vị trí không khớp (xem unit_conflict): "
                    + ", ".join(f"{v} {CONFLICT_CODES[k][0]}" for k, v in conflicts.items())
                    + "."))
    return out
