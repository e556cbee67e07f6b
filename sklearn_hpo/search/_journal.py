"""The search side of the journal: what makes results comparable, and replay.

The journal (``sklearn_hpo/journal``) knows nothing of scikit-learn; this
module turns a search's fit into a study (its fingerprint, its seed), each
completed call of ``evaluate_candidates`` into rows, and rows back into the
per-fold results that ``BaseSearchCV.fit`` formats, so that a resumed search
rebuilds the same ``cv_results_`` without fitting again.

Resume replays: the strategy runs again from the start with the same seed and
asks for the same candidates; each call whose candidates the journal holds
is answered from the journal instead of being fitted, and the strategy is
told the stored scores. The first call the journal does not hold is fitted
as usual, and recorded.
"""

from __future__ import annotations

import re
from typing import Any

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from sklearn_hpo._registry import strategies
from sklearn_hpo.journal import (
    CandidateRecord,
    Fingerprint,
    JournalError,
    Study,
    get_storage,
    stable_hash,
)
from sklearn_hpo.space import as_search_space
from sklearn_hpo.utils._compat import num_samples

__all__ = ["SearchJournal"]

# A memory address in a repr ("<function f at 0x7f...>"): another process
# has another.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

# Search parameters that change neither which candidates are evaluated nor
# their scores: a resumed search may change them. The limits on time are
# among them: a search resumed after a hanging fit may set fit_timeout; the
# fits it stopped stay failed.
_FREE_SETTINGS = {
    "estimator", "search_spaces", "scoring", "cv", "n_jobs", "verbose",
    "pre_dispatch", "storage", "max_time", "fit_timeout",
}  # fmt: skip


def _label(estimator: Any) -> str:
    if isinstance(estimator, Pipeline):
        return "Pipeline(" + ",".join(name for name, _ in estimator.steps) + ")"
    return type(estimator).__name__


def _short(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


class SearchJournal:
    """The study of one fit of a search, and what is left to replay of it.

    Parameters
    ----------
    evaluation : Evaluation
        The fit's evaluation, inside ``running`` (its splits are made).
    """

    def __init__(self, evaluation: Any) -> None:
        search = evaluation.search
        self.storage = get_storage(_path(search.storage))
        self.error_score = search.error_score
        try:
            fingerprint = _fingerprint(evaluation)
            name = _study_name(search.storage) or (
                f"{type(search).__name__}({_label(evaluation.estimator)})"
            )
            self.study: Study = self.storage.open_study(name, fingerprint=fingerprint)
            self.replay = {row.index: row for row in self.study.rows()}
            metadata = self.study.metadata
            if "seed" not in metadata:
                seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)
                self.study.set_metadata(seed=seed, search=type(search).__name__)
                metadata = self.study.metadata
            self.seed = int(metadata["seed"])
            self._metadata = metadata
        except BaseException:
            self.storage.close()
            raise

    def close(self) -> None:
        """Close the journal file."""
        self.storage.close()

    # ------------------------------------------------------------- replay
    def stored(self, indices: list[int], batch: list[dict]) -> list | None:
        """The journal's row for each of ``indices`` (None where it has none),
        or None if it holds none of them.

        A call may be partly in the journal: the sliding window records its
        candidates as each completes, and a resumed search may evaluate them
        in rounds.

        Raises
        ------
        JournalError
            When the journal holds other candidates at those positions: the
            strategy did not propose again what it proposed before.
        """
        rows = [self.replay.get(i) for i in indices]
        if all(row is None for row in rows):
            return None
        for row, candidate in zip(rows, batch):
            if row is not None and not _same(row.params, candidate):
                raise JournalError(
                    f"Cannot resume from {self.storage.location!r} (study "
                    f"{self.study.name!r}): the search now proposes "
                    f"{_short(repr(candidate))} as candidate {row.index}, where "
                    f"the journal holds {_short(repr(row.params))}. Resuming "
                    "needs a strategy that proposes the same candidates again "
                    "(same random_state, search_spaces and settings, same "
                    "library versions). Start afresh: another storage file or "
                    "study name."
                )
        return rows

    def results(self, rows: list, splits: Any) -> list[dict | None]:
        """``_fit_and_score``'s per-fold results of ``rows``, from the journal
        (None for each fold of a candidate it does not hold).

        Scores come back as dicts when the search scored with several
        metrics (or a callable returning a dict), as recorded.
        """
        n_test = [len(test) for _, test in splits.splits]
        flag = self._metadata.get("scores_as_dicts")
        out: list[dict | None] = []
        for row in rows:
            if row is None:
                out.extend([None] * len(n_test))
                continue
            as_dict = list(row.test_scores) != ["score"] if flag is None else flag
            errors = row.extra.get("fit_errors") or [None] * len(row.fit_time)
            for k in range(len(row.fit_time)):
                result = {
                    "fit_error": errors[k],
                    "test_scores": _fold(row.test_scores, k, as_dict),
                    "n_test_samples": n_test[k],
                    "fit_time": row.fit_time[k],
                    "score_time": row.score_time[k],
                }
                if row.train_scores is not None:
                    result["train_scores"] = _fold(row.train_scores, k, as_dict)
                out.append(result)
        return out

    # ------------------------------------------------------------- record
    def record(
        self, indices: list[int], batch: list[dict], out: list[dict], more: dict
    ) -> None:
        """Commit the completed candidates of one call (one transaction)."""
        n_splits = len(out) // len(batch)
        if "scores_as_dicts" not in self._metadata:
            dicts = [r for r in out if isinstance(r.get("test_scores"), dict)]
            if dicts or any(r.get("fit_error") is None for r in out):
                self.study.set_metadata(scores_as_dicts=bool(dicts))
                self._metadata = self.study.metadata
        records = []
        for j, (index, params) in enumerate(zip(indices, batch)):
            folds = out[j * n_splits : (j + 1) * n_splits]
            errors = [r.get("fit_error") for r in folds]
            failed = [e for e in errors if e is not None]
            extra = {
                k: _jsonable(v[j])
                for k, v in more.items()
                if k not in ("round", "bracket")
            }
            if failed:
                extra["fit_errors"] = errors
            records.append(
                CandidateRecord(
                    index=index,
                    params=dict(params),
                    test_scores=_scores(folds, "test_scores"),
                    train_scores=(
                        _scores(folds, "train_scores")
                        if "train_scores" in folds[0]
                        else None
                    ),
                    fit_time=[float(r["fit_time"]) for r in folds],
                    score_time=[float(r["score_time"]) for r in folds],
                    status="failed" if failed else "ok",
                    error=failed[0] if failed else None,
                    round=_int_or_none(more.get("round"), j),
                    bracket=_int_or_none(more.get("bracket"), j),
                    extra=extra,
                )
            )
        self.study.record_many(records)


