"""Optimizer-level studies behind this session's default changes (ask/tell only).

Best score found, mean over seeds (and the worst seed), of one optimizer
configuration on a test function, optionally with Gaussian noise on every
score (the mean of 3 draws, like a 3-fold CV score)::

    python benchmarks/study_defaults.py gp '{"acq_func": "auto"}' hartmann6 50 24 0.3
    python benchmarks/study_defaults.py gp '{"acq_func": "ei"}' hartmann6 50 24 0.3
    python benchmarks/study_defaults.py hybrid '{"budget": 100}' hartmann6 100 30
    python benchmarks/study_defaults.py random '{}' hartmann6 100 30
    python benchmarks/study_defaults.py spsa '{"budget": 50}' branin 50 20

Arguments: optimizer (gp, hybrid, spsa, random, skopt), its keyword
arguments as JSON, function (hartmann6, branin, sparse6), evaluations,
number of seeds, noise sd, first seed (default 0).
"""

from __future__ import annotations

import json
import sys

import numpy as np

from sklearn_hpo.optimizers import (
    GPOptimizer,
    HybridOptimizer,
    RandomOptimizer,
    SPSAOptimizer,
)
from sklearn_hpo.space import Real
from sklearn_hpo.utils._testing import branin, hartmann6

OPTIMIZERS = {"gp": GPOptimizer, "hybrid": HybridOptimizer, "spsa": SPSAOptimizer,
              "random": RandomOptimizer}
UNIT6 = {f"x{i}": Real(0.0, 1.0) for i in range(1, 7)}
FUNCTIONS = {
    "hartmann6": (UNIT6, lambda p: hartmann6([p[f"x{j}"] for j in range(1, 7)])),
    "branin": ({"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)},
               lambda p: -branin(p["x1"], p["x2"])),
    "sparse6": (UNIT6, lambda p: -branin(-5 + 15 * p["x2"], 15 * p["x5"])),
}


class _SkoptOptimizer:
    """scikit-optimize's ``Optimizer`` with BayesSearchCV's defaults, behind
    our ask/tell interface (reference runs only; needs the ``bench`` extra)."""

    def __init__(self, space: dict, random_state: int, **kwargs: object) -> None:
        from skopt import Optimizer
        from skopt.space import Real as SkReal

        self.names = list(space)
        dims = [SkReal(space[k].low, space[k].high, name=k) for k in self.names]
        self.opt = Optimizer(dims, random_state=random_state, **kwargs)

    def ask(self) -> list[dict]:
        return [dict(zip(self.names, self.opt.ask()))]

    def tell(self, cands: list[dict], scores: list[float]) -> None:
        self.opt.tell([cands[0][k] for k in self.names], -scores[0])


OPTIMIZERS["skopt"] = _SkoptOptimizer


def study(name: str, kwargs: dict, function: str, n: int, seeds: int,
          noise: float = 0.0, first_seed: int = 0) -> list[float]:
    """Noise-free value of the best-scored candidate, per seed."""
    space, f = FUNCTIONS[function]
    out = []
    for seed in range(first_seed, first_seed + seeds):
        rng = np.random.default_rng(100 + seed)
        opt = OPTIMIZERS[name](space, random_state=seed, **kwargs)
        best, best_f = -np.inf, np.nan
        for _ in range(n):
            (cand,) = opt.ask()
            value = f(cand)
            score = value + noise * rng.standard_normal(3).mean()
            opt.tell([cand], [score])
            if score > best:
                best, best_f = score, value
        out.append(best_f)
    return out


def main() -> None:
    name, kwargs, function, n, seeds = sys.argv[1:6]
    noise = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    first = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    res = study(name, json.loads(kwargs), function, int(n), int(seeds), noise, first)
    print(f"{name} {kwargs} {function} n={n} seeds={first}..{first + int(seeds) - 1} "
          f"noise={noise}: mean {np.mean(res):.3f}, worst {np.min(res):.3f}")


if __name__ == "__main__":
    main()
