"""The base of the estimator wrappers that multi-fidelity fits train through.

A resource may need the fits to do more than ``estimator.fit``: continue the
model a candidate fitted at the previous rung (warm start), or train it by
epochs of ``partial_fit``. The search's evaluation then hands
``BaseSearchCV.fit`` a wrapper of the estimator, which scikit-learn clones
for every fit as it would the estimator. The wrapper forwards parameters and
every attribute and method (``predict``, ``classes_``, tags, a pipeline's
steps), so that scikit-learn's search machinery and ``cv_results_`` see the
wrapped estimator; subclasses implement ``fit``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from sklearn.base import clone

__all__ = ["FitProxy"]


class FitProxy(ABC):
    """Estimator wrapper whose ``fit`` is the resource's way of training.

    Parameters
    ----------
    estimator : estimator
        The wrapped estimator.
    store : ModelStore or None
        Where fitted models are kept between rungs; shared by the clones.
    """

    # Own attributes: never looked up on the wrapped estimator (this also
    # keeps unpickling, which runs before they are set, from recursing).
    _fields: tuple[str, ...] = ("estimator", "store", "_params")

    def __init__(self, estimator: Any, store: Any) -> None:
        self.estimator = estimator
        self.store = store
        # The parameters set on this clone: the candidate's, which key its
        # saved models.
        self._params: dict = {}

    @abstractmethod
    def _wrap(self, estimator: Any) -> FitProxy:
        """A proxy like this one around ``estimator`` (sharing the store)."""

    @abstractmethod
    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> FitProxy:
        """Train the wrapped estimator for the current rung."""

    def __sklearn_clone__(self) -> FitProxy:
        return self._wrap(clone(self.estimator))

    def __getitem__(self, index: Any) -> Any:
        return self.estimator[index]  # a pipeline's steps, for custom scorers

    def __repr__(self) -> str:
        return repr(self.estimator)  # scikit-learn's errors name the estimator

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in type(self)._fields:
            raise AttributeError(name)
        return getattr(self.estimator, name)

    def __sklearn_tags__(self) -> Any:
        return self.estimator.__sklearn_tags__()

    def get_params(self, deep: bool = True) -> dict:
        """The wrapped estimator's parameters."""
        return self.estimator.get_params(deep=deep)

    def set_params(self, **params: Any) -> FitProxy:
        """Set the wrapped estimator's parameters; they key its saved models."""
        self._params.update(params)
        self.estimator.set_params(**params)
        return self
