"""Ask/tell optimizers (maximising), independent of scikit-learn estimators."""

from sklearn_hpo.optimizers._base import BaseOptimizer, SearchSpaceExhaustedWarning
from sklearn_hpo.optimizers._gp import GPOptimizer
from sklearn_hpo.optimizers._random import RandomOptimizer
from sklearn_hpo.optimizers._tpe import TPEOptimizer

__all__ = [
    "BaseOptimizer",
    "GPOptimizer",
    "RandomOptimizer",
    "SearchSpaceExhaustedWarning",
    "TPEOptimizer",
]
