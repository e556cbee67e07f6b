"""Tests of the Gaussian-process optimizer and its parts (model, acquisition).

The generic ask/tell contract is checked by ``test_conformance.py``; these
tests cover what is specific to Bayesian optimisation with a GP.
"""

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import norm

from sklearn_hpo.optimizers import RandomOptimizer
from sklearn_hpo.optimizers._gp import GaussianProcess, GPOptimizer
from sklearn_hpo.optimizers._gp._acquisition import (
    expected_improvement,
    log_expected_improvement,
    log_probability_of_improvement,
    probability_of_improvement,
    upper_confidence_bound,
)
from sklearn_hpo.optimizers._gp._encoding import Encoder
from sklearn_hpo.optimizers._gp._subset import model_subset
from sklearn_hpo.space import Categorical, Integer, Real, as_search_space
from sklearn_hpo.utils._testing import BRANIN_MAX, branin

MIXED = {
    "a": Real(0.0, 1.0),
    "b": Real(1e-3, 10, log=True),
    "n": Integer(1, 64, log=True),
    "c": ["u", "v", "w"],
}
CONDITIONAL = [
    {"model": ["svc"], "C": Real(1e-3, 1e3, log=True), "kernel": ["rbf", "poly"]},
    {"model": ["knn"], "k": Integer(1, 50)},
]
BRANIN_SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def unit_objective(space, cand):
    """A smooth score with its maximum at 0.3 in every active unit column."""
    u = space.to_unit([cand])[0]
    return float(-np.nansum((u - 0.3) ** 2))


def search(opt, score, n_evals, batch=1):
    history, scores = [], []
    while len(history) < n_evals:
        cands = opt.ask(min(batch, n_evals - len(history)))
        s = [score(c) for c in cands]
        opt.tell(cands, s)
        history += cands
        scores += s
    return history, np.array(scores)


