"""A stopper that asks a search to stop after a wall-clock budget."""

from __future__ import annotations

import time
from typing import Any

from sklearn_hpo.callbacks._base import (
    RAISES_WITHOUT_CALLBACKS,
    STOPPER_ATTRIBUTES,
    BaseStopper,
    _Run,
    check_number,
)

__all__ = ["DeadlineStopper"]


class DeadlineStopper(BaseStopper):
    __doc__ = (
        """Ask the search to stop once ``seconds`` have passed since its fit began.

    A scikit-learn callback (scikit-learn >= 1.9): register it with
    ``search.set_callbacks(DeadlineStopper(60))``. The clock starts when the
    fit of the estimator it is set on begins (its ``setup`` hook). At the end
    of every task of the fit (scikit-learn's ``on_fit_task_end`` hook) it
    answers True once ``seconds`` of wall-clock time have passed: "stop the
    current level of iterations". Whether and when the fit stops is up to the
    estimator, which asks; what each search does is listed in the Notes.

    Parameters
    ----------
    seconds : float
        The budget, in seconds of wall-clock time, > 0.

"""
        + STOPPER_ATTRIBUTES
        + RAISES_WITHOUT_CALLBACKS
        + """
    See Also
    --------
    TargetScoreStopper, NoImprovementStopper

    Notes
    -----
    What happens on each search, with scikit-learn 1.9:

    - sklearn_hpo's searches with ``n_iter`` (:class:`~sklearn_hpo.BayesSearchCV`,
      :class:`~sklearn_hpo.TPESearchCV`, :class:`~sklearn_hpo.EvolutionarySearchCV`,
      ...) check the answer at the end of each round (one batch of
      ``n_points`` candidates, each on every split): the round during which the
      deadline passes is finished, no further round starts, and the best
      candidate so far is refit as usual. At least one round is evaluated, and
      the refit comes on top of ``seconds``.
    - :class:`~sklearn_hpo.HyperbandSearchCV` and
      :class:`~sklearn_hpo.SuccessiveHalvingSearchCV` check it at the end of
      each rung: the running bracket ends after that rung and no further
      bracket starts; the best candidate is chosen among those evaluated.
    - scikit-learn's :class:`~sklearn.model_selection.GridSearchCV` and
      :class:`~sklearn.model_selection.RandomizedSearchCV` evaluate all their
      candidates in one call. They ask their callbacks at the end of every fit
      of a candidate on one split, of the search, of the refit and of the whole
      fit, but ignore every answer: all the candidates are evaluated, and the
      stopper only records ``stop_requested_``. With ``n_jobs`` > 1 the
      per-fit questions go to copies of the stopper in the worker processes.
    - scikit-learn's ``HalvingGridSearchCV`` and ``HalvingRandomSearchCV``
      also ask at the end of each halving iteration, and also ignore the
      answers: every iteration runs.

    The answer is the same at every level of the task tree, so any level that
    honours it stops. The stopper is not propagated to sub-estimators (it has
    no ``max_propagation_depth``): it never stops the fit of one candidate.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_hpo import DeadlineStopper, Integer, TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> stopper = DeadlineStopper(seconds=600)
    >>> search = TPESearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 8)},
    ...     n_iter=4, cv=3, random_state=0,
    ... ).set_callbacks(stopper)
    >>> len(search.fit(X, y).cv_results_["params"]), stopper.stop_requested_
    (4, False)
    """
    )

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = check_number(
            type(self).__name__, "seconds", seconds, positive=True
        )
        self.seconds = seconds

    def on_fit_task_end(self, estimator: Any, context: Any) -> bool:
        """Answer whether the estimator should stop (the budget is spent).

        Parameters
        ----------
        estimator : estimator instance
            The estimator being fit.
        context : sklearn.callback.CallbackContext
            The context of the task that ended.

        Returns
        -------
        bool
            True once ``seconds`` have passed since the fit began.
        """
        run, is_root = self._find_run(context)
        if run is None:  # a task of a fit this stopper was not set up for
            return False
        return self._answer(run, is_root)

    def _stop_reason(self, run: _Run) -> str | None:
        elapsed = time.time() - run.start
        if elapsed < self._seconds:
            return None
        return (
            f"{elapsed:.3g} s had passed since the fit began (seconds={self.seconds!r})"
        )

    def _params(self) -> dict[str, Any]:
        return {"seconds": self.seconds}
