"""Argument checks shared by the optimizers and schedulers.

Each raises a ValueError that names the parameter and shows the value received.
"""

from __future__ import annotations

import difflib
import math
import numbers
from typing import Any, Iterable, Sequence

__all__ = [
    "check_int",
    "check_optional_int",
    "check_option",
    "check_real",
    "did_you_mean",
]


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


def did_you_mean(name: str, options: Iterable[str], n: int = 3) -> str:
    """A hint naming the ``options`` closest to a misspelt ``name``, or "".

    An option equal to ``name`` but for case comes alone; else the options
    whose last ``__`` part is ``name``'s (``"C"`` or ``"clf__C"`` suggest
    ``"svc__C"`` in a pipeline); else the closest spellings (case ignored).

    Parameters
    ----------
    name : str
        The name that was not found.
    options : iterable of str
        The valid names.
    n : int, default=3
        At most this many suggestions.

    Returns
    -------
    str
        ``" Did you mean 'a'?"`` or ``" Did you mean 'a' or 'b'?"`` (with a
        leading space, to append to a message), or ``""`` when no option is
        close.
    """
    options = sorted({str(o) for o in options})
    lower = str(name).lower()
    found = [o for o in options if o.lower() == lower]
    if not found:
        last = lower.rsplit("__", 1)[-1]
        found = [o for o in options if o.lower().rsplit("__", 1)[-1] == last]
    if not found:
        by_lower: dict[str, list[str]] = {}
        for option in options:
            by_lower.setdefault(option.lower(), []).append(option)
        scored = sorted(
            (difflib.SequenceMatcher(None, lower, key).ratio(), key)
            for key in by_lower
        )
        # The closest spellings only: a clear best match comes alone.
        best = scored[-1][0] if scored else 0.0
        found = [
            option
            for ratio, key in reversed(scored)
            if ratio >= max(0.6, best - 0.05)
            for option in by_lower[key]
        ]
    found = found[:n]
    if not found:
        return ""
    quoted = [repr(option) for option in found]
    if len(quoted) > 1:
        quoted = [", ".join(quoted[:-1]), quoted[-1]]
    return f" Did you mean {' or '.join(quoted)}?"
