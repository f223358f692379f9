"""``python -m gis``: the command-line interface (see :mod:`gis.cli`)."""

from gis.cli import main

raise SystemExit(main())
