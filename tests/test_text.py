"""gis.text: user values as text, gaps as gaps (pandas 3 keeps NaN through astype(str))."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gis.text import as_text, is_missing, join_text, label_or, sorted_text, text_or_none


def test_pandas_3_keeps_gaps_through_astype_str():
    """The behaviour these helpers exist for (if pandas changes it, they stay correct)."""
    s = pd.Series(["Trường A", None], dtype=object)
    assert pd.isna(s.astype(str).iloc[1])


def test_as_text_and_gaps():
    values = pd.Series(["Thôn A", None, np.nan, pd.NA, 12.0, 12.5, " B ", "", 3], dtype=object)
    assert as_text(values).tolist() == ["Thôn A", "", "", "", "12", "12.5", "B", "", "3"]
    assert as_text(values, missing="-").tolist()[1:4] == ["-", "-", "-"]
    assert as_text([]).tolist() == []
    assert text_or_none(np.float64(4.0)) == "4"
    assert text_or_none("  ") is None
    assert is_missing(pd.NaT) and not is_missing(0) and not is_missing([1])


def test_join_label_sorted():
    assert join_text(["A", None, np.nan, "B", "C"], limit=2) == "A, B ..."
    assert join_text([None, np.nan]) == ""
    assert join_text(["x", 2.0], sep="/") == "x/2"
    assert label_or(pd.Series([None, "Có tên", np.nan]), pd.Series(["V1", "V2", None])
                    ).tolist() == ["V1", "Có tên", ""]
    assert label_or([None], "?").tolist() == ["?"]
    assert sorted_text(pd.Series(["Viettel", None, "MobiFone", "Viettel", np.nan])) == [
        "MobiFone", "Viettel"]
