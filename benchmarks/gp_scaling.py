"""What does a GP proposal cost at thousands of observations, and at what quality?

Three measurements of ``GPOptimizer`` (the optimizer behind BayesSearchCV):

1. ``ask``: direct ask/tell on the 6-D mixed space of the overhead benchmark
   (``benchmarks/bench_optimizers.py``). For each level N, a fresh process
   tells N random points at once, makes one untimed warm-up ask (the first
   model after a bulk tell fits from scratch, with restarts), then times
   ``--asks`` cycles of ``ask(1)`` + ``tell``, which span the refit and
   restart schedule. Prints the median, the mean and the largest cycle, the
   warm-up ask, the process's peak resident memory (``ru_maxrss``) with the
   part above the baseline after imports and set-up, and the CPU time per
   cycle (median and largest), which depends less on the machine's load.
2. ``search``: ``BayesSearchCV`` with ``n_iter`` candidates (default 2,000)
   of a near-free estimator (its score is the mixed benchmark's function of
   its six parameters), ``cv=2``; prints the wall time and the time per
   candidate at a few points of the run.
3. ``quality``: the best value found by ``ask(1)``/``tell`` loops of
   ``--evals`` evaluations (default 500) on a 6-D test function (Hartmann-6,
   or the multimodal Levy function on [-10, 10]^6, negated), per seed, and
   the regret (the maximum minus the best found) at a few budgets, mean and
   standard error over the seeds. Compare two versions of the package by
   running it from each one's root.

Numbers depend on the machine's load; the script prints ``os.getloadavg()``.
Run from the repository root::

    python -m benchmarks.gp_scaling                    # all three
    python -m benchmarks.gp_scaling ask [--levels 100,500,1000,2000] [--asks 25]
    python -m benchmarks.gp_scaling search [--n-iter 2000]
    python -m benchmarks.gp_scaling quality [--problem hartmann6|levy6] [--evals 500]
        [--seeds 4] [--first-seed 0]
    python -m benchmarks.gp_scaling ask --max-model-points 0   # the exact GP
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from benchmarks.bench_optimizers import MIXED_SPACE, mixed_objective, mixed_points
from sklearn_hpo import BayesSearchCV
from sklearn_hpo.optimizers import GPOptimizer
from sklearn_hpo.space import Real
from sklearn_hpo.utils._testing import HARTMANN6_MAX, hartmann6

LEVELS = (100, 500, 1000, 2000)


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024**2 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _options(max_model_points: int | None) -> dict[str, Any]:
    """GPOptimizer options: ``None`` keeps the default, 0 means exact."""
    if max_model_points is None:
        return {}
    return {"max_model_points": max_model_points or None}


# ---------------------------------------------------------------------- ask
def time_asks(n_obs: int, n_asks: int, options: dict[str, Any]) -> dict[str, Any]:
    """Tell ``n_obs`` random points, then time ``n_asks`` ask/tell cycles."""
    space = {p.name: p.ours() for p in MIXED_SPACE}
    opt = GPOptimizer(space, random_state=0, **options)
    points = mixed_points(n_obs)
    opt.tell(points, [mixed_objective(p) for p in points])
    base_mb = _max_rss_mb()
    t0 = time.perf_counter()
    cand = opt.ask(1)
    warm_up = time.perf_counter() - t0
    opt.tell(cand, [mixed_objective(cand[0])])
    cycles, cpu = [], []
    for _ in range(n_asks):
        t0, c0 = time.perf_counter(), time.process_time()
        cand = opt.ask(1)
        opt.tell(cand, [mixed_objective(cand[0])])
        cycles.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    subset = getattr(opt, "model_subset_", None)
    return {
        "n_observations": n_obs,
        "median_ms": 1e3 * statistics.median(cycles),
        "mean_ms": 1e3 * statistics.mean(cycles),
        "max_ms": 1e3 * max(cycles),
        "cpu_median_ms": 1e3 * statistics.median(cpu),
        "cpu_max_ms": 1e3 * max(cpu),
        "warm_up_ms": 1e3 * warm_up,
        "peak_rss_mb": _max_rss_mb(),
        "base_rss_mb": base_mb,
        "model_points": opt.n_observations if subset is None else len(subset),
    }


def run_asks(levels: Sequence[int], n_asks: int, mmp: int | None) -> None:
    print(f"ask(1) + tell cycles on the 6-D mixed space; {_load()}")
    print(f"{'N':>6} {'model':>6} {'median':>9} {'mean':>9} {'max':>9} "
          f"{'warm-up':>9} {'peak RSS':>9} {'above base':>10} "
          f"{'CPU median':>10} {'CPU max':>9}")
    for n in levels:
        # One process per level: the peak memory is this level's.
        cmd = [sys.executable, "-m", "benchmarks.gp_scaling", "_ask_one",
               "--level", str(n), "--asks", str(n_asks)]
        if mmp is not None:
            cmd += ["--max-model-points", str(mmp)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{n:>6} {r['model_points']:>6} {r['median_ms']:>6.0f} ms "
              f"{r['mean_ms']:>6.0f} ms {r['max_ms']:>6.0f} ms "
              f"{r['warm_up_ms']:>6.0f} ms {r['peak_rss_mb']:>6.0f} MB "
              f"{r['peak_rss_mb'] - r['base_rss_mb']:>7.0f} MB "
              f"{r['cpu_median_ms']:>7.0f} ms {r['cpu_max_ms']:>6.0f} ms",
              flush=True)
    print(f"({_load()})")


# ------------------------------------------------------------------- search
_FIT_TIMES: list[float] = []


class MixedSpaceDouble(RegressorMixin, BaseEstimator):
    """Near-free estimator: its score is the mixed benchmark's function."""

    def __init__(self, learning_rate=0.1, alpha=0.5, beta=0.0, n_units=50,
                 max_iter=100, kind="a"):  # fmt: skip
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.beta = beta
        self.n_units = n_units
        self.max_iter = max_iter
        self.kind = kind

    def fit(self, X: Any, y: Any = None) -> MixedSpaceDouble:
        _FIT_TIMES.append(time.perf_counter())
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X))

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        return mixed_objective(self.get_params())


