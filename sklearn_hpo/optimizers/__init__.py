"""Ask/tell optimizers (maximising), independent of scikit-learn estimators."""

from sklearn_hpo.optimizers._base import BaseOptimizer, SearchSpaceExhaustedWarning
from sklearn_hpo.optimizers._coarse_to_fine import (
    CoarseToFineOptimizer,
    CoarseToFinePlan,
    coarse_to_fine_plan,
)
from sklearn_hpo.optimizers._gp import GPOptimizer
from sklearn_hpo.optimizers._random import RandomOptimizer
from sklearn_hpo.optimizers._tpe import TPEOptimizer

__all__ = [
    "BaseOptimizer",
    "CoarseToFineOptimizer",
    "CoarseToFinePlan",
    "GPOptimizer",
    "RandomOptimizer",
    "SearchSpaceExhaustedWarning",
    "TPEOptimizer",
    "coarse_to_fine_plan",
]
