"""
Choosing the model in a pipeline: a conditional space
=====================================================

A list of dicts is a conditional space, as in scikit-learn's searches: each
dict is a sub-space, here one per classifier of the pipeline's last step, with
that classifier's own parameters. TPESearchCV models the choice of the model
and each model's parameters together, and spends its budget on the model that
scores best.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import Integer, Real, TPESearchCV
from sklearn_hpo.plotting import plot_parallel_coordinates, plot_parameter

X, y = load_digits(return_X_y=True)
pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
space = [
    {
        "clf": [SVC()],
        "clf__C": Real(1e-2, 1e3, log=True),
        "clf__gamma": Real(1e-5, 1e-1, log=True),
    },
    {
        "clf": [KNeighborsClassifier()],
        "clf__n_neighbors": Integer(1, 40),
        "clf__weights": ["uniform", "distance"],
    },
    {"clf": [LogisticRegression(max_iter=300)], "clf__C": Real(1e-3, 1e2, log=True)},
]
search = TPESearchCV(pipe, space, n_iter=30, cv=3, n_jobs=2, random_state=0)
search.fit(X, y)
print("best:", search.best_params_["clf"], f"accuracy {search.best_score_:.3f}")

# %%
# How many candidates each model got, and their scores.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
plot_parameter(search, "clf", ax=ax)
plt.show()

# %%
# All parameters at once: one line per candidate, coloured by its score. A
# parameter of another model is "absent" for a candidate.
ax = plot_parallel_coordinates(search)
ax.figure.set_size_inches(10, 5)
plt.show()
