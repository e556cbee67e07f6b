"""Smoke tests of benchmarks/bench_asha.py's bookkeeping; nothing is timed."""

import json

import pytest

from benchmarks import bench_asha as B


def test_summary_speedups_and_table():
    rows = [
        {"task": "sleep", "search": "sh", "scheduler": s, "n_jobs": n, "seed": 0,
         "wall_s": w, "n_fits": 10, "units": 40.0, "fits_per_s": 10 / w,
         "units_per_s": 40.0 / w, "idle_fraction": 0.1, "best_score": -1.0}
        for s, n, w in [("sync", 1, 4.0), ("sync", 2, 2.5), ("async", 1, 4.0),
                        ("async", 2, 2.0)]
    ]  # fmt: skip
    summary = B.summarize(rows)
    speedup = {(s["scheduler"], s["n_jobs"]): s["speedup"] for s in summary}
    assert speedup == {("sync", 1): 1.0, ("sync", 2): 1.6, ("async", 1): 1.0,
                       ("async", 2): 2.0}  # fmt: skip
    text = B.table(summary)
    assert "2.00x" in text and "1.60x" in text


@pytest.mark.slow  # about 20 s: sleeping fits and two worker pools
def test_one_quick_run_writes_the_results(tmp_path):
    out = tmp_path / "asha.json"
    B.main(["--quick", "--repeats", "1", "--tasks", "sleep", "--searches", "sh",
            "--out", str(out)])  # fmt: skip
    record = json.loads(out.read_text())
    assert {(s["scheduler"], s["n_jobs"]) for s in record["summary"]} == {
        ("sync", 1), ("sync", 2), ("async", 1), ("async", 2)
    }
    # The same plan: as many fits with either scheduler.
    assert len({r["n_fits"] for r in record["runs"]}) == 1
