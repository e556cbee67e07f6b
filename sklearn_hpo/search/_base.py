"""The shared ask/tell search loop on top of scikit-learn's BaseSearchCV.

``BaseSearchCV.fit`` does validation, cross-validation, scoring, joblib
dispatch, ``cv_results_``, refit, ``error_score``, multimetric scoring and
metadata routing; a strategy only decides which candidates to evaluate next.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from typing import Any, Callable

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from sklearn_hpo.optimizers import BaseOptimizer
from sklearn_hpo.search._common_params import SEQUENTIAL_PARAMS
from sklearn_hpo.search._params import search_parameters
from sklearn_hpo.search._splits import (
    FitTimeStateMixin,
    search_splits,
    splitting_once,
)
from sklearn_hpo.space import SearchSpace, as_search_space
from sklearn_hpo.space._dimensions import Categorical
from sklearn_hpo.utils._compat import (
    BaseSearchCV,
    DeferredResultsMixin,
    IntegersNotBoolsMixin,
    deferred_fit_failure_checks,
    deferred_results,
    unbatched_dispatch,
)

__all__ = [
    "BaseSequentialSearchCV",
    "SearchRounds",
    "check_initial_points",
    "check_param_names",
    "fit_docstring",
    "score_key",
]


def fit_docstring(summary: str) -> str:
    """The docstring of a search's ``fit``, after its one-line ``summary``."""
    return f"""{summary} on ``X, y``, then refit the best candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
default=None
            Targets.
        **params : dict
            Passed to the estimator's ``fit``, the scorer and the splitter, as
            in :meth:`sklearn.model_selection.GridSearchCV.fit`.

        Returns
        -------
        self : object
            The fitted search.
        """


@search_parameters(*SEQUENTIAL_PARAMS)
class BaseSequentialSearchCV(
    IntegersNotBoolsMixin, FitTimeStateMixin, DeferredResultsMixin, BaseSearchCV
):
    """Base class of searches driven by an ask/tell optimizer.

    Subclasses implement :meth:`_make_optimizer`; the loop is
    ``ask(n_points)`` -> ``evaluate_candidates`` -> ``tell`` until ``n_iter``
    candidates have been evaluated or a finite space is exhausted. Subclasses
    whose optimizer proposes one candidate at a time given the ones still
    out (model-based ones) set ``_sliding_window = True``: with ``n_points``
    > 1, a new candidate is then asked for as soon as the oldest one is
    scored (see ``search/_sliding.py``).

    Its parameters are :data:`~sklearn_hpo.search._common_params.SEQUENTIAL_PARAMS`;
    a subclass adds its own with :func:`~sklearn_hpo.search._params.search_parameters`.
    """

    _sliding_window = False

    def fit(self, X: Any, y: Any = None, **params: Any) -> BaseSequentialSearchCV:
        # _run_search splits the data once for all rounds (search/_splits.py).
        with splitting_once(self, X, y, params):
            return super().fit(X, y, **params)

    fit.__doc__ = fit_docstring("Run the search")

    @abstractmethod
    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        """Build this search's optimizer for ``space`` (called at fit time)."""

    def _run_search(
        self, evaluate_candidates: Callable, *, callback_ctx: Any = None
    ) -> None:
        space = as_search_space(self.search_spaces)
        check_param_names(self.estimator, space)
        initial = check_initial_points(self.initial_points, space, self.n_iter)
        rng = check_random_state(self.random_state)
        optimizer = self._make_optimizer(space, rng)
        cv = search_splits(self)
        rounds = SearchRounds(self, evaluate_candidates, callback_ctx, cv=cv)

        sliding = self._sliding_window and self.n_points > 1
        with deferred_fit_failure_checks(self.error_score, self), deferred_results(
            self, order_by="round" if sliding else None
        ):
            if sliding:
                from sklearn_hpo.search._sliding import run_sliding

                run_sliding(self, optimizer, initial, evaluate_candidates, rounds)
            else:
                _run_rounds(self, optimizer, initial, rounds)
        rounds.close()
        self.optimizer_ = optimizer


