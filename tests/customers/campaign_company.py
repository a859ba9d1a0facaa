"""A small demo company for the campaign tests, and orders planted into it after a campaign."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

#: The campaigns select on purchases up to this day; the demo company keeps ordering after it.
AS_OF = "2024-06-30"
FAMILY = "Industriesoftware"


def write_company(path: Path) -> Path:
    """About 500 buying accounts over five years (four seconds)."""
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=7, leads=8000, accounts=1000, reps=10))
    return path


def plant_orders(
    store: Store,
    accounts: list[str],
    family: str,
    *,
    margin: float,
    at: datetime,
    batch: str = "planted",
) -> None:
    """One order of a product of ``family`` per account, with the given margin, written as an
    import writes: orders and lines together in one transaction, with lineage."""
    products = store.table("products")
    product = products.filter(products.family == family).product_id.min().execute()
    ids = [f"{batch}-{i}" for i in range(len(accounts))]
    lineage = {"source_system": "erp", "import_batch_id": batch}
    orders = pd.DataFrame(
        {"order_id": ids, "account_id": accounts, "ordered_at": at, "kind": "order",
         "amount": 2.5 * margin, "currency": "EUR", "source_id": ids, **lineage}
    )  # fmt: skip
    lines = pd.DataFrame(
        {"order_line_id": [f"{i}-1" for i in ids], "order_id": ids, "product_id": product,
         "quantity": 1.0, "unit_price": 2.5 * margin, "net_amount": 2.5 * margin,
         "cost": 1.5 * margin, "currency": "EUR", "source_id": ids, **lineage}
    )  # fmt: skip
    with store.transaction():
        store.insert("orders", orders)
        store.insert("order_lines", lines)


def pick(accounts: list[str], share: float, seed: int) -> list[str]:
    """``share`` of ``accounts`` drawn at random with ``seed``."""
    rng = np.random.default_rng(seed)
    return list(rng.choice(accounts, size=round(share * len(accounts)), replace=False))
