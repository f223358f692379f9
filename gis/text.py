"""User values as text: the one way to format, join and label columns that may hold gaps.

User columns (names, communes, operators, ids) can hold ``None``, ``NaN`` or ``pd.NA`` in any
row. Under pandas 3 ``Series.astype(str)`` keeps those gaps as ``NaN`` (the ``str`` dtype has a
missing value), so ``", ".join(series.astype(str))``, ``"x" + series.astype(str)`` or
``sorted(set(series.astype(str)))`` raise ``TypeError`` or spread ``NaN`` into labels, and
numpy's ``astype(str)`` writes ``"None"`` / ``"nan"`` instead. Code that turns user values into
text uses these helpers instead: a gap is a gap (or the ``missing`` text the caller chooses),
never the word ``nan``, and a whole number read as a float (``12.0`` from Excel) is ``"12"``.

>>> as_text(["Thôn A", None, float("nan"), 12.0, " B "]).tolist()
['Thôn A', '', '', '12', 'B']
>>> join_text(["Trường A", None, "Trạm y tế B"])
'Trường A, Trạm y tế B'
>>> label_or(["Trường A", None], ["F1", "F2"]).tolist()
['Trường A', 'F2']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "article",
    "as_text",
    "is_missing",
    "join_text",
    "label_or",
    "sorted_text",
    "text_or_none",
]


def is_missing(value: object) -> bool:
    """True for ``None``, ``NaN``, ``NaT``, ``pd.NA`` and blank text."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays, lists: not a scalar gap
        return False


def text_or_none(value: object) -> str | None:
    """One value as stripped text, ``None`` for a gap; ``12.0`` -> ``"12"``."""
    if is_missing(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _values(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object)
    if isinstance(values, np.ndarray):
        return values.astype(object, copy=False).reshape(-1)
    return np.asarray(list(values) if not isinstance(values, list) else values,
                      dtype=object).reshape(-1)


def _texts(values: Any) -> np.ndarray:
    """``text_or_none`` of each value (object array), computed once per distinct value."""
    arr = _values(values)
    if not len(arr):
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [text_or_none(u) for u in uniques]
    mapped[-1] = None
    return mapped[codes]


def as_text(values: Any, *, missing: str = "") -> np.ndarray:
    """Values as text (object array of ``str``), gaps as ``missing``.

    Parameters
    ----------
    values
        A Series, array or iterable of any values.
    missing
        The text of a gap (default empty).
    """
    out = _texts(values)
    out[pd.isna(out)] = missing
    return out


def label_or(values: Any, fallback: Any) -> np.ndarray:
    """Each value as text, or the matching ``fallback`` (also made text) where it is a gap.

    ``fallback`` is a scalar or a sequence as long as ``values`` (e.g. the ids of unnamed
    facilities).
    """
    out = _texts(values)
    gaps = pd.isna(out)
    if gaps.any():
        if isinstance(fallback, str) or np.ndim(fallback) == 0:
            out[gaps] = str(fallback)
        else:
            out[gaps] = as_text(fallback)[gaps]
    return out


def join_text(values: Iterable[object], sep: str = ", ", *, limit: int | None = None,
              more: str = " ...") -> str:
    """The non-missing values joined by ``sep``; with ``limit``, the first ``limit`` values and
    ``more`` when there were others."""
    texts = [t for t in _texts(list(values)) if t is not None]
    if limit is not None and len(texts) > limit:
        return sep.join(texts[:limit]) + more
    return sep.join(texts)


def sorted_text(values: Any) -> list[str]:
    """The distinct non-missing values as sorted text (``sorted(set(...))`` without gaps)."""
    return sorted({t for t in _texts(values) if t is not None})


#: Acronym letters read with a vowel sound ("an OSM file", "an LTE cell", "an MNC").
_VOWEL_LETTERS = set("AEFHILMNORSX")
#: Words that start with a vowel letter but not a vowel sound ("a unit", "a one-off").
_CONSONANT_SOUND = ("uni", "use", "usa", "one", "eu", "ur")


def article(word: object) -> str:
    """``"a"`` or ``"an"`` for an English word or acronym (by its first sound).

    >>> [f"{article(w)} {w}" for w in ("admin", "fiber_nodes", "OSM", "unit", "hour", "DEM")]
    ['an admin', 'a fiber_nodes', 'an OSM', 'a unit', 'an hour', 'a DEM']
    """
    text = str(word).strip()
    if not text:
        return "a"
    first = text.split()[0].strip("\"'`(")
    if len(first) > 1 and first.isupper():
        return "an" if first[0] in _VOWEL_LETTERS else "a"
    low = first.lower()
    if low.startswith(("hour", "honest", "honour", "heir")):
        return "an"
    if low.startswith(_CONSONANT_SOUND):
        return "a"
    return "an" if low[:1] in "aeiou" else "a"
