"""TPEOptimizer against Optuna's TPESampler on cheap test functions.

A development benchmark, separate from the suite: the functions here are NOT
the suite's doubles (Branin, Hartmann-6, ...), so changes tuned on them can be
checked on the suite afterwards. Each run is an ask/tell loop of one
candidate at a time; the score at budget ``n`` is the best value among the
first ``n`` evaluations, normalised per function and budget as the suite
does: ``100 * (best - random) / (optimum - random)``, where ``random`` is the
mean best of uniform random search at that budget. Margins are paired by seed
and averaged over the functions, with their standard error.

Usage (from the repository root, with Optuna installed)::

    OMP_NUM_THREADS=1 python -m benchmarks.dev_tpe --seeds 20
    python -m benchmarks.dev_tpe --functions levy4,ackley5 --variants tpe,uni

A variant is a name of :data:`VARIANTS`: keyword arguments of
:class:`~sklearn_hpo.optimizers.TPEOptimizer`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from sklearn_hpo.optimizers import TPEOptimizer
from sklearn_hpo.space import Categorical, Integer, Real

BUDGETS = (20, 50, 100)


@dataclass(frozen=True)
class Function:
    """A test function to maximise over a box, with mixed dimensions."""

    name: str
    space: dict  # name -> Real / Integer / Categorical
    f: Callable[[dict], float]
    optimum: float


def _box(d: int, low: float, high: float, n_int: int = 0) -> dict:
    dims: dict = {}
    for i in range(d):
        if i < d - n_int:
            dims[f"x{i}"] = Real(low, high)
        else:
            dims[f"x{i}"] = Integer(int(low), int(high))
    return dims


def _vec(p: dict, d: int) -> np.ndarray:
    return np.array([float(p[f"x{i}"]) for i in range(d)])


def rosenbrock(x: np.ndarray) -> float:
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def levy(x: np.ndarray) -> float:
    w = 1.0 + (x - 1.0) / 4.0
    head = math.sin(math.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


def ackley(x: np.ndarray) -> float:
    d = len(x)
    a = -20.0 * math.exp(-0.2 * math.sqrt(np.sum(x**2) / d))
    return float(a - math.exp(np.sum(np.cos(2 * math.pi * x)) / d) + 20.0 + math.e)


def styblinski(x: np.ndarray) -> float:
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def camel(x: np.ndarray) -> float:
    a, b = x
    return float((4 - 2.1 * a**2 + a**4 / 3) * a**2 + a * b + (-4 + 4 * b**2) * b**2)


_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470],
                         [1091, 8732, 5547], [381, 5743, 8828]])
_H3_C = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann3(x: np.ndarray) -> float:
    return float(-np.sum(_H3_C * np.exp(-np.sum(_H3_A * (x - _H3_P) ** 2, axis=1))))


def _neg(fn: Callable[[np.ndarray], float], d: int) -> Callable[[dict], float]:
    return lambda p: -fn(_vec(p, d))


def _mixed_levy(p: dict) -> float:
    # Three reals, one integer and a categorical that shifts the optimum.
    shift = {"a": 0.0, "b": 2.0, "c": -3.0}[p["kind"]]
    x = np.array([p["x0"], p["x1"], p["x2"], p["n"] / 2.0]) - shift
    return -levy(x) - {"a": 0.0, "b": 0.5, "c": 1.0}[p["kind"]]


def _mixed_log(p: dict) -> float:
    # Log-scaled dimensions with the optimum near one end (as C, alpha, lr).
    u = math.log10(p["c"]) - 1.3
    v = math.log10(p["lr"]) + 2.6
    return -(u**2 + 3 * v**2 + 0.3 * (u * v) + 0.05 * (p["depth"] - 7) ** 2)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in [
        Function("rosenbrock2", _box(2, -5, 10), _neg(rosenbrock, 2), 0.0),
        Function("rosenbrock4", _box(4, -5, 10), _neg(rosenbrock, 4), 0.0),
        Function("levy2", _box(2, -10, 10), _neg(levy, 2), 0.0),
        Function("levy4", _box(4, -10, 10), _neg(levy, 4), 0.0),
        Function("levy6", _box(6, -10, 10), _neg(levy, 6), 0.0),
        Function("ackley2", _box(2, -32.768, 32.768), _neg(ackley, 2), 0.0),
        Function("ackley5", _box(5, -32.768, 32.768), _neg(ackley, 5), 0.0),
        Function("styblinski2", _box(2, -5, 5), _neg(styblinski, 2), 78.33198),
        Function("styblinski4", _box(4, -5, 5), _neg(styblinski, 4), 156.66396),
        Function("camel", {"x0": Real(-3, 3), "x1": Real(-2, 2)}, _neg(camel, 2),
                 1.0316285),
        Function("hartmann3", _box(3, 0, 1), _neg(hartmann3, 3), 3.86278),
        Function("levy3int", _box(3, -10, 10, n_int=1), _neg(levy, 3), 0.0),
        Function("mixed_levy", {"x0": Real(-10, 10), "x1": Real(-10, 10),
                                "x2": Real(-10, 10), "n": Integer(-20, 20),
                                "kind": Categorical(["a", "b", "c"])},
                 _mixed_levy, 0.0),
        Function("mixed_log", {"c": Real(1e-3, 1e3, log=True),
                               "lr": Real(1e-5, 1e0, log=True),
                               "depth": Integer(1, 30)}, _mixed_log, 0.0),
    ]
}

VARIANTS: dict[str, dict] = {
    "tpe": {},
    "uni": {"multivariate": False},
}


def run_ours(fn: Function, seed: int, budget: int, **kwargs: Any) -> list[float]:
    opt = TPEOptimizer(fn.space, random_state=seed, **kwargs)
    values = []
    for _ in range(budget):
        cand = opt.ask(1)
        v = fn.f(cand[0])
        opt.tell(cand, [v])
        values.append(v)
    return values


def run_optuna(fn: Function, seed: int, budget: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))

    def objective(trial: Any) -> float:
        p = {}
        for name, dim in fn.space.items():
            if isinstance(dim, Categorical):
                p[name] = trial.suggest_categorical(name, list(dim.choices))
            elif isinstance(dim, Integer):
                p[name] = trial.suggest_int(name, int(dim.low), int(dim.high),
                                            log=dim.log)
            else:
                p[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
        return fn.f(p)

    study.optimize(objective, n_trials=budget)
    return [t.value for t in study.trials]


def random_baseline(fn: Function, budget: int, n_runs: int = 300) -> dict:
    """Mean best of uniform random search at each budget."""
    best = {n: [] for n in BUDGETS if n <= budget}
    for seed in range(n_runs):
        rng = np.random.default_rng(10_000 + seed)
        vals = [fn.f({k: d.rvs(random_state=rng) for k, d in fn.space.items()})
                for _ in range(budget)]
        for n in best:
            best[n].append(max(vals[:n]))
    return {n: statistics.fmean(v) for n, v in best.items()}


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and print the paired margins against Optuna."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", default=",".join(FUNCTIONS))
    ap.add_argument("--variants", default="tpe")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budget", type=int, default=max(BUDGETS))
    ap.add_argument("--no-optuna", action="store_true",
                    help="compare the variants with the first one instead")
    args = ap.parse_args(argv)
    names = args.functions.split(",")
    variants = args.variants.split(",")
    ref = variants[0] if args.no_optuna else "optuna"
    budgets = [n for n in BUDGETS if n <= args.budget]
    # scores[method][fn][n] = [normalised score per seed]
    scores: dict = {m: {f: {n: [] for n in budgets} for f in names}
                    for m in [*variants, ref]}
    times: dict = {m: 0.0 for m in scores}
    for name in names:
        fn = FUNCTIONS[name]
        base = random_baseline(fn, args.budget)
        for seed in range(args.seeds):
            for m in scores:
                t0 = time.perf_counter()
                if m == "optuna":
                    vals = run_optuna(fn, seed, args.budget)
                else:
                    vals = run_ours(fn, seed, args.budget, **VARIANTS[m])
                times[m] += time.perf_counter() - t0
                for n in budgets:
                    best = max(vals[:n])
                    scores[m][name][n].append(
                        100 * (best - base[n]) / (fn.optimum - base[n]))
        line = "  ".join(
            f"{m}:" + "/".join(f"{statistics.fmean(scores[m][name][n]):5.1f}"
                               for n in budgets) for m in scores)
        print(f"{name:12s} {line}", flush=True)
    print(f"seconds: {', '.join(f'{m} {t:.1f}' for m, t in times.items())}")
    for m in variants:
        if m == ref:
            continue
        cells = []
        for n in budgets:
            means, var = [], 0.0
            for name in names:
                diff = np.subtract(scores[m][name][n], scores[ref][name][n])
                means.append(diff.mean())
                var += diff.var(ddof=1) / len(diff) if len(diff) > 1 else 0.0
            cells.append(f"n={n}: {statistics.fmean(means):+6.1f} "
                         f"± {math.sqrt(var) / len(names):4.1f}")
        print(f"{m} - {ref}: " + "  ".join(cells))


if __name__ == "__main__":
    main()
