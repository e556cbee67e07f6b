import copy
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from sklearn_hpo import BayesSearchCV
from sklearn_hpo.space import Categorical, Integer, Real, SearchSpace, as_search_space


def make_conditional():
    return [
        {"clf": [SVC()], "clf__C": Real(1e-3, 1e3, log=True), "clf__kernel": ["rbf"]},
        {"clf": [LogisticRegression()], "clf__C": stats.loguniform(1e-2, 1e2)},
        {"k": Integer(1, 50, log=True)},
    ]


def test_accepts_what_randomized_search_accepts_without_mutating_it():
    spec = {"a": [1, 2, 3], "b": stats.randint(1, 4), "c": Real(0, 1)}
    before = copy.deepcopy(spec)
    space = as_search_space(spec)
    assert isinstance(space, SearchSpace)
    assert spec.keys() == before.keys() and spec["a"] == before["a"]
    assert spec["b"] is not None and space.subspaces[0]["b"].dist is spec["b"]
    assert isinstance(space.subspaces[0]["a"], Categorical)
    assert as_search_space(space) is space


@pytest.mark.parametrize(
    "spec, exc, match",
    [
        (42, TypeError, "search_spaces must be a dict or a list of dicts, got 42"),
        ([], ValueError, "must not be an empty list"),
        ([{"a": [1]}, 3], TypeError, r"search_spaces\[1\] must be a dict"),
        # scikit-optimize's (space, n_iter) pairs: the message says what to write.
        (
            [({"a": Real(0, 1)}, 5)],
            TypeError,
            r"search_spaces\[0\] must be a dict.*\(space, n_iter\) pairs are not",
        ),
        ({"a": 3}, TypeError, "Parameter 'a'"),
        ({"a": []}, ValueError, "Parameter 'a': choices must not be empty"),
        ({"a": np.ones((3, 2))}, ValueError, r"(?s)'a'.*one-dimensional.*\(3, 2\)"),
        ({1: [1]}, TypeError, "Parameter names must be strings"),
    ],
)
def test_bad_spaces_raise_clear_errors(spec, exc, match):
    with pytest.raises(exc, match=match):
        as_search_space(spec)


def test_conditional_space_columns_and_round_trip():
    space = as_search_space(make_conditional())
    assert space.has_selector and space.n_columns == 1 + 3 + 2 + 1
    U = space.sample_unit(200, random_state=0)
    cands = space.from_unit(U)
    assert {len(c) for c in cands} == {1, 2, 3}
    back = space.to_unit(cands)
    np.testing.assert_allclose(np.nan_to_num(back, nan=-1), np.nan_to_num(U, nan=-1))
    # inactive columns are NaN, active ones are not
    active = space.active_mask(U)
    assert np.all(active[:, 0])
    assert np.all(active.sum(axis=1) == np.array([len(c) for c in cands]) + 1)
    assert pickle.loads(pickle.dumps(space)).n_columns == space.n_columns
    assert "SVC" in repr(space)


def test_size_of_finite_and_infinite_spaces():
    assert as_search_space({"a": [1, 2, 3], "b": Integer(0, 4)}).size == 15
    assert as_search_space([{"a": [1, 2]}, {"b": stats.randint(0, 3)}]).size == 5
    assert as_search_space({"a": Real(0, 1)}).size == np.inf


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=7, max_size=7))
def test_snap_is_canonical(row):
    space = as_search_space(make_conditional())
    S = space.snap(np.array([row]))
    np.testing.assert_array_equal(np.isnan(space.snap(S)), np.isnan(S))
    np.testing.assert_allclose(
        np.nan_to_num(space.snap(S)), np.nan_to_num(S), atol=1e-12
    )
    (a,), (b,) = space.from_unit(S), space.from_unit(np.array([row]))
    assert a.keys() == b.keys()
    for k in a:  # continuous values agree to float precision (CDF round trip)
        assert a[k] is b[k] or a[k] == pytest.approx(b[k], rel=1e-9)


