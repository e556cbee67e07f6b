"""Search spaces: dimensions, scipy.stats distributions and conditional sub-spaces.

A search space is what ``RandomizedSearchCV`` takes: a dict (or a list of
dicts, for conditional sub-spaces) mapping parameter names to

- :class:`Real`, :class:`Integer` or :class:`Categorical` dimensions. They
  check their arguments when built: ``Real(5, 1)``, ``Integer(1.5, 3)`` and
  ``Categorical([])`` raise there, naming the argument and the value.
  ``Integer`` takes any whole number (``Integer(10, 1e3)``), and both take
  scikit-optimize's ``prior="log-uniform"`` as the alias of ``log=True``;
- distributions: any object with an ``rvs`` method. ``scipy.stats`` ones map
  to the unit interval through their own CDF; one with only ``rvs`` (a
  log-uniform integer of one's own, say) through the empirical CDF of a
  fixed-seed sample of its values (see :class:`Distribution`);
- lists, ranges and one-dimensional arrays of values (choices).

Tuples are lists of choices, as in scikit-learn, but scikit-optimize reads
``(low, high)`` and ``(low, high, prior)`` as a range, so a tuple that looks
like one is never taken silently:

- ``(1e-2, 1e2, "log-uniform")`` (or ``"uniform"``, with or without a fourth
  item, the base) is a ValueError before any fit, naming the line to write
  instead, ``Real(1e-2, 1e2, prior="log-uniform")``: as choices, one of them
  would be the string, failing every fit;
- ``(1e-2, 1e2)``, two numbers, may be two genuine choices: it runs as two
  choices, with a warning naming ``Real(1e-2, 1e2)`` for the range and the
  list ``[1e-2, 1e2]`` for the choices (a list does not warn).
"""

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
