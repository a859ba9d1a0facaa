"""Data frames as JSON-ready rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd


def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts: NaN becomes ``None``, dates ISO strings."""
    out = frame.astype(object).where(frame.notna(), None)
    rows = []
    for record in out.to_dict(orient="records"):
        rows.append(
            {str(k): v.isoformat() if isinstance(v, date) else v for k, v in record.items()}
        )
    return rows
