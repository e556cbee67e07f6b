"""Reuse of HistGradientBoosting's bins when a warm start continues a model.

HistGradientBoosting bins its training data at every ``fit``, warm or not:
it finds quantile thresholds for each feature (a sort per feature), then maps
the data to them. A candidate continued at the next rung is fitted on the same
training fold, with the same binning settings and (warm start keeps it) the
same random seed, so it would find exactly the thresholds it found before.

:func:`reusing_bins` skips that search: during the fit it replaces the
estimator's ``_bin_data`` (on the instance only, and only for the duration of
the fit) by a version that records a fingerprint of the training data and the
binning settings, and, when the fingerprint is the one recorded by the
previous fit of the same model, keeps the previous bin mapper and only maps
the data. The bins, hence the trees and the scores, are identical to those of
a warm fit that searches them again (and so, with an int ``random_state``, to
those of a retrained model): the tests compare them.

The fingerprint is kept on the fitted estimator (``_sklearn_hpo_binned``,
with the bin mapper it describes, so that a fit outside the block, which
replaces the mapper, also invalidates it). Computing it hashes the training
data once per fit, less than mapping the data to the bins costs.

This uses a private method of scikit-learn. Its signature is checked; on any
other estimator, or when the method is not the one expected, nothing is
replaced and the fit bins as usual.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import joblib

__all__ = ["reusing_bins"]

# The fingerprint of the data last binned, kept on the fitted estimator (a
# name without a trailing underscore, so that check_is_fitted ignores it).
_FINGERPRINT = "_sklearn_hpo_binned"


def _bin_data_signature(owner: Any) -> inspect.Signature | None:
    method = getattr(type(owner), "_bin_data", None)
    if method is None or not callable(method):
        return None
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return None
    names = list(signature.parameters)
    # scikit-learn >= 1.6: (self, X, sample_weight, is_training_data);
    # before: (self, X, is_training_data).
    if names not in (
        ["self", "X", "sample_weight", "is_training_data"],
        ["self", "X", "is_training_data"],
    ):
        return None
    return signature


def _fingerprint(X: Any, sample_weight: Any, mapper: Any) -> str | None:
    try:
        settings = {k: v for k, v in mapper.get_params().items() if k != "n_threads"}
    except Exception:
        return None
    return joblib.hash((type(mapper).__name__, settings, X, sample_weight))


@contextmanager
def reusing_bins(owner: Any) -> Iterator[None]:
    """Within the block, ``owner.fit`` reuses the bins of its previous fit
    when it bins the same training data with the same settings.

    Parameters
    ----------
    owner : estimator
        The estimator whose fit the block runs (the resource's owner). Only
        HistGradientBoosting models are affected.
    """
    signature = _bin_data_signature(owner)
    if signature is None:
        yield
        return
    original = type(owner)._bin_data
    previous_mapper = getattr(owner, "_bin_mapper", None)
    # (fingerprint, mapper) of the last fit in this block; stale when a fit
    # outside it has replaced the mapper since.
    recorded = owner.__dict__.get(_FINGERPRINT)
    previous = (
        recorded[0]
        if isinstance(recorded, tuple) and recorded[1] is previous_mapper
        else None
    )

    def _bin_data(*args: Any, **kwargs: Any) -> Any:
        try:
            arguments = signature.bind(owner, *args, **kwargs).arguments
        except TypeError:
            return original(owner, *args, **kwargs)
        if not arguments["is_training_data"]:
            return original(owner, *args, **kwargs)
        X = arguments["X"]
        fingerprint = _fingerprint(X, arguments.get("sample_weight"), owner._bin_mapper)
        if (
            fingerprint is not None
            and fingerprint == previous
            and hasattr(previous_mapper, "bin_thresholds_")
        ):
            owner._bin_mapper = previous_mapper
            binned = previous_mapper.transform(X)
        else:
            binned = original(owner, *args, **kwargs)
        owner.__dict__[_FINGERPRINT] = (fingerprint, owner._bin_mapper)
        return binned

    outer = owner.__dict__.get("_bin_data")
    owner.__dict__["_bin_data"] = _bin_data
    try:
        yield
    finally:
        if outer is None:
            owner.__dict__.pop("_bin_data", None)
        else:
            owner.__dict__["_bin_data"] = outer
