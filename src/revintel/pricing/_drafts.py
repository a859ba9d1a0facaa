"""The deal guidance is asked about: an open opportunity, or a draft quote not stored yet.

Both give a record with the columns of :func:`revintel.pricing._deals.deal_frame`, so bands,
price response and comparable deals treat them alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.pricing._deals import deal_frame
from revintel.store import Store


class DealNotFoundError(LookupError):
    """No such opportunity, account or product."""


class DraftError(ValueError):
    """A draft quote that cannot be priced (no products, a bad quantity, a bad discount)."""


@dataclass(frozen=True)
class DraftContext:
    """What pricing a draft needs from the store, read once.

    Attributes
    ----------
    accounts
        Indexed by account_id: ``segment, industry, region, revenue_band, owner_rep_id``.
    products
        Indexed by product_id: ``family, list_price, unit_cost`` (store currency).
    teams
        rep_id → team.
    value_tiers
        account_id → value tier of the account's latest deal.
    """

    accounts: pd.DataFrame
    products: pd.DataFrame
    teams: dict[str, str]
    value_tiers: dict[str, str]

    @classmethod
    def read(cls, store: Store | MetricSources, deals: pd.DataFrame | None = None) -> DraftContext:
        """Read accounts, products and reps (``deals``: the deal frame, if already read)."""
        sources = store if isinstance(store, MetricSources) else MetricSources.from_store(store)
        accounts = (
            sources.table("accounts")
            .select("account_id", "segment", "industry", "region", "revenue_band", "owner_rep_id")
            .to_pandas()
            .set_index("account_id")
        )
        products = (
            sources.table("products")
            .select("product_id", "family", "list_price", "unit_cost")
            .to_pandas()
            .set_index("product_id")
        )
        reps = sources.table("reps").select("rep_id", "team").to_pandas()
        if deals is None:
            deals = deal_frame(sources)
        latest = deals.sort_values("created_at").drop_duplicates("account_id", keep="last")
        return cls(
            accounts=accounts,
            products=products,
            teams={str(r): str(t) for r, t in zip(reps["rep_id"], reps["team"], strict=True)},
            value_tiers=dict(zip(latest["account_id"], latest["value_tier"], strict=True)),
        )


def open_deal(store: Store, opportunity_id: str) -> dict[str, Any]:
    """The open opportunity ``opportunity_id`` as a deal-frame record.

    Raises
    ------
    DealNotFoundError
        No opportunity with a list price has this id.
    """
    frame = deal_frame(store)
    found = frame[frame["opportunity_id"] == opportunity_id]
    if found.empty:
        raise DealNotFoundError(f"no opportunity {opportunity_id!r} with a list price")
    return _record(found.iloc[0])


def draft_deal(
    store: Store | DraftContext,
    account_id: str,
    products: Sequence[tuple[str, float]],
    discount: float | None = None,
    amount: float | None = None,
    rep_id: str | None = None,
) -> dict[str, Any]:
    """A draft quote as a deal-frame record.

    Parameters
    ----------
    store
        The store, or a :class:`DraftContext` read from it before.
    account_id
        The customer.
    products
        ``(product_id, quantity)`` pairs; list price and cost are the products' list price and
        unit cost times quantity, and the family that of the largest line.
    discount, amount
        The price being discussed, as a share of list price off or as an amount (at most one);
        neither leaves ``discount`` empty (guidance then discusses the band's target).
    rep_id
        The rep quoting (default: the account's owner).

    Raises
    ------
    DealNotFoundError
        Unknown account or product.
    DraftError
        No product, a quantity not above 0, both or an impossible discount or amount.
    """
    context = store if isinstance(store, DraftContext) else DraftContext.read(store)
    if account_id not in context.accounts.index:
        raise DealNotFoundError(f"no account {account_id!r}")
    lines = _lines(context, products)
    list_price = float(lines["value"].sum())
    discount = _discount(list_price, discount, amount)
    account = context.accounts.loc[account_id]
    rep = rep_id or _text(account["owner_rep_id"])
    largest = lines.sort_values("value", ascending=False, kind="stable").iloc[0]
    cost = float(lines["cost"].sum()) if lines["cost"].notna().all() else np.nan
    return {
        "opportunity_id": None,
        "account_id": account_id,
        "rep_id": rep,
        "team": context.teams.get(rep or "", ""),
        "product_id": str(largest.name),
        "family": _text(largest["family"]),
        **{c: _text(account[c]) for c in ("segment", "industry", "region", "revenue_band")},
        "value_tier": context.value_tiers.get(account_id, "none"),
        "list_price": list_price,
        "amount": None if discount is None else list_price * (1.0 - discount),
        "discount": discount,
        "price_ratio": None if discount is None else 1.0 - discount,
        "current_discount": discount,
        "current_price_ratio": None if discount is None else 1.0 - discount,
        "cost": cost,
        "margin_rate": 1.0 - cost / list_price,
        "status": "open",
        "won": np.nan,
        "created_at": None,
        "closed_at": None,
        "stage": None,
        "reached_price_stage": True,
    }


def _lines(context: DraftContext, products: Sequence[tuple[str, float]]) -> pd.DataFrame:
    if not products:
        raise DraftError("a draft quote needs at least one product")
    rows = []
    for position, (product_id, quantity) in enumerate(products, start=1):
        if product_id not in context.products.index:
            raise DealNotFoundError(f"product {position}: no product {product_id!r}")
        if not np.isfinite(quantity) or quantity <= 0:
            raise DraftError(f"product {position} ({product_id}): quantity must be above 0")
        found = context.products.loc[product_id]
        price = float(found["list_price"]) if pd.notna(found["list_price"]) else 0.0
        if price <= 0:
            raise DraftError(f"product {position} ({product_id}): it has no list price")
        unit_cost = float(found["unit_cost"]) if pd.notna(found["unit_cost"]) else np.nan
        rows.append(
            {
                "product_id": product_id,
                "family": found["family"],
                "value": price * quantity,
                "cost": unit_cost * quantity,
            }
        )
    return pd.DataFrame(rows).set_index("product_id")


def _discount(list_price: float, discount: float | None, amount: float | None) -> float | None:
    if discount is not None and amount is not None:
        raise DraftError("give the discount or the amount of a draft quote, not both")
    if amount is not None:
        if not np.isfinite(amount) or amount <= 0:
            raise DraftError("amount must be above 0")
        discount = 1.0 - amount / list_price
    if discount is not None and (not np.isfinite(discount) or not 0.0 <= discount < 1.0):
        raise DraftError(
            f"discount {discount:.4f} is outside [0, 1): the price must lie between 0 and the "
            f"list price {list_price:,.2f}"
        )
    return discount


def _record(row: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
    record = dict(row)
    for key in ("created_at", "closed_at"):
        value = record.get(key)
        record[key] = None if value is None or pd.isna(value) else pd.Timestamp(value)
    return record


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
