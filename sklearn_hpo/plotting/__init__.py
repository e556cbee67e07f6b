"""Plots of fitted searches (needs matplotlib: ``pip install 'sklearn_hpo[plot]'``).

They read only ``cv_results_`` (and ``best_index_``), so they also work on
scikit-learn's own searches; matplotlib is imported when a plot is drawn.
"""

from sklearn_hpo.plotting._plots import plot_convergence, plot_parameter, plot_rungs

__all__ = ["plot_convergence", "plot_parameter", "plot_rungs"]
