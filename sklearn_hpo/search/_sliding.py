"""Sliding-window evaluation for model-based searches with ``n_points > 1``.

Up to ``n_points`` candidates are out at a time. Candidate ``i`` is asked for
right after candidate ``i - n_points`` is told, and scores are told in
candidate order, so the optimizer sees the same sequence of asks and tells,
and proposes the same candidates, whatever ``n_jobs`` is. With ``n_jobs`` > 1
each candidate is evaluated in a thread of its own (its folds in parallel on
joblib's workers), so a new candidate starts as soon as the oldest is scored
instead of after the slowest fit of a round; otherwise the candidates out are
evaluated together, as one round.
"""

from __future__ import annotations

import contextvars
import time
import warnings
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from joblib import effective_n_jobs

from sklearn_hpo.optimizers import BaseOptimizer
from sklearn_hpo.search._results import ask_new, warn_exhausted
from sklearn_hpo.utils._compat import end_loky_workers, has_callbacks

__all__ = ["end_running_fits", "first_error", "run_sliding", "wants_threads"]


@dataclass
class _Slot:
    """One candidate out for evaluation."""

    index: int
    candidate: dict
    info: dict[str, list]
    future: Future | None = None
    score: float | None = None


def run_sliding(
    search: Any, optimizer: BaseOptimizer, initial: list[dict], evaluation: Any
) -> None:
    """Evaluate ``search.n_iter`` candidates with ``search.n_points`` out at once.

    Parameters
    ----------
    search : BaseSequentialSearchCV
        The search being fit.
    optimizer : BaseOptimizer
        Its optimizer.
    initial : list of dict
        The user's initial points, evaluated first.
    evaluation : Evaluation
        The fit's evaluation, inside ``running``. The candidates out are
        evaluated together, in synchronous rounds, with ``n_jobs`` of 1,
        ``error_score="raise"``, callbacks registered on the search (their
        per-call tasks are opened in order) or a joblib backend chosen by
        the user.
    """
    if wants_threads(search):
        with evaluation.concurrent() as possible:
            if possible:
                _run_threads(search, optimizer, initial, evaluation)
                return
    _run_window_rounds(search, optimizer, initial, evaluation)


def wants_threads(search: Any) -> bool:
    """Whether ``search`` may evaluate candidates from several threads.

    It needs more than one joblib worker, no scikit-learn callbacks (their
    per-call tasks are opened in order) and an ``error_score`` other than
    "raise": the first failing fit then ends the search, and older joblib
    releases tear down the worker pool under the other threads' calls. The
    evaluation must allow it too (:meth:`Evaluation.concurrent`).
    """
    return (
        effective_n_jobs(search.n_jobs) > 1
        and not has_callbacks(search)
        and not (isinstance(search.error_score, str) and search.error_score == "raise")
    )


@dataclass
class _Asker:
    """Hands out the next candidate: the user's first, then the optimizer's.

    The optimizer is only asked once every initial point is told: it does
    not know the initial points still out, and could propose them again.
    """

    optimizer: BaseOptimizer
    evaluation: Any
    initial: list
    n_iter: int
    n_asked: int = 0
    n_told: int = 0
    exhausted: bool = False
    search: Any = None

    def tell(self, slots: list[_Slot], scores: list[float]) -> None:
        self.optimizer.tell([s.candidate for s in slots], scores)
        self.n_told += len(slots)

    def next(self) -> _Slot | None:
        """The next candidate, or None (none left, or wait for initial points)."""
        if self.exhausted or self.n_asked >= self.n_iter:
            return None
        if self.n_asked and self.evaluation.stop:  # max_time spent, or a callback
            return None
        if self.n_asked >= len(self.initial) > self.n_told:
            return None
        if self.n_asked < len(self.initial):
            batch = [self.initial[self.n_asked]]
        else:
            batch = ask_new(self.optimizer, 1)
            if not batch:  # finite space exhausted
                self.exhausted = True
                warn_exhausted(self.search, self.optimizer.space)
                return None
        info = self.optimizer.candidate_info(batch)
        slot = _Slot(self.n_asked, batch[0], {"round": [self.n_asked], **info})
        self.n_asked += 1
        return slot


