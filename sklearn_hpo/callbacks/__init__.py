"""Stoppers: scikit-learn callbacks that ask a search to stop early.

They follow scikit-learn's public callback API (``sklearn.callback``,
scikit-learn >= 1.9) and are registered with ``search.set_callbacks(...)``.
With an older scikit-learn this package still imports; creating a stopper
raises an ImportError.
"""

from sklearn_hpo.callbacks._deadline import DeadlineStopper
from sklearn_hpo.callbacks._scores import NoImprovementStopper, TargetScoreStopper

__all__ = ["DeadlineStopper", "NoImprovementStopper", "TargetScoreStopper"]
