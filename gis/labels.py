"""Bilingual (Vietnamese / English) labels of what users see: columns, indicators, statuses, reasons.

Code and files use English snake_case names; exports, reports and the app show these labels when
the user picks a language. One table per kind of thing, each entry ``key -> (vi, en)``. Unknown
keys fall back to a readable form of the key, never to an error, so that a new column added by
another analysis still shows up (in English) until it gets a label here.

>>> label("population", "vi")
'Dân số'
>>> label("no_such_column", "en")
'No such column'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from gis.errors import ValidationError
from gis.layers.schema import LAYER_SPECS, LayerKind

__all__ = [
    "COLUMN_LABELS",
    "CONFLICT_LABELS",
    "DUCT_CLASS_LABELS",
    "DUCT_COLUMN_LABELS",
    "LANGS",
    "MAP_LABELS",
    "NOTE_PHRASES",
    "OPERATOR_NAMES",
    "RASTER_LABELS",
    "REASON_LABELS",
    "SCOPE_LABELS",
    "SPEED_COLUMN_LABELS",
    "STATISTICS_COLUMN_LABELS",
    "STATUS_LABELS",
    "TABLE_LABELS",
    "TEXT",
    "TIER_LABELS",
    "UNIT_COLUMN_LABELS",
    "UNIT_SOURCE_LABELS",
    "URBAN_CRITERIA_LABELS",
    "check_lang",
    "column_label",
    "indicator_note",
    "kind_label",
    "label",
    "localise_columns",
    "map_text",
    "status_label",
    "table_label",
    "text",
]

#: The languages the tool speaks.
LANGS = ("vi", "en")

#: Column name -> (Vietnamese, English). Covers the canonical hamlet table, the columns each
#: analysis adds, the result tables and the indicator table.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # base hamlet table
    "village_id": ("Mã thôn", "Hamlet ID"),
    "name": ("Tên", "Name"),
    "commune": ("Xã/phường", "Commune"),
    "district": ("Huyện", "District"),
    "province": ("Tỉnh", "Province"),
    "population": ("Dân số", "Population"),
    "households": ("Số hộ", "Households"),
    "lon": ("Kinh độ", "Longitude"),
    "lat": ("Vĩ độ", "Latitude"),
    # radio
    "mobile_4g": ("Có 4G", "4G coverage"),
    "mobile_5g": ("Có 5G", "5G coverage"),
    "mobile_broadband": ("Có băng rộng di động", "Mobile broadband"),
    "pop_share_4g": ("Tỷ lệ dân số phủ 4G", "Population share with 4G"),
    "pop_share_5g": ("Tỷ lệ dân số phủ 5G", "Population share with 5G"),
    "no_signal": ("Trắng sóng", "No signal"),
    "weak_spot": ("Lõm sóng", "Weak spot"),
    # fiber
    "ftth": ("Có cáp quang FTTH", "FTTH"),
    "hh_share_ftth": ("Tỷ lệ hộ tiếp cận FTTH", "Household share able to get FTTH"),
    "ftth_distance_m": ("Khoảng cách tới điểm quang (m)", "Distance to fiber access (m)"),
    "ftth_centre": ("Nhà văn hóa có cáp quang", "FTTH at the centre (cultural house)"),
    "households_ftth": ("Số hộ tiếp cận FTTH", "Households able to get FTTH"),
    "fiber_plan_status": ("Trạng thái kế hoạch cáp quang", "Fiber plan status"),
    "fiber_route_id": ("Tuyến cáp phục vụ", "Serving fiber route"),
    "olt_to_home_km": ("Khoảng cách OLT tới hộ (km)", "OLT to home (km)"),
    "gpon_ok": ("Đạt quỹ công suất GPON", "GPON budget met"),
    "rsrp_4g_dbm": ("RSRP 4G (dBm)", "4G RSRP (dBm)"),
    "rsrp_5g_dbm": ("RSRP 5G (dBm)", "5G RSRP (dBm)"),
    "kind_vi": ("Loại (tiếng Việt)", "Kind (Vietnamese)"),
    "reason_vi": ("Lý do (tiếng Việt)", "Reason (Vietnamese)"),
    "reason_en": ("Lý do (tiếng Anh)", "Reason (English)"),
    # sharing
    "n_sites": ("Số trạm", "Sites"),
    "height_m": ("Độ cao (m)", "Height (m)"),
    "hamlet_index": ("Thứ tự thôn", "Hamlet rows"),
    "sharing_rate": ("Tỷ lệ dùng chung", "Sharing rate"),
    "scope_type": ("Cấp", "Level"),
    "positions": ("Số vị trí", "Positions"),
    "shared_positions": ("Số vị trí dùng chung", "Shared positions"),
    "tenancies": ("Số lượt thuê", "Tenancies"),
    "shared_tenancies": ("Số lượt thuê trên vị trí dùng chung", "Tenancies on shared positions"),
    "tenancy_sharing_rate": ("Tỷ lệ dùng chung theo lượt thuê", "Tenancy sharing rate"),
    "hamlets": ("Các thôn", "Hamlets"),
    "n_hamlets": ("Số thôn", "Number of hamlets"),
    "candidate_kind": ("Loại vị trí ứng viên", "Candidate kind"),
    "group_id": ("Mã nhóm", "Group ID"),
    "keep_position_id": ("Vị trí giữ lại", "Position kept"),
    "remove_position_ids": ("Vị trí có thể dỡ bỏ", "Positions that can be removed"),
    "n_towers_removed": ("Số cột dỡ bỏ", "Towers removed"),
    "hamlets_checked": ("Số thôn đã kiểm tra", "Hamlets checked"),
    "switch_off": ("Tắt công nghệ", "Switch-off"),
    "hamlets_lost": ("Số thôn mất sóng", "Hamlets losing coverage"),
    "population_lost": ("Dân số mất sóng", "Population losing coverage"),
    "lost_if_2g_off": ("Mất sóng khi tắt 2G", "Lost when 2G is switched off"),
    "lost_if_3g_off": ("Mất sóng khi tắt 3G", "Lost when 3G is switched off"),
    "position_id": ("Mã vị trí", "Position ID"),
    "operators": ("Nhà mạng", "Operators"),
    "operator": ("Nhà mạng", "Operator"),
    "n_operators": ("Số nhà mạng", "Number of operators"),
    "shared": ("Dùng chung", "Shared"),
    "host_position_id": ("Vị trí cột chủ", "Host position"),
    "host_operators": ("Nhà mạng tại cột chủ", "Host operators"),
    "hamlets_gained": ("Số thôn được phủ thêm", "Hamlets gained"),
    "population_gained": ("Dân số được phủ thêm", "Population gained"),
    "tower_id": ("Mã cột đề xuất", "Proposed tower ID"),
    "hamlets_served": ("Thôn được phục vụ", "Hamlets served"),
    "population_served": ("Dân số được phục vụ", "Population served"),
    "households_served": ("Số hộ được phục vụ", "Households served"),
    "tower_class": ("Loại cột", "Tower class"),
    "route_id": ("Mã tuyến", "Route ID"),
    "length_m": ("Chiều dài (m)", "Length (m)"),
    "cost_vnd": ("Chi phí (VNĐ)", "Cost (VND)"),
    "cost_per_household_vnd": ("Chi phí mỗi hộ (VNĐ)", "Cost per household (VND)"),
    "facility_id": ("Mã cơ sở", "Facility ID"),
    "kind": ("Loại", "Kind"),
    "connected": ("Đã kết nối", "Connected"),
    # uncovered list
    "status": ("Trạng thái", "Status"),
    "reason": ("Lý do", "Reason"),
    "reason_code": ("Mã lý do", "Reason code"),
    "proposed_fix": ("Giải pháp đề xuất", "Proposed fix"),
    "fix_tower_id": ("Cột mới đề xuất", "Proposed tower"),
    "fix_tower_distance_m": ("Khoảng cách tới cột mới (m)", "Distance to proposed tower (m)"),
    "fix_colocation_position_id": ("Vị trí dùng chung đề xuất", "Co-location position"),
    "fix_colocation_operator": ("Nhà mạng dùng chung", "Co-locating operator"),
    "colocation_fix": ("Cơ hội dùng chung tốt nhất", "Best co-location opportunity"),
    "proposed_tower_id": ("Cột mới phục vụ", "Serving proposed tower"),
    "status_label": ("Trạng thái (diễn giải)", "Status (label)"),
    "aerial_m": ("Đi nổi (m)", "Aerial (m)"),
    "underground_m": ("Đi ngầm (m)", "Underground (m)"),
    "planned_works_m": ("Trùng công trình dự kiến (m)", "Along planned works (m)"),
    "max_loss_db": ("Suy hao lớn nhất (dB)", "Largest optical loss (dB)"),
    "max_olt_to_home_km": ("Khoảng cách OLT tới hộ xa nhất (km)", "Longest OLT to home (km)"),
    "rank": ("Thứ hạng", "Rank"),
    "village_ids": ("Mã các thôn", "Hamlet IDs"),
    "fix_colocation_distance_m": ("Khoảng cách tới vị trí dùng chung (m)",
                                  "Distance to co-location position (m)"),
    "fix_fiber_route_id": ("Tuyến cáp kéo mới đề xuất", "Fiber extension route"),
    "fix_fiber_distance_m": ("Khoảng cách tới tuyến cáp mới (m)",
                             "Distance to fiber extension (m)"),
    # indicators
    "indicator_id": ("Mã chỉ tiêu", "Indicator ID"),
    "name_vi": ("Tên chỉ tiêu (tiếng Việt)", "Name (Vietnamese)"),
    "name_en": ("Tên chỉ tiêu (tiếng Anh)", "Name (English)"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "scope_level": ("Cấp", "Level"),
    "scope": ("Phạm vi", "Scope"),
    "value": ("Giá trị", "Value"),
    "target": ("Mục tiêu", "Target"),
    "direction": ("Chiều so sánh", "Comparison"),
    "met": ("Đạt", "Met"),
    "gap": ("Còn thiếu", "Gap"),
    "gap_unit": ("Đơn vị", "Unit"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "note": ("Ghi chú", "Note"),
    # sites, layers and map fields
    "site_id": ("Mã trạm", "Site ID"),
    "tech": ("Công nghệ", "Technology"),
    "structure": ("Loại cột", "Structure"),
    "azimuth_deg": ("Góc phương vị (độ)", "Azimuth (°)"),
    "position_uncertainty_m": ("Sai số vị trí ước tính (m)", "Estimated position uncertainty (m)"),
    "source": ("Nguồn dữ liệu", "Data source"),
    "level": ("Cấp", "Level"),
    "road_class": ("Cấp đường", "Road class"),
    "mobile_status": ("Trạng thái di động", "Mobile status"),
    "ftth_status": ("Trạng thái cáp quang", "FTTH status"),
    # coverage polygons
    "tier": ("Mức phủ sóng", "Coverage tier"),
    "rsrp_min_dbm": ("RSRP tối thiểu (dBm)", "Minimum RSRP (dBm)"),
    "layer": ("Lớp", "Layer"),
    # calibration on measurements (gis.radio.calibration)
    "clutter_class": ("Lớp phủ mặt đất (mã)", "Land-cover class (code)"),
    "clutter_name": ("Lớp phủ mặt đất", "Land cover"),
    "techs": ("Công nghệ", "Technologies"),
    "n_points": ("Số điểm đo", "Measurements"),
    "applied": ("Áp dụng", "Applied"),
    "offset_db": ("Độ lệch (dB)", "Offset (dB)"),
    "offset_se_db": ("Sai số chuẩn độ lệch (dB)", "Offset standard error (dB)"),
    "offset_ci_db": ("Khoảng tin cậy độ lệch ± (dB)", "Offset confidence ± (dB)"),
    "slope_db_per_decade": ("Độ dốc theo khoảng cách (dB/decade)",
                            "Distance slope (dB/decade)"),
    "slope_se_db": ("Sai số chuẩn độ dốc (dB/decade)", "Slope standard error (dB/decade)"),
    "slope_ci_db": ("Khoảng tin cậy độ dốc ± (dB/decade)", "Slope confidence ± (dB/decade)"),
    "slope_fitted": ("Có khớp độ dốc", "Slope fitted"),
    "rmse_before_db": ("RMSE trước (dB)", "RMSE before (dB)"),
    "rmse_after_db": ("RMSE sau, kiểm định chéo (dB)", "RMSE after, cross-validated (dB)"),
    "rmse_cv_fit_db": ("RMSE kiểm định chéo của phép khớp (dB)",
                       "Cross-validated RMSE of the fit (dB)"),
    "mean_error_before_db": ("Sai số trung bình trước (dB)", "Mean error before (dB)"),
    "mean_error_after_db": ("Sai số trung bình sau, kiểm định chéo (dB)",
                            "Mean error after, cross-validated (dB)"),
    "measured_dbm": ("Tín hiệu đo (dBm)", "Measured signal (dBm)"),
    "predicted_dbm": ("Tín hiệu dự báo (dBm)", "Predicted signal (dBm)"),
    "calibrated_dbm": ("Tín hiệu dự báo đã hiệu chỉnh (dBm)", "Calibrated prediction (dBm)"),
    "error_before_db": ("Sai số trước: dự báo - đo (dB)", "Error before: predicted - measured (dB)"),
    "error_after_db": ("Sai số sau hiệu chỉnh (dB)", "Error after calibration (dB)"),
    "cv_error_after_db": ("Sai số sau, kiểm định chéo (dB)", "Error after, cross-validated (dB)"),
    "distance_m": ("Khoảng cách tới trạm phục vụ (m)", "Distance to the serving site (m)"),
    "used": ("Dùng trong phép khớp", "Used in the fit"),
    "calibration_group": ("Nhóm hiệu chỉnh", "Calibration group"),
    # layers as files give them (the map's popups, the app's tables)
    "centre_lon": ("Kinh độ trung tâm", "Centre longitude"),
    "centre_lat": ("Vĩ độ trung tâm", "Centre latitude"),
    "centre_x": ("Toạ độ X trung tâm (m)", "Centre X (m)"),
    "centre_y": ("Toạ độ Y trung tâm (m)", "Centre Y (m)"),
    "band": ("Băng tần", "Band"),
    "freq_mhz": ("Tần số (MHz)", "Frequency (MHz)"),
    "beamwidth_deg": ("Độ rộng búp sóng (độ)", "Beamwidth (°)"),
    "tilt_deg": ("Góc ngẩng/chúc (độ)", "Tilt (°)"),
    "eirp_dbm": ("Công suất phát xạ EIRP (dBm)", "EIRP (dBm)"),
    "owner": ("Chủ sở hữu", "Owner"),
    "planned_works": ("Công trình dự kiến", "Planned works"),
    "installation": ("Cách lắp đặt", "Installation"),
    "node_id": ("Mã điểm quang", "Node ID"),
    "capacity": ("Dung lượng", "Capacity"),
    "code": ("Mã", "Code"),
    "share_basis": ("Cách tính tỷ lệ phủ", "Share computed"),
    # the planner's short uncovered list and the what-if (issue 15)
    "missing": ("Còn thiếu", "What is missing"),
    "population_served_by": ("Dân số được phục vụ", "Population served"),
    "whatif_change": ("Thay đổi", "Change"),
}

#: Status code (:mod:`gis.analysis.status`: the hamlet status and its mobile and FTTH views)
#: -> (vi, en). Used by the uncovered list, the KML folders, the map legend, the report and the app.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "no_signal": ("Trắng sóng", "No signal"),
    "weak_spot": ("Lõm sóng", "Weak spot"),
    "no_broadband": ("Không có 4G/5G", "No 4G/5G"),
    "no_ftth": ("Chưa có cáp quang FTTH", "No FTTH"),
    "ok": ("Đạt", "Covered"),
    "covered": ("Có sóng 4G/5G", "Covered (4G/5G)"),
    "ftth_yes": ("Có cáp quang (FTTH)", "FTTH available"),
    "ftth_no": ("Chưa có cáp quang", "No FTTH"),
    "unknown": ("Chưa tính", "Not computed"),
}

# -- words for the codes result tables hold (issue 15: no code reaches a person) -----------------

#: ``fiber_plan_status`` of a hamlet (:mod:`gis.pipeline.fiber`) -> (vi, en).
FIBER_PLAN_LABELS: dict[str, tuple[str, str]] = {
    "has_ftth": ("Đã có cáp quang", "Has FTTH"),
    "needs_access_points": ("Có cáp ở trung tâm, cần thêm điểm truy nhập",
                            "Fiber at the centre, more access points needed"),
    "needs_splitter": ("Có cáp đi qua, cần bộ chia quang", "A cable passes, a splitter is needed"),
    "planned": ("Có tuyến cáp đề xuất", "On a proposed fiber route"),
    "on_network": ("Trên mạng cáp hiện có", "On the existing network"),
    "unreachable": ("Không có đường để kéo cáp tới", "No road leads there from the network"),
    "no_existing_fiber": ("Khu vực chưa có cáp quang", "No fiber in the area yet"),
}

#: ``candidate_kind`` of a proposed tower (:mod:`gis.analysis.siting`) -> (vi, en).
CANDIDATE_LABELS: dict[str, tuple[str, str]] = {
    "road": ("Ven đường", "Along a road"),
    "facility": ("Tại cơ sở công cộng", "At a public facility"),
    "hamlet_centre": ("Trung tâm thôn", "Hamlet centre"),
    "grid": ("Điểm lưới", "Grid point"),
}

#: ``share_basis`` of a hamlet's coverage share (:mod:`gis.analysis.mobile`) -> (vi, en).
SHARE_BASIS_LABELS: dict[str, tuple[str, str]] = {
    "population": ("theo dân số", "by population"),
    "area": ("theo diện tích", "by area"),
    "centre": ("theo trung tâm thôn", "by the hamlet centre"),
}

#: Road class (:data:`gis.maps.style.ROAD_STYLES`) -> (vi, en).
ROAD_CLASS_LABELS: dict[str, tuple[str, str]] = {
    "national": ("Quốc lộ", "National road"),
    "provincial": ("Đường tỉnh", "Provincial road"),
    "district": ("Đường huyện", "District road"),
    "commune": ("Đường xã", "Commune road"),
    "village": ("Đường thôn", "Village road"),
    "urban": ("Đường đô thị", "Urban street"),
    "other": ("Đường khác", "Other road"),
}

#: Fiber level -> (vi, en).
FIBER_LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "backbone": ("Cáp trục", "Backbone"),
    "distribution": ("Cáp phân phối", "Distribution"),
    "access": ("Cáp truy nhập", "Access"),
}

#: Words of a boolean cell -> (vi, en); ``met`` says Đạt / Chưa đạt instead.
BOOLEAN_LABELS: dict[bool, tuple[str, str]] = {True: ("Có", "Yes"), False: ("Không", "No")}
MET_LABELS: dict[bool, tuple[str, str]] = {True: ("Đạt", "Met"), False: ("Chưa đạt", "Not met")}

#: Reason code of the uncovered list -> (vi, en). Combinations are joined with "; ".
REASON_LABELS: dict[str, tuple[str, str]] = {
    "no_signal": ("trắng sóng", "no signal"),
    "weak_spot": ("lõm sóng", "weak spot"),
    "no_broadband": ("không có 4G/5G", "no 4G/5G"),
    "no_ftth": ("không có FTTH", "no FTTH"),
}

#: Coverage tier (polygons of the coverage rasters) -> (vi, en).
TIER_LABELS: dict[str, tuple[str, str]] = {
    "good": ("Tốt", "Good"),
    "fair": ("Khá", "Fair"),
    "edge": ("Biên vùng phủ", "Cell edge"),
}

#: Scope level of an indicator row -> (vi, en).
SCOPE_LABELS: dict[str, tuple[str, str]] = {
    "area": ("Toàn vùng", "Whole area"),
    "district": ("Huyện", "District"),
    "commune": ("Xã", "Commune"),
    # the 2025 units (issue 16): the new communes, provinces, and the former units as history
    "province": ("Tỉnh", "Province"),
    "former_district": ("Huyện cũ (trước 1/7/2025)", "Former district (before 1 July 2025)"),
    "former_commune": ("Xã cũ (trước 1/7/2025)", "Former commune (before 1 July 2025)"),
}

#: Result table name -> (vi, en) title (workbook sheets, report sections, the app's tables).
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "indicators": ("Chỉ tiêu", "Indicators"),
    "hamlets": ("Các thôn", "Hamlets"),
    "uncovered": ("Thôn chưa phủ", "Uncovered hamlets"),
    "uncovered_hamlets": ("Thôn chưa phủ", "Uncovered hamlets"),
    "positions": ("Số vị trí", "Positions"),
    "colocation_opportunities": ("Cơ hội dùng chung", "Co-location opportunities"),
    "proposed_towers": ("Cột đề xuất", "Proposed towers"),
    "fiber_extensions": ("Tuyến cáp kéo mới", "Fiber extensions"),
    "facilities": ("Cơ sở công cộng", "Facilities"),
    "consolidation": ("Gộp cột", "Tower consolidation"),
    "switch_off_impact": ("Tác động tắt 2G-3G", "2G-3G switch-off impact"),
    "sharing_rates": ("Tỷ lệ dùng chung", "Sharing rates"),
    "unreachable_hamlets": ("Thôn không phủ được", "Unreachable hamlets"),
    # issue 16
    "shared_duct_roads": ("Đường cần cống bể dùng chung", "Roads needing shared ducts"),
    "commune_statistics": ("Số liệu thống kê theo xã", "Statistics per commune"),
}

#: Words the maps show (base maps, layer names, legend) -> (vi, en).
MAP_LABELS: dict[str, tuple[str, str]] = {
    "base_osm": ("OpenStreetMap", "OpenStreetMap"),
    "base_satellite": ("Ảnh vệ tinh (Esri)", "Satellite (Esri)"),
    "base_plain": ("Nền trống (không cần Internet)", "Plain (works offline)"),
    "layer_hamlets": ("Thôn/xóm", "Hamlets"),
    "layer_sites": ("Trạm BTS", "BTS sites"),
    "layer_sectors": ("Hướng anten (khi phóng to)", "Sector wedges (zoomed in)"),
    "layer_roads": ("Đường giao thông", "Roads"),
    "layer_fiber": ("Tuyến cáp quang", "Fiber routes"),
    "layer_fiber_nodes": ("Điểm truy nhập quang", "Fiber nodes"),
    "layer_positions": ("Vị trí dùng chung", "Shared positions"),
    "layer_colocation": ("Cơ hội dùng chung hạ tầng", "Co-location opportunities"),
    "layer_proposed": ("Cột đề xuất xây mới", "Proposed towers"),
    "layer_extensions": ("Tuyến cáp quang đề xuất", "Proposed fiber extensions"),
    "layer_facilities": ("Cơ sở công cộng", "Facilities"),
    "layer_admin": ("Ranh giới xã", "Commune boundaries"),
    "layer_coverage": ("Vùng phủ {operator} {tech}", "Coverage {operator} {tech}"),
    "by_mobile": ("Vùng phủ di động", "Mobile coverage"),
    "by_ftth": ("Cáp quang FTTH", "FTTH"),
    "legend": ("Chú giải", "Legend"),
    "rsrp": ("Cường độ tín hiệu RSRP (dBm)", "Signal strength RSRP (dBm)"),
    "percent": ("{label} (%)", "{label} (%)"),
    # issue 15: the hamlet popup, the legend, the offline base map, the speed colouring
    "layer_ducts": ("Tuyến đường cần cống bể dùng chung", "Roads needing shared ducts"),
    "by_speed": ("Tốc độ di động ước tính", "Expected mobile speed (estimate)"),
    "by_speed_fixed": ("Tốc độ cáp quang ước tính", "Expected fixed speed (estimate)"),
    "offline_note": ("Không tải được bản đồ nền từ Internet: đang dùng nền trống.",
                     "The online base map cannot be reached: the plain background is shown."),
    "former_commune_short": ("xã cũ", "former commune"),
    "popup_mobile": ("Di động", "Mobile"),
    "popup_ftth": ("Cáp quang", "Fiber (FTTH)"),
    "households_short": ("hộ", "households"),
    "popup_speed": ("Tốc độ di động", "Mobile speed"),
    "estimate_short": ("ước tính", "estimate"),
    "popup_served": ("Số dân được phục vụ", "People served"),
    "no_estimate": ("không có ước tính", "no estimate"),
    "opacity": ("Độ đậm lớp vùng phủ", "Overlay opacity"),
    "layer_speed": ("Tốc độ tải xuống ước tính {operator}", "Expected download speed {operator}"),
    "best_operator": ("(nhà mạng tốt nhất)", "(best operator)"),
}

#: Other words of reports and exports -> (vi, en).
TEXT: dict[str, tuple[str, str]] = {
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "not_available": ("Không có dữ liệu", "Not available"),
    "no_target": ("Không có mục tiêu", "No target"),
    "report_title": ("Báo cáo hạ tầng số: chỉ tiêu và danh sách thôn chưa phủ",
                     "Digital infrastructure report: indicators and uncovered hamlets"),
    "project": ("Dự án", "Project"),
    "date": ("Ngày lập", "Date"),
    "targets_preset": ("Bộ mục tiêu", "Targets"),
    "parameters": ("Tham số", "Parameters"),
    "overview_map": ("Bản đồ tổng quan", "Overview map"),
    "indicators_area": ("Chỉ tiêu toàn vùng", "Indicators, whole area"),
    "indicators_units": ("Chỉ tiêu theo đơn vị hành chính (tỉnh, xã 2025, huyện cũ)",
                         "Indicators by administrative unit (province, 2025 commune, former "
                         "district)"),
    "uncovered_none": ("Không có thôn nào chưa phủ.", "No uncovered hamlets."),
    "hamlets": ("Thôn", "Hamlets"),
    "positions": ("Vị trí BTS", "BTS positions"),
    "warnings": ("Cảnh báo và giả định", "Warnings and assumptions"),
    "summary": ("Tóm tắt", "Summary"),
    "n_hamlets": ("Số thôn", "Hamlets"),
    "n_uncovered": ("Số thôn chưa phủ", "Uncovered hamlets"),
    "n_met": ("Số chỉ tiêu đạt", "Indicators met"),
    "legend_sites": ("Vị trí BTS", "BTS positions"),
    "legend_towers": ("Cột đề xuất", "Proposed towers"),
    "legend_fiber": ("Tuyến cáp kéo mới", "Fiber extensions"),
    "generated_by": ("Tạo bởi công cụ gis (mã nguồn mở)", "Generated by the open-source gis tool"),
    "hamlets_unit": ("thôn", "hamlets"),
    "households_unit": ("hộ", "households"),
    "people_unit": ("người", "people"),
    "positions_unit": ("vị trí", "positions"),
    "tenancies_unit": ("trạm", "operator sites"),
    "facilities_unit": ("cơ sở", "facilities"),
    "run_info": ("Thông tin lần chạy", "Run"),
    "params_full": ("Toàn bộ tham số có trong run.json (và trong results.gpkg).",
                    "All parameters are in run.json (and in results.gpkg)."),
    "coverage_tiers": ("Vùng phủ sóng theo mức", "Coverage by tier"),
    "key": ("Mục", "Item"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
}


# -- issue 16: 2025 administrative units, shared ducts, expected speed, statistics ------------

#: Columns of the 2025 units (:data:`gis.analysis.units.UNIT_COLUMNS`) -> (vi, en). On the
#: hamlet table ``commune`` / ``province`` are the 2025 units; the names a file gave are kept
#: as ``former_*``.
UNIT_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "province_code": ("Mã tỉnh", "Province code"),
    "commune_code": ("Mã xã", "Commune code"),
    "former_province_code": ("Mã tỉnh cũ", "Former province code"),
    "former_province": ("Tỉnh cũ (trước 1/7/2025)", "Former province (before 1 July 2025)"),
    "former_district_code": ("Mã huyện cũ", "Former district code"),
    "former_district": ("Huyện cũ (trước 1/7/2025)", "Former district (before 1 July 2025)"),
    "former_commune_code": ("Mã xã cũ", "Former commune code"),
    "former_commune": ("Xã cũ (trước 1/7/2025)", "Former commune (before 1 July 2025)"),
    "unit_source": ("Căn cứ xác định đơn vị 2025", "How the 2025 units were found"),
    "former_source": ("Căn cứ xác định đơn vị cũ", "How the former units were found"),
    "unit_conflict": ("Mâu thuẫn tên và vị trí", "Names and position disagree"),
    "unit_conflict_en": ("Mâu thuẫn (tiếng Anh)", "Conflict (English)"),
    "unit_conflict_vi": ("Mâu thuẫn (tiếng Việt)", "Conflict (Vietnamese)"),
    "unit_code": ("Mã đơn vị", "Unit code"),
    "unit_name": ("Tên đơn vị", "Unit name"),
}

#: Values of ``unit_source`` / ``former_source`` -> (vi, en).
UNIT_SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "names": ("theo tên", "from the names"),
    "polygon": ("theo ranh giới", "from the admin polygon"),
    "approximate": ("gần đúng (xã bị chia)", "approximate (split commune)"),
    "nearest_centroid": ("theo tâm xã gần nhất", "nearest commune centre"),
    "none": ("không xác định", "unknown"),
}

#: Codes of ``unit_conflict`` -> (vi, en).
CONFLICT_LABELS: dict[str, tuple[str, str]] = {
    "polygon_differs": ("tên khác ranh giới", "names differ from the polygon"),
    "far_from_named": ("xa xã đã ghi", "far from the commune named"),
    "name_not_found": ("không tìm thấy tên", "name not found"),
    "ambiguous_name": ("tên trùng", "ambiguous name"),
}

#: Columns of the shared-duct road list (:data:`gis.analysis.ducts.DUCT_COLUMNS`) -> (vi, en)
#: (``name``, ``road_class``, ``rank``, ``length_m``, ``operators``, ``n_operators`` are above).
DUCT_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "rank": ("Thứ tự ưu tiên", "Rank"),
    "segment_id": ("Mã đoạn đường", "Segment ID"),
    "road_row": ("Dòng trong lớp đường", "Row in the roads layer"),
    "piece": ("Đoạn số", "Piece"),
    "urban": ("Khu vực đô thị", "Urban area"),
    "urban_criteria": ("Căn cứ xác định đô thị", "Urban because of"),
    "planned_works": ("Công trình dự kiến", "Planned works"),
    "has_planned_works": ("Có công trình dự kiến", "Has planned works"),
    "works_year": ("Năm thực hiện công trình", "Year of the works"),
    "length_m": ("Chiều dài (m)", "Length (m)"),
    "n_operators": ("Số doanh nghiệp có cáp dọc tuyến", "Operators with cables along it"),
    "operators": ("Doanh nghiệp có cáp dọc tuyến", "Operators along it"),
    "operator_shares": ("Tỷ lệ chiều dài có cáp theo doanh nghiệp",
                        "Share of the length per operator"),
    "planned_extension": ("Có tuyến cáp mở rộng dự kiến", "Planned fiber extension along it"),
    "planned_share": ("Tỷ lệ chiều dài có tuyến dự kiến", "Share of the length planned"),
    "planned_route_ids": ("Mã tuyến dự kiến", "Planned route IDs"),
    "n_cables": ("Số tuyến cáp dọc đường", "Cables along it"),
    "cable_length_m": ("Chiều dài có cáp (m)", "Length with cables (m)"),
    "shared_length_m": ("Chiều dài có từ 2 tuyến cáp (m)", "Length with 2+ cables (m)"),
    "separate_cost_vnd": ("Chi phí xây riêng từng doanh nghiệp (đồng)",
                          "Cost of separate builds (VND)"),
    "shared_cost_vnd": ("Chi phí cống bể dùng chung (đồng)", "Cost of one shared duct (VND)"),
    "saving_vnd": ("Tiết kiệm khi dùng chung (đồng)", "Saving of one shared duct (VND)"),
}

#: Values of ``duct_class`` -> (vi, en): a shared duct replaces 2+ builds, serves one cable, or
#: none yet.
DUCT_CLASS_LABELS: dict[str, tuple[str, str]] = {
    "shared": ("Từ 2 tuyến cáp: cần cống bể dùng chung", "2+ cables: a shared duct is needed"),
    "single": ("1 tuyến cáp", "1 cable"),
    "none": ("Chưa có cáp (đô thị hoặc có công trình dự kiến)",
             "No cable yet (urban or works planned)"),
}

#: Values of ``urban_criteria`` in the duct list -> (vi, en).
URBAN_CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "road_class": ("cấp đường đô thị", "urban road class"),
    "admin": ("phường / thị trấn", "ward / township"),
    "density": ("mật độ dân số", "population density"),
}

#: The expected-speed columns (:mod:`gis.analysis.speed`) -> (vi, en): every one says "ước tính
#: / estimate". ``est_dl_mbps_<operator>`` columns are labelled by :func:`label`'s pattern.
SPEED_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "est_dl_mbps_mobile": ("Tốc độ tải xuống di động ước tính (Mbit/s)",
                           "Estimated mobile download speed (Mbit/s)"),
    "est_dl_mobile_operator": ("Nhà mạng có tốc độ di động ước tính cao nhất",
                               "Operator with the best estimated mobile speed"),
    "est_dl_mbps_fixed": ("Tốc độ tải xuống cố định (FTTH) ước tính (Mbit/s)",
                          "Estimated fixed (FTTH) download speed (Mbit/s)"),
    "est_dl_mbps_best": ("Tốc độ tải xuống di động ước tính, nhà mạng tốt nhất (Mbit/s)",
                         "Estimated mobile download speed, best operator (Mbit/s)"),
}

#: Columns of the per-commune statistics (:mod:`gis.layers.commune_stats`) -> (vi, en).
STATISTICS_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "subs_mobile_per100": ("Thuê bao băng rộng di động / 100 dân",
                           "Mobile broadband subscriptions per 100 people"),
    "subs_fixed_per100": ("Thuê bao băng rộng cố định / 100 dân",
                          "Fixed broadband subscriptions per 100 people"),
    "smartphone_share": ("Tỷ lệ người dùng điện thoại thông minh", "Smartphone share"),
    "ispeed_mobile_mbps": ("Tốc độ tải xuống di động (i-Speed, trung vị, Mbit/s)",
                           "Mobile download speed (i-Speed median, Mbit/s)"),
    "ispeed_fixed_mbps": ("Tốc độ tải xuống cố định (i-Speed, trung vị, Mbit/s)",
                          "Fixed download speed (i-Speed median, Mbit/s)"),
    "match_note": ("Ghi chú đối chiếu", "Matching note"),
}

# the general labels win where a key is already there (``operators``, ``rank``, ``length_m``)
for _key, _pair in {**UNIT_COLUMN_LABELS, **DUCT_COLUMN_LABELS, **SPEED_COLUMN_LABELS,
                    **STATISTICS_COLUMN_LABELS,
                    "duct_class": ("Phân loại cống bể", "Duct class")}.items():
    COLUMN_LABELS.setdefault(_key, _pair)

#: Words of the issue-16 outputs in reports and exports -> (vi, en).
TEXT.update({
    "not_given": ("không có số liệu", "not given"),
    "estimate": ("ước tính", "estimate"),
    "alerts": ("Cảnh báo quan trọng", "Important warnings"),
    "shared_duct_roads": ("Đường cần cống bể dùng chung", "Roads needing shared ducts"),
    "shared_duct_roads_none": ("Không có đoạn đường nào cần cống bể dùng chung.",
                               "No road segment needs a shared duct."),
    "saving_total": ("Tổng tiết kiệm khi dùng chung", "Total saving of shared ducts"),
    "speed_section": ("Tốc độ tải xuống ước tính", "Expected download speed (estimate)"),
    "statistics_section": ("Số liệu thống kê theo xã", "Statistics per commune"),
    "statistics_unmatched": ("Dòng không khớp đơn vị hành chính",
                             "Rows that matched no administrative unit"),
    "per 100 people_unit": ("/ 100 dân", "per 100 people"),
    "Mbit/s_unit": ("Mbit/s", "Mbit/s"),
    "share_unit": ("", ""),
    "mbps": ("Mbit/s", "Mbit/s"),
    "former_units": ("gồm các xã cũ", "former communes"),
    "no_estimate": ("không có ước tính", "no estimate"),
    "speed_note": ("Số thôn theo tốc độ tải xuống ƯỚC TÍNH từ mô hình vùng phủ và quy hoạch GPON "
                   "(không phải số đo; i-Speed mới là số đo).",
                   "Hamlets by ESTIMATED download speed from the coverage model and the GPON "
                   "plan (not a measurement; i-Speed measures)."),
})


#: Raster kind -> (vi, en); the vector layer kinds' names are in :data:`gis.layers.schema.LAYER_SPECS`.
RASTER_LABELS: dict[str, tuple[str, str]] = {
    "dem": ("Mô hình độ cao (DEM)", "Elevation model (DEM)"),
    "population": ("Mật độ dân số", "Population grid"),
    "landcover": ("Lớp phủ mặt đất", "Land cover"),
}


#: The phrases of an indicator row's ``note`` (:mod:`gis.analysis.indicators`,
#: :mod:`gis.analysis.units.stats`) as English regular expressions -> Vietnamese, the groups
#: carried over; :func:`indicator_note` words a note phrase by phrase ("; " between them), and
#: "not available: <phrase>" as "không tính được: <phrase in Vietnamese>".
NOTE_PHRASES: tuple[tuple[str, str], ...] = (
    (r"needs the positions table with n_operators \(site sharing\)",
     "cần bảng vị trí trạm có n_operators (dùng chung hạ tầng)"),
    (r"needs the positions table \(site sharing\)", "cần bảng vị trí trạm (dùng chung hạ tầng)"),
    (r"needs n_operators or shared in positions", "cần n_operators hoặc shared trong bảng vị trí"),
    (r"needs the facilities table \(kind\)", "cần bảng cơ sở (kind)"),
    (r"needs mobile_5g in facilities \(radio coverage\)",
     "cần mobile_5g trong bảng cơ sở (vùng phủ vô tuyến)"),
    (r"needs connected \(or ftth / mobile_4g\) in facilities",
     "cần connected (hoặc ftth / mobile_4g) trong bảng cơ sở"),
    (r"needs (.+) \(radio coverage\)", r"cần \1 (vùng phủ vô tuyến)"),
    (r"needs (.+) per hamlet", r"cần \1 của từng thôn"),
    (r"needs (.+)", r"cần \1"),
    (r"the plan sets no speed target", "kế hoạch không đặt mục tiêu tốc độ"),
    (r"estimate", "ước tính"),
    (r"no facility of this kind in the data", "không có cơ sở loại này trong dữ liệu"),
    (r"connected = FTTH or 4G/5G", "có kết nối = FTTH hoặc 4G/5G"),
    (r"nothing to measure in this scope", "không có gì để tính trong phạm vi này"),
    (r"(\d+) of (\d+) hamlets without a value, left out", r"\1 trên \2 thôn không có giá trị, bỏ qua"),
    (r"(\d+) of (\d+) positions without a value, left out",
     r"\1 trên \2 vị trí trạm không có giá trị, bỏ qua"),
    (r"(\d+) of (\d+) facilities without a value, left out",
     r"\1 trên \2 cơ sở không có giá trị, bỏ qua"),
    (r"weighted by population", "gia quyền theo dân số"),
    (r"weighted by hamlet count", "gia quyền theo số thôn"),
    (r"weighted by (.+)", r"gia quyền theo \1"),
    (r"not given for (\d+) of (\d+) communes, left out",
     r"\1 trên \2 xã không có số liệu, bỏ qua"),
    (r"not given", "không có số liệu"),
    (r"ambiguous name: give the district and province, or the code",
     "tên không rõ ràng: ghi thêm huyện và tỉnh, hoặc mã"),
    (r"no such commune \(code or name\) in the crosswalk",
     "không có xã này (mã hoặc tên) trong bảng chuyển đổi"),
)


class Note(str):
    """A warning or a default of a run: its English text (the string itself) and Vietnamese.

    >>> n = Note("No DEM: flat terrain.", "Không có DEM: địa hình phẳng.")
    >>> n, n.vi, n.text("vi")
    ('No DEM: flat terrain.', 'Không có DEM: địa hình phẳng.', 'Không có DEM: địa hình phẳng.')
    """

    vi: str

    def __new__(cls, en: str, vi: str | None = None) -> Note:
        self = super().__new__(cls, en)
        self.vi = vi if vi else str(en)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Note, (str(self), self.vi))

    def text(self, lang: str = "en") -> str:
        """The note in ``lang`` (``"vi"`` or ``"en"``)."""
        return self.vi if lang == "vi" else str(self)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"vi"`` or ``"en"``; a :class:`ValidationError` otherwise."""
    if lang not in LANGS:
        raise ValidationError(
            f"Unknown language {lang!r}; choose 'vi' or 'en'.",
            f"Ngôn ngữ {lang!r} không hợp lệ; chọn 'vi' hoặc 'en'.",
        )
    return lang


