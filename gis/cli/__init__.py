"""``python -m gis COMMAND``: the command-line face of the Python API.

Each command lives in its own module of this package with two functions: ``add_parser(sub)``
declares its arguments and ``main(args) -> int`` calls the library. Commands hold no analysis
logic. A :class:`gis.errors.GisError` becomes a message on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from gis.errors import GisError

__all__ = ["COMMANDS", "main"]

#: Command modules under ``gis.cli``, in the order ``--help`` lists them.
COMMANDS = ["sample", "info", "run", "export", "compare", "pathloss", "calibrate", "importer"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gis",
        description="GIS planning of passive telecom infrastructure (Vietnam): coverage, FTTH, "
        "site sharing and plan indicators per hamlet.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"gis.cli.{name}")
        p = module.add_parser(sub)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", "en") or "en"
    try:
        return int(args._main(args) or 0)
    except GisError as exc:
        print(("Lỗi: " if lang == "vi" else "Error: ") + exc.message(lang), file=sys.stderr)
        if lang != "vi":
            print("Lỗi: " + exc.message("vi"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
