"""Formula neutralisation for the CSV and XLSX files the tool writes (CSV injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and tab
and carriage return can hide such a start; a hamlet named ``=HYPERLINK("http://...")`` in a
user's file would then run on the planner's computer when the exported list is opened. OWASP's
CSV Injection guidance is to prefix such a cell with a single quote, which makes the spreadsheet
show it as text; this module does that for TEXT cells only, so numbers stay numbers (``-5`` as a
number is not touched, ``"-5"`` as text is).

The readers never evaluate or unquote anything (``"\\t=1+1"`` and ``"'=1+1"`` are read back as
the same text); the writers call :func:`neutralise_frame` (or :func:`neutralise`) on every table
they write to CSV or XLSX, headers included.

>>> neutralise("=1+1"), neutralise("\\t=1+1"), neutralise("-5"), neutralise(-5), neutralise("Thôn")
("'=1+1", "'\\t=1+1", "'-5", -5, 'Thôn')
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "is_formula_like", "neutralise", "neutralise_frame"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection:
#: equals, plus, minus, at, tab, carriage return), and their full-width forms, which some
#: spreadsheet applications fold to the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

T = TypeVar("T")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could run: it starts, after any spaces, with one of
    :data:`FORMULA_STARTS`."""
    return isinstance(value, str) and value.lstrip(" \u00a0").startswith(FORMULA_STARTS)


def neutralise(value: T) -> T | str:
    """``value`` with a leading ``'`` when it is text a spreadsheet could run as a formula.

    Non-text values (numbers, booleans, dates, ``None``) are returned unchanged.
    """
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column headers are neutralised.

    Only text columns (object or string dtype) are looked at, one distinct value at a time;
    numeric, boolean and datetime columns are left as they are, so that a negative number stays
    a number in Excel. A geometry column is left alone.
    """
    out = df.copy()
    geom = getattr(df, "_geometry_column_name", None)
    for col in out.columns:
        if col == geom:
            continue
        s = out[col]
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        values = s.to_numpy(dtype=object)
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        if not any(is_formula_like(u) for u in uniques):
            continue
        mapped = np.array([neutralise(u) for u in uniques] + [None], dtype=object)
        fixed = mapped[codes]
        na = codes < 0
        fixed[na] = values[na]
        out[col] = pd.Series(fixed, index=out.index, dtype=object)
    out.columns = [neutralise(c) for c in out.columns]
    return out
