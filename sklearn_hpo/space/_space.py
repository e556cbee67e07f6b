"""Search spaces: named dimensions, conditional sub-spaces and the unit cube.

A :class:`SearchSpace` is a list of sub-spaces (one dict of dimensions each,
as ``GridSearchCV`` accepts a list of grids). Optimizers see it as one unit
cube with a column per (sub-space, parameter) pair, plus a leading categorical
column that selects the sub-space when there is more than one. Columns of the
sub-spaces a candidate does not use are NaN ("inactive").
"""

from __future__ import annotations

import contextlib
import itertools
import math
import numbers
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from sklearn_hpo.space._dimensions import (
    PRIORS,
    Categorical,
    Dimension,
    _is_sequence,
    _safe_equal,
)
from sklearn_hpo.space._scipy import Distribution
from sklearn_hpo.utils._random import as_generator

__all__ = ["SearchSpace", "Column", "as_search_space", "as_dimension"]

# Overlapping finite sub-spaces up to this many points are enumerated to
# count their distinct candidates.
_COUNT_LIMIT = 10_000
# Relative tolerance within which two float values are the same point.
_RTOL = 1e-9
# Decimals to which identity keys (SearchSpace.row_keys) round unit codes.
_KEY_DECIMALS = 9


@dataclass(frozen=True)
class Column:
    """One column of the unit-cube encoding of a search space.

    Attributes
    ----------
    subspace : int or None
        Index of the sub-space this column belongs to; None for the sub-space
        selector column.
    name : str
        Parameter name (``"<subspace>"`` for the selector column).
    dimension : Dimension
        The dimension encoded in this column.
    """

    subspace: int | None
    name: str
    dimension: Dimension

    @property
    def kind(self) -> str:
        return self.dimension.kind

    @property
    def n_values(self) -> int | None:
        return self.dimension.n_values


def as_dimension(value: Any, name: str = "<parameter>") -> Dimension:
    """Turn what ``RandomizedSearchCV`` accepts for one parameter into a Dimension.

    Parameters
    ----------
    value : Dimension, scipy.stats distribution, list, tuple, range or array
        Dimensions are returned as they are; objects with an ``rvs`` method are
        wrapped in :class:`Distribution`; sequences become :class:`Categorical`.
        scikit-optimize's shorthand for a range, ``(1e-2, 1e2,
        "log-uniform")``, is refused (a ValueError naming the line to write
        instead), and a tuple of two numbers, two choices as in
        scikit-learn, warns: see :mod:`sklearn_hpo.space`.
    name : str
        Parameter name, used in error messages.

    Returns
    -------
    Dimension

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and the value received.
    """
    if isinstance(value, Dimension):
        dim = value
    elif hasattr(value, "rvs") and not isinstance(value, (str, bytes)):
        dim = Distribution(value)
    elif isinstance(value, np.ndarray) and value.ndim > 1:
        # scikit-learn's ParameterGrid raises this error, worded so.
        raise ValueError(
            f"Parameter array for {name!r} should be one-dimensional, got: "
            f"{value!r} with shape {value.shape}"
        )
    elif _is_sequence(value):
        _check_shorthand(value, name)
        if len(value) == 0:
            raise ValueError(
                f"Parameter {name!r}: choices must not be empty, got {value!r}."
            )
        dim = Categorical(list(value))
    else:
        raise TypeError(
            f"Parameter {name!r}: expected a list of values, a Real/Integer/"
            f"Categorical dimension or a scipy.stats distribution, got {value!r} "
            f"of type {type(value).__name__}."
        )
    dim.validate(name)
    return dim


