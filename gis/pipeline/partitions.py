"""Whether a stage of this run runs partition by partition, and over which partitions.

The stages after the coverage that split by province (``ftth``, ``facilities`` and the covering
pairs of ``sharing``: :mod:`gis.scale.partition`) ask :func:`partitions_for`. A run is partitioned when it is large
enough to be tiled (``scale.tile_above_km2``, on the hamlets' bounding box) or runs on a Dask
client, and ``scale.partition_by`` is not ``"none"``; the sample district runs in one piece.
"""

from __future__ import annotations

from gis.analysis.hamlets import hamlet_centres
from gis.pipeline.context import RunContext
from gis.scale.partition import Partition, make_partitions

__all__ = ["partitions_for"]


def partitions_for(ctx: RunContext) -> list[Partition] | None:
    """The run's partitions (reads ``villages``, ``admin`` and the ``scale`` section), or
    ``None`` when the stage runs in one piece."""
    scale = ctx.params.scale
    if scale.partition_by == "none":
        return None
    villages = ctx.project.layer("villages")
    if villages is None or not len(villages):
        return None
    left, bottom, right, top = villages.total_bounds
    area_km2 = (right - left) * (top - bottom) / 1e6
    if ctx.client is None and not scale.tiles_area(area_km2):
        return None
    return make_partitions(ctx.hamlets, admin=ctx.project.layer("admin"),
                           centres_xy=hamlet_centres(villages))
