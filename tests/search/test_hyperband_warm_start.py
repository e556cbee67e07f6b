"""Warm-start reuse of fitted models between rungs of the multi-fidelity searches."""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_hpo import (
    Categorical,
    HyperbandSearchCV,
    Integer,
    Real,
    SuccessiveHalvingSearchCV,
)
from sklearn_hpo.search._warm_start import (
    STORE_PREFIX,
    ModelStore,
    _continues,
    model_key,
    remove_stale_stores,
)

TRAINED: list[int] = []  # units trained by each GrowingDouble.fit (n_jobs=1)


class GrowingDouble(RegressorMixin, BaseEstimator):
    """Estimator double that grows ``units_`` with ``warm_start``.

    ``n_estimators`` counts in total (as forests do); ``max_iter`` counts per
    fit (as MLP and SGD do). The score depends on ``x0`` and ``units_`` only,
    so warm and cold fits of a candidate score the same.
    """

    def __init__(self, x0=0.5, n_estimators=1, max_iter=1, warm_start=False):
        self.x0 = x0
        self.n_estimators = n_estimators
        self.max_iter = max_iter
        self.warm_start = warm_start

    def fit(self, X, y=None):
        warm = getattr(self, "warm_start", False)
        before = getattr(self, "units_", 0) if warm else 0
        grown = self.max_iter * self.n_estimators  # one of them is the resource
        if self.n_estimators > 1:  # total semantics
            new = grown - before
        else:  # per-fit semantics
            new = grown
        TRAINED.append(new)
        self.units_ = before + new
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x0 - 0.3) ** 2) - 1.0 / self.units_


XZ = np.arange(12.0).reshape(-1, 1)  # distinct folds
SPACE = {"x0": Real(0.0, 1.0)}
X, y = make_classification(n_samples=150, n_features=6, random_state=0)


def _search(estimator, resource, warm_start, **kw):
    kw = {"min_resources": 2, "max_resources": 18, "cv": 3, "random_state": 0, **kw}
    space = kw.pop("space", SPACE)
    return HyperbandSearchCV(
        estimator, space, resource=resource, warm_start=warm_start, **kw
    )


@pytest.mark.parametrize("resource", ["n_estimators", "max_iter"])
def test_warm_start_reuses_models_with_the_same_scores(resource):
    results = {}
    for warm_start in (False, "auto"):
        TRAINED.clear()
        est = GrowingDouble()
        search = _search(est, resource, warm_start, cv=KFold(2)).fit(XZ)
        results[warm_start] = (search.cv_results_, sum(TRAINED))
        # The user's estimator is back in place and best_estimator_ is a
        # plain estimator fitted from scratch with the best resource.
        assert search.estimator is est
        assert type(search.best_estimator_) is GrowingDouble
        assert search.best_estimator_.units_ == 18
        assert search.best_estimator_.warm_start is False
    cold, warm = results[False], results["auto"]
    np.testing.assert_array_equal(
        cold[0]["mean_test_score"], warm[0]["mean_test_score"]
    )
    assert list(cold[0]["params"]) == list(warm[0]["params"])
    # Every promoted candidate skips the resource of its previous rung.
    saved = search.n_splits_ * sum(
        r.n_candidates * prev.n_resources
        for b in search.brackets_
        for prev, r in zip(b.rungs, b.rungs[1:])
    )
    assert saved > 0
    assert warm[1] == cold[1] - saved


def test_a_searched_estimator_holding_the_resource_is_continued():
    # The search sets est__n_estimators on the chosen estimator object
    # itself; its models were keyed by it, so the key changed at every rung
    # and nothing was ever continued.
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("est", GrowingDouble())])
    space = {"est": Categorical([GrowingDouble(x0=v) for v in (0.1, 0.3, 0.6, 0.9)])}
    results = {}
    for warm_start in (False, "auto"):
        TRAINED.clear()
        search = _search(pipe, "est__n_estimators", warm_start, space=space)
        search.fit(XZ)
        results[warm_start] = (search.cv_results_["mean_test_score"], sum(TRAINED))
    np.testing.assert_array_equal(results[False][0], results["auto"][0])
    assert results["auto"][1] < results[False][1]


