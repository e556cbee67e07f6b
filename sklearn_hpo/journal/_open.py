"""Opening a journal: :func:`get_storage`, :func:`load_results`, :func:`delete_study`.

The one module that knows every storage class (today SQLite; a server
database behind the same interface would be chosen here, by URL).
"""

from __future__ import annotations

import os
from typing import Any

from sklearn_hpo.journal._results import _pandas, build_results, to_frame
from sklearn_hpo.journal._sqlite import SQLiteStorage
from sklearn_hpo.journal._storage import (
    _URL,
    BaseStorage,
    StorageLike,
    _redact,
)

__all__ = ["delete_study", "get_storage", "load_results"]


def load_results(
    path: str | os.PathLike[str] | Any,
    study: str | None = None,
    *,
    as_frame: bool = False,
) -> Any:
    """Read a journal's study as a ``cv_results_``-shaped dict (or DataFrame).

    Safe while a search is writing to the journal in another process: the
    result is a consistent snapshot of the rows committed so far. The file is
    opened read-only.

    Parameters
    ----------
    path : str, os.PathLike or BaseStorage
        The journal: a path to its file, an ``sqlite:///path`` URL, or an open
        storage.
    study : str or None, default=None
        The study's name; None reads the only study of the journal.
    as_frame : bool, default=False
        Return a pandas DataFrame (one row per candidate) instead of a dict.

    Returns
    -------
    results : dict of str to numpy array, or pandas.DataFrame
        Keys as in scikit-learn's ``GridSearchCV.cv_results_``: ``params``,
        ``param_<name>`` (masked arrays, masked where a candidate has no such
        parameter), ``split<k>_test_<metric>``, ``mean_test_<metric>``,
        ``std_test_<metric>``, ``rank_test_<metric>`` (a search with one
        metric has ``mean_test_score`` etc.), the ``train`` columns when they
        were recorded, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``; then ``round``, ``bracket``,
        ``rung``, ``resource`` when recorded, the strategy's extra columns,
        ``status`` (``"ok"`` or ``"failed"``) and ``error`` (the failed
        candidates' error text, else None). Rows are in index order.

    Raises
    ------
    JournalError
        If the file is not a journal or is corrupt, if ``study`` is not in it,
        or if ``study`` is None and the journal holds several studies (the
        message lists their names).
    FileNotFoundError
        If there is no file at ``path``.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_hpo.journal import CandidateRecord, SQLiteStorage, load_results
    >>> path = os.path.join(tempfile.mkdtemp(), "search.db")
    >>> with SQLiteStorage(path) as storage:
    ...     study = storage.open_study("demo", {"space": "ab12"})
    ...     study.record(CandidateRecord(0, {"C": 1.0}, {"score": [0.8, 0.9]}))
    ...     study.record(CandidateRecord(1, {"C": 0.1}, {"score": [0.9, 1.0]}))
    >>> results = load_results(path)
    >>> results["mean_test_score"], results["rank_test_score"]
    (array([0.85, 0.95]), array([2, 1], dtype=int32))
    """

    if as_frame:
        _pandas()  # fail before reading
    if isinstance(path, str) and "?study=" in path:  # as storage= takes it
        path, _, name = path.partition("?study=")
        study = study if study is not None else (name or None)
    storage = get_storage(path, read_only=True)
    if storage is None:
        raise TypeError("load_results needs a journal: path=None.")
    try:
        found = storage.get_study(study)
        rows = storage._read_rows(found._key, strict=False)
    finally:
        if not isinstance(path, BaseStorage):
            storage.close()
    results = build_results(rows)
    return to_frame(results) if as_frame else results


def get_storage(storage: Any, *, read_only: bool = False) -> BaseStorage | None:
    """The storage a search's ``storage`` parameter designates.

    Parameters
    ----------
    storage : None, str, os.PathLike or BaseStorage
        None (no journal: returns None); a path to an SQLite file, created if
        missing, or an ``sqlite:///path`` URL (``sqlite:////abs/path`` for an
        absolute path); or a storage object, returned as it is (its owner
        closes it).
    read_only : bool, default=False
        Open a path without writing to it (the file must exist).

    Returns
    -------
    storage : BaseStorage or None
        A new storage for a path or URL (the caller closes it), the object
        given, or None.

    Raises
    ------
    ValueError
        For a URL of another database (not supported yet) or an empty path.
    TypeError
        For a value of another type.
    JournalError
        If the file is not a journal, is corrupt, or has a newer schema.
    """
    if storage is None or isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if isinstance(storage, bytes) or not isinstance(storage, str):
        raise TypeError(
            "storage must be None, a path to an SQLite file (str or os.PathLike), "
            f"an 'sqlite:///path' URL or a BaseStorage, got {storage!r:.200} "
            f"({type(storage).__name__})."
        )
    match = _URL.match(storage)
    if match:
        scheme = match.group(1).lower()
        if scheme != "sqlite":
            raise ValueError(
                f"storage={_redact(storage)!r}: {scheme!r} databases are not "
                "supported yet; give a path to an SQLite file (or an "
                "'sqlite:///path' URL)."
            )
        path = storage[len("sqlite:///") :] if storage.startswith("sqlite:///") else ""
        if not path:
            raise ValueError(
                f"storage={storage!r}: an SQLite URL is 'sqlite:///relative/path' or "
                "'sqlite:////absolute/path'."
            )
        storage = path
    if not storage:
        raise ValueError("storage='' is not a path; give a file name or None.")
    return SQLiteStorage(storage, read_only=read_only)


def delete_study(storage: StorageLike, name: str) -> None:
    """Delete the study ``name`` from a journal (a path, URL or storage).

    Raises
    ------
    JournalError
        If the journal holds no study ``name``.
    """
    opened = get_storage(storage)
    if opened is None:
        raise TypeError("storage=None: there is no journal to delete a study from.")
    try:
        opened.delete_study(name)
    finally:
        if opened is not storage:
            opened.close()
