"""Hashes of what every search proposes, to prove a refactor changes none of it.

Each configuration is one seeded search of one strategy (every public search
of ``sklearn_hpo.search`` but the base class; BayesSearchCV with each
optimizer, HyperbandSearchCV with each sampler) on :class:`MixedDouble`, an
estimator double whose score is a known function of its parameters and of
the rows it was fitted and scored on. Its hash (sha256) covers, row by row,
``cv_results_["params"]``, ``mean_test_score`` and every column the search
adds to scikit-learn's (``round``, ``bracket``, ``iter``, ``n_resources``,
...; not the timings), then ``best_index_`` and ``best_params_``. Two runs of
the same code give the same hashes; a change that moves one proposal, one
score or one bookkeeping value changes its configuration's hash. ::

    python -m benchmarks hashes                       # print the table
    python -m benchmarks hashes --record FILE         # ... and write FILE
    python -m benchmarks hashes --check FILE          # exit 1 on a mismatch
    python -m benchmarks hashes --configs tpe/mixed/s0,sh/n_samples/s1

(``python -m benchmarks.proposal_hashes`` takes the same options.) The
baseline is ``benchmarks/results/proposal_hashes.json``. Values are hashed as
Python values (a NumPy integer as the int it holds, floats by ``repr``), so
the hashes do not depend on how NumPy prints its scalars; they may depend on
the NumPy/SciPy/BLAS build, whose versions the JSON file records.

The searches run under ``PYTHONHASHSEED=0`` (the script re-runs itself in a
subprocess when the variable differs; ``--hash-seed`` picks another value,
``random`` runs as Python does by default). The GP's proposals with
``n_points > 1`` depend on it: ``GPOptimizer`` adds the rows of pending
candidates to its model in the iteration order of a ``set`` of bytes keys
(``optimizers/_gp/_optimizer.py``), which changes with the string-hash seed;
the rows' order changes the GP's floating-point results in the last bits,
and then the proposals (``bayes_gp/np3/*``: after about a dozen candidates).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from sklearn_hpo.search import (
    AnnealingSearchCV,
    BayesSearchCV,
    CoarseToFineSearchCV,
    CoordinateDescentSearchCV,
    EvolutionarySearchCV,
    HybridSearchCV,
    HyperbandSearchCV,
    ParticleSwarmSearchCV,
    SPSASearchCV,
    SuccessiveHalvingSearchCV,
    TPESearchCV,
)
from sklearn_hpo.space import Categorical, Integer, Real

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "proposal_hashes.json"
HASH_SEED = "0"
SEEDS = (0, 1)
N_ITER = 30
N_SAMPLES = 162  # n_samples rungs 6, 18, 54, 162 (factor 3)
MAX_ESTIMATORS = 27  # parameter-resource rungs 1, 3, 9, 27
CV = 3


# ---------------------------------------------------------------- the double
class MixedDouble(RegressorMixin, BaseEstimator):
    """Double whose score is a known function of its parameters and data.

    ``score`` is ``f(alpha, depth, kind, gamma) - 1 / n_estimators - 3 /
    sqrt(n_fit) + 0.01 * (mean(y_fit) - mean(y_test))``: the parameters set
    the value, ``n_estimators`` and the number of training rows are
    resources (more is better), and the data term makes the score depend on
    which rows were fitted and scored, so a change of folds or of subsamples
    changes it. With ``warm_start=True`` a refit adds its rows to the mean
    of the previous fits (as a forest keeps its old trees), so continuing
    the wrong model changes the score too.

    Parameters
    ----------
    alpha : float, default=1.0
        Best at 10**-1.5 (searched on a log scale).
    depth : int, default=5
        Best at 6.
    kind : {"a", "b", "c"}, default="a"
        "a" is best, then "b", then "c".
    gamma : float, default=0.5
        Best at 0.3.
    n_estimators : int, default=27
        A resource.
    warm_start : bool, default=False
        Continue the previous fit.
    """

    def __init__(
        self, alpha=1.0, depth=5, kind="a", gamma=0.5, n_estimators=27,
        warm_start=False,
    ):  # fmt: skip
        self.alpha = alpha
        self.depth = depth
        self.kind = kind
        self.gamma = gamma
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X: Any, y: Any = None) -> MixedDouble:
        X = np.asarray(X, dtype=float)
        y = np.zeros(len(X)) if y is None else np.asarray(y, dtype=float)
        self.n_features_in_ = X.shape[1]
        if self.warm_start and hasattr(self, "n_fit_"):
            total = self.n_fit_ + len(X)
            self.y_mean_ = (self.y_mean_ * self.n_fit_ + y.sum()) / total
        else:
            self.n_fit_, self.y_mean_ = len(X), float(y.mean())
        self.n_grown_ = self.n_estimators
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.y_mean_)

    def value(self) -> float:
        """The score's part that depends on the parameters only."""
        kind = {"a": 0.0, "b": -0.25, "c": -0.5}[self.kind]
        return (
            -((math.log10(self.alpha) + 1.5) ** 2)
            - ((self.depth - 6) / 4) ** 2
            + kind
            - (self.gamma - 0.3) ** 2
        )

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        y = np.zeros(len(X)) if y is None else np.asarray(y, dtype=float)
        return float(
            self.value()
            - 1.0 / self.n_grown_
            - 3.0 / math.sqrt(self.n_fit_)
            + 0.01 * (self.y_mean_ - y.mean())
        )


