"""A static overview map of a run drawn with matplotlib (no tiles, no internet): PNG bytes.

Hamlets are dots coloured by status (red no 4G/5G, orange weak spot, yellow no FTTH, green
covered), BTS positions are triangles (filled when shared), proposed towers stars, fiber
extensions blue lines, coverage tiers (when given) pale polygons underneath. The axes are in
degrees with the longitude stretched by 1/cos(latitude), so distances look right, and a scale
bar in kilometres.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.analysis.frames import points_frame
from gis.analysis.status import STATUS_COLORS, STATUS_ORDER, hamlet_status
from gis.export.tiers import TIER_COLORS
from gis.labels import STATUS_LABELS, check_lang, text
from gis.text import as_text

__all__ = ["figure_png", "overview_png"]

_KM_PER_DEG_LAT = 110.574  # km per degree of latitude near 20° N (WGS84)


def figure_png(fig: object) -> bytes:
    """A matplotlib figure laid out tightly as PNG bytes (the caller closes it)."""
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _lonlat(frame: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """The ``lon``/``lat`` degrees of a table's rows (points, or the geometry's), NaN where
    missing; empty arrays for ``None`` or a table without them."""
    if frame is None or not len(frame):
        return np.empty(0), np.empty(0)
    if "lon" in frame and "lat" in frame:
        return (pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float),
                pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float))
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        xy = shapely.get_coordinates(frame.to_crs(4326).geometry.values)
        return xy[:, 0], xy[:, 1]
    return np.full(len(frame), np.nan), np.full(len(frame), np.nan)


def _other_lonlat(tables: Mapping[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates of every other result (facilities, positions, ducts, ...), finite."""
    parts = [_lonlat(t) for t in tables.values() if isinstance(t, pd.DataFrame)]
    lon = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
    lat = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
    ok = np.isfinite(lon) & np.isfinite(lat)
    return lon[ok], lat[ok]


def _nice_km(span_km: float) -> float:
    """A round scale-bar length near a fifth of the map width."""
    raw = max(span_km / 5.0, 0.05)
    exp = 10 ** math.floor(math.log10(raw))
    return next(m * exp for m in (5, 2, 1) if m * exp <= raw)


