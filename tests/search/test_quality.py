"""Each sequential search beats RandomizedSearchCV on known functions.

The estimator doubles' score is a known function of their parameters (Branin,
Hartmann-6), so these tests are fast and deterministic (fixed seeds).
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.model_selection import KFold, RandomizedSearchCV

import sklearn_hpo
from sklearn_hpo import Real
from sklearn_hpo._registry import STRATEGIES
from sklearn_hpo.utils._testing import (
    BRANIN_MAX,
    HARTMANN6_MAX,
    BraninEstimator,
    Hartmann6Estimator,
)

X = np.zeros((8, 1))
CV = KFold(2)

PROBLEMS = {
    "branin": (
        BraninEstimator(),
        {"x1": (-5.0, 10.0), "x2": (0.0, 15.0)},
        30,
    ),
    "hartmann6": (
        Hartmann6Estimator(),
        {f"x{i}": (0.0, 1.0) for i in range(1, 7)},
        40,
    ),
}

# The sequential strategies with their defaults, but random search (the
# baseline itself).
SEARCHES = {
    s.name: s
    for s in STRATEGIES
    if s.family != "multi-fidelity" and s.name != "random"
}
SEEDS = [0, 1, 2, 3, 4]


def mean_best(strategy, problem):
    est, bounds, n_iter = PROBLEMS[problem]
    space = {k: Real(lo, hi) for k, (lo, hi) in bounds.items()}
    cls = getattr(sklearn_hpo, strategy.search)
    return np.mean(
        [
            cls(est, space, n_iter=n_iter, cv=CV, random_state=seed, **strategy.params)
            .fit(X)
            .best_score_
            for seed in SEEDS
        ]
    )


def random_mean_best(problem):
    est, bounds, n_iter = PROBLEMS[problem]
    dists = {k: stats.uniform(lo, hi - lo) for k, (lo, hi) in bounds.items()}
    return np.mean(
        [
            RandomizedSearchCV(est, dists, n_iter=n_iter, cv=CV, random_state=s)
            .fit(X)
            .best_score_
            for s in SEEDS
        ]
    )


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("name", sorted(SEARCHES))
def test_model_based_search_beats_random_search(name, problem):
    ours = mean_best(SEARCHES[name], problem)
    baseline = random_mean_best(problem)
    optimum = {"branin": BRANIN_MAX, "hartmann6": HARTMANN6_MAX}[problem]
    assert ours <= optimum + 1e-9
    assert ours > baseline, (ours, baseline)