def _run_window_rounds(
    search: Any, optimizer: BaseOptimizer, initial: list, evaluation: Any
) -> None:
    """The same asks and tells, the candidates out evaluated as one round."""
    asker = _Asker(optimizer, evaluation, initial, search.n_iter, search=search)
    out: deque[_Slot] = deque()
    while True:
        while len(out) < search.n_points:
            slot = asker.next()
            if slot is None:
                break
            out.append(slot)
        if not out:
            return
        if out[0].score is None:
            todo = [s for s in out if s.score is None]
            info = {k: [v for s in todo for v in s.info[k]] for k in todo[0].info}
            scores = evaluation.evaluate([s.candidate for s in todo], info)
            for s, score in zip(todo, scores):
                s.score = float(score)
            if evaluation.stop:
                asker.tell(list(out), [s.score for s in out])
                return
        slot = out.popleft()
        asker.tell([slot], [slot.score])


def _error_rank(error: tuple[float, int, BaseException]) -> tuple:
    """Sort key: errors about the aborted worker pool last, then by time."""
    when, index, exc = error
    secondary = type(exc).__name__ in _POOL_ERRORS or "shutdown" in str(exc).lower()
    return secondary, when, index


# What joblib's other calls raise once one call has aborted the worker pool.
_POOL_ERRORS = {"ShutdownExecutorError", "TerminatedWorkerError", "BrokenProcessPool"}


def _run_threads(
    search: Any, optimizer: BaseOptimizer, initial: list, evaluation: Any
) -> None:
    """Each candidate in a thread; a new one as soon as the oldest is told."""
    asker = _Asker(optimizer, evaluation, initial, search.n_iter, search=search)
    errors: list[tuple[float, int, BaseException]] = []

    def run(slot: _Slot) -> float:
        try:
            return evaluation.evaluate_concurrently(
                slot.index, slot.candidate, slot.info
            )
        except BaseException as exc:
            errors.append((time.monotonic(), slot.index, exc))
            raise

    out: deque[_Slot] = deque()
    executor = ThreadPoolExecutor(max_workers=search.n_points)
    try:
        with warnings.catch_warnings():
            # scikit-learn re-warns about every NaN score of every call; the
            # search warns once at the end.
            warnings.filterwarnings(
                "ignore", message="One or more of the .* scores are non-fin"
            )
            while True:
                while len(out) < search.n_points:
                    slot = asker.next()
                    if slot is None:
                        break
                    # The thread sees this thread's context variables (the
                    # search's fit-failure collector).
                    context = contextvars.copy_context()
                    slot.future = executor.submit(context.run, run, slot)
                    out.append(slot)
                if not out:
                    break
                slot = out.popleft()
                asker.tell([slot], [slot.future.result()])
    except Exception:
        # Let the candidates still out end, then raise the error that came
        # first: a failing call aborts the worker pool, so the other calls
        # fail too, with errors that only say so.
        executor.shutdown(wait=True)
        if errors:
            raise first_error(errors) from None
        raise
    except BaseException:  # KeyboardInterrupt: end the running fits
        running = [s.future for s in out if s.future is not None]
        executor.shutdown(wait=False, cancel_futures=True)
        end_running_fits([f for f in running if not f.cancelled()])
        raise
    executor.shutdown(wait=True)


def first_error(errors: list[tuple[float, int, BaseException]]) -> BaseException:
    """The error to raise of those of several threads' calls ``(time, index,
    error)``: the first that is not about the worker pool the first one
    aborted."""
    return min(errors, key=_error_rank)[2]


def end_running_fits(running: list[Future], grace: float = 2.0) -> None:
    """End the fits of the candidates still out after a KeyboardInterrupt.

    A KeyboardInterrupt reaches only the main thread: the other threads'
    joblib calls would run their fits to the end, and the interpreter waits
    for those threads before it exits. Ending joblib's worker processes makes
    those calls fail at once, as joblib itself does when a call made from the
    main thread is interrupted. The threads are then waited for, ``grace``
    seconds at most, ending the workers again while a thread still runs (one
    may have started a call on new workers meanwhile).

    Parameters
    ----------
    running : list of Future
        The threads' futures of the candidates out (not cancelled).
    grace : float, default=2.0
        Seconds to wait for those threads.
    """
    deadline = time.monotonic() + grace
    pending = {f for f in running if not f.done()}
    while pending and time.monotonic() < deadline:
        end_loky_workers()
        pending = wait(pending, timeout=0.25).not_done
