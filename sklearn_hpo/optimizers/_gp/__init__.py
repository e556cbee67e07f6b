"""Bayesian optimisation with a Gaussian-process surrogate."""

from sklearn_hpo.optimizers._gp._model import GaussianProcess
from sklearn_hpo.optimizers._gp._optimizer import GPOptimizer

__all__ = ["GPOptimizer", "GaussianProcess"]
