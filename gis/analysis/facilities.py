"""Connectivity of public facilities: schools, health stations, commune offices, industrial zones.

The plans ask for broadband at every agency, school, health station and industrial zone. A facility
is FTTH-reachable by the same drop rule as households (an access point within the maximum drop
length along the roads, :mod:`gis.analysis.ftth`), and 4G/5G-covered when the radio coverage
result (``CoverageResult.sample``) gives at least the coverage threshold at its location.
``connected`` is FTTH-reachable or 4G/5G-covered, with the reason in English and Vietnamese.
"""

from __future__ import annotations

from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.analysis.ftth import distance_to_sources_m
from gis.analysis.params import FiberParams
from gis.analysis.roads import RoadGraph
from gis.errors import GisError
from gis.text import label_or

__all__ = ["KIND_LABELS", "CoverageSampler", "facility_labels", "facility_status",
           "radio_thresholds"]

#: Facility kinds with their Vietnamese and English labels.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "school": ("Trường học", "School"),
    "health_station": ("Trạm y tế", "Health station"),
    "commune_office": ("UBND xã", "Commune office"),
    "industrial_zone": ("Khu công nghiệp", "Industrial zone"),
    "other": ("Khác", "Other"),
}


class CoverageSampler(Protocol):
    """What this module needs of the radio coverage result."""

    def sample(self, xy: np.ndarray, tech: str, operator: str | None = None) -> np.ndarray:
        """RSRP in dBm at points (NaN outside the computed area)."""
        ...


