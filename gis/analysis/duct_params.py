"""Parameters of the shared-duct road list (:mod:`gis.analysis.ducts`): a light leaf module.

Only the standard library and :mod:`gis.errors` are imported, so that the run parameters and the
app's parameter page can import it without shapely, numba or scipy.

Every cost is a user setting ([U] in DOMAIN.md: no Vietnamese unit price for shared telecom ducts
was found). The defaults are derived from the fiber cost model (:class:`gis.analysis.costs.
CostParams`), so that the saving of a shared duct is on the same scale as the cost of the fiber
extensions the same run proposes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gis.errors import ValidationError

__all__ = ["DuctParams"]


def _bad(name: str, value: object, rule_en: str, rule_vi: str) -> ValidationError:
    return ValidationError(
        f"ducts.{name} must be {rule_en}, got {value!r}.",
        f"ducts.{name} phải {rule_vi}, nhận được {value!r}.",
    )


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0 \
        and math.isfinite(value)


def _share(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


@dataclass(frozen=True)
class DuctParams:
    """Which roads need shared telecom ducts, and what one shared duct saves (section ``ducts``).

    A road segment is listed when it is **urban** or has **planned works**. It is urban when any
    of these tests holds for at least ``urban_min_share`` of its length (points every
    ``sample_m`` along it):

    1. its road class is one of ``urban_road_classes`` (``urban``: phố, đường đô thị);
    2. it lies in an administrative unit whose ``level`` or name says phường (ward) or thị trấn
       (township): ``urban_admin_levels``, compared without diacritics (a name must start with
       it: "Phường 12", "Thị trấn Yên Định", "TT. Nho Quan");
    3. the population density over a ``density_window_m`` square around it is at least
       ``urban_density_per_km2`` (only when a population raster is given and the threshold is
       set).

    Attributes
    ----------
    buffer_m
        A cable runs along a road where it lies within this distance of the road's centre line,
        in metres. Default 20 m [U]: the verge and pavement of a town street (5-10 m each side)
        plus the digitising error of cable routes traced by GPS or from paper maps (5-10 m).
    min_share
        An operator's cable (or a planned route) counts as running along a segment when it
        follows at least this share (0-1) of the segment's length. Default 0.2 [U]: one block of
        a 1 km segment; a cable that only crosses the road follows about 0 % of it and never
        counts.
    segment_max_m
        Road rows longer than this are cut into equal pieces no longer than it, in metres, so
        that a long road is ranked per stretch (a duct is built street by street). Default
        1,000 m [U]; 0 keeps the rows of the roads layer as they are.
    sample_m
        Spacing of the points at which the urban tests are evaluated along a segment, in metres.
        Default 25 m: a few points along the shortest town street.
    urban_min_share
        Share (0-1) of a segment's sample points that must pass an urban test. Default 0.5: the
        larger part of the segment.
    urban_road_classes
        Canonical road classes that are urban (:func:`gis.layers.normalise.normalise_road_class`).
        Default ``("urban",)``.
    urban_admin_levels
        ``level`` values or name prefixes of the admin layer that make a unit urban, written
        without diacritics in snake case. Default: phường (``phuong``, ``ward``) and thị trấn
        (``thi_tran``, ``tt``, ``town``, ``township``): since 1/7/2025 the commune-level units are
        xã, phường and đặc khu (DOMAIN.md section 6); thị trấn is the pre-2025 urban unit that
        older admin layers still carry.
    urban_density_per_km2
        Population density (people per km²) above which a place is urban, or ``None`` (default)
        to skip this test. A suggested value is 5,000 people/km² over a 1 km window: the density
        that Nghị quyết 1210/2016/UBTVQH13 (urban classification) asks of the inner area of the
        smallest towns (type V) [P]. It is off by default because delta villages reach that
        density at the 100 m scale of a population raster.
    density_window_m
        Side of the square window over which the density is averaged, in metres (default
        1,000 m).
    trench_vnd_per_m
        Civil works of one underground route: trench, backfill, reinstatement of the pavement and
        manholes pro rata, in VND per metre. Default 125,000 VND/m [U]: the civil half of
        :attr:`CostParams.underground_vnd_per_m` (250,000 VND/m; ``CostParams.
        planned_works_factor`` documents that the civil part is about half).
    duct_vnd_per_m
        One HDPE duct (Ø40/34 mm) laid for one operator's cable, in VND per metre. Default
        25,000 VND/m [U] (material about 15,000, laying and jointing the rest).
    shared_duct_vnd_per_m
        The outer duct of a shared route (Ø110 mm PVC or a multi-way duct bank), in VND per
        metre; the trench is the same. Default 60,000 VND/m [U].
    subduct_vnd_per_m
        One sub-duct (microduct) per cable inside the shared duct, in VND per metre. Default
        10,000 VND/m [U].
    co_deployment_factor
        Multiplier (0-1] of the trench cost of the shared duct on roads with planned works,
        where it is laid together with the road, power or lighting works, as the plans ask.
        Default 0.5, as :attr:`CostParams.planned_works_factor`. Separate builds are assumed to
        be dug one by one outside the works (the situation the plans want to avoid).
    """

    buffer_m: float = 20.0
    min_share: float = 0.2
    segment_max_m: float = 1_000.0
    sample_m: float = 25.0
    urban_min_share: float = 0.5
    urban_road_classes: tuple[str, ...] = ("urban",)
    urban_admin_levels: tuple[str, ...] = ("phuong", "ward", "thi_tran", "tt", "town",
                                           "township")
    urban_density_per_km2: float | None = None
    density_window_m: float = 1_000.0
    trench_vnd_per_m: float = 125_000.0
    duct_vnd_per_m: float = 25_000.0
    shared_duct_vnd_per_m: float = 60_000.0
    subduct_vnd_per_m: float = 10_000.0
    co_deployment_factor: float = 0.5

    def __post_init__(self) -> None:
        for name in ("buffer_m", "sample_m", "density_window_m", "trench_vnd_per_m",
                     "duct_vnd_per_m", "shared_duct_vnd_per_m", "subduct_vnd_per_m"):
            if not _positive(getattr(self, name)):
                raise _bad(name, getattr(self, name), "a positive number", "là số dương")
        seg = self.segment_max_m
        if not (isinstance(seg, int | float) and not isinstance(seg, bool) and seg >= 0
                and math.isfinite(seg)):
            raise _bad("segment_max_m", seg, "0 (keep the rows) or a length in metres",
                       "bằng 0 (giữ nguyên các dòng) hoặc một độ dài tính bằng mét")
        for name in ("min_share", "urban_min_share"):
            if not _share(getattr(self, name)):
                raise _bad(name, getattr(self, name), "a share between 0 and 1",
                           "là tỷ lệ từ 0 đến 1")
        f = self.co_deployment_factor
        if not (_share(f) and f > 0):
            raise _bad("co_deployment_factor", f, "in (0, 1]", "trong khoảng (0, 1]")
        d = self.urban_density_per_km2
        if d is not None and not _positive(d):
            raise _bad("urban_density_per_km2", d, "null (no density test) or > 0 people/km²",
                       "là null (không xét mật độ) hoặc > 0 người/km²")
        for name in ("urban_road_classes", "urban_admin_levels"):
            values = tuple(str(v).strip().lower() for v in getattr(self, name))
            object.__setattr__(self, name, values)
