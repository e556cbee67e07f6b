"""Tests of the tree-structured Parzen estimator optimizer and its estimators."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import trapezoid

from sklearn_hpo.optimizers import RandomOptimizer
from sklearn_hpo.optimizers._tpe import TPEOptimizer, _optimizer, _parzen, default_gamma
from sklearn_hpo.optimizers._tpe._parzen import ParzenEstimator
from sklearn_hpo.space import Categorical, Integer, Real, as_search_space

MIXED = {
    "a": Real(0.0, 1.0),
    "b": Real(1e-3, 10.0, log=True),
    "n": Integer(1, 64),
    "c": ["u", "v", "w"],
}


def branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def run(opt, f, n_evals, batch=1):
    while opt.n_observations < n_evals:
        cands = opt.ask(min(batch, n_evals - opt.n_observations))
        opt.tell(cands, [f(c) for c in cands])
    return opt


# --------------------------------------------------------- Parzen estimators
@pytest.mark.parametrize("multivariate", [True, False])
@pytest.mark.parametrize(
    "obs", [[0.5], [0.0, 1.0], [0.02, 0.03, 0.04, 0.9], list(np.linspace(0, 1, 30))]
)
def test_continuous_density_is_normalised_on_the_unit_interval(multivariate, obs):
    pe = ParzenEstimator(
        np.array(obs)[:, None], [None], [0.01], multivariate=multivariate
    )
    grid = np.linspace(0.0, 1.0, 20001)[:, None]
    mass = trapezoid(np.exp(pe.log_pdf(grid)), grid[:, 0])
    assert mass == pytest.approx(1.0, abs=2e-3)
    # Truncated kernels: all draws stay in [0, 1], even from edge observations.
    s = pe.sample(2000, np.random.default_rng(0))
    assert s.min() >= 0.0 and s.max() <= 1.0


def test_joint_density_is_normalised_in_two_dimensions():
    rng = np.random.default_rng(0)
    X = rng.random((12, 2)) ** 2
    pe = ParzenEstimator(X, [None, None], [0.01, 0.01])
    g = np.linspace(0.0, 1.0, 401)
    G = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)
    dens = np.exp(pe.log_pdf(G)).reshape(401, 401)
    mass = trapezoid(trapezoid(dens, g, axis=1), g)
    assert mass == pytest.approx(1.0, abs=5e-3)


def test_kernels_are_truncated_not_leaking():
    # An observation at the edge keeps all its mass inside [0, 1]: its density
    # is that of a Gaussian truncated to [0, 1], not of an untruncated one.
    pe = ParzenEstimator(np.zeros((1, 1)), [None], [0.05], prior_weight=1e-9)
    sigma = pe.sigma[0, 0]
    expected = stats.truncnorm(0.0, 1.0 / sigma, scale=sigma).pdf(0.0)
    assert expected > 1.1 * stats.norm(scale=sigma).pdf(0.0)
    assert np.exp(pe.log_pdf(np.zeros((1, 1))))[0] == pytest.approx(expected, 1e-4)


@pytest.mark.parametrize("multivariate", [True, False])
def test_categorical_kernels_are_smoothed_and_normalised(multivariate):
    k = 4
    centres = (np.arange(k) + 0.5) / k
    X = np.array([[centres[1]], [centres[1]], [centres[1]], [centres[3]]])
    pe = ParzenEstimator(X, [k], [0.0], multivariate=multivariate)
    p = np.exp(pe.log_pdf(centres[:, None]))
    assert p.sum() == pytest.approx(1.0)
    assert p.min() > 0.0  # never-seen categories keep some mass
    assert np.argmax(p) == 1 and p[3] > p[0] == pytest.approx(p[2])
    s = pe.sample(4000, np.random.default_rng(0))
    freq = np.bincount(np.floor(s[:, 0] * k).astype(int), minlength=k) / 4000
    np.testing.assert_allclose(freq, p, atol=0.03)
    # With no observations the estimator is the uniform prior.
    empty = ParzenEstimator(np.empty((0, 1)), [k], [0.0])
    np.testing.assert_allclose(np.exp(empty.log_pdf(centres[:, None])), 1 / k)


def test_mixed_density_sums_to_one_over_categories():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.random(8), (rng.integers(0, 3, 8) + 0.5) / 3])
    for mv in (True, False):
        pe = ParzenEstimator(X, [None, 3], [0.01, 0.0], multivariate=mv)
        g = np.linspace(0, 1, 4001)
        total = 0.0
        for c in range(3):
            pts = np.column_stack([g, np.full_like(g, (c + 0.5) / 3)])
            total += trapezoid(np.exp(pe.log_pdf(pts)), g)
        assert total == pytest.approx(1.0, abs=2e-3)


def test_bandwidth_shrinks_with_more_clustered_observations():
    rng = np.random.default_rng(0)
    few = ParzenEstimator(0.3 + 0.01 * rng.random((3, 1)), [None], [0.001])
    many = ParzenEstimator(0.3 + 0.01 * rng.random((60, 1)), [None], [0.001])
    assert many.sigma[0] < few.sigma[0] <= 1.0
    floored = ParzenEstimator(np.full((500, 1), 0.3), [None], [0.05])
    assert floored.sigma[0] == pytest.approx(0.05)


def test_neighbour_bandwidths_are_the_wider_gap_to_the_neighbours():
    # Column 0: 0.2, 0.6, 0.5 -> the ends use their inner gap (0.3 and 0.1),
    # the middle one the wider of its two (0.3). Column 1: a lone
    # observation spans the wider side of the interval.
    gaps = _parzen._neighbour_gaps(np.array([[0.2], [0.6], [0.5]]))
    np.testing.assert_allclose(gaps[:, 0], [0.3, 0.1, 0.3])
    np.testing.assert_allclose(_parzen._neighbour_gaps(np.array([[0.2]])), [[0.8]])
    # Dense observations get narrow kernels, an isolated one a wide kernel;
    # the Scott rule gives every kernel of a column the same width.
    X = np.append(np.linspace(0.1, 0.16, 59), 0.8)[:, None]
    pe = ParzenEstimator(X, [None], [0.001], bandwidth="neighbours")
    np.testing.assert_allclose(pe.sigma[-2:, 0], 0.64)  # 0.16 and 0.8
    assert pe.sigma[:-2, 0].max() == pytest.approx(1 / 62)  # the magic clip
    scott = ParzenEstimator(X, [None], [0.001])
    assert np.ptp(scott.sigma) == 0.0
    # A small group keeps broad kernels: at least 1 / (n + 2) wide.
    few = ParzenEstimator(np.array([[0.3], [0.301], [0.302]]), [None], [0.001],
                          bandwidth="neighbours")
    np.testing.assert_allclose(few.sigma, 0.2)
    with pytest.raises(ValueError, match="bandwidth must be .* got 'silverman'"):
        ParzenEstimator(X, [None], [0.001], bandwidth="silverman")


@pytest.mark.parametrize("bandwidth", ["scott", "neighbours", "wider"])
def test_per_kernel_bandwidths_are_normalised_and_sampled(bandwidth):
    rng = np.random.default_rng(3)
    X = np.column_stack([np.append(0.02 * rng.random(20), 0.9),
                         (rng.integers(0, 8, 21) + 0.5) / 8])
    pe = ParzenEstimator(X, [None, None], [0.01, 1 / 8], n_cells=[None, 8],
                         bandwidth=bandwidth)
    g = np.linspace(0.0, 1.0, 4001)

    def mass(x):  # of column 0 in x, summed over column 1's eight values
        return sum(
            trapezoid(np.exp(pe.log_pdf(np.column_stack([x, np.full_like(x, c)]))), x)
            / 8
            for c in (np.arange(8) + 0.5) / 8
        )

    assert mass(g) == pytest.approx(1.0, abs=3e-3)
    # Draws follow the density: the share beyond 0.5 in column 0.
    s = pe.sample(20000, np.random.default_rng(0))
    assert np.mean(s[:, 0] > 0.5) == pytest.approx(mass(g[g > 0.5]), abs=0.01)


def test_wider_bandwidths_widen_scott_for_isolated_observations():
    # A cluster and one far observation: Scott's width inside the cluster,
    # the gap to the cluster for the far one.
    X = np.append(np.linspace(0.1, 0.2, 6), 0.9)[:, None]
    scott = ParzenEstimator(X, [None], [0.01])
    wider = ParzenEstimator(X, [None], [0.01], bandwidth="wider")
    np.testing.assert_allclose(wider.sigma[:5], scott.sigma[:5])
    np.testing.assert_allclose(wider.sigma[5:], 0.7)
    assert scott.sigma[0, 0] < 0.7


def test_the_good_and_bad_groups_bandwidth_rules(monkeypatch):
    # l(x) keeps Scott's widths widened by the gaps, g(x) the gaps with the
    # magic clip.
    seen = []

    class Recording(_optimizer.ParzenEstimator):
        def __init__(self, X, *args, bandwidth="scott", **kwargs):
            seen.append(bandwidth)
            super().__init__(X, *args, bandwidth=bandwidth, **kwargs)

    monkeypatch.setattr(_optimizer, "ParzenEstimator", Recording)
    opt = TPEOptimizer({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}, random_state=0)
    run(opt, lambda c: -(c["x"] - 0.3) ** 2 - (c["y"] - 0.6) ** 2, 30)
    assert seen[-2:] == ["wider", "neighbours"]


def test_does_not_stall_next_to_the_incumbent():
    # Levy's function has many local minima: a bad-group density too smooth
    # to mark where the search has been keeps TPE next to its incumbent.
    def levy(c):
        w = 1.0 + (np.array([c[f"x{i}"] for i in range(4)]) - 1.0) / 4.0
        head = np.sin(np.pi * w[0]) ** 2
        mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
        tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
        return -(head + mid + tail)

    space = {f"x{i}": Real(-10.0, 10.0) for i in range(4)}
    best = [run(TPEOptimizer(space, random_state=s), levy, 60).y.max()
            for s in range(8)]
    assert np.mean(best) > -0.7 and np.min(best) > -2.0


@pytest.mark.parametrize("spread", [0.02, 0.22])
def test_integer_kernels_give_each_value_the_mass_of_its_cell(spread):
    # Integer(1, 10): ten cells of width 0.1. The density is flat inside a
    # cell (only the value matters, not where in its cell a point fell) and
    # the ten masses sum to one, for kernels narrower than two cells (exact
    # masses) and wider ones (the density at the cell's centre).
    m = 10
    X = 0.5 + spread * np.arange(-2.0, 3.0)[:, None]
    pe = ParzenEstimator(X, [None], [1.0 / m], n_cells=[m])
    assert (pe.sigma * m < 2.0).any() == (spread < 0.1)
    inside = np.array([[0.41], [0.45], [0.49]])
    dens = np.exp(pe.log_pdf(inside))
    np.testing.assert_allclose(dens, dens[0])
    centres = (np.arange(m) + 0.5) / m
    total = np.sum(np.exp(pe.log_pdf(centres[:, None])) / m)
    assert total == pytest.approx(1.0, rel=1e-9 if spread < 0.1 else 1e-2)
    # Without cells (a real column) the density varies inside the cell.
    real = ParzenEstimator(X, [None], [1.0 / m])
    assert np.ptp(real.log_pdf(inside)) > 1e-3


def test_optimizer_models_integer_columns_by_cells():
    assert TPEOptimizer(MIXED)._cells == [None, None, 64, None]
    # A discrete scipy.stats distribution's cells follow its probabilities,
    # not equal widths: it stays continuous.
    assert TPEOptimizer({"k": stats.randint(0, 5)})._cells == [None]


def test_categorical_smoothing_fades_with_more_observations():
    # Each kernel adds prior_weight / (n + 1) to every category: a lone
    # observation is smoothed a lot, one among many little.
    k = 4
    centre = np.array([[1.5 / k]])
    few = ParzenEstimator(np.repeat(centre, 1, axis=0), [k], [0.0])
    many = ParzenEstimator(np.repeat(centre, 30, axis=0), [k], [0.0])
    p_few = np.exp(few.log_pdf(np.array([[0.5 / k]])))[0]
    p_many = np.exp(many.log_pdf(np.array([[0.5 / k]])))[0]
    assert p_many < p_few / 5
    # The kernel itself: observed category 1 + a, others a, over 1 + k a.
    a = 1.0 / 2
    assert few._off[0] == pytest.approx((k - 1) * a / (1 + k * a))


def test_observation_weights_shape_the_mixture():
    X = np.array([[0.1], [0.12], [0.88], [0.9]])
    pe = ParzenEstimator(X, [None], [0.01], weights=np.array([1.0, 1.0, 3.0, 3.0]))
    np.testing.assert_allclose(pe.weights, [1 / 9, 1 / 9, 3 / 9, 3 / 9, 1 / 9])
    right = np.mean(pe.sample(4000, np.random.default_rng(0)) > 0.5)
    even = ParzenEstimator(X, [None], [0.01]).sample(4000, np.random.default_rng(0))
    assert right > np.mean(even > 0.5) + 0.1


def test_recency_weights_of_the_bad_group():
    assert _optimizer._recency_weights(25) is None
    w = _optimizer._recency_weights(40)
    assert len(w) == 40 and w[0] == pytest.approx(1 / 40)
    assert np.all(np.diff(w) >= 0) and np.all(w[-25:] == 1.0)


def test_only_the_bad_group_is_weighted_by_recency(monkeypatch):
    seen = []

    class Recording(_optimizer.ParzenEstimator):
        def __init__(self, X, *args, weights=None, **kwargs):
            seen.append((len(X), weights))
            super().__init__(X, *args, weights=weights, **kwargs)

    monkeypatch.setattr(_optimizer, "ParzenEstimator", Recording)
    opt = TPEOptimizer({"x": Real(0.0, 1.0)}, n_initial_points=5, random_state=0)
    run(opt, lambda c: -abs(c["x"] - 0.3), 40)
    good, bad = seen[-2], seen[-1]
    assert good[1] is None
    assert bad[0] == 39 - default_gamma(39) and len(bad[1]) == bad[0]
    assert bad[1][0] < 0.1


# ------------------------------------------------------------------- split
def test_split_puts_failures_in_the_bad_group():
    opt = TPEOptimizer(MIXED, gamma=0.5)
    y = np.array([np.nan, 3.0, 1.0, np.nan, 2.0, 0.0])
    good = opt._split(y)
    np.testing.assert_array_equal(good, [False, True, False, False, True, False])
    assert not opt._split(np.full(5, np.nan)).any()


@pytest.mark.parametrize(
    "gamma, n, expected",
    [(None, 10, 1), (None, 60, 6), (None, 1000, 25), (0.25, 10, 3),
     (lambda n: int(np.sqrt(n)), 50, 7), (lambda n: 0, 5, 1), (lambda n: 99, 5, 5)],
)
def test_gamma_rules(gamma, n, expected):
    opt = TPEOptimizer(MIXED, gamma=gamma)
    assert opt._n_good(n) == expected
    assert opt._split(np.arange(float(n))).sum() == expected


def test_default_gamma():
    assert [default_gamma(n) for n in (1, 10, 11, 100, 250, 251, 10**6)] == [
        1, 1, 2, 10, 25, 25, 25
    ]


# --------------------------------------------------------------- optimizer
@pytest.mark.parametrize("multivariate", [True, False])
def test_univariate_and_multivariate_both_optimise(multivariate):
    space = as_search_space(MIXED)

    def f(c):
        u = space.to_unit([c])[0]
        return -float(np.sum((u - 0.3) ** 2))

    best = []
    for seed in range(3):
        opt = TPEOptimizer(
            MIXED, n_initial_points=8, multivariate=multivariate, random_state=seed
        )
        run(opt, f, 40)
        assert np.max(opt.y[8:]) > np.max(opt.y[:8])
        best.append(opt.y.max())
    assert np.mean(best) > -0.05


def test_batch_of_eight_is_distinct():
    opt = TPEOptimizer(MIXED, n_initial_points=5, random_state=0)
    run(opt, lambda c: c["a"], 10)
    batch = opt.ask(8)
    assert len(batch) == 8
    U = np.round(opt.space.to_unit(batch), 9)
    assert len({tuple(r) for r in U}) == 8


def test_propose_returns_extra_rows_best_first():
    opt = TPEOptimizer(BRANIN, n_initial_points=5, random_state=0)
    run(opt, lambda c: -branin(c["x1"], c["x2"]), 10)
    rows = opt._propose(3)
    assert rows.shape == (3 * opt.n_ei_candidates, 2)


def test_random_phase_before_n_initial_points():
    opt = TPEOptimizer(MIXED, n_initial_points=4, random_state=0)
    opt.tell(opt.ask(3), [np.nan, 1.0, 2.0])
    calls = []
    original = opt._tpe_draws
    opt._tpe_draws = lambda *a: calls.append(a) or original(*a)
    opt.ask(1)  # only 2 finite scores: still random
    assert not calls
    opt.tell(opt.ask(2), [0.5, 0.7])
    opt.ask(1)
    assert calls


def test_all_failed_scores_are_tolerated():
    opt = TPEOptimizer(MIXED, n_initial_points=3, random_state=0)
    run(opt, lambda c: np.nan, 12, batch=3)
    assert np.isnan(opt.y).all()
    assert len(opt.ask(4)) == 4
    # Also when the model is active but some scores are non-finite.
    opt.tell(opt.ask(3), [1.0, 2.0, 3.0])
    opt.tell(opt.ask(2), [-np.inf, np.inf])
    assert len(opt.ask(4)) == 4


def test_search_steers_away_from_failures():
    def f(c):
        return np.nan if c["x"] < 0.5 else -abs(c["x"] - 0.7)

    # Half the space fails: random search would put half its points there.
    share = []
    for seed in range(3):
        opt = TPEOptimizer({"x": Real(0.0, 1.0)}, n_initial_points=10,
                           random_state=seed)
        run(opt, f, 50)
        x = np.array([c["x"] for c in opt.space.from_unit(opt.X_unit[10:])])
        share.append(np.mean(x >= 0.5))
    assert np.mean(share) > 0.7


def test_categorical_only_space():
    spec = {
        "a": ["p", "q", "r", "s"],
        "b": [True, False],
        "c": Categorical([0, 1, 2, 3, 4]),
    }

    def f(c):
        return float((c["a"] == "r") + (c["b"] is False) + (c["c"] == 3))

    opt = TPEOptimizer(spec, n_initial_points=5, random_state=0)
    run(opt, f, 20, batch=2)
    assert opt.y.max() == 3.0
    keys = {tuple(r) for r in np.round(opt.X_unit, 9)}
    assert len(keys) == 20


def test_conditional_space_models_each_subspace_separately(monkeypatch):
    spec = [
        {"model": ["svc"], "C": Real(1e-3, 1e3, log=True), "kernel": ["rbf", "poly"]},
        {"model": ["knn"], "k": Integer(1, 50)},
    ]
    space = as_search_space(spec)
    sub_cols = [[j for j, c in enumerate(space.columns) if c.subspace == k]
                for k in range(2)]
    seen = []

    class Recording(_optimizer.ParzenEstimator):
        def __init__(self, X, n_choices, *args, **kwargs):
            seen.append((np.array(X), list(n_choices)))
            super().__init__(X, n_choices, *args, **kwargs)

    monkeypatch.setattr(_optimizer, "ParzenEstimator", Recording)

    def f(c):
        if c["model"] == "knn":
            return -abs(c["k"] - 20) / 50
        return -1.0 - abs(np.log10(c["C"]))

    opt = TPEOptimizer(spec, n_initial_points=6, random_state=0)
    run(opt, f, 30, batch=2)
    assert seen
    n_active = [int(np.sum(~np.isnan(opt.X_unit[:, cols[-1]]))) for cols in sub_cols]
    # Estimators come in (good, bad) pairs built from the same observations.
    for (Xl, n_choices), (Xg, n_choices_g) in zip(seen[::2], seen[1::2]):
        assert n_choices == n_choices_g
        # Inactive columns never reach a kernel.
        assert not np.isnan(Xl).any() and not np.isnan(Xg).any()
        if n_choices == [2]:  # the sub-space selector, modelled from all rows
            continue
        # A sub-space's estimators see its own columns and only its own rows.
        k = {3: 0, 2: 1}[len(n_choices)]
        assert n_choices == ([1, None, 2] if k == 0 else [1, None])
        assert len(Xl) + len(Xg) <= n_active[k]
    # The better sub-space (knn) is chosen most of the time after the start.
    models = [c["model"] for c in space.from_unit(opt.X_unit[10:])]
    assert models.count("knn") > len(models) / 2
    assert opt.y.max() > -0.05


def test_reproducible_with_a_seed():
    def f(c):
        return -branin(c["x1"], c["x2"])

    a = run(TPEOptimizer(BRANIN, n_initial_points=5, random_state=3), f, 15, 2)
    b = run(TPEOptimizer(BRANIN, n_initial_points=5, random_state=3), f, 15, 2)
    c = run(TPEOptimizer(BRANIN, n_initial_points=5, random_state=4), f, 15, 2)
    np.testing.assert_array_equal(a.X_unit, b.X_unit)
    assert not np.array_equal(a.X_unit, c.X_unit)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"n_initial_points": 2.5}, "n_initial_points"),
        ({"n_initial_points": True}, "n_initial_points"),
        ({"gamma": 0.0}, "gamma"),
        ({"gamma": 1.5}, "gamma"),
        ({"gamma": "sqrt"}, "gamma"),
        ({"n_ei_candidates": 0}, "n_ei_candidates"),
        ({"multivariate": "yes"}, "multivariate"),
        ({"prior_weight": 0.0}, "prior_weight"),
        ({"prior_weight": float("nan")}, "prior_weight"),
        ({"min_bandwidth": 0.0}, "min_bandwidth"),
        ({"min_bandwidth": 2.0}, "min_bandwidth"),
    ],
)
def test_bad_constructor_arguments_raise(kwargs, name):
    value = next(iter(kwargs.values()))
    with pytest.raises(ValueError, match=rf"^{name} .*got {value!r}"):
        TPEOptimizer(MIXED, **kwargs)


def test_beats_random_search_on_branin():
    def f(c):
        return -branin(c["x1"], c["x2"])

    tpe, rand = [], []
    for seed in range(4):
        tpe.append(run(TPEOptimizer(BRANIN, random_state=seed), f, 40).y.max())
        rand.append(run(RandomOptimizer(BRANIN, random_state=seed), f, 40).y.max())
    # Global optimum of -branin is -0.397887.
    assert np.mean(tpe) > np.mean(rand)
    assert np.mean(tpe) > -1.0
