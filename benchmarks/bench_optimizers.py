"""Compare sklearn_hpo's optimizers with scikit-optimize and Optuna.

Two measurements (see benchmarks/README.md for the method):

1. Overhead: milliseconds per proposal, one ``ask(1)`` plus one ``tell`` of a
   single point, after 50, 100 and 200 observations on a 6-D mixed space.
2. Quality: best score found on Branin (30 and 60 evaluations) and Hartmann-6
   (60 evaluations), mean and standard error over seeds 0, 1, ...

Results go to a JSON file; the Markdown report printed at the end is rendered
from that JSON by ``benchmarks/report.py`` (the same code regenerates it later)::

    python benchmarks/bench_optimizers.py [--quick] [--seeds N] [--out FILE]
    python benchmarks/bench_optimizers.py --report [--out FILE]

Peers (scikit-optimize, Optuna) that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import math
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from sklearn_hpo._registry import strategy
from sklearn_hpo.optimizers._named import optimizer_class
from sklearn_hpo.space import Categorical, Integer, Real
from sklearn_hpo.utils._testing import BRANIN_MAX, HARTMANN6_MAX, branin, hartmann6

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import render_markdown  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "optimizers.json"

# The strategies of the registry whose optimizers are compared.
OURS = ("random", "gp", "tpe")
LABELS = {
    **{key: f"sklearn_hpo {strategy(key).optimizer}" for key in OURS},
    "skopt": "scikit-optimize Optimizer (GP, gp_hedge)",
    "optuna": "Optuna TPESampler",
}


# --------------------------------------------------------------------- spaces
@dataclass(frozen=True)
class Param:
    """One dimension, translated to each library's own type."""

    name: str
    kind: str  # "real", "int" or "cat"
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    choices: tuple = ()

    def from_unit(self, u: float) -> Any:
        """Value at ``u`` in [0, 1] (uniform on the log scale if ``log``)."""
        if self.kind == "cat":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.log:
            value = math.exp(math.log(self.low) + u * math.log(self.high / self.low))
        else:
            value = self.low + u * (self.high - self.low)
        if self.kind == "int":
            return int(min(max(round(value), self.low), self.high))
        return float(min(max(value, self.low), self.high))

    def to_unit(self, value: Any) -> float:
        if self.kind == "cat":
            return (self.choices.index(value) + 0.5) / len(self.choices)
        if self.log:
            return math.log(value / self.low) / math.log(self.high / self.low)
        return (value - self.low) / (self.high - self.low)

    def ours(self) -> Any:
        if self.kind == "cat":
            return Categorical(list(self.choices))
        cls = Real if self.kind == "real" else Integer
        return cls(self.low, self.high, log=self.log)

    def skopt(self) -> Any:
        from skopt import space

        if self.kind == "cat":
            return space.Categorical(list(self.choices), name=self.name)
        cls = space.Real if self.kind == "real" else space.Integer
        prior = "log-uniform" if self.log else "uniform"
        return cls(self.low, self.high, prior=prior, name=self.name)

    def optuna(self) -> Any:
        from optuna import distributions as d

        if self.kind == "cat":
            return d.CategoricalDistribution(list(self.choices))
        if self.kind == "real":
            return d.FloatDistribution(self.low, self.high, log=self.log)
        return d.IntDistribution(int(self.low), int(self.high), log=self.log)


MIXED_SPACE = (
    Param("learning_rate", "real", 1e-4, 1.0, log=True),
    Param("alpha", "real", 0.0, 1.0),
    Param("beta", "real", -2.0, 2.0),
    Param("n_units", "int", 1, 100),
    Param("max_iter", "int", 10, 10_000, log=True),
    Param("kind", "cat", choices=("a", "b", "c")),
)
MIXED_SPACE_DESCRIPTION = (
    "3 Real (one log), 2 Integer (one log), 1 Categorical with 3 choices"
)
_MIXED_OPTIMUM = (0.3, 0.6, 0.2, 0.7, 0.4)
_KIND_BONUS = {"a": 0.0, "b": 0.1, "c": -0.1}


