"""
Long searches: a time budget, a journal to resume from, plots from another process
==================================================================================

Tunes a scaler + PCA + SVC pipeline on the digits data set with BayesSearchCV,
as a long search would be run:

1. with ``max_time``: once the budget is spent no new candidate is started,
   and the best one so far is refit. Every completed candidate is committed
   to a journal (``storage``, an SQLite file) as it completes, and a progress
   bar (scikit-learn >= 1.9's ``ProgressBar`` callback, which needs ``rich``)
   shows how it goes;
2. then again with the same ``storage``, without the budget: the search
   resumes, taking what the journal holds instead of fitting it again, and
   runs to ``n_iter``. Meanwhile another process watches the journal with
   ``load_results`` and, when the search is done, draws the plots
   (``plot_convergence``, ``plot_parameter``) from it, to PNG files;
3. a search on other data with the same storage is refused (the journal's
   fingerprint names what differs).

Press Ctrl-C during a run and run the script again with the same ``--out``:
the search keeps the candidates that completed and resumes from them.

Run, from a clone of sklearn_hpo::

    pip install ".[plot,progress]"
    python examples/long_search.py [--out DIR] [--quick]

``--out`` is where the journal and the plots go (default: a new temporary
directory); ``--quick`` runs a small search (a smoke test).
"""

import argparse
import multiprocessing
import os
import signal
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import BayesSearchCV, Integer, Real, load_results
from sklearn_hpo.journal import FingerprintMismatchError, JournalError

# n_iter and max_time (seconds) of the full run, and of --quick.
FULL, QUICK = (40, 8.0), (10, 2.0)


def make_search(storage, n_iter, max_time=None):
    pipe = make_pipeline(StandardScaler(), PCA(random_state=0), SVC())
    space = {
        "pca__n_components": Integer(8, 64),
        "svc__C": Real(1e-2, 1e3, log=True),
        "svc__gamma": Real(1e-5, 1e-1, log=True),
    }
    # One job: the search has one core, the process watching it the other.
    return BayesSearchCV(
        pipe, space, n_iter=n_iter, cv=3, n_jobs=1, random_state=0,
        storage=storage, max_time=max_time,
    )  # fmt: skip


def show_progress(search):
    """A progress bar where scikit-learn (>= 1.9) and rich allow, else
    ``verbose=1`` (a line per completed candidate)."""
    try:
        from sklearn.callback import ProgressBar
    except ImportError:
        why = f"scikit-learn {sklearn.__version__} has no callbacks"
    else:
        try:
            return search.set_callbacks(ProgressBar(max_propagation_depth=0))
        except ImportError:
            why = 'ProgressBar needs rich: pip install rich (or ".[progress]")'
    print(f"  (no progress bar: {why}; verbose=1 instead)")
    return search.set_params(verbose=1)


def n_rows(journal, study):
    """Rows of the study in the journal (0 when there is none yet)."""
    if not os.path.exists(journal):
        return 0
    try:
        return len(load_results(journal, study)["params"])
    except JournalError:
        return 0


