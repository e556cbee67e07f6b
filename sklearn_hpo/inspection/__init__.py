"""What a search's results say about its parameters.

Like :mod:`sklearn_hpo.plotting`, it reads only ``cv_results_``, so it also
works on scikit-learn's own searches and on a journal's results
(:func:`sklearn_hpo.load_results`).
"""

from sklearn_hpo.inspection._importances import param_importances

__all__ = ["param_importances"]
