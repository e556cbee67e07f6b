"""Asynchronous successive halving (``scheduler="async"``, ASHA).

The promotion rule is tested on the pure scheduler (no fits); the searches
with estimator doubles whose score is a known function of their parameters
and resource.
"""

import math
import random
import tempfile
import time
from collections import Counter

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold

from sklearn_hpo import (
    HyperbandSearchCV,
    Integer,
    Real,
    SuccessiveHalvingSearchCV,
)
from sklearn_hpo.schedulers import Bracket, Rung, hyperband_plan
from sklearn_hpo.schedulers import successive_halving_plan as sh_plan
from sklearn_hpo.schedulers._asha import AsyncBracket

X, y = make_classification(n_samples=120, n_features=5, random_state=0)
XZ = np.arange(16.0).reshape(-1, 1)
SPACE = {"x0": Real(0.0, 1.0), "x1": Real(0.0, 1.0)}
FITS: list[int] = []  # fits of Double (n_jobs=1)

# The asynchronous scheduler runs jobs from threads, which needs joblib >= 1.3
# (parallel_config); with older joblib "auto" is "sync" and "async" runs
# one job at a time.
THREADS = hasattr(joblib, "parallel_config")
needs_threads = pytest.mark.skipif(not THREADS, reason="threads need joblib >= 1.3")


class Double(RegressorMixin, BaseEstimator):
    """Score ``-(x0 - 0.3)^2 - (x1 - 0.6)^2 / 10 - 1 / budget``.

    ``fail_above``: fit raises when ``x0`` exceeds it; ``delay``: seconds a
    fit sleeps, times ``budget`` when ``per_unit``.
    """

    def __init__(self, x0=0.5, x1=0.5, budget=1, fail_above=None, delay=0.0):
        self.x0 = x0
        self.x1 = x1
        self.budget = budget
        self.fail_above = fail_above
        self.delay = delay

    def fit(self, X, y=None):
        FITS.append(1)
        if self.fail_above is not None and self.x0 > self.fail_above:
            raise ValueError("x0 too large")
        if self.delay:
            time.sleep(self.delay)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x0 - 0.3) ** 2) - (self.x1 - 0.6) ** 2 / 10 - 1 / self.budget


def _search(cls=HyperbandSearchCV, estimator=None, **kw):
    kw = {
        "resource": "budget", "min_resources": 1, "max_resources": 27,
        "cv": KFold(2), "random_state": 0, "scheduler": "async", **kw,
    }  # fmt: skip
    return cls(Double() if estimator is None else estimator, SPACE, **kw)


def _rows(search):
    """``(params without resource, n_resources) -> mean score`` of every row."""
    res = search.cv_results_
    out = {}
    for params, r, score in zip(
        res["params"], res["n_resources"], res["mean_test_score"]
    ):
        key = tuple(sorted((k, v) for k, v in params.items() if k != "budget"))
        out[key, int(r)] = float(score)
    return out


def _per_rung(search):
    res = search.cv_results_
    return Counter(zip(np.asarray(res["bracket"]), np.asarray(res["iter"])))


def _planned(brackets):
    return Counter(
        {(b.bracket, r.rung): r.n_candidates for b in brackets for r in b.rungs}
    )


# ------------------------------------------------ the scheduler, no fits


def _simulate(bracket, factor, n_workers, score, seed=0):
    """Run ``bracket`` with ``n_workers``, jobs finishing in a random order.

    Returns the jobs in the order they started and the scheduler.
    """
    rng = random.Random(seed)
    scheduler = AsyncBracket(bracket, factor)
    started, running = [], []
    while True:
        while len(running) < n_workers:
            job = scheduler.next_job()
            if job is None:
                break
            running.append(job)
            started.append(job)
        if not running:
            break
        job = running.pop(rng.randrange(len(running)))
        scheduler.report(job, score(job.candidate))
    assert scheduler.done
    return started, scheduler


PLANS = [
    *hyperband_plan(1, 81, 3),
    sh_plan(10, 1, 81, 3),
    sh_plan(20, 1, 81, 2.5),
    sh_plan(30, 1, 9, 3, aggressive_elimination=True),
]


