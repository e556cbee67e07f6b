"""Mechanics of CoordinateDescentOptimizer: lines, shrinking, restarts."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import CoordinateDescentOptimizer
from sklearn_hpo.space import Real


def run(opt, f, n, batch=1):
    for _ in range(n):
        cands = opt.ask(batch)
        opt.tell(cands, [f(c) for c in cands])


def test_starts_at_the_centre_then_line_searches_one_parameter():
    opt = CoordinateDescentOptimizer({"a": Real(0, 1), "b": ["x", "y", "z"]})
    start = opt.ask(1)
    assert start == [{"a": 0.5, "b": "y"}]
    opt.tell(start, [0.0])
    line = opt.ask(4)
    assert [c["b"] for c in line] == ["y"] * 4
    assert [c["a"] for c in line] == [0.125, 0.375, 0.625, 0.875]
    assert opt.candidate_info(line) == {"cycle": [1] * 4, "coordinate": ["a"] * 4}
    opt.tell(line, [1.0, 0.0, 0.0, 0.0])
    cat = opt.ask(2)  # categorical: every other value, at the best a
    assert {c["b"] for c in cat} == {"x", "z"} and {c["a"] for c in cat} == {0.125}


def test_converges_on_a_separable_quadratic():
    opt = CoordinateDescentOptimizer({"a": Real(-5, 5), "b": Real(-5, 5)})
    run(opt, lambda c: -((c["a"] - 1.3) ** 2) - (c["b"] + 2.2) ** 2, 60)
    assert np.nanmax(opt.y) > -0.1  # random search: about -0.34


def test_shrinks_after_failed_lines_and_restarts():
    opt = CoordinateDescentOptimizer({"a": Real(0, 1)}, min_width=0.05,
                                     random_state=0)
    run(opt, lambda c: -abs(c["a"] - 0.5), 40)
    assert opt.n_restarts >= 1
    assert "<restart>" in opt.candidate_info(
        opt.space.from_unit(opt.X_unit))["coordinate"]


def test_conditional_space_switches_sub_space():
    space = [{"m": ["a"], "x": Real(0, 1)}, {"m": ["b"], "k": [1, 2]}]
    opt = CoordinateDescentOptimizer(space, random_state=0)
    run(opt, lambda c: c.get("x", 2.0), 12)
    best = opt.space.from_unit(opt.X_unit[[np.nanargmax(opt.y)]])[0]
    assert best["m"] == "b"


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_line": 0}, "n_line"), ({"shrink": 1.0}, "shrink"),
     ({"min_width": 0}, "min_width")],
)
def test_bad_options_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CoordinateDescentOptimizer({"a": Real(0, 1)}, **kwargs)


def test_batches_and_failures():
    opt = CoordinateDescentOptimizer({"a": Real(0, 1), "b": Real(0, 1)})
    run(opt, lambda c: np.nan, 5, batch=4)
    assert len(opt.y) == 20
