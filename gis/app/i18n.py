"""The web app's user-interface strings in Vietnamese and English.

Labels of data columns, tables, statuses and map words are :mod:`gis.labels` (the exports and
the maps use the same words); this module holds only the app's own words (page titles, buttons,
messages). Vietnamese is the default language.
"""

from __future__ import annotations

from typing import Final

from gis.labels import MAP_LABELS

__all__ = ["DEFAULT_LANG", "LANGS", "t"]

#: Language code -> the name shown in the switch.
LANGS: Final[dict[str, str]] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANG: Final = "vi"

# key -> (Vietnamese, English)
_STRINGS: Final[dict[str, tuple[str, str]]] = {
    "app_title": ("Quy hoạch hạ tầng viễn thông thụ động", "Passive telecom infrastructure planning"),
    "language": ("Ngôn ngữ", "Language"),
    # pages
    "page_overview": ("Tổng quan", "Overview"),
    "page_map": ("Bản đồ", "Map"),
    "page_data": ("Dữ liệu", "Data"),
    "page_params": ("Tham số", "Parameters"),
    "page_results": ("Kết quả", "Results"),
    "page_export": ("Xuất dữ liệu", "Export"),
    "page_whatif": ("Thử nghiệm trạm", "Site what-if"),
    # common
    "project": ("Khu vực quy hoạch", "Planning area"),
    "no_project": (
        "Chưa có khu vực quy hoạch. Tạo khu vực mẫu bằng `make sample` (hoặc "
        "`python -m gis sample --out data/sample`) rồi tải lại trang.",
        "No planning area yet. Build the sample area with `make sample` (or "
        "`python -m gis sample --out data/sample`) and reload the page.",
    ),
    "not_computed": ("Chưa tính", "Not computed yet"),
    "not_computed_long": (
        "Phần phân tích này chưa có trong phiên bản hiện tại hoặc thiếu dữ liệu đầu vào.",
        "This analysis is not available in this version yet, or its input layers are missing.",
    ),
    "running": ("Đang tính…", "Computing…"),
    "stage": ("Bước", "Stage"),
    "done": ("Xong", "Done"),
    "run_button": ("Chạy lại phân tích", "Re-run the analysis"),
    "run_cached": ("Kết quả lấy từ bộ nhớ đệm (đầu vào không đổi).",
                   "Results taken from the cache (inputs unchanged)."),
    "run_failed": ("Phân tích thất bại", "The analysis failed"),
    "warnings": ("Cảnh báo của lần chạy", "Run warnings"),
    "defaults": ("Giá trị mặc định đã dùng", "Defaults applied"),
    "timings": ("Thời gian theo bước (giây)", "Time per stage (s)"),
    "search": ("Tìm kiếm", "Search"),
    "rows_shown": ("{n} / {total} dòng", "{n} of {total} rows"),
    "session_layers": ("Lớp đã thay trong phiên này", "Layers replaced in this session"),
    # overview
    "overview_intro": (
        "Các chỉ tiêu của kế hoạch phát triển hạ tầng số, tính từ các lớp bản đồ, so với mục tiêu.",
        "The digital-infrastructure plan's indicators, measured from the map layers, "
        "against their targets.",
    ),
    "hamlets": ("Thôn/xóm", "Hamlets"),
    "population": ("Dân số", "Population"),
    "households": ("Hộ gia đình", "Households"),
    "sites": ("Trạm BTS", "BTS sites"),
    "communes": ("Xã/phường", "Communes"),
    "indicators": ("Chỉ tiêu", "Indicators"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "value": ("Giá trị", "Value"),
    "target": ("Mục tiêu", "Target"),
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "gap": ("Còn thiếu", "Gap"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "no_target": ("Không có mục tiêu", "No target"),
    "scope": ("Phạm vi", "Scope"),
    "scope_area": ("Toàn khu vực", "Whole area"),
    "status_counts": ("Thôn theo trạng thái", "Hamlets by status"),
    "counted": ("Đã đạt / tổng số", "Counted / of"),
    "behind_title": ("Các thôn đằng sau chỉ tiêu", "The hamlets behind an indicator"),
    "behind_choose": ("Chỉ tiêu", "Indicator"),
    "behind_count": ("{n} / {total} thôn chưa đạt chỉ tiêu này", "{n} of {total} hamlets "
                     "keep this indicator from its target"),
    "behind_open": ("Mở các thôn này trong trang Kết quả", "Open these hamlets on the Results "
                    "page"),
    # statuses (map)
    # map
    "map_options": ("Tùy chọn bản đồ", "Map options"),
    "map_layers": ("Lớp bản đồ", "Map layers"),
    "colour_by": ("Tô màu thôn theo", "Colour hamlets by"),
    "by_mobile": ("Vùng phủ di động", "Mobile coverage"),
    "by_ftth": ("Cáp quang FTTH", "FTTH"),
    "basemap": ("Bản đồ nền", "Base map"),
    "coverage_layer": ("Lớp vùng phủ (raster)", "Coverage overlay (raster)"),
    "none": ("Không", "None"),
    "click_hamlet": ("Bấm vào một thôn trên bản đồ để xem chi tiết.",
                     "Click a hamlet on the map to see its details."),
    "hamlet_details": ("Chi tiết thôn", "Hamlet details"),
    "hamlet_ok": ("Thôn đã có sóng di động băng rộng và cáp quang.",
                  "The hamlet has mobile broadband and FTTH."),
    "map_size": ("Kích thước bản đồ: {mb:.2f} MB", "Map size: {mb:.2f} MB"),
    # data
    "data_intro": (
        "Các lớp của khu vực. Tải lên tệp của bạn để thêm vào một lớp hoặc thay nó trong phiên "
        "làm việc này (không ảnh hưởng người dùng khác); mỗi thay đổi đều hoàn tác được.",
        "The area's layers. Upload your own files to add to a layer or replace it for this "
        "session only (other users are not affected); every change can be undone.",
    ),
    "layer": ("Lớp", "Layer"),
    "rows": ("Số dòng", "Rows"),
    "source": ("Nguồn", "Source"),
    "crs": ("Hệ toạ độ", "CRS"),
    "load_report": ("Báo cáo nạp dữ liệu", "Load report"),
    "upload": ("Tải tệp lên (kéo thả; chọn nhiều tệp cho bộ Shapefile .shp/.shx/.dbf/.prj/.cpg)",
               "Upload files (drag and drop; several files for a .shp/.shx/.dbf/.prj/.cpg set)"),
    "upload_kind": ("Loại lớp (đoán từ nội dung, có thể sửa)",
                    "Layer kind (guessed from the content; change it if wrong)"),
    "upload_apply": ("Dùng lớp này", "Use this layer"),
    "upload_applied": ("Đã cập nhật lớp {kind} cho phiên này.", "The {kind} layer was updated "
                       "for this session."),
    "upload_too_big": ("Tệp quá lớn: {mb:.1f} MB (tối đa {max_mb} MB).",
                       "The upload is too large: {mb:.1f} MB (at most {max_mb} MB)."),
    "upload_error": ("Không dùng được tệp tải lên", "The upload cannot be used"),
    "readers_missing": ("Chức năng đọc tệp (gis.layers.read) chưa có trong phiên bản này.",
                        "File reading (gis.layers.read) is not available in this version yet."),
    "reset_layers": ("Bỏ các lớp đã tải lên (trở về dữ liệu mẫu)",
                     "Drop the uploaded layers (back to the sample data)"),
    "rejected_rows": ("Dòng không dùng được", "Rows that could not be used"),
    # uploads into a layer, the coordinate system picker (issue 15 items 1, 2, 5)
    "kind_auto": ("🔎 Tự nhận", "🔎 Automatic"),
    "upload_layer": ("Lớp / trang tính trong tệp", "Layer / sheet in the file"),
    "upload_mode": ("Đưa vào lớp hiện có như thế nào?", "How does it go into the layer?"),
    "mode_add": ("Thêm vào lớp (giữ mọi dòng hiện có)", "Add to the layer (keep every row)"),
    "mode_replace_operators": ("Chỉ thay các nhà mạng có trong tệp",
                               "Replace only the operators the file contains"),
    "mode_replace_ids": ("Chỉ thay các mã (trạm, thôn...) có trong tệp",
                         "Replace only the ids (sites, hamlets...) the file contains"),
    "mode_replace_all": ("Thay toàn bộ lớp", "Replace the whole layer"),
    "upload_counts": ("Số dòng của lớp trước và sau", "Rows of the layer before and after"),
    "operator_col": ("Nhà mạng", "Operator"),
    "all_rows": ("Tổng", "All"),
    "rows_before": ("Trước", "Before"),
    "rows_after": ("Sau", "After"),
    "upload_renamed": ("{n} mã trong tệp đã có trong lớp nên được đổi để không trùng: {ids}",
                       "{n} ids of the file are already in the layer and were renamed: {ids}"),
    "upload_removes": ("Thao tác này bỏ {n} dòng của lớp hiện có.",
                       "This removes {n} rows of the layer."),
    "upload_applied_counts": ("Số dòng: {before} → {after}.", "Rows: {before} → {after}."),
    "undo": ("↶ Hoàn tác: {what}", "↶ Undo: {what}"),
    "undone": ("Đã hoàn tác: {what}", "Undone: {what}"),
    "crs_title": ("Hệ toạ độ của tệp", "Coordinate system of the file"),
    "crs_found": ("Theo tệp / số liệu: {crs}", "From the file / the numbers: {crs}"),
    "crs_choose": ("Hệ toạ độ", "Coordinate system"),
    "crs_auto": ("Tự nhận (theo tệp, hoặc theo số liệu)",
                 "Automatic (as the file says, or from the numbers)"),
    "crs_wgs84": ("WGS84 kinh độ / vĩ độ (EPSG:4326)", "WGS84 longitude / latitude (EPSG:4326)"),
    "crs_utm48": ("VN-2000 / UTM múi 48 (kinh tuyến 105°)", "VN-2000 / UTM zone 48 (105°)"),
    "crs_utm49": ("VN-2000 / UTM múi 49 (kinh tuyến 111°)", "VN-2000 / UTM zone 49 (111°)"),
    "crs_tm3_province": ("VN-2000 / TM-3 theo tỉnh", "VN-2000 / TM-3 of a province"),
    "crs_tm3_meridian": ("VN-2000 / TM-3 theo kinh tuyến trục", "VN-2000 / TM-3 by meridian"),
    "crs_epsg": ("Mã EPSG khác", "Another EPSG code"),
    "crs_province": ("Tỉnh", "Province"),
    "crs_standard": ("Kinh tuyến trục theo", "Central meridian of"),
    "crs_tt973": ("tỉnh cũ (TT 973/2001, hồ sơ trước 7/2025)",
                  "the former province (TT 973/2001, files before 7/2025)"),
    "crs_tt24": ("tỉnh mới (TT 24/2025)", "the current province (TT 24/2025)"),
    "crs_meridian_is": ("Kinh tuyến trục: {lon0}°", "Central meridian: {lon0}°"),
    "crs_meridian": ("Kinh tuyến trục (độ)", "Central meridian (degrees)"),
    "crs_epsg_code": ("Mã EPSG", "EPSG code"),
    "axis_title": ("Cột X / Y", "X / Y columns"),
    "axis_auto": ("Tự nhận", "Automatic"),
    "axis_yx": ("X = Bắc, Y = Đông (quy ước VN-2000)", "X = north, Y = east (VN-2000)"),
    "axis_xy": ("X = Đông, Y = Bắc", "X = east, Y = north"),
    "crs_hint": ("Chọn hệ toạ độ của tệp trong mục « Hệ toạ độ của tệp » ở trên.",
                 "Choose the file's coordinate system in 'Coordinate system of the file' above."),
    "uploader_drop": ("Kéo và thả tệp vào đây", "Drag and drop files here"),
    "uploader_limit": ("Tối đa {mb} MB mỗi tệp", "At most {mb} MB per file"),
    "uploader_browse": ("Chọn tệp", "Browse files"),
    "rasters": ("Raster", "Rasters"),
    # parameters
    "params_intro": (
        "Các tham số của phân tích, với giá trị mặc định. Thay đổi rồi bấm « Chạy lại phân tích ».",
        "The analysis parameters, with their defaults. Change them, then press "
        "'Re-run the analysis'.",
    ),
    "default": ("Mặc định", "Default"),
    "params_changed": ("Tham số đã đổi so với mặc định", "Parameters changed from the defaults"),
    "params_reset": ("Đặt lại mặc định", "Reset to defaults"),
    "params_invalid": ("Tham số không hợp lệ", "Invalid parameters"),
    "params_json": ("Tham số dạng JSON", "Parameters as JSON"),
    "target_changed": ("đã sửa", "changed"),
    "targets_table_help": ("Sửa mục tiêu trực tiếp trong bảng (phần trăm); để trống nếu kế "
                           "hoạch không đặt mục tiêu. Bấm « Chạy lại phân tích » để áp dụng.",
                           "Edit the targets in the table (percent); leave one empty when the "
                           "plan sets none. Press 'Re-run the analysis' to apply."),
    "unit": ("Đơn vị", "Unit"),
    "comparison": ("So sánh", "Comparison"),
    # results
    "results_intro": ("Bảng kết quả theo thôn và các bảng phân tích; lọc và tìm kiếm.",
                      "Per-hamlet results and the analysis tables; filter and search."),
    "table_hamlets": ("Kết quả theo thôn", "Per-hamlet results"),
    "filter_commune": ("Lọc theo xã (xã cũ trong ngoặc)",
                       "Filter by commune (former communes in brackets)"),
    "filter_province": ("Lọc theo tỉnh", "Filter by province"),
    "filter_indicator": ("Các thôn chưa đạt chỉ tiêu « {name} »",
                         "The hamlets that keep « {name} » from its target"),
    "filter_clear": ("Bỏ lọc", "Clear"),
    "uncovered_short": ("Bản rút gọn cho cán bộ quy hoạch (tên, xã, dân số, còn thiếu gì, "
                        "giải pháp)", "The planner's short version (name, commune, "
                        "population, what is missing, the fix)"),
    "filter_status": ("Lọc theo trạng thái", "Filter by status"),
    "only_uncovered": ("Chỉ thôn chưa được phủ (di động hoặc FTTH)",
                       "Only hamlets lacking coverage (mobile or FTTH)"),
    # what-if and terrain profile (issue 15 items 9, 10)
    "whatif_intro": ("Thêm một trạm, dời một trạm, hay đổi độ cao, hướng, góc chúc, công nghệ: "
                     "chỉ vùng phủ của trạm đó được tính lại, rồi xem các thôn được phủ thêm hay "
                     "mất sóng và các chỉ tiêu mới. Bấm lên bản đồ để chọn vị trí.",
                     "Add a site, move one, or change its height, azimuth, tilt or technology: "
                     "only that site's coverage is recomputed; see the hamlets gained and lost "
                     "and the new indicators. Click the map to pick a position."),
    "whatif_action": ("Thao tác", "Action"),
    "whatif_change": ("Sửa / dời trạm", "Change / move a site"),
    "whatif_add": ("Thêm trạm", "Add a site"),
    "whatif_remove": ("Bỏ trạm", "Remove a site"),
    "whatif_new_id": ("Mã trạm mới", "New site id"),
    "whatif_site": ("Trạm", "Site"),
    "whatif_from_click": ("Vị trí lấy từ điểm bấm trên bản đồ.",
                          "Position from the click on the map."),
    "lon": ("Kinh độ", "Longitude"),
    "lat": ("Vĩ độ", "Latitude"),
    "whatif_height": ("Độ cao anten (m)", "Antenna height (m)"),
    "whatif_azimuths": ("Góc phương vị các sector (độ, cách nhau bởi dấu phẩy)",
                        "Sector azimuths (degrees, comma-separated)"),
    "whatif_tilt": ("Góc chúc (độ)", "Downtilt (°)"),
    "whatif_tech": ("Công nghệ", "Technologies"),
    "whatif_compute": ("Tính lại vùng phủ của trạm", "Recompute the site's coverage"),
    "whatif_bad_azimuths": ("Góc phương vị phải là các số, ví dụ 0, 120, 240.",
                            "Azimuths must be numbers, e.g. 0, 120, 240."),
    "whatif_done": ("Đã tính lại trong {s} giây: {n} máy phát, {cells} ô thay đổi.",
                    "Recomputed in {s} s: {n} transmitters, {cells} cells changed."),
    "whatif_gained": ("Thôn được phủ thêm", "Hamlets gained"),
    "whatif_lost": ("Thôn mất sóng", "Hamlets lost"),
    "whatif_changed": ("Thôn đổi trạng thái khác", "Other status changes"),
    "whatif_gained_one": ("được phủ thêm", "gained"),
    "whatif_lost_one": ("mất sóng", "lost"),
    "whatif_changed_one": ("đổi trạng thái", "changed"),
    "whatif_before": ("Trước", "Before"),
    "whatif_after": ("Sau", "After"),
    "whatif_indicators": ("Chỉ tiêu thay đổi", "Indicators that change"),
    "whatif_no_change": ("Chỉ tiêu (không chỉ tiêu nào thay đổi)",
                         "Indicators (none changes)"),
    "whatif_not_redone": ("Phân tích dùng chung hạ tầng, cột đề xuất và tốc độ ước tính không "
                          "được tính lại ở đây: dùng « Áp dụng cho phiên này » để chạy lại đầy "
                          "đủ.",
                          "The sharing analysis, proposed towers and speed estimates are not "
                          "redone here: 'Use in this session' runs the full analysis."),
    "whatif_unavailable": ("Lần chạy này không giữ vùng phủ hoặc DEM trong bộ nhớ (vùng quá "
                           "lớn): không thử nghiệm được.",
                           "This run kept no coverage or DEM in memory (area too large): no "
                           "what-if."),
    "whatif_failed": ("Không tính được", "The what-if failed"),
    "whatif_keep": ("Giữ thay đổi", "Keep the change"),
    "whatif_drop": ("Bỏ thay đổi", "Drop the change"),
    "whatif_kept": ("Đã giữ {n} thay đổi", "{n} changes kept"),
    "whatif_download": ("Tải lớp trạm đã sửa ({fmt})", "Download the edited sites ({fmt})"),
    "whatif_use": ("Áp dụng cho phiên này (chạy lại đầy đủ)", "Use in this session (full run)"),
    "whatif_reset": ("Bỏ mọi thay đổi", "Drop every change"),
    "profile_title": ("Mặt cắt địa hình giữa trạm và thôn", "Terrain profile, site to hamlet"),
    "profile_hamlet": ("Thôn", "Hamlet"),
    "profile_freq": ("Tần số", "Frequency"),
    "profile_ground": ("Mặt đất (kể cả độ cong Trái Đất)", "Ground (with the earth's bulge)"),
    "profile_los": ("Đường nhìn thẳng", "Line of sight"),
    "profile_fresnel": ("Miền Fresnel thứ nhất", "First Fresnel zone"),
    "profile_obstruction": ("Vật chắn cao nhất", "Highest obstruction"),
    "profile_distance": ("Khoảng cách từ trạm (km)", "Distance from the site (km)"),
    "profile_height": ("Độ cao (m)", "Height (m)"),
    "profile_length": ("Chiều dài tuyến", "Link length"),
    "profile_los_q": ("Nhìn thẳng", "Line of sight"),
    "profile_clearance": ("Độ thoáng Fresnel", "Fresnel clearance"),
    "profile_model": ("Mô hình", "Model"),
    "profile_loss": ("Suy hao đường truyền", "Path loss"),
    "profile_outside": ("ngoài phạm vi áp dụng (ngoại suy)", "outside its range (extrapolated)"),
    "profile_band_model": ("mô hình của băng tần này", "the band's model"),
    "model_free_space": ("Không gian tự do", "Free space"),
    "model_okumura_hata": ("Okumura-Hata", "Okumura-Hata"),
    "model_cost231_hata": ("COST-231 Hata", "COST-231 Hata"),
    "model_rma": ("3GPP RMa (nông thôn)", "3GPP RMa (rural)"),
    "model_engine": ("Công cụ tính vùng phủ (mô hình + nhiễu xạ địa hình)",
                     "Coverage engine (model + terrain diffraction)"),
    "model_itm": ("ITM (Longley-Rice) theo mặt cắt", "ITM (Longley-Rice) on the profile"),
    "note": ("Ghi chú", "Note"),
    # export
    "export_intro": ("Tải về kết quả để gửi đi hoặc mở trong Excel, Google Earth, QGIS.",
                     "Download results to hand on or open in Excel, Google Earth, QGIS."),
    "export_uncovered": ("Danh sách thôn chưa được phủ", "Uncovered hamlets list"),
    "export_tables": ("Các bảng kết quả", "Result tables"),
    "export_rasters": ("Raster vùng phủ (GeoTIFF)", "Coverage rasters (GeoTIFF)"),
    "export_report": ("Báo cáo", "Report"),
    "export_project": ("Toàn bộ dự án (zip)", "The whole project (zip)"),
    "export_run": ("Toàn bộ kết quả lần chạy (zip)", "All results of the run (zip)"),
    "prepare": ("Chuẩn bị tệp", "Prepare the file"),
    "n_rows": ("{n} dòng", "{n} rows"),
    "export_uncovered_rows": ("Mỗi tệp có {rows} (một dòng một thôn).",
                              "Each file has {rows} (one row per hamlet)."),
    "export_short": ("Bản rút gọn: tên, xã, dân số, còn thiếu gì, giải pháp đề xuất",
                     "Short version: name, commune, population, what is missing, the fix"),
    "export_full": ("Bản đầy đủ (mọi cột, cả định dạng GIS)",
                    "Full version (every column, GIS formats too)"),
    "export_tables_note": ("Các bảng CSV cho người đọc, tiêu đề và giá trị theo ngôn ngữ đã "
                           "chọn; dữ liệu gốc cho QGIS và chương trình nằm trong « Toàn bộ kết "
                           "quả lần chạy ».",
                           "CSV tables for people, headers and values in the chosen "
                           "language; the raw data for QGIS and scripts is in 'All results "
                           "of the run'."),
    "compare_title": ("So sánh với lần chạy trước (báo cáo hằng năm)",
                      "Compare with an earlier run (the yearly report)"),
    "compare_intro": ("Tải lên kết quả lần chạy trước (tệp « Toàn bộ kết quả lần chạy (zip) » "
                      "của năm trước): thôn mới được phủ, thôn mất dịch vụ, tỷ lệ dùng chung, "
                      "theo tỉnh, xã mới và huyện cũ.",
                      "Upload the earlier run (last year's 'All results of the run (zip)'): "
                      "hamlets newly covered and lost, the sharing rate, per province, new "
                      "commune and former district."),
    "compare_upload": ("Kết quả lần chạy trước (zip)", "The earlier run (zip)"),
    "compare_year": ("Năm báo cáo", "Report year"),
    "compare_plan": ("Tên kế hoạch", "Plan name"),
    "compare_failed": ("Không so sánh được", "The comparison failed"),
    "compare_metric": ("Thôn có {service} (mới / mất)", "Hamlets with {service} (new / lost)"),
    "compare_rekeyed": ("Lần chạy trước được lập trước khi có đơn vị hành chính 2025: các thôn "
                        "đã được chuyển sang xã, tỉnh mới theo bảng chuyển đổi.",
                        "The earlier run was made before the 2025 units: its hamlets were "
                        "re-keyed to the new communes and provinces through the crosswalk."),
    "download": ("Tải về", "Download"),
    # Data page: import open data (gis.app.opendata)
    "od_title": ("Nhập dữ liệu mở", "Import open data"),
    "od_intro": ("Tạo hoặc bổ sung lớp từ dữ liệu mở. Chỉ các lớp được nhập thay lớp hiện có, "
                 "và chỉ trong phiên này.",
                 "Build or complete layers from open data. Only the imported layers are replaced, "
                 "and only for this session."),
    "od_source": ("Nguồn dữ liệu", "Source"),
    "od_files": ("Tệp dữ liệu", "Data file(s)"),
    "od_osm_layers": ("Các lớp lấy từ OpenStreetMap", "Layers to take from OpenStreetMap"),
    "od_area": ("Vùng nhập", "Import area"),
    "od_area_extent": ("Phạm vi khu vực hiện tại: {bbox}", "The current area's extent: {bbox}"),
    "od_area_bbox": ("Khung toạ độ tự nhập", "A bounding box I type"),
    "od_bbox": ("Khung minlon,minlat,maxlon,maxlat (độ, WGS84)",
                "Box minlon,minlat,maxlon,maxlat (degrees, WGS84)"),
    "od_button": ("Nhập dữ liệu", "Import"),
    "od_running": ("Đang nhập…", "Importing…"),
    "od_failed": ("Không nhập được dữ liệu mở", "The open data could not be imported"),
    "od_done": ("Đã nhập từ {source} trong vùng {area}: {kinds} (chỉ trong phiên này).",
                "Imported from {source} in the area {area}: {kinds} (this session only)."),
    "od_no_extent": ("Khu vực chưa có lớp nào: hãy nhập khung toạ độ.",
                     "The area has no layers yet: type a bounding box."),
    # Data page: calibration on measurements (gis.app.calibration)
    "calib_title": ("Hiệu chỉnh mô hình theo số liệu đo", "Calibration on measurements"),
    "calib_intro": (
        "Tải số liệu đo (drive test như G-NetTrack/TEMS, kết quả đo tốc độ, OpenCelliD): cột "
        "toạ độ, nhà mạng, công nghệ (hoặc băng tần, tần số) và RSRP (dBm). Mỗi nhà mạng và lớp "
        "phủ mặt đất được khớp một độ lệch và một độ dốc theo khoảng cách (hồi quy Huber); hiệu "
        "chỉnh chỉ được áp dụng khi làm giảm RMSE kiểm định chéo 5 lần.",
        "Upload measurements (a G-NetTrack / TEMS drive test, a speed-test export, "
        "OpenCelliD): coordinates, operator, technology (or band, frequency) and RSRP (dBm). "
        "Each operator and land-cover class gets an offset and a distance slope (Huber "
        "regression); a correction is applied only where it lowers the 5-fold cross-validated "
        "RMSE."),
    "calib_upload": ("Tệp số liệu đo", "Measurement file"),
    "calib_fit": ("Hiệu chỉnh", "Calibrate"),
    "calib_running": ("Đang tính vùng phủ và khớp hiệu chỉnh…",
                      "Computing the coverage and fitting the calibration…"),
    "calib_groups": ("Các nhóm hiệu chỉnh", "Calibration groups"),
    "calib_none": ("Không nhóm nào hiệu chỉnh được với số liệu này.",
                   "No group could be calibrated with these measurements."),
    "calib_apply": ("Áp dụng hiệu chỉnh vào tham số", "Apply the calibration to the parameters"),
    "calib_applied": ("Đã áp dụng: lần chạy tiếp theo dùng hiệu chỉnh này.",
                      "Applied: the next run uses this calibration."),
    "calib_read": ("{loaded} / {read} dòng đo được đọc từ {source}.",
                   "{loaded} of {read} measurement rows read from {source}."),
}


_STRINGS.update({k: v for k, v in MAP_LABELS.items() if k not in _STRINGS})


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The UI string ``key`` in ``lang`` (``"vi"`` or ``"en"``), formatted with ``fmt``.

    An unknown key is returned as is, so a missing translation shows up visibly instead of
    breaking the page.
    """
    pair = _STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fmt) if fmt else text
