"""The base class of the multi-fidelity searches (Hyperband, successive halving).

They run brackets of successive halving on top of scikit-learn's
``BaseSearchCV``: every rung is one ``evaluate_candidates`` call (full k-fold
cross-validation of every candidate with that rung's resource), and the best
``1 / factor`` of a rung are promoted to the next rung with ``factor`` times
the resource.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Callable

import joblib
import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state

from sklearn_hpo.optimizers._bracket import BracketSampler
from sklearn_hpo.schedulers import (
    Bracket,
    Rung,
)
from sklearn_hpo.search._base import SearchRounds, check_param_names, fit_docstring
from sklearn_hpo.search._common_params import MULTI_FIDELITY_PARAMS
from sklearn_hpo.search._params import search_parameters
from sklearn_hpo.search._partial_fit import (
    EpochBudget,
    PartialFitProxy,
    check_partial_fit,
)
from sklearn_hpo.search._resources import (
    SubsampledTrainSplitter,
    check_resource,
    resolve_resources,
)
from sklearn_hpo.search._splits import (
    FitTimeStateMixin,
    search_splits,
    splitting_once,
)
from sklearn_hpo.search._warm_start import (
    ModelStore,
    WarmStartProxy,
    candidate_key,
    resolve_warm_start,
)
from sklearn_hpo.space import as_search_space
from sklearn_hpo.utils._compat import (
    BaseSearchCV,
    IntegersNotBoolsMixin,
    deferred_fit_failure_checks,
    num_samples,
)

__all__ = ["BaseMultiFidelitySearchCV"]


def _best_first(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from best to worst, NaN last, ties stable."""
    keyed = np.where(np.isfinite(scores), -scores, np.inf)
    return np.argsort(keyed, kind="stable")