@pytest.mark.parametrize(
    "estimator, resource",
    [
        (RandomForestClassifier(max_depth=3, random_state=0), "n_estimators"),
        (ExtraTreesClassifier(random_state=0), "n_estimators"),
        (GradientBoostingClassifier(subsample=0.8, random_state=0), "n_estimators"),
        (
            HistGradientBoostingClassifier(
                early_stopping=False, max_leaf_nodes=4, random_state=0
            ),
            "max_iter",
        ),
        (BaggingClassifier(random_state=0), "n_estimators"),
        # Early stopping restarts at every fit: these are retrained.
        (
            GradientBoostingClassifier(
                n_iter_no_change=2, learning_rate=0.5, random_state=0
            ),
            "n_estimators",
        ),
        (
            HistGradientBoostingClassifier(
                early_stopping=True, n_iter_no_change=2, learning_rate=0.5,
                random_state=0,
            ),
            "max_iter",
        ),
    ],
    ids=["rf", "et", "gb", "hgb", "bagging", "gb_stopping", "hgb_stopping"],
)
def test_warm_start_is_exact_for_ensembles(estimator, resource):
    space = (
        {"max_features": Real(0.3, 1.0)}
        if isinstance(estimator, BaggingClassifier)
        else {"min_samples_leaf": Integer(1, 20)}
    )
    with threadpool_limits(1):  # HistGradientBoosting's OpenMP on busy cores
        scores = [
            SuccessiveHalvingSearchCV(
                estimator, space, resource=resource, min_resources=2,
                max_resources=18, cv=3, warm_start=ws, random_state=0,
            ).fit(X, y).cv_results_["mean_test_score"]
            for ws in (False, True)
        ]  # fmt: skip
    np.testing.assert_array_equal(scores[0], scores[1])


def test_early_stopping_boosting_is_never_continued():
    hgb = HistGradientBoostingClassifier
    assert not _continues(hgb(early_stopping=True), 100)
    assert _continues(hgb(), 10_000) and not _continues(hgb(), 10_001)  # "auto"
    assert _continues(hgb(early_stopping=False), 10**6)
    assert not _continues(GradientBoostingClassifier(n_iter_no_change=3), 100)
    assert _continues(GradientBoostingClassifier(), 100)


def test_warm_start_in_a_pipeline_and_with_process_workers(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0))
    space = {"randomforestclassifier__max_depth": Integer(1, 20)}
    resource = "randomforestclassifier__n_estimators"
    cold = _search(pipe, resource, False, space=space).fit(X, y)
    # The synchronous scheduler promotes the same candidates whatever
    # n_jobs is (the asynchronous one: tests/search/test_asha.py).
    warm = _search(
        pipe, resource, "auto", space=space, n_jobs=2, scheduler="sync"
    ).fit(X, y)
    np.testing.assert_array_equal(
        cold.cv_results_["mean_test_score"], warm.cv_results_["mean_test_score"]
    )
    assert warm.best_estimator_[-1].n_estimators == 18
    assert list(tmp_path.iterdir()) == []  # the model store is removed


def test_stored_models_are_bounded_and_removed(monkeypatch, tmp_path):
    sizes = []
    save = ModelStore.save

    def counting_save(self, key, resource, model):
        save(self, key, resource, model)
        sizes.append(len(self))

    monkeypatch.setattr(ModelStore, "save", counting_save)
    search = _search(GrowingDouble(), "n_estimators", True, cv=KFold(2)).fit(XZ)
    first_rungs = max(search.n_candidates_)
    assert 0 < max(sizes) <= first_rungs * search.n_splits_
    # Nothing is saved in a bracket's last rung.
    assert len(sizes) == search.n_splits_ * sum(
        r.n_candidates for b in search.brackets_ for r in b.rungs[:-1]
    )

    # On error the store is removed too (here: the process-workers' one).
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    bad = SuccessiveHalvingSearchCV(
        RandomForestClassifier(random_state=0), {"max_depth": [-1, 2]},
        n_candidates=2, resource="n_estimators", min_resources=2, max_resources=6, cv=2,
        error_score="raise", n_jobs=2,
    )  # fmt: skip
    with pytest.raises(ValueError, match="max_depth"):
        bad.fit(X, y)
    assert list(tmp_path.iterdir()) == []


class NoWarmStart(GrowingDouble):
    def __init__(self, x0=0.5, n_estimators=1, max_iter=1):
        self.x0 = x0
        self.n_estimators = n_estimators
        self.max_iter = max_iter


@pytest.mark.parametrize(
    "estimator, kwargs, match",
    [
        (
            NoWarmStart(),
            {"resource": "n_estimators", "warm_start": True},
            "warm_start=True but NoWarmStart, which owns resource='n_estimators', "
            "has no warm_start parameter",
        ),
        (
            TransformedTargetRegressor(GrowingDouble()),
            {"resource": "regressor__n_estimators", "warm_start": True},
            "warm_start=True but resource='regressor__n_estimators' belongs to "
            "an estimator inside TransformedTargetRegressor, which fits a clone",
        ),
        (
            NoWarmStart(),
            {"resource": "n_trees", "warm_start": True},
            "resource must be 'n_samples', 'partial_fit' or the name of an "
            "integer parameter of NoWarmStart, got resource='n_trees'",
        ),
        (
            GrowingDouble(),
            {"resource": "n_samples", "warm_start": True, "max_resources": 12},
            "warm_start=True needs the resource to be a parameter",
        ),
        (
            GrowingDouble(),
            {"resource": "n_estimators", "warm_start": "yes"},
            "'warm_start' parameter of HyperbandSearchCV must be",
        ),
    ],
)
def test_bad_warm_start_raises_at_fit(estimator, kwargs, match):
    kwargs = {"min_resources": 2, "max_resources": 18, "cv": 2, **kwargs}
    search = HyperbandSearchCV(estimator, SPACE, **kwargs)
    with pytest.raises(ValueError, match=match):
        search.fit(XZ)


@pytest.mark.parametrize(
    "estimator, resource, space",
    [
        # Not a parameter that warm start grows: a continuation would start
        # from a shallower forest (and RandomForest keeps it as it is when
        # n_estimators is unchanged).
        (
            RandomForestClassifier(n_estimators=5, random_state=0),
            "max_depth",
            {"min_samples_leaf": Integer(1, 20)},
        ),
        # liblinear ignores warm_start: a promoted candidate must not be given
        # only the missing iterations.
        (
            LogisticRegression(solver="liblinear", tol=1e-12),
            "max_iter",
            {"C": Real(1e-3, 1e3, log=True)},
        ),
    ],
    ids=["rf-max_depth", "liblinear-max_iter"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_auto_gives_the_scores_of_retraining_where_warm_start_cannot_grow(
    estimator, resource, space
):
    scores = [
        SuccessiveHalvingSearchCV(
            estimator, space, resource=resource, min_resources=1,
            max_resources=9, cv=3, warm_start=ws, random_state=0,
        ).fit(X, y).cv_results_["mean_test_score"]
        for ws in (False, "auto")
    ]  # fmt: skip
    np.testing.assert_array_equal(scores[0], scores[1])


def test_auto_is_off_inside_a_meta_estimator_that_fits_a_clone():
    # TransformedTargetRegressor fits a clone of its regressor: continuing
    # "its" model would train the clone on the missing iterations only.
    meta = TransformedTargetRegressor(GrowingDouble())
    y_lin = np.linspace(0, 1, len(XZ))

    def units(estimator, X, y):  # what the fitted regressor was trained for
        return -1.0 / estimator.regressor_.units_

    scores = [
        _search(meta, "regressor__max_iter", ws, cv=KFold(2), scoring=units,
                space={"regressor__x0": Real(0.0, 1.0)},
                ).fit(XZ, y_lin).cv_results_["mean_test_score"]
        for ws in (False, "auto")
    ]  # fmt: skip
    np.testing.assert_array_equal(scores[0], scores[1])


def test_true_continues_a_parameter_outside_the_known_list():
    # warm_start=True: the user says the parameter grows the model (as
    # max_epochs of neural-network wrappers): each continuation adds the
    # missing units.
    class EpochDouble(GrowingDouble):
        def __init__(self, x0=0.5, n_epochs=1, warm_start=False):
            self.x0 = x0
            self.n_epochs = n_epochs
            self.warm_start = warm_start

        def fit(self, X, y=None):
            before = getattr(self, "units_", 0) if self.warm_start else 0
            TRAINED.append(self.n_epochs)
            self.units_ = before + self.n_epochs
            self.n_features_in_ = np.asarray(X).shape[1]
            return self

    TRAINED.clear()
    warm = _search(EpochDouble(), "n_epochs", True, cv=KFold(2)).fit(XZ)
    trained_warm = sum(TRAINED)
    TRAINED.clear()
    cold = _search(EpochDouble(), "n_epochs", False, cv=KFold(2)).fit(XZ)
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert trained_warm < sum(TRAINED)
    # "auto" does not guess that n_epochs grows the model.
    TRAINED.clear()
    _search(EpochDouble(), "n_epochs", "auto", cv=KFold(2)).fit(XZ)
    assert sum(TRAINED) > trained_warm


def test_a_scorer_can_index_the_pipeline_with_warm_start():
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0))

    def n_trees(estimator, X, y):
        return float(estimator[-1].n_estimators)

    search = _search(pipe, "randomforestclassifier__n_estimators", "auto",
                     space={"randomforestclassifier__max_depth": Integer(1, 5)},
                     scoring=n_trees).fit(X, y)  # fmt: skip
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_auto_is_off_without_warm_start_parameter():
    TRAINED.clear()
    search = _search(NoWarmStart(), "n_estimators", "auto", cv=KFold(2)).fit(XZ)
    n_fits = len(search.cv_results_["params"]) * 2 + 1  # + the refit
    assert len(TRAINED) == n_fits
    assert sum(TRAINED) == 2 * sum(search.cv_results_["n_resources"]) + 18


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_with_per_fit_iterations_on_sgd():
    # SGD's max_iter counts per fit: warm scores differ from retraining
    # (documented), but every candidate is scored with its own resource.
    search = SuccessiveHalvingSearchCV(
        SGDClassifier(tol=None, random_state=0), {"alpha": Real(1e-5, 1e-1, log=True)},
        resource="max_iter", min_resources=1, max_resources=9, cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["max_iter"] == 9
    assert search.best_estimator_.max_iter == 9
    assert search.best_estimator_.n_iter_ == 9  # refit from scratch


def test_store_saves_what_pickle_cannot_and_skips_what_nothing_can():
    import threading

    store = ModelStore(on_disk=True)
    try:
        store.save(("a", "f"), 3, {"f": lambda z: z + 1})  # cloudpickle
        resource, model = store.load(("a", "f"))
        assert resource == 3 and model["f"](1) == 2
        store.save(("b", "f"), 3, threading.Lock())  # nothing pickles a lock
        assert store.load(("b", "f")) is None
        assert len(store) == 1  # no half-written file left
    finally:
        store.close()


def test_both_stores_key_by_every_part_of_the_key():
    for on_disk in (False, True):
        store = ModelStore(on_disk=on_disk)
        try:
            store.save(("c", "data", "fit1"), 3, "model 1")
            store.save(("c", "data", "fit2"), 3, "model 2")
            assert store.load(("c", "data", "fit2")) == (3, "model 2")
            assert store.load(("c", "data", "fit1")) == (3, "model 1")
        finally:
            store.close()


def test_model_keys_of_what_plain_pickle_cannot_hash():
    import threading

    data = (XZ, None, {})
    def f(z):
        return z

    key = model_key({"f": f, "n": 3}, "n", data)  # a local function
    assert key is not None and key == model_key({"f": f, "n": 9}, "n", data)
    assert key != model_key({"f": f, "n": 3}, "n", (XZ, None, {"g": f}))
    assert model_key({"lock": threading.Lock()}, "n", data) is None


def continued(estimator, X_test, y_test):
    """1 for a model that was continued (warm start is left on), else 0."""
    return float(estimator[-1].warm_start)


def search_continuing(pipe, space, n_candidates, n_jobs, **fit_params):
    """cv_results_ of successive halving on the gradient boosting step's
    ``n_estimators``, checking that every promoted candidate continued."""
    search = SuccessiveHalvingSearchCV(
        pipe, space, resource="gradientboostingclassifier__n_estimators",
        min_resources=2, max_resources=8, factor=2, n_candidates=n_candidates,
        cv=3, scoring={"accuracy": "accuracy", "continued": continued},
        refit="accuracy", random_state=0, n_jobs=n_jobs, error_score="raise",
    ).fit(X, y, **fit_params)  # fmt: skip
    res = search.cv_results_
    promoted = np.asarray(res["iter"]) > 0
    assert np.all(np.asarray(res["mean_test_continued"])[promoted] == 1.0)
    return res


def test_models_that_pickle_cannot_save_continue_with_several_workers():
    # A lambda in the pipeline: joblib's workers get the task through
    # cloudpickle, and the store must save the fitted model as well.
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(
        FunctionTransformer(lambda Z: 2 * Z),
        GradientBoostingClassifier(random_state=0),
    )
    space = {"gradientboostingclassifier__learning_rate": Real(0.01, 0.5)}
    results = [search_continuing(pipe, space, 4, n_jobs) for n_jobs in (1, 2)]
    np.testing.assert_allclose(
        results[0]["mean_test_accuracy"], results[1]["mean_test_accuracy"]
    )


def test_lambdas_in_searched_values_and_fit_params_are_continued():
    # Saved models are keyed by a hash of the candidate and of the fit
    # parameters; plain pickle cannot hash a lambda, and every such fit
    # failed (a monitor passed to fit) or scored NaN (a searched value).
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(
        FunctionTransformer(), GradientBoostingClassifier(random_state=0)
    )
    space = {
        "functiontransformer": Categorical(
            [FunctionTransformer(lambda Z: 2 * Z), FunctionTransformer()]
        ),
        "gradientboostingclassifier__learning_rate": Real(0.01, 0.5),
    }
    monitor = {"gradientboostingclassifier__monitor": lambda i, est, loc: False}
    for n_jobs in (1, 2):
        res = search_continuing(pipe, space, 8, n_jobs, **monitor)
        lambdas = np.array(
            [p["functiontransformer"].func is not None for p in res["params"]]
        )
        assert (lambdas & (np.asarray(res["iter"]) > 0)).any()


def test_bagging_with_oob_score_is_retrained():
    # BaggingClassifier refuses warm_start with oob_score=True.
    est = BaggingClassifier(oob_score=True, random_state=0)
    space = {"max_features": Real(0.3, 1.0)}
    results = [
        SuccessiveHalvingSearchCV(
            est, space, resource="n_estimators", min_resources=4, max_resources=16,
            factor=2, n_candidates=4, cv=3, random_state=0, warm_start=warm,
            error_score="raise",
        ).fit(X, y).cv_results_["mean_test_score"]
        for warm in ("auto", False)
    ]  # fmt: skip
    np.testing.assert_allclose(results[0], results[1])
    # Not even tried (a failed attempt would train twice).
    assert not _continues(est, 150)
    assert _continues(BaggingClassifier(), 150)


class RefusesToContinue(GrowingDouble):
    """Raises on a warm continuation, as some settings of real estimators do."""

    def fit(self, X, y=None):
        if self.warm_start and hasattr(self, "units_"):
            raise ValueError("cannot continue")
        return super().fit(X, y)


def test_a_continuation_that_fails_retrains_from_scratch():
    kw = dict(cv=KFold(2), error_score="raise")
    warm = _search(RefusesToContinue(), "n_estimators", True, **kw).fit(XZ)
    cold = _search(RefusesToContinue(), "n_estimators", False, **kw).fit(XZ)
    np.testing.assert_allclose(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )


def test_subclasses_of_hist_gradient_boosting_count_iterations_in_total():
    class MyBooster(HistGradientBoostingClassifier):
        pass

    search = SuccessiveHalvingSearchCV(
        MyBooster(early_stopping=False, max_leaf_nodes=4),
        {"learning_rate": Real(0.05, 0.5)},
        resource="max_iter", min_resources=3, max_resources=12, factor=2,
        n_candidates=4, cv=2, random_state=0,
        scoring=lambda est, X_, y_: float(est.n_iter_),
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    np.testing.assert_array_equal(results["mean_test_score"], results["n_resources"])


def test_errors_name_the_users_estimator_not_the_proxy():
    from sklearn.ensemble import IsolationForest

    search = SuccessiveHalvingSearchCV(
        IsolationForest(random_state=0), {"max_samples": Real(0.3, 1.0)},
        resource="n_estimators", min_resources=2, max_resources=8, cv=2,
    )  # fmt: skip
    with pytest.raises(TypeError, match=r"IsolationForest\(random_state=0\)"):
        search.fit(X, y)


class SlowGrowing(GrowingDouble):
    """A GrowingDouble whose fits take 0.2 s."""

    def fit(self, X, y=None):
        time.sleep(0.2)
        return super().fit(X, y)


KILLED_CHILD = textwrap.dedent(
    """
    import sys, warnings
    sys.path.insert(0, {tests!r})
    warnings.simplefilter("ignore")
    from joblib import parallel_backend
    from sklearn.model_selection import KFold
    from test_hyperband_warm_start import SlowGrowing, XZ, _search
    # Two threads: the store is on disk, as for process workers.
    with parallel_backend("threading"):
        _search(SlowGrowing(), "n_estimators", True, n_jobs=2, cv=KFold(2)).fit(XZ)
    """
)


def _stores(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(STORE_PREFIX))


def test_a_killed_searchs_store_is_removed_by_the_next(monkeypatch, tmp_path):
    script = KILLED_CHILD.format(tests=os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True
    )
    start = time.monotonic()
    while not list(tmp_path.glob(STORE_PREFIX + "*/*.joblib")):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() - start < 120, "no model was stored"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    left = _stores(tmp_path)
    assert len(left) == 1  # a SIGKILL removes nothing

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _search(GrowingDouble(), "n_estimators", True, cv=KFold(2)).fit(XZ)
    assert _stores(tmp_path) == []


def test_open_stores_are_never_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = ModelStore(on_disk=True)
    first.save(("a", "b", ""), 2, GrowingDouble().fit(XZ))
    second = ModelStore(on_disk=True)  # looks for stale stores first
    assert remove_stale_stores() == []
    assert len(_stores(tmp_path)) == 2
    assert len(first) == 1 and first.load(("a", "b", "")) is not None
    first.keep({"a"})  # the lock file is not a model
    assert len(first) == 1
    (tmp_path / (STORE_PREFIX + "other")).mkdir()  # no lock file: not ours
    first.close()
    second.close()
    assert _stores(tmp_path) == [STORE_PREFIX + "other"]