def _is_bound(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _range_line(low: Any, high: Any, log: bool) -> str:
    """The dimension to write for scikit-optimize's ``(low, high[, prior])``."""
    integral = all(isinstance(v, numbers.Integral) for v in (low, high))
    low, high = (v.item() if isinstance(v, np.generic) else v for v in (low, high))
    prior = ', prior="log-uniform"' if log else ""
    return f"{'Integer' if integral else 'Real'}({low!r}, {high!r}{prior})"


def _user_stacklevel() -> int:
    """``stacklevel`` pointing at the first caller outside this package and
    scikit-learn (the user's ``fit``, or their call of ``as_search_space``)."""
    internal = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    sklearn = sys.modules.get("sklearn")
    if sklearn is not None and getattr(sklearn, "__file__", None):
        internal.append(os.path.dirname(os.path.abspath(sklearn.__file__)))
    internal.append(contextlib.__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(tuple(internal)):
        frame, level = frame.f_back, level + 1
    return level


def _check_shorthand(value: Any, name: str) -> None:
    """Refuse or warn about scikit-optimize's tuple shorthand for a range.

    scikit-learn reads any tuple as a list of choices, scikit-optimize reads
    ``(low, high)`` and ``(low, high, prior[, base])`` as a range. With a
    prior string the tuple cannot be meant as choices (one of them would be
    ``"log-uniform"``, failing every fit): a ValueError. Two numbers may be
    two genuine choices: a warning naming both ways to write them.
    """
    if not isinstance(value, tuple) or not 2 <= len(value) <= 4:
        return
    low, high = value[0], value[1]
    if not (_is_bound(low) and _is_bound(high)):
        return
    prior = value[2] if len(value) > 2 else None
    if isinstance(prior, str) and prior in PRIORS and (
        len(value) == 3 or _is_bound(value[3])
    ):
        raise ValueError(
            f"Parameter {name!r}: {value!r} is scikit-optimize's shorthand for a "
            f"range, but scikit-learn's searches read a tuple as a list of "
            f"choices (here {len(value)}, one of them {prior!r}). For the "
            f"range write {name!r}: {_range_line(low, high, PRIORS[prior])}; "
            f"for choices, a list."
        )
    if len(value) == 2:
        warnings.warn(
            f"Parameter {name!r}: the tuple {value!r} is read as the two choices "
            f"{low!r} and {high!r}, as scikit-learn's searches read a tuple; "
            f"scikit-optimize reads it as the range between them. For the range "
            f"write {name!r}: {_range_line(low, high, False)}; for the two "
            f"choices write a list, {list(value)!r}, which does not warn.",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )


class SearchSpace:
    """A validated search space made of one or more sub-spaces.

    Parameters
    ----------
    subspaces : list of dict
        Each dict maps parameter names to :class:`Dimension` objects.

    Attributes
    ----------
    subspaces : tuple of dict
        The sub-spaces, as given.
    columns : tuple of Column
        The unit-cube columns: the selector (if several sub-spaces), then each
        sub-space's parameters in order.
    """

    def __init__(self, subspaces: Sequence[Mapping[str, Dimension]]) -> None:
        self.subspaces = tuple(dict(s) for s in subspaces)
        cols: list[Column] = []
        if len(self.subspaces) > 1:
            cols.append(
                Column(None, "<subspace>", Categorical(range(len(self.subspaces))))
            )
        self._col_index: list[dict[str, int]] = []
        for k, sub in enumerate(self.subspaces):
            index = {}
            for name, dim in sub.items():
                index[name] = len(cols)
                cols.append(Column(k, name, dim))
            self._col_index.append(index)
        self.columns = tuple(cols)
        # Earlier sub-spaces with the same parameter names: a point that both
        # hold belongs to the first (subspace_of), so snap re-encodes it there.
        self._shadowed_by = [
            [j for j in range(k) if _may_share_points(self.subspaces[j], sub)]
            for k, sub in enumerate(self.subspaces)
        ]
        self._size: float | None = None

    def __repr__(self) -> str:
        subs = ", ".join(repr(s) for s in self.subspaces)
        return f"SearchSpace([{subs}])"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return self.subspaces == other.subspaces

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_columns(self) -> int:
        """Number of columns of the unit-cube encoding."""
        return len(self.columns)

    @property
    def has_selector(self) -> bool:
        """Whether column 0 selects the sub-space."""
        return len(self.subspaces) > 1

    @property
    def size(self) -> float:
        """Number of distinct candidates (``math.inf`` if any dimension is
        continuous).

        A candidate that several sub-spaces hold counts once (up to
        ``_COUNT_LIMIT`` points per overlapping sub-space; beyond that, once
        per sub-space).
        """
        if self._size is None:
            self._size = self._count()
        return self._size

    def _count(self) -> float:
        total = 0
        for k, sub in enumerate(self.subspaces):
            n = 1
            for dim in sub.values():
                if dim.n_values is None:
                    return math.inf
                n *= dim.n_values
            if self._shadowed_by[k] and n <= _COUNT_LIMIT:
                rows = self.enumerate_subspace(k)
                n = int(np.sum(self.subspace_indices(self.snap(rows)) == k))
            total += n
        return total

    def enumerate_subspace(self, k: int) -> np.ndarray:
        """Unit rows of every point of the finite sub-space ``k``.

        Rows are in the sub-space's own encoding (not re-encoded in an
        earlier sub-space that holds the same point).
        """
        per_dim = [unit_values(dim) for dim in self.subspaces[k].values()]
        combos = np.array(list(itertools.product(*per_dim)), dtype=float)
        block = np.full((len(combos), self.n_columns), np.nan)
        if self.has_selector:
            block[:, 0] = self.selector_value(k)
        block[:, list(self._col_index[k].values())] = combos.reshape(
            len(combos), len(per_dim)
        )
        return block

    def subspace_of(self, candidate: Mapping[str, Any]) -> int:
        """Index of the sub-space ``candidate`` belongs to.

        That is the first sub-space with the candidate's parameter names in
        which every value is a point of its dimension. Sub-spaces may share
        names with other ranges (``[{"C": Real(1e-3, 0.1)}, {"C": Real(10,
        1e3)}]``); where no sub-space holds every value, the first one with
        the names that can encode them is returned (the caller's checks then
        name the value that is out of range).
        """
        keys = set(candidate)
        named = [k for k, sub in enumerate(self.subspaces) if set(sub) == keys]
        fallback = None
        for k in named:
            sub = self.subspaces[k]
            try:
                if len(named) == 1:  # nothing to tell apart: it must encode
                    for name, dim in sub.items():
                        dim.to_unit([candidate[name]])
                    return k
                inside = all(_holds(dim, candidate[name]) for name, dim in sub.items())
            except (ValueError, TypeError):
                continue
            if inside:
                return k
            if fallback is None:
                fallback = k
        if fallback is not None:
            return fallback
        raise ValueError(
            f"Candidate {dict(candidate)!r} does not belong to any sub-space of "
            f"{self!r}."
        )

    def check_candidate(self, candidate: Any, name: str = "candidate") -> None:
        """Raise a ValueError unless ``candidate`` is exactly a point of the space.

        Parameters
        ----------
        candidate : dict
            Parameter values, e.g. a user's initial point.
        name : str
            How to call the candidate in the error message.
        """
        if not isinstance(candidate, Mapping):
            raise TypeError(
                f"{name} must be a dict, got {candidate!r} of type "
                f"{type(candidate).__name__}."
            )
        keys = set(candidate)
        named = [k for k, sub in enumerate(self.subspaces) if set(sub) == keys]
        if not named:  # name what differs from the closest sub-space
            closest = min(self.subspaces, key=lambda sub: len(set(sub) ^ keys))
            missing, extra = sorted(set(closest) - keys), sorted(keys - set(closest))
            parts = [f"lacks {missing}"] if missing else []
            parts += [f"has {extra} too"] if extra else []
            where = "the search space" if len(self.subspaces) == 1 else "any sub-space"
            raise ValueError(
                f"{name} {' and '.join(parts)}: its parameters are "
                f"not those of {where} (closest: {sorted(closest)})."
            )
        k = named[0] if len(named) == 1 else self.subspace_of(candidate)
        for key, dim in self.subspaces[k].items():
            value = candidate[key]
            if not _holds_safely(dim, value):
                raise ValueError(
                    f"{name} has {key}={value!r}, which is not a value of {dim!r}."
                )

    def to_unit(self, candidates: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Encode candidates as rows of the unit cube (NaN for inactive columns)."""
        U = np.full((len(candidates), self.n_columns), np.nan)
        for i, cand in enumerate(candidates):
            k = self.subspace_of(cand)
            if self.has_selector:
                U[i, 0] = self.selector_value(k)
            for name, j in self._col_index[k].items():
                U[i, j] = self.columns[j].dimension.to_unit([cand[name]])[0]
        return U

    def selector_value(self, k: int | np.ndarray) -> float | np.ndarray:
        """Unit code of sub-space ``k`` in the selector column (column 0).

        Sub-space ``k`` of ``n`` is the centre ``(k + 0.5) / n`` of the
        ``k``-th of ``n`` equal cells of the unit interval;
        :meth:`subspace_indices` is the inverse.

        Parameters
        ----------
        k : int or array-like of int
            Sub-space index (or indices), in ``[0, len(subspaces))``.

        Returns
        -------
        float or ndarray of float
            A float for a scalar ``k``, else an array of ``k``'s shape.
        """
        n = len(self.subspaces)
        k_arr = np.asarray(k)
        if k_arr.size and (np.min(k_arr) < 0 or np.max(k_arr) >= n):
            raise ValueError(f"k must be a sub-space index in [0, {n}), got {k!r}.")
        value = (k_arr + 0.5) / n
        return float(value) if value.ndim == 0 else value

    def subspace_indices(self, U: np.ndarray) -> np.ndarray:
        """Index of the sub-space each unit row selects (in column 0).

        The inverse of :meth:`selector_value`: the cell of ``n`` equal cells
        that holds the row's selector code (out-of-range codes clipped, NaN
        read as 0). All zeros when the space has a single sub-space.

        Parameters
        ----------
        U : ndarray of shape (n_rows, n_columns)
            Unit rows (canonical or not).

        Returns
        -------
        ndarray of shape (n_rows,) and dtype int64
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        if not self.has_selector:
            return np.zeros(len(U), dtype=np.int64)
        n = len(self.subspaces)
        u0 = np.nan_to_num(U[:, 0], nan=0.0)
        return np.clip(np.floor(u0 * n), 0, n - 1).astype(np.int64)

    def row_keys(self, U: np.ndarray) -> list[bytes]:
        """Identity keys of canonical unit rows: equal keys, same candidate.

        The one definition of "the same candidate" for optimizers and
        searches. Inactive (NaN) columns count as -1 and unit codes are
        rounded to 9 decimals (``-0.0`` folded into ``0.0``), so that codes a
        floating-point rounding apart (a value decoded and encoded again) are
        one candidate, but for the rare pair on either side of a rounding
        boundary. A key is the bytes of that float64 row:
        ``np.frombuffer(key)`` gives it back.

        Parameters
        ----------
        U : ndarray of shape (n_rows, n_columns)
            Canonical unit rows (see :meth:`snap`); a 1-D non-empty array is
            one row.

        Returns
        -------
        list of bytes
            One hashable key per row.
        """
        U = np.asarray(U, dtype=float)
        if U.ndim == 1 and U.size:
            U = U[None, :]
        R = np.round(np.nan_to_num(U, nan=-1.0), _KEY_DECIMALS) + 0.0  # folds -0.0
        return [row.tobytes() for row in R]

    def candidate_keys(self, candidates: Sequence[Mapping[str, Any]]) -> list[bytes]:
        """Identity keys of candidate dicts: :meth:`row_keys` of their canonical rows.

        Two candidates have the same key when they are the same point once
        snapped (e.g. ``{"n": 3}`` and ``{"n": 3.0}`` of an Integer
        dimension).

        Parameters
        ----------
        candidates : sequence of dict
            Points of the space.

        Returns
        -------
        list of bytes
        """
        candidates = list(candidates)
        if not candidates:
            return []
        return self.row_keys(self.snap(self.to_unit(candidates)))

    def from_unit(self, U: np.ndarray) -> list[dict[str, Any]]:
        """Decode rows of the unit cube into candidate dicts.

        Columns of sub-spaces other than the selected one are ignored.
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        subs = self.subspace_indices(U)
        out: list[dict[str, Any]] = [{} for _ in range(len(U))]
        for k, index in enumerate(self._col_index):
            rows = np.flatnonzero(subs == k)
            if len(rows) == 0:
                continue
            for name, j in index.items():
                u = np.nan_to_num(U[rows, j], nan=0.5)
                values = self.columns[j].dimension.from_unit(u)
                for r, v in zip(rows, values):
                    out[r][name] = v
        return out

    def snap(self, U: np.ndarray) -> np.ndarray:
        """Canonical form of unit rows: ``to_unit(from_unit(U))``, vectorised.

        Discrete values move to the centre of their cell, inactive columns
        become NaN and out-of-range values are clipped. A point of a
        sub-space that an earlier sub-space with the same names also holds
        is encoded in the earlier one, as :meth:`to_unit` does.
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        S = np.full(U.shape, np.nan)
        subs = self.subspace_indices(U)
        if self.has_selector:
            S[:, 0] = self.selector_value(subs)
        for k, index in enumerate(self._col_index):
            rows = np.flatnonzero(subs == k)
            if len(rows) == 0:
                continue
            for j in index.values():
                u = np.nan_to_num(U[rows, j], nan=0.5)
                S[rows, j] = self.columns[j].dimension.snap(u)
            if self._shadowed_by[k] and len(rows):
                S[rows] = self.to_unit(self.from_unit(S[rows]))
        return S

    def sample_unit(self, n: int, random_state: Any = None) -> np.ndarray:
        """Draw ``n`` uniform points of the unit cube, snapped to canonical form."""
        rng = as_generator(random_state)
        return self.snap(rng.random((n, self.n_columns)))

    def active_mask(self, U: np.ndarray) -> np.ndarray:
        """Boolean mask of the columns each row uses."""
        return ~np.isnan(self.snap(U))


def _may_share_points(a: Mapping[str, Dimension], b: Mapping[str, Dimension]) -> bool:
    """Whether sub-spaces ``a`` and ``b`` may hold a common point.

    They need the same names, and for each name dimensions that meet:
    choices in common, or ranges that intersect. One dict per kernel
    (``{"kernel": ["rbf"], ...}, {"kernel": ["linear"], ...}``) never does.
    """
    if set(a) != set(b):
        return False
    return all(_dimensions_meet(a[name], b[name]) for name in a)


def _dimensions_meet(a: Dimension, b: Dimension) -> bool:
    """Whether two dimensions may share a value, as ``_holds`` judges one:
    floats within its relative tolerance count as equal."""
    for one, other in ((a, b), (b, a)):
        if isinstance(one, Categorical):
            return any(_holds_safely(other, value) for value in one.choices)
    lo_a, hi_a = _value_range(a)
    lo_b, hi_b = _value_range(b)
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    return lo <= hi or bool(np.isclose(lo, hi, rtol=_RTOL, atol=0.0))


def _value_range(dim: Dimension) -> tuple[float, float]:
    """The dimension's bounds; unknown ones (a custom prior) are unbounded."""
    try:
        if isinstance(dim, Distribution):
            lo, hi = dim.bounds()
        else:
            lo, hi = dim.low, dim.high  # type: ignore[attr-defined]
        return float(lo), float(hi)
    except Exception:
        return -math.inf, math.inf


def _holds_safely(dim: Dimension, value: Any) -> bool:
    try:
        with np.errstate(all="ignore"):
            return _holds(dim, value)
    except Exception:  # cannot be encoded (a type, a log of 0, an overflow)
        return False


def unit_values(dim: Dimension) -> np.ndarray:
    """Canonical unit codes of every value of a finite dimension."""
    m = int(dim.n_values)
    if getattr(dim, "discrete", False):  # a finite discrete distribution
        return np.unique(dim.to_unit(dim.values()))
    # Cell centres cover every value of Integer and Categorical dimensions.
    return np.unique(dim.snap((np.arange(m) + 0.5) / m))


def _holds(dim: Dimension, value: Any) -> bool:
    """Whether ``value`` is a point of ``dim`` (its unit code decodes to it).

    Raises ValueError or TypeError when ``dim`` cannot encode ``value``.
    """
    back = dim.from_unit(dim.to_unit([value]))[0]
    return back is value or _close(back, value)


def _close(a: Any, b: Any) -> bool:
    try:
        integers = (int, np.integer)
        if isinstance(a, integers) and isinstance(b, integers):
            return bool(a == b)  # exact: 10**9 + 1 is not 10**9
        if isinstance(a, (int, float, np.number)) and isinstance(
            b, (int, float, np.number)
        ):
            return bool(np.isclose(float(a), float(b), rtol=_RTOL, atol=0.0))
        return _safe_equal(a, b)
    except Exception:
        return False


def _is_grid_like(x: Any) -> bool:
    return isinstance(x, (list, tuple))


def as_search_space(search_spaces: Any) -> SearchSpace:
    """Validate and convert a user's search space.

    Parameters
    ----------
    search_spaces : dict, list of dict, or SearchSpace
        A dict maps parameter names to :class:`Real`, :class:`Integer`,
        :class:`Categorical`, frozen ``scipy.stats`` distributions or lists of
        values (as ``RandomizedSearchCV`` accepts). A list of dicts gives
        conditional sub-spaces (as ``GridSearchCV``'s list of grids), each
        searched in turn by the optimizers. The input is never mutated.

    Returns
    -------
    SearchSpace

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and the value received.
    """
    if isinstance(search_spaces, SearchSpace):
        return search_spaces
    if isinstance(search_spaces, Mapping):
        raw = [search_spaces]
    elif _is_grid_like(search_spaces):
        raw = list(search_spaces)
        if not raw:
            raise ValueError("search_spaces must not be an empty list, got [].")
    else:
        raise TypeError(
            "search_spaces must be a dict or a list of dicts, got "
            f"{search_spaces!r} of type {type(search_spaces).__name__}."
        )
    subspaces = []
    for i, sub in enumerate(raw):
        if not isinstance(sub, Mapping):
            # scikit-optimize's BayesSearchCV takes (space, n_iter) pairs.
            skopt = (
                " scikit-optimize's (space, n_iter) pairs are not taken: pass "
                "the dicts as a list, which share the search's n_iter."
                if isinstance(sub, tuple)
                and len(sub) == 2
                and isinstance(sub[0], Mapping)
                else ""
            )
            raise TypeError(
                f"search_spaces[{i}] must be a dict, got {sub!r} of type "
                f"{type(sub).__name__}.{skopt}"
            )
        dims = {}
        for name, value in sub.items():
            if not isinstance(name, str):
                raise TypeError(
                    f"Parameter names must be strings, got {name!r} of type "
                    f"{type(name).__name__}."
                )
            dims[name] = as_dimension(value, name)
        subspaces.append(dims)
    return SearchSpace(subspaces)