# ---------------------------------------------------------------- GP model
def _toy_data(n=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2
    return X, y


def test_gp_interpolates_noiseless_data():
    X, y = _toy_data()
    gp = GaussianProcess(np.arange(3), 3).fit(X, y, np.random.default_rng(0))
    mu, sd = gp.predict(X)
    assert np.allclose(mu * gp.y_scale_ + gp.y_mean_, y, atol=1e-2)
    assert sd.max() < 0.05
    # Far from the data the model is uncertain.
    _, sd_far = gp.predict(np.full((1, 3), 3.0))
    assert sd_far[0] > 0.5


def test_log_marginal_likelihood_gradient_matches_finite_differences():
    X, y = _toy_data(n=20)
    groups = np.array([0, 1, 1])  # a two-feature group, as a one-hot categorical
    gp = GaussianProcess(groups, 2)
    ys = (y - y.mean()) / y.std()
    for theta in gp.sample_theta(np.random.default_rng(1), 3):
        value, grad = gp.log_marginal_likelihood(theta, X, ys)
        numeric = approx_fprime(
            theta, lambda t: gp.log_marginal_likelihood(t, X, ys)[0], 1e-6
        )
        assert np.isfinite(value)
        np.testing.assert_allclose(grad, numeric, rtol=1e-3, atol=1e-3)


def test_prediction_gradient_matches_finite_differences():
    X, y = _toy_data()
    gp = GaussianProcess(np.arange(3), 3).fit(X, y, np.random.default_rng(0))
    Z = np.random.default_rng(2).random((4, 3))
    features = np.array([0, 2])
    mu, sd, dmu, dsd = gp.predict_with_grad(Z, features)
    for j, f in enumerate(features):
        Zp = Z.copy()
        Zp[:, f] += 1e-6
        mu_p, sd_p = gp.predict(Zp)
        np.testing.assert_allclose((mu_p - mu) / 1e-6, dmu[:, j], atol=1e-4)
        np.testing.assert_allclose((sd_p - sd) / 1e-6, dsd[:, j], atol=1e-4)


def test_gp_survives_duplicate_and_constant_data():
    X = np.vstack([np.full((5, 2), 0.5), np.full((5, 2), 0.2)])
    gp = GaussianProcess(np.arange(2), 2).fit(X, np.ones(10), np.random.default_rng())
    mu, sd = gp.predict(np.random.default_rng(0).random((3, 2)))
    assert np.all(np.isfinite(mu)) and np.all(np.isfinite(sd))


# -------------------------------------------------------------- acquisition
def test_acquisition_values_on_known_inputs():
    # At the incumbent with unit std, EI = phi(0) and PI = 1/2.
    assert expected_improvement(0.0, 1.0, 0.0) == pytest.approx(norm.pdf(0))
    assert probability_of_improvement(0.0, 1.0, 0.0) == pytest.approx(0.5)
    # Far above the incumbent, EI is the improvement itself (minus xi).
    assert expected_improvement(5.0, 1e-3, 1.0, xi=0.5) == pytest.approx(3.5)
    mu, sd = np.array([0.2, -1.0]), np.array([0.5, 2.0])
    value, d_mu, d_sd = upper_confidence_bound(mu, sd, kappa=2.0)
    np.testing.assert_allclose(value, [1.2, 3.0])
    np.testing.assert_allclose(d_mu, 1.0)
    np.testing.assert_allclose(d_sd, 2.0)


def test_log_acquisitions_agree_and_do_not_underflow():
    mu = np.array([-3.0, -0.5, 0.0, 0.4, 2.0])
    sd = np.array([0.3, 1.0, 0.2, 0.7, 1.5])
    log_ei, _, _ = log_expected_improvement(mu, sd, 0.1, 0.01)
    np.testing.assert_allclose(
        log_ei, np.log(expected_improvement(mu, sd, 0.1, 0.01)), rtol=1e-8
    )
    log_pi, _, _ = log_probability_of_improvement(mu, sd, 0.1, 0.01)
    np.testing.assert_allclose(
        log_pi, np.log(probability_of_improvement(mu, sd, 0.1, 0.01)), rtol=1e-8
    )
    # Where EI underflows to 0, its log still ranks candidates.
    far = log_expected_improvement(np.array([-400.0, -300.0]), np.ones(2), 0.0)[0]
    assert np.all(np.isfinite(far)) and far[1] > far[0]


@pytest.mark.parametrize(
    "func", [log_expected_improvement, log_probability_of_improvement]
)
def test_log_acquisition_gradients(func):
    mu = np.array([-60.0, -3.0, -0.5, 0.0, 0.4, 2.0])
    sd = np.array([1.0, 0.3, 1.0, 0.2, 0.7, 1.5])
    value, d_mu, d_sd = func(mu, sd, 0.1, 0.01)
    eps = 1e-6
    np.testing.assert_allclose(
        (func(mu + eps, sd, 0.1, 0.01)[0] - value) / eps, d_mu, rtol=1e-3
    )
    np.testing.assert_allclose(
        (func(mu, sd + eps, 0.1, 0.01)[0] - value) / eps, d_sd, rtol=1e-3
    )


# ----------------------------------------------------------------- encoding
def test_encoder_one_hot_and_inactive_columns():
    space = as_search_space(CONDITIONAL)
    enc = Encoder(space)
    # selector (2) + model (1) + C (1) + kernel (2) + model (1) + k (1)
    assert enc.n_features == 8
    U = space.snap(np.array([[0.1, 0.5, 0.7, 0.9, 0.5, 0.5]]))
    Z = enc.transform(U)[0]
    np.testing.assert_allclose(Z, [1, 0, 1, 0.7, 0, 1, 0, 0.5])
    assert list(enc.real_columns) == [2]


# ---------------------------------------------------------------- optimizer
@pytest.mark.parametrize("acq_func", ["auto", "ei", "pi", "lcb"])
def test_each_acquisition_function_improves_on_the_design(acq_func):
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, n_initial_points=5, acq_func=acq_func, random_state=0)
    history, scores = search(opt, lambda c: unit_objective(space, c), 14)
    assert len({repr(c) for c in history}) == 14
    assert opt.model_ is not None
    assert scores[5:].max() >= scores[:5].max()


def test_auto_alternates_expected_improvement_and_confidence_bound():
    # Same seed and observations: the model fit and the candidate pool are the
    # same, so each proposal of "auto" is that of the member whose turn it is.
    space = as_search_space(BRANIN_SPACE)
    rng = np.random.default_rng(0)
    cands = [space.from_unit(rng.random((1, 2)))[0] for _ in range(15)]
    scores = [-branin(c["x1"], c["x2"]) for c in cands]

    def first_proposal(acq_func, n_before):
        opt = GPOptimizer(space, n_initial_points=5, acq_func=acq_func, random_state=0)
        opt.tell(cands, scores)
        opt._n_model_points = n_before
        return opt.ask()[0]

    ei, lcb = first_proposal("ei", 0), first_proposal("lcb", 0)
    assert ei != lcb
    assert first_proposal("auto", 0) == ei
    assert first_proposal("auto", 1) == lcb
    # A run of "auto" takes turns: points 0, 2, 4 are EI's, 1, 3, 5 are LCB's.
    opt = GPOptimizer(space, n_initial_points=5, random_state=0)
    opt.tell(cands, scores)
    opt.ask(3)
    assert opt._n_model_points == 3


