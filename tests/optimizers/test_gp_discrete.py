"""The GP on scores with long tails and on discrete parameters."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import GPOptimizer
from sklearn_hpo.optimizers._gp._local_search import DiscreteNeighbours, local_search
from sklearn_hpo.optimizers._gp._warping import warp_scores
from sklearn_hpo.space import Categorical, Integer, Real, as_search_space


# ------------------------------------------------------------------ warping
def test_warping_keeps_the_order_and_standardises():
    rng = np.random.default_rng(0)
    y = -np.exp(rng.normal(size=50) * 2)  # a long tail of bad scores
    w = warp_scores(y)
    assert np.array_equal(np.argsort(y, kind="stable"), np.argsort(w, kind="stable"))
    assert abs(np.mean(w)) < 1e-9 and abs(np.std(w) - 1) < 1e-9


def test_warping_spreads_the_good_scores_apart_from_a_tail_of_bad_ones():
    # Five good candidates and two diverged ones: standardised as they are,
    # the good ones are within 0.1 of each other.
    y = np.array([-5.0, -5.5, -6.0, -6.5, -7.0, -200.0, -250.0])
    plain = (y - y.mean()) / y.std()
    w = warp_scores(y)
    assert np.ptp(w[:5]) > 2 * np.ptp(plain[:5])


def test_warping_is_close_to_the_identity_on_gaussian_scores():
    y = np.random.default_rng(1).normal(size=200)
    plain = (y - y.mean()) / y.std()
    assert np.max(np.abs(warp_scores(y) - plain)) < 0.15


@pytest.mark.parametrize("y", [[1.0, 1.0, 1.0], [0.0, 1.0], [3.0]])
def test_warping_degenerate_scores(y):
    w = warp_scores(np.array(y))
    assert np.all(np.isfinite(w)) and len(w) == len(y)


# ------------------------------------------------------------ local search
def _space():
    return as_search_space(
        {
            "c": Categorical(["a", "b", "c", "d"]),
            "n": Integer(1, 20),
            "x": Real(0.0, 1.0),
        }
    )


def test_neighbours_change_one_discrete_parameter():
    space = _space()
    nb = DiscreteNeighbours(space)
    u = space.to_unit([{"c": "b", "n": 10, "x": 0.3}])[0]
    rows = nb.of(u, np.random.default_rng(0))
    points = space.from_unit(rows)
    changed = [sorted(k for k in p if p[k] != {"c": "b", "n": 10, "x": 0.3}[k])
               for p in points]
    assert all(len(c) == 1 for c in changed)
    assert {p["c"] for p in points if changed[points.index(p)] == ["c"]} == {
        "a", "c", "d"
    }
    assert sorted(p["n"] for p in points if p["c"] == "b") == [
        2, 6, 8, 9, 11, 12, 14, 18
    ]
    assert all(p["x"] == pytest.approx(0.3) for p in points)  # reals stay


def test_neighbours_skip_the_selector_and_inactive_parameters():
    space = as_search_space(
        [{"k": Categorical(["p", "q", "r"])}, {"m": Integer(1, 5)}]
    )
    nb = DiscreteNeighbours(space)
    assert 0 not in nb.columns  # the selector
    u = space.to_unit([{"k": "q"}])[0]
    points = space.from_unit(nb.of(u, np.random.default_rng(0)))
    assert sorted(p["k"] for p in points) == ["p", "r"]


def test_local_search_climbs_to_the_best_combination():
    space = _space()
    nb = DiscreteNeighbours(space)

    def score(U):
        pts = space.from_unit(U)
        return np.array([-abs("abcd".index(p["c"]) - 2) - abs(p["n"] - 17)
                         for p in pts], dtype=float)

    start = space.to_unit([{"c": "a", "n": 1, "x": 0.5}])
    rows, values = local_search(
        nb, score, start, score(start), np.random.default_rng(0), max_steps=20
    )
    best = space.from_unit(rows[np.argmax(values)][None, :])[0]
    assert (best["c"], best["n"]) == ("c", 17)
    assert np.all(np.diff(values) > 0)  # each step improved


def test_gp_climbs_the_acquisition_over_discrete_values():
    # Four categoricals of 8 choices and two integers (4096 x 900 points),
    # with a single random candidate per ask: only the climb from it can
    # reach the best combination in 40 evaluations.
    space = {
        **{f"c{i}": Categorical(list("abcdefgh")) for i in range(4)},
        "n": Integer(1, 30),
        "m": Integer(1, 30),
    }
    target = {"c0": "b", "c1": "g", "c2": "d", "c3": "e", "n": 23, "m": 7}

    def f(p):
        return -sum(
            abs("abcdefgh".index(p[k]) - "abcdefgh".index(target[k]))
            for k in ("c0", "c1", "c2", "c3")
        ) - 0.2 * abs(p["n"] - 23) - 0.2 * abs(p["m"] - 7)

    found = []
    for seed in range(3):
        opt = GPOptimizer(space, n_samples=1, random_state=seed)
        for _ in range(40):
            batch = opt.ask()
            opt.tell(batch, [f(p) for p in batch])
        found.append(np.max(opt.y))
    # Without the climb: about -6 (-5.8, -6.6, -5.8 for these seeds).
    assert np.mean(found) > -3.0
