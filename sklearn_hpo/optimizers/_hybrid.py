"""Hybrid search: a grid over the discrete parameters crossed with random sampling."""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer, space_values_unit
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.utils._random import sobol_points
from sklearn_hpo.utils._validation import (
    check_int,
    check_option,
    check_optional_int,
    check_real,
)

__all__ = ["HybridOptimizer"]

# Spare draws per requested candidate, so that duplicates of finite sub-cubes
# are replaced by the same grid point's draws rather than by random top-ups.
_SPARES = 3
# Duplicates a Sobol' sequence may skip in a row before giving up.
_MAX_SKIPS = 64
# Refinement: steps from one of the best candidates, of a scale going from
# the first to the second value (unit cube) over the refinement phase.
_N_ELITE = 5
_REFINE_SCALES = (0.1, 0.02)
# Marks the sampled columns of a grid point's template row.
_FREE = -2.0
# Largest grid enumerated (GridSearchCV would enumerate it too).
_MAX_GRID_POINTS = 100_000


@optimizer_docstring
class HybridOptimizer(BaseOptimizer):
    """A grid over the discrete parameters crossed with random sampling of the rest.

    The grid is the product of every categorical parameter's values (lists
    and :class:`~sklearn_hpo.space.Categorical`, as in a ``GridSearchCV``
    grid), of every :class:`~sklearn_hpo.space.Integer` (or discrete
    ``scipy.stats``) parameter with at most ``max_integer_grid`` values, and
    of the sub-spaces of a conditional space. The other parameters (reals,
    continuous distributions, large integer ranges) are sampled: by default
    quasi-randomly, from a scrambled Sobol' sequence over them (one per
    grid point), so that the candidates cover them more evenly than
    independent draws would. With a ``budget``, the last ``refine`` fraction
    of it refines: each candidate then perturbs the sampled parameters of
    one of the best candidates so far (keeping its grid values) by a
    Gaussian step that shrinks from 0.1 to 0.02 of the unit cube. Grid
    points are visited round-robin
    (in a random order fixed at the start, the least-visited first), so
    that any prefix of the candidates covers the grid as evenly as possible.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    n_per_grid_point : int or None, default=None
        Candidates per grid point; once every grid point has them,
        :meth:`ask` returns an empty list. None: no limit (the grid is
        visited round-robin for as long as asked).
    max_integer_grid : int, default=0
        Integer parameters with at most this many values go on the grid;
        larger ones are sampled. 0 samples every integer parameter.
    sampling : {"sobol", "random"}, default="sobol"
        How the parameters off the grid are sampled: the successive points
        of a scrambled Sobol' sequence (quasi-random) or independent
        uniform draws in the unit cube (random search).
    budget : int or None, default=None
        Candidates planned (``n_iter`` of the search); None explores only
        (no refinement).
    refine : float, default=0.5
        Fraction of ``budget`` spent refining around the best candidates,
        in [0, 1); 0 explores only. The exploration always gets at least
        one candidate per grid point.
    random_state : int, RandomState, Generator or None, default=None
        Seed.

    Attributes
    ----------
    grid_points : list of dict
        The grid: each point maps the grid parameters (and ``"<subspace>"``
        for a conditional space) to their values.
    n_grid_points : int
        ``len(grid_points)``.
    {observations}

    Notes
    -----
    Without discrete parameters the grid has a single point and the search
    samples the whole space. Sampling rather than gridding the continuous
    parameters follows Bergstra and Bengio, "Random search for
    hyper-parameter optimization", JMLR 13 (2012): for the same budget it
    covers each important continuous parameter with more distinct values
    than a grid does. The same paper finds low-discrepancy (quasi-random)
    sequences such as Sobol's better still, since they also spread the
    points evenly over every subset of the parameters; the candidates of a
    grid point are consecutive points of its own scrambled sequence (Owen
    scrambling, as in ``scipy.stats.qmc.Sobol``). One sequence shared by
    all grid points visited in turn would not do: its structure in powers
    of two would give each grid point the same slab of the space.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import HybridOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = HybridOptimizer({"C": Real(0.1, 10, log=True),
    ...                        "kernel": ["rbf", "linear"]}, random_state=0)
    >>> [c["kernel"] for c in opt.ask(4)]
    ['rbf', 'linear', 'rbf', 'linear']
    """

    def __init__(
        self,
        search_space: Any,
        *,
        n_per_grid_point: int | None = None,
        max_integer_grid: int = 0,
        sampling: str = "sobol",
        budget: int | None = None,
        refine: float = 0.5,
        random_state: Any = None,
    ) -> None:
        super().__init__(search_space, random_state=random_state)
        self.budget = check_optional_int("budget", budget, 1, None)
        self.refine = check_real("refine", refine, low=0.0, high=1.0,
                                 high_inclusive=False)
        self.n_per_grid_point = check_optional_int(
            "n_per_grid_point", n_per_grid_point, 1, None
        )
        self.max_integer_grid = check_int("max_integer_grid", max_integer_grid, 0)
        self.sampling = check_option("sampling", sampling, ("sobol", "random"))
        space = self.space
        self._grid_cols = [
            j
            for j, c in enumerate(space.columns)
            if c.kind == "categorical"
            or (c.kind == "integer" and c.n_values is not None
                and c.n_values <= self.max_integer_grid)
        ]
        n_grid = sum(
            math.prod(c.n_values for c in space.columns
                      if c.subspace == k and space.columns.index(c) in self._grid_cols)
            for k in range(len(space.subspaces))
        )
        if n_grid > _MAX_GRID_POINTS:
            raise ValueError(
                f"The grid of discrete parameters has {n_grid} points, more than "
                f"{_MAX_GRID_POINTS}; sample some of them (e.g. as Integer "
                "ranges, with max_integer_grid=0) instead."
            )
        templates, sizes, subs = [], [], []
        for k in range(len(space.subspaces)):
            cols = [j for j, c in enumerate(space.columns) if c.subspace == k]
            on_grid = [j for j in cols if j in self._grid_cols]
            free = [j for j in cols if j not in self._grid_cols]
            size = math.prod(
                math.inf if space.columns[j].n_values is None
                else space.columns[j].n_values
                for j in free
            )
            axes = [space_values_unit(space.columns[j].dimension) for j in on_grid]
            for values in itertools.product(*axes):
                row = np.full(space.n_columns, np.nan)
                if space.has_selector:
                    row[0] = space.selector_value(k)
                row[on_grid] = values
                row[free] = _FREE  # marks the sampled columns
                templates.append(row)
                sizes.append(size)
                subs.append(k)
        order = self._rng.permutation(len(templates))
        self._templates = np.array(templates)[order]
        self._sizes = np.array(sizes, dtype=float)[order]
        if self.n_per_grid_point is not None:
            self._sizes = np.minimum(self._sizes, self.n_per_grid_point)
        subs = [subs[i] for i in order]
        # One Sobol' sequence per grid point, over its sampled columns, and
        # the index of its next unused point.
        self._sobol_seed = (
            int(self._rng.integers(2**63 - 1)) if self.sampling == "sobol" else 0
        )
        self._sobol_next = np.zeros(len(self._templates), dtype=np.int64)
        self._sobol_cache: dict[int, np.ndarray] = {}
        grid_keys = self.space.row_keys(self._grid_part(self._templates))
        self._template_keys = {key: i for i, key in enumerate(grid_keys)}
        self.grid_points = []
        for row, k in zip(self._templates, subs):
            point = space.from_unit(np.where(row == _FREE, 0.5, row))[0]
            names = [space.columns[j].name for j in self._grid_cols
                     if not np.isnan(row[j])]
            point = {name: point[name] for name in names if name in point}
            if space.has_selector:
                point = {"<subspace>": k, **point}
            self.grid_points.append(point)
        self.n_grid_points = len(self._templates)

    def ask(self, n_candidates: int = 1) -> list[dict[str, Any]]:
        """Propose up to ``n_candidates`` candidates (see the base class).

        With ``n_per_grid_point``, fewer (none at the end) once the grid
        points' quotas are reached.
        """
        if self.n_per_grid_point is not None:
            left = int(np.sum(np.maximum(self._sizes - self._counts(), 0)))
            if left == 0:
                return []
            if isinstance(n_candidates, numbers.Integral) and n_candidates > left:
                n_candidates = left
        return super().ask(n_candidates)

    def _grid_part(self, U: np.ndarray) -> np.ndarray:
        """Rows reduced to their grid columns (NaN-pattern of the rest kept)."""
        G = np.where(np.isnan(U), np.nan, _FREE)
        G[:, self._grid_cols] = U[:, self._grid_cols]
        return G

    def grid_index(self, U: np.ndarray) -> np.ndarray:
        """Index of the grid point of each canonical unit row."""
        G = self._grid_part(np.atleast_2d(U))
        keys = self.space.row_keys(G)
        return np.array([self._template_keys.get(k, -1) for k in keys])

    def _counts(self) -> np.ndarray:
        """Evaluated or pending candidates per grid point."""
        pending = [np.frombuffer(k) for k in self._pending]
        U = self.X_unit
        if pending:
            P = np.vstack(pending)
            U = np.vstack([U, np.where(P == -1.0, np.nan, P)])
        idx = self.grid_index(U) if len(U) else np.empty(0, dtype=int)
        return np.bincount(idx[idx >= 0], minlength=self.n_grid_points)

    def _n_explore(self) -> int | None:
        """Candidates explored before refining; None: never refine."""
        if self.budget is None or self.refine == 0.0:
            return None
        return max(self.n_grid_points, math.ceil((1 - self.refine) * self.budget))

    def _propose(self, n_candidates: int) -> np.ndarray:
        n_explore = self._n_explore()
        n_done = len(self.y) + len(self._pending)
        if (
            n_explore is not None
            and n_done >= n_explore
            and np.isfinite(self.y).any()
            and (self._templates == _FREE).any()
        ):
            rows = self._refinements(n_candidates, n_done, n_explore)
            if len(rows):
                return rows
        return self._explore(n_candidates)

    def _refinements(self, n: int, n_done: int, n_explore: int) -> np.ndarray:
        """Gaussian steps from the best candidates, on their sampled columns."""
        finite = np.flatnonzero(np.isfinite(self.y))
        elite = finite[np.argsort(-self.y[finite], kind="stable")[:_N_ELITE]]
        progress = min(1.0, (n_done - n_explore) / max(1, self.budget - n_explore))
        scale = _REFINE_SCALES[0] * (_REFINE_SCALES[1] / _REFINE_SCALES[0]) ** progress
        counts = self._counts()
        rows = []
        for _ in range(_SPARES * n):
            base = self.X_unit[elite[self._rng.integers(len(elite))]]
            i = int(self.grid_index(base[None, :])[0])
            if i < 0 or counts[i] >= self._sizes[i]:
                continue  # a quota is full: explore instead
            free = self._templates[i] == _FREE
            row = base.copy()
            row[free] = np.clip(
                row[free] + scale * self._rng.standard_normal(int(free.sum())), 0, 1
            )
            rows.append(row)
            if self.n_per_grid_point is not None:
                counts[i] += 1  # a batch must not overfill a quota either
        return np.array(rows).reshape(-1, self.space.n_columns)

    def _explore(self, n_candidates: int) -> np.ndarray:
        counts = self._counts().astype(float)
        # Random sampling proposes spares (duplicates of a finite sub-cube are
        # replaced by the same grid point's draws); a Sobol' sequence skips
        # its points that are duplicates instead.
        spares = _SPARES if self.sampling == "random" else 1
        rows: list[np.ndarray] = []
        taken: set[bytes] = set()
        for _ in range(spares * n_candidates):
            open_ = counts < self._sizes
            if not open_.any():
                break
            i = int(np.argmin(np.where(open_, counts, np.inf)))
            counts[i] += 1
            row = self._templates[i].copy()
            free = row == _FREE
            d = int(free.sum())
            if d and self.sampling == "random":
                row[free] = self._rng.random(d)
            elif d:
                row = self._next_sobol_row(i, row, free, taken)
            taken.add(self.space.row_keys(self.space.snap(row[None, :]))[0])
            rows.append(row)
        return np.array(rows).reshape(-1, self.space.n_columns)

    def _next_sobol_row(
        self, i: int, row: np.ndarray, free: np.ndarray, taken: set[bytes]
    ) -> np.ndarray:
        """Grid point ``i``'s next Sobol' point that is not a duplicate.

        Points whose snapped row was already proposed (possible when the
        sampled parameters are discrete) are skipped, so the sequence is
        followed without repeats; after ``_MAX_SKIPS`` of them the last one
        is returned and the base class's top-up replaces it.
        """
        excluded = self._excluded | taken
        d = int(free.sum())
        for _ in range(_MAX_SKIPS):
            k = int(self._sobol_next[i])
            self._sobol_next[i] += 1
            cache = self._sobol_cache.get(i)
            if cache is None or k >= len(cache):
                size = max(64, 2 * (k + 1))
                cache = sobol_points(d, self._sobol_seed + i, 0, size)
                self._sobol_cache[i] = cache
            row[free] = cache[k]
            if self.space.row_keys(self.space.snap(row[None, :]))[0] not in excluded:
                break
        return row

    def _top_up(self, n: int, chosen: list[np.ndarray]) -> list[np.ndarray]:
        """Random new rows, only at grid points below their quota."""
        if self.n_per_grid_point is None:
            return super()._top_up(n, chosen)
        counts = self._counts()
        if chosen:
            idx = self.grid_index(np.vstack(chosen))
            counts = counts + np.bincount(idx[idx >= 0], minlength=len(counts))
        rows: list[np.ndarray] = []
        for _ in range(10 * n):
            open_ = np.flatnonzero(counts < self._sizes)
            if len(open_) == 0 or len(rows) == n:
                break
            i = int(self._rng.choice(open_))
            row = self._templates[i].copy()
            free = row == _FREE
            row[free] = self._rng.random(int(free.sum()))
            new = self._take_new(self.space.snap(row[None, :]), 1, chosen + rows)
            if new:
                rows += new
                counts[i] += 1
        return rows

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """The ``grid_point`` column: index into :attr:`grid_points`."""
        if not candidates:
            return {"grid_point": []}
        U = self.space.snap(self.space.to_unit(candidates))
        return {"grid_point": [int(i) for i in self.grid_index(U)]}
