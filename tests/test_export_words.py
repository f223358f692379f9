"""What people open reads as people write: the Vietnamese exports of the sample, read back.

Issue 15 item 5: in the CSV, XLSX and KML a planner opens there is no ``True``/``False``, no
status or plan code (``weak_spot``, ``needs_access_points``), no ``668.0`` count and no
snake_case header, in Vietnamese and in English; Vietnamese numbers carry the decimal comma.
The GIS formats (GeoJSON, GeoPackage, Shapefile) keep the canonical names and values on
purpose (scripts and QGIS read them back), so they are not checked here.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gis.export.writers import export_table
from gis.labels import FIBER_PLAN_LABELS, STATUS_LABELS
from gis.locale import format_bool, format_number, format_percent, readable
from gis.report.outputs import write_outputs
from gis.report.results import RunResults

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
WHOLE_WITH_ZERO = re.compile(r"^-?\d+\.0$")
CODES = set(STATUS_LABELS) | set(FIBER_PLAN_LABELS) - {"planned"}
KML = "{http://www.opengis.net/kml/2.2}"


def _bad_cells(values: list[object]) -> list[object]:
    """Cells a person should not read: booleans, True/False text, codes, 668.0."""
    bad = []
    for v in values:
        if isinstance(v, bool | np.bool_):
            bad.append(v)
        elif isinstance(v, str):
            t = v.strip()
            codes = "_" in t and any(part.strip() in CODES for part in t.split(";"))
            if t in ("True", "False") or t in CODES or WHOLE_WITH_ZERO.match(t) or codes:
                bad.append(v)
    return bad


@pytest.fixture(scope="module")
def vi_exports(sample_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every hand-on file of the sample's run, written again in Vietnamese (no recomputing)."""
    out = tmp_path_factory.mktemp("vi_exports")
    write_outputs(RunResults.from_folder(sample_run_dir), out, lang="vi")
    return out


def test_vietnamese_csv_reads_as_vietnamese_write(vi_exports: Path) -> None:
    back = pd.read_csv(vi_exports / "uncovered_hamlets.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    assert len(back) > 10
    assert not [c for c in back.columns if SNAKE.match(c)], list(back.columns)
    bad = {c: _bad_cells(back[c].tolist())[:3] for c in back.columns}
    assert not {c: v for c, v in bad.items() if v}
    # counts are whole numbers, shares percentages with a decimal comma, flags words
    assert back["Dân số"].str.fullmatch(r"\d+").all()
    assert back["Tỷ lệ dân số phủ 4G"].str.fullmatch(r"\d{1,3}(,\d)? %").all()
    assert set(back["Có 4G"]) <= {"Có", "Không"}
    assert set(back["Trạng thái"]) <= {pair[0] for pair in STATUS_LABELS.values()}
    lon = back["Kinh độ"].str.replace(",", ".", regex=False).astype(float)
    assert lon.between(102, 118).all() and back["Kinh độ"].str.contains(",").all()


def test_vietnamese_workbooks_hold_words_and_numbers(vi_exports: Path) -> None:
    for name in ("uncovered_hamlets.xlsx", "report.xlsx"):
        book = openpyxl.load_workbook(vi_exports / name)
        for ws in book.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            header, cells = rows[0], [v for r in rows[1:] for v in r]
            assert not [h for h in header if isinstance(h, str) and SNAKE.match(h)], \
                (name, ws.title, header)
            assert not _bad_cells(cells)[:3], (name, ws.title, _bad_cells(cells)[:3])
            # counts are integers, not 668.0
            assert not [v for v in cells if isinstance(v, float) and v.is_integer()
                        and abs(v) > 1 and ws.title not in ("Chỉ tiêu",)][:1], (name, ws.title)
    ws = openpyxl.load_workbook(vi_exports / "uncovered_hamlets.xlsx").active
    header = [c.value for c in ws[1]]
    pop = header.index("Dân số") + 1
    assert all(isinstance(ws.cell(row=r, column=pop).value, int) for r in range(2, ws.max_row))
    assert ws.cell(row=2, column=pop).number_format == "#,##0"     # 8.378 in Vietnamese Excel


def test_vietnamese_kml_balloons_hold_words(vi_exports: Path) -> None:
    root = ET.parse(vi_exports / "uncovered_hamlets.kml").getroot()
    values = [e.text or "" for e in root.iter(f"{KML}SimpleData")]
    assert values and not _bad_cells(values)[:3]
    names = [e.text for e in root.iter(f"{KML}displayName")]
    assert "Dân số" in names and not [n for n in names if SNAKE.match(n or "")]
    # the balloon writes numbers as Vietnamese do: 1.234 and 58,2 %
    shares = [e.text for e in root.iter(f"{KML}SimpleData") if e.get("name") == "pop_share_4g"]
    assert shares and all(re.fullmatch(r"\d{1,3}(,\d)? %", s) for s in shares)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "kmz"])
