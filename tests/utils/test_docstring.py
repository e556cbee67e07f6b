"""The docstring helper, and the docstrings it fills."""

import re

import pytest

from sklearn_hpo import optimizers, plotting, search
from sklearn_hpo.utils._docstring import fill_placeholders

DOCUMENTED = (
    [getattr(optimizers, n) for n in optimizers.__all__]
    + [getattr(search, n) for n in search.__all__]
    + [getattr(plotting, n) for n in plotting.__all__]
)


def test_placeholder_lines_take_the_section_at_their_indentation():
    doc = 'Summary {not_alone}.\n\n    {a}\n\n    >>> {"b": 1}\n'
    filled = fill_placeholders(doc, {"a": lambda: "x : int\n    One.\n"}, "f")
    assert filled == (
        'Summary {not_alone}.\n\n    x : int\n        One.\n\n    >>> {"b": 1}\n'
    )


def test_an_unknown_placeholder_names_the_owner_and_the_sections():
    with pytest.raises(ValueError, match=r"\{b\} in the docstring of f.*\['a'\]"):
        fill_placeholders("    {b}\n", {"a": str}, "f")


@pytest.mark.parametrize("obj", DOCUMENTED, ids=lambda o: o.__name__)
def test_no_placeholder_is_left(obj):
    doc = obj.__doc__ or ""
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, flags=re.MULTILINE)


@pytest.mark.parametrize(
    "cls",
    [getattr(optimizers, n) for n in optimizers.__all__
     if n.endswith("Optimizer")],
    ids=lambda c: c.__name__,
)
def test_every_optimizer_documents_the_observations(cls):
    for name in ("space", "X_unit", "y", "budgets"):
        assert f"\n    {name} : " in cls.__doc__, name


@pytest.mark.parametrize("name", plotting.__all__)
def test_every_plot_documents_metric_and_ax(name):
    doc = getattr(plotting, name).__doc__
    assert "\n    metric : str, default=None\n        With several metrics" in doc
    assert "\n    ax : matplotlib Axes, default=None\n" in doc
