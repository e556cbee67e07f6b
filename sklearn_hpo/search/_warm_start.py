"""Warm-start reuse of fitted models between the rungs of successive halving.

When the resource is a parameter that the estimator can grow with
``warm_start=True`` (``n_estimators`` of forests and gradient boosting,
``max_iter`` of HistGradientBoosting, MLP or SGD, also inside a pipeline), a
candidate promoted to the next rung continues from the model it fitted on the
same training fold instead of being retrained from scratch.

During the search's ``fit`` the estimator is wrapped in :class:`WarmStartProxy`,
which forwards ``get_params``/``set_params`` (so ``cv_results_`` is unchanged)
and looks its fitted models up in a :class:`ModelStore` keyed by (candidate,
training fold). A missing model is never an error: the candidate is then
retrained from scratch, which gives the same scores wherever warm start is
exact. The refit on the whole data never uses the store.

A store on disk is a ``sklearn_hpo_warm_*`` directory of the temporary
directory, holding a ``.lock`` file that its process keeps locked while the
store is open. A process killed with SIGKILL cannot remove its directory; its
lock ends with it, and the next store made in any process removes every such
directory whose lock it can take (POSIX systems; elsewhere nothing is locked
and only a closed store is removed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from typing import Any

import joblib
from sklearn.base import clone
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline

from sklearn_hpo.search._fit_proxy import FitProxy
from sklearn_hpo.utils._compat import num_samples

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

try:  # a dependency of joblib >= 1.5; older ones vendor it
    import cloudpickle
except ImportError:  # pragma: no cover
    try:
        from joblib.externals import cloudpickle
    except ImportError:
        cloudpickle = None

from ._reuse_bins import reusing_bins

__all__ = [
    "GROWN_BY_WARM_START",
    "ModelStore",
    "WarmStartProxy",
    "candidate_key",
    "fingerprint",
    "model_key",
    "remove_stale_stores",
    "resolve_warm_start",
    "resource_owner",
]


def resource_owner(estimator: Any, resource: str) -> tuple[Any, str]:
    """The (sub-)estimator owning a nested parameter, and its local name.

    ``"clf__n_estimators"`` on a pipeline gives the ``clf`` step and
    ``"n_estimators"``.

    Raises
    ------
    KeyError
        When a prefix of ``resource`` is not a parameter of ``estimator``.
    """
    prefix, _, name = resource.rpartition("__")
    owner = estimator.get_params(deep=True)[prefix] if prefix else estimator
    return owner, name


# Parameters that a warm-started estimator grows: the number of ensemble
# members, or of iterations (counted in total by HistGradientBoosting, added
# by MLP, SGD and linear models). Any other parameter changes the model that a
# continuation would start from.
GROWN_BY_WARM_START = ("n_estimators", "max_iter")


def _has_warm_start(owner: Any) -> bool:
    try:
        return "warm_start" in owner.get_params(deep=False)
    except Exception:  # not an estimator (e.g. "passthrough")
        return False


def resolve_warm_start(estimator: Any, resource: str, warm_start: Any) -> bool:
    """Whether the search reuses fitted models between rungs.

    Parameters
    ----------
    estimator : estimator
        The search's estimator.
    resource : str
        The search's resource.
    warm_start : {"auto"} or bool
        The search's ``warm_start``. Any other value gives False (parameter
        validation reports it).

    Returns
    -------
    bool
        ``"auto"``: whether the resource is a parameter that warm start
        grows (``n_estimators`` or ``max_iter``, see ``GROWN_BY_WARM_START``)
        of an estimator with a ``warm_start`` parameter, itself or a step of
        (nested) pipelines. ``True``: the same, except that any parameter
        name is accepted (as iterations added by each warm fit, as
        ``max_epochs`` of some neural-network wrappers).

    Raises
    ------
    ValueError
        ``warm_start=True`` with ``resource="n_samples"``, on an estimator
        whose resource owner has no ``warm_start`` parameter, or whose owner
        is inside a meta-estimator other than a Pipeline without ``memory``
        (which fits a clone of it, so no fitted model could be continued).
    """
    if warm_start is not True and warm_start != "auto":
        return False
    if resource == "partial_fit":
        return True
    if resource == "n_samples":
        if warm_start is True:
            raise ValueError(
                "warm_start=True needs the resource to be a parameter of the "
                "estimator (such as 'n_estimators' or 'max_iter'), got "
                "resource='n_samples'; use warm_start='auto' or False."
            )
        return False
    try:
        owner, name = resource_owner(estimator, resource)
        known = name in owner.get_params(deep=False)
    except Exception:  # an unknown resource: check_resource reports it
        return False
    if not known:
        return False
    container = _cloning_container(estimator, resource)
    if container is not None:
        if warm_start is True:
            raise ValueError(
                f"warm_start=True but resource={resource!r} belongs to an "
                f"estimator inside {container}, which fits a clone of it: a "
                "promoted candidate's model could not be continued; use "
                "warm_start='auto' or False to retrain at every rung."
            )
        return False
    if not _has_warm_start(owner):
        if warm_start is True:
            raise ValueError(
                f"warm_start=True but {type(owner).__name__}, which owns "
                f"resource={resource!r}, has no warm_start parameter; use "
                "warm_start='auto' or False to retrain at every rung."
            )
        return False
    # "auto" continues only the parameters known to grow the model: another
    # one (max_depth, C) would continue a model fitted with a different value
    # of it, and the scores would be those of neither. warm_start=True is the
    # user's statement that the parameter grows (each warm fit adds that
    # many iterations).
    return warm_start is True or name in GROWN_BY_WARM_START


def _cloning_container(estimator: Any, resource: str) -> str | None:
    """The name of the first estimator on ``resource``'s path that is not a
    Pipeline without ``memory`` (and so may fit a clone of the resource's
    owner instead of the owner itself), or None."""
    current = estimator
    for part in resource.split("__")[:-1]:
        if not isinstance(current, Pipeline) or current.memory is not None:
            return type(current).__name__
        steps = dict(current.steps)
        if part not in steps:
            return type(current).__name__
        current = steps[part]
    return None


def _continues(owner: Any, n_samples: int) -> bool:
    """Whether ``owner``, as configured, continues its fitted model when
    ``warm_start=True`` as a fresh fit would train it.

    liblinear (LogisticRegression's solver) ignores ``warm_start`` and would
    train only the missing iterations; bagging refuses ``warm_start`` with
    ``oob_score=True``. Gradient boosting with early stopping
    (``n_iter_no_change``; HistGradientBoosting's ``early_stopping``, "auto"
    above 10,000 samples) restarts its stopping criterion at every fit, so a
    continued model trains past the point where a fresh fit stops.
    """
    if isinstance(owner, (BaggingClassifier, BaggingRegressor)) and getattr(
        owner, "oob_score", False
    ):
        return False
    boosting = (GradientBoostingClassifier, GradientBoostingRegressor)
    if isinstance(owner, boosting) and owner.n_iter_no_change is not None:
        return False
    hist = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
    if isinstance(owner, hist):
        stopping = owner.early_stopping
        if stopping is True or (stopping == "auto" and n_samples > 10_000):
            return False
    return getattr(owner, "solver", None) != "liblinear"


def fingerprint(obj: Any) -> str | None:
    """A hash of ``obj`` that keys saved models, or None if it has none.

    ``joblib.hash`` pickles; what plain pickle cannot save (a lambda passed as
    a fit parameter, such as GradientBoosting's ``monitor``, or inside a
    searched value) is hashed from its cloudpickle bytes instead. An object
    neither can pickle has no fingerprint: its fits are not continued.
    """
    try:
        return joblib.hash(obj)
    except Exception:
        pass
    if cloudpickle is None:  # pragma: no cover
        return None
    try:
        return hashlib.sha1(cloudpickle.dumps(obj)).hexdigest()
    except Exception:
        return None


def candidate_key(params: dict, resource: str) -> str | None:
    """A hash of a candidate's parameters, without the resource.

    A searched estimator that holds the resource (``"clf"`` for
    ``resource="clf__n_estimators"``) is hashed with the resource unset: the
    search sets the resource on that very object at every rung.
    """
    items = []
    for name, value in params.items():
        if name == resource:
            continue
        if resource.startswith(name + "__") and hasattr(value, "set_params"):
            try:
                value = clone(value).set_params(**{resource[len(name) + 2 :]: None})
            except Exception:  # not a parameter of it after all: hash as is
                pass
        items.append((name, value))
    return fingerprint(sorted(items, key=lambda item: item[0]))


def model_key(params: dict, resource: str, data: tuple) -> tuple | None:
    """Key of a candidate's saved model on one fold, or None if it has none.

    ``data`` is ``(X, y, fit_params)``; the key holds the candidate's
    parameters without the resource, the fold's data and the fit parameters.
    """
    X, y, fit_params = data
    parts = (
        candidate_key(params, resource),
        fingerprint((X, y)),
        fingerprint(fit_params) if fit_params else "",
    )
    return None if None in parts else parts


def _counts_in_total(owner: Any, name: str) -> bool:
    """Whether a warm fit with resource ``r`` trains up to ``r`` units in total.

    True for ``n_estimators`` (forests, gradient boosting, bagging) and
    HistGradientBoosting's ``max_iter``; otherwise (MLP, SGD, linear models)
    every warm fit runs ``max_iter`` more iterations, so a continuation is
    given the difference of the resources.
    """
    return name == "n_estimators" or isinstance(
        owner, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
    )


class ModelStore:
    """Fitted models of a search, keyed by (candidate, training fold).

    In memory when the search runs in one process, otherwise as
    ``joblib.dump`` files in a temporary directory that process-based joblib
    workers share (workers that cannot see it simply miss and retrain). A
    model that pickle cannot save (a lambda in a ``FunctionTransformer``, a
    class defined in ``__main__``) is saved with cloudpickle, as joblib ships
    tasks to its workers; one that neither can save is not kept, and its
    candidate is retrained at the next rung.

    Parameters
    ----------
    on_disk : bool
        Whether to keep the models in a temporary directory.
    """

    def __init__(self, on_disk: bool) -> None:
        remove_stale_stores()
        self.directory: str | None = None
        self._lock: int | None = None
        if on_disk:
            self.directory = tempfile.mkdtemp(prefix=STORE_PREFIX)
            self._lock = _lock_directory(self.directory)
        self.active = True  # False after the search: the refit never warm-starts
        self.saving = True  # False in a bracket's last rung: nothing continues
        # The asynchronous scheduler's highest resource (nothing continues
        # from it); None saves whatever ``saving`` allows.
        self.final_resource: int | None = None
        self._models: dict[tuple[str, ...], tuple[int, Any]] = {}

    def __getstate__(self) -> dict:
        # Shipped to a worker: the in-memory models stay in the driver, and
        # the lock is the driver's own.
        return {**self.__dict__, "_models": {}, "_lock": None}

    def saves(self, resource: int) -> bool:
        """Whether a model fitted with ``resource`` is kept for a continuation."""
        final = self.final_resource
        return self.saving and (final is None or resource < final)

    def _path(self, key: tuple[str, ...]) -> str:
        return os.path.join(self.directory, "-".join(key) + ".joblib")

    def _files(self) -> list[str]:
        # The models' files: the lock file's name starts with a dot.
        return [n for n in os.listdir(self.directory) if not n.startswith(".")]

    def load(self, key: tuple[str, ...]) -> tuple[int, Any] | None:
        """``(resource, model)`` saved for ``key`` (removed from memory), or None."""
        if self.directory is None:
            return self._models.pop(key, None)
        try:
            return joblib.load(self._path(key))
        except Exception:  # missing, or unreadable here: retrain
            return None

    def save(self, key: tuple[str, ...], resource: int, model: Any) -> None:
        """Keep ``model``, fitted with ``resource``, for ``key``."""
        if self.directory is None:
            self._models[key] = (resource, model)
            return
        path = self._path(key)
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            try:
                joblib.dump((resource, model), tmp)
            except Exception:
                if cloudpickle is None:
                    raise
                with open(tmp, "wb") as file:
                    cloudpickle.dump((resource, model), file)
        except Exception:  # not savable: the candidate retrains next rung
            try:
                os.remove(tmp)
            except OSError:
                pass
            return
        os.replace(tmp, path)  # atomic: a reader never sees half a file

    def keep(self, candidate_keys: set[str]) -> None:
        """Drop the models of every candidate not in ``candidate_keys``."""
        if self.directory is None:
            for key in [k for k in self._models if k[0] not in candidate_keys]:
                del self._models[key]
            return
        for name in self._files():
            if name.split("-", 1)[0] not in candidate_keys:
                try:
                    os.remove(os.path.join(self.directory, name))
                except OSError:
                    pass

    def __len__(self) -> int:
        if self.directory is None:
            return len(self._models)
        return len(self._files())

    def close(self) -> None:
        """Drop every model and the directory; later fits retrain."""
        self.active = False
        self._models.clear()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


# The directories of the stores on disk, in the temporary directory, and the
# file each holds locked while its store is open.
STORE_PREFIX = "sklearn_hpo_warm_"
_LOCK_NAME = ".lock"


def _lock_directory(directory: str) -> int | None:
    """Lock a new store's directory; the descriptor that holds the lock.

    The lock file is locked under another name, then renamed: a process
    looking for stale stores never finds it unlocked.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return None
    new = os.path.join(directory, _LOCK_NAME + ".new")
    fd = os.open(new, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(new, os.path.join(directory, _LOCK_NAME))
    except OSError:  # a file system without locks: nothing is ever stale
        os.close(fd)
        with contextlib.suppress(OSError):
            os.remove(new)
        return None
    return fd


def remove_stale_stores(parent: str | None = None) -> list[str]:
    """Remove the store directories that no open store holds.

    They are left by processes that ended without closing their store (a
    SIGKILL, a crash); an open store holds its lock, even in another process.
    Directories without a lock file (one being made, or made elsewhere) are
    left alone, as are those of other users (unreadable).

    Parameters
    ----------
    parent : str or None, default=None
        The directory to look in; None is the temporary directory.

    Returns
    -------
    list of str
        The directories removed.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return []
    parent = tempfile.gettempdir() if parent is None else parent
    try:
        names = [n for n in os.listdir(parent) if n.startswith(STORE_PREFIX)]
    except OSError:
        return []
    removed = []
    for name in names:
        directory = os.path.join(parent, name)
        try:
            fd = os.open(os.path.join(directory, _LOCK_NAME), os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its store is open
            os.close(fd)
            continue
        try:
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
        finally:
            os.close(fd)
    return removed


class WarmStartProxy(FitProxy):
    """Estimator wrapper that continues each candidate from its previous rung.

    Parameters
    ----------
    estimator : estimator
        The estimator of the search.
    resource : str
        The resource parameter (nested names allowed).
    store : ModelStore
        Where fitted models are kept; shared by the clones.
    """

    _fields = (*FitProxy._fields, "resource")

    def __init__(self, estimator: Any, resource: str, store: ModelStore) -> None:
        super().__init__(estimator, store)
        self.resource = resource

    def _wrap(self, estimator: Any) -> WarmStartProxy:
        return WarmStartProxy(estimator, self.resource, self.store)

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> WarmStartProxy:
        """Fit, continuing the model saved for this candidate and fold if any."""
        resource = self._params.get(self.resource)
        owner, name = resource_owner(self.estimator, self.resource)
        if (
            not self.store.active
            or resource is None
            or not _has_warm_start(owner)
            or not _continues(owner, num_samples(X))
        ):
            self.estimator.fit(X, y, **fit_params)
            return self
        key = model_key(self._params, self.resource, (X, y, fit_params))
        if key is None:  # nothing to key a saved model with: retrain
            self.estimator.fit(X, y, **fit_params)
            return self
        saved = self.store.load(key)
        if not (
            saved is not None
            and saved[0] < resource
            and self._continue(saved, X, y, fit_params, name, resource)
        ):
            if self.store.saves(resource):
                with reusing_bins(owner):  # records what it binned
                    self.estimator.fit(X, y, **fit_params)
            else:
                self.estimator.fit(X, y, **fit_params)
        if self.store.saves(resource):
            self.store.save(key, resource, self.estimator)
        return self

    def _continue(
        self,
        saved: tuple[int, Any],
        X: Any,
        y: Any,
        fit_params: dict,
        name: str,
        resource: int,
    ) -> bool:
        """Grow the saved model to ``resource``; whether that succeeded.

        A continuation that fails (a setting that refuses warm start) is
        not the candidate's failure: the caller then retrains it from
        scratch, which fails only if the candidate itself does.
        """
        previous, model = saved
        model_owner, _ = resource_owner(model, self.resource)
        total = _counts_in_total(model_owner, name)
        more = resource if total else resource - previous
        model_owner.set_params(warm_start=True, **{name: more})
        try:
            with reusing_bins(model_owner):
                model.fit(X, y, **fit_params)
        except Exception:
            return False
        model_owner.set_params(**{name: resource})
        self.estimator = model
        return True
