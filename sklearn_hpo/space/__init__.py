"""Search spaces: dimensions, scipy.stats distributions and conditional sub-spaces."""

from sklearn_hpo.space._dimensions import Categorical, Dimension, Integer, Real
from sklearn_hpo.space._scipy import Distribution
from sklearn_hpo.space._space import Column, SearchSpace, as_dimension, as_search_space

__all__ = [
    "Categorical",
    "Column",
    "Dimension",
    "Distribution",
    "Integer",
    "Real",
    "SearchSpace",
    "as_dimension",
    "as_search_space",
]
