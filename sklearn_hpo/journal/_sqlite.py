"""The embedded storage: an SQLite file in WAL mode, through stdlib sqlite3.

WAL (write-ahead logging) lets other processes read a study while a search
appends to it, and with ``synchronous=NORMAL`` a commit is an append to the
log without an fsync: cheap, and durable across a crash of the process (only
a power loss can drop the last commits). An existing file is validated
through a read-only connection before anything is written to it, so a file
that is not a journal, or is corrupt, is left as it was.
"""

from __future__ import annotations

import os
import pathlib
import sqlite3
import threading
import time
import warnings
from typing import Any

from sklearn_hpo.journal._codec import (
    decode_floats,
    decode_json,
    dumps_values,
    encode_floats,
    encode_json,
    loads_values,
    to_jsonable,
)
from sklearn_hpo.journal._fingerprint import Fingerprint
from sklearn_hpo.journal._records import CandidateRecord, JournalError
from sklearn_hpo.journal._storage import BaseStorage

__all__ = ["SCHEMA_VERSION", "SQLiteStorage"]

SCHEMA_VERSION = 1
# "SKHP" in the header's application_id field: marks the file as a journal.
APPLICATION_ID = 0x534B4850
_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE journal_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE studies (
    study_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE study_metadata (
    study_id INTEGER NOT NULL REFERENCES studies (study_id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (study_id, key)
);
CREATE TABLE candidates (
    study_id INTEGER NOT NULL REFERENCES studies (study_id),
    idx INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    params TEXT NOT NULL,
    params_pickle BLOB NOT NULL,
    test_scores TEXT NOT NULL,
    train_scores TEXT,
    fit_time TEXT NOT NULL,
    score_time TEXT NOT NULL,
    "round" INTEGER,
    bracket INTEGER,
    rung INTEGER,
    resource,
    extra TEXT NOT NULL,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (study_id, idx)
);
"""
_TABLES = {"journal_meta", "studies", "study_metadata", "candidates"}

_INSERT = (
    "INSERT INTO candidates (study_id, idx, status, error, params, params_pickle, "
    'test_scores, train_scores, fit_time, score_time, "round", bracket, rung, '
    "resource, extra, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?)"
)
_SELECT = (
    "SELECT idx, status, error, params, params_pickle, test_scores, train_scores, "
    'fit_time, score_time, "round", bracket, rung, resource, extra '
    "FROM candidates WHERE study_id = ? ORDER BY idx"
)


class SQLiteStorage(BaseStorage):
    """A journal in an SQLite file (WAL mode), shared by any number of studies.

    Parameters
    ----------
    path : str or os.PathLike
        The file; created (with its journal tables) if it does not exist.
    read_only : bool, default=False
        Open without ever writing: the file must exist and be a journal.
    timeout : float, default=30.0
        Seconds to wait for another process's write lock before failing.

    Attributes
    ----------
    path : str
        The file's path, as given.

    Raises
    ------
    JournalError
        If the file is not a journal (another kind of file, or an SQLite
        database with other tables), is corrupt, or was written with a newer
        schema version; the file is left untouched.
    FileNotFoundError
        If ``read_only`` and the file does not exist.

    Notes
    -----
    One connection per storage object, shared by its threads under a lock
    (writes are serialised; SQLite needs ``check_same_thread=False`` for
    that). Each :meth:`Study.record` is one transaction. Opening an existing
    file runs SQLite's ``PRAGMA quick_check`` on it, in time linear in its
    size, so that a corrupt journal is refused before anything is written.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_hpo.journal import CandidateRecord, SQLiteStorage
    >>> path = os.path.join(tempfile.mkdtemp(), "search.db")
    >>> with SQLiteStorage(path) as storage:
    ...     study = storage.open_study("demo", {"space": "ab12"})
    ...     study.record(CandidateRecord(0, {"C": 1.0}, {"score": [0.8, 0.9]}))
    ...     study.set_metadata(n_iter=10)
    ...     rows, metadata = study.rows(), study.metadata
    >>> rows[0].params, rows[0].test_scores, metadata
    ({'C': 1.0}, {'score': [0.8, 0.9]}, {'n_iter': 10})
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.path = os.fspath(path)
        self.read_only = read_only
        self.timeout = timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._conn = self._connect()

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"SQLiteStorage({self.path!r}{mode})"

    def __reduce__(self) -> tuple:
        # A copy (e.g. scikit-learn's clone of a search holding the storage)
        # opens its own connection to the same file.
        return (_reopen, (os.path.abspath(self.path), self.read_only, self.timeout))

    @property
    def location(self) -> str:
        """The file's path."""
        return self.path

    # -- opening -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        state, reader = "missing", None
        if os.path.exists(path):
            state, reader = self._validate_existing()
        elif self.read_only:
            raise FileNotFoundError(f"there is no journal file {path!r}.")
        if self.read_only:
            if reader is None:
                raise JournalError(
                    f"{path!r} is an empty SQLite database, not a journal (yet)."
                )
            return reader
        if reader is not None:
            reader.close()
        try:
            conn = sqlite3.connect(
                path,
                timeout=self.timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise JournalError(f"cannot open the journal {path!r}: {error}") from error
        try:
            if state != "journal":
                self._create_schema(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            self._configure(conn)
        except sqlite3.Error as error:
            conn.close()
            raise self._wrap(error) from error
        except BaseException:
            conn.close()
            raise
        return conn

    def _read_only_connection(self) -> sqlite3.Connection:
        uri = pathlib.Path(self.path).absolute().as_uri() + "?mode=ro"
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute("PRAGMA query_only=ON")
            self._configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")

    def _validate_existing(self) -> tuple[str, sqlite3.Connection | None]:
        """Check an existing file without writing to it.

        Returns "empty" or "journal", and for a journal the read-only
        connection that checked it.
        """
        path = self.path
        if os.path.isdir(path):
            raise JournalError(f"the journal path {path!r} is a directory.")
        with open(path, "rb") as file:
            head = file.read(len(_MAGIC))
        if not head:
            return "empty", None
        if head != _MAGIC:
            raise JournalError(
                f"{path!r} is not a sklearn_hpo journal (not an SQLite database); "
                "it was left untouched. Give another path."
            )
        conn = self._guard(self._read_only_connection)
        try:
            state = self._guard(lambda: self._check_schema(conn, full=True))
        except BaseException:
            conn.close()
            raise
        if state == "empty":
            conn.close()
            return state, None
        return state, conn

    def _check_schema(self, conn: sqlite3.Connection, *, full: bool) -> str:
        objects = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        }
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not objects and app_id == 0 and version == 0:
            return "empty"
        if app_id != APPLICATION_ID or "journal_meta" not in objects:
            shown = sorted(objects)[:5]
            raise JournalError(
                f"{self.path!r} is an SQLite database but not a sklearn_hpo journal "
                f"(its tables: {shown}); it was left untouched. Give another path."
            )
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"the journal {self.path!r} has schema version {version}, newer than "
                f"this version of sklearn_hpo reads ({SCHEMA_VERSION}); upgrade "
                "sklearn_hpo to use it."
            )
        if version < 1 or not _TABLES <= objects:
            raise JournalError(
                f"the journal {self.path!r} has an unknown schema (version {version}, "
                f"tables {sorted(objects)}); it was left untouched."
            )
        if full:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                found = "; ".join(problems[:3])
                raise JournalError(
                    f"the journal {self.path!r} is corrupt ({found}); it was left "
                    "untouched."
                )
        return "journal"

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created the journal since we looked.
            if self._check_schema(conn, full=False) == "empty":
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.executemany(
                    "INSERT INTO journal_meta (key, value) VALUES (?, ?)",
                    [
                        ("format", "sklearn_hpo journal"),
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("created_at", repr(time.time())),
                    ],
                )
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

    # -- errors ------------------------------------------------------------------

    def _wrap(self, error: sqlite3.Error) -> JournalError:
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(
            error, (sqlite3.OperationalError, sqlite3.IntegrityError)
        ):
            return JournalError(
                f"the journal {self.path!r} is corrupt or not an SQLite database "
                f"({error}); it was left untouched."
            )
        return JournalError(f"the journal {self.path!r}: {error}")

    def _guard(self, action: Any) -> Any:
        try:
            return action()
        except sqlite3.Error as error:
            raise self._wrap(error) from error

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"the journal {self.path!r} was closed.")
        return self._conn

    def _write(self, action: Any) -> Any:
        """Run ``action(conn)`` in one write transaction, under the lock."""
        if self.read_only:
            raise JournalError(f"the journal {self.path!r} was opened read-only.")
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = action(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.Error as error:
                raise self._wrap(error) from error
            return result

    def _read(self, action: Any) -> Any:
        with self._lock:
            return self._guard(lambda: action(self._connection()))

    # -- BaseStorage ---------------------------------------------------------

    def close(self) -> None:
        """Close the connection; the storage cannot be used afterwards."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def study_names(self) -> list[str]:
        """Names of the stored studies, oldest first."""
        rows = self._read(
            lambda c: c.execute("SELECT name FROM studies ORDER BY study_id").fetchall()
        )
        return [row[0] for row in rows]

    def delete_study(self, name: str) -> None:
        """Delete the study ``name`` and all its rows.

        Raises
        ------
        JournalError
            If there is no study ``name``.
        """

        def delete(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT study_id FROM studies WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                raise self._no_study(conn, name)
            for table in ("candidates", "study_metadata", "studies"):
                conn.execute(f"DELETE FROM {table} WHERE study_id = ?", row)

        self._write(delete)

    def _no_study(self, conn: sqlite3.Connection, name: str) -> JournalError:
        names = [r[0] for r in conn.execute("SELECT name FROM studies")]
        return JournalError(
            f"the journal {self.path!r} holds no study {name!r}; its studies: {names}."
        )

    def _open_study(
        self, name: str, fingerprint: Fingerprint | None
    ) -> tuple[Any, Fingerprint]:
        query = "SELECT study_id, fingerprint FROM studies WHERE name = ?"

        def find(conn: sqlite3.Connection) -> Any:
            return conn.execute(query, (name,)).fetchone()

        row = self._read(find)
        if row is None:
            if fingerprint is None:
                raise self._read(lambda conn: self._no_study(conn, name))

            def create(conn: sqlite3.Connection) -> Any:
                found = find(conn)  # created by another process meanwhile?
                if found is not None:
                    return found
                cursor = conn.execute(
                    "INSERT INTO studies (name, fingerprint, created_at) "
                    "VALUES (?, ?, ?)",
                    (name, fingerprint.to_json(), time.time()),
                )
                return cursor.lastrowid, fingerprint.to_json()

            row = self._write(create)
        return row[0], Fingerprint.from_json(row[1])

    def _append(self, key: Any, records: list[CandidateRecord]) -> None:
        now = time.time()
        rows = [_encode(key, record, now) for record in records]

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.executemany(_INSERT, rows)
            except sqlite3.IntegrityError as error:
                raise self._insert_error(conn, key, records, error) from error

        self._write(insert)

    def _insert_error(
        self,
        conn: sqlite3.Connection,
        key: Any,
        records: list[CandidateRecord],
        error: sqlite3.IntegrityError,
    ) -> JournalError:
        if conn.execute("SELECT 1 FROM studies WHERE study_id = ?", (key,)).fetchone():
            indices = [r.index for r in records]
            return JournalError(
                f"the journal {self.path!r} already holds a row with one of the "
                f"indices {indices} in this study ({error}); nothing was recorded. "
                "Another process is probably writing the same study: two searches "
                "with the same storage (and study name) at once; give each its own "
                "'?study=' name."
            )
        return JournalError(
            f"the study was deleted from the journal {self.path!r}; nothing was "
            "recorded."
        )

    def _read_rows(self, key: Any, *, strict: bool = True) -> list[CandidateRecord]:
        rows = self._read(lambda c: c.execute(_SELECT, (key,)).fetchall())
        return [_decode(row, strict, self.path) for row in rows]

    def _count(self, key: Any) -> int:
        query = "SELECT COUNT(*) FROM candidates WHERE study_id = ?"
        return self._read(lambda c: c.execute(query, (key,)).fetchone()[0])

    def _read_metadata(self, key: Any) -> dict[str, Any]:
        query = "SELECT key, value FROM study_metadata WHERE study_id = ? ORDER BY key"
        rows = self._read(lambda c: c.execute(query, (key,)).fetchall())
        return {k: decode_json(v) for k, v in rows}

    def _write_metadata(self, key: Any, values: dict[str, Any]) -> None:
        rows = [(key, k, encode_json(to_jsonable(v))) for k, v in values.items()]

        def upsert(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO study_metadata (study_id, key, value) "
                "VALUES (?, ?, ?)",
                rows,
            )

        self._write(upsert)


def _rollback(conn: sqlite3.Connection) -> None:
    # An interrupt (Ctrl-C) may land after COMMIT succeeded: there is then no
    # transaction to roll back, and trying would hide the interrupt.
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _reopen(path: str, read_only: bool, timeout: float) -> SQLiteStorage:
    return SQLiteStorage(path, read_only=read_only, timeout=timeout)


def _encode(key: Any, record: CandidateRecord, now: float) -> tuple:
    scores = {m: encode_floats(v) for m, v in record.test_scores.items()}
    train = None
    if record.train_scores is not None:
        train = encode_json(
            {m: encode_floats(v) for m, v in record.train_scores.items()}
        )
    return (
        key,
        record.index,
        record.status,
        record.error,
        encode_json({k: to_jsonable(v) for k, v in record.params.items()}),
        dumps_values((record.params, record.extra)),
        encode_json(scores),
        train,
        encode_json(encode_floats(record.fit_time)),
        encode_json(encode_floats(record.score_time)),
        record.round,
        record.bracket,
        record.rung,
        record.resource,
        encode_json({k: to_jsonable(v) for k, v in record.extra.items()}),
        now,
    )


def _decode(row: tuple, strict: bool, path: str) -> CandidateRecord:
    (index, status, error, params_json, blob, test, train, fit_time, score_time,
     round_, bracket, rung, resource, extra_json) = row  # fmt: skip
    try:
        params, extra = loads_values(blob)
    except Exception as exc:
        if strict:
            raise JournalError(
                f"the parameters of row {index} of the journal {path!r} cannot be "
                f"restored in this process: {type(exc).__name__}: {exc}"
            ) from exc
        warnings.warn(
            f"row {index} of the journal {path!r}: its parameters cannot be "
            f"unpickled here ({type(exc).__name__}: {exc}); their JSON form "
            "(repr for objects) is used.",
            UserWarning,
            stacklevel=4,
        )
        params, extra = decode_json(params_json), decode_json(extra_json)
    return CandidateRecord(
        index=index,
        params=params,
        test_scores={m: decode_floats(v) for m, v in decode_json(test).items()},
        train_scores=None
        if train is None
        else {m: decode_floats(v) for m, v in decode_json(train).items()},
        fit_time=decode_floats(decode_json(fit_time)),
        score_time=decode_floats(decode_json(score_time)),
        status=status,
        error=error,
        round=round_,
        bracket=bracket,
        rung=rung,
        resource=resource,
        extra=extra,
    )
