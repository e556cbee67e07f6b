"""The ask/tell interface every optimizer implements.

Optimizers are plain objects (not scikit-learn estimators). They work in the
unit cube of a :class:`~sklearn_hpo.space.SearchSpace` and always maximise.
Subclasses implement only :meth:`BaseOptimizer._propose`; the base class keeps
the observations, canonicalises and de-duplicates proposals, tops up a batch
with random points when a strategy cannot find enough new ones, and detects
exhausted finite spaces.
"""

from __future__ import annotations

import math
import numbers
import warnings
from abc import ABC, abstractmethod
from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.space import SearchSpace, as_search_space
from sklearn_hpo.space._space import unit_values
from sklearn_hpo.utils._random import as_generator

__all__ = ["BaseOptimizer", "SearchSpaceExhaustedWarning"]

# Finite spaces up to this size are enumerated when random top-up fails.
_ENUMERATE_LIMIT = 200_000


class SearchSpaceExhaustedWarning(UserWarning):
    """Warns that every candidate of a finite search space has been proposed."""


@optimizer_docstring
class BaseOptimizer(ABC):
    """Base class of ask/tell optimizers (maximising).

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    {observations}
    """

    def __init__(self, search_space: Any, *, random_state: Any = None) -> None:
        self.space: SearchSpace = as_search_space(search_space)
        self.random_state = random_state
        self._rng = as_generator(random_state)
        d = self.space.n_columns
        self.X_unit = np.empty((0, d))
        self.y = np.empty(0)
        self.budgets = np.empty(0)
        self._seen: set[bytes] = set()
        # Asked and not yet told, in ask order (a dict: iterating a set of
        # bytes follows the process's hash seed, so an optimizer that reads
        # its pending rows would propose differently in every process).
        self._pending: dict[bytes, None] = {}
        self._exhausted = False

    # ------------------------------------------------------------------ API
    @property
    def n_observations(self) -> int:
        """Number of told evaluations."""
        return len(self.y)

    def ask(self, n_candidates: int = 1) -> list[dict[str, Any]]:
        """Propose up to ``n_candidates`` distinct, never-evaluated candidates.

        Parameters
        ----------
        n_candidates : int, default=1
            Batch size (for parallel workers).

        Returns
        -------
        list of dict
            Fewer than ``n_candidates`` only when a finite space is exhausted
            (a :class:`SearchSpaceExhaustedWarning` is issued).

        Notes
        -----
        Tell every asked candidate, a failed one with NaN: the strategies
        that work in steps (a generation, a swarm iteration, a line of
        coordinate descent, a pair of SPSA probes) wait for all the step's
        results before they take the next one.
        """
        if (
            not isinstance(n_candidates, numbers.Integral)
            or isinstance(n_candidates, bool)
            or n_candidates < 1
        ):
            raise ValueError(
                f"n_candidates must be an int >= 1, got {n_candidates!r}."
            )
        n = int(n_candidates)
        if self.space.n_columns:
            proposed = np.atleast_2d(np.asarray(self._propose(n), dtype=float))
        else:  # search_spaces={}: its one point, the estimator's defaults
            proposed = np.empty((0, 0))
        rows = self._take_new(
            self.space.snap(proposed) if len(proposed) else proposed, n
        )
        if len(rows) < n:
            rows += self._top_up(n - len(rows), rows)
        if len(rows) < n:
            if not self._exhausted:  # warn once
                size = self.space.size
                warnings.warn(
                    f"The search space has only {size} distinct "
                    f"candidate{'s' if size != 1 else ''}; all have been proposed, "
                    f"so ask({n}) returns {len(rows)} new "
                    f"candidate{'s' if len(rows) != 1 else ''}.",
                    SearchSpaceExhaustedWarning,
                    stacklevel=2,
                )
            self._exhausted = True
        if not rows:
            return []
        U = np.vstack(rows)
        self._pending.update(dict.fromkeys(self.space.row_keys(U)))
        return self.space.from_unit(U)

    def tell(
        self,
        candidates: Sequence[Mapping[str, Any]],
        scores: Sequence[float],
        budgets: Sequence[float] | None = None,
    ) -> None:
        """Record evaluated candidates and their scores (cheap; no model fit).

        Parameters
        ----------
        candidates : list of dict
            Evaluated candidates (asked or not). One that was not asked must
            be a point of the space: a value out of range or not a choice is
            a ValueError naming it, not clipped.
        scores : sequence of float
            Their scores, higher is better; NaN or infinite means failed.
        budgets : sequence of float, optional
            Resource each evaluation used (multi-fidelity optimizers).
        """
        candidates = list(candidates)
        y = np.asarray(scores, dtype=float).reshape(-1)
        if len(y) != len(candidates):
            raise ValueError(
                f"tell got {len(candidates)} candidates but {len(y)} scores."
            )
        b = (
            np.full(len(y), np.nan)
            if budgets is None
            else np.asarray(budgets, dtype=float).reshape(-1)
        )
        if len(b) != len(y):
            raise ValueError(f"tell got {len(y)} scores but {len(b)} budgets.")
        if not candidates:
            return
        try:
            U = self.space.snap(self.space.to_unit(candidates))
        except (ValueError, TypeError):  # name what is wrong, and where
            for i, candidate in enumerate(candidates):
                self.space.check_candidate(candidate, f"tell's candidates[{i}]")
            raise
        y = np.where(np.isfinite(y), y, np.nan)
        keys = self.space.row_keys(U)
        for i, key in enumerate(keys):
            if key not in self._pending:  # not asked: it must be a point
                self.space.check_candidate(candidates[i], f"tell's candidates[{i}]")
        self._seen.update(keys)
        for key in keys:
            self._pending.pop(key, None)
        self.X_unit = np.vstack([self.X_unit, U])
        self.y = np.concatenate([self.y, y])
        self.budgets = np.concatenate([self.budgets, b])

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """Extra per-candidate columns for a search's ``cv_results_``.

        Called by the search loop with each batch it evaluates: the batch
        :meth:`ask` returned, or the user's initial points (not asked; give
        them a neutral label). Optimizers with a structure worth showing (a
        level, a region, a generation) return ``{column: list of
        len(candidates)}``, with the same columns at every call; the default
        adds none.
        """
        return {}

    # ------------------------------------------------------ for subclasses
    @abstractmethod
    def _propose(self, n_candidates: int) -> np.ndarray:
        """Return unit-cube rows, best first (at least ``n_candidates`` ideally).

        Rows need not be canonical or new: the base class snaps them and
        drops those already evaluated, pending or repeated.
        """

    @property
    def _excluded(self) -> set[bytes]:
        return self._seen | self._pending.keys()

    def _labels_of(
        self,
        candidates: Sequence[Mapping[str, Any]],
        labels: Mapping[bytes, Any],
        default: Any,
    ) -> list:
        """The label of each candidate in ``labels`` (by row key), for
        :meth:`candidate_info`; ``default`` for one it lacks (a point the
        optimizer did not propose)."""
        return [labels.get(k, default) for k in self.space.candidate_keys(candidates)]

    # -------------------------------------------------------------- helpers
    def _take_new(
        self, U: np.ndarray, n: int, chosen: list[np.ndarray] | None = None
    ) -> list[np.ndarray]:
        excluded = self._excluded
        if chosen:
            excluded = excluded | set(self.space.row_keys(np.vstack(chosen)))
        rows = []
        for key, row in zip(self.space.row_keys(U), U):
            if key in excluded:
                continue
            excluded.add(key)
            rows.append(row)
            if len(rows) == n:
                break
        return rows

    def _top_up(self, n: int, chosen: list[np.ndarray]) -> list[np.ndarray]:
        """Random new rows when the strategy could not provide enough."""
        space = self.space
        remaining = space.size - len(self._excluded) - len(chosen)
        if remaining <= 0:
            return []
        rows: list[np.ndarray] = []
        for _ in range(10):
            rows += self._take_new(
                space.sample_unit(max(4 * n, 16), self._rng), n - len(rows),
                chosen + rows,
            )
            if len(rows) == n:
                return rows
        if space.size <= _ENUMERATE_LIMIT:
            grid = self._enumerate()
            grid = grid[self._rng.permutation(len(grid))]
            rows += self._take_new(grid, n - len(rows), chosen + rows)
        return rows

    def _enumerate(self) -> np.ndarray:
        """All canonical rows of a finite space."""
        space = self.space
        blocks = []
        for k, sub in enumerate(space.subspaces):
            sizes = [dim.n_values for dim in sub.values()]
            if any(m is None or not math.isfinite(m) for m in sizes):
                return np.empty((0, space.n_columns))
            blocks.append(space.enumerate_subspace(k))
        return space.snap(np.vstack(blocks))


# Canonical unit values of every value of a finite dimension (the space's).
space_values_unit = unit_values
