"""Per-fit time limits: the ``fit_timeout`` parameter of every search.

A fit that hangs (an SVC with a huge ``C``, a solver that does not converge)
would otherwise hold its worker, and the search, for as long as it runs. A
signal alarm cannot stop it: it only works in a process's main thread, not in
joblib's threads nor in a dask worker's task threads. So, with
``fit_timeout``, each fit (``_fit_and_score``: the fit of one candidate on one
split and its scoring) runs in a child process that the worker forks, and the
worker waits for it for ``fit_timeout`` seconds at most; past them the child
is killed, and the fit is scored as scikit-learn scores a failed fit: the
worker runs ``_fit_and_score`` again with a stand-in estimator whose ``fit``
raises :class:`FitTimeoutError`. Its result is therefore a scikit-learn
failed fit in every respect (``error_score``, ``fit_error`` text, callbacks,
``error_score="raise"``), so the end-of-search fit-failure warning, the
journal (``status="failed"``) and ``cv_results_`` report it as such.

The child is forked with :func:`os.fork` rather than through
:mod:`multiprocessing`, which refuses to start children from daemonic
processes (dask workers, joblib's multiprocessing backend): forking works in
the driver, in loky workers, in joblib's threads and in dask workers alike,
and shares the data copy-on-write instead of pickling it. The child:

- limits OpenMP to one thread: GNU OpenMP (scikit-learn's wheels on Linux)
  hangs in a forked child whose parent already used it;
- sends scikit-learn's callback messages to the driver through their socket,
  as a worker process does, rather than to its own copy of the callbacks;
- returns the result, the warnings it gave (re-emitted in the worker) or the
  exception it raised through a pipe, then leaves with :func:`os._exit`;
- is killed by the kernel when its worker dies (Linux), and otherwise ends
  itself shortly after its deadline, should the worker die without
  killing it.

A worker with other threads (joblib's threading backend, the sliding
window's threads, a dask worker) forks too: Python >= 3.12 warns that a lock
another thread holds stays locked in the child. The child only runs the fit,
and a child that deadlocks all the same is killed at its deadline, as a fit
that hangs. A child that dies (killed for memory, a crash) makes a failed
fit whose error says how it ended, where a dead loky worker would end the
search. Only Linux is tested. Some libraries do not survive a fork (a CUDA
context the worker opened, some macOS system frameworks): their fits fail
under ``fit_timeout``, with the error they raise in the child.

Where :func:`os.fork` does not exist (Windows), the fit runs in a thread that
cannot be stopped: past the timeout the worker stops waiting, scores the fit
as failed and says that the fit was abandoned.
"""

from __future__ import annotations

import contextvars
import copy
import os
import pickle
import selectors
import signal
import struct
import sys
import threading
import time
import traceback
import warnings
from typing import Any, Callable, Iterable

import sklearn
from sklearn.base import BaseEstimator

from sklearn_hpo.utils._compat import forget_callback_connections

__all__ = ["FitTimeoutError", "limit_fit_time"]

# Seconds a child outlives its deadline before its own alarm ends it (only if
# the worker that forked it died before killing it).
_GRACE = 5.0
_CHUNK = 1 << 16
# The child's message is its length then its bytes: the parent must not wait
# for the pipe's end, which a child another thread forked meanwhile may hold
# open (it inherits every file of the process) for as long as it runs.
_HEADER = struct.Struct("<Q")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class FitTimeoutError(RuntimeError):
    """A fit ran past the search's ``fit_timeout``.

    It is the error of the failed fit, in its ``fit_error`` text (and raised
    from ``fit`` with ``error_score="raise"``).
    """


def limit_fit_time(tasks: Iterable, fit_timeout: float | None) -> Iterable:
    """joblib tasks ``(function, args, kwargs)`` stopped after ``fit_timeout`` s.

    Parameters
    ----------
    tasks : iterable of tuple
        The ``delayed(_fit_and_score)(...)`` tasks of ``evaluate_candidates``.
    fit_timeout : float or None
        Seconds per task; None returns ``tasks`` unchanged.

    Returns
    -------
    iterable of tuple
        The tasks, each function wrapped in a :class:`TimedFit` (lazily: a
        generator stays one).
    """
    if fit_timeout is None:
        return tasks
    return ((_timed(f, fit_timeout), args, kwargs) for f, args, kwargs in tasks)


