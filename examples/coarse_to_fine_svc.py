"""
Coarse-to-fine search of an SVC pipeline, and the regions it zoomed into
========================================================================

Tunes an SVC (C, gamma, kernel) in a scaling pipeline on the digits data set
with CoarseToFineSearchCV: a coarse Sobol' sample of the whole space, then
levels of boxes, each smaller than the last, around the best candidate so
far. Prints the candidates per level, the regions (boxes) of each level in
parameter values, and compares with RandomizedSearchCV on the same budget.

Run: python examples/coarse_to_fine_svc.py
"""

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import Categorical, CoarseToFineSearchCV, Real

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe = make_pipeline(StandardScaler(), SVC())
N_ITER = 30

space = {
    "svc__C": Real(1e-3, 1e3, log=True),
    "svc__gamma": Real(1e-5, 1e0, log=True),
    "svc__kernel": Categorical(["rbf", "sigmoid"]),
}
search = CoarseToFineSearchCV(
    pipe, space, n_iter=N_ITER, cv=3, n_jobs=-1, random_state=0
).fit(X_train, y_train)

plan = search.optimizer_.plan
print(f"Budget {N_ITER}: coarse stage {plan.n_coarse}, levels {plan.level_sizes},")
print(f"top_k={plan.top_k}, zoom={plan.zoom}\n")

res = search.cv_results_
levels = np.asarray(res["level"])
scores = np.asarray(res["mean_test_score"])
for level in range(levels.max() + 1):
    mask = levels == level
    name = "coarse" if level == 0 else f"level {level}"
    print(
        f"{name:>8}: {mask.sum():2d} candidates, best CV accuracy "
        f"{np.nanmax(scores[mask]):.4f}"
    )


def fmt(value):
    if isinstance(value, tuple):
        return f"[{value[0]:.3g}, {value[1]:.3g}]"
    return repr(value)


print("\nRegions zoomed into (bounds in parameter values):")
for region in search.optimizer_.regions:
    bounds = ", ".join(
        f"{k.removeprefix('svc__')}={fmt(v)}" for k, v in region.params.items()
    )
    print(
        f"  region {region.region} (level {region.level}, around "
        f"{region.n_centres} best, score {region.best_score:.4f}): {bounds}"
    )

best = {k: v if isinstance(v, str) else float(f"{v:.4g}")
        for k, v in search.best_params_.items()}
print(f"\nbest params: {best}")
print(f"best CV accuracy: {search.best_score_:.4f}, found at level "
      f"{levels[search.best_index_]}")
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

randomized = RandomizedSearchCV(
    pipe,
    {
        "svc__C": loguniform(1e-3, 1e3),
        "svc__gamma": loguniform(1e-5, 1e0),
        "svc__kernel": ["rbf", "sigmoid"],
    },
    n_iter=N_ITER,
    cv=3,
    n_jobs=-1,
    random_state=0,
).fit(X_train, y_train)
print(f"\nRandomizedSearchCV, same budget: best CV accuracy "
      f"{randomized.best_score_:.4f}, test accuracy "
      f"{randomized.score(X_test, y_test):.4f}")
