"""A hand-made store whose price waterfall is worked out by hand (amounts in EUR).

Accounts A1 (Enterprise), A2 (Mittelstand), A3 (Kleinunternehmen); GBP at 1.17 from 01.01.2024
and 1.20 from 01.03.2024; terms: Mittelstand rebate 2 %, every group (``*``) freight 1 %.

Orders (list → invoice, cost per line) and their off-invoice items:

- O1, A1, EUR: O1-1 2 × 100 at −10 % → 180, cost 120; O1-2 1 × 50 → 50, cost 30; a rebate of
  23 for the order (18 and 5 by net amount) and freight of 5 on line O1-2.
- O2, A2, GBP: O2-1 3 × 100 at −20 % → 240 GBP, cost 150 GBP (at 1.17: 351 → 280.80, 175.50);
  payment terms of 4.80 GBP granted on 05.03.2024 (at 1.20: 5.76).
- O3, A3, EUR: O3-1 4 units without unit price at −25 % → 150, cost 90 (list 150 / 0.75 =
  200); freight of 2 for the order, which beats the 1 % freight term.
- R1, A1, a return: R1-1 −1 × 100 at −10 % → −90, cost −60; no items.

Terms then add: O2 rebate 2 % × 280.80 = 5.616 and freight 1 % × 280.80 = 2.808; R1 freight
1 % × −90 = −0.90; O1 and O3 have freight items of their own, A1 and A3 no rebate term.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from revintel.pricing._terms import parse_terms, store_terms
from revintel.store import Store

LINEAGE = {"source_system": "erp", "import_batch_id": "b1"}

TERMS_YAML = """
group_by: segment
terms:
  Mittelstand: {rebate: 0.02}
  "*": {freight: 0.01}
"""

#: Totals worked out by hand (see the module docstring).
TOTAL_LIST = 200 + 50 + 351 + 200 - 100
TOTAL_INVOICE = 180 + 50 + 280.8 + 150 - 90
IMPORTED_ITEMS = 23 + 5 + 5.76 + 2
TERM_ITEMS = 5.616 + 2.808 - 0.9
TOTAL_COST = 120 + 30 + 175.5 + 90 - 60


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return frame.assign(source_id=frame[key], **LINEAGE)


def fill_waterfall_store(store: Store, *, with_terms: bool = True) -> None:
    """Write the accounts, products, orders, lines, items, rates and terms described above."""
    store.insert(
        "accounts",
        _frame(
            [
                {"account_id": "A1", "name": "Groß AG", "segment": "Enterprise", "region": "Süd"},
                {"account_id": "A2", "name": "Mittel GmbH", "segment": "Mittelstand"},
                {"account_id": "A3", "name": "Klein KG", "segment": "Kleinunternehmen"},
            ],
            "account_id",
        ),
    )
    store.insert("reps", _frame([{"rep_id": "R1", "name": "Rita", "team": "Süd"}], "rep_id"))
    store.insert(
        "products",
        _frame(
            [
                {"product_id": "P1", "name": "Pumpe", "family": "Pumpen", "list_price": 100.0},
                {"product_id": "P2", "name": "Ventil", "family": "Ventile", "list_price": 50.0},
            ],
            "product_id",
        ),
    )
    orders = [
        ("O1", "A1", datetime(2024, 1, 10), 230.0, "EUR", "order"),
        ("O2", "A2", datetime(2024, 2, 10), 240.0, "GBP", "order"),
        ("O3", "A3", datetime(2024, 2, 20), 150.0, "EUR", "order"),
        ("R1", "A1", datetime(2024, 2, 1), -90.0, "EUR", "return"),
    ]
    store.insert(
        "orders",
        _frame(
            [
                {
                    "order_id": o,
                    "account_id": a,
                    "rep_id": "R1",
                    "ordered_at": at,
                    "amount": amount,
                    "currency": cur,
                    "kind": kind,
                }
                for o, a, at, amount, cur, kind in orders
            ],
            "order_id",
        ),
    )
    lines = [
        ("O1-1", "O1", "P1", 2.0, 100.0, 0.1, 180.0, 120.0, "EUR"),
        ("O1-2", "O1", "P2", 1.0, 50.0, 0.0, 50.0, 30.0, "EUR"),
        ("O2-1", "O2", "P1", 3.0, 100.0, 0.2, 240.0, 150.0, "GBP"),
        ("O3-1", "O3", "P2", 4.0, None, 0.25, 150.0, 90.0, "EUR"),
        ("R1-1", "R1", "P1", -1.0, 100.0, 0.1, -90.0, -60.0, "EUR"),
    ]
    columns = ["order_line_id", "order_id", "product_id", "quantity", "unit_price"]
    columns += ["discount", "net_amount", "cost", "currency"]
    store.insert(
        "order_lines", _frame([dict(zip(columns, r, strict=True)) for r in lines], "order_line_id")
    )
    items = [
        ("I1", "O1", None, "rebate", 23.0, "EUR", None),
        ("I2", "O1", "O1-2", "Freight", 5.0, "EUR", datetime(2024, 1, 20)),
        ("I3", "O2", None, "payment_terms", 4.8, "GBP", datetime(2024, 3, 5)),
        ("I4", "O3", None, "freight", 2.0, None, None),
    ]
    columns = ["adjustment_id", "order_id", "order_line_id", "kind", "amount", "currency"]
    columns += ["occurred_at"]
    store.insert(
        "price_adjustments",
        _frame([dict(zip(columns, r, strict=True)) for r in items], "adjustment_id"),
    )
    rates = pd.DataFrame(
        {
            "currency": ["GBP", "GBP"],
            "valid_from": [datetime(2024, 1, 1).date(), datetime(2024, 3, 1).date()],
            "rate": [1.17, 1.20],
        }
    )
    store.insert("fx_rates", rates.assign(source_id=["g1", "g2"], **LINEAGE))
    if with_terms:
        store_terms(store, parse_terms(TERMS_YAML, "terms.yaml"), "terms.yaml")
