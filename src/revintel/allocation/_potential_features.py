"""What account potential is learnt from: last year's spend per account and product family, and
the profile that makes accounts comparable (industry, segment, size, region, families bought).

Spend is read through the store's Ibis tables in the store currency, so the same reads run on
DuckDB, PostgreSQL and Spark; only the per-account sums reach pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.store import Store

#: The firmographics accounts are compared on; missing text becomes this category.
PROFILE_COLUMNS = ("industry", "segment", "region", "employees")
UNKNOWN = "(unknown)"
RETURN_KIND = "return"


def spend_window(as_of: date) -> tuple[datetime, datetime]:
    """The twelve months ending with ``as_of`` (inclusive) as [start, end) instants.

    Examples
    --------
    >>> [str(t) for t in spend_window(date(2024, 2, 29))]
    ['2023-03-01 00:00:00', '2024-03-01 00:00:00']
    """
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    return (pd.Timestamp(end) - pd.DateOffset(years=1)).to_pydatetime(), end


def as_day(value: date | datetime | str) -> date:
    """``value`` as a calendar day; a ValueError names a text that is not an ISO date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as_of must be a date like 2024-12-31, got {value!r}") from None


def last_order_day(store: Store) -> date:
    """The day of the store's latest order; a ValueError when it holds no orders."""
    latest = store.table("orders").ordered_at.max().execute()
    if latest is None or latest != latest:
        raise ValueError("the store holds no orders: account spend needs order history")
    return pd.Timestamp(latest).date()


def account_spend(
    store: Store, as_of: date | datetime | str | None = None, *, deals: bool = False
) -> pd.DataFrame:
    """Net revenue per account and product family in the twelve months up to ``as_of``.

    Order lines are summed with their net amounts in the store currency; lines of returns
    (orders of kind ``return``) count negatively whatever sign their source wrote. Lines of
    products without a family and orders of placeholder (guest) accounts are left out.

    Parameters
    ----------
    store
        The store to read orders, order lines, products and accounts from.
    as_of
        Last day (inclusive) of the twelve months; default: the day of the latest order.
    deals
        Whether orders that close an opportunity (project business, a machine bought once)
        count, and returns of them. By default only the recurring business counts: a wallet
        is what an account buys year after year, and one won project in the window would
        make a year's spend of it.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``family``, ``revenue`` (EUR or the store currency), one row per pair
        with any line in the window, sorted by account and family.
    """
    day = last_order_day(store) if as_of is None else as_day(as_of)
    start, end = spend_window(day)
    sources = MetricSources.from_store(store)
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False))
    orders = sources.table("orders", amounts=False)
    chosen = (
        (orders.ordered_at >= start)
        & (orders.ordered_at < end)
        & orders.account_id.isin(real.account_id)
    )
    if not deals:
        deal_orders = orders.filter(orders.opportunity_id.notnull()).order_id
        returned_deal = orders.original_order_id.isin(deal_orders).fill_null(False)
        chosen &= orders.opportunity_id.isnull() & ~returned_deal
    heads = orders.filter(chosen).select(
        "order_id", "account_id", is_return=orders.kind.fill_null("order") == RETURN_KIND
    )
    lines = sources.table("order_lines").select("order_id", "product_id", "net_amount")
    products = store.table("products").select("product_id", "family")
    products = products.filter(products.family.notnull())
    joined = lines.join(heads, "order_id").join(products, "product_id")
    amount = joined.net_amount.fill_null(0.0).cast("float64")
    signed = joined.mutate(revenue=ibis.ifelse(joined.is_return, -amount.abs(), amount))
    summed = signed.group_by(["account_id", "family"]).aggregate(revenue=signed.revenue.sum())
    frame: pd.DataFrame = summed.to_pandas()
    frame = frame.sort_values(["account_id", "family"], ignore_index=True)
    frame["revenue"] = frame["revenue"].astype(float)
    return frame[["account_id", "family", "revenue"]]


