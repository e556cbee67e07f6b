"""
Hyperband on gradient boosting: the rungs
=========================================

HyperbandSearchCV treats the number of boosting iterations (``max_iter`` of
HistGradientBoostingClassifier) as a budget: many candidates are fitted with
few iterations, and only the best of each rung go on with three times more.
With ``warm_start="auto"`` a candidate that goes on continues from its fitted
trees instead of starting over. The rung plot shows each candidate's score at
every resource it reached, one colour per bracket (a bracket trades the number
of candidates against the resource they start with).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_hpo import HyperbandSearchCV, Integer, Real
from sklearn_hpo.plotting import plot_rungs

X, y = load_breast_cancer(return_X_y=True)
space = {
    "learning_rate": Real(1e-2, 0.5, log=True),
    "max_leaf_nodes": Integer(4, 64, log=True),
    "l2_regularization": Real(1e-4, 10, log=True),
}
search = HyperbandSearchCV(
    HistGradientBoostingClassifier(early_stopping=False, random_state=0),
    space,
    resource="max_iter",
    min_resources=3,
    max_resources=81,
    scoring="neg_log_loss",
    cv=3,
    n_jobs=2,
    random_state=0,
)
search.fit(X, y)
best = {k: float(f"{v:.3g}") if isinstance(v, float) else v
        for k, v in search.best_params_.items()}  # fmt: skip
print(f"{len(search.cv_results_['params'])} fits of candidates, best log loss "
      f"{-search.best_score_:.4f} with")
print(best)

# %%
ax = plot_rungs(search)
ax.figure.set_size_inches(7, 4.5)
ax.set_ylim(-0.4, -0.05)
plt.show()
