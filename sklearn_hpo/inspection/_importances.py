"""Parameter importances of a search: fANOVA main effects of a random forest.

A random forest is fitted to the search's results (parameters in, mean test
score out). Each tree splits the parameter space into boxes with a constant
prediction, so the variance of its prediction over the whole space, and the
part of it that each parameter explains alone (its main effect: the variance
of the prediction averaged over every other parameter), are exact sums over
the boxes (functional ANOVA, Hutter, Hoos and Leyton-Brown, ICML 2014). The
importance of a parameter is its main-effect fraction averaged over the trees,
normalised so that the importances sum to one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_hpo.inspection._axes import ABSENT, ParamAxis
from sklearn_hpo.inspection._source import read_results, score_key, scored_rows

__all__ = ["param_importances"]


def param_importances(
    search: Any,
    *,
    metric: str | None = None,
    n_estimators: int = 64,
    random_state: int | None = 0,
) -> dict[str, float]:
    """How much of the score's variation each parameter explains on its own.

    fANOVA-style importances (the evaluator Optuna uses by default): a random
    forest is fitted to the evaluated candidates (parameters to mean test
    score), each tree's prediction is decomposed into the variance that each
    parameter explains alone, averaged over the whole space, and these main
    effects are averaged over the trees and normalised to sum to one.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV`` (also scikit-learn's), or ``cv_results_`` alone as a
        dict or DataFrame (such as :func:`sklearn_hpo.load_results` returns).
        For a multi-fidelity search (a ``n_resources`` column) only the rows
        at the largest resource are used.
    metric : str, default=None
        With several metrics, which one; None is the one ``refit`` names.
    n_estimators : int, default=64
        Trees of the forest.
    random_state : int, RandomState instance or None, default=0
        Seed of the forest.

    Returns
    -------
    importances : dict
        Parameter name to importance (non-negative, summing to one), the most
        important first. A parameter with a single value gets 0.

    Notes
    -----
    What the numbers mean, and their limits:

    - They describe the region the search sampled, weighted as the search
      sampled it: a model-based search crowds around its best candidates, so
      a parameter that matters only far from them can look unimportant.
    - Main effects only: what two parameters explain together (an
      interaction) is left out before the normalisation; the unnormalised
      fractions are in the per-tree decomposition, not returned.
    - Numbers are scaled to their observed range (on a log scale when they
      are positive and span more than two decades); each distinct value of a
      non-numeric parameter takes an equal share of its axis. In a
      conditional space a parameter missing from a candidate takes the value
      "absent", which gets a quarter of a numeric axis and an equal share of
      a categorical one.
    - Failed candidates (NaN scores) are left out; with fewer than 4 scored
      candidates there is nothing to learn from, and a ValueError is raised.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import BayesSearchCV, Real, param_importances
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-3, 1e3, log=True), "tol": Real(1e-4, 1e-2, log=True)}
    >>> search = BayesSearchCV(SVC(), space, n_iter=12, cv=3, random_state=0)
    >>> imp = param_importances(search.fit(X, y))
    >>> sorted(imp)
    ['C', 'tol']
    """
    source = read_results(search)
    key = score_key(source, metric)
    results = source.results
    rows, scores = scored_rows(source, key)
    if len(rows) < 4:
        raise ValueError(
            f"param_importances needs at least 4 candidates with a finite "
            f"{key!r}, got {len(rows)}."
        )
    params = [results["params"][i] for i in rows]
    names = sorted({name for p in params for name in p} - {source.resource})
    if not names:
        raise ValueError("The candidates have no parameters: nothing to rank.")
    from sklearn.ensemble import RandomForestRegressor  # slow to import

    columns = [[p.get(name, ABSENT) for p in params] for name in names]
    X = np.column_stack([ParamAxis(n, v).encode(v) for n, v in zip(names, columns)])
    forest = RandomForestRegressor(
        n_estimators=n_estimators, min_samples_leaf=1, random_state=random_state
    ).fit(X, scores)
    fractions = np.zeros(len(names))
    n_trees = 0
    for tree in forest.estimators_:
        tree_fractions = _tree_main_effects(tree.tree_, len(names))
        if tree_fractions is not None:
            fractions += tree_fractions
            n_trees += 1
    if n_trees:
        fractions /= n_trees
    total = fractions.sum()
    values = fractions / total if total > 0 else fractions
    order = np.argsort(-values, kind="stable")
    return {names[i]: float(values[i]) for i in order}


def _tree_main_effects(tree: Any, n_features: int) -> np.ndarray | None:
    """Each feature's share of a fitted tree's variance over [0, 1]^d."""
    lower, upper, leaf_values = _leaf_boxes(tree, n_features)
    widths = upper - lower
    volumes = widths.prod(axis=1)
    inside = volumes > 0
    lower, upper, widths = lower[inside], upper[inside], widths[inside]
    volumes, leaf_values = volumes[inside], leaf_values[inside]
    mean = volumes @ leaf_values
    variance = volumes @ (leaf_values - mean) ** 2
    if not variance > 1e-15 * max(1.0, mean**2):
        return None
    fractions = np.zeros(n_features)
    for j in range(n_features):
        edges = np.unique(np.concatenate([lower[:, j], upper[:, j], [0.0, 1.0]]))
        middles = (edges[:-1] + edges[1:]) / 2
        covers = (lower[:, j] <= middles[:, None]) & (middles[:, None] < upper[:, j])
        # The prediction averaged over every other feature, on each interval.
        marginal = covers @ (leaf_values * volumes / widths[:, j])
        fractions[j] = np.diff(edges) @ (marginal - mean) ** 2 / variance
    return fractions


def _leaf_boxes(tree: Any, n_features: int) -> tuple[np.ndarray, ...]:
    """The boxes (clipped to [0, 1]^d) and predictions of a tree's leaves."""
    lowers, uppers, values = [], [], []
    stack = [(0, np.zeros(n_features), np.ones(n_features))]
    while stack:
        node, lower, upper = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            lowers.append(lower)
            uppers.append(upper)
            values.append(tree.value[node].ravel()[0])
            continue
        feature, threshold = tree.feature[node], tree.threshold[node]
        split = min(max(threshold, lower[feature]), upper[feature])
        left_upper, right_lower = upper.copy(), lower.copy()
        left_upper[feature], right_lower[feature] = split, split
        stack.append((left, lower, left_upper))
        stack.append((right, right_lower, upper))
    return np.array(lowers), np.array(uppers), np.array(values)
