import ast
import pathlib

import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import sklearn_hpo
from sklearn_hpo.utils._compat import is_declared_limit

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent
COMPAT = PACKAGE / "utils" / "_compat.py"


def _is_sklearn(module):
    return module == "sklearn" or module.startswith("sklearn.")


def _private_sklearn_imports(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_sklearn(node.module or ""):
            if any(p.startswith("_") for p in node.module.split(".")) or any(
                a.name.startswith("_") for a in node.names
            ):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if _is_sklearn(a.name) and any(
                    p.startswith("_") for p in a.name.split(".")
                ):
                    found.append(a.name)
    return found


def test_only_the_compat_module_imports_private_sklearn_names():
    offenders = {
        str(p.relative_to(PACKAGE)): _private_sklearn_imports(p)
        for p in PACKAGE.rglob("*.py")
        if p != COMPAT
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _private_sklearn_imports(COMPAT)  # the check itself can see imports


@pytest.mark.parametrize(
    "estimator, name, side, bound, integral, expected",
    [
        # n_neighbors >= 1: nothing below 1.
        (KNeighborsClassifier(), "n_neighbors", "lower", 1, True, True),
        (KNeighborsClassifier(), "n_neighbors", "lower", 2, True, False),
        (KNeighborsClassifier(), "n_neighbors", "upper", 30, True, False),
        # max_features: a fraction in (0, 1] or an integer >= 1.
        (RandomForestClassifier(), "max_features", "upper", 1.0, False, True),
        (RandomForestClassifier(), "max_features", "lower", 1, True, True),
        # The integer interval bounds integers only: 0.5 features is valid.
        (RandomForestClassifier(), "max_features", "lower", 1.0, False, False),
        # C > 0 is open at 0: a lower bound of 0 is not a limit.
        (LogisticRegression(), "C", "lower", 0.0, False, False),
        (make_pipeline(KNeighborsClassifier()), "kneighborsclassifier__n_neighbors",
         "lower", 1, True, True),
        (make_pipeline(KNeighborsClassifier()), "nosuchstep__n_neighbors",
         "lower", 1, True, False),
        (object(), "a", "lower", 0, True, False),
    ],
)  # fmt: skip
def test_is_declared_limit(estimator, name, side, bound, integral, expected):
    assert is_declared_limit(estimator, name, side, bound, integral) is expected
