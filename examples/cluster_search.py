"""
From laptop to cluster: the same search on a dask cluster, through joblib
=========================================================================

Runs a TPESearchCV of an SVC pipeline on digits twice: with joblib's default
(loky) worker processes, then on a dask cluster, and checks that both find
the same candidates with the same scores. With no scheduler address the
cluster is an in-process ``LocalCluster`` of two worker processes, so the
script runs anywhere dask is installed (``pip install ".[dask]"``); give the
address of a real scheduler to run there instead (every worker needs
scikit-learn and sklearn_hpo installed).

With ``--kill``, one of the cluster's worker processes is killed (SIGKILL)
in the middle of the search: the fits it was running are rerun elsewhere and
the search ends with the same results (the LocalCluster's nanny starts a new
worker in its place).

Run: python examples/cluster_search.py [--scheduler tcp://host:8786] [--kill]
"""

import argparse
import os
import signal
import threading
import time

import joblib
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hpo import Real, TPESearchCV


def make_search():
    pipe = make_pipeline(StandardScaler(), SVC())
    space = {
        "svc__C": Real(1e-2, 1e3, log=True),
        "svc__gamma": Real(1e-5, 1e-1, log=True),
    }
    return TPESearchCV(
        pipe, space, n_iter=16, n_initial_points=6, n_points=2, cv=3, n_jobs=-1,
        random_state=0,
    )  # fmt: skip


def kill_a_worker_soon(client, seconds):
    """SIGKILL one worker process after ``seconds`` (local workers only)."""
    pid = min(client.run(os.getpid).values())

    def kill():
        time.sleep(seconds)
        print(f"killing worker process {pid}")
        os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(
        description="The same search on loky and on a dask cluster."
    )
    parser.add_argument("--scheduler", help="a dask scheduler's address")
    parser.add_argument("--kill", action="store_true", help="kill a worker")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    X, y = load_digits(return_X_y=True)

    start = time.perf_counter()
    on_loky = make_search().fit(X, y)
    print(f"loky: best {on_loky.best_score_:.4f} in {time.perf_counter() - start:.1f}s")

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
        client = Client(cluster)
    try:
        if args.kill:
            kill_a_worker_soon(client, seconds=2.0)
        start = time.perf_counter()
        # The one change: fit inside joblib's dask backend.
        with joblib.parallel_config(backend="dask"):
            on_dask = make_search().fit(X, y)
        elapsed = time.perf_counter() - start
        print(f"dask: best {on_dask.best_score_:.4f} in {elapsed:.1f}s")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    same = (
        on_loky.cv_results_["params"] == on_dask.cv_results_["params"]
        and list(on_loky.cv_results_["mean_test_score"])
        == list(on_dask.cv_results_["mean_test_score"])
    )
    print("best parameters:", on_dask.best_params_)
    print("same candidates and scores on loky and dask:", same)


if __name__ == "__main__":
    main()