def data() -> tuple[np.ndarray, np.ndarray]:
    """The fixed data every configuration is fitted on."""
    rng = np.random.RandomState(0)
    return rng.normal(size=(N_SAMPLES, 3)), rng.normal(size=N_SAMPLES)


def mixed_space() -> dict:
    return {
        "alpha": Real(1e-4, 10.0, log=True),
        "depth": Integer(1, 20),
        "kind": Categorical(["a", "b", "c"]),
    }


def conditional_space() -> list[dict]:
    return [
        {"kind": Categorical(["a"]), "alpha": Real(1e-4, 10.0, log=True),
         "depth": Integer(1, 20)},
        {"kind": Categorical(["b", "c"]), "gamma": Real(0.0, 1.0)},
    ]  # fmt: skip


# ------------------------------------------------------------ configurations
@dataclass(frozen=True)
class Strategy:
    """One strategy: how to build its search from (space, seed, options)."""

    name: str
    make: Callable[..., Any]
    batch: int | None = None  # also run with this n_points
    multi_fidelity: bool = False


def _seq(cls: type, **kwargs: Any) -> Callable[..., Any]:
    def make(space: Any, seed: int, **more: Any) -> Any:
        return cls(MixedDouble(), space, n_iter=N_ITER, cv=CV, n_jobs=1,
                   random_state=seed, refit=False, **kwargs, **more)

    return make


def _mf(cls: type, **kwargs: Any) -> Callable[..., Any]:
    def make(space: Any, seed: int, **more: Any) -> Any:
        return cls(MixedDouble(), space, cv=CV, n_jobs=1, random_state=seed,
                   refit=False, **kwargs, **more)

    return make


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in [
        # batch=3: the model-based searches' sliding window (n_points=3).
        Strategy("bayes_gp", _seq(BayesSearchCV, optimizer="gp"), batch=3),
        Strategy("bayes_tpe", _seq(BayesSearchCV, optimizer="tpe"), batch=3),
        Strategy("bayes_random", _seq(BayesSearchCV, optimizer="random"),
                 batch=3),
        Strategy("tpe", _seq(TPESearchCV), batch=3),
        Strategy("coarse_to_fine", _seq(CoarseToFineSearchCV)),
        Strategy("hybrid", _seq(HybridSearchCV)),
        # Coordinate descent starts at the centre of the space: its seed only
        # matters for restarts and for the random points that fill a batch
        # larger than a line search (n_line=4), hence n_points=6.
        Strategy("coordinate", _seq(CoordinateDescentSearchCV), batch=6),
        Strategy("spsa", _seq(SPSASearchCV)),
        Strategy("annealing", _seq(AnnealingSearchCV)),
        Strategy("evolutionary", _seq(EvolutionarySearchCV)),
        Strategy("particle_swarm", _seq(ParticleSwarmSearchCV)),
        Strategy("hyperband_random", _mf(HyperbandSearchCV, sampler="random"),
                 multi_fidelity=True),
        Strategy("hyperband_tpe", _mf(HyperbandSearchCV, sampler="tpe"),
                 multi_fidelity=True),
        Strategy("hyperband_gp", _mf(HyperbandSearchCV, sampler="gp"),
                 multi_fidelity=True),
        Strategy("sh", _mf(SuccessiveHalvingSearchCV), multi_fidelity=True),
    ]
}  # fmt: skip

