"""Which leads wait for sales: the last lead milestone is an MQL that nobody has decided on.

A lead waits from its newest MQL milestone until sales accepts it (``sal``), rejects it
(``disqualified``), it reaches ``sql`` or an opportunity, or sales recycles it to nurturing
(a ``recycle`` decision after that MQL). A newer MQL brings a recycled lead back.
"""

from __future__ import annotations

from typing import Any

import ibis

from revintel.store import Store

#: The lead's place in the handover.
WAITING, ACCEPTED, REJECTED, RECYCLED = "waiting", "accepted", "rejected", "recycled"
#: Lead milestones ending the wait and the state each one means.
DECIDING_MILESTONES = {"sal": ACCEPTED, "sql": ACCEPTED, "disqualified": REJECTED}


def waiting_leads(store: Store, leads: ibis.Table) -> ibis.Table:
    """The rows of ``leads`` waiting for sales, with ``mql_at`` (their newest MQL)."""
    m = store.table("milestones")
    m = m.filter(m.entity_type == "lead")
    last = m.group_by(lead_key=m.entity_id).aggregate(
        mql_at=m.occurred_at.max(where=m.milestone == "mql"),
        decided_at=m.occurred_at.max(where=m.milestone.isin(tuple(DECIDING_MILESTONES))),
    )
    last = last.filter(
        last.mql_at.notnull() & (last.decided_at.isnull() | (last.decided_at < last.mql_at))
    )
    o = store.table("opportunities")
    with_deal = o.filter(o.lead_id.notnull()).select(deal_lead=o.lead_id).distinct()
    d = store.table("lead_decisions")
    recycled = d.filter(d.action == "recycle").group_by(recycle_lead=d.lead_id)
    recycled = recycled.aggregate(recycled_at=d.decided_at.max())
    joined = (
        leads.inner_join(last, leads.lead_id == last.lead_key)
        .left_join(with_deal, leads.lead_id == with_deal.deal_lead)
        .left_join(recycled, leads.lead_id == recycled.recycle_lead)
    )
    joined = joined.filter(
        joined.deal_lead.isnull()
        & (joined.recycled_at.isnull() | (joined.recycled_at < joined.mql_at))
    )
    return joined.select(*leads.columns, "mql_at")


def lead_state(store: Store, lead_id: str) -> str | None:
    """The handover state of lead ``lead_id``: waiting, accepted, rejected or recycled; ``None``
    for a lead that never was an MQL and reached no later milestone."""
    m = store.table("milestones")
    rows: list[dict[str, Any]] = (
        m.filter((m.entity_type == "lead") & (m.entity_id == lead_id))
        .select("milestone", "occurred_at")
        .to_pyarrow()
        .to_pylist()
    )
    mqls = [r["occurred_at"] for r in rows if r["milestone"] == "mql"]
    mql_at = max(mqls) if mqls else None
    later = sorted(
        (r["occurred_at"], r["milestone"])
        for r in rows
        if r["milestone"] in DECIDING_MILESTONES and (mql_at is None or r["occurred_at"] >= mql_at)
    )
    if later:
        return DECIDING_MILESTONES[later[-1][1]]
    o = store.table("opportunities")
    if int(o.filter(o.lead_id == lead_id).count().execute()):
        return ACCEPTED
    if mql_at is None:
        return None
    d = store.table("lead_decisions")
    recycles = d.filter((d.lead_id == lead_id) & (d.action == "recycle") & (d.decided_at >= mql_at))
    return RECYCLED if int(recycles.count().execute()) else WAITING
