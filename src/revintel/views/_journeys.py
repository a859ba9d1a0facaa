"""A lead's or deal's journey: its milestone timeline, touchpoints and latest scores.

The API's detail endpoints and the dashboard's detail pages show the same journey; the caller
must have checked that the user may see the lead or deal (:func:`revintel.views.get_record`).
An event of the journey belongs to a deal when it names one (an opportunity milestone, a
touchpoint with ``opportunity_id``), else to the lead; :func:`journey` shows a user only the
events of records they may see, so a deal handed over from another rep's lead shows the deal's
own events, not the lead's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ibis

from revintel.auth import User, visible
from revintel.i18n import Language
from revintel.model import FunnelDefinition
from revintel.store import Store
from revintel.views._scores import entity_scores


def milestone_timeline(
    store: Store, lead_id: str | None, opportunity_id: str | None = None
) -> list[dict[str, Any]]:
    """Milestones of a journey in time order, with days since the previous one.

    The journey is the lead's milestones plus those of ``opportunity_id`` (or, without it, every
    opportunity milestone carrying ``lead_id``).
    """
    m = store.table("milestones")
    lead_part = m.lead_id == lead_id if lead_id is not None else ibis.literal(False)
    if opportunity_id is not None:
        own = (m.entity_type == "opportunity") & (m.entity_id == opportunity_id)
        lead_part = own | (lead_part & (m.entity_type == "lead"))
    rows = m.filter(lead_part).order_by([m.occurred_at, m.milestone_event_id]).to_pyarrow()
    return _with_gaps(rows.to_pylist())


def _with_gaps(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    previous = None
    for event in events:
        at = event["occurred_at"]
        event["days_since_previous"] = (
            None if previous is None else round((at - previous).total_seconds() / 86400, 1)
        )
        previous = at
    return events


def touchpoints_for(
    store: Store, lead_id: str | None, opportunity_id: str | None = None
) -> list[dict[str, Any]]:
    """Touchpoints of a lead and, if given, an opportunity, in time order."""
    tp = store.table("touchpoints")
    cond = tp.lead_id == lead_id if lead_id is not None else ibis.literal(False)
    if opportunity_id is not None:
        cond = cond | (tp.opportunity_id == opportunity_id)
    return tp.filter(cond).order_by([tp.occurred_at, tp.touchpoint_id]).to_pyarrow().to_pylist()


@dataclass(frozen=True)
class Journey:
    """The rows of a journey, oldest first; scores of every kind, primary kind first."""

    timeline: list[dict[str, Any]]
    touchpoints: list[dict[str, Any]]
    scores: list[dict[str, Any]]


def journey(
    store: Store,
    user: User,
    scored: tuple[str, str],
    lead_id: str | None,
    opportunity_id: str | None = None,
) -> Journey:
    """The journey of a lead (and of one of its opportunities) as ``user`` may see it.

    ``scored`` is (table, key). A deal's journey holds the milestones and touchpoints of the deal
    itself and, if ``user`` may see the lead it grew from, the lead's; a lead's journey holds the
    lead's events and those of its deals that ``user`` may see.
    """
    leads = visible(store, user, "leads")
    shown_lead = lead_id if lead_id is not None and _exists(leads, leads.lead_id, lead_id) else None
    return Journey(
        timeline=_with_gaps(
            _visible_events(
                store, user, milestone_timeline(store, shown_lead, opportunity_id), "entity_id"
            )
        ),
        touchpoints=_visible_events(
            store, user, touchpoints_for(store, shown_lead, opportunity_id), "opportunity_id"
        ),
        scores=entity_scores(store, *scored),
    )


def _exists(t: ibis.Table, column: ibis.Column, key: str) -> bool:
    return int(t.filter(column == key).count().execute()) > 0


def _visible_events(
    store: Store, user: User, events: list[dict[str, Any]], deal_column: str
) -> list[dict[str, Any]]:
    """``events`` without those of deals ``user`` may not see."""
    deals = {
        e[deal_column]
        for e in events
        if e[deal_column] is not None and e.get("entity_type", "opportunity") == "opportunity"
    }
    if not deals:
        return events
    mine = visible(store, user, "opportunities")
    found = mine.filter(mine.opportunity_id.isin(list(deals))).opportunity_id.to_pyarrow()
    allowed = set(found.to_pylist())
    return [
        e
        for e in events
        if e[deal_column] is None
        or e.get("entity_type", "opportunity") != "opportunity"
        or e[deal_column] in allowed
    ]


def milestone_labels(funnel: FunnelDefinition, language: Language) -> dict[str, str]:
    """Milestone id → its name in ``language``."""
    return {m.id: m.name(language) for m in funnel.milestones}


def labelled_timeline(
    events: Iterable[dict[str, Any]], funnel: FunnelDefinition, language: Language
) -> list[dict[str, Any]]:
    """Copies of the timeline rows with a ``label``: the milestone's name in ``language``."""
    labels = milestone_labels(funnel, language)
    return [{**e, "label": labels.get(e["milestone"], e["milestone"])} for e in events]