def _timed(function: Callable, timeout: float) -> Callable:
    """``function`` run under ``timeout``.

    scikit-learn's ``delayed`` wraps the function in an object (its
    ``function`` attribute) that its ``Parallel`` gives the caller's
    configuration and warning filters, and that warns if it is missing; the
    time limit goes inside that wrapper (a copy of it), so that the fit in
    the child and the failed fit of a timeout see them.
    """
    inner = getattr(function, "function", None)
    if callable(inner) and not isinstance(function, type):
        wrapper = copy.copy(function)
        wrapper.function = TimedFit(inner, timeout)
        return wrapper
    return TimedFit(function, timeout)


class TimedFit:
    """``function`` (``_fit_and_score``) run in a child stopped after ``timeout`` s.

    Picklable, to be shipped to joblib's workers with the task.

    Parameters
    ----------
    function : callable
        The task's function.
    timeout : float
        Seconds.
    """

    def __init__(self, function: Callable, timeout: float) -> None:
        self.function = function
        self.timeout = float(timeout)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        run = _run_forked if hasattr(os, "fork") else _run_in_thread
        start = time.monotonic()
        outcome = run(self.function, args, kwargs, self.timeout)
        kind = outcome[0]
        if kind == "ok":
            for message, category, filename, lineno in outcome[2]:
                warnings.warn_explicit(message, category, filename, lineno)
            return outcome[1]
        if kind == "error":
            if outcome[2] is None:
                raise outcome[1]
            raise outcome[1] from _ChildTraceback(outcome[2])
        elapsed = time.monotonic() - start
        parameters = kwargs.get("parameters")
        if kind == "timeout":
            error: Exception = FitTimeoutError(
                f"fit exceeded fit_timeout={self.timeout:g} s (parameters "
                f"{parameters!r}); {outcome[1]}"
            )
        else:  # the child died before it returned anything
            error = ChildProcessError(
                f"the process of the fit ended without a result ({outcome[1]}; "
                f"parameters {parameters!r})"
            )
        return self._failed(error, args, kwargs, elapsed)

    def _failed(self, error: Exception, args: tuple, kwargs: dict, elapsed: float):
        """The task's result for a fit that failed with ``error``: computed
        by the task's own function, with a stand-in estimator raising it."""
        stand_in = _FailedFit(error)
        if args:
            args = (stand_in, *args[1:])
        else:
            kwargs = {**kwargs, "estimator": stand_in}
        result = self.function(*args, **kwargs)
        if isinstance(result, dict) and "fit_time" in result:
            result["fit_time"] = elapsed
        return result


class _ChildTraceback(Exception):
    """The traceback of an error raised in the fit's child process."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


class _FailedFit(BaseEstimator):
    """Estimator whose ``fit`` raises the error of a fit that did not return."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def set_params(self, **params: Any) -> _FailedFit:
        return self  # the candidate's parameters, which were already set once

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> _FailedFit:
        raise self.error


# ------------------------------------------------------------------ fork
def _run_forked(function: Callable, args: tuple, kwargs: dict, timeout: float):
    """``("ok", result, warnings)``, ``("error", exception)``,
    ``("timeout", note)`` or ``("died", note)``."""
    for stream in (sys.stdout, sys.stderr):
        # Else the child would print the parent's pending output again.
        try:
            stream.flush()
        except Exception:
            pass
    read_fd, write_fd = os.pipe()
    deadline = time.monotonic() + timeout
    parent = os.getpid()
    openmp = _openmp_libraries()
    try:
        pid = os.fork()
    except BaseException:  # no process (EAGAIN, ENOMEM): the pipe's ends go
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(write_fd, function, args, kwargs, timeout, parent, openmp)
    os.close(write_fd)
    data = None
    try:
        data = _read(read_fd, deadline)
    finally:
        os.close(read_fd)
        if data is None:  # past the deadline, or interrupted: stop the fit
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if data is None:
        return ("timeout", "the fit was stopped")
    if not data:
        return ("died", _describe(status))
    return pickle.loads(data)


