"""Customer development per account as a user may see it: still buying, expected orders,
order value, customer value and churn risk.

The repeat-purchase models are fitted on every customer of the store as of a date (BG/NBD in
days, Gamma-Gamma on repeat buyers); a sales rep then sees the rows of their own accounts only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from revintel.auth import Permission, User, visible
from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._gammagamma import GammaGammaModel
from revintel.customers._own_values import OwnMeanOrderValues
from revintel.customers._summary import purchase_summary
from revintel.customers._value import customer_value
from revintel.metrics import in_store_currency
from revintel.store import Store
from revintel.views._churn import churn_columns

logger = logging.getLogger(__name__)

#: Months the customer value (CLV) looks ahead.
CLV_MONTHS = 12
DEFAULT_HORIZON_DAYS = 90
DEFAULT_DISCOUNT_RATE = 0.10
#: Customers the repeat-purchase model needs at the least.
MIN_CUSTOMERS = 10
#: Repeat buyers the order-value model needs; below, order value and CLV stay empty.
MIN_REPEAT_BUYERS = 5
#: The columns every surface shows first, in this order (the command line's contract).
CUSTOMER_COLUMNS = (
    "account_id",
    "p_alive",
    "expected_orders",
    "p_no_order",
    "expected_order_value",
    "clv",
    "churn_risk",
    "value_at_stake",
    "churn_reasons",
    "name",
    "owner_rep_id",
    "orders",
    "first_order_at",
    "last_order_at",
    "churn_alert",
)
#: Share of customers, by customer value, whose churn warning is an alert.
ALERT_VALUE_SHARE = 0.2
CUSTOMER_SORTS = ("value_at_stake", "clv", "churn_risk")
#: As-of days the models accept (order times are kept to the nanosecond, which bounds years).
AS_OF_RANGE = (date(1900, 1, 1), date(2199, 12, 31))


class AsOfError(ValueError):
    """An as-of day outside :data:`AS_OF_RANGE`."""


def check_as_of(as_of: date) -> date:
    """``as_of`` if it lies in :data:`AS_OF_RANGE`, else :class:`AsOfError`."""
    first, last = AS_OF_RANGE
    if not first <= as_of <= last:
        raise AsOfError(f"as_of {as_of.isoformat()} must lie between {first} and {last}")
    return as_of


class TooFewCustomersError(ValueError):
    """Too few accounts ordered by the as-of day to fit the repeat-purchase model."""

    def __init__(self, customers: int, as_of: date) -> None:
        super().__init__(
            f"only {customers} accounts ordered up to {as_of.isoformat()}: the repeat-purchase "
            f"model needs at least {MIN_CUSTOMERS}; choose a later as-of day"
        )
        self.customers = customers


def last_order_day(store: Store) -> date | None:
    """The day of the store's latest order (the default as-of date), ``None`` without orders."""
    latest = store.table("orders").ordered_at.max().execute()
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()


def customer_orders(store: Store, as_of: date) -> pd.DataFrame:
    """Orders and returns of real customers (no guests) up to ``as_of`` inclusive, in the
    store currency."""
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False)).account_id
    orders = in_store_currency(store, "orders")
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    orders = orders.filter((orders.ordered_at < end) & orders.account_id.isin(real))
    columns = ("order_id", "account_id", "ordered_at", "amount", "kind", "original_order_id")
    return orders.select(*columns).to_pandas()


@dataclass(frozen=True)
class CustomerModels:
    """The models fitted as of one day: what does not depend on horizon or discount rate.

    Attributes
    ----------
    summary
        Frequency, recency and age in days per account (``purchase_summary``).
    purchases
        BG/NBD fitted on every account.
    values
        Gamma-Gamma fitted on the repeat buyers (``None`` with too few or a spread too wide).
    accounts
        Per account: name, owner, orders, first and last order day, churn risk and reasons.
    """

    summary: pd.DataFrame
    purchases: BetaGeoModel
    values: GammaGammaModel | OwnMeanOrderValues | None
    accounts: pd.DataFrame


def fit_customer_models(store: Store, as_of: date) -> CustomerModels | None:
    """Fit the models on every account's orders up to ``as_of`` (``None`` without orders).

    Raises
    ------
    TooFewCustomersError
        Fewer than :data:`MIN_CUSTOMERS` accounts ordered by ``as_of``.
    """
    check_as_of(as_of)
    summary, orders = purchase_days_summary(store, as_of)
    if summary is None:
        return None
    if len(summary) < MIN_CUSTOMERS:
        raise TooFewCustomersError(len(summary), as_of)
    purchases = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
    accounts = _account_facts(store, orders, summary).join(churn_columns(store, as_of))
    return CustomerModels(summary, purchases, _value_model(summary), accounts)


