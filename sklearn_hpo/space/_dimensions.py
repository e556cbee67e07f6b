"""One-dimensional search dimensions and their exact maps to the unit interval.

Every dimension maps its values to ``[0, 1]`` (``to_unit``) and back
(``from_unit``) so that model-based optimizers can work in the unit cube.
``from_unit(to_unit(v)) == v`` holds exactly for every value of a dimension;
discrete dimensions own one cell of the unit interval per value and map a value
to the centre of its cell, so ``snap(u) = to_unit(from_unit(u))`` is the
canonical point of the cell that ``u`` falls in.

Dimensions are not estimators: they check their arguments when they are
built (``Real(5, 1)`` raises there, naming the argument and the value), and
:meth:`Dimension.validate` repeats the checks naming the parameter.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import joblib
import numpy as np

from sklearn_hpo.utils._random import as_generator

__all__ = ["Dimension", "Real", "Integer", "Categorical"]


class Dimension(ABC):
    """Base class of one searchable parameter.

    Subclasses are immutable: their attributes are set once in ``__init__``,
    which checks them. :meth:`validate` (called when a search is fit) checks
    again, naming the parameter.
    """

    #: "real", "integer" or "categorical": how optimizers should treat it.
    kind: str = "real"

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} objects are immutable.")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} objects are immutable.")

    def _freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def __reduce__(self):
        return (type(self)._rebuild, (self._init_args(),))

    @classmethod
    def _rebuild(cls, init: tuple[tuple, dict]) -> Dimension:
        args, kwargs = init
        return cls(*args, **kwargs)

    @abstractmethod
    def _init_args(self) -> tuple[tuple, dict]:
        """Arguments that rebuild this dimension (for pickling and equality)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _safe_equal(self._init_args(), other._init_args())

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    @property
    def n_values(self) -> int | None:
        """Number of distinct values, or None when the dimension is continuous."""
        return None

    @abstractmethod
    def validate(self, name: str) -> None:
        """Raise a ValueError/TypeError naming parameter ``name`` if invalid."""

    @abstractmethod
    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        """Map values of this dimension to floats in ``[0, 1]``."""

    @abstractmethod
    def from_unit(self, u: np.ndarray) -> list:
        """Map floats in ``[0, 1]`` to values of this dimension."""

    def snap(self, u: np.ndarray) -> np.ndarray:
        """Canonical unit point of the value each ``u`` maps to."""
        return self.to_unit(self.from_unit(np.asarray(u, dtype=float)))

    def rvs(self, size: int | None = None, random_state: Any = None) -> Any:
        """Draw values, as ``scipy.stats`` distributions do.

        This makes every dimension usable as a distribution in scikit-learn's
        ``RandomizedSearchCV``.

        Parameters
        ----------
        size : int or None, default=None
            Number of values; None returns a single value.
        random_state : int, RandomState, Generator or None, default=None
            Seed or generator.

        Returns
        -------
        value or list
            One value when ``size`` is None, else a list of ``size`` values.
        """
        rng = as_generator(random_state)
        n = 1 if size is None else int(size)
        values = self.from_unit(rng.random(n))
        return values[0] if size is None else values


def _safe_equal(a: Any, b: Any) -> bool:
    """``a == b``; estimators (objects with ``get_params``, which compare by
    identity) are equal when they have the same type and parameters, so that
    a user's ``StandardScaler()`` matches the one in the space."""
    if a is b:
        return True
    if hasattr(a, "get_params") and hasattr(b, "get_params"):
        try:
            return type(a) is type(b) and joblib.hash(
                a.get_params(deep=False)
            ) == joblib.hash(b.get_params(deep=False))
        except Exception:
            return False
    try:
        result = a == b
        return bool(result)
    except Exception:  # array-like choices compare element-wise
        return False


