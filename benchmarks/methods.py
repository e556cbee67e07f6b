"""Method adapters: run one search with a budget, return per-evaluation records.

Each adapter returns a dict with, per evaluation in order: ``scores`` (mean CV
score, maximised), ``fit_times`` (seconds in fit + score over the folds, from
``cv_results_`` or ``cross_validate``), ``params``, and ``t_done`` (seconds
from the start of the search to the end of that evaluation; only measured
with ``n_jobs=1``), plus ``wall`` (seconds of the whole search; refit is off).

A peer that cannot be imported, or cannot express a task's space, is skipped
with the reason (:func:`unavailable`).
"""

from __future__ import annotations

import importlib
import math
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring

from benchmarks import tasks as T
from sklearn_hpo._registry import STRATEGIES, Strategy


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    requires: tuple  # importable modules (pip names in the message)
    anytime: bool  # one run at the largest budget gives every smaller budget
    run: Callable[..., dict]
    conditional: bool = True  # can it express a conditional space?
    grid_only: bool = False  # run only where Task.grid_ok
    needs_data: bool = False  # multi-fidelity on samples: pointless on doubles
    # Searches a conditional space one sub-space after the other, each with a
    # share of the budget (scikit-optimize): a prefix of a longer run is not a
    # shorter run there (it would have seen only the first sub-space).
    sequential_subspaces: bool = False
    # Evaluates one candidate after another (records when each is done), so
    # it has a best-so-far curve and an overhead per evaluation; not so for a
    # grid or the halving searches, which score a whole rung at once.
    sequential: bool = True


def is_anytime(method: str, task: str) -> bool:
    """Whether one run of ``method`` at the largest budget gives every smaller
    budget on ``task`` (its first n evaluations are what a run of n does)."""
    m = METHODS[method]
    known = T.TASKS.get(task)
    if m.sequential_subspaces and known is not None and len(known.space) > 1:
        return False
    return m.anytime


class TimedScorer:
    """A scorer that also records when it was called (in-process only)."""

    def __init__(self, scorer: Callable) -> None:
        self.scorer = scorer
        self.times: list[float] = []

    def __call__(self, estimator: Any, X: Any, y: Any = None, **kw: Any) -> float:
        value = self.scorer(estimator, X, y, **kw)
        self.times.append(time.perf_counter())
        return value


def _scorer(task: T.Task) -> TimedScorer:
    return TimedScorer(check_scoring(task.make_estimator(), scoring=task.scoring))


