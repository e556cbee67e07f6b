"""After a fit: say when the best candidate lies on a bound of a searched range.

A best value at the edge of its range (``C`` at the ``1e3`` of
``Real(1e-3, 1e3, log=True)``) usually means the optimum lies beyond it, and
the search could not go there: the most common reason a search underdelivers.
:func:`check_best_on_bounds` sets ``best_on_bounds_`` on a fitted search and
gives one :class:`BestOnBoundWarning` naming those parameters and bounds.

A numeric range is a :class:`~sklearn_hpo.space.Real` or
:class:`~sklearn_hpo.space.Integer` dimension, or a ``scipy.stats``
distribution whose support is finite; lists of values (categorical) are not
ranges. A real value is on a bound when it lies within
:data:`BOUND_TOLERANCE` of the range's width from it, measured on the log
scale for a log range (``log=True``, ``scipy.stats.loguniform``); an integer
value when it equals the bound. An integer range of two values is a choice,
not a range, and is left out, as is a bound that is an end of the values the
estimator declares valid (``n_neighbors=1`` of ``Integer(1, 30)``): no better
value lies beyond it. So is a parameter the best candidate's estimator does
not read with its other settings (``degree`` of ``SVC(kernel="linear")``):
its value is arbitrary.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from sklearn.base import clone

from sklearn_hpo.search._relevance import is_ignored
from sklearn_hpo.search._results import user_stacklevel
from sklearn_hpo.space import Distribution, Integer, Real, as_search_space
from sklearn_hpo.utils._compat import is_declared_limit

__all__ = ["BOUND_TOLERANCE", "BestOnBoundWarning", "check_best_on_bounds"]

#: Fraction of a real range's width (of its log width for a log range)
#: within which a value counts as on the bound.
BOUND_TOLERANCE = 0.01

_LOG_DISTRIBUTIONS = ("loguniform", "reciprocal")


class BestOnBoundWarning(UserWarning):
    """The best candidate of a search lies on a bound of a searched range.

    The best value may lie beyond the bound: widen the range (the search's
    ``best_on_bounds_`` lists the parameters and bounds). Filter it as any
    warning, e.g. ``warnings.simplefilter("ignore", BestOnBoundWarning)``.
    """


def _range(dim: Any) -> tuple[float, float, bool, bool] | None:
    """``(low, high, log, integral)`` of a numeric range; None for others."""
    if isinstance(dim, (Real, Integer)):
        lo, hi, log, integral = dim.low, dim.high, dim.log, isinstance(dim, Integer)
    elif isinstance(dim, Distribution):
        try:
            lo, hi = dim.dist.support()
        except Exception:  # a custom prior without a support
            return None
        name = getattr(getattr(dim.dist, "dist", None), "name", "")
        log, integral = name in _LOG_DISTRIBUTIONS, dim.discrete
    else:
        return None
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        return None
    if integral and hi - lo < 2:  # two values: a choice, not a range
        return None
    if log and lo <= 0:
        log = False
    return lo, hi, log, integral


def _side(value: Any, bounds: tuple[float, float, bool, bool]) -> str | None:
    """``"lower"``, ``"upper"`` or None: where ``value`` lies in the range."""
    lo, hi, log, integral = bounds
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    if integral:
        return "lower" if x <= lo else "upper" if x >= hi else None
    if log:
        if x <= 0:
            return None
        x, lo, hi = math.log(x), math.log(lo), math.log(hi)
    fraction = (x - lo) / (hi - lo)
    if fraction <= BOUND_TOLERANCE:
        return "lower"
    if fraction >= 1 - BOUND_TOLERANCE:
        return "upper"
    return None


def best_on_bounds(search_spaces: Any, best_params: dict) -> dict[str, tuple]:
    """The parameters of ``best_params`` on a bound of their range.

    Parameters
    ----------
    search_spaces : dict, list of dict or SearchSpace
        The search's space; with several sub-spaces, the one the best
        candidate belongs to is read.
    best_params : dict
        The best candidate (other parameters, such as a multi-fidelity
        search's resource, are ignored).

    Returns
    -------
    dict
        Parameter name -> ``(side, bound)``: ``"lower"`` or ``"upper"``,
        and the bound's value, in the order of the space.
    """
    with warnings.catch_warnings():
        # The fit parsed this space and gave its warnings (a tuple of two
        # numbers, read as choices) once already.
        warnings.simplefilter("ignore")
        space = as_search_space(search_spaces)
    names = {name for sub in space.subspaces for name in sub}
    candidate = {k: v for k, v in best_params.items() if k in names}
    try:
        sub = space.subspaces[space.subspace_of(candidate)]
    except (ValueError, TypeError):
        return {}
    found = {}
    for name, dim in sub.items():
        bounds = _range(dim)
        side = None if bounds is None else _side(candidate[name], bounds)
        if side is not None:
            bound = bounds[0] if side == "lower" else bounds[1]
            found[name] = (side, int(bound) if bounds[3] else bound)
    return found


def _show(value: Any) -> str:
    """A number as the user would write it (``1000.0``, not ``np.float64``)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.6g}"
    return repr(value)


def _configured(estimator: Any, params: dict) -> Any:
    """A copy of ``estimator`` with the candidate's ``params`` set (those it
    has: a multi-fidelity search's resource may not be one), or
    ``estimator`` itself if they cannot be set."""
    try:
        # Replaced steps first (a conditional space's model), then the
        # parameters of the steps as they then are.
        known = estimator.get_params()
        steps = {k: v for k, v in params.items() if "__" not in k and k in known}
        configured = clone(estimator).set_params(**clone(steps, safe=False))
        known = configured.get_params()
        rest = {k: v for k, v in params.items() if "__" in k and k in known}
        return configured.set_params(**clone(rest, safe=False))
    except Exception:  # an estimator that cannot be cloned or set: as given
        return estimator


def check_best_on_bounds(search: Any) -> None:
    """Set ``search.best_on_bounds_`` and warn once if it is not empty.

    Only for a search whose ``refit`` picked a best candidate
    (``best_params_`` is set); nothing is done otherwise.
    """
    best = getattr(search, "best_params_", None)
    if best is None:
        return
    configured = _configured(search.estimator, best)
    found = {
        name: (side, bound)
        for name, (side, bound) in best_on_bounds(search.search_spaces, best).items()
        if not is_declared_limit(configured, name, side, bound, isinstance(bound, int))
        and not is_ignored(configured, name)
    }
    search.best_on_bounds_ = found
    if not found:
        return
    where = "; ".join(
        f"{name}={_show(best[name])} on the {side} bound {_show(bound)}"
        for name, (side, bound) in found.items()
    )
    warnings.warn(
        f"The best candidate of {type(search).__name__} lies on a bound of its "
        f"range: {where}. The best value may lie beyond it: consider widening "
        "the range (best_on_bounds_ lists these parameters).",
        BestOnBoundWarning,
        stacklevel=user_stacklevel(),
    )
