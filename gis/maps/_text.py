"""Words the maps show (layer names, legend entries, popup labels) in Vietnamese and English."""

from __future__ import annotations

from typing import Final

__all__ = ["MAP_TEXT", "mt"]

# key -> (Vietnamese, English)
MAP_TEXT: Final[dict[str, tuple[str, str]]] = {
    "status_covered": ("Có sóng 4G/5G", "Covered (4G/5G)"),
    "status_weak": ("Lõm sóng", "Weak spot"),
    "status_no_signal": ("Trắng sóng", "No signal"),
    "status_unknown": ("Chưa tính vùng phủ", "Coverage not computed"),
    "ftth_yes": ("Có cáp quang (FTTH)", "FTTH available"),
    "ftth_no": ("Chưa có cáp quang", "No FTTH"),
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
    "name": ("Tên", "Name"),
    "commune": ("Xã", "Commune"),
    "population": ("Dân số", "Population"),
    "households": ("Số hộ", "Households"),
    "mobile_status": ("Di động", "Mobile"),
    "ftth_status": ("Cáp quang", "FTTH"),
    "pop_share_4g": ("Dân có 4G (%)", "Population with 4G (%)"),
    "pop_share_5g": ("Dân có 5G (%)", "Population with 5G (%)"),
    "hh_share_ftth": ("Hộ có thể có FTTH (%)", "Households able to get FTTH (%)"),
    "ftth_distance_m": ("Tới điểm quang (m)", "To fiber access (m)"),
    "operator": ("Nhà mạng", "Operator"),
    "tech": ("Công nghệ", "Technology"),
    "site_id": ("Mã trạm", "Site id"),
    "height_m": ("Độ cao (m)", "Height (m)"),
    "structure": ("Loại cột", "Structure"),
    "position_uncertainty_m": ("Sai số vị trí ước tính (m)", "Estimated position uncertainty (m)"),
    "source": ("Nguồn dữ liệu", "Data source"),
    "note": ("Ghi chú", "Note"),
    "kind": ("Loại", "Kind"),
    "level": ("Cấp", "Level"),
    "road_class": ("Cấp đường", "Road class"),
    "operators": ("Các nhà mạng", "Operators"),
    "hamlets_served": ("Thôn được phục vụ", "Hamlets served"),
    "population_served": ("Dân được phục vụ", "Population served"),
    "population_gained": ("Dân tăng thêm", "Population gained"),
    "cost_vnd": ("Chi phí (VND)", "Cost (VND)"),
    "length_m": ("Chiều dài (m)", "Length (m)"),
    "tower_class": ("Loại cột", "Tower class"),
}


def mt(key: str, lang: str = "vi", **fmt: object) -> str:
    """The map word ``key`` in ``lang`` (the key itself when unknown)."""
    pair = MAP_TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fmt) if fmt else text
