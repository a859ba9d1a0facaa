"""Pocket prices per order line: from list price over the invoice to what the seller keeps.

The price waterfall of every order line as one Ibis expression, so that the KPIs, the waterfall
and the leakage analyses add up the same figures on every engine. Off-invoice items come from
two places: items imported per order or line (table ``price_adjustments``) and terms per
customer group (table ``price_terms``), which fill in the kinds an order has no imported item of.

Columns of :func:`pocket_lines`
-------------------------------
order_line_id, order_id, account_id, opportunity_id, rep_id, product_id
    Keys of the line, its order and the product.
family, segment
    The product's family and the account's segment.
ordered_at, kind
    The order's date and kind (``order`` or ``return``; a return's amounts are negative).
quantity
    As on the line.
list_amount
    unit price × quantity; where the unit price is missing, net amount / (1 − discount).
invoice_amount
    The line's net amount (what the invoice says).
on_invoice
    list_amount − invoice_amount: discounts granted on the invoice.
rebate, freight, payment_terms, bonus, other
    Off-invoice items of each kind: the line's own imported items, its share (by net amount) of
    its order's imported items, and term rate × invoice amount for kinds without imported items.
off_invoice
    Their sum.
pocket_amount
    invoice_amount − off_invoice: what the seller keeps of the price.
cost, pocket_margin
    The line's cost and pocket_amount − cost.

All amounts are in the store currency (each record at the rate of its own date) and kept as
floats: spreading an order's item over its lines is never rounded, so totals reconcile.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revintel.metrics._sources import MetricSources

#: Kinds of off-invoice items, in waterfall order; anything else is ``other``.
OFF_INVOICE_KINDS: tuple[str, ...] = ("rebate", "freight", "payment_terms", "bonus", "other")

#: A term for this customer group applies to every group without a term of its own.
EVERY_GROUP = "*"

POCKET_COLUMNS: tuple[str, ...] = (
    "order_line_id",
    "order_id",
    "account_id",
    "opportunity_id",
    "rep_id",
    "product_id",
    "family",
    "segment",
    "ordered_at",
    "kind",
    "quantity",
    "list_amount",
    "invoice_amount",
    "on_invoice",
    *OFF_INVOICE_KINDS,
    "off_invoice",
    "pocket_amount",
    "cost",
    "pocket_margin",
)


def pocket_lines(sources: MetricSources) -> ir.Table:
    """One row per order line (returns with their sign) with its price waterfall.

    See the module docstring for the columns. Reads ``order_lines``, ``orders``, ``accounts``,
    ``products``, ``price_adjustments`` and, when the sources hold it, ``price_terms`` (one small
    query reads the terms; the rest stays an expression). Built once per sources.
    """
    return sources.derived("pocket_lines", lambda: _pocket_lines(sources))


def _pocket_lines(sources: MetricSources) -> ir.Table:
    terms = _stored_terms(sources)
    lines = _priced_lines(sources, sorted({str(t["group_by"]) for t in terms}))
    imported = _imported_items(sources, lines)
    with_items = lines.left_join(imported, lines.order_line_id == imported.p__line).drop("p__line")
    rates = _term_rates(terms, with_items)
    amounts: dict[str, ir.Value] = {}
    for kind in OFF_INVOICE_KINDS:
        own = with_items[f"p__imp_{kind}"].fill_null(0.0)
        held = with_items[f"p__has_{kind}"].fill_null(False)
        term = ibis.ifelse(held, 0.0, rates[kind] * with_items.invoice_amount.fill_null(0.0))
        amounts[kind] = own + term
    off = amounts[OFF_INVOICE_KINDS[0]]
    for kind in OFF_INVOICE_KINDS[1:]:
        off = off + amounts[kind]
    out = with_items.mutate(**amounts, off_invoice=off)
    out = out.mutate(pocket_amount=out.invoice_amount - out.off_invoice)
    out = out.mutate(pocket_margin=out.pocket_amount - out.cost)
    return out.select(*POCKET_COLUMNS)


def _priced_lines(sources: MetricSources, group_columns: list[str]) -> ir.Table:
    """Order lines with their order, account, product and the list and invoice amounts; the
    accounts columns ``group_columns`` as text in ``g__<column>``."""
    ol = sources.table("order_lines")
    o = sources.table("orders", amounts=False)
    heads = o.select(
        p__order=o.order_id,
        account_id=o.account_id,
        opportunity_id=o.opportunity_id,
        rep_id=o.rep_id,
        ordered_at=o.ordered_at,
        kind=o.kind.fill_null("order"),
    )
    joined = ol.inner_join(heads, ol.order_id == heads.p__order)
    quantity = joined.quantity.cast("float64")
    discount = joined.discount.cast("float64").fill_null(0.0)
    net = joined.net_amount.cast("float64")
    invoice = ibis.coalesce(net, joined.unit_price.cast("float64") * quantity * (1.0 - discount))
    listed = ibis.coalesce(
        joined.unit_price.cast("float64") * quantity,
        net / (1.0 - discount).nullif(0.0),
        invoice,
    )
    base = joined.select(
        "order_line_id",
        "order_id",
        "account_id",
        "opportunity_id",
        "rep_id",
        "product_id",
        "ordered_at",
        "kind",
        quantity=quantity,
        list_amount=listed,
        invoice_amount=invoice,
        on_invoice=listed - invoice,
        cost=joined.cost.cast("float64"),
    )
    a = sources.table("accounts")
    unknown = [c for c in group_columns if c not in a.columns]
    if unknown:
        raise ValueError(
            f"price terms group customers by {', '.join(map(repr, unknown))}, "
            "which is no column of accounts"
        )
    accounts = a.select(
        p__account=a.account_id,
        segment=a.segment,
        **{f"g__{c}": a[c].cast("string") for c in group_columns},
    )
    p = sources.table("products", amounts=False)
    products = p.select(p__product=p.product_id, family=p.family)
    base = base.left_join(accounts, base.account_id == accounts.p__account).drop("p__account")
    return base.left_join(products, base.product_id == products.p__product).drop("p__product")


def _normalized_kind(kind: ir.StringValue) -> ir.StringValue:
    cleaned = kind.strip().lower()
    return ibis.ifelse(cleaned.isin(list(OFF_INVOICE_KINDS)), cleaned, "other")


def _imported_items(sources: MetricSources, lines: ir.Table) -> ir.Table:
    """Per line: imported items of each kind (``p__imp_<kind>``) and whether its order has any
    item of that kind (``p__has_<kind>``)."""
    raw = sources.table("price_adjustments")
    items = raw.select(
        i__order=raw.order_id,
        i__line=raw.order_line_id.strip().nullif(""),
        i__kind=_normalized_kind(raw.kind),
        i__amount=raw.amount.cast("float64").fill_null(0.0),
    )
    own = items.filter(items.i__line.notnull())
    own_sums = own.group_by(o__line=own.i__line).aggregate(
        **{f"o__{k}": own.i__amount.sum(where=own.i__kind == k) for k in OFF_INVOICE_KINDS}
    )
    shared = items.filter(items.i__line.isnull())
    shared_sums = shared.group_by(s__order=shared.i__order).aggregate(
        **{f"s__{k}": shared.i__amount.sum(where=shared.i__kind == k) for k in OFF_INVOICE_KINDS}
    )
    held = items.group_by(h__order=items.i__order).aggregate(
        **{f"h__{k}": (items.i__kind == k).any() for k in OFF_INVOICE_KINDS}
    )
    totals = lines.group_by(t__order=lines.order_id).aggregate(
        t__invoice=lines.invoice_amount.fill_null(0.0).sum(), t__lines=lines.count()
    )
    keyed = lines.select(
        p__line=lines.order_line_id, k__order=lines.order_id, k__invoice=lines.invoice_amount
    )
    keyed = keyed.left_join(totals, keyed.k__order == totals.t__order).drop("t__order")
    # An order's items are spread by share of net amount; over an order worth nothing, evenly.
    share = ibis.ifelse(
        keyed.t__invoice != 0.0,
        keyed.k__invoice.fill_null(0.0) / keyed.t__invoice.nullif(0.0),
        1.0 / keyed.t__lines.cast("float64"),
    )
    keyed = keyed.mutate(k__share=share)
    keyed = keyed.left_join(own_sums, keyed.p__line == own_sums.o__line).drop("o__line")
    keyed = keyed.left_join(shared_sums, keyed.k__order == shared_sums.s__order).drop("s__order")
    keyed = keyed.left_join(held, keyed.k__order == held.h__order).drop("h__order")
    columns: dict[str, ir.Value] = {}
    for k in OFF_INVOICE_KINDS:
        columns[f"p__imp_{k}"] = (
            keyed[f"o__{k}"].fill_null(0.0) + keyed[f"s__{k}"].fill_null(0.0) * keyed.k__share
        )
        columns[f"p__has_{k}"] = keyed[f"h__{k}"].fill_null(False)
    return keyed.select("p__line", **columns)


def _stored_terms(sources: MetricSources) -> list[dict[str, object]]:
    """The stored price terms (a handful of rows), none when the sources hold no terms."""
    terms = sources.tables.get("price_terms")
    if terms is None:
        return []
    return terms.select("group_by", "customer_group", "kind", "rate").to_pyarrow().to_pylist()


def _term_rates(terms: list[dict[str, object]], lines: ir.Table) -> dict[str, ir.NumericValue]:
    """Per kind, the term rate that applies to each line: its account group's, else ``*``'s."""
    rates: dict[str, ir.NumericValue] = {}
    for kind in OFF_INVOICE_KINDS:
        of_kind = [t for t in terms if t["kind"] == kind]
        fallback = [t["rate"] for t in of_kind if t["customer_group"] == EVERY_GROUP]
        default = ibis.literal(float(fallback[0]) if fallback else 0.0)  # type: ignore[arg-type]
        cases = [
            (
                lines[f"g__{t['group_by']}"] == str(t["customer_group"]),
                float(t["rate"]),  # type: ignore[arg-type]
            )
            for t in of_kind
            if t["customer_group"] != EVERY_GROUP
        ]
        rates[kind] = ibis.cases(*cases, else_=default) if cases else default
    return rates
