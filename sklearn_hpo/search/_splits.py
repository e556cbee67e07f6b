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
from typing import Any, Iterator

from sklearn import get_config
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import process_routing

__all__ = [
    "FrozenSplits",
    "freeze_splits",
    "reusable_cv",
    "split_params",
]


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


def split_params(search: Any, params: dict) -> dict:
    """The metadata ``BaseSearchCV.fit`` gives the splitter's ``split``.

    With metadata routing enabled, whatever the splitter requests (``groups``
    or an alias of it, or other metadata of a custom splitter); otherwise
    ``groups``, when given.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fit.
    params : dict
        The keyword arguments of its ``fit``.
    """
    if get_config().get("enable_metadata_routing", False):
        return dict(process_routing(search, "fit", **params).splitter.split)
    groups = params.get("groups")
    return {} if groups is None else {"groups": groups}


def freeze_splits(cv: Any, X: Any, y: Any, params: dict, classifier: bool) -> Any:
    """The splits of ``cv`` on this data, as a splitter that always yields them.

    Parameters
    ----------
    cv : int, cross-validation splitter, iterable or None
        The search's ``cv`` parameter.
    X, y : array-like
        The data given to ``fit``.
    params : dict
        The metadata of the splitter's ``split`` (:func:`split_params`).
    classifier : bool
        Whether the estimator is a classifier (an int ``cv`` is then
        stratified, as in ``check_cv``).

    Returns
    -------
    FrozenSplits
        A splitter whose ``split`` yields the same ``(train, test)`` pairs at
        every call.
    """
    checked = check_cv(cv, y, classifier=classifier)
    return FrozenSplits(list(checked.split(X, y, **params)))


class FrozenSplits:
    """A splitter that yields the splits it was given, whatever it is passed.

    ``BaseSearchCV`` passes the splitter's metadata (``groups``, or what a
    custom splitter requests through metadata routing) to every ``split``
    call; they were used when the splits were made.

    Parameters
    ----------
    splits : list of (ndarray, ndarray)
        The ``(train, test)`` index pairs.
    """

    def __init__(self, splits: list) -> None:
        self.splits = splits

    def get_n_splits(self, X: Any = None, y: Any = None, **params: Any) -> int:
        """Number of splits."""
        return len(self.splits)

    def split(self, X: Any = None, y: Any = None, **params: Any) -> Iterator[Any]:
        """Yield the ``(train, test)`` index pairs."""
        yield from self.splits
