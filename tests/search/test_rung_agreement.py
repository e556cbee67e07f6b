"""rung_agreement_: how well each rung's ranking predicted the next rung's.

The double's score at resource ``r`` is ``x * (r - crossing)``: below the
crossing a small ``x`` ranks first, above it a large one, so the correlation
of every transition is known exactly (+1, -1, or undefined when every score
at one resource is 0).
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold

from sklearn_hpo import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV
from sklearn_hpo.schedulers import rank_correlation


class CrossingDouble(RegressorMixin, BaseEstimator):
    """Score ``x * (budget - crossing)``; NaN (a failed fit) when ``x > fail_above``."""

    def __init__(self, x=0.5, budget=1, crossing=0.0, fail_above=None):
        self.x = x
        self.budget = budget
        self.crossing = crossing
        self.fail_above = fail_above

    def fit(self, X, y=None):
        if self.fail_above is not None and self.x > self.fail_above:
            raise ValueError("x too large")
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return float(self.x * (self.budget - self.crossing))


XZ = np.zeros((8, 1))
SPACE = {"x": Real(0.0, 1.0)}


def _hyperband(crossing, max_resources=27, **kw):
    return HyperbandSearchCV(
        CrossingDouble(crossing=crossing), SPACE, resource="budget",
        min_resources=1, max_resources=max_resources, cv=KFold(2),
        random_state=0, **kw,
    )  # fmt: skip


def _pairs_from_results(search):
    """Expected pairs per transition, from cv_results_ alone."""
    res = search.cv_results_
    out = {}
    rows = {}
    for i, p in enumerate(res["params"]):
        rows.setdefault((res["bracket"][i], p["x"]), []).append(i)
    for chain in rows.values():
        for a, b in zip(chain, chain[1:]):
            key = (int(res["n_resources"][a]), int(res["n_resources"][b]))
            out[key] = out.get(key, 0) + 1
    return out


def test_rank_correlation_handles_ties_nan_and_few_pairs():
    assert rank_correlation([1, 2, 3], [2, 4, 8]) == (1.0, 3)
    assert rank_correlation([1, 2, 3], [8, 4, 2]) == (-1.0, 3)
    # Average ranks for ties: x ranks (1.5, 1.5, 3), y ranks (1, 2, 3).
    rho, n = rank_correlation([1, 1, 2], [1, 2, 3])
    assert n == 3 and rho == pytest.approx(np.sqrt(3) / 2)
    # Pairs with a NaN or inf are left out; fewer than 3 left: undefined.
    rho, n = rank_correlation([1, 2, np.nan, 4], [1, 2, 3, -np.inf])
    assert np.isnan(rho) and n == 2
    # One side constant: undefined.
    rho, n = rank_correlation([5, 5, 5, 5], [1, 2, 3, 4])
    assert np.isnan(rho) and n == 4
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        rank_correlation([1, 2], [1, 2, 3])


def test_agreeing_rungs_have_correlation_one_pooled_over_brackets():
    search = _hyperband(crossing=0.0).fit(XZ)
    agreement = search.rung_agreement_
    # Plan 1..27, factor 3: brackets 27@1 -> 9@3 -> 3@9 -> 1@27, 12@3 -> 4@9
    # -> 1@27, 6@9 -> 2@27, 4@27: pooled pairs per transition.
    assert agreement == {
        (1, 3): {"correlation": 1.0, "n_pairs": 9},
        (3, 9): {"correlation": 1.0, "n_pairs": 3 + 4},
        (9, 27): {"correlation": 1.0, "n_pairs": 1 + 1 + 2},
    }
    assert {k: v["n_pairs"] for k, v in agreement.items()} == _pairs_from_results(
        search
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_asynchronous_scheduler_records_the_same_pairs(n_jobs):
    search = _hyperband(crossing=5.0, scheduler="async", n_jobs=n_jobs).fit(XZ)
    assert search.scheduler_ == "async"
    agreement = search.rung_agreement_
    assert {k: v["n_pairs"] for k, v in agreement.items()} == _pairs_from_results(
        search
    )
    assert agreement[(3, 9)]["correlation"] == -1.0
    assert agreement[(9, 27)]["correlation"] == 1.0


def test_a_crossing_between_two_rungs_shows_as_disagreement():
    # Between 3 and 9 the ranking reverses; elsewhere it agrees.
    search = _hyperband(crossing=5.0).fit(XZ)
    agreement = search.rung_agreement_
    assert agreement[(1, 3)]["correlation"] == 1.0
    assert agreement[(3, 9)]["correlation"] == -1.0
    assert agreement[(9, 27)]["correlation"] == 1.0


def test_undefined_when_a_rung_scores_all_alike_or_too_few_pairs():
    # Every score at resource 3 is 0: (1, 3) and (3, 9) are undefined.
    search = _hyperband(crossing=3.0).fit(XZ)
    agreement = search.rung_agreement_
    assert np.isnan(agreement[(1, 3)]["correlation"])
    assert np.isnan(agreement[(3, 9)]["correlation"])
    # One bracket, too few pairs at the top.
    sh = SuccessiveHalvingSearchCV(
        CrossingDouble(), SPACE, resource="budget", min_resources=1,
        max_resources=9, n_candidates=6, cv=KFold(2), random_state=0,
    ).fit(XZ)  # fmt: skip
    assert sh.n_candidates_ == [6, 2]
    (value,) = sh.rung_agreement_.values()
    assert np.isnan(value["correlation"]) and value["n_pairs"] == 2


def test_failed_candidates_are_left_out():
    # Most candidates fail: NaN ranks last, so some failed ones are promoted
    # to fill a rung, and fail again there; their pairs are left out.
    search = _hyperband(crossing=0.0, error_score=np.nan)
    search.set_params(estimator__fail_above=0.3)
    with pytest.warns(UserWarning):
        search.fit(XZ)
    res = search.cv_results_
    finite = {}
    for i, p in enumerate(res["params"]):
        finite.setdefault((res["bracket"][i], p["x"]), []).append(
            (int(res["n_resources"][i]), np.isfinite(res["mean_test_score"][i]))
        )
    expected = {}
    for chain in finite.values():
        for (r, ok), (r_next, ok_next) in zip(chain, chain[1:]):
            expected[r, r_next] = expected.get((r, r_next), 0) + (ok and ok_next)
    got = {k: v["n_pairs"] for k, v in search.rung_agreement_.items()}
    assert got == expected
    assert got[(1, 3)] < 9  # a failed candidate was promoted
    for value in search.rung_agreement_.values():
        assert value["correlation"] == 1.0 or np.isnan(value["correlation"])


def test_successive_halving_has_it_too_and_multimetric_uses_refit():
    sh = SuccessiveHalvingSearchCV(
        CrossingDouble(crossing=5.0), SPACE, resource="budget", min_resources=1,
        max_resources=27, cv=KFold(2), random_state=0,
        scoring={"score": lambda est, X, y=None: est.score(X),
                 "minus": lambda est, X, y=None: -est.score(X)},
        refit="minus",
    ).fit(XZ)  # fmt: skip
    # Refit on "minus": small x is promoted at low budget; the crossing
    # between 3 and 9 reverses the ranking there.
    assert sh.rung_agreement_[(1, 3)]["correlation"] == 1.0
    assert sh.rung_agreement_[(3, 9)]["correlation"] == -1.0


# ------------------------------------------------------- fidelity="adaptive"


def _rungs(search):
    return [
        [(r.n_candidates, r.n_resources) for r in b.rungs] for b in search.brackets_
    ]


PLAN_1_27 = [
    [(27, 1), (9, 3), (3, 9), (1, 27)],
    [(12, 3), (4, 9), (1, 27)],
    [(6, 9), (2, 27)],
    [(4, 27)],
]
PLAN_1_81 = [
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    [(34, 3), (11, 9), (3, 27), (1, 81)],
    [(15, 9), (5, 27), (1, 81)],
    [(8, 27), (2, 81)],
    [(5, 81)],
]


def test_adaptive_moves_budget_to_less_aggressive_brackets_when_rungs_disagree():
    # The ranking reverses between 3 and 9: after the first bracket,
    # rho(3, 9) = -1 from 9 pairs, so the bracket that starts at 3 is replaced
    # by the one that starts at 9. rho(9, 27) is unknown (3 pairs), then +1.
    kw = dict(max_resources=81, crossing=5.0)
    fixed = _hyperband(**kw).fit(XZ)
    assert _rungs(fixed) == PLAN_1_81
    adaptive = _hyperband(fidelity="adaptive", **kw).fit(XZ)
    P = PLAN_1_81
    assert _rungs(adaptive) == [P[0], P[2], P[2], P[3], P[4]]
    assert [b.bracket for b in adaptive.brackets_] == [0, 1, 2, 3, 4]
    assert all(r.bracket == 1 for r in adaptive.brackets_[1].rungs)
    assert adaptive.plan_ == fixed.plan_  # the plan is kept, as planned
    assert adaptive.rung_agreement_ == {
        (1, 3): {"correlation": 1.0, "n_pairs": 27},
        (3, 9): {"correlation": -1.0, "n_pairs": 9},
        (9, 27): {"correlation": 1.0, "n_pairs": 3 + 5 + 5},
        (27, 81): {"correlation": 1.0, "n_pairs": 1 + 1 + 1 + 2},
    }
    res = adaptive.cv_results_
    first = np.asarray(res["bracket"])[np.asarray(res["iter"]) == 0]
    assert np.bincount(first).tolist() == [81, 15, 15, 8, 5]
    assert adaptive.best_params_["budget"] == 81


def test_adaptive_acts_only_on_five_pairs_or_more():
    # The reversal is between 9 and 27: 3 pairs after the first bracket (not
    # acted on), 3 + 3 after the second; the third bracket (9 -> 27 -> 81)
    # becomes the one that starts at 27.
    adaptive = _hyperband(
        max_resources=81, crossing=15.0, fidelity="adaptive"
    ).fit(XZ)
    P = PLAN_1_81
    assert _rungs(adaptive) == [P[0], P[1], P[3], P[3], P[4]]
    assert adaptive.rung_agreement_[(9, 27)] == {"correlation": -1.0, "n_pairs": 6}
    # With 1..27, the reversal between 3 and 9 has only 3 pairs before the
    # second bracket, and 3 + 4 after it, when no bracket starts below 9.
    assert _rungs(_hyperband(crossing=5.0, fidelity="adaptive").fit(XZ)) == PLAN_1_27


def test_adaptive_runs_the_plan_when_rungs_agree_or_the_bar_is_low():
    for search in (
        _hyperband(crossing=0.0, fidelity="adaptive", max_resources=81),
        _hyperband(
            crossing=5.0, fidelity="adaptive", min_agreement=-1.0, max_resources=81
        ),
    ):
        assert _rungs(search.fit(XZ)) == PLAN_1_81


def test_a_disagreeing_budget_gets_no_model():
    from sklearn_hpo.optimizers._bracket import BracketSampler
    from sklearn_hpo.schedulers._agreement import RungAgreement
    from sklearn_hpo.space import as_search_space

    space = as_search_space(SPACE)
    agreement = RungAgreement()
    samplers = [
        BracketSampler(
            space, "tpe", np.random.RandomState(0), min_points_in_model=4, **kw
        )
        for kw in ({}, {"agreement": agreement})
    ]
    x = np.linspace(0, 1, 6)
    for sampler in samplers:
        sampler.record([{"x": v} for v in x], x, 3)
        sampler.record([{"x": v} for v in x[:2]], x[:2], 9)
    # Budget 3 has enough points, budget 9 too few.
    assert [s.model_budget() for s in samplers] == [3, 3]  # rho(3, 9) unknown
    agreement.add(3, 9, [4, 3, 2, 1], [1, 2, 3, 4])
    # rho = -1, but from 4 pairs: not acted on.
    assert [s.model_budget() for s in samplers] == [3, 3]
    agreement.add(3, 9, [0], [5])
    assert agreement.correlation(3, 9)[0] < 0.5
    assert [s.model_budget() for s in samplers] == [3, None]
    samplers[1].agreement = RungAgreement()
    samplers[1].agreement.add(3, 9, [1, 2, 3, 4, 5], [1, 2, 3, 5, 4])
    assert samplers[1].model_budget() == 3
