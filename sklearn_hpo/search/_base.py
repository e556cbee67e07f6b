"""The shared ask/tell search loop on top of scikit-learn's BaseSearchCV.

``BaseSearchCV.fit`` does validation, cross-validation, scoring, joblib
dispatch, ``cv_results_``, refit, ``error_score``, multimetric scoring and
metadata routing; a strategy only decides which candidates to evaluate next.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Callable

import numpy as np
from sklearn.base import clone

from sklearn_hpo.optimizers import BaseOptimizer
from sklearn_hpo.search._common_params import SEQUENTIAL_PARAMS
from sklearn_hpo.search._evaluation import Evaluation, active_evaluation
from sklearn_hpo.search._fail_fast import FAIL_FAST_CANDIDATES, FailFast
from sklearn_hpo.search._mixin import EvaluatedSearchMixin
from sklearn_hpo.search._params import search_parameters
from sklearn_hpo.search._results import ask_new, warn_exhausted
from sklearn_hpo.search._sliding import run_sliding
from sklearn_hpo.space import SearchSpace, as_search_space
from sklearn_hpo.space._dimensions import Categorical
from sklearn_hpo.utils._compat import BaseSearchCV
from sklearn_hpo.utils._validation import did_you_mean

__all__ = [
    "BaseSequentialSearchCV",
    "check_initial_points",
    "check_param_names",
    "fit_docstring",
    "run_batches",
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
class BaseSequentialSearchCV(EvaluatedSearchMixin, BaseSearchCV):
    """Base class of searches driven by an ask/tell optimizer.

    Subclasses implement :meth:`_make_optimizer`; the loop is
    ``ask(n_points)`` -> ``evaluate_candidates`` -> ``tell`` until ``n_iter``
    candidates have been evaluated or a finite space is exhausted. Subclasses
    whose optimizer proposes one candidate at a time given the ones still
    out (model-based ones) set ``_sliding_window = True``: with ``n_points``
    > 1, a new candidate is then asked for as soon as the oldest one is
    scored (see ``search/_sliding.py``). Each candidate travels through the
    fit's :class:`~sklearn_hpo.search._evaluation.Evaluation`.

    Its parameters are :data:`~sklearn_hpo.search._common_params.SEQUENTIAL_PARAMS`;
    a subclass adds its own with :func:`~sklearn_hpo.search._params.search_parameters`.
    """

    _sliding_window = False

    def fit(self, X: Any, y: Any = None, **params: Any) -> BaseSequentialSearchCV:
        self._fit_evaluated(X, y, params)
        return self

    fit.__doc__ = fit_docstring("Run the search")

    @abstractmethod
    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        """Build this search's optimizer for ``space`` (called at fit time)."""

    def _run_search(
        self, evaluate_candidates: Callable, *, callback_ctx: Any = None
    ) -> None:
        evaluation = active_evaluation(self)
        space = as_search_space(self.search_spaces)
        check_param_names(evaluation.estimator, space)
        initial = check_initial_points(self.initial_points, space, self.n_iter)
        sliding = self._sliding_window and self.n_points > 1
        with evaluation.running(
            evaluate_candidates, callback_ctx, order_by="round" if sliding else None
        ):
            evaluation.planned_tasks = self.n_iter * evaluation.n_splits
            if self.n_iter > FAIL_FAST_CANDIDATES:
                evaluation.fail_fast = FailFast(self, space, self.n_iter)
            optimizer = self._make_optimizer(space, evaluation.random_state())
            if sliding:
                run_sliding(self, optimizer, initial, evaluation)
            else:
                run_batches(self, optimizer, initial, evaluation)
        self.optimizer_ = optimizer


def run_batches(
    search: BaseSequentialSearchCV,
    optimizer: BaseOptimizer,
    initial: list[dict],
    evaluation: Evaluation,
) -> None:
    """``ask(n_points)`` -> evaluate -> ``tell``, the user's points first."""
    n_done = 0
    exhausted = False
    while n_done < search.n_iter and not (n_done and evaluation.stop):
        n = min(search.n_points, search.n_iter - n_done)
        if n_done < len(initial):  # the user's points come first
            batch = initial[n_done : n_done + n]
        else:
            batch = ask_new(optimizer, n)
            if len(batch) < n and not exhausted:
                exhausted = True
                warn_exhausted(search, optimizer.space)
            if not batch:  # finite space exhausted
                break
        scores = evaluation.evaluate(batch, optimizer.candidate_info(batch))
        optimizer.tell(batch, scores)
        n_done += len(batch)


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
        (key,) = space.candidate_keys([point])
        if key in keys:
            raise ValueError(
                f"initial_points[{i}] repeats initial_points[{keys[key]}]: {point!r}."
            )
        keys[key] = i
    return [dict(p) for p in points]


def _valid_names(estimator: Any) -> set[str]:
    try:
        return set(estimator.get_params(deep=True))
    except Exception:  # estimators whose get_params needs fitting, etc.
        return set()


def check_param_names(estimator: Any, space: SearchSpace) -> None:
    """Raise a ValueError for a searched parameter the estimator does not have.

    Called before any fit; the message names the parameter, the sub-space
    of a list of dicts it is in, the estimator and the closest valid names.

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
    for k, sub in enumerate(space.subspaces):
        for name in sub:
            if name in valid or _valid_through_choice(name, sub):
                continue
            if _settable(estimator, name, sub[name]):
                continue
            where = "search_spaces"
            if len(space.subspaces) > 1:
                where += f"[{k}]"
            raise ValueError(
                f"Invalid parameter {name!r} in {where} for estimator "
                f"{type(estimator).__name__}: it has no parameter of that "
                f"name.{did_you_mean(name, valid)} Valid parameters are: "
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