def _check_number(where: str, what: str, value: Any, integral: bool) -> Any:
    """``value`` if it is a finite real number (an ``int`` if ``integral``).

    An integral dimension takes any whole number (``1e3`` is 1000) and refuses
    fractions; every error names ``what`` and shows ``value``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        expected = "an integer" if integral else "a real number"
        raise TypeError(
            f"{where}: {what} must be {expected}, got {value!r} of type "
            f"{type(value).__name__}."
        )
    if integral and isinstance(value, numbers.Integral):
        return int(value)
    try:
        as_float = float(value)
    except OverflowError:
        as_float = np.inf
    if not np.isfinite(as_float):
        raise ValueError(f"{where}: {what} must be finite, got {value!r}.")
    if not integral:
        return value
    if not as_float.is_integer():
        raise ValueError(f"{where}: {what} must be a whole number, got {value!r}.")
    return int(value)


_MAX_EXACT_INT = 2**53

#: The ``prior`` strings of scikit-optimize, as the value of ``log`` they mean.
PRIORS = {"uniform": False, "log-uniform": True}


def _resolve_log(where: str, prior: Any, log: Any) -> Any:
    """``log``, or what ``prior`` (scikit-optimize's name for it) says."""
    if prior is None:
        return log
    if not isinstance(prior, str) or prior not in PRIORS:
        raise ValueError(
            f"{where}: prior must be 'uniform' or 'log-uniform' (or use log=True), "
            f"got {prior!r}."
        )
    if log is not False and log != PRIORS[prior]:
        raise ValueError(
            f"{where}: prior={prior!r} contradicts log={log!r}; give one of them."
        )
    return PRIORS[prior]


def _check_bounds(
    where: str, low: Any, high: Any, log: Any, integral: bool, log_arg: str = "log=True"
) -> tuple[Any, Any]:
    """The bounds (ints if ``integral``), or an error naming the argument
    (``log_arg``: how the user asked for a log range)."""
    low = _check_number(where, "low", low, integral)
    high = _check_number(where, "high", high, integral)
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"{where}: log must be a bool, got {log!r}.")
    if integral and low > high:
        raise ValueError(
            f"{where}: low must be <= high, got low={low!r}, high={high!r}."
        )
    if not integral and low >= high:
        raise ValueError(
            f"{where}: low must be < high, got low={low!r}, high={high!r}."
        )
    if log and low <= 0:
        raise ValueError(f"{where}: {log_arg} needs low > 0, got low={low!r}.")
    if integral and max(abs(low), abs(high)) > _MAX_EXACT_INT:
        raise ValueError(
            f"{where}: Integer bounds must be within +-2**53 (every "
            f"value exactly a float), got low={low!r}, high={high!r}."
        )
    if not integral and not log:
        span = float(high) - float(low)
        if not np.isfinite(span):
            raise ValueError(
                f"{where}: high - low must be a finite float, got "
                f"low={low!r}, high={high!r}."
            )
    return low, high


class _Bounded(Dimension):
    """What :class:`Real` and :class:`Integer` share: the bounds, the log
    flag, their checks, and the linear map between ``_edges`` (the value
    range, or its log) and the unit interval."""

    #: Whether the values are integers (for the checks of the bounds).
    _integral = False

    def __init__(
        self, low: Any, high: Any, prior: str | None = None, *, log: bool = False
    ) -> None:
        where = type(self).__name__
        log_arg = f"prior={prior!r}" if prior is not None else "log=True"
        log = _resolve_log(where, prior, log)
        self.low, self.high = _check_bounds(
            where, low, high, log, self._integral, log_arg
        )
        self.log = bool(log)
        self._freeze()

    def _init_args(self) -> tuple[tuple, dict]:
        return (self.low, self.high), {"log": self.log}

    def __repr__(self) -> str:
        log = ", log=True" if self.log else ""
        return f"{type(self).__name__}({self.low!r}, {self.high!r}{log})"

    def validate(self, name: str) -> None:
        _check_bounds(
            f"Parameter {name!r}", self.low, self.high, self.log, self._integral
        )

    @abstractmethod
    def _edges(self) -> tuple[float, float]:
        """The interval mapped onto ``[0, 1]`` (in log space when ``log``)."""

    def _to_fraction(self, x: np.ndarray) -> np.ndarray:
        """Points of the ``_edges`` interval as fractions of it, clipped."""
        lo, hi = self._edges()
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)

    def _from_fraction(self, u: np.ndarray) -> np.ndarray:
        """Fractions of the ``_edges`` interval as values (exp'd when ``log``)."""
        lo, hi = self._edges()
        x = lo + np.clip(np.asarray(u, dtype=float), 0.0, 1.0) * (hi - lo)
        return np.exp(x) if self.log else x


