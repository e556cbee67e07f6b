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
"""

from __future__ import annotations

from typing import Any

from sklearn.model_selection import check_cv

__all__ = ["freeze_splits"]


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
