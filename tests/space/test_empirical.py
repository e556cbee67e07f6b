"""Distributions with only ``rvs``: the quantile map derived from a sample."""

import functools
import inspect
import numbers

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold, RandomizedSearchCV

import sklearn_hpo
from sklearn_hpo._registry import STRATEGIES
from sklearn_hpo.space import (
    Distribution,
    Real,
    _empirical,
    as_dimension,
    as_search_space,
)
from sklearn_hpo.space._empirical import N_CALLS, N_DRAWS, EmpiricalMap


class LogUniformInt:
    """A log-uniform integer on ``[low, high]``: what users write, since scipy
    has none. Only ``rvs``, one value a call, as ``RandomizedSearchCV`` calls
    it; ``P(k) = log((k + 1) / k) / log((high + 1) / low)``."""

    def __init__(self, low, high):
        self.low, self.high = low, high
        self.calls = 0

    def rvs(self, random_state=None):
        self.calls += 1
        rng = np.random.RandomState(random_state) if not hasattr(
            random_state, "uniform") else random_state  # fmt: skip
        t = rng.uniform(np.log(self.low), np.log(self.high + 1))
        return min(int(np.floor(np.exp(t))), self.high)


def exact_log_uniform_int(low, high):
    """The same distribution with its own cdf, ppf and pmf."""
    k = np.arange(low, high + 1)
    p = np.log((k + 1) / k) / np.log((high + 1) / low)
    return stats.rv_discrete(values=(k, p / p.sum()))


class LogUniformIntBySize:
    """The same distribution, written as in scikit-learn's examples: scipy's
    log-uniform cast to int, ``size`` passed through."""

    def __init__(self, low, high):
        self._dist = stats.loguniform(low, high + 1)

    def rvs(self, *args, **kwargs):
        return self._dist.rvs(*args, **kwargs).astype(int)


