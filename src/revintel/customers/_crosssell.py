"""Next-best products per account: the entry point the command line and the API call.

``recommend_products(store, as_of)`` reads the purchases up to a date, fits one of the methods
(chosen by name from ``METHODS``) and returns the top products per account with a score and a
structured reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from revintel.customers._als import ALSRecommender
from revintel.customers._cooccurrence import ItemCooccurrenceRecommender
from revintel.customers._interactions import Interactions, build_interactions, end_of
from revintel.customers._popularity import PopularityRecommender
from revintel.customers._product_rules import ProductRule, load_product_rules, rules_filter
from revintel.customers._recommendations import Recommender
from revintel.store import Store

#: Method name → recommender class; ``auto`` is the method that won the out-of-time evaluation
#: (docs/cross-selling.md).
METHODS: dict[str, type[Recommender]] = {
    "popularity": PopularityRecommender,
    "cooccurrence": ItemCooccurrenceRecommender,
    "als": ALSRecommender,
}
AUTO_METHOD = "cooccurrence"


def make_recommender(method: str = "auto", **params: Any) -> Recommender:
    """A recommender by name (``auto``, ``popularity``, ``cooccurrence``, ``als``).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    name = AUTO_METHOD if method == "auto" else method
    if name not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of auto, {', '.join(METHODS)}")
    return METHODS[name](**params)


@dataclass(frozen=True)
class PurchaseHistory:
    """Orders, order lines, products and account attributes as plain frames."""

    orders: pd.DataFrame
    order_lines: pd.DataFrame
    products: pd.DataFrame
    accounts: pd.DataFrame

    def interactions(self, as_of: date | datetime | str | None = None) -> Interactions:
        """The purchase matrix as of ``as_of`` (inclusive)."""
        return build_interactions(self.orders, self.order_lines, self.products, as_of)


def read_purchase_history(
    store: Store, as_of: date | datetime | str | None = None
) -> PurchaseHistory:
    """Purchases of real customers (no guest placeholders) up to ``as_of`` from ``store``."""
    accounts = store.table("accounts")
    accounts = accounts.filter(~accounts.placeholder.fill_null(False))
    orders = store.table("orders")
    if as_of is not None:
        orders = orders.filter(orders.ordered_at < end_of(as_of).to_pydatetime())
    orders = orders.filter(orders.account_id.isin(accounts.account_id))
    orders = orders.select("order_id", "account_id", "ordered_at", "kind")
    lines = store.table("order_lines")
    lines = lines.filter(lines.order_id.isin(orders.order_id))
    return PurchaseHistory(
        orders=orders.to_pandas(),
        order_lines=lines.select("order_id", "product_id", "quantity").to_pandas(),
        products=store.table("products").select("product_id", "name", "family").to_pandas(),
        accounts=accounts.select(
            "account_id", "industry", "country", "segment", "region"
        ).to_pandas(),
    )


def recommend_products(
    store: Store,
    as_of: date | datetime | str,
    *,
    top: int = 10,
    method: str = "auto",
    rules: str | Path | tuple[ProductRule, ...] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """The ``top`` next-best products for every account that bought up to ``as_of``.

    Parameters
    ----------
    store
        The store to read orders, order lines, products and accounts from.
    as_of
        Last day (inclusive) of the purchases used; what an account bought up to it is never
        recommended to it again.
    top
        Products per account.
    method
        ``auto`` (the best method of the out-of-time evaluation), ``popularity``,
        ``cooccurrence`` or ``als``.
    rules
        A rules file (see ``load_product_rules``) or rules already loaded.
    params
        Hyper-parameters of the method (e.g. ``factors=32`` for ``als``).

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``product_id``, ``rank``, ``score``, ``reason`` (a ``Reason``).
    """
    history = read_purchase_history(store, as_of)
    data = history.interactions(as_of)
    recommender = make_recommender(method, **params).fit(data)
    loaded = load_product_rules(rules) if isinstance(rules, str | Path) else rules
    allowed = rules_filter(loaded, data, history.accounts) if loaded else None
    return recommender.recommend(k=top, allowed=allowed)
