"""What every search of the package shares: ``fit`` through an Evaluation.

:class:`EvaluatedSearchMixin` gives a ``BaseSearchCV`` subclass its ``fit``
(``_fit_evaluated``), its validation and its per-call formatting; while the
fit's evaluation is active, the search's ``estimator``, ``cv`` and
``verbose`` read as the evaluation's fit-time values
(:class:`FitTimeParameter`), in the fitting context only.
"""

from __future__ import annotations

import numbers
from typing import Any

from sklearn import get_config

from sklearn_hpo.callbacks._base import BaseStopper
from sklearn_hpo.search._bounds import check_best_on_bounds
from sklearn_hpo.search._evaluation import Evaluation, active_evaluation
from sklearn_hpo.utils._compat import Interval, InvalidParameterError

__all__ = ["EvaluatedSearchMixin", "FitTimeParameter"]


class FitTimeParameter:
    """A constructor parameter that reads as the evaluation's version in fit.

    The value set by ``__init__`` / ``set_params`` is stored as usual (in the
    instance's ``__dict__``, what ``get_params``, pickling and ``clone`` see
    outside a fit); while the search's evaluation is active, in the fitting
    context, reading it gives the evaluation's fit-time value instead.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, search: Any, owner: type | None = None) -> Any:
        if search is None:
            return self
        try:
            value = search.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        evaluation = active_evaluation(search)
        if evaluation is None:
            return value
        return evaluation.fit_time_params.get(self.name, value)

    def __set__(self, search: Any, value: Any) -> None:
        search.__dict__[self.name] = value


class EvaluatedSearchMixin:
    """What every search of the package shares: ``fit`` through an Evaluation.

    Subclasses may override :meth:`_make_evaluation` (the multi-fidelity
    searches wrap the estimator there).
    """

    estimator = FitTimeParameter()
    cv = FitTimeParameter()
    verbose = FitTimeParameter()

    def _make_evaluation(self, X: Any, y: Any, params: dict) -> Evaluation:
        return Evaluation(self, X, y, params)

    def _fit_evaluated(self, X: Any, y: Any, params: dict) -> Evaluation:
        """Run ``BaseSearchCV.fit`` inside a new evaluation; return it.

        Then set ``best_on_bounds_`` and warn when the best candidate lies on
        a bound of a searched range (``search/_bounds.py``).
        """
        if not get_config().get("skip_parameter_validation", False):
            # Before the evaluation reads them (BaseSearchCV.fit validates
            # again, cheaply).
            self._validate_params()  # type: ignore[attr-defined]
        _refuse_stoppers(params)
        # A fit replaces every fitted attribute; one interrupted midway must
        # not leave those of an earlier fit next to its own.
        for name in [k for k in vars(self) if k.endswith("_") and k[0] != "_"]:
            delattr(self, name)
        evaluation = self._make_evaluation(X, y, params)
        with evaluation.active():
            try:
                super().fit(X, y, **params)  # type: ignore[misc]
            except KeyboardInterrupt:
                evaluation.interrupted_in_refit()
                raise
        check_best_on_bounds(self)
        return evaluation

    def _validate_params(self) -> None:
        """scikit-learn's validation, and no bool for an integer parameter.

        ``Interval(numbers.Integral, ...)`` accepts a bool (an ``int``
        subclass), so ``n_iter=True`` would run one candidate.
        """
        super()._validate_params()  # type: ignore[misc]
        for name, constraints in self._parameter_constraints.items():  # type: ignore[attr-defined]
            value = getattr(self, name, None)
            if not isinstance(value, bool) or "boolean" in constraints:
                continue
            if any(
                isinstance(c, Interval) and c.type is numbers.Integral
                for c in constraints
            ):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be an "
                    f"int, not a bool. Got {value!r} instead."
                )

    def _format_results(
        self, candidate_params: Any, n_splits: int, out: list, more_results: Any = None
    ) -> dict:
        evaluation = active_evaluation(self)
        if evaluation is None or not evaluation.formats_per_call:
            return super()._format_results(  # type: ignore[misc]
                candidate_params, n_splits, out, more_results
            )
        return evaluation.format_results(candidate_params, n_splits, out, more_results)


def _refuse_stoppers(params: dict) -> None:
    """A stopper given to ``fit`` (scikit-optimize's ``fit(X, y, callback=...)``)
    would be passed on to every fit of the estimator and fail them all."""
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, BaseStopper) for v in values):
            raise TypeError(
                f"fit got {name}={value!r}, but a stopper is not a fit "
                "parameter (scikit-optimize's fit(X, y, callback=...)): it "
                "would be passed to the estimator's fit. Register it with "
                "search.set_callbacks(...) before fit; for a time limit, "
                "max_time= does the same."
            )