class Real(_Bounded):
    """A continuous parameter on ``[low, high]``, uniform or log-uniform.

    Parameters
    ----------
    low : float
        Lower bound (inclusive).
    high : float
        Upper bound (inclusive), greater than ``low``.
    prior : {"uniform", "log-uniform"} or None, default=None
        scikit-optimize's name for ``log``: ``Real(1e-2, 1e2,
        prior="log-uniform")`` is ``Real(1e-2, 1e2, log=True)``.
    log : bool, default=False
        Search on a log scale (``low`` must then be positive), as for learning
        rates and regularisation strengths.

    Raises
    ------
    TypeError, ValueError
        When built with invalid arguments (``Real(5, 1)``), naming the
        argument and the value.

    Examples
    --------
    >>> from sklearn_hpo.space import Real
    >>> Real(1e-3, 1e3, log=True).rvs(random_state=0) > 0
    True
    >>> Real(1e-3, 1e3, prior="log-uniform")
    Real(0.001, 1000.0, log=True)
    """

    kind = "real"

    def __init__(
        self,
        low: float,
        high: float,
        prior: str | None = None,
        *,
        log: bool = False,
    ) -> None:
        super().__init__(low, high, prior, log=log)

    def _edges(self) -> tuple[float, float]:
        if self.log:
            return float(np.log(self.low)), float(np.log(self.high))
        return float(self.low), float(self.high)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        return self._to_fraction(np.log(x) if self.log else x)

    def from_unit(self, u: np.ndarray) -> list:
        x = np.clip(self._from_fraction(u), self.low, self.high)
        return [float(v) for v in np.atleast_1d(x)]

    def snap(self, u: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)


class Integer(_Bounded):
    """An integer parameter on ``[low, high]`` (both inclusive).

    Parameters
    ----------
    low : int
        Smallest value: any whole number (``1e3`` is taken as 1000), not a
        fraction.
    high : int
        Largest value, at least ``low``; a whole number too.
    prior : {"uniform", "log-uniform"} or None, default=None
        scikit-optimize's name for ``log``: ``prior="log-uniform"`` is
        ``log=True``.
    log : bool, default=False
        Draw on a log scale (``low`` must then be at least 1), as for numbers
        of neighbours or estimators spanning orders of magnitude.

    Raises
    ------
    TypeError, ValueError
        When built with invalid arguments (``Integer(1.5, 3)``), naming the
        argument and the value.

    Notes
    -----
    Each integer owns a cell of the unit interval (of equal width, or of equal
    width in log space when ``log=True``), so that optimizers working in the
    unit cube never propose two points that round to the same integer.

    Examples
    --------
    >>> from sklearn_hpo.space import Integer
    >>> Integer(1, 5).from_unit([0.0, 0.5, 1.0])
    [1, 3, 5]
    >>> Integer(10, 1e3, prior="log-uniform")
    Integer(10, 1000, log=True)
    """

    kind = "integer"
    _integral = True

    def __init__(
        self,
        low: int,
        high: int,
        prior: str | None = None,
        *,
        log: bool = False,
    ) -> None:
        super().__init__(low, high, prior, log=log)

    @property
    def n_values(self) -> int:
        return int(self.high) - int(self.low) + 1

    def _edges(self) -> tuple[float, float]:
        lo, hi = self.low - 0.5, self.high + 0.5
        if self.log:
            return float(np.log(lo)), float(np.log(hi))
        return float(lo), float(hi)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.log:
            # Map to the middle of the value's cell in log space.
            a, b = np.log(np.maximum(x - 0.5, 1e-300)), np.log(x + 0.5)
            x = 0.5 * (a + b)
        return self._to_fraction(x)

    def from_unit(self, u: np.ndarray) -> list:
        t = self._from_fraction(u)
        v = np.clip(np.floor(t + 0.5), self.low, self.high).astype(np.int64)
        return [int(i) for i in np.atleast_1d(v)]


