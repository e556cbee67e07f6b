"""Sliding-window evaluation of the model-based searches (``n_points > 1``)."""

import glob
import os
import signal
import subprocess
import sys
import textwrap
import time

import joblib
import numpy as np
import pytest
import sklearn
from joblib import parallel_backend
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

import sklearn_hpo.search._sliding as sliding
from sklearn_hpo import BayesSearchCV, Categorical, Real, TPESearchCV
from sklearn_hpo.search._results import _sorted_rows

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
# The concurrent path needs joblib >= 1.3 (joblib.parallel_config).
THREADS = hasattr(joblib, "parallel_config")
PARALLEL_PATH = "_run_threads" if THREADS else "_run_window_rounds"


class Probe(ClassifierMixin, BaseEstimator):
    """Scores ``-(a - 0.3)^2``; sleeps 0.5 s in fit when ``a`` is above
    ``slow_above``; fails when
    ``a`` is above ``fail_above``; scores 1 when scikit-learn's
    ``assume_finite`` is on (to see the configuration reach the fits)."""

    def __init__(self, a=0.5, slow_above=2.0, fail_above=2.0, config_probe=False):
        self.a = a
        self.slow_above = slow_above
        self.fail_above = fail_above
        self.config_probe = config_probe

    def fit(self, X, y):
        if self.a > self.fail_above:
            raise ValueError("a too large")
        if self.a > self.slow_above:
            time.sleep(0.5)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        if self.config_probe:
            return float(sklearn.get_config()["assume_finite"])
        return -((self.a - 0.3) ** 2)


def _score(estimator, X, y):
    return estimator.score(X, y)


SPACE = {"a": Real(0, 1)}
SEARCHES = {
    "gp": lambda **kw: BayesSearchCV(Probe(), SPACE, n_initial_points=3, **kw),
    "tpe": lambda **kw: TPESearchCV(Probe(), SPACE, n_initial_points=3, **kw),
}


@pytest.fixture(params=sorted(SEARCHES))
def make(request):
    return SEARCHES[request.param]


@pytest.fixture
def paths(monkeypatch):
    """Records which evaluation path each fit took."""
    taken = []
    for name in ("_run_threads", "_run_window_rounds"):
        original = getattr(sliding, name)

        def spy(*args, _original=original, _name=name):
            taken.append(_name)
            return _original(*args)

        monkeypatch.setattr(sliding, name, spy)
    return taken


def test_same_results_whatever_n_jobs(make, paths):
    kw = dict(n_iter=10, n_points=3, cv=2, random_state=0, return_train_score=True,
              scoring={"s": _score, "acc": "accuracy"}, refit="s")
    a = make(n_jobs=1, **kw).fit(X, y)
    b = make(n_jobs=2, **kw).fit(X, y)
    assert paths == ["_run_window_rounds", PARALLEL_PATH]
    assert a.cv_results_.keys() == b.cv_results_.keys()
    for key in a.cv_results_:
        if not key.endswith("_time"):
            assert list(a.cv_results_[key]) == list(b.cv_results_[key]), key
    assert list(a.cv_results_["round"]) == list(range(10))
    assert a.best_params_ == b.best_params_
    assert a.optimizer_.n_observations == b.optimizer_.n_observations == 10


def test_initial_points_come_first(make):
    initial = [{"a": 0.9}, {"a": 0.1}]
    search = make(n_iter=6, n_points=2, cv=2, n_jobs=2, random_state=0,
                  initial_points=initial).fit(X, y)
    assert search.cv_results_["params"][:2] == initial


def test_rows_in_candidate_order_when_finishing_out_of_order(make):
    # The first candidate sleeps: the next ones finish (and are appended by
    # scikit-learn) before it; cv_results_ still lists them in ask order.
    initial = [{"a": 0.8}, {"a": 0.2}, {"a": 0.4}]
    search = make(n_iter=5, n_points=3, cv=2, n_jobs=2, random_state=0,
                  initial_points=initial)
    search.set_params(estimator=Probe(slow_above=0.7)).fit(X, y)
    res = search.cv_results_
    assert list(res["round"]) == list(range(5))
    assert res["params"][:3] == initial
    assert res["mean_test_score"][0] == pytest.approx(-0.25)
    assert res["mean_test_score"][1] == pytest.approx(-0.01)
    assert search.best_score_ == np.max(res["mean_test_score"])


