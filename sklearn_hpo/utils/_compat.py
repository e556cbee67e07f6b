"""The one module that imports private scikit-learn names.

scikit-optimize broke on five scikit-learn releases because private names were
imported all over it. Here they are imported once; ``tests/utils`` checks that
no other module does, and CI runs the suite against both the newest and the
oldest supported scikit-learn.
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import sys
import threading
import warnings
from typing import Any, Iterator

import joblib
import sklearn
import sklearn.model_selection._search as _sk_search
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.validation import _num_samples

__all__ = [
    "BaseSearchCV",
    "DeferredResultsMixin",
    "HasMethods",
    "IntegersNotBoolsMixin",
    "Interval",
    "StrOptions",
    "SKLEARN_VERSION",
    "concurrent_evaluations",
    "deferred_fit_failure_checks",
    "has_callbacks",
    "num_samples",
    "unbatched_dispatch",
]

# Number of samples of any array-like (lists, sparse, dataframes), as
# scikit-learn counts them; used by the multi-fidelity searches.
num_samples = _num_samples

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])

# ---------------------------------------------------------------------------
# Fit failures are judged over the whole search, not per evaluate_candidates
# call. BaseSearchCV.fit raises "All the N fits failed" as soon as every fit
# of ONE call fails, which kills a sequential search on its first bad
# candidate even with error_score=np.nan (scikit-optimize's long-standing
# bug). While one of our searches runs (a context variable marks it, so other
# threads and processes are untouched) the per-call check of THAT search only
# collects the failures; the search then runs scikit-learn's own check once
# over everything, which warns or raises exactly as scikit-learn would. A
# search fitted inside it (a GridSearchCV as the estimator, in the same
# thread) keeps its own per-call check: the check is called from
# evaluate_candidates, whose ``self`` tells which search it is.
# ---------------------------------------------------------------------------

_original_check = getattr(_sk_search, "_warn_or_raise_about_fit_failures", None)
# (the search, its collected fit errors, failed results awaiting score dicts)
_State = tuple[Any, list, dict]
_collector: contextvars.ContextVar[_State | None] = contextvars.ContextVar(
    "sklearn_hpo_fit_failures", default=None
)
_patch_lock = threading.Lock()
_patch_users = 0


def _calling_search(default: Any) -> Any:
    """The ``self`` of the evaluate_candidates that called the check."""
    try:
        return sys._getframe(2).f_locals.get("self", default)
    except Exception:  # no frame introspection: assume the collecting search
        return default


def _collecting_check(results: list[dict], error_score: Any) -> None:
    state = _collector.get()
    if state is None:
        return _original_check(results, error_score)
    search, collected, waiting = state
    if search is not None and _calling_search(search) is not search:
        return _original_check(results, error_score)  # a nested search
    collected.extend({"fit_error": r.get("fit_error")} for r in results)
    _fill_failed_score_dicts(results, waiting)
    return None


def _fill_failed_score_dicts(results: list[dict], waiting: dict) -> None:
    """Give failed fits score dicts once a callable scorer is known to return dicts.

    scikit-learn's ``_insert_error_scores`` does this within one
    ``evaluate_candidates`` call, from a successful fit of the same call; it
    can rely on that because the check it runs first raises when every fit of
    the call failed. Deferred, that check no longer raises, so a call whose
    fits all failed keeps scalar error scores next to other calls' dicts, and
    formatting ``cv_results_`` fails. Failed results are kept here until the
    metric names are known, then rewritten in place (the objects that
    ``BaseSearchCV.fit`` formats).
    """
    if waiting["names"] is None:
        for r in results:
            if r.get("fit_error") is None and isinstance(r.get("test_scores"), dict):
                waiting["names"] = list(r["test_scores"])
                break
    waiting["failed"].extend(
        r
        for r in results
        if r.get("fit_error") is not None and not isinstance(r.get("test_scores"), dict)
    )
    names = waiting["names"]
    if names is None:
        return
    for r in waiting["failed"]:
        for key in ("test_scores", "train_scores"):
            if key in r and not isinstance(r[key], dict):
                r[key] = {name: r[key] for name in names}
    waiting["failed"].clear()


@contextlib.contextmanager
def deferred_fit_failure_checks(
    error_score: Any, search: Any = None
) -> Iterator[list]:
    """Collect fit failures over a whole search; check them once at the end.

    Parameters
    ----------
    error_score : "raise" or float
        The search's ``error_score``.
    search : BaseSearchCV or None, default=None
        The search whose checks are deferred; the checks of other searches
        run inside it (nested searches) are left alone. None defers every
        check made in this context.

    Yields
    ------
    list
        The collected per-fit records (for inspection).

    Raises
    ------
    ValueError
        At exit, when every fit of the whole search failed (as scikit-learn's
        "All the N fits failed"); a FitFailedWarning when some did.
    """
    global _patch_users
    if _original_check is None:  # a scikit-learn without the hook: per-call checks
        yield []
        return
    with _patch_lock:
        if _patch_users == 0:
            _sk_search._warn_or_raise_about_fit_failures = _collecting_check
        _patch_users += 1
    collected: list = []
    token = _collector.set((search, collected, {"names": None, "failed": []}))
    failed = False
    try:
        yield collected
    except BaseException:
        failed = True
        raise
    finally:
        _collector.reset(token)
        with _patch_lock:
            _patch_users -= 1
            if _patch_users == 0:
                _sk_search._warn_or_raise_about_fit_failures = _original_check
        if not failed and collected:
            _original_check(collected, error_score)


# ---------------------------------------------------------------------------
# cv_results_ is re-formatted from ALL results after every evaluate_candidates
# call, so a search of n one-candidate rounds costs O(n^2) in formatting
# (measured: random search overhead per evaluation 2 ms at 50 evaluations,
# 11 ms at 500). While `deferred_results` is active, BaseSearchCV's
# `_format_results` formats only the newest batch (all a sequential loop reads
# back); at the end the full results are formatted once, by scikit-learn's own
# code, into the dict that BaseSearchCV.fit holds as its last `results`.
# ---------------------------------------------------------------------------


class DeferredResultsMixin:
    """Mixin for BaseSearchCV subclasses whose ``_run_search`` loops in rounds."""

    def _format_results(
        self, candidate_params: Any, n_splits: int, out: list, more_results: Any = None
    ) -> dict:
        state = self.__dict__.get("_deferred_results_state")
        if state is None:
            return super()._format_results(  # type: ignore[misc]
                candidate_params, n_splits, out, more_results
            )
        candidate_params = list(candidate_params)
        n_new = len(candidate_params) - state["n_formatted"]
        state["n_formatted"] = len(candidate_params)
        state["args"] = (candidate_params, n_splits, out, more_results)
        tail = {k: list(v)[-n_new:] for k, v in (more_results or {}).items()}
        batch = super()._format_results(  # type: ignore[misc]
            candidate_params[-n_new:], n_splits, out[-n_new * n_splits :], tail
        )
        state["last"] = batch
        return batch


@contextlib.contextmanager
def deferred_results(search: Any, order_by: str | None = None) -> Iterator[None]:
    """Format only each round's batch inside; the full ``cv_results_`` at exit.

    Parameters
    ----------
    search : DeferredResultsMixin
        The search being fit. On normal exit, the dict returned by the last
        ``evaluate_candidates`` call is updated in place with the results of
        every round (what ``BaseSearchCV.fit`` would have computed).
    order_by : str or None, default=None
        An extra ``cv_results_`` column (``more_results``) to sort the rows by
        (stably) before the final formatting: asynchronous evaluation appends
        candidates in the order they finish.
    """
    state = {"n_formatted": 0, "args": None, "last": None}
    search._deferred_results_state = state
    try:
        yield
    finally:
        del search._deferred_results_state
    if state["last"] is not None:
        args = state["args"]
        if order_by is not None and order_by in (args[3] or {}):
            args = _sorted_rows(args, order_by)
        with warnings.catch_warnings():
            # the search warns once about non-finite scores itself
            warnings.filterwarnings(
                "ignore", message="One or more of the .* scores are non-fin"
            )
            full = BaseSearchCV._format_results(search, *args)
        state["last"].clear()
        state["last"].update(full)


def _sorted_rows(args: tuple, column: str) -> tuple:
    """``_format_results`` arguments with the candidates sorted by ``column``."""
    candidate_params, n_splits, out, more_results = args
    key = list(more_results[column])
    order = sorted(range(len(candidate_params)), key=key.__getitem__)
    if order == list(range(len(order))):
        return args
    out = [out[i * n_splits + j] for i in order for j in range(n_splits)]
    more = {}
    for name, values in more_results.items():
        values = list(values)
        more[name] = [values[i] for i in order]
    return [candidate_params[i] for i in order], n_splits, out, more


# ---------------------------------------------------------------------------
# joblib's default batch_size="auto" groups fast tasks: after a first task of
# less than 0.2 s it sends them to the workers two or more at a time. That
# suits one large evaluate_candidates call (GridSearchCV's), but a sequential
# search's rounds are small (n_points x n_splits fits): 6 fits sent as 3
# pairs to 2 workers take the time of 4 fits, and every round pays it
# (measured: 1.44x at n_jobs=2 where RandomizedSearchCV gets 1.73x). The
# joblib.Parallel that BaseSearchCV.fit creates is only reachable through
# evaluate_candidates' closure; if a scikit-learn release renames it, this
# does nothing (tests/utils/test_compat.py then fails on that release).
# ---------------------------------------------------------------------------


def _closure_cell(function: Any, name: str) -> Any:
    """The cell of the free variable ``name`` of ``function``, or None."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None)
    if code is None or closure is None or name not in code.co_freevars:
        return None
    return closure[code.co_freevars.index(name)]


