"""A parameter's observed values placed on [0, 1], and the ticks to show them.

The surrogate-based views (importances, contours) and the parallel-coordinate
plot place every parameter on the unit interval the same way:

- numbers are scaled to their observed range, on a log scale when they are
  positive and span more than two decades (or the search says the dimension
  is logarithmic);
- any other values (strings, None, estimators, and numbers mixed with them)
  are categories: each takes an equal share of the axis, numbers first in
  increasing order, then the rest in order of first appearance;
- in a conditional space, a parameter missing from a candidate is "absent":
  a category of its own (a numeric axis keeps its lower quarter for it).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ABSENT", "ParamAxis", "value_label"]

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "absent"})()
# On a numeric axis "absent" takes [0, 0.25), the numbers [0.25, 1].
_ABSENT_SHARE = 0.25
_ABSENT_AT = _ABSENT_SHARE / 2


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and math.isfinite(value)
    )


def value_label(value: Any, width: int = 24) -> str:
    """A short label: strings as they are, estimators by class name (with an
    ellipsis when they have parameters set), the rest by ``repr``."""
    if value is ABSENT:
        return "absent"
    if isinstance(value, str):
        text = value
    elif hasattr(value, "get_params"):
        text = repr(value)
        name = type(value).__name__
        if len(text) > width:
            text = f"{name}(...)" if text != f"{name}()" else text
    else:
        text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _key(value: Any) -> str:
    """A value's identity on an axis: its full label."""
    return value_label(value, width=10**6)


@dataclass
class ParamAxis:
    """Where one parameter's values go on [0, 1].

    Parameters
    ----------
    name : str
        The parameter.
    values : list
        Its value in each candidate (``ABSENT`` where a candidate lacks it).
    log : bool, default=False
        Force a log scale for positive numbers.
    """

    name: str
    values: list
    log: bool = False
    numeric: bool = field(init=False)
    categories: list = field(init=False)
    has_absent: bool = field(init=False)
    low: float = field(init=False, default=0.0)
    high: float = field(init=False, default=1.0)

    def __post_init__(self) -> None:
        present = [v for v in self.values if v is not ABSENT]
        self.has_absent = len(present) < len(self.values)
        self.numeric = bool(present) and all(_is_number(v) for v in present)
        self.categories = []
        if self.numeric:
            x = np.array(present, dtype=float)
            self.log = bool(x.min() > 0 and (self.log or x.max() / x.min() > 100))
            x = np.log10(x) if self.log else x
            self.low, self.high = float(x.min()), float(x.max())
            return
        labels = {_key(v): v for v in present}
        numbers_first = sorted(
            (lab for lab, v in labels.items() if _is_number(v)),
            key=lambda lab: float(labels[lab]),
        )
        others = [lab for lab in labels if lab not in numbers_first]
        self.categories = [labels[lab] for lab in numbers_first + others]
        if self.has_absent:
            self.categories.append(ABSENT)

    @property
    def _value_span(self) -> tuple[float, float]:
        """The part of [0, 1] that the present numbers take."""
        return (_ABSENT_SHARE, 1.0) if self.has_absent else (0.0, 1.0)

    def encode(self, values: list) -> np.ndarray:
        """The positions of ``values`` on [0, 1]."""
        if not self.numeric:
            index = {_key(c): i for i, c in enumerate(self.categories)}
            k = len(self.categories)
            return np.array([(index[_key(v)] + 0.5) / k for v in values])
        out = np.full(len(values), _ABSENT_AT)
        start, stop = self._value_span
        for i, v in enumerate(values):
            if v is not ABSENT:
                out[i] = start + (stop - start) * self._unit(float(v))
        return out

    def _unit(self, x: float) -> float:
        t = math.log10(x) if self.log else x
        span = self.high - self.low
        return (t - self.low) / span if span > 0 else 0.5

    def grid(self, n: int) -> np.ndarray:
        """Positions to evaluate a surrogate at: ``n`` over the numbers' span
        (and the absent category's middle), or each category's middle."""
        if not self.numeric:
            return (np.arange(len(self.categories)) + 0.5) / len(self.categories)
        start, stop = self._value_span
        points = np.linspace(start, stop, n)
        return np.concatenate([[_ABSENT_AT], points]) if self.has_absent else points

    def ticks(self, n: int = 5) -> tuple[np.ndarray, list[str]]:
        """Tick positions and labels (in the parameter's own values)."""
        if not self.numeric:
            positions = self.grid(0)
            return positions, [value_label(c) for c in self.categories]
        start, stop = self._value_span
        if self.log:
            lo, hi = math.floor(self.low), math.ceil(self.high)
            exps = np.arange(lo, hi + 1)
            if len(exps) > n + 2:
                exps = exps[:: int(math.ceil(len(exps) / n))]
            t = exps[(exps >= self.low - 1e-9) & (exps <= self.high + 1e-9)]
            labels = [f"1e{int(e)}" if abs(e) > 2 else f"{10.0**e:g}" for e in t]
        else:
            t = np.linspace(self.low, self.high, n if self.high > self.low else 1)
            labels = [f"{v:.3g}" for v in t]
        span = self.high - self.low
        unit = (np.asarray(t, dtype=float) - self.low) / span if span > 0 else [0.5]
        positions = start + (stop - start) * np.asarray(unit, dtype=float)
        if self.has_absent:
            positions = np.concatenate([[_ABSENT_AT], positions])
            labels = ["absent", *labels]
        return positions, labels
