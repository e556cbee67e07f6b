"""The architecture page is true: the package's import graph (no cycles, each layer
imports only those below) and the example strategy of ARCHITECTURE.md."""

import ast
import importlib.util
import math
import pathlib
import re
import sys
import types

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_hpo
from sklearn_hpo.space import Real
from sklearn_hpo.utils._testing import BraninEstimator

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent
TESTS = pathlib.Path(__file__).resolve().parent

# ARCHITECTURE.md's layers, lowest first; a module may import its own layer and the
# layers below it.
LAYERS = [
    ("utils",),
    ("space",),
    ("optimizers", "schedulers"),
    ("journal",),
    ("search", "callbacks"),
    ("plotting", "inspection"),
]


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name, path, modules):
    """The package's modules that ``name`` imports (anywhere in its code)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt) :] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


def _layer(name):
    parts = name.split(".")
    if len(parts) < 2:
        return None  # the top-level package re-exports everything
    for level, names in enumerate(LAYERS):
        if parts[1] in names:
            return level
    return None


def test_each_layer_imports_only_itself_and_the_layers_below():
    offenders = []
    for name, targets in _graph().items():
        level = _layer(name)
        if level is None:
            continue
        for target in targets:
            other = _layer(target)
            if other is not None and other > level:
                offenders.append(f"{name} -> {target}")
    assert offenders == []


def test_the_checks_see_imports():
    graph = _graph()
    assert "sklearn_hpo.search._evaluation" in graph["sklearn_hpo.search._base"]
    assert _layer("sklearn_hpo.search._base") > _layer("sklearn_hpo.optimizers._base")


# ------------------------------------------------ the example strategy
# The page's code block is run as it stands, so the page and this test cannot
# drift apart.
MARKER = "<!-- tests/test_architecture.py runs the next code block -->"


def _example_code():
    text = (TESTS.parent / "ARCHITECTURE.md").read_text()
    assert text.count(MARKER) == 1
    match = re.match(r"\s*```python\n(.*?)\n```", text.split(MARKER)[1], re.DOTALL)
    assert match is not None, "no python code block after the marker"
    return match.group(1)


def _load_example():
    """The code block as a module (registered, so that pickling finds its classes)."""
    module = types.ModuleType("sklearn_hpo_architecture_example")
    sys.modules[module.__name__] = module
    exec(compile(_example_code(), "ARCHITECTURE.md", "exec"), module.__dict__)
    return module


def _expected_failed_checks():
    """The expected failures of ``tests/search/test_common.py``, read from it."""
    path = TESTS / "search" / "test_common.py"
    spec = importlib.util.spec_from_file_location("_architecture_test_common", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED_FAILED_CHECKS


EXAMPLE = _load_example()
PerturbSearchCV = EXAMPLE.PerturbSearchCV
EXPECTED_FAILED_CHECKS = _expected_failed_checks()

X = np.zeros((20, 1))
BRANIN = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


@parametrize_with_checks(
    [
        PerturbSearchCV(LogisticRegression(), {"C": Real(1e-2, 1e2, log=True)},
                        n_iter=3, cv=2, random_state=0),
        PerturbSearchCV(Ridge(), {"alpha": Real(1e-3, 1e3, log=True)},
                        n_iter=3, cv=2, random_state=0),
    ]
)  # fmt: skip
def test_the_example_strategy_passes_sklearn_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in EXPECTED_FAILED_CHECKS:
        try:
            check(estimator)
        except Exception:
            pytest.xfail(EXPECTED_FAILED_CHECKS[name])
        return
    check(estimator)


def test_the_example_strategy_searches():
    search = PerturbSearchCV(
        BraninEstimator(), BRANIN, n_iter=20, scale=0.05, cv=KFold(2), random_state=0
    ).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert math.isfinite(search.best_score_)
    # It improves on its first, random, candidate by steps around the best.
    assert search.best_score_ > scores[0]
    assert search.optimizer_.scale == 0.05
    assert list(search.cv_results_["round"]) == list(range(20))
    assert "scale : float, default=0.1" in PerturbSearchCV.__doc__


def test_the_example_strategy_resumes_from_a_journal(tmp_path):
    calls = []

    def scorer(estimator, X_test, y_test=None):
        calls.append(1)
        return estimator.score(X_test, y_test)

    def fit():
        return PerturbSearchCV(
            BraninEstimator(), BRANIN, n_iter=6, cv=KFold(2), scoring=scorer,
            random_state=0, storage=str(tmp_path / "journal.db"),
        ).fit(X)  # fmt: skip

    first = fit()
    assert len(calls) == 6 * 2
    calls.clear()
    resumed = fit()
    assert calls == []  # every candidate came from the journal
    assert resumed.cv_results_["params"] == first.cv_results_["params"]
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], first.cv_results_["mean_test_score"]
    )
