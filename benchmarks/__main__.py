"""Command line: ``python -m benchmarks run|report|hyperband|hashes`` (from the root).

    python -m benchmarks run --quick        # every method on a subset, < 5 min
    python -m benchmarks run                # the full suite (see README)
    python -m benchmarks report             # tables + plots from the results
    python -m benchmarks report --update docs/benchmarks.md \
        --update benchmarks/README.md
    python -m benchmarks hyperband --quick  # the multi-fidelity benchmark
    python -m benchmarks hyperband --help   # (benchmarks/bench_hyperband.py)
    python -m benchmarks hashes --check benchmarks/results/proposal_hashes.json
                                            # every search proposes as recorded
    python -m benchmarks hashes --help      # (benchmarks/proposal_hashes.py)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from benchmarks import methods as M
from benchmarks import run as R
from benchmarks import tasks as T

EXPERIMENTS = ("quality", "overhead", "parallel")


def _csv(text: str) -> list[str]:
    return [t for t in text.split(",") if t]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the benchmarks (resumable)",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    run.add_argument("--quick", action="store_true",
                     help=f"tasks {','.join(T.QUICK_TASKS)}, 1 seed, budget 20, "
                     "overhead up to 60 evaluations, parallel budget 12 and 1 seed")
    run.add_argument("--tasks", type=_csv, default=None,
                     help="comma-separated subset of " + ",".join(T.DEFAULT_TASKS))
    run.add_argument("--methods", type=_csv, default=list(M.DEFAULT_METHODS),
                     help="comma-separated subset (the *_storage variants, with "
                     "a journal, run only when named)")
    run.add_argument("--budgets", type=lambda s: [int(b) for b in _csv(s)],
                     default=None, help="budgets (default 20,50,100; quick 20)")
    run.add_argument("--seeds", type=int, default=None,
                     help="seeds 0..N-1 (default 5; quick 1)")
    run.add_argument("--n-jobs", type=int, default=2,
                     help="K of the parallel experiment (n_jobs=1 vs K)")
    run.add_argument("--workers", type=int, default=1,
                     help="quality jobs run in this many processes at once")
    run.add_argument("--experiments", type=_csv, default=list(EXPERIMENTS),
                     help="comma-separated subset of " + ",".join(EXPERIMENTS))
    run.add_argument("--overhead-max", type=int, default=None,
                     help="evaluations of the overhead runs (default 500, quick 60)")
    run.add_argument("--parallel-budget", type=int, default=None,
                     help="evaluations of the parallel runs (default 40, quick 12)")
    run.add_argument("--parallel-seeds", type=int, default=None,
                     help="seeds of the parallel runs (default 3, quick 1); the "
                     "speed-up is the ratio of the summed wall times")
    run.add_argument("--out", type=Path, default=None,
                     help="JSON lines file (default results/results.jsonl, "
                     "quick results/quick.jsonl)")

    rep = sub.add_parser("report", help="tables and plots from the results")
    rep.add_argument("--results", type=Path, default=R.FULL_OUT,
                     help="JSON lines file")
    rep.add_argument("--update", type=Path, action="append", default=[],
                     metavar="MARKDOWN",
                     help="replace the text between the BENCHMARK markers of this "
                     "file (repeatable) instead of printing the report")
    rep.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    rep.add_argument("--section", default=None, metavar="NAME",
                     help="with --update: the markers are those named NAME "
                     "(<!-- BENCHMARK TABLE BEGIN NAME -->), for a second "
                     "results file reported on the same page")
    # Parsed by benchmarks/bench_hyperband.py itself (see main).
    sub.add_parser("hyperband", add_help=False,
                   help="the multi-fidelity benchmark (Hyperband and successive "
                   "halving against scikit-learn's; its own options: "
                   "`hyperband --help`)")
    sub.add_parser("hashes", add_help=False,
                   help="hashes of every search's proposals on seeded runs, "
                   "to check that a refactor changes none (its own options: "
                   "`hashes --help`)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["hyperband"]:
        from benchmarks import bench_hyperband

        bench_hyperband.main(argv[1:])
        return 0
    if argv[:1] == ["hashes"]:
        from benchmarks import proposal_hashes

        return proposal_hashes.main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "report":
        from benchmarks import summary

        return summary.main(args)
    quick = args.quick
    args.tasks = args.tasks or list(T.QUICK_TASKS if quick else T.DEFAULT_TASKS)
    args.budgets = args.budgets or ([20] if quick else [20, 50, 100])
    args.seeds = args.seeds or (1 if quick else 5)
    args.overhead_max = args.overhead_max or (60 if quick else R.OVERHEAD_MAX)
    args.parallel_budget = args.parallel_budget or (12 if quick else 40)
    args.parallel_seeds = args.parallel_seeds or (1 if quick else 3)
    args.out = args.out or (R.QUICK_OUT if quick else R.FULL_OUT)
    for name, values, known in [("--tasks", args.tasks, T.TASKS),
                                ("--methods", args.methods, M.METHODS),
                                ("--experiments", args.experiments, EXPERIMENTS)]:
        unknown = sorted(set(values) - set(known))
        if unknown:
            parser.error(f"{name}: unknown {unknown}; choose from {list(known)}")
    if M.BASELINE not in args.methods:
        print(f"note: {M.BASELINE} (the normalisation baseline) is not run; the "
              "normalised scores need it", file=sys.stderr)
    return R.main(args, argv)


if __name__ == "__main__":
    sys.exit(main())
