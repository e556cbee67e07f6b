"""Long searches: a journal (storage), resume, max_time, Ctrl-C, another reader.

The processes here are real: a search killed with SIGKILL or interrupted with
SIGINT runs in a child Python process; the journal is a real SQLite file.
"""

import inspect
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import sklearn_hpo
from sklearn_hpo import (
    BayesSearchCV,
    CoarseToFineSearchCV,
    EvolutionarySearchCV,
    HyperbandSearchCV,
    Integer,
    Real,
    TPESearchCV,
    load_results,
)
from sklearn_hpo.journal import FingerprintMismatchError, JournalError

X, y = make_classification(n_samples=120, n_features=5, random_state=0)
SPACE = {"C": Real(1e-3, 1e3, log=True), "tol": Real(1e-5, 1e-1, log=True)}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Sleepy(ClassifierMixin, BaseEstimator):
    """Scores ``-(a - 0.3)^2 - (b - 2)^2 / 100``; each fit sleeps ``delay`` s."""

    def __init__(self, a=0.5, b=1, delay=0.0, n_estimators=1):
        self.a = a
        self.b = b
        self.delay = delay
        self.n_estimators = n_estimators

    def fit(self, X, y):
        time.sleep(self.delay)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        penalty = (self.b - 2) ** 2 / 100
        return -((self.a - 0.3) ** 2) - penalty + self.n_estimators / 1e3


SLEEPY_SPACE = {"a": Real(0, 1), "b": Integer(0, 5)}

# The searches that must resume to the same cv_results_, as built in a child
# process (the code is also run here, for the uninterrupted reference).
SEARCHES = {
    "gp": "BayesSearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=14, n_initial_points=4, "
    "cv=2, random_state=0, storage=PATH)",
    "tpe": "TPESearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=14, n_initial_points=4, "
    "cv=2, random_state=0, storage=PATH)",
    "gp_sliding": "BayesSearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=12, n_points=3, "
    "n_initial_points=4, cv=2, random_state=0, storage=PATH)",
    "coarse_to_fine": "CoarseToFineSearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=14, "
    "cv=2, random_state=0, storage=PATH)",
    "evolutionary": "EvolutionarySearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=14, "
    "population_size=4, cv=2, random_state=0, storage=PATH)",
    "hyperband": "HyperbandSearchCV(Sleepy(delay=D), SLEEPY_SPACE, "
    "resource='n_estimators', max_resources=9, cv=2, random_state=0, "
    "storage=PATH)",
    "hyperband_tpe": "HyperbandSearchCV(Sleepy(delay=D), SLEEPY_SPACE, "
    "resource='n_estimators', max_resources=9, sampler='tpe', "
    "min_points_in_model=2, cv=2, random_state=0, storage=PATH)",
}

CHILD = textwrap.dedent(
    """
    import sys, warnings
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    warnings.simplefilter("ignore")
    warnings.filterwarnings("always", message=".*was interrupted")
    from test_long_searches import *
    D, PATH = {delay!r}, {path!r}
    search = {code}
    try:
        search.fit(X, y)
    except KeyboardInterrupt:
        print("INTERRUPTED", len(search.cv_results_["params"]), flush=True)
        print("BEST", sorted(search.best_params_), flush=True)
        raise SystemExit(3)
    print("DONE", flush=True)
    """
)


def _ctrl_c_restored():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child(code, path, delay):
    script = CHILD.format(
        root=ROOT, tests=os.path.dirname(__file__), delay=delay, path=path, code=code
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell that started the tests in the background may have left
        # SIGINT ignored, which the child would inherit: Ctrl-C restored.
        preexec_fn=_ctrl_c_restored,
    )


def _n_rows(path):
    if not os.path.exists(path):
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(load_results(path)["params"])
    except Exception:  # the file is being created
        return 0


def _wait_for_rows(path, n, child, limit=120.0):
    start = time.monotonic()
    while _n_rows(path) < n:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() - start < limit, "the child made no progress"
        time.sleep(0.05)


def _build(code, path, delay=0.0):
    namespace = {**globals(), "D": delay, "PATH": path}
    return eval(code, namespace)


