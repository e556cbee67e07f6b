"""HyperbandSearchCV and SuccessiveHalvingSearchCV: schedule, selection, errors.

The estimator double's score is a known function of its parameters and of its
resource (``budget``, or the number of training samples), so these tests are
fast and deterministic.
"""

import pickle
import warnings
import zlib

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hpo import (
    Categorical,
    HyperbandSearchCV,
    Integer,
    Real,
    SuccessiveHalvingSearchCV,
)
from sklearn_hpo.schedulers import hyperband_plan
from sklearn_hpo.search._subsample import SubsampledTrainSplitter, nested_order

OPTIMUM = np.array([0.7, 0.2, 0.5, 0.35])


def true_quality(params):
    x = np.array([params[f"x{i}"] for i in range(4)])
    return -float(np.sum((x - OPTIMUM) ** 2))


class BudgetDouble(RegressorMixin, BaseEstimator):
    """Score = quality of (x0..x3) + noise shrinking as 1/sqrt(budget).

    ``fail_above``: fit raises when ``x0`` exceeds it (a failing candidate).
    """

    def __init__(
        self, x0=0.5, x1=0.5, x2=0.5, x3=0.5, budget=1, noise=0.0, fail_above=None
    ):
        self.x0 = x0
        self.x1 = x1
        self.x2 = x2
        self.x3 = x3
        self.budget = budget
        self.noise = noise
        self.fail_above = fail_above

    def fit(self, X, y=None):
        if self.fail_above is not None and self.x0 > self.fail_above:
            raise ValueError("x0 too large")
        self.n_features_in_ = np.asarray(X).shape[1]
        self.n_train_ = len(X)
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        params = self.get_params()
        value = true_quality(params)
        if self.noise:
            key = zlib.crc32(repr(sorted(params.items())).encode())
            eps = np.random.default_rng(key).standard_normal()
            value += self.noise * eps / np.sqrt(self.budget)
        return value


