"""Reading, validating and normalising input layers; CRS (VN-2000); writing exports.

The entry point is :mod:`gis.layers.read` (``read_layer``, ``read_any``, ``load_project``).
Behind it, one module per job:

=====================  ======================================================================
``sources``            paths or uploaded bytes (``Upload``), written only inside a workdir;
                       scratch folders removed after each read
``archive``            safe .zip / .kmz extraction (zip-slip, symlinks, lying headers, zip
                       bombs refused; limits over the whole archive)
``formats``            Shapefile, GeoPackage, GeoJSON, KML/KMZ, CSV, XLSX -> a raw table
``kml``                KML Placemarks with Folders, ExtendedData and description tables
``encoding``           UTF-8, cp1258 and the legacy TCVN3 (ABC) / VNI fonts -> Unicode;
                       mojibake repair, control characters
``safe_text``          formula neutralisation of text cells for the CSV / XLSX writers
``coords``             CRS names, coordinate columns, the VN X/Y convention, CRS inference
``canonical``          raw table -> canonical layer: mapping, coordinates, checks, analysis CRS
``cleaning``           text of a raw table: mojibake, control characters, cut DBF field names
``normalise``          header aliases, operators, technologies, classes, numbers, ids
``validate``           required columns, geometries, positions in Vietnam, duplicate ids
``crosscheck``         villages against their communes (a VN-2000 file read with the wrong
                       central meridian)
``land``               Vietnam's land polygon (data/vietnam_land.geojson): points in the sea,
                       the meridian that puts a TM-3 layer back on land
``landcheck``          the same for a layer: rows off land, a .prj meridian that does not fit
``rasters``            DEM / population / land cover: checks on open, windowed reads
``crs``, ``schema``,   VN-2000 CRSs and provincial meridians, the canonical layers, the load
``report``             report
=====================  ======================================================================
"""
