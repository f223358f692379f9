"""Files written atomically: under a temporary name in their own folder, then renamed.

A reader (or a run killed half-way) never sees a partial file under its final name: the file is
written as ``.~<stem>.<pid><suffix>`` beside its final place (same file system, so the rename is
atomic; the suffix is kept because some writers choose their format by it) and renamed over the
final name only when the writer returned. A writer that fails leaves nothing behind.

>>> with atomic_path("out/hamlets.csv") as tmp:   # doctest: +SKIP
...     frame.to_csv(tmp)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["TEMP_PREFIX", "atomic_path", "write_atomic"]

#: Prefix of the temporary names (a run folder's cleaning removes leftovers by it).
TEMP_PREFIX = ".~"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed to ``path`` when the block ends without error."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{TEMP_PREFIX}{final.stem}.{os.getpid()}{final.suffix}")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        if tmp.is_dir():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` and rename ``tmp`` to ``path``; returns ``path``."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)