# Search options of each variant. "param": the resource is n_estimators, which
# warm start continues ("auto"); "param_retrain" retrains at every rung.
_VARIANTS: dict[str, dict] = {
    "mixed": {},
    "cond": {},
    "param": {"resource": "n_estimators", "max_resources": MAX_ESTIMATORS},
    "param_retrain": {"resource": "n_estimators", "max_resources": MAX_ESTIMATORS,
                      "warm_start": False},
    "n_samples": {"resource": "n_samples"},
}


@dataclass(frozen=True)
class Config:
    """One seeded search: ``strategy/variant/s<seed>``.

    Variants: ``mixed`` (the mixed space), ``cond`` (the conditional one),
    ``np<k>`` (the mixed space with ``n_points=k``), and for multi-fidelity
    searches ``param`` (resource ``n_estimators`` up to 27, continued by
    warm start), ``param_retrain`` (the same, retrained at every rung) and
    ``n_samples``.
    """

    strategy: str
    variant: str
    seed: int

    @property
    def name(self) -> str:
        return f"{self.strategy}/{self.variant}/s{self.seed}"

    def search(self) -> Any:
        strategy = STRATEGIES[self.strategy]
        space = conditional_space() if self.variant == "cond" else mixed_space()
        if self.variant.startswith("np"):
            options = {"n_points": int(self.variant[2:])}
        else:
            options = _VARIANTS[self.variant]
        return strategy.make(space, self.seed, **options)


def configs(seeds: Sequence[int] = SEEDS) -> list[Config]:
    """Every configuration, in a fixed order."""
    out = []
    for s in STRATEGIES.values():
        if s.multi_fidelity:
            variants = ["param", "n_samples", "cond"]
            if s.name == "sh":
                variants.insert(1, "param_retrain")
        else:
            variants = ["mixed", "cond"] + ([f"np{s.batch}"] if s.batch else [])
        out += [Config(s.name, v, seed) for v in variants for seed in seeds]
    return out


# ------------------------------------------------------------------- hashing
_SKLEARN_SCORE = re.compile(r"(split[0-9]+|mean|std|rank)_(test|train)_.+")


def _is_standard(key: str) -> bool:
    """Whether ``key`` is one of scikit-learn's own columns, or a timing."""
    return (
        key == "params"
        or key.startswith("param_")
        or "time" in key
        or _SKLEARN_SCORE.fullmatch(key) is not None
    )


def extra_columns(results: dict) -> list[str]:
    """The columns a search adds to scikit-learn's (timings excluded)."""
    return sorted(k for k in results if not _is_standard(k))


