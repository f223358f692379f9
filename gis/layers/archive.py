"""Safe extraction of .zip and .kmz archives into a working folder.

Uploaded archives are untrusted. :func:`safe_extract` refuses members with absolute paths,
drive letters or ``..`` components (zip-slip), symbolic links, encrypted or duplicated members,
and whole archives that hold too many members, expand to too many bytes or expand too much
relative to their size on disk (zip bombs). The limits of :class:`ArchiveLimits` apply to the
WHOLE archive, so that a bomb split into many small members is stopped too. It extracts by
streaming with running byte counts, so a member whose header lies about its size is stopped as
well; a bad CRC, a truncated or corrupt archive and an unsupported compression method are
refused with a message naming the archive and the member (never a raw ``zipfile`` traceback).
What was written before a refusal is removed.
"""

from __future__ import annotations

import lzma
import shutil
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gis.errors import GisError, InputFileError, ValidationError

__all__ = ["ArchiveLimits", "safe_extract", "unpack_dir"]

#: What the ``zipfile`` and decompressor modules raise on corrupt or lying archives.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, lzma.LZMAError,
               NotImplementedError, RuntimeError, ValueError, OSError, struct.error)

#: Archives expanding to less than this are not checked for their ratio (bytes): a 100 kB CSV
#: of zeros compresses a thousand times and harms nobody.
_RATIO_FLOOR = 1024**2


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits for uploaded archives, applied to the whole archive.

    Attributes
    ----------
    max_members
        Most files an archive may hold (default 2 000: a province's layers as shapefiles are a
        few hundred files).
    max_total_bytes
        Most uncompressed bytes of all members together (default 2 GiB: a province-wide 30 m
        DEM is ~300 MB).
    max_ratio
        Highest ratio of the bytes all members expand to over the archive's size on disk,
        checked once they pass 1 MiB (default 200: shapefiles, CSV and GeoTIFFs compress 2-20x,
        deflate cannot exceed ~1 032x per member, zip bombs reach it with many members or
        nested layers). The same ratio is checked for each member larger than 1 MiB.
    """

    max_members: int = 2_000
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0

    def __post_init__(self) -> None:
        if self.max_members < 1 or self.max_total_bytes < 1 or not self.max_ratio > 1:
            raise ValidationError(
                f"Invalid archive limits {self}: max_members and max_total_bytes must be "
                "positive and max_ratio above 1.",
                f"Giới hạn tệp nén không hợp lệ {self}: max_members và max_total_bytes phải "
                "dương, max_ratio lớn hơn 1.")


def _refuse(name: str, en: str, vi: str) -> InputFileError:
    return InputFileError(
        f"Refused archive: {en}", f"Từ chối tệp nén: {vi}", file=name,
        fix="Re-create the archive with only the layer files (no links, no folders outside it).",
        fix_vi="Nén lại chỉ gồm các tệp dữ liệu (không có liên kết, không có thư mục bên ngoài).",
    )


def _corrupt(name: str, member: str | None, exc: BaseException) -> InputFileError:
    where = f" (member {member!r})" if member else ""
    where_vi = f" (tệp {member!r})" if member else ""
    why = f"{type(exc).__name__}: {str(exc).rstrip('. ')}"
    return InputFileError(
        f"The archive is damaged or not a zip file{where}: {why}.",
        f"Tệp nén bị hỏng hoặc không phải tệp zip{where_vi}: {why}.",
        file=name,
        fix="Download or copy it again, or re-create it with the ordinary zip format "
        "(Deflate, no password).",
        fix_vi="Tải hoặc chép lại tệp, hoặc nén lại bằng định dạng zip thông thường (Deflate, "
        "không mật khẩu).")


def safe_extract(archive: str | Path, target: str | Path, *,
                 limits: ArchiveLimits | None = None) -> list[Path]:
    """Extract a zip / kmz archive into ``target`` safely; return the extracted file paths.

    Raises
    ------
    InputFileError
        The file is not a zip archive, it is damaged (bad CRC, truncated, corrupt data,
        sizes that do not match), a member is unsafe (absolute path, ``..``, symlink,
        password), or a limit of :class:`ArchiveLimits` is exceeded by the whole archive.
        Nothing is written outside ``target``; on refusal, what was written so far is removed.
    """
    limits = limits or ArchiveLimits()
    archive = Path(archive)
    target = Path(target)
    existed = target.exists()
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    name = archive.name
    try:
        on_disk = max(1, archive.stat().st_size)
        zf = zipfile.ZipFile(archive)
    except _ZIP_ERRORS as exc:
        if not existed:
            shutil.rmtree(target, ignore_errors=True)
        raise _corrupt(name, None, exc) from exc
    written: list[Path] = []
    member: str | None = None
    try:
        with zf:
            infos = zf.infolist()
            _check_archive(name, infos, on_disk, limits)
            total = 0
            for info in infos:
                if info.is_dir():
                    continue
                member = info.filename
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
                        if size > info.file_size:
                            raise _refuse(name, f"member {info.filename!r} is larger than its "
                                          "header says (a zip bomb?).",
                                          f"tệp {info.filename!r} lớn hơn khai báo (bom nén?).")
                        _check_running(name, total, on_disk, limits)
                        out.write(chunk)
                if size != info.file_size:
                    raise _corrupt(name, info.filename, EOFError(
                        f"{size} bytes instead of the {info.file_size} its header says"))
    except GisError:
        _remove(written, target, existed)
        raise
    except _ZIP_ERRORS as exc:
        _remove(written, target, existed)
        raise _corrupt(name, member, exc) from exc
    except BaseException:
        _remove(written, target, existed)
        raise
    return written


def _remove(written: list[Path], target: Path, existed: bool) -> None:
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for path in written:
        path.unlink(missing_ok=True)


def _check_archive(name: str, infos: list[zipfile.ZipInfo], on_disk: int,
                   limits: ArchiveLimits) -> None:
    """Whole-archive limits from the central directory, before anything is written."""
    if len(infos) > limits.max_members:
        raise _refuse(name, f"{len(infos)} members (limit {limits.max_members}).",
                      f"{len(infos)} tệp bên trong (giới hạn {limits.max_members}).")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        raise _refuse(name, f"{declared:,} bytes uncompressed (limit "
                      f"{limits.max_total_bytes:,}).",
                      f"{declared:,} byte khi giải nén (giới hạn {limits.max_total_bytes:,}).")
    if declared > _RATIO_FLOOR and declared / on_disk > limits.max_ratio:
        raise _refuse(name, f"its members expand {declared / on_disk:.0f}x its size "
                      f"(limit {limits.max_ratio:.0f}x): a zip bomb?",
                      f"các tệp bên trong giãn {declared / on_disk:.0f} lần kích thước tệp nén "
                      f"(giới hạn {limits.max_ratio:.0f}): bom nén?")
    seen: set[str] = set()
    for info in infos:
        _check_member(name, info, limits)
        key = info.filename.replace("\\", "/").rstrip("/")
        if key in seen:
            raise _refuse(name, f"member {info.filename!r} appears twice.",
                          f"tệp {info.filename!r} xuất hiện hai lần.")
        seen.add(key)


def _check_running(name: str, total: int, on_disk: int, limits: ArchiveLimits) -> None:
    """Limits on the bytes actually written so far (headers may lie)."""
    if total > limits.max_total_bytes:
        raise _refuse(name, f"it expands beyond {limits.max_total_bytes:,} bytes, more than "
                      "its headers say (a zip bomb?).",
                      f"giải nén vượt {limits.max_total_bytes:,} byte, nhiều hơn khai báo "
                      "(bom nén?).")
    if total > _RATIO_FLOOR and total / on_disk > limits.max_ratio:
        raise _refuse(name, f"it expands more than {limits.max_ratio:.0f}x its size, more than "
                      "its headers say (a zip bomb?).",
                      f"giải nén giãn hơn {limits.max_ratio:.0f} lần kích thước tệp nén, nhiều "
                      "hơn khai báo (bom nén?).")


def _check_member(name: str, info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    fname = info.filename.replace("\\", "/")
    parts = PurePosixPath(fname).parts
    if fname.startswith("/") or (len(fname) > 1 and fname[1] == ":") or ".." in parts:
        raise _refuse(name, f"member {info.filename!r} has an absolute path or '..'.",
                      f"tệp {info.filename!r} có đường dẫn tuyệt đối hoặc '..'.")
    if info.flag_bits & 0x1:
        raise _refuse(name, f"member {info.filename!r} is protected by a password.",
                      f"tệp {info.filename!r} được bảo vệ bằng mật khẩu.")
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

