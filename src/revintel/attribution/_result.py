"""What an attribution model returns: credits per channel, and per touch for breakdowns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Name of the row holding conversions no channel earned (a data-driven model's baseline).
BASELINE = "(baseline)"

#: Columns of :attr:`Attribution.channels`.
CHANNEL_COLUMNS = ("channel", "conversions", "revenue", "margin")


@dataclass(frozen=True)
class Attribution:
    """Credits of one model over one set of journeys.

    Attributes
    ----------
    model
        The model's name (``first``, ``last``, ``linear``, ``time_decay``, ``u_shaped``,
        ``w_shaped``, ``full_path``, ``markov``, ``shapley``).
    channels
        One row per channel, sorted by conversions (largest first), with the columns of
        :data:`CHANNEL_COLUMNS` (``margin`` is NaN when the journeys carry none). A data-driven
        model may add a :data:`BASELINE` row. The columns sum to the journeys' conversions,
        value and margin.
    touch_conversions, touch_revenue, touch_margin
        Credit of every touch (aligned with ``Paths.codes``), or ``None`` when the model gives
        channel totals only. Summed by channel they equal ``channels`` (without the baseline).
    journey_baseline
        Conversions of each journey credited to :data:`BASELINE`, or ``None``.
    notes
        How the credits were computed: parameters, removal effects, sampling error…
    """

    model: str
    channels: pd.DataFrame
    touch_conversions: np.ndarray | None = None
    touch_revenue: np.ndarray | None = None
    touch_margin: np.ndarray | None = None
    journey_baseline: np.ndarray | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def total(self, column: str = "conversions") -> float:
        """Sum of ``column`` over every row, the baseline included."""
        return float(self.channels[column].sum())
