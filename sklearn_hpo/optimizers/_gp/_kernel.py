"""The Matern 5/2 kernel with one length scale per group of input columns.

A *group* is one search-space column: a real or integer column is a group of
one encoded feature, a categorical column is the group of its one-hot
features, so all choices of a categorical share one length scale (automatic
relevance determination per parameter, Rasmussen & Williams 2006, ch. 5.1).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "group_sqdists",
    "matern52",
    "matern52_and_derivative",
    "matern52_d_sqdist",
    "scaled_sqdist",
]

_SQRT5 = np.sqrt(5.0)


def matern52(d2: np.ndarray) -> np.ndarray:
    """Matern 5/2 correlation of squared scaled distances ``d2``.

    ``k(r) = (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)`` with ``r^2 = d2``.
    """
    r = _SQRT5 * np.sqrt(d2)
    return (1.0 + r + r * r / 3.0) * np.exp(-r)


def matern52_d_sqdist(d2: np.ndarray) -> np.ndarray:
    """Derivative of :func:`matern52` with respect to ``d2`` (finite at 0)."""
    r = _SQRT5 * np.sqrt(d2)
    return (-5.0 / 6.0) * (1.0 + r) * np.exp(-r)


def matern52_and_derivative(d2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`matern52` and :func:`matern52_d_sqdist` sharing one exp."""
    r = np.sqrt(5.0 * d2)
    e = np.exp(-r)
    return (1.0 + r + r * r / 3.0) * e, (-5.0 / 6.0) * (1.0 + r) * e


def scaled_sqdist(A: np.ndarray, B: np.ndarray, inv_ls: np.ndarray) -> np.ndarray:
    """Squared distances between rows of ``A`` and ``B`` divided per feature by
    the length scale (``inv_ls`` is one over the length scale of each feature).
    """
    As = A * inv_ls
    Bs = B * inv_ls
    d2 = (
        np.einsum("ij,ij->i", As, As)[:, None]
        + np.einsum("ij,ij->i", Bs, Bs)[None, :]
        - 2.0 * As @ Bs.T
    )
    return np.maximum(d2, 0.0)


def group_sqdists(X: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Unscaled squared distances of the training rows, per group.

    Returns an array of shape ``(n_groups, n, n)``; the scaled squared distance
    for length scales ``ls`` is ``sum_g G[g] / ls[g] ** 2``, and its derivative
    with respect to ``log ls[g]`` is ``-2 G[g] / ls[g] ** 2``.
    """
    n = len(X)
    G = np.zeros((n_groups, n, n))
    for g in range(n_groups):
        Xg = X[:, groups == g]
        sq = np.einsum("ij,ij->i", Xg, Xg)
        G[g] = np.maximum(sq[:, None] + sq[None, :] - 2.0 * Xg @ Xg.T, 0.0)
    return G
