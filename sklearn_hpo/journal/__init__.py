"""Durable record of a search's completed candidates, in an SQLite file.

The journal knows nothing of scikit-learn: it stores rows of parameters,
scores, times, status and a strategy's extra columns, grouped in studies
(searches) that carry a fingerprint of what makes their rows comparable.
A search records each candidate as it completes; another process can read a
running study with :func:`load_results`; a resumed search reads the rows back
with :meth:`Study.rows`.
"""

from sklearn_hpo.journal._fingerprint import Fingerprint, stable_hash
from sklearn_hpo.journal._open import delete_study, get_storage, load_results
from sklearn_hpo.journal._records import CandidateRecord, JournalError
from sklearn_hpo.journal._results import build_results
from sklearn_hpo.journal._sqlite import SCHEMA_VERSION, SQLiteStorage
from sklearn_hpo.journal._storage import (
    BaseStorage,
    FingerprintMismatchError,
    Study,
    default_study_name,
)

__all__ = [
    "SCHEMA_VERSION",
    "BaseStorage",
    "CandidateRecord",
    "Fingerprint",
    "FingerprintMismatchError",
    "JournalError",
    "SQLiteStorage",
    "Study",
    "build_results",
    "default_study_name",
    "delete_study",
    "get_storage",
    "load_results",
    "stable_hash",
]
