"""scikit-learn's own tests of its searches, run on ours.

``sklearn/model_selection/tests/test_search.py`` (from the installed
scikit-learn) is imported and every test of it that builds a
``RandomizedSearchCV`` or a ``GridSearchCV`` is run again here with those
names bound to our searches:

- ``RandomizedSearchCV`` -> each sequential strategy of
  :data:`sklearn_hpo._registry.STRATEGIES`;
- ``GridSearchCV`` -> :class:`~sklearn_hpo.CoarseToFineSearchCV`, the one of
  ours that evaluates a space of lists as its whole grid.

Our searches name the space ``search_spaces`` and take no ``param_grid``, so
each is wrapped in a test-only subclass with scikit-learn's signature
(``param_distributions``/``n_iter=10``, or ``param_grid`` with ``n_iter`` the
size of the grid). The substitution is made where the tests look the names
up (the test module's globals) and in their parametrizations (classes and
instances).

Each difference the tests find is either fixed in the package or listed in
``DIFFERENCES`` below: an expected failure with the reason (a deliberate
difference of ours) or a skip (a test that does not apply to our classes).
Every other test runs as it is, so a test that a newer scikit-learn adds runs
too; a test that an older one lacks is not collected. Not collected either:
tests of ``ParameterGrid``/``ParameterSampler`` or of the Halving searches
only, and the callback tests that ``test_sklearn_callback_tests.py`` runs.
The default run covers a representative subset of the strategies; the others
are marked slow.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import types
from typing import Any, Callable

import numpy as np
import pytest

sk_tests = pytest.importorskip("sklearn.model_selection.tests.test_search")

from sklearn import config_context  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

import sklearn_hpo.search as hpo_search  # noqa: E402
from sklearn_hpo._registry import STRATEGIES, Strategy  # noqa: E402
from sklearn_hpo.space import as_search_space  # noqa: E402

SEQUENTIAL = [s for s in STRATEGIES if s.family != "multi-fidelity"]
# The strategies run by default: plain random sampling (the closest to
# RandomizedSearchCV), the flagship GP and the grid search's class.
DEFAULT = {"random", "gp", "coarse_to_fine"}


# --- Adapters: our searches with scikit-learn's signatures (tests only) ------


def _random_adapter(strategy: Strategy) -> type:
    """``RandomizedSearchCV``'s signature on the search of ``strategy``."""
    base = getattr(hpo_search, strategy.search)
    fixed = dict(strategy.params)

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        base.__init__(
            self, estimator, param_distributions, n_iter=n_iter, scoring=scoring,
            n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
            pre_dispatch=pre_dispatch, random_state=random_state,
            error_score=error_score, return_train_score=return_train_score,
            **fixed,
        )  # fmt: skip

    # Named as the class it wraps (the tests read the name in messages),
    # found by pickle under its own qualified name in this module.
    qualname = f"_RandomAdapter_{strategy.name}"
    adapter = type(
        base.__name__,
        (base,),
        {
            "__init__": __init__,
            "__module__": __name__,
            "__qualname__": qualname,
            "search_spaces": _Alias("param_distributions"),
        },
    )
    globals()[qualname] = adapter
    return adapter


class _Alias:
    """Our ``search_spaces`` (or ``n_iter``) read from scikit-learn's name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, search: Any, owner: type | None = None) -> Any:
        return self if search is None else search.__dict__[self.name]

    def __set__(self, search: Any, value: Any) -> None:
        search.__dict__[self.name] = value


class _GridSize:
    """``n_iter`` of the grid adapter: the number of points of ``param_grid``."""

    def __get__(self, search: Any, owner: type | None = None) -> Any:
        if search is None:
            return self
        try:
            size = as_search_space(search.param_grid).size
        except Exception:  # a bad grid: the search's own validation says so
            return 1
        return int(size) if np.isfinite(size) else 10

    def __set__(self, search: Any, value: Any) -> None:
        pass


class _GridAdapter(hpo_search.CoarseToFineSearchCV):
    """``GridSearchCV``'s signature on CoarseToFineSearchCV (the whole grid)."""

    search_spaces = _Alias("param_grid")
    n_iter = _GridSize()

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator, param_grid, scoring=scoring, n_jobs=n_jobs, refit=refit,
            cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
            error_score=error_score, return_train_score=return_train_score,
            random_state=0,
        )  # fmt: skip


