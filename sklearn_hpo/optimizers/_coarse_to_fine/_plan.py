"""The budget plan of a coarse-to-fine search: a pure function of the budget."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Union

from sklearn_hpo.utils._validation import check_int, check_optional_int, check_real

__all__ = ["CoarseToFinePlan", "coarse_to_fine_plan"]

TopK = Union[int, float]

# The defaults make a short coarse stage and many small levels (zooming
# around the best point found so far, level after level) rather than a long
# coarse stage with two or three big levels, which mostly re-sample around
# coarse noise (the comparisons are in benchmarks/).
# Share of the budget spent on the coarse, space-filling stage (level 0).
_COARSE_FRACTION = 0.2
# Zoom (shrink) factor of the boxes per level, in the unit cube.
_DEFAULT_ZOOM = 0.6
# Smallest level: enough points to sample around a box's centre.
_MIN_LEVEL_SIZE = 4
# Evaluations per box per level before a level zooms around one more
# candidate (more regions only once the budget allows it).
_PER_BOX = 6
_MAX_TOP_K = 3


@dataclass(frozen=True)
class CoarseToFinePlan:
    """How a coarse-to-fine search spends its budget.

    Attributes
    ----------
    budget : int
        Total number of evaluations planned (the search's ``n_iter``).
    n_coarse : int
        Evaluations of the coarse stage (level 0).
    level_sizes : tuple of int
        Evaluations of each zoom level 1, 2, ... (``len == n_levels``).
    top_k : int or float
        Best candidates a level zooms around (a float in ``(0, 1)`` is a
        fraction of the successful evaluations so far).
    zoom : float
        Shrink factor: level ``l`` boxes have half-width ``0.5 * zoom**l`` in
        the unit cube.
    """

    budget: int
    n_coarse: int
    level_sizes: tuple[int, ...]
    top_k: TopK
    zoom: float

    @property
    def n_levels(self) -> int:
        """Number of zoom levels after the coarse stage."""
        return len(self.level_sizes)

    def targets(self) -> tuple[int, ...]:
        """Cumulative number of evaluations at the end of each level (0, 1, ...)."""
        out, total = [], self.n_coarse
        out.append(total)
        for size in self.level_sizes:
            total += size
            out.append(total)
        return tuple(out)


def default_level_size(budget: int) -> int:
    """Planned evaluations per zoom level: ``max(4, round(sqrt(budget)))``."""
    return max(_MIN_LEVEL_SIZE, int(round(math.sqrt(budget))))


def default_n_levels(budget: int) -> int:
    """Zoom levels for a budget: the fine part split into levels of
    :func:`default_level_size`, at least one.

    ``round((budget - n_coarse) / max(4, round(sqrt(budget))))`` with
    ``n_coarse = round(0.2 * budget)``: 2 levels for 10 evaluations, 5 for 30,
    6 for 50, 8 for 100.
    """
    n_coarse = max(1, int(round(_COARSE_FRACTION * budget)))
    return max(1, int(round((budget - n_coarse) / default_level_size(budget))))


def coarse_to_fine_plan(
    budget: int,
    n_levels: int | None = None,
    top_k: TopK | None = None,
    zoom: float | None = None,
) -> CoarseToFinePlan:
    """Split a budget into a coarse stage and zoom levels.

    Parameters
    ----------
    budget : int
        Total number of evaluations, at least 1.
    n_levels : int or None, default=None
        Zoom levels after the coarse stage; None uses
        :func:`default_n_levels` (levels of about ``max(4, sqrt(budget))``
        evaluations), reduced so that every level gets at least one
        evaluation.
    top_k : int, float or None, default=None
        Best candidates each level zooms around (a float in ``(0, 1)``: that
        fraction of the successful evaluations so far). None uses
        ``min(3, max(1, default_level_size(budget) // 6))`` so that each box
        gets about six fine points or more: 1 up to 132 evaluations, 2 from
        133, 3 from 307.
    zoom : float or None, default=None
        Shrink factor in ``(0, 1)``; None uses 0.6.

    Returns
    -------
    CoarseToFinePlan
        ``n_coarse = round(0.2 * budget)`` (at least 1, at most ``budget -
        n_levels``), and the rest split evenly over the levels (earlier levels
        get the remainder; each level gets at least one evaluation).

    Examples
    --------
    >>> from sklearn_hpo.optimizers import coarse_to_fine_plan
    >>> plan = coarse_to_fine_plan(50)
    >>> plan.n_coarse, plan.level_sizes, plan.top_k, plan.zoom
    (10, (7, 7, 7, 7, 6, 6), 1, 0.6)
    """
    budget = check_int("budget", budget, 1)
    n_levels = check_optional_int(
        "n_levels", n_levels, 1, max(0, min(default_n_levels(budget), budget - 1))
    )
    zoom = _DEFAULT_ZOOM if zoom is None else check_real(
        "zoom", zoom, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
    )
    n_coarse = max(1, int(round(_COARSE_FRACTION * budget)))
    # Every level gets at least one evaluation: a budget too small for its
    # levels shrinks the coarse stage first (never below one point).
    n_coarse = max(1, min(n_coarse, budget - n_levels))
    base, extra = divmod(max(budget - n_coarse, 0), max(n_levels, 1))
    sizes = tuple(max(1, base + (i < extra)) for i in range(n_levels))
    if top_k is None:
        top_k = min(_MAX_TOP_K, max(1, default_level_size(budget) // _PER_BOX))
    else:
        top_k = check_top_k(top_k)
    return CoarseToFinePlan(budget, n_coarse, sizes, top_k, zoom)


def check_top_k(top_k: TopK) -> TopK:
    """Validate ``top_k``: an int >= 1 or a float in ``(0, 1)``."""
    if isinstance(top_k, numbers.Integral) and not isinstance(top_k, bool):
        return check_int("top_k", top_k, 1)
    if (
        isinstance(top_k, numbers.Real)
        and not isinstance(top_k, bool)
        and math.isfinite(top_k)
        and 0.0 < top_k < 1.0
    ):
        return float(top_k)
    raise ValueError(
        f"top_k must be an int >= 1 or a float in (0, 1), got {top_k!r}."
    )
