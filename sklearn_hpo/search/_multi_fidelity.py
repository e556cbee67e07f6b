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

import numpy as np

from sklearn_hpo.optimizers._bracket import BracketSampler
from sklearn_hpo.schedulers import (
    Bracket,
    Rung,
)
from sklearn_hpo.schedulers._agreement import RungAgreement
from sklearn_hpo.search._async_halving import run_async
from sklearn_hpo.search._base import check_param_names, fit_docstring
from sklearn_hpo.search._common_params import MULTI_FIDELITY_PARAMS
from sklearn_hpo.search._evaluation import Evaluation, active_evaluation
from sklearn_hpo.search._mixin import EvaluatedSearchMixin
from sklearn_hpo.search._params import search_parameters
from sklearn_hpo.search._resources import make_resource
from sklearn_hpo.search._rung_failures import warn_rung_failures
from sklearn_hpo.search._sliding import wants_threads
from sklearn_hpo.space import as_search_space
from sklearn_hpo.utils._compat import (
    BaseSearchCV,
    num_samples,
)

__all__ = ["BaseMultiFidelitySearchCV"]


def _best_first(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from best to worst, NaN last, ties stable."""
    keyed = np.where(np.isfinite(scores), -scores, np.inf)
    return np.argsort(keyed, kind="stable")


@search_parameters(*MULTI_FIDELITY_PARAMS)
class BaseMultiFidelitySearchCV(EvaluatedSearchMixin, BaseSearchCV):
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

    def _next_bracket(self, planned: Bracket, evaluation: Evaluation) -> Bracket:
        """The bracket to run next, given what the earlier ones measured."""
        return planned

    def _first_resources(self, min_resources: int, max_resources: int) -> int:
        """``min_resources_`` from the resolved range (``"exhaust"`` hook)."""
        return min_resources

    def _shrink(self, bracket: Bracket, n_sampled: int, auto_min: int) -> Bracket:
        """The bracket to run when only ``n_sampled`` candidates could be sampled.

        A finite space may have fewer distinct candidates than a bracket asks
        for (``auto_min`` is what ``min_resources="auto"`` gives); each rung
        then keeps ``floor(n_sampled / factor**i)`` (at least 1).
        """
        rungs = []
        keep = n_sampled
        for rung in bracket.rungs:
            n = max(1, min(rung.n_candidates, keep))
            rungs.append(Rung(rung.bracket, rung.rung, n, rung.n_resources))
            keep = int(keep // self.factor)
        return Bracket(bracket.bracket, tuple(rungs))

    # ----------------------------------------------------------------- fit
    def _make_evaluation(self, X: Any, y: Any, params: dict) -> Evaluation:
        # The resource is made per fit (it holds the rung's epochs and the
        # models kept between rungs); the fits train its fit estimator.
        resource = make_resource(self.resource, self.estimator, y)
        resource.in_child_processes = self.fit_timeout is not None
        estimator = resource.fit_estimator(self.warm_start, self.n_jobs)
        evaluation = Evaluation(self, X, y, params, estimator=estimator)
        evaluation.resource = resource
        # BaseSearchCV.fit does not hand X to _run_search; the n_samples
        # resource needs its size (as scikit-learn's Halving searches do).
        evaluation.n_samples = num_samples(X)
        evaluation.agreement = RungAgreement()
        return evaluation

    def fit(self, X: Any, y: Any = None, **params: Any) -> BaseMultiFidelitySearchCV:
        evaluation = self._fit_evaluated(X, y, params)
        if hasattr(self, "best_estimator_"):
            # The refit ran on the fits' wrapper, as a plain fit.
            self.best_estimator_ = evaluation.resource.unwrap(self.best_estimator_)
        return self

    fit.__doc__ = fit_docstring("Run the brackets")

    def _select_best_index(self, refit: Any, refit_metric: str, results: dict) -> int:
        """Best candidate among those evaluated with the most resource.

        With ``resource="partial_fit"`` the refit then trains for the epochs
        the best candidate was scored with.
        """
        index = self._best_index(refit, refit_metric, results)
        evaluation = active_evaluation(self)
        if evaluation is not None:
            evaluation.resource.before_refit(int(results["n_resources"][index]))
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
        evaluation = active_evaluation(self)
        resource = evaluation.resource
        space = as_search_space(self.search_spaces)
        check_param_names(evaluation.estimator, space)
        resource.check(space)
        with evaluation.running(
            evaluate_candidates,
            callback_ctx,
            call_task="halving-iteration",
            round_column=None,
        ):
            auto = "auto" if self.min_resources in ("exhaust", "smallest") else None
            lo, hi = resource.resolve(
                auto or self.min_resources,
                self.max_resources,
                n_samples=evaluation.n_samples,
                n_splits=evaluation.n_splits,
            )
            auto_min = lo
            lo = self._first_resources(lo, hi)
            self.min_resources_, self.max_resources_ = lo, hi
            plan = self._make_plan(lo, hi)
            resource.planned(plan)
            scheduler, threads = self._resolve_scheduler(evaluation)
            if scheduler == "async":  # a callback task per job
                n_jobs = sum(r.n_candidates for b in plan for r in b.rungs)
                evaluation.planned_tasks = n_jobs
            else:
                evaluation.planned_tasks = sum(len(b.rungs) for b in plan)
            rng = evaluation.random_state()
            sampler = self._make_sampler(space, rng)
            resource.split_seed = int(rng.randint(np.iinfo(np.int32).max))
            self.scheduler_ = scheduler
            if scheduler == "async":
                try:
                    executed = list(
                        run_async(self, evaluation, plan, sampler, auto_min, threads)
                    )
                finally:
                    resource.close()  # the refit is a plain fit
                self.plan_ = plan
                self.brackets_ = tuple(executed)
                self.rung_agreement_ = evaluation.agreement.as_dict()
                return

            self.n_candidates_: list[int] = []
            self.n_resources_: list[int] = []
            executed: list[Bracket] = []
            try:
                for planned in plan:
                    planned = self._next_bracket(planned, evaluation)
                    configs = sampler.propose(planned.n_candidates)
                    if not configs:
                        break
                    bracket = self._shrink(planned, len(configs), auto_min)
                    executed.append(bracket)
                    self._run_bracket(evaluation, bracket, configs, sampler)
                    if evaluation.stop:
                        break
            finally:
                resource.close()  # the refit is a plain fit
        self.plan_ = plan
        self.brackets_ = tuple(executed)
        self.rung_agreement_ = evaluation.agreement.as_dict()

    def _resolve_scheduler(self, evaluation: Evaluation) -> tuple[str, bool]:
        """The scheduler to run ("sync" or "async"), and whether its jobs may
        run in several threads (inside ``evaluation.running``)."""
        threads = wants_threads(self) and evaluation.concurrent_possible()
        if self.scheduler == "auto":
            auto = threads and self.storage is None
            return ("async" if auto else "sync"), threads
        if self.scheduler == "async" and threads and self.storage is not None:
            raise ValueError(
                f"scheduler='async' with n_jobs={self.n_jobs!r} cannot be used "
                f"with storage={self.storage!r}: with several workers, the "
                "order in which the evaluations finish decides the promotions, "
                "and a journal replays evaluations in the order they were made. "
                "Use scheduler='sync' (or 'auto'), or n_jobs=1 (the asynchronous "
                "scheduler is then deterministic and resumable)."
            )
        return self.scheduler, threads

    def _run_bracket(
        self,
        evaluation: Evaluation,
        bracket: Bracket,
        configs: list[dict],
        sampler: BracketSampler,
    ) -> None:
        """Run the rungs of one bracket (until a callback asks to stop)."""
        resource = evaluation.resource
        previous: tuple[int, np.ndarray] | None = None
        for k, rung in enumerate(bracket.rungs):
            configs = configs[: rung.n_candidates]
            last = k == len(bracket.rungs) - 1
            resource.rung_starts(last)
            scores = self._run_rung(evaluation, configs, rung)
            if previous is not None:
                # The promoted candidates, in the order they were promoted.
                evaluation.agreement.add(
                    previous[0], rung.n_resources, previous[1][: len(scores)], scores
                )
            if not resource.failures_warned:
                resource.failures_warned = warn_rung_failures(
                    self, evaluation, configs, scores, rung
                )
            sampler.record(configs, scores, rung.n_resources)
            order = _best_first(scores)
            configs = [configs[i] for i in order]
            previous = (rung.n_resources, scores[order])
            n_next = 0 if last else bracket.rungs[k + 1].n_candidates
            resource.promoted(configs[:n_next])
            evaluation.reporter.rung(
                rung, len(scores), scores, min(n_next, len(configs))
            )
            if evaluation.stop:
                break
        resource.promoted([])

    def _run_rung(
        self, evaluation: Evaluation, configs: list[dict], rung: Rung
    ) -> np.ndarray:
        """Evaluate ``configs`` with ``rung.n_resources``; return their scores."""
        n = len(configs)
        info = {
            "bracket": [rung.bracket] * n,
            "iter": [rung.rung] * n,
            "n_resources": [rung.n_resources] * n,
        }
        batch, kwargs = evaluation.resource.rung(configs, rung.n_resources, evaluation)
        scores = evaluation.evaluate(batch, info, **kwargs)
        self.n_candidates_.append(n)
        self.n_resources_.append(rung.n_resources)
        return scores
