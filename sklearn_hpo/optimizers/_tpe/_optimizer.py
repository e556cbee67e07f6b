"""The tree-structured Parzen estimator optimizer (ask/tell, maximising)."""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Union

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.optimizers._tpe._parzen import ParzenEstimator
from sklearn_hpo.space import Integer
from sklearn_hpo.utils._validation import check_int

__all__ = ["TPEOptimizer", "default_gamma"]

GammaLike = Union[float, Callable[[int], int], None]


def default_gamma(n: int) -> int:
    """Size of the good group among ``n`` finite observations: ``min(ceil(0.1 n), 25)``.

    The linear rule with a cap recommended by Watanabe (2023) and used by Optuna.
    """
    return min(math.ceil(0.1 * n), 25)


def _recency_weights(n: int) -> np.ndarray | None:
    """Weights of the bad group's ``n`` observations, oldest first.

    The 25 most recent weigh 1, older ones less and less (down to ``1 / n``):
    old bad regions fade from ``g(x)`` so the search can come back to them
    (Bergstra et al., 2011).
    """
    if n <= 25:
        return None
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


@optimizer_docstring
class TPEOptimizer(BaseOptimizer):
    """Tree-structured Parzen estimator (TPE), multivariate by default.

    TPE splits the observations by score into a small "good" group and the
    "bad" rest, models each group with a Parzen estimator, ``l(x)`` and
    ``g(x)``, and proposes the point maximising ``l(x) / g(x)`` among
    ``n_ei_candidates`` draws from ``l`` (which maximises expected improvement
    under TPE's model; Bergstra et al., 2011).

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; a list of dicts gives conditional sub-spaces.
    n_initial_points : int, default=10
        Number of successful (finite-score) evaluations sampled uniformly at
        random before the model is used.
    gamma : float, callable or None, default=None
        How many of the ``n`` finite observations form the good group. None
        uses :func:`default_gamma`, ``min(ceil(0.1 n), 25)``; a float in
        ``(0, 1]`` uses ``ceil(gamma * n)``; a callable ``gamma(n) -> int`` is
        used as is (its result is clipped to ``[1, n]``).
    n_ei_candidates : int, default=24
        Draws from ``l(x)`` among which each proposal takes the best ``l / g``.
    multivariate : bool, default=True
        Model the parameters jointly with product kernels (Falkner et al.,
        2018; Watanabe, 2023); False models each one independently, as the
        original TPE.
    prior_weight : float, default=1.0
        Weight of the uniform prior component of each estimator (each
        observation weighs at most 1). Larger values explore more.
    min_bandwidth : float, default=0.01
        Smallest kernel width of continuous columns in the unit interval
        (the bad group of ``n`` observations also keeps its kernels at least
        ``1 / min(100, n + 2)`` wide). Integer columns never go below the
        width of one value's cell.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    {observations}

    Notes
    -----
    Everything happens in the unit cube of the search space, whose uniform
    distribution is the prior (log-uniform for ``log=True``, the distribution
    itself for ``scipy.stats`` dimensions). Each estimator is a mixture of
    one kernel per observation and the uniform prior, weighted
    ``prior_weight``:

    - real and integer columns use Gaussian kernels truncated to ``[0, 1]``.
      In the bad group ``g(x)`` each kernel is as wide as the wider gap to
      its neighbouring bad observations in that column, and at least
      ``1 / min(100, n + 2)`` for a group of ``n`` (Bergstra et al., 2011;
      the "magic clip" of hyperopt and Optuna): ``g`` is peaked where the
      search has sampled densely, so ``l / g`` prefers the good region's
      unsampled parts to points next to ones already evaluated. In the good
      group ``l(x)`` a kernel's width is Scott's rule, computed with the
      prior in the spread (a small good group keeps broad kernels, a
      concentrated one narrows them), or the gap to its neighbouring good
      observations if wider, so that a good observation far from the others
      (another basin) keeps being explored around. (With Scott's rule in
      ``g``, its many observations spread over the whole space give wide
      kernels, ``g`` is nearly flat, ``l / g`` peaks at the incumbents and
      the search stalls in local optima.) An integer column gives each value
      the kernel's mass over the value's cell, so ``l / g`` is a ratio of the
      values' probabilities (as Optuna's discrete kernels);
    - categorical columns use Aitchison-Aitken kernels in which each kernel
      adds ``prior_weight / (n + 1)`` to every category of a group of ``n``
      (Optuna's rule): one good observation of a category does not rule the
      others out, many do;
    - in the bad group, observations older than the 25 most recent weigh
      less, linearly down to ``1 / n`` for the oldest (Bergstra et al.,
      2011; Optuna's ``default_weights``), so regions judged bad early,
      against a weak incumbent, are not held against later; the good group
      is never down-weighted.

    The other defaults are those Watanabe (2023) found robust across
    benchmarks and Optuna's TPESampler uses: ``n_initial_points=10``,
    ``gamma`` = ``min(ceil(0.1 n), 25)``, ``n_ei_candidates=24``,
    ``prior_weight=1``; the kernels are multivariate (as Optuna's for one
    objective), which Watanabe (2023) and Falkner et al. (2018) found to
    help when parameters interact.

    Failed evaluations (NaN score) always belong to the bad group, so the
    search steers away from them. With conditional sub-spaces, the sub-space
    is chosen first, by ``l / g`` over the sub-space selector, then the
    sub-space's parameters are modelled only from the observations that used
    that sub-space, split into good and bad among themselves (the
    tree-structured part of TPE: inactive parameters never enter a kernel).

    A batch of ``n`` candidates is ``n`` independent TPE proposals (each the
    best of its own draws), ranked by ``l / g``.

    References
    ----------
    J. Bergstra, R. Bardenet, Y. Bengio and B. Kégl, "Algorithms for
    hyper-parameter optimization", NeurIPS 2011.

    S. Falkner, A. Klein and F. Hutter, "BOHB: robust and efficient
    hyperparameter optimization at scale", ICML 2018.

    S. Watanabe, "Tree-structured Parzen estimator: understanding its
    algorithm components and their roles for better empirical performance",
    arXiv:2304.11127, 2023.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import TPEOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = TPEOptimizer({"x": Real(-5.0, 5.0)}, n_initial_points=5,
    ...                    random_state=0)
    >>> for _ in range(20):
    ...     cands = opt.ask(1)
    ...     opt.tell(cands, [-(c["x"] - 1.0) ** 2 for c in cands])
    >>> bool(opt.y.max() > -0.5)
    True
    """

    def __init__(
        self,
        search_space: Any,
        *,
        n_initial_points: int = 10,
        gamma: GammaLike = None,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
        prior_weight: float = 1.0,
        min_bandwidth: float = 0.01,
        random_state: Any = None,
    ) -> None:
        check_int("n_initial_points", n_initial_points, 1)
        check_int("n_ei_candidates", n_ei_candidates, 1)
        if gamma is not None and not callable(gamma):
            if (
                isinstance(gamma, bool)
                or not isinstance(gamma, numbers.Real)
                or not 0.0 < gamma <= 1.0
            ):
                raise ValueError(
                    "gamma must be None, a float in (0, 1] or a callable "
                    f"gamma(n) -> int, got {gamma!r}."
                )
        if not isinstance(multivariate, (bool, np.bool_)):
            raise ValueError(f"multivariate must be a bool, got {multivariate!r}.")
        if (
            isinstance(prior_weight, bool)
            or not isinstance(prior_weight, numbers.Real)
            or not (math.isfinite(prior_weight) and prior_weight > 0)
        ):
            raise ValueError(
                f"prior_weight must be a finite float > 0, got {prior_weight!r}."
            )
        if (
            isinstance(min_bandwidth, bool)
            or not isinstance(min_bandwidth, numbers.Real)
            or not 0.0 < min_bandwidth <= 1.0
        ):
            raise ValueError(
                f"min_bandwidth must be a float in (0, 1], got {min_bandwidth!r}."
            )
        super().__init__(search_space, random_state=random_state)
        self.n_initial_points = int(n_initial_points)
        self.gamma = gamma
        self.n_ei_candidates = int(n_ei_candidates)
        self.multivariate = bool(multivariate)
        self.prior_weight = float(prior_weight)
        self.min_bandwidth = float(min_bandwidth)
        self._init_columns()

    def _init_columns(self) -> None:
        """Per-column kernel settings, and the columns of each sub-space."""
        cols = self.space.columns
        self._n_choices: list[int | None] = []
        floors = []
        for c in cols:
            m = c.n_values
            cat = c.kind == "categorical"
            self._n_choices.append(int(m) if cat else None)
            cell = 1.0 / m if (c.kind == "integer" and m) else 0.0
            floors.append(max(self.min_bandwidth, cell))
        self._floors = np.array(floors)
        # Integer dimensions split the unit interval into equal cells; a
        # discrete scipy.stats distribution's cells follow its probabilities,
        # which the prior already accounts for: it stays continuous here.
        self._cells = [
            int(c.n_values) if isinstance(c.dimension, Integer) else None
            for c in cols
        ]
        self._sub_cols = [
            np.array([j for j, c in enumerate(cols) if c.subspace == k], dtype=int)
            for k in range(len(self.space.subspaces))
        ]

    # ---------------------------------------------------------------- model
    def _n_good(self, n: int) -> int:
        if n == 0:
            return 0
        if self.gamma is None:
            g = default_gamma(n)
        elif callable(self.gamma):
            g = self.gamma(n)
        else:
            g = math.ceil(self.gamma * n)
        return int(min(max(int(g), 1), n))

    def _split(self, y: np.ndarray) -> np.ndarray:
        """Mask of the good group: the best-ranked finite scores; NaN is bad."""
        finite = np.flatnonzero(np.isfinite(y))
        good = np.zeros(len(y), dtype=bool)
        n_good = self._n_good(len(finite))
        if n_good:
            order = finite[np.argsort(-y[finite], kind="stable")]
            good[order[:n_good]] = True
        return good

    def _estimators(
        self, X: np.ndarray, y: np.ndarray, cols: np.ndarray
    ) -> tuple[ParzenEstimator, ParzenEstimator]:
        good = self._split(y)
        kinds = [self._n_choices[j] for j in cols]
        floors = self._floors[cols]
        cells = [self._cells[j] for j in cols]

        def make(
            mask: np.ndarray, weights: np.ndarray | None, bandwidth: str
        ) -> ParzenEstimator:
            return ParzenEstimator(
                X[mask][:, cols],
                kinds,
                floors,
                prior_weight=self.prior_weight,
                multivariate=self.multivariate,
                weights=weights,
                n_cells=cells,
                bandwidth=bandwidth,
            )

        # Observations are kept in the order they were told: the bad group's
        # old ones fade (the good group's are never down-weighted). The good
        # group's kernels follow its spread; the bad group's density is local
        # and marks where the search has already been (see Notes).
        bad_weights = _recency_weights(int((~good).sum()))
        return (
            make(good, None, "wider"),
            make(~good, bad_weights, "neighbours"),
        )

    def _tpe_draws(
        self, X: np.ndarray, y: np.ndarray, cols: np.ndarray, m: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``m`` draws from ``l`` over ``cols`` and their ``log l - log g``."""
        lower, upper = self._estimators(X, y, cols)
        S = lower.sample(m, self._rng)
        return S, lower.log_pdf(S) - upper.log_pdf(S)

    # -------------------------------------------------------------- propose
    def _propose(self, n_candidates: int) -> np.ndarray:
        X, y = self.X_unit, self.y
        d = self.space.n_columns
        if np.isfinite(y).sum() < self.n_initial_points:
            return self._rng.random((n_candidates, d))
        c = self.n_ei_candidates
        m = n_candidates * c
        out = np.full((m, d), np.nan)
        score = np.zeros(m)
        if self.space.has_selector:
            # Choose each proposal's sub-space by l / g over the selector.
            S, r = self._tpe_draws(X, y, np.array([0]), m)
            best = np.argmax(r.reshape(n_candidates, c), axis=1)
            pick = np.arange(n_candidates) * c + best
            out[:, 0] = np.repeat(S[pick, 0], c)
            score += np.repeat(r[pick], c)
        sub_of_row = self.space.subspace_indices(out)
        sub_of_obs = self.space.subspace_indices(X)
        for k, cols in enumerate(self._sub_cols):
            rows = np.flatnonzero(sub_of_row == k)
            if len(rows) == 0 or len(cols) == 0:  # an empty sub-space: one point
                continue
            # Only complete observations of this sub-space feed its kernels.
            obs = (sub_of_obs == k) & ~np.isnan(X[:, cols]).any(axis=1)
            S, r = self._tpe_draws(X[obs], y[obs], cols, len(rows))
            out[np.ix_(rows, cols)] = S
            score[rows] += r
        # Each proposal is the best of its own block of draws; proposals come
        # first, best first, then the remaining draws as fallbacks for the
        # base class's de-duplication.
        blocks = score.reshape(n_candidates, c)
        winners = np.arange(n_candidates) * c + np.argmax(blocks, axis=1)
        winners = winners[np.argsort(-score[winners], kind="stable")]
        rest = np.setdiff1d(np.arange(m), winners)
        rest = rest[np.argsort(-score[rest], kind="stable")]
        return out[np.concatenate([winners, rest])]
