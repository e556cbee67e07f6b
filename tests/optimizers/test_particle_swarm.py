"""ParticleSwarmOptimizer: swarm steps, velocity clamping, bounds, bests."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import ParticleSwarmOptimizer
from sklearn_hpo.space import Real

SPACE = {f"x{i}": Real(0.0, 1.0) for i in range(3)}


def score(c):
    return -sum((c[f"x{i}"] - 0.3) ** 2 for i in range(3))


def step(opt, n, f=score):
    cands = opt.ask(n)
    opt.tell(cands, [f(c) for c in cands])
    return cands


def test_one_swarm_step_per_batch_with_labels():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=5, random_state=0)
    for it in range(4):
        cands = opt.ask(5)
        assert opt.candidate_info(cands) == {"iteration": [it] * 5}
        opt.tell(cands, [score(c) for c in cands])
    assert opt.candidate_info([{"x0": 0.1, "x1": 0.1, "x2": 0.1}]) == {
        "iteration": [-1]
    }


def test_velocity_is_clamped_and_positions_stay_in_bounds():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=6, max_velocity=0.1,
                                 cognitive=4.0, social=4.0, random_state=0)
    for _ in range(8):
        step(opt, 6)
        assert (opt.positions >= 0).all() and (opt.positions <= 1).all()
    assert np.abs(opt.velocities).max() <= 0.1 + 1e-12


def test_reflection_at_the_bounds_reverses_the_velocity():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=2, inertia=1.0, cognitive=0.0,
                                 social=0.0, random_state=0)
    step(opt, 2)
    opt.positions[:] = 0.95
    opt.velocities[:] = 0.2
    opt._queue = []
    opt.ask(2)
    # (the second particle, a duplicate of the first, gets a small kick)
    assert np.allclose(opt.positions[0], 0.85)
    assert np.allclose(opt.positions[1], 0.85, atol=0.1)
    assert np.allclose(opt.velocities, -0.2)


def test_personal_and_global_bests():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=4, random_state=1)
    for _ in range(5):
        step(opt, 4)
    opt.ask(1)  # the bests are updated when the next step starts
    assert np.max(opt.best_scores) == opt.y.max()
    g = opt._global_best()
    assert np.allclose(opt.space.snap(g), opt.X_unit[np.argmax(opt.y)])


def test_failures_never_become_bests():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=3, random_state=0)
    for _ in range(3):
        step(opt, 3, f=lambda c: np.nan)
    opt.ask(1)
    assert np.isneginf(opt.best_scores).all()


def test_asked_ahead_of_results_perturbs_the_best():
    opt = ParticleSwarmOptimizer(SPACE, n_particles=3, random_state=0)
    step(opt, 3)
    a = opt.ask(3)
    b = opt.ask(2)  # the step's results are not told yet
    assert opt.candidate_info(b) == {"iteration": [1, 1]}
    assert len({tuple(c.values()) for c in a + b}) == 5


def test_categorical_and_integer_columns_snap():
    space = {"c": ["a", "b", "c"], "n": list(range(4))}
    opt = ParticleSwarmOptimizer(space, n_particles=4, random_state=0)
    seen = []
    for _ in range(3):
        seen += step(opt, 4, f=lambda c: float(c["c"] == "b") + c["n"])
    assert len({tuple(c.values()) for c in seen}) == 12


def test_finds_the_optimum():
    opt = ParticleSwarmOptimizer(SPACE, budget=60, random_state=0)
    for _ in range(6):
        step(opt, 10)
    assert opt.y.max() > -0.02


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_particles": 0}, "n_particles must be an int >= 1, got 0"),
        ({"inertia": 1.5}, r"inertia must be .* got 1.5"),
        ({"cognitive": -1}, r"cognitive must be .* got -1"),
        ({"social": np.inf}, r"social must be .* got inf"),
        ({"max_velocity": 0.0}, r"max_velocity must be .* got 0.0"),
        ({"budget": 1.5}, "budget must be an int >= 1, got 1.5"),
    ],
)
def test_errors_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ParticleSwarmOptimizer(SPACE, **kwargs)
