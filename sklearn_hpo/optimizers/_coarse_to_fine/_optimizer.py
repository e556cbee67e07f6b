"""Coarse-to-fine search: a space-filling coarse stage, then zooming boxes."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._coarse_to_fine._boxes import (
    Box,
    coarse_grid,
    grid_in_box,
    make_box,
    merge_boxes,
    random_in_box,
    sobol,
)
from sklearn_hpo.optimizers._coarse_to_fine._plan import (
    CoarseToFinePlan,
    TopK,
    coarse_to_fine_plan,
)
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.utils._validation import check_option

__all__ = ["CoarseToFineOptimizer", "Region"]

_FINE = ("random", "grid")
_COARSE = ("sobol", "random", "grid")
# Attempts at drawing new random points in the boxes when a pool runs out.
_FALLBACK_TRIES = 10


@dataclass(frozen=True)
class Region:
    """One zoom box of a coarse-to-fine search.

    Attributes
    ----------
    region : int
        Its number (the ``region`` column of ``cv_results_``); numbers run on
        across levels.
    level : int
        The level it was searched at (1 = first zoom).
    lower, upper : ndarray of shape (n_columns,)
        Its bounds in the unit cube (equal on fixed columns, NaN on the
        columns of other sub-spaces).
    n_centres : int
        Number of top candidates it was built around (more than one when
        overlapping boxes were merged).
    best_score : float
        Best score among those candidates when the box was built.
    params : dict
        Its bounds in parameter values: ``(low, high)`` for real and integer
        parameters, the fixed value for categorical ones.
    """

    region: int
    level: int
    lower: np.ndarray
    upper: np.ndarray
    n_centres: int
    best_score: float
    params: dict


@optimizer_docstring
class CoarseToFineOptimizer(BaseOptimizer):
    """Coarse-to-fine search: a coarse space-filling sample, then zoom levels.

    Level 0 evaluates a coarse sample of the whole space (a scrambled Sobol'
    sequence, uniform random points, or a coarse grid). Each next level takes
    the ``top_k`` best candidates evaluated so far, builds a box around each
    in the unit cube of the search space, merges boxes that overlap, and
    evaluates a fine grid or random points inside the boxes. Boxes shrink by
    ``zoom`` per level.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    budget : int, default=50
        Evaluations planned (a search's ``n_iter``); it sets the split into a
        coarse stage and levels (see :func:`coarse_to_fine_plan`). Asked for
        more, the optimizer goes on zooming: each further level has the size of
        the last planned one and boxes ``zoom`` times smaller.
    n_levels : int or None, default=None
        Zoom levels after the coarse stage; None derives it from ``budget``
        (levels of about ``max(4, sqrt(budget))`` evaluations).
    top_k : int, float or None, default=None
        Best candidates each level zooms around; a float in ``(0, 1)`` is that
        fraction of the successful evaluations so far. None uses
        1 up to 132 evaluations, 2 up to 306, then 3.
    zoom : float or None, default=None
        Shrink factor in ``(0, 1)``: boxes of level ``l`` have half-width
        ``0.5 * zoom**l`` in the unit cube. None uses 0.6.
    fine : {"grid", "random"}, default="grid"
        How a level samples its boxes: a regular grid per box with as many
        points per axis as the box's share of the level allows (at least two;
        a random subset of it when ``2**d`` exceeds the share), or uniform
        random points.
    coarse : {"sobol", "random", "grid"}, default="sobol"
        The coarse sample: a scrambled Sobol' sequence, uniform random points,
        or a coarse grid. When every parameter is categorical (lists, as in a
        ``GridSearchCV`` grid) the coarse sample is always the grid itself, or
        a random subset of it when it is larger than the coarse stage.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    plan : CoarseToFinePlan
        The budget split (coarse stage, level sizes, ``top_k``, ``zoom``).
    level : int
        The current level (0 = coarse stage).
    boxes : list of Box
        The current level's (merged) boxes, best first.
    regions : list of Region
        Every box searched so far, in order; ``regions[i].region == i``.
    {observations}

    See Also
    --------
    coarse_to_fine_plan : The budget split, as a pure function.

    Notes
    -----
    Everything happens in the unit cube of the search space, so a box around
    a log-scaled parameter is symmetric in log space, a ``scipy.stats``
    dimension is zoomed in its CDF (probability) scale, and integers are
    snapped to values (an integer box always reaches the neighbouring values).
    Categorical parameters, and the sub-space of a conditional space, are
    fixed to the values of the candidate a box is built around: zooming
    refines numbers only, so on a space of lists only the levels re-rank the
    best grid points' neighbourhoods, which are the points themselves; the
    search then spends the rest of its budget on unseen grid points.

    Two boxes overlap when they fix the same categorical values and their
    intervals intersect on every other column; they are merged into their
    bounding box, whose share of the level is proportional to the number of
    top candidates in it.

    A level starts when every candidate asked in the previous one has been
    told (and the previous level's cumulative budget is reached). Asked for
    more before that (asynchronous or parallel workers), the optimizer goes
    on proposing from the current level: its pool first, then random points
    in its boxes. A level waiting for results longer than the next level's
    size starts anyway. Failed candidates (NaN scores) are never among the
    top candidates.

    :meth:`candidate_info` gives the ``level`` (0 = coarse) and ``region``
    (an index into :attr:`regions`; -1 for the coarse stage and for points
    drawn outside any box) of each asked candidate.

    Coarse-to-fine grid refinement is the classic practice of tuning
    (e.g. C. Hsu, C. Chang and C. Lin, "A practical guide to support vector
    classification", 2003: a coarse then a finer grid on log2 C and log2
    gamma); here it is generalised to any space, several regions and random
    fine sampling.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import CoarseToFineOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = CoarseToFineOptimizer({"x": Real(-5.0, 5.0)}, budget=20,
    ...                             random_state=0)
    >>> for _ in range(20):
    ...     cands = opt.ask(1)
    ...     opt.tell(cands, [-(c["x"] - 1.0) ** 2 for c in cands])
    >>> bool(opt.y.max() > -0.05), opt.level
    (True, 4)
    """

    def __init__(
        self,
        search_space: Any,
        *,
        budget: int = 50,
        n_levels: int | None = None,
        top_k: TopK | None = None,
        zoom: float | None = None,
        fine: str = "grid",
        coarse: str = "sobol",
        random_state: Any = None,
    ) -> None:
        plan = coarse_to_fine_plan(budget, n_levels=n_levels, top_k=top_k, zoom=zoom)
        check_option("fine", fine, _FINE)
        check_option("coarse", coarse, _COARSE)
        super().__init__(search_space, random_state=random_state)
        if all(c.kind == "categorical" for c in self.space.columns):
            # Nothing to zoom on: the coarse stage is the whole grid when the
            # budget allows it.
            grid = int(min(self.space.size, plan.budget))
            plan = dataclasses.replace(plan, n_coarse=max(plan.n_coarse, grid))
        self.plan: CoarseToFinePlan = plan
        self.fine = fine
        self.coarse = coarse
        self.level = 0
        self.boxes: list[Box] = []
        self.regions: list[Region] = []
        self._box_regions: list[int] = []
        self._pool = np.empty((0, self.space.n_columns))
        self._pool_regions = np.empty(0, dtype=np.int64)
        self._started = False
        # Label (level, region) of every asked row, by row key.
        self._labels: dict[bytes, tuple[int, int]] = {}
        # Observations told per level, counted up to observation _n_counted.
        self._level_told: list[int] = [0]
        self._n_counted = 0

    # ----------------------------------------------------------------- plan
    def _target(self, level: int) -> int:
        """Cumulative evaluations at the end of ``level``."""
        targets = self.plan.targets()
        if level < len(targets):
            return targets[level]
        return targets[-1] + (level - len(targets) + 1) * self._size(level)

    def _size(self, level: int) -> int:
        """Planned evaluations of ``level``."""
        if level == 0:
            return self.plan.n_coarse
        sizes = self.plan.level_sizes
        if level <= len(sizes):
            return sizes[level - 1]
        return sizes[-1] if sizes else self.plan.n_coarse

    def _n_top(self, n_finite: int) -> int:
        k = self.plan.top_k
        if isinstance(k, float):
            k = math.ceil(k * n_finite)
        return int(min(max(k, 1), n_finite))

    # ------------------------------------------------------------ ask/tell
    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """The ``level`` and ``region`` of each candidate, for ``cv_results_``.

        ``level`` is 0 for the coarse stage, then 1, 2, ...; ``region`` indexes
        :attr:`regions` (-1 for the coarse stage, and for candidates drawn
        outside any box when a finite box runs out of new points).
        """
        labels = self._labels_of(candidates, self._labels, (self.level, -1))
        return {
            "level": [int(lv) for lv, _ in labels],
            "region": [int(r) for _, r in labels],
        }

    # -------------------------------------------------------------- propose
    def _propose(self, n_candidates: int) -> np.ndarray:
        if not self._started:
            self._started = True
            self._start_coarse()
        self._maybe_advance()
        rows, regions = self._take_pool(n_candidates)
        if len(rows) < n_candidates:
            more, more_regions = self._fallback(n_candidates - len(rows), rows)
            rows += more
            regions += more_regions
        keys = self.space.row_keys(np.array(rows)) if rows else []
        for key, region in zip(keys, regions):
            self._labels[key] = (self.level, int(region))
        if not rows:
            return np.empty((0, self.space.n_columns))
        return np.vstack(rows)

    def _pending_in_level(self) -> int:
        return sum(
            1 for k in self._pending if self._labels.get(k, (-1, -1))[0] == self.level
        )

    def _count_told(self) -> None:
        """Add the observations told since the last ask to their levels'
        counts (the level is never changed by a tell, only by an ask)."""
        new = self.X_unit[self._n_counted :]
        for key in self.space.row_keys(new) if len(new) else []:
            # Candidates told without being asked count for the current level.
            level = self._labels.get(key, (self.level, -1))[0]
            self._level_told[level] += 1
        self._n_counted = self.n_observations

    def _maybe_advance(self) -> None:
        """Start the next level when the current one is over."""
        self._count_told()
        level, told = self.level, self.n_observations
        target = self._target(level)
        pending = self._pending_in_level()
        # Waiting for results while a whole next level's worth was asked:
        # those results may never come (abandoned asynchronous workers).
        stalled = pending > 0 and told + pending >= target + self._size(level + 1)
        if not stalled and (
            told < target or pending or (level > 0 and self._level_told[level] == 0)
        ):
            return
        self._start_level(level + 1)

    def _start_coarse(self) -> None:
        space = self.space
        n = max(self._target(0) - self.n_observations, 1)
        numeric = any(c.kind != "categorical" for c in space.columns)
        if self.coarse == "grid" or not numeric:
            U = coarse_grid(space, n, self._rng)
        elif self.coarse == "sobol":
            U = sobol(space.n_columns, n, self._rng)
        else:
            U = self._rng.random((n, space.n_columns))
        self._set_pool(space.snap(U), np.full(len(U), -1))

    def _start_level(self, level: int) -> None:
        self.level = level
        self._level_told.append(0)
        finite = np.flatnonzero(np.isfinite(self.y))
        self.boxes, self._box_regions = [], []
        if len(finite) == 0:  # nothing to zoom on yet: sample the whole space
            self._set_pool(np.empty((0, self.space.n_columns)), np.empty(0))
            return
        order = finite[np.argsort(-self.y[finite], kind="stable")]
        k = self._n_top(len(finite))
        half = 0.5 * self.plan.zoom**level
        top, keys = [], set()
        for i in order:
            key = self.space.row_keys(self.X_unit[i : i + 1])[0]
            if key not in keys:
                keys.add(key)
                top.append(i)
            if len(top) == k:
                break
        boxes = []
        for rank, i in enumerate(top):
            box = make_box(self.space, self.X_unit[i], half)
            box.rank = rank
            boxes.append(box)
        self.boxes = merge_boxes(boxes)
        best = {rank: float(self.y[i]) for rank, i in enumerate(top)}
        for box in self.boxes:
            self._box_regions.append(len(self.regions))
            self.regions.append(
                Region(
                    region=len(self.regions),
                    level=level,
                    lower=box.lower.copy(),
                    upper=box.upper.copy(),
                    n_centres=box.weight,
                    best_score=best[box.rank],
                    params=self._box_params(box),
                )
            )
        self._fill_level_pool(max(self._target(level) - self.n_observations, 1))

    def _box_params(self, box: Box) -> dict:
        """The box's bounds in parameter values."""
        space = self.space
        sub = next(
            (
                c.subspace
                for j, c in enumerate(space.columns)
                if c.subspace is not None and not np.isnan(box.lower[j])
            ),
            None,
        )
        out: dict = {}
        if sub is None:  # an empty sub-space ({}): its one point
            return out
        for j, col in enumerate(space.columns):
            if col.subspace != sub:
                continue
            dim = col.dimension
            lo, hi = dim.from_unit([box.lower[j], box.upper[j]])
            out[col.name] = lo if box.upper[j] == box.lower[j] else (lo, hi)
        return out

    def _fill_level_pool(self, n: int) -> None:
        """Sample ``n`` points over the boxes, in proportion to their weights."""
        total = sum(b.weight for b in self.boxes)
        rows, regions, progress = [], [], []
        for box, region in zip(self.boxes, self._box_regions):
            nb = max(1, math.ceil(n * box.weight / total))
            if self.fine == "grid":
                R = grid_in_box(self.space, box, nb, self._rng)
            else:
                R = random_in_box(box, nb, self._rng)
            rows.append(R)
            regions.append(np.full(len(R), region))
            # Boxes advance through their samples at rates proportional to
            # their shares, so a level cut short still samples each box.
            progress.append((np.arange(len(R)) + 0.5) / nb + 1e-9 * box.rank)
        order = np.argsort(np.concatenate(progress), kind="stable")
        U = np.vstack(rows)[order]
        self._set_pool(self.space.snap(U), np.concatenate(regions)[order])

    def _set_pool(self, U: np.ndarray, regions: np.ndarray) -> None:
        keep, seen = [], set(self._excluded)
        for i, key in enumerate(self.space.row_keys(U)):
            if key not in seen:
                seen.add(key)
                keep.append(i)
        self._pool = U[keep]
        self._pool_regions = np.asarray(regions, dtype=np.int64)[keep]

    def _take_pool(self, n: int) -> tuple[list[np.ndarray], list[int]]:
        excluded = self._excluded
        rows, regions, used = [], [], 0
        for key, row, region in zip(
            self.space.row_keys(self._pool), self._pool, self._pool_regions
        ):
            used += 1
            if key in excluded:
                continue
            rows.append(row)
            regions.append(int(region))
            if len(rows) == n:
                break
        self._pool = self._pool[used:]
        self._pool_regions = self._pool_regions[used:]
        return rows, regions

    def _fallback(
        self, n: int, chosen: list[np.ndarray]
    ) -> tuple[list[np.ndarray], list[int]]:
        """New random points in the current boxes (the whole space at level 0)."""
        chosen_keys = self.space.row_keys(np.array(chosen)) if chosen else []
        excluded = self._excluded | set(chosen_keys)
        rows: list[np.ndarray] = []
        regions: list[int] = []
        total = sum(b.weight for b in self.boxes)
        for _ in range(_FALLBACK_TRIES):
            need = n - len(rows)
            if self.boxes:
                draws = [
                    random_in_box(b, max(2, 2 * math.ceil(need * b.weight / total)),
                                  self._rng)
                    for b in self.boxes
                ]
                labels = [
                    np.full(len(D), r) for D, r in zip(draws, self._box_regions)
                ]
                U, lab = np.vstack(draws), np.concatenate(labels)
            else:
                U = self._rng.random((max(2 * need, 8), self.space.n_columns))
                lab = np.full(len(U), -1)
            U = self.space.snap(U)
            for key, row, region in zip(self.space.row_keys(U), U, lab):
                if key in excluded:
                    continue
                excluded.add(key)
                rows.append(row)
                regions.append(int(region))
                if len(rows) == n:
                    return rows, regions
        return rows, regions
