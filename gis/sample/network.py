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
#: along the roads (metres): the longest drop DOMAIN.md suggests (300-500 m) cannot reach it.
NO_FIBER_M = 500.0


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
    east_end_xy: np.ndarray      # (2,) where the national road leaves the district eastwards


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
            # Inside the district town (commune 0) the streets are urban roads (phố).
            cls.append("urban" if c == 0 else "commune" if trunk else "village")
    # The remote hamlets: a forest track between them that joins nothing else.
    if len(remote) == 2:
        edges.append((nc + remote[0], nc + remote[1]))
        cls.append("other")

    # Lanes (ngõ xóm): dead-end village roads from each hamlet centre into its houses.
    lane_xy, lane_edges, lane_of = _lanes(places, nodes, edges, nc, set(remote))
    lane_start = len(edges)
    nodes = np.vstack([nodes, lane_xy])
    edges += lane_edges
    cls += ["urban" if places.hamlet_commune[i] == 0 else "village" for i in lane_of]

    e = np.asarray(edges)
    geoms = np.array([_wiggle(nodes[a], nodes[b], rng) for a, b in e], dtype=object)
    cls_arr = np.asarray(cls)
    names = {"national": "Quốc lộ 12B", "provincial": "Đường tỉnh 477",
             "commune": "Đường trục xã", "village": "Đường thôn xóm", "urban": "Phố",
             "other": "Đường mòn lên bản"}
    road_name = np.array([names.get(k, "") for k in cls_arr], dtype=object)
    road_name[lane_start:] = np.where(cls_arr[lane_start:] == "urban", "Ngõ phố", "Ngõ xóm")
    streets = ("Phố Lê Lợi", "Phố Trần Hưng Đạo", "Phố Nguyễn Huệ", "Phố Lý Thái Tổ",
               "Phố Hoàng Long", "Phố Tân Nhất", "Phố Bắc Sơn", "Phố Đồng Tâm")
    for k, i in enumerate(np.flatnonzero(cls_arr[:lane_start] == "urban")):
        road_name[i] = streets[k % len(streets)]
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

    lanes_of_hamlet: dict[int, list[int]] = {}
    for k, i in enumerate(lane_of):
        lanes_of_hamlet.setdefault(int(i), []).append(lane_start + k)
    fiber_rows, fiber_nodes, hamlet_fiber = _fiber(places, geoms, cls_arr, path_edges,
                                                   lanes_of_hamlet, rng)
    hamlet_node = np.arange(nc, nc + nh)
    hamlet_node[remote] = -1
    _tag_no_fiber(places, nodes, e, lengths, fiber_nodes, hamlet_node)
    return Network(nodes, e, cls_arr, road_name, planned, geoms, fiber_rows, fiber_nodes,
                   hamlet_fiber, hamlet_node, np.asarray(ends[0], dtype=float))


#: Lanes per hamlet by zone, and their length (m) before shortening to stay in the hamlet.
LANES = {"town": (2, 300.0), "delta": (2, 330.0), "hills": (1, 300.0)}


def _lanes(places: Places, nodes: np.ndarray, edges: list[tuple[int, int]], nc: int,
           remote: set[int]) -> tuple[np.ndarray, list[tuple[int, int]], list[int]]:
    """Dead-end lanes from each hamlet centre in the directions farthest from its roads.

    Returns the lane end coordinates, the lane edges (centre node, end node) with end nodes
    numbered after ``nodes``, and the hamlet of each lane.
    """
    angles: dict[int, list[float]] = {}
    for a, b in edges:
        for u, w in ((a, b), (b, a)):
            if u >= nc and u - nc < len(places.hamlet_xy):
                d = nodes[w] - nodes[u]
                angles.setdefault(u - nc, []).append(float(np.arctan2(d[1], d[0])))
    cand = np.deg2rad(np.arange(0.0, 360.0, 15.0))
    ends, lane_edges, lane_of = [], [], []
    for i, centre in enumerate(places.hamlet_xy):
        if i in remote:
            continue
        count, length = LANES[str(places.hamlet_zone[i])]
        taken = list(angles.get(i, []))
        poly = places.hamlet_polys[i]
        for _ in range(count):
            if taken:
                gap = np.abs((cand[:, None] - np.asarray(taken)[None, :] + np.pi)
                             % (2 * np.pi) - np.pi).min(axis=1)
                ang = float(cand[int(np.argmax(gap))])
            else:
                ang = float(cand[i % len(cand)])
            taken.append(ang)
            direction = np.array([np.cos(ang), np.sin(ang)])
            for f in (1.0, 0.75, 0.5):
                end = centre + f * length * direction
                if poly.contains(shapely.Point(end)):
                    ends.append(end)
                    lane_edges.append((nc + i, len(nodes) + len(ends) - 1))
                    lane_of.append(i)
                    break
    return np.asarray(ends, dtype=float).reshape(-1, 2), lane_edges, lane_of


def _fiber(places: Places, geoms: np.ndarray, cls_arr: np.ndarray, path_edges,
           lanes_of_hamlet: dict[int, list[int]],
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
            add(path_edges(nc + i) + lanes_of_hamlet.get(int(i), []), op_of[c], "access")
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
    # Splitters (drop boxes on poles): one by the cultural house, one near the end of each
    # lane, so that the drops to most houses stay short.
    for i in np.flatnonzero(hamlet_fiber != ""):
        op = hamlet_fiber[i]
        pts = [places.hamlet_xy[i] + rng.uniform(-40, 40, 2)]
        pts += [np.asarray(shapely.line_interpolate_point(geoms[k], 0.8, normalized=True)
                           .coords[0]) for k in lanes_of_hamlet.get(int(i), [])]
        for j, p in enumerate(pts):
            fnodes.append({"node_id": f"{'VT' if op == 'Viettel' else 'VN'}-SPL-{i:03d}-{j}",
                           "operator": op, "kind": "splitter",
                           "capacity": float(rng.choice([8, 16])),
                           "geometry": shapely.Point(p)})
    return rows, fnodes, hamlet_fiber


def _tag_no_fiber(places: Places, nodes: np.ndarray, e: np.ndarray, lengths: np.ndarray,
                  fnodes: list[dict], hamlet_node: np.ndarray) -> None:
    """Set the ``no_fiber`` tag to what holds: no fiber node within :data:`NO_FIBER_M` of the
    hamlet centre along the roads (each fiber node joins the roads at its nearest road node,
    its straight offset counted), or in a straight line for a hamlet without a road."""
    node_xy = np.array([g["geometry"].coords[0] for g in fnodes])
    off, near = cKDTree(nodes).query(node_xy)
    entry = np.full(len(nodes), np.inf)
    np.minimum.at(entry, near, off)
    src = np.flatnonzero(np.isfinite(entry))
    n = len(nodes)
    # A virtual source joined to every entry node by its offset: one Dijkstra for all nodes.
    rows = np.concatenate([e[:, 0], np.full(len(src), n)])
    cols = np.concatenate([e[:, 1], src])
    weights = np.concatenate([lengths, entry[src]])
    graph = coo_matrix((weights, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    dist = dijkstra(graph, directed=False, indices=n, limit=2 * NO_FIBER_M)
    straight = cKDTree(node_xy).query(places.hamlet_xy)[0]
    reach = np.where(hamlet_node >= 0, dist[np.maximum(hamlet_node, 0)], straight)
    for i, t in enumerate(places.tags):
        if reach[i] > NO_FIBER_M:
            t.add(NO_FIBER)
        else:
            t.discard(NO_FIBER)
