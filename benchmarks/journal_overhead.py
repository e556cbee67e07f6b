"""What does recording a candidate in the journal cost?

Records candidates (each with 5 folds, 2 metrics, train scores, fit and
score times, an extra column and 5 parameters, one of them an object) one
transaction each, as a search does, in a fresh SQLite journal, and prints the
milliseconds per candidate: the mean, the median and the 99th percentile of
``study.record``, commit included. Then times ``load_results`` on the result.

Run from the repository root:
    python -m benchmarks.journal_overhead [--n-candidates 500] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from fractions import Fraction

import numpy as np

from sklearn_hpo.journal import CandidateRecord, SQLiteStorage, load_results

METRICS = ("accuracy", "roc_auc")


def make_records(n_candidates: int, n_folds: int, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n_candidates):
        params = {
            "C": float(10 ** rng.uniform(-3, 3)),
            "n_estimators": np.int64(rng.integers(10, 500)),
            "kernel": str(rng.choice(["rbf", "linear", "poly"])),
            "tol": None if i % 3 else 1e-4,
            # an object value, as an estimator in a categorical would be
            "ratio": Fraction(int(rng.integers(1, 9)), 10),
        }
        failed = i % 50 == 49
        test = {m: rng.uniform(size=n_folds) for m in METRICS}
        if failed:
            test = {m: np.full(n_folds, np.nan) for m in METRICS}
        records.append(
            CandidateRecord(
                index=i,
                params=params,
                test_scores=test,
                train_scores={m: rng.uniform(size=n_folds) for m in METRICS},
                fit_time=rng.uniform(0, 2, size=n_folds),
                score_time=rng.uniform(0, 0.1, size=n_folds),
                status="failed" if failed else "ok",
                error="ValueError: bad C" if failed else None,
                round=i,
                extra={"acquisition": "ei"},
            )
        )
    return records


def run(n_candidates: int, n_folds: int) -> tuple[np.ndarray, float]:
    records = make_records(n_candidates, n_folds)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "journal.db")
        with SQLiteStorage(path) as storage:
            study = storage.open_study("bench", {"space": "0" * 32})
            times = np.empty(n_candidates)
            for i, record in enumerate(records):
                start = time.perf_counter()
                study.record(record)
                times[i] = time.perf_counter() - start
            start = time.perf_counter()
            results = load_results(path)
            load_time = time.perf_counter() - start
        assert len(results["params"]) == n_candidates
    return times * 1000, load_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-candidates", type=int, default=500)
    parser.add_argument("--n-folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{args.n_candidates} candidates, {args.n_folds} folds, {len(METRICS)} "
        "metrics with train scores, one commit per candidate"
    )
    for repeat in range(args.repeats):
        ms, load_time = run(args.n_candidates, args.n_folds)
        print(
            f"run {repeat}: {ms.mean():.3f} ms per candidate (median "
            f"{np.median(ms):.3f}, p99 {np.percentile(ms, 99):.3f}, max "
            f"{ms.max():.3f}); load_results: {load_time * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