@pytest.mark.parametrize("bracket", PLANS)
@pytest.mark.parametrize("n_workers", [1, 2, 5])
@pytest.mark.parametrize("seed", range(3))
def test_every_rung_evaluates_the_plans_number_of_candidates(
    bracket, n_workers, seed
):
    factor = 2.5 if bracket.rungs[0].n_candidates == 20 else 3
    scores = random.Random(seed).random

    def score(candidate):
        return [scores() for _ in range(candidate + 1)][-1]

    started, scheduler = _simulate(bracket, factor, n_workers, score, seed)
    counts = Counter(job.rung for job in started)
    assert [counts[k] for k in range(len(bracket.rungs))] == [
        r.n_candidates for r in bracket.rungs
    ]
    # A candidate reaches a rung only from the rung below, once.
    for k in range(1, len(bracket.rungs)):
        below = {j.candidate for j in started if j.rung == k - 1}
        here = [j.candidate for j in started if j.rung == k]
        assert len(set(here)) == len(here) and set(here) <= below
    assert all(j.n_resources == bracket.rungs[j.rung].n_resources for j in started)


def test_a_candidate_is_promoted_once_in_the_top_fraction_of_its_rung():
    bracket = hyperband_plan(1, 9, 3)[0]  # rungs of 9, 3 and 1 candidates
    scheduler = AsyncBracket(bracket, 3)
    jobs = [scheduler.next_job() for _ in range(3)]
    assert [(j.rung, j.candidate) for j in jobs] == [(0, 0), (0, 1), (0, 2)]
    scheduler.report(jobs[0], 0.1)
    scheduler.report(jobs[1], 0.5)
    # floor(2 / 3) = 0 may be promoted: a new candidate starts.
    assert (scheduler.next_job().rung, scheduler.n_started) == (0, 4)
    scheduler.report(jobs[2], 0.3)
    # floor(3 / 3) = 1: the best of the three goes up, before any new one.
    job = scheduler.next_job()
    assert (job.rung, job.candidate, job.n_resources) == (1, 1, 3)
    # Nothing else is promotable yet: the next job is a new candidate.
    assert scheduler.next_job().rung == 0


def test_the_highest_rung_is_served_first():
    bracket = hyperband_plan(1, 27, 3)[0]  # rungs of 27, 9, 3 and 1
    scheduler = AsyncBracket(bracket, 3)
    jobs = [scheduler.next_job() for _ in range(9)]
    for job in jobs:
        scheduler.report(job, float(job.candidate))
    # 9 finished: the best 3 go up, best first; then new candidates.
    up = [scheduler.next_job() for _ in range(4)]
    assert [(j.rung, j.candidate) for j in up] == [(1, 8), (1, 7), (1, 6), (0, 9)]
    scheduler.report(up[3], 100.0)
    jobs = [scheduler.next_job() for _ in range(2)]
    assert [(j.rung, j.candidate) for j in jobs] == [(0, 10), (0, 11)]
    for job in jobs + up[:3]:
        scheduler.report(job, float(job.candidate))
    # Rung 0 (12 finished) may promote a 4th and rung 1 (3 finished) a 1st:
    # the highest rung first.
    first, second = scheduler.next_job(), scheduler.next_job()
    assert (first.rung, first.candidate) == (2, 8)
    assert (second.rung, second.candidate) == (1, 9)


def test_a_failed_candidate_waits_for_its_rung_to_close():
    bracket = Bracket(0, (Rung(0, 0, 6, 1), Rung(0, 1, 3, 3)))
    scheduler = AsyncBracket(bracket, 2)
    jobs = [scheduler.next_job() for _ in range(6)]
    scheduler.report(jobs[0], math.nan)
    scheduler.report(jobs[1], math.nan)
    # floor(2 / 2) = 1 promotable, but none has a score: wait.
    assert scheduler.next_job() is None
    scheduler.report(jobs[2], 0.2)
    scheduler.report(jobs[3], 0.1)
    # 4 finished, 2 promotable: the two with a score.
    promoted = [scheduler.next_job() for _ in range(2)]
    assert [(j.rung, j.candidate) for j in promoted] == [(1, 2), (1, 3)]
    assert scheduler.next_job() is None
    scheduler.report(jobs[4], math.nan)
    scheduler.report(jobs[5], math.nan)
    # The rung is closed with too few scores: a failed one fills the plan.
    last = scheduler.next_job()
    assert (last.rung, last.candidate) == (1, 0)


