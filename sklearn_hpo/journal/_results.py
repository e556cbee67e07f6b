"""A study's rows as scikit-learn's ``cv_results_`` (a dict, or a DataFrame)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.journal._records import CandidateRecord

__all__ = ["build_results", "to_frame"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as error:
        raise ImportError(
            "as_frame=True needs pandas, which is not installed: pip install pandas "
            "(or use as_frame=False for a dict of arrays)."
        ) from error
    return pandas


def to_frame(results: dict[str, Any]) -> Any:
    """A pandas DataFrame of a ``cv_results_`` dict (masked entries as NaN/None)."""
    pandas = _pandas()
    columns = {}
    for key, value in results.items():
        if isinstance(value, np.ma.MaskedArray):
            if value.dtype == object:
                value = value.filled(None)
            elif np.ma.is_masked(value):
                value = value.astype(float).filled(np.nan)
            else:
                value = value.data
        columns[key] = list(value) if key == "params" else value
    return pandas.DataFrame(columns)


def _mean_std(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if array.shape[1] == 0:
        nan = np.full(array.shape[0], np.nan)
        return nan, nan.copy()
    mean = array.mean(axis=1)
    std = np.sqrt(((array - mean[:, None]) ** 2).mean(axis=1))
    return mean, std


def _rank(means: np.ndarray) -> np.ndarray:
    # As scikit-learn: NaN means (failed candidates) tie below the worst
    # score; equal scores share the smallest rank ("min" method).
    if means.size == 0 or np.isnan(means).all():
        return np.ones(means.shape, dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    order = np.sort(-filled)
    return (np.searchsorted(order, -filled, side="left") + 1).astype(np.int32)


def _fold_matrix(values: Sequence[Sequence[float] | None], width: int) -> np.ndarray:
    matrix = np.full((len(values), width), np.nan)
    for i, row in enumerate(values):
        if row:
            matrix[i, : len(row)] = row[:width]
    return matrix


def _column(values: list[Any], present: list[bool], *, masked: bool) -> np.ndarray:
    """One column: numeric when every present value is a number, else object.

    ``masked`` gives a masked array (as scikit-learn's ``param_*`` columns),
    masked where a row has no value; without missing values and ``masked``
    False, a plain array as ``np.asarray`` of the values.
    """
    n = len(values)
    if not masked and all(present):
        try:
            array = np.asarray(values)
        except ValueError:
            array = None
        if array is not None and array.ndim == 1:
            return array
        out = np.empty(n, dtype=object)
        out[:] = [None] * n
        for i, value in enumerate(values):
            out[i] = value
        return out
    given = [v for v, p in zip(values, present) if p]
    dtype: Any = object
    if given and all(
        isinstance(v, (int, float, np.number, bool, np.bool_)) for v in given
    ):
        dtype = np.asarray(given).dtype
    column = np.ma.MaskedArray(np.empty(n, dtype=dtype), mask=True)
    for i, (value, here) in enumerate(zip(values, present)):
        if here:
            column[i] = value
    return column


def _keys(mappings: Sequence[Mapping[str, Any]]) -> list[str]:
    """The keys of ``mappings``, each once, in order of first appearance."""
    keys: dict[str, None] = {}
    for mapping in mappings:
        keys.update(dict.fromkeys(mapping))
    return list(keys)


def _key_columns(
    mappings: Sequence[Mapping[str, Any]], *, masked: bool
) -> dict[str, np.ndarray]:
    """A :func:`_column` per key of ``mappings`` (one mapping per row), masked
    where a row lacks the key, and throughout when ``masked``."""
    columns = {}
    for key in _keys(mappings):
        present = [key in m for m in mappings]
        values = [m.get(key) for m in mappings]
        columns[key] = _column(values, present, masked=masked or not all(present))
    return columns


def build_results(rows: Sequence[CandidateRecord]) -> dict[str, Any]:
    """The ``cv_results_``-shaped dict of ``rows`` (see :func:`load_results`)."""
    n = len(rows)
    results: dict[str, Any] = {}
    n_folds = max(
        [len(v) for r in rows for v in r.test_scores.values()]
        + [len(v) for r in rows if r.train_scores for v in r.train_scores.values()]
        + [0]
    )
    for name in ("fit_time", "score_time"):
        times = [getattr(r, name) for r in rows]
        mean, std = _mean_std(_fold_matrix(times, max([len(t) for t in times] + [0])))
        results[f"mean_{name}"], results[f"std_{name}"] = mean, std

    for name, column in _key_columns([r.params for r in rows], masked=True).items():
        results[f"param_{name}"] = column
    results["params"] = [r.params for r in rows]

    metrics = _keys([r.test_scores for r in rows])
    has_train = any(r.train_scores for r in rows)
    for metric in metrics:
        parts = [("test", [r.test_scores.get(metric) for r in rows])]
        if has_train:
            parts.append(("train", [(r.train_scores or {}).get(metric) for r in rows]))
        for kind, values in parts:
            matrix = _fold_matrix(values, n_folds)
            for k in range(n_folds):
                results[f"split{k}_{kind}_{metric}"] = matrix[:, k]
            mean, std = _mean_std(matrix)
            results[f"mean_{kind}_{metric}"] = mean
            results[f"std_{kind}_{metric}"] = std
            if kind == "test":
                results[f"rank_test_{metric}"] = _rank(mean)

    for name in ("round", "bracket", "rung", "resource"):
        values = [getattr(r, name) for r in rows]
        if any(v is not None for v in values):
            present = [v is not None for v in values]
            results[name] = _column(values, present, masked=not all(present))
    results.update(_key_columns([r.extra for r in rows], masked=False))
    results["status"] = np.array([r.status for r in rows], dtype=object)
    error = np.empty(n, dtype=object)
    error[:] = [r.error for r in rows]
    results["error"] = error
    return results
