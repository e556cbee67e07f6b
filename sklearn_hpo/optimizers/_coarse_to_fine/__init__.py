"""Coarse-to-fine search: a coarse space-filling stage, then zooming boxes."""

from sklearn_hpo.optimizers._coarse_to_fine._boxes import Box
from sklearn_hpo.optimizers._coarse_to_fine._optimizer import (
    CoarseToFineOptimizer,
    Region,
)
from sklearn_hpo.optimizers._coarse_to_fine._plan import (
    CoarseToFinePlan,
    coarse_to_fine_plan,
    default_n_levels,
)

__all__ = [
    "Box",
    "CoarseToFineOptimizer",
    "CoarseToFinePlan",
    "Region",
    "coarse_to_fine_plan",
    "default_n_levels",
]
