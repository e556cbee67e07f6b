"""What do hanging fits cost a search, with and without ``fit_timeout``?

1. Overhead: a search of fast fits (a small SVR), with ``fit_timeout=None``
   and with a timeout that no fit reaches, both run twice; prints the
   milliseconds per fit that running each fit in a forked child adds.
2. Hanging fits: a search of ``--n-candidates`` candidates, ``--n-slow`` of
   which sleep ``--sleep`` seconds in ``fit`` (``cv=3``), with
   ``fit_timeout=--timeout`` at ``n_jobs=1`` and ``n_jobs=2``; prints the
   wall time of each search and checks that the slow candidates scored
   ``error_score``. Without ``fit_timeout`` the same search would take at
   least ``n_slow * 3 * sleep / n_jobs`` seconds.

Run from the repository root:
    python -m benchmarks.fit_timeout [--n-candidates 12] [--n-slow 3]
        [--sleep 30] [--timeout 2]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.svm import SVR

from sklearn_hpo import BayesSearchCV, Real, TPESearchCV
from sklearn_hpo.utils._testing import SleepDouble


def overhead(n_iter: int = 20, cv: int = 3) -> float:
    """Milliseconds a timed fit costs more than a plain one (best of 2)."""
    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(200, 5)), rng.uniform(size=200)
    times = {}
    for fit_timeout in (None, 60, None, 60):
        search = TPESearchCV(
            SVR(), {"C": Real(0.1, 10, log=True)}, n_iter=n_iter, cv=cv,
            fit_timeout=fit_timeout, random_state=0,
        )  # fmt: skip
        start = time.perf_counter()
        search.fit(X, y)
        elapsed = time.perf_counter() - start
        times[fit_timeout] = min(times.get(fit_timeout, np.inf), elapsed)
    return 1000 * (times[60] - times[None]) / (n_iter * cv)


def hanging(n_candidates: int, n_slow: int, sleep: float, timeout: float, n_jobs: int):
    """Wall time of a search whose first ``n_slow`` candidates hang."""
    points = [{"sleep": sleep, "a": float(i)} for i in range(n_slow)]
    points += [{"sleep": 0.0, "a": float(i)} for i in range(n_slow, n_candidates)]
    space = {"sleep": [0.0, sleep], "a": [p["a"] for p in points]}
    search = BayesSearchCV(
        SleepDouble(), space, n_iter=n_candidates, initial_points=points, cv=3,
        fit_timeout=timeout, error_score=-1e9, n_jobs=n_jobs, random_state=0,
    )  # fmt: skip
    X, y = np.zeros((30, 1)), np.zeros(30)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    elapsed = time.perf_counter() - start
    scores = search.cv_results_["mean_test_score"][:n_slow]
    assert (scores == -1e9).all(), scores
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-candidates", type=int, default=12)
    parser.add_argument("--n-slow", type=int, default=3)
    parser.add_argument("--sleep", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    print(f"overhead of a timed fit: {overhead():.1f} ms per fit")
    for n_jobs in (1, 2):
        elapsed = hanging(
            args.n_candidates, args.n_slow, args.sleep, args.timeout, n_jobs
        )
        floor = args.n_slow * 3 * args.sleep / n_jobs
        print(
            f"n_jobs={n_jobs}: {args.n_candidates} candidates, {args.n_slow} "
            f"sleeping {args.sleep:g} s, fit_timeout={args.timeout:g}: "
            f"{elapsed:.1f} s (without fit_timeout: >= {floor:.0f} s)"
        )


if __name__ == "__main__":
    main()
