"""What the stoppers share: the callback protocol, per-fit state, validation.

The stoppers follow scikit-learn's public callback protocol (``sklearn.callback``,
scikit-learn >= 1.9): the estimator being fit calls ``setup`` when its fit
begins, ``on_fit_task_begin`` / ``on_fit_task_end`` around each task of its
task tree (the whole fit, a search, a round, one candidate on one split, the
refit, ...) and ``teardown`` when the fit ends. ``on_fit_task_end`` returns
whether to stop "the current level of iterations at this task": the estimator
asks, the callback answers, and the estimator decides whether it honours the
answer. Nothing here depends on how a search is implemented.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn

try:
    import sklearn.callback  # noqa: F401  (scikit-learn >= 1.9)
except ImportError:  # pragma: no cover - exercised on scikit-learn < 1.9
    CALLBACKS_AVAILABLE = False
else:
    CALLBACKS_AVAILABLE = True

__all__ = [
    "BaseStopper",
    "CALLBACKS_AVAILABLE",
    "RAISES_WITHOUT_CALLBACKS",
    "STOPPER_ATTRIBUTES",
]

# Docstring sections every stopper shares.
STOPPER_ATTRIBUTES = """
    Attributes
    ----------
    stop_requested_ : bool
        Whether the stopper answered "stop" during the last fit (before its
        end), whether or not the search honoured it.
    stop_reason_ : str or None
        Why it did, or None.
"""

RAISES_WITHOUT_CALLBACKS = """
    Raises
    ------
    ImportError
        With scikit-learn < 1.9, which has no callbacks.
