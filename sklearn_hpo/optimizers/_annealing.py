"""Simulated annealing in the unit cube of a search space.

Also home of the moves shared with the other population methods: a Latin
hypercube start and a mutation operator (Gaussian steps on numbers, re-draws
of categories and of the sub-space).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._validation import check_int, check_optional_int, check_real

__all__ = ["AnnealingOptimizer"]

# Temperature and step size at the end of the budget, relative to the start.
_FINAL_TEMPERATURE = 1e-3
_FINAL_STEP = 0.05


def latin_hypercube(space: SearchSpace, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` snapped points of a Latin hypercube sample of the unit cube."""
    strata = np.argsort(rng.random((n, space.n_columns)), axis=0)
    return space.snap((strata + rng.random((n, space.n_columns))) / n)


def reflect(U: np.ndarray) -> np.ndarray:
    """Fold values back into ``[0, 1]`` (a mirror at each bound)."""
    V = np.mod(U, 2.0)
    return np.clip(np.where(V > 1.0, 2.0 - V, V), 0.0, 1.0)


def mutate(
    space: SearchSpace,
    U: np.ndarray,
    rng: np.random.Generator,
    *,
    sigma: float,
    p_numeric: float = 1.0,
    p_categorical: float = 0.2,
) -> np.ndarray:
    """Snapped neighbours of unit rows ``U`` (one per row).

    Each active real or integer column moves with probability ``p_numeric`` by
    a Gaussian step of scale ``sigma`` (at least one value of an integer
    column, so that a move changes it), reflected at the bounds. Each
    categorical column, and the sub-space selector, is re-drawn uniformly with
    probability ``p_categorical``; the columns of a newly selected sub-space
    start at uniform random values.
    """
    out = np.array(U, dtype=float, copy=True)
    n = len(out)
    for j, col in enumerate(space.columns):
        if col.kind == "categorical":
            hit = rng.random(n) < p_categorical
            out[hit, j] = rng.random(int(hit.sum()))
            continue
        m = col.n_values
        scale = max(sigma, 1.0 / m) if m else sigma
        hit = (rng.random(n) < p_numeric) & ~np.isnan(out[:, j])
        out[hit, j] = reflect(out[hit, j] + rng.normal(0.0, scale, int(hit.sum())))
    fill = np.isnan(out)
    out[fill] = rng.random(int(fill.sum()))
    return space.snap(out)


def default_n_initial(budget: int) -> int:
    """Random points before annealing starts: about 10% of the budget."""
    return int(min(max(round(0.1 * budget), 3), 10))


