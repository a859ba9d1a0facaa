"""Times as float days since 1970-01-01, the unit every forecast array is in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

EPOCH = np.datetime64("1970-01-01T00:00:00", "us")
DAY_US = 86_400 * 1_000_000


def to_days(values: pd.Series | np.ndarray) -> np.ndarray:
    """Timestamps as float days since 1970-01-01 (``NaN`` where missing)."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    out = (stamps.to_numpy("datetime64[us]") - EPOCH).astype("timedelta64[us]").astype(float)
    out[stamps.isna().to_numpy()] = np.nan
    return out / DAY_US


def cutoff_days(as_of: date) -> float:
    """The cut-off of ``as_of`` (the end of that day) as days since 1970-01-01."""
    end = datetime.combine(as_of + timedelta(days=1), time())
    return float((np.datetime64(end, "us") - EPOCH).astype(float) / DAY_US)
