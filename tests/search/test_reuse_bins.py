import inspect
import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.ensemble._hist_gradient_boosting import binning
from threadpoolctl import threadpool_limits

from sklearn_hpo import Real, SuccessiveHalvingSearchCV
from sklearn_hpo.search._reuse_bins import reusing_bins

X, y = make_classification(n_samples=300, n_features=5, random_state=0)


@pytest.fixture
def bin_fits(monkeypatch):
    """Counts the fits of HistGradientBoosting's bin mapper."""
    calls = []
    fit = binning._BinMapper.fit

    def counting_fit(self, *args, **kwargs):
        calls.append(1)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(binning._BinMapper, "fit", counting_fit)
    return calls


def _hgb(**kw):
    kw = {"early_stopping": False, "max_leaf_nodes": 4, "random_state": 0, **kw}
    return HistGradientBoostingClassifier(**kw)


def _continue(model, X, y, reuse, **fit_kw):
    model.set_params(warm_start=True, max_iter=model.max_iter + 7)
    if reuse:
        with reusing_bins(model):
            return model.fit(X, y, **fit_kw)
    return model.fit(X, y, **fit_kw)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_continuation_reuses_the_bins_and_equals_binning_again(
    bin_fits, early_stopping
):
    # With early stopping, the validation split (seeded by the model's kept
    # seed) is the same at every warm fit, hence the data binned.
    kw = {"early_stopping": early_stopping, "n_iter_no_change": 100}
    with threadpool_limits(1):
        models = []
        for reuse in (True, False):
            model = _hgb(max_iter=5, **kw)
            with reusing_bins(model):
                model.fit(X, y)
            thresholds = model._bin_mapper.bin_thresholds_
            models.append(_continue(model, X, y, reuse))
            if reuse:
                assert len(bin_fits) == 1  # the continuation kept the bins
                assert model._bin_mapper.bin_thresholds_ is thresholds
        assert len(bin_fits) == 3
        cold = _hgb(max_iter=12, **kw).fit(X, y)
    reused, binned_again = models
    np.testing.assert_array_equal(
        reused.predict_proba(X), binned_again.predict_proba(X)
    )
    if not early_stopping:  # with a seed, also the scores of retraining
        warm = _continue(_hgb(max_iter=5).fit(X, y), X, y, reuse=True)
        np.testing.assert_array_equal(warm.predict_proba(X), cold.predict_proba(X))
    # Nothing is left on the instance but the fingerprint; it still pickles.
    assert "_bin_data" not in vars(reused)
    pickle.loads(pickle.dumps(reused)).predict(X)


def test_a_fit_outside_the_block_invalidates_the_fingerprint(bin_fits):
    model = _hgb(max_iter=3, warm_start=True)
    with reusing_bins(model):
        model.fit(X, y)
    model.fit(X * 10, y)  # replaces the bins, outside the block
    _continue(model, X, y, reuse=True)
    assert len(bin_fits) == 3
    fresh = binning._BinMapper(n_bins=256, random_state=0).fit(X)
    for got, expected in zip(
        model._bin_mapper.bin_thresholds_, fresh.bin_thresholds_
    ):
        np.testing.assert_allclose(got, expected)


def test_the_method_is_restored_when_the_fit_fails(monkeypatch):
    model = _hgb(max_iter=3)

    def failing_fit(self, *args, **kwargs):
        raise RuntimeError("binning failed")

    monkeypatch.setattr(binning._BinMapper, "fit", failing_fit)
    with pytest.raises(RuntimeError, match="binning failed"):
        with reusing_bins(model):
            model.fit(X, y)
    assert "_bin_data" not in vars(model)


@pytest.mark.parametrize(
    "change",
    [
        lambda m, X, y: (X[::-1].copy(), y[::-1].copy()),  # other data
        lambda m, X, y: (m.set_params(max_bins=31), (X, y))[1],  # other settings
    ],
    ids=["data", "max_bins"],
)
def test_other_data_or_settings_search_bins_again(bin_fits, change):
    model = _hgb(max_iter=3)
    with reusing_bins(model):
        model.fit(X, y)
    X2, y2 = change(model, X, y)
    model.set_params(warm_start=True, max_iter=6)
    with reusing_bins(model):
        model.fit(X2, y2)
    assert len(bin_fits) == 2


def test_a_fit_outside_the_block_is_unchanged(bin_fits):
    model = _hgb(max_iter=3, warm_start=True)
    with reusing_bins(model):
        model.fit(X, y)
    model.set_params(max_iter=6).fit(X, y)
    assert len(bin_fits) == 2


def test_other_estimators_or_an_unexpected_signature_are_left_alone():
    forest = RandomForestClassifier(n_estimators=3, random_state=0)
    with reusing_bins(forest):
        assert "_bin_data" not in vars(forest)
        forest.fit(X, y)

    class OtherSignature(HistGradientBoostingClassifier):
        def _bin_data(self, X, is_training_data, extra=None):
            return super()._bin_data(X, is_training_data=is_training_data)

    model = OtherSignature()
    with reusing_bins(model):
        assert "_bin_data" not in vars(model)


def test_search_with_warm_start_searches_bins_once_per_model(bin_fits):
    space = {"learning_rate": Real(0.05, 0.5, log=True)}
    with threadpool_limits(1):
        searches = {}
        for warm_start in (False, True):
            bin_fits.clear()
            searches[warm_start] = SuccessiveHalvingSearchCV(
                _hgb(), space, resource="max_iter", min_resources=2,
                max_resources=18, factor=3, cv=3, warm_start=warm_start,
                random_state=0,
            ).fit(X, y)  # fmt: skip
            searches[warm_start] = (searches[warm_start], len(bin_fits))
    (cold, cold_fits), (warm, warm_fits) = searches[False], searches[True]
    np.testing.assert_array_equal(
        cold.cv_results_["mean_test_score"], warm.cv_results_["mean_test_score"]
    )
    first_rung = warm.brackets_[0].rungs[0].n_candidates
    # Retraining bins at every fit (plus the refit); warm start only when a
    # candidate is first fitted on a fold.
    assert cold_fits == len(cold.cv_results_["params"]) * 3 + 1
    assert warm_fits == first_rung * 3 + 1


def test_other_sample_weights_search_bins_again_where_they_matter(bin_fits):
    model = _hgb(max_iter=3)
    with reusing_bins(model):
        model.fit(X, y, sample_weight=np.ones(len(y)))
    weights = np.linspace(0.1, 2.0, len(y))
    _continue(model, X, y, reuse=True, sample_weight=weights)
    # scikit-learn >= 1.6 bins with the sample weights; before, without.
    takes_weights = "sample_weight" in inspect.signature(model._bin_data).parameters
    assert len(bin_fits) == (2 if takes_weights else 1)


def test_a_nested_block_restores_the_outer_one():
    model = _hgb(max_iter=3)
    with reusing_bins(model):
        outer = vars(model)["_bin_data"]
        with reusing_bins(model):
            assert vars(model)["_bin_data"] is not outer
        assert vars(model)["_bin_data"] is outer
    assert "_bin_data" not in vars(model)
