"""Coordinate reference systems: WGS84, VN-2000 (UTM and provincial TM-3) and the analysis CRS.

VN-2000 uses the WGS84 ellipsoid with a 7-parameter datum shift fixed by QĐ 05/2007/QĐ-BTNMT.
PROJ's ``+towgs84`` is the position-vector convention, so the rotations carry the signs
+, -, + (the decision publishes them coordinate-frame: -, +, -). Provincial TM-3 zones use
k0 = 0.9999 and a false easting of 500 000 m (Thông tư 973/2001/TT-TCĐC); UTM (TM-6) zones
use k0 = 0.9996 on the 105° / 111° meridians.

All analysis is done in the WGS84 UTM zone of the area (EPSG:32648 west of 108° E,
EPSG:32649 east of it): a metric CRS, so distances are in metres.
"""

from __future__ import annotations

import re
import unicodedata

from pyproj import CRS

__all__ = [
    "PROVINCE_MERIDIANS",
    "TOWGS84_VN2000",
    "WGS84",
    "analysis_crs_for_lon",
    "meridian_for_province",
    "normalise_name",
    "vn2000_tm3",
    "vn2000_utm",
]

WGS84 = CRS.from_epsg(4326)

#: Helmert parameters of QĐ 05/2007/QĐ-BTNMT in PROJ's position-vector order:
#: dx, dy, dz (m), rx, ry, rz (arc-seconds), scale (ppm).
TOWGS84_VN2000 = (
    "-191.90441429,-39.30318279,-111.45032835,"
    "0.00928836,-0.01975479,0.00427372,0.252906278"
)


def vn2000_tm3(lon0: float) -> CRS:
    """VN-2000 provincial TM-3 projection with central meridian ``lon0`` (degrees east).

    Parameters
    ----------
    lon0
        Central meridian in decimal degrees, e.g. 105.5 for Nam Định (former province).
    """
    if not 101.0 <= float(lon0) <= 118.0:
        from gis.errors import CRSError

        raise CRSError(
            f"Central meridian {lon0}° is not a Vietnamese TM-3 meridian (102°-117.75° E).",
            f"Kinh tuyến trục {lon0}° không phải kinh tuyến TM-3 của Việt Nam (102°-117,75° Đ).",
            fix="Give the province's central meridian in degrees, e.g. 105.5.",
            fix_vi="Nhập kinh tuyến trục của tỉnh theo độ, ví dụ 105.5.",
        )
    return CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={float(lon0):g} +k=0.9999 +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={TOWGS84_VN2000} +units=m +no_defs +type=crs"
    )


def vn2000_utm(zone: int) -> CRS:
    """VN-2000 UTM (TM-6, k0 = 0.9996) for zone 48 (105° E) or 49 (111° E), with the 05/2007 shift."""
    if zone not in (48, 49):
        from gis.errors import CRSError

        raise CRSError(
            f"UTM zone {zone} does not cover Vietnam; use 48 or 49.",
            f"Múi UTM {zone} không thuộc Việt Nam; dùng 48 hoặc 49.",
        )
    lon0 = 105 if zone == 48 else 111
    return CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9996 +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={TOWGS84_VN2000} +units=m +no_defs +type=crs"
    )


def analysis_crs_for_lon(lon: float) -> CRS:
    """The metric analysis CRS for an area centred at longitude ``lon``: WGS84 / UTM 48N or 49N."""
    return CRS.from_epsg(32648 if lon < 108.0 else 32649)


