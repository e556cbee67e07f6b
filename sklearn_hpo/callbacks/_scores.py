"""Stoppers that watch the scores of the candidates a search has evaluated."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sklearn_hpo.callbacks._base import (
    RAISES_WITHOUT_CALLBACKS,
    STOPPER_ATTRIBUTES,
    BaseStopper,
    _Run,
    check_count,
    check_number,
    score_column,
    scores_of,
)

__all__ = ["NoImprovementStopper", "TargetScoreStopper"]

_SCORES_DOC = """
    Where the scores come from: the stopper asks scikit-learn for the
    ``fitted_estimator`` argument of ``on_fit_task_end``, "a new instance of the
    estimator ... as if fit had stopped at the end of this task". For a search,
    its ``cv_results_`` holds the candidates completed so far, in the order
    they completed; the stopper reads the column of the watched metric. At
    tasks for which the search gives no ``fitted_estimator`` (or one without
    ``cv_results_``), the stopper sees no new scores. When the fit ends (the
    end of its root task) it reads the search's own ``cv_results_``, to record
    ``best_score_`` and ``n_candidates_seen_``; it is too late to stop then.

    What happens on each search, with scikit-learn 1.9:

    - scikit-learn's ``GridSearchCV``, ``RandomizedSearchCV``,
      ``HalvingGridSearchCV`` and ``HalvingRandomSearchCV`` give their
      callbacks no ``fitted_estimator`` during the search (their ``cv_results_``
      exists only once the fit is over), and ignore stop answers anyway: they
      evaluate all their candidates, and the stopper records the best score at
      the end.
    - sklearn_hpo's searches show the stopper the new rows at the end of each
      round (the searches with ``n_iter``: one batch of ``n_points``
      candidates) or rung (``HyperbandSearchCV``, ``SuccessiveHalvingSearchCV``)
      and honour its answer: no round or rung starts after the one that meets
      the condition, and the best candidate is refit as usual. (The stopper
      registers with the search in ``setup``; the callback protocol itself
      passes no scores during a search.)
"""

_METRIC_DOC = """
    metric : str or None, default=None
        The metric watched, with multi-metric scoring: the column
        ``mean_test_<metric>`` of ``cv_results_``. None watches the single
        metric (``mean_test_score``), or the search's ``refit`` metric when
        ``refit`` names one.
"""

_ATTRIBUTES_DOC = STOPPER_ATTRIBUTES + """\
    best_score_ : float
        The best score among the candidates seen in the last fit (NaN if
        none was seen or all failed).
    n_candidates_seen_ : int
        How many candidates' scores the stopper has seen in the last fit.
"""


class _ScoreStopper(BaseStopper):
    """A stopper whose decision depends on the candidates' scores."""

    def __init__(self, metric: str | None) -> None:
        super().__init__()
        if metric is not None and not isinstance(metric, str):
            raise TypeError(
                f"{type(self).__name__}: metric must be a str or None; got "
                f"{metric!r} ({type(metric).__name__})."
            )
        self.metric = metric
        self.best_score_ = math.nan
        self.n_candidates_seen_ = 0

    def on_fit_task_end(
        self, estimator: Any, context: Any, *, fitted_estimator: Any = None
    ) -> bool:
        """Read the scores completed so far; answer whether to stop.

        Parameters
        ----------
        estimator : estimator instance
            The search being fit.
        context : sklearn.callback.CallbackContext
            The context of the task that ended.
        fitted_estimator : estimator instance or None, default=None
            The search as if its fit had stopped at the end of this task
            (given by scikit-learn when the search provides it).

        Returns
        -------
        bool
            True once the stopping condition is met.
        """
        run, is_root = self._find_run(context)
        if run is None:  # a task of a fit this stopper was not set up for
            return False
        snapshot = getattr(fitted_estimator, "cv_results_", None)
        if snapshot is not None:
            self._observe(run, snapshot, fitted_estimator)
        elif is_root and getattr(estimator, "cv_results_", None) is not None:
            # BaseSearchCV sets cv_results_ before the end of its root task.
            self._observe_final(run, estimator.cv_results_, estimator)
        return self._answer(run, is_root)

    def _scores(self, results: dict, holder: Any) -> np.ndarray:
        column = score_column(results, holder, self.metric, type(self).__name__)
        return scores_of(results, column)

    def _observe(self, run: _Run, results: dict, holder: Any) -> None:
        """See the candidates of ``results`` that completed since the last look."""
        scores = self._scores(results, holder)
        for score in scores[run.n_seen :]:
            if not math.isnan(score) and not score <= run.best:  # NaN best too
                run.best = float(score)
            self._see(run, float(score))
        run.n_seen = max(run.n_seen, len(scores))
        self._publish(run)

    def _observe_rows(self, run: _Run, results: dict, holder: Any) -> None:
        """See the candidates of ``results``, all of them new."""
        for score in self._scores(results, holder):
            if not math.isnan(score) and not score <= run.best:  # NaN best too
                run.best = float(score)
            self._see(run, float(score))
            run.n_seen += 1
        self._publish(run)

    def _observe_final(self, run: _Run, results: dict, holder: Any) -> None:
        """Record the final results (their rows may have been reordered)."""
        scores = self._scores(results, holder)
        finite = scores[~np.isnan(scores)]
        run.best = float(finite.max()) if finite.size else math.nan
        run.n_seen = len(scores)
        self._publish(run)

    def _see(self, run: _Run, score: float) -> None:
        """Update the state with one more completed candidate's score."""

    def _publish(self, run: _Run) -> None:
        super()._publish(run)
        self.best_score_ = run.best
        self.n_candidates_seen_ = run.n_seen


