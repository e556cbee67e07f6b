"""Frozen ``scipy.stats`` distributions, and any object with ``rvs``, as dimensions.

The distribution's CDF maps a value to the unit interval and its inverse CDF
maps back, so a uniform search in the unit cube samples from the prior, and a
model-based optimizer concentrates where the prior puts mass. An object with
only ``rvs`` (all that ``RandomizedSearchCV`` needs) gets both maps from a
fixed-seed sample of its values: see :mod:`sklearn_hpo.space._empirical`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from sklearn_hpo.space._dimensions import Dimension
from sklearn_hpo.space._empirical import EmpiricalMap, empirical_map

__all__ = ["Distribution"]

# Keep inverse-CDF arguments away from 0 and 1, where unbounded priors are
# infinite.
_EPS = 1e-9


def _is_discrete(dist: Any) -> bool:
    """Frozen or not: ``randint(1, 5)``, ``rv_discrete(values=(xk, pk))``."""
    from scipy import stats

    return isinstance(dist, stats.rv_discrete) or isinstance(
        getattr(dist, "dist", None), stats.rv_discrete
    )


def _sample_support(dist: Any) -> np.ndarray | None:
    """The values of ``rv_discrete(values=(xk, pk))`` with ``pk > 0``, else None."""
    base = getattr(dist, "dist", dist)
    xk, pk = getattr(base, "xk", None), getattr(base, "pk", None)
    if xk is None or pk is None:
        return None
    return np.asarray(xk)[np.asarray(pk) > 0]


def _integral_support(dist: Any) -> bool:
    """Whether a discrete distribution's values are all integers."""
    support = _sample_support(dist)
    return support is None or bool(np.all(np.mod(support, 1) == 0))


def _has_own_map(dist: Any) -> bool:
    """Whether ``dist`` has the CDF and inverse CDF (and, if discrete, the
    probability mass function) that map it to the unit interval."""
    methods = ("cdf", "ppf") + (("pmf",) if _is_discrete(dist) else ())
    return all(callable(getattr(dist, m, None)) for m in methods)


