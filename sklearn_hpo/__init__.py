"""sklearn_hpo: hyperparameter search strategies for scikit-learn.

Every search is a drop-in replacement for ``GridSearchCV``.
"""

from sklearn_hpo.optimizers import (
    CoarseToFineOptimizer,
    GPOptimizer,
    RandomOptimizer,
    TPEOptimizer,
)
from sklearn_hpo.search import (
    BayesSearchCV,
    CoarseToFineSearchCV,
    HyperbandSearchCV,
    SuccessiveHalvingSearchCV,
    TPESearchCV,
)
from sklearn_hpo.space import Categorical, Integer, Real

__version__ = "0.1.0.dev0"

__all__ = [
    "BayesSearchCV",
    "Categorical",
    "CoarseToFineOptimizer",
    "CoarseToFineSearchCV",
    "GPOptimizer",
    "HyperbandSearchCV",
    "Integer",
    "Real",
    "RandomOptimizer",
    "SuccessiveHalvingSearchCV",
    "TPEOptimizer",
    "TPESearchCV",
    "__version__",
]
