"""Bodies of the pricing endpoints: deal guidance, fitting and the stored price model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from revintel.api.routers.shared_schemas import Timestamp, json_integer

_STRICT = ConfigDict(extra="forbid")


class OpportunityGuidanceIn(BaseModel):
    """Guidance for an open opportunity, at the price of its latest quote."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"opportunity_id": "O000123"}]}
    )

    opportunity_id: str = Field(min_length=1, max_length=200, examples=["O000123"])


class DraftLineIn(BaseModel):
    """One product of a draft quote."""

    model_config = _STRICT

    product_id: str = Field(min_length=1, max_length=200, examples=["P001"])
    quantity: float = Field(gt=0, le=1_000_000, examples=[2])


class DraftGuidanceIn(BaseModel):
    """Guidance for a draft quote: an account, products and the price discussed (a discount
    or an amount; neither discusses the band's target)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "account_id": "A00042",
                    "products": [
                        {"product_id": "P001", "quantity": 2},
                        {"product_id": "P007", "quantity": 1},
                    ],
                    "discount": 0.12,
                }
            ]
        },
    )

    account_id: str = Field(min_length=1, max_length=200, examples=["A00042"])
    products: list[DraftLineIn] = Field(min_length=1, max_length=100)
    discount: float | None = Field(
        default=None, ge=0, lt=1, description="share of list price off", examples=[0.12]
    )
    amount: float | None = Field(
        default=None, gt=0, le=1e12, description="price in the store currency", examples=[25000]
    )
    rep_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="quoting rep (default: owner)"
    )


class ComparableDeal(BaseModel):
    """A closed deal like the one asked about."""

    model_config = _STRICT

    opportunity_id: str
    account_id: str
    closed_at: str = Field(examples=["2025-03-14"])
    status: str = Field(examples=["won", "lost"])
    list_price: float
    discount: float
    amount: float
    similarity: float = Field(ge=0, le=1, description="1 for an identical deal")


class ComparableDeals(BaseModel):
    """The five most comparable won and lost deals, nearest first."""

    model_config = _STRICT

    won: list[ComparableDeal]
    lost: list[ComparableDeal]


class GuidanceOut(BaseModel):
    """Where a deal's price sits in its band, its win chance and expected margin at the price
    discussed and at the margin-optimal price, comparable deals and an approval hint.

    Prices are in the store currency; ``*_ratio`` and discounts are shares of list price;
    expected margin = (price − cost) × P(win)."""

    model_config = _STRICT

    fit_id: str
    currency: str = Field(examples=["EUR"])
    opportunity_id: str | None = None
    draft: bool | None = None
    account_id: str
    segment: str = Field(description="the band's deals, in words")
    band_id: str = Field(examples=["B03"])
    band_won_deals: int = Field(description="won deals the band's prices come from")
    list_price: float
    cost: float | None
    floor: float
    target: float
    stretch: float
    floor_ratio: float
    target_ratio: float
    stretch_ratio: float
    current_discount: float
    current_price: float
    position: str = Field(examples=["floor_target"])
    approval: str = Field(examples=["within_band", "needs_manager", "below_floor"])
    recommended_discount: float
    recommended_discount_low: float
    recommended_discount_high: float
    recommended_price: float
    win_probability_current: float
    win_probability_recommended: float
    expected_margin_current: float | None
    expected_margin_recommended: float | None
    margin_at_stake: float | None = Field(description="expected margin recommended − current")
    comparable_deals: ComparableDeals


class PriceFitIn(BaseModel):
    """How to fit the price model."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"min_won": 30}]})

    as_of: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="use deals as known on this day (YYYY-MM-DD)",
        examples=["2025-06-30"],
    )
    min_won: int = Field(default=30, ge=5, le=10_000, description="least won deals per band")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    _integer = field_validator("min_won", "seed", mode="before")(json_integer)


class PriceBandOut(BaseModel):
    """A price band (prices as shares of list price)."""

    model_config = ConfigDict(extra="allow")

    band_id: str
    segment: str
    floor: float
    target: float
    stretch: float
    won_deals: int


class PriceModelOut(BaseModel):
    """The stored price model in use."""

    model_config = _STRICT

    fit_id: str
    fitted_at: Timestamp
    as_of: str
    algorithm: str = Field(examples=["logistic", "lightgbm_monotone"])
    evaluation: dict[str, Any] = Field(description="out-of-time evaluation of the price response")
    bands: list[PriceBandOut]
