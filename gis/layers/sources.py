"""Input sources: paths on disk or uploaded files (name and bytes), written only inside a workdir.

The web app hands the readers :class:`Upload` objects. Their bytes are written under a
per-session working folder (``workdir``, a fresh :func:`tempfile.mkdtemp` when not given) with a
sanitised file name, never anywhere else; archives are then unpacked by
:mod:`gis.layers.archive`, which enforces the same rule for their members.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gis.errors import InputFileError

__all__ = ["Source", "Upload", "display_name", "ensure_workdir", "materialise", "safe_name"]


@dataclass
class Upload:
    """An uploaded file: its original name (no folders are trusted) and its bytes."""

    name: str
    data: bytes


#: What the readers accept: a path, several paths (a loose shapefile set), or uploads.
Source = str | Path | Upload | Sequence[str | Path | Upload]


def safe_name(name: str) -> str:
    """A file name that is safe to create inside a folder: no folders, no odd characters.

    Keeps letters (Vietnamese included, NFC), digits, ``.``, ``-`` and ``_``; the rest becomes
    ``_``. Leading dots are removed so that the name cannot be ``..`` or hidden.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\data\\\\Thôn xóm.csv")
    'Thôn_xóm.csv'
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")
    return base[:200] or "upload"


def ensure_workdir(workdir: str | Path | None) -> Path:
    """The working folder for uploads: ``workdir`` (created) or a fresh temporary folder."""
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="gis_upload_"))
    path = Path(workdir)
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    for item in items:
        if isinstance(item, Upload):
            if wd is None:
                wd = ensure_workdir(workdir)
            target = (wd / safe_name(item.name)).resolve()
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
                raise InputFileError(
                    f"The file {path} does not exist.",
                    f"Không tìm thấy tệp {path}.",
                    file=path,
                    fix="Check the path and the file name.",
                    fix_vi="Kiểm tra lại đường dẫn và tên tệp.",
                )
            paths.append(path)
    return paths, wd