@pytest.mark.parametrize("strategy", ["constant_liar", "kriging_believer"])
def test_batches_of_four_are_distinct(strategy):
    space = as_search_space(MIXED)
    opt = GPOptimizer(
        space, n_initial_points=4, batch_strategy=strategy, random_state=1
    )
    history, _ = search(opt, lambda c: unit_objective(space, c), 16, batch=4)
    assert len(history) == 16
    assert len({repr(c) for c in history}) == 16


def test_pending_candidates_are_conditioned_on():
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, n_initial_points=4, random_state=2)
    search(opt, lambda c: unit_objective(space, c), 6)
    first, second = opt.ask(1), opt.ask(1)  # the first is still pending
    assert first != second
    assert len(opt._proposed) >= 1


def test_nan_scores_are_tolerated():
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, n_initial_points=4, random_state=3)
    counter = iter(range(100))

    def score(c):
        return np.nan if next(counter) % 3 == 0 else unit_objective(space, c)

    history, scores = search(opt, score, 15)
    assert np.isnan(opt.y).sum() == 5
    assert len(opt.ask(3)) == 3


def test_all_nan_scores_continue_the_initial_design():
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, n_initial_points=3, random_state=4)
    history, _ = search(opt, lambda c: np.nan, 12)
    assert opt.model_ is None
    assert len({repr(c) for c in history}) == 12
    assert len(opt.ask(2)) == 2


@pytest.mark.parametrize("design", ["sobol", "lhs", "random"])
def test_initial_design_is_continued_not_repeated(design):
    space = as_search_space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    make = lambda: GPOptimizer(  # noqa: E731
        space, n_initial_points=8, initial_design=design, random_state=5
    )
    opt = make()
    a, b = opt.ask(3), opt.ask(3)  # neither told: the design goes on
    assert len({repr(c) for c in a + b}) == 6
    # The same six rows as one ask of six: the design does not depend on batching.
    assert make().ask(6) == a + b


def test_sobol_design_is_space_filling():
    space = as_search_space({"x": Real(0.0, 1.0)})
    opt = GPOptimizer(space, n_initial_points=5, random_state=0)
    x = np.sort([c["x"] for c in opt.ask(8)])
    # A scrambled Sobol' sequence puts one point in each eighth of [0, 1].
    np.testing.assert_array_equal(np.floor(x * 8), np.arange(8))


def test_categorical_only_space():
    spec = {"a": ["x", "y", "z", "w"], "b": Categorical([1, 2, 3]), "c": [True, False]}
    space = as_search_space(spec)
    best = {"a": "z", "b": 2, "c": False}

    def score(c):
        return float(sum(c[k] == v for k, v in best.items()))

    opt = GPOptimizer(space, n_initial_points=5, random_state=6)
    history, scores = search(opt, score, 16)
    assert len({repr(c) for c in history}) == 16
    assert scores.max() == 3.0


def test_conditional_space():
    space = as_search_space(CONDITIONAL)

    def score(c):
        if c["model"] == "svc":
            return -abs(np.log10(c["C"]) - 1.0) + (c["kernel"] == "rbf")
        return -abs(c["k"] - 20) / 10

    opt = GPOptimizer(space, n_initial_points=5, random_state=7)
    history, scores = search(opt, score, 20, batch=2)
    assert {c["model"] for c in history} == {"svc", "knn"}
    for c in history:
        assert set(c) in ({"model", "C", "kernel"}, {"model", "k"})
    assert scores.max() > 0.5  # found rbf with C near 10