def _closure_value(function: Any, name: str, default: Any = None) -> Any:
    cell = _closure_cell(function, name)
    try:
        return default if cell is None else cell.cell_contents
    except ValueError:  # an empty cell
        return default


def _search_parallel(evaluate_candidates: Any) -> Any:
    """The closure cell holding BaseSearchCV.fit's joblib.Parallel, or None."""
    parallel = _closure_value(evaluate_candidates, "parallel")
    if not isinstance(parallel, joblib.Parallel):
        return None
    return _closure_cell(evaluate_candidates, "parallel")


def unbatched_dispatch(
    evaluate_candidates: Any, n_candidates: int, search: Any = None
) -> bool:
    """Before a call on ``n_candidates``: send each fit on its own if few.

    Up to 4 fits per worker go one at a time (``batch_size=1``); larger calls
    (a Hyperband rung of many cheap fits) keep joblib's automatic batching,
    which saves the per-task cost there.

    Parameters
    ----------
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` passes to ``_run_search``.
    n_candidates : int
        Number of candidates of the coming call (each fit on every split).
    search : BaseSearchCV or None, default=None
        The search, for its number of splits: ``n_splits_`` where
        scikit-learn sets it before ``_run_search`` (1.9 does, 1.4 does not),
        else the ``n_splits`` of ``fit`` that ``evaluate_candidates`` sees.

    Returns
    -------
    bool
        Whether the search's ``joblib.Parallel`` was found (and set).
    """
    cell = _search_parallel(evaluate_candidates)
    if cell is None:
        return False
    parallel = cell.cell_contents
    n_splits = getattr(search, "n_splits_", None) or _closure_value(
        evaluate_candidates, "n_splits", 5
    )
    n_tasks = n_candidates * n_splits
    n_workers = joblib.effective_n_jobs(parallel.n_jobs)
    parallel.batch_size = 1 if n_tasks <= 4 * n_workers else "auto"
    return True


