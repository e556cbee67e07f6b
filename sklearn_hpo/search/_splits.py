"""The cross-validation splits of a search, computed once per ``fit``.

``BaseSearchCV.fit`` splits the data again at every ``evaluate_candidates``
call. ``GridSearchCV`` calls it once, so all its candidates share one split,
even with a splitter that shuffles without a ``random_state``
(``KFold(shuffle=True)``, ``ShuffleSplit()``). Our searches call it once per
round or rung: such a splitter would give every round other folds, so
candidates would be compared on different data, and a warm-started model
would continue on a training fold that now overlaps its test fold. The
searches therefore split once, when ``fit`` starts, and pass those splits to
every call.

A ``cv`` given as a generator or another iterator can be read only once,
and ``BaseSearchCV.fit`` reads it first: the searches hand ``fit`` a list of
its splits instead (:func:`reusable_cv`).
"""

from __future__ import annotations

import numbers
from typing import Any

from sklearn.model_selection import check_cv

__all__ = ["freeze_splits", "reusable_cv"]


def reusable_cv(cv: Any) -> Any:
    """``cv``, or the list of its splits if it can be read only once.

    Parameters
    ----------
    cv : int, cross-validation splitter, iterable or None
        The search's ``cv`` parameter.

    Returns
    -------
    int, splitter, iterable or None
        ``cv`` itself, unless it is an iterator (a generator of
        ``(train, test)`` pairs, say): then a list of what it yields.
    """
    if cv is None or isinstance(cv, numbers.Integral) or hasattr(cv, "split"):
        return cv
    try:
        one_shot = iter(cv) is cv
    except TypeError:  # not iterable: parameter validation reports it
        return cv
    return list(cv) if one_shot else cv


def freeze_splits(cv: Any, X: Any, y: Any, groups: Any, classifier: bool) -> Any:
    """The splits of ``cv`` on this data, as a splitter that always yields them.

    Parameters
    ----------
    cv : int, cross-validation splitter, iterable or None
        The search's ``cv`` parameter.
    X, y : array-like
        The data given to ``fit``.
    groups : array-like or None
        The ``groups`` given to ``fit`` (passed to the splitter when given).
    classifier : bool
        Whether the estimator is a classifier (an int ``cv`` is then
        stratified, as in ``check_cv``).

    Returns
    -------
    splitter
        A splitter (``check_cv`` of the list of splits) whose ``split``
        yields the same ``(train, test)`` pairs at every call.
    """
    checked = check_cv(cv, y, classifier=classifier)
    kwargs = {} if groups is None else {"groups": groups}
    return check_cv(list(checked.split(X, y, **kwargs)))
