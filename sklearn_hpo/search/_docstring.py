"""The shared sections of the searches' docstrings, and the one helper that
puts them in.

A docstring is written out, except for lines that hold only a placeholder,
``{name}``: :func:`fill_docstring` replaces each with the section of that
name, at the placeholder's indentation. A search class's ``{parameters}``
comes from its parameter table (see :mod:`sklearn_hpo.search._params`); its
Attributes sections describe the ``cv_results_`` columns and the optimizer
that the strategy registry (:mod:`sklearn_hpo._registry`) lists for it, and
``{strategies}`` lists the registry's strategies.
"""

from __future__ import annotations

import functools
import textwrap
from typing import Any, Callable, Mapping

from sklearn_hpo._registry import FAMILIES, strategies
from sklearn_hpo.utils._docstring import fill_placeholders

__all__ = ["fill_docstring"]

_BEST_ESTIMATOR = """\
best_estimator_ : estimator
    Estimator refit on the whole data with the best parameters (when
    ``refit`` is not False).

best_score_ : float
    Mean cross-validated score of the best candidate (not set with a
    callable ``refit``).
"""

_SCORING = """\
scorer_ : function or dict
    Scorer function(s) used on held-out data.

n_splits_ : int
    Number of cross-validation splits.

refit_time_ : float
    Seconds spent refitting the best model (when ``refit`` is not False).

multimetric_ : bool
    Whether several metrics were used.
"""

_DATA = """\
classes_ : ndarray of shape (n_classes,)
    Class labels (classifiers with ``refit`` only).

n_features_in_ : int
    Number of features seen during fit (with ``refit`` only).

feature_names_in_ : ndarray of shape (n_features,)
    Feature names seen during fit, when they are all strings.
"""

_SEQUENTIAL_BEST = """\
best_params_ : dict
    Parameters of the best candidate.

best_index_ : int
    Index of the best candidate in ``cv_results_``.
"""

_BEST_ON_BOUNDS = """\
best_on_bounds_ : dict
    The searched ranges whose bound the best candidate lies on: parameter
    name -> ``("lower" or "upper", bound)`` (empty when none; set with
    ``best_params_``). A range is a ``Real`` or ``Integer`` of three values
    or more, or a ``scipy.stats`` distribution with a finite support (the
    sub-space the best candidate belongs to, for a list of dicts); a real
    value is on a bound within 1% of the range's width from it (of its log
    width for a log range), an integer one when it equals it. A bound that
    ends the values the estimator declares valid (``n_neighbors=1``) is left
    out: nothing lies beyond it. When this is
    not empty a :class:`~sklearn_hpo.BestOnBoundWarning` is given: the best
    value may lie beyond the bound, so the range may need widening.
"""

_MULTI_FIDELITY_BEST = """\
best_params_ : dict
    Parameters of the best candidate (with the resource parameter, if
    the resource is one).

best_index_ : int
    Index of the best candidate in ``cv_results_``: the best row among
    those with the largest ``n_resources``.
"""

_BRACKETS = """\
min_resources_ : int
    The resolved ``min_resources``.

max_resources_ : int
    The resolved ``max_resources``.

plan_ : tuple of :class:`~sklearn_hpo.schedulers.Bracket`
    The planned brackets.

brackets_ : tuple of :class:`~sklearn_hpo.schedulers.Bracket`
    The brackets run (fewer candidates than planned only when a finite
    search space had fewer distinct candidates).

n_candidates_ : list of int
    Number of candidates of each rung run, in order.

n_resources_ : list of int
    Resource of each rung run, in order.

scheduler_ : {"sync", "async"}
    The scheduler that ran (``scheduler`` resolved).
rung_agreement_ : dict
    How well each rung's ranking predicted the next rung's:
    ``{(n_resources, next_n_resources): {"correlation": rho, "n_pairs": n}}``
    for every pair of consecutive resources run, where ``rho`` is
    Spearman's rank correlation (ties averaged) between the scores at the
    two resources of the candidates promoted from the first, pooled over
    the brackets, and ``n`` the number of those candidates with both
    scores finite. ``rho`` is NaN with fewer than 3 such candidates or
    when all their scores at one resource are equal. Only promoted
    candidates (the best of their rung) count, so ``rho`` measures
    agreement among good candidates, which is lower than over all
    candidates. See :func:`~sklearn_hpo.plotting.plot_rungs`.
"""

