"""Fiber installation costs per metre of road and the GPON optical budget.

Two frozen parameter sets, both user settings ([U] in DOMAIN.md: no Vietnamese figure was found):

* :class:`CostParams`: what one metre of new fiber costs, in VND, along a road of a given class,
  aerial on existing poles or underground in a duct, and the discount for roads where other works
  are planned (co-deployment, which the provincial plans ask for).
* :class:`GponParams`: the optical budget of DOMAIN.md section 7, checked for OLT-to-home distances.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gis.errors import ValidationError
from gis.layers.normalise import normalise_road_class as _road_class

__all__ = [
    "CostParams",
    "GponParams",
    "edge_installation",
    "normalise_road_class",
    "planned_flags",
]

def normalise_road_class(values: pd.Series | np.ndarray | list) -> np.ndarray:
    """Canonical road classes (``national`` ... ``village``, ``urban``, ``other``) of raw values.

    Uses the readers' table (:func:`gis.layers.normalise.normalise_road_class`: Vietnamese
    names and abbreviations, English, OSM ``highway`` values) once per distinct value. Unknown or
    missing values give ``"other"``; callers report how many there were.
    """
    raw = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array(
        [(_road_class(re.sub(r"_link$", "", str(v))) or "other") if isinstance(v, str)
         else "other" for v in uniques] + ["other"],
        dtype=object,
    )
    return mapped[codes]  # code -1 (missing) picks the trailing "other"


_NO = {"", "0", "false", "no", "none", "nan", "khong", "không", "n"}


def planned_flags(values: pd.Series | np.ndarray | list | None, n: int) -> np.ndarray:
    """True where a road has planned works (any non-empty value other than no/false/0)."""
    if values is None:
        return np.zeros(n, dtype=bool)
    raw = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    flag = np.array([not (isinstance(v, float) and math.isnan(v)) and str(v).strip().lower()
                     not in _NO for v in uniques] + [False], dtype=bool)
    return flag[codes]


@dataclass(frozen=True)
class CostParams:
    """Cost of new fiber along roads, in VND per metre of route. All values are [U] user settings.

    Attributes
    ----------
    aerial_vnd_per_m
        Aerial cable on existing power or telecom poles: ADSS/figure-8 cable (12-24 fibres, about
        8,000-12,000 VND/m), clamps and hardware, labour, pole-use fee. Default 30,000 VND/m, the
        middle of the 25,000-40,000 VND/m range used for rural extensions.
    underground_vnd_per_m
        Underground in a new HDPE duct: trench in the verge (about 0.3 m x 0.8 m), duct, cable,
        backfill and reinstatement, manholes every few hundred metres. Default 250,000 VND/m, the
        middle of the 150,000-400,000 VND/m range.
    underground_road_classes
        Road classes along which new fiber must go underground. Default: national and provincial
        roads and urban streets, where provincial plans require shared ducts and forbid new
        overhead cables (e.g. Hà Nội QĐ 5800/QĐ-UBND); district, commune and village roads are
        aerial on existing poles, as rural extensions are built.
    class_factor
        Multiplier of the cost per road class (e.g. ``{"national": 1.2}`` for traffic management on
        a highway); classes not listed use 1.0.
    planned_works_factor
        Multiplier on roads with planned works (road, power or lighting projects) when the plan
        prefers co-deployment: the trench or the new poles are shared, so the civil part (roughly
        half of the cost) is saved. Default 0.5.
    """

    aerial_vnd_per_m: float = 30_000.0
    underground_vnd_per_m: float = 250_000.0
    underground_road_classes: tuple[str, ...] = ("national", "provincial", "urban")
    class_factor: dict[str, float] = field(default_factory=dict)
    planned_works_factor: float = 0.5

    def __post_init__(self) -> None:
        for name in ("aerial_vnd_per_m", "underground_vnd_per_m"):
            if not getattr(self, name) > 0:
                raise ValidationError(
                    f"costs.{name} must be > 0 VND/m, got {getattr(self, name)}.",
                    f"costs.{name} phải > 0 đồng/m, nhận được {getattr(self, name)}.",
                )
        if not 0 < self.planned_works_factor <= 1:
            raise ValidationError(
                f"costs.planned_works_factor must be in (0, 1], got {self.planned_works_factor}.",
                f"costs.planned_works_factor phải trong (0, 1], nhận được "
                f"{self.planned_works_factor}.",
            )
        if any(not v > 0 for v in self.class_factor.values()):
            raise ValidationError("costs.class_factor values must be > 0.",
                                  "Các hệ số costs.class_factor phải > 0.")


def edge_installation(road_class: np.ndarray, planned: np.ndarray, costs: CostParams, *,
                      prefer_planned_works: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Installation and cost per metre of new fiber along roads.

    Parameters
    ----------
    road_class
        Canonical road classes (see :func:`normalise_road_class`).
    planned
        True where works are planned on the road.
    costs
        The cost parameters.
    prefer_planned_works
        Apply ``costs.planned_works_factor`` to roads with planned works.

    Returns
    -------
    underground, vnd_per_m
        Boolean array (True: underground, False: aerial) and cost in VND per metre.
    """
    road_class = np.asarray(road_class, dtype=object)
    underground = np.isin(road_class, np.asarray(costs.underground_road_classes, dtype=object))
    vnd = np.where(underground, costs.underground_vnd_per_m, costs.aerial_vnd_per_m).astype(float)
    if costs.class_factor:
        factor = pd.Series(road_class).map(costs.class_factor).fillna(1.0).to_numpy(float)
        vnd = vnd * factor
    if prefer_planned_works:
        vnd = np.where(np.asarray(planned, bool), vnd * costs.planned_works_factor, vnd)
    return underground, vnd


