"""Quickstart: BayesSearchCV as a drop-in replacement for RandomizedSearchCV.

Tunes an SVC pipeline on the digits data set with a Gaussian-process search and
with scikit-learn's RandomizedSearchCV on the same budget, then prints both.

Run: python examples/quickstart.py
"""

import time

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
N_ITER = 25

searches = {
    "BayesSearchCV": BayesSearchCV(
        pipe,
        {"svc__C": Real(1e-3, 1e3, log=True), "svc__gamma": Real(1e-5, 1e0, log=True)},
        n_iter=N_ITER,
        cv=3,
        n_jobs=-1,
        random_state=0,
    ),
    "RandomizedSearchCV": RandomizedSearchCV(
        pipe,
        {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-5, 1e0)},
        n_iter=N_ITER,
        cv=3,
        n_jobs=-1,
        random_state=0,
    ),
}

print(f"Tuning SVC(C, gamma) on digits with {N_ITER} candidates x 3-fold CV\n")
for name, search in searches.items():
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    best = {k: round(v, 5) for k, v in search.best_params_.items()}
    print(f"{name}")
    print(f"  best params     : {best}")
    print(f"  best CV accuracy: {search.best_score_:.4f}")
    print(f"  test accuracy   : {search.score(X_test, y_test):.4f}")
    print(f"  wall time       : {seconds:.1f} s\n")
