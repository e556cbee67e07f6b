"""Ask/tell optimizers (maximising), independent of scikit-learn estimators."""

from sklearn_hpo.optimizers._annealing import AnnealingOptimizer
from sklearn_hpo.optimizers._base import BaseOptimizer, SearchSpaceExhaustedWarning
from sklearn_hpo.optimizers._coarse_to_fine import (
    CoarseToFineOptimizer,
    CoarseToFinePlan,
    coarse_to_fine_plan,
)
from sklearn_hpo.optimizers._coordinate import CoordinateDescentOptimizer
from sklearn_hpo.optimizers._evolutionary import EvolutionaryOptimizer
from sklearn_hpo.optimizers._gp import GPOptimizer
from sklearn_hpo.optimizers._hybrid import HybridOptimizer
from sklearn_hpo.optimizers._particle_swarm import ParticleSwarmOptimizer
from sklearn_hpo.optimizers._random import RandomOptimizer
from sklearn_hpo.optimizers._spsa import SPSAOptimizer
from sklearn_hpo.optimizers._tpe import TPEOptimizer

__all__ = [
    "AnnealingOptimizer",
    "BaseOptimizer",
    "CoarseToFineOptimizer",
    "CoarseToFinePlan",
    "CoordinateDescentOptimizer",
    "EvolutionaryOptimizer",
    "GPOptimizer",
    "HybridOptimizer",
    "ParticleSwarmOptimizer",
    "RandomOptimizer",
    "SPSAOptimizer",
    "SearchSpaceExhaustedWarning",
    "TPEOptimizer",
    "coarse_to_fine_plan",
]
