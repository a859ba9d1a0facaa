"""The stored price model as the surfaces show it: its bands, the user's deals placed in them,
and the price-response curve of a band's typical deal or of one open deal.

Bands and the response are facts of the company-wide model (the same for every user); the
deals placed in the bands are those the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from revintel.auth import User
from revintel.pricing._bands import band_positions
from revintel.pricing._deals import deal_frame
from revintel.pricing._guidance import band_discounts
from revintel.pricing._optimum import margin_optimum
from revintel.pricing._price_model import PriceModel, latest_fit_id
from revintel.store import Store
from revintel.views._pricing import PricingRequestError, pricing_deals
from revintel.views._pricing_guidance import cached_price_model

#: Columns of :func:`open_positions`.
POSITION_COLUMNS = (
    "opportunity_id",
    "account_id",
    "rep_id",
    "band_id",
    "list_price",
    "price_ratio",
    "position",
)


def stored_model(store: Store) -> PriceModel | None:
    """The latest stored price model (loaded once per fit), ``None`` when none is stored."""
    fit_id = latest_fit_id(store)
    return None if fit_id is None else cached_price_model(store, fit_id)


@dataclass(frozen=True)
class BandsView:
    """The bands of the stored model.

    Attributes
    ----------
    fit_id, fitted_at
        The fit.
    bands
        ``band_id``, ``segment`` (German and English descriptions in ``segment_de`` and
        ``segment_en``), ``floor``, ``target``, ``stretch`` (shares of list price),
        ``won_deals``, ``deals`` and ``median_list_price``.
    evaluation
        The price response's out-of-time evaluation (JSON values).
    default_band
        The band shown first: the one with the most won deals.
    """

    fit_id: str
    fitted_at: datetime
    bands: pd.DataFrame
    evaluation: dict[str, Any]
    default_band: str


def pricing_bands(store: Store) -> BandsView | None:
    """The bands of the latest stored price model; ``None`` when none is stored."""
    model = stored_model(store)
    if model is None:
        return None
    table = model.bands.table.copy()
    segmentation = model.bands.segmentation
    table["segment_de"] = [segmentation.label(b, "de") for b in table["band_id"]]
    table["segment_en"] = [segmentation.label(b, "en") for b in table["band_id"]]
    ranked = table.sort_values(["won_deals", "band_id"], ascending=[False, True])
    return BandsView(
        fit_id=model.fit_id,
        fitted_at=model.fitted_at,
        bands=table.drop(columns=["rules"]),
        evaluation=model.evaluation,
        default_band=str(ranked["band_id"].iloc[0]) if len(ranked) else "",
    )


def placed_deals(store: Store, user: User) -> pd.DataFrame:
    """The deals ``user`` sees (the deal frame) with their band of the stored model:
    ``band_id``, ``placed_ratio`` (closed: the price closed at; open: the current one) and
    ``position`` (empty without a stored model)."""
    model = stored_model(store)
    deals = pricing_deals(store, user).reset_index(drop=True)
    if model is None or deals.empty:
        return deals.assign(band_id=None, placed_ratio=float("nan"), position=None)
    placed = band_positions(deals, model.bands).reset_index(drop=True)
    return deals.assign(
        band_id=placed["band_id"].to_numpy(),
        placed_ratio=placed["price_ratio"].to_numpy(),
        position=placed["position"].to_numpy(),
    )


def open_positions(placed: pd.DataFrame) -> pd.DataFrame:
    """The open deals of :func:`placed_deals`, each in its band at its current price
    (:data:`POSITION_COLUMNS`), by band and lowest price first."""
    open_deals = placed[(placed["status"] == "open") & placed["band_id"].notna()]
    ordered = open_deals.rename(columns={"price_ratio": "own_ratio", "placed_ratio": "price_ratio"})
    ordered = ordered.sort_values(["band_id", "price_ratio", "opportunity_id"])
    return ordered[list(POSITION_COLUMNS)].reset_index(drop=True)


def band_deals(placed: pd.DataFrame, band_id: str) -> pd.DataFrame:
    """The deals of :func:`placed_deals` in band ``band_id``: ``opportunity_id``,
    ``list_price``, ``price_ratio`` (closed: the price closed at; open: the current one),
    ``status``, ``position``."""
    chosen = placed[(placed["band_id"] == band_id) & placed["placed_ratio"].notna()]
    chosen = chosen.rename(columns={"price_ratio": "own_ratio", "placed_ratio": "price_ratio"})
    columns = ["opportunity_id", "list_price", "price_ratio", "status", "position"]
    return chosen[columns].reset_index(drop=True)


@dataclass(frozen=True)
class ResponseView:
    """The price response of one deal.

    Attributes
    ----------
    band_id
        The band.
    opportunity_id
        The open deal the curve is for; ``None`` for the band's typical deal.
    list_price, cost
        The deal's list price and cost (store currency).
    curve
        ``discount``, ``price_ratio``, ``win_probability``, ``lower``, ``upper`` (90 % band)
        and ``expected_margin`` = (price − cost) × P(win).
    optimum_ratio, optimum_win, optimum_margin
        The margin-optimal price (share of list price), its win chance and expected margin.
    current_ratio
        The open deal's current price (``None`` for the typical deal).
    """

    band_id: str
    opportunity_id: str | None
    list_price: float
    cost: float
    curve: pd.DataFrame
    optimum_ratio: float
    optimum_win: float
    optimum_margin: float
    current_ratio: float | None


def typical_deal(store: Store, band_id: str) -> dict[str, Any]:
    """A band's typical deal: its won deals' median list price and margin rate, and the most
    common value of every context column (read from every deal: a model fact)."""
    model = stored_model(store)
    if model is None:
        raise PricingRequestError("no price model is stored", "band_id")
    deals = deal_frame(store)
    bands = model.bands.segmentation.assign(deals)
    won = deals[(bands == band_id) & (deals["status"] == "won")]
    if won.empty:
        raise PricingRequestError(f"band {band_id!r} has no won deals", "band_id")
    record: dict[str, Any] = {}
    for column in ("segment", "industry", "region", "revenue_band", "value_tier", "family"):
        values = won[column].dropna()
        record[column] = values.mode().iloc[0] if len(values) else None
    record["team"] = won["team"].dropna().mode().iloc[0] if won["team"].notna().any() else None
    list_price = float(won["list_price"].median())
    margin_rate = float(won["margin_rate"].median())
    record["list_price"] = list_price
    record["cost"] = list_price * (1.0 - margin_rate) if margin_rate == margin_rate else 0.0
    return record


def pricing_response(
    store: Store, user: User, band_id: str, opportunity_id: str | None = None
) -> ResponseView | None:
    """The price response of ``opportunity_id`` (an open deal ``user`` sees, in the band) or of
    the band's typical deal; ``None`` when no model is stored.

    Raises
    ------
    PricingRequestError
        Field ``band_id`` for an unknown band, ``opportunity_id`` for a deal the user does not
        see or that is not open.
    """
    model = stored_model(store)
    if model is None:
        return None
    if band_id not in model.bands.segmentation.band_ids:
        raise PricingRequestError(f"unknown band {band_id!r}", "band_id")
    current: float | None = None
    if opportunity_id is None:
        record = typical_deal(store, band_id)
    else:
        deals = pricing_deals(store, user)
        found = deals[(deals["opportunity_id"] == opportunity_id) & (deals["status"] == "open")]
        if found.empty:
            raise PricingRequestError(f"no open deal {opportunity_id!r}", "opportunity_id")
        record = found.iloc[0].to_dict()
        current = float(record["current_price_ratio"])
    curve = model.response.curve(record, interval=True)
    list_price = float(record["list_price"])
    cost = record.get("cost")
    cost = 0.0 if cost is None or cost != cost else float(cost)
    # As in guidance: inside the band, widened to the price on the table of an open deal.
    lowest, highest = band_discounts(model.bands.band(band_id))
    if current is not None:
        lowest, highest = min(lowest, 1.0 - current), max(highest, 1.0 - current)
    best = margin_optimum(list_price, cost, curve, within=(lowest, highest))
    frame = curve[["discount", "price_ratio", "win_probability", "lower", "upper"]].copy()
    frame["expected_margin"] = (list_price * frame["price_ratio"] - cost) * frame["win_probability"]
    return ResponseView(
        band_id=band_id,
        opportunity_id=opportunity_id,
        list_price=list_price,
        cost=cost,
        curve=frame.sort_values("price_ratio", ignore_index=True),
        optimum_ratio=1.0 - best.discount,
        optimum_win=best.win_probability,
        optimum_margin=best.expected_margin,
        current_ratio=current,
    )
