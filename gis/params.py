"""Run parameters: one frozen dataclass per package, gathered in :class:`RunParams`.

Each package defines its parameter dataclasses in a light module (:mod:`gis.analysis.params`,
:mod:`gis.analysis.targets`, :mod:`gis.radio.params`, :mod:`gis.radio.calibration_params`,
:mod:`gis.scale.params`, :mod:`gis.analysis.units.params`, :mod:`gis.analysis.duct_params`,
:mod:`gis.analysis.speed_params`), with documented
and justified defaults; :class:`RunParams` holds one of each as a section; :mod:`gis.config` is
the JSON codec. Parameters are read from and written to a
readable JSON file (``params.json`` in a project folder, ``--params FILE`` on the CLI); a partial
file overrides only the values it names. Unknown keys are errors that list the valid keys.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis.analysis.duct_params import DuctParams
from gis.analysis.params import FiberParams, HamletRule, SharingParams
from gis.analysis.speed_params import SpeedParams
from gis.analysis.targets import IndicatorParams
from gis.analysis.units.params import UnitParams
from gis.atomic import write_atomic
from gis.config import from_dict, to_dict
from gis.errors import ValidationError
from gis.radio.calibration_params import CalibrationParams
from gis.radio.params import RadioParams
from gis.scale.params import ScaleParams

__all__ = ["LoadParams", "RunParams"]


@dataclass(frozen=True)
class LoadParams:
    """How inputs are read when nothing in the file says otherwise.

    Attributes
    ----------
    province
        Province (former or current) whose VN-2000 TM-3 central meridian applies to files in
        VN-2000 without a .prj. Empty: not known.
    meridian_standard
        ``"tt973"`` (the former province's meridian, used by most survey files) or ``"tt24"``.
    """

    province: str = ""
    meridian_standard: str = "tt973"


@dataclass(frozen=True)
class RunParams:
    """All parameters of a run, one section per module. Defaults are the documented ones."""

    load: LoadParams = field(default_factory=LoadParams)
    targets: IndicatorParams = field(default_factory=IndicatorParams)
    fiber: FiberParams = field(default_factory=FiberParams)
    radio: RadioParams = field(default_factory=RadioParams)
    mobile: HamletRule = field(default_factory=HamletRule)
    sharing: SharingParams = field(default_factory=SharingParams)
    scale: ScaleParams = field(default_factory=ScaleParams)
    calibration: CalibrationParams = field(default_factory=CalibrationParams)
    units: UnitParams = field(default_factory=UnitParams)
    ducts: DuctParams = field(default_factory=DuctParams)
    speed: SpeedParams = field(default_factory=SpeedParams)

    def replace(self, **sections: Any) -> RunParams:
        """A copy with some sections replaced."""
        return dataclasses.replace(self, **sections)

    def to_json(self, path: str | Path) -> None:
        """Write the parameters as readable JSON (atomically)."""
        text = json.dumps(to_dict(self), indent=2, ensure_ascii=False) + "\n"
        write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))

    @classmethod
    def from_json(cls, path: str | Path) -> RunParams:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationError(
                f"Cannot read the parameters file: {exc}.",
                f"Không đọc được tệp tham số: {exc}.",
                file=path,
                fix="Give a JSON file like the params.json of a saved project.",
                fix_vi="Dùng tệp JSON giống params.json của một dự án đã lưu.",
            ) from exc
        return from_dict(cls, data, source=str(path))
