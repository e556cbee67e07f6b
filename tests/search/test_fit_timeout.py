"""fit_timeout: a fit that runs past it is stopped and scored as failed.

The slow candidates of these tests sleep 30 s under ``fit_timeout=1``: a
search that waited for them would take minutes, and their scores would not be
``error_score``.
"""

import os
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import FitFailedWarning

from sklearn_hpo import (
    BayesSearchCV,
    FitTimeoutError,
    HyperbandSearchCV,
    Real,
    TPESearchCV,
    load_results,
)
from sklearn_hpo.search import _timeout
from sklearn_hpo.utils._testing import SleepDouble

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.arange(20, dtype=float)
SLOW = 30.0
ERROR = -1000.0
SPACE = {"sleep": [0.0, SLOW], "a": [0.0, 1.0, 2.0, 3.0]}
POINTS = [
    {"sleep": SLOW, "a": 0.0},
    {"sleep": 0.0, "a": 1.0},
    {"sleep": 0.0, "a": 2.0},
]


def _bayes(pid_dir, **params):
    """A search of the three candidates of POINTS (the first one hangs)."""
    params = {
        "n_iter": 3, "initial_points": POINTS, "cv": 2, "fit_timeout": 1,
        "error_score": ERROR, "random_state": 0, **params,
    }  # fmt: skip
    return BayesSearchCV(SleepDouble(pid_dir=str(pid_dir)), SPACE, **params)


def _fit_pids(pid_dir):
    """The processes that fitted, and the sleeps of their fits."""
    out = {}
    for name in os.listdir(pid_dir):
        with open(os.path.join(pid_dir, name)) as f:
            out[int(name)] = [float(line) for line in f.read().split()]
    return out


def _alive(pid):
    """Whether ``pid`` runs (a zombie, ended but not reaped, counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_slow_stopped(search, pid_dir, caught):
    params = search.cv_results_["params"]
    scores = search.cv_results_["mean_test_score"]
    slow = [p["sleep"] == SLOW for p in params]
    assert any(slow) and not all(slow)
    for is_slow, score, p in zip(slow, scores, params):
        assert score == (ERROR if is_slow else -p["a"])
    texts = [str(w.message) for w in caught if w.category is FitFailedWarning]
    assert len(texts) == 1
    assert "FitTimeoutError: fit exceeded fit_timeout=1 s" in texts[0]
    assert "'sleep': 30.0" in texts[0]
    # Every slow fit ran in a process of its own, which no longer runs.
    slow_pids = [pid for pid, sleeps in _fit_pids(pid_dir).items() if SLOW in sleeps]
    assert len(slow_pids) == 2 * sum(slow)  # cv=2
    assert os.getpid() not in slow_pids
    assert not any(_alive(pid) for pid in slow_pids)


@pytest.mark.parametrize(
    "n_jobs, backend",
    [(1, None), (2, "loky"), (2, "threading")],
    ids=["n_jobs=1", "loky", "threading"],
)
def test_fit_timeout_stops_slow_fits(tmp_path, n_jobs, backend):
    search = _bayes(tmp_path, n_jobs=n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if backend is None:
            search.fit(X, y)
        else:
            with joblib.parallel_backend(backend, n_jobs=n_jobs):
                search.fit(X, y)
    _assert_slow_stopped(search, tmp_path, caught)
    assert search.best_params_ == {"sleep": 0.0, "a": 1.0}


def test_fit_timeout_sliding_window(tmp_path):
    """TPE with n_points=2 and n_jobs=2 evaluates from threads of its own."""
    search = TPESearchCV(
        SleepDouble(pid_dir=str(tmp_path)), SPACE, n_iter=3, n_points=2,
        initial_points=POINTS, cv=2, fit_timeout=1, error_score=ERROR, n_jobs=2,
        random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    _assert_slow_stopped(search, tmp_path, caught)


def test_fit_timeout_hyperband(tmp_path):
    search = HyperbandSearchCV(
        SleepDouble(pid_dir=str(tmp_path)), SPACE, resource="units",
        max_resources=3, factor=3, cv=2, fit_timeout=1, error_score=ERROR,
        random_state=1,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    _assert_slow_stopped(search, tmp_path, caught)
    assert search.best_params_["sleep"] == 0.0


@pytest.mark.slow
def test_fit_timeout_dask(tmp_path):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        search = _bayes(tmp_path, n_jobs=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with joblib.parallel_backend("dask"):
                search.fit(X, y)
        worker_pids = set(client.run(os.getpid).values())
    _assert_slow_stopped(search, tmp_path, caught)
    assert not worker_pids & set(_fit_pids(tmp_path))  # fitted in their children


class ContinuingDouble(RegressorMixin, BaseEstimator):
    """Scores 1 more when its fit continued a model (warm start)."""

    def __init__(self, a=0.0, n_estimators=1, warm_start=False):
        self.a = a
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X, y=None):
        self.continued_ = bool(self.warm_start and hasattr(self, "fitted_"))
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return float(self.continued_) - self.a


def test_fit_timeout_hyperband_warm_start():
    """The models a fit's child keeps for the next rung reach the next fits."""
    scores = {}
    for fit_timeout in (None, 30):
        search = HyperbandSearchCV(
            ContinuingDouble(), {"a": Real(0.0, 0.5)},
            resource="n_estimators", max_resources=3, factor=3, cv=2,
            warm_start="auto", fit_timeout=fit_timeout, random_state=0,
        )  # fmt: skip
        search.fit(X, y)
        scores[fit_timeout] = search.cv_results_["mean_test_score"]
    assert (scores[None] > 0.5).any()  # continued
    np.testing.assert_array_equal(scores[30], scores[None])


