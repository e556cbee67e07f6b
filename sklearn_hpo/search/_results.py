"""Reading and writing a search's ``cv_results_``: what the evaluation core
formats, reads back, and leaves on an interrupted search; and the warnings
the search gives about its results (non-finite scores, a space with fewer
candidates than ``n_iter``)."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from typing import Any

import numpy as np
import sklearn

from sklearn_hpo.optimizers import SearchSpaceExhaustedWarning
from sklearn_hpo.utils._compat import BaseSearchCV

__all__ = [
    "NON_FINITE",
    "ask_new",
    "format_rows",
    "keep_completed",
    "refit_metric",
    "score_key",
    "scores_of",
    "user_stacklevel",
    "warn_exhausted",
    "warn_non_finite",
]

# scikit-learn's warning about non-finite scores, which it gives at every
# evaluate_candidates call; the searches warn once instead.
NON_FINITE = "One or more of the .* scores are non-fin"
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SKLEARN_DIR = os.path.dirname(os.path.abspath(sklearn.__file__))


def score_key(results: dict, refit: Any) -> str:
    """The ``cv_results_`` column an optimizer maximises.

    The single metric's ``mean_test_score``; with several metrics, the
    ``refit`` metric, or the first one when ``refit`` is not a metric name.
    """
    if "mean_test_score" in results:
        return "mean_test_score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return f"mean_test_{refit}"
    return next(k for k in results if k.startswith("mean_test_"))


def scores_of(results: dict, refit: Any, n: int) -> np.ndarray:
    """The last ``n`` values of the column the strategy maximises."""
    column = results[score_key(results, refit)]
    return np.asarray(column, dtype=float)[-n:]


def refit_metric(results: dict, refit: Any) -> str | None:
    """The metric ``best_score_`` is read from, or None (several metrics and
    ``refit`` names none)."""
    if "mean_test_score" in results:
        return "score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return refit
    return None


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


def format_rows(search: Any, args: tuple, order_by: str | None) -> dict:
    """Every row, formatted once by scikit-learn's ``_format_results``.

    ``args`` are the arguments of the last ``_format_results`` call (every
    candidate so far); ``order_by`` is a column to sort the rows by, stably
    (concurrent calls append candidates in the order they finish).
    """
    if order_by is not None and order_by in (args[3] or {}):
        args = _sorted_rows(args, order_by)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NON_FINITE)
        return BaseSearchCV._format_results(search, *args)


def keep_completed(
    search: Any, args: tuple | None, order_by: str | None, resumable: bool
) -> None:
    """After an interrupt: ``cv_results_`` and the best of what completed.

    Nothing is refit; a warning says how far the search got and how to
    resume it (``resumable``: it has a journal).
    """
    n_done = 0
    if args is not None:
        results = format_rows(search, args, order_by)
        search.cv_results_ = results
        n_done = len(results["params"])
        metric = refit_metric(results, search.refit)
        if metric is not None or callable(search.refit):
            index = search._select_best_index(search.refit, metric, results)
            search.best_index_ = index
            search.best_params_ = results["params"][index]
            if metric is not None:
                search.best_score_ = results[f"mean_test_{metric}"][index]
    how = (
        "fit again with the same storage to resume it."
        if resumable
        else "give storage= (a file) to make a search resumable."
    )
    kept = (
        f"after {n_done} completed candidates; cv_results_ and best_params_ "
        "describe those (nothing was refit)"
        if n_done
        else "before any candidate completed; nothing was kept"
    )
    warnings.warn(
        f"{type(search).__name__} was interrupted {kept}; {how}",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def user_stacklevel() -> int:
    """``stacklevel`` for a warning of the search: the user's call of ``fit``.

    Counts the frames of this package, scikit-learn and contextlib between
    the caller of ``warnings.warn`` and the first frame outside them.
    """
    internal = (_PACKAGE_DIR, _SKLEARN_DIR, contextlib.__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(internal):
        frame, level = frame.f_back, level + 1
    return level


def warn_non_finite(results: dict) -> None:
    """One warning per score column with non-finite values."""
    for key, values in results.items():
        if key.startswith(("mean_test_", "mean_train_")):
            bad = int(np.sum(~np.isfinite(np.asarray(values, dtype=float))))
            if bad:
                warnings.warn(
                    f"One or more of the {key.split('_')[1]} scores are non-finite: "
                    f"{bad} of {len(values)} candidates have a non-finite {key}.",
                    category=UserWarning,
                    stacklevel=user_stacklevel(),
                )


def ask_new(optimizer: Any, n: int) -> list[dict]:
    """``optimizer.ask(n)`` without its exhausted-space warning.

    The optimizer words that warning for its own ``ask``; the search issues
    :func:`warn_exhausted` instead, in terms of its parameters.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SearchSpaceExhaustedWarning)
        return optimizer.ask(n)


def warn_exhausted(search: Any, space: Any) -> None:
    """Warn that a finite space holds fewer candidates than ``n_iter``."""
    size = space.size
    s = "s" if size != 1 else ""
    warnings.warn(
        f"search_spaces has only {size} distinct candidate{s}, fewer than "
        f"n_iter={search.n_iter}: {type(search).__name__} evaluates each once "
        f"and stops after {size} candidate{s}. Set n_iter={size} to silence "
        "this warning, or widen search_spaces (a Real or Integer range instead "
        "of a list of values) to search more.",
        SearchSpaceExhaustedWarning,
        stacklevel=user_stacklevel(),
    )
