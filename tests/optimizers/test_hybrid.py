"""Mechanics of HybridOptimizer: the grid, round-robin, quotas."""

import numpy as np
import pytest

from sklearn_hpo.optimizers import HybridOptimizer
from sklearn_hpo.space import Integer, Real

SPACE = {"C": Real(0.1, 10, log=True), "kernel": ["rbf", "linear", "poly"]}


def test_grid_is_the_product_of_the_discrete_parameters():
    opt = HybridOptimizer(
        {**SPACE, "n": Integer(1, 3), "m": Integer(1, 100)},
        max_integer_grid=3, random_state=0,
    )
    assert opt.n_grid_points == 9
    points = {(p["kernel"], p["n"]) for p in opt.grid_points}
    assert len(points) == 9 and all(set(p) == {"kernel", "n"} for p in opt.grid_points)


def test_round_robin_covers_the_grid_in_every_prefix():
    opt = HybridOptimizer(SPACE, random_state=0)
    seen = []
    for _ in range(3):
        batch = opt.ask(2)
        opt.tell(batch, [0.0] * len(batch))
        seen += [c["kernel"] for c in batch]
    assert [seen.count(k) for k in ("rbf", "linear", "poly")] == [2, 2, 2]
    assert len({c["C"] for c in opt.space.from_unit(opt.X_unit)}) == 6


def test_candidate_info_indexes_grid_points_also_for_user_points():
    opt = HybridOptimizer(SPACE, random_state=0)
    batch = opt.ask(3)
    info = opt.candidate_info(batch)["grid_point"]
    assert sorted(info) == [0, 1, 2]
    for i, cand in zip(info, batch):
        assert opt.grid_points[i]["kernel"] == cand["kernel"]
    user = [{"C": 1.0, "kernel": "poly"}]
    (i,) = opt.candidate_info(user)["grid_point"]
    assert opt.grid_points[i] == {"kernel": "poly"}
    assert opt.candidate_info([]) == {"grid_point": []}


def test_quota_per_grid_point_ends_the_search():
    opt = HybridOptimizer(SPACE, n_per_grid_point=2, random_state=0)
    batch = opt.ask(4)
    opt.tell(batch, [1.0] * 4)
    batch = opt.ask(4)
    assert len(batch) == 2
    opt.tell(batch, [1.0] * 2)
    assert opt.ask(1) == []


def test_conditional_space_grid_and_no_discrete_parameters():
    opt = HybridOptimizer(
        [{"m": ["a"], "C": Real(1, 2)}, {"m": ["b"], "k": [1, 2]}], random_state=0
    )
    assert sorted(p["<subspace>"] for p in opt.grid_points) == [0, 1, 1]
    first = opt.ask(3)
    assert sorted(c["m"] for c in first) == ["a", "b", "b"]
    # Finite grid points are dropped once evaluated; the rest is sampled.
    opt.tell(first, [0.0] * 3)
    assert all(c["m"] == "a" for c in opt.ask(3))
    random_like = HybridOptimizer({"x": Real(0, 1)}, random_state=0)
    assert random_like.n_grid_points == 1 and len(random_like.ask(5)) == 5


@pytest.mark.parametrize(
    "kwargs, match",
    [({"max_integer_grid": -1}, "max_integer_grid"),
     ({"n_per_grid_point": 0}, "n_per_grid_point"),
     ({"sampling": "halton"}, "sampling")],
)
def test_bad_options_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HybridOptimizer(SPACE, **kwargs)


def test_nan_scores_are_fine():
    opt = HybridOptimizer(SPACE, random_state=0)
    batch = opt.ask(4)
    opt.tell(batch, [np.nan] * 4)
    assert len(opt.ask(4)) == 4


def test_huge_grid_is_refused_with_a_clear_error():
    space = {f"p{i}": list(range(10)) for i in range(6)}
    with pytest.raises(ValueError, match="1000000 points"):
        HybridOptimizer(space)


@pytest.mark.parametrize("n_kinds", [1, 4])
def test_sobol_sampling_stratifies_each_grid_point(n_kinds):
    # The first 8 candidates of each grid point fall in 8 different eighths of
    # the sampled parameter (a property of Sobol' points, not of random ones).
    space = {"x": Real(0.0, 1.0)}
    if n_kinds > 1:
        space["kind"] = list(range(n_kinds))
    opt = HybridOptimizer(space, random_state=0)
    cands = opt.ask(8 * n_kinds)
    for kind in range(n_kinds):
        xs = [c["x"] for c in cands if c.get("kind", 0) == kind]
        assert len(xs) == 8
        assert sorted(int(x * 8) for x in xs) == list(range(8))