def overview_png(hamlets: pd.DataFrame, tables: Mapping[str, pd.DataFrame] | None = None, *,
                 lang: str = "en", title: str = "", tiers: gpd.GeoDataFrame | None = None,
                 admin: gpd.GeoDataFrame | None = None,
                 width_in: float = 9.0, dpi: int = 110) -> bytes:
    """The overview map as PNG bytes.

    Parameters
    ----------
    hamlets
        Per-hamlet table with ``lon``/``lat`` (degrees) and the status columns.
    tables
        Result tables; ``positions``, ``proposed_towers`` and ``fiber_extensions`` are drawn.
    lang
        Legend language.
    tiers
        Coverage tier polygons (``tier`` column, EPSG:4326) to draw underneath.
    admin
        Commune boundaries (polygons with ``name``) drawn as thin grey lines and labelled.
    width_in, dpi
        Figure width in inches and resolution; the height follows the area's shape.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    check_lang(lang)
    tables = tables or {}
    li = 0 if lang == "vi" else 1
    lon, lat = _lonlat(hamlets)
    ok = np.isfinite(lon) & np.isfinite(lat)
    facilities = tables.get("facilities")
    f_lon, f_lat = _lonlat(facilities) if facilities is not None else (np.empty(0),) * 2
    # the extent of the hamlets; without any (a project of facilities only), of the rest
    ex_lon, ex_lat = (lon[ok], lat[ok]) if ok.any() else _other_lonlat(tables)
    lat0 = float(np.mean(ex_lat)) if len(ex_lat) else 16.0
    aspect = 1.0 / math.cos(math.radians(lat0))
    if len(ex_lon):
        x0, x1, y0, y1 = ex_lon.min(), ex_lon.max(), ex_lat.min(), ex_lat.max()
    else:
        x0, x1, y0, y1 = 105.0, 106.0, 20.0, 21.0
    pad = max(x1 - x0, y1 - y0, 0.01) * 0.08
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    # keep the map at least half as tall as wide (and vice versa) on screen
    w, h = x1 - x0, (y1 - y0) * aspect
    if h < 0.5 * w:
        extra = (0.5 * w / aspect - (y1 - y0)) / 2
        y0, y1 = y0 - extra, y1 + extra
    elif w < 0.5 * h:
        extra = (0.5 * h - (x1 - x0)) / 2
        x0, x1 = x0 - extra, x1 + extra
    h_in = min(max(width_in * (y1 - y0) * aspect / (x1 - x0), 4.0), 12.0)
    fig, ax = plt.subplots(figsize=(width_in, h_in), dpi=dpi)
    handles = []
    try:
        if tiers is not None and len(tiers):
            for tier, color in TIER_COLORS.items():
                part = tiers[tiers["tier"] == tier]
                if len(part):
                    part.plot(ax=ax, color=color, alpha=0.35, linewidth=0)
        if admin is not None and len(admin):
            adm = admin.to_crs(4326)
            adm.boundary.plot(ax=ax, color="#888888", linewidth=0.6, zorder=1)
            if "name" in adm and len(adm) <= 60:
                pts = adm.geometry.representative_point()
                for pt, nm in zip(pts, as_text(adm["name"]), strict=True):
                    ax.text(pt.x, pt.y, nm, fontsize=6, color="#555555", ha="center",
                            va="center", zorder=1.5)
        routes = tables.get("fiber_extensions")
        if isinstance(routes, gpd.GeoDataFrame) and len(routes):
            routes.to_crs(4326).plot(ax=ax, color="#1f77b4", linewidth=2.0, zorder=2)
            handles.append(Line2D([], [], color="#1f77b4", lw=2, label=text("legend_fiber", lang)))
        positions = tables.get("positions")
        if positions is not None and len(positions):
            p = points_frame(positions)
            shared = (pd.to_numeric(p.get("n_operators", pd.Series(1, index=p.index)),
                                    errors="coerce").fillna(1) >= 2).to_numpy()
            ax.scatter(p.geometry.x[~shared], p.geometry.y[~shared], marker="^", s=38,
                       facecolor="white", edgecolor="black", linewidth=0.9, zorder=3)
            ax.scatter(p.geometry.x[shared], p.geometry.y[shared], marker="^", s=46,
                       color="black", zorder=3)
            handles.append(Line2D([], [], marker="^", ls="", color="black",
                                  label=text("legend_sites", lang)))
        towers = tables.get("proposed_towers")
        if towers is not None and len(towers):
            t = points_frame(towers)
            ax.scatter(t.geometry.x, t.geometry.y, marker="*", s=160, color="#7b2cbf",
                       edgecolor="white", linewidth=0.6, zorder=5)
            handles.append(Line2D([], [], marker="*", ls="", ms=12, color="#7b2cbf",
                                  label=text("legend_towers", lang)))
        if len(f_lon) and not ok.any():  # no hamlet to show: the facilities at least
            ax.scatter(f_lon, f_lat, marker="s", s=22, color="#555555", zorder=3)
            handles.append(Line2D([], [], marker="s", ls="", color="#555555",
                                  label=text("facilities", lang)))
        status = (hamlet_status(hamlets).to_numpy() if len(hamlets)
                  else np.empty(0, dtype=object))
        for s in STATUS_ORDER:
            sel = ok & (status == s)
            if not sel.any():
                continue
            ax.scatter(lon[sel], lat[sel], s=34, color=STATUS_COLORS[s], edgecolor="#333333",
                       linewidth=0.5, zorder=4)
            handles.append(Line2D([], [], marker="o", ls="", ms=7, color=STATUS_COLORS[s],
                                  markeredgecolor="#333333",
                                  label=f"{STATUS_LABELS[s][li]} ({int(sel.sum())})"))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect)
        ax.tick_params(labelsize=7)
        ax.ticklabel_format(useOffset=False, style="plain")
        ax.set_xlabel("Kinh độ (°)" if lang == "vi" else "Longitude (°)", fontsize=8)
        ax.set_ylabel("Vĩ độ (°)" if lang == "vi" else "Latitude (°)", fontsize=8)
        ax.grid(color="#dddddd", linewidth=0.5)
        # scale bar, bottom left
        span_km = (x1 - x0) * _KM_PER_DEG_LAT / aspect
        bar_km = _nice_km(span_km)
        bar_deg = bar_km / (_KM_PER_DEG_LAT / aspect)
        bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
        ax.plot([bx, bx + bar_deg], [by, by], color="black", lw=3, solid_capstyle="butt",
                zorder=6)
        ax.text(bx + bar_deg / 2, by + (y1 - y0) * 0.015, f"{bar_km:g} km", ha="center",
                va="bottom", fontsize=8, zorder=6)
        if handles:
            ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.9)
        if title:
            ax.set_title(title, fontsize=10)
        png = figure_png(fig)
    finally:
        plt.close(fig)
    return png