def run_search(n_iter: int, mmp: int | None) -> None:
    space = {p.name: p.ours() for p in MIXED_SPACE}
    X, y = np.zeros((20, 2)), np.zeros(20)
    n_splits = 2
    kwargs = _options(mmp)
    search = BayesSearchCV(
        MixedSpaceDouble(), space, n_iter=n_iter, cv=n_splits, n_jobs=1,
        refit=False, random_state=0, optimizer_kwargs=kwargs or None,
    )
    print(f"BayesSearchCV, {n_iter} candidates of a near-free estimator, "
          f"cv={n_splits}; {_load()}")
    _FIT_TIMES.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    search.fit(X, y)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    # The double's fits (n_jobs=1: in this process) time the candidates.
    starts = np.array(_FIT_TIMES[::n_splits]) - t0
    previous = 0
    for mark in (100, 300, 500, 1000, 1500, 2000, 3000, 5000):
        if mark > len(starts):
            break
        t_prev = starts[previous] if previous else 0.0
        per = (starts[mark - 1] - t_prev) / (mark - previous)
        print(f"  candidate {mark:>5} started at {starts[mark - 1]:7.1f} s "
              f"({1e3 * per:.0f} ms per candidate since {previous})")
        previous = mark
    opt = search.optimizer_
    subset = getattr(opt, "model_subset_", None)
    model = "all" if subset is None else f"{len(subset)} of {len(opt.y)}"
    print(f"wall time {wall:.1f} s ({1e3 * wall / n_iter:.0f} ms per candidate), "
          f"CPU time {cpu:.1f} s; "
          f"best score {search.best_score_:.5f}; model on {model} observations; "
          f"peak RSS {_max_rss_mb():.0f} MB ({_load()})")


