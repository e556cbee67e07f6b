"""
Coarse-to-fine search of an SVC pipeline, and the regions it zoomed into
========================================================================

Tunes an SVC (C, gamma, kernel) in a scaling pipeline on the digits data set
with CoarseToFineSearchCV: a coarse Sobol' sample of the whole space, then
levels of boxes, each smaller than the last, around the best candidate so
far. Prints the candidates per level and the regions (boxes) of each level in
parameter values, draws the boxes and the candidates in the C-gamma plane,
and compares with RandomizedSearchCV on the same budget.

Run: python examples/coarse_to_fine_svc.py
"""

# %%
# The search
# ----------
# 30 candidates: the plan splits them into a coarse stage and levels.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
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

# %%
# The regions
# -----------
# Each level's box is built around the best candidate so far (``top_k=1``);
# the kernel is fixed to that candidate's, and C and gamma shrink.


def fmt(value):
    if isinstance(value, tuple):
        return f"[{value[0]:.3g}, {value[1]:.3g}]"
    return repr(value)


print("Regions zoomed into: number (level, best score when built): bounds")
for region in search.optimizer_.regions:
    bounds = ", ".join(
        f"{k.removeprefix('svc__')}={fmt(v)}" for k, v in region.params.items()
    )
    score = f"{region.best_score:.4f}"
    print(f"  {region.region} (level {region.level}, {score}): {bounds}")

best = {k: v if isinstance(v, str) else float(f"{v:.4g}")
        for k, v in search.best_params_.items()}
print(f"\nbest params: {best}")
print(f"best CV accuracy: {search.best_score_:.4f}, found at level "
      f"{levels[search.best_index_]}")
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

# %%
# The boxes in the C-gamma plane
# ------------------------------
# Every candidate, coloured by the level that proposed it (circles: RBF
# kernel, crosses: sigmoid), and the box of each level in the same colour.
# The ``region`` column of ``cv_results_`` tells which box a candidate was
# drawn from (-1 for the coarse stage).

C = np.asarray(res["param_svc__C"], dtype=float)
gamma = np.asarray(res["param_svc__gamma"], dtype=float)
kernel = np.asarray(res["param_svc__kernel"], dtype=object)
colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, levels.max() + 1))

fig, ax = plt.subplots(figsize=(8.5, 6))
for region in search.optimizer_.regions:
    (c_low, c_high), (g_low, g_high) = (
        region.params["svc__C"], region.params["svc__gamma"]
    )
    ax.add_patch(Rectangle(
        (c_low, g_low), c_high - c_low, g_high - g_low, fill=False, linewidth=1.5,
        edgecolor=colors[region.level],
    ))  # fmt: skip
for level in range(levels.max() + 1):
    name = "coarse" if level == 0 else f"level {level}"
    for kind, marker in [("rbf", "o"), ("sigmoid", "x")]:
        mask = (levels == level) & (kernel == kind)
        ax.scatter(
            C[mask], gamma[mask], marker=marker, s=36, color=colors[level],
            label=name if kind == "rbf" else None,
        )  # fmt: skip
ax.scatter(
    C[search.best_index_], gamma[search.best_index_], marker="*", s=250,
    facecolor="none", edgecolor="red", label="best",
)  # fmt: skip
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlim(1e-3, 1e3)
ax.set_ylim(1e-5, 1e0)
ax.set_xlabel("C")
ax.set_ylabel("gamma")
ax.scatter([], [], marker="x", color="gray", label="sigmoid kernel")
ax.set_title("CoarseToFineSearchCV: candidates and zoom boxes per level")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
fig.tight_layout()
plt.show()

# %%
# Against random search
# ---------------------
# RandomizedSearchCV with the same ranges and the same number of candidates.

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
print(f"RandomizedSearchCV, same budget: best CV accuracy "
      f"{randomized.best_score_:.4f}, test accuracy "
      f"{randomized.score(X_test, y_test):.4f}")
