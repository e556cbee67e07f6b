"""Order of the examples in the gallery: from a first search to the details."""

from __future__ import annotations

import os

ORDER = [
    "quickstart.py",
    "plot_bayes_vs_random.py",
    "plot_conditional_pipeline.py",
    "plot_strategies_2d.py",
    "plot_hyperband_boosting.py",
    "coarse_to_fine_svc.py",
    "plot_importances.py",
    "long_search.py",
    "cluster_search.py",
]


class GalleryOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``.

    Files missing from :data:`ORDER` go last, by name.
    """

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        name = os.path.basename(filename)
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)
