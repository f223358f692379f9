"""The words of every run parameter on the Parameters page: a label in Vietnamese and English and
a Vietnamese help text (the English help is the field's documentation in its dataclass,
:func:`gis.config.attribute_docs`, so it never drifts from the code).

Keys are dotted paths from :class:`gis.params.RunParams` (``fiber.gpon.budget_db``); a group of
fields (a nested dataclass) has its own entry. ``tests/test_app.py`` checks that every field of
``RunParams`` has its words, so a field added to a parameter class needs its line here. The
sections ``ducts`` and ``speed`` (issue 16, wired by another branch) are ready here too.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PARAM_WORDS", "SECTION_WORDS", "help_text", "param_label", "plain_doc"]

#: Section -> (Vietnamese, English) heading, in the order shown; unknown sections come last.
SECTION_WORDS: Final[dict[str, tuple[str, str]]] = {
    "targets": ("Mục tiêu của kế hoạch", "Plan targets"),
    "mobile": ("Quy tắc phủ sóng thôn", "Hamlet coverage rule"),
    "radio": ("Vô tuyến (vùng phủ di động)", "Radio (mobile coverage)"),
    "fiber": ("Cáp quang FTTH và chi phí", "FTTH fiber and costs"),
    "sharing": ("Dùng chung hạ tầng", "Infrastructure sharing"),
    "speed": ("Tốc độ ước tính", "Expected speed (estimate)"),
    "ducts": ("Cống bể dùng chung", "Shared ducts"),
    "load": ("Đọc dữ liệu", "Reading inputs"),
    "units": ("Đơn vị hành chính 2025", "2025 administrative units"),
    "calibration": ("Hiệu chỉnh mô hình theo số đo", "Model calibration on measurements"),
    "scale": ("Chạy quy mô lớn (theo ô lưới)", "Large runs (tiles)"),
}

#: Field path -> (Vietnamese label, English label, Vietnamese help).
PARAM_WORDS: Final[dict[str, tuple[str, str, str]]] = {
    # -- load
    "load.province": ("Tỉnh (cho toạ độ VN-2000 không có .prj)",
                      "Province (for VN-2000 files without a .prj)",
                      "Tỉnh (cũ hoặc mới) có kinh tuyến trục TM-3 dùng cho tệp VN-2000 không "
                      "ghi hệ toạ độ. Để trống: chưa biết."),
    "load.meridian_standard": ("Kinh tuyến trục theo", "Central meridian standard",
                               "tt973: kinh tuyến của tỉnh cũ (TT 973/2001, phần lớn hồ sơ đo "
                               "đạc); tt24: kinh tuyến của tỉnh mới (TT 24/2025)."),
    # -- targets
    "targets.preset": ("Bộ mục tiêu (kế hoạch)", "Targets preset (plan)",
                       "Kế hoạch dùng để so sánh. Mặc định: mục tiêu quốc gia (36/QĐ-TTg, "
                       "1132/QĐ-TTg); bộ của tỉnh chỉ áp dụng cho tỉnh đó."),
    "targets.overrides": ("Mục tiêu sửa riêng", "Targets changed",
                          "Các mục tiêu khác với bộ đã chọn; sửa trong bảng mục tiêu."),
    "targets.priority_kinds": ("Loại cơ sở ưu tiên phủ 5G", "Facility kinds that are 5G priorities",
                               "Các loại cơ sở tính là nơi ưu tiên 5G: trụ sở xã, khu công "
                               "nghiệp, khu du lịch, cơ quan nhà nước."),
    "targets.per_commune": ("Tính chỉ tiêu theo từng xã", "Indicators per commune",
                            "Tính mọi chỉ tiêu cho từng xã (và từng tỉnh, xã mới khi có đơn vị "
                            "hành chính 2025)."),
    "targets.per_district": ("Tính chỉ tiêu theo từng huyện (cũ)", "Indicators per (former) district",
                             "Tính mọi chỉ tiêu theo huyện trước 1/7/2025 để đối chiếu kế hoạch "
                             "cũ."),
    # -- mobile
    "mobile.centre_required": ("Bắt buộc có sóng tại trung tâm thôn", "Hamlet centre must be covered",
                               "Trung tâm thôn (nhà văn hóa) phải có sóng: phép thử trắng sóng "
                               "của Công văn 1603/BTTTT-CVT."),
    "mobile.min_pop_share": ("Tỷ lệ dân tối thiểu được phủ (0-1)",
                             "Minimum population share covered (0-1)",
                             "Tỷ lệ dân số của thôn sống trong vùng có sóng, tối thiểu; 0,8 "
                             "(80 %): dưới mức này là lõm sóng."),
    "mobile.signal_techs": ("Công nghệ tính là có sóng", "Technologies that count as a signal",
                            "Công nghệ tính là « có sóng di động » cho trắng sóng / lõm sóng: "
                            "3G, 4G, 5G."),
    # -- radio
    "radio.techs": ("Công nghệ: tần số, công suất, ngưỡng RSRP",
                    "Technologies: bands, power, RSRP thresholds",
                    "Thông số mặc định theo công nghệ 2G-5G (tần số MHz, băng thông, EIRP dBm, "
                    "độ cao, bán kính tính, các mức RSRP tốt / khá / biên). Chỉ cần ghi phần "
                    "thay đổi."),
    "radio.operator_bands_mhz": ("Tần số theo nhà mạng (MHz)", "Band per operator (MHz)",
                                 "Tần số mặc định theo « nhà mạng công nghệ » (ví dụ Viettel 5G "
                                 "2550 MHz); thắng giá trị của công nghệ, thua giá trị trong tệp "
                                 "trạm."),
    "radio.model_rules": ("Mô hình truyền sóng theo băng tần", "Propagation model per band",
                          "Mô hình thực nghiệm theo tần số: Okumura-Hata đến 1500 MHz, COST-231 "
                          "Hata đến 2200 MHz, 3GPP RMa ở trên."),
    "radio.env": ("Môi trường truyền sóng", "Propagation environment",
                  "Môi trường của họ mô hình Hata; suburban (ngoại ô) hợp với thôn nông thôn."),
    "radio.large_city": ("Thành phố lớn (chỉ đô thị)", "Large city (urban only)",
                         "Chỉ cho môi trường đô thị: hệ số a(h_m) thành phố lớn của "
                         "Okumura-Hata, C_m = 3 dB của COST-231."),
    "radio.cost231_hata_classes": ("COST-231 theo lớp khu vực Hata", "COST-231 with Hata's classes",
                                   "COST-231 Hata dùng các lớp khu vực của Hata (như Hata mở "
                                   "rộng của ITU-R SM.2028)."),
    "radio.condition": ("Điều kiện nhìn thẳng (3GPP)", "Line of sight (3GPP)",
                        "LOS / NLOS của mô hình 3GPP; nlos: máy thu giữa nhà và cây."),
    "radio.building_height_m": ("Độ cao nhà trung bình (m)", "Average building height (m)",
                                "Tham số h của 3GPP RMa: 5 m (nhà một tầng nông thôn)."),
    "radio.street_width_m": ("Độ rộng đường (m)", "Street width (m)",
                             "Tham số W của 3GPP RMa: 20 m."),
    "radio.rx_height_m": ("Độ cao máy thu (m)", "Receiver height (m)",
                          "Độ cao máy điện thoại so với mặt đất: 1,5 m."),
    "radio.rx_gain_dbi": ("Tăng ích anten máy thu (dBi)", "Handset antenna gain (dBi)",
                          "Tăng ích anten điện thoại: 0 dBi."),
    "radio.body_loss_db": ("Suy hao do cơ thể (dB)", "Body loss (dB)",
                           "0 dB vì ngưỡng là giá trị đo ngoài trời."),
    "radio.penetration_loss_db": ("Suy hao xuyên tường (dB)", "Building penetration loss (dB)",
                                  "0 dB: vùng phủ ngoài trời; 10-20 dB cho vùng phủ trong nhà."),
    "radio.k_factor": ("Hệ số bán kính Trái Đất hiệu dụng", "Effective earth-radius factor",
                       "4/3: khí quyển chuẩn (ITU-R P.453)."),
    "radio.diffraction": ("Nhiễu xạ địa hình", "Terrain diffraction",
                          "Phương pháp nhiễu xạ nhiều vật chắn: delta_bullington (mặc định, "
                          "ITU-R P.526-16 §4.5.2), bullington, deygout hoặc none."),
    "radio.bullington_correction": ("Hiệu chỉnh Bullington", "Bullington correction",
                                    "multi_edge (mặc định): chỉ khi có nhiều vật chắn; p526: "
                                    "luôn áp dụng như P.526-16 §4.5.1; none: không áp dụng."),
    "radio.ground_permittivity": ("Hằng số điện môi tương đối của đất",
                                  "Ground relative permittivity",
                                  "Cho số hạng Trái Đất cầu: 15, đất trung bình (ITU-R P.527)."),
    "radio.ground_conductivity_s_m": ("Độ dẫn điện của đất (S/m)", "Ground conductivity (S/m)",
                                      "Cho số hạng Trái Đất cầu: 0,005 S/m, đất trung bình "
                                      "(ITU-R P.527)."),
    "radio.polarization": ("Phân cực", "Polarisation",
                           "vertical (mặc định: anten trạm gốc phân cực đứng hoặc ±45°) hoặc "
                           "horizontal."),
    "radio.min_distance_m": ("Khoảng cách tối thiểu của mô hình (m)", "Model distance floor (m)",
                             "Các ô gần trạm hơn khoảng này lấy giá trị tại khoảng cách này."),
    "radio.front_to_back_db": ("Tỷ số trước / sau của anten (dB)", "Antenna front-to-back (dB)",
                               "A_m của mẫu anten 3GPP TR 36.814: 25 dB."),
    "radio.sla_v_db": ("Mức búp phụ dọc (dB)", "Vertical side-lobe level (dB)",
                       "SLA_V của mẫu anten 3GPP TR 36.814: 20 dB."),
    "radio.structure_heights_m": ("Độ cao theo loại cột (m)", "Height per structure type (m)",
                                  "Độ cao anten theo loại cột (A1, A2a, A2b...) khi tệp trạm "
                                  "không ghi độ cao."),
    "radio.default_height_m": ("Độ cao cột mặc định (m)", "Default tower height (m)",
                               "Khi không có độ cao lẫn loại cột: 30 m, cột macro thông thường."),
    "radio.default_tech": ("Công nghệ mặc định", "Default technology",
                           "Công nghệ cho dòng trạm không ghi công nghệ: 4G."),
    "radio.default_azimuths_deg": ("Hướng sector mặc định (độ)", "Default sector azimuths (°)",
                                   "Trạm không có góc phương vị: ba sector 0/120/240°."),
    "radio.low_band_mhz": ("Ngưỡng băng tần thấp (MHz)", "Low-band limit (MHz)",
                           "Sóng mang ở hoặc dưới tần số này (700, 900 MHz) được tính xa hơn."),
    "radio.low_band_max_radius_m": ("Bán kính tính tối đa, băng thấp (m)",
                                    "Maximum radius, low bands (m)",
                                    "Sóng mang băng thấp được tính tới ít nhất bán kính này: "
                                    "15 km."),
    "radio.clutter_loss_db": ("Suy hao theo lớp phủ mặt đất (dB)", "Clutter loss by land cover (dB)",
                              "Suy hao thêm theo mã lớp phủ ESA WorldCover (rừng, nhà cửa...)."),
    "radio.excess_over_grazing": ("Chỉ tính phần nhiễu xạ vượt mức sát", "Diffraction beyond grazing only",
                                  "Chỉ cộng phần suy hao của vật chắn vượt mức tia sát, vì mô "
                                  "hình thực nghiệm đã gồm phần đó."),
    "radio.effective_height": ("Cách tính độ cao anten hiệu dụng", "Effective antenna height",
                               "ground: độ cao so với mặt đất tại trạm (mặc định); "
                               "profile_mean: so với mặt đất trung bình dọc tuyến."),
    "radio.ray_step_m": ("Bước lấy mẫu địa hình (m)", "Terrain sampling step (m)",
                         "Bước lấy mẫu theo tia; để trống: bằng ô DEM."),
    "radio.grid_resolution_m": ("Độ phân giải lưới vùng phủ (m)", "Coverage grid resolution (m)",
                                "Kích thước ô raster vùng phủ; để trống: ô của DEM (30 m)."),
    "radio.area_margin_m": ("Lề quanh khu vực (m)", "Margin around the area (m)",
                            "Raster vùng phủ phủ khung các thôn cộng lề này: 1000 m."),
    "radio.itm": ("Mô hình ITM (Longley-Rice)", "ITM (Longley-Rice) model",
                  "Thông số của mô hình địa hình ITM, dùng khi một quy tắc mô hình chọn itm."),
    "radio.itm.climate": ("Vùng khí hậu vô tuyến (1-7)", "Radio climate (1-7)",
                          "3: cận nhiệt đới biển (miền Bắc, miền Trung); 1: xích đạo (miền Nam)."),
    "radio.itm.n0_n_units": ("Chiết suất bề mặt N0 (N-units)", "Surface refractivity N0 (N-units)",
                             "Chiết suất bề mặt trung bình tháng thấp nhất quy về mực nước biển: "
                             "340 (Hà Nội)."),
    "radio.itm.polarization": ("Phân cực", "Polarization",
                               "vertical (anten trạm di động) hoặc horizontal."),
    "radio.itm.epsilon": ("Hằng số điện môi của đất", "Ground permittivity",
                          "Hằng số điện môi tương đối: 15 (đất trung bình)."),
    "radio.itm.sigma_s_m": ("Độ dẫn điện của đất (S/m)", "Ground conductivity (S/m)",
                            "0,005 S/m (đất trung bình)."),
    "radio.itm.mdvar": ("Chế độ biến thiên", "Mode of variability",
                        "12: di động, không tính biến thiên vị trí (quỹ đường truyền đã tính)."),
    "radio.itm.time_pct": ("Phần trăm thời gian", "Time percentage",
                           "Phần trăm thời gian: 50 (trung vị)."),
    "radio.itm.location_pct": ("Phần trăm vị trí", "Location percentage",
                               "Phần trăm vị trí: 50 (trung vị)."),
    "radio.itm.situation_pct": ("Phần trăm tình huống", "Situation percentage",
                                "Phần trăm tình huống: 50 (trung vị)."),
    # -- fiber
    "fiber.drop_max_m": ("Chiều dài cáp thuê bao tối đa (m)", "Maximum drop length (m)",
                         "Khoảng cách tối đa từ điểm truy nhập tới nhà, theo đường: 400 m."),
    "fiber.hh_share_min": ("Tỷ lệ hộ tối thiểu với FTTH (0-1)",
                           "Minimum household share with FTTH (0-1)",
                           "Tỷ lệ hộ phải kéo được cáp để thôn tính là có FTTH: 0,8."),
    "fiber.snap_tolerance_m": ("Sai số nối đường (m)", "Road snapping tolerance (m)",
                               "Đầu đường cách đường khác dưới khoảng này được nối: 5 m."),
    "fiber.people_per_household": ("Số người mỗi hộ", "People per household",
                                   "Dùng khi thôn có dân số mà không có số hộ: 3,5 (Tổng điều "
                                   "tra 2019)."),
    "fiber.household_points": ("Số điểm hộ mỗi thôn", "Household points per hamlet",
                               "Không có raster dân số: rải khoảng chừng này điểm đều trong "
                               "thôn."),
    "fiber.cable_sample_m": ("Bước lấy mẫu cáp (m)", "Cable sampling step (m)",
                             "Không có điểm truy nhập: cáp truy nhập được lấy điểm mỗi khoảng "
                             "này."),
    "fiber.access_node_kinds": ("Loại điểm quang cho phép kéo cáp", "Node kinds that give drops",
                                "Các loại điểm quang (tủ, hộp, bộ chia...) có thể kéo cáp thuê "
                                "bao."),
    "fiber.access_levels": ("Cấp cáp dùng làm điểm truy nhập", "Cable levels used as access",
                            "Cấp cáp mà mọi điểm trên đó là điểm truy nhập (access, "
                            "distribution)."),
    "fiber.access_from_cables": ("Lấy điểm truy nhập từ cáp", "Access points from cables",
                                 "auto: chỉ khi không có điểm quang; always: luôn; never: không "
                                 "bao giờ."),
    "fiber.prefer_planned_works": ("Ưu tiên đường có công trình dự kiến",
                                   "Prefer roads with planned works",
                                   "Kéo cáp mới ưu tiên dọc đường có công trình dự kiến (thi "
                                   "công kết hợp)."),
    "fiber.feeder_km_default": ("Khoảng cách OLT mặc định (km)", "Default OLT distance (km)",
                                "Khi không có OLT: 10 km từ tổng đài huyện, cho kiểm tra quỹ "
                                "công suất."),
    "fiber.facility_rsrp_min_dbm": ("Ngưỡng RSRP tại cơ sở (dBm)", "RSRP threshold at facilities (dBm)",
                                    "RSRP tính là có 4G/5G tại cơ sở khi không có ngưỡng theo "
                                    "công nghệ: -110 dBm."),
    "fiber.costs": ("Chi phí lắp đặt", "Installation costs",
                    "Chi phí lắp đặt cáp, đồng mỗi mét."),
    "fiber.costs.aerial_vnd_per_m": ("Chi phí cáp treo (VND/m)", "Aerial cable cost (VND/m)",
                                     "Cáp treo trên cột điện / viễn thông có sẵn, gồm vật tư, "
                                     "nhân công, phí thuê cột."),
    "fiber.costs.underground_vnd_per_m": ("Chi phí cáp ngầm (VND/m)",
                                          "Underground cable cost (VND/m)",
                                          "Cáp ngầm trong ống HDPE mới: đào rãnh, ống, cáp, hoàn "
                                          "trả mặt bằng, hố ga."),
    "fiber.costs.underground_road_classes": ("Cấp đường phải đi ngầm",
                                             "Road classes that need underground",
                                             "Cấp đường mà cáp mới phải đi ngầm: quốc lộ, đường "
                                             "tỉnh, đường đô thị."),
    "fiber.costs.class_factor": ("Hệ số chi phí theo cấp đường", "Cost factor per road class",
                                 "Nhân chi phí theo cấp đường (ví dụ quốc lộ 1,2); mặc định 1."),
    "fiber.costs.planned_works_factor": ("Hệ số khi có công trình dự kiến",
                                         "Factor along planned works",
                                         "Nhân chi phí trên đường có công trình dự kiến khi thi "
                                         "công kết hợp: 0,5."),
    "fiber.gpon": ("Quỹ công suất GPON", "GPON optical budget",
                   "Kiểm tra quỹ công suất quang GPON từ OLT tới nhà."),
    "fiber.gpon.budget_db": ("Quỹ công suất (dB)", "Optical budget (dB)",
                             "Lớp quang B+: 28 dB (C+: 32 dB)."),
    "fiber.gpon.splits": ("Tỷ lệ chia quang", "Split ratios",
                          "Các tầng chia, ví dụ 32 (một tầng 1:32) hoặc 4 và 8."),
    "fiber.gpon.atten_db_per_km": ("Suy hao sợi quang (dB/km)", "Fibre attenuation (dB/km)",
                                   "0,35 dB/km (bước sóng 1310 nm)."),
    "fiber.gpon.n_connectors": ("Số cặp đầu nối", "Connector pairs",
                                "Số cặp đầu nối trên tuyến: 4, mỗi cặp 0,5 dB."),
    "fiber.gpon.splices_fixed": ("Số mối hàn cố định", "Fixed splices",
                                 "Mối hàn tại măng xông và bộ chia: 4."),
    "fiber.gpon.splice_every_km": ("Thêm một mối hàn mỗi (km)", "One more splice every (km)",
                                   "Mỗi cuộn cáp thêm một mối hàn: 2 km (0,1 dB mỗi mối)."),
    "fiber.gpon.margin_db": ("Dự phòng (dB)", "Safety margin (dB)",
                             "Dự phòng lão hoá và sửa chữa: 3 dB."),
    "fiber.gpon.max_reach_km": ("Cự ly tối đa (km)", "Maximum reach (km)",
                                "Giới hạn logic của GPON: 20 km."),
    # -- sharing
    "sharing.colocation_distance_m": ("Khoảng cách coi là cùng vị trí (m)",
                                      "Co-location distance (m)",
                                      "Trạm gần nhau hơn khoảng này là một vị trí: 30 m."),
    "sharing.consolidation_distance_urban_m": ("Khoảng cách gộp cột, đô thị (m)",
                                               "Consolidation distance, urban (m)",
                                               "Cột của các nhà mạng gần hơn khoảng này có thể "
                                               "gộp: 100 m (QĐ 5800/QĐ-UBND Hà Nội)."),
    "sharing.consolidation_distance_rural_m": ("Khoảng cách gộp cột, nông thôn (m)",
                                               "Consolidation distance, rural (m)",
                                               "Như trên, ngoài đô thị: 500 m."),
    "sharing.urban_density_per_km2": ("Mật độ dân số đô thị (người/km²)",
                                      "Urban density (people/km²)",
                                      "Trên mật độ này là đô thị (quy tắc gộp cột, loại cột A1 / "
                                      "A2a)."),
    "sharing.new_tower_height_m": ("Độ cao cột mới (m)", "New tower height (m)",
                                   "Độ cao cột dùng chung đề xuất xây mới: 36 m (cột A2b)."),
    "sharing.candidate_spacing_m": ("Khoảng cách điểm ứng viên (m)", "Candidate spacing (m)",
                                    "Khoảng cách giữa các điểm ứng viên cột mới dọc đường."),
    "sharing.max_exact_candidates": ("Số ứng viên tối đa cho lời giải chính xác",
                                     "Most candidates for the exact solver",
                                     "Trên số này dùng thuật toán tham lam thay lời giải chính "
                                     "xác (HiGHS)."),
    "sharing.top_opportunities": ("Số cơ hội dùng chung giả định thực hiện",
                                  "Opportunities assumed taken",
                                  "Số cơ hội dùng chung tốt nhất tính vào « tỷ lệ dùng chung có "
                                  "thể đạt »."),
    # -- scale
    "scale.tile_km": ("Cạnh ô lưới (km)", "Tile side (km)", "Cạnh một ô lưới: 20 km."),
    "scale.tile_above_km2": ("Chia ô khi diện tích trên (km²)", "Tile above (km²)",
                             "Chạy theo ô lưới khi vùng tính lớn hơn: 2.000 km²; 0: luôn chia."),
    "scale.scheduler": ("Nơi chạy các ô", "Where the tiles run",
                        "processes (mặc định), threads, synchronous hoặc địa chỉ cụm Dask."),
    "scale.workers": ("Số tiến trình", "Workers", "Số tiến trình cục bộ; 0: mọi lõi CPU."),
    "scale.resume": ("Dùng lại ô đã tính", "Resume", "Dùng lại các ô của lần chạy bị ngắt."),
    "scale.keep_tiles": ("Giữ GeoTIFF của từng ô", "Keep the tiles",
                         "Giữ các ô sau khi ghép (cần để chạy tiếp)."),
    "scale.assemble": ("Cách ghép raster", "How the rasters are assembled",
                       "auto, gtiff (một GeoTIFF) hoặc vrt (tệp VRT trên các ô)."),
    "scale.vrt_above_cells": ("Dùng VRT khi số ô trên", "VRT above (cells)",
                              "Trên số ô này auto ghi VRT: 200 triệu ô."),
    "scale.cog": ("Ghi GeoTIFF tối ưu đám mây (COG)", "Cloud Optimized GeoTIFFs",
                  "GeoTIFF ghép kèm ảnh tổng quan: QGIS mở nhanh cả tỉnh, cả nước."),
    "scale.partition_by": ("Chia các bước sau vùng phủ theo", "Split the later stages by",
                           "province: mỗi tỉnh (đơn vị 2025) một phần; none: chạy một khối."),
    "scale.retries": ("Số lần chạy lại khi lỗi", "Retries",
                      "Số lần chạy lại một ô hoặc một phần khi tiến trình chết: 2."),
    # -- units (issue 16)
    "units.far_margin_m": ("Khoảng lệch tối đa khỏi xã (m)", "Largest distance outside the commune (m)",
                           "Khi không có lớp ranh giới xã: thôn nằm xa xã mà tên của nó ghi hơn "
                           "khoảng này được báo (unit_conflict = far_from_named): 5.000 m."),
    # -- ducts (issue 16)
    "ducts.buffer_m": ("Khoảng cách cáp dọc đường (m)", "Cable-to-road distance (m)",
                       "Cáp nằm trong khoảng này tính từ tim đường là chạy dọc đường: 20 m."),
    "ducts.min_share": ("Tỷ lệ chiều dài tối thiểu (0-1)", "Minimum share of the length (0-1)",
                        "Cáp (hoặc tuyến dự kiến) tính là dọc đoạn đường khi đi theo ít nhất "
                        "tỷ lệ này của chiều dài."),
    "ducts.segment_max_m": ("Chiều dài đoạn tối đa (m)", "Longest segment (m)",
                            "Đường dài hơn được cắt thành các đoạn không dài hơn để xếp hạng "
                            "theo từng đoạn."),
    "ducts.sample_m": ("Bước lấy mẫu (m)", "Sampling step (m)",
                       "Khoảng cách các điểm kiểm tra đô thị dọc đoạn: 25 m."),
    "ducts.urban_min_share": ("Tỷ lệ điểm đô thị tối thiểu (0-1)", "Minimum urban share (0-1)",
                              "Tỷ lệ điểm của đoạn phải đạt một phép thử đô thị: 0,5."),
    "ducts.urban_road_classes": ("Cấp đường đô thị", "Urban road classes",
                                 "Các cấp đường tính là đô thị."),
    "ducts.urban_admin_levels": ("Đơn vị hành chính đô thị", "Urban administrative units",
                                 "Cấp hoặc tiền tố tên đơn vị làm nơi đó thành đô thị: phường, "
                                 "thị trấn."),
    "ducts.urban_density_per_km2": ("Mật độ dân số đô thị (người/km²)",
                                    "Urban density (people/km²)",
                                    "Trên mật độ này là đô thị; để trống: bỏ phép thử này."),
    "ducts.density_window_m": ("Cửa sổ tính mật độ (m)", "Density window (m)",
                               "Cạnh ô vuông tính trung bình mật độ: 1.000 m."),
    "ducts.trench_vnd_per_m": ("Chi phí đào rãnh (VND/m)", "Trench cost (VND/m)",
                               "Đào, lấp, hoàn trả mặt đường và hố ga của một tuyến ngầm."),
    "ducts.duct_vnd_per_m": ("Chi phí một ống riêng (VND/m)", "One duct (VND/m)",
                             "Một ống HDPE cho cáp của một doanh nghiệp."),
    "ducts.shared_duct_vnd_per_m": ("Chi phí ống dùng chung (VND/m)", "Shared duct (VND/m)",
                                    "Ống ngoài của tuyến dùng chung (PVC Ø110 hoặc khối ống)."),
    "ducts.subduct_vnd_per_m": ("Chi phí ống con (VND/m)", "Sub-duct (VND/m)",
                                "Một ống con cho mỗi tuyến cáp trong ống dùng chung."),
    "ducts.co_deployment_factor": ("Hệ số thi công kết hợp", "Co-deployment factor",
                                   "Nhân chi phí đào rãnh trên đường có công trình dự kiến."),
    # -- speed (issue 16)
    "speed.bandwidth_mhz": ("Băng thông sóng mang (MHz)", "Carrier bandwidth (MHz)",
                            "Băng thông đường xuống theo sóng mang: 4G 20 MHz, 5G theo băng."),
    "speed.scs_khz": ("Khoảng cách sóng mang con (kHz)", "Subcarrier spacing (kHz)",
                      "15 kHz cho LTE, 30 kHz cho NR."),
    "speed.dl_fraction": ("Tỷ lệ đường xuống", "Downlink fraction",
                          "Phần thời gian / phổ cho đường xuống: 1 (FDD), 0,74 (TDD NR)."),
    "speed.mimo_layers": ("Số luồng MIMO", "MIMO layers", "2 cho LTE, 4 cho NR."),
    "speed.alpha": ("Hệ số alpha (Shannon suy giảm)", "Alpha (attenuated Shannon)",
                    "Hệ số của giới hạn Shannon suy giảm (3GPP TR 36.942): 0,6 cho LTE."),
    "speed.sinr_min_db": ("SINR tối thiểu (dB)", "Minimum SINR (dB)",
                          "Dưới mức này hiệu suất phổ bằng 0: -10 dB cho LTE."),
    "speed.se_max_bps_hz": ("Hiệu suất phổ tối đa (bit/s/Hz)", "Maximum spectral efficiency",
                            "Trần hiệu suất phổ mỗi luồng: 4,4 bit/s/Hz cho LTE."),
    "speed.noise_figure_db": ("Hệ số tạp âm máy thu (dB)", "Handset noise figure (dB)",
                              "9 dB (giả định đánh giá của 3GPP)."),
    "speed.thermal_noise_dbm_hz": ("Mật độ tạp âm nhiệt (dBm/Hz)", "Thermal noise (dBm/Hz)",
                                   "kT ở 290 K: -174 dBm/Hz."),
    "speed.interference_load": ("Tải gây nhiễu (0-1)", "Interference load (0-1)",
                                "Tỷ lệ công suất của các trạm khác cùng sóng mang gây nhiễu."),
    "speed.load_factor": ("Phần tài nguyên cho một người dùng (0-1)", "Load factor (0-1)",
                          "Tỷ lệ tài nguyên ô một người dùng nhận được: 0,5."),
    "speed.hamlet_stat": ("Cách tính tốc độ của thôn", "Hamlet statistic",
                          "pop_median: trung vị theo dân số trong thôn (như i-Speed)."),
    "speed.pon_downstream_mbps": ("Tốc độ đường xuống GPON (Mbit/s)", "GPON downstream (Mbit/s)",
                                  "2488,32 Mbit/s (ITU-T G.984.2)."),
    "speed.gpon_efficiency": ("Hiệu suất GPON", "GPON efficiency",
                              "Phần tốc độ còn lại sau khung GTC và tiêu đề GEM: 0,92."),
    "speed.split_ratio": ("Số thuê bao mỗi cổng PON", "Users per PON port",
                          "Để trống: theo tỷ lệ chia của kế hoạch cáp quang (1:32)."),
    "speed.take_up": ("Tỷ lệ cổng có thuê bao (0-1)", "Take-up (0-1)",
                      "Tỷ lệ cổng của bộ chia có thuê bao: 0,7."),
    "speed.concurrency": ("Tỷ lệ dùng đồng thời giờ cao điểm (0-1)", "Busy-hour concurrency (0-1)",
                          "Tỷ lệ thuê bao tải cùng lúc giờ cao điểm: 0,2."),
    "speed.plan_cap_mbps": ("Tốc độ gói cước (Mbit/s)", "Plan speed (Mbit/s)",
                            "Tốc độ tối đa của gói cước: 300 Mbit/s."),
}


def param_label(path: str, lang: str) -> str:
    """The label of parameter ``path`` in ``lang`` (its last name when it has none)."""
    words = PARAM_WORDS.get(path)
    if words is None:
        return path.rsplit(".", 1)[-1]
    return words[1] if lang == "en" else words[0]


_ROLE = re.compile(r":(?:data|func|class|mod|meth|attr):`~?([^`]+)`")


def plain_doc(doc: str) -> str:
    """A field's docstring without reStructuredText markup (``x`` -> x, :data:`A.B` -> B)."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], doc or "")
    return text.replace("``", "").replace("[U]", "").replace("[P]", "").replace("[V]", "").strip()


def help_text(path: str, lang: str, doc: str) -> str:
    """The help of parameter ``path`` in ``lang``: the Vietnamese help, or in English the
    field's documentation (``doc``)."""
    if lang == "en":
        return plain_doc(doc)
    words = PARAM_WORDS.get(path)
    return words[2] if words is not None else plain_doc(doc)
