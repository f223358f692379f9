"""The results of one run as one object: the per-hamlet table, the result tables and metadata.

Built from a live run (:func:`gis.pipeline.write.results_of`) or from the ``results.gpkg`` a run
saved (:meth:`RunResults.from_folder`), so that reports and exports can be re-made in another
language or format without recomputing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.analysis.status import uncovered_hamlets
from gis.export.writers import read_results_gpkg, write_results_gpkg
from gis.labels import check_lang

__all__ = ["CONTEXT_LAYERS", "RESULTS_FILE", "TABLE_ORDER", "RunResults"]

#: The GeoPackage holding every result of a run.
RESULTS_FILE = "results.gpkg"

#: Order of the result tables in the workbook, the GeoPackage and the report.
TABLE_ORDER = ("indicators", "hamlets", "uncovered_hamlets", "positions", "sharing_rates",
               "colocation_opportunities", "proposed_towers", "consolidation",
               "switch_off_impact", "unreachable_hamlets", "fiber_extensions",
               "shared_duct_roads", "facilities", "commune_statistics")

#: Layers of results.gpkg that are not result tables of the run.
_DERIVED = ("hamlets", "uncovered_hamlets")

#: Input layers kept with the results for the maps (boundaries), under these names.
CONTEXT_LAYERS = {"admin": "admin_boundaries"}


@dataclass
class RunResults:
    """Everything a report or an export needs from one run.

    Attributes
    ----------
    name
        The project (planning area) name.
    hamlets
        The per-hamlet table (``lon``/``lat`` degrees plus every column the analyses added).
    tables
        Result tables by name (``indicators``, ``positions``, ``fiber_extensions``, ...).
    meta
        The run's metadata (:func:`gis.pipeline.write.run_metadata`): ``created`` (UTC),
        ``targets`` (name, preset, source), ``parameters``, ``warnings`` / ``warnings_vi``,
        ``defaults`` / ``defaults_vi``, ``timings_s``, ...
    rasters
        Result rasters (GeoTIFF paths) by name, when known.
    context
        Input layers drawn on the maps but not results (``admin``: commune boundaries,
        EPSG:4326).
    """

    name: str
    hamlets: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    context: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    @classmethod
    def from_folder(cls, run_dir: str | Path) -> RunResults:
        """The results saved in ``run_dir/results.gpkg`` (or a path to the GeoPackage itself)."""
        path = Path(run_dir)
        gpkg = path if path.suffix.lower() == ".gpkg" else path / RESULTS_FILE
        frames, meta = read_results_gpkg(gpkg)  # InputFileError when the folder has no run
        hamlets = frames.pop("hamlets", pd.DataFrame())
        frames.pop("uncovered_hamlets", None)
        context = {kind: frames.pop(name) for kind, name in CONTEXT_LAYERS.items()
                   if isinstance(frames.get(name), gpd.GeoDataFrame)}
        if isinstance(hamlets, gpd.GeoDataFrame):
            hamlets = pd.DataFrame(hamlets.drop(columns=hamlets.geometry.name))
        rasters = {p.stem: p for p in sorted(gpkg.parent.glob("coverage_*.tif"))}
        return cls(name=str(meta.get("name", gpkg.parent.name)), hamlets=hamlets,
                   tables=frames, meta=meta, rasters=rasters, context=context)

    # -- derived ------------------------------------------------------------------------------

    def uncovered(self, lang: str = "en") -> gpd.GeoDataFrame:
        """The uncovered-hamlet list (see :func:`gis.export.writers.uncovered_hamlets`)."""
        return uncovered_hamlets(self.hamlets, self.tables, lang=check_lang(lang))

    @property
    def indicators(self) -> pd.DataFrame | None:
        return self.tables.get("indicators")

    def ordered_tables(self, lang: str = "en") -> dict[str, pd.DataFrame]:
        """Every result in report order: indicators, hamlets, uncovered, then the rest."""
        tables = {"hamlets": self.hamlets, "uncovered_hamlets": self.uncovered(lang),
                  **{k: v for k, v in self.tables.items() if k not in _DERIVED}}
        order = [k for k in TABLE_ORDER if k in tables]
        order += sorted(k for k in tables if k not in order)
        return {k: tables[k] for k in order}

    def save_gpkg(self, path: str | Path, *, lang: str = "en") -> Path:
        """Write every result to one GeoPackage (see :func:`write_results_gpkg`)."""
        meta = {"name": self.name, "lang": lang, **self.meta}
        tables = {k: v for k, v in self.tables.items() if k not in _DERIVED}
        tables.update({CONTEXT_LAYERS[k]: v for k, v in self.context.items()})
        return write_results_gpkg(path, hamlets=self.hamlets, tables=tables,
                                  uncovered=self.uncovered(lang), meta=meta)
