"""Is a point on Vietnam's land? And which VN-2000 central meridian puts a layer back on it?

Vietnam's lon/lat box (:data:`gis.layers.coords.LON_RANGE`, ``LAT_RANGE``) holds the South
China Sea, the Gulf of Thailand and parts of Laos, Cambodia and China: a VN-2000 TM-3 file read
with the wrong central meridian (2.25° off moves it about 240 km) lands in the sea and still
passes the box. :func:`on_land` tests points against the land polygon shipped in
``gis/layers/data/vietnam_land.geojson`` (Natural Earth 1:10m, public domain, plus the
inhabited islands it leaves out; see that folder's README), within a margin.
:func:`meridian_candidates` re-reads TM-3 coordinates with the other provincial meridians and
says which put the points back on land.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from gis.errors import CRSError, ValidationError
from gis.layers.crs import PROVINCE_MERIDIANS, WGS84, meridian_for_province, vn2000_tm3

__all__ = ["LAND_FILE", "LandParams", "meridian_candidates", "on_land", "vietnam_land"]

LAND_FILE = Path(__file__).parent / "data" / "vietnam_land.geojson"


@dataclass(frozen=True)
class LandParams:
    """Thresholds of the land checks.

    Attributes
    ----------
    margin_km
        A point this close to the land polygon counts as on land (default 8 km: the 1:10m
        coastline is generalised by a few hundred metres, and river mouths, lagoons, small
        islets and floating villages sit off it (Hạ Long's Cửa Vạn is 6 km from the 1:10m
        coast), while a wrong provincial meridian moves points by 26 km or more: 0.25° at
        Vietnam's latitudes).
    min_share_on_land
        Below this share of points on land the layer's CRS is suspected (default 0.5: a few
        offshore points are data errors, most of a layer in the sea is a wrong CRS).
    fit_share
        Share on land a candidate meridian must reach to be named as the likely right one
        (default 0.9).
    """

    margin_km: float = 8.0
    min_share_on_land: float = 0.5
    fit_share: float = 0.9

    def __post_init__(self) -> None:
        if not (self.margin_km >= 0 and 0 < self.min_share_on_land <= 1
                and 0 < self.fit_share <= 1):
            raise ValidationError(
                f"Invalid land check parameters {self}: margin_km >= 0 and shares in (0, 1].",
                f"Tham số kiểm tra đất liền không hợp lệ {self}: margin_km >= 0 và tỷ lệ trong "
                "(0, 1].")


#: km per degree of latitude (and of longitude at the equator), for margins in degrees.
_KM_PER_DEG = 111.32


@lru_cache(maxsize=1)
def vietnam_land() -> shapely.MultiPolygon:
    """The land polygon (WGS84 lon/lat), read once and prepared for fast point tests."""
    data = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    geom = shapely.geometry.shape(data["features"][0]["geometry"])
    shapely.prepare(geom)
    return geom


#: Parts of the land polygon larger than this (degrees², ~60 km²) are "major land": the
#: mainland and the large islands, not the island discs, which a shifted layer can hit by chance.
_MAJOR_AREA = 0.005


@lru_cache(maxsize=1)
def _major_land() -> shapely.MultiPolygon:
    parts = [g for g in vietnam_land().geoms if g.area > _MAJOR_AREA]
    geom = shapely.MultiPolygon(parts)
    shapely.prepare(geom)
    return geom


def on_land(lon: np.ndarray, lat: np.ndarray, *, margin_km: float = LandParams.margin_km,
            major: bool = False) -> np.ndarray:
    """True where (``lon``, ``lat``) (degrees, WGS84) lies on Vietnam's land or within
    ``margin_km`` of it; False for NaN.

    The margin is converted to degrees at each point's latitude (longitude degrees shrink by
    cos(latitude)); the larger of the two is used, so the test errs towards "on land".
    ``major=True`` tests against the mainland and the large islands only.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.zeros(lon.shape, dtype=bool)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out
    land = _major_land() if major else vietnam_land()
    inside = shapely.contains_xy(land, lon[ok], lat[ok])
    if margin_km > 0 and not inside.all():
        rest = np.flatnonzero(~inside)
        x, y = lon[ok][rest], lat[ok][rest]
        deg = margin_km / (_KM_PER_DEG * np.cos(np.radians(np.clip(y, -80, 80))))
        near = shapely.dwithin(land, shapely.points(x, y), deg)
        inside[rest] = near
    out[ok] = inside
    return out


def meridian_candidates(easting: np.ndarray, northing: np.ndarray, lon0: float, *,
                        provinces: list[str] | None = None, margin_km: float = 8.0,
                        ) -> list[tuple[float, float]]:
    """Other TM-3 central meridians and the share of points each puts on land, best first.

    ``easting`` / ``northing`` are VN-2000 TM-3 metres read with meridian ``lon0`` (degrees).
    The candidates are every provincial meridian of :data:`PROVINCE_MERIDIANS` (TT 973 and
    TT 24); those of the ``provinces`` the layer names come first when they put at least half of
    the points on land, then the others by their share on the mainland and large islands.
    """
    e = np.asarray(easting, dtype=float)
    n = np.asarray(northing, dtype=float)
    named: set[float] = set()
    for p in provinces or []:
        for std in ("tt973", "tt24"):
            try:
                named.add(meridian_for_province(p, standard=std))
            except CRSError:  # an unknown province name gives no candidate
                continue
    cands = sorted({v for m in PROVINCE_MERIDIANS.values() for v in m.values()} - {lon0})
    scored = []
    for cand in cands:
        t = Transformer.from_crs(vn2000_tm3(cand), WGS84, always_xy=True)
        lon, lat = t.transform(e, n)
        share = float(np.mean(on_land(lon, lat, margin_km=margin_km)))
        major = float(np.mean(on_land(lon, lat, margin_km=0.0, major=True))) if share else 0.0
        scored.append((cand, share, major))
    # a meridian of a province the layer names first (among those that fit), then the share on
    # the mainland and large islands (a shifted layer may hit a small island by chance), then
    # the share on any land
    scored.sort(key=lambda c: (c[0] not in named or c[1] < 0.5, -round(c[2], 2),
                               -round(c[1], 3), abs(c[0] - lon0)))
    return [(c, share) for c, share, _ in scored]