def test_fit_timeout_error_score_raise(tmp_path):
    search = _bayes(tmp_path, error_score="raise")
    with pytest.raises(FitTimeoutError, match=r"fit_timeout=1 s .*'sleep': 30.0"):
        search.fit(X, y)


def test_no_fit_timeout_fits_in_process(tmp_path):
    """fit_timeout=None (the default) starts no process: fits run here."""
    search = BayesSearchCV(
        SleepDouble(pid_dir=str(tmp_path)), {"a": [0.0, 1.0]}, n_iter=2, cv=2,
        random_state=0,
    )  # fmt: skip
    search.fit(X, y)
    assert set(_fit_pids(tmp_path)) == {os.getpid()}


def test_fit_timeout_fits_in_children(tmp_path):
    search = BayesSearchCV(
        SleepDouble(pid_dir=str(tmp_path)), {"a": [0.0, 1.0]}, n_iter=2, cv=2,
        fit_timeout=10, random_state=0,
    )  # fmt: skip
    search.fit(X, y)
    pids = _fit_pids(tmp_path)
    # A process per fit; the refit of the best candidate is not timed.
    assert pids.pop(os.getpid()) == [0.0]
    assert len(pids) == 4
    assert list(search.cv_results_["mean_test_score"]) in ([0.0, -1.0], [-1.0, 0.0])


@pytest.mark.parametrize("value", [0, -1.0, "2", [1], float("nan")])
def test_fit_timeout_validation(tmp_path, value):
    search = _bayes(tmp_path, fit_timeout=value)
    with pytest.raises(ValueError, match="'fit_timeout' parameter") as error:
        search.fit(X, y)
    assert f"Got {value!r} instead" in str(error.value)
    assert not os.listdir(tmp_path)  # before any fit


def test_fit_timeout_warnings_and_errors_of_the_child(tmp_path):
    """The child's warnings reach the caller; its errors are raised there."""
    search = BayesSearchCV(
        SleepDouble(action="warn"), {"a": [0.0]}, n_iter=1, cv=2, fit_timeout=10
    )
    with pytest.warns(UserWarning, match="SleepDouble fit with a=0.0"):
        search.fit(X, y)
    search = BayesSearchCV(
        SleepDouble(action="raise"), {"a": [0.0]}, n_iter=1, cv=2, fit_timeout=10,
        error_score="raise",
    )  # fmt: skip
    with pytest.raises(ValueError, match="SleepDouble failed with a=0.0"):
        search.fit(X, y)


def test_fit_timeout_child_that_dies(tmp_path):
    """A fit whose process is killed is a failed fit, not a dead search."""
    search = BayesSearchCV(
        SleepDouble(), {"action": ["die", "none"]}, n_iter=2, cv=2, fit_timeout=10,
        initial_points=[{"action": "die"}, {"action": "none"}], error_score=ERROR,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning, match="ChildProcessError.*SIGKILL"):
        search.fit(X, y)
    assert list(search.cv_results_["mean_test_score"]) == [ERROR, 0.0]


def test_fit_timeout_without_fork_abandons(tmp_path, monkeypatch):
    """Where os.fork is missing, the search stops waiting and says so."""
    monkeypatch.delattr(os, "fork")
    search = BayesSearchCV(
        SleepDouble(), {"sleep": [0.0, 3.0]}, n_iter=2, cv=2, fit_timeout=0.5,
        initial_points=[{"sleep": 3.0}, {"sleep": 0.0}], error_score=ERROR,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning, match="abandoned"):
        search.fit(X, y)
    assert list(search.cv_results_["mean_test_score"]) == [ERROR, 0.0]