def _from_cv_results(
    search: Any, scorer: TimedScorer, t0: float, wall: float, n_jobs: int
) -> dict:
    res = search.cv_results_
    k = T.N_SPLITS
    fit = (np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"])) * k
    n = len(res["params"])
    t_done = None
    if n_jobs == 1 and len(scorer.times) == n * k:
        t_done = [t - t0 for t in scorer.times[k - 1 :: k]]
    return {
        "scores": [float(s) for s in res["mean_test_score"]],
        "fit_times": [float(f) for f in fit],
        "params": list(res["params"]),
        "t_done": t_done,
        "wall": wall,
    }


def _fit_search(search: Any, task: T.Task, data: T.Data, scorer: TimedScorer,
                n_jobs: int) -> dict:
    t0 = time.perf_counter()
    search.fit(data.X_train, data.y_train)
    wall = time.perf_counter() - t0
    return _from_cv_results(search, scorer, t0, wall, n_jobs)


def _common(task: T.Task, data: T.Data, scorer: TimedScorer, n_jobs: int) -> dict:
    return dict(cv=data.cv, scoring=scorer, n_jobs=n_jobs, refit=False,
                error_score=np.nan)


# ------------------------------------------------------------------ ours
def _ours(strategy: Strategy, storage: bool = False) -> Callable[..., dict]:
    """Adapter for a sequential strategy of the registry (its ``*SearchCV``);
    ``storage``: with a journal (an SQLite file in a temporary directory)."""

    def run(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
            n_points: int = 1) -> dict:
        import tempfile

        import sklearn_hpo

        scorer = _scorer(task)
        with tempfile.TemporaryDirectory() as tmp:
            search = getattr(sklearn_hpo, strategy.search)(
                task.make_estimator(), T.ours(task.space), n_iter=budget,
                n_points=n_points, random_state=seed, **strategy.params,
                storage=os.path.join(tmp, "journal.db") if storage else None,
                **_common(task, data, scorer, n_jobs),
            )
            return _fit_search(search, task, data, scorer, n_jobs)

    return run


# --------------------------------------------------------------- sklearn
def _sk_random(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
               n_points: int = 1) -> dict:
    from sklearn.model_selection import RandomizedSearchCV

    scorer = _scorer(task)
    # Our Real/Integer/Categorical have ``rvs``: the same distributions.
    search = RandomizedSearchCV(task.make_estimator(), T.ours(task.space),
                                n_iter=budget, random_state=seed,
                                **_common(task, data, scorer, n_jobs))
    return _fit_search(search, task, data, scorer, n_jobs)


def _halving(ours: bool) -> Callable[..., dict]:
    """scikit-learn's HalvingRandomSearchCV or our SuccessiveHalvingSearchCV,
    with the same settings: ``budget`` random candidates, successive halving
    on the number of training samples, factor 3, the last rung on (about) the
    whole training set. Ours scores its last rung on the whole test fold
    and the others on at least 500 samples of it (more when the rung trains
    on more), scikit-learn's every rung on the same fraction as it trains on."""

    def run(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
            n_points: int = 1) -> dict:
        if ours:
            from sklearn_hpo import SuccessiveHalvingSearchCV as cls
        else:
            from sklearn.experimental import enable_halving_search_cv  # noqa: F401
            from sklearn.model_selection import HalvingRandomSearchCV as cls

        scorer = _scorer(task)
        search = cls(task.make_estimator(), T.ours(task.space), n_candidates=budget,
                     factor=3, resource="n_samples", min_resources="exhaust",
                     random_state=seed, **_common(task, data, scorer, n_jobs))
        # The best is from the last rung, not the best row.
        out = _fit_search(search, task, data, scorer, n_jobs)
        out["best_index"] = int(search.best_index_)
        full = max(search.n_resources_)
        out["cost_full_fits"] = float(
            np.sum(search.cv_results_["n_resources"]) / full
        )
        out["t_done"] = None
        return out

    return run


def _sk_grid(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
             n_points: int = 1) -> dict:
    from sklearn.model_selection import GridSearchCV

    scorer = _scorer(task)
    search = GridSearchCV(task.make_estimator(), T.grid(task.space, budget),
                          **_common(task, data, scorer, n_jobs))
    out = _fit_search(search, task, data, scorer, n_jobs)
    out["t_done"] = None  # a grid's order is arbitrary: no anytime curve
    return out


# ----------------------------------------------------------------- peers
def _skopt(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
           n_points: int = 1) -> dict:
    from skopt import BayesSearchCV

    scorer = _scorer(task)
    search = BayesSearchCV(task.make_estimator(), T.skopt_space(task.space, budget),
                           n_iter=budget, n_points=n_points, random_state=seed,
                           **_common(task, data, scorer, n_jobs))
    return _fit_search(search, task, data, scorer, n_jobs)


def _optuna_searchcv(task: T.Task, data: T.Data, budget: int, seed: int,
                     n_jobs: int = 1, n_points: int = 1) -> dict:
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    scorer = _scorer(task)
    search = OptunaSearchCV(task.make_estimator(), T.optuna_distributions(task.space),
                            n_trials=budget, random_state=seed,
                            **_common(task, data, scorer, n_jobs))
    start, t0 = time.time(), time.perf_counter()
    search.fit(data.X_train, data.y_train)
    wall = time.perf_counter() - t0
    trials = sorted(search.trials_, key=lambda t: t.datetime_complete)
    k = T.N_SPLITS
    return {
        "scores": [_nan(t.user_attrs.get("mean_test_score")) for t in trials],
        "fit_times": [
            k * (t.user_attrs.get("mean_fit_time", 0.0)
                 + t.user_attrs.get("mean_score_time", 0.0))
            for t in trials
        ],
        "params": [dict(t.params) for t in trials],
        "t_done": [t.datetime_complete.timestamp() - start for t in trials]
        if n_jobs == 1 else None,
        "wall": wall,
    }


class _Loop:
    """Records of a hand-written loop around ``cross_validate``."""

    def __init__(self, task: T.Task, data: T.Data, n_jobs: int) -> None:
        self.task, self.data, self.n_jobs = task, data, n_jobs
        self.scorer = _scorer(task).scorer
        self.base = task.make_estimator()
        self.out: dict = {"scores": [], "fit_times": [], "params": [], "t_done": []}
        self.t0 = time.perf_counter()

    def evaluate(self, params: dict) -> float:
        from sklearn.model_selection import cross_validate

        est = clone(self.base).set_params(**params)
        r = cross_validate(est, self.data.X_train, self.data.y_train,
                           cv=self.data.cv, scoring=self.scorer, n_jobs=self.n_jobs,
                           error_score=np.nan)
        score = float(np.mean(r["test_score"]))
        self.out["scores"].append(score)
        self.out["fit_times"].append(float(np.sum(r["fit_time"] + r["score_time"])))
        self.out["params"].append(params)
        self.out["t_done"].append(time.perf_counter() - self.t0)
        return score

    def result(self) -> dict:
        self.out["wall"] = time.perf_counter() - self.t0
        return self.out


def _optuna_tpe(task: T.Task, data: T.Data, budget: int, seed: int,
                n_jobs: int = 1, n_points: int = 1) -> dict:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    loop = _Loop(task, data, n_jobs)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(lambda trial: loop.evaluate(T.optuna_suggest(trial, task.space)),
                   n_trials=budget)
    return loop.result()


def _hyperopt(task: T.Task, data: T.Data, budget: int, seed: int, n_jobs: int = 1,
              n_points: int = 1) -> dict:
    import hyperopt

    loop = _Loop(task, data, n_jobs)

    def objective(sample: dict) -> dict:
        score = loop.evaluate(T.hyperopt_params(task.space, sample))
        if not math.isfinite(score):
            return {"status": hyperopt.STATUS_FAIL}
        return {"loss": -score, "status": hyperopt.STATUS_OK}

    hyperopt.fmin(objective, T.hyperopt_space(task.space), algo=hyperopt.tpe.suggest,
                  max_evals=budget, trials=hyperopt.Trials(),
                  rstate=np.random.default_rng(seed), show_progressbar=False)
    return loop.result()


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


# Our sequential strategies, from the registry. Those that plan with their
# budget (n_iter) are not "anytime": they run once per budget.
_OURS_SEQUENTIAL = [
    Method(s.name, f"sklearn_hpo {s.label}", (), not s.plans_budget, _ours(s))
    for s in STRATEGIES
    if s.family != "multi-fidelity"
]

# The same with a journal (storage=): what recording every candidate costs.
_OURS_STORED = [
    Method(f"{s.name}_storage", f"sklearn_hpo {s.label} + storage", (), True,
           _ours(s, storage=True))
    for s in STRATEGIES
    if s.name in ("random", "tpe")
]

METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        *_OURS_SEQUENTIAL,
        *_OURS_STORED,
        Method("sk_random", "scikit-learn RandomizedSearchCV", (), True, _sk_random),
        Method("sk_halving", "scikit-learn HalvingRandomSearchCV", (), False,
               _halving(ours=False), needs_data=True, sequential=False),
        Method("sh", "sklearn_hpo SuccessiveHalvingSearchCV", (), False,
               _halving(ours=True), needs_data=True, sequential=False),
        Method("sk_grid", "scikit-learn GridSearchCV", (), False, _sk_grid,
               grid_only=True, sequential=False),
        Method("skopt", "scikit-optimize BayesSearchCV", ("skopt",), True, _skopt,
               sequential_subspaces=True),
        Method("optuna_searchcv", "Optuna OptunaSearchCV (TPE)",
               ("optuna", "optuna_integration", "pandas"), True, _optuna_searchcv,
               conditional=False),
        Method("optuna_tpe", "Optuna study + TPESampler", ("optuna",), True,
               _optuna_tpe),
        Method("hyperopt", "hyperopt fmin (TPE)", ("hyperopt",), True, _hyperopt),
    ]
}
OURS = (*(m.name for m in _OURS_SEQUENTIAL), "sh")
# The journal variants only measure the journal's overhead: named on demand.
DEFAULT_METHODS = tuple(m for m in METHODS if m not in {x.name for x in _OURS_STORED})
BASELINE = "sk_random"  # normalised score 0 = its mean best
PIP_NAMES = {"skopt": "scikit-optimize", "optuna_integration": "optuna-integration"}


def import_error(method: Method) -> str | None:
    """Why ``method`` cannot run here, or None."""
    for module in method.requires:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken peer is skipped too
            pip = PIP_NAMES.get(module, module)
            return (f"{module} is not importable ({type(exc).__name__}: {exc}); "
                    f"`pip install {pip}` (or the bench extra) to include it")
    return None


def unsupported(method: Method, task: T.Task) -> str | None:
    """Why ``method`` does not run on ``task`` (by design), or None."""
    if task.kind == "conditional" and not method.conditional:
        return "cannot express a conditional space"
    if method.grid_only and not task.grid_ok:
        return "no natural grid for this space (more than 3 numeric dimensions)"
    if method.needs_data and task.is_double:
        return "halving on samples is meaningless for a double"
    return None