_GridAdapter.__name__ = "CoarseToFineSearchCV"

RANDOM_ADAPTERS = {s.name: _random_adapter(s) for s in SEQUENTIAL}
_EXTRA_COLUMNS = {"round"}.union(*(s.columns for s in SEQUENTIAL))


def _without_extra_columns(adapter: type) -> type:
    """``adapter`` whose ``cv_results_`` keeps scikit-learn's keys only."""

    def fit(self, X, y=None, **params):
        adapter.fit(self, X, y, **params)
        for key in _EXTRA_COLUMNS:
            self.cv_results_.pop(key, None)
        return self

    return type(adapter.__name__, (adapter,), {"fit": fit, "__module__": __name__})


GRID = "grid"  # the id of the GridSearchCV substitution


# --- What differs, and why ---------------------------------------------------

ORDER = (
    "candidate order: our searches evaluate a finite space in their own order "
    "(the sampler's or the optimizer's), not ParameterGrid's, and of tied "
    "candidates the first evaluated is best; the test reads results by grid "
    "position"
)
DUPLICATES = (
    "a value repeated in a list is one candidate: a space holds distinct "
    "values and no search evaluates a candidate twice"
)
EXTRA_COLUMNS = (
    "cv_results_ has extra columns ('round', and the strategy's own such as "
    "'level'); the test requires exactly scikit-learn's keys"
)
SPACE_ERRORS = (
    "a bad space raises the same exception types with our own wording (the "
    "parameter and the value received), not ParameterGrid's"
)
SAMPLER = (
    "asserts the exact candidates that RandomizedSearchCV's ParameterSampler "
    "draws with random_state=0"
)

GUIDED = (
    "an adaptive strategy's candidates follow the scores of the metric it "
    "maximises (the refit metric; with several metrics and refit=False, the "
    "first), so searches scored differently evaluate different candidates; "
    "the test expects the same ones (scikit-learn 1.4's version, a space of 9 "
    "points, shows it)"
)


class Difference:
    """How one test of scikit-learn's differs on some of our classes.

    Parameters
    ----------
    reason : str
        Why: a deliberate difference (an expected failure) or why the test
        does not apply (``skip=True``).
    roles : tuple of str, default=()
        The substitutions it concerns: ``"grid"``, ``"random"`` (every
        strategy standing in for RandomizedSearchCV) or strategy names;
        empty for all of them.
    skip : bool, default=False
        Skip the test instead of expecting it to fail.
    strict : bool, default=True
        Whether an unexpected pass fails; False where the outcome depends on
        an unseeded search (``random_state=None`` in the test).
    """

    def __init__(
        self,
        reason: str,
        roles: tuple[str, ...] = (),
        *,
        skip: bool = False,
        strict: bool = True,
    ) -> None:
        self.reason, self.roles, self.skip, self.strict = reason, roles, skip, strict

    def mark(self) -> Any:
        if self.skip:
            return pytest.mark.skip(reason=self.reason)
        return pytest.mark.xfail(reason=self.reason, strict=self.strict)


RANDOM, UNSEEDED = ("random",), {"strict": False}

# test name (with "[sklearn_columns]" for its run without our extra columns)
# -> its differences (the first that concerns a case applies).
DIFFERENCES: dict[str, list[Difference]] = {
    "test_grid_search": [Difference(ORDER, (GRID,))],
    "test_grid_search_when_param_grid_includes_range": [Difference(ORDER, (GRID,))],
    "test_grid_search_bad_param_grid": [Difference(SPACE_ERRORS, (GRID,))],
    "test_grid_search_cv_results": [Difference(EXTRA_COLUMNS)],
    "test_random_search_cv_results": [Difference(EXTRA_COLUMNS)],
    "test_custom_run_search": [Difference(EXTRA_COLUMNS)],
    "test_custom_run_search[sklearn_columns]": [Difference(ORDER)],
    "test_search_default_iid": [Difference(ORDER, RANDOM, **UNSEEDED)],
    # Its grid search (deterministic here) fails first.
    "test_search_cv_results_rank_tie_breaking": [Difference(ORDER)],
    # Its grid search passes; its unseeded random one fails or passes.
    "test_search_cv_timing": [Difference(ORDER, RANDOM, **UNSEEDED)],
    "test_grid_search_correct_score_results": [Difference(ORDER, (GRID,))],
    "test_grid_search_failing_classifier": [Difference(ORDER, (GRID,))],
    "test_callable_multimetric_error_failing_clf": [Difference(ORDER, (GRID,))],
    "test_grid_search_classifier_all_fits_fail": [Difference(DUPLICATES)],
    "test_callable_multimetric_clf_all_fits_fail": [Difference(DUPLICATES)],
    "test_grid_search_cv_splits_consistency": [Difference(DUPLICATES)],
    "test_search_with_2d_array": [Difference(SAMPLER)],
    "test_random_search_cv_results_multimetric": [
        Difference(GUIDED, ("annealing",), strict=False)
    ],
}

