"""Who bought what, as of a date: the account × product matrix every cross-selling method reads.

A cell holds the number of distinct orders in which the account bought the product up to the
as-of date. Returns are netted per account and product: a product whose bought quantity was
returned in full counts as not bought. Distinct orders rather than spend keep one large order
from outweighing a product bought again and again, which is what repeat buying looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

ORDER_COLUMNS = ("order_id", "account_id", "ordered_at", "kind")
LINE_COLUMNS = ("order_id", "product_id", "quantity")
PRODUCT_COLUMNS = ("product_id", "name", "family")
RETURN_KIND = "return"

Frame: TypeAlias = pd.DataFrame | pa.Table


@dataclass(frozen=True)
class Interactions:
    """The account × product purchase matrix as of a date, with the ids of its rows and columns.

    Attributes
    ----------
    matrix
        CSR matrix, one row per account and one column per product; a cell counts the distinct
        orders in which the account bought the product (zero: not bought, or returned in full).
    accounts
        Account id of each row (accounts with at least one kept purchase).
    products
        Product id of each column: every product of the catalogue, bought or not.
    names, families
        Name and family of each product (the id, or an empty family, when unknown).
    """

    matrix: sparse.csr_matrix
    accounts: np.ndarray
    products: np.ndarray
    names: np.ndarray
    families: np.ndarray

    @property
    def bought(self) -> sparse.csr_matrix:
        """The matrix as 0/1: whether each account bought each product."""
        binary = self.matrix.copy()
        binary.data = np.ones_like(binary.data)
        return binary

    def rows_of(self, accounts: np.ndarray | list[str]) -> np.ndarray:
        """Row index of each account, -1 for accounts without purchases."""
        lookup = pd.Index(self.accounts)
        return np.asarray(lookup.get_indexer(pd.Index(np.asarray(accounts, dtype=object))))


def _frame(
    data: Frame, columns: tuple[str, ...], what: str, optional: tuple[str, ...] = ()
) -> pd.DataFrame:
    df = data.to_pandas() if isinstance(data, pa.Table) else data
    missing = [c for c in columns if c not in df.columns and c not in optional]
    if missing:
        raise ValueError(f"{what} lack the column(s) {', '.join(missing)}")
    return df


def end_of(as_of: date | datetime | str) -> pd.Timestamp:
    """The first instant after ``as_of``: a date includes its whole day."""
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    if isinstance(as_of, datetime):
        return pd.Timestamp(as_of) + pd.Timedelta(microseconds=1)
    return pd.Timestamp(as_of + timedelta(days=1))


def net_purchases(
    orders: Frame, order_lines: Frame, as_of: date | datetime | str | None = None
) -> pd.DataFrame:
    """Account, product and the number of distinct orders, returns netted, up to ``as_of``.

    Parameters
    ----------
    orders
        ``order_id``, ``account_id``, ``ordered_at`` and optionally ``kind`` (``"return"`` rows
        are returns; a missing or null kind is an order).
    order_lines
        ``order_id``, ``product_id`` and optionally ``quantity`` (a missing quantity counts 1).
    as_of
        Last day (inclusive) or instant of history to use; ``None`` uses everything.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``product_id``, ``orders`` (distinct purchase orders, ≥ 1); pairs whose
        bought quantity was returned in full are left out.
    """
    o = _frame(orders, ORDER_COLUMNS, "orders", optional=("kind",))
    lines = _frame(order_lines, LINE_COLUMNS, "order lines", optional=("quantity",))
    o = o[["order_id", "account_id", "ordered_at", *(["kind"] if "kind" in o else [])]]
    o = o[o["account_id"].notna()]
    if as_of is not None:
        o = o[pd.to_datetime(o["ordered_at"]) < end_of(as_of)]
    quantity = lines["quantity"] if "quantity" in lines else pd.Series(1.0, index=lines.index)
    lines = lines[["order_id", "product_id"]].assign(quantity=quantity.fillna(1.0).abs())
    joined = lines.merge(o, on="order_id", how="inner")
    is_return = (
        joined["kind"].eq(RETURN_KIND).fillna(False).to_numpy(dtype=bool)
        if "kind" in joined
        else np.zeros(len(joined), dtype=bool)
    )
    joined["signed"] = np.where(is_return, -joined["quantity"], joined["quantity"])
    keys = ["account_id", "product_id"]
    bought = joined[~is_return].groupby(keys, sort=False)["order_id"].nunique().rename("orders")
    net = joined.groupby(keys, sort=False)["signed"].sum()
    result = pd.concat([bought, net], axis=1, join="inner").reset_index()
    # quantities are floats: a rounding residue of a full return is not a purchase
    result = result[result["signed"] > 1e-9]
    return result[[*keys, "orders"]].astype({"orders": "int64"}).reset_index(drop=True)


def build_interactions(
    orders: Frame,
    order_lines: Frame,
    products: Frame,
    as_of: date | datetime | str | None = None,
) -> Interactions:
    """The purchase matrix as of ``as_of`` (inclusive) over the whole product catalogue.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "account_id": ["a", "b"],
    ...                        "ordered_at": pd.to_datetime(["2024-01-02", "2024-03-01"])})
    >>> lines = pd.DataFrame({"order_id": ["o1", "o1", "o2"], "product_id": ["p", "q", "p"]})
    >>> products = pd.DataFrame({"product_id": ["p", "q"], "name": ["P", "Q"],
    ...                          "family": ["F", "G"]})
    >>> build_interactions(orders, lines, products, "2024-01-31").matrix.toarray()
    array([[1., 1.]])
    """
    catalogue = _frame(products, ("product_id",), "products", optional=("name", "family"))
    purchases = net_purchases(orders, order_lines, as_of)
    ids = pd.Index(pd.unique(pd.concat([catalogue["product_id"], purchases["product_id"]])))
    info = catalogue.drop_duplicates("product_id").set_index("product_id").reindex(ids)
    names = (info["name"] if "name" in info else pd.Series(None, index=ids)).astype(object)
    families = (info["family"] if "family" in info else pd.Series(None, index=ids)).astype(object)
    accounts = pd.Index(np.sort(purchases["account_id"].unique()))
    matrix = sparse.csr_matrix(
        (
            purchases["orders"].to_numpy(dtype=np.float64),
            (
                accounts.get_indexer(purchases["account_id"]),
                ids.get_indexer(purchases["product_id"]),
            ),
        ),
        shape=(len(accounts), len(ids)),
    )
    return Interactions(
        matrix=matrix,
        accounts=accounts.to_numpy(dtype=object),
        products=ids.to_numpy(dtype=object),
        names=names.where(names.notna(), ids.to_series(index=ids)).to_numpy(dtype=object),
        families=families.where(families.notna(), "").to_numpy(dtype=object),
    )
