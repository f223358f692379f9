"""Reports of a run: the results bundle, the XLSX workbook, the HTML report and its static map.

:class:`~gis.report.results.RunResults` gathers what a run computed (from a live run through
:func:`gis.pipeline.write.results_of`, or from a saved ``results.gpkg``);
:func:`~gis.report.outputs.write_outputs` writes every file a run hands on.
"""