@optimizer_docstring
class AnnealingOptimizer(BaseOptimizer):
    """Simulated annealing: Metropolis moves under an exponential cooling.

    After ``n_initial_points`` Latin-hypercube points, the search walks from
    the best of them. Each :meth:`ask` proposes neighbours of the current
    state (Gaussian steps in the unit cube, re-drawn categories); at the next
    :meth:`ask`, the best neighbour told since the last one replaces the
    current state if it is better, or else with the Metropolis probability
    ``exp(-(f_current - f_new) / T)``. A batch of ``n`` candidates is ``n``
    neighbours of the same state (for parallel workers).

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    budget : int, default=50
        Evaluations planned (a search's ``n_iter``): the temperature and the
        step size decay over it. Asked for more, the optimizer goes on
        cooling at the same rate.
    n_initial_points : int or None, default=None
        Random points before annealing; None uses 10% of ``budget``
        (between 3 and 10).
    step_size : float, default=0.2
        Initial standard deviation of the Gaussian steps in the unit cube; it
        decays with the temperature to ``0.05 * step_size`` at the end of the
        budget.
    p_categorical : float, default=0.3
        Initial probability of re-drawing each categorical parameter (and the
        sub-space of a conditional space) in a move; it decays like the step
        size, to no less than 0.05.
    patience : int or None, default=None
        Evaluations without a new best after which the walk restarts from the
        best point found; None uses ``max(10, budget // 5)``.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    current : ndarray of shape (n_columns,) or None
        The current state (unit row); None before annealing starts.
    current_score : float
        Its score.
    initial_temperature : float or None
        The standard deviation of the first successful scores (so the
        schedule does not depend on the scale of the score); None until known.
    temperature : float or None
        The current temperature.
    n_restarts : int
        Restarts from the best point so far.
    {observations}

    Notes
    -----
    Simulated annealing is due to S. Kirkpatrick, C. D. Gelatt and M. P.
    Vecchi, "Optimization by simulated annealing", Science 220 (1983), with
    the acceptance rule of N. Metropolis et al. (1953). The temperature
    decays exponentially from the spread of the first scores to
    ``1e-3`` times it at the end of the budget, so a worse move of one
    standard deviation is accepted with probability ``1/e`` at the start and
    almost never at the end. Failed evaluations (NaN scores) are never
    accepted. Integer parameters move by at least one value; categorical
    parameters have no order, so they are re-drawn rather than stepped.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import AnnealingOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = AnnealingOptimizer({"x": Real(-5.0, 5.0)}, budget=30,
    ...                          random_state=0)
    >>> for _ in range(30):
    ...     cands = opt.ask(1)
    ...     opt.tell(cands, [-(c["x"] - 1.0) ** 2 for c in cands])
    >>> bool(opt.y.max() > -0.05)
    True
    """

    def __init__(
        self,
        search_space: Any,
        *,
        budget: int = 50,
        n_initial_points: int | None = None,
        step_size: float = 0.2,
        p_categorical: float = 0.3,
        patience: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.budget = check_int("budget", budget, 1)
        self.n_initial_points = check_optional_int(
            "n_initial_points", n_initial_points, 1, default_n_initial(self.budget)
        )
        self.step_size = check_real("step_size", step_size, low=0, high=1,
                                    low_inclusive=False)
        self.p_categorical = check_real("p_categorical", p_categorical, low=0,
                                        high=1)
        self.patience = check_optional_int(
            "patience", patience, 1, max(10, self.budget // 5)
        )
        super().__init__(search_space, random_state=random_state)
        self.current: np.ndarray | None = None
        self.current_score = -math.inf
        self.initial_temperature: float | None = None
        self.temperature: float | None = None
        self.n_restarts = 0
        self._n_processed = 0
        self._start = 0  # observations before annealing started
        self._best = -math.inf
        self._stall = 0
        self._initial: np.ndarray | None = None

    # ------------------------------------------------------------ schedule
    def _progress(self) -> float:
        """Fraction of the annealing budget used (may exceed 1)."""
        span = max(self.budget - self._start, 1)
        return (self.n_observations - self._start) / span

    def _update(self) -> None:
        """Metropolis step on the candidates told since the last ask."""
        y = self.y
        new = np.arange(self._n_processed, len(y))
        self._n_processed = len(y)
        finite = np.isfinite(y)
        if self.current is None:
            if finite.any() and len(y) >= self.n_initial_points:
                best = int(np.nanargmax(y))
                self.current, self.current_score = self.X_unit[best], float(y[best])
                self._best, self._start = float(y[best]), len(y)
            else:
                return
        if self.initial_temperature is None:
            # The spread of the first successful scores (until it is positive).
            spread = float(np.std(y[finite])) if finite.sum() >= 2 else 0.0
            self.initial_temperature = spread if spread > 0 else None
        if self._start == len(y):
            return
        if len(new) == 0:
            return
        new = new[finite[new]]
        if len(new) == 0:  # only failures: the state stays
            self._stall += 1
            return
        i = int(new[np.argmax(y[new])])
        f = float(y[i])
        T0 = self.initial_temperature or max(abs(self.current_score), 1.0)
        self.temperature = T0 * _FINAL_TEMPERATURE ** self._progress()
        delta = f - self.current_score
        T = self.temperature
        if delta >= 0 or (T > 0 and self._rng.random() < math.exp(delta / T)):
            self.current, self.current_score = self.X_unit[i], f
        if f > self._best:
            self._best, self._stall = f, 0
        else:
            self._stall += len(new)
        if self._stall >= self.patience:  # stuck: restart from the best point
            best = int(np.nanargmax(y))
            self.current, self.current_score = self.X_unit[best], float(y[best])
            self._stall = 0
            self.n_restarts += 1

    def _propose(self, n_candidates: int) -> np.ndarray:
        self._update()
        if self.current is None:
            if self._initial is None:
                self._initial = latin_hypercube(
                    self.space, self.n_initial_points, self._rng
                )
            # The base skips the rows already asked and keeps the first new ones.
            extra = self.space.sample_unit(n_candidates, self._rng)
            return np.vstack([self._initial, extra])
        decay = min(self._progress(), 1.0)
        sigma = self.step_size * _FINAL_STEP**decay
        p_cat = max(0.05, self.p_categorical * _FINAL_STEP**decay)
        # More neighbours than asked: the base keeps the first new ones.
        rows = np.repeat(self.current[None, :], 4 * n_candidates, axis=0)
        return mutate(self.space, rows, self._rng, sigma=sigma, p_categorical=p_cat)
