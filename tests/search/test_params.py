"""Parameter tables: the generated __init__, constraints and docstrings."""

import inspect
import re

import pytest
from sklearn.base import clone

from sklearn_hpo import search
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._params import REQUIRED, Param, search_parameters

CLASSES = [getattr(search, name) for name in search.__all__]


def _documented(doc):
    """(name, header) of the entries of a docstring's Parameters section."""
    section = doc.split("Parameters\n    ----------\n", 1)[1]
    section = re.split(r"\n    \w[\w ]*\n    -+\n", section, maxsplit=1)[0]
    return re.findall(r"^    (\w+) : (.*)$", section, flags=re.MULTILINE)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_signature_is_the_table_required_first_the_rest_keyword_only(cls):
    params = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in params] == [p.name for p in cls._search_params]
    for p, row in zip(params, cls._search_params):
        if row.default is REQUIRED:
            assert p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
        else:
            assert p.kind is p.KEYWORD_ONLY and p.default is row.default


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_docstring_lists_every_parameter_in_order_with_its_default(cls):
    if cls is BaseSequentialSearchCV:
        pytest.skip("a base class: its table is documented where it is declared")
    documented = _documented(cls.__doc__)
    signature = inspect.signature(cls).parameters.values()
    assert [name for name, _ in documented] == [p.name for p in signature]
    for (_, header), row in zip(documented, cls._search_params):
        if row.default is not REQUIRED:
            assert ", default=" in header, header
    assert not re.search(r"^\s*\{\w+\}\s*$", cls.__doc__, flags=re.MULTILINE)
    assert "Attributes\n    ----------\n    cv_results_ :" in cls.__doc__


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_constraints_cover_every_parameter(cls):
    assert set(cls._parameter_constraints) == set(inspect.signature(cls).parameters)


def test_init_stores_the_arguments_unchanged_and_rejects_others():
    space = {"C": [1, 2]}
    est = search.EvolutionarySearchCV("est", space, population_size=4, cv=3)
    assert est.estimator == "est" and est.search_spaces is space
    assert est.population_size == 4 and est.cv == 3 and est.n_iter == 50
    assert clone(est, safe=False).get_params() == est.get_params()
    with pytest.raises(TypeError, match="bogus"):
        search.EvolutionarySearchCV("est", space, bogus=1)
    with pytest.raises(TypeError):
        search.EvolutionarySearchCV("est", space, 10)  # n_iter is keyword-only


def _table(cls):
    return [p.name for p in cls._search_params]


def test_new_parameters_go_after_the_named_one_and_replace_in_place():
    @search_parameters(
        Param("extra", "int", default=1, doc="An extra parameter."),
        Param("n_points", "int", default=7, doc="Another default."),
        after="n_iter",
    )
    class Search(BaseSequentialSearchCV):
        """A search.

        {parameters}
        """

        def _make_optimizer(self, space, random_state):
            raise NotImplementedError

    names = _table(Search)
    base = _table(BaseSequentialSearchCV)
    assert names == base[:3] + ["extra"] + base[3:]
    assert Search("e", {}).n_points == 7 and Search("e", {}).extra == 1
    assert "n_points : int, default=7\n            Another default." in Search.__doc__
    assert Search.__init__.__annotations__["extra"] == "int"


def test_a_misplaced_parameter_or_unknown_placeholder_raises():
    with pytest.raises(ValueError, match="after='nope'"):
        search_parameters(Param("x", "int", default=1, doc="."), after="nope")(
            type("S", (BaseSequentialSearchCV,), {})
        )
    with pytest.raises(ValueError, match="Unknown placeholder {nope}"):
        search_parameters()(
            type("S", (BaseSequentialSearchCV,), {"__doc__": "A.\n\n    {nope}\n"})
        )


@pytest.mark.parametrize(
    "type_, default, hint",
    [
        ("int", 1, "int"),
        ("int", None, "int | None"),
        ("int or None", None, "int | None"),
        ("int or float", None, "int | float | None"),
        ('{"a", "b"}', "a", "str"),
        ('int or "exhaust"', "exhaust", "Any"),
        ("bool, str or callable", True, "Any"),
    ],
)
def test_type_hint_from_the_documented_type(type_, default, hint):
    assert Param("p", type_, doc=".", default=default).hint == hint
