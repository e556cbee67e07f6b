"""SQLiteStorage, studies and get_storage: recording, reading, refusing."""

import copy
import json
import math
import pathlib
import pickle
import sqlite3
import threading
from fractions import Fraction

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hpo.journal import (
    SCHEMA_VERSION,
    BaseStorage,
    CandidateRecord,
    Fingerprint,
    FingerprintMismatchError,
    JournalError,
    SQLiteStorage,
    default_study_name,
    delete_study,
    get_storage,
)

FP = Fingerprint(
    {"estimator": "e1", "space": "s1", "scorers": "m1", "cv": "c1", "data": "d1"},
    {"estimator": "SVC(C=1.0)", "cv": "KFold(n_splits=5)"},
)


def record(index, **fields):
    if "params" not in fields:
        fields["params"] = {"C": float(index)}
    fields.setdefault("test_scores", {"score": [0.5, 0.6]})
    return CandidateRecord(index=index, **fields)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.db"


@pytest.fixture
def storage(path):
    with SQLiteStorage(path) as opened:
        yield opened


def _same(a, b):
    """Equal values of the same type, recursively; estimators by parameters."""
    assert type(a) is type(b), (a, b)
    if hasattr(a, "get_params"):
        assert _same(a.get_params(deep=False), b.get_params(deep=False))
    elif isinstance(a, dict):
        assert list(a) == list(b)
        assert all(_same(a[k], b[k]) for k in a)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    elif isinstance(a, (float, np.floating)) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b
    return True


def _odd_params():
    def local_function(x):
        return x + 1

    return {
        "float": 0.1,
        "int": 3,
        "np_int64": np.int64(7),
        "np_int32": np.int32(-2),
        "np_float64": np.float64(1e-300),
        "np_float32": np.float32(0.25),
        "np_bool": np.bool_(True),
        "np_str": np.str_("rbf"),
        "bool": False,
        "none": None,
        "str": "l1",
        "nan": float("nan"),
        "inf": -float("inf"),
        "tuple": (10, 20),
        "list": [1, "a", None],
        "fraction": Fraction(1, 3),
        "estimator": LogisticRegression(C=2.5, penalty="l2"),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression(C=0.5)),
        "lambda": lambda x: 2 * x,  # needs cloudpickle
        "local_function": local_function,  # needs cloudpickle
    }


def test_odd_parameter_values_round_trip(path):
    params = _odd_params()
    with SQLiteStorage(path) as storage:
        storage.open_study("s", FP).record(record(0, params=params))
    with SQLiteStorage(path) as storage:
        (row,) = storage.open_study("s", FP).rows()
    functions = ("lambda", "local_function")
    _same(
        {k: v for k, v in row.params.items() if k not in functions},
        {k: v for k, v in params.items() if k not in functions},
    )
    assert row.params["lambda"](4) == 8 and row.params["local_function"](4) == 5
    pipeline = row.params["pipeline"]
    assert [type(s) for _, s in pipeline.steps] == [StandardScaler, LogisticRegression]
    assert pipeline.get_params()["logisticregression__C"] == 0.5


def test_json_form_is_readable_without_python_objects(path):
    params = _odd_params()
    with SQLiteStorage(path) as storage:
        storage.open_study("s", FP).record(
            record(0, params=params, extra={"op": "mutate", "n": np.int64(2)})
        )
    conn = sqlite3.connect(path)
    text, extra = conn.execute("SELECT params, extra FROM candidates").fetchone()
    try:
        extracted = conn.execute(
            "SELECT json_extract(params, '$.np_int64'), "
            "json_extract(test_scores, '$.score[1]') FROM candidates"
        ).fetchone()
    except sqlite3.OperationalError:  # an SQLite built without JSON functions
        extracted = (7, 0.6)
    conn.close()
    assert extracted == (7, 0.6)
    stored = json.loads(text)
    assert stored["np_int64"] == 7 and stored["np_bool"] is True
    assert stored["np_float32"] == 0.25 and stored["str"] == "l1"
    assert stored["nan"] is None and stored["inf"] == "-inf"
    assert stored["tuple"] == [10, 20] and stored["none"] is None
    assert stored["estimator"] == repr(params["estimator"])
    assert json.loads(extra) == {"op": "mutate", "n": 2}


