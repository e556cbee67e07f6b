"""Annealing, evolutionary and particle-swarm searches (thin SearchCV classes)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sklearn_hpo.optimizers import (
    AnnealingOptimizer,
    BaseOptimizer,
    EvolutionaryOptimizer,
    ParticleSwarmOptimizer,
)
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._bayes import _ATTRIBUTES_DOC, _COMMON_PARAMS_DOC
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["AnnealingSearchCV", "EvolutionarySearchCV", "ParticleSwarmSearchCV"]

_HEAD_PARAMS_DOC = """
    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        Parameter names mapped to ``Real``, ``Integer``, ``Categorical``,
        frozen ``scipy.stats`` distributions or lists of values (as in
        :class:`BayesSearchCV`). A list of dicts is a conditional space.

    n_iter : int, default=50
        Number of candidates evaluated (fewer only if a finite space runs
        out); also the budget the optimizer plans for.
"""


def _attributes(optimizer: str, column: str = "") -> str:
    doc = _ATTRIBUTES_DOC.replace(
        "optimizer_ : BaseOptimizer", f"optimizer_ : {optimizer}"
    )
    if column:
        doc = doc.replace(
            "plus a ``round`` column: the ask/tell round of each candidate.",
            f"plus a ``round`` column (the ask/tell round of each candidate)\n"
            f"        and {column}",
        )
    return doc


_COMMON = (
    "n_iter", "n_points", "initial_points", "scoring", "n_jobs", "refit", "cv",
    "verbose", "pre_dispatch", "random_state", "error_score", "return_train_score",
)


def _common(args: dict) -> dict:
    """The BaseSequentialSearchCV arguments among a constructor's ``locals()``."""
    return {name: args[name] for name in _COMMON}


def _seed(random_state: np.random.RandomState) -> int:
    return int(random_state.randint(np.iinfo(np.int32).max))


