"""Cross-layer checks of a project: villages against the communes they name.

A VN-2000 TM-3 file read with the wrong central meridian lands hundreds of metres to
kilometres off (15' of meridian is ~27 km at the zone edge, less near it). When an admin layer
is loaded, villages whose ``commune`` names a commune polygon but fall outside it by more than
:attr:`CrossCheckParams.max_offset_m` reveal that. The check re-reads their coordinates with the
other meridians (the province's TT 973 / TT 24 ones and their neighbours) and names the one that
puts them back inside their communes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from gis.errors import CRSError, format_rows
from gis.layers.crs import PROVINCE_MERIDIANS, meridian_for_province, normalise_name, vn2000_tm3
from gis.layers.normalise import map_unique
from gis.layers.report import LoadReport

__all__ = ["CrossCheckParams", "check_project"]


@dataclass(frozen=True)
class CrossCheckParams:
    """Thresholds of the cross-layer checks.

    Attributes
    ----------
    max_offset_m
        A village further than this outside the commune it names is "off" (default 300 m:
        commune boundaries are digitised to a few tens of metres, hamlets sit well inside; a
        wrong meridian or a missing datum shift moves points by 200 m or more).
    min_share_off
        Share of the matched villages that must be off before the layer is suspected
        (default 0.5: a few mis-named communes are data errors, not a wrong CRS).
    """

    max_offset_m: float = 300.0
    min_share_off: float = 0.5


_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt|p|x)\s+")


def _commune_key(name: object) -> str:
    return _PREFIX.sub("", normalise_name(str(name))) if name is not None else ""


def check_project(project: Any, *, standard: str = "tt973", province: str | None = None,
                  params: CrossCheckParams | None = None) -> None:
    """Run the cross-layer checks; warnings go into the villages' load report.

    Raises
    ------
    CRSError
        Most villages are off their communes and another TM-3 meridian fits: the message names
        the rows and the meridian (``--crs vn2000-tm3:X``).
    """
    params = params or CrossCheckParams()
    villages, admin = project.layer("villages"), project.layer("admin")
    if villages is None or admin is None or villages.empty or admin.empty:
        return
    report = project.reports.get("villages")
    pts = shapely.point_on_surface(np.asarray(villages.geometry.values, dtype=object))
    rows = (villages["source_row"].to_numpy(dtype=int) - 1 if "source_row" in villages
            else np.arange(len(villages)))
    polys = np.asarray(admin.geometry.values, dtype=object)
    extent = shapely.buffer(shapely.box(*shapely.total_bounds(polys)), 1000.0)
    outside_all = ~shapely.contains(extent, pts)
    name = report.source if report is not None else "villages"
    if "commune" not in villages or "name" not in admin:
        if outside_all.all():
            _warn(report, "No village lies within 1 km of the admin layer's extent: the two "
                  "layers do not overlap (wrong CRS or meridian?).",
                  "Không thôn nào nằm trong phạm vi 1 km của lớp hành chính: hai lớp không "
                  "chồng nhau (sai hệ toạ độ hoặc kinh tuyến trục?).")
        return
    by_name: dict[str, int] = {}
    for i, n in enumerate(admin["name"]):
        by_name.setdefault(_commune_key(n), i)
    idx = map_unique(villages["commune"].to_numpy(dtype=object),
                     lambda c: by_name.get(_commune_key(c), -1)).astype(int)
    matched = idx >= 0
    if not matched.any():
        if outside_all.all():
            _warn(report, "No village lies within 1 km of the admin layer's extent, and no "
                  "village's commune names an admin polygon: the two layers do not overlap "
                  "(wrong CRS or meridian?).",
                  "Không thôn nào nằm trong phạm vi 1 km của lớp hành chính và không tên xã nào "
                  "khớp: hai lớp không chồng nhau (sai hệ toạ độ hoặc kinh tuyến trục?).")
        return
    dist = np.full(len(villages), np.nan)
    dist[matched] = shapely.distance(pts[matched], polys[idx[matched]])
    off = matched & (dist > params.max_offset_m)
    share = off.sum() / matched.sum()
    if not off.any():
        return
    if share < params.min_share_off and not outside_all.all():
        _warn(report, f"{int(off.sum())} village(s) lie more than {params.max_offset_m:g} m "
              f"outside the commune they name (rows {format_rows(rows[off])}); check their "
              "coordinates or commune names.",
              f"{int(off.sum())} thôn nằm ngoài xã ghi trong dữ liệu hơn "
              f"{params.max_offset_m:g} m (dòng {format_rows(rows[off])}); kiểm tra toạ độ "
              "hoặc tên xã.")
        return
    lon0 = report.extra.get("vn2000_lon0") if report is not None else None
    best = None
    if lon0 is not None:
        best = _best_meridian(pts, polys, idx, matched, project.crs, float(lon0),
                              float(report.extra.get("vn2000_k", 0.9999)), province, standard,
                              params)
    median = float(np.nanmedian(dist[off]))
    if best is not None:
        cand, cand_share = best
        raise CRSError(
            f"{int(off.sum())} of {int(matched.sum())} villages lie outside the commune they "
            f"name (median {median:,.0f} m off) when read as VN-2000 TM-3 {float(lon0):g}°; "
            f"with the central meridian {cand:g}° {cand_share:.0%} of them fall inside. The "
            "file was probably made with that meridian.",
            f"{int(off.sum())}/{int(matched.sum())} thôn nằm ngoài xã ghi trong dữ liệu (lệch "
            f"trung vị {median:,.0f} m) khi đọc theo VN-2000 TM-3 {float(lon0):g}°; với kinh "
            f"tuyến trục {cand:g}° có {cand_share:.0%} thôn nằm đúng xã. Tệp có lẽ dùng kinh "
            "tuyến đó.",
            file=name, rows=rows[off].tolist(),
            fix=f"Load it again with --crs vn2000-tm3:{cand:g} (or the province whose "
            f"meridian is {cand:g}°).",
            fix_vi=f"Nạp lại với --crs vn2000-tm3:{cand:g} (hoặc chọn tỉnh có kinh tuyến trục "
            f"{cand:g}°).",
        )
    _warn(report, f"{int(off.sum())} of {int(matched.sum())} villages lie more than "
          f"{params.max_offset_m:g} m outside the commune they name (median {median:,.0f} m; "
          f"rows {format_rows(rows[off])}). The CRS or the central meridian is probably wrong.",
          f"{int(off.sum())}/{int(matched.sum())} thôn nằm ngoài xã ghi trong dữ liệu hơn "
          f"{params.max_offset_m:g} m (trung vị {median:,.0f} m; dòng "
          f"{format_rows(rows[off])}). Có lẽ sai hệ toạ độ hoặc kinh tuyến trục.")


def _warn(report: LoadReport | None, en: str, vi: str) -> None:
    if report is not None:
        report.warn(en, vi)


def _candidates(lon0: float, province: str | None, standard: str) -> list[float]:
    cands = {v for m in PROVINCE_MERIDIANS.values() for v in m.values()
             if abs(v - lon0) <= 1.5 and v != lon0}
    if province:
        for std in ("tt973", "tt24"):
            v = meridian_for_province(province, standard=std)
            if v != lon0:
                cands.add(v)
    return sorted(cands, key=lambda v: abs(v - lon0))


def _best_meridian(pts: np.ndarray, polys: np.ndarray, idx: np.ndarray, matched: np.ndarray,
                   analysis_crs: CRS, lon0: float, k: float, province: str | None,
                   standard: str, params: CrossCheckParams) -> tuple[float, float] | None:
    if abs(k - 0.9999) > 1e-9:
        return None
    xy = shapely.get_coordinates(pts[matched])
    used = vn2000_tm3(lon0)
    e, n = Transformer.from_crs(analysis_crs, used, always_xy=True).transform(xy[:, 0], xy[:, 1])
    best: tuple[float, float] | None = None
    for cand in _candidates(lon0, province, standard):
        t = Transformer.from_crs(vn2000_tm3(cand), analysis_crs, always_xy=True)
        x, y = t.transform(e, n)
        d = shapely.distance(shapely.points(x, y), polys[idx[matched]])
        share_in = float(np.mean(d <= params.max_offset_m))
        if share_in >= 1.0 - params.min_share_off / 2 and (best is None or share_in > best[1]):
            best = (cand, share_in)
    return best
