"""Discount-discipline KPIs: what won deals gave away, where their prices sat in the stored
price bands, and how much of the list price the order lines kept on their way to the pocket.

Two kinds:

``deal_price`` reads won opportunities by close date. A deal's price is its amount (else list
price × (1 − discount)); its price ratio is 1 − its discount (from the source, else
1 − amount / list price), as the price bands see it. Deals without a positive list price are
left out.

- ``average_discount``: Σ (list price − amount) / Σ list price.
- ``share_below_floor``: of the won deals that belong to a band of the latest stored fit (the
  fit of ``price_bands`` with the latest ``fitted_at``), the share whose price ratio lies below
  the band's floor.
- ``price_realisation``: Σ amount / Σ (list price × the band's target): the price realised
  against the target price, on the deal's invoiced amount (the pocket-based view is the
  ``pocket_price`` kind).

Without a stored fit, the band measures have no rows; :func:`bands_missing` says so, and
the surfaces name the gap.

``pocket_price`` reads the price waterfall of every order line
(:func:`revintel.metrics._pocket.pocket_lines`) by order date; returns count with their
negative amounts, so every sum is net of returns.

- ``invoice_discount_rate``: Σ on-invoice discount / Σ list amount.
- ``off_invoice_rate``: Σ off-invoice items / Σ invoice amount.
- ``pocket_price_rate``: Σ pocket amount / Σ list amount.
- ``pocket_margin``: Σ pocket margin (store currency; lines without a cost left out).
- ``pocket_margin_rate``: Σ pocket margin / Σ pocket amount, both over lines with a cost.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._catalogue import KpiSpec
from revintel.metrics._context import KpiContext, grouped, indicator, ratio
from revintel.metrics._pocket import pocket_lines
from revintel.metrics._sources import MetricSources

#: The system tables holding stored price bands and each deal's band.
BANDS_TABLE = "price_bands"
BAND_DEALS_TABLE = "price_band_deals"
#: Measures of ``deal_price`` that need a stored band fit.
BAND_MEASURES = ("share_below_floor", "price_realisation")
#: Dimensions the order lines of ``pocket_price`` reach (no lead, so no campaign).
POCKET_DIMENSIONS = (
    "channel",
    "segment",
    "industry",
    "region",
    "country",
    "rep",
    "team",
    "product",
    "product_family",
)


def won_deals(sources: MetricSources) -> ir.Table:
    """Won opportunities with a positive list price and a known price: keys, ``closed_at``,
    ``list_price``, ``amount``, ``discount`` (list price − amount over list price) and
    ``price_ratio`` (1 − the source's discount, else amount / list price)."""
    o = sources.table("opportunities")
    listed = o.list_price.cast("float64")
    given = o.discount.cast("float64")
    amount = ibis.coalesce(o.amount.cast("float64"), listed * (1.0 - given))
    won = o.filter((o.status.lower() == "won") & (listed > 0.0) & amount.notnull())
    return won.select(
        "opportunity_id",
        "lead_id",
        "account_id",
        "rep_id",
        "product_id",
        "closed_at",
        list_price=listed,
        amount=amount,
        discount=(listed - amount) / listed,
        price_ratio=1.0 - ibis.coalesce(given, 1.0 - amount / listed),
    )


def latest_band_deals(sources: MetricSources) -> ir.Table | None:
    """Each deal's band in the latest stored fit, with the band's ``floor`` and ``target``
    (columns ``b__opportunity``, ``floor``, ``target``); ``None`` when the sources hold no
    band tables."""
    if BANDS_TABLE not in sources.tables or BAND_DEALS_TABLE not in sources.tables:
        return None
    bands = sources.tables[BANDS_TABLE]
    newest = bands.aggregate(l__at=bands.fitted_at.max())
    latest = bands.inner_join(newest, bands.fitted_at == newest.l__at)
    fit = latest.aggregate(l__fit=latest.fit_id.max())
    members = sources.tables[BAND_DEALS_TABLE]
    members = members.inner_join(fit, members.fit_id == fit.l__fit)
    limits = bands.select(
        l__band=bands.band_id, l__bandfit=bands.fit_id, floor=bands.floor, target=bands.target
    )
    joined = members.inner_join(
        limits, (members.band_id == limits.l__band) & (members.fit_id == limits.l__bandfit)
    )
    return joined.select(
        b__opportunity=joined.opportunity_id,
        floor=joined.floor.cast("float64"),
        target=joined.target.cast("float64"),
    )


def bands_missing(sources: MetricSources, spec: KpiSpec) -> bool:
    """Whether ``spec`` needs stored price bands and no fit is stored: its values are then
    empty for that reason (``revintel pricing bands --store`` stores one)."""
    measure = getattr(spec.params, "measure", None)
    if spec.kind != "deal_price" or measure not in BAND_MEASURES:
        return False
    if BANDS_TABLE not in sources.tables or BAND_DEALS_TABLE not in sources.tables:
        return True
    return int(sources.tables[BAND_DEALS_TABLE].count().execute()) == 0


def deal_price(ctx: KpiContext) -> ir.Table:
    """Per period (close date) and breakdown, the won-deal figure of ``params.measure``.

    ``average_discount``: ``numerator`` the list price given away, ``denominator`` the list
    price. ``share_below_floor``: ``numerator`` the deals below their floor, ``denominator``
    the deals with a band. ``price_realisation``: ``numerator`` the amounts, ``denominator``
    list price × target.
    """
    rows = ctx.rows(won_deals(ctx.sources))
    rows = ctx.keyed(rows, rows.closed_at)
    measure = ctx.spec.params.measure
    if measure == "average_discount":
        out = grouped(rows, ctx.group_keys()).aggregate(
            numerator=_cents((rows.list_price - rows.amount).sum()),
            denominator=_cents(rows.list_price.sum()),
        )
        return out.mutate(value=ratio(out.numerator, out.denominator))
    banded = _with_bands(ctx, rows)
    if measure == "share_below_floor":
        below = indicator(banded.price_ratio < banded.floor)
        out = grouped(banded, ctx.group_keys()).aggregate(
            numerator=below.sum(), denominator=banded.count()
        )
    else:
        out = grouped(banded, ctx.group_keys()).aggregate(
            numerator=_cents(banded.amount.sum()),
            denominator=_cents((banded.list_price * banded.target).sum()),
        )
    return out.mutate(value=ratio(out.numerator, out.denominator))


def _cents(total: ir.NumericValue) -> ir.NumericValue:
    """A money sum to the cent: a parallel sum of the same rows may differ in its last binary
    digits from run to run and engine to engine; the cent it rounds to does not."""
    return total.round(2)


def _with_bands(ctx: KpiContext, rows: ir.Table) -> ir.Table:
    members = latest_band_deals(ctx.sources)
    if members is None:
        return rows.filter(ibis.literal(False)).mutate(
            floor=ibis.null().cast("float64"), target=ibis.null().cast("float64")
        )
    joined = rows.inner_join(members, rows.opportunity_id == members.b__opportunity)
    return joined.drop("b__opportunity")


def pocket_price(ctx: KpiContext) -> ir.Table:
    """Per period (order date) and breakdown, the waterfall figure of ``params.measure``.

    For the rates ``numerator`` and ``denominator`` are the two sums divided; for
    ``pocket_margin`` ``numerator`` counts the order lines behind it.
    """
    rows = ctx.rows(_pocket_base(ctx))
    rows = ctx.keyed(rows, rows.ordered_at)
    keys = ctx.group_keys()
    measure = ctx.spec.params.measure
    costed = rows.pocket_margin.notnull()
    if measure == "pocket_margin":
        out = grouped(rows, keys).aggregate(
            numerator=rows.count(where=costed), value=_cents(rows.pocket_margin.sum())
        )
        return out.select(
            *keys,
            numerator=out.numerator,
            denominator=ibis.null().cast("float64"),
            value=out.value.fill_null(0.0),
        )
    parts = {
        "invoice_discount_rate": (rows.on_invoice.sum(), rows.list_amount.sum()),
        "off_invoice_rate": (rows.off_invoice.sum(), rows.invoice_amount.sum()),
        "pocket_price_rate": (rows.pocket_amount.sum(), rows.list_amount.sum()),
        "pocket_margin_rate": (
            rows.pocket_margin.sum().fill_null(0.0),
            rows.pocket_amount.sum(where=costed).fill_null(0.0),
        ),
    }
    top, bottom = parts[measure]
    out = grouped(rows, keys).aggregate(numerator=_cents(top), denominator=_cents(bottom))
    return out.mutate(value=ratio(out.numerator, out.denominator))


def _pocket_base(ctx: KpiContext) -> ir.Table:
    """The waterfall lines with their keys and the order's channel, ready for dimensions."""
    lines = pocket_lines(ctx.sources)
    base = lines.select(
        "order_line_id",
        "order_id",
        "account_id",
        "opportunity_id",
        "rep_id",
        "product_id",
        "ordered_at",
        "list_amount",
        "invoice_amount",
        "on_invoice",
        "off_invoice",
        "pocket_amount",
        "pocket_margin",
    )
    if "channel" not in ctx.query.dimensions:
        return base
    o = ctx.sources.table("orders", amounts=False)
    channels = o.select(k__order=o.order_id, channel=o.channel)
    return base.left_join(channels, base.order_id == channels.k__order).drop("k__order")
