"""Every candidate of a search is scored on the same splits, even with a
splitter that shuffles without a seed (GridSearchCV's behaviour)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit

from sklearn_hpo import (
    BayesSearchCV,
    CoarseToFineSearchCV,
    EvolutionarySearchCV,
    HyperbandSearchCV,
    Real,
    SuccessiveHalvingSearchCV,
    TPESearchCV,
)
from sklearn_hpo.search._splits import freeze_splits

X = np.c_[np.arange(60.0), np.random.RandomState(0).rand(60)]
y = np.random.RandomState(1).rand(60)


def fold_id(estimator, X_test, y_test):
    """A scorer that identifies the test fold: the sum of its row ids."""
    return float(X_test[:, 0].sum())


SPACE = {"alpha": Real(1e-3, 1.0, log=True)}

SEQUENTIAL = [
    (BayesSearchCV, {"n_iter": 6, "n_initial_points": 2}),
    (BayesSearchCV, {"n_iter": 6, "n_initial_points": 2, "n_points": 2}),
    (BayesSearchCV, {"n_iter": 6, "n_initial_points": 2, "n_points": 2, "n_jobs": 2}),
    (TPESearchCV, {"n_iter": 6, "n_initial_points": 2}),
    (CoarseToFineSearchCV, {"n_iter": 6}),
    (EvolutionarySearchCV, {"n_iter": 6, "population_size": 2}),
]


@pytest.mark.parametrize("cv", [KFold(3, shuffle=True), ShuffleSplit(3)])
@pytest.mark.parametrize("search_cls, params", SEQUENTIAL)
def test_sequential_searches_score_every_candidate_on_the_same_folds(
    search_cls, params, cv
):
    search = search_cls(
        Ridge(), SPACE, cv=cv, scoring=fold_id, random_state=0, **params
    ).fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 6
    for k in range(3):
        column = results[f"split{k}_test_score"]
        assert len(set(column)) == 1, (k, column)


@pytest.mark.parametrize(
    "search",
    [
        SuccessiveHalvingSearchCV(
            Ridge(), SPACE, n_candidates=6, min_resources=20, factor=2
        ),
        HyperbandSearchCV(Ridge(), SPACE, min_resources=15, factor=2),
        HyperbandSearchCV(
            Ridge(), SPACE, resource="max_iter", min_resources=1, max_resources=8
        ),
    ],
    ids=["sh_n_samples", "hyperband_n_samples", "hyperband_max_iter"],
)
def test_multi_fidelity_searches_score_every_rung_on_the_same_folds(search):
    search.set_params(cv=KFold(3, shuffle=True), scoring=fold_id, random_state=0)
    results = search.fit(X, y).cv_results_
    assert len(set(results["iter"])) > 1  # several rungs
    for k in range(3):
        assert len(set(results[f"split{k}_test_score"])) == 1


class RowsGrower(RegressorMixin, BaseEstimator):
    """Grows with ``warm_start``; scores 1 while it only ever saw one
    training fold (column 0 of X holds the row ids), 0 otherwise."""

    def __init__(self, alpha=1.0, n_estimators=1, warm_start=False):
        self.alpha = alpha
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X, y=None):
        rows = frozenset(np.asarray(X)[:, 0].astype(int).tolist())
        if self.warm_start and hasattr(self, "rows_"):
            self.continued_ = True
            self.same_rows_ = self.same_rows_ and rows == self.rows_
        else:
            self.rows_, self.same_rows_, self.continued_ = rows, True, False
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return float(self.same_rows_)


def continued(estimator, X_test, y_test):
    return float(getattr(estimator, "continued_", False))


def test_warm_start_continues_on_the_same_training_fold():
    search = SuccessiveHalvingSearchCV(
        RowsGrower(),
        SPACE,
        resource="n_estimators",
        min_resources=1,
        max_resources=8,
        n_candidates=8,
        factor=2,
        warm_start=True,
        cv=KFold(3, shuffle=True),
        scoring={"same": lambda est, X, y: est.score(X, y), "continued": continued},
        refit="same",
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert np.all(results["mean_test_same"] == 1.0)
    # Every promoted candidate continued its model.
    promoted = np.asarray(results["iter"]) > 0
    assert np.all(np.asarray(results["mean_test_continued"])[promoted] == 1.0)


def test_freeze_splits_yields_the_same_splits_at_every_call():
    frozen = freeze_splits(KFold(3, shuffle=True), X, y, {}, classifier=False)
    first = [(tr.tolist(), te.tolist()) for tr, te in frozen.split(X, y)]
    second = [(tr.tolist(), te.tolist()) for tr, te in frozen.split(X, y)]
    assert first == second
    assert frozen.get_n_splits() == 3


def test_freeze_splits_passes_groups():
    groups = np.repeat(np.arange(6), 10)
    frozen = freeze_splits(GroupKFold(3), X, y, {"groups": groups}, classifier=False)
    for train, test in frozen.split(X, y):
        assert not set(groups[train]) & set(groups[test])


@pytest.mark.parametrize(
    "search",
    [
        TPESearchCV(Ridge(), SPACE, n_iter=3, n_initial_points=2),
        SuccessiveHalvingSearchCV(Ridge(), SPACE, n_candidates=3, min_resources=20),
        HyperbandSearchCV(
            Ridge(), SPACE, resource="max_iter", min_resources=1, max_resources=4
        ),
    ],
    ids=["tpe", "sh_n_samples", "hyperband_max_iter"],
)
def test_a_generator_of_splits_is_read_once(search):
    splits = list(KFold(3).split(X))
    search.set_params(cv=(split for split in splits), random_state=0).fit(X, y)
    assert search.n_splits_ == 3
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


class BlockSplit:
    """A custom splitter that needs its own metadata, ``block``."""

    def get_n_splits(self, X=None, y=None, groups=None, block=None):
        return 3

    def split(self, X, y=None, groups=None, block=None):
        if block is None:
            raise ValueError("BlockSplit needs block")
        for b in range(3):
            yield np.flatnonzero(block % 3 != b), np.flatnonzero(block % 3 == b)


@pytest.mark.parametrize(
    "make",
    [
        lambda cv: TPESearchCV(Ridge(), SPACE, n_iter=3, cv=cv, random_state=0),
        lambda cv: SuccessiveHalvingSearchCV(
            Ridge(), SPACE, n_candidates=3, min_resources=20, cv=cv, random_state=0
        ),
    ],
    ids=["tpe", "sh_n_samples"],
)
def test_routed_split_metadata_reach_the_splitter(make):
    import sklearn
    from sklearn.utils.metadata_routing import _MetadataRequester

    class RoutedBlockSplit(_MetadataRequester, BlockSplit):
        __metadata_request__split = {"block": True}

    block = np.arange(len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        # An alias of groups, and a custom splitter's own metadata.
        aliased = GroupKFold(3).set_split_request(groups="patient")
        search = make(aliased).fit(X, y, patient=block // 10)
        assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
        search = make(RoutedBlockSplit()).fit(X, y, block=block)
        assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


_PROBED: list = []  # the search, then (its attributes, its pickle) per score


def _probe(estimator, X_test, y_test):
    """A scorer that pickles the search being fit (``_PROBED[0]``)."""
    import pickle

    search = _PROBED[0]
    _PROBED.append((set(vars(search)), pickle.dumps(search)))
    return 0.0


@pytest.mark.parametrize(
    "search_cls, params",
    [
        (BayesSearchCV, {"n_iter": 3, "n_initial_points": 2}),
        (SuccessiveHalvingSearchCV, {"n_candidates": 3, "resource": "n_samples"}),
    ],
)
def test_the_search_holds_no_data_while_it_fits(search_cls, params):
    # scikit-learn >= 1.9 sends the search with every task to the workers:
    # what it holds during fit travels with every task. The fit's data and
    # results live in its evaluation, not on the search.
    import pickle

    search = search_cls(
        Ridge(), SPACE, cv=3, scoring=_probe, random_state=0, error_score="raise",
        **params,
    )
    _PROBED[:] = [search]
    search.fit(X, y)
    seen = _PROBED[1:]
    assert seen
    data = np.ascontiguousarray(X).tobytes()[:256]
    for held, pickled in seen:
        assert held <= set(search.get_params(deep=False)) | {
            name for name in vars(search) if name.endswith("_")
        } | {"_callback_fit_ctx", "_skl_callbacks_to_teardown", "_checked_cv_orig"}
        assert data not in pickled
    fitted = pickle.loads(pickle.dumps(search))
    assert fitted.best_params_ == search.best_params_
