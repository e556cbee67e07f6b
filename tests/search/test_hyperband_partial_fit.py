"""The ``"partial_fit"`` resource of the multi-fidelity searches."""

import tempfile

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV

X, y = make_classification(n_samples=120, n_features=5, random_state=0)
CALLS: list[int] = []  # partial_fit calls of EpochDouble (n_jobs=1)


class EpochDouble(ClassifierMixin, BaseEstimator):
    """Classifier double counting its ``partial_fit`` calls (epochs).

    Its score depends on ``x0`` and the number of epochs only, so a model
    continued from an earlier rung scores as one trained from scratch.
    """

    def __init__(self, x0=0.5):
        self.x0 = x0

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "epochs_"):
            assert classes is not None, "the first call needs the classes"
            self.classes_ = np.asarray(classes)
            self.epochs_ = 0
        CALLS.append(1)
        self.epochs_ += 1
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def fit(self, X, y):  # pragma: no cover - the search must not call it
        raise AssertionError("fit called instead of partial_fit")

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None, sample_weight=None):
        return -((self.x0 - 0.3) ** 2) - 1.0 / self.epochs_


SPACE = {"x0": Real(0.0, 1.0)}


def _hyperband(estimator, space=SPACE, **kw):
    """HyperbandSearchCV with resource="partial_fit", epochs 1 to 9."""
    kw = {"min_resources": 1, "max_resources": 9, "cv": 3, "random_state": 0, **kw}
    return HyperbandSearchCV(estimator, space, resource="partial_fit", **kw)


def test_epochs_are_the_resource_and_warm_start_saves_them():
    results = {}
    for warm_start in (False, "auto"):
        CALLS.clear()
        est = EpochDouble()
        search = _hyperband(est, warm_start=warm_start).fit(X, y)
        results[warm_start] = (search, len(CALLS))
        assert search.estimator is est
        assert type(search.best_estimator_) is EpochDouble
        assert search.best_estimator_.epochs_ == 9  # the refit: max_resources
        # The resource is not a parameter: it shows in n_resources only.
        assert all("partial_fit" not in p for p in search.cv_results_["params"])
        assert "partial_fit" not in search.best_params_
        assert set(search.cv_results_["n_resources"]) == {1, 3, 9}
    (cold, cold_calls), (warm, warm_calls) = results[False], results["auto"]
    np.testing.assert_array_equal(
        cold.cv_results_["mean_test_score"], warm.cv_results_["mean_test_score"]
    )
    # Scores are those of the rung's number of epochs.
    res = warm.cv_results_
    for x0, n, score in zip(
        res["param_x0"], res["n_resources"], res["mean_test_score"]
    ):
        assert score == pytest.approx(-((x0 - 0.3) ** 2) - 1.0 / n)
    saved = warm.n_splits_ * sum(
        r.n_candidates * prev.n_resources
        for b in warm.brackets_
        for prev, r in zip(b.rungs, b.rungs[1:])
    )
    assert saved > 0
    assert warm_calls == cold_calls - saved


@pytest.mark.parametrize(
    "estimator, space",
    [
        (SGDClassifier(random_state=0), {"alpha": Real(1e-5, 1e-1, log=True)}),
        (
            make_pipeline(
                StandardScaler(),
                MLPClassifier(hidden_layer_sizes=(8,), random_state=0),
            ),
            {"mlpclassifier__alpha": Real(1e-5, 1e-1, log=True)},
        ),
    ],
    ids=["sgd", "pipeline-mlp"],
)
def test_continuing_is_exact_for_sgd_and_mlp(estimator, space):
    scores = [
        SuccessiveHalvingSearchCV(
            estimator, space, resource="partial_fit", min_resources=1,
            max_resources=9, cv=3, warm_start=ws, random_state=0,
        ).fit(X, y).cv_results_["mean_test_score"]
        for ws in (False, True)
    ]  # fmt: skip
    np.testing.assert_array_equal(scores[0], scores[1])


def test_process_workers_give_the_same_scores(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sgd = SGDClassifier(random_state=0)
    space = {"alpha": Real(1e-5, 1e-1, log=True)}
    one = _hyperband(sgd, space).fit(X, y)
    # The synchronous scheduler promotes the same candidates whatever
    # n_jobs is (the asynchronous one: tests/search/test_asha.py).
    two = _hyperband(sgd, space, n_jobs=2, scheduler="sync").fit(X, y)
    np.testing.assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )
    assert list(tmp_path.iterdir()) == []  # the model store is removed


@pytest.mark.parametrize(
    "estimator, kwargs, match",
    [
        (SVC(), {}, "SVC has none"),
        (make_pipeline(StandardScaler(), SVC()), {}, r"final step.*SVC"),
        (MLPClassifier(solver="lbfgs"), {}, "MLPClassifier has none"),
        (EpochDouble(), {"max_resources": "auto"}, "max_resources='auto'"),
        (
            EpochDouble(),
            {"space": {"C": Real(0.1, 1.0)}},
            r"'C' in search_spaces for estimator EpochDouble:",
        ),
    ],
)
def test_bad_partial_fit_resource_raises_at_fit(estimator, kwargs, match):
    kwargs = {"space": {"x0": Real(0.1, 1.0)}, **kwargs}
    search = _hyperband(estimator, **kwargs)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)


