"""Where each bracket's candidates come from: random, or a model (BOHB-style).

BOHB (Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
Optimization at Scale", ICML 2018) replaces Hyperband's random sampling by a
model fit on the observations of the highest budget that has enough of them
(``d + 1`` for ``d`` dimensions), and keeps a fraction of random candidates so
that Hyperband's guarantees still hold.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sklearn_hpo.optimizers._base import SearchSpaceExhaustedWarning
from sklearn_hpo.optimizers._named import optimizer_class
from sklearn_hpo.optimizers._random import RandomOptimizer
from sklearn_hpo.space import SearchSpace
from sklearn_hpo.space._space import _user_stacklevel

__all__ = ["BracketSampler"]


class BracketSampler:
    """Proposes the candidates of each bracket and records every rung's results.

    Parameters
    ----------
    space : SearchSpace
        The search space.
    sampler : {"random", "tpe", "gp"}
        Random sampling (Hyperband) or a model (BOHB): the name of a
        strategy of ``sklearn_hpo._registry`` whose optimizer is used.
    random_state : numpy.random.RandomState
        Source of the optimizers' seeds.
    min_points_in_model : int or None, default=None
        Finite observations a budget needs before a model is fit on it; None
        is the number of unit-cube columns plus one (BOHB's default).
    random_fraction : float, default=1/3
        Fraction of each model-based bracket's candidates sampled at random.
    agreement : RungAgreement or None, default=None
        The rank agreement between consecutive resources so far. When given,
        no model is fit on a budget whose ranking disagrees with the next
        larger budget's (correlation below ``min_agreement``): such a model
        would steer toward what does well at a small budget only, so the
        bracket is sampled at random instead.
    min_agreement : float, default=0.5
        See ``agreement``.
    decision_pairs : int, default=5
        Pairs a correlation needs to be acted on (fewer: trusted).

    Attributes
    ----------
    configs : list of dict
        Every evaluated candidate (without the resource).
    scores : list of float
        Their scores (NaN for failures).
    budgets : list of int
        Their resources.
    """

    def __init__(
        self,
        space: SearchSpace,
        sampler: str,
        random_state: np.random.RandomState,
        *,
        min_points_in_model: int | None = None,
        random_fraction: float = 1 / 3,
        agreement: Any = None,
        min_agreement: float = 0.5,
        decision_pairs: int = 5,
    ) -> None:
        self.space = space
        self.sampler = sampler
        self.random_state = random_state
        self.min_points = (
            space.n_columns + 1 if min_points_in_model is None else min_points_in_model
        )
        self.random_fraction = random_fraction
        self.agreement = agreement
        self.min_agreement = min_agreement
        self.decision_pairs = decision_pairs
        self.configs: list[dict] = []
        self.scores: list[float] = []
        self.budgets: list[int] = []
        self._warned = False

    def record(self, configs: list[dict], scores: Any, budget: int) -> None:
        """Record one rung's results."""
        self.configs.extend(configs)
        self.scores.extend(float(s) for s in scores)
        self.budgets.extend([budget] * len(configs))

    def model_budget(self) -> int | None:
        """The highest budget with at least ``min_points`` finite scores.

        None (random sampling) when there is none, or, with ``agreement``,
        when its ranking disagrees with the next larger budget's.
        """
        scores = np.asarray(self.scores, dtype=float)
        budgets = np.asarray(self.budgets)
        levels = sorted(set(self.budgets), reverse=True)
        for i, b in enumerate(levels):
            if np.sum(np.isfinite(scores[budgets == b])) >= self.min_points:
                if self.agreement is not None and i > 0:
                    rho, n = self.agreement.correlation(b, levels[i - 1])
                    # Too few pairs, or NaN (False below): unknown, trusted.
                    if n >= self.decision_pairs and rho < self.min_agreement:
                        return None
                return b
        return None

    def propose(self, n: int) -> list[dict]:
        """``n`` distinct candidates (fewer only if a finite space runs out).

        Every bracket draws from the whole space: a point evaluated in an
        earlier bracket may come again, at this bracket's resources. A
        finite space smaller than ``n`` gives all its points (warned once).
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SearchSpaceExhaustedWarning)
            chosen = self._propose(n)
        if len(chosen) < n and not self._warned:
            self._warned = True
            size = self.space.size
            warnings.warn(
                f"search_spaces has only {size} distinct candidate"
                f"{'s' if size != 1 else ''}, fewer than the {n} a bracket "
                f"starts with: the brackets planned with more start with all "
                f"{size} instead, and keep fewer at each rung.",
                SearchSpaceExhaustedWarning,
                # The user's fit (or ask), whatever the search's frames between.
                stacklevel=_user_stacklevel(),
            )
        return chosen

    def _propose(self, n: int) -> list[dict]:
        budget = None if self.sampler == "random" else self.model_budget()
        if budget is None:
            return RandomOptimizer(self.space, random_state=self._seed()).ask(n)
        idx = [i for i, b in enumerate(self.budgets) if b == budget]
        told = [self.configs[i] for i in idx]
        scores = [self.scores[i] for i in idx]
        model = optimizer_class(self.sampler)(
            self.space, n_initial_points=self.min_points, random_state=self._seed()
        )
        model.tell(told, scores, budgets=[budget] * len(idx))
        n_random = int(np.floor(n * self.random_fraction))
        chosen = model.ask(n - n_random) if n > n_random else []
        if n_random:
            # Random candidates distinct from the model's and the observed ones.
            rand = RandomOptimizer(self.space, random_state=self._seed())
            rand.tell(told + chosen, [np.nan] * (len(told) + len(chosen)))
            chosen += rand.ask(n_random)
        if len(chosen) < n:
            # A finite space whose points were all observed at the model's
            # budget: this bracket evaluates again (at its own resources) the
            # best of them, then any other points.
            order = np.argsort(-np.nan_to_num(np.asarray(scores), nan=-np.inf))
            chosen += self._new([told[i] for i in order], chosen, n)
            rand = RandomOptimizer(self.space, random_state=self._seed())
            if chosen:
                rand.tell(chosen, [np.nan] * len(chosen))
            chosen += rand.ask(n - len(chosen)) if len(chosen) < n else []
        return chosen

    def _new(self, configs: list[dict], chosen: list[dict], n: int) -> list[dict]:
        """The first of ``configs`` that are not in ``chosen``, up to ``n`` in all."""
        taken = set(self._keys(chosen))
        out = []
        for config, key in zip(configs, self._keys(configs)):
            if len(chosen) + len(out) >= n:
                break
            if key not in taken:
                taken.add(key)
                out.append(config)
        return out

    def _keys(self, configs: list[dict]) -> list[bytes]:
        if not configs:
            return []
        return self.space.candidate_keys(configs)

    def _seed(self) -> int:
        return int(self.random_state.randint(np.iinfo(np.int32).max))