def test_all_fields_round_trip(storage):
    study = storage.open_study("s", FP)
    full = CandidateRecord(
        index=4,
        params={"C": 1.0},
        test_scores={
            "acc": [0.5, np.nan, np.inf],
            "auc": np.array([0.1, 0.2, -np.inf]),
        },
        train_scores={"acc": [1.0, 1.0, 0.9], "auc": [0.9, 0.8, 0.7]},
        fit_time=np.array([0.5, 0.25, 0.125]),
        score_time=[0.01, 0.02, 0.03],
        round=np.int64(2),
        bracket=1,
        rung=0,
        resource=np.float64(0.5),
        extra={"op": "mutate", "parents": [1, 2], "nan": float("nan"), "t": (1, 2)},
    )
    failed = record(
        5, status="failed", error="ValueError: C must be > 0", resource=27, fit_time=[]
    )
    study.record(full)
    study.record(failed)
    got_full, got_failed = study.rows()
    acc = got_full.test_scores["acc"]
    assert acc[0] == 0.5 and math.isnan(acc[1]) and acc[2] == math.inf
    assert got_full.test_scores["auc"] == [0.1, 0.2, -math.inf]
    assert got_full.train_scores == {"acc": [1.0, 1.0, 0.9], "auc": [0.9, 0.8, 0.7]}
    assert got_full.fit_time == [0.5, 0.25, 0.125]
    assert got_full.score_time == [0.01, 0.02, 0.03]
    assert (got_full.round, got_full.bracket, got_full.rung) == (2, 1, 0)
    assert type(got_full.round) is int
    assert got_full.resource == 0.5 and type(got_full.resource) is float
    _same(got_full.extra, full.extra)
    assert got_full.status == "ok" and got_full.error is None
    assert got_failed.status == "failed"
    assert got_failed.error == "ValueError: C must be > 0"
    assert got_failed.resource == 27 and type(got_failed.resource) is int
    assert got_failed.train_scores is None and got_failed.fit_time == []


def test_rows_come_back_in_index_order_and_batches_are_atomic(storage):
    study = storage.open_study("s", FP)
    for index in (3, 0, 2):  # a sliding window completes out of order
        study.record(record(index))
    study.record_many([record(1), record(4)])
    assert [r.index for r in study.rows()] == [0, 1, 2, 3, 4]
    assert len(study) == 5
    with pytest.raises(JournalError, match="already holds a row"):
        study.record_many([record(5), record(2)])
    assert [r.index for r in study.rows()] == [0, 1, 2, 3, 4]  # 5 not kept
    with pytest.raises(JournalError, match="already holds a row"):
        study.record(record(0))
    study.record(record(5))
    assert len(study) == 6


def test_studies_share_a_file_and_are_found_again(path):
    other = Fingerprint({"estimator": "e2"})
    with SQLiteStorage(path) as storage:
        first = storage.open_study("first", FP)
        first.record(record(0))
        unnamed = storage.open_study(fingerprint=other)
        assert unnamed.name == default_study_name(other)
        assert unnamed.name.startswith("study-") and len(unnamed.name) == 18
        unnamed.record(record(0, params={"C": 9.0}))
        unnamed.set_metadata({"n_iter": 50}, strategy="BayesSearchCV")
        unnamed.set_metadata(n_iter=60)
    with SQLiteStorage(path) as storage:
        assert storage.study_names() == ["first", default_study_name(other)]
        again = storage.open_study(fingerprint=other)
        assert again.rows()[0].params == {"C": 9.0}
        assert again.metadata == {"n_iter": 60, "strategy": "BayesSearchCV"}
        assert storage.open_study("first", FP).metadata == {}
        assert storage.get_study("first").fingerprint.descriptions == FP.descriptions
        with pytest.raises(JournalError, match=r"2 studies: \['first', 'study-"):
            storage.get_study()
        with pytest.raises(JournalError, match="no study 'third'"):
            storage.get_study("third")


