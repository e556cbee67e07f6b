"""Drop-in behaviour of the sequential searches: the GridSearchCV contract."""

import functools
import inspect
import pickle
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import sklearn_hpo
from sklearn_hpo import (
    BayesSearchCV,
    CoarseToFineSearchCV,
    EvolutionarySearchCV,
    Integer,
    Real,
)
from sklearn_hpo._registry import STRATEGIES
from sklearn_hpo.search import HybridSearchCV

X, y = make_classification(n_samples=120, n_features=6, random_state=0)

# Every sequential strategy of the registry, with small populations and
# initial designs.
FAST = {"n_initial_points": 3, "population_size": 3, "n_particles": 3}
SEQUENTIAL = [s for s in STRATEGIES if s.family != "multi-fidelity"]


def _maker(strategy):
    cls = getattr(sklearn_hpo, strategy.search)
    names = inspect.signature(cls).parameters
    fast = {k: v for k, v in FAST.items() if k in names}
    return functools.partial(cls, **strategy.params, **fast)


SEARCHES = {s.name: _maker(s) for s in SEQUENTIAL}

# Extra cv_results_ columns that a search's optimizer adds (candidate_info).
OPTIMIZER_COLUMNS = {s.search: set(s.columns) for s in SEQUENTIAL}


@pytest.fixture(params=sorted(SEARCHES))
def make(request):
    return SEARCHES[request.param]


LR_SPACE = {"C": Real(1e-3, 1e3, log=True), "fit_intercept": [True, False]}


def test_clone_get_set_params_round_trip(make):
    search = make(LogisticRegression(), LR_SPACE, n_iter=4, cv=3, random_state=0)
    params = search.get_params()
    assert params["n_iter"] == 4 and params["estimator__C"] == 1.0
    cloned = clone(search)
    assert cloned.get_params()["search_spaces"] == LR_SPACE
    cloned.set_params(n_iter=7, estimator__C=2.0)
    assert cloned.n_iter == 7 and cloned.estimator.C == 2.0
    assert search.n_iter == 4


def test_fit_pickle_and_predict(make):
    search = make(LogisticRegression(), LR_SPACE, n_iter=5, cv=3, random_state=0)
    pickle.loads(pickle.dumps(search))
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 5
    assert search.best_index_ == np.argmax(search.cv_results_["mean_test_score"])
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert search.score(X, y) == search.best_estimator_.score(X, y)
    assert search.predict_proba(X).shape == (120, 2)
    assert list(search.cv_results_["round"]) == [0, 1, 2, 3, 4]
    assert search.optimizer_.n_observations == 5


