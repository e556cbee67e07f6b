"""
Which parameters mattered: importances and partial dependence
=============================================================

After a search, :func:`sklearn_hpo.param_importances` fits a random forest to
the candidates' scores and splits its variance into the part each parameter
explains on its own (fANOVA main effects). :func:`~sklearn_hpo.plotting.plot_contour`
shows the score's partial dependence on two parameters, from a Gaussian
process fitted to the same candidates. Both read only ``cv_results_``, so
they work as well on a scikit-learn search or on a journal's results.

Here the search tunes a random forest on a noisy classification task; the
printout and the bars say which of its four parameters decided the score.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from sklearn_hpo import Integer, Real, TPESearchCV, param_importances
from sklearn_hpo.plotting import plot_contour, plot_importances

X, y = make_classification(
    n_samples=600, n_features=20, n_informative=6, flip_y=0.1, random_state=0
)
space = {
    "max_depth": Integer(1, 20),
    "min_samples_leaf": Integer(1, 50, log=True),
    "max_features": Real(0.1, 1.0),
    "bootstrap": [True, False],
}
search = TPESearchCV(
    RandomForestClassifier(n_estimators=30, random_state=0),
    space,
    n_iter=40,
    cv=3,
    n_jobs=2,
    random_state=0,
).fit(X, y)
for name, value in param_importances(search).items():
    print(f"{name:>17}: {value:.2f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
plot_importances(search, ax=left)
plot_contour(search, "max_depth", "min_samples_leaf", ax=right)
plt.show()