def _humanise(key: str) -> str:
    text = re.sub(r"_+", " ", str(key)).strip()
    return text[:1].upper() + text[1:] if text else str(key)


#: Operator key (lower case) -> the one spelling the tool uses everywhere.
OPERATOR_NAMES = {"viettel": "Viettel", "vinaphone": "VinaPhone", "mobifone": "MobiFone",
                   "vietnamobile": "Vietnamobile", "gmobile": "Gmobile", "itel": "iTel",
                   "wintel": "Wintel"}


def _cov_label(key: str, lang: str) -> str | None:
    """Labels of the per-operator coverage columns ``cov_<tech>_<operator>``."""
    m = re.fullmatch(r"cov_(\dg)_(.+)", key)
    if not m:
        return None
    tech = m.group(1).upper()
    op = OPERATOR_NAMES.get(m.group(2), m.group(2).replace("_", " ").title())
    return (f"Tỷ lệ dân số phủ {tech} {op}" if lang == "vi"
            else f"Population share with {op} {tech}")


def _speed_label(key: str, lang: str) -> str | None:
    """Labels of the per-operator speed columns ``est_dl_mbps_<operator>`` (estimates)."""
    m = re.fullmatch(r"est_dl_mbps_(.+)", key)
    if not m:
        return None
    op = OPERATOR_NAMES.get(m.group(1), m.group(1).replace("_", " ").title())
    return (f"Tốc độ tải xuống ước tính {op} (Mbit/s)" if lang == "vi"
            else f"Estimated download speed {op} (Mbit/s)")


