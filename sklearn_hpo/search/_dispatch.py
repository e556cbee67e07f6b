"""The two places where the searches reach into ``BaseSearchCV.fit``.

``BaseSearchCV.fit`` is written for one ``evaluate_candidates`` call (as
``GridSearchCV`` makes); a sequential search makes one per round. Two of its
per-call behaviours then hurt, and no public hook changes them, so they are
adjusted here, for the search being fit only. Both are tested on
scikit-learn 1.4.2 to 1.9.1 with joblib 1.2.0 to 1.5 (CI runs the oldest and
the newest); ``tests/search/test_dispatch.py`` fails on a release where the
internals they rely on change, and each degrades to scikit-learn's own
behaviour rather than breaking a fit.

1. The fit-failure check. ``evaluate_candidates`` raises "All the N fits
   failed" as soon as every fit of ONE call fails, which kills a sequential
   search on its first bad candidate even with ``error_score=np.nan``. While a
   search runs, :func:`deferring_fit_failures` makes scikit-learn's check
   (``_warn_or_raise_about_fit_failures``, a module-level function) collect
   the failures of that search's calls; the search runs scikit-learn's own
   check once over all of them at the end, which warns or raises exactly as
   scikit-learn would. Checks of other searches (a ``GridSearchCV`` fitted as
   the estimator, in the same thread) are left alone: the search's
   dispatcher marks the moment its own fits are done, and only a check made
   then is collected.

2. The joblib pool of a call. ``BaseSearchCV.fit`` creates one
   ``joblib.Parallel`` and uses it from ``evaluate_candidates`` (reached
   through that function's closure). :class:`SearchParallel` stands in for
   it, for the search only: it sends a small call's fits one at a time
   (joblib's automatic batching pairs fast tasks, so a round of 6 fits on 2
   workers took the time of 4), it lets several threads evaluate at once
   (the sliding window of the model-based searches: each call gets a
   ``Parallel`` of its own on joblib's shared worker pool, and the
   bookkeeping after the fits is serialised), it marks the end of its
   fits for (1), and on joblib's dask backend it holds the fits' data on the
   cluster once for the whole search (``search/_cluster.py``), so that a
   dead worker loses no data. Where the closure holds no ``joblib.Parallel`` (a future
   scikit-learn), the search evaluates in synchronous rounds with joblib's
   default batching, and defers every fit-failure check of its thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from typing import Any, Iterator

import joblib
import sklearn

from sklearn_hpo.search._cluster import ClusterData
from sklearn_hpo.search._timeout import limit_fit_time
from sklearn_hpo.utils._compat import sklearn_search_module

__all__ = ["SearchParallel", "default_joblib_backend", "deferring_fit_failures"]

_original_check = sklearn_search_module._warn_or_raise_about_fit_failures

# The collector of the search being fit in this context, and the dispatcher
# whose fits have just finished (set between a call's fits and its check).
_collector: contextvars.ContextVar[_Collector | None] = contextvars.ContextVar(
    "sklearn_hpo_fit_failures", default=None
)
_fits_done: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "sklearn_hpo_fits_done", default=None
)
_patch_lock = threading.Lock()
_patch_users = 0


class _Collector:
    """The fit failures of one search, and its failed results awaiting dicts."""

    def __init__(self, dispatcher: SearchParallel | None) -> None:
        self.dispatcher = dispatcher
        self.records: list[dict] = []
        self.metric_names: list[str] | None = None
        self.waiting: list[dict] = []

    def owns_current_check(self) -> bool:
        if self.dispatcher is None:  # no dispatcher: every check of the context
            return True
        return _fits_done.get() is self.dispatcher

    def add(self, results: list[dict]) -> None:
        self.records.extend({"fit_error": r.get("fit_error")} for r in results)
        self._fill_failed_score_dicts(results)

    def _fill_failed_score_dicts(self, results: list[dict]) -> None:
        """Give failed fits score dicts once a callable scorer returns dicts.

        scikit-learn's ``_insert_error_scores`` does this within one call,
        from a successful fit of the same call; it can rely on that because
        its check raises when every fit of the call failed. Deferred, that no
        longer holds: failed results are kept until the metric names are
        known, then rewritten in place (the objects ``BaseSearchCV.fit``
        formats).
        """
        if self.metric_names is None:
            for r in results:
                scores = r.get("test_scores")
                if r.get("fit_error") is None and isinstance(scores, dict):
                    self.metric_names = list(scores)
                    break
        self.waiting.extend(
            r
            for r in results
            if r.get("fit_error") is not None
            and not isinstance(r.get("test_scores"), dict)
        )
        if self.metric_names is None:
            return
        for r in self.waiting:
            for key in ("test_scores", "train_scores"):
                if key in r and not isinstance(r[key], dict):
                    r[key] = {name: r[key] for name in self.metric_names}
        self.waiting.clear()


def _collecting_check(results: list[dict], error_score: Any) -> None:
    collector = _collector.get()
    if collector is None or not collector.owns_current_check():
        return _original_check(results, error_score)
    collector.add(results)
    return None


@contextlib.contextmanager
def deferring_fit_failures(
    error_score: Any, dispatcher: SearchParallel | None
) -> Iterator[list]:
    """Collect a search's fit failures; check them once, at a normal exit.

    Parameters
    ----------
    error_score : "raise" or float
        The search's ``error_score``.
    dispatcher : SearchParallel or None
        The search's dispatcher; checks made right after its fits are the
        search's own. None collects every check made in this context.

    Yields
    ------
    list
        The collected per-fit records.

    Raises
    ------
    ValueError
        At exit, when every fit of the whole search failed (scikit-learn's
        "All the N fits failed"); a FitFailedWarning is given when some did.
    """
    global _patch_users
    with _patch_lock:
        if _patch_users == 0:
            sklearn_search_module._warn_or_raise_about_fit_failures = (
                _collecting_check
            )
        _patch_users += 1
    collector = _Collector(dispatcher)
    token = _collector.set(collector)
    failed = False
    try:
        yield collector.records
    except BaseException:
        failed = True
        raise
    finally:
        _collector.reset(token)
        with _patch_lock:
            _patch_users -= 1
            if _patch_users == 0:
                sklearn_search_module._warn_or_raise_about_fit_failures = (
                    _original_check
                )
        if not failed and collector.records:
            _original_check(collector.records, error_score)


def _closure_cell(function: Any, name: str) -> Any:
    """The cell of the free variable ``name`` of ``function``, or None."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None)
    if code is None or closure is None or name not in code.co_freevars:
        return None
    return closure[code.co_freevars.index(name)]


