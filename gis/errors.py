"""Errors and warnings of the project.

Every error a user can meet is a :class:`GisError` whose message says, in English and in
Vietnamese, what is wrong, where (file, rows) and how to fix it. Subclasses also inherit a
built-in exception so that callers can catch them the ordinary way (``except ValueError``),
as rasterio and osmnx do.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CRSError",
    "GisError",
    "GisWarning",
    "InfeasibleError",
    "InputFileError",
    "ValidationError",
    "format_rows",
    "invalid_choice",
    "missing_file",
]


def format_rows(rows: Iterable[int], *, limit: int = 10) -> str:
    """Return a short list of 1-based data row numbers, e.g. ``"2, 5, 9 (+3 more)"``.

    ``rows`` are 0-based positions in the file's data (the header is not counted), so row 0 is
    printed as row 1: the way a planner counts rows under the header in Excel.
    """
    rows = sorted({int(r) for r in rows})
    shown = ", ".join(str(r + 1) for r in rows[:limit])
    more = len(rows) - limit
    return shown + (f" (+{more} more)" if more > 0 else "")


class GisError(Exception):
    """Root of the project's errors: a bilingual message naming the file, the rows and the fix.

    Parameters
    ----------
    en
        What is wrong, in English.
    vi
        The same in Vietnamese. Falls back to ``en`` when not given.
    file
        The file the problem is in, when there is one.
    rows
        0-based data row positions concerned; shown 1-based.
    fix
        How to fix it, in English.
    fix_vi
        How to fix it, in Vietnamese.
    """

    def __init__(
        self,
        en: str,
        vi: str | None = None,
        *,
        file: str | Path | None = None,
        rows: Iterable[int] | None = None,
        fix: str | None = None,
        fix_vi: str | None = None,
    ) -> None:
        self.en = en
        self.vi = vi or en
        self.file = str(file) if file is not None else None
        self.rows = sorted({int(r) for r in rows}) if rows is not None else []
        self.fix = fix
        self.fix_vi = fix_vi or fix
        super().__init__(self.message("en") + "\n" + self.message("vi"))

    def __reduce__(self):  # so that an error raised in a Dask worker reaches the CLI whole
        return (_rebuild, (type(self), self.en, self.vi, self.file, self.rows, self.fix,
                           self.fix_vi))

    def message(self, lang: str = "en") -> str:
        """The whole message in one language (``"en"`` or ``"vi"``)."""
        vi = lang == "vi"
        parts = []
        if self.file:
            parts.append(("Tệp " if vi else "File ") + Path(self.file).name + ":")
        if self.rows:
            parts.append(("dòng " if vi else "row(s) ") + format_rows(self.rows) + ":")
        parts.append(self.vi if vi else self.en)
        fix = self.fix_vi if vi else self.fix
        if fix:
            parts.append(("Cách sửa: " if vi else "Fix: ") + fix)
        return " ".join(parts)


class ValidationError(GisError, ValueError):
    """The content of an input is not usable as it is (columns, geometries, values)."""


class CRSError(GisError, ValueError):
    """The coordinate reference system is missing, ambiguous or wrong."""


class InputFileError(GisError, OSError):
    """A file cannot be read at all: missing, unreadable, unknown format, empty, unsafe."""


class InfeasibleError(GisError, RuntimeError):
    """An optimisation or plan has no solution with the given inputs and parameters."""


def missing_file(path: str | Path, kind_en: str = "", kind_vi: str = "", *, fix: str,
                 fix_vi: str) -> InputFileError:
    """The error for an input file that is not there: "The {kind} file {path} does not exist."

    The caller tests (``is_file`` or ``exists``, as its input allows folders) and raises it:
    ``if not path.is_file(): raise missing_file(path, "OSM", "OSM", fix=..., fix_vi=...)``.
    ``kind_en`` / ``kind_vi`` name the kind of file (``"DEM"``, ``"vùng"``); empty for any file.
    """
    en = f"{kind_en} file" if kind_en else "file"
    vi = f"tệp {kind_vi}" if kind_vi else "tệp"
    return InputFileError(f"The {en} {path} does not exist.", f"Không có {vi} {path}.",
                          file=path, fix=fix, fix_vi=fix_vi)


def invalid_choice(name: str, value: object, choices: Iterable[object], *,
                   file: str | Path | None = None) -> ValidationError:
    """The error for a value that is none of the valid ``choices`` (an Enum's values...).

    "{name} = {value!r} is not valid; choose one of: a, b, c." in both languages.
    """
    valid = ", ".join(str(c) for c in choices)
    return ValidationError(f"{name} = {value!r} is not valid; choose one of: {valid}.",
                           f"{name} = {value!r} không hợp lệ; chọn một trong: {valid}.",
                           file=file)


class GisWarning(UserWarning):
    """Something was repaired, assumed or defaulted; the load or run report says what."""


def _rebuild(cls: type, en: str, vi: str, file: str | None, rows: list[int], fix: str | None,
             fix_vi: str | None) -> GisError:
    """A :class:`GisError` from its parts (unpickling)."""
    return cls(en, vi, file=file, rows=rows or None, fix=fix, fix_vi=fix_vi)
