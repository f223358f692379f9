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
        "Các lớp của khu vực. Tải lên tệp của bạn để thay lớp mẫu trong phiên làm việc này "
        "(không ảnh hưởng người dùng khác).",
        "The area's layers. Upload your own files to replace a sample layer for this session "
        "only (other users are not affected).",
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
    "upload_applied": ("Đã thay lớp {kind} cho phiên này.", "The {kind} layer was replaced for "
                       "this session."),
    "upload_too_big": ("Tệp quá lớn: {mb:.1f} MB (tối đa {max_mb} MB).",
                       "The upload is too large: {mb:.1f} MB (at most {max_mb} MB)."),
    "upload_error": ("Không dùng được tệp tải lên", "The upload cannot be used"),
    "readers_missing": ("Chức năng đọc tệp (gis.layers.read) chưa có trong phiên bản này.",
                        "File reading (gis.layers.read) is not available in this version yet."),
    "reset_layers": ("Bỏ các lớp đã tải lên (trở về dữ liệu mẫu)",
                     "Drop the uploaded layers (back to the sample data)"),
    "rejected_rows": ("Dòng không dùng được", "Rows that could not be used"),
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
    # results
    "results_intro": ("Bảng kết quả theo thôn và các bảng phân tích; lọc và tìm kiếm.",
                      "Per-hamlet results and the analysis tables; filter and search."),
    "table_hamlets": ("Kết quả theo thôn", "Per-hamlet results"),
    "filter_commune": ("Lọc theo xã", "Filter by commune"),
    "filter_status": ("Lọc theo trạng thái", "Filter by status"),
    "only_uncovered": ("Chỉ thôn chưa được phủ (di động hoặc FTTH)",
                       "Only hamlets lacking coverage (mobile or FTTH)"),
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
    "download": ("Tải về", "Download"),
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
