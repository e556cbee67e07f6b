"""The warning of a multi-fidelity search whose candidates fail on a small rung.

A rung with little resource can be too small for some candidates: a k-NN
classifier with more neighbours than the rung's training folds have samples
fits but cannot predict, so its score is NaN. Such a candidate ranks last
and is not promoted (unless too few candidates have a score to fill the next
rung), and scikit-learn only says, for every fold, that scoring failed. The
search says it once, in the user's terms: which rung, how many candidates,
what the failing ones have in common, and what to do.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Sequence

import numpy as np

from sklearn_hpo.search._results import user_stacklevel

__all__ = ["RungFailureWarning", "warn_rung_failures"]


class RungFailureWarning(UserWarning):
    """Some candidates got no score on a rung with less than the full resource.

    Issued at most once per fit of a multi-fidelity search, after the first
    such rung. A candidate without a score ranks last at its rung, as a bad
    candidate does: it is promoted only when fewer candidates than the next
    rung takes have a score. When the failures come from the rung's small
    resource (a parameter that needs more samples than the rung gives),
    raise ``min_resources`` so that every rung can fit every candidate.
    """


def _numeric(values: Sequence[Any]) -> bool:
    return all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
        for v in values
    )


def _what_sets_apart(failed: list[dict], ok: list[dict]) -> list[str]:
    """The parameters whose values alone tell the failed candidates apart.

    For a numeric parameter: every failed value above (or below) every
    value of the others; for any other: no value shared. Only parameters
    every candidate of the rung has are looked at.
    """
    if not failed or not ok:
        return []
    names = set.intersection(*(set(c) for c in failed + ok))
    found = []
    for name in sorted(names):
        bad = [c[name] for c in failed]
        good = [c[name] for c in ok]
        if _numeric(bad + good):
            if min(bad) > max(good):
                found.append(
                    f"{name} >= {min(bad)!r} (the others have {name} <= "
                    f"{max(good)!r})"
                )
            elif max(bad) < min(good):
                found.append(
                    f"{name} <= {max(bad)!r} (the others have {name} >= "
                    f"{min(good)!r})"
                )
            continue
        try:
            if not any(b == g for b in bad for g in good):
                values = sorted({repr(b) for b in bad})
                found.append(f"{name} in [{', '.join(values)}]")
        except Exception:  # values whose == is not a bool (arrays)
            continue
    return found


def warn_rung_failures(
    search: Any,
    evaluation: Any,
    configs: list[dict],
    scores: np.ndarray,
    rung: Any,
) -> bool:
    """Warn once if candidates got no score on a rung below ``max_resources_``.

    Parameters
    ----------
    search : BaseMultiFidelitySearchCV
        The search being fitted (``max_resources_``, ``min_resources_`` set).
    evaluation : Evaluation
        Its evaluation; ``evaluation.resource`` describes the rung.
    configs : list of dict
        The rung's candidates (without the resource parameter).
    scores : ndarray
        Their scores, NaN for a failed candidate.
    rung : Rung
        The rung.

    Returns
    -------
    bool
        Whether it warned.
    """
    if rung.n_resources >= search.max_resources_:
        return False  # failing with the full resource: a bad candidate
    bad = ~np.isfinite(np.asarray(scores, dtype=float))
    if not bad.any():
        return False
    failed = [c for c, b in zip(configs, bad) if b]
    ok = [c for c, b in zip(configs, bad) if not b]
    where = evaluation.resource.describe(rung.n_resources, evaluation)
    apart = _what_sets_apart(failed, ok)
    common = (
        f" The failing ones all have {' and '.join(apart)}." if apart else ""
    )
    example = evaluation.resource.too_small_example
    example = f" (as {example})" if example else ""
    n_bad, n = int(bad.sum()), len(configs)
    warnings.warn(
        f"{n_bad} of {n} candidate{'s' * (n != 1)} of {type(search).__name__} "
        f"got no score (the fit or the scoring failed) at rung {rung.rung} of "
        f"bracket {rung.bracket}, with {where} of max_resources="
        f"{search.max_resources_}.{common} A candidate without a score ranks "
        "last: it reaches the rungs with more resource only if too few "
        "candidates have a score. If they fail because this rung is too small "
        f"for them{example}, raise min_resources above {rung.n_resources} "
        f"(it is {search.min_resources_}; every rung at or below "
        f"{rung.n_resources} may fail them) or narrow search_spaces; otherwise set "
        "error_score='raise' to see the error.",
        RungFailureWarning,
        stacklevel=user_stacklevel(),
    )
    return True
