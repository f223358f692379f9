"""Uploaded archives: zip-slip, absolute paths, symlinks and zip bombs are refused."""

from __future__ import annotations

import stat
import zipfile

import pytest

from gis.errors import InputFileError
from gis.layers.archive import ArchiveLimits, safe_extract
from gis.layers.read import Upload, read_layer


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if isinstance(name, zipfile.ZipInfo):
                zf.writestr(name, data)
            else:
                zf.writestr(name, data)
    return path


def _outside_files(root):
    return sorted(p.name for p in root.iterdir())


def test_zip_slip_is_refused(tmp_path):
    zpath = _zip(tmp_path / "evil.zip", [("ok.csv", "a,b\n"), ("../evil.txt", "pwned")])
    work = tmp_path / "box" / "work"
    with pytest.raises(InputFileError, match=r"'\.\.'") as exc:
        safe_extract(zpath, work)
    assert "evil.zip" in str(exc.value)
    assert not (tmp_path / "box" / "evil.txt").exists()
    assert not (tmp_path / "evil.txt").exists()
    assert not any(work.rglob("*"))  # nothing extracted


def test_absolute_path_is_refused(tmp_path):
    info = zipfile.ZipInfo("/tmp/abs_evil.txt")
    zpath = _zip(tmp_path / "abs.zip", [(info, "pwned")])
    with pytest.raises(InputFileError, match="absolute path"):
        safe_extract(zpath, tmp_path / "work")
    windows = _zip(tmp_path / "win.zip", [("C:\\Windows\\evil.txt", "pwned")])
    with pytest.raises(InputFileError, match="absolute path"):
        safe_extract(windows, tmp_path / "work2")


def test_symlink_is_refused(tmp_path):
    info = zipfile.ZipInfo("link.shp")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zpath = _zip(tmp_path / "link.zip", [(info, "/etc/passwd")])
    with pytest.raises(InputFileError, match="symbolic link"):
        safe_extract(zpath, tmp_path / "work")


def test_zip_bomb_is_refused(tmp_path):
    # 50 MB of zeros compresses about 1000x
    zpath = _zip(tmp_path / "bomb.zip", [("thon.csv", b"\0" * 50_000_000)])
    assert zpath.stat().st_size < 200_000
    work = tmp_path / "work"
    with pytest.raises(InputFileError, match="zip bomb"):
        safe_extract(zpath, work)
    assert not any(work.rglob("*"))


def test_member_and_size_limits(tmp_path):
    zpath = _zip(tmp_path / "many.zip", [(f"f{i}.txt", "x") for i in range(20)])
    with pytest.raises(InputFileError, match="20 members"):
        safe_extract(zpath, tmp_path / "w1", limits=ArchiveLimits(max_members=10))
    with pytest.raises(InputFileError, match="uncompressed"):
        safe_extract(zpath, tmp_path / "w2", limits=ArchiveLimits(max_total_bytes=10))


def test_upload_of_an_evil_zip_writes_nothing_outside_workdir(tmp_path):
    zpath = _zip(tmp_path / "x.zip", [("../../escape.csv", "lon,lat\n106,20\n")])
    before = _outside_files(tmp_path)
    work = tmp_path / "session"
    with pytest.raises(InputFileError):
        read_layer(Upload("../x.zip", zpath.read_bytes()), "villages", workdir=work)
    assert _outside_files(tmp_path) == sorted([*before, "session"])
    # the uploaded copy and the extraction folder are removed once the read is over
    assert list(work.iterdir()) == []


def test_not_a_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(InputFileError, match="damaged or not a zip"):
        safe_extract(bad, tmp_path / "w")


def test_kml_entity_bomb_is_refused(tmp_path):
    # "billion laughs": nested entities that would expand to 10^9 characters
    entities = "".join(
        f'<!ENTITY lol{i} "' + ("&lol;" if i == 1 else f"&lol{i - 1};") * 10 + '">'
        for i in range(1, 10))
    kml = (f'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY lol "lol">{entities}]>'
           '<kml><Document><Placemark><name>&lol9;</name>'
           '<Point><coordinates>106.27,20.14</coordinates></Point></Placemark></Document></kml>')
    path = tmp_path / "bomb.kml"
    path.write_text(kml, encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid XML"):
        read_layer(path, "sites")
