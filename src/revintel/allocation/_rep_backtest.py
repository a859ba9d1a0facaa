"""Out of time: do the reps' skill and fit predict deals that came after the fit?

The models are fitted on what was known at a cutoff (deals created by then, outcomes as of
then) and scored on the deals created after it that have closed since, each predicted from its
creation: with the context alone (an average rep), with the rep's skill, and with skill and
industry fit. Lower log loss and Brier score than the context alone mean the rep estimates
carry information about the future, not only about the past they were fitted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revintel.allocation._rep_deals import rep_deals
from revintel.allocation._rep_fit import fit_rep_fit
from revintel.allocation._rep_skill import RepModelError, fit_rep_skill
from revintel.store import Store

#: The predictions compared, in order.
VARIANTS = ("context", "skill", "skill_and_fit")


@dataclass(frozen=True)
class RepBacktest:
    """Scores of :func:`rep_skill_backtest` per variant (:data:`VARIANTS`)."""

    cutoff: date
    deals: int
    log_loss: dict[str, float]
    brier: dict[str, float]


def rep_skill_backtest(store: Store, cutoff: date) -> RepBacktest:
    """Fit on the store as of ``cutoff``, score the deals created after it that are closed.

    Raises
    ------
    RepModelError
        Too few closed deals before the cutoff, or none created after it and closed.
    """
    train = rep_deals(store, cutoff)
    everything = rep_deals(store)
    after = everything["created_at"] > pd.Timestamp(cutoff) + pd.Timedelta(days=1)
    test = everything[after & everything["status"].isin(["won", "lost"])]
    if test.empty:
        raise RepModelError(f"no deal created after {cutoff.isoformat()} has closed yet")
    skill = fit_rep_skill(train)
    fit = fit_rep_fit(train, skill)
    fresh = test.assign(depth=0).reset_index(drop=True)
    reps = fresh["rep_id"].to_numpy()
    shift = fit.closing_shift(reps, fresh["industry"].to_numpy())
    predictions = {
        "context": skill.win_probability(fresh, np.full(len(fresh), "")),
        "skill": skill.win_probability(fresh, reps),
        "skill_and_fit": skill.win_probability(fresh, reps, shift),
    }
    won = (fresh["status"] == "won").to_numpy(dtype=float)
    log_loss, brier = {}, {}
    for name, p in predictions.items():
        q = np.clip(p, 1e-6, 1 - 1e-6)
        log_loss[name] = float(-np.mean(won * np.log(q) + (1 - won) * np.log(1 - q)))
        brier[name] = float(np.mean((p - won) ** 2))
    return RepBacktest(cutoff, len(fresh), log_loss, brier)
