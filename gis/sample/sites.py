"""BTS sites of the four operators: positions near populated hamlets, shared towers, mixed rows.

Viettel rows are one per sector (azimuth 0/120/240°, 65° beamwidth, a tilt), the other operators
one per site (the radio engine then assumes three sectors), as real site lists mix both. 5G rows
(tech ``"5G"``) are added at sites near the district town and the industrial zone, on the band
each operator won at auction (DOMAIN.md section 3): Viettel 2600 MHz, VinaPhone 3700 MHz,
MobiFone 3800 MHz. No site is placed where it would see the hidden basin or the valley clusters
behind the spur (a knife-edge check on the DEM).
"""

from __future__ import annotations

import numpy as np
import shapely

from gis.sample.places import NO_SIGNAL, Places
from gis.sample.shadow import max_fresnel_v
from gis.sample.spec import SampleSpec

__all__ = ["TOWERCO", "build_sites"]

#: Owner name of the neutral (tower-company) towers in the sample.
TOWERCO = "Công ty Hạ tầng Viễn thông Ninh Bình (tổng hợp)"

_PREFIX = {"Viettel": "VT_NQN", "VinaPhone": "VNP-NQ-", "MobiFone": "MBF_NQ_",
           "Vietnamobile": "VNM-NB-"}
#: Cell radius (m) an operator plans for, by zone, before the per-operator factor below:
#: about the 4G 1800 MHz cell radius of a 36 m tower at -110 dBm RSRP under a suburban
#: COST-231 Hata median (1.4 km), smaller in the town where rooftop sites are low.
_CELL_RADIUS_M = {"town": 650.0, "delta": 1_350.0, "hills": 1_250.0}
#: Sparser grids for the smaller operators (market share Viettel > VinaPhone, MobiFone >
#: Vietnamobile).
_SPACING_FACTOR = {"Viettel": 1.0, "VinaPhone": 1.3, "MobiFone": 1.35, "Vietnamobile": 2.0}
_BAND = {900: "B8", 1800: "B3", 2100: "B1", 2600: "n41", 3700: "n78", 3800: "n78"}
_FREQ_5G = {"Viettel": 2600, "VinaPhone": 3700, "MobiFone": 3800}
#: 5G is deployed within these distances (m) of the district town and of the industrial zone
#: (DOMAIN.md section 0: 5G first in district centres and industrial zones).
FIVE_G_TOWN_M = 1_800.0
FIVE_G_IZ_M = 1_200.0
#: Sites per operator still on 2G only (Vietnamobile) or 2G/3G only (the others), unshared.
LEGACY_SITES = {"Vietnamobile": 3, "MobiFone": 3, "VinaPhone": 2}

#: The DEM as the placement sees it: elevation array (row 0 north), (left, top), cell size m.
DemGrid = tuple[np.ndarray, tuple[float, float], float]

#: Minimum distance (m) of any site from a no-signal hamlet centre and from an outlying cluster.
MIN_GAP_DISTANCE_M = {"no_signal": 3_800.0, "cluster": 1_500.0}
#: Minimum knife-edge parameter v from a 45 m mast at 900 MHz (the most favourable case) to
#: the no-signal points (J(v) > 29 dB) and to the outlying clusters (J(v) > 22 dB).
MIN_GAP_V = {"no_signal": 7.0, "cluster": 4.0}