def test_refit_trains_for_the_epochs_of_the_best_candidate():
    # Four candidates from 1 epoch: successive halving stops at 3 epochs,
    # below max_resources, and the refit must train for those 3.
    search = SuccessiveHalvingSearchCV(
        EpochDouble(), SPACE, resource="partial_fit", n_candidates=4,
        min_resources=1, max_resources=27, cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert max(search.n_resources_) == 3
    assert search.cv_results_["n_resources"][search.best_index_] == 3
    assert search.best_estimator_.epochs_ == 3


def test_pipeline_fit_params_and_one_step_pipeline():
    from sklearn.pipeline import Pipeline

    sgd = SGDClassifier(random_state=0)
    space = {"sgd__alpha": Real(1e-4, 1e-1, log=True)}
    one_step = _hyperband(Pipeline([("sgd", sgd)]), space).fit(X, y)
    assert np.isfinite(one_step.cv_results_["mean_test_score"]).all()

    pipe = Pipeline([("scale", StandardScaler()), ("sgd", sgd)])
    weights = np.where(np.arange(len(y)) % 2 == 0, 1.0, 10.0)
    plain = _hyperband(pipe, space).fit(X, y)
    weighted = _hyperband(pipe, space).fit(X, y, scale__sample_weight=weights)
    assert not np.array_equal(
        plain.cv_results_["mean_test_score"], weighted.cv_results_["mean_test_score"]
    )
    with pytest.raises(
        ValueError,
        match=r"Fit parameter 'sample_weight' of the pipeline must be named after "
        r"the step it is for, one of \['scale', 'sgd'\]: 'sgd__sample_weight' "
        r"passes it to the final step's partial_fit",
    ):
        _hyperband(pipe, space).fit(X, y, sample_weight=weights)


def test_multi_output_classifiers_get_each_outputs_classes():
    from sklearn.multioutput import MultiOutputClassifier

    Y = np.c_[y, (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 1)]  # 2 and 4 classes
    search = SuccessiveHalvingSearchCV(
        MultiOutputClassifier(SGDClassifier(random_state=0)),
        {"estimator__alpha": Real(1e-5, 1e-1, log=True)},
        resource="partial_fit", min_resources=1, max_resources=4, cv=3,
        random_state=0, error_score="raise",
    ).fit(X, Y)  # fmt: skip
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


class WeightRecorder(ClassifierMixin, BaseEstimator):
    """Predicts class 0 when every partial_fit call received sample weights
    (class 1 otherwise)."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y, sample_weight=None):
        return self.partial_fit(X, y, np.unique(y), sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        got = sample_weight is not None and len(sample_weight) == len(X)
        self.weighted_ = getattr(self, "weighted_", True) and got
        self.classes_ = np.unique(y) if classes is None else classes
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0 if self.weighted_ else 1])


def test_routed_sample_weight_reaches_a_pipelines_final_partial_fit():
    import sklearn
    from sklearn.metrics import make_scorer

    with sklearn.config_context(enable_metadata_routing=True):
        all_weighted = make_scorer(
            lambda y_true, y_pred: float(np.all(y_pred == 0))
        ).set_score_request(sample_weight=False)
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            WeightRecorder().set_fit_request(sample_weight=True),
        )
        search = SuccessiveHalvingSearchCV(
            pipe, {"weightrecorder__alpha": Real(0.1, 1.0)}, resource="partial_fit",
            min_resources=1, max_resources=4, cv=3, random_state=0,
            scoring=all_weighted, error_score="raise",
        ).fit(X, y, sample_weight=np.ones(len(y)))  # fmt: skip
    assert np.all(search.cv_results_["mean_test_score"] == 1.0)


class CheckRecorder(ClassifierMixin, BaseEstimator):
    """Records, for each ``partial_fit`` call, whether it got ``classes`` and
    whether scikit-learn's input and parameter checks were on."""

    calls: list = []

    def __init__(self, x0=0.5):
        self.x0 = x0

    def partial_fit(self, X, y, classes=None):
        import sklearn

        config = sklearn.get_config()
        checked = not (
            config["assume_finite"] or config["skip_parameter_validation"]
        )
        type(self).calls.append((classes is not None, checked))
        if not hasattr(self, "classes_"):
            self.classes_ = np.asarray(classes)
        return self

    def fit(self, X, y):  # pragma: no cover - the search must not call it
        raise AssertionError("fit called instead of partial_fit")

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_epochs_after_the_first_of_a_fit_skip_repeated_checks():
    CheckRecorder.calls = []
    search = SuccessiveHalvingSearchCV(
        CheckRecorder(), SPACE, resource="partial_fit", n_candidates=3,
        min_resources=4, max_resources=4, cv=3, random_state=0,
        warm_start=False, refit=False,
    ).fit(X, y)  # fmt: skip
    calls = CheckRecorder.calls
    n_fits = len(search.cv_results_["params"]) * search.n_splits_
    assert len(calls) == 4 * n_fits
    # Each fit: its first epoch gets the classes and is checked; the three
    # that continue on the same data get neither.
    assert calls == [(True, True), (False, False), (False, False), (False, False)] * (
        n_fits
    )
