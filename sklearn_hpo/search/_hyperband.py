"""Multi-fidelity searches: HyperbandSearchCV and SuccessiveHalvingSearchCV.

Both run brackets of successive halving on top of scikit-learn's
``BaseSearchCV``: every rung is one ``evaluate_candidates`` call (full k-fold
cross-validation of every candidate with that rung's resource), and the best
``1 / factor`` of a rung are promoted to the next rung with ``factor`` times
the resource.
"""

from __future__ import annotations

import numbers
from abc import abstractmethod
from typing import Any, Callable

import joblib
import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from sklearn_hpo.schedulers import (
    Bracket,
    Rung,
    hyperband_plan,
    successive_halving_plan,
)
from sklearn_hpo.search._base import SearchRounds, check_param_names
from sklearn_hpo.search._hyperband_sampler import BracketSampler
from sklearn_hpo.search._partial_fit import (
    EpochBudget,
    PartialFitProxy,
    check_partial_fit,
)
from sklearn_hpo.search._resources import (
    SubsampledTrainSplitter,
    check_resource,
    resolve_resources,
)
from sklearn_hpo.search._warm_start import (
    ModelStore,
    WarmStartProxy,
    candidate_key,
    resolve_warm_start,
)
from sklearn_hpo.space import as_search_space
from sklearn_hpo.utils._compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    deferred_fit_failure_checks,
    num_samples,
)

__all__ = ["HyperbandSearchCV", "SuccessiveHalvingSearchCV"]


