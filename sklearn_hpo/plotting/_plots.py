"""Plots of a search's ``cv_results_`` (a fitted search's, or a journal's).

matplotlib is imported when a plot is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_hpo.inspection._axes import value_label
from sklearn_hpo.inspection._source import best_index, read_results, score_key
from sklearn_hpo.inspection._source import is_number as _is_number
from sklearn_hpo.schedulers._agreement import RungAgreement
from sklearn_hpo.utils._docstring import fill_placeholders

__all__ = ["plot_convergence", "plot_parameter", "plot_rungs"]


# The parameters every plot takes, described once.
_METRIC_AX = """\
metric : str, default=None
    With several metrics, which one; None is the one ``refit`` names
    (a ValueError if ``refit`` names none, or for results alone).
ax : matplotlib Axes, default=None
    Where to draw; None makes a new figure.
"""


def _plot_docstring(func: Any) -> Any:
    """Decorator: fill the ``{metric_ax}`` line of a plot's docstring."""
    func.__doc__ = fill_placeholders(
        func.__doc__, {"metric_ax": lambda: _METRIC_AX}, func.__name__
    )
    return func


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sklearn_hpo.plotting needs matplotlib, which is not installed: "
            "pip install matplotlib (or, from a clone of sklearn_hpo, "
            "pip install '.[plot]')."
        ) from exc
    return plt


def _axes(ax: Any) -> Any:
    # A figure of our own lays itself out, so long tick labels are not cut off.
    return _pyplot().subplots(constrained_layout=True)[1] if ax is None else ax


@_plot_docstring
def plot_convergence(
    search: Any, *, metric: str | None = None, ax: Any = None, label: str | None = None
) -> Any:
    """Score of each evaluated candidate and the best score so far.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV`` (also scikit-learn's), or ``cv_results_`` alone as
        a dict or DataFrame, such as :func:`sklearn_hpo.load_results` reads
        from a journal (also one a search is still writing). Rows are read in
        order, which is evaluation order for the sequential searches. For a
        multi-fidelity search rows of every resource are mixed; see
        :func:`plot_rungs`.
    {metric_ax}
    label : str, default=None
        Legend label of the best-so-far line; None names the search ("the
        results" for a dict or DataFrame), numbered if the axes already has
        a line of that name (to compare searches on one ax).

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
    >>> from sklearn_hpo.plotting import plot_convergence
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=8,
    ...                      random_state=0).fit(X, y)
    >>> ax = plot_convergence(search)

    From a journal, in any process (here a file in a temporary directory):

    >>> import os, tempfile
    >>> from sklearn_hpo import load_results
    >>> path = os.path.join(tempfile.mkdtemp(), "search.db")
    >>> search = search.set_params(storage=path).fit(X, y)
    >>> ax = plot_convergence(load_results(path))
    >>> len(ax.lines[1].get_ydata())
    8
    """
    source = read_results(search)
    results = source.results
    key = score_key(source, metric)
    scores = np.asarray(results[key], dtype=float)
    x = np.arange(1, len(scores) + 1)
    best = np.fmax.accumulate(np.where(np.isnan(scores), -np.inf, scores))
    best = np.where(np.isinf(best), np.nan, best)  # nothing scored yet
    ax = _axes(ax)
    if label is None:
        label = _unique_label(ax, f"{source.name}, best so far")
    (line,) = ax.step(x, best, where="post", label=label)
    ax.plot(x, scores, "o", alpha=0.35, markersize=4, color=line.get_color())
    ax.set_xlabel("evaluation")
    ax.set_ylabel(key)
    ax.legend(loc="lower right")
    return ax


