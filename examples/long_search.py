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
   runs to ``n_iter``. Meanwhile another process (this script again, with
   ``--watch``) follows the journal with ``load_results`` and, when the
   search is done, draws the plots (``plot_convergence``, ``plot_parameter``)
   from it, to PNG files;
3. a search on other data with the same storage is refused (the journal's
   fingerprint names what differs).

By default it runs a short search of 20 candidates; ``--long`` runs 60.
Press Ctrl-C during a run and run the script again with the same ``--out``:
the search keeps the candidates that completed and resumes from them.

Run, from a clone of sklearn_hpo::

    pip install ".[plot,progress]"
    python examples/long_search.py [--out DIR] [--long]

``--out`` is where the journal and the plots go (default: a new temporary
directory).
"""

# %%
# The search, and the process that watches it
# -------------------------------------------
# The reader is this script run again with ``--watch``: a process of its own
# that knows nothing of the search but the journal's path.

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_hpo
from sklearn_hpo import BayesSearchCV, Integer, Real, load_results
from sklearn_hpo.journal import FingerprintMismatchError, JournalError
from sklearn_hpo.plotting import plot_convergence, plot_parameter

# n_iter and max_time (seconds) of the default run, and of --long.
SHORT, LONG = (20, 2.0), (60, 10.0)
SCRIPT = os.path.abspath(sys.argv[0])
PARAMS = ["svc__C", "svc__gamma", "pca__n_components"]


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


def plot_scores(results, title):
    """The convergence: each candidate's score and the best so far."""
    ax = plot_convergence(results, label="best so far")
    ax.set_title(title)
    return ax.figure


def plot_parameters(results):
    """The score against each parameter, side by side."""
    fig, axes = plt.subplots(
        1, len(PARAMS), figsize=(10, 3.5), sharey=True, constrained_layout=True
    )
    for name, ax in zip(PARAMS, axes):
        plot_parameter(results, name, ax=ax)
    for ax in axes[1:]:
        ax.set_ylabel("")
    return fig


def watch(journal, study, n_iter, out, parent):
    """The reader: follow the journal while the search runs, then plot.

    It reads only the journal. It stops when the search's process creates the
    file ``<study>.done`` next to the plots (or is gone), and plots what the
    journal then holds.
    """
    done = os.path.join(out, f"{study}.done")
    tag, last = f"  [reader, pid {os.getpid()}]", None
    print(f"{tag} watching {journal}", flush=True)  # also: "ready"
    while True:
        finished = os.path.exists(done) or os.getppid() != parent
        results = load_results(journal, study)
        scores = results["mean_test_score"]
        if len(scores) != last:
            last = len(scores)
            print(f"{tag} {last}/{n_iter} candidates in the journal, best "
                  f"{np.nanmax(scores):.4f}", flush=True)  # fmt: skip
        if finished:
            break
        time.sleep(1.0)
    title = f"BayesSearchCV on digits: {last} candidates (from the journal)"
    plot_scores(results, title).savefig(os.path.join(out, "convergence.png"))
    plot_parameters(results).savefig(os.path.join(out, "parameters.png"))
    print(f"{tag} plots written: convergence.png, parameters.png", flush=True)


def start_reader(journal, study, n_iter, out):
    """Start the reader, and a thread that prints its lines."""
    done = os.path.join(out, f"{study}.done")
    if os.path.exists(done):  # left by an earlier run
        os.remove(done)
    command = [
        sys.executable, SCRIPT, "--watch", "--out", out, "--study", study,
        "--n-iter", str(n_iter), "--parent", str(os.getpid()),
    ]  # fmt: skip
    # The same sklearn_hpo as this process (also when imported from a clone).
    path = os.path.dirname(os.path.dirname(sklearn_hpo.__file__))
    env = dict(os.environ, MPLBACKEND="Agg")  # files only, no window
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [path, env.get("PYTHONPATH")]))
    # Its own process group: Ctrl-C in the terminal stops the search only; the
    # reader is then told to stop, and plots the candidates that completed.
    if os.name == "nt":
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        group = {"start_new_session": True}
    reader = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=env, **group,
    )  # fmt: skip
    ready = threading.Event()

    def relay():
        for line in reader.stdout:
            print(line, end="", flush=True)
            ready.set()  # its first line: its imports are done
        ready.set()  # it has ended (it failed, if nothing came before)

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    return reader, relaying, ready


