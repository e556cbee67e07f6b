"""Smoke tests of benchmarks/proposal_hashes.py; nothing is timed."""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import proposal_hashes as P  # noqa: E402


def test_same_seed_same_hash_other_seed_other_hash():
    first = P.run_config(P.Config("tpe", "mixed", 0))
    again = P.run_config(P.Config("tpe", "mixed", 0))
    other = P.run_config(P.Config("tpe", "mixed", 1))
    assert first["n_rows"] == P.N_ITER
    assert first["hash"] == again["hash"]
    assert first["parts"] == again["parts"]
    assert other["hash"] != first["hash"]
    assert set(first["parts"]) == {"params", "mean_test_score", "round", "best"}


def test_multi_fidelity_columns_are_hashed():
    out = P.run_config(P.Config("sh", "param", 0))
    assert {"bracket", "iter", "n_resources"} <= set(out["parts"])


def test_every_public_search_is_configured():
    import sklearn_hpo.search as S

    classes = {type(c.search()).__name__ for c in P.configs()}
    assert classes == set(S.__all__) - {"BaseSequentialSearchCV"}


def test_extra_columns_leave_out_sklearn_and_timings():
    results = {
        "params": [], "param_x": [], "mean_test_score": [], "std_test_score": [],
        "rank_test_score": [], "split0_test_score": [], "mean_fit_time": [],
        "std_score_time": [], "split2_train_auc": [], "round": [], "n_resources": [],
    }  # fmt: skip
    assert P.extra_columns(results) == ["n_resources", "round"]


def test_canonical_reads_numpy_scalars_as_python_values():
    assert P.canonical(np.int64(3)) == P.canonical(3) != P.canonical(3.0)
    assert P.canonical({"b": np.float64(0.1), "a": "x"}) == P.canonical(
        {"a": "x", "b": 0.1}
    )
    assert P.canonical(0.1) != P.canonical(np.nextafter(0.1, 1.0))
    assert P.canonical(np.ma.masked) == "<masked>"


def test_record_then_check(tmp_path, capsys):
    path = tmp_path / "hashes.json"
    argv = ["--configs", "bayes_random/mixed/s0", "--hash-seed", "random"]
    assert P.main([*argv, "--record", str(path)]) == 0
    assert P.main([*argv, "--check", str(path)]) == 0
    record = json.loads(path.read_text())
    record["hashes"]["bayes_random/mixed/s0"]["hash"] = "0" * 64
    path.write_text(json.dumps(record))
    assert P.main([*argv, "--check", str(path)]) == 1
    assert "bayes_random/mixed/s0" in capsys.readouterr().err
