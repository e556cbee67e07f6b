"""Mechanics of SPSAOptimizer: pairs, gains, categorical columns."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import SPSAOptimizer
from sklearn_hpo.space import Integer, Real


def run(opt, f, n, batch=1):
    for _ in range(n):
        cands = opt.ask(batch)
        opt.tell(cands, [f(c) for c in cands])


def test_pairs_are_symmetric_around_the_iterate():
    opt = SPSAOptimizer(
        {"a": Real(0, 1), "b": Real(0, 1)}, n_initial_points=1, random_state=0
    )
    start = opt.ask(1)
    assert start == [{"a": 0.5, "b": 0.5}]
    opt.tell(start, [0.0])
    pair = opt.ask(2)
    u = opt.space.to_unit(pair)
    np.testing.assert_allclose(u.mean(axis=0), [0.5, 0.5])
    np.testing.assert_allclose(np.abs(u[0] - 0.5), [0.05, 0.05])
    assert opt.candidate_info(pair) == {"iteration": [0, 0]}
    assert opt.candidate_info(start) == {"iteration": [-1]}


def test_first_step_is_calibrated_and_climbs():
    opt = SPSAOptimizer(
        {"a": Real(0, 1), "b": Real(0, 1)}, n_initial_points=1, random_state=0
    )
    f = lambda c: c["a"] + 0.5 * c["b"]  # noqa: E731
    run(opt, f, 3)
    opt.ask(1)  # the step is taken when the next pair is asked for
    assert opt.iteration == 1 and opt.a is not None
    step = opt.theta - 0.5
    assert np.max(np.abs(step)) == pytest.approx(0.1)
    assert step[0] > 0


def test_climbs_a_smooth_quadratic():
    space = {"a": Real(-5, 5), "b": Real(-5, 5), "n": Integer(0, 100)}
    opt = SPSAOptimizer(space, budget=100, random_state=0)
    f = lambda c: -((c["a"] - 1.3) ** 2) - (c["b"] + 2.2) ** 2 - (  # noqa: E731
        (c["n"] - 70) / 10) ** 2
    run(opt, f, 100)
    assert np.nanmax(opt.y) > -0.5  # random search: about -1.7


def test_categorical_columns_held_at_the_best_start():
    opt = SPSAOptimizer({"a": Real(0, 1), "k": ["x", "y", "z"]}, random_state=0)
    run(opt, lambda c: c["a"] + (c["k"] == "z"), 20)
    later = opt.space.from_unit(opt.X_unit[6:])
    assert {c["k"] for c in later} == {"z"}


def test_larger_batches_average_more_pairs():
    opt = SPSAOptimizer(
        {"a": Real(0, 1)}, n_perturbations=2, n_initial_points=1, random_state=0
    )
    run(opt, lambda c: -c["a"], 3, batch=4)
    assert opt.iteration >= 1 and len(opt.y) == 12


def test_failures_and_categorical_only():
    opt = SPSAOptimizer({"a": Real(0, 1), "b": Real(0, 1)}, random_state=0)
    run(opt, lambda c: np.nan, 9)
    assert opt.a is None and len(opt.y) == 9
    cat = SPSAOptimizer({"k": list(range(10))}, random_state=0)
    run(cat, lambda c: c["k"], 5, batch=2)
    assert len(cat.y) == 10


@pytest.mark.parametrize(
    "kwargs, match",
    [({"budget": 0}, "budget"), ({"c": 0.0}, "c must"),
     ({"initial_step": 2}, "initial_step"), ({"n_perturbations": 0}, "n_pert"),
     ({"n_initial_points": 0}, "n_initial_points")],
)
def test_bad_options_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SPSAOptimizer({"a": Real(0, 1)}, **kwargs)


def test_default_start_is_the_best_of_the_centre_and_four_random_points():
    opt = SPSAOptimizer({"a": Real(0, 1), "b": Real(0, 1)}, random_state=0)
    start = opt.ask(5)
    assert start[0] == {"a": 0.5, "b": 0.5}
    best = max(start[1:], key=lambda c: c["a"])
    opt.tell(start, [c["a"] for c in start])
    opt.ask(1)
    np.testing.assert_allclose(opt.theta, opt.space.to_unit([best])[0])


def test_integer_columns_are_perturbed_by_at_least_one_value():
    opt = SPSAOptimizer({"k": Integer(1, 5)}, n_initial_points=1, c=0.01,
                        random_state=0)
    start = opt.ask(1)
    opt.tell(start, [0.0])
    pair = opt.ask(2)
    assert sorted(c["k"] for c in pair) == [2, 4]


def test_draws_new_starts_until_one_succeeds():
    # Only a < 0.05 can be fitted: the centre and the first random starts fail.
    def f(c):
        return -((c["a"] - 0.02) ** 2) - c["b"] if c["a"] < 0.05 else np.nan

    opt = SPSAOptimizer({"a": Real(0, 1), "b": Real(0, 1)}, random_state=1)
    run(opt, f, 80)
    assert not np.isfinite(opt.y[:5]).any()  # the first starts all failed
    assert opt.theta is not None and opt.theta[0] < 0.05
    assert np.isfinite(opt.y).sum() >= 20  # then it climbs where fits succeed