def test_reproducible_with_a_seed():
    space = as_search_space(MIXED)

    def run(seed):
        opt = GPOptimizer(space, n_initial_points=4, random_state=seed)
        return search(opt, lambda c: unit_objective(space, c), 8, batch=2)[0]

    assert run(0) == run(0)
    assert run(0) != run(1)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"n_initial_points": 2.5}, "n_initial_points"),
        ({"initial_design": "halton"}, "initial_design"),
        ({"acq_func": "ucb"}, "acq_func"),
        ({"xi": -0.1}, "xi"),
        ({"kappa": float("nan")}, "kappa"),
        ({"batch_strategy": "cl_min"}, "batch_strategy"),
        ({"n_samples": 0}, "n_samples"),
        ({"n_restarts": -1}, "n_restarts"),
        ({"n_restarts": True}, "n_restarts"),
        ({"max_model_points": 1}, "max_model_points"),
        ({"max_model_points": 50.0}, "max_model_points"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(params, name):
    value = repr(next(iter(params.values())))
    with pytest.raises(ValueError, match=rf"{name} .*got {value}"):
        GPOptimizer(MIXED, **params)


def test_beats_random_search_on_branin():
    def score(c):
        return -branin(c["x1"], c["x2"])

    def mean_best(make):
        return np.mean(
            [search(make(seed), score, 25)[1].max() for seed in range(3)]
        )

    gp = mean_best(lambda s: GPOptimizer(BRANIN_SPACE, random_state=s))
    rand = mean_best(lambda s: RandomOptimizer(BRANIN_SPACE, random_state=s))
    assert gp > rand
    assert gp > BRANIN_MAX - 0.5


@pytest.mark.parametrize("seed", range(3))
def test_no_proposal_next_to_a_scored_point_on_a_plateau(seed):
    # A flat-topped score (like a CV accuracy that takes few values) makes
    # the noisy model's acquisition peak right next to the incumbent; those
    # re-evaluations would tell nothing new.
    space = {"n": Integer(5, 50), "lr": Real(1e-3, 3.0, log=True)}
    opt = GPOptimizer(space, n_initial_points=6, random_state=seed)

    def score(c):
        return float(np.clip(1.0 - abs(np.log(c["lr"] / 0.7)), 0.0, 0.8))

    for _ in range(40):
        (c,) = opt.ask()
        opt.tell([c], [score(c)])
    U = opt.X_unit[6:]
    gaps = np.max(np.abs(U[:, None, :] - opt.X_unit[None, :, :]), axis=2)
    for i in range(len(U)):
        gaps[i, 6 + i] = np.inf  # itself
        assert gaps[i, : 6 + i].min() >= 0.01 - 1e-9


def test_polish_refines_candidates_locally(monkeypatch):
    # Unbounded, the polish followed the model's variance to the corners of
    # the cube once a local optimum was refined; it now moves each real
    # column by at most _POLISH_RADIUS from where it started.
    import sklearn_hpo.optimizers._gp._optimizer as module

    moves = []
    real_minimize = module.minimize

    def spy(fun, x0, **kwargs):
        res = real_minimize(fun, x0, **kwargs)
        moves.append(np.max(np.abs(res.x - np.asarray(x0))))
        return res

    monkeypatch.setattr(module, "minimize", spy)
    space = {f"x{i}": Real(0.0, 1.0) for i in range(6)}
    opt = GPOptimizer(space, n_initial_points=8, random_state=0)

    def score(c):  # a ridge on one face: variance-seeking EI runs outwards
        return float(np.exp(-20 * (c["x0"] - 0.2) ** 2) * (c["x5"] ** 2))

    search(opt, score, 30)
    assert len(moves) >= 20
    assert max(moves) <= module._POLISH_RADIUS + 1e-12
    U = opt.X_unit[8:]
    corners = np.all((U == 0.0) | (U == 1.0), axis=1)
    assert not corners.any()


@pytest.mark.parametrize("scale", [1e-15, 1e300])
def test_proposals_do_not_depend_on_the_scale_of_the_scores(scale):
    # The standardisation used an absolute floor on the spread (1e-12) and
    # np.std, which overflows: tiny or huge scores looked constant.
    space = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}
    runs = []
    for factor in (1.0, scale):
        opt = GPOptimizer(space, n_initial_points=5, random_state=0)
        asked = []
        for _ in range(10):
            (c,) = opt.ask(1)
            asked.append([c["x1"], c["x2"]])
            opt.tell([c], [-factor * branin(c["x1"], c["x2"])])
        runs.append(np.array(asked))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)


_PENDING_SCRIPT = """
import numpy as np
from sklearn_hpo.optimizers import GPOptimizer
from sklearn_hpo.space import Real
opt = GPOptimizer({"a": Real(0, 1), "b": Real(-2, 2)}, n_initial_points=3,
                  random_state=0)
def f(c):
    return -(c["a"] - 0.3) ** 2 - c["b"] ** 2
out, window = [], []
for _ in range(12):  # a sliding window: three asked, the oldest told
    window += opt.ask(1)
    out.append(repr(sorted(window[-1].items())))
    if len(window) == 3:
        oldest = window.pop(0)
        opt.tell([oldest], [f(oldest)])
print(out)
"""