def test_every_result_table_exported_for_people_has_words(sample_run_dir: Path, tmp_path: Path,
                                                          lang: str, fmt: str) -> None:
    """Each table of the run, exported for people, in both languages: headers are words."""
    results = RunResults.from_folder(sample_run_dir)
    for name, table in {"hamlets": results.hamlets, **results.tables}.items():
        if fmt == "kmz" and not {"lon", "lat"} <= set(table.columns) \
                and "geometry" not in table:
            continue
        path = export_table(table, tmp_path / f"{name}_{lang}.{fmt}", fmt, lang=lang,
                            layer=name)
        if fmt == "csv":
            back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            header, cells = list(back.columns), back.to_numpy().ravel().tolist()
        elif fmt == "xlsx":
            rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
            header, cells = list(rows[0]), [v for r in rows[1:] for v in r]
        else:
            root = ET.fromstring(zipfile.ZipFile(path).read("doc.kml"))
            header = [e.text for e in root.iter(f"{KML}displayName")]
            cells = [e.text or "" for e in root.iter(f"{KML}SimpleData")]
        assert not [h for h in header if isinstance(h, str) and SNAKE.match(h)], (name, header)
        assert not _bad_cells(cells)[:3], (name, _bad_cells(cells)[:3])


def test_number_words_by_hand() -> None:
    assert format_number(8378, "vi") == "8.378" and format_number(8378, "en") == "8,378"
    assert format_number(1234567.25, "vi", 2) == "1.234.567,25"
    assert format_number(1234.5, "vi", 1, grouping=False) == "1234,5"
    assert format_percent(0.818, "vi") == "81,8 %" and format_percent(0.818, "en") == "81.8 %"
    assert format_percent(float("nan"), "vi") == "—" and format_number(None, "en") == "—"
    assert format_number(-0.04, "vi", 1) == "0,0"
    assert (format_bool(True, "vi"), format_bool(False, "vi")) == ("Có", "Không")
    assert format_bool(False, "en", met=True) == "Not met"


def test_readable_turns_codes_counts_and_flags_into_words() -> None:
    frame = pd.DataFrame({
        "name": ["Thôn A", "Thôn B"], "population": [668.0, np.nan],
        "mobile_4g": [True, False], "status": ["weak_spot", "no_signal"],
        "status_label": ["Lõm sóng", "Trắng sóng"], "pop_share_4g": [0.5816, 1.0],
        "fiber_plan_status": ["needs_access_points", "has_ftth"],
        "operator": ["vinaphone", "MOBIFONE / viettel"], "ftth_distance_m": [26.54, 1200.0],
    })
    vi = readable(frame, "vi")
    assert vi["population"].tolist()[0] == 668 and str(vi["population"].dtype) == "Int64"
    assert vi["mobile_4g"].tolist() == ["Có", "Không"]
    assert vi["status"].tolist() == ["Lõm sóng", "Trắng sóng"] and "status_label" not in vi
    assert vi["fiber_plan_status"].tolist()[1] == "Đã có cáp quang"
    assert vi["operator"].tolist() == ["VinaPhone", "MobiFone / Viettel"]
    text = readable(frame, "vi", text=True)
    assert text["population"].tolist() == ["668", ""]
    assert text["pop_share_4g"].tolist() == ["58,2 %", "100,0 %"]
    assert text["ftth_distance_m"].tolist() == ["26,5", "1.200"]
    en = readable(frame, "en", text=True)
    assert en["status"].tolist() == ["Weak spot", "No signal"] and en["mobile_4g"][0] == "Yes"
    # the facilities' two languages: one column in the language asked
    fac = pd.DataFrame({"kind": ["school"], "kind_vi": ["Trường học"],
                        "reason": ["covered by 4G"], "reason_vi": ["có sóng 4G"]})
    assert readable(fac, "vi").to_dict("records") == [{"kind": "Trường học",
                                                       "reason": "có sóng 4G"}]
    assert readable(fac, "en").to_dict("records") == [{"kind": "School",
                                                       "reason": "covered by 4G"}]


