"""Point-in-time features of leads and deals, built from the store with Ibis.

Each aggregate only reads events recorded up to the snapshot's prediction time ``at`` and reports
the latest event time it used in a ``*_recorded_at`` column, so :func:`check_leakage` can prove it.
Custom fields of the record and of its account join as ``custom.<name>`` (see ``_custom``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.predict._custom import with_custom
from revintel.predict._price_features import price_context
from revintel.predict._snapshots import days_between
from revintel.store import Store

#: Columns of the snapshot state (see ``label_milestones``) passed through to the features.
STATE_COLUMNS = ("entity_id", "at", "rank_at", "stage_at", "ended", "reached", "outcome_at")

#: Touchpoint kinds counted as webinar attendance and content downloads.
WEBINAR_KINDS = ("webinar",)
DOWNLOAD_KINDS = ("download",)


def customer_accounts(store: Store) -> ir.Table:
    """The store's accounts without placeholders: a guest account (orders without a customer
    number) describes no customer, so customer-level features never read it."""
    a = store.table("accounts")
    return a.filter(~a.placeholder.fill_null(False))


def _firmographics(store: Store, base: ir.Table, account_col: str) -> ir.Table:
    a = customer_accounts(store).select(
        acc_id="account_id",
        industry="industry",
        segment="segment",
        region="region",
        employees="employees",
    )
    j = base.join(a, base[account_col] == a.acc_id, how="left")
    return j.drop("acc_id")


def _touch_features(store: Store, snaps: ir.Table) -> ir.Table:
    """Digital engagement and sales response of the journey (``lead_id``) up to ``at``."""
    t = store.table("touchpoints")
    t = t.filter(t.lead_id.notnull()).select(
        tp_lead="lead_id",
        tp_kind="kind",
        tp_digital="digital",
        tp_self="self_service",
        tp_at="occurred_at",
    )
    s = snaps.select("entity_id", "at", "lead_id", "lead_created_at")
    j = s.join(t, [s.lead_id == t.tp_lead, t.tp_at <= s.at], how="left")
    digital = j.tp_digital.fill_null(False)
    recent = j.tp_at > j.at - ibis.interval(days=14)
    sales = ~j.tp_self.fill_null(True) & (j.tp_at >= j.lead_created_at)
    agg = j.group_by(["entity_id", "at"]).aggregate(
        touches=j.tp_at.count(),
        digital_touches=digital.sum(),
        digital_touches_14d=(digital & recent).sum(),
        webinars=j.tp_kind.isin(WEBINAR_KINDS).sum(),
        downloads=j.tp_kind.isin(DOWNLOAD_KINDS).sum(),
        sales_touches=sales.sum(),
        last_digital_at=j.tp_at.max(where=digital),
        first_sales_at=j.tp_at.min(where=sales),
        touch_recorded_at=j.tp_at.max(),
    )
    return agg


def lead_features(store: Store, snapshots: ir.Table) -> ir.Table:
    """Features of lead snapshots (the state of ``label_lead_journey``)."""
    leads = store.table("leads").select(
        l_id="lead_id",
        lead_id="lead_id",
        account_id="account_id",
        campaign_id="campaign_id",
        channel="channel",
        lead_created_at="created_at",
    )
    s = snapshots.join(leads, snapshots.entity_id == leads.l_id).drop("l_id")
    c = store.table("campaigns").select(c_id="campaign_id", campaign_kind="kind")
    s = s.join(c, s.campaign_id == c.c_id, how="left").drop("c_id")
    s = _firmographics(store, s, "account_id")
    touches = _touch_features(store, s)
    j = s.join(touches, ["entity_id", "at"], how="left")
    out = j.select(
        *STATE_COLUMNS,
        "channel",
        "campaign_kind",
        "industry",
        "segment",
        "region",
        employees=j.employees.cast("float64"),
        hours_since_created=days_between(j.at, j.lead_created_at) * 24.0,
        digital_touches=j.digital_touches.fill_null(0).cast("float64"),
        digital_touches_14d=j.digital_touches_14d.fill_null(0).cast("float64"),
        webinars=j.webinars.fill_null(0).cast("float64"),
        downloads=j.downloads.fill_null(0).cast("float64"),
        days_since_digital=days_between(j.at, j.last_digital_at),
        response_hours=days_between(j.first_sales_at, j.lead_created_at) * 24.0,
        lead_recorded_at=j.lead_created_at,
        touch_recorded_at=j.touch_recorded_at,
    )
    return with_custom(store, out, s, {"leads": "entity_id", "accounts": "account_id"})


def _quote_features(store: Store, snaps: ir.Table) -> ir.Table:
    q = store.table("quotes").select(q_opp="opportunity_id", q_at="created_at", q_disc="discount")
    s = snaps.select("entity_id", "at")
    j = s.join(q, [s.entity_id == q.q_opp, q.q_at <= s.at], how="left")
    return j.group_by(["entity_id", "at"]).aggregate(
        quotes=j.q_at.count(),
        discount=j.q_disc.argmax(j.q_at),
        quote_recorded_at=j.q_at.max(),
    )


def _closed_deals(store: Store) -> ir.Table:
    """Every closed deal once: its rep, outcome, close time and account industry.

    ``h_at`` is the first won or lost event of the deal; ``h_won`` whether any of them is won.
    """
    m = store.table("milestones")
    closed = m.filter(m.entity_type == "opportunity", m.milestone.isin(("won", "lost")))
    closed = closed.group_by("entity_id").aggregate(
        won=(closed.milestone == "won").any(), closed_at=closed.occurred_at.min()
    )
    o = store.table("opportunities").select(
        r_opp="opportunity_id", r_rep="rep_id", r_acc="account_id"
    )
    a = customer_accounts(store).select(r_acc_id="account_id", r_industry="industry")
    history = closed.join(o, closed.entity_id == o.r_opp).join(a, o.r_acc == a.r_acc_id, how="left")
    return history.select(
        h_rep=history.r_rep, h_won=history.won, h_at=history.closed_at, h_ind=history.r_industry
    )


def _rep_record(store: Store, snaps: ir.Table) -> ir.Table:
    """Won and closed deals of the deal's rep (overall and in its industry) before ``at``.

    Linear in deals and snapshots: closed deals and snapshots are put in one time line per rep
    (and per rep and industry); running sums over it count, at each snapshot, the deals its rep
    closed strictly before ``at``. At equal times a snapshot sorts before the closings, so a deal
    closed at the very instant of a snapshot does not count for it. Snapshots without a rep or
    time get no row (the caller's left join reads that as no record). Snapshots are unique by
    (``entity_id``, ``at``), as labelled states are.
    """
    h = _closed_deals(store)
    h = h.filter(h.h_rep.notnull(), h.h_at.notnull())
    s = snaps.filter(snaps.rep_id.notnull(), snaps.at.notnull())
    time_type = h.h_at.type()
    closings = h.select(
        u_rep=h.h_rep,
        u_ind=h.h_ind,
        u_t=h.h_at,
        u_snapshot=ibis.literal(0).cast("int8"),
        u_closed=ibis.literal(1).cast("int64"),
        u_won=ibis.ifelse(h.h_won.fill_null(False), 1, 0).cast("int64"),
        u_closed_at=h.h_at,
        entity_id=ibis.null(snaps.entity_id.type()),
        at=ibis.null(snaps.at.type()),
    )
    points = s.select(
        u_rep=s.rep_id.cast(closings.u_rep.type()),
        u_ind=s.industry.cast(closings.u_ind.type()),
        u_t=s.at.cast(time_type),
        u_snapshot=ibis.literal(1).cast("int8"),
        u_closed=ibis.literal(0).cast("int64"),
        u_won=ibis.literal(0).cast("int64"),
        u_closed_at=ibis.null(time_type),
        entity_id=s.entity_id,
        at=s.at,
    )
    line = ibis.union(closings, points, distinct=False)
    # Snapshots (``u_snapshot`` 1) before closings (0) at equal times.
    order = [line.u_t, ibis.desc(line.u_snapshot)]
    by_rep = ibis.window(group_by=line.u_rep, order_by=order, rows=(None, 0))
    by_industry = ibis.window(group_by=[line.u_rep, line.u_ind], order_by=order, rows=(None, 0))
    known = line.u_ind.notnull()
    line = line.mutate(
        rep_closed=line.u_closed.sum().over(by_rep),
        rep_won=line.u_won.sum().over(by_rep),
        rep_industry_closed=known.ifelse(line.u_closed.sum().over(by_industry), 0),
        rep_industry_won=known.ifelse(line.u_won.sum().over(by_industry), 0),
        record_recorded_at=line.u_closed_at.max().over(by_rep),
    )
    at_snapshots = line.filter(line.u_snapshot == 1)
    return at_snapshots.select(
        "entity_id",
        "at",
        "rep_closed",
        "rep_won",
        "rep_industry_closed",
        "rep_industry_won",
        "record_recorded_at",
    )


def _deal_base(store: Store, snapshots: ir.Table) -> ir.Table:
    o = store.table("opportunities").select(
        o_id="opportunity_id",
        lead_id="lead_id",
        account_id="account_id",
        rep_id="rep_id",
        product_id="product_id",
        amount="amount",
        opp_created_at="created_at",
    )
    s = snapshots.join(o, snapshots.entity_id == o.o_id).drop("o_id")
    leads = store.table("leads").select(
        l_id="lead_id", channel="channel", lead_created_at="created_at"
    )
    s = s.join(leads, s.lead_id == leads.l_id, how="left").drop("l_id")
    p = store.table("products").select(p_id="product_id", product_family="family")
    s = s.join(p, s.product_id == p.p_id, how="left").drop("p_id")
    return _firmographics(store, s, "account_id")


def deal_features(store: Store, snapshots: ir.Table) -> ir.Table:
    """Features of deal snapshots (the state of ``label_deal_journey``)."""
    s = _deal_base(store, snapshots)
    touches = _touch_features(
        store, s.mutate(lead_created_at=s.lead_created_at.fill_null(s.opp_created_at))
    )
    quotes = _quote_features(store, s)
    record = _rep_record(store, s)
    # What the price bands segment deals by, besides the firmographics (see _price_features).
    context = price_context(store).rename(pc_id="opportunity_id")
    j = (
        s.join(touches, ["entity_id", "at"], how="left")
        .join(quotes, ["entity_id", "at"], how="left")
        .join(record, ["entity_id", "at"], how="left")
    )
    j = j.join(context, j.entity_id == context.pc_id, how="left").drop("pc_id")
    # Laplace-smoothed win rates: an unknown rep starts at one half, not at a missing value.
    rep_closed = j.rep_closed.fill_null(0).cast("float64")
    rep_won = j.rep_won.fill_null(0).cast("float64")
    ind_closed = j.rep_industry_closed.fill_null(0).cast("float64")
    ind_won = j.rep_industry_won.fill_null(0).cast("float64")
    out = j.select(
        *STATE_COLUMNS,
        "industry",
        "segment",
        "region",
        "channel",
        "product_family",
        "value_tier",
        "list_price",
        employees=j.employees.cast("float64"),
        amount=j.amount.cast("float64"),
        age_days=days_between(j.at, j.opp_created_at),
        days_in_stage=days_between(j.at, j.stage_at),
        lead_days=days_between(j.opp_created_at, j.lead_created_at),
        touches=j.touches.fill_null(0).cast("float64"),
        sales_touches=j.sales_touches.fill_null(0).cast("float64"),
        days_since_touch=days_between(j.at, j.touch_recorded_at),
        quotes=j.quotes.fill_null(0).cast("float64"),
        discount=j.discount.cast("float64"),
        rep_win_rate=(rep_won + 1.0) / (rep_closed + 2.0),
        rep_industry_win_rate=(ind_won + 1.0) / (ind_closed + 2.0),
        deal_recorded_at=j.opp_created_at,
        stage_recorded_at=j.stage_at,
        touch_recorded_at=j.touch_recorded_at,
        quote_recorded_at=j.quote_recorded_at,
        record_recorded_at=j.record_recorded_at,
    )
    return with_custom(store, out, s, {"opportunities": "entity_id", "accounts": "account_id"})