def test_mismatched_fingerprint_names_the_components(storage, path):
    storage.open_study("s", FP).record(record(0))
    changed = Fingerprint(dict(FP, cv="c2", data="d2"), {"cv": "KFold(n_splits=3)"})
    with pytest.raises(FingerprintMismatchError) as info:
        storage.open_study("s", changed)
    message = str(info.value)
    assert info.value.components == ["cv", "data"]
    assert info.value.study == "s"
    assert "these differ: cv, data" in message
    assert "cv: recorded KFold(n_splits=5); now KFold(n_splits=3)" in message
    assert "data: recorded hash d1; now hash d2" in message
    assert "estimator" not in message.split("differ")[0]
    assert "another study name" in message and "delete_study(" in message
    assert str(path) in message
    again = pickle.loads(pickle.dumps(info.value))
    assert (str(again), again.study, again.components) == (message, "s", ["cv", "data"])
    # a component added or dropped is a difference too
    with pytest.raises(FingerprintMismatchError, match="these differ: settings"):
        storage.open_study("s", dict(FP, settings="x"))
    # nothing was mixed or restarted
    assert len(storage.open_study("s", FP)) == 1


def test_delete_study(storage, path):
    storage.open_study("s", FP).record(record(0))
    storage.open_study("s", FP).set_metadata(n_iter=3)
    kept = storage.open_study("kept", FP)
    kept.record(record(0))
    delete_study(str(path), "s")
    assert storage.study_names() == ["kept"]
    fresh = storage.open_study("s", Fingerprint({"estimator": "other"}))
    assert len(fresh) == 0 and fresh.metadata == {}
    assert len(kept) == 1
    storage.delete_study("s")
    with pytest.raises(JournalError, match="deleted"):
        fresh.record(record(0))
    with pytest.raises(JournalError, match="no study 's'"):
        storage.delete_study("s")


def test_record_validation_names_the_field(storage):
    study = storage.open_study("s", FP)
    cases = [
        (record(0, status="crashed"), ValueError, "status must be"),
        (record(-1), ValueError, "index must be >= 0"),
        (record(0, params={1: 2}), TypeError, "params must be a dict with str keys"),
        (
            record(0, test_scores={"a": [1], "b": [1, 2]}),
            ValueError,
            "numbers of folds",
        ),
        (record(0, test_scores={"a": ["x"]}), TypeError, r"test_scores\['a'\]"),
        (record(0, extra={"status": 1}), ValueError, "extra column 'status'"),
        (record(0, extra={"mean_test_x": 1}), ValueError, "would shadow"),
        (record(0, extra={"x": object()}), TypeError, r"extra\['x'\]"),
        (record(0, resource="big"), TypeError, "resource must be a number"),
        (record(0, round=1.5), TypeError, "round must be an int"),
        (record(None, params={}), TypeError, "index must be an int"),
    ]
    for bad, error, match in cases:
        with pytest.raises(error, match=match):
            study.record(bad)
    with pytest.raises(TypeError, match=r"metadata\['plan'\]"):
        study.set_metadata(plan=object())
    assert len(study) == 0


def test_threads_record_concurrently(storage):
    study = storage.open_study("s", FP)
    errors = []

    def work(offset):
        try:
            for i in range(40):
                study.record(record(offset * 100 + i))
                if i % 10 == 0:
                    study.rows()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r.index for r in study.rows()] == [
        t * 100 + i for t in range(6) for i in range(40)
    ]


def test_read_only_and_closed(path):
    with pytest.raises(FileNotFoundError, match="journal.db"):
        SQLiteStorage(path, read_only=True)
    assert not path.exists()
    with SQLiteStorage(path) as storage:
        storage.open_study("s", FP).record(record(0))
    reader = SQLiteStorage(path, read_only=True)
    study = reader.open_study("s", FP)  # opening an existing study writes nothing
    assert len(study) == 1
    with pytest.raises(JournalError, match="read-only"):
        study.record(record(1))
    with pytest.raises(JournalError, match="read-only"):
        reader.open_study("new", FP)
    reader.close()
    reader.close()
    with pytest.raises(JournalError, match="closed"):
        len(study)


def test_a_storage_copy_opens_its_own_connection(storage, path):
    storage.open_study("s", FP).record(record(0))
    for copied in (copy.deepcopy(storage), pickle.loads(pickle.dumps(storage))):
        assert isinstance(copied, SQLiteStorage) and copied is not storage
        assert pathlib.Path(copied.path) == path.absolute()
        assert len(copied.open_study("s", FP)) == 1
        copied.close()
    assert len(storage.open_study("s", FP)) == 1


