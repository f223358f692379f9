"""Physical tower positions from the site layer, and the BTS site-sharing rate.

Several rows of the site layer can stand on one tower: the sectors of one site, and the sites of
different operators that share the tower. A *position* is one physical tower or rooftop. Rows with
the same explicit ``position_id`` are one position whatever their distance; otherwise rows closer
than ``colocation_distance_m`` are chained into one position (single linkage), except that two
different explicit ids are never merged.

The sharing rate (tỷ lệ dùng chung vị trí BTS, DOMAIN.md section 1, rule [U] made explicit):

.. math::

    r_\\text{positions} = \\frac{\\#\\{p : n_\\text{operators}(p) \\ge 2\\}}{\\#\\{p\\}}

and the tenancy variant, the share of operator sites (one operator on one position) that stand on a
shared position:

.. math::

    r_\\text{tenancies} = \\frac{\\sum_{p\\,\\text{shared}} n_\\text{operators}(p)}
                               {\\sum_p n_\\text{operators}(p)}
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

__all__ = [ "sharing_rates", "site_positions"]


def _explicit_ids(sites: gpd.GeoDataFrame) -> np.ndarray:
    if "position_id" not in sites:
        return np.full(len(sites), None, dtype=object)
    ids = sites["position_id"].astype("string")
    ids = ids.where(ids.str.strip().ne(""), None)
    return ids.to_numpy(dtype=object, na_value=None)


def site_positions(
    sites: gpd.GeoDataFrame, *, colocation_distance_m: float = 30.0
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Group site rows into physical positions.

    Parameters
    ----------
    sites
        Canonical site layer (points, metric CRS) with ``operator`` and optionally ``position_id``
        and ``height_m``.
    colocation_distance_m
        Rows closer than this (metres) are chained into one position.

    Returns
    -------
    positions
        One row per position, in the sites' CRS: ``position_id``, ``operators`` (sorted, ``/``
        joined), ``n_operators``, ``shared`` (two or more operators), ``n_sites`` (rows),
        ``height_m`` (tallest known), geometry (mean of the member points).
    membership
        For each site row, the integer index of its position in ``positions``.
    """
    n = len(sites)
    if n == 0:
        empty = gpd.GeoDataFrame(
            {"position_id": [], "operators": [], "n_operators": [], "shared": [], "n_sites": [],
             "height_m": []}, geometry=[], crs=sites.crs)
        return empty, np.zeros(0, dtype=np.int64)
    xy = shapely.get_coordinates(sites.geometry.values)
    explicit = _explicit_ids(sites)
    # Edges: pairs within the distance, unless both carry different explicit ids ...
    pairs = cKDTree(xy).query_pairs(colocation_distance_m, output_type="ndarray")
    if len(pairs):
        a, b = explicit[pairs[:, 0]], explicit[pairs[:, 1]]
        keep = np.array([x is None or y is None or x == y for x, y in zip(a, b, strict=True)],
                        dtype=bool)
        pairs = pairs[keep]
    # ... and rows sharing an explicit id, chained to the first row carrying it.
    has_id = np.array([e is not None for e in explicit])
    codes, _ = pd.factorize(pd.Series(explicit[has_id], dtype="string"))
    rows_with_id = np.flatnonzero(has_id)
    first_rows = pd.Series(rows_with_id).groupby(codes).transform("first").to_numpy()
    id_pairs = np.column_stack([rows_with_id, first_rows]).reshape(-1, 2)
    edges = np.vstack([pairs.reshape(-1, 2), id_pairs]).astype(np.int64)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Positions numbered in order of their first row, so the output is stable.
    order = pd.unique(labels)
    remap = np.empty(labels.max() + 1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    membership = remap[labels]

    frame = pd.DataFrame({"pos": membership, "x": xy[:, 0], "y": xy[:, 1],
                          "operator": sites["operator"].astype("string").fillna("?").to_numpy(),
                          "explicit": explicit})
    frame["height_m"] = sites["height_m"].to_numpy(float) if "height_m" in sites else np.nan
    grouped = frame.groupby("pos", sort=True)
    operators = grouped["operator"].agg(lambda s: "/".join(sorted(set(s))))
    n_ops = grouped["operator"].nunique()
    explicit_id = grouped["explicit"].agg(lambda s: next((v for v in s if v is not None), None))
    pos_ids = [str(e) if not pd.isna(e) else f"P{i + 1:05d}" for i, e in enumerate(explicit_id)]
    positions = gpd.GeoDataFrame(
        {
            "position_id": pos_ids,
            "operators": operators.to_numpy(),
            "n_operators": n_ops.to_numpy(),
            "shared": (n_ops >= 2).to_numpy(),
            "n_sites": grouped.size().to_numpy(),
            "height_m": grouped["height_m"].max().to_numpy(),
        },
        geometry=shapely.points(grouped["x"].mean().to_numpy(), grouped["y"].mean().to_numpy()),
        crs=sites.crs,
    )
    return positions, membership


def sharing_rates(positions: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The site-sharing rates, for the whole area or per group (e.g. ``by="commune"``).

    Returns a DataFrame with ``positions``, ``shared_positions``, ``sharing_rate`` (0-1, positions
    used by two or more operators over all positions), ``tenancies`` and ``tenancy_sharing_rate``
    (share of operator sites on shared positions); one row per group, or one row named ``"all"``.
    """
    frame = pd.DataFrame({
        "group": positions[by].fillna("?").to_numpy() if by else "all",
        "shared": positions["shared"].to_numpy(bool),
        "n_operators": positions["n_operators"].to_numpy(int),
    })
    frame["shared_tenancies"] = np.where(frame["shared"], frame["n_operators"], 0)
    g = frame.groupby("group", sort=True)
    out = pd.DataFrame({
        "positions": g.size(),
        "shared_positions": g["shared"].sum(),
        "tenancies": g["n_operators"].sum(),
        "shared_tenancies": g["shared_tenancies"].sum(),
    })
    out["sharing_rate"] = out["shared_positions"] / out["positions"]
    out["tenancy_sharing_rate"] = out["shared_tenancies"] / out["tenancies"]
    out.index.name = by or "scope"
    return out.reset_index()