def watch(journal, study, n_iter, out, ready, done):
    """Another process: follow the journal while the search runs, then plot.

    It reads only the journal; it stops when told to (or when the search's
    process is gone), and plots what the journal then holds.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    from sklearn_hpo.plotting import plot_convergence, plot_parameter

    tag, last = f"  [reader, pid {os.getpid()}]", None
    ready.set()
    while True:
        finished = done.is_set() or not multiprocessing.parent_process().is_alive()
        results = load_results(journal, study)
        scores = results["mean_test_score"]
        if len(scores) != last:
            last = len(scores)
            print(f"{tag} {last}/{n_iter} candidates in the journal, best "
                  f"{np.nanmax(scores):.4f}", flush=True)  # fmt: skip
        if finished:
            break
        done.wait(2.0)

    ax = plot_convergence(results)
    ax.set_title(f"BayesSearchCV on digits: {last} candidates (from the journal)")
    ax.figure.savefig(os.path.join(out, "convergence.png"), dpi=80)
    names = ["svc__C", "svc__gamma", "pca__n_components"]
    fig, axes = plt.subplots(1, len(names), figsize=(13, 4), sharey=True)
    for name, ax in zip(names, axes):
        plot_parameter(results, name, ax=ax)
    for ax in axes[1:]:
        ax.set_ylabel("")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "parameters.png"), dpi=80)
    print(f"{tag} plots written: convergence.png, parameters.png", flush=True)


def budgeted_run(storage, n_iter, max_time, X, y):
    print(f"\n1. A budgeted search: n_iter={n_iter}, max_time={max_time} s")
    search = show_progress(make_search(storage, n_iter, max_time))
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    print(f"  {len(search.cv_results_['params'])} of {n_iter} candidates in "
          f"{seconds:.1f} s; best CV accuracy {search.best_score_:.4f}")  # fmt: skip


def resumed_run(journal, study, n_iter, out, X, y):
    print(f"\n2. The same search, resumed without a budget (runs to n_iter={n_iter})")
    before = n_rows(journal, study)
    spawn = multiprocessing.get_context("spawn")
    ready, done = spawn.Event(), spawn.Event()
    reader = spawn.Process(
        target=watch, args=(journal, study, n_iter, out, ready, done)
    )
    # The reader ignores Ctrl-C (its Python starts with SIGINT ignored): on
    # Ctrl-C it is told to stop, and plots the candidates that completed.
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        reader.start()
    finally:
        signal.signal(signal.SIGINT, handler)
    try:
        ready.wait(60)  # its imports done: it sees the search from the start
        search = make_search(f"{journal}?study={study}", n_iter)
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
    finally:
        done.set()
        reader.join()
    after = n_rows(journal, study)
    print(f"  {len(search.cv_results_['params'])} candidates in {seconds:.1f} s: "
          f"{before} from the journal, {after - before} newly fitted")  # fmt: skip
    best = {k: v if isinstance(v, (int, np.integer)) else float(f"{v:.4g}")
            for k, v in search.best_params_.items()}  # fmt: skip
    print(f"  best CV accuracy {search.best_score_:.4f} with {best}")


def main():
    parser = argparse.ArgumentParser(
        description="A long search: a time budget, a journal, a resume."
    )
    parser.add_argument("--out", help="directory for the journal and the plots")
    parser.add_argument("--quick", action="store_true", help="a small search")
    args = parser.parse_args()
    n_iter, max_time = QUICK if args.quick else FULL
    out = args.out or tempfile.mkdtemp(prefix="long_search_")
    os.makedirs(out, exist_ok=True)
    journal = os.path.join(out, "journal.db")
    # Several studies can share a file: one per search, named after "?study=".
    study = "svc-digits-quick" if args.quick else "svc-digits"
    storage = f"{journal}?study={study}"
    X, y = load_digits(return_X_y=True)
    print(f"Journal: {storage}")
    held = n_rows(journal, study)
    if held:
        print(f"(it already holds {held} candidates: the search resumes from them)")
    try:
        budgeted_run(storage, n_iter, max_time, X, y)
        resumed_run(journal, study, n_iter, out, X, y)
    except KeyboardInterrupt:
        print(f"\nInterrupted: {n_rows(journal, study)} candidates are in the "
              f"journal. Resume: python {sys.argv[0]} --out {out}"
              f"{' --quick' if args.quick else ''}")  # fmt: skip
        raise SystemExit(130) from None

    print("\n3. Other data with the same storage is another search: refused")
    try:
        make_search(storage, n_iter).fit(X[:600], y[:600])
    except FingerprintMismatchError as error:
        print(f"  FingerprintMismatchError: {', '.join(error.components)} differ")

    print(f"\nJournal and plots in {out}")


if __name__ == "__main__":
    main()