# The tests whose one known difference is our extra columns.
_ONLY_COLUMNS = {
    name
    for name, differences in DIFFERENCES.items()
    if [d.reason for d in differences] == [EXTRA_COLUMNS]
}


# --- Collection --------------------------------------------------------------

_SK_CLASSES = {"GridSearchCV": GridSearchCV, "RandomizedSearchCV": RandomizedSearchCV}
# Run by tests/search/test_sklearn_callback_tests.py already.
_ELSEWHERE = {
    "test_search_callbacks_no_propagation",
    "test_search_callbacks_propagation",
    "test_search_callbacks_receive_search_instance",
}


def _names_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _sk_class(value: Any) -> type | None:
    """``GridSearchCV``/``RandomizedSearchCV`` if ``value`` is one or one's
    instance."""
    for cls in _SK_CLASSES.values():
        if value is cls or type(value) is cls:
            return cls
    return None


def _role(cls: type) -> str:
    return GRID if cls is GridSearchCV else "random"


def _substitute(value: Any, ours: dict[type, type]) -> Any:
    cls = _sk_class(value)
    if cls is None:
        return value
    if value is cls:
        return ours[cls]
    return ours[cls](**value.get_params(deep=False))


def _param_sets(func: Callable) -> tuple[list[str], list[tuple[str, dict, list]]]:
    """scikit-learn's parametrizations of ``func``, expanded: its argument
    names and ``(id, kwargs, marks)`` per combination."""
    marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
    axes = []
    argnames: list[str] = []
    for mark in marks:
        names, values = mark.args[:2]
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        argnames += list(names)
        ids = mark.kwargs.get("ids")
        axis = []
        for i, value in enumerate(values):
            sub_marks, sub_id = [], None
            if hasattr(value, "values") and hasattr(value, "marks"):  # pytest.param
                sub_marks, sub_id = list(value.marks), value.id
                value = value.values
            elif len(names) == 1:
                value = (value,)
            if sub_id is None and isinstance(ids, (list, tuple)):
                sub_id = ids[i]
            if sub_id is None:
                sub_id = "-".join(_value_id(v, n, i) for n, v in zip(names, value))
            axis.append((sub_id, dict(zip(names, value)), sub_marks))
        axes.append(axis)
    combos = []
    for combo in itertools.product(*axes):
        kwargs: dict = {}
        for _, kw, _ in combo:
            kwargs.update(kw)
        combos.append(
            ("-".join(c[0] for c in combo), kwargs, [m for c in combo for m in c[2]])
        )
    return argnames, combos


def _value_id(value: Any, name: str, i: int) -> str:
    cls = _sk_class(value)
    if cls is not None:
        return cls.__name__
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, (bool, int, float, str)) or value is None:
        return str(value)
    return f"{name}{i}"


def _ours_for(role: str, strategy: str | None) -> tuple[str, Any]:
    """The id and the marks of one substitution."""
    if role == GRID:
        return "CoarseToFineSearchCV-grid", []
    return strategy, [] if strategy in DEFAULT else [pytest.mark.slow]


def _difference_marks(name: str, roles: set[str]) -> list:
    for difference in DIFFERENCES.get(name, []):
        if not difference.roles or roles & set(difference.roles):
            return [difference.mark()]
    return []


