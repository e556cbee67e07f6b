"""Bayesian optimisation with a Gaussian-process surrogate."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np
from scipy.optimize import minimize
from scipy.spatial import cKDTree
from scipy.stats import qmc

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.optimizers._gp._acquisition import (
    log_expected_improvement,
    log_probability_of_improvement,
    upper_confidence_bound,
)
from sklearn_hpo.optimizers._gp._encoding import Encoder
from sklearn_hpo.optimizers._gp._local_search import DiscreteNeighbours, local_search
from sklearn_hpo.optimizers._gp._model import GaussianProcess
from sklearn_hpo.optimizers._gp._subset import model_subset
from sklearn_hpo.optimizers._gp._warping import warp_scores
from sklearn_hpo.utils._random import qmc_engine, sobol_points
from sklearn_hpo.utils._validation import (
    check_int,
    check_option,
    check_optional_int,
    check_real,
)

__all__ = ["GPOptimizer"]

_INITIAL_DESIGNS = ("sobol", "lhs", "random")
_ACQ_FUNCS = ("auto", "ei", "pi", "lcb")
_BATCH_STRATEGIES = ("constant_liar", "kriging_believer")
# Hyperparameters are refit from the previous fit (warm start) at every ask;
# random restarts are added while data are few (where the likelihood is
# multi-modal and a fit is cheap) and then every few asks.
_RESTART_BELOW = 40
_RESTART_EVERY = 5
# Beyond max_model_points observations, where a fit is on a subset that
# changes little from one ask to the next, hyperparameters are refit (warm
# start) only every few asks, and restarts come every _RESTART_EVERY refits.
_REFIT_EVERY = 5
# Local candidates: Gaussian steps of these unit-cube scales around the best
# observations, and how many of those observations.
_LOCAL_SCALES = np.array([0.01, 0.05, 0.15])
_N_ELITE = 5
# Ranked alternatives returned beyond the batch, for the base class to use
# when a proposal turns out to be a duplicate.
_N_ALTERNATIVES = 10
# Proposals closer than this (max-norm over the encoded unit cube) to a point
# already scored or pending are skipped.
_MIN_DISTANCE = 0.01
# Polishing refines a candidate within this distance (per unit-cube column)
# of where it started. Unbounded, L-BFGS-B follows the acquisition's growth
# towards the edges of the cube: once a local optimum is refined, the model's
# variance is largest in the corners, and expected improvement would spend
# every other evaluation on a corner.
_POLISH_RADIUS = 0.2

_controller: Any = None


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread: the matrices here are small (a few hundred
    rows), where threads cost more than they save and, on a busy machine,
    spin-waiting BLAS threads make a fit orders of magnitude slower."""
    global _controller
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        ctx = _controller.limit(limits=1, user_api="blas")
    except Exception:  # threadpoolctl missing or failing: run as is
        ctx = contextlib.nullcontext()
    with ctx:
        yield


def _polish_bounds(x0: np.ndarray) -> list[tuple[float, float]]:
    """L-BFGS-B bounds: the unit interval, within ``_POLISH_RADIUS`` of ``x0``."""
    r = _POLISH_RADIUS
    return list(zip(np.clip(x0 - r, 0.0, 1.0), np.clip(x0 + r, 0.0, 1.0)))


