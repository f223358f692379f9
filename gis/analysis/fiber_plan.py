"""The fiber extension plan: the cheapest new routes along roads from the existing fiber network.

The hamlets without FTTH are joined to the existing network by a Steiner tree on the road graph
whose edge weight is the installation cost in VND (:mod:`gis.analysis.costs`): shared trunks are
paid once, not once per hamlet. The existing network (every access point and every point of every
cable, sampled) is contracted into one virtual root, so the tree may start anywhere on it.

Steiner tree heuristic (:func:`steiner_tree`): the best of two classical 2-approximations, each
followed by the usual clean-up (minimum spanning tree of the subgraph its nodes induce, then
repeated removal of leaves that are not terminals):

* Mehlhorn (1988): one multi-source Dijkstra from all terminals gives each node its nearest
  terminal (Voronoi regions); every road edge between two regions proposes a terminal-terminal
  link of length ``d(s, u) + w(u, v) + d(v, t)``; the minimum spanning tree of these links,
  expanded into road paths, costs at most ``2 (1 - 1/k)`` times the optimum for k terminals.
* Takahashi and Matsuyama (1980), the shortest-path heuristic: grow the tree from the root by
  the cheapest path to the nearest terminal not yet in it (one multi-source Dijkstra per
  terminal; run when ``terminals × edges`` is small enough), same bound, often better in practice;
  on small instances (``terminals² × edges`` small) it is repeated from every terminal.

On small graphs (at most :data:`SMALL_GRAPH_NODES` nodes) the best tree is then improved by the
iterated 1-Steiner heuristic on the metric closure (Kahng and Robins 1992), which adds the Steiner
nodes that shorten the tree most; it is exact on most small instances.

The tree is cut into routes, one per branch leaving the existing network; each route gets its
length, aerial and underground metres, cost, the hamlets and households it serves and the cost per
household; routes are ranked by cost per household. The GPON optical budget
(:class:`gis.analysis.costs.GponParams`) is checked for the OLT-to-home distance of every hamlet
served: OLT to the route's start along the roads, along the route to the hamlet centre, plus the
maximum drop length.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import (
    connected_components,
    dijkstra,
    minimum_spanning_tree,
    shortest_path,
)

from gis.analysis.params import FiberParams
from gis.analysis.roads import EPS_WEIGHT, RoadGraph, attach_points, multi_source_distance

__all__ = ["FiberPlan", "plan_extensions", "steiner_tree", "tree_cost"]

#: Run the shortest-path heuristic too when terminals x edges is at most this (about 1-2 s).
TM_WORK_LIMIT = 3e7
#: Graphs with at most this many nodes also get the iterated 1-Steiner improvement (all-pairs
#: distances: n² floats).
SMALL_GRAPH_NODES = 400


# -- Steiner tree -------------------------------------------------------------------------------


def _undirected(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unique undirected edges (lo < hi) with the smallest weight; also the original index."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    idx = np.flatnonzero(keep)
    lo, hi, ww = lo[keep], hi[keep], np.maximum(w[keep].astype(float), EPS_WEIGHT)
    key = lo.astype(np.int64) * n + hi
    order = np.lexsort((ww, key))
    _, first = np.unique(key[order], return_index=True)
    sel = order[first]  # sorted by key
    return lo[sel], hi[sel], ww[sel], idx[sel]


def _csr(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> sparse.csr_array:
    return sparse.csr_array((np.concatenate([w, w]), (np.concatenate([lo, hi]),
                                                     np.concatenate([hi, lo]))), shape=(n, n))


def _edge_ids(n: int, lo: np.ndarray, hi: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Positions in the key-sorted unique edge list of the edges (a, b)."""
    key = lo.astype(np.int64) * n + hi
    q = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    return np.searchsorted(key, q)


