"""``python -m gis info FILE``: a summary, or exit code 2 and the message without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gis.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _csv(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text("Tên thôn,Dân số,Kinh độ,Vĩ độ\nThôn Đông,1.234,106.27,20.14\n"
                    "Thôn Tây,800,106.28,20.15\n", encoding="utf-8")
    return path


def test_info_prints_the_summary(tmp_path, capsys):
    assert main(["info", str(_csv(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "thon.csv (villages): 2 of 2 rows usable" in out
    assert "Tên thôn → name" in out
    assert "WGS 84" in out
    assert "Layer villages: WGS 84 / UTM zone 48N" in out


def test_info_in_vietnamese_with_kind(tmp_path, capsys):
    assert main(["info", str(_csv(tmp_path)), "--kind", "villages", "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert "2/2 dòng dùng được" in out and "Cột:" in out


def test_info_bad_input_exits_2_with_the_message(tmp_path, capsys):
    bad = tmp_path / "bts.csv"
    bad.write_text("ma_tram,lon,lat\nA,106.27,20.14\n", encoding="utf-8")
    assert main(["info", str(bad), "--kind", "sites"]) == 2
    err = capsys.readouterr().err
    assert "Error: File bts.csv:" in err and "operator" in err
    assert "Lỗi: Tệp bts.csv:" in err
    assert "Traceback" not in err


def test_info_subprocess_raster_and_missing_file(tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    tif = tmp_path / "dem.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                       crs="EPSG:32648", transform=from_origin(600_000, 2_230_000, 30, 30),
                       nodata=-9999) as dst:
        dst.write(np.full((10, 10), 5.0, "float32"), 1)
    run = subprocess.run([sys.executable, "-m", "gis", "info", str(tif)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "dem.tif (dem)" in run.stdout
    assert "Raster: 10 x 10 cells 30 m, values 5..5, nodata 0.0%" in run.stdout
    missing = subprocess.run([sys.executable, "-m", "gis", "info", str(tmp_path / "nope.shp")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_info_on_a_project_folder(sample_dir, capsys):
    assert main(["info", str(sample_dir)]) == 0
    out = capsys.readouterr().out
    assert "WGS 84 / UTM zone 48N" in out
    assert "  villages: " in out and "  dem: dem.tif" in out
