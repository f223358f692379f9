"""Layer-level land checks: rows in the sea, a VN-2000 meridian that does not fit.

The frame adapters of :mod:`gis.layers.land` (arrays in, arrays out) for
:func:`gis.layers.canonical.canonical_layer`: they take the layer in its source CRS and in
WGS84 and write what they find into the :class:`~gis.layers.report.LoadReport`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from gis.errors import CRSError, format_rows
from gis.layers.crs import WGS84, meridian_for_province, vn2000_tm3, vn2000_utm
from gis.layers.land import LandParams, meridian_candidates, on_land
from gis.layers.report import LoadReport
from gis.layers.validate import representative_xy

__all__ = ["check_land", "named_provinces", "restore_vn2000", "tm3_meridian", "warn_off_land"]


def named_provinces(gdf: gpd.GeoDataFrame, province: str | None) -> list[str]:
    """The provinces a layer names (its province column, and the user's --province)."""
    names = [str(province)] if province else []
    if "province" in gdf:
        names += [str(v) for v in pd.unique(gdf["province"].dropna())[:50]]
    return names


def _land_share(wgs: gpd.GeoDataFrame, params: LandParams) -> tuple[np.ndarray, float]:
    xy = representative_xy(wgs.geometry.values)
    ok = np.isfinite(xy).all(axis=1)
    land = on_land(xy[:, 0], xy[:, 1], margin_km=params.margin_km)
    return land, float(land[ok].mean()) if ok.any() else 1.0


def check_land(gdf: gpd.GeoDataFrame, wgs: gpd.GeoDataFrame, label: str, given: CRS | None,
                given_label: str, provinces: list[str], report: LoadReport, *, display: str,
                params: LandParams | None = None,
                ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str]:
    """Most of the layer off Vietnam's land means its CRS is wrong: a user-given CRS that
    fits replaces a file's one; a VN-2000 TM-3 meridian that fits is named in a CRSError.

    A TM-3 meridian that puts the layer on land but is not the meridian of the province(s)
    it names is a warning (the points may sit tens of kilometres off inside the country).
    """
    params = params or LandParams()
    if not len(gdf):
        return gdf, wgs, label
    land, share = _land_share(wgs, params)
    src = CRS.from_user_input(gdf.crs)
    lon0 = tm3_meridian(src)
    if share >= params.min_share_on_land:
        if lon0 is not None and provinces:
            _warn_province_meridian(lon0, provinces, report)
        return gdf, wgs, label
    if given is not None and not src.equals(given):
        alt = gdf.set_crs(given, allow_override=True)
        alt_wgs = alt.to_crs(WGS84)
        _, alt_share = _land_share(alt_wgs, params)
        if alt_share >= params.fit_share:
            report.warn(f"Read as {label} (the file's CRS) only {share:.0%} of the rows lie on "
                        f"Vietnam's land; as {given_label} (given) {alt_share:.0%} do: the given "
                        "CRS is used.",
                        f"Đọc theo {label} (hệ toạ độ của tệp) chỉ {share:.0%} số dòng nằm trên "
                        f"đất liền Việt Nam; theo {given_label} (đã chọn) có {alt_share:.0%}: dùng "
                        "hệ toạ độ đã chọn.")
            report.crs_in, report.crs_note, report.crs_note_vi = (
                given_label, "given by the user (the file's CRS puts the rows off land)",
                "do người dùng chọn (hệ toạ độ của tệp đặt các dòng ngoài đất liền)")
            return alt, alt_wgs, given_label
    if lon0 is None:
        return gdf, wgs, label  # rows off land are named by _warn_off_land
    xy = representative_xy(gdf.geometry.values)
    ok = np.isfinite(xy).all(axis=1)
    cands = meridian_candidates(xy[ok, 0], xy[ok, 1], lon0, provinces=provinces,
                                margin_km=params.margin_km)
    rows = gdf.index.to_numpy()[~land]
    fitting = [c for c in cands if c[1] >= params.fit_share]
    if fitting:
        cand, cand_share = fitting[0]
        others = ", ".join(f"{c:g}°" for c, _ in fitting[1:4])
        also = f" (also {others}: the province's meridian decides)" if others else ""
        also_vi = f" (cả {others}: kinh tuyến trục của tỉnh quyết định)" if others else ""
        raise CRSError(
            f"Read as VN-2000 TM-3 with the central meridian {lon0:g}° ({label}), "
            f"{1 - share:.0%} of the rows lie in the sea or outside Vietnam; with the meridian "
            f"{cand:g}°{also} {cand_share:.0%} of them lie on land. The file (its .prj, or the "
            "province or meridian given) probably has the wrong meridian.",
            f"Đọc theo VN-2000 TM-3 kinh tuyến trục {lon0:g}° ({label}), {1 - share:.0%} số "
            f"dòng nằm ngoài biển hoặc ngoài Việt Nam; với kinh tuyến trục {cand:g}°{also_vi} "
            f"có {cand_share:.0%} nằm trên đất liền. Tệp (tệp .prj, hoặc tỉnh / kinh tuyến đã "
            "chọn) có lẽ sai kinh tuyến trục.",
            file=display, rows=rows.tolist(),
            fix=f"Load it again with --crs vn2000-tm3:{cand:g} (app: choose that CRS), or "
            f"correct the .prj (central meridian {cand:g}).",
            fix_vi=f"Nạp lại với --crs vn2000-tm3:{cand:g} (ứng dụng: chọn hệ toạ độ đó), "
            f"hoặc sửa tệp .prj (kinh tuyến trục {cand:g}).")
    return gdf, wgs, label


def _tmerc(crs: CRS) -> dict[str, object]:
    """PROJ parameters of a Transverse Mercator CRS without an EPSG code, else ``{}``."""
    if crs.is_geographic or crs.to_epsg() is not None:
        return {}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = crs.to_dict()
    return p if p.get("proj") == "tmerc" else {}


def tm3_meridian(crs: CRS) -> float | None:
    """The central meridian (degrees) of a TM-3 CRS (k0 = 0.9999, false easting 500 km, with or
    without a datum shift), else ``None``."""
    p = _tmerc(crs)
    if p and abs(float(p.get("k", p.get("k_0", 0))) - 0.9999) < 1e-9 and \
            float(p.get("x_0", 0)) == 500_000.0:
        return float(p["lon_0"])
    return None


def restore_vn2000(crs: CRS, report: LoadReport) -> CRS:
    """A .prj of VN-2000 TM-3 / UTM written by GDAL keeps the 7 datum parameters only in the
    datum's NAME (``D_Unknown_based_on_WGS_84_ellipsoid_using_towgs84_-191_90441429_...``);
    read back, the shift is lost and every point moves ~225 m. Such a CRS is rebuilt with the
    QĐ 05/2007 parameters; a TM-3 .prj on WGS 84 with no trace of them is a warning."""
    p = _tmerc(crs)
    if not p or "towgs84" in p or p.get("ellps") not in ("WGS84", None) or \
            float(p.get("x_0", 0)) != 500_000.0:
        return crs
    k = float(p.get("k", p.get("k_0", 0)))
    lon0 = float(p["lon_0"])
    datum = crs.datum.name if crs.datum is not None else ""
    vn = "191_904" in datum or "191.904" in datum
    if abs(k - 0.9999) < 1e-9 and 101.0 <= lon0 <= 118.0:
        if vn:
            report.warn("The .prj names the VN-2000 datum shift only in the datum's name: the "
                        "7 parameters of QĐ 05/2007/QĐ-BTNMT are applied (without them every "
                        "point would be about 225 m off).",
                        "Tệp .prj chỉ ghi phép chuyển datum VN-2000 trong tên datum: áp dụng 7 "
                        "tham số của QĐ 05/2007/QĐ-BTNMT (thiếu chúng mọi điểm lệch khoảng "
                        "225 m).")
            return vn2000_tm3(lon0)
        report.warn(f"The .prj describes a TM-3 projection (meridian {lon0:g}°) on the WGS 84 "
                    "datum, without the VN-2000 datum shift: if the file is VN-2000, its points "
                    f"are about 225 m off; load it with --crs vn2000-tm3:{lon0:g}.",
                    f"Tệp .prj mô tả phép chiếu TM-3 (kinh tuyến trục {lon0:g}°) trên datum WGS "
                    "84, không có phép chuyển datum VN-2000: nếu tệp là VN-2000, các điểm lệch "
                    f"khoảng 225 m; hãy nạp với --crs vn2000-tm3:{lon0:g}.")
    elif abs(k - 0.9996) < 1e-9 and lon0 in (105.0, 111.0) and vn:
        report.warn("The .prj names the VN-2000 datum shift only in the datum's name: the "
                    "7 parameters of QĐ 05/2007/QĐ-BTNMT are applied.",
                    "Tệp .prj chỉ ghi phép chuyển datum VN-2000 trong tên datum: áp dụng 7 "
                    "tham số của QĐ 05/2007/QĐ-BTNMT.")
        return vn2000_utm(48 if lon0 == 105.0 else 49)
    return crs


def _warn_province_meridian(lon0: float, provinces: list[str], report: LoadReport) -> None:
    known: dict[str, tuple[float, float]] = {}
    for name in provinces:
        try:
            known[name] = (meridian_for_province(name, standard="tt973"),
                           meridian_for_province(name, standard="tt24"))
        except CRSError:
            continue
    if not known or any(lon0 in pair for pair in known.values()):
        return
    listed = "; ".join(f"{n}: {a:g}° (TT 973), {b:g}° (TT 24)" for n, (a, b) in
                       list(known.items())[:3])
    first = next(iter(known.values()))[0]
    report.extra["likely_meridian"] = first
    report.warn(f"The central meridian {lon0:g}° is not that of the province(s) the layer names "
                f"({listed}): if the points sit tens of kilometres off, load the file again with "
                f"--crs vn2000-tm3:{first:g} (it overrides the .prj).",
                f"Kinh tuyến trục {lon0:g}° không phải của tỉnh ghi trong lớp ({listed}): nếu các "
                f"điểm lệch hàng chục km, hãy nạp lại với --crs vn2000-tm3:{first:g} (ghi đè tệp "
                ".prj).")


def warn_off_land(wgs: gpd.GeoDataFrame, report: LoadReport) -> None:
    """Rows inside Vietnam's box but off its land (sea, neighbouring country): kept, named."""
    if not len(wgs):
        return
    land, _ = _land_share(wgs, LandParams())
    xy = representative_xy(wgs.geometry.values)
    off = ~land & np.isfinite(xy).all(axis=1)
    if off.any():
        rows = wgs.index.to_numpy()[off]
        report.warn(f"{int(off.sum())} row(s) lie in the sea or outside Vietnam's land (more than "
                    f"{LandParams().margin_km:g} km from it): {format_rows(rows)} (e.g. lon "
                    f"{xy[off][0, 0]:.5f}, lat {xy[off][0, 1]:.5f}). Kept; check their "
                    "coordinates.",
                    f"{int(off.sum())} dòng nằm ngoài biển hoặc ngoài đất liền Việt Nam (cách hơn "
                    f"{LandParams().margin_km:g} km): {format_rows(rows)} (ví dụ kinh độ "
                    f"{xy[off][0, 0]:.5f}, vĩ độ {xy[off][0, 1]:.5f}). Vẫn giữ; hãy kiểm tra "
                    "toạ độ.")
        report.extra["off_land_rows"] = [int(r) for r in rows]