# ---------------------------------------------------------------------------
# Asynchronous evaluation. A sequential search that waits for a whole round
# before asking again leaves workers idle while the slowest fit of the round
# runs. To hand out a new candidate as soon as a worker frees up, several
# evaluate_candidates calls must run at once, each in its own thread. Two
# things stand in the way, and `concurrent_evaluations` removes both:
# - the joblib.Parallel of BaseSearchCV.fit cannot run two calls at once: it
#   is replaced (in evaluate_candidates' closure, for the search only) by a
#   stand-in that runs each call on a Parallel of its own, with the same
#   n_jobs and pre_dispatch; they share joblib's reusable worker pool;
# - the bookkeeping after the fits (appending to the results, formatting)
#   is not thread-safe: the stand-in takes a lock once the fits are done,
#   released when evaluate_candidates returns.
# Threads see neither scikit-learn's configuration nor joblib's backend
# context, which are thread-local: the configuration is passed on; with a
# backend chosen by the user (parallel_config / parallel_backend, e.g. dask)
# nothing is done and the search evaluates in synchronous rounds.
# ---------------------------------------------------------------------------


def has_callbacks(estimator: Any) -> bool:
    """Whether callbacks were registered on ``estimator`` (scikit-learn >= 1.9,
    ``set_callbacks``); their per-round contexts need synchronous rounds."""
    return bool(getattr(estimator, "_skl_callbacks", None))