@optimizer_docstring
class GPOptimizer(BaseOptimizer):
    """Bayesian optimisation with a Gaussian-process surrogate (maximising).

    After a space-filling initial design, each :meth:`ask` fits a Gaussian
    process with a Matern 5/2 kernel to the observations and proposes the
    points that maximise an acquisition function; batches are filled with the
    constant-liar or kriging-believer heuristic.

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
        Real, integer, categorical and conditional (list of dict) spaces and
        ``scipy.stats`` distributions are supported.
    n_initial_points : int, default=10
        Number of observations before the model is used; until then (and
        while every observation has failed) points come from the initial
        design.
    initial_design : {"sobol", "lhs", "random"}, default="sobol"
        Space-filling design of the unit cube: scrambled Sobol' sequence,
        Latin hypercube or uniform random. Successive asks continue the
        design.
    acq_func : {"auto", "ei", "pi", "lcb"}, default="auto"
        Acquisition function: expected improvement ("ei"), probability of
        improvement ("pi") or the confidence bound ``mu + kappa * sigma``
        ("lcb", the lower confidence bound of the minimisation literature;
        here scores are maximised). "auto" alternates expected improvement
        and the confidence bound from one proposed point to the next, see
        Notes.
    xi : float, default=0.01
        Improvement margin of "ei" and "pi", in units of the standard
        deviation of the observed scores (so it does not depend on the
        scale of the score).
    kappa : float, default=1.96
        Exploration weight of "lcb".
    batch_strategy : {"constant_liar", "kriging_believer"}, default="constant_liar"
        How batches (``ask(n)`` with ``n > 1``) and candidates pending from
        earlier asks are handled: each chosen point is added to the model
        with a fake score, the worst observed score ("constant_liar") or
        the model's prediction ("kriging_believer"), before choosing the
        next.
    n_samples : int, default=1000
        Random candidates scored by the acquisition function at each ask
        (plus half as many local perturbations of the best observations).
        Finite spaces with at most this many points are enumerated.
    n_restarts : int, default=5
        Number of the best candidates improved by a local search over their
        integer and categorical parameters, then polished with L-BFGS-B over
        their continuous (real) parameters; 0 disables both.
    max_model_points : int or None, default=300
        Most observations the Gaussian process is conditioned on. Beyond
        this many, the model uses a subset of this size (the best half, the
        latest tenth and a space-filling share of the others) and refits
        its hyperparameters every 5th ask instead of at every ask, so the
        cost of a proposal stops growing with the history; see Notes and
        ``model_subset_``. None conditions on every observation (exact; a
        proposal then costs seconds at a thousand observations).
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    {observations}
    model_ : GaussianProcess or None
        The Gaussian process of the last model-based :meth:`ask`, None
        before the first one. ``model_.theta_`` holds its log length scales
        (one per search-space column), log signal variance and log noise.
    model_subset_ : ndarray of int or None
        Indices (into the told observations, in telling order) of those the
        model of the last model-based :meth:`ask` was conditioned on and
        fit to, when there were more than ``max_model_points``; None when
        it used them all.

    Notes
    -----
    The method follows Snoek et al. (2012): a Matern 5/2 kernel with one
    length scale per parameter (ARD), a signal variance and a noise term,
    fit to standardised scores by maximising the log marginal likelihood
    (plus weak log-normal priors) with L-BFGS-B and analytic gradients. The
    inputs are the unit-cube coordinates of the parameters (log-scaled
    parameters are thus modelled on the log scale); categorical parameters
    and the sub-space selector of a conditional space are one-hot encoded
    (sharing one length scale), and parameters of inactive sub-spaces are
    set to a constant. Failed evaluations (NaN score) are modelled as the
    worst finite score observed, which steers the search away from them.
    The scores are warped before they are modelled, as in HEBO
    (Cowen-Rivers et al. 2022): standardised, then mapped by the
    Yeo-Johnson transformation whose parameter maximises their likelihood
    (Yeo & Johnson 2000). Losses and errors often have a long tail of very
    bad candidates (a diverged network, a failed fit imputed as the worst
    score); without the warping these set the model's scale, and the
    differences between the good candidates look like noise. The map is
    monotone, so it changes no ranking.

    The acquisition function is maximised by scoring random candidates and
    perturbations of the best observations, then polishing the best few with
    L-BFGS-B over the real parameters, each within 0.2 (in the unit cube) of
    where it started. Integer and categorical parameters, which gradients do
    not move, are improved first by a greedy local search from the best
    candidates, as in SMAC (Hutter et al. 2011): one parameter changes per
    step (another choice of a categorical, or an integer moved by 1, 2, 4
    or 8 of its values up or down), to the neighbour with the highest
    acquisition, while the acquisition improves. The
    polish refines a candidate; left unbounded it follows the model's
    variance to the corners of the cube once a local optimum has been
    refined, and spends evaluations there. Expected improvement (Jones et
    al. 1998) and probability of improvement are maximised in log space,
    which has the same maximiser but does not underflow far from the
    incumbent (Ament et al. 2023). The confidence bound follows Srinivas et
    al. (2010). The incumbent that improvement is measured against is the
    best observed score, as in Jones et al. (1998). Candidates closer than
    0.01 (largest coordinate difference in the encoded unit cube) to a point
    already scored or pending are skipped: CV scores often have plateaus (an
    accuracy takes few values), where the noisy model's acquisition peaks
    right next to the incumbent and such re-evaluations tell nothing new.

    "auto" is a two-member portfolio: the proposed points alternate between
    expected improvement with the small margin ``xi`` and the confidence
    bound with ``kappa``. Expected improvement is the stronger of the two
    on noiseless scores (Snoek et al. 2012; Ament et al. 2023) but is known
    to over-exploit when scores are noisy, as cross-validated scores are:
    once the model explains most of the variation as noise, its predicted
    uncertainty is small everywhere and it keeps sampling next to the
    incumbent (Picheny et al. 2013). The confidence bound keeps exploring
    in that regime, with the regret guarantees of Srinivas et al. (2010)
    under noise. Alternating costs nothing (no extra model evaluations,
    unlike GP-Hedge) and keeps most of expected improvement's speed on
    smooth noiseless problems.

    Batches follow the constant-liar heuristic of Ginsbourger et al. (2010)
    with the pessimistic lie (the worst observed score), which pushes the
    points of a batch apart; candidates asked earlier but not yet told are
    treated the same way.

    Up to ``max_model_points`` observations the model is exact. Beyond, it
    is a "subset of data" approximation (Rasmussen & Williams 2006, ch.
    8.3.1): the best half of the subset is the best observations (where
    the acquisition is maximised), a tenth the latest ones (so the model
    learns from its last proposals), and the rest is chosen by greedy
    farthest-point selection among the others, in the model's length
    scales (so the model still knows where the poor regions are). The
    incumbent, the lie of a batch and the minimum distance to scored
    points still use every observation. Hyperparameters are then refit,
    from the previous ones, every 5th ask (with random restarts every 25th).

    References
    ----------
    .. [1] D. R. Jones, M. Schonlau and W. J. Welch, "Efficient global
       optimization of expensive black-box functions", J. Global Optim.,
       1998.
    .. [2] N. Srinivas, A. Krause, S. Kakade and M. Seeger, "Gaussian process
       optimization in the bandit setting: no regret and experimental
       design", ICML 2010.
    .. [3] D. Ginsbourger, R. Le Riche and L. Carraro, "Kriging is
       well-suited to parallelize optimization", Computational Intelligence
       in Expensive Optimization Problems, 2010.
    .. [4] J. Snoek, H. Larochelle and R. P. Adams, "Practical Bayesian
       optimization of machine learning algorithms", NeurIPS 2012.
    .. [5] V. Picheny, T. Wagner and D. Ginsbourger, "A benchmark of
       kriging-based infill criteria for noisy optimization", Struct.
       Multidiscip. Optim., 2013.
    .. [6] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy,
       "Unexpected improvements to expected improvement for Bayesian
       optimization", NeurIPS 2023.
    .. [7] F. Hutter, H. H. Hoos and K. Leyton-Brown, "Sequential
       model-based optimization for general algorithm configuration",
       LION 2011.
    .. [8] A. I. Cowen-Rivers, W. Lyu, R. Tutunov, Z. Wang, A. Grosnit,
       R. R. Griffiths, A. M. Maraval, H. Jianye, J. Wang, J. Peters and
       H. Bou-Ammar, "HEBO: pushing the limits of sample-efficient
       hyperparameter optimisation", JAIR 2022.
    .. [9] I.-K. Yeo and R. A. Johnson, "A new family of power
       transformations to improve normality or symmetry", Biometrika, 2000.

    Examples
    --------
    >>> from sklearn_hpo.optimizers import GPOptimizer
    >>> from sklearn_hpo.space import Integer, Real
    >>> space = {"x": Real(-2.0, 2.0), "n": Integer(1, 10)}
    >>> opt = GPOptimizer(space, n_initial_points=4, random_state=0)
    >>> for _ in range(6):
    ...     cands = opt.ask()
    ...     opt.tell(cands, [-(c["x"] - 1) ** 2 - c["n"] for c in cands])
    >>> opt.n_observations
    6
    >>> batch = opt.ask(3)
    >>> len(batch)
    3
    """

    def __init__(
        self,
        search_space: Any,
        *,
        n_initial_points: int = 10,
        initial_design: str = "sobol",
        acq_func: str = "auto",
        xi: float = 0.01,
        kappa: float = 1.96,
        batch_strategy: str = "constant_liar",
        n_samples: int = 1000,
        n_restarts: int = 5,
        max_model_points: int | None = 300,
        random_state: Any = None,
    ) -> None:
        # A plain object, not an estimator: arguments are checked here so
        # that a mistake surfaces where it is made.
        check_int("n_initial_points", n_initial_points, 1)
        check_option("initial_design", initial_design, _INITIAL_DESIGNS)
        check_option("acq_func", acq_func, _ACQ_FUNCS)
        check_real("xi", xi, low=0.0)
        check_real("kappa", kappa, low=0.0)
        check_option("batch_strategy", batch_strategy, _BATCH_STRATEGIES)
        check_int("n_samples", n_samples, 1)
        check_int("n_restarts", n_restarts, 0)
        check_optional_int("max_model_points", max_model_points, 2, None)
        super().__init__(search_space, random_state=random_state)
        self.n_initial_points = int(n_initial_points)
        self.initial_design = initial_design
        self.acq_func = acq_func
        self.xi = float(xi)
        self.kappa = float(kappa)
        self.batch_strategy = batch_strategy
        self.n_samples = int(n_samples)
        self.n_restarts = int(n_restarts)
        self.max_model_points = (
            None if max_model_points is None else int(max_model_points)
        )
        self.model_: GaussianProcess | None = None
        self.model_subset_: np.ndarray | None = None
        self._encoder = Encoder(self.space)
        self._neighbours = DiscreteNeighbours(self.space)
        self._design_seed: int | None = None
        self._n_design = 0
        self._n_fits = 0
        self._n_model_points = 0
        # Rows proposed so far, by key: the base class only keeps the keys of
        # pending candidates, the model needs their rows.
        self._proposed: dict[bytes, np.ndarray] = {}

    # ------------------------------------------------------------ proposing
    def _propose(self, n_candidates: int) -> np.ndarray:
        with _single_threaded_blas():
            if len(self.y) < self.n_initial_points or not np.isfinite(self.y).any():
                rows = self._design(n_candidates)
            else:
                rows = self._model_based(n_candidates)
        rows = self.space.snap(rows)
        self._proposed = {
            k: r for k, r in self._proposed.items() if k in self._pending
        }
        for key, row in zip(self.space.row_keys(rows), rows):
            self._proposed.setdefault(key, row)
        return rows

    def _design(self, n: int) -> np.ndarray:
        """The next rows of the initial design (plus a few spares)."""
        if self._design_seed is None:
            self._design_seed = int(self._rng.integers(2**63 - 1))
        start = self._n_design
        stop = start + n + max(n, 4)
        self._n_design += n
        return self._design_rows(start, stop)

    def _design_rows(self, start: int, stop: int) -> np.ndarray:
        d = self.space.n_columns
        seed = self._design_seed
        if self.initial_design == "sobol":
            return sobol_points(d, seed, start, stop)
        # LHS and random designs come in blocks of n_initial_points rows, each
        # from its own stream, so that any range can be regenerated.
        size = self.n_initial_points
        blocks = []
        for b in range(start // size, (stop - 1) // size + 1):
            rng = np.random.default_rng([seed, b])
            if self.initial_design == "lhs":
                blocks.append(qmc_engine(qmc.LatinHypercube, d, rng).random(size))
            else:
                blocks.append(rng.random((size, d)))
        offset = (start // size) * size
        return np.vstack(blocks)[start - offset : stop - offset]

    def _training_data(self) -> tuple[np.ndarray, np.ndarray]:
        y = self.y.copy()
        failed = np.isnan(y)
        # A failed fit is an observation as bad as the worst one: it steers
        # the search away from its region without distorting the scale.
        y[failed] = np.min(y[~failed])
        return self._encoder.transform(self.X_unit), warp_scores(y)

    def _acquisition(self, k: int) -> Callable[..., tuple]:
        """The acquisition for the ``k``-th point this optimizer proposes."""
        if self.acq_func == "lcb" or (self.acq_func == "auto" and k % 2 == 1):
            kappa = self.kappa
            return lambda mu, sd, best: upper_confidence_bound(mu, sd, kappa)
        xi = self.xi
        if self.acq_func == "pi":
            return lambda mu, sd, best: log_probability_of_improvement(
                mu, sd, best, xi
            )
        return lambda mu, sd, best: log_expected_improvement(mu, sd, best, xi)

    def _model_based(self, n: int) -> np.ndarray:
        enc = self._encoder
        Z, y = self._training_data()
        model = GaussianProcess(enc.groups, enc.n_groups)
        previous = self.model_
        subset = None
        if self.max_model_points is not None:
            subset = model_subset(
                Z, y, self.max_model_points,
                None if previous is None else previous.inv_ls_,
            )
        if subset is None:
            Z_model, y_model = Z, y
            optimize = True
            restarts = (
                2
                if len(y) < _RESTART_BELOW or self._n_fits % _RESTART_EVERY == 0
                else 0
            )
        else:
            Z_model, y_model = Z[subset], y[subset]
            optimize = previous is None or self._n_fits % _REFIT_EVERY == 0
            restarts = (
                2
                if previous is None
                or self._n_fits % (_REFIT_EVERY * _RESTART_EVERY) == 0
                else 0
            )
        theta0 = None if previous is None else previous.theta_
        model.fit(
            Z_model, y_model, self._rng, theta0=theta0, n_restarts=restarts,
            optimize=optimize,
        )
        self._n_fits += 1
        self.model_ = model
        self.model_subset_ = subset
        # The incumbent is the best observed score (standardised). Under
        # noise it is optimistic, which makes expected improvement explore
        # more than the posterior-mean ("plug-in") incumbent does.
        best = float((np.max(y) - model.y_mean_) / model.y_scale_)
        lie = float(np.min(y))

        pool = self._candidates()
        keys = self.space.row_keys(pool)
        excluded = self._excluded
        keep = [i for i, k in enumerate(keys) if k not in excluded]
        pool = pool[keep]
        keys = [keys[i] for i in keep]
        taken: set[bytes] = set()

        # Condition on candidates still pending from earlier asks. Z_seen:
        # every observed or pending row, which proposals must not be next to
        # (the model may see only a subset of them).
        pending = [self._proposed[k] for k in self._pending if k in self._proposed]
        Z_train, y_train, Z_seen = Z_model, y_model, Z
        if pending:
            Z_train, y_train, Z_seen = self._add_lies(
                model, Z_train, y_train, Z_seen, np.vstack(pending), lie
            )
        chosen: list[np.ndarray] = []
        values = np.empty(0)
        for i in range(n):
            if i > 0:
                Z_train, y_train, Z_seen = self._add_lies(
                    model, Z_train, y_train, Z_seen, chosen[-1][None, :], lie
                )
            if len(pool) == 0:
                break
            acq = self._acquisition(self._n_model_points)
            mu, sd = model.predict(enc.transform(pool))
            values = acq(mu, sd, best)[0]
            values[[k in taken for k in keys]] = -np.inf
            pool, keys, values = self._climb(model, acq, best, pool, keys, values)
            pool, keys, values = self._polish(model, acq, best, pool, keys, values)
            values[[k in taken for k in keys]] = -np.inf
            values[self._too_close(pool, Z_seen)] = -np.inf
            j = int(np.argmax(values))
            if not np.isfinite(values[j]):
                break
            chosen.append(pool[j])
            self._n_model_points += 1
            taken.add(keys[j])
            values[j] = -np.inf
        # Ranked alternatives, for when the base class rejects a proposal.
        order = np.argsort(-values, kind="stable")[: max(n, _N_ALTERNATIVES)]
        rest = [pool[j] for j in order if np.isfinite(values[j])]
        rows = chosen + rest
        if not rows:
            return np.empty((0, self.space.n_columns))
        return np.vstack(rows)

    def _too_close(self, pool: np.ndarray, Z_seen: np.ndarray) -> np.ndarray:
        """Candidates within ``_MIN_DISTANCE`` (max-norm, encoded unit cube)
        of an observed or pending point: re-scoring a point next to one
        already scored tells little about CV scores, which are noisy."""
        if _MIN_DISTANCE <= 0 or len(Z_seen) == 0:
            return np.zeros(len(pool), dtype=bool)
        distance, _ = cKDTree(Z_seen).query(
            self._encoder.transform(pool), p=np.inf,
            distance_upper_bound=_MIN_DISTANCE,
        )
        return distance < _MIN_DISTANCE

    def _add_lies(
        self,
        model: GaussianProcess,
        Z: np.ndarray,
        y: np.ndarray,
        Z_seen: np.ndarray,
        U: np.ndarray,
        lie: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        Zp = self._encoder.transform(U)
        if self.batch_strategy == "kriging_believer":
            mu, _ = model.predict(Zp)
            fake = mu * model.y_scale_ + model.y_mean_
        else:
            fake = np.full(len(Zp), lie)
        Z, y = np.vstack([Z, Zp]), np.concatenate([y, fake])
        model.condition(Z, y)
        return Z, y, np.vstack([Z_seen, Zp])

    def _candidates(self) -> np.ndarray:
        """Canonical candidate rows: random, and around the best observations."""
        space = self.space
        if space.size <= self.n_samples:
            return self._enumerate()
        rng = self._rng
        random_rows = space.sample_unit(self.n_samples, rng)
        finite = np.flatnonzero(np.isfinite(self.y))
        elite = finite[np.argsort(-self.y[finite], kind="stable")[:_N_ELITE]]
        n_local = self.n_samples // 2
        base = self.X_unit[elite[rng.integers(len(elite), size=n_local)]]
        # Inactive columns get random values, used if the selector changes.
        fill = rng.random(base.shape)
        base = np.where(np.isnan(base), fill, base)
        scale = _LOCAL_SCALES[rng.integers(len(_LOCAL_SCALES), size=n_local)]
        local = base + scale[:, None] * rng.standard_normal(base.shape)
        # Resample each discrete column with probability 1 / n_columns.
        discrete = np.array([c.kind != "real" for c in space.columns])
        flip = (rng.random(base.shape) < 1.0 / space.n_columns) & discrete
        local = np.where(flip, fill, local)
        local = space.snap(np.clip(local, 0.0, 1.0))
        return np.vstack([random_rows, local])

    def _climb(
        self,
        model: GaussianProcess,
        acq: Callable[..., tuple],
        best: float,
        pool: np.ndarray,
        keys: list[bytes],
        values: np.ndarray,
    ) -> tuple[np.ndarray, list[bytes], np.ndarray]:
        """Hill-climb the acquisition over the discrete parameters from the
        best candidates (one parameter changed per step)."""
        if self.n_restarts == 0 or not self._neighbours.columns:
            return pool, keys, values
        ok = np.flatnonzero(np.isfinite(values))
        if len(ok) == 0:
            return pool, keys, values
        starts = ok[np.argsort(-values[ok], kind="stable")[: self.n_restarts]]
        enc = self._encoder

        def score(U: np.ndarray) -> np.ndarray:
            mu, sd = model.predict(enc.transform(U))
            return acq(mu, sd, best)[0]

        rows, found = local_search(
            self._neighbours, score, pool[starts], values[starts], self._rng
        )
        if len(rows) == 0:
            return pool, keys, values
        new_keys = self.space.row_keys(rows)
        present = set(keys) | self._excluded
        fresh = []
        for i, k in enumerate(new_keys):
            if k not in present:
                present.add(k)
                fresh.append(i)
        if not fresh:
            return pool, keys, values
        return (
            np.vstack([pool, rows[fresh]]),
            keys + [new_keys[i] for i in fresh],
            np.concatenate([values, found[fresh]]),
        )

    def _polish(
        self,
        model: GaussianProcess,
        acq: Callable[..., tuple],
        best: float,
        pool: np.ndarray,
        keys: list[bytes],
        values: np.ndarray,
    ) -> tuple[np.ndarray, list[bytes], np.ndarray]:
        """L-BFGS-B on the real columns of the best candidates (jointly)."""
        enc = self._encoder
        cols, feats = enc.real_columns, enc.real_features
        if self.n_restarts == 0 or len(cols) == 0:
            return pool, keys, values
        active = ~np.isnan(pool[:, cols])
        ok = np.flatnonzero(active.any(axis=1) & np.isfinite(values))
        if len(ok) == 0:
            return pool, keys, values
        starts = ok[np.argsort(-values[ok], kind="stable")[: self.n_restarts]]
        U0 = pool[starts]
        mask = active[starts]
        Z0 = enc.transform(U0)
        x0 = np.where(mask, U0[:, cols], 0.5)

        def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
            X = x.reshape(x0.shape)
            Zx = Z0.copy()
            Zx[:, feats] = np.where(mask, X, Zx[:, feats])
            mu, sd, dmu, dsd = model.predict_with_grad(Zx, feats)
            val, d_mu, d_sd = acq(mu, sd, best)
            grad = (d_mu[:, None] * dmu + d_sd[:, None] * dsd) * mask
            return -float(np.sum(val)), -grad.ravel()

        try:
            res = minimize(
                objective,
                x0.ravel(),
                jac=True,
                method="L-BFGS-B",
                bounds=_polish_bounds(x0.ravel()),
                options={"maxiter": 50},
            )
            x = res.x
        except (ValueError, np.linalg.LinAlgError):
            return pool, keys, values
        U = U0.copy()
        U[:, cols] = np.where(mask, x.reshape(x0.shape), U0[:, cols])
        U = self.space.snap(U)
        new_keys = self.space.row_keys(U)
        present = set(keys) | self._excluded
        fresh = [i for i, k in enumerate(new_keys) if k not in present]
        if not fresh:
            return pool, keys, values
        U = U[fresh]
        mu, sd = model.predict(enc.transform(U))
        new_values = acq(mu, sd, best)[0]
        return (
            np.vstack([pool, U]),
            keys + [new_keys[i] for i in fresh],
            np.concatenate([values, new_values]),
        )
