"""EvolutionaryOptimizer: generations, elitism, crossover validity, labels."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import EvolutionaryOptimizer
from sklearn_hpo.optimizers._evolutionary import default_population_size
from sklearn_hpo.space import Integer, Real, as_search_space

SPACE = {"x": Real(-5.0, 5.0), "y": Real(0.0, 1.0)}
CONDITIONAL = [
    {"kind": ["a"], "p": Real(0.0, 1.0), "q": Integer(1, 9)},
    {"kind": ["b"], "r": ["u", "v", "w"]},
]


def score(c):
    return -((c["x"] - 1.0) ** 2) - (c["y"] - 0.5) ** 2


def test_default_population_grows_with_the_budget():
    assert [default_population_size(b) for b in (10, 30, 50, 100, 1000)] == [
        4, 8, 10, 14, 20,
    ]


def test_one_generation_per_batch_with_labels():
    opt = EvolutionaryOptimizer(SPACE, population_size=5, random_state=0)
    for g in range(4):
        cands = opt.ask(5)
        assert opt.candidate_info(cands) == {"generation": [g] * 5}
        opt.tell(cands, [score(c) for c in cands])
    assert opt.generation == 3
    # One at a time, a generation still holds population_size candidates.
    opt = EvolutionaryOptimizer(SPACE, population_size=4, random_state=0)
    labels = []
    for _ in range(12):
        cands = opt.ask(1)
        labels += opt.candidate_info(cands)["generation"]
        opt.tell(cands, [score(c) for c in cands])
    assert labels == [0] * 4 + [1] * 4 + [2] * 4


def test_user_points_are_labelled_and_join_the_parents():
    opt = EvolutionaryOptimizer(SPACE, population_size=4, random_state=0)
    mine = [{"x": 1.0, "y": 0.5}]
    assert opt.candidate_info(mine) == {"generation": [-1]}
    opt.tell(mine, [0.0])
    first = opt.ask(4)  # generation 0 is filled up to population_size
    assert len(first) == 4
    opt.tell(first, [score(c) for c in first])
    opt.ask(1)
    assert 0 in opt._parents  # the user's point (the best, an elite)


def test_elites_are_always_parents():
    opt = EvolutionaryOptimizer(SPACE, population_size=4, n_elites=2, random_state=1)
    for _ in range(5):
        cands = opt.ask(4)
        opt.tell(cands, [score(c) for c in cands])
    opt.ask(1)
    top2 = set(np.argsort(-opt.y)[:2])
    assert top2 <= set(opt._parents)


def test_crossover_children_lie_between_parents_or_copy_across_subspaces():
    opt = EvolutionaryOptimizer(CONDITIONAL, crossover="uniform", random_state=0)
    space = opt.space
    a = space.snap(space.to_unit([{"kind": "a", "p": 0.2, "q": 3}]))[0]
    b = space.snap(space.to_unit([{"kind": "a", "p": 0.8, "q": 7}]))[0]
    c = space.snap(space.to_unit([{"kind": "b", "r": "v"}]))[0]
    for _ in range(20):
        child = opt._cross(a, b)
        assert all(child[j] in (a[j], b[j]) for j in (1, 2, 3))
        assert np.isnan(child[4:]).all()
        other = opt._cross(a, c)
        assert np.array_equal(other, a, equal_nan=True) or np.array_equal(
            other, c, equal_nan=True
        )
    opt = EvolutionaryOptimizer(CONDITIONAL, crossover="blend", random_state=0)
    kids = np.array([opt._cross(a, b) for _ in range(200)])
    assert (kids[:, 2:4] >= 0).all() and (kids[:, 2:4] <= 1).all()
    # BLX-0.5 reaches beyond the parents by half their distance.
    assert kids[:, 2].min() < a[2] - 0.1 and kids[:, 2].max() > b[2] + 0.1


def test_children_are_valid_in_a_conditional_space():
    opt = EvolutionaryOptimizer(CONDITIONAL, population_size=6, random_state=3)
    space = as_search_space(CONDITIONAL)
    for _ in range(5):
        cands = opt.ask(6)
        for c in cands:
            space.check_candidate(c)
        opt.tell(cands, [c.get("p", 0.0) + (c.get("r") == "w") for c in cands])


def test_failed_candidates_lose_tournaments():
    opt = EvolutionaryOptimizer(SPACE, tournament_size=2, random_state=0)
    f = np.array([np.nan, -np.inf, 1.0])
    f = np.nan_to_num(f, nan=-np.inf)
    wins = [opt._tournament(f) for _ in range(200)]
    assert set(wins) <= {0, 1, 2} and wins.count(2) > 100


def test_finds_the_optimum():
    opt = EvolutionaryOptimizer(SPACE, budget=60, random_state=0)
    for _ in range(6):
        cands = opt.ask(10)
        opt.tell(cands, [score(c) for c in cands])
    assert opt.y.max() > -0.1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"population_size": 1}, "population_size must be an int >= 2, got 1"),
        ({"tournament_size": 0}, "tournament_size must be an int >= 1, got 0"),
        ({"crossover": "one-point"}, r"crossover must be one of .* 'one-point'"),
        ({"crossover_prob": 1.5}, r"crossover_prob must be .* got 1.5"),
        ({"mutation_scale": 0}, r"mutation_scale must be .* got 0"),
        ({"mutation_prob": -1.0}, r"mutation_prob must be .* got -1.0"),
        ({"n_elites": -1}, "n_elites must be an int >= 0, got -1"),
    ],
)
def test_errors_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EvolutionaryOptimizer(SPACE, **kwargs)
