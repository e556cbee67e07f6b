"""The benchmark loop: experiments x tasks x methods x seeds -> JSON lines.

Three experiments, each a list of jobs; one job is one search, one line:

- ``quality``: every task x method x seed. An *anytime* method (a sequential
  one: the first n evaluations of a run with budget 100 are exactly what a run
  with budget n evaluates) runs once at the largest budget; the others
  (GridSearchCV, HalvingRandomSearchCV, and scikit-optimize on a conditional
  task, which it searches one sub-space after the other) run once per budget
  (:func:`benchmarks.methods.is_anytime`).
- ``overhead``: every anytime method on a double whose fits cost nothing, up
  to 500 evaluations (scikit-optimize up to 100: at 1-5 s per evaluation
  beyond that it would dominate the run), so wall - fits is the overhead.
- ``parallel``: the same search at n_jobs=1 and n_jobs=K on a task whose fits
  take ~0.1 s, for a few seeds; the model is fitted once (in this process or
  in every joblib worker) before each timed run.

The output is resumable: jobs whose line is already in the file are skipped.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import shlex
import sys
import time
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from benchmarks import methods as M
from benchmarks import tasks as T

RESULTS = Path(__file__).resolve().parent / "results"
FULL_OUT = RESULTS / "results.jsonl"
QUICK_OUT = RESULTS / "quick.jsonl"
OVERHEAD_MAX = 500
SKOPT_OVERHEAD_MAX = 100
EXPERIMENTS_SET = {"quality", "overhead", "parallel"}
PARALLEL_METHODS = ("gp", "tpe", "random", "sk_random", "skopt", "optuna_searchcv")


def job_key(job: dict) -> tuple:
    return tuple(job[k] for k in ("experiment", "task", "method", "seed", "budget",
                                  "n_jobs"))


def plan(args: Any) -> Iterator[dict]:
    """Every job of the configuration, as dicts (JSON-ready)."""
    budgets = sorted(args.budgets)
    experiments = args.experiments
    if "quality" in experiments:
        for task in args.tasks:
            for method in args.methods:
                anytime = M.is_anytime(method, task)
                for seed in range(args.seeds):
                    for budget in [budgets[-1]] if anytime else budgets:
                        yield dict(experiment="quality", task=task, method=method,
                                   seed=seed, budget=budget, n_jobs=1, n_points=1)
    if "overhead" in experiments:
        for method in args.methods:
            # Budget-planning strategies (not anytime) plan for the overhead
            # run's length; their overhead per evaluation is measured the same.
            if M.METHODS[method].sequential:
                cap = SKOPT_OVERHEAD_MAX if method == "skopt" else args.overhead_max
                yield dict(experiment="overhead", task=T.OVERHEAD_TASK,
                           method=method, seed=0,
                           budget=min(args.overhead_max, cap), n_jobs=1, n_points=1)
    if "parallel" in experiments:
        k = args.n_jobs
        for method in args.methods:
            if method in PARALLEL_METHODS:
                for seed in range(getattr(args, "parallel_seeds", 1)):
                    for n_jobs in (1, k):
                        # Sequential searches propose k candidates per round at
                        # both settings, so both runs evaluate the same
                        # candidates.
                        yield dict(experiment="parallel", task=T.PARALLEL_TASK,
                                   method=method, seed=seed,
                                   budget=args.parallel_budget, n_jobs=n_jobs,
                                   n_points=k)


def _init_worker() -> None:
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread: an optimizer runs next to joblib workers, and
    # oversubscribing a 2-core machine makes every timing meaningless.
    threadpool_limits(limits=1)
    # Convergence and similar warnings of the tuned models are expected.
    warnings.simplefilter("ignore")


def incumbent_indices(scores: list[float]) -> list[int]:
    """Indices where the best score so far strictly improves."""
    best, out = -math.inf, []
    for i, s in enumerate(scores):
        if s is not None and math.isfinite(s) and s > best:
            best = s
            out.append(i)
    return out


def _start_workers(n_jobs: int, task: Any, data: Any) -> None:
    """Start joblib's worker processes before a timed parallel run.

    Whichever search first uses n_jobs > 1 in a process would otherwise pay
    for starting them (about a second here) and, in each worker, for the first
    fit of the task's model (imports, caches; about as much again): the
    parallel experiment measures throughput, not start-up, and without this
    the first method timed paid for all the others.
    """
    from joblib import Parallel, delayed

    X, y = data.X_train[:100], data.y_train[:100]
    Parallel(n_jobs=n_jobs)(
        delayed(_warm_fit)(task.make_estimator(), X, y) for _ in range(4 * n_jobs)
    )


def _warm_fit(estimator: Any, X: Any, y: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
        estimator.predict(X)


def run_job(job: dict) -> dict:
    """Run one search and compute the test scores of its incumbents."""
    _init_worker()
    task, method = T.TASKS[job["task"]], M.METHODS[job["method"]]
    record = dict(job, date=datetime.datetime.now().isoformat(timespec="seconds"))
    reason = M.unsupported(method, task) or M.import_error(method)
    if reason:
        return dict(record, status="skipped", reason=reason)
    data = task.load()
    try:
        if job["experiment"] == "parallel":
            # Whatever the first fit of the model in a process costs (imports,
            # caches) is paid before the timed run, at either n_jobs.
            if job["n_jobs"] > 1:
                _start_workers(job["n_jobs"], task, data)
            else:
                _warm_fit(task.make_estimator(), data.X_train[:100],
                          data.y_train[:100])
        out = method.run(task, data, job["budget"], job["seed"],
                         n_jobs=job["n_jobs"], n_points=job["n_points"])
    except Exception as exc:  # noqa: BLE001 - reported, the suite goes on
        return dict(record, status="error", reason=f"{type(exc).__name__}: {exc}",
                    traceback=traceback.format_exc(limit=5))
    params = out.pop("params")
    scores = out["scores"]
    if job["experiment"] == "quality":
        if "best_index" in out:
            indices = [out["best_index"]]
        elif M.is_anytime(job["method"], job["task"]):
            indices = incumbent_indices(scores)
        else:
            indices = incumbent_indices(scores)[-1:]
        # Held-out test score of each incumbent, refit on the training set
        # (outside the timed search).
        out["incumbent_tests"] = {
            str(i): task.test_score(params[i], data) for i in indices
        }
        if indices:
            out["best_params"] = repr(params[indices[-1]])
    out["scores"] = [None if not math.isfinite(s) else s for s in scores]
    return dict(record, status="ok", **out)


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open() as fh:
        return [json.loads(line) for line in fh if line.strip()]


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ["sklearn-hpo", "numpy", "scipy", "scikit-learn", "scikit-optimize",
                 "optuna", "optuna-integration", "hyperopt"]:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def main(args: Any, argv: list[str]) -> int:
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {
        job_key(r) for r in read_records(out)
        if r.get("experiment") != "meta" and r.get("status") in ("ok", "skipped")
        and not (r.get("status") == "skipped" and "not importable" in r["reason"])
    }
    jobs = [j for j in plan(args) if job_key(j) not in done]
    n_total = len(list(plan(args)))
    print(f"{n_total} jobs, {n_total - len(jobs)} already in {out}; running "
          f"{len(jobs)} with {args.workers} worker(s).", flush=True)
    start = time.perf_counter()
    meta = {
        "experiment": "meta",
        "command": shlex.join(["python", "-m", "benchmarks", *argv]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "config": {
            "tasks": list(args.tasks), "methods": list(args.methods),
            "budgets": list(args.budgets), "seeds": args.seeds,
            "n_jobs": args.n_jobs, "workers": args.workers,
            "experiments": list(args.experiments),
            "overhead_max": args.overhead_max,
            "parallel_budget": args.parallel_budget,
            "parallel_seeds": getattr(args, "parallel_seeds", 1),
        },
        "versions": versions(),
    }
    # Timing experiments run alone, one job at a time; quality jobs may share
    # the machine (--workers) since only their scores matter for the tables.
    timing = [j for j in jobs if j["experiment"] != "quality"]
    quality = [j for j in jobs if j["experiment"] == "quality"]
    with out.open("a") as fh:
        fh.write(json.dumps(meta) + "\n")

        def write(record: dict) -> None:
            fh.write(json.dumps(record, default=_json_default) + "\n")
            fh.flush()
            _progress(record, start)

        for job in timing:
            write(run_job(job))
        if args.workers > 1 and len(quality) > 1:
            with ProcessPoolExecutor(args.workers, initializer=_init_worker) as pool:
                for record in pool.map(run_job, quality):
                    write(record)
        else:
            for job in quality:
                write(run_job(job))
        fh.write(json.dumps({"experiment": "meta-end", "command": meta["command"],
                             "duration_s": time.perf_counter() - start}) + "\n")
    print(f"Done in {time.perf_counter() - start:.0f} s; results in {out}. "
          f"Tables and plots: python -m benchmarks report --results {_rel(out)}",
          flush=True)
    return 0


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def _progress(record: dict, start: float) -> None:
    head = (f"[{time.perf_counter() - start:6.0f} s] {record['experiment']:8s} "
            f"{record['task']:20s} {record['method']:16s} seed {record['seed']} "
            f"n={record['budget']:<3d} jobs={record['n_jobs']}")
    if record["status"] != "ok":
        print(f"{head} {record['status'].upper()}: {record['reason']}", flush=True)
        return
    finite = [s for s in record["scores"] if s is not None]
    best = max(finite) if finite else float("nan")
    print(f"{head} best {best:.4f} wall {record['wall']:.1f} s "
          f"fits {sum(record['fit_times']):.1f} s", flush=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Use: python -m benchmarks run ...")
