"""The per-commune statistics table as a project input (``commune_stats``): read, saved with the
project, digested by the cache, read by the indicators stage, written as numbers (not shares)
and "not given" (never 0), on the tiny real-file project of test_empty_layers.

Hand computation: the statistics are given per former commune; a scope's value is the mean of
its hamlets' values weighted by population, over the hamlets whose commune gives it.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from test_empty_layers import VILLAGES, write_files

import gis
from gis.cli import main
from gis.pipeline.cache import digest_project
from gis.pipeline.stages import STAGES
from gis.project import Project

#: Gia Lâm and Gia Sơn give the figures, Xích Thổ gives none ("-"), one row names no commune.
STATS = pd.DataFrame({
    "ma_xa": ["14389", "14392", "14386", ""],
    "ten_xa": ["Xã Gia Lâm", "Xã Gia Sơn", "Xã Xích Thổ", "Xã Không Có"],
    "huyen": ["Nho Quan"] * 4,
    "thue_bao_di_dong_100_dan": ["80", "100", "-", "70"],
    "toc_do_di_dong_mbps": ["35", "45", "", "50"],
})

POP = dict(zip(VILLAGES["xa"], VILLAGES.groupby("xa")["dan_so"].transform("sum"), strict=True))
#: (80 x 1130 + 100 x 780) / 1910 people; (35 x 1130 + 45 x 780) / 1910 Mbit/s
SUBS_AREA = (80 * 1130 + 100 * 780) / 1910
ISPEED_AREA = (35 * 1130 + 45 * 780) / 1910


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stats")
    paths = write_files(folder)
    paths["commune_stats"] = folder / "thong_ke_xa.csv"
    STATS.to_csv(paths["commune_stats"], index=False, encoding="utf-8-sig")
    return paths


def _indicators_only():
    return [s for s in STAGES if s.name in ("hamlets", "indicators")]


def test_statistics_become_indicators_by_hand(files, tmp_path):
    assert POP["Xã Gia Lâm"] == 1130 and POP["Xã Gia Sơn"] == 780
    project = gis.load_project(None, files)
    assert list(project.layers["commune_stats"].columns)[:2] == ["commune_code", "commune"]
    ctx = gis.run(project, out_dir=tmp_path, stages=_indicators_only())
    ind = ctx.tables["indicators"]
    subs = ind[ind["indicator_id"] == "subs_mobile_per100"].set_index("scope_level")
    assert subs.loc["area", "value"] == pytest.approx(SUBS_AREA)
    assert subs.loc["area", "gap_unit"] == "per 100 people"
    # the three former communes are one 2025 commune (Xã Gia Lâm, 14389): the same mean
    assert subs.loc["commune", "unit_code"] == "14389"
    assert subs.loc["commune", "value"] == pytest.approx(SUBS_AREA)
    assert "not given for 1 of" in subs.loc["commune", "note"]
    speed = ind[(ind["indicator_id"] == "ispeed_mobile_mbps")
                & (ind["scope_level"] == "area")].iloc[0]
    assert speed["value"] == pytest.approx(ISPEED_AREA)
    assert speed["target"] == 40.0 and speed["gap"] == pytest.approx(40.0 - ISPEED_AREA)
    assert not speed["met"]
    # the unmatched row is listed and warned, never silently dropped
    matched = ctx.tables["commune_statistics"]
    assert (matched["match_note"] != "").tolist() == [False, False, False, True]
    assert any("1 of 4 rows match no commune" in w for w in ctx.warnings)


def test_not_given_is_never_zero(files, tmp_path):
    stats = STATS.assign(thue_bao_di_dong_100_dan=["-", "", "-", "-"])
    path = tmp_path / "none.csv"
    stats.to_csv(path, index=False, encoding="utf-8-sig")
    project = gis.load_project(None, {**files, "commune_stats": path})
    ctx = gis.run(project, out_dir=tmp_path / "run", stages=_indicators_only())
    ind = ctx.tables["indicators"]
    subs = ind[ind["indicator_id"] == "subs_mobile_per100"]
    assert subs["value"].isna().all() and (subs["note"] == "not given").all()
    gis.write_run(ctx, tmp_path / "run", lang="vi")
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "không có số liệu" in html


def test_saved_with_the_project_and_in_the_cache_key(files, tmp_path):
    project = gis.load_project(None, files)
    folder = project.save(tmp_path / "proj")
    assert (folder / "commune_stats.csv").is_file()
    back = Project.load(folder)
    pd.testing.assert_frame_equal(back.layers["commune_stats"].reset_index(drop=True),
                                  project.layers["commune_stats"].reset_index(drop=True),
                                  check_dtype=False)
    before = digest_project(back).layers["commune_stats"]
    back.layers["commune_stats"] = back.layers["commune_stats"].assign(subs_mobile_per100=1.0)
    assert digest_project(back).layers["commune_stats"] != before
    indicators = next(s for s in STAGES if s.name == "indicators")
    assert "commune_stats" in indicators.layers


def test_cli_run_with_commune_stats(files, tmp_path):
    out = tmp_path / "out"
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"radio": {"grid_resolution_m": 150.0}}), encoding="utf-8")
    args = ["run", "--villages", str(files["villages"]), "--commune-stats",
            str(files["commune_stats"]), "--params", str(params), "--out", str(out),
            "--no-progress", "--lang", "vi"]
    assert main(args) == 0
    ind = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig", dtype={"unit_code": str})
    row = ind[(ind["indicator_id"] == "subs_mobile_per100") & (ind["scope_level"] == "area")]
    assert row["value"].iloc[0] == pytest.approx(SUBS_AREA)
    assert (out / "commune_statistics.csv").is_file()
    # report.xlsx: the statistics' values are numbers, the hamlet shares percentages
    ws = openpyxl.load_workbook(out / "report.xlsx").worksheets[1]   # the indicators sheet
    rows = list(ws.iter_rows(values_only=False))
    head = [c.value for c in rows[0]]
    # the codes are worded in an export people open (gis.locale): rows by their unit
    col_unit, col_value = head.index("Đơn vị"), head.index("Giá trị")
    formats = {}
    for r in rows[1:]:
        if r[col_value].value is not None:
            formats.setdefault(r[col_unit].value, set()).add(r[col_value].number_format)
    assert "0.0%" not in formats["/ 100 dân"] and formats["thôn"] == {"0.0%"}