def test_pending_candidates_do_not_depend_on_the_hash_seed():
    # Pending rows were read from a set of bytes, whose order follows the
    # process's hash seed: the same random_state gave other proposals in
    # another process.
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _PENDING_SCRIPT], env=env, capture_output=True,
            text=True, check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


# --------------------------------------------- many observations: a subset
def test_model_subset_keeps_the_best_the_latest_and_a_spread():
    rng = np.random.default_rng(0)
    # A dense cluster of poor points, four far corners, and the best points.
    Z = np.vstack([0.5 + 0.01 * rng.random((80, 2)), [[0, 0], [0, 1], [1, 0],
                                                      [1, 1]]])
    y = -np.ones(len(Z))
    y[:10] = np.arange(10)  # the best ten are in the cluster
    assert model_subset(Z, y, len(Z)) is None
    subset = model_subset(Z, y, 20)
    assert len(subset) == 20
    assert np.all(np.diff(subset) > 0)
    assert set(range(10)) <= set(subset)  # the best half
    assert {82, 83} <= set(subset)  # the latest tenth
    assert {80, 81} <= set(subset)  # the far corners, space-filling
    # Distances in the model's length scales: a feature with a very long
    # one does not spread the subset.
    stretched = model_subset(Z, y, 20, inv_ls=np.array([1.0, 1e-6]))
    assert {80, 81} & set(stretched) != {80, 81}


def _told(opt, space, n, seed=0):
    rows = space.sample_unit(n, np.random.default_rng(seed))
    cands = space.from_unit(rows)
    opt.tell(cands, [unit_objective(space, c) for c in cands])


def test_beyond_max_model_points_the_model_uses_a_subset():
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, max_model_points=20, random_state=0)
    _told(opt, space, 20)
    search(opt, lambda c: unit_objective(space, c), 1)
    assert opt.model_subset_ is None  # 20 observations: exact
    assert len(opt.model_.X_) == 20
    _told(opt, space, 30, seed=1)
    cands, _ = search(opt, lambda c: unit_objective(space, c), 6, batch=3)
    assert len(opt.model_subset_) == 20
    # The last ask saw all but its own 3 candidates; its best is kept.
    assert int(np.argmax(opt.y[:-3])) in opt.model_subset_
    # Conditioned on the subset plus the batch's constant lies.
    assert len(opt.model_.X_) == 20 + 2
    assert len({tuple(sorted(c.items())) for c in cands}) == 6


def test_beyond_max_model_points_hyperparameters_are_refit_every_few_asks():
    space = as_search_space(MIXED)
    opt = GPOptimizer(space, max_model_points=20, random_state=0)
    _told(opt, space, 40)
    thetas = []
    for _ in range(10):
        search(opt, lambda c: unit_objective(space, c), 1)
        thetas.append(tuple(opt.model_.theta_))
    # 10 asks: the fit of the first, then at most two refits.
    assert 2 <= len(set(thetas)) <= 3
    exact = GPOptimizer(space, max_model_points=None, random_state=0)
    _told(exact, space, 40)
    for _ in range(3):
        search(exact, lambda c: unit_objective(space, c), 1)
    assert exact.model_subset_ is None
    assert len(exact.model_.X_) == 42


def test_no_proposal_next_to_a_point_outside_the_subset():
    # Every observation counts for the minimum distance, not only the
    # model's subset: a 1-D space of 0.001 steps, where 0.2 is best and
    # points around it that the subset leaves out are scored.
    space = as_search_space({"x": Real(0.0, 1.0)})
    opt = GPOptimizer(space, max_model_points=10, n_restarts=0, random_state=0)
    xs = np.concatenate([np.linspace(0.0, 1.0, 30), 0.2 + 0.002 * np.arange(-6, 7)])
    cands = [{"x": float(x)} for x in xs]
    opt.tell(cands, [-((c["x"] - 0.2) ** 2) for c in cands])
    seen = opt.X_unit[:, 0].copy()
    for _ in range(5):
        (cand,) = opt.ask()
        assert np.min(np.abs(seen - cand["x"])) >= 0.01 - 1e-9
        opt.tell([cand], [-((cand["x"] - 0.2) ** 2)])
        seen = np.append(seen, cand["x"])
