"""The storage interface and studies.

A storage holds any number of studies (searches), each a name, a fingerprint
and the rows of its completed candidates. :class:`BaseStorage` is the
interface a backend implements; :class:`~sklearn_hpo.journal.SQLiteStorage`,
an SQLite file, is the embedded one. A server database would be another
subclass, selected by :func:`get_storage` from a URL.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any, Union

from sklearn_hpo.journal._codec import to_jsonable
from sklearn_hpo.journal._fingerprint import Fingerprint
from sklearn_hpo.journal._records import CandidateRecord, JournalError, check_record
from sklearn_hpo.journal._results import build_results, to_frame

__all__ = [
    "BaseStorage",
    "FingerprintMismatchError",
    "Study",
]

StorageLike = Union[str, "os.PathLike[str]", "BaseStorage"]


class FingerprintMismatchError(JournalError):
    """A study exists under the name asked for, but for a different search.

    Attributes
    ----------
    study : str
        The study's name.
    components : list of str
        The fingerprint components that differ.
    """

    def __init__(self, message: str, study: str, components: list[str]) -> None:
        super().__init__(message)
        self.study = study
        self.components = components

    def __reduce__(self) -> tuple:
        return (type(self), (str(self), self.study, self.components))


class BaseStorage(ABC):
    """Interface of a journal's storage: studies and their recorded rows.

    A backend implements the abstract methods; the search layer uses
    :meth:`open_study` and the returned :class:`Study`. Storages are context
    managers that :meth:`close` on exit.
    """

    # -- what a backend implements -------------------------------------------

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the storage is, for messages (a path, or a URL without secrets)."""

    @abstractmethod
    def study_names(self) -> list[str]:
        """Names of the stored studies, oldest first."""

    @abstractmethod
    def delete_study(self, name: str) -> None:
        """Delete the study ``name`` and all its rows.

        Raises
        ------
        JournalError
            If there is no study ``name``.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the storage's connection; closing twice is allowed."""

    @abstractmethod
    def _open_study(
        self, name: str, fingerprint: Fingerprint | None
    ) -> tuple[Any, Fingerprint]:
        """Find the study ``name``, creating it if ``fingerprint`` is given.

        Atomic: two processes creating the same study get the same one.
        Returns the backend's key of the study and its stored fingerprint;
        raises JournalError if it is missing and ``fingerprint`` is None.
        """

    @abstractmethod
    def _append(self, key: Any, records: list[CandidateRecord]) -> None:
        """Store validated ``records`` in one transaction (all or none)."""

    @abstractmethod
    def _read_rows(self, key: Any, *, strict: bool = True) -> list[CandidateRecord]:
        """The study's records, by increasing index, parameters restored.

        Parameters that cannot be unpickled in this process raise JournalError
        if ``strict``, else are read from their JSON form with a warning.
        """

    @abstractmethod
    def _count(self, key: Any) -> int:
        """Number of the study's records."""

    @abstractmethod
    def _read_metadata(self, key: Any) -> dict[str, Any]:
        """The study's metadata."""

    @abstractmethod
    def _write_metadata(self, key: Any, values: dict[str, Any]) -> None:
        """Set (insert or replace) the study's metadata ``values``."""

    # -- what every storage offers ---------------------------------------------

    def open_study(
        self,
        name: str | None = None,
        fingerprint: Fingerprint | Mapping[str, str] | None = None,
    ) -> Study:
        """Open the study ``name``, creating it when it does not exist.

        Parameters
        ----------
        name : str or None, default=None
            The study's name; None derives one from ``fingerprint``
            (``"study-"`` and 12 hex characters of its digest), so that the
            same search finds its study again and a different one gets its
            own.
        fingerprint : Fingerprint or mapping of str to str
            What makes the study's rows comparable. Required.

        Returns
        -------
        study : Study

        Raises
        ------
        FingerprintMismatchError
            If the study exists with another fingerprint; the message names
            the differing components and how to start afresh. Rows of two
            different searches are never mixed.
        """
        if fingerprint is None:
            raise TypeError(
                "open_study needs a fingerprint; use get_study to read a study."
            )
        fingerprint = Fingerprint.coerce(fingerprint)
        name = default_study_name(fingerprint) if name is None else name
        _check_name(name)
        key, stored = self._open_study(name, fingerprint)
        differ = stored.differences(fingerprint)
        if differ:
            raise FingerprintMismatchError(
                _mismatch_message(self.location, name, stored, fingerprint, differ),
                name,
                differ,
            )
        return Study(self, name, stored, key)

    def get_study(self, name: str | None = None) -> Study:
        """The existing study ``name`` (with None: the only study), to read.

        Raises
        ------
        JournalError
            If there is no such study, or ``name`` is None and the storage
            holds no study or several (the message lists their names).
        """
        if name is None:
            names = self.study_names()
            if len(names) != 1:
                which = "no study" if not names else f"{len(names)} studies: {names}"
                raise JournalError(
                    f"the journal {self.location!r} holds {which}; name the study "
                    "to read (study=...)."
                )
            name = names[0]
        _check_name(name)
        key, stored = self._open_study(name, None)
        return Study(self, name, stored, key)

    def __enter__(self) -> BaseStorage:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Study:
    """One search's record in a storage: its rows, fingerprint and metadata.

    Get one from :meth:`BaseStorage.open_study` (to record) or
    :meth:`BaseStorage.get_study` (to read). Methods may be called from
    several threads; each :meth:`record` is committed before it returns.

    Attributes
    ----------
    name : str
        The study's name.
    fingerprint : Fingerprint
        The fingerprint stored with the study.
    storage : BaseStorage
        The storage holding it.
    """

    def __init__(
        self, storage: BaseStorage, name: str, fingerprint: Fingerprint, key: Any
    ) -> None:
        self.storage = storage
        self.name = name
        self.fingerprint = fingerprint
        self._key = key

    def __repr__(self) -> str:
        return f"Study({self.name!r}, storage={self.storage.location!r})"

    def record(self, record: CandidateRecord) -> None:
        """Commit one completed candidate.

        Raises
        ------
        JournalError
            If the study already holds a row with the same ``index``, or was
            deleted.
        TypeError, ValueError
            If a field of ``record`` is invalid (named in the message).
        """
        self.storage._append(self._key, [check_record(record)])

    def record_many(self, records: Iterable[CandidateRecord]) -> None:
        """Commit several completed candidates in one transaction (all or none)."""
        checked = [check_record(r) for r in records]
        if checked:
            self.storage._append(self._key, checked)

    def rows(self) -> list[CandidateRecord]:
        """The recorded candidates by increasing index, values as recorded.

        Parameter values and extra columns are restored exactly (same values,
        same types); scores and times are lists of Python floats.
        """
        return self.storage._read_rows(self._key)

    def __len__(self) -> int:
        return self.storage._count(self._key)

    @property
    def metadata(self) -> dict[str, Any]:
        """The study's metadata (see :meth:`set_metadata`)."""
        return self.storage._read_metadata(self._key)

    def set_metadata(
        self, values: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Set study-level metadata, e.g. the planned ``n_iter``, the strategy.

        Parameters
        ----------
        values : mapping of str to JSON-able value, default=None
            Keys to set; other keys are kept.
        **kwargs : JSON-able value
            More keys to set.
        """
        merged = dict(values or {}, **kwargs)
        for key, value in merged.items():
            if not isinstance(key, str):
                raise TypeError(f"metadata keys must be str, got {key!r}.")
            try:
                to_jsonable(value, strict=True)
            except TypeError as error:
                raise TypeError(f"metadata[{key!r}]: {error}") from None
        if merged:
            self.storage._write_metadata(self._key, merged)

    def results(self, *, as_frame: bool = False) -> Any:
        """The rows as a ``cv_results_``-shaped dict (see :func:`load_results`)."""

        results = build_results(self.storage._read_rows(self._key, strict=False))
        return to_frame(results) if as_frame else results


def default_study_name(fingerprint: Fingerprint) -> str:
    """The study name used when none is given: from the fingerprint's digest."""
    return "study-" + fingerprint.digest()[:12]


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a study name must be a non-empty str, got {name!r}.")


def _mismatch_message(
    location: str,
    name: str,
    stored: Fingerprint,
    new: Fingerprint,
    differ: list[str],
) -> str:
    lines = []
    for component in differ:
        before = stored.describe(component) if component in stored else "(absent)"
        after = new.describe(component) if component in new else "(absent)"
        lines.append(f"  {component}: recorded {before}; now {after}")
    return (
        f"The study {name!r} in the journal {location!r} was recorded by a different "
        f"search; these differ: {', '.join(differ)}.\n"
        + "\n".join(lines)
        + "\nIts rows are not mixed with this search's. To start afresh, give "
        "another study name, delete the study (sklearn_hpo.journal.delete_study("
        f"{location!r}, {name!r})), or delete the journal file."
    )


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def _redact(url: str) -> str:
    # Never echo a password given in a URL.
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)
