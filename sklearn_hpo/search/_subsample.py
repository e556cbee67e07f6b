"""Training folds subsampled for the ``"n_samples"`` resource."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from sklearn.utils.multiclass import type_of_target

__all__ = ["SubsampledTrainSplitter", "nested_order"]


class SubsampledTrainSplitter:
    """Cross-validation splitter that keeps a fraction of each training fold.

    The test folds are kept whole, unless ``min_validation`` is given: a rung
    below the top is then scored on ``max(min_validation, training samples
    kept)`` samples of each test fold (all of it if it is no larger). The
    kept samples of a fold, training or test, are a prefix of one fixed
    random order of that fold, so rungs with more resource see a superset of
    the samples of rungs with less. For classifiers the order interleaves the
    classes, so that every prefix is (approximately) stratified and holds
    every class of the fold.

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
    min_validation : int or None, default=None
        Fewest samples a test fold is cut to; None keeps the test folds whole.
    """

    def __init__(
        self,
        base_cv: Any,
        n_resources: int,
        n_samples: int,
        stratify: bool,
        random_state: int,
        min_validation: int | None = None,
    ) -> None:
        self.base_cv = base_cv
        self.n_resources = n_resources
        self.n_samples = n_samples
        self.stratify = stratify
        self.random_state = random_state
        self.min_validation = min_validation

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits of the base splitter."""
        return self.base_cv.get_n_splits(X, y, groups)

    def split(
        self, X: Any, y: Any = None, **kwargs: Any
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` index arrays, subsampled (see the class)."""
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
            train = np.sort(np.asarray(train)[order[:n_keep]])
            if self.min_validation is None:
                yield train, test
                continue
            n_test = max(self.min_validation, n_keep)
            if n_test >= len(test):
                yield train, test
                continue
            # Its own stream: the test order does not depend on the training
            # fold's size.
            rng = np.random.default_rng([self.random_state, k, 1])
            test = np.asarray(test)
            order = nested_order(y_arr[test] if stratify else None, len(test), rng)
            yield train, np.sort(test[order[:n_test]])


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
