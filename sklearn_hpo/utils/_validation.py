"""Argument checks shared by the optimizers and schedulers.

Each raises a ValueError that names the parameter and shows the value received.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

__all__ = ["check_int", "check_optional_int", "check_option", "check_real"]


def check_int(name: str, value: Any, minimum: int) -> int:
    """Check that ``value`` is an int (not a bool) of at least ``minimum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


def check_optional_int(name: str, value: Any, minimum: int, default: Any) -> Any:
    """``default`` when ``value`` is None, else :func:`check_int` of ``value``."""
    return default if value is None else check_int(name, value, minimum)


def check_real(
    name: str,
    value: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number (not a bool) in a range."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and math.isfinite(value)
        and (value >= low if low_inclusive else value > low)
        and (value <= high if high_inclusive else value < high)
    )
    if not ok:
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise ValueError(
            f"{name} must be a finite real number in {lo}{low}, {high}{hi}, "
            f"got {value!r}."
        )
    return float(value)


def check_option(name: str, value: Any, options: Sequence[str]) -> str:
    """Check that ``value`` is one of the string ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}.")
    return value
