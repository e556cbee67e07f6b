"""What the rungs of a multi-fidelity search give more of: its resource.

One small class per kind of resource, made per fit by :func:`make_resource`,
owns everything that differs between them: checking it against the
estimator, resolving ``min_resources`` / ``max_resources``, the estimator the
fits train (a wrapper that warm-starts or trains by epochs), and what a rung
changes in the evaluation of its candidates.

- :class:`SampleResource` (``"n_samples"``): each training fold is
  subsampled; the test folds too below the brackets' last rungs, never below
  :data:`MIN_VALIDATION` samples.
- :class:`EpochResource` (``"partial_fit"``): epochs of the estimator's
  ``partial_fit`` over the training fold.
- :class:`ParameterResource` (any other name): an integer parameter of the
  estimator, set in every candidate.
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
from sklearn.base import is_classifier

from sklearn_hpo.search._partial_fit import (
    EpochBudget,
    PartialFitProxy,
    check_partial_fit,
)
from sklearn_hpo.search._subsample import SubsampledTrainSplitter
from sklearn_hpo.search._warm_start import (
    ModelStore,
    WarmStartProxy,
    candidate_key,
    resolve_warm_start,
)
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._validation import did_you_mean

__all__ = [
    "MIN_VALIDATION",
    "EpochResource",
    "ParameterResource",
    "Resource",
    "SampleResource",
    "make_resource",
]

#: Fewest samples of a test fold that a rung below the brackets' last ones is
#: scored on with ``resource="n_samples"`` (more if its training folds are
#: larger). Scoring a model on the whole test fold can cost more than
#: training it on a small subsample (an SVC's ``predict`` costs its support
#: vectors times the test samples), while at 500 samples per fold the
#: standard error of an accuracy averaged over 3 folds is at most 1.3 points,
#: well below the spread of the candidates a low rung eliminates.
MIN_VALIDATION = 500


class Resource:
    """A multi-fidelity search's resource, for one fit.

    Parameters
    ----------
    name : str
        The search's ``resource`` parameter.
    estimator : estimator
        The search's estimator.
    y : array-like or None
        The target given to ``fit``.

    Attributes
    ----------
    store : ModelStore or None
        The models kept between rungs (warm start), if any.
    failures_warned : bool
        Whether candidates that failed on a small rung were reported.
    in_child_processes : bool
        Whether the fits run in child processes (``fit_timeout``); set
        before :meth:`fit_estimator`.
    """

    in_child_processes = False

    def __init__(self, name: str, estimator: Any, y: Any) -> None:
        self.name = name
        self.estimator = estimator
        self.y = y
        self.store: ModelStore | None = None
        # A rung's failed candidates are reported once per fit.
        self.failures_warned = False

    # ------------------------------------------------------------ checks
    def check(self, space: SearchSpace) -> None:
        """Raise a ValueError if the resource cannot be used (at fit)."""

    def auto_max(self, n_samples: int) -> int:
        """``max_resources="auto"``."""
        raise ValueError(
            f"max_resources='auto' is only available with resource='n_samples'; "
            f"give max_resources as an int for resource={self.name!r}."
        )

    def auto_min(self, n_splits: int, max_resources: int) -> int:
        """``min_resources="auto"`` (scikit-learn's "smallest")."""
        return 1

    def resolve(
        self, min_resources: Any, max_resources: Any, *, n_samples: int, n_splits: int
    ) -> tuple[int, int]:
        """Turn ``min_resources`` / ``max_resources`` (ints or "auto") into ints.

        Returns
        -------
        (int, int)
            ``min_resources_, max_resources_``.

        Raises
        ------
        ValueError
            Naming the parameter and the value, when the range is unusable.
        """
        if max_resources == "auto":
            hi = self.auto_max(n_samples)
        else:
            hi = self.check_max(int(max_resources), n_samples)
        lo = self.auto_min(n_splits, hi) if min_resources == "auto" else min_resources
        lo = int(lo)
        if lo > hi:
            given = (
                f"max_resources={hi}"
                if max_resources != "auto"
                else f"max_resources='auto', which is {hi} here ({self.auto_what})"
            )
            raise ValueError(
                f"min_resources={lo} is greater than {given}: the first rung "
                f"cannot use more {self.unit} than the last. Set min_resources "
                f"to at most {hi}."
            )
        return lo, hi

    #: What the resource counts, for messages.
    unit = "resources"
    #: What ``max_resources="auto"`` resolves to, for messages.
    auto_what = ""
    #: A candidate that a small rung cannot fit, for messages.
    too_small_example = ""

    def describe(self, n_resources: int, evaluation: Any) -> str:
        """What a rung with ``n_resources`` trains on, in the user's terms."""
        return f"{self.name}={n_resources}"

    def check_max(self, max_resources: int, n_samples: int) -> int:
        """An int ``max_resources``, checked."""
        return max_resources

    # ------------------------------------------------------------ fitting
    def fit_estimator(self, warm_start: Any, n_jobs: Any) -> Any:
        """What the fits train: the estimator, or a wrapper of it."""
        return self.estimator

    def _new_store(self, n_jobs: Any) -> ModelStore:
        # Files that process-based joblib workers share; memory otherwise.
        # Fits under fit_timeout run in child processes, which share files too.
        on_disk = self.in_child_processes or joblib.effective_n_jobs(n_jobs) != 1
        self.store = ModelStore(on_disk=on_disk)
        return self.store

    def rung(
        self, configs: list[dict], n_resources: int, evaluation: Any
    ) -> tuple[list[dict], dict]:
        """The candidates and ``evaluate_candidates`` arguments of a rung."""
        return configs, {}

    def planned(self, plan: tuple) -> None:
        """The search's planned brackets, once the range is resolved."""

    def rung_starts(self, last: bool) -> None:
        """Before a rung: nothing continues from a bracket's last rung."""
        if self.store is not None:
            self.store.saving = not last

    def promoted(self, configs: list[dict]) -> None:
        """After a rung: keep only these candidates' models (bounded memory)."""
        if self.store is not None:
            self.store.keep({candidate_key(c, self.name) for c in configs})

    def before_refit(self, n_resources: int) -> None:
        """Before the refit of the best candidate, scored with ``n_resources``."""

    def unwrap(self, estimator: Any) -> Any:
        """The refit estimator without the fits' wrapper."""
        return estimator.estimator if self.store is not None else estimator

    def close(self) -> None:
        """Drop the kept models: the refit is a plain fit."""
        if self.store is not None:
            self.store.close()


class SampleResource(Resource):
    """``"n_samples"``: each training fold subsampled, and the test folds of
    the rungs below the brackets' last ones (never below ``MIN_VALIDATION``
    samples, nor below the training samples kept).

    The last rungs, where ``best_score_`` comes from, are scored on whole
    test folds.
    """

    #: Seed of the subsets, drawn from the search's random state at fit.
    split_seed = 0
    #: Rungs with at least this resource (the smallest of the planned
    #: brackets' last rungs) are scored on whole test folds; None: all rungs.
    whole_from: int | None = None
    # Whether the current rung is its bracket's last (see rung_starts).
    _last = False

    unit = "samples"
    auto_what = "the number of samples"
    too_small_example = "a k-NN with more neighbours than the rung has samples"

    def auto_max(self, n_samples: int) -> int:
        return self._check_any(n_samples)

    def describe(self, n_resources: int, evaluation: Any) -> str:
        sizes = sorted(
            {
                max(1, len(train) * n_resources // evaluation.n_samples)
                for train, _ in evaluation.splits.split()
            }
        )
        each = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]}"
        return (
            f"n_resources={n_resources} (each training fold subsampled to "
            f"{each} samples)"
        )

    def check_max(self, max_resources: int, n_samples: int) -> int:
        self._check_any(n_samples)
        if max_resources > n_samples:
            raise ValueError(
                f"max_resources={max_resources!r} is greater than the number of "
                f"samples ({n_samples}) with resource='n_samples'."
            )
        return max_resources

    @staticmethod
    def _check_any(n_samples: int) -> int:
        if n_samples < 1:
            raise ValueError(
                f"resource='n_samples' needs at least one sample, got "
                f"n_samples={n_samples}."
            )
        return n_samples

    def auto_min(self, n_splits: int, max_resources: int) -> int:
        n = 2 * n_splits
        if is_classifier(self.estimator) and self.y is not None:
            n *= len(np.unique(np.asarray(self.y)))
        return min(n, max_resources)

    def fit_estimator(self, warm_start: Any, n_jobs: Any) -> Any:
        resolve_warm_start(self.estimator, self.name, warm_start)  # raises if True
        return self.estimator

    def rung(
        self, configs: list[dict], n_resources: int, evaluation: Any
    ) -> tuple[list[dict], dict]:
        whole = (
            self._last or self.whole_from is None or n_resources >= self.whole_from
        )
        cv = SubsampledTrainSplitter(
            evaluation.splits,
            n_resources,
            evaluation.n_samples,
            stratify=is_classifier(self.estimator),
            random_state=self.split_seed,
            min_validation=None if whole else MIN_VALIDATION,
        )
        return configs, {"cv": cv}

    def planned(self, plan: tuple) -> None:
        self.whole_from = min((b.rungs[-1].n_resources for b in plan), default=None)

    def rung_starts(self, last: bool) -> None:
        self._last = last
        super().rung_starts(last)


