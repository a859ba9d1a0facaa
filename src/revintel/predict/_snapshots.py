"""Prediction times of leads and deals: when they are scored, and what happened afterwards.

A snapshot is one (entity, prediction time) pair. Training snapshots are taken when a deal reaches
an opportunity milestone (the score moves with the deal) and on a lead's arrival and two days
later (after the first sales call, usually). Every feature of a snapshot is computed from events
recorded up to its prediction time only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.store import Store

if TYPE_CHECKING:
    from revintel.predict._targets import Target

#: Re-scoring times of a lead after its creation, in days.
LEAD_OFFSETS_DAYS = (0, 2)


def days_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Days from ``earlier`` to ``later`` as a float expression."""
    seconds = later.epoch_seconds() - earlier.epoch_seconds()
    return seconds.cast("float64") / 86400.0


def milestone_ranks(funnel: FunnelDefinition) -> ir.Table:
    """Memtable: milestone id → rank on the path, with terminal milestones flagged.

    ``won`` ranks after the path; lost and disqualified rank -1 so they never count as progress.
    """
    rows = [(m.id, i, False) for i, m in enumerate(funnel.path)]
    rows.append((funnel.won.id, len(funnel.path), True))
    for outcome in ("lost", "disqualified"):
        rows.extend((mid, -1, True) for mid in funnel.outcome_ids(outcome))
    frame = pd.DataFrame(rows, columns=["ms_id", "ms_rank", "ms_terminal"])
    return ibis.memtable(frame)


def _journey_columns(events: ir.Table, key: ir.Column) -> ir.Table:
    return events.select(
        key=key,
        milestone=events.milestone,
        ev_at=events.occurred_at,
        ev_real=~events.inferred.fill_null(False),
    )


def lead_journey(store: Store) -> ir.Table:
    """Milestone events of lead journeys keyed by ``lead_id`` (a deal's stages count too)."""
    m = store.table("milestones")
    events = m.filter(m.lead_id.notnull())
    return _journey_columns(events, events.lead_id)


def deal_journey(store: Store) -> ir.Table:
    """Milestone events of opportunities keyed by ``opportunity_id``."""
    m = store.table("milestones")
    events = m.filter(m.entity_type == "opportunity")
    return _journey_columns(events, events.entity_id)


def label_milestones(
    store: Store,
    snapshots: ir.Table,
    target: Target,
    funnel: FunnelDefinition,
    journey: Callable[[Store], ir.Table],
) -> ir.Table:
    """State at, and outcome after, each snapshot (``entity_id``, ``at``) of a funnel journey.

    ``journey`` gives the milestone events keyed by the scored entity (``key``, ``milestone``,
    ``ev_at`` and ``ev_real``: whether the source dated the event or it was inferred from a
    later stage). Adds ``rank_at`` (furthest path milestone reached by ``at``), ``stage_at``
    (when it was reached), ``ended`` (a terminal milestone by ``at``), ``reached`` (the target
    reached by ``at``) and ``outcome_at`` (when the target was first reached after ``at``).

    A rejection settles the outcome: when the entity is disqualified after ``at`` (a lead sales
    rejected), it is a negative from that moment, and reaching the target later (a recycled
    lead qualified again) does not count for the snapshot.
    """
    goal = funnel.rank(target.milestone) if target.milestone != funnel.won.id else None
    goal_rank = len(funnel.path) if goal is None else goal
    events = journey(store)
    ranks = milestone_ranks(funnel)
    ev = events.join(ranks, events.milestone == ranks.ms_id)
    ev = ev.select("key", "milestone", "ms_rank", "ms_terminal", "ev_at", "ev_real")
    s = snapshots.select("entity_id", "at")
    j = s.join(ev, s.entity_id == ev.key, how="left")
    rejection = j.milestone.isin(funnel.outcome_ids("disqualified")) & (j.ev_at > j.at)
    rejected_after = rejection.ifelse(j.ev_at, ibis.null("timestamp")).min()
    j = j.mutate(rejected_at=rejected_after.over(group_by=[j.entity_id, j.at]))
    before = j.ev_at <= j.at
    settled = j.rejected_at.isnull() | (j.ev_at < j.rejected_at)
    is_goal = (j.ms_rank >= goal_rank).fill_null(False)
    # An inferred milestone carries no date of its own: it shows progress only in outcomes.
    path = ~j.ms_terminal.fill_null(True) & j.ev_real.fill_null(False)
    out = j.group_by(["entity_id", "at"]).aggregate(
        rank_at=(before & path).ifelse(j.ms_rank, -1).max(),
        stage_at=j.ev_at.max(where=before & path),
        ended=(before & j.ms_terminal.fill_null(False)).any(),
        reached=(before & is_goal).any(),
        outcome_at=j.ev_at.min(where=(j.ev_at > j.at) & is_goal & settled),
    )
    return out.mutate(ended=out.ended.fill_null(False), reached=out.reached.fill_null(False))


def label_lead_journey(
    store: Store, snapshots: ir.Table, target: Target, funnel: FunnelDefinition
) -> ir.Table:
    """:func:`label_milestones` over lead journeys."""
    return label_milestones(store, snapshots, target, funnel, lead_journey)


def label_deal_journey(
    store: Store, snapshots: ir.Table, target: Target, funnel: FunnelDefinition
) -> ir.Table:
    """:func:`label_milestones` over opportunity stage histories."""
    return label_milestones(store, snapshots, target, funnel, deal_journey)


def lead_snapshots(store: Store, funnel: FunnelDefinition) -> ir.Table:
    """A lead's prediction times: on arrival and ``LEAD_OFFSETS_DAYS`` after."""
    leads = store.table("leads")
    offsets = ibis.memtable(pd.DataFrame({"offset_days": list(LEAD_OFFSETS_DAYS)}))
    joined = leads.select("lead_id", "created_at").cross_join(offsets)
    at = joined.created_at + joined.offset_days.as_interval("D")
    return joined.select(entity_id=joined.lead_id, at=at)


def deal_snapshots(store: Store, funnel: FunnelDefinition) -> ir.Table:
    """A deal's prediction times: each time it first reaches a dated opportunity milestone."""
    m = store.table("milestones")
    ids = [x.id for x in funnel.path if x.entity == "opportunity"]
    real = m.filter(
        m.entity_type == "opportunity", m.milestone.isin(ids), ~m.inferred.fill_null(False)
    )
    firsts = real.group_by([real.entity_id, real.milestone]).aggregate(at=real.occurred_at.min())
    return firsts.select("entity_id", "at")


def history_end(store: Store) -> datetime:
    """The last recorded milestone time: the default as-of instant."""
    m = store.table("milestones")
    value = m.occurred_at.max().execute()
    if value is None or pd.isna(value):
        raise ValueError("the store holds no milestones; import data or run `revintel synth`")
    return pd.Timestamp(value).to_pydatetime()
