"""BTS sites of the four operators: positions near populated hamlets, shared towers, mixed rows.

Viettel rows are one per sector (azimuth 0/120/240°, 65° beamwidth, a tilt), the other operators
one per site (the radio engine then assumes three sectors), as real site lists mix both. 5G rows
(tech ``"5G"``) are added at sites near the district town and the industrial zone, on the band
each operator won at auction (DOMAIN.md section 3): Viettel 2600 MHz, VinaPhone 3700 MHz,
MobiFone 3800 MHz. No site is placed near the hidden basin or the shadowed valley clusters.
"""

from __future__ import annotations

import numpy as np
import shapely

from gis.sample.places import Places
from gis.sample.spec import SampleSpec

__all__ = ["TOWERCO", "build_sites"]

#: Owner name of the neutral (tower-company) towers in the sample.
TOWERCO = "Công ty Hạ tầng Viễn thông Ninh Bình (tổng hợp)"

_PREFIX = {"Viettel": "VT_NQN", "VinaPhone": "VNP-NQ-", "MobiFone": "MBF_NQ_",
           "Vietnamobile": "VNM-NB-"}
_SPACING_FACTOR = {"Viettel": 1.0, "VinaPhone": 1.15, "MobiFone": 1.2, "Vietnamobile": 1.7}
_BAND = {900: "B8", 1800: "B3", 2100: "B1", 2600: "n41", 3700: "n78", 3800: "n78"}
_FREQ_5G = {"Viettel": 2600, "VinaPhone": 3700, "MobiFone": 3800}
#: 5G is deployed within these distances (m) of the district town and of the industrial zone
#: (DOMAIN.md section 0: 5G first in district centres and industrial zones).
FIVE_G_TOWN_M = 1_800.0
FIVE_G_IZ_M = 1_200.0
#: Sites per operator still on 2G only (Vietnamobile) or 2G/3G only (the others), unshared.
LEGACY_SITES = {"Vietnamobile": 3, "MobiFone": 3, "VinaPhone": 2}


def build_sites(spec: SampleSpec, places: Places, population: np.ndarray, hill_edge_x_m: float,
                industrial_xy: tuple[float, float], basin_radius_m: float,
                rng: np.random.Generator) -> list[dict]:
    """Rows of the sites layer (dicts with a shapely Point ``geometry``), EPSG:32648."""
    town = places.commune_xy[0]
    iz = np.asarray(industrial_xy)
    h_xy = places.hamlet_xy
    bx, by = places.basin_xy
    sx, sy = places.satellite_centre
    ok = (np.hypot(h_xy[:, 0] - bx, h_xy[:, 1] - by) > basin_radius_m + 3_000.0) & (
        np.hypot(h_xy[:, 0] - sx, h_xy[:, 1] - sy) > 3_500.0)
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
    attach(vpos, "Viettel")
    attach(vpos, "VinaPhone")

    weights = np.where(ok, population, 0.0)
    for op, n in spec.sites:
        have = sum(1 for s in sites if s["operator"] == op)
        keys = rng.random(len(h_xy)) ** (1.0 / np.maximum(weights, 1e-12))
        order = np.argsort(-keys)
        for i in order:
            if have >= n:
                break
            if weights[i] <= 0:
                continue
            cand = h_xy[i] + rng.uniform(-300, 300, 2)
            if not places.boundary.contains(shapely.Point(cand)):
                continue
            z = zone(cand)
            spacing = {"town": 800.0, "delta": 1_750.0, "hills": 1_600.0}[z]
            spacing *= _SPACING_FACTOR[op]
            own = np.array([positions[s["pos"]]["xy"] for s in sites if s["operator"] == op])
            if len(own) and np.hypot(*(own - cand).T).min() < spacing:
                continue
            pos = None
            if op != "Viettel" and rng.random() < spec.share_probability:
                others = [k for k, p in enumerate(positions)
                          if op not in p["ops"] and np.hypot(*(p["xy"] - cand)) < 1_200.0]
                if others:
                    pos = others[int(rng.integers(len(others)))]
            if pos is None:
                owner = TOWERCO if (z != "town" and rng.random() < 0.12) else op
                pos = new_position(cand, owner)
            attach(pos, op)
            have += 1
    # Explicit shared-tower ids on half of the shared positions; the rest share by distance.
    pid = 1
    for p in positions:
        if len(p["ops"]) > 1 and p["position_id"] is None and rng.random() < 0.5:
            p["position_id"] = f"NB-COT-{pid:03d}"
            pid += 1
    return _rows(sites, positions, town, iz, rng)


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
                for az in (0.0, 120.0, 240.0):
                    rows.append({**common, "azimuth_deg": (az + rot) % 360.0,
                                 "beamwidth_deg": 65.0, "tilt_deg": round(tilt, 1)})
            else:
                rows.append({**common, "azimuth_deg": np.nan, "beamwidth_deg": np.nan,
                             "tilt_deg": np.nan})
    return rows
