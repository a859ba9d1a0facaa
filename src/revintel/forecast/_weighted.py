"""Weighted pipeline: open amounts × P(won | current milestone) by expected close period.

Two weightings side by side: the measured probability (censoring-aware, shrunk toward the
configured default where a segment has few entrants) and the funnel's configured default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.forecast._model import FunnelModel

PAST_DUE = "past due"


def _period(days: np.ndarray, cut: float, grain: str) -> list[str]:
    stamps = pd.to_datetime(pd.Series(days * 86_400.0), unit="s", errors="coerce")
    labels = stamps.dt.to_period("Q" if grain == "quarter" else "M").astype(str)
    out = np.where(days < cut, PAST_DUE, labels.to_numpy(str))
    return list(np.where(np.isnan(days), "(no date)", out))


def weighted_pipeline(
    model: FunnelModel, by: str | None = None, grain: str = "month"
) -> pd.DataFrame:
    """Open pipeline by expected close ``grain`` (month or quarter) and optional dimension.

    Columns: period, [by], opportunities, amount, weighted_measured, weighted_default.
    """
    opps = model.opportunities
    furthest, _ = opps.current()
    keep = opps.is_open & (furthest >= 0)
    frame = opps.frame[keep].reset_index(drop=True)
    milestone = np.array(opps.milestones, dtype=object)[furthest[keep]]
    probs = model.milestone_probability
    funnel = model.history.funnel
    measured = [
        probs.get((m, s), probs.get((m, ""), 0.0))
        for m, s in zip(milestone, frame["segment"], strict=True)
    ]
    default = [funnel.get(m).default_probability for m in milestone]
    frame = frame.assign(
        period=_period(frame["expected_close"].to_numpy(float), model.cut, grain),
        weighted_measured=frame["amount"] * np.array(measured, dtype=float),
        weighted_default=frame["amount"] * np.array(default, dtype=float),
    )
    keys = ["period"] + ([by] if by else [])
    out = frame.groupby(keys, as_index=False).agg(
        opportunities=("opportunity_id", "count"),
        amount=("amount", "sum"),
        weighted_measured=("weighted_measured", "sum"),
        weighted_default=("weighted_default", "sum"),
    )
    order = out["period"].map(lambda p: "" if p == PAST_DUE else p)
    return out.iloc[np.lexsort([order.to_numpy(str)])].reset_index(drop=True)
