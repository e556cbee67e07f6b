"""
Bayesian optimisation against random search on one budget
==========================================================

The same SVC pipeline on the same 30-candidate budget: scikit-learn's
RandomizedSearchCV samples the log-uniform ranges blindly; BayesSearchCV
(a Gaussian process with expected improvement) proposes each candidate from
the scores so far. The convergence plot shows each candidate's score and the
best so far; the last cell compares the held-out accuracy of the two refit
models.
"""

# %%
import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import BayesSearchCV
from sklearn_hpo.plotting import plot_convergence

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe = make_pipeline(StandardScaler(), SVC())
# The same scipy.stats distributions for both searches.
space = {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-6, 1e0)}
common = {"n_iter": 30, "cv": 3, "n_jobs": 2, "random_state": 0}
random_search = RandomizedSearchCV(pipe, space, **common).fit(X_train, y_train)
bayes_search = BayesSearchCV(pipe, space, **common).fit(X_train, y_train)

# %%
ax = plot_convergence(random_search)
plot_convergence(bayes_search, ax=ax)
ax.set_ylim(0.8, 1.0)
ax.set_title("30 candidates each, 3-fold CV accuracy")
plt.show()

# %%
for name, search in [("random", random_search), ("Bayes", bayes_search)]:
    print(f"{name:>6}: CV {search.best_score_:.4f}, "
          f"held-out {search.score(X_test, y_test):.4f}")  # fmt: skip
