"""Run parameters: one frozen dataclass per module, gathered in :class:`RunParams`.

Each analysis module defines its own parameter dataclass, with documented and justified defaults;
:class:`RunParams` holds one of each as a section. Parameters are read from and written to a
readable JSON file (``params.json`` in a project folder, ``--params FILE`` on the CLI); a partial
file overrides only the values it names. Unknown keys are errors that list the valid keys.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis.analysis.ftth import FiberParams
from gis.analysis.mobile import HamletRule
from gis.analysis.positions import SharingParams
from gis.analysis.targets import IndicatorParams
from gis.errors import ValidationError
from gis.radio.params import RadioParams

__all__ = ["LoadParams", "RunParams", "from_dict", "to_dict"]


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

    def replace(self, **sections: Any) -> RunParams:
        """A copy with some sections replaced."""
        return dataclasses.replace(self, **sections)

    def to_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(to_dict(self), indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")

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


def to_dict(obj: Any) -> Any:
    """A JSON-serialisable form of a (nested) parameter dataclass."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


def _convert(tp: Any, value: Any, where: str, source: str | None) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, source=source, where=where)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            valid = ", ".join(str(m.value) for m in tp)
            raise ValidationError(
                f"{where}: {value!r} is not valid; choose one of: {valid}.",
                f"{where}: {value!r} không hợp lệ; chọn một trong: {valid}.",
                file=source,
            ) from None
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, where, source) for v in value)
        return tuple(value)
    if origin is dict:
        return dict(value)
    if origin in (typing.Union, types.UnionType):
        return value
    if tp is float and isinstance(value, int | float):
        return float(value)
    return value


def from_dict(cls: type, data: dict[str, Any], *, source: str | None = None,
              where: str = "") -> Any:
    """Build parameter dataclass ``cls`` from ``data``; missing keys keep their defaults."""
    if not isinstance(data, dict):
        raise ValidationError(
            f"{where or cls.__name__}: expected a JSON object, got {type(data).__name__}.",
            f"{where or cls.__name__}: cần một đối tượng JSON, nhận được {type(data).__name__}.",
            file=source,
        )
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - fields)
    if unknown:
        valid = ", ".join(sorted(fields))
        raise ValidationError(
            f"Unknown parameter(s) {', '.join(unknown)} in {where or cls.__name__}; "
            f"valid: {valid}.",
            f"Tham số không có: {', '.join(unknown)} trong {where or cls.__name__}; "
            f"hợp lệ: {valid}.",
            file=source,
        )
    kwargs = {
        k: _convert(hints[k], v, f"{where}.{k}" if where else k, source) for k, v in data.items()
    }
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(
            f"{where or cls.__name__}: {exc}", f"{where or cls.__name__}: {exc}", file=source
        ) from exc
