"""Size and layout parameters of the synthetic sample areas, one frozen dataclass per preset.

The ``"district"`` preset is the bundled sample (issue 2); ``"province"`` and ``"country"``
(issue 8) scale its extent and counts, and their DEM is written window by window
(:func:`gis.sample.blocks.write_dem_blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass

from gis.errors import ValidationError

__all__ = ["PRESETS", "SampleSpec", "spec_for"]


@dataclass(frozen=True)
class SampleSpec:
    """How big the sample area is and how much it holds.

    Attributes
    ----------
    preset
        The preset's name.
    centre_lon, centre_lat
        Centre of the area in WGS84 degrees. Default: 105.80 E, 20.28 N, between Nho Quan
        (limestone hills, west) and Gia Viễn (Red River delta, east) in Ninh Bình.
    width_m, height_m
        Extent of the district's bounding box in metres (EPSG:32648). The district is an
        irregular oval inside it of about 270 km² (the size of a rural district: Nho Quan
        has about 450 km², Gia Viễn about 175 km²).
    n_communes
        Communes (xã, thị trấn), about 30 per rural district in Vietnam before 2025.
    hamlets_per_km2_delta, hamlets_per_km2_hills
        Density of hamlets (thôn, xóm, bản) in the delta and in the hills; gives 300-500
        hamlets on 300 km², denser in the delta as in the Red River delta.
    dem_res_m, pop_res_m
        Cell size of the DEM (30 m, like SRTM / Copernicus GLO-30) and of the population
        raster (100 m, like WorldPop).
    dem_margin_m
        The DEM covers the district plus this margin, so terrain just outside shadows too.
    grid_m
        Raster origins are snapped to multiples of this (a multiple of both cell sizes), so
        that any tile of the DEM lines up with the whole.
    sites
        Physical site positions per operator before sharing (4 operators).
    share_probability
        Chance that a non-Viettel site goes on an existing tower of another operator; gives a
        site-sharing rate near the 20-30 % plan targets (DOMAIN.md section 0).
    """

    preset: str = "district"
    centre_lon: float = 105.80
    centre_lat: float = 20.28
    width_m: float = 22_200.0
    height_m: float = 18_000.0
    n_communes: int = 30
    hamlets_per_km2_delta: float = 1.55
    hamlets_per_km2_hills: float = 0.95
    dem_res_m: float = 30.0
    pop_res_m: float = 100.0
    dem_margin_m: float = 1_500.0
    grid_m: float = 300.0
    sites: tuple[tuple[str, int], ...] = (
        ("Viettel", 56),
        ("VinaPhone", 36),
        ("MobiFone", 32),
        ("Vietnamobile", 15),
    )
    share_probability: float = 0.3

    def __post_init__(self) -> None:
        if self.width_m <= 0 or self.height_m <= 0:
            raise ValidationError(
                f"Sample extent must be positive, got {self.width_m} x {self.height_m} m.",
                f"Kích thước vùng mẫu phải dương, nhận {self.width_m} x {self.height_m} m.",
            )
        if self.grid_m % self.dem_res_m or self.grid_m % self.pop_res_m:
            raise ValidationError(
                f"grid_m={self.grid_m} must be a multiple of both cell sizes.",
                f"grid_m={self.grid_m} phải là bội của cả hai kích thước ô.",
            )


#: The presets by name. ``province`` and ``country`` (issue 8, benchmarks of tiled runs) keep the
#: district's layout rules and scale its extent and counts: the province about 7,000 km² (the
#: oval fills 78.5 % of 100 x 90 km; a large Vietnamese province), 150 communes, about 2,000
#: hamlets and 600 physical sites (about 5,000 sectors after expansion, 2G/3G/4G/5G); the country
#: about 330,000 km² (the oval of 420 x 1,000 km, Vietnam's land area), 7,000 communes, about
#: 70,000 hamlets and 10,700 sites (about 100,000 sectors).
PRESETS: dict[str, SampleSpec] = {
    "district": SampleSpec(),
    "province": SampleSpec(
        preset="province", width_m=100_200.0, height_m=90_000.0, n_communes=150,
        hamlets_per_km2_delta=0.33, hamlets_per_km2_hills=0.2,
        sites=(("Viettel", 215), ("VinaPhone", 167), ("MobiFone", 148), ("Vietnamobile", 72)),
    ),
    "country": SampleSpec(
        preset="country", centre_lon=106.0, centre_lat=16.0, width_m=420_000.0,
        height_m=1_000_200.0, n_communes=7_000, hamlets_per_km2_delta=0.25,
        hamlets_per_km2_hills=0.17,
        sites=(("Viettel", 3_850), ("VinaPhone", 2_970), ("MobiFone", 2_640),
               ("Vietnamobile", 1_280)),
    ),
}


def spec_for(preset: str) -> SampleSpec:
    """The :class:`SampleSpec` of a preset; the error lists the valid presets."""
    try:
        return PRESETS[str(preset).strip().lower()]
    except KeyError:
        valid = ", ".join(PRESETS)
        raise ValidationError(
            f"Unknown sample preset {preset!r}; valid presets: {valid}.",
            f"Không có mẫu {preset!r}; các mẫu hợp lệ: {valid}.",
        ) from None
