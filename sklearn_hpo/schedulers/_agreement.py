"""How well a rung's ranking of candidates predicts the next rung's.

Successive halving trusts a small resource to rank candidates as a larger one
would. Where it does not (boosting with few iterations favours high learning
rates, for instance), the candidates promoted from a small rung are not the
best at the full resource. The rank correlation between the scores of the
candidates evaluated at two consecutive resources measures that trust, as
MFES-HB (Li et al., "MFES-HB: Efficient Hyperband with Multi-Fidelity Quality
Measurements", AAAI 2021) weights its per-resource surrogates by it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy.stats import rankdata

from sklearn_hpo.schedulers._plans import Bracket, Rung

__all__ = ["RungAgreement", "chain_agreement", "rank_correlation", "trusted_bracket"]

# Fewer pairs leave the correlation undefined (two points always agree).
MIN_PAIRS = 3
# Fewer pairs are not acted on: Spearman's correlation of 3 or 4 pairs takes
# a few coarse values, and is often negative for resources that agree well.
DECISION_PAIRS = 5


def rank_correlation(x: Any, y: Any) -> tuple[float, int]:
    """Spearman's rank correlation of ``x`` and ``y``, and the pairs it used.

    Pairs with a non-finite value (failed fits) are left out; ties get their
    average rank. The correlation is NaN with fewer than 3 pairs, or when
    all the values of one side are equal.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Paired scores, e.g. of the same candidates at two resources.

    Returns
    -------
    correlation : float
        In [-1, 1], or NaN.
    n_pairs : int
        Number of pairs with both values finite.

    Examples
    --------
    >>> from sklearn_hpo.schedulers import rank_correlation
    >>> rank_correlation([1, 2, 3, float("nan")], [10, 30, 20, 40])
    (0.5, 3)
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same length, got {len(x)} and {len(y)}."
        )
    keep = np.isfinite(x) & np.isfinite(y)
    n = int(keep.sum())
    if n < MIN_PAIRS:
        return float("nan"), n
    rx = rankdata(x[keep]) - (n + 1) / 2
    ry = rankdata(y[keep]) - (n + 1) / 2
    denominator = np.sqrt(np.dot(rx, rx) * np.dot(ry, ry))
    if denominator == 0:
        return float("nan"), n
    value = float(np.clip(np.dot(rx, ry) / denominator, -1.0, 1.0))
    return value, n


class RungAgreement:
    """Scores of the candidates seen at two consecutive resources, pooled.

    Pairs are pooled by ``(n_resources, next_n_resources)`` over all the
    brackets (scores at the same resource are comparable across brackets:
    same splits, same resource).
    """

    def __init__(self) -> None:
        self._pairs: dict[tuple[int, int], tuple[list[float], list[float]]] = {}

    def add(self, resources: int, next_resources: int, low: Any, high: Any) -> None:
        """Record the scores ``low`` at ``resources`` and ``high`` at the next."""
        xs, ys = self._pairs.setdefault((int(resources), int(next_resources)), ([], []))
        xs.extend(float(v) for v in np.asarray(low, dtype=float).ravel())
        ys.extend(float(v) for v in np.asarray(high, dtype=float).ravel())

    def correlation(self, resources: int, next_resources: int) -> tuple[float, int]:
        """:func:`rank_correlation` of the pairs of one transition so far."""
        xs, ys = self._pairs.get((int(resources), int(next_resources)), ([], []))
        return rank_correlation(xs, ys)

    def as_dict(self) -> dict[tuple[int, int], dict[str, float | int]]:
        """``{(n_resources, next_n_resources): {"correlation", "n_pairs"}}``."""
        out: dict[tuple[int, int], dict[str, float | int]] = {}
        for key in sorted(self._pairs):
            rho, n = self.correlation(*key)
            out[key] = {"correlation": rho, "n_pairs": n}
        return out


def chain_agreement(bracket: Bracket, agreement: RungAgreement) -> float:
    """The lowest rank agreement along ``bracket``'s rungs (NaN if none known).

    A bracket promotes on its first rung's ranking, then on the next one's,
    and so on: its choice is only as good as its worst transition.
    Transitions with fewer than 5 pairs so far (or an undefined
    correlation) say nothing and are skipped.
    """
    known = []
    for low, high in zip(bracket.rungs, bracket.rungs[1:]):
        rho, n = agreement.correlation(low.n_resources, high.n_resources)
        if n >= DECISION_PAIRS and not np.isnan(rho):
            known.append(rho)
    return min(known) if known else float("nan")


def trusted_bracket(
    bracket: Bracket,
    templates: Sequence[Bracket],
    agreement: RungAgreement,
    min_agreement: float,
) -> Bracket:
    """``bracket``, or a less aggressive one if its rungs rank unlike the next.

    While the lowest known agreement along the bracket's rungs
    (:func:`chain_agreement`) is below ``min_agreement``, the bracket is
    replaced by the template with one rung fewer: it starts ``factor``
    times higher with fewer candidates, for about the same budget (as
    Hyperband's brackets are planned). The bracket with a single rung (all
    candidates at the largest resource) trusts no small resource and is
    never replaced.

    Parameters
    ----------
    bracket : Bracket
        The planned bracket.
    templates : sequence of Bracket
        One Hyperband iteration (:func:`hyperband_plan` with ``n_brackets=None``):
        the bracket of each number of rungs.
    agreement : RungAgreement
        The pairs recorded so far.
    min_agreement : float
        Lowest rank correlation a transition may have for the bracket to be
        run as planned.

    Returns
    -------
    Bracket
        With ``bracket``'s index.
    """
    by_rungs = {len(t.rungs): t for t in templates}
    current = bracket
    while len(current.rungs) > 1:
        rho = chain_agreement(current, agreement)
        if np.isnan(rho) or rho >= min_agreement:
            break
        easier = by_rungs.get(len(current.rungs) - 1)
        if easier is None:
            break
        current = easier
    if current is bracket:
        return bracket
    return Bracket(
        bracket.bracket,
        tuple(
            Rung(bracket.bracket, r.rung, r.n_candidates, r.n_resources)
            for r in current.rungs
        ),
    )
