"""A study's rows as scikit-learn's ``cv_results_``, and :func:`load_results`."""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from sklearn_hpo.journal._records import CandidateRecord

__all__ = ["build_results", "load_results"]


def load_results(
    path: str | os.PathLike[str] | Any,
    study: str | None = None,
    *,
    as_frame: bool = False,
) -> Any:
    """Read a journal's study as a ``cv_results_``-shaped dict (or DataFrame).

    Safe while a search is writing to the journal in another process: the
    result is a consistent snapshot of the rows committed so far. The file is
    opened read-only.

    Parameters
    ----------
    path : str, os.PathLike or BaseStorage
        The journal: a path to its file, an ``sqlite:///path`` URL, or an open
        storage.
    study : str or None, default=None
        The study's name; None reads the only study of the journal.
    as_frame : bool, default=False
        Return a pandas DataFrame (one row per candidate) instead of a dict.

    Returns
    -------
    results : dict of str to numpy array, or pandas.DataFrame
        Keys as in scikit-learn's ``GridSearchCV.cv_results_``: ``params``,
        ``param_<name>`` (masked arrays, masked where a candidate has no such
        parameter), ``split<k>_test_<metric>``, ``mean_test_<metric>``,
        ``std_test_<metric>``, ``rank_test_<metric>`` (a search with one
        metric has ``mean_test_score`` etc.), the ``train`` columns when they
        were recorded, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``; then ``round``, ``bracket``,
        ``rung``, ``resource`` when recorded, the strategy's extra columns,
        ``status`` (``"ok"`` or ``"failed"``) and ``error`` (the failed
        candidates' error text, else None). Rows are in index order.

    Raises
    ------
    JournalError
        If the file is not a journal or is corrupt, if ``study`` is not in it,
        or if ``study`` is None and the journal holds several studies (the
        message lists their names).
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_hpo.journal import CandidateRecord, SQLiteStorage, load_results
    >>> path = os.path.join(tempfile.mkdtemp(), "search.db")
    >>> with SQLiteStorage(path) as storage:
    ...     study = storage.open_study("demo", {"space": "ab12"})
    ...     study.record(CandidateRecord(0, {"C": 1.0}, {"score": [0.8, 0.9]}))
    ...     study.record(CandidateRecord(1, {"C": 0.1}, {"score": [0.9, 1.0]}))
    >>> results = load_results(path)
    >>> results["mean_test_score"], results["rank_test_score"]
    (array([0.85, 0.95]), array([2, 1], dtype=int32))
    """
    from sklearn_hpo.journal._storage import BaseStorage, get_storage

    if as_frame:
        _pandas()  # fail before reading
    storage = get_storage(path, read_only=True)
    if storage is None:
        raise TypeError("load_results needs a journal: path=None.")
    try:
        found = storage.get_study(study)
        rows = storage._read_rows(found._key, strict=False)
    finally:
        if not isinstance(path, BaseStorage):
            storage.close()
    results = build_results(rows)
    return to_frame(results) if as_frame else results


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

    param_names: dict[str, None] = {}
    for row in rows:
        param_names.update(dict.fromkeys(row.params))
    for name in param_names:
        present = [name in r.params for r in rows]
        values = [r.params.get(name) for r in rows]
        results[f"param_{name}"] = _column(values, present, masked=True)
    results["params"] = [r.params for r in rows]

    metrics: dict[str, None] = {}
    for row in rows:
        metrics.update(dict.fromkeys(row.test_scores))
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
    extra_names: dict[str, None] = {}
    for row in rows:
        extra_names.update(dict.fromkeys(row.extra))
    for name in extra_names:
        present = [name in r.extra for r in rows]
        values = [r.extra.get(name) for r in rows]
        results[name] = _column(values, present, masked=not all(present))
    results["status"] = np.array([r.status for r in rows], dtype=object)
    error = np.empty(n, dtype=object)
    error[:] = [r.error for r in rows]
    results["error"] = error
    return results
