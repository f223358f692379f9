"""Co-location opportunities, tower consolidation and new shared towers.

These analyses ask the radio model point-to-point questions ("would operator X's antenna on tower T
reach hamlet H?"). They take that model as a :data:`LinkPredictor`: a function of transmitter and
receiver point pairs returning the received signal, so that the same code runs on the terrain-aware
engine (the run stage passes :func:`gis.radio` point predictions over the DEM) or on any other model.

Coverage here is judged at the hamlet centre (the cultural house, DOMAIN.md's trắng sóng test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from gis.analysis.setcover import max_coverage, set_cover

__all__ = [
    "Antenna",
    "LinkPredictor",
    "apply_zoning",
    "colocation_opportunities",
    "consolidation_candidates",
    "propose_towers",
    "sharing_rate_if_taken",
]

#: ``predict(tx_xy (k, 2) m, tx_height_m (k,), rx_xy (k, 2) m, antenna) -> (k,) RSRP dBm`` for k
#: transmitter/receiver pairs (omni antenna, the antenna's band and power).
LinkPredictor = Callable[[np.ndarray, np.ndarray, np.ndarray, "Antenna"], np.ndarray]


@dataclass(frozen=True)
class Antenna:
    """An operator's typical antenna for one technology.

    Attributes
    ----------
    freq_mhz
        Carrier frequency, MHz.
    eirp_dbm
        EIRP per sector at boresight, dBm.
    threshold_dbm
        Signal level at which a point counts as covered, dBm (RSRP for 4G/5G).
    max_radius_m
        Farthest distance considered, metres.
    """

    freq_mhz: float
    eirp_dbm: float
    threshold_dbm: float
    max_radius_m: float = 10_000.0


def _pairs_within(tx_xy: np.ndarray, rx_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """(k, 2) index pairs (tx, rx) closer than ``radius_m``."""
    if len(tx_xy) == 0 or len(rx_xy) == 0:
        return np.empty((0, 2), dtype=np.int64)
    sparse = cKDTree(tx_xy).sparse_distance_matrix(cKDTree(rx_xy), radius_m, output_type="ndarray")
    return np.column_stack([sparse["i"], sparse["j"]]).astype(np.int64)


def _reach(predict: LinkPredictor, tx_xy, tx_h, rx_xy, antenna: Antenna) -> np.ndarray:
    """(k, 2) pairs (tx, rx) where the transmitter covers the receiver."""
    pairs = _pairs_within(tx_xy, rx_xy, antenna.max_radius_m)
    if len(pairs) == 0:
        return pairs
    rsrp = predict(tx_xy[pairs[:, 0]], tx_h[pairs[:, 0]], rx_xy[pairs[:, 1]], antenna)
    return pairs[np.asarray(rsrp) >= antenna.threshold_dbm]


def colocation_opportunities(
    positions: gpd.GeoDataFrame,
    hamlet_xy: np.ndarray,
    population: np.ndarray,
    covered: pd.DataFrame,
    antennas: dict[str, Antenna],
    predict: LinkPredictor,
    *,
    default_height_m: float = 30.0,
) -> pd.DataFrame:
    """Where an operator could go onto another operator's (or a neutral) tower, and what it gains.

    Parameters
    ----------
    positions
        Tower positions (:func:`gis.analysis.positions.site_positions`), metric CRS.
    hamlet_xy
        (n, 2) hamlet centres, same CRS.
    population
        (n,) people per hamlet.
    covered
        n × operators boolean frame: the operator covers the hamlet today (mobile broadband).
    antennas
        Operator -> its typical antenna (band, power, threshold) for the technology considered.
    predict
        The link model.
    default_height_m
        Height used for towers of unknown height, metres.

    Returns
    -------
    One row per (operator, host position) that gains at least one hamlet, ranked by population
    gained: ``operator, host_position_id, host_operators, host_index, hamlets_gained (count),
    hamlet_index (list), population_gained``.
    """
    xy = shapely.get_coordinates(positions.geometry.values)
    height = positions["height_m"].fillna(default_height_m).to_numpy(float)
    ops_at = positions["operators"].astype(str).str.split("/")
    rows = []
    for operator, antenna in antennas.items():
        if operator not in covered:
            continue
        hosts = np.flatnonzero([operator not in ops for ops in ops_at])
        need = np.flatnonzero(~covered[operator].to_numpy(bool))
        reach = _reach(predict, xy[hosts], height[hosts], hamlet_xy[need], antenna)
        if len(reach) == 0:
            continue
        frame = pd.DataFrame({"host": hosts[reach[:, 0]], "hamlet": need[reach[:, 1]]})
        for host, grp in frame.groupby("host", sort=False):
            idx = np.sort(grp["hamlet"].to_numpy())
            rows.append({
                "operator": operator,
                "host_position_id": positions["position_id"].iloc[host],
                "host_operators": positions["operators"].iloc[host],
                "host_index": int(host),
                "hamlets_gained": len(idx),
                "hamlet_index": idx.tolist(),
                "population_gained": float(population[idx].sum()),
            })
    cols = ["operator", "host_position_id", "host_operators", "host_index", "hamlets_gained",
            "hamlet_index", "population_gained"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["population_gained", "hamlets_gained"], ascending=False,
                           kind="stable").reset_index(drop=True)


def sharing_rate_if_taken(positions: pd.DataFrame, opportunities: pd.DataFrame,
                          top: int) -> tuple[float, pd.DataFrame]:
    """The position sharing rate if the ``top`` opportunities were taken, greedily.

    Opportunities are taken in rank order, each adding its operator to its host; an opportunity
    whose hamlets were all already gained by an earlier one for the same operator is skipped.
    Returns the rate (0-1) and the opportunities taken.
    """
    ops = [set(s.split("/")) for s in positions["operators"].astype(str)]
    gained: dict[str, set[int]] = {}
    taken = []
    for row in opportunities.itertuples(index=False):
        if len(taken) >= top:
            break
        new = set(row.hamlet_index) - gained.get(row.operator, set())
        if not new:
            continue
        gained.setdefault(row.operator, set()).update(new)
        ops[row.host_index].add(row.operator)
        taken.append(row._asdict())
    rate = float(np.mean([len(o) >= 2 for o in ops])) if ops else 0.0
    return rate, pd.DataFrame(taken, columns=opportunities.columns)


def consolidation_candidates(
    positions: gpd.GeoDataFrame,
    hamlet_xy: np.ndarray,
    antennas: dict[str, Antenna],
    predict: LinkPredictor,
    *,
    urban: np.ndarray,
    urban_distance_m: float = 100.0,
    rural_distance_m: float = 500.0,
    default_height_m: float = 30.0,
) -> pd.DataFrame:
    """Groups of nearby towers of different operators that one tower could carry.

    Towers closer than ``urban_distance_m`` (where either is urban) or ``rural_distance_m`` are
    grouped (single linkage). For each group with two or more operators, each member is tried as
    the keeper, tallest first: it carries every operator of the group at its own height, and the
    check passes when every hamlet that a removed tower's operator reaches from the removed tower
    (with its typical antenna) is also reached from the keeper. This is conservative: a hamlet also
    served by another tower of the operator would not really be lost.

    Returns one row per group that can be consolidated: ``group_id, keep_position_id,
    remove_position_ids, operators, n_towers_removed, hamlets_checked``.
    """
    n = len(positions)
    if n < 2:
        return pd.DataFrame(columns=["group_id", "keep_position_id", "remove_position_ids",
                                     "operators", "n_towers_removed", "hamlets_checked"])
    xy = shapely.get_coordinates(positions.geometry.values)
    height = positions["height_m"].fillna(default_height_m).to_numpy(float)
    pairs = cKDTree(xy).query_pairs(max(urban_distance_m, rural_distance_m), output_type="ndarray")
    if len(pairs):
        d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
        limit = np.where(urban[pairs[:, 0]] | urban[pairs[:, 1]], urban_distance_m,
                         rural_distance_m)
        pairs = pairs[d <= limit]
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    ops_at = positions["operators"].astype(str).str.split("/").to_list()
    rows = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        operators = sorted({o for m in members for o in ops_at[m]})
        if len(members) < 2 or len(operators) < 2:
            continue
        for keep in members[np.argsort(-height[members], kind="stable")]:
            removed = [m for m in members if m != keep]
            ok, checked = True, 0
            for m in removed:
                for op in ops_at[m]:
                    antenna = antennas.get(op)
                    if antenna is None:
                        continue
                    served = _reach(predict, xy[[m]], height[[m]], hamlet_xy, antenna)[:, 1]
                    checked += len(served)
                    if len(served) == 0:
                        continue
                    rsrp = predict(np.repeat(xy[[keep]], len(served), axis=0),
                                   np.full(len(served), height[keep]), hamlet_xy[served], antenna)
                    if (np.asarray(rsrp) < antenna.threshold_dbm).any():
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                rows.append({
                    "group_id": f"G{len(rows) + 1:03d}",
                    "keep_position_id": positions["position_id"].iloc[keep],
                    "remove_position_ids": "/".join(positions["position_id"].iloc[removed]),
                    "operators": "/".join(operators),
                    "n_towers_removed": len(removed),
                    "hamlets_checked": checked,
                })
                break
    return pd.DataFrame(rows, columns=["group_id", "keep_position_id", "remove_position_ids",
                                       "operators", "n_towers_removed", "hamlets_checked"])


def apply_zoning(candidate_xy: np.ndarray, zones: gpd.GeoDataFrame | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Which candidate tower locations a zoning layer allows, and where only A1 towers may stand.

    Parameters
    ----------
    candidate_xy
        (c, 2) candidate locations, in the zones' (metric) CRS.
    zones
        Polygons with a ``rule``: ``no_new_tower`` (no new tower at all: heritage sites, the 200 m
        in front of provincial offices, core zones) or ``a1_only`` (non-bulky A1 poles or
        camouflaged masts only); see DOMAIN.md section 2. Other rules are ignored.

    Returns
    -------
    allowed
        Boolean mask: the candidate is outside every ``no_new_tower`` zone.
    a1_only
        Boolean mask: the candidate lies in an ``a1_only`` zone.
    """
    n = len(candidate_xy)
    allowed, a1 = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if zones is None or len(zones) == 0 or n == 0:
        return allowed, a1
    rule = zones["rule"].astype(str).to_numpy()
    tree = shapely.STRtree(np.asarray(zones.geometry.values, dtype=object))
    cand, zone = tree.query(shapely.points(candidate_xy), predicate="intersects")
    allowed[cand[rule[zone] == "no_new_tower"]] = False
    a1[cand[rule[zone] == "a1_only"]] = True
    return allowed, a1


