"""The one module that imports private scikit-learn names.

scikit-optimize broke on five scikit-learn releases because private names were
imported all over it. Here they are imported once; ``tests/utils`` checks that
no other module does, and CI runs the suite against both the newest and the
oldest supported scikit-learn.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from typing import Any, Iterator

import sklearn
import sklearn.model_selection._search as _sk_search
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _num_samples

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "SKLEARN_VERSION",
    "deferred_fit_failure_checks",
    "num_samples",
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
# searches, threads and processes are untouched) the per-call check only
# collects the failures; the search then runs scikit-learn's own check once
# over everything, which warns or raises exactly as scikit-learn would.
# ---------------------------------------------------------------------------

_original_check = getattr(_sk_search, "_warn_or_raise_about_fit_failures", None)
_collector: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "sklearn_hpo_fit_failures", default=None
)
_patch_lock = threading.Lock()
_patch_users = 0


def _collecting_check(results: list[dict], error_score: Any) -> None:
    collected = _collector.get()
    if collected is None:
        return _original_check(results, error_score)
    collected.extend({"fit_error": r.get("fit_error")} for r in results)
    return None


@contextlib.contextmanager
def deferred_fit_failure_checks(error_score: Any) -> Iterator[list]:
    """Collect fit failures over a whole search; check them once at the end.

    Parameters
    ----------
    error_score : "raise" or float
        The search's ``error_score``.

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
    token = _collector.set(collected)
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
