"""Reads shared by the buying-behaviour analyses: lead touches, lead outcomes and dimensions.

Everything here returns Ibis expressions over the store, so the analyses run on every engine;
only their small results are executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

import ibis
import ibis.expr.types as ir

from revintel.metrics import MetricSources
from revintel.model import TABLES, FunnelDefinition, load_funnel
from revintel.store import Store

Grain = Literal["week", "month", "quarter", "year", "all"]
_UNIT = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}

#: Breakdowns read from the touch's account.
ACCOUNT_DIMENSIONS = ("segment", "industry", "region", "country")
#: Breakdowns read from the touchpoint itself (``campaign`` is its ``campaign_id``).
TOUCH_DIMENSIONS = ("channel", "kind", "campaign")


def as_tuple(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """``by`` as a tuple of dimension names (none for ``None``)."""
    if by is None:
        return ()
    return (by,) if isinstance(by, str) else tuple(by)


def check_grain(grain: str) -> Grain:
    """``grain`` if it is week, month, quarter, year or all; a clear error otherwise."""
    if grain not in (*_UNIT, "all"):
        raise ValueError(f"unknown grain {grain!r}; use week, month, quarter, year or all")
    return grain  # type: ignore[return-value]


def period_of(ts: ir.TimestampValue, grain: Grain) -> dict[str, ir.Value]:
    """A ``period`` column (first day of the ``grain`` period of ``ts``); none for ``all``."""
    if grain == "all":
        return {}
    return {"period": ts.truncate(_UNIT[grain]).cast("date")}


def check_dimensions(dims: Sequence[str], allowed: Sequence[str]) -> None:
    """Refuse dimensions outside ``allowed``, naming them and the valid ones."""
    unknown = [d for d in dims if d not in allowed]
    if unknown:
        raise ValueError(
            f"unknown breakdown {', '.join(map(repr, unknown))}; use {', '.join(allowed)}"
        )


def with_account_dimensions(store: Store, table: ir.Table, dims: Sequence[str]) -> ir.Table:
    """``table`` (with an ``account_id`` column) joined with the account dimensions in ``dims``."""
    wanted = [d for d in dims if d in ACCOUNT_DIMENSIONS]
    if not wanted:
        return table
    accounts = store.table("accounts")
    right = accounts.select(k__account=accounts.account_id, **{d: accounts[d] for d in wanted})
    return table.left_join(right, table.account_id == right.k__account).drop("k__account")


def touches(store: Store, as_of: date | None = None) -> ir.Table:
    """Touchpoints (up to the end of ``as_of`` when given), ``campaign`` naming the campaign."""
    tp = store.table("touchpoints")
    tp = tp.mutate(campaign=tp.campaign_id)
    if as_of is not None:
        tp = tp.filter(tp.occurred_at < end_of_day(as_of))
    return tp


def lead_touches(store: Store, as_of: date | None = None) -> ir.Table:
    """Touchpoints of leads: ``lead_id`` (the touch's own, else its opportunity's lead),
    ``touchpoint_id``, ``occurred_at``, ``channel``, ``kind``, ``content``, ``account_id``."""
    tp = touches(store, as_of)
    opportunities = store.table("opportunities")
    owners = opportunities.select(
        k__opportunity=opportunities.opportunity_id, k__owner=opportunities.lead_id
    )
    tp = tp.left_join(owners, tp.opportunity_id == owners.k__opportunity)
    tp = tp.mutate(lead_id=ibis.coalesce(tp.lead_id, tp.k__owner))
    return tp.filter(tp.lead_id.notnull()).select(
        "lead_id", "touchpoint_id", "occurred_at", "channel", "kind", "content", "account_id"
    )


def end_of_day(day: date) -> ir.TimestampScalar:
    """Midnight after ``day``: everything before it happened on or before ``day``."""
    return ibis.timestamp((day + timedelta(days=1)).isoformat())


def lead_sources(
    store: Store, as_of: date | None = None, funnel: FunnelDefinition | None = None
) -> MetricSources:
    """Metric sources of ``store`` whose milestones end with ``as_of`` (all when ``None``)."""
    tables = {t.name: store.table(t.name) for t in TABLES}
    if as_of is not None:
        m = tables["milestones"]
        tables["milestones"] = m.filter(m.occurred_at < end_of_day(as_of))
    return MetricSources(tables, funnel or load_funnel(), as_of)


def lead_outcomes(sources: MetricSources) -> ir.Table:
    """One row per lead with a stage history: ``lead_id``, ``account_id``, ``t_<milestone>``
    for every path milestone and won (a later milestone proves an earlier one), ``t_end`` (won,
    lost or disqualified) and ``outcome`` (won, lost, disqualified or open)."""
    funnel = sources.funnel
    chain = (*funnel.path_ids, funnel.won.id)
    j = sources.journeys
    return j.select("lead_id", "account_id", *(f"t_{m}" for m in chain), "t_end", "outcome")


def check_milestone(funnel: FunnelDefinition, milestone: str, what: str) -> None:
    """Refuse a milestone the funnel does not know, naming ``what`` it was given for."""
    if milestone not in (*funnel.path_ids, funnel.won.id):
        known = ", ".join((*funnel.path_ids, funnel.won.id))
        raise ValueError(f"{what}: unknown milestone {milestone!r}; use one of {known}")
