"""The strategy registry agrees with the package it describes."""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.model_selection import KFold

import sklearn_hpo
from sklearn_hpo import optimizers, search
from sklearn_hpo._registry import FAMILIES, STRATEGIES, strategies, strategy
from sklearn_hpo.optimizers._named import optimizer_class
from sklearn_hpo.space import Real
from sklearn_hpo.utils._testing import BraninEstimator

SEARCH_CLASSES = {s.search for s in STRATEGIES}
SEQUENTIAL = [s for s in STRATEGIES if s.family != "multi-fidelity"]
MULTI_FIDELITY = strategies(family="multi-fidelity")

X = np.zeros((40, 1))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def _search(s, **params):
    cls = getattr(sklearn_hpo, s.search)
    return cls(BraninEstimator(), SPACE, cv=KFold(2), random_state=0,
               **s.params, **params)


def test_the_registry_lists_every_public_search_class():
    public = {name for name in sklearn_hpo.__all__ if name.endswith("SearchCV")}
    assert SEARCH_CLASSES == public
    assert SEARCH_CLASSES == set(search.__all__) - {"BaseSequentialSearchCV"}


def test_records_name_existing_classes_and_parameters():
    assert len({s.name for s in STRATEGIES}) == len(STRATEGIES)
    for s in STRATEGIES:
        assert s.family in FAMILIES, s
        assert s.optimizer in optimizers.__all__, s
        assert issubclass(getattr(optimizers, s.optimizer), optimizers.BaseOptimizer)
        search_cls = getattr(search, s.search)
        assert set(s.params) <= set(inspect.signature(search_cls).parameters), s
        # The parameters that select it are valid values.
        _search(s)._validate_params()


def test_lookups():
    assert strategy("gp").optimizer == "GPOptimizer"
    assert [s.name for s in strategies(search="HyperbandSearchCV")] == [
        "hyperband",
        "bohb",
    ]
    assert strategy("bohb").label == "HyperbandSearchCV (BOHB)"
    with pytest.raises(KeyError, match="'gp'"):
        strategy("nope")


@pytest.mark.parametrize(
    "cls, param", [(search.BayesSearchCV, "optimizer"),
                   (search.HyperbandSearchCV, "sampler")]
)
def test_optimizers_chosen_by_name_are_strategies_of_the_registry(cls, param):
    (options,) = cls._parameter_constraints[param]
    for name in options.options:
        assert optimizer_class(name).__name__ == strategy(name).optimizer


@pytest.mark.parametrize("s", SEQUENTIAL, ids=lambda s: s.name)
def test_sequential_strategy_optimizer_and_columns(s):
    fitted = _search(s, n_iter=6).fit(X)
    assert type(fitted.optimizer_).__name__ == s.optimizer
    extra = {k for k in fitted.cv_results_ if not k.startswith(
        ("param", "mean_", "std_", "rank_", "split"))}
    assert extra == {"round", *s.columns}


@pytest.mark.parametrize("s", MULTI_FIDELITY, ids=lambda s: s.name)
def test_multi_fidelity_strategy_optimizer_and_columns(s):
    # The bracket sampler draws from the optimizer of the strategy it is named.
    assert optimizer_class(s.params.get("sampler", "random")).__name__ == s.optimizer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = _search(s, min_resources=10, factor=2).fit(X)
    extra = {k for k in fitted.cv_results_ if not k.startswith(
        ("param", "mean_", "std_", "rank_", "split"))}
    assert extra == set(s.columns)


@pytest.mark.parametrize("s", SEQUENTIAL, ids=lambda s: s.name)
def test_plans_budget_says_whether_a_longer_run_starts_as_a_shorter_one(s):
    short = _search(s, n_iter=12).fit(X).cv_results_["params"]
    long = _search(s, n_iter=24).fit(X).cv_results_["params"][:12]
    assert (short != long) == s.plans_budget
