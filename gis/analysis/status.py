"""THE hamlet status, its reasons and fixes: the one rule maps, exports, the report and the app use.

Every hamlet has one status, worst first (:data:`STATUS_ORDER`):

``no_signal``
    trắng sóng: the mobile analysis flagged ``no_signal`` (no operator has a signal of
    ``HamletRule.signal_techs`` at the hamlet centre; Công văn 1603/BTTTT-CVT).
``weak_spot``
    lõm sóng: flagged ``weak_spot`` (signal at the centre, but too small a share of the people).
``no_broadband``
    neither flag, yet no operator gives 4G or 5G by the hamlet rule (e.g. only 2G/3G, or 4G at
    the centre for too few of the people).
``no_ftth``
    mobile broadband, but no FTTH.
``ok``
    mobile broadband and FTTH (or FTTH not computed).
``unknown``
    neither mobile coverage nor FTTH was computed.

The mobile part of the rule alone is :func:`mobile_status` (``covered`` instead of the last
three), the fiber part :func:`ftth_status`. The flags decide: a hamlet's status is ``no_signal``
exactly when its ``no_signal`` flag is true, ``weak_spot`` exactly when ``weak_spot`` is true
and ``no_signal`` is not. The uncovered list is every hamlet whose status is not ``ok`` or
``unknown``, with the reasons (:func:`reason_codes`), the fix the analyses assigned to it (a
proposed tower, a co-location opportunity, a fiber extension route) or the nearest one.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from gis.analysis.frames import as_bool, points_frame, with_lonlat
from gis.labels import REASON_LABELS, check_lang, status_label
from gis.layers.crs import WGS84, analysis_crs_for_lon

__all__ = [
    "FTTH_STATUSES",
    "MOBILE_STATUSES",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "ftth_status",
    "hamlet_status",
    "mobile_status",
    "reason_codes",
    "reason_text",
    "uncovered_hamlets",
]

#: Hamlet statuses, worst first (legend, KML folder and report order).
STATUS_ORDER = ("no_signal", "weak_spot", "no_broadband", "no_ftth", "ok", "unknown")
#: The mobile statuses of :func:`mobile_status`, worst first.
MOBILE_STATUSES = ("no_signal", "weak_spot", "no_broadband", "covered", "unknown")
#: The FTTH statuses of :func:`ftth_status`.
FTTH_STATUSES = ("ftth_no", "ftth_yes", "unknown")

#: Every status code (hamlet, mobile and FTTH views) -> colour (hex RGB) of maps and reports.
STATUS_COLORS = {
    "no_signal": "#d62728",  # red
    "weak_spot": "#ff8c00",  # orange
    "no_broadband": "#8c564b",  # brown: a signal, but no 4G/5G
    "no_ftth": "#f2c200",  # yellow
    "ok": "#2ca02c",  # green
    "covered": "#2ca02c",
    "ftth_yes": "#2c7bb6",  # blue
    "ftth_no": "#e66101",  # dark orange
    "unknown": "#7f7f7f",  # grey
}

_MOBILE_COLUMNS = ("mobile_4g", "mobile_5g", "no_signal", "weak_spot")


def _flag(hamlets: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(value, known) arrays of a flag column; all unknown when the column is absent."""
    s = as_bool(hamlets, column)
    if s is None:
        n = len(hamlets)
        return np.zeros(n, bool), np.zeros(n, bool)
    return s.fillna(False).to_numpy(bool), s.notna().to_numpy(bool)


def mobile_status(hamlets: pd.DataFrame) -> pd.Series:
    """The mobile part of the status rule: ``no_signal``, ``weak_spot``, ``no_broadband``,
    ``covered`` or ``unknown`` (no mobile column known for the hamlet)."""
    (f4, k4), (f5, k5) = _flag(hamlets, "mobile_4g"), _flag(hamlets, "mobile_5g")
    (ns, kns), (weak, kweak) = _flag(hamlets, "no_signal"), _flag(hamlets, "weak_spot")
    known = k4 | k5 | kns | kweak
    status = np.full(len(hamlets), "unknown", dtype=object)
    status[known] = "no_broadband"
    status[known & (f4 | f5)] = "covered"
    status[weak] = "weak_spot"
    status[ns] = "no_signal"
    return pd.Series(status, index=hamlets.index, name="mobile_status", dtype=object)


def ftth_status(hamlets: pd.DataFrame) -> pd.Series:
    """The fiber part of the status rule: ``ftth_yes``, ``ftth_no`` or ``unknown``."""
    flag, known = _flag(hamlets, "ftth")
    status = np.where(known, np.where(flag, "ftth_yes", "ftth_no"), "unknown").astype(object)
    return pd.Series(status, index=hamlets.index, name="ftth_status", dtype=object)


