"""Output warping: a monotone map of the scores before the GP models them.

Cross-validated scores are often far from Gaussian: a log loss or a mean
squared error has a long tail of very bad candidates (a diverged network, a
degree-4 polynomial without regularisation), and a failed fit is imputed as
the worst score. Standardised as they are, a few such scores set the scale,
and the differences between the good candidates, which are what the search
must resolve, look like noise to the model. HEBO (Cowen-Rivers et al. 2022)
fits a power transformation to the scores for this reason; this module does
the same with the Yeo-Johnson transformation (Yeo & Johnson 2000), whose
parameter is the maximum-likelihood estimate on the standardised scores.

The map is monotone increasing, so the best and the worst scores stay the
best and the worst: the incumbent, the constant lie of a batch and the
subset of a large history are taken on the warped scores unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from sklearn_hpo.optimizers._gp._model import standardisation

__all__ = ["warp_scores"]

# Bounds of the Yeo-Johnson parameter: 1 is the identity; beyond these the
# transformation amplifies a few extreme scores more than it helps.
_LAMBDA_BOUNDS = (-2.0, 4.0)


def warp_scores(y: np.ndarray) -> np.ndarray:
    """Standardise finite scores ``y`` and apply a fitted Yeo-Johnson map.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Finite scores (higher is better).

    Returns
    -------
    ndarray of shape (n_samples,)
        The warped scores, standardised again; ``y`` standardised when it
        has fewer than 3 distinct values (nothing to fit). Scores of any
        magnitude are standardised as the model does, without overflow.
    """
    y = np.asarray(y, dtype=float)
    if len(y) == 0:
        return y
    mean, scale = standardisation(y)
    z = (y - mean) / scale
    if len(np.unique(y)) < 3:
        return z
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            lam = float(stats.yeojohnson_normmax(z))
        except (ValueError, FloatingPointError, RuntimeError):
            lam = 1.0
    if not np.isfinite(lam):
        lam = 1.0
    lam = float(np.clip(lam, *_LAMBDA_BOUNDS))
    w = stats.yeojohnson(z, lmbda=lam)
    w_scale = float(np.std(w))
    if not np.all(np.isfinite(w)) or not w_scale > 0:
        return z
    return (w - np.mean(w)) / w_scale
