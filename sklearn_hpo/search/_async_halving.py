"""The asynchronous scheduler of the multi-fidelity searches (ASHA).

With ``scheduler="async"`` a multi-fidelity search evaluates one candidate
at a time per worker instead of one rung at a time: whenever a worker is
free, :class:`~sklearn_hpo.schedulers._asha.AsyncBracket` names the next
job, a promotion (the best candidate of the highest rung that may promote
one) or a new candidate at the bracket's first rung. Each job is one call of
``evaluate_candidates`` (the candidate on every split, with its rung's
resource), so it is one ``cv_results_`` row with the synchronous scheduler's
columns (``bracket``, ``iter``, ``n_resources``).

Brackets are opened in the plan's order, each with its candidates sampled
as the synchronous scheduler samples them (a model-based sampler sees the
results so far); a bracket is opened when the open ones have no job for a
free worker, so with several workers the next bracket starts while the last
one ends, and with one worker the brackets run one after the other.

With more than one joblib worker (see ``_sliding.wants_threads``) the jobs
run in threads, as the sliding window runs candidates: each thread's call
dispatches its fits to joblib's shared worker pool, and a new job starts as
soon as one ends. Rows are then appended in the order the jobs finish. With
one worker the jobs run one after another in the calling thread, in an
order that depends only on the scores: the search is deterministic for a
given ``random_state``, and a journal (``storage``) replays it.

Warm start (``warm_start``, ``resource="partial_fit"``): a promoted candidate
continues from the model it saved at its previous rung, as with the
synchronous scheduler; models are kept while their candidate runs or may
still be promoted.
"""

from __future__ import annotations

import contextvars
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import numpy as np
from joblib import effective_n_jobs

from sklearn_hpo.optimizers._bracket import BracketSampler
from sklearn_hpo.schedulers import Bracket
from sklearn_hpo.schedulers._asha import AsyncBracket, Job
from sklearn_hpo.search._results import NON_FINITE
from sklearn_hpo.search._rung_failures import warn_rung_failures
from sklearn_hpo.search._sliding import end_running_fits, first_error

__all__ = ["run_async"]


