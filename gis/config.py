"""Parameter dataclasses <-> JSON, and the documentation of their fields.

Every parameter section is a frozen dataclass (one per package: :mod:`gis.analysis.params`,
:mod:`gis.radio.params`, :mod:`gis.scale.params`, ...). This module turns them into JSON-ready
dicts (:func:`to_dict`) and back (:func:`from_dict`, which keeps the defaults of missing keys and
rejects unknown keys with the list of valid ones), deep-merges partial dicts (:func:`merged`) and
reads the description of each field from the class docstring (:func:`attribute_docs`), for the
app's parameter page. It imports nothing of the project but :mod:`gis.errors`.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from typing import Any

from gis.errors import ValidationError, invalid_choice

__all__ = ["attribute_docs", "from_dict", "merged", "to_dict"]


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
            raise invalid_choice(where, value, (m.value for m in tp), file=source) from None
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


def attribute_docs(cls: type) -> dict[str, str]:
    """Field name -> its description from a numpydoc ``Attributes`` section of ``cls``.

    Names listed together (``a, b``) share the description.
    """
    doc = typing.cast(str, cls.__doc__ or "")
    m = re.search(r"Attributes\n\s*-+\n(.*?)(?:\n\s*\n\s*[A-Z][a-z]+\n\s*-+\n|\Z)", doc, re.S)
    if not m:
        return {}
    out: dict[str, str] = {}
    names: list[str] = []
    lines: list[str] = []
    for line in m.group(1).splitlines():
        if line.strip() and not line.startswith(" " * 8) and re.match(r"^\s{0,4}\S", line):
            for n in names:
                out[n] = " ".join(lines).strip()
            names = [n.strip() for n in line.split(":")[0].split(",")]
            lines = []
        else:
            lines.append(line.strip())
    for n in names:
        out[n] = " ".join(lines).strip()
    return out


def merged(base: Any, data: dict[str, Any], *, where: str = "") -> Any:
    """``base`` (a parameter dataclass) with the values of ``data`` (a JSON-like dict)
    deep-merged in: nested sections keep the values ``data`` does not name."""

    def deep(a: dict, b: dict) -> dict:
        out = dict(a)
        for k, v in b.items():
            out[k] = deep(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
        return out

    return from_dict(type(base), deep(to_dict(base), data), where=where)
