"""Where does a sequential search's time go at n_jobs=1 vs n_jobs=2?

Times the GP optimizer's proposals inside a real BayesSearchCV run (random
forest on digits, 24 evaluations, n_points=2, 3-fold CV) and prints wall time,
time in proposals and time in fits for each n_jobs. With n_points=2,
BayesSearchCV keeps 2 candidates out (a sliding window); joblib's workers are
started before the timed runs.

Run: python benchmarks/profile_parallel.py
"""

import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

import sklearn_hpo.optimizers._gp._optimizer as gp_module
from sklearn_hpo import BayesSearchCV, Integer, Real

X, y = load_digits(return_X_y=True)
original = gp_module.GPOptimizer._propose
propose_times: list[float] = []


def timed_propose(self, n):
    start = time.perf_counter()
    rows = original(self, n)
    propose_times.append(time.perf_counter() - start)
    return rows


gp_module.GPOptimizer._propose = timed_propose
Parallel(n_jobs=2)(delayed(abs)(i) for i in range(8))  # start the workers
space = {
    "max_depth": Integer(2, 20),
    "max_features": Real(0.1, 1.0),
    "min_samples_leaf": Integer(1, 10),
}
for n_jobs in [1, 2]:
    propose_times.clear()
    start = time.perf_counter()
    search = BayesSearchCV(
        RandomForestClassifier(n_estimators=60, random_state=0),
        space,
        n_iter=24,
        n_points=2,
        cv=3,
        n_jobs=n_jobs,
        random_state=0,
    ).fit(X, y)
    wall = time.perf_counter() - start
    res = search.cv_results_
    fits = np.sum(res["mean_fit_time"] + res["mean_score_time"]) * search.n_splits_
    print(
        f"n_jobs={n_jobs}: wall {wall:.2f} s, proposals {sum(propose_times):.2f} s, "
        f"fits (summed over workers) {fits:.2f} s"
    )