def canonical(value: Any) -> str:
    """A text for ``value`` that is equal exactly when the values are.

    NumPy scalars are read as the Python values they hold (so ``np.int64(3)``
    and ``3`` agree, whatever NumPy's repr), floats by ``repr`` (all their
    bits, ``-0.0`` and ``nan`` included); ints and floats stay distinct.
    """
    if value is np.ma.masked:
        return "<masked>"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "{" + ", ".join(f"{k!r}: {canonical(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    # Estimators and other objects in params: their repr holds their
    # parameters (and no address).
    return f"{type(value).__name__}:{value!r}"


def _column(results: dict, key: str) -> list[Any]:
    column = results[key]
    if isinstance(column, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(column)
        return [np.ma.masked if m else v for v, m in zip(column.data, mask)]
    return list(column)


def digest(search: Any) -> dict:
    """The hash of a fitted search's proposals, and of each of their parts.

    Returns ``{"hash": sha256 hex of every row (params, mean_test_score, the
    extra columns) and of best_index_ and best_params_, "n_rows": ...,
    "parts": {column: short sha256 of that column alone, "best": ...}}``;
    the parts say which column a mismatch is in.
    """
    results = search.cv_results_
    keys = ["mean_test_score", *extra_columns(results)]
    columns = {"params": list(results["params"])}
    columns.update((k, _column(results, k)) for k in keys)
    texts = {k: [canonical(v) for v in column] for k, column in columns.items()}
    best = (f"best {canonical(getattr(search, 'best_index_', None))} "
            f"{canonical(getattr(search, 'best_params_', None))}")
    h = hashlib.sha256(("columns params " + " ".join(keys) + "\n").encode())
    for row in zip(*texts.values()):
        h.update((" | ".join(row) + "\n").encode())
    h.update((best + "\n").encode())
    parts = {
        k: hashlib.sha256("\n".join(t).encode()).hexdigest()[:16]
        for k, t in texts.items()
    }
    parts["best"] = hashlib.sha256(best.encode()).hexdigest()[:16]
    return {"hash": h.hexdigest(), "n_rows": len(columns["params"]), "parts": parts}


def run_config(config: Config) -> dict:
    """Fit one configuration: its :func:`digest` and the seconds it took."""
    X, y = data()
    search = config.search()
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Doubles hit the space's edges and finite spaces run dry: expected.
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return dict(digest(search), seconds=time.perf_counter() - start)


# ---------------------------------------------------------------- the script
def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ["sklearn-hpo", "numpy", "scipy", "scikit-learn", "joblib"]:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


def _git_head() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            check=True, cwd=Path(__file__).resolve().parent,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None


def run(selected: list[Config]) -> dict[str, dict]:
    from threadpoolctl import threadpool_limits

    out = {}
    # One BLAS thread: the GP's linear algebra then sums in one fixed order.
    with threadpool_limits(limits=1):
        for config in selected:
            try:
                out[config.name] = run_config(config)
            except Exception as exc:  # noqa: BLE001 - a mismatch, reported
                out[config.name] = {"hash": f"error: {type(exc).__name__}: {exc}",
                                    "n_rows": 0, "parts": {}, "seconds": 0.0}
            row = out[config.name]
            print(f"{config.name:34s} {row['hash'][:64]:64s} {row['n_rows']:4d}"
                  f"  {row['seconds']:5.2f} s", flush=True)
    return out


def compare(
    recorded: dict[str, dict], current: dict[str, dict], complete: bool = False
) -> list[str]:
    """Lines describing every difference between two runs' hashes.

    ``complete``: ``current`` ran every configuration, so one that is only
    in ``recorded`` is a difference too.
    """
    lines = []
    for name, row in current.items():
        old = recorded.get(name)
        if old is None:
            lines.append(f"{name}: not in the recorded file")
        elif old["hash"] != row["hash"]:
            old_parts, parts = old.get("parts", {}), row.get("parts", {})
            differ = sorted(k for k in set(old_parts) | set(parts)
                            if old_parts.get(k) != parts.get(k))
            lines.append(f"{name}: hash {row['hash'][:16]}... != recorded "
                         f"{old['hash'][:16]}...; rows {row['n_rows']} (recorded "
                         f"{old['n_rows']}); differing: {', '.join(differ) or '?'}")
    if complete:
        lines += [f"{name}: recorded but no longer run"
                  for name in recorded if name not in current]
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks hashes",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, metavar="FILE",
                        help="write the hashes to FILE (the baseline is "
                        "benchmarks/results/proposal_hashes.json)")
    parser.add_argument("--check", type=Path, metavar="FILE",
                        help="compare with FILE; exit 1 listing the mismatches")
    parser.add_argument("--configs", default="",
                        help="comma-separated subset of the configuration names "
                        "(default: all; --list shows them)")
    parser.add_argument("--twice", action="store_true",
                        help="run every configuration a second time in this "
                        "process; exit 1 listing those whose hash changed")
    parser.add_argument("--hash-seed", default=HASH_SEED,
                        help="PYTHONHASHSEED of the searches (an int, or random)")
    parser.add_argument("--list", action="store_true",
                        help="list the configurations and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.hash_seed != "random" and os.environ.get("PYTHONHASHSEED") != (
        args.hash_seed
    ):
        # The seed of str/bytes hashing is fixed when Python starts.
        paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
        env = dict(os.environ, PYTHONHASHSEED=args.hash_seed,
                   PYTHONPATH=os.pathsep.join(p for p in paths if p))
        command = [sys.executable, "-m", "benchmarks.proposal_hashes", *argv]
        return subprocess.run(command, env=env, check=False).returncode
    every = configs()
    if args.list:
        print("\n".join(c.name for c in every))
        return 0
    selected = every
    if args.configs:
        by_name = {c.name: c for c in every}
        names = [n for n in args.configs.split(",") if n]
        unknown = [n for n in names if n not in by_name]
        if unknown:
            parser.error(f"--configs: unknown {unknown}; see --list")
        selected = [by_name[n] for n in names]
    recorded = None
    if args.check is not None:
        recorded = json.loads(args.check.read_text())
    start = time.perf_counter()
    print(f"{'config':34s} {'hash':64s} {'rows':>4s}  time", flush=True)
    hashes = run(selected)
    total = time.perf_counter() - start
    print(f"{len(hashes)} configurations in {total:.0f} s", flush=True)
    unstable: list[str] = []
    if args.twice:
        print("Second run, same process:", flush=True)
        unstable = compare(hashes, run(selected))
    if args.record is not None:
        record = {
            "command": " ".join(["python -m benchmarks hashes", *argv]),
            "git_head": _git_head(),
            "platform": platform.platform(),
            "versions": versions(),
            "n_iter": N_ITER, "cv": CV, "seeds": list(SEEDS),
            "python_hash_seed": args.hash_seed,
            # Timings vary from run to run; the file holds what must not.
            "hashes": {name: {k: v for k, v in row.items() if k != "seconds"}
                       for name, row in hashes.items()},
        }  # fmt: skip
        args.record.parent.mkdir(parents=True, exist_ok=True)
        args.record.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"Written to {args.record}")
    if recorded is not None:
        mismatches = compare(recorded["hashes"], hashes, complete=not args.configs)
        if recorded.get("versions") != versions():
            print(f"note: versions differ from the recorded ones "
                  f"({recorded.get('versions')}); GP hashes may depend on them",
                  file=sys.stderr)
        if recorded.get("python_hash_seed") != args.hash_seed:
            print(f"note: recorded with --hash-seed "
                  f"{recorded.get('python_hash_seed')}, run with "
                  f"{args.hash_seed}; bayes_gp/np3 depends on it", file=sys.stderr)
        if mismatches:
            print(f"{len(mismatches)} of {len(hashes)} configurations differ from "
                  f"{args.check}:", file=sys.stderr)
            print("\n".join("  " + m for m in mismatches), file=sys.stderr)
            return 1
        print(f"All {len(hashes)} configurations match {args.check}.")
    if unstable:
        print(f"{len(unstable)} configurations are not deterministic in one "
              "process:", file=sys.stderr)
        print("\n".join("  " + m for m in unstable), file=sys.stderr)
        return 1
    if args.twice:
        print(f"All {len(hashes)} configurations gave the same hash twice.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
