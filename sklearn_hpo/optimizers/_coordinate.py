"""Coordinate descent: line searches over one parameter at a time."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer, space_values_unit
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.utils._validation import check_int, check_real

__all__ = ["CoordinateDescentOptimizer"]

# Line searches tried per proposal before giving up (finite spaces whose
# lines are all evaluated); the base class then tops up with random points.
_MAX_ADVANCES = 200


def observed_scores(opt: BaseOptimizer) -> dict[bytes, float]:
    """Score of every told row, by key (failed = -inf; best of repeats)."""
    out: dict[bytes, float] = {}
    for key, y in zip(opt.space.row_keys(opt.X_unit), opt.y):
        y = -np.inf if np.isnan(y) else float(y)
        out[key] = max(y, out.get(key, -np.inf))
    return out


def best_row(opt: BaseOptimizer) -> tuple[np.ndarray | None, float]:
    """The best told row and its score (None when nothing succeeded)."""
    if not len(opt.y) or np.all(np.isnan(opt.y)):
        return None, -np.inf
    i = int(np.nanargmax(opt.y))
    return opt.X_unit[i].copy(), float(opt.y[i])


def subspace_centre(opt: BaseOptimizer, k: int) -> np.ndarray:
    """The centre of sub-space ``k``, snapped."""
    space = opt.space
    row = np.full(space.n_columns, np.nan)
    if space.has_selector:
        row[0] = space.selector_value(k)
    cols = [j for j, c in enumerate(space.columns) if c.subspace == k]
    row[cols] = 0.5
    return space.snap(row)[0]


@optimizer_docstring
class CoordinateDescentOptimizer(BaseOptimizer):
    """Coordinate descent: a line search over one parameter at a time.

    Starting from the centre of the space (of each sub-space), the optimizer
    cycles over the parameters of the current point's sub-space. For each
    parameter it evaluates a line search with the others fixed: ``n_line``
    cell-centred values across ``[x - h_j, x + h_j]`` (clipped to the range,
    in the unit cube of the space, so log scales stay log) for a real or
    integer parameter ``j``, every other value for a categorical one, and every other
    sub-space (at its best candidate so far, or its centre) for the sub-space
    selector of a conditional space. The best value becomes the current one;
    when none is better, that parameter's half-width ``h_j`` (0.5 at first)
    shrinks by ``shrink``, as the step of a compass search does. Once every
    half-width is below ``min_width`` (after a full cycle), the search
    restarts from a random point with ``h_j = 0.5``. A batch is the points
    of one line search; a larger batch is topped up with random points.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    n_line : int, default=4
        Points of a line search over a real or integer parameter: one batch.
    shrink : float, default=0.5
        Factor in ``(0, 1)`` applied to ``h_j`` after a line search over
        parameter ``j`` without improvement.
    min_width : float, default=1e-3
        Half-width below which the search restarts from a random point.
    random_state : int, RandomState, Generator or None, default=None
        Seed (restarts and random top-ups).

    Attributes
    ----------
    cycle : int
        Current cycle over the parameters (1 = first).
    half_widths : ndarray of shape (n_columns,)
        Current half-width ``h_j`` of the line searches over each column, in
        the unit cube.
    n_restarts : int
        Restarts so far.
    {observations}

    Notes
    -----
    Coordinate search with a shrinking step is the compass (pattern) search
    of Kolda, Lewis and Torczon, "Optimization by direct search: new
    perspectives on some classical and modern methods", SIAM Review 45
    (2003); line searches along coordinates are surveyed by Wright,
    "Coordinate descent algorithms", Mathematical Programming 151 (2015). It
    suits problems where parameters act mostly separately; strongly coupled
    parameters make it zig-zag.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import CoordinateDescentOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = CoordinateDescentOptimizer({"a": Real(0, 1), "b": Real(0, 1)})
    >>> opt.ask(1)
    [{'a': 0.5, 'b': 0.5}]
    """

    def __init__(
        self,
        search_space: Any,
        *,
        n_line: int = 4,
        shrink: float = 0.5,
        min_width: float = 1e-3,
        random_state: Any = None,
    ) -> None:
        super().__init__(search_space, random_state=random_state)
        self.n_line = check_int("n_line", n_line, 1)
        self.shrink = check_real(
            "shrink", shrink, low=0, high=1, low_inclusive=False, high_inclusive=False
        )
        self.min_width = check_real(
            "min_width", min_width, low=0, high=0.5, low_inclusive=False
        )
        self.cycle = 0
        self.half_widths = np.full(self.space.n_columns, 0.5)
        self.n_restarts = 0
        n_sub = len(self.space.subspaces)
        self._queue = np.vstack([subspace_centre(self, k) for k in range(n_sub)])
        self._labels: dict[bytes, tuple[int, str]] = {
            key: (0, "") for key in self.space.row_keys(self._queue)
        }
        self._x: np.ndarray | None = None  # current point (None: not started)
        self._fx = -np.inf
        self._todo: list[int] = []  # coordinates left in this cycle
        self._line_col: int | None = None

    # ----------------------------------------------------------- machinery
    def _line(self, j: int) -> np.ndarray:
        """Rows of the line search over column ``j`` around the current point."""
        space, x = self.space, self._x
        col = space.columns[j]
        if col.kind == "categorical" and col.subspace is None:  # sub-space selector
            current = space.subspace_indices(x)[0]
            rows = [
                self._best_in(k) for k in range(len(space.subspaces)) if k != current
            ]
            return np.array(rows).reshape(-1, space.n_columns)
        if col.kind == "categorical":
            values = space_values_unit(col.dimension)
        else:
            h = self.half_widths[j]
            lo, hi = max(0.0, x[j] - h), min(1.0, x[j] + h)
            values = lo + (np.arange(self.n_line) + 0.5) / self.n_line * (hi - lo)
            values = np.unique(col.dimension.snap(values))
        values = values[np.abs(values - x[j]) > 1e-12]
        R = np.tile(x, (len(values), 1))
        R[:, j] = values
        return space.snap(R) if len(R) else R

    def _best_in(self, k: int) -> np.ndarray:
        space = self.space
        if space.has_selector and len(self.y):
            in_k = space.subspace_indices(space.snap(self.X_unit)) == k
            ok = in_k & ~np.isnan(self.y)
            if ok.any():
                i = np.flatnonzero(ok)[np.argmax(self.y[ok])]
                return self.X_unit[i].copy()
        return subspace_centre(self, k)

    def _finish_line(self, scores: dict[bytes, float]) -> None:
        """Move to the best point of the finished line search, or shrink."""
        improved = False
        for key, row in zip(self.space.row_keys(self._queue), self._queue):
            if scores.get(key, -np.inf) > self._fx:
                self._x, self._fx = row.copy(), scores[key]
                improved = True
        if not improved and self._line_col is not None:
            self.half_widths[self._line_col] *= self.shrink
        self._queue = self._queue[:0]
        self._line_col = None

    def _next_line(self) -> None:
        """Start the next line search (a new cycle, shrink or restart first)."""
        if not self._todo:
            active = ~np.isnan(self._x)
            if self.cycle > 0 and np.all(self.half_widths[active] < self.min_width):
                self._restart()  # evaluate the new start first
                return
            self.cycle += 1
            self._todo = [
                j for j in range(self.space.n_columns) if not np.isnan(self._x[j])
            ]
        j = self._line_col = self._todo.pop(0)
        self._queue = self._line(j)
        name = self.space.columns[j].name
        for key in self.space.row_keys(self._queue):
            self._labels.setdefault(key, (self.cycle, name))

    def _restart(self) -> None:
        self.n_restarts += 1
        self.half_widths[:] = 0.5
        self._x = self.space.sample_unit(1, self._rng)[0]
        self._fx = -np.inf
        self._queue = self._x[None, :].copy()
        for key in self.space.row_keys(self._queue):
            self._labels.setdefault(key, (self.cycle + 1, "<restart>"))

    def _propose(self, n_candidates: int) -> np.ndarray:
        scores = observed_scores(self)
        excluded = self._excluded
        for _ in range(_MAX_ADVANCES):
            keys = self.space.row_keys(self._queue)
            new = [k not in excluded for k in keys]
            if any(new):
                return self._queue[new]
            if not all(k in scores for k in keys):
                break  # the line search waits for pending results: top up
            if self._x is None:  # the start: best of the centres (or initial points)
                self._x, self._fx = best_row(self)
                if self._x is None:
                    self._x, self._fx = self._queue[0].copy(), -np.inf
            else:
                self._finish_line(scores)
            self._next_line()
        return np.empty((0, self.space.n_columns))

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """``cycle`` and ``coordinate`` (the parameter of the line search).

        The start is cycle 0; candidates from elsewhere (initial points,
        random top-ups) get cycle -1 and an empty coordinate.
        """
        labels = self._labels_of(candidates, self._labels, (-1, ""))
        return {
            "cycle": [c for c, _ in labels],
            "coordinate": [name for _, name in labels],
        }
