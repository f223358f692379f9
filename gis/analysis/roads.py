"""A routable road graph: noded at intersections, snapped, with lengths and fiber costs.

The graph is held as arrays (node coordinates; edge end nodes, lengths, costs, attributes) and
turned into a :mod:`scipy.sparse` matrix for the shortest-path searches of
:mod:`scipy.sparse.csgraph`. Edges are the straight pieces between consecutive vertices of the road
lines (and the points where lines cross), so node coordinates trace the roads exactly.

How lines are joined into one network:

* **Crossings**: wherever two road lines intersect (X or T junctions, overlaps), both are split
  there and share the node. A flyover drawn as crossing lines is therefore joined too; split the
  roads in the file if that matters.
* **Snapping**: a line end within ``snap_tolerance_m`` (default 5 m) of another line is joined to
  the nearest point of that line: digitised roads often stop a few metres short of the road they
  meet. 5 m is about a road's width: larger values join roads that really are not connected.
* **Components**: the connected pieces are listed; road rows not connected to the main network
  (the component with the greatest length) are reported by row.

Points (hamlet centres, households, fiber nodes, facilities) are attached with
:func:`attach_points`: each point is projected on its nearest edge, the edge is split at the
projection (so distances along the edge are exact), and the straight "off-road" leg from the point
to the road is added to its distances.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

from gis.analysis.costs import (
    CostParams,
    edge_installation,
    normalise_road_class,
    planned_flags,
)
from gis.errors import ValidationError, format_rows

__all__ = [
    "RoadGraph",
    "attach_points",
    "build_road_graph",
    "multi_source_distance",
]

#: Weights below this are raised to it: csgraph ignores explicit zeros in sparse matrices.
EPS_WEIGHT = 1e-6
#: Coordinates are compared after rounding to this grid, in metres.
NODE_GRID_M = 1e-3


@dataclass(frozen=True)
class RoadGraph:
    """An undirected road graph in a metric CRS.

    Attributes
    ----------
    node_xy
        (n, 2) node coordinates in metres (analysis CRS).
    edge_u, edge_v
        End nodes of each edge.
    length_m
        Edge length along the road, in metres.
    vnd_per_m
        Cost of new fiber along the edge, in VND per metre (see :mod:`gis.analysis.costs`).
    underground
        True where new fiber along the edge goes underground, False aerial.
    planned
        True where the road has planned works.
    road_class
        Canonical road class of the edge.
    road_row
        Position (0-based) of the road row in the roads layer the edge comes from.
    n_road_rows
        Rows of the roads layer.
    warnings
        What was assumed or found while building, in English and Vietnamese.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    length_m: np.ndarray
    vnd_per_m: np.ndarray
    underground: np.ndarray
    planned: np.ndarray
    road_class: np.ndarray
    road_row: np.ndarray
    n_road_rows: int = 0
    warnings: tuple[str, ...] = field(default=())

    def __getstate__(self) -> dict:
        """The fields only: the cached segments, spatial index and components (shapely
        geometries, the largest and slowest part to pickle) are rebuilt on first use where the
        graph is unpickled (a Dask worker), not sent with it."""
        names = {f.name for f in dataclasses.fields(self)}
        return {k: v for k, v in self.__dict__.items() if k in names}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    @property
    def n_nodes(self) -> int:
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def cost_vnd(self) -> np.ndarray:
        """Cost of new fiber along the whole edge, in VND."""
        return self.length_m * self.vnd_per_m

    def weights(self, weight: str = "length") -> np.ndarray:
        """Edge weights: ``"length"`` (metres) or ``"cost"`` (VND)."""
        if weight == "length":
            return self.length_m
        if weight == "cost":
            return self.cost_vnd
        raise ValidationError(f"Unknown weight {weight!r}; valid: length, cost.",
                              f"Trọng số {weight!r} không hợp lệ; hợp lệ: length, cost.")

    def csr(self, weight: str = "length", *, extra_nodes: int = 0) -> sparse.csr_array:
        """Symmetric sparse adjacency matrix; parallel edges keep their smallest weight."""
        return _symmetric_csr(self.edge_u, self.edge_v, self.weights(weight),
                              self.n_nodes + extra_nodes)

    @cached_property
    def components(self) -> np.ndarray:
        """Connected-component label of every node."""
        if self.n_nodes == 0:
            return np.zeros(0, dtype=np.int64)
        _, labels = connected_components(self.csr(), directed=False)
        return labels

    @cached_property
    def main_component(self) -> int:
        """Label of the component with the greatest total road length (-1 for an empty graph)."""
        if self.n_edges == 0:
            return -1
        comp = self.components[self.edge_u]
        total = np.bincount(comp, weights=self.length_m)
        return int(np.argmax(total))

    def disconnected_rows(self) -> np.ndarray:
        """Road rows (0-based) none of whose pieces lie on the main network."""
        if self.n_edges == 0:
            return np.zeros(0, dtype=np.int64)
        on_main = self.components[self.edge_u] == self.main_component
        rows_main = np.unique(self.road_row[on_main])
        rows_all = np.unique(self.road_row)
        return np.setdiff1d(rows_all, rows_main)

    @cached_property
    def segments(self) -> np.ndarray:
        """Edges as shapely LineStrings (straight, node to node)."""
        coords = np.stack([self.node_xy[self.edge_u], self.node_xy[self.edge_v]], axis=1)
        return shapely.linestrings(coords)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`segments`: 4 segments per node, where the nearest-edge query
        of :func:`attach_points` costs half of GEOS' default 10 (province preset: 622,133
        household points on 14,269 edges, 2.2 instead of 4.6 CPU s)."""
        return shapely.STRtree(self.segments, node_capacity=4)


def _symmetric_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_array:
    """Both directions of each edge; the smallest weight of parallel edges; no self-loops."""
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    data = np.maximum(np.concatenate([w, w]).astype(float), EPS_WEIGHT)
    keep = rows != cols
    rows, cols, data = rows[keep], cols[keep], data[keep]
    key = rows.astype(np.int64) * n + cols
    order = np.lexsort((data, key))
    key, first = np.unique(key[order], return_index=True)
    sel = order[first]
    return sparse.csr_array((data[sel], (rows[sel], cols[sel])), shape=(n, n))


def _road_attribute(roads: gpd.GeoDataFrame, name: str) -> pd.Series | None:
    return roads[name] if name in roads.columns else None


def build_road_graph(
    roads: gpd.GeoDataFrame,
    *,
    snap_tolerance_m: float = 5.0,
    costs: CostParams | None = None,
    prefer_planned_works: bool = False,
    source: str = "roads",
) -> RoadGraph:
    """Build the routable graph of a roads layer.

    Parameters
    ----------
    roads
        LineString / MultiLineString layer in a metric (projected) CRS, with optional columns
        ``road_class``, ``planned_works`` and ``name``.
    snap_tolerance_m
        Line ends closer than this to another line (metres) are joined to it.
    costs
        Installation cost parameters (VND per metre); the defaults when not given.
    prefer_planned_works
        Discount roads with planned works (co-deployment), see :class:`CostParams`.
    source
        Name of the layer or file, for messages.

    Returns
    -------
    RoadGraph
        With warnings for unusable rows, unknown road classes and disconnected pieces.
    """
    costs = costs or CostParams()
    if roads.crs is not None and not roads.crs.is_projected:
        from gis.errors import CRSError

        raise CRSError(
            f"The {source} layer is in {roads.crs.name}, not a metric CRS.",
            f"Lớp {source} ở hệ {roads.crs.name}, không phải hệ toạ độ mét.",
            fix="Reproject it to the analysis CRS (UTM 48N/49N) first, as Project does.",
            fix_vi="Chuyển sang hệ phân tích (UTM 48N/49N) trước, như Project làm.",
        )
    warnings: list[str] = []
    n_rows = len(roads)
    geoms = np.asarray(roads.geometry.values, dtype=object)
    parts, part_row = shapely.get_parts(geoms, return_index=True)
    line_type = shapely.get_type_id(parts) == 1
    ok = line_type & (shapely.get_num_coordinates(parts) >= 2) & (shapely.length(parts) > 0)
    parts, part_row = parts[ok], part_row[ok]
    bad_rows = np.setdiff1d(np.arange(n_rows), part_row)
    if bad_rows.size:
        warnings.append(
            f"{source}: row(s) {format_rows(bad_rows)} have no usable line (empty, a point or "
            f"zero length) and are not in the road network. / {source}: dòng "
            f"{format_rows(bad_rows)} không có đường hợp lệ (rỗng, điểm hoặc dài 0), không đưa "
            "vào mạng đường."
        )
    if parts.size == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0, dtype=float)
        return RoadGraph(np.zeros((0, 2)), empty_i, empty_i, empty_f, empty_f,
                         np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, object), empty_i,
                         n_rows, tuple(warnings))

    # -- records: every vertex and every split point, as (part, measure along part, x, y) -----
    coords, cidx = shapely.get_coordinates(parts, return_index=True)
    seg = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    seg[cidx[1:] != cidx[:-1]] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    starts = np.r_[0, np.flatnonzero(cidx[1:] != cidx[:-1]) + 1]
    measure = cum - np.repeat(cum[starts], np.diff(np.r_[starts, len(cidx)]))
    rec_part = [cidx]
    rec_m = [measure]
    rec_xy = [coords]

    # crossings (X junctions) and collinear overlaps, found segment by segment in numpy
    sx_part, sx_xy = _segment_crossings(coords, cidx)
    if sx_part.size:
        rec_part.append(sx_part)
        rec_m.append(shapely.line_locate_point(parts[sx_part], shapely.points(sx_xy)))
        rec_xy.append(sx_xy)
    tree = shapely.STRtree(parts)
    # line ends on or near another line (T junctions, undershoots): split that line at the
    # projection of the end and join the two
    first = starts
    last = np.r_[starts[1:] - 1, len(cidx) - 1]
    end_rec = np.concatenate([first, last])  # record positions (in the vertex block)
    end_xy = coords[end_rec]
    end_pts = shapely.points(end_xy)
    union_a: list[np.ndarray] = []
    union_b_xy: list[np.ndarray] = []
    if snap_tolerance_m > 0:
        e, line = tree.query(end_pts, predicate="dwithin", distance=snap_tolerance_m)
    else:
        e, line = tree.query(end_pts, predicate="intersects")
    keep = cidx[end_rec[e]] != line
    # an end that is exactly an end of the other line is already a shared node
    for k in (first, last):
        keep &= np.any(np.round((end_xy[e] - coords[k[line]]) / NODE_GRID_M) != 0, axis=1)
    e, line = e[keep], line[keep]
    if e.size:
        m = shapely.line_locate_point(parts[line], end_pts[e])
        proj = shapely.get_coordinates(shapely.line_interpolate_point(parts[line], m))
        rec_part.append(line)
        rec_m.append(m)
        rec_xy.append(proj)
        union_a.append(end_xy[e])
        union_b_xy.append(proj)

    part_all = np.concatenate(rec_part)
    m_all = np.concatenate(rec_m)
    xy_all = np.concatenate(rec_xy)

    # -- nodes: identical coordinates (to 1 mm) are one node; snapped pairs are merged --------
    origin = xy_all.min(axis=0)
    key = _grid_key(xy_all, origin)
    ukey, first_rec, node0 = np.unique(key, return_index=True, return_inverse=True)
    node0 = node0.ravel()
    n0 = ukey.shape[0]
    if union_a:
        a = np.searchsorted(ukey, _grid_key(np.concatenate(union_a), origin))
        b = np.searchsorted(ukey, _grid_key(np.concatenate(union_b_xy), origin))
        adj = sparse.coo_array((np.ones(a.size), (a, b)), shape=(n0, n0))
        _, label = connected_components(adj, directed=False)
    else:
        label = np.arange(n0)
    node = label[node0]
    _, rep = np.unique(label, return_index=True)
    node_xy = xy_all[first_rec[rep]]

    # -- edges: consecutive records along each part -----------------------------------------
    order = np.lexsort((m_all, part_all))
    p_s, m_s, n_s = part_all[order], m_all[order], node[order]
    same = p_s[1:] == p_s[:-1]
    u = n_s[:-1][same]
    v = n_s[1:][same]
    length = (m_s[1:] - m_s[:-1])[same]
    epart = p_s[:-1][same]
    keep = u != v
    u, v, length, epart = u[keep], v[keep], length[keep], epart[keep]
    # drop exact duplicates (overlapping lines drawn twice), keep the shortest
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    k = lo.astype(np.int64) * len(node_xy) + hi
    order = np.lexsort((length, k))
    _, firstk = np.unique(k[order], return_index=True)
    sel = np.sort(order[firstk])
    u, v, length, epart = u[sel], v[sel], np.maximum(length[sel], 0.0), epart[sel]
    # compact node ids to the nodes used by edges
    used, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
    u, v = inv[: u.size], inv[u.size:]
    node_xy = node_xy[used]

    row = part_row[epart]
    rc_raw = _road_attribute(roads, "road_class")
    if rc_raw is None:
        road_class = np.full(n_rows, "other", dtype=object)
        warnings.append(
            f"{source}: no road_class column; every road costed as class 'other' (aerial). / "
            f"{source}: không có cột road_class; mọi đường tính như loại 'other' (treo)."
        )
    else:
        road_class = normalise_road_class(rc_raw.to_numpy())
        unknown = np.flatnonzero((road_class == "other")
                                 & ~rc_raw.astype(str).str.lower().eq("other").to_numpy())
        if unknown.size:
            warnings.append(
                f"{source}: road_class of row(s) {format_rows(unknown)} not recognised; costed "
                f"as 'other'. / {source}: road_class của dòng {format_rows(unknown)} không nhận "
                "ra; tính như 'other'."
            )
    planned_row = planned_flags(_road_attribute(roads, "planned_works"), n_rows)
    underground_row, vnd_row = edge_installation(road_class, planned_row, costs,
                                                 prefer_planned_works=prefer_planned_works)
    graph = RoadGraph(
        node_xy=node_xy,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        length_m=length.astype(float),
        vnd_per_m=vnd_row[row],
        underground=underground_row[row],
        planned=planned_row[row],
        road_class=road_class[row],
        road_row=row.astype(np.int64),
        n_road_rows=n_rows,
        warnings=tuple(warnings),
    )
    off = graph.disconnected_rows()
    if off.size:
        names = _road_attribute(roads, "name")
        label_txt = ""
        if names is not None:
            shown = [str(x) for x in names.iloc[off[:5]] if isinstance(x, str) and x]
            label_txt = f" ({', '.join(shown)})" if shown else ""
        n_comp = np.unique(graph.components).size
        msg = (
            f"{source}: {n_comp} separate road networks; row(s) {format_rows(off)}{label_txt} are "
            "not connected to the main network, so fiber cannot be routed to them along roads. / "
            f"{source}: {n_comp} mạng đường tách rời; dòng {format_rows(off)}{label_txt} không "
            "nối với mạng chính, không thể đi cáp theo đường tới đó."
        )
        object.__setattr__(graph, "warnings", (*graph.warnings, msg))
    return graph


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]


def _segment_crossings(coords: np.ndarray, cidx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points where segments of different lines cross or overlap, away from shared ends.

    Segments are the pieces between consecutive vertices; candidate pairs come from an STRtree
    of their bounding boxes, the intersection parameters from the usual 2-D cross products.
    Returns the line (part) index and the coordinates of each split point, once per line.
    """
    same = cidx[1:] == cidx[:-1]
    p0, p1, part = coords[:-1][same], coords[1:][same], cidx[:-1][same]
    if part.size < 2:
        return np.zeros(0, np.int64), np.zeros((0, 2))
    lo, hi = np.minimum(p0, p1), np.maximum(p0, p1)
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    i, j = shapely.STRtree(boxes).query(boxes)
    keep = (i < j) & (part[i] != part[j])
    i, j = i[keep], j[keep]
    p, r = p0[i], p1[i] - p0[i]
    q, sv = p0[j], p1[j] - p0[j]
    qp = q - p
    den = _cross(r, sv)
    tol = 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _cross(qp, sv) / den
        u = _cross(qp, r) / den
    proper = (np.abs(den) > tol * (np.hypot(*r.T) * np.hypot(*sv.T)))
    hit = proper & (t >= -tol) & (t <= 1 + tol) & (u >= -tol) & (u <= 1 + tol)
    t_end = (np.abs(t) <= tol) | (np.abs(t - 1) <= tol)
    u_end = (np.abs(u) <= tol) | (np.abs(u - 1) <= tol)
    hit &= ~(t_end & u_end)  # both at segment ends: a shared vertex already
    xy = p[hit] + t[hit, None] * r[hit]
    parts_out = [part[i][hit], part[j][hit]]
    xy_out = [xy, xy]
    # collinear overlaps: an end of one segment strictly inside the other
    col = ~proper & (np.abs(_cross(qp, r)) <= tol * np.maximum(np.hypot(*r.T) ** 2, 1.0))
    if col.any():
        rr = np.einsum("ij,ij->i", r, r)
        ss = np.einsum("ij,ij->i", sv, sv)
        for pt, base, d, dd, line in ((q, p, r, rr, part[i]), (q + sv, p, r, rr, part[i]),
                                      (p, q, sv, ss, part[j]), (p + r, q, sv, ss, part[j])):
            f = np.einsum("ij,ij->i", pt - base, d) / np.where(dd > 0, dd, 1.0)
            inside = col & (f > tol) & (f < 1 - tol)
            parts_out.append(line[inside])
            xy_out.append(pt[inside])
    return np.concatenate(parts_out), np.concatenate(xy_out)