def default_joblib_backend() -> bool:
    """Whether the calling thread runs with joblib's default configuration.

    Threads do not inherit a ``parallel_config`` / ``parallel_backend``
    context, so a user setting (a backend such as dask, or
    ``inner_max_num_threads``) rules concurrent calls out. joblib < 1.3 (no
    ``parallel_config``) is ruled out too: when one call fails it tears the
    worker pool down under the other threads' calls.
    """
    try:
        from joblib.parallel import _backend, default_parallel_config
    except ImportError:
        return False
    return getattr(_backend, "config", default_parallel_config) is (
        default_parallel_config
    )


class SearchParallel:
    """Stands in for ``BaseSearchCV.fit``'s ``joblib.Parallel`` during a search.

    Use :meth:`install` around the search's calls of ``evaluate_candidates``;
    set :attr:`n_tasks` before each call.

    Parameters
    ----------
    original : joblib.Parallel
        The ``Parallel`` that ``BaseSearchCV.fit`` created.
    """

    def __init__(self, original: joblib.Parallel) -> None:
        self.original = original
        self.n_tasks = 0
        self.concurrent = False
        self.lock = threading.Lock()
        self._held = threading.local()
        # Per thread: results to return instead of fitting (a resumed
        # search's journal), and the last call's results.
        self._local = threading.local()
        self.config = sklearn.get_config()
        self.fit_timeout: float | None = None  # the search's (``_timeout.py``)
        # On dask: the fits' data, held once for the whole search.
        self.cluster_data = ClusterData.of(original)

    @classmethod
    @contextlib.contextmanager
    def install(cls, evaluate_candidates: Any) -> Iterator[SearchParallel | None]:
        """Put a dispatcher in ``evaluate_candidates``' closure; None if none fits."""
        cell = _closure_cell(evaluate_candidates, "parallel")
        original = None if cell is None else cell.cell_contents
        if not isinstance(original, joblib.Parallel):
            yield None
            return
        dispatcher = cls(original)
        cell.cell_contents = dispatcher
        try:
            yield dispatcher
        finally:
            cell.cell_contents = original
            if dispatcher.cluster_data is not None:
                dispatcher.cluster_data.release()

    def __call__(self, tasks: Any) -> list:
        replay = getattr(self._local, "replay", None)
        self._local.replay = None
        if replay is not None and None in replay:
            # Part of the call is in the journal: fit the rest only.
            tasks = list(tasks)
            todo = [t for t, r in zip(tasks, replay) if r is None]
            fitted = iter(self._run(todo))
            out = [next(fitted) if r is None else r for r in replay]
        elif replay is not None:
            # The tasks are not even created (each would clone the estimator).
            out = list(replay)
            if self.concurrent:
                self.lock.acquire()
                self._held.value = True
        else:
            out = self._run(tasks)
        self._local.out = out
        _fits_done.set(self)
        return out

    def _run(self, tasks: Any) -> list:
        if self.concurrent:
            # Each task clones the estimator when it is made; made here, in
            # the calling thread, a clone sees that thread's rung (the
            # epochs of resource="partial_fit"), whereas joblib makes the
            # later tasks in its own thread.
            tasks = list(tasks)
        tasks = limit_fit_time(tasks, self.fit_timeout)
        if self.concurrent:
            parallel = type(self.original)(
                n_jobs=self.original.n_jobs,
                pre_dispatch=self.original.pre_dispatch,
                batch_size=1,
            )
            out = parallel(tasks)
            # The bookkeeping after the fits is not thread-safe: held until
            # the call returns (see call()).
            self.lock.acquire()
            self._held.value = True
        else:
            n_workers = joblib.effective_n_jobs(self.original.n_jobs)
            small = self.n_tasks <= 4 * n_workers
            self.original.batch_size = 1 if small else "auto"
            if self.cluster_data is not None:
                tasks = self.cluster_data.hold(tasks)
            out = self.original(tasks)
        return out

    def call(
        self, evaluate_candidates: Any, *args: Any, replay: list | None = None,
        **kwargs: Any,
    ) -> tuple[Any, list]:
        """Call ``evaluate_candidates`` (from any thread when concurrent).

        Parameters
        ----------
        evaluate_candidates : callable
            The function ``BaseSearchCV.fit`` passes to ``_run_search``.
        *args, **kwargs
            Its arguments.
        replay : list of dict or None, default=None
            Per-fold results to hand back instead of fitting (in the order
            of the candidates and splits).

        Returns
        -------
        results : dict
            What ``evaluate_candidates`` returns.
        out : list of dict
            The per-fold results of this call.
        """
        self._held.value = False
        self._local.replay = replay
        self._local.out = None
        try:
            if self.concurrent:
                # scikit-learn's configuration is thread-local: pass it on.
                with sklearn.config_context(**self.config):
                    results = evaluate_candidates(*args, **kwargs)
            else:
                results = evaluate_candidates(*args, **kwargs)
            return results, self._local.out
        finally:
            self._local.replay = None
            _fits_done.set(None)
            if getattr(self._held, "value", False):
                self._held.value = False
                self.lock.release()
