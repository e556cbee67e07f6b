"""load_results: a journal's study as scikit-learn's cv_results_."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

import sklearn_hpo
from sklearn_hpo.journal import (
    CandidateRecord,
    JournalError,
    SQLiteStorage,
    build_results,
    load_results,
)

FP = {"space": "s1"}


class Flaky(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; fails to fit when ``fail`` is true."""

    def __init__(self, fail=False, bias=0.0):
        self.fail = fail
        self.bias = bias

    def fit(self, X, y):
        if self.fail:
            raise ValueError("cannot fit")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        # Mostly class 0, more class 1 as bias grows: scores depend on bias.
        return (X[:, 0] < self.bias).astype(int)


def _data(n=60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


def _times(mean, std, n_splits):
    # Per-fold times with exactly this mean and (population) std.
    offsets = np.linspace(-1, 1, n_splits)
    offsets = offsets / np.sqrt(np.mean(offsets**2)) if n_splits > 1 else offsets
    return list(mean + std * offsets)


def _records_of(search):
    """The CandidateRecords a search's cv_results_ would have been recorded as."""
    results = search.cv_results_
    n_splits = search.n_splits_
    metrics = sorted(
        {k[len("mean_test_") :] for k in results if k.startswith("mean_test_")},
        key=lambda m: list(results).index(f"mean_test_{m}"),
    )
    records = []
    for i, params in enumerate(results["params"]):

        def folds(kind, metric, i=i):
            return [results[f"split{k}_{kind}_{metric}"][i] for k in range(n_splits)]

        test = {m: folds("test", m) for m in metrics}
        train = None
        if "mean_train_" + metrics[0] in results:
            train = {m: folds("train", m) for m in metrics}
        failed = bool(np.isnan(results[f"mean_test_{metrics[0]}"][i]))
        records.append(
            CandidateRecord(
                index=i,
                params=params,
                test_scores=test,
                train_scores=train,
                fit_time=_times(
                    results["mean_fit_time"][i], results["std_fit_time"][i], n_splits
                ),
                score_time=_times(
                    results["mean_score_time"][i],
                    results["std_score_time"][i],
                    n_splits,
                ),
                status="failed" if failed else "ok",
                error="ValueError: cannot fit" if failed else None,
            )
        )
    return records


def _assert_same_results(ours, theirs):
    assert [k for k in ours if k not in ("status", "error")] == list(theirs)
    for key, expected in theirs.items():
        got = ours[key]
        if key == "params":
            assert got == expected
        elif key.startswith("param_"):
            assert isinstance(got, np.ma.MaskedArray)
            np.testing.assert_array_equal(
                np.ma.getmaskarray(got), np.ma.getmaskarray(expected)
            )
            assert list(got.compressed()) == list(expected.compressed())
            if expected.dtype != object:  # scikit-learn >= 1.5 infers dtypes
                assert got.dtype == expected.dtype
        elif key.startswith("rank_"):
            np.testing.assert_array_equal(got, expected)
            assert got.dtype == expected.dtype
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_multimetric_conditional_search_matches_grid_search_cv(tmp_path):
    X, y = _data()
    grid = [
        {"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1.0]},
        {"kernel": ["poly"], "degree": [2, 3], "C": [0.5]},
    ]
    search = GridSearchCV(
        SVC(),
        grid,
        scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
        refit=False,
        cv=3,
        return_train_score=True,
    ).fit(X, y)
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        storage.open_study("grid", FP).record_many(_records_of(search))
    ours = load_results(path)
    _assert_same_results(ours, search.cv_results_)
    assert np.ma.getmaskarray(ours["param_degree"]).tolist() == [1, 1, 0, 0]
    assert list(ours["status"]) == ["ok"] * 4
    assert list(ours["error"]) == [None] * 4


def test_single_metric_with_failures_matches_grid_search_cv(tmp_path):
    X, y = _data()
    search = GridSearchCV(
        Flaky(),
        {"fail": [False, True], "bias": [-0.5, 0.0, 0.5, 3.0]},
        cv=2,
        error_score=np.nan,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        storage.open_study("flaky", FP).record_many(_records_of(search))
    ours = load_results(path)
    _assert_same_results(ours, search.cv_results_)
    assert "mean_test_score" in ours and "split1_test_score" in ours
    assert not any(k.startswith("mean_train") for k in ours)
    failed = ours["status"] == "failed"
    assert failed.sum() == 4
    assert (
        ours["rank_test_score"][failed].min() > ours["rank_test_score"][~failed].max()
    )
    assert set(ours["error"][failed]) == {"ValueError: cannot fit"}


def _rows():
    return [
        CandidateRecord(
            0,
            {"kernel": "rbf", "gamma": 0.1, "n": np.int64(3)},
            {"score": [0.5, 0.7]},
            train_scores={"score": [0.9, 1.0]},
            fit_time=[1.0, 3.0],
            score_time=[0.1, 0.1],
            round=0,
            extra={"op": "init"},
        ),
        CandidateRecord(
            2,
            {"kernel": "poly", "degree": 2, "n": np.int64(4)},
            {"score": [0.6, 0.6]},
            fit_time=[2.0, 2.0],
            score_time=[0.2, 0.2],
            round=1,
            extra={"op": "mutate", "parent": 0},
        ),
        CandidateRecord(
            1,
            {"kernel": "rbf", "gamma": 1.0, "n": np.int64(5)},
            {},
            status="failed",
            error="MemoryError",
            fit_time=[0.5],
            score_time=[],
            round=0,
            extra={"op": "init"},
        ),
    ]


def test_results_columns(tmp_path):
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        storage.open_study("s", FP).record_many(_rows())
    results = load_results(path)
    assert [p["n"] for p in results["params"]] == [3, 5, 4]  # index order
    assert type(results["params"][0]["n"]) is np.int64
    assert results["param_n"].dtype == np.int64
    assert results["param_kernel"].dtype == object
    assert list(results["param_gamma"].filled(-1)) == [0.1, 1.0, -1]
    assert results["param_degree"].mask.tolist() == [True, True, False]
    np.testing.assert_array_equal(results["mean_test_score"], [0.6, np.nan, 0.6])
    np.testing.assert_allclose(results["std_test_score"], [0.1, np.nan, 0.0])
    np.testing.assert_array_equal(results["rank_test_score"], [1, 3, 1])
    # train scores where recorded, NaN where not
    np.testing.assert_array_equal(results["split1_train_score"], [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(results["mean_fit_time"], [2.0, np.nan, 2.0])
    np.testing.assert_array_equal(results["std_fit_time"], [1.0, np.nan, 0.0])
    np.testing.assert_array_equal(results["round"], [0, 0, 1])
    assert list(results["op"]) == ["init", "init", "mutate"]
    assert results["parent"].mask.tolist() == [True, True, False]
    assert results["parent"][2] == 0
    assert list(results["status"]) == ["ok", "failed", "ok"]
    assert list(results["error"]) == [None, "MemoryError", None]
    assert "bracket" not in results and "resource" not in results


def test_all_failed_and_empty():
    rows = [
        CandidateRecord(i, {"a": i}, {"score": [np.nan, np.nan]}, status="failed")
        for i in range(3)
    ]
    np.testing.assert_array_equal(build_results(rows)["rank_test_score"], [1, 1, 1])
    empty = build_results([])
    assert empty["params"] == [] and len(empty["status"]) == 0


def test_parameter_values_that_are_sequences_or_objects():
    values = [(1, 2), [3], None, SVC(C=2.0)]
    rows = [
        CandidateRecord(i, {"v": v}, {"score": [1.0]}) for i, v in enumerate(values)
    ]
    column = build_results(rows)["param_v"]
    assert column.dtype == object and not column.mask.any()
    assert column[0] == (1, 2) and column[1] == [3] and column[2] is None
    assert column[3] is rows[3].params["v"]


def test_study_selection(tmp_path):
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        storage.open_study("first", FP).record(CandidateRecord(0, {"a": 1}, {}))
        only = load_results(path)
        assert only["params"] == [{"a": 1}]
        storage.open_study("second", FP).record(CandidateRecord(0, {"a": 2}, {}))
        assert load_results(storage, "second")["params"] == [{"a": 2}]
        assert len(storage.study_names()) == 2  # storage left open
    with pytest.raises(JournalError, match=r"2 studies: \['first', 'second'\]"):
        load_results(path)
    assert load_results(str(path), study="first")["params"] == [{"a": 1}]
    assert load_results(f"sqlite:///{path}", "second")["params"] == [{"a": 2}]
    with pytest.raises(JournalError, match="no study 'third'"):
        load_results(path, "third")
    with pytest.raises(FileNotFoundError):
        load_results(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_as_frame(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        study = storage.open_study("s", FP)
        study.record_many(_rows())
        frame = study.results(as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert frame.equals(load_results(path, as_frame=True))
    assert len(frame) == 3
    assert frame["mean_test_score"].iloc[0] == 0.6
    assert frame["param_degree"].isna().tolist() == [True, True, False]
    assert frame["param_kernel"].tolist() == ["rbf", "rbf", "poly"]
    assert frame["params"].iloc[2] == {"kernel": "poly", "degree": 2, "n": 4}
    assert frame["status"].tolist() == ["ok", "failed", "ok"]


def test_as_frame_without_pandas(tmp_path, monkeypatch):
    path = tmp_path / "j.db"
    with SQLiteStorage(path) as storage:
        storage.open_study("s", FP).record(CandidateRecord(0, {"a": 1}, {}))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="as_frame=True needs pandas"):
        load_results(path, as_frame=True)
    assert load_results(path)["params"] == [{"a": 1}]


def test_parameters_this_process_cannot_unpickle(tmp_path, run_child):
    # A class defined in the writer's __main__ is pickled by reference: the
    # reader shows its JSON form (repr) and says so; rows() refuses.
    path = tmp_path / "j.db"
    run_child(
        "from sklearn_hpo.journal import CandidateRecord, SQLiteStorage\n"
        "class Thing:\n"
        "    def __repr__(self):\n"
        "        return 'Thing()'\n"
        f"with SQLiteStorage({str(path)!r}) as storage:\n"
        "    study = storage.open_study('s', {'space': 's1'})\n"
        "    study.record(CandidateRecord(0, {'t': Thing(), 'C': 1.5}, "
        "{'score': [1.0]}, extra={'n': 1}))\n"
    )
    with pytest.warns(UserWarning, match="cannot be unpickled here"):
        results = load_results(path)
    assert results["params"] == [{"t": "Thing()", "C": 1.5}]
    assert list(results["n"]) == [1]
    with SQLiteStorage(path) as storage:
        with pytest.raises(JournalError, match="cannot be restored in this process"):
            storage.get_study().rows()


def test_load_results_is_exported():
    assert sklearn_hpo.load_results is load_results
    assert "load_results" in sklearn_hpo.__all__
