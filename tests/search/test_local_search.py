"""HybridSearchCV, CoordinateDescentSearchCV and SPSASearchCV as searches."""

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, RandomizedSearchCV

from sklearn_hpo import Real
from sklearn_hpo.search import CoordinateDescentSearchCV, HybridSearchCV, SPSASearchCV

X = np.zeros((8, 1))
CV = KFold(2)

# Per kind: the best score it can reach and where (its optimum in x, y). One
# kind is much better than the others, as a model or kernel often is.
KINDS = {"a": (0.0, 0.2, 0.8), "b": (-1.0, 0.5, 0.5), "c": (-1.2, 0.9, 0.1),
         "d": (-1.0, 0.3, 0.3), "e": (-1.5, 0.7, 0.7), "f": (-1.1, 0.1, 0.4),
         "g": (-1.3, 0.6, 0.2), "h": (-1.4, 0.4, 0.9)}


class MixedEstimator(RegressorMixin, BaseEstimator):
    """Double whose score is a bowl in (x, y) whose height and centre depend
    on a categorical ``kind``: finding the best needs the right kind."""

    def __init__(self, kind="a", x=0.0, y=0.0):
        self.kind = kind
        self.x = x
        self.y = y

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        top, cx, cy = KINDS[self.kind]
        return top - (self.x - cx) ** 2 - (self.y - cy) ** 2


def test_hybrid_at_least_as_good_as_random_on_a_mixed_space():
    space = {"kind": sorted(KINDS), "x": Real(0, 1), "y": Real(0, 1)}
    dists = {"kind": sorted(KINDS), "x": stats.uniform(0, 1),
             "y": stats.uniform(0, 1)}
    ours, base = [], []
    for seed in range(10):
        ours.append(HybridSearchCV(MixedEstimator(), space, n_iter=16, cv=CV,
                                   random_state=seed).fit(X).best_score_)
        base.append(RandomizedSearchCV(MixedEstimator(), dists, n_iter=16, cv=CV,
                                       random_state=seed).fit(X).best_score_)
    assert np.mean(ours) >= np.mean(base), (np.mean(ours), np.mean(base))


def test_hybrid_per_grid_point_budget_and_column():
    space = {"kind": ["a", "b", "c"], "x": Real(0, 1), "y": Real(0, 1)}
    search = HybridSearchCV(MixedEstimator(), space, n_iter=100,
                            n_iter_per_grid_point=2, cv=CV, random_state=0).fit(X)
    assert len(search.cv_results_["params"]) == 6
    points = search.optimizer_.grid_points
    for g, kind in zip(search.cv_results_["grid_point"],
                       search.cv_results_["param_kind"]):
        assert points[g]["kind"] == kind


def test_coordinate_columns_and_initial_points():
    space = {"x": Real(0, 1), "y": Real(0, 1), "kind": ["a", "c"]}
    search = CoordinateDescentSearchCV(
        MixedEstimator(), space, n_iter=9, n_points=4, cv=CV,
        initial_points=[{"x": 0.2, "y": 0.8, "kind": "a"}], random_state=0,
    ).fit(X)
    res = search.cv_results_
    assert list(res["cycle"][:2]) == [-1, 0]
    assert [str(c) for c in res["coordinate"][:2]] == ["", ""]
    assert search.best_params_ == {"x": 0.2, "y": 0.8, "kind": "a"}


def test_spsa_parallel_is_reproducible_and_columns():
    space = {"x": Real(0, 1), "y": Real(0, 1)}
    kw = dict(n_iter=9, n_points=2, cv=CV, random_state=0)
    one = SPSASearchCV(MixedEstimator(), space, **kw).fit(X)
    two = SPSASearchCV(MixedEstimator(), space, n_jobs=2, **kw).fit(X)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    # The start (the centre and four random points, in rounds of two: the
    # third round is topped up with a random point), then pairs.
    assert list(one.cv_results_["iteration"][:8]) == [-1] * 6 + [0, 0]


@pytest.mark.parametrize(
    "cls, param, value",
    [(HybridSearchCV, "n_iter_per_grid_point", 0),
     (HybridSearchCV, "max_integer_grid", -1),
     (CoordinateDescentSearchCV, "n_line", 0),
     (CoordinateDescentSearchCV, "shrink", 1.5),
     (SPSASearchCV, "c", 0.0),
     (SPSASearchCV, "initial_step", 3)],
)
def test_invalid_parameters_are_named(cls, param, value):
    search = cls(LogisticRegression(), {"C": Real(0.1, 1)}, **{param: value})
    with pytest.raises(ValueError, match=param):
        search.fit(np.zeros((10, 2)), np.arange(10) % 2)
