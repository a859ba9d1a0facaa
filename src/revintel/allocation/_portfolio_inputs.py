"""What the portfolio reads from a store besides the potential: today's contact hours per
account from the logged activities, and churn risk and customer value from the customer models.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from revintel.allocation._potential_features import spend_window
from revintel.customers import BetaGeoModel, GammaGammaModel, customer_value, purchase_summary
from revintel.metrics import in_store_currency
from revintel.store import Store

#: Weeks in the twelve months the contact hours are counted over.
WINDOW_WEEKS = 365.0 / 7.0
#: Accounts with repeat purchases the order-value model needs before it is fitted.
MIN_REPEAT_BUYERS = 20
#: Months of purchases the customer value covers, and its yearly discount rate.
CLV_MONTHS, DISCOUNT_RATE = 12, 0.1


def contact_hours(store: Store, as_of: date) -> pd.DataFrame:
    """Logged sales hours per account in the twelve months up to ``as_of``, per week.

    Activities without a duration (e-mails) count nothing. Columns ``account_id``,
    ``contact_hours`` (the year's hours) and ``hours_per_week``.
    """
    start, end = spend_window(as_of)
    table = store.table("activities")
    timed = table.filter(
        (table.occurred_at >= start)
        & (table.occurred_at < end)
        & table.duration_minutes.notnull()
        & table.account_id.notnull()
    )
    rows = timed.group_by("account_id").aggregate(minutes=timed.duration_minutes.sum())
    frame = rows.to_pandas()
    frame["contact_hours"] = frame["minutes"].astype(float) / 60.0
    frame["hours_per_week"] = frame["contact_hours"] / WINDOW_WEEKS
    return frame[["account_id", "contact_hours", "hours_per_week"]].sort_values(
        "account_id", ignore_index=True
    )


def customer_scores(store: Store, as_of: date) -> pd.DataFrame:
    """Churn risk and customer value of every account that ordered by ``as_of``.

    ``p_alive`` is the BG/NBD probability that the account still buys, ``churn_risk`` is
    ``1 − p_alive``; ``clv`` is the discounted value of its expected purchases over the next
    :data:`CLV_MONTHS` months (BG/NBD purchases × Gamma-Gamma order value), empty when too few
    accounts bought repeatedly to fit order values. Columns ``account_id``, ``p_alive``,
    ``churn_risk``, ``clv``; empty without orders.
    """
    columns = ["account_id", "p_alive", "churn_risk", "clv"]
    orders = _customer_orders(store, as_of)
    if orders.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    try:
        summary = purchase_summary(orders, pd.Timestamp(as_of), unit="D")
    except ValueError:  # only returns by the as-of day
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    history = (summary["frequency"], summary["recency"], summary["T"])
    purchases = BetaGeoModel().fit(*history)
    frame = pd.DataFrame({"p_alive": purchases.p_alive(*history)}, index=summary.index)
    frame["churn_risk"] = 1.0 - frame["p_alive"]
    frame["clv"] = _values(purchases, summary)
    return frame.rename_axis("account_id").reset_index()[columns]


def _customer_orders(store: Store, as_of: date) -> pd.DataFrame:
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False)).account_id
    orders = in_store_currency(store, "orders")
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    orders = orders.filter((orders.ordered_at < end) & orders.account_id.isin(real))
    columns = ("order_id", "account_id", "ordered_at", "amount", "kind", "original_order_id")
    return orders.select(*columns).to_pandas()


def _values(purchases: BetaGeoModel, summary: pd.DataFrame) -> np.ndarray:
    repeat = summary[(summary["frequency"] > 0) & (summary["mean_value"] > 0)]
    if len(repeat) < MIN_REPEAT_BUYERS:
        return np.full(len(summary), np.nan)
    values = GammaGammaModel().fit(repeat["frequency"], repeat["mean_value"])
    if values.params_["q"] <= 1.0:  # order values too spread for a finite mean
        return np.full(len(summary), np.nan)
    return customer_value(
        purchases,
        values,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        summary["mean_value"].clip(lower=0.0),
        unit="D",
        months=CLV_MONTHS,
        annual_discount_rate=DISCOUNT_RATE,
    )
