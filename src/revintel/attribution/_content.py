"""Which content buyers consume in each buying phase, and how it goes with moving on.

A phase runs from reaching one milestone to reaching the next one it is measured by (or to the
journey's end); the content of a touch is ``touchpoints.content``, else its ``kind``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from revintel.attribution._proportions import difference_interval, ratio_interval
from revintel.store import Store


@dataclass(frozen=True)
class Phase:
    """A buying phase: from reaching ``start`` (from the first touch when ``None``) until
    reaching ``target``, which is also the phase's conversion."""

    name: str
    start: str | None
    target: str


#: Before the MQL, MQL → SQL, SQL → offer sent, offer sent → won or lost.
DEFAULT_PHASES: tuple[Phase, ...] = (
    Phase("before_mql", None, "mql"),
    Phase("mql_to_sql", "mql", "sql"),
    Phase("sql_to_offer", "sql", "offer_sent"),
    Phase("offer_to_decision", "offer_sent", "won"),
)


def _phase_journeys(outcomes: ir.Table, phases: Sequence[Phase]) -> ir.Table:
    parts = []
    for order, phase in enumerate(phases):
        rows = outcomes
        start: ir.Value = ibis.null().cast("timestamp")
        if phase.start is not None:
            rows = rows.filter(rows[f"t_{phase.start}"].notnull())
            start = rows[f"t_{phase.start}"]
        reached = rows[f"t_{phase.target}"]
        parts.append(
            rows.select(
                "lead_id",
                phase=ibis.literal(phase.name),
                phase_order=ibis.literal(order).cast("int64"),
                phase_start=start.cast("timestamp"),
                phase_end=ibis.coalesce(reached, rows.t_end),
                converted=reached.notnull(),
                decided=reached.notnull() | rows.t_end.notnull(),
            )
        )
    result = parts[0]
    for part in parts[1:]:
        result = result.union(part, distinct=False)
    return result


def _content_touches(store: Store, as_of: date | None) -> ir.Table:
    tp = lead_touches(store, as_of)
    text = tp.content.strip()
    named = ibis.ifelse(text.isnull() | (text == ""), tp.kind, text)
    return tp.select("lead_id", "occurred_at", content=named)


def content_by_phase(
    store: Store,
    *,
    phases: Sequence[Phase] = DEFAULT_PHASES,
    as_of: date | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Content consumed in each buying phase, with the conversion lift of consuming it.

    A touch belongs to a phase when it happened at or after the journey reached the phase's
    start and before it reached the target (or before the journey ended, or ever when open).
    Lift compares the conversion to the target of journeys that consumed the content in the
    phase with those in the phase that did not; only decided journeys count there (reached
    the target, or ended won, lost or disqualified without it), open ones are left out.
    Leads without a stage history have no phases.

    Parameters
    ----------
    store
        The store to read.
    phases
        The phases, in order (default :data:`DEFAULT_PHASES`).
    as_of
        Evaluate as of the end of this day (default: everything stored).
    confidence
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per phase and content, phases in order, most consumed first: ``phase``,
        ``content``, ``touches``, ``share`` (of the phase's touches), ``journeys`` (that consumed
        it), ``decided_with``/``converted_with``/``rate_with`` and
        ``decided_without``/``converted_without``/``rate_without``, ``difference``
        (rate_with − rate_without) with its Newcombe interval ``difference_low``/``_high``,
        and ``lift`` (rate_with / rate_without) with its MOVER-R interval ``lift_low``/``_high``.
    """
    if not phases:
        raise ValueError("phases is empty: name at least one phase")
    sources = lead_sources(store, as_of)
    for phase in phases:
        if phase.start is not None:
            check_milestone(sources.funnel, phase.start, f"phase {phase.name!r} start")
        check_milestone(sources.funnel, phase.target, f"phase {phase.name!r} target")
    journeys = _phase_journeys(lead_outcomes(sources), phases)
    tp = _content_touches(store, as_of)
    j = journeys.rename(k__lead="lead_id")
    joined = tp.join(j, tp.lead_id == j.k__lead)
    inside = joined.filter(
        (joined.phase_start.isnull() | (joined.occurred_at >= joined.phase_start))
        & (joined.phase_end.isnull() | (joined.occurred_at < joined.phase_end))
    )
    lead = inside.lead_id
    consumed = (
        inside.group_by(["phase", "phase_order", "content"])
        .aggregate(
            touches=inside.count(),
            journeys=lead.nunique(),
            decided_with=lead.nunique(where=inside.decided),
            converted_with=lead.nunique(where=inside.decided & inside.converted),
        )
        .execute()
    )
    totals = (
        journeys.group_by("phase")
        .aggregate(
            decided_total=journeys.count(where=journeys.decided),
            converted_total=journeys.count(where=journeys.decided & journeys.converted),
        )
        .execute()
    )
    return _lift(consumed.merge(totals, on="phase", how="left"), confidence)


def _lift(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    frame["share"] = frame["touches"] / frame.groupby("phase")["touches"].transform("sum")
    frame["decided_without"] = frame["decided_total"] - frame["decided_with"]
    frame["converted_without"] = frame["converted_total"] - frame["converted_with"]
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["rate_with"] = frame["converted_with"] / frame["decided_with"]
        frame["rate_without"] = frame["converted_without"] / frame["decided_without"]
    with_, without = ("converted_with", "decided_with"), ("converted_without", "decided_without")
    args = (*(frame[c] for c in with_), *(frame[c] for c in without), confidence)
    d, d_low, d_high = difference_interval(*args)
    r, r_low, r_high = ratio_interval(*args)
    frame = frame.assign(
        difference=d,
        difference_low=d_low,
        difference_high=d_high,
        lift=r,
        lift_low=r_low,
        lift_high=r_high,
    )
    frame = frame.sort_values(["phase_order", "touches", "content"], ascending=[True, False, True])
    columns = [
        "phase",
        "content",
        "touches",
        "share",
        "journeys",
        "decided_with",
        "converted_with",
        "rate_with",
        "decided_without",
        "converted_without",
        "rate_without",
        "difference",
        "difference_low",
        "difference_high",
        "lift",
        "lift_low",
        "lift_high",
    ]
    return frame[columns].reset_index(drop=True)