_WARM_START_NOTES = """\
Warm start (``warm_start``): with an int ``random_state``, forests,
extra trees, bagging, gradient boosting and HistGradientBoosting give the
same scores as retraining, checked in the tests. Gradient boosting with
early stopping (``n_iter_no_change``, or HistGradientBoosting's
``early_stopping``, on by default above 10,000 samples) is retrained
instead: its stopping criterion restarts at every fit, so a continued
model would train past where a fresh fit stops.
``n_estimators`` and HistGradientBoosting's ``max_iter`` count in total;
for other estimators (MLP, SGD, linear models) each warm fit runs
``max_iter`` more iterations, so a continuation is given the difference
of the rungs' resources. Their scores differ from retraining (MLP and
SGD restart their optimiser's state and learning-rate schedule at every
fit), as do those of any estimator or pipeline step with unseeded
randomness. With ``resource="partial_fit"`` a continued model is given
the missing epochs; SGD and MLP (seeded) then give the same scores as
retraining, checked in the tests. While the search runs, the models of
the candidates of the current rung are kept, one per training fold, and
only the promoted candidates' models are kept for the next rung; so at
most ``n_candidates x n_splits_`` models (those of the largest rung, at
its resource) are held at once, in memory with one joblib worker and
otherwise as files in a temporary directory, which every fit removes
when it ends (also on error). Models of a bracket's last rung are not
kept. With ``scheduler="async"`` a candidate's models are kept while it
runs or may still be promoted, and a promoted candidate continues from
them as with the synchronous scheduler. A worker that cannot see that
directory (a cluster without shared disk) retrains, with the same
scores where warm start is exact. The refit on the whole data is a plain
fit. A continued HistGradientBoosting
model also keeps the bins it found on the same training fold instead of
searching them again (they would be identical); this uses a private
method of scikit-learn, checked for its signature, and is skipped where
it differs.
"""


def _columns(cls: type, first: dict[str, str] | None = None) -> str:
    """"the column(s) ..." of ``first`` and the registry's columns of ``cls``."""
    columns = dict(first or {})
    for s in strategies(search=cls.__name__):
        columns.update(s.columns)
    items = [f"``{name}`` ({doc})" for name, doc in columns.items()]
    if len(items) == 1:
        return f"the column {items[0]}"
    return "the columns " + ", ".join(items[:-1]) + " and " + items[-1]


def _optimizer(cls: type) -> str:
    """The optimizer class of ``cls``; BaseOptimizer when it has several."""
    names = {s.optimizer for s in strategies(search=cls.__name__)}
    return names.pop() if len(names) == 1 else "BaseOptimizer"


def _entry(head: str, description: str) -> str:
    """A numpydoc entry whose description is wrapped to the docstring's width."""
    body = textwrap.fill(
        description, width=72, initial_indent="    ", subsequent_indent="    ",
        break_long_words=False, break_on_hyphens=False,
    )
    return f"{head}\n{body}\n"


def _sequential_attributes(cls: type) -> str:
    if getattr(cls, "_sliding_window", False):
        round_doc = (
            "the index of the ask that proposed each candidate: one ask per "
            "candidate, so its row number"
        )
    else:
        round_doc = "the ask/tell round of each candidate"
    columns = _columns(cls, {"round": round_doc})
    cv_results = _entry(
        "cv_results_ : dict of numpy (masked) ndarrays",
        "As in :class:`~sklearn.model_selection.GridSearchCV`, in evaluation "
        f"order, plus {columns}.",
    )
    optimizer = _entry(
        f"optimizer_ : {_optimizer(cls)}",
        "The ask/tell optimizer after the search, holding every observation.",
    )
    return _join(
        cv_results, optimizer, _BEST_ESTIMATOR, _SEQUENTIAL_BEST, _BEST_ON_BOUNDS,
        _SCORING, _DATA,
    )


def _multi_fidelity_attributes(cls: type) -> str:
    cv_results = _entry(
        "cv_results_ : dict of numpy (masked) ndarrays",
        "As in :class:`~sklearn.model_selection.GridSearchCV`, one row per "
        f"(candidate, rung) in evaluation order, plus {_columns(cls)}. "
        "The ``rank_test_*`` columns rank all rows together, as scikit-learn's "
        "Halving searches do; ``best_index_`` is not necessarily rank 1.",
    )
    return _join(
        cv_results, _BEST_ESTIMATOR, _MULTI_FIDELITY_BEST, _BEST_ON_BOUNDS,
        _SCORING, _BRACKETS, _DATA,
    )


def _join(*sections: str) -> str:
    return "Attributes\n----------\n" + "\n".join(sections)


def _strategies(owner: object) -> str:
    """The strategies of the registry, by family, with their search classes."""
    lines = []
    for family in FAMILIES:
        lines += ["", f"{family.capitalize()}:", ""]
        lines += [
            f"- :class:`{s.search}`{_selected_by(s.params)}: {s.summary}."
            for s in strategies(family=family)
        ]
    return "\n".join(lines[1:])


def _selected_by(params: Mapping[str, Any]) -> str:
    if not params:
        return ""
    return " (" + ", ".join(f"``{k}={v!r}``" for k, v in params.items()) + ")"


_SECTIONS: dict[str, Callable[[Any], str]] = {
    "sequential_attributes": _sequential_attributes,
    "multi_fidelity_attributes": _multi_fidelity_attributes,
    "warm_start_notes": lambda cls: _WARM_START_NOTES,
    "strategies": _strategies,
}


def fill_docstring(owner: Any, doc: str, **sections: str) -> str:
    """``doc`` with its placeholder lines replaced by their sections.

    ``sections`` gives some (e.g. ``parameters``, a class's Parameters
    section); the others are the shared sections above, built for ``owner``
    (a class, or a module's name). A ValueError names an unknown placeholder.
    """
    known = {name: functools.partial(f, owner) for name, f in _SECTIONS.items()}
    known.update({name: functools.partial(str, t) for name, t in sections.items()})
    return fill_placeholders(doc, known, getattr(owner, "__name__", str(owner)))