def mixed_objective(params: dict[str, Any]) -> float:
    """Cheap, deterministic, smooth score (maximised) on the mixed space."""
    u = [p.to_unit(params[p.name]) for p in MIXED_SPACE[:5]]
    return (
        -sum((a - b) ** 2 for a, b in zip(u, _MIXED_OPTIMUM))
        + _KIND_BONUS[params["kind"]]
    )


def mixed_points(n: int, seed: int = 12345) -> list[dict[str, Any]]:
    """The same ``n`` random configurations for every optimizer (nested in n)."""
    U = np.random.default_rng(seed).random((n, len(MIXED_SPACE)))
    return [{p.name: p.from_unit(u) for p, u in zip(MIXED_SPACE, row)} for row in U]


@dataclass(frozen=True)
class Problem:
    key: str
    title: str
    space: tuple
    objective: Callable[[dict[str, Any]], float]
    optimum: float
    budgets: tuple


PROBLEMS = (
    Problem(
        "branin",
        "Branin",
        (Param("x1", "real", -5.0, 10.0), Param("x2", "real", 0.0, 15.0)),
        lambda p: -branin(p["x1"], p["x2"]),
        BRANIN_MAX,
        (30, 60),
    ),
    Problem(
        "hartmann6",
        "Hartmann-6",
        tuple(Param(f"x{i}", "real", 0.0, 1.0) for i in range(1, 7)),
        lambda p: hartmann6([p[f"x{i}"] for i in range(1, 7)]),
        HARTMANN6_MAX,
        (60,),
    ),
)


# ----------------------------------------------------------------- adapters
class Adapter:
    """Maximising ask/tell of one point, plus a bulk tell to fill the history."""

    def ask(self) -> dict[str, Any]:
        raise NotImplementedError

    def tell(self, params: dict[str, Any], score: float) -> None:
        raise NotImplementedError

    def tell_many(self, points: list[dict[str, Any]], scores: list[float]) -> None:
        for params, score in zip(points, scores):
            self.tell(params, score)


class OursAdapter(Adapter):
    def __init__(self, cls: Any, space: Sequence[Param], seed: int) -> None:
        self.opt = cls({p.name: p.ours() for p in space}, random_state=seed)

    def ask(self) -> dict[str, Any]:
        return self.opt.ask(1)[0]

    def tell(self, params: dict[str, Any], score: float) -> None:
        self.opt.tell([params], [score])

    def tell_many(self, points: list[dict[str, Any]], scores: list[float]) -> None:
        self.opt.tell(points, scores)


