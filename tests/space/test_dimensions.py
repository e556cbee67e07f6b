import pickle
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sklearn_hpo.space import Categorical, Distribution, Integer, Real, as_dimension


@pytest.mark.parametrize(
    "make, bad",
    [
        (lambda: Real(1.0, 1.0), "low must be < high, got low=1.0, high=1.0"),
        (lambda: Real(5, 1), "low must be < high, got low=5, high=1"),
        (lambda: Real(0, 1, log=True), "log=True needs low > 0, got low=0"),
        (lambda: Real(-1, 1, log=True), "log=True needs low > 0"),
        (lambda: Integer(5, 1), "low must be <= high, got low=5, high=1"),
        (lambda: Integer(0, 10, log=True), "log=True needs low > 0"),
        # Named as the user wrote it, not as the log=True it means.
        (
            lambda: Integer(0, 10, prior="log-uniform"),
            "prior='log-uniform' needs low > 0, got low=0",
        ),
        (lambda: Integer(1.5, 3), "low must be a whole number, got 1.5"),
        (lambda: Integer(1, 3.5), "high must be a whole number, got 3.5"),
        (lambda: Integer(0, np.inf), "high must be finite, got inf"),
        (lambda: Categorical([]), "choices must not be empty, got []"),
        (lambda: Categorical(np.ones((3, 2))), "should be one-dimensional"),
        (lambda: Real(0, np.inf), "high must be finite"),
        (lambda: Real(0, 10**400), "high must be finite"),
        # Decoded wrongly: high - low overflows, int64 wraps around.
        (lambda: Real(-1e308, 1e308), "high - low must be a finite float"),
        (lambda: Integer(0, 2**63 - 1), "within"),
        (lambda: Integer(-(2**60), 0), "within"),
        (lambda: Integer(np.int64(np.iinfo(np.int64).min), 0), "within"),
        (lambda: Real(1, 2, prior="log"), "prior must be 'uniform' or 'log-uniform'"),
        (lambda: Real(1, 2, prior="uniform", log=True), "prior='uniform' contradicts"),
    ],
)
def test_invalid_dimensions_are_refused_when_built(make, bad):
    # They were built, and failed only at fit (or in rvs, naming the
    # parameter '<dimension>').
    with pytest.raises(ValueError, match=re.escape(bad)) as exc:
        make()
    assert str(exc.value).split(":")[0] in ("Real", "Integer", "Categorical")


@pytest.mark.parametrize(
    "make, bad",
    [
        (lambda: Real("a", 1), "low must be a real number, got 'a' of type str"),
        (lambda: Integer(0, "9"), "high must be an integer, got '9'"),
        (lambda: Integer(True, 3), "low must be an integer, got True"),
        (lambda: Real(0, 1, log="yes"), "log must be a bool, got 'yes'"),
        (lambda: Categorical("abc"), "choices must be a list"),
        (lambda: Categorical(3), "choices must be a list"),
    ],
)
def test_wrong_types_raise_type_error_when_built(make, bad):
    with pytest.raises(TypeError, match=re.escape(bad)):
        make()


def test_validate_names_the_parameter():
    # The checks run again when a search is fit, naming the parameter.
    dim = Real(0.5, 1.0)
    object.__setattr__(dim, "low", 2.0)  # bypassing immutability
    with pytest.raises(ValueError, match="Parameter 'my_param': low must be < high"):
        dim.validate("my_param")


def test_integer_bounds_take_any_whole_number():
    # Integer(10, 1e3) was refused: "high must be an int, got 1000.0".
    dim = Integer(10, 1e3)
    assert (dim.low, dim.high) == (10, 1000)
    assert type(dim.high) is int and type(Integer(np.int64(2), 5).low) is int
    assert dim == Integer(10, 1000) and repr(dim) == "Integer(10, 1000)"
    assert Integer(np.float64(2.0), 4).from_unit([0.0]) == [2]
    assert all(type(v) is int for v in dim.from_unit(np.linspace(0, 1, 5)))