class AnnealingSearchCV(BaseSequentialSearchCV):
    __doc__ = (
        """Simulated-annealing search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that walks from the best of a few random candidates to neighbouring ones,
    accepting worse ones with a probability that decays with a temperature
    (see :class:`~sklearn_hpo.optimizers.AnnealingOptimizer`).
"""
        + _HEAD_PARAMS_DOC
        + """
    n_initial_points : int, default=None
        Random candidates before annealing; None uses 10% of ``n_iter``
        (between 3 and 10).

    step_size : float, default=0.2
        Initial standard deviation of a move in the unit cube of the space
        (log scale for ``log=True``); it shrinks with the temperature.
"""
        + _COMMON_PARAMS_DOC
        + _attributes("AnnealingOptimizer")
        + """
    Notes
    -----
    S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi, "Optimization by simulated
    annealing", Science 220 (1983). With ``n_points > 1`` each round
    evaluates that many neighbours of the current state.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import AnnealingSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True)}
    >>> search = AnnealingSearchCV(SVC(), space, n_iter=8, cv=3,
    ...                            random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    """
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "step_size": [Interval(numbers.Real, 0, 1, closed="right")],
    }

    def __init__(
        self, estimator: Any, search_spaces: Any, *, n_iter: int = 50,
        n_initial_points: int | None = None, step_size: float = 0.2,
        n_points: int = 1, initial_points: list[dict] | None = None,
        scoring: Any = None, n_jobs: int | None = None, refit: Any = True,
        cv: Any = None, verbose: int = 0, pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None, error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(estimator, search_spaces, **_common(locals()))
        self.n_initial_points = n_initial_points
        self.step_size = step_size

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return AnnealingOptimizer(
            space, budget=self.n_iter, n_initial_points=self.n_initial_points,
            step_size=self.step_size, random_state=_seed(random_state),
        )


class EvolutionarySearchCV(BaseSequentialSearchCV):
    __doc__ = (
        """Genetic-algorithm search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that evolves a population of candidates by tournament selection,
    crossover, mutation and elitism (see
    :class:`~sklearn_hpo.optimizers.EvolutionaryOptimizer`). Set
    ``n_points=population_size`` to evaluate a whole generation in parallel.
"""
        + _HEAD_PARAMS_DOC
        + """
    population_size : int, default=None
        Candidates per generation; None uses ``sqrt(2 * n_iter)`` between 4
        and 20 (8 for ``n_iter=30``, 10 for 50, 14 for 100).

    crossover : {"blend", "uniform"}, default="blend"
        Blend (BLX-0.5) or uniform crossover of numeric parameters.

    mutation_scale : float, default=0.1
        Standard deviation of a mutation in the unit cube of the space.
"""
        + _COMMON_PARAMS_DOC
        + _attributes(
            "EvolutionaryOptimizer",
            "a ``generation`` column\n        (-1 for ``initial_points``).",
        )
        + """
    Notes
    -----
    J. H. Holland, "Adaptation in Natural and Artificial Systems" (1975);
    D. E. Goldberg, "Genetic Algorithms in Search, Optimization and Machine
    Learning" (1989).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import EvolutionarySearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True)}
    >>> search = EvolutionarySearchCV(SVC(), space, n_iter=8, population_size=4,
    ...                               cv=3, random_state=0).fit(X, y)
    >>> [int(g) for g in search.cv_results_["generation"]]
    [0, 0, 0, 0, 1, 1, 1, 1]
    """
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "population_size": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "crossover": [StrOptions({"blend", "uniform"})],
        "mutation_scale": [Interval(numbers.Real, 0, 1, closed="right")],
    }

    def __init__(
        self, estimator: Any, search_spaces: Any, *, n_iter: int = 50,
        population_size: int | None = None, crossover: str = "blend",
        mutation_scale: float = 0.1, n_points: int = 1,
        initial_points: list[dict] | None = None, scoring: Any = None,
        n_jobs: int | None = None, refit: Any = True, cv: Any = None,
        verbose: int = 0, pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None, error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(estimator, search_spaces, **_common(locals()))
        self.population_size = population_size
        self.crossover = crossover
        self.mutation_scale = mutation_scale

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return EvolutionaryOptimizer(
            space, budget=self.n_iter, population_size=self.population_size,
            crossover=self.crossover, mutation_scale=self.mutation_scale,
            random_state=_seed(random_state),
        )


class ParticleSwarmSearchCV(BaseSequentialSearchCV):
    __doc__ = (
        """Particle-swarm search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that moves a swarm of candidates towards their own and the swarm's best
    (see :class:`~sklearn_hpo.optimizers.ParticleSwarmOptimizer`). Set
    ``n_points=n_particles`` to evaluate a whole swarm step in parallel.
"""
        + _HEAD_PARAMS_DOC
        + """
    n_particles : int, default=None
        Swarm size; None uses ``sqrt(2 * n_iter)`` between 4 and 20.

    inertia : float, default=0.7298
        Inertia weight of the velocity.

    cognitive : float, default=1.49618
        Acceleration towards a particle's own best.

    social : float, default=1.49618
        Acceleration towards the swarm's best.
"""
        + _COMMON_PARAMS_DOC
        + _attributes(
            "ParticleSwarmOptimizer",
            "an ``iteration`` column\n        (the swarm step; -1 for "
            "``initial_points``).",
        )
        + """
    Notes
    -----
    J. Kennedy and R. Eberhart, "Particle swarm optimization" (1995), with
    the constriction coefficients of M. Clerc and J. Kennedy (2002).
    Categorical parameters move as continuous values that are snapped.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import ParticleSwarmSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True)}
    >>> search = ParticleSwarmSearchCV(SVC(), space, n_iter=8, n_particles=4,
    ...                                cv=3, random_state=0).fit(X, y)
    >>> [int(i) for i in search.cv_results_["iteration"]]
    [0, 0, 0, 0, 1, 1, 1, 1]
    """
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "n_particles": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "inertia": [Interval(numbers.Real, 0, 1, closed="both")],
        "cognitive": [Interval(numbers.Real, 0, None, closed="left")],
        "social": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self, estimator: Any, search_spaces: Any, *, n_iter: int = 50,
        n_particles: int | None = None, inertia: float = 0.7298,
        cognitive: float = 1.49618, social: float = 1.49618, n_points: int = 1,
        initial_points: list[dict] | None = None, scoring: Any = None,
        n_jobs: int | None = None, refit: Any = True, cv: Any = None,
        verbose: int = 0, pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None, error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(estimator, search_spaces, **_common(locals()))
        self.n_particles = n_particles
        self.inertia = inertia
        self.cognitive = cognitive
        self.social = social

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return ParticleSwarmOptimizer(
            space, budget=self.n_iter, n_particles=self.n_particles,
            inertia=self.inertia, cognitive=self.cognitive, social=self.social,
            random_state=_seed(random_state),
        )
