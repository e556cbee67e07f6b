"""Summaries of the JSON-lines results: normalised scores, ranks, tables, plots.

Normalised score (Bayesmark): per task and budget n,
``100 * (best - base) / (best_known - base)`` where ``base`` is the mean over
seeds of scikit-learn RandomizedSearchCV's best at n (so random search is 0)
and ``best_known`` is the task's known optimum for the doubles, else the best
score any method reached in the results (so 100 is the best found by anyone).
Per method: the mean over tasks of the per-task mean over seeds; the standard
error is that of this mean, from the seed-to-seed variance of each task.

``python -m benchmarks report`` prints the report (or writes it between the
BENCHMARK markers of Markdown files) and writes the PNG plots next to the
results. matplotlib is imported only for the plots.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import methods as M
from benchmarks import run as R
from benchmarks import tasks as T
from benchmarks._markers import write_between_markers

BEGIN, END = "<!-- BENCHMARK TABLE BEGIN -->", "<!-- BENCHMARK TABLE END -->"
OVERHEAD_LEVELS = (50, 100, 200, 500)
MICRO_JSON = R.RESULTS / "optimizers.json"


# ------------------------------------------------------------------ loading
class Results:
    def __init__(self, path: Path) -> None:
        records = R.read_records(path)
        self.path = path
        metas = [r for r in records if r.get("experiment") == "meta"]
        self.metas = metas
        self.commands = list(dict.fromkeys(m["command"] for m in metas))
        dates = [r["date"] for r in records if "date" in r]
        self.span = (min(dates), max(dates)) if dates else ("?", "?")
        runs = [r for r in records if r.get("experiment") in R.EXPERIMENTS_SET]
        self.ok = [r for r in runs if r["status"] == "ok"]
        self.not_ok = [r for r in runs if r["status"] != "ok"]
        self.quality = [r for r in self.ok if r["experiment"] == "quality"]
        # A task enters the tables only when every planned quality job of the
        # run's configuration is in the file (a stopped run leaves a task
        # half-done; resuming the same command completes it).
        self.incomplete = _incomplete_tasks(metas, runs)
        self.quality = [r for r in self.quality if r["task"] not in self.incomplete]
        budgets = sorted({b for m in metas for b in m["config"]["budgets"]
                          if "quality" in m["config"].get("experiments", ["quality"])})
        self.budgets = budgets or sorted({r["budget"] for r in self.quality})
        self.methods = [m for m in M.METHODS
                        if any(r["method"] == m for r in self.quality)]
        self.tasks = [t for t in T.TASKS if any(r["task"] == t for r in self.quality)]

    def by(self, experiment: str) -> list[dict]:
        return [r for r in self.ok if r["experiment"] == experiment]


def _incomplete_tasks(metas: list[dict], runs: list[dict]) -> list[str]:
    from argparse import Namespace

    have = {R.job_key(r) for r in runs}
    missing: set[str] = set()
    for meta in metas:
        cfg = meta["config"]
        if "quality" not in cfg.get("experiments", ["quality"]):
            continue
        args = Namespace(**{**cfg, "experiments": ["quality"],
                            "methods": [m for m in cfg["methods"] if m in M.METHODS]})
        missing |= {j["task"] for j in R.plan(args) if R.job_key(j) not in have}
    return sorted(missing)


def _finite(values: list) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def best_at(record: dict, n: int) -> tuple[float, float]:
    """(best CV score, test score of that incumbent) after ``n`` evaluations."""
    scores = record["scores"]
    tests = {int(k): v for k, v in record.get("incumbent_tests", {}).items()}
    if "best_index" in record:  # halving: the candidate it would return
        i = record["best_index"]
        return _none_nan(scores[i]), tests.get(i, math.nan)
    prefix = scores[:n]
    finite = [(s, i) for i, s in enumerate(prefix) if s is not None]
    if not finite:
        return math.nan, math.nan
    best = max(s for s, _ in finite)
    first = min(i for s, i in finite if s == best)
    return best, tests.get(first, math.nan)


def _none_nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def table_values(res: Results) -> dict:
    """{(task, method, n): {"cv": [per seed], "test": [per seed]}}."""
    out: dict = defaultdict(lambda: {"cv": [], "test": []})
    for r in res.quality:
        anytime = M.is_anytime(r["method"], r["task"])
        for n in res.budgets:
            if (anytime and r["budget"] >= n) or r["budget"] == n:
                cv, test = best_at(r, n)
                out[r["task"], r["method"], n]["cv"].append(cv)
                out[r["task"], r["method"], n]["test"].append(test)
    return out


def best_known(res: Results, values: dict, task: str, key: str) -> float:
    observed = _finite([v for (t, _, _), d in values.items() if t == task
                        for v in d[key]])
    optimum = T.TASKS[task].optimum
    candidates = observed + ([optimum] if optimum is not None else [])
    return max(candidates) if candidates else math.nan


def normalised(res: Results, key: str = "cv") -> dict:
    """{(task, method, n): [normalised score per seed]}."""
    values = table_values(res)
    out = {}
    for task in res.tasks:
        top = best_known(res, values, task, key)
        for n in res.budgets:
            base_vals = _finite(values.get((task, M.BASELINE, n), {key: []})[key])
            if not base_vals:
                continue
            base = statistics.fmean(base_vals)
            if not top - base > 1e-12:
                continue  # random search already reaches the best: no signal
            for method in res.methods:
                vals = values.get((task, method, n))
                if vals and _finite(vals[key]):
                    out[task, method, n] = [100 * (v - base) / (top - base)
                                            for v in _finite(vals[key])]
    return out


def aggregate(norm: dict, method: str, n: int) -> tuple[float, float, int]:
    """Mean over tasks of the per-task seed means, its standard error, #tasks."""
    means, variances = [], []
    for (_task, m, b), vals in norm.items():
        if m == method and b == n:
            means.append(statistics.fmean(vals))
            var = statistics.variance(vals) / len(vals) if len(vals) > 1 else 0.0
            variances.append(var)
    if not means:
        return math.nan, math.nan, 0
    se = math.sqrt(sum(variances)) / len(means)
    return statistics.fmean(means), se, len(means)


