"""The conformance suite every optimizer passes, present and future.

Register a new optimizer in ``OPTIMIZERS``; nothing else is needed.
"""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.svm import SVC

from sklearn_hpo import optimizers
from sklearn_hpo.optimizers import SearchSpaceExhaustedWarning
from sklearn_hpo.space import Categorical, Integer, Real, as_search_space

OPTIMIZERS = {
    "random": lambda space, seed: optimizers.RandomOptimizer(space, random_state=seed),
    "gp": lambda space, seed: optimizers.GPOptimizer(
        space, n_initial_points=5, random_state=seed
    ),
    "tpe": lambda space, seed: optimizers.TPEOptimizer(
        space, n_initial_points=5, random_state=seed
    ),
    "coarse_to_fine": lambda space, seed: optimizers.CoarseToFineOptimizer(
        space, budget=20, random_state=seed
    ),
    "coarse_to_fine_grid": lambda space, seed: optimizers.CoarseToFineOptimizer(
        space, budget=20, fine="grid", coarse="grid", random_state=seed
    ),
    "annealing": lambda space, seed: optimizers.AnnealingOptimizer(
        space, budget=20, random_state=seed
    ),
    "evolutionary": lambda space, seed: optimizers.EvolutionaryOptimizer(
        space, budget=20, random_state=seed
    ),
    "particle_swarm": lambda space, seed: optimizers.ParticleSwarmOptimizer(
        space, budget=20, random_state=seed
    ),
    "hybrid": lambda space, seed: optimizers.HybridOptimizer(
        space, max_integer_grid=5, random_state=seed
    ),
    "coordinate": lambda space, seed: optimizers.CoordinateDescentOptimizer(
        space, random_state=seed
    ),
    "spsa": lambda space, seed: optimizers.SPSAOptimizer(
        space, budget=20, random_state=seed
    ),
}

SVC_EST = SVC()

SPACES = {
    "real": {"a": Real(-2.0, 3.0), "b": Real(1e-4, 1e2, log=True)},
    "integer": {"n": Integer(1, 1000, log=True), "m": Integer(-3, 40)},
    "categorical": {
        "c": Categorical(["x", None, SVC_EST, len]),
        "d": [True, False],
        "e": [1, 2.5, "3", (4,), 5],
    },
    "scipy": {
        "lr": stats.loguniform(1e-4, 1),
        "z": stats.norm(0, 2),
        "k": stats.randint(2, 30),
    },
    "mixed": {
        "a": Real(0.0, 1.0),
        "b": Real(1e-3, 10, log=True),
        "n": Integer(1, 64, log=True),
        "c": ["u", "v", "w"],
    },
    "conditional": [
        {"model": ["svc"], "C": Real(1e-3, 1e3, log=True), "kernel": ["rbf", "poly"]},
        {"model": ["knn"], "k": Integer(1, 50)},
        {"model": ["tree"], "depth": stats.randint(1, 20), "crit": ["gini", "entropy"]},
    ],
}


def objective(space, cand):
    """A deterministic score with one optimum per sub-space."""
    u = space.to_unit([cand])[0]
    return float(-np.nansum((u - 0.3) ** 2))


def is_valid(space, cand):
    try:
        k = space.subspace_of(cand)
    except ValueError:
        return False
    for name, dim in space.subspaces[k].items():
        v = cand[name]
        if dim.kind == "categorical":
            if not any(v is c for c in dim.choices):
                return False
        elif dim.kind == "integer":
            if not isinstance(v, int):
                return False
        if hasattr(dim, "low") and not dim.low <= v <= dim.high:
            return False
    return True


def run(make, spec, seed, n_evals=24, batch=3, failures=()):
    space = as_search_space(spec)
    opt = make(space, seed)
    history = []
    while len(history) < n_evals:
        cands = opt.ask(min(batch, n_evals - len(history)))
        assert cands, "the space ran out; use a larger one in this test"
        scores = [
            np.nan if (len(history) + i) in failures else objective(space, c)
            for i, c in enumerate(cands)
        ]
        opt.tell(cands, scores)
        history += cands
    return space, opt, history


def keys(space, cands):
    U = np.round(np.nan_to_num(space.to_unit(cands), nan=-1), 9)
    return [tuple(r) for r in U]