def predict_customers(
    models: CustomerModels | None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """One row per account of ``models`` (no access check); columns :data:`CUSTOMER_COLUMNS`.

    ``expected_orders`` and ``p_no_order`` cover the ``horizon_days`` after the as-of day;
    ``clv`` the next :data:`CLV_MONTHS` months, discounted at ``discount_rate`` a year;
    ``value_at_stake`` is ``clv × churn_risk``, the customer value expected to be lost to churn
    (empty while no churn model is trained).
    """
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
    if not discount_rate > -1.0:
        raise ValueError(f"discount_rate must exceed -1, got {discount_rate}")
    if models is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CUSTOMER_COLUMNS})
    summary, model = models.summary, models.purchases
    history = (summary["frequency"], summary["recency"], summary["T"])
    frame = pd.DataFrame(
        {
            "p_alive": model.p_alive(*history),
            "expected_orders": model.expected_purchases(horizon_days, *history),
            "p_no_order": model.p_no_purchase(horizon_days, *history),
        },
        index=summary.index,
    )
    frame["expected_order_value"], frame["clv"] = _values(models, discount_rate)
    frame = frame.join(models.accounts)
    frame["value_at_stake"] = frame["clv"] * frame["churn_risk"]
    frame["churn_alert"] = _alerts(frame)
    frame = frame.reset_index()
    return frame[list(CUSTOMER_COLUMNS)].sort_values("account_id", ignore_index=True)


def _alerts(frame: pd.DataFrame) -> pd.Series:
    """True for a warned customer among the top :data:`ALERT_VALUE_SHARE` by customer value:
    an account of high value crossing the churn warning threshold."""
    warned = frame["churn_warning"].fillna(False).astype(bool)
    if not warned.any() or frame["clv"].notna().sum() == 0:
        return pd.Series(False, index=frame.index)
    cut = frame["clv"].quantile(1.0 - ALERT_VALUE_SHARE)
    return warned & (frame["clv"] >= cut)


def customer_table(
    store: Store,
    as_of: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """:func:`predict_customers` of the models fitted as of ``as_of``."""
    return predict_customers(fit_customer_models(store, as_of), horizon_days, discount_rate)


def purchase_days_summary(
    store: Store, as_of: date, holdout: int | None = None
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The purchase summary in days as of ``as_of`` (``None`` without purchases) and the
    orders it was made of."""
    orders = customer_orders(store, as_of if holdout is None else as_of + timedelta(holdout))
    if orders.empty:
        return None, orders
    try:
        return purchase_summary(orders, as_of, unit="D", holdout=holdout), orders
    except ValueError:  # only returns, or orders returned in full, by the as-of day
        return None, orders


def _value_model(summary: pd.DataFrame) -> GammaGammaModel | OwnMeanOrderValues | None:
    """Gamma-Gamma on the repeat buyers; each customer's own mean without a finite Gamma-Gamma
    mean; ``None`` with too few repeat buyers."""
    repeat = summary[(summary["frequency"] > 0) & (summary["mean_value"] > 0)]
    if len(repeat) < MIN_REPEAT_BUYERS:
        logger.info("%d repeat buyers: too few for order values", len(repeat))
        return None
    values = GammaGammaModel().fit(repeat["frequency"], repeat["mean_value"])
    if values.params_["q"] <= 1.0:  # order values too spread for a finite mean
        logger.info("own mean order values: Gamma-Gamma q = %.3g", values.params_["q"])
        return OwnMeanOrderValues().fit(repeat["frequency"], repeat["mean_value"])
    return values


def _values(models: CustomerModels, discount_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected order value and CLV per account; empty without an order-value model."""
    summary = models.summary
    if models.values is None:
        empty = np.full(len(summary), np.nan)
        return empty, empty
    mean_value = summary["mean_value"].clip(lower=0.0)
    order_value = models.values.expected_order_value(summary["frequency"], mean_value)
    clv = customer_value(
        models.purchases,
        models.values,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        mean_value,
        unit="D",
        months=CLV_MONTHS,
        annual_discount_rate=discount_rate,
    )
    return order_value, clv


def _account_facts(store: Store, orders: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Name, owner, order count and first and last order day of the summarised accounts."""
    accounts = store.table("accounts").select("account_id", "name", "owner_rep_id")
    facts = accounts.filter(accounts.account_id.isin(list(summary.index))).to_pandas()
    sales = orders[orders["kind"].fillna("order").str.lower() != "return"]
    counts = sales.groupby("account_id").size().rename("orders")
    facts = facts.set_index("account_id").join(counts)
    facts["orders"] = facts["orders"].fillna(0).astype(int)
    first = pd.to_datetime(summary["first_purchase"])
    facts["first_order_at"] = first.dt.date
    facts["last_order_at"] = (first + pd.to_timedelta(summary["recency"], unit="D")).dt.date
    return facts


def visible_account_ids(store: Store, user: User) -> set[str]:
    """Ids of the accounts ``user`` may see."""
    return set(visible(store, user, "accounts").account_id.to_pyarrow().to_pylist())


def scoped(table: pd.DataFrame, store: Store, user: User) -> pd.DataFrame:
    """The rows of ``table`` (with ``account_id``) about accounts ``user`` may see."""
    if table.empty or user.can(Permission.view_all_rows):
        return table
    keep = table["account_id"].isin(visible_account_ids(store, user))
    return table[keep].reset_index(drop=True)


def customer_rows(
    store: Store,
    user: User,
    as_of: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """:func:`customer_table` narrowed to the accounts ``user`` may see."""
    return scoped(customer_table(store, as_of, horizon_days, discount_rate), store, user)


def sort_customers(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows by ``by`` (one of :data:`CUSTOMER_SORTS`), largest first, empty values last."""
    if by not in CUSTOMER_SORTS:
        raise ValueError(f"cannot sort customers by {by!r}; use one of {CUSTOMER_SORTS}")
    return table.sort_values(
        [by, "clv", "account_id"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