def _best_first(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from best to worst, NaN last, ties stable."""
    keyed = np.where(np.isfinite(scores), -scores, np.inf)
    return np.argsort(keyed, kind="stable")


class BaseMultiFidelitySearchCV(BaseSearchCV):
    """Base class of the searches that run brackets of successive halving.

    Subclasses implement :meth:`_make_plan` (and may override
    :meth:`_shrink`).
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "resource": [str],
        "min_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "factor": [Interval(numbers.Real, 1, None, closed="neither")],
        "warm_start": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    @abstractmethod
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
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.warm_start = warm_start
        self.random_state = random_state

    # ------------------------------------------------------------ strategy
    @abstractmethod
    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        """The planned brackets, for the resolved resource range."""

    def _make_sampler(self, space: Any, rng: np.random.RandomState) -> BracketSampler:
        return BracketSampler(space, "random", rng)

    def _shrink(self, bracket: Bracket, n_sampled: int) -> Bracket:
        """The bracket to run when only ``n_sampled`` candidates could be sampled.

        A finite space may have fewer distinct candidates than a bracket asks
        for; each rung then keeps ``floor(n_sampled / factor**i)`` (at least 1).
        """
        rungs = []
        keep = n_sampled
        for rung in bracket.rungs:
            n = max(1, min(rung.n_candidates, keep))
            rungs.append(Rung(rung.bracket, rung.rung, n, rung.n_resources))
            keep = int(keep // self.factor)
        return Bracket(bracket.bracket, tuple(rungs))

    # ----------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any = None, **params: Any) -> BaseMultiFidelitySearchCV:
        """Run the brackets on ``X, y``, then refit the best candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets.
        **params : dict
            Passed to the estimator's ``fit``, the scorer and the splitter, as
            in :meth:`sklearn.model_selection.GridSearchCV.fit`.

        Returns
        -------
        self : object
            The fitted search.
        """
        # BaseSearchCV.fit does not hand X to _run_search; the n_samples
        # resource needs its size (as scikit-learn's Halving searches do).
        self._n_samples_orig = num_samples(X)
        self._fit_data = (X, y, params.get("groups"))
        estimator = self.estimator
        store = None
        self._epoch_budget = None
        if self.resource == "partial_fit":
            check_partial_fit(estimator)
            if self.warm_start in ("auto", True):
                store = ModelStore(on_disk=joblib.effective_n_jobs(self.n_jobs) != 1)
            self._epoch_budget = EpochBudget(
                np.unique(np.asarray(y)) if is_classifier(estimator) else None
            )
            self.estimator = PartialFitProxy(estimator, self._epoch_budget, store)
        elif resolve_warm_start(estimator, self.resource, self.warm_start):
            # BaseSearchCV.fit clones self.estimator once, before _run_search,
            # for every fit of the search: the proxy must be in place by then.
            store = ModelStore(on_disk=joblib.effective_n_jobs(self.n_jobs) != 1)
            self.estimator = WarmStartProxy(estimator, self.resource, store)
        self._warm_store = store
        try:
            super().fit(X, y, **params)
        finally:
            self.estimator = estimator
            if store is not None:
                store.close()
            del self._fit_data, self._warm_store, self._epoch_budget
        if self.resource == "partial_fit" and hasattr(self, "best_estimator_"):
            self.best_estimator_ = self.best_estimator_.estimator
        elif store is not None and hasattr(self, "best_estimator_"):
            # The refit ran on a proxy whose store was closed: a plain fit.
            self.best_estimator_ = self.best_estimator_.estimator
        return self

    def _checked_cv(self) -> tuple[Any, int]:
        """The search's splitter and its number of splits (for this fit's data).

        Computed here because scikit-learn < 1.5 sets neither before calling
        ``_run_search``; ``check_cv`` gives the same splitter as its own.
        """
        X, y, groups = self._fit_data
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        return cv, cv.get_n_splits(X, y, groups)

    @staticmethod
    def _select_best_index(refit: Any, refit_metric: str, results: dict) -> int:
        """Best candidate among those evaluated with the most resource.

        Scores at a small resource are not comparable with scores at the full
        one, so, as scikit-learn's Halving searches do, the best candidate is
        taken from the rows with the largest ``n_resources`` (the top rung of
        every bracket, for Hyperband). A callable ``refit`` gets the whole
        ``cv_results_`` and decides.
        """
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        n_resources = np.asarray(results["n_resources"])
        top = np.flatnonzero(n_resources == n_resources.max())
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)[top]
        if np.isnan(scores).all():
            return int(top[0])
        return int(top[np.nanargmax(scores)])

    def _run_search(
        self, evaluate_candidates: Callable, *, callback_ctx: Any = None
    ) -> None:
        space = as_search_space(self.search_spaces)
        check_param_names(self.estimator, space)
        check_resource(self.estimator, self.resource, space)
        base_cv, n_splits = self._checked_cv()
        lo, hi = resolve_resources(
            self.estimator,
            self.resource,
            self.min_resources,
            self.max_resources,
            n_samples=self._n_samples_orig,
            n_splits=n_splits,
            y=self._fit_data[1],
        )
        self.min_resources_, self.max_resources_ = lo, hi
        plan = self._make_plan(lo, hi)
        rng = check_random_state(self.random_state)
        sampler = self._make_sampler(space, rng)
        split_seed = int(rng.randint(np.iinfo(np.int32).max))

        rounds = SearchRounds(
            self, evaluate_candidates, callback_ctx, task_name="rung", round_column=None
        )

        self.n_candidates_: list[int] = []
        self.n_resources_: list[int] = []
        executed: list[Bracket] = []
        store = getattr(self, "_warm_store", None)
        try:
            with deferred_fit_failure_checks(self.error_score):
                for planned in plan:
                    configs = sampler.propose(planned.n_candidates)
                    if not configs:
                        break
                    bracket = self._shrink(planned, len(configs))
                    executed.append(bracket)
                    self._run_bracket(
                        rounds, bracket, configs, sampler, (base_cv, split_seed)
                    )
                    if rounds.stop:
                        break
        finally:
            if store is not None:
                store.close()  # the refit is a plain fit
            budget = getattr(self, "_epoch_budget", None)
            if budget is not None:
                budget.epochs = hi  # the refit trains for max_resources_ epochs
        rounds.close()
        self.plan_ = plan
        self.brackets_ = tuple(executed)

    def _run_bracket(
        self,
        rounds: SearchRounds,
        bracket: Bracket,
        configs: list[dict],
        sampler: BracketSampler,
        splitting: tuple[Any, int],
    ) -> None:
        """Run the rungs of one bracket (until a callback asks to stop)."""
        store = getattr(self, "_warm_store", None)
        for k, rung in enumerate(bracket.rungs):
            configs = configs[: rung.n_candidates]
            last = k == len(bracket.rungs) - 1
            if store is not None:
                store.saving = not last  # nothing continues from the last rung
            scores = self._run_rung(rounds, configs, rung, splitting)
            sampler.record(configs, scores, rung.n_resources)
            configs = [configs[i] for i in _best_first(scores)]
            if store is not None:
                # Bounded memory: only the promoted candidates' models are
                # kept, for the next rung.
                n_next = 0 if last else bracket.rungs[k + 1].n_candidates
                store.keep({candidate_key(c, self.resource) for c in configs[:n_next]})
            if rounds.stop:
                break
        if store is not None:
            store.keep(set())

    def _run_rung(
        self,
        rounds: SearchRounds,
        configs: list[dict],
        rung: Rung,
        splitting: tuple[Any, int],
    ) -> np.ndarray:
        """Evaluate ``configs`` with ``rung.n_resources``; return their scores."""
        n = len(configs)
        info = {
            "bracket": [rung.bracket] * n,
            "iter": [rung.rung] * n,
            "n_resources": [rung.n_resources] * n,
        }
        kwargs: dict[str, Any] = {}
        if self.resource == "n_samples":
            batch = configs
            base_cv, split_seed = splitting
            kwargs["cv"] = SubsampledTrainSplitter(
                base_cv,
                rung.n_resources,
                self._n_samples_orig,
                stratify=is_classifier(self.estimator),
                random_state=split_seed,
            )
        elif self.resource == "partial_fit":
            batch = configs
            self._epoch_budget.epochs = rung.n_resources
        else:
            batch = [{**c, self.resource: rung.n_resources} for c in configs]
        scores = rounds.evaluate(batch, info, **kwargs)
        self.n_candidates_.append(n)
        self.n_resources_.append(rung.n_resources)
        return scores


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

    min_resources : int or "auto", default="auto"
        Smallest resource of a candidate. "auto" is ``2 * n_splits`` (times
        the number of classes, for classifiers) with ``"n_samples"``, and 1
        for a parameter.

    max_resources : int or "auto", default="auto"
        Largest resource. "auto" is the number of samples with
        ``"n_samples"``; it must be given for a parameter and for
        ``"partial_fit"`` (the epochs of the best candidates and of the
        refit).

    factor : float, default=3
        The reduction factor (> 1): the best ``1 / factor`` of the candidates
        of a rung are promoted, with ``factor`` times the resource.

    warm_start : "auto" or bool, default="auto"
        Whether a promoted candidate continues, on each training fold, from
        the model it fitted at the previous rung instead of being retrained
        from scratch. This needs a parameter resource whose estimator (the
        pipeline step owning it, for a nested name) has a ``warm_start``
        parameter: ``n_estimators`` of forests, gradient boosting and
        bagging, ``max_iter`` of HistGradientBoosting, MLP, SGD or linear
        models. With ``resource="partial_fit"`` a promoted candidate
        continues its ``partial_fit`` epochs. "auto" turns it on exactly
        then; True raises a ValueError at fit otherwise; False always
        retrains. See the Notes for which scores
        are identical to retraining and for the memory used.
"""

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
        cross-validation at every rung.

    verbose : int, default=0
        Verbosity.

    pre_dispatch : int or str, default="2*n_jobs"
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling of candidates and of the ``n_samples`` subsets.

    error_score : "raise" or float, default=np.nan
        Score of a failed fit. With a number, failed candidates rank last
        and the search goes on; only when every fit of the whole search fails
        is an error raised.

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
        + _COMMON_PARAMS_DOC
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
        None is the number of searched dimensions plus one.

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

    Warm start (``warm_start``): with an int ``random_state``, forests,
    extra trees, bagging, gradient boosting and HistGradientBoosting (with
    ``early_stopping=False``; its early stopping splits validation data per
    fit) give the same scores as retraining, checked in the tests. ``n_estimators``
    and HistGradientBoosting's ``max_iter`` count in total; for other
    estimators (MLP, SGD, linear models) each warm fit runs ``max_iter`` more
    iterations, so a continuation is given the difference of the rungs'
    resources. Their scores differ from retraining (MLP and SGD restart their
    optimiser's state and learning-rate schedule at every fit), as do those
    of any estimator or pipeline step with unseeded randomness. With
    ``resource="partial_fit"`` a continued model is given the missing
    epochs; SGD and MLP (seeded) then give the same scores as retraining,
    checked in the tests. While the search runs, the models of the candidates of the current rung are kept,
    one per training fold, and only the promoted candidates' models are
    kept for the next rung; so at most ``n_candidates x n_splits_`` models
    (those of the largest rung, at its resource) are held at once, in
    memory with one joblib worker and otherwise as files in a temporary
    directory, which every fit removes when it ends (also on error). Models
    of a bracket's last rung are not kept. A worker that cannot see that
    directory (a cluster without shared disk) retrains, with the same
    scores where warm start is exact. The refit on the whole data is a plain
    fit.

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
"""
        + _COMMON_PARAMS_DOC
        + _SKLEARN_PARAMS_DOC
        + _ATTRIBUTES_DOC
        + """
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

    Warm start (``warm_start``): with an int ``random_state``, forests,
    extra trees, bagging, gradient boosting and HistGradientBoosting (with
    ``early_stopping=False``; its early stopping splits validation data per
    fit) give the same scores as retraining, checked in the tests. ``n_estimators``
    and HistGradientBoosting's ``max_iter`` count in total; for other
    estimators (MLP, SGD, linear models) each warm fit runs ``max_iter`` more
    iterations, so a continuation is given the difference of the rungs'
    resources. Their scores differ from retraining (MLP and SGD restart their
    optimiser's state and learning-rate schedule at every fit), as do those
    of any estimator or pipeline step with unseeded randomness. With
    ``resource="partial_fit"`` a continued model is given the missing
    epochs; SGD and MLP (seeded) then give the same scores as retraining,
    checked in the tests. While the search runs, the models of the candidates of the current rung are kept,
    one per training fold, and only the promoted candidates' models are
    kept for the next rung; so at most ``n_candidates x n_splits_`` models
    (those of the largest rung, at its resource) are held at once, in
    memory with one joblib worker and otherwise as files in a temporary
    directory, which every fit removes when it ends (also on error). Models
    of a bracket's last rung are not kept. A worker that cannot see that
    directory (a cluster without shared disk) retrains, with the same
    scores where warm start is exact. The refit on the whole data is a plain
    fit.

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
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_candidates: Any = "exhaust",
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

    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        n = (
            max_resources // min_resources
            if self.n_candidates == "exhaust"
            else self.n_candidates
        )
        return (successive_halving_plan(n, min_resources, max_resources, self.factor),)

    def _shrink(self, bracket: Bracket, n_sampled: int) -> Bracket:
        if n_sampled == bracket.n_candidates:
            return bracket
        return successive_halving_plan(
            n_sampled, self.min_resources_, self.max_resources_, self.factor
        )
