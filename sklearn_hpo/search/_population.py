"""Annealing, evolutionary and particle-swarm searches (thin SearchCV classes)."""

from __future__ import annotations

import numbers

import numpy as np

from sklearn_hpo.optimizers import (
    AnnealingOptimizer,
    BaseOptimizer,
    EvolutionaryOptimizer,
    ParticleSwarmOptimizer,
)
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._common_params import N_ITER_BUDGET
from sklearn_hpo.search._params import Param, make_optimizer, search_parameters
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["AnnealingSearchCV", "EvolutionarySearchCV", "ParticleSwarmSearchCV"]


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "n_initial_points", "int", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="""
        Random candidates before annealing; None uses 10% of ``n_iter``
        (between 3 and 10).
        """,
    ),
    Param(
        "step_size", "float", default=0.2,
        constraints=[Interval(numbers.Real, 0, 1, closed="right")],
        doc="""
        Initial standard deviation of a move in the unit cube of the space
        (log scale for ``log=True``); it shrinks with the temperature.
        """,
    ),
    after="n_iter",
)
class AnnealingSearchCV(BaseSequentialSearchCV):
    """Simulated-annealing search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that walks from the best of a few random candidates to neighbouring ones,
    accepting worse ones with a probability that decays with a temperature
    (see :class:`~sklearn_hpo.optimizers.AnnealingOptimizer`).

    {parameters}

    {sequential_attributes}

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

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            AnnealingOptimizer, space, random_state,
            {"budget": self.n_iter, "n_initial_points": self.n_initial_points,
             "step_size": self.step_size},
        )


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "population_size", "int", default=None,
        constraints=[Interval(numbers.Integral, 2, None, closed="left"), None],
        doc="""
        Candidates per generation; None uses ``sqrt(2 * n_iter)`` between 4
        and 20 (8 for ``n_iter=30``, 10 for 50, 14 for 100).
        """,
    ),
    Param(
        "crossover", '{"blend", "uniform"}', default="blend",
        constraints=[StrOptions({"blend", "uniform"})],
        doc="Blend (BLX-0.5) or uniform crossover of numeric parameters.",
    ),
    Param(
        "mutation_scale", "float", default=0.1,
        constraints=[Interval(numbers.Real, 0, 1, closed="right")],
        doc="Standard deviation of a mutation in the unit cube of the space.",
    ),
    after="n_iter",
)
class EvolutionarySearchCV(BaseSequentialSearchCV):
    """Genetic-algorithm search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that evolves a population of candidates by tournament selection,
    crossover, mutation and elitism (see
    :class:`~sklearn_hpo.optimizers.EvolutionaryOptimizer`). Set
    ``n_points=population_size`` to evaluate a whole generation in parallel.

    {parameters}

    {sequential_attributes}

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

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            EvolutionaryOptimizer, space, random_state,
            {"budget": self.n_iter, "population_size": self.population_size,
             "crossover": self.crossover, "mutation_scale": self.mutation_scale},
        )


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "n_particles", "int", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="Swarm size; None uses ``sqrt(2 * n_iter)`` between 4 and 20.",
    ),
    Param(
        "inertia", "float", default=0.7298,
        constraints=[Interval(numbers.Real, 0, 1, closed="both")],
        doc="Inertia weight of the velocity.",
    ),
    Param(
        "cognitive", "float", default=1.49618,
        constraints=[Interval(numbers.Real, 0, None, closed="left")],
        doc="Acceleration towards a particle's own best.",
    ),
    Param(
        "social", "float", default=1.49618,
        constraints=[Interval(numbers.Real, 0, None, closed="left")],
        doc="Acceleration towards the swarm's best.",
    ),
    after="n_iter",
)
class ParticleSwarmSearchCV(BaseSequentialSearchCV):
    """Particle-swarm search of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that moves a swarm of candidates towards their own and the swarm's best
    (see :class:`~sklearn_hpo.optimizers.ParticleSwarmOptimizer`). Set
    ``n_points=n_particles`` to evaluate a whole swarm step in parallel.

    {parameters}

    {sequential_attributes}

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

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            ParticleSwarmOptimizer, space, random_state,
            {"budget": self.n_iter, "n_particles": self.n_particles,
             "inertia": self.inertia, "cognitive": self.cognitive,
             "social": self.social},
        )