def _run_rounds(
    search: BaseSequentialSearchCV,
    optimizer: BaseOptimizer,
    initial: list[dict],
    rounds: SearchRounds,
) -> None:
    """``ask(n_points)`` -> evaluate -> ``tell``, the user's points first."""
    n_done = 0
    while n_done < search.n_iter:
        n = min(search.n_points, search.n_iter - n_done)
        if n_done < len(initial):  # the user's points come first
            batch = initial[n_done : n_done + n]
        else:
            batch = optimizer.ask(n)
            if not batch:  # finite space exhausted (the optimizer warned)
                break
        info = optimizer.candidate_info(batch)
        scores = rounds.evaluate(batch, info)
        optimizer.tell(batch, scores)
        n_done += len(batch)
        if rounds.stop:
            break


class SearchRounds:
    """Evaluates batches of candidates, one ask/tell round each.

    It adds the ``round`` column (and an optimizer's extra columns) to
    ``cv_results_``, reads back the scores the optimizer maximises, opens a
    scikit-learn callback context per round (scikit-learn >= 1.9) and records
    a callback's request to stop. Call :meth:`close` after the last round.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fit.
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` passes to ``_run_search``.
    callback_ctx : CallbackContext or None
        The context ``BaseSearchCV.fit`` passes, if any.
    task_name : str, default="round"
        Name of each evaluation's callback task (e.g. ``"rung"``).
    round_column : str or None, default="round"
        ``cv_results_`` column numbering the evaluations; None adds none.
    cv : splitter or None, default=None
        Passed as ``cv`` to every call that is not given one: the search's
        splits, computed once (see :func:`search_splits`).
    """

    def __init__(
        self,
        search: Any,
        evaluate_candidates: Callable,
        callback_ctx: Any = None,
        *,
        task_name: str = "round",
        round_column: str | None = "round",
        cv: Any = None,
    ) -> None:
        self.search = search
        self.cv = cv
        self.evaluate_candidates = evaluate_candidates
        self.task_name = task_name
        self.round_column = round_column
        self.n_round = 0
        self.stop = False
        self.results: dict = {}
        self.search_ctx = None
        if callback_ctx is not None:
            self.search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=search)

    def evaluate(
        self, batch: list[dict], info: dict[str, list] | None = None, **kwargs: Any
    ) -> np.ndarray:
        """Evaluate ``batch``; return its scores (NaN for failed candidates).

        ``info`` holds extra ``cv_results_`` columns for the batch; other
        keyword arguments (e.g. ``cv``) go to ``evaluate_candidates``.
        """
        if self.cv is not None:
            kwargs.setdefault("cv", self.cv)
        more = {}
        if self.round_column is not None:
            more[self.round_column] = [self.n_round] * len(batch)
        more.update(info or {})
        round_ctx = None
        if self.search_ctx is not None:
            round_ctx = self.search_ctx.subcontext(
                task_name=self.task_name,
                max_subtasks=len(batch) * self.search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self.search)
            kwargs["callback_ctx"] = round_ctx
        unbatched_dispatch(self.evaluate_candidates, len(batch), self.search)
        with warnings.catch_warnings():
            # scikit-learn re-warns about every NaN score on every round; we
            # warn once, after the search.
            warnings.filterwarnings(
                "ignore", message="One or more of the .* scores are non-fin"
            )
            self.results = self.evaluate_candidates(
                batch, more_results=more, **kwargs
            )
        self.n_round += 1
        # A callback may ask to stop after any round (scikit-learn's
        # on_fit_task_end protocol).
        if round_ctx is not None and round_ctx.call_on_fit_task_end(
            estimator=self.search
        ):
            self.stop = True
        column = self.results[score_key(self.results, self.search.refit)]
        return np.asarray(column, dtype=float)[-len(batch) :]

    def close(self) -> None:
        """End the search's callback context and warn once about NaN scores."""
        if self.search_ctx is not None:
            self.search_ctx.call_on_fit_task_end(estimator=self.search)
        _warn_non_finite(self.results)


