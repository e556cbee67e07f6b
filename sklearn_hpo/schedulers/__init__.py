"""Budget plans of multi-fidelity searches: pure functions returning frozen records."""

from sklearn_hpo.schedulers._agreement import rank_correlation
from sklearn_hpo.schedulers._plans import (
    Bracket,
    Rung,
    hyperband_plan,
    max_halvings,
    successive_halving_plan,
)

__all__ = [
    "Bracket",
    "Rung",
    "hyperband_plan",
    "max_halvings",
    "rank_correlation",
    "successive_halving_plan",
]
