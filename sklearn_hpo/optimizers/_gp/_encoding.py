"""Map canonical unit rows of a search space to GP input features.

Real and integer columns are used as they are (their unit value); an
inactive one (NaN, a column of another sub-space) is set to the constant 0.5,
so that it adds nothing to distances between candidates of the same
sub-space. Categorical columns, including the sub-space selector, are one-hot
encoded, so no order is imposed on the choices; an inactive categorical is
all zeros.
"""

from __future__ import annotations

import numpy as np

from sklearn_hpo.space import SearchSpace

__all__ = ["Encoder"]

_INACTIVE = 0.5


class Encoder:
    """One-hot/identity encoding of the columns of a :class:`SearchSpace`.

    Parameters
    ----------
    space : SearchSpace
        The search space whose canonical unit rows are encoded.

    Attributes
    ----------
    n_features : int
        Number of encoded features.
    groups : ndarray of int, shape (n_features,)
        Search-space column (length-scale group) of each feature.
    n_groups : int
        Number of search-space columns.
    real_columns : ndarray of int
        Unit columns of kind ``"real"`` (those a gradient method may move).
    real_features : ndarray of int
        Their features (real columns are encoded as they are).
    """

    def __init__(self, space: SearchSpace) -> None:
        num_cols: list[int] = []
        num_pos: list[int] = []
        self._cats: list[tuple[int, int, int]] = []
        groups: list[int] = []
        real_cols: list[int] = []
        real_pos: list[int] = []
        pos = 0
        for j, col in enumerate(space.columns):
            if col.kind == "categorical":
                k = int(col.n_values)
                self._cats.append((j, k, pos))
                groups += [j] * k
                pos += k
                continue
            num_cols.append(j)
            num_pos.append(pos)
            if col.kind == "real":
                real_cols.append(j)
                real_pos.append(pos)
            groups.append(j)
            pos += 1
        self._num_cols = np.array(num_cols, dtype=np.int64)
        self._num_pos = np.array(num_pos, dtype=np.int64)
        self.n_features = pos
        self.groups = np.array(groups, dtype=np.int64)
        self.n_groups = space.n_columns
        self.real_columns = np.array(real_cols, dtype=np.int64)
        self.real_features = np.array(real_pos, dtype=np.int64)

    def transform(self, U: np.ndarray) -> np.ndarray:
        """Encode canonical unit rows (NaN = inactive) as GP features."""
        U = np.atleast_2d(np.asarray(U, dtype=float))
        Z = np.zeros((len(U), self.n_features))
        if len(self._num_cols):
            num = U[:, self._num_cols]
            Z[:, self._num_pos] = np.where(np.isnan(num), _INACTIVE, num)
        for j, k, pos in self._cats:
            u = U[:, j]
            rows = np.flatnonzero(~np.isnan(u))
            idx = np.clip(np.floor(u[rows] * k), 0, k - 1).astype(np.int64)
            Z[rows, pos + idx] = 1.0
        return Z
