"""Successive-halving and Hyperband budget plans, as pure functions.

A plan says, for every rung of every bracket, how many candidates are
evaluated and with how much resource. Plans are computed with exact integer
(or :class:`fractions.Fraction`) arithmetic: ``floor(log(R, eta))`` in floating
point is off by one for exact powers (``log(243, 3) == 4.999...``), which
silently drops a rung.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from sklearn_hpo.utils._validation import check_int

__all__ = ["Bracket", "Rung", "hyperband_plan", "successive_halving_plan"]

Number = Union[int, float, Fraction]


@dataclass(frozen=True)
class Rung:
    """One rung of a bracket: ``n_candidates`` evaluated with ``n_resources`` each.

    Attributes
    ----------
    bracket : int
        Index of the bracket in its plan (0 = first run).
    rung : int
        Index of the rung in its bracket (0 = the most candidates).
    n_candidates : int
        Number of candidates evaluated at this rung.
    n_resources : int
        Resource given to each of them.
    """

    bracket: int
    rung: int
    n_candidates: int
    n_resources: int


@dataclass(frozen=True)
class Bracket:
    """One run of successive halving: its rungs, most candidates first.

    Attributes
    ----------
    bracket : int
        Index of the bracket in its plan (0 = first run).
    rungs : tuple of Rung
        The rungs, in the order they are run.
    """

    bracket: int
    rungs: tuple[Rung, ...]

    @property
    def n_candidates(self) -> int:
        """Number of candidates sampled for the bracket (its first rung)."""
        return self.rungs[0].n_candidates

    @property
    def budget(self) -> int:
        """Total resource the bracket uses: sum of ``n_candidates * n_resources``."""
        return sum(r.n_candidates * r.n_resources for r in self.rungs)


def _check_factor(factor: Any) -> Fraction:
    ok = (
        not isinstance(factor, bool)
        and isinstance(factor, (numbers.Real, Fraction))
        and math.isfinite(factor)
        and factor > 1
    )
    if not ok:
        raise ValueError(f"factor must be a real number > 1, got {factor!r}.")
    # A float is converted exactly (1.5 -> 3/2), so every power is exact.
    return Fraction(factor)


def _check_range(min_resources: Any, max_resources: Any) -> tuple[int, int]:
    lo = check_int("min_resources", min_resources, 1)
    hi = check_int("max_resources", max_resources, 1)
    if lo > hi:
        raise ValueError(f"min_resources ({lo!r}) must be <= max_resources ({hi!r}).")
    return lo, hi


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def _ceil(x: Fraction) -> int:
    return -(-x.numerator // x.denominator)


def max_halvings(min_resources: int, max_resources: int, factor: Number) -> int:
    """Largest ``s`` with ``min_resources * factor**s <= max_resources``.

    Hyperband's ``s_max = floor(log_eta(R / r_min))``, by an exact integer loop.

    Parameters
    ----------
    min_resources, max_resources : int
        The resource range (``min_resources <= max_resources``).
    factor : int, float or Fraction
        The reduction factor ``eta > 1``.

    Returns
    -------
    int
    """
    lo, hi = _check_range(min_resources, max_resources)
    eta = _check_factor(factor)
    s, level = 0, Fraction(lo) * eta
    while level <= hi:
        s += 1
        level *= eta
    return s


def hyperband_plan(
    min_resources: int,
    max_resources: int,
    factor: Number = 3,
    n_brackets: int | None = None,
) -> tuple[Bracket, ...]:
    """The brackets of Hyperband (Li et al., 2018, Algorithm 1).

    With ``s_max = floor(log_eta(max_resources / min_resources))``, bracket
    ``s`` (``s = s_max, ..., 0``: most exploratory first) samples
    ``n = ceil((s_max + 1) * eta**s / (s + 1))`` candidates and runs ``s + 1``
    rungs; rung ``i`` evaluates ``floor(n / eta**i)`` candidates with
    ``floor(max_resources / eta**(s - i))`` resources each, so every bracket
    ends at ``max_resources`` and uses about the same total budget.

    Parameters
    ----------
    min_resources : int
        Smallest resource a candidate may get (Hyperband's ``r_min``).
    max_resources : int
        Largest resource (Hyperband's ``R``, in the same unit).
    factor : int, float or Fraction, default=3
        The reduction factor ``eta > 1``: the best ``1 / eta`` of each rung is
        promoted, with ``eta`` times the resource.
    n_brackets : int or None, default=None
        Number of brackets. None runs one Hyperband iteration (``s_max + 1``
        brackets); fewer keeps the most exploratory ones; more cycles through
        the brackets again from the most exploratory one (as BOHB does).

    Returns
    -------
    tuple of Bracket
        In the order they are run.

    Notes
    -----
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018.
    With ``min_resources=1, max_resources=81, factor=3`` this gives the table
    of the paper's section 3.3.

    Examples
    --------
    >>> from sklearn_hpo.schedulers import hyperband_plan
    >>> [(r.n_candidates, r.n_resources) for r in hyperband_plan(1, 9)[0].rungs]
    [(9, 1), (3, 3), (1, 9)]
    """
    lo, hi = _check_range(min_resources, max_resources)
    eta = _check_factor(factor)
    s_max = max_halvings(lo, hi, eta)
    n_total = (
        s_max + 1 if n_brackets is None else check_int("n_brackets", n_brackets, 1)
    )
    brackets = []
    for b in range(n_total):
        s = s_max - b % (s_max + 1)
        n = _ceil((s_max + 1) * eta**s / (s + 1))
        rungs = tuple(
            Rung(
                bracket=b,
                rung=i,
                n_candidates=max(1, _floor(n / eta**i)),
                n_resources=max(lo, _floor(hi / eta ** (s - i))),
            )
            for i in range(s + 1)
        )
        brackets.append(Bracket(bracket=b, rungs=rungs))
    return tuple(brackets)


def successive_halving_plan(
    n_candidates: int,
    min_resources: int,
    max_resources: int,
    factor: Number = 3,
    aggressive_elimination: bool = False,
) -> Bracket:
    """The rungs of successive halving, as scikit-learn's Halving searches run them.

    Rung ``i`` evaluates ``ceil(n_{i-1} / factor)`` candidates (all
    ``n_candidates`` at rung 0) with ``floor(min_resources * factor**i)``
    resources. It runs ``min(n_possible, n_required)`` rungs, where
    ``n_possible - 1`` is the largest ``i`` with
    ``factor**i <= max_resources // min_resources`` and ``n_required - 1`` the
    largest ``i`` with ``factor**i <= n_candidates``: it stops when the
    resource runs out or when fewer than ``factor`` candidates are left, as
    :class:`~sklearn.model_selection.HalvingRandomSearchCV` does. The last
    rung may thus use less than ``max_resources``. With
    ``aggressive_elimination``, it runs ``n_required`` rungs, rung ``i``
    with ``floor(min_resources * factor**max(0, i - n_required +
    n_possible))``: extra rungs at ``min_resources`` when the range is too
    short, and, as in scikit-learn, rungs moved up when it is longer than
    needed. These counts are
    exact here; scikit-learn takes them from floating-point logarithms, which
    for some exact powers (243 = 3**5 candidates: ``math.log(243, 3) < 5``)
    gives one rung fewer.

    Parameters
    ----------
    n_candidates : int
        Number of candidates of the first rung.
    min_resources, max_resources : int
        The resource range.
    factor : int, float or Fraction, default=3
        The reduction factor (> 1).
    aggressive_elimination : bool, default=False
        Eliminate candidates at ``min_resources`` until the resource range
        suffices for the rest, as scikit-learn's parameter of that name.

    Returns
    -------
    Bracket
        A single bracket (index 0).

    Notes
    -----
    Jamieson and Talwalkar, "Non-stochastic Best Arm Identification and
    Hyperparameter Optimization", AISTATS 2016; Karnin, Koren and Somekh,
    "Almost Optimal Exploration in Multi-Armed Bandits", ICML 2013.

    Examples
    --------
    >>> from sklearn_hpo.schedulers import successive_halving_plan
    >>> plan = successive_halving_plan(10, 1, 81)
    >>> [(r.n_candidates, r.n_resources) for r in plan.rungs]
    [(10, 1), (4, 3), (2, 9)]
    """
    n = check_int("n_candidates", n_candidates, 1)
    lo, hi = _check_range(min_resources, max_resources)
    eta = _check_factor(factor)
    n_possible = 1 + _largest_power(eta, Fraction(hi // lo))
    n_required = 1 + _largest_power(eta, Fraction(n))
    n_rungs = n_required if aggressive_elimination else min(n_possible, n_required)
    rungs = []
    for i in range(n_rungs):
        power = max(0, i - n_required + n_possible) if aggressive_elimination else i
        rungs.append(
            Rung(
                bracket=0,
                rung=i,
                n_candidates=n,
                n_resources=min(_floor(eta**power * lo), hi),
            )
        )
        n = _ceil(n / eta)
    return Bracket(bracket=0, rungs=tuple(rungs))


def _largest_power(eta: Fraction, x: Fraction) -> int:
    """Largest ``k >= 0`` with ``eta**k <= x`` (0 when ``x < eta``)."""
    k, level = 0, eta
    while level <= x:
        k += 1
        level *= eta
    return k
