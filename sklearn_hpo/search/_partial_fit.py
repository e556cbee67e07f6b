"""The ``"partial_fit"`` resource: epochs of ``partial_fit`` over a training fold.

With ``resource="partial_fit"``, a rung's resource is the number of passes
(epochs) of the estimator's ``partial_fit`` over the training fold. During the
search's ``fit`` the estimator is wrapped in :class:`PartialFitProxy`, which
reads the current rung's epochs from a shared :class:`EpochBudget` (so the
candidates' parameters, and ``cv_results_``, do not carry the resource) and,
with warm start, continues a promoted candidate from the model it trained on
the same fold in the previous rung: ``r`` epochs then cost ``r - r_previous``
calls instead of ``r``.

For a :class:`~sklearn.pipeline.Pipeline`, the steps before the last are
fitted once per fold (``fit_transform``) and only the final step is trained
with ``partial_fit``. Fit parameters are named ``<step>__<parameter>``, as
``Pipeline.fit`` takes them; with metadata routing enabled they go where
``Pipeline.fit`` would route them (the final step's ``fit`` request).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from sklearn import config_context, get_config
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import process_routing

from sklearn_hpo.search._fit_proxy import FitProxy
from sklearn_hpo.search._warm_start import ModelStore, model_key

__all__ = ["EpochBudget", "PartialFitProxy", "check_partial_fit"]

RESOURCE = "partial_fit"


def _final_step(estimator: Any) -> Any:
    return estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator


def check_partial_fit(estimator: Any) -> None:
    """Raise a ValueError if ``estimator`` cannot be trained by ``partial_fit``.

    A :class:`~sklearn.pipeline.Pipeline` qualifies when its final step has
    ``partial_fit``.
    """
    final = _final_step(estimator)
    if not hasattr(final, "partial_fit"):
        where = (
            f"the final step of the pipeline ({type(final).__name__})"
            if final is not estimator
            else type(estimator).__name__
        )
        raise ValueError(
            f"resource='partial_fit' needs an estimator with a partial_fit "
            f"method, but {where} has none; use resource='n_samples' or the "
            "name of an integer parameter (such as 'max_iter') instead."
        )


def _split_pipeline_params(pipe: Pipeline, params: dict) -> tuple[dict, dict]:
    """``step__name`` fit parameters: the final step's, and the other steps'.

    Raises
    ------
    ValueError
        For a parameter that names no step (as ``Pipeline.fit`` does).
    """
    names = {name for name, _ in pipe.steps}
    final = pipe.steps[-1][0]
    last, first = {}, {}
    for key, value in params.items():
        step, sep, name = key.partition("__")
        if not sep or step not in names:
            raise ValueError(
                f"Fit parameter {key!r} of the pipeline must be named after "
                f"the step it is for, one of {sorted(names)}: "
                f"'{final}__{name or key}' passes it to the final step's "
                "partial_fit, '<step>__<parameter>' to another step's fit "
                "(resource='partial_fit' trains the final step by epochs)."
            )
        if step == final:
            last[name] = value
        else:
            first[key] = value
    return last, first


def _routed_pipeline_head(
    pipe: Pipeline, X: Any, y: Any, params: dict, fresh: bool
) -> tuple[Any, dict]:
    """With metadata routing: fit (``fresh``) or apply the first steps.

    The metadata go where ``Pipeline.fit`` would send them (each step's
    ``fit_transform`` request); returns the transformed ``X`` and what the
    final step requests for ``fit``, which its ``partial_fit`` stands in for.
    """
    routed = process_routing(pipe, "fit", **params)
    for name, step in pipe.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        if not fresh:
            X = step.transform(X)
        elif hasattr(step, "fit_transform"):
            X = step.fit_transform(X, y, **routed[name].get("fit_transform", {}))
        else:
            X = step.fit(X, y, **routed[name].get("fit", {})).transform(X)
    return X, dict(routed[pipe.steps[-1][0]].get("fit", {}))


class EpochBudget:
    """What every fit of the current rung shares: its epochs and the classes.

    The asynchronous scheduler evaluates candidates of several rungs at once,
    each call from a thread of its own: ``epochs`` set in a thread is that
    thread's (the other threads read the last value set by any thread), and
    a proxy cloned for a fit keeps the epochs of the thread that cloned it
    (the dispatcher clones a concurrent call's fits in its thread).

    Parameters
    ----------
    classes : ndarray, list of ndarray or None
        The classes of the whole target (a classifier's first ``partial_fit``
        needs all of them, even those a training fold lacks), one array per
        output for a multi-output target; None for regressors.
    """

    def __init__(self, classes: np.ndarray | None) -> None:
        self.classes = classes
        self._epochs = 1
        self._local = threading.local()

    @property
    def epochs(self) -> int:
        """The epochs of the current rung (of this thread's, if it set one)."""
        return getattr(self._local, "epochs", self._epochs)

    @epochs.setter
    def epochs(self, value: int) -> None:
        self._epochs = value
        self._local.epochs = value

    def __getstate__(self) -> dict:
        return {"classes": self.classes, "_epochs": self.epochs}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()


class PartialFitProxy(FitProxy):
    """Estimator wrapper that trains with ``epochs`` calls of ``partial_fit``.

    Parameters
    ----------
    estimator : estimator
        The search's estimator (or a pipeline ending in one) with
        ``partial_fit``.
    budget : EpochBudget
        The epochs of the current rung; shared by the clones.
    store : ModelStore or None
        Where trained models are kept for the next rung (warm start); None
        trains every fit from scratch.
    """

    _fields = (*FitProxy._fields, "budget", "epochs")

    def __init__(
        self,
        estimator: Any,
        budget: EpochBudget,
        store: ModelStore | None,
        epochs: int | None = None,
    ) -> None:
        super().__init__(estimator, store)
        self.budget = budget
        # A clone's epochs: those of its rung when it was cloned.
        self.epochs = epochs

    def _wrap(self, estimator: Any) -> PartialFitProxy:
        return PartialFitProxy(estimator, self.budget, self.store, self.budget.epochs)

    def _epochs(
        self, model: Any, X: Any, y: Any, n: int, fit_params: dict, fresh: bool
    ) -> None:
        """Run ``n`` epochs of ``partial_fit`` on ``model``'s final step.

        ``fresh``: the model is unfitted (a pipeline's first steps are then
        fitted), otherwise it continues.
        """
        if isinstance(model, Pipeline) and get_config().get(
            "enable_metadata_routing", False
        ):
            X, fit_params = _routed_pipeline_head(model, X, y, fit_params, fresh)
        elif isinstance(model, Pipeline):
            fit_params, first = _split_pipeline_params(model, fit_params)
            if len(model) > 1 and fresh:
                X = model[:-1].fit_transform(X, y, **first)
            elif len(model) > 1:
                X = model[:-1].transform(X)
        final = _final_step(model)
        classes = self.budget.classes if is_classifier(final) else None
        for epoch in range(n):
            # ``classes`` until the model has its own (scikit-learn's
            # partial_fit needs them on the first call only, and checks them
            # again, at a cost, on every call that passes them).
            params = fit_params
            if classes is not None and not hasattr(final, "classes_"):
                params = {"classes": classes, **fit_params}
            if epoch == 0:
                final.partial_fit(X, y, **params)
                continue
            # The same data and parameters as the epoch before, which
            # validated them: the epochs after it skip those checks.
            with config_context(assume_finite=True, skip_parameter_validation=True):
                final.partial_fit(X, y, **params)

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> PartialFitProxy:
        """Train for the rung's epochs, continuing this candidate's saved model."""
        epochs = self.budget.epochs if self.epochs is None else self.epochs
        store = self.store
        if store is None or not store.active:
            self._epochs(self.estimator, X, y, epochs, fit_params, fresh=True)
            return self
        key = model_key(self._params, RESOURCE, (X, y, fit_params))
        if key is None:  # nothing to key a saved model with: train afresh
            self._epochs(self.estimator, X, y, epochs, fit_params, fresh=True)
            return self
        saved = store.load(key)
        if saved is not None and saved[0] < epochs:
            previous, model = saved
            self._epochs(model, X, y, epochs - previous, fit_params, fresh=False)
            self.estimator = model
        else:
            self._epochs(self.estimator, X, y, epochs, fit_params, fresh=True)
        if store.saves(epochs):
            store.save(key, epochs, self.estimator)
        return self