class TargetScoreStopper(_ScoreStopper):
    __doc__ = (
        """Ask the search to stop once a candidate reaches ``score``.

    A scikit-learn callback (scikit-learn >= 1.9): register it with
    ``search.set_callbacks(TargetScoreStopper(0.95))``. Scores follow
    scikit-learn's convention, higher is better (losses are negated, as in
    ``"neg_log_loss"``): the stopper answers True at the end of every task
    once some candidate's mean test score is ``>= score``. A candidate whose
    fit failed (NaN score) never reaches it.

    Parameters
    ----------
    score : float
        The target mean test score (finite).
"""
        + _METRIC_DOC
        + _ATTRIBUTES_DOC
        + RAISES_WITHOUT_CALLBACKS
        + """
    See Also
    --------
    DeadlineStopper, NoImprovementStopper

    Notes
    -----"""
        + _SCORES_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_hpo import Integer, TargetScoreStopper, TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> stopper = TargetScoreStopper(score=0.9)
    >>> search = TPESearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 8)},
    ...     n_iter=4, cv=3, random_state=0,
    ... ).set_callbacks(stopper)
    >>> search = search.fit(X, y)  # the first candidate reaches 0.9: it stops
    >>> len(search.cv_results_["params"]), stopper.stop_requested_
    (1, True)
    >>> stopper.best_score_ == float(search.best_score_)
    True
    """
    )

    def __init__(self, score: float, *, metric: str | None = None) -> None:
        super().__init__(metric)
        self._score = check_number(type(self).__name__, "score", score)
        self.score = score

    def _stop_reason(self, run: _Run) -> str | None:
        if not run.best >= self._score:  # NaN: nothing seen yet
            return None
        return f"a candidate scored {run.best!r} >= score={self.score!r}"

    def _params(self) -> dict[str, Any]:
        return {"score": self.score, "metric": self.metric}


class NoImprovementStopper(_ScoreStopper):
    __doc__ = (
        """Ask the search to stop when its best score stops improving.

    A scikit-learn callback (scikit-learn >= 1.9): register it with
    ``search.set_callbacks(NoImprovementStopper(patience=10))``.

    Candidates are counted one by one, in the order the search completes them
    (the rows of its ``cv_results_``), whatever the size of its rounds. A
    candidate *improves* when its mean test score exceeds the reference by
    more than ``min_delta``; the reference is the score of the last candidate
    that improved (minus infinity before the first one, so the first
    candidate with a score improves). A candidate whose fit failed (NaN
    score) does not improve. Once ``patience`` consecutive candidates have not
    improved, the stopper answers True at the end of every task. In a
    multi-fidelity search every evaluation counts as a candidate, whatever
    its resource.

    Parameters
    ----------
    patience : int
        Number of consecutive candidates without improvement that stops the
        search, >= 1.

    min_delta : float, default=0.0
        How much a score must exceed the reference to count as an
        improvement, >= 0 (finite).
"""
        + _METRIC_DOC
        + _ATTRIBUTES_DOC
        + RAISES_WITHOUT_CALLBACKS
        + """
    See Also
    --------
    DeadlineStopper, TargetScoreStopper

    Notes
    -----
    The reference moves only on an improvement, so a slow drift of gains
    each smaller than ``min_delta`` still counts once it adds up to more
    than ``min_delta``.
"""
        + _SCORES_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_hpo import Integer, NoImprovementStopper, TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> stopper = NoImprovementStopper(patience=3, min_delta=0.01)
    >>> search = TPESearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 8)},
    ...     n_iter=4, cv=3, random_state=0,
    ... ).set_callbacks(stopper)
    >>> search = search.fit(X, y)
    >>> stopper.n_candidates_seen_ == len(search.cv_results_["params"])
    True
    """
    )

    def __init__(
        self, patience: int, min_delta: float = 0.0, *, metric: str | None = None
    ) -> None:
        super().__init__(metric)
        name = type(self).__name__
        self._patience = check_count(name, "patience", patience)
        self._min_delta = check_number(name, "min_delta", min_delta, non_negative=True)
        self.patience = patience
        self.min_delta = min_delta

    def _see(self, run: _Run, score: float) -> None:
        if score > run.reference + self._min_delta:  # False for NaN
            run.reference = score
            run.since_improvement = 0
        else:
            run.since_improvement += 1

    def _stop_reason(self, run: _Run) -> str | None:
        if run.since_improvement < self._patience:
            return None
        return (
            f"{run.since_improvement} candidates in a row did not improve on "
            f"{run.reference!r} by more than min_delta={self.min_delta!r}"
        )

    def _params(self) -> dict[str, Any]:
        return {
            "patience": self.patience,
            "min_delta": self.min_delta,
            "metric": self.metric,
        }
