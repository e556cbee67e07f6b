"""Frozen ``scipy.stats`` distributions as search dimensions.

The distribution's CDF maps a value to the unit interval and its inverse CDF
maps back, so a uniform search in the unit cube samples from the prior, and a
model-based optimizer concentrates where the prior puts mass.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from sklearn_hpo.space._dimensions import Dimension

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


class Distribution(Dimension):
    """Wrap a frozen ``scipy.stats`` distribution (continuous or discrete).

    Parameters
    ----------
    dist : frozen scipy.stats distribution
        For example ``scipy.stats.loguniform(1e-3, 1e3)`` or
        ``scipy.stats.randint(1, 10)``. It is used as is, never modified.

    Notes
    -----
    Any object with ``rvs``, ``cdf`` and ``ppf`` methods works; discrete
    distributions (``rv_discrete``, frozen or not, including
    ``rv_discrete(values=(xk, pk))`` with any support) yield their values,
    as Python ints when all of them are integers, else as floats.
    """

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        self.discrete = _is_discrete(dist)
        self._integers = self.discrete and _integral_support(dist)
        self.kind = "integer" if self.discrete else "real"
        self._freeze()

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
        positive probability); None for other distributions."""
        if not self.discrete:
            return None
        support = _sample_support(self.dist)
        if support is not None:
            return np.sort(support)
        lo, hi = self.dist.support()
        if np.isfinite(lo) and np.isfinite(hi):
            return np.arange(lo, hi + 1)
        return None

    def validate(self, name: str) -> None:
        for method in ("rvs", "cdf", "ppf") + (("pmf",) if self.discrete else ()):
            if not callable(getattr(self.dist, method, None)):
                raise TypeError(
                    f"Parameter {name!r}: a distribution needs an {method!r} method "
                    f"(a frozen scipy.stats distribution), got {self.dist!r}."
                )

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.discrete:
            # The centre of the value's probability cell (cdf(x) - pmf(x),
            # cdf(x)], whatever the spacing of the support.
            u = self.dist.cdf(x) - 0.5 * self.dist.pmf(x)
        else:
            u = self.dist.cdf(x)
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)

    def from_unit(self, u: np.ndarray) -> list:
        u = np.clip(np.atleast_1d(np.asarray(u, dtype=float)), _EPS, 1 - _EPS)
        x = np.asarray(self.dist.ppf(u))
        if self._integers:
            return [int(v) for v in x]
        if self.discrete:
            return [float(v) for v in x]
        return [float(v) for v in x]

    def rvs(self, size: int | None = None, random_state: Any = None) -> Any:
        """Draw from the wrapped distribution (its own ``rvs``)."""
        return self.dist.rvs(size=size, random_state=random_state)
