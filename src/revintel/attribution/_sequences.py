"""The channel sequences that lead to a milestone, against those of journeys that stalled.

A journey's sequence is its last few channels before it converted (or before it ended or
stalled), consecutive repeats of one channel counted once: ``search > webinar > field_sales``.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.attribution._lead_journeys import (
    check_milestone,
    lead_outcomes,
    lead_sources,
    lead_touches,
)
from revintel.metrics import wilson_interval
from revintel.store import Store

#: Joins the channels of a sequence.
SEPARATOR = " > "


def _last_channels(touches: ir.Table, length: int) -> ir.Table:
    """Per lead the last ``length`` channels, repeats collapsed: ``c0`` the latest."""
    forward = ibis.window(group_by="lead_id", order_by=["occurred_at", "touchpoint_id"])
    marked = touches.mutate(previous=touches.channel.lag().over(forward))
    changes = marked.filter(marked.previous.isnull() | (marked.previous != marked.channel))
    backward = ibis.window(
        group_by="lead_id",
        order_by=[ibis.desc("occurred_at"), ibis.desc("touchpoint_id")],
    )
    ranked = changes.mutate(position=ibis.row_number().over(backward))
    last = ranked.filter(ranked.position < length)
    return last.group_by("lead_id").aggregate(
        **{f"c{k}": last.channel.max(where=last.position == k) for k in range(length)}
    )


def _journey_touches(store: Store, to: str, as_of: date | None) -> tuple[ir.Table, ir.Table]:
    sources = lead_sources(store, as_of)
    check_milestone(sources.funnel, to, "to")
    outcomes = lead_outcomes(sources).select(k__lead="lead_id", t_to=f"t_{to}", t_end="t_end")
    tp = lead_touches(store, as_of)
    tp = tp.join(outcomes, tp.lead_id == outcomes.k__lead).drop("k__lead")
    until = ibis.coalesce(tp.t_to, tp.t_end)
    tp = tp.filter(until.isnull() | (tp.occurred_at <= until))
    leads = tp.group_by("lead_id").aggregate(
        first_touch=tp.occurred_at.min(), t_to=tp.t_to.max(), t_end=tp.t_end.max()
    )
    return tp, leads


def _classify(leads: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.DataFrame, float]:
    converting = leads["t_to"].notna()
    days = (leads["t_to"] - leads["first_touch"]).dt.total_seconds() / 86_400
    median = float(days[converting].median()) if converting.any() else np.nan
    age = (as_of - leads["first_touch"]).dt.total_seconds() / 86_400
    ended = ~converting & leads["t_end"].notna()
    overdue = ~converting & leads["t_end"].isna() & (age > median)
    leads = leads.assign(converting=converting, stalled=ended | overdue)
    return leads[leads["converting"] | leads["stalled"]], median


def top_sequences(
    store: Store,
    *,
    to: str = "won",
    length: int = 3,
    top: int = 10,
    as_of: date | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The most frequent channel sequences of converting journeys and of stalled ones.

    A lead journey *converts* when it reaches ``to``; its sequence is made of its touches up to
    that moment. It *stalled* when it ended (lost or disqualified) without reaching ``to``, or
    is still open and older (since its first touch) than the median time converting journeys
    took from their first touch to ``to``; its sequence is made of all its touches. Younger
    open journeys are left out.

    Parameters
    ----------
    store
        The store to read.
    to
        The milestone that counts as conversion (default ``won``).
    length
        How many of the last channels make a sequence (at least 1).
    top
        The ``top`` sequences among converting journeys and the ``top`` among stalled ones
        are returned (fewer when they overlap).
    as_of
        Evaluate as of the end of this day (default: the day of the last milestone event,
        with everything stored).
    confidence
        Level of the conversion rate's Wilson interval.

    Returns
    -------
    pandas.DataFrame
        ``sequence`` (channels joined by " > ", oldest first), ``channels`` (how many),
        ``converting``, ``stalled``, ``journeys``, ``converting_share`` and ``stalled_share``
        (of all converting or stalled journeys), ``conversion_rate`` with its Wilson interval
        ``conversion_rate_low``/``_high``, and ``lift`` (the rate over the rate of all
        converting and stalled journeys); most converting first. ``attrs["median_days"]``
        holds the median time to ``to`` that marks an open journey as stalled.
    """
    if length < 1 or top < 1:
        raise ValueError(f"length and top must be at least 1, got length={length}, top={top}")
    tp, leads = _journey_touches(store, to, as_of)
    sequences = _last_channels(tp, length)
    frame = leads.join(sequences, leads.lead_id == sequences.lead_id).execute()
    if frame.empty:
        raise ValueError("the store holds no touchpoints of leads with a stage history")
    evaluated = lead_sources(store, as_of).as_of
    journeys, median = _classify(frame, pd.Timestamp(evaluated) + pd.Timedelta(days=1))
    columns = [f"c{k}" for k in reversed(range(length))]
    journeys = journeys.assign(
        sequence=journeys[columns].apply(
            lambda row: SEPARATOR.join(c for c in row if isinstance(c, str)), axis=1
        ),
        channels=journeys[columns].notna().sum(axis=1),
    )
    return _ranked(journeys, top, median, confidence)


def _most(counts: pd.DataFrame, column: str, top: int) -> pd.Index:
    present = counts[counts[column] > 0]
    return present.sort_values([column, "sequence"], ascending=[False, True]).head(top).index


def _ranked(journeys: pd.DataFrame, top: int, median: float, confidence: float) -> pd.DataFrame:
    counts = journeys.groupby(["sequence", "channels"], as_index=False).agg(
        converting=("converting", "sum"), stalled=("stalled", "sum")
    )
    counts[["converting", "stalled"]] = counts[["converting", "stalled"]].astype("int64")
    counts["journeys"] = counts["converting"] + counts["stalled"]
    total_converting, total_stalled = counts["converting"].sum(), counts["stalled"].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["converting_share"] = counts["converting"] / total_converting
        counts["stalled_share"] = counts["stalled"] / total_stalled
        counts["conversion_rate"] = counts["converting"] / counts["journeys"]
        overall = total_converting / (total_converting + total_stalled)
        counts["lift"] = counts["conversion_rate"] / overall
    low, high = wilson_interval(counts["converting"], counts["journeys"], confidence)
    counts["conversion_rate_low"], counts["conversion_rate_high"] = low, high
    best = set(_most(counts, "converting", top)) | set(_most(counts, "stalled", top))
    picked = counts.loc[sorted(best)].sort_values(
        ["converting", "stalled", "sequence"], ascending=[False, False, True]
    )
    columns = [
        "sequence",
        "channels",
        "converting",
        "stalled",
        "journeys",
        "converting_share",
        "stalled_share",
        "conversion_rate",
        "conversion_rate_low",
        "conversion_rate_high",
        "lift",
    ]
    out = picked[columns].reset_index(drop=True)
    out.attrs["median_days"] = median
    return out
