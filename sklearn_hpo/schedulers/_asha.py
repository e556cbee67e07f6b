"""Asynchronous successive halving (ASHA): the promotion rule, as pure logic.

Synchronous successive halving promotes the best ``1 / factor`` of a rung
once every candidate of the rung is scored, so with several workers each
rung ends with workers waiting for its slowest fit. ASHA (Li et al., "A
System for Massively Parallel Hyperparameter Tuning", MLSys 2020) promotes
a candidate as soon as it is among the best ``floor(n / factor)`` of the
``n`` candidates its rung has finished: whenever a worker is free, it looks
from the top rung down for such a candidate not promoted yet, and otherwise
starts a new candidate at the bottom rung.

:class:`AsyncBracket` runs one bracket of a plan (a
:class:`~sklearn_hpo.schedulers.Bracket`) this way, with the plan's budget:

- it starts no more bottom-rung candidates than the plan's first rung has;
- a rung promotes at most as many candidates as the plan's next rung has;
- while candidates may still finish at a rung, only the best
  ``floor(n_finished / factor)`` of it, with a finite score, are promotable;
  once none can (the rung is *closed*), the best of it are promoted up to the
  plan's count, as the synchronous rule would (a candidate without a finite
  score among them only when too few have one).

So every rung evaluates at most the plan's number of candidates, exactly that
many when nothing stops the bracket: the synchronous and asynchronous
schedulers spend the same budget. Candidates are numbered ``0, 1, ...`` in the
order they start; the caller maps them to parameters. Scores are maximised;
NaN marks a failed evaluation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from sklearn_hpo.schedulers._plans import Bracket

__all__ = ["AsyncBracket", "Job"]

Number = Union[int, float, Fraction]


@dataclass(frozen=True)
class Job:
    """One evaluation: ``candidate`` at rung ``rung`` of bracket ``bracket``.

    Attributes
    ----------
    bracket : int
        Index of the bracket in its plan.
    rung : int
        Index of the rung in its bracket.
    candidate : int
        The candidate, numbered in its bracket in the order candidates start.
    n_resources : int
        The rung's resource.
    """

    bracket: int
    rung: int
    candidate: int
    n_resources: int


def _is_finite(score: float) -> bool:
    return math.isfinite(score)


def _rank_key(item: tuple[int, float]) -> tuple[int, float]:
    """Best first; a failed (non-finite) score last."""
    score = item[1]
    return (0, -score) if _is_finite(score) else (1, 0.0)


class AsyncBracket:
    """One bracket of successive halving, scheduled asynchronously (ASHA).

    Parameters
    ----------
    bracket : Bracket
        The plan of the bracket: its rungs' candidate counts and resources.
    factor : int, float or Fraction
        The reduction factor (> 1).

    Attributes
    ----------
    finished : list of dict
        Per rung, the scores of the candidates finished there (candidate ->
        score), in the order they finished.
    promoted : list of set
        Per rung, the candidates promoted from it.
    running : set of tuple
        The ``(rung, candidate)`` pairs being evaluated.
    n_started : int
        Candidates started at the bottom rung.
    """

    def __init__(self, bracket: Bracket, factor: Number) -> None:
        self.bracket = bracket
        self.factor = Fraction(factor)
        n_rungs = len(bracket.rungs)
        self.finished: list[dict[int, float]] = [{} for _ in range(n_rungs)]
        self.promoted: list[set[int]] = [set() for _ in range(n_rungs)]
        self.running: set[tuple[int, int]] = set()
        self.n_started = 0
        self.stopped = False

    # ------------------------------------------------------------- state
    def closed(self, rung: int) -> bool:
        """Whether no more candidates can finish at ``rung``: nothing runs
        there, and the rung below is closed and has promoted all it will."""
        rungs = self.bracket.rungs
        busy = {k for k, _ in self.running}
        closed = self.stopped or self.n_started >= rungs[0].n_candidates
        for k in range(rung + 1):
            if k:
                n_done = len(self.finished[k - 1])
                quota = min(rungs[k].n_candidates, n_done)
                closed = closed and (
                    self.stopped or len(self.promoted[k - 1]) >= quota
                )
            closed = closed and k not in busy
        return closed

    def _quota(self, rung: int) -> int:
        """How many candidates ``rung`` may promote by now."""
        n_next = self.bracket.rungs[rung + 1].n_candidates
        n_done = len(self.finished[rung])
        if self.closed(rung):
            return min(n_next, n_done)
        share = Fraction(n_done) / self.factor
        return min(n_next, share.numerator // share.denominator)

    def ranked(self, rung: int) -> list[int]:
        """The candidates finished at ``rung``, best first (failed last; ties
        in the order they finished)."""
        return [c for c, _ in sorted(self.finished[rung].items(), key=_rank_key)]

    def _promotable(self, rung: int) -> int | None:
        """The best candidate of ``rung`` to promote now, or None."""
        quota = self._quota(rung)
        if len(self.promoted[rung]) >= quota:
            return None
        closed = self.closed(rung)
        for candidate in self.ranked(rung)[:quota]:
            if candidate in self.promoted[rung]:
                continue
            if not closed and not _is_finite(self.finished[rung][candidate]):
                return None  # a failed candidate waits for the rung to close
            return candidate
        return None

    # --------------------------------------------------------- scheduling
    def next_job(self) -> Job | None:
        """The job for a free worker (marked running), or None for now.

        From the top rung down, the best promotable candidate; else a new
        candidate at the bottom rung, while the plan has some left.
        """
        if self.stopped:
            return None
        rungs = self.bracket.rungs
        for k in range(len(rungs) - 2, -1, -1):
            candidate = self._promotable(k)
            if candidate is not None:
                self.promoted[k].add(candidate)
                return self._start(k + 1, candidate)
        if self.n_started < rungs[0].n_candidates:
            self.n_started += 1
            return self._start(0, self.n_started - 1)
        return None

    def _start(self, rung: int, candidate: int) -> Job:
        self.running.add((rung, candidate))
        return Job(
            self.bracket.bracket,
            rung,
            candidate,
            self.bracket.rungs[rung].n_resources,
        )

    def report(self, job: Job, score: float) -> None:
        """Record the score of a finished job."""
        self.running.discard((job.rung, job.candidate))
        self.finished[job.rung][job.candidate] = float(score)

    def stop(self) -> None:
        """Start nothing new (the running jobs may still be reported)."""
        self.stopped = True

    @property
    def done(self) -> bool:
        """Whether nothing runs and nothing is left to start."""
        if self.running:
            return False
        return self.stopped or (
            self.n_started >= self.bracket.rungs[0].n_candidates
            and all(self._promotable(k) is None for k in range(len(self.finished) - 1))
        )

    def alive(self) -> set[int]:
        """Candidates that are running or may still be promoted.

        The others' models need not be kept for a continuation (warm start).
        """
        out = {c for _, c in self.running}
        rungs = self.bracket.rungs
        if self.stopped:
            return out
        for k in range(len(rungs) - 1):
            if self.closed(k) and len(self.promoted[k]) >= self._quota(k):
                continue
            for candidate in self.ranked(k)[: rungs[k + 1].n_candidates]:
                if candidate not in self.promoted[k]:
                    out.add(candidate)
        return out
