"""GPOptimizer variants on cheap mixed-space functions, at small budgets.

A development benchmark, separate from the suite: four functions of mostly
categorical and integer parameters (none is a suite task), shaped after
common scikit-learn spaces: a scaler choice with PCA and k-NN sizes, a tree
ensemble's integer sizes and criterion, a model choice whose other
parameters matter for one model only (deceptive: the best model has the
worst average), and an MLP's activation, solver, width and batch size. Each
run is an ask/tell loop of one candidate at a time on the function plus
Gaussian noise; the score at budget ``n`` is the noise-free value of the best
of the first ``n`` candidates, normalised per function and budget:
``100 * (best - random) / (top - random)``, where ``random`` is the mean of
uniform random search and ``top`` the best any variant reached.

Usage (from the repository root)::

    OMP_NUM_THREADS=1 python -m benchmarks.dev_gp_mixed --seeds 12
    python -m benchmarks.dev_gp_mixed --variants gp,gp_ei --seeds 4
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any, Callable

import numpy as np

from sklearn_hpo.optimizers import GPOptimizer, RandomOptimizer, TPEOptimizer
from sklearn_hpo.space import Categorical, Integer, Real

BUDGETS = (20, 30, 50)


def _pca_knn(c: dict) -> float:
    scale = {"a": -1.0, "b": 0.2, "c": 0.1, "d": 0.0}[c["scale"]]
    return (
        -(((c["nc"] - 8) / 6) ** 2)
        - (np.log(c["nn"]) - np.log(15)) ** 2 / 4
        + scale
        + 0.05 * (c["w"] == "d")
    )


def _trees(c: dict) -> float:
    return (
        -abs(np.log(c["mf"]) - 2.5) / 2
        - abs(min(c["md"], 25) - 25) / 25
        - np.log(c["msl"]) * 0.15
        - np.log(c["mss"]) * 0.05
        + {"g": 0.0, "e": 0.1, "l": 0.1}[c["crit"]]
        + 0.1 * (not c["bs"])
    )


def _models(c: dict) -> float:
    if c["m"] == "lr":
        return 0.80 - 0.02 * (np.log10(c["C"]) - 0.5) ** 2
    if c["m"] == "et":
        return 0.86 - 0.05 * (np.log(50) - np.log(c["ne"])) - 0.004 * abs(c["md"] - 18)
    return 0.83 - 0.03 * (np.log(c["k"]) - np.log(9)) ** 2 - 0.01 * (c["p"] - 1)


def _mlp(c: dict) -> float:
    base = {"lb": 0.0, "sgd": -1.0, "adam": -0.4}[c["sol"]]
    base += {"i": -0.8, "l": -0.3, "t": 0.0, "r": -0.1}[c["act"]]
    batch = 0.0 if c["sol"] == "lb" else 0.02 * np.log(c["bs"] / 16)
    return (
        base
        - 0.1 * (np.log(c["h"]) - np.log(40)) ** 2
        - 0.05 * (np.log10(c["a"]) + 0.5) ** 2
        + {"s": 0.0, "m": -0.05, "q": -0.1}[c["sc"]]
        - batch
    )


#: name -> (space, function, noise standard deviation)
FUNCTIONS: dict[str, tuple[dict, Callable[[dict], float], float]] = {
    "pca_knn": (
        {
            "scale": Categorical(["a", "b", "c", "d"]),
            "nc": Integer(1, 13),
            "nn": Integer(1, 60),
            "w": Categorical(["u", "d"]),
        },
        _pca_knn,
        0.02,
    ),
    "trees": (
        {
            "crit": Categorical(["g", "e", "l"]),
            "mf": Integer(1, 64, log=True),
            "md": Integer(1, 40),
            "mss": Integer(2, 60, log=True),
            "msl": Integer(1, 40, log=True),
            "bs": Categorical([True, False]),
        },
        _trees,
        0.02,
    ),
    "models": (
        {
            "m": Categorical(["lr", "et", "knn"]),
            "C": Real(1e-3, 1e3, log=True),
            "ne": Integer(5, 50, log=True),
            "md": Integer(1, 30),
            "k": Integer(1, 100, log=True),
            "p": Integer(1, 3),
        },
        _models,
        0.005,
    ),
    "mlp": (
        {
            "act": Categorical(["i", "l", "t", "r"]),
            "sol": Categorical(["lb", "sgd", "adam"]),
            "h": Integer(2, 64, log=True),
            "bs": Integer(16, 128, log=True),
            "a": Real(1e-5, 1, log=True),
            "sc": Categorical(["s", "m", "q"]),
        },
        _mlp,
        0.05,
    ),
}


class _LocalEarly(GPOptimizer):
    """The GP whose first model-based steps score only perturbations of the
    best observations (no uniform candidates): a crude trust region."""

    def _candidates(self) -> np.ndarray:
        rows = super()._candidates()
        early = len(self.y) < 2 * self.n_initial_points
        if early and self.space.size > self.n_samples:
            return rows[self.n_samples :]
        return rows


#: name -> factory(space, seed)
VARIANTS: dict[str, Callable[[dict, int], Any]] = {
    "random": lambda sp, s: RandomOptimizer(sp, random_state=s),
    "tpe": lambda sp, s: TPEOptimizer(sp, random_state=s),
    "gp": lambda sp, s: GPOptimizer(sp, random_state=s),
    "gp_init5": lambda sp, s: GPOptimizer(sp, random_state=s, n_initial_points=5),
    "gp_ei": lambda sp, s: GPOptimizer(sp, random_state=s, acq_func="ei"),
    "gp_local": lambda sp, s: _LocalEarly(sp, random_state=s),
}


def run(variant: str, function: str, seed: int) -> list[float]:
    """Best noise-free value after each budget of :data:`BUDGETS`."""
    space, f, noise = FUNCTIONS[function]
    rng = np.random.default_rng(1000 + seed)
    opt = VARIANTS[variant](space, seed)
    values = []
    for _ in range(max(BUDGETS)):
        (c,) = opt.ask()
        opt.tell([c], [f(c) + noise * rng.normal()])
        values.append(f(c))
    return [max(values[:n]) for n in BUDGETS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    variants = ["random"] + [v for v in args.variants.split(",") if v != "random"]
    best = {
        (v, f, s): run(v, f, s)
        for v in variants
        for f in FUNCTIONS
        for s in range(args.seeds)
    }
    for k, n in enumerate(BUDGETS):
        cells = []
        seeds = range(args.seeds)
        for v in variants:
            per = []
            for f in FUNCTIONS:
                base = statistics.mean(best["random", f, s][k] for s in seeds)
                top = max(best[w, f, s][k] for w in variants for s in seeds)
                per.append(
                    statistics.mean(
                        100 * (best[v, f, s][k] - base) / (top - base) for s in seeds
                    )
                )
            se = statistics.stdev(per) / len(per) ** 0.5
            cells.append(f"{v} {statistics.mean(per):.1f} ± {se:.1f}")
        print(f"n={n}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