def test_stop_starts_nothing_and_alive_drops_the_hopeless():
    bracket = hyperband_plan(1, 9, 3)[0]
    scheduler = AsyncBracket(bracket, 3)
    for job in [scheduler.next_job() for _ in range(9)]:
        scheduler.report(job, float(job.candidate))
    # Only the best 3 of the first rung can still be promoted.
    assert scheduler.alive() == {6, 7, 8}
    running = scheduler.next_job()
    assert scheduler.alive() == {6, 7, 8}
    scheduler.stop()
    assert scheduler.next_job() is None and not scheduler.done
    scheduler.report(running, 0.0)
    assert scheduler.done


def test_one_worker_promotes_what_synchronous_halving_promotes_at_the_end():
    # Once a rung is complete, its promotions follow the synchronous rule.
    bracket = sh_plan(9, 1, 9, 3)
    values = [0.3, 0.9, 0.1, 0.5, 0.8, 0.2, 0.7, 0.4, 0.6]
    started, _ = _simulate(bracket, 3, 1, values.__getitem__)
    top_rung = [j.candidate for j in started if j.rung == 2]
    assert top_rung == [1]


# ------------------------------------------------------------- the searches


def test_one_worker_is_deterministic_and_interleaves_rungs():
    a = _search().fit(XZ)
    b = _search().fit(XZ)
    assert a.scheduler_ == "async"
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    # ASHA: the best of the first 3 goes up before the 4th candidate starts.
    assert list(a.cv_results_["iter"][:4]) == [0, 0, 0, 1]
    assert _search(random_state=1).fit(XZ).cv_results_["params"] != (
        a.cv_results_["params"]
    )


