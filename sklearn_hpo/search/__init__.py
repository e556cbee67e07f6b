"""Search classes: BaseSearchCV subclasses, drop-in replacements for GridSearchCV."""

from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._bayes import BayesSearchCV, TPESearchCV
from sklearn_hpo.search._coarse_to_fine import CoarseToFineSearchCV
from sklearn_hpo.search._hyperband import HyperbandSearchCV, SuccessiveHalvingSearchCV

__all__ = [
    "BaseSequentialSearchCV",
    "BayesSearchCV",
    "CoarseToFineSearchCV",
    "HyperbandSearchCV",
    "SuccessiveHalvingSearchCV",
    "TPESearchCV",
]