def _path(storage: Any) -> Any:
    """The storage without a ``?study=`` suffix."""
    if isinstance(storage, str) and "?study=" in storage:
        return storage.split("?study=", 1)[0]
    return storage


def _study_name(storage: Any) -> str | None:
    if isinstance(storage, str) and "?study=" in storage:
        return storage.split("?study=", 1)[1] or None
    return None


def _stable(value: Any) -> str:
    """A hash of ``value`` that another process computes alike.

    ``joblib.hash`` pickles (a function by its module and name); what cannot
    be pickled (a lambda) is hashed from its repr without memory addresses.
    """
    try:
        return joblib.hash(value)
    except Exception:
        return stable_hash(_ADDRESS.sub("", repr(value)))


def _fingerprint(evaluation: Any) -> Fingerprint:
    """What makes two fits' results comparable, component by component."""
    search = evaluation.search
    estimator = evaluation.estimator
    space = as_search_space(search.search_spaces)
    free = set(_FREE_SETTINGS)
    known = strategies(search=type(search).__name__)
    if known and not any(s.plans_budget for s in known):
        # Its optimizer does not plan with n_iter: a resumed search may go
        # on further than the interrupted one planned.
        free.add("n_iter")
    settings = {
        name: value
        for name, value in sorted(search.get_params(deep=False).items())
        if name not in free
    }
    if search.random_state is None:
        settings.pop("random_state", None)  # the journal keeps the seed
    try:  # the parameters, not a fitted state (a pipeline fitted before)
        params = clone(estimator).get_params(deep=True)
    except Exception:
        params = estimator.get_params(deep=True)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in evaluation.splits.splits]
    data = (evaluation.X, evaluation.y, evaluation.params)
    n = num_samples(evaluation.X)
    hashes = {
        "estimator": _stable(params),
        # The repr names every dimension and its arguments; pickles of scipy
        # distributions carry their (changing) random state.
        "space": stable_hash(_ADDRESS.sub("", repr(space))),
        "scorers": _stable(search.scoring),
        "cv": _stable(splits),
        "data": _stable(data),
        **{f"setting {name}": _stable(value) for name, value in settings.items()},
    }
    descriptions = {
        "estimator": _short(repr(estimator)),
        "space": _short(repr(space)),
        "scorers": _short(_ADDRESS.sub("", repr(search.scoring))),
        "cv": f"{len(splits)} splits of {n} samples",
        "data": f"X of {n} samples, fit parameters {sorted(evaluation.params)}",
        **{
            f"setting {name}": _short(f"{name}={_ADDRESS.sub('', repr(value))}")
            for name, value in settings.items()
        },
    }
    # Two components may differ where their descriptions do not (a value
    # deep in a parameter, other data of the same size): the hash tells.
    for name in descriptions:
        descriptions[name] += f" [{hashes[name][:8]}]"
    return Fingerprint(hashes, descriptions)


def _same(stored: dict, candidate: dict) -> bool:
    if stored.keys() != candidate.keys():
        return False
    return joblib.hash(dict(stored)) == joblib.hash(dict(candidate))


def _scores(folds: list[dict], key: str) -> dict[str, list[float]]:
    """Per-metric fold scores; a single metric is named "score"."""
    values = [r[key] for r in folds]
    names = next((list(v) for v in values if isinstance(v, dict)), None)
    if names is None:
        return {"score": [float(v) for v in values]}
    return {
        name: [float(v[name]) if isinstance(v, dict) else float(v) for v in values]
        for name in names
    }


def _fold(scores: dict, k: int, as_dict: bool) -> Any:
    if as_dict:
        return {name: values[k] for name, values in scores.items()}
    return next(iter(scores.values()))[k]


def _int_or_none(values: Any, j: int) -> int | None:
    return None if values is None else int(values[j])


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


