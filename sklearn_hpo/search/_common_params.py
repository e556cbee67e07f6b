"""The parameters the searches share, as tables (see ``search/_params.py``).

:data:`SEQUENTIAL_PARAMS` are those of the ask/tell searches
(``BaseSequentialSearchCV``), :data:`MULTI_FIDELITY_PARAMS` those of the
bracket searches (``BaseMultiFidelitySearchCV``). Scikit-learn's own
``BaseSearchCV`` parameters keep its constraints; the descriptions say what
they do here.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from sklearn_hpo.search._params import Param, with_docs
from sklearn_hpo.utils._compat import Interval, StrOptions

__all__ = [
    "MULTI_FIDELITY_PARAMS",
    "N_ITER_BUDGET",
    "N_POINTS_SLIDING",
    "SEQUENTIAL_PARAMS",
]

_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")

_ESTIMATOR = Param(
    "estimator", "estimator object",
    doc="The estimator (or pipeline) to tune; it is cloned.",
)

_SEARCH_SPACES = Param(
    "search_spaces", "dict or list of dict",
    constraints=[dict, list],
    doc="""
    Parameter names mapped to :class:`~sklearn_hpo.space.Real`,
    :class:`~sklearn_hpo.space.Integer`,
    :class:`~sklearn_hpo.space.Categorical`, frozen ``scipy.stats``
    distributions or lists of values (a ``GridSearchCV`` ``param_grid``
    works unchanged). A list of dicts is a conditional space (e.g. one
    dict per model of a pipeline step); every sub-space is searched.
    """,
)

_N_ITER = Param(
    "n_iter", "int", default=50, constraints=[_POSITIVE],
    doc="Number of candidates evaluated (fewer only if a finite space runs out).",
)

N_ITER_BUDGET = Param(
    "n_iter", "int", default=50, constraints=[_POSITIVE],
    doc="""
    Number of candidates evaluated (fewer only if a finite space runs
    out); also the budget the optimizer plans for.
    """,
)

_N_POINTS = Param(
    "n_points", "int", default=1, constraints=[_POSITIVE],
    doc="""
    Candidates proposed and evaluated per round, in parallel over
    ``n_jobs`` (a batch from the optimizer). The same ``random_state``
    gives the same candidates whatever ``n_jobs`` is.
    """,
)

N_POINTS_SLIDING = Param(
    "n_points", "int", default=1, constraints=[_POSITIVE],
    doc="""
    Candidates out for evaluation at a time, in parallel over ``n_jobs``.
    The next candidate is asked for as soon as the oldest one is scored
    (the model sees every score told so far; the candidates still out
    count as pending), so no worker waits for the slowest fit of a round.
    Scores are told in candidate order: the same ``random_state`` gives
    the same candidates and ``cv_results_`` whatever ``n_jobs`` is (with
    a ``cv`` that splits the same way at every call). With
    ``n_jobs`` > 1 each candidate is evaluated from a thread of its own
    (its folds on joblib's workers); with ``error_score="raise"``,
    scikit-learn callbacks or a joblib backend set by the user, the
    candidates out are evaluated together in rounds instead, with the
    same results.
    """,
)

_INITIAL_POINTS = Param(
    "initial_points", "list of dict", default=None,
    annotation="list[dict] | None", constraints=[list, None],
    doc="""
    Candidates to evaluate first (expert guesses, a previous search's
    best), counted in ``n_iter``; the optimizer learns from them like from
    its own. Each must be a point of ``search_spaces``.
    """,
)

# scikit-learn's BaseSearchCV parameters (and random_state), as the ask/tell
# searches use them.
_SKLEARN_PARAMS = (
    Param(
        "scoring", "str, callable, list, tuple or dict", default=None,
        doc="""
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics the optimizer maximises the ``refit`` metric (or the first
        one when ``refit`` is not a metric name).
        """,
    ),
    Param(
        "n_jobs", "int", default=None,
        doc="""
        Number of jobs to run in parallel (candidates x folds), through
        joblib; any joblib backend works (e.g. dask or Ray clusters).
        """,
    ),
    Param(
        "refit", "bool, str or callable", default=True,
        doc="As in :class:`~sklearn.model_selection.GridSearchCV`.",
    ),
    Param(
        "cv", "int, cross-validation generator or iterable", default=None,
        doc="""
        As in :class:`~sklearn.model_selection.GridSearchCV` (5-fold by
        default, stratified for classifiers). The data are split once per
        ``fit``: every candidate is scored on the same splits, even with a
        splitter that shuffles without a ``random_state``.
        """,
    ),
    Param(
        "verbose", "int", default=0,
        doc="""
        Verbosity. 1 prints a line per completed candidate (its index, mean
        score +/- std, the best so far, elapsed time and its parameters), or
        per rung for the multi-fidelity searches (bracket, rung,
        ``n_resources``, candidates kept); 2 and more add scikit-learn's
        own lines (one per fit with 3 and more).
        """,
    ),
    Param(
        "pre_dispatch", "int or str", default="2*n_jobs", annotation="Any",
        doc="As in :class:`~sklearn.model_selection.GridSearchCV`.",
    ),
    Param(
        "random_state", "int, RandomState instance or None", default=None,
        constraints=["random_state"],
        doc="Seeds the optimizer, for reproducible searches.",
    ),
    Param(
        "error_score", '"raise" or float', default=np.nan,
        doc="""
        Score of a failed fit. With a number, failed candidates are recorded
        (and steer the optimizer away) and the search goes on; only when
        every fit of the whole search fails is an error raised
        (scikit-learn's "All the N fits failed" ValueError). That error comes
        early, after 5 candidates or more (with ``n_iter`` > 5), when every
        fit of every candidate so far failed with the same error (type and
        message) and no searched parameter has the same value in all of
        them: the estimator cannot be fit on the data at all. A search where
        some candidates succeed, or fail with different errors, goes on.
        """,
    ),
    Param(
        "return_train_score", "bool", default=False,
        doc="Whether ``cv_results_`` includes training scores.",
    ),
)

# Long searches: a journal to resume from, a time budget and a per-fit limit.
_RUN_PARAMS = (
    Param(
        "storage", "str, os.PathLike or None", default=None,
        annotation="Any",
        constraints=[str, os.PathLike, None],
        doc="""
        A journal of the search: the path of an SQLite file (created if
        missing; ``"sqlite:///path"`` works too), where every completed
        candidate is committed as it completes. ``fit`` with the same
        storage, data, estimator, space and settings resumes: candidates
        the journal holds are not fitted again, and with the same
        ``random_state`` (or ``None``: the journal keeps the seed it drew)
        the search ends with the same ``cv_results_`` as an uninterrupted
        one (a round, or a rung of a multi-fidelity search, is recorded when
        all its candidates complete, so one that was cut short is evaluated
        again). Anything else that differs is an error naming it. A file holds
        one study per search class and estimator; add ``"?study=name"``
        to the path to keep several. Another process reads a running
        search with :func:`sklearn_hpo.load_results`. None keeps no journal.
        """,
    ),
    Param(
        "max_time", "float or None", default=None,
        constraints=[Interval(numbers.Real, 0, None, closed="neither"), None],
        doc="""
        Seconds of wall clock for the search: once they are spent no new
        round or rung is started (the first always runs); what is running
        finishes, the best candidate is refit, and ``cv_results_`` holds
        every completed candidate. None sets no limit.
        """,
    ),
    Param(
        "fit_timeout", "float or None", default=None,
        constraints=[Interval(numbers.Real, 0, None, closed="neither"), None],
        doc="""
        Seconds one fit may take: a candidate's fit on one split and its
        scoring (each of its ``n_splits`` fits is timed on its own; the
        refit of the best candidate is not). A fit that runs past it is
        stopped and scored as a failed fit: ``error_score`` (with
        ``error_score="raise"``, ``FitTimeoutError`` is raised), with a
        ``fit_error`` reading "FitTimeoutError: fit exceeded
        fit_timeout=... s (parameters ...)", reported by the fit-failure
        warning at the end and recorded as failed in the journal (a resumed
        search does not fit it again; ``fit_timeout`` may differ between
        runs). The search goes on. Each fit then runs in a child process
        that its worker forks (the driver with ``n_jobs=1``, a loky worker
        process, a joblib thread, a dask worker) and kills at the timeout:
        the data are shared copy-on-write, the fit uses one OpenMP thread
        (GNU OpenMP hangs in a forked process), and what it changes in
        memory stays in the child, as in a process-based worker. Where
        ``os.fork`` does not exist (Windows) a fit cannot be stopped: the
        search stops waiting for it, scores it as failed and says that it
        was abandoned, and its thread runs on. None runs the fits as
        usual, in no child process.
        """,
    ),
)

SEQUENTIAL_PARAMS: tuple[Param, ...] = (
    _ESTIMATOR,
    _SEARCH_SPACES,
    _N_ITER,
    _N_POINTS,
    _INITIAL_POINTS,
    *_SKLEARN_PARAMS,
    *_RUN_PARAMS,
)

_RESOURCE_PARAMS = (
    Param(
        "resource", "str", default="n_samples",
        constraints=[str],
        doc="""
        What a rung gives more of: ``"n_samples"`` subsamples each training
        fold (stratified for classifiers; the rungs below the brackets' last
        ones are scored on the larger of 500 samples and the rung's training
        samples of each test fold, the last rungs on whole test folds);
        ``"partial_fit"`` is the number of epochs (calls of the estimator's
        ``partial_fit`` on the whole training fold; for a pipeline, its final
        step's, after the other steps are fitted); any other value names an
        integer parameter of the estimator, nested ones included
        (``"clf__n_estimators"``, ``"mlp__max_iter"``), which is set in every
        candidate. The resource must not be in ``search_spaces``.
        """,
    ),
    Param(
        "min_resources", 'int, "auto" or "smallest"', default="auto",
        constraints=[_POSITIVE, StrOptions({"auto", "smallest"})],
        doc="""
        Smallest resource of a candidate. "auto" is ``2 * n_splits`` (times
        the number of classes, for classifiers) with ``"n_samples"``, and 1
        for a parameter; "smallest", scikit-learn's name for that rule, is
        the same. A candidate that cannot be fitted or scored with a rung's
        resource (a k-NN with more neighbours than the rung's training folds
        have samples) gets no score there and is ranked last; a
        :class:`~sklearn_hpo.search.RungFailureWarning` says so, once.
        """,
    ),
    Param(
        "max_resources", 'int or "auto"', default="auto",
        constraints=[_POSITIVE, StrOptions({"auto"})],
        doc="""
        Largest resource. "auto" is the number of samples with
        ``"n_samples"``; it must be given for a parameter and for
        ``"partial_fit"`` (the most epochs a candidate gets; the refit
        trains for the epochs the best candidate was scored with, which
        ``best_params_`` does not hold: they are
        ``cv_results_["n_resources"][best_index_]``).
        """,
    ),
    Param(
        "factor", "float", default=3,
        constraints=[Interval(numbers.Real, 1, None, closed="neither")],
        doc="""
        The reduction factor (> 1): the best ``1 / factor`` of the candidates
        of a rung are promoted, with ``factor`` times the resource.
        """,
    ),
    Param(
        "warm_start", '"auto" or bool', default="auto",
        constraints=["boolean", StrOptions({"auto"})],
        doc="""
        Whether a promoted candidate continues, on each training fold, from
        the model it fitted at the previous rung instead of being retrained
        from scratch. "auto" turns it on for a resource that warm start
        grows, ``n_estimators`` or ``max_iter``, of an estimator with a
        ``warm_start`` parameter, itself or a step of (nested) pipelines:
        ``n_estimators`` of forests, gradient boosting and bagging,
        ``max_iter`` of HistGradientBoosting, MLP, SGD or linear models
        (LogisticRegression's liblinear solver ignores ``warm_start``, so
        its candidates are retrained). Any other parameter (``max_depth``,
        ``C``) changes the model a continuation would start from, so "auto"
        retrains; True continues it anyway, as iterations added by each
        warm fit (for estimators that grow with another parameter, such as
        ``max_epochs``), and raises a ValueError at fit where warm start is
        impossible: ``resource="n_samples"``, an owner without
        ``warm_start``, or an owner inside a meta-estimator other than a
        Pipeline (which fits a clone of it). With ``resource="partial_fit"``
        a promoted candidate continues its ``partial_fit`` epochs. False
        always retrains. See the Notes for which scores are identical to
        retraining and for the memory used.
        """,
    ),
    Param(
        "scheduler", '{"auto", "sync", "async"}', default="auto",
        constraints=[StrOptions({"auto", "sync", "async"})],
        doc="""
        How the rungs are run. "sync": each rung is one round, all its
        candidates evaluated together; the best ``1 / factor`` are promoted
        once the whole rung is scored. "async" (ASHA): candidates are
        evaluated one at a time per worker, and a candidate is promoted as
        soon as it is among the best ``floor(n / factor)`` of the ``n``
        candidates its rung has finished, so that no worker waits for a
        rung's slowest fit; every rung still evaluates the plan's number of
        candidates (the last promotions of a rung, once it is complete,
        follow the synchronous rule), and with several workers the next
        bracket starts while the last one ends. With one worker (``n_jobs=1``)
        "async" is deterministic for a given ``random_state``; with more,
        which candidates are promoted depends on the order the evaluations
        finish. "auto" is "async" when the candidates can run in several
        threads (``n_jobs`` > 1, joblib's default backend, joblib >= 1.3, no
        scikit-learn callbacks, ``error_score`` not "raise") and ``storage``
        is None, and "sync" otherwise; where they cannot, "async" runs one
        evaluation at a time. With ``storage``, "async" needs ``n_jobs=1``: a
        journal replays evaluations in the order they were made.
        """,
    ),
)

MULTI_FIDELITY_PARAMS: tuple[Param, ...] = (
    _ESTIMATOR,
    _SEARCH_SPACES,
    *_RESOURCE_PARAMS,
    *with_docs(
        _SKLEARN_PARAMS,
        scoring="""
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, candidates are promoted by the ``refit`` metric (or the
        first one when ``refit`` is not a metric name).
        """,
        n_jobs="""
        Number of jobs to run in parallel (candidates x folds of a rung),
        through joblib.
        """,
        refit="""
        As in :class:`~sklearn.model_selection.GridSearchCV`; the refit uses
        the whole data and, for a parameter resource, the best candidate's
        resource.
        """,
        cv="""
        As in :class:`~sklearn.model_selection.GridSearchCV`: full k-fold
        cross-validation at every rung. The data are split once per ``fit``:
        every rung uses the same splits, even with a splitter that shuffles
        without a ``random_state``.
        """,
        random_state="Seeds the sampling of candidates and of the ``n_samples`` "
        "subsets.",
        error_score="""
        Score of a failed fit. With a number the search goes on, and that
        number is the failed fit's score: with NaN (the default) a failed
        candidate ranks last (promoted only when too few others succeeded),
        while a number above the others' scores (0 with a negative loss such
        as ``"neg_log_loss"``) ranks it first, as in scikit-learn. Only when
        every fit of the whole search fails is an error raised.
        """,
    ),
    *_RUN_PARAMS,
)