def test_random_sampling_is_not_stratified():
    opt = HybridOptimizer({"x": Real(0.0, 1.0)}, sampling="random", random_state=0)
    strata = {int(c["x"] * 8) for c in opt.ask(8)}
    assert len(strata) < 8


def test_sobol_beats_random_sampling_on_average():
    # Best of 24 points on a peaked 4-D function, 30 seeds: quasi-random
    # points find higher values than independent ones.
    space = {f"x{i}": Real(0.0, 1.0) for i in range(4)}

    def best(sampling, seed):
        opt = HybridOptimizer(space, sampling=sampling, random_state=seed)
        xs = np.array([[c[f"x{i}"] for i in range(4)] for c in opt.ask(24)])
        return np.max(-np.sum((xs - 0.37) ** 2, axis=1))

    sobol = np.mean([best("sobol", s) for s in range(30)])
    rand = np.mean([best("random", s) for s in range(30)])
    assert sobol > rand


def test_sobol_sequence_is_followed_without_repeats_on_discrete_values():
    # Integer values snap several Sobol' points to one candidate: the repeats
    # are skipped and the sequence is followed (no random top-ups).
    from sklearn_hpo.utils._random import sobol_points

    space = {"a": Integer(0, 29)}
    for seed in range(3):
        opt = HybridOptimizer(space, random_state=seed)
        expected = []
        for u in sobol_points(1, opt._sobol_seed, 0, 1024)[:, 0]:
            value = opt.space.from_unit(np.array([[u]]))[0]["a"]
            if value not in expected:
                expected.append(value)
        got = []
        for _ in range(30):
            (cand,) = opt.ask()
            opt.tell([cand], [0.0])
            got.append(cand["a"])
        assert got == expected[:30]


@pytest.mark.parametrize("sampling", ["sobol", "random"])
def test_quota_per_grid_point_holds_when_duplicates_are_topped_up(sampling):
    space = {"k": ["x", "y", "z"], "a": Integer(0, 5)}
    for seed in range(30):
        opt = HybridOptimizer(
            space, n_per_grid_point=4, sampling=sampling, random_state=seed
        )
        kinds = []
        while cands := opt.ask():
            opt.tell(cands, [0.0] * len(cands))
            kinds += [c["k"] for c in cands]
        assert sorted(kinds) == sorted(["x", "y", "z"] * 4), seed


def test_refinement_beats_random_search_on_hartmann6():
    # 60 evaluations, 16 seeds: about 2.4-2.5 against 1.76 for random search
    # (scipy versions scramble Sobol' points differently).
    from sklearn_hpo.optimizers import RandomOptimizer
    from sklearn_hpo.utils._testing import hartmann6

    space = {f"x{i}": Real(0.0, 1.0) for i in range(6)}

    def best(opt):
        for _ in range(60):
            (c,) = opt.ask()
            opt.tell([c], [hartmann6([c[f"x{i}"] for i in range(6)])])
        return max(opt.y)

    ours = [best(HybridOptimizer(space, budget=60, random_state=s)) for s in range(16)]
    rand = [best(RandomOptimizer(space, random_state=s)) for s in range(16)]
    assert np.mean(ours) > np.mean(rand) + 0.3


def test_refinement_keeps_grid_values_and_quotas():
    space = {"k": ["x", "y", "z"], "a": Real(0.0, 1.0)}
    opt = HybridOptimizer(space, budget=12, n_per_grid_point=4, random_state=0)
    kinds = []
    while cands := opt.ask():
        opt.tell(cands, [float(c["k"] == "y") - abs(c["a"] - 0.3) for c in cands])
        kinds += [c["k"] for c in cands]
    assert sorted(kinds) == sorted(["x", "y", "z"] * 4)
    # The refinement phase (the last 6) works around the best grid point
    # until its quota is full.
    assert kinds[6:].count("y") >= 1


def test_refinement_batches_keep_quotas():
    space = {"k": ["x", "y", "z"], "a": Real(0.0, 1.0)}
    for seed in range(10):
        opt = HybridOptimizer(
            space, budget=15, n_per_grid_point=5, random_state=seed
        )
        kinds = []
        while cands := opt.ask(4):
            opt.tell(cands, [float(c["k"] == "y") + c["a"] for c in cands])
            kinds += [c["k"] for c in cands]
        assert sorted(kinds) == sorted(["x", "y", "z"] * 5), seed
