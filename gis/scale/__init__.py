"""National scale: the coverage and per-hamlet sums tile by tile on Dask.

- :mod:`gis.scale.params`: :class:`~gis.scale.params.ScaleParams` (tile size, scheduler, ...);
- :mod:`gis.scale.tiles`: the analysis grid cut into tiles with a halo, windowed reads;
- :mod:`gis.scale.runner`: the tiles as a Dask graph (local threads/processes or a cluster),
  per-tile GeoTIFFs with done markers (resumption), assembled rasters;
- :mod:`gis.scale.reduce`: per-hamlet sums per tile, reduced to the single-piece table.

The run's coverage stage (:mod:`gis.pipeline.radio`) calls :func:`gis.scale.runner.run_tiled`; this
package never imports the run.
"""
