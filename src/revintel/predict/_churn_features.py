"""Point-in-time behaviour features of customers for the churn early warning.

Order rhythm, value and product breadth, touchpoints, open opportunities and declined quotes
are read with Ibis from events up to the snapshot time ``at``; the repeat-purchase models
(P(alive), P(no order in the customer's window), expected order value) are fitted once per
snapshot time on every customer's history up to it (:mod:`revintel.predict._churn_models`).
Every aggregate reports the latest event it read in a ``*_recorded_at`` column.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.predict._churn_models import with_repeat_purchase_features
from revintel.predict._churn_snapshots import RETURN_KIND
from revintel.predict._features import customer_accounts
from revintel.predict._snapshots import days_between
from revintel.predict._spec import FeatureSpec, Rule
from revintel.store import Store

#: Columns of the churn state passed through to the features.
STATE_COLUMNS = ("entity_id", "at", "ended", "reached", "outcome_at", "churn_window_days")
#: Days of the recent period; trends compare its last half with its first half.
RECENT_DAYS = 365
HALF_DAYS = 182
#: A quote counts as declined once its validity ended (the decision is known by then).
QUOTE_DECISION_DAYS = 30
DECLINED_STATUSES = ("rejected",)


def _order_activity(store: Store, snaps: ir.Table) -> ir.Table:
    """Order counts and net value (returns subtracted) in the last 90/365 days and halves."""
    o = store.table("orders").select(
        o_account="account_id", o_at="ordered_at", o_amount="amount", o_kind="kind"
    )
    s = snaps.select("entity_id", "at")
    year_ago = s.at - ibis.interval(days=RECENT_DAYS)
    j = s.join(o, [s.entity_id == o.o_account, o.o_at <= s.at, o.o_at > year_ago], how="left")
    is_return = j.o_kind.fill_null("order") == RETURN_KIND
    is_order = j.o_at.notnull() & ~is_return
    value = is_return.ifelse(-j.o_amount.abs(), j.o_amount).fill_null(0.0)
    recent_half = j.o_at > j.at - ibis.interval(days=HALF_DAYS)
    recent_90 = j.o_at > j.at - ibis.interval(days=90)
    return j.group_by(["entity_id", "at"]).aggregate(
        orders_90d=(is_order & recent_90).sum(),
        orders_365d=is_order.sum(),
        orders_recent_half=(is_order & recent_half).sum(),
        value_90d=recent_90.ifelse(value, 0.0).sum(),
        value_365d=value.sum(),
        value_recent_half=recent_half.ifelse(value, 0.0).sum(),
        order_recorded_at=j.o_at.max(),
    )


def _breadth(store: Store, snaps: ir.Table) -> ir.Table:
    """Distinct products and families ordered in the last year, and products in its last half."""
    o = store.table("orders")
    o = o.filter(o.kind.fill_null("order") != RETURN_KIND)
    lines = store.table("order_lines").select(l_order="order_id", l_product="product_id")
    p = store.table("products").select(p_id="product_id", p_family="family")
    lines = lines.join(o, lines.l_order == o.order_id).select(
        "l_product", b_account=o.account_id, b_at=o.ordered_at
    )
    lines = lines.join(p, lines.l_product == p.p_id, how="left")
    s = snaps.select("entity_id", "at")
    year_ago = s.at - ibis.interval(days=RECENT_DAYS)
    cond = [s.entity_id == lines.b_account, lines.b_at <= s.at, lines.b_at > year_ago]
    j = s.join(lines, cond, how="left")
    recent = j.b_at > j.at - ibis.interval(days=HALF_DAYS)
    return j.group_by(["entity_id", "at"]).aggregate(
        products_365d=j.l_product.nunique(),
        families_365d=j.p_family.nunique(),
        products_recent_half=j.l_product.nunique(where=recent),
        line_recorded_at=j.b_at.max(),
    )


def _touches(store: Store, snaps: ir.Table) -> ir.Table:
    """Last marketing (digital) and last sales (not self-service) touch of the account."""
    t = store.table("touchpoints").select(
        t_account="account_id", t_at="occurred_at", t_digital="digital", t_self="self_service"
    )
    s = snaps.select("entity_id", "at")
    j = s.join(t, [s.entity_id == t.t_account, t.t_at <= s.at], how="left")
    return j.group_by(["entity_id", "at"]).aggregate(
        last_marketing_at=j.t_at.max(where=j.t_digital.fill_null(False)),
        last_sales_at=j.t_at.max(where=~j.t_self.fill_null(True)),
        touch_recorded_at=j.t_at.max(),
    )


def _opportunities(store: Store, snaps: ir.Table) -> ir.Table:
    """Opportunities of the account open at ``at`` (created by then, not closed by then)."""
    o = store.table("opportunities").select(
        p_account="account_id", p_created="created_at", p_closed="closed_at"
    )
    s = snaps.select("entity_id", "at")
    j = s.join(o, [s.entity_id == o.p_account, o.p_created <= s.at], how="left")
    still_open = j.p_created.notnull() & (j.p_closed.isnull() | (j.p_closed > j.at))
    return j.group_by(["entity_id", "at"]).aggregate(
        open_opportunities=still_open.sum(), opportunity_recorded_at=j.p_created.max()
    )


def _declined_quotes(store: Store, snaps: ir.Table) -> ir.Table:
    """Quotes declined in the last year whose decision was due by ``at`` (validity ended)."""
    q = store.table("quotes")
    due = q.valid_until.fill_null(q.created_at + ibis.interval(days=QUOTE_DECISION_DAYS))
    q = q.filter(q.status.isin(DECLINED_STATUSES)).select(q_account="account_id", q_due=due)
    s = snaps.select("entity_id", "at")
    year_ago = s.at - ibis.interval(days=RECENT_DAYS)
    cond = [s.entity_id == q.q_account, q.q_due <= s.at, q.q_due > year_ago]
    j = s.join(q, cond, how="left")
    return j.group_by(["entity_id", "at"]).aggregate(
        quotes_declined_365d=j.q_due.count(), quote_recorded_at=j.q_due.max()
    )


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """``numerator / denominator`` as a float, null where the denominator is not positive."""
    den = denominator.cast("float64")
    return (den > 0).ifelse(numerator.cast("float64") / den, ibis.null("float64"))


def _recent_share(recent: ir.NumericValue, year: ir.NumericValue) -> ir.FloatingValue:
    """Share of the year's amount that fell in its last half, within [0, 1]: a steady customer
    is near one half, a fading one near zero; null without a positive yearly amount."""
    share = _ratio(recent, year)
    return ibis.least(ibis.greatest(share, 0.0), 1.0)


def churn_features(store: Store, state: ir.Table) -> ir.Table:
    """Features of churn snapshots (the state of :func:`label_churn`)."""
    a = customer_accounts(store).select(
        a_id="account_id", industry="industry", segment="segment", region="region",
        employees="employees",
    )  # fmt: skip
    s = state.join(a, state.entity_id == a.a_id, how="left").drop("a_id")
    j = (
        s.join(_order_activity(store, s), ["entity_id", "at"], how="left")
        .join(_breadth(store, s), ["entity_id", "at"], how="left")
        .join(_touches(store, s), ["entity_id", "at"], how="left")
        .join(_opportunities(store, s), ["entity_id", "at"], how="left")
        .join(_declined_quotes(store, s), ["entity_id", "at"], how="left")
    )
    days_since_order = days_between(j.at, j.last_order_at)
    orders_recent = j.orders_recent_half.fill_null(0)
    out = j.select(
        *STATE_COLUMNS,
        "last_order_at",
        "first_order_at",
        "median_gap_days",
        "industry",
        "segment",
        "region",
        employees=j.employees.cast("float64"),
        days_since_order=days_since_order,
        gap_ratio=_ratio(days_since_order, j.median_gap_days),
        customer_days=days_between(j.at, j.first_order_at),
        orders_90d=j.orders_90d.fill_null(0).cast("float64"),
        orders_365d=j.orders_365d.fill_null(0).cast("float64"),
        order_count_trend=_recent_share(orders_recent, j.orders_365d.fill_null(0)),
        value_90d=j.value_90d.fill_null(0.0).cast("float64"),
        value_365d=j.value_365d.fill_null(0.0).cast("float64"),
        order_value_trend=_recent_share(
            j.value_recent_half.fill_null(0.0), j.value_365d.fill_null(0.0)
        ),
        products_365d=j.products_365d.fill_null(0).cast("float64"),
        families_365d=j.families_365d.fill_null(0).cast("float64"),
        breadth_trend=_recent_share(j.products_recent_half, j.products_365d.fill_null(0)),
        days_since_marketing=days_between(j.at, j.last_marketing_at),
        days_since_sales_touch=days_between(j.at, j.last_sales_at),
        open_opportunities=j.open_opportunities.fill_null(0).cast("float64"),
        quotes_declined_365d=j.quotes_declined_365d.fill_null(0).cast("float64"),
        order_recorded_at=j.order_recorded_at,
        line_recorded_at=j.line_recorded_at,
        touch_recorded_at=j.touch_recorded_at,
        opportunity_recorded_at=j.opportunity_recorded_at,
        quote_recorded_at=j.quote_recorded_at,
    )
    return with_repeat_purchase_features(store, out)


#: Model inputs. Customer age, size and money amounts stay in the frame (alerts rank by
#: ``value_365d``) but are no inputs: they grow with the customer base over the history, so a
#: model fitted on its early years reads them wrongly later (measured on the demo company).
CHURN_SPEC = FeatureSpec(
    categorical=("industry", "segment", "region"),
    numeric=(
        "days_since_order",
        "gap_ratio",
        "median_gap_days",
        "orders_90d",
        "orders_365d",
        "order_count_trend",
        "order_value_trend",
        "products_365d",
        "families_365d",
        "breadth_trend",
        "p_alive",
        "p_no_order",
        "days_since_marketing",
        "days_since_sales_touch",
        "open_opportunities",
        "quotes_declined_365d",
    ),
    # A longer silence, measured against the customer's own rhythm or by the purchase model,
    # never lowers the risk; a higher P(alive) never raises it.
    monotone={"days_since_order": 1, "gap_ratio": 1, "p_no_order": 1, "p_alive": -1},
    points=(
        Rule("gap_ratio", "ge", 1.5, 25.0),
        Rule("days_since_order", "ge", 180, 20.0),
        Rule("p_alive", "le", 0.5, 20.0),
        Rule("orders_365d", "ge", 3, -15.0),
        Rule("open_opportunities", "ge", 1, -10.0),
        Rule("quotes_declined_365d", "ge", 1, 10.0),
        Rule("days_since_sales_touch", "ge", 180, 5.0),
    ),
)
