import itertools

import numpy as np
import pytest

from gis.analysis.setcover import greedy_bound, max_coverage, set_cover


def _brute_force_min_cover(a):
    n = a.shape[0]
    need = a.any(axis=0)
    for size in range(1, n + 1):
        for combo in itertools.combinations(range(n), size):
            if np.array_equal(a[list(combo)].any(axis=0), need):
                return size
    return 0


def test_known_optimum_where_greedy_is_fooled():
    # The classic instance: greedy picks the big middle set first and then needs both halves
    # (3 sets); the optimum is the two halves (2 sets).
    top = [1, 1, 1, 1, 0, 0, 0, 0]
    bottom = [0, 0, 0, 0, 1, 1, 1, 1]
    middle = [0, 1, 1, 1, 1, 1, 1, 0]
    a = np.array([middle, top, bottom], dtype=bool)
    exact = set_cover(a)
    assert exact.method == "exact"
    assert sorted(exact.chosen) == [1, 2]
    greedy = set_cover(a, max_exact=0)
    assert greedy.method == "greedy"
    assert len(greedy.chosen) == 3
    assert len(greedy.chosen) <= greedy_bound(a) * len(exact.chosen)


def test_uncoverable_demands_are_reported_not_forced():
    a = np.array([[1, 0, 0], [1, 1, 0]], dtype=bool)
    sol = set_cover(a)
    assert list(sol.uncoverable) == [2]
    assert list(sol.chosen) == [1]
    assert list(sol.covered) == [True, True, False]


def test_random_instances_exact_is_optimal_and_greedy_within_bound():
    rng = np.random.default_rng(42)
    for _ in range(20):
        a = rng.random((9, 14)) < 0.25
        exact = set_cover(a)
        assert len(exact.chosen) == _brute_force_min_cover(a)
        greedy = set_cover(a, max_exact=0)
        assert np.array_equal(greedy.covered, exact.covered)
        assert len(greedy.chosen) <= greedy_bound(a) * len(exact.chosen) + 1e-9


def test_costs_change_the_choice():
    a = np.array([[1, 1], [1, 0], [0, 1]], dtype=bool)
    assert list(set_cover(a).chosen) == [0]
    assert sorted(set_cover(a, cost=[5.0, 1.0, 1.0]).chosen) == [1, 2]


def test_max_coverage_by_hand():
    # Population 100, 60, 50, 40; candidate 0 covers 0+1 (160), 1 covers 1+2+3 (150),
    # 2 covers 2+3 (90). With k=1 the best is candidate 0 (160); with k=2, 250 (all).
    a = np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 1, 1]], dtype=bool)
    w = [100, 60, 50, 40]
    assert max_coverage(a, w, 1).objective == 160
    two = max_coverage(a, w, 2)
    assert two.objective == 250   # {0, 1} and {0, 2} both reach every hamlet
    assert 0 in two.chosen and len(two.chosen) == 2
    greedy = max_coverage(a, w, 2, max_exact=0)
    assert greedy.objective >= (1 - 1 / np.e) * 250


@pytest.mark.parametrize("shape", [(0, 5), (4, 0)])
def test_empty_instances(shape):
    sol = set_cover(np.zeros(shape, dtype=bool))
    assert len(sol.chosen) == 0


def _numpy_greedy(a, cost, weight, k, need):
    """The reference greedy (the first version's numpy loop): best gain per cost, first on
    ties; the weight of newly covered demands removed from every candidate covering them."""
    import scipy.sparse as sp

    a = sp.csr_matrix(a, dtype=float)
    a.sort_indices()
    a_csc = a.tocsc()
    gain = np.asarray(a @ (weight * need)).ravel()
    chosen, need = [], need.copy()
    while need.any() and (k is None or len(chosen) < k):
        score = np.where(gain > 0, gain / cost, -np.inf)
        best = int(np.argmax(score))
        if not np.isfinite(score[best]):
            break
        chosen.append(best)
        row = a.indices[a.indptr[best]:a.indptr[best + 1]]
        newly = row[need[row]]
        need[newly] = False
        gain -= np.asarray(a_csc[:, newly] @ weight[newly]).ravel()
        gain[best] = 0.0
    return chosen


@pytest.mark.parametrize("seed", range(6))
def test_greedy_kernel_takes_the_same_steps_as_the_numpy_reference(seed):
    import scipy.sparse as sp

    from gis.analysis.setcover import _greedy

    rng = np.random.default_rng(seed)
    a = sp.random(300, 500, density=0.02, random_state=seed, format="csr") > 0
    cost = rng.uniform(0.5, 3.0, 300)
    weight = rng.uniform(0.0, 50.0, 500).round(3)  # fractional: float sums must agree too
    need = np.asarray(a.sum(axis=0)).ravel() > 0
    for k in (None, 1, 25):
        want = _numpy_greedy(a, cost, weight, k, need)
        assert _greedy(a, cost, weight, k, need.copy()) == want
        assert len(want) > (1 if k is None else 0)
    assert _greedy(a, np.ones(300), np.ones(500), None, need.copy()) == _numpy_greedy(
        a, np.ones(300), np.ones(500), None, need)