def test_prior_is_scikit_optimize_s_name_for_log():
    # prior="log-uniform" raised a TypeError.
    assert Real(1e-2, 1e2, prior="log-uniform") == Real(1e-2, 1e2, log=True)
    assert Real(1e-2, 1e2, "log-uniform") == Real(1e-2, 1e2, log=True)
    assert Real(1e-2, 1e2, prior="uniform") == Real(1e-2, 1e2)
    assert Integer(1, 1e3, prior="log-uniform") == Integer(1, 1000, log=True)
    assert Integer(1, 9, prior="uniform", log=False).log is False
    assert Real(1, 2, prior="log-uniform", log=True).log is True
    dim = Real(1e-2, 1e2, prior="log-uniform")
    assert repr(dim) == "Real(0.01, 100.0, log=True)"
    assert pickle.loads(pickle.dumps(dim)) == dim


def test_dimensions_are_immutable_picklable_and_have_readable_repr():
    for dim in [Real(1e-3, 1.0, log=True), Integer(1, 9), Categorical(["a", None])]:
        with pytest.raises(AttributeError):
            dim.low = 5
        assert pickle.loads(pickle.dumps(dim)) == dim
    assert repr(Real(1e-3, 1.0, log=True)) == "Real(0.001, 1.0, log=True)"
    assert repr(Integer(1, 9)) == "Integer(1, 9)"
    assert repr(Categorical(["a", None])) == "Categorical(['a', None])"


@given(
    low=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    u=st.floats(0, 1),
)
def test_real_round_trip(low, width, u):
    dim = Real(low, low + width)
    v = dim.from_unit([u])[0]
    assert dim.low <= v <= dim.high
    # v is only known to the float resolution at the ends of the range: a
    # narrow range far from 0 (say 524288 + [0, 0.004]) cannot give u to 1e-9.
    resolution = np.spacing(max(abs(dim.low), abs(dim.high))) / width
    assert np.isclose(dim.to_unit([v])[0], u, atol=1e-9 + 4 * resolution)


@given(low=st.integers(1, 1000), span=st.integers(0, 5000), log=st.booleans())
def test_integer_round_trip_is_exact(low, span, log):
    dim = Integer(low, low + span, log=log)
    values = np.unique(np.linspace(low, low + span, 7).astype(int))
    u = dim.to_unit(values)
    assert np.all((u >= 0) & (u <= 1))
    assert dim.from_unit(u) == [int(v) for v in values]
    assert all(isinstance(v, int) for v in dim.from_unit(np.linspace(0, 1, 5)))


