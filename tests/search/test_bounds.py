"""The best candidate on a bound of its range (search/_bounds.py)."""

import inspect
import numbers
import warnings
from numbers import Integral

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.pipeline import make_pipeline

import sklearn_hpo
from sklearn_hpo import BestOnBoundWarning, Categorical, Integer, Real
from sklearn_hpo._registry import STRATEGIES
from sklearn_hpo.search._bounds import best_on_bounds
from sklearn_hpo.utils._compat import Interval

X = np.zeros((24, 2))
Y = np.zeros(24)


class EdgeDouble(RegressorMixin, BaseEstimator):
    """Scores ``a - (b - 0.5)^2 / 100 - 1e-3 / units``: the best ``a`` is its
    largest, the best ``b`` 0.5; ``units`` plays a multi-fidelity resource."""

    def __init__(self, a=0, b=0.5, units=1):
        self.a = a
        self.b = b
        self.units = units

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return self.a - (self.b - 0.5) ** 2 / 100 - 1e-3 / self.units


SPACE = {"a": Integer(0, 2), "b": Real(0, 1)}

# Settings that keep each search small.
FAST = {
    "n_iter": 8,
    "n_initial_points": 3,
    "population_size": 3,
    "n_particles": 3,
    "initial_points": [{"a": 2, "b": 0.5}],
    "resource": "units",
    "min_resources": 1,
    "max_resources": 9,
    "n_candidates": 9,
    "min_points_in_model": 2,
}


def _search(strategy, **params):
    cls = getattr(sklearn_hpo, strategy.search)
    names = inspect.signature(cls).parameters
    fast = {k: v for k, v in FAST.items() if k in names}
    return cls(
        EdgeDouble(), SPACE, cv=2, random_state=0, **strategy.params,
        **{**fast, **params},
    )  # fmt: skip


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_every_search_warns_when_the_best_is_on_a_bound(strategy):
    search = _search(strategy)
    with pytest.warns(BestOnBoundWarning, match=r"a=2 on the upper bound 2\b"):
        search.fit(X, Y)
    assert search.best_params_["a"] == 2
    assert search.best_on_bounds_ == {"a": ("upper", 2)}


@pytest.mark.parametrize(
    "space, value, expected",
    [
        # within 1% of the width from a bound
        ({"x": Real(0, 10)}, 9.95, ("upper", 10.0)),
        ({"x": Real(0, 10)}, 0.05, ("lower", 0.0)),
        ({"x": Real(0, 10)}, 9.8, None),
        # on the log scale for a log range: 900 is 99.3% of the way up
        ({"x": Real(1e-3, 1e3, log=True)}, 900.0, ("upper", 1e3)),
        ({"x": Real(1e-3, 1e3, log=True)}, 1.1e-3, ("lower", 1e-3)),
        ({"x": Real(1e-3, 1e3, log=True)}, 500.0, None),
        # integers: on the bound only
        ({"x": Integer(1, 100)}, 100, ("upper", 100)),
        ({"x": Integer(1, 100)}, 99, None),
        ({"x": Integer(1, 100, log=True)}, 1, ("lower", 1)),
        # two values are a choice, not a range; lists are not ranges
        ({"x": Integer(0, 1)}, 1, None),
        ({"x": Categorical([1, 2, 3])}, 3, None),
        ({"x": [0.1, 1.0, 10.0]}, 10.0, None),
        # scipy.stats distributions with a finite support
        ({"x": stats.uniform(2, 3)}, 4.99, ("upper", 5.0)),
        ({"x": stats.loguniform(1e-3, 1e3)}, 900.0, ("upper", 1e3)),
        ({"x": stats.loguniform(1e-3, 1e3)}, 500.0, None),
        ({"x": stats.randint(1, 10)}, 9, ("upper", 9)),
        ({"x": stats.randint(1, 10)}, 1, ("lower", 1)),
        ({"x": stats.randint(1, 10)}, 8, None),
        # an unbounded prior has no bound
        ({"x": stats.norm(0, 1)}, 50.0, None),
    ],
)
def test_best_on_bounds(space, value, expected):
    found = best_on_bounds(space, {"x": value})
    assert found == ({} if expected is None else {"x": expected})


def test_the_sub_space_of_the_best_candidate_is_read():
    space = [{"x": Real(0, 1)}, {"x": Real(10, 20), "y": Real(0, 1)}]
    assert best_on_bounds(space, {"x": 10.0, "y": 0.5}) == {"x": ("lower", 10.0)}
    assert best_on_bounds(space, {"x": 0.999}) == {"x": ("upper", 1.0)}
    assert best_on_bounds(space, {"x": 15.0, "y": 0.5}) == {}


def _scorer(est, X, y=None):
    return {"up": float(est.a), "down": -float(est.a)}


@pytest.mark.parametrize(
    "refit, side, bound", [("up", "upper", 2), ("down", "lower", 0)]
)
def test_multimetric_reads_the_refit_metrics_best(refit, side, bound):
    search = sklearn_hpo.BayesSearchCV(
        EdgeDouble(), SPACE, n_iter=3, cv=2, random_state=0, scoring=_scorer,
        refit=refit, initial_points=[{"a": 0, "b": 0.5}, {"a": 2, "b": 0.5},
                                     {"a": 1, "b": 0.5}],
    )  # fmt: skip
    with pytest.warns(BestOnBoundWarning, match=f"a={bound} on the {side} bound"):
        search.fit(X, Y)
    assert search.best_on_bounds_ == {"a": (side, bound)}


