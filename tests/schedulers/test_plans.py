"""Budget plans against the literal tables of the papers and scikit-learn."""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, KFold

from sklearn_hpo.schedulers import (
    Bracket,
    Rung,
    hyperband_plan,
    max_halvings,
    successive_halving_plan,
)

# Li et al. (2018), section 3.3: R = 81, eta = 3; one row per bracket
# s = 4..0, each a list of (n_i, r_i).
HYPERBAND_R81_ETA3 = [
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    [(34, 3), (11, 9), (3, 27), (1, 81)],
    [(15, 9), (5, 27), (1, 81)],
    [(8, 27), (2, 81)],
    [(5, 81)],
]


def _table(plan):
    return [[(r.n_candidates, r.n_resources) for r in b.rungs] for b in plan]


def test_hyperband_plan_is_the_table_of_the_paper():
    plan = hyperband_plan(1, 81, 3)
    assert _table(plan) == HYPERBAND_R81_ETA3
    assert [b.bracket for b in plan] == [0, 1, 2, 3, 4]
    for b in plan:
        assert [r.rung for r in b.rungs] == list(range(len(b.rungs)))
        assert all(r.bracket == b.bracket for r in b.rungs)
    assert [b.budget for b in plan] == [405, 363, 351, 378, 405]


def test_hyperband_plan_scales_with_min_resources():
    # The same table in units of 10 (resources 10..810).
    plan = hyperband_plan(10, 810, 3)
    expected = [[(n, 10 * r) for n, r in b] for b in HYPERBAND_R81_ETA3]
    assert _table(plan) == expected


def test_hyperband_plan_when_the_range_is_not_a_power_of_factor():
    # s_max = 2 (2 * 3**2 = 18 <= 20 < 54); every bracket ends at 20 and
    # no rung gets less than min_resources.
    plan = hyperband_plan(2, 20, 3)
    assert _table(plan) == [
        [(9, 2), (3, 6), (1, 20)],
        [(5, 6), (1, 20)],
        [(3, 20)],
    ]


def test_exact_powers_do_not_lose_a_rung():
    # float log(243, 3) is 4.999..., which floors to 4.
    assert max_halvings(1, 243, 3) == 5
    assert len(hyperband_plan(1, 243, 3)) == 6
    assert max_halvings(1, 1000, 10) == 3
    assert max_halvings(5, 5, 3) == 0
    assert max_halvings(1, 80, 3) == 3


def test_real_factor_is_exact():
    # 1.5 is 3/2 exactly: 4 * 1.5**3 = 13.5 <= 13.5.
    assert max_halvings(4, 13, 1.5) == 2
    assert max_halvings(8, 27, 1.5) == 3
    assert max_halvings(8, 27, Fraction(3, 2)) == 3
    plan = hyperband_plan(8, 27, 1.5)
    assert [r.n_resources for r in plan[0].rungs] == [8, 12, 18, 27]


@pytest.mark.parametrize("n_brackets", [1, 3, 5, 7, 11])
def test_n_brackets_keeps_the_most_exploratory_then_cycles(n_brackets):
    full = _table(hyperband_plan(1, 81, 3))
    plan = hyperband_plan(1, 81, 3, n_brackets=n_brackets)
    assert len(plan) == n_brackets
    assert _table(plan) == [full[b % 5] for b in range(n_brackets)]
    assert [b.bracket for b in plan] == list(range(n_brackets))


