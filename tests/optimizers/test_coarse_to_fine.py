"""Tests of the coarse-to-fine optimizer: plan, boxes, levels and regions."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from sklearn_hpo.optimizers import (
    CoarseToFineOptimizer,
    RandomOptimizer,
    coarse_to_fine_plan,
)
from sklearn_hpo.optimizers._coarse_to_fine._boxes import (
    Box,
    coarse_grid,
    grid_in_box,
    make_box,
    merge_boxes,
)
from sklearn_hpo.space import Categorical, Integer, Real, as_search_space

MIXED = {
    "a": Real(0.0, 1.0),
    "b": Real(1e-3, 10.0, log=True),
    "n": Integer(1, 64),
    "c": ["u", "v", "w"],
}
BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def branin(c: dict) -> float:
    x1, x2 = c["x1"], c["x2"]
    b, k, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return -((x2 - b * x1**2 + k * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


def mixed_score(c: dict) -> float:
    a, b, n = c["a"], c["b"], c["n"]
    bonus = 1.0 if c["c"] == "v" else 0.0
    return -((a - 0.3) ** 2) - np.log10(b) ** 2 / 10 - abs(n - 20) / 64 + bonus


def run(opt, f, n_evals, batch=1):
    asked, infos = [], []
    while opt.n_observations < n_evals:
        cands = opt.ask(min(batch, n_evals - opt.n_observations))
        infos.append(opt.candidate_info(cands))
        opt.tell(cands, [f(c) for c in cands])
        asked += cands
    levels = sum((i["level"] for i in infos), [])
    regions = sum((i["region"] for i in infos), [])
    return asked, np.array(levels), np.array(regions)


# ------------------------------------------------------------------- plan
def test_plan_splits_the_budget_exactly():
    for budget in [1, 2, 3, 5, 10, 20, 30, 40, 50, 100, 200, 1000]:
        plan = coarse_to_fine_plan(budget)
        assert plan.n_coarse >= 1 and all(s >= 1 for s in plan.level_sizes)
        assert plan.targets()[-1] == max(budget, 1 + plan.n_levels)
        assert 0 < plan.zoom < 1 and plan.top_k >= 1


def test_plan_respects_user_choices():
    plan = coarse_to_fine_plan(40, n_levels=3, top_k=0.2, zoom=0.5)
    assert plan.n_levels == 3 and plan.top_k == 0.2 and plan.zoom == 0.5
    assert plan.n_coarse + sum(plan.level_sizes) == 40
    assert max(plan.level_sizes) - min(plan.level_sizes) <= 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"budget": 0}, "budget must be an int >= 1, got 0"),
        ({"budget": 10, "n_levels": 0}, "n_levels must be an int >= 1, got 0"),
        ({"budget": 10, "top_k": 0}, "top_k must be an int >= 1, got 0"),
        ({"budget": 10, "top_k": 1.5}, r"top_k must be an int >= 1 or a float in"),
        ({"budget": 10, "zoom": 1.0}, r"zoom must be a finite real number in \(0"),
        ({"budget": 10, "zoom": True}, "zoom must be a finite real number"),
    ],
)
def test_plan_errors_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        coarse_to_fine_plan(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fine": "sobol"}, r"fine must be one of \['random', 'grid'\], got 'sobol'"),
        ({"coarse": "lhs"}, r"coarse must be one of .*, got 'lhs'"),
        ({"budget": -1}, "budget must be an int >= 1, got -1"),
    ],
)
def test_optimizer_errors_name_the_parameter_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CoarseToFineOptimizer(BRANIN, **kwargs)


# ------------------------------------------------------------------ boxes
def test_log_scales_stay_log_and_integers_stay_integers():
    space = as_search_space(
        {"C": Real(1e-3, 1e3, log=True), "k": Integer(1, 1000, log=True)}
    )
    centre = space.to_unit([{"C": 1.0, "k": 30}])[0]
    box = make_box(space, centre, 0.1)
    (c_lo, k_lo), (c_hi, k_hi) = (
        list(space.from_unit(box.lower[None])[0].values()),
        list(space.from_unit(box.upper[None])[0].values()),
    )
    # symmetric in log space: 1e-3..1e3 spans 6 decades, 0.1 of it is 0.6
    assert c_lo == pytest.approx(10**-0.6) and c_hi == pytest.approx(10**0.6)
    assert c_lo * c_hi == pytest.approx(1.0)
    assert isinstance(k_lo, int) and isinstance(k_hi, int)
    assert k_lo < 30 < k_hi and k_hi / 30 == pytest.approx(30 / k_lo, rel=0.1)


def test_integer_box_reaches_the_neighbouring_values():
    space = as_search_space({"n": Integer(1, 1000)})
    centre = space.to_unit([{"n": 500}])[0]
    box = make_box(space, centre, 1e-9)
    values = {c["n"] for c in space.from_unit(grid_in_box(space, box, 9, _rng()))}
    assert values == {499, 500, 501}
    edge = make_box(space, space.to_unit([{"n": 1}])[0], 1e-9)
    values = {c["n"] for c in space.from_unit(grid_in_box(space, edge, 9, _rng()))}
    assert values == {1, 2}


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_categorical_columns_are_fixed_and_inactive_columns_stay_nan():
    space = as_search_space(
        [{"m": ["svc"], "C": Real(0.1, 10.0), "k": ["rbf", "poly"]},
         {"m": ["knn"], "n": Integer(1, 30)}]
    )
    centre = space.snap(space.to_unit([{"m": "svc", "C": 1.0, "k": "poly"}]))[0]
    box = make_box(space, centre, 0.3)
    cols = {c.name: j for j, c in enumerate(space.columns)}
    assert box.lower[0] == box.upper[0]  # the sub-space selector
    assert box.lower[cols["k"]] == box.upper[cols["k"]]
    assert np.isnan(box.lower[cols["n"]]) and np.isnan(box.upper[cols["n"]])
    assert list(box.free_columns()) == [cols["C"]]


def test_overlapping_boxes_merge_into_their_bounding_box():
    a = Box(np.array([0.1, 0.1, 0.5]), np.array([0.3, 0.3, 0.5]), rank=0)
    b = Box(np.array([0.2, 0.25, 0.5]), np.array([0.4, 0.5, 0.5]), rank=1)
    far = Box(np.array([0.7, 0.7, 0.5]), np.array([0.9, 0.9, 0.5]), rank=2)
    other_cat = Box(np.array([0.2, 0.2, 0.1]), np.array([0.3, 0.3, 0.1]), rank=3)
    merged = merge_boxes([a, b, far, other_cat])
    assert len(merged) == 3
    np.testing.assert_allclose(merged[0].lower, [0.1, 0.1, 0.5])
    np.testing.assert_allclose(merged[0].upper, [0.4, 0.5, 0.5])
    assert merged[0].weight == 2 and [m.rank for m in merged] == [0, 2, 3]
    # chains merge too: a-b overlap, b-c overlap, a-c do not
    c = Box(np.array([0.35, 0.45, 0.5]), np.array([0.6, 0.6, 0.5]), rank=4)
    assert len(merge_boxes([a, b, c])) == 1


def test_fine_grid_is_a_regular_grid_in_the_box():
    space = as_search_space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    box = Box(np.array([0.2, 0.4]), np.array([0.5, 0.7]))
    G = grid_in_box(space, box, 9, _rng())
    expected = 0.2 + (np.arange(3) + 0.5) / 3 * 0.3
    assert sorted(set(np.round(G[:, 0], 12))) == pytest.approx(expected)
    assert sorted(set(np.round(G[:, 1], 12))) == pytest.approx(expected + 0.2)
    assert len(G) == 9
    # fewer points than 2 ** d: a random subset of the 2-per-axis grid
    assert len(grid_in_box(space, box, 3, _rng())) == 4


def test_lists_only_coarse_stage_is_the_grid():
    grid = {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}
    space = as_search_space(grid)
    assert len(np.unique(coarse_grid(space, 4, _rng()), axis=0)) == 6
    opt = CoarseToFineOptimizer(grid, budget=6, random_state=0)
    asked, levels, regions = run(opt, lambda c: c["C"], 6, batch=2)
    assert len({(c["C"], c["kernel"]) for c in asked}) == 6


# ---------------------------------------------------------- levels, regions
def test_levels_follow_the_plan_and_boxes_shrink():
    opt = CoarseToFineOptimizer(BRANIN, budget=40, random_state=0)
    plan = opt.plan
    asked, levels, regions = run(opt, branin, 40)
    counts = np.bincount(levels)
    assert counts[0] == plan.n_coarse and list(counts[1:]) == list(plan.level_sizes)
    assert np.all(np.diff(levels) >= 0)
    assert np.all(regions[levels == 0] == -1) and np.all(regions[levels > 0] >= 0)
    for r in opt.regions:
        width = r.upper - r.lower
        # a box never exceeds its centres' span plus 2 * half-width
        assert np.all(width <= 2 * 0.5 * plan.zoom**r.level * r.n_centres + 1e-12)
    widest = [
        max((r.upper - r.lower).max() for r in opt.regions if r.level == lv)
        for lv in range(1, plan.n_levels + 1)
    ]
    assert all(w2 < w1 for w1, w2 in zip(widest, widest[1:]))
    assert [r.region for r in opt.regions] == list(range(len(opt.regions)))


@pytest.mark.parametrize("fine", ["random", "grid"])
def test_fine_candidates_lie_in_their_region(fine):
    opt = CoarseToFineOptimizer(MIXED, budget=30, fine=fine, random_state=1)
    asked, levels, regions = run(opt, mixed_score, 30, batch=3)
    U = opt.space.snap(opt.space.to_unit(asked))
    for u, lv, r in zip(U, levels, regions):
        if lv == 0:
            continue
        reg = opt.regions[r]
        assert reg.level == lv
        box = Box(reg.lower, reg.upper)
        assert box.contains(u)[0]
    for c, r in zip(asked, regions):
        if r >= 0:  # categorical fixed to the region's value
            assert c["c"] == opt.regions[r].params["c"]
            assert isinstance(c["n"], int)


def test_failed_candidates_are_never_zoomed_on():
    # the best region of the space fails: x > 0.6 scores NaN
    def f(c):
        return np.nan if c["x"] > 0.6 else c["x"] + c["y"]

    spec = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    opt = CoarseToFineOptimizer(spec, budget=30, random_state=0)
    run(opt, f, 30)
    assert np.isnan(opt.y).any()
    for r in opt.regions:
        assert np.isfinite(r.best_score)
    assert np.nanmax(opt.y) > 1.3


def test_all_failed_then_levels_sample_the_whole_space():
    opt = CoarseToFineOptimizer(BRANIN, budget=12, random_state=0)
    asked, levels, regions = run(opt, lambda c: np.nan, 12)
    assert opt.regions == [] and set(regions) == {-1}
    assert len({tuple(c.values()) for c in asked}) == 12


def test_beyond_the_budget_it_keeps_zooming():
    opt = CoarseToFineOptimizer(BRANIN, budget=20, random_state=0)
    asked, levels, _ = run(opt, branin, 60)
    assert levels.max() > opt.plan.n_levels + 2
    last = [r for r in opt.regions if r.level == levels.max()]
    assert max((r.upper - r.lower).max() for r in last) < 0.02


def test_top_k_fraction_and_merging_in_a_run():
    opt = CoarseToFineOptimizer(BRANIN, budget=30, top_k=0.5, random_state=0)
    run(opt, branin, 30)
    n_coarse = opt.plan.n_coarse
    assert sum(r.n_centres for r in opt.regions if r.level == 1) == n_coarse // 2


def test_parallel_asks_stay_in_the_level_until_results_are_told():
    opt = CoarseToFineOptimizer(BRANIN, budget=20, random_state=0)
    n0 = opt.plan.n_coarse
    first = opt.ask(n0)
    more = opt.ask(3)  # level 0 not told yet: still coarse candidates
    assert opt.candidate_info(more)["level"] == [0, 0, 0]
    opt.tell(first + more, [branin(c) for c in first + more])
    nxt = opt.ask(2)
    assert opt.candidate_info(nxt)["level"] == [1, 1]


def test_a_level_waiting_too_long_starts_anyway():
    opt = CoarseToFineOptimizer(BRANIN, budget=20, random_state=0)
    n0, n1 = opt.plan.n_coarse, opt.plan.level_sizes[0]
    cands = opt.ask(n0)
    opt.tell(cands[:-1], [branin(c) for c in cands[:-1]])  # one never told
    waiting = opt.ask(n1 + 1)
    assert set(opt.candidate_info(waiting)["level"]) == {0}
    assert set(opt.candidate_info(opt.ask(1))["level"]) == {1}


def test_conditional_space_boxes_fix_the_subspace():
    spec = [
        {"m": ["a"], "x": Real(0.0, 1.0)},
        {"m": ["b"], "x": Real(0.0, 1.0), "k": Integer(1, 10)},
    ]

    def f(c):
        return c["x"] + (1.0 if c["m"] == "b" else 0.0)

    opt = CoarseToFineOptimizer(spec, budget=24, top_k=1, random_state=0)
    asked, levels, regions = run(opt, f, 24)
    assert all(c["m"] == "b" for c, lv in zip(asked, levels) if lv > 0)
    assert all(r.params["m"] == "b" for r in opt.regions)


def test_beats_random_on_branin_over_seeds():
    ours, rand = [], []
    for seed in range(5):
        asked, _, _ = run(CoarseToFineOptimizer(BRANIN, budget=30, random_state=seed),
                          branin, 30)
        ours.append(max(map(branin, asked)))
        r = RandomOptimizer(BRANIN, random_state=seed)
        rand.append(max(map(branin, r.ask(30))))
    assert np.mean(ours) > np.mean(rand)


def test_reproducible_and_picklable_mid_level():
    a = CoarseToFineOptimizer(MIXED, budget=20, fine="grid", random_state=3)
    run(a, mixed_score, 9, batch=3)
    b = pickle.loads(pickle.dumps(a))
    assert a.ask(4) == b.ask(4)
    assert a.candidate_info(a.ask(2)) == b.candidate_info(b.ask(2))


def test_candidate_info_has_the_same_keys_every_call():
    opt = CoarseToFineOptimizer(MIXED, budget=10, random_state=0)
    assert opt.candidate_info([]) == {"level": [], "region": []}
    cands = opt.ask(3)
    assert set(opt.candidate_info(cands)) == {"level", "region"}
    assert opt.candidate_info([{"a": 0.5, "b": 1.0, "n": 3, "c": "u"}]) == {
        "level": [0], "region": [-1]
    }


def test_regions_describe_bounds_in_parameter_values():
    opt = CoarseToFineOptimizer(MIXED, budget=20, random_state=0)
    run(opt, mixed_score, 20)
    reg = opt.regions[0]
    assert set(reg.params) == {"a", "b", "n", "c"}
    lo, hi = reg.params["b"]
    assert 1e-3 <= lo < hi <= 10.0
    assert reg.params["c"] in ("u", "v", "w")
    assert isinstance(Categorical(["u"]).choices, tuple)
