"""When customers are scored for churn, and whether they churned: snapshots and the label rule.

A customer (an account with orders, not a guest placeholder) is scored at every month end while
it is active: it ordered before the snapshot and its last order lies within a lookback. It
churns at a snapshot ``t`` when it places no order in ``(t, t + W]``, where ``W`` is the larger
of a fixed window and a multiple of the customer's own median gap between order days, capped
by the target's horizon. Returns are no orders. See docs/churn.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.predict._snapshots import days_between
from revintel.store import Store

if TYPE_CHECKING:
    from revintel.predict._targets import Target

RETURN_KIND = "return"


@dataclass(frozen=True)
class ChurnDefinition:
    """Parameters of the churn definition.

    Parameters
    ----------
    window_days
        Shortest silence that counts as churn, in days.
    gap_multiple
        A customer's own window is this multiple of its median gap between order days.
    cap_days
        Longest window in days; the registry uses the target's horizon here, so that a label is
        known one horizon after its snapshot.
    lookback_days
        A customer is active at ``t`` when its last order is at most this many days old.
    step
        Pandas frequency of the training snapshots (``"ME"``: month ends).

    Examples
    --------
    >>> ChurnDefinition().window(gap_days=120.0)
    240.0
    >>> ChurnDefinition().window(gap_days=None)
    180.0
    """

    window_days: int = 180
    gap_multiple: float = 2.0
    cap_days: int = 365
    lookback_days: int = 365
    step: str = "ME"

    def __post_init__(self) -> None:
        if not 1 <= self.window_days <= self.cap_days:
            raise ValueError(
                f"window_days must lie between 1 and cap_days ({self.cap_days}), "
                f"got {self.window_days}"
            )
        if self.gap_multiple <= 0 or self.lookback_days < 1:
            raise ValueError("gap_multiple must be positive and lookback_days at least 1")

    def window(self, gap_days: float | None) -> float:
        """The churn window of a customer whose median gap is ``gap_days`` (``None``: unknown)."""
        own = 0.0 if gap_days is None or pd.isna(gap_days) else self.gap_multiple * gap_days
        return float(min(self.cap_days, max(self.window_days, own)))

    def with_cap(self, cap_days: int | None) -> ChurnDefinition:
        """This definition capped at ``cap_days`` (``None`` keeps it)."""
        if cap_days is None or cap_days == self.cap_days:
            return self
        return replace(self, window_days=min(self.window_days, cap_days), cap_days=cap_days)


DEFINITION = ChurnDefinition()


def customer_orders(store: Store) -> ir.Table:
    """Orders (not returns) of customer accounts: ``o_account``, ``o_at``, ``o_day``."""
    o = store.table("orders")
    a = store.table("accounts")
    customers = a.filter(~a.placeholder.fill_null(False)).select(c_id="account_id")
    kept = o.filter(o.kind.fill_null("order") != RETURN_KIND)
    kept = kept.join(customers, kept.account_id == customers.c_id)
    return kept.select(o_account=kept.account_id, o_at=kept.ordered_at)


def order_days(store: Store) -> ir.Table:
    """One row per customer and calendar day with orders, with the gap to its previous day.

    ``o_at`` is the day's first order (when the day became an order day); ``gap_days`` is null
    on a customer's first order day.
    """
    orders = customer_orders(store)
    days = orders.group_by(o_account=orders.o_account, o_day=orders.o_at.truncate("D")).aggregate(
        o_at=orders.o_at.min()
    )
    by_customer = ibis.window(group_by=days.o_account, order_by=days.o_day)
    previous = days.o_day.lag().over(by_customer)
    return days.mutate(gap_days=days_between(days.o_day, previous))


def order_span(store: Store) -> tuple[datetime, datetime]:
    """First and last customer order time; ``ValueError`` when there are no orders."""
    orders = customer_orders(store)
    row = orders.aggregate(first=orders.o_at.min(), last=orders.o_at.max()).to_pandas().iloc[0]
    if pd.isna(row["first"]):
        raise ValueError("the store holds no customer orders; churn needs order history")
    return pd.Timestamp(row["first"]).to_pydatetime(), pd.Timestamp(row["last"]).to_pydatetime()


def snapshot_times(first: datetime, last: datetime, step: str = DEFINITION.step) -> list[datetime]:
    """Snapshot instants (the midnight after each period end) after ``first`` up to ``last``.

    Examples
    --------
    >>> [t.date().isoformat() for t in snapshot_times(datetime(2024, 1, 5), datetime(2024, 3, 9))]
    ['2024-02-01', '2024-03-01']
    """
    ends = pd.date_range(pd.Timestamp(first).normalize(), pd.Timestamp(last), freq=step)
    stamps = [e + pd.Timedelta(days=1) for e in ends]
    return [s.to_pydatetime() for s in stamps if pd.Timestamp(first) < s <= pd.Timestamp(last)]


def account_snapshots(
    store: Store, funnel: FunnelDefinition | None, definition: ChurnDefinition = DEFINITION
) -> ir.Table:
    """Training snapshots: each customer at every period end within its active span."""
    first, last = order_span(store)
    times = snapshot_times(first, last, definition.step)
    if not times:
        raise ValueError(f"the order history ({first:%Y-%m-%d}…{last:%Y-%m-%d}) holds no snapshot")
    grid = ibis.memtable(pd.DataFrame({"at": pd.to_datetime(times)}))
    orders = customer_orders(store)
    spans = orders.group_by("o_account").aggregate(
        first_at=orders.o_at.min(), last_at=orders.o_at.max()
    )
    j = spans.cross_join(grid)
    reach = j.last_at + ibis.interval(days=definition.lookback_days)
    j = j.filter(j.first_at <= j.at, j.at <= reach)
    return j.select(entity_id=j.o_account, at=j.at.cast(orders.o_at.type()))


def label_churn(
    store: Store,
    snapshots: ir.Table,
    target: Target,
    funnel: FunnelDefinition,
    definition: ChurnDefinition = DEFINITION,
) -> ir.Table:
    """State at, and churn after, each snapshot (``entity_id``, ``at``).

    Adds ``last_order_at`` and ``first_order_at`` (order days, by their first order),
    ``median_gap_days`` (between order days up to ``at``), ``churn_window_days`` (``W``),
    ``next_order_at``, ``ended`` (not an active customer at ``at``), ``reached`` (always
    false) and ``outcome_at``: ``at + W`` when no order follows within ``W``, null otherwise.
    The label is only meaningful when ``at + W`` lies within the history; the registry's
    windows keep one horizon (the cap of ``W``) between a training snapshot and the as-of
    instant.
    """
    return churn_state(store, snapshots, definition.with_cap(target.horizon_days))


def churn_state(
    store: Store, snapshots: ir.Table, definition: ChurnDefinition = DEFINITION
) -> ir.Table:
    """:func:`label_churn` with the definition's own cap."""
    rule = definition
    days = order_days(store)
    s = snapshots.select("entity_id", "at")
    j = s.join(days, s.entity_id == days.o_account, how="left")
    past = j.o_at <= j.at
    state = j.group_by(["entity_id", "at"]).aggregate(
        last_order_at=j.o_at.max(where=past),
        first_order_at=j.o_at.min(where=past),
        median_gap_days=j.gap_days.median(where=past),
        next_order_at=j.o_at.min(where=j.o_at > j.at),
    )
    own = (state.median_gap_days * rule.gap_multiple).fill_null(0.0)
    window = ibis.greatest(own, float(rule.window_days))
    window = ibis.least(window, float(rule.cap_days))
    window_end = state.at + (window * 86_400.0).round().cast("int64").as_interval("s")
    silent_for = days_between(state.at, state.last_order_at)
    active = state.last_order_at.notnull() & (silent_for <= float(rule.lookback_days))
    churned = state.next_order_at.isnull() | (state.next_order_at > window_end)
    return state.mutate(
        churn_window_days=window,
        ended=~active.fill_null(False),
        reached=ibis.literal(False),
        outcome_at=churned.ifelse(window_end, ibis.null(window_end.type())),
    )
