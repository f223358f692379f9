"""Parameters of the hamlet attribution to administrative units (light: no data loaded)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gis.errors import ValidationError

__all__ = ["UnitParams"]


@dataclass(frozen=True)
class UnitParams:
    """How far a hamlet may lie outside the commune its row names before it is reported.

    Attributes
    ----------
    far_margin_m
        Without a commune polygon layer, a hamlet whose position lies more than this many
        metres outside the commune its names give is reported (``unit_conflict =
        far_from_named``), and its names are still used. "Outside" is measured from the former
        commune's bounding box, or from the disc of the new commune's area around its centre
        (the crosswalk has no polygons). Default 5,000 m: the centres and boxes come from
        geocoding and a disc ignores the commune's shape, so the margin must exceed that
        error; 5 km is about the width of a typical rural commune (median former commune about
        30 km², new commune about 90 km²), so a hamlet farther out than that lies in another
        commune.
    """

    far_margin_m: float = 5000.0

    def __post_init__(self) -> None:
        v = self.far_margin_m
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or v <= 0:
            raise ValidationError(
                f"far_margin_m must be a distance in metres above 0, not {v!r}.",
                f"far_margin_m phải là khoảng cách (m) lớn hơn 0, không phải {v!r}.",
                fix="Use e.g. 5000.", fix_vi="Dùng ví dụ 5000.")
        object.__setattr__(self, "far_margin_m", float(v))
