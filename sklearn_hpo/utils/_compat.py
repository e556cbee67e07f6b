"""The one module that imports private scikit-learn names.

scikit-optimize broke on five scikit-learn releases because private names were
imported all over it. Here they are imported once; ``tests/utils`` checks that
no other module does, and CI runs the suite against both the newest and the
oldest supported scikit-learn (1.4.2 and the newest release).

What the package relies on, and where it is used:

- ``BaseSearchCV``: every search subclasses it (``search/``).
- ``HasMethods``, ``Interval``, ``StrOptions``, ``InvalidParameterError``:
  scikit-learn's parameter validation, for ``_parameter_constraints``.
- ``_num_samples``: the number of samples of any array-like.
- ``sklearn.model_selection._search`` itself: its module-level fit-failure
  check is deferred while one of our searches runs (``search/_dispatch.py``
  documents that patch and the versions it is tested on).
- ``_skl_callbacks``: where scikit-learn >= 1.9 keeps the callbacks of an
  estimator; no public accessor exists.
- ``sklearn.callback._transport``'s registries of listeners and connections
  (scikit-learn >= 1.9): a fit's forked child (``fit_timeout``) forgets the
  copies it inherited, so that its callback messages reach the driver.
- an estimator's ``_parameter_constraints``: the valid values scikit-learn
  declares for each parameter, so that the best-on-a-bound warning leaves out
  a bound no value can lie beyond (``n_neighbors=1``).

Two private joblib names are read here too: ``loky.reusable_executor._executor``,
the worker pool joblib's default backend runs on, which the sliding window
ends on Ctrl-C (``end_loky_workers``; loky's public ``get_reusable_executor``
would build a new pool where none runs, or replace one whose arguments differ
after waiting for its running tasks), and ``Parallel._backend``, the backend
object of a call, whose data a search on dask holds once
(``parallel_backend``, used by ``search/_cluster.py``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import sklearn
import sklearn.model_selection._search as sklearn_search_module
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.validation import _num_samples

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "SKLEARN_VERSION",
    "forget_callback_connections",
    "StrOptions",
    "end_loky_workers",
    "parallel_backend",
    "has_callbacks",
    "is_declared_limit",
    "num_samples",
    "sklearn_search_module",
]

# Number of samples of any array-like (lists, sparse, dataframes), as
# scikit-learn counts them.
num_samples = _num_samples

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])


def has_callbacks(estimator: Any) -> bool:
    """Whether callbacks were registered on ``estimator`` (scikit-learn >= 1.9,
    ``set_callbacks``)."""
    return bool(getattr(estimator, "_skl_callbacks", None))


def is_declared_limit(
    estimator: Any, name: str, side: str, bound: Any, integral: bool
) -> bool:
    """Whether ``bound`` is a closed end of the values scikit-learn declares
    valid for parameter ``name`` (``"svc__C"`` in a pipeline) of ``estimator``.

    ``side`` is ``"lower"`` or ``"upper"``; ``integral`` says whether the
    searched range is of integers (an ``Integral`` interval bounds only those).
    False when nothing is declared.
    """
    owner_name, _, param = name.rpartition("__")
    try:
        owner = estimator.get_params()[owner_name] if owner_name else estimator
    except (KeyError, AttributeError, TypeError):
        return False
    constraints = getattr(owner, "_parameter_constraints", None)
    if not isinstance(constraints, dict):
        return False
    for constraint in constraints.get(param, ()):
        if not isinstance(constraint, Interval):
            continue
        if constraint.type is Integral and not integral:
            continue
        end, closed = (
            (constraint.left, ("left", "both"))
            if side == "lower"
            else (constraint.right, ("right", "both"))
        )
        if end is not None and constraint.closed in closed and end == bound:
            return True
    return False


def end_loky_workers() -> None:
    """End the worker processes of joblib's loky pool, if one runs.

    Their running tasks fail at once (joblib's ``TerminatedWorkerError`` or
    ``ShutdownExecutorError`` in the calls that wait for them); joblib starts
    a new pool at its next call.
    """
    try:
        from joblib.externals.loky import reusable_executor
    except ImportError:  # pragma: no cover - a joblib without loky
        return
    executor = getattr(reusable_executor, "_executor", None)
    if executor is None:
        return
    try:
        executor.shutdown(wait=False, kill_workers=True)
    except Exception:  # already ended, or a loky that ends pools otherwise
        pass


# What a forked child inherited of the callback transport, kept referenced:
# collected, the child's copies would close the sockets they hold.
_inherited_transport: list = []


def forget_callback_connections() -> None:
    """In a forked child: send callback messages as a worker process does.

    scikit-learn's callback transport (>= 1.9) delivers a message in-process
    when its listener is in the process's registry, and otherwise over a
    connection to the listener, cached per process. A child forked from the
    driver has a copy of the registry (messages would stay in the child) and
    a child of a worker a copy of the worker's connections (two processes
    writing on one socket). Emptying the child's registries makes it connect
    afresh. Older scikit-learn: nothing to do.
    """
    try:
        from sklearn.callback import _transport
    except ImportError:
        return
    for name in ("_listeners", "_message_consumers", "_worker_connections"):
        registry = getattr(_transport, name, None)
        if isinstance(registry, dict):
            _inherited_transport.append(dict(registry))
            registry.clear()


def parallel_backend(parallel: Any) -> Any:
    """The backend object of a ``joblib.Parallel`` (None if it has none)."""
    return getattr(parallel, "_backend", None)
