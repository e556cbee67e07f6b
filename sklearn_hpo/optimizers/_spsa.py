"""SPSA: simultaneous perturbation stochastic approximation in the unit cube."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._coordinate import (
    best_row,
    observed_scores,
    subspace_centre,
)
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.utils._validation import check_int, check_real

__all__ = ["SPSAOptimizer"]

# Spall's (1998) recommended exponents of the gain sequences.
_ALPHA, _GAMMA = 0.602, 0.101
# Largest move of one step per column (Spall 1998 suggests bounding early
# steps, which a noisy gradient estimate can make huge).
_MAX_STEP = 0.2
# Perturbation pairs tried per proposal before giving up (finite spaces).
_MAX_PAIRS = 50
# Gradient estimates whose mean magnitude calibrates the gain ``a``.
_CALIBRATION = 3


@optimizer_docstring
class SPSAOptimizer(BaseOptimizer):
    """Simultaneous perturbation stochastic approximation (SPSA), maximising.

    The iterate ``theta`` lives in the unit cube of the space, on its real and
    integer columns (integers as continuous values, snapped when evaluated).
    Each iteration ``k`` evaluates the iterate (see ``evaluate_iterate``),
    draws ``n_perturbations`` random directions ``delta`` in ``{-1, +1}^p``
    and evaluates ``theta + c_k delta`` and ``theta - c_k delta`` (a batch of
    ``2 * n_perturbations + 1``); the averaged
    gradient estimate ``g_i = (y+ - y-) / (x+_i - x-_i)`` moves the iterate to
    ``clip(theta + a_k g, 0, 1)``. Gains follow Spall's recommendations:
    ``a_k = a / (k + 1 + A) ** 0.602`` and ``c_k = c / (k + 1) ** 0.101``, with
    ``A`` a tenth of the planned iterations and ``a`` calibrated on the mean
    magnitude of the first three non-zero gradient estimates so that the
    first steps move the largest coordinate by about ``initial_step``; a
    step moves no coordinate by more than 0.2. An integer column is perturbed
    by at least one value. Categorical columns (and the sub-space of
    a conditional space) stay at the values of the best start candidate.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    budget : int, default=50
        Evaluations planned; sets the stability constant ``A``.
    n_perturbations : int, default=1
        Perturbation pairs averaged per iteration (``q`` in Spall 1998).
        A larger batch asked at once adds pairs to the iteration.
    c : float, default=0.05
        Initial perturbation size ``c``, in the unit cube.
    initial_step : float, default=0.1
        Size, in the unit cube, of the first step along the largest gradient
        component; calibrates ``a``.
    n_initial_points : int or None, default=None
        Start candidates (the centre of each sub-space, then random points)
        whose best gives the start iterate and the categorical values. None
        uses one per sub-space plus 4 random points (5 with categorical
        columns): a local method started from the best of a few points is
        far less likely to climb a poor local optimum. When they all fail,
        as many random points follow, until one succeeds.
    evaluate_iterate : bool, default=True
        Whether each iteration also evaluates the iterate itself (a batch of
        ``2 * n_perturbations + 1``): the perturbed points are ``c_k`` away
        from it, so without it the best score found stays a perturbation
        away from the optimum the iterate converges to.
    random_state : int, RandomState, Generator or None, default=None
        Seed.

    Attributes
    ----------
    theta : ndarray of shape (n_columns,) or None
        The current iterate (None before the start candidates are scored).
    iteration : int
        Iterations completed (``k``).
    a : float or None
        The calibrated gain numerator (None until calibrated).
    {observations}

    Notes
    -----
    Spall, "Multivariate stochastic approximation using a simultaneous
    perturbation gradient approximation", IEEE Trans. Automatic Control 37
    (1992); Spall, "Implementation of the simultaneous perturbation algorithm
    for stochastic optimization", IEEE Trans. Aerospace and Electronic
    Systems 34 (1998), for the gains and their calibration. A local,
    gradient-following method: suited to smooth, low-dimensional continuous
    spaces and larger budgets; on multimodal functions it finds the optimum
    near its start. The best candidate reported is the best evaluated one
    (the perturbed points), not the iterate. With no real or integer
    parameter it is random search.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import SPSAOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = SPSAOptimizer({"a": Real(0, 1), "b": Real(0, 1)}, random_state=0)
    >>> opt.ask(1)
    [{'a': 0.5, 'b': 0.5}]
    """

    def __init__(
        self,
        search_space: Any,
        *,
        budget: int = 50,
        n_perturbations: int = 1,
        c: float = 0.05,
        initial_step: float = 0.1,
        n_initial_points: int | None = None,
        evaluate_iterate: bool = True,
        random_state: Any = None,
    ) -> None:
        super().__init__(search_space, random_state=random_state)
        self.budget = check_int("budget", budget, 1)
        self.n_perturbations = check_int("n_perturbations", n_perturbations, 1)
        self.c = check_real("c", c, low=0, high=0.5, low_inclusive=False)
        self.initial_step = check_real(
            "initial_step", initial_step, low=0, high=1, low_inclusive=False
        )
        space = self.space
        n_sub = len(space.subspaces)
        if n_initial_points is None:
            has_cat = any(
                c.kind == "categorical" and c.subspace is not None
                for c in space.columns
            )
            n_initial_points = n_sub + (5 if has_cat else 4)
        self.n_initial_points = check_int("n_initial_points", n_initial_points, 1)
        start = [subspace_centre(self, k) for k in range(n_sub)]
        start = np.vstack(start + [space.sample_unit(1, self._rng)[0]
                                   for _ in range(self.n_initial_points - n_sub)])
        self._queue = start[: self.n_initial_points]
        self._pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self._cont = np.array(
            [c.kind in ("real", "integer") for c in space.columns], dtype=bool
        )
        self._min_perturbation = np.array(
            [1.0 / c.n_values if c.kind == "integer" and c.n_values else 0.0
             for c in space.columns]
        )
        self.theta: np.ndarray | None = None
        self.iteration = 0
        self.a: float | None = None
        self._magnitudes: list[float] = []
        if not isinstance(evaluate_iterate, (bool, np.bool_)):
            raise ValueError(
                f"evaluate_iterate must be a bool, got {evaluate_iterate!r}."
            )
        self.evaluate_iterate = bool(evaluate_iterate)
        per_step = 2 * self.n_perturbations + self.evaluate_iterate
        self._stability = 0.1 * self.budget / per_step
        self._labels: dict[bytes, int] = {
            k: -1 for k in self.space.row_keys(self._queue)
        }

    def _free(self) -> np.ndarray:
        return self._cont & ~np.isnan(self.theta)

    def _add_pair(self) -> None:
        free = self._free()
        ck = self.c / (self.iteration + 1) ** _GAMMA
        # An integer column moves by at least one value, or its two points
        # would snap to the same integer and tell nothing.
        ck = np.maximum(ck, self._min_perturbation[free])
        delta = self._rng.choice([-1.0, 1.0], size=int(free.sum()))
        plus, minus = self.theta.copy(), self.theta.copy()
        plus[free] = np.clip(plus[free] + ck * delta, 0, 1)
        minus[free] = np.clip(minus[free] - ck * delta, 0, 1)
        pair = self.space.snap(np.vstack([plus, minus]))
        self._pairs.append((pair[0], pair[1]))
        self._queue = np.vstack([self._queue, pair])
        for key in self.space.row_keys(pair):
            self._labels.setdefault(key, self.iteration)

    def _step(self, scores: dict[bytes, float]) -> None:
        """Average the pairs' gradient estimates and move the iterate."""
        free = self._free()
        worst = min((s for s in scores.values() if np.isfinite(s)), default=0.0)
        grads = []
        for plus, minus in self._pairs:
            yp, ym = (scores[k] for k in self.space.row_keys(np.vstack([plus, minus])))
            if not (np.isfinite(yp) or np.isfinite(ym)):
                continue  # both failed: no information
            yp, ym = (y if np.isfinite(y) else worst for y in (yp, ym))
            diff = plus[free] - minus[free]
            with np.errstate(divide="ignore", invalid="ignore"):
                grads.append(np.where(diff != 0, (yp - ym) / diff, 0.0))
        g = np.mean(grads, axis=0) if grads else np.zeros(int(free.sum()))
        if len(self._magnitudes) < _CALIBRATION and np.any(g != 0):
            # Spall (1998): a such that the first steps have the wanted size,
            # from the mean magnitude of a few gradient estimates (one alone
            # can be near zero by chance).
            self._magnitudes.append(float(np.max(np.abs(g))))
            first = (1 + self._stability) ** _ALPHA
            self.a = self.initial_step * first / float(np.mean(self._magnitudes))
        if self.a is not None:
            ak = self.a / (self.iteration + 1 + self._stability) ** _ALPHA
            step = np.clip(ak * g, -_MAX_STEP, _MAX_STEP)
            self.theta[free] = np.clip(self.theta[free] + step, 0, 1)
        self.iteration += 1
        self._pairs = []
        self._queue = self._queue[:0]

    def _propose(self, n_candidates: int) -> np.ndarray:
        scores = observed_scores(self)
        excluded = self._excluded
        keys = self.space.row_keys(self._queue)
        if not all(k in scores for k in keys) and self.theta is None:
            return self._queue[[k not in excluded for k in keys]]
        if all(k in scores for k in keys):  # the batch is complete
            if self.theta is None:
                best, _ = best_row(self)
                if best is None:
                    # Every start candidate failed: a gradient around one of
                    # them would only meet failures. Draw new starts until
                    # one succeeds.
                    self._queue = self.space.sample_unit(
                        self.n_initial_points, self._rng
                    )
                    for key in self.space.row_keys(self._queue):
                        self._labels.setdefault(key, -1)
                    return self._queue[
                        [k not in excluded for k in self.space.row_keys(self._queue)]
                    ]
                self.theta = best
                self._queue = self._queue[:0]
            else:
                self._step(scores)
        if not self._free().any():
            return self._rng.random((n_candidates, self.space.n_columns))
        if not len(self._queue):
            if self.evaluate_iterate:
                self._queue = self.space.snap(self.theta)
                (key,) = self.space.row_keys(self._queue)
                self._labels.setdefault(key, self.iteration)
            for _ in range(self.n_perturbations):
                self._add_pair()
        for _ in range(_MAX_PAIRS):
            keys = self.space.row_keys(self._queue)
            if sum(k not in excluded for k in keys) >= n_candidates:
                break
            self._add_pair()  # a larger batch averages more pairs
        keys = self.space.row_keys(self._queue)
        return self._queue[[k not in excluded for k in keys]]

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """The ``iteration`` column (-1 for start and other candidates)."""
        return {"iteration": self._labels_of(candidates, self._labels, -1)}
