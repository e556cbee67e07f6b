"""CoarseToFineSearchCV: a coarse space-filling sample, then zooming boxes."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sklearn_hpo.optimizers import BaseOptimizer, CoarseToFineOptimizer
from sklearn_hpo.search._base import BaseSequentialSearchCV
from sklearn_hpo.search._bayes import _ATTRIBUTES_DOC, _COMMON_PARAMS_DOC
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["CoarseToFineSearchCV"]


class CoarseToFineSearchCV(BaseSequentialSearchCV):
    __doc__ = (
        """Coarse-to-fine search with cross-validation: sample, then zoom in.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that automates what one does by hand with grids: a coarse sample of the
    whole space first, then finer searches in boxes around the best
    candidates, level after level, each box smaller than the last. Lists in
    ``search_spaces`` (a ``GridSearchCV`` grid) are used as they are.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune; it is cloned.

    search_spaces : dict or list of dict
        Parameter names mapped to :class:`~sklearn_hpo.space.Real`,
        :class:`~sklearn_hpo.space.Integer`,
        :class:`~sklearn_hpo.space.Categorical`, frozen ``scipy.stats``
        distributions or lists of values (a ``GridSearchCV`` ``param_grid``
        works unchanged). A list of dicts is a conditional space.

    n_iter : int, default=50
        Number of candidates evaluated (fewer only if a finite space runs
        out), shared by the coarse stage and the levels.

    n_levels : int, default=None
        Zoom levels after the coarse stage. None derives it from ``n_iter``:
        levels of about ``max(4, sqrt(n_iter))`` candidates each (5 levels
        for ``n_iter=30``, 6 for 50, 8 for 100).

    top_k : int or float, default=None
        Best candidates (over all levels so far) each level builds a box
        around; a float in ``(0, 1)`` is that fraction of the successful
        candidates. None uses 1 up to ``n_iter=132``, 2 up to 306, then 3.

    zoom : float, default=None
        Shrink factor in ``(0, 1)``: boxes of level ``l`` have half-width
        ``0.5 * zoom**l`` in the unit cube of the space (log scale for
        ``log=True``). None uses 0.6.

    fine : {"grid", "random"}, default="grid"
        How a level samples its boxes: a regular grid per box with as many
        points per axis as its share allows (at least two; a random subset
        of it in many dimensions), or uniform random points.

    coarse : {"sobol", "random", "grid"}, default="sobol"
        The coarse sample: scrambled Sobol' points, uniform random points or
        a coarse grid. A space of lists only is always sampled as its grid.
"""
        + _COMMON_PARAMS_DOC
        + _ATTRIBUTES_DOC.replace(
            "plus a ``round`` column: the ask/tell round of each candidate.",
            "plus a ``round`` column (the ask/tell round of each candidate),\n"
            "        a ``level`` column (0 = coarse stage, then 1, 2, ... as the "
            "boxes\n        shrink) and a ``region`` column (the box a candidate "
            "was drawn\n        in, an index into ``optimizer_.regions``; -1 for "
            "the coarse stage).",
        ).replace(
            "optimizer_ : BaseOptimizer",
            "optimizer_ : CoarseToFineOptimizer",
        )
        + """
    See Also
    --------
    sklearn_hpo.optimizers.CoarseToFineOptimizer : The ask/tell strategy.
    sklearn_hpo.optimizers.coarse_to_fine_plan : The budget split.
    TPESearchCV : Tree-structured Parzen estimator search.

    Notes
    -----
    The budget is split by :func:`~sklearn_hpo.optimizers.coarse_to_fine_plan`:
    the coarse stage gets ``round(0.2 * n_iter)`` candidates and the levels
    share the rest evenly. The defaults were measured on six test functions
    (Branin, Hartmann-6, Rosenbrock, Ackley, Levy, a log-scaled SVC-like
    surface) at 30 to 100 evaluations: a short coarse stage and many small
    levels, each zooming around the best candidate so far, beat a long coarse
    stage and two or three big levels.

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
    )

    _parameter_constraints: dict = {
        **BaseSequentialSearchCV._parameter_constraints,
        "n_levels": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "top_k": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, 1, closed="neither"),
            None,
        ],
        "zoom": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "fine": [StrOptions({"random", "grid"})],
        "coarse": [StrOptions({"sobol", "random", "grid"})],
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any,
        *,
        n_iter: int = 50,
        n_levels: int | None = None,
        top_k: int | float | None = None,
        zoom: float | None = None,
        fine: str = "grid",
        coarse: str = "sobol",
        n_points: int = 1,
        initial_points: list[dict] | None = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(
            estimator,
            search_spaces,
            n_iter=n_iter,
            n_points=n_points,
            initial_points=initial_points,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.n_levels = n_levels
        self.top_k = top_k
        self.zoom = zoom
        self.fine = fine
        self.coarse = coarse

    def _make_optimizer(
        self, space: SearchSpace, random_state: np.random.RandomState
    ) -> BaseOptimizer:
        seed = random_state.randint(np.iinfo(np.int32).max)
        return CoarseToFineOptimizer(
            space,
            budget=self.n_iter,
            n_levels=self.n_levels,
            top_k=self.top_k,
            zoom=self.zoom,
            fine=self.fine,
            coarse=self.coarse,
            random_state=seed,
        )
