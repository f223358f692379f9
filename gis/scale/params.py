"""Parameters of tiled runs (``RunParams.scale``)."""

from __future__ import annotations

from dataclasses import dataclass

from gis.errors import ValidationError

__all__ = ["LOCAL_SCHEDULERS", "ScaleParams"]

#: Scheduler names that run on this machine without a cluster (dask's local schedulers).
LOCAL_SCHEDULERS = ("threads", "processes", "synchronous")


@dataclass(frozen=True)
class ScaleParams:
    """When and how the coverage and per-hamlet stages run tile by tile on Dask.

    Attributes
    ----------
    tile_km
        Side of a tile, km (20 km). Rounded to whole 256-cell blocks of the output GeoTIFF once a
        tile is a block or more (768 cells = 23 km at 30 m). A tile holds about 0.5 M cells at
        30 m and needs, with its 15 km halo, about 60 MB of DEM and work arrays per worker: small
        enough for many workers per machine, large enough that the halo (read and swept again by
        each neighbour) costs less than the tile itself.
    tile_above_km2
        The run tiles by itself when the coverage area is larger than this, km² (2,000: a
        district, up to about 1,000 km², runs in one piece in memory; a province of several
        thousand km² is tiled). 0 tiles every run; a negative value never tiles unless asked.
    scheduler
        Where the tiles run: ``"processes"`` (default: dask's local process pool, one tile per
        core), ``"threads"`` (one process; the numba kernels release the GIL but the pandas,
        shapely and numpy glue of a tile partly holds it: 1.03-1.25x from 1 to 2 threads in
        benchmarks/scale.py, against up to 1.88x from 1 to 2 worker processes; processes also
        keep each tile's memory apart), ``"synchronous"`` (one by one, for debugging), or the
        address of a running Dask scheduler (``tcp://host:8786``) whose workers can read the
        inputs and write the output folder.
    workers
        Local workers (threads or processes); 0: the machine's cores.
    resume
        Reuse the tiles an interrupted run already wrote (same inputs and parameters).
    keep_tiles
        Keep the per-tile GeoTIFFs (needed to resume) after the assembled rasters are written.
    assemble
        How the tiles become one raster per operator and technology: ``"gtiff"`` (one tiled,
        deflate GeoTIFF written block by block by the driver), ``"vrt"`` (a GDAL VRT over the
        tile files: instant, for the country, whose GeoTIFFs would take the driver tens of
        minutes), or ``"auto"`` (default: GeoTIFF up to :attr:`vrt_above_cells` cells, else VRT).
    vrt_above_cells
        Grid size (cells) above which ``"auto"`` writes VRTs: 200 M cells (a 30 m grid of
        180,000 km², half of Vietnam).
    cog
        Write the assembled GeoTIFFs as Cloud Optimized GeoTIFFs with overviews (default:
        QGIS and web viewers draw a province or the country from the overviews; lossless,
        the full-resolution cells are the same). The VRTs of ``"vrt"`` have no overviews.
    partition_by
        How the stages after the coverage (FTTH, facilities, the sharing stage's covering
        pairs) split a tiled run:
        ``"province"`` (default: one partition per 2025 province, :mod:`gis.scale.partition`)
        or ``"none"`` (in one piece). An area that is not tiled always runs in one piece.
    retries
        Times a tile or partition is run again on a cluster when its worker dies or it raises
        (2: a lost machine costs one task, a bug fails after three tries).
    """

    tile_km: float = 20.0
    tile_above_km2: float = 2_000.0
    scheduler: str = "processes"
    workers: int = 0
    resume: bool = True
    keep_tiles: bool = True
    assemble: str = "auto"
    vrt_above_cells: int = 200_000_000
    cog: bool = True
    partition_by: str = "province"
    retries: int = 2

    def __post_init__(self) -> None:
        if self.partition_by not in ("province", "none"):
            raise ValidationError(
                f"scale.partition_by must be province or none, got {self.partition_by!r}.",
                f"scale.partition_by phải là province hoặc none, nhận {self.partition_by!r}.",
            )
        if not (isinstance(self.retries, int) and 0 <= self.retries <= 10):
            raise ValidationError(
                f"scale.retries must be a whole number from 0 to 10, got {self.retries!r}.",
                f"scale.retries phải là số nguyên từ 0 đến 10, nhận {self.retries!r}.",
            )
        if self.assemble not in ("auto", "gtiff", "vrt"):
            raise ValidationError(
                f"scale.assemble must be auto, gtiff or vrt, got {self.assemble!r}.",
                f"scale.assemble phải là auto, gtiff hoặc vrt, nhận {self.assemble!r}.",
            )
        if not (isinstance(self.tile_km, int | float) and 0.1 <= self.tile_km <= 500):
            raise ValidationError(
                f"scale.tile_km must be between 0.1 and 500 km, got {self.tile_km!r}.",
                f"scale.tile_km phải từ 0,1 đến 500 km, nhận {self.tile_km!r}.",
                fix="Use 10-40 km for provinces and the country.",
                fix_vi="Dùng 10-40 km cho tỉnh và toàn quốc.",
            )
        if not (isinstance(self.workers, int) and self.workers >= 0):
            raise ValidationError(
                f"scale.workers must be a whole number >= 0, got {self.workers!r}.",
                f"scale.workers phải là số nguyên >= 0, nhận {self.workers!r}.",
            )
        if not isinstance(self.scheduler, str) or not self.scheduler.strip():
            raise ValidationError(
                f"scale.scheduler must be one of {', '.join(LOCAL_SCHEDULERS)} or an address, "
                f"got {self.scheduler!r}.",
                f"scale.scheduler phải là {', '.join(LOCAL_SCHEDULERS)} hoặc một địa chỉ, "
                f"nhận {self.scheduler!r}.",
                fix="e.g. tcp://10.0.0.5:8786", fix_vi="ví dụ tcp://10.0.0.5:8786",
            )

    @property
    def is_local(self) -> bool:
        """True for dask's local schedulers, False for a cluster address."""
        return self.scheduler in LOCAL_SCHEDULERS

    def use_vrt(self, cells: int) -> bool:
        """Whether a grid of ``cells`` cells is assembled as VRTs."""
        return self.assemble == "vrt" or (self.assemble == "auto"
                                          and cells > self.vrt_above_cells)

    def tiles_area(self, area_km2: float) -> bool:
        """Whether an area of ``area_km2`` is run tile by tile by itself."""
        return self.tile_above_km2 >= 0 and area_km2 > self.tile_above_km2
