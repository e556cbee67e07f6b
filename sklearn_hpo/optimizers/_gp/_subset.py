"""Which observations a Gaussian process is conditioned on when they are many.

An exact GP costs O(n^3) per likelihood evaluation and O(n^2) per predicted
point, so past a few hundred observations a proposal takes seconds. Beyond
``size`` observations the model is conditioned on a subset of ``size`` rows
(a "subset of data" approximation, Rasmussen & Williams 2006, ch. 8.3.1)
chosen for what a proposal needs:

- the best half, where the acquisition is maximised (its candidates are
  mostly perturbations of the best observations) and where the model must be
  accurate;
- the latest observations, so that the model learns from its own last
  proposals and does not propose again next to a point it has just seen
  fail;
- a space-filling share of the others (greedy farthest-point selection),
  which tells the model where the poor regions are, so that it does not
  predict high values, with little uncertainty, far from the data.

The choice is deterministic (no random numbers are drawn), so it is the same
from one ask to the next unless the data change.
"""

from __future__ import annotations

import numpy as np

__all__ = ["model_subset"]

# Shares of the subset: the best observations and the latest ones; the rest
# is space-filling.
_BEST_SHARE = 0.5
_RECENT_SHARE = 0.1


def model_subset(
    Z: np.ndarray,
    y: np.ndarray,
    size: int,
    inv_ls: np.ndarray | None = None,
) -> np.ndarray | None:
    """Indices (sorted) of at most ``size`` rows to condition a GP on.

    Parameters
    ----------
    Z : ndarray of shape (n, n_features)
        Encoded observations, in the order they were told.
    y : ndarray of shape (n,)
        Their scores (higher is better, all finite).
    size : int
        Number of rows to keep.
    inv_ls : ndarray of shape (n_features,), optional
        One over the length scale of each feature; distances of the
        space-filling share are measured in these units (a feature the model
        finds irrelevant then does not spread the subset), unscaled if None.

    Returns
    -------
    ndarray of int or None
        None when ``n <= size`` (every row is used).
    """
    n = len(y)
    if n <= size:
        return None
    chosen = np.zeros(n, dtype=bool)
    n_best = max(1, int(size * _BEST_SHARE))
    chosen[np.argsort(-y, kind="stable")[:n_best]] = True
    n_recent = int(size * _RECENT_SHARE)
    if n_recent:
        chosen[n - n_recent :] = True
    Zs = Z if inv_ls is None else Z * inv_ls
    # Squared distance of every row to its nearest chosen row; chosen rows
    # get -1 so that they are never picked again.
    sq = np.einsum("ij,ij->i", Zs, Zs)
    C = Zs[chosen]
    nearest = np.full(n, np.inf)
    for start in range(0, len(C), 256):  # bounded memory
        block = C[start : start + 256]
        d2 = sq[:, None] + np.einsum("ij,ij->i", block, block)[None, :]
        d2 -= 2.0 * Zs @ block.T
        nearest = np.minimum(nearest, d2.min(axis=1))
    nearest[chosen] = -1.0
    for _ in range(size - int(chosen.sum())):
        j = int(np.argmax(nearest))
        chosen[j] = True
        d2 = sq + sq[j] - 2.0 * Zs @ Zs[j]
        nearest = np.minimum(nearest, d2)
        nearest[chosen] = -1.0
    return np.flatnonzero(chosen)
