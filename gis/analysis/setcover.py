"""Set cover and maximal covering: the numeric core of new-tower siting.

A boolean matrix ``cover`` (candidates × demands) says which candidate location covers which demand
(a hamlet). Two problems, each solved exactly with HiGHS through :func:`scipy.optimize.milp` and by a
greedy heuristic for instances too large for the exact solver:

*Set cover* (fewest towers covering every coverable hamlet; Toregas et al. 1971 LSCP):

.. math::

    \\min \\sum_i c_i x_i \\quad \\text{s.t.} \\quad \\sum_i a_{ij} x_i \\ge 1 \\;\\forall j
    \\text{ coverable}, \\quad x_i \\in \\{0, 1\\}

The greedy heuristic (Chvátal 1979) picks the candidate with the lowest cost per newly covered
demand; its cost is within :math:`H(s) = \\sum_{k=1}^{s} 1/k` of the optimum, where :math:`s` is the
largest number of demands one candidate covers.

*Maximal covering* (most population with ``k`` towers; Church & ReVelle 1974 MCLP):

.. math::

    \\max \\sum_j w_j y_j \\quad \\text{s.t.} \\quad y_j \\le \\sum_i a_{ij} x_i, \\quad
    \\sum_i x_i \\le k, \\quad x_i, y_j \\in \\{0, 1\\}

whose greedy solution reaches at least :math:`1 - 1/e` of the optimum (Nemhauser et al. 1978).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.optimize import Bounds, LinearConstraint, milp

from gis.errors import InfeasibleError

__all__ = ["CoverSolution", "greedy_bound", "max_coverage", "set_cover"]


@dataclass(frozen=True)
class CoverSolution:
    """A solution: the chosen candidates and what they cover.

    Attributes
    ----------
    chosen
        Indices of the chosen candidates, in the order the solver ranks them (greedy order; for
        the exact solver, by demands covered).
    covered
        Boolean mask over demands: covered by at least one chosen candidate.
    uncoverable
        Indices of demands no candidate can cover at all.
    method
        ``"exact"`` (HiGHS optimum) or ``"greedy"``.
    objective
        Total cost (set cover) or total covered weight (maximal covering).
    """

    chosen: np.ndarray
    covered: np.ndarray
    uncoverable: np.ndarray
    method: str
    objective: float


def _as_csr(cover) -> sp.csr_matrix:
    return sp.csr_matrix(cover, dtype=np.float64)


def greedy_bound(cover) -> float:
    """Chvátal's approximation factor :math:`H(s)` of the greedy set cover for this matrix."""
    s = int(np.asarray(_as_csr(cover).sum(axis=1)).max(initial=0))
    return float(np.sum(1.0 / np.arange(1, s + 1))) if s else 1.0


@njit(cache=True, nogil=True)
def _greedy_kernel(indptr, indices, t_indptr, t_indices, t_data, cost, weight, need, gain,
                   k: int, out_chosen) -> int:
    """Greedy selection on CSR rows (candidate -> demands) and CSC columns (demand ->
    candidates); writes the chosen candidates into ``out_chosen`` and returns how many.

    Each step takes the candidate of highest ``gain / cost`` among those with a positive gain
    (the first on ties, as ``numpy.argmax``), marks its demands covered and removes their
    weight from every candidate covering them, summed per candidate in the order of scipy's
    CSC product so that the float gains are the same to the bit. ``need`` and ``gain`` are
    updated in place; ``k < 0`` means no limit on the number chosen.
    """
    n_cand = gain.shape[0]
    remaining = 0
    for j in range(need.shape[0]):
        if need[j]:
            remaining += 1
    delta = np.zeros(n_cand)
    marked = np.zeros(n_cand, np.bool_)
    touched = np.empty(n_cand, np.int64)
    n_chosen = 0
    while remaining > 0 and (k < 0 or n_chosen < k):
        best = -1
        best_score = -np.inf
        for i in range(n_cand):
            if gain[i] > 0.0:
                score = gain[i] / cost[i]
                if score > best_score or best < 0:
                    best_score = score
                    best = i
        if best < 0 or not np.isfinite(best_score):
            break
        out_chosen[n_chosen] = best
        n_chosen += 1
        n_touched = 0
        for p in range(indptr[best], indptr[best + 1]):
            j = indices[p]
            if not need[j]:
                continue
            need[j] = False
            remaining -= 1
            for q in range(t_indptr[j], t_indptr[j + 1]):
                i = t_indices[q]
                if not marked[i]:
                    marked[i] = True
                    touched[n_touched] = i
                    n_touched += 1
                delta[i] += t_data[q] * weight[j]
        for m in range(n_touched):
            i = touched[m]
            gain[i] -= delta[i]
            delta[i] = 0.0
            marked[i] = False
        gain[best] = 0.0
    return n_chosen


