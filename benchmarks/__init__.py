"""Benchmarks of sklearn_hpo's searches against the peers.

``python -m benchmarks run [--quick]`` runs the suite and writes JSON lines to
``benchmarks/results/``; ``python -m benchmarks report`` regenerates the tables
and plots from them. See ``benchmarks/README.md``.
"""
