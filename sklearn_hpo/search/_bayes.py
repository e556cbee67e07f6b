"""Model-based searches: BayesSearchCV (Gaussian process) and TPESearchCV."""

from __future__ import annotations

import numbers
from dataclasses import replace
from typing import Any

import numpy as np

from sklearn_hpo.optimizers import BaseOptimizer, TPEOptimizer
from sklearn_hpo.optimizers._named import optimizer_class
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._common_params import N_POINTS_SLIDING
from sklearn_hpo.search._params import Param, make_optimizer, search_parameters
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["BayesSearchCV", "TPESearchCV"]

_N_INITIAL_POINTS = Param(
    "n_initial_points", "int", default=10,
    constraints=[Interval(numbers.Integral, 1, None, closed="left")],
    doc="""
    Space-filling (or random) candidates evaluated before the model is
    used (with ``optimizer="tpe"``: until this many have succeeded, with
    a finite score).
    """,
)
_OPTIMIZER_KWARGS = Param(
    "optimizer_kwargs", "dict", default=None,
    constraints=[dict, None],
    doc="""
    Further keyword arguments of the optimizer class, e.g. ``{"xi": 0.05}``
    for :class:`~sklearn_hpo.optimizers.GPOptimizer`.
    """,
)


@search_parameters(
    Param(
        "optimizer", '{"gp", "tpe", "random"}', default="gp",
        constraints=[StrOptions({"gp", "tpe", "random"})],
        doc="""
        The strategy: Gaussian process, tree-structured Parzen estimator or
        random search (the baseline).
        """,
    ),
    _N_INITIAL_POINTS,
    Param(
        "acq_func", '{"auto", "ei", "pi", "lcb"}', default="auto",
        constraints=[StrOptions({"auto", "ei", "pi", "lcb"})],
        doc="""
        Acquisition function of the Gaussian process (ignored by other
        optimizers): expected improvement, probability of improvement or
        the confidence bound. "auto" alternates expected improvement and
        the confidence bound, which is robust to noisy CV scores; see
        :class:`~sklearn_hpo.optimizers.GPOptimizer`.
        """,
    ),
    _OPTIMIZER_KWARGS,
    N_POINTS_SLIDING,
    after="n_iter",
)
class BayesSearchCV(BaseSequentialSearchCV):
    """Bayesian optimisation of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`:
    a Gaussian-process surrogate of the cross-validated score picks each next
    candidate by maximising an acquisition function, so good regions are found
    with far fewer fits than a grid or random search needs.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    TPESearchCV : Tree-structured Parzen estimator search.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Notes
    -----
    Sequential model-based optimisation (Snoek et al., "Practical Bayesian
    Optimization of Machine Learning Algorithms", NeurIPS 2012). The optimizer
    runs in the driver process; only the fits are dispatched to workers.

    With ``optimizer="gp"`` the cost of a proposal is bounded: beyond 300
    observations the Gaussian process is conditioned on a subset of 300 (the
    best half, the latest tenth and a space-filling share of the others) and
    its hyperparameters are refit every 5th proposal; below that the model is
    exact. ``optimizer_.model_subset_`` holds the indices of the observations
    the last model used (None when it used all), and
    ``optimizer_kwargs={"max_model_points": n}`` sets the size (None: always
    exact); see :class:`~sklearn_hpo.optimizers.GPOptimizer`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import BayesSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)},
    ...                        n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> sorted(search.best_params_)
    ['C']
    """

    _sliding_window = True

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        options: dict[str, Any] = {}
        if self.optimizer != "random":
            options["n_initial_points"] = self.n_initial_points
        if self.optimizer == "gp":
            options["acq_func"] = self.acq_func
        return make_optimizer(
            optimizer_class(self.optimizer), space, random_state, options,
            self.optimizer_kwargs,
        )


@search_parameters(
    replace(
        _N_INITIAL_POINTS,
        doc="""
        Random candidates are evaluated until this many have succeeded (a
        finite score); then the densities are used.
        """,
    ),
    replace(
        _OPTIMIZER_KWARGS,
        doc="""
        Further keyword arguments of
        :class:`~sklearn_hpo.optimizers.TPEOptimizer`, e.g.
        ``{"multivariate": False}``.
        """,
    ),
    N_POINTS_SLIDING,
    after="n_iter",
)
class TPESearchCV(BaseSequentialSearchCV):
    """Tree-structured Parzen estimator search with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`:
    densities of the good and the bad candidates seen so far pick each next
    candidate where good ones are likely and bad ones are not. Its overhead
    is tiny and it handles categorical and conditional spaces natively.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    BayesSearchCV : Gaussian-process search.

    Notes
    -----
    The defaults are TPE's robust ones (Watanabe, 2023), as in Optuna's
    TPESampler: 10 random candidates, then a good group of
    ``min(ceil(0.1 n), 25)`` of the ``n`` scored candidates, 24 draws from
    the good density per proposal, a uniform prior component of weight 1,
    bad candidates' kernels as wide as the gaps to their neighbours (with
    Optuna's "magic clip" floor), older bad candidates down-weighted,
    integers modelled value by value and
    categorical kernels whose smoothing fades as a group grows. The kernels
    are multivariate (parameters modelled jointly), which helps when
    parameters interact (Falkner et al., 2018; Watanabe, 2023); pass
    ``optimizer_kwargs={{"multivariate": False}}`` for the original
    independent TPE. See :class:`~sklearn_hpo.optimizers.TPEOptimizer`.

    References: Bergstra, Bardenet, Bengio and Kegl, "Algorithms for
    Hyper-Parameter Optimization", NeurIPS 2011. Falkner, Klein and Hutter,
    "BOHB: robust and efficient hyperparameter optimization at scale", ICML
    2018. Watanabe, "Tree-structured Parzen estimator: understanding its
    algorithm components and their roles for better empirical performance",
    arXiv:2304.11127, 2023.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_hpo import Integer, TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(KNeighborsClassifier(),
    ...                      {"n_neighbors": Integer(1, 30)},
    ...                      n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> sorted(search.best_params_)
    ['n_neighbors']
    """

    _sliding_window = True

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            TPEOptimizer, space, random_state,
            {"n_initial_points": self.n_initial_points}, self.optimizer_kwargs,
        )
