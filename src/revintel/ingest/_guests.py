"""Guest orders: orders without a customer number, booked on one placeholder account per source.

A mapping's ``guest_customer`` names that account (``id`` and ``name``). Its orders are loaded
like any other and counted apart in the import report and ``revintel quality``; the account is
marked ``placeholder`` so that customer-level analyses (scoring, duplicate search) leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._objects import MappedObject, MappingContext
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM
from revintel.store import Store

#: Columns of :func:`guest_orders`.
GUEST_COLUMNS = (SOURCE_SYSTEM, "accounts", "orders", "returns", "amount")


def guest_key(ctx: MappingContext) -> str | None:
    """Store key of the mapping's guest account (``<system>:<id>``), ``None`` without one."""
    guest = ctx.mapping.guest_customer
    return None if guest is None else f"{ctx.mapping.system}:{guest.id}"


def assign_guests(obj: MappedObject, ctx: MappingContext) -> None:
    """Give orders without a customer number the guest account, when the mapping has one.

    Runs before the row checks, so such orders are no longer rejected as missing an account.
    """
    key = guest_key(ctx)
    rows = obj.rows
    if key is None or obj.spec.table != "orders" or "account_id" not in rows.column_names:
        return
    accounts = rows["account_id"]
    if accounts.null_count == 0:
        return
    filled = pc.fill_null(accounts, pa.scalar(key, accounts.type))
    index = rows.column_names.index("account_id")
    obj.rows = rows.set_column(index, "account_id", filled)


def uses_guest(obj: MappedObject, key: str) -> bool:
    """Whether any row of the orders object ``obj`` is booked on the guest account ``key``."""
    if obj.spec.table != "orders" or "account_id" not in obj.rows.column_names:
        return False
    return bool(pc.any(pc.equal(obj.rows["account_id"], key)).as_py())


def guest_account(ctx: MappingContext) -> pa.Table:
    """The guest account's row for the ``accounts`` table (placeholder = true)."""
    guest = ctx.mapping.guest_customer
    if guest is None:
        raise ValueError(f"mapping {ctx.mapping.system!r} declares no guest_customer")
    return pa.table(
        {
            "account_id": pa.array([f"{ctx.mapping.system}:{guest.id}"], pa.string()),
            "name": pa.array([guest.name], pa.string()),
            "placeholder": pa.array([True], pa.bool_()),
            SOURCE_SYSTEM: pa.array([ctx.mapping.system], pa.string()),
            SOURCE_ID: pa.array([guest.id], pa.string()),
            IMPORT_BATCH_ID: pa.array([ctx.batch_id], pa.string()),
        }
    )


def guest_totals(orders: Sequence[Any], key: str | None) -> tuple[int, float]:
    """Accepted orders on the guest account ``key`` and the sum of their amounts.

    ``orders`` are the accepted order tables of an import; an order in several (overlapping)
    files counts once. Returns count with their (negative) amount, so the sum is net of them.
    """
    if key is None:
        return 0, 0.0
    found: dict[str, float] = {}
    for part in orders:
        if not isinstance(part, pa.Table) or "account_id" not in part.column_names:
            continue
        mine = part.filter(pc.fill_null(pc.equal(part["account_id"], key), False))
        amounts = mine["amount"].to_pylist() if "amount" in mine.column_names else [0.0] * len(mine)
        for order, amount in zip(mine["order_id"].to_pylist(), amounts, strict=True):
            found[order] = float(amount or 0.0)
    return len(found), sum(found.values())


def guest_orders(store: Store) -> pd.DataFrame:
    """Per source system: its guest account(s), their orders and the orders' net amount."""
    a = store.table("accounts")
    guests = a.filter(a.placeholder.fill_null(False)).select(
        k__account=a.account_id, k__source=a[SOURCE_SYSTEM]
    )
    o = store.table("orders")
    joined = o.join(guests, o.account_id == guests.k__account)
    out = (
        joined.group_by(source_system=joined.k__source)
        .aggregate(
            accounts=joined.k__account.nunique(),
            orders=(joined.kind.fill_null("order") != "return").sum(),
            returns=(joined.kind.fill_null("order") == "return").sum(),
            amount=joined.amount.fill_null(0.0).sum(),
        )
        .order_by(SOURCE_SYSTEM)
        .execute()
    )
    if out.empty:
        return guest_orders_frame()
    return out[list(GUEST_COLUMNS)].astype({"orders": "int64", "returns": "int64"})


def guest_orders_frame() -> pd.DataFrame:
    """An empty frame with the columns of :func:`guest_orders`."""
    return pd.DataFrame(columns=list(GUEST_COLUMNS))
