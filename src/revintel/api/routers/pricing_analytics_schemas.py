"""Bodies and query parameter types of the pricing analytics endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from revintel.api.routers.shared_schemas import Timestamp

#: A breakdown of the waterfall and the leakage as the caller sends it.
WaterfallBy = Literal["segment", "rep", "family"]
#: Whose discounts are compared with their peers'.
OutlierLevel = Literal["account", "rep"]
FilterText = Annotated[str, Field(max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WaterfallStep(_Strict):
    """One step from list price to pocket margin."""

    step: str = Field(
        description="list, on_invoice, invoice, rebate, freight, payment_terms, bonus, other, "
        "pocket, cost or pocket_margin"
    )
    role: Literal["level", "deduction"] = Field(
        description="a level (list, invoice, pocket price, pocket margin) or a deduction "
        "(positive: what leads from one level to the next)"
    )
    amount: float = Field(description="store currency")
    share_of_list: float | None = Field(description="amount / list amount")


class WaterfallGroup(_Strict):
    """The waterfall of one group (or of every line, with `group` `null`)."""

    group: str | None = Field(description="the group's value; `null` for the total")
    lines: int = Field(description="order lines behind it")
    steps: list[WaterfallStep]


class WaterfallOut(_Strict):
    """The price waterfall of the order lines the caller sees."""

    by: WaterfallBy | None
    currency: str
    groups: list[WaterfallGroup]


class Band(_Strict):
    """One price band of the stored model; prices as shares of list price."""

    band_id: str
    segment_de: str = Field(description="the segment of comparable deals, in German")
    segment_en: str = Field(description="the segment of comparable deals, in English")
    floor: float
    target: float
    stretch: float
    won_deals: int = Field(description="won deals the band's prices come from")
    deals: int | None = Field(description="closed deals of the segment")
    median_list_price: float | None


class BandsOut(_Strict):
    """The bands of the latest stored price model (the same for every caller)."""

    fit_id: str
    fitted_at: Timestamp
    bands: list[Band]
    evaluation: dict[str, JsonValue] = Field(
        description="the price response's out-of-time evaluation against a discount-blind baseline"
    )


class Position(_Strict):
    """Where an open deal's current price sits in its band."""

    opportunity_id: str
    account_id: str | None
    rep_id: str | None
    band_id: str
    list_price: float
    price_ratio: float | None = Field(description="current price as a share of list price")
    position: Literal["below_floor", "floor_target", "target_stretch", "above_stretch"] | None


class PositionsOut(_Strict):
    """The open deals the caller sees, each in its band."""

    fit_id: str
    deals: list[Position]


class LeakageRow(_Strict):
    """What one group's order lines lost between list price and pocket price."""

    group: str | None
    lines: int
    list_amount: float
    invoice_amount: float
    pocket_amount: float
    on_invoice: float = Field(description="discounts on the invoice")
    off_invoice: float = Field(description="items off the invoice")
    leakage: float = Field(description="list amount − pocket amount")
    leakage_rate: float | None = Field(description="leakage / list amount")
    pocket_margin_rate: float | None = Field(description="pocket margin / pocket amount")


class OutlierRow(_Strict):
    """An account or rep whose on-invoice discount sits above their peers' (everyone else in
    the same segment × product family cells, over the same mix)."""

    group: str = Field(description="the account or rep id")
    name: str
    deals: int = Field(description="deals compared")
    list_amount: float = Field(description="list amount compared, store currency")
    discount: float = Field(description="on-invoice discount, share of list")
    peer_discount: float = Field(description="the peers' discount over the same mix")
    excess_points: float = Field(description="discount − peers' discount, percentage points")
    excess_amount: float = Field(description="given away beyond the peers' rate, store currency")
    z: float | None = Field(description="the excess in standard errors")


class LeakageOut(_Strict):
    """Leakage per group and the accounts and reps discounting furthest above their peers."""

    by: WaterfallBy
    currency: str
    groups: list[LeakageRow]
    outliers: dict[OutlierLevel, list[OutlierRow]]


class CurvePoint(_Strict):
    """The win chance and expected margin at one price."""

    discount: float
    price_ratio: float
    win_probability: float
    lower: float | None = Field(description="5th percentile of the bootstrap curves")
    upper: float | None = Field(description="95th percentile of the bootstrap curves")
    expected_margin: float = Field(description="(price − cost) × P(win), store currency")


class ResponseOut(_Strict):
    """The price response of a band's typical deal or of one open deal."""

    fit_id: str
    band_id: str
    opportunity_id: str | None = Field(description="`null` for the band's typical deal")
    list_price: float
    cost: float
    currency: str
    optimum_price_ratio: float = Field(description="the margin-optimal price, share of list")
    optimum_win_probability: float
    optimum_expected_margin: float
    current_price_ratio: float | None
    curve: list[CurvePoint]