# ------------------------------------------------------------------ quality
def levy(x: np.ndarray) -> float:
    """Levy function (minimum 0 at x = 1), a multimodal test function."""
    w = 1.0 + (np.asarray(x, dtype=float) - 1.0) / 4.0
    middle = (w[:-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(np.pi * w[:-1] + 1.0) ** 2)
    return float(
        np.sin(np.pi * w[0]) ** 2
        + np.sum(middle)
        + (w[-1] - 1.0) ** 2 * (1.0 + np.sin(2.0 * np.pi * w[-1]) ** 2)
    )


# name: (title, bounds of each of the 6 coordinates, score to maximise, maximum)
PROBLEMS = {
    "hartmann6": ("Hartmann-6", (0.0, 1.0), hartmann6, HARTMANN6_MAX),
    "levy6": ("Levy-6 (negated)", (-10.0, 10.0), lambda x: -levy(x), 0.0),
}


def quality_run(
    problem: str, seed: int, n_evals: int, options: dict[str, Any]
) -> list[float]:
    """Best-so-far scores of one seeded ask/tell loop on a 6-D problem."""
    _, (low, high), func, _ = PROBLEMS[problem]
    space = {f"x{i}": Real(low, high) for i in range(1, 7)}
    opt = GPOptimizer(space, random_state=seed, **options)
    best, trace = -np.inf, []
    for _ in range(n_evals):
        cand = opt.ask(1)[0]
        score = func([cand[f"x{i}"] for i in range(1, 7)])
        opt.tell([cand], [score])
        best = max(best, score)
        trace.append(best)
    return trace


def run_quality(
    problem: str, n_evals: int, seeds: Sequence[int], mmp: int | None
) -> None:
    title, _, _, maximum = PROBLEMS[problem]
    budgets = [b for b in (100, 200, 300, 400, 500, 750, 1000) if b < n_evals]
    budgets.append(n_evals)
    print(f"{title} regret (maximum - best found), seeds {list(seeds)}; "
          f"{_load()}")
    regrets = []
    for seed in seeds:
        t0 = time.perf_counter()
        trace = quality_run(problem, seed, n_evals, _options(mmp))
        r = [maximum - trace[b - 1] for b in budgets]
        regrets.append(r)
        print(f"  seed {seed}: " + ", ".join(
            f"{b}: {v:.3g}" for b, v in zip(budgets, r))
            + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
    R = np.array(regrets)
    se = R.std(axis=0, ddof=1) / np.sqrt(len(R)) if len(R) > 1 else 0 * R[0]
    for b, m, s in zip(budgets, R.mean(axis=0), se):
        print(f"  budget {b:>5}: regret {m:.3g} +- {s:.2g}")
    print(f"({_load()})")


# --------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "ask", "search", "quality", "_ask_one"])
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)),
                        help="numbers of observations of the ask timings")
    parser.add_argument("--asks", type=int, default=25,
                        help="timed ask/tell cycles per level")
    parser.add_argument("--level", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--n-iter", type=int, default=2000,
                        help="candidates of the BayesSearchCV run")
    parser.add_argument("--problem", default="hartmann6", choices=list(PROBLEMS),
                        help="test function of the quality runs")
    parser.add_argument("--evals", type=int, default=500,
                        help="evaluations per quality run")
    parser.add_argument("--seeds", type=int, default=4,
                        help="number of seeds of the quality runs")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the quality runs' seeds start here")
    parser.add_argument("--max-model-points", type=int, default=None,
                        help="GPOptimizer's max_model_points (0: None, the exact "
                        "GP; default: the optimizer's default)")
    args = parser.parse_args(argv)
    mmp = args.max_model_points
    if args.what == "_ask_one":
        print(json.dumps(time_asks(args.level, args.asks, _options(mmp))))
        return
    if args.what in ("all", "ask"):
        run_asks([int(n) for n in args.levels.split(",")], args.asks, mmp)
    if args.what in ("all", "search"):
        run_search(args.n_iter, mmp)
    if args.what in ("all", "quality"):
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        run_quality(args.problem, args.evals, seeds, mmp)


if __name__ == "__main__":
    main()
