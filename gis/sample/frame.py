"""The district's frame: its bounding box in EPSG:32648 and relative (u, v) coordinates in it."""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import Transformer

__all__ = ["ANALYSIS_EPSG", "Frame"]

#: The analysis CRS of the sample area: WGS 84 / UTM zone 48N.
ANALYSIS_EPSG = 32648


@dataclass(frozen=True)
class Frame:
    """The bounding box (metres, on the ``grid_m`` grid) and a relative coordinate system.

    ``u`` runs 0-1 west to east and ``v`` 0-1 south to north over the box.
    """

    left: float
    bottom: float
    right: float
    top: float

    @classmethod
    def from_spec(cls, spec) -> Frame:
        to_utm = Transformer.from_crs(4326, ANALYSIS_EPSG, always_xy=True)
        cx, cy = to_utm.transform(spec.centre_lon, spec.centre_lat)
        g = spec.grid_m
        left = round((cx - spec.width_m / 2) / g) * g
        bottom = round((cy - spec.height_m / 2) / g) * g
        right = left + round(spec.width_m / g) * g
        top = bottom + round(spec.height_m / g) * g
        return cls(float(left), float(bottom), float(right), float(top))

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def xy(self, u: float, v: float) -> tuple[float, float]:
        """Metres (x, y) of relative position (u, v)."""
        return self.left + u * self.width, self.bottom + v * self.height

    def expanded(self, margin_m: float, grid_m: float) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) grown by ``margin_m`` rounded up to the grid."""
        m = -(-margin_m // grid_m) * grid_m
        return (self.left - m, self.bottom - m, self.right + m, self.top + m)