def _make_test(name: str, func: Callable) -> Callable | None:
    original = inspect.unwrap(func)
    body_uses = {n for n in _SK_CLASSES if n in _names_used(original.__code__)}
    argnames, combos = _param_sets(func)
    cases = []
    for combo_id, kwargs, marks in combos:
        used = {_sk_class(v) for v in kwargs.values()} - {None}
        used |= {_SK_CLASSES[n] for n in body_uses}
        if not used:  # a case of scikit-learn's other searches only
            continue
        roles = {_role(c) for c in used}
        strategies = [s.name for s in SEQUENTIAL] if "random" in roles else [None]
        # Where the extra columns of cv_results_ are the expected failure,
        # the test runs again without them: nothing else may differ.
        variants = [False, True] if name in _ONLY_COLUMNS else [False]
        for strategy, sklearn_columns in itertools.product(strategies, variants):
            ours_id, ours_marks = _ours_for(
                GRID if strategy is None else "random", strategy
            )
            case_roles = roles | {ours_id, strategy or GRID}
            key = f"{name}[sklearn_columns]" if sklearn_columns else name
            case_id = "-".join(
                p for p in (combo_id, ours_id, "sklearn_columns" * sklearn_columns) if p
            )
            cases.append(
                pytest.param(
                    kwargs,
                    strategy,
                    sklearn_columns,
                    marks=marks + ours_marks + _difference_marks(key, case_roles),
                    id=case_id,
                )
            )
    if not cases:
        return None

    fixtures = [p for p in inspect.signature(func).parameters if p not in argnames]

    @functools.wraps(original)
    def test(
        sk_params: dict,
        strategy: str | None,
        sklearn_columns: bool,
        monkeypatch: Any,
        **fixture_kwargs: Any,
    ) -> None:
        ours = {GridSearchCV: _GridAdapter}
        if strategy is not None:
            ours[RandomizedSearchCV] = RANDOM_ADAPTERS[strategy]
        if sklearn_columns:
            ours = {sk: _without_extra_columns(cls) for sk, cls in ours.items()}
        for cls_name, cls in _SK_CLASSES.items():
            if cls in ours:
                monkeypatch.setattr(sk_tests, cls_name, ours[cls])
        kwargs = {k: _substitute(v, ours) for k, v in sk_params.items()}
        func(**kwargs, **fixture_kwargs)

    del test.__wrapped__
    test.__signature__ = inspect.Signature(
        [
            inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for p in ["sk_params", "strategy", "sklearn_columns", "monkeypatch"]
            + fixtures
        ]
    )
    marks = getattr(func, "pytestmark", [])
    other_marks = [m for m in marks if m.name != "parametrize"]
    test.pytestmark = other_marks + [
        pytest.mark.parametrize("sk_params, strategy, sklearn_columns", cases)
    ]
    return test


def _collect() -> None:
    for name, func in vars(sk_tests).items():
        if not name.startswith("test_") or not callable(func) or name in _ELSEWHERE:
            continue
        test = _make_test(name, func)
        if test is not None:
            globals()[name] = test


_collect()


@pytest.fixture
def enable_slep006():
    """Metadata routing on: scikit-learn 1.4's metadata tests of its searches
    ask for this fixture, which its own test modules define."""
    with config_context(enable_metadata_routing=True):
        yield


def test_scikit_learns_tests_are_collected():
    """The substitution finds scikit-learn's tests (a renamed class or module
    would otherwise leave this module nearly empty and passing)."""
    collected = {n for n, f in globals().items() if getattr(f, "__module__", "")
                 == sk_tests.__name__ and n.startswith("test_")}  # fmt: skip
    assert {"test_no_refit", "test_pickle", "test_refit_callable_out_bound"} <= (
        collected
    )
    assert len(collected) > 50


def test_differences_name_existing_tests():
    """Every test the table names exists in some scikit-learn version (a
    typo would silently keep a failure out)."""
    named = {name.split("[")[0] for name in DIFFERENCES}
    assert named <= set(dir(sk_tests)) | _KNOWN_ELSEWHERE


# Names of DIFFERENCES entries that some supported scikit-learn versions lack.
_KNOWN_ELSEWHERE = {"test_search_with_2d_array"}  # not in 1.4
