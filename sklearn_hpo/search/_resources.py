"""Resources of multi-fidelity searches: checking them and giving them to fits.

A resource is either ``"n_samples"`` (each training fold is subsampled) or the
name of an integer parameter of the estimator (set in every candidate).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target

from sklearn_hpo.space import SearchSpace

__all__ = ["SubsampledTrainSplitter", "check_resource", "resolve_resources"]


class SubsampledTrainSplitter:
    """Cross-validation splitter that keeps a fraction of each training fold.

    The test folds are kept whole, so that every rung is scored on the same
    data. The kept samples of a fold are a prefix of one fixed random order of
    that fold, so rungs with more resource see a superset of the samples of
    rungs with less. For classifiers the order interleaves the classes, so
    that every prefix is (approximately) stratified.

    Parameters
    ----------
    base_cv : cross-validation splitter
        The search's checked ``cv``.
    n_resources : int
        Samples to use, out of ``n_samples``; each training fold keeps
        ``floor(len(train) * n_resources / n_samples)`` (at least 1).
    n_samples : int
        Number of samples of the whole data set.
    stratify : bool
        Whether to interleave the classes of ``y`` in each fold's order.
    random_state : int
        Seed of the orders (the same for every rung of a search).
    """

    def __init__(
        self,
        base_cv: Any,
        n_resources: int,
        n_samples: int,
        stratify: bool,
        random_state: int,
    ) -> None:
        self.base_cv = base_cv
        self.n_resources = n_resources
        self.n_samples = n_samples
        self.stratify = stratify
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits of the base splitter."""
        return self.base_cv.get_n_splits(X, y, groups)

    def split(
        self, X: Any, y: Any = None, **kwargs: Any
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` index arrays, the training part subsampled."""
        y_arr = None if y is None else np.asarray(y)
        stratify = (
            self.stratify
            and y_arr is not None
            and type_of_target(y_arr) in ("binary", "multiclass")
        )
        for k, (train, test) in enumerate(self.base_cv.split(X, y, **kwargs)):
            rng = np.random.default_rng([self.random_state, k])
            order = nested_order(y_arr[train] if stratify else None, len(train), rng)
            n_keep = max(1, len(train) * self.n_resources // self.n_samples)
            yield np.sort(np.asarray(train)[order[:n_keep]]), test


def nested_order(y: np.ndarray | None, n: int, rng: np.random.Generator) -> np.ndarray:
    """A random order of ``range(n)`` whose prefixes are stratified by ``y``.

    Each sample gets the key ``(rank within its class + 0.5) / class size``
    (ranks in a random order) and samples are sorted by key, so a prefix of
    length ``m`` holds about ``m * class size / n`` samples of each class.
    The first sample of every class comes first, so that any prefix of at
    least as many samples as classes holds every class (a rare class would
    otherwise be missing from small subsets, and a model trained without it
    cannot score ``predict_proba``-based metrics on the whole test fold).
    """
    perm = rng.permutation(n)
    if y is None:
        return perm
    _, labels = np.unique(np.asarray(y)[perm], return_inverse=True)
    key = np.empty(n)
    for c in range(labels.max() + 1):
        members = np.flatnonzero(labels == c)
        key[members] = (np.arange(len(members)) + 0.5) / len(members)
        key[members[0]] = -1.0
    return perm[np.argsort(key, kind="stable")]


def check_resource(estimator: Any, resource: Any, space: SearchSpace) -> None:
    """Raise a ValueError for a resource that is not usable with ``estimator``.

    Parameters
    ----------
    estimator : estimator
        The search's (unfitted) estimator.
    resource : str
        ``"n_samples"`` or the name of an integer parameter.
    space : SearchSpace
        The search space (which must not search the resource).
    """
    if resource in ("n_samples", "partial_fit"):
        return
    try:
        valid = set(estimator.get_params(deep=True))
    except Exception:  # estimators whose get_params needs fitting, etc.
        valid = set()
    if resource not in valid:
        raise ValueError(
            f"resource must be 'n_samples', 'partial_fit' or the name of an "
            f"integer parameter "
            f"of {type(estimator).__name__}, got resource={resource!r}. Valid "
            f"parameters are: {sorted(valid)!r}."
        )
    if any(resource in sub for sub in space.subspaces):
        raise ValueError(
            f"resource={resource!r} is also searched in search_spaces; the "
            "search sets the resource itself, so remove it from search_spaces."
        )


def _smallest_n_samples(estimator: Any, n_splits: int, y: Any) -> int:
    """scikit-learn's ``min_resources="smallest"`` rule for ``n_samples``."""
    n = 2 * n_splits
    if is_classifier(estimator) and y is not None:
        n *= len(np.unique(np.asarray(y)))
    return n


def resolve_resources(
    estimator: Any,
    resource: str,
    min_resources: Any,
    max_resources: Any,
    *,
    n_samples: int,
    n_splits: int,
    y: Any = None,
) -> tuple[int, int]:
    """Turn ``min_resources``/``max_resources`` (ints or "auto") into ints.

    ``max_resources="auto"`` is the number of samples (``resource="n_samples"``
    only). ``min_resources="auto"`` is scikit-learn's "smallest" rule for
    ``n_samples`` (``2 * n_splits``, times the number of classes for
    classifiers, at most ``max_resources``) and 1 for a parameter.

    Returns
    -------
    (int, int)
        ``min_resources_, max_resources_``.

    Raises
    ------
    ValueError
        Naming the parameter and the value, when the range is unusable.
    """
    if resource == "n_samples" and n_samples < 1:
        raise ValueError(
            f"resource='n_samples' needs at least one sample, got "
            f"n_samples={n_samples}."
        )
    if max_resources == "auto":
        if resource != "n_samples":
            raise ValueError(
                f"max_resources='auto' is only available with "
                f"resource='n_samples'; give max_resources as an int for "
                f"resource={resource!r}."
            )
        hi = n_samples
    else:
        hi = int(max_resources)
        if resource == "n_samples" and hi > n_samples:
            raise ValueError(
                f"max_resources={max_resources!r} is greater than the number of "
                f"samples ({n_samples}) with resource='n_samples'."
            )
    if min_resources == "auto":
        lo = 1
        if resource == "n_samples":
            lo = min(_smallest_n_samples(estimator, n_splits, y), hi)
    else:
        lo = int(min_resources)
    if lo > hi:
        raise ValueError(
            f"min_resources ({min_resources!r}, i.e. {lo}) must be <= "
            f"max_resources ({max_resources!r}, i.e. {hi})."
        )
    return lo, hi
