"""A genetic algorithm in the unit cube of a search space."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._annealing import latin_hypercube, mutate, reflect
from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.utils._validation import (
    check_int,
    check_option,
    check_optional_int,
    check_real,
)

__all__ = ["EvolutionaryOptimizer", "default_population_size"]

_CROSSOVER = ("blend", "uniform")
# Attempts at breeding new children before the base tops up with random points.
_TRIES = 10


def default_population_size(budget: int) -> int:
    """Population of ``sqrt(2 * budget)``, between 4 and 20 (8 for 30 evaluations,
    10 for 50, 14 for 100)."""
    return int(min(max(round(math.sqrt(2 * budget)), 4), 20))


@optimizer_docstring
class EvolutionaryOptimizer(BaseOptimizer):
    """Genetic algorithm: tournament selection, crossover, mutation, elitism.

    Generation 0 is a Latin hypercube sample of ``population_size`` points.
    Each next generation breeds ``population_size`` children from the parents:
    the candidates told during the previous generation plus the ``n_elites``
    best candidates ever (elitism). A child's parents are picked by
    tournaments; with probability ``crossover_prob`` it mixes them (blend or
    uniform crossover), otherwise it copies the first; then it mutates. One
    generation is one batch for parallel workers.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    budget : int, default=50
        Evaluations planned (a search's ``n_iter``); it sets the default
        population size.
    population_size : int or None, default=None
        Children per generation; None uses
        :func:`default_population_size` (``sqrt(2 * budget)`` in ``[4, 20]``).
    tournament_size : int, default=3
        Candidates drawn per tournament; 3 rather than Goldberg's binary
        tournaments, for the selection pressure small populations need.
    crossover : {"blend", "uniform"}, default="blend"
        Blend (BLX-0.5) crossover of real and integer columns, or a uniform
        crossover taking each column from either parent. Categorical columns
        always come from either parent.
    crossover_prob : float, default=0.9
        Probability that a child is a crossover rather than a copy.
    mutation_scale : float, default=0.1
        Standard deviation of the Gaussian mutation in the unit cube.
    mutation_prob : float or None, default=None
        Probability of mutating each parameter; None uses ``1 / n_columns``.
    n_elites : int, default=1
        Best candidates ever that join the parents of every generation.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    population_size : int
        Children per generation.
    generation : int
        The current generation (-1 before the first ask).
    {observations}

    Notes
    -----
    Genetic algorithms are due to J. H. Holland, "Adaptation in Natural and
    Artificial Systems" (1975); the operators here (tournament selection,
    elitism, Gaussian mutation) follow D. E. Goldberg, "Genetic Algorithms in
    Search, Optimization and Machine Learning" (1989), and the blend crossover
    is BLX-0.5 of L. Eshelman and J. D. Schaffer (1993). Children are built
    in the unit cube, reflected at the bounds and snapped to values.

    Parents from different sub-spaces of a conditional space are not crossed:
    the child copies one of them. Mutation re-draws categorical parameters
    and the sub-space (whose parameters then start at random values).
    Failed candidates (NaN scores) lose every tournament against a successful
    one.

    A generation starts when every child of the previous one has been told.
    Asked for more before that (asynchronous workers), the optimizer breeds
    more children of the current generation. :meth:`candidate_info` gives
    the ``generation`` of each candidate (-1 for points it did not propose).

    Examples
    --------
    >>> from sklearn_hpo.optimizers import EvolutionaryOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = EvolutionaryOptimizer({"x": Real(-5.0, 5.0)}, population_size=8,
    ...                             random_state=0)
    >>> for _ in range(5):
    ...     cands = opt.ask(8)
    ...     opt.tell(cands, [-(c["x"] - 1.0) ** 2 for c in cands])
    >>> bool(opt.y.max() > -0.05), opt.generation
    (True, 4)
    """

    def __init__(
        self,
        search_space: Any,
        *,
        budget: int = 50,
        population_size: int | None = None,
        tournament_size: int = 3,
        crossover: str = "blend",
        crossover_prob: float = 0.9,
        mutation_scale: float = 0.1,
        mutation_prob: float | None = None,
        n_elites: int = 1,
        random_state: Any = None,
    ) -> None:
        self.budget = check_int("budget", budget, 1)
        self.population_size = check_optional_int(
            "population_size", population_size, 2,
            default_population_size(self.budget),
        )
        self.tournament_size = check_int("tournament_size", tournament_size, 1)
        self.crossover = check_option("crossover", crossover, _CROSSOVER)
        self.crossover_prob = check_real("crossover_prob", crossover_prob, low=0,
                                         high=1)
        self.mutation_scale = check_real("mutation_scale", mutation_scale, low=0,
                                         high=1, low_inclusive=False)
        if mutation_prob is not None:
            mutation_prob = check_real("mutation_prob", mutation_prob, low=0,
                                       high=1)
        self.n_elites = check_int("n_elites", n_elites, 0)
        super().__init__(search_space, random_state=random_state)
        d = max(self.space.n_columns, 1)
        self.mutation_prob = 1.0 / d if mutation_prob is None else mutation_prob
        self.generation = -1
        self._queue = np.empty((0, self.space.n_columns))
        self._labels: dict[bytes, int] = {}
        self._gen_start = 0  # first observation told in the current generation
        self._parents = np.empty(0, dtype=np.int64)

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """The ``generation`` of each candidate (-1 if not proposed here)."""
        labels = self._labels_of(candidates, self._labels, -1)
        return {"generation": [int(g) for g in labels]}

    # -------------------------------------------------------------- propose
    def _propose(self, n_candidates: int) -> np.ndarray:
        pending = any(self._labels.get(k) == self.generation for k in self._pending)
        if len(self._queue) == 0 and not pending:
            self._next_generation()
        excluded = self._excluded
        keys = self.space.row_keys(self._queue) if len(self._queue) else []
        new = [i for i, k in enumerate(keys) if k not in excluded][:n_candidates]
        rows = list(self._queue[new])
        self._queue = self._queue[new[-1] + 1 :] if new else self._queue[:0]
        if len(rows) < n_candidates:  # more children of the same generation
            rows += list(self._fresh(n_candidates - len(rows), rows))
        for key in self.space.row_keys(np.array(rows)) if rows else []:
            self._labels[key] = self.generation
        if not rows:
            return np.empty((0, self.space.n_columns))
        return np.vstack(rows)

    def _fresh(self, n: int, chosen: list[np.ndarray] | None = None) -> np.ndarray:
        """Up to ``n`` distinct children never asked before."""
        excluded = set(self._excluded)
        if chosen:
            excluded.update(self.space.row_keys(np.array(chosen)))
        rows: list[np.ndarray] = []
        for _ in range(_TRIES):
            children = self._breed(n - len(rows))
            for key, row in zip(self.space.row_keys(children), children):
                if key not in excluded:
                    excluded.add(key)
                    rows.append(row)
            if len(rows) == n:
                break
        return np.array(rows).reshape(len(rows), self.space.n_columns)

    def _next_generation(self) -> None:
        if self.generation < 0:
            self.generation = 0
            n = max(self.population_size - self.n_observations, 1)
            self._queue = latin_hypercube(self.space, n, self._rng)
            return
        self._parents = self._select_parents()
        self.generation += 1
        self._gen_start = self.n_observations
        self._queue = self._fresh(self.population_size)

    def _select_parents(self) -> np.ndarray:
        """Observations of the last generation plus the elites ever."""
        idx = set(range(self._gen_start, self.n_observations))
        score = np.nan_to_num(self.y, nan=-np.inf)
        order = np.argsort(-score, kind="stable")
        idx.update(int(i) for i in order[: self.n_elites])
        return np.array(sorted(idx), dtype=np.int64)

    # ------------------------------------------------------------ operators
    def _breed(self, n: int) -> np.ndarray:
        parents = self._parents
        if len(parents) == 0:
            return self.space.sample_unit(n, self._rng)
        X = self.X_unit[parents]
        f = np.nan_to_num(self.y[parents], nan=-np.inf)
        children = np.empty((n, self.space.n_columns))
        for c in range(n):
            a, b = self._tournament(f), self._tournament(f)
            if self._rng.random() < self.crossover_prob:
                children[c] = self._cross(X[a], X[b])
            else:
                children[c] = X[a]
        return mutate(
            self.space, children, self._rng, sigma=self.mutation_scale,
            p_numeric=self.mutation_prob, p_categorical=self.mutation_prob,
        )

    def _tournament(self, f: np.ndarray) -> int:
        entrants = self._rng.integers(len(f), size=self.tournament_size)
        return int(entrants[np.argmax(f[entrants])])

    def _cross(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """One child of two unit rows (a copy of one if their sub-spaces differ)."""
        space = self.space
        if space.has_selector and a[0] != b[0]:
            return (a if self._rng.random() < 0.5 else b).copy()
        d = space.n_columns
        pick = self._rng.random(d) < 0.5
        child = np.where(pick, a, b)
        if self.crossover == "blend":
            numeric = np.array([c.kind != "categorical" for c in space.columns])
            # BLX-0.5: uniform in the parents' interval widened by half its length.
            u = self._rng.uniform(-0.5, 1.5, d)
            blend = reflect(np.nan_to_num(a + u * (b - a), nan=0.5))
            child = np.where(numeric & ~np.isnan(a), blend, child)
        return child