def task_ranks(res: Results, n: int) -> dict[tuple[str, str], float]:
    """{(task, method): rank of its mean best CV score on the task} (1 = best;
    ties share their mean rank)."""
    values = table_values(res)
    ranks: dict[tuple[str, str], float] = {}
    for task in res.tasks:
        means = {m: statistics.fmean(_finite(values[task, m, n]["cv"]))
                 for m in res.methods
                 if (task, m, n) in values and _finite(values[task, m, n]["cv"])}
        ordered = sorted(means.values(), reverse=True)
        for m, v in means.items():
            first = ordered.index(v) + 1
            ranks[task, m] = first + (ordered.count(v) - 1) / 2
    return ranks


def mean_ranks(res: Results, n: int) -> dict[str, float]:
    """Mean over tasks of each method's rank (1 = best mean best CV score)."""
    ranks: dict[str, list[float]] = defaultdict(list)
    for (_task, m), r in task_ranks(res, n).items():
        ranks[m].append(r)
    return {m: statistics.fmean(r) for m, r in ranks.items()}


# ----------------------------------------------------------------- overhead
def overhead_curve(record: dict, window: int = 9) -> tuple[list[int], list[float]]:
    """(observations, seconds of overhead per evaluation), a rolling median."""
    t, fits = record.get("t_done"), record["fit_times"]
    if not t:
        return [], []
    gaps = [t[0] - fits[0]] + [t[i] - t[i - 1] - fits[i] for i in range(1, len(t))]
    xs, ys = [], []
    for i in range(len(gaps)):
        lo, hi = max(0, i - window // 2), min(len(gaps), i + window // 2 + 1)
        xs.append(i)  # observations told before this evaluation was proposed
        ys.append(float(np.median(gaps[lo:hi])))
    return xs, ys


def overhead_at(record: dict, level: int) -> float | None:
    xs, ys = overhead_curve(record)
    # A run of n evaluations proposes its last one after n - 1 observations.
    return ys[min(level, len(ys) - 1)] if level <= len(ys) else None


def overhead_rows(res: Results) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for r in res.by("overhead"):
        out[r["method"]] = {lv: v for lv in OVERHEAD_LEVELS
                            if (v := overhead_at(r, lv)) is not None}
    return out


def quality_overhead(res: Results) -> dict[str, float]:
    """Mean over quality runs of (wall - fits) / evaluations, in seconds."""
    acc: dict[str, list[float]] = defaultdict(list)
    for r in res.quality:
        n = len(r["scores"])
        if n:
            acc[r["method"]].append((r["wall"] - sum(r["fit_times"])) / n)
    return {m: statistics.fmean(v) for m, v in acc.items()}


def parallel_rows(res: Results) -> dict[str, dict[int, dict[int, dict]]]:
    """{method: {n_jobs: {seed: record}}} of the parallel experiment."""
    runs: dict[str, dict[int, dict[int, dict]]] = defaultdict(lambda: defaultdict(dict))
    for r in res.by("parallel"):
        runs[r["method"]][r["n_jobs"]][r["seed"]] = r
    return {m: dict(d) for m, d in runs.items()}


def pooled_pair(runs: dict[int, dict[int, dict]], k: int) -> dict | None:
    """n_jobs=1 and n_jobs=k pooled over the seeds run at both, or None.

    Returns ``{"seeds", "n" (evaluations per setting), "wall": {1: .., k: ..},
    "walls": {1: {seed: ..}, k: {seed: ..}}, "fit_times" (at n_jobs=1)}``.
    """
    seeds = sorted(set(runs.get(1, {})) & set(runs.get(k, {})))
    if not seeds:
        return None
    return {
        "seeds": seeds,
        "n": sum(len(runs[1][s]["scores"]) for s in seeds),
        "budgets": sorted({len(runs[1][s]["scores"]) for s in seeds}),
        "wall": {j: sum(runs[j][s]["wall"] for s in seeds) for j in (1, k)},
        "walls": {j: {s: runs[j][s]["wall"] for s in seeds} for j in (1, k)},
        "fit_times": [t for s in seeds for t in runs[1][s]["fit_times"]],
    }


def _speedups(pair: dict, k: int) -> tuple[float, float, float]:
    """Pooled speed-up of n_jobs=k over 1 and its range over the seeds."""
    per_seed = [pair["walls"][1][s] / pair["walls"][k][s] for s in pair["seeds"]]
    return pair["wall"][1] / pair["wall"][k], min(per_seed), max(per_seed)


# --------------------------------------------------------------------- text
def _label(method: str) -> str:
    return M.METHODS[method].label


def _fmt(mean: float, se: float) -> str:
    if not math.isfinite(mean):
        return "–"
    mean += 0.0  # no "-0.0"
    return f"{mean:.1f} ± {se:.1f}" if math.isfinite(se) else f"{mean:.1f}"


def _ms(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    ms = 1000 * seconds
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |",
             "|---|" + "---:|" * (len(header) - 1)]
            + ["| " + " | ".join(r) + " |" for r in rows] + [""])


