"""Journeys from the store: the touches that led (or did not lead) to one funnel milestone.

The journeys of the transition P → M (M the milestone converted to, P the path milestone before
it; the first milestone, ``mql``, has no P):

- **Which journeys.** Every lead (``level="lead"``), opportunity (``"opportunity"``; only for
  milestones an opportunity reaches) or account (``"account"``: the buying group, reaching a
  milestone when the first of its leads or deals does) that reached P by ``as_of`` (default:
  the day of the latest milestone event; events of that day count). Without a P every journey
  counts. Milestone times follow the funnel metrics: a later milestone proves the earlier ones.
  Journeys come from the milestone events; a lead without any has reached nothing.
- **Converted** journeys reached M by ``as_of``. The others **ended** by ``as_of`` (lost or
  disqualified; an account when all its leads and deals ended) or are still **open**: open
  journeys are left out and counted in :attr:`StoreJourneys.open_journeys`.
- **Touches.** A lead's touchpoints (``lead_id``) and those of its deals (``opportunity_id``);
  an opportunity's own touchpoints and its lead's touchpoints that name no deal; an account's
  touchpoints carrying its ``account_id``. Only those strictly before the conversion (or the
  end), within ``lookback_days`` before that instant when given, and with ``stage_only`` only
  those at or after reaching P (what moved P → M). Ordered by time, ties by touchpoint id.
  ``days_before`` counts the days from a touch to the conversion (or end).
- **Roles.** The last touch before the journey's first milestone creates the lead
  (:data:`LEAD_CREATION`), the last before the first opportunity milestone creates the
  opportunity (:data:`OPPORTUNITY_CREATION`), the last before ``won`` closes the deal
  (:data:`CLOSING`) — when that milestone lies within the journey and the touch is one of it.
- **Value.** Lead milestones are worth 0. For an opportunity milestone a converted journey is
  worth its deal's amount (the pipeline value; for a lead the first deal reaching M, for an
  account that of its first converting lead); for ``won`` the won deal's amount, with margin
  Σ(net amount − cost) of the order lines carrying a cost of the orders naming that deal (NaN
  when there are none). Journeys that did not convert are worth 0. Amounts are in the store
  currency, converted at each record's own date as in the metrics.
- **Channels** are coded in alphabetical order of the channel names of the touches.

Everything up to the ordered touch rows is an Ibis expression, so it runs on DuckDB,
PostgreSQL and Spark stores alike; only the final compact arrays are built in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from revintel.attribution._journey_times import (
    LEVELS,
    account_times,
    journey_times,
    milestone_chain,
    transition_of,
)
from revintel.attribution._journey_touches import build_paths, touch_rows
from revintel.attribution._journey_values import first_converting, lead_deals, with_values
from revintel.attribution._paths import Paths
from revintel.metrics import MetricSources
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store

#: Columns of :attr:`StoreJourneys.journeys`, one row per journey of the paths.
JOURNEY_COLUMNS = (
    "id",
    "account_id",
    "segment",
    "lead_id",
    "opportunity_id",
    "reached_from_at",
    "converted_at",
    "ended_at",
    "converted",
    "value",
    "margin",
)


@dataclass(frozen=True)
class StoreJourneys:
    """The journeys of one milestone transition, read from a store.

    Attributes
    ----------
    paths
        The journeys as channel sequences (ids, conversions, value, margin for ``won``,
        days before the conversion, role flags).
    touches
        One row per touch, aligned with ``paths.codes``: touchpoint id, campaign, channel,
        kind, content, digital, self-service, mobile and time.
    journeys
        One row per journey, aligned with the journeys of ``paths``: the columns of
        :data:`JOURNEY_COLUMNS`. ``lead_id`` and ``opportunity_id`` name the lead and the deal
        behind the value (for an account its first converting lead, else the first to reach
        P; no deal for lead milestones); ``reached_from_at`` is when P was reached (null
        without a P), ``converted_at`` and ``ended_at`` are null unless by ``as_of``.
    transition
        ``(P, M)``: the milestone before (``None`` for the first) and the one converted to.
    level
        ``lead``, ``opportunity`` or ``account``.
    as_of
        The day the journeys were evaluated at.
    open_journeys
        Journeys that reached P but had neither converted nor ended by ``as_of`` (left out).
    """

    paths: Paths
    touches: pa.Table
    journeys: pa.Table
    transition: tuple[str | None, str]
    level: str
    as_of: date
    open_journeys: int


def store_journeys(
    store: Store,
    to: str,
    *,
    level: str = "lead",
    lookback_days: int | None = None,
    stage_only: bool = False,
    as_of: date | None = None,
    funnel: FunnelDefinition | None = None,
) -> StoreJourneys:
    """The journeys of the transition to milestone ``to``, with their touches (see the module
    documentation for the exact rules).

    Parameters
    ----------
    store
        The store to read (any engine).
    to
        The milestone converted to: a path milestone or ``won``.
    level
        ``lead``, ``opportunity`` (only for milestones an opportunity reaches) or ``account``.
    lookback_days
        Only touches within this many days before the conversion (or end); all when ``None``.
    stage_only
        Only touches at or after reaching the milestone before ``to``.
    as_of
        Evaluate as of the end of this day; default: the day of the latest milestone event.
    funnel
        The funnel definition (default: the built-in funnel).

    Raises
    ------
    ValueError
        An unknown milestone or level, a lead milestone at opportunity level, or a lookback
        that is not a positive number of days.
    MissingRateError
        A deal's amount in another currency has no exchange rate on its date.
    """
    funnel = funnel or load_funnel()
    previous, to = transition_of(to, funnel)
    _check_arguments(funnel, to, level, lookback_days)
    sources = MetricSources.from_store(store, funnel, as_of)
    end = sources.as_of_timestamp()
    reached = _reached_journeys(sources, funnel, level, (previous, to), end)
    # Closed journeys first, by id: their position is their index in the paths.
    order = [ibis.desc(reached.closed), reached.id]
    numbered = reached.mutate(j=ibis.row_number().over(order_by=order))
    with numbered.cache() as cached:
        closed = cached.filter(cached.closed)
        rows = closed.order_by("j").to_pyarrow()
        open_count = int(cached.count().execute()) - rows.num_rows
        touches = touch_rows(
            sources, closed, level, lookback_days=lookback_days, stage_only=stage_only
        )
    paths = build_paths(rows, touches, with_margin=to == funnel.won.id)
    return StoreJourneys(
        paths=paths,
        touches=touches.drop_columns(["j"]),
        journeys=_journey_table(rows, paths),
        transition=(previous, to),
        level=level,
        as_of=sources.as_of,
        open_journeys=open_count,
    )


def _check_arguments(
    funnel: FunnelDefinition, to: str, level: str, lookback_days: int | None
) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown journey level {level!r}; choose one of: {', '.join(LEVELS)}")
    if level == "opportunity" and funnel.get(to).entity != "opportunity":
        raise ValueError(
            f"milestone {to!r} is reached by leads, not opportunities; "
            "use level 'lead' or 'account'"
        )
    if lookback_days is not None and (
        isinstance(lookback_days, bool) or not isinstance(lookback_days, int) or lookback_days < 1
    ):
        raise ValueError(f"lookback_days must be a whole number of days ≥ 1, not {lookback_days!r}")


def _reached_journeys(
    sources: MetricSources,
    funnel: FunnelDefinition,
    level: str,
    transition: tuple[str | None, str],
    end: ir.TimestampScalar,
) -> ir.Table:
    """Journeys that reached P by ``end`` with conversion, end, cutoff, deal, value and the
    milestone times of the roles; ``closed`` marks those converted or ended."""
    milestones = sources.table("milestones")
    to = transition[1]
    chain = milestone_chain(funnel)
    reaching = chain[chain.index(to) :]
    valued = funnel.get(to).entity == "opportunity"
    if level == "account":
        lead_times = journey_times(milestones, funnel, "lead")
        leads = _timed(lead_times, funnel, transition, end)
        leads = (
            _with_deal(leads, lead_deals(milestones, reaching))
            if valued
            else leads.mutate(opportunity_id=ibis.null().cast("string"))
        )
        rows = _timed(account_times(lead_times, funnel), funnel, transition, end)
        rows = rows.drop("lead_id")
        firsts = first_converting(leads)
        rows = rows.left_join(firsts, rows.id == firsts.k__account).drop("k__account")
    else:
        rows = _timed(journey_times(milestones, funnel, level), funnel, transition, end)
        if level == "opportunity":
            rows = rows.mutate(opportunity_id=rows.id)
        elif valued:
            rows = _with_deal(rows, lead_deals(milestones, reaching))
    if "opportunity_id" not in rows.columns:
        rows = rows.mutate(opportunity_id=ibis.null().cast("string"))
    rows = with_values(rows, sources, valued=valued, with_margin=to == funnel.won.id)
    accounts = sources.table("accounts")
    segments = accounts.select(k__acc=accounts.account_id, segment=accounts.segment)
    rows = rows.left_join(segments, rows.account_id == segments.k__acc).drop("k__acc")
    return rows


def _timed(
    times: ir.Table,
    funnel: FunnelDefinition,
    transition: tuple[str | None, str],
    end: ir.TimestampScalar,
) -> ir.Table:
    previous, to = transition
    no_time = ibis.null().cast("timestamp")
    rows = times.filter(times[f"t_{previous}"] < end) if previous else times
    converted_at = ibis.cases((rows[f"t_{to}"] < end, rows[f"t_{to}"]), else_=no_time)
    ended_at = ibis.cases((rows.t_end < end, rows.t_end), else_=no_time)
    first_deal = next((s.id for s in funnel.path if s.entity == "opportunity"), None)
    return rows.select(
        id=rows.key,
        key=rows.key,
        account_id=rows.account_id,
        lead_id=rows.lead_id,
        reached_from_at=rows[f"t_{previous}"] if previous else no_time,
        converted_at=converted_at,
        ended_at=ended_at,
        converted=converted_at.notnull(),
        closed=converted_at.notnull() | ended_at.notnull(),
        cutoff=ibis.coalesce(converted_at, ended_at),
        t_first=rows[f"t_{funnel.path_ids[0]}"],
        t_opportunity=rows[f"t_{first_deal}"] if first_deal else no_time,
        t_won=rows[f"t_{funnel.won.id}"],
    )


def _with_deal(rows: ir.Table, deals: ir.Table) -> ir.Table:
    return rows.left_join(deals, rows.key == deals.k__key).drop("k__key")


def _journey_table(rows: pa.Table, paths: Paths) -> pa.Table:
    margin = paths.margin if paths.margin is not None else np.full(len(paths), np.nan)
    columns = {c: rows.column(c) for c in JOURNEY_COLUMNS if c not in ("value", "margin")}
    columns["value"] = pa.array(paths.value, pa.float64())
    columns["margin"] = pa.array(margin, pa.float64())
    return pa.table({c: columns[c] for c in JOURNEY_COLUMNS})
