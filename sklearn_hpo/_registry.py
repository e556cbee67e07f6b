"""The strategies of the package, one record each.

The searches, the optimizers that pick a model by name, the package docstring
of :mod:`sklearn_hpo.search`, the benchmarks and the tests read this table
instead of writing the list out again; a test checks that it agrees with the
public ``__all__`` lists. It holds names only and imports nothing from the
package, so every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

__all__ = ["FAMILIES", "STRATEGIES", "Strategy", "strategies", "strategy"]

# The families, in the order the docs list them.
FAMILIES = ("model-based", "sampling", "local", "population", "multi-fidelity")


@dataclass(frozen=True)
class Strategy:
    """One strategy: a search class, the parameters that select it, its optimizer.

    Parameters
    ----------
    name : str
        Short name; also the value that selects its optimizer where a search
        takes one by name (``BayesSearchCV(optimizer=...)``,
        ``HyperbandSearchCV(sampler=...)``).
    search : str
        Its class in :mod:`sklearn_hpo.search`.
    optimizer : str
        The class in :mod:`sklearn_hpo.optimizers` that proposes its candidates.
    family : str
        One of :data:`FAMILIES`.
    summary : str
        What it does, in a few words.
    params : dict
        The parameters of ``search`` that select this strategy (the others
        keep their defaults).
    variant : str
        Tells the strategies of one search class apart in labels.
    columns : dict
        The columns it adds to ``cv_results_`` (besides ``round``), each
        with what it holds (the class docstrings say it).
    plans_budget : bool
        Whether its optimizer plans with ``n_iter``: a run with a larger
        ``n_iter`` does not begin with the candidates of a shorter one.
    """

    name: str
    search: str
    optimizer: str
    family: str
    summary: str
    params: Mapping[str, Any] = field(default_factory=dict)
    variant: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    plans_budget: bool = False

    def __post_init__(self) -> None:
        # Read-only views: the table is shared by every reader.
        for name in ("params", "columns"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def label(self) -> str:
        """The search class, and the variant when it has several."""
        return f"{self.search} ({self.variant})" if self.variant else self.search


_MULTI_FIDELITY_COLUMNS = {
    "bracket": "the bracket",
    "iter": "the rung within its bracket",
    "n_resources": "the resource the candidate was evaluated with",
}

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "gp", "BayesSearchCV", "GPOptimizer", "model-based",
        "Bayesian optimisation with a Gaussian-process surrogate",
        variant="GP",
    ),
    Strategy(
        "tpe", "TPESearchCV", "TPEOptimizer", "model-based",
        "tree-structured Parzen estimator",
    ),
    Strategy(
        "random", "BayesSearchCV", "RandomOptimizer", "sampling",
        "random search that never repeats a candidate",
        params={"optimizer": "random"}, variant="random",
    ),
    Strategy(
        "coarse_to_fine", "CoarseToFineSearchCV", "CoarseToFineOptimizer",
        "sampling", "a space-filling sample, then boxes zooming on the best",
        columns={
            "level": "0 for the coarse stage, then 1, 2, ... as the boxes shrink",
            "region": "the box a candidate was drawn in, an index into "
            "``optimizer_.regions``; -1 for the coarse stage",
        },
        plans_budget=True,
    ),
    Strategy(
        "annealing", "AnnealingSearchCV", "AnnealingOptimizer", "local",
        "simulated annealing", plans_budget=True,
    ),
    Strategy(
        "evolutionary", "EvolutionarySearchCV", "EvolutionaryOptimizer",
        "population", "a genetic algorithm",
        columns={"generation": "the generation; -1 for ``initial_points``"},
        plans_budget=True,
    ),
    Strategy(
        "particle_swarm", "ParticleSwarmSearchCV", "ParticleSwarmOptimizer",
        "population", "particle-swarm optimisation",
        columns={"iteration": "the swarm step; -1 for ``initial_points``"},
        plans_budget=True,
    ),
    Strategy(
        "hybrid", "HybridSearchCV", "HybridOptimizer", "sampling",
        "the grid of listed values crossed with quasi-random sampling",
        columns={"grid_point": "an index into ``optimizer_.grid_points``"},
        plans_budget=True,
    ),
    Strategy(
        "coordinate", "CoordinateDescentSearchCV", "CoordinateDescentOptimizer",
        "local", "line searches along one parameter at a time",
        columns={
            "cycle": "the cycle over the parameters, 0 for the start point",
            "coordinate": "the parameter of the line search",
        },
    ),
    Strategy(
        "spsa", "SPSASearchCV", "SPSAOptimizer", "local",
        "simultaneous-perturbation gradient ascent",
        columns={"iteration": "the SPSA step; -1 for the start candidates"},
        plans_budget=True,
    ),
    Strategy(
        "hyperband", "HyperbandSearchCV", "RandomOptimizer", "multi-fidelity",
        "brackets of successive halving over random candidates",
        columns=_MULTI_FIDELITY_COLUMNS,
    ),
    Strategy(
        "bohb", "HyperbandSearchCV", "TPEOptimizer", "multi-fidelity",
        "Hyperband with candidates from a model of earlier rungs (BOHB)",
        params={"sampler": "tpe"}, variant="BOHB", columns=_MULTI_FIDELITY_COLUMNS,
    ),
    Strategy(
        "sh", "SuccessiveHalvingSearchCV", "RandomOptimizer", "multi-fidelity",
        "one bracket of successive halving, scikit-learn's schedule",
        columns=_MULTI_FIDELITY_COLUMNS,
    ),
)


def strategies(
    *, family: str | None = None, search: str | None = None
) -> tuple[Strategy, ...]:
    """The strategies of ``family`` and/or of the class named ``search``.

    Examples
    --------
    >>> from sklearn_hpo._registry import strategies
    >>> [s.name for s in strategies(search="BayesSearchCV")]
    ['gp', 'random']
    """
    return tuple(
        s
        for s in STRATEGIES
        if (family is None or s.family == family)
        and (search is None or s.search == search)
    )


def strategy(name: str) -> Strategy:
    """The strategy called ``name``; a KeyError lists the names."""
    for s in STRATEGIES:
        if s.name == name:
            return s
    raise KeyError(
        f"No strategy {name!r}; the strategies are {[s.name for s in STRATEGIES]}."
    )