def score_tables(res: Results, full: bool = True) -> list[str]:
    norm_cv, norm_test = normalised(res, "cv"), normalised(res, "test")
    top = res.budgets[-1]
    ranks = {n: mean_ranks(res, n) for n in res.budgets}
    header = (["method"] + [f"CV, n={n}" for n in res.budgets]
              + [f"test, n={n}" for n in res.budgets]
              + [f"rank, n={n}" for n in res.budgets] + ["tasks"])
    rows = []
    order = sorted(res.methods, key=lambda m: -_nan_low(aggregate(norm_cv, m, top)[0]))
    for m in order:
        cells = [_fmt(*aggregate(norm_cv, m, n)[:2]) for n in res.budgets]
        cells += [_fmt(*aggregate(norm_test, m, n)[:2]) for n in res.budgets]
        n_tasks = aggregate(norm_cv, m, top)[2]
        for n in res.budgets:
            rank = ranks[n].get(m)
            cells.append("–" if rank is None else f"{rank:.2f}")
        cells.append(str(n_tasks))
        rows.append([_label(m)] + cells)
    n_tasks = len({t for t, _, _ in norm_cv})
    return [
        "### Normalised score (mean ± standard error over tasks)",
        "",
        f"Bayesmark-style: 0 = scikit-learn RandomizedSearchCV's mean best at the "
        f"same budget, 100 = best known (optimum of the doubles; elsewhere the best "
        f"CV / test score any method reached); up to {n_tasks} tasks (a task where "
        "random search already reaches the best known score is left out of that "
        "column); n = evaluations "
        "(candidates × folds fits). CV = best cross-validated score found; test = "
        "held-out score of that candidate refit on the training set (for the "
        "doubles: the noise-free value). Rank: mean rank of the mean best CV score "
        "over the tasks a method ran on (`tasks`)"
        + ("" if full else "; the per-task ranks are in benchmarks/README.md")
        + ". Means over fewer tasks (the grid, "
        "halving, OptunaSearchCV) do not compare with the others. The test columns "
        "are noisy: small held-out sets, and a denominator set by the luckiest "
        "incumbent.",
        "",
    ] + _table(header, rows)


def _nan_low(v: float) -> float:
    return v if math.isfinite(v) else -math.inf


def per_task_table(res: Results) -> list[str]:
    values = table_values(res)
    header = ["task"] + [M.METHODS[m].name for m in res.methods]
    columns = ("Columns: " + ", ".join(f"`{M.METHODS[m].name}` = {_label(m)}"
                                       for m in res.methods)
               + ". In parentheses: the method's rank on the task (1 = best; "
               "ties share their mean rank).")
    out = []
    for n in res.budgets:
        ranks = task_ranks(res, n)
        rows = []
        for task in res.tasks:
            cells = []
            for m in res.methods:
                vals = _finite(values.get((task, m, n), {"cv": []})["cv"])
                cells.append(f"{statistics.fmean(vals):.4g} ({ranks[task, m]:g})"
                             if vals else "–")
            rows.append([task] + cells)
        out += [f"### Mean best CV score per task (rank), n={n}", "", columns,
                ""] + _table(header, rows)
    return out


def tasks_table() -> list[str]:
    rows = []
    for t in T.TASKS.values():
        dims = " / ".join(
            ", ".join(f"{p.name.split('__')[-1]}"
                      + ("" if p.kind == "real" else f" ({p.kind})")
                      + (" log" if p.log else "") for p in sub.params)
            for sub in t.space)
        rows.append([f"`{t.name}`", t.title, dims, "yes" if t.grid_ok else "no"])
    return (["### Tasks", "", "Generated from `benchmarks/tasks.py`. Real tasks: "
             "3-fold CV on the training split, test score on the held-out split "
             "(split and folds fixed by seed 0 for every method and seed).", ""]
            + _table(["task", "problem", "searched parameters", "grid"], rows))