def hamlet_status(hamlets: pd.DataFrame) -> pd.Series:
    """THE status of each hamlet (see the module docstring), worst first."""
    mobile = mobile_status(hamlets).to_numpy()
    ftth = ftth_status(hamlets).to_numpy()
    status = np.full(len(hamlets), "ok", dtype=object)
    status[(mobile == "unknown") & (ftth == "unknown")] = "unknown"
    status[ftth == "ftth_no"] = "no_ftth"
    bad = np.isin(mobile, ("no_signal", "weak_spot", "no_broadband"))
    status[bad] = mobile[bad]
    return pd.Series(status, index=hamlets.index, name="status", dtype=object)


def reason_codes(hamlets: pd.DataFrame) -> pd.Series:
    """Why each hamlet is on the uncovered list, as codes joined by ``;`` (empty: covered).

    The mobile status when it is not ``covered`` (``no_signal``, ``weak_spot``,
    ``no_broadband``), then ``no_ftth`` when FTTH is missing. Unknown values give no reason.
    """
    mobile = mobile_status(hamlets).to_numpy()
    ftth = ftth_status(hamlets).to_numpy()
    a = np.where(np.isin(mobile, ("no_signal", "weak_spot", "no_broadband")), mobile, "")
    b = np.where(ftth == "ftth_no", "no_ftth", "")
    a, b = a.astype(object), b.astype(object)
    codes = np.where((a != "") & (b != ""), a + ";" + b, a + b)
    return pd.Series(codes, index=hamlets.index, dtype=object)


def reason_text(codes: pd.Series, lang: str = "en") -> pd.Series:
    """Reason codes (see :func:`reason_codes`) as text in ``lang``, e.g. ``"no signal; no FTTH"``."""
    check_lang(lang)
    i = 0 if lang == "vi" else 1

    def one(code: object) -> str:
        if not isinstance(code, str) or not code:
            return ""
        return "; ".join(REASON_LABELS.get(c, (c, c))[i] for c in code.split(";"))

    return codes.map(one).astype(object)


def _metric_xy(lon: np.ndarray, lat: np.ndarray, crs: CRS) -> np.ndarray:
    t = Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = t.transform(lon, lat)
    return np.c_[x, y]