def account_profiles(store: Store) -> pd.DataFrame:
    """Every real (non-placeholder) account with industry, segment, region and employees."""
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False))
    frame: pd.DataFrame = real.select("account_id", *PROFILE_COLUMNS).to_pandas()
    return frame.sort_values("account_id", ignore_index=True)


def product_families(store: Store) -> list[str]:
    """The product families of the catalogue, sorted."""
    products = store.table("products")
    names = products.filter(products.family.notnull()).family.to_pyarrow().to_pylist()
    return sorted(set(names))


def check_profiles(profiles: pd.DataFrame) -> pd.DataFrame:
    """``profiles`` with one row per account; a ValueError names missing columns or doubles."""
    missing = [c for c in ("account_id", *PROFILE_COLUMNS) if c not in profiles.columns]
    if missing:
        raise ValueError(f"account profiles lack the column(s) {', '.join(missing)}")
    if profiles.empty:
        raise ValueError("account profiles are empty: potential needs accounts to compare")
    doubled = profiles["account_id"][profiles["account_id"].duplicated()].unique()
    if len(doubled):
        raise ValueError(
            f"account profiles name accounts twice: {', '.join(map(str, doubled[:5]))}"
        )
    return profiles.reset_index(drop=True)


def spend_matrix(spend: pd.DataFrame, accounts: pd.Index, families: Sequence[str]) -> pd.DataFrame:
    """Revenue as an accounts × families matrix (0 where nothing was bought).

    Spend of accounts outside ``accounts`` (e.g. placeholders) or of other families is left out;
    a ValueError names missing columns.

    Examples
    --------
    >>> spend = pd.DataFrame({"account_id": ["K1", "K1", "G"], "family": ["Sensorik", "Service",
    ...                       "Sensorik"], "revenue": [400.0, 90.0, 800.0]})
    >>> matrix = spend_matrix(spend, pd.Index(["K1", "K2"]), ["Sensorik", "Ventile"])
    >>> matrix.to_dict("index")
    {'K1': {'Sensorik': 400.0, 'Ventile': 0.0}, 'K2': {'Sensorik': 0.0, 'Ventile': 0.0}}
    """
    missing = [c for c in ("account_id", "family", "revenue") if c not in spend.columns]
    if missing:
        raise ValueError(f"spend lacks the column(s) {', '.join(missing)}")
    wide = spend.pivot_table(
        index="account_id", columns="family", values="revenue", aggfunc="sum", fill_value=0.0
    )
    return wide.reindex(index=accounts, columns=list(families), fill_value=0.0).astype(float)


def comparison_features(
    profiles: pd.DataFrame, bought: pd.DataFrame, families: Sequence[str]
) -> pd.DataFrame:
    """One row per account × family: what the account's spend in that family is compared on.

    Firmographics as categories (industry, segment, region) and log employees, the family
    itself, and which *other* families the account buys (its own family's flag is always off,
    so a buyer and a prospect of the family look alike to the model).
    """
    n, k = len(profiles), len(families)
    rows = pd.DataFrame(
        {
            "account_id": np.repeat(profiles["account_id"].to_numpy(), k),
            "family": np.tile(np.asarray(families, dtype=object), n),
        }
    )
    for column in ("industry", "segment", "region"):
        text = profiles[column].astype("string").fillna(UNKNOWN).to_numpy()
        rows[column] = pd.Categorical(np.repeat(text, k))
    employees = pd.to_numeric(profiles["employees"], errors="coerce").to_numpy(dtype=float)
    rows["log_employees"] = np.repeat(np.log1p(np.clip(employees, 0, None)), k)
    rows["family_code"] = pd.Categorical(rows["family"], categories=list(families))
    flags = np.repeat(bought.to_numpy(dtype=bool), k, axis=0)
    own = np.tile(np.eye(k, dtype=bool), (n, 1))
    flags &= ~own
    for j in range(k):
        rows[f"buys__{j}"] = flags[:, j].astype(float)
    rows["families_bought"] = flags.sum(axis=1).astype(float)
    return rows