def overhead_table(res: Results) -> list[str]:
    rows_o = overhead_rows(res)
    q = quality_overhead(res)
    if not rows_o and not q:
        return []
    header = (["method"] + [f"{lv} obs." for lv in OVERHEAD_LEVELS]
              + ["mean, quality runs"])
    rows = []
    for m in [m for m in M.METHODS if m in rows_o or m in q]:
        levels = rows_o.get(m, {})
        rows.append([_label(m)] + [_ms(levels.get(lv)) for lv in OVERHEAD_LEVELS]
                    + [_ms(q.get(m))])
    return [
        "### Overhead per evaluation (ms): wall time minus time in fits",
        "",
        f"At k observations: rolling median (9 evaluations) of the wall-clock gap "
        f"between consecutive evaluations minus their fit + score time, on the "
        f"`{T.OVERHEAD_TASK}` double whose fits cost nothing (one run, seed 0, "
        "n_jobs=1; scikit-optimize stops at "
        f"{R.SKOPT_OVERHEAD_MAX} evaluations). It includes everything a user "
        "waits for besides the fits: the optimizer, and scikit-learn's "
        "`cv_results_` bookkeeping for the *SearchCV classes. Last column: mean "
        "(wall - fits) / evaluations over all quality runs.",
        "",
    ] + _table(header, rows)


def parallel_table(res: Results) -> list[str]:
    rows_p = parallel_rows(res)
    ks = [j for d in rows_p.values() for j in d if j != 1]
    if not ks:
        return []
    k = max(ks)
    rows, budgets = [], set()
    for m, d in rows_p.items():
        pair = pooled_pair(d, k)
        if pair is None:
            continue
        n = pair["n"]
        w1, wk = pair["wall"][1], pair["wall"][k]
        fit = statistics.fmean(pair["fit_times"]) / T.N_SPLITS
        speed, lo, hi = _speedups(pair, k)
        budgets.update(pair["budgets"])
        rows.append([_label(m), str(len(pair["seeds"])), f"{n / w1:.2f}",
                     f"{n / wk:.2f}", f"{speed:.2f}x", f"{lo:.2f}–{hi:.2f}x",
                     f"{fit:.3f}"])
    if not rows:
        return []
    task = T.TASKS[T.PARALLEL_TASK]
    budget = "/".join(str(b) for b in sorted(budgets))
    return [
        f"### Parallel efficiency: n_jobs=1 vs n_jobs={k}",
        "",
        f"{task.title}; {budget} evaluations per run, 3-fold CV; each seed is "
        f"run at n_jobs=1 and {k}, and the speed-up is the ratio of the wall "
        f"times summed over the seeds run at both (`seeds`), with its range "
        f"over those seeds. Sequential searches keep {k} "
        f"candidates out (`n_points={k}`; GP and TPE as a sliding window, a new "
        f"candidate as soon as the oldest is scored, the others in rounds of {k}) "
        f"in both runs, so both evaluate the same candidates. Before each timed "
        f"run the model has been fitted once in the process (n_jobs=1) or in "
        f"every joblib worker. With more cores: `python -m benchmarks run "
        f"--experiments parallel --n-jobs K`.",
        "",
    ] + _table(["method", "seeds", "evals/s, n_jobs=1", f"evals/s, n_jobs={k}",
                "speed-up", "per seed", "mean fit (s)"], rows)


