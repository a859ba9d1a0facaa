"""Rep fit: does a rep close deals of some industries better than skill alone explains?

Reps often specialise — they know the machines, the buyers and the language of a few
industries. Which ones is rarely recorded, so it is inferred from the closing step (the last
step of the opportunity path, where a deal is won or lost in negotiation): each rep × industry
cell is either *specialist* (closing logit ``+ specialist``) or not (``+ base``), unknown which;
a two-component mixture fitted by EM estimates the share of specialist cells, both shifts, and
for each cell the probability that the rep specialises in that industry. The fit effect is
``specialist - base``, on top of the step model's context and the rep's skill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit

from revintel.allocation._rep_skill import RepSkill

#: EM iterations (each one cheap: a pass over the closing decisions).
ITERATIONS = 300
#: Fewest closing decisions for the mixture to be fitted at all.
MIN_DECISIONS = 200
#: Smallest share of cells either component must hold to count as a fit effect.
MIN_SHARE = 0.02


@dataclass(frozen=True)
class RepFit:
    """Fitted specialisation mixture.

    ``cells`` has one row per rep × industry seen at the closing step: ``rep_id``,
    ``industry``, ``decisions``, ``won``, ``p_specialist``.
    """

    effect: float
    share: float
    base: float
    cells: pd.DataFrame

    def closing_shift(self, rep_ids: np.ndarray, industries: np.ndarray) -> np.ndarray:
        """Expected closing-logit shift of each rep on each deal's industry (cells never seen
        take the share of specialist cells)."""
        table = self.cells.set_index(["rep_id", "industry"])["p_specialist"]
        index = pd.MultiIndex.from_arrays([np.asarray(rep_ids), np.asarray(industries)])
        specialist = table.reindex(index).fillna(self.share).to_numpy()
        return self.base + specialist * self.effect

    def shift_matrix(self, industries: np.ndarray, rep_ids: np.ndarray) -> np.ndarray:
        """(deals, reps) :meth:`closing_shift` of every rep on every deal's industry."""
        if self.cells.empty:
            return np.full((len(industries), len(rep_ids)), self.base + self.share * self.effect)
        grid = self.cells.pivot_table(
            index="industry", columns="rep_id", values="p_specialist", aggfunc="first"
        )
        grid = grid.reindex(index=pd.unique(np.asarray(industries)), columns=list(rep_ids))
        specialist = grid.fillna(self.share).loc[list(industries)].to_numpy(dtype=float)
        return self.base + specialist * self.effect


NO_FIT = RepFit(0.0, 0.0, 0.0, pd.DataFrame(columns=["rep_id", "industry", "p_specialist"]))


def fit_rep_fit(deals: pd.DataFrame, skill: RepSkill) -> RepFit:
    """Fit the specialisation mixture on the closing decisions of ``deals``.

    Returns :data:`NO_FIT` (no effect) when fewer than :data:`MIN_DECISIONS` deals reached the
    closing step with a known outcome.
    """
    closed = deals["status"].isin(["won", "lost"])
    # Without stage history (one step) every closed deal is a closing decision.
    at_close = closed & ((deals["depth"] >= skill.steps - 1) | (skill.steps == 1))
    close = deals[at_close].reset_index(drop=True)
    if len(close) < MIN_DECISIONS:
        return NO_FIT
    rep_skill = pd.Series(skill.reps["skill"].to_numpy(), index=skill.reps["rep_id"])
    offset = skill.step_logits(close)[:, -1] + close["rep_id"].map(rep_skill).fillna(0.0).to_numpy()
    won = (close["status"] == "won").to_numpy(dtype=float)
    keys = close[["rep_id", "industry"]].astype(str)
    cells, cell = np.unique(keys["rep_id"] + "\x1f" + keys["industry"], return_inverse=True)
    share, base, specialist = _em(offset, won, cell, len(cells))
    weight = _posterior(offset, won, cell, len(cells), share, base, specialist)
    split = pd.Series(cells).str.split("\x1f", expand=True)
    table = pd.DataFrame(
        {
            "rep_id": split[0],
            "industry": split[1],
            "decisions": np.bincount(cell, minlength=len(cells)),
            "won": np.bincount(cell, weights=won, minlength=len(cells)).astype(int),
            "p_specialist": weight,
        }
    )
    return RepFit(specialist - base, share, base, table)


def _cell_loglik(
    offset: np.ndarray, won: np.ndarray, cell: np.ndarray, n: int, shift: float
) -> np.ndarray:
    z = offset + shift
    return np.bincount(cell, weights=won * log_expit(z) + (1 - won) * log_expit(-z), minlength=n)


def _posterior(
    offset: np.ndarray,
    won: np.ndarray,
    cell: np.ndarray,
    n: int,
    share: float,
    base: float,
    specialist: float,
) -> np.ndarray:
    if share <= 0.0 or share >= 1.0:
        return np.full(n, share)
    ratio = _cell_loglik(offset, won, cell, n, base) - _cell_loglik(
        offset, won, cell, n, specialist
    )
    return np.asarray(expit(np.log(share / (1 - share)) - ratio))


def _em(
    offset: np.ndarray, won: np.ndarray, cell: np.ndarray, n: int
) -> tuple[float, float, float]:
    """Share of specialist cells and the two closing shifts; started apart (no specialists
    assumed: base 0, specialist +1) so the components cannot swap."""
    share, base, specialist = 0.5, 0.0, 1.0
    for _ in range(ITERATIONS):
        weight = _posterior(offset, won, cell, n, share, base, specialist)
        share = float(np.clip(weight.mean(), 1e-6, 1 - 1e-6))
        base = _shift(offset, won, 1 - weight[cell], base)
        specialist = _shift(offset, won, weight[cell], specialist)
    if specialist < base or not MIN_SHARE <= share <= 1 - MIN_SHARE:
        # No separation (or a component of a cell or two): one component, no fit effect.
        pooled = _shift(offset, won, np.ones_like(won), 0.0)
        return 0.0, pooled, pooled
    return share, base, specialist


def _shift(offset: np.ndarray, won: np.ndarray, weight: np.ndarray, start: float) -> float:
    """Weighted maximum-likelihood shift of the closing logit (Newton)."""
    shift = start
    for _ in range(30):
        p = expit(offset + shift)
        step = float(np.sum(weight * (won - p)) / (np.sum(weight * p * (1 - p)) + 1e-9))
        shift += step
        if abs(step) < 1e-9:
            break
    return shift