def build_sites(spec: SampleSpec, places: Places, population: np.ndarray, hill_edge_x_m: float,
                industrial_xy: tuple[float, float], dem: DemGrid,
                rng: np.random.Generator) -> list[dict]:
    """Rows of the sites layer (dicts with a shapely Point ``geometry``), EPSG:32648.

    ``dem`` is the sample's DEM (array, (left, top), cell size): no site is placed where a 45 m
    mast would see a designed gap (see :func:`_out_of_sight`).
    """
    town = places.commune_xy[0]
    iz = np.asarray(industrial_xy)
    h_xy = places.hamlet_xy
    targets = _gap_targets(places)
    ok = _out_of_sight(h_xy, targets, dem)
    shapely.prepare(places.boundary)

    def zone(xy: np.ndarray) -> str:
        if np.hypot(*(xy - town)) < 2_000.0:
            return "town"
        return "hills" if xy[0] < hill_edge_x_m - 500.0 else "delta"

    # positions: xy, owner, position_id (explicit shared id or None), zone, operators
    positions: list[dict] = []
    sites: list[dict] = []  # operator, position index, tech

    def new_position(xy: np.ndarray, owner: str) -> int:
        positions.append({"xy": np.asarray(xy, float), "owner": owner, "position_id": None,
                          "zone": zone(np.asarray(xy)), "ops": []})
        return len(positions) - 1

    def attach(pos: int, op: str) -> None:
        positions[pos]["ops"].append(op)
        sites.append({"operator": op, "pos": pos})

    # The designed valley site: Viettel's tower, shared by VinaPhone under an explicit id.
    vpos = new_position(np.asarray(places.valley_site_xy), "Viettel")
    positions[vpos]["position_id"] = "VT-DC-V01"
    positions[vpos]["designed"] = True
    attach(vpos, "Viettel")
    attach(vpos, "VinaPhone")

    # A neutral tower at the industrial zone carrying three operators (the plans' model of a
    # shared tower built by a tower company).
    izpos = new_position(iz + np.array([0.0, 650.0]), TOWERCO)
    positions[izpos]["position_id"] = "NB-COT-KCN"
    for op in ("VinaPhone", "MobiFone", "Vietnamobile"):
        attach(izpos, op)

    # Each operator covers hamlets in a random order weighted by population: a hamlet whose
    # centre is farther than the operator's cell radius from its nearest own site gets a site
    # near it (on another operator's tower when one is close and a coin says so), until the
    # operator has its number of sites; a second pass with smaller radii uses up the rest.
    weights = np.where(ok, population, 0.0)
    for op, n in spec.sites:
        own = [positions[s["pos"]]["xy"] for s in sites if s["operator"] == op]
        keys = rng.random(len(h_xy)) ** (1.0 / np.maximum(weights, 1e-12))
        order = [i for i in np.argsort(-keys) if weights[i] > 0]
        for shrink in (1.0, 0.6):
            for i in order:
                if len(own) >= n:
                    break
                radius = _CELL_RADIUS_M[zone(h_xy[i])] * _SPACING_FACTOR[op] * shrink
                if own and np.hypot(*(np.asarray(own) - h_xy[i]).T).min() < radius:
                    continue
                cand = h_xy[i] + rng.uniform(-150, 150, 2)
                if not places.boundary.contains(shapely.Point(cand)):
                    continue
                if not _out_of_sight(cand[None, :], targets, dem)[0]:
                    continue
                pos = None
                if op != "Viettel" and rng.random() < spec.share_probability:
                    others = [k for k, p in enumerate(positions)
                              if op not in p["ops"] and np.hypot(*(p["xy"] - cand)) < 900.0]
                    if others:
                        pos = others[int(rng.integers(len(others)))]
                if pos is None:
                    owner = TOWERCO if (zone(cand) != "town" and rng.random() < 0.12) else op
                    pos = new_position(cand, owner)
                attach(pos, op)
                own.append(positions[pos]["xy"])
    # Explicit shared-tower ids on half of the shared positions; the rest share by distance.
    pid = 1
    for p in positions:
        if len(p["ops"]) > 1 and p["position_id"] is None and rng.random() < 0.5:
            p["position_id"] = f"NB-COT-{pid:03d}"
            pid += 1
    return _rows(sites, positions, town, iz, rng)



def _gap_targets(places: Places) -> dict[str, np.ndarray]:
    """Points that must stay out of sight: the no-signal hamlet centres and points around
    them, and the outlying clusters of the weak-spot hamlets and points around them."""
    ring = np.array([[0.0, 0.0], [300.0, 0.0], [-300.0, 0.0], [0.0, 300.0], [0.0, -300.0]])
    centres = places.hamlet_xy[[NO_SIGNAL in t for t in places.tags]]
    sats = places.satellite_xy[np.isfinite(places.satellite_xy[:, 0])]
    return {
        "no_signal": (centres[:, None, :] + ring[None, :, :]).reshape(-1, 2),
        "cluster": (sats[:, None, :] + 0.8 * ring[None, :, :]).reshape(-1, 2),
    }


def _out_of_sight(xy: np.ndarray, targets: dict[str, np.ndarray], dem: DemGrid) -> np.ndarray:
    """True where a site at ``xy`` would be far enough from, and behind terrain from, every
    designed gap (:data:`MIN_GAP_DISTANCE_M`, :data:`MIN_GAP_V`)."""
    grid, origin, res = dem
    ok = np.ones(len(xy), dtype=bool)
    for kind, pts in targets.items():
        for px, py in pts:
            ok &= np.hypot(xy[:, 0] - px, xy[:, 1] - py) > MIN_GAP_DISTANCE_M[kind]
            if ok.any():
                v = max_fresnel_v(grid, origin, res, xy[ok, 0], xy[ok, 1], 45.0, px, py, 900.0)
                ok[np.flatnonzero(ok)[v < MIN_GAP_V[kind]]] = False
    return ok