def targets(res: Results) -> list[list[str]]:
    rows = []
    norm = normalised(res, "cv")
    for n in res.budgets:
        agg = {m: aggregate(norm, m, n) for m in res.methods}
        scores = {m: a[0] for m, a in agg.items() if math.isfinite(a[0])}
        ours = {m: scores[m] for m in ("gp", "tpe") if m in scores}
        if not ours:
            continue
        best_ours = max(ours, key=ours.get)
        # Means over different sets of tasks do not compare: only methods that
        # ran on as many tasks as ours (not the grid, halving, OptunaSearchCV).
        others = {m: v for m, v in scores.items() if m not in M.OURS
                  and agg[m][2] >= agg[best_ours][2]}
        if not others:
            continue
        best_other = max(others, key=others.get)
        margin = ours[best_ours] - others[best_other]
        peers = ", ".join(f"{M.METHODS[m].name} {scores[m]:.1f}"
                          for m in ("skopt", "optuna_searchcv", "optuna_tpe")
                          if m in scores)
        rows.append([
            f"n={n}: our best model-based search has the highest mean normalised "
            "score",
            f"{M.METHODS[best_ours].name} {ours[best_ours]:.1f} vs best peer "
            f"{M.METHODS[best_other].name} {others[best_other]:.1f} ({peers})",
            "met" if margin > 0 else f"NOT met (by {-margin:.1f} points)",
        ])
    rows += _group_targets(res, norm)
    oh = overhead_rows(res)

    def _ratio(ours: str, peer: str, limit: float, text: str) -> None:
        a, b = oh.get(ours, {}).get(100), oh.get(peer, {}).get(100)
        if a is None or b is None:
            rows.append([text, "not measured", "n/a"])
            return
        ratio = a / b
        rows.append([text, f"{_ms(a)} ms vs {_ms(b)} ms (ratio {ratio:.3g})",
                     "met" if ratio <= limit else
                     f"NOT met ({ratio / limit:.1f}x over)"])

    _ratio("gp", "skopt", 0.1,
           "GP overhead at 100 observations ≤ 1/10 of scikit-optimize's")
    _ratio("tpe", "optuna_searchcv", 2.0,
           "TPESearchCV overhead at 100 observations ≤ 2x OptunaSearchCV's")
    _ratio("tpe", "optuna_tpe", 2.0,
           "TPESearchCV overhead at 100 observations ≤ 2x Optuna study's")
    par = parallel_rows(res)
    for m in ("gp", "tpe"):
        d = par.get(m, {})
        ks = [k for k in d if k != 1]
        text = f"{M.METHODS[m].name}: n_jobs=2 throughput ≥ 1.7x n_jobs=1"
        pair = pooled_pair(d, max(ks)) if ks else None
        if pair is None:
            rows.append([text, "not measured", "n/a"])
            continue
        speed = _speedups(pair, max(ks))[0]
        control = pooled_pair(par.get(M.BASELINE, {}), max(ks))
        note = ""
        if control is not None:
            # The same machine's ceiling: an embarrassingly parallel search.
            ref = _speedups(control, max(ks))[0]
            note = f" (RandomizedSearchCV, all candidates in one batch: {ref:.2f}x)"
        rows.append([text, f"{speed:.2f}x{note}",
                     "met" if speed >= 1.7 else f"NOT met (by {1.7 - speed:.2f}x)"])
    return rows


def _group_targets(res: Results, norm: dict) -> list[list[str]]:
    """The targets of the issue "Bayesian search on mixed spaces", by paired
    margins: on the mixed spaces the GP ahead of scikit-optimize by 5 and of
    Optuna's TPE by 10, ahead of scikit-optimize by 5 over all tasks, and TPE
    at least level with Optuna's on every group."""
    rows = []
    checks: list = [("gp", "skopt", None, 5.0),
                    ("gp", "skopt", "mixed spaces", 5.0),
                    ("gp", "optuna_tpe", "mixed spaces", 10.0)]
    checks += [("tpe", "optuna_tpe", g, 0.0) for g in GROUPS]
    for a, b, group, bar in checks:
        sub = _group_norm(norm, group)
        if a not in res.methods or b not in res.methods or not sub:
            continue
        cells, ok = [], True
        for n in res.budgets:
            mean, se, k = paired_margin(res, sub, a, b, n)
            if not k:
                ok = False
                cells.append(f"n={n}: –")
                continue
            ok = ok and mean >= bar
            cells.append(f"n={n}: {mean:+.1f} ± {se:.1f} ({k} tasks)")
        rows.append([
            f"{group or 'all tasks'}: {M.METHODS[a].name} − {M.METHODS[b].name} "
            f"≥ {bar:g} at "
            "every budget (paired by seed)",
            "; ".join(cells), "met" if ok else "NOT met",
        ])
    return rows


GROUPS = ("real tasks", "mixed spaces", "doubles")
# The comparisons the targets name: (ours, peer).
PAIRS = (("gp", "skopt"), ("gp", "optuna_tpe"), ("tpe", "optuna_tpe"))


def _group_norm(norm: dict, group: str | None) -> dict:
    if group is None:
        return norm
    return {k: v for k, v in norm.items() if T.TASKS[k[0]].group == group}


def paired_margin(res: Results, norm: dict, a: str, b: str,
                  n: int) -> tuple[float, float, int]:
    """Mean over tasks of ``a``'s minus ``b``'s normalised score at budget
    ``n``, paired by seed on each task (the seeds both ran), with its
    standard error, and the number of tasks."""
    seeds: dict = defaultdict(dict)
    for r in res.quality:
        anytime = M.is_anytime(r["method"], r["task"])
        if r["method"] in (a, b) and (r["budget"] == n
                                      or (anytime and r["budget"] >= n)):
            seeds[r["task"], r["method"]][r["seed"]] = best_at(r, n)[0]
    means, variances = [], []
    values = table_values(res)
    for task in sorted({t for t, _, _ in norm}):
        base_top = _task_scale(res, values, task, n)
        if base_top is None:
            continue
        base, top = base_top
        sa, sb = seeds.get((task, a), {}), seeds.get((task, b), {})
        common = sorted(set(sa) & set(sb))
        diffs = [100 * (sa[s] - sb[s]) / (top - base) for s in common
                 if math.isfinite(sa[s]) and math.isfinite(sb[s])]
        if not diffs:
            continue
        means.append(statistics.fmean(diffs))
        variances.append(statistics.variance(diffs) / len(diffs)
                         if len(diffs) > 1 else 0.0)
    if not means:
        return math.nan, math.nan, 0
    return (statistics.fmean(means), math.sqrt(sum(variances)) / len(means),
            len(means))


