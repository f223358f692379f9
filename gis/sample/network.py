"""Roads (a connected hierarchy built from minimum spanning trees) and fiber along them.

Nodes are the commune centres (the town first), the hamlet centres and the two ends of the
national road. District roads join the commune centres (an MST plus a few loops), commune and
village roads join the hamlets of each commune to its centre (an MST per commune plus loops),
and a national road crosses the district through the town. Edges share their end coordinates
exactly, so the network is connected without any snapping. Fiber follows the shortest road
paths from the district town (where the OLTs are) to the communes and hamlets it serves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import cKDTree

from gis.sample.places import NO_FIBER, NO_ROAD, Places

__all__ = ["NO_FIBER_M", "Network", "build_network"]

#: A hamlet is tagged ``no_fiber`` when no fiber node is within this distance of its centre
#: (metres, straight line; longer than any drop length DOMAIN.md suggests, 300-500 m).
NO_FIBER_M = 700.0


@dataclass
class Network:
    """Road edges (node index pairs, class, geometry) and fiber routes over them."""

    nodes: np.ndarray            # (n, 2) node coordinates
    edges: np.ndarray            # (e, 2) node indices
    road_class: np.ndarray       # (e,) str
    road_name: np.ndarray        # (e,) str
    planned: np.ndarray          # (e,) object: str or None
    geoms: np.ndarray            # (e,) LineString
    fiber_rows: list[dict]       # operator, level, installation, geometry
    fiber_nodes: list[dict]      # node_id, operator, kind, capacity, geometry
    hamlet_fiber: np.ndarray     # (h,) operator serving the hamlet, "" where none
    hamlet_node: np.ndarray      # (h,) node index of each hamlet centre (-1: no road)


def _mst_edges(xy: np.ndarray, n_loops: int) -> list[tuple[int, int]]:
    """Edges of the Euclidean MST of ``xy`` plus the ``n_loops`` shortest other edges that
    shortcut the tree the most (network distance / straight distance > 1.6)."""
    n = len(xy)
    if n < 2:
        return []
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    mst = minimum_spanning_tree(np.triu(d)).tocoo()
    edges = [(int(a), int(b)) for a, b in zip(mst.row, mst.col, strict=True)]
    if n_loops > 0 and n > 3:
        tree = coo_matrix((mst.data, (mst.row, mst.col)), shape=(n, n))
        g = dijkstra(tree, directed=False)
        iu = np.triu_indices(n, 1)
        ratio = g[iu] / np.maximum(d[iu], 1.0)
        cand = np.flatnonzero((ratio > 1.6) & (d[iu] < np.percentile(d[iu], 15)))
        cand = cand[np.argsort(d[iu][cand])][:n_loops]
        edges += [(int(iu[0][k]), int(iu[1][k])) for k in cand]
    return edges


def _wiggle(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> shapely.LineString:
    """A gently bent road from ``a`` to ``b`` (ends kept exactly)."""
    length = float(np.hypot(*(b - a)))
    k = 1 if length < 1_500 else 3
    t = np.linspace(0, 1, k + 2)[1:-1]
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    off = rng.normal(0, 0.04 * length, k)
    mids = a[None, :] + t[:, None] * (b - a)[None, :] + off[:, None] * normal[None, :]
    return shapely.LineString(np.vstack([a, mids, b]))


def build_network(places: Places, rng: np.random.Generator) -> Network:
    """Roads and fiber of the district (see the module docstring)."""
    c_xy, h_xy = places.commune_xy, places.hamlet_xy
    nc, nh = len(c_xy), len(h_xy)
    # National road ends: where rays from the town to the east and to the south-west leave
    # the district.
    town = c_xy[0]
    ends = []
    for ang in (np.deg2rad(8.0), np.deg2rad(205.0)):
        ray = shapely.LineString([town, town + 40_000 * np.array([np.cos(ang), np.sin(ang)])])
        hit = shapely.intersection(ray, places.boundary.exterior)
        ends.append(np.asarray(shapely.get_coordinates(hit))[0])
    nodes = np.vstack([c_xy, h_xy, np.asarray(ends)])
    e_east, e_west = nc + nh, nc + nh + 1

    # Hamlets without a road: two in the hidden basin (the farthest from the commune centres).
    remote: list[int] = []
    basin = [i for i, t in enumerate(places.tags) if NO_FIBER in t]
    if len(basin) >= 3:
        dist = np.hypot(*(h_xy[basin] - c_xy[places.hamlet_commune[basin]]).T)
        remote = [basin[k] for k in np.argsort(dist)[-2:]]
        for i in remote:
            places.tags[i].add(NO_ROAD)

    edges: list[tuple[int, int]] = []
    cls: list[str] = []
    # National road through the town, via commune centres within 1.5 km of its line.
    for end in (e_east, e_west):
        seg = shapely.LineString([town, nodes[end]])
        d = shapely.distance(shapely.points(c_xy[1:]), seg)
        via = 1 + np.flatnonzero(d < 1_500.0)
        via = via[np.argsort(shapely.line_locate_point(seg, shapely.points(c_xy[via])))]
        chain = [0, *via.tolist(), end]
        edges += list(itertools.pairwise(chain))
        cls += ["national"] * (len(chain) - 1)
    national_nodes = {a for e in edges for a in e}
    # District roads: MST of the commune centres plus loops; the spokes from the town on the
    # way to the farthest north and south communes are provincial roads.
    d_edges = _mst_edges(c_xy, n_loops=3)
    have = {tuple(sorted(e)) for e in edges}
    d_edges = [e for e in d_edges if tuple(sorted(e)) not in have]
    cc = d_edges + [(a, b) for a, b in edges if a < nc and b < nc]
    g = coo_matrix((np.hypot(*(c_xy[[a for a, _ in cc]] - c_xy[[b for _, b in cc]]).T),
                    ([a for a, _ in cc], [b for _, b in cc])), shape=(nc, nc))
    _, pred = dijkstra(g, directed=False, indices=0, return_predecessors=True)
    provincial = set()
    for target in (int(np.argmax(c_xy[:, 1])), int(np.argmin(c_xy[:, 1]))):
        k = target
        while k != 0 and pred[k] >= 0:
            provincial.add(tuple(sorted((k, int(pred[k])))))
            k = int(pred[k])
    for a, b in d_edges:
        edges.append((a, b))
        cls.append("provincial" if tuple(sorted((a, b))) in provincial else "district")
    # Commune and village roads inside each commune.
    for c in range(nc):
        members = [i for i in np.flatnonzero(places.hamlet_commune == c) if i not in remote]
        idx = np.array([c] + [nc + i for i in members])
        local = _mst_edges(nodes[idx], n_loops=max(1, len(idx) // 8))
        deg = np.bincount(np.array(local).ravel(), minlength=len(idx)) if local else []
        for a, b in local:
            trunk = a == 0 or b == 0 or (deg[a] > 1 and deg[b] > 1)
            edges.append((int(idx[a]), int(idx[b])))
            cls.append("commune" if trunk else "village")
    # The remote hamlets: a forest track between them that joins nothing else.
    if len(remote) == 2:
        edges.append((nc + remote[0], nc + remote[1]))
        cls.append("other")

    e = np.asarray(edges)
    geoms = np.array([_wiggle(nodes[a], nodes[b], rng) for a, b in e], dtype=object)
    cls_arr = np.asarray(cls)
    names = {"national": "Quốc lộ 12B", "provincial": "Đường tỉnh 477",
             "commune": "Đường trục xã", "village": "Đường thôn xóm",
             "other": "Đường mòn lên bản"}
    road_name = np.array([names.get(k, "") for k in cls_arr], dtype=object)
    dist_ids = np.flatnonzero(cls_arr == "district")
    for k, i in enumerate(dist_ids):
        road_name[i] = f"Đường huyện ĐH.{k % 40 + 1:02d}"
    planned = np.full(len(e), None, dtype=object)
    for i in rng.choice(np.flatnonzero(np.isin(cls_arr, ("district", "commune"))), 6,
                        replace=False):
        planned[i] = rng.choice([
            "Nâng cấp mở rộng 2026, xây cống bể cáp dùng chung / widening 2026 with shared duct",
            "Cải tạo mặt đường 2026, hạ ngầm cáp / resurfacing 2026, cables underground",
            "Chiếu sáng công cộng 2027, cột dùng chung / street lighting 2027, shared poles",
        ])

    lengths = shapely.length(geoms)
    graph = coo_matrix((lengths, (e[:, 0], e[:, 1])), shape=(len(nodes), len(nodes)))
    _, pred = dijkstra(graph, directed=False, indices=0, return_predecessors=True)
    edge_of = {tuple(sorted((int(a), int(b)))): k for k, (a, b) in enumerate(e)}

    def path_edges(target: int) -> list[int]:
        out, k = [], target
        while k != 0 and pred[k] >= 0:
            out.append(edge_of[tuple(sorted((k, int(pred[k]))))])
            k = int(pred[k])
        return out

    fiber_rows, fiber_nodes, hamlet_fiber = _fiber(places, nodes, e, geoms, cls_arr,
                                                   national_nodes, path_edges, rng)
    hamlet_node = np.arange(nc, nc + nh)
    hamlet_node[remote] = -1
    return Network(nodes, e, cls_arr, road_name, planned, geoms, fiber_rows, fiber_nodes,
                   hamlet_fiber, hamlet_node)


def _fiber(places: Places, nodes: np.ndarray, e: np.ndarray, geoms: np.ndarray,
           cls_arr: np.ndarray, national_nodes: set[int], path_edges,
           rng: np.random.Generator) -> tuple[list[dict], list[dict], np.ndarray]:
    nc, nh = len(places.commune_xy), len(places.hamlet_xy)
    town = places.commune_xy[0]
    # Communes without a distribution cable: the two hilly communes farthest from the town.
    hilly = np.flatnonzero(places.commune_hilly)
    far = hilly[np.argsort(-np.hypot(*(places.commune_xy[hilly] - town).T))][:2]
    no_dist = set(far.tolist())
    # Each commune is served by one of the two fixed operators.
    op_of = np.where(rng.random(nc) < 0.55, "Viettel", "VNPT")
    hamlet_fiber = np.full(nh, "", dtype=object)
    level_of: dict[tuple[int, str], str] = {}
    rank = {"backbone": 3, "distribution": 2, "access": 1}

    def add(edge_ids: list[int], op: str, level: str) -> None:
        for k in edge_ids:
            old = level_of.get((k, op))
            if old is None or rank[level] > rank[old]:
                level_of[(k, op)] = level

    for op in ("Viettel", "VNPT"):
        add(list(np.flatnonzero(cls_arr == "national")), op, "backbone")
    # Leaf hamlets far from their commune centre in the hills also stay without fiber.
    dist_c = np.hypot(*(places.hamlet_xy - places.commune_xy[places.hamlet_commune]).T)
    for c in range(nc):
        if c in no_dist:
            for i in np.flatnonzero(places.hamlet_commune == c):
                places.tags[i].add(NO_FIBER)
            continue
        add(path_edges(c), op_of[c], "distribution")
        members = np.flatnonzero(places.hamlet_commune == c)
        cutoff = np.inf
        if places.commune_hilly[c] and len(members) > 4:
            cutoff = np.percentile(dist_c[members], 85)
        for i in members:
            if NO_FIBER in places.tags[i] or NO_ROAD in places.tags[i]:
                places.tags[i].add(NO_FIBER)
                continue
            if dist_c[i] > cutoff:
                places.tags[i].add(NO_FIBER)
                continue
            add(path_edges(nc + i), op_of[c], "access")
            hamlet_fiber[i] = op_of[c]
    rows = []
    for (k, op), level in sorted(level_of.items()):
        mid = shapely.line_interpolate_point(geoms[k], 0.5, normalized=True)
        near_town = shapely.distance(mid, shapely.Point(town)) < 1_500.0
        inst = ("underground" if near_town else
                "duct" if level == "backbone" else "aerial")
        rows.append({"operator": op, "level": level, "installation": inst,
                     "geometry": geoms[k]})
    fnodes = []
    for j, op in enumerate(("Viettel", "VNPT")):
        p = town + np.array([15.0 if j == 0 else -15.0, 10.0])
        fnodes.append({"node_id": f"{'VT' if j == 0 else 'VN'}-OLT-01", "operator": op,
                       "kind": "olt", "capacity": 16.0, "geometry": shapely.Point(p)})
    for c in range(nc):
        if c in no_dist:
            continue
        p = places.commune_xy[c] + rng.uniform(-40, 40, 2)
        fnodes.append({"node_id": f"{'VT' if op_of[c] == 'Viettel' else 'VN'}-CAB-{c:02d}",
                       "operator": op_of[c], "kind": "cabinet", "capacity": 32.0,
                       "geometry": shapely.Point(p)})
    for i in np.flatnonzero(hamlet_fiber != ""):
        op = hamlet_fiber[i]
        p = places.hamlet_xy[i] + rng.uniform(-90, 90, 2)
        fnodes.append({"node_id": f"{'VT' if op == 'Viettel' else 'VN'}-SPL-{i:03d}",
                       "operator": op, "kind": "splitter",
                       "capacity": float(rng.choice([8, 16])), "geometry": shapely.Point(p)})
    # The tag says what holds, not only what was meant: a hamlet is "no_fiber" when no fiber
    # node lies within NO_FIBER_M of its centre (so no drop of that length reaches it, whatever
    # the road path), and only then.
    node_xy = np.array([g["geometry"].coords[0] for g in fnodes])
    dist = cKDTree(node_xy).query(places.hamlet_xy)[0]
    for i, t in enumerate(places.tags):
        if dist[i] > NO_FIBER_M:
            t.add(NO_FIBER)
        else:
            t.discard(NO_FIBER)
    return rows, fnodes, hamlet_fiber