def test_statistics_indicators_are_not_shown_as_percentages(tmp_path: Path) -> None:
    """wire16's statistics indicators hold values per 100 people or Mbit/s, not shares."""
    ind = pd.DataFrame({"indicator_id": ["hamlets_4g", "subs_mobile_per100", "ispeed_mobile_mbps"],
                        "name_vi": ["Thôn có 4G", "Thuê bao / 100 dân", "Tốc độ"],
                        "name_en": ["Hamlets with 4G", "Subscriptions", "Speed"],
                        "value": [0.818, 92.5, 41.3], "target": [1.0, 100.0, 70.0],
                        "gap_unit": ["hamlets", "per 100 people", "Mbit/s"]})
    text = readable(ind, "vi", text=True)
    assert text["value"].tolist() == ["81,8 %", "92,5", "41,3"]
    assert text["gap_unit"].tolist() == ["thôn", "/ 100 dân", "Mbit/s"] or \
        text["gap_unit"].tolist()[0] == "thôn"
    from gis.export.writers import write_xlsx

    ws = openpyxl.load_workbook(write_xlsx(ind, tmp_path / "s.xlsx", lang="vi"))["data"]
    header = [c.value for c in ws[1]]
    col = header.index("Giá trị") + 1
    assert [ws.cell(row=r, column=col).number_format for r in (2, 3)] == ["0.0%", "#,##0.0"]


def test_codes_joined_in_one_cell_are_worded_one_by_one() -> None:
    from gis.locale import value_word

    assert value_word("status", "no_signal;weak_spot", "vi") == "Trắng sóng; Lõm sóng"
    assert value_word("status", "no_signal;not_a_code", "en") == "no_signal;not_a_code"


def test_indicator_notes_are_worded_in_vietnamese() -> None:
    """A Vietnamese export says why an indicator has no value in Vietnamese, phrase by phrase;
    the English export and GIS formats keep the canonical note."""
    from gis.labels import indicator_note

    ind = pd.DataFrame({"indicator_id": ["hamlets_4g", "hamlets_ftth", "subs_mobile_per100"],
                        "name_vi": ["Thôn có 4G", "Thôn có FTTH", "Thuê bao / 100 dân"],
                        "name_en": ["Hamlets with 4G", "Hamlets with FTTH", "Subscriptions"],
                        "value": [float("nan"), 0.5, 92.5],
                        "gap_unit": ["hamlets", "hamlets", "per 100 people"],
                        "note": ["not available: needs mobile_4g (radio coverage)",
                                 "3 of 40 hamlets without a value, left out; "
                                 "nothing to measure in this scope",
                                 "weighted by population; not given for 2 of 9 communes, "
                                 "left out"]})
    vi = readable(ind, "vi", text=True)["note"].tolist()
    assert vi == ["không tính được: cần mobile_4g (vùng phủ vô tuyến)",
                  "3 trên 40 thôn không có giá trị, bỏ qua; "
                  "không có gì để tính trong phạm vi này",
                  "gia quyền theo dân số; 2 trên 9 xã không có số liệu, bỏ qua"]
    assert readable(ind, "en", text=True)["note"].tolist() == ind["note"].tolist()
    assert indicator_note("a phrase nobody wrote", "vi") == "a phrase nobody wrote"