@search_parameters(*MULTI_FIDELITY_PARAMS)
class BaseMultiFidelitySearchCV(
    IntegersNotBoolsMixin, FitTimeStateMixin, BaseSearchCV
):
    """Base class of the searches that run brackets of successive halving.

    Subclasses implement :meth:`_make_plan` (and may override
    :meth:`_shrink`). Its parameters are
    :data:`~sklearn_hpo.search._common_params.MULTI_FIDELITY_PARAMS`; a
    subclass adds its own with
    :func:`~sklearn_hpo.search._params.search_parameters`.
    """

    # ------------------------------------------------------------ strategy
    @abstractmethod
    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        """The planned brackets, for the resolved resource range."""

    def _make_sampler(self, space: Any, rng: np.random.RandomState) -> BracketSampler:
        return BracketSampler(space, "random", rng)

    def _first_resources(self, min_resources: int, max_resources: int) -> int:
        """``min_resources_`` from the resolved range (``"exhaust"`` hook)."""
        return min_resources

    def _shrink(self, bracket: Bracket, n_sampled: int) -> Bracket:
        """The bracket to run when only ``n_sampled`` candidates could be sampled.

        A finite space may have fewer distinct candidates than a bracket asks
        for; each rung then keeps ``floor(n_sampled / factor**i)`` (at least 1).
        """
        rungs = []
        keep = n_sampled
        for rung in bracket.rungs:
            n = max(1, min(rung.n_candidates, keep))
            rungs.append(Rung(rung.bracket, rung.rung, n, rung.n_resources))
            keep = int(keep // self.factor)
        return Bracket(bracket.bracket, tuple(rungs))

    # ----------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any = None, **params: Any) -> BaseMultiFidelitySearchCV:
        # BaseSearchCV.fit does not hand X to _run_search; the n_samples
        # resource needs its size (as scikit-learn's Halving searches do).
        self._n_samples_orig = num_samples(X)
        estimator = self.estimator
        store = None
        self._epoch_budget = None
        try:
            if self.resource == "partial_fit":
                check_partial_fit(estimator)
                if self.warm_start in ("auto", True):
                    store = ModelStore(
                        on_disk=joblib.effective_n_jobs(self.n_jobs) != 1
                    )
                self._epoch_budget = EpochBudget(
                    _classes(y) if is_classifier(estimator) else None
                )
                self.estimator = PartialFitProxy(estimator, self._epoch_budget, store)
            elif resolve_warm_start(estimator, self.resource, self.warm_start):
                # BaseSearchCV.fit clones self.estimator once, before
                # _run_search, for every fit of the search: the proxy must be
                # in place by then.
                store = ModelStore(on_disk=joblib.effective_n_jobs(self.n_jobs) != 1)
                self.estimator = WarmStartProxy(estimator, self.resource, store)
            self._warm_store = store
            with splitting_once(self, X, y, params):
                super().fit(X, y, **params)
        finally:
            self.estimator = estimator
            if store is not None:
                store.close()
            del self._epoch_budget, self._n_samples_orig
            self.__dict__.pop("_warm_store", None)
        if self.resource == "partial_fit" and hasattr(self, "best_estimator_"):
            self.best_estimator_ = self.best_estimator_.estimator
        elif store is not None and hasattr(self, "best_estimator_"):
            # The refit ran on a proxy whose store was closed: a plain fit.
            self.best_estimator_ = self.best_estimator_.estimator
        return self

    fit.__doc__ = fit_docstring("Run the brackets")

    def _checked_cv(self) -> tuple[Any, int]:
        """The search's splits of this fit's data, and their number.

        Split once for all rungs (see ``search/_splits.py``): a shuffling
        splitter without a seed would otherwise give each rung other folds,
        and a warm-started model would continue on another training fold.
        """
        cv = search_splits(self)
        return cv, cv.get_n_splits()

    def _select_best_index(self, refit: Any, refit_metric: str, results: dict) -> int:
        """Best candidate among those evaluated with the most resource.

        With ``resource="partial_fit"`` the refit then trains for the epochs
        the best candidate was scored with.
        """
        index = self._best_index(refit, refit_metric, results)
        budget = getattr(self, "_epoch_budget", None)
        if budget is not None:
            budget.epochs = int(results["n_resources"][index])
        return index

    @staticmethod
    def _best_index(refit: Any, refit_metric: str, results: dict) -> int:
        """Best candidate among those evaluated with the most resource.

        Scores at a small resource are not comparable with scores at the full
        one, so, as scikit-learn's Halving searches do, the best candidate is
        taken from the rows with the largest ``n_resources`` (the top rung of
        every bracket, for Hyperband). A callable ``refit`` gets the whole
        ``cv_results_`` and decides.
        """
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        n_resources = np.asarray(results["n_resources"])
        top = np.flatnonzero(n_resources == n_resources.max())
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)[top]
        if np.isnan(scores).all():
            return int(top[0])
        return int(top[np.nanargmax(scores)])

    def _run_search(
        self, evaluate_candidates: Callable, *, callback_ctx: Any = None
    ) -> None:
        space = as_search_space(self.search_spaces)
        check_param_names(self.estimator, space)
        check_resource(self.estimator, self.resource, space)
        base_cv, n_splits = self._checked_cv()
        lo, hi = resolve_resources(
            self.estimator,
            self.resource,
            "auto"
            if self.min_resources in ("exhaust", "smallest")
            else self.min_resources,
            self.max_resources,
            n_samples=self._n_samples_orig,
            n_splits=n_splits,
            y=self._fit_data[1],
        )
        lo = self._first_resources(lo, hi)
        self.min_resources_, self.max_resources_ = lo, hi
        plan = self._make_plan(lo, hi)
        rng = check_random_state(self.random_state)
        sampler = self._make_sampler(space, rng)
        split_seed = int(rng.randint(np.iinfo(np.int32).max))

        rounds = SearchRounds(
            self,
            evaluate_candidates,
            callback_ctx,
            task_name="rung",
            round_column=None,
            cv=base_cv,
        )

        self.n_candidates_: list[int] = []
        self.n_resources_: list[int] = []
        executed: list[Bracket] = []
        store = getattr(self, "_warm_store", None)
        try:
            with deferred_fit_failure_checks(self.error_score, self):
                for planned in plan:
                    configs = sampler.propose(planned.n_candidates)
                    if not configs:
                        break
                    bracket = self._shrink(planned, len(configs))
                    executed.append(bracket)
                    self._run_bracket(
                        rounds, bracket, configs, sampler, (base_cv, split_seed)
                    )
                    if rounds.stop:
                        break
        finally:
            if store is not None:
                store.close()  # the refit is a plain fit
        rounds.close()
        self.plan_ = plan
        self.brackets_ = tuple(executed)

    def _run_bracket(
        self,
        rounds: SearchRounds,
        bracket: Bracket,
        configs: list[dict],
        sampler: BracketSampler,
        splitting: tuple[Any, int],
    ) -> None:
        """Run the rungs of one bracket (until a callback asks to stop)."""
        store = getattr(self, "_warm_store", None)
        for k, rung in enumerate(bracket.rungs):
            configs = configs[: rung.n_candidates]
            last = k == len(bracket.rungs) - 1
            if store is not None:
                store.saving = not last  # nothing continues from the last rung
            scores = self._run_rung(rounds, configs, rung, splitting)
            sampler.record(configs, scores, rung.n_resources)
            configs = [configs[i] for i in _best_first(scores)]
            if store is not None:
                # Bounded memory: only the promoted candidates' models are
                # kept, for the next rung.
                n_next = 0 if last else bracket.rungs[k + 1].n_candidates
                store.keep({candidate_key(c, self.resource) for c in configs[:n_next]})
            if rounds.stop:
                break
        if store is not None:
            store.keep(set())

    def _run_rung(
        self,
        rounds: SearchRounds,
        configs: list[dict],
        rung: Rung,
        splitting: tuple[Any, int],
    ) -> np.ndarray:
        """Evaluate ``configs`` with ``rung.n_resources``; return their scores."""
        n = len(configs)
        info = {
            "bracket": [rung.bracket] * n,
            "iter": [rung.rung] * n,
            "n_resources": [rung.n_resources] * n,
        }
        kwargs: dict[str, Any] = {}
        if self.resource == "n_samples":
            batch = configs
            base_cv, split_seed = splitting
            kwargs["cv"] = SubsampledTrainSplitter(
                base_cv,
                rung.n_resources,
                self._n_samples_orig,
                stratify=is_classifier(self.estimator),
                random_state=split_seed,
            )
        elif self.resource == "partial_fit":
            batch = configs
            self._epoch_budget.epochs = rung.n_resources
        else:
            batch = [{**c, self.resource: rung.n_resources} for c in configs]
        scores = rounds.evaluate(batch, info, **kwargs)
        self.n_candidates_.append(n)
        self.n_resources_.append(rung.n_resources)
        return scores


def _classes(y: Any) -> Any:
    """The classes a classifier's first ``partial_fit`` needs: those of ``y``,
    or a list of each output's for a 2-D ``y`` (multi-output classifiers)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return [np.unique(y[:, j]) for j in range(y.shape[1])]
    return np.unique(y)