def test_cv_results_have_gridsearch_schema(make):
    space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    ours = make(SVC(), space, n_iter=4, cv=3, random_state=0, return_train_score=True)
    ours.fit(X, y)
    ref = RandomizedSearchCV(
        SVC(),
        {"C": stats.loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
        n_iter=4,
        cv=3,
        random_state=0,
        return_train_score=True,
    ).fit(X, y)
    extra = set(ours.cv_results_) - set(ref.cv_results_)
    # the shared loop adds "round"; an optimizer may add columns of its own
    assert extra - OPTIMIZER_COLUMNS.get(type(ours).__name__, set()) == {"round"}
    for key, value in ref.cv_results_.items():
        mine = ours.cv_results_[key]
        assert type(mine) is type(value), key
        if isinstance(value, np.ndarray):
            assert mine.dtype.kind == value.dtype.kind, key


def test_pipeline_step_names_and_search_inside_pipeline(make):
    pipe = make_pipeline(StandardScaler(), SVC())
    space = {"svc__C": Real(1e-2, 1e2, log=True), "svc__gamma": ["scale", 0.1]}
    search = make(pipe, space, n_iter=4, cv=3, random_state=0).fit(X, y)
    assert set(search.best_params_) == {"svc__C", "svc__gamma"}
    outer = Pipeline([("scale", StandardScaler()), ("search", clone(search))])
    outer.fit(X, y)
    assert outer.score(X, y) > 0.5
    scores = cross_val_score(clone(search), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_conditional_space_over_pipeline_steps(make):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = [
        {"clf": [SVC()], "clf__C": Real(1e-2, 1e2, log=True)},
        {"clf": [KNeighborsClassifier()], "clf__n_neighbors": Integer(1, 30)},
    ]
    search = make(pipe, space, n_iter=10, cv=3, random_state=0).fit(X, y)
    res = search.cv_results_
    used = {type(p["clf"]).__name__ for p in res["params"]}
    assert used == {"SVC", "KNeighborsClassifier"}
    # masked parameter columns, as GridSearchCV makes for a list of grids
    knn = np.array(
        [type(p["clf"]).__name__ == "KNeighborsClassifier" for p in res["params"]]
    )
    assert np.all(res["param_clf__C"].mask == knn)
    assert np.all(res["param_clf__n_neighbors"].mask == ~knn)
    # the user's estimators in the space are never fitted or changed
    assert not hasattr(space[0]["clf"][0], "support_")


def test_multimetric_refit_by_name_and_callable(make):
    scoring = {"acc": "accuracy", "ll": "neg_log_loss"}
    search = make(
        LogisticRegression(), LR_SPACE, n_iter=4, cv=3, scoring=scoring,
        refit="ll", random_state=0,
    ).fit(X, y)
    assert search.multimetric_
    assert search.best_index_ == np.argmax(search.cv_results_["mean_test_ll"])
    assert "mean_test_acc" in search.cv_results_

    def pick_last(results):
        return len(results["params"]) - 1

    search = make(
        LogisticRegression(), LR_SPACE, n_iter=3, cv=3, scoring=scoring,
        refit=pick_last, random_state=0,
    ).fit(X, y)
    assert search.best_index_ == 2 and not hasattr(search, "best_score_")
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        make(LogisticRegression(), LR_SPACE, n_iter=2, scoring=scoring).fit(X, y)


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails to fit when ``p`` is above ``threshold``."""

    def __init__(self, p=0.0, threshold=0.5):
        self.p = p
        self.threshold = threshold

    def fit(self, X, y):
        if self.p > self.threshold:
            raise ValueError("p too large")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 1.0 - self.p


def test_an_empty_space_cross_validates_the_defaults_as_grid_search(make):
    from sklearn.model_selection import GridSearchCV

    grid = GridSearchCV(LogisticRegression(), {}, cv=3).fit(X, y)
    with pytest.warns(UserWarning, match="only 1 distinct candidate"):
        search = make(LogisticRegression(), {}, n_iter=4, cv=3).fit(X, y)
    assert search.cv_results_["params"] == [{}] and search.best_params_ == {}
    assert search.best_score_ == grid.best_score_


def test_the_defaults_next_to_a_space(make):
    # [{}, {...}]: the defaults compete with the searched candidates.
    space = [{}, {"C": Real(1e-3, 1e3, log=True)}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = make(LogisticRegression(), space, n_iter=25, cv=2, random_state=2)
        search.fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 25 and params.count({}) == 1


def test_failing_candidates_become_nan_rows_and_search_completes(make):
    search = make(
        FailingClassifier(), {"p": Real(0, 1)}, n_iter=12, cv=3, random_state=0
    )
    with pytest.warns(FitFailedWarning, match="fits failed out of a total of 36"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    failed = np.array([p["p"] > 0.5 for p in search.cv_results_["params"]])
    assert failed.any() and not failed.all()
    assert np.all(np.isnan(scores[failed])) and np.all(np.isfinite(scores[~failed]))
    assert search.best_params_["p"] <= 0.5


def test_all_fits_failing_raises_once_at_the_end(make):
    search = make(
        FailingClassifier(threshold=-1), {"p": Real(0, 1)}, n_iter=3, cv=2,
        random_state=0,
    )
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        search.fit(X, y)


def _dict_scorer(est, X, y):
    accuracy = float(np.mean(est.predict(X) == y))
    return {"acc": accuracy, "err": 1.0 - accuracy}


@pytest.mark.parametrize("first", [0.9, 0.1])
def test_callable_scorer_returning_a_dict_with_failed_candidates(make, first):
    # GridSearchCV gives a failed candidate NaN for every metric. With the
    # fit-failure check deferred, a round whose fits all failed kept scalar
    # scores, and formatting cv_results_ crashed, whether it came first or
    # after rounds that had succeeded.
    search = make(
        FailingClassifier(), {"p": Real(0, 1)}, n_iter=5, cv=2, random_state=0,
        scoring=_dict_scorer, refit="acc",
        initial_points=[{"p": first}, {"p": 1.0 - first}],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, y)
    assert search.multimetric_
    failed = np.array([p["p"] > 0.5 for p in search.cv_results_["params"]])
    assert failed.any() and not failed.all()
    for metric in ("acc", "err"):
        scores = search.cv_results_[f"mean_test_{metric}"]
        assert np.all(np.isnan(scores[failed])) and np.all(np.isfinite(scores[~failed]))
    assert search.best_params_["p"] <= 0.5


def test_error_score_raise(make):
    search = make(
        FailingClassifier(threshold=-1), {"p": Real(0, 1)}, n_iter=3, cv=2,
        error_score="raise",
    )
    with pytest.raises(ValueError, match="p too large"):
        search.fit(X, y)


def test_groups_reach_the_splitter(make):
    groups = np.repeat(np.arange(4), 30)
    search = make(
        LogisticRegression(), LR_SPACE, n_iter=3, cv=GroupKFold(n_splits=4),
        random_state=0,
    )
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 4
    with pytest.raises(ValueError, match="groups"):
        clone(search).fit(X, y)


class WeightRecorder(ClassifierMixin, BaseEstimator):
    def __init__(self, a=1.0):
        self.a = a

    def fit(self, X, y, sample_weight=None):
        assert sample_weight is not None and len(sample_weight) == len(X)
        self.classes_ = np.unique(y)
        self.weight_sum_ = float(np.sum(sample_weight))
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fit_params_are_routed_to_the_estimator(make):
    w = np.arange(len(X), dtype=float)
    search = make(WeightRecorder(), {"a": Real(0, 1)}, n_iter=2, cv=3, random_state=0)
    search.fit(X, y, sample_weight=w)
    assert search.best_estimator_.weight_sum_ == w.sum()


def test_same_candidates_whatever_n_jobs(make):
    kw = dict(n_iter=6, n_points=2, cv=2, random_state=3)
    a = make(LogisticRegression(), LR_SPACE, n_jobs=1, **kw).fit(X, y)
    b = make(LogisticRegression(), LR_SPACE, n_jobs=2, **kw).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    scores = [s.cv_results_["mean_test_score"] for s in (a, b)]
    assert np.array_equal(*scores)
    if a._sliding_window:  # one ask per candidate, two out at a time
        assert list(a.cv_results_["round"]) == [0, 1, 2, 3, 4, 5]
    else:  # one ask per round of n_points
        assert list(a.cv_results_["round"]) == [0, 0, 1, 1, 2, 2]
    assert list(b.cv_results_["round"]) == list(a.cv_results_["round"])


def test_finite_space_ends_early(make):
    space = {"C": [0.1, 1.0, 10.0]}
    with pytest.warns(UserWarning, match="only 3 distinct candidates"):
        search = make(LogisticRegression(), space, n_iter=10, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 3


@pytest.mark.parametrize(
    "space, kwargs, exc, match",
    [
        ({"nope": Real(0, 1)}, {}, ValueError, "Invalid parameter 'nope'"),
        # Invalid dimensions (Real(2, 1)) raise when built: tests/space.
        ({"C": []}, {}, ValueError, "'C': choices must not be empty"),
        ({"C": (1e-2, 1e2, "log-uniform")}, {}, ValueError, "'C': .* shorthand"),
        ({"C": np.ones((3, 2))}, {}, ValueError, "'C' should be one-dimensional"),
        ({"C": 3.0}, {}, TypeError, "Parameter 'C'"),
        ("C", {}, ValueError, "'search_spaces' parameter"),
        (LR_SPACE, {"n_iter": 0}, ValueError, "'n_iter' parameter .* Got 0"),
        (LR_SPACE, {"n_points": 0}, ValueError, "'n_points' parameter .* Got 0"),
        (LR_SPACE, {"n_iter": 2.5}, TypeError, "'n_iter' parameter .* Got 2.5"),
        (LR_SPACE, {"n_iter": True}, ValueError, "'n_iter' parameter .* Got True"),
        (LR_SPACE, {"n_points": False}, ValueError, "'n_points' parameter .* Got F"),
        (LR_SPACE, {"random_state": "x"}, ValueError, "'random_state' parameter"),
    ],
)
def test_bad_input_raises_at_fit_naming_parameter_and_value(
    make, space, kwargs, exc, match
):
    search = make(LogisticRegression(), space, cv=2, **kwargs)  # no error yet
    with pytest.raises(exc, match=match):
        search.fit(X, y)


class NeverFitted(ClassifierMixin, BaseEstimator):
    """Fails loudly if fitted: a name check must come before any fit."""

    def __init__(self, C=1.0, gamma=1.0):
        self.C = C
        self.gamma = gamma

    def fit(self, X, y):
        raise RuntimeError("fitted before the parameter names were checked")


@pytest.mark.parametrize(
    "space, match",
    [
        (
            {"clf__c": Real(0.1, 10.0)},
            r"Invalid parameter 'clf__c' in search_spaces for estimator "
            r"Pipeline: it has no parameter of that name\. Did you mean "
            r"'clf__C'\? Valid parameters are: \[.*'clf__gamma'",
        ),
        (  # each sub-space of a conditional space is checked
            [{"clf__C": Real(0.1, 10.0)}, {"clf__gama": Real(0.1, 1.0)}],
            r"Invalid parameter 'clf__gama' in search_spaces\[1\] for "
            r"estimator Pipeline: .* Did you mean 'clf__gamma'\?",
        ),
        (  # the step's prefix left out
            {"C": Real(0.1, 10.0)},
            r"Invalid parameter 'C' .* Did you mean 'clf__C'\?",
        ),
    ],
)
def test_a_misspelt_name_is_refused_before_any_fit_with_a_suggestion(
    make, space, match
):
    pipe = Pipeline([("sc", StandardScaler()), ("clf", NeverFitted())])
    search = make(pipe, space, n_iter=2, cv=2, error_score="raise")
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)


def test_nested_names_are_validated_against_the_searched_estimators():
    pipe = Pipeline([("clf", SVC())])
    ok = [{"clf": [LogisticRegression()], "clf__max_iter": [50, 100]}]
    BayesSearchCV(pipe, ok, n_iter=2, cv=2, optimizer="random").fit(X, y)
    bad = [{"clf": [LogisticRegression(), SVC()], "clf__max_iter": [50]}]
    # SVC has max_iter too; n_neighbors is KNN only
    BayesSearchCV(pipe, bad, n_iter=2, cv=2, optimizer="random").fit(X, y)
    worse = [{"clf": [LogisticRegression()], "clf__n_neighbors": [3]}]
    with pytest.raises(ValueError, match="Invalid parameter 'clf__n_neighbors'"):
        BayesSearchCV(pipe, worse, n_iter=2, cv=2).fit(X, y)


class KwargsClassifier(ClassifierMixin, BaseEstimator):
    """Takes extra keyword parameters, as LightGBM's estimators do:
    ``get_params`` lists only those already set."""

    def __init__(self, C=1.0, **kwargs):
        self.C = C
        self._extra = {}
        self.set_params(**kwargs)

    def get_params(self, deep=True):
        return {**super().get_params(deep=deep), **self._extra}

    def set_params(self, **params):
        for key, value in params.items():
            if key != "C" and not key.startswith("extra_"):
                raise ValueError(f"Invalid parameter {key!r}")
            setattr(self, key, value)
            if key != "C":
                self._extra[key] = value
        return self

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C * getattr(self, "extra_scale", 1))
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_parameters_that_set_params_accepts_are_valid():
    search = BayesSearchCV(
        KwargsClassifier(), {"extra_scale": [0.01, 1.0]}, n_iter=2, cv=2
    ).fit(X, y)
    assert {p["extra_scale"] for p in search.cv_results_["params"]} == {0.01, 1.0}
    with pytest.raises(ValueError, match="Invalid parameter 'scale'"):
        BayesSearchCV(KwargsClassifier(), {"scale": [0.01, 1.0]}, n_iter=2).fit(X, y)


def test_range_values_work_as_in_grid_search():
    search = BayesSearchCV(
        KNeighborsClassifier(), {"n_neighbors": range(1, 6)}, n_iter=5, cv=2
    ).fit(X, y)
    assert sorted(p["n_neighbors"] for p in search.cv_results_["params"]) == [
        1, 2, 3, 4, 5
    ]


@pytest.mark.parametrize(
    "search_cls", [BayesSearchCV, CoarseToFineSearchCV, HybridSearchCV]
)
def test_every_value_of_a_skewed_discrete_prior_is_tried(search_cls):
    dist = stats.rv_discrete(values=([1, 10, 100], [0.998, 0.001, 0.001]))
    kwargs = {"optimizer": "random"} if search_cls is BayesSearchCV else {}
    search = search_cls(
        DecisionTreeClassifier(random_state=0), {"max_depth": dist}, n_iter=3,
        cv=2, random_state=0, **kwargs,
    ).fit(X, y)  # fmt: skip
    assert sorted(p["max_depth"] for p in search.cv_results_["params"]) == [1, 10, 100]


def test_unfrozen_discrete_distributions_give_integers():
    dist = stats.rv_discrete(values=([1, 3, 10], [0.3, 0.3, 0.4]))
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": dist}, n_iter=3, cv=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    depths = [p["max_depth"] for p in search.cv_results_["params"]]
    assert sorted(depths) == [1, 3, 10]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_invalid_optimizer_kwargs_name_the_parameter():
    search = BayesSearchCV(
        LogisticRegression(), LR_SPACE, n_iter=2, optimizer_kwargs={"bogus": 1}
    )
    with pytest.raises(TypeError, match="optimizer_kwargs"):
        search.fit(X, y)


def test_user_space_objects_are_not_mutated(make):
    space = {"C": Real(1e-2, 1e2, log=True), "tol": [1e-4]}
    before = repr(space)
    make(LogisticRegression(), space, n_iter=3, cv=2, random_state=0).fit(X, y)
    assert repr(space) == before and space["tol"] == [1e-4]


def test_sklearn_callbacks_see_the_tasks_of_randomized_search():
    # One task for the search and one per candidate and split, as in
    # RandomizedSearchCV: no task of our own per round. (Our stoppers, in
    # tests/callbacks, stop a search between rounds.)
    callback = pytest.importorskip("sklearn.callback")

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
            return True  # a search of ours cannot be stopped by this protocol

    assert isinstance(Recorder(), callback.FitCallback)
    rec = Recorder()
    search = BayesSearchCV(
        LogisticRegression(), LR_SPACE, n_iter=6, n_points=2, cv=2,
        optimizer="random", random_state=0,
    )
    search.set_callbacks(rec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert rec.tasks.count("search") == 1
    assert rec.tasks.count("candidate-split-evaluation") == 6 * 2
    assert "round" not in rec.tasks
    assert len(search.cv_results_["params"]) == 6


def test_metadata_routing_when_enabled(make):
    import sklearn

    w = np.arange(len(X), dtype=float)
    with sklearn.config_context(enable_metadata_routing=True):
        est = (
            WeightRecorder()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False)
        )
        search = make(est, {"a": Real(0, 1)}, n_iter=2, cv=3, random_state=0)
        search.fit(X, y, sample_weight=w)
        assert search.best_estimator_.weight_sum_ == w.sum()
        unrequested = make(WeightRecorder(), {"a": Real(0, 1)}, n_iter=2, cv=3)
        with pytest.raises(ValueError, match="sample_weight"):
            unrequested.fit(X, y, sample_weight=w)


def test_initial_points_are_evaluated_first_and_count_in_n_iter(make):
    points = [{"C": 0.5, "fit_intercept": False}, {"C": 7.0, "fit_intercept": True}]
    search = make(
        LogisticRegression(), LR_SPACE, n_iter=5, n_points=2, cv=2,
        initial_points=points, random_state=0,
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 5 and params[:2] == points
    assert points[0] not in params[2:] and points[1] not in params[2:]
    assert search.optimizer_.n_observations == 5


@pytest.mark.parametrize(
    "points, match",
    [
        ([{"C": 5e3, "fit_intercept": True}], r"initial_points\[0\] has C=5000"),
        ([{"C": 1.0}], r"initial_points\[0\] lacks \['fit_intercept'\]"),
        (
            [{"C": 1.0, "fit_intercept": True, "tol": 1.0}],
            r"initial_points\[0\] has \['tol'\] too",
        ),
        (
            [{"C": 1.0, "fit_intercept": 3}],
            r"initial_points\[0\] has fit_intercept=3, which is not a value",
        ),
        ([{"C": 1.0, "fit_intercept": True}] * 2, r"initial_points\[1\] repeats"),
        (  # the same candidate once snapped, as optimizers judge it
            [{"C": c, "fit_intercept": True} for c in (1.0, 1.0 + 1e-12)],
            r"initial_points\[1\] repeats",
        ),
        ([{"C": 1.0, "fit_intercept": True}] * 9, r"has 9 points but n_iter=4"),
    ],
)
def test_bad_initial_points_raise_at_fit(points, match):
    search = BayesSearchCV(
        LogisticRegression(), LR_SPACE, n_iter=4, cv=2, initial_points=points
    )
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)


def test_optimizer_candidate_info_becomes_cv_results_columns():
    from sklearn_hpo.optimizers import RandomOptimizer

    class Tagged(RandomOptimizer):
        def candidate_info(self, candidates):
            return {"tag": [f"t{self.n_observations}"] * len(candidates)}

    class TaggedSearch(BayesSearchCV):
        def _make_optimizer(self, space, random_state):
            return Tagged(space, random_state=0)

    search = TaggedSearch(LogisticRegression(), LR_SPACE, n_iter=4, n_points=2, cv=2)
    search.fit(X, y)
    # Asked one at a time, two out: the third after the first is told.
    assert list(search.cv_results_["tag"]) == ["t0", "t0", "t1", "t2"]


@pytest.mark.parametrize("n_points", [1, 2])  # BayesSearchCV: 2 slides
@pytest.mark.parametrize(
    "search_cls", [EvolutionarySearchCV, CoarseToFineSearchCV, BayesSearchCV]
)
def test_an_exhausted_space_is_reported_once(search_cls, n_points):
    from sklearn_hpo.optimizers import SearchSpaceExhaustedWarning

    search = search_cls(
        LogisticRegression(), {"C": [1.0]}, n_iter=5, n_points=n_points, cv=2
    )
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        search.fit(X, y)
    messages = [
        str(r.message)
        for r in records
        if issubclass(r.category, SearchSpaceExhaustedWarning)
    ]
    assert len(messages) == 1
    # In the search's terms (n_iter, what to do), not the optimizer's ask.
    assert messages[0].startswith(
        "search_spaces has only 1 distinct candidate, fewer than n_iter=5: "
        f"{search_cls.__name__} evaluates each once and stops after 1 "
        "candidate. Set n_iter=1"
    )
    assert "batch" not in messages[0]


def test_initial_points_may_name_estimators_by_equal_objects():
    pipe = Pipeline([("sc", StandardScaler()), ("clf", LogisticRegression())])
    space = {
        "sc": [StandardScaler(), "passthrough"],
        "clf__C": Real(0.01, 10, log=True),
    }
    point = {"sc": StandardScaler(), "clf__C": 1.0}  # not the space's object
    search = BayesSearchCV(
        pipe, space, n_iter=2, cv=2, random_state=0, initial_points=[point]
    ).fit(X, y)
    first = search.cv_results_["params"][0]
    assert isinstance(first["sc"], StandardScaler) and first["clf__C"] == 1.0
