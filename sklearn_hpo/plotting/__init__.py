"""Plots of searches (needs matplotlib: ``pip install matplotlib``, or
``pip install ".[plot]"`` from a clone of sklearn_hpo).

They read only ``cv_results_`` (and ``best_index_``), so they also work on
scikit-learn's own searches, and on the ``cv_results_``-shaped dict (or
DataFrame) that :func:`sklearn_hpo.load_results` reads from a journal, in
another process while the search runs. matplotlib is imported when a plot is
drawn.
"""

from sklearn_hpo.plotting._plots import plot_convergence, plot_parameter, plot_rungs
from sklearn_hpo.plotting._views import (
    plot_contour,
    plot_importances,
    plot_parallel_coordinates,
)

__all__ = [
    "plot_contour",
    "plot_convergence",
    "plot_importances",
    "plot_parallel_coordinates",
    "plot_parameter",
    "plot_rungs",
]
