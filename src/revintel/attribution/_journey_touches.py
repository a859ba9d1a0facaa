"""The touches of each journey, fetched once in journey and time order, and made into paths.

The touch rows are selected, filtered and ordered by the engine; numpy only turns the final
ordered columns into channel codes, offsets, days before the conversion and role flags.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.attribution._paths import CLOSING, LEAD_CREATION, OPPORTUNITY_CREATION, Paths
from revintel.metrics import MetricSources

#: Columns of :attr:`StoreJourneys.touches`, one row per touch of the paths.
TOUCH_COLUMNS = (
    "touchpoint_id",
    "campaign_id",
    "channel",
    "kind",
    "content",
    "digital",
    "self_service",
    "mobile",
    "occurred_at",
)
_MICROS_PER_DAY = 86_400 * 1_000_000
#: Role flag given by the last touch before each milestone time column of the journeys.
ROLE_TIMES = (
    ("t_first", LEAD_CREATION),
    ("t_opportunity", OPPORTUNITY_CREATION),
    ("t_won", CLOSING),
)


def touch_rows(
    sources: MetricSources,
    journeys: ir.Table,
    level: str,
    *,
    lookback_days: int | None,
    stage_only: bool,
) -> pa.Table:
    """Touches of ``journeys`` (``id``, ``lead_id``, ``j``, ``cutoff``, ``reached_from_at``)
    strictly before each journey's cutoff, within the lookback, ordered by journey, time and id.

    Returns the columns ``j`` and :data:`TOUCH_COLUMNS`.
    """
    tp = sources.table("touchpoints")
    right = journeys.select(
        k__id=journeys.id,
        k__lead=journeys.lead_id,
        j=journeys.j,
        k__cutoff=journeys.cutoff,
        k__from=journeys.reached_from_at,
    )
    if level == "account":
        parts = [tp.join(right, tp.account_id == right.k__id)]
    elif level == "opportunity":
        lead_only = tp.filter(tp.opportunity_id.isnull())
        parts = [
            tp.join(right, tp.opportunity_id == right.k__id),
            lead_only.join(right, lead_only.lead_id == right.k__lead),
        ]
    else:
        direct = tp.filter(tp.lead_id.notnull())
        keyed = _deal_keyed(sources, tp.filter(tp.lead_id.isnull()))
        parts = [
            direct.join(right, direct.lead_id == right.k__id),
            keyed.join(right, keyed.k__key == right.k__id),
        ]
    selected = [_within(part, lookback_days, stage_only) for part in parts]
    rows = ibis.union(*selected, distinct=False) if len(selected) > 1 else selected[0]
    return rows.order_by(["j", "occurred_at", "touchpoint_id"]).to_pyarrow()


def _deal_keyed(sources: MetricSources, tp: ir.Table) -> ir.Table:
    """Touchpoints naming no lead, with the lead journey of their deal in ``k__key``: the
    deal's lead, else the deal itself (a deal without a lead is its own journey)."""
    opps = sources.table("opportunities", amounts=False)
    owners = opps.select(k__deal=opps.opportunity_id, k__owner=opps.lead_id)
    joined = tp.left_join(owners, tp.opportunity_id == owners.k__deal)
    return joined.mutate(k__key=ibis.coalesce(joined.k__owner, joined.opportunity_id))


def _within(rows: ir.Table, lookback_days: int | None, stage_only: bool) -> ir.Table:
    keep = rows.occurred_at < rows.k__cutoff
    if lookback_days is not None:
        keep &= rows.occurred_at >= rows.k__cutoff - ibis.interval(days=lookback_days)
    if stage_only:
        keep &= rows.k__from.isnull() | (rows.occurred_at >= rows.k__from)
    kept = rows.filter(keep)
    return kept.select("j", *(kept[c] for c in TOUCH_COLUMNS))


def micros(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Timestamps as ``int64`` microseconds; nulls as the largest ``int64`` (never reached)."""
    values = pc.cast(column, pa.timestamp("us")).cast(pa.int64())
    return pc.fill_null(values, np.iinfo(np.int64).max).to_numpy().astype(np.int64)


def build_paths(journeys: pa.Table, touches: pa.Table, *, with_margin: bool) -> Paths:
    """:class:`Paths` of ``journeys`` (ordered by ``j``, 0…n−1) from their ordered ``touches``."""
    n = journeys.num_rows
    j = touches.column("j").to_numpy().astype(np.int64)
    at = micros(touches.column("occurred_at"))
    cutoff = micros(journeys.column("cutoff"))
    channels = tuple(sorted(pc.unique(touches.column("channel")).to_pylist()))
    codes = pc.index_in(touches.column("channel"), value_set=pa.array(channels, pa.string()))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(j, minlength=n), out=offsets[1:])
    converted = journeys.column("converted").to_numpy().astype(bool)
    margin = journeys.column("margin").to_numpy().astype(float)
    return Paths(
        channels=channels,
        offsets=offsets,
        codes=codes.to_numpy().astype(np.int32),
        conversions=converted.astype(np.int64),
        nulls=(~converted).astype(np.int64),
        value=journeys.column("value").to_numpy().astype(float),
        margin=margin if with_margin else None,
        days_before=(cutoff[j] - at) / _MICROS_PER_DAY,
        role=touch_roles(journeys, j, at, cutoff),
        ids=journeys.column("id").to_numpy(),
    )


def touch_roles(
    journeys: pa.Table, j: np.ndarray, at: np.ndarray, cutoff: np.ndarray
) -> np.ndarray:
    """Role flags: the last touch of a journey before each of its milestones in
    :data:`ROLE_TIMES` that falls within it (at or before its cutoff).

    Touches are ordered by journey and time. A journey's touches are all those of its entity
    between a lower bound (lookback, stage) and its cutoff, so the last of them before a
    milestone within the cutoff is the entity's last touch before it at all; when that touch
    lies before the lower bound, none of them precedes the milestone and no touch gets the role.
    """
    role = np.zeros(len(j), dtype=np.int8)
    if not len(j):
        return role
    same_next = np.append(j[1:] == j[:-1], False)
    for column, flag in ROLE_TIMES:
        milestone = micros(journeys.column(column))
        inside = milestone <= cutoff
        before = (at < milestone[j]) & inside[j]
        last = before & ~(np.append(before[1:], False) & same_next)
        role[last] |= flag
    return role
