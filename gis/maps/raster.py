"""Coverage rasters as one colour-scaled PNG image overlay (not thousands of polygons).

The best-server RSRP GeoTIFF (dBm, float32, NaN where nothing) is reprojected to Web Mercator
(EPSG:3857, the projection Leaflet draws in, so the image lines up with the base map at every
zoom), down-sampled to at most :data:`MAX_OVERLAY_PX` pixels on its long side, coloured by signal
tier, and placed with its WGS84 bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import branca.colormap as cm
import folium
import numpy as np
import rasterio
from affine import Affine
from folium.raster_layers import image_to_url
from pyproj import Transformer
from rasterio.warp import Resampling, calculate_default_transform, reproject

from gis.maps._fast import fast

__all__ = ["MAX_OVERLAY_PX", "RsrpScale", "coverage_overlay", "rsrp_rgba", "speed_rgba",
           "warp_to_mercator"]

#: Long side of the overlay image in pixels: ~30 m per pixel over a 30 km district.
MAX_OVERLAY_PX = 1024


@dataclass(frozen=True)
class RsrpScale:
    """RSRP colour tiers in dBm, strongest first.

    The defaults are the industry tiers quoted in DOMAIN.md section 3 (good >= -95, fair >= -105,
    edge >= -110 dBm); the app passes the run's own thresholds when the radio parameters have them.
    Cells below ``edge_dbm`` are drawn faintly (signal below the coverage threshold).
    """

    good_dbm: float = -95.0
    fair_dbm: float = -105.0
    edge_dbm: float = -110.0
    floor_dbm: float = -125.0

    @property
    def colours(self) -> tuple[str, str, str, str]:
        """Colours of the tiers: good, fair, edge, below edge."""
        return ("#1a9641", "#a6d96a", "#fdae61", "#d7191c")

    def colormap(self, caption: str) -> cm.StepColormap:
        """A branca step colour map (its legend is drawn on the map)."""
        good, fair, edge, below = self.colours
        return cm.StepColormap(
            [below, edge, fair, good],
            index=[self.floor_dbm, self.edge_dbm, self.fair_dbm, self.good_dbm, -50.0],
            vmin=self.floor_dbm, vmax=-50.0, caption=caption,
        )


def warp_to_mercator(path: str | Path, *, max_px: int = MAX_OVERLAY_PX
                     ) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Read band 1 of ``path`` reprojected to EPSG:3857 at most ``max_px`` pixels wide or high.

    Returns the float32 array (NaN for nodata) and its WGS84 bounds ``(south, west, north, east)``
    in degrees.

    A raster more than twice as large as the overlay (a province's or the country's) is first
    read decimated to twice the overlay's size, averaging, which GDAL serves from the file's
    overviews when it has them (the COGs of a tiled run): the map of a national run reads a
    few MB, not every cell of the 30 m grid.
    """
    with rasterio.open(path) as src:
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:3857", src.width, src.height, *src.bounds)
        scale = max(width, height) / max_px
        if scale > 1:
            width, height = int(np.ceil(width / scale)), int(np.ceil(height / scale))
            transform = transform * transform.scale(scale, scale)
        out = np.full((height, width), np.nan, dtype=np.float32)
        source, src_transform, src_nodata = _decimated(src, 2 * max_px)
        reproject(
            source=source, destination=out, src_transform=src_transform,
            src_crs=src.crs, src_nodata=src_nodata, dst_transform=transform,
            dst_crs="EPSG:3857", dst_nodata=np.nan, resampling=Resampling.average,
        )
    west, north = transform * (0, 0)
    east, south = transform * (width, height)
    to_wgs = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_wgs.transform([west, east], [south, north])
    return out, (lat0, lon0, lat1, lon1)


def _decimated(src, max_px: int):
    """Band 1 of the open dataset ``src`` as the source of a warp: the band itself when it is at
    most ``max_px`` pixels on its long side, else a float32 array (NaN nodata) read at that
    size by averaging (from the overviews where the file has them), with its transform."""
    factor = max(src.width, src.height) / max_px
    if factor <= 1:
        return rasterio.band(src, 1), src.transform, src.nodata
    h, w = max(1, int(np.ceil(src.height / factor))), max(1, int(np.ceil(src.width / factor)))
    data = src.read(1, out_shape=(h, w), resampling=Resampling.average, masked=True)
    arr = data.astype(np.float32).filled(np.nan)
    return arr, src.transform * Affine.scale(src.width / w, src.height / h), np.nan


