"""The plots also draw a journal's results: load_results' dict or DataFrame.

Each journal here is written by a real search into a file in tmp_path, read
back with load_results, and plotted as the fitted search itself is.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from sklearn_hpo import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Real,
    load_results,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_hpo.plotting import (  # noqa: E402
    plot_convergence,
    plot_parameter,
    plot_rungs,
)

X = np.zeros((12, 1))


class Double(RegressorMixin, BaseEstimator):
    """Score = -(a - 0.3)^2, minus 1 / units; fails when ``kind == "bad"``."""

    def __init__(self, a=0.5, kind="ok", units=1):
        self.a = a
        self.kind = kind
        self.units = units

    def fit(self, X, y=None):
        if self.kind == "bad":
            raise ValueError("bad kind")
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) - 1.0 / self.units


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _bayes(path, **kw):
    space = {"a": Real(1e-3, 1.0, log=True), "kind": Categorical(["ok", "bad", "x"])}
    search = BayesSearchCV(
        Double(), space, n_iter=12, n_initial_points=4, cv=2, random_state=0,
        storage=path, **kw,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the failed candidates
        return search.fit(X)


def _hyperband(path):
    return HyperbandSearchCV(
        Double(), {"a": Real(0.0, 1.0)}, resource="units", min_resources=1,
        max_resources=9, cv=2, random_state=0, storage=path,
    ).fit(X)  # fmt: skip


def _data(line):
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(
        line.get_ydata(), dtype=float
    )


def _same_lines(ax, other):
    assert len(ax.lines) == len(other.lines)
    for mine, theirs in zip(ax.lines, other.lines):
        for a, b in zip(_data(mine), _data(theirs)):
            np.testing.assert_array_equal(a, b)
    assert ax.get_xscale() == other.get_xscale()
    assert ax.get_ylabel() == other.get_ylabel()


@pytest.mark.parametrize("as_frame", [False, True])
def test_a_journal_plots_as_its_search(tmp_path, as_frame):
    if as_frame:
        pytest.importorskip("pandas")
    path = str(tmp_path / "search.db")
    search = _bayes(path)
    results = load_results(path, as_frame=as_frame)
    assert np.isnan(search.cv_results_["mean_test_score"]).any()  # failed rows
    _same_lines(plot_convergence(results), plot_convergence(search))
    ax = plot_parameter(results, "a")
    _same_lines(ax, plot_parameter(search, "a"))
    star = ax.lines[-1]
    assert star.get_xdata()[0] == search.best_params_["a"]
    assert star.get_ydata()[0] == search.best_score_
    ax = plot_parameter(results, "kind")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert set(labels) <= {"ok", "bad", "x"} and "ok" in labels


def test_a_filtered_frame_is_plotted(tmp_path):
    pytest.importorskip("pandas")
    path = str(tmp_path / "search.db")
    search = _bayes(path)
    frame = load_results(path, as_frame=True)
    ok = frame[frame["status"] == "ok"]
    assert 0 < len(ok) < len(frame)
    ax = plot_convergence(ok)
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), scores[~np.isnan(scores)])


def test_a_multi_metric_journal_needs_a_metric(tmp_path):
    def scorer(est, X, y=None):
        return {"full": est.score(X), "half": est.score(X) / 2}

    path = str(tmp_path / "search.db")
    search = _bayes(path, scoring=scorer, refit="full")
    results = load_results(path)
    with pytest.raises(ValueError, match=r"several metrics \['full', 'half'\]: pass"):
        plot_convergence(results)
    ax = plot_convergence(results, metric="half")
    assert ax.get_ylabel() == "mean_test_half"
    np.testing.assert_array_equal(
        ax.lines[1].get_ydata(), search.cv_results_["mean_test_half"]
    )
    _same_lines(
        plot_parameter(results, "a", metric="full"), plot_parameter(search, "a")
    )
    with pytest.raises(ValueError, match=r"metric must be one of \['full', 'half'\]"):
        plot_parameter(results, "a", metric="nope")


def test_a_hyperband_journal_plots_its_rungs(tmp_path):
    path = str(tmp_path / "search.db")
    search = _hyperband(path)
    results = load_results(path)
    ax = plot_rungs(results)
    _same_lines(ax, plot_rungs(search))
    # The best row at the largest resource: the search's best_index_.
    star = ax.lines[-1]
    assert star.get_xdata()[0] == 9
    assert star.get_ydata()[0] == search.best_score_
    # The resource parameter is found from n_resources: one line per candidate.
    assert ax.get_xlabel() == "resource (units)"
    _same_lines(plot_parameter(results, "a"), plot_parameter(search, "a"))


def test_results_that_are_not_cv_results_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"needs a 'params' column.*\['a', 'b'\]"):
        plot_convergence({"a": [1], "b": [2]})
    with pytest.raises(TypeError, match="got str"):
        plot_convergence(str(tmp_path / "search.db"))
    path = str(tmp_path / "search.db")
    _bayes(path)
    with pytest.raises(ValueError, match="plot_rungs needs.*the results have none"):
        plot_rungs(load_results(path))


def test_a_journal_without_rows_yet_says_so():
    from sklearn_hpo.journal import build_results

    with pytest.raises(ValueError, match="no candidate yet"):
        plot_convergence(build_results([]))
