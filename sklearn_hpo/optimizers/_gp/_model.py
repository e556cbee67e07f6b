"""A small Gaussian-process regressor written for Bayesian optimisation.

Zero-mean GP on standardised targets with a Matern 5/2 ARD kernel, a signal
variance and a white-noise term. Hyperparameters are the maximum a posteriori
estimate (log marginal likelihood plus weak log-normal priors, Rasmussen &
Williams 2006, eq. 5.8-5.9 for the likelihood and its gradient), found with
L-BFGS-B from a warm start and a few random restarts.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack, solve_triangular
from scipy.optimize import minimize

from sklearn_hpo.optimizers._gp._kernel import (
    group_sqdists,
    matern52,
    matern52_and_derivative,
    scaled_sqdist,
)

__all__ = ["GaussianProcess", "standardisation"]

_LOG_2PI = np.log(2.0 * np.pi)
# Bounds of the log-hyperparameters. Inputs live in the unit cube and targets
# are standardised, so these ranges are scale-free.
_LS_BOUNDS = (np.log(1e-2), np.log(1e2))
_SIGNAL_BOUNDS = (np.log(1e-2), np.log(1e2))
_NOISE_BOUNDS = (np.log(1e-6), np.log(1.0))
# Weak log-normal priors (mean, sd of the log): length scales around half the
# cube, unit signal variance (targets are standardised), small noise. They only
# matter with few observations, where they keep the fit from degenerating.
_LS_PRIOR = (np.log(0.5), 1.0)
_SIGNAL_PRIOR = (0.0, 1.0)
_NOISE_PRIOR = (np.log(1e-3), 3.0)


def _cholesky(K: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor of ``K``, adding jitter to the diagonal if needed."""
    scale = float(np.mean(np.diag(K)))
    jitter = 0.0
    for _ in range(6):
        Kj = K if jitter == 0.0 else K + jitter * np.eye(len(K))
        L, info = lapack.dpotrf(Kj, lower=1, clean=1)
        if info == 0:
            return L
        jitter = 1e-8 * scale if jitter == 0.0 else jitter * 100.0
    return None


