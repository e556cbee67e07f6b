"""Local search of the acquisition over the discrete parameters.

Random candidates rarely land on the best combination of several
categorical and integer values, and gradients do not move them. As SMAC
does (Hutter et al. 2011), the best candidates are improved by greedy
one-exchange steps: change one discrete parameter (another choice of a
categorical; the next few values of an integer, up and down), keep the
neighbour with the highest acquisition, and repeat while it improves.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from sklearn_hpo.space import SearchSpace
from sklearn_hpo.space._space import unit_values

__all__ = ["DiscreteNeighbours"]

# Index offsets (in the sorted values of an integer) of its neighbours.
_INTEGER_STEPS = np.array([-8, -4, -2, -1, 1, 2, 4, 8])
# Choices of a categorical tried per step, at most (all when fewer).
_MAX_CHOICES = 12
# Integers with more values than this move by unit-cube steps instead.
_MAX_TABLE = 4096
_UNIT_STEPS = np.array([-0.08, -0.04, -0.02, -0.01, 0.01, 0.02, 0.04, 0.08])


class DiscreteNeighbours:
    """One-exchange neighbourhoods of canonical unit rows of a space.

    Parameters
    ----------
    space : SearchSpace
        The search space; its integer and categorical columns (not the
        sub-space selector) are the ones that move.
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self._codes: dict[int, np.ndarray | None] = {}
        for j, col in enumerate(space.columns):
            if col.subspace is None or col.kind == "real":
                continue
            n = col.n_values
            if n is None or n < 2:
                continue
            self._codes[j] = (
                np.sort(unit_values(col.dimension)) if n <= _MAX_TABLE else None
            )

    @property
    def columns(self) -> list[int]:
        """The columns that move."""
        return list(self._codes)

    def of(self, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Canonical neighbours of the canonical row ``u`` (may repeat)."""
        rows = []
        for j, codes in self._codes.items():
            if np.isnan(u[j]):
                continue  # a parameter of another sub-space
            if codes is None:
                values = np.clip(u[j] + _UNIT_STEPS, 0.0, 1.0)
            else:
                i = int(np.argmin(np.abs(codes - u[j])))
                if self.space.columns[j].kind == "categorical":
                    others = np.delete(codes, i)
                    if len(others) > _MAX_CHOICES:
                        others = rng.choice(others, _MAX_CHOICES, replace=False)
                    values = others
                else:
                    idx = i + _INTEGER_STEPS
                    values = codes[idx[(idx >= 0) & (idx < len(codes))]]
            block = np.repeat(u[None, :], len(values), axis=0)
            block[:, j] = values
            rows.append(block)
        if not rows:
            return np.empty((0, len(u)))
        return self.space.snap(np.vstack(rows))


def local_search(
    neighbours: DiscreteNeighbours,
    score: Callable[[np.ndarray], np.ndarray],
    starts: np.ndarray,
    start_values: np.ndarray,
    rng: np.random.Generator,
    max_steps: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy hill climbing of ``score`` from each row of ``starts``.

    Parameters
    ----------
    neighbours : DiscreteNeighbours
        The neighbourhood of a row.
    score : callable
        Acquisition values of a 2-D array of canonical rows.
    starts : ndarray of shape (n_starts, n_columns)
        Canonical rows to start from.
    start_values : ndarray of shape (n_starts,)
        Their acquisition values.
    rng : Generator
        Draws the choices of categoricals with many of them.
    max_steps : int, default=10
        Steps per start, at most.

    Returns
    -------
    rows, values : ndarray
        Every row visited that improved on its start (the end points of the
        climbs and the steps on the way), with its acquisition value.
    """
    current = np.array(starts, dtype=float)
    value = np.array(start_values, dtype=float)
    active = np.ones(len(current), dtype=bool)
    found_rows: list[np.ndarray] = []
    found_values: list[np.ndarray] = []
    for _ in range(max_steps):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        blocks = [neighbours.of(current[i], rng) for i in idx]
        if sum(len(b) for b in blocks) == 0:
            break
        values = score(np.vstack(blocks))
        offset = 0
        for i, block in zip(idx, blocks):
            size = len(block)
            if size == 0:
                active[i] = False
                continue
            part = values[offset : offset + size]
            k = int(np.argmax(part))
            if part[k] > value[i]:
                current[i] = block[k]
                value[i] = part[k]
                found_rows.append(current[i].copy())
                found_values.append(np.array([value[i]]))
            else:
                active[i] = False
            offset += size
    if not found_rows:
        return np.empty((0, starts.shape[1])), np.empty(0)
    return np.vstack(found_rows), np.concatenate(found_values)