class LogUniformReal:
    """A continuous log-uniform with ``rvs(size, random_state)`` only."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def rvs(self, size=None, random_state=None):
        return stats.loguniform(self.low, self.high).rvs(
            size=size, random_state=random_state
        )


def tolerance(n):
    """Of a CDF estimated from n values: exceeded with probability 1e-3
    (Dvoretzky-Kiefer-Wolfowitz); the sample is seeded, so this is a fixed
    check, not a flaky one."""
    return np.sqrt(np.log(2 / 1e-3) / (2 * n))


def test_an_rvs_only_distribution_is_accepted():
    # It was refused for want of a cdf method.
    dim = as_dimension(LogUniformInt(1, 1000), "n_estimators")
    assert isinstance(dim, Distribution)
    assert dim.kind == "integer" and dim.discrete
    values = dim.from_unit(np.linspace(0, 1, 101))
    assert all(type(v) is int and 1 <= v <= 1000 for v in values)


@pytest.mark.parametrize(
    "cls, n", [(LogUniformInt, N_CALLS), (LogUniformIntBySize, N_DRAWS)]
)
def test_derived_discrete_map_matches_the_distribution_with_its_own_cdf(cls, n):
    derived = as_dimension(cls(1, 1000), "n")
    exact = as_dimension(exact_log_uniform_int(1, 1000), "n")
    TOL = tolerance(n)
    support = derived.values()
    # Exact on the support: every value is one the distribution draws.
    assert set(support.tolist()) <= set(range(1, 1001))
    assert derived.n_values == len(support) and support[0] == 1
    # The cells (cdf - pmf / 2) agree with the exact ones.
    gap = np.abs(derived.to_unit(support) - exact.to_unit(support))
    assert gap.max() <= TOL
    # The inverse CDF: ppf(u) is a value whose exact cell holds u, within TOL.
    u = np.linspace(0.0, 1.0, 201)
    x = np.array(derived.from_unit(u))
    cdf = exact_log_uniform_int(1, 1000).cdf
    assert np.all(cdf(x - 1) - TOL <= u) and np.all(u <= cdf(x) + TOL)
    # Each drawn value maps back to itself.
    assert derived.from_unit(derived.to_unit(support)) == support.tolist()


def test_derived_continuous_map_matches_the_distribution_with_its_own_cdf():
    derived = as_dimension(LogUniformReal(1e-3, 1e3), "C")
    exact = stats.loguniform(1e-3, 1e3)
    TOL = tolerance(N_DRAWS)
    assert derived.kind == "real" and not derived.discrete
    assert derived.n_values is None and derived.values() is None
    grid = np.geomspace(1e-3, 1e3, 101)
    assert np.abs(derived.to_unit(grid) - exact.cdf(grid)).max() <= TOL
    u = np.linspace(0.0, 1.0, 201)
    x = np.array(derived.from_unit(u))
    assert np.all((x >= 1e-3) & (x <= 1e3))
    assert np.abs(exact.cdf(x) - u).max() <= TOL
    assert all(type(v) is float for v in x.tolist())
    # A bijection between [0, 1] and the range drawn.
    np.testing.assert_allclose(derived.to_unit(x), u, atol=1e-12)
    np.testing.assert_allclose(derived.from_unit(derived.to_unit(x)), x, rtol=1e-12)


def test_the_map_is_seeded_and_made_once_per_distribution():
    a, b = LogUniformInt(1, 1000), LogUniformInt(1, 1000)
    # Two objects, two samples with the same seed: the same map.
    assert np.array_equal(Distribution(a).values(), Distribution(b).values())
    assert a.calls == N_CALLS  # rvs without size: one value a call
    for _ in range(3):  # every fit parses the space again
        as_search_space({"n": a}).sample_unit(5, random_state=0)
    assert a.calls == N_CALLS
    assert len(_empirical._cache) <= _empirical._CACHE_SIZE


def test_the_values_keep_the_type_rvs_gives():
    class FloatSteps:  # whole numbers as floats: discrete, kept floats
        def rvs(self, size=None, random_state=None):
            return np.floor(stats.uniform(0, 5).rvs(size, random_state=random_state))

    dim = as_dimension(FloatSteps(), "p")
    assert dim.discrete and dim.values().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert all(type(v) is float for v in dim.from_unit([0.0, 0.5, 1.0]))
    # Repeated non-integers are a discrete support too.
    repeated = EmpiricalMap(np.repeat([0.1, 0.5, 0.9], [10, 20, 10]))
    assert repeated.discrete
    assert repeated.to_unit([0.1, 0.5, 0.9]).tolist() == pytest.approx(
        [0.125, 0.5, 0.875]
    )
    assert repeated.from_unit([0.0, 0.3, 1.0]) == [0.1, 0.5, 0.9]


def test_values_that_are_not_numbers_are_refused_naming_the_parameter():
    class Words:
        def rvs(self, random_state=None):
            return "abc"[random_state.randint(3)]

    with pytest.raises(TypeError, match="Parameter 'kind': the values drawn from"):
        as_dimension(Words(), "kind")

    class Infinite:
        def rvs(self, size=None, random_state=None):
            return np.full(size, np.inf)

    with pytest.raises(ValueError, match="Parameter 'x': .* must be finite"):
        as_dimension(Infinite(), "x")
    with pytest.raises(TypeError, match="Distribution: dist must have an rvs"):
        Distribution(3)


class IntDouble(RegressorMixin, BaseEstimator):
    """Fails unless ``n`` is an int, as ``n_estimators`` does; the best
    ``n`` is 30, and more ``units`` (the resource) score better."""

    def __init__(self, n=1, a=0.5, units=1):
        self.n, self.a, self.units = n, a, units

    def fit(self, X, y=None):
        if not isinstance(self.n, numbers.Integral) or isinstance(self.n, bool):
            raise TypeError(f"n must be an int, got {self.n!r}")
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        log_gap = np.log(self.n) - np.log(30)
        return -(log_gap**2) - (self.a - 0.3) ** 2 - 1 / self.units


def _make(strategy):
    cls = getattr(sklearn_hpo, strategy.search)
    names = inspect.signature(cls).parameters
    fast = {"n_initial_points": 3, "population_size": 3, "n_particles": 3}
    kw = {k: v for k, v in fast.items() if k in names}
    if strategy.family == "multi-fidelity":
        kw.update(resource="units", min_resources=1, max_resources=9)
    else:
        kw.update(n_iter=8)
    return functools.partial(cls, **strategy.params, **kw)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_every_search_runs_on_an_rvs_only_distribution(strategy):
    # HalvingRandomSearchCV and RandomizedSearchCV take this space; ours
    # refused it before any fit.
    space = {"n": LogUniformInt(1, 1000), "a": Real(0.0, 1.0)}
    X = np.zeros((8, 1))
    search = _make(strategy)(
        IntDouble(), space, cv=KFold(2), random_state=0, error_score="raise"
    ).fit(X)
    # Every fit had an int (error_score="raise"); cv_results_ holds them.
    n = search.cv_results_["param_n"]
    assert len(n) >= 3 and all(isinstance(v, numbers.Integral) for v in n)
    assert np.all((np.asarray(n) >= 1) & (np.asarray(n) <= 1000))
    assert type(search.best_params_["n"]) is int
    RandomizedSearchCV(IntDouble(), space, n_iter=3, cv=KFold(2)).fit(X)
