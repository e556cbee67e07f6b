"""The stoppers: arguments, the callback protocol, and what each search does."""

import math
import pickle
import time
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    RandomizedSearchCV,
)

import sklearn_hpo
from sklearn_hpo import (
    BayesSearchCV,
    DeadlineStopper,
    EvolutionarySearchCV,
    HyperbandSearchCV,
    NoImprovementStopper,
    Real,
    SuccessiveHalvingSearchCV,
    TargetScoreStopper,
    TPESearchCV,
)

sk_callback = pytest.importorskip("sklearn.callback")  # scikit-learn >= 1.9

# Importing the enabler is public API; HalvingRandomSearchCV needs it.
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import HalvingRandomSearchCV  # noqa: E402

X = np.arange(40, dtype=float).reshape(20, 2)
Y = np.linspace(0.0, 1.0, 20)
CV = KFold(2)
DELAY = 0.02  # seconds each fit of a slow double takes (at least)


class ScoreDouble(RegressorMixin, BaseEstimator):
    """``score`` is the parameter ``a``; ``fit`` sleeps ``delay`` seconds."""

    def __init__(self, a=0.5, delay=0.0, n_estimators=1):
        self.a = a
        self.delay = delay
        self.n_estimators = n_estimators

    def fit(self, X, y=None):
        time.sleep(self.delay)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return float(self.a)


