"""The canonical layers: their kinds, geometry types, columns and the header aliases readers accept.

Inside the code every layer is a GeoDataFrame in the metric analysis CRS (see
:mod:`gis.layers.crs`) with the English snake_case columns below. Readers map the headers users
actually have (Vietnamese with or without diacritics, English, abbreviations) onto them and report
the mapping. Aliases are compared after :func:`header_key` (lower case, no diacritics, ``_`` for
spaces and punctuation), so ``"Tên thôn"``, ``"ten thon"`` and ``"TEN_THON"`` are one alias.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "LAYER_SPECS",
    "RASTER_KINDS",
    "TABLE_KINDS",
    "ColumnSpec",
    "LayerKind",
    "LayerSpec",
    "header_key",
]


class LayerKind(StrEnum):
    """The vector layer kinds a project holds."""

    VILLAGES = "villages"
    SITES = "sites"
    FIBER = "fiber"
    FIBER_NODES = "fiber_nodes"
    ROADS = "roads"
    FACILITIES = "facilities"
    ADMIN = "admin"
    ZONES = "zones"
    MEASUREMENTS = "measurements"

    @classmethod
    def parse(cls, value: str) -> LayerKind:
        """The kind named by ``value``; the error lists the valid kinds."""
        try:
            return cls(str(value).strip().lower().replace("-", "_"))
        except ValueError:
            from gis.errors import invalid_choice

            raise invalid_choice("layer kind", value, (k.value for k in cls)) from None


#: Raster inputs of a project: DEM in metres, population in people per cell, land-cover classes.
RASTER_KINDS = ("dem", "population", "landcover")

#: Table inputs of a project (no geometry): the per-commune statistics (subscriptions per 100
#: people, smartphone share, i-Speed medians; :mod:`gis.layers.commune_stats`).
TABLE_KINDS = ("commune_stats",)


def header_key(header: object) -> str:
    """Normalise a column header for alias matching.

    >>> header_key("Tên thôn")
    'ten_thon'
    >>> header_key("Kinh độ (°)")
    'kinh_do'
    """
    text = str(header).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its name, dtype kind, aliases and documented default.

    ``dtype`` is one of ``"str"``, ``"float"``, ``"int"``, ``"bool"``. ``default`` is applied
    by the analysis that needs it (never silently by the reader); ``None`` means "no value".
    """

    name: str
    dtype: str = "str"
    aliases: tuple[str, ...] = ()
    description: str = ""

    def keys(self) -> set[str]:
        """All normalised header keys that map to this column."""
        return {header_key(self.name), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class LayerSpec:
    """A canonical layer: allowed geometry types, required and optional columns."""

    kind: LayerKind
    geometry_types: tuple[str, ...]
    required: tuple[ColumnSpec, ...] = ()
    optional: tuple[ColumnSpec, ...] = ()
    id_column: str | None = None
    label_vi: str = ""
    label_en: str = ""
    columns_by_name: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cols = {c.name: c for c in (*self.required, *self.optional)}
        object.__setattr__(self, "columns_by_name", cols)

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        return (*self.required, *self.optional)


_C = ColumnSpec
_ADMIN_COLS = (
    _C("commune", aliases=("xa", "ten_xa", "xa_phuong", "phuong_xa", "commune_name", "ward")),
    _C("district", aliases=("huyen", "ten_huyen", "quan_huyen", "district_name")),
    _C("province", aliases=("tinh", "ten_tinh", "tinh_thanh", "province_name")),
)

LAYER_SPECS: dict[LayerKind, LayerSpec] = {
    LayerKind.VILLAGES: LayerSpec(
        LayerKind.VILLAGES,
        ("Point", "Polygon", "MultiPolygon"),
        required=(
            _C("name", aliases=("ten", "ten_thon", "thon", "ten_ap", "ten_ban", "ten_xom",
                                "thon_xom", "ten_thon_xom", "village", "village_name", "hamlet",
                                "hamlet_name", "ten_to_dan_pho")),
        ),
        optional=(
            _C("village_id", aliases=("id", "ma_thon", "ma", "code", "hamlet_id", "fid_thon")),
            *_ADMIN_COLS,
            _C("population", "float", ("dan_so", "so_dan", "nhan_khau", "so_nhan_khau", "pop",
                                       "population_total")),
            _C("households", "float", ("so_ho", "ho", "ho_gia_dinh", "so_ho_gia_dinh", "hh",
                                       "n_households")),
            _C("centre_lon", "float", ("centre_lon", "center_lon", "nvh_lon", "kinh_do_nvh")),
            _C("centre_lat", "float", ("centre_lat", "center_lat", "nvh_lat", "vi_do_nvh")),
        ),
        id_column="village_id",
        label_vi="Thôn/xóm/ấp/bản",
        label_en="Hamlets",
    ),
    LayerKind.SITES: LayerSpec(
        LayerKind.SITES,
        ("Point",),
        required=(
            _C("operator", aliases=("nha_mang", "nhamang", "mang", "doanh_nghiep", "carrier",
                                    "network", "mno", "telco", "mcc_mnc", "plmn")),
        ),
        optional=(
            _C("site_id", aliases=("id", "ma_tram", "ma_tram_bts", "ten_tram", "site", "site_name",
                                   "cell_site", "station_id", "ma_bts")),
            _C("tech", aliases=("cong_nghe", "technology", "techs", "rat", "radio", "loai_tram")),
            _C("band", aliases=("bang_tan", "band_name")),
            _C("freq_mhz", "float", ("tan_so", "tan_so_mhz", "frequency", "frequency_mhz", "freq")),
            _C("height_m", "float", ("do_cao", "chieu_cao", "chieu_cao_cot", "do_cao_anten",
                                     "do_cao_cot", "chieu_cao_anten", "do_treo_anten",
                                     "height", "antenna_height", "ant_height", "h_m")),
            _C("azimuth_deg", "float", ("azimuth", "goc_phuong_vi", "phuong_vi", "huong", "az")),
            _C("beamwidth_deg", "float", ("beamwidth", "do_rong_bup_song", "hbw")),
            _C("tilt_deg", "float", ("tilt", "goc_nghieng", "do_nghieng", "downtilt")),
            _C("eirp_dbm", "float", ("eirp", "cong_suat_phat_xa", "eirp_dbm")),
            _C("structure", aliases=("loai_cot", "kieu_cot", "cot", "tower_type", "pole_type")),
            _C("owner", aliases=("chu_so_huu", "don_vi_so_huu", "tower_owner")),
            _C("position_id", aliases=("ma_vi_tri", "shared_tower_id", "tower_id", "ma_cot",
                                       "vi_tri_dung_chung")),
        ),
        id_column="site_id",
        label_vi="Trạm BTS",
        label_en="BTS sites",
    ),
    LayerKind.FIBER: LayerSpec(
        LayerKind.FIBER,
        ("LineString", "MultiLineString"),
        optional=(
            _C("operator", aliases=("nha_mang", "doanh_nghiep", "owner", "chu_so_huu")),
            _C("level", aliases=("cap", "cap_mang", "loai_tuyen", "tier")),
            _C("installation", aliases=("hinh_thuc", "lap_dat", "kieu_lap_dat", "install",
                                        "hinh_thuc_lap_dat", "phuong_thuc_lap_dat",
                                        "cach_lap_dat", "installation_type", "loai_lap_dat")),
        ),
        label_vi="Tuyến cáp quang",
        label_en="Fiber routes",
    ),
    LayerKind.FIBER_NODES: LayerSpec(
        LayerKind.FIBER_NODES,
        ("Point",),
        optional=(
            _C("node_id", aliases=("id", "ma_node", "ma_thiet_bi")),
            _C("operator", aliases=("nha_mang", "doanh_nghiep", "owner")),
            _C("kind", aliases=("loai", "loai_thiet_bi", "type", "node_type")),
            _C("capacity", "float", ("dung_luong", "so_cong", "ports")),
        ),
        id_column="node_id",
        label_vi="Điểm truy nhập quang",
        label_en="Fiber nodes",
    ),
    LayerKind.ROADS: LayerSpec(
        LayerKind.ROADS,
        ("LineString", "MultiLineString"),
        optional=(
            _C("road_class", aliases=("cap_duong", "loai_duong", "class", "highway", "fclass")),
            _C("name", aliases=("ten", "ten_duong", "road_name")),
            _C("planned_works", aliases=("cong_trinh", "du_an", "ke_hoach", "planned",
                                         "planned_works")),
        ),
        label_vi="Đường giao thông",
        label_en="Roads",
    ),
    LayerKind.FACILITIES: LayerSpec(
        LayerKind.FACILITIES,
        ("Point", "Polygon", "MultiPolygon"),
        required=(
            _C("kind", aliases=("loai", "loai_co_so", "type", "category", "amenity")),
        ),
        optional=(
            _C("facility_id", aliases=("id", "ma", "ma_co_so")),
            _C("name", aliases=("ten", "ten_co_so", "facility_name")),
            _C("commune", aliases=("xa", "ten_xa")),
        ),
        id_column="facility_id",
        label_vi="Cơ sở công cộng",
        label_en="Facilities",
    ),
    LayerKind.ADMIN: LayerSpec(
        LayerKind.ADMIN,
        ("Polygon", "MultiPolygon"),
        # Published conventions (GADM NAME_n, geoBoundaries shapeName, OCHA ADMn_VI, ...) are
        # turned into these columns by gis.layers.admin_levels before the mapping; the
        # aliases below let the kind guesser recognise them.
        required=(_C("name", aliases=("ten", "ten_xa", "ten_don_vi", "admin_name", "name_3",
                                      "name_2", "name_1", "shapename", "adm3_vi", "adm2_vi",
                                      "adm1_vi", "adm3_en", "adm2_en", "adm1_en")),),
        optional=(
            _C("level", aliases=("cap", "cap_hanh_chinh", "admin_level", "shapetype")),
            _C("code", aliases=("ma", "ma_xa", "ma_dvhc", "admin_code", "gid_3", "gid_2", "gid_1",
                                "shapeid", "adm3_pcode", "adm2_pcode", "adm1_pcode")),
            _C("unit_type", aliases=("loai_don_vi", "type_3", "type_2", "type_1")),
            _C("district", aliases=("huyen", "ten_huyen")),
            _C("district_code", aliases=("ma_huyen",)),
            _C("province", aliases=("tinh", "ten_tinh")),
            _C("province_code", aliases=("ma_tinh",)),
        ),
        id_column="code",
        label_vi="Đơn vị hành chính",
        label_en="Administrative units",
    ),
    LayerKind.ZONES: LayerSpec(
        LayerKind.ZONES,
        ("Polygon", "MultiPolygon"),
        required=(
            _C("rule", aliases=("quy_dinh", "quy_tac", "loai_vung", "zone_rule", "restriction",
                                "han_che")),
        ),
        optional=(
            _C("name", aliases=("ten", "ten_vung", "zone_name")),
        ),
        label_vi="Vùng hạn chế xây dựng cột",
        label_en="Tower zoning",
    ),
    # Signal measurements for calibrating the coverage model (gis.radio.calibration): drive
    # tests (G-NetTrack: Level, NetworkTech, ARFCN; TEMS / Nemo style "Serving Cell RSRP",
    # EARFCN, Band), crowd-sourced speed-test exports (RTR-NetTest open data: lte_rsrp,
    # network_mcc_mnc, cat_technology; Ookla-style client_latitude), OpenCelliD averageSignal.
    # Which of several signal columns is the RSRP is decided by MEASUREMENT_SIGNAL_PRIORITY in
    # gis.layers.conventions, not by the column order.
    LayerKind.MEASUREMENTS: LayerSpec(
        LayerKind.MEASUREMENTS,
        ("Point",),
        required=(
            _C("operator", aliases=("nha_mang", "mang", "doanh_nghiep", "carrier", "network",
                                    "mno", "telco", "mcc_mnc", "plmn", "operatorname",
                                    "operator_name", "network_name", "network_operator",
                                    "network_operator_name", "network_mcc_mnc",
                                    "sim_operator_name", "provider", "provider_name",
                                    "carrier_name")),
            _C("rsrp_dbm", "float", ("rsrp", "ss_rsrp", "nr_ss_rsrp", "nr_rsrp", "lte_rsrp",
                                     "serving_rsrp", "serving_cell_rsrp",
                                     "lte_serving_cell_rsrp", "nr_serving_cell_ss_rsrp",
                                     "scell_rsrp", "rsrp_serving", "level", "signal",
                                     "signal_dbm", "signal_strength", "signal_level",
                                     "cuong_do_tin_hieu", "muc_tin_hieu", "averagesignal",
                                     "average_signal", "rscp", "rxlev", "rx_level")),
        ),
        optional=(
            _C("measurement_id", aliases=("id", "ma_do", "sample_id", "test_id",
                                          "open_test_uuid")),
            _C("tech", aliases=("cong_nghe", "technology", "rat", "radio", "networktech",
                                "network_tech", "network_type", "networkmode", "network_mode",
                                "cat_technology", "act", "connection_type", "system_mode")),
            _C("band", aliases=("bang_tan", "band_name", "frequency_band", "lte_band",
                                "nr_band", "serving_band")),
            _C("freq_mhz", "float", ("tan_so", "tan_so_mhz", "frequency", "frequency_mhz",
                                     "freq", "dl_freq_mhz")),
            _C("earfcn", "float", ("arfcn", "dl_earfcn", "earfcn_dl", "nr_arfcn", "nrarfcn",
                                   "ssb_arfcn", "uarfcn", "channel")),
            _C("time", aliases=("timestamp", "thoi_gian", "date_time", "datetime", "date",
                                "measured_at", "test_date")),
            _C("source", aliases=("nguon", "data_source")),
        ),
        label_vi="Số liệu đo tín hiệu",
        label_en="Signal measurements",
    ),
}

#: Canonical operator names (DOMAIN.md section 5), by MCC-MNC.
OPERATORS_BY_MNC: dict[str, str] = {
    "452-01": "MobiFone",
    "452-02": "VinaPhone",
    "452-04": "Viettel",
    "452-05": "Vietnamobile",
    "452-07": "Gmobile",
    "452-08": "iTel",
    "452-09": "Wintel",
}

#: Columns of the OpenCelliD CSV export, in order (opencellid.org "Downloads"; the full and
#: per-country dumps have the same columns without this header line).
OCID_COLUMNS = ("radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples",
                "changeable", "created", "updated", "averageSignal")

#: Mobile technologies the tool knows, oldest first.
TECHS = ("2G", "3G", "4G", "5G")

#: Canonical road classes, most important first; ``urban`` = streets of towns (phố, đường đô
#: thị), where plans ask for underground ducts (see gis.analysis.costs).
ROAD_CLASSES = ("national", "provincial", "district", "commune", "village", "urban", "other")

#: Tower zoning rules (DOMAIN.md section 2): ``no_new_tower`` (heritage sites, the 200 m in front
#: of provincial offices, core zones: no new tower at all) and ``a1_only`` (only non-bulky A1
#: poles / camouflaged masts, e.g. listed streets and squares).
ZONE_RULES = ("no_new_tower", "a1_only")

#: Canonical facility kinds.
FACILITY_KINDS = ("school", "health_station", "commune_office", "industrial_zone", "other")