def facility_status(
    facilities: gpd.GeoDataFrame,
    access_xy: np.ndarray,
    *,
    graph: RoadGraph | None,
    params: FiberParams,
    coverage: CoverageSampler | None = None,
    thresholds_dbm: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Status of every facility, in input order (index of ``facilities``).

    Parameters
    ----------
    facilities
        Points or polygons (metric CRS) with ``kind`` and optional ``facility_id``, ``name``,
        ``commune``. A polygon is represented by a point inside it.
    access_xy
        (k, 2) FTTH access points in metres.
    graph
        Road graph; ``None`` for straight-line distances.
    params
        ``drop_max_m`` is the FTTH reach.
    coverage
        The radio coverage result, or ``None`` when it has not been computed: the ``mobile_4g``
        and ``mobile_5g`` columns are then empty (NA).
    thresholds_dbm
        RSRP (dBm) counted as covered, per tech (``"4G"``, ``"5G"``); ``params.facility_rsrp_min_dbm``
        for a tech not given.

    Returns
    -------
    pandas.DataFrame
        ``facility_id, kind, kind_vi, name, commune, x, y, ftth_distance_m, ftth, rsrp_4g_dbm,
        mobile_4g, rsrp_5g_dbm, mobile_5g, connected, reason, reason_vi``.
    """
    n = len(facilities)
    pts = shapely.point_on_surface(np.asarray(facilities.geometry.values, dtype=object))
    xy = np.stack([shapely.get_x(pts), shapely.get_y(pts)], axis=1).reshape(-1, 2)  # NaN: none
    dist = distance_to_sources_m(graph, access_xy, xy)
    ftth = dist <= params.drop_max_m
    out = pd.DataFrame(index=facilities.index)
    kind = facilities["kind"].astype(object) if "kind" in facilities else pd.Series("other",
                                                                                    index=out.index)
    out["facility_id"] = facilities.get("facility_id", pd.Series(pd.NA, index=out.index))
    out["kind"] = kind
    out["kind_vi"] = kind.map(lambda k: KIND_LABELS.get(str(k), (str(k), str(k)))[0])
    for col in ("name", "commune"):
        out[col] = facilities.get(col, pd.Series(pd.NA, index=out.index))
    out["x"] = np.round(xy[:, 0], 1)
    out["y"] = np.round(xy[:, 1], 1)
    out["ftth_distance_m"] = np.where(np.isfinite(dist), np.round(dist, 1), np.nan)
    out["ftth"] = ftth
    thresholds = dict(thresholds_dbm or {})
    mobile = np.zeros(n, dtype=bool)
    for tech in ("4G", "5G"):
        col = f"mobile_{tech.lower()}"
        if coverage is None:
            out[f"rsrp_{tech.lower()}_dbm"] = np.nan
            out[col] = pd.array([pd.NA] * n, dtype="boolean")
            continue
        rsrp = np.asarray(coverage.sample(xy, tech), dtype=float).reshape(-1)
        thr = thresholds.get(tech, params.facility_rsrp_min_dbm)
        covered = np.isfinite(rsrp) & (rsrp >= thr)
        out[f"rsrp_{tech.lower()}_dbm"] = np.round(rsrp, 1)
        out[col] = pd.array(covered, dtype="boolean")
        mobile |= covered
    out["connected"] = ftth | mobile
    reason, reason_vi = _reasons(ftth, dist, out, params.drop_max_m, coverage is not None)
    out["reason"] = reason
    out["reason_vi"] = reason_vi
    return out


def _reasons(ftth: np.ndarray, dist: np.ndarray, out: pd.DataFrame, drop_m: float,
             have_radio: bool) -> tuple[list[str], list[str]]:
    en, vi = [], []
    m4 = out["mobile_4g"].fillna(False).to_numpy(bool)
    m5 = out["mobile_5g"].fillna(False).to_numpy(bool)
    for f, d, a, b in zip(ftth, dist, m4, m5, strict=True):
        e_parts, v_parts = [], []
        if f:
            e_parts.append(f"FTTH access point {d:.0f} m away along roads")
            v_parts.append(f"điểm truy nhập quang cách {d:.0f} m theo đường")
        else:
            far = "none reachable" if not np.isfinite(d) else f"nearest {d:.0f} m"
            far_vi = "không tới được" if not np.isfinite(d) else f"gần nhất {d:.0f} m"
            e_parts.append(f"no FTTH access point within {drop_m:.0f} m ({far})")
            v_parts.append(f"không có điểm truy nhập quang trong {drop_m:.0f} m ({far_vi})")
        if have_radio:
            techs = [t for t, c in (("4G", a), ("5G", b)) if c]
            e_parts.append(("covered by " + "/".join(techs)) if techs else "no 4G/5G coverage")
            v_parts.append(("có sóng " + "/".join(techs)) if techs else "không có sóng 4G/5G")
        else:
            e_parts.append("4G/5G not computed")
            v_parts.append("chưa tính vùng phủ 4G/5G")
        en.append("; ".join(e_parts))
        vi.append("; ".join(v_parts))
    return en, vi


def facility_labels(status: pd.DataFrame) -> np.ndarray:
    """A text label per facility for messages: its name, else its ``facility_id``, else
    ``"#<row>"`` (1-based position); never ``NaN`` (OSM facilities often have no name).

    >>> facility_labels(pd.DataFrame({"name": ["Trường A", None, None],
    ...                               "facility_id": ["F1", "osm:n2", None]})).tolist()
    ['Trường A', 'osm:n2', '#3']
    """
    n = len(status)
    rows = np.char.add("#", (np.arange(n) + 1).astype(str)).astype(object)
    ids = label_or(status["facility_id"], rows) if "facility_id" in status else rows
    return label_or(status["name"], ids) if "name" in status else ids


def radio_thresholds(radio_params: Any) -> dict[str, float]:
    """Coverage thresholds per tech (dBm) from the radio parameters, when they give them.

    Reads ``radio_params.tech(tech).tiers.covered_dbm`` (:class:`gis.radio.params.RadioParams`);
    returns only the techs found.
    """
    found: dict[str, float] = {}
    getter = getattr(radio_params, "tech", None)
    if not callable(getter):
        return found
    for tech in ("4G", "5G"):
        try:
            tiers = getter(tech).tiers
        except (GisError, KeyError, AttributeError):
            continue
        value = getattr(tiers, "covered_dbm", getattr(tiers, "edge_dbm", None))
        if value is not None:
            found[tech] = float(value)
    return found
