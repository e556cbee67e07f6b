"""A search whose estimator cannot fit at all stops early (search/_fail_fast.py)."""

import functools
import inspect
import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning

import sklearn_hpo
from sklearn_hpo import BayesSearchCV, Real, load_results
from sklearn_hpo._registry import STRATEGIES
from sklearn_hpo.search._fail_fast import error_of

X = np.zeros((24, 2))
y = np.tile([0, 1], 12)

FITS = []


class Broken(ClassifierMixin, BaseEstimator):
    """Fails to fit when ``p`` is above ``threshold``; ``message`` may name ``p``."""

    def __init__(self, p=0.0, kind="a", threshold=-1.0, message="cannot fit"):
        self.p = p
        self.kind = kind
        self.threshold = threshold
        self.message = message

    def fit(self, X, y):
        FITS.append(self.p)
        if self.p > self.threshold:
            raise ValueError(self.message.format(p=self.p))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 1.0 - self.p


SPACE = {"p": Real(0, 1), "kind": ["a", "b"]}
FAST = {"n_initial_points": 3, "population_size": 3, "n_particles": 3}
SEQUENTIAL = [s for s in STRATEGIES if s.family != "multi-fidelity"]


def _maker(strategy):
    cls = getattr(sklearn_hpo, strategy.search)
    names = inspect.signature(cls).parameters
    fast = {k: v for k, v in FAST.items() if k in names}
    return functools.partial(cls, **strategy.params, **fast)


@pytest.fixture(autouse=True)
def _count_fits():
    FITS.clear()
    yield


@pytest.mark.parametrize("strategy", SEQUENTIAL, ids=lambda s: s.name)
def test_identical_failures_of_the_first_candidates_stop_the_search(strategy):
    search = _maker(strategy)(Broken(), SPACE, n_iter=50, cv=3, random_state=0)
    with pytest.raises(ValueError, match="All the .* fits failed") as info:
        search.fit(X, y)
    message = str(info.value)
    # Five candidates, or a few more until "kind" has varied (the line
    # searches of coordinate descent vary one parameter at a time).
    n = int(re.search(r"stopped after its first (\d+) candidates", message)[1])
    assert 5 <= n <= 10
    assert len(FITS) == 3 * n  # not 150
    assert f"All the {3 * n} fits failed" in message
    assert f"{3 * n} fits failed with the following error" in message
    assert "ValueError: cannot fit" in message


def test_with_the_sliding_window_of_threads():
    search = BayesSearchCV(
        Broken(), SPACE, n_iter=40, n_points=2, n_jobs=2, cv=2, random_state=0
    )
    with warnings.catch_warnings():
        # A thread's call that ends after the error warns about its NaN score.
        warnings.filterwarnings("ignore", message="One or more of the test scores")
        # With two candidates out at a time, the second may finish first.
        with pytest.raises(ValueError, match="stopped after its first [56] candidates"):
            search.fit(X, y)


def test_a_search_where_some_of_the_first_candidates_succeed_goes_on():
    initial = [{"p": p, "kind": k} for p, k in [(0.9, "a"), (0.8, "b"), (0.7, "a"),
                                                (0.6, "b"), (0.1, "a")]]  # fmt: skip
    search = BayesSearchCV(
        Broken(threshold=0.5), SPACE, n_iter=8, cv=2, random_state=0,
        initial_points=initial,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_params_["p"] <= 0.5


def test_failures_with_different_messages_go_on_to_the_end():
    # A parameter-dependent failure: every candidate may fail differently.
    search = BayesSearchCV(
        Broken(message="p={p} is too large"), SPACE, n_iter=8, cv=2, random_state=0
    )
    with pytest.raises(ValueError, match="All the 16 fits failed") as info:
        search.fit(X, y)
    assert len(FITS) == 16
    assert "stopped after" not in str(info.value)


def test_a_value_every_failed_candidate_shares_may_be_the_cause():
    # The first six have kind="a": kind="b" may well fit, so the search goes
    # on until a candidate with kind="b" has failed too...
    initial = [{"p": p / 10, "kind": "a"} for p in range(1, 7)]
    initial.append({"p": 0.9, "kind": "b"})
    search = BayesSearchCV(
        Broken(), SPACE, n_iter=9, cv=2, random_state=0, initial_points=initial
    )
    with pytest.raises(ValueError, match="All the 14 fits failed") as info:
        search.fit(X, y)
    assert len(FITS) == 14
    assert "stopped after its first 7 candidates" in str(info.value)
    # ...and to the end when none has.
    FITS.clear()
    search.set_params(initial_points=initial[:6], n_iter=6)
    with pytest.raises(ValueError, match="All the 12 fits failed") as info:
        search.fit(X, y)
    assert "stopped after" not in str(info.value)
    # A parameter with a single value is shared by construction.
    FITS.clear()
    search.set_params(search_spaces={"p": Real(0, 1), "kind": ["a"]}, n_iter=9)
    with pytest.raises(ValueError, match="All the 10 fits failed"):
        search.fit(X, y)
    assert len(FITS) == 10


def test_a_search_of_few_candidates_fails_as_before():
    search = BayesSearchCV(Broken(), SPACE, n_iter=5, cv=2, random_state=0)
    with pytest.raises(ValueError, match="All the 10 fits failed") as info:
        search.fit(X, y)
    assert "stopped after" not in str(info.value)


def test_error_score_raise_raises_the_first_error():
    search = BayesSearchCV(
        Broken(), SPACE, n_iter=50, cv=3, random_state=0, error_score="raise"
    )
    with pytest.raises(ValueError, match="^cannot fit$"):
        search.fit(X, y)
    assert len(FITS) == 1


def test_the_failed_candidates_are_journaled_and_not_fitted_again(tmp_path):
    path = str(tmp_path / "j.db")

    def make():
        return BayesSearchCV(
            Broken(), SPACE, n_iter=50, cv=2, random_state=0, storage=path
        )

    with pytest.raises(ValueError, match="All the 10 fits failed"):
        make().fit(X, y)
    assert len(FITS) == 10
    stored = load_results(path)
    assert len(stored["params"]) == 5
    assert np.isnan(stored["mean_test_score"]).all()
    FITS.clear()
    with pytest.raises(ValueError, match="All the 10 fits failed"):
        make().fit(X, y)
    assert FITS == []


def test_error_of_reads_the_final_exception():
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in fit\n'
        "    raise ValueError('a\\nb')\n"
        "ValueError: a\nb\n"
    )
    assert error_of(traceback) == "ValueError: a\nb"
    assert error_of("KeyError: 'k'") == "KeyError: 'k'"