def _task_scale(res: Results, values: dict, task: str,
                n: int) -> tuple[float, float] | None:
    """(baseline mean, best known) of ``task`` at budget ``n``, as
    :func:`normalised` uses them."""
    top = best_known(res, values, task, "cv")
    base_vals = _finite(values.get((task, M.BASELINE, n), {"cv": []})["cv"])
    if not base_vals:
        return None
    base = statistics.fmean(base_vals)
    return (base, top) if top - base > 1e-12 else None


def group_tables(res: Results) -> list[str]:
    """Per group of tasks: every method's mean normalised score, and the
    paired margins the targets name."""
    norm = normalised(res, "cv")
    groups = [g for g in GROUPS
              if any(T.TASKS[t].group == g for t, _, _ in norm)]
    if len(groups) < 2:
        return []
    header = ["method"] + [f"{g}, n={n}" for g in groups for n in res.budgets]
    rows = []
    top = res.budgets[-1]
    order = sorted(res.methods, key=lambda m: -_nan_low(aggregate(norm, m, top)[0]))
    for m in order:
        cells = []
        for g in groups:
            sub = _group_norm(norm, g)
            for n in res.budgets:
                mean, se, k = aggregate(sub, m, n)
                cells.append(_fmt(mean, se) if k else "–")
        rows.append([_label(m)] + cells)
    margin_rows = []
    for a, b in PAIRS:
        if a not in res.methods or b not in res.methods:
            continue
        cells = []
        for g in groups:
            for n in res.budgets:
                mean, se, k = paired_margin(res, _group_norm(norm, g), a, b, n)
                cells.append(_fmt(mean, se) if k else "–")
        margin_rows.append([f"{M.METHODS[a].name} − {M.METHODS[b].name}"]
                           + cells)
    lines = [
        "### By group of tasks",
        "",
        "Normalised CV score as above, over each group: the real tasks with "
        "mostly continuous spaces, the real tasks whose spaces are mostly "
        "categorical and integer (\"mixed spaces\"), and the doubles.",
        "",
    ] + _table(header, rows)
    if margin_rows:
        lines += [
            "Paired margins (points of normalised score, mean over the group's "
            "tasks of the per-seed differences on the seeds both methods ran, "
            "± standard error):",
            "",
        ] + _table(["margin"] + header[1:], margin_rows)
    return lines


FAMILY = ("gp", "tpe", "coarse_to_fine", "annealing", "evolutionary",
          "particle_swarm", "hybrid", "coordinate", "spsa", "random")