def propose_towers(
    candidate_xy: np.ndarray,
    hamlet_xy: np.ndarray,
    population: np.ndarray,
    antenna: Antenna,
    predict: LinkPredictor,
    *,
    height_m: float,
    max_towers: int | None = None,
    max_exact: int = 5000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Fewest new towers covering every hamlet that can be covered (or the most people with
    ``max_towers``).

    Parameters
    ----------
    candidate_xy
        (c, 2) candidate tower locations (along roads, at facilities), metric CRS.
    hamlet_xy, population
        The hamlets still without service and their people.
    antenna
        The typical antenna a new shared tower carries.
    height_m
        New tower height, metres.
    max_towers
        When given, solve the maximal covering problem with at most this many towers.

    Returns
    -------
    chosen
        Indices of chosen candidates.
    assignment
        For each hamlet, the index into ``chosen`` of the tower serving it (strongest signal),
        -1 when none.
    uncoverable
        Indices of hamlets no candidate can reach.
    method
        ``"exact"`` or ``"greedy"``.
    """
    n_c, n_h = len(candidate_xy), len(hamlet_xy)
    tx_h = np.full(n_c, float(height_m))
    pairs = _pairs_within(candidate_xy, hamlet_xy, antenna.max_radius_m)
    rsrp = (predict(candidate_xy[pairs[:, 0]], tx_h[pairs[:, 0]], hamlet_xy[pairs[:, 1]], antenna)
            if len(pairs) else np.empty(0))
    ok = np.asarray(rsrp) >= antenna.threshold_dbm
    pairs, rsrp = pairs[ok], np.asarray(rsrp)[ok]
    cover = coo_matrix((np.ones(len(pairs), dtype=bool), (pairs[:, 0], pairs[:, 1])),
                       shape=(n_c, n_h)).tocsr()
    if max_towers is None:
        sol = set_cover(cover, max_exact=max_exact)
    else:
        sol = max_coverage(cover, population, max_towers, max_exact=max_exact)
    # Serve each hamlet from its strongest chosen tower.
    rank = np.full(n_c, -1)
    rank[sol.chosen] = np.arange(len(sol.chosen))
    in_chosen = rank[pairs[:, 0]] >= 0
    best = pd.DataFrame({"h": pairs[in_chosen, 1], "t": rank[pairs[in_chosen, 0]],
                         "s": rsrp[in_chosen]}).sort_values("s", ascending=False)
    best = best.drop_duplicates("h")
    assignment = np.full(n_h, -1)
    assignment[best["h"].to_numpy()] = best["t"].to_numpy()
    return sol.chosen, assignment, sol.uncoverable, sol.method
