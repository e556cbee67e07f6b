"""CoarseToFineSearchCV: levels and regions in cv_results_, defaults, grids."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC

from sklearn_hpo import CoarseToFineSearchCV, Real
from sklearn_hpo.optimizers import coarse_to_fine_plan
from sklearn_hpo.utils._testing import BraninEstimator

X = np.zeros((8, 1))
CV = KFold(2)
BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def test_cv_results_show_the_levels_and_regions():
    search = CoarseToFineSearchCV(
        BraninEstimator(), BRANIN, n_iter=30, cv=CV, random_state=0
    ).fit(X)
    res, opt = search.cv_results_, search.optimizer_
    levels, regions = np.asarray(res["level"]), np.asarray(res["region"])
    assert len(levels) == len(regions) == 30
    assert opt.plan == coarse_to_fine_plan(30)
    assert np.all(np.diff(levels) >= 0) and levels.max() == opt.plan.n_levels
    assert np.all(regions[levels == 0] == -1)
    for params, lv, r in zip(res["params"], levels, regions):
        if lv > 0:
            reg = opt.regions[r]
            assert reg.level == lv
            for name, (lo, hi) in reg.params.items():
                assert lo <= params[name] <= hi
    # the zoom pays: the best candidate comes from a fine level
    assert levels[search.best_index_] > 0


def test_user_settings_reach_the_optimizer():
    search = CoarseToFineSearchCV(
        BraninEstimator(), BRANIN, n_iter=20, n_levels=4, top_k=2, zoom=0.5,
        fine="grid", coarse="random", cv=CV, random_state=0,
    ).fit(X)
    opt = search.optimizer_
    assert opt.plan == coarse_to_fine_plan(20, n_levels=4, top_k=2, zoom=0.5)
    assert (opt.fine, opt.coarse) == ("grid", "random")
    assert set(search.cv_results_["level"]) == {0, 1, 2, 3, 4}


def test_a_gridsearch_grid_works_unchanged():
    X, y = np.random.default_rng(0).normal(size=(60, 3)), np.arange(60) % 2
    grid = {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}
    ours = CoarseToFineSearchCV(SVC(), grid, n_iter=6, cv=2, random_state=0)
    ours.fit(X, y)
    ref = GridSearchCV(SVC(), grid, cv=2).fit(X, y)
    key = lambda p: (p["C"], p["kernel"])  # noqa: E731
    assert sorted(map(key, ours.cv_results_["params"])) == sorted(
        map(key, ref.cv_results_["params"])
    )
    assert ours.best_score_ == ref.best_score_
    assert set(ours.cv_results_["level"]) == {0}


def test_initial_points_are_part_of_the_coarse_stage():
    X, y = np.random.default_rng(0).normal(size=(60, 3)), np.arange(60) % 2
    space = {"C": Real(1e-3, 1e3, log=True)}
    points = [{"C": 1.0}, {"C": 100.0}]
    search = CoarseToFineSearchCV(
        LogisticRegression(), space, n_iter=10, n_points=2, cv=2,
        initial_points=points, random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    assert res["params"][:2] == points
    assert len(res["level"]) == len(res["region"]) == len(res["params"]) == 10
    assert list(res["level"][:2]) == [0, 0] and list(res["region"][:2]) == [-1, -1]
    plan = search.optimizer_.plan
    assert list(res["level"]).count(0) == plan.n_coarse


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_levels": 0}, r"'n_levels' parameter .* Got 0"),
        ({"top_k": 0}, r"'top_k' parameter .* Got 0"),
        ({"top_k": 1.5}, r"'top_k' parameter .* Got 1.5"),
        ({"zoom": 1.0}, r"'zoom' parameter .* Got 1.0"),
        ({"zoom": 0}, r"'zoom' parameter .* Got 0"),
        ({"fine": "sobol"}, r"'fine' parameter .* Got 'sobol'"),
        ({"coarse": "lhs"}, r"'coarse' parameter .* Got 'lhs'"),
    ],
)
def test_bad_settings_raise_at_fit_naming_parameter_and_value(kwargs, match):
    search = CoarseToFineSearchCV(BraninEstimator(), BRANIN, cv=CV, **kwargs)
    with pytest.raises(ValueError, match=match):
        search.fit(X)
