"""report.xlsx leaves a table above ``XLSX_MAX_CELLS`` cells out, and says where it is."""

from __future__ import annotations

import openpyxl
import pytest

from gis.report import workbook
from gis.report.results import RunResults


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_table_too_large_for_the_workbook_is_named_with_its_files(sample_run_dir, tmp_path,
                                                                    monkeypatch, lang):
    results = RunResults.from_folder(sample_run_dir)
    n_rows, n_cols = results.hamlets.shape          # 402 hamlets of the sample
    uncovered = results.uncovered(lang)
    assert uncovered.size < n_rows * n_cols
    full = workbook.write_workbook(results, tmp_path / "full.xlsx", lang=lang)
    # the limit between the two tables' sizes: the per-hamlet table goes, the rest stays
    monkeypatch.setattr(workbook, "XLSX_MAX_CELLS", n_rows * n_cols - 1)
    cut = workbook.write_workbook(results, tmp_path / "cut.xlsx", lang=lang)
    a, b = openpyxl.load_workbook(full), openpyxl.load_workbook(cut)
    assert a.sheetnames == b.sheetnames
    hamlets = a.sheetnames[2]                        # run info, indicators, hamlets, ...
    assert a[hamlets].max_row == n_rows + 1
    note = [[c.value for c in row] for row in b[hamlets].iter_rows()]
    grouped = f"{n_rows:,}" if lang == "en" else f"{n_rows:,}".replace(",", ".")
    head = "Note" if lang == "en" else "Ghi chú"
    assert note[0] == [head] and len(note) == 2
    assert f"{grouped} " in note[1][0] and f"{n_cols} " in note[1][0]
    assert "hamlets.csv, results.gpkg" in note[1][0]
    assert ("too large" in note[1][0]) == (lang == "en")
    # every other sheet is the same, cell for cell
    for name in a.sheetnames:
        if name != hamlets:
            assert ([[c.value for c in r] for r in a[name].iter_rows()]
                    == [[c.value for c in r] for r in b[name].iter_rows()]), name
