"""Parallel coordinates, partial-dependence contours and importances, on
results whose shape is known."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from sklearn_hpo import param_importances

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_hpo.plotting import (  # noqa: E402
    plot_contour,
    plot_convergence,
    plot_importances,
    plot_parallel_coordinates,
    plot_parameter,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _results(n=60, seed=0):
    """Score = sin(4a), whatever b and kind are; one failed candidate."""
    rng = np.random.RandomState(seed)
    params = [
        {"a": float(a), "b": float(10**b), "kind": str(k)}
        for a, b, k in zip(rng.uniform(size=n), rng.uniform(-3, 3, size=n),
                           rng.choice(["x", "y", "z"], size=n))
    ]  # fmt: skip
    scores = np.array([np.sin(4 * p["a"]) for p in params])
    scores[3] = np.nan
    return {"params": params, "mean_test_score": scores}


def test_parallel_coordinates_draws_a_line_per_scored_candidate():
    results = _results()
    ax = plot_parallel_coordinates(results)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["mean_test_score", "a", "b", "kind"]
    best = [line for line in ax.lines if line.get_label() == "best"]
    assert len(best) == 1
    polylines = [line for line in ax.lines if len(line.get_xdata()) == 4]
    assert len(polylines) == 59 + 1  # the failed one is left out
    texts = {t.get_text() for t in ax.texts}
    assert {"x", "y", "z"} <= texts  # the categories, by name
    assert {"0.01", "0.1", "1", "10", "100"} <= texts  # b on a log scale
    # The score axis: the best line sits at the top of it.
    assert best[0].get_ydata()[0] == pytest.approx(1.0)


def test_parallel_coordinates_of_a_subset_and_a_bad_name():
    ax = plot_parallel_coordinates(_results(), ["kind", "a"])
    assert [t.get_text() for t in ax.get_xticklabels()][1:] == ["kind", "a"]
    with pytest.raises(ValueError, match="params must be among"):
        plot_parallel_coordinates(_results(), ["nope"])


def test_contour_follows_the_parameter_that_matters():
    results = _results(n=80)
    ax = plot_contour(results, "a", "kind", resolution=25)
    mesh = ax.collections[0]
    grid = np.asarray(mesh.get_array()).reshape(3, 25)  # one row per kind
    along_a = grid.max(axis=1) - grid.min(axis=1)
    across_kinds = grid.max(axis=0) - grid.min(axis=0)
    assert along_a.min() > 1.0  # sin(4a) spans about 1.76
    assert across_kinds.max() < 0.3
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["x", "y", "z"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "kind")


def test_contour_of_two_numbers_and_bad_arguments():
    ax = plot_contour(_results(), "a", "b", resolution=10)
    assert ax.get_xlabel() == "a"
    with pytest.raises(ValueError, match="y must be one of"):
        plot_contour(_results(), "a", "nope")
    with pytest.raises(ValueError, match="two parameters"):
        plot_contour(_results(), "a", "a")


def test_importances_bars_are_param_importances():
    results = _results(n=80)
    ax = plot_importances(results, n_estimators=16)
    importances = param_importances(results, n_estimators=16)
    widths = {t.get_text(): p.get_width() for t, p in
              zip(ax.get_yticklabels(), ax.patches)}  # fmt: skip
    assert widths == pytest.approx(importances)
    assert ax.get_yticklabels()[-1].get_text() == "a"  # the largest on top


def test_two_searches_on_one_axes_are_told_apart():
    X, y = load_iris(return_X_y=True)
    first = GridSearchCV(SVC(), {"C": [0.1, 1]}, cv=2).fit(X, y)
    second = GridSearchCV(SVC(), {"C": [10, 100]}, cv=2).fit(X, y)
    ax = plot_convergence(first)
    plot_convergence(second, ax=ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["GridSearchCV, best so far", "GridSearchCV, best so far (2)"]


def test_estimator_choices_are_labelled_in_full_and_laid_out():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        KNeighborsClassifier(),
        {"n_neighbors": [KNeighborsClassifier(n_neighbors=3).n_neighbors]},
        cv=2,
    )
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("clf", SVC())])
    grid = {"clf": [SVC(), KNeighborsClassifier()]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    ax = plot_parameter(search, "clf")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["SVC()", "KNeighborsClassifier()"]
    assert ax.get_xlabel() == "clf"
    # Our own figure is laid out by matplotlib, so the labels are not cut off.
    assert ax.figure.get_layout_engine() is not None


def test_rungs_get_one_tick_each_labelled_with_the_resource():
    from sklearn_hpo.plotting import plot_rungs

    params, resources, scores = [], [], []
    for i in range(9):
        for r in (3, 9, 27, 81)[: 1 + (i % 4)]:
            params.append({"a": i, "max_iter": r})
            resources.append(r)
            scores.append(i / 10 + r / 100)
    results = {"params": params, "mean_test_score": np.array(scores),
               "n_resources": np.array(resources)}  # fmt: skip
    ax = plot_rungs(results)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "9", "27", "81"]
    assert ax.get_xscale() == "log"
