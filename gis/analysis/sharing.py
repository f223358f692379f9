"""Co-location opportunities, tower consolidation and new shared towers.

These analyses ask the radio model point-to-point questions ("would operator X's antenna on tower T
reach hamlet H?"). They take that model as a :data:`LinkPredictor`: a function of transmitter and
receiver point pairs returning the received signal, so that the same code runs on the terrain-aware
engine (:func:`terrain_link_predictor`, the run stage's choice) or on any other model.

Only the pairs within the antenna's radius are ever asked about: an STRtree of the transmitters is
queried with the receivers, a block of receivers at a time (:func:`reach_pairs`), and only the pairs
that reach the threshold are kept. Memory therefore grows with the number of pairs in reach
(about hamlets x candidates within the radius), never with candidates x hamlets (at country scale
367,941 x 23,805, a 65 GiB float64 matrix). The set cover works on the scipy.sparse CSR matrix of
those pairs.

Coverage here is judged at the hamlet centre (the cultural house, DOMAIN.md's trắng sóng test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from gis.analysis.setcover import max_coverage, set_cover
from gis.radio.pairs import pairs_within

__all__ = [
    "Antenna",
    "LinkPredictor",
    "Reach",
    "ReachPairs",
    "apply_zoning",
    "colocation_opportunities",
    "consolidation_candidates",
    "operator_antennas",
    "propose_towers",
    "reach_pairs",
    "sharing_rate_if_taken",
    "terrain_link_predictor",
]

#: ``predict(tx_xy (k, 2) m, tx_height_m (k,), rx_xy (k, 2) m, antenna) -> (k,) RSRP dBm`` for k
#: transmitter/receiver pairs (omni antenna, the antenna's band and power). Callers only compare
#: the result with ``antenna.threshold_dbm``, so a predictor may return ``-inf`` for a pair it
#: knows to be below the threshold without computing its exact signal.
LinkPredictor = Callable[[np.ndarray, np.ndarray, np.ndarray, "Antenna"], np.ndarray]
#: ``reach(tx_xy, tx_height_m, rx_xy, antenna) -> ReachPairs``: how the functions below find
#: the covering pairs; by default :func:`reach_pairs` on their ``predict``. Any function that
#: returns the same set of pairs gives the same results (they never depend on the pairs'
#: order), e.g. the pairs computed province by province on Dask (gis.pipeline.sharing).
Reach = Callable[[np.ndarray, np.ndarray, np.ndarray, "Antenna"], "ReachPairs"]


def _reach(predict: LinkPredictor, reach: Reach | None) -> Reach:
    return reach if reach is not None else (
        lambda txy, th, rxy, antenna: reach_pairs(predict, txy, th, rxy, antenna))

#: Receivers per block in :func:`reach_pairs`: the pairs of one block (a few hundred thousand at
#: country density: ~800 candidates within 10 km of a hamlet) are predicted, then all but the
#: covering ones dropped, so the transient memory stays at tens of MB whatever the area.
RX_BLOCK = 512


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


def terrain_link_predictor(dem: np.ndarray | None, transform, radio, *,
                           tech: str = "4G") -> LinkPredictor:
    """A :data:`LinkPredictor` on the radio engine's terrain model, pair by pair.

    Each pair's signal is :func:`gis.radio.pairs.pair_rsrp_dbm` (equal to
    :func:`gis.radio.coverage.point_rsrp_dbm` on that pair, no candidates x hamlets matrix);
    pairs whose signal without the terrain term is already below ``antenna.threshold_dbm`` get
    ``-inf`` without their profile being computed (the terrain term only lowers the signal).

    Parameters
    ----------
    dem, transform
        Ground elevation (m) over the area and its transform, or ``None`` for flat terrain.
    radio
        :class:`gis.radio.params.RadioParams`.
    tech
        Technology whose signal definition applies.
    """
    from gis.radio.pairs import pair_rsrp_dbm, prepare_dem

    dem = None if dem is None else prepare_dem(dem)  # once, not per block of pairs

    def predict(tx_xy, tx_h, rx_xy, antenna: Antenna) -> np.ndarray:
        tx_xy = np.asarray(tx_xy, float).reshape(-1, 2)
        rx_xy = np.asarray(rx_xy, float).reshape(-1, 2)
        if len(tx_xy) == 0:
            return np.full(0, -np.inf)
        vals = pair_rsrp_dbm(tx_xy, np.asarray(tx_h, float), antenna.freq_mhz,
                             antenna.eirp_dbm, rx_xy, dem, transform, radio, tech=tech,
                             max_radius_m=antenna.max_radius_m,
                             floor_dbm=antenna.threshold_dbm)
        return np.where(np.isfinite(vals), vals, -np.inf)

    return predict


@dataclass(frozen=True)
class ReachPairs:
    """The (transmitter, receiver) pairs where the transmitter covers the receiver.

    Attributes
    ----------
    tx, rx
        (k,) int64 positions into the transmitter and receiver arrays, sorted by receiver then
        transmitter.
    rsrp_dbm
        (k,) predicted signal of each pair, dBm (at least the antenna's threshold).
    """

    tx: np.ndarray
    rx: np.ndarray
    rsrp_dbm: np.ndarray

    def __len__(self) -> int:
        return len(self.tx)


def reach_pairs(predict: LinkPredictor, tx_xy: np.ndarray, tx_height_m: np.ndarray,
                rx_xy: np.ndarray, antenna: Antenna, *,
                rx_block: int = RX_BLOCK) -> ReachPairs:
    """Pairs where a transmitter covers a receiver, found without a transmitters x receivers
    matrix.

    The pairs within ``antenna.max_radius_m`` (:func:`gis.radio.pairs.pairs_within`, an STRtree
    of the transmitters) are predicted ``rx_block`` receivers at a time and only those reaching
    ``antenna.threshold_dbm`` are kept, so memory grows with the covering pairs.

    Parameters
    ----------
    predict
        The link model.
    tx_xy, tx_height_m
        (n_tx, 2) transmitter positions (metric CRS, m) and heights above ground (m).
    rx_xy
        (n_rx, 2) receivers, same CRS.
    antenna
        Band, power, threshold and radius.
    rx_block
        Receivers per block.
    """
    txy = np.asarray(tx_xy, float).reshape(-1, 2)
    rxy = np.asarray(rx_xy, float).reshape(-1, 2)
    th = np.asarray(tx_height_m, float).reshape(-1)
    parts_t, parts_r, parts_s = [], [], []
    if len(txy) and len(rxy):
        tree = shapely.STRtree(shapely.points(txy))
        step = max(1, int(rx_block))
        for start in range(0, len(rxy), step):
            block = rxy[start:start + step]
            tb, rb = pairs_within(txy, block, antenna.max_radius_m, tree=tree)
            if len(tb) == 0:
                continue
            rsrp = np.asarray(predict(txy[tb], th[tb], block[rb], antenna), dtype=float)
            ok = rsrp >= antenna.threshold_dbm
            parts_t.append(tb[ok])
            parts_r.append(rb[ok] + start)
            parts_s.append(rsrp[ok])
    if not parts_t:
        return ReachPairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    return ReachPairs(np.concatenate(parts_t), np.concatenate(parts_r),
                      np.concatenate(parts_s))


def colocation_opportunities(
    positions: gpd.GeoDataFrame,
    hamlet_xy: np.ndarray,
    population: np.ndarray,
    covered: pd.DataFrame,
    antennas: dict[str, Antenna],
    predict: LinkPredictor,
    *,
    default_height_m: float = 30.0,
    reach: Reach | None = None,
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
    reach
        How the covering pairs are found (:data:`Reach`; :func:`reach_pairs` by default).

    Returns
    -------
    One row per (operator, host position) that gains at least one hamlet, ranked by population
    gained, then hamlets gained; ties keep the order of ``antennas`` and then of the positions
    (not of a spatial index, so that any split of the area gives the same order):
    ``operator, host_position_id, host_operators, host_index, hamlets_gained (count),
    hamlet_index (list), population_gained``.
    """
    xy = shapely.get_coordinates(positions.geometry.values)
    height = positions["height_m"].fillna(default_height_m).to_numpy(float)
    ops_at = positions["operators"].astype(str).str.split("/")
    pos_ids = positions["position_id"].to_numpy()
    pos_ops = positions["operators"].to_numpy()
    pop = np.asarray(population, dtype=float)
    find = _reach(predict, reach)
    rows = []
    for operator, antenna in antennas.items():
        if operator not in covered:
            continue
        hosts = np.flatnonzero([operator not in ops for ops in ops_at])
        need = np.flatnonzero(~covered[operator].to_numpy(bool))
        pairs = find(xy[hosts], height[hosts], hamlet_xy[need], antenna)
        if len(pairs) == 0:
            continue
        host, hamlet = hosts[pairs.tx], need[pairs.rx]
        order = np.lexsort((hamlet, host))
        host, hamlet = host[order], hamlet[order]
        cuts = np.flatnonzero(np.diff(host)) + 1
        for h, idx in zip(host[np.r_[0, cuts]], np.split(hamlet, cuts), strict=True):
            rows.append({
                "operator": operator,
                "host_position_id": pos_ids[h],
                "host_operators": pos_ops[h],
                "host_index": int(h),
                "hamlets_gained": len(idx),
                "hamlet_index": idx.tolist(),
                "population_gained": float(pop[idx].sum()),
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
    reach: Reach | None = None,
) -> pd.DataFrame:
    """Groups of nearby towers of different operators that one tower could carry.

    Towers closer than ``urban_distance_m`` (where either is urban) or ``rural_distance_m`` are
    grouped (single linkage). For each group with two or more operators, each member is tried as
    the keeper, tallest first: it carries every operator of the group at its own height, and the
    check passes when every hamlet that a removed tower's operator reaches from the removed tower
    (with its typical antenna) is also reached from the keeper. This is conservative: a hamlet also
    served by another tower of the operator would not really be lost. The hamlets each grouped
    tower serves are found once per operator on sparse pairs (:func:`reach_pairs`), not per
    keeper tried.

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
    # Groups in label order, members in position order (one sort, not a scan per label).
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    groups = []
    for members in np.split(order, cuts):
        operators = sorted({o for m in members for o in ops_at[m]})
        if len(members) >= 2 and len(operators) >= 2:
            groups.append((members, operators))
    # The hamlets each (tower, operator) of a group serves today, one sparse query per operator.
    served: dict[tuple[int, str], np.ndarray] = {}
    for op, antenna in antennas.items():
        towers = np.array([m for members, _ in groups for m in members if op in ops_at[m]],
                          dtype=np.int64)
        if len(towers) == 0:
            continue
        r = _reach(predict, reach)(xy[towers], height[towers], hamlet_xy, antenna)
        by_tower = np.lexsort((r.rx, r.tx))
        tx_sorted, rx_sorted = r.tx[by_tower], r.rx[by_tower]
        bounds = np.searchsorted(tx_sorted, np.arange(len(towers) + 1))
        for i, m in enumerate(towers):
            served[int(m), op] = rx_sorted[bounds[i]:bounds[i + 1]]
    rows = []
    for members, operators in groups:
        for keep in members[np.argsort(-height[members], kind="stable")]:
            removed = [m for m in members if m != keep]
            ok, checked = True, 0
            for m in removed:
                for op in ops_at[m]:
                    antenna = antennas.get(op)
                    if antenna is None:
                        continue
                    hit = served[int(m), op]
                    checked += len(hit)
                    if len(hit) == 0:
                        continue
                    rsrp = predict(np.repeat(xy[[keep]], len(hit), axis=0),
                                   np.full(len(hit), height[keep]), hamlet_xy[hit], antenna)
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
    reach: Reach | None = None,
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
    reach
        How the covering pairs are found (:data:`Reach`; :func:`reach_pairs` by default).

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
    reach = _reach(predict, reach)(candidate_xy, np.full(n_c, float(height_m)), hamlet_xy,
                                   antenna)
    cover = coo_matrix((np.ones(len(reach), dtype=bool), (reach.tx, reach.rx)),
                       shape=(n_c, n_h)).tocsr()
    cover.sort_indices()
    if max_towers is None:
        sol = set_cover(cover, max_exact=max_exact)
    else:
        sol = max_coverage(cover, population, max_towers, max_exact=max_exact)
    # Serve each hamlet from its strongest chosen tower (ties: the first chosen).
    rank = np.full(n_c, -1)
    rank[sol.chosen] = np.arange(len(sol.chosen))
    in_chosen = rank[reach.tx] >= 0
    h, t, sig = reach.rx[in_chosen], rank[reach.tx[in_chosen]], reach.rsrp_dbm[in_chosen]
    order = np.lexsort((t, -sig, h))
    h, t = h[order], t[order]
    first = np.r_[True, h[1:] != h[:-1]] if len(h) else np.zeros(0, bool)
    assignment = np.full(n_h, -1)
    assignment[h[first]] = t[first]
    return sol.chosen, assignment, sol.uncoverable, sol.method


def operator_antennas(transmitters: pd.DataFrame, operators: list[str], radio: Any,
                      tech: str = "4G") -> dict[str, Antenna]:
    """Each operator's typical antenna for ``tech``: its most used band and median EIRP in the
    site data, else the technology's defaults with the operator's licensed band."""
    td = radio.tech(tech)
    antennas = {}
    for op in operators:
        rows = transmitters[(transmitters["operator"] == op) & (transmitters["tech"] == tech)]
        if len(rows):
            freq = float(rows["freq_mhz"].mode().iloc[0])
            eirp = float(rows["eirp_dbm"].median())
        else:
            freq, eirp = radio.default_freq_mhz(op, tech), td.eirp_dbm
        antennas[op] = Antenna(freq_mhz=freq, eirp_dbm=eirp, threshold_dbm=td.tiers.edge_dbm,
                               max_radius_m=td.max_radius_m)
    return antennas
