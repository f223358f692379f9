"""The district boundary, communes (Voronoi cells of commune centres) and hamlets (Voronoi
sub-cells of hamlet centres within each commune), with the designed gap hamlets placed first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gis.sample.frame import Frame
from gis.sample.spec import SampleSpec
from gis.sample.terrain import TerrainSpec, elevation_at

__all__ = ["Places", "build_places"]

#: Design tags of hamlets (the ``sample_design`` column of the villages layer).
NO_SIGNAL = "no_signal"
WEAK_SPOT = "weak_spot"
NO_FIBER = "no_fiber"
NO_ROAD = "no_road"


@dataclass
class Places:
    """Geometry of the administrative layout, in EPSG:32648 metres.

    ``commune_xy[0]`` is the district town. ``hamlet_*`` arrays share one index.
    """

    boundary: shapely.Polygon
    commune_xy: np.ndarray          # (c, 2)
    commune_polys: np.ndarray       # (c,) of Polygon / MultiPolygon
    commune_hilly: np.ndarray       # (c,) bool
    hamlet_xy: np.ndarray           # (h, 2) centre (cultural house)
    hamlet_commune: np.ndarray      # (h,) commune index
    hamlet_polys: np.ndarray        # (h,) Polygon / MultiPolygon
    hamlet_zone: np.ndarray         # (h,) "town", "delta", "hills"
    satellite_xy: np.ndarray        # (h, 2) outlying cluster, NaN where none
    tags: list[set[str]]            # design tags per hamlet
    basin_xy: tuple[float, float]
    valley_site_xy: tuple[float, float]
    satellite_centre: tuple[float, float]
    spur_x: float


def district_boundary(frame: Frame, rng: np.random.Generator) -> shapely.Polygon:
    """An irregular oval filling about 75 % of the frame (about 300 km² for the district)."""
    theta = np.linspace(0.0, 2 * np.pi, 181)[:-1]
    r = np.ones_like(theta)
    for k, amp in ((2, 0.05), (3, 0.04), (5, 0.025), (8, 0.012)):
        r += amp * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    r = r / r.max() * 0.5
    cx, cy = frame.xy(0.5, 0.5)
    x = cx + r * np.cos(theta) * frame.width
    y = cy + r * np.sin(theta) * frame.height
    return shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))


def _voronoi(points: np.ndarray, clip: shapely.Geometry) -> np.ndarray:
    """Voronoi cells of ``points`` clipped to ``clip``, in the order of the points."""
    if len(points) == 1:
        return np.array([clip], dtype=object)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=clip, ordered=True)
    parts = np.asarray(shapely.get_parts(cells), dtype=object)
    out = shapely.intersection(parts, clip)
    # Keep each cell as one piece when clipping leaves slivers (area < 1 m²).
    return np.array([_clean(g) for g in out], dtype=object)


def _clean(geom: shapely.Geometry) -> shapely.Geometry:
    geom = shapely.make_valid(geom)
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 1.0]
    if len(polys) == 1:
        return polys[0]
    return shapely.MultiPolygon(polys)


def _poisson(rng: np.random.Generator, region: shapely.Geometry, n: int, min_d: float,
             taken: np.ndarray, avoid: list[tuple[float, float, float]],
             score=None, tries: int = 40) -> np.ndarray:
    """Up to ``n`` random points in ``region`` at least ``min_d`` apart (and from ``taken``),
    outside the ``avoid`` discs (x, y, radius); ``score(xy)`` (lower is better) picks the best
    of several candidates."""
    minx, miny, maxx, maxy = region.bounds
    pts = [tuple(p) for p in taken]
    out: list[tuple[float, float]] = []
    shapely.prepare(region)
    for _ in range(n):
        for _attempt in range(tries):
            cand = np.column_stack([rng.uniform(minx, maxx, 24), rng.uniform(miny, maxy, 24)])
            ok = shapely.contains_xy(region, cand[:, 0], cand[:, 1])
            for ax, ay, ar in avoid:
                ok &= np.hypot(cand[:, 0] - ax, cand[:, 1] - ay) > ar
            if pts:
                arr = np.asarray(pts)
                d = np.hypot(cand[:, 0, None] - arr[None, :, 0], cand[:, 1, None] - arr[None, :, 1])
                ok &= d.min(axis=1) >= min_d
            cand = cand[ok]
            if len(cand):
                if score is not None:
                    cand = cand[np.argsort(score(cand))][:1]
                out.append((float(cand[0, 0]), float(cand[0, 1])))
                pts.append(out[-1])
                break
    return np.asarray(out, dtype=float).reshape(-1, 2)


def build_places(spec: SampleSpec, frame: Frame, terrain: TerrainSpec, seed: int,
                 rng: np.random.Generator) -> Places:
    """The boundary, communes and hamlets of the district, with the designed gaps."""
    boundary = district_boundary(frame, rng)
    town = np.array(frame.xy(0.56, 0.55))
    basin = terrain.basin_xy_m
    r0 = terrain.basin_radius_m
    hill_edge = terrain.hill_edge_x_m

    def is_hilly(xy: np.ndarray) -> np.ndarray:
        return xy[:, 0] < hill_edge - 500.0

    # Designed places: basin (hidden valley) hamlets, valley hamlets with satellites.
    basin_pts = _poisson(rng, shapely.Point(basin).buffer(0.6 * r0).intersection(boundary),
                         6, 550.0, np.empty((0, 2)), [])
    sx = terrain.spur_x_m
    sy_mid = 0.5 * (terrain.spur_y0_m + terrain.spur_y1_m)
    valley_h = np.array([[sx + 650.0, sy_mid + dy] for dy in (-700.0, 0.0, 700.0)])
    valley_h[:, 0] += rng.uniform(-60, 60, 3)
    valley_h[:, 1] += rng.uniform(-80, 80, 3)
    valley_sat = valley_h.copy()
    valley_sat[:, 0] = sx - 600.0 + rng.uniform(-50, 50, 3)
    sat_centre = (sx - 600.0, sy_mid)
    valley_site = (sx + 1_250.0, sy_mid + rng.uniform(-100, 100))

    # Commune centres: the town first, then the valley commune (whose seat is in the valley,
    # so that the valley and its outlying clusters are one commune); none inside the basin
    # and none nearer to the outlying clusters than the valley commune's seat.
    valley_seat = np.array([sx + 1_600.0, sy_mid + rng.uniform(-150, 150)])
    avoid_c = [(basin[0], basin[1], r0 + 1_200.0), (sat_centre[0], sat_centre[1], 3_600.0),
               (*valley_site, 700.0)]
    area_km2 = boundary.area / 1e6
    min_d = 0.62 * np.sqrt(area_km2 / spec.n_communes) * 1_000.0
    others = _poisson(rng, boundary.buffer(-600.0), spec.n_communes - 2, min_d,
                      np.vstack([town, valley_seat]), avoid_c)
    commune_xy = np.vstack([town, valley_seat, others])
    commune_polys = _voronoi(commune_xy, boundary)
    commune_hilly = is_hilly(commune_xy)

    # Hamlet centres per commune.
    designed = np.vstack([basin_pts, valley_h])
    d_tags: list[set[str]] = [{NO_SIGNAL, NO_FIBER} for _ in basin_pts] + [
        {WEAK_SPOT} for _ in valley_h]
    d_sat = np.vstack([np.full_like(basin_pts, np.nan), valley_sat])
    avoid_h = [(sat_centre[0], sat_centre[1], 1_000.0)] + [
        (float(a), float(b), 800.0) for a, b in valley_sat]

    def low_ground(xy: np.ndarray) -> np.ndarray:  # hamlets sit in valleys
        return elevation_at(xy[:, 0], xy[:, 1], seed, terrain)

    xy_all, com_all, sat_all, tags_all, zone_all = [], [], [], [], []
    for c, poly in enumerate(commune_polys):
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, designed[:, 0], designed[:, 1])
        d_here = designed[inside]
        centre = commune_xy[c]
        zone = "town" if c == 0 else ("hills" if commune_hilly[c] else "delta")
        density = {"town": 4.0, "hills": spec.hamlets_per_km2_hills,
                   "delta": spec.hamlets_per_km2_delta}[zone]
        n_target = max(4, round(poly.area / 1e6 * density))
        n_new = max(0, n_target - len(d_here))
        spacing = 0.55 * np.sqrt(poly.area / max(n_target, 1))
        taken = np.vstack([d_here, centre[None, :]])
        avoid = [*avoid_h, (basin[0], basin[1], r0 + 400.0)]
        new = _poisson(rng, poly.buffer(-80.0), n_new, spacing, taken, avoid,
                       score=low_ground if zone == "hills" else None)
        # The commune centre is itself the centre of the first (seat) hamlet.
        pts = np.vstack([centre[None, :] + rng.uniform(-120, 120, 2), d_here, new])
        xy_all.append(pts)
        com_all.append(np.full(len(pts), c))
        sat_all.append(np.vstack([np.full((1, 2), np.nan), d_sat[inside],
                                  np.full((len(new), 2), np.nan)]))
        tags_all += [set()] + [set(t) for t, i in zip(d_tags, inside, strict=True) if i] + [
            set() for _ in new]
        zone_all += [zone] * len(pts)
    hamlet_xy = np.vstack(xy_all)
    hamlet_commune = np.concatenate(com_all)
    satellite_xy = np.vstack(sat_all)
    # Hamlet polygons: Voronoi cells within the commune, of the centres and of the outlying
    # clusters; a cluster's cell is merged into its hamlet's.
    polys = np.empty(len(hamlet_xy), dtype=object)
    for c, poly in enumerate(commune_polys):
        idx = np.flatnonzero(hamlet_commune == c)
        sat = idx[np.isfinite(satellite_xy[idx, 0])]
        sat = sat[shapely.contains_xy(poly, satellite_xy[sat, 0], satellite_xy[sat, 1])]
        cells = _voronoi(np.vstack([hamlet_xy[idx], satellite_xy[sat]]), poly)
        polys[idx] = cells[: len(idx)]
        for k, i in enumerate(sat):
            j = int(np.flatnonzero(idx == i)[0])
            polys[i] = _clean(shapely.union(cells[j], cells[len(idx) + k]))
    lost = np.isfinite(satellite_xy[:, 0]) & ~shapely.contains_xy(
        polys.astype(object), satellite_xy[:, 0], satellite_xy[:, 1])
    satellite_xy[lost] = np.nan
    return Places(
        boundary=boundary,
        commune_xy=commune_xy,
        commune_polys=commune_polys,
        commune_hilly=commune_hilly,
        hamlet_xy=hamlet_xy,
        hamlet_commune=hamlet_commune,
        hamlet_polys=polys,
        hamlet_zone=np.asarray(zone_all),
        satellite_xy=satellite_xy,
        tags=tags_all,
        basin_xy=(float(basin[0]), float(basin[1])),
        valley_site_xy=(float(valley_site[0]), float(valley_site[1])),
        satellite_centre=(float(sat_centre[0]), float(sat_centre[1])),
        spur_x=float(sx),
    )
