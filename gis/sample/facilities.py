"""Public facilities: per commune an office (UBND), a health station and schools; an industrial
zone; a district hospital and high school in the town."""

from __future__ import annotations

import numpy as np
import shapely

from gis.sample.places import NO_FIBER, NO_SIGNAL, Places

__all__ = ["build_facilities", "industrial_zone"]


def industrial_zone(places: Places, national_end_xy: np.ndarray) -> shapely.Polygon:
    """A 1.4 km x 0.8 km industrial zone beside the national road, east of the town."""
    town = places.commune_xy[0]
    d = national_end_xy - town
    d = d / np.hypot(*d)
    centre = town + 0.55 * (national_end_xy - town) + np.array([d[1], -d[0]]) * 700.0
    box = shapely.box(-700, -400, 700, 400)
    ang = np.degrees(np.arctan2(d[1], d[0]))
    import shapely.affinity as aff

    return aff.translate(aff.rotate(box, ang, origin=(0, 0)), *centre)


def build_facilities(places: Places, commune_names: list[str], hamlet_names: list[str],
                     iz: shapely.Polygon, rng: np.random.Generator, *,
                     town_district: str = "Nho Quan") -> list[dict]:
    """Rows of the facilities layer (kind, name, commune, geometry), EPSG:32648.

    ``town_district`` names the district hospital and high school of the town (commune 0).
    """
    rows: list[dict] = []

    def add(kind: str, name: str, c: int, geom: shapely.Geometry) -> None:
        rows.append({"facility_id": f"CS{len(rows) + 1:03d}", "kind": kind, "name": name,
                     "commune": commune_names[c], "geometry": geom})

    for c, name in enumerate(commune_names):
        short = name.replace("Xã ", "").replace("Thị trấn ", "")
        centre = places.commune_xy[c]
        add("commune_office", f"UBND {name}", c, shapely.Point(centre + np.array([30.0, 25.0])))
        add("health_station", f"Trạm y tế {name}", c,
            shapely.Point(centre + rng.uniform(-400, 400, 2)))
        members = np.flatnonzero(places.hamlet_commune == c)
        near = members[np.argsort(np.hypot(*(places.hamlet_xy[members] - centre).T))]
        for k, level in enumerate(("Trường Mầm non", "Trường Tiểu học", "Trường THCS")):
            i = near[min(k, len(near) - 1)]
            add("school", f"{level} {short}", c,
                shapely.Point(places.hamlet_xy[i] + rng.uniform(-150, 150, 2)))
    # A satellite school (điểm trường) in the hidden basin: a facility without signal or fiber.
    basin = [i for i, t in enumerate(places.tags) if NO_SIGNAL in t and NO_FIBER in t]
    if basin:
        i = basin[0]
        c = int(places.hamlet_commune[i])
        add("school", f"Điểm trường Tiểu học {hamlet_names[i]}", c,
            shapely.Point(places.hamlet_xy[i] + np.array([40.0, -30.0])))
    town = places.commune_xy[0]
    add("other", f"Trung tâm Y tế huyện {town_district}", 0,
        shapely.Point(town + np.array([-350.0, 220.0])))
    add("school", f"Trường THPT {town_district} A", 0,
        shapely.Point(town + np.array([420.0, -310.0])))
    c_iz = int(np.argmin(np.hypot(*(places.commune_xy - np.array(iz.centroid.coords[0])).T)))
    add("industrial_zone", "Khu công nghiệp Nho Quan (tổng hợp)", c_iz, iz)
    return rows