@_plot_docstring
def plot_rungs(search: Any, *, metric: str | None = None, ax: Any = None) -> Any:
    """Each candidate's score at every rung it reached, one colour per bracket.

    Each transition between consecutive resources is labelled, above the
    axes, with the rank agreement of the two rungs: Spearman's
    correlation ``rho`` between the scores at both resources of the
    candidates promoted from the first, pooled over brackets, and their
    number ``n`` (the ``rung_agreement_`` of HyperbandSearchCV and
    SuccessiveHalvingSearchCV, here computed from ``cv_results_``). A low or
    negative ``rho`` says that the smaller resource ranked candidates
    unlike the larger one.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        A HyperbandSearchCV or SuccessiveHalvingSearchCV (or scikit-learn's
        Halving searches: one bracket), or its ``cv_results_`` alone (as
        :func:`sklearn_hpo.load_results` reads them from a journal; the
        best candidate is then the best row at the largest resource).
    {metric_ax}

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn_hpo import HyperbandSearchCV, Integer
    >>> from sklearn_hpo.plotting import plot_rungs
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     RandomForestClassifier(random_state=0), {"max_depth": Integer(1, 8)},
    ...     resource="n_estimators", min_resources=2, max_resources=18,
    ...     random_state=0).fit(X, y)
    >>> ax = plot_rungs(search)
    >>> ax.get_xlabel()
    'resource (n_estimators)'
    """
    source = read_results(search)
    results = source.results
    if "n_resources" not in results:
        raise ValueError(
            f"plot_rungs needs a multi-fidelity search (an 'n_resources' column in "
            f"cv_results_); {source.name} {'has' if source.is_search else 'have'} "
            "none."
        )
    key = score_key(source, metric)
    scores = np.asarray(results[key], dtype=float)
    resources = np.asarray(results["n_resources"], dtype=float)
    brackets = np.asarray(results.get("bracket", np.zeros(len(scores))), dtype=int)
    resource = source.resource
    ax = _axes(ax)
    colours = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    chains: dict[tuple, list[int]] = {}
    for i, params in enumerate(results["params"]):
        same = {k: v for k, v in params.items() if k != resource}
        chains.setdefault((brackets[i], repr(sorted(same.items()))), []).append(i)
    agreement = RungAgreement()
    for (bracket, _), rows in chains.items():
        colour = colours[bracket % len(colours)]
        ax.plot(resources[rows], scores[rows], "o-", color=colour, alpha=0.5, ms=3)
        for low, high in zip(rows, rows[1:]):
            agreement.add(resources[low], resources[high], scores[low], scores[high])
    for bracket in sorted(set(brackets)):
        colour = colours[bracket % len(colours)]
        ax.plot([], [], "o-", color=colour, label=f"bracket {bracket}")
    best = best_index(source, key)
    if best is not None:
        ax.plot(resources[best], scores[best], "*", color="k", ms=12, label="best")
    if resources.min() > 0 and resources.max() / resources.min() >= 10:
        ax.set_xscale("log")
    rungs = np.unique(resources[np.isfinite(resources)])
    if len(rungs) <= 10:  # one tick per rung, labelled with its resource
        ax.set_xticks(rungs, [f"{r:g}" for r in rungs])
        ax.minorticks_off()
    ax.set_xlabel(f"resource ({resource})" if resource else "resource")
    ax.set_ylabel(key)
    ax.legend(loc="lower right")
    _label_agreement(ax, agreement)
    return ax


def _label_agreement(ax: Any, agreement: RungAgreement) -> None:
    """Write each transition's rank correlation between its two resources."""
    log = ax.get_xscale() == "log"
    for (low, high), value in agreement.as_dict().items():
        x = np.sqrt(low * high) if log else (low + high) / 2
        rho = value["correlation"]
        text = "n/a" if np.isnan(rho) else f"{rho:.2f}"
        ax.text(
            x, 1.01, f"rho={text}\nn={value['n_pairs']}",
            transform=ax.get_xaxis_transform(), ha="center", va="bottom",
            fontsize="small", color="0.3", gid="rung_agreement",
        )  # fmt: skip


