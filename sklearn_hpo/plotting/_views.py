"""Views of all parameters at once: parallel coordinates, a two-parameter
partial-dependence contour from a surrogate, and importances.

Each parameter is placed on [0, 1] as :mod:`sklearn_hpo.inspection._axes`
describes; the ticks show the parameter's own values.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_hpo.inspection._axes import ABSENT, ParamAxis
from sklearn_hpo.inspection._importances import param_importances
from sklearn_hpo.inspection._source import (
    best_index,
    read_results,
    score_key,
    scored_rows,
)
from sklearn_hpo.plotting._plots import (
    _axes,
    _log_dimension,
    _plot_docstring,
    _pyplot,
)

__all__ = ["plot_contour", "plot_importances", "plot_parallel_coordinates"]


def _param_axes(source: Any, rows: np.ndarray, names: Any) -> list[ParamAxis]:
    params = [source.results["params"][i] for i in rows]
    found = sorted({n for p in params for n in p} - {source.resource})
    if names is None:
        names = found
    else:
        names = list(names)
        unknown = [n for n in names if n not in found]
        if unknown:
            raise ValueError(f"params must be among {found}, got {unknown}.")
    spaces = source.search_spaces
    return [
        ParamAxis(n, [p.get(n, ABSENT) for p in params], log=_log_dimension(spaces, n))
        for n in names
    ]


@_plot_docstring
def plot_parallel_coordinates(
    search: Any,
    params: list[str] | None = None,
    *,
    metric: str | None = None,
    ax: Any = None,
) -> Any:
    """Every candidate as a line across one axis per parameter, coloured by score.

    The first axis is the score; the best candidate is drawn in black. Failed
    candidates (NaN scores) are left out; for a multi-fidelity search, only
    the candidates at the largest resource are drawn.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV`` (also scikit-learn's), or ``cv_results_`` alone as
        a dict or DataFrame (such as :func:`sklearn_hpo.load_results` reads).
    params : list of str, default=None
        The parameters to show, in this order; None shows them all.
    {metric_ax}

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import Real, TPESearchCV
    >>> from sklearn_hpo.plotting import plot_parallel_coordinates
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, random_state=0).fit(X, y)
    >>> ax = plot_parallel_coordinates(search)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['mean_test_score', 'C', 'kernel']
    """
    plt = _pyplot()
    source = read_results(search)
    key = score_key(source, metric)
    rows, scores = scored_rows(source, key)
    if not len(rows):
        raise ValueError(f"No candidate has a finite {key!r}: nothing to draw.")
    axes = _param_axes(source, rows, params)
    score_axis = ParamAxis(key, list(scores))
    columns = [score_axis.encode(list(scores))]
    columns += [a.encode(a.values) for a in axes]
    positions = np.column_stack(columns)
    ax = _axes(ax)
    norm = plt.Normalize(scores.min(), scores.max())
    cmap = plt.get_cmap("viridis")
    x = np.arange(positions.shape[1])
    for i in np.argsort(scores):  # the best on top
        ax.plot(x, positions[i], color=cmap(norm(scores[i])), alpha=0.6, lw=1)
    best = best_index(source, key)
    if best is not None and best in rows:
        j = int(np.flatnonzero(rows == best)[0])
        ax.plot(x, positions[j], color="k", lw=2.5, label="best")
        ax.legend(loc="upper right")
    for i, axis in enumerate([score_axis, *axes]):
        ax.axvline(i, color="0.6", lw=0.8, zorder=0)
        for at, text in zip(*axis.ticks()):
            ax.text(
                i + 0.03, at, text, fontsize=7, va="center", color="0.2", zorder=3,
                bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.3},
            )  # fmt: skip
    ax.set_xticks(x, [key] + [a.name for a in axes], rotation=20, ha="right")
    ax.set_xlim(-0.1, len(x) - 0.6)
    ax.set_ylim(-0.05, 1.05)
    ax.set_yticks([])
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(mappable, ax=ax, label=key)
    return ax


@_plot_docstring
def plot_contour(
    search: Any,
    x: str,
    y: str,
    *,
    metric: str | None = None,
    resolution: int = 40,
    random_state: int | None = 0,
    ax: Any = None,
) -> Any:
    """Partial dependence of the score on two parameters, from a surrogate.

    A Gaussian process (Matern 5/2 with a noise term) is fitted to the scored
    candidates with every parameter placed on [0, 1]; each cell shows its
    prediction averaged over the candidates' values of the other parameters
    (Friedman's partial dependence, as scikit-optimize's ``plot_objective``
    draws it). The candidates are drawn on top, the best as a star. A
    categorical parameter gets one row or column per category.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV`` (also scikit-learn's), or ``cv_results_`` alone.
    x, y : str
        The two parameters.
    {metric_ax}
    resolution : int, default=40
        Grid points along a numeric axis.
    random_state : int or None, default=0
        Seed of the surrogate's hyperparameter restarts.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The surrogate is only as good as the candidates around a cell: far from
    every candidate it returns to the mean score. The candidates drawn on top
    show where it has data.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import BayesSearchCV, Real
    >>> from sklearn_hpo.plotting import plot_contour
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)}
    >>> search = BayesSearchCV(SVC(), space, n_iter=10, random_state=0).fit(X, y)
    >>> ax = plot_contour(search, "C", "gamma")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('C', 'gamma')
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    if x == y:
        raise ValueError(f"x and y must be two parameters, got x=y={x!r}.")
    source = read_results(search)
    key = score_key(source, metric)
    rows, scores = scored_rows(source, key)
    if len(rows) < 3:
        raise ValueError(
            f"plot_contour needs at least 3 candidates with a finite {key!r}, "
            f"got {len(rows)}."
        )
    all_axes = _param_axes(source, rows, None)
    by_name = {a.name: a for a in all_axes}
    for arg, name in (("x", x), ("y", y)):
        if name not in by_name:
            raise ValueError(f"{arg} must be one of {sorted(by_name)}, got {name!r}.")
    X = np.column_stack([a.encode(a.values) for a in all_axes])
    d = X.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        length_scale=np.full(d, 0.3), length_scale_bounds=(0.1, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, (1e-3, 1.0))
    gp = GaussianProcessRegressor(
        kernel, normalize_y=True, n_restarts_optimizer=2, random_state=random_state
    )
    with warnings.catch_warnings():  # a bound reached is no news to a reader
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(X, scores)
    ix, iy = all_axes.index(by_name[x]), all_axes.index(by_name[y])
    gx, gy = by_name[x].grid(resolution), by_name[y].grid(resolution)
    # Partial dependence: the mean prediction over (up to 100 of) the rows,
    # with x and y set to each grid point.
    base = X[np.random.RandomState(0).permutation(len(X))[:100]]
    grid = np.empty((len(gy), len(gx)))
    for j, vy in enumerate(gy):
        batch = np.repeat(base[None], len(gx), axis=0)
        batch[:, :, ix] = gx[:, None]
        batch[:, :, iy] = vy
        grid[j] = gp.predict(batch.reshape(-1, d)).reshape(len(gx), -1).mean(axis=1)
    ax = _axes(ax)
    plt = _pyplot()
    if (
        by_name[x].numeric
        and by_name[y].numeric
        and not (by_name[x].has_absent or by_name[y].has_absent)
    ):
        filled = ax.contourf(gx, gy, grid, levels=12, cmap="viridis")
    else:
        filled = ax.pcolormesh(
            _edges(gx), _edges(gy), grid, cmap="viridis", shading="flat"
        )
    ax.figure.colorbar(filled, ax=ax, label=f"{key} (partial dependence)")
    ax.scatter(X[:, ix], X[:, iy], s=12, c="w", edgecolors="k", lw=0.5)
    best = best_index(source, key)
    if best is not None and best in rows:
        j = int(np.flatnonzero(rows == best)[0])
        ax.plot(X[j, ix], X[j, iy], "*", color="r", ms=14, mec="k", label="best")
        ax.legend(loc="upper right")
    for axis, set_ticks in ((by_name[x], ax.set_xticks), (by_name[y], ax.set_yticks)):
        positions, labels = axis.ticks()
        set_ticks(positions, labels)
    if not by_name[x].numeric:
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centres, within [0, 1]."""
    middles = (centres[:-1] + centres[1:]) / 2
    return np.concatenate([[0.0], middles, [1.0]])


@_plot_docstring
def plot_importances(
    search: Any,
    *,
    metric: str | None = None,
    n_estimators: int = 64,
    random_state: int | None = 0,
    ax: Any = None,
) -> Any:
    """Bars of :func:`sklearn_hpo.param_importances`, the most important on top.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV`` (also scikit-learn's), or ``cv_results_`` alone.
    {metric_ax}
    n_estimators : int, default=64
        Trees of the forest fitted to the results.
    random_state : int or None, default=0
        Seed of the forest.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import Real, TPESearchCV
    >>> from sklearn_hpo.plotting import plot_importances
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "tol": Real(1e-4, 1e-2, log=True)}
    >>> search = TPESearchCV(SVC(), space, n_iter=10, random_state=0).fit(X, y)
    >>> ax = plot_importances(search)
    >>> len(ax.patches)
    2
    """
    importances = param_importances(
        search, metric=metric, n_estimators=n_estimators, random_state=random_state
    )
    names = list(importances)[::-1]
    ax = _axes(ax)
    ax.barh(names, [importances[n] for n in names], color="C0")
    ax.set_xlabel("importance (fANOVA main effect, normalised)")
    ax.set_xlim(0, 1)
    return ax
