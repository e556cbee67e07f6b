"""Fast smoke tests of the benchmark code (benchmarks/); nothing is timed."""

import json
import math
import sys
from argparse import Namespace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import methods as M  # noqa: E402
from benchmarks import run as R  # noqa: E402
from benchmarks import summary as S  # noqa: E402
from benchmarks import tasks as T  # noqa: E402
from sklearn_hpo.space import as_search_space  # noqa: E402


@pytest.mark.parametrize("name", list(T.TASKS))
def test_task_spaces_translate(name):
    task = T.TASKS[name]
    space = as_search_space(T.ours(task.space))
    assert space.n_columns >= 2
    grid = T.grid(task.space, 20)
    n_points = sum(math.prod(len(v) for v in g.values()) for g in grid)
    # GridSearchCV runs only where a grid makes sense (few choices).
    assert 1 <= n_points <= (20 if task.grid_ok else 100)
    for sub in task.space:
        for p in sub.params:
            assert p.kind in ("real", "int", "cat")


def test_mixed_space_tasks():
    mixed = [t for t in T.TASKS.values() if t.group == "mixed spaces"]
    assert len(mixed) >= 6
    assert any(len(t.space) > 1 for t in mixed)  # one chooses the model
    for task in mixed:
        params = [p for sub in task.space for p in sub.params]
        discrete = [p for p in params if p.kind != "real"]
        assert len(discrete) > len(params) / 2, task.name
    cats = [p for t in mixed for sub in t.space for p in sub.params
            if p.kind == "cat"]
    assert any(len(p.choices) >= 3 for p in cats)
    assert any(p.kind == "int" and p.low <= 1 and p.high >= 60
               for t in mixed for sub in t.space for p in sub.params)


def test_group_tables_and_paired_margins(tmp_path):
    # Two tasks of two groups, RandomizedSearchCV as the baseline, and two
    # methods whose per-seed scores differ by known amounts.
    records = [{"experiment": "meta", "command": "test", "config": {
        "tasks": ["branin", "poly-ridge-diabetes"],
        "methods": ["sk_random", "gp", "skopt"], "budgets": [2],
        "seeds": 2, "workers": 1}}]
    base = {"branin": -10.0, "poly-ridge-diabetes": -60.0}
    top = {"branin": T.TASKS["branin"].optimum, "poly-ridge-diabetes": -40.0}
    for task in base:
        span = top[task] - base[task]
        for seed in (0, 1):
            for method, frac in (("sk_random", 0.0), ("gp", 0.5 + 0.1 * seed),
                                 ("skopt", 0.3)):
                score = base[task] + frac * span
                if method == "gp" and task != "branin" and seed == 1:
                    score = top[task]  # the best known of the mixed task
                records.append(dict(_job(method, task, budget=2, seed=seed),
                                    status="ok", scores=[score, score],
                                    fit_times=[0.0, 0.0], t_done=[0.0, 0.0],
                                    incumbent_tests={"0": score}))
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    res = S.Results(path)
    norm = S.normalised(res)
    mixed = S._group_norm(norm, "mixed spaces")
    assert {t for t, _, _ in mixed} == {"poly-ridge-diabetes"}
    margin, se, k = S.paired_margin(res, mixed, "gp", "skopt", 2)
    assert k == 1
    assert margin == pytest.approx(((50 - 30) + (100 - 30)) / 2)
    assert se == pytest.approx(abs(70 - 20) / math.sqrt(2) / math.sqrt(2))
    text = "\n".join(S.group_tables(res))
    assert "mixed spaces, n=2" in text and "doubles, n=2" in text
    assert "gp − skopt" in text


def test_incumbent_indices():
    assert R.incumbent_indices([1.0, None, 0.5, 2.0, 2.0, 3.0]) == [0, 3, 5]


def _job(method, task, budget=8, seed=0):
    return dict(experiment="quality", task=task, method=method, seed=seed,
                budget=budget, n_jobs=1, n_points=1)


def test_run_job_and_report(tmp_path):
    records = [
        {"experiment": "meta", "command": "python -m benchmarks run (test)",
         "config": {"tasks": ["branin", "svc-iris"], "methods": ["random", "sk_random"],
                    "budgets": [4, 8], "seeds": 2, "workers": 1}},
    ]
    for task in ("branin", "svc-iris"):
        for method in ("random", "sk_random"):
            for seed in (0, 1):
                rec = R.run_job(_job(method, task, seed=seed))
                assert rec["status"] == "ok", rec
                assert len(rec["scores"]) == len(rec["fit_times"]) == 8
                assert len(rec["t_done"]) == 8
                assert rec["incumbent_tests"]
                records.append(rec)
    records.append(R.run_job(dict(_job("gp", "branin", budget=12),
                                  experiment="overhead")))
    skipped = R.run_job(_job("sk_grid", "hartmann6"))
    assert skipped["status"] == "skipped" and "grid" in skipped["reason"]
    records.append(skipped)
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))

    res = S.Results(path)
    norm = S.normalised(res)
    assert norm
    mean, _, n_tasks = S.aggregate(norm, "sk_random", 8)
    assert n_tasks >= 1 and mean == pytest.approx(0.0, abs=1e-9)
    text = S.render(res, full=False)
    assert "Normalised score" in text and "Targets" in text
    overhead = next(r for r in res.by("overhead"))
    assert len(S.overhead_curve(overhead)[1]) == 12

    readme = tmp_path / "README.md"
    readme.write_text(f"head\n{S.BEGIN}\nOLD CONTENT\n{S.END}\ntail\n")
    args = Namespace(results=path, update=[readme], no_plots=True)
    assert S.main(args) == 0
    updated = readme.read_text()
    assert "OLD CONTENT" not in updated
    assert updated.startswith("head") and updated.endswith("tail\n")


