"""The dispatcher and the deferred fit-failure checks (search/_dispatch.py)."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_hpo.search._dispatch import SearchParallel, deferring_fit_failures


def test_deferred_checks_leave_other_searches_untouched():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Broken(ClassifierMixin, BaseEstimator):
        def __init__(self, a=1):
            self.a = a

        def fit(self, X, y):
            raise RuntimeError("broken")

    X, y = np.zeros((20, 2)), np.tile([0, 1], 10)
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        with deferring_fit_failures(np.nan, None):
            # a GridSearchCV run inside our context is collected, not raised...
            GridSearchCV(Broken(), {"a": [1, 2]}, cv=2, refit=False).fit(X, y)
    # ...and outside it scikit-learn's own per-call check is back in place
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        GridSearchCV(Broken(), {"a": [1, 2]}, cv=2).fit(X, y)


@pytest.mark.parametrize("search_cls", ["BayesSearchCV", "SuccessiveHalvingSearchCV"])
def test_a_search_fitted_inside_ours_keeps_its_own_checks(search_cls):
    # A GridSearchCV as the estimator: when all its CV fits fail it raises
    # (scikit-learn's per-call check), so our candidate scores NaN, as with
    # GridSearchCV as the outer search. Our search must not collect the inner
    # search's check as its own.
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.linear_model import LogisticRegression

    import sklearn_hpo

    class NeedsRows(ClassifierMixin, BaseEstimator):
        def __init__(self, min_rows=60, C=1.0):
            self.min_rows = min_rows
            self.C = C

        def fit(self, X, y):
            if len(X) < self.min_rows:
                raise ValueError("too few rows")
            self.model_ = LogisticRegression(C=self.C).fit(X, y)
            self.classes_ = self.model_.classes_
            return self

        def predict(self, X):
            return self.model_.predict(X)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] > 0).astype(int)
    # Outer training folds of 100 rows: inner folds of 50, too few for 60.
    inner = GridSearchCV(NeedsRows(), {"C": [0.1, 1.0]}, cv=2)
    space = {"estimator__min_rows": [40, 60]}
    if search_cls == "BayesSearchCV":
        outer = sklearn_hpo.BayesSearchCV(inner, space, n_iter=2, cv=3, random_state=0)
    else:
        outer = sklearn_hpo.SuccessiveHalvingSearchCV(
            inner, space, n_candidates=2, min_resources=150, cv=3, random_state=0
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = outer.fit(X, y).cv_results_
    scores = dict(
        zip(
            [p["estimator__min_rows"] for p in results["params"]],
            results["mean_test_score"],
        )
    )
    assert np.isnan(scores[60])
    assert scores[40] > 0.5


def test_deferred_checks_warn_like_sklearn():
    from sklearn.exceptions import FitFailedWarning

    records = [{"fit_error": None}, {"fit_error": "ValueError: x"}]
    with pytest.warns(FitFailedWarning, match="1 fits failed out of a total of 2"):
        with deferring_fit_failures(np.nan, None) as collected:
            collected.extend(records)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with deferring_fit_failures(np.nan, None) as collected:
            collected.append({"fit_error": None})


def test_deferred_results_equal_sklearns_per_round_formatting(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    from sklearn_hpo import BayesSearchCV, Real
    from sklearn_hpo.search._evaluation import Evaluation

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    space = [
        {"C": Real(1e-2, 1e2, log=True), "fit_intercept": [True, False]},
        {"tol": Real(1e-5, 1e-2, log=True)},
    ]

    def fit():
        return BayesSearchCV(
            LogisticRegression(), space, n_iter=7, n_points=2, cv=3,
            scoring=["accuracy", "neg_log_loss"], refit="accuracy",
            optimizer="random", random_state=0, return_train_score=True,
        ).fit(X, y)

    deferred = fit()
    monkeypatch.setattr(Evaluation, "formats_per_call", property(lambda self: False))
    per_round = fit()
    a, b = deferred.cv_results_, per_round.cv_results_
    assert a.keys() == b.keys()
    for key in a:
        if key.endswith("_time"):
            continue
        if isinstance(a[key], np.ma.MaskedArray):
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key].mask, b[key].mask)
            assert list(a[key].compressed()) == list(b[key].compressed()), key
        elif isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key], key
    assert deferred.best_index_ == per_round.best_index_


def test_the_dispatcher_reaches_the_searchs_parallel():
    # The dispatcher depends on how BaseSearchCV.fit builds
    # evaluate_candidates: this fails on a scikit-learn release where it no
    # longer finds the joblib.Parallel there.
    import joblib

    seen = {}

    class Probe(GridSearchCV):
        def _run_search(self, evaluate_candidates):
            code = evaluate_candidates.__code__
            cell = evaluate_candidates.__closure__[code.co_freevars.index("parallel")]
            original = cell.cell_contents
            with SearchParallel.install(evaluate_candidates) as dispatcher:
                seen["installed"] = cell.cell_contents is dispatcher
                dispatcher.n_tasks = 4
                dispatcher.call(evaluate_candidates, [{"C": 1.0}])
                seen["small_call"] = original.batch_size
                dispatcher.n_tasks = 100  # 50 fits per worker
                dispatcher.call(evaluate_candidates, [{"C": 2.0}])
                seen["large_call"] = original.batch_size
            seen["restored"] = cell.cell_contents is original
            seen["is_parallel"] = isinstance(original, joblib.Parallel)

    from sklearn.svm import SVC

    X, y = np.random.default_rng(0).random((20, 2)), np.tile([0, 1], 10)
    search = Probe(SVC(), {"C": [1.0]}, cv=2, n_jobs=2).fit(X, y)
    assert seen == {
        "installed": True, "small_call": 1, "large_call": "auto",
        "restored": True, "is_parallel": True,
    }  # fmt: skip
    assert len(search.cv_results_["params"]) == 2
    with SearchParallel.install(lambda c: c) as dispatcher:
        assert dispatcher is None
