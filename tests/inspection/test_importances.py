"""param_importances: fANOVA main effects, on results with a known answer."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import RandomizedSearchCV
from sklearn.tree import DecisionTreeClassifier

from sklearn_hpo import param_importances
from sklearn_hpo.inspection._importances import _tree_main_effects


def _results(params, scores, **extra):
    return {"params": params, "mean_test_score": np.asarray(scores, float), **extra}


def _grid_results(score, n=200, seed=0):
    rng = np.random.RandomState(seed)
    params = [
        {"a": float(a), "b": float(b), "kind": str(k)}
        for a, b, k in zip(rng.uniform(size=n), rng.uniform(size=n),
                           rng.choice(["x", "y", "z"], size=n))
    ]  # fmt: skip
    return _results(params, [score(p) for p in params])


def test_one_parameter_decides_the_score():
    results = _grid_results(lambda p: np.sin(6 * p["a"]))
    importances = param_importances(results)
    assert list(importances)[0] == "a"
    assert importances["a"] > 0.9
    assert sum(importances.values()) == pytest.approx(1.0)


def test_a_categorical_parameter_that_decides_the_score():
    values = {"x": 0.0, "y": 1.0, "z": 3.0}
    importances = param_importances(_grid_results(lambda p: values[p["kind"]]))
    assert importances["kind"] > 0.9


def test_additive_effects_share_by_their_variance():
    # Var(2a) = 4/12, Var(b) = 1/12 for uniform a, b: shares 0.8 and 0.2.
    importances = param_importances(
        _grid_results(lambda p: 2 * p["a"] + p["b"], n=400), n_estimators=32
    )
    assert importances["a"] == pytest.approx(0.8, abs=0.08)
    assert importances["b"] == pytest.approx(0.2, abs=0.08)
    assert importances["kind"] < 0.05


def test_main_effects_of_a_tree_are_exact():
    # A hand-checked tree: 0 where x0 < 0.5; else 0 where x1 < 0.5, 2 where not.
    # Mean 0.5, variance 0.75. Averaged over x1, the prediction is 0 or 1 on
    # the halves of x0 (variance 0.25); averaged over x0, 0 or 1 on the halves
    # of x1 (0.25): a third each, the last third is their interaction.
    class Tree:
        children_left = np.array([1, -1, 3, -1, -1])
        children_right = np.array([2, -1, 4, -1, -1])
        feature = np.array([0, -2, 1, -2, -2])
        threshold = np.array([0.5, -2, 0.5, -2, -2])
        value = np.array([[[0.0]], [[0.0]], [[0.0]], [[0.0]], [[2.0]]])

    fractions = _tree_main_effects(Tree, 2)
    np.testing.assert_allclose(fractions, [1 / 3, 1 / 3])


def test_conditional_and_failed_candidates():
    rng = np.random.RandomState(0)
    params, scores = [], []
    for i in range(120):
        if i % 2:
            params.append({"model": "svc", "C": float(10 ** rng.uniform(-3, 3))})
            scores.append(0.9)
        else:
            params.append({"model": "knn", "k": int(rng.randint(1, 50))})
            scores.append(0.5 if i % 10 else np.nan)
    importances = param_importances(_results(params, scores))
    assert set(importances) == {"model", "C", "k"}
    assert all(v >= 0 for v in importances.values())
    assert sum(importances.values()) == pytest.approx(1.0)
    # The failed candidates are left out, as if they had never been run.
    scored = [i for i, s in enumerate(scores) if np.isfinite(s)]
    without = _results([params[i] for i in scored], [scores[i] for i in scored])
    assert param_importances(without) == importances


def test_multi_fidelity_rows_at_the_largest_resource_only():
    params = [{"a": a, "n_samples": r} for r in (10, 100) for a in np.linspace(0, 1, 8)]
    scores = [p["a"] if p["n_samples"] == 100 else 0.0 for p in params]
    results = _results(params, scores, n_resources=[p["n_samples"] for p in params])
    importances = param_importances(results)
    assert set(importances) == {"a"}


def test_works_on_scikit_learns_searches():
    X, y = load_iris(return_X_y=True)
    search = RandomizedSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2, 3, 4, 6], "min_samples_leaf": [1, 2, 4, 8, 16]},
        n_iter=15, cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    importances = param_importances(search)
    assert max(importances, key=importances.get) == "max_depth"


def test_too_few_candidates_is_an_error():
    with pytest.raises(ValueError, match="at least 4 candidates"):
        param_importances(_results([{"a": 1}, {"a": 2}, {"a": 3}], [1, np.nan, 2]))