def test_methods_report_missing_peers():
    method = M.Method("x", "x", ("no_such_module_for_sure",), True, lambda: None)
    assert "not importable" in M.import_error(method)
    assert M.unsupported(M.METHODS["optuna_searchcv"],
                         T.TASKS["conditional-svc-knn"])


def test_sequential_subspaces_are_not_anytime_on_conditional_tasks():
    # scikit-optimize's first n evaluations of a longer run on a conditional
    # space see only the first sub-spaces: each budget is its own run.
    assert not M.is_anytime("skopt", "conditional-svc-knn")
    assert M.is_anytime("skopt", "branin")
    assert M.is_anytime("gp", "conditional-svc-knn")
    args = Namespace(experiments=["quality"], tasks=["conditional-svc-knn", "branin"],
                     methods=["skopt", "gp"], seeds=1, budgets=[20, 50])
    budgets = {(j["task"], j["method"]): [] for j in R.plan(args)}
    for j in R.plan(args):
        budgets[j["task"], j["method"]].append(j["budget"])
    assert budgets["conditional-svc-knn", "skopt"] == [20, 50]
    assert budgets["branin", "skopt"] == [50]
    assert budgets["conditional-svc-knn", "gp"] == [50]


def test_parallel_rows_pool_seeds(tmp_path):
    def rec(seed, n_jobs, wall, method="gp"):
        return {"experiment": "parallel", "task": T.PARALLEL_TASK, "method": method,
                "seed": seed, "budget": 4, "n_jobs": n_jobs, "n_points": 2,
                "status": "ok", "scores": [0.5] * 4, "fit_times": [0.3] * 4,
                "wall": wall}
    # gp: seed 2 ran only at n_jobs=1, so it is left out of the pooled
    # speed-up. tpe ran only at n_jobs=2 and sk_random only at n_jobs=4: no
    # pair for either (and the 1-vs-2 pairs do not depend on them).
    rows = [rec(0, 1, 4.0), rec(0, 2, 2.0), rec(1, 1, 6.0), rec(1, 2, 4.0),
            rec(2, 1, 9.0), rec(0, 2, 1.0, "tpe"), rec(0, 4, 1.0, "sk_random")]
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[:6]))
    res = S.Results(path)
    pair = S.pooled_pair(S.parallel_rows(res)["gp"], 2)
    assert pair["seeds"] == [0, 1] and pair["n"] == 8
    assert pair["wall"] == {1: 10.0, 2: 6.0}
    speed, lo, hi = S._speedups(pair, 2)
    assert speed == pytest.approx(10 / 6) and (lo, hi) == (1.5, 2.0)
    assert S.pooled_pair(S.parallel_rows(res)["tpe"], 2) is None
    text = "\n".join(S.parallel_table(res))
    assert "1.67x" in text and "1.50–2.00x" in text and "TPESearchCV" not in text
    target = next(r for r in S.targets(res) if r[0].startswith("gp: n_jobs"))
    assert target[1].startswith("1.67x") and target[2] == "NOT met (by 0.03x)"
    # A method measured only at another K gives no rows, and no error.
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[6:]))
    assert S.parallel_table(S.Results(path)) == []


@pytest.mark.parametrize("method", ["sh", "sk_halving"])
def test_halving_methods_report_the_last_rungs_best(method):
    rec = R.run_job(_job(method, "svc-iris", budget=9))
    assert rec["status"] == "ok", rec
    # The best is the last rung's (scores of smaller rungs do not compare),
    # so only that row's test score is computed.
    assert list(rec["incumbent_tests"]) == [str(rec["best_index"])]
    assert 9 < len(rec["scores"]) and 0 < rec["cost_full_fits"] < 9
    skipped = R.run_job(_job(method, "branin"))
    assert skipped["status"] == "skipped"


def test_overhead_runs_every_sequential_method():
    # Budget-planning strategies plan for the overhead run's length; the
    # grid and the halving searches score whole rungs at once: no curve.
    args = Namespace(experiments=["overhead"], methods=["gp", "annealing", "sh",
                                                        "sk_halving", "sk_grid"],
                     overhead_max=500, budgets=[20])
    assert [j["method"] for j in R.plan(args)] == ["gp", "annealing"]
