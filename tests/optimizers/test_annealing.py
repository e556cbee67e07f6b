"""AnnealingOptimizer: start, Metropolis acceptance, cooling, restarts, moves."""

import math

import numpy as np
import pytest

from sklearn_hpo.optimizers import AnnealingOptimizer
from sklearn_hpo.optimizers._annealing import latin_hypercube, mutate, reflect
from sklearn_hpo.space import Integer, Real, as_search_space

SPACE = {"x": Real(-5.0, 5.0), "y": Real(0.0, 1.0)}


def score(c):
    return -((c["x"] - 1.0) ** 2) - (c["y"] - 0.5) ** 2


def run(opt, n, batch=1, f=score):
    for _ in range(n // batch):
        cands = opt.ask(batch)
        opt.tell(cands, [f(c) for c in cands])
    return opt


def test_starts_from_the_best_initial_point():
    opt = AnnealingOptimizer(SPACE, budget=40, n_initial_points=5, random_state=0)
    run(opt, 5)
    assert opt.current is None
    opt.ask(1)  # the walk starts at the next ask
    assert opt.current_score == np.nanmax(opt.y)
    assert opt.initial_temperature == pytest.approx(np.std(opt.y))


def test_initial_points_form_a_latin_hypercube():
    opt = AnnealingOptimizer(SPACE, budget=50, n_initial_points=5, random_state=1)
    run(opt, 5)
    cells = np.floor(opt.X_unit * 5)
    for j in range(2):
        assert sorted(cells[:, j]) == [0, 1, 2, 3, 4]


def test_temperature_decays_exponentially_over_the_budget():
    opt = run(AnnealingOptimizer(SPACE, budget=40, random_state=0), 40)
    opt.ask(1)
    T0 = opt.initial_temperature
    assert opt.temperature < T0 * 2e-3
    assert opt.temperature > T0 * 1e-4


def test_metropolis_accepts_improvements_and_rarely_large_losses():
    opt = AnnealingOptimizer(SPACE, budget=100, n_initial_points=3, random_state=0)
    run(opt, 3)
    opt.ask(1)
    start = opt.current.copy()
    better = [{"x": 1.0, "y": 0.5}]
    opt.tell(better, [0.0])
    opt.ask(1)
    assert opt.current_score == 0.0 and not np.allclose(opt.current, start)
    # A loss of 1000 temperatures is (almost surely) rejected.
    worse = [{"x": -4.0, "y": 0.0}]
    opt.tell(worse, [-1000 * opt.initial_temperature])
    opt.ask(1)
    assert opt.current_score == 0.0


def test_failed_evaluations_are_never_accepted():
    opt = AnnealingOptimizer(SPACE, budget=30, n_initial_points=3, random_state=2)
    run(opt, 3)
    for _ in range(10):
        cands = opt.ask(2)
        opt.tell(cands, [np.nan, np.nan])
    opt.ask(1)
    assert math.isfinite(opt.current_score)


def test_restarts_from_the_best_when_stuck():
    opt = AnnealingOptimizer(SPACE, budget=50, patience=5, n_initial_points=3,
                             random_state=0)
    run(opt, 3)
    run(opt, 20, f=lambda c: -1e6)  # never better than the start
    assert opt.n_restarts >= 1
    assert opt.current_score == np.nanmax(opt.y)


def test_batches_are_neighbours_of_one_state_and_find_the_optimum():
    opt = run(AnnealingOptimizer(SPACE, budget=60, random_state=0), 60, batch=4)
    assert np.nanmax(opt.y) > -0.05


def test_mutate_moves_integers_and_redraws_categories():
    space = as_search_space({"n": Integer(1, 5), "c": ["a", "b", "c"]})
    rng = np.random.default_rng(0)
    U = np.tile(space.snap([[0.5, 0.5]]), (200, 1))
    V = mutate(space, U, rng, sigma=0.01, p_categorical=0.5)
    assert (V[:, 0] != U[:, 0]).mean() > 0.5  # at least one value per step
    assert 0.2 < (V[:, 1] != U[:, 1]).mean() < 0.5  # re-drawn half the time
    assert np.array_equal(space.snap(V), V)


def test_mutate_switches_sub_spaces_with_valid_columns():
    space = as_search_space([{"a": Real(0, 1)}, {"b": Real(0, 1), "c": [1, 2]}])
    U = np.tile(space.snap([[0.1, 0.3, np.nan, np.nan]]), (100, 1))
    V = mutate(space, U, np.random.default_rng(0), sigma=0.1, p_categorical=0.5)
    switched = V[:, 0] > 0.5
    assert switched.any() and (~switched).any()
    assert np.isnan(V[switched, 1]).all() and not np.isnan(V[switched, 2:]).any()


def test_helpers_reflect_and_stratify():
    assert np.allclose(reflect(np.array([-0.2, 0.5, 1.3, 2.5])), [0.2, 0.5, 0.7, 0.5])
    space = as_search_space({"a": Real(0, 1)})
    U = latin_hypercube(space, 10, np.random.default_rng(0))
    assert sorted(np.floor(U[:, 0] * 10)) == list(range(10))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"budget": 0}, "budget must be an int >= 1, got 0"),
        ({"n_initial_points": 0}, "n_initial_points must be an int >= 1, got 0"),
        ({"step_size": 0.0}, r"step_size must be .* got 0.0"),
        ({"p_categorical": 2}, r"p_categorical must be .* got 2"),
        ({"patience": "x"}, "patience must be an int >= 1, got 'x'"),
    ],
)
def test_errors_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AnnealingOptimizer(SPACE, **kwargs)