def score_key(results: dict, refit: Any) -> str:
    """The ``cv_results_`` column an optimizer maximises.

    The single metric's ``mean_test_score``; with several metrics, the
    ``refit`` metric, or the first one when ``refit`` is not a metric name.
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    return next(k for k in results if k.startswith("mean_test_"))


def check_initial_points(
    initial_points: Any, space: SearchSpace, n_iter: int
) -> list[dict]:
    """Validate the user's ``initial_points`` against the space and budget."""
    if initial_points is None:
        return []
    points = list(initial_points)
    if len(points) > n_iter:
        raise ValueError(
            f"initial_points has {len(points)} points but n_iter={n_iter}; the "
            "initial points count in n_iter."
        )
    keys: dict[bytes, int] = {}
    for i, point in enumerate(points):
        space.check_candidate(point, f"initial_points[{i}]")
        key = np.nan_to_num(space.snap(space.to_unit([point])), nan=-1).tobytes()
        if key in keys:
            raise ValueError(
                f"initial_points[{i}] repeats initial_points[{keys[key]}]: {point!r}."
            )
        keys[key] = i
    return [dict(p) for p in points]


def _warn_non_finite(results: dict) -> None:
    for key, values in results.items():
        if key.startswith(("mean_test_", "mean_train_")):
            bad = int(np.sum(~np.isfinite(np.asarray(values, dtype=float))))
            if bad:
                warnings.warn(
                    f"One or more of the {key.split('_')[1]} scores are non-finite: "
                    f"{bad} of {len(values)} candidates have a non-finite {key}.",
                    category=UserWarning,
                    stacklevel=3,
                )


def _valid_names(estimator: Any) -> set[str]:
    try:
        return set(estimator.get_params(deep=True))
    except Exception:  # estimators whose get_params needs fitting, etc.
        return set()


def _estimator_name(estimator: Any) -> str:
    """The class name of ``estimator``, seen through the searches' fit proxies."""
    from sklearn_hpo.search._partial_fit import PartialFitProxy
    from sklearn_hpo.search._warm_start import WarmStartProxy

    if isinstance(estimator, (PartialFitProxy, WarmStartProxy)):
        estimator = estimator.estimator
    return type(estimator).__name__


def check_param_names(estimator: Any, space: SearchSpace) -> None:
    """Raise a ValueError for a searched parameter the estimator does not have.

    A nested name ``"step__param"`` is also valid when the same sub-space
    searches ``"step"`` over estimators that all accept ``param``, and any
    name that ``set_params`` of a clone accepts is valid too (estimators
    that take extra keyword parameters, as LightGBM's do, list only those
    already set in ``get_params``).

    Parameters
    ----------
    estimator : estimator
        The search's (unfitted) estimator.
    space : SearchSpace
        The search space.
    """
    valid = _valid_names(estimator)
    if not valid:
        return
    for sub in space.subspaces:
        for name in sub:
            if name in valid or _valid_through_choice(name, sub):
                continue
            if _settable(estimator, name, sub[name]):
                continue
            raise ValueError(
                f"Invalid parameter {name!r} in search_spaces for estimator "
                f"{_estimator_name(estimator)}. Valid parameters are: "
                f"{sorted(valid)!r}."
            )


def _settable(estimator: Any, name: str, dim: Any) -> bool:
    """Whether a clone of ``estimator`` accepts ``name`` in ``set_params``."""
    try:
        value = dim.from_unit(np.array([0.5]))[0]
        clone(estimator).set_params(**{name: value})
    except Exception:
        return False
    return True


def _valid_through_choice(name: str, sub: dict) -> bool:
    parts = name.split("__")
    for i in range(len(parts) - 1, 0, -1):
        prefix, rest = "__".join(parts[:i]), "__".join(parts[i:])
        dim = sub.get(prefix)
        if isinstance(dim, Categorical):
            names = [_valid_names(c) for c in dim.choices]
            return all(rest in n for n in names if n) and any(names)
    return False
