"""Filters of the record lists beyond equal columns: related rows, day ranges and the journey
of a lead as the funnel metrics see it, so that a list counts what a figure counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import ibis
import ibis.expr.types as ir

from revintel.auth import User, visible
from revintel.metrics import MetricSources, load_catalogue
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store

#: Filters of a list on a column of a related row: list → filter → (table, column, key on the
#: list, key of the related table). A lead's segment is its account's, its team its rep's.
RELATED_FILTERS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "leads": {
        "segment": ("accounts", "segment", "account_id", "account_id"),
        "industry": ("accounts", "industry", "account_id", "account_id"),
        "region": ("accounts", "region", "account_id", "account_id"),
        "country": ("accounts", "country", "account_id", "account_id"),
        "team": ("reps", "team", "rep_id", "rep_id"),
    },
    "opportunities": {
        "channel": ("leads", "channel", "lead_id", "lead_id"),
        "segment": ("accounts", "segment", "account_id", "account_id"),
        "industry": ("accounts", "industry", "account_id", "account_id"),
        "team": ("reps", "team", "rep_id", "rep_id"),
    },
    "accounts": {"team": ("reps", "team", "owner_rep_id", "rep_id")},
}
#: Lineage columns every list can be filtered on: where its rows came from.
LINEAGE_FILTERS = ("source_system", "import_batch_id")
#: Day ranges a list can be bounded by, besides ``created_at``: name → (list, column). The open
#: deals' expected close falls back to their creation, as the open pipeline counts them.
DAY_RANGES: dict[str, tuple[str, str]] = {
    "closed": ("opportunities", "closed_at"),
    "expected": ("opportunities", "expected_close_at"),
}
#: A day range of a list: (name in :data:`DAY_RANGES`, first day, last day), bounds inclusive.
DayRange = tuple[str, date | None, date | None]


class QueryError(ValueError):
    """A list was asked for with a filter or sort the table does not offer."""


@dataclass(frozen=True)
class JourneyFilter:
    """Leads by their journey, as the funnel metrics count them.

    ``reached`` is a milestone id: the lead reached it (or a later one) on a day in
    ``[reached_from, reached_to]`` (both inclusive, either open). ``decided`` names the target of
    a decision: the lead reached it or was disqualified (the MQLs an acceptance rate divides
    by). ``mature`` keeps leads created at least the catalogue's ``maturity_days`` before the
    as-of date, as win probabilities and the funnel page count them.
    """

    reached: str | None = None
    reached_from: date | None = None
    reached_to: date | None = None
    decided: str | None = None
    mature: bool = False

    def __bool__(self) -> bool:
        return bool(self.reached or self.decided or self.mature)


def between(column: ir.Column, first: date | None, last: date | None) -> ir.BooleanValue:
    """Whether ``column`` falls on a day in ``[first, last]`` (either bound open)."""
    keep = column.notnull()
    if first is not None:
        keep &= column >= first
    if last is not None and last < date.max:  # the last day bounds nothing
        keep &= column < last + timedelta(days=1)
    return keep


def related_rows(store: Store, name: str, t: ibis.Table, column: str, value: str) -> ibis.Table:
    """The rows of the list ``name`` whose related row (:data:`RELATED_FILTERS`) has ``value``."""
    other, other_column, key, other_key = RELATED_FILTERS[name][column]
    r = store.table(other)
    return t.filter(t[key].isin(r.filter(r[other_column] == value)[other_key]))


def within_days(name: str, t: ibis.Table, ranges: tuple[DayRange, ...]) -> ibis.Table:
    """The rows of the list ``name`` inside each (range, first day, last day) of ``ranges``."""
    for range_name, first, last in ranges:
        owner, column = DAY_RANGES.get(range_name, ("", ""))
        if owner != name:
            raise QueryError(f"{name} cannot be bounded by {range_name!r} days")
        value = t[column]
        if range_name == "expected":
            value = ibis.coalesce(t.expected_close_at, t.created_at)
        t = t.filter(between(value, first, last))
    return t


@cache
def _funnel() -> FunnelDefinition:
    # The packaged definitions, read once: the YAML costs more than the query it shapes.
    return load_funnel()


@cache
def _maturity_days() -> int:
    return load_catalogue().settings.maturity_days


def journey_leads(store: Store, user: User, t: ibis.Table, found: JourneyFilter) -> ibis.Table:
    """The leads of ``t`` whose journey matches ``found``."""
    funnel = _funnel()
    events = store.table("milestones")
    # Evaluated as of the whole store's last event, as the KPIs a user sees are.
    as_of = MetricSources({"milestones": events}, funnel).as_of
    # Journeys read milestones and leads only: the user's leads and the events of their leads.
    leads = visible(store, user, "leads")
    mine = {"leads": leads, "milestones": events.filter(events.lead_id.isin(leads.lead_id))}
    sources = MetricSources(mine, funnel, as_of=as_of)
    chain = (*funnel.path_ids, funnel.won.id)
    for milestone in (found.reached, found.decided):
        if milestone is not None and milestone not in chain:
            raise QueryError(f"unknown milestone {milestone!r}; known: {', '.join(chain)}")
    j = sources.journeys
    keep: ir.BooleanValue = ibis.literal(True)
    if found.reached is not None:
        keep &= between(j[f"t_{found.reached}"], found.reached_from, found.reached_to)
    if found.decided is not None:
        keep &= j[f"t_{found.decided}"].notnull() | j.t_disqualified.notnull()
    if found.mature:
        cutoff = as_of - timedelta(days=_maturity_days())
        keep &= j.created_at < ibis.timestamp(cutoff.isoformat())
    return t.filter(t.lead_id.isin(j.filter(keep).lead_id))
