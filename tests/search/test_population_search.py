"""Annealing, evolutionary and particle-swarm searches: columns, settings."""

import numpy as np
import pytest
from sklearn.model_selection import KFold

from sklearn_hpo import (
    AnnealingSearchCV,
    EvolutionarySearchCV,
    ParticleSwarmSearchCV,
    Real,
)
from sklearn_hpo.utils._testing import BraninEstimator

X = np.zeros((8, 1))
CV = KFold(2)
BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def test_generations_in_cv_results_and_budget_reaches_the_optimizer():
    search = EvolutionarySearchCV(
        BraninEstimator(), BRANIN, n_iter=20, cv=CV, random_state=0
    ).fit(X)
    opt = search.optimizer_
    assert opt.budget == 20 and opt.population_size == 6
    gens = list(search.cv_results_["generation"])
    assert gens == [0] * 6 + [1] * 6 + [2] * 6 + [3] * 2


def test_iterations_in_cv_results_with_parallel_batches():
    search = ParticleSwarmSearchCV(
        BraninEstimator(), BRANIN, n_iter=12, n_particles=4, n_points=4,
        cv=CV, random_state=0,
    ).fit(X)
    assert list(search.cv_results_["iteration"]) == [0] * 4 + [1] * 4 + [2] * 4
    assert list(search.cv_results_["round"]) == [0] * 4 + [1] * 4 + [2] * 4


def test_initial_points_are_labelled_minus_one():
    first = {"x1": 3.0, "x2": 2.0}
    for cls, col in [(EvolutionarySearchCV, "generation"),
                     (ParticleSwarmSearchCV, "iteration")]:
        search = cls(BraninEstimator(), BRANIN, n_iter=6, initial_points=[first],
                     cv=CV, random_state=0).fit(X)
        assert search.cv_results_["params"][0] == first
        assert search.cv_results_[col][0] == -1
        assert (np.asarray(search.cv_results_[col][1:]) >= 0).all()


def test_annealing_settings_reach_the_optimizer():
    search = AnnealingSearchCV(
        BraninEstimator(), BRANIN, n_iter=15, n_initial_points=4, step_size=0.3,
        cv=CV, random_state=0,
    ).fit(X)
    opt = search.optimizer_
    assert (opt.budget, opt.n_initial_points, opt.step_size) == (15, 4, 0.3)
    assert opt.current is not None and opt.initial_temperature > 0


def test_same_results_whatever_n_jobs():
    kw = dict(n_iter=8, n_points=4, cv=CV, random_state=3)
    for cls in (AnnealingSearchCV, EvolutionarySearchCV, ParticleSwarmSearchCV):
        ref = cls(BraninEstimator(), BRANIN, **kw).fit(X)
        other = cls(BraninEstimator(), BRANIN, n_jobs=2, **kw).fit(X)
        assert ref.cv_results_["params"] == other.cv_results_["params"]


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (AnnealingSearchCV, {"step_size": 0.0}, "step_size"),
        (AnnealingSearchCV, {"n_initial_points": 0}, "n_initial_points"),
        (EvolutionarySearchCV, {"population_size": 1}, "population_size"),
        (EvolutionarySearchCV, {"crossover": "x"}, "crossover"),
        (ParticleSwarmSearchCV, {"inertia": 2.0}, "inertia"),
        (ParticleSwarmSearchCV, {"n_particles": 0}, "n_particles"),
    ],
)
def test_invalid_settings_name_the_parameter(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(BraninEstimator(), BRANIN, n_iter=4, cv=CV, **kwargs).fit(X)