class GaussianProcess:
    """Gaussian process with a Matern 5/2 kernel and one length scale per group.

    Parameters
    ----------
    groups : ndarray of int, shape (n_features,)
        Length-scale group of each input feature.
    n_groups : int
        Number of groups.

    Attributes
    ----------
    theta_ : ndarray of shape (n_groups + 2,)
        Log length scales, log signal variance and log noise variance.
    y_mean_, y_scale_ : float
        Standardisation of the targets.
    X_ : ndarray of shape (n_samples, n_features)
        Conditioning inputs.
    """

    def __init__(self, groups: np.ndarray, n_groups: int) -> None:
        self.groups = np.asarray(groups, dtype=np.int64)
        self.n_groups = int(n_groups)
        self.theta_ = self.default_theta()

    # ---------------------------------------------------------- hyperparams
    def default_theta(self) -> np.ndarray:
        return np.concatenate(
            [np.full(self.n_groups, _LS_PRIOR[0]), [0.0, np.log(1e-3)]]
        )

    def bounds(self) -> list[tuple[float, float]]:
        return [_LS_BOUNDS] * self.n_groups + [_SIGNAL_BOUNDS, _NOISE_BOUNDS]

    def _prior(self) -> tuple[np.ndarray, np.ndarray]:
        g = self.n_groups
        mean = np.concatenate(
            [np.full(g, _LS_PRIOR[0]), [_SIGNAL_PRIOR[0], _NOISE_PRIOR[0]]]
        )
        sd = np.concatenate(
            [np.full(g, _LS_PRIOR[1]), [_SIGNAL_PRIOR[1], _NOISE_PRIOR[1]]]
        )
        return mean, sd

    def sample_theta(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` hyperparameter vectors from the prior, clipped to bounds."""
        mean, sd = self._prior()
        lo, hi = np.array(self.bounds()).T
        return np.clip(mean + sd * rng.standard_normal((n, len(mean))), lo, hi)

    def log_marginal_likelihood(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Log marginal likelihood of standardised ``y`` and its gradient."""
        G = group_sqdists(X, self.groups, self.n_groups)
        return self._lml(np.asarray(theta, dtype=float), G, y)

    def _lml(
        self, theta: np.ndarray, G: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        g = self.n_groups
        n = len(y)
        w = np.exp(-2.0 * theta[:g])
        s2 = np.exp(theta[g])
        noise = np.exp(theta[g + 1])
        D2 = np.tensordot(w, G, axes=1)
        M, dM = matern52_and_derivative(D2)
        Kf = s2 * M
        K = Kf.copy()
        K.flat[:: n + 1] += noise
        L = _cholesky(K)
        if L is None:
            return -np.inf, np.zeros_like(theta)
        alpha, _ = lapack.dpotrs(L, y, lower=1)
        lml = (
            -0.5 * float(y @ alpha)
            - float(np.sum(np.log(np.diag(L))))
            - 0.5 * n * _LOG_2PI
        )
        Kinv, _ = lapack.dpotri(L, lower=1)
        Kinv = np.tril(Kinv) + np.tril(Kinv, -1).T
        # dLML/dtheta = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta), R&W eq. 5.9.
        W = np.outer(alpha, alpha) - Kinv
        P = W * (s2 * dM)
        grad = np.empty_like(theta)
        grad[:g] = -(G.reshape(g, -1) @ P.ravel()) * w
        grad[g] = 0.5 * float(np.sum(W * Kf))
        grad[g + 1] = 0.5 * float(np.trace(W)) * noise
        return lml, grad

    def _neg_log_posterior(
        self, theta: np.ndarray, G: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        lml, grad = self._lml(theta, G, y)
        if not np.isfinite(lml):
            return 1e25, np.zeros_like(theta)
        mean, sd = self._prior()
        z = (theta - mean) / sd
        return -(lml - 0.5 * float(z @ z)), -(grad - z / sd)

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        rng: np.random.Generator,
        *,
        theta0: np.ndarray | None = None,
        n_restarts: int = 2,
        maxiter: int = 100,
        optimize: bool = True,
    ) -> GaussianProcess:
        """Standardise ``y``, fit the hyperparameters and condition on the data.

        The optimisation starts from ``theta0`` (the previous fit: a warm start)
        or the prior mean, and from the best of a few prior draws. With
        ``optimize=False`` the hyperparameters are ``theta0`` as they are
        (the prior mean if None): only the data change.
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.y_mean_, self.y_scale_ = standardisation(y)
        bounds = self.bounds()
        lo, hi = np.array(bounds).T
        first = self.default_theta() if theta0 is None else np.asarray(theta0)
        if not optimize:
            self.theta_ = np.clip(first, lo, hi)
            return self.condition(X, y)
        ys = (y - self.y_mean_) / self.y_scale_
        G = group_sqdists(X, self.groups, self.n_groups)
        starts = [np.clip(first, lo, hi)]
        if n_restarts > 0:
            # Pick restart points by their objective value: cheaper than
            # running L-BFGS-B from each prior draw.
            cands = np.vstack([self.default_theta(), self.sample_theta(rng, 4)])
            values = [self._neg_log_posterior(c, G, ys)[0] for c in cands]
            order = np.argsort(values)
            starts += [cands[i] for i in order[:n_restarts]]
        best_theta, best_value = starts[0], np.inf
        for start in starts:
            try:
                res = minimize(
                    self._neg_log_posterior,
                    start,
                    args=(G, ys),
                    jac=True,
                    method="L-BFGS-B",
                    bounds=bounds,
                    options={"maxiter": maxiter},
                )
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(res.fun) and res.fun < best_value:
                best_theta, best_value = res.x, float(res.fun)
        self.theta_ = np.clip(best_theta, lo, hi)
        self.condition(X, y)
        return self

    def condition(self, X: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """Condition on ``(X, y)`` with the current hyperparameters (no refit).

        ``y`` is on the original scale; the standardisation of the last
        :meth:`fit` is kept, as constant-liar batches need.
        """
        g = self.n_groups
        self.X_ = np.asarray(X, dtype=float)
        ys = (np.asarray(y, dtype=float) - self.y_mean_) / self.y_scale_
        self.inv_ls_ = np.exp(-self.theta_[:g])[self.groups]
        self.signal_ = float(np.exp(self.theta_[g]))
        self.noise_ = float(np.exp(self.theta_[g + 1]))
        n = len(ys)
        K = self.signal_ * matern52(scaled_sqdist(self.X_, self.X_, self.inv_ls_))
        K.flat[:: n + 1] += self.noise_
        L = _cholesky(K)
        if L is None:  # pragma: no cover - jitter up to 1e2 * scale always works
            L = np.linalg.cholesky(K + 1e-2 * self.signal_ * np.eye(n))
        self.L_ = L
        self.alpha_, _ = lapack.dpotrs(L, ys, lower=1)
        self.L_inv_ = solve_triangular(L, np.eye(n), lower=True)
        self.y_train_std_ = ys
        return self

    # -------------------------------------------------------------- predict
    def predict(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and std of the latent function (standardised scale)."""
        mu, sd, _, _ = self._predict(Z, None)
        return mu, sd

    def predict_with_grad(
        self, Z: np.ndarray, features: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mean, std and their gradients with respect to ``Z[:, features]``."""
        return self._predict(Z, np.asarray(features, dtype=np.int64))

    def _predict(
        self, Z: np.ndarray, features: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        d2 = scaled_sqdist(Z, self.X_, self.inv_ls_)
        M, dM = matern52_and_derivative(d2)
        Ks = self.signal_ * M
        mu = Ks @ self.alpha_
        V = Ks @ self.L_inv_.T
        var = np.maximum(self.signal_ - np.einsum("ij,ij->i", V, V), 1e-12)
        sd = np.sqrt(var)
        if features is None:
            return mu, sd, None, None
        # dk(z, x_i)/dz_j = dk/dd2 * 2 (z_j - x_ij) / ls_j^2
        A = self.signal_ * dM
        Xf = self.X_[:, features]
        Zf = Z[:, features]
        c = 2.0 * self.inv_ls_[features] ** 2
        dmu = c * (Zf * (A @ self.alpha_)[:, None] - A @ (self.alpha_[:, None] * Xf))
        Wk = V @ self.L_inv_  # K^-1 k(z) for each row
        B = A * Wk
        dvar = -2.0 * c * (Zf * B.sum(axis=1)[:, None] - B @ Xf)
        dsd = dvar / (2.0 * sd[:, None])
        return mu, sd, dmu, dsd


def standardisation(y: np.ndarray) -> tuple[float, float]:
    """Mean and scale that standardise ``y``, whatever the scale of the scores.

    A spread below 1e-12 of the scores' magnitude is float noise: the scores
    count as constant. Scores so large that their spread overflows are
    standardised through ``y / max|y|``.
    """
    magnitude = float(np.max(np.abs(y))) if len(y) else 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        mean, scale = float(np.mean(y)), float(np.std(y))
    if not (np.isfinite(mean) and np.isfinite(scale)):
        z = y / magnitude
        mean, scale = float(np.mean(z)) * magnitude, float(np.std(z)) * magnitude
    if scale > 1e-12 * magnitude:
        return mean, scale
    return mean, max(1.0, magnitude)