def _rows(sites: list[dict], positions: list[dict], town: np.ndarray, iz: np.ndarray,
          rng: np.random.Generator) -> list[dict]:
    counters = dict.fromkeys(_PREFIX, 0)
    rows: list[dict] = []

    def five_g_zone(xy: np.ndarray) -> bool:
        return bool(np.hypot(*(xy - town)) < FIVE_G_TOWN_M or np.hypot(*(xy - iz)) < FIVE_G_IZ_M)

    # Legacy (2G or 2G/3G only) sites: each operator's sites farthest from the town, as the
    # last sites to be upgraded are the remote ones.
    legacy: set[int] = set()
    for op, k in LEGACY_SITES.items():
        mine = [j for j, s in enumerate(sites) if s["operator"] == op
                and len(positions[s["pos"]]["ops"]) == 1]
        far = sorted(mine, key=lambda j: -np.hypot(*(positions[sites[j]["pos"]]["xy"] - town)))
        legacy.update(far[:k])
    for j, s in enumerate(sites):
        op, p = s["operator"], positions[s["pos"]]
        counters[op] += 1
        site_id = f"{_PREFIX[op]}{counters[op]:03d}"
        host_first = p["ops"][0] == op
        # Co-located equipment sits within a few metres of the host's antennas.
        xy = p["xy"] + (0.0 if host_first else rng.uniform(-5, 5, 2))
        z = p["zone"]
        if z == "town":
            structure = "A1" if rng.random() < 0.2 else "A2a"
            height = float(rng.uniform(12, 18) if structure == "A1" else rng.uniform(9, 15))
        else:
            structure = "A2b"
            height = float(rng.uniform(30, 45))
        if rng.random() < 0.08:
            height = np.nan
        if j in legacy:
            tech = "2G" if op == "Vietnamobile" else "2G/3G"
            freq = 900
        else:
            tech = "4G" if rng.random() < 0.2 else "2G/3G/4G"
            freq = {"Viettel": 1800, "VinaPhone": 2100, "MobiFone": 1800,
                    "Vietnamobile": 1800}[op]
            if z == "hills" and rng.random() < 0.4:
                freq = 900
        eirp = float(rng.uniform(55, 57) if j in legacy else rng.uniform(58, 61))
        if rng.random() < 0.25:
            eirp = np.nan
        if p.get("designed"):
            # The valley tower: a tall 4G site whose sectors look up and down the valley.
            height, tech, eirp = 45.0, "2G/3G/4G", 61.0
            freq = 1800 if op == "Viettel" else 2100
        base = {"operator": op, "site_id": site_id, "height_m": round(height, 1),
                "structure": structure, "owner": p["owner"], "position_id": p["position_id"],
                "geometry": shapely.Point(xy)}
        five_g = op in _FREQ_5G and j not in legacy and five_g_zone(xy)
        layers = [(tech, freq, eirp)]
        if five_g:
            layers.append(("5G", _FREQ_5G[op], float(rng.uniform(64, 68))))
        for tech_k, freq_k, eirp_k in layers:
            common = {**base, "tech": tech_k, "band": _BAND[freq_k], "freq_mhz": float(freq_k),
                      "eirp_dbm": round(eirp_k, 1) if np.isfinite(eirp_k) else np.nan}
            if op == "Viettel":
                rot = 0.0 if rng.random() < 0.7 else float(rng.choice([20.0, 30.0, 45.0]))
                tilt = float(rng.uniform(4, 8) if z == "town" else rng.uniform(2, 5))
                azimuths = (90.0, 225.0, 315.0) if p.get("designed") else (0.0, 120.0, 240.0)
                for az in azimuths:
                    rows.append({**common,
                                 "azimuth_deg": az if p.get("designed") else (az + rot) % 360.0,
                                 "beamwidth_deg": 65.0, "tilt_deg": round(tilt, 1)})
            else:
                rows.append({**common, "azimuth_deg": np.nan, "beamwidth_deg": np.nan,
                             "tilt_deg": np.nan})
    return rows