def test_failed_candidates_become_error_score(make):
    search = make(n_iter=8, n_points=2, cv=2, n_jobs=2, random_state=0,
                  initial_points=[{"a": 0.95}])
    search.set_params(estimator=Probe(fail_above=0.9))
    with pytest.warns(Warning, match="fits failed|non-finite"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0])
    assert np.isfinite(scores[1:]).all()


def test_all_fits_failing_raises_once_at_the_end(make):
    search = make(n_iter=4, n_points=2, cv=2, n_jobs=2, random_state=0)
    search.set_params(estimator=Probe(fail_above=-1.0))
    with pytest.raises(ValueError, match="All the 8 fits failed"):
        search.fit(X, y)


def test_error_score_raise_raises_the_fits_error(make, paths):
    search = make(n_iter=4, n_points=2, cv=2, n_jobs=2, random_state=0,
                  error_score="raise")
    search.set_params(estimator=Probe(fail_above=-1.0))
    with pytest.raises(ValueError, match="a too large"):
        search.fit(X, y)
    assert paths == ["_run_window_rounds"]


def test_user_backend_gives_synchronous_rounds_and_same_results(make, paths):
    kw = dict(n_iter=6, n_points=2, cv=2, random_state=0)
    a = make(n_jobs=2, **kw).fit(X, y)
    with parallel_backend("threading", n_jobs=2):
        b = make(n_jobs=2, **kw).fit(X, y)
    with parallel_backend("loky", n_jobs=2):  # the default backend, set by hand
        c = make(n_jobs=2, **kw).fit(X, y)
    assert paths == [PARALLEL_PATH, "_run_window_rounds", "_run_window_rounds"]
    assert a.cv_results_["params"] == c.cv_results_["params"]
    assert a.cv_results_["params"] == b.cv_results_["params"]


def test_scikit_learn_configuration_reaches_the_fits(make):
    search = make(n_iter=4, n_points=2, cv=2, n_jobs=2, random_state=0)
    search.set_params(estimator=Probe(config_probe=True))
    with sklearn.config_context(assume_finite=True):
        search.fit(X, y)
    assert (search.cv_results_["mean_test_score"] == 1.0).all()


def test_n_points_one_keeps_the_plain_loop(make, paths):
    make(n_iter=3, n_points=1, cv=2, n_jobs=2, random_state=0).fit(X, y)
    assert paths == []


def test_sorted_rows_reorders_candidates_with_their_splits():
    params = [{"a": 2}, {"a": 0}, {"a": 1}]
    out = ["2a", "2b", "0a", "0b", "1a", "1b"]
    more = {"round": [2, 0, 1], "extra": ["x2", "x0", "x1"]}
    p, n, o, m = _sorted_rows((params, 2, out, more), "round")
    assert p == [{"a": 0}, {"a": 1}, {"a": 2}]
    assert n == 2
    assert o == ["0a", "0b", "1a", "1b", "2a", "2b"]
    assert m == {"round": [0, 1, 2], "extra": ["x0", "x1", "x2"]}
    same = (params[1:], 2, out[2:], {"round": [0, 1]})
    assert _sorted_rows(same, "round") is same


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_initial_points_out_are_not_proposed_again(make, seed, n_jobs):
    search = make(n_iter=4, n_points=3, cv=2, n_jobs=n_jobs, random_state=seed,
                  initial_points=[{"a": 0.1}])
    search.set_params(search_spaces={"a": Categorical([0.1, 0.3, 0.5, 0.7])})
    search.fit(X, y)
    values = [p["a"] for p in search.cv_results_["params"]]
    assert values[0] == 0.1
    assert sorted(values) == [0.1, 0.3, 0.5, 0.7]


def _bad_above(estimator, X, y):
    return "bad" if estimator.a > 0.6 else 1.0


def test_the_first_error_surfaces(make):
    # A scorer returning a string is an error even with error_score=nan; the
    # search must raise it, not an error about the aborted worker pool.
    search = make(n_iter=6, n_points=3, cv=2, n_jobs=2, random_state=0,
                  scoring=_bad_above,
                  initial_points=[{"a": 0.2}, {"a": 0.9}, {"a": 0.3}])
    with pytest.raises(ValueError, match="must return a number|bad"):
        search.fit(X, y)


