"""Estimator doubles whose score is a known function of their parameters.

They keep quality tests and benchmarks fast and deterministic: ``fit`` does no
work and ``score`` returns the (negated, so that higher is better) value of a
classic optimisation test function at the parameters.
"""

from __future__ import annotations

import os
import signal
import time
import warnings
import zlib
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

__all__ = [
    "BRANIN_MAX",
    "HARTMANN6_MAX",
    "BraninEstimator",
    "Hartmann6Estimator",
    "QuadraticDouble",
    "SleepDouble",
    "branin",
    "hartmann6",
]

BRANIN_MAX = -0.397887357729739
HARTMANN6_MAX = 3.32236801141551

_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def branin(x1: float, x2: float) -> float:
    """Branin-Hoo function on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887."""
    b, c = 5.1 / (4 * np.pi**2), 5 / np.pi
    r, s, t = 6.0, 10.0, 1 / (8 * np.pi)
    return float((x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * np.cos(x1) + s)


def hartmann6(x: Any) -> float:
    """Hartmann 6-D function on [0, 1]^6; maximum 3.32237 (as written here)."""
    x = np.asarray(x, dtype=float)
    inner = np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)
    return float(np.sum(_H6_ALPHA * np.exp(-inner)))


class _FunctionEstimator(RegressorMixin, BaseEstimator):
    """Base double: ``score`` is a function of the parameters, plus noise."""

    def _value(self) -> float:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> _FunctionEstimator:
        X = np.asarray(X)
        self.n_features_in_ = X.shape[1] if X.ndim == 2 else 1
        self.value_ = self._value()
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X))

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        noise = 0.0
        if self.noise:
            # Deterministic per (seed, parameters, test fold) noise.
            key = zlib.crc32(np.ascontiguousarray(X, dtype=float).tobytes())
            key = zlib.crc32(repr(sorted(self.get_params().items())).encode(), key)
            rng = np.random.default_rng([key, self.random_state or 0])
            noise = self.noise * rng.standard_normal()
        return self.value_ + noise


class BraninEstimator(_FunctionEstimator):
    """Double whose score is ``-branin(x1, x2)`` (maximum -0.397887).

    Parameters
    ----------
    x1 : float, default=0.0
        In [-5, 10].
    x2 : float, default=0.0
        In [0, 15].
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to each score.
    random_state : int or None, default=None
        Seed of the noise.
    """

    def __init__(self, x1=0.0, x2=0.0, noise=0.0, random_state=None):
        self.x1 = x1
        self.x2 = x2
        self.noise = noise
        self.random_state = random_state

    def _value(self) -> float:
        return -branin(self.x1, self.x2)


class Hartmann6Estimator(_FunctionEstimator):
    """Double whose score is ``hartmann6(x1..x6)`` (maximum 3.32237).

    Parameters
    ----------
    x1, x2, x3, x4, x5, x6 : float, default=0.5
        Coordinates in [0, 1].
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to each score.
    random_state : int or None, default=None
        Seed of the noise.
    """

    def __init__(
        self, x1=0.5, x2=0.5, x3=0.5, x4=0.5, x5=0.5, x6=0.5, noise=0.0,
        random_state=None,
    ):
        self.x1 = x1
        self.x2 = x2
        self.x3 = x3
        self.x4 = x4
        self.x5 = x5
        self.x6 = x6
        self.noise = noise
        self.random_state = random_state

    def _value(self) -> float:
        return hartmann6([self.x1, self.x2, self.x3, self.x4, self.x5, self.x6])


class QuadraticDouble(RegressorMixin, BaseEstimator):
    """Scores ``-(a - 0.3)^2 - 1 / units``; ``fit`` fails when ``kind="bad"``.

    ``units`` plays a multi-fidelity resource (more is better), ``kind`` a
    categorical parameter with a failing value.

    Parameters
    ----------
    a : float, default=0.5
        The continuous parameter; the best is 0.3.
    kind : str, default="ok"
        ``"bad"`` makes ``fit`` raise a ValueError.
    units : int, default=1
        The resource.
    """

    def __init__(self, a: float = 0.5, kind: str = "ok", units: int = 1) -> None:
        self.a = a
        self.kind = kind
        self.units = units

    def fit(self, X: Any, y: Any = None) -> QuadraticDouble:
        """Raise a ValueError if ``kind == "bad"``, else do nothing."""
        if self.kind == "bad":
            raise ValueError("bad kind")
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Zeros."""
        return np.zeros(len(X))

    def score(self, X: Any, y: Any = None) -> float:
        """The known function of the parameters."""
        return -((self.a - 0.3) ** 2) - 1.0 / self.units


class SleepDouble(RegressorMixin, BaseEstimator):
    """``fit`` sleeps ``sleep`` seconds (or ends its process); scores ``-a``.

    A fit that hangs, for ``fit_timeout`` tests; each fit can write the id of
    the process it ran in to a directory, to check which processes fitted
    and that none is left running.

    Parameters
    ----------
    sleep : float, default=0.0
        Seconds ``fit`` sleeps.
    a : float, default=0.0
        The score is ``-a``.
    units : int, default=1
        A multi-fidelity resource (the score ignores it).
    action : str, default="none"
        ``"warn"`` gives a UserWarning in ``fit``, ``"raise"`` raises a
        ValueError, ``"die"`` kills the fit's process (SIGKILL).
    pid_dir : str or None, default=None
        Directory where each fit writes a file named after its process id.
    """

    def __init__(
        self,
        sleep: float = 0.0,
        a: float = 0.0,
        units: int = 1,
        action: str = "none",
        pid_dir: str | None = None,
    ) -> None:
        self.sleep = sleep
        self.a = a
        self.units = units
        self.action = action
        self.pid_dir = pid_dir

    def fit(self, X: Any, y: Any = None) -> SleepDouble:
        """Write the process id, act, then sleep."""
        if self.pid_dir is not None:
            with open(os.path.join(self.pid_dir, str(os.getpid())), "a") as f:
                f.write(f"{self.sleep}\n")
        if self.action == "warn":
            warnings.warn(f"SleepDouble fit with a={self.a}", UserWarning, stacklevel=2)
        elif self.action == "raise":
            raise ValueError(f"SleepDouble failed with a={self.a}")
        elif self.action == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.sleep)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Zeros."""
        return np.zeros(len(X))

    def score(self, X: Any, y: Any = None) -> float:
        """``-a``."""
        return -float(self.a)
