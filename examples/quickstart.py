"""
Quickstart: BayesSearchCV as a drop-in replacement for RandomizedSearchCV
=========================================================================

Tunes an SVC pipeline (C and gamma) on the digits data set with a
Gaussian-process search and with scikit-learn's RandomizedSearchCV on the same
budget, repeated for three seeds, and prints the best parameters and scores.

Run: python examples/quickstart.py
"""

import time

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import BayesSearchCV, Real

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe = make_pipeline(StandardScaler(), SVC())
N_ITER, SEEDS = 20, [0, 1, 2]


def bayes(seed):
    space = {
        "svc__C": Real(1e-3, 1e3, log=True),
        "svc__gamma": Real(1e-5, 1e0, log=True),
    }
    return BayesSearchCV(pipe, space, n_iter=N_ITER, cv=3, n_jobs=-1, random_state=seed)


def randomized(seed):
    space = {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-5, 1e0)}
    return RandomizedSearchCV(
        pipe, space, n_iter=N_ITER, cv=3, n_jobs=-1, random_state=seed
    )


print(f"Tuning SVC(C, gamma) on digits: {N_ITER} candidates x 3-fold CV per search,")
print(f"seeds {SEEDS}\n")
for name, make in [("BayesSearchCV", bayes), ("RandomizedSearchCV", randomized)]:
    cv_scores, test_scores = [], []
    start = time.perf_counter()
    for seed in SEEDS:
        search = make(seed).fit(X_train, y_train)
        cv_scores.append(search.best_score_)
        test_scores.append(search.score(X_test, y_test))
    seconds = time.perf_counter() - start
    best = {k: float(f"{v:.4g}") for k, v in search.best_params_.items()}
    print(name)
    print(f"  best params (seed {SEEDS[-1]})   : {best}")
    print(f"  best CV accuracy per seed : {np.round(cv_scores, 4).tolist()}")
    mean, worst = np.mean(cv_scores), min(cv_scores)
    print(f"  mean / worst CV accuracy  : {mean:.4f} / {worst:.4f}")
    print(f"  mean test accuracy        : {np.mean(test_scores):.4f}")
    print(f"  wall time (3 searches)    : {seconds:.1f} s\n")
