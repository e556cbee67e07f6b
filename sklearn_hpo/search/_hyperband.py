"""HyperbandSearchCV and SuccessiveHalvingSearchCV: brackets of successive halving.

How a bracket runs is in ``search/_multi_fidelity.py``; these classes choose
the brackets (``_make_plan``) and where their candidates come from.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from sklearn_hpo.optimizers._bracket import BracketSampler
from sklearn_hpo.schedulers import (
    Bracket,
    hyperband_plan,
    max_halvings,
    successive_halving_plan,
)
from sklearn_hpo.schedulers._agreement import trusted_bracket
from sklearn_hpo.search._common_params import MULTI_FIDELITY_PARAMS
from sklearn_hpo.search._evaluation import Evaluation, active_evaluation
from sklearn_hpo.search._multi_fidelity import BaseMultiFidelitySearchCV
from sklearn_hpo.search._params import Param, search_parameters
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = ["HyperbandSearchCV", "SuccessiveHalvingSearchCV"]

_MIN_RESOURCES = next(p for p in MULTI_FIDELITY_PARAMS if p.name == "min_resources")


@search_parameters(
    Param(
        "n_brackets", "int or None", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="""
        Number of brackets. None runs one Hyperband iteration, ``s_max + 1``
        brackets where ``s_max = floor(log_factor(max_resources_ /
        min_resources_))``; fewer keeps the most exploratory ones; more cycles
        through them again (useful with a model-based ``sampler``).
        """,
    ),
    Param(
        "sampler", '{"random", "tpe", "gp"}', default="random",
        constraints=[StrOptions({"random", "tpe", "gp"})],
        doc="""
        Where each bracket's candidates come from: random sampling
        (Hyperband), or a tree-structured Parzen estimator or Gaussian process
        fit on the results of the highest resource with at least
        ``min_points_in_model`` finite scores (BOHB); random until then.
        """,
    ),
    Param(
        "min_points_in_model", "int or None", default=None,
        constraints=[Interval(numbers.Integral, 1, None, closed="left"), None],
        doc="""
        Finite results a resource level needs before a model is fit on it;
        None is the number of columns of the search space plus one (a
        conditional space counts its sub-space selector as a column).
        """,
    ),
    Param(
        "random_fraction", "float", default=1 / 3, default_doc="1/3",
        constraints=[Interval(numbers.Real, 0, 1, closed="both")],
        doc="""
        Fraction of each model-based bracket's candidates that are sampled at
        random anyway (BOHB's safeguard).
        """,
    ),
    Param(
        "fidelity", '{"fixed", "adaptive"}', default="fixed",
        constraints=[StrOptions({"fixed", "adaptive"})],
        doc="""
        How far small resources are trusted. "fixed" runs Hyperband's plan.
        "adaptive" trusts a small resource only as far as its ranking of the
        candidates agreed with the next resource's so far
        (``rung_agreement_``): before each bracket, while some transition
        along its rungs has, from at least 5 pairs, a rank correlation below
        ``min_agreement``, the bracket is replaced by the less aggressive one
        of the plan (one rung fewer, starting ``factor`` times higher, about
        the same budget); and a model-based ``sampler`` is not fit on a
        resource whose ranking disagreed with the next larger one's (those
        brackets are sampled at random).
        """,
    ),
    Param(
        "min_agreement", "float", default=0.5,
        constraints=[Interval(numbers.Real, -1, 1, closed="both")],
        doc="""
        With ``fidelity="adaptive"``: the lowest rank correlation between
        consecutive resources that is trusted.
        """,
    ),
    after="warm_start",
)
class HyperbandSearchCV(BaseMultiFidelitySearchCV):
    """Hyperband: successive halving over brackets of varied aggressiveness.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that spends a small resource (samples, trees, epochs, ...) on many
    candidates and only gives more to the best ones. Each bracket is a run of
    successive halving; the brackets range from very exploratory (many
    candidates, tiny resource) to plain random search at full resource, so
    that the search is robust to how well small resources predict large ones.
    With ``sampler="tpe"`` or ``"gp"`` the candidates of later brackets come
    from a model of earlier results (BOHB).

    {parameters}

    {multi_fidelity_attributes}

    See Also
    --------
    SuccessiveHalvingSearchCV : A single bracket.
    sklearn.model_selection.HalvingRandomSearchCV : scikit-learn's version.

    Notes
    -----
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018;
    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018. The plan is
    :func:`~sklearn_hpo.schedulers.hyperband_plan`; brackets run most
    exploratory first, and every bracket ends at ``max_resources_``.

    ``rung_agreement_`` and ``fidelity="adaptive"`` follow Li et al.,
    "MFES-HB: Efficient Hyperband with Multi-Fidelity Quality Measurements",
    AAAI 2021, which weighs what each resource says by the rank correlation
    of its results with those of the largest resource; here the correlation
    between consecutive resources decides which brackets run and which
    resource a model is fit on.

    {warm_start_notes}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn_hpo import HyperbandSearchCV, Integer
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 10)},
    ...     resource="n_estimators", min_resources=2, max_resources=18, cv=3,
    ...     random_state=0).fit(X, y)
    >>> search.best_params_["n_estimators"]
    18
    """

    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        return hyperband_plan(
            min_resources, max_resources, self.factor, self.n_brackets
        )

    def _make_sampler(self, space: Any, rng: np.random.RandomState) -> BracketSampler:
        adaptive = self.fidelity == "adaptive"
        evaluation = active_evaluation(self)
        return BracketSampler(
            space,
            self.sampler,
            rng,
            min_points_in_model=self.min_points_in_model,
            random_fraction=self.random_fraction,
            agreement=evaluation.agreement if adaptive else None,
            min_agreement=self.min_agreement,
        )

    def _next_bracket(self, planned: Bracket, evaluation: Evaluation) -> Bracket:
        if self.fidelity != "adaptive":
            return planned
        lo, hi = self.min_resources_, self.max_resources_
        templates = hyperband_plan(lo, hi, self.factor)
        return trusted_bracket(
            planned, templates, evaluation.agreement, self.min_agreement
        )


@search_parameters(
    Param(
        "n_candidates", 'int or "exhaust"', default="exhaust",
        constraints=[
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"exhaust"}),
        ],
        doc="""
        Number of candidates of the first rung. "exhaust" is
        ``max_resources_ // min_resources_``, as in scikit-learn.
        """,
    ),
    Param(
        "aggressive_elimination", "bool", default=False,
        constraints=["boolean"],
        doc="""
        When the resource range is too small for ``n_candidates`` (more than
        ``factor`` candidates would reach ``max_resources``), first eliminate
        candidates in extra rungs at ``min_resources_``; the schedule is
        scikit-learn's for its parameter of that name (see
        :func:`~sklearn_hpo.schedulers.successive_halving_plan`).
        """,
    ),
    Param(
        "min_resources", 'int, "auto", "smallest" or "exhaust"', default="auto",
        constraints=[
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "smallest", "exhaust"}),
        ],
        doc=_MIN_RESOURCES.doc
        + """
        "exhaust" (with an int ``n_candidates``), as in scikit-learn's Halving
        searches, starts with ``max(auto, max_resources_ // factor**k)``,
        where ``k = floor(log_factor(number of candidates sampled))`` is the
        number of halvings that leave fewer than ``factor`` candidates, so
        that the last rung gets as close to ``max_resources_`` as possible.
        """,
    ),
    after="search_spaces",
)
class SuccessiveHalvingSearchCV(BaseMultiFidelitySearchCV):
    """Successive halving: one bracket, with scikit-learn's Halving schedule.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    that evaluates ``n_candidates`` random candidates with ``min_resources``,
    then repeatedly keeps the best ``1 / factor`` of them and multiplies
    their resource by ``factor``. Unlike scikit-learn's
    :class:`~sklearn.model_selection.HalvingRandomSearchCV`, the resource may
    be any integer parameter (nested ones included), and several metrics can
    be used (``refit="name"``).

    {parameters}

    {multi_fidelity_attributes}

    n_iterations_ : int
        Number of rungs run.

    n_possible_iterations_ : int
        Rungs that the resource range allows:
        ``1 + floor(log_factor(max_resources_ / min_resources_))``.

    n_required_iterations_ : int
        Rungs needed to keep fewer than ``factor`` candidates:
        ``1 + floor(log_factor(n_candidates_[0]))``.

    n_remaining_candidates_ : int
        Candidates that the last rung would have promoted:
        ``ceil(n_candidates_[-1] / factor)``. These four are the attributes
        of :class:`~sklearn.model_selection.HalvingRandomSearchCV`.

    See Also
    --------
    HyperbandSearchCV : Several brackets, robust to the choice of
        ``min_resources``.

    Notes
    -----
    Jamieson and Talwalkar, "Non-stochastic Best Arm Identification and
    Hyperparameter Optimization", AISTATS 2016. The schedule is
    :func:`~sklearn_hpo.schedulers.successive_halving_plan`, the one of
    scikit-learn's Halving searches: it stops when fewer than ``factor``
    candidates are left, so the last rung may use less than
    ``max_resources_``.

    {warm_start_notes}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_hpo import Real, SuccessiveHalvingSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SuccessiveHalvingSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, log=True)}, min_resources=30, cv=3,
    ...     random_state=0).fit(X, y)
    >>> search.n_resources_
    [30, 90]
    """

    def _run_search(
        self, evaluate_candidates: Any, *, callback_ctx: Any = None
    ) -> None:
        # BaseSearchCV.fit passes callback_ctx only to a _run_search that
        # names it in its signature.
        super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        # HalvingRandomSearchCV's attributes, with its definitions.
        first = self.n_candidates_[0] if self.n_candidates_ else 1
        last = self.n_candidates_[-1] if self.n_candidates_ else 0
        self.n_possible_iterations_ = 1 + max_halvings(
            self.min_resources_, self.max_resources_, self.factor
        )
        self.n_required_iterations_ = 1 + max_halvings(1, first, self.factor)
        self.n_iterations_ = len(self.n_resources_)
        self.n_remaining_candidates_ = math.ceil(last / self.factor)

    def _make_plan(self, min_resources: int, max_resources: int) -> tuple[Bracket, ...]:
        n = (
            max_resources // min_resources
            if self.n_candidates == "exhaust"
            else self.n_candidates
        )
        plan = successive_halving_plan(
            n, min_resources, max_resources, self.factor, self.aggressive_elimination
        )
        return (plan,)

    def _first_resources(self, min_resources: int, max_resources: int) -> int:
        if self.min_resources != "exhaust":
            return min_resources
        if self.n_candidates == "exhaust":
            raise ValueError(
                "n_candidates and min_resources cannot both be 'exhaust': one "
                "of them must be given (got n_candidates='exhaust', "
                "min_resources='exhaust')."
            )
        return self._exhaust(self.n_candidates, max_resources, min_resources)

    def _exhaust(self, n_candidates: int, max_resources: int, auto_min: int) -> int:
        """``min_resources="exhaust"`` for ``n_candidates`` candidates.

        The rungs they need are the halvings that leave fewer than ``factor``
        candidates; the first rung starts as high as lets the last one get
        as close to ``max_resources`` as possible (never below ``auto_min``,
        what "auto" gives).
        """
        halvings = max_halvings(1, n_candidates, self.factor)
        top = Fraction(max_resources) / Fraction(self.factor) ** halvings
        return max(auto_min, top.numerator // top.denominator)

    def _shrink(self, bracket: Bracket, n_sampled: int, auto_min: int) -> Bracket:
        if n_sampled == bracket.n_candidates:
            return bracket
        if self.min_resources == "exhaust":
            # Fewer distinct candidates than asked for (a finite space): as in
            # scikit-learn, the first rung is set from those sampled.
            self.min_resources_ = self._exhaust(
                n_sampled, self.max_resources_, auto_min
            )
        return successive_halving_plan(
            n_sampled, self.min_resources_, self.max_resources_, self.factor,
            self.aggressive_elimination,
        )  # fmt: skip
