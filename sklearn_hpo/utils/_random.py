"""Random number generators: one seed convention for the whole package."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from scipy.stats import qmc

__all__ = ["as_generator", "qmc_engine", "sobol_points"]


def as_generator(random_state: Any = None) -> np.random.Generator:
    """Turn a seed, RandomState or Generator into a numpy Generator.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        An int gives a reproducible generator; a ``RandomState`` (as
        scikit-learn passes around) is advanced by one draw to seed a new
        generator, so successive calls give different streams; a Generator is
        returned as is.

    Returns
    -------
    numpy.random.Generator
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int, a numpy RandomState or Generator, got "
        f"{random_state!r} of type {type(random_state).__name__}."
    )


def qmc_engine(cls: Any, d: int, rng: np.random.Generator) -> Any:
    """A ``scipy.stats.qmc`` engine seeded with ``rng`` (any scipy version)."""
    try:
        return cls(d, rng=rng)
    except TypeError:  # scipy < 1.15 names the argument ``seed``
        return cls(d, seed=rng)


def sobol_points(d: int, seed: int, start: int, stop: int) -> np.ndarray:
    """Points ``start:stop`` of a scrambled Sobol' sequence in ``[0, 1)^d``.

    The sequence is fixed by ``(d, seed)``, so any range can be regenerated
    without keeping the engine. Points are drawn in blocks of a power of two,
    which keeps the sequence's balance properties.
    """
    if stop <= start:
        return np.empty((0, d))
    m = max(1, math.ceil(math.log2(stop)))
    engine = qmc_engine(qmc.Sobol, d, np.random.default_rng(seed))
    return engine.random_base2(m)[start:stop]
