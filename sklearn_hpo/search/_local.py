"""Hybrid grid/random, coordinate descent and SPSA searches."""

from __future__ import annotations

import numbers

import numpy as np

from sklearn_hpo.optimizers import (
    BaseOptimizer,
    CoordinateDescentOptimizer,
    HybridOptimizer,
    SPSAOptimizer,
)
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._common_params import N_ITER_BUDGET
from sklearn_hpo.search._params import Param, make_optimizer, search_parameters
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["CoordinateDescentSearchCV", "HybridSearchCV", "SPSASearchCV"]


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "n_iter_per_grid_point", "int", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="""
        Candidates per grid point: the search evaluates
        ``n_iter_per_grid_point * n_grid_points`` candidates, at most
        ``n_iter``. None spreads ``n_iter`` evenly over the grid points.
        """,
    ),
    Param(
        "max_integer_grid", "int", default=0,
        constraints=[Interval(numbers.Integral, 0, None, closed="left")],
        doc="""
        Integer parameters with at most this many values are put on the grid
        instead of being sampled.
        """,
    ),
    Param(
        "sampling", '{"sobol", "random"}', default="sobol",
        constraints=[StrOptions({"sobol", "random"})],
        doc="""
        How the parameters off the grid are sampled: consecutive points of a
        scrambled Sobol' sequence, which spread more evenly over the space
        than independent draws, or independent random draws.
        """,
    ),
    Param(
        "refine", "float", default=0.5,
        constraints=[Interval(numbers.Real, 0, 1, closed="left")],
        doc="""
        Fraction of ``n_iter`` spent refining, in [0, 1): each of these
        candidates takes one of the five best candidates so far, keeps its
        grid values and moves its sampled parameters by a Gaussian step
        (0.1 of each parameter's range, in the transformed space, shrinking
        to 0.02). 0 is a pure grid-times-sampling search.
        """,
    ),
    after="n_iter",
)
class HybridSearchCV(BaseSequentialSearchCV):
    """Grid search over the discrete parameters, quasi-random search over the rest.

    The first half of ``n_iter`` (by default) explores; the second refines
    around the best candidates found.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    for a grid that also has continuous parameters: every combination of the
    lists (and :class:`~sklearn_hpo.space.Categorical` parameters) is crossed
    with sampled values of the distributions (:class:`~sklearn_hpo.space.Real`,
    ``scipy.stats`` distributions, large :class:`~sklearn_hpo.space.Integer`
    ranges), by default quasi-random points of a scrambled Sobol' sequence.
    Grid points are visited round-robin, so stopping early still covers the
    grid evenly. Without lists it is quasi-random search. The grid may have
    at most 100,000 points (a ValueError at fit says so); sample the
    parameters of a larger one, e.g. as ``Integer`` ranges.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    sklearn_hpo.optimizers.HybridOptimizer : The ask/tell strategy.

    Notes
    -----
    Sampling covers each continuous parameter with more distinct values than
    a grid of the same size (Bergstra and Bengio, "Random search for
    hyper-parameter optimization", JMLR 13, 2012), and a low-discrepancy
    sequence covers the space more evenly than independent draws (same
    paper, section 5), while the grid keeps every discrete combination
    evaluated.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import HybridSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    >>> search = HybridSearchCV(SVC(), space, n_iter=4, cv=3,
    ...                         random_state=0).fit(X, y)
    >>> [int(g) for g in search.cv_results_["grid_point"]][:2]  # both explored
    [0, 1]
    """

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            HybridOptimizer, space, random_state,
            {"n_per_grid_point": self.n_iter_per_grid_point,
             "max_integer_grid": self.max_integer_grid, "sampling": self.sampling,
             "budget": self.n_iter, "refine": self.refine},
        )


@search_parameters(
    Param(
        "n_line", "int", default=4,
        constraints=[Interval(numbers.Integral, 1, None, closed="left")],
        doc="""
        Values of a real or integer parameter per line search (categorical
        parameters try all their values).
        """,
    ),
    Param(
        "shrink", "float", default=0.5,
        constraints=[Interval(numbers.Real, 0, 1, closed="neither")],
        doc="""
        Factor applied to a parameter's search range after a line search
        over it finds nothing better.
        """,
    ),
    after="n_iter",
)
class CoordinateDescentSearchCV(BaseSequentialSearchCV):
    """Coordinate descent over the hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that tunes one parameter at a time, as one does by hand: a line search
    over one parameter with the others fixed at the best values so far, then
    the next parameter, cycle after cycle, a parameter's range shrinking
    when a line search over it finds nothing better. Use ``n_points=n_line``
    to evaluate each line search as one parallel batch.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    sklearn_hpo.optimizers.CoordinateDescentOptimizer : The ask/tell strategy.

    Notes
    -----
    Compass search (Kolda, Lewis and Torczon, SIAM Review 45, 2003) with line
    searches along the coordinates (Wright, "Coordinate descent algorithms",
    Math. Programming 151, 2015). It starts from the centre of the space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import CoordinateDescentSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = CoordinateDescentSearchCV(SVC(), space, n_iter=9, cv=3).fit(X, y)
    >>> [str(c) for c in search.cv_results_["coordinate"]]
    ['', 'C', 'C', 'C', 'C', 'gamma', 'gamma', 'gamma', 'gamma']
    """

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            CoordinateDescentOptimizer, space, random_state,
            {"n_line": self.n_line, "shrink": self.shrink},
        )


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "n_perturbations", "int", default=1,
        constraints=[Interval(numbers.Integral, 1, None, closed="left")],
        doc="""
        Perturbation pairs averaged per step. A step evaluates the current
        point and each pair: set ``n_points`` to ``2 * n_perturbations + 1``
        to evaluate it as one parallel batch.
        """,
    ),
    Param(
        "c", "float", default=0.05,
        constraints=[Interval(numbers.Real, 0, 0.5, closed="right")],
        doc="""
        Initial perturbation size, as a fraction of each parameter's range
        (of its log for ``log=True``).
        """,
    ),
    Param(
        "initial_step", "float", default=0.1,
        constraints=[Interval(numbers.Real, 0, 1, closed="right")],
        doc="""
        Size of the first step along the largest gradient component, as a
        fraction of the range; calibrates the step gain.
        """,
    ),
    after="n_iter",
)
class SPSASearchCV(BaseSequentialSearchCV):
    """Simultaneous perturbation (SPSA) search with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that climbs the cross-validated score with gradient estimates from pairs
    of evaluations (both sides of a random perturbation of all the continuous
    parameters at once). Suited to smooth, low-dimensional continuous spaces
    and budgets of about 100 candidates; categorical parameters are held at
    the best value of a few start candidates.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    sklearn_hpo.optimizers.SPSAOptimizer : The ask/tell strategy.

    Notes
    -----
    Spall, IEEE Trans. Automatic Control 37 (1992), with the gains of Spall,
    IEEE Trans. Aerospace and Electronic Systems 34 (1998). It never computes
    a true gradient. The best candidate is the best evaluated one.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import Real, SPSASearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = SPSASearchCV(SVC(), space, n_iter=9, cv=3,
    ...                       random_state=0).fit(X, y)
    >>> [int(i) for i in search.cv_results_["iteration"]]
    [-1, -1, -1, -1, -1, 0, 0, 1, 1]
    """

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            SPSAOptimizer, space, random_state,
            {"budget": self.n_iter, "n_perturbations": self.n_perturbations,
             "c": self.c, "initial_step": self.initial_step},
        )
