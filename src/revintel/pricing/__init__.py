"""Price optimisation and deal analytics: guidance while a deal is negotiated.

The price waterfall from list to pocket price and margin (with off-invoice items imported per
order or set per customer group) and where money leaks; price bands (floor, target, stretch)
per segment of comparable deals found by a tree; the price response P(win | price, context),
chosen out of time, with the margin-optimal price; and guidance for an open deal or a draft
quote: band position, win chance and margin at the current and at the recommended price,
comparable won and lost deals and an approval hint.
"""

from __future__ import annotations

from revintel.pricing._band_store import store_bands, stored_band_deals, stored_bands
from revintel.pricing._bands import POSITIONS, PriceBands, band_positions, fit_bands
from revintel.pricing._comparables import ComparableDeals, comparable_deals
from revintel.pricing._deals import DEAL_COLUMNS, PRICE_MILESTONE, VALUE_TIERS, deal_frame
from revintel.pricing._drafts import DealNotFoundError, DraftError, draft_deal, open_deal
from revintel.pricing._guidance import APPROVALS, guidance, guidance_many
from revintel.pricing._leakage import discount_outliers, leakage
from revintel.pricing._optimum import Optimum, expected_margin, margin_optimum
from revintel.pricing._price_model import (
    PriceModel,
    PriceModelError,
    fit_price_model,
    latest_fit_id,
    load_price_model,
    store_price_model,
)
from revintel.pricing._response import PriceResponse, fit_price_response
from revintel.pricing._segments import SEGMENT_FEATURES, Segmentation, find_segments
from revintel.pricing._terms import (
    PriceTerms,
    PriceTermsError,
    parse_terms,
    read_terms,
    store_terms,
    stored_terms,
)
from revintel.pricing._waterfall import deal_waterfall, waterfall

__all__ = [
    "APPROVALS",
    "DEAL_COLUMNS",
    "POSITIONS",
    "PRICE_MILESTONE",
    "SEGMENT_FEATURES",
    "VALUE_TIERS",
    "ComparableDeals",
    "DealNotFoundError",
    "DraftError",
    "Optimum",
    "PriceBands",
    "PriceModel",
    "PriceModelError",
    "PriceResponse",
    "PriceTerms",
    "PriceTermsError",
    "Segmentation",
    "band_positions",
    "comparable_deals",
    "deal_frame",
    "deal_waterfall",
    "discount_outliers",
    "draft_deal",
    "expected_margin",
    "find_segments",
    "fit_bands",
    "fit_price_model",
    "fit_price_response",
    "guidance",
    "guidance_many",
    "latest_fit_id",
    "leakage",
    "load_price_model",
    "margin_optimum",
    "open_deal",
    "parse_terms",
    "read_terms",
    "store_bands",
    "store_price_model",
    "store_terms",
    "stored_band_deals",
    "stored_bands",
    "stored_terms",
    "waterfall",
]