#: PLC splitter insertion loss in dB by split ratio (DOMAIN.md section 7, datasheet maxima).
SPLITTER_LOSS_DB: dict[int, float] = {2: 3.7, 4: 7.3, 8: 10.7, 16: 13.9, 32: 17.2, 64: 21.5}


@dataclass(frozen=True)
class GponParams:
    """GPON optical budget (DOMAIN.md section 7), checked for OLT-to-home distances.

    The loss is ``Σ splitter loss + distance_km × α + 0.5 dB × connectors + 0.1 dB × splices
    + margin`` and must not exceed the budget of the optics class.

    Attributes
    ----------
    budget_db
        Optics class budget: 28 dB for class B+ (default; C+ is 32 dB). Nokia FGLT-B datasheet.
    splits
        Split ratios of the splitter stages, e.g. ``(32,)`` one stage 1:32 (default, a common
        rural design) or ``(4, 8)`` two stages. The product must not exceed 64 (1:128 on some OLTs).
    atten_db_per_km
        Fibre attenuation α; default 0.35 dB/km, the worse (upstream 1310 nm) wavelength [U].
    n_connectors
        Connector pairs on the path (ODF at the OLT, patch panel, splitter, home ONT); default 4,
        0.5 dB each.
    splices_fixed
        Fusion splices at joint closures and splitters, independent of the length; default 4.
    splice_every_km
        One more splice per cable drum length; default 2 km (0.1 dB each).
    margin_db
        Safety margin for ageing and repairs; default 3 dB.
    max_reach_km
        The GPON logical reach limit; 20 km (VSOL datasheet).
    """

    budget_db: float = 28.0
    splits: tuple[int, ...] = (32,)
    atten_db_per_km: float = 0.35
    n_connectors: int = 4
    splices_fixed: int = 4
    splice_every_km: float = 2.0
    margin_db: float = 3.0
    max_reach_km: float = 20.0

    def __post_init__(self) -> None:
        bad = [s for s in self.splits if int(s) not in SPLITTER_LOSS_DB]
        if bad or not self.splits or int(np.prod(self.splits)) > 128:
            raise ValidationError(
                f"gpon.splits {self.splits} is not valid: each stage one of "
                f"{sorted(SPLITTER_LOSS_DB)}, total split at most 1:128.",
                f"gpon.splits {self.splits} không hợp lệ: mỗi tầng là một trong "
                f"{sorted(SPLITTER_LOSS_DB)}, tổng tỷ lệ chia tối đa 1:128.",
            )
        if not (self.budget_db > 0 and self.atten_db_per_km > 0 and self.splice_every_km > 0):
            raise ValidationError("gpon.budget_db, atten_db_per_km, splice_every_km must be > 0.",
                                  "gpon.budget_db, atten_db_per_km, splice_every_km phải > 0.")

    @property
    def splitter_loss_db(self) -> float:
        """Total splitter insertion loss in dB."""
        return float(sum(SPLITTER_LOSS_DB[int(s)] for s in self.splits))

    def loss_db(self, distance_km: np.ndarray | float) -> np.ndarray:
        """Total optical loss in dB (margin included) over ``distance_km`` of fibre."""
        d = np.asarray(distance_km, dtype=float)
        splices = self.splices_fixed + np.ceil(d / self.splice_every_km)
        return (self.splitter_loss_db + d * self.atten_db_per_km + 0.5 * self.n_connectors
                + 0.1 * splices + self.margin_db)

    def ok(self, distance_km: np.ndarray | float) -> np.ndarray:
        """True where the loss fits the budget and the distance the GPON reach."""
        d = np.asarray(distance_km, dtype=float)
        return (self.loss_db(d) <= self.budget_db + 1e-9) & (d <= self.max_reach_km)
