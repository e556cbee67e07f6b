import ast
import pathlib
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

import sklearn_hpo
from sklearn_hpo.utils._compat import deferred_fit_failure_checks

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent
COMPAT = PACKAGE / "utils" / "_compat.py"


def _is_sklearn(module):
    return module == "sklearn" or module.startswith("sklearn.")


def _private_sklearn_imports(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_sklearn(node.module or ""):
            if any(p.startswith("_") for p in node.module.split(".")) or any(
                a.name.startswith("_") for a in node.names
            ):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if _is_sklearn(a.name) and any(
                    p.startswith("_") for p in a.name.split(".")
                ):
                    found.append(a.name)
    return found


def test_only_the_compat_module_imports_private_sklearn_names():
    offenders = {
        str(p.relative_to(PACKAGE)): _private_sklearn_imports(p)
        for p in PACKAGE.rglob("*.py")
        if p != COMPAT
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _private_sklearn_imports(COMPAT)  # the check itself can see imports


def test_deferred_checks_leave_other_searches_untouched():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Broken(ClassifierMixin, BaseEstimator):
        def __init__(self, a=1):
            self.a = a

        def fit(self, X, y):
            raise RuntimeError("broken")

    X, y = np.zeros((20, 2)), np.tile([0, 1], 10)
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        with deferred_fit_failure_checks(np.nan):
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
        with deferred_fit_failure_checks(np.nan) as collected:
            collected.extend(records)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with deferred_fit_failure_checks(np.nan) as collected:
            collected.append({"fit_error": None})


def test_deferred_results_equal_sklearns_per_round_formatting(monkeypatch):
    import contextlib

    from sklearn.linear_model import LogisticRegression

    import sklearn_hpo.search._base as base
    from sklearn_hpo import BayesSearchCV, Real

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
    monkeypatch.setattr(
        base, "deferred_results", lambda search, **kw: contextlib.nullcontext()
    )
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
    assert not hasattr(deferred, "_deferred_results_state")


def test_unbatched_dispatch_reaches_the_searchs_parallel():
    # The fix for the parallel speed-up of small rounds depends on how
    # BaseSearchCV.fit builds evaluate_candidates: this fails on a
    # scikit-learn release where it no longer finds the joblib.Parallel.
    import joblib

    from sklearn_hpo.utils._compat import unbatched_dispatch

    seen = {}

    class Probe(GridSearchCV):
        def _run_search(self, evaluate_candidates):
            seen["found"] = unbatched_dispatch(evaluate_candidates, 4, self)
            code = evaluate_candidates.__code__
            cell = evaluate_candidates.__closure__[code.co_freevars.index("parallel")]
            parallel = cell.cell_contents
            seen["is_parallel"] = isinstance(parallel, joblib.Parallel)
            seen["batch_size"] = parallel.batch_size
            unbatched_dispatch(evaluate_candidates, 50, self)  # 50 fits per worker
            seen["large_call"] = parallel.batch_size
            unbatched_dispatch(evaluate_candidates, 4, self)
            evaluate_candidates([{"C": 1.0}])

    from sklearn.svm import SVC

    X, y = np.random.default_rng(0).random((20, 2)), np.tile([0, 1], 10)
    Probe(SVC(), {"C": [1.0]}, cv=2, n_jobs=2).fit(X, y)
    assert seen["found"] is True
    assert seen["is_parallel"] is True
    assert seen["batch_size"] == 1
    assert seen["large_call"] == "auto"
    assert unbatched_dispatch(lambda c: c, 1) is False
    assert unbatched_dispatch(len, 1) is False
