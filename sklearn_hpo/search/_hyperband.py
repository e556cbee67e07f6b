"""Multi-fidelity searches: HyperbandSearchCV and SuccessiveHalvingSearchCV.

Both run brackets of successive halving on top of scikit-learn's
``BaseSearchCV``: every rung is one ``evaluate_candidates`` call (full k-fold
cross-validation of every candidate with that rung's resource), and the best
``1 / factor`` of a rung are promoted to the next rung with ``factor`` times
the resource.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from sklearn_hpo.optimizers._bracket import BracketSampler
from sklearn_hpo.schedulers import (
    Bracket,
    hyperband_plan,
    max_halvings,
    successive_halving_plan,
)
from sklearn_hpo.search._multi_fidelity import BaseMultiFidelitySearchCV
from sklearn_hpo.utils._compat import (
    Interval,
    StrOptions,
)

__all__ = ["HyperbandSearchCV", "SuccessiveHalvingSearchCV"]

_WARM_START_NOTES = """
    Warm start (``warm_start``): with an int ``random_state``, forests,
    extra trees, bagging, gradient boosting and HistGradientBoosting give the
    same scores as retraining, checked in the tests. Gradient boosting with
    early stopping (``n_iter_no_change``, or HistGradientBoosting's
    ``early_stopping``, on by default above 10,000 samples) is retrained
    instead: its stopping criterion restarts at every fit, so a continued
    model would train past where a fresh fit stops.
    ``n_estimators`` and HistGradientBoosting's ``max_iter`` count in total;
    for other estimators (MLP, SGD, linear models) each warm fit runs
    ``max_iter`` more iterations, so a continuation is given the difference
    of the rungs' resources. Their scores differ from retraining (MLP and
    SGD restart their optimiser's state and learning-rate schedule at every
    fit), as do those of any estimator or pipeline step with unseeded
    randomness. With ``resource="partial_fit"`` a continued model is given
    the missing epochs; SGD and MLP (seeded) then give the same scores as
    retraining, checked in the tests. While the search runs, the models of
    the candidates of the current rung are kept, one per training fold, and
    only the promoted candidates' models are kept for the next rung; so at
    most ``n_candidates x n_splits_`` models (those of the largest rung, at
    its resource) are held at once, in memory with one joblib worker and
    otherwise as files in a temporary directory, which every fit removes
    when it ends (also on error). Models of a bracket's last rung are not
    kept. A worker that cannot see that directory (a cluster without shared
    disk) retrains, with the same scores where warm start is exact. The
    refit on the whole data is a plain fit. A continued HistGradientBoosting
    model also keeps the bins it found on the same training fold instead of
    searching them again (they would be identical); this uses a private
    method of scikit-learn, checked for its signature, and is skipped where
    it differs.
