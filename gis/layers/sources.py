"""Input sources: paths on disk or uploaded files (name and bytes), written only inside a workdir.

The web app hands the readers :class:`Upload` objects. Their bytes are written under a
per-session working folder (``workdir``, a fresh :func:`tempfile.mkdtemp` when not given) with a
sanitised file name, never anywhere else; archives are then unpacked by
:mod:`gis.layers.archive`, which enforces the same rule for their members.

Each call of :func:`materialise` writes its uploads into a fresh sub-folder, so two uploads of
the same name never overwrite each other (nor a file an earlier read still uses). Readers wrap
what they write in :func:`scratch`, a folder removed as soon as the read is over: extracted
archives and uploaded copies do not pile up in the temporary folder. Files that must outlive
the read (an uploaded raster that analyses read by windows later) go to :func:`keep_dir`: the
caller's ``workdir``, or a folder of this process that is removed when it exits.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gis.errors import InputFileError, missing_file

__all__ = [
    "MAX_NAME_BYTES",
    "Source",
    "Upload",
    "display_name",
    "ensure_workdir",
    "keep_dir",
    "materialise",
    "safe_name",
    "scratch",
    "upload_signature",
]


@dataclass
class Upload:
    """An uploaded file: its original name (no folders are trusted) and its bytes."""

    name: str
    data: bytes


def upload_signature(uploads: Sequence[Upload]) -> str:
    """16 hex digits of SHA-256 over the uploads' names and contents, in order.

    The same files uploaded again give the same signature (the app keys their working folder
    and its cache on it); a renamed or changed file gives another.
    """
    h = hashlib.sha256()
    for u in uploads:
        h.update(u.name.encode("utf-8"))
        h.update(hashlib.sha256(u.data).digest())
    return h.hexdigest()[:16]


#: What the readers accept: a path, several paths (a loose shapefile set), or uploads.
Source = str | Path | Upload | Sequence[str | Path | Upload]


#: Longest file name written for an upload, in UTF-8 bytes (file systems allow 255; a
#: Vietnamese letter takes 2-3 bytes, and "_2"-style suffixes and archive folders need room).
MAX_NAME_BYTES = 120

#: Longest extension kept as it is (".geojson", ".gpkg", ".shp"...), in characters.
_MAX_SUFFIX = 10


def safe_name(name: str) -> str:
    """A file name that is safe to create inside a folder: no folders, no odd characters.

    Keeps letters (Vietnamese included, NFC), digits, ``.``, ``-`` and ``_``; the rest becomes
    ``_``. Leading dots are removed so that the name cannot be ``..`` or hidden. A name longer
    than :data:`MAX_NAME_BYTES` (UTF-8) is cut in its stem, never in its extension and never in
    the middle of a letter, so that the reader still knows the format.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\data\\\\Thôn xóm.csv")
    'Thôn_xóm.csv'
    >>> len(safe_name("Thôn " * 100 + ".geojson").encode()), safe_name("a" * 300 + ".shp")[-4:]
    (120, '.shp')
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")
    if not base:
        return "upload"
    if len(base.encode("utf-8")) <= MAX_NAME_BYTES:
        return base
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > _MAX_SUFFIX:
        stem, suffix = base, ""
    suffix = "." + suffix if suffix else ""
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(".") or "upload"
    return cut + suffix


def ensure_workdir(workdir: str | Path | None) -> Path:
    """The working folder for uploads: ``workdir`` (created) or a fresh temporary folder."""
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="gis_upload_"))
    path = Path(workdir)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def scratch(workdir: str | Path | None = None) -> Iterator[Path]:
    """A fresh folder for one read, removed (with all it holds) when the ``with`` block ends.

    Inside ``workdir`` when given (created if needed), else in the system temporary folder
    (``TMPDIR``).
    """
    base = None
    if workdir is not None:
        base = Path(workdir)
        base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="gis-read-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


_PROCESS_DIR: list[Path] = []


def keep_dir(workdir: str | Path | None = None) -> Path:
    """A fresh folder for files that must outlive one read (an uploaded raster).

    Inside ``workdir`` when given (the caller removes it, e.g. with the app session); else
    inside one folder of this process in ``TMPDIR``, removed when the process exits.
    """
    if workdir is None:
        if not _PROCESS_DIR:
            _PROCESS_DIR.append(Path(tempfile.mkdtemp(prefix="gis-keep-")))
            atexit.register(shutil.rmtree, _PROCESS_DIR[0], True)
        base = _PROCESS_DIR[0]
    else:
        base = Path(workdir)
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="kept-", dir=base))


def display_name(source: Source) -> str:
    """The name to show users for a source (never a temporary folder of an upload)."""
    if isinstance(source, Upload):
        return safe_name(source.name)
    if isinstance(source, str | Path):
        return Path(source).name
    items = list(source)
    main = [s for s in items if _suffix(s) == ".shp"]
    return display_name(main[0] if main else items[0]) if items else ""


def _suffix(item: str | Path | Upload) -> str:
    name = item.name if isinstance(item, Upload) else str(item)
    return Path(name).suffix.lower()


def materialise(source: Source, workdir: str | Path | None) -> tuple[list[Path], Path | None]:
    """Paths on disk for ``source``; uploads are written inside ``workdir``.

    Returns
    -------
    paths
        The files of the source, in the order given.
    workdir
        The folder uploads were written to (``None`` when the source was only paths).
    """
    items = [source] if isinstance(source, str | Path | Upload) else list(source)
    if not items:
        raise InputFileError("No file was given.", "Chưa chọn tệp nào.",
                             fix="Choose a layer file.", fix_vi="Chọn một tệp dữ liệu.")
    wd: Path | None = None
    paths: list[Path] = []
    taken: set[str] = set()
    for item in items:
        if isinstance(item, Upload):
            if wd is None:
                # a fresh folder per call: same-named uploads of another read stay intact
                wd = Path(tempfile.mkdtemp(prefix="upload-", dir=ensure_workdir(workdir)))
            fname = _unique(safe_name(item.name), taken)
            target = (wd / fname).resolve()
            if wd.resolve() not in target.parents:
                raise InputFileError(
                    f"Refused upload name {item.name!r}: it would be written outside the "
                    "working folder.",
                    f"Từ chối tên tệp tải lên {item.name!r}: nó sẽ được ghi ra ngoài thư mục làm "
                    "việc.",
                    file=item.name,
                )
            target.write_bytes(item.data)
            paths.append(target)
        else:
            path = Path(item)
            if not path.exists():
                raise missing_file(path, fix="Check the path and the file name.",
                                   fix_vi="Kiểm tra lại đường dẫn và tên tệp.")
            paths.append(path)
    return paths, wd


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem_2.ext``, ``stem_3.ext``... when an upload of the same call already
    has it (compared without case: ``A.SHP`` and ``a.shp`` are one file on Windows and macOS)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    suffix = "." + suffix if suffix else ""
    candidate, i = name, 1
    while candidate.casefold() in taken:
        i += 1
        candidate = f"{stem}_{i}{suffix}"
    taken.add(candidate.casefold())
    return candidate
