"""Helpers for the journal tests: child Python processes that use the journal."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Children import sklearn_hpo.journal under a bare sklearn_hpo package, without
# running sklearn_hpo/__init__.py (which imports the searches, hence
# scikit-learn): the journal must work on its own, and children start fast.
PRELUDE = f"""
import sys, types
_package = types.ModuleType("sklearn_hpo")
_package.__path__ = [{str(ROOT / "sklearn_hpo")!r}]
sys.modules["sklearn_hpo"] = _package
"""


def child_command(code: str) -> list:
    """argv running ``code`` (after the prelude) in a new Python process."""
    return [sys.executable, "-u", "-c", PRELUDE + code]


def child_env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")


@pytest.fixture
def run_child():
    """Run ``code`` in a child process to completion; return its stdout."""

    def run(code: str, timeout: float = 120) -> str:
        done = subprocess.run(
            child_command(code),
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.fixture
def start_child():
    """Start ``code`` in a child process (pipes on stdin and stdout)."""
    children = []

    def start(code: str) -> subprocess.Popen:
        child = subprocess.Popen(
            child_command(code),
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=60)
