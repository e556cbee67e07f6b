"""The journal across processes: no scikit-learn, live readers, crashes."""

import os
import signal
import sys

import numpy as np
import pytest

from sklearn_hpo.journal import (
    CandidateRecord,
    JournalError,
    SQLiteStorage,
    load_results,
)

# A writer child: records candidate i with C = i / 10 and prints i after each
# commit. It stops after `pause_after` rows until it reads a line on stdin.
WRITER = """
import sys, time
from sklearn_hpo.journal import CandidateRecord, SQLiteStorage
path, study_name, n, pause_after, sleep = {args!r}
storage = SQLiteStorage(path)
study = storage.open_study(study_name, {{"space": "s1"}})
for i in range(n):
    if i == pause_after:
        print("paused", flush=True)
        sys.stdin.readline()
    study.record(CandidateRecord(
        i, {{"C": i / 10, "k": "x" * (i % 7)}}, {{"score": [i / n, 1 - i / n]}},
        fit_time=[0.1, 0.2], score_time=[0.01, 0.01], round=i,
    ))
    print(i, flush=True)
    time.sleep(sleep)
print("done", flush=True)
"""


def _writer(path, study="s", n=60, pause_after=-1, sleep=0.0):
    return WRITER.format(args=(str(path), study, n, pause_after, sleep))


def test_the_journal_does_not_import_scikit_learn(run_child, tmp_path):
    path = tmp_path / "j.db"
    out = run_child(
        "from sklearn_hpo.journal import CandidateRecord, SQLiteStorage, "
        "load_results, stable_hash\n"
        f"with SQLiteStorage({str(path)!r}) as storage:\n"
        "    study = storage.open_study(None, {'data': stable_hash([1, 2])})\n"
        "    study.record(CandidateRecord(0, {'C': 1.0}, {'score': [1.0]}))\n"
        "    study.rows()\n"
        f"load_results({str(path)!r})\n"
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sklearn', 'sklearn_hpo')))\n"
    )
    modules = eval(out.strip())
    assert "sklearn" not in modules
    assert not [m for m in modules if m.startswith("sklearn.")]
    # nor the package's other layers (which import scikit-learn)
    assert all(
        m == "sklearn_hpo" or m.startswith("sklearn_hpo.journal") for m in modules
    )


def _check_prefix(results, n_rows, n_total):
    assert len(results["params"]) == n_rows
    np.testing.assert_allclose(results["param_C"], np.arange(n_rows) / 10)
    np.testing.assert_allclose(
        results["mean_test_score"], np.full(n_rows, 0.5), rtol=1e-12
    )
    np.testing.assert_allclose(
        results["split0_test_score"], np.arange(n_rows) / n_total
    )
    np.testing.assert_array_equal(results["round"], np.arange(n_rows))


def test_another_process_reads_while_a_search_writes(tmp_path, start_child):
    path = tmp_path / "j.db"
    n = 60
    writer = start_child(_writer(path, n=n, pause_after=10, sleep=0.005))
    lines = []
    while True:
        line = writer.stdout.readline()
        assert line, writer.stderr.read()
        if line.strip() == "paused":
            break
        lines.append(line)
    # The writer holds its connection open with 10 committed rows.
    assert len(lines) == 10
    _check_prefix(load_results(path), 10, n)
    writer.stdin.write("go\n")
    writer.stdin.flush()
    seen = [10]
    while writer.poll() is None:
        results = load_results(path)
        n_rows = len(results["params"])
        assert n_rows >= seen[-1]  # a reader never sees rows disappear
        _check_prefix(results, n_rows, n)
        seen.append(n_rows)
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert out.split()[-1] == "done"
    _check_prefix(load_results(path), n, n)


def test_two_processes_write_to_one_file(tmp_path, start_child):
    path = tmp_path / "j.db"
    writers = [start_child(_writer(path, study=name, n=40)) for name in ("a", "b")]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with SQLiteStorage(path) as storage:
        assert sorted(storage.study_names()) == ["a", "b"]
    for name in ("a", "b"):
        _check_prefix(load_results(path, name), 40, 40)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_committed_rows_survive_a_kill(tmp_path, start_child):
    path = tmp_path / "j.db"
    n = 100_000
    writer = start_child(_writer(path, n=n, sleep=0.0005))
    printed = []
    while len(printed) < 40:
        line = writer.stdout.readline()
        assert line, writer.stderr.read()
        printed.append(int(line))
    os.kill(writer.pid, signal.SIGKILL)
    rest, _ = writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    printed += [int(x) for x in rest.split()]
    last = printed[-1]
    assert last < n - 1  # killed mid-way
    # Every row committed before the kill is there (perhaps one more, whose
    # commit the kill came between and its print), and the file is valid.
    results = load_results(path)
    n_rows = len(results["params"])
    assert last + 1 <= n_rows <= last + 2
    _check_prefix(results, n_rows, n)
    with SQLiteStorage(path) as storage:  # validated (quick_check) for writing
        study = storage.open_study("s", {"space": "s1"})
        assert [r.index for r in study.rows()] == list(range(n_rows))
        study.record(CandidateRecord(n_rows, {"C": 0.0}, {"score": [0.0, 0.0]}))
        assert len(study) == n_rows + 1
        with pytest.raises(JournalError, match="already holds"):
            study.record(CandidateRecord(last, {"C": 0.0}, {}))