class Distribution(Dimension):
    """Wrap a frozen ``scipy.stats`` distribution, or any object with ``rvs``.

    Parameters
    ----------
    dist : frozen scipy.stats distribution, or object with an ``rvs`` method
        For example ``scipy.stats.loguniform(1e-3, 1e3)`` or
        ``scipy.stats.randint(1, 10)``, or a class of one's own whose
        ``rvs(random_state=...)`` draws a value, as ``RandomizedSearchCV``
        takes it. It is used as is, never modified.

    Attributes
    ----------
    discrete : bool
        Whether the values are those of a discrete distribution.
    kind : {"integer", "real"}
        ``"integer"`` for a discrete distribution, else ``"real"``.

    Notes
    -----
    A distribution with ``rvs``, ``cdf`` and ``ppf`` methods (every
    ``scipy.stats`` one) is mapped through its own CDF and inverse CDF;
    discrete distributions (``rv_discrete``, frozen or not, including
    ``rv_discrete(values=(xk, pk))`` with any support) yield their values,
    as Python ints when all of them are integers, else as floats.

    A distribution without ``cdf`` or ``ppf`` is mapped through the empirical
    distribution of 2,048 of its values (1,024 if its ``rvs`` takes no
    ``size`` and draws one value a call), drawn once per process with a fixed
    seed (not the search's ``random_state``: a space always maps the same
    way). Values that are all integers (or that repeat) make it discrete:
    the search then proposes only values that were drawn, each with its
    frequency as prior mass, so a value rarer than about 1 in 1,000 may
    never be proposed.
    Other values give the linear interpolation of the sorted sample, between
    the smallest and the largest value drawn. The values keep the type the
    ``rvs`` method gives (int, float or bool). Random sampling, in our
    searches too, draws through this map.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hpo.space import Distribution
    >>> class LogUniformInt:  # what RandomizedSearchCV needs, and no more
    ...     def rvs(self, random_state=None):
    ...         rng = np.random.default_rng(random_state.randint(2**31))
    ...         return int(np.exp(rng.uniform(0.0, np.log(1000.0))))
    >>> dim = Distribution(LogUniformInt())
    >>> dim.kind, dim.from_unit([0.0])
    ('integer', [1])
    """

    def __init__(self, dist: Any) -> None:
        if not callable(getattr(dist, "rvs", None)):
            raise TypeError(
                "Distribution: dist must have an rvs method (a scipy.stats "
                f"distribution, or an object with rvs(random_state=...)), got "
                f"{dist!r} of type {type(dist).__name__}."
            )
        self.dist = dist
        self._own = _has_own_map(dist)
        self._own_discrete = self._own and _is_discrete(dist)
        self._integers = self._own_discrete and _integral_support(dist)
        # The derived map, made on first use (at the latest in validate).
        self._derived: list[EmpiricalMap] = []
        self._freeze()

    def _map(self, where: str = "Distribution") -> EmpiricalMap:
        if not self._derived:
            self._derived.append(empirical_map(self.dist, where))
        return self._derived[0]

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        return self._own_discrete if self._own else self._map().discrete

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "integer" if self.discrete else "real"

    def _init_args(self) -> tuple[tuple, dict]:
        return (self.dist,), {}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.dist is other.dist

    def __hash__(self) -> int:
        return id(self.dist)

    def __repr__(self) -> str:
        d = self.dist
        name = getattr(getattr(d, "dist", None), "name", type(d).__name__)
        args = ", ".join(
            [repr(a) for a in getattr(d, "args", ())]
            + [f"{k}={v!r}" for k, v in getattr(d, "kwds", {}).items()]
        )
        return f"Distribution({name}({args}))"

    @property
    def n_values(self) -> int | None:
        """Number of values of a finite discrete support (without listing a
        range such as ``randint(0, 10**12)``); None otherwise."""
        if not self.discrete:
            return None
        if not self._own:
            return len(self._map().support)
        support = _sample_support(self.dist)
        if support is not None:
            return len(support)
        lo, hi = self.dist.support()
        if np.isfinite(lo) and np.isfinite(hi):
            return int(hi) - int(lo) + 1
        return None

    def values(self) -> np.ndarray | None:
        """Every value of a discrete distribution with a finite support, in
        increasing order (those of ``rv_discrete(values=...)`` with a
        positive probability, those drawn when the map is derived); None
        for other distributions."""
        if not self.discrete:
            return None
        if not self._own:
            return self._map().support.copy()
        support = _sample_support(self.dist)
        if support is not None:
            return np.sort(support)
        lo, hi = self.dist.support()
        if np.isfinite(lo) and np.isfinite(hi):
            return np.arange(lo, hi + 1)
        return None

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value (infinite for unbounded supports).

        Raises
        ------
        AttributeError
            When a distribution with its own CDF has no ``support`` method.
        """
        if not self._own:
            derived = self._map()
            return float(derived.low), float(derived.high)
        lo, hi = self.dist.support()
        return float(lo), float(hi)

    def validate(self, name: str) -> None:
        if not self._own:
            self._map(f"Parameter {name!r}")

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        if not self._own:
            return self._map().to_unit(values)
        x = np.asarray(values, dtype=float)
        if self.discrete:
            # The centre of the value's probability cell (cdf(x) - pmf(x),
            # cdf(x)], whatever the spacing of the support.
            u = self.dist.cdf(x) - 0.5 * self.dist.pmf(x)
        else:
            u = self.dist.cdf(x)
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)

    def from_unit(self, u: np.ndarray) -> list:
        if not self._own:
            return self._map().from_unit(u)
        u = np.clip(np.atleast_1d(np.asarray(u, dtype=float)), _EPS, 1 - _EPS)
        x = np.asarray(self.dist.ppf(u))
        if self._integers:
            return [int(v) for v in x]
        return [float(v) for v in x]

    def rvs(self, size: int | None = None, random_state: Any = None) -> Any:
        """Draw from the wrapped distribution (its own ``rvs``)."""
        if size is None:  # the one call every distribution takes
            return self.dist.rvs(random_state=random_state)
        return self.dist.rvs(size=size, random_state=random_state)