def rsrp_rgba(rsrp_dbm: np.ndarray, scale: RsrpScale = RsrpScale(), *,
              opacity: float = 0.6) -> np.ndarray:
    """An RGBA uint8 image of RSRP values coloured by tier; NaN transparent."""
    good, fair, edge, below = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], np.uint8)
                               for c in scale.colours)
    rgba = np.zeros((*rsrp_dbm.shape, 4), np.uint8)
    v = np.asarray(rsrp_dbm, dtype=np.float32)
    finite = np.isfinite(v)
    tiers = [
        (finite & (v >= scale.good_dbm), good, opacity),
        (finite & (v < scale.good_dbm) & (v >= scale.fair_dbm), fair, opacity),
        (finite & (v < scale.fair_dbm) & (v >= scale.edge_dbm), edge, opacity),
        (finite & (v < scale.edge_dbm) & (v >= scale.floor_dbm), below, opacity * 0.5),
    ]
    for mask, colour, alpha in tiers:
        rgba[mask, :3] = colour
        rgba[mask, 3] = round(255 * alpha)
    return rgba


def speed_rgba(mbps: np.ndarray) -> np.ndarray:
    """An RGBA uint8 image of expected speeds (Mbit/s) on the ramp of
    :func:`gis.analysis.speed.speed_colour` (the hamlets' speed colours); NaN transparent."""
    from gis.analysis.speed import SPEED_BREAKS_MBPS, speed_colour

    v = np.asarray(mbps, dtype=np.float32)
    lows = np.array([0.0, *SPEED_BREAKS_MBPS])
    lut = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in speed_colour(lows)],
                   np.uint8)
    k = np.digitize(np.nan_to_num(v, nan=0.0), np.asarray(SPEED_BREAKS_MBPS), right=False)
    rgba = np.zeros((*v.shape, 4), np.uint8)
    rgba[..., :3] = lut[k]
    rgba[..., 3] = np.where(np.isfinite(v), 255, 0).astype(np.uint8)
    return rgba


def coverage_overlay(path: str | Path, *, name: str, scale: RsrpScale = RsrpScale(),
                     show: bool = True, max_px: int = MAX_OVERLAY_PX, opacity: float = 0.6,
                     cache: dict | None = None, kind: str = "rsrp"
                     ) -> folium.raster_layers.ImageOverlay:
    """A folium image overlay of one coverage GeoTIFF: best RSRP in dBm (``kind="rsrp"``) or
    an expected-speed raster in Mbit/s (``kind="speed"``, :func:`speed_rgba`).

    ``opacity`` (0-1) is the overlay's, applied by the browser; the PNG (tiers opaque, cells
    below the edge tier half transparent) is made once per raster and scale and kept in
    ``cache``, so moving the opacity slider does not warp the raster again.
    """
    if not 0.0 <= float(opacity) <= 1.0:
        from gis.errors import ValidationError

        raise ValidationError(f"Overlay opacity {opacity} is not between 0 and 1.",
                              f"Độ đậm lớp phủ {opacity} không nằm trong khoảng 0-1.")

    def make() -> tuple[str, list[list[float]]]:
        rsrp, (south, west, north, east) = warp_to_mercator(path, max_px=max_px)
        image = speed_rgba(rsrp) if kind == "speed" else rsrp_rgba(rsrp, scale, opacity=1.0)
        return image_to_url(image), [[south, west], [north, east]]

    key = ("overlay", str(path), scale, max_px, kind)
    if cache is None:
        url, bounds = make()
    else:
        if key not in cache:
            cache[key] = make()
        url, bounds = cache[key]
    return fast(folium.raster_layers.ImageOverlay)(
        image=url, bounds=bounds, name=name, show=show, interactive=False, cross_origin=False,
        zindex=2, mercator_project=False, opacity=float(opacity),
    )