def test_records_are_frozen():
    bracket = hyperband_plan(1, 9)[0]
    assert isinstance(bracket, Bracket) and isinstance(bracket.rungs[0], Rung)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bracket.rungs[0].n_candidates = 2
    assert bracket.n_candidates == 9
    assert hash(bracket) == hash(hyperband_plan(1, 9)[0])


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0, 9), {}, "min_resources must be an int >= 1, got 0"),
        ((10, 9), {}, r"min_resources \(10\) must be <= max_resources \(9\)"),
        ((1.5, 9), {}, "min_resources must be an int"),
        ((1, 9), {"factor": 1}, "factor must be a real number > 1, got 1"),
        ((1, 9), {"factor": True}, "got True"),
        ((1, 9), {"n_brackets": 0}, "n_brackets must be an int >= 1, got 0"),
    ],
)
def test_hyperband_plan_errors_name_parameter_and_value(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hyperband_plan(*args, **kwargs)


def test_successive_halving_plan_errors():
    with pytest.raises(ValueError, match="n_candidates must be an int >= 1, got 0"):
        successive_halving_plan(0, 1, 9)
    with pytest.raises(ValueError, match="factor must be a real number > 1"):
        successive_halving_plan(9, 1, 9, factor=0.5)


class _Budget(RegressorMixin, BaseEstimator):
    """A do-nothing regressor with an integer ``budget`` parameter."""

    def __init__(self, budget=1, a=0.0):
        self.budget = budget
        self.a = a

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return self.a


@pytest.mark.parametrize(
    "n_candidates, min_resources, max_resources, factor",
    [
        (10, 1, 81, 3),
        (81, 1, 81, 3),
        (30, 2, 100, 2),
        (5, 10, 20, 3),
        (100, 3, 1000, 4),
        (7, 4, 4, 3),
        (50, 5, 30, 2),
    ],
)
def test_successive_halving_plan_is_what_sklearn_halving_does(
    n_candidates, min_resources, max_resources, factor
):
    X = np.zeros((8, 2))
    y = np.zeros(8)
    sk = HalvingRandomSearchCV(
        _Budget(),
        {"a": np.linspace(0, 1, 1000)},
        n_candidates=n_candidates,
        resource="budget",
        min_resources=min_resources,
        max_resources=max_resources,
        factor=factor,
        cv=KFold(2),
        random_state=0,
        refit=False,
    ).fit(X, y)
    plan = successive_halving_plan(n_candidates, min_resources, max_resources, factor)
    assert [r.n_candidates for r in plan.rungs] == sk.n_candidates_
    assert [r.n_resources for r in plan.rungs] == sk.n_resources_


def test_aggressive_elimination_adds_rungs_at_min_resources():
    plan = successive_halving_plan(30, 1, 9, 3, aggressive_elimination=True)
    assert [(r.n_candidates, r.n_resources) for r in plan.rungs] == [
        (30, 1), (10, 1), (4, 3), (2, 9)
    ]
    # More resource than the halvings need: as scikit-learn, the rungs move
    # up so that the last one gets closest to max_resources.
    plan = successive_halving_plan(27, 1, 81, 3, aggressive_elimination=True)
    assert [(r.n_candidates, r.n_resources) for r in plan.rungs] == [
        (27, 3), (9, 9), (3, 27), (1, 81)
    ]


# ------------------------------------------------ rank agreement of the rungs


def test_trusted_bracket_steps_down_while_a_transition_disagrees():
    from sklearn_hpo.schedulers._agreement import (
        RungAgreement,
        chain_agreement,
        trusted_bracket,
    )

    plan = hyperband_plan(1, 27, 3)
    agreement = RungAgreement()
    # Nothing known: every bracket as planned.
    assert np.isnan(chain_agreement(plan[0], agreement))
    assert [trusted_bracket(b, plan, agreement, 0.5) for b in plan] == list(plan)
    agreement.add(1, 3, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])  # agrees
    agreement.add(3, 9, [1, 2, 3, 4], [4, 3, 2, 1])  # reverses, 4 pairs
    assert chain_agreement(plan[0], agreement) == 1.0  # 4 pairs: skipped
    agreement.add(3, 9, [5], [0])
    assert chain_agreement(plan[0], agreement) == -1.0
    # Bracket 0 (starts at 1) and bracket 1 (at 3) pass through 3 -> 9: both
    # become the bracket that starts at 9, with their own index.
    for b in plan[:2]:
        moved = trusted_bracket(b, plan, agreement, 0.5)
        assert [(r.n_candidates, r.n_resources) for r in moved.rungs] == [
            (6, 9), (2, 27)
        ]
        assert {r.bracket for r in moved.rungs} == {b.bracket}
    assert trusted_bracket(plan[2], plan, agreement, 0.5) is plan[2]
    # An undefined transition (one side constant) counts as unknown.
    agreement.add(9, 27, [1, 2, 3, 4, 5], [2, 2, 2, 2, 2])
    assert np.isnan(agreement.correlation(9, 27)[0])
    assert trusted_bracket(plan[2], plan, agreement, 0.5) is plan[2]
    # Below the bar all the way down: the single-rung bracket, never further.
    agreement = RungAgreement()
    agreement.add(3, 9, [1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    agreement.add(9, 27, [1, 2, 3, 4, 5], [1, 2, 3, 5, 4])  # rho = 0.9
    assert trusted_bracket(plan[1], plan, agreement, 1.0).rungs == (
        Rung(1, 0, 4, 27),
    )
    assert trusted_bracket(plan[3], plan, agreement, 1.0) is plan[3]
    assert trusted_bracket(plan[1], plan, agreement, -1.0) is plan[1]
