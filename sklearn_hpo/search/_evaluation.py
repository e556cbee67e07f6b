"""The evaluation core: how a candidate travels from ``ask`` to ``cv_results_``.

Every search of the package fits through one :class:`Evaluation`, an object
that lives for one call of ``fit`` and holds everything that call needs: the
data, the splits (made once), the fit-time estimator (a resource's wrapper,
for the multi-fidelity searches), the dispatcher, the deferred fit-failure
checks and the results not yet formatted. The search object itself stays a
plain estimator: nothing is stored on it, or changed, until
``BaseSearchCV.fit`` sets the fitted attributes.

The life cycle of a fit:

1. ``search.fit(X, y, **params)`` (``EvaluatedSearchMixin``, ``_mixin.py``) validates
   the parameters, builds the evaluation and runs ``BaseSearchCV.fit`` while
   it is :meth:`Evaluation.active`. Meanwhile the search's ``estimator`` and
   ``cv`` read as the evaluation's fit-time versions (``FitTimeParameter``),
   in this context only: scikit-learn clones the wrapper, and a ``cv``
   generator is read once.
2. ``BaseSearchCV.fit`` validates, clones, opens its ``joblib.Parallel`` and
   calls the strategy's ``_run_search(evaluate_candidates)``.
3. ``_run_search`` enters :meth:`Evaluation.running`: the data are split once
   for all calls, the dispatcher is installed in ``evaluate_candidates`` (with
   ``fit_timeout``, it runs each fit in a child process it can stop:
   ``search/_timeout.py``), the journal is opened (``storage``), fit failures
   are collected over the whole search, and each call's results are formatted
   only for its own candidates.
4. The strategy's loop: ``ask`` -> :meth:`Evaluation.evaluate` (one call of
   ``evaluate_candidates``: every candidate on every split, through joblib)
   -> the scores it returns -> ``tell``. A call whose candidates the journal
   holds is answered from it; any other is recorded there when it completes.
   No call starts once ``max_time`` is spent or a stopper asked. The sliding window
   (``search/_sliding.py``) calls :meth:`Evaluation.evaluate_concurrently`
   from several threads instead.
   When the strategy set :attr:`Evaluation.fail_fast`, a search whose first
   candidates all failed with one error stops there
   (``search/_fail_fast.py``).
5. At the end of ``running``: ``cv_results_`` is formatted once from every
   result, in ask order; scikit-learn's fit-failure check runs once over the
   whole search; one warning is given about non-finite scores. On Ctrl-C the
   completed candidates are left on the search instead (``keep_completed``).
6. ``BaseSearchCV.fit`` picks the best candidate and refits it.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
import warnings
from typing import Any, Callable, Iterator

import numpy as np
import sklearn
from sklearn.base import is_classifier
from sklearn.utils import check_random_state

from sklearn_hpo.search._dispatch import (
    SearchParallel,
    default_joblib_backend,
    deferring_fit_failures,
)
from sklearn_hpo.search._fail_fast import FailFast
from sklearn_hpo.search._journal import SearchJournal
from sklearn_hpo.search._report import Reporter
from sklearn_hpo.search._results import (
    NON_FINITE,
    format_rows,
    keep_completed,
    score_key,
    scores_of,
    user_stacklevel,
    warn_non_finite,
)
from sklearn_hpo.search._splits import freeze_splits, reusable_cv, split_params
from sklearn_hpo.utils._compat import BaseSearchCV

__all__ = ["Evaluation", "active_evaluation"]

# The evaluations active in this context (nested searches fit inside their
# outer search's fits, in the same thread when n_jobs=1).
_active: contextvars.ContextVar[tuple[Evaluation, ...]] = contextvars.ContextVar(
    "sklearn_hpo_evaluations", default=()
)



def active_evaluation(search: Any) -> Evaluation | None:
    """The evaluation of ``search`` in this context, or None outside its fit."""
    for evaluation in _active.get():
        if evaluation.search is search:
            return evaluation
    return None


class Evaluation:
    """One fit of a search: its data, splits and the path of every candidate.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fit (read, never changed).
    X, y : array-like
        The data given to ``fit``.
    params : dict
        The other arguments of ``fit`` (fit parameters, ``groups``, ...).
    estimator : estimator or None, default=None
        What the fits train: the search's estimator, or a wrapper of it (a
        resource's, for the multi-fidelity searches). None is the search's
        own estimator.

    Attributes
    ----------
    estimator : estimator
        The user's estimator (never the wrapper).
    splits : FrozenSplits
        The ``(train, test)`` pairs of every call (inside :meth:`running`).
    n_splits : int
        Their number.
    n_calls : int
        Number of ``evaluate`` calls made so far.
    n_candidates : int
        Number of candidates evaluated so far (rows of ``cv_results_``).
    journal : SearchJournal or None
        The search's journal (with ``storage``), inside :meth:`running`.
    reporter : Reporter
        Prints progress lines (``verbose >= 1``).
    resource : Resource or None
        The multi-fidelity searches' resource for this fit (it holds the
        models kept between rungs; closed when the fit ends).
    n_samples : int or None
        Number of samples of ``X`` (multi-fidelity searches).
    results : dict or None
        The search's ``cv_results_``, once every candidate is evaluated.
    fail_fast : FailFast or None
        Set by a strategy (inside :meth:`running`) to stop the search when
        its first candidates all fail with one error; None never stops.
    """

    def __init__(
        self, search: Any, X: Any, y: Any, params: dict, estimator: Any = None
    ) -> None:
        self.search = search
        self.X, self.y, self.params = X, y, params
        self.estimator = search.__dict__["estimator"]
        self.fit_time_params = {"cv": reusable_cv(search.__dict__["cv"])}
        if estimator is not None:
            self.fit_time_params["estimator"] = estimator
        self.splits: Any = None
        self.n_splits = 0
        self.n_calls = 0
        self.n_candidates = 0
        self.journal: SearchJournal | None = None
        max_time = search.max_time
        self._deadline = None if max_time is None else time.monotonic() + max_time
        self._stop_requested = False
        verbose = search.__dict__["verbose"]
        if verbose == 1:
            # Our lines instead of scikit-learn's per-call "Fitting ..." line.
            self.fit_time_params["verbose"] = 0
        self.reporter = Reporter(
            type(search).__name__, verbose, search.__dict__.get("n_iter")
        )
        self.resource: Any = None
        self.n_samples: int | None = None
        self.results: dict | None = None
        self._evaluate_candidates: Callable | None = None
        self._dispatcher: SearchParallel | None = None
        self._callback_ctx: Any = None
        self._search_ctx: Any = None
        self._call_task: str | None = None
        self._round_column: str | None = "round"
        self._stoppers: list[tuple[Any, Any]] = []
        self.planned_tasks: int | None = None
        self.fail_fast: FailFast | None = None
        self._failures: list[dict] = []
        self._pending: dict | None = None

    @contextlib.contextmanager
    def active(self) -> Iterator[Evaluation]:
        """Make this the search's evaluation in this context (around its fit)."""
        token = _active.set((*_active.get(), self))
        try:
            yield self
        finally:
            _active.reset(token)
            if self.resource is not None:
                self.resource.close()

    # ---------------------------------------------------------------- run
    @contextlib.contextmanager
    def running(
        self,
        evaluate_candidates: Callable,
        callback_ctx: Any = None,
        *,
        call_task: str | None = None,
        round_column: str | None = "round",
        order_by: str | None = None,
    ) -> Iterator[Evaluation]:
        """Set up the calls of ``evaluate_candidates`` for a ``_run_search``.

        Parameters
        ----------
        evaluate_candidates : callable
            The function ``BaseSearchCV.fit`` passes to ``_run_search``.
        callback_ctx : CallbackContext or None, default=None
            The context ``BaseSearchCV.fit`` passes (scikit-learn >= 1.9).
        call_task : str or None, default=None
            Name of a callback task opened for each call (the multi-fidelity
            searches' ``"halving-iteration"``, as scikit-learn's Halving
            searches); None puts every fit of every call right under the
            search's task, as ``RandomizedSearchCV`` does.
        round_column : str or None, default="round"
            ``cv_results_`` column numbering the calls; None adds none.
        order_by : str or None, default=None
            A ``cv_results_`` column to sort the rows by (stably) at the end:
            concurrent calls append candidates in the order they finish.
        """
        search = self.search
        self.splits = freeze_splits(
            search.cv,
            self.X,
            self.y,
            split_params(search, self.params),
            is_classifier(self.estimator),
        )
        self.n_splits = len(self.splits.splits)
        self._evaluate_candidates = evaluate_candidates
        self._call_task, self._round_column = call_task, round_column
        self._callback_ctx = callback_ctx
        with SearchParallel.install(evaluate_candidates) as dispatcher:
            self._dispatcher = dispatcher
            for name in ("storage", "fit_timeout"):
                if getattr(search, name) is not None and dispatcher is None:
                    raise RuntimeError(
                        f"{name} needs to reach the joblib.Parallel of "
                        "BaseSearchCV.fit, which this scikit-learn version does "
                        f"not expose ({sklearn.__version__}); use {name}=None."
                    )
            if dispatcher is not None:
                dispatcher.fit_timeout = search.fit_timeout
            if search.storage is not None:
                self.journal = SearchJournal(self)
            try:
                with deferring_fit_failures(
                    search.error_score, dispatcher
                ) as self._failures:
                    self._pending = {"n_formatted": 0, "args": None, "last": None}
                    try:
                        yield self
                    except KeyboardInterrupt:
                        keep_completed(
                            search, self._pending["args"], order_by,
                            resumable=self.journal is not None,
                        )  # fmt: skip
                        raise
                    finally:
                        pending, self._pending = self._pending, None
                    full = self._format_all(pending, order_by)
                    self.results = full
            finally:
                if self.journal is not None:
                    self.journal.close()
        if self._search_ctx is not None:
            self._search_ctx.call_on_fit_task_end(estimator=search)
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.reporter.note(
                f"max_time={search.max_time} s spent: stopped after "
                f"{self.n_candidates} candidates"
            )
        warn_non_finite(full)

    def interrupted_in_refit(self) -> None:
        """After an interrupt that came once the search was over (in the
        refit): keep ``cv_results_`` and the best candidate, not the refit."""
        search = self.search
        if self.results is None or hasattr(search, "cv_results_"):
            return  # the search itself was interrupted (keep_completed)
        search.cv_results_ = self.results
        for name in ("best_estimator_", "refit_time_"):
            search.__dict__.pop(name, None)
        warnings.warn(
            f"{type(search).__name__} was interrupted while refitting the best "
            "candidate: cv_results_ and best_params_ describe the whole search; "
            "best_estimator_ was not fitted.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    @property
    def stop(self) -> bool:
        """Whether to start no more calls: a callback asked, or ``max_time``
        is spent."""
        if self._stop_requested:
            return True
        return self._deadline is not None and time.monotonic() >= self._deadline

    def random_state(self) -> np.random.RandomState:
        """The strategy's random state: the search's ``random_state``; with a
        journal and ``random_state=None``, the seed the journal keeps (so that
        a resumed search proposes again what it proposed)."""
        if self.search.random_state is None and self.journal is not None:
            return np.random.RandomState(self.journal.seed)
        return check_random_state(self.search.random_state)

    def evaluate(
        self, batch: list[dict], info: dict[str, list] | None = None, **kwargs: Any
    ) -> np.ndarray:
        """Evaluate ``batch`` on every split; return its scores.

        Parameters
        ----------
        batch : list of dict
            The candidates.
        info : dict of list, default=None
            Extra ``cv_results_`` columns for the batch.
        **kwargs
            Passed to ``evaluate_candidates`` (e.g. ``cv``, a rung's
            splitter); ``cv`` defaults to the search's splits.

        Returns
        -------
        ndarray of shape (len(batch),)
            The score the strategy maximises (NaN for failed candidates).
        """
        kwargs.setdefault("cv", self.splits)
        more: dict[str, list] = {}
        if self._round_column is not None:
            more[self._round_column] = [self.n_calls] * len(batch)
        more.update(info or {})
        indices = list(range(self.n_candidates, self.n_candidates + len(batch)))
        call_ctx = None
        search_ctx = self._search_context()
        if search_ctx is not None and self._call_task is None:
            offset = indices[0] * self.n_splits
            kwargs["callback_ctx"] = _OffsetContext(search_ctx, offset)
        elif search_ctx is not None:
            call_ctx = search_ctx.subcontext(
                task_name=self._call_task,
                max_subtasks=len(batch) * self.n_splits,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self.search)
            kwargs["callback_ctx"] = call_ctx
        if self._dispatcher is not None:
            self._dispatcher.n_tasks = len(batch) * self.n_splits
        self.n_candidates += len(batch)
        results, replayed = self._call(indices, [*batch], more, **kwargs)
        self.n_calls += 1
        if self._round_column is not None:
            self._report(indices, batch, results, replayed)
        # A callback may ask to stop after any call (scikit-learn's
        # on_fit_task_end protocol).
        if call_ctx is not None and call_ctx.call_on_fit_task_end(
            estimator=self.search
        ):
            self._stop_requested = True
        self._checkpoint(results)
        return scores_of(results, self.search.refit, len(batch))

    def _search_context(self) -> Any:
        """The search's callback task, opened at the first call (when the
        strategy has set :attr:`planned_tasks`)."""
        if self._search_ctx is None and self._callback_ctx is not None:
            self._search_ctx = self._callback_ctx.subcontext(
                task_name="search",
                max_subtasks=self.planned_tasks,
                sequential_subtasks=self._call_task is not None,
            ).call_on_fit_task_begin(estimator=self.search)
        return self._search_ctx

    def add_stopper(self, stopper: Any, context: Any) -> None:
        """Ask ``stopper`` after every call whether to go on.

        The stoppers of :mod:`sklearn_hpo.callbacks` register here from their
        ``setup`` hook, with the search's root callback context: scikit-learn's
        callback protocol gives a callback no scores during a search, and no
        task of ours ends after each round (the tasks are scikit-learn's own).
        """
        self._stoppers.append((stopper, context))

    def _checkpoint(self, results: dict) -> None:
        """Show the stoppers a call's new rows; one may ask to stop."""
        for stopper, context in self._stoppers:
            if stopper.search_checkpoint(context, results, self.search):
                self._stop_requested = True

    @contextlib.contextmanager
    def concurrent(self) -> Iterator[bool]:
        """Allow :meth:`evaluate_concurrently` from several threads, if possible.

        Yields False (evaluate in synchronous rounds) where the dispatcher is
        missing or a joblib backend was chosen by the user (threads do not
        inherit it).
        """
        dispatcher = self._dispatcher
        if not self.concurrent_possible():
            yield False
            return
        dispatcher.concurrent = True
        try:
            yield True
        finally:
            dispatcher.concurrent = False

    def concurrent_possible(self) -> bool:
        """Whether :meth:`concurrent` would allow calls from several threads
        (inside :meth:`running`)."""
        return self._dispatcher is not None and default_joblib_backend()

    def evaluate_concurrently(
        self,
        index: int,
        candidate: dict,
        info: dict[str, list],
        *,
        report: bool = True,
        **kwargs: Any,
    ) -> float:
        """Evaluate one candidate from a worker thread (inside :meth:`concurrent`).

        The calling thread filters scikit-learn's per-call warning about
        non-finite scores (warning filters are process-wide). ``index`` is
        the candidate's row (its ask order); ``report`` prints its line
        (``verbose >= 1``); ``kwargs`` go to ``evaluate_candidates`` (``cv``
        defaults to the search's splits).
        """
        self.n_candidates = max(self.n_candidates, index + 1)
        kwargs.setdefault("cv", self.splits)
        results, replayed = self._evaluate_and_record(
            [index], [candidate], info, **kwargs
        )
        if report:
            self._report([index], [candidate], results, replayed)
        return float(scores_of(results, self.search.refit, 1)[0])

    def _report(
        self, indices: list[int], batch: list[dict], results: dict, replayed: bool
    ) -> None:
        if self.reporter.verbose < 1:
            return
        key = score_key(results, self.search.refit)
        n = len(batch)
        std = np.asarray(results["std" + key[4:]], dtype=float)[-n:]
        self.reporter.candidates(
            indices, batch, scores_of(results, self.search.refit, n), std, replayed,
            metric=key[len("mean_test_") :],
        )  # fmt: skip

    def _call(
        self, indices: list[int], batch: list[dict], more: dict, **kwargs: Any
    ) -> dict:
        with warnings.catch_warnings():
            # scikit-learn re-warns about every NaN score of every call; the
            # search warns once, at the end.
            warnings.filterwarnings("ignore", message=NON_FINITE)
            if self._dispatcher is None:
                results = self._evaluate_candidates(batch, more_results=more, **kwargs)
                if self.fail_fast is not None:
                    # Without the dispatcher no call is concurrent: this
                    # call's fits are the last collected.
                    n = len(batch) * self.n_splits
                    self.fail_fast.add(batch, self._failures[-n:], self.n_splits)
                return results, False
            return self._evaluate_and_record(indices, batch, more, **kwargs)

    def _evaluate_and_record(
        self, indices: list[int], batch: list[dict], more: dict, **kwargs: Any
    ) -> tuple[dict, bool]:
        """One call through the dispatcher: the candidates the journal holds
        come from it, the others are fitted and recorded there. Returns the
        results and whether every candidate came from the journal."""
        journal = self.journal
        rows = None if journal is None else journal.stored(indices, batch)
        replay = None if rows is None else journal.results(rows, self.splits)
        results, out = self._dispatcher.call(
            self._evaluate_candidates, batch, more_results=more, replay=replay,
            **kwargs,
        )  # fmt: skip
        fitted = [j for j in range(len(batch)) if rows is None or rows[j] is None]
        if journal is not None and fitted:
            n = self.n_splits
            journal.record(
                [indices[j] for j in fitted],
                [batch[j] for j in fitted],
                [r for j in fitted for r in out[j * n : (j + 1) * n]],
                {k: [v[j] for j in fitted] for k, v in more.items()},
            )
        if self.fail_fast is not None and out is not None:
            # Once recorded, so that a resumed search skips these fits.
            self.fail_fast.add(batch, out, self.n_splits)
        return results, not fitted

    # ------------------------------------------------------------ results
    def format_results(
        self, candidate_params: Any, n_splits: int, out: list, more_results: Any
    ) -> dict:
        """``_format_results`` of one call: only the newest candidates.

        ``BaseSearchCV.fit`` formats every result after every call, which
        makes a search of many small calls quadratic; the strategies read
        back only the newest rows, and :meth:`running` formats everything
        once at the end, with scikit-learn's own code.
        """
        pending = self._pending
        candidate_params = list(candidate_params)
        n_new = len(candidate_params) - pending["n_formatted"]
        pending["n_formatted"] = len(candidate_params)
        pending["args"] = (candidate_params, n_splits, out, more_results)
        tail = {k: list(v)[-n_new:] for k, v in (more_results or {}).items()}
        batch = BaseSearchCV._format_results(
            self.search,
            candidate_params[-n_new:],
            n_splits,
            out[-n_new * n_splits :],
            tail,
        )
        pending["last"] = batch
        return batch

    @property
    def formats_per_call(self) -> bool:
        """Whether calls are formatted by :meth:`format_results` now."""
        return self._pending is not None

    def _format_all(self, pending: dict, order_by: str | None) -> dict:
        """Format every result into the dict ``BaseSearchCV.fit`` holds last."""
        if pending["last"] is None:
            return {}
        full = format_rows(self.search, pending["args"], order_by)
        pending["last"].clear()
        pending["last"].update(full)
        return pending["last"]


class _OffsetContext:
    """The search's callback context, for one call of ``evaluate_candidates``.

    ``evaluate_candidates`` numbers the fits of each call from 0; this
    numbers them after those of the earlier calls, so that every fit of the
    search is a task of the search's own, as in ``RandomizedSearchCV``.
    """

    def __init__(self, context: Any, offset: int) -> None:
        self.context = context
        self.offset = offset

    def subcontext(self, task_name: str = "", task_id: int = 0, **kwargs: Any) -> Any:
        """The context of fit ``task_id`` of this call."""
        return self.context.subcontext(
            task_name=task_name, task_id=self.offset + task_id, **kwargs
        )