class _ConcurrentParallel:
    def __init__(self, original: Any, lock: threading.Lock, held: Any) -> None:
        self.original = original
        self.lock = lock
        self.held = held

    def __call__(self, iterable: Any) -> list:
        parallel = type(self.original)(
            n_jobs=self.original.n_jobs,
            pre_dispatch=self.original.pre_dispatch,
            batch_size=1,
        )
        out = parallel(iterable)
        self.lock.acquire()
        self.held.value = True
        return out


def _default_joblib_backend() -> bool:
    """Whether the calling thread runs with joblib's default configuration.

    Threads do not inherit a ``parallel_config`` / ``parallel_backend``
    context, so any user setting (a backend, ``inner_max_num_threads``,
    ``max_nbytes``, ...) rules the concurrent path out. joblib < 1.3 (no
    ``parallel_config``) is ruled out as well: when one call fails, it tears
    down the worker pool under the other threads' calls.
    """
    try:
        from joblib.parallel import _backend, default_parallel_config
    except ImportError:
        return False
    return getattr(_backend, "config", default_parallel_config) is (
        default_parallel_config
    )


@contextlib.contextmanager
def concurrent_evaluations(evaluate_candidates: Any) -> Iterator[Any]:
    """Make ``evaluate_candidates`` callable from several threads at once.

    Parameters
    ----------
    evaluate_candidates : callable
        The function ``BaseSearchCV.fit`` passes to ``_run_search``.

    Yields
    ------
    callable or None
        A function with the signature of ``evaluate_candidates`` that worker
        threads may call concurrently (each call's fits run in parallel with
        the others'; its bookkeeping is serialised), or None when that is not
        possible (unknown scikit-learn internals, or a joblib backend chosen
        by the user): then evaluate in synchronous rounds.
    """
    cell = _search_parallel(evaluate_candidates)
    if cell is None or not _default_joblib_backend():
        yield None
        return
    original = cell.cell_contents
    evaluate = _ConcurrentEvaluate(evaluate_candidates)
    cell.cell_contents = _ConcurrentParallel(original, evaluate.lock, evaluate.held)
    try:
        yield evaluate
    finally:
        cell.cell_contents = original


class _ConcurrentEvaluate:
    """``evaluate_candidates`` for worker threads; ``last`` is the results
    dict of the call that finished last (the one BaseSearchCV.fit keeps)."""

    def __init__(self, evaluate_candidates: Any) -> None:
        self.evaluate_candidates = evaluate_candidates
        self.lock = threading.Lock()
        self.held = threading.local()
        self.config = sklearn.get_config()
        self.last: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.held.value = False
        try:
            with sklearn.config_context(**self.config):
                results = self.evaluate_candidates(*args, **kwargs)
            if self.held.value:
                self.last = results
            return results
        finally:
            if self.held.value:
                self.held.value = False
                self.lock.release()


class IntegersNotBoolsMixin:
    """Rejects ``True``/``False`` for the integer parameters, at fit.

    scikit-learn's ``Interval(numbers.Integral, ...)`` accepts a bool (an
    ``int`` subclass): ``n_iter=True`` ran one candidate in some searches and
    failed with an error naming an internal argument in others.
    """

    def _validate_params(self) -> None:
        super()._validate_params()  # type: ignore[misc]
        for name, constraints in self._parameter_constraints.items():  # type: ignore[attr-defined]
            value = getattr(self, name, None)
            if not isinstance(value, bool) or "boolean" in constraints:
                continue
            if any(
                isinstance(c, Interval) and c.type is numbers.Integral
                for c in constraints
            ):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be an "
                    f"int, not a bool. Got {value!r} instead."
                )