@pytest.mark.parametrize("cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
def test_same_budget_and_columns_as_the_synchronous_scheduler(cls):
    sync = _search(cls, scheduler="sync").fit(XZ)
    asha = _search(cls).fit(XZ)
    assert set(asha.cv_results_) == set(sync.cv_results_)
    assert _per_rung(asha) == _per_rung(sync) == _planned(sync.plan_)
    assert asha.n_candidates_ == sync.n_candidates_
    assert asha.n_resources_ == sync.n_resources_
    assert asha.brackets_ == sync.brackets_
    # The first rung's candidates are sampled alike.
    first = np.asarray(asha.cv_results_["iter"]) == 0
    assert sorted(map(repr, np.asarray(asha.cv_results_["params"])[first])) == sorted(
        map(repr, np.asarray(sync.cv_results_["params"])[
            np.asarray(sync.cv_results_["iter"]) == 0
        ])
    )  # fmt: skip
    top = asha.cv_results_["n_resources"][asha.best_index_]
    assert top == max(asha.cv_results_["n_resources"])
    if cls is SuccessiveHalvingSearchCV:
        for name in ("n_iterations_", "n_possible_iterations_",
                     "n_required_iterations_", "n_remaining_candidates_"):  # fmt: skip
            assert getattr(asha, name) == getattr(sync, name)


@pytest.mark.parametrize("cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
@needs_threads
def test_two_workers_give_a_valid_search(cls):
    search = _search(cls, scheduler="auto", n_jobs=2).fit(XZ)
    assert search.scheduler_ == "async"
    res = search.cv_results_
    assert _per_rung(search) == _planned(search.brackets_)
    # Every row's score is its candidate's at its resource.
    for params, r, score in zip(res["params"], res["n_resources"],
                                res["mean_test_score"]):  # fmt: skip
        assert params["budget"] == r
        assert score == pytest.approx(Double(**params).score(None))
    top = np.asarray(res["n_resources"]) == max(res["n_resources"])
    assert top[search.best_index_]
    assert search.best_score_ == np.max(res["mean_test_score"][top])
    assert search.best_estimator_.budget == max(res["n_resources"])


@needs_threads
def test_auto_is_async_only_with_several_workers_and_no_journal(tmp_path):
    assert _search(scheduler="auto").fit(XZ).scheduler_ == "sync"
    assert _search(scheduler="auto", n_jobs=2).fit(XZ).scheduler_ == "async"
    journal = _search(scheduler="auto", n_jobs=2, storage=str(tmp_path / "j.db"))
    assert journal.fit(XZ).scheduler_ == "sync"
    raising = _search(scheduler="auto", n_jobs=2, error_score="raise")
    assert raising.fit(XZ).scheduler_ == "sync"


def test_sync_at_one_worker_is_unchanged_by_the_parameter():
    default = _search(scheduler="auto").fit(XZ)
    sync = _search(scheduler="sync").fit(XZ)
    assert default.cv_results_["params"] == sync.cv_results_["params"]
    assert list(default.cv_results_["iter"][:4]) == [0, 0, 0, 0]


def test_invalid_scheduler_names_the_parameter():
    with pytest.raises(ValueError, match="'scheduler' parameter.*Got 'fast'"):
        _search(scheduler="fast").fit(XZ)


def test_failed_candidates_are_never_promoted_ahead_of_scores():
    search = _search(estimator=Double(fail_above=0.5), error_score=np.nan).fit(XZ)
    res = search.cv_results_
    failed = ~np.isfinite(res["mean_test_score"])
    assert failed.any()
    # Enough candidates succeed at every rung: no failed one goes up.
    assert not failed[np.asarray(res["iter"]) > 0].any()
    assert np.isfinite(search.best_score_)


def test_failed_candidates_with_two_workers():
    search = _search(
        estimator=Double(fail_above=0.5), error_score=np.nan, n_jobs=2
    ).fit(XZ)
    res = search.cv_results_
    assert not (~np.isfinite(res["mean_test_score"][np.asarray(res["iter"]) > 0])).any()
    assert _per_rung(search) == _planned(search.brackets_)


@needs_threads
def test_journal_needs_one_worker(tmp_path):
    path = str(tmp_path / "j.db")
    with pytest.raises(ValueError, match="scheduler='async' with n_jobs=2.*storage"):
        _search(n_jobs=2, storage=path).fit(XZ)


def test_one_worker_resumes_from_the_journal(tmp_path):
    path = str(tmp_path / "j.db")
    reference = _search().fit(XZ)
    slow = Double(delay=0.02)
    partial = _search(estimator=slow, storage=path, max_time=0.2).fit(XZ)
    assert len(partial.cv_results_["params"]) < len(reference.cv_results_["params"])
    resumed = _search(estimator=slow, storage=path).fit(XZ)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
    )
    FITS.clear()
    again = _search(estimator=slow, storage=path).fit(XZ)
    assert len(FITS) == 1  # the refit only
    assert again.cv_results_["params"] == reference.cv_results_["params"]


def test_max_time_stops_starting_jobs():
    search = _search(estimator=Double(delay=0.02), max_time=0.3, n_jobs=2).fit(XZ)
    n = len(search.cv_results_["params"])
    assert 1 <= n < sum(r.n_candidates for b in search.plan_ for r in b.rungs)
    assert sum(search.n_candidates_) == n


# ---------------------------------------------------- what a rung gives more of


class Counter_(ClassifierMixin, BaseEstimator):
    """Scores its number of training samples plus ``a`` (< 1)."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_train_ = len(X)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return float(self.n_train_) + self.a


def test_n_samples_resource_with_two_workers():
    search = HyperbandSearchCV(
        Counter_(), {"a": Real(0, 0.5)}, min_resources=12, cv=3, random_state=0,
        scheduler="async", n_jobs=2,
    ).fit(X, y)  # fmt: skip
    res = search.cv_results_
    expected = np.asarray(res["n_resources"]) * 80 // 120
    np.testing.assert_array_equal(np.floor(res["mean_test_score"]), expected)


class EpochDouble(ClassifierMixin, BaseEstimator):
    """Scores ``-(x0 - 0.3)^2 - 1 / epochs``; ``delay`` s per epoch."""

    def __init__(self, x0=0.5, delay=0.0):
        self.x0 = x0
        self.delay = delay

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "epochs_"):
            self.classes_ = np.asarray(classes)
            self.epochs_ = 0
        time.sleep(self.delay)
        self.epochs_ += 1
        return self

    def fit(self, X, y):  # pragma: no cover - the search must not call it
        raise AssertionError("fit called instead of partial_fit")

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -((self.x0 - 0.3) ** 2) - 1.0 / self.epochs_


@pytest.mark.parametrize("warm_start", [False, "auto"])
def test_partial_fit_epochs_are_each_jobs_own_with_two_workers(
    warm_start, monkeypatch, tmp_path
):
    # Jobs of different rungs run at once: each must train its own epochs.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    search = HyperbandSearchCV(
        EpochDouble(delay=0.002), {"x0": Real(0, 1)}, resource="partial_fit",
        min_resources=1, max_resources=9, cv=3, random_state=0, n_jobs=2,
        scheduler="async", warm_start=warm_start,
    ).fit(X, y)  # fmt: skip
    res = search.cv_results_
    assert len(set(res["iter"])) == 3
    for params, r, score in zip(res["params"], res["n_resources"],
                                res["mean_test_score"]):  # fmt: skip
        assert score == pytest.approx(-((params["x0"] - 0.3) ** 2) - 1 / r)
    assert search.best_estimator_.epochs_ == 9
    assert list(tmp_path.iterdir()) == []  # the model store is removed


class Growing(RegressorMixin, BaseEstimator):
    """Grows ``units_`` to ``n_estimators`` with ``warm_start`` (in total, as
    forests do); scores ``-(x0 - 0.3)^2 - 1 / units_``, and ``grown_`` is
    what the last fit trained."""

    def __init__(self, x0=0.5, n_estimators=1, warm_start=False, delay=0.0):
        self.x0 = x0
        self.n_estimators = n_estimators
        self.warm_start = warm_start
        self.delay = delay

    def fit(self, X, y=None):
        before = getattr(self, "units_", 0) if self.warm_start else 0
        assert before <= self.n_estimators
        time.sleep(self.delay * (self.n_estimators - before))
        self.units_ = self.n_estimators
        self.n_features_in_ = 1
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x0 - 0.3) ** 2) - 1.0 / self.units_


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_warm_start_continues_promoted_candidates(n_jobs, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    space = {"x0": Real(0, 1)}
    kw = dict(
        resource="n_estimators", min_resources=1, max_resources=9, cv=KFold(2),
        random_state=0, scheduler="async", n_jobs=n_jobs,
    )  # fmt: skip
    cold = HyperbandSearchCV(Growing(), space, warm_start=False, **kw).fit(XZ)
    warm = HyperbandSearchCV(Growing(), space, warm_start="auto", **kw).fit(XZ)
    res = warm.cv_results_
    for params, score in zip(res["params"], res["mean_test_score"]):
        expected = -((params["x0"] - 0.3) ** 2) - 1.0 / params["n_estimators"]
        assert score == pytest.approx(expected)
    if n_jobs == 1:
        assert _rows(warm) == _rows(cold)
    assert list(tmp_path.iterdir()) == []


def test_warm_start_trains_only_the_missing_units():
    trained = []

    class Counting(Growing):
        def fit(self, X, y=None):
            before = getattr(self, "units_", 0) if self.warm_start else 0
            trained.append(self.n_estimators - before)
            return super().fit(X, y)

    search = HyperbandSearchCV(
        Counting(), {"x0": Real(0, 1)}, resource="n_estimators", min_resources=1,
        max_resources=9, cv=KFold(2), random_state=0, scheduler="async",
        refit=False,
    ).fit(XZ)  # fmt: skip
    n_units = sum(
        r.n_candidates * (r.n_resources - (b.rungs[k - 1].n_resources if k else 0))
        for b in search.brackets_ for k, r in enumerate(b.rungs)
    )  # fmt: skip
    assert sum(trained) == n_units * 2  # two folds


def test_integer_spaces_and_a_finite_space_smaller_than_a_bracket():
    space = {"x0": [0.1, 0.3, 0.7], "x1": Integer(0, 1)}
    search = HyperbandSearchCV(
        Double(), space, resource="budget", min_resources=1, max_resources=9,
        cv=KFold(2), random_state=0, scheduler="async",
    )  # fmt: skip
    with pytest.warns(UserWarning, match="distinct"):
        search.fit(XZ)
    assert _per_rung(search) == _planned(search.brackets_)
    assert search.best_params_["x0"] == 0.3
