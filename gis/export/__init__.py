"""Output: the files a run hands on, in the formats people use.

:mod:`~gis.export.writers` (CSV with a BOM, XLSX, GeoJSON, GeoPackage, ``results.gpkg``, and
:func:`~gis.export.writers.export_table` for any format), :mod:`~gis.export.kml` (KML/KMZ
styled by hamlet status), :mod:`~gis.export.shapefile` (zipped Shapefile with a field-name
map) and :mod:`~gis.export.tiers` (coverage rasters as polygons by tier). Every file is
written atomically (:mod:`gis.atomic`).
"""
