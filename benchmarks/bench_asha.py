"""Throughput of the synchronous and asynchronous (ASHA) multi-fidelity schedulers.

For HyperbandSearchCV and SuccessiveHalvingSearchCV, with ``scheduler="sync"``
and ``"async"`` at ``n_jobs=1`` and ``n_jobs=2``, on

- ``sleep``: an estimator double whose fit sleeps ``unit * resource * (0.25 +
  1.5 * x0)`` seconds (fit times vary 7-fold between candidates and grow with
  the resource), so that the numbers measure the scheduler and not the other
  work on a shared machine;
  ``sleep`` uses 2-fold CV, ``sleep_cv3`` the same with 3 folds (an odd
  number of fits per candidate on 2 workers: a rung of one candidate leaves
  a worker idle for one fit under the synchronous scheduler);
- ``forest``: a RandomForestClassifier on 2,000 samples, ``n_estimators`` the
  resource (1 to 27, warm-started), ``max_depth`` and ``max_features``
  searched (fit times vary with them), 3-fold CV.

Each search runs the same plan (the asynchronous scheduler evaluates as many
candidates per rung as the synchronous one), with ``refit=False``, after a
warm-up of joblib's worker pool. Reported per run: wall time, fits and
resource units (``n_resources`` times the number of folds, summed over the
rows of ``cv_results_``) completed per second of wall time, and the idle
fraction of the workers, ``1 - sum(fit times) / (wall time * n_workers)``
(the time a worker spends on anything but a fit: waiting for a rung's slowest
fit, the driver's bookkeeping between calls). The speed-up is the throughput
at ``n_jobs=2`` over that of the same scheduler at ``n_jobs=1``; the target
of the issue is 1.7 for the asynchronous scheduler. ::

    python -m benchmarks.bench_asha [--quick] [--repeats N]
        [--tasks sleep,sleep_cv3,forest] [--searches hyperband,sh]
        [--out benchmarks/results/asha.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

import joblib
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold

from sklearn_hpo import HyperbandSearchCV, Integer, Real, SuccessiveHalvingSearchCV

RESULTS = Path(__file__).parent / "results" / "asha.json"


class SleepDouble(RegressorMixin, BaseEstimator):
    """Fit sleeps ``unit * budget * (0.25 + 1.5 * x0)`` s; the score is a known
    function of ``x0``, ``x1`` and ``budget``."""

    def __init__(self, x0=0.5, x1=0.5, budget=1, unit=0.01):
        self.x0 = x0
        self.x1 = x1
        self.budget = budget
        self.unit = unit

    def fit(self, X, y=None):
        time.sleep(self.unit * self.budget * (0.25 + 1.5 * self.x0))
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x0 - 0.3) ** 2) - (self.x1 - 0.6) ** 2 / 10 - 1 / self.budget


def _sleep_task(cls: type, quick: bool, n_splits: int = 2) -> tuple[Any, tuple]:
    unit = 0.005 if quick else 0.02
    space = {"x0": Real(0.0, 1.0), "x1": Real(0.0, 1.0)}
    kw = dict(resource="budget", min_resources=1, max_resources=27, cv=KFold(n_splits))
    if cls is SuccessiveHalvingSearchCV:
        kw["n_candidates"] = 27
    return cls(SleepDouble(unit=unit), space, **kw), (np.zeros((40, 1)), None)


def _sleep_cv3_task(cls: type, quick: bool) -> tuple[Any, tuple]:
    return _sleep_task(cls, quick, n_splits=3)


def _forest_task(cls: type, quick: bool) -> tuple[Any, tuple]:
    X, y = make_classification(
        n_samples=1000 if quick else 2000, n_features=20, n_informative=8,
        random_state=0,
    )  # fmt: skip
    space = {"max_depth": Integer(2, 20), "max_features": Real(0.1, 0.9)}
    kw = dict(resource="n_estimators", min_resources=1, max_resources=27, cv=3)
    if cls is SuccessiveHalvingSearchCV:
        kw["n_candidates"] = 27
    return cls(RandomForestClassifier(random_state=0), space, **kw), (X, y)


TASKS = {"sleep": _sleep_task, "sleep_cv3": _sleep_cv3_task, "forest": _forest_task}
SEARCHES = {"hyperband": HyperbandSearchCV, "sh": SuccessiveHalvingSearchCV}


def _warm_up(n_jobs: int) -> None:
    """Start joblib's worker processes and let them import what the fits
    need (this module, scikit-learn, sklearn_hpo), so that no run pays for it."""
    if n_jobs > 1:
        search = SuccessiveHalvingSearchCV(
            SleepDouble(unit=0.0), {"x0": Real(0.0, 1.0)}, resource="budget",
            max_resources=3, n_candidates=3, n_jobs=n_jobs, refit=False,
        )  # fmt: skip
        search.fit(np.zeros((8, 1)))


def run_one(task: str, search: str, scheduler: str, n_jobs: int, seed: int,
            quick: bool) -> dict:  # fmt: skip
    """Fit one search; its wall time, throughput and workers' idle fraction."""
    estimator, (X, y) = TASKS[task](SEARCHES[search], quick)
    estimator.set_params(
        scheduler=scheduler, n_jobs=n_jobs, random_state=seed, refit=False
    )
    _warm_up(n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        estimator.fit(X, y)
        wall = time.perf_counter() - start
    res = estimator.cv_results_
    n_splits = estimator.n_splits_
    n_rows = len(res["params"])
    units = float(np.sum(res["n_resources"])) * n_splits
    busy = float(np.sum(res["mean_fit_time"] + res["mean_score_time"])) * n_splits
    best = int(np.argmax(np.where(
        np.asarray(res["n_resources"]) == np.max(res["n_resources"]),
        np.nan_to_num(res["mean_test_score"], nan=-np.inf), -np.inf,
    )))  # fmt: skip
    return {
        "task": task, "search": search, "scheduler": estimator.scheduler_,
        "n_jobs": n_jobs, "seed": seed, "wall_s": wall, "n_fits": n_rows * n_splits,
        "units": units, "fits_per_s": n_rows * n_splits / wall,
        "units_per_s": units / wall,
        "idle_fraction": max(0.0, 1.0 - busy / (wall * n_jobs)),
        "best_score": float(res["mean_test_score"][best]),
    }  # fmt: skip


def _median(rows: list[dict], key: str) -> float:
    return float(np.median([r[key] for r in rows]))


def summarize(rows: list[dict]) -> list[dict]:
    """One line per (task, search, scheduler, n_jobs): medians over seeds,
    and the speed-up of n_jobs=2 over n_jobs=1 (units per second)."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        key = (r["task"], r["search"], r["scheduler"], r["n_jobs"])
        groups.setdefault(key, []).append(r)
    out = []
    for (task, search, scheduler, n_jobs), rs in groups.items():
        line = {
            "task": task, "search": search, "scheduler": scheduler,
            "n_jobs": n_jobs, "runs": len(rs),
            **{k: _median(rs, k) for k in
               ("wall_s", "n_fits", "units_per_s", "fits_per_s", "idle_fraction",
                "best_score")},
        }  # fmt: skip
        base = groups.get((task, search, scheduler, 1))
        line["speedup"] = (
            line["units_per_s"] / _median(base, "units_per_s") if base else None
        )
        out.append(line)
    return out


def table(summary: list[dict]) -> str:
    head = (
        f"{'task':<10}{'search':<10}{'scheduler':<10}{'n_jobs':>6}{'wall s':>9}"
        f"{'fits':>6}{'fits/s':>8}{'units/s':>9}{'idle':>7}{'speedup':>8}"
        f"{'best':>9}"
    )
    lines = [head, "-" * len(head)]
    for s in summary:
        speed = "" if s["speedup"] is None else f"{s['speedup']:.2f}x"
        lines.append(
            f"{s['task']:<10}{s['search']:<10}{s['scheduler']:<10}{s['n_jobs']:>6}"
            f"{s['wall_s']:>9.2f}{s['n_fits']:>6.0f}{s['fits_per_s']:>8.1f}"
            f"{s['units_per_s']:>9.1f}{s['idle_fraction']:>7.1%}{speed:>8}"
            f"{s['best_score']:>9.4f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_asha", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true",
                        help="shorter sleeps and a smaller forest task")
    parser.add_argument("--repeats", type=int, default=2,
                        help="seeds per configuration (medians are reported)")
    parser.add_argument("--tasks", default="sleep,sleep_cv3,forest")
    parser.add_argument("--searches", default="hyperband,sh")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    rows = []
    for task in args.tasks.split(","):
        for search in args.searches.split(","):
            for seed in range(args.repeats):
                # Interleaved, so that a change in the machine's load hits
                # every configuration alike.
                for scheduler in ("sync", "async"):
                    for n_jobs in (1, 2):
                        row = run_one(task, search, scheduler, n_jobs, seed,
                                      args.quick)  # fmt: skip
                        rows.append(row)
                        print(
                            f"{task} {search} {scheduler} n_jobs={n_jobs} "
                            f"seed={seed}: {row['wall_s']:.2f} s", flush=True
                        )
    summary = summarize(rows)
    print()
    print(table(summary))
    record = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {joblib.cpu_count()} cores (shared)",
        "python": platform.python_version(),
        # Other processes share the machine: CPU-bound fits (forest) slow down
        # with its load; sleeping ones do not.
        "load_average_at_end": (
            list(os.getloadavg()) if hasattr(os, "getloadavg") else None
        ),
        "command": "python -m benchmarks.bench_asha "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "summary": summary,
        "runs": rows,
    }
    Path(args.out).write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
