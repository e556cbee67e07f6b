"""Searches on a dask cluster through joblib's dask backend (search/_dispatch.py).

An in-process ``LocalCluster`` of two worker processes (one thread each) runs
the searches; a worker process is killed (SIGKILL) after a chosen number of
completed fits, and the search must finish with the results of an undisturbed
run: the lost fits are rerun, not scored as failures.
"""

import os
import signal
import sys
import threading
import time
import uuid
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

import sklearn_hpo
from sklearn_hpo.space import Real

distributed = pytest.importorskip("distributed")
pytest.importorskip("joblib._dask")
pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL of a worker process"
)

N_FOLDS = 2


class SleepyDouble(RegressorMixin, BaseEstimator):
    """Scores ``-(a - 0.3)^2 - 1 / units``; each fit sleeps and leaves a mark.

    Parameters
    ----------
    a : float, default=0.5
        The continuous parameter; the best is 0.3.
    units : int, default=1
        A resource for Hyperband (more is better).
    seconds : float, default=0.05
        How long ``fit`` sleeps, so that a kill lands mid-search; a negative
        value kills the process that fits.
    marks : str or None, default=None
        A folder where each completed fit creates a file.
    """

    def __init__(self, a=0.5, units=1, seconds=0.05, marks=None):
        self.a = a
        self.units = units
        self.seconds = seconds
        self.marks = marks

    def fit(self, X, y=None):
        if self.seconds < 0:  # a fit that kills its process (a crash, OOM)
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.seconds)
        if self.marks is not None:
            open(os.path.join(self.marks, uuid.uuid4().hex), "w").close()
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) - 1.0 / self.units


def _search(name, marks=None, n_jobs=-1):
    estimator = SleepyDouble(marks=marks)
    space = {"a": Real(0.0, 1.0)}
    common = dict(cv=N_FOLDS, n_jobs=n_jobs, random_state=0, refit=False)
    if name == "BayesSearchCV":
        return sklearn_hpo.BayesSearchCV(
            estimator, space, n_iter=10, n_initial_points=4, n_points=2, **common
        )
    if name == "TPESearchCV":
        return sklearn_hpo.TPESearchCV(
            estimator, space, n_iter=12, n_initial_points=4, n_points=2, **common
        )
    # scheduler="auto" is "sync" on dask (a backend the user chose) but
    # "async" on loky with n_jobs=-1: the comparison needs one scheduler.
    return sklearn_hpo.HyperbandSearchCV(
        estimator, space, resource="units", min_resources=1, max_resources=9,
        factor=3, scheduler="sync", **common,
    )  # fmt: skip


SEARCHES = ["BayesSearchCV", "TPESearchCV", "HyperbandSearchCV"]
_X = np.random.default_rng(0).normal(size=(400, 3))
_Y = _X[:, 0]


def _summary(search):
    results = search.cv_results_
    return (
        [repr(sorted(p.items())) for p in results["params"]],
        np.asarray(results["mean_test_score"]).tolist(),
        np.asarray(results["rank_test_score"]).tolist(),
    )


class _Cluster:
    """A LocalCluster and its client, made again when a worker is gone."""

    def __init__(self):
        self.cluster = self.client = None
        self.start()

    def start(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.cluster = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=50,
            )  # fmt: skip
            self.client = distributed.Client(self.cluster)

    def close(self):
        self.client.close()
        self.cluster.close()

    def ready(self, timeout=20):
        """Two running workers (a killed one is restarted by its nanny; a
        nanny whose new worker did not start in time closes: start anew)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.client.scheduler_info()["workers"]) >= 2 and all(
                str(nanny.status) == "Status.running"
                for nanny in self.cluster.workers.values()
            ):
                return self.client
            time.sleep(0.05)
        self.close()
        self.start()
        return self.client


@pytest.fixture(scope="module")
def cluster():
    cluster = _Cluster()
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def client(cluster):
    return cluster.ready()


@pytest.fixture(scope="module")
def loky_results():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = _summary(_search(name, n_jobs=2).fit(_X, _Y))
        return cache[name]

    return get


def _kill_after(client, marks, n_fits, victim):
    """SIGKILL one worker process once ``n_fits`` fits have completed."""
    pids = sorted(client.run(os.getpid).values())
    done, killed = threading.Event(), threading.Event()

    def watch():
        while not done.is_set():
            if len(os.listdir(marks)) >= n_fits:
                os.kill(pids[victim % len(pids)], signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.005)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return done, killed, thread


@pytest.mark.parametrize("name", SEARCHES)
def test_same_results_as_loky(client, loky_results, name):
    with joblib.parallel_backend("dask"):
        search = _search(name).fit(_X, _Y)
    assert _summary(search) == loky_results(name)


def _run_with_kill(client, tmp_path, name, n_fits, victim):
    marks = tmp_path / f"marks-{name}-{n_fits}"
    marks.mkdir()
    done, killed, thread = _kill_after(client, str(marks), n_fits, victim)
    try:
        search = _fit_or_fail(_search(name, marks=str(marks)))
    finally:
        done.set()
        thread.join()
    # The kill landed mid-search: fits completed after it.
    assert killed.is_set() and len(os.listdir(marks)) > n_fits
    return search


def _fit_or_fail(search, timeout=30):
    """Fit on dask in a thread: a search that hangs fails the test instead."""
    outcome = {}

    def fit():
        try:
            with joblib.parallel_backend("dask"):
                outcome["search"] = search.fit(_X, _Y)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=fit, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the search hung for {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["search"]


# Kill points: after this many completed fits. Bayes and TPE make rounds of 4
# fits (2 candidates, 2 folds; 20 and 24 fits in all), Hyperband 40 fits in
# rungs of 18, 6, 2, ...: a kill at a round's start (a multiple of 4) hit data
# joblib had just sent to one worker; the others hit fits.
KILLS = {
    "BayesSearchCV": [4, 1, 2, 5, 8, 9, 12, 13, 16, 17],
    "TPESearchCV": [8, 1, 2, 4, 5, 9, 12, 13, 16, 20],
    "HyperbandSearchCV": [12, 2, 4, 8, 18, 19, 24, 25, 30, 36],
}


@pytest.mark.parametrize(
    "name, n_fits", [(name, kills[0]) for name, kills in KILLS.items()]
)
def test_search_survives_a_dead_worker(client, loky_results, tmp_path, name, n_fits):
    search = _run_with_kill(client, tmp_path, name, n_fits, victim=n_fits)
    assert _summary(search) == loky_results(name)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, n_fits", [(name, n) for name, kills in KILLS.items() for n in kills[1:]]
)
def test_search_survives_a_dead_worker_at_many_times(
    client, loky_results, tmp_path, name, n_fits
):
    search = _run_with_kill(client, tmp_path, name, n_fits, victim=n_fits)
    assert _summary(search) == loky_results(name)


def _set_allowed_failures(dask_scheduler, n):
    old, dask_scheduler.allowed_failures = dask_scheduler.allowed_failures, n
    return old


def test_a_fit_that_kills_its_workers_raises(client):
    # dask runs a task whose worker died on another one, up to
    # ``allowed-failures`` times; then it raises KilledWorker, and so must
    # the search (not wait for ever). One try here, to keep it short.
    search = _search("BayesSearchCV")
    search.set_params(estimator__seconds=-1.0, n_iter=2, n_initial_points=2)
    old = client.run_on_scheduler(_set_allowed_failures, n=0)
    try:
        with pytest.raises(distributed.KilledWorker):
            _fit_or_fail(search)
    finally:
        client.run_on_scheduler(_set_allowed_failures, n=old)
