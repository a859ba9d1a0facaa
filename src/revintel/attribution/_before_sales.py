"""How much of the buying journey buyers complete before they first talk to sales.

Measured per lead journey as the share of its touchpoints, and of its elapsed time, that lie
before the first sales contact: the company's own figure for the often quoted "buyers finish two
thirds of the decision before they contact a supplier".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.attribution._lead_journeys import (
    ACCOUNT_DIMENSIONS,
    as_tuple,
    check_dimensions,
    end_of_day,
    lead_outcomes,
    lead_sources,
    lead_touches,
    with_account_dimensions,
)
from revintel.store import Store

#: Touchpoint kinds that are a conversation with sales: phone calls (the follow-up call of a new
#: lead too), meetings, visits on site and video calls. Pass your own tuple when your systems
#: name them differently.
DEFAULT_SALES_KINDS: tuple[str, ...] = ("call", "follow_up_call", "meeting", "visit", "video_call")
#: Breakdowns of :func:`share_before_sales_contact`.
BEFORE_SALES_DIMENSIONS = (*ACCOUNT_DIMENSIONS, "channel", "year")


def sales_contact_journeys(
    store: Store,
    *,
    sales_kinds: Sequence[str] = DEFAULT_SALES_KINDS,
    as_of: date | None = None,
) -> ir.Table:
    """One row per lead journey with touchpoints: ``lead_id``, ``account_id``, ``channel`` (the
    lead's origin channel), ``first_touch``, ``first_sales`` (first sales contact, empty if
    none), ``journey_end``, ``touches`` and ``touches_before`` (before the first sales contact).

    A decided journey (won, lost or disqualified) ends at its decision and touches after it are
    left out; an open one ends at its last touch, or at the end of ``as_of`` when given (touches
    and milestones after ``as_of`` are then ignored).
    """
    if not sales_kinds:
        raise ValueError("sales_kinds is empty: name at least one touchpoint kind")
    tp = lead_touches(store, as_of)
    ends = lead_outcomes(lead_sources(store, as_of)).select(k__lead="lead_id", t_end="t_end")
    tp = tp.left_join(ends, tp.lead_id == ends.k__lead).drop("k__lead")
    tp = tp.filter(tp.t_end.isnull() | (tp.occurred_at <= tp.t_end))
    is_sales = tp.kind.isin(list(sales_kinds))
    per_lead = tp.group_by("lead_id").aggregate(
        touch_account=tp.account_id.max(),
        first_touch=tp.occurred_at.min(),
        last_touch=tp.occurred_at.max(),
        first_sales=tp.occurred_at.min(where=is_sales),
        decided_at=tp.t_end.max(),
        touches=tp.count(),
    )
    marks = per_lead.select(k__lead="lead_id", k__sales="first_sales")
    joined = tp.join(marks, tp.lead_id == marks.k__lead)
    before = joined.group_by(k__lead2=joined.lead_id).aggregate(
        touches_before=joined.count(where=joined.occurred_at < joined.k__sales)
    )
    open_end = end_of_day(as_of) if as_of is not None else per_lead.last_touch
    leads = store.table("leads")
    attrs = leads.select(
        k__lead3=leads.lead_id, lead_account=leads.account_id, channel=leads.channel
    )
    out = per_lead.join(before, per_lead.lead_id == before.k__lead2).drop("k__lead2")
    out = out.left_join(attrs, out.lead_id == attrs.k__lead3).drop("k__lead3")
    return out.select(
        "lead_id",
        "channel",
        "first_touch",
        "first_sales",
        "touches",
        account_id=ibis.coalesce(out.lead_account, out.touch_account),
        journey_end=ibis.coalesce(out.decided_at, open_end),
        touches_before=ibis.ifelse(out.first_sales.isnull(), out.touches, out.touches_before),
    )


def _summarise(group: pd.DataFrame) -> dict[str, float]:
    talked = group[group["first_sales"].notna()]
    timed = talked["time_share"].dropna()
    return {
        "journeys": len(group),
        "with_sales_contact": len(talked),
        "without_sales_contact": len(group) - len(talked),
        "without_sales_contact_share": (len(group) - len(talked)) / len(group),
        "touch_share_median": talked["touch_share"].median(),
        "touch_share_mean": talked["touch_share"].mean(),
        "timed_journeys": len(timed),
        "time_share_median": timed.median(),
        "time_share_mean": timed.mean(),
    }


def share_before_sales_contact(
    store: Store,
    *,
    by: str | Sequence[str] = ("segment", "year"),
    sales_kinds: Sequence[str] = DEFAULT_SALES_KINDS,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Share of each lead journey completed before its first sales contact, per group.

    For every lead journey with a sales contact (its first touch whose ``kind`` is in
    ``sales_kinds``): the share of its touchpoints before that contact, and the share of its
    elapsed time (first touch → first sales contact, of first touch → won, lost or
    disqualified; an open journey's last touch, or ``as_of``). Journeys without any sales
    contact are counted apart: they were fully self-service.

    Parameters
    ----------
    store
        The store to read.
    by
        Groups: ``segment``, ``industry``, ``region``, ``country`` (of the lead's account),
        ``channel`` (the lead's origin channel) and ``year`` (of the first touch).
    sales_kinds
        Touchpoint kinds that count as a sales contact (default :data:`DEFAULT_SALES_KINDS`).
    as_of
        Evaluate as of the end of this day (default: everything stored).

    Returns
    -------
    pandas.DataFrame
        One row per group and, last, the overall row with every ``by`` column empty:
        ``journeys``, ``with_sales_contact``, ``without_sales_contact``,
        ``without_sales_contact_share``, ``touch_share_median``, ``touch_share_mean``,
        ``timed_journeys`` (journeys with a sales contact lasting longer than an instant, the
        ones with a time share) and ``time_share_median``/``time_share_mean``.
    """
    dims = as_tuple(by)
    check_dimensions(dims, BEFORE_SALES_DIMENSIONS)
    journeys = sales_contact_journeys(store, sales_kinds=sales_kinds, as_of=as_of)
    journeys = with_account_dimensions(store, journeys, dims)
    if "year" in dims:
        journeys = journeys.mutate(year=journeys.first_touch.year().cast("int64"))
    frame = journeys.execute()
    if frame.empty:
        raise ValueError("the store holds no touchpoints of leads: nothing to measure")
    frame = frame.sort_values("lead_id", ignore_index=True)
    frame["touch_share"] = frame["touches_before"] / frame["touches"]
    span = (frame["journey_end"] - frame["first_touch"]).dt.total_seconds()
    elapsed = (frame["first_sales"] - frame["first_touch"]).dt.total_seconds()
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["time_share"] = np.where(span > 0, (elapsed / span).clip(0.0, 1.0), np.nan)
    rows = []
    if dims:
        for key, group in frame.groupby(list(dims), dropna=False, sort=True):
            values = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(dims, values, strict=True)), **_summarise(group)})
    rows.append({**dict.fromkeys(dims), **_summarise(frame)})
    out = pd.DataFrame(rows)
    if "year" in dims:
        out["year"] = out["year"].astype("Int64")
    return out
