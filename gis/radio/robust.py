"""Robust linear regression (Huber's M-estimator by IRLS) and seeded k-fold assignment.

Used by :mod:`gis.radio.calibration` to fit an offset and a distance slope to the engine's
errors at measurement points. The model is linear in its two parameters, so iteratively
reweighted least squares solves Huber's estimating equations exactly, with the scale estimated
alongside (scipy's ``least_squares(loss="huber")`` needs the scale fixed beforehand, and gives no
weights for the covariance); the tests check the result against ``least_squares`` at the final
scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HuberFit", "fold_ids", "huber_fit"]

#: MAD of a standard normal: ``median(|Z|) = 0.6745``, so that ``MAD / 0.6745`` estimates the
#: standard deviation of Gaussian errors.
_MAD_NORMAL = 0.6744897501960817


@dataclass(frozen=True)
class HuberFit:
    """A Huber regression ``y ≈ X β``.

    Attributes
    ----------
    coef
        ``β``, shape ``(p,)``.
    cov
        Covariance of ``β`` (``(p, p)``), Huber's H1 sandwich form.
    scale
        The robust scale ``s`` of the residuals (MAD / 0.6745), in the units of ``y``.
    weights
        Final IRLS weights ``min(1, k / |r / s|)`` of the points (1 = inlier).
    n_iter, converged
        IRLS iterations run and whether they met the tolerance.
    """

    coef: np.ndarray
    cov: np.ndarray
    scale: float
    weights: np.ndarray
    n_iter: int
    converged: bool

    @property
    def se(self) -> np.ndarray:
        """Standard errors of ``β``."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


def _mad_scale(r: np.ndarray) -> float:
    """``median(|r|) / 0.6745``, the scale statsmodels' RLM re-estimates at each step."""
    return float(np.median(np.abs(r)) / _MAD_NORMAL)


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    return np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]


def huber_fit(X: np.ndarray, y: np.ndarray, *, k: float = 1.345, max_iter: int = 100,
              tol: float = 1e-10) -> HuberFit:
    r"""Huber M-estimate of ``β`` in ``y = X β + ε`` by iteratively reweighted least squares.

    Starting from ordinary least squares, each step estimates the scale
    ``s = median(|r|) / 0.6745`` of the residuals ``r = y - X β`` and solves weighted least
    squares with the Huber weights ``w = min(1, k / |r / s|)``, until ``β`` changes by less than
    ``tol`` (relative). At the solution ``Σ ψ(r_i / s) x_i = 0`` with ``ψ(u) = clip(u, -k, k)``,
    i.e. ``β`` minimises ``Σ ρ_k(r_i / s)`` (Huber 1964) at the final ``s``.

    The covariance is Huber's H1 form (Huber 1981, Robust Statistics, section 7.6; the default of
    statsmodels' RLM):

    .. math::

        \mathrm{Cov}(β) = K^2 \frac{\frac{1}{n-p} Σ ψ(u_i)^2}{\left(\frac{1}{n} Σ ψ'(u_i)
        \right)^2} s^2 (X^T X)^{-1}, \quad
        K = 1 + \frac{p}{n} \frac{\mathrm{Var}(ψ')}{\overline{ψ'}^2}

    Parameters
    ----------
    X
        Design matrix ``(n, p)`` (a column of ones for an intercept).
    y
        Observations ``(n,)``.
    k
        Huber's constant in scale units (1.345: 95 % efficiency at the normal).
    max_iter, tol
        IRLS stopping rule.

    Returns
    -------
    HuberFit
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = X.shape
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    s = _mad_scale(y - X @ beta)
    w = np.ones(n)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        r = y - X @ beta
        s = _mad_scale(r)
        if s <= 0.0:  # an exact fit of at least half of the points
            converged = True
            break
        u = np.abs(r) / s
        w = np.where(u <= k, 1.0, k / np.maximum(u, 1e-300))
        new = _wls(X, y, w)
        step = float(np.max(np.abs(new - beta)))
        beta = new
        if step <= tol * (1.0 + float(np.max(np.abs(beta)))):
            converged = True
            break
    r = y - X @ beta
    s = _mad_scale(r) if s > 0 else 0.0
    if s > 0:
        u = r / s
        w = np.where(np.abs(u) <= k, 1.0, k / np.maximum(np.abs(u), 1e-300))
        psi = np.clip(u, -k, k)
        dpsi = (np.abs(u) <= k).astype(float)
        m = float(dpsi.mean())
        kk = 1.0 + p / n * float(dpsi.var()) / m ** 2
        xtx_inv = np.linalg.pinv(X.T @ X)
        cov = kk ** 2 * (float(np.sum(psi ** 2)) / max(n - p, 1)) / m ** 2 * s ** 2 * xtx_inv
    else:
        cov = np.zeros((p, p))
    return HuberFit(coef=beta, cov=cov, scale=s, weights=w, n_iter=it, converged=converged)


def fold_ids(n: int, k: int, seed: int) -> np.ndarray:
    """Fold of each of ``n`` points for ``k``-fold cross-validation: a seeded random
    permutation dealt round-robin, so fold sizes differ by at most one.

    >>> np.bincount(fold_ids(12, 5, seed=1)).tolist()
    [3, 3, 2, 2, 2]
    """
    order = np.random.default_rng(seed).permutation(n)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) % k
    return out
