"""Optimizer classes by strategy name (``"gp"`` -> ``GPOptimizer``)."""

from __future__ import annotations

from sklearn_hpo._registry import strategy

__all__ = ["optimizer_class"]


def optimizer_class(name: str) -> type:
    """The optimizer class of the strategy ``name`` of the registry."""
    from sklearn_hpo import optimizers

    return getattr(optimizers, strategy(name).optimizer)
