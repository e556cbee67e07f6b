"""What a search prints with ``verbose=1``: a line per candidate or per rung.

scikit-learn's searches print "Fitting k folds for each of n candidates"
once per ``evaluate_candidates`` call, which a sequential search makes once
per candidate: nothing a user can follow. With ``verbose=1`` our searches
print instead, as each completes, a line per candidate (index, score, best
so far, elapsed time, parameters), or per rung for the multi-fidelity ones
(bracket, rung, resource, candidates kept, best score); ``verbose >= 2``
adds scikit-learn's own lines.
"""

from __future__ import annotations

import contextlib
import numbers
import sys
import threading
import time
from typing import Any, Iterator

import numpy as np

__all__ = ["Reporter"]


def _value(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, (bool, np.bool_, numbers.Integral, str)) or value is None:
        return repr(value) if isinstance(value, str) else str(value)
    if hasattr(value, "get_params"):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def compact(params: dict) -> str:
    """``name=value`` pairs, numbers to 4 significant digits."""
    return ", ".join(f"{name}={_value(v)}" for name, v in params.items())


class Reporter:
    """Prints a search's progress lines (``verbose >= 1``).

    Parameters
    ----------
    name : str
        The search's class name, which starts every line.
    verbose : int
        The search's ``verbose``; nothing is printed below 1.
    n_planned : int or None
        Candidates the search plans (``n_iter``), if known.
    """

    def __init__(self, name: str, verbose: int, n_planned: int | None) -> None:
        self.name = name
        self.verbose = verbose
        self.n_planned = n_planned
        self.start = time.monotonic()
        self.best: tuple[float, int] | None = None
        self._lock = threading.Lock()

    def _best(self, scores: np.ndarray, indices: list[int]) -> None:
        for score, index in zip(scores, indices):
            if np.isfinite(score) and (self.best is None or score > self.best[0]):
                self.best = (float(score), index)

    @contextlib.contextmanager
    def _printing(self) -> Iterator[bool]:
        """Whether to print (``verbose >= 1``), holding the lock: the sliding
        window reports from several threads."""
        if self.verbose < 1:
            yield False
            return
        with self._lock:
            yield True

    def _print(self, text: str) -> None:
        elapsed = time.monotonic() - self.start
        print(f"[{self.name}] {text} | {elapsed:.1f} s", file=sys.stdout, flush=True)

    def candidates(
        self,
        indices: list[int],
        batch: list[dict],
        scores: np.ndarray,
        stds: np.ndarray,
        replayed: bool,
        metric: str = "score",
    ) -> None:
        """One line per completed candidate."""
        with self._printing() as on:
            if not on:
                return
            self._best(scores, indices)
            for index, params, score, std in zip(indices, batch, scores, stds):
                total = f"/{self.n_planned}" if self.n_planned else ""
                best = (
                    f"best {self.best[0]:.4f} (#{self.best[1] + 1})"
                    if self.best
                    else "best -"
                )
                source = " (from the journal)" if replayed else ""
                name = "score" if metric == "score" else f"{metric} score"
                self._print(
                    f"{index + 1}{total} {name} {score:.4f} +/- {std:.4f} | {best}"
                    f" | {compact(params)}{source}"
                )

    def rung(self, rung: Any, n: int, scores: np.ndarray, n_kept: int) -> None:
        """One line per rung (a schedulers ``Rung``) of ``n`` candidates."""
        with self._printing() as on:
            if not on:
                return
            finite = scores[np.isfinite(scores)]
            top = f"{finite.max():.4f}" if len(finite) else "-"
            self._print(
                f"bracket {rung.bracket} rung {rung.rung}: {n} "
                f"candidate{'s' * (n != 1)} with n_resources={rung.n_resources}, "
                f"best {top}, {n_kept} kept"
            )

    def note(self, text: str) -> None:
        """One line about the search itself (why it stopped, say)."""
        with self._printing() as on:
            if on:
                self._print(text)