def stop_reader(reader, relaying, out, study):
    with open(os.path.join(out, f"{study}.done"), "w"):
        pass
    reader.wait()
    relaying.join()


def interrupted(journal, study, out, long):
    print(f"\nInterrupted: {n_rows(journal, study)} candidates are in the "
          f"journal. Resume: python {SCRIPT} --out {out}"
          f"{' --long' if long else ''}")  # fmt: skip
    raise SystemExit(130) from None


parser = argparse.ArgumentParser(
    description="A long search: a time budget, a journal, a resume."
)
parser.add_argument("--out", help="directory for the journal and the plots")
parser.add_argument("--long", action="store_true", help="60 candidates, not 20")
parser.add_argument("--watch", action="store_true", help=argparse.SUPPRESS)
parser.add_argument("--study", help=argparse.SUPPRESS)
parser.add_argument("--n-iter", type=int, help=argparse.SUPPRESS)
parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
args = parser.parse_args()
if args.watch:  # this is the reader, started in step 2
    watch(os.path.join(args.out, "journal.db"), args.study, args.n_iter,
          args.out, args.parent)  # fmt: skip
    sys.exit()

n_iter, max_time = LONG if args.long else SHORT
out = args.out or tempfile.mkdtemp(prefix="long_search_")
os.makedirs(out, exist_ok=True)
journal = os.path.join(out, "journal.db")
# Several studies can share a file: one per search, named after "?study=".
study = "svc-digits-long" if args.long else "svc-digits"
storage = f"{journal}?study={study}"
X, y = load_digits(return_X_y=True)
print(f"Journal: {storage}")
held = n_rows(journal, study)
if held:
    print(f"(it already holds {held} candidates: the search resumes from them)")

# %%
# 1. A budgeted search
# --------------------
# ``max_time`` seconds: no candidate is started after that, the best so far
# is refit.

print(f"1. A budgeted search: n_iter={n_iter}, max_time={max_time} s")
search = show_progress(make_search(storage, n_iter, max_time))
try:
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
except KeyboardInterrupt:
    interrupted(journal, study, out, args.long)
print(f"  {len(search.cv_results_['params'])} of {n_iter} candidates in "
      f"{seconds:.1f} s; best CV accuracy {search.best_score_:.4f}")  # fmt: skip

# %%
# 2. Resumed from the journal, watched by another process
# -------------------------------------------------------
# The same search without the budget: what the journal holds is read back,
# the rest is fitted. The reader's lines are marked with its process id.

print(f"2. The same search, resumed without a budget (runs to n_iter={n_iter})")
before = n_rows(journal, study)
reader, relaying, ready = start_reader(journal, study, n_iter, out)
try:
    ready.wait(60)  # it sees the search from the start
    search = make_search(storage, n_iter)
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
except KeyboardInterrupt:
    stop_reader(reader, relaying, out, study)
    interrupted(journal, study, out, args.long)
stop_reader(reader, relaying, out, study)
after = n_rows(journal, study)
print(f"  {len(search.cv_results_['params'])} candidates in {seconds:.1f} s: "
      f"{before} from the journal, {after - before} newly fitted")  # fmt: skip
best = {k: v if isinstance(v, (int, np.integer)) else float(f"{v:.4g}")
        for k, v in search.best_params_.items()}  # fmt: skip
print(f"  best CV accuracy {search.best_score_:.4f} with {best}")

# %%
# The reader's plots
# ------------------
# The reader wrote them to PNG files; here the same plots are drawn in this
# process from the journal, as any process can: ``load_results`` reads a
# ``cv_results_``-shaped dict, which the plots take as they take a search.
# First the convergence: each candidate's score (a dot) and the best so far.

results = load_results(journal, study)
plot_scores(results, f"BayesSearchCV on digits: {n_iter} candidates (journal)")
plt.show()

# %%
# Then the score against each parameter: where the good candidates lie.

plot_parameters(results)
plt.show()

# %%
# 3. Another search on the same storage
# -------------------------------------
# Other data is another search: the journal refuses it rather than mixing
# its rows with this one's.

print("3. Other data with the same storage is another search: refused")
try:
    make_search(storage, n_iter).fit(X[:600], y[:600])
except FingerprintMismatchError as error:
    print(f"  FingerprintMismatchError: {', '.join(error.components)} differ")

print(f"\nJournal and plots in {out}")
