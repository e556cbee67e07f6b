"""Search classes: BaseSearchCV subclasses, drop-in replacements for GridSearchCV."""

from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._bayes import BayesSearchCV, TPESearchCV

__all__ = ["BaseSequentialSearchCV", "BayesSearchCV", "TPESearchCV"]