def _one(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "–"


def _subset_mean(norm: dict, method: str, n: int, tasks: set[str]) -> float:
    sub = {k: v for k, v in norm.items() if k[0] in tasks}
    return aggregate(sub, method, n)[0]


def family_table(res: Results) -> list[str]:
    """Where each of our strategies shines and where it does not."""
    norm = normalised(res, "cv")
    budgets = [n for n in res.budgets if n >= 50] or res.budgets[-1:]
    top = res.budgets[-1]
    real = {t for t in res.tasks if T.TASKS[t].group == "real tasks"}
    mixed = {t for t in res.tasks if T.TASKS[t].group == "mixed spaces"}
    doubles = {t for t in res.tasks if T.TASKS[t].group == "doubles"}
    header = (["method"] + [f"all, n={n}" for n in budgets]
              + [f"real tasks, n={top}", f"mixed spaces, n={top}",
                 f"doubles, n={top}",
                 f"shines on (n={top})", f"weak on (n={top})",
                 "beats random at " + " and ".join(f"n={n}" for n in budgets)])
    rows = []
    for m in [m for m in FAMILY if m in res.methods]:
        per_task = {t: statistics.fmean(v) for (t, mm, n), v in norm.items()
                    if mm == m and n == top}
        if not per_task:
            continue
        ranked = sorted(per_task, key=per_task.get, reverse=True)
        alls = [aggregate(norm, m, n) for n in budgets]
        beats = all(math.isfinite(a[0]) and a[0] > 0 for a in alls)
        rows.append(
            [_label(m)]
            + [_fmt(*a[:2]) for a in alls]
            + [_one(_subset_mean(norm, m, top, real)),
               _one(_subset_mean(norm, m, top, mixed)),
               _one(_subset_mean(norm, m, top, doubles)),
               ", ".join(f"{t} ({per_task[t]:.0f})" for t in ranked[:2]),
               ", ".join(f"{t} ({per_task[t]:.0f})" for t in ranked[-2:][::-1]),
               "yes" if beats else "**no**"])
    if not rows:
        return []
    return [
        "### Our strategies: where each shines",
        "",
        "Normalised CV score as above (0 = RandomizedSearchCV, 100 = best known), "
        "per strategy: the mean over all tasks, over the real tasks, over the "
        "mixed spaces and over the doubles, the two tasks where it does best "
        "and worst (per-task mean over seeds), and whether it beats random "
        "search's mean at every budget from 50 on.",
        "",
    ] + _table(header, rows)


def _seeds_text(res: Results) -> str:
    """"seeds 0..4" and the methods run with fewer seeds, from the records."""
    by_method = {m: {r["seed"] for r in res.quality if r["method"] == m}
                 for m in res.methods}
    most = max((len(v) for v in by_method.values()), default=0)
    fewer = [f"{M.METHODS[m].name} 0..{len(v) - 1}" for m, v in by_method.items()
             if 0 < len(v) < most]
    text = f"seeds 0..{most - 1}"
    return text + (f" ({', '.join(fewer)})" if fewer else "")


def _distinct(values: list) -> str:
    """The distinct values, in order of appearance, joined by " / "."""
    return " / ".join(str(v) for v in dict.fromkeys(values)) or "?"


def render(res: Results, *, full: bool, plot_links: bool = True) -> str:
    # The file is the union of several runs (resumed or added): describe them
    # all, not only the first.
    metas = res.metas or [{}]
    packages = list(dict.fromkeys(k for m in metas for k in m.get("versions", {})))
    seen = [m.get("versions", {}) for m in metas]
    versions = ", ".join(
        f"{k} {_distinct([v[k] for v in seen if k in v])}" for k in packages
    )
    workers = _distinct([m["config"].get("workers") for m in metas
                         if "quality" in m.get("config", {}).get("experiments", [])])
    lines = [
        "<!-- Generated by `python -m benchmarks report` from "
        f"{_rel(res.path)}; do not edit by hand. -->",
        "",
        "Results: " + ", ".join(f"`{c}`" for c in res.commands)
        + f" (between {res.span[0]} and {res.span[1]}). Tables and plots: "
        f"`python -m benchmarks report --results {_rel(res.path)}`.",
        "",
        f"Configuration: {len(res.tasks)} tasks, "
        f"{len(res.methods)} methods, {_seeds_text(res)}, "
        f"budgets {res.budgets}, quality jobs on {workers} worker process(es) "
        f"(per run). Platform: {_distinct([m.get('platform') for m in metas])}, "
        f"{_distinct([m.get('cpu_count') for m in metas])} CPUs shared with other "
        f"jobs (timings are noisy). Versions: {versions}.",
        "",
    ]
    lines += score_tables(res, full)
    lines += group_tables(res)
    lines += family_table(res)
    lines += ["### Targets", ""] + _table(["target", "measured", "verdict"],
                                          targets(res))
    lines += overhead_table(res)
    lines += parallel_table(res)
    if res.incomplete:
        lines += ["Not in the tables (the run was stopped before they were done; "
                  "rerun the same command to resume): "
                  + ", ".join(f"`{t}`" for t in res.incomplete) + ".", ""]
    skipped = sorted({(r["method"], r["reason"]) for r in res.not_ok})
    if skipped:
        lines += ["Not run:", ""]
        lines += [f"- {_label(m)}: {reason} "
                  f"({', '.join(sorted({r['task'] for r in res.not_ok if r['method'] == m and r['reason'] == reason}))})"  # noqa: E501
                  for m, reason in skipped] + [""]
    plots = R.RESULTS.relative_to(R.RESULTS.parent.parent)
    lines += [] if not plot_links else [
        "Plots (regenerated by the report command): "
        f"[anytime, evaluations]({_link(plots, 'anytime_evals.png', full)}), "
        f"[anytime, wall time]({_link(plots, 'anytime_wall.png', full)}), "
        f"[overhead]({_link(plots, 'overhead.png', full)}).",
        "",
    ]
    if not full:
        lines += ["Per-task scores, the task list and the optimizer-level "
                  "micro-benchmark (ask/tell only, against `skopt.Optimizer` and "
                  "Optuna's `TPESampler`; formerly in this section) are in "
                  "[`benchmarks/README.md`](benchmarks/README.md).", ""]
    if full:
        lines += per_task_table(res)
        lines += tasks_table()
        if MICRO_JSON.exists():
            import sys

            sys.path.insert(0, str(R.RESULTS.parent))
            import report  # benchmarks/report.py (standard library only)

            micro = json.loads(MICRO_JSON.read_text())
            lines += ["### Optimizer-level micro-benchmark (ask/tell only)", "",
                      report.render_markdown(micro)]
    return "\n".join(lines) + "\n"


def _link(folder: Path, name: str, full: bool) -> str:
    # Relative to the repository's root; written into a file, the links are
    # made relative to it (benchmarks._markers.relink).
    return f"{folder}/{name}"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(R.RESULTS.parent.parent))
    except ValueError:
        return str(path)