def _grid_key(xy: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """One int64 key per point of the 1 mm grid: equal keys, equal coordinates (to 1 mm)."""
    k = np.round((xy - origin) / NODE_GRID_M).astype(np.int64)
    return k[:, 0] * np.int64(4_000_000_000) + k[:, 1]  # x extent < 2,300 km, y < 4,000 km


@dataclass(frozen=True)
class Attachment:
    """Where points were attached to a road graph.

    Attributes
    ----------
    graph
        The graph with the attached edges split at the projections (a new object).
    node
        Node of each point in :attr:`graph` (-1 for points without coordinates, or when the
        graph has no road at all).
    offroad_m
        Straight distance in metres from each point to its road (inf for -1 nodes).
    """

    graph: RoadGraph
    node: np.ndarray
    offroad_m: np.ndarray


def attach_points(graph: RoadGraph, xy: np.ndarray) -> Attachment:
    """Attach points to their nearest road edge, splitting the edge at the projection.

    Parameters
    ----------
    graph
        The road graph.
    xy
        (k, 2) point coordinates in the graph's CRS, metres.

    Returns
    -------
    Attachment
        The split graph (old node ids are kept; new nodes are appended), the node of every point
        and its straight off-road distance in metres.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    k = xy.shape[0]
    if graph.n_edges == 0 or k == 0:
        return Attachment(graph, np.full(k, -1, np.int64), np.full(k, np.inf))
    finite = np.isfinite(xy).all(axis=1)
    pts = shapely.points(np.where(finite[:, None], xy, 0.0))
    (pi, ei), dist = graph.tree.query_nearest(pts[finite], return_distance=True,
                                              all_matches=False)
    pi = np.flatnonzero(finite)[pi]
    edge = np.zeros(k, np.int64)
    off = np.full(k, np.inf)
    edge[pi] = ei
    off[pi] = dist
    matched = np.zeros(k, dtype=bool)
    matched[pi] = True
    seglen = shapely.length(graph.segments[edge])
    t = shapely.line_locate_point(graph.segments[edge], pts)
    frac = np.divide(t, seglen, out=np.zeros(k), where=seglen > 0)
    pos = np.clip(frac, 0.0, 1.0) * graph.length_m[edge]
    L = graph.length_m[edge]
    tol = NODE_GRID_M
    at_u = pos <= tol
    at_v = (L - pos) <= tol
    node = np.where(at_u, graph.edge_u[edge], graph.edge_v[edge]).astype(np.int64)
    node[~matched] = -1  # points without coordinates
    inner = ~(at_u | at_v) & matched
    if not inner.any():
        return Attachment(graph, node, off)
    # one new node per distinct (edge, position) of inner points
    e_in = edge[inner]
    p_in = np.round(pos[inner] / tol) * tol
    # (edge, position) as one int64 in the same order as the pairs (positions < 2**40 mm):
    # a 1-D unique, several times faster than np.unique(axis=0) on 600,000 points
    p_key = np.round(p_in / tol).astype(np.int64)
    shift = np.int64(1) << np.int64(40)
    ukey, inv = np.unique(e_in.astype(np.int64) * shift + p_key, return_inverse=True)
    ukeys = np.stack([ukey // shift, ukey % shift], axis=1)
    inv = inv.ravel()
    new_ids = graph.n_nodes + np.arange(ukeys.shape[0])
    node[np.flatnonzero(inner)] = new_ids[inv]
    u_edge = ukeys[:, 0]
    u_pos = ukeys[:, 1] * tol
    # coordinates of new nodes: along the straight edge segment
    f = u_pos / graph.length_m[u_edge]
    a = graph.node_xy[graph.edge_u[u_edge]]
    b = graph.node_xy[graph.edge_v[u_edge]]
    new_xy = a + (b - a) * f[:, None]
    # split: chain (u, new nodes sorted by position, v) for every affected edge
    aff = np.unique(u_edge)
    r_edge = np.concatenate([aff, aff, u_edge])
    r_pos = np.concatenate([np.zeros(aff.size), graph.length_m[aff], u_pos])
    r_node = np.concatenate([graph.edge_u[aff], graph.edge_v[aff], new_ids])
    order = np.lexsort((r_pos, r_edge))
    r_edge, r_pos, r_node = r_edge[order], r_pos[order], r_node[order]
    same = r_edge[1:] == r_edge[:-1]
    src = r_edge[:-1][same]
    nu, nv = r_node[:-1][same], r_node[1:][same]
    nlen = (r_pos[1:] - r_pos[:-1])[same]
    keep = np.ones(graph.n_edges, dtype=bool)
    keep[aff] = False
    old = np.flatnonzero(keep)
    parent = np.concatenate([old, src])

    def cat(arr: np.ndarray, new: np.ndarray | None = None) -> np.ndarray:
        return np.concatenate([arr[old], arr[src] if new is None else new])

    split = RoadGraph(
        node_xy=np.vstack([graph.node_xy, new_xy]),
        edge_u=cat(graph.edge_u, nu),
        edge_v=cat(graph.edge_v, nv),
        length_m=cat(graph.length_m, nlen),
        vnd_per_m=graph.vnd_per_m[parent],
        underground=graph.underground[parent],
        planned=graph.planned[parent],
        road_class=graph.road_class[parent],
        road_row=graph.road_row[parent],
        n_road_rows=graph.n_road_rows,
        warnings=graph.warnings,
    )
    return Attachment(split, node, off)


def multi_source_distance(
    graph: RoadGraph,
    source_node: np.ndarray,
    source_offset: np.ndarray | None = None,
    *,
    weight: str = "length",
    limit: float = np.inf,
) -> np.ndarray:
    """Distance from the nearest source to every node, in one Dijkstra search.

    A virtual super-source is joined to every source node by a one-way edge weighted by the
    source's offset (e.g. its off-road distance), so the result is
    ``min over sources s of (offset_s + d(s, node))``, not one search per source.

    Parameters
    ----------
    graph
        The road graph.
    source_node
        Node ids of the sources (-1 entries are ignored).
    source_offset
        Distance already travelled at each source (metres, or VND for ``weight="cost"``);
        zeros when not given.
    weight
        ``"length"`` (metres) or ``"cost"`` (VND).
    limit
        Stop the search beyond this distance (nodes farther away get inf).

    Returns
    -------
    numpy.ndarray
        (n_nodes,) distances; inf where no source is reachable.
    """
    source_node = np.asarray(source_node, dtype=np.int64)
    offset = (np.zeros(source_node.size) if source_offset is None
              else np.asarray(source_offset, dtype=float))
    ok = (source_node >= 0) & np.isfinite(offset)
    source_node, offset = source_node[ok], offset[ok]
    n = graph.n_nodes
    if n == 0 or source_node.size == 0:
        return np.full(n, np.inf)
    best = np.full(n, np.inf)
    np.minimum.at(best, source_node, offset)
    src = np.flatnonzero(np.isfinite(best))
    m = graph.csr(weight, extra_nodes=1).tocoo()
    rows = np.concatenate([m.row, np.full(src.size, n)])
    cols = np.concatenate([m.col, src])
    data = np.concatenate([m.data, np.maximum(best[src], EPS_WEIGHT)])
    full = sparse.csr_array((data, (rows, cols)), shape=(n + 1, n + 1))
    dist = dijkstra(full, directed=True, indices=n, limit=limit)
    return np.asarray(dist[:n], dtype=float)
