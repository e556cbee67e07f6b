"""Parameter tables: each search's ``__init__``, constraints and docs from one place.

Every search takes a dozen parameters of its base class plus a few of its
own, and scikit-learn reads them from three places: the signature of
``__init__``, ``_parameter_constraints`` and the numpydoc Parameters
section. Each class declares its own parameters once, as :class:`Param`
records, and :func:`search_parameters` derives, from the base class's table
and these:

- ``__init__``, a real function with an explicit signature (compiled as
  :mod:`dataclasses` compiles one): the required parameters positional, the
  others keyword-only, each stored unchanged as an attribute of the same name
  and nothing else (scikit-learn's ``BaseSearchCV.__init__``, which it does
  not call, does no more either), so ``inspect.signature``, ``get_params``,
  ``clone``, ``help`` and interactive completion see every parameter with
  its default;
- ``_parameter_constraints``, the base's plus the constraints of the new
  parameters;
- the Parameters section, which therefore lists every parameter, in
  signature order, with its default (see :mod:`sklearn_hpo.search._docstring`).
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from sklearn_hpo.search._docstring import fill_docstring

__all__ = ["REQUIRED", "Param", "make_optimizer", "search_parameters", "with_docs"]


class _Required:
    """Marks a parameter without default (``REQUIRED``)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    """One parameter of a search class.

    Parameters
    ----------
    name : str
        The parameter (and attribute) name.
    type : str
        Its numpydoc type, e.g. ``'{"blend", "uniform"}'``; the default is
        appended.
    doc : str
        Its description (indentation is removed, as by ``inspect.cleandoc``).
    default : object, default=REQUIRED
        Its default value; a required parameter is positional, the others
        are keyword-only.
    annotation : str or None, default=None
        Its type hint in the signature of ``__init__``. None derives it from
        ``type``: ``"str"`` for a set of options, the types joined by ``|``
        when they are all plain (``int``, ``float``, ``str``, ``bool``,
        ``dict``, ``None``; ``None`` added for a None default), else ``"Any"``.
    constraints : list or None, default=None
        Its entry of ``_parameter_constraints``; None keeps the base class's
        (scikit-learn's ``BaseSearchCV`` declares its own parameters').
    default_doc : str or None, default=None
        How the docs write the default; None derives it from ``default``.
    """

    name: str
    type: str
    doc: str
    default: Any = REQUIRED
    annotation: str | None = None
    constraints: list | None = None
    default_doc: str | None = None

    @property
    def hint(self) -> str:
        """The type hint of the parameter (see ``annotation``)."""
        if self.annotation is not None:
            return self.annotation
        if self.type.startswith("{"):
            return "str"
        parts = re.split(r", | or ", self.type)
        if not set(parts) <= _PLAIN:
            return "Any"
        if self.default is None and "None" not in parts:
            parts.append("None")
        return " | ".join(parts)

    def render(self) -> str:
        """The numpydoc entry of this parameter (unindented)."""
        head = f"{self.name} : {self.type}"
        if self.default is not REQUIRED:
            head += f", default={self.default_doc or _doc_default(self.default)}"
        body = [f"    {line}" if line else "" for line in
                inspect.cleandoc(self.doc).splitlines()]
        return "\n".join([head, *body])


_PLAIN = {"int", "float", "str", "bool", "dict", "None"}


def _doc_default(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and math.isnan(value):
        return "np.nan"
    return repr(value)


def with_docs(params: tuple[Param, ...], **docs: str) -> tuple[Param, ...]:
    """``params`` with the descriptions of the ones named in ``docs`` replaced."""
    unknown = set(docs) - {p.name for p in params}
    if unknown:
        raise ValueError(f"No parameters {sorted(unknown)} to document.")
    return tuple(replace(p, doc=docs[p.name]) if p.name in docs else p for p in params)


def search_parameters(
    *params: Param, after: str | None = None
) -> Callable[[type], type]:
    """Class decorator: the parameters of the base class plus ``params``.

    A ``Param`` whose name the base class already has replaces it in place
    (another description, default or constraint); the others are inserted,
    in their order, after the parameter named ``after`` (at the end when
    ``after`` is None). The decorated class gets ``_search_params`` (the
    table), ``__init__``, ``_parameter_constraints`` and its docstring's
    placeholders filled (see :func:`~sklearn_hpo.search._docstring.fill_docstring`).
    """

    def decorate(cls: type) -> type:
        table = _merge(getattr(cls, "_search_params", ()), params, after)
        cls._search_params = table
        cls.__init__ = _make_init(cls, table)
        cls._parameter_constraints = {
            **getattr(cls, "_parameter_constraints", {}),
            **{p.name: p.constraints for p in params if p.constraints is not None},
        }
        if cls.__doc__:
            entries = "\n\n".join(p.render() for p in table)
            cls.__doc__ = fill_docstring(
                cls, cls.__doc__, parameters=f"Parameters\n----------\n{entries}"
            )
        return cls

    return decorate


def _merge(
    base: tuple[Param, ...], params: tuple[Param, ...], after: str | None
) -> tuple[Param, ...]:
    names = [p.name for p in base]
    table = list(base)
    new = [p for p in params if p.name not in names]
    for p in params:
        if p.name in names:
            table[names.index(p.name)] = p
    if after is None:
        return tuple(table + new)
    if after not in names:
        raise ValueError(f"after={after!r} is not a parameter of the base class.")
    at = names.index(after) + 1
    return tuple(table[:at] + new + table[at:])


def _make_init(cls: type, table: tuple[Param, ...]) -> Callable:
    """``def __init__(self, <params>): self.<name> = <name> ...``, compiled."""
    args, keyword_only = ["self"], False
    for p in table:
        if not p.name.isidentifier():
            raise ValueError(f"Invalid parameter name {p.name!r}.")
        if p.default is REQUIRED:
            if keyword_only:
                raise ValueError(f"Required parameter {p.name!r} after defaults.")
            args.append(p.name)
            continue
        if not keyword_only:
            args.append("*")
            keyword_only = True
        args.append(f"{p.name}=_defaults[{p.name!r}]")
    body = "".join(f"\n    self.{p.name} = {p.name}" for p in table) or "\n    pass"
    namespace = {"_defaults": {p.name: p.default for p in table}}
    # Compiled rather than a closure over **kwargs: a real signature is what
    # scikit-learn, inspect and editors read, and Python checks the arguments.
    exec(f"def __init__({', '.join(args)}) -> None:{body}", namespace)
    init = namespace["__init__"]
    init.__module__ = cls.__module__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {p.name: p.hint for p in table} | {"return": "None"}
    return init


def make_optimizer(
    optimizer: type,
    space: Any,
    random_state: np.random.RandomState,
    options: dict,
    user_options: dict | None = None,
) -> Any:
    """``optimizer(space, **options)`` seeded from ``random_state``.

    ``user_options`` (a search's ``optimizer_kwargs``) override ``options``;
    a TypeError from the optimizer then names ``optimizer_kwargs``.
    """
    seed = int(random_state.randint(np.iinfo(np.int32).max))
    if not user_options:
        return optimizer(space, random_state=seed, **options)
    try:
        return optimizer(space, random_state=seed, **{**options, **user_options})
    except TypeError as exc:
        raise TypeError(
            f"Invalid optimizer_kwargs for {optimizer.__name__}: "
            f"{user_options!r} ({exc})."
        ) from exc
