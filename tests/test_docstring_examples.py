"""The Examples sections of the package's docstrings run and print what they say."""

import doctest
import importlib
import pathlib

import pytest

import sklearn_hpo

PACKAGE = pathlib.Path(sklearn_hpo.__file__).parent
MODULES = sorted(
    ".".join(("sklearn_hpo",) + p.relative_to(PACKAGE).with_suffix("").parts)
    for p in PACKAGE.rglob("*.py")
    if p.name != "__init__.py" and ">>>" in p.read_text()
)


def test_modules_with_examples_are_found():
    assert "sklearn_hpo.search._local" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name.startswith("sklearn_hpo.plotting"):
        pytest.importorskip("matplotlib")
    if name.startswith("sklearn_hpo.callbacks"):
        pytest.importorskip("sklearn.callback")  # scikit-learn >= 1.9
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