"""

_COMMON_PARAMS_DOC = """
    resource : str, default="n_samples"
        What a rung gives more of: ``"n_samples"`` subsamples each training
        fold (stratified for classifiers; test folds are kept whole);
        ``"partial_fit"`` is the number of epochs (calls of the estimator's
        ``partial_fit`` on the whole training fold; for a pipeline, its final
        step's, after the other steps are fitted); any other value names an
        integer parameter of the estimator, nested ones included
        (``"clf__n_estimators"``, ``"mlp__max_iter"``), which is set in every
        candidate. The resource must not be in ``search_spaces``.

    min_resources : {min_resources_type}, default="auto"
        Smallest resource of a candidate. "auto" is ``2 * n_splits`` (times
        the number of classes, for classifiers) with ``"n_samples"``, and 1
        for a parameter; "smallest", scikit-learn's name for that rule, is
        the same.{min_resources_more}

    max_resources : int or "auto", default="auto"
        Largest resource. "auto" is the number of samples with
        ``"n_samples"``; it must be given for a parameter and for
        ``"partial_fit"`` (the most epochs a candidate gets; the refit
        trains for the epochs the best candidate was scored with, which
        ``best_params_`` does not hold: they are
        ``cv_results_["n_resources"][best_index_]``).

    factor : float, default=3
        The reduction factor (> 1): the best ``1 / factor`` of the candidates
        of a rung are promoted, with ``factor`` times the resource.

    warm_start : "auto" or bool, default="auto"
        Whether a promoted candidate continues, on each training fold, from
        the model it fitted at the previous rung instead of being retrained
        from scratch. "auto" turns it on for a resource that warm start
        grows, ``n_estimators`` or ``max_iter``, of an estimator with a
        ``warm_start`` parameter, itself or a step of (nested) pipelines:
        ``n_estimators`` of forests, gradient boosting and bagging,
        ``max_iter`` of HistGradientBoosting, MLP, SGD or linear models
        (LogisticRegression's liblinear solver ignores ``warm_start``, so
        its candidates are retrained). Any other parameter (``max_depth``,
        ``C``) changes the model a continuation would start from, so "auto"
        retrains; True continues it anyway, as iterations added by each
        warm fit (for estimators that grow with another parameter, such as
        ``max_epochs``), and raises a ValueError at fit where warm start is
        impossible: ``resource="n_samples"``, an owner without
        ``warm_start``, or an owner inside a meta-estimator other than a
        Pipeline (which fits a clone of it). With ``resource="partial_fit"``
        a promoted candidate continues its ``partial_fit`` epochs. False
        always retrains. See the Notes for which scores are identical to
        retraining and for the memory used.
"""

_EXHAUST_DOC = """ "exhaust" (with an int
        ``n_candidates``), as in scikit-learn's Halving searches, starts with
        ``max(auto, max_resources_ // factor**k)``, where ``k =
        floor(log_factor(number of candidates sampled))`` is the number of
        halvings that leave fewer than ``factor`` candidates, so that the
        last rung gets as close to ``max_resources_`` as possible."""

_SKLEARN_PARAMS_DOC = """
    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, candidates are promoted by the ``refit`` metric (or the first
        one when ``refit`` is not a metric name).

    n_jobs : int, default=None
        Number of jobs to run in parallel (candidates x folds of a rung),
        through joblib.

    refit : bool, str or callable, default=True
        As in :class:`~sklearn.model_selection.GridSearchCV`; the refit uses
        the whole data and, for a parameter resource, the best candidate's
        resource.

    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`: full k-fold
        cross-validation at every rung. The data are split once per ``fit``:
        every rung uses the same splits, even with a splitter that shuffles
        without a ``random_state``.

    verbose : int, default=0
        Verbosity.

    pre_dispatch : int or str, default="2*n_jobs"
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling of candidates and of the ``n_samples`` subsets.

    error_score : "raise" or float, default=np.nan
        Score of a failed fit. With a number the search goes on, and that
        number is the failed fit's score: with NaN (the default) a failed
        candidate ranks last (promoted only when too few others succeeded),
        while a number above the others' scores (0 with a negative loss such
        as ``"neg_log_loss"``) ranks it first, as in scikit-learn. Only when
        every fit of the whole search fails is an error raised.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, one row per
        (candidate, rung) in evaluation order, plus the columns ``bracket``,
        ``iter`` (the rung within its bracket) and ``n_resources``. The
        ``rank_test_*`` columns rank all rows together, as scikit-learn's
        Halving searches do; ``best_index_`` is not necessarily rank 1.

    best_estimator_ : estimator
        Estimator refit on the whole data with the best parameters (when
        ``refit`` is not False).

    best_score_ : float
        Mean cross-validated score of the best candidate (not set with a
        callable ``refit``).

    best_params_ : dict
        Parameters of the best candidate (with the resource parameter, if
        the resource is one).

    best_index_ : int
        Index of the best candidate in ``cv_results_``: the best row among
        those with the largest ``n_resources``.

    scorer_ : function or dict
        Scorer function(s) used on held-out data.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds spent refitting the best model (when ``refit`` is not False).

    multimetric_ : bool
        Whether several metrics were used.

    min_resources_ : int
        The resolved ``min_resources``.

    max_resources_ : int
        The resolved ``max_resources``.

    plan_ : tuple of :class:`~sklearn_hpo.schedulers.Bracket`
        The planned brackets.

    brackets_ : tuple of :class:`~sklearn_hpo.schedulers.Bracket`
        The brackets run (fewer candidates than planned only when a finite
        search space had fewer distinct candidates).

    n_candidates_ : list of int
        Number of candidates of each rung run, in order.

    n_resources_ : list of int
        Resource of each rung run, in order.

    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers with ``refit`` only).

    n_features_in_ : int
        Number of features seen during fit (with ``refit`` only).

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when they are all strings.
"""


class HyperbandSearchCV(BaseMultiFidelitySearchCV):
    __doc__ = (
        """Hyperband: successive halving over brackets of varied aggressiveness.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that spends a small resource (samples, trees, epochs, ...) on many
    candidates and only gives more to the best ones. Each bracket is a run of
    successive halving; the brackets range from very exploratory (many
    candidates, tiny resource) to plain random search at full resource, so
    that the search is robust to how well small resources predict large ones.
    With ``sampler="tpe"`` or ``"gp"`` the candidates of later brackets come
    from a model of earlier results (BOHB).

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        As in :class:`~sklearn_hpo.BayesSearchCV`.
"""
        + _COMMON_PARAMS_DOC.format(
            min_resources_type='int, "auto" or "smallest"', min_resources_more=""
        )
        + """
    n_brackets : int or None, default=None
        Number of brackets. None runs one Hyperband iteration, ``s_max + 1``
        brackets where ``s_max = floor(log_factor(max_resources_ /
        min_resources_))``; fewer keeps the most exploratory ones; more cycles
        through them again (useful with a model-based ``sampler``).

    sampler : {"random", "tpe", "gp"}, default="random"
        Where each bracket's candidates come from: random sampling
        (Hyperband), or a tree-structured Parzen estimator or Gaussian process
        fit on the results of the highest resource with at least
        ``min_points_in_model`` finite scores (BOHB); random until then.

    min_points_in_model : int or None, default=None
        Finite results a resource level needs before a model is fit on it;
        None is the number of columns of the search space plus one (a
        conditional space counts its sub-space selector as a column).

    random_fraction : float, default=1/3
        Fraction of each model-based bracket's candidates that are sampled at
        random anyway (BOHB's safeguard).
"""
        + _SKLEARN_PARAMS_DOC
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    SuccessiveHalvingSearchCV : A single bracket.
    sklearn.model_selection.HalvingRandomSearchCV : scikit-learn's version.

    Notes
    -----
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018;
    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018. The plan is
    :func:`~sklearn_hpo.schedulers.hyperband_plan`; brackets run most
    exploratory first, and every bracket ends at ``max_resources_``.

""" + _WARM_START_NOTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn_hpo import HyperbandSearchCV, Integer
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 10)},
    ...     resource="n_estimators", min_resources=2, max_resources=18, cv=3,
    ...     random_state=0).fit(X, y)
    >>> search.best_params_["n_estimators"]
    18
    """
    )

    _parameter_constraints: dict = {
        **BaseMultiFidelitySearchCV._parameter_constraints,
        "n_brackets": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "sampler": [StrOptions({"random", "tpe", "gp"})],
        "min_points_in_model": [
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "random_fraction": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        resource: str = "n_samples",
        min_resources: Any = "auto",
        max_resources: Any = "auto",
        factor: float = 3,
        warm_start: Any = "auto",
        n_brackets: int | None = None,
        sampler: str = "random",
        min_points_in_model: int | None = None,
        random_fraction: float = 1 / 3,
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
            resource=resource,
            min_resources=min_resources,
            max_resources=max_resources,
            factor=factor,
            warm_start=warm_start,
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
        self.n_brackets = n_brackets
        self.sampler = sampler
        self.min_points_in_model = min_points_in_model
        self.random_fraction = random_fraction

    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        return hyperband_plan(
            min_resources, max_resources, self.factor, self.n_brackets
        )

    def _make_sampler(self, space: Any, rng: np.random.RandomState) -> BracketSampler:
        return BracketSampler(
            space,
            self.sampler,
            rng,
            min_points_in_model=self.min_points_in_model,
            random_fraction=self.random_fraction,
        )


class SuccessiveHalvingSearchCV(BaseMultiFidelitySearchCV):
    __doc__ = (
        """Successive halving: one bracket, with scikit-learn's Halving schedule.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that evaluates ``n_candidates`` random candidates with ``min_resources``,
    then repeatedly keeps the best ``1 / factor`` of them and multiplies
    their resource by ``factor``. Unlike scikit-learn's
    :class:`~sklearn.model_selection.HalvingRandomSearchCV`, the resource may
    be any integer parameter (nested ones included), and several metrics can
    be used (``refit="name"``).

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        As in :class:`~sklearn_hpo.BayesSearchCV`.

    n_candidates : int or "exhaust", default="exhaust"
        Number of candidates of the first rung. "exhaust" is
        ``max_resources_ // min_resources_``, as in scikit-learn.

    aggressive_elimination : bool, default=False
        When the resource range is too small for ``n_candidates`` (more than
        ``factor`` candidates would reach ``max_resources``), first eliminate
        candidates in extra rungs at ``min_resources_``; the schedule is
        scikit-learn's for its parameter of that name (see
        :func:`~sklearn_hpo.schedulers.successive_halving_plan`).
"""
        + _COMMON_PARAMS_DOC.format(
            min_resources_type='int, "auto", "smallest" or "exhaust"',
            min_resources_more=_EXHAUST_DOC,
        )
        + _SKLEARN_PARAMS_DOC
        + _ATTRIBUTES_DOC
        + """
    n_iterations_ : int
        Number of rungs run.

    n_possible_iterations_ : int
        Rungs that the resource range allows:
        ``1 + floor(log_factor(max_resources_ / min_resources_))``.

    n_required_iterations_ : int
        Rungs needed to keep fewer than ``factor`` candidates:
        ``1 + floor(log_factor(n_candidates_[0]))``.

    n_remaining_candidates_ : int
        Candidates that the last rung would have promoted:
        ``ceil(n_candidates_[-1] / factor)``. These four are the attributes
        of :class:`~sklearn.model_selection.HalvingRandomSearchCV`.

    See Also
    --------
    HyperbandSearchCV : Several brackets, robust to the choice of
        ``min_resources``.

    Notes
    -----
    Jamieson and Talwalkar, "Non-stochastic Best Arm Identification and
    Hyperparameter Optimization", AISTATS 2016. The schedule is
    :func:`~sklearn_hpo.schedulers.successive_halving_plan`, the one of
    scikit-learn's Halving searches: it stops when fewer than ``factor``
    candidates are left, so the last rung may use less than
    ``max_resources_``.

""" + _WARM_START_NOTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import Real, SuccessiveHalvingSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SuccessiveHalvingSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, log=True)}, min_resources=30, cv=3,
    ...     random_state=0).fit(X, y)
    >>> search.n_resources_
    [30, 90]
    """
    )

    _parameter_constraints: dict = {
        **BaseMultiFidelitySearchCV._parameter_constraints,
        "n_candidates": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"exhaust"}),
        ],
        "aggressive_elimination": ["boolean"],
        "min_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "smallest", "exhaust"}),
        ],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_candidates: Any = "exhaust",
        aggressive_elimination: bool = False,
        resource: str = "n_samples",
        min_resources: Any = "auto",
        max_resources: Any = "auto",
        factor: float = 3,
        warm_start: Any = "auto",
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
            resource=resource,
            min_resources=min_resources,
            max_resources=max_resources,
            factor=factor,
            warm_start=warm_start,
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
        self.n_candidates = n_candidates
        self.aggressive_elimination = aggressive_elimination

    def _run_search(
        self, evaluate_candidates: Any, *, callback_ctx: Any = None
    ) -> None:
        # BaseSearchCV.fit passes callback_ctx only to a _run_search that
        # names it in its signature.
        super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        # HalvingRandomSearchCV's attributes, with its definitions.
        first = self.n_candidates_[0] if self.n_candidates_ else 1
        last = self.n_candidates_[-1] if self.n_candidates_ else 0
        self.n_possible_iterations_ = 1 + max_halvings(
            self.min_resources_, self.max_resources_, self.factor
        )
        self.n_required_iterations_ = 1 + max_halvings(1, first, self.factor)
        self.n_iterations_ = len(self.n_resources_)
        self.n_remaining_candidates_ = math.ceil(last / self.factor)

    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        n = (
            max_resources // min_resources
            if self.n_candidates == "exhaust"
            else self.n_candidates
        )
        plan = successive_halving_plan(
            n, min_resources, max_resources, self.factor, self.aggressive_elimination
        )
        return (plan,)

    def _first_resources(self, min_resources: int, max_resources: int) -> int:
        if self.min_resources != "exhaust":
            return min_resources
        if self.n_candidates == "exhaust":
            raise ValueError(
                "n_candidates and min_resources cannot both be 'exhaust': one "
                "of them must be given (got n_candidates='exhaust', "
                "min_resources='exhaust')."
            )
        self._auto_min_resources = min_resources
        return self._exhaust(self.n_candidates, max_resources)

    def _exhaust(self, n_candidates: int, max_resources: int) -> int:
        """``min_resources="exhaust"`` for ``n_candidates`` candidates.

        The rungs they need are the halvings that leave fewer than ``factor``
        candidates; the first rung starts as high as lets the last one get
        as close to ``max_resources`` as possible (never below "auto").
        """
        halvings = max_halvings(1, n_candidates, self.factor)
        top = Fraction(max_resources) / Fraction(self.factor) ** halvings
        return max(self._auto_min_resources, top.numerator // top.denominator)

    def _shrink(self, bracket: Bracket, n_sampled: int) -> Bracket:
        if n_sampled == bracket.n_candidates:
            return bracket
        if self.min_resources == "exhaust":
            # Fewer distinct candidates than asked for (a finite space): as in
            # scikit-learn, the first rung is set from those sampled.
            self.min_resources_ = self._exhaust(n_sampled, self.max_resources_)
        return successive_halving_plan(
            n_sampled, self.min_resources_, self.max_resources_, self.factor,
            self.aggressive_elimination,
        )  # fmt: skip