def _distinct(choices: tuple) -> tuple:
    """``choices`` without repeats, the first of each kept.

    Values repeat when they are equal and of the same kind (bool, int, float
    or else their type): ``max_features=1`` and ``1.0`` differ in
    scikit-learn. Unhashable values are all kept.
    """
    seen: set = set()
    out = []
    for value in choices:
        key = (_kind(value), value)
        try:
            if key in seen:
                continue
            seen.add(key)
        except TypeError:  # unhashable
            pass
        out.append(value)
    return tuple(out)


def _kind(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool
    if isinstance(value, (int, np.integer)):
        return int
    if isinstance(value, (float, np.floating)):
        return float
    return type(value)


class Categorical(Dimension):
    """A parameter taking one of a fixed list of values.

    Parameters
    ----------
    choices : sequence
        The values, kept as given: strings, numbers, None, estimators,
        callables. Order does not matter to the optimizers. A repeated value
        (equal and of the same kind: ``np.int64(1)`` repeats ``1``, ``1.0``
        does not) is kept once, so no candidate is evaluated twice.

    Notes
    -----
    A value is matched to a choice by identity first, then by equality, so
    unhashable values and estimator instances work.

    Examples
    --------
    >>> from sklearn_hpo.space import Categorical
    >>> Categorical(["rbf", "linear"]).from_unit([0.9])
    ['linear']
    """

    kind = "categorical"

    def __init__(self, choices: Sequence[Any]) -> None:
        _check_choices("Categorical", choices)
        self.choices = _distinct(tuple(choices))
        self._freeze()

    def _init_args(self) -> tuple[tuple, dict]:
        return (self.choices,), {}

    def __repr__(self) -> str:
        return f"Categorical({list(self.choices)!r})"

    def __hash__(self) -> int:
        return hash((type(self).__name__, len(self.choices)))

    @property
    def n_values(self) -> int:
        return len(self.choices)

    def validate(self, name: str) -> None:
        _check_choices(f"Parameter {name!r}", self.choices)

    def index(self, value: Any) -> int:
        """Position of ``value`` among the choices (identity, then equality)."""
        for i, c in enumerate(self.choices):
            if c is value:
                return i
        for i, c in enumerate(self.choices):
            if type(c) is type(value) or _both_numbers(c, value):
                if _safe_equal(c, value):
                    return i
        raise ValueError(f"{value!r} is not one of the choices {list(self.choices)!r}.")

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        k = len(self.choices)
        idx = np.array([self.index(v) for v in values], dtype=float)
        return (idx + 0.5) / k

    def from_unit(self, u: np.ndarray) -> list:
        k = len(self.choices)
        u = np.atleast_1d(np.asarray(u, dtype=float))
        idx = np.clip(np.floor(u * k), 0, k - 1).astype(np.int64)
        return [self.choices[i] for i in idx]

    def snap(self, u: np.ndarray) -> np.ndarray:
        k = len(self.choices)
        u = np.asarray(u, dtype=float)
        return (np.clip(np.floor(u * k), 0, k - 1) + 0.5) / k


def _check_choices(where: str, choices: Any) -> None:
    """Raise unless ``choices`` is a non-empty one-dimensional sequence."""
    if isinstance(choices, np.ndarray) and choices.ndim > 1:
        raise ValueError(
            f"{where}: choices should be one-dimensional, got {choices!r} with "
            f"shape {choices.shape}."
        )
    if not _is_sequence(choices):
        raise TypeError(
            f"{where}: choices must be a list, tuple, range or 1-D array, got "
            f"{choices!r} of type {type(choices).__name__}."
        )
    if len(choices) == 0:
        raise ValueError(f"{where}: choices must not be empty, got {choices!r}.")


def _is_sequence(x: Any) -> bool:
    """A list of values as scikit-learn's searches take it (``range`` too)."""
    if isinstance(x, np.ndarray):
        return x.ndim == 1
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _both_numbers(a: Any, b: Any) -> bool:
    return (
        isinstance(a, numbers.Number)
        and isinstance(b, numbers.Number)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )
