"""Model-based searches: BayesSearchCV (Gaussian process) and TPESearchCV."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sklearn_hpo import optimizers
from sklearn_hpo.optimizers import BaseOptimizer
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["BayesSearchCV", "TPESearchCV"]

# Names of the optimizer classes in sklearn_hpo.optimizers.
_OPTIMIZERS = {"gp": "GPOptimizer", "tpe": "TPEOptimizer", "random": "RandomOptimizer"}

_COMMON_PARAMS_DOC = """
    n_points : int, default=1
        Candidates proposed and evaluated per round, in parallel over
        ``n_jobs`` (a batch from the optimizer). The same ``random_state``
        gives the same candidates whatever ``n_jobs`` is.

    initial_points : list of dict, default=None
        Candidates to evaluate first (expert guesses, a previous search's
        best), counted in ``n_iter``; the optimizer learns from them like from
        its own. Each must be a point of ``search_spaces``.

    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics the optimizer maximises the ``refit`` metric (or the first
        one when ``refit`` is not a metric name).

    n_jobs : int, default=None
        Number of jobs to run in parallel (candidates x folds), through joblib;
        any joblib backend works (e.g. dask or Ray clusters).

    refit : bool, str or callable, default=True
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV` (5-fold by
        default, stratified for classifiers). The data are split once per
        ``fit``: every candidate is scored on the same splits, even with a
        splitter that shuffles without a ``random_state``.

    verbose : int, default=0
        Verbosity, as in :class:`~sklearn.model_selection.GridSearchCV`.

    pre_dispatch : int or str, default="2*n_jobs"
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    random_state : int, RandomState instance or None, default=None
        Seeds the optimizer, for reproducible searches.

    error_score : "raise" or float, default=np.nan
        Score of a failed fit. With a number, failed candidates are recorded
        (and steer the optimizer away) and the search goes on; only when every
        fit of the whole search fails is an error raised.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, in evaluation
        order, plus a ``round`` column: the ask/tell round of each candidate.

    best_estimator_ : estimator
        Estimator refit on the whole data with the best parameters (when
        ``refit`` is not False).

    best_score_ : float
        Mean cross-validated score of the best candidate (not set with a
        callable ``refit``).

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``.

    scorer_ : function or dict
        Scorer function(s) used on held-out data.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds spent refitting the best model (when ``refit`` is not False).

    multimetric_ : bool
        Whether several metrics were used.

    optimizer_ : BaseOptimizer
        The ask/tell optimizer after the search, holding every observation.

    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers with ``refit`` only).

    n_features_in_ : int
        Number of features seen during fit (with ``refit`` only).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when they are all strings.
"""


# The model-based searches evaluate with a sliding window (search/_sliding.py).
_N_POINTS_ROUNDS = """    n_points : int, default=1
        Candidates proposed and evaluated per round, in parallel over
        ``n_jobs`` (a batch from the optimizer). The same ``random_state``
        gives the same candidates whatever ``n_jobs`` is.
"""
_N_POINTS_SLIDING = """    n_points : int, default=1
        Candidates out for evaluation at a time, in parallel over ``n_jobs``.
        The next candidate is asked for as soon as the oldest one is scored
        (the model sees every score told so far; the candidates still out
        count as pending), so no worker waits for the slowest fit of a round.
        Scores are told in candidate order: the same ``random_state`` gives
        the same candidates and ``cv_results_`` whatever ``n_jobs`` is (with
        a ``cv`` that splits the same way at every call). With
        ``n_jobs`` > 1 each candidate is evaluated from a thread of its own
        (its folds on joblib's workers); with ``error_score="raise"``,
        scikit-learn callbacks or a joblib backend set by the user, the
        candidates out are evaluated together in rounds instead, with the
        same results.
"""
_ROUND_ROUNDS = "the ask/tell round of each candidate."
_ROUND_SLIDING = (
    "the index of the ask that proposed each candidate\n"
    "        (its row number: one ask per candidate)."
)
assert _N_POINTS_ROUNDS in _COMMON_PARAMS_DOC and _ROUND_ROUNDS in _ATTRIBUTES_DOC
_MODEL_PARAMS_DOC = _COMMON_PARAMS_DOC.replace(_N_POINTS_ROUNDS, _N_POINTS_SLIDING)
_MODEL_ATTRIBUTES_DOC = _ATTRIBUTES_DOC.replace(_ROUND_ROUNDS, _ROUND_SLIDING)

class BayesSearchCV(BaseSequentialSearchCV):
    _sliding_window = True

    __doc__ = (
        """Bayesian optimisation of hyperparameters with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`:
    a Gaussian-process surrogate of the cross-validated score picks each next
    candidate by maximising an acquisition function, so good regions are found
    with far fewer fits than a grid or random search needs.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        Parameter names mapped to :class:`~sklearn_hpo.space.Real`,
        :class:`~sklearn_hpo.space.Integer`,
        :class:`~sklearn_hpo.space.Categorical`, frozen ``scipy.stats``
        distributions or lists of values. A list of dicts is a conditional
        space (e.g. one dict per model of a pipeline step); every sub-space is
        searched by the optimizer.

    n_iter : int, default=50
        Number of candidates evaluated (fewer only if a finite space runs out).

    optimizer : {"gp", "tpe", "random"}, default="gp"
        The strategy: Gaussian process, tree-structured Parzen estimator or
        random search (the baseline).

    n_initial_points : int, default=10
        Space-filling (or random) candidates evaluated before the model is
        used (with ``optimizer="tpe"``: until this many have succeeded, with
        a finite score).

    acq_func : {"auto", "ei", "pi", "lcb"}, default="auto"
        Acquisition function of the Gaussian process (ignored by other
        optimizers): expected improvement, probability of improvement or
        the confidence bound. "auto" alternates expected improvement and
        the confidence bound, which is robust to noisy CV scores; see
        :class:`~sklearn_hpo.optimizers.GPOptimizer`.

    optimizer_kwargs : dict, default=None
        Further keyword arguments of the optimizer class, e.g. ``{"xi": 0.05}``
        for :class:`~sklearn_hpo.optimizers.GPOptimizer`.
"""
        + _MODEL_PARAMS_DOC
        + _MODEL_ATTRIBUTES_DOC
        + """
    See Also
    --------
    TPESearchCV : Tree-structured Parzen estimator search.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Notes
    -----
    Sequential model-based optimisation (Snoek et al., "Practical Bayesian
    Optimization of Machine Learning Algorithms", NeurIPS 2012). The optimizer
    runs in the driver process; only the fits are dispatched to workers.

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
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "acq_func": [StrOptions({"auto", "ei", "pi", "lcb"})],
        "optimizer_kwargs": [dict, None],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_iter: int = 50,
        optimizer: str = "gp",
        n_initial_points: int = 10,
        acq_func: str = "auto",
        optimizer_kwargs: dict | None = None,
        n_points: int = 1,
        initial_points: list[dict] | None = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(
            estimator,
            search_spaces,
            n_iter=n_iter,
            n_points=n_points,
            initial_points=initial_points,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.optimizer = optimizer
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.optimizer_kwargs = optimizer_kwargs

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        kwargs = dict(self.optimizer_kwargs or {})
        if self.optimizer != "random":
            kwargs.setdefault("n_initial_points", self.n_initial_points)
        if self.optimizer == "gp":
            kwargs.setdefault("acq_func", self.acq_func)
        seed = random_state.randint(np.iinfo(np.int32).max)
        cls = getattr(optimizers, _OPTIMIZERS[self.optimizer])
        return _build(cls, space, seed, kwargs)


class TPESearchCV(BaseSequentialSearchCV):
    _sliding_window = True

    __doc__ = (
        """Tree-structured Parzen estimator search with cross-validation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`:
    densities of the good and the bad candidates seen so far pick each next
    candidate where good ones are likely and bad ones are not. Its overhead
    is tiny and it handles categorical and conditional spaces natively.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        As in :class:`BayesSearchCV`.

    n_iter : int, default=50
        Number of candidates evaluated (fewer only if a finite space runs out).

    n_initial_points : int, default=10
        Random candidates are evaluated until this many have succeeded (a
        finite score); then the densities are used.

    optimizer_kwargs : dict, default=None
        Further keyword arguments of
        :class:`~sklearn_hpo.optimizers.TPEOptimizer`, e.g.
        ``{"multivariate": False}``.
"""
        + _MODEL_PARAMS_DOC
        + _MODEL_ATTRIBUTES_DOC
        + """
    See Also
    --------
    BayesSearchCV : Gaussian-process search.

    Notes
    -----
    Bergstra, Bardenet, Bengio and Kegl, "Algorithms for Hyper-Parameter
    Optimization", NeurIPS 2011.

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
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer_kwargs": [dict, None],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_iter: int = 50,
        n_initial_points: int = 10,
        optimizer_kwargs: dict | None = None,
        n_points: int = 1,
        initial_points: list[dict] | None = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(
            estimator,
            search_spaces,
            n_iter=n_iter,
            n_points=n_points,
            initial_points=initial_points,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.n_initial_points = n_initial_points
        self.optimizer_kwargs = optimizer_kwargs

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        kwargs = dict(self.optimizer_kwargs or {})
        kwargs.setdefault("n_initial_points", self.n_initial_points)
        seed = random_state.randint(np.iinfo(np.int32).max)
        return _build(optimizers.TPEOptimizer, space, seed, kwargs)


def _build(cls: type, space: SearchSpace, seed: int, kwargs: dict) -> BaseOptimizer:
    """Instantiate an optimizer; a bad option names ``optimizer_kwargs``."""
    try:
        return cls(space, random_state=seed, **kwargs)
    except TypeError as exc:
        raise TypeError(
            f"Invalid optimizer_kwargs for {cls.__name__}: {kwargs!r} ({exc})."
        ) from exc
