"""Why a forecast is all zeros: no records, undated records, or nothing to learn from."""

from __future__ import annotations

import pandas as pd

from revintel.forecast._history import History
from revintel.metrics import DataGap


def forecast_gap(history: History) -> DataGap:
    """The gap behind a forecast of zeros, named by what the history lacks.

    ``no_forecast_data``: no lead and no opportunity; ``undated_history``: every record was
    created on one date (an import with one ``--as-of``), so arrivals per month and times to
    close cannot be measured; ``no_forecast_basis``: dated records, but no open opportunity
    and no won deal to learn from.
    """
    # History keeps times as days since 1970-01-01 (floats).
    days = pd.concat([history.leads["created"], history.opportunities["created"]]).dropna()
    if days.empty:
        return DataGap("no_forecast_data", as_of=history.last_event)
    whole = pd.to_datetime(days.to_numpy() // 1, unit="D")
    first, last = whole.min().date(), whole.max().date()
    code = "undated_history" if whole.nunique() <= 1 else "no_forecast_basis"
    return DataGap(code, first, last, history.last_event)