class Marking(ClassifierMixin, BaseEstimator):
    """Writes ``start-<pid>`` in ``marks``, sleeps ``delay`` s, writes ``end-<pid>``."""

    def __init__(self, a=0.5, delay=4.0, marks=None):
        self.a = a
        self.delay = delay
        self.marks = marks

    def fit(self, X, y):
        stamp = f"{os.getpid()}-{time.monotonic_ns()}"
        open(os.path.join(self.marks, f"start-{stamp}"), "w").close()
        time.sleep(self.delay)
        open(os.path.join(self.marks, f"end-{stamp}"), "w").close()
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -((self.a - 0.3) ** 2)


# Ctrl-C in a process that goes on afterwards (a notebook's kernel): it
# reports the marks at the interrupt and once the running fits would have
# ended.
INTERRUPTED_CHILD = textwrap.dedent(
    """
    import contextlib, glob, os, sys, time, warnings
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    warnings.simplefilter("ignore")
    import joblib
    from test_sliding import Marking, TPESearchCV, SPACE, X, y
    marks, delay, backend = {marks!r}, {delay!r}, {backend!r}
    search = TPESearchCV(
        Marking(delay=delay, marks=marks), SPACE, n_iter=8, n_points=2, cv=2,
        n_jobs=2, random_state=0,
    )
    config = (
        contextlib.nullcontext() if backend is None
        else joblib.parallel_config(backend=backend)
    )
    try:
        with config:
            search.fit(X, y)
    except KeyboardInterrupt:
        def count(kind):
            return len(glob.glob(os.path.join(marks, kind + "-*")))
        print("AT_INTERRUPT", count("start"), count("end"), flush=True)
        time.sleep(delay + 1.0)
        print("LATER", count("start"), count("end"), flush=True)
        raise SystemExit(3)
    print("DONE", flush=True)
    """
)


def _ctrl_c_restored():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_a_running_search(tmp_path, backend=None, delay=4.0):
    """SIGINT a child's search once a fit has started; its report lines."""
    marks = str(tmp_path)
    script = INTERRUPTED_CHILD.format(
        root=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        tests=os.path.dirname(os.path.abspath(__file__)),
        marks=marks,
        delay=delay,
        backend=backend,
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell that started the tests in the background may have left
        # SIGINT ignored, which the child would inherit: Ctrl-C restored.
        preexec_fn=_ctrl_c_restored,
    )
    start = time.monotonic()
    while not glob.glob(os.path.join(marks, "start-*")):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() - start < 120, "no fit started"
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    # A hang guard, not a timing assertion: the child must end by itself.
    out, err = child.communicate(timeout=120)
    assert child.returncode == 3, err
    words = [line.split() for line in out.splitlines()]
    return {w[0]: [int(n) for n in w[1:]] for w in words}


@pytest.mark.skipif(not THREADS, reason="the concurrent path needs joblib >= 1.3")
def test_ctrl_c_ends_the_fits_of_every_candidate_out(tmp_path):
    # With n_jobs > 1 each candidate out waits in a thread of its own for
    # fits in joblib's worker processes; only the main thread sees the
    # KeyboardInterrupt. Control comes back before any running fit could
    # end, and none ends afterwards: the workers were ended. (A fit already
    # handed to a worker may still write its start mark while the workers
    # are ended, so only the fits that end are counted afterwards.)
    lines = _interrupt_a_running_search(tmp_path)
    n_started, n_ended = lines["AT_INTERRUPT"]
    assert n_started >= 1
    assert n_ended == 0
    assert lines["LATER"][1] == 0


@pytest.mark.slow
def test_ctrl_c_with_the_threading_backend(tmp_path):
    # joblib's threading backend: the candidates out are evaluated in
    # synchronous rounds from the main thread, which joblib interrupts at
    # once. A thread cannot be ended: its running fit finishes in the
    # background, and no other fit starts.
    lines = _interrupt_a_running_search(tmp_path, backend="threading")
    n_started, n_ended = lines["AT_INTERRUPT"]
    assert n_ended == 0
    assert lines["LATER"] == [n_started, n_started]