# -------------------------------------------------------------------- plots
def plots(res: Results, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    anytime = [m for m in res.methods if M.METHODS[m].sequential]
    n_max = res.budgets[-1]
    # The curves are those of the runs at the largest budget: for a method
    # that plans with its budget (not anytime), the path of its run of n_max
    # evaluations; its shorter runs are separate runs.
    by_run = defaultdict(list)
    for r in res.quality:
        if M.METHODS[r["method"]].sequential and r["budget"] == n_max:
            by_run[r["task"], r["method"]].append(r)
    values = table_values(res)

    # 1. Mean normalised best-so-far vs evaluations.
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = list(range(5, n_max + 1))
    base_runs = {t: by_run.get((t, M.BASELINE), []) for t in res.tasks}
    for m in anytime:
        ys = []
        for n in xs:
            per_task = []
            for t in res.tasks:
                runs, bruns = by_run.get((t, m), []), base_runs[t]
                if not runs or not bruns:
                    continue
                top = best_known(res, values, t, "cv")
                base = statistics.fmean(_finite([best_at(b, n)[0] for b in bruns]))
                if top - base > 1e-12:
                    per_task.append(statistics.fmean(
                        100 * (best_at(r, n)[0] - base) / (top - base) for r in runs))
            ys.append(statistics.fmean(per_task) if per_task else math.nan)
        ax.plot(xs, ys, label=_label(m), lw=2 if m in M.OURS else 1.2,
                ls="-" if m in M.OURS else "--")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("mean normalised best CV score (0 = random search, 100 = best)")
    ax.set_title("Anytime performance, mean over tasks and seeds\n"
                 "(the runs at the largest budget; strategies that plan with "
                 "their budget follow that run's path)", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    written.append(_save(fig, folder / "anytime_evals.png", plt))

    # 2. Best-so-far vs wall seconds, one panel per task.
    cols = 4
    rows_n = math.ceil((len(res.tasks) + 1) / cols)  # + 1 panel for the legend
    fig, axes = plt.subplots(rows_n, cols, figsize=(4 * cols, 3 * rows_n),
                             squeeze=False)
    for ax, t in zip(axes.flat, res.tasks):
        for m in anytime:
            runs = [r for r in by_run.get((t, m), []) if r.get("t_done")]
            if not runs:
                continue
            t_max = max(r["t_done"][-1] for r in runs)
            t_min = min(r["t_done"][0] for r in runs)
            grid = np.geomspace(max(t_min, 1e-3), max(t_max, 2e-3), 60)
            curves = []
            for r in runs:
                best, ys, j = -math.inf, [], 0
                for g in grid:
                    while j < len(r["t_done"]) and r["t_done"][j] <= g:
                        s = r["scores"][j]
                        best = max(best, s) if s is not None else best
                        j += 1
                    ys.append(best if math.isfinite(best) else math.nan)
                curves.append(ys)
            with np.errstate(all="ignore"):
                ax.plot(grid, np.nanmean(np.array(curves, dtype=float), axis=0),
                        label=_label(m), lw=1.8 if m in M.OURS else 1,
                        ls="-" if m in M.OURS else "--")
        ax.set_xscale("log")
        ax.set_title(t, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(res.tasks):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    list(axes.flat)[len(res.tasks)].legend(handles, labels, loc="center",
                                           fontsize=8)
    fig.supxlabel("wall seconds since the search started (log)")
    fig.supylabel("best CV score so far (mean over seeds)")
    fig.tight_layout()
    written.append(_save(fig, folder / "anytime_wall.png", plt))

    # 3. Overhead per evaluation vs observations.
    fig, ax = plt.subplots(figsize=(8, 5))
    for r in res.by("overhead"):
        x, y = overhead_curve(r)
        if x:
            m = r["method"]
            ax.plot(x, np.maximum(np.array(y) * 1000, 1e-2), label=_label(m),
                    lw=2 if m in M.OURS else 1.2, ls="-" if m in M.OURS else "--")
    ax.set_yscale("log")
    ax.set_xlabel("observations")
    ax.set_ylabel("overhead per evaluation (ms, rolling median)")
    ax.set_title(f"Overhead on the {T.OVERHEAD_TASK} double (fits cost nothing)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    written.append(_save(fig, folder / "overhead.png", plt))
    return written


def _save(fig: Any, path: Path, plt: Any) -> Path:
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------- main
def update_between_markers(path: Path, text: str, section: str | None = None) -> None:
    """Write ``text`` between the markers (``section``'s, when named)."""
    begin, end = (BEGIN, END) if not section else (
        BEGIN.replace(" -->", f" {section} -->"), END.replace(" -->", f" {section} -->")
    )
    write_between_markers(path, text, begin, end)


def main(args: Any) -> int:
    res = Results(args.results)
    if not res.quality:
        raise SystemExit(f"no quality results in {args.results}")
    if not args.no_plots:
        try:
            for p in plots(res, args.results.parent):
                print(f"wrote {_rel(p)}")
        except ImportError as exc:
            print(f"plots skipped: {exc} (pip install matplotlib)")
    if not args.update:
        print(render(res, full=True), end="")
    for path in args.update:
        full = path.resolve().parent == R.RESULTS.parent
        section = getattr(args, "section", None)
        # The plots are those of the main results file.
        text = render(res, full=full, plot_links=not section)
        update_between_markers(path, text, section)
        print(f"updated {path}")
    return 0