def test_candidate_outside_space_is_rejected():
    space = as_search_space({"a": [1, 2]})
    with pytest.raises(ValueError, match="does not belong"):
        space.to_unit([{"a": 3}])


def test_sub_spaces_sharing_a_name_with_other_ranges_are_told_apart():
    space = as_search_space(
        [{"C": Real(1e-3, 1e-1, log=True)}, {"C": Real(10, 1000, log=True)}]
    )
    assert space.subspace_of({"C": 0.01}) == 0
    assert space.subspace_of({"C": 100.0}) == 1
    space.check_candidate({"C": 100.0})  # a point of the second sub-space
    with pytest.raises(ValueError, match="not a value of"):
        space.check_candidate({"C": 1.0})  # in neither
    (back,) = space.from_unit(space.to_unit([{"C": 100.0}]))
    assert back["C"] == pytest.approx(100.0)


def test_a_point_of_overlapping_sub_spaces_has_one_canonical_form():
    # The second sub-space repeats the first's values 1 and 2: a point that
    # both hold is encoded in the first one, by snap as by to_unit, and
    # counts once.
    space = as_search_space([{"x": [1, 2]}, {"x": [2, 3]}, {"y": [0]}])
    assert space.size == 4
    U = space.enumerate_subspace(1)
    S = space.snap(U)
    assert [c["x"] for c in space.from_unit(S)] == [2, 3]
    np.testing.assert_array_equal(S[0], space.to_unit([{"x": 2}])[0])
    np.testing.assert_array_equal(S[1], U[1])
    assert space.subspace_of({"x": 3}) == 1
    np.testing.assert_array_equal(space.snap(S), S)


def test_overlapping_continuous_sub_spaces_snap_to_the_first_holding_one():
    space = as_search_space([{"C": Real(0, 10)}, {"C": Real(5, 20)}])
    assert space.size == np.inf
    U = space.to_unit([{"C": 7.0}, {"C": 15.0}])
    assert list(space.subspace_indices(U)) == [0, 1]
    second = np.array([[0.75, np.nan, (7.0 - 5) / 15]])  # 7.0, written in the second
    np.testing.assert_allclose(space.snap(second), U[:1])


def test_an_empty_dict_is_the_one_point_of_defaults():
    # As GridSearchCV({}) cross-validates the estimator's defaults.
    space = as_search_space({})
    assert space.n_columns == 0 and space.size == 1
    assert space.from_unit(space.to_unit([{}])) == [{}]
    both = as_search_space([{}, {"a": [1, 2]}])
    assert both.size == 3
    assert both.from_unit(both.to_unit([{}, {"a": 2}])) == [{}, {"a": 2}]


def test_sub_spaces_that_cannot_share_a_point_are_not_compared():
    # One dict per kernel, GridSearchCV's pattern: no point is in two of them,
    # so neither snap nor size re-encodes anything (size enumerated 600,000
    # points, for 28 s, before the first proposal).
    big = {"C": Integer(1, 1000), "gamma": Integer(1, 150)}
    space = as_search_space([{"kernel": [k], **big} for k in ("rbf", "poly")])
    assert space._shadowed_by == [[], []]
    assert space.size == 300_000
    ranges = as_search_space(
        [{"C": Real(0, 1)}, {"C": Real(2, 3)}, {"C": Real(0.5, 2.5)}]
    )
    assert ranges._shadowed_by == [[], [], [0, 1]]


def test_comparing_sub_spaces_never_fails_nor_warns():
    # The overlap check compares dimensions when the space is built: a custom
    # prior without support(), a choice too large for a float, a choice of 0
    # against a log range raised or warned there.
    class Prior:  # rvs, cdf and ppf only
        def rvs(self, size=None, random_state=None):
            return stats.uniform(0, 1).rvs(size=size, random_state=random_state)

        def cdf(self, x):
            return np.clip(x, 0, 1)

        def ppf(self, u):
            return np.asarray(u, dtype=float)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_search_space([{"x": Prior()}, {"x": Real(2, 3)}])._shadowed_by == [
            [],
            [0],  # unknown bounds: may share points
        ]
        zero = as_search_space([{"a": [0.0]}, {"a": Real(1e-4, 1.0, log=True)}])
        assert zero._shadowed_by == [[], []]
        huge = as_search_space([{"seed": [10**400]}, {"seed": Integer(0, 10)}])
        assert huge._shadowed_by == [[], []]


