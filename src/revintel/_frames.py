"""Data frames as JSON-ready rows, for every surface (CLI output, API responses)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def json_value(value: Any) -> Any:
    """A cell as JSON knows it: missing values (NaN, NaT, NA) ``None``, dates ISO 8601 text,
    NumPy scalars Python numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return json_value(value.item())
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-ready dicts (see :func:`json_value`)."""
    return [
        {str(k): json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]
