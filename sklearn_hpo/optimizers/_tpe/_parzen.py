"""Parzen estimators (kernel density estimators) on the unit cube.

One :class:`ParzenEstimator` models one group of observations (TPE's "good"
group ``l(x)`` or "bad" group ``g(x)``) over a set of unit-cube columns. It is a
mixture of one kernel per observation plus one prior component:

- continuous (real and integer) columns use Gaussian kernels truncated to
  ``[0, 1]``, so no mass leaks outside the search space; on an integer column
  each value gets the kernel's mass over its cell of the unit interval, so
  the density is that of the values, not of where in a cell a point falls;
- categorical columns use Aitchison-Aitken kernels (Aitchison and Aitken,
  1976): the observed category keeps probability ``1 - lambda`` and the others
  share ``lambda`` equally, with ``lambda`` shrinking as the group grows;
- the prior component is uniform on the unit cube, i.e. it is the search
  space's own prior (log-uniform for ``log=True``, the distribution itself for
  ``scipy.stats`` dimensions), as in Bergstra et al. (2011).

With ``multivariate=True`` each observation contributes one product kernel
over all the columns, so the dependencies between parameters are kept
(Falkner et al., 2018; Watanabe, 2023). With ``multivariate=False`` each column
is an independent one-dimensional mixture, as in the original TPE.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy.special import logsumexp, ndtr, ndtri

__all__ = ["ParzenEstimator"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
# Scott's rule constant for Gaussian kernels, (4 / (d + 2)) ** (1 / (d + 4)) ~ 1.06.
_SCOTT = 1.059
# Variance of the uniform prior on [0, 1].
_PRIOR_VAR = 1.0 / 12.0


class ParzenEstimator:
    """A kernel density estimator over some columns of the unit cube.

    Parameters
    ----------
    X : ndarray of shape (n_observations, n_columns)
        Observations in canonical unit form; must not contain NaN (callers pass
        only the columns active for these observations).
    n_choices : sequence of int or None
        Per column: the number of categories of a categorical column, or None
        for a continuous (real or integer) column.
    min_bandwidth : sequence of float
        Per column: the smallest kernel width (ignored for categorical columns).
    prior_weight : float, default=1.0
        Weight of the uniform prior component.
    multivariate : bool, default=True
        Product kernels (joint density) or independent one-dimensional mixtures.
    weights : array-like of shape (n_observations,), default=None
        Weight of each observation's kernel; None weighs each 1.
    n_cells : sequence of int or None, default=None
        Per column: the number of values of an integer column (its cells of
        equal width in the unit interval), or None for a real or categorical
        column.
    bandwidth : {"scott", "neighbours", "wider"}, default="scott"
        How the continuous columns' kernel widths are chosen (see Notes).

    Notes
    -----
    Three bandwidth rules are available for the continuous columns:

    - ``"scott"``: one bandwidth per column, Scott's rule
      ``1.059 * s_j * n ** (-1 / (d + 4))``, where ``d`` is the number of
      continuous columns modelled jointly (1 in univariate mode) and ``s_j``
      is the standard deviation of the *mixture* of the observations and the
      uniform prior. Including the prior keeps the kernels wide while the
      group is small (a single good observation still gets a broad kernel)
      and lets them narrow as observations accumulate; ``min_bandwidth``
      stops them collapsing, as the minimum bandwidth factor of Watanabe
      (2023). The density is smooth: it generalises from few observations.
    - ``"neighbours"``: one bandwidth per kernel and column, the wider of the
      gaps between the kernel's observation and its neighbours in that
      column (the lowest and the highest observation use their inner gap
      only), as the original TPE (Bergstra et al., 2011) and Optuna. Kernels
      are narrow where observations are dense and wide where they are
      sparse, so the density keeps the group's local structure, such as
      where many observations have already been made. No kernel is narrower
      than ``1 / min(100, n + 2)`` (the "magic clip" of hyperopt and Optuna)
      nor than ``min_bandwidth``.
    - ``"wider"``: per kernel and column, the wider of the two (without the
      magic clip): Scott's width within a cluster of observations, the gap
      for an observation far from the others.

    Each categorical kernel adds ``prior_weight / (n + 1)`` to every category
    before normalising (Optuna's TPESampler does the same): a lone good
    observation of a category does not rule the others out, while a category
    seen many times is trusted.
    """

    def __init__(
        self,
        X: np.ndarray,
        n_choices: Sequence[int | None],
        min_bandwidth: Sequence[float],
        *,
        prior_weight: float = 1.0,
        multivariate: bool = True,
        weights: np.ndarray | None = None,
        n_cells: Sequence[int | None] | None = None,
        bandwidth: str = "scott",
    ) -> None:
        if bandwidth not in ("scott", "neighbours", "wider"):
            raise ValueError(
                "bandwidth must be 'scott', 'neighbours' or 'wider', got "
                f"{bandwidth!r}."
            )
        X = np.asarray(X, dtype=float).reshape(-1, len(n_choices))
        n = len(X)
        self.n_observations = n
        self.multivariate = multivariate
        self.n_columns = len(n_choices)
        self._num = np.array([k is None for k in n_choices], dtype=bool)
        self._num_idx = np.flatnonzero(self._num)
        self._cat_idx = np.flatnonzero(~self._num)
        pw = float(prior_weight)
        # Mixture weights: one per observation, then the prior (last).
        w_obs = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        w = np.append(w_obs, pw)
        self.weights = w / w.sum()
        self._log_w = np.log(np.maximum(self.weights, 1e-300))

        # Continuous columns: truncated Gaussian kernels.
        mu = X[:, self._num_idx]
        p = len(self._num_idx)
        floor = np.asarray(min_bandwidth, dtype=float)[self._num_idx]
        if p and n and bandwidth in ("scott", "wider"):
            mean = (mu.sum(axis=0) + 0.5 * pw) / (n + pw)
            var = (((mu - mean) ** 2).sum(axis=0)
                   + pw * (_PRIOR_VAR + (0.5 - mean) ** 2)) / (n + pw)
            d_eff = p if multivariate else 1
            sigma = _SCOTT * np.sqrt(var) * n ** (-1.0 / (d_eff + 4))
            sigma = np.clip(sigma, np.minimum(floor, 1.0), 1.0)
            sigma = np.broadcast_to(sigma, (n, p)).copy()
            if bandwidth == "wider":
                sigma = np.minimum(np.maximum(sigma, _neighbour_gaps(mu)), 1.0)
        elif p and n:
            floor = np.minimum(np.maximum(floor, 1.0 / min(100.0, n + 2.0)), 1.0)
            sigma = np.clip(_neighbour_gaps(mu), floor, 1.0)
        else:
            sigma = np.ones((n, p))
        self.mu = mu
        self.sigma = sigma
        # log of the mass of each kernel inside [0, 1] (truncation constant).
        self._log_z = np.log(
            np.maximum(ndtr((1.0 - mu) / sigma) - ndtr(-mu / sigma), 1e-300)
        )
        cells = [None] * self.n_columns if n_cells is None else list(n_cells)
        # Per continuous column: its number of cells, 0 for a real column.
        self._cells = np.array([cells[j] or 0 for j in self._num_idx], dtype=float)
        self._disc = np.flatnonzero(self._cells > 0)
        # Integer columns whose kernels are narrower than two cells: their
        # cell masses are computed exactly (see _log_kernels).
        self._narrow = self._disc[
            (self.sigma[:, self._disc] * self._cells[self._disc] < 2.0).any(axis=0)
        ]

        # Categorical columns: Aitchison-Aitken kernels whose smoothing fades
        # as the group grows (each kernel: 1 + a on its category, a on each).
        k = np.array([n_choices[j] for j in self._cat_idx], dtype=np.int64)
        self.n_choices = k
        self.cat = _category(X[:, self._cat_idx], k) if len(k) else np.empty((n, 0))
        a = pw / (n + 1.0)
        off = (k - 1) * a / (1.0 + k * a)
        self._log_on = np.log1p(-off)
        self._log_off = np.where(k > 1, np.log(np.maximum(off, 1e-300))
                                 - np.log(np.maximum(k - 1, 1)), 0.0)
        self._off = off

    # ------------------------------------------------------------- density
    def _log_kernels(self, X: np.ndarray) -> np.ndarray:
        """Per-column log kernel values, shape (m, n_observations + 1, n_columns).

        The last component along axis 1 is the uniform prior.
        """
        m = len(X)
        n = self.n_observations
        out = np.empty((m, n + 1, self.n_columns))
        if len(self._num_idx):
            x = X[:, self._num_idx]
            if len(self._disc):
                # An integer's kernel value is its cell's mass (as a density:
                # times the number of cells), wherever in the cell x lies; a
                # kernel at least two cells wide gets it, within 1%, as its
                # density at the cell's centre.
                c = self._cells[self._disc]
                cell = np.floor(np.clip(x[:, self._disc], 0.0, 1.0 - 1e-12) * c)
                x = x.copy()
                x[:, self._disc] = (cell + 0.5) / c
            x = x[:, None, :]
            z = (x - self.mu[None]) / self.sigma
            dens = -0.5 * z * z - np.log(self.sigma) - _LOG_SQRT_2PI - self._log_z
            d = self._narrow
            if len(d):
                c = self._cells[d]
                mu, sig = self.mu[:, d][None], self.sigma[:, d][None]
                za = (x[..., d] - 0.5 / c - mu) / sig
                zb = za + 1.0 / (c * sig)
                # In the upper tail, the mirrored difference keeps precision.
                upper = za > 0.0
                mass = ndtr(np.where(upper, -za, zb)) - ndtr(np.where(upper, -zb, za))
                dens[..., d] = (
                    np.log(np.maximum(mass, 1e-300)) + np.log(c) - self._log_z[:, d]
                )
            out[:, :n][..., self._num_idx] = dens
            out[:, n][:, self._num_idx] = 0.0
        if len(self._cat_idx):
            c = _category(X[:, self._cat_idx], self.n_choices)[:, None, :]
            match = c == self.cat[None]
            out[:, :n][..., self._cat_idx] = np.where(
                match, self._log_on, self._log_off
            )
            out[:, n][:, self._cat_idx] = -np.log(self.n_choices)
        return out

    def log_pdf(self, X: np.ndarray) -> np.ndarray:
        """Log density (probability mass for categorical columns) at rows ``X``.

        Parameters
        ----------
        X : ndarray of shape (m, n_columns)
            Points of the unit cube.

        Returns
        -------
        ndarray of shape (m,)
        """
        X = np.asarray(X, dtype=float).reshape(-1, self.n_columns)
        lk = self._log_kernels(X)
        lw = self._log_w[None, :]
        if self.multivariate:
            return logsumexp(lk.sum(axis=2) + lw, axis=1)
        return logsumexp(lk + lw[..., None], axis=1).sum(axis=1)

    # ------------------------------------------------------------ sampling
    def sample(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``m`` points from the mixture.

        Parameters
        ----------
        m : int
            Number of points.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray of shape (m, n_columns)
            Categorical values are returned at the centre of their cell.
        """
        n = self.n_observations
        shape = (m,) if self.multivariate else (m, self.n_columns)
        comp = rng.choice(n + 1, size=shape, p=self.weights)
        if self.multivariate:
            comp = np.repeat(comp[:, None], self.n_columns, axis=1)
        is_prior = comp == n
        safe = np.where(is_prior, 0, comp)
        out = np.empty((m, self.n_columns))
        u = rng.random((m, self.n_columns))
        if len(self._num_idx):
            j = self._num_idx
            ci, pri, uu = safe[:, j], is_prior[:, j], u[:, j]
            if n:
                mu = self.mu[ci, np.arange(len(j))]
                s = self.sigma[ci, np.arange(len(j))]
                lo, hi = ndtr(-mu / s), ndtr((1.0 - mu) / s)
                t = np.clip(lo + (hi - lo) * uu, 1e-300, 1.0 - 1e-16)
                x = np.clip(mu + s * ndtri(t), 0.0, 1.0)
                out[:, j] = np.where(pri, uu, x)
            else:
                out[:, j] = uu
        if len(self._cat_idx):
            j = self._cat_idx
            k = self.n_choices
            ci, pri, uu = safe[:, j], is_prior[:, j], u[:, j]
            uniform = np.minimum(np.floor(uu * k), k - 1)
            if n:
                obs = self.cat[ci, np.arange(len(j))]
                # Reuse one uniform draw: below `off` move to another category
                # (uniformly among the k - 1), otherwise keep the observed one.
                moved = uu < self._off
                shift = 1 + np.floor(uu / np.maximum(self._off, 1e-300) * (k - 1))
                shift = np.minimum(shift, np.maximum(k - 1, 1))
                kern = np.where(moved, (obs + shift) % k, obs)
                idx = np.where(pri, uniform, kern)
            else:
                idx = uniform
            out[:, j] = (idx + 0.5) / k
        return out


def _neighbour_gaps(mu: np.ndarray) -> np.ndarray:
    """Per kernel and column, the wider of the gaps to its two neighbours.

    The neighbours are the next smaller and larger values of the column among
    the group's observations, or the ends of ``[0, 1]``; the lowest and the
    highest observation take the gap on their inner side only, so a kernel at
    the edge of the group is not widened by the empty space beyond it.
    """
    n = len(mu)
    order = np.argsort(mu, axis=0, kind="stable")
    srt = np.take_along_axis(mu, order, axis=0)
    ends = np.ones((1, mu.shape[1]))
    ext = np.concatenate([0.0 * ends, srt, ends])
    below, above = ext[1:-1] - ext[:-2], ext[2:] - ext[1:-1]
    gap = np.maximum(below, above)
    if n >= 2:
        gap[0], gap[-1] = above[0], below[-1]
    out = np.empty_like(gap)
    np.put_along_axis(out, order, gap, axis=0)
    return out


def _category(U: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Category index of categorical unit values (cell ``floor(u * k)``)."""
    return np.clip(np.floor(U * k), 0, k - 1).astype(np.int64)
