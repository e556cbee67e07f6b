"""Random search: the baseline every other optimizer must beat."""

from __future__ import annotations

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring

__all__ = ["RandomOptimizer"]


@optimizer_docstring
class RandomOptimizer(BaseOptimizer):
    """Uniform sampling of the unit cube, i.e. sampling from each dimension's prior.

    ``Real(log=True)`` is log-uniform, a ``scipy.stats`` distribution is sampled
    from itself (through its inverse CDF) and sub-spaces are picked uniformly,
    as in scikit-learn's ``RandomizedSearchCV``; unlike it, no candidate is
    proposed twice.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search.
    random_state : int, RandomState, Generator or None, default=None
        Seed.

    Attributes
    ----------
    {observations}

    Examples
    --------
    >>> from sklearn_hpo.optimizers import RandomOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = RandomOptimizer({"C": Real(0.1, 10, log=True)}, random_state=0)
    >>> batch = opt.ask(2)
    >>> opt.tell(batch, [0.5, 0.7])
    >>> opt.n_observations
    2
    """

    def _propose(self, n_candidates: int) -> np.ndarray:
        return self._rng.random((n_candidates, self.space.n_columns))
