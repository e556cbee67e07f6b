"""A quantile map derived from a sample, for distributions with only ``rvs``.

``RandomizedSearchCV`` asks nothing of a distribution but ``rvs``; the unit-cube
strategies also need its CDF and inverse CDF. For an object without them, the
map is derived from a fixed-seed sample of :data:`N_DRAWS` values
(:data:`N_CALLS` when ``rvs`` takes no ``size`` and draws one value a call,
which costs a call of the user's code each):

- integer-valued (or heavily repeated) samples give a discrete distribution on
  the values drawn, each with its frequency: every value proposed is one the
  distribution can draw, exactly, but values too rare to be drawn (far in a
  long tail) are never proposed;
- other samples give the piecewise-linear interpolation of the sorted sample
  (its empirical quantile function), between the smallest and the largest
  value drawn.

The seed is fixed, not the search's ``random_state``, so that one space always
maps the same way; each distribution object is sampled once per process.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

__all__ = ["EmpiricalMap", "empirical_map", "N_CALLS", "N_DRAWS"]

#: Values drawn to derive a map, in one call of ``rvs(size=...)``: the
#: empirical CDF is then within 0.043 of the true one with probability 0.999
#: (Dvoretzky-Kiefer-Wolfowitz).
N_DRAWS = 2048
#: Values drawn when ``rvs`` takes no ``size``: one call each, each perhaps
#: building a scipy distribution (milliseconds), hence fewer; within 0.061.
N_CALLS = 1024
# Fixed, not the search's random_state: one space always maps the same way.
_SEED = 0
# Distributions sampled so far, by identity (the object is kept with its map
# so that its id stays its own); the oldest are forgotten beyond this many.
_CACHE_SIZE = 64
_cache: dict[int, tuple[Any, EmpiricalMap]] = {}
_lock = threading.Lock()


class EmpiricalMap:
    """The CDF and inverse CDF of a sample, as maps to and from ``[0, 1]``.

    Parameters
    ----------
    sample : ndarray of shape (n,)
        Finite numbers (bool, int or float); at least two.

    Attributes
    ----------
    discrete : bool
        Whether the sample's values are integers, or repeat (at most half of
        them distinct): it is then a discrete distribution on those values.
    support : ndarray or None
        The distinct values drawn, increasing, when ``discrete``.
    """

    def __init__(self, sample: np.ndarray) -> None:
        x = np.sort(np.asarray(sample).ravel())
        self._cast = {"b": bool, "i": int, "u": int}.get(x.dtype.kind, float)
        values, counts = np.unique(x, return_counts=True)
        integral = x.dtype.kind in "biu" or bool(np.all(np.mod(x, 1) == 0))
        self.discrete = integral or 2 * len(values) <= len(x)
        self.low, self.high = x[0], x[-1]
        if self.discrete:
            self.support = values
            self._mass = counts / len(x)
            self._cum = np.cumsum(self._mass)
            self._cum[-1] = 1.0
        else:
            self.support = None
            x = x.astype(float)
            # Knots of the inverse CDF: the i-th of n sorted values at i/(n-1).
            self._p = np.linspace(0.0, 1.0, len(x))
            self._x = x
            # The CDF's knots are the distinct values, each at the mean level
            # of its copies, so that from_unit(to_unit(v)) == v for ties too.
            _, first = np.unique(x, return_index=True)
            self._xu = x[first]
            self._pu = np.add.reduceat(self._p, first) / np.diff(
                np.append(first, len(x))
            )

    def to_unit(self, values: Any) -> np.ndarray:
        """Map values to ``[0, 1]``: a discrete value to the centre of its cell."""
        v = np.asarray(values, dtype=float)
        if not self.discrete:
            return np.interp(v, self._xu, self._pu)
        j = np.searchsorted(self.support, v, side="right") - 1
        below = j < 0
        j = np.maximum(j, 0)
        cdf = np.where(below, 0.0, self._cum[j])
        mass = np.where(~below & (self.support[j] == v), self._mass[j], 0.0)
        return np.clip(cdf - 0.5 * mass, 0.0, 1.0)

    def from_unit(self, u: Any) -> list:
        """Map ``[0, 1]`` to values (Python bool, int or float, as drawn)."""
        u = np.clip(np.atleast_1d(np.asarray(u, dtype=float)), 0.0, 1.0)
        if self.discrete:
            j = np.searchsorted(self._cum, u, side="left")
            x = self.support[np.minimum(j, len(self.support) - 1)]
        else:
            x = np.interp(u, self._p, self._x)
        return [self._cast(v) for v in x]


def _draw(dist: Any) -> np.ndarray:
    """:data:`N_DRAWS` values of ``dist.rvs`` in one call if it takes
    ``size``, else :data:`N_CALLS` values, one a call."""
    try:
        x = np.asarray(
            dist.rvs(size=N_DRAWS, random_state=np.random.RandomState(_SEED))
        )
        if x.size == N_DRAWS:
            return x.ravel()
    except Exception:  # noqa: BLE001 - rvs(random_state=...) is the contract
        pass
    # One value a call, as RandomizedSearchCV draws them.
    rng = np.random.RandomState(_SEED)
    x = np.asarray([dist.rvs(random_state=rng) for _ in range(N_CALLS)])
    return x.ravel() if x.size == N_CALLS else x


def empirical_map(dist: Any, where: str = "Distribution") -> EmpiricalMap:
    """The map of ``dist`` derived from a sample of its values (cached).

    Parameters
    ----------
    dist : object with an ``rvs(random_state=...)`` method
        The distribution, as ``RandomizedSearchCV`` takes it.
    where : str, default="Distribution"
        How to name it in errors ("Parameter 'C'").

    Returns
    -------
    EmpiricalMap

    Raises
    ------
    TypeError
        When the values drawn are not numbers.
    ValueError
        When a value drawn is not finite.
    """
    key = id(dist)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] is dist:
        return hit[1]
    x = _draw(dist)
    if x.dtype.kind not in "biuf" or x.ndim != 1:
        shown = x.ravel()[0] if x.size else x
        raise TypeError(
            f"{where}: the values drawn from {dist!r} must be numbers, one per "
            f"draw, got {shown!r} of type {type(shown).__name__}; give other "
            "values as a list (e.g. ['a', 'b']) or a Categorical."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{where}: the values drawn from {dist!r} must be finite, got "
            f"{x[~np.isfinite(x)][0]!r}."
        )
    derived = EmpiricalMap(x)
    with _lock:
        _cache[key] = (dist, derived)
        while len(_cache) > _CACHE_SIZE:
            del _cache[next(iter(_cache))]
    return derived