def test_nothing_without_a_best_candidate():
    search = sklearn_hpo.BayesSearchCV(
        EdgeDouble(), SPACE, n_iter=2, cv=2, random_state=0, scoring=_scorer,
        refit=False, initial_points=[{"a": 2, "b": 0.5}, {"a": 0, "b": 0.0}],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", BestOnBoundWarning)
        search.fit(X, Y)
    assert not hasattr(search, "best_on_bounds_")


def test_an_inner_best_sets_an_empty_dict_and_does_not_warn():
    search = sklearn_hpo.BayesSearchCV(
        EdgeDouble(), {"a": Integer(0, 4), "b": Real(0, 1)}, n_iter=2, cv=2,
        random_state=0, initial_points=[{"a": 3, "b": 0.5}, {"a": 1, "b": 0.4}],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", BestOnBoundWarning)
        search.fit(X, Y)
    assert search.best_on_bounds_ == {}


def test_the_warning_points_at_the_users_fit():
    search = sklearn_hpo.BayesSearchCV(
        EdgeDouble(), SPACE, n_iter=1, cv=2, initial_points=[{"a": 2, "b": 0.5}]
    )
    with pytest.warns(BestOnBoundWarning) as record:
        search.fit(X, Y)
    assert record[0].filename == __file__


class LimitedEdgeDouble(EdgeDouble):
    """EdgeDouble declaring, as scikit-learn's estimators do, that ``a`` is at
    most 2 and ``b`` in ``[0, 1]``: the best ``a=2`` cannot lie beyond."""

    _parameter_constraints = {
        "a": [Interval(Integral, None, 2, closed="right")],
        "b": [Interval(numbers.Real, 0, 1, closed="both")],
    }


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_a_bound_the_estimator_declares_as_its_limit_is_not_reported(in_pipeline):
    estimator, prefix = LimitedEdgeDouble(), ""
    if in_pipeline:
        estimator, prefix = make_pipeline(estimator), "limitededgedouble__"
    search = sklearn_hpo.BayesSearchCV(
        estimator, {prefix + "a": Integer(0, 2), prefix + "b": Real(0, 1)},
        n_iter=1, cv=2, initial_points=[{prefix + "a": 2, prefix + "b": 0.5}],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", BestOnBoundWarning)
        search.fit(X, Y)
    assert search.best_on_bounds_ == {}


def test_the_space_is_warned_about_once_per_fit():
    # The check after the fit parses the space again: its warnings (here the
    # tuple of two numbers read as two choices) must not be given twice.
    search = sklearn_hpo.BayesSearchCV(
        EdgeDouble(), {"a": (0, 2), "b": Real(0, 1)}, n_iter=2, cv=2, random_state=0
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        search.fit(X, Y)
    assert [str(w.message).count("(0, 2)") > 0 for w in record] == [True]


@pytest.mark.slow
def test_the_readme_quickstart_warns():
    # examples/quickstart.py: the search of its last seed ends at C = 1000.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, random_state=0)
    space = {
        "svc__C": Real(1e-3, 1e3, log=True),
        "svc__gamma": Real(1e-5, 1e0, log=True),
    }
    search = sklearn_hpo.BayesSearchCV(
        make_pipeline(StandardScaler(), SVC()), space, n_iter=20, cv=3, random_state=2
    )
    with pytest.warns(BestOnBoundWarning, match="svc__C=1000 on the upper bound"):
        search.fit(X_train, y_train)
    assert search.best_on_bounds_ == {"svc__C": ("upper", 1000.0)}


def _svc_search(space, initial):
    from sklearn.svm import SVC

    return sklearn_hpo.BayesSearchCV(
        make_pipeline(SVC()), space, n_iter=1, cv=2, initial_points=[initial]
    )


@pytest.mark.parametrize(
    "kernel, expected",
    [
        # degree and gamma are not read by a linear kernel: their values are
        # arbitrary, on a bound or not.
        ("linear", {"svc__C": ("upper", 10.0)}),
        # A polynomial kernel reads both.
        (
            "poly",
            {
                "svc__C": ("upper", 10.0),
                "svc__degree": ("upper", 4),
                "svc__gamma": ("lower", 0.01),
            },
        ),
    ],
)
def test_a_parameter_the_best_estimator_ignores_is_not_reported(kernel, expected):
    rng = np.random.RandomState(0)
    X_, y_ = rng.normal(size=(30, 2)), np.tile([0, 1], 15)
    space = {
        "svc__kernel": Categorical(["linear", "poly"]),
        "svc__C": Real(0.1, 10.0, log=True),
        "svc__degree": Integer(2, 4),
        "svc__gamma": Real(0.01, 1.0, log=True),
    }
    best = {"svc__kernel": kernel, "svc__C": 10.0, "svc__degree": 4,
            "svc__gamma": 0.01}  # fmt: skip
    search = _svc_search(space, best)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        search.fit(X_, y_)
    assert search.best_on_bounds_ == expected


def test_the_ignored_rule_reads_the_step_a_conditional_space_chose():
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import SVC

    rng = np.random.RandomState(0)
    X_, y_ = rng.normal(size=(30, 2)), np.tile([0, 1], 15)
    space = [
        {"svc": [SVC(kernel="linear")], "svc__C": Real(0.1, 10.0, log=True)},
        {
            "svc": [SGDClassifier(penalty="l2", max_iter=5, tol=None)],
            "svc__alpha": Real(1e-4, 1.0, log=True),
            "svc__l1_ratio": Real(0.0, 1.0),
        },
    ]
    best = {"svc": SGDClassifier(penalty="l2", max_iter=5, tol=None),
            "svc__alpha": 1e-4, "svc__l1_ratio": 1.0}  # fmt: skip
    search = _svc_search(space, best)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        search.fit(X_, y_)
    # l1_ratio is ignored by the chosen SGDClassifier's "l2" penalty.
    assert search.best_on_bounds_ == {"svc__alpha": ("lower", 1e-4)}