@given(u=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_snap_is_idempotent_and_maps_to_the_same_value(u):
    for dim in [Integer(1, 1000, log=True), Categorical(list("abcde")), Integer(3, 7)]:
        s = dim.snap(u)
        assert dim.from_unit(s) == dim.from_unit(u)
        np.testing.assert_allclose(dim.snap(s), s)


def test_categorical_keeps_objects_and_matches_by_identity_then_equality():
    from sklearn.svm import SVC

    est, fn = SVC(), len
    dim = Categorical(["a", None, est, fn, 1])
    assert dim.from_unit(dim.to_unit([est, fn, None, 1.0])) == [est, fn, None, 1]
    assert dim.from_unit(dim.to_unit([est]))[0] is est
    with pytest.raises(ValueError, match="not one of the choices"):
        dim.to_unit(["zzz"])


def test_rvs_works_in_sklearn_randomized_search():
    from sklearn.model_selection import ParameterSampler

    space = {
        "a": Real(1e-3, 1, log=True),
        "b": Integer(1, 5),
        "c": Categorical(["x", "y"]),
    }
    samples = list(ParameterSampler(space, n_iter=20, random_state=0))
    assert len({s["a"] for s in samples}) == 20
    assert all(1e-3 <= s["a"] <= 1 and 1 <= s["b"] <= 5 for s in samples)
    assert {s["c"] for s in samples} == {"x", "y"}
    assert Real(0, 1).rvs(size=3, random_state=0) == Real(0, 1).rvs(
        size=3, random_state=0
    )


@pytest.mark.parametrize(
    "dist",
    [
        stats.loguniform(1e-3, 1e2),
        stats.uniform(2, 3),
        stats.norm(0, 1),
        stats.lognorm(0.5),
        stats.randint(1, 10),
        stats.poisson(3),
    ],
)
def test_scipy_distributions_map_through_their_cdf(dist):
    dim = as_dimension(dist, "p")
    assert isinstance(dim, Distribution) and dim.dist is dist
    values = dim.from_unit(np.linspace(0, 1, 11))
    assert np.all(np.isfinite(values))
    u = dim.to_unit(values)
    assert dim.from_unit(u) == pytest.approx(values)
    if dim.discrete:
        assert all(isinstance(v, int) for v in values)
        assert dim.kind == "integer"
    # uniform unit draws follow the prior: the median maps to the median
    assert dim.from_unit([0.5])[0] == pytest.approx(dist.median())


def test_as_dimension_rejects_scalars_naming_the_parameter():
    with pytest.raises(TypeError, match="'alpha'.*got 3"):
        as_dimension(3, "alpha")


@pytest.mark.parametrize("frozen", [False, True])
def test_custom_discrete_distributions_keep_their_support(frozen):
    # rv_discrete(values=...) with gaps in its support, frozen or not (the
    # unfrozen form is the usual one, and RandomizedSearchCV samples it).
    dist = stats.rv_discrete(values=([1, 3, 10], [0.3, 0.3, 0.4]))
    dim = as_dimension(dist() if frozen else dist, "max_depth")
    assert dim.discrete and dim.kind == "integer"
    assert dim.n_values == 3
    values = dim.from_unit(np.linspace(0, 1, 50))
    assert set(values) == {1, 3, 10}
    assert all(type(v) is int for v in values)
    for v in (1, 3, 10):
        assert dim.from_unit(dim.to_unit([v])) == [v]
    # the cells follow the probabilities
    assert dim.to_unit([1, 3, 10]) == pytest.approx([0.15, 0.45, 0.8])


def test_discrete_distributions_with_non_integer_values_give_floats():
    dim = as_dimension(stats.rv_discrete(values=([0.5, 2.0], [0.5, 0.5])), "p")
    values = dim.from_unit([0.1, 0.9])
    assert values == [0.5, 2.0]
    assert [type(v) for v in values] == [float, float]
    assert dim.values().tolist() == [0.5, 2.0]


def test_every_value_of_a_discrete_support_is_enumerated():
    from sklearn_hpo.optimizers._base import space_values_unit

    supports = [([1, 10, 100], [0.998, 0.001, 0.001]), ([-5, 0, 7], [0.2, 0.2, 0.6])]
    for xk, pk in supports:
        dim = as_dimension(stats.rv_discrete(values=(xk, pk)), "p")
        assert dim.from_unit(space_values_unit(dim)) == xk
    assert as_dimension(stats.poisson(3), "p").values() is None
    assert as_dimension(stats.randint(2, 5), "p").values().tolist() == [2, 3, 4]


def test_ranges_are_lists_of_values():
    dim = as_dimension(range(1, 20, 2), "n_neighbors")
    assert isinstance(dim, Categorical)
    assert list(dim.choices) == list(range(1, 20, 2))
    assert list(Categorical(range(3)).choices) == [0, 1, 2]
    with pytest.raises(TypeError, match="'p'"):
        as_dimension("abc", "p")


def test_estimator_choices_match_equal_estimators():
    from sklearn.preprocessing import StandardScaler

    dim = Categorical(
        [StandardScaler(with_mean=False), StandardScaler(), "passthrough"]
    )
    assert dim.index(dim.choices[1]) == 1  # itself first
    assert dim.index(StandardScaler()) == 1  # another one with the same parameters
    assert dim.index(StandardScaler(with_mean=False)) == 0
    with pytest.raises(ValueError, match="not one of the choices"):
        dim.index(StandardScaler(with_std=False))


def test_a_huge_integer_range_is_counted_without_being_listed():
    # n_values listed the support: randint(0, 10**12) asked for 7 TiB.
    dim = Distribution(stats.randint(-5, 10**12))
    assert dim.n_values == 10**12 + 5
    assert Distribution(stats.binom(10, 0.3)).n_values == 11
    assert Distribution(stats.poisson(3)).n_values is None
    assert Distribution(stats.uniform(0, 1)).n_values is None


def test_repeated_choices_are_kept_once():
    # np.geomspace(1, 30, 8).astype(int) repeats 1: it was evaluated twice
    # and counted twice. 1.0 and True are other values (max_features=1.0).
    dim = Categorical([1, np.int64(1), 2, 1.0, True, "a", "a", None, None, [1], [1]])
    assert dim.choices == (1, 2, 1.0, True, "a", None, [1], [1])
    assert type(dim.choices[2]) is float and dim.choices[3] is True
    grid = as_dimension(np.geomspace(1, 30, 8).astype(int), "n_neighbors")
    assert [int(v) for v in grid.choices] == [1, 2, 4, 6, 11, 18, 30]