def _nearest(targets: gpd.GeoDataFrame, id_col: str, points_m: np.ndarray,
             crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Id and distance (m) of the nearest target geometry for each metric point."""
    tg = targets[targets.geometry.notna() & ~targets.geometry.is_empty].to_crs(crs)
    if tg.empty or len(points_m) == 0:
        return (np.full(len(points_m), None, dtype=object), np.full(len(points_m), np.nan))
    tree = shapely.STRtree(tg.geometry.values)
    pts = shapely.points(points_m)
    (src, dst), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    ids = np.full(len(points_m), None, dtype=object)
    d = np.full(len(points_m), np.nan)
    ids[src] = tg[id_col].astype(object).to_numpy()[dst]
    d[src] = np.round(dist, 1)
    return ids, d


def _prefer_planned(planned: np.ndarray, targets: gpd.GeoDataFrame, id_col: str,
                    ids: np.ndarray, dist_m: np.ndarray, points_m: np.ndarray,
                    crs: CRS) -> np.ndarray:
    """Where ``planned`` names a target the analysis assigned, use it instead of the nearest.

    ``ids`` and ``dist_m`` (the nearest targets) are updated in place; the distance is from the
    point to the planned target's geometry, in metres. Unknown ids keep the nearest. Returns
    the mask of the rows that got their planned target.
    """
    tg = targets[targets.geometry.notna()].to_crs(crs)
    lookup = pd.Series(tg.geometry.to_numpy(), index=tg[id_col].astype(str).to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    names = pd.Series([None if pd.isna(v) else str(v) for v in planned], dtype=object)
    geoms = names.map(lookup)
    ok = geoms.notna().to_numpy()
    if ok.any():
        ids[ok] = names.to_numpy()[ok]
        dist_m[ok] = np.round(shapely.distance(shapely.points(points_m[ok]),
                                               np.asarray(geoms[ok].tolist(), dtype=object)), 1)
    return ok


def _id_column(table: pd.DataFrame, *candidates: str) -> str | None:
    return next((c for c in candidates if c in table), None)


def _fix_text(out: pd.DataFrame, lang: str,
              assigned: dict[str, np.ndarray] | None = None) -> pd.Series:
    """The ``proposed_fix`` text of each row, e.g. ``"co-locate on P12 (MobiFone, 850 m); fiber
    route R3 (120 m)"`` (vectorised over rows). A fix the analyses did not assign to the
    hamlet is only the nearest one and says so ("nearest ...")."""
    vi = lang == "vi"
    # (assigned by the analysis, only the nearest)
    verbs = {"fix_colocation": ("dùng chung cột ", "cột dùng chung gần nhất ") if vi
             else ("co-locate on ", "nearest co-location site "),
             "fix_tower": ("cột mới ", "cột mới gần nhất ") if vi
             else ("new tower ", "nearest proposed tower "),
             "fix_fiber": ("kéo cáp tuyến ", "tuyến cáp mới gần nhất ") if vi
             else ("fiber route ", "nearest fiber route ")}
    ids = {"fix_colocation": "fix_colocation_position_id", "fix_tower": "fix_tower_id",
           "fix_fiber": "fix_fiber_route_id"}
    text = pd.Series("", index=out.index, dtype=object)
    if out.empty:
        return text
    for key, (verb, verb_nearest) in verbs.items():
        dist = out[f"{key}_distance_m"]
        ok = dist.notna() & out[ids[key]].notna()
        who = ""
        if key == "fix_colocation" and "fix_colocation_operator" in out:
            op = out["fix_colocation_operator"]
            who = (op.astype(str) + ", ").where(op.notna(), "")
        mask = (assigned or {}).get(key)
        lead = pd.Series(verb if mask is None else np.where(mask, verb, verb_nearest),
                         index=out.index, dtype=object)
        part = (lead + out[ids[key]].astype(str) + " (" + who
                + dist.round(0).map("{:.0f}".format) + " m)").where(ok, "")
        text = text.where(~ok | (text == ""), text + "; ") + part
    return text


def uncovered_hamlets(
    hamlets: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    lang: str = "en",
) -> gpd.GeoDataFrame:
    """Every hamlet lacking mobile broadband (neither 4G nor 5G) or FTTH, with the reason and fix.

    Parameters
    ----------
    hamlets
        The per-hamlet table (``lon``/``lat`` in degrees, ``mobile_4g``, ``mobile_5g``,
        ``weak_spot``, ``ftth``; missing columns mean "not computed": no reason from them).
    tables
        Result tables of the run; used when present: ``proposed_towers`` (``tower_id``),
        ``colocation_opportunities`` (``host_position_id``, located through ``positions``
        when it has no coordinates), ``fiber_extensions`` (``route_id``, line geometries).
    lang
        ``"vi"`` or ``"en"``: language of ``reason``, ``status_label`` and ``proposed_fix``.

    Returns
    -------
    geopandas.GeoDataFrame
        The uncovered rows of ``hamlets`` (same index, same columns) plus ``status``,
        ``status_label``, ``reason_code``, ``reason``, the fixes (``fix_tower_id``,
        ``fix_tower_distance_m``, ``fix_colocation_position_id``,
        ``fix_colocation_distance_m``, ``fix_fiber_route_id``, ``fix_fiber_distance_m``;
        distances in metres from the hamlet centre, mobile fixes only for hamlets lacking
        mobile broadband, fibre fixes only for those lacking FTTH; each is the one the analyses
        assigned to the hamlet when they did (``proposed_tower_id``, ``colocation_fix``
        "operator → position", ``fiber_route_id``), the nearest otherwise;
        ``fix_colocation_operator`` is the operator that would co-locate) and ``proposed_fix``
        (text; for hamlets in ``tables["unreachable_hamlets"]`` it ends with why no tower can
        reach them);
        geometry: the hamlet centre point, EPSG:4326.
    """
    check_lang(lang)
    tables = tables or {}
    codes = reason_codes(hamlets)
    keep = codes != ""
    out = points_frame(hamlets.loc[keep])
    out["status"] = hamlet_status(hamlets).loc[keep]
    out["status_label"] = out["status"].map(lambda s: status_label(s, lang)).astype(object)
    out["reason_code"] = codes.loc[keep]
    out["reason"] = reason_text(out["reason_code"], lang)
    for col in ("fix_colocation_operator", "fix_colocation_position_id", "fix_tower_id",
                "fix_fiber_route_id"):
        out[col] = pd.Series(None, index=out.index, dtype=object)
    for col in ("fix_colocation_distance_m", "fix_tower_distance_m", "fix_fiber_distance_m"):
        out[col] = np.nan
    lon = pd.to_numeric(out.get("lon", pd.Series(np.nan, index=out.index)),
                        errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(out.get("lat", pd.Series(np.nan, index=out.index)),
                        errors="coerce").to_numpy(dtype=float)
    located = np.isfinite(lon) & np.isfinite(lat)  # hamlets without a centre get no fix
    # which fixes the analyses assigned to the hamlet (the others are the nearest)
    assigned = {k: np.zeros(len(out), bool) for k in ("fix_tower", "fix_colocation", "fix_fiber")}
    if located.any():
        crs = analysis_crs_for_lon(float(lon[located].mean()))
        xy = _metric_xy(np.where(located, lon, 0.0), np.where(located, lat, 0.0), crs)
        mob = out["reason_code"].str.contains("no_signal|weak_spot|no_broadband",
                                              regex=True).to_numpy(bool)
        mob = mob & located
        fib = out["reason_code"].str.contains("no_ftth").to_numpy(bool) & located
        towers = tables.get("proposed_towers")
        if towers is not None and len(towers) and (idc := _id_column(towers, "tower_id")):
            tg = points_frame(towers)
            ids, d = _nearest(tg, idc, xy[mob], crs)
            if "proposed_tower_id" in out:  # the tower the siting assigned wins
                assigned["fix_tower"][mob] = _prefer_planned(
                    out["proposed_tower_id"].to_numpy(dtype=object)[mob], tg, idc, ids, d,
                    xy[mob], crs)
            out.loc[out.index[mob], "fix_tower_id"] = ids
            out.loc[out.index[mob], "fix_tower_distance_m"] = d
        opps = tables.get("colocation_opportunities")
        if opps is not None and len(opps) and "host_position_id" in opps:
            hosts = opps
            positions = tables.get("positions")
            if not ({"lon", "lat"} <= set(opps) or isinstance(opps, gpd.GeoDataFrame)) \
                    and positions is not None and "position_id" in positions:
                pos = pd.DataFrame(with_lonlat(positions))[["position_id", "lon", "lat"]]
                hosts = pd.DataFrame(opps).merge(pos, left_on="host_position_id",
                                                 right_on="position_id", how="left")
            if {"lon", "lat"} <= set(hosts) or isinstance(hosts, gpd.GeoDataFrame):
                hg = points_frame(hosts)
                ids, d = _nearest(hg, "host_position_id", xy[mob], crs)
                if "colocation_fix" in out:  # "operator → position": the best opportunity
                    fix = out["colocation_fix"].astype(object).to_numpy()[mob]
                    parts = [str(v).split("→", 1) if isinstance(v, str) and "→" in v else None
                             for v in fix]
                    planned = np.array([p[1].strip() if p else None for p in parts], dtype=object)
                    ops = np.array([p[0].strip() if p else None for p in parts], dtype=object)
                    assigned["fix_colocation"][mob] = _prefer_planned(
                        planned, hg, "host_position_id", ids, d, xy[mob], crs)
                    out.loc[out.index[mob], "fix_colocation_operator"] = ops
                out.loc[out.index[mob], "fix_colocation_position_id"] = ids
                out.loc[out.index[mob], "fix_colocation_distance_m"] = d
        routes = tables.get("fiber_extensions")
        if (routes is not None and len(routes) and isinstance(routes, gpd.GeoDataFrame)
                and (idc := _id_column(routes, "route_id"))):
            ids, d = _nearest(routes, idc, xy[fib], crs)
            if "fiber_route_id" in out:  # the route the fiber plan assigned wins
                assigned["fix_fiber"][fib] = _prefer_planned(
                    out["fiber_route_id"].to_numpy(dtype=object)[fib], routes, idc, ids, d,
                    xy[fib], crs)
            out.loc[out.index[fib], "fix_fiber_route_id"] = ids
            out.loc[out.index[fib], "fix_fiber_distance_m"] = d
    out["proposed_fix"] = _fix_text(out, lang, assigned)
    # hamlets the siting found no way to reach: say why, in the list itself
    unreachable = tables.get("unreachable_hamlets")
    col = "reason_vi" if lang == "vi" else "reason_en"
    if (unreachable is not None and len(unreachable) and "village_id" in unreachable
            and col in unreachable and "village_id" in out):
        why = pd.Series(unreachable[col].astype(object).to_numpy(),
                        index=unreachable["village_id"].astype(str).to_numpy())
        why = why[~why.index.duplicated()]
        note = out["village_id"].astype(str).map(why)
        has = note.notna()
        prefix = "không phủ được: " if lang == "vi" else "cannot be reached: "
        out.loc[has, "proposed_fix"] = [
            (fix + "; " if fix else "") + prefix + str(n)
            for fix, n in zip(out.loc[has, "proposed_fix"], note[has], strict=True)]
    cols = [c for c in out.columns if c != "geometry"] + ["geometry"]
    return out[cols]
