"""Price-band features of the deal score: a deal's discount against the band of comparable deals.

The deal score reads the price bands pricing finds (:mod:`revintel.pricing._bands`):
``discount_vs_band`` is the deal's discount minus its band's target discount, ``band_position``
where its price lies in the band (0 below the floor, 1 floor to target, 2 target to stretch,
3 above stretch).

Point in time: a training snapshot reads bands fitted on the deals closed before the latest
refit cutoff at or before it (cutoffs every :data:`REFIT_DAYS` back from the end of training),
so no deal closed after a snapshot shapes its band. The bands of the last cutoff, the end of
training, are stored with the model; open deals are scored (in batch and in real time) against
those.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.metrics import MissingRateError
from revintel.pricing._bands import POSITIONS, PriceBands, fit_bands
from revintel.pricing._deals import DEAL_COLUMNS, deal_frame
from revintel.store import Store

log = logging.getLogger(__name__)

#: The price-band features, in the order of the encoded matrix.
BAND_FEATURES = ("discount_vs_band", "band_position")
#: Days between two refits of the bands over the training history.
REFIT_DAYS = 91
#: Fewest won deals behind a band (pricing's default).
MIN_WON = 30
#: Deal-score column → the deal column the bands' segmentation reads.
BAND_INPUTS = {
    "product_family": "family",
    "segment": "segment",
    "industry": "industry",
    "region": "region",
    "value_tier": "value_tier",
    "list_price": "list_price",
}


def _number(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class PriceBandFeatures:
    """Fitted price bands turned into the features of :data:`BAND_FEATURES`.

    Parameters
    ----------
    bands
        Bands fitted on deals closed before ``fitted_to``.
    fitted_to
        The cutoff: no deal closed at or after it shaped the bands.
    """

    def __init__(self, bands: PriceBands, fitted_to: pd.Timestamp | None = None) -> None:
        self.bands = bands
        self.fitted_to = fitted_to
        table = bands.table
        self._targets = dict(
            zip(table["band_id"].astype(str), table["target"].astype(float), strict=True)
        )

    def _position(self, discount: float, band_id: str) -> float:
        if math.isnan(discount):
            return math.nan
        return float(POSITIONS.index(self.bands.position(1.0 - discount, band_id)))

    def frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The features of every deal-score row (same index); missing inputs read as unknown."""
        deals = pd.DataFrame(
            {deal: rows.get(col, np.nan) for col, deal in BAND_INPUTS.items()},
            index=rows.index,
        )
        band_ids = self.bands.segmentation.assign(deals)
        target = band_ids.map(self._targets).astype(float)
        given = rows["discount"] if "discount" in rows else pd.Series(np.nan, index=rows.index)
        discount = pd.to_numeric(given, errors="coerce").astype(float)
        position = [
            self._position(d, b) for d, b in zip(discount.tolist(), band_ids.tolist(), strict=True)
        ]
        return pd.DataFrame(
            {"discount_vs_band": discount - (1.0 - target), "band_position": position},
            index=rows.index,
        )

    def record(self, values: Mapping[str, Any]) -> dict[str, float]:
        """The features of one record of raw values, without pandas (for real-time use)."""
        deal = {name: values.get(col) for col, name in BAND_INPUTS.items()}
        band_id = self.bands.segmentation.band_of(deal)
        discount = _number(values.get("discount"))
        return {
            "discount_vs_band": discount - (1.0 - self._targets[band_id]),
            "band_position": self._position(discount, band_id),
        }

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state (stored inside the model's artifact)."""
        fitted_to = None if self.fitted_to is None else self.fitted_to.isoformat()
        return {"bands": self.bands.to_state(), "fitted_to": fitted_to}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PriceBandFeatures:
        """Inverse of :meth:`to_state`."""
        fitted_to = state.get("fitted_to")
        return cls(
            PriceBands.from_state(state["bands"]),
            None if fitted_to is None else pd.Timestamp(fitted_to),
        )


def position_name(value: float) -> str | None:
    """The :data:`~revintel.pricing._bands.POSITIONS` name of an encoded ``band_position``."""
    if math.isnan(value) or not 0 <= value < len(POSITIONS):
        return None
    return POSITIONS[int(value)]


def bands_before(deals: pd.DataFrame, cutoff: pd.Timestamp, min_won: int) -> PriceBands | None:
    """Bands fitted on the deals of ``deals`` closed before ``cutoff``; ``None`` while fewer than
    ``min_won`` of them were won."""
    closed = deals.loc[pd.to_datetime(deals["closed_at"]) < cutoff]
    if int((closed["status"] == "won").sum()) < min_won:
        return None
    return fit_bands(closed, min_won=min_won)


def refit_cutoffs(
    first: pd.Timestamp, end: pd.Timestamp, every_days: int = REFIT_DAYS
) -> list[pd.Timestamp]:
    """Refit instants ``end``, ``end − every_days``, … back to the first at or before
    ``first``, ascending.

    Examples
    --------
    >>> [c.day for c in refit_cutoffs(pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-21"), 7)]
    [31, 7, 14, 21]
    """
    step = pd.Timedelta(days=every_days)
    cutoffs = [end]
    while cutoffs[-1] > first:
        cutoffs.append(cutoffs[-1] - step)
    return cutoffs[::-1]


def point_in_time_band_features(
    deals: pd.DataFrame,
    rows: pd.DataFrame,
    end: pd.Timestamp,
    *,
    every_days: int = REFIT_DAYS,
    min_won: int = MIN_WON,
) -> tuple[pd.DataFrame, PriceBandFeatures | None]:
    """The features of snapshot ``rows`` (with ``at``) read from bands as they were then, and
    the bands fitted at ``end`` (``None`` when too few deals were won by then).

    ``deals`` is a :func:`~revintel.pricing._deals.deal_frame`. Each row reads the bands of the
    latest cutoff of :func:`refit_cutoffs` at or before its ``at``; rows after ``end`` read the
    bands of ``end``, rows before enough deals were won none.
    """
    out = pd.DataFrame(np.nan, index=rows.index, columns=list(BAND_FEATURES))
    if rows.empty:
        cutoffs = [end]
    else:
        cutoffs = refit_cutoffs(pd.Timestamp(pd.to_datetime(rows["at"]).min()), end, every_days)
    at = pd.to_datetime(rows["at"])
    final = None
    for index, cutoff in enumerate(cutoffs):
        bands = bands_before(deals, cutoff, min_won)
        if bands is None:
            continue
        features = PriceBandFeatures(bands, cutoff)
        later = cutoffs[index + 1] if index + 1 < len(cutoffs) else None
        chosen = (at >= cutoff) if later is None else (at >= cutoff) & (at < later)
        if chosen.any():
            out.loc[chosen] = features.frame(rows.loc[chosen]).to_numpy()
        final = features if later is None else None
    return out, final


def pricing_deals(store: Store) -> pd.DataFrame:
    """The store's :func:`~revintel.pricing._deals.deal_frame`; empty when its amounts cannot be
    put into the store currency (rates missing), so the deal score goes without price bands."""
    try:
        return deal_frame(store)
    except MissingRateError as exc:
        log.warning("deal score without price-band features: %s", exc)
        return pd.DataFrame(columns=list(DEAL_COLUMNS))


def with_band_features(
    store: Store, frame: pd.DataFrame, end: pd.Timestamp, every_days: int = REFIT_DAYS
) -> tuple[pd.DataFrame, PriceBandFeatures | None]:
    """Deal snapshots ``frame`` with the point-in-time features of :data:`BAND_FEATURES`, and
    the bands fitted at ``end`` to store with the model (see
    :func:`point_in_time_band_features`)."""
    features, final = point_in_time_band_features(
        pricing_deals(store), frame, end, every_days=every_days
    )
    return frame.assign(**{name: features[name] for name in BAND_FEATURES}), final


def price_context(store: Store) -> ir.Table:
    """``opportunity_id``, ``list_price`` and ``value_tier`` of every deal, as pricing reads
    them (store currency; the account's order revenue in the year before the deal)."""
    deals = pricing_deals(store)[["opportunity_id", "list_price", "value_tier"]]
    schema = {"opportunity_id": "string", "list_price": "float64", "value_tier": "string"}
    frame = pd.DataFrame(
        {
            "opportunity_id": deals["opportunity_id"].astype(str),
            "list_price": deals["list_price"].astype(float),
            "value_tier": deals["value_tier"].astype(object),
        }
    )
    return ibis.memtable(frame, schema=schema)
