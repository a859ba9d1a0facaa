"""Service-level KPIs: how fast sales answers marketing qualified leads.

:func:`sla_leads` gives one row per MQL with the hours its levels allow (see
:mod:`._sla_levels`), the hours it took to be decided on (accepted or rejected) and to be first
contacted, and whether each level is due (expired by the as-of date or met before).

The kind ``sla_attainment`` reads those rows by MQL date; ``params.level`` picks the level:

- ``attainment``: of the MQLs whose level is due, the share handled within it
  (``numerator`` met, ``denominator`` due);
- ``median_hours``: median hours to the handling among the MQLs handled (``numerator``
  handled, ``denominator`` all MQLs).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._context import KpiContext, grouped, indicator, ratio
from revintel.metrics._query import days_between
from revintel.metrics._sla_levels import Level, SlaLevels, load_sla_levels
from revintel.metrics._sources import MetricSources

#: Columns of :func:`sla_leads` holding the hours taken, per level.
HOURS_COLUMN: dict[Level, str] = {"accept": "accept_hours", "first_contact": "contact_hours"}
#: Columns holding the hours allowed, per level.
DUE_COLUMN: dict[Level, str] = {"accept": "accept_due_hours", "first_contact": "contact_due_hours"}


def _due_hours(levels: SlaLevels, level: Level, segment: ir.Value, channel: ir.Value) -> ir.Value:
    cases = []
    for override in levels.ordered_overrides(level):
        cond: ir.BooleanValue = ibis.literal(True)
        if override.segment is not None:
            cond = cond & (segment == override.segment).fill_null(False)
        if override.channel is not None:
            cond = cond & (channel == override.channel).fill_null(False)
        cases.append((cond, float(getattr(override, f"{level}_hours"))))
    default = float(getattr(levels.default, f"{level}_hours"))
    if not cases:
        return ibis.literal(default).cast("float64")
    return ibis.cases(*cases, else_=default).cast("float64")


def first_contacts(sources: MetricSources, kinds: tuple[str, ...], mql_at: str) -> ir.Table:
    """Per MQL journey (``k__lead``), the first touchpoint of ``kinds`` at or after the MQL
    (``first_contact_at``)."""
    j = sources.journeys
    tp = sources.table("touchpoints", amounts=False)
    touches = tp.filter(tp.kind.isin(list(kinds)) & tp.lead_id.notnull())
    left = j.filter(j[mql_at].notnull()).select(k__lead=j.lead_id, k__at=j[mql_at])
    right = touches.select(tp_lead=touches.lead_id, tp_at=touches.occurred_at)
    pairs = left.join(right, left.k__lead == right.tp_lead)
    pairs = pairs.filter(pairs.tp_at >= pairs.k__at)
    return pairs.group_by("k__lead").aggregate(first_contact_at=pairs.tp_at.min())


def sla_leads(sources: MetricSources, levels: SlaLevels | None = None) -> ir.Table:
    """One row per MQL: keys (``lead_id``, ``account_id``, ``rep_id``, ``channel``,
    ``campaign_id``), ``sla_segment``, ``mql_at``, ``decided_at``, ``decision``
    (accepted/rejected), ``first_contact_at``, hours taken (``accept_hours``,
    ``contact_hours``, null while open), hours allowed (``accept_due_hours``,
    ``contact_due_hours``) and ``waited_hours`` (MQL to the as-of date)."""
    levels = levels or load_sla_levels()
    path = sources.funnel.path_ids
    mql_at, sal_at = f"t_{path[0]}", f"t_{path[1]}"
    j = sources.journeys
    j = j.filter(j[mql_at].notnull())
    accounts = sources.table("accounts")
    segments = accounts.select(k__acc=accounts.account_id, sla_segment=accounts.segment)
    j = j.left_join(segments, j.account_id == segments.k__acc).drop("k__acc")
    contacts = first_contacts(sources, levels.contact_kinds, mql_at)
    j = j.left_join(contacts, j.lead_id == contacts.k__lead).drop("k__lead")
    rejected = ibis.ifelse(j.t_disqualified >= j[mql_at], j.t_disqualified, ibis.null())
    decided = ibis.cases(
        (j[sal_at].notnull() & (rejected.isnull() | (j[sal_at] <= rejected)), j[sal_at]),
        else_=rejected,
    )
    base = j.select(
        "lead_id",
        "account_id",
        "rep_id",
        "channel",
        "campaign_id",
        "sla_segment",
        "first_contact_at",
        mql_at=j[mql_at],
        decided_at=decided,
        decision=ibis.cases(
            (decided.isnull(), ibis.null().cast("string")),
            (decided == j[sal_at], "accepted"),
            else_="rejected",
        ),
        accept_due_hours=_due_hours(levels, "accept", j.sla_segment, j.channel),
        contact_due_hours=_due_hours(levels, "first_contact", j.sla_segment, j.channel),
    )
    return base.mutate(
        accept_hours=days_between(base.mql_at, base.decided_at) * 24.0,
        contact_hours=days_between(base.mql_at, base.first_contact_at) * 24.0,
        waited_hours=days_between(base.mql_at, sources.as_of_timestamp()) * 24.0,
    )


def sla_attainment(ctx: KpiContext) -> ir.Table:
    """Per MQL period and breakdown, the attainment or the median hours of ``params.level``."""
    level: Level = ctx.spec.params.level
    base = ctx.sources.derived("sla_leads", lambda: sla_leads(ctx.sources))
    rows = ctx.rows(base.drop("sla_segment"))
    rows = ctx.keyed(rows, rows.mql_at)
    taken, allowed = rows[HOURS_COLUMN[level]], rows[DUE_COLUMN[level]]
    met = taken.notnull() & (taken <= allowed)
    keys = ctx.group_keys()
    if ctx.spec.params.measure == "median_hours":
        return grouped(rows, keys).aggregate(
            numerator=indicator(taken.notnull()).sum(),
            denominator=rows.count(),
            value=taken.median(),
            p90=taken.quantile(0.9),
        )
    due = met | (rows.waited_hours >= allowed)
    out = grouped(rows, keys).aggregate(
        numerator=indicator(met).sum(), denominator=indicator(due).sum()
    )
    return out.mutate(value=ratio(out.numerator, out.denominator))
