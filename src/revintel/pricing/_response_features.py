"""The rows and features of the price-response model: who counts, and how a deal is encoded.

The population is every closed deal (won or lost) that reached the price stage with a known
discount. The only price feature is ``discount_gap`` = discount − the deal's target discount
(from the price bands); the context is the deal's segment, product family, industry, region,
customer value tier, rep and team, and the log of its list price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from revintel.pricing._bands import fit_bands

#: The price feature: discount above the deal's target discount (a share of list price).
PRICE_FEATURE = "discount_gap"
#: Categorical context of a deal; the rep carries its own discount habit and skill, so leaving
#: it out would confound the price slope with who negotiated.
CONTEXT_CATEGORIES = ("segment", "family", "industry", "region", "value_tier", "team", "rep_id")
#: Numeric context: the log of the deal's list price.
LOG_LIST_PRICE = "log_list_price"
#: Column of a deal row holding its target discount.
TARGET_COLUMN = "target_discount"


def price_population(deals: pd.DataFrame) -> pd.DataFrame:
    """The closed deals that reached the price stage with a known discount, by ``closed_at``.

    Raises
    ------
    ValueError
        When a column the price response needs is missing from ``deals``.
    """
    needed = {"won", "discount", "reached_price_stage", "closed_at", "list_price"}
    missing = sorted(needed - set(deals.columns))
    if missing:
        raise ValueError(f"deal frame lacks the column(s) {', '.join(missing)}")
    kept = (
        deals["won"].notna()
        & deals["discount"].notna()
        & deals["reached_price_stage"].fillna(False).astype(bool)
        & deals["closed_at"].notna()
        & (deals["list_price"].astype(float) > 0)
    )
    rows = deals[kept.to_numpy()]
    order = np.lexsort((rows["opportunity_id"].astype(str), rows["closed_at"].to_numpy()))
    return rows.iloc[order]


def segment_targets(train: pd.DataFrame) -> dict[str, float]:
    """Median discount of the won deals per account segment (``""`` holds the overall median).

    The fallback target discount while no price bands are fitted; computed on ``train`` only.
    """
    won = train[train["won"] == 1.0]
    source = won if len(won) else train
    targets = {str(k): float(v) for k, v in source.groupby("segment")["discount"].median().items()}
    targets[""] = float(source["discount"].median()) if len(source) else 0.0
    return targets


def targets_for(deals: pd.DataFrame, targets: Mapping[str, float]) -> pd.Series:
    """The segment target discount of each deal row (the overall one for unknown segments)."""
    mapped = deals["segment"].astype(str).map(dict(targets))
    return mapped.fillna(targets[""]).astype(float)


def train_window_targets(train: pd.DataFrame, deals: pd.DataFrame) -> pd.Series:
    """Target discounts of ``deals`` from price bands fitted on ``train`` only.

    Where ``train`` holds too few won deals for bands, the median won discount of each
    account segment stands in.
    """
    try:
        bands = fit_bands(train)
    except ValueError:
        return targets_for(deals, segment_targets(train))
    target = bands.target_discount(deals).astype(float)
    fallback = targets_for(deals, segment_targets(train))
    return target.fillna(fallback)


@dataclass
class DealEncoder:
    """Codes of each deal's context, learned from the training rows.

    Levels unseen in training get code -1 (no one-hot column is set for them; LightGBM treats
    them as missing).
    """

    levels: dict[str, list[str]] = field(default_factory=dict)
    log_price_centre: float = 0.0
    targets: dict[str, float] = field(default_factory=dict)
    _index: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    @classmethod
    def fit(
        cls,
        deals: pd.DataFrame,
        targets: Mapping[str, float],
        categories: Sequence[str] = CONTEXT_CATEGORIES,
    ) -> DealEncoder:
        """Levels of the context columns ``categories`` and the centre of the log list price."""
        levels = {c: sorted(_text(deals[c]).unique().tolist()) for c in categories}
        centre = float(np.log(deals["list_price"].astype(float)).median())
        return cls(levels=levels, log_price_centre=centre, targets=dict(targets))

    def __post_init__(self) -> None:
        self._index = {c: {v: i for i, v in enumerate(vs)} for c, vs in self.levels.items()}

    @property
    def categories(self) -> list[str]:
        """The context columns, in the order of :meth:`codes`."""
        return list(self.levels)

    @property
    def one_hot_width(self) -> int:
        """Columns of the one-hot context block."""
        return sum(len(v) for v in self.levels.values())

    def target(self, deals: pd.DataFrame) -> np.ndarray:
        """The ``target_discount`` column, or the stored segment targets where it is missing."""
        fallback = targets_for(deals, self.targets).to_numpy()
        if TARGET_COLUMN not in deals.columns:
            return fallback
        given = deals[TARGET_COLUMN].astype(float).to_numpy()
        return np.where(np.isnan(given), fallback, given)

    def codes(self, deals: pd.DataFrame) -> np.ndarray:
        """(rows, categories) integer codes of the context, -1 for unseen levels."""
        columns = [
            _text(deals[c]).map(self._index[c]).fillna(-1).to_numpy(dtype=np.int64)
            if c in deals.columns
            else np.full(len(deals), -1, dtype=np.int64)
            for c in self.levels
        ]
        return np.column_stack(columns) if columns else np.empty((len(deals), 0), np.int64)

    def log_price(self, deals: pd.DataFrame) -> np.ndarray:
        """Log list price, centred on the training median."""
        return np.log(deals["list_price"].astype(float).to_numpy()) - self.log_price_centre

    def encode_one(self, deal: Mapping[str, Any]) -> tuple[np.ndarray, float, float]:
        """Codes, centred log list price and target discount of one deal given as a mapping."""
        codes = np.array(
            [self._index[c].get(_one_text(deal.get(c)), -1) for c in self.levels],
            dtype=np.int64,
        )
        list_price = float(deal["list_price"])
        if not list_price > 0:
            raise ValueError(f"deal list_price must be positive, got {deal['list_price']!r}")
        target = deal.get(TARGET_COLUMN)
        if target is None or target != target:
            segment = _one_text(deal.get("segment"))
            target = self.targets.get(segment, self.targets.get("", 0.0))
        return codes, float(np.log(list_price)) - self.log_price_centre, float(target)

    def one_hot(self, codes: np.ndarray) -> np.ndarray:
        """(rows, one_hot_width) indicator matrix of ``codes``."""
        out = np.zeros((len(codes), self.one_hot_width))
        offset = 0
        rows = np.arange(len(codes))
        for j, column in enumerate(self.levels):
            known = codes[:, j] >= 0
            out[rows[known], offset + codes[known, j]] = 1.0
            offset += len(self.levels[column])
        return out

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {
            "levels": self.levels,
            "log_price_centre": self.log_price_centre,
            "targets": self.targets,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> DealEncoder:
        """The encoder :meth:`to_state` described."""
        return cls(
            levels={k: list(v) for k, v in state["levels"].items()},
            log_price_centre=float(state["log_price_centre"]),
            targets={k: float(v) for k, v in state["targets"].items()},
        )


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def _one_text(value: Any) -> str:
    return "" if value is None or value != value else str(value)


def column_names(encoder: DealEncoder) -> Sequence[str]:
    """Names of the one-hot columns, ``column=level``."""
    return [f"{c}={v}" for c in encoder.levels for v in encoder.levels[c]]
