"""Prediction times: when a lead or deal is scored, and what happened within the horizon after.

A snapshot is one (entity, prediction time) pair. Training snapshots are taken when a deal reaches
an opportunity milestone (the score moves with the deal) and on a lead's arrival and two days
later (after the first sales call, usually). Every feature of a snapshot is computed from events
recorded up to its prediction time only.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.predict._targets import Target
from revintel.store import Store

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


def _journey_events(store: Store, target: Target, funnel: FunnelDefinition) -> ir.Table:
    """Milestone events keyed by the scored entity: ``key``, rank, terminal flag, time, and
    whether the source dated the event (``ev_real``) or it was inferred from a later stage."""
    m = store.table("milestones")
    ranks = milestone_ranks(funnel)
    if target.entity == "lead":
        key = m.lead_id
        events = m.filter(m.lead_id.notnull())
    else:
        key = m.entity_id
        events = m.filter(m.entity_type == "opportunity")
    events = events.select(
        key=key,
        milestone=events.milestone,
        ev_at=events.occurred_at,
        ev_real=~events.inferred.fill_null(False),
    )
    joined = events.join(ranks, events.milestone == ranks.ms_id)
    return joined.select("key", "ms_rank", "ms_terminal", "ev_at", "ev_real")


def label_snapshots(
    store: Store, snapshots: ir.Table, target: Target, funnel: FunnelDefinition
) -> ir.Table:
    """State at, and outcome after, each snapshot (``entity_id``, ``at``).

    Adds ``rank_at`` (furthest path milestone reached by ``at``), ``stage_at`` (when it was
    reached), ``ended`` (a terminal milestone by ``at``), ``reached`` (the target reached by
    ``at``) and ``label`` (target first reached in ``(at, at + horizon]``).
    """
    goal = funnel.rank(target.milestone) if target.milestone != funnel.won.id else None
    goal_rank = len(funnel.path) if goal is None else goal
    ev = _journey_events(store, target, funnel)
    s = snapshots.select("entity_id", "at")
    j = s.join(ev, s.entity_id == ev.key, how="left")
    before = j.ev_at <= j.at
    after = (j.ev_at > j.at) & (j.ev_at <= j.at + ibis.interval(days=target.horizon_days))
    is_goal = j.ms_rank >= goal_rank
    # An inferred milestone carries no date of its own: it shows progress only in outcomes.
    path = ~j.ms_terminal.fill_null(True) & j.ev_real.fill_null(False)
    out = j.group_by(["entity_id", "at"]).aggregate(
        rank_at=(before & path).ifelse(j.ms_rank, -1).max(),
        stage_at=j.ev_at.max(where=before & path),
        ended=(before & j.ms_terminal.fill_null(False)).any(),
        reached=(before & is_goal.fill_null(False)).any(),
        label=(after & is_goal.fill_null(False)).any(),
    )
    return out.mutate(
        ended=out.ended.fill_null(False),
        reached=out.reached.fill_null(False),
        label=out.label.fill_null(False),
    )


def training_snapshots(store: Store, target: Target, funnel: FunnelDefinition) -> ir.Table:
    """Every prediction time in the history for ``target``: ``entity_id``, ``at``."""
    if target.entity == "lead":
        leads = store.table("leads")
        offsets = ibis.memtable(pd.DataFrame({"offset_days": list(LEAD_OFFSETS_DAYS)}))
        joined = leads.select("lead_id", "created_at").cross_join(offsets)
        at = joined.created_at + joined.offset_days.as_interval("D")
        return joined.select(entity_id=joined.lead_id, at=at)
    m = store.table("milestones")
    ids = [x.id for x in funnel.path if x.entity == "opportunity"]
    real = m.filter(
        m.entity_type == "opportunity", m.milestone.isin(ids), ~m.inferred.fill_null(False)
    )
    firsts = real.group_by([real.entity_id, real.milestone]).aggregate(at=real.occurred_at.min())
    return firsts.select("entity_id", "at")


def current_snapshots(store: Store, target: Target, as_of: datetime) -> ir.Table:
    """Every entity existing at ``as_of`` scored at ``as_of``; ended ones are dropped later."""
    stamp = ibis.timestamp(as_of)
    if target.entity == "lead":
        t = store.table("leads")
        t = t.filter(t.created_at <= stamp)
        return t.select(entity_id=t.lead_id, at=stamp)
    t = store.table("opportunities")
    t = t.filter(t.created_at <= stamp)
    return t.select(entity_id=t.opportunity_id, at=stamp)


def history_end(store: Store) -> datetime:
    """The last recorded milestone time: the default as-of instant."""
    m = store.table("milestones")
    value = m.occurred_at.max().execute()
    if value is None or pd.isna(value):
        raise ValueError("the store holds no milestones; import data or run `revintel synth`")
    return pd.Timestamp(value).to_pydatetime()