def _snapshot(path):
    folder = path.parent
    return path.read_bytes(), sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    "content",
    [b"", b"hello\nthis is a text file\n", b"SQLite format 3\x00" + b"\x00" * 84],
    ids=["empty", "text", "header-only"],
)
def test_files_that_are_not_journals_are_left_untouched(tmp_path, content):
    path = tmp_path / "data.db"
    path.write_bytes(content)
    if not content:  # an empty file is an empty database: it becomes a journal
        with SQLiteStorage(path) as storage:
            storage.open_study("s", FP).record(record(0))
        assert len(SQLiteStorage(path, read_only=True).get_study("s")) == 1
        return
    for read_only in (False, True):
        with pytest.raises(JournalError, match=r"data\.db.*left untouched"):
            SQLiteStorage(path, read_only=read_only)
        assert path.read_bytes() == content


def test_an_sqlite_database_of_another_application_is_left_untouched(tmp_path):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("INSERT INTO users VALUES ('ada')")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    for read_only in (False, True):
        with pytest.raises(JournalError, match=r"app\.db.*not a sklearn_hpo journal"):
            SQLiteStorage(path, read_only=read_only)
    assert _snapshot(path) == before


def _journal_bytes(path, n=200):
    with SQLiteStorage(path) as storage:
        study = storage.open_study("s", FP)
        for i in range(n):
            study.record(record(i, params={"C": float(i), "pad": "x" * 200}))
    return path.read_bytes()


@pytest.mark.parametrize("where", ["pages", "truncated", "header"])
def test_a_corrupt_journal_is_an_error_and_left_untouched(path, where):
    data = _journal_bytes(path)
    if where == "pages":
        data = data[:8192] + bytes(range(256)) * 16 + data[12288:]
    elif where == "truncated":
        data = data[: len(data) // 2]
    else:
        data = data[:16] + b"\xff" * 84 + data[100:]
    path.write_bytes(data)
    for read_only in (False, True):
        with pytest.raises(JournalError, match=r"(?s)journal\.db.*corrupt.*untouched"):
            SQLiteStorage(path, read_only=read_only)
        assert path.read_bytes() == data


def test_a_newer_schema_is_an_error(path):
    _journal_bytes(path, n=1)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    data = path.read_bytes()
    with pytest.raises(JournalError, match="schema version 2, newer"):
        SQLiteStorage(path)
    assert path.read_bytes() == data


def test_journal_is_in_wal_mode_with_a_schema_version(storage, path):
    storage.open_study("s", FP)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    meta = dict(conn.execute("SELECT key, value FROM journal_meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    conn.close()


def test_get_storage(path, tmp_path, monkeypatch):
    assert get_storage(None) is None
    with SQLiteStorage(path) as storage:
        assert get_storage(storage) is storage
    for given in (path, str(path), f"sqlite:///{path}"):
        opened = get_storage(given)
        assert isinstance(opened, SQLiteStorage) and isinstance(opened, BaseStorage)
        assert pathlib.Path(opened.path) == path
        opened.close()
    monkeypatch.chdir(tmp_path)
    with get_storage("sqlite:///relative.db") as opened:
        assert opened.path == "relative.db"
    assert (tmp_path / "relative.db").exists()


@pytest.mark.parametrize(
    "value, error, match",
    [
        (
            "postgresql://user:secret@host/db",
            ValueError,
            r"storage='postgresql://user:\*\*\*@host/db'.*'postgresql' databases are "
            "not supported yet",
        ),
        ("mysql://host/db", ValueError, "storage='mysql://host/db'"),
        ("sqlite://", ValueError, "sqlite:///relative/path"),
        ("", ValueError, "storage=''"),
        (42, TypeError, r"storage must be None, a path.*got 42 \(int\)"),
        (b"j.db", TypeError, r"got b'j.db' \(bytes\)"),
    ],
)
def test_get_storage_refuses_other_values(value, error, match):
    with pytest.raises(error, match=match) as info:
        get_storage(value)
    assert "secret" not in str(info.value)


def test_storage_path_errors_name_the_path(tmp_path):
    with pytest.raises(JournalError, match="is a directory"):
        SQLiteStorage(tmp_path)
    with pytest.raises(JournalError, match="no_such_dir"):
        SQLiteStorage(tmp_path / "no_such_dir" / "j.db")
