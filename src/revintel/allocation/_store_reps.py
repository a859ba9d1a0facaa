"""What the rep model (skill and industry fit) tells the capacity allocation.

**Fit.** A rep's factor on an industry's accounts is how often the rep would close that
industry's offers relative to the average rep: over the closed deals of the industry, the
closing step's mean P(close | rep) (skill and industry fit) / the mean over the reps. The
closing step, not the whole path: account business is mostly repeat orders negotiated with a
known customer, and the product over every step would multiply a rep's skill five times over.
Selling hours of a rep who closes twice as often are taken to earn twice as much — a
proportionality the history cannot test (it logs hours per account, not per outcome), stated
here so it can be questioned.

**Win uplift of an open deal.** History holds no deal that nobody worked, so what attention
adds to the chance to win cannot be measured against none. What the rep model does measure is
how much the chance depends on how the deal is worked: the uplift is the chance the average
rep wins the deal from its current step minus the chance of the weakest rep of the company —
a lower bound of the attention's worth, which the rep's own fit then scales.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from revintel.allocation._potential_features import UNKNOWN
from revintel.allocation._rep_deals import UNKNOWN as DEAL_UNKNOWN
from revintel.allocation._rep_match import win_chances
from revintel.allocation._rep_performance import RepPerformance

FIT_COLUMNS = ("rep_id", "industry", "factor")


def industry_fit(
    deals: pd.DataFrame, rep_ids: np.ndarray, performance: RepPerformance
) -> pd.DataFrame:
    """``rep_id``, ``industry``, ``factor`` for every rep and every industry of a closed deal.

    The industry is named as the accounts name it (an empty one as ``(unknown)``).
    """
    closed = deals[deals["status"].isin(["won", "lost"])].assign(depth=0).reset_index(drop=True)
    if closed.empty or len(rep_ids) == 0:
        return pd.DataFrame(columns=list(FIT_COLUMNS))
    chances = closing_chances(closed, rep_ids, performance)
    industry = closed["industry"].replace(DEAL_UNKNOWN, UNKNOWN).to_numpy(str)
    rows = []
    for name in sorted(set(industry)):
        mean = chances[industry == name].mean(axis=0)
        average = float(mean.mean())
        factor = mean / average if average > 0 else np.ones(len(rep_ids))
        rows.append(pd.DataFrame({"rep_id": rep_ids, "industry": name, "factor": factor}))
    frame = pd.concat(rows, ignore_index=True)
    frame["factor"] = frame["factor"].round(4)
    return frame[list(FIT_COLUMNS)]


def closing_chances(
    deals: pd.DataFrame, rep_ids: np.ndarray, performance: RepPerformance
) -> np.ndarray:
    """(deals, reps) P(the closing step is passed) if each rep worked each deal."""
    skill, fit = performance.skill, performance.fit
    base = skill.step_logits(deals)[:, -1]
    effects = pd.Series(skill.reps["skill"].to_numpy(), index=skill.reps["rep_id"])
    effect = pd.Series(rep_ids).map(effects).fillna(0.0).to_numpy()
    shifts = fit.shift_matrix(deals["industry"].to_numpy(), rep_ids)
    return np.asarray(expit(base[:, None] + effect[None, :] + shifts))


def deal_uplift(
    open_deals: pd.DataFrame, rep_ids: np.ndarray, performance: RepPerformance
) -> np.ndarray:
    """For each open deal: P(win) of the average rep − P(win) of the weakest rep, from the
    deal's current step on (see the module), within [0, 1]."""
    if open_deals.empty or len(rep_ids) == 0:
        return np.zeros(len(open_deals))
    chances = win_chances(open_deals, rep_ids, performance.skill, performance.fit)
    return np.clip(chances.mean(axis=1) - chances.min(axis=1), 0.0, 1.0).round(6)
