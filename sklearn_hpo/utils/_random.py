"""Random number generators: one seed convention for the whole package."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["as_generator"]


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