def _assert_same_results(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key.endswith("_time"):
            continue
        va, vb = a[key], b[key]
        if isinstance(va, np.ma.MaskedArray):
            np.testing.assert_array_equal(va.mask, vb.mask, err_msg=key)
            assert list(va.compressed()) == list(vb.compressed()), key
        else:
            assert list(va) == list(vb), key


@pytest.mark.parametrize("name", sorted(SEARCHES))
def test_killed_and_resumed_search_ends_as_an_uninterrupted_one(name, tmp_path):
    code = SEARCHES[name]
    path = str(tmp_path / "journal.db")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _build(code, None).fit(X, y)
    n_total = len(reference.cv_results_["params"])

    child = _child(code, path, delay=0.02)
    _wait_for_rows(path, n_total // 3, child)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate()
    n_kept = _n_rows(path)
    assert 0 < n_kept < n_total

    resumed = _build(code, path, delay=0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed.fit(X, y)
    _assert_same_results(reference.cv_results_, resumed.cv_results_)
    assert resumed.best_params_ == reference.best_params_
    assert _n_rows(path) == n_total


def test_resume_fits_only_what_the_journal_lacks(tmp_path):
    path = str(tmp_path / "j.db")
    fits = []

    def scorer(estimator, X_test, y_test):
        fits.append(estimator.a)
        if len(fits) == 9:  # in the fifth candidate (2 splits each)
            raise KeyboardInterrupt
        return estimator.score(X_test, y_test)

    def make():
        return BayesSearchCV(
            Sleepy(), SLEEPY_SPACE, n_iter=8, n_initial_points=3, cv=2,
            scoring=scorer, random_state=0, storage=path,
        )  # fmt: skip

    with pytest.warns(UserWarning, match="interrupted after 4 completed"):
        with pytest.raises(KeyboardInterrupt):
            make().fit(X, y)
    fits.clear()
    search = make().fit(X, y)
    # 4 candidates came from the journal; 4 were fitted, plus the refit's
    # score is not a CV fit (refit=True scores nothing).
    assert len(fits) == 4 * 2
    assert len(search.cv_results_["params"]) == 8


def test_interrupt_keeps_completed_candidates_without_storage():
    calls = []

    def scorer(estimator, X_test, y_test):
        calls.append(1)
        if len(calls) > 6:
            raise KeyboardInterrupt
        return estimator.score(X_test, y_test)

    search = TPESearchCV(
        Sleepy(), SLEEPY_SPACE, n_iter=10, cv=2, scoring=scorer, random_state=0
    )
    with pytest.warns(UserWarning, match="give storage="):
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])
    assert not hasattr(search, "best_estimator_")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sigint_keeps_the_completed_candidates(n_jobs, tmp_path):
    path = str(tmp_path / "j.db")
    code = (
        "BayesSearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=40, n_points=2, "
        f"n_initial_points=3, cv=2, n_jobs={n_jobs}, random_state=0, "
        "storage=PATH)"
    )
    child = _child(code, path, delay=0.3)
    _wait_for_rows(path, 3, child)
    child.send_signal(signal.SIGINT)
    # A hang guard, not a timing assertion: the child must end by itself.
    out, err = child.communicate(timeout=60)
    assert child.returncode == 3, err
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    n_kept = int(lines["INTERRUPTED"])
    assert 3 <= n_kept < 40
    assert lines["BEST"] == "['a', 'b']"
    assert "interrupted after" in err
    assert _n_rows(path) >= n_kept


def test_another_process_reads_a_running_search(tmp_path):
    path = str(tmp_path / "j.db")
    code = (
        "TPESearchCV(Sleepy(delay=D), SLEEPY_SPACE, n_iter=30, cv=2, "
        "random_state=0, storage=PATH)"
    )
    child = _child(code, path, delay=0.05)
    _wait_for_rows(path, 3, child)
    partial = load_results(path)
    child.communicate(timeout=120)
    final = load_results(path)
    assert 3 <= len(partial["params"]) < 30
    assert len(final["params"]) == 30
    n = len(partial["params"])
    assert list(final["params"][:n]) == list(partial["params"])
    assert set(final) >= {"mean_test_score", "rank_test_score", "param_a", "round"}
    try:
        import pandas  # noqa: F401
    except ImportError:  # the frame is an option
        return
    frame = load_results(path, as_frame=True)
    assert len(frame) == 30


def test_journal_rows_match_cv_results(tmp_path):
    path = str(tmp_path / "j.db")
    search = HyperbandSearchCV(
        Sleepy(), SLEEPY_SPACE, resource="n_estimators", max_resources=9, cv=2,
        random_state=0, storage=path, return_train_score=True,
    ).fit(X, y)  # fmt: skip
    stored = load_results(path)
    ours = search.cv_results_
    for key in ("mean_test_score", "std_test_score", "mean_train_score",
                "bracket", "iter", "n_resources", "split1_test_score"):
        np.testing.assert_allclose(stored[key], ours[key], err_msg=key)
    assert list(stored["params"]) == list(ours["params"])


def test_a_changed_setting_is_a_clear_error(tmp_path):
    path = str(tmp_path / "j.db")
    BayesSearchCV(
        LogisticRegression(), SPACE, n_iter=3, cv=2, random_state=0, storage=path
    ).fit(X, y)
    changed = BayesSearchCV(
        LogisticRegression(), SPACE, n_iter=3, cv=2, random_state=0, storage=path
    )
    with pytest.raises(FingerprintMismatchError, match="data"):
        changed.fit(X[:100], y[:100])
    other_space = changed.set_params(search_spaces={"C": Real(1, 2)})
    with pytest.raises(FingerprintMismatchError, match="space"):
        other_space.fit(X, y)
    # Another study name in the same file starts afresh.
    named = BayesSearchCV(
        LogisticRegression(), {"C": Real(1, 2)}, n_iter=3, cv=2, random_state=0,
        storage=path + "?study=narrow",
    ).fit(X, y)  # fmt: skip
    assert len(named.cv_results_["params"]) == 3


def test_a_file_that_is_not_a_journal_is_left_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    before = path.read_bytes()
    search = BayesSearchCV(
        LogisticRegression(), SPACE, n_iter=3, cv=2, random_state=0, storage=path
    )
    with pytest.raises(JournalError, match="notes.txt"):
        search.fit(X, y)
    assert path.read_bytes() == before


def test_random_state_none_resumes_with_the_journals_seed(tmp_path):
    path = str(tmp_path / "j.db")

    def make(n_iter_limit):
        calls = []

        def scorer(estimator, X_test, y_test):
            calls.append(1)
            if n_iter_limit is not None and len(calls) > n_iter_limit:
                raise KeyboardInterrupt
            return estimator.score(X_test, y_test)

        return BayesSearchCV(
            Sleepy(), SLEEPY_SPACE, n_iter=8, n_initial_points=3, cv=2,
            scoring=scorer, storage=path,
        )  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            make(8).fit(X, y)
        first = [dict(p) for p in load_results(path)["params"]]
        resumed = make(None).fit(X, y)
    assert resumed.cv_results_["params"][: len(first)] == first
    assert len(resumed.cv_results_["params"]) == 8


def test_max_time_stops_starting_candidates(tmp_path):
    delay = 0.1
    search = BayesSearchCV(
        Sleepy(delay=delay), SLEEPY_SPACE, n_iter=50, n_initial_points=3, cv=2,
        random_state=0, max_time=1.0, refit=True,
    ).fit(X, y)  # fmt: skip
    res = search.cv_results_
    n = len(res["params"])
    assert 1 <= n < 50
    # Every candidate but the last started before max_time was spent: the
    # fits recorded before the last one take at most max_time (the optimizer
    # and the scoring take time too, so fewer fit).
    fit_seconds = np.asarray(res["mean_fit_time"]) * search.n_splits_
    assert fit_seconds[:-1].sum() <= 1.0
    assert hasattr(search, "best_estimator_")  # the best is refit


def test_max_time_on_a_multi_fidelity_search():
    search = HyperbandSearchCV(
        Sleepy(delay=0.05), SLEEPY_SPACE, resource="n_estimators", max_resources=27,
        cv=2, random_state=0, max_time=0.5,
    ).fit(X, y)  # fmt: skip
    full_plan = sum(r.n_candidates for b in search.plan_ for r in b.rungs)
    assert len(search.cv_results_["params"]) < full_plan
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("bad", [0, -1.0, "1", np.nan])
def test_bad_max_time_is_rejected_at_fit(bad):
    search = TPESearchCV(Sleepy(), SLEEPY_SPACE, n_iter=3, max_time=bad)
    with pytest.raises(ValueError, match="max_time"):
        search.fit(X, y)


def test_bad_storage_is_rejected_at_fit():
    search = TPESearchCV(
        Sleepy(), SLEEPY_SPACE, n_iter=3, storage="postgresql://host/db"
    )
    with pytest.raises(ValueError, match="storage"):
        search.fit(X, y)


def test_every_search_takes_storage_and_max_time():
    for name in sklearn_hpo.search.__all__:
        cls = getattr(sklearn_hpo.search, name)
        if name.startswith("Base"):
            continue
        params = inspect.signature(cls).parameters
        assert params["storage"].default is None, name
        assert params["max_time"].default is None, name


def test_evolutionary_resumes_too(tmp_path):
    # A strategy whose generations span calls resumes in the middle of one.
    path = str(tmp_path / "j.db")
    kw = dict(n_iter=12, population_size=4, cv=2, random_state=0)
    reference = EvolutionarySearchCV(Sleepy(), SLEEPY_SPACE, **kw).fit(X, y)
    EvolutionarySearchCV(Sleepy(), SLEEPY_SPACE, storage=path, **kw).fit(X, y)
    again = EvolutionarySearchCV(Sleepy(), SLEEPY_SPACE, storage=path, **kw)
    again.fit(X, y)  # entirely from the journal
    _assert_same_results(reference.cv_results_, again.cv_results_)
    assert CoarseToFineSearchCV  # imported for the child processes


def _strategy_cases():
    from sklearn_hpo._registry import STRATEGIES

    for s in STRATEGIES:
        kw = dict(cv=2, random_state=0, **dict(s.params))
        if s.family == "multi-fidelity":
            kw.update(resource="n_estimators", max_resources=9)
            if s.search == "SuccessiveHalvingSearchCV":
                kw.update(n_candidates=9, min_resources=1)
            yield pytest.param(s.search, kw, id=s.name)
        else:
            yield pytest.param(s.search, {**kw, "n_iter": 10}, id=s.name)
            yield pytest.param(
                s.search, {**kw, "n_iter": 10, "n_points": 3}, id=f"{s.name}-batch"
            )


@pytest.mark.parametrize("search_name, kwargs", _strategy_cases())
def test_every_strategy_resumes_to_the_uninterrupted_results(
    search_name, kwargs, tmp_path
):
    # Interrupted (Ctrl-C, raised by the scorer) late, then resumed.
    cls = getattr(sklearn_hpo.search, search_name)
    calls = {"n": 0, "limit": None}

    def scorer(estimator, X_test, y_test):
        calls["n"] += 1
        if calls["limit"] is not None and calls["n"] > calls["limit"]:
            raise KeyboardInterrupt
        return estimator.score(X_test, y_test)

    path = str(tmp_path / "j.db")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = cls(Sleepy(), SLEEPY_SPACE, scoring=scorer, **kwargs).fit(X, y)
        n_scores = calls["n"]
        calls.update(n=0, limit=(3 * n_scores) // 4)
        with pytest.raises(KeyboardInterrupt):
            cls(Sleepy(), SLEEPY_SPACE, scoring=scorer, storage=path, **kwargs).fit(
                X, y
            )
        calls.update(n=0, limit=None)
        resumed = cls(Sleepy(), SLEEPY_SPACE, scoring=scorer, storage=path, **kwargs)
        resumed.fit(X, y)
    _assert_same_results(reference.cv_results_, resumed.cv_results_)
    assert calls["n"] < n_scores  # what the journal held was not fitted again


FINGERPRINT_CHILD = textwrap.dedent(
    """
    import sys, warnings
    sys.path.insert(0, {tests!r})
    warnings.simplefilter("ignore")
    import numpy as np
    from sklearn.metrics import accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from test_long_searches import Sleepy, SLEEPY_SPACE, X, y
    from sklearn_hpo import BayesSearchCV
    calls = []
    def my_scorer(estimator, X_test, y_test):
        calls.append(1)
        return estimator.score(X_test, y_test)
    pipe = make_pipeline(FunctionTransformer(lambda x: x * 2), Sleepy())
    space = {{"sleepy__" + k: v for k, v in SLEEPY_SPACE.items()}}
    BayesSearchCV(pipe, space, n_iter=4, cv=2, scoring=my_scorer,
                  random_state=np.random.RandomState(0), storage={path!r}).fit(X, y)
    print(len(calls))
    """
)


def test_a_new_process_resumes_with_callables_and_lambdas(tmp_path):
    # A function's repr holds its address, a lambda cannot be pickled: the
    # fingerprint must still be the same in another process.
    script = FINGERPRINT_CHILD.format(
        tests=os.path.dirname(__file__), path=str(tmp_path / "j.db")
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True,
            check=True, timeout=120,
        ).stdout.split()[-1]
        for _ in range(2)
    ]  # fmt: skip
    assert runs == ["8", "0"]


def test_a_call_partly_in_the_journal_fits_only_the_rest(tmp_path):
    # The sliding window records candidates as they complete: a journal may
    # hold candidates 0 and 2 of a round but not 1.
    import sqlite3

    path = str(tmp_path / "j.db")
    fits = []

    def scorer(estimator, X_test, y_test):
        fits.append(estimator.a)
        return estimator.score(X_test, y_test)

    kw = dict(n_iter=9, n_points=3, cv=2, random_state=0, optimizer="random",
              scoring=scorer)
    reference = BayesSearchCV(Sleepy(), SLEEPY_SPACE, **kw).fit(X, y)
    BayesSearchCV(Sleepy(), SLEEPY_SPACE, storage=path, **kw).fit(X, y)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM candidates WHERE idx IN (1, 7)")
    fits.clear()
    resumed = BayesSearchCV(Sleepy(), SLEEPY_SPACE, storage=path, **kw).fit(X, y)
    _assert_same_results(reference.cv_results_, resumed.cv_results_)
    params = reference.cv_results_["params"]
    assert sorted(fits) == sorted([params[1]["a"]] * 2 + [params[7]["a"]] * 2)
    assert _n_rows(path) == 9


def test_an_interrupted_fit_keeps_nothing_of_an_earlier_fit():
    search = TPESearchCV(Sleepy(), SLEEPY_SPACE, n_iter=4, cv=2, random_state=0)
    search.fit(X, y)
    assert hasattr(search, "best_estimator_")

    def scorer(estimator, X_test, y_test):
        raise KeyboardInterrupt

    search.set_params(scoring=scorer)
    with pytest.warns(UserWarning, match="before any candidate completed"):
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)
    kept = {k for k in vars(search) if k.endswith("_") and k[0] != "_"}
    assert kept <= {"n_splits_"}  # set by scikit-learn's fit before the search


