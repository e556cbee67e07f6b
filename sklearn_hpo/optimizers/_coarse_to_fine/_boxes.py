"""Boxes of the unit cube: built around good points, merged, and sampled.

A box spans an interval on each real or integer column of a point's
sub-space, fixes its categorical columns (the sub-space selector included) to
the point's values, and leaves the columns of other sub-spaces inactive (NaN).
Working in the unit cube keeps log scales log and ``scipy.stats`` priors
shaped by their CDF; integers are snapped afterwards.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

from sklearn_hpo.optimizers._base import space_values_unit
from sklearn_hpo.space import SearchSpace

__all__ = [
    "Box",
    "coarse_grid",
    "grid_in_box",
    "make_box",
    "merge_boxes",
    "random_in_box",
    "sobol",
]

# Smallest half-width of a real column's interval, so that zooming on and on
# (beyond the budget) still proposes distinct points.
_MIN_HALF_WIDTH = 1e-6
# Largest grid enumerated in full; larger grids are subsampled.
_MAX_GRID = 4096


@dataclass
class Box:
    """An axis-aligned box of the unit cube.

    Attributes
    ----------
    lower, upper : ndarray of shape (n_columns,)
        Bounds per column; equal on fixed (categorical) columns, NaN on
        inactive ones.
    weight : int
        Number of top points the box was built around (merged boxes add up).
    rank : int
        Rank of its best point among the top points (0 = best).
    centres : list of ndarray
        The top points it was built around.
    """

    lower: np.ndarray
    upper: np.ndarray
    weight: int = 1
    rank: int = 0
    centres: list = field(default_factory=list)

    def free_columns(self) -> np.ndarray:
        """Columns whose interval has a positive width."""
        with np.errstate(invalid="ignore"):
            return np.flatnonzero(self.upper > self.lower)

    def contains(self, U: np.ndarray) -> np.ndarray:
        """Which rows of ``U`` lie in the box (inactive columns must match)."""
        U = np.atleast_2d(U)
        active = ~np.isnan(self.lower)
        same_pattern = np.all(np.isnan(U) == ~active, axis=1)
        inside = np.all(
            (U[:, active] >= self.lower[active] - 1e-12)
            & (U[:, active] <= self.upper[active] + 1e-12),
            axis=1,
        )
        return same_pattern & inside


def _neighbour(dim: Any, u: float, step: int) -> float | None:
    """Unit point of the integer value next to the one ``u`` maps to."""
    value = dim.from_unit([u])[0] + step
    w = float(dim.to_unit([value])[0])
    if dim.from_unit([w])[0] != value:  # outside the dimension's range
        return None
    return w


def make_box(space: SearchSpace, centre: np.ndarray, half_width: float) -> Box:
    """The box of half-width ``half_width`` around a canonical unit point.

    Real columns get ``[c - h, c + h]`` clipped to ``[0, 1]``; integer columns
    also reach at least the neighbouring values (so an integer box is never a
    single value); categorical columns are fixed; inactive columns stay NaN.
    """
    lower = np.array(centre, dtype=float)
    upper = np.array(centre, dtype=float)
    h = max(float(half_width), _MIN_HALF_WIDTH)
    for j, col in enumerate(space.columns):
        c = centre[j]
        if np.isnan(c) or col.kind == "categorical":
            continue
        lo, hi = max(0.0, c - h), min(1.0, c + h)
        if col.kind == "integer":
            below, above = _neighbour(col.dimension, c, -1), _neighbour(
                col.dimension, c, 1
            )
            lo = min(lo, below) if below is not None else lo
            hi = max(hi, above) if above is not None else hi
        lower[j], upper[j] = lo, hi
    return Box(lower, upper, centres=[np.array(centre, dtype=float)])


def _mergeable(a: Box, b: Box) -> bool:
    na, nb = np.isnan(a.lower), np.isnan(b.lower)
    if not np.array_equal(na, nb):
        return False
    act = ~na
    fixed_a = act & (a.upper == a.lower)
    fixed_b = act & (b.upper == b.lower)
    # Same categorical values (fixed columns), and intervals that intersect.
    if not np.array_equal(fixed_a, fixed_b):
        return False
    if not np.allclose(a.lower[fixed_a], b.lower[fixed_a], rtol=0, atol=1e-12):
        return False
    free = act & ~fixed_a
    return bool(
        np.all(a.lower[free] <= b.upper[free])
        and np.all(b.lower[free] <= a.upper[free])
    )


def merge_boxes(boxes: list[Box]) -> list[Box]:
    """Merge overlapping boxes into their bounding boxes, until none overlap.

    Two boxes overlap when they fix the same categorical values (the same
    sub-space) and their intervals intersect on every other active column.
    The merged box weighs the sum of the weights and keeps the better rank;
    the result is ordered by rank.
    """
    boxes = [Box(b.lower.copy(), b.upper.copy(), b.weight, b.rank, list(b.centres))
             for b in boxes]
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(boxes)), 2):
            a, b = boxes[i], boxes[j]
            if _mergeable(a, b):
                with np.errstate(invalid="ignore"):
                    lower = np.fmin(a.lower, b.lower)
                    upper = np.fmax(a.upper, b.upper)
                boxes[i] = Box(
                    lower, upper, a.weight + b.weight, min(a.rank, b.rank),
                    a.centres + b.centres,
                )
                del boxes[j]
                merged = True
                break
    return sorted(boxes, key=lambda b: b.rank)


def random_in_box(box: Box, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform points of the box (fixed and inactive columns copied)."""
    R = np.tile(box.lower, (n, 1))
    free = box.free_columns()
    width = box.upper[free] - box.lower[free]
    R[:, free] = box.lower[free] + rng.random((n, len(free))) * width
    return R


