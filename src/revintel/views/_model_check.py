"""The model check of the customers page: repeat purchases the model expected against those
that happened, per earlier purchase count (the papers' conditional-expectation table)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._calibration import calibration_holdout_table
from revintel.store import Store
from revintel.views._customers import MIN_CUSTOMERS, purchase_days_summary


def calibration_table(store: Store, as_of: date, horizon_days: int) -> pd.DataFrame:
    """Repeat orders expected vs actual per earlier order count, for the ``horizon_days`` up
    to ``as_of``: the model is fitted as of ``as_of − horizon_days`` and checked against what
    the accounts then did (empty with too few orders)."""
    start = as_of - timedelta(days=horizon_days)
    summary, _ = purchase_days_summary(store, start, holdout=horizon_days)
    if summary is None or len(summary) < MIN_CUSTOMERS:
        return pd.DataFrame(columns=["frequency", "customers", "actual_mean", "expected_mean"])
    model = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
    table = calibration_holdout_table(model, summary, horizon_days)
    table = table[table["customers"] > 0].reset_index()
    table["frequency"] = table["frequency"].astype(str)
    return table[["frequency", "customers", "actual_mean", "expected_mean"]]