class SkoptAdapter(Adapter):
    """``skopt.Optimizer`` as ``gp_minimize`` builds it, minimising -score.

    ``gp_minimize`` uses the "GP" estimator, ``acq_func="gp_hedge"``,
    L-BFGS acquisition optimisation and 10 random initial points, which are
    ``skopt.Optimizer``'s defaults. Its model is fitted in ``tell``; ``ask``
    returns the point computed there.
    """

    def __init__(self, space: Sequence[Param], seed: int) -> None:
        from skopt import Optimizer

        self.names = [p.name for p in space]
        self.opt = Optimizer(
            [p.skopt() for p in space], base_estimator="GP", random_state=seed
        )

    def ask(self) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = self.opt.ask()
        return {name: _py(v) for name, v in zip(self.names, x)}

    def _row(self, params: dict[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]

    def tell(self, params: dict[str, Any], score: float) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.tell(self._row(params), -score)

    def tell_many(self, points: list[dict[str, Any]], scores: list[float]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.opt.tell([self._row(p) for p in points], [-s for s in scores])


class OptunaAdapter(Adapter):
    """Optuna's default ``TPESampler(seed=seed)`` through ``study.ask``/``tell``."""

    def __init__(self, space: Sequence[Param], seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.distributions = {p.name: p.optuna() for p in space}
        self.study = optuna.create_study(
            direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)
        )
        self._trials: dict[int, Any] = {}

    def ask(self) -> dict[str, Any]:
        trial = self.study.ask(self.distributions)
        params = dict(trial.params)
        self._trials[id(params)] = trial
        return params

    def tell(self, params: dict[str, Any], score: float) -> None:
        trial = self._trials.pop(id(params), None)
        if trial is None:
            self.tell_many([params], [score])
        else:
            self.study.tell(trial, score)

    def tell_many(self, points: list[dict[str, Any]], scores: list[float]) -> None:
        create = self.optuna.trial.create_trial
        self.study.add_trials(
            [
                create(params=p, distributions=self.distributions, value=s)
                for p, s in zip(points, scores)
            ]
        )


def _py(value: Any) -> Any:
    """numpy scalar -> Python scalar (skopt returns numpy types)."""
    return value.item() if isinstance(value, np.generic) else value


def available_optimizers(
    wanted: Sequence[str],
) -> tuple[dict[str, Callable[..., Adapter]], dict[str, str]]:
    """Factories ``(space, seed) -> Adapter`` and the reasons for skipped ones."""
    factories: dict[str, Callable[..., Adapter]] = {}
    skipped: dict[str, str] = {}
    for key in wanted:
        if key in OURS:
            cls = optimizer_class(key)
            factories[key] = lambda space, seed, cls=cls: OursAdapter(cls, space, seed)
            continue
        module, package, cls = {
            "skopt": ("skopt", "scikit-optimize", SkoptAdapter),
            "optuna": ("optuna", "optuna", OptunaAdapter),
        }[key]
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken peer is skipped too
            skipped[key] = (
                f"{package} is not importable ({type(exc).__name__}: {exc}); "
                f"`pip install {package}` to include it"
            )
            continue
        factories[key] = cls
    return factories, skipped


# ----------------------------------------------------------------- overhead
def measure_overhead(
    factory: Callable[..., Adapter], n_obs: int, repeats: int
) -> dict[str, Any]:
    """Fill with ``n_obs`` observations, then time ``ask(1)`` + ``tell`` cycles.

    The first cycle after the bulk tell is a warm-up (untimed): in a real
    loop every ask follows the tell of one point, never a bulk tell.
    """
    points = mixed_points(n_obs)
    adapter = factory(MIXED_SPACE, 0)
    adapter.tell_many(points, [mixed_objective(p) for p in points])
    ask_s, tell_s = [], []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        params = adapter.ask()
        t1 = time.perf_counter()
        score = mixed_objective(params)
        t2 = time.perf_counter()
        adapter.tell(params, score)
        t3 = time.perf_counter()
        if i:
            ask_s.append(t1 - t0)
            tell_s.append(t3 - t2)
    total = [a + t for a, t in zip(ask_s, tell_s)]
    return {
        "ask_ms": 1e3 * statistics.median(ask_s),
        "tell_ms": 1e3 * statistics.median(tell_s),
        "total_ms": 1e3 * statistics.median(total),
        "total_ms_samples": [1e3 * t for t in total],
    }


# ------------------------------------------------------------------ quality
def run_quality(
    factory: Callable[..., Adapter], problem: Problem, seed: int, n_evals: int
) -> tuple[list[float], float]:
    """Best-so-far trace of one seeded run, and the optimizer's own time."""
    adapter = factory(problem.space, seed)
    best, trace, spent = -math.inf, [], 0.0
    for _ in range(n_evals):
        t0 = time.perf_counter()
        params = adapter.ask()
        spent += time.perf_counter() - t0
        score = problem.objective(params)
        t0 = time.perf_counter()
        adapter.tell(params, score)
        spent += time.perf_counter() - t0
        best = max(best, score)
        trace.append(best)
    return trace, spent


# --------------------------------------------------------------------- main
def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for module in ["sklearn_hpo", "numpy", "scipy", "sklearn", "skopt", "optuna"]:
        try:
            versions[module] = importlib.import_module(module).__version__
        except Exception:  # noqa: BLE001 - absent peers are simply not listed
            pass
    return versions


def _command(argv: Sequence[str]) -> str:
    return shlex.join(["python", "benchmarks/bench_optimizers.py", *argv])


def _relative(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _print(*args: Any) -> None:
    print(*args, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 seeds, at most 100 observations, 3 timed cycles (about 2 minutes)",
    )
    parser.add_argument(
        "--seeds", type=int, default=None, help="number of seeds (default 10, quick 3)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file")
    parser.add_argument(
        "--optimizers",
        default=",".join(LABELS),
        help="comma-separated subset of " + ", ".join(LABELS),
    )
    parser.add_argument(
        "--only",
        choices=["overhead", "quality"],
        default=None,
        help="run one of the two benchmarks",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads (0 = library default); 1 keeps timings "
        "comparable and avoids oversubscription",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="only print the Markdown report of an existing --out file",
    )
    args = parser.parse_args(argv)
    unknown = set(args.optimizers.split(",")) - set(LABELS)
    if unknown:
        parser.error(
            f"unknown optimizers {sorted(unknown)}; choose from {list(LABELS)}"
        )
    if args.seeds is None:
        args.seeds = 3 if args.quick else 10
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.report:
        sys.stdout.write(render_markdown(json.loads(args.out.read_text())))
        return 0
    if args.blas_threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.blas_threads)

    start = time.perf_counter()
    factories, skipped = available_optimizers(args.optimizers.split(","))
    for key, reason in skipped.items():
        _print(f"SKIPPED {LABELS[key]}: {reason}")

    levels = [50, 100] if args.quick else [50, 100, 200]
    repeats = 3 if args.quick else 5
    results: dict[str, Any] = {
        "labels": {k: LABELS[k] for k in factories},
        "skipped": skipped,
        "problems": {
            p.key: {"title": p.title, "optimum": p.optimum, "budgets": list(p.budgets)}
            for p in PROBLEMS
        },
    }

    if args.only in (None, "overhead"):
        results["overhead_setup"] = {
            "n_observations": levels,
            "repeats": repeats,
            "space": MIXED_SPACE_DESCRIPTION,
        }
        results["overhead"] = {}
        _print("\n== Overhead per proposal: ask(1) + tell, median ms ==")
        for key, factory in factories.items():
            results["overhead"][key] = {}
            for n in levels:
                r = measure_overhead(factory, n, repeats)
                results["overhead"][key][str(n)] = r
                _print(
                    f"{LABELS[key]:<42} N={n:<4} total {r['total_ms']:9.2f} ms  "
                    f"(ask {r['ask_ms']:.2f} + tell {r['tell_ms']:.2f})"
                )

    if args.only in (None, "quality"):
        seeds = list(range(args.seeds))
        results["quality_setup"] = {"n_seeds": args.seeds, "seeds": seeds}
        results["quality"] = {}
        _print(f"\n== Best score found, seeds {seeds[0]}..{seeds[-1]} ==")
        for problem in PROBLEMS:
            results["quality"][problem.key] = {}
            n_evals = max(problem.budgets)
            for key, factory in factories.items():
                traces, seconds = [], []
                for seed in seeds:
                    trace, spent = run_quality(factory, problem, seed, n_evals)
                    traces.append(trace)
                    seconds.append(spent)
                results["quality"][problem.key][key] = {
                    "traces": traces,
                    "optimizer_seconds": seconds,
                }
                finals = [t[-1] for t in traces]
                _print(
                    f"{problem.title:<11} {LABELS[key]:<42} best@{n_evals} "
                    f"{statistics.fmean(finals):8.4f}  "
                    f"(optimizer {sum(seconds):.1f} s)"
                )

    results["meta"] = {
        "command": _command(argv),
        "out": _relative(args.out),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "blas_threads": args.blas_threads or "default",
        "duration_s": time.perf_counter() - start,
        "versions": _versions(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    _print(f"\nWrote {args.out} in {results['meta']['duration_s']:.0f} s.\n")
    sys.stdout.write(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
