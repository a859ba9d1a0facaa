"""What a journey's conversion is worth: the deal behind it, its amount and its margin.

Amounts are read through :class:`revintel.metrics.MetricSources`, so they are in the store
currency (each record at the exchange rate of its own date) or refused when a rate is missing.
Every table here is an Ibis expression; nothing runs a query.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics import MetricSources


def deal_values(sources: MetricSources) -> ir.Table:
    """Per opportunity: ``amount`` and ``margin`` in the store currency.

    The margin is Σ(``net_amount`` − ``cost``) over the order lines, with a known cost, of the
    orders carrying the opportunity; null when no such line exists.
    """
    opps = sources.table("opportunities")
    lines = sources.table("order_lines")
    orders = sources.table("orders", amounts=False)
    linked = orders.filter(orders.opportunity_id.notnull()).select(
        k__order=orders.order_id, k__deal=orders.opportunity_id
    )
    joined = lines.join(linked, lines.order_id == linked.k__order)
    costed = joined.cost.notnull() & joined.net_amount.notnull()
    margins = joined.group_by("k__deal").aggregate(
        k__margin=(joined.net_amount - joined.cost).sum(where=costed),
        k__costed=joined.cost.count(where=costed),
    )
    deals = opps.select(k__id=opps.opportunity_id, amount=opps.amount.cast("float64"))
    out = deals.left_join(margins, deals.k__id == margins.k__deal)
    return out.select(
        opportunity_id=out.k__id,
        amount=out.amount,
        margin=ibis.cases((out.k__costed > 0, out.k__margin), else_=ibis.null().cast("float64")),
    )


def lead_deals(milestones: ir.Table, reaching: tuple[str, ...]) -> ir.Table:
    """Per lead journey (``key``), its deal: the first to reach a milestone of ``reaching``,
    else its first deal; ties by opportunity id.

    ``reaching`` holds the milestone converted to and every later one (which prove it).
    """
    m = milestones.filter(milestones.entity_type == "opportunity")
    events = m.select(
        key=ibis.coalesce(m.lead_id, m.entity_id),
        deal=m.entity_id,
        occurred_at=m.occurred_at,
        reaches=m.milestone.isin(list(reaching)),
    )
    per = events.group_by(["key", "deal"]).aggregate(
        at_to=events.occurred_at.min(where=events.reaches),
        at_any=events.occurred_at.min(),
    )
    order = [ibis.asc(per.at_to, nulls_first=False), per.at_any, per.deal]
    ranked = per.mutate(rank=ibis.row_number().over(group_by=per.key, order_by=order))
    first = ranked.filter(ranked.rank == 0)
    return first.select(k__key=first.key, opportunity_id=first.deal)


def first_converting(leads: ir.Table) -> ir.Table:
    """Per account, the lead journey standing for it: the first to convert, else the first to
    reach the milestone before; ties by id.

    ``leads`` carries ``key``, ``account_id``, ``converted_at``, ``reached_from_at``,
    ``lead_id`` and ``opportunity_id``.
    """
    known = leads.filter(leads.account_id.notnull())
    order = [
        ibis.asc(known.converted_at, nulls_first=False),
        ibis.asc(known.reached_from_at, nulls_first=False),
        known.key,
    ]
    ranked = known.mutate(rank=ibis.row_number().over(group_by=known.account_id, order_by=order))
    first = ranked.filter(ranked.rank == 0)
    return first.select(
        k__account=first.account_id, lead_id=first.lead_id, opportunity_id=first.opportunity_id
    )


def with_values(
    rows: ir.Table, sources: MetricSources, *, valued: bool, with_margin: bool
) -> ir.Table:
    """``rows`` (with ``opportunity_id`` and ``converted``) with ``value`` and ``margin``.

    A converted journey is worth its deal's amount when ``valued`` (0 when the amount is
    unknown), else 0; its margin is the deal's when ``with_margin`` (null when unknown). A
    journey that did not convert is worth 0, with margin 0 when margins are read.
    """
    no_margin = ibis.null().cast("float64")
    if not valued:
        return rows.mutate(value=ibis.literal(0.0), margin=no_margin)
    deals = deal_values(sources).rename(k__deal="opportunity_id")
    joined = rows.left_join(deals, rows.opportunity_id == deals.k__deal)
    value = ibis.cases((joined.converted, joined.amount.fill_null(0.0)), else_=0.0)
    if with_margin:
        margin = ibis.cases((joined.converted, joined.margin), else_=ibis.literal(0.0))
    else:
        margin = no_margin
    return joined.mutate(value=value, margin=margin).drop("k__deal", "amount")
