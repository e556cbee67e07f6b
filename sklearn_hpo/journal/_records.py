"""One completed candidate, as the journal records it, and its validation."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Union

import numpy as np

from sklearn_hpo.journal._codec import to_jsonable

__all__ = ["CandidateRecord", "JournalError", "check_record"]

STATUSES = ("ok", "failed")
# Columns load_results builds itself, which extra columns must not shadow.
RESERVED_COLUMNS = ("params", "status", "error", "round", "bracket", "rung", "resource")
RESERVED_PREFIXES = ("param_", "split", "mean_", "std_", "rank_")


class JournalError(ValueError):
    """A journal cannot be used as asked: not a journal, corrupt, mismatched, ..."""


@dataclass
class CandidateRecord:
    """A completed candidate: its parameters, scores, times and status.

    Parameters
    ----------
    index : int
        Position of the candidate in its search (its row of ``cv_results_``);
        unique within a study.
    params : dict
        Parameter name to value; values may be any picklable Python object
        (numbers, numpy scalars, strings, None, estimators, ...).
    test_scores : dict of str to list of float, default={}
        Metric name to the candidate's test score on each fold. A search with
        one metric names it ``"score"`` (as scikit-learn's ``cv_results_``
        does: ``mean_test_score``).
    train_scores : dict of str to list of float or None, default=None
        The same for the training folds, when they are computed.
    fit_time, score_time : list of float, default=[]
        Seconds spent fitting and scoring on each fold.
    status : {"ok", "failed"}, default="ok"
        ``"failed"`` when the candidate's fit or scoring raised.
    error : str or None, default=None
        The error's text for a failed candidate.
    round, bracket, rung : int or None, default=None
        Round of a sequential search; bracket and rung of a multi-fidelity
        one.
    resource : int, float or None, default=None
        Resource the candidate was evaluated with (multi-fidelity searches).
    extra : dict of str to JSON-able value, default={}
        A strategy's extra ``cv_results_`` columns for this candidate (numbers,
        strings, bools, None, and lists and str-keyed dicts of these).
    """

    index: int
    params: Dict[str, Any]
    test_scores: Dict[str, List[float]] = field(default_factory=dict)
    train_scores: Optional[Dict[str, List[float]]] = None
    fit_time: List[float] = field(default_factory=list)
    score_time: List[float] = field(default_factory=list)
    status: str = "ok"
    error: Optional[str] = None
    round: Optional[int] = None
    bracket: Optional[int] = None
    rung: Optional[int] = None
    resource: Optional[Union[int, float]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


def _int_or_none(name: str, value: Any, minimum: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or None, got {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}.")
    return value


def _floats(name: str, values: Any) -> list[float]:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}.") from (
            error
        )
    if array.ndim != 1:
        raise ValueError(f"{name} must be one number per fold, got {values!r}.")
    return array.tolist()


def _scores(name: str, scores: Any) -> dict[str, list[float]]:
    if not isinstance(scores, dict):
        raise TypeError(
            f"{name} must be a dict of metric name to per-fold scores, got {scores!r}."
        )
    checked = {}
    for metric, values in scores.items():
        if not isinstance(metric, str) or not metric:
            raise TypeError(f"{name} has a metric name that is not a str: {metric!r}.")
        checked[metric] = _floats(f"{name}[{metric!r}]", values)
    lengths = {len(v) for v in checked.values()}
    if len(lengths) > 1:
        raise ValueError(f"{name} has metrics with different numbers of folds.")
    return checked


def check_record(record: Any) -> CandidateRecord:
    """Validate ``record`` and return it with plain Python values.

    numpy scalars and arrays in scores, times and indices become Python
    numbers and lists; ``params`` values are kept as they are.

    Raises
    ------
    TypeError, ValueError
        Naming the field and the value received.
    """
    if not isinstance(record, CandidateRecord):
        raise TypeError(f"expected a CandidateRecord, got {record!r:.200}.")
    if record.index is None:
        raise TypeError("index must be an int >= 0, got None.")
    if not isinstance(record.params, dict) or not all(
        isinstance(k, str) for k in record.params
    ):
        raise TypeError(
            f"params must be a dict with str keys, got {record.params!r:.200}."
        )
    if record.status not in STATUSES:
        raise ValueError(f"status must be 'ok' or 'failed', got {record.status!r}.")
    if record.error is not None and not isinstance(record.error, str):
        raise TypeError(f"error must be a str or None, got {record.error!r}.")
    test = _scores("test_scores", record.test_scores)
    train = None
    if record.train_scores is not None:
        train = _scores("train_scores", record.train_scores)
    resource = record.resource
    if resource is not None:
        if isinstance(resource, (bool, np.bool_)) or not isinstance(
            resource, numbers.Real
        ):
            raise TypeError(f"resource must be a number or None, got {resource!r}.")
        resource = (
            int(resource) if isinstance(resource, numbers.Integral) else float(resource)
        )
    if not isinstance(record.extra, dict):
        raise TypeError(f"extra must be a dict, got {record.extra!r:.200}.")
    for key, value in record.extra.items():
        if not isinstance(key, str):
            raise TypeError(f"extra has a column name that is not a str: {key!r}.")
        if key in RESERVED_COLUMNS or key.startswith(RESERVED_PREFIXES):
            raise ValueError(
                f"extra column {key!r} would shadow a column the journal builds; "
                "pass round, bracket, rung and resource as the record's fields, "
                "and give other columns another name."
            )
        try:
            to_jsonable(value, strict=True)
        except TypeError as error:
            raise TypeError(f"extra[{key!r}]: {error}") from None
    return replace(
        record,
        index=_int_or_none("index", record.index, minimum=0),
        test_scores=test,
        train_scores=train,
        fit_time=_floats("fit_time", record.fit_time),
        score_time=_floats("score_time", record.score_time),
        round=_int_or_none("round", record.round),
        bracket=_int_or_none("bracket", record.bracket),
        rung=_int_or_none("rung", record.rung),
        resource=resource,
    )
