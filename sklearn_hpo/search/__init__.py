"""Search classes: BaseSearchCV subclasses, drop-in replacements for GridSearchCV.

The strategies (``sklearn_hpo._registry``), by family:

{strategies}
"""

from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._bayes import BayesSearchCV, TPESearchCV
from sklearn_hpo.search._coarse_to_fine import CoarseToFineSearchCV
from sklearn_hpo.search._docstring import fill_docstring
from sklearn_hpo.search._hyperband import HyperbandSearchCV, SuccessiveHalvingSearchCV
from sklearn_hpo.search._local import (
    CoordinateDescentSearchCV,
    HybridSearchCV,
    SPSASearchCV,
)
from sklearn_hpo.search._population import (
    AnnealingSearchCV,
    EvolutionarySearchCV,
    ParticleSwarmSearchCV,
)

# Importable from here, as SearchSpaceExhaustedWarning is from optimizers; not
# in __all__, which lists the search classes (tests and benchmarks read it).
from sklearn_hpo.search._rung_failures import (
    RungFailureWarning as RungFailureWarning,
)

__all__ = [
    "AnnealingSearchCV",
    "BaseSequentialSearchCV",
    "BayesSearchCV",
    "CoarseToFineSearchCV",
    "CoordinateDescentSearchCV",
    "EvolutionarySearchCV",
    "HybridSearchCV",
    "HyperbandSearchCV",
    "ParticleSwarmSearchCV",
    "SPSASearchCV",
    "SuccessiveHalvingSearchCV",
    "TPESearchCV",
]

__doc__ = fill_docstring(__name__, __doc__)