def ask_every_point(opt, n, batch, score):
    """Ask (``batch`` at a time) and tell until ``n`` candidates, a finite
    space's every point: none may stay pending, nor the space run out early."""
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", SearchSpaceExhaustedWarning)
        while len(seen) < n:
            cands = opt.ask(min(batch, n - len(seen)))
            seen += cands
            opt.tell(cands, [score(c) for c in cands])
            assert not opt._pending
    return seen


@pytest.fixture(params=sorted(OPTIMIZERS))
def make(request):
    return OPTIMIZERS[request.param]


@pytest.mark.parametrize("space_name", sorted(SPACES))
def test_distinct_valid_proposals_on_every_space_type(make, space_name):
    space, opt, history = run(make, SPACES[space_name], seed=0)
    assert len(history) == 24
    assert all(is_valid(space, c) for c in history), history
    assert len(set(keys(space, history))) == len(history)
    assert opt.n_observations == 24


@pytest.mark.parametrize("batch", [1, 2, 5, 8])
def test_batches_are_distinct_and_sized(make, batch):
    space = as_search_space(SPACES["mixed"])
    opt = make(space, 1)
    seen = []
    for _ in range(3):
        cands = opt.ask(batch)
        assert len(cands) == batch
        seen += cands
        opt.tell(cands, [objective(space, c) for c in cands])
    assert len(set(keys(space, seen))) == len(seen)


def test_pending_candidates_are_not_proposed_again(make):
    space = as_search_space(SPACES["mixed"])
    opt = make(space, 2)
    first = opt.ask(6)
    opt.tell(first, [objective(space, c) for c in first])
    a, b = opt.ask(4), opt.ask(4)  # b asked while a is still pending
    assert len(set(keys(space, first + a + b))) == 14


def test_reproducible_with_a_seed(make):
    _, _, h1 = run(make, SPACES["conditional"], seed=7, n_evals=16)
    _, _, h2 = run(make, SPACES["conditional"], seed=7, n_evals=16)
    _, _, h3 = run(make, SPACES["conditional"], seed=8, n_evals=16)
    assert h1 == h2
    assert h1 != h3


def test_failed_evaluations_never_crash(make):
    failures = set(range(0, 30, 2))
    space, opt, history = run(make, SPACES["mixed"], 3, n_evals=30, failures=failures)
    assert np.isnan(opt.y).sum() == len(failures)
    # -inf and +inf are failures too
    cands = opt.ask(2)
    opt.tell(cands, [-np.inf, np.inf])
    assert np.isnan(opt.y[-2:]).all()
    assert len(opt.ask(3)) == 3


def test_all_failed_evaluations(make):
    space, opt, history = run(
        make, SPACES["real"], 4, n_evals=15, failures=set(range(15))
    )
    assert np.isnan(opt.y).all()
    assert len(opt.ask(2)) == 2


def test_finite_space_is_exhausted_with_a_warning(make):
    spec = {"a": [1, 2, 3], "b": Integer(0, 3), "c": [None, "x"]}
    space = as_search_space(spec)
    opt = make(space, 5)
    seen = ask_every_point(opt, 24, 5, lambda c: objective(space, c))
    assert len(set(keys(space, seen))) == 24 == space.size
    with pytest.warns(
        SearchSpaceExhaustedWarning,
        match=r"only 24 distinct candidates; all have been proposed, so "
        r"ask\(1\) returns 0 new candidates\.",
    ):
        assert opt.ask(1) == []


def test_overlapping_sub_spaces_are_searched_without_repeats_or_stalls(make):
    # Sub-spaces that share names and values: a point both hold is one
    # candidate. It used to be asked in one sub-space and told in the other,
    # so it stayed pending for ever (the population strategies then waited
    # on it and stopped moving) and was proposed again from its other form.
    space = as_search_space([{"a": Integer(1, 6)}, {"a": Integer(4, 9)}])
    assert space.size == 9
    seen = ask_every_point(make(space, 0), 9, 2, lambda c: -abs(c["a"] - 5))
    assert sorted(c["a"] for c in seen) == list(range(1, 10))
    continuous = as_search_space([{"x": Real(0, 2)}, {"x": Real(1, 3)}])
    opt = make(continuous, 0)
    for _ in range(12):
        cands = opt.ask(2)
        opt.tell(cands, [-((c["x"] - 1.5) ** 2) for c in cands])
        assert not opt._pending