def test_fit_timeout_journal(tmp_path):
    """A stopped fit is a failed candidate of the journal; a resume (even
    without fit_timeout) replays it instead of fitting it again."""
    storage = str(tmp_path / "journal.db")
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    with pytest.warns(FitFailedWarning):
        first = _bayes(pid_dir, storage=storage).fit(X, y)
    rows = load_results(storage)
    assert list(rows["status"]) == ["failed", "ok", "ok"]
    assert "FitTimeoutError: fit exceeded fit_timeout=1 s" in rows["error"][0]
    n_fits = sum(len(v) for v in _fit_pids(pid_dir).values())
    with pytest.warns(FitFailedWarning, match="FitTimeoutError"):
        again = _bayes(pid_dir, storage=storage, fit_timeout=None).fit(X, y)
    assert sum(len(v) for v in _fit_pids(pid_dir).values()) == n_fits + 1  # refit
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_score"], first.cv_results_["mean_test_score"]
    )


def test_limit_fit_time_none_is_identity():
    tasks = iter([])
    assert _timeout.limit_fit_time(tasks, None) is tasks


def test_fit_timeout_callbacks():
    """scikit-learn's callbacks (>= 1.9) hear from the fits' child processes
    as from process-based workers: the same hooks as without fit_timeout."""
    sk_tests = pytest.importorskip("sklearn.model_selection.tests.test_search")
    callback_utils = pytest.importorskip("sklearn.callback.tests._utils")
    records = {}
    for fit_timeout in (None, 10):
        callback = callback_utils.RecordingCallback()
        search = BayesSearchCV(
            callback_utils.MaxIterEstimator(), {"max_iter": [1, 2, 3]}, n_iter=3,
            cv=2, scoring="r2", random_state=42, fit_timeout=fit_timeout,
        )  # fmt: skip
        search.set_callbacks(callback).fit(sk_tests.X, sk_tests.y)
        records[fit_timeout] = sorted(
            (entry["name"], entry["context"].task_name) for entry in callback.record
        )
    assert len(records[None]) > 8
    assert records[10] == records[None]
    search.set_params(fit_timeout=10)
    sk_tests.test_search_callbacks_propagation(search, refit=True)


def test_fit_timeout_after_openmp_in_the_parent():
    """GNU OpenMP hangs in a forked child of a process that used its threads:
    the children use one OpenMP thread."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    Xc, yc = make_classification(200, 5, random_state=0)
    with threadpoolctl.threadpool_limits(2, user_api="openmp"):
        HistGradientBoostingClassifier(max_iter=5).fit(Xc, yc)
        search = BayesSearchCV(
            HistGradientBoostingClassifier(max_iter=5),
            {"learning_rate": [0.1, 0.2]}, n_iter=2, cv=2, fit_timeout=20,
        )  # fmt: skip
        search.fit(Xc, yc)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def _sleep_after_touch(path, seconds):
    open(path, "w").close()
    __import__("time").sleep(seconds)


def test_fit_timeout_child_forked_by_another_thread(tmp_path, monkeypatch):
    # A child that another thread forks while this thread's pipe is open
    # inherits its write end: a fast fit must not wait for that child (a
    # hanging fit) to end, and be reported as timed out.
    import threading

    started = tmp_path / "started"
    main = threading.current_thread()
    outcomes = {}

    def other():
        outcomes["other"] = _timeout._run_forked(
            _sleep_after_touch, (str(started), SLOW), {}, 4.0
        )

    thread = threading.Thread(target=other)

    def openmp_libraries():
        # Called between this thread's os.pipe() and its os.fork().
        if threading.current_thread() is main:
            thread.start()
            for _ in range(1000):
                if started.exists():
                    break
                __import__("time").sleep(0.01)
        return None

    monkeypatch.setattr(_timeout, "_openmp_libraries", openmp_libraries)
    outcome = _timeout._run_forked(lambda: 42, (), {}, 2.0)
    thread.join()
    assert outcome == ("ok", 42, [])
    assert outcomes["other"][0] == "timeout"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="Linux only")
def test_fit_timeout_fork_failure_closes_the_pipe(monkeypatch):
    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(_timeout.os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        with pytest.raises(BlockingIOError):
            _timeout._run_forked(lambda: 42, (), {}, 1.0)
    assert len(os.listdir("/proc/self/fd")) == before
