"""
Where each strategy looks: the strategies side by side on a 2-D function
========================================================================

Every search of sklearn_hpo takes an estimator; here the "estimator" is a
stand-in whose score is the negated Branin function of its two parameters
(three global optima, marked by crosses), so that a search costs nothing
but the strategy's own work. Each strategy gets 40 candidates; the panels show
where they fell (purple first, yellow last) and the best one found (red star).

Random search spreads its candidates evenly; the model-based searches (GP,
TPE) crowd around the optima once they have seen a few scores; coarse-to-fine
zooms into boxes around its best candidates; the evolutionary and particle
swarm searches move a population towards good regions.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from sklearn_hpo import (
    BayesSearchCV,
    CoarseToFineSearchCV,
    EvolutionarySearchCV,
    ParticleSwarmSearchCV,
    Real,
    TPESearchCV,
)


def branin(x1, x2):
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


class Branin(RegressorMixin, BaseEstimator):
    """Scores -branin(x1, x2) on any data: a search's whole cost is its own."""

    def __init__(self, x1=0.0, x2=0.0):
        self.x1 = x1
        self.x2 = x2

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -branin(self.x1, self.x2)


X = np.zeros((6, 1))  # the data does not matter to this estimator
space = {"x1": Real(-5, 10), "x2": Real(0, 15)}
searches = {
    "random": BayesSearchCV(Branin(), space, optimizer="random", n_iter=40),
    "GP (BayesSearchCV)": BayesSearchCV(Branin(), space, n_iter=40),
    "TPE": TPESearchCV(Branin(), space, n_iter=40),
    "coarse-to-fine": CoarseToFineSearchCV(Branin(), space, n_iter=40),
    "evolutionary": EvolutionarySearchCV(Branin(), space, n_iter=40),
    "particle swarm": ParticleSwarmSearchCV(Branin(), space, n_iter=40),
}
for search in searches.values():
    search.set_params(cv=2, random_state=0).fit(X)

# %%
# The candidates of each search on the function's contours.
g1, g2 = np.meshgrid(np.linspace(-5, 10, 200), np.linspace(0, 15, 200))
fig, axes = plt.subplots(2, 3, figsize=(12, 7.5), sharex=True, sharey=True)
for ax, (name, search) in zip(axes.flat, searches.items()):
    ax.contourf(g1, g2, np.log(branin(g1, g2)), levels=20, cmap="Greys_r")
    params = search.cv_results_["params"]
    x = np.array([[p["x1"], p["x2"]] for p in params])
    ax.scatter(x[:, 0], x[:, 1], c=np.arange(len(x)), cmap="viridis", s=18)
    best = search.best_params_
    ax.plot(best["x1"], best["x2"], "*", color="red", ms=16, mec="k")
    ax.plot([-np.pi, np.pi, 9.42478], [12.275, 2.275, 2.475], "x", color="w")
    ax.set_title(f"{name}: best {search.best_score_:.3f}")
for ax in axes[-1]:
    ax.set_xlabel("x1")
for ax in axes[:, 0]:
    ax.set_ylabel("x2")
fig.suptitle("40 candidates per strategy on Branin (optimum -0.398)")
fig.tight_layout()
plt.show()