@pytest.mark.parametrize(
    "spec",
    [
        [{"a": Integer(1, 3)}, {"a": Integer(3, 5)}],  # touching bounds
        [{"a": [1, 2, 3]}, {"a": Integer(3, 5)}],  # a choice in a range
        [{"a": [1, 2, 3]}, {"a": stats.randint(3, 6)}],
        # Far from 0: 10**9 + 1 is not 10**9 (a float tolerance said it was).
        [{"a": Integer(10**9 - 2, 10**9)}, {"a": Integer(10**9 + 1, 10**9 + 2)}],
    ],
    ids=["touching", "choice_in_range", "choice_in_randint", "large_ints"],
)
def test_sub_spaces_sharing_a_boundary_point(make, spec):
    space = as_search_space(spec)
    rows = np.vstack([space.enumerate_subspace(k) for k in range(2)])
    values = sorted({c["a"] for c in space.from_unit(rows)})
    assert space.size == len(values)
    seen = ask_every_point(make(space, 0), len(values), 1, lambda c: float(c["a"]))
    assert sorted(c["a"] for c in seen) == values


def test_an_empty_space_has_one_candidate(make):
    opt = make(as_search_space({}), 0)
    with pytest.warns(SearchSpaceExhaustedWarning, match="only 1 distinct candidate;"):
        assert opt.ask(3) == [{}]
    opt.tell([{}], [1.0])
    assert opt.ask(1) == []


@pytest.mark.parametrize(
    "spec", [[{}, {"a": Real(0.0, 1.0)}], [{"a": [1, 2]}, {}], [{}, {}]]
)
def test_empty_sub_spaces_next_to_others(make, spec):
    # GridSearchCV accepts [{}, {...}]: the defaults, then the grid.
    space = as_search_space(spec)
    opt = make(space, 0)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SearchSpaceExhaustedWarning)
        for _ in range(8):
            cands = opt.ask(2)
            if not cands:
                break
            seen += cands
            opt.tell(cands, [float(c.get("a", 0.5)) for c in cands])
    assert {} in seen
    assert len(set(keys(space, seen))) == len(seen)


def test_tell_accepts_candidates_that_were_not_asked(make):
    space = as_search_space(SPACES["mixed"])
    opt = make(space, 6)
    manual = [{"a": 0.3, "b": 0.01, "n": 4, "c": "v"}]
    opt.tell(manual, [1.0])
    cands = opt.ask(8)
    assert manual[0] not in cands


@pytest.mark.parametrize(
    "candidate, match",
    [
        ({"a": 5.0, "b": 0.01}, "has a=5.0"),
        ({"a": np.nan, "b": 0.01}, "has a=nan"),
        ({"a": 0.5, "b": 1e9}, "has b=1000000000.0"),
        ({"a": 0.5}, r"lacks \['b'\]"),
    ],
)
def test_tell_rejects_values_outside_the_space(make, candidate, match):
    # They were clipped (NaN became the centre): the score was recorded
    # against another point than the one evaluated.
    opt = make(as_search_space(SPACES["real"]), 0)
    with pytest.raises(ValueError, match=rf"candidates\[0\] {match}"):
        opt.tell([candidate], [1.0])
    assert opt.n_observations == 0


def test_tell_names_a_value_that_is_not_a_choice(make):
    opt = make(as_search_space({"k": ["a", "b"], "x": Real(0, 1)}), 0)
    with pytest.raises(ValueError, match=r"candidates\[1\] has k='c', which is not"):
        opt.tell([{"k": "a", "x": 0.5}, {"k": "c", "x": 0.5}], [1.0, 2.0])


def test_tell_validates_lengths(make):
    opt = make(as_search_space(SPACES["real"]), 0)
    cands = opt.ask(2)
    with pytest.raises(ValueError, match="2 candidates but 1 scores"):
        opt.tell(cands, [1.0])
    with pytest.raises(ValueError, match="n_candidates must be an int >= 1, got 0"):
        opt.ask(0)


def test_optimizer_is_picklable_mid_search(make):
    import pickle

    space, opt, _ = run(make, SPACES["mixed"], 9, n_evals=12)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.ask(2) == opt.ask(2)
