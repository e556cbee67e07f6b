"""The attributes every optimizer has, written once for their docstrings."""

from __future__ import annotations

from sklearn_hpo.utils._docstring import fill_placeholders

__all__ = ["optimizer_docstring"]

_OBSERVATIONS = """\
space : SearchSpace
    The validated search space.
X_unit : ndarray of shape (n_observations, n_columns)
    Told candidates in canonical unit-cube form (NaN = inactive).
y : ndarray of shape (n_observations,)
    Told scores; failed evaluations are NaN.
budgets : ndarray of shape (n_observations,)
    Budget (resource) of each observation; NaN when not given.
"""


def optimizer_docstring(cls: type) -> type:
    """Class decorator: fill the ``{observations}`` line of the docstring.

    It stands in the Attributes section for the attributes that
    :class:`~sklearn_hpo.optimizers.BaseOptimizer` keeps for every optimizer.
    """
    cls.__doc__ = fill_placeholders(
        cls.__doc__, {"observations": lambda: _OBSERVATIONS}, cls.__name__
    )
    return cls
