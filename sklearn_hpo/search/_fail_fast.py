"""Stop a search early when its estimator cannot be fit at all.

With a numeric ``error_score`` a failed fit is a NaN score and the search
goes on; scikit-learn raises "All the N fits failed" only once every fit has
failed, so a search of 50 candidates whose estimator cannot fit the data
spends all of its fits first. The sequential searches stop sooner, by this
rule: once at least :data:`FAIL_FAST_CANDIDATES` candidates are evaluated,
if every fit of every candidate so far failed with the same error (type and
message), and no searched parameter has the same value in all of them (a
value they all share could be the cause), the search raises scikit-learn's
"All the N fits failed" ValueError there. A search where a candidate
succeeds, or fails with another error, goes on as before. The candidates
evaluated are recorded (``storage``) before the error is raised, so a
resumed search does not fit them again. The multi-fidelity searches are left
out: a fit may fail at a small resource only (too few samples).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["FAIL_FAST_CANDIDATES", "FailFast"]

#: Number of first candidates whose identical failures stop a search.
FAIL_FAST_CANDIDATES = 5

_MISSING = object()


def error_of(fit_error: str) -> str:
    """The final exception (type and message) of a fit's formatted traceback."""
    lines = fit_error.rstrip().splitlines()
    # Frames are indented; the exception follows the last frame.
    last_frame = max(
        (i for i, line in enumerate(lines) if line.startswith("  ")), default=-1
    )
    return "\n".join(lines[last_frame + 1 :]) or fit_error


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # arrays and other values without a plain ==
        return False


class FailFast:
    """Watches a search's first candidates for the failure that stops it.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fit (named in the error).
    space : SearchSpace
        Its space: a parameter with a single value everywhere it is searched
        is shared by every candidate by construction, and does not count.
    n_iter : int
        The search's budget of candidates (for the error message).
    n_candidates : int, default=FAIL_FAST_CANDIDATES
        The least number of candidates that can stop a search.
    """

    def __init__(
        self,
        search: Any,
        space: Any,
        n_iter: int,
        n_candidates: int = FAIL_FAST_CANDIDATES,
    ) -> None:
        self.name = type(search).__name__
        self.n_iter = n_iter
        self.n_candidates = n_candidates
        counts: dict[str, set] = {}
        for sub in space.subspaces:
            for name, dim in sub.items():
                counts.setdefault(name, set()).add(dim.n_values)
        self._fixed = {name for name, n in counts.items() if n == {1}}
        # Every candidate so far failed with ``_error``: their number, the
        # tracebacks, the first one's values and the parameters that varied.
        self._error: str | None = None
        self._n = 0
        self._tracebacks: Counter = Counter()
        self._reference: dict = {}
        self._names: set[str] = set()
        self._varied: set[str] = set()
        self._decided = False
        # Concurrent calls (the sliding window) report from several threads.
        self._lock = threading.Lock()

    def add(self, batch: list[dict], out: list[dict], n_splits: int) -> None:
        """Note a call's candidates and per-fold results (candidate-major).

        Raises
        ------
        ValueError
            "All the N fits failed", once the candidates so far meet the rule.
        """
        with self._lock:
            if self._decided:
                return
            for j, candidate in enumerate(batch):
                errors = [
                    r.get("fit_error") for r in out[j * n_splits : (j + 1) * n_splits]
                ]
                if not self._failed_alike(errors):
                    self._decided = True  # the search goes on, as before
                    return
                self._note(candidate, errors)
            if self._n < self.n_candidates or self._names - self._fixed - self._varied:
                return
            if self._n >= self.n_iter:  # the search is over: its own check
                return
            self._decided = True
        raise ValueError(self._message(n_splits))

    def _failed_alike(self, errors: list) -> bool:
        """Whether every fold failed with the error of the earlier candidates."""
        if not errors or any(e is None for e in errors):
            return False
        kinds = {error_of(e) for e in errors}
        if self._error is None and len(kinds) == 1:
            self._error = kinds.pop()
            return True
        return kinds == {self._error}

    def _note(self, candidate: dict, errors: list) -> None:
        if not self._n:
            self._reference = dict(candidate)
        self._n += 1
        self._tracebacks.update(errors)
        self._names.update(candidate)
        for name in self._names - self._varied:
            ours = candidate.get(name, _MISSING)
            if not _same(ours, self._reference.get(name, _MISSING)):
                self._varied.add(name)

    def _message(self, n_splits: int) -> str:
        details = "\n".join(
            "-" * 80 + f"\n{n} fits failed with the following error:\n{text}"
            for text, n in self._tracebacks.items()
        )
        return (
            f"\nAll the {self._n * n_splits} fits failed.\n"
            f"{self.name} stopped after its first {self._n} candidates (of "
            f"n_iter={self.n_iter}): every fit of each failed with the same "
            "error, whatever their parameters, so the estimator most likely "
            "cannot be fit on this data at all. A search stops this early when "
            f"its first {self.n_candidates} or more candidates all fail with one "
            "error and no searched parameter has the same value in all of "
            "them; it goes on when some candidates succeed.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{details}"
        )