def make_keyed_space():
    return as_search_space(
        [{"n": Integer(1, 10), "c": ["a", "b"]}, {"x": Real(0, 1), "y": Real(-1, 1)}]
    )


def test_keys_are_equal_for_points_equal_after_snapping():
    space = make_keyed_space()
    a, b = space.to_unit([{"n": 3, "c": "b"}, {"x": 0.25, "y": 0.0}])
    # Other codes of the same cells, and stray values in inactive columns.
    a2 = a + np.array([0.1, 0.02, 0.1, 0.0, 0.0])
    a2[3:] = 0.3
    b2 = b.copy()
    b2[1:3] = 0.9
    b2[3] += 1e-13  # a floating-point rounding away
    keys = space.row_keys(space.snap(np.array([a, b, a2, b2])))
    assert keys[0] == keys[2] and keys[1] == keys[3]
    assert keys[0] != keys[1]
    assert all(isinstance(k, bytes) for k in keys)
    same = [{"n": 3, "c": "b"}, {"n": np.int64(3), "c": "b"}, {"n": 3.0, "c": "b"}]
    assert len(set(space.candidate_keys(same))) == 1


def test_keys_differ_for_different_points():
    space = make_keyed_space()
    candidates = [{"n": n, "c": c} for n in range(1, 11) for c in ["a", "b"]]
    candidates += [{"x": x, "y": y} for x in (0.0, 0.5, 1.0) for y in (-1.0, 1.0)]
    candidates.append({"x": 0.5, "y": 1e-6})
    keys = space.candidate_keys(candidates)
    assert len(set(keys)) == len(candidates)


def test_keys_write_inactive_columns_as_minus_one_and_fold_negative_zero():
    space = as_search_space({"x": Real(0, 1), "y": Real(0, 1)})
    U = np.array([[np.nan, 0.5], [0.0, 0.5], [-0.0, 0.5], [0.5, 0.1234567891234]])
    keys = space.row_keys(U)
    assert keys[0] != keys[1]  # inactive is not the code 0
    assert keys[1] == keys[2]  # -0.0 is 0.0
    np.testing.assert_array_equal(np.frombuffer(keys[0]), [-1.0, 0.5])
    np.testing.assert_array_equal(np.frombuffer(keys[3]), [0.5, 0.123456789])
    assert space.row_keys(U[0]) == keys[:1]  # a 1-D array is one row
    assert space.row_keys(np.empty((0, 2))) == [] and space.candidate_keys([]) == []


def test_candidate_keys_are_keys_of_canonical_rows():
    space = as_search_space(make_conditional())
    candidates = space.from_unit(space.sample_unit(20, random_state=0))
    assert space.candidate_keys(candidates) == space.row_keys(
        space.snap(space.to_unit(candidates))
    )


@pytest.mark.parametrize("n", [1, 2, 5])
def test_subspace_selector_round_trip(n):
    space = as_search_space([{f"p{k}": [k]} for k in range(n)])
    k = np.arange(n)
    values = space.selector_value(k)
    assert values.shape == (n,)
    assert [space.selector_value(int(i)) for i in k] == list(values)
    assert isinstance(space.selector_value(0), float)
    # Each code is the centre of its own cell of [0, 1].
    np.testing.assert_allclose(values, (k + 0.5) / n)
    U = space.to_unit([{f"p{i}": i} for i in k])
    assert list(space.subspace_indices(U)) == list(k)
    if n == 1:
        assert space.selector_value(0) == 0.5
        assert list(space.subspace_indices(np.zeros((3, 1)))) == [0, 0, 0]
    else:
        np.testing.assert_array_equal(U[:, 0], values)
        edges = np.full((3, space.n_columns), np.nan)
        edges[:, 0] = [0.0, 1.0, np.nan]  # cell edges, and a missing code
        assert list(space.subspace_indices(edges)) == [0, n - 1, 0]
        assert space.subspace_indices(U[0]).shape == (1,)  # a 1-D row
    with pytest.raises(ValueError, match=rf"\[0, {n}\), got {n}"):
        space.selector_value(n)
    with pytest.raises(ValueError, match="got -1"):
        space.selector_value(-1)


