"""
Quickstart: BayesSearchCV as a drop-in replacement for RandomizedSearchCV
=========================================================================

Tunes an SVC pipeline (C and gamma) on the digits data set with a
Gaussian-process search and with scikit-learn's RandomizedSearchCV on the same
budget, repeated for three seeds, and prints the best parameters and scores.
With matplotlib installed (``pip install ".[plot]"``) it also draws the best
score so far of every search against the number of candidates evaluated.

Run: python examples/quickstart.py
"""

# %%
# Two searches, one budget
# ------------------------
# The only change from a ``RandomizedSearchCV`` is the class and the ranges:
# ``Real(..., log=True)`` where scikit-learn takes ``loguniform``.

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
curves = {}  # best CV accuracy so far, per search and seed, for the figure
for name, make in [("BayesSearchCV", bayes), ("RandomizedSearchCV", randomized)]:
    cv_scores, test_scores = [], []
    start = time.perf_counter()
    for seed in SEEDS:
        search = make(seed).fit(X_train, y_train)
        cv_scores.append(search.best_score_)
        test_scores.append(search.score(X_test, y_test))
        scores = search.cv_results_["mean_test_score"]
        curves[name, seed] = np.maximum.accumulate(scores)
    seconds = time.perf_counter() - start
    best = {k: float(f"{v:.4g}") for k, v in search.best_params_.items()}
    print(name)
    print(f"  best params (seed {SEEDS[-1]})   : {best}")
    print(f"  best CV accuracy per seed : {np.round(cv_scores, 4).tolist()}")
    mean, worst = np.mean(cv_scores), min(cv_scores)
    print(f"  mean / worst CV accuracy  : {mean:.4f} / {worst:.4f}")
    print(f"  mean test accuracy        : {np.mean(test_scores):.4f}")
    print(f"  wall time (3 searches)    : {seconds:.1f} s\n")

# %%
# A ``BestOnBoundWarning`` above means the best C of a search lies on the
# upper bound of its range: a better C may lie beyond it, and widening the
# range is worth a try.
#
# How fast each search got there
# ------------------------------
# One line per seed: the best CV accuracy after each candidate. Bayesian
# optimisation starts with a few random candidates, then proposes each one
# from the scores so far.

try:
    import matplotlib.pyplot as plt
except ImportError:
    print('No figure: matplotlib is not installed (pip install ".[plot]")')
else:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = {"BayesSearchCV": "tab:blue", "RandomizedSearchCV": "tab:orange"}
    for (name, seed), best_so_far in curves.items():
        x = np.arange(1, len(best_so_far) + 1)
        label = name if seed == SEEDS[0] else None
        ax.step(x, best_so_far, where="post", color=colors[name], label=label)
    ax.set_ylim(0.9, 1.0)
    ax.set_xticks(range(0, N_ITER + 1, 5))
    ax.set_xlabel("candidates evaluated")
    ax.set_ylabel("best CV accuracy so far")
    ax.set_title(f"SVC on digits, {len(SEEDS)} seeds per search")
    ax.legend(loc="lower right")
    fig.tight_layout()
    plt.show()