def _trace(pred: np.ndarray, start: np.ndarray, stop: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Edges (child, parent) of the predecessor paths from ``start`` nodes back to their roots.

    All paths are followed at once (one numpy step per path node). ``stop`` marks nodes where
    tracing ends (already in the tree).
    """
    seen = np.zeros(pred.size, dtype=bool) if stop is None else stop.copy()
    cur = np.unique(start)
    a_parts, b_parts = [], []
    while cur.size:
        cur = cur[~seen[cur]]
        seen[cur] = True
        p = pred[cur]
        ok = p >= 0
        a_parts.append(cur[ok])
        b_parts.append(p[ok])
        cur = np.unique(p[ok])
    if not a_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(a_parts), np.concatenate(b_parts)


def _mehlhorn(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, g: sparse.csr_array,
              terms: np.ndarray) -> np.ndarray:
    dist, pred, src = dijkstra(g, directed=True, indices=terms, min_only=True,
                               return_predecessors=True)
    su, sv = src[lo], src[hi]
    ok = (su >= 0) & (sv >= 0) & (su != sv)
    if not ok.any():
        return np.zeros(0, np.int64)
    e = np.flatnonzero(ok)
    tid = np.full(n, -1, np.int64)
    tid[terms] = np.arange(terms.size)
    a, b = tid[su[e]], tid[sv[e]]
    pa, pb = np.minimum(a, b), np.maximum(a, b)
    cw = dist[lo[e]] + w[e] + dist[hi[e]]
    key = pa * terms.size + pb
    order = np.lexsort((cw, key))
    ukey, first = np.unique(key[order], return_index=True)
    best = e[order[first]]
    k = terms.size
    m = sparse.csr_array((cw[order[first]], (ukey // k, ukey % k)), shape=(k, k))
    mst = minimum_spanning_tree(m).tocoo()
    chosen = best[np.searchsorted(ukey, mst.row.astype(np.int64) * k + mst.col)]
    ca, cb = _trace(pred, np.concatenate([lo[chosen], hi[chosen]]))
    path = _edge_ids(n, lo, hi, ca, cb)
    return np.unique(np.concatenate([chosen, path]))


def _shortest_path_heuristic(n: int, lo: np.ndarray, hi: np.ndarray, g: sparse.csr_array,
                             terms: np.ndarray) -> np.ndarray:
    in_tree = np.zeros(n, dtype=bool)
    in_tree[terms[0]] = True
    left = np.unique(terms[1:])
    left = left[~in_tree[left]]
    edges: list[np.ndarray] = []
    while left.size:
        dist, pred = dijkstra(g, directed=True, indices=np.flatnonzero(in_tree), min_only=True,
                              return_predecessors=True)[:2]
        d = dist[left]
        if not np.isfinite(d).any():
            break
        t = left[np.argmin(d)]
        ca, cb = _trace(pred, np.array([t]), stop=in_tree)
        in_tree[ca] = True
        edges.append(_edge_ids(n, lo, hi, ca, cb))
        left = left[~in_tree[left]]
    return np.unique(np.concatenate(edges)) if edges else np.zeros(0, np.int64)


def _mst_prune(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, sel: np.ndarray,
               terms: np.ndarray) -> np.ndarray:
    """MST of the subgraph induced by the nodes of ``sel``, then non-terminal leaves removed."""
    if sel.size == 0:
        return sel
    nodes = np.zeros(n, dtype=bool)
    nodes[lo[sel]] = True
    nodes[hi[sel]] = True
    ind = np.flatnonzero(nodes[lo] & nodes[hi])
    m = sparse.csr_array((w[ind], (lo[ind], hi[ind])), shape=(n, n))
    mst = minimum_spanning_tree(m).tocoo()
    keep = _edge_ids(n, lo, hi, mst.row, mst.col)
    is_term = np.zeros(n, dtype=bool)
    is_term[terms] = True
    while keep.size:
        deg = np.bincount(np.concatenate([lo[keep], hi[keep]]), minlength=n)
        leaf = (deg == 1) & ~is_term
        drop = leaf[lo[keep]] | leaf[hi[keep]]
        if not drop.any():
            break
        keep = keep[~drop]
    return keep


def steiner_tree(n_nodes: int, u: np.ndarray, v: np.ndarray, weight: np.ndarray,
                 terminals: np.ndarray) -> np.ndarray:
    """A low-weight tree joining ``terminals`` (heuristic, within 2x the optimum).

    Parameters
    ----------
    n_nodes
        Number of nodes of the graph.
    u, v
        End nodes of the undirected edges.
    weight
        Non-negative edge weights (e.g. cost in VND).
    terminals
        Nodes to join. Terminals that cannot be reached from the first one are left out.

    Returns
    -------
    numpy.ndarray
        Indices into ``u``/``v``/``weight`` of the tree's edges.

    Examples
    --------
    A star: three terminals joined through a Steiner node (weight 3) beats any path (weight 4).

    >>> import numpy as np
    >>> u = np.array([0, 1, 2, 0, 1]); v = np.array([3, 3, 3, 1, 2])
    >>> w = np.array([1.0, 1.0, 1.0, 2.0, 2.0])
    >>> sorted(steiner_tree(4, u, v, w, np.array([0, 1, 2])).tolist())
    [0, 1, 2]
    """
    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    terms = np.asarray(terminals, np.int64)
    terms = terms[np.sort(np.unique(terms, return_index=True)[1])]
    if terms.size < 2 or u.size == 0:
        return np.zeros(0, np.int64)
    lo, hi, w, orig = _undirected(n_nodes, u, v, np.asarray(weight, float))
    g = _csr(n_nodes, lo, hi, w)
    # only terminals in the first terminal's component
    _, comp = connected_components(g, directed=False)
    terms = terms[comp[terms] == comp[terms[0]]]
    if terms.size < 2:
        return np.zeros(0, np.int64)
    candidates = [_mst_prune(n_nodes, lo, hi, w, _mehlhorn(n_nodes, lo, hi, w, g, terms), terms)]
    # shortest-path heuristic from the first terminal, or from every terminal in turn (the
    # "repeated" variant) when the graph is small enough
    starts = 1 if terms.size**2 * lo.size > TM_WORK_LIMIT else terms.size
    if terms.size * lo.size <= TM_WORK_LIMIT:
        for i in range(starts):
            order = np.concatenate([terms[i:i + 1], np.delete(terms, i)])
            sph = _shortest_path_heuristic(n_nodes, lo, hi, g, order)
            candidates.append(_mst_prune(n_nodes, lo, hi, w, sph, terms))
    best = min(candidates, key=lambda s: float(w[s].sum()))
    if n_nodes <= SMALL_GRAPH_NODES:
        better = _one_steiner(n_nodes, lo, hi, w, g, terms, best)
        if float(w[better].sum()) < float(w[best].sum()) - 1e-9:
            best = better
    return np.sort(orig[best])


def _one_steiner(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, g: sparse.csr_array,
                 terms: np.ndarray, tree: np.ndarray) -> np.ndarray:
    """Iterated 1-Steiner improvement on the metric closure (small graphs only).

    Starting from the branching Steiner nodes of ``tree``, repeatedly add the node whose
    insertion most reduces the minimum spanning tree of the metric closure over terminals and
    Steiner nodes, dropping Steiner nodes of degree <= 2; then expand the closure tree into paths.
    """
    dist, pred = shortest_path(g, directed=False, return_predecessors=True)
    deg = np.bincount(np.concatenate([lo[tree], hi[tree]]), minlength=n)
    is_term = np.zeros(n, dtype=bool)
    is_term[terms] = True
    steiner = list(np.flatnonzero((deg >= 3) & ~is_term))

    def mst_cost(nodes: list[int]) -> tuple[float, sparse.coo_array]:
        sub = dist[np.ix_(nodes, nodes)]
        m = minimum_spanning_tree(np.maximum(sub, EPS_WEIGHT) * (sub > 0)).tocoo()
        return float(m.data.sum()), m

    cur, _ = mst_cost([*terms.tolist(), *steiner])
    candidates = np.flatnonzero(~is_term & np.isfinite(dist[terms[0]]))
    for _ in range(n):
        base = [*terms.tolist(), *steiner]
        gains = [(cur - mst_cost([*base, int(x)])[0], int(x))
                 for x in candidates if int(x) not in steiner]
        if not gains:
            break
        gain, x = max(gains)
        if gain <= 1e-9:
            break
        steiner.append(x)
        nodes = [*terms.tolist(), *steiner]
        cur, m = mst_cost(nodes)
        d = np.bincount(np.concatenate([m.row, m.col]), minlength=len(nodes))
        steiner = [s for k, s in enumerate(steiner) if d[terms.size + k] >= 3]
        cur, _ = mst_cost([*terms.tolist(), *steiner])
    nodes = np.array([*terms.tolist(), *steiner], dtype=np.int64)
    _, m = mst_cost(nodes.tolist())
    a_parts, b_parts = [], []
    for i, j in zip(nodes[m.row], nodes[m.col], strict=True):
        k = j
        while k != i:  # walk the shortest path j -> i
            p = pred[i, k]
            a_parts.append(k)
            b_parts.append(p)
            k = p
    if not a_parts:
        return tree
    sel = np.unique(_edge_ids(n, lo, hi, np.array(a_parts), np.array(b_parts)))
    return _mst_prune(n, lo, hi, w, sel, terms)


def tree_cost(weight: np.ndarray, edges: np.ndarray) -> float:
    """Total weight of a set of edges."""
    return float(np.asarray(weight, float)[edges].sum())


# -- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiberPlan:
    """New fiber routes and what they serve.

    Attributes
    ----------
    routes
        One row per route (GeoDataFrame in the graph's metric CRS), ranked by cost per household:
        ``rank, route_id, length_m, aerial_m, underground_m, planned_works_m, cost_vnd,
        n_hamlets, hamlets_served, village_ids, households_served, cost_per_household_vnd,
        max_olt_to_home_km, max_loss_db, gpon_ok``, geometry MultiLineString.
    hamlets
        One row per target hamlet (index: its position among the villages): ``route_id``,
        ``olt_to_home_km``, ``loss_db``, ``gpon_ok``, ``status`` (``planned``, ``on_network``,
        ``unreachable``).
    total_cost_vnd, total_length_m
        Of all routes together.
    """

    routes: gpd.GeoDataFrame
    hamlets: pd.DataFrame
    total_cost_vnd: float
    total_length_m: float


def _empty_routes(crs: object) -> gpd.GeoDataFrame:
    cols = ["rank", "route_id", "length_m", "aerial_m", "underground_m", "planned_works_m",
            "cost_vnd", "n_hamlets", "hamlets_served", "village_ids", "households_served",
            "cost_per_household_vnd", "max_olt_to_home_km", "max_loss_db", "gpon_ok"]
    return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=crs)


def plan_extensions(
    graph: RoadGraph,
    root_xy: np.ndarray,
    target_xy: np.ndarray,
    *,
    names: np.ndarray,
    village_ids: np.ndarray,
    households: np.ndarray,
    olt_xy: np.ndarray | None = None,
    params: FiberParams | None = None,
    crs: object = None,
) -> FiberPlan:
    """Plan new fiber along roads from the existing network to the target hamlet centres.

    Parameters
    ----------
    graph
        The road graph (costs per metre already set, see :func:`build_road_graph`).
    root_xy
        (r, 2) points of the existing fiber network (cable points, nodes), metres.
    target_xy
        (t, 2) centres of the hamlets to connect, metres.
    names, village_ids, households
        Per target: hamlet name, id and households (NaN when unknown).
    olt_xy
        (o, 2) OLT positions for the optical budget; ``params.feeder_km_default`` of existing
        fiber is assumed from the OLT to the route's start when none is given.
    params
        Fiber parameters (costs, GPON budget, drop length).
    crs
        CRS of the coordinates, given to the routes GeoDataFrame.

    Returns
    -------
    FiberPlan
    """
    params = params or FiberParams()
    root_xy = np.asarray(root_xy, float).reshape(-1, 2)
    target_xy = np.asarray(target_xy, float).reshape(-1, 2)
    olt_xy = np.zeros((0, 2)) if olt_xy is None else np.asarray(olt_xy, float).reshape(-1, 2)
    nt, nr = len(target_xy), len(root_xy)
    households = np.asarray(households, float)
    hamlets = pd.DataFrame({"route_id": pd.Series([None] * nt, dtype=object),
                            "olt_to_home_km": np.nan, "loss_db": np.nan,
                            "gpon_ok": pd.Series([pd.NA] * nt, dtype="boolean"),
                            "status": "unreachable"})
    if nt == 0 or nr == 0 or graph.n_edges == 0:
        return FiberPlan(_empty_routes(crs), hamlets, 0.0, 0.0)
    att = attach_points(graph, np.vstack([root_xy, target_xy, olt_xy]))
    g = att.graph
    rnode, roff = att.node[:nr], att.offroad_m[:nr]
    tnode, toff = att.node[nr:nr + nt], att.offroad_m[nr:nr + nt]
    onode, ooff = att.node[nr + nt:], att.offroad_m[nr + nt:]
    aerial = params.costs.aerial_vnd_per_m
    n = g.n_nodes
    root = n  # the virtual root: the whole existing network
    okr = rnode >= 0
    u = np.concatenate([g.edge_u, np.full(okr.sum(), root)])
    v = np.concatenate([g.edge_v, rnode[okr]])
    w = np.concatenate([g.cost_vnd, roff[okr] * aerial])
    metres_from_root = multi_source_distance(g, rnode, roff)
    t_from_root = metres_from_root[np.maximum(tnode, 0)]
    reach = (tnode >= 0) & np.isfinite(t_from_root)
    # the road at the centre is on an existing cable (within the cable sampling step): it needs
    # a splitter or drop box there, not a new route
    on_net = reach & (t_from_root <= params.cable_sample_m)
    hamlets.loc[on_net, "status"] = "on_network"
    todo = reach & ~on_net
    terms = np.unique(tnode[todo])
    tree = steiner_tree(n + 1, u, v, w, np.concatenate([[root], terms]))
    road = tree[tree < g.n_edges]
    if road.size == 0:
        return FiberPlan(_empty_routes(crs), hamlets, 0.0, 0.0)
    # routes: one per branch leaving the existing network, i.e. the components of the tree
    # once cut at the nodes where it leaves the network (the virtual root's neighbours in the
    # tree; each edge gets its own copy of such a node)
    eu, ev = g.edge_u[road], g.edge_v[road]
    m = road.size
    on_network = np.zeros(n, dtype=bool)
    on_network[v[tree[tree >= g.n_edges]]] = True
    a = np.where(on_network[eu], n + np.arange(m), eu)
    b = np.where(on_network[ev], n + m + np.arange(m), ev)
    sub = sparse.coo_array((np.ones(m), (a, b)), shape=(n + 2 * m, n + 2 * m))
    _, label = connected_components(sub, directed=False)
    comps, route_of_edge = np.unique(label[a], return_inverse=True)
    nroutes = comps.size
    in_tree = np.zeros(n, dtype=bool)
    in_tree[eu] = True
    in_tree[ev] = True
    inner = in_tree & ~on_network
    route_of_node = np.full(n, -1, np.int64)
    route_of_node[inner] = np.searchsorted(comps, label[:n][inner])
    for end_nodes in (eu, ev):  # a start node takes the route of one of its edges
        at = on_network[end_nodes]
        route_of_node[end_nodes[at]] = route_of_edge[at]
    # distances for the optical budget: OLT -> the route's start (along roads), then along
    # the route from its start
    length = g.length_m[road]
    tree_g = RoadGraph(g.node_xy, eu, ev, length, g.vnd_per_m[road], g.underground[road],
                       g.planned[road], g.road_class[road], g.road_row[road])
    starts = np.flatnonzero(on_network & in_tree)
    along = multi_source_distance(tree_g, starts)  # metres from the nearest start
    if len(olt_xy):
        d_olt = multi_source_distance(g, onode, ooff)
    else:
        d_olt = np.full(n, params.feeder_km_default * 1000.0)
    feeder = np.full(nroutes, np.inf)
    for end_nodes in (eu, ev):
        at = on_network[end_nodes]
        np.minimum.at(feeder, route_of_edge[at], d_olt[end_nodes[at]])
    feeder[~np.isfinite(feeder)] = np.nan
    # per hamlet
    t_route = np.where(todo, route_of_node[np.maximum(tnode, 0)], -1)
    served = t_route >= 0
    route_ids = np.array([f"R{i + 1:03d}" for i in range(nroutes)], dtype=object)
    olt_home = np.full(nt, np.nan)
    olt_home[served] = (feeder[t_route[served]] + along[tnode[served]] + toff[served]
                        + params.drop_max_m) / 1000.0
    hamlets.loc[served, "status"] = "planned"
    hamlets.loc[served, "route_id"] = route_ids[t_route[served]]
    hamlets["olt_to_home_km"] = np.round(olt_home, 3)
    loss = np.where(served, params.gpon.loss_db(np.nan_to_num(olt_home)), np.nan)
    hamlets["loss_db"] = np.round(loss, 2)
    hamlets.loc[served, "gpon_ok"] = params.gpon.ok(olt_home[served])
    # per route sums: road edges plus the off-road lead-ins to the hamlet centres (aerial)
    lead = np.zeros(nt)
    lead[served] = toff[served]
    lead_by_node = pd.Series(lead[served]).groupby(tnode[served]).max()  # one lead-in per node
    lead_route = route_of_node[lead_by_node.index.to_numpy()]
    lead_m = np.bincount(lead_route, weights=lead_by_node.to_numpy(), minlength=nroutes)
    under = g.underground[road]
    length_m = np.bincount(route_of_edge, weights=length, minlength=nroutes) + lead_m
    under_m = np.bincount(route_of_edge, weights=length * under, minlength=nroutes)
    planned_m = np.bincount(route_of_edge, weights=length * g.planned[road], minlength=nroutes)
    cost = np.bincount(route_of_edge, weights=g.cost_vnd[road], minlength=nroutes) + lead_m * aerial
    hh = np.where(np.isfinite(households), households, np.nan)
    frame = pd.DataFrame({"route": t_route[served], "name": np.asarray(names, object)[served],
                          "vid": np.asarray(village_ids, object)[served],
                          "hh": hh[served], "loss": loss[served], "km": olt_home[served],
                          "ok": params.gpon.ok(olt_home[served])})
    agg = frame.groupby("route").agg(
        n_hamlets=("name", "size"),
        hamlets_served=("name", lambda s: "; ".join(str(x) for x in s)),
        village_ids=("vid", lambda s: "; ".join(str(x) for x in s if pd.notna(x))),
        households_served=("hh", lambda s: s.sum(min_count=1)),
        max_olt_to_home_km=("km", "max"),
        max_loss_db=("loss", "max"),
        gpon_ok=("ok", "all"),
    ).reindex(np.arange(nroutes))
    # geometry: road edges and lead-ins, merged into lines per route
    seg = shapely.linestrings(np.stack([g.node_xy[eu], g.node_xy[ev]], axis=1))
    lead_sel = served & (toff > 0)
    lead_geom = shapely.linestrings(np.stack([target_xy[lead_sel],
                                              g.node_xy[tnode[lead_sel]]], axis=1))
    all_geom = np.concatenate([seg, lead_geom])
    all_route = np.concatenate([route_of_edge, t_route[lead_sel]])
    order = np.argsort(all_route, kind="stable")
    geoms = shapely.line_merge(shapely.multilinestrings(all_geom[order], indices=all_route[order]))
    routes = gpd.GeoDataFrame({
        "route_id": route_ids,
        "length_m": np.round(length_m, 1),
        "aerial_m": np.round(length_m - under_m, 1),
        "underground_m": np.round(under_m, 1),
        "planned_works_m": np.round(planned_m, 1),
        "cost_vnd": np.round(cost, -3),
        "n_hamlets": agg["n_hamlets"].fillna(0).astype(int).to_numpy(),
        "hamlets_served": agg["hamlets_served"].fillna("").to_numpy(),
        "village_ids": agg["village_ids"].fillna("").to_numpy(),
        "households_served": agg["households_served"].to_numpy(float),
    }, geometry=geoms, crs=crs)
    hh_served = routes["households_served"].to_numpy(float)
    routes["cost_per_household_vnd"] = np.round(
        np.divide(cost, hh_served, out=np.full(nroutes, np.nan), where=hh_served > 0), -3)
    routes["max_olt_to_home_km"] = np.round(agg["max_olt_to_home_km"].to_numpy(float), 3)
    routes["max_loss_db"] = np.round(agg["max_loss_db"].to_numpy(float), 2)
    routes["gpon_ok"] = agg["gpon_ok"].fillna(True).astype(bool).to_numpy()
    # routes serving no target hamlet (should not happen after pruning) are kept and shown
    routes = routes.sort_values(["cost_per_household_vnd", "cost_vnd"], na_position="last",
                                kind="stable").reset_index(drop=True)
    routes.insert(0, "rank", np.arange(1, nroutes + 1))
    # route ids follow the rank: R001 is the cheapest per household
    renamed = dict(zip(routes["route_id"], [f"R{i + 1:03d}" for i in range(nroutes)],
                       strict=True))
    routes["route_id"] = routes["route_id"].map(renamed)
    hamlets["route_id"] = hamlets["route_id"].map(renamed).astype(object)
    return FiberPlan(routes, hamlets, float(cost.sum()), float(length_m.sum()))