class RefitInterrupted(Sleepy):
    """Raises KeyboardInterrupt when fit on the whole data (the refit)."""

    def fit(self, X_fit, y_fit):
        if len(X_fit) == len(X):
            raise KeyboardInterrupt
        return super().fit(X_fit, y_fit)


def test_an_interrupt_in_the_refit_keeps_the_search():
    search = TPESearchCV(
        RefitInterrupted(), SLEEPY_SPACE, n_iter=4, cv=2, random_state=0
    )
    with pytest.warns(UserWarning, match="while refitting"):
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert not hasattr(search, "best_estimator_")


def test_a_multi_fidelity_fit_without_refit_after_one_with_refit():
    search = HyperbandSearchCV(
        Sleepy(), SLEEPY_SPACE, resource="n_estimators", max_resources=9, cv=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert isinstance(search.best_estimator_, Sleepy)
    search.set_params(refit=False).fit(X, y)
    assert not hasattr(search, "best_estimator_")


def test_replay_keeps_a_one_metric_dict_multimetric(tmp_path):
    path = str(tmp_path / "j.db")
    kw = dict(n_iter=3, cv=2, random_state=0, scoring={"score": "accuracy"},
              refit="score", storage=path)
    first = BayesSearchCV(LogisticRegression(), SPACE, **kw).fit(X, y)
    again = BayesSearchCV(LogisticRegression(), SPACE, **kw).fit(X, y)
    assert first.multimetric_ and again.multimetric_
    _assert_same_results(first.cv_results_, again.cv_results_)


def test_refit_is_part_of_the_fingerprint(tmp_path):
    path = str(tmp_path / "j.db")
    kw = dict(n_iter=3, cv=2, random_state=0, storage=path,
              scoring=["accuracy", "balanced_accuracy"])
    BayesSearchCV(LogisticRegression(), SPACE, refit="accuracy", **kw).fit(X, y)
    other = BayesSearchCV(
        LogisticRegression(), SPACE, refit="balanced_accuracy", **kw
    )
    with pytest.raises(FingerprintMismatchError, match="setting refit"):
        other.fit(X, y)