def _read(fd: int, deadline: float) -> bytes | None:
    """The child's message on ``fd``; None at ``deadline``, and ``b""`` when
    the pipe ends before a whole message (the child died)."""
    buffer = bytearray()
    expected = None
    while expected is None or len(buffer) < expected:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        with selectors.DefaultSelector() as selector:
            # Not select.select: a dask worker may hold more than 1024 files.
            selector.register(fd, selectors.EVENT_READ)
            if not selector.select(remaining):
                return None
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b""
        buffer += chunk
        if expected is None and len(buffer) >= _HEADER.size:
            expected = _HEADER.size + _HEADER.unpack_from(buffer)[0]
    return bytes(buffer[_HEADER.size : expected])


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # ended meanwhile (it is still reaped)
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by signal {name}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _child(
    write_fd: int,
    function: Callable,
    args: tuple,
    kwargs: dict,
    timeout: float,
    parent: int,
    openmp: Any,
) -> None:
    status = 1
    try:
        _end_with(parent)
        # The child is its process's main thread: it may set an alarm. Its
        # default action ends the child if nobody else does.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, timeout + _GRACE)
        _limit_openmp(openmp)
        forget_callback_connections()
        with warnings.catch_warnings(record=True) as caught:
            try:
                outcome: tuple = ("ok", function(*args, **kwargs), [])
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                outcome = ("error", exc, traceback.format_exc())
        if outcome[0] == "ok":
            outcome = ("ok", outcome[1], [_warning(w) for w in caught])
        _write(write_fd, _dumps(outcome))
        status = 0
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def _end_with(parent: int) -> None:
    """On Linux, have the kernel kill the child when its worker dies (a loky
    worker ended on Ctrl-C, a dask worker restarted) rather than at its
    alarm."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # no prctl: the alarm will do
        return
    if os.getppid() != parent:  # the worker died before the call
        os._exit(1)


# (len(sys.modules), the OpenMP libraries loaded) of this process.
_openmp_cache: tuple[int, Any] | None = None


def _openmp_libraries() -> Any:
    """threadpoolctl's controller of the OpenMP libraries loaded here.

    Finding them takes tens of milliseconds, and they are loaded by the
    imports of extension modules: the answer is kept until a module is
    imported. None with threadpoolctl < 3 (no controller).
    """
    global _openmp_cache
    n_modules = len(sys.modules)
    if _openmp_cache is None or _openmp_cache[0] != n_modules:
        try:
            from threadpoolctl import ThreadpoolController

            found = ThreadpoolController().select(user_api="openmp")
        except Exception:
            found = None
        _openmp_cache = (n_modules, found)
    return _openmp_cache[1]


def _limit_openmp(openmp: Any) -> None:
    try:
        if openmp is not None:
            openmp.limit(limits=1)
            return
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="openmp")
    except Exception:  # no OpenMP library loaded
        pass


def _warning(w: warnings.WarningMessage) -> tuple:
    category = w.category
    try:
        pickle.dumps(category)
    except Exception:
        category = UserWarning
    return (str(w.message), category, w.filename, w.lineno)


def _dumps(outcome: tuple) -> bytes:
    try:
        return pickle.dumps(outcome)
    except Exception:
        pass
    if outcome[0] == "error":
        exc = RuntimeError(
            f"The fit failed with an error that cannot be pickled: {outcome[1]!r}"
        )
        return pickle.dumps(("error", exc, outcome[2]))
    try:
        from joblib.externals import cloudpickle

        return cloudpickle.dumps(outcome)
    except Exception as exc:
        error = RuntimeError(f"The result of the fit cannot be pickled: {exc!r}")
        return pickle.dumps(("error", error, None))


def _write(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


# --------------------------------------------------------------- thread
def _run_in_thread(function: Callable, args: tuple, kwargs: dict, timeout: float):
    """The same outcomes as :func:`_run_forked`, from a thread that is
    abandoned (left running) past the timeout."""
    box: dict[str, Any] = {}
    config = sklearn.get_config()
    context = contextvars.copy_context()

    def target() -> None:
        # Its warnings are the process's, as those of joblib's threads.
        try:
            with sklearn.config_context(**config):
                box["outcome"] = ("ok", function(*args, **kwargs), [])
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["outcome"] = ("error", exc, None)

    thread = threading.Thread(
        target=context.run, args=(target,), name="sklearn_hpo-fit", daemon=True
    )
    thread.start()
    thread.join(timeout)
    if thread.is_alive() or "outcome" not in box:
        return (
            "timeout",
            "the fit could not be stopped on this platform (no os.fork) and was "
            "abandoned: it may still be running in a thread",
        )
    return box["outcome"]
