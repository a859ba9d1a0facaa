"""Off-invoice items of the demo company, as an ERP exports them (table ``price_adjustments``).

Every sales order (returns get none) carries the items that lead from its invoice to its pocket
price: a year-end rebate by the customer's segment (order level, booked on 31 December of the
order's year), freight per line by the customer's region (International dearer), Skonto for
paying early on about 60 % of the orders (order level) and a loyalty bonus on some orders of the
top customers (order level). Items are drawn from a random stream of their own, so that adding
them left every other table of the demo exactly as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import with_lineage

#: Second seed word of the items' own random stream ("P-A" for price adjustments).
STREAM = 0x5041
#: Year-end rebate per segment, a share of the order's net amount.
REBATE_BY_SEGMENT = {"Enterprise": 0.03, "Mittelstand": 0.02, "Kleinunternehmen": 0.0}
#: Freight per region, a share of the line's net amount; other regions (and guests) pay DOMESTIC.
FREIGHT_BY_REGION = {"International": 0.025}
FREIGHT_DOMESTIC = 0.008
#: Each line's freight varies uniformly by ± this share around its region's rate.
FREIGHT_SPREAD = 0.25
#: Skonto: this rate of the order's net amount, taken on this share of the orders.
PAYMENT_TERMS_RATE = 0.02
PAYMENT_TERMS_SHARE = 0.6
#: Loyalty bonus: this rate, on this share of the orders of the top customers by net revenue.
BONUS_RATE = 0.01
BONUS_ORDER_SHARE = 0.5
BONUS_TOP_CUSTOMERS = 0.05


def price_adjustments_table(
    config: c.SynthConfig,
    accounts: pa.Table,
    orders: pa.Table,
    order_lines: pa.Table,
    batch: str,
) -> pa.Table:
    """The off-invoice items of the sales orders in ``orders`` and ``order_lines``."""
    rng = np.random.default_rng([config.seed, STREAM])
    heads = _sales_orders(accounts, orders)
    lines = order_lines.select(["order_line_id", "order_id", "net_amount"]).to_pandas()
    lines = lines.merge(heads[["order_id", "region"]], on="order_id", how="inner")
    freight_rate = lines["region"].map(FREIGHT_BY_REGION).fillna(FREIGHT_DOMESTIC).to_numpy()
    spread = 1.0 + FREIGHT_SPREAD * (2.0 * rng.random(len(lines)) - 1.0)
    freight = _items(lines, "freight", freight_rate * spread * lines["net_amount"].to_numpy())
    rebate_rate = heads["segment"].map(REBATE_BY_SEGMENT).fillna(0.0).to_numpy()
    rebate = _items(heads, "rebate", rebate_rate * heads["amount"].to_numpy(), year_end=True)
    skonto = rng.random(len(heads)) < PAYMENT_TERMS_SHARE
    payment = _items(heads[skonto], "payment_terms", PAYMENT_TERMS_RATE * heads["amount"][skonto])
    top = _top_customers(heads)
    lucky = heads["account_id"].isin(top).to_numpy() & (rng.random(len(heads)) < BONUS_ORDER_SHARE)
    bonus = _items(heads[lucky], "bonus", BONUS_RATE * heads["amount"][lucky])
    items = pd.concat([rebate, freight, payment, bonus], ignore_index=True)
    items = items[items["amount"] > 0].sort_values(["order_id", "kind", "order_line_id"])
    number = np.arange(1, len(items) + 1)
    return with_lineage(
        {
            "adjustment_id": pa.array([f"NK{n:08d}" for n in number], pa.string()),
            "order_id": pa.array(items["order_id"], pa.string()),
            "order_line_id": pa.array(items["order_line_id"], pa.string()),
            "kind": pa.array(items["kind"], pa.string()),
            "amount": pa.array(items["amount"], pa.float64()),
            "currency": pa.array(np.full(len(items), config.currency), pa.string()),
            "occurred_at": pa.array(items["occurred_at"], pa.timestamp("us")),
        },
        "adjustment_id",
        batch,
    )


def _sales_orders(accounts: pa.Table, orders: pa.Table) -> pd.DataFrame:
    """Sales orders (no returns) with their account's segment and region."""
    heads = orders.select(["order_id", "account_id", "ordered_at", "amount", "kind"]).to_pandas()
    heads = heads[heads["kind"] == "order"]
    firms = accounts.select(["account_id", "segment", "region"]).to_pandas()
    return heads.merge(firms, on="account_id", how="left").reset_index(drop=True)


def _top_customers(heads: pd.DataFrame) -> set[str]:
    """The customers (guests left out) with the most net revenue."""
    customers = heads[heads["segment"].notna()]
    revenue = customers.groupby("account_id")["amount"].sum()
    revenue = revenue.sort_values(ascending=False, kind="stable")
    count = max(1, round(len(revenue) * BONUS_TOP_CUSTOMERS))
    return set(revenue.index[:count])


def _items(rows: pd.DataFrame, kind: str, amount: Any, *, year_end: bool = False) -> pd.DataFrame:
    """Items of ``kind`` for ``rows`` (lines when they have an order_line_id, else orders)."""
    per_line = "order_line_id" in rows.columns
    if year_end:
        years = pd.to_datetime(rows["ordered_at"]).dt.year.astype(str)
        at = pd.to_datetime(years + "-12-31")
    elif per_line:
        at = pd.Series(pd.NaT, index=rows.index)
    else:
        at = pd.to_datetime(rows["ordered_at"])
    return pd.DataFrame(
        {
            "order_id": rows["order_id"].to_numpy(),
            "order_line_id": rows["order_line_id"].to_numpy() if per_line else None,
            "kind": kind,
            "amount": np.round(np.asarray(amount, dtype=float), 2),
            "occurred_at": at.to_numpy(),
        }
    )


def price_waterfall_truth() -> dict[str, Any]:
    """The planted off-invoice rates, for the truth file."""
    return {
        "rebate_by_segment": dict(REBATE_BY_SEGMENT),
        "rebate_basis": "net amount of each sales order, booked on 31 December of its year",
        "freight_by_region": {**{r: FREIGHT_DOMESTIC for r in c.REGIONS}, **FREIGHT_BY_REGION},
        "freight_spread": FREIGHT_SPREAD,
        "freight_basis": "net amount of each line, times a uniform factor in 1 ± spread",
        "payment_terms_rate": PAYMENT_TERMS_RATE,
        "payment_terms_share_of_orders": PAYMENT_TERMS_SHARE,
        "bonus_rate": BONUS_RATE,
        "bonus_share_of_orders": BONUS_ORDER_SHARE,
        "bonus_top_customers_share": BONUS_TOP_CUSTOMERS,
        "returns": "none",
    }