def _greedy(a: sp.csr_matrix, cost: np.ndarray, weight: np.ndarray, k: int | None,
            need: np.ndarray) -> list[int]:
    """Greedy selection; ``need`` marks demands still to cover (:func:`_greedy_kernel`, whose
    steps cost one pass over the candidates: a few ms at country size, 368,000 candidates)."""
    a = sp.csr_matrix(a, dtype=np.float64)
    a.sort_indices()
    a_csc = a.tocsc()
    a_csc.sort_indices()
    w = np.ascontiguousarray(weight, dtype=np.float64)
    gain = np.ascontiguousarray(np.asarray(a @ (w * need)).ravel(), dtype=np.float64)
    limit = a.shape[0] if k is None else max(0, min(int(k), a.shape[0]))
    out = np.empty(max(limit, 1), np.int64)
    n = _greedy_kernel(a.indptr.astype(np.int64), a.indices.astype(np.int64),
                       a_csc.indptr.astype(np.int64), a_csc.indices.astype(np.int64),
                       a_csc.data, np.ascontiguousarray(cost, dtype=np.float64), w,
                       np.ascontiguousarray(need, dtype=np.bool_), gain,
                       -1 if k is None else limit, out)
    return [int(i) for i in out[:n]]


def set_cover(cover, *, cost=None, max_exact: int = 5000,
              time_limit_s: float = 60.0) -> CoverSolution:
    """Fewest (cheapest) candidates covering every coverable demand.

    Parameters
    ----------
    cover
        Boolean (candidates × demands) matrix, dense or scipy sparse.
    cost
        Cost per candidate (e.g. VND); 1 for each when not given (fewest towers).
    max_exact
        Instances with more candidates than this use the greedy heuristic.
    time_limit_s
        Time limit of the exact solver, in seconds; on time-out the greedy answer is used.
    """
    a = _as_csr(cover)
    n_cand, n_dem = a.shape
    cost = np.ones(n_cand) if cost is None else np.asarray(cost, dtype=float)
    coverable = np.asarray(a.sum(axis=0)).ravel() > 0
    uncoverable = np.flatnonzero(~coverable)
    method = "greedy"
    chosen: list[int] = []
    if coverable.any() and n_cand <= max_exact:
        at = a[:, coverable].T.tocsr()
        res = milp(c=cost, constraints=LinearConstraint(at, lb=1, ub=np.inf),
                   integrality=np.ones(n_cand), bounds=Bounds(0, 1),
                   options={"time_limit": time_limit_s})
        if res.status == 0 and res.x is not None:
            chosen = list(np.flatnonzero(res.x > 0.5))
            method = "exact"
    if method == "greedy" and coverable.any():
        chosen = _greedy(a, cost, np.ones(n_dem), None, coverable.copy())
    chosen_arr = np.asarray(chosen, dtype=np.int64)
    covered = np.asarray(a[chosen_arr].sum(axis=0)).ravel() > 0 if len(chosen_arr) else (
        np.zeros(n_dem, dtype=bool))
    if len(chosen_arr):
        chosen_arr = chosen_arr[np.argsort(-np.asarray(a[chosen_arr].sum(axis=1)).ravel(),
                                           kind="stable")] if method == "exact" else chosen_arr
    if not np.array_equal(covered, coverable):
        raise InfeasibleError("The set-cover solution does not cover every coverable hamlet.",
                              "Lời giải phủ tập không phủ hết các thôn có thể phủ.")
    return CoverSolution(chosen_arr, covered, uncoverable, method,
                         float(cost[chosen_arr].sum()))


def max_coverage(cover, weight, k: int, *, max_exact: int = 5000,
                 time_limit_s: float = 60.0) -> CoverSolution:
    """At most ``k`` candidates covering the largest total ``weight`` (e.g. population).

    Parameters
    ----------
    cover
        Boolean (candidates × demands) matrix.
    weight
        Weight per demand (people), non-negative.
    k
        Number of candidates allowed (towers to build).
    """
    a = _as_csr(cover)
    n_cand, n_dem = a.shape
    w = np.asarray(weight, dtype=float)
    coverable = np.asarray(a.sum(axis=0)).ravel() > 0
    uncoverable = np.flatnonzero(~coverable)
    method = "greedy"
    chosen: list[int] = []
    if n_cand <= max_exact and coverable.any() and k > 0:
        # Variables: x (n_cand) then y (n_dem). y_j - sum_i a_ij x_i <= 0; sum x <= k.
        link = sp.hstack([-a.T, sp.identity(n_dem)]).tocsr()
        budget = sp.hstack([sp.csr_matrix(np.ones((1, n_cand))), sp.csr_matrix((1, n_dem))])
        res = milp(c=np.concatenate([np.zeros(n_cand), -w]),
                   constraints=[LinearConstraint(link, -np.inf, 0),
                                LinearConstraint(budget, 0, k)],
                   integrality=np.concatenate([np.ones(n_cand), np.zeros(n_dem)]),
                   bounds=Bounds(0, 1), options={"time_limit": time_limit_s})
        if res.status == 0 and res.x is not None:
            chosen = list(np.flatnonzero(res.x[:n_cand] > 0.5))
            method = "exact"
    if method == "greedy":
        chosen = _greedy(a, np.ones(n_cand), w, k, coverable & (w > 0))
    chosen_arr = np.asarray(chosen, dtype=np.int64)
    covered = (np.asarray(a[chosen_arr].sum(axis=0)).ravel() > 0 if len(chosen_arr)
               else np.zeros(n_dem, dtype=bool))
    return CoverSolution(chosen_arr, covered, uncoverable, method, float(w[covered].sum()))
