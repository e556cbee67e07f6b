"""The plots read a fitted search's cv_results_ (or a journal's, from
load_results) and draw what they say."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import NotFittedError

from sklearn_hpo import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Integer,
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
from sklearn_hpo.utils._testing import QuadraticDouble  # noqa: E402

X = np.zeros((12, 1))


Double = QuadraticDouble


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _fit(**kw):
    space = {"a": Real(1e-3, 1.0, log=True), "kind": Categorical(["ok", "bad", "x"])}
    search = BayesSearchCV(
        Double(), space, n_iter=12, n_initial_points=4, cv=2, random_state=0, **kw
    )
    with pytest.warns(UserWarning):  # the failed candidates
        return search.fit(X)


def test_convergence_draws_every_score_and_the_running_best():
    search = _fit()
    ax = plot_convergence(search, label="gp")
    best, points = ax.lines
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_array_equal(points.get_ydata(), scores)
    expected = np.fmax.accumulate(np.where(np.isnan(scores), -np.inf, scores))
    expected[expected == -np.inf] = np.nan
    np.testing.assert_array_equal(best.get_ydata(), expected)
    assert best.get_ydata()[-1] == search.best_score_
    assert ax.get_legend().get_texts()[0].get_text() == "gp"


def test_parameter_plot_marks_the_best_and_handles_categories():
    search = _fit()
    ax = plot_parameter(search, "a")
    assert ax.get_xscale() == "log"
    star = ax.lines[-1]
    assert star.get_xdata()[0] == search.best_params_["a"]
    assert star.get_ydata()[0] == search.best_score_
    ax = plot_parameter(search, "kind")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert set(labels) <= {"ok", "bad", "x"} and "ok" in labels


def test_multimetric_plots_the_refit_metric_or_the_one_asked():
    def scorer(est, X, y=None):
        return {"score": est.score(X), "half": est.score(X) / 2}

    search = _fit(scoring=scorer, refit="score")
    ax = plot_convergence(search)
    assert ax.get_ylabel() == "mean_test_score"
    ax = plot_convergence(search, metric="half")
    np.testing.assert_array_equal(
        ax.lines[1].get_ydata(), search.cv_results_["mean_test_half"]
    )
    with pytest.raises(ValueError, match=r"metric must be one of \['half', 'score'\]"):
        plot_convergence(search, metric="nope")


def test_rungs_connect_each_candidate_across_its_bracket():
    search = HyperbandSearchCV(
        Double(), {"a": Real(0.0, 1.0)}, resource="units", min_resources=1,
        max_resources=9, cv=2, random_state=0,
    ).fit(X)  # fmt: skip
    ax = plot_rungs(search)
    res = search.cv_results_
    chains = {(b, p["a"]) for b, p in zip(res["bracket"], res["params"])}
    drawn = [line for line in ax.lines if len(line.get_xdata())]
    assert len(drawn) == len(chains) + 1  # one line per candidate, and the star
    assert sum(len(line.get_xdata()) for line in drawn[:-1]) == len(res["params"])
    star = drawn[-1]
    assert star.get_xdata()[0] == res["n_resources"][search.best_index_]
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "best"


def _agreement_texts(ax):
    return [
        (t.get_position()[0], t.get_text())
        for t in ax.texts
        if t.get_gid() == "rung_agreement"
    ]


def test_rungs_are_labelled_with_the_rank_agreement_of_each_transition():
    search = HyperbandSearchCV(
        Double(), {"a": Real(0.0, 1.0)}, resource="units", min_resources=1,
        max_resources=9, cv=2, random_state=0,
    ).fit(X)  # fmt: skip
    ax = plot_rungs(search)
    assert search.rung_agreement_ == {
        (1, 3): {"correlation": 1.0, "n_pairs": 3},
        (3, 9): {"correlation": pytest.approx(np.nan, nan_ok=True), "n_pairs": 2},
    }
    texts = _agreement_texts(ax)
    # The double ranks alike at every resource: 3 of 9 promoted from 1 to 3;
    # 1 + 1 promoted from 3 to 9, too few for a correlation.
    assert [t for _, t in texts] == ["rho=1.00\nn=3", "rho=n/a\nn=2"]
    # Midway between the two resources (a linear axis: 9 / 1 < 10).
    assert ax.get_xscale() == "linear"
    assert [x for x, _ in texts] == pytest.approx([2, 6])


def test_errors_name_what_is_wrong():
    search = BayesSearchCV(Double(), {"a": Real(0, 1)}, n_iter=3)
    with pytest.raises(NotFittedError, match="BayesSearchCV instance is not fitted"):
        plot_convergence(search)
    search = _fit()
    with pytest.raises(ValueError, match="plot_rungs needs a multi-fidelity search"):
        plot_rungs(search)
    with pytest.raises(ValueError, match=r"name must be one of \['a', 'kind'\]"):
        plot_parameter(search, "b")


def test_integer_parameter_on_a_linear_axis():
    search = BayesSearchCV(
        Double(), {"units": Integer(1, 20)}, n_iter=6, cv=2, random_state=0
    ).fit(X)
    ax = plot_parameter(search, "units")
    assert ax.get_xscale() == "linear"


def test_refit_naming_no_metric_asks_for_one():
    def scorer(est, X, y=None):
        return {"full": est.score(X), "half": est.score(X) / 2}

    search = _fit(scoring=scorer, refit=False)
    with pytest.raises(ValueError, match=r"several metrics \['full', 'half'\]"):
        plot_convergence(search)
    assert plot_convergence(search, metric="half").get_ylabel() == "mean_test_half"


def test_numbers_stay_in_order_next_to_none():
    # max_depth=[None, 2, 5, 10, 20]: evaluation order must not set the axis.
    search = BayesSearchCV(
        Double(), {"units": [20, None, 5, 2, 10]}, n_iter=5, cv=2, random_state=0,
        optimizer="random",
    )
    with pytest.warns(UserWarning):  # units=None fails to score
        search.fit(X)
    ax = plot_parameter(search, "units")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2", "5", "10", "20", "None"]


def test_a_log_dimension_gets_a_log_axis_and_sub_spaces_are_filtered():
    space = [{"a": Real(0.1, 0.5, log=True)}, {"units": Integer(1, 5)}]
    search = BayesSearchCV(Double(), space, n_iter=10, cv=2, random_state=0).fit(X)
    ax = plot_parameter(search, "a")
    assert ax.get_xscale() == "log"  # a narrow range: from the dimension
    n_with_a = sum("a" in p for p in search.cv_results_["params"])
    assert 0 < n_with_a < 10 and len(ax.lines[0].get_xdata()) == n_with_a


def test_each_resource_is_its_own_series_on_a_multi_fidelity_search():
    search = HyperbandSearchCV(
        Double(), {"a": Real(0.0, 1.0)}, resource="units", min_resources=1,
        max_resources=9, cv=2, random_state=0,
    ).fit(X)  # fmt: skip
    ax = plot_parameter(search, "a")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["n_resources=1", "n_resources=3", "n_resources=9", "best"]
    assert sum(len(line.get_xdata()) for line in ax.lines[:-1]) == len(
        search.cv_results_["params"]
    )


def test_scikit_learn_searches_are_plotted_too():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import GridSearchCV, HalvingRandomSearchCV

    halving = HalvingRandomSearchCV(
        Double(), {"a": stats.uniform(0, 1)}, resource="units", min_resources=1,
        max_resources=9, cv=2, random_state=0,
    ).fit(X)  # fmt: skip
    ax = plot_rungs(halving)  # no bracket column: one bracket
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bracket 0", "best"]
    grid = GridSearchCV(Double(), {"a": [0.1, 0.3, 0.9]}, cv=2).fit(X)
    assert plot_parameter(grid, "a").lines[-1].get_xdata()[0] == 0.3


# The plots also draw a journal's results: load_results' dict or DataFrame.
# Each journal here is written by a real search into a file in tmp_path,
# read back with load_results, and plotted as the fitted search itself is.


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
    assert _agreement_texts(ax) == _agreement_texts(plot_rungs(search))
    assert _agreement_texts(ax)
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
