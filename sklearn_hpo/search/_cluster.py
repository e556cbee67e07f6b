"""The search's data on a dask cluster: sent once, and recomputable.

joblib's dask backend scatters every large argument of a ``Parallel`` call
(``X``, ``y``, the splits' index arrays) to one worker, afresh at each call,
and releases it when the call ends. A scattered value has no lineage: when
the only worker holding it dies, the scheduler cannot make it again and
cancels every fit that needs it (``FutureCancelledError``, "lose scattered
data"); joblib does not expect a cancelled future and may wait for it for
ever. ``RandomizedSearchCV`` makes one call, whose data are soon copied to
every worker; a sequential search makes one call per round, so a fresh copy
on one worker is exposed for the whole search.

:class:`ClusterData` instead puts each large argument on the cluster once
per search, as the result of a task that returns it. The scheduler keeps
that task, so a copy lost with a worker is made again, like any lost result,
and the fits that were running on the dead worker are rerun by the
scheduler. The backend finds these futures in its ``data_futures`` mapping
(where joblib keeps what ``parallel_config(backend="dask", scatter=[...])``
broadcast) and does not scatter the arguments again.

A fit that the cluster cannot run (its workers die each time it runs, until
dask gives up with ``KilledWorker``) ends as an error of its future, which
joblib's backend passes to the future it returned but not to the callback
that ``Parallel`` waits on (joblib 1.4 to 1.6): ``Parallel`` would wait for
ever. :class:`ClusterData` also reports such an error to that callback, so
that ``Parallel`` raises it. Nothing else of joblib changes; on any other
backend :meth:`ClusterData.of` returns None.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any, Iterable, Iterator

from sklearn_hpo.utils._compat import parallel_backend

__all__ = ["ClusterData"]

# joblib's threshold for scattering an argument (bytes, ``dask.sizeof``).
_LARGE = 1e3


def _identity(value: Any) -> Any:
    return value


class ClusterData:
    """The large arguments of a search's fits, held by a dask scheduler.

    Parameters
    ----------
    backend : joblib.parallel.ParallelBackendBase
        A ``Parallel``'s backend: joblib's ``DaskDistributedBackend``.
    """

    def __init__(self, backend: Any) -> None:
        from dask.sizeof import sizeof

        self.backend = backend
        self.client = backend.client
        self._sizeof = sizeof
        self._lock = threading.Lock()
        # id(argument) -> (weak reference, future); the backend's
        # ``data_futures`` holds the same futures under the same ids.
        self._held: dict[int, tuple[weakref.ref, Any]] = {}
        if getattr(backend, "supports_retrieve_callback", False):
            # An instance attribute, removed in release().
            backend.submit = self._submit

    def _submit(self, func: Any, callback: Any = None) -> Any:
        future = type(self.backend).submit(self.backend, func, callback)
        if callback is not None:

            def report_error(done: Any) -> None:
                error = done.exception()
                if error is not None:
                    # joblib raises a task's outcome that is an exception;
                    # a second outcome of the same task is ignored.
                    callback(error)

            future.add_done_callback(report_error)
        return future

    @classmethod
    def of(cls, parallel: Any) -> ClusterData | None:
        """A holder for ``parallel``'s data if it runs on dask, else None."""
        backend = parallel_backend(parallel)
        if type(backend).__name__ != "DaskDistributedBackend":
            return None
        if not isinstance(getattr(backend, "data_futures", None), dict):
            return None  # a joblib release whose backend we do not know
        if getattr(backend, "client", None) is None:
            return None
        return cls(backend)

    def hold(self, tasks: Iterable) -> Iterator:
        """Yield ``tasks`` (joblib ``delayed`` calls), their data held first."""
        for task in tasks:
            try:
                _, args, kwargs = task
            except (TypeError, ValueError):
                yield task
                continue
            for value in (*args, *kwargs.values()):
                self._hold(value)
            yield task

    def _hold(self, value: Any) -> None:
        key = id(value)
        if key in self._held or key in self.backend.data_futures:
            return  # held already, or broadcast by the user (``scatter=``)
        try:
            ref = weakref.ref(value, self._forget_callback(key))
        except TypeError:
            return  # joblib sends what it cannot reference inside the task
        if self._sizeof(value) <= _LARGE:
            return
        future = self.client.submit(
            _identity, value, key=f"sklearn-hpo-data-{uuid.uuid4().hex}",
            pure=False,
        )  # fmt: skip
        with self._lock:
            self._held[key] = (ref, future)
            self.backend.data_futures[key] = future

    def _forget_callback(self, key: int) -> Any:
        # An argument that dies (a rung's subset) must leave the mappings
        # before Python can reuse its id for another object.
        def forget(ref: weakref.ref) -> None:
            with self._lock:
                held = self._held.get(key)
                if held is not None and held[0] is ref:
                    del self._held[key]
                    self.backend.data_futures.pop(key, None)

        return forget

    def release(self) -> None:
        """Drop every future (at the end of the search)."""
        if self.backend.__dict__.get("submit") == self._submit:
            del self.backend.submit
        with self._lock:
            for key, (_, future) in self._held.items():
                if self.backend.data_futures.get(key) is future:
                    del self.backend.data_futures[key]
            futures = [future for _, future in self._held.values()]
            self._held.clear()
        for future in futures:
            future.release()