class SampleCounter(ClassifierMixin, BaseEstimator):
    """Classifier double whose score is its number of training samples."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        self.n_train_ = len(X)
        self.class_counts_ = np.unique(y, return_counts=True)[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return float(self.n_train_) + self.a


SPACE = {f"x{i}": Real(0.0, 1.0) for i in range(4)}
XZ = np.zeros((8, 1))
CV = KFold(2)
Xc, yc = make_classification(n_samples=120, n_features=6, random_state=0)


def hyperband(**kw):
    kw = {
        "resource": "budget",
        "min_resources": 1,
        "max_resources": 27,
        "cv": CV,
        "random_state": 0,
        **kw,
    }
    return HyperbandSearchCV(kw.pop("estimator", BudgetDouble()), SPACE, **kw)


# ------------------------------------------------------------- schedule


def test_rungs_follow_the_plan_and_cv_results_has_the_columns():
    search = hyperband().fit(XZ)
    plan = hyperband_plan(1, 27, 3)
    assert search.plan_ == plan == search.brackets_
    expected = [(r.n_candidates, r.n_resources) for b in plan for r in b.rungs]
    assert list(zip(search.n_candidates_, search.n_resources_)) == expected
    res = search.cv_results_
    n_rows = sum(n for n, _ in expected)
    assert len(res["params"]) == n_rows
    rows = [
        (b.bracket, r.rung, r.n_resources)
        for b in plan
        for r in b.rungs
        for _ in range(r.n_candidates)
    ]
    assert list(zip(res["bracket"], res["iter"], res["n_resources"])) == rows
    # The resource parameter is set in every candidate.
    assert [p["budget"] for p in res["params"]] == [r for _, _, r in rows]
    assert search.min_resources_ == 1 and search.max_resources_ == 27


def test_promoted_candidates_are_the_best_of_their_rung():
    search = hyperband(estimator=BudgetDouble(noise=0.3)).fit(XZ)
    res = search.cv_results_
    bracket, rung = np.asarray(res["bracket"]), np.asarray(res["iter"])
    scores = res["mean_test_score"]

    def configs(b, i):
        idx = np.flatnonzero((bracket == b) & (rung == i))
        key = [tuple(res["params"][j][f"x{k}"] for k in range(4)) for j in idx]
        return key, scores[idx]

    for b in search.brackets_:
        for i in range(len(b.rungs) - 1):
            keys, s = configs(b.bracket, i)
            promoted, _ = configs(b.bracket, i + 1)
            top = [keys[j] for j in np.argsort(-s, kind="stable")[: len(promoted)]]
            assert promoted == top


def test_best_comes_from_the_highest_resource():
    # With noise, some low-budget rows score better than every full-budget
    # row; the best must still be taken at the full budget.
    search = hyperband(estimator=BudgetDouble(noise=2.0)).fit(XZ)
    res = search.cv_results_
    top = np.asarray(res["n_resources"]) == 27
    assert res["mean_test_score"].max() > res["mean_test_score"][top].max()
    assert top[search.best_index_]
    assert search.best_score_ == res["mean_test_score"][top].max()
    assert search.best_params_["budget"] == 27
    assert search.best_estimator_.budget == 27


def assert_schedule_as_sklearn(**kw):
    """Fit ours and HalvingRandomSearchCV with ``kw``: same rungs, same
    Halving attributes. Returns both."""
    ours = SuccessiveHalvingSearchCV(BudgetDouble(), SPACE, **kw).fit(XZ)
    sk = HalvingRandomSearchCV(
        BudgetDouble(), {k: stats.uniform(0, 1) for k in SPACE}, **kw
    ).fit(XZ)
    assert ours.min_resources_ == sk.min_resources_
    assert ours.n_resources_ == sk.n_resources_
    assert ours.n_candidates_ == sk.n_candidates_
    for name in HALVING_ATTRIBUTES:
        assert getattr(ours, name) == getattr(sk, name), name
    return ours, sk


def test_successive_halving_matches_sklearn_halving_schedule():
    kw = dict(resource="budget", min_resources=1, max_resources=81, factor=3, cv=CV)
    ours, sk = assert_schedule_as_sklearn(n_candidates=30, random_state=0, **kw)
    assert ours.cv_results_["n_resources"][ours.best_index_] == sk.n_resources_[-1]
    # "exhaust": max_resources // min_resources candidates, as scikit-learn.
    ours = SuccessiveHalvingSearchCV(BudgetDouble(), SPACE, random_state=0, **kw)
    assert ours.fit(XZ).n_candidates_ == [81, 27, 9, 3, 1]


@pytest.mark.parametrize(
    "n_candidates, factor, max_resources",
    [(30, 3, 9), (81, 3, 9), (20, 2, 8), (27, 3, 81)],
)
@pytest.mark.parametrize("min_resources", [1, "exhaust"])
def test_aggressive_elimination_matches_sklearn(
    n_candidates, factor, max_resources, min_resources
):
    assert_schedule_as_sklearn(
        resource="budget", min_resources=min_resources, max_resources=max_resources,
        n_candidates=n_candidates, factor=factor, cv=CV, random_state=0,
        aggressive_elimination=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    "n_candidates, factor, max_resources",
    [(10, 3, 81), (81, 3, 81), (7, 2, 81), (20, 2.5, 81), (5, 3, 100)],
)
def test_min_resources_exhaust_matches_sklearn(n_candidates, factor, max_resources):
    assert_schedule_as_sklearn(
        resource="budget", min_resources="exhaust", max_resources=max_resources,
        n_candidates=n_candidates, factor=factor, cv=CV, random_state=0,
    )  # fmt: skip


HALVING_ATTRIBUTES = (
    "n_iterations_",
    "n_possible_iterations_",
    "n_required_iterations_",
    "n_remaining_candidates_",
)


@pytest.mark.parametrize("n_values", [3, 5])
def test_min_resources_exhaust_with_fewer_distinct_candidates_matches_sklearn(
    n_values,
):
    # A finite space with fewer points than n_candidates: the first rung is
    # set from the candidates sampled, so the last one still reaches 81.
    space = {"x0": list(np.linspace(0.1, 0.9, n_values))}
    kw = dict(
        resource="budget", min_resources="exhaust", max_resources=81,
        n_candidates=81, cv=CV, random_state=0,
    )  # fmt: skip
    with pytest.warns(UserWarning):
        ours = SuccessiveHalvingSearchCV(BudgetDouble(), space, **kw).fit(XZ)
    with pytest.warns(UserWarning):
        sk = HalvingRandomSearchCV(BudgetDouble(), space, **kw).fit(XZ)
    assert ours.min_resources_ == sk.min_resources_ == 27
    assert ours.n_resources_ == sk.n_resources_ == [27, 81]
    assert ours.n_candidates_ == sk.n_candidates_


def test_a_small_space_is_warned_about_at_the_users_fit():
    from sklearn_hpo.optimizers import SearchSpaceExhaustedWarning

    search = SuccessiveHalvingSearchCV(
        BudgetDouble(), {"x0": [0.1, 0.5]}, resource="budget", max_resources=9,
        n_candidates=9, cv=CV, random_state=0,
    )  # fmt: skip
    with pytest.warns(SearchSpaceExhaustedWarning) as record:
        search.fit(XZ)
    exhausted = [w for w in record if w.category is SearchSpaceExhaustedWarning]
    assert [w.filename for w in exhausted] == [__file__]


@pytest.mark.parametrize(
    "n_candidates, expected_resources, expected_candidates",
    [
        # 9 candidates, factor 3: rungs of 9, 3 and 1; 120 // 9 = 13.
        (9, [13, 39, 117], [9, 3, 1]),
        # 81 would start at 120 // 81 = 1 sample: "auto" (2 * 3 * 2 = 12) wins.
        (81, [12, 36, 108], [81, 27, 9]),
    ],
)
def test_min_resources_exhaust_with_n_samples(
    n_candidates, expected_resources, expected_candidates
):
    search = SuccessiveHalvingSearchCV(
        SampleCounter(), {"a": Real(0, 0.1)}, n_candidates=n_candidates,
        min_resources="exhaust", cv=3, random_state=0,
    ).fit(Xc, yc)  # fmt: skip
    assert search.min_resources_ == expected_resources[0]
    assert search.n_resources_ == expected_resources
    assert search.n_candidates_ == expected_candidates


def test_min_resources_exhaust_errors():
    both = SuccessiveHalvingSearchCV(
        BudgetDouble(), SPACE, resource="budget", max_resources=27,
        min_resources="exhaust", cv=CV,
    )  # fmt: skip
    with pytest.raises(ValueError, match="cannot both be 'exhaust'.*got"):
        both.fit(XZ)
    hyperband_exhaust = HyperbandSearchCV(
        BudgetDouble(), SPACE, resource="budget", max_resources=27,
        min_resources="exhaust", cv=CV,
    )  # fmt: skip
    with pytest.raises(ValueError, match="'min_resources' parameter"):
        hyperband_exhaust.fit(XZ)


@pytest.mark.parametrize("sampler", ["random", "tpe", "gp"])
def test_finite_space_smaller_than_a_bracket(sampler):
    # Every planned bracket runs, with every point of the space; the
    # model-based samplers used to find nothing new after the first bracket
    # and stopped the search there.
    space = {"x0": [0.1, 0.5, 0.7], "x1": [0.2]}
    search = HyperbandSearchCV(
        BudgetDouble(), space, resource="budget", min_resources=1,
        max_resources=9, cv=CV, random_state=0, sampler=sampler,
        min_points_in_model=2,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(XZ)
    messages = [str(w.message) for w in caught if "distinct" in str(w.message)]
    assert len(messages) == 1
    assert messages[0] == (
        "search_spaces has only 3 distinct candidates, fewer than the 9 a "
        "bracket starts with: the brackets planned with more start with all 3 "
        "instead, and keep fewer at each rung."
    )
    assert [b.n_candidates for b in search.brackets_] == [3, 3, 3]
    assert search.n_candidates_ == [3, 1, 1, 3, 1, 3]
    assert search.best_params_["x0"] == 0.7


def test_same_random_state_same_search():
    a = hyperband(estimator=BudgetDouble(noise=0.3), random_state=3).fit(XZ)
    b = hyperband(estimator=BudgetDouble(noise=0.3), random_state=3).fit(XZ)
    c = hyperband(estimator=BudgetDouble(noise=0.3), random_state=4).fit(XZ)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.cv_results_["params"] != c.cv_results_["params"]


# ----------------------------------------------------- the n_samples resource


def test_subsampled_splitter_is_nested_stratified_and_keeps_test_folds():
    y = np.array([0] * 90 + [1] * 30)
    base = StratifiedKFold(3)
    previous = None
    for n_res in (12, 40, 120):
        splitter = SubsampledTrainSplitter(base, n_res, 120, True, random_state=0)
        splits = list(splitter.split(Xc, y))
        assert splitter.get_n_splits(Xc, y) == 3
        for (train, test), (full_train, full_test) in zip(splits, base.split(Xc, y)):
            np.testing.assert_array_equal(test, full_test)
            assert len(train) == 80 * n_res // 120
            assert set(train) <= set(full_train)
            assert abs(np.sum(y[train] == 1) - len(train) / 4) <= 1  # stratified
        if previous is not None:  # nested: more resource, a superset
            for (small, _), (large, _) in zip(previous, splits):
                assert set(small) <= set(large)
        previous = splits


def test_nested_order_prefixes_are_stratified():
    y = np.array([0] * 50 + [1] * 25 + [2] * 25)
    order = nested_order(y, 100, np.random.default_rng(0))
    assert sorted(order) == list(range(100))
    for m in (4, 20, 60):
        counts = np.bincount(y[order[:m]], minlength=3)
        np.testing.assert_allclose(counts, [m / 2, m / 4, m / 4], atol=1)


@pytest.mark.parametrize("seed", range(5))
def test_nested_order_prefixes_hold_every_class(seed):
    y = np.array([0] * 95 + [1] * 3 + [2] * 2)
    order = nested_order(y, 100, np.random.default_rng(seed))
    assert set(y[order[:3]]) == {0, 1, 2}
    counts = np.bincount(y[order[:40]], minlength=3)
    assert counts[0] >= 36  # still about stratified beyond the first samples


def test_n_samples_resource_subsamples_training_folds():
    search = HyperbandSearchCV(
        SampleCounter(), {"a": Real(0, 0.1)}, min_resources=12, cv=3,
        random_state=0,
    ).fit(Xc, yc)  # fmt: skip
    res = search.cv_results_
    # min 12, max 120 samples: s_max = 2; training folds hold 80 of 120.
    assert search.n_resources_ == [13, 40, 120, 40, 120, 120]
    expected = np.asarray(res["n_resources"]) * 80 // 120
    np.testing.assert_allclose(np.floor(res["mean_test_score"]), expected)
    assert search.best_estimator_.n_train_ == 120


def test_subsampled_splitter_cuts_test_folds_to_a_nested_stratified_floor():
    y = np.array([0] * 90 + [1] * 30)
    base = StratifiedKFold(3)
    previous = None
    for n_res in (12, 40, 90):
        splitter = SubsampledTrainSplitter(
            base, n_res, 120, True, random_state=0, min_validation=20
        )
        splits = list(splitter.split(Xc, y))
        for (train, test), (_, full_test) in zip(splits, base.split(Xc, y)):
            # max(floor, training samples kept), at most the whole fold
            assert len(test) == min(40, max(20, len(train)))
            assert set(test) <= set(full_test)
            assert abs(np.sum(y[test] == 1) - len(test) / 4) <= 1  # stratified
        if previous is not None:  # nested: more resource, a superset
            for (_, small), (_, large) in zip(previous, splits):
                assert set(small) <= set(large)
        previous = splits
    assert [len(t) for _, t in splits] == [40, 40, 40]


@pytest.mark.parametrize("scheduler", ["sync", "async"])
def test_n_samples_rungs_below_the_last_score_a_floor_of_each_test_fold(
    monkeypatch, scheduler
):
    from sklearn_hpo.search import _resources

    monkeypatch.setattr(_resources, "MIN_VALIDATION", 20)
    search = HyperbandSearchCV(
        SampleCounter(), {"a": Real(0, 0.1)}, min_resources=12, cv=3,
        random_state=0, scoring=lambda est, X, y: est.n_train_ * 1000 + len(X),
        scheduler=scheduler,
    ).fit(Xc, yc)  # fmt: skip
    res = search.cv_results_
    assert set(res["n_resources"]) == {13, 40, 120}
    n_train = np.asarray(res["n_resources"]) * 80 // 120
    n_test = np.round(res["mean_test_score"]) - 1000 * n_train
    # Training folds of 80 samples, test folds of 40: the rungs below 120
    # are scored on max(20, training samples) of them, the last ones on all.
    expected = np.where(n_train < 80, np.maximum(20, n_train), 40)
    np.testing.assert_array_equal(n_test, expected)
    assert search.best_score_ == 80 * 1000 + 40


def test_n_samples_last_rung_below_max_resources_scores_whole_test_folds(
    monkeypatch,
):
    from sklearn_hpo.search import _resources

    monkeypatch.setattr(_resources, "MIN_VALIDATION", 20)
    search = SuccessiveHalvingSearchCV(
        SampleCounter(), {"a": Real(0, 0.1)}, n_candidates=4, min_resources=12,
        cv=3, random_state=0,
        scoring=lambda est, X, y: est.n_train_ * 1000 + len(X),
    ).fit(Xc, yc)  # fmt: skip
    assert search.n_resources_ == [12, 36]  # the last rung stops below 120
    n_test = np.round(search.cv_results_["mean_test_score"]) % 1000
    np.testing.assert_array_equal(n_test, [20] * 4 + [40] * 2)


@pytest.mark.parametrize("cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
@pytest.mark.parametrize("min_resources", ["auto", "smallest"])
def test_min_resources_auto_for_n_samples_is_sklearn_smallest(cls, min_resources):
    # "smallest" is scikit-learn's name (HalvingRandomSearchCV's default).
    search = cls(
        SampleCounter(), {"a": Real(0, 0.1)}, cv=3, random_state=0,
        min_resources=min_resources,
    ).fit(Xc, yc)
    assert search.min_resources_ == 2 * 3 * 2
    assert search.max_resources_ == 120


# ------------------------------------------------------ scoring and failures


def test_multimetric_refit_by_name():
    space = {"C": Real(1e-3, 1e3, log=True)}
    search = HyperbandSearchCV(
        LogisticRegression(), space, resource="max_iter", min_resources=3,
        max_resources=27, scoring={"acc": "accuracy", "nll": "neg_log_loss"},
        refit="nll", cv=3, random_state=0,
    )  # fmt: skip
    with pytest.warns(Warning):  # ConvergenceWarning at small max_iter
        search.fit(Xc, yc)
    res = search.cv_results_
    top = np.flatnonzero(np.asarray(res["n_resources"]) == 27)
    assert search.best_index_ == top[np.argmax(res["mean_test_nll"][top])]
    assert search.best_score_ == res["mean_test_nll"][search.best_index_]
    assert "mean_test_acc" in res and search.multimetric_


def test_failing_candidates_are_tolerated_and_never_win():
    search = hyperband(estimator=BudgetDouble(fail_above=0.5))
    with pytest.warns(FitFailedWarning, match="fits failed out of a total of"):
        with pytest.warns(UserWarning, match="non-finite"):
            search.fit(XZ)
    res = search.cv_results_
    failed = np.isnan(res["mean_test_score"])
    assert failed.any() and not failed.all()
    assert search.best_params_["x0"] <= 0.5
    # Failures are promoted only when there are not enough good ones.
    for b, i in set(zip(res["bracket"], res["iter"])):
        rows = (np.asarray(res["bracket"]) == b) & (np.asarray(res["iter"]) == i)
        if i > 0 and failed[rows].any():
            prev = (np.asarray(res["bracket"]) == b) & (
                np.asarray(res["iter"]) == i - 1
            )
            assert (~failed[prev]).sum() < rows.sum()


def test_callable_scorer_returning_a_dict_with_a_failed_rung():
    # A rung whose fits all fail must give NaN for every metric (as
    # GridSearchCV), not crash when cv_results_ is formatted.
    def scorer(est, X, y=None):
        return {"quality": est.score(X), "zero": 0.0}

    for seed in range(3):
        search = hyperband(
            estimator=BudgetDouble(fail_above=0.3), scoring=scorer, refit="quality",
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(XZ)
        assert search.multimetric_
        res = search.cv_results_
        failed = np.array([p["x0"] > 0.3 for p in res["params"]])
        assert failed.any() and not failed.all()
        for metric in ("quality", "zero"):
            scores = res[f"mean_test_{metric}"]
            assert np.isnan(scores[failed]).all()
            assert np.isfinite(scores[~failed]).all()
        assert search.best_params_["x0"] <= 0.3


def test_all_failing_raises():
    with pytest.raises(ValueError, match="All the .* fits failed"):
        hyperband(estimator=BudgetDouble(fail_above=-1.0)).fit(XZ)


# ---------------------------------------------------------------- bad input


BAD_INPUT = [
    (
        {"resource": "n_trees"},
        "resource must be 'n_samples', 'partial_fit' or the name of an integer "
        "parameter of BudgetDouble, got resource='n_trees'",
    ),
    ({"resource": "x0"}, "resource='x0' is also searched"),
    (
        {"min_resources": 30},
        r"min_resources=30 is greater than max_resources=27: the first rung "
        r"cannot use more resources than the last\. Set min_resources to at "
        r"most 27\.",
    ),
    (
        {"resource": "n_samples", "min_resources": 9, "max_resources": "auto"},
        r"min_resources=9 is greater than max_resources='auto', which is 8 "
        r"here \(the number of samples\): .* Set min_resources to at most 8\.",
    ),
    ({"resource": "budgte"}, r"resource='budgte'\. Did you mean 'budget'\?"),
    ({"resource": "n_sample"}, r"resource='n_sample'\. Did you mean 'n_samples'\?"),
    ({"resource": "partialfit"}, r"Did you mean 'partial_fit'\?"),
    ({"factor": 1}, "'factor' parameter of HyperbandSearchCV must be"),
    ({"factor": 0.5}, "Got 0.5"),
    (
        {"max_resources": "auto"},
        "max_resources='auto' is only available with resource='n_samples'",
    ),
    (
        {"resource": "n_samples", "max_resources": 9},
        r"max_resources=9 is greater than the number of samples \(8\)",
    ),
    ({"min_resources": 0}, "'min_resources' parameter"),
    ({"sampler": "bohb"}, "'sampler' parameter"),
    ({"n_brackets": 0}, "'n_brackets' parameter"),
    ({"n_brackets": True}, "'n_brackets' parameter .* not a bool. Got True"),
    ({"min_resources": True}, "'min_resources' parameter .* not a bool. Got True"),
]


@pytest.mark.parametrize("kwargs, match", BAD_INPUT)
def test_bad_input_raises_at_fit_naming_parameter_and_value(kwargs, match):
    search = hyperband(**kwargs)  # no validation in __init__
    with pytest.raises(ValueError, match=match):
        search.fit(XZ)
    assert _held(search) == set()  # nothing of the fit stays


# What scikit-learn's own BaseSearchCV.fit sets before it calls _run_search.
SKLEARN_FIT_STATE = {"_checked_cv_orig", "n_splits_"}


def _held(search):
    return set(vars(search)) - set(search.get_params(deep=False)) - SKLEARN_FIT_STATE


def test_an_early_error_leaves_no_data_on_the_search():
    search = hyperband(resource="n_samples", warm_start=True)
    with pytest.raises(ValueError, match="warm_start=True needs"):
        search.fit(XZ)
    assert _held(search) == set()


def test_nested_resource_in_a_pipeline_and_bad_search_name():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    space = {"logisticregression__C": Real(1e-2, 1e2, log=True)}
    search = SuccessiveHalvingSearchCV(
        pipe, space, resource="logisticregression__max_iter", min_resources=10,
        max_resources=90, cv=3, random_state=0,
    ).fit(Xc, yc)  # fmt: skip
    assert search.best_params_["logisticregression__max_iter"] == 90
    assert search.best_estimator_[-1].max_iter == 90
    bad = clone(search).set_params(search_spaces={"nope": [1, 2]})
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        bad.fit(Xc, yc)


# -------------------------------------------------- model-based, sklearn API


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_model_based_sampler(sampler):
    search = hyperband(
        estimator=BudgetDouble(noise=0.1), sampler=sampler, n_brackets=4
    ).fit(XZ)
    assert len(search.brackets_) == 4
    again = hyperband(
        estimator=BudgetDouble(noise=0.1), sampler=sampler, n_brackets=4
    ).fit(XZ)
    assert search.cv_results_["params"] == again.cv_results_["params"]
    assert true_quality(search.best_params_) > -0.1


def _proposal_quality(sampler, seed):
    """Mean true quality of the candidates proposed for brackets 1.. (the
    ones a model-based sampler proposes once the first bracket is scored)."""
    search = hyperband(
        estimator=BudgetDouble(noise=0.1), sampler=sampler, n_brackets=4,
        random_state=seed,
    ).fit(XZ)  # fmt: skip
    res = search.cv_results_
    proposed = [
        params
        for params, bracket, rung in zip(res["params"], res["bracket"], res["iter"])
        if bracket > 0 and rung == 0
    ]
    return np.mean([true_quality(p) for p in proposed])


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_model_based_sampler_proposes_better_candidates_than_random(sampler):
    # Same seeds, same first bracket (random): the later brackets' candidates
    # come from the model fit on the scored ones, and are better on average
    # (about -0.3 against -0.5 for random, over these seeds; the margin
    # asked is smaller, so that a change of random stream does not tip it).
    model = np.mean([_proposal_quality(sampler, seed) for seed in range(3)])
    random = np.mean([_proposal_quality("random", seed) for seed in range(3)])
    assert model > random + 0.05


def test_clone_pickle_predict():
    search = hyperband()
    assert clone(search).get_params()["resource"] == "budget"
    search.fit(XZ)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(XZ), search.predict(XZ))


@pytest.mark.parametrize("sampler", ["tpe", "gp"])
def test_conditional_space(sampler):
    space = [
        {"x0": Real(0, 1), "x1": Categorical([0.2])},
        {"x0": Real(0, 1), "x2": Real(0, 1)},
    ]
    search = HyperbandSearchCV(
        BudgetDouble(), space, resource="budget", min_resources=1,
        max_resources=9, cv=CV, random_state=0, sampler=sampler, n_brackets=4,
        min_points_in_model=2,
    ).fit(XZ)  # fmt: skip
    assert len(search.cv_results_["params"]) == sum(search.n_candidates_)


# ------------------------------------------------------------------ quality


def test_hyperband_beats_random_search_at_equal_budget():
    est = BudgetDouble(noise=0.3)
    ours, theirs = [], []
    for seed in range(5):
        hb = hyperband(estimator=est, max_resources=81, random_state=seed).fit(XZ)
        budget = np.sum(hb.cv_results_["n_resources"])
        n_iter = int(budget // 81)  # RandomizedSearchCV at full resource
        rs = RandomizedSearchCV(
            clone(est).set_params(budget=81),
            {k: stats.uniform(0, 1) for k in SPACE},
            n_iter=n_iter,
            cv=CV,
            random_state=seed,
        ).fit(XZ)
        assert n_iter * 81 <= budget
        ours.append(true_quality(hb.best_params_))
        theirs.append(true_quality(rs.best_params_))
    assert np.mean(ours) > np.mean(theirs)


@pytest.mark.parametrize("cls", ["HyperbandSearchCV", "SuccessiveHalvingSearchCV"])
def test_sklearn_callbacks_see_rungs_and_can_stop_the_search(cls):
    pytest.importorskip("sklearn.callback")
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    import sklearn_hpo
    from sklearn_hpo import Integer

    class Recorder:
        def __init__(self):
            self.tasks = []

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.tasks.append(context.task_name)

        def on_fit_task_end(self, estimator, context, **kwargs):
            rung = "halving-iteration"
            return context.task_name == rung and self.tasks.count(rung) >= stop

    stop = 3 if cls == "HyperbandSearchCV" else 2  # SH plans 3 rungs
    X, y = make_classification(300, random_state=0)
    rec = Recorder()
    search = getattr(sklearn_hpo, cls)(
        RandomForestClassifier(random_state=0), {"max_depth": Integer(1, 10)},
        resource="n_estimators", min_resources=3, max_resources=27, cv=3,
        random_state=0,
    )  # (SuccessiveHalvingSearchCV overrode _run_search without callback_ctx)
    search.set_callbacks(rec)
    search.fit(X, y)
    assert rec.tasks.count("search") == 1
    assert rec.tasks.count("halving-iteration") == stop
    assert len(search.n_resources_) == stop
    assert "round" not in search.cv_results_
    assert {"bracket", "iter", "n_resources"} <= set(search.cv_results_)


# ---------------------------------------------- candidates failing on a rung


def knn_search(search_cls, **kw):
    from sklearn.neighbors import KNeighborsClassifier

    return search_cls(
        KNeighborsClassifier(), {"n_neighbors": Integer(1, 60)},
        resource="n_samples", cv=3, random_state=0, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    "search_cls, kw",
    [
        (SuccessiveHalvingSearchCV, {"n_candidates": 12}),
        (HyperbandSearchCV, {"n_brackets": 2}),
    ],
)
def test_candidates_too_large_for_a_small_rung_are_reported_once(search_cls, kw):
    from sklearn_hpo.search import RungFailureWarning

    X300, y300 = make_classification(n_samples=300, random_state=0)
    search = knn_search(search_cls, **kw)
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        search.fit(X300, y300)
    found = [r for r in records if issubclass(r.category, RungFailureWarning)]
    assert len(found) == 1  # once per search, however many rungs failed
    message = str(found[0].message)
    results = search.cv_results_
    first = (results["bracket"] == 0) & (results["iter"] == 0)
    scores = results["mean_test_score"][first]
    n_failed = int(np.sum(np.isnan(scores)))
    assert n_failed > 0
    (n_resources,) = set(results["n_resources"][first])
    # Each training fold of the first rung keeps 2/3 of its n_resources.
    n_train = 2 * n_resources // 3
    assert message.startswith(
        f"{n_failed} of {len(scores)} candidates of {search_cls.__name__} got "
        f"no score (the fit or the scoring failed) at rung 0 of bracket 0, with "
        f"n_resources={n_resources} (each training fold subsampled to "
        f"{n_train} samples) of max_resources=300."
    )
    # The failing parameter, with the threshold the others stay under.
    # (From "params": "param_n_neighbors" is a masked object array, whose
    # max() fails on numpy 1.23.)
    rows = np.flatnonzero(first)
    params = np.array([results["params"][i]["n_neighbors"] for i in rows])
    bad, good = params[np.isnan(scores)], params[~np.isnan(scores)]
    assert good.max() <= n_train < bad.min()
    assert (
        f"The failing ones all have n_neighbors >= {bad.min()} (the others "
        f"have n_neighbors <= {good.max()})."
    ) in message
    assert (
        "too small for them (as a k-NN with more neighbours than the rung has "
        f"samples), raise min_resources above {n_resources} (it is "
        f"{search.min_resources_}; every rung at or below {n_resources} may fail "
        "them)"
    ) in message


def test_candidates_failing_with_the_full_resource_are_not_reported_as_rungs():
    from sklearn_hpo.search import RungFailureWarning

    # One rung, with max_resources: a failure there is a bad candidate.
    search = SuccessiveHalvingSearchCV(
        BudgetDouble(fail_above=0.5), SPACE, resource="budget", min_resources=27,
        max_resources=27, n_candidates=6, cv=CV, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        search.fit(XZ)
    assert np.isnan(search.cv_results_["mean_test_score"]).any()
    assert not [r for r in records if issubclass(r.category, RungFailureWarning)]