"""


@dataclass
class _Run:
    """What a stopper knows about one fit of the estimator it is set on."""

    start: float
    reason: str | None = None
    n_seen: int = 0
    best: float = math.nan
    # NoImprovementStopper: the score of the last candidate that counted as
    # an improvement, and how many candidates have completed since.
    reference: float = -math.inf
    since_improvement: int = 0


def _task_path(context: Any) -> tuple:
    """(task_name, task_id) of ``context`` and its ancestors, the root first."""
    path = []
    while context is not None:
        path.append((context.task_name, context.task_id))
        context = context.parent
    return tuple(reversed(path))


class BaseStopper:
    """Callback protocol and per-fit bookkeeping of the stoppers.

    A fit is identified by the task path of the context ``setup`` receives (the
    estimator's root task, inside the task tree of a meta-estimator when the
    estimator is fitted by one), so that one stopper shared by clones fitted
    at the same time keeps their fits apart. The state is plain data, so the
    copies of the stopper that joblib sends to worker processes with the
    search carry it.
    """

    def __init__(self) -> None:
        if not CALLBACKS_AVAILABLE:
            raise ImportError(
                f"{type(self).__name__} is a scikit-learn callback: it needs "
                "scikit-learn >= 1.9 (the sklearn.callback module); scikit-learn "
                f"{sklearn.__version__} is installed (pip install -U "
                '"scikit-learn>=1.9").'
            )
        self._runs: dict[tuple, _Run] = {}
        self.stop_requested_ = False
        self.stop_reason_: str | None = None

    # ----------------------------------------------------------- protocol
    def setup(self, estimator: Any, context: Any) -> None:
        """Start the clock and reset the state (the estimator's fit begins).

        Parameters
        ----------
        estimator : estimator instance
            The estimator being fit.
        context : sklearn.callback.CallbackContext
            The context of the estimator's root task.
        """
        # time.time rather than a monotonic clock: copies of the stopper in
        # worker processes (possibly on other hosts) compare against it.
        run = _Run(start=time.time())
        self._runs[(context.root_uuid, _task_path(context))] = run
        self._publish(run)
        # sklearn_hpo's searches ask their stoppers after every round or
        # rung, with its new rows (search_checkpoint); the callback protocol
        # itself passes no scores during a search.
        from sklearn_hpo.search._evaluation import active_evaluation

        evaluation = active_evaluation(estimator)
        if evaluation is not None:
            evaluation.add_stopper(self, context)

    def search_checkpoint(self, context: Any, results: dict, search: Any) -> bool:
        """Answer, after a round or rung of one of sklearn_hpo's searches.

        Parameters
        ----------
        context : sklearn.callback.CallbackContext
            The root context the stopper was set up with.
        results : dict
            The ``cv_results_`` rows of the candidates that just completed.
        search : estimator instance
            The search being fit.

        Returns
        -------
        bool
            Whether the search should start no more rounds or rungs.
        """
        run, _ = self._find_run(context)
        if run is None:
            return False
        self._observe_rows(run, results, search)
        return self._answer(run, False)

    def _observe_rows(self, run: _Run, results: dict, holder: Any) -> None:
        """See the candidates of ``results``, all of them new."""

    def teardown(self, estimator: Any, context: Any) -> None:
        """Forget the fit's state (the public attributes stay).

        Parameters
        ----------
        estimator : estimator instance
            The fitted estimator.
        context : sklearn.callback.CallbackContext
            The context of the estimator's root task.
        """
        self._runs.pop((context.root_uuid, _task_path(context)), None)

    def on_fit_task_begin(self, estimator: Any, context: Any) -> None:
        """Nothing to do when a task begins.

        Parameters
        ----------
        estimator : estimator instance
            The estimator being fit.
        context : sklearn.callback.CallbackContext
            The context of the task.
        """

    # ------------------------------------------------------------ helpers
    def _find_run(self, context: Any) -> tuple[_Run | None, bool]:
        """The state of the fit ``context`` belongs to, and whether it is its root."""
        path = _task_path(context)
        for n in range(len(path), 0, -1):
            run = self._runs.get((context.root_uuid, path[:n]))
            if run is not None:
                return run, n == len(path)
        return None, False

    def _answer(self, run: _Run, is_root: bool) -> bool:
        """Decide (except at the root task's end, when nothing is left) and answer."""
        if run.reason is None and not is_root:
            run.reason = self._stop_reason(run)
            self._publish(run)
        return run.reason is not None

    def _stop_reason(self, run: _Run) -> str | None:
        """Why the estimator should stop now, or None to let it go on."""
        raise NotImplementedError

    def _publish(self, run: _Run) -> None:
        """Copy ``run`` to the public attributes."""
        self.stop_requested_ = run.reason is not None
        self.stop_reason_ = run.reason

    def _params(self) -> dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


# ---------------------------------------------------------------- validation
def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    positive: bool = False,
    non_negative: bool = False,
) -> float:
    """``value`` as a float; errors name ``owner``'s parameter and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a real number; got {value!r} "
            f"({type(value).__name__})."
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{owner}: {name} must be finite; got {value!r}.")
    if positive and not number > 0:
        raise ValueError(f"{owner}: {name} must be > 0; got {value!r}.")
    if non_negative and not number >= 0:
        raise ValueError(f"{owner}: {name} must be >= 0; got {value!r}.")
    return number


def check_count(owner: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1; errors name ``owner``'s parameter and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: {name} must be an integer; got {value!r} "
            f"({type(value).__name__})."
        )
    if value < 1:
        raise ValueError(f"{owner}: {name} must be >= 1; got {value!r}.")
    return int(value)


def score_column(results: dict, holder: Any, metric: str | None, owner: str) -> str:
    """The ``cv_results_`` column of the score a stopper watches.

    ``metric`` when given; else the single metric's ``mean_test_score``, or
    the ``refit`` metric of ``holder`` (the search) when it scores several.
    """
    prefix = "mean_test_"
    names = sorted(k[len(prefix) :] for k in results if k.startswith(prefix))
    if not names:
        raise ValueError(f"{owner}: the search's cv_results_ has no mean_test_ column.")
    if metric is not None:
        if f"mean_test_{metric}" not in results:
            raise ValueError(
                f"{owner}: metric={metric!r} is not a metric of the search; its "
                f"cv_results_ scores {names!r}."
            )
        return f"mean_test_{metric}"
    if "mean_test_score" in results:
        return "mean_test_score"
    refit = getattr(holder, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    raise ValueError(
        f"{owner}: the search scores several metrics {names!r} and its refit "
        f"({refit!r}) names none of them; pass metric=<one of them>."
    )


def scores_of(results: dict, column: str) -> np.ndarray:
    """The column as floats (NaN where a candidate failed or is masked)."""
    values = results[column]
    if np.ma.isMaskedArray(values):
        values = values.filled(np.nan)
    return np.asarray(values, dtype=float)
