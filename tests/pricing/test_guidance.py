"""Deal guidance: fields and numbers consistent, the optimum recommended, approval tiers,
draft quotes, batch equal to single, and what a user may ask (the view)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revintel.auth import AccessDeniedError, Role, User
from revintel.pricing._deals import deal_frame
from revintel.pricing._drafts import DealNotFoundError, DraftContext, DraftError, draft_deal
from revintel.pricing._guidance import approval_of, band_discounts, guidance, guidance_many
from revintel.pricing._optimum import margin_optimum
from revintel.pricing._price_model import PriceModel, load_price_model
from revintel.store import open_store
from revintel.views._pricing_guidance import (
    GuidanceContext,
    NoPriceModelError,
    deal_guidance,
    draft_guidance,
    guidance_context,
)
from revintel.views._records import RecordNotFoundError
from tests.pricing.fitted import fitted_small_store

CONTRACT = (
    "floor",
    "target",
    "stretch",
    "current_price",
    "recommended_price",
    "win_probability_current",
    "win_probability_recommended",
    "expected_margin_current",
    "expected_margin_recommended",
    "segment",
    "comparable_deals",
)
ADMIN = User("admin", "Admin", Role.admin)


@pytest.fixture(scope="module")
def fitted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fitted_small_store(tmp_path_factory)


@pytest.fixture(scope="module")
def context(fitted_db: Path) -> GuidanceContext:
    with open_store(fitted_db, read_only=True) as store:
        found = guidance_context(store)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def model(context: GuidanceContext) -> PriceModel:
    return context.model


def test_fields_and_numbers_agree(context: GuidanceContext, model: PriceModel) -> None:
    assert len(context.answers) == len(context.deals) > 50
    for opportunity_id, deal in list(context.deals.items())[:40]:
        answer = context.answers[opportunity_id]
        assert set(CONTRACT) <= set(answer) and answer["opportunity_id"] == opportunity_id
        list_price, cost = answer["list_price"], answer["cost"]
        assert answer["floor"] <= answer["target"] <= answer["stretch"] <= list_price * 1.0001
        assert answer["floor"] == pytest.approx(
            list_price * answer["floor_ratio"], abs=0.01 * list_price / 1e4 + 0.01
        )
        # the price discussed is the deal's latest quote (deal_frame's current_discount)
        assert answer["current_discount"] == pytest.approx(deal["current_discount"], abs=5e-5)
        assert answer["current_price"] == pytest.approx(
            list_price * (1 - deal["current_discount"]), abs=0.01
        )
        # expected margin = (price − cost) × P(win), at both prices
        for which in ("current", "recommended"):
            price, p = answer[f"{which}_price"], answer[f"win_probability_{which}"]
            assert answer[f"expected_margin_{which}"] == pytest.approx(
                (price - cost) * p, abs=1e-4 * list_price
            )
        stake = answer["expected_margin_recommended"] - answer["expected_margin_current"]
        assert answer["margin_at_stake"] == pytest.approx(stake, abs=0.02)
        assert answer["margin_at_stake"] >= -0.01  # the optimum is never worse on the grid
        low, high = answer["recommended_discount_low"], answer["recommended_discount_high"]
        assert low <= high and 0 <= answer["recommended_discount"] <= 0.4
        assert (
            answer["approval"]
            == approval_of(
                1 - deal["current_discount"], answer["floor_ratio"], answer["target_ratio"]
            )
            or abs(1 - deal["current_discount"] - answer["target_ratio"]) < 1e-4
        )


def test_recommended_price_is_the_margin_optimum_of_the_curve(
    context: GuidanceContext, model: PriceModel
) -> None:
    opportunity_id, deal = next(iter(context.deals.items()))
    answer = context.answers[opportunity_id]
    record = dict(deal) | {"target_discount": 1 - answer["target_ratio"]}
    band = model.bands.band(answer["band_id"])
    record["target_discount"] = 1 - float(band["target"])
    curve = model.response.curve(record, interval=True)
    # the recommendation stays within the band, or reaches to the price already on the table
    lowest, highest = band_discounts(band)
    current = answer["current_discount"]
    within = (min(lowest, current), max(highest, current))
    optimum = margin_optimum(float(deal["list_price"]), float(deal["cost"]), curve, within=within)
    assert answer["recommended_discount"] == pytest.approx(optimum.discount, abs=5e-5)
    assert answer["recommended_price"] == pytest.approx(optimum.price, abs=0.01)
    assert answer["win_probability_recommended"] == pytest.approx(optimum.win_probability, abs=5e-5)
    margins = (deal["list_price"] * (1 - curve["discount"]) - deal["cost"]) * curve[
        "win_probability"
    ]
    inside = curve["discount"].between(within[0] - 1e-9, within[1] + 1e-9)
    assert answer["expected_margin_recommended"] == pytest.approx(optimum.expected_margin, abs=0.01)
    assert answer["expected_margin_recommended"] >= margins[inside].max() - 0.01


def test_batch_answers_equal_single_answers(context: GuidanceContext, model: PriceModel) -> None:
    records = list(context.deals.values())[:12]
    assert guidance_many(model, records, context.currency) == [
        guidance(model, r, context.currency) for r in records
    ]


def test_approval_tiers_at_the_band_limits(context: GuidanceContext, model: PriceModel) -> None:
    assert approval_of(0.90, 0.80, 0.90) == "within_band"
    assert approval_of(0.8999999, 0.80, 0.90) == "within_band"  # typed to the cent
    assert approval_of(0.8999, 0.80, 0.90) == "needs_manager"
    assert approval_of(0.80, 0.80, 0.90) == "needs_manager"
    assert approval_of(0.7999, 0.80, 0.90) == "below_floor"
    account = next(a for a in context.drafts.accounts.index if context.drafts.value_tiers.get(a))
    product = context.drafts.products.index[0]
    base = draft_deal(context.drafts, account, [(product, 1)])
    band = model.bands.band(str(model.bands.segmentation.band_of(base)))
    floor, target = float(band["floor"]), float(band["target"])
    for discount, expected in [
        (1 - target, "within_band"),
        (1 - target + 0.001, "needs_manager"),
        (1 - floor, "needs_manager"),
        (1 - floor + 0.001, "below_floor"),
        (0.0, "within_band"),
    ]:
        deal = draft_deal(context.drafts, account, [(product, 1)], discount=discount)
        assert guidance(model, deal)["approval"] == expected, discount


def test_draft_quote_prices_its_products(fitted_db: Path, model: PriceModel) -> None:
    with open_store(fitted_db, read_only=True) as store:
        drafts = DraftContext.read(store)
    products = drafts.products.dropna(subset=["list_price", "unit_cost"])
    first, second = products.index[0], products.index[1]
    account = drafts.accounts.index[3]
    deal = draft_deal(drafts, account, [(first, 2), (second, 1)], discount=0.12)
    list_price = 2 * products.at[first, "list_price"] + products.at[second, "list_price"]
    cost = 2 * products.at[first, "unit_cost"] + products.at[second, "unit_cost"]
    assert deal["list_price"] == pytest.approx(list_price)
    assert deal["cost"] == pytest.approx(cost)
    larger = (
        first
        if 2 * products.at[first, "list_price"] >= products.at[second, "list_price"]
        else second
    )
    assert deal["family"] == products.at[larger, "family"]
    assert deal["segment"] == drafts.accounts.at[account, "segment"]
    answer = guidance(model, deal)
    assert answer["draft"] is True and "opportunity_id" not in answer
    assert answer["current_price"] == pytest.approx(list_price * 0.88, abs=0.01)
    by_amount = draft_deal(drafts, account, [(first, 2), (second, 1)], amount=list_price * 0.88)
    assert guidance(model, by_amount) == answer
    no_price = guidance(model, draft_deal(drafts, account, [(first, 1)]))
    assert no_price["current_price"] == no_price["target"]  # discusses the band's target
    with pytest.raises(DealNotFoundError, match="no product 'NOPE'"):
        draft_deal(drafts, account, [("NOPE", 1)])
    with pytest.raises(DealNotFoundError, match="no account"):
        draft_deal(drafts, "NOPE", [(first, 1)])
    with pytest.raises(DraftError, match="quantity must be above 0"):
        draft_deal(drafts, account, [(first, 0)])
    with pytest.raises(DraftError, match="not both"):
        draft_deal(drafts, account, [(first, 1)], discount=0.1, amount=5.0)
    with pytest.raises(DraftError, match="outside"):
        draft_deal(drafts, account, [(first, 1)], discount=1.2)


def test_a_rep_gets_guidance_for_own_deals_and_accounts_only(
    fitted_db: Path, context: GuidanceContext
) -> None:
    deal = next(iter(context.deals.values()))
    mine = User("rep", "Rep", Role.sales_rep, rep_id=str(deal["rep_id"]))
    other = User("other", "Other", Role.sales_rep, rep_id="R-nobody")
    with open_store(fitted_db, read_only=True) as store:
        oid = str(deal["opportunity_id"])
        assert deal_guidance(store, mine, oid, context) == context.answers[oid]
        assert deal_guidance(store, ADMIN, oid, context) == context.answers[oid]
        with pytest.raises(AccessDeniedError):
            deal_guidance(store, other, oid, context)
        with pytest.raises(RecordNotFoundError):
            deal_guidance(store, ADMIN, "O-none", context)
        product = str(context.drafts.products.index[0])
        account = str(deal["account_id"])
        owner = context.drafts.accounts.at[account, "owner_rep_id"]
        owner_user = User("owner", "Owner", Role.sales_rep, rep_id=str(owner))
        answer = draft_guidance(
            store, owner_user, account, [(product, 1)], 0.1, None, None, context
        )
        assert answer["draft"] is True
        with pytest.raises(AccessDeniedError):
            draft_guidance(store, other, account, [(product, 1)], 0.1, None, None, context)


def test_no_model_is_told(small_pricing_db: Path) -> None:
    with open_store(small_pricing_db, read_only=True) as store:
        assert guidance_context(store) is None
        with pytest.raises(NoPriceModelError, match="revintel pricing fit"):
            deal_guidance(store, ADMIN, "O0000001")


def test_open_deal_frame_and_loaded_model_agree(fitted_db: Path, context: GuidanceContext) -> None:
    with open_store(fitted_db, read_only=True) as store:
        loaded = load_price_model(store)
        deals = deal_frame(store)
    assert loaded is not None and loaded.fit_id == context.fit_id
    open_ids = set(deals.loc[deals["status"] == "open", "opportunity_id"])
    assert open_ids == set(context.deals)
    assert np.isfinite([a["win_probability_current"] for a in context.answers.values()]).all()