def _axis_values(
    space: SearchSpace, j: int, lo: float, hi: float, p: int
) -> np.ndarray:
    """``p`` cell-centred points of ``[lo, hi]`` on column ``j``, snapped.

    A discrete column with at most ``p`` values in the interval gets them all.
    """
    dim = space.columns[j].dimension
    pts = lo + (np.arange(p) + 0.5) / p * (hi - lo)
    if space.columns[j].kind == "real":
        return pts
    vals = np.unique(dim.snap(pts))
    if dim.n_values is not None and dim.n_values <= _MAX_GRID:
        everything = space_values_unit(dim)
        inside = everything[(everything >= lo - 1e-12) & (everything <= hi + 1e-12)]
        if len(inside) <= p:
            return inside
    return vals


def _product(
    axes: list[np.ndarray], n: int, rng: np.random.Generator
) -> np.ndarray:
    """Rows of the product of ``axes``, in random order; subsampled when huge."""
    total = math.prod(len(a) for a in axes)
    if total <= max(_MAX_GRID, n):
        G = np.array(list(itertools.product(*axes)), dtype=float)
        return G[rng.permutation(len(G))]
    idx = np.column_stack([rng.integers(len(a), size=4 * n) for a in axes])
    idx = np.unique(idx, axis=0)
    idx = idx[rng.permutation(len(idx))]
    return np.column_stack([a[idx[:, i]] for i, a in enumerate(axes)])


def grid_in_box(
    space: SearchSpace, box: Box, n: int, rng: np.random.Generator
) -> np.ndarray:
    """A regular grid of about ``n`` points in the box (cell-centred).

    Each free column gets ``p = max(2, floor(n ** (1 / d)))`` points for ``d``
    free columns (as many per axis as ``n`` allows, and at least two so the
    grid brackets the centre); when ``p ** d`` exceeds ``n`` the grid is
    returned in random order, so that the first ``n`` rows are a uniform
    subset of it.
    """
    free = box.free_columns()
    if len(free) == 0:
        return box.lower[None, :].copy()
    p = max(2, int(math.floor(n ** (1.0 / len(free)) + 1e-9)))
    axes = [_axis_values(space, j, box.lower[j], box.upper[j], p) for j in free]
    G = _product(axes, n, rng)
    R = np.tile(box.lower, (len(G), 1))
    R[:, free] = G
    return R


def sobol(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """The first ``n`` points of a scrambled Sobol' sequence in ``[0, 1]^d``."""
    seed = np.random.default_rng(int(rng.integers(2**63 - 1)))
    try:
        engine = qmc.Sobol(d, rng=seed)
    except TypeError:  # scipy < 1.15 names the argument ``seed``
        engine = qmc.Sobol(d, seed=seed)
    m = max(1, math.ceil(math.log2(max(n, 2))))
    return engine.random_base2(m)[:n]


def coarse_grid(space: SearchSpace, n: int, rng: np.random.Generator) -> np.ndarray:
    """A coarse grid of about ``n`` points over every sub-space, in random order.

    Categorical columns (lists, as in a ``GridSearchCV`` grid) take all their
    values; real and integer columns ``p`` cell-centred values each, with
    ``p`` the largest number (at least 2) whose grid fits ``n`` per sub-space.
    Sub-spaces are interleaved so that a prefix of the rows covers each.
    """
    blocks = []
    n_sub = len(space.subspaces)
    share = max(1, math.ceil(n / n_sub))
    for k in range(n_sub):
        cols = [j for j, c in enumerate(space.columns) if c.subspace == k]
        cat = [j for j in cols if space.columns[j].kind == "categorical"]
        num = [j for j in cols if j not in cat]
        n_cat = math.prod(space.columns[j].n_values for j in cat)
        per_num = share / max(n_cat, 1)
        p = max(2, int(math.floor(per_num ** (1.0 / len(num)) + 1e-9))) if num else 1
        axes = [
            space_values_unit(space.columns[j].dimension)
            if j in cat
            else _axis_values(space, j, 0.0, 1.0, p)
            for j in cols
        ]
        G = _product(axes, share, rng)
        block = np.full((len(G), space.n_columns), np.nan)
        if space.has_selector:
            block[:, 0] = space.selector_value(k)
        block[:, cols] = G
        blocks.append(block)
    # Round-robin over sub-spaces.
    order = sorted(
        ((i, k) for k, b in enumerate(blocks) for i in range(len(b))),
    )
    return np.array([blocks[k][i] for i, k in order])
