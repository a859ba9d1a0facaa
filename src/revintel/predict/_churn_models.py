"""Repeat-purchase model features of churn snapshots: P(alive), P(no order), order value.

At every snapshot time the BG/NBD model (Fader, Hardie & Lee 2005) and the Gamma-Gamma model
of order value (Fader, Hardie & Lee 2005, "RFM and CLV") are fitted once on the order history
of every customer up to that time, then read for the customers scored at it. Only orders up to
the snapshot time enter the fit, so the features are point in time.
"""

from __future__ import annotations

import logging
import warnings

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._gammagamma import GammaGammaModel
from revintel.customers._summary import UNIT_DAYS, TimeUnit, purchase_summary
from revintel.store import Store

log = logging.getLogger(__name__)

#: Time unit of the fits (weeks keep the rate parameter of order one).
UNIT: TimeUnit = "W"
#: Fewest customers a fit at one snapshot time needs; with fewer the features are missing.
MIN_CUSTOMERS = 20
MODEL_COLUMNS = ("p_alive", "p_no_order", "expected_order_value")


def customer_order_frame(store: Store) -> pd.DataFrame:
    """Orders and returns of customer accounts (guest placeholders left out), in pandas."""
    o = store.table("orders")
    a = store.table("accounts")
    customers = a.filter(~a.placeholder.fill_null(False)).select(c_id="account_id")
    o = o.join(customers, o.account_id == customers.c_id)
    frame = o.select(
        "order_id", "account_id", "ordered_at", "amount", "kind", "original_order_id"
    ).to_pandas()
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    return frame


def _fit(summary: pd.DataFrame) -> tuple[BetaGeoModel | None, GammaGammaModel | None]:
    """Both models fitted on ``summary``; ``None`` for a model that cannot be fitted."""
    if len(summary) < MIN_CUSTOMERS or summary["frequency"].sum() == 0:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            purchases: BetaGeoModel | None = BetaGeoModel().fit(
                summary["frequency"], summary["recency"], summary["T"]
            )
        except (ValueError, FloatingPointError) as exc:
            log.info("BG/NBD fit failed: %s", exc)
            purchases = None
        repeat = summary[(summary["frequency"] > 0) & (summary["mean_value"] > 0)]
        value: GammaGammaModel | None = None
        if len(repeat) >= MIN_CUSTOMERS:
            try:
                value = GammaGammaModel().fit(repeat["frequency"], repeat["mean_value"])
                if value.params_["q"] <= 1.0:
                    value = None
            except (ValueError, FloatingPointError) as exc:
                log.info("Gamma-Gamma fit failed: %s", exc)
    return purchases, value


def model_features_at(orders: pd.DataFrame, at: pd.Timestamp, rows: pd.DataFrame) -> pd.DataFrame:
    """P(alive), P(no order within ``churn_window_days``) and expected order value of ``rows``
    (``entity_id``, ``churn_window_days``) at ``at``, from the orders up to ``at``."""
    out = pd.DataFrame(np.nan, index=rows.index, columns=list(MODEL_COLUMNS))
    seen = orders[orders["ordered_at"] <= at]
    if seen.empty:
        return out
    try:
        summary = purchase_summary(seen, at, unit=UNIT)
    except ValueError:
        return out
    purchases, value = _fit(summary)
    known = rows["entity_id"].isin(summary.index).to_numpy()
    if not known.any():
        return out
    mine = summary.reindex(rows.loc[known, "entity_id"])
    x, t_x, big_t = (mine[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    index = rows.index[known]
    if purchases is not None:
        out.loc[index, "p_alive"] = purchases.p_alive(x, t_x, big_t)
        weeks = rows.loc[known, "churn_window_days"].to_numpy(float) / UNIT_DAYS[UNIT]
        silent = np.full(len(index), np.nan)
        # The model takes one horizon per call: one call per distinct window.
        for horizon in np.unique(weeks[~np.isnan(weeks)]):
            at_h = weeks == horizon
            silent[at_h] = purchases.p_no_purchase(float(horizon), x[at_h], t_x[at_h], big_t[at_h])
        out.loc[index, "p_no_order"] = silent
    if value is not None:
        out.loc[index, "expected_order_value"] = value.expected_order_value(
            x, mine["mean_value"].clip(lower=0.0).to_numpy(float)
        )
    return out


def with_repeat_purchase_features(store: Store, features: ir.Table) -> ir.Table:
    """``features`` (executed) with :data:`MODEL_COLUMNS` and ``model_recorded_at``, the last
    order the fit at each snapshot time read."""
    frame = features.to_pandas()
    frame["at"] = pd.to_datetime(frame["at"])
    for column in MODEL_COLUMNS:
        frame[column] = np.nan
    frame["model_recorded_at"] = pd.NaT
    if frame.empty:
        return ibis.memtable(frame)
    orders = customer_order_frame(store)
    for at, rows in frame.groupby("at", sort=True):
        stamp = pd.Timestamp(at)
        values = model_features_at(orders, stamp, rows)
        frame.loc[rows.index, list(MODEL_COLUMNS)] = values.to_numpy()
        used = orders.loc[orders["ordered_at"] <= stamp, "ordered_at"]
        frame.loc[rows.index, "model_recorded_at"] = used.max() if len(used) else pd.NaT
    return ibis.memtable(frame)
