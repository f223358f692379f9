"""The writers neutralise formula text (CSV injection) in every CSV and XLSX, the report included."""

from __future__ import annotations

import openpyxl
import pandas as pd

from gis.export.writers import write_csv, write_xlsx


def test_formula_text_is_neutralised_in_csv_and_xlsx(tmp_path):
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)",
                                   "\t=1+1", "Thôn Đông"],
                          "population": [-5, 1, 2, 3, 4, 5]})
    back = pd.read_csv(write_csv(frame, tmp_path / "t.csv"), encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)",
                                     "'\t=1+1", "Thôn Đông"]
    assert back["population"].tolist() == [-5, 1, 2, 3, 4, 5]  # numbers stay numbers
    book = openpyxl.load_workbook(write_xlsx({"t": frame}, tmp_path / "t.xlsx"))
    rows = list(book["t"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]][:2] == ["'=HYPERLINK(\"http://x\")", "'+1"]
    assert rows[1][1] == -5 and all(c.data_type != "f" for r in book["t"].iter_rows() for c in r)