class _AsyncRun:
    """The state of one asynchronous run: its open brackets and their jobs."""

    def __init__(
        self,
        search: Any,
        evaluation: Any,
        plan: tuple[Bracket, ...],
        sampler: BracketSampler,
        auto_min: int,
    ) -> None:
        self.search = search
        self.evaluation = evaluation
        self.resource = evaluation.resource
        self.plan = plan
        self.sampler = sampler
        self.auto_min = auto_min
        self.n_opened = 0
        self.exhausted = False
        self.n_jobs = 0
        # Bracket index -> (scheduler, its candidates); the open ones.
        self.brackets: dict[int, tuple[AsyncBracket, list[dict]]] = {}
        self.open: list[int] = []
        self.executed: list[Bracket] = []

    # ------------------------------------------------------------ jobs
    def next_job(self) -> tuple[int, Job, dict] | None:
        """The next job, its row index and candidate, or None for now."""
        if self.n_jobs and self.evaluation.stop:  # max_time spent, or a stopper
            for b in self.open:
                self.brackets[b][0].stop()
            return None
        for b in self.open:
            job = self.brackets[b][0].next_job()
            if job is not None:
                return self._started(job)
        while self.n_opened < len(self.plan) and not self.exhausted:
            scheduler = self._open(self.plan[self.n_opened])
            self.n_opened += 1
            if scheduler is None:
                break
            job = scheduler.next_job()
            if job is not None:
                return self._started(job)
        return None

    def _open(self, planned: Bracket) -> AsyncBracket | None:
        # fidelity="adaptive" may swap the bracket for a less aggressive one.
        planned = self.search._next_bracket(planned, self.evaluation)
        configs = self.sampler.propose(planned.n_candidates)
        if not configs:  # a finite space with nothing left
            self.exhausted = True
            return None
        bracket = self.search._shrink(planned, len(configs), self.auto_min)
        self.executed.append(bracket)
        scheduler = AsyncBracket(bracket, self.search.factor)
        self.brackets[bracket.bracket] = (scheduler, configs)
        self.open.append(bracket.bracket)
        return scheduler

    def _started(self, job: Job) -> tuple[int, Job, dict]:
        index = self.n_jobs
        self.n_jobs += 1
        return index, job, self.brackets[job.bracket][1][job.candidate]

    def report(self, job: Job, score: float) -> None:
        """Record a finished job; close the brackets that are done."""
        scheduler, configs = self.brackets[job.bracket]
        scheduler.report(job, score)
        self.sampler.record([configs[job.candidate]], [score], job.n_resources)
        for b in list(self.open):
            if self.brackets[b][0].done:
                self.open.remove(b)
                self._close(b)
        self._keep_models()

    def _close(self, b: int) -> None:
        """Report a finished bracket's rungs (and failures on small rungs)."""
        scheduler, configs = self.brackets[b]
        rungs = scheduler.bracket.rungs
        for k, rung in enumerate(rungs):
            finished = scheduler.finished[k]
            if not finished:
                break
            scores = np.array(list(finished.values()), dtype=float)
            if k:
                below = scheduler.finished[k - 1]
                self.evaluation.agreement.add(
                    rungs[k - 1].n_resources, rung.n_resources,
                    [below[c] for c in finished], scores,
                )  # fmt: skip
            if not self.resource.failures_warned:
                self.resource.failures_warned = warn_rung_failures(
                    self.search, self.evaluation,
                    [configs[c] for c in finished], scores, rung,
                )  # fmt: skip
            self.evaluation.reporter.rung(
                rung, len(scores), scores, len(scheduler.promoted[k])
            )

    def _keep_models(self) -> None:
        """Drop the saved models of the candidates that cannot continue."""
        if self.resource.store is None:
            return
        alive = []
        for b in self.open:
            scheduler, configs = self.brackets[b]
            alive += [configs[c] for c in scheduler.alive()]
        self.resource.promoted(alive)

    def info(self, job: Job) -> dict[str, list]:
        return {
            "bracket": [job.bracket],
            "iter": [job.rung],
            "n_resources": [job.n_resources],
        }

    def counts(self) -> tuple[list[int], list[int]]:
        """``n_candidates_`` and ``n_resources_``: per rung run, in plan order."""
        n_candidates, n_resources = [], []
        for bracket in self.executed:
            scheduler = self.brackets[bracket.bracket][0]
            for k, rung in enumerate(bracket.rungs):
                n = len(scheduler.finished[k])
                if n:
                    n_candidates.append(n)
                    n_resources.append(rung.n_resources)
        return n_candidates, n_resources

    # ------------------------------------------------------------- run
    def evaluate(self, index: int, job: Job, config: dict) -> float:
        """Evaluate a job in the calling thread, as one call."""
        batch, kwargs = self.resource.rung([config], job.n_resources, self.evaluation)
        return float(self.evaluation.evaluate(batch, self.info(job), **kwargs)[0])

    def evaluate_in_thread(self, index: int, job: Job, config: dict) -> float:
        """Evaluate a job from a worker thread (the rung's epochs are set in
        that thread, see ``EpochBudget``)."""
        batch, kwargs = self.resource.rung([config], job.n_resources, self.evaluation)
        return self.evaluation.evaluate_concurrently(
            index, batch[0], self.info(job), report=False, **kwargs
        )

    def run_sequentially(self) -> None:
        while (started := self.next_job()) is not None:
            self.report(started[1], self.evaluate(*started))

    def run_threads(self, n_workers: int) -> None:
        """Up to ``n_workers`` jobs at a time, each from a thread of its own."""
        errors: list[tuple[float, int, BaseException]] = []

        def run(index: int, job: Job, config: dict) -> float:
            try:
                return self.evaluate_in_thread(index, job, config)
            except BaseException as exc:
                errors.append((time.monotonic(), index, exc))
                raise

        out: dict[Future, tuple[int, Job]] = {}
        executor = ThreadPoolExecutor(max_workers=n_workers)
        try:
            with warnings.catch_warnings():
                # scikit-learn re-warns about every NaN score of every call;
                # the search warns once at the end.
                warnings.filterwarnings("ignore", message=NON_FINITE)
                while True:
                    while len(out) < n_workers:
                        started = self.next_job()
                        if started is None:
                            break
                        # The thread sees this thread's context variables
                        # (the search's fit-failure collector).
                        context = contextvars.copy_context()
                        future = executor.submit(context.run, run, *started)
                        out[future] = started[:2]
                    if not out:
                        break
                    done, _ = wait(out, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=lambda f: out[f][0]):
                        _, job = out.pop(future)
                        self.report(job, future.result())
        except Exception:
            # Let the jobs still out end, then raise the error that came
            # first (a failing call aborts the worker pool under the others).
            executor.shutdown(wait=True)
            if errors:
                raise first_error(errors) from None
            raise
        except BaseException:  # KeyboardInterrupt: end the running fits
            running = list(out)
            executor.shutdown(wait=False, cancel_futures=True)
            end_running_fits([f for f in running if not f.cancelled()])
            raise
        executor.shutdown(wait=True)


def run_async(
    search: Any,
    evaluation: Any,
    plan: tuple[Bracket, ...],
    sampler: BracketSampler,
    auto_min: int,
    threads: bool,
) -> tuple[Bracket, ...]:
    """Run ``plan`` with the asynchronous scheduler.

    Parameters
    ----------
    search : BaseMultiFidelitySearchCV
        The search being fit (``factor``, ``n_jobs``, ``_shrink``).
    evaluation : Evaluation
        Its evaluation, inside ``running``.
    plan : tuple of Bracket
        The planned brackets.
    sampler : BracketSampler
        Where the brackets' candidates come from; told every result.
    auto_min : int
        What ``min_resources="auto"`` resolved to (for ``_shrink``).
    threads : bool
        Whether to run ``effective_n_jobs(search.n_jobs)`` jobs at a time,
        each from a thread (else one at a time, in this thread).

    Returns
    -------
    tuple of Bracket
        The brackets run (as shrunk to the candidates sampled). The search's
        ``n_candidates_`` and ``n_resources_`` are set.
    """
    state = _AsyncRun(search, evaluation, plan, sampler, auto_min)
    resource = evaluation.resource
    if resource.store is not None:
        # Any rung may be followed by a promotion: save every model below
        # the highest resource of the plan.
        resource.rung_starts(False)
        resource.store.final_resource = max(b.rungs[-1].n_resources for b in plan)
    try:
        if threads:
            with evaluation.concurrent() as possible:
                if possible:
                    state.run_threads(effective_n_jobs(search.n_jobs))
                else:
                    state.run_sequentially()
        else:
            state.run_sequentially()
    finally:
        search.n_candidates_, search.n_resources_ = state.counts()
        resource.promoted([])
    return tuple(state.executed)