class EpochResource(Resource):
    """``"partial_fit"``: epochs of ``partial_fit`` over the training fold."""

    def __init__(self, name: str, estimator: Any, y: Any) -> None:
        super().__init__(name, estimator, y)
        self.budget: EpochBudget | None = None

    unit = "epochs"

    def describe(self, n_resources: int, evaluation: Any) -> str:
        return f"n_resources={n_resources} (epochs of partial_fit)"

    def fit_estimator(self, warm_start: Any, n_jobs: Any) -> Any:
        check_partial_fit(self.estimator)
        store = self._new_store(n_jobs) if warm_start in ("auto", True) else None
        self.budget = EpochBudget(
            _classes(self.y) if is_classifier(self.estimator) else None
        )
        return PartialFitProxy(self.estimator, self.budget, store)

    def rung(
        self, configs: list[dict], n_resources: int, evaluation: Any
    ) -> tuple[list[dict], dict]:
        self.budget.epochs = n_resources
        return configs, {}

    def before_refit(self, n_resources: int) -> None:
        self.budget.epochs = n_resources

    def unwrap(self, estimator: Any) -> Any:
        return estimator.estimator


class ParameterResource(Resource):
    """An integer parameter of the estimator, set in every candidate."""

    def check(self, space: SearchSpace) -> None:
        try:
            valid = set(self.estimator.get_params(deep=True))
        except Exception:  # estimators whose get_params needs fitting, etc.
            valid = set()
        if self.name not in valid:
            hint = did_you_mean(self.name, valid | {"n_samples", "partial_fit"})
            raise ValueError(
                f"resource must be 'n_samples', 'partial_fit' or the name of an "
                f"integer parameter of {type(self.estimator).__name__}, got "
                f"resource={self.name!r}.{hint} Valid "
                f"parameters are: {sorted(valid)!r}."
            )
        if any(self.name in sub for sub in space.subspaces):
            raise ValueError(
                f"resource={self.name!r} is also searched in search_spaces; the "
                "search sets the resource itself, so remove it from search_spaces."
            )

    def fit_estimator(self, warm_start: Any, n_jobs: Any) -> Any:
        if not resolve_warm_start(self.estimator, self.name, warm_start):
            return self.estimator
        return WarmStartProxy(self.estimator, self.name, self._new_store(n_jobs))

    def rung(
        self, configs: list[dict], n_resources: int, evaluation: Any
    ) -> tuple[list[dict], dict]:
        return [{**c, self.name: n_resources} for c in configs], {}


def make_resource(name: str, estimator: Any, y: Any) -> Resource:
    """The resource named by a search's ``resource`` parameter, for one fit."""
    kinds = {"n_samples": SampleResource, "partial_fit": EpochResource}
    return kinds.get(name, ParameterResource)(name, estimator, y)


def _classes(y: Any) -> Any:
    """The classes a classifier's first ``partial_fit`` needs: those of ``y``,
    or a list of each output's for a 2-D ``y`` (multi-output classifiers)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return [np.unique(y[:, j]) for j in range(y.shape[1])]
    return np.unique(y)
