"""Tree-structured Parzen estimator (TPE)."""

from sklearn_hpo.optimizers._tpe._optimizer import TPEOptimizer, default_gamma

__all__ = ["TPEOptimizer", "default_gamma"]