def label(key: str, lang: str = "en", table: dict[str, tuple[str, str]] | None = None) -> str:
    """The label of ``key`` in ``lang`` from ``table`` (default: :data:`COLUMN_LABELS`)."""
    check_lang(lang)
    pair = (table if table is not None else COLUMN_LABELS).get(key)
    if pair is not None:
        return pair[0] if lang == "vi" else pair[1]
    cov = _cov_label(str(key), lang)
    if cov is None:
        cov = _speed_label(str(key), lang)
    return cov if cov is not None else _humanise(key)


def column_label(column: str, lang: str = "en") -> str:
    """The header of ``column`` in exports for ``lang``."""
    return label(column, lang, COLUMN_LABELS)


def indicator_note(note: object, lang: str = "en") -> object:
    """An indicator row's ``note`` in ``lang``: in Vietnamese each "; "-separated phrase
    worded by :data:`NOTE_PHRASES` (a phrase it does not know stays as it is); English and
    missing values are returned unchanged."""
    if check_lang(lang) == "en" or not isinstance(note, str) or not note:
        return note
    return "; ".join(_note_phrase_vi(p) for p in note.split("; "))


def _note_phrase_vi(phrase: str) -> str:
    head, sep, reason = phrase.partition("not available: ")
    if sep and not head:    # "not available: <reason>", the reason worded too
        return f"không tính được: {_note_phrase_vi(reason)}"
    for en, vi in NOTE_PHRASES:
        m = re.fullmatch(en, phrase)
        if m:
            return m.expand(vi)
    return phrase

