"""sklearn_hpo: hyperparameter search strategies for scikit-learn.

Every search is a drop-in replacement for ``GridSearchCV``.
"""

from sklearn_hpo.callbacks import (
    DeadlineStopper,
    NoImprovementStopper,
    TargetScoreStopper,
)
from sklearn_hpo.inspection import param_importances
from sklearn_hpo.journal import load_results
from sklearn_hpo.optimizers import (
    AnnealingOptimizer,
    CoarseToFineOptimizer,
    CoordinateDescentOptimizer,
    EvolutionaryOptimizer,
    GPOptimizer,
    HybridOptimizer,
    ParticleSwarmOptimizer,
    RandomOptimizer,
    SPSAOptimizer,
    TPEOptimizer,
)
from sklearn_hpo.search import (
    AnnealingSearchCV,
    BayesSearchCV,
    CoarseToFineSearchCV,
    CoordinateDescentSearchCV,
    EvolutionarySearchCV,
    HybridSearchCV,
    HyperbandSearchCV,
    ParticleSwarmSearchCV,
    SPSASearchCV,
    SuccessiveHalvingSearchCV,
    TPESearchCV,
)
from sklearn_hpo.search._bounds import BestOnBoundWarning
from sklearn_hpo.search._timeout import FitTimeoutError
from sklearn_hpo.space import Categorical, Integer, Real

__version__ = "0.1.0.dev0"

__all__ = [
    "AnnealingOptimizer",
    "AnnealingSearchCV",
    "BayesSearchCV",
    "BestOnBoundWarning",
    "Categorical",
    "CoarseToFineOptimizer",
    "CoarseToFineSearchCV",
    "CoordinateDescentOptimizer",
    "CoordinateDescentSearchCV",
    "DeadlineStopper",
    "EvolutionaryOptimizer",
    "EvolutionarySearchCV",
    "FitTimeoutError",
    "GPOptimizer",
    "HybridOptimizer",
    "HybridSearchCV",
    "HyperbandSearchCV",
    "Integer",
    "NoImprovementStopper",
    "ParticleSwarmOptimizer",
    "ParticleSwarmSearchCV",
    "Real",
    "RandomOptimizer",
    "SPSAOptimizer",
    "SPSASearchCV",
    "SuccessiveHalvingSearchCV",
    "TargetScoreStopper",
    "TPEOptimizer",
    "TPESearchCV",
    "__version__",
    "load_results",
    "param_importances",
]