@_plot_docstring
def plot_parameter(
    search: Any, name: str, *, metric: str | None = None, ax: Any = None
) -> Any:
    """Score against the value of one parameter, with the best candidate marked.

    Numbers go on a numeric axis (logarithmic when the searched dimension
    is, or when they span more than two decades); other values (strings,
    ``None``, estimators) are categories, numbers first in increasing order.
    On a multi-fidelity search each resource is its own series, since a
    score at a small resource is not comparable with one at the largest.

    Parameters
    ----------
    search : fitted search, dict or DataFrame
        Any ``*SearchCV``, or its ``cv_results_`` alone (as
        :func:`sklearn_hpo.load_results` reads them from a journal; a log
        axis is then chosen from the values' spread, and the best candidate
        is the best row, at the largest resource for a multi-fidelity
        search). Candidates without ``name`` (another sub-space) are left
        out.
    name : str
        A searched parameter (a key of ``best_params_`` or of a sub-space).
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
    >>> from sklearn_hpo.plotting import plot_parameter
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, random_state=0).fit(X, y)
    >>> ax = plot_parameter(search, "C")
    >>> ax.get_xscale()
    'log'
    """
    source = read_results(search)
    results = source.results
    key = score_key(source, metric)
    rows = [i for i, p in enumerate(results["params"]) if name in p]
    if not rows:
        names = sorted({k for p in results["params"] for k in p})
        raise ValueError(f"name must be one of {names}, got name={name!r}.")
    values = [results["params"][i][name] for i in rows]
    scores = np.asarray(results[key], dtype=float)[rows]
    ax = _axes(ax)
    if all(_is_number(v) for v in values):
        x = np.asarray(values, dtype=float)
        wide = x.min() > 0 and x.max() / x.min() > 100
        if wide or _log_dimension(source.search_spaces, name):
            ax.set_xscale("log")
    else:
        x = _category_positions(ax, values)
    if "n_resources" in results:
        resources = np.asarray(results["n_resources"])[rows]
        for r in np.unique(resources):
            at = resources == r
            ax.plot(x[at], scores[at], "o", alpha=0.5, label=f"n_resources={r}")
    else:
        ax.plot(x, scores, "o", alpha=0.5)
    best = best_index(source, key)
    if best is not None and best in rows:
        j = rows.index(best)
        ax.plot(x[j], scores[j], "*", color="k", ms=12, label="best")
    if any(line.get_label()[:1] != "_" for line in ax.lines):
        ax.legend(loc="lower right")
    ax.set_xlabel(name)
    ax.set_ylabel(key)
    return ax


def _category_positions(ax: Any, values: list) -> np.ndarray:
    """Positions of category values: numbers first, increasing, then the rest
    in order of first appearance; ticks labelled with the values."""
    labels = list(dict.fromkeys(_label(v) for v in values))
    numbers = {_label(v): float(v) for v in values if _is_number(v)}
    order = sorted(
        labels, key=lambda lab: (0, numbers[lab]) if lab in numbers else (1, 0.0)
    )
    position = {lab: i for i, lab in enumerate(order)}
    ax.set_xticks(range(len(order)), order, rotation=30, ha="right")
    return np.array([position[_label(v)] for v in values], dtype=float)


def _label(value: Any) -> str:
    return value_label(value)


def _unique_label(ax: Any, label: str) -> str:
    """``label``, numbered if a line of ``ax`` already has it."""
    taken = {line.get_label() for line in ax.lines}
    n, unique = 1, label
    while unique in taken:
        n += 1
        unique = f"{label} ({n})"
    return unique


def _log_dimension(spaces: Any, name: str) -> bool:
    """Whether ``name`` was searched on a log scale (Real/Integer)."""
    if spaces is None:
        return False
    for sub in spaces if isinstance(spaces, list) else [spaces]:
        if isinstance(sub, dict) and getattr(sub.get(name), "log", False) is True:
            return True
    return False