def text(key: str, lang: str = "en") -> str:
    """A word or phrase of the reports (:data:`TEXT`, then the table titles)."""
    return label(key, lang, TEXT if key in TEXT else TABLE_LABELS)


def table_label(name: str, lang: str = "en") -> str:
    """The title of a result table (:data:`TABLE_LABELS`)."""
    return label(name, lang, TABLE_LABELS)


def status_label(code: str, lang: str = "en") -> str:
    """The words of a status code (:data:`STATUS_LABELS`)."""
    return label(code, lang, STATUS_LABELS)


def kind_label(kind: str, lang: str = "en") -> str:
    """The name of a layer or raster kind (``villages``, ``dem``, ...) in ``lang``."""
    try:
        spec = LAYER_SPECS[LayerKind(kind)]
    except ValueError:
        return label(kind, lang, RASTER_LABELS)
    return spec.label_vi if lang == "vi" else spec.label_en


def map_text(key: str, lang: str = "en", **fmt: object) -> str:
    """A word of the maps (:data:`MAP_LABELS`, then the column labels), formatted with ``fmt``."""
    check_lang(lang)
    if key in MAP_LABELS:
        words = label(key, lang, MAP_LABELS)
        return words.format(**fmt) if fmt else words
    return column_label(key, lang)


def localise_columns(frame: pd.DataFrame, lang: str,
                     columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with headers translated to ``lang``; geometry keeps its name.

    Labels that would collide (two columns with the same label) get the column name appended,
    so no column is lost.
    """
    check_lang(lang)
    cols = list(columns) if columns is not None else list(frame.columns)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for col in cols:
        if col == "geometry":
            continue
        lab = column_label(col, lang)
        if lab in used:
            lab = f"{lab} ({col})"
        used.add(lab)
        mapping[col] = lab
    return frame.rename(columns=mapping)