def normalise_name(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese name: no diacritics, ``đ`` -> ``d``, single spaces.

    >>> normalise_name("  Thừa Thiên   Huế ")
    'thua thien hue'
    """
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text).strip().lower()
    return re.sub(r"^(tinh|thanh pho|tp)\s+", "", text)


#: Provincial central meridians (degrees). ``tt24`` is Thông tư 24/2025/TT-BNNMT for the 34
#: provincial units since 1/7/2025; ``tt973`` the former province's meridian (Thông tư
#: 973/2001/TT-TCĐC), which older survey and cadastral files use. Source: DOMAIN.md section 4.
PROVINCE_MERIDIANS: dict[str, dict[str, float]] = {
    # 34 current units (TT24) ...
    "ha noi": {"tt24": 105.0, "tt973": 105.0},
    "ho chi minh": {"tt24": 105.75, "tt973": 105.75},
    "ninh binh": {"tt24": 105.0, "tt973": 105.0},
    "dong nai": {"tt24": 107.75, "tt973": 107.75},
    "hai phong": {"tt24": 105.75, "tt973": 105.75},
    "bac ninh": {"tt24": 107.0, "tt973": 105.5},
    "hung yen": {"tt24": 105.5, "tt973": 105.5},
    "phu tho": {"tt24": 104.75, "tt973": 104.75},
    "tuyen quang": {"tt24": 106.0, "tt973": 106.0},
    "lao cai": {"tt24": 104.75, "tt973": 104.75},
    "thai nguyen": {"tt24": 106.5, "tt973": 106.5},
    "quang tri": {"tt24": 106.0, "tt973": 106.25},
    "da nang": {"tt24": 107.75, "tt973": 107.75},
    "quang ngai": {"tt24": 108.0, "tt973": 108.0},
    "gia lai": {"tt24": 108.25, "tt973": 108.5},
    "khanh hoa": {"tt24": 108.25, "tt973": 108.25},
    "lam dong": {"tt24": 107.75, "tt973": 107.75},
    "dak lak": {"tt24": 108.5, "tt973": 108.5},
    "tay ninh": {"tt24": 105.75, "tt973": 105.5},
    "can tho": {"tt24": 105.0, "tt973": 105.0},
    "vinh long": {"tt24": 105.5, "tt973": 105.5},
    "dong thap": {"tt24": 105.0, "tt973": 105.0},
    "ca mau": {"tt24": 104.5, "tt973": 104.5},
    "an giang": {"tt24": 104.75, "tt973": 104.75},
    "hue": {"tt24": 107.0, "tt973": 107.0},
    "lai chau": {"tt24": 104.75, "tt973": 103.0},
    "dien bien": {"tt24": 103.0, "tt973": 103.0},
    "son la": {"tt24": 104.0, "tt973": 104.0},
    "lang son": {"tt24": 107.25, "tt973": 107.25},
    "quang ninh": {"tt24": 107.75, "tt973": 107.75},
    "thanh hoa": {"tt24": 105.0, "tt973": 105.0},
    "nghe an": {"tt24": 104.75, "tt973": 104.75},
    "ha tinh": {"tt24": 105.5, "tt973": 105.5},
    "cao bang": {"tt24": 105.75, "tt973": 105.75},
    # ... and the former provinces merged into them (TT 973 meridian; TT24 of the new unit).
    "binh duong": {"tt24": 105.75, "tt973": 105.75},
    "ba ria vung tau": {"tt24": 105.75, "tt973": 107.75},
    "ha nam": {"tt24": 105.0, "tt973": 105.0},
    "nam dinh": {"tt24": 105.0, "tt973": 105.5},
    "binh phuoc": {"tt24": 107.75, "tt973": 106.25},
    "hai duong": {"tt24": 105.75, "tt973": 105.5},
    "bac giang": {"tt24": 107.0, "tt973": 107.0},
    "thai binh": {"tt24": 105.5, "tt973": 105.5},
    "vinh phuc": {"tt24": 104.75, "tt973": 105.0},
    "hoa binh": {"tt24": 104.75, "tt973": 106.0},
    "ha giang": {"tt24": 106.0, "tt973": 105.5},
    "yen bai": {"tt24": 104.75, "tt973": 104.75},
    "bac kan": {"tt24": 106.5, "tt973": 106.5},
    "quang binh": {"tt24": 106.0, "tt973": 106.0},
    "quang nam": {"tt24": 107.75, "tt973": 107.75},
    "kon tum": {"tt24": 108.0, "tt973": 107.5},
    "binh dinh": {"tt24": 108.25, "tt973": 108.25},
    "ninh thuan": {"tt24": 108.25, "tt973": 108.25},
    "dak nong": {"tt24": 107.75, "tt973": 108.5},
    "binh thuan": {"tt24": 107.75, "tt973": 108.5},
    "phu yen": {"tt24": 108.5, "tt973": 108.5},
    "long an": {"tt24": 105.75, "tt973": 105.75},
    "soc trang": {"tt24": 105.0, "tt973": 105.5},
    "hau giang": {"tt24": 105.0, "tt973": 105.0},
    "ben tre": {"tt24": 105.5, "tt973": 105.75},
    "tra vinh": {"tt24": 105.5, "tt973": 105.5},
    "tien giang": {"tt24": 105.0, "tt973": 105.75},
    "bac lieu": {"tt24": 104.5, "tt973": 105.0},
    "kien giang": {"tt24": 104.75, "tt973": 104.5},
}

_PROVINCE_ALIASES = {
    "tp hcm": "ho chi minh", "hcm": "ho chi minh", "tphcm": "ho chi minh",
    "sai gon": "ho chi minh", "thua thien hue": "hue", "dac lak": "dak lak",
    "dak nong": "dak nong", "dac nong": "dak nong", "br vt": "ba ria vung tau",
    "ba ria": "ba ria vung tau", "hanoi": "ha noi",
}


def meridian_for_province(name: str, *, standard: str = "tt973") -> float:
    """Central meridian (degrees) of a province, former or current, by name.

    Parameters
    ----------
    name
        Province name with or without diacritics or the ``Tỉnh``/``TP`` prefix,
        e.g. ``"Nam Định"``, ``"nam dinh"``, ``"TP Hồ Chí Minh"``.
    standard
        ``"tt973"`` (default): the former province's meridian, which older engineering and
        cadastral files use; ``"tt24"``: the meridian of Thông tư 24/2025 for the new unit.
    """
    from gis.errors import CRSError

    key = normalise_name(name)
    key = _PROVINCE_ALIASES.get(key, key)
    if standard not in ("tt973", "tt24"):
        raise CRSError(
            f"Unknown meridian standard {standard!r}; use 'tt973' or 'tt24'.",
            f"Chuẩn kinh tuyến {standard!r} không hợp lệ; dùng 'tt973' hoặc 'tt24'.",
        )
    if key not in PROVINCE_MERIDIANS:
        raise CRSError(
            f"Unknown province {name!r}: its VN-2000 central meridian is not known.",
            f"Không nhận ra tỉnh {name!r}: không biết kinh tuyến trục VN-2000.",
            fix="Give the central meridian in degrees instead (e.g. --meridian 105.5).",
            fix_vi="Nhập trực tiếp kinh tuyến trục theo độ (ví dụ --meridian 105.5).",
        )
    return PROVINCE_MERIDIANS[key][standard]