class RoundsSearchCV(GridSearchCV):
    """A search following the contract the score stoppers rely on.

    It evaluates its grid one candidate per round and, at the end of each
    round, passes its results so far as the ``fitted_estimator``'s
    ``cv_results_`` (``reconstruction_attributes``) and stops when a callback
    answers True. Only public scikit-learn API is used.
    """

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        search_ctx = callback_ctx.subcontext(
            task_name="search", max_subtasks=None
        ).call_on_fit_task_begin(estimator=self)
        for candidate in ParameterGrid(self.param_grid):
            round_ctx = search_ctx.subcontext(
                task_name="round",
                max_subtasks=self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
            results = evaluate_candidates([candidate], callback_ctx=round_ctx)
            if round_ctx.call_on_fit_task_end(
                estimator=self, reconstruction_attributes={"cv_results_": results}
            ):
                break
        search_ctx.call_on_fit_task_end(estimator=self)


def rounds_search(scores, stopper, **kwargs):
    search = RoundsSearchCV(ScoreDouble(), {"a": list(scores)}, cv=CV, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NaN scores
        return search.set_callbacks(stopper).fit(X, Y)


def n_evaluated(search):
    return len(search.cv_results_["params"])


# ----------------------------------------------------------------- the API
STOPPERS = [DeadlineStopper(5), NoImprovementStopper(3), TargetScoreStopper(0.9)]


@pytest.mark.parametrize("stopper", STOPPERS, ids=repr)
def test_stoppers_are_fit_callbacks_that_searches_accept(stopper):
    assert isinstance(stopper, sk_callback.FitCallback)
    # Not auto-propagated: the fits of the candidates are never stopped.
    assert not isinstance(stopper, sk_callback.AutoPropagatedCallback)
    search = GridSearchCV(ScoreDouble(), {"a": [0.1]})
    assert search.set_callbacks(stopper) is search


def test_stoppers_are_exported():
    for name in ["DeadlineStopper", "NoImprovementStopper", "TargetScoreStopper"]:
        assert name in sklearn_hpo.__all__
        assert getattr(sklearn_hpo, name) is getattr(sklearn_hpo.callbacks, name)


def test_repr_shows_the_arguments():
    assert repr(DeadlineStopper(5)) == "DeadlineStopper(seconds=5)"
    assert repr(NoImprovementStopper(3, 0.01)) == (
        "NoImprovementStopper(patience=3, min_delta=0.01, metric=None)"
    )
    assert repr(TargetScoreStopper(-0.5, metric="r2")) == (
        "TargetScoreStopper(score=-0.5, metric='r2')"
    )


D, N, T = DeadlineStopper, NoImprovementStopper, TargetScoreStopper


@pytest.mark.parametrize(
    "cls, args, kwargs, error, message",
    [
        (D, [0], {}, ValueError, "seconds must be > 0; got 0"),
        (D, [-1.5], {}, ValueError, "seconds must be > 0; got -1.5"),
        (D, [math.inf], {}, ValueError, "seconds must be finite; got inf"),
        (D, [math.nan], {}, ValueError, "seconds must be finite; got nan"),
        (D, ["5"], {}, TypeError, "seconds must be a real number; got '5'"),
        (D, [True], {}, TypeError, "seconds must be a real number; got True"),
        (N, [0], {}, ValueError, "patience must be >= 1; got 0"),
        (N, [2.0], {}, TypeError, "patience must be an integer; got 2.0"),
        (N, [True], {}, TypeError, "patience must be an integer; got True"),
        (N, [2, -0.1], {}, ValueError, "min_delta must be >= 0; got -0.1"),
        (N, [2, math.nan], {}, ValueError, "min_delta must be finite; got nan"),
        (T, [math.inf], {}, ValueError, "score must be finite; got inf"),
        (T, [None], {}, TypeError, "score must be a real number; got None"),
        (T, [0.5], {"metric": 1}, TypeError, "metric must be a str or None; got 1"),
    ],
)
def test_invalid_arguments_name_the_parameter_and_the_value(
    cls, args, kwargs, error, message
):
    with pytest.raises(error, match=f"{cls.__name__}: {message}"):
        cls(*args, **kwargs)


def test_numpy_numbers_are_accepted():
    assert DeadlineStopper(np.float32(1.5)).seconds == np.float32(1.5)
    assert NoImprovementStopper(np.int64(3), np.float64(0.1)).patience == 3
    assert TargetScoreStopper(np.int64(1)).score == 1


def test_stoppers_pickle_during_a_fit():
    # joblib sends the search, its callbacks and their state to workers.
    stopper = TargetScoreStopper(0.9)

    class PickleOnEnd(TargetScoreStopper):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            pickle.loads(pickle.dumps(stopper))
            return super().on_fit_task_end(
                estimator, context, fitted_estimator=fitted_estimator
            )

    search = rounds_search([0.1, 0.95, 0.2], PickleOnEnd(0.9))
    assert n_evaluated(search) == 2


# ------------------------------------- a search that follows the contract
def test_target_stops_right_after_the_round_that_reaches_it():
    stopper = TargetScoreStopper(0.9)
    search = rounds_search([0.1, 0.5, 0.95, 0.2, 0.99], stopper)
    assert n_evaluated(search) == 3
    assert stopper.stop_requested_ and "0.95" in stopper.stop_reason_
    assert (stopper.best_score_, stopper.n_candidates_seen_) == (0.95, 3)
    assert search.best_params_ == {"a": 0.95}  # the refit follows


def test_target_not_reached_lets_the_search_finish():
    stopper = TargetScoreStopper(0.9)
    search = rounds_search([0.1, 0.5, 0.89], stopper)
    assert n_evaluated(search) == 3
    assert not stopper.stop_requested_ and stopper.stop_reason_ is None
    assert stopper.best_score_ == 0.89


def test_target_follows_the_maximise_convention_for_negated_losses():
    search = rounds_search([-3.0, -0.4, -0.1, -0.05], TargetScoreStopper(-0.2))
    assert n_evaluated(search) == 3


def test_no_improvement_counts_candidates_since_the_last_improvement():
    stopper = NoImprovementStopper(patience=2)
    # 0.5 and 0.9 improve; 0.2 and 0.3 do not: stop after the 4th candidate.
    search = rounds_search([0.5, 0.9, 0.2, 0.3, 0.95, 0.1], stopper)
    assert n_evaluated(search) == 4
    assert stopper.stop_requested_ and stopper.best_score_ == 0.9
    assert "2 candidates in a row" in stopper.stop_reason_


def test_no_improvement_patience_one():
    search = rounds_search([0.5, 0.9, 0.9, 0.95], NoImprovementStopper(patience=1))
    assert n_evaluated(search) == 3  # an equal score is no improvement


def test_no_improvement_min_delta_against_the_last_improvement():
    # 0.5 improves; 0.53 is within min_delta of it (not an improvement); 0.56
    # is more than min_delta above 0.5 (the reference), so it improves.
    stopper = NoImprovementStopper(patience=2, min_delta=0.05)
    search = rounds_search([0.5, 0.53, 0.56, 0.4, 0.6, 0.7], stopper)
    assert n_evaluated(search) == 5
    search = rounds_search([0.5, 0.53, 0.54, 0.9], stopper)
    assert n_evaluated(search) == 3


def test_failed_candidates_never_improve_nor_reach_the_target():
    search = rounds_search([math.nan, math.nan, 0.5, 0.6], NoImprovementStopper(2))
    assert n_evaluated(search) == 2
    stopper = TargetScoreStopper(0.0)
    search = rounds_search([math.nan, math.nan, 0.5, 0.6], stopper)
    assert n_evaluated(search) == 3 and stopper.best_score_ == 0.5


def test_deadline_stops_after_the_round_in_which_it_passes():
    stopper = DeadlineStopper(DELAY)
    search = RoundsSearchCV(
        ScoreDouble(delay=DELAY), {"a": [0.1, 0.2, 0.3, 0.4]}, cv=CV
    ).set_callbacks(stopper)
    search.fit(X, Y)  # each round's two fits take at least 2 * DELAY
    assert n_evaluated(search) == 1
    assert stopper.stop_requested_ and "seconds=0.02" in stopper.stop_reason_


def test_a_stopper_starts_afresh_on_every_fit():
    stopper = TargetScoreStopper(0.9)
    assert n_evaluated(rounds_search([0.95, 0.1, 0.2], stopper)) == 1
    assert n_evaluated(rounds_search([0.1, 0.2, 0.3], stopper)) == 3
    assert not stopper.stop_requested_ and stopper.best_score_ == 0.3
    deadline = DeadlineStopper(3600)
    assert n_evaluated(rounds_search([0.1, 0.2], deadline)) == 2
    assert not deadline.stop_requested_


def scorer(name):
    return lambda estimator, X, y: {"a": 1.0, "minus_a": -1.0}[name] * estimator.a


MULTI = {"a": scorer("a"), "minus_a": scorer("minus_a")}


def test_multimetric_watches_the_refit_metric_or_the_one_named():
    scores = [0.5, 0.7, 0.6, 0.4, 0.9]
    search = rounds_search(scores, NoImprovementStopper(2), scoring=MULTI, refit="a")
    assert n_evaluated(search) == 4
    stopper = NoImprovementStopper(2, metric="minus_a")
    search = rounds_search(scores, stopper, scoring=MULTI, refit="a")
    assert n_evaluated(search) == 3 and stopper.best_score_ == -0.5


def test_multimetric_without_a_metric_to_watch_is_an_error():
    message = r"several metrics \['a', 'minus_a'\].*pass metric="
    with pytest.raises(ValueError, match=message):
        rounds_search([0.5], TargetScoreStopper(0.9), scoring=MULTI, refit=False)
    with pytest.raises(ValueError, match="metric='r2' is not a metric of the search"):
        rounds_search([0.5], TargetScoreStopper(0.9, metric="r2"))


# ---------------------------------------------------- scikit-learn's searches
def sklearn_searches(delay=0.0):
    est = ScoreDouble(delay=delay)
    return [
        GridSearchCV(est, {"a": [0.95, 0.1, 0.2, 0.3]}, cv=CV),
        RandomizedSearchCV(
            est, {"a": stats.uniform(0.0, 1.0)}, n_iter=4, cv=CV, random_state=0
        ),
        HalvingRandomSearchCV(
            est, {"a": stats.uniform(0.0, 1.0)}, resource="n_estimators",
            min_resources=1, max_resources=9, cv=CV, random_state=0,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("search", sklearn_searches(DELAY), ids=type)
def test_sklearn_searches_ignore_the_deadline(search):
    # scikit-learn 1.9 asks after every fit, but ignores the answers.
    plain = clone(search).set_params(estimator__delay=0.0).fit(X, Y)
    stopper = DeadlineStopper(DELAY)
    search = clone(search).set_callbacks(stopper).fit(X, Y)
    assert search.cv_results_["params"] == plain.cv_results_["params"]
    assert stopper.stop_requested_
    if hasattr(search, "n_iterations_"):
        assert search.n_iterations_ == plain.n_iterations_ == 3


@pytest.mark.parametrize("search", sklearn_searches(), ids=type)
@pytest.mark.parametrize(
    "stopper", [TargetScoreStopper(0.0), NoImprovementStopper(1)], ids=repr
)
def test_sklearn_searches_show_the_scores_only_at_the_end(search, stopper):
    plain = clone(search).fit(X, Y)
    search = clone(search).set_callbacks(stopper).fit(X, Y)
    assert search.cv_results_["params"] == plain.cv_results_["params"]
    scores = search.cv_results_["mean_test_score"]
    assert stopper.n_candidates_seen_ == len(scores)
    assert stopper.best_score_ == np.max(scores)
    # The condition holds, but only once nothing is left to stop.
    assert not stopper.stop_requested_


# ------------------------------------------------------------ our searches
SPACE = {"a": Real(0.0, 1.0)}
SEQUENTIAL = [BayesSearchCV, TPESearchCV, EvolutionarySearchCV]


def multi_fidelity(cls, est, space=SPACE):
    return cls(
        est, space, resource="n_estimators", min_resources=1, max_resources=9,
        cv=CV, random_state=0,
    )  # fmt: skip


@pytest.mark.parametrize("cls", SEQUENTIAL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n_points", [1, 2])
def test_deadline_stops_our_sequential_searches_after_a_round(cls, n_points):
    stopper = DeadlineStopper(DELAY)
    search = cls(
        ScoreDouble(delay=DELAY), SPACE, n_iter=8, n_points=n_points, cv=CV,
        random_state=0,
    ).set_callbacks(stopper)  # fmt: skip
    search.fit(X, Y)
    assert n_evaluated(search) == n_points  # the first round, of 8 candidates
    assert stopper.stop_requested_
    assert hasattr(search, "best_estimator_")  # the refit still happens


@pytest.mark.parametrize("cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
def test_deadline_stops_our_multi_fidelity_searches_after_a_rung(cls):
    plain = multi_fidelity(cls, ScoreDouble()).fit(X, Y)
    assert len(plain.n_resources_) > 1
    stopper = DeadlineStopper(DELAY)
    search = multi_fidelity(cls, ScoreDouble(delay=DELAY)).set_callbacks(stopper)
    search.fit(X, Y)
    assert search.n_resources_ == plain.n_resources_[:1]
    assert n_evaluated(search) == plain.n_candidates_[0]
    assert stopper.stop_requested_ and hasattr(search, "best_estimator_")


@pytest.mark.parametrize("cls", SEQUENTIAL, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "stopper", [TargetScoreStopper(0.9), NoImprovementStopper(2)], ids=repr
)
def test_our_searches_show_the_score_stoppers_every_score(cls, stopper):
    search = cls(ScoreDouble(), SPACE, n_iter=6, cv=CV, random_state=0)
    search.set_callbacks(stopper).fit(X, Y)
    scores = search.cv_results_["mean_test_score"]
    assert stopper.n_candidates_seen_ == len(scores)
    assert stopper.best_score_ == np.max(scores)


# Our searches show their stoppers each round's or rung's new rows
# (search_checkpoint), and honour the answer before the next one.
POINTS = [{"a": 0.1}, {"a": 0.5}, {"a": 0.95}, {"a": 0.2}, {"a": 0.3}, {"a": 0.4}]


@pytest.mark.parametrize("cls", SEQUENTIAL, ids=lambda c: c.__name__)
def test_target_stops_our_searches_after_the_round_that_reaches_it(cls):
    search = cls(
        ScoreDouble(), SPACE, n_iter=8, initial_points=POINTS, cv=CV,
        random_state=0,
    ).set_callbacks(TargetScoreStopper(0.9))  # fmt: skip
    assert n_evaluated(search.fit(X, Y)) == 3


@pytest.mark.parametrize("cls", SEQUENTIAL, ids=lambda c: c.__name__)
def test_no_improvement_stops_our_searches_after_patience_rounds(cls):
    # 0.1, 0.5, 0.95 improve; 0.2 and 0.3 do not.
    search = cls(
        ScoreDouble(), SPACE, n_iter=8, initial_points=POINTS, cv=CV,
        random_state=0,
    ).set_callbacks(NoImprovementStopper(patience=2))  # fmt: skip
    assert n_evaluated(search.fit(X, Y)) == 5


@pytest.mark.parametrize("cls", [HyperbandSearchCV, SuccessiveHalvingSearchCV])
@pytest.mark.parametrize(
    "stopper", [TargetScoreStopper(0.0), NoImprovementStopper(1)], ids=repr
)
def test_score_stoppers_stop_our_multi_fidelity_searches_after_a_rung(cls, stopper):
    # Every candidate scores 0.5 (delay does not change the score): all reach
    # 0.0, and the second one of the first rung does not improve.
    space = {"delay": Real(0.0, 1e-6)}
    plain = multi_fidelity(cls, ScoreDouble(), space).fit(X, Y)
    assert plain.n_candidates_[0] >= 2 and len(plain.n_resources_) > 1
    search = multi_fidelity(cls, ScoreDouble(), space).set_callbacks(stopper)
    assert search.fit(X, Y).n_resources_ == plain.n_resources_[:1]


@pytest.mark.parametrize("callback", [DeadlineStopper(60), [DeadlineStopper(60)]])
def test_a_stopper_given_to_fit_is_refused_before_any_fit(callback):
    # scikit-optimize's fit(X, y, callback=[DeadlineStopper(60)]): the stopper
    # would reach ScoreDouble.fit and fail every candidate.
    search = BayesSearchCV(ScoreDouble(), {"a": Real(0, 1)}, n_iter=6, cv=CV)
    with pytest.raises(TypeError, match=r"fit got callback=.*set_callbacks"):
        search.fit(X, Y, callback=callback)
    assert not hasattr(search, "cv_results_")
