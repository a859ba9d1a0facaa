"""Price bands: floor, target and stretch price per segment of comparable deals.

Each segment of :func:`revintel.pricing._segments.find_segments` gets its band from the prices
its won deals closed at, as a share of list price (``price_ratio``): by default the floor is
the 10th percentile, the target the median and the stretch the 90th percentile. A deal's
position says where its price sits in its band, its percentile which share of the band's won
prices lies below it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from revintel._frames import json_value
from revintel.pricing._segments import SEGMENT_FEATURES, Segmentation, find_segments, won_prices

#: Where a price can sit in its band, lowest first.
POSITIONS = ("below_floor", "floor_target", "target_stretch", "above_stretch")
#: Quantiles of the won prices giving floor, target and stretch.
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
#: Decimals kept of floor, target and stretch (shares of list price).
LIMIT_DIGITS = 6
#: Columns of :attr:`PriceBands.table`.
TABLE_COLUMNS = (
    "band_id",
    "segment",
    "rules",
    "floor",
    "target",
    "stretch",
    "won_deals",
    "deals",
    "median_list_price",
)
#: Columns of :func:`band_positions`.
POSITION_COLUMNS = ("opportunity_id", "band_id", "price_ratio", "position", "percentile")


@dataclass(frozen=True, eq=False)
class PriceBands:
    """Price bands per segment, fitted on won deals (:func:`fit_bands`).

    Attributes
    ----------
    segmentation
        The segments (each leaf a band).
    table
        One row per band: ``band_id``, ``segment`` (German label), ``rules`` (JSON text),
        ``floor``, ``target``, ``stretch`` (price as a share of list price), ``won_deals``,
        ``deals`` (closed deals of the segment), ``median_list_price`` (of its won deals).
    min_won
        The fewest won deals a band may hold.
    won_prices
        Per band the sorted won price ratios (for percentiles).
    quantiles
        The quantiles of the won prices giving floor, target and stretch.
    """

    segmentation: Segmentation
    table: pd.DataFrame
    min_won: int
    won_prices: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    quantiles: tuple[float, float, float] = DEFAULT_QUANTILES
    _limits: dict[str, tuple[float, float, float]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for row in self.table.itertuples(index=False):
            self._limits[str(row.band_id)] = (
                float(row.floor),
                float(row.target),
                float(row.stretch),
            )

    def band(self, band_id: str) -> dict[str, Any]:
        """The row of ``table`` for ``band_id`` as plain Python values, with ``rules`` parsed
        into a list."""
        self._checked(band_id)
        row = self.table[self.table["band_id"] == band_id].iloc[0]
        plain = {str(k): json_value(v) for k, v in row.items()}
        return plain | {"rules": json.loads(plain["rules"])}

    def target_discount(self, deals: pd.DataFrame) -> pd.Series:
        """1 − the target price of each deal's band (index of ``deals``)."""
        bands = self.segmentation.assign(deals)
        target = {b: limits[1] for b, limits in self._limits.items()}
        return (1.0 - bands.map(target).astype(float)).rename("target_discount")

    def position(self, price_ratio: float, band_id: str) -> str:
        """Where ``price_ratio`` sits in the band: one of :data:`POSITIONS` (a price equal to a
        limit counts as inside the band above it; equal to the stretch as target_stretch)."""
        floor, target, stretch = self._checked(band_id)
        if price_ratio != price_ratio:
            raise ValueError(f"price_ratio is missing (NaN); band {band_id} has no position for it")
        if price_ratio < floor:
            return POSITIONS[0]
        if price_ratio < target:
            return POSITIONS[1]
        return POSITIONS[2] if price_ratio <= stretch else POSITIONS[3]

    def percentile(self, price_ratio: float, band_id: str) -> float:
        """The share of the band's won prices strictly below ``price_ratio``."""
        self._checked(band_id)
        prices = self.won_prices.get(band_id)
        if prices is None or len(prices) == 0:
            return float("nan")
        return float(np.searchsorted(prices, price_ratio, side="left") / len(prices))

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable form (:meth:`from_state` restores it)."""
        table = self.table.astype(object).where(self.table.notna(), None)
        return {
            "version": 1,
            "min_won": self.min_won,
            "quantiles": list(self.quantiles),
            "segmentation": self.segmentation.to_state(),
            "table": table.to_dict(orient="records"),
            "won_prices": {b: [float(p) for p in v] for b, v in self.won_prices.items()},
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PriceBands:
        """The bands :meth:`to_state` described."""
        try:
            table = pd.DataFrame(list(state["table"]), columns=list(TABLE_COLUMNS))
            floor, target, stretch = (float(q) for q in state["quantiles"])
            return cls(
                segmentation=Segmentation.from_state(state["segmentation"]),
                table=table.astype({c: float for c in ("floor", "target", "stretch")}),
                min_won=int(state["min_won"]),
                won_prices={
                    str(b): np.asarray(v, dtype=float) for b, v in state["won_prices"].items()
                },
                quantiles=(floor, target, stretch),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not stored price bands: missing or malformed {exc}") from exc

    def _checked(self, band_id: str) -> tuple[float, float, float]:
        limits = self._limits.get(band_id)
        if limits is None:
            raise KeyError(f"unknown band {band_id!r}; the bands are {', '.join(self._limits)}")
        return limits


def fit_bands(
    deals: pd.DataFrame,
    min_won: int = 30,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    *,
    currency: str = "EUR",
) -> PriceBands:
    """Segments of comparable deals and a price band per segment from its won prices.

    Parameters
    ----------
    deals
        A :func:`revintel.pricing._deals.deal_frame` (won deals fit the bands; closed deals
        are counted in ``deals``).
    min_won
        The fewest won deals behind a band.
    quantiles
        Quantiles of the won price ratios giving floor, target and stretch (ascending).
    currency
        The currency of the deals' list prices (for the segment labels).

    Raises
    ------
    ValueError
        Quantiles not ascending within [0, 1], or as :func:`find_segments`.
    """
    limits = tuple(float(q) for q in quantiles)
    if len(limits) != 3 or not 0.0 <= limits[0] <= limits[1] <= limits[2] <= 1.0:
        raise ValueError(
            f"quantiles must be three ascending numbers in [0, 1] (floor, target, stretch), "
            f"got {list(quantiles)}"
        )
    won, ratio = won_prices(deals, min_won)
    segmentation = find_segments(deals, min_won, currency=currency)
    won_band = segmentation.assign(won).to_numpy()
    closed = deals[deals["status"].isin(["won", "lost"])]
    closed_counts = segmentation.assign(closed).value_counts()
    rows, prices = [], {}
    for band_id in segmentation.band_ids:
        chosen = won_band == band_id
        band_prices = np.sort(ratio[chosen])
        # rounding is monotone, so floor ≤ target ≤ stretch survives it
        band_limits = np.maximum.accumulate(np.quantile(band_prices, limits))
        floor, target, stretch = band_limits.round(LIMIT_DIGITS)
        rows.append(
            {
                "band_id": band_id,
                "segment": segmentation.label(band_id, "de"),
                "rules": json.dumps(segmentation.rules(band_id), ensure_ascii=False),
                "floor": float(floor),
                "target": float(target),
                "stretch": float(stretch),
                "won_deals": int(chosen.sum()),
                "deals": int(closed_counts.get(band_id, 0)),
                "median_list_price": float(np.median(won["list_price"].to_numpy()[chosen])),
            }
        )
        prices[band_id] = band_prices
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return PriceBands(segmentation, table, min_won, prices, (limits[0], limits[1], limits[2]))


def band_positions(deals: pd.DataFrame, bands: PriceBands) -> pd.DataFrame:
    """The band, price, position and percentile of every deal.

    Open deals are placed at their current price (``current_price_ratio``: the latest quote),
    closed deals at the price they closed at.

    Returns
    -------
    pandas.DataFrame
        :data:`POSITION_COLUMNS`, one row per deal in the order of ``deals``.
    """
    price = pd.to_numeric(deals["price_ratio"], errors="coerce")
    if "current_price_ratio" in deals.columns:
        current = pd.to_numeric(deals["current_price_ratio"], errors="coerce")
        price = current.where((deals["status"] == "open") & current.notna(), price)
    return placed(deals["opportunity_id"], bands.segmentation.assign(deals), price, bands)


def quote_positions(quotes: pd.DataFrame, deals: pd.DataFrame, bands: PriceBands) -> pd.DataFrame:
    """The band, price, position and percentile of quotes.

    A quote belongs to the segment of its deal, with the quote's own list price.

    Parameters
    ----------
    quotes
        ``quote_id``, ``opportunity_id``, ``list_price``, ``discount``, ``amount``.
    deals
        The :func:`revintel.pricing._deals.deal_frame` holding the quotes' deals.

    Returns
    -------
    pandas.DataFrame
        ``quote_id`` followed by :data:`POSITION_COLUMNS`; quotes of unknown deals are left out.
    """
    features = [f for f in SEGMENT_FEATURES if f != "list_price"]
    context = deals[["opportunity_id", *features]].drop_duplicates("opportunity_id")
    merged = quotes[["quote_id", "opportunity_id", "list_price", "discount", "amount"]].merge(
        context, on="opportunity_id", how="inner"
    )
    listed = pd.to_numeric(merged["list_price"], errors="coerce")
    discount = pd.to_numeric(merged["discount"], errors="coerce")
    derived = 1.0 - pd.to_numeric(merged["amount"], errors="coerce") / listed.where(listed > 0)
    price = 1.0 - discount.where(discount.notna(), derived)
    placed_quotes = placed(
        merged["opportunity_id"], bands.segmentation.assign(merged), price, bands
    )
    return pd.concat([merged[["quote_id"]], placed_quotes], axis=1)


def placed(
    opportunity_ids: pd.Series, band_ids: pd.Series, price: pd.Series, bands: PriceBands
) -> pd.DataFrame:
    """:data:`POSITION_COLUMNS` for prices (shares of list price) in the given bands."""
    table = bands.table.set_index("band_id")
    ratio = price.to_numpy(dtype=float)
    floor, target, stretch = (
        band_ids.map(table[c]).to_numpy(dtype=float) for c in ("floor", "target", "stretch")
    )
    known = ~(np.isnan(ratio) | np.isnan(floor))
    level = (ratio >= floor).astype(int) + (ratio >= target) + (ratio > stretch)
    names = np.array(POSITIONS, dtype=object)
    position = names[np.where(known, level, 0)]
    position[~known] = None
    percentile = np.full(len(ratio), np.nan)
    bands_array = band_ids.to_numpy()
    for band_id, prices in bands.won_prices.items():
        rows = (bands_array == band_id) & ~np.isnan(ratio)
        if rows.any() and len(prices):
            percentile[rows] = np.searchsorted(prices, ratio[rows], side="left") / len(prices)
    return pd.DataFrame(
        {
            "opportunity_id": opportunity_ids.to_numpy(),
            "band_id": bands_array,
            "price_ratio": ratio,
            "position": position,
            "percentile": percentile,
        }
    )
