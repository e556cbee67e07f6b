"""scikit-learn's own callback tests of its searches, run on ours.

``sklearn/model_selection/tests/test_search.py`` checks, with
``RandomizedSearchCV`` and the Halving searches, which callback hooks a search
calls and with what. The same test functions, given our searches in their
place, check that a callback sees the tasks scikit-learn's searches report
for the same work: the fit, the search, one task per candidate and split,
the refit, and (for successive halving) one per halving iteration.
"""

import pytest

sk_tests = pytest.importorskip("sklearn.model_selection.tests.test_search")
callback_utils = pytest.importorskip("sklearn.callback.tests._utils")

import sklearn_hpo.search as hpo_search  # noqa: E402
from sklearn_hpo import Integer, SuccessiveHalvingSearchCV  # noqa: E402
from sklearn_hpo._registry import STRATEGIES  # noqa: E402

SEQUENTIAL = [s for s in STRATEGIES if s.family != "multi-fidelity"]


def _ours(estimator, scoring):
    """Our searches as scikit-learn's test cases build RandomizedSearchCV:
    three candidates of max_iter in 1..3, cv=2."""
    cases = [
        getattr(hpo_search, s.search)(
            estimator(), {"max_iter": Integer(1, 3)}, n_iter=3, cv=2,
            scoring=scoring, random_state=42, **dict(s.params),
        )  # fmt: skip
        for s in SEQUENTIAL
    ]
    cases.append(
        SuccessiveHalvingSearchCV(
            estimator(), {"max_iter": Integer(1, 3)}, n_candidates=3, cv=2,
            factor=2, scoring=scoring, random_state=42,
            aggressive_elimination=True,
        )  # fmt: skip
    )
    return cases


def _ids(search):
    optimizer = search.get_params(deep=False).get("optimizer")
    return type(search).__name__ + (f"-{optimizer}" if optimizer else "")


@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize(
    "search", _ours(callback_utils.NoCallbackEstimator, "accuracy"), ids=_ids
)
def test_search_callbacks_no_propagation(search, refit):
    sk_tests.test_search_callbacks_no_propagation(search, refit)


@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize(
    "search", _ours(callback_utils.MaxIterEstimator, "r2"), ids=_ids
)
def test_search_callbacks_propagation(search, refit):
    sk_tests.test_search_callbacks_propagation(search, refit)


@pytest.mark.parametrize(
    "search", _ours(callback_utils.MaxIterEstimator, "r2"), ids=_ids
)
def test_search_callbacks_receive_search_instance(search):
    sk_tests.test_search_callbacks_receive_search_instance(search)
