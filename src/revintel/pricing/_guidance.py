"""Guidance for a deal under negotiation: where its price sits, what it wins, what to ask.

:func:`guidance` combines a fitted :class:`~revintel.pricing._price_model.PriceModel` with one
deal (an open opportunity or a draft quote): the band's floor, target and stretch in money, the
win chance and expected margin at the price being discussed and at the margin-optimal price,
the five most comparable won and lost deals, and an approval hint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from revintel.pricing._price_model import PriceModel
from revintel.pricing._response import BAND_QUANTILES, DEFAULT_GRID

#: Approval hints, by where the price being discussed sits against the band.
APPROVALS = ("within_band", "needs_manager", "below_floor")
#: Largest discount the price response is evaluated at (the model's grid ends below 1).
MAX_DISCOUNT = 0.99


def approval_of(price_ratio: float, floor: float, target: float) -> str:
    """The approval hint for a price (as a share of list price) in a band.

    ``within_band`` at or above the target, ``needs_manager`` from the floor up to the target,
    ``below_floor`` below the floor.

    Examples
    --------
    >>> approval_of(0.90, 0.80, 0.90), approval_of(0.80, 0.80, 0.90), approval_of(0.79, 0.8, 0.9)
    ('within_band', 'needs_manager', 'below_floor')
    """
    # Prices are compared to the cent of a share: 0.9 typed in a quote is the target 0.9.
    ratio = round(price_ratio, 6)
    if ratio >= round(target, 6):
        return "within_band"
    if ratio >= round(floor, 6):
        return "needs_manager"
    return "below_floor"


def band_discounts(band: Mapping[str, Any]) -> tuple[float, float]:
    """The discounts a band spans: (1 − stretch, 1 − floor); a recommendation stays inside."""
    return (max(0.0, 1.0 - float(band["stretch"])), max(0.0, 1.0 - float(band["floor"])))


@dataclass(frozen=True)
class _Prepared:
    """A deal made ready for the price response: its band and the price discussed."""

    record: dict[str, Any]
    band_id: str
    band: Mapping[str, Any]
    list_price: float
    cost: float | None
    current: float

    @property
    def at_current(self) -> float:
        # The price response is read at the discount discussed; a price above list counts as list.
        return min(max(self.current, 0.0), MAX_DISCOUNT)


def _prepare(model: PriceModel, deal: Mapping[str, Any]) -> _Prepared:
    record = dict(deal)
    band_id = str(model.bands.segmentation.band_of(record))
    band = model.bands.band(band_id)
    list_price = float(record["list_price"])
    cost = _number(record.get("cost"))
    current = _number(record.get("current_discount"))
    if current is None:
        current = _number(record.get("discount"))
    if current is None:  # a draft without a price: discuss the band's target
        current = 1.0 - float(band["target"])
    record.update(
        discount=current,
        current_discount=current,
        price_ratio=1.0 - current,
        current_price_ratio=1.0 - current,
        amount=list_price * (1.0 - current),
        cost=cost if cost is not None else 0.0,
        target_discount=1.0 - float(band["target"]),
    )
    return _Prepared(record, band_id, band, list_price, cost, current)


def guidance(model: PriceModel, deal: Mapping[str, Any], currency: str = "EUR") -> dict[str, Any]:
    """Guidance for ``deal`` (a record of :func:`~revintel.pricing._drafts.open_deal` or
    :func:`~revintel.pricing._drafts.draft_deal`).

    Returns
    -------
    dict
        ``floor``, ``target``, ``stretch`` (money) and ``floor_ratio`` … (shares of list
        price), ``current_price``, ``recommended_price``, ``win_probability_current``,
        ``win_probability_recommended``, ``expected_margin_current``,
        ``expected_margin_recommended``, ``margin_at_stake``, ``segment``, ``band_id``,
        ``position``, ``approval``, ``current_discount``, ``recommended_discount`` with
        ``recommended_discount_low`` / ``_high``, ``list_price``, ``cost``,
        ``comparable_deals`` (``won`` and ``lost``), ``fit_id``, ``currency`` and
        ``opportunity_id`` or ``draft``.
    """
    deal_ = _prepare(model, deal)
    curve = model.response.curve(deal_.record, interval=True)
    at = np.array([deal_.at_current])
    p_current = float(model.response.curve(deal_.record, grid=at, interval=False).iloc[0, 2])
    return _answer(model, deal_, curve, p_current, currency)


def guidance_many(
    model: PriceModel, deals: Sequence[Mapping[str, Any]], currency: str = "EUR"
) -> list[dict[str, Any]]:
    """:func:`guidance` for many deals at once: the same answers, the price response evaluated
    in one pass (one prediction per bootstrap refit instead of one per deal and refit)."""
    if not deals:
        return []
    prepared = [_prepare(model, d) for d in deals]
    frame = pd.DataFrame([p.record for p in prepared])
    response = model.response
    # PriceResponse evaluates one deal per call (curve); its design and logits take many.
    design, target = response._design(frame)
    grid = DEFAULT_GRID
    curves = expit(response._logits(design, grid[None, :] - target[:, None], refits=True))
    if curves.ndim == 2:  # no bootstrap refits
        curves = curves[None, :, :]
    at = np.array([p.at_current for p in prepared])
    p_current = expit(response._logits(design, (at - target)[:, None]))[:, 0]
    answers = []
    for i, deal_ in enumerate(prepared):
        curve = pd.DataFrame({"discount": grid, "price_ratio": 1.0 - grid})
        curve["win_probability"] = curves[0, i]
        if curves.shape[0] > 1:
            samples = curves[1:, i, :]
            curve["lower"], curve["upper"] = np.quantile(samples, BAND_QUANTILES, axis=0)
            curve.attrs["samples"] = samples
        answers.append(_answer(model, deal_, curve, float(p_current[i]), currency))
    return answers


def _answer(
    model: PriceModel, deal: _Prepared, curve: pd.DataFrame, p_current: float, currency: str
) -> dict[str, Any]:
    from revintel.pricing._optimum import expected_margin, margin_optimum

    list_price, band, current = deal.list_price, deal.band, deal.current
    cost = deal.cost if deal.cost is not None else 0.0
    known = deal.cost is not None
    # Recommend within the band, or up to the price already on the table when it lies outside.
    lowest, highest = band_discounts(band)
    at = deal.at_current
    optimum = margin_optimum(list_price, cost, curve, within=(min(lowest, at), max(highest, at)))
    margin_current = float(expected_margin(list_price, cost, current, p_current))
    if known and margin_current > optimum.expected_margin and at == current:
        # The price on the table (between two grid points) beats every grid price: keep it.
        optimum = replace(
            optimum,
            discount=current,
            price=list_price * (1.0 - current),
            win_probability=p_current,
            expected_margin=margin_current,
        )
    margin_recommended = float(optimum.expected_margin)
    ratio = 1.0 - current
    answer: dict[str, Any] = {
        "fit_id": model.fit_id,
        "currency": currency,
        "segment": str(band["segment"]),
        "band_id": deal.band_id,
        "band_won_deals": int(band["won_deals"]),
        "list_price": _money(list_price),
        "cost": _money(cost) if known else None,
        "floor_ratio": _share(band["floor"]),
        "target_ratio": _share(band["target"]),
        "stretch_ratio": _share(band["stretch"]),
        "floor": _money(list_price * float(band["floor"])),
        "target": _money(list_price * float(band["target"])),
        "stretch": _money(list_price * float(band["stretch"])),
        "current_discount": _share(current),
        "current_price": _money(list_price * ratio),
        "position": str(model.bands.position(ratio, deal.band_id)),
        "approval": approval_of(ratio, float(band["floor"]), float(band["target"])),
        "recommended_discount": _share(optimum.discount),
        "recommended_discount_low": _share(optimum.discount_low),
        "recommended_discount_high": _share(optimum.discount_high),
        "recommended_price": _money(optimum.price),
        "win_probability_current": _share(p_current),
        "win_probability_recommended": _share(optimum.win_probability),
        "expected_margin_current": _money(margin_current) if known else None,
        "expected_margin_recommended": _money(margin_recommended) if known else None,
        "margin_at_stake": _money(margin_recommended - margin_current) if known else None,
        "comparable_deals": model.comparables.nearest(deal.record, deal.band_id),
    }
    record = deal.record
    if record.get("opportunity_id"):
        answer["opportunity_id"] = str(record["opportunity_id"])
    else:
        answer["draft"] = True
    answer["account_id"] = str(record.get("account_id") or "")
    return answer


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _money(value: float) -> float:
    return round(float(value), 2)


def _share(value: Any) -> float:
    return round(float(value), 4)
