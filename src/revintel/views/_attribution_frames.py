"""Attribution results as the surfaces show them: the channel table of the analysts' contract
and the model's notes as JSON values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from revintel.attribution._result import BASELINE, Attribution

#: Columns of :attr:`AttributionView.channels`, in this order (the analysts' CSV contract).
RESULT_COLUMNS = ("channel", "conversions", "revenue", "margin", "share")
#: Notes with more items than this are left out of what the surfaces show (states of a
#: high-order chain, say); the library's :class:`~revintel.attribution._result.Attribution`
#: keeps them all.
MAX_NOTE_ITEMS = 100


def channel_frame(result: Attribution | None) -> pd.DataFrame:
    """The credits of ``result`` as :data:`RESULT_COLUMNS`, largest conversions first and the
    baseline last (an empty frame with those columns for ``None``)."""
    if result is None or result.channels.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "channel" else float)
                             for c in RESULT_COLUMNS})  # fmt: skip
    frame = result.channels.loc[:, ["channel", "conversions", "revenue", "margin"]].copy()
    frame[["conversions", "revenue", "margin"]] = frame[
        ["conversions", "revenue", "margin"]
    ].astype(float)
    total = float(frame["conversions"].sum())
    frame["share"] = frame["conversions"] / total if total > 0 else np.nan
    frame["_baseline"] = frame["channel"] == BASELINE
    frame = frame.sort_values(["_baseline", "conversions", "channel"],
                              ascending=[True, False, True], kind="stable")  # fmt: skip
    return frame.drop(columns="_baseline").reset_index(drop=True)


def plain_notes(notes: dict[str, Any]) -> dict[str, Any]:
    """``notes`` as JSON values: numpy numbers as Python ones, NaN as ``None``, short arrays as
    lists; entries with more than :data:`MAX_NOTE_ITEMS` items are left out."""
    plain: dict[str, Any] = {}
    for key, value in notes.items():
        converted = _plain(value)
        if converted is not _SKIP:
            plain[str(key)] = converted
    return plain


_SKIP = object()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        if len(value) > MAX_NOTE_ITEMS:
            return _SKIP
        entries = {str(k): _plain(v) for k, v in value.items()}
        return {k: v for k, v in entries.items() if v is not _SKIP}
    if isinstance(value, list | tuple):
        if len(value) > MAX_NOTE_ITEMS:
            return _SKIP
        items = [_plain(v) for v in value]
        return _SKIP if any(v is _SKIP for v in items) else items
    return str(value)
