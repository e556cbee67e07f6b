"""Smoke tests of benchmarks/bench_hyperband.py's bookkeeping; nothing is timed."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_hyperband as B  # noqa: E402

from sklearn_hpo import Real, SuccessiveHalvingSearchCV  # noqa: E402
from sklearn_hpo.schedulers import Bracket, Rung  # noqa: E402
from sklearn_hpo.utils._testing import BraninEstimator  # noqa: E402


def test_warm_bound_of_a_plan():
    # One bracket, 9 candidates at 1, 3 at 3, 1 at 9 units: 27 units cold,
    # 9 + 3 * 2 + 1 * 6 = 21 warm.
    class Fake:
        brackets_ = (
            Bracket(0, (Rung(0, 0, 9, 1), Rung(0, 1, 3, 3), Rung(0, 2, 1, 9))),
        )

    assert B.warm_bound(Fake()) == pytest.approx(1 - 21 / 27)
    assert B.warm_bound(object()) is None


def test_warm_bound_of_a_fitted_search():
    search = SuccessiveHalvingSearchCV(
        BraninEstimator(), {"x1": Real(-5, 10)}, resource="x2", min_resources=1,
        max_resources=9, cv=2, random_state=0,
    )  # fmt: skip
    search.fit([[0.0]] * 4)
    assert 0.0 < B.warm_bound(search) < 1 / 3


def _row(task, method, score, wall, fit, bound=None):
    return dict(task=task, method=method, seed=0, test_score=score, wall_s=wall,
                fit_s=fit, warm_bound=bound)


def test_report_gives_the_targets_verdicts():
    rows = [
        _row("t", "sk_random_27", 0.80, 30.0, 28.0),
        _row("t", "sk_halving_81", 0.79, 12.0, 10.0),
        _row("t", "hyperband_random", 0.81, 9.0, 8.0, 0.2),
        _row("t", "hyperband_random_retrain", 0.81, 10.0, 9.0, 0.2),
        _row("t", "sh_random", 0.78, 5.0, 4.0, 0.25),
        _row("t", "sh_random_retrain", 0.78, 8.0, 7.0, 0.25),
    ]
    text = B.report(rows)
    lines = [line for line in text.splitlines() if line.startswith("| t | ")]
    verdicts = [line.rsplit("|", 2)[1].strip() for line in lines[-4:]]
    # hyperband_random: 0.81 >= 0.80 in 9 s <= 30 / 2 s; beats halving in
    # less time; warm start cuts 10% (no) and 37.5% (yes).
    assert verdicts == ["met", "met", "NOT met", "met"]
    assert "at most 20%" in text


def test_targets_show_the_fastest_search_that_reaches_the_score():
    rows = [
        _row("t", "sk_random_27", 0.80, 30.0, 28.0),
        _row("t", "sk_halving_81", 0.70, 2.0, 1.0),
        _row("t", "hyperband_random", 0.85, 25.0, 20.0),
        _row("t", "sh_random", 0.81, 16.0, 10.0),
        _row("t", "hyperband_tpe", 0.60, 1.0, 1.0),
    ]
    lines = [line for line in B.report(rows).splitlines()
             if line.startswith("| t | held-out")]
    # Both sh_random and hyperband_random reach 0.80; the faster is shown,
    # and 16 s is more than 30 / 2 s. Neither beats halving's 2 s.
    assert "sh_random 0.8100 in 16.0 s" in lines[0] and "NOT met" in lines[0]
    assert "sh_random 0.8100 in 16.0 s" in lines[1] and "NOT met" in lines[1]


def test_the_score_target_allows_one_standard_error_of_random_search():
    rows = [
        {**_row("t", "sk_random_27", score, 30.0, 28.0), "seed": seed}
        for seed, score in enumerate([0.78, 0.80, 0.82])
    ] + [_row("t", "hyperband_random", 0.795, 14.0, 13.0)]
    text = B.report(rows)
    # Mean 0.80, standard error 0.02 / sqrt(3) = 0.0115: 0.795 reaches it.
    assert "| t | sk_random_27 | 3 | 0.8000 ± 0.0115 |" in text
    line = next(t for t in text.splitlines() if "minus one standard error" in t)
    assert "hyperband_random 0.7950 in 14.0 s" in line and "| met |" in line


def test_exhaust_variants_only_on_the_n_samples_task():
    tasks = B._tasks(quick=True)
    svc = B._methods(tasks["svc"], 0, 1)
    ours, theirs = svc["sh_random_81_exhaust"](), svc["sk_halving_81_exhaust"]()
    for search in (ours, theirs):
        assert (search.n_candidates, search.min_resources) == (81, "exhaust")
    assert "sh_random_81_exhaust" in B.OURS
    assert "sh_random_81_exhaust" not in B._methods(tasks["hgb"], 0, 1)


def test_suite_command_runs_this_benchmark(tmp_path, capsys):
    from benchmarks.__main__ import main

    rows = [_row("t", "sk_random_27", 0.80, 30.0, 28.0),
            _row("t", "sh_random", 0.81, 9.0, 8.0)]
    path = tmp_path / "hyperband.json"
    meta = {"command": "test", "date": "today", "platform": "here"}
    path.write_text(json.dumps({"meta": meta, "rows": rows}))
    assert main(["hyperband", "--report", "--out", str(path)]) == 0
    assert "| t | sh_random | 1 | 0.8100 |" in capsys.readouterr().out
