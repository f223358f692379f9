"""Safe extraction of .zip and .kmz archives into a working folder.

Uploaded archives are untrusted. :func:`safe_extract` refuses members with absolute paths,
drive letters or ``..`` components (zip-slip), symbolic links, too many members, too much
uncompressed data and suspicious compression ratios (zip bombs), and checks that every file it
writes resolves inside the target folder. It extracts by streaming with a running byte count, so
a member that lies about its size in the header is stopped too.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gis.errors import InputFileError

__all__ = ["ArchiveLimits", "safe_extract", "unpack_dir"]


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits for uploaded archives.

    Attributes
    ----------
    max_members
        Most files an archive may hold (default 2 000: a province's layers as shapefiles are a
        few hundred files).
    max_total_bytes
        Most uncompressed bytes in all (default 2 GiB: a province-wide 30 m DEM is ~300 MB).
    max_ratio
        Highest uncompressed / compressed ratio of a member larger than 1 MiB (default 200:
        shapefiles and GeoTIFFs compress 2-20x, zip bombs 1 000x and more).
    """

    max_members: int = 2_000
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0


def _refuse(name: str, en: str, vi: str) -> InputFileError:
    return InputFileError(
        f"Refused archive: {en}", f"Từ chối tệp nén: {vi}", file=name,
        fix="Re-create the archive with only the layer files (no links, no folders outside it).",
        fix_vi="Nén lại chỉ gồm các tệp dữ liệu (không có liên kết, không có thư mục bên ngoài).",
    )


def safe_extract(archive: str | Path, target: str | Path, *,
                 limits: ArchiveLimits | None = None) -> list[Path]:
    """Extract a zip / kmz archive into ``target`` safely; return the extracted file paths.

    Raises
    ------
    InputFileError
        The file is not a zip archive, or a member is unsafe (absolute path, ``..``, symlink),
        or a limit of :class:`ArchiveLimits` is exceeded. Nothing is written outside ``target``;
        on refusal, what was written so far is removed.
    """
    limits = limits or ArchiveLimits()
    archive = Path(archive)
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    name = archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(
            f"Cannot open the archive: {exc}.", f"Không mở được tệp nén: {exc}.", file=name,
            fix="Check that the file is a complete .zip / .kmz.",
            fix_vi="Kiểm tra tệp .zip / .kmz có đầy đủ không.",
        ) from exc
    written: list[Path] = []
    try:
        with zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                raise _refuse(name, f"{len(infos)} members (limit {limits.max_members}).",
                              f"{len(infos)} tệp bên trong (giới hạn {limits.max_members}).")
            declared = sum(i.file_size for i in infos)
            if declared > limits.max_total_bytes:
                raise _refuse(name, f"{declared} bytes uncompressed (limit "
                              f"{limits.max_total_bytes}).",
                              f"{declared} byte khi giải nén (giới hạn {limits.max_total_bytes}).")
            for info in infos:
                _check_member(name, info, limits)
            total = 0
            for info in infos:
                if info.is_dir():
                    continue
                dest = (root / PurePosixPath(info.filename.replace("\\", "/"))).resolve()
                if root not in dest.parents:
                    raise _refuse(name, f"member {info.filename!r} would be written outside the "
                                  "working folder.",
                                  f"tệp {info.filename!r} sẽ được ghi ra ngoài thư mục làm việc.")
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:
                    written.append(dest)
                    size = 0
                    while chunk := src.read(1 << 20):
                        size += len(chunk)
                        total += len(chunk)
                        if size > info.file_size or total > limits.max_total_bytes:
                            raise _refuse(name, f"member {info.filename!r} is larger than its "
                                          "header says (a zip bomb?).",
                                          f"tệp {info.filename!r} lớn hơn khai báo (bom nén?).")
                        out.write(chunk)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _check_member(name: str, info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    fname = info.filename.replace("\\", "/")
    parts = PurePosixPath(fname).parts
    if fname.startswith("/") or (len(fname) > 1 and fname[1] == ":") or ".." in parts:
        raise _refuse(name, f"member {info.filename!r} has an absolute path or '..'.",
                      f"tệp {info.filename!r} có đường dẫn tuyệt đối hoặc '..'.")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _refuse(name, f"member {info.filename!r} is a symbolic link.",
                      f"tệp {info.filename!r} là liên kết tượng trưng (symlink).")
    if info.file_size > 1024**2 and info.compress_size > 0:
        ratio = info.file_size / info.compress_size
        if ratio > limits.max_ratio:
            raise _refuse(name, f"member {info.filename!r} expands {ratio:.0f}x "
                          f"(limit {limits.max_ratio:.0f}x): a zip bomb?",
                          f"tệp {info.filename!r} giãn {ratio:.0f} lần "
                          f"(giới hạn {limits.max_ratio:.0f}): bom nén?")


def unpack_dir(archive: Path, workdir: Path) -> Path:
    """A fresh folder inside ``workdir`` for the members of ``archive``."""
    folder = workdir / (archive.stem + "_unzipped")
    i = 1
    while folder.exists():
        i += 1
        folder = workdir / f"{archive.stem}_unzipped{i}"
    folder.mkdir(parents=True)
    return folder

