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

import contextlib
import numbers
from typing import Any, Iterator

from sklearn import get_config
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import process_routing

__all__ = [
    "FitTimeStateMixin",
    "FrozenSplits",
    "freeze_splits",
    "reusable_cv",
    "search_splits",
    "split_params",
    "splitting_once",
]


class FitTimeStateMixin:
    """Leaves what a search holds only while it fits out of its pickles.

    scikit-learn >= 1.9 sends the search itself (``caller=self``) with every
    fit it dispatches to joblib's workers. During ``fit`` our searches hold
    the data (``_fit_data``) and the results of every round so far
    (``_deferred_results_state``); pickled with each task, they made the
    traffic to the workers grow with the square of the number of rounds.
    Workers use neither, and neither exists once ``fit`` returns.
    """

    _FIT_TIME_ATTRIBUTES = ("_fit_data", "_deferred_results_state")

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # type: ignore[misc]
        for name in self._FIT_TIME_ATTRIBUTES:
            state.pop(name, None)
        return state


@contextlib.contextmanager
def splitting_once(search: Any, X: Any, y: Any, params: dict) -> Iterator[None]:
    """Around ``BaseSearchCV.fit``: keep the data for :func:`search_splits`.

    ``BaseSearchCV.fit`` does not hand the data to ``_run_search``; inside
    this block ``search._fit_data`` holds them and ``search.cv`` is one that
    can be read twice (:func:`reusable_cv`). Both are restored at exit.
    """
    cv = search.cv
    search._fit_data = (X, y, params)
    search.cv = reusable_cv(cv)  # a generator is read by fit and again here
    try:
        yield
    finally:
        search.cv = cv
        del search._fit_data


def search_splits(search: Any) -> FrozenSplits:
    """The splits of the data ``search`` is being fit on (in ``_run_search``,
    inside :func:`splitting_once`)."""
    X, y, params = search._fit_data
    return freeze_splits(
        search.cv, X, y, split_params(search, params), is_classifier(search.estimator)
    )


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
