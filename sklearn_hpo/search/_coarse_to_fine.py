"""CoarseToFineSearchCV: a coarse space-filling sample, then zooming boxes."""

from __future__ import annotations

import numbers

import numpy as np

from sklearn_hpo.optimizers import BaseOptimizer, CoarseToFineOptimizer
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._common_params import N_ITER_BUDGET
from sklearn_hpo.search._params import Param, make_optimizer, search_parameters
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["CoarseToFineSearchCV"]


@search_parameters(
    N_ITER_BUDGET,
    Param(
        "n_levels", "int", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="""
        Zoom levels after the coarse stage. None derives it from ``n_iter``:
        levels of about ``max(4, sqrt(n_iter))`` candidates each (5 levels
        for ``n_iter=30``, 6 for 50, 8 for 100).
        """,
    ),
    Param(
        "top_k", "int or float", default=None,
        constraints=[
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, 1, closed="neither"),
            None,
        ],
        doc="""
        Best candidates (over all levels so far) each level builds a box
        around; a float in ``(0, 1)`` is that fraction of the successful
        candidates. None uses 1 up to ``n_iter=132``, 2 up to 306, then 3.
        """,
    ),
    Param(
        "zoom", "float", default=None,
        constraints=[Interval(numbers.Real, 0, 1, closed="neither"), None],
        doc="""
        Shrink factor in ``(0, 1)``: boxes of level ``l`` have half-width
        ``0.5 * zoom**l`` in the unit cube of the space (log scale for
        ``log=True``). None uses 0.6.
        """,
    ),
    Param(
        "fine", '{"grid", "random"}', default="grid",
        constraints=[StrOptions({"random", "grid"})],
        doc="""
        How a level samples its boxes: a regular grid per box with as many
        points per axis as its share allows (at least two; a random subset
        of it in many dimensions), or uniform random points.
        """,
    ),
    Param(
        "coarse", '{"sobol", "random", "grid"}', default="sobol",
        constraints=[StrOptions({"sobol", "random", "grid"})],
        doc="""
        The coarse sample: scrambled Sobol' points, uniform random points or
        a coarse grid. A space of lists only is always sampled as its grid.
        """,
    ),
    after="n_iter",
)
class CoarseToFineSearchCV(BaseSequentialSearchCV):
    """Coarse-to-fine search with cross-validation: sample, then zoom in.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that automates what one does by hand with grids: a coarse sample of the
    whole space first, then finer searches in boxes around the best
    candidates, level after level, each box smaller than the last. Lists in
    ``search_spaces`` (a ``GridSearchCV`` grid) are used as they are.

    {parameters}

    {sequential_attributes}

    See Also
    --------
    sklearn_hpo.optimizers.CoarseToFineOptimizer : The ask/tell strategy.
    sklearn_hpo.optimizers.coarse_to_fine_plan : The budget split.
    TPESearchCV : Tree-structured Parzen estimator search.

    Notes
    -----
    The budget is split by :func:`~sklearn_hpo.optimizers.coarse_to_fine_plan`:
    the coarse stage gets ``round(0.2 * n_iter)`` candidates and the levels
    share the rest evenly: a short coarse stage and many small levels, each
    zooming around the best candidate so far.

    Each level zooms around the best candidates seen so far: boxes in the
    unit cube (so log scales stay log and integers stay integers),
    categorical parameters and the sub-space of a conditional space fixed to
    the values of the candidate, overlapping boxes merged. Zooming refines
    numbers only: with lists only, the coarse stage is the whole grid when
    ``n_iter`` allows it, as in ``GridSearchCV``.

    The classic manual practice it automates is described in Hsu, Chang and
    Lin, "A practical guide to support vector classification" (2003): a
    coarse grid over log2 C and log2 gamma, then a finer grid around the best
    region.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import CoarseToFineSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = CoarseToFineSearchCV(SVC(), space, n_iter=12, cv=3,
    ...                               random_state=0).fit(X, y)
    >>> [int(v) for v in search.cv_results_["level"]]
    [0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]
    """

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        return make_optimizer(
            CoarseToFineOptimizer, space, random_state,
            {"budget": self.n_iter, "n_levels": self.n_levels, "top_k": self.top_k,
             "zoom": self.zoom, "fine": self.fine, "coarse": self.coarse},
        )
