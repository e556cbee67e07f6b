"""Particle swarm optimisation in the unit cube of a search space."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from sklearn_hpo.optimizers._base import BaseOptimizer
from sklearn_hpo.optimizers._docstring import optimizer_docstring
from sklearn_hpo.optimizers._evolutionary import default_population_size
from sklearn_hpo.utils._validation import check_int, check_optional_int, check_real

__all__ = ["ParticleSwarmOptimizer", "default_n_particles"]

# Attempts at moving a particle to a new point by small random kicks.
_TRIES = 8


# A swarm of ``sqrt(2 * budget)`` particles, between 4 and 20: sized as a
# population of the genetic algorithm.
default_n_particles = default_population_size


@optimizer_docstring
class ParticleSwarmOptimizer(BaseOptimizer):
    """Particle swarm optimisation (global-best topology, constriction).

    Each particle has a position ``x`` and a velocity ``v`` in the unit cube
    and remembers its personal best ``p``; the swarm knows its global best
    ``g`` (the best candidate ever, including points it did not propose).
    One swarm step (one batch for parallel workers) moves every particle::

        v = w * v + c1 * r1 * (p - x) + c2 * r2 * (g - x)
        x = x + v

    with ``r1, r2`` uniform in ``[0, 1]`` per column, ``v`` clamped to
    ``[-max_velocity, max_velocity]`` and ``x`` reflected at the bounds (the
    velocity reversed).

    Parameters
    ----------
    search_space : dict, list of dict or SearchSpace
        What to search; see :func:`sklearn_hpo.space.as_search_space`.
    budget : int, default=50
        Evaluations planned (a search's ``n_iter``); it sets the default
        swarm size.
    n_particles : int or None, default=None
        Swarm size; None uses :func:`default_n_particles`
        (``sqrt(2 * budget)`` in ``[4, 20]``).
    inertia : float, default=0.7298
        Inertia weight ``w``.
    cognitive : float, default=1.49618
        Acceleration ``c1`` towards the particle's own best.
    social : float, default=1.49618
        Acceleration ``c2`` towards the swarm's best.
    max_velocity : float, default=0.5
        Velocity clamp per column, in unit-cube lengths.
    random_state : int, RandomState, Generator or None, default=None
        Seed for reproducible proposals.

    Attributes
    ----------
    n_particles : int
        Swarm size.
    iteration : int
        The current swarm step (0 = initial positions; -1 before the first
        ask).
    positions, velocities : ndarray of shape (n_particles, n_columns)
        The particles' positions and velocities in the unit cube.
    best_positions : ndarray of shape (n_particles, n_columns)
        Each particle's best position.
    best_scores : ndarray of shape (n_particles,)
        Their scores (-inf before a successful evaluation).
    {observations}

    Notes
    -----
    Particle swarms are due to J. Kennedy and R. Eberhart, "Particle swarm
    optimization", Proc. ICNN (1995). The defaults ``w = 0.7298`` and
    ``c1 = c2 = 1.49618`` are the constriction coefficients of M. Clerc and
    J. Kennedy, "The particle swarm - explosion, stability, and convergence
    in a multidimensional complex space", IEEE TEC 6(1) (2002), also the
    setting of Standard PSO 2007/2011. Initial positions are a Latin
    hypercube; initial velocities are half the way to a random point, as in
    Standard PSO 2007.

    Every column is moved as a continuous value and snapped when the
    candidate is decoded: integers are rounded, and categorical parameters
    (and the sub-space of a conditional space) take the value whose cell of
    the unit interval the particle is in. Category order is arbitrary, so a
    particle moving through them is a random re-draw biased towards the
    categories of ``p`` and ``g``. A particle whose snapped position was
    already evaluated gets small random kicks until it is new (snapped
    positions often coincide on integer and categorical columns).

    A swarm step starts when every candidate of the previous one has been
    told. Asked for more before that (asynchronous workers), the optimizer
    proposes Gaussian perturbations of the global best. Failed candidates
    (NaN scores) never become a personal or global best.
    :meth:`candidate_info` gives the ``iteration`` of each candidate (-1 for
    points it did not propose).

    Examples
    --------
    >>> from sklearn_hpo.optimizers import ParticleSwarmOptimizer
    >>> from sklearn_hpo.space import Real
    >>> opt = ParticleSwarmOptimizer({"x": Real(-5.0, 5.0)}, n_particles=6,
    ...                              random_state=0)
    >>> for _ in range(6):
    ...     cands = opt.ask(6)
    ...     opt.tell(cands, [-(c["x"] - 1.0) ** 2 for c in cands])
    >>> bool(opt.y.max() > -0.05), opt.iteration
    (True, 5)
    """

    def __init__(
        self,
        search_space: Any,
        *,
        budget: int = 50,
        n_particles: int | None = None,
        inertia: float = 0.7298,
        cognitive: float = 1.49618,
        social: float = 1.49618,
        max_velocity: float = 0.5,
        random_state: Any = None,
    ) -> None:
        self.budget = check_int("budget", budget, 1)
        self.n_particles = check_optional_int(
            "n_particles", n_particles, 1, default_n_particles(self.budget)
        )
        self.inertia = check_real("inertia", inertia, low=0, high=1)
        self.cognitive = check_real("cognitive", cognitive, low=0)
        self.social = check_real("social", social, low=0)
        self.max_velocity = check_real("max_velocity", max_velocity, low=0,
                                       high=1, low_inclusive=False)
        super().__init__(search_space, random_state=random_state)
        S, d = self.n_particles, self.space.n_columns
        self.iteration = -1
        self.positions = np.empty((S, d))
        self.velocities = np.zeros((S, d))
        self.best_positions = np.empty((S, d))
        self.best_scores = np.full(S, -np.inf)
        self._queue: list[tuple[np.ndarray, int]] = []
        # (iteration, particle) and full position of every asked row, by key.
        self._labels: dict[bytes, tuple[int, int]] = {}
        self._where: dict[bytes, np.ndarray] = {}
        self._n_processed = 0

    def candidate_info(
        self, candidates: Sequence[Mapping[str, Any]]
    ) -> dict[str, list]:
        """The ``iteration`` of each candidate (-1 if not proposed here)."""
        labels = self._labels_of(candidates, self._labels, (-1, -1))
        return {"iteration": [int(it) for it, _ in labels]}

    # -------------------------------------------------------------- propose
    def _propose(self, n_candidates: int) -> np.ndarray:
        pending = any(
            self._labels.get(k, (-2, 0))[0] == self.iteration for k in self._pending
        )
        if not self._queue and not pending:
            self._step()
        rows: list[np.ndarray] = []
        excluded = set(self._excluded)
        while self._queue and len(rows) < n_candidates:
            row, particle = self._queue.pop(0)
            key = self._new_key(row, particle, excluded)
            if key is not None:
                rows.append(self.space.snap(self._where[key])[0])
        while len(rows) < n_candidates:  # asked ahead of the results
            row = self._global_best() + self._rng.normal(0, 0.1, self.space.n_columns)
            key = self._new_key(row, -1, excluded)
            if key is None:
                break
            rows.append(self.space.snap(self._where[key])[0])
        if not rows:
            return np.empty((0, self.space.n_columns))
        return np.vstack(rows)

    def _new_key(self, x: np.ndarray, particle: int, excluded: set) -> bytes | None:
        """Kick ``x`` until its snapped row is new; record and return its key."""
        for t in range(_TRIES):
            x = np.clip(x, 0.0, 1.0)
            key = self.space.row_keys(self.space.snap(x))[0]
            if key not in excluded:
                excluded.add(key)
                self._labels[key] = (self.iteration, particle)
                self._where[key] = x
                if particle >= 0:
                    self.positions[particle] = x
                return key
            x = x + self._rng.normal(0.0, 0.02 * 2**t, len(x))
        return None

    def _global_best(self) -> np.ndarray:
        y = np.nan_to_num(self.y, nan=-np.inf)
        if len(y) == 0 or not np.isfinite(y).any():
            return self._rng.random(self.space.n_columns)
        i = int(np.argmax(y))
        key = self.space.row_keys(self.X_unit[i : i + 1])[0]
        if key in self._where:
            return self._where[key].copy()
        # A point told without being asked: inactive columns stay where the
        # swarm's best particle is.
        g = self.X_unit[i].copy()
        ref = self.best_positions[int(np.argmax(self.best_scores))]
        fill = np.isnan(g)
        g[fill] = ref[fill] if np.isfinite(self.best_scores).any() else 0.5
        return g

    def _step(self) -> None:
        """Update the personal bests, then move every particle."""
        keys = self.space.row_keys(self.X_unit[self._n_processed :])
        for key, f in zip(keys, self.y[self._n_processed :]):
            _, p = self._labels.get(key, (-1, -1))
            if p >= 0 and np.isfinite(f) and f > self.best_scores[p]:
                self.best_scores[p] = f
                self.best_positions[p] = self._where[key]
        self._n_processed = self.n_observations
        S, d = self.positions.shape
        self.iteration += 1
        if self.iteration == 0:
            # A Latin hypercube over every column, inactive ones included.
            strata = np.argsort(self._rng.random((S, d)), axis=0)
            self.positions = (strata + self._rng.random((S, d))) / S
            self.velocities = 0.5 * (self._rng.random((S, d)) - self.positions)
            self.best_positions = self.positions.copy()
        else:
            x, g = self.positions, self._global_best()
            p = np.where(np.isfinite(self.best_scores)[:, None], self.best_positions, x)
            r1, r2 = self._rng.random((S, d)), self._rng.random((S, d))
            v = self.inertia * self.velocities + self.cognitive * r1 * (p - x)
            v = v + self.social * r2 * (g - x)
            v = np.clip(v, -self.max_velocity, self.max_velocity)
            x = x + v
            # Reflect at the bounds, reversing the velocity.
            out = (x < 0) | (x > 1)
            x = np.where(x < 0, -x, np.where(x > 1, 2 - x, x))
            self.positions, self.velocities = np.clip(x, 0, 1), np.where(out, -v, v)
        self._queue = [(self.positions[i].copy(), i) for i in range(S)]
