"""Reading what the plots and the inspection functions read: ``cv_results_``.

From a fitted search (ours or scikit-learn's), or from a ``cv_results_``-shaped
dict or DataFrame such as :func:`sklearn_hpo.load_results` reads from a
journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError

__all__ = [
    "Source",
    "best_index",
    "is_number",
    "read_results",
    "resource_from",
    "score_key",
    "scored_rows",
]


@dataclass(frozen=True)
class Source:
    """What a plot reads: ``cv_results_`` and, for a search, its settings.

    A ``cv_results_``-shaped dict or DataFrame (such as
    :func:`sklearn_hpo.load_results` returns) has no ``refit``, no
    ``best_index_`` and no ``search_spaces``: the best row is worked out
    from the scores, and the resource parameter from ``n_resources``.
    """

    results: dict
    name: str
    is_search: bool
    refit: Any = None
    best_index: Any = None
    resource: str | None = None
    search_spaces: Any = None


def read_results(search: Any) -> Source:
    if isinstance(search, Mapping) or _is_frame(search):
        results = _from_frame(search) if _is_frame(search) else dict(search)
        if "params" in results and not len(results["params"]):
            raise ValueError("The results hold no candidate yet: nothing to plot.")
        if "params" not in results or not any(
            k.startswith("mean_test_") for k in results
        ):
            raise ValueError(
                "A cv_results_-shaped dict or DataFrame needs a 'params' column "
                f"and 'mean_test_*' columns; got the columns {sorted(results)}."
            )
        resource = resource_from(results)
        return Source(results, "the results", False, resource=resource)
    results = getattr(search, "cv_results_", None)
    if results is None:
        if not hasattr(search, "fit"):
            raise TypeError(
                "search must be a fitted search, a cv_results_-shaped dict or a "
                f"DataFrame (as sklearn_hpo.load_results returns), got "
                f"{type(search).__name__}."
            )
        raise NotFittedError(
            f"This {type(search).__name__} instance is not fitted yet: call 'fit' "
            "before plotting it."
        )
    return Source(
        results,
        type(search).__name__,
        True,
        refit=getattr(search, "refit", None),
        best_index=getattr(search, "best_index_", None),
        resource=getattr(search, "resource", None),
        search_spaces=getattr(search, "search_spaces", None),
    )


def _is_frame(value: Any) -> bool:
    # Duck-typed, so that pandas is never imported here.
    return hasattr(value, "columns") and hasattr(value, "to_numpy")


def _from_frame(frame: Any) -> dict:
    results = {str(c): frame[c].to_numpy() for c in frame.columns}
    if "params" in results:
        results["params"] = list(results["params"])
    return results


def resource_from(results: dict) -> str | None:
    """The parameter that holds each row's ``n_resources``, if one does."""
    if "n_resources" not in results or not len(results["params"]):
        return None
    resources = list(np.asarray(results["n_resources"]))
    first = results["params"][0]
    for name in first:
        values = [p.get(name) for p in results["params"]]
        if all(is_number(v) and v == r for v, r in zip(values, resources)):
            return name
    return None


def best_index(source: Source, key: str) -> int | None:
    """The search's ``best_index_``; for results alone, the best row of
    ``key`` (among the rows with the most resource, as the multi-fidelity
    searches choose)."""
    if source.is_search:
        best = source.best_index
        return int(best) if isinstance(best, (int, np.integer)) else None
    scores = np.asarray(source.results[key], dtype=float)
    rows = np.arange(len(scores))
    if "n_resources" in source.results and len(scores):
        resources = np.asarray(source.results["n_resources"], dtype=float)
        rows = np.flatnonzero(resources == np.nanmax(resources))
    if not len(rows) or np.isnan(scores[rows]).all():
        return None
    return int(rows[np.nanargmax(scores[rows])])


def score_key(source: Source, metric: str | None) -> str:
    """The ``mean_test_*`` column to plot: ``metric``, or the one ``refit`` uses."""
    results = source.results
    prefix = "mean_test_"
    names = sorted(k[len(prefix) :] for k in results if k.startswith(prefix))
    if metric is None:
        if "mean_test_score" in results:
            return "mean_test_score"
        refit = source.refit
        if not source.is_search:
            raise ValueError(f"The results have several metrics {names}: pass metric.")
        if not isinstance(refit, str):
            raise ValueError(
                f"The search has several metrics {names} and refit={refit!r} names "
                "none of them: pass metric."
            )
        metric = refit
    key = f"mean_test_{metric}"
    if key not in results:
        raise ValueError(f"metric must be one of {names}, got metric={metric!r}.")
    return key


def is_number(value: Any) -> bool:
    """A real number that is not a bool."""
    return isinstance(value, (int, float, np.number)) and not isinstance(
        value, (bool, np.bool_)
    )


def scored_rows(source: Source, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a finite ``key`` score, and those scores: of a
    multi-fidelity search, only the rows at the largest resource."""
    results = source.results
    rows = np.arange(len(results["params"]))
    if "n_resources" in results and len(rows):
        resources = np.asarray(results["n_resources"], dtype=float)
        rows = np.flatnonzero(resources == np.nanmax(resources))
    scores = np.asarray(results[key], dtype=float)[rows]
    finite = np.isfinite(scores)
    return rows[finite], scores[finite]