class FitCounter(BaseEstimator):
    """Counts its fits; scores C."""

    fits = 0

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y=None):
        FitCounter.fits += 1
        if isinstance(self.C, str):
            raise ValueError(f"C must be a number, got {self.C!r}")
        return self

    def score(self, X, y=None):
        return float(self.C)


@pytest.mark.parametrize(
    "value, line",
    [
        ((1e-2, 1e2, "log-uniform"), 'Real(0.01, 100.0, prior="log-uniform")'),
        ((1, 100, "log-uniform"), 'Integer(1, 100, prior="log-uniform")'),
        ((1, 100.0, "uniform"), "Real(1, 100.0)"),
        ((1e-2, 1e2, "log-uniform", 10), 'Real(0.01, 100.0, prior="log-uniform")'),
    ],
)
def test_scikit_optimize_range_shorthand_is_refused_before_any_fit(value, line):
    # It ran as three choices: "log-uniform" failed every fit, and the search
    # reported a best C of 100 as if nothing had happened.
    FitCounter.fits = 0
    search = BayesSearchCV(FitCounter(), {"C": value}, n_iter=3, cv=2)
    with pytest.raises(ValueError, match="Parameter 'C'") as exc:
        search.fit(np.zeros((4, 1)))
    assert f"write 'C': {line}" in str(exc.value)
    assert "scikit-optimize's shorthand" in str(exc.value)
    assert FitCounter.fits == 0


def test_a_pair_of_numbers_warns_and_stays_two_choices():
    with pytest.warns(UserWarning, match=r"'C'.*read as the two choices") as rec:
        space = as_search_space({"C": (1e-2, 1e2)})
    assert "write 'C': Real(0.01, 100.0)" in str(rec[0].message)
    assert "[0.01, 100.0]" in str(rec[0].message)
    assert rec[0].filename == __file__  # points at the user's line
    assert space.subspaces[0]["C"].choices == (1e-2, 1e2)
    with pytest.warns(UserWarning, match=r"write 'n': Integer\(1, 5\)"):
        as_search_space({"n": (1, 5)})
    with pytest.warns(UserWarning, match=r"write 'a': Real\(0.5, 2.0\)"):
        as_search_space({"a": (np.float64(0.5), np.float64(2.0))})
    with warnings.catch_warnings():  # lists, and tuples of other values: silent
        warnings.simplefilter("error")
        as_search_space({"C": [1e-2, 1e2], "k": ("rbf", "linear")})
        as_search_space({"gamma": (0.1, 1.0, "auto"), "x": (1, 2, 3)})
        as_search_space({"C": Real(1e-2, 1e2, prior="log-uniform")})


def test_a_pair_of_numbers_warns_before_the_search_fits():
    FitCounter.fits = 0
    with pytest.warns(UserWarning, match="read as the two choices") as rec:
        BayesSearchCV(FitCounter(), {"C": (1, 2)}, n_iter=2, cv=2).fit(
            np.zeros((4, 1))
        )
    assert rec[0].filename == __file__  # the user's fit


def test_a_2d_array_of_values_is_refused_as_scikit_learn_does():
    # It raised "TypeError: expected a list of values".
    from sklearn.model_selection import ParameterGrid

    values = np.ones((3, 2))
    with pytest.raises(ValueError) as ours:
        as_search_space({"C": values})
    with pytest.raises(ValueError) as theirs:
        ParameterGrid({"C": values})
    assert str(ours.value) == str(theirs.value)
    assert "Parameter array for 'C' should be one-dimensional" in str(ours.value)
    assert isinstance(as_search_space({"C": np.ones(3)}).subspaces[0]["C"], Categorical)
