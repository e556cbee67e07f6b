"""Acquisition functions for maximisation, with gradients for polishing.

All functions take the posterior mean ``mu`` and standard deviation ``sd`` of
the (standardised) objective and return values plus their partial derivatives
with respect to ``mu`` and ``sd``, so that the chain rule through
:meth:`GaussianProcess.predict_with_grad` gives gradients in the input space.

Expected and probability of improvement are maximised through their
logarithms: same maximiser, but no underflow to exactly zero far from the
incumbent, so candidates stay ranked and gradients stay informative
(Ament et al. 2023, "Unexpected improvements to expected improvement").
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = [
    "expected_improvement",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "probability_of_improvement",
    "upper_confidence_bound",
]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_LOG_INV_SQRT_2PI = np.log(_INV_SQRT_2PI)
_SQRT_HALF = np.sqrt(0.5)

Triple = tuple[np.ndarray, np.ndarray, np.ndarray]


def expected_improvement(
    mu: np.ndarray, sd: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """``E[max(f - best - xi, 0)]`` for ``f ~ N(mu, sd^2)`` (Jones et al. 1998)."""
    mu = np.asarray(mu, dtype=float)
    sd = np.asarray(sd, dtype=float)
    imp = mu - best - xi
    z = imp / sd
    return imp * ndtr(z) + sd * _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _log_h(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log(phi(z) + z Phi(z))`` and its derivative, stable for z << 0."""
    z = np.asarray(z, dtype=float)
    # Three regimes. z >= -1: direct. -25 <= z < -1: phi(z) + z Phi(z) =
    # exp(-z^2/2) (1/sqrt(2 pi) + z/2 erfcx(-z/sqrt(2))), no underflow.
    # z < -25, where that bracket cancels: phi(z) / z^2 (1 - 3/z^2).
    near = z >= -1.0
    far = z < -25.0
    zn = np.where(near, z, -1.0)
    cdf = ndtr(zn)
    h = _INV_SQRT_2PI * np.exp(-0.5 * zn * zn) + zn * cdf
    zm = np.clip(z, -25.0, -1.0)
    c = 0.5 * erfcx(-zm * _SQRT_HALF)  # Phi(z) exp(z^2/2)
    bracket = _INV_SQRT_2PI + zm * c
    zf = np.minimum(z, -25.0)
    asym = _INV_SQRT_2PI / (zf * zf) * (1.0 - 3.0 / (zf * zf))
    log_h = np.where(
        near,
        np.log(h),
        -0.5 * z * z + np.log(np.where(far, asym, bracket)),
    )
    # d/dz log h = Phi(z) / h(z); asymptotically -z - 2/z.
    dlog_h = np.where(
        near, cdf / h, np.where(far, -zf - 2.0 / zf, c / bracket)
    )
    return log_h, dlog_h


def log_expected_improvement(
    mu: np.ndarray, sd: np.ndarray, best: float, xi: float = 0.0
) -> Triple:
    """``log EI`` and its derivatives with respect to ``mu`` and ``sd``."""
    z = (mu - best - xi) / sd
    log_h, dlog_h = _log_h(z)
    value = np.log(sd) + log_h
    d_mu = dlog_h / sd
    d_sd = 1.0 / sd - dlog_h * z / sd
    return value, d_mu, d_sd


def probability_of_improvement(
    mu: np.ndarray, sd: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """``P(f > best + xi)`` for ``f ~ N(mu, sd^2)`` (Kushner 1964)."""
    return ndtr((np.asarray(mu, dtype=float) - best - xi) / np.asarray(sd))


def log_probability_of_improvement(
    mu: np.ndarray, sd: np.ndarray, best: float, xi: float = 0.0
) -> Triple:
    """``log PI`` and its derivatives with respect to ``mu`` and ``sd``."""
    z = (mu - best - xi) / sd
    value = log_ndtr(z)
    # d log Phi(z) / dz = phi(z) / Phi(z), in log space to avoid 0/0.
    ratio = np.exp(_LOG_INV_SQRT_2PI - 0.5 * z * z - value)
    return value, ratio / sd, -ratio * z / sd


def upper_confidence_bound(
    mu: np.ndarray, sd: np.ndarray, kappa: float = 1.96
) -> Triple:
    """``mu + kappa * sd`` (Srinivas et al. 2010) and its derivatives."""
    mu = np.asarray(mu, dtype=float)
    sd = np.asarray(sd, dtype=float)
    return mu + kappa * sd, np.ones_like(mu), np.full_like(sd, kappa)
