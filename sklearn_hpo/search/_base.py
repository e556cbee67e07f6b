"""The shared ask/tell search loop on top of scikit-learn's BaseSearchCV.

``BaseSearchCV.fit`` does validation, cross-validation, scoring, joblib
dispatch, ``cv_results_``, refit, ``error_score``, multimetric scoring and
metadata routing; a strategy only decides which candidates to evaluate next.
"""

from __future__ import annotations

import numbers
import warnings
from abc import abstractmethod
from typing import Any, Callable

import numpy as np
from sklearn.utils import check_random_state

from sklearn_hpo.optimizers import BaseOptimizer
from sklearn_hpo.space import SearchSpace, as_search_space
from sklearn_hpo.space._dimensions import Categorical
from sklearn_hpo.utils._compat import (
    BaseSearchCV,
    Interval,
    deferred_fit_failure_checks,
)

__all__ = ["BaseSequentialSearchCV"]


class BaseSequentialSearchCV(BaseSearchCV):
    """Base class of searches driven by an ask/tell optimizer.

    Subclasses implement :meth:`_make_optimizer`; the loop is
    ``ask(n_points)`` -> ``evaluate_candidates`` -> ``tell`` until ``n_iter``
    candidates have been evaluated or a finite space is exhausted.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    @abstractmethod
    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_iter: int = 50,
        n_points: int = 1,
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
        self.n_iter = n_iter
        self.n_points = n_points
        self.random_state = random_state

    @abstractmethod
    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        """Build this search's optimizer for ``space`` (called at fit time)."""

    def _score_key(self, results: dict) -> str:
        """The ``cv_results_`` column the optimizer maximises."""
        if "mean_test_score" in results:
            return "mean_test_score"
        if isinstance(self.refit, str) and f"mean_test_{self.refit}" in results:
            return f"mean_test_{self.refit}"
        return next(k for k in results if k.startswith("mean_test_"))

    def _run_search(
        self, evaluate_candidates: Callable, *, callback_ctx: Any = None
    ) -> None:
        space = as_search_space(self.search_spaces)
        check_param_names(self.estimator, space)
        rng = check_random_state(self.random_state)
        optimizer = self._make_optimizer(space, rng)

        search_ctx = None
        if callback_ctx is not None:  # scikit-learn >= 1.9 callbacks
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)

        n_done, n_round, results = 0, 0, {}
        with deferred_fit_failure_checks(self.error_score):
            while n_done < self.n_iter:
                batch = optimizer.ask(min(self.n_points, self.n_iter - n_done))
                if not batch:  # finite space exhausted (the optimizer warned)
                    break
                kwargs: dict[str, Any] = {
                    "more_results": {"round": [n_round] * len(batch)}
                }
                round_ctx = None
                if search_ctx is not None:
                    round_ctx = search_ctx.subcontext(
                        task_name="round",
                        max_subtasks=len(batch) * self.n_splits_,
                        sequential_subtasks=False,
                    ).call_on_fit_task_begin(estimator=self)
                    kwargs["callback_ctx"] = round_ctx
                with warnings.catch_warnings():
                    # scikit-learn re-warns about every NaN score on every
                    # round; we warn once, after the search.
                    warnings.filterwarnings(
                        "ignore", message="One or more of the .* scores are non-fin"
                    )
                    results = evaluate_candidates(batch, **kwargs)
                scores = np.asarray(results[self._score_key(results)], dtype=float)
                optimizer.tell(batch, scores[-len(batch) :])
                n_done += len(batch)
                n_round += 1
                # A callback may ask to stop after any round (scikit-learn's
                # on_fit_task_end protocol).
                if round_ctx is not None and round_ctx.call_on_fit_task_end(
                    estimator=self
                ):
                    break
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.optimizer_ = optimizer
        _warn_non_finite(results)


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


def check_param_names(estimator: Any, space: SearchSpace) -> None:
    """Raise a ValueError for a searched parameter the estimator does not have.

    A nested name ``"step__param"`` is also valid when the same sub-space
    searches ``"step"`` over estimators that all accept ``param``.

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
            raise ValueError(
                f"Invalid parameter {name!r} in search_spaces for estimator "
                f"{type(estimator).__name__}. Valid parameters are: "
                f"{sorted(valid)!r}."
            )


def _valid_through_choice(name: str, sub: dict) -> bool:
    parts = name.split("__")
    for i in range(len(parts) - 1, 0, -1):
        prefix, rest = "__".join(parts[:i]), "__".join(parts[i:])
        dim = sub.get(prefix)
        if isinstance(dim, Categorical):
            names = [_valid_names(c) for c in dim.choices]
            return all(rest in n for n in names if n) and any(names)
    return False
